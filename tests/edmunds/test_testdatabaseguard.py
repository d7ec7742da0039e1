import os

import pytest

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.testdatabaseguard import refuse_databases_not_meant_for_tests

# One instance on SQLite; no server needed to prove which file is which.
CONFIG = """
    from edmunds.database.drivers.sqlite import Sqlite
    APP = {"database": {"enabled": True, "instances": [
        {"name": "default", "driver": Sqlite, "file": "/database/latest.db"},
    ]}}
"""
TESTING = "TESTING = True\nDB_DEFAULT_FILE = '/database/latest-testing.db'\n"


@pytest.fixture
def guarded(make_app, monkeypatch):
    """Build the project's app for its tests, then run the guard on it."""

    def guarded(files=None, **environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        files = {
            "config/app.py": CONFIG,
            ".env.testing.py": TESTING,
            ".env.development.py": "DEBUG = True",
            **(files or {}),
        }
        refuse_databases_not_meant_for_tests(make_app(files))

    return guarded


def test_the_testing_database_passes(guarded):
    guarded()


def test_a_real_database_named_like_a_test_one_in_the_environment_is_refused(
    guarded,
):
    with pytest.raises(ConfigurationError) as error:
        guarded(DB_DEFAULT_FILE="/database/latest.db")
    message = str(error.value)
    assert message.startswith("database instance 'default' (SQLite file ")
    assert "the environment (DB_DEFAULT_FILE) points the tests away" in message
    assert "\n" not in message


def test_another_storage_in_the_environment_is_refused(guarded, tmp_path):
    with pytest.raises(ConfigurationError, match=r"\(DB_DEFAULT_STORAGE\)"):
        guarded(DB_DEFAULT_STORAGE=str(tmp_path / "elsewhere"))


def test_the_environment_may_repeat_the_testing_database(guarded):
    guarded(DB_DEFAULT_FILE="database/latest-testing.db")


def test_a_testing_file_that_names_the_development_database_is_refused(guarded):
    testing = "TESTING = True\nDB_DEFAULT_FILE = '/database/../database/latest.db'\n"
    with pytest.raises(ConfigurationError) as error:
        guarded({".env.testing.py": testing})
    assert "it is also the configuration of config/ and .env.py" in str(error.value)
    assert "DB_DEFAULT_FILE = " in str(error.value)


def test_a_testing_file_that_names_no_database_is_refused(guarded):
    with pytest.raises(ConfigurationError, match="it is also the"):
        guarded({".env.testing.py": "TESTING = True\n"})


def test_a_link_to_the_development_database_is_refused(guarded, tmp_path):
    (tmp_path / "storage/database").mkdir(parents=True, exist_ok=True)
    (tmp_path / "storage/database/latest.db").write_bytes(b"")
    os.symlink(
        tmp_path / "storage/database/latest.db",
        tmp_path / "storage/database/latest-testing.db",
    )
    with pytest.raises(ConfigurationError, match="it is also the"):
        guarded()


@pytest.mark.parametrize("env", ["production", "staging"])
def test_the_database_of_any_other_environment_is_refused(guarded, env):
    files = {f".env.{env}.py": "DB_DEFAULT_FILE = '/database/latest-testing.db'"}
    with pytest.raises(ConfigurationError) as error:
        guarded(files)
    assert f"it is also the {env} database of instance 'default'" in str(error.value)


def test_two_instances_of_the_tests_on_one_database_are_refused(guarded):
    config = CONFIG.replace(
        "    ]}}",
        '        {"name": "archive", "driver": Sqlite, "file": "/database/a.db"},\n'
        "    ]}}",
    )
    testing = TESTING + "DB_ARCHIVE_FILE = '/database/latest-testing.db'\n"
    with pytest.raises(ConfigurationError, match="instance 'default' of the tests"):
        guarded({"config/app.py": config, ".env.testing.py": testing})


def test_the_tests_run_only_with_testing_on(make_app):
    files = {"config/app.py": CONFIG, ".env.testing.py": "DEBUG = True"}
    app = make_app(files)
    with pytest.raises(ConfigurationError, match="only with TESTING on"):
        refuse_databases_not_meant_for_tests(app)
