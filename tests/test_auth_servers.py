"""Authentication where the engine matters: two `auth create-user` at once,
a login that the database must not be asked about, and `db upgrade` killed
in the middle of revision 0004 (MySQL commits each schema change at once),
on SQLite, PostgreSQL and MySQL/MariaDB."""

import subprocess
from contextlib import ExitStack

import pytest

from conftest import bake, clean_env, project_python, run
from servers import SERVERS, on_servers

PASSWORD = "twelve chars long"
ENGINES = [
    pytest.param(engine, marks=on_servers(engine)) for engine in ("sqlite", *SERVERS)
]
# `manage.py ARGS` whose first read of standard input waits until a second
# process has come as far: both have looked for the email before either
# writes (the password is read between the two).
RACE = """\
import glob, io, os, runpy, sys, time

barrier = sys.argv.pop(1)


class Barrier(io.StringIO):
    def readline(self, *args):
        open(f"{barrier}.{os.getpid()}", "w").close()
        deadline = time.monotonic() + 60
        while len(glob.glob(barrier + ".*")) < 2:
            if time.monotonic() > deadline:
                # Met alone, the two would not race: the test must not pass.
                sys.exit("barrier: the other command never came")
            time.sleep(0.02)
        return super().readline(*args)


sys.stdin = Barrier(sys.stdin.read())
sys.path.insert(0, os.getcwd())
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""
# `manage.py db upgrade` (or argv[2:]), killed (SIGKILL) just before the
# first statement that holds the text argv[1]: no handler, no rollback, what
# a lost container or an OOM kill leaves.
KILLED_UPGRADE = """\
import os, runpy, signal, sys

from sqlalchemy import event
from sqlalchemy.engine import Engine

text = sys.argv.pop(1)


@event.listens_for(Engine, "before_cursor_execute")
def kill(conn, cursor, statement, *args):
    if text in statement:
        os.kill(os.getpid(), signal.SIGKILL)


sys.path.insert(0, os.getcwd())
sys.argv = ["manage.py", *(sys.argv[1:] or ["db", "upgrade"])]
runpy.run_path("manage.py", run_name="__main__")
"""
OLD_USERS = """\
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap(http=False).app_context():
    db.session.execute(
        db.text("INSERT INTO users (id, name) VALUES (:id, :name)"),
        [{"id": id_, "name": f"old {id_}"} for id_ in range(1, 2501)],
    )
    db.session.commit()
"""
USERS = """\
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap(http=False).app_context():
    print(*db.session.execute(db.text(
        "SELECT count(*), count(fs_uniquifier), count(DISTINCT fs_uniquifier), "
        "count(DISTINCT name) FROM users"
    )).one())
"""
LOGIN = """\
from bootstrap.app import bootstrap

client = bootstrap().test_client()
for email in ["ada\\x00@example.com", "a" * 100000 + "@example.com", "ADA@example.com"]:
    body = {"email": email, "password": "twelve chars long"}
    print(client.post("/api/auth/login", json=body).status_code)
"""


@pytest.fixture(scope="module", params=ENGINES)
def engine_project(request, cookies_session):
    engine = request.param
    if engine in SERVERS:
        SERVERS[engine].admin()  # skips now if the server is absent
    project = bake(
        cookies_session, project_name=f"Auth On {engine.title()}", database=engine
    )
    return engine, project, project_python(project)


@pytest.fixture
def database(engine_project):
    """A fresh, empty database of the project's engine: its settings."""
    engine, project, python = engine_project
    with ExitStack() as cleanup:
        if engine in SERVERS:
            make = cleanup.enter_context(SERVERS[engine].databases())
            yield SERVERS[engine].settings("default", make())
        else:
            for old in (project / "storage/database").glob("*.db*"):
                if "testing" not in old.name:
                    old.unlink()
            yield {}


