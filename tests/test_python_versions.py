"""The default bake's own tests pass on every Python it supports."""

from pathlib import Path

import pytest

from conftest import bake, project_python, run, unavailable

PYENV_VERSIONS = Path.home() / ".pyenv" / "versions"


def interpreter(version):
    """The newest ~/.pyenv/versions/<version>.<patch>/bin/python, or None."""
    releases = {
        int(path.parent.parent.name.removeprefix(f"{version}.")): path
        for path in PYENV_VERSIONS.glob(f"{version}.*/bin/python")
        if path.parent.parent.name.removeprefix(f"{version}.").isdigit()
    }
    return releases[max(releases)] if releases else None


@pytest.fixture(scope="module")
def project(cookies_session):
    return bake(cookies_session)


@pytest.mark.parametrize("version", ["3.10", "3.11", "3.12", "3.13"])
def test_the_baked_tests_pass_on(project, version):
    python = interpreter(version)
    if python is None:
        unavailable(
            f"no Python {version} under {PYENV_VERSIONS}: install one there "
            f"(pyenv install {version})"
        )
    venv_python = project_python(project, python=str(python))

    completed = run(project, venv_python, "-m", "pytest", "-p", "no:cacheprovider")
    assert " passed" in completed.stdout
    version_line = run(project, venv_python, "--version").stdout
    assert version_line.startswith(f"Python {version}.")
