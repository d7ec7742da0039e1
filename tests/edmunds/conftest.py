"""The framework's tests, run inside a bake (tests/test_framework.py)."""

import os
import textwrap

import pytest

# Every model of the bake, as its app loads them (config/app.py lists them):
# a test that imports one sample model would otherwise leave its foreign
# keys pointing at tables no module has defined yet.
import config.app  # noqa: F401
from edmunds.application import Application

EXAMPLE_KEY = "change-me"


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """Build an Application on a throwaway project folder.

    ``files`` maps paths inside the project to their source; APP_ENV defaults
    to 'testing', whose .env.testing.py sets TESTING unless ``files`` says otherwise.
    .env.example.py shows the example key, as a bake's does; .env.py is
    written private to its owner, as the bake and the README's copy make it.
    """
    # The settings of whoever runs the tests stay out of the throwaway apps.
    for name in list(os.environ):
        if name in ("APP_ENV", "SECRET_KEY") or name.startswith("DB_"):
            monkeypatch.delenv(name)

    def make_app(files=None, env="testing"):
        files = {
            ".env.example.py": f"SECRET_KEY = {EXAMPLE_KEY!r}",
            f".env.{env}.py": "TESTING = True",
            **(files or {}),
        }
        (tmp_path / "config").mkdir(exist_ok=True)
        for name, source in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
            if name == ".env.py":
                path.chmod(0o600)
        if env is not None:
            monkeypatch.setenv("APP_ENV", env)
        return Application("app", root_path=str(tmp_path))

    return make_app
