"""The steps of a revision that break the replicas still running the
previous code during a rolling deploy.

A rolling deploy runs `db upgrade` once, before the first replica is
replaced; until the last one is, replicas of the previous release serve on
the new schema. Their models, queries and INSERTs were written for the old
one. A step breaks them when it takes away what they read or write (a table
or column dropped or renamed: the ORM selects every column a model maps, so
one missing column fails every query of its model), when it refuses what
they write (a NOT NULL column they leave out, a column made NOT NULL or
unique, a type narrowed), or when it hands them values of another kind (a
type of another class). What they never touch (a new table, a nullable
column or one with a server default, an index, a wider type) is safe.

revisionrewriter.py turns what is found here into the revision's comments
and the console's warnings; docs/migrations.md, in the project, shows how
to do each breaking change in steps the old code survives.
"""

from alembic.operations import ops
from sqlalchemy import Column, DateTime, Enum, Float, Numeric, TypeDecorator
from sqlalchemy.types import NullType

BREAKS = "breaks replicas still running the previous code during a rolling deploy"
GUIDE = "expand/contract: see docs/migrations.md"

# Integer types by size; MySQL's own included, as its database reflects them.
INTEGER_SIZES = {
    "tinyint": 1,
    "smallint": 2,
    "small_integer": 2,
    "mediumint": 3,
    "integer": 4,
    "int": 4,
    "bigint": 8,
    "big_integer": 8,
}
# Bits of a float type that states no precision (a reflected REAL, DOUBLE).
FLOAT_BITS = {"real": 24, "double": 53, "double_precision": 53}


class Breaking:
    """Why one step breaks the previous code: what it does, and what fails."""

    def __init__(self, what, why):
        self.what, self.why = what, why

    def sentence(self):
        return f"{self.what} {BREAKS}: {self.why}; {GUIDE}"


def find(upgrade_ops, dialect):
    """Each breaking step of ``upgrade_ops`` (one database's part of a
    revision) by the step's id: a top-level op or a step of a table's
    batch."""
    facts = _Facts(upgrade_ops)
    found = {}
    for op in upgrade_ops.ops:
        if isinstance(op, ops.ModifyTableOps):
            table = _table_key(op.schema, op.table_name)
            if table in facts.new_tables:
                continue  # no replica of the previous code knows it
            for step in op.ops:
                breaking = _step(step, table, facts, dialect)
                if breaking:
                    found[id(step)] = breaking
        else:
            breaking = _top_level(op)
            if breaking:
                found[id(op)] = breaking
    return found


class _Facts:
    """What the whole revision does, which decides whether a step is new to
    the old code: tables it makes, columns it adds, columns it renames and
    unique constraints it drops (to make again, say on a renamed column)."""

    def __init__(self, upgrade_ops):
        self.new_tables = set()
        self.added, self.renamed, self.were_unique = {}, {}, {}
        modify = []
        for op in upgrade_ops.ops:
            if isinstance(op, ops.CreateTableOp):
                self.new_tables.add(_table_key(op.schema, op.table_name))
            elif isinstance(op, ops.RenameTableOp):
                # Its indexes and unique constraints are made again under the
                # new name: nothing new, and the rename itself is warned of.
                self.new_tables.add(_table_key(op.schema, op.new_table_name))
            elif isinstance(op, ops.ModifyTableOps):
                modify.append(op)
        for op in modify:
            table = _table_key(op.schema, op.table_name)
            for step in op.ops:
                if isinstance(step, ops.AddColumnOp):
                    self.added.setdefault(table, set()).add(step.column.name)
                elif isinstance(step, ops.AlterColumnOp) and step.modify_name:
                    self.renamed.setdefault(table, {})[step.column_name] = (
                        step.modify_name
                    )
        for op in modify:
            table = _table_key(op.schema, op.table_name)
            renamed = self.renamed.get(table, {})
            for step in op.ops:
                columns = _dropped_unique_columns(step)
                if columns:
                    self.were_unique.setdefault(table, set()).add(
                        frozenset(renamed.get(name, name) for name in columns)
                    )


def _dropped_unique_columns(step):
    """The columns of the unique constraint or index ``step`` drops, when
    Alembic kept what it drops."""
    back = getattr(step, "_reverse", None)
    if isinstance(step, ops.DropConstraintOp) and step.constraint_type == "unique":
        return getattr(back, "columns", None)
    if isinstance(step, ops.DropIndexOp) and getattr(back, "unique", False):
        return _names(back.columns)
    return None


def _names(columns):
    """Column names; an expression (an index on lower(name)) as its SQL."""
    return [
        column.name if isinstance(column, Column) else str(column) for column in columns
    ]


def _table_key(schema, name):
    return f"{schema}.{name}" if schema else name


def _top_level(op):
    if isinstance(op, ops.DropTableOp):
        table = _table_key(op.schema, op.table_name)
        return Breaking(
            f"dropping table {table}",
            f"their queries of {table} fail once it is gone",
        )
    if isinstance(op, ops.RenameTableOp):
        old = _table_key(op.schema, op.table_name)
        return Breaking(
            f"renaming table {old} to {_table_key(op.schema, op.new_table_name)}",
            f"they still query {old}, which is gone once renamed",
        )
    # A PostgreSQL enum type's values changed (alembic-postgresql-enum's
    # sync_enum_values, known by what it holds: the package is there only
    # on PostgreSQL). A value taken away is one they may still write.
    old_values = getattr(op, "old_values", None)
    new_values = getattr(op, "new_values", None)
    if old_values is not None and new_values is not None:
        gone = [value for value in old_values if value not in new_values]
        if gone:
            name = _table_key(getattr(op, "schema", None), op.name)
            values = ", ".join(map(repr, gone))
            return Breaking(
                f"removing {values} from enum type {name}",
                f"they may still write {values}, which the type then refuses",
            )
    return None


