"""`db migrate` says which steps break a rolling deploy (issue 26, point 3).

Between `db upgrade` and the last replica replaced, replicas of the previous
release serve on the new schema. A step they cannot survive (a table or
column dropped or renamed, a NOT NULL column they leave out, a column made
NOT NULL or unique, a type narrowed or of another kind) is warned of on the
console, one line per step, and in a comment just above it in the revision:
one comment per step, which for a drop also holds the data-loss warning. A
step they never notice says nothing. On every engine, from real `db
migrate` runs of a bake.
"""

import re

import test_migrations_real_schemas as real_schemas
import test_migrations_user_changes as user_changes

# The bake per engine and a copy of it per test, with databases of its own.
baked = real_schemas.baked
project = real_schemas.project

BREAKS = "breaks replicas still running the previous code during a rolling deploy"
GUIDE = "expand/contract: see docs/migrations.md"
DATA_LOSS = (
    "WARNING: this drops {what} and its data. To keep them, a rename is "
    "alter_column(..., new_column_name=...); a move to another instance "
    "copies the rows first."
)
# A type as each engine writes it: NUMERIC(10, 2), MariaDB's DECIMAL(10, 2).
TYPE = r"[A-Z][A-Z ]*(?:\([\d, ]+\))?"

NOTES = """\
from edmunds.database.db import db


class Note(db.Model):
    __tablename__ = "notes"

    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))
    code = db.Column(db.String(20))
    count = db.Column(db.BigInteger)
    small = db.Column(db.SmallInteger)
    price = db.Column(db.Numeric(10, 2))
    label = db.Column(db.String(30))
    serial = db.Column(db.String(10))
    badge = db.Column(db.String(10))
    mood = db.Column(db.Enum("calm", "glad", "sad", name="note_mood"))
    extra = db.Column(db.String(10))


class Draft(db.Model):
    __tablename__ = "drafts"

    id = db.Column(db.Integer, primary_key=True)
"""

# Every kind of step the previous code's replicas cannot survive. The
# tables are empty: a NOT NULL column is added as it is (with rows, db
# migrate asks for a value first: see the last test).
BREAKING = {
    "    title = db.Column(db.String(80))": "    title = db.Column(db.String(50))",
    "    code = db.Column(db.String(20))": "    code = db.Column(db.Integer)",
    "    count = db.Column(db.BigInteger)": "    count = db.Column(db.Integer)",
    "db.Numeric(10, 2)": "db.Numeric(8, 2)",
    "db.String(30))": "db.String(30), nullable=False)",
    "    serial = db.Column(db.String(10))": (
        "    serial = db.Column(db.String(10), unique=True)"
    ),
    "    badge = db.Column(db.String(10))": (
        "    badge = db.Column(db.String(10), unique=True, index=True)"
    ),
    '"glad", "sad", name=': '"glad", name=',
    "    extra = db.Column(db.String(10))\n": (
        "    rating = db.Column(db.Integer, nullable=False)\n"
    ),
}

# Every kind of step they never notice.
SAFE = {
    # Wider types: a longer string, unbounded text, a bigger integer, more
    # digits on both sides of the point.
    "    title = db.Column(db.String(80))": (
        "    title = db.Column(db.String(120), index=True)"
    ),
    "    code = db.Column(db.String(20))": "    code = db.Column(db.Text)",
    "    small = db.Column(db.SmallInteger)": "    small = db.Column(db.Integer)",
    "db.Numeric(10, 2)": "db.Numeric(12, 3)",
    "    extra = db.Column(db.String(10))\n": (
        "    extra = db.Column(db.String(10))\n"
        "    topic = db.Column(db.String(20))\n"
        '    state = db.Column(db.String(10), nullable=False, server_default="new")\n'
        # Unique, and new: the previous code's rows leave it NULL, and NULLs
        # are never equal to each other.
        "    slug = db.Column(db.String(40), unique=True)\n"
    ),
    # A nullable column on the other table.
    '"drafts"\n\n    id = db.Column(db.Integer, primary_key=True)\n': (
        '"drafts"\n\n    id = db.Column(db.Integer, primary_key=True)\n'
        "    kept = db.Column(db.Integer)\n"
    ),
}

