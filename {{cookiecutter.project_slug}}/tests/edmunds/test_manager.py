import pytest

from edmunds.config.configurationerror import ConfigurationError
from edmunds.console.manager import Manager


def test_a_configuration_error_is_one_line_and_exit_1(capsys):
    def broken_app():
        raise ConfigurationError("database instance 'x': missing 'host'")

    with pytest.raises(SystemExit) as exit_info:
        Manager(broken_app).run(["db", "--help"])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "Error: database instance 'x': missing 'host'\n"


def test_commands_run_in_this_process(make_app, capsys):
    app = make_app()

    @app.cli.command("hello")
    def hello():
        print("hello from", app.config["APP_ENV"])

    with pytest.raises(SystemExit) as exit_info:
        Manager(lambda: app).run(["hello"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out == "hello from testing\n"
