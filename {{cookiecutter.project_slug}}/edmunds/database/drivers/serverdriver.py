from importlib.util import find_spec

from sqlalchemy.engine import URL

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.drivers.driver import Driver


class ServerDriver(Driver):
    """A database on a server: ``user``, ``pass``, ``host``, ``database`` and
    an optional ``port``.

    Each of them can come from ``DB_<NAME>_<KEY>`` in the environment or
    ``.env.py`` (see ``Driver``); ``pass`` may be empty for a server that
    trusts this machine. The URL is built with SQLAlchemy's URL API, so a
    password holding ``@``, ``:``, ``/`` or ``%`` reaches the server intact.
    """

    required = ("user", "pass", "host", "database")
    may_be_empty = ("pass",)
    # Set by each server's driver: SQLAlchemy's dialect and the DBAPI module
    # it imports, with the package that installs it.
    drivername = None
    dbapi = None
    dbapi_package = None
    default_port = None
    label = None
    query = {}
    # Settings an app on many hosts needs from its connections:
    # - pool_pre_ping: a connection the server (or a firewall) dropped while
    #   it sat in the pool is replaced, not handed to a request;
    # - pool_size and max_overflow: at most 15 connections per process; the
    #   server's connection limit must cover every process on every host.
    engine_defaults = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}

    def __init__(self, app, instance):
        super().__init__(app, instance)
        self.port()

    def check_dbapi(self):
        if find_spec(self.dbapi) is None:
            raise ConfigurationError(
                f"database instance {self.name!r}: {type(self).__name__} needs "
                f"the {self.dbapi_package} package (uv add "
                f"'{self.dbapi_package}' adds it to pyproject.toml and uv.lock)"
            )

    def port(self):
        port = self.setting("port", self.default_port)
        try:
            return int(port)
        except (TypeError, ValueError):
            raise ConfigurationError(
                f"database instance {self.name!r}: 'port' must be a number, "
                f"not {port!r}"
            ) from None

    def url(self):
        # A password written as a number in .env.py is still a password.
        password = self.setting("pass")
        return URL.create(
            self.drivername,
            username=self.setting("user"),
            password=str(password) if password not in (None, "") else None,
            host=self.setting("host"),
            port=self.port(),
            database=self.setting("database"),
            query=self.query,
        )

    def describe(self):
        return (
            f"{self.label} database {self.setting('database')!r} on "
            f"{self.setting('host')}:{self.port()} as {self.setting('user')!r}"
        )

    def database_identity(self, setting=None):
        # By name alone, on whichever host: two instances may only share a
        # name when they share the data, so a false alarm is the safe side.
        name = (setting or self.setting)("database")
        return (self.label, self.name_on_server(str(name)))

    def name_on_server(self, name):
        """The database a name reaches: the server's own cut and case."""
        return name

    def missing_database_advice(self, error):
        if not self.says_database_is_missing(error):
            return None
        return f"create it with: {self.create_database_command()}"

    def says_database_is_missing(self, error):
        raise NotImplementedError

    def create_database_command(self):
        """The shell command that creates this instance's database."""
        raise NotImplementedError
