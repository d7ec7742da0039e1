"""What a SECRET_KEY must be once DEBUG and TESTING are off.

Flask signs sessions and cookies with it: whoever guesses it can sign their
own. So it must be a string, not the public example of .env.example.py (in
any repetition), at least ``MIN_LENGTH`` characters and, by a cautious
estimate, ``MIN_BITS`` random bits.
"""

import ast
import collections
import math
import os
import string

from edmunds.config.configurationerror import ConfigurationError

MIN_LENGTH = 32
# A brute-force search of 2**128 keys is out of reach; the estimate below is
# low for short keys, which is why the advice is 64 characters.
MIN_BITS = 128
HOW_TO_MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
CHARACTER_CLASSES = (
    string.ascii_lowercase,
    string.ascii_uppercase,
    string.digits,
    string.punctuation,
)
_CLASS_SETS = [frozenset(group) for group in CHARACTER_CLASSES]
_CLASSED = frozenset().union(*_CLASS_SETS)
# Words written by a person carry about this much a character (English text
# compresses to well under two bits a letter).
BITS_PER_CHARACTER_OF_TEXT = 2


def refuse_a_weak_secret_key(key, root_path):
    """Stop with one line saying what is wrong with ``key`` and how to fix it."""
    problem = weakness(key, example_secret_key(root_path))
    if problem:
        raise ConfigurationError(
            f"{problem}: with DEBUG and TESTING off, set a random one in .env.py "
            f"or the environment ({HOW_TO_MAKE_ONE})"
        )


def weakness(key, example=None):
    """Why ``key`` cannot sign sessions, or None when it can."""
    if key is None or key == "":
        return "SECRET_KEY is not set"
    if not isinstance(key, str):
        return f"SECRET_KEY is {type(key).__name__!r}, not a string"
    rest = key
    if example:
        if key.strip() == example:
            return f"SECRET_KEY is the example's {example!r}"
        rest = _without(key, example)
        if rest != key and not rest.strip(string.punctuation + string.whitespace):
            return f"SECRET_KEY is the example's {example!r}, repeated"
    if len(key) < MIN_LENGTH:
        return f"SECRET_KEY is {len(key)} characters long, under {MIN_LENGTH}"
    bits = estimated_bits(rest)
    if bits < MIN_BITS:
        return (
            f"SECRET_KEY is too predictable: about {bits} random bits, under "
            f"{MIN_BITS} (repeats, runs like 'abcd', few distinct characters, "
            "words or the example's key)"
        )
    return None


def estimated_bits(key):
    """A cautious estimate of how many random bits ``key`` holds.

    Each character is worth log2 of the alphabet its character classes span,
    but no more than the entropy of which characters the key uses (few
    distinct ones: 'aaaa', 'abab') nor of the steps from one character to
    the next (runs: 'abcd', '2468'); with spaces between them, the key is
    words, worth far less. A character that ends a three-character sequence
    already seen in the key adds nothing ('pass1234pass1234').
    """
    codes = [ord(character) for character in key]
    steps = [b - a for a, b in zip(codes[:-1], codes[1:], strict=True)]
    per_character = min(math.log2(_alphabet(key)), _entropy(key), _entropy(steps))
    # Whitespace inside the key (split() cuts there, as isspace() sees it).
    if len(key.split()) > 1:
        per_character = min(per_character, BITS_PER_CHARACTER_OF_TEXT)
    # The first two characters, then each three-character sequence once.
    fresh = min(len(key), 2) + len({key[i : i + 3] for i in range(len(key) - 2)})
    return int(fresh * per_character)


def example_secret_key(root_path):
    """The SECRET_KEY .env.example.py shows: public, so never a secret.

    Read as a literal, without running the file.
    """
    try:
        with open(os.path.join(root_path, ".env.example.py"), "rb") as source:
            tree = ast.parse(source.read())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(
                isinstance(target, ast.Name) and target.id == "SECRET_KEY"
                for target in node.targets
            )
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value or None
    return None


def _without(key, example):
    lowered, needle = key.casefold(), example.casefold()
    if len(lowered) != len(key):  # casefold changed lengths: compare as is
        return key.replace(example, "")
    kept, start = [], 0
    while (found := lowered.find(needle, start)) != -1:
        kept.append(key[start:found])
        start = found + len(needle)
    kept.append(key[start:])
    return "".join(kept)


def _alphabet(key):
    used = set(key)
    size = sum(len(group) for group in _CLASS_SETS if used & group)
    return max(size + len(used - _CLASSED), 1)


def _entropy(items):
    counts = collections.Counter(items)
    total = len(items)
    return -sum(n / total * math.log2(n / total) for n in counts.values())
