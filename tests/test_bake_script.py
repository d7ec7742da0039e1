"""scripts/bake.sh, the README's first command: a bake brought up on SQLite."""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from test_interrupted_bake import interrupt, slow_git

from conftest import (
    TEMPLATE_DIR,
    call,
    clean_env,
    free_port,
    serving,
    token_for,
    unavailable,
)

SCRIPT = TEMPLATE_DIR / "scripts" / "bake.sh"


def script_env(**overrides):
    env = clean_env(
        # scripts/test.sh synced the template's .venv already.
        EDMUNDS_TEMPLATE_NO_SYNC="1",
        **overrides,
    )
    # As a user's shell has it: Python writes bytecode.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def script(cwd, *arguments, timeout=120):
    """scripts/bake.sh with these arguments, run from ``cwd``."""
    return subprocess.run(
        ["bash", str(SCRIPT), *arguments],
        cwd=cwd,
        env=script_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def path_without_uv():
    """PATH as a new machine's shell has it: no folder that holds a uv."""
    folders = os.environ["PATH"].split(os.pathsep)
    kept = [folder for folder in folders if not (Path(folder) / "uv").exists()]
    # Where uv shares /usr/bin or ~/.local/bin with the shell's own tools,
    # taking it away takes them too (scripts/test.sh puts uv in a folder
    # of its own first, as CI runs it).
    for tool in ("bash", "python3", "tee", "git"):
        if shutil.which(tool, path=os.pathsep.join(kept)) is None:
            unavailable(f"uv shares its folder with {tool}: no PATH lacks uv alone")
    return os.pathsep.join(kept)


def test_one_command_bakes_migrates_tests_and_serves(tmp_path):
    port = free_port()
    output = tmp_path / "output.txt"
    command = f"bash {SCRIPT} 2>&1 | tee {output}"

    env = script_env(FLASK_RUN_PORT=str(port), PATH=path_without_uv())
    project = tmp_path / "baked" / "my_edmunds_app"
    with serving(command, tmp_path, env, port, timeout=300) as url:
        assert call(f"{url}/up")[0] == 200
        assert call(f"{url}/api/users", "POST", {"name": "Ada"})[0] == 401
        # A user made by the console of the project's own venv, as its
        # README makes one.
        token = token_for(project, project / ".venv/bin/python", url)
        assert call(f"{url}/api/users", "POST", {"name": "Ada"}, token)[0] == 201

    text = output.read_text()
    assert " passed in " in text and " failed" not in text, text
    assert f"Serving {project} on http://127.0.0.1:{port}/" in text
    with sqlite3.connect(project / "storage/database/my_edmunds_app.db") as db:
        names = db.execute("SELECT name FROM users ORDER BY id").fetchall()
        assert names == [("admin",), ("Ada",)]
    # The baked README's "uv ..." commands need a uv this shell lacks.
    folder = re.search(r'export PATH="([^"]+):\$PATH"', text)
    assert folder and (Path(folder.group(1)) / "uv").is_file(), text

    # The same command again, as a user who forgot the first one would.
    (project / "notes.txt").write_text("mine")
    before = sorted(project.rglob("*"))
    again = subprocess.run(
        ["bash", str(SCRIPT), "--no-run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 1
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1, again.stderr
    assert lines[0] == (
        f'bake failed: "{project}" directory already exists; nothing was changed '
        "there. Bake into another folder: scripts/bake.sh OTHER_FOLDER"
    )
    assert sorted(project.rglob("*")) == before
    assert (project / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        (["databse=postgresql"], "no question is named 'databse'"),
        (["out", "docker=maybe"], "docker could not be converted to a boolean"),
        (["oops", "later"], "'later' is no answer"),
        (["database=oracle"], "database is 'oracle'; choose one of"),
    ],
)
def test_a_bad_answer_is_one_line_and_makes_nothing(tmp_path, answers, error):
    completed = script(tmp_path, "--no-run", *answers)

    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and error in lines[0], completed.stderr
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_prints_the_usage_and_bakes_nothing(tmp_path, option):
    completed = script(tmp_path, option)

    assert completed.returncode == 0, completed.stderr
    assert "scripts/bake.sh [--no-run] [OUTPUT_DIR] [answer=value ...]" in (
        completed.stdout
    )
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("arguments", "option"),
    [(["--bogus"], "--bogus"), (["--no-run", "--out", "x"], "--out")],
)
def test_an_unknown_option_is_one_line_and_makes_nothing(tmp_path, arguments, option):
    # Once taken for the output folder: a project baked into ./--bogus.
    completed = script(tmp_path, *arguments)

    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        f"bake failed: unknown option {option} (scripts/bake.sh --help)"
    ]
    assert os.listdir(tmp_path) == []


def test_ctrl_c_during_the_bake_is_one_line_and_deletes_nothing(tmp_path):
    env = script_env(**slow_git(tmp_path, "init"))
    code, _, stderr = interrupt(
        ["bash", str(SCRIPT), "--no-run"], tmp_path, env, tmp_path / "reached"
    )
    project = tmp_path / "baked" / "my_edmunds_app"
    assert code == 130
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == (
        f"bake interrupted: {project} is half made; delete that folder and bake again"
    )
    assert (project / "manage.py").is_file()