SHEETS = """

class Sheet(db.Model):
    __tablename__ = "sheets"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(20), nullable=False, unique=True)
    draft_id = db.Column(
        db.Integer, db.ForeignKey("drafts.id"), nullable=False, index=True
    )
"""


def with_notes(project, models=("Note", "Draft")):
    """The bake at its latest revision and notes, empty, next to it."""
    project.manage("db", "upgrade")
    (project.path / "app/database/models/note.py").write_text(NOTES)
    list_models(project, models)
    project.migrate("Notes")
    project.manage("db", "upgrade")


def list_models(project, models):
    config = project.path / "config/app.py"
    source = re.sub(
        r"from app\.database\.models\.note import .*\n", "", config.read_text()
    )
    source = re.sub(r"            (Note|Draft|Sheet),\n", "", source)
    config.write_text(source)
    project.replace(
        "config/app.py",
        "from app.database.models.tag import Tag\n",
        f"from app.database.models.note import {', '.join(sorted(models))}\n"
        "from app.database.models.tag import Tag\n",
    )
    project.replace(
        "config/app.py",
        "            UserTags,\n",
        "            UserTags,\n" + "".join(f"            {m},\n" for m in models),
    )


def edit_notes(project, changes):
    for old, new in changes.items():
        project.replace("app/database/models/note.py", old, new)


def rolling_lines(stderr):
    return [line for line in stderr.splitlines() if BREAKS in line]


def comment_above(upgrade, statement):
    """The comment just above the one line of ``upgrade`` that starts with
    ``statement``, its lines joined as the one text they wrap."""
    lines = [line.strip() for line in upgrade.splitlines()]
    (index,) = [i for i, line in enumerate(lines) if line.startswith(statement)]
    above = []
    for line in reversed(lines[:index]):
        if not line.startswith("#") or line.startswith("# ###"):  # Alembic's own
            break
        above.insert(0, line.removeprefix("#").strip())
    return " ".join(above)


def assert_warned(stderr, upgrade, statement, what, why, dropped=None):
    """One console line for the step, and its comment just above it: the
    data loss (for a drop) once, then what it breaks; ``what`` and ``why``
    are patterns."""
    found = [
        line
        for line in rolling_lines(stderr)
        if re.fullmatch(
            rf"WARNING: on database instance 'default', {what} {BREAKS}: "
            rf"{why}; {GUIDE}",
            line,
        )
    ]
    assert len(found) == 1, (what, rolling_lines(stderr))
    comment = comment_above(upgrade, statement)
    if dropped:
        expected = (
            re.escape(DATA_LOSS.format(what=dropped))
            + rf" It also {BREAKS}: {why}; {GUIDE}\."
        )
    else:
        expected = rf"WARNING: {what} {BREAKS}: {why}; {GUIDE}\."
    assert re.fullmatch(expected, comment), (statement, comment)
    return found[0]


