"""Schemas of real applications and parallel deploys, on every engine.

One bake per engine; each test works on its own copy of it and, on a server,
in databases made for it and dropped after it.
"""

import json
import re
import shutil
import subprocess
import time
from contextlib import ExitStack

import pytest

from conftest import bake, clean_env, project_python, run
from servers import SERVERS, on_servers

ENGINES = [
    pytest.param("sqlite", marks=on_servers()),
    *(pytest.param(engine, marks=on_servers(engine)) for engine in SERVERS),
]

LOWER_CASE_TEXT = """\
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class LowerCaseText(TypeDecorator):
    \"\"\"Text kept in lower case: the project's own column type.\"\"\"

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.lower()
"""

# Tables that point at each other, named so that no alphabetical or set order
# is right by luck: pages -> books -> shelves; writers <-> drafts is a cycle
# closed by a use_alter key. Book.shelf_id has an index of its own, which
# MySQL also uses for the foreign key.
SHAPES = """\
import enum

from app.database.lowercasetext import LowerCaseText
from edmunds.database.db import db


class Mood(enum.Enum):
    happy = "happy"
    sad = "sad"


class Shelf(db.Model):
    __tablename__ = "shelves"

    id = db.Column(db.Integer, primary_key=True)
    label = db.Column(LowerCaseText(40), nullable=False)
    mood = db.Column(db.Enum(Mood, name="mood"), nullable=False)


class Book(db.Model):
    __tablename__ = "books"

    id = db.Column(db.Integer, primary_key=True)
    shelf_id = db.Column(db.Integer, db.ForeignKey("shelves.id"), index=True)


class Page(db.Model):
    __tablename__ = "pages"

    id = db.Column(db.Integer, primary_key=True)
    book_id = db.Column(db.Integer, db.ForeignKey("books.id"), nullable=False)
    number = db.Column(db.Integer)


class Writer(db.Model):
    __tablename__ = "writers"

    id = db.Column(db.Integer, primary_key=True)
    first_draft_id = db.Column(
        db.Integer, db.ForeignKey("drafts.id", use_alter=True)
    )


class Draft(db.Model):
    __tablename__ = "drafts"

    id = db.Column(db.Integer, primary_key=True)
    writer_id = db.Column(db.Integer, db.ForeignKey("writers.id"))
"""

SHAPE_NAMES = ("Shelf", "Book", "Page", "Writer", "Draft")
SHAPE_TABLES = ("shelves", "books", "pages", "writers", "drafts")

FILL = """
from sqlalchemy import text
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap().app_context():
    for statement in (
        "INSERT INTO shelves (id, label, mood) VALUES (1, 'a', 'happy')",
        "INSERT INTO shelves (id, label, mood) VALUES (2, 'b', 'sad')",
        "INSERT INTO books (id, shelf_id) VALUES (1, 1), (2, 1), (3, 2)",
        "INSERT INTO pages (id, book_id) VALUES (1, 1), (2, 3)",
        "INSERT INTO writers (id) VALUES (1)",
        "INSERT INTO drafts (id, writer_id) VALUES (1, 1)",
        "UPDATE writers SET first_draft_id = 1",
    ):
        db.session.execute(text(statement))
    db.session.commit()
"""

COUNT = """
import json
from sqlalchemy import inspect, text
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap().app_context():
    names = set(inspect(db.engine).get_table_names())
    print(json.dumps({
        name: db.session.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar()
        for name in sorted(names - {"alembic_version"})
    }))
"""

# The samples, and who may log in (revision 0004).
SAMPLE_TABLES = {"users", "tags", "user_tags"}
TABLES = SAMPLE_TABLES | {"roles", "user_roles", "login_failures"}

ADD_USER = """
from sqlalchemy import text
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap().app_context():
    db.session.execute(text("INSERT INTO users (name) VALUES ('kept')"))
    db.session.commit()
"""


@pytest.fixture(scope="module", params=ENGINES)
def baked(request, cookies_session):
    """The engine, and a bake on it with its venv."""
    engine = request.param
    if engine in SERVERS:
        SERVERS[engine].admin()  # skips now if the server is absent
    project = bake(cookies_session, project_name="Real Schemas", database=engine)
    return engine, project, project_python(project)


