"""`make model NAME FIELD...` on every engine.

The issue's command and one with every type, on a bake of each engine:
what they write passes ruff, migrates, upgrades and agrees with its
revision (`db check`), and the bake's own suite passes with a test that
makes rows with the new factories.
"""

from contextlib import ExitStack

import pytest

from conftest import (
    assert_baked_suite_passed,
    assert_ruff_passes,
    bake,
    clean_env,
    manage,
    project_python,
    run,
)
from servers import SERVERS, on_servers

ENGINES = [
    pytest.param("sqlite", marks=on_servers()),
    *(pytest.param(engine, marks=on_servers(engine)) for engine in SERVERS),
]

ISSUE = "Post title:string:120 body:text? published:boolean user:references".split()
EVERY_TYPE = [
    "Everything",
    "name:string",
    "code:string:4?",
    "notes:text",
    "count:integer?",
    "done:boolean",
    "maybe:boolean?",
    "ratio:float",
    "price:numeric",
    "share:numeric:5,5?",
    "day:date",
    "at:datetime?",
    "data:json",
    "extra:json?",
    "post:references",
    "tag:references?",
]

# Rows from the new factories, read back from the database.
FACTORY_TEST = """\
import datetime
from decimal import Decimal

from app.database.models.everything import Everything
from app.database.models.post import Post
from tests.factories import EverythingFactory, PostFactory


def test_a_post_is_made_with_its_user(database):
    post = PostFactory(title="Day one")
    database.session.commit()
    database.session.expire_all()

    kept = database.session.get(Post, post.id)
    assert kept.title == "Day one" and kept.user.name
    assert isinstance(kept.published, bool)


def test_every_type_comes_back(database):
    made = EverythingFactory.create_batch(3)
    database.session.commit()
    database.session.expire_all()

    for row in made:
        kept = database.session.get(Everything, row.id)
        assert (kept.name, kept.price, kept.data) == (row.name, row.price, row.data)
        assert isinstance(kept.price, Decimal) and isinstance(kept.done, bool)
        assert isinstance(kept.day, datetime.date) and kept.post.user.name
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_fields_are_written_migrated_and_made_by_factories(cookies, engine):
    if engine in SERVERS:
        SERVERS[engine].admin()  # skips now if the server is absent
    project = bake(cookies, project_name="Fields", database=engine)
    python = project_python(project)
    with ExitStack() as cleanup:
        env, testing_env = {}, {}
        if engine in SERVERS:
            env, testing_env = SERVERS[engine].project_databases(cleanup, project)
        manage(project, python, env, "db", "upgrade")

        made = manage(project, python, env, "make", "model", *ISSUE).stdout
        assert "Added PostFactory to tests/factories.py.\n" in made
        manage(project, python, env, "make", "model", *EVERY_TYPE)
        model = (project / "app/database/models/post.py").read_text()
        assert "    title = db.Column(db.String(120), nullable=False)\n" in model
        assert '    user = relationship("User")\n' in model
        factories = (project / "tests/factories.py").read_text()
        assert "    post = factory.SubFactory(PostFactory)\n" in factories
        assert_ruff_passes(project)

        manage(project, python, env, "db", "migrate", "-m", "Add posts")
        manage(project, python, env, "db", "upgrade")
        manage(project, python, env, "db", "check")

        (project / "tests/test_posts.py").write_text(FACTORY_TEST)
        tested = run(
            project,
            python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            env=clean_env(**testing_env),
        )
        assert_baked_suite_passed(tested.stdout)
