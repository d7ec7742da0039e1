"""The tests empty and drop tables: only in the databases made for them.

``refuse_databases_not_meant_for_tests(app)`` proves, before any test runs,
that each database instance of the app (built in the testing environment)
is exactly the one the testing configuration names, and that no other
environment's configuration names it too. A name merely looking like a test
database's proves nothing: a project called "latest" has "test" in all of
its names.
"""

import glob
import os

from edmunds.config.config import Config
from edmunds.config.configurationerror import ConfigurationError

# The settings that choose where an instance's data is; the others (host,
# user, password) only say how to get there.
LOCATION_KEYS = ("database", "file", "storage")


def refuse_databases_not_meant_for_tests(app):
    """Raise one line unless the app runs on its testing databases alone.

    For each instance, compared as the engine resolves names (PostgreSQL
    cuts them to 63 bytes, SQLite follows links):

    - the database in use is the one the testing files name: none of
      ``DB_<NAME>_DATABASE``, ``_FILE`` or ``_STORAGE`` in the environment
      points elsewhere;
    - no other configuration names it: not ``config/`` with ``.env.py``,
      not any other ``.env.<env>.py`` (development, production...);
    - no other instance of the tests uses it;
    - it can be reached: a database not created yet is one line naming the
      command that creates it, not an error in every test.
    """
    if not app.testing:
        raise ConfigurationError(
            "the tests run only with TESTING on: .env.testing.py sets it and "
            "tests/conftest.py sets APP_ENV=testing"
        )
    manager = app.extensions.get("edmunds.database")
    if manager is None:
        return
    elsewhere = _databases_of_other_configurations(app, manager.drivers.values())
    tested = {}
    for driver in manager.drivers.values():
        in_use = driver.database_identity()
        if in_use is None:
            continue
        named = driver.database_identity(_settings_in(app.config, driver))
        where = f"database instance {driver.name!r} ({driver.describe()})"
        if in_use != named:
            overrides = [
                driver.env_name(key)
                for key in LOCATION_KEYS
                if driver.env_name(key) in os.environ
            ]
            raise ConfigurationError(
                f"{where}: the environment ({', '.join(overrides)}) points the "
                "tests away from the database .env.testing.py names, and they "
                f"would empty it: unset {' and '.join(overrides)}, or name the "
                "test database in .env.testing.py"
            )
        if in_use in elsewhere:
            raise ConfigurationError(
                f"{where}: it is also the {elsewhere[in_use]}, and the tests "
                "would empty it: give the tests a database of their own in "
                f".env.testing.py ({_example_setting(driver)})"
            )
        if in_use in tested:
            raise ConfigurationError(
                f"{where}: instance {tested[in_use]!r} of the tests uses it "
                "too: give each instance a test database of its own in "
                ".env.testing.py"
            )
        tested[in_use] = driver.name
    for engine in manager.engines.values():
        # A DatabaseConnectionError naming the instance (and, for a database
        # not created yet, the command that creates it).
        engine.connect().close()


def _databases_of_other_configurations(app, drivers):
    """Each database another configuration names: what it is, by identity."""
    configurations = {"configuration of config/ and .env.py": None}
    for path in sorted(glob.glob(os.path.join(app.root_path, ".env.*.py"))):
        env = os.path.basename(path)[len(".env.") : -len(".py")]
        if env not in ("example", app.config["APP_ENV"]):
            configurations[f"{env} database"] = env
    found = {}
    for label, env in configurations.items():
        config = Config(app.root_path)
        if env is None:
            config.load_shared(app.root_path)
        else:
            config.load_project(app.root_path, env)
        for driver in drivers:
            identity = driver.database_identity(_settings_in(config, driver))
            if identity is not None:
                found.setdefault(identity, f"{label} of instance {driver.name!r}")
    return found


def _settings_in(config, driver):
    """An instance's settings as ``config``'s files give them: no environment."""
    instances = config("app.database.instances") or []
    instance = next(
        (
            each
            for each in instances
            if isinstance(each, dict) and each.get("name") == driver.name
        ),
        driver.instance,
    )

    def setting(key, default=None):
        flat = driver.env_name(key)
        return config[flat] if flat in config else instance.get(key, default)

    return setting


def _example_setting(driver):
    key = "database" if driver.setting("database") is not None else "file"
    value = driver.setting(key)
    if key == "file":
        stem, dot, extension = str(value).rpartition(".")
        value = f"{stem}-testing{dot}{extension}" if dot else f"{value}-testing"
    else:
        value = f"{value}_testing"
    return f"{driver.env_name(key)} = {value!r}"
