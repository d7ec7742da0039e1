"""What `db migrate` asks before it writes what Alembic would lose or fail on
(issue 23, points 4 and 5), on every engine, with rows in the tables.

A renamed column or table is a drop and an add to Alembic: answered yes,
the revision renames and the rows keep their values. A NOT NULL column added
to a table with rows takes a value for them, or stops `db migrate` in one
line. Questions are asked on a terminal only: these tests give the command
a pseudo-terminal and type the answers ahead.
"""

import json
import os
import pty
import subprocess

import test_migrations_real_schemas as real_schemas

from conftest import clean_env, run

# The bake per engine and a copy of it per test, with databases of its own.
baked = real_schemas.baked
project = real_schemas.project

NOTES = """\
from edmunds.database.db import db


class Note(db.Model):
    __tablename__ = "notes"

    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(50), index=True)
    body = db.Column(db.String(200), nullable=False)
    code = db.Column(db.String(20), unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
"""

FILL = """
from sqlalchemy import text
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap().app_context():
    for statement in (
        "INSERT INTO users (id, name) VALUES (1, 'writer')",
        "INSERT INTO notes (id, title, body, code, user_id) VALUES "
        "(1, 'first', 'one', 'c1', 1), (2, NULL, 'two', 'c2', 1), "
        "(3, 'third', 'three', NULL, NULL)",
    ):
        db.session.execute(text(statement))
    db.session.commit()
"""

ROWS = """
import json, sys
from sqlalchemy import text
from bootstrap.app import bootstrap
from edmunds.database.db import db

table, columns = sys.argv[1:]
with bootstrap().app_context():
    rows = db.session.execute(text(f"SELECT {columns} FROM {table} ORDER BY id"))
    print(json.dumps([list(row) for row in rows]))
"""

SCHEMA = """
import json, sys
from sqlalchemy import inspect
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap().app_context():
    inspector = inspect(db.engine)
    table = sys.argv[1]
    uniques = sorted(u["name"] for u in inspector.get_unique_constraints(table))
    print(json.dumps({
        "columns": {
            column["name"]: {
                "nullable": column["nullable"],
                "default": column["default"],
            }
            for column in inspector.get_columns(table)
        },
        # MySQL lists a unique constraint among the indexes too.
        "indexes": sorted(
            i["name"] for i in inspector.get_indexes(table) if i["name"] not in uniques
        ),
        "uniques": uniques,
    }))
"""

KEPT = [[1, "first", "one"], [2, None, "two"], [3, "third", "three"]]


def with_notes(project):
    """The bake at its latest revision, with notes holding three rows."""
    project.manage("db", "upgrade")
    project.add_models("note", ["Note"], NOTES)
    project.migrate("Notes")
    project.manage("db", "upgrade")
    project.run("-c", FILL)
    return project


def on_terminal(project, typed, *args):
    """``manage.py *args`` with a terminal on stdin, ``typed`` typed ahead.

    The terminal hands the command one line per read, as a person typing
    would; Ctrl-D at the start of a line is the end of input.
    """
    main, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [str(project.python), "manage.py", *args],
            cwd=project.path,
            env=clean_env(PYTHONHASHSEED="0", **project.env),
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(terminal)
    try:
        os.write(main, typed.encode())
        stdout, stderr = process.communicate(timeout=300)
    finally:
        os.close(main)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def migrate_answering(project, typed, *options):
    """The revision `db migrate` writes with ``typed`` as its answers."""
    versions = project.path / "migrations/versions"
    before = set(versions.glob("*.py"))
    completed = on_terminal(project, typed, "db", "migrate", "-m", "Change", *options)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (revision,) = set(versions.glob("*.py")) - before
    return revision.read_text(), completed.stderr


def rows(project, table, columns):
    return json.loads(project.run("-c", ROWS, table, columns).stdout)


def schema(project, table):
    return json.loads(project.run("-c", SCHEMA, table).stdout)


def assert_checked_clean(project):
    completed = project.manage("db", "check")
    assert "No new upgrade operations detected" in completed.stdout + completed.stderr


def test_renamed_columns_keep_their_values(project):
    engine, project = project
    with_notes(project)
    # title is nullable and indexed, and the rename widens it; body is NOT
    # NULL, which MySQL's CHANGE COLUMN must be told again; user_id has a
    # foreign key and an index, which MySQL needs until the key is gone.
    for old, new in (
        ("title = db.Column(db.String(50)", "heading = db.Column(db.String(80)"),
        ("    body =", "    text ="),
        ("    user_id =", "    author_id ="),
    ):
        project.replace("app/database/models/note.py", old, new)
    source, stderr = migrate_answering(project, "y\ny\ny\n")
    for old, new in (("body", "text"), ("title", "heading"), ("user_id", "author_id")):
        assert f"Did you rename notes.{old} to notes.{new}? [y/N]" in stderr
        assert f"new_column_name='{new}'" in source
    # No data-loss warning (what a rename breaks in a rolling deploy is
    # tests/test_rolling_deploy_warnings.py's).
    assert "drop_column" not in source and "this drops" not in source
    assert "the data in them" not in stderr

    project.manage("db", "upgrade")
    assert rows(project, "notes", "id, heading, text") == KEPT
    assert rows(project, "notes", "author_id") == [[1], [1], [None]]
    assert schema(project, "notes")["indexes"] == [
        "ix_notes_author_id",
        "ix_notes_heading",
    ]
    assert_checked_clean(project)

    project.manage("db", "downgrade")
    assert rows(project, "notes", "id, title, body") == KEPT
    assert rows(project, "notes", "user_id") == [[1], [1], [None]]
    assert schema(project, "notes")["indexes"] == ["ix_notes_title", "ix_notes_user_id"]
    project.manage("db", "upgrade")
    assert rows(project, "notes", "id, heading, text") == KEPT
    assert_checked_clean(project)


