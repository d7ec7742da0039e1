import keyword
import threading
from collections.abc import Mapping

import marshmallow
from marshmallow import fields, pre_load

# Dumped as they are, after the same conversion marshmallow applies.
_PLAIN = {fields.Integer: int, fields.String: str}


class Schema(marshmallow.Schema):
    """marshmallow's Schema: read-only fields ignored on input, and the
    plainest schemas dumped several times faster.

    A field the server sets (``dump_only``: ``id``, a user's ``tags``) is
    left out of what a request sends rather than refused, so that a client
    may send back what it read; any other unknown field is refused.

    Dumping: marshmallow runs its whole field machinery for every value:
    about 5 microseconds per small object, 2 ms for a page of 100 users with
    their tags, a fifth of such a request. A schema whose dump fields are
    all Integer, String (or subclasses that do not change how they dump),
    Nested or List(Nested) of such schemas, read plainly (no dump_default,
    no get_value or get_attribute of their own) and with no dump hooks,
    dumps here through a function built once per schema (and per set of
    fields an instance narrows it to), with
    marshmallow's answer: values converted with int() and str(), None
    kept, items read from what has items, absent attributes left out. Any
    other schema, and one that nests itself, dumps through marshmallow as
    usual.
    """

    @pre_load
    def _ignore_read_only(self, data, **kwargs):
        if not isinstance(data, Mapping):
            return data
        read_only = {
            field.data_key or name
            for name, field in self.fields.items()
            if field.dump_only
        }
        return {key: value for key, value in data.items() if key not in read_only}

    def dump(self, obj, *, many=None):
        dumper = _dumper(self)
        if dumper is None:
            return super().dump(obj, many=many)
        if self.many if many is None else many:
            return [dumper(item) for item in obj]
        return dumper(obj)


def _dumper(schema):
    """The schema's fast dump, or None: built once per class and per set of
    fields an instance narrows it to (``only``, ``exclude``, ``load_only``)."""
    cls = type(schema)
    narrowed = (
        None if schema.only is None else frozenset(schema.only),
        frozenset(schema.exclude),
        frozenset(schema.load_only),
    )
    cache = cls.__dict__.get("_edmunds_dumpers")
    if cache is None:
        cache = cls._edmunds_dumpers = {}
    if narrowed in cache:
        return cache[narrowed]
    # A schema that nests itself, directly or through another, would be
    # compiled forever: met again while it is being compiled, it has no fast
    # dump, and neither has the schema around it. Per thread: another
    # thread's compilation is no cycle of this one.
    compiling = _compiling.__dict__.setdefault("keys", set())
    key = (cls, narrowed)
    if key in compiling:
        return None
    compiling.add(key)
    try:
        dumper = _compile(schema)
    finally:
        compiling.discard(key)
    cache[narrowed] = dumper
    return dumper


_compiling = threading.local()
_UNSET = object()


def _compile(schema):
    if schema._hooks.get("pre_dump") or schema._hooks.get("post_dump"):
        return None
    if type(schema).get_attribute is not marshmallow.Schema.get_attribute:
        return None
    steps = []
    for name, field in schema.dump_fields.items():
        key = field.data_key or name
        attribute = field.attribute or name
        if "." in attribute or not _reads_plainly(field):
            return None
        convert = _converter(field)
        if convert is None:
            return None
        steps.append((key, attribute, convert))

    def read_each(obj):
        # Read as marshmallow reads: an item of what has items (the dict of
        # a page), else an attribute; an absent one is left out.
        read = _item if hasattr(obj, "__getitem__") else getattr
        out = {}
        for key, attribute, convert in steps:
            value = read(obj, attribute, _UNSET)
            if value is not _UNSET:
                out[key] = None if value is None else convert(value)
        return out

    return _direct(steps, read_each)


def _direct(steps, read_each):
    """The dump of one object as one dict display, its Python source made once.

    The loop of read_each calls getattr and hasattr per field and steps
    through a list of tuples; written out as statements, a page of 100
    users with their tags dumps in about four fifths of the loop's time.
    Anything unusual (a dict, an attribute missing, a name that is no
    identifier) still goes through the loop.
    """
    if not all(
        attribute.isidentifier() and not keyword.iskeyword(attribute)
        for _, attribute, _ in steps
    ):
        return read_each
    namespace = {"read_each": read_each}
    values = []
    for number, (key, attribute, convert) in enumerate(steps):
        namespace[f"convert{number}"] = convert
        values.append(
            f"{key!r}: None if (value{number} := obj.{attribute}) is None"
            f" else convert{number}(value{number})"
        )
    source = (
        "def dump(obj):\n"
        "    if hasattr(obj, '__getitem__'):\n"
        "        return read_each(obj)\n"
        "    try:\n"
        f"        return {{{', '.join(values)}}}\n"
        "    except AttributeError:\n"
        "        return read_each(obj)\n"
    )
    exec(compile(source, "<edmunds.http.schema dump>", "exec"), namespace)
    return namespace["dump"]


def _item(obj, key, default):
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError, AttributeError):
        return getattr(obj, key, default)


def _reads_plainly(field):
    """The field reads its value the way marshmallow reads it by default."""
    return (
        field.dump_default is marshmallow.missing
        and type(field).serialize is fields.Field.serialize
        and type(field).get_value is fields.Field.get_value
    )


def _converter(field):
    if getattr(field, "as_string", False):
        return None
    for kind, convert in _PLAIN.items():
        if isinstance(field, kind) and type(field)._serialize is kind._serialize:
            return convert
    # Only List and Nested themselves: a subclass such as Pluck dumps its own way.
    if type(field)._serialize is fields.List._serialize and isinstance(
        field.inner, fields.Nested
    ):
        inner = _converter(field.inner)
        if inner is None:
            return None
        # A None item stays None, as marshmallow keeps it in a List.
        return lambda values: [None if v is None else inner(v) for v in values]
    if type(field)._serialize is fields.Nested._serialize and isinstance(
        field.schema, Schema
    ):
        nested = _dumper(field.schema)
        if nested is None:
            return None
        if field.many or field.schema.many:
            return lambda values: [nested(v) for v in values]
        return nested
    return None
