"""The framework's own tests (tests/edmunds/), run inside bakes.

They test `edmunds/`, which every bake carries but whose tests are not the
user's to keep: here they run in a bake of each engine, on its venv (its
drivers and versions), importing the bake's `edmunds/` and `app/` as the
bake's own tests import them.
"""

from pathlib import Path

import pytest

from conftest import assert_baked_suite_passed, bake, clean_env, project_python, run
from servers import SERVERS, on_servers

FRAMEWORK_TESTS = Path(__file__).resolve().parent / "edmunds"
ENGINES = [
    pytest.param("sqlite", marks=on_servers()),
    *(pytest.param(engine, marks=on_servers(engine)) for engine in SERVERS),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_framework_passes_its_tests_in_a_bake(cookies, engine):
    project = bake(cookies, project_name="Framework", database=engine)
    python = project_python(project)
    completed = run(
        project,
        python,
        "-m",
        "pytest",
        str(FRAMEWORK_TESTS),
        "-c",
        str(FRAMEWORK_TESTS / "pytest.ini"),
        "--rootdir",
        str(FRAMEWORK_TESTS),
        env=clean_env(PYTHONPATH=str(project)),
    )
    assert_baked_suite_passed(completed.stdout)


def test_the_framework_tests_pass_the_bakes_ruff(cookies):
    # Linted as the bake's own code is: its ruff, its settings (its
    # first-party packages), not the template repository's.
    project = bake(cookies, project_name="Framework Lint")
    ruff = project_python(project).parent / "ruff"
    settings = ["--config", str(project / "pyproject.toml")]
    for command in (["check"], ["format", "--check"]):
        run(project, ruff, *command, *settings, str(FRAMEWORK_TESTS))
