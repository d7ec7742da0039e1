import inspect

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


def test_an_id_in_a_url_is_ascii_digits_only(make_app):
    app = make_app()
    app.add_url_rule("/users/<int:user_id>", "show", lambda user_id: str(user_id))
    client = app.test_client()

    assert client.get("/users/12").text == "12"
    for other_digits in ("\u0661\u0662", "\uff11\uff12", "\U0001d7cf\U0001d7d0"):
        assert client.get(f"/users/{other_digits}").status_code == 404


def test_database_access_needs_the_database_enabled(make_app):
    with pytest.raises(ConfigurationError, match="database is not enabled"):
        make_app().database_engine()


PRODUCTION = ".env.production.py"
# As secrets.token_urlsafe(48) makes them.
REAL_KEY = "Xq2v8dZ0-TcfW1uN_gLrS9yBhJ4kMa7PeO3iVnE6sKpYwQbRx5zHt_jGmUoCDlFA"


@pytest.mark.parametrize(
    ("env_py", "message"),
    [
        ("", "SECRET_KEY is not set"),
        ("SECRET_KEY = ''", "SECRET_KEY is not set"),
        ("SECRET_KEY = 'change-me'", "SECRET_KEY is the example's 'change-me'"),
        ("SECRET_KEY = 'short-key'", "SECRET_KEY is 9 characters long, under 32"),
    ],
)
def test_production_refuses_a_weak_secret_key(make_app, env_py, message):
    with pytest.raises(ConfigurationError, match=message) as error:
        make_app({".env.py": env_py, PRODUCTION: "DEBUG = False"}, env="production")
    assert "\n" not in str(error.value)


def test_production_takes_a_real_key_from_env_py_or_the_environment(
    make_app, monkeypatch
):
    files = {PRODUCTION: "DEBUG = False"}
    assert make_app({**files, ".env.py": f"SECRET_KEY = {REAL_KEY!r}"}, "production")

    monkeypatch.setenv("SECRET_KEY", REAL_KEY[::-1])
    app = make_app({**files, ".env.py": "SECRET_KEY = 'change-me'"}, "production")
    assert app.config["SECRET_KEY"] == REAL_KEY[::-1]


def test_debug_and_testing_run_with_the_example_key(make_app):
    for env, flag in (("development", "DEBUG"), ("testing", "TESTING")):
        files = {f".env.{env}.py": f"{flag} = True\nSECRET_KEY = 'change-me'"}
        assert make_app(files, env=env).config["SECRET_KEY"] == "change-me"


@pytest.mark.parametrize("switch", ["DEBUG", "TESTING"])
def test_production_refuses_debug_and_testing(make_app, switch):
    files = {".env.production.py": f"{switch} = True\nSECRET_KEY = {REAL_KEY!r}"}
    with pytest.raises(ConfigurationError) as refused:
        make_app(files, env="production")
    assert str(refused.value) == (
        f"APP_ENV is 'production', a production environment, but {switch} is "
        "on: production never runs with DEBUG or TESTING. An environment is "
        "production unless .env.production.py sets DEBUG or TESTING on"
    )


# A staging copied from .env.production.py, and any environment whose own
# file leaves DEBUG and TESTING off: nothing else turns it into a debug one.
@pytest.mark.parametrize(
    "env_py", ["DEBUG = True", "TESTING = True", "DEBUG = TESTING = True"]
)
def test_env_py_cannot_make_a_production_environment_debug(make_app, env_py):
    files = {
        ".env.staging.py": f"SECRET_KEY = {REAL_KEY!r}",
        ".env.py": env_py,
    }
    with pytest.raises(ConfigurationError, match="'staging', a production environment"):
        make_app(files, env="staging")


@pytest.mark.parametrize("flag", ["1", "true"])
def test_flask_debug_cannot_make_a_production_environment_debug(
    make_app, monkeypatch, flag
):
    monkeypatch.setenv("FLASK_DEBUG", flag)
    files = {".env.staging.py": f"SECRET_KEY = {REAL_KEY!r}"}
    app = make_app(files, env="staging")  # FLASK_DEBUG is read by no file
    assert app.production and app.debug is False
    with pytest.raises(ConfigurationError, match="debug mode was asked for"):
        app.debug = True
    assert app.debug is False


def test_which_environment_is_production_is_its_own_files_word(make_app):
    production_like = f"DEBUG = False\nSECRET_KEY = {REAL_KEY!r}"
    assert make_app({".env.staging.py": production_like}, "staging").production
    assert not make_app(
        {".env.development.py": "DEBUG = True"}, "development"
    ).production
    assert not make_app({".env.testing.py": "TESTING = True"}, "testing").production
    # DEBUG from a file other than the environment's own does not count.
    files = {"config/app.py": "DEBUG = True", ".env.local.py": production_like}
    assert make_app(files, "local").production


class Unhashable:
    __hash__ = None

    def hook(self, error=None):
        return "ran"


def test_ensure_sync_answers_as_flask_does(make_app, monkeypatch):
    app = make_app()
    wrapped, asked = [], []
    monkeypatch.setattr(
        app, "async_to_sync", lambda func: wrapped.append(func) or "wrapped"
    )
    real = inspect.iscoroutinefunction
    monkeypatch.setattr(
        inspect, "iscoroutinefunction", lambda func: asked.append(func) or real(func)
    )

    def plain():
        return "plain"

    async def coroutine():
        return "coroutine"

    method = Unhashable().hook
    # Asked twice: the second answer comes from the cache where there is one.
    for _ in range(2):
        assert app.ensure_sync(plain) is plain
        assert app.ensure_sync(coroutine) == "wrapped"
        assert app.ensure_sync(method) == method
    assert wrapped == [coroutine, coroutine]
    # inspect was asked once per function.
    assert asked.count(plain) == asked.count(coroutine) == 1


def test_a_plain_view_and_hooks_run_on_every_request(make_app):
    app = make_app()
    calls = []
    app.before_request(lambda: calls.append("before"))
    app.teardown_request(lambda error: calls.append("teardown"))
    app.add_url_rule("/", "index", lambda: calls.append("view") or "ok")
    client = app.test_client()

    assert [client.get("/").text for _ in range(2)] == ["ok", "ok"]
    assert calls == ["before", "view", "teardown"] * 2
