import shlex

from sqlalchemy import event

from edmunds.database.drivers.serverdriver import ServerDriver

# MySQL's limit on a database name, in characters.
MAX_NAME_CHARACTERS = 64
# ER_BAD_DB_ERROR: "Unknown database".
UNKNOWN_DATABASE = 1049


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

    def name_on_server(self, name):
        # A name over 64 characters is refused, not cut; the case counts on
        # Linux but not on macOS or Windows (lower_case_table_names).
        return name[:MAX_NAME_CHARACTERS].casefold()

    def says_database_is_missing(self, error):
        return bool(error.args) and error.args[0] == UNKNOWN_DATABASE

    def create_database_command(self):
        name = str(self.setting("database")).replace("`", "``")
        statement = f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"
        command = [
            "mysql",
            "-h",
            str(self.setting("host")),
            "-P",
            str(self.port()),
            "-u",
            str(self.setting("user")),
        ]
        if self.setting("pass") not in (None, ""):
            command.append("-p")  # asks for it: never on a command line
        return shlex.join([*command, "-e", statement])

    def prepare_engine(self, engine):
        super().prepare_engine(engine)
        event.listen(engine, "do_connect", self._encode_password)

    def _encode_password(self, dialect, connection_record, cargs, cparams):
        # PyMySQL sends a str password as Latin-1, while the server hashed
        # the UTF-8 bytes it was given: "é" would never match.
        if isinstance(cparams.get("password"), str):
            cparams["password"] = cparams["password"].encode("utf-8")
