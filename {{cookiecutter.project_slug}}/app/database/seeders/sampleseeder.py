import random

import factory.random

from edmunds.database.seeding.seeder import Seeder
from tests.factories import TagFactory, UserFactory

# A fixed seed: the same users, tags and links on every machine, so that
# screenshots and bug reports match.
SEED = 14
USERS = 25
TAGS = 10
MAX_TAGS_PER_USER = 4


class SampleUserFactory(UserFactory):
    class Meta:
        # Seeding again finds the users it made instead of doubling them.
        sqlalchemy_get_or_create = ("name",)


class SampleSeeder(Seeder):
    """Users with Faker's names, tags with its words, and links between them."""

    def run(self):
        factory.random.reseed_random(SEED)
        links = random.Random(SEED)
        # Faker may give a word twice: the same tag, kept once.
        tags = list(dict.fromkeys(TagFactory() for _ in range(TAGS)))
        for _ in range(USERS):
            user = SampleUserFactory()
            user.tags = links.sample(tags, links.randint(0, MAX_TAGS_PER_USER))
