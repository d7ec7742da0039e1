import keyword
from collections.abc import Mapping

import marshmallow
from marshmallow import fields, pre_load
from marshmallow.utils import ensure_text_type, get_value


class Schema(marshmallow.Schema):
    """marshmallow's Schema: read-only fields ignored on input, and the
    plainest schemas dumped ten times faster.

    A field the server sets (``dump_only``: ``id``, a user's ``tags``) is
    left out of what a request sends rather than refused, so that a client
    may send back what it read; any other unknown field is refused.

    Dumping: marshmallow runs its whole field machinery for every value: a
    page of 100 users with their tags dumps in 1.8 ms through it, 0.13 ms
    here (timeit, the machine of the counts below). A schema whose dump
    fields are all Integer, String, Nested or List(Nested) of such schemas
    (not subclasses that dump their own way, such as Pluck), read plainly
    (no dump_default, no get_value or get_attribute of their own) and with
    no dump hooks, dumps here through a function made once per shape, with
    marshmallow's answer: values converted as marshmallow converts them,
    None kept, items read from what has items, absent attributes left out.
    Any other schema, and one that nests itself, dumps through marshmallow.

    What it pays, counted by the bench (``scripts/bench.sh --only
    instructions``: one gunicorn worker under callgrind, PYTHONHASHSEED=0,
    the median of 20 requests; 2026-12-07, 2 cores, Python 3.12): GET
    /api/users?per_page=100, 100 users with 3 tags each, executes 28.2 M
    instructions with it and 40.9 M through marshmallow's dump alone,
    against 26.3 M for the hand-written baseline (bench/baseline): 0.93 of
    the baseline's requests per instruction with it, 0.64 without. Should
    that gap close (a marshmallow that dumps faster), remove it:
    BENCHMARKS.md ("The schemas' dump compiler") says how to measure again.
    The template's tests/edmunds/test_schema.py (and test_http.py) hold its
    answers to marshmallow's own for every field kind it claims, with edge
    values, and check that it leaves every other kind to marshmallow.
    """

    @pre_load
    def _ignore_read_only(self, data, **kwargs):
        if not isinstance(data, Mapping):
            return data
        read_only = {
            _key(name, field) for name, field in self.fields.items() if field.dump_only
        }
        return {key: value for key, value in data.items() if key not in read_only}

    def dump(self, obj, *, many=None):
        # Per instance: what it dumps is fixed once its fields are bound
        # (only, exclude, a nested field's "tags.name", an __init__ of its
        # own). Fields changed after the first dump are not seen.
        dumper = self.__dict__.get("_edmunds_dumper", _UNSET)
        if dumper is _UNSET:
            dumper = self._edmunds_dumper = _dumper(self)
        if dumper is None:
            return super().dump(obj, many=many)
        # None with many is one object, as marshmallow has it ({}).
        if (self.many if many is None else many) and obj is not None:
            return [dumper(item) for item in obj]
        return dumper(obj)


_UNSET = object()

# A dump function per plan: instances of the same shape share one.
_DUMPERS = {}


def _dumper(schema):
    plan = _plan(schema, within=())
    return None if plan is None else _dumper_of(plan)


def _dumper_of(plan):
    dumper = _DUMPERS.get(plan)
    if dumper is None:
        dumper = _DUMPERS[plan] = _build(plan)
    return dumper


def _plan(schema, within):
    """What dumping ``schema`` does, as a tuple of (key, attribute, how), how
    being "int", "text", or ("one" | "many" | "list", the nested plan); None
    where only marshmallow can tell.

    ``within`` holds the schema classes being planned around this one: a
    schema met inside itself would be planned forever.
    """
    cls = type(schema)
    if (
        cls in within
        or cls.dump is not Schema.dump
        or cls.get_attribute is not marshmallow.Schema.get_attribute
        or schema.dict_class is not dict
        or schema._hooks.get("pre_dump")
        or schema._hooks.get("post_dump")
    ):
        return None
    steps = []
    for name, field in schema.dump_fields.items():
        attribute = name if field.attribute is None else field.attribute
        if "." in attribute or not _reads_plainly(field):
            return None
        how = _how(field, (*within, cls))
        if how is None:
            return None
        steps.append((_key(name, field), attribute, how))
    return tuple(steps)


