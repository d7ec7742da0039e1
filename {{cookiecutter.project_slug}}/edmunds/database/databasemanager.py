from flask.globals import app_ctx
from sqlalchemy.orm import scoped_session, sessionmaker

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db
from edmunds.database.drivers.driver import Driver


class DatabaseManager:
    """Turns ``APP['database']['instances']`` into Flask-SQLAlchemy's config.

    The first instance is the default database (``SQLALCHEMY_DATABASE_URI``);
    every other one is a bind named after the instance, which models join
    with ``__bind_key__ = '<name>'`` and tables with ``bind_key='<name>'``.
    """

    def __init__(self, app):
        self.app = app
        self.drivers = {}
        instances = app.config("app.database.instances") or []
        if not instances:
            raise ConfigurationError(
                "APP['database'] is enabled but lists no instance: add one to "
                "'instances' in config/app.py"
            )
        for position, instance in enumerate(instances):
            self._add(position, instance)
        self.default_name = next(iter(self.drivers))
        self.engines = {}
        self._sessions = {}

    def _add(self, position, instance):
        name = instance.get("name") if isinstance(instance, dict) else None
        if not name or not isinstance(name, str):
            raise ConfigurationError(
                f"database instance #{position + 1}: missing 'name'"
            )
        if name in self.drivers:
            raise ConfigurationError(
                f"database instance {name!r}: two instances have this name"
            )
        driver = instance.get("driver")
        if not (isinstance(driver, type) and issubclass(driver, Driver)):
            raise ConfigurationError(
                f"database instance {name!r}: unknown 'driver' {driver!r} (use "
                "a class from edmunds.database.drivers)"
            )
        self.drivers[name] = driver(self.app, instance)
        self.drivers[name].check_dbapi()

    def flask_sqlalchemy_config(self):
        default = self.drivers[self.default_name]
        binds = {
            name: {"url": driver.url(), **driver.engine_options()}
            for name, driver in self.drivers.items()
            if name != self.default_name
        }
        return {
            "SQLALCHEMY_DATABASE_URI": default.url(),
            "SQLALCHEMY_ENGINE_OPTIONS": default.engine_options(),
            "SQLALCHEMY_BINDS": binds,
        }

    def bind_key(self, name):
        """Flask-SQLAlchemy's bind key of an instance: None for the default."""
        if name is None or name == self.default_name:
            return None
        if name not in self.drivers:
            raise ConfigurationError(f"no database instance is named {name!r}")
        return name

    def instance_name(self, bind_key):
        return self.default_name if bind_key is None else bind_key

    def take_engines(self):
        """Keep the engines Flask-SQLAlchemy made and let drivers prepare them."""
        with self.app.app_context():
            self.engines = dict(db.engines)
        for bind_key, engine in self.engines.items():
            self.drivers[self.instance_name(bind_key)].prepare_engine(engine)

    def engine(self, name=None):
        return self.engines[self.bind_key(name)]

    def session(self, name=None):
        bind_key = self.bind_key(name)
        if bind_key is None:
            return db.session
        if bind_key not in self._sessions:
            self._sessions[bind_key] = scoped_session(
                sessionmaker(bind=self.engines[bind_key]),
                scopefunc=lambda: id(app_ctx._get_current_object()),
            )
        return self._sessions[bind_key]

    def remove_sessions(self, exception=None):
        for session in self._sessions.values():
            session.remove()
