"""Which type changes break the previous code's replicas (rollingdeploy.py).

The template's tests/test_rolling_deploy_warnings.py runs `db migrate` on
every engine for each kind of step; here, without a database, the types
an engine reflects that those runs do not reach: a wider or narrower type
of the same kind says nothing or "narrowing", another kind "changing".
"""

import pytest
from alembic.operations import ops
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.types import NullType

from edmunds.database.migrations import rollingdeploy


class Lower(TypeDecorator):
    """A project's own type: compared as the type it stores."""

    impl = String
    cache_ok = True


def retyped(old, new, dialect=None):
    """What rollingdeploy finds in a revision that changes t.c from ``old``
    to ``new``: "narrowing", "changing", or None."""
    step = ops.AlterColumnOp("t", "c", existing_type=old, modify_type=new)
    upgrade = ops.UpgradeOps([ops.ModifyTableOps("t", [step])])
    found = rollingdeploy.find(upgrade, dialect or sqlite.dialect())
    if not found:
        return None
    (breaking,) = found.values()
    assert breaking.sentence().endswith(rollingdeploy.GUIDE)
    return breaking.what.split(" ", 1)[0]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (String(50), String(80)),
        (String(50), Text()),
        (SmallInteger(), Integer()),
        (Integer(), BigInteger()),
        (mysql.TINYINT(), mysql.INTEGER(display_width=11)),
        (mysql.INTEGER(display_width=11), Integer()),  # the width is display only
        (Numeric(10, 2), Numeric(12, 2)),
        (Numeric(10, 2), Numeric(11, 3)),
        (Numeric(10, 2), postgresql.NUMERIC()),  # unbounded
        (postgresql.REAL(), postgresql.DOUBLE_PRECISION(precision=53)),
        (Enum("a", "b", name="e"), Enum("a", "b", "c", name="e")),
        (LargeBinary(10), LargeBinary()),
        (Lower(20), String(40)),
        (JSON(), postgresql.JSONB()),
        (NullType(), Integer()),  # a type the database could not tell
    ],
)
def test_a_type_that_takes_every_old_value_says_nothing(old, new):
    assert retyped(old, new) is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (String(80), String(50)),
        (Text(), String(255)),
        (BigInteger(), Integer()),
        (mysql.INTEGER(display_width=11), mysql.SMALLINT()),
        (Numeric(10, 2), Numeric(10, 4)),  # fewer digits before the point
        (Numeric(10, 4), Numeric(12, 2)),  # fewer after it
        (postgresql.NUMERIC(), Numeric(20, 2)),
        (postgresql.DOUBLE_PRECISION(precision=53), postgresql.REAL()),
        (Float(53), Float(24)),
        (Enum("a", "b", "c", name="e"), Enum("a", "b", name="e")),
        (LargeBinary(20), LargeBinary(10)),
        (Lower(40), String(20)),
    ],
)
def test_a_narrower_type_of_the_same_kind_is_narrowing(old, new):
    assert retyped(old, new) == "narrowing"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (String(20), Integer()),
        (Integer(), String(20)),
        (Integer(), Boolean()),
        (Integer(), Numeric(10, 2)),
        (Numeric(10, 2), Float()),
        (String(20), Enum("a", name="e")),
        (Enum("a", name="e"), String(20)),
        (Date(), DateTime()),
        # Aware and naive datetimes do not compare with each other.
        (DateTime(), DateTime(timezone=True)),
        (postgresql.TIMESTAMP(timezone=True), DateTime()),
        (JSON(), Text()),
    ],
)
def test_a_type_of_another_kind_is_changing(old, new):
    assert retyped(old, new) == "changing"


def test_the_types_are_named_as_the_engine_writes_them():
    step = ops.AlterColumnOp(
        "t", "c", existing_type=mysql.BIGINT(), modify_type=Integer()
    )
    upgrade = ops.UpgradeOps([ops.ModifyTableOps("t", [step], schema="s")])
    (breaking,) = rollingdeploy.find(upgrade, mysql.dialect()).values()
    assert breaking.what == "narrowing column s.t.c from BIGINT to INTEGER"
