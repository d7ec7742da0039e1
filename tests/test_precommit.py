"""pre-commit run --all-files passes where a team first runs it.

A baked project runs pre-commit as a tool of its own (README, CI and the
bake's next steps: `uvx`), at the version the template's dev tools pin: the
tests run that one, from the template's .venv.
"""

import re
import subprocess
import tomllib

import pytest

from conftest import (
    DEV_TOOLS,
    PRE_COMMIT_HOME,
    TEMPLATE_DIR,
    bake,
    clean_env,
    copy_template,
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
    "zizmor (workflow security)",
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


def pre_commit_pin():
    """The pre-commit of the template's dev tools (its pyproject.toml)."""
    dev = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text())
    (pin,) = [
        line.removeprefix("pre-commit==")
        for line in dev["dependency-groups"]["dev"]
        if line.startswith("pre-commit==")
    ]
    return pin


def test_the_project_runs_the_pre_commit_the_template_tests(cookies, capfd):
    project = bake(cookies, project_name="Hook Pins")
    next_steps = capfd.readouterr().err
    readme = (project / "README.md").read_text()
    pins = re.findall(
        r"(?:uvx pre-commit@|uv tool install pre-commit==|pipx install pre-commit==)"
        r"([\w.]+)",
        readme
        + (project / "docs/testing.md").read_text()
        + (project / ".github/workflows/ci.yml").read_text()
        + next_steps
        + (TEMPLATE_DIR / "README.md").read_text(),
    )
    # The README (uvx and pipx), the workflow, the hook's next steps.
    assert len(pins) >= 4 and set(pins) == {pre_commit_pin()}, pins
    assert "uv run pre-commit" not in readme
    # Installed once per machine, not into every environment.
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    listed = pyproject["project"]["dependencies"] + [
        line for group in pyproject["dependency-groups"].values() for line in group
    ]
    assert not [line for line in listed if line.lower().startswith("pre-commit")]


@pytest.mark.xdist_group("pre-commit")
def test_the_hooks_pass_on_a_fresh_bake(cookies):
    project = bake(cookies, project_name="Hooked")

    pre_commit(DEV_TOOLS / "pre-commit", project)


@pytest.mark.xdist_group("pre-commit")
def test_the_hooks_pass_on_the_template_repository(tmp_path):
    # On a copy of the working tree as it is, committed or not, so that the
    # fixers cannot touch the checkout itself.
    copy = copy_template(tmp_path / "template")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@localhost"]
    subprocess.run([*git, "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "--all"], cwd=copy, check=True)

    pre_commit(DEV_TOOLS / "pre-commit", copy)
