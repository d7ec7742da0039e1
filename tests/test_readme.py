"""The baked README and its docs/ pages, followed to the letter by a newcomer."""

import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import (
    ADMIN_PASSWORD,
    PRE_COMMIT_HOME,
    TEMPLATE_DIR,
    UV,
    assert_baked_suite_passed,
    bake,
    call,
    clean_env,
    free_port,
    interpreter,
    log_in,
    project_python,
    render,
    run,
    serving,
    token_for,
    unavailable,
    uv_env,
)

pytestmark = pytest.mark.xdist_group("readme")


@pytest.fixture(scope="module")
def project(cookies_session):
    return bake(cookies_session, project_name="Read Me")


@pytest.fixture(scope="module")
def python(project):
    return project_python(project)


def section(project, title, page="README.md"):
    """A part of a page, from its heading (# or ##) to the next such heading."""
    text = (project / page).read_text()
    heading = rf"^#{{1,2}} {re.escape(title)}\n(.*?)(?=^#{{1,2}} |\Z)"
    match = re.search(heading, text, re.M | re.S)
    assert match, f"{page} has no section {title!r}"
    return match.group(1)


def code_blocks(text, language):
    return [
        textwrap.dedent(block)
        for block in re.findall(rf"^ *```{language}\n(.*?)^ *```", text, re.M | re.S)
    ]


def test_the_readme_covers_what_a_newcomer_needs(project):
    layout = section(project, "Where things are")
    for folder in ("config/", "bootstrap/", "app/", "edmunds/", "migrations/"):
        assert f"| `{folder}" in layout
    assert "| `storage/` |" in layout and "| `docs/` |" in layout
    configuration = section(
        project, "Configuration per environment", "docs/configuration.md"
    )
    for name in (".env.py", "APP_ENV", ".env.<APP_ENV>.py"):
        assert f"`{name}`" in configuration
    model = section(project, "Adding a model", "docs/migrations.md")
    for step in ("modelsandtables", "db migrate", "db upgrade"):
        assert step in model
    assert section(project, "Adding a database instance", "docs/migrations.md")
    production = section(project, "Running in production", "docs/deployment.md")
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
    api = section(project, "The API", "docs/api.md")
    assert "/api/docs" in api.split("|")[0]  # before the table
    operations = json.loads(run(project, python, "-c", OPERATIONS).stdout)

    def placeholders(path):
        return re.sub(r"[{<]\w+[}>]", "<>", path)

    rows = {placeholders(row) for row in re.findall(r"^\| `([A-Z]+ [^`]+)`", api, re.M)}
    assert operations
    for method, path in operations:
        assert placeholders(f"{method} {path}") in rows, (method, path)


def test_the_curl_examples_run_as_pasted():
    """No `...` left for the reader to fill in: the login's token goes into
    $TOKEN, and every request that needs one sends it from there."""
    template = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    pages = ["README.md"] + [f"docs/{page.name}" for page in template.glob("docs/*.md")]
    curls = [
        command
        for page in pages
        for block in code_blocks(render(f"{template.name}/{page}"), "bash")
        for command in block.replace("\\\n", " ").splitlines()
        if "curl " in command
    ]
    assert any("TOKEN=$(curl " in command for command in curls)
    for command in curls:
        assert "..." not in command, command
        if "Authentication-Token" in command:
            assert '"Authentication-Token: $TOKEN"' in command, command


def the_bakes_python(project):
    version = (project / ".python-version").read_text().strip()
    python = interpreter(version)
    if python is None:
        unavailable(f"no Python {version} on this machine (pyenv install {version})")
    return python


def newcomer_env(project, tmp_path, **settings):
    """A shell where uv is installed and python3 is the bake's Python.

    pyenv's shims stand in the way of both (a shim of a version the folder
    does not select fails), so both are named here, as a newcomer's machine
    would have them.
    """
    python = the_bakes_python(project)
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "python3").symlink_to(python)
    (tools / "uv").symlink_to(UV)
    path = f"{tools}{os.pathsep}{os.environ['PATH']}"
    return uv_env(python, PATH=path, **settings)


def test_clone_to_green_tests_and_a_running_app_in_three_uv_commands(project, tmp_path):
    (commands, *_) = code_blocks(section(project, "Get it running"), "bash")
    lines = commands.strip().splitlines()
    assert lines[0].startswith("git clone <repository-url> ")
    assert len(lines) <= 4 and all(line.startswith("uv ") for line in lines[1:])
    script = commands.replace("<repository-url>", str(project))
    port = free_port()
    # `run` reads its port from FLASK_RUN_PORT.
    env = newcomer_env(project, tmp_path, FLASK_RUN_PORT=str(port))

    clone = tmp_path / "read_me"
    with serving(f"set -e\n{script}", tmp_path, env, port, timeout=540) as url:
        # "Users and tokens" as printed, in a second shell in the clone: a
        # user, a token kept in $TOKEN, the API with it, the logout.
        (users, *_) = code_blocks(section(project, "Users and tokens"), "bash")
        users = users.replace("http://127.0.0.1:5000", url)
        shown = subprocess.run(
            ["bash", "-ec", users + 'printf "\\nTOKEN=%s\\n" "$TOKEN"\n'],
            cwd=clone,
            env=env,
            input=ADMIN_PASSWORD + "\n",  # what `read -s` takes from the keyboard
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shown.returncode == 0, shown.stdout + shown.stderr
        assert re.search(r'"total": ?1\b', shown.stdout), shown.stdout  # the new user
        assert re.search(r'"name": ?"Ada"', shown.stdout), shown.stdout
        token = re.search(r"^TOKEN=(\S+)$", shown.stdout, re.M)[1]
        assert call(f"{url}/api/users", token=token)[0] == 401  # logged out
        token = log_in(url, "you@example.com", ADMIN_PASSWORD)
        assert call(f"{url}/api/users", token=token)[1]["total"] == 2  # and Ada
    assert (clone / ".venv").is_dir()
    # The copy holds secrets: the README's step makes it its owner's alone
    # (the app refuses it otherwise), whatever the umask.
    assert stat.S_IMODE((clone / ".env.py").stat().st_mode) == 0o600
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True
    )
    assert status.stdout == ""  # uv.lock stays as committed


