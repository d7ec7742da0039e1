"""Tag names unique as people read them: a unique name_key

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 00:00:00

"""
import hashlib
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade(engine_name):
    # A database instance added after this revision has nothing to do here.
    globals().get("upgrade_%s" % engine_name, lambda: None)()


def downgrade(engine_name):
    globals().get("downgrade_%s" % engine_name, lambda: None)()


def name_key(name):
    # As app/database/models/tag.py computes it on the day of this revision:
    # a revision never imports the app, which goes on changing.
    folded = unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", name).casefold()
    )
    return hashlib.sha256(folded.encode()).hexdigest()


def upgrade_{{ "users_database" if cookiecutter.users_database != "none" else "" }}():
    tags = sa.table('tags', sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('name_key', sa.String))
    connection = op.get_bind()
    # Every name is checked before the first change: MySQL and MariaDB commit
    # each DDL statement, so a refusal after add_column would leave it there.
    owners = {}
    for id_, name in connection.execute(sa.select(tags.c.id, tags.c.name)):
        key = name_key(name)
        if key in owners:
            raise RuntimeError(
                f"tags {owners[key]} and {id_} have names that read the same "
                f"({name!r}): rename or merge one, then upgrade again"
            )
        owners[key] = id_
    op.add_column('tags', sa.Column('name_key', sa.String(length=64), nullable=True))
    for key, id_ in owners.items():
        connection.execute(tags.update().where(tags.c.id == id_).values(name_key=key))
    with op.batch_alter_table('tags') as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_tags_name'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_tags_name_key'), ['name_key'])


def downgrade_{{ "users_database" if cookiecutter.users_database != "none" else "" }}():
    with op.batch_alter_table('tags') as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tags_name_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_tags_name'), ['name'])
        batch_op.drop_column('name_key')
