import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.database.models.tag import Tag
from app.database.models.user import User
from app.database.models.usertags import UserTags
from tests.factories import TagFactory, UserFactory


def count(database, table):
    # A select on a plain table does not tell the session which database
    # instance to use (a model would): name the table's own.
    return database.session.scalar(
        select(func.count()).select_from(table), bind_arguments={"clause": table}
    )


def make_user_with_tags(database, name, *tag_names):
    user = UserFactory(name=name, tags=[TagFactory(name=tag) for tag in tag_names])
    database.session.commit()
    return user.id


def test_a_user_has_tags_and_a_tag_has_users(database):
    user_id = make_user_with_tags(database, "Ada", "math", "engines")
    database.session.expire_all()

    user = database.session.get(User, user_id)
    assert [tag.name for tag in user.tags] == ["math", "engines"]
    assert [holder.name for holder in user.tags[0].users] == ["Ada"]


def test_deleting_a_user_removes_its_links_but_keeps_the_tags(database):
    user_id = make_user_with_tags(database, "Ada", "math", "engines")

    database.session.delete(database.session.get(User, user_id))
    database.session.commit()

    assert count(database, UserTags) == 0
    assert count(database, Tag.__table__) == 2


def test_the_database_itself_cascades_deletes_to_links(database):
    # Past the ORM, as a bulk delete or another program would do it.
    make_user_with_tags(database, "Ada", "math")

    database.session.execute(delete(Tag))
    database.session.commit()

    assert count(database, UserTags) == 0
    assert count(database, User.__table__) == 1


def test_tag_names_are_unique(database):
    database.session.add_all([Tag(name="math"), Tag(name="math")])
    with pytest.raises(IntegrityError):
        database.session.commit()