def test_a_rename_not_answered_yes_is_a_drop_and_an_add(project):
    engine, project = project
    with_notes(project)
    project.replace("app/database/models/note.py", "    title =", "    heading =")

    def drops_and_adds(source, stderr):
        assert "drop_column('title')" in source
        assert "# WARNING: this drops column notes.title" in source
        assert "drops column notes.title and the data in them" in stderr
        assert "new_column_name='heading'" not in source

    # No, and the end of input (Ctrl-D): asked, and no rename.
    for typed in ("n\n", "\x04"):
        source, stderr = migrate_answering(project, typed)
        assert "Did you rename notes.title to notes.heading? [y/N]" in stderr
        drops_and_adds(source, stderr)
        for revision in (project.path / "migrations/versions").glob("*change.py"):
            revision.unlink()
    # --no-input, and no terminal: nothing asked, whatever is typed or piped.
    source, stderr = migrate_answering(project, "y\n", "--no-input")
    assert "Did you rename" not in stderr
    drops_and_adds(source, stderr)
    for revision in (project.path / "migrations/versions").glob("*change.py"):
        revision.unlink()
    versions = project.path / "migrations/versions"
    before = set(versions.glob("*.py"))
    completed = run(
        project.path,
        project.python,
        "manage.py",
        "db",
        "migrate",
        "-m",
        "Change",
        env=clean_env(**project.env),
        stdin="y\n",
    )
    assert "Did you rename" not in completed.stderr
    (revision,) = set(versions.glob("*.py")) - before
    drops_and_adds(revision.read_text(), completed.stderr)


def test_renamed_table_keeps_its_rows(project):
    engine, project = project
    with_notes(project)
    project.replace("app/database/models/note.py", '"notes"', '"memos"')
    source, stderr = migrate_answering(project, "y\n")
    assert "Did you rename table notes to memos? [y/N]" in stderr
    assert "op.rename_table('notes', 'memos')" in source
    assert "op.rename_table('memos', 'notes')" in source
    assert "drop_table" not in source and "create_table" not in source
    assert "the data in them" not in stderr

    project.manage("db", "upgrade")
    assert rows(project, "memos", "id, title, body") == KEPT
    after = schema(project, "memos")
    # The names made from the table's name follow it.
    assert after["indexes"] == ["ix_memos_title", "ix_memos_user_id"]
    assert after["uniques"] == ["uq_memos_code"]
    assert_checked_clean(project)

    project.manage("db", "downgrade")
    assert rows(project, "notes", "id, title, body") == KEPT
    before = schema(project, "notes")
    assert before["indexes"] == ["ix_notes_title", "ix_notes_user_id"]
    assert before["uniques"] == ["uq_notes_code"]
    project.manage("db", "upgrade")
    assert rows(project, "memos", "id, title, body") == KEPT
    assert_checked_clean(project)


NOT_NULL_COLUMNS = (
    "    user_id =",
    "    rating = db.Column(db.Integer, nullable=False)\n"
    "    label = db.Column(db.String(10), nullable=False)\n"
    "    user_id =",
)


def test_not_null_column_added_to_rows_takes_a_value(project):
    engine, project = project
    with_notes(project)
    project.replace("app/database/models/note.py", *NOT_NULL_COLUMNS)
    # A value of the wrong type, then a good one; a string too long, then
    # one that fits.
    source, stderr = migrate_answering(project, "'five'\n5\n'much too long'\n'new'\n")
    for column in ("rating", "label"):
        assert (
            f"Table notes has 3 rows; column {column} is NOT NULL without a "
            "default. A value for the existing rows (a Python literal), or "
            "Enter to stop:"
        ) in stderr
    assert "'five' is no value for rating: str, where the column holds int" in stderr
    assert "is no value for label: longer than the column's 10 characters" in stderr
    assert "values({'rating': 5})" in source and "values({'label': 'new'})" in source

    project.manage("db", "upgrade")
    assert rows(project, "notes", "id, rating, label") == [
        [1, 5, "new"],
        [2, 5, "new"],
        [3, 5, "new"],
    ]
    columns = schema(project, "notes")["columns"]
    for column in ("rating", "label"):
        assert columns[column] == {"nullable": False, "default": None}
    assert_checked_clean(project)
    project.manage("db", "downgrade")
    assert "rating" not in schema(project, "notes")["columns"]
    project.manage("db", "upgrade")
    assert rows(project, "notes", "rating")[0] == [5]


def test_not_null_column_added_to_rows_without_an_answer_stops(project):
    engine, project = project
    with_notes(project)
    project.replace("app/database/models/note.py", *NOT_NULL_COLUMNS)
    versions = project.path / "migrations/versions"
    before = set(versions.glob("*.py"))
    refusals = [
        project.manage("db", "migrate", "-m", "Change", check=False),
        on_terminal(project, "5\n", "db", "migrate", "-m", "Change", "--no-input"),
        on_terminal(project, "\n", "db", "migrate", "-m", "Change"),
        on_terminal(project, "\x04", "db", "migrate", "-m", "Change"),
    ]
    for completed in refusals:
        assert completed.returncode == 1, completed.stdout + completed.stderr
        assert "Traceback" not in completed.stderr
        errors = [
            line for line in completed.stderr.splitlines() if line.startswith("Error")
        ]
        assert errors == [
            "Error: table notes has 3 rows and its new column rating is NOT NULL "
            "without a default: no revision written; give the column a "
            "server_default in the model, or run `db migrate` on a terminal "
            "(without --no-input) and answer with a value for those rows"
        ], completed.stderr
    assert set(versions.glob("*.py")) == before
