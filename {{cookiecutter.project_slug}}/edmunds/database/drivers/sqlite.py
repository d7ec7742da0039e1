import os

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import URL

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.drivers.driver import Driver
from edmunds.support.privatefiles import make_private_file, make_private_folder

# HTTP's safe methods: a handler answering them reads and never writes.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# SQLite's own levels of how long a commit waits for the disk.
SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


class Sqlite(Driver):
    """A SQLite file inside the storage folder.

    ``'file': '/database/app.db'`` is ``storage/database/app.db``: the path is
    always taken inside the storage folder, a leading ``/`` meaning its root.
    ``'storage'`` names another storage folder (relative to the project).
    ``'synchronous'`` sets SQLite's PRAGMA of that name (OFF, NORMAL, FULL,
    EXTRA); unset, SQLite's own FULL: each commit waits for the disk.
    """

    required = ("file",)
    # Writers wait for each other up to this many seconds instead of failing
    # at once with "database is locked".
    engine_defaults = {"connect_args": {"timeout": 30}}
    pragmas = ("PRAGMA foreign_keys=ON", "PRAGMA journal_mode=WAL")

    def __init__(self, app, instance):
        super().__init__(app, instance)
        synchronous = self.setting("synchronous")
        if synchronous is not None and str(synchronous).upper() not in SYNCHRONOUS:
            raise ConfigurationError(
                f"database instance {self.name!r}: 'synchronous' is "
                f"{synchronous!r}, not one of {', '.join(SYNCHRONOUS)}"
            )
        self.synchronous = synchronous and str(synchronous).upper()

    def storage(self, setting=None):
        storage = (setting or self.setting)("storage") or self.app.storage_path
        return os.path.join(self.app.root_path, storage)

    def path(self, setting=None):
        file = str((setting or self.setting)("file")).lstrip("/")
        return os.path.join(self.storage(setting), file)

    def url(self):
        # The folders are made at once, the owner's alone (0700) whatever
        # the umask; the file only when first opened (_make_private_file).
        path = self.path()
        make_private_folder(os.path.dirname(path), inside=self.storage())
        return URL.create("sqlite", database=path)

    def describe(self):
        return f"SQLite file {self.path()}"

    def database_identity(self, setting=None):
        # Through symbolic links and "..": the file SQLite will open.
        return ("SQLite", os.path.realpath(self.path(setting)))

    def prepare_engine(self, engine):
        super().prepare_engine(engine)
        event.listen(engine, "do_connect", self._make_private_file)
        event.listen(engine, "connect", self._on_connect)
        event.listen(engine, "begin", self._on_begin)

    def _make_private_file(self, dialect, connection_record, cargs, cparams):
        # Before SQLite opens it, and only then (a configuration refused at
        # boot leaves no file behind): the owner's alone (0600) whatever the
        # umask. SQLite would make it readable by all, and its -wal and -shm
        # files take its mode.
        make_private_file(self.path())

    def _on_connect(self, dbapi_connection, connection_record):
        # pysqlite opens transactions on its own and never around DDL; leave
        # that to SQLAlchemy (see _on_begin) so that a failed migration rolls
        # back whole, as it does on PostgreSQL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in self.pragmas:
            cursor.execute(pragma)
        if self.synchronous:
            cursor.execute(f"PRAGMA synchronous={self.synchronous}")
        cursor.close()

    def _on_begin(self, connection):
        # A request whose method only reads (GET, HEAD, OPTIONS) begins a
        # plain deferred transaction: under WAL any number of them read side
        # by side, and they never make a writer wait. Taking the write lock
        # for them too halved the throughput of GET /api/users under two
        # gunicorn workers (bench/).
        if has_request_context() and request.method in READ_ONLY_METHODS:
            connection.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE takes the write lock when the transaction starts. A plain
        # BEGIN that reads and then writes fails at once with "database is
        # locked" when another writer went first (the busy timeout does not
        # apply to that upgrade); this way writers queue up and wait instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
