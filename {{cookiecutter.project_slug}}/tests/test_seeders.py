import re

from sqlalchemy import func, select

from app.database.models.tag import Tag
from app.database.models.user import User
from app.database.seeders.databaseseeder import DatabaseSeeder


def seeded_rows(database):
    users = database.session.scalars(select(User).order_by(User.name)).all()
    return {user.name: sorted(tag.name for tag in user.tags) for user in users}


def test_the_database_seeder_makes_users_tags_and_links(app, database):
    # Three seedings, each checked (seeding is the suite's costliest step):
    # what the first makes, that a new start makes it again, and that
    # seeding over it adds nothing and breaks no unique name.
    DatabaseSeeder(app).run()
    first = seeded_rows(database)
    assert len(first) >= 20
    assert database.session.scalars(select(Tag)).all()
    assert any(first.values()), "no user got a tag"
    database.session.rollback()

    DatabaseSeeder(app).run()
    database.session.commit()
    assert seeded_rows(database) == first, "not the same rows every time"

    DatabaseSeeder(app).run()
    database.session.commit()
    assert seeded_rows(database) == first, "seeding again changed the rows"


def test_db_seed_says_what_it_added_and_then_that_it_added_nothing(app, database):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["db", "seed"])
    again = runner.invoke(args=["db", "seed"])

    assert first.exit_code == 0, first.output
    # The samples' tables: the project's own seeders may add to others.
    users = database.session.scalars(select(User)).all()
    samples = {
        "users": len(users),
        "tags": database.session.scalar(select(func.count(Tag.id))),
        "user_tags": sum(len(user.tags) for user in users),
    }
    said = added(first.output)
    assert {table: said.get(table) for table in samples} == samples
    assert again.exit_code == 0, again.output
    assert not set(samples) & set(added(again.output))


def added(output):
    """{table: rows} of `db seed`'s line, ``DatabaseSeeder: added 3 users, ...``."""
    said = re.fullmatch(r"DatabaseSeeder: added (.+?)(; removed .*)?\.\n", output)
    assert said, output
    if said[1] == "no rows":
        return {}
    return {
        table: int(count)
        for count, table in (part.split(" ", 1) for part in said[1].split(", "))
    }
