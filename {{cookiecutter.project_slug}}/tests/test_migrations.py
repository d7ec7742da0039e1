import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect


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
        flask_migrate.upgrade()


def test_upgrade_from_empty_builds_exactly_the_models(database):
    flask_migrate.downgrade(revision="base")
    flask_migrate.upgrade()

    for bind_key, engine in database.engines.items():
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            differences = compare_metadata(context, database.metadatas[bind_key])
        assert differences == [], f"models and migrations differ: {differences}"
