"""What a SECRET_KEY must be once DEBUG and TESTING are off.

Flask signs sessions and cookies with it: whoever guesses it can sign their
own. So it must be a string, not the public example of .env.example.py (in
any repetition), at least ``MIN_LENGTH`` characters and worth ``MIN_BITS``
random bits.

What a key is worth is decided in two steps. A key that cannot be told from
characters drawn at random from its alphabet (hex, base64, or the character
classes it uses) is worth log2 of that alphabet a character: a
``secrets.token_hex(16)`` makes 128 bits, a ``token_urlsafe(48)`` 384. Any
other key gets a cautious estimate, in which keyboard walks, repeats, runs
and text count for little or nothing.

A key passes for random unless one of the tests of _chances finds something
random draws would show with a chance under ``RARER_THAN``: each test proves
a bound on that chance, so no threshold hangs on how keys happen to be
made. Simulated, no random key came within 40 times of it (see RARER_THAN).
"""

import ast
import collections
import itertools
import math
import os
import string

from edmunds.config import keyboard
from edmunds.config.configurationerror import ConfigurationError

MIN_LENGTH = 32
# A brute-force search of 2**128 keys is out of reach.
MIN_BITS = 128
HOW_TO_MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
CHARACTER_CLASSES = (
    string.ascii_lowercase,
    string.ascii_uppercase,
    string.digits,
    string.punctuation,
)
# What secrets.token_hex, token_urlsafe and base64.b64encode draw from, in
# their own order (steps between characters are taken in it).
_BASE64 = string.ascii_uppercase + string.ascii_lowercase + string.digits
ALPHABETS = (
    string.digits + "abcdef",
    string.digits + "ABCDEF",
    _BASE64 + "-_",
    _BASE64 + "+/",
)
# A key passes for random unless it shows something random draws show with
# a chance under this. _chances tests seven things, each by a proven bound:
# so a random key fails with a chance under 7 in 10**9, whatever its
# alphabet and length. Simulated (10**6 token_hex(16); 10**5 each of
# token_hex(32), token_urlsafe(24), (32) and (48), base64 of 32 bytes, 40
# printable characters), the rarest thing any showed had a chance of 4e-8
# (a token_hex(16) of few distinct characters), and none was refused. Made-up
# keys show far rarer ones: 40-character walks 1e-27 or less, 'pass1234' * 4
# a repeat of 2e-35.
RARER_THAN = 1e-9
# In a key that walks more than chance, walks of this many characters add
# nothing. Only there: 10**5 random keys of 50 characters of '1' to '5', '!'
# to '%' and 'a' to 'j' (keys that touch) hold up to 20 characters in such
# walks and would lose down to 118 bits, but none walked more than chance
# (the most a chance of 6e-8).
WALK_REMOVED = 4
# Only the start of a longer key is tested: that is 256 random bits at least.
MOST_TESTED = 256
# Words written by a person carry about this much a character (English text
# compresses to well under two bits a letter).
BITS_PER_CHARACTER_OF_TEXT = 2

WALKS = "keyboard walks like 'qwerty' or '1qaz2wsx'"
REPEATS = "repeats"
FEW_CHARACTERS = "few distinct characters"
RUNS = "runs like 'abcd' or '2468'"
WORDS = "words"


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
    bits, why = _estimate(rest)
    if bits < MIN_BITS:
        if rest != key:
            why = f"the example's {example!r}, then {why}"
        return (
            f"SECRET_KEY is too predictable: about {bits} random bits, under "
            f"{MIN_BITS} ({why})"
        )
    return None


def estimated_bits(key):
    """How many random bits ``key`` holds: all of them when it looks random,
    else a cautious estimate."""
    return _estimate(key)[0]


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


def _estimate(key):
    """The bits ``key`` is worth, and what keeps them low."""
    if len(key) < 2:
        return 0, "too few characters"
    body, alphabet = _alphabet(key)
    chances = _chances(body, alphabet)
    oddities = {name for name, chance in chances.items() if chance < RARER_THAN}
    if not oddities:
        return (
            int(len(body) * math.log2(len(alphabet))),
            f"{len(body)} random characters of {len(alphabet)} possible: too few",
        )
    return _cautious_estimate(key, walks=WALKS in oddities)


def _alphabet(key):
    """``key`` without base64's padding, and the smallest alphabet holding it.

    That is hex, base64, or else the character classes the key touches
    (plus any other character it uses).
    """
    body = key.rstrip("=")
    padded = 0 < len(key) - len(body) <= 2
    if not (padded and any(set(body).issubset(group) for group in ALPHABETS[2:])):
        body = key
    used = set(body)
    classes = "".join(
        group for group in CHARACTER_CLASSES if not used.isdisjoint(group)
    )
    unclassed = "".join(sorted(used.difference(classes)))
    fitting = [group for group in ALPHABETS if used.issubset(group)]
    return body, min([classes + unclassed, *fitting], key=len)


