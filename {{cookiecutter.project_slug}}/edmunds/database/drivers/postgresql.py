import shlex

from edmunds.database.drivers.serverdriver import ServerDriver

# PostgreSQL keeps this many bytes of an identifier (NAMEDATALEN - 1) and
# silently drops the rest, when a database is created and when one is
# named to connect: two long names can reach one database.
MAX_NAME_BYTES = 63


class PostgreSql(ServerDriver):
    """A PostgreSQL database, through psycopg 3 (``psycopg[binary]``)."""

    drivername = "postgresql+psycopg"
    dbapi = "psycopg"
    dbapi_package = "psycopg[binary]"
    default_port = 5432
    label = "PostgreSQL"
    engine_defaults = {
        **ServerDriver.engine_defaults,
        # libpq waits forever for a host that does not answer.
        "connect_args": {"connect_timeout": 10},
    }

    def name_on_server(self, name):
        cut = name.encode("utf-8")[:MAX_NAME_BYTES]
        # Never half a character: the server cuts at a character's start.
        return cut.decode("utf-8", errors="ignore")

    def says_database_is_missing(self, error):
        # psycopg gives no SQLSTATE for a refused connection: the server's
        # own words are all there is.
        database = self.name_on_server(str(self.setting("database")))
        return f'database "{database}" does not exist' in str(error)

    def create_database_command(self):
        return shlex.join(
            [
                "createdb",
                "-h",
                str(self.setting("host")),
                "-p",
                str(self.port()),
                "-U",
                str(self.setting("user")),
                str(self.setting("database")),
            ]
        )
