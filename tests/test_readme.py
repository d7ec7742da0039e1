"""The baked README, followed to the letter by a newcomer."""

import json
import os
import re
import textwrap

import pytest

from conftest import (
    bake,
    call,
    clean_env,
    free_port,
    project_python,
    run,
    serving,
)

pytestmark = pytest.mark.xdist_group("readme")


@pytest.fixture(scope="module")
def project(cookies_session):
    return bake(cookies_session, project_name="Read Me")


@pytest.fixture(scope="module")
def python(project):
    return project_python(project)


def section(project, title):
    readme = (project / "README.md").read_text()
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert match, f"README.md has no section {title!r}"
    return match.group(1)


def code_blocks(text, language):
    return [
        textwrap.dedent(block)
        for block in re.findall(rf"^ *```{language}\n(.*?)^ *```", text, re.M | re.S)
    ]


def test_the_readme_covers_what_a_newcomer_needs(project):
    layout = section(project, "The layout")
    for folder in ("config/", "bootstrap/", "app/", "edmunds/", "migrations/"):
        assert f"| `{folder}" in layout
    assert "| `storage/` |" in layout
    configuration = section(project, "Configuration per environment")
    for name in (".env.py", "APP_ENV", ".env.<APP_ENV>.py"):
        assert f"`{name}`" in configuration
    model = section(project, "Adding a model")
    for step in ("modelsandtables", "db migrate", "db upgrade"):
        assert step in model
    assert section(project, "Adding a database instance")
    production = section(project, "Running in production")
    (commands,) = code_blocks(production, "bash")
    assert commands.index("db upgrade") < commands.index("gunicorn")


OPERATIONS = """
import json
from bootstrap.app import bootstrap

paths = bootstrap().test_client().get("/api/openapi.json").get_json()["paths"]
print(json.dumps([[method.upper(), path] for path, item in paths.items()
                  for method in item if method != "parameters"]))
"""


def test_the_api_table_lists_every_endpoint_and_points_to_the_docs(project, python):
    api = section(project, "The API")
    assert "/api/docs" in api.split("|")[0]  # before the table
    operations = json.loads(run(project, python, "-c", OPERATIONS).stdout)

    def placeholders(path):
        return re.sub(r"[{<]\w+[}>]", "<>", path)

    rows = {placeholders(row) for row in re.findall(r"^\| `([A-Z]+ [^`]+)`", api, re.M)}
    assert operations
    for method, path in operations:
        assert placeholders(f"{method} {path}") in rows, (method, path)


def test_clone_to_green_tests_and_a_running_app_in_five_commands(project, tmp_path):
    (commands,) = code_blocks(section(project, "Get it running"), "bash")
    lines = commands.strip().splitlines()
    assert len(lines) <= 5
    assert lines[0].startswith("git clone <repository-url> ")
    script = commands.replace("<repository-url>", str(project))
    port = free_port()
    env = clean_env(FLASK_RUN_PORT=str(port))  # `run` reads its port from here

    # Every command as written, in a fresh venv: pip installs from the index.
    with serving(f"set -e\n{script}", tmp_path, env, port, timeout=540) as url:
        assert call(f"{url}/api/users", "POST", {"name": "Ada"})[0] == 201
        assert call(f"{url}/api/users")[1]["total"] == 1
    assert (tmp_path / "read_me" / ".venv").is_dir()


def test_the_production_commands_serve_the_app(project, python):
    (commands,) = code_blocks(section(project, "Running in production"), "bash")
    assert "127.0.0.1:8000" in commands
    port = free_port()
    script = commands.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    path = f"{python.parent}{os.pathsep}{os.environ['PATH']}"

    with serving(f"set -e\n{script}", project, clean_env(PATH=path), port) as url:
        assert call(f"{url}/api/tags", "POST", {"name": "math"})[0] == 201


NOTE_MODEL = """\
from edmunds.database.db import db


class Note(db.Model):
    __tablename__ = "notes"
    __bind_key__ = "archive"

    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text, nullable=False)
"""


def test_adding_a_database_instance_as_the_readme_says(cookies):
    project = bake(cookies, project_name="Two Databases")
    python = project_python(project)
    steps = section(project, "Adding a database instance")
    (instance,) = code_blocks(steps, "python")
    testing_line = re.search(r"\(`(DB_ARCHIVE_FILE = .*?)`\)", steps).group(1)

    config = project / "config/app.py"
    source = config.read_text()
    last_instance_end = "            },\n        ],\n"
    assert source.count(last_instance_end) == 1
    source = source.replace(
        last_instance_end,
        "            },\n" + textwrap.indent(instance, " " * 12) + "        ],\n",
    )
    source = source.replace(
        "from app.database.models.tag import Tag\n",
        "from app.database.models.note import Note\n"
        "from app.database.models.tag import Tag\n",
    ).replace("            UserTags,\n", "            UserTags,\n            Note,\n")
    config.write_text(source)
    (project / "app/database/models/note.py").write_text(NOTE_MODEL)
    with (project / ".env.testing.py").open("a") as env_testing:
        env_testing.write(testing_line + "\n")

    baked_revisions = len(list((project / "migrations/versions").glob("*.py")))
    run(project, python, "manage.py", "db", "upgrade")
    run(project, python, "manage.py", "db", "migrate", "-m", "Add notes")
    (revision,) = (project / "migrations/versions").glob("*_add_notes.py")
    assert "def upgrade_archive():" in revision.read_text()
    run(project, python, "manage.py", "db", "upgrade")
    run(project, python, "manage.py", "db", "check")
    assert (project / "storage/database/archive.db").is_file()
    # Nothing changed since: no new revision.
    run(project, python, "manage.py", "db", "migrate", "-m", "Nothing")
    revisions = len(list((project / "migrations/versions").glob("*.py")))
    assert revisions == baked_revisions + 1  # the bake's, then "Add notes"
    completed = run(project, python, "-m", "pytest", "-p", "no:cacheprovider")
    assert " passed" in completed.stdout
    assert (project / "storage/database/archive-testing.db").is_file()
