from edmunds.database.drivers.serverdriver import ServerDriver


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