def _step(step, table, facts, dialect):
    if isinstance(step, ops.DropColumnOp):
        column = f"{table}.{step.column_name}"
        return Breaking(f"dropping column {column}", _selected(column))
    if isinstance(step, ops.AddColumnOp):
        return _added_column(step, table)
    if isinstance(step, ops.AlterColumnOp):
        return _altered_column(step, table, facts, dialect)
    if isinstance(step, ops.CreateUniqueConstraintOp):
        return _unique(step.constraint_name, "constraint", step.columns, table, facts)
    if isinstance(step, ops.CreateIndexOp) and step.unique:
        return _unique(step.index_name, "index", _names(step.columns), table, facts)
    return None


def _selected(column):
    return f"a model that still maps {column} selects it in every query of its table"


def _left_out(column):
    return f"their INSERTs leave {column} out, which the database then refuses"


def _added_column(step, table):
    column = step.column
    if (
        column.nullable
        or column.primary_key
        or column.server_default is not None
        or column.computed is not None
        or column.identity is not None
    ):
        return None
    name = f"{table}.{column.name}"
    return Breaking(
        f"adding column {name} NOT NULL without a server default", _left_out(name)
    )


def _altered_column(step, table, facts, dialect):
    """A column renamed (renames.py), retyped or made NOT NULL: one warning
    for the step, naming each change that breaks."""
    column = f"{table}.{step.column_name}"
    if step.modify_name:
        # A rename may also widen the type: the rename is what breaks.
        return Breaking(
            f"renaming column {column} to {table}.{step.modify_name}",
            _selected(column),
        )
    changes = []
    if step.modify_type is not None:
        change = _type_change(step.existing_type, step.modify_type)
        if change:
            old = _type_text(step.existing_type, dialect)
            new = _type_text(step.modify_type, dialect)
            if change == "narrower":
                changes.append(
                    (
                        f"narrowing column {column} from {old} to {new}",
                        f"narrowing it from {old} to {new}",
                        f"a value of theirs that fits {old} may not fit {new}",
                    )
                )
            else:
                changes.append(
                    (
                        f"changing column {column} from {old} to {new}",
                        f"changing it from {old} to {new}",
                        f"they read and write {column} as {old}, not {new}",
                    )
                )
    if step.modify_nullable is False and step.existing_nullable is not False:
        # notnullcolumns.py adds a column nullable, fills it, then does this.
        why = (
            _left_out(column)
            if step.column_name in facts.added.get(table, ())
            else f"a row of theirs that leaves {column} NULL is refused"
        )
        changes.append((f"making column {column} NOT NULL", "making it NOT NULL", why))
    if not changes:
        return None
    what = " and ".join([changes[0][0], *(with_it for _, with_it, _ in changes[1:])])
    return Breaking(what, "; ".join(why for _, _, why in changes))


def _unique(name, kind, columns, table, facts):
    """A unique constraint or index on columns the old code writes."""
    columns = list(columns)
    added = facts.added.get(table, set())
    if set(columns) <= added:
        # Columns the old code never writes hold NULL in its rows, and NULLs
        # are never equal to each other in a unique constraint (a new NOT
        # NULL column is warned of on its own).
        return None
    if frozenset(columns) in facts.were_unique.get(table, set()):
        return None  # made again (renamed column, new name): nothing new
    names = ", ".join(f"{table}.{column}" for column in columns)
    return Breaking(
        f"adding unique {kind} {name} on {names}",
        f"a value of theirs that {names} already holds is refused",
    )


def _plain(type_):
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def _kind(type_):
    """The class of values a type holds, as the previous code sees them."""
    if isinstance(type_, Enum):
        return Enum
    if isinstance(type_, DateTime):
        # Aware and naive datetimes do not compare, in Python or in SQL.
        return DateTime, bool(type_.timezone)
    return type_._type_affinity


def _type_change(old, new):
    """None when ``new`` takes every value of ``old`` as the same kind;
    "narrower" when it is of the same kind but may not take them all;
    "other" when it is of another kind."""
    if old is None or new is None:
        return None
    old, new = _plain(old), _plain(new)
    if isinstance(old, NullType) or isinstance(new, NullType):
        return None  # a type the database could not tell: nothing to compare
    if _kind(old) != _kind(new):
        return "other"
    return "narrower" if _narrower(old, new) else None


def _narrower(old, new):
    if isinstance(old, Enum):
        return not set(old.enums) <= set(new.enums)
    visit_old = old.__visit_name__.lower()
    visit_new = new.__visit_name__.lower()
    if visit_old in INTEGER_SIZES and visit_new in INTEGER_SIZES:
        return INTEGER_SIZES[visit_new] < INTEGER_SIZES[visit_old]
    if isinstance(old, Float):
        old_bits = old.precision or FLOAT_BITS.get(visit_old)
        new_bits = new.precision or FLOAT_BITS.get(visit_new)
        return old_bits is not None and new_bits is not None and new_bits < old_bits
    if isinstance(old, Numeric):
        return _fewer_digits(old, new)
    if hasattr(old, "length"):  # strings and binaries; None is unbounded
        return new.length is not None and (
            old.length is None or new.length < old.length
        )
    return False


def _fewer_digits(old, new):
    """A decimal with fewer digits after the point, or before it."""
    if new.precision is None:
        return False
    if old.precision is None:
        return True  # PostgreSQL's NUMERIC without a precision is unbounded
    old_scale, new_scale = old.scale or 0, new.scale or 0
    return (
        new_scale < old_scale or new.precision - new_scale < old.precision - old_scale
    )


def _type_text(type_, dialect):
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type that cannot render on this engine
        return repr(type_)