class Project:
    def __init__(self, path, python, env):
        self.path, self.python, self.env = path, python, env

    def run(self, *args, check=True, seed="0"):
        completed = run(
            self.path,
            self.python,
            *args,
            check=False,
            env=clean_env(PYTHONHASHSEED=seed, **self.env),
        )
        if check:
            assert completed.returncode == 0, completed.stdout + completed.stderr
        return completed

    def manage(self, *args, **kwargs):
        return self.run("manage.py", *args, **kwargs)

    def counts(self):
        return json.loads(self.run("-c", COUNT).stdout)

    def replace(self, name, old, new):
        path = self.path / name
        source = path.read_text()
        assert old in source, f"{name} has no {old!r}"
        path.write_text(source.replace(old, new, 1))

    def add_models(self, module, names, source):
        """app/database/models/<module>.py holding ``source``, its ``names``
        imported into config/app.py and listed after the samples."""
        (self.path / f"app/database/models/{module}.py").write_text(source)
        self.replace(
            "config/app.py",
            "from app.database.models.tag import Tag\n",
            f"from app.database.models.{module} import {', '.join(names)}\n"
            "from app.database.models.tag import Tag\n",
        )
        self.replace(
            "config/app.py",
            "            UserTags,\n",
            "            UserTags,\n"
            + "".join(f"            {name},\n" for name in names),
        )

    def add_shapes(self):
        (self.path / "app/database/lowercasetext.py").write_text(LOWER_CASE_TEXT)
        self.add_models("shapes", SHAPE_NAMES, SHAPES)

    def migrate(self, message, seed="0"):
        versions = self.path / "migrations/versions"
        before = set(versions.glob("*.py"))
        completed = self.manage("db", "migrate", "-m", message, seed=seed)
        (revision,) = set(versions.glob("*.py")) - before
        return revision, completed


@pytest.fixture
def project(baked, tmp_path):
    engine, bake_path, python = baked
    with ExitStack() as cleanup:
        env = {}
        if engine in SERVERS:
            make = cleanup.enter_context(SERVERS[engine].databases())
            env = SERVERS[engine].settings("default", make())
        path = tmp_path / "project"
        shutil.copytree(bake_path, path, ignore=shutil.ignore_patterns("*.db*"))
        yield engine, Project(path, python, env)


def body(source, function):
    return source.split(f"\ndef {function}():\n", 1)[1].split("\ndef ", 1)[0]


def positions(text, *needles):
    found = [text.find(needle) for needle in needles]
    assert -1 not in found, (needles, text)
    return found


def test_real_schemas_migrate_and_come_back_with_their_rows(project):
    engine, project = project
    project.manage("db", "upgrade")
    project.add_shapes()

    # Alembic lists new tables in set order, which the hash seed changes.
    for seed in ("1", "2", "3"):
        revision, completed = project.migrate("Shapes", seed=seed)
        source = revision.read_text()
        upgrade, downgrade = body(source, "upgrade_"), body(source, "downgrade_")
        creates = [f"op.create_table('{name}'" for name in SHAPE_TABLES]
        shelves, books, pages, writers, drafts = positions(upgrade, *creates)
        assert shelves < books < pages and writers < drafts
        (cycle_key,) = re.findall(
            r"create_foreign_key\((?:batch_op\.f\()?'(\w+)'", upgrade
        )
        assert cycle_key == "fk_writers_first_draft_id_drafts"
        assert upgrade.index("create_foreign_key") > max(writers, drafts)
        drops = [f"op.drop_table('{name}')" for name in SHAPE_TABLES]
        shelves, books, pages, writers, drafts = positions(downgrade, *drops)
        assert shelves > books > pages and writers > drafts
        assert downgrade.index("drop_constraint(") < min(writers, drafts)
        assert "import app.database.lowercasetext\n" in source
        assert "setting up autogenerate plugin" not in completed.stderr
        if seed != "3":
            revision.unlink()

    project.manage("db", "upgrade", seed="4")
    project.manage("db", "check")
    project.run("-c", FILL)
    rows = project.counts()
    assert rows["books"] == 3 and rows["drafts"] == 1

    # The foreign key goes, and the index MySQL kept for it: key first.
    project.replace(
        "app/database/models/shapes.py",
        'db.Column(db.Integer, db.ForeignKey("shelves.id"), index=True)',
        "db.Column(db.Integer)",
    )
    # A rename is autogenerated as drop and add: said, not silent.
    project.replace("app/database/models/shapes.py", "number =", "position =")
    second, completed = project.migrate("Loose books", seed="5")
    upgrade = body(second.read_text(), "upgrade_")
    assert upgrade.index("drop_constraint") < upgrade.index("drop_index")
    assert "drops column pages.number and the data in them" in completed.stderr
    warning = upgrade.index("# WARNING: this drops column pages.number")
    assert warning < upgrade.index("drop_column('number')")
    project.manage("db", "upgrade")
    assert project.counts() == rows
    project.manage("db", "check")
    project.manage("db", "downgrade")
    assert project.counts() == rows
    project.manage("db", "upgrade")
    assert project.counts() == rows

    # Every shape dropped (its enum type too), then made again.
    project.manage("db", "downgrade", "0001")
    assert set(project.counts()) == SAMPLE_TABLES
    project.manage("db", "upgrade")
    assert set(project.counts()) == TABLES | set(SHAPE_TABLES)
    project.manage("db", "check")


