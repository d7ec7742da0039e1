"""What `db migrate` changes in the revision Alembic autogenerates.

- tables are created, and dropped, in the order of their foreign keys
  (Alembic lists them in set order, which PostgreSQL and MySQL refuse when a
  table comes before the one it points at); a foreign key with
  ``use_alter=True``, or one closing a cycle, is added after every table
  exists and dropped before any of them;
- a foreign key is dropped before the indexes of its table, and a dropped
  table takes its indexes with it, in either direction (MySQL refuses to
  drop an index that a foreign key still needs);
- a dropped table or column gets a warning, as a comment in the revision and
  on the console: its data is gone at `db upgrade`; so does a step that
  breaks the replicas still running the previous code during a rolling
  deploy (rollingdeploy.py), one comment per step saying both;
- a column of the project's own type imports the type's module.
"""

import textwrap

import click
from alembic.autogenerate import renderers
from alembic.operations import ops
from sqlalchemy import ForeignKeyConstraint

from edmunds.database.migrations import rollingdeploy

RENAME_HINT = (
    "to keep it, edit the revision before `db upgrade`: a rename is "
    "alter_column(..., new_column_name=...), a move to another instance "
    "copies the rows first"
)


class StepWarning(ops.MigrateOperation):
    """A comment in the revision, just above the step it warns of: the data
    the step drops (``dropped``: "column t.c"), and the replicas of the
    previous code it breaks (``breaking``, a rollingdeploy.Breaking)."""

    def __init__(self, dropped=None, breaking=None):
        self.dropped, self.breaking = dropped, breaking


@renderers.dispatch_for(StepWarning)
def _render_step_warning(autogen_context, warning):
    lines = []
    if warning.dropped:
        lines += [
            f"# WARNING: this drops {warning.dropped} and its data. To keep them, a",
            "# rename is alter_column(..., new_column_name=...); a move to another",
            "# instance copies the rows first.",
        ]
    if warning.breaking:
        breaking = warning.breaking
        # What the step does is said once: after a drop, only what it breaks.
        text = (
            f"It also {rollingdeploy.BREAKS}: {breaking.why}; {rollingdeploy.GUIDE}."
            if warning.dropped
            else f"WARNING: {breaking.sentence()}."
        )
        lines += [
            f"# {line}"
            for line in textwrap.wrap(
                text, width=70, break_long_words=False, break_on_hyphens=False
            )
        ]
    return lines


def render_item(type_, obj, autogen_context):
    """Import the module of a type the project defines (a TypeDecorator)."""
    if type_ == "type":
        module = type(obj).__module__
        if module.split(".")[0] not in ("sqlalchemy", "builtins"):
            autogen_context.imports.add(f"import {module}")
    return False


def rewrite(script):
    """Rewrite the part of ``script`` Alembic just made for one instance."""
    upgrade_ops = script.upgrade_ops_list[-1]
    downgrade_ops = script.downgrade_ops_list[-1]
    if upgrade_ops.is_empty():
        return
    counterparts = _counterparts(upgrade_ops, downgrade_ops)
    kept_out = _order(upgrade_ops)
    # The downgrade is still the upgrade reversed, as Alembic made it; its
    # ops are reused, not made again (that costs as much as autogenerate).
    downgrade_ops.ops[:] = [
        _reverse(op, counterparts) for op in reversed(upgrade_ops.ops)
    ]
    for drop_op, fk in kept_out:
        recreate = counterparts.get(id(drop_op))
        if recreate is None:  # reversed anew, from the op already changed
            continue
        recreate.columns = [
            item
            for item in recreate.columns
            if not (
                isinstance(item, ForeignKeyConstraint)
                and _signature(item) == _signature(fk)
            )
        ]
    # After the downgrade is made: it creates those indexes again.
    _keep_indexes_of_dropped_tables(upgrade_ops)
    _keep_indexes_of_dropped_tables(downgrade_ops)


def warn(script, instance, dialect):
    """Warn of what the part of ``script`` for one instance drops and of the
    steps that break the previous code's replicas: a comment above each
    step, and on the console the drops in one line, then a line per
    breaking step. Last of all, once renames.py and notnullcolumns.py have
    written their steps."""
    upgrade_ops = script.upgrade_ops_list[-1]
    dropped, breaking = _mark_warnings(
        upgrade_ops, rollingdeploy.find(upgrade_ops, dialect)
    )
    if dropped:
        click.echo(
            f"WARNING: on database instance {instance!r} the new revision drops "
            f"{', '.join(dropped)} and the data in them: {RENAME_HINT}.",
            err=True,
        )
    for step in breaking:
        click.echo(
            f"WARNING: on database instance {instance!r}, {step.sentence()}",
            err=True,
        )


