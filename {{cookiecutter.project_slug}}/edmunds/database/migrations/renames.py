"""Renames `db migrate` asks about, so that rows keep their values.

Alembic sees a renamed column as one dropped and one added, and a renamed
table as one dropped and one created: the values go at `db upgrade`. For
each pair that could be a rename, `db migrate` asks on a terminal (see
questions.py); on yes the revision renames, in the upgrade and back in the
downgrade, and no data-loss warning is written for it.

A dropped column and an added one of the same table could be a rename when
every value of the first fits the second:

- the types are one as Alembic compares them (what `db check` sees:
  ``String(50)`` and ``VARCHAR(50)`` are one, ``Integer`` and ``BigInteger``
  are not), or both are strings and the added one is at least as long (or
  unbounded, as ``Text``): the rename then widens the type;
- the added column takes NULL, or the dropped one never held it;
- neither is in the primary key, whose key, sequence or auto-increment a
  rename would not carry along.

A dropped table and a created one of the same schema could be a rename when
they have the same column names, each pair of one type and nullability. The
renamed table's indexes and unique constraints that the naming convention
named after the old table are dropped and made again under the new names
(Alembic has no rename for them), so that `db check` finds nothing. Its
primary key and foreign keys keep the names they had (Alembic compares
neither; on PostgreSQL so does the sequence of its id).
"""

from alembic.autogenerate import renderers
from alembic.operations import ops
from sqlalchemy import Enum, String, TypeDecorator, UniqueConstraint

from edmunds.database.migrations import questions


@renderers.dispatch_for(ops.RenameTableOp)
def _render_rename_table(autogen_context, op):
    # Alembic has the operation, but never autogenerates it: no renderer.
    schema = f", schema={op.schema!r}" if op.schema else ""
    return f"op.rename_table({op.table_name!r}, {op.new_table_name!r}{schema})"


def ask_about_renames(script, migration_context):
    """Ask about the renames in the part of ``script`` Alembic just made for
    one database, and write those answered yes."""
    upgrade_ops = script.upgrade_ops_list[-1]
    downgrade_ops = script.downgrade_ops_list[-1]
    if upgrade_ops.is_empty() or not questions.can_ask():
        return
    reverses = _alembic_reverses(upgrade_ops, downgrade_ops)
    if reverses is None:
        return  # not Alembic's own downgrade: leave the revision alone
    impl = migration_context.impl
    changed = _rename_tables(upgrade_ops, reverses, impl)
    placed = []
    for op in upgrade_ops.ops:
        batches = (
            _rename_columns(op, reverses, impl)
            if isinstance(op, ops.ModifyTableOps)
            else [op]
        )
        changed |= batches != [op]
        placed += batches
    if changed:
        upgrade_ops.ops[:] = placed
        downgrade_ops.ops[:] = [
            _reversed(op, reverses) for op in reversed(upgrade_ops.ops)
        ]


def _alembic_reverses(upgrade_ops, downgrade_ops):
    """Each op's reverse, by the op's id: Alembic's downgrade is the upgrade
    reversed, step for step."""
    found = {}
    if len(upgrade_ops.ops) != len(downgrade_ops.ops):
        return None
    for op, back in zip(upgrade_ops.ops, reversed(downgrade_ops.ops), strict=True):
        found[id(op)] = back
        if isinstance(op, ops.ModifyTableOps):
            if len(op.ops) != len(back.ops):
                return None
            for step, back_step in zip(op.ops, reversed(back.ops), strict=True):
                found[id(step)] = back_step
    return found


def _reversed(op, reverses):
    back = reverses.get(id(op))
    if back is None:
        back = op.reverse()
    if isinstance(op, ops.ModifyTableOps):
        back.ops[:] = [_reversed(step, reverses) for step in reversed(op.ops)]
    return back


def _name(schema, table):
    return f"{schema}.{table}" if schema else table


