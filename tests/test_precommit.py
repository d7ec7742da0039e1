"""pre-commit run --all-files passes where a team first runs it."""

import subprocess

import pytest

from conftest import (
    DEV_TOOLS,
    PRE_COMMIT_HOME,
    bake,
    clean_env,
    copy_template,
    project_python,
)

HOOKS = [
    "ruff check",
    "ruff format",
    "trim trailing whitespace",
    "fix end of files",
    "check yaml",
    "check toml",
    "check for added large files",
    "check for merge conflicts",
]


def pre_commit(pre_commit_bin, repository):
    completed = subprocess.run(
        [str(pre_commit_bin), "run", "--all-files", "--show-diff-on-failure"],
        cwd=repository,
        env=clean_env(PRE_COMMIT_HOME=str(PRE_COMMIT_HOME)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for hook in HOOKS:
        assert any(
            line.startswith(hook) and line.endswith("Passed")
            for line in completed.stdout.splitlines()
        ), f"hook {hook!r} did not run and pass:\n{completed.stdout}"
    changed = subprocess.run(
        ["git", "diff", "--stat"],
        cwd=repository,
        capture_output=True,
        text=True,
        check=True,
    )
    assert changed.stdout == "", "the hooks changed files"


@pytest.mark.xdist_group("pre-commit")
def test_the_hooks_pass_on_a_fresh_bake(cookies):
    project = bake(cookies, project_name="Hooked")
    python = project_python(project)

    pre_commit(python.parent / "pre-commit", project)


@pytest.mark.xdist_group("pre-commit")
def test_the_hooks_pass_on_the_template_repository(tmp_path):
    # On a copy of the working tree as it is, committed or not, so that the
    # fixers cannot touch the checkout itself.
    copy = copy_template(tmp_path / "template")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@localhost"]
    subprocess.run([*git, "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "--all"], cwd=copy, check=True)

    pre_commit(DEV_TOOLS / "pre-commit", copy)