def test_each_breaking_step_is_warned_of_on_the_console_and_above_it(project):
    engine, project = project
    with_notes(project)
    edit_notes(project, BREAKING)
    models = project.path / "app/database/models/note.py"
    models.write_text(models.read_text().split("\n\n\nclass Draft")[0] + "\n")
    list_models(project, ["Note"])  # drafts is dropped
    revision, completed = project.migrate("Breaking")
    upgrade = real_schemas.body(revision.read_text(), "upgrade_")
    stderr = completed.stderr
    # The data-loss line stays as it was: one for every drop.
    assert (
        "the new revision drops column notes.extra, table drafts and the data "
        "in them" in stderr
    )

    warned = [
        assert_warned(
            stderr,
            upgrade,
            "op.drop_table('drafts')",
            "dropping table drafts",
            "their queries of drafts fail once it is gone",
            dropped="table drafts",
        ),
        assert_warned(
            stderr,
            upgrade,
            "batch_op.drop_column('extra')",
            r"dropping column notes\.extra",
            r"a model that still maps notes\.extra selects it in every query "
            "of its table",
            dropped="column notes.extra",
        ),
        assert_warned(
            stderr,
            upgrade,
            "batch_op.add_column(sa.Column('rating'",
            r"adding column notes\.rating NOT NULL without a server default",
            r"their INSERTs leave notes\.rating out, which the database then "
            "refuses",
        ),
        assert_warned(
            stderr,
            upgrade,
            "batch_op.alter_column('title'",
            r"narrowing column notes\.title from VARCHAR\(80\) to VARCHAR\(50\)",
            r"a value of theirs that fits VARCHAR\(80\) may not fit VARCHAR\(50\)",
        ),
        assert_warned(
            stderr,
            upgrade,
            "batch_op.alter_column('count'",
            r"narrowing column notes\.count from (?P<old>BIGINT(?:\(20\))?) to INTEGER",
            "a value of theirs that fits (?P=old) may not fit INTEGER",
        ),
        assert_warned(
            stderr,
            upgrade,
            "batch_op.alter_column('price'",
            rf"narrowing column notes\.price from (?P<old>{TYPE}\(10, 2\)) to "
            rf"(?P<new>{TYPE}\(8, 2\))",
            r"a value of theirs that fits (?P=old) may not fit (?P=new)",
        ),
        # Another kind of value: the previous code writes strings.
        assert_warned(
            stderr,
            upgrade,
            "batch_op.alter_column('code'",
            r"changing column notes\.code from VARCHAR\(20\) to INTEGER",
            r"they read and write notes\.code as VARCHAR\(20\), not INTEGER",
        ),
        assert_warned(
            stderr,
            upgrade,
            "batch_op.alter_column('label'",
            r"making column notes\.label NOT NULL",
            r"a row of theirs that leaves notes\.label NULL is refused",
        ),
        assert_warned(
            stderr,
            upgrade,
            "batch_op.create_unique_constraint(batch_op.f('uq_notes_serial')",
            r"adding unique constraint uq_notes_serial on notes\.serial",
            r"a value of theirs that notes\.serial already holds is refused",
        ),
        assert_warned(
            stderr,
            upgrade,
            "batch_op.create_index(batch_op.f('ix_notes_badge')",
            r"adding unique index ix_notes_badge on notes\.badge",
            r"a value of theirs that notes\.badge already holds is refused",
        ),
    ]
    if engine == "postgresql":
        # alembic-postgresql-enum's step of its own for the type's values.
        warned.append(
            assert_warned(
                stderr,
                upgrade,
                "op.sync_enum_values(",
                "removing 'sad' from enum type (?:public\\.)?note_mood",
                "they may still write 'sad', which the type then refuses",
            )
        )
    elif engine == "mysql":
        warned.append(
            assert_warned(
                stderr,
                upgrade,
                "batch_op.alter_column('mood'",
                r"narrowing column notes\.mood from ENUM\('calm','glad','sad'\) "
                r"to ENUM\('calm','glad'\)",
                r"a value of theirs that fits ENUM\('calm','glad','sad'\) may "
                r"not fit ENUM\('calm','glad'\)",
            )
        )
    # SQLite keeps an enum in a VARCHAR as long as its longest value: no
    # change is seen. One line per step, none twice, nothing else.
    assert sorted(rolling_lines(stderr)) == sorted(warned)
    # One comment a step: a drop's says what it breaks after its data loss.
    assert upgrade.count("# WARNING:") == len(warned)
    assert upgrade.count("# It also breaks") == 2