def _rename_columns(modify, reverses, impl):
    """``modify`` as it was, or in batches around the renames answered yes."""
    table = _name(modify.schema, modify.table_name)
    # By name: Alembic lists them in set order, and so would the questions.
    added = sorted(
        (step for step in modify.ops if isinstance(step, ops.AddColumnOp)),
        key=lambda step: step.column.name,
    )
    dropped = sorted(
        (step for step in modify.ops if isinstance(step, ops.DropColumnOp)),
        key=lambda step: step.column_name,
    )
    renames, gone = [], set()
    for drop in dropped:
        old = drop.to_column()
        for add in added:
            new = add.column
            widens = _column_fits(old, new, impl)
            if id(add) in gone or widens is None:
                continue
            if questions.confirm(
                f"Did you rename {table}.{old.name} to {table}.{new.name}?"
            ):
                rename, back = _column_renames(modify, old, new, widens)
                reverses[id(rename)] = back
                renames.append(rename)
                gone |= {id(add), id(drop)}
                break
    if not renames:
        return [modify]
    steps = [step for step in modify.ops if id(step) not in gone]
    # Each in a batch of its own: the old column's indexes and keys dropped
    # (by name), the renames, the new column's made (on its new name); the
    # downgrade, mirrored, the same. On SQLite a batch that renames a column
    # copies the table, and cannot index the new name in the same copy.
    first_create = next(
        (index for index, step in enumerate(steps) if _creates(step)), len(steps)
    )
    before = [
        step
        for index, step in enumerate(steps)
        if not _creates(step) and (index < first_create or _drops(step))
    ]
    after = [step for step in steps[first_create:] if step not in before]
    batches = []
    for batch in (before, renames, after):
        if batch:
            batches.append(
                ops.ModifyTableOps(modify.table_name, batch, schema=modify.schema)
            )
            reverses[id(batches[-1])] = ops.ModifyTableOps(
                modify.table_name, [], schema=modify.schema
            )
    return batches


def _creates(step):
    return isinstance(step, (ops.CreateIndexOp, ops.AddConstraintOp))


def _drops(step):
    return isinstance(step, (ops.DropIndexOp, ops.DropConstraintOp))


def _column_fits(old, new, impl):
    """None when ``new`` cannot be ``old`` renamed; else whether the rename
    widens the type."""
    if old.primary_key or new.primary_key or (old.nullable and not new.nullable):
        return None
    if not impl.compare_type(old, new):
        return False
    old_type, new_type = _plain(old.type), _plain(new.type)
    if _is_text(old_type) and _is_text(new_type):
        if new_type.length is None or (
            old_type.length is not None and new_type.length >= old_type.length
        ):
            return True
    return None


def _plain(type_):
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def _is_text(type_):
    return isinstance(type_, String) and not isinstance(type_, Enum)


def _column_renames(modify, old, new, widens):
    """The upgrade's rename and the downgrade's. MySQL renames with CHANGE
    COLUMN, which restates the whole column: type, nullability, default."""
    nullable_changes = old.nullable != new.nullable
    rename = ops.AlterColumnOp(
        modify.table_name,
        old.name,
        schema=modify.schema,
        modify_name=new.name,
        existing_type=old.type if widens else new.type,
        existing_nullable=old.nullable,
        existing_server_default=old.server_default,
        existing_comment=old.comment,
        modify_type=new.type if widens else None,
        modify_nullable=new.nullable if nullable_changes else None,
    )
    back = ops.AlterColumnOp(
        modify.table_name,
        new.name,
        schema=modify.schema,
        modify_name=old.name,
        existing_type=new.type,
        existing_nullable=new.nullable,
        existing_server_default=old.server_default,
        existing_comment=old.comment,
        modify_type=old.type if widens else None,
        modify_nullable=old.nullable if nullable_changes else None,
    )
    return rename, back


