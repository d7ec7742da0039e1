"""A NOT NULL column added to a table that holds rows.

Added as Alembic writes it, the column fails at `db upgrade` on PostgreSQL
and SQLite (the rows already there would hold NULL), and MySQL quietly gives
those rows 0 or an empty string. `db migrate` sees it coming when the
model's column is NOT NULL with no server_default and the table holds rows
in the database it compares against. It then asks, on a terminal
(questions.py), for a value for those rows, and writes the column added as
nullable, the rows given the value, and the column made NOT NULL: it ends as
the model has it, with no server default. Without an answer (--no-input, no
terminal, Enter or the end of input) it writes no revision and says, in one
line, how to go on.
"""

import ast
import datetime
import decimal

import click
from alembic.autogenerate import renderers
from alembic.operations import ops
from sqlalchemy import JSON, Column, Enum, TypeDecorator, func, select, table

from edmunds.database.migrations import questions


class FillRows(ops.MigrateOperation):
    """Gives every row of a table one value for one column."""

    def __init__(self, table_name, column_name, value, schema=None):
        self.table_name, self.column_name = table_name, column_name
        self.value, self.schema = value, schema


@renderers.dispatch_for(FillRows)
def _render_fill_rows(autogen_context, op):
    if isinstance(op.value, (datetime.date, datetime.time)):
        autogen_context.imports.add("import datetime")
    schema = f", schema={op.schema!r}" if op.schema else ""
    return [
        "# The rows the table held when this revision was written get the",
        "# value db migrate was given; the column is NOT NULL after it.",
        f"op.execute(sa.table({op.table_name!r}, sa.column({op.column_name!r})"
        f"{schema}).update().values({{{op.column_name!r}: {op.value!r}}}))",
    ]


def fill_existing_rows(script, migration_context):
    """Ask for the value of each NOT NULL column added to a table with rows,
    in the part of ``script`` Alembic just made for one database."""
    upgrade_ops = script.upgrade_ops_list[-1]
    placed = []
    for op in upgrade_ops.ops:
        placed.append(op)
        if not isinstance(op, ops.ModifyTableOps):
            continue
        filled = []
        for index, step in enumerate(op.ops):
            if not (isinstance(step, ops.AddColumnOp) and _needs_value(step.column)):
                continue
            rows = _rows(migration_context.connection, op.table_name, op.schema)
            if not rows:
                continue
            column = step.column
            value = _value_for(_name(op.schema, op.table_name), rows, column)
            op.ops[index] = ops.AddColumnOp(
                op.table_name,
                Column(column.name, column.type, nullable=True, comment=column.comment),
                schema=op.schema,
            )
            filled.append((column, value))
        # A batch of its own before the fill and after it: on SQLite a batch
        # that alters a column copies the table, and would copy it with the
        # column already NOT NULL and still empty.
        for column, value in filled:
            placed.append(FillRows(op.table_name, column.name, value, op.schema))
        if filled:
            placed.append(
                ops.ModifyTableOps(
                    op.table_name,
                    [
                        ops.AlterColumnOp(
                            op.table_name,
                            column.name,
                            schema=op.schema,
                            existing_type=column.type,
                            existing_nullable=True,
                            existing_comment=column.comment,
                            modify_nullable=False,
                        )
                        for column, _ in filled
                    ],
                    schema=op.schema,
                )
            )
    upgrade_ops.ops[:] = placed


def _needs_value(column):
    return not (
        column.nullable
        or column.primary_key
        or column.server_default is not None
        or column.computed is not None
        or column.identity is not None
    )


def _name(schema, table_name):
    return f"{schema}.{table_name}" if schema else table_name


def _rows(connection, table_name, schema):
    counted = select(func.count()).select_from(table(table_name, schema=schema))
    return connection.execute(counted).scalar()


def _value_for(table_name, rows, column):
    held = f"{rows} row" if rows == 1 else f"{rows} rows"
    question = (
        f"Table {table_name} has {held}; column {column.name} is NOT NULL "
        "without a default. A value for the existing rows (a Python literal), "
        "or Enter to stop:"
    )
    while True:
        answer = questions.ask(question)
        if not answer:
            raise click.ClickException(
                f"table {table_name} has {held} and its new column "
                f"{column.name} is NOT NULL without a default: no revision "
                "written; give the column a server_default in the model, or run "
                "`db migrate` on a terminal (without --no-input) and answer with "
                "a value for those rows"
            )
        try:
            return checked_value(answer, column.type)
        except ValueError as error:
            click.echo(f"{answer} is no value for {column.name}: {error}", err=True)


def checked_value(answer, type_):
    """The value ``answer`` (a Python literal) stands for in a column of
    ``type_``, or ValueError saying why it has none. A date, a time or a
    date and time is given as its ISO string ('2025-01-31')."""
    try:
        value = ast.literal_eval(answer)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError("not a Python literal (text goes in quotes: 'text')") from None
    if value is None:
        raise ValueError("the column is NOT NULL")
    plain = type_.impl_instance if isinstance(type_, TypeDecorator) else type_
    if isinstance(plain, JSON):
        return value
    if isinstance(plain, Enum):
        if value not in plain.enums:
            raise ValueError(f"not one of {', '.join(map(repr, plain.enums))}")
        return value
    try:
        expected = plain.python_type
    except NotImplementedError:
        return value  # a type that does not say: the database will
    if issubclass(expected, (datetime.date, datetime.time)) and isinstance(value, str):
        try:
            value = expected.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not an ISO {expected.__name__}") from None
    if expected in (float, decimal.Decimal) and type(value) in (int, float):
        return value
    if not isinstance(value, expected) or (
        isinstance(value, bool) and expected is not bool
    ):
        raise ValueError(
            f"{type(value).__name__}, where the column holds {expected.__name__}"
        )
    length = getattr(plain, "length", None)
    if isinstance(value, str) and length is not None and len(value) > length:
        raise ValueError(f"longer than the column's {length} characters")
    return value
