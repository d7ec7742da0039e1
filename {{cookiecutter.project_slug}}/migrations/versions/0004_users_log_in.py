"""Users log in: email, password, active, fs_uniquifier; roles; login failures

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade(engine_name):
    # A database instance added after this revision has nothing to do here.
    globals().get("upgrade_%s" % engine_name, lambda: None)()


def downgrade(engine_name):
    globals().get("downgrade_%s" % engine_name, lambda: None)()


def upgrade_{{ "users_database" if cookiecutter.users_database != "none" else "" }}():
    # Each step looks first whether it was done: MySQL commits every schema
    # change at once, so a run stopped half-way (killed, the connection
    # lost) leaves the steps before it applied, and the next `db upgrade`
    # does what is left. PostgreSQL and SQLite roll a stopped run back whole.
    done = Applied(op.get_bind())
    if 'login_failures' not in done.tables:
        op.create_table('login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('failed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
        )
    if 'roles' not in done.tables:
        op.create_table('roles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
        sa.UniqueConstraint('name', name=op.f('uq_roles_name'))
        )
    if 'user_roles' not in done.tables:
        op.create_table('user_roles',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_user_roles_role_id_roles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'role_id', name=op.f('pk_user_roles'))
        )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        for column in ('failed_at', 'key'):
            name = 'ix_login_failures_%s' % column
            if name not in done.indexes('login_failures'):
                batch_op.create_index(batch_op.f(name), [column], unique=False)

    # Every user stays: no email and no password (they cannot log in until
    # `manage.py auth set-email` and `auth set-password`), active, and a
    # uniquifier of their own. The column takes NULL, so that the code before
    # this revision, which knows nothing of it, still adds users.
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in (
            sa.Column('email', sa.String(length=255), nullable=True),
            sa.Column('password', sa.String(length=255), nullable=True),
            sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
            sa.Column('fs_uniquifier', sa.String(length=64), nullable=True),
        ):
            if column.name not in done.columns('users'):
                batch_op.add_column(column)
    give_uniquifiers(op.get_bind())
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in ('email', 'fs_uniquifier'):
            name = 'uq_users_%s' % column
            if name not in done.indexes('users'):
                batch_op.create_unique_constraint(batch_op.f(name), [column])


class Applied:
    """What the database holds already, read once before the steps."""

    def __init__(self, connection):
        self.inspector = sa.inspect(connection)
        self.tables = set(self.inspector.get_table_names())

    def columns(self, table):
        return {column['name'] for column in self.inspector.get_columns(table)}

    def indexes(self, table):
        # MySQL lists a unique constraint as an index, SQLite and PostgreSQL
        # as a constraint: either is there.
        if table not in self.tables:
            return set()
        return {
            found['name']
            for found in self.inspector.get_indexes(table)
            + self.inspector.get_unique_constraints(table)
        }


def give_uniquifiers(connection, batch=1000):
    """A uniquifier for every user without one, a batch of rows per
    statement: one round trip per row took minutes for a million users."""
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('fs_uniquifier', sa.String))
    update = users.update().where(users.c.id == sa.bindparam('id_')).values(
        fs_uniquifier=sa.bindparam('uniquifier')
    )
    missing = sa.select(users.c.id).where(users.c.fs_uniquifier.is_(None)).order_by(users.c.id)
    while ids := connection.execute(missing.limit(batch)).scalars().all():
        connection.execute(update, [{'id_': id_, 'uniquifier': secrets.token_hex(16)} for id_ in ids])


def downgrade_{{ "users_database" if cookiecutter.users_database != "none" else "" }}():
    # As the upgrade: what a run stopped half-way on MySQL did is not done
    # again.
    done = Applied(op.get_bind())
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in ('fs_uniquifier', 'email'):
            name = 'uq_users_%s' % column
            if name in done.indexes('users'):
                batch_op.drop_constraint(batch_op.f(name), type_='unique')
        for column in ('fs_uniquifier', 'active', 'password', 'email'):
            if column in done.columns('users'):
                batch_op.drop_column(column)

    for table in ('user_roles', 'roles', 'login_failures'):
        if table in done.tables:
            op.drop_table(table)