def _counterparts(upgrade_ops, downgrade_ops):
    """Each upgrade op's reverse in Alembic's downgrade, by the op's id."""
    found = {}
    backwards = list(reversed(downgrade_ops.ops))
    if len(backwards) != len(upgrade_ops.ops):
        return found  # not Alembic's own reverse: every op is reversed anew
    for op, back in zip(upgrade_ops.ops, backwards, strict=True):
        found[id(op)] = back
        if isinstance(op, ops.ModifyTableOps) and len(op.ops) == len(back.ops):
            for step, back_step in zip(op.ops, reversed(back.ops), strict=True):
                found[id(step)] = back_step
    return found


def _reverse(op, counterparts):
    back = counterparts.get(id(op))
    if back is None:
        return op.reverse()
    if isinstance(op, ops.ModifyTableOps):
        back.ops[:] = [_reverse(step, counterparts) for step in reversed(op.ops)]
    return back


def _signature(constraint):
    return tuple(constraint.column_keys), _referred_key(constraint)


def _table_key(schema, name):
    return f"{schema}.{name}" if schema else name


def _foreign_keys(create_op):
    # By name: a table's constraints are a set, in hash-seed order.
    return sorted(
        (item for item in create_op.columns if isinstance(item, ForeignKeyConstraint)),
        key=lambda fk: (str(fk.name), _signature(fk)),
    )


def _referred_key(constraint):
    schema, table, _ = constraint.elements[0]._column_tokens
    return _table_key(schema, table)


def _sorted(create_ops):
    """Tables before those pointing at them; the foreign keys left over.

    Left over are the keys with ``use_alter`` and, where tables point at
    each other in a cycle, the keys of that cycle that point forward: each
    added once every table exists. A key to a table outside the cycle stays
    in its create_table (on SQLite, every key added later rebuilds a table).
    """
    by_key = {_table_key(op.schema, op.table_name): op for op in create_ops}
    needs = {
        key: {
            _referred_key(fk)
            for fk in _foreign_keys(op)
            if not fk.use_alter and _referred_key(fk) in by_key
        }
        - {key}
        for key, op in by_key.items()
    }
    done, order = set(), []
    while len(order) < len(by_key):
        ready = sorted(key for key in by_key if key not in done and needs[key] <= done)
        if not ready:
            ready = [_cycle_breaker(needs, done)]
        for key in ready:
            done.add(key)
            order.append(key)
    position = {key: index for index, key in enumerate(order)}
    late = [
        (by_key[key], fk)
        for key in order
        for fk in _foreign_keys(by_key[key])
        if fk.use_alter
        or (
            _referred_key(fk) in position
            and _referred_key(fk) != key
            and position[_referred_key(fk)] > position[key]
        )
    ]
    return [by_key[key] for key in order], late


def _cycle_breaker(needs, done):
    """The table to create first where every table left waits on a cycle.

    It comes from a cycle that waits on nothing else (one always does: the
    cycles left form a graph without cycles between them), so that only
    keys of that cycle are added later; within it, the table that waits on
    the fewest, then the first by name. Nothing depends on set order.
    """
    left = {key: needs[key] - done for key in needs if key not in done}
    for members in sorted(_cycles(left), key=min):
        if all(left[key] <= members for key in members):
            return min(members, key=lambda key: (len(left[key]), key))
    raise AssertionError("no cycle to break")  # the graph would have a sink


