import click
import pytest

from edmunds.console.generators.configfile import ConfigFile

CONFIG = '''\
"""The app's settings."""

import os

from app.database.models.tag import Tag
from app.database.models.user import User
from edmunds.database.drivers.sqlite import Sqlite

APP = {
    "database": {
        "instances": [{"name": "default", "driver": Sqlite}],
        # Every model and table.
        "modelsandtables": [
            User,
            Tag,  # the sample one
            # new models below
        ],
    },
    "console": {"commands": []},
    "paths": [os.sep],
}
'''


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(CONFIG)
    return path


def add(path, keys, module, name):
    config = ConfigFile(path)
    config.add(keys, module, name)
    config.write()
    return path.read_text()


def test_a_model_joins_its_list_and_the_sorted_imports_and_nothing_else_moves(
    config,
):
    source = add(
        config, ("database", "modelsandtables"), "app.database.models.post", "Post"
    )

    assert source == CONFIG.replace(
        "from app.database.models.tag import Tag\n",
        "from app.database.models.post import Post\n"
        "from app.database.models.tag import Tag\n",
    ).replace(
        "            # new models below\n",
        "            # new models below\n            Post,\n",
    )


def test_an_import_sorting_last_goes_after_the_project_s_last_one(config):
    source = add(config, ("paths",), "edmunds.zzz", "Zed")

    assert (
        "from edmunds.database.drivers.sqlite import Sqlite\nfrom edmunds.zzz import Zed\n"
        in source
    )


def test_an_empty_list_becomes_one_entry_a_line(config):
    source = add(config, ("console", "commands"), "app.console.commands.hi", "hi")

    assert '    "console": {"commands": [\n        hi,\n    ]},\n' in source


def test_numbers_sort_naturally(config):
    add(config, ("paths",), "app.database.models.tag10", "Tag10")
    source = add(config, ("paths",), "app.database.models.tag9", "Tag9")

    assert source.index("models.tag9 ") < source.index("models.tag10 ")


def test_names_it_binds_are_known(config):
    config_file = ConfigFile(config)

    assert config_file.defines("User") and config_file.defines("APP")
    assert config_file.defines("os") and not config_file.defines("Post")


@pytest.mark.parametrize(
    "keys", [("database", "instances", "x"), ("nothing",), ("database",)]
)
def test_a_missing_list_is_refused_and_nothing_is_written(config, keys):
    with pytest.raises(click.ClickException, match="has no APP"):
        ConfigFile(config).add(keys, "app.x", "X")
    assert config.read_text() == CONFIG


def test_a_config_that_does_not_parse_is_one_line(config):
    config.write_text("APP = {\n")

    with pytest.raises(click.ClickException, match="cannot read") as error:
        ConfigFile(config)
    assert "\n" not in error.value.message
