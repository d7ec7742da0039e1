"""scripts/bake.sh, the README's first command: a bake brought up on SQLite."""

import os
import sqlite3
import subprocess

import pytest

from conftest import TEMPLATE_DIR, call, clean_env, free_port, serving

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


def test_one_command_bakes_migrates_tests_and_serves(tmp_path):
    port = free_port()
    output = tmp_path / "output.txt"
    command = f"bash {SCRIPT} 2>&1 | tee {output}"

    env = script_env(FLASK_RUN_PORT=str(port))
    with serving(command, tmp_path, env, port, timeout=300) as url:
        assert call(f"{url}/up")[0] == 200
        assert call(f"{url}/api/users", "POST", {"name": "Ada"})[0] == 201

    project = tmp_path / "baked" / "my_edmunds_app"
    text = output.read_text()
    assert " passed in " in text and " failed" not in text, text
    assert f"Serving {project} on http://127.0.0.1:{port}/" in text
    with sqlite3.connect(project / "storage/database/my_edmunds_app.db") as db:
        assert db.execute("SELECT name FROM users").fetchall() == [("Ada",)]


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
    completed = subprocess.run(
        ["bash", str(SCRIPT), "--no-run", *answers],
        cwd=tmp_path,
        env=script_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and error in lines[0], completed.stderr
    assert os.listdir(tmp_path) == []
