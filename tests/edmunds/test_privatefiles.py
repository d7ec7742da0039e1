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


# Whoever owns .env.py can rewrite it (chmod is theirs): it must be the user
# the app runs as, or root. Making a file another user owns needs root.
needs_root = pytest.mark.skipif(
    os.name == "posix" and os.geteuid() != 0,
    reason="giving a file to another user needs root",
)
SOMEONE_ELSE = 54321  # a uid no account of this machine is likely to have


@needs_root
@pytest.mark.parametrize("private", [0o600, 0o640, 0o400])
def test_an_env_py_another_user_owns_is_refused(make_app, tmp_path, private):
    make_app({".env.py": "OWN = 1"})
    env_py = tmp_path / ".env.py"
    os.chown(env_py, SOMEONE_ELSE, SOMEONE_ELSE)
    env_py.chmod(private)
    with pytest.raises(ConfigurationError) as error:
        make_app()
    assert str(error.value) == (
        f"{env_py} belongs to uid {SOMEONE_ELSE}, who could change the code it "
        f"runs in this app: it must belong to root (as root: chown root {env_py})"
    )


@needs_root
def test_an_env_py_root_owns_may_be_read_by_the_apps_group(
    make_app, tmp_path, monkeypatch
):
    make_app({".env.py": "OWN = 1"})
    env_py = tmp_path / ".env.py"
    os.chown(env_py, 0, SOMEONE_ELSE)
    env_py.chmod(0o640)  # root:app 0640, the app running as a member of app
    monkeypatch.setattr(os, "geteuid", lambda: SOMEONE_ELSE)
    assert make_app().config["OWN"] == 1
    # Not by everyone, though.
    env_py.chmod(0o644)
    with pytest.raises(ConfigurationError, match=r"\(mode 644\)"):
        make_app()


def test_an_env_py_the_app_user_owns_is_read_whoever_that_is(
    make_app, tmp_path, monkeypatch
):
    make_app({".env.py": "OWN = 1"})
    mine = os.stat(tmp_path / ".env.py").st_uid
    monkeypatch.setattr(os, "geteuid", lambda: mine)
    assert make_app().config["OWN"] == 1
    if mine != 0:  # a file of the user running the tests, for another user
        monkeypatch.setattr(os, "geteuid", lambda: mine + 1)
        with pytest.raises(ConfigurationError, match="belongs to"):
            make_app()


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