# The pip route ("Get it running", the block with --group dev) is run word
# for word, from a clone to green tests, by the benchmark's "Clone to green
# tests" figure, which test_bench_smoke runs: once is enough for 30 seconds.


def test_the_production_commands_serve_the_app(project, tmp_path):
    production = section(project, "Running in production", "docs/deployment.md")
    (commands,) = code_blocks(production, "bash")
    assert "127.0.0.1:8000" in commands and "--no-dev" in commands
    port = free_port()
    script = commands.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    server = tmp_path / "server"
    subprocess.run(["git", "clone", "-q", str(project), str(server)], check=True)
    env = newcomer_env(project, tmp_path, SECRET_KEY=secrets.token_urlsafe(48))

    with serving(f"set -e\n{script}", server, env, port) as url:
        production_env = {**env, "APP_ENV": "production"}
        python = server / ".venv/bin/python"
        token = token_for(server, python, url, env=production_env)
        assert call(f"{url}/api/tags", "POST", {"name": "math"}, token)[0] == 201
    # What production runs, and nothing a developer alone needs.
    assert (server / ".venv/bin/gunicorn").is_file()
    assert not (server / ".venv/bin/pytest").exists()


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
    steps = section(project, "Adding a database instance", "docs/migrations.md")
    (instance,) = code_blocks(steps, "python")
    testing_line = re.search(r"\(`(DB_ARCHIVE_FILE = .*?)`\)", steps).group(1)

    config = project / "config/app.py"
    source = config.read_text()
    # The end of the database instances (APP["auth"] has instances too).
    last_instance_end = "            },\n        ],\n        # Every model and table"
    assert source.count(last_instance_end) == 1
    source = source.replace(
        last_instance_end,
        "            },\n"
        + textwrap.indent(instance, " " * 12)
        + "        ],\n        # Every model and table",
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
    assert_baked_suite_passed(completed.stdout)
    assert (project / "storage/database/archive-testing.db").is_file()


def test_the_bake_prints_the_readmes_uv_commands(cookies, capfd):
    project = bake(cookies, project_name="Next Steps")
    printed = capfd.readouterr().err
    steps = section(project, "Get it running")
    (commands, *_) = code_blocks(steps, "bash")
    for line in commands.strip().splitlines()[1:]:
        assert f"    {line}\n" in printed, line
    # The README's pre-commit step, word for word.
    (install,) = set(re.findall(r"`(uvx pre-commit@[\w.]+ install)`", steps))
    assert f"    {install}\n" in printed
    assert "pip install -r" not in printed and "requirements" not in printed


def test_the_hooks_step_works_as_printed_without_uvs_tool_folder(cookies, tmp_path):
    """`uvx pre-commit@... install`: uv alone on PATH, no folder of its tools.

    Later commits run the hooks from a shell with no uv at all.
    """
    project = bake(cookies, project_name="Hooks As Printed")
    steps = section(project, "Get it running")
    (install,) = set(re.findall(r"`(uvx pre-commit@[\w.]+ install)`", steps))
    system = os.pathsep.join(["/usr/bin", "/bin"])
    for tool in ("uv", "uvx", "pre-commit"):
        assert shutil.which(tool, path=system) is None, f"{tool} is in {system}"
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("uv", "uvx"):
        (tools / tool).symlink_to(Path(UV).with_name(tool))
    env = uv_env(
        the_bakes_python(project),
        PATH=f"{tools}{os.pathsep}{system}",
        PRE_COMMIT_HOME=str(PRE_COMMIT_HOME),
    )
    subprocess.run(
        ["bash", "-ec", install], cwd=project, env=env, check=True, timeout=300
    )

    (project / "notes.txt").write_text("Trailing blanks.   \n")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@localhost"]
    subprocess.run([*git, "add", "notes.txt"], cwd=project, check=True)
    committed = subprocess.run(
        [*git, "commit", "--quiet", "--message", "Notes"],
        cwd=project,
        env=clean_env(PATH=system, PRE_COMMIT_HOME=str(PRE_COMMIT_HOME)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = committed.stdout + committed.stderr
    assert "not found" not in output, output
    # The hooks ran: one fixed the file and stopped the commit.
    assert committed.returncode == 1, output
    assert re.search(r"^trim trailing whitespace\.+Failed$", output, re.M), output
    assert (project / "notes.txt").read_text() == "Trailing blanks.\n"


def test_the_next_steps_say_how_to_get_uv_where_it_is_missing(
    cookies, capfd, monkeypatch
):
    without_uv = os.pathsep.join(
        folder
        for folder in os.environ["PATH"].split(os.pathsep)
        if not (folder and os.path.exists(os.path.join(folder, "uv")))
    )
    monkeypatch.setenv("PATH", without_uv)
    bake(cookies, project_name="No Uv Yet", init_git=False)
    printed = capfd.readouterr().err
    assert "uv is not installed here: `pipx install uv` or `pip install uv`" in printed

    monkeypatch.undo()
    bake(cookies, project_name="With Uv", init_git=False)
    assert "uv is not installed here" not in capfd.readouterr().err