def _how(field, within):
    kind = type(field)
    if isinstance(field, fields.Integer):
        plain = (
            kind._serialize is fields.Number._serialize
            and kind._format_num is fields.Number._format_num
            and field.num_type is int
            and not field.as_string
        )
        return "int" if plain else None
    if isinstance(field, fields.String):
        return "text" if kind._serialize is fields.String._serialize else None
    if kind._serialize is fields.List._serialize:
        inner = field.inner
        if type(inner)._serialize is not fields.Nested._serialize:
            return None
        plan = _nested_plan(inner, within)
        # An item is dumped as Nested dumps one: many only if the schema says.
        many = inner.schema.many or inner.many
        return None if plan is None or many else ("list", plan)
    if kind._serialize is fields.Nested._serialize:
        plan = _nested_plan(field, within)
        if plan is None:
            return None
        return ("many" if field.many or field.schema.many else "one", plan)
    return None


def _nested_plan(field, within):
    schema = field.schema
    return _plan(schema, within) if isinstance(schema, Schema) else None


def _key(name, field):
    return name if field.data_key is None else field.data_key


def _reads_plainly(field):
    """The field reads its value the way marshmallow reads it by default."""
    return (
        field.dump_default is marshmallow.missing
        and type(field).serialize is fields.Field.serialize
        and type(field).get_value is fields.Field.get_value
        and field._CHECK_ATTRIBUTE
    )


def _build(plan):
    """The dump function of a plan: one dict display, its source made once.

    Reading through a loop of getattr calls, a page of 100 users with their
    tags dumps in about a fourth more time. An object that is a mapping, or
    lacks an attribute, or a plan whose attributes are no identifiers, goes
    through read_each, which reads as marshmallow reads.
    """
    converts = [_converter(how) for _, _, how in plan]

    def read_each(obj):
        out = {}
        for (key, attribute, _), convert in zip(plan, converts, strict=True):
            # marshmallow's own reading (Schema.get_attribute's): the item,
            # else the attribute.
            value = get_value(obj, attribute, _UNSET)
            if value is not _UNSET and value is not marshmallow.missing:
                out[key] = None if value is None else convert(value)
        return out

    # ASCII: Python reads a non-ASCII name in source as its NFKC form.
    if not all(
        attribute.isascii()
        and attribute.isidentifier()
        and not keyword.iskeyword(attribute)
        for _, attribute, _ in plan
    ):
        return read_each
    namespace = {"read_each": read_each, "missing": marshmallow.missing}
    reads, values = [], []
    for number, ((key, attribute, how), convert) in enumerate(
        zip(plan, converts, strict=True)
    ):
        value = f"value{number}"
        namespace[f"convert{number}"] = convert
        reads.append(f"        {value} = obj.{attribute}\n")
        # The common case, a value of the very type, is not converted.
        kept = _UNCONVERTED.get(how, "")
        values.append(
            f"{key!r}: {value} if {kept.format(value)}{value} is None"
            f" else convert{number}({value})"
        )
    # Every attribute is read before any is converted: an object lacking one
    # goes to read_each before an iterator among them was used up.
    source = (
        "def dump(obj):\n"
        "    if hasattr(obj, '__getitem__'):\n"
        "        return read_each(obj)\n"
        "    try:\n"
        f"{''.join(reads) or _NOTHING_TO_READ}"
        "    except AttributeError:\n"
        "        return read_each(obj)\n"
        # marshmallow leaves out a value that is its `missing`.
        f"    if {' or '.join(f'value{n} is missing' for n in range(len(plan))) or 'False'}:\n"
        "        return read_each(obj)\n"
        f"    return {{{', '.join(values)}}}\n"
    )
    exec(compile(source, "<edmunds.http.schema dump>", "exec"), namespace)
    return namespace["dump"]


_UNCONVERTED = {"int": "{}.__class__ is int or ", "text": "{}.__class__ is str or "}
_NOTHING_TO_READ = "        pass\n"


def _converter(how):
    if how == "int":
        return int
    if how == "text":
        return ensure_text_type
    shape, plan = how
    nested = _dumper_of(plan)
    if shape == "one":
        return nested
    if shape == "many":
        return lambda values: [nested(value) for value in values]
    # A None item of a List stays None; in a Nested(many=True) it dumps as {}.
    return lambda values: [None if value is None else nested(value) for value in values]
