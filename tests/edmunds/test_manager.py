import click
import pytest
from sqlalchemy import text

from edmunds.config.configurationerror import ConfigurationError
from edmunds.console.manager import Manager


def test_a_configuration_error_is_one_line_and_exit_1(capsys):
    def broken_app():
        raise ConfigurationError("database instance 'x': missing 'host'")

    with pytest.raises(SystemExit) as exit_info:
        Manager(broken_app).run(["db", "--help"])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "Error: database instance 'x': missing 'host'\n"


def test_ctrl_c_while_the_app_is_built_is_one_line_and_exit_1(capsys):
    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as exit_info:
        Manager(interrupted).run(["db", "--help"])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "Aborted!\n"


def test_commands_run_in_this_process(make_app, capsys):
    app = make_app()

    @app.cli.command("hello")
    def hello():
        print("hello from", app.config["APP_ENV"])

    with pytest.raises(SystemExit) as exit_info:
        Manager(lambda: app).run(["hello"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out == "hello from testing\n"


def test_the_http_side_is_wired_for_every_command_but_db_and_make(make_app, capsys):
    app = make_app()
    hello = click.Command("hello", callback=lambda: print("hello"))
    app.cli.add_command(hello)

    def look_up_a_missing_command():
        root = click.get_current_context().find_root()
        root.command.get_command(root, "nothing-here")

    lookup = click.Command("lookup", callback=look_up_a_missing_command)
    for group in ("db", "make"):
        app.cli.add_command(click.Group(group, commands=[hello, lookup]))
    cases = {
        ("db", "hello"): False,
        ("make", "hello"): False,
        ("db", "--help"): False,
        # The list of commands, and a name not found without it: the API
        # adds commands of its own.
        ("--help",): True,
        ("make", "lookup"): True,
        ("hello",): True,
        ("routes",): True,
    }

    for args, wired in cases.items():
        wired_into = []
        with pytest.raises(SystemExit) as exit_info:
            Manager(lambda: app, wired_into.append).run(list(args))

        assert exit_info.value.code == 0, (args, capsys.readouterr().err)
        # Once, however many lookups wired it.
        assert wired_into == ([app] if wired else []), args


def test_a_database_that_cannot_be_reached_is_one_line_and_exit_1(
    make_app, tmp_path, capsys
):
    (tmp_path / "storage" / "database" / "a-folder").mkdir(parents=True)
    app = make_app(
        {
            "config/app.py": """\
            from edmunds.database.drivers.sqlite import Sqlite

            APP = {'database': {'enabled': True, 'instances': [
                {'name': 'main', 'driver': Sqlite, 'file': '/database/a-folder'},
            ]}}
            """
        }
    )

    @app.cli.command("query")
    def query():
        with app.database_engine().connect() as connection:
            connection.execute(text("SELECT 1"))

    with pytest.raises(SystemExit) as exit_info:
        Manager(lambda: app).run(["query"])

    assert exit_info.value.code == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 1
    assert errors[0].startswith("Error: database instance 'main' (SQLite file ")
    assert errors[0].endswith("cannot connect: unable to open database file")


def test_the_commands_are_listed_when_the_http_side_cannot_be_wired(make_app, capsys):
    def broken_routes(app):
        raise ImportError("cannot import name 'nothing' from 'app.http.handlers'")

    with pytest.raises(SystemExit) as exit_info:
        Manager(make_app, broken_routes).run(["--help"])

    assert exit_info.value.code == 0
    out, err = capsys.readouterr()
    assert err.startswith("Error: ") and "'nothing'" in err and err.count("\n") == 1
    assert "  routes " in out and "  shell " in out
