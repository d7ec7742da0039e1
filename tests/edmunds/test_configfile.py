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


MODELS = ("database", "modelsandtables")


@pytest.mark.parametrize(
    ("listed", "grown"),
    [
        (
            "[User, Tag  # the samples\n]",
            "[\n    User,\n    Tag,  # the samples\n    Post,\n]",
        ),
        (
            "[\n    User,\n    Tag  # the samples\n    # new ones below\n]",
            "[\n    User,\n    Tag,  # the samples\n    # new ones below\n    Post,\n]",
        ),
        (
            "[  # every model\n    User,  # the first\n    Tag]",
            "[  # every model\n    User,  # the first\n    Tag,\n    Post,\n]",
        ),
        (
            "[User,  # the first\n Tag]",
            "[User,  # the first\n Tag,\n Post,\n]",
        ),
        ("[  # none yet\n]", "[  # none yet\n    Post,\n]"),
    ],
)
def test_every_comment_in_the_list_stays_where_it_was(tmp_path, listed, grown):
    path = tmp_path / "app.py"
    path.write_text(f'APP = {{"database": {{"modelsandtables": {listed}}}}}\n')

    source = add(path, MODELS, "app.database.models.post", "Post")

    assert source == (
        "from app.database.models.post import Post\n\n"
        f'APP = {{"database": {{"modelsandtables": {grown}}}}}\n'
    )


def test_crlf_line_endings_stay_for_old_lines_and_new(config):
    config.write_bytes(CONFIG.replace("\n", "\r\n").encode())

    add(config, MODELS, "app.database.models.post", "Post")
    add(config, ("console", "commands"), "app.console.commands.hi", "hi")

    expected = (
        CONFIG.replace(
            "from app.database.models.tag import Tag\n",
            "from app.console.commands.hi import hi\n"
            "from app.database.models.post import Post\n"
            "from app.database.models.tag import Tag\n",
        )
        .replace("# new models below\n", "# new models below\n            Post,\n")
        .replace('{"commands": []}', '{"commands": [\n        hi,\n    ]}')
    )
    assert config.read_bytes() == expected.replace("\n", "\r\n").encode()


def test_a_repeated_key_gets_the_name_where_python_reads_it(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(
        "APP = {\n"
        '    "database": {"modelsandtables": [\n        User,\n    ]},\n'
        '    "database": {"modelsandtables": [\n        Tag,\n    ]},\n'
        "}\n"
    )

    source = add(path, MODELS, "app.database.models.post", "Post")

    assert source.endswith(
        '    "database": {"modelsandtables": [\n        User,\n    ]},\n'
        '    "database": {"modelsandtables": [\n        Tag,\n        Post,\n    ]},\n'
        "}\n"
    )


def test_a_file_in_latin_1_keeps_its_encoding_and_every_byte(config):
    cookie = "# -*- coding: latin-1 -*-\n# Réglages de l'application.\n"
    config.write_bytes((cookie + CONFIG).encode("latin-1"))

    config_file = ConfigFile(config)
    config_file.add(MODELS, "app.database.models.post", "Post")
    config_file.write()

    assert config.read_bytes() == (
        cookie
        + CONFIG.replace(
            "from app.database.models.tag import Tag\n",
            "from app.database.models.post import Post\n"
            "from app.database.models.tag import Tag\n",
        ).replace("# new models below\n", "# new models below\n            Post,\n")
    ).encode("latin-1")


def test_an_import_past_the_line_length_is_wrapped_as_ruff_wraps_it(config):
    name = "A" + "b" * 27
    module = f"app.database.models.{name.lower()}"

    source = add(config, MODELS, module, name)

    assert f"from {module} import (\n    {name},\n)\n" in source
    assert f"\n            {name},\n        ],\n" in source


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (b"# caf\xe9\nAPP = {}\n", "cannot read"),
        (b"# -*- coding: nonsense -*-\nAPP = {}\n", "cannot read"),
        # libcst would write the lone CRs back as nothing.
        (b"X = 1\rAPP = {}\r", "without changing lines it did not add"),
    ],
)
def test_a_file_that_cannot_be_read_or_kept_byte_for_byte_is_one_line(
    config, source, words
):
    config.write_bytes(source)

    with pytest.raises(click.ClickException, match=words) as error:
        ConfigFile(config)
    assert "\n" not in error.value.message
