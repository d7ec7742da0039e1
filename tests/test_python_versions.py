"""A bake runs on the Python it chose, and refuses an older one.

Offered: 3.11, 3.12 and 3.13, each found under ~/.pyenv/versions (CI fails
rather than skip a missing one). 3.14 is not offered: no interpreter of it
installs here from the package registries this machine reaches, and uv may
not download one, so the suite could not run a bake on it.
"""

import re
import subprocess

import pytest

import template_answers

from conftest import (
    UV,
    assert_baked_suite_passed,
    bake,
    interpreter,
    project_python,
    run,
    unavailable,
    uv_env,
)

OFFERED = ["3.11", "3.12", "3.13"]


def test_the_template_offers_exactly_the_tested_versions():
    assert template_answers.CHOICES["python_version"] == OFFERED
    prompt = template_answers.DEFAULTS["__prompts__"]["python_version"]
    assert re.findall(r"3\.\d+", prompt) == OFFERED


@pytest.mark.parametrize("version", OFFERED)
def test_the_baked_tests_pass_on(cookies, version):
    python = interpreter(version)
    if python is None:
        unavailable(f"no Python {version} on this machine (pyenv install {version})")
    project = bake(cookies, python_version=version, init_git=False)
    assert (project / ".python-version").read_text() == f"{version}\n"
    venv_python = project_python(project)

    completed = run(project, venv_python, "-m", "pytest", "-p", "no:cacheprovider")
    assert_baked_suite_passed(completed.stdout)
    version_line = run(project, venv_python, "--version").stdout
    assert version_line.startswith(f"Python {version}.")
    # The cached venv's files are uv's cache's own, hard-linked, not copies.
    venv = venv_python.parent.parent
    (flask_app,) = venv.glob("lib/python*/site-packages/flask/app.py")
    assert flask_app.stat().st_nlink > 1


def test_an_older_python_is_refused(cookies, tmp_path):
    older = interpreter("3.11")
    if older is None:
        unavailable("no Python 3.11 on this machine (pyenv install 3.11)")
    project = bake(cookies, python_version="3.12", init_git=False)

    refused = subprocess.run(
        [UV, "sync", "--locked"],
        cwd=project,
        env=uv_env(older, UV_PROJECT_ENVIRONMENT=str(tmp_path / "venv")),
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert ">=3.12" in refused.stderr and "3.11" in refused.stderr
    assert not (tmp_path / "venv" / "bin" / "flask").exists()