def test_safe_steps_say_nothing_and_narrowing_back_does(project):
    engine, project = project
    with_notes(project)
    edit_notes(project, SAFE)
    models = project.path / "app/database/models/note.py"
    models.write_text(models.read_text() + SHEETS)  # a new table
    list_models(project, ["Note", "Draft", "Sheet"])
    revision, completed = project.migrate("Safe")
    source = revision.read_text()
    upgrade = real_schemas.body(source, "upgrade_")
    for step in (
        "op.create_table('sheets'",
        "batch_op.add_column(sa.Column('kept'",
        "batch_op.add_column(sa.Column('topic'",
        "batch_op.add_column(sa.Column('state'",
        "batch_op.alter_column('title'",
        "batch_op.alter_column('code'",
        "batch_op.alter_column('small'",
        "batch_op.alter_column('price'",
        "batch_op.create_index(batch_op.f('ix_notes_title')",
        "batch_op.create_unique_constraint(batch_op.f('uq_notes_slug')",
    ):
        assert step in upgrade, step
    assert "WARNING" not in completed.stderr
    assert "WARNING" not in source
    project.manage("db", "upgrade")
    project.manage("db", "check")

    # The same column narrowed back: that one step, and only it, is warned of.
    project.replace(
        "app/database/models/note.py",
        "db.String(120), index=True",
        "db.String(80), index=True",
    )
    revision, completed = project.migrate("Narrower")
    upgrade = real_schemas.body(revision.read_text(), "upgrade_")
    line = assert_warned(
        completed.stderr,
        upgrade,
        "batch_op.alter_column('title'",
        r"narrowing column notes\.title from VARCHAR\(120\) to VARCHAR\(80\)",
        r"a value of theirs that fits VARCHAR\(120\) may not fit VARCHAR\(80\)",
    )
    assert [line for line in completed.stderr.splitlines() if "WARNING" in line] == [
        line
    ]


def test_renames_answered_yes_break_the_previous_code(project):
    engine, project = project
    user_changes.with_notes(project)
    # code is unique: its constraint is made again on the new name, which is
    # no new constraint and is not warned of.
    for old, new in (("    title =", "    heading ="), ("    code =", "    serial =")):
        project.replace("app/database/models/note.py", old, new)
    # Asked in name order: code to heading (it fits, widened), no; code to
    # serial, yes; title to heading, yes.
    source, stderr = user_changes.migrate_answering(project, "n\ny\ny\n")
    assert "Did you rename notes.code to notes.heading? [y/N]" in stderr
    upgrade = real_schemas.body(source, "upgrade_")
    warned = [
        assert_warned(
            stderr,
            upgrade,
            f"batch_op.alter_column('{old}'",
            rf"renaming column notes\.{old} to notes\.{new}",
            rf"a model that still maps notes\.{old} selects it in every query "
            "of its table",
        )
        for old, new in (("code", "serial"), ("title", "heading"))
    ]
    assert sorted(rolling_lines(stderr)) == warned
    assert "this drops" not in source and "the data in them" not in stderr

    for revision in (project.path / "migrations/versions").glob("*change.py"):
        revision.unlink()
    for old, new in (("    title =", "    heading ="), ("    code =", "    serial =")):
        project.replace("app/database/models/note.py", new, old)
    project.replace("app/database/models/note.py", '"notes"', '"memos"')
    source, stderr = user_changes.migrate_answering(project, "y\n")
    upgrade = real_schemas.body(source, "upgrade_")
    line = assert_warned(
        stderr,
        upgrade,
        "op.rename_table('notes', 'memos')",
        "renaming table notes to memos",
        "they still query notes, which is gone once renamed",
    )
    # The indexes and unique constraint made again under the new table's
    # name are no new ones.
    assert rolling_lines(stderr) == [line]


def test_not_null_column_filled_for_existing_rows_breaks_the_previous_code(
    project,
):
    engine, project = project
    user_changes.with_notes(project)
    project.replace("app/database/models/note.py", *user_changes.NOT_NULL_COLUMNS)
    source, stderr = user_changes.migrate_answering(project, "5\n'new'\n")
    upgrade = real_schemas.body(source, "upgrade_")
    # Added nullable and filled: the old code survives that; the NOT NULL
    # that follows refuses its INSERTs, which leave the new columns out.
    warned = [
        assert_warned(
            stderr,
            upgrade,
            f"batch_op.alter_column('{column}'",
            rf"making column notes\.{column} NOT NULL",
            rf"their INSERTs leave notes\.{column} out, which the database then "
            "refuses",
        )
        for column in ("label", "rating")
    ]
    assert sorted(rolling_lines(stderr)) == warned
    for column in ("label", "rating"):
        assert comment_above(upgrade, f"batch_op.add_column(sa.Column('{column}'") == ""
