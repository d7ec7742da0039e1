"""Tag names that look alike are one: name_key after the confusable skeleton

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 00:00:00

"""
import hashlib
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade(engine_name):
    # A database instance added after this revision has nothing to do here.
    globals().get("upgrade_%s" % engine_name, lambda: None)()


def downgrade(engine_name):
    globals().get("downgrade_%s" % engine_name, lambda: None)()


# The keys as app/database/models/tag.py computes them on the day of each
# revision: a revision never imports the app, which goes on changing. The
# skeleton is ipfy-homoglyph's, at the version pyproject.toml pins.
def fold(name):
    return unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", name).casefold()
    )


def key_0002(name):
    return hashlib.sha256(fold(name).encode()).hexdigest()


def key_0003(name):
    # Here, not at the top: every `db` command loads every revision, and the
    # package's import costs 23 M instructions.
    from homoglyph._skeleton import skeleton

    text = fold(name)
    for _ in range(4):
        text, before = fold(skeleton(text)), text
        if text == before:
            break
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade_{{ "users_database" if cookiecutter.users_database != "none" else "" }}():
    write_keys(key_0003)


def downgrade_{{ "users_database" if cookiecutter.users_database != "none" else "" }}():
    # Names one under 0002 are one here too: this never refuses.
    write_keys(key_0002)


def write_keys(name_key):
    tags = sa.table('tags', sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('name_key', sa.String))
    connection = op.get_bind()
    # Every name is checked before the first change, so a refusal leaves
    # every row as it was.
    owners, moving = {}, []
    for id_, name, old_key in connection.execute(sa.select(tags.c.id, tags.c.name, tags.c.name_key)):
        key = name_key(name)
        if key in owners:
            other_id, other_name = owners[key]
            raise RuntimeError(
                f"tags {other_id} ({other_name!r}) and {id_} ({name!r}) have "
                "names that look alike: rename or merge one, then upgrade again"
            )
        owners[key] = (id_, name)
        if key != old_key:
            moving.append({"id_": id_, "key": key})
    if not moving:
        return
    # In two steps: a key may be another row's old one, and the unique index
    # refuses a moment where two rows hold it. A placeholder is no hex digest.
    update = tags.update().where(tags.c.id == sa.bindparam('id_')).values(name_key=sa.bindparam('key'))
    connection.execute(update, [{"id_": row["id_"], "key": f"moving {row['id_']}"} for row in moving])
    connection.execute(update, moving)