NOTE_MODEL = """\
from edmunds.database.db import db


class Note(db.Model):
    __tablename__ = "notes"

    id = db.Column(db.Integer, primary_key=True)
"""


# One replica. Every one waits at a gate from the moment its command has
# read where the databases are (its start, see commands.py) until all four
# have: then they go on together, to the lock and past it, however the
# machine schedules four processes on its cores.
AT_THE_GATE = """\
import os, sys, time
from pathlib import Path

import manage
from edmunds.console.manager import Manager
from edmunds.database.migrations import commands

gate, *args = sys.argv[1:]
note_the_start = commands._note_the_start


def noted_then_gate():
    note_the_start()
    Path(gate, f"ready-{os.getpid()}").touch()
    while not Path(gate, "go").exists():
        time.sleep(0.001)


commands._note_the_start = noted_then_gate
Manager(manage.create_app, manage.add_http).run(args)
"""


def together(project, *args, count=4):
    """``manage.py *args`` in ``count`` processes released at once, as
    replicas starting together run them."""
    gate = project.path / "gate"
    gate.mkdir()
    processes = [
        subprocess.Popen(
            [str(project.python), "-c", AT_THE_GATE, str(gate), *args],
            cwd=project.path,
            env=clean_env(**project.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    deadline = time.monotonic() + 120
    while len(list(gate.glob("ready-*"))) < count:
        exited = [p for p in processes if p.poll() is not None]
        assert not exited, exited[0].communicate()[0]
        assert time.monotonic() < deadline, "the replicas did not boot"
        time.sleep(0.01)
    (gate / "go").touch()
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    shutil.rmtree(gate)
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
        assert "Traceback" not in output
    return outputs


def upgrade_together(project):
    return together(project, "db", "upgrade")


def test_replicas_downgrading_at_once_step_once(project):
    engine, project = project
    project.manage("db", "upgrade")
    project.run("-c", ADD_USER)
    # Relative (one step down): all four mean 0004 -> 0003, and only one
    # goes there; the others find it done.
    outputs = together(project, "db", "downgrade")
    steps = [re.findall(r"Running downgrade \S+ -> \w*", out) for out in outputs]
    assert sorted(steps) == [[], [], [], ["Running downgrade 0004 -> 0003"]]
    assert project.manage("db", "current").stdout.split() == ["0003"]
    assert project.counts()["users"] == 1


def test_replicas_upgrading_at_once_migrate_once(project):
    engine, project = project
    outputs = upgrade_together(project)
    assert sum("Running upgrade  -> 0001" in output for output in outputs) == 1
    assert set(project.counts()) == TABLES

    project.add_models("note", ["Note"], NOTE_MODEL)
    project.migrate("Notes")
    outputs = upgrade_together(project)
    # The bake's last revision is 0004: the new one runs once, after it.
    assert sum("Running upgrade 0004 -> " in output for output in outputs) == 1
    assert set(project.counts()) == TABLES | {"notes"}
    assert "(head)" in project.manage("db", "current").stdout


# What is left of SHAPES once Shelf, Book and Page are deleted: pages point at
# books, books at shelves (through an index of their own, which MySQL uses
# for the key); Essay's key to authors, created first, is use_alter all the
# same.
AFTER_SHELVES = (
    "from edmunds.database.db import db\n\n\n"
    + SHAPES[SHAPES.index("class Writer(") :]
    + """

class Author(db.Model):
    __tablename__ = "authors"

    id = db.Column(db.Integer, primary_key=True)


class Essay(db.Model):
    __tablename__ = "essays"

    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("authors.id", use_alter=True))
"""
)


def test_tables_tied_by_foreign_keys_go_child_first_in_both_directions(project):
    engine, project = project
    project.manage("db", "upgrade")
    project.add_shapes()
    project.migrate("Shapes")
    project.manage("db", "upgrade")
    project.run("-c", FILL)

    shapes = project.path / "app/database/models/shapes.py"
    shapes.write_text(AFTER_SHELVES)
    project.replace(
        "config/app.py",
        "from app.database.models.shapes import Shelf, Book, Page, Writer, Draft\n",
        "from app.database.models.shapes import Author, Draft, Essay, Writer\n",
    )
    for gone in ("Shelf", "Book", "Page"):
        project.replace("config/app.py", f"            {gone},\n", "")
    project.replace(
        "config/app.py",
        "            Draft,\n",
        "            Draft,\n            Author,\n            Essay,\n",
    )
    for seed in ("1", "2"):
        revision, _ = project.migrate("Essays, no shelves", seed=seed)
        source = revision.read_text()
        upgrade = body(source, "upgrade_")
        # Children first; a dropped table's indexes go with it.
        pages, books, shelves = positions(
            upgrade,
            *(f"op.drop_table('{name}')" for name in ("pages", "books", "shelves")),
        )
        assert pages < books < shelves
        assert "drop_index" not in upgrade
        # use_alter, to a table created before: out of create_table all the same.
        essays = upgrade.index("op.create_table('essays'")
        assert (
            "sa.ForeignKeyConstraint"
            not in upgrade[essays : upgrade.index(")\n", essays)]
        )
        key = r"\((?:batch_op\.f\()?'(\w+)'"
        assert re.findall("create_foreign_key" + key, upgrade) == [
            "fk_essays_author_id_authors"
        ]
        assert upgrade.index("create_foreign_key") > essays
        downgrade = body(source, "downgrade_")
        assert re.findall("drop_constraint" + key, downgrade) == [
            "fk_essays_author_id_authors"
        ]
        assert downgrade.index("drop_constraint") < min(
            positions(downgrade, "op.drop_table('essays')", "op.drop_table('authors')")
        )
        if seed != "2":
            revision.unlink()

    project.manage("db", "upgrade")
    assert set(project.counts()) == TABLES | {"writers", "drafts", "authors", "essays"}
    project.manage("db", "check")
    project.manage("db", "downgrade")
    assert set(project.counts()) >= {"shelves", "books", "pages"}
    project.manage("db", "upgrade")
    project.manage("db", "check")


# Constraints and indexes that share a first column; a cycle without
# use_alter that a table outside it points into, named to come first; a
# name past every engine's limit.
LEAGUE = """\
from edmunds.database.db import db


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        db.UniqueConstraint("room", "day"),
        db.UniqueConstraint("room", "guest"),
        db.Index(None, "day", "guest"),
        db.Index(None, "day", "room"),
    )

    id = db.Column(db.Integer, primary_key=True)
    room = db.Column(db.Integer, nullable=False)
    day = db.Column(db.Integer, nullable=False)
    guest = db.Column(db.Integer, nullable=False)
    note = db.Column(db.String(20))
    remark = db.Column(db.String(20))


class Fixture(db.Model):
    __tablename__ = "fixtures"

    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.Integer, db.ForeignKey("teams.id"))


class Player(db.Model):
    __tablename__ = "players"

    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.Integer, db.ForeignKey("teams.id"))


class Team(db.Model):
    __tablename__ = "teams"

    id = db.Column(db.Integer, primary_key=True)
    captain_id = db.Column(db.Integer, db.ForeignKey("players.id"))


class Registration(db.Model):
    __tablename__ = "registrations_of_players_for_the_whole_season"
    __table_args__ = (
        db.UniqueConstraint("player_identifier", "season_identifier"),
    )

    id = db.Column(db.Integer, primary_key=True)
    player_identifier = db.Column(db.Integer, nullable=False)
    season_identifier = db.Column(db.Integer, nullable=False)
"""
LEAGUE_NAMES = ("Booking", "Fixture", "Player", "Team", "Registration")
LEAGUE_ROWS = """
from sqlalchemy import text
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap().app_context():
    for statement in (
        "INSERT INTO bookings (id, room, day, guest, note) VALUES (1, 1, 1, 1, 'a')",
        "INSERT INTO bookings (id, room, day, guest) VALUES (2, 1, 2, 2)",
        "INSERT INTO teams (id) VALUES (1)",
        "INSERT INTO players (id, team_id) VALUES (1, 1)",
        "UPDATE teams SET captain_id = 1",
        "INSERT INTO fixtures (id, team_id) VALUES (1, 1)",
    ):
        db.session.execute(text(statement))
    db.session.commit()
"""


def revisions_under_seeds(project, message, seeds=("1", "2", "3")):
    """The revision `db migrate` writes, which must read the same under
    every hash seed: its upgrade and downgrade, and the file kept last."""
    bodies = set()
    for seed in seeds:
        revision, _ = project.migrate(message, seed=seed)
        source = revision.read_text()
        bodies.add((body(source, "upgrade_"), body(source, "downgrade_")))
        if seed != seeds[-1]:
            revision.unlink()
    assert len(bodies) == 1, bodies
    return bodies.pop()


def test_names_hold_every_column_and_revisions_read_the_same_under_any_seed(
    project,
):
    engine, project = project
    project.manage("db", "upgrade")
    project.add_models("league", LEAGUE_NAMES, LEAGUE)
    upgrade, downgrade = revisions_under_seeds(project, "League")
    for name in (
        "uq_bookings_room_day",
        "uq_bookings_room_guest",
        "ix_bookings_day_guest",
        "ix_bookings_day_room",
    ):
        assert f"'{name}'" in upgrade, name
    # 84 bytes in full: its first 54 and a digest of the whole, 63 bytes on
    # every engine.
    assert "'uq_registrations_of_players_for_the_whole_season_playe_6de059bb'" in (
        upgrade
    )
    # The cycle is broken at one of its own keys; the key from fixtures,
    # outside it, stays in its create_table.
    key = r"create_foreign_key\((?:batch_op\.f\()?'(\w+)'"
    assert re.findall(key, upgrade) == ["fk_players_team_id_teams"]
    fixtures, players, teams = positions(
        upgrade, *(f"op.create_table('{n}'" for n in ("fixtures", "players", "teams"))
    )
    assert players < teams < fixtures
    project.manage("db", "upgrade")
    project.manage("db", "check")
    project.run("-c", LEAGUE_ROWS)
    rows = project.counts()

    # A table gains three keys and loses two columns: set order in Alembic.
    league = project.path / "app/database/models/league.py"
    source = league.read_text()
    source = source.replace(
        "    note = db.Column(db.String(20))\n    remark = db.Column(db.String(20))\n",
        "",
    )
    fixture_team = '    team_id = db.Column(db.Integer, db.ForeignKey("teams.id"))\n'
    source = source.replace(
        fixture_team + "\n\nclass Player",
        fixture_team
        + '    home_id = db.Column(db.Integer, db.ForeignKey("teams.id"))\n'
        '    away_id = db.Column(db.Integer, db.ForeignKey("teams.id"))\n'
        '    referee_id = db.Column(db.Integer, db.ForeignKey("players.id"))\n'
        "\n\nclass Player",
    )
    league.write_text(source)
    upgrade, _ = revisions_under_seeds(project, "Fixture sides")
    assert re.findall(key, upgrade) == [
        "fk_fixtures_away_id_teams",
        "fk_fixtures_home_id_teams",
        "fk_fixtures_referee_id_players",
    ]
    project.manage("db", "upgrade")
    project.manage("db", "check")
    assert project.counts() == rows
    project.manage("db", "downgrade")
    assert project.counts() == rows
    project.manage("db", "upgrade")
    project.manage("db", "check")
