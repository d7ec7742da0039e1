"""Migrations on a populated database keep every row."""

import json

import pytest

from conftest import bake, project_python, run

pytestmark = pytest.mark.xdist_group("keep-data")

POPULATE = """
from bootstrap.app import bootstrap
from app.database.models.tag import Tag
from app.database.models.user import User
from edmunds.database.db import db

with bootstrap().app_context():
    tags = [Tag(name=f"tag{i}") for i in range(3)]
    for i in range(5):
        db.session.add(User(name=f"user{i}", tags=tags[: i % 4]))
    db.session.commit()
"""

SNAPSHOT = """
import json
from sqlalchemy import select
from bootstrap.app import bootstrap
from app.database.models.tag import Tag
from app.database.models.user import User
from app.database.models.usertags import UserTags
from edmunds.database.db import db

with bootstrap().app_context():
    tables = [User.__table__, Tag.__table__, UserTags]
    print(json.dumps({
        table.name: sorted(
            [row.id, row.name] if "name" in table.c else list(row)
            for row in db.session.execute(select(*table.primary_key, *(
                [table.c.name] if "name" in table.c else []
            )))
        )
        for table in tables
    }))
"""

EMAIL_COLUMN = (
    "    name = db.Column(db.String(50), nullable=False)\n",
    "    name = db.Column(db.String(50), nullable=False)\n"
    "    email = db.Column(db.String(120))\n",
)

NOTE_MODEL = """\
from edmunds.database.db import db


class Note(db.Model):
    __tablename__ = "notes"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"))
"""


@pytest.fixture
def project(cookies):
    return bake(cookies, project_name="Keep Data")


@pytest.fixture
def python(project):
    return project_python(project)


def snapshot(project, python):
    return json.loads(run(project, python, "-c", SNAPSHOT).stdout)


def manage(project, python, *args, **kwargs):
    return run(project, python, "manage.py", *args, **kwargs)


def current(project, python):
    """The revision the database is at, without Alembic's "(head)" note."""
    return manage(project, python, "db", "current").stdout.split()[0]


def edit(path, old, new):
    source = path.read_text()
    assert old in source
    path.write_text(source.replace(old, new))


def new_revision(project, python, message):
    before = set((project / "migrations/versions").glob("*.py"))
    manage(project, python, "db", "migrate", "-m", message)
    (revision,) = set((project / "migrations/versions").glob("*.py")) - before
    return revision


def test_rows_survive_upgrades_and_downgrades(project, python):
    manage(project, python, "db", "upgrade")
    run(project, python, "-c", POPULATE)
    rows = snapshot(project, python)
    assert len(rows["users"]) == 5 and len(rows["user_tags"]) == 6

    # A new column on users: SQLite rebuilds the table to drop it again.
    edit(project / "app/database/models/user.py", *EMAIL_COLUMN)
    new_revision(project, python, "Add users.email")
    manage(project, python, "db", "upgrade")
    assert snapshot(project, python) == rows

    # A new table pointing at users.
    (project / "app/database/models/note.py").write_text(NOTE_MODEL)
    edit(
        project / "config/app.py",
        "            UserTags,\n",
        "            UserTags,\n            Note,\n",
    )
    edit(
        project / "config/app.py",
        "from app.database.models.tag import Tag\n",
        "from app.database.models.note import Note\n"
        "from app.database.models.tag import Tag\n",
    )
    new_revision(project, python, "Add notes")
    manage(project, python, "db", "upgrade")
    assert snapshot(project, python) == rows

    for _ in range(2):
        manage(project, python, "db", "downgrade")
        assert snapshot(project, python) == rows
    manage(project, python, "db", "upgrade")
    assert snapshot(project, python) == rows

    head = current(project, python)
    again = manage(project, python, "db", "upgrade")
    assert "Running upgrade" not in again.stderr
    assert current(project, python) == head
    assert snapshot(project, python) == rows
    manage(project, python, "db", "check")


def test_a_failing_migration_changes_nothing_and_says_where(project, python):
    manage(project, python, "db", "upgrade")
    run(project, python, "-c", POPULATE)
    rows = snapshot(project, python)
    head = current(project, python)

    edit(
        project / "app/database/models/user.py",
        "    name = db.Column(db.String(50), nullable=False)\n",
        "    name = db.Column(db.String(50), nullable=False)\n"
        "    nickname = db.Column(db.String(50))\n",
    )
    revision = new_revision(project, python, "Break on purpose")
    edit(
        revision,
        "    # ### end Alembic commands ###\n",
        "    op.execute('UPDATE no_such_table SET x = 1')\n"
        "    # ### end Alembic commands ###\n",
    )

    failed = manage(project, python, "db", "upgrade", check=False)

    assert failed.returncode == 1
    (error,) = [line for line in failed.stderr.splitlines() if "Error:" in line]
    assert "database <default> failed at upgrade" in error
    assert "Break on purpose" in error and "no_such_table" in error
    assert current(project, python) == head
    assert snapshot(project, python) == rows
    columns = run(
        project,
        python,
        "-c",
        "from sqlalchemy import inspect; from bootstrap.app import bootstrap; "
        "print([c['name'] for c in inspect(bootstrap().database_engine())"
        ".get_columns('users')])",
    ).stdout
    assert "nickname" not in columns
