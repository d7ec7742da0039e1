"""factory-boy factories for the sample models: ``UserFactory(name="Ada")``.

They add to ``db.session``, the session of the test (the ``database``
fixture) or of the seeder that calls them, and flush so that rows get their
ids; the test or ``db seed`` commits. Values they are not given come from
Faker.
"""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.database.models.tag import Tag
from app.database.models.user import User
from edmunds.database.db import db


class Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        # Called at each create: the session of the app context in use.
        sqlalchemy_session_factory = db.session
        sqlalchemy_session_persistence = "flush"


class UserFactory(Factory):
    class Meta:
        model = User

    name = factory.Faker("name")


class TagFactory(Factory):
    class Meta:
        model = Tag
        # Tag names are unique: asking twice for one name gives one tag.
        sqlalchemy_get_or_create = ("name",)

    name = factory.Faker("word")
