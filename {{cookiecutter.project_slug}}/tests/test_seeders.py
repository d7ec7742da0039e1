import re

from sqlalchemy import func, select

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


def test_db_seed_says_what_it_added_and_then_that_it_added_nothing(app, database):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["db", "seed"])
    again = runner.invoke(args=["db", "seed"])

    assert first.exit_code == 0, first.output
    said = re.fullmatch(r"DatabaseSeeder: added (.+)\.\n", first.output)
    assert said, first.output
    counts = dict(reversed(part.split(" ")) for part in said[1].split(", "))
    users = database.session.scalars(select(User)).all()
    assert counts == {
        "users": str(len(users)),
        "tags": str(database.session.scalar(select(func.count(Tag.id)))),
        "user_tags": str(sum(len(user.tags) for user in users)),
    }
    assert again.exit_code == 0, again.output
    assert again.output == "DatabaseSeeder: added no rows.\n"