def _cycles(graph):
    """The strongly connected components of ``graph`` with more than one
    table (Tarjan's algorithm, visiting tables and edges by name)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(key):
        index[key] = low[key] = len(index)
        stack.append(key)
        on_stack.add(key)
        for other in sorted(graph[key]):
            if other not in index:
                visit(other)
                low[key] = min(low[key], low[other])
            elif other in on_stack:
                low[key] = min(low[key], index[other])
        if low[key] == index[key]:
            members = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.add(member)
                if member == key:
                    break
            if len(members) > 1:
                found.append(members)

    for key in sorted(graph):
        if key not in index:
            visit(key)
    return found


def _order(upgrade_ops):
    """Put creates, drops and foreign keys in an order every engine takes.

    Returns the dropped tables' foreign keys now dropped on their own first.
    """
    before = list(upgrade_ops.ops)
    tables = [
        op for op in before if isinstance(op, (ops.CreateTableOp, ops.DropTableOp))
    ]
    drop_keys = []
    if tables:
        # Ops of whole tables run between the creates and the drops; others
        # (enum types, say) keep their place before or after every table.
        first, last = before.index(tables[0]), before.index(tables[-1])
        is_table = {id(op) for op in tables}
        leading = [
            op for op in before[:first] if not isinstance(op, ops.ModifyTableOps)
        ]
        trailing = [
            op for op in before[last + 1 :] if not isinstance(op, ops.ModifyTableOps)
        ]
        placed = is_table | {id(op) for op in (*leading, *trailing)}
        middle = [op for op in before if id(op) not in placed]
        creates, add_keys = _sorted(
            [op for op in tables if isinstance(op, ops.CreateTableOp)]
        )
        # A dropped table's CreateTableOp is what the downgrade creates again.
        drop_ops = {
            id(op._reverse): op for op in tables if isinstance(op, ops.DropTableOp)
        }
        recreated, drop_keys = _sorted([op._reverse for op in drop_ops.values()])
        for create_op, fk in (*add_keys, *drop_keys):
            create_op.columns = [item for item in create_op.columns if item is not fk]
        upgrade_ops.ops[:] = [
            *leading,
            *creates,
            *(
                _on_table(op, ops.CreateForeignKeyOp.from_constraint(fk))
                for op, fk in add_keys
            ),
            *middle,
            *(
                _on_table(op, ops.DropConstraintOp.from_constraint(fk))
                for op, fk in drop_keys
            ),
            *(drop_ops[id(op)] for op in reversed(recreated)),
            *trailing,
        ]
        drop_keys = [(drop_ops[id(op)], fk) for op, fk in drop_keys]
    for op in upgrade_ops.ops:
        if isinstance(op, ops.ModifyTableOps):
            op.ops[:] = _in_name_order(op.ops)
            op.ops.sort(key=lambda step: not _drops_foreign_key(step))
    return drop_keys


def _in_name_order(steps):
    """``steps`` with each run of steps of one kind ordered by name.

    Alembic finds dropped columns and added or dropped foreign keys as set
    differences, listed in an order that changes with the hash seed; the
    kinds themselves come in an order that matters (columns before the
    indexes on them), so only each run is sorted.
    """
    ordered, run = [], []
    for step in steps:
        if run and _kind(step) != _kind(run[-1]):
            ordered += sorted(run, key=_step_name)
            run = []
        run.append(step)
    return ordered + sorted(run, key=_step_name)


def _kind(step):
    return type(step), getattr(step, "constraint_type", None)


def _step_name(step):
    for attribute in ("column_name", "constraint_name", "index_name"):
        name = getattr(step, attribute, None)
        if name is not None:
            return str(name)
    return ""


def _keep_indexes_of_dropped_tables(container):
    """Leave a table's indexes to its drop_table: MySQL refuses to drop first
    an index that one of the table's foreign keys needs."""
    dropped = {
        _table_key(op.schema, op.table_name)
        for op in container.ops
        if isinstance(op, ops.DropTableOp)
    }
    kept = []
    for op in container.ops:
        if isinstance(op, ops.ModifyTableOps) and (
            _table_key(op.schema, op.table_name) in dropped
        ):
            op.ops[:] = [
                step for step in op.ops if not isinstance(step, ops.DropIndexOp)
            ]
            if not op.ops:
                continue
        kept.append(op)
    container.ops[:] = kept


def _on_table(create_op, step):
    return ops.ModifyTableOps(create_op.table_name, [step], schema=create_op.schema)


def _drops_foreign_key(step):
    return (
        isinstance(step, ops.DropConstraintOp) and step.constraint_type == "foreignkey"
    )


def _mark_warnings(upgrade_ops, breaking):
    """Put a StepWarning above each step that drops data or is in
    ``breaking`` (by the step's id); the drops and the breaking steps, in
    the revision's order."""
    dropped, in_order = [], []

    def marked(op, what):
        found = breaking.get(id(op))
        if found:
            in_order.append(found)
        if what:
            dropped.append(what)
        return [StepWarning(what, found), op] if what or found else [op]

    placed = []
    for op in upgrade_ops.ops:
        what = None
        if isinstance(op, ops.DropTableOp):
            what = f"table {_table_key(op.schema, op.table_name)}"
        elif isinstance(op, ops.ModifyTableOps):
            steps = []
            for step in op.ops:
                column = (
                    f"column {op.table_name}.{step.column_name}"
                    if isinstance(step, ops.DropColumnOp)
                    else None
                )
                steps += marked(step, column)
            op.ops[:] = steps
        placed += marked(op, what)
    upgrade_ops.ops[:] = placed
    return dropped, in_order
