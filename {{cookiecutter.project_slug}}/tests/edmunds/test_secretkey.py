import secrets

import pytest

from edmunds.config.configurationerror import ConfigurationError
from edmunds.config.secretkey import (
    HOW_TO_MAKE_ONE,
    MIN_BITS,
    estimated_bits,
    example_secret_key,
    weakness,
)

EXAMPLE = "change-me"
PRODUCTION = {".env.production.py": "DEBUG = False"}


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "SECRET_KEY is not set"),
        ("", "SECRET_KEY is not set"),
        (12345678901234567890123456789012345, "SECRET_KEY is 'int', not a string"),
        (b"\x8f" * 48, "SECRET_KEY is 'bytes', not a string"),
        (["a", "list"], "SECRET_KEY is 'list', not a string"),
        ("change-me", "SECRET_KEY is the example's 'change-me'"),
        ("change-me" * 8, "SECRET_KEY is the example's 'change-me', repeated"),
        ("CHANGE-ME " * 8, "SECRET_KEY is the example's 'change-me', repeated"),
        ("change-me-" * 7 + "x", "too predictable"),
        ("change-me" * 4 + "0123456789abcdef", "too predictable"),
        ("too-short", "SECRET_KEY is 9 characters long, under 32"),
        ("k" * 32, "too predictable"),
        (" " * 32, "too predictable"),
        ("ab" * 32, "too predictable"),
        ("password1234" * 4, "too predictable"),
        ("Summer2024!" * 4, "too predictable"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "too predictable"),
        ("0123456789" * 4, "too predictable"),
        ("aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQ", "too predictable"),
        ("qwertyuiopasdfghjklzxcvbnmqwertyuiop", "too predictable"),
        ("the quick brown fox jumps over the lazy dog", "too predictable"),
        ("correct horse battery staple and more", "too predictable"),
    ],
)
def test_a_weak_key_is_named_for_what_is_wrong(key, problem):
    assert problem in weakness(key, EXAMPLE)


def test_every_key_the_bake_writes_passes():
    # hooks/post_gen_project.py writes secrets.token_urlsafe(48); the
    # template's own tests try many more.
    for _ in range(2000):
        key = secrets.token_urlsafe(48)
        assert weakness(key, EXAMPLE) is None, key


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_hex(32),  # Flask's docs: secrets.token_hex()
        lambda: "".join(secrets.choice("abcdefghij0123456789!@#$%") for _ in range(50)),
    ],
    ids=["token_urlsafe(32)", "token_hex(32)", "50 of 25 characters"],
)
def test_other_random_keys_pass(make):
    for _ in range(300):
        key = make()
        assert weakness(key, EXAMPLE) is None, key


def test_the_example_inside_a_random_key_costs_only_its_own_length():
    key = secrets.token_urlsafe(48)
    assert weakness(EXAMPLE + key, EXAMPLE) is None
    assert estimated_bits(key) >= MIN_BITS


def test_the_example_key_is_read_from_env_example_py_without_running_it(tmp_path):
    (tmp_path / ".env.example.py").write_text(
        'import sys\nsys.exit("ran")\nAPP_ENV = "development"\nSECRET_KEY = "s3cr3t"\n'
    )
    assert example_secret_key(str(tmp_path)) == "s3cr3t"
    assert example_secret_key(str(tmp_path / "missing")) is None


def test_a_key_repeating_the_projects_own_example_is_refused(make_app):
    files = {
        **PRODUCTION,
        ".env.example.py": "SECRET_KEY = 'replace-this-example'",
        ".env.py": "SECRET_KEY = 'replace-this-example' * 3",
    }
    with pytest.raises(ConfigurationError, match="'replace-this-example', repeated"):
        make_app(files, env="production")


@pytest.mark.parametrize(
    "env_py",
    [
        "SECRET_KEY = 42",
        "SECRET_KEY = b'not-text-not-text-not-text-not-text'",
        "SECRET_KEY = 'z' * 64",
        "SECRET_KEY = 'change-me' * 10",
    ],
)
def test_production_refuses_them_in_one_line_that_says_how_to_make_one(
    make_app, env_py
):
    with pytest.raises(ConfigurationError) as error:
        make_app({**PRODUCTION, ".env.py": env_py}, env="production")
    message = str(error.value)
    assert "\n" not in message and message.endswith(f"({HOW_TO_MAKE_ONE})")
