import click
import pytest

from edmunds.console.generators.names import (
    MAX_NAME,
    class_name,
    function_name,
    plural,
    snake_case,
    table_name,
)


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("User", "user"),
        ("BlogPost", "blog_post"),
        ("HTTPLog", "http_log"),
        ("UserTags", "user_tags"),
        ("Tag2Post", "tag2_post"),
    ],
)
def test_snake_case(name, snake):
    assert snake_case(name) == snake


@pytest.mark.parametrize(
    ("word", "words"),
    [
        ("post", "posts"),
        ("category", "categories"),
        ("day", "days"),
        ("box", "boxes"),
        ("match", "matches"),
        ("status", "statuses"),
    ],
)
def test_plural(word, words):
    assert plural(word) == words


@pytest.mark.parametrize("name", ["1Post", "Blog-Post", "Blög", "class", "", "None"])
def test_a_class_name_that_is_no_identifier_is_refused(name):
    with pytest.raises(click.ClickException, match="not a Python identifier"):
        class_name(name, "model")


@pytest.mark.parametrize("name", ["Class", "Import", "Try"])
def test_a_class_name_whose_file_would_be_a_keyword_is_refused(name):
    module = name.lower()
    with pytest.raises(click.ClickException, match=rf"{module}\.py, which Python"):
        class_name(name, "model")


def test_a_name_past_the_longest_is_refused_in_one_short_line():
    assert class_name("A" * MAX_NAME, "model") == "A" * MAX_NAME
    for check, name in ((class_name, "A" * 300), (function_name, "a" * 300)):
        with pytest.raises(click.ClickException) as error:
            check(name, "model")
        assert error.value.message == (
            f"model name {name[:20]!r}... has 300 characters: at most {MAX_NAME}"
        )


def test_a_class_name_starts_upper_case():
    with pytest.raises(click.ClickException, match="upper-case"):
        class_name("post", "model")


@pytest.mark.parametrize("name", ["SendReports", "_hidden"])
def test_a_function_name_is_lower_case(name):
    with pytest.raises(click.ClickException, match="lower case"):
        function_name(name, "command")


@pytest.mark.parametrize("name", ["Posts", "2posts", "po-sts", "a" * 64, "posts;"])
def test_a_table_name_the_databases_would_not_take_is_refused(name):
    with pytest.raises(click.ClickException, match="table name"):
        table_name(name)