def _rename_tables(upgrade_ops, reverses, impl):
    # By name: Alembic lists them in set order, and so would the questions.
    drops = sorted(
        (op for op in upgrade_ops.ops if isinstance(op, ops.DropTableOp)),
        key=lambda op: (op.schema or "", op.table_name),
    )
    creates = sorted(
        (op for op in upgrade_ops.ops if isinstance(op, ops.CreateTableOp)),
        key=lambda op: (op.schema or "", op.table_name),
    )
    renames = []
    for drop in drops:
        old = drop.to_table()
        for create in creates:
            new = create.to_table()
            if create.schema != drop.schema or not _same_columns(old, new, impl):
                continue
            if questions.confirm(
                f"Did you rename table {_name(drop.schema, old.name)} to "
                f"{_name(create.schema, new.name)}?"
            ):
                creates.remove(create)
                renames.append((drop, create, old, new))
                break
    if not renames:
        return False
    gone = set()
    first = []
    for drop, create, old, new in renames:
        modify = {
            op.table_name: op
            for op in upgrade_ops.ops
            if isinstance(op, ops.ModifyTableOps)
            and op.schema == drop.schema
            and op.table_name in (old.name, new.name)
        }
        gone |= {id(drop), id(create), *(id(op) for op in modify.values())}
        rename = ops.RenameTableOp(old.name, new.name, schema=drop.schema)
        reverses[id(rename)] = ops.RenameTableOp(new.name, old.name, schema=drop.schema)
        first.append(rename)
        names = _names_to_change(
            modify.get(old.name), modify.get(new.name), old, new, reverses
        )
        if names.ops:
            reverses[id(names)] = ops.ModifyTableOps(new.name, [], schema=drop.schema)
            first.append(names)
    # First of all: a table this revision creates may point at the new name.
    upgrade_ops.ops[:] = first + [op for op in upgrade_ops.ops if id(op) not in gone]
    return True


def _same_columns(old, new, impl):
    if set(old.columns.keys()) != set(new.columns.keys()):
        return False
    return all(
        column.nullable == new.columns[name].nullable
        and not impl.compare_type(column, new.columns[name])
        for name, column in old.columns.items()
    )


def _names_to_change(old_modify, new_modify, old, new, reverses):
    """The renamed table's indexes and unique constraints whose names change.

    New ones first, then the old ones dropped: MySQL refuses to drop an
    index a foreign key needs until another one serves it.
    """
    dropped = [
        step
        for step in (old_modify.ops if old_modify else [])
        if isinstance(step, ops.DropIndexOp)
    ]
    created = [
        step
        for step in (new_modify.ops if new_modify else [])
        if isinstance(step, ops.CreateIndexOp)
    ]
    old_uniques, new_uniques = _uniques(old), _uniques(new)
    # A name the table keeps (MySQL lists a unique constraint as an index).
    kept = {step.index_name for step in dropped} & {
        *(step.index_name for step in created),
        *(constraint.name for constraint in new_uniques.values()),
    }
    steps = []
    for step in created:
        if step.index_name not in kept:
            steps.append(step)
            reverses[id(step)] = step.reverse()
    for columns, constraint in new_uniques.items():
        if constraint.name in kept:
            continue
        if columns not in old_uniques or old_uniques[columns].name != constraint.name:
            create = ops.CreateUniqueConstraintOp.from_constraint(constraint)
            steps.append(create)
            reverses[id(create)] = ops.DropConstraintOp(
                constraint.name, new.name, type_="unique", schema=new.schema
            )
    for step in dropped:
        if step.index_name not in kept:
            step.table_name = new.name
            steps.append(step)
            reverses[id(step)] = step.reverse()
    for columns, constraint in old_uniques.items():
        if columns not in new_uniques or new_uniques[columns].name != constraint.name:
            drop = ops.DropConstraintOp(
                constraint.name, new.name, type_="unique", schema=new.schema
            )
            steps.append(drop)
            back = UniqueConstraint(*columns, name=constraint.name)
            new.append_constraint(back)  # to_constraint() renders it on new
            reverses[id(drop)] = ops.CreateUniqueConstraintOp.from_constraint(back)
    return ops.ModifyTableOps(new.name, steps, schema=new.schema)


def _uniques(table):
    return {
        tuple(constraint.columns.keys()): constraint
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    }
