"""A bake with every default answer: what a new user gets first."""

import ast
import re

import pytest

from conftest import (
    assert_baked_suite_passed,
    assert_ruff_passes,
    bake,
    project_python,
    run,
)

pytestmark = pytest.mark.xdist_group("default-bake")

MARKER = re.compile(r"\{\{-?\s*cookiecutter\.|\{%-?\s")


@pytest.fixture(scope="module")
def project(cookies_session):
    return bake(cookies_session)


@pytest.fixture(scope="module")
def python(project):
    return project_python(project)


def baked_files(project):
    # Not .git: its objects are compressed, and three random bytes there can
    # read as "{% "; the files they hold are checked as files. Nor the
    # bytecode the suite compiles for the bake (tests/conftest.py).
    return [
        path
        for path in project.rglob("*")
        if path.is_file()
        and not {".git", "__pycache__"} & set(path.relative_to(project).parts)
    ]


def test_the_project_has_the_edmunds_layout(project):
    assert project.name == "my_edmunds_app"
    for path in [
        "config/app.py",
        "bootstrap/app.py",
        "app/database/models/user.py",
        "app/database/models/tag.py",
        "app/database/models/usertags.py",
        "edmunds/database/db.py",
        "edmunds/database/drivers/sqlite.py",
        "edmunds/database/providers/migrateserviceprovider.py",
        "migrations/env.py",
        "migrations/alembic.ini",
        "migrations/script.py.mako",
        "manage.py",
        "wsgi.py",
        "storage/database/.gitkeep",
        ".env.py",
        ".env.example.py",
        "README.md",
        "pyproject.toml",
        "uv.lock",
        ".python-version",
        "gunicorn.conf.py",
        ".pre-commit-config.yaml",
        ".github/workflows/ci.yml",
        ".github/dependabot.yml",
        "app/http/routes.py",
        "app/http/handlers/users.py",
        "app/http/handlers/tags.py",
        "app/http/handlers/usertags.py",
        "app/http/schemas/user.py",
        "app/http/schemas/tag.py",
        "config/api.py",
        "edmunds/http/providers/apiserviceprovider.py",
        "migrations/versions/0002_tag_names_unique_as_read.py",
        "migrations/versions/0003_look_alike_tag_names_are_one.py",
    ]:
        assert (project / path).is_file(), path
    assert len(list((project / "migrations/versions").glob("*.py"))) == 4
    # Dependencies live in pyproject.toml and uv.lock; the shipped locks go.
    assert not list(project.glob("requirements*.txt"))
    assert not (project / ".uv-locks").exists()


def test_no_template_marker_is_left(project):
    leftovers = [
        str(path.relative_to(project))
        for path in baked_files(project)
        if MARKER.search(path.read_text(errors="ignore"))
    ]
    assert leftovers == []


def test_alembic_script_template_is_copied_intact(project):
    source = (project / "migrations/script.py.mako").read_text()
    assert "${message}" in source and "% for db_name in db_names:" in source


def test_every_python_file_compiles(project):
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(), filename=str(path))


def test_ruff_lint_and_format_pass(project):
    assert_ruff_passes(project)


def test_config_lists_the_default_instance_and_every_model(project):
    source = (project / "config/app.py").read_text()
    assert '"driver": Sqlite' in source
    assert '"file": "/database/my_edmunds_app.db"' in source
    for name in ("User", "Tag", "UserTags"):
        assert re.search(
            rf"^from app\.database\.models\.\w+ import {name}$", source, re.M
        )
        assert re.search(rf"^\s+{name},$", source, re.M)


def test_the_baked_test_suite_passes(project, python):
    completed = run(project, python, "-m", "pytest", "-p", "no:cacheprovider")
    assert_baked_suite_passed(completed.stdout)
