"""Migrations on a populated database keep every row, on every engine.

Each test bakes its own project; on a server engine it migrates a database
made for it and dropped after it.
"""

import json
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import bake, clean_env, project_python, run
from servers import SERVERS, on_servers

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


def rows(table):
    # Each table from its own database: the sample tables may sit on a bind.
    (bind_key,) = [key for key, meta in db.metadatas.items() if meta is table.metadata]
    columns = [*table.primary_key, *([table.c.name] if "name" in table.c else [])]
    with db.engines[bind_key].connect() as connection:
        return sorted(map(list, connection.execute(select(*columns))))


with bootstrap().app_context():
    tables = (User.__table__, Tag.__table__, UserTags)
    print(json.dumps({table.name: rows(table) for table in tables}))
"""

COLUMNS = """
import sys
from sqlalchemy import inspect
from bootstrap.app import bootstrap

app = bootstrap()
engine = app.database_engine(sys.argv[1])
inspector = inspect(engine)
print({
    table: [column["name"] for column in inspector.get_columns(table)]
    for table in inspector.get_table_names()
})
"""

NOTE_MODEL = """\
from edmunds.database.db import db


class Note(db.Model):
    __tablename__ = "notes"

    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.String(200), nullable=False)
"""


@dataclass
class Baked:
    """A baked project, its venv and the settings pointing it at its databases."""

    path: Path
    python: Path
    env: dict

    def run(self, *args, check=True):
        return run(
            self.path, self.python, *args, env=clean_env(**self.env), check=check
        )

    def manage(self, *args, check=True):
        return self.run("manage.py", *args, check=check)

    def snapshot(self):
        return json.loads(self.run("-c", SNAPSHOT).stdout)

    def columns(self, instance=None):
        return self.run("-c", COLUMNS, instance or "default").stdout

    def current(self):
        """The revision of the databases, without Alembic's "(head)" note."""
        return self.manage("db", "current").stdout.split()[0]

    def edit(self, name, old, new):
        path = self.path / name
        source = path.read_text()
        assert old in source, f"{name} has no {old!r}"
        path.write_text(source.replace(old, new))

    def new_revision(self, message):
        versions = self.path / "migrations/versions"
        before = set(versions.glob("*.py"))
        self.manage("db", "migrate", "-m", message)
        (revision,) = set(versions.glob("*.py")) - before
        return revision

    def add_user_column(self, column):
        self.edit(
            "app/database/models/user.py",
            "    name = db.Column(db.String(50), nullable=False)\n",
            "    name = db.Column(db.String(50), nullable=False)\n"
            f"    {column} = db.Column(db.String(120))\n",
        )

    def add_note_model(self):
        (self.path / "app/database/models/note.py").write_text(NOTE_MODEL)
        self.edit(
            "config/app.py",
            "            UserTags,\n",
            "            UserTags,\n            Note,\n",
        )
        self.edit(
            "config/app.py",
            "from app.database.models.tag import Tag\n",
            "from app.database.models.note import Note\n"
            "from app.database.models.tag import Tag\n",
        )


@pytest.fixture
def bake_on(cookies):
    """Bake with these engines, each server instance on a fresh database."""
    with ExitStack() as cleanup:

        def bake_on(database, users_database="none"):
            chosen = {"default": database}
            if users_database != "none":
                chosen["users_database"] = users_database
            env = {}
            for instance, engine in chosen.items():
                if engine in SERVERS:
                    make = cleanup.enter_context(SERVERS[engine].databases())
                    env.update(SERVERS[engine].settings(instance, make()))
            path = bake(
                cookies,
                project_name="Keep Data",
                database=database,
                users_database=users_database,
            )
            return Baked(path, project_python(path), env)

        yield bake_on


ENGINES = [
    pytest.param("sqlite", marks=on_servers()),
    *(pytest.param(engine, marks=on_servers(engine)) for engine in SERVERS),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_survive_upgrades_and_downgrades(bake_on, engine):
    project = bake_on(engine)
    project.manage("db", "upgrade")
    project.run("-c", POPULATE)
    rows = project.snapshot()
    assert len(rows["users"]) == 5 and len(rows["user_tags"]) == 6

    # A new column on users: SQLite rebuilds the table to drop it again.
    project.add_user_column("nickname")
    project.new_revision("Add users.nickname")
    project.manage("db", "upgrade")
    assert project.snapshot() == rows
    assert "nickname" in project.columns()

    project.add_note_model()
    project.new_revision("Add notes")
    project.manage("db", "upgrade")
    assert project.snapshot() == rows

    for _ in range(2):
        project.manage("db", "downgrade")
        assert project.snapshot() == rows
    assert "nickname" not in project.columns()
    project.manage("db", "upgrade")
    assert project.snapshot() == rows

    head = project.current()
    again = project.manage("db", "upgrade")
    assert "Running upgrade" not in again.stderr
    assert project.current() == head
    assert project.snapshot() == rows
    project.manage("db", "check")


def break_upgrade(revision, function):
    """Make one database's part of a revision fail halfway through."""
    source = revision.read_text()
    start = source.index(f"def {function}():")
    end = source.index("# ### end Alembic commands ###", start)
    revision.write_text(
        source[:end]
        + "op.execute('UPDATE no_such_table SET x = 1')\n    "
        + source[end:]
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failing_migration_changes_nothing_and_says_where(bake_on, engine):
    project = bake_on(engine)
    project.manage("db", "upgrade")
    project.run("-c", POPULATE)
    rows, head = project.snapshot(), project.current()

    project.add_user_column("nickname")
    break_upgrade(project.new_revision("Break on purpose"), "upgrade_")
    failed = project.manage("db", "upgrade", check=False)

    assert failed.returncode == 1
    (error,) = [line for line in failed.stderr.splitlines() if "Error:" in line]
    assert "database <default> failed at upgrade" in error
    assert "Break on purpose" in error and "no_such_table" in error
    assert project.current() == head
    assert project.snapshot() == rows
    if engine != "mysql":  # MySQL commits each schema change as it goes
        assert "nickname" not in project.columns()
    else:  # what stayed, and where the database is recorded
        assert "MySQL commits schema changes as it goes" in error
        assert "kept ALTER TABLE users ADD COLUMN nickname" in error
        assert f"recorded at revision {head}" in error


TRANSACTIONAL = [
    pytest.param("sqlite", marks=on_servers()),
    pytest.param("postgresql", marks=on_servers("postgresql")),
]


@pytest.mark.parametrize("engine", TRANSACTIONAL)
def test_a_failure_on_the_second_database_rolls_back_the_first(bake_on, engine):
    project = bake_on(engine, users_database=engine)
    project.manage("db", "upgrade")
    project.run("-c", POPULATE)
    rows, head = project.snapshot(), project.current()

    # One revision: a table on the default database, a column on the second.
    project.add_note_model()
    project.add_user_column("nickname")
    revision = project.new_revision("Notes and nicknames")
    break_upgrade(revision, "upgrade_users_database")
    failed = project.manage("db", "upgrade", check=False)

    assert failed.returncode == 1
    (error,) = [line for line in failed.stderr.splitlines() if "Error:" in line]
    assert "database users_database failed at upgrade" in error
    assert "Notes and nicknames" in error
    assert "notes" not in project.columns("default")
    assert "nickname" not in project.columns("users_database")
    assert project.current() == head
    assert project.snapshot() == rows
