import functools
import inspect
import os

from flask import Flask

from edmunds.config.config import Config
from edmunds.config.configurationerror import ConfigurationError
from edmunds.config.secretkey import refuse_a_weak_secret_key
from edmunds.database.providers.databaseserviceprovider import (
    DatabaseServiceProvider,
)
from edmunds.http.asciiintegerconverter import AsciiIntegerConverter


class Application(Flask):
    """A Flask application laid out the Edmunds way.

    ``root_path`` is the project folder: ``config/``, ``.env*.py``,
    ``storage/`` and ``migrations/`` are found under it.
    """

    config_class = Config

    def __init__(self, import_name, root_path):
        super().__init__(import_name, root_path=root_path)
        # Before any route is added (a rule picks its converter then), by
        # whichever provider adds it.
        self.url_map.converters["int"] = AsciiIntegerConverter
        # A path with a doubled slash is answered as it is (a route, or a
        # JSON 404), not with werkzeug's HTML redirect to the path merged,
        # whose Location is built from the Host header the client sent.
        self.url_map.merge_slashes = False
        self.storage_path = os.path.join(self.root_path, "storage")
        self.config.load_project(self.root_path)
        for switch in ("DEBUG", "TESTING"):
            if self.config.get(switch):
                self._refuse_in_production(f"{switch} is on")
        if self.production:
            refuse_a_weak_secret_key(self.config.get("SECRET_KEY"), self.root_path)
        self._registered_providers = set()
        # The database is part of every Edmunds app; the provider does
        # nothing unless APP['database']['enabled'] is true.
        self.register(DatabaseServiceProvider)

    @property
    def production(self):
        """Whether this environment is production, as its own file says.

        Any environment but one whose ``.env.<APP_ENV>.py`` switches DEBUG
        or TESTING on (see Config.load_project): production data is never
        one shell flag away from `db fresh`.
        """
        return self.config.production

    def make_config(self, instance_relative=False):
        config = super().make_config(instance_relative)
        # Flask starts DEBUG from FLASK_DEBUG; here only the files do, and
        # the flag has to ask through the debug setter below.
        config["DEBUG"] = False
        return config

    @property
    def debug(self):
        return Flask.debug.fget(self)

    @debug.setter
    def debug(self, value):
        # `flask run --debug`, FLASK_DEBUG and app.run(debug=True) switch it
        # on after the config is loaded: production refuses those too.
        if value:
            self._refuse_in_production("debug mode was asked for")
        Flask.debug.fset(self, value)

    def _refuse_in_production(self, problem):
        if self.production:
            env = self.config["APP_ENV"]
            raise ConfigurationError(
                f"APP_ENV is {env!r}, a production environment, but {problem}: "
                "production never runs with DEBUG or TESTING. An environment "
                f"is production unless .env.{env}.py sets DEBUG or TESTING on"
            )

    def ensure_sync(self, func):
        """Flask's, asked once per function instead of on every call.

        Flask asks it of the view and of every hook (before and after the
        request, teardowns) on every request, and inspect's answer takes
        some thousands of instructions each time; a function's answer does
        not change. What cannot be a cache key (a method of an unhashable
        object) is asked as Flask asks.
        """
        try:
            if _synchronous(func):
                return func
        except TypeError:
            pass
        return super().ensure_sync(func)

    def register(self, provider_class):
        """Run a service provider; each provider class runs once per app."""
        if provider_class in self._registered_providers:
            return
        self._registered_providers.add(provider_class)
        provider_class(self).register()

    def database_engine(self, name=None):
        """The SQLAlchemy engine of an instance (the first one by default)."""
        return self._database_manager().engine(name)

    def database_session(self, name=None):
        """A scoped session on an instance, removed when the app context ends."""
        return self._database_manager().session(name)

    def auth_security(self, name=None):
        """The flask_security.Security of an APP['auth'] instance."""
        instances = self.extensions.get("edmunds.auth")
        if not instances:
            raise ConfigurationError(
                "authentication is not enabled: set APP['auth']['enabled'] to "
                "True in config/app.py"
            )
        if name is None:
            return next(iter(instances.values()))
        if name not in instances:
            raise ConfigurationError(f"APP['auth'] has no instance named {name!r}")
        return instances[name]

    def auth_userdatastore(self, name=None):
        """The user datastore of an APP['auth'] instance."""
        return self.auth_security(name).datastore

    def _database_manager(self):
        manager = self.extensions.get("edmunds.database")
        if manager is None:
            raise ConfigurationError(
                "the database is not enabled: set APP['database']['enabled'] "
                "to True in config/app.py"
            )
        return manager


@functools.lru_cache(maxsize=1024)
def _synchronous(func):
    """Whether Flask's ensure_sync returns ``func`` as it is: no coroutine
    function (an ``async def``, or one inspect.markcoroutinefunction marked).
    Bounded: code that hands Flask a new function per request keeps at most
    this many alive."""
    return not inspect.iscoroutinefunction(func)
