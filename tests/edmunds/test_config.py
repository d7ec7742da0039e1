import pytest

from edmunds.config.configurationerror import ConfigurationError


def test_config_files_merge_deeply_in_order(make_app):
    app = make_app(
        {
            "config/app.py": "APP = {'name': 'a', 'mail': {'host': 'h', 'port': 25}}",
            "config/more.py": "APP = {'mail': {'port': 2525}}\nOTHER = [1, 2]",
            ".env.py": "APP = {'name': 'from env'}",
            ".env.testing.py": "TESTING = True\nOTHER = [3]",
        }
    )

    assert app.config["APP"] == {
        "name": "from env",
        "mail": {"host": "h", "port": 2525},
    }
    assert app.config["OTHER"] == [3]


def test_values_are_read_by_dotted_or_flat_key(make_app):
    app = make_app(
        {
            "config/app.py": "APP = {'database': {'enabled': False, 'pool_size': 5,"
            " 'instances': [{'name': 'first'}]}}"
        }
    )

    assert app.config("app.database.enabled") is False
    assert app.config("APP_DATABASE_ENABLED") is False
    assert app.config("APP_DATABASE_POOL_SIZE") == 5
    assert app.config("app.database.instances.0.name") == "first"
    assert app.config("app.database.missing", "fallback") == "fallback"
    assert app.config.has("app.database.enabled")
    assert not app.config.has("app.nothing")
    assert app.config["TESTING"] is True  # still Flask's config underneath


def test_app_env_comes_from_the_environment_before_env_py(make_app):
    app = make_app(
        {
            ".env.py": "APP_ENV = 'production'",
            ".env.testing.py": "TESTING = True\nWHERE = 'testing'",
            ".env.production.py": "WHERE = 'production'",
        }
    )
    assert app.config["WHERE"] == "testing"


def test_app_env_from_env_py_selects_its_file(make_app):
    app = make_app(
        {
            ".env.py": "APP_ENV = 'staging'",
            ".env.staging.py": "TESTING = True\nWHERE = 'staging'",
        },
        env=None,
    )
    assert app.config["APP_ENV"] == "staging"
    assert app.config["WHERE"] == "staging"


def test_a_missing_app_env_is_an_error(make_app):
    with pytest.raises(ConfigurationError, match="APP_ENV is not set"):
        make_app(env=None)


def test_an_environment_without_its_file_is_an_error(make_app, monkeypatch):
    with pytest.raises(ConfigurationError, match=r"\.env\.nowhere\.py does not"):
        make_app({".env.py": "APP_ENV = 'nowhere'"}, env=None)
