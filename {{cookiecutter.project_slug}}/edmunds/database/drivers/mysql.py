from sqlalchemy import event

from edmunds.database.drivers.serverdriver import ServerDriver


class MySql(ServerDriver):
    """A MySQL or MariaDB database, through PyMySQL (pure Python)."""

    drivername = "mysql+pymysql"
    dbapi = "pymysql"
    dbapi_package = "PyMySQL"
    default_port = 3306
    label = "MySQL"
    # Full Unicode: MySQL's "utf8" stops at three bytes a character.
    query = {"charset": "utf8mb4"}
    engine_defaults = {
        **ServerDriver.engine_defaults,
        # The server closes connections idle longer than its wait_timeout
        # (8 hours by default, far less on many hosts): renew them first.
        "pool_recycle": 3600,
    }

    def prepare_engine(self, engine):
        super().prepare_engine(engine)
        event.listen(engine, "do_connect", self._encode_password)

    def _encode_password(self, dialect, connection_record, cargs, cparams):
        # PyMySQL sends a str password as Latin-1, while the server hashed
        # the UTF-8 bytes it was given: "é" would never match.
        if isinstance(cparams.get("password"), str):
            cparams["password"] = cparams["password"].encode("utf-8")
