"""The documented console commands, verbatim, in a freshly baked project."""

import hashlib
import re
import sqlite3
import subprocess

import pytest

from conftest import bake, call, clean_env, free_port, project_python, run, serving

pytestmark = pytest.mark.xdist_group("commands")

COMMENT_MODEL = """\
from edmunds.database.db import db


class Comment(db.Model):
    __tablename__ = "comments"

    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text, nullable=False)
"""


@pytest.fixture(scope="module")
def project(cookies_session):
    return bake(cookies_session, project_name="Command Sequence")


@pytest.fixture(scope="module")
def python(project):
    return project_python(project)


# What the bake's revisions make: the sample models', and who may log in.
SCHEMA = {"users", "tags", "user_tags", "roles", "user_roles", "login_failures"}


def tables(project):
    path = project / "storage/database/command_sequence.db"
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {name for (name,) in rows} - {"alembic_version"}


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def add_comment_model(project):
    """Add a Comment model the way the baked README says."""
    (project / "app/database/models/comment.py").write_text(COMMENT_MODEL)
    config = project / "config/app.py"
    source = config.read_text()
    source = source.replace(
        "from app.database.models.tag import Tag\n",
        "from app.database.models.comment import Comment\n"
        "from app.database.models.tag import Tag\n",
    ).replace(
        "            UserTags,\n", "            UserTags,\n            Comment,\n"
    )
    config.write_text(source)


def manage(project, python, *args, **kwargs):
    return run(project, python, "manage.py", *args, **kwargs)


def test_the_documented_sequence_works_on_sqlite(project, python):
    help_text = manage(project, python, "db", "--help").stdout
    for command in ("init", "migrate", "upgrade", "downgrade", "check"):
        assert command in help_text

    manage(project, python, "db", "upgrade")
    assert tables(project) == SCHEMA
    manage(project, python, "db", "check")

    # A new model, listed in modelsandtables, gets a revision of its own.
    add_comment_model(project)
    manage(project, python, "db", "migrate", "-m", "Added some tables")
    (revision,) = [
        path
        for path in (project / "migrations/versions").glob("*.py")
        if "added_some_tables" in path.name
    ]
    body = revision.read_text()
    assert body.count("op.create_table(") == 1
    assert "op.create_table('comments'" in body

    manage(project, python, "db", "upgrade")
    assert tables(project) == SCHEMA | {"comments"}
    manage(project, python, "db", "check")

    manage(project, python, "db", "downgrade")
    assert tables(project) == SCHEMA


def test_db_init_says_migrations_exist_and_changes_nothing(project, python):
    before = tree_digest(project / "migrations")

    completed = manage(project, python, "db", "init", "--multidb")

    lines = completed.stdout.strip().splitlines()
    assert len(lines) == 1 and "already initialised for several databases" in lines[0]
    assert completed.stderr.strip() == ""
    assert tree_digest(project / "migrations") == before


def test_flask_cli_reaches_the_same_app(project, python):
    manage(project, python, "db", "upgrade")
    flask = python.parent / "flask"
    completed = subprocess.run(
        [str(flask), "--app", "wsgi", "db", "current"],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert "(head)" in completed.stdout


def test_routes_lists_the_app(project, python):
    routes = manage(project, python, "routes").stdout
    for endpoint, methods, rule in [
        ("home", "GET", "/"),
        ("users.index", "GET", "/api/users"),
        ("users.create", "POST", "/api/users"),
        ("tags.index", "GET", "/api/tags"),
        ("tags.create", "POST", "/api/tags"),
        ("users.show", "GET", "/api/users/<int:user_id>"),
        ("users.update", "PATCH", "/api/users/<int:user_id>"),
        ("users.delete", "DELETE", "/api/users/<int:user_id>"),
        ("tags.show", "GET", "/api/tags/<int:tag_id>"),
        ("tags.update", "PATCH", "/api/tags/<int:tag_id>"),
        ("tags.delete", "DELETE", "/api/tags/<int:tag_id>"),
        ("usertags.index", "GET", "/api/users/<int:user_id>/tags"),
        ("usertags.attach", "PUT", "/api/users/<int:user_id>/tags/<int:tag_id>"),
        (
            "usertags.detach",
            "DELETE",
            "/api/users/<int:user_id>/tags/<int:tag_id>",
        ),
        ("auth.login", "POST", "/api/auth/login"),
        ("auth.logout", "POST", "/api/auth/logout"),
        ("health.up", "GET", "/up"),
        ("health.ready", "GET", "/ready"),
        ("api-docs.openapi_json", "GET", "/api/openapi.json"),
        ("api-docs.page", "GET", "/api/docs"),
    ]:
        assert re.search(
            rf"^{re.escape(endpoint)}\s+{methods}\s+{re.escape(rule)}\s*$", routes, re.M
        ), endpoint


def test_run_serves_the_app_in_debug_mode(project, python, tmp_path):
    port = free_port()
    log = tmp_path / "run.log"
    command = f"{python} manage.py run --port {port} >{log} 2>&1"
    with serving(command, project, clean_env(), port) as url:
        assert call(f"{url}/") == (200, {"name": "Command Sequence", "status": "ok"})
    # .env.development.py turns DEBUG on: the reloader and debugger with it.
    assert "Debug mode: on" in log.read_text()


def test_secrets_and_databases_stay_out_of_git(project, python):
    manage(project, python, "db", "upgrade")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)

    def ignored(path):
        check = subprocess.run(["git", "check-ignore", "-q", path], cwd=project)
        return check.returncode == 0

    assert (project / "storage/database/command_sequence.db").is_file()
    assert ignored("storage/database/command_sequence.db")
    assert ignored(".env.py")
    assert not ignored("storage/database/.gitkeep")
    assert not ignored(".env.example.py") and not ignored(".env.production.py")
