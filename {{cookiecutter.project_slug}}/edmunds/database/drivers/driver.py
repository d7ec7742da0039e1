import os

from sqlalchemy import event

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.databaseconnectionerror import DatabaseConnectionError


class Driver:
    """One database instance: where its settings come from and its engine.

    A setting is looked up, first match wins, in: the environment
    (``DB_<NAME>_<KEY>``, e.g. ``DB_DEFAULT_PASS``), the config files under
    the same flat name (``.env.py`` is the place for credentials), and the
    instance's dict in ``config/app.py``. So the same code runs on a laptop,
    in CI and in production with nothing secret in git.
    """

    required = ()
    # Required keys that may be set to an empty string: a password, on a
    # server that trusts local connections.
    may_be_empty = ()
    # Per-instance SQLAlchemy engine options; an instance's 'engine_options'
    # dict is merged over them (and its 'connect_args' over theirs).
    engine_defaults = {}

    def __init__(self, app, instance):
        self.app = app
        self.name = instance["name"]
        self.instance = instance
        for key in self.required:
            value = self.setting(key)
            if value is None or (value == "" and key not in self.may_be_empty):
                raise ConfigurationError(
                    f"database instance {self.name!r}: missing {key!r} (set it in "
                    f"config/app.py, or as {self.env_name(key)} in .env.py or "
                    "the environment)"
                )

    def check_dbapi(self):
        """Refuse to go on without the DBAPI module the engine will import."""

    def env_name(self, key):
        return f"DB_{self.name.upper()}_{key.upper()}"

    def setting(self, key, default=None):
        flat = self.env_name(key)
        if flat in os.environ:
            return os.environ[flat]
        if flat in self.app.config:
            return self.app.config[flat]
        return self.instance.get(key, default)

    def url(self):
        """The instance's ``sqlalchemy.engine.URL``."""
        raise NotImplementedError

    def engine_options(self):
        options = {**self.engine_defaults, **self.instance.get("engine_options", {})}
        connect_args = {
            **self.engine_defaults.get("connect_args", {}),
            **self.instance.get("engine_options", {}).get("connect_args", {}),
        }
        if connect_args:
            options["connect_args"] = connect_args
        return options

    def describe(self):
        """Where the instance's data lives, for error messages."""
        return type(self).__name__

    def database_identity(self, setting=None):
        """What tells this instance's database apart from any other.

        Two instances whose identities are equal hold the same data, as the
        engine resolves names. ``setting`` looks a setting up (by default
        ``self.setting``), so that another environment's settings can be
        resolved too. None: the data lives nowhere others can reach.
        """
        return None

    def missing_database_advice(self, error):
        """How to create the database ``error`` says is missing, or None."""
        return None

    def prepare_engine(self, engine):
        """Attach engine events before the first connection.

        Drivers that override this call it too: a connection that cannot be
        opened is reported as a ``DatabaseConnectionError`` naming the
        instance, instead of the DBAPI's error.
        """
        event.listen(engine, "handle_error", self._on_error)

    def _on_error(self, context):
        # Only failures to connect: an error in a statement keeps its own
        # exception. A failed pre-ping is not one: the pool reconnects.
        if context.connection is not None or context.is_pre_ping:
            return
        reason = " ".join(str(context.original_exception).split())
        advice = self.missing_database_advice(context.original_exception)
        raise DatabaseConnectionError(
            f"database instance {self.name!r} ({self.describe()}): cannot "
            f"connect: {reason}" + (f"; {advice}" if advice else "")
        )
