"""The fields of ``make model NAME FIELD...``, each ``NAME:TYPE[:ARG][?]``.

``title:string:120`` is a column of at most 120 characters, NOT NULL;
``body:text?`` may be NULL. ``user:references`` is a key ``user_id`` to the
listed model whose snake-case name is ``user`` (User), indexed, and a
relationship ``user`` to it. Each type says the column it makes and the
value its factory gets from Faker.
"""

import dataclasses
import keyword
import re

import click

from edmunds.console.generators.calllayout import Call
from edmunds.database.db import db

SYNTAX = "NAME:TYPE[:ARG][?]"
_FIELD = re.compile(r"([^:?]+):([^:?]+)(?::([^:?]+))?(\?)?")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
# The longest column name PostgreSQL keeps (MySQL keeps 64).
MAX_COLUMN = 63
# MySQL has no VARCHAR without a length, and none past 65,535 bytes, four
# a character in utf8mb4.
DEFAULT_LENGTH = 255
MAX_LENGTH = 16383
# MySQL's DECIMAL without them keeps no fractions at all (10,0): the default
# is written out, the same on every engine. Its limits are MySQL's too.
DEFAULT_NUMERIC = (10, 2)
MAX_PRECISION = 65
MAX_SCALE = 30
# Names a field must not hide in the model's class body: db.Model's own,
# and the model file's imports, which the lines below would then read as
# the column.
TAKEN = {
    **{name: "db.Model's" for name in dir(db.Model) if not name.startswith("_")},
    "db": "the model file's import",
    "relationship": "the model file's import",
}


@dataclasses.dataclass(frozen=True)
class Field:
    spec: str  # as typed, for messages
    name: str
    type: str
    nullable: bool
    column_type: str  # source text, e.g. db.String(120)
    fake: Call = None
    # A reference's model and the key it points at ("users.id").
    model: str = None
    key: str = None

    @property
    def column_name(self):
        return f"{self.name}_id" if self.type == "references" else self.name

    def column(self):
        arguments = [self.column_type]
        if self.key:
            arguments.append(Call("db.ForeignKey", (f'"{self.key}"',)))
        if not self.nullable:
            arguments.append("nullable=False")
        if self.key:
            # Rows are found by what they point at (a user's posts, a join);
            # MySQL makes this index for the foreign key anyway, the others
            # would not.
            arguments.append("index=True")
        return Call("db.Column", tuple(arguments))

    def relationship(self):
        return Call("relationship", (f'"{self.model}"',))

    def referencing(self, model, key, key_type):
        """The reference, once its model and key are known."""
        return dataclasses.replace(self, model=model, key=key, column_type=key_type)


def parse_fields(specs):
    """The fields ``specs`` name; one line refusing the first bad one."""
    fields = [_field(spec) for spec in specs]
    seen = {}
    for field in fields:
        for name in dict.fromkeys((field.name, field.column_name)):
            if name in seen:
                raise click.ClickException(
                    f"fields {seen[name]!r} and {field.spec!r} both make {name!r}: "
                    "give each its own name"
                )
            seen[name] = field.spec
    return fields


def _field(spec):
    match = _FIELD.fullmatch(spec)
    if match is None:
        raise click.ClickException(
            f"field {spec!r} is not {SYNTAX} (e.g. title:string:120, body:text?)"
        )
    name, kind, argument, nullable = match.groups()
    _field_name(name, kind)
    meaning = TYPES.get(kind)
    if meaning is None:
        raise click.ClickException(
            f"field {spec!r} has an unknown type {kind!r}: the types are "
            + ", ".join(TYPES)
        )
    if callable(meaning):
        column_type, fake = meaning(spec, argument)
    elif argument is not None:
        raise click.ClickException(f"field {spec!r}: {kind} takes no argument")
    else:
        column_type, fake = meaning
    return Field(spec, name, kind, nullable is not None, column_type, fake)


def _field_name(name, kind):
    if not _NAME.fullmatch(name):
        raise click.ClickException(
            f"field name {name!r} must be lower case: ASCII letters, digits and "
            "underscores, starting with a letter"
        )
    if keyword.iskeyword(name):
        raise click.ClickException(
            f"field name {name!r} is a Python keyword: pick another"
        )
    if name == "id":
        raise click.ClickException(
            "field name 'id' is the primary key every model gets: pick another"
        )
    if name in TAKEN:
        raise click.ClickException(
            f"field name {name!r} would hide {TAKEN[name]} {name!r}: pick another"
        )
    # A reference's column adds "_id".
    longest = MAX_COLUMN - 3 if kind == "references" else MAX_COLUMN
    if len(name) > longest:
        raise click.ClickException(
            f"field name {name[:20]!r}... has {len(name)} characters: at most "
            f"{longest} for a {kind} field"
        )


def _faker(provider, *arguments):
    return Call("factory.Faker", (f'"{provider}"', *arguments))


def _string(spec, argument):
    length = DEFAULT_LENGTH if argument is None else _number(argument)
    if not 1 <= length <= MAX_LENGTH:
        raise click.ClickException(
            f"field {spec!r}: string takes a length from 1 to {MAX_LENGTH} "
            f"(default {DEFAULT_LENGTH}); use text for longer"
        )
    # Faker's text makes sentences of at least 5 characters.
    if length < 5:
        return f"db.String({length})", _faker("pystr", f"max_chars={length}")
    return f"db.String({length})", _faker("text", f"max_nb_chars={length}")


def _numeric(spec, argument):
    precision, scale = DEFAULT_NUMERIC
    if argument is not None:
        precision, _, scale = argument.partition(",")
        precision, scale = _number(precision), _number(scale)
    if not (
        1 <= precision <= MAX_PRECISION and 0 <= scale <= min(precision, MAX_SCALE)
    ):
        raise click.ClickException(
            f"field {spec!r}: numeric takes PRECISION,SCALE (default "
            f"{DEFAULT_NUMERIC[0]},{DEFAULT_NUMERIC[1]}): a precision from 1 to "
            f"{MAX_PRECISION}, a scale from 0 to {MAX_SCALE} and at most the precision"
        )
    return f"db.Numeric({precision}, {scale})", _faker(
        "pydecimal", f"left_digits={precision - scale}", f"right_digits={scale}"
    )


def _number(text):
    # ASCII digits alone (int() takes "1_0", "+1" and other scripts' digits);
    # -1 is out of every range.
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else -1


# Each type's column and the value its factory gets, or the function that
# makes them from the type's argument.
TYPES = {
    "string": _string,
    "text": ("db.Text", _faker("paragraph")),
    "integer": ("db.Integer", _faker("pyint")),
    "boolean": ("db.Boolean", _faker("pybool")),
    "float": ("db.Float", _faker("pyfloat")),
    "numeric": _numeric,
    "date": ("db.Date", _faker("date_object")),
    "datetime": ("db.DateTime", _faker("date_time")),
    # JSON's own types: Faker's dict may hold Decimals and dates otherwise.
    "json": ("db.JSON", _faker("pydict", "value_types=[str, int]")),
    # Its column's type is the key's it points at: make model finds it.
    "references": (None, None),
}