def _chances(key, alphabet):
    """For each thing found in ``key``: at most how likely random draws from
    ``alphabet`` are to show as much of it."""
    size = len(alphabet)
    if len(key.split()) > 1:
        return {WORDS: 0}
    if size < 2:
        return {FEW_CHARACTERS: 0}
    key = key[:MOST_TESTED]
    place = {character: index for index, character in enumerate(alphabet)}
    steps = [(place[b] - place[a]) % size for a, b in itertools.pairwise(key)]
    equal_steps = _longest_run(map(int.__eq__, steps, steps[1:]))
    return {
        FEW_CHARACTERS: _draws_chance(key, size),
        # The steps (modulo size) between random draws are random draws too;
        # a given one recurs L more times in a row with a chance of size**-L.
        RUNS: min(_draws_chance(steps, size), len(key) * size**-equal_steps),
        WALKS: keyboard.walk_chance(key, alphabet),
        # Two given places start the same L characters with size**-L.
        REPEATS: math.comb(len(key), 2) * size ** -_longest_repeat(key),
    }


def _draws_chance(draws, size):
    """A bound on the chance that random ``draws`` of ``size`` values use as
    few distinct ones, or repeat the commonest as often."""
    if not draws:
        return 1
    counts = collections.Counter(draws)
    n, distinct = len(draws), len(counts)
    # All within some set of that many values (in logs: size may be large);
    # some value that often.
    within = _log_comb(size, distinct) + n * math.log(distinct / size)
    often = size * _tail(n, 1 / size, max(counts.values()))
    return min(math.exp(within), often)


def _log_comb(n, k):
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _tail(n, p, k):
    """The chance of ``k`` or more successes in ``n`` trials of chance ``p``."""
    total = 0
    for j in range(k, n + 1):
        term = math.comb(n, j) * p**j * (1 - p) ** (n - j)
        total += term
        if j > n * p and term < total * 1e-12:
            # Past the peak each term is smaller than the one before.
            return total + (n - j) * term
    return total


def _longest_run(flags):
    longest = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        if run > longest:
            longest = run
    return longest


def _longest_repeat(text):
    """The length of the longest stretch found twice in ``text`` (overlaps too)."""
    length = 0
    while True:
        # Fewer distinct stretches one longer than places they start at?
        places = len(text) - length
        if len({text[i : i + length + 1] for i in range(places)}) == places:
            return length
        length += 1


def _cautious_estimate(key, walks):
    """Bits for a key that does not look random, and what cost it the most.

    Walks along the keyboard add nothing when ``walks`` says the key walks
    more than chance would. Each other character is worth log2 of its
    alphabet, but no more than the entropy of which characters the rest uses
    (few distinct ones: 'aaaa', 'abab') nor of the steps from one character to
    the next (runs: 'abcd', '2468'); with spaces between them, the key is
    words, worth far less. A character that ends a three-character sequence
    already seen adds nothing ('pass1234pass1234').
    """
    rest, last = [], 0
    for start, end in keyboard.walks(key, WALK_REMOVED) if walks else ():
        rest.append(key[last:start])
        last = end
    rest = "".join(rest) + key[last:]
    if not rest:
        return 0, WALKS
    full = math.log2(len(_alphabet(rest)[1]))
    codes = [ord(character) for character in rest]
    steps = [b - a for a, b in itertools.pairwise(codes)]
    limits = [(full, None), (_entropy(rest), FEW_CHARACTERS), (_entropy(steps), RUNS)]
    # Whitespace inside the key (split() cuts there, as isspace() sees it).
    if len(rest.split()) > 1:
        limits.append((BITS_PER_CHARACTER_OF_TEXT, WORDS))
    per_character, limited_by = min(limits, key=lambda limit: limit[0])
    # The first two characters, then each three-character sequence once.
    fresh = min(len(rest), 2) + len({rest[i : i + 3] for i in range(len(rest) - 2)})
    # Name what lost the most bits.
    lost = {
        "too few characters": 0,
        WALKS: (len(key) - len(rest)) * full,
        REPEATS: (len(rest) - fresh) * full,
        limited_by: fresh * (full - per_character),
    }
    lost.pop(None, None)
    return int(fresh * per_character), max(lost, key=lost.get)


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


def _entropy(items):
    counts = collections.Counter(items)
    total = len(items)
    return -sum(n / total * math.log2(n / total) for n in counts.values())
