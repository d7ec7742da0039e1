import pytest

from edmunds.config.configurationerror import ConfigurationError
from edmunds.support.serviceprovider import ServiceProvider


class CountingProvider(ServiceProvider):
    def register(self):
        self.app.extensions["counted"] = self.app.extensions.get("counted", 0) + 1


def test_a_provider_runs_once_per_app(make_app):
    app = make_app()
    app.register(CountingProvider)
    app.register(CountingProvider)

    assert app.extensions["counted"] == 1
    assert make_app().extensions.get("counted") is None


def test_a_provider_must_implement_register(make_app):
    with pytest.raises(NotImplementedError, match="ServiceProvider"):
        make_app().register(ServiceProvider)


def test_database_access_needs_the_database_enabled(make_app):
    with pytest.raises(ConfigurationError, match="database is not enabled"):
        make_app().database_engine()
