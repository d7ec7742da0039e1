"""edmunds/http/schema.py's dump compiler, against marshmallow's own dump.

Every field kind the compiler claims (Integer, String and the subclasses
that serialize as String does, Nested, Nested(many=True), List(Nested)),
read every way it claims (data_key, attribute, dump_only, load_only, from
objects, from mappings, values absent or None), dumps here as marshmallow
dumps it: the same keys, the same values of the same types, or the same
exception. Every kind it does not claim leaves the whole schema, and any
schema nesting it, to marshmallow.
"""

import datetime
import decimal
import enum
import types
import uuid

import marshmallow
import pytest
from marshmallow import fields, post_dump, pre_dump

from app.http.schemas.tag import TagPage
from app.http.schemas.user import UserPage, UserSchema
from edmunds.http import schema as module
from edmunds.http.fields import AsciiInteger, Text
from edmunds.http.schema import Schema

ZONE = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
NAIVE = datetime.datetime(2026, 12, 7, 10, 30, 15, 123456)
AWARE = NAIVE.replace(tzinfo=ZONE)


class Colour(enum.IntEnum):
    RED = 1


class Mood(enum.StrEnum):
    CALM = "calm"


class Shout(str):
    def __str__(self):
        return self.upper()


def outcome(dump):
    """What ``dump()`` answers, with the type of every value in it (1, 1.0
    and True are equal in Python, not in JSON), or the exception it raises."""
    try:
        return "dumped", _typed(dump())
    except Exception as error:  # any at all: compared by type
        return "raised", type(error)


