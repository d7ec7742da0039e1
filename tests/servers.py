"""The database servers that baked projects are proven against.

Each server is reached through a URL naming an account that may create
databases and users: ``EDMUNDS_TEMPLATE_POSTGRESQL_URL`` and
``EDMUNDS_TEMPLATE_MYSQL_URL``, by default the local servers that .ci/run
starts. Every database and user made here has a fresh random name and is
dropped by the test that made it.
"""

import json
import os
import secrets
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from conftest import unavailable

# Role that pg_hba.conf asks for a password (.ci/run adds the rule): every
# other local role is trusted, so a password test needs its users in here.
PASSWORD_CHECKED = "edmunds_template_password_checked"
PG_HBA_RULE = f"host all +{PASSWORD_CHECKED} 127.0.0.1/32 scram-sha-256"


class Server:
    engine = None
    variable = None
    default_url = None
    drivername = None

    def __init__(self):
        self.url = make_url(os.environ.get(self.variable) or self.default_url).set(
            drivername=self.drivername
        )
        self._admin = None

    def __str__(self):
        return f"{self.label} at {self.url.host}:{self.url.port}"

    def admin(self):
        """An autocommit engine on the admin account, or skip without one."""
        if self._admin is None:
            engine = create_engine(
                self.url,
                isolation_level="AUTOCOMMIT",
                connect_args={"connect_timeout": 5},
            )
            try:
                engine.connect().close()
            except DBAPIError as error:
                reason = " ".join(str(error.orig).split())
                unavailable(
                    f"no {self.label} server for these tests ({reason}): start one "
                    f"on {self.url.host}:{self.url.port}, or set {self.variable} to "
                    f"an account on one that may create databases and users, "
                    f"e.g. {self.example}"
                )
            self._admin = engine
        return self._admin

    def execute(self, statement):
        # As written: no parameters, so the driver reads no "%" as a marker.
        with self.admin().connect() as connection:
            connection.exec_driver_sql(
                statement, execution_options={"no_parameters": True}
            )

    def quote(self, value):
        """A string literal; the statements here take no bound parameters."""
        return "'" + value.replace("'", "''") + "'"

    @contextmanager
    def databases(self):
        """Yield a function making fresh databases; drop them all after."""
        made = []

        def make(owner=None):
            name = fresh_name()
            made.append(name)
            self.create_database(name, owner)
            return name

        try:
            yield make
        finally:
            for name in made:
                self.drop_database(name)

    @contextmanager
    def user(self, password):
        """A fresh login role whose password the server checks."""
        name = fresh_name()
        self.create_user(name, password)
        try:
            yield name
        finally:
            self.drop_user(name)

    def project_databases(self, cleanup, project, instance="default"):
        """Fresh databases for a bake's instance and for its tests, dropped
        when ``cleanup`` (an ExitStack) closes: the settings of each. The
        tests' goes into .env.testing.py too, since the baked tests run only
        on the databases it names (the environment may repeat them, never
        change them)."""
        make = cleanup.enter_context(self.databases())
        in_development, in_tests = make(), make()
        with (project / ".env.testing.py").open("a") as env_testing:
            # Double-quoted, as ruff formats the file the bake lints.
            line = f"DB_{instance.upper()}_DATABASE = {json.dumps(in_tests)}\n"
            env_testing.write(line)
        return (
            self.settings(instance, in_development),
            self.settings(instance, in_tests),
        )

    def settings(self, instance, database, user=None, password=None, full=False):
        """The DB_<NAME>_* settings that point an instance at a database.

        On the default local server they name the database alone: a bake's
        own .env.py holds the rest, and this proves that it works.
        """
        prefix = f"DB_{instance.upper()}_"
        settings = {prefix + "DATABASE": database}
        if full or os.environ.get(self.variable):
            settings[prefix + "HOST"] = self.url.host
            settings[prefix + "PORT"] = str(self.url.port)
            settings[prefix + "USER"] = user or self.url.username
            settings[prefix + "PASS"] = password if user else self.url.password or ""
        return settings

    def tables(self, database):
        engine = create_engine(self.url.set(database=database))
        try:
            return set(inspect(engine).get_table_names()) - {"alembic_version"}
        finally:
            engine.dispose()


class PostgreSql(Server):
    engine = "postgresql"
    label = "PostgreSQL"
    variable = "EDMUNDS_TEMPLATE_POSTGRESQL_URL"
    default_url = "postgresql://postgres@127.0.0.1:5432/postgres"
    example = "postgresql://postgres:secret@127.0.0.1:5432/postgres"
    drivername = "postgresql+psycopg"

    def create_database(self, name, owner=None):
        self.execute(f"CREATE DATABASE {name}" + (f" OWNER {owner}" if owner else ""))

    def drop_database(self, name):
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def create_user(self, name, password):
        # Concurrent runs may race to make the group: either one wins.
        self.execute(
            f"DO $$ BEGIN CREATE ROLE {PASSWORD_CHECKED} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        self.execute(
            f"CREATE ROLE {name} LOGIN PASSWORD {self.quote(password)} "
            f"IN ROLE {PASSWORD_CHECKED}"
        )

    def drop_user(self, name):
        self.execute(f"DROP ROLE IF EXISTS {name}")

    def checks_passwords_of(self, user):
        engine = create_engine(self.url.set(username=user, password="not-the-password"))
        try:
            engine.connect().close()
        except DBAPIError:
            return True
        finally:
            engine.dispose()
        return False

    def require_password_checks(self, user):
        if not self.checks_passwords_of(user):
            unavailable(
                f"{self} lets {user!r} in with any password, so no password can "
                f"be tested: add '{PG_HBA_RULE}' above the trust lines of its "
                f"pg_hba.conf and reload it (.ci/run does), or set {self.variable} "
                "to a server that checks passwords"
            )


class MySql(Server):
    engine = "mysql"
    label = "MySQL/MariaDB"
    variable = "EDMUNDS_TEMPLATE_MYSQL_URL"
    default_url = "mysql://root@127.0.0.1:3306/"
    example = "mysql://root:secret@127.0.0.1:3306/"
    drivername = "mysql+pymysql"

    def create_database(self, name, owner=None):
        # As the baked README creates one: utf8mb4 (the server's own default
        # may still be latin1) with the server's default collation for it.
        self.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
        if owner:
            self.execute(f"GRANT ALL ON {name}.* TO '{owner}'@'%'")

    def drop_database(self, name):
        self.execute(f"DROP DATABASE IF EXISTS {name}")

    def quote(self, value):
        return super().quote(value.replace("\\", "\\\\"))

    def create_user(self, name, password):
        self.execute(f"CREATE USER '{name}'@'%' IDENTIFIED BY {self.quote(password)}")

    def drop_user(self, name):
        self.execute(f"DROP USER IF EXISTS '{name}'@'%'")

    def require_password_checks(self, user):
        """MySQL checks every account's password."""


SERVERS = {server.engine: server for server in (PostgreSql(), MySql())}


def fresh_name():
    # Marked as this suite's on a shared server; random, so that concurrent
    # runs never meet.
    return f"edmunds_test_{secrets.token_hex(6)}"


def on_servers(*engines):
    """Marks of a test on these engines: its servers, and its venv's worker."""
    servers = sorted(set(engines) & set(SERVERS))
    return [
        *(getattr(pytest.mark, engine) for engine in servers),
        pytest.mark.xdist_group("databases-" + ("-".join(servers) or "sqlite")),
    ]
