import click
import pytest

from edmunds.console.productionguard import (
    refuse_in_production,
    refuse_outside_test_databases,
)

REAL_KEY = "Zq8rT1vW4yB7eH0kN3pS6uX9aD2gJ5mQ8tV1wZ4cF7iL0oR3"


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_an_environment_whose_file_leaves_debug_and_testing_off_is_production(
    make_app, environment
):
    files = {f".env.{environment}.py": f"DEBUG = False\nSECRET_KEY = {REAL_KEY!r}"}
    app = make_app(files, env=environment)

    with app.app_context(), pytest.raises(click.ClickException) as refused:
        refuse_in_production("db fresh", "it drops every table")

    assert refused.value.message == (
        f"db fresh is refused in production (APP_ENV={environment}, whose "
        f".env.{environment}.py leaves DEBUG and TESTING off): it drops every "
        "table"
    )


@pytest.mark.parametrize("switch", ["DEBUG", "TESTING"])
def test_development_and_the_tests_may_run_it(make_app, switch):
    app = make_app({".env.anything.py": f"{switch} = True"}, env="anything")

    with app.app_context():
        refuse_in_production("db fresh", "it drops every table")


def test_debug_switched_on_later_changes_nothing(make_app, monkeypatch):
    # The console's --debug and FLASK_DEBUG reach the app as app.debug,
    # which a production environment refuses; were it set some other way,
    # the guard still asks the environment's file, not app.debug.
    files = {".env.staging.py": f"SECRET_KEY = {REAL_KEY!r}"}
    app = make_app(files, env="staging")
    monkeypatch.setitem(app.config, "DEBUG", True)

    with app.app_context(), pytest.raises(click.ClickException):
        refuse_in_production("db seed", "it writes sample rows")


def test_the_testing_environment_runs_only_on_its_own_databases(make_app):
    config = """
        from edmunds.database.drivers.sqlite import Sqlite
        APP = {"database": {"enabled": True, "instances": [
            {"name": "default", "driver": Sqlite, "file": "/database/app.db"},
        ]}}
    """
    files = {
        "config/app.py": config,
        ".env.testing.py": "TESTING = True\nDB_DEFAULT_FILE = '/database/test.db'",
    }
    app = make_app(files)
    with app.app_context():
        refuse_outside_test_databases("db fresh")  # its own: allowed

    # The development database, named through the environment.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DB_DEFAULT_FILE", "/database/app.db")
        app = make_app(files)
        with app.app_context(), pytest.raises(click.ClickException) as refused:
            refuse_outside_test_databases("db fresh")
    message = refused.value.message
    assert message.startswith("db fresh is refused: database instance 'default'")
    assert "DB_DEFAULT_FILE" in message and "\n" not in message


MIGRATED = """\
from edmunds.database.drivers.sqlite import Sqlite

APP = {'database': {
    'enabled': True,
    'instances': [{'name': 'main', 'driver': Sqlite, 'file': '/database/app.db'}],
    'modelsandtables': [],
}}
"""


@pytest.fixture
def downgrades(monkeypatch):
    """What Flask-Migrate was asked to downgrade to, by `db downgrade`."""
    import flask_migrate.cli

    asked = []
    monkeypatch.setattr(
        flask_migrate.cli,
        "_downgrade",
        lambda _dir, revision, *_: asked.append(revision),
    )
    return asked


def cli_app(make_app, environment):
    from edmunds.database.providers.migrateserviceprovider import (
        MigrateServiceProvider,
    )

    files = {"config/app.py": MIGRATED}
    files[f".env.{environment}.py"] = (
        f"DEBUG = False\nSECRET_KEY = {REAL_KEY!r}"
        if environment == "production"
        else "DEBUG = True"
    )
    app = make_app(files, env=environment)
    app.register(MigrateServiceProvider)
    return app


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_a_downgrade_in_production_asks_and_a_no_downgrades_nothing(
    make_app, downgrades, answer
):
    runner = cli_app(make_app, "production").test_cli_runner()

    result = runner.invoke(args=["db", "downgrade", "base"], input=answer)

    assert result.exit_code == 1, result.output
    assert "APP_ENV=production is production: db downgrade drops what" in (
        result.output
    )
    assert "Nothing was done (db downgrade --yes does not ask)." in result.output
    assert downgrades == []


def test_a_downgrade_in_production_goes_on_at_a_yes_or_with_yes(make_app, downgrades):
    runner = cli_app(make_app, "production").test_cli_runner()

    typed = runner.invoke(args=["db", "downgrade", "base"], input="y\n")
    scripted = runner.invoke(args=["db", "downgrade", "--yes", "0001"])
    # --sql prints the SQL, and changes nothing: nothing to ask.
    printed = runner.invoke(args=["db", "downgrade", "--sql", "0002:0001"])

    assert (typed.exit_code, scripted.exit_code, printed.exit_code) == (0, 0, 0)
    assert "Go on?" not in scripted.output + printed.output
    assert downgrades == ["base", "0001", "0002:0001"]


def test_a_downgrade_in_development_asks_nothing(make_app, downgrades):
    runner = cli_app(make_app, "development").test_cli_runner()

    result = runner.invoke(args=["db", "downgrade"], input="")

    assert result.exit_code == 0, result.output
    assert downgrades == ["-1"]
