"""Ctrl-C during a bake: one line saying what is left, and nothing deleted.

Ctrl-C in a terminal reaches every process of the foreground group: here
cookiecutter runs in a session of its own, and the test sends SIGINT to that
whole group, as the terminal would, at a moment it chose: a stand-in `git`
first in PATH tells when it is reached, then waits.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_rebake import Place

from conftest import DEV_TOOLS, TEMPLATE_DIR, clean_env

# `git SUBCOMMAND` for the WAIT_AT-th time: say so in a file, then wait for
# Ctrl-C; anything else is the real git.
SLOW_GIT = """\
#!/bin/sh
if [ "$1" = "$WAIT_FOR" ]; then
    count=$(cat "$SEEN" 2>/dev/null || echo 0)
    count=$((count + 1))
    echo "$count" >"$SEEN"
    if [ "$count" = "$WAIT_AT" ]; then touch "$REACHED"; sleep 60; fi
fi
exec {git} "$@"
"""


def slow_git(folder, subcommand, at=1):
    """Settings that make ``git SUBCOMMAND`` wait, the ``at``-th time."""
    bin_dir = folder / "slow-git"
    bin_dir.mkdir(exist_ok=True)
    git = bin_dir / "git"
    git.write_text(
        SLOW_GIT.format(
            git=subprocess.check_output(["which", "git"], text=True).strip()
        )
    )
    git.chmod(0o755)
    for name in ("seen", "reached"):
        (folder / name).unlink(missing_ok=True)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "WAIT_FOR": subcommand,
        "WAIT_AT": str(at),
        "SEEN": str(folder / "seen"),
        "REACHED": str(folder / "reached"),
    }


def interrupt(command, cwd, env, reached, timeout=120):
    """Run ``command`` in a group of its own; Ctrl-C it once ``reached`` exists."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while not Path(reached).exists():
        if process.poll() is not None:
            pytest.fail(f"ended before it was interrupted: {process.communicate()}")
        assert time.monotonic() < deadline, "the slow git was never reached"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr


def said_once(stderr, line):
    assert "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == line, stderr
    assert stderr.count("bake interrupted") == 1, stderr


def test_ctrl_c_in_the_hooks_leaves_the_half_made_folder_and_says_so(tmp_path):
    place = Place(tmp_path)
    env = {**place.env, **slow_git(tmp_path, "init")}
    command = [str(DEV_TOOLS / "cookiecutter"), "--no-input", "-o", str(tmp_path)]
    code, _, stderr = interrupt(
        [*command, str(TEMPLATE_DIR), "project_name=Shop Front"],
        tmp_path,
        env,
        tmp_path / "reached",
    )
    assert code == 130
    said_once(
        stderr,
        f"bake interrupted: {place.project} is half made; delete that folder "
        "and bake again",
    )
    # Kept as it is (the user may have put something there meanwhile), and
    # the way out works.
    assert (place.project / "manage.py").is_file()
    assert not (place.project / ".git").exists()
    subprocess.run(["rm", "-r", str(place.project)], check=True)
    again = place.bake()
    assert again.returncode == 0, again.stderr
    assert (place.project / ".git").is_dir()


def test_ctrl_c_while_baking_over_a_project_deletes_none_of_it(tmp_path):
    place = Place(tmp_path)
    first = place.bake()
    assert first.returncode == 0, first.stderr
    place.commit("Our own work", **{"app/own.py": "OURS = 1\n"})
    history = place.history()
    # The pre-gen hook's check for uncommitted work, the second `git status`
    # of a rebake (cookiecutter's own process runs the first).
    env = {**place.env, **slow_git(place.root, "status", at=2)}
    command = [str(DEV_TOOLS / "cookiecutter"), "--no-input", "-f", "-o"]
    code, _, stderr = interrupt(
        [*command, str(place.root), str(TEMPLATE_DIR), "project_name=Shop Front"],
        place.root,
        env,
        place.root / "reached",
    )
    assert code == 130
    said_once(
        stderr,
        f"bake interrupted: {place.project} was there before this bake, which "
        "wrote part of the project into it and deleted nothing; `git status` "
        "there shows what changed (or bake into a new folder)",
    )
    assert (place.project / "app/own.py").read_text() == "OURS = 1\n"
    assert place.history() == history


def test_ctrl_c_at_the_prompts_makes_nothing(tmp_path):
    env = clean_env()
    process = subprocess.Popen(
        [str(DEV_TOOLS / "cookiecutter"), "-o", str(tmp_path), str(TEMPLATE_DIR)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,  # open, and silent: the first prompt waits
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    first = ""
    deadline = time.monotonic() + 60
    while "project_name" not in first.lower() and "project name" not in first.lower():
        assert time.monotonic() < deadline, first
        first += os.read(process.stdout.fileno(), 4096).decode()
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    said_once(stderr, "bake interrupted: nothing was made")
    assert list(tmp_path.iterdir()) == []
