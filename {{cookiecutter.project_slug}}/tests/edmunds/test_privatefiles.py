import os
import stat

import pytest

from edmunds.config.configurationerror import ConfigurationError
from edmunds.support.privatefiles import make_private_file, make_private_folder

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def any_umask():
    """No umask at all: what is private is made so, not left to the umask."""
    previous = os.umask(0)
    yield
    os.umask(previous)


# Readable or writable by all, or writable by the group: refused whoever
# owns the file (a file root owns may be readable by its group).
@pytest.mark.parametrize("shared", [0o644, 0o604, 0o660, 0o666, 0o602])
def test_an_env_py_others_can_read_or_change_is_refused(make_app, tmp_path, shared):
    make_app({".env.py": "APP_ENV = 'testing'"})
    (tmp_path / ".env.py").chmod(shared)
    with pytest.raises(ConfigurationError) as error:
        make_app()
    message = str(error.value)
    assert f"(mode {shared:o})" in message
    assert message.endswith(
        f"run chmod 600 {tmp_path / '.env.py'} (and change the secrets if "
        "others may have read them)"
    )
    assert "\n" not in message


@pytest.mark.parametrize("private", [0o600, 0o400, 0o700])
def test_an_env_py_for_its_owner_alone_is_read(make_app, tmp_path, private):
    make_app({".env.py": "OWN = 1"})
    (tmp_path / ".env.py").chmod(private)
    assert make_app().config["OWN"] == 1


def test_sqlite_files_and_their_folders_are_the_owners_alone(make_app, any_umask):
    app = make_app(
        {
            "config/app.py": """
                from edmunds.database.drivers.sqlite import Sqlite
                APP = {"database": {"enabled": True, "instances": [
                    {"name": "default", "driver": Sqlite, "file": "/a/b/app.db"},
                ]}}
            """
        }
    )
    storage = app.storage_path
    with app.app_context():
        with app.database_engine().begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        files = [f for f in os.listdir(os.path.join(storage, "a/b"))]
        assert "app.db" in files and "app.db-wal" in files
        for name in files:
            assert mode(os.path.join(storage, "a/b", name)) == 0o600, name
    assert mode(os.path.join(storage, "a")) == 0o700
    assert mode(os.path.join(storage, "a/b")) == 0o700


def test_what_was_open_before_is_closed(tmp_path, any_umask):
    inside = tmp_path / "storage"
    folder = inside / "database"
    folder.mkdir(parents=True, mode=0o777)
    (folder / "app.db").write_bytes(b"")
    (folder / "app.db").chmod(0o666)

    make_private_folder(str(folder), inside=str(inside))
    make_private_file(str(folder / "app.db"))

    assert mode(folder) == 0o700 and mode(folder / "app.db") == 0o600
    assert mode(inside) == 0o777  # the storage folder itself is the user's


def test_every_folder_it_makes_is_private(tmp_path, any_umask):
    make_private_folder(str(tmp_path / "storage/a/b"), inside=str(tmp_path / "storage"))
    for folder in ("storage", "storage/a", "storage/a/b"):
        assert mode(tmp_path / folder) == 0o700, folder


def test_folders_outside_storage_are_left_alone(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir(mode=0o755)
    outside.chmod(0o755)
    make_private_folder(str(outside), inside=str(tmp_path / "storage"))
    assert mode(outside) == 0o755