def _typed(value):
    if isinstance(value, dict):
        return type(value), {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return type(value), [_typed(item) for item in value]
    return type(value), value


def marshmallows(make, obj, **kwargs):
    """What marshmallow dumps for a schema of ``make()``: with the compiler
    off for it and every schema it nests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "_dumper", lambda schema: None)
        return outcome(lambda: make().dump(obj() if callable(obj) else obj, **kwargs))


def assert_dumps_as_marshmallow(make, obj, **kwargs):
    compiled = outcome(lambda: make().dump(obj() if callable(obj) else obj, **kwargs))
    assert compiled == marshmallows(make, obj, **kwargs)


def one_field(field):
    """A schema class of one field, ``value``, besides an ``id``."""
    return Schema.from_dict({"id": fields.Integer(), "value": field}, name="One")


def holding(value):
    return types.SimpleNamespace(id=1, value=value)


INTEGERS = [
    0,
    -1,
    2**70,
    True,
    False,
    2.7,
    -2.5,
    decimal.Decimal("3.9"),
    "42",
    " 7 ",
    "\u0661",  # an Arabic-Indic one: int() reads it
    Colour.RED,
    None,
    "x",
    float("nan"),
    float("inf"),
    [],
]
TEXTS = [
    "",
    "Ada",
    "\u03a9 mega",
    "\u540d\u524d",
    "\U0001f600",
    "a\x00b",
    "\ud800",  # a lone surrogate, as JSON can carry it
    "\ufb01le",
    b"bytes",
    "\u00e9".encode(),
    b"\xff",  # no UTF-8: both raise
    3,
    2.5,
    Mood.CALM,
    Shout("quiet"),
    NAIVE,
    AWARE,
    [],
    None,
]
CLAIMED_SCALARS = [
    (fields.Integer, INTEGERS),
    (lambda: fields.Integer(dump_only=True), INTEGERS),
    (lambda: fields.Integer(allow_none=True, required=True), INTEGERS),
    (lambda: AsciiInteger(), INTEGERS),
    (fields.String, TEXTS),
    (lambda: fields.String(dump_only=True), TEXTS),
    (lambda: Text(max_length=5, visible=True), TEXTS),
    (fields.Email, TEXTS),
    (fields.Url, TEXTS),
]


@pytest.mark.parametrize(("make_field", "values"), CLAIMED_SCALARS)
def test_claimed_scalars_dump_as_marshmallow_dumps_them(make_field, values):
    make = one_field(make_field())
    assert module._dumper(make()) is not None, "the compiler claims it"
    for value in values:
        assert_dumps_as_marshmallow(make, holding(value))
        assert_dumps_as_marshmallow(make, {"id": 2, "value": value})
        assert_dumps_as_marshmallow(make, [holding(value)] * 2, many=True)


class Leaf(Schema):
    id = fields.Integer()
    name = fields.String(data_key="title")


LEAF = types.SimpleNamespace(id=1, name="\u540d\u524d")
NESTED_VALUES = [
    LEAF,
    {"id": "2", "name": b"b"},
    types.SimpleNamespace(),  # no attribute at all
    {},
    None,
]
NESTED_MANY_VALUES = [
    [],
    (),
    [LEAF, {"id": 3}],
    [None],  # None in a many dumps as {}, as marshmallow has it
    lambda: iter([LEAF]),
    None,
]
NESTED_LIST_VALUES = [*NESTED_MANY_VALUES, [None, LEAF]]  # None stays None


@pytest.mark.parametrize(
    ("field", "values"),
    [
        (lambda: fields.Nested(Leaf), NESTED_VALUES),
        (lambda: fields.Nested(lambda: Leaf()), NESTED_VALUES),
        (lambda: fields.Nested(Leaf, allow_none=True), NESTED_VALUES),
        (lambda: fields.Nested(Leaf, only=("id",)), NESTED_VALUES),
        (lambda: fields.Nested(Leaf, exclude=("id",)), NESTED_VALUES),
        (lambda: fields.Nested(Leaf, many=True), NESTED_MANY_VALUES),
        (lambda: fields.Nested(Leaf(many=True)), NESTED_MANY_VALUES),
        (lambda: fields.List(fields.Nested(Leaf)), NESTED_LIST_VALUES),
        (lambda: fields.List(fields.Nested(Leaf, only=("name",))), NESTED_LIST_VALUES),
        (
            lambda: fields.List(fields.Nested(Leaf), dump_only=True),
            NESTED_LIST_VALUES,
        ),
    ],
)
def test_claimed_nesting_dumps_as_marshmallow_dumps_it(field, values):
    make = one_field(field())
    assert module._dumper(make()) is not None, "the compiler claims it"
    for value in values:
        assert_dumps_as_marshmallow(make, lambda value=value: holding(_made(value)))
        assert_dumps_as_marshmallow(
            make, lambda value=value: {"id": 1, "value": _made(value)}
        )


def _made(value):
    return value() if callable(value) else value


class Keyed(Schema):
    """Keys and attributes of every spelling the compiler writes into code."""

    plain = fields.Integer()
    renamed = fields.String(data_key="\u540d\u524d")
    quoted = fields.String(data_key='it\'s "quoted"\n')
    empty = fields.String(data_key="")
    elsewhere = fields.Integer(attribute="other")
    keyword = fields.String(attribute="class")  # no `obj.class` in source
    ligature = fields.String(attribute="\ufb01le")  # NFKC would read "file"
    spaced = fields.String(attribute="with space")
    secret = fields.String(load_only=True)
    shown = fields.String(dump_only=True)


@pytest.mark.parametrize(
    "obj",
    [
        types.SimpleNamespace(
            plain=1,
            renamed="r",
            quoted="q",
            empty="e",
            other=2,
            elsewhere=3,  # not read: the field reads "other"
            secret="s",
            shown="\U0001f600",
            **{
                "class": "k",
                "\ufb01le": "ligature",
                "file": "plain",
                "with space": "w",
            },
        ),
        {"plain": 1, "other": 2, "class": "k", "with space": "w", "secret": "s"},
        types.SimpleNamespace(plain=None, other=None, shown=None),
        types.SimpleNamespace(plain=marshmallow.missing, shown="x"),
        {"plain": marshmallow.missing, "renamed": None},
        types.SimpleNamespace(),
        {},
    ],
)
def test_keys_and_attributes_dump_as_marshmallow_dumps_them(obj):
    assert module._dumper(Keyed()) is not None, "the compiler claims it"
    assert_dumps_as_marshmallow(Keyed, obj)
    assert_dumps_as_marshmallow(lambda: Keyed(many=True), [obj, obj])
    assert_dumps_as_marshmallow(lambda: Keyed(only=("plain", "shown")), obj)
    assert_dumps_as_marshmallow(lambda: Keyed(exclude=("plain",)), obj)


class Tricky:
    """An object whose attributes fail as they are read."""

    id = 1

    @property
    def value(self):
        raise AttributeError("not loaded")  # left out, as getattr's default


class Broken(Tricky):
    @property
    def value(self):
        raise LookupError("the database went away")  # raised, as marshmallow


class Indexed(dict):
    """A mapping that lacks a key but has the attribute: read as marshmallow
    reads it, the key first, then the attribute."""

    value = "from the attribute"


@pytest.mark.parametrize(
    "obj",
    [Tricky(), Broken(), Indexed(id=5), Indexed(id=5, value="from the key")],
)
@pytest.mark.parametrize("field", [fields.Integer, fields.String])
def test_objects_that_read_oddly_dump_as_marshmallow_dumps_them(obj, field):
    assert_dumps_as_marshmallow(one_field(field()), obj)


UNCLAIMED_FIELDS = {
    "Boolean": (fields.Boolean, [True, False, 1, "yes", None]),
    "Float": (fields.Float, [1, 2.5, "3", None]),
    "Decimal": (fields.Decimal, [decimal.Decimal("1.10"), 2, None]),
    "DateTime": (fields.DateTime, [NAIVE, AWARE, None]),
    "DateTime as a timestamp": (lambda: fields.DateTime("timestamp"), [AWARE, None]),
    "NaiveDateTime": (fields.NaiveDateTime, [NAIVE, AWARE, None]),
    "AwareDateTime": (
        lambda: fields.AwareDateTime(default_timezone=ZONE),
        [NAIVE, AWARE, None],
    ),
    "Date": (fields.Date, [NAIVE.date(), None]),
    "Time": (fields.Time, [NAIVE.time(), AWARE.timetz(), None]),
    "TimeDelta": (fields.TimeDelta, [datetime.timedelta(seconds=90), None]),
    "UUID": (fields.UUID, [uuid.UUID(int=1), None]),
    "Enum": (lambda: fields.Enum(Mood), [Mood.CALM, None]),
    "Dict": (fields.Dict, [{"a": 1}, {}, None]),
    "Raw": (fields.Raw, [{"a": [1]}, "x", None]),
    "Constant": (lambda: fields.Constant("always"), ["x", None]),
    "Tuple": (
        lambda: fields.Tuple((fields.Integer(), fields.String())),
        [(1, "a"), None],
    ),
    "IP": (fields.IP, ["127.0.0.1", None]),
    "Method": (lambda: fields.Method("shown"), ["x", None]),
    "Function": (lambda: fields.Function(lambda obj: obj.id * 2), ["x", None]),
    "Pluck": (lambda: fields.Pluck(Leaf, "name"), [LEAF, None]),
    "Pluck, many": (lambda: fields.Pluck(Leaf, "id", many=True), [[LEAF], [], None]),
    "List of String": (lambda: fields.List(fields.String()), [["a", 1], [], None]),
    "List of Integer": (lambda: fields.List(fields.Integer()), [[1, "2"], [], None]),
    "List of a many Nested": (
        lambda: fields.List(fields.Nested(Leaf, many=True)),
        [[[LEAF]], [], None],
    ),
    "Nested of marshmallow's Schema": (
        lambda: fields.Nested(marshmallow.Schema.from_dict({"id": fields.Integer()})),
        [LEAF, None],
    ),
    "Integer as a string": (lambda: fields.Integer(as_string=True), [1, None]),
    "Integer with a dump_default": (lambda: fields.Integer(dump_default=7), [1, None]),
    "String with a dump_default": (lambda: fields.String(dump_default="-"), ["a"]),
    "a dotted attribute": (lambda: fields.String(attribute="value.name"), [LEAF]),
}


@pytest.mark.parametrize(
    ("make_field", "values"), UNCLAIMED_FIELDS.values(), ids=UNCLAIMED_FIELDS
)
def test_a_field_it_does_not_claim_leaves_the_schema_to_marshmallow(make_field, values):
    class Unclaimed(Schema):
        id = fields.Integer()
        name = fields.String()
        value = make_field()

        def shown(self, obj):
            return f"{obj.id}!"

    class Around(Schema):
        id = fields.Integer()
        inner = fields.Nested(Unclaimed)
        all = fields.List(fields.Nested(Unclaimed))

    assert module._dumper(Unclaimed()) is None
    assert module._dumper(Around()) is None, "nor any schema around it"
    for value in values:
        obj = types.SimpleNamespace(id=1, name="n", value=value)
        assert_dumps_as_marshmallow(Unclaimed, obj)
        around = types.SimpleNamespace(id=2, inner=obj, all=[obj, None])
        assert_dumps_as_marshmallow(Around, around)


class Subclassed(fields.String):
    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"<{value}>"


class Rounded(fields.Integer):
    def _format_num(self, value):
        return round(value)


class OwnReading(fields.Integer):
    def get_value(self, obj, attr, accessor=None, default=marshmallow.missing):
        return 42


class Hooked(Leaf):
    @pre_dump
    def wrap(self, obj, **kwargs):
        return obj


class Finished(Leaf):
    @post_dump
    def finish(self, data, **kwargs):
        return {**data, "done": True}


class Reading(Leaf):
    def get_attribute(self, obj, attr, default):
        return "read"


class Dumping(Leaf):
    def dump(self, obj, *, many=None):
        return {"dumped": "its own way"}


@pytest.mark.parametrize(
    "make",
    [
        lambda: one_field(Subclassed()),
        lambda: one_field(Rounded()),
        lambda: one_field(OwnReading()),
        lambda: Hooked,
        lambda: Finished,
        lambda: Reading,
        lambda: Dumping,
        lambda: one_field(fields.Nested(Hooked)),
        lambda: one_field(fields.List(fields.Nested(Finished))),
    ],
)
def test_a_schema_that_dumps_its_own_way_is_left_to_marshmallow(make):
    schema = make()
    assert module._dumper(schema()) is None
    obj = types.SimpleNamespace(id=1, name="n", value=2.7)
    assert_dumps_as_marshmallow(schema, obj)


def test_the_pages_the_api_answers_are_compiled():
    # The figure in schema.py's docstring is GET /api/users's: it holds
    # while the API's pages are schemas the compiler claims.
    for page in (UserPage, TagPage):
        assert module._dumper(page()) is not None, page.__name__
    tags = [types.SimpleNamespace(id=n, name=f"tag \u540d{n}") for n in range(3)]
    users = [
        types.SimpleNamespace(id=1, name="Ada", tags=tags),
        types.SimpleNamespace(id=2, name="\u00c9mile", tags=[]),
    ]
    page = {"items": users, "page": 1, "per_page": 20, "total": 2}
    assert_dumps_as_marshmallow(UserPage, page)
    assert_dumps_as_marshmallow(UserSchema, users[0])
