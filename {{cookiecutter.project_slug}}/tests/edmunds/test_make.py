import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edmunds.console.generators.names import MAX_NAME
from edmunds.console.manager import Manager
from edmunds.console.providers.consoleserviceprovider import ConsoleServiceProvider
from edmunds.database.providers.migrateserviceprovider import (
    MigrateServiceProvider,
)

PROJECT = Path(__file__).parents[2]
CONFIG = """\
from app.database.models.tag import Tag
from app.database.models.user import User
from edmunds.database.drivers.sqlitememory import SqliteMemory

APP = {
    "database": {
        "enabled": True,
        # Where a bake puts User and Tag on an instance of their own too.
        "instances": [
            {"name": "default", "driver": SqliteMemory},
            {"name": "users_database", "driver": SqliteMemory},
        ],
        "modelsandtables": [
            User,
            Tag,
        ],
    },
    "console": {
        "commands": [],
    },
}
"""


@pytest.fixture
def project(make_app):
    app = make_app({"config/app.py": CONFIG})
    app.register(MigrateServiceProvider)
    app.register(ConsoleServiceProvider)
    return app


def make(app, capsys, *args):
    """Run ``make ARGS`` on ``app``: its exit code and error lines."""
    with pytest.raises(SystemExit) as exit_info:
        Manager(lambda: app).run(["make", *args])
    return exit_info.value.code, capsys.readouterr().err.splitlines()


def written(app):
    root = Path(app.root_path)
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def ruff(root, *args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "config", "app"],
        cwd=root,
        capture_output=True,
        text=True,
    )


def test_what_make_writes_passes_ruff_for_names_of_any_accepted_length(project, capsys):
    root = Path(project.root_path)
    shutil.copy(PROJECT / "pyproject.toml", root)
    # From 14 characters a command's message passes 88 columns, from 28 an
    # import does, from 55 even the first line of the import wrapped; a
    # table's NAME takes 63 at most (its table is NAME in snake case).
    for length in (1, 14, 28, 55, 63, MAX_NAME):
        for args in (
            ["model", "M" + "x" * (length - 1), "--table", f"m{length}"],
            ["seeder", "S" + "x" * (length - 1)],
            ["command", "c" * length],
        ):
            assert make(project, capsys, *args) == (0, []), args
    for length in (1, 28, 63):
        args = ["table", "T" + "x" * (length - 1), "--between", "User", "Tag"]
        assert make(project, capsys, *args) == (0, []), args

    for args in (["check"], ["format", "--check"]):
        completed = ruff(root, *args)
        assert completed.returncode == 0, completed.stdout + completed.stderr
    assert len(list(root.glob("app/**/*.py"))) == 3 * 6 + 3


def test_a_name_too_long_for_the_file_system_is_one_line_and_writes_nothing(
    project, capsys, monkeypatch
):
    before = written(project)
    # A file system holding names of 12 bytes at most.
    monkeypatch.setattr(os, "pathconf", lambda path, name: 12)

    code, errors = make(project, capsys, "model", "LongerName", "--table", "t")

    assert (code, errors) == (
        1,
        [
            "Error: app/database/models/longername.py would be a file name of 13 "
            "bytes, and this file system holds 12: pick a shorter name"
        ],
    )
    assert written(project) == before


@pytest.mark.parametrize(
    "args",
    # Past 255 bytes, the file system's limit, too (a table name of 300
    # characters is refused as such).
    [
        ["model", "M" * 300, "--table", "t"],
        ["seeder", "S" * 300],
        ["command", "c" * 300],
    ],
)
def test_a_name_past_the_longest_is_one_line_and_writes_nothing(project, capsys, args):
    before = written(project)

    code, errors = make(project, capsys, *args)

    assert code == 1 and len(errors) == 1, errors
    assert f"has 300 characters: at most {MAX_NAME}" in errors[0]
    assert written(project) == before


def test_a_config_that_cannot_be_written_leaves_no_new_file(
    project, capsys, monkeypatch
):
    before = written(project)
    open_path = Path.open

    def full_disk(path, mode="r", *args, **kwargs):
        if path.name == "app.py" and "w" in mode:
            raise OSError(28, "No space left on device")
        return open_path(path, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full_disk)

    code, errors = make(project, capsys, "model", "Post")

    assert code == 1
    assert errors == [
        f"Error: cannot write {project.root_path}/config/app.py: "
        "No space left on device"
    ]
    assert written(project) == before
