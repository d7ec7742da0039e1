import flask_migrate
import pytest
from sqlalchemy import MetaData, Table, inspect, select, text
from sqlalchemy.exc import IntegrityError

from app.database.models.tag import Tag, name_key
from edmunds.database.migrations.modeldifferences import model_differences, summary

TAG_BIND = Tag.__bind_key__


def table_names(database):
    return {
        bind_key: set(inspect(engine).get_table_names()) - {"alembic_version"}
        for bind_key, engine in database.engines.items()
    }


def test_downgrade_to_base_leaves_no_table(database):
    flask_migrate.downgrade(revision="base")
    try:
        assert all(not names for names in table_names(database).values())
    finally:
        flask_migrate.upgrade(revision="heads")


def test_upgrade_from_empty_builds_exactly_the_models(app, database):
    flask_migrate.downgrade(revision="base")
    flask_migrate.upgrade(revision="heads")

    differences = model_differences(app)
    assert not differences, f"models and migrations differ: {summary(differences)}"


def add_tags_at_0001(database, *names):
    """Back at revision 0001, tags written as that schema holds them."""
    flask_migrate.downgrade(revision="0001")
    tags = Table("tags", MetaData(), autoload_with=database.engines[TAG_BIND])
    with database.engines[TAG_BIND].begin() as connection:
        connection.execute(tags.insert(), [{"name": name} for name in names])


def test_0002_gives_existing_tags_their_name_key(database):
    add_tags_at_0001(database, "Math", "poetry")
    flask_migrate.upgrade(revision="heads")

    keys = dict(database.session.execute(select(Tag.name, Tag.name_key)).all())
    assert keys == {"Math": name_key("MATH"), "poetry": name_key("Poetry")}


def test_0002_refuses_tags_that_read_the_same_and_changes_nothing(database, capfd):
    try:
        add_tags_at_0001(database, "Math", "ＭＡＴＨ")
    except IntegrityError:
        # MySQL's and MariaDB's collations compare these names as one: the
        # unique name of 0001 refused the second, so 0002 has none to refuse.
        # Said as a check, not a skip, which the template's runs would miss.
        assert database.engines[TAG_BIND].dialect.name == "mysql"
        flask_migrate.upgrade(revision="heads")
        return
    try:
        # Flask-Migrate logs the one line migrations/env.py made, then exits.
        with pytest.raises(SystemExit):
            flask_migrate.upgrade(revision="heads")
        assert "have names that read the same ('ＭＡＴＨ')" in capfd.readouterr().err
        assert "name_key" not in {
            column["name"]
            for column in inspect(database.engines[TAG_BIND]).get_columns("tags")
        }
    finally:
        with database.engines[TAG_BIND].begin() as connection:
            connection.execute(text("DELETE FROM tags"))
        flask_migrate.upgrade(revision="heads")


def keys_at_0002(database, *names):
    """Tags added at 0001, their keys as 0002 wrote them: {name: key}."""
    add_tags_at_0001(database, *names)
    flask_migrate.upgrade(revision="0002")
    return tag_keys(database)


def tag_keys(database):
    tags = Table("tags", MetaData(), autoload_with=database.engines[TAG_BIND])
    with database.engines[TAG_BIND].connect() as connection:
        return dict(connection.execute(select(tags.c.name, tags.c.name_key)).all())


def test_0003_gives_existing_tags_their_look_alike_key_and_back(database):
    names = ("admin", "Math", "Cyrillic \u0430", "%")
    before = keys_at_0002(database, *names)
    try:
        flask_migrate.upgrade(revision="heads")
        assert tag_keys(database) == {name: name_key(name) for name in names}

        flask_migrate.downgrade(revision="0002")
        assert tag_keys(database) == before
    finally:
        flask_migrate.upgrade(revision="heads")


def test_0003_refuses_tags_that_look_alike_and_changes_nothing(database, capfd):
    before = keys_at_0002(database, "admin", "\u0430dmin", "poetry")
    try:
        with pytest.raises(SystemExit):
            flask_migrate.upgrade(revision="heads")
        err = capfd.readouterr().err
        assert (
            "('admin') and" in err
            and "('\u0430dmin') have names that look alike" in err
        )
        assert tag_keys(database) == before
    finally:
        with database.engines[TAG_BIND].begin() as connection:
            connection.execute(text("DELETE FROM tags"))
        flask_migrate.upgrade(revision="heads")


def test_0004_keeps_every_user_and_gives_each_a_uniquifier(database):
    bind = TAG_BIND  # User, Tag and their links share an instance
    flask_migrate.downgrade(revision="0003")
    try:
        users = Table("users", MetaData(), autoload_with=database.engines[bind])
        with database.engines[bind].begin() as connection:
            connection.execute(users.insert(), [{"name": "Ada"}, {"name": "Alan"}])
        flask_migrate.upgrade(revision="0004")

        users = Table("users", MetaData(), autoload_with=database.engines[bind])
        with database.engines[bind].connect() as connection:
            rows = connection.execute(
                select(
                    users.c.name,
                    users.c.email,
                    users.c.password,
                    users.c.active,
                    users.c.fs_uniquifier,
                ).order_by(users.c.id)
            ).all()
        assert [row[:4] for row in rows] == [
            ("Ada", None, None, True),
            ("Alan", None, None, True),
        ]
        assert len({row.fs_uniquifier for row in rows}) == 2

        flask_migrate.downgrade(revision="0003")
        users = Table("users", MetaData(), autoload_with=database.engines[bind])
        with database.engines[bind].connect() as connection:
            assert connection.execute(select(users.c.name)).scalars().all() == [
                "Ada",
                "Alan",
            ]
    finally:
        with database.engines[bind].begin() as connection:
            connection.execute(text("DELETE FROM users"))
        flask_migrate.upgrade(revision="heads")
