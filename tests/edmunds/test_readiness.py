"""/ready: every database instance answers, at the revisions of migrations/."""

import logging

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.providers.migrateserviceprovider import (
    MigrateServiceProvider,
)
from edmunds.http import health
from edmunds.http.blueprint import Blueprint
from edmunds.http.providers.apiserviceprovider import ApiServiceProvider

CONFIG = """\
from edmunds.database.drivers.sqlite import Sqlite

APP = {'database': {
    'enabled': True,
    'instances': [
        {'name': 'main', 'driver': Sqlite, 'file': '/database/main.db'},
        {'name': 'other', 'driver': Sqlite, 'file': '/database/other.db'},
    ],
    'modelsandtables': [],
}}
"""

REVISION = """\
revision = {revision!r}
down_revision = {down!r}


def upgrade(engine_name):
    pass


def downgrade(engine_name):
    pass
"""

UPGRADE = "behind the migrations of this code: run python manage.py db upgrade"


def revisions(*names):
    """migrations/versions/ holding these revisions, each after the one before."""
    files, down = {}, None
    for name in names:
        files[f"migrations/versions/{name}_step.py"] = REVISION.format(
            revision=name, down=down
        )
        down = name
    return files


@pytest.fixture
def build(make_app):
    """The app with the API's machinery and /up and /ready, as routes.py adds them."""

    def build(files):
        app = make_app({"config/app.py": CONFIG, **files})
        app.register(MigrateServiceProvider)
        app.register(ApiServiceProvider)
        status = Blueprint("health", __name__)
        status.add_url_rule("/up", "up", health.up, methods=["GET"])
        status.add_url_rule("/ready", "ready", health.ready, methods=["GET"])
        app.extensions["edmunds.api"].register_blueprint(status)
        return app

    return build


def at(app, name, *revisions):
    """Record an instance at these revisions, as `db upgrade` leaves it."""
    with app.database_engine(name).begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS alembic_version "
                "(version_num VARCHAR(32) NOT NULL)"
            )
        )
        connection.execute(text("DELETE FROM alembic_version"))
        for revision in revisions:
            connection.execute(
                text("INSERT INTO alembic_version VALUES (:revision)"),
                {"revision": revision},
            )


def test_an_instance_behind_is_named_with_the_command(build, caplog):
    app = build(revisions("0001", "0002"))
    at(app, "main", "0002")
    at(app, "other", "0001")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/ready")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": "behind",
        "behind": ["other"],
        "error": {"code": 503, "message": f"database instance 'other' is {UPGRADE}"},
    }
    # The log says where it is and where the code is, in one line.
    (record,) = caplog.records
    assert "'other' is behind the migrations (at 0001, they end at 0002)" in (
        record.getMessage()
    )
    assert record.exc_info is None and "\n" not in record.getMessage()
    # /up asks no database: the process is alive, only not ready.
    assert app.test_client().get("/up").status_code == 200

    at(app, "other", "0002")
    response = app.test_client().get("/ready")
    assert (response.status_code, response.get_json()) == (200, {"status": "ready"})


def test_a_database_never_upgraded_is_behind(build):
    app = build(revisions("0001"))

    response = app.test_client().get("/ready")

    assert response.status_code == 503
    assert response.get_json()["behind"] == ["main", "other"]
    assert response.get_json()["error"]["message"] == (
        f"database instances 'main', 'other' are {UPGRADE}"
    )


def test_a_database_ahead_of_this_code_is_no_reason_to_refuse(build):
    # A newer deploy migrated 'main': this replica's code is the one behind
    # there, and refusing would take every old replica out of a rolling
    # deploy at once. 'other' still lacks this code's revision.
    app = build(revisions("0001"))
    at(app, "main", "0002")

    assert app.test_client().get("/ready").get_json()["behind"] == ["other"]


def test_every_head_of_branched_migrations_is_needed(build):
    files = revisions("0001", "0002")
    files.update(
        {
            "migrations/versions/0003_step.py": REVISION.format(
                revision="0003", down="0001"
            )
        }
    )
    app = build(files)
    at(app, "main", "0002", "0003")
    at(app, "other", "0002")

    assert app.test_client().get("/ready").get_json()["behind"] == ["other"]


def test_migrations_are_read_once_as_the_app_is_built(build, tmp_path, monkeypatch):
    app = build(revisions("0001", "0002"))
    at(app, "main", "0002")
    at(app, "other", "0001")
    assert app.test_client().get("/ready").status_code == 503
    # A request that read migrations/ again would see this, or fail here.
    (tmp_path / "migrations/versions/0003_step.py").write_text(
        REVISION.format(revision="0003", down="0002")
    )

    def read_again(*args, **kwargs):
        raise AssertionError("migrations/ read for a request")

    monkeypatch.setattr(ScriptDirectory, "from_config", read_again)
    at(app, "other", "0002")

    for _ in range(3):
        assert app.test_client().get("/ready").status_code == 200


def test_a_migrations_folder_that_cannot_be_read_is_one_line(build):
    with pytest.raises(ConfigurationError) as raised:
        build({})

    message = str(raised.value)
    assert message.startswith("the migrations cannot be read (Path doesn't exist")
    assert message.endswith("`python manage.py db init` writes it back")
