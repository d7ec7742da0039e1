import click
import pytest
from flask import Flask

from edmunds.console.productionguard import refuse_in_production


def app_with(**config):
    app = Flask(__name__)
    app.config.update(config)
    return app


@pytest.mark.parametrize("environment", ["production", "staging", None])
def test_any_environment_with_debug_and_testing_off_is_production(environment):
    app = app_with(APP_ENV=environment, DEBUG=False, TESTING=False)

    with app.app_context(), pytest.raises(click.ClickException) as refused:
        refuse_in_production("db fresh", "it drops every table")

    assert refused.value.message == (
        f"db fresh is refused in production (APP_ENV={environment or 'unset'}, "
        "DEBUG and TESTING off): it drops every table"
    )


@pytest.mark.parametrize("switch", ["DEBUG", "TESTING"])
def test_development_and_the_tests_may_run_it(switch):
    app = app_with(
        APP_ENV="anything", **{"DEBUG": False, "TESTING": False, switch: True}
    )

    with app.app_context():
        refuse_in_production("db fresh", "it drops every table")