def manage(engine_project, settings, *args, stdin=None, check=True):
    _, project, python = engine_project
    return run(
        project,
        python,
        "manage.py",
        *args,
        env=clean_env(**settings),
        stdin=stdin,
        check=check,
    )


def script(engine_project, settings, source, *args, check=True):
    _, project, python = engine_project
    return run(
        project, python, "-c", source, *args, env=clean_env(**settings), check=check
    )


@pytest.mark.parametrize(
    "emails",
    [("ann@example.com", "ann@example.com"), ("Ann@example.com", "ann@example.com")],
)
def test_two_create_user_at_once_make_one_user(
    engine_project, database, tmp_path, emails
):
    _, project, python = engine_project
    manage(engine_project, database, "db", "upgrade")
    # From a file, so that both have their standard input at once: fed one
    # after the other through pipes, the second read nothing until the
    # first had finished, and the two never met at the barrier.
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n")
    with password.open() as first, password.open() as second:
        processes = [
            subprocess.Popen(
                [str(python), "-c", RACE, str(tmp_path / "barrier")]
                + ["auth", "create-user", email, "--password-stdin"],
                cwd=project,
                env=clean_env(**database),
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for email, stdin in zip(emails, (first, second), strict=True)
        ]
        answers = [process.communicate(timeout=300) for process in processes]
    codes = sorted(process.returncode for process in processes)

    assert codes == [0, 1], answers
    refusal = [
        err for (_, err), p in zip(answers, processes, strict=True) if p.returncode
    ][0]
    assert len(refusal.strip().splitlines()) == 1, refusal
    assert "Traceback" not in refusal and "ann@example.com" in refusal.lower()
    count = script(engine_project, database, USERS).stdout.split()
    assert count[0] == "1"


def test_a_login_never_asks_the_database_about_what_is_no_email(
    engine_project, database
):
    manage(engine_project, database, "db", "upgrade")
    manage(
        engine_project,
        database,
        "auth",
        "create-user",
        "ada@example.com",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    answers = script(engine_project, database, LOGIN).stdout.split()

    assert answers == ["401", "401", "200"]


@pytest.mark.parametrize(
    "killed_before",
    [
        # ALTER TABLE ... ADD COLUMN on MySQL and PostgreSQL, the copy of the
        # table on SQLite.
        "password VARCHAR",
        "UPDATE users SET fs_uniquifier",
        "uq_users_fs_uniquifier",
        "UPDATE alembic_version",
    ],
)
def test_a_killed_upgrade_to_0004_ends_right_when_run_again(
    engine_project, database, killed_before
):
    manage(engine_project, database, "db", "upgrade", "0003")
    script(engine_project, database, OLD_USERS)

    killed = killed_at(engine_project, database, killed_before)
    assert killed.returncode == -9, killed.stderr
    manage(engine_project, database, "db", "upgrade")

    assert script(engine_project, database, USERS).stdout.split() == ["2500"] * 4
    checked = manage(engine_project, database, "db", "check")
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr


@pytest.mark.parametrize(
    "killed_before", ["DROP TABLE roles", "DROP TABLE login_failures"]
)
def test_a_killed_downgrade_from_0004_ends_right_when_run_again(
    engine_project, database, killed_before
):
    manage(engine_project, database, "db", "upgrade", "0003")
    script(engine_project, database, OLD_USERS)
    manage(engine_project, database, "db", "upgrade")

    killed = killed_at(
        engine_project, database, killed_before, "db", "downgrade", "0003"
    )
    assert killed.returncode == -9, killed.stderr
    manage(engine_project, database, "db", "downgrade", "0003")
    manage(engine_project, database, "db", "upgrade")

    assert script(engine_project, database, USERS).stdout.split() == ["2500"] * 4
    checked = manage(engine_project, database, "db", "check")
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr


def killed_at(engine_project, settings, text, *args):
    """KILLED_UPGRADE, whose end by SIGKILL its fork server reports (-9)."""
    return script(engine_project, settings, KILLED_UPGRADE, text, *args, check=False)
