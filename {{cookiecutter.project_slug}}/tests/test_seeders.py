from sqlalchemy import select

from app.database.models.tag import Tag
from app.database.models.user import User
from app.database.seeders.databaseseeder import DatabaseSeeder


def seeded_rows(database):
    users = database.session.scalars(select(User).order_by(User.name)).all()
    return {user.name: sorted(tag.name for tag in user.tags) for user in users}


def test_the_database_seeder_makes_users_tags_and_links(app, database):
    DatabaseSeeder(app).run()
    database.session.commit()

    rows = seeded_rows(database)
    assert len(rows) >= 20
    assert database.session.scalars(select(Tag)).all()
    assert any(rows.values()), "no user got a tag"


def test_the_same_rows_every_time(app, database):
    DatabaseSeeder(app).run()
    first = seeded_rows(database)
    database.session.rollback()

    DatabaseSeeder(app).run()

    assert seeded_rows(database) == first


def test_seeding_twice_adds_nothing_and_breaks_no_unique_name(app, database):
    DatabaseSeeder(app).run()
    database.session.commit()
    first = seeded_rows(database)

    DatabaseSeeder(app).run()
    database.session.commit()

    assert seeded_rows(database) == first
