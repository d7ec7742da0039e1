import base64
import math
import random
import secrets

import pytest

from edmunds.config import keyboard
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


def test_a_token_hex_16_is_worth_its_128_bits():
    # Exactly MIN_BITS: an estimate from how evenly 32 random draws spread
    # (never as evenly as the alphabet) refused them all.
    rng = random.Random(16)
    for _ in range(2000):
        assert estimated_bits(f"{rng.getrandbits(128):032x}") == 128
    for _ in range(300):
        key = secrets.token_hex(16)
        if key.isdigit():  # one in 3.4 million: 32 digits are worth 106 bits
            continue
        assert weakness(key, EXAMPLE) is None, key
        assert weakness(key.upper(), EXAMPLE) is None, key


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(24),
        lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
        lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    ],
    ids=["token_urlsafe(24)", "b64encode(32 bytes)", "urlsafe_b64encode(32 bytes)"],
)
def test_base64_keys_are_worth_about_6_bits_a_character(make):
    for _ in range(200):
        key = make()
        # Less when no '-_' or '+/' came up (log2 of 62), nor a digit (of 52);
        # padding is worth nothing.
        assert estimated_bits(key) >= int(math.log2(52) * len(key.rstrip("="))), key
        assert weakness(key, EXAMPLE) is None, key


def test_random_digits_are_worth_what_digits_hold():
    rng = random.Random(10)
    thirty_two = "".join(rng.choice("0123456789") for _ in range(32))
    assert "(32 random characters of 10 possible: too few)" in weakness(thirty_two)
    assert weakness(thirty_two + "5183209") is None  # 39 digits: 129 bits


WALKS = [
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    "1qazxsw23edcvfr45tgbnhy67ujm,ki89ol./;p0",
    "!QAZ@WSX#EDC$RFV%TGB^YHN&UJM*IK<(OL>)P:?",
    "1qaz@WSX3edc$RFV5tgb^YHN7ujm*IK<9ol.)P:?",
    "qwertyuiopasdfghjklzxcvbnm1234567890-=[]",
    "QWERTYUIOPASDFGHJKLZXCVBNM!@#$%^&*()_+{}",
    "poiuytrewqlkjhgfdsamnbvcxz0987654321=-][",
    "qazwsxedcrfvtgbyhnujmik,ol.p;/qazwsxedcr",
    "1q2w3e4r5t6y7u8i9o0p-[=]1q2w3e4r5t6y7u8i",
    "1!2@3#4$5%6^7&8*9(0)qQwWeErRtTyYuUiIoOpP",
]


def test_the_neighbours_are_the_keys_touching_each_character_s():
    # Written key by key (a quarter of the comparisons): the same table as
    # comparing every character with every other.
    assert keyboard.NEIGHBOURS == {
        a: frozenset(
            b
            for b in keyboard.PLACES
            if b != a and keyboard._touching(keyboard.PLACES[a], keyboard.PLACES[b])
        )
        for a in keyboard.PLACES
    }
    assert keyboard.NEIGHBOURS["s"] == frozenset("aAdDwWeEzZxXS")
    assert keyboard.NEIGHBOURS["1"] == frozenset("`~2@qQ!")


@pytest.mark.parametrize("walk", WALKS)
def test_a_keyboard_walk_is_refused_for_what_it_is(walk):
    assert len(walk) == 40
    problem = weakness(walk, EXAMPLE)
    assert problem.startswith("SECRET_KEY is too predictable: about ")
    assert "keyboard walks like 'qwerty' or '1qaz2wsx'" in problem


@pytest.mark.parametrize("walk", WALKS)
def test_a_walk_does_not_lend_its_length_to_a_short_random_part(walk):
    # 28 hex characters hold 112 random bits, 18 of base64 108: with the few
    # choices a walk is, under 128, before it, after it or after part of it.
    rng = random.Random(walk)
    hex_part = f"{rng.getrandbits(112):028x}"
    base64_part = base64.urlsafe_b64encode(rng.randbytes(14)).decode()[:18]
    for part in (hex_part, base64_part):
        for key in (walk + part, part + walk, walk[:32] + part):
            assert "keyboard walks" in weakness(key, EXAMPLE), key


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
