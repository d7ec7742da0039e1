"""Keyboard walks, for the SECRET_KEY check: where keys sit on a US QWERTY
keyboard, and how unlikely a key's walks are by chance.

People who "type something random" often slide along the keys: 'qwerty',
'1qaz2wsx' (columns, one after the other), '!QAZ@WSX' (the same, shifted).
Such a key looks varied but is a handful of choices.
"""

import functools
import itertools
import math
import operator

# Each row: its keys, the same keys shifted, and how far right its first key
# sits from the top row's first, in key widths.
ROWS = (
    ("`1234567890-=", "~!@#$%^&*()_+", 0),
    ("qwertyuiop[]\\", "QWERTYUIOP{}|", 1.5),
    ("asdfghjkl;'", 'ASDFGHJKL:"', 1.75),
    ("zxcvbnm,./", "ZXCVBNM<>?", 2.25),
)
# character -> (row, distance from the left edge), either shift alike
PLACES = {
    character: (row, offset + column)
    for row, (plain, shifted, offset) in enumerate(ROWS)
    for column, pair in enumerate(zip(plain, shifted, strict=True))
    for character in pair
}


def _touching(place_a, place_b):
    """Whether the key at ``place_b`` is the one at ``place_a`` or touches it:
    left and right, and the two above and below."""
    (row_a, x_a), (row_b, x_b) = place_a, place_b
    if row_a == row_b:
        return abs(x_a - x_b) <= 1
    return abs(row_a - row_b) == 1 and abs(x_a - x_b) < 1


def _neighbours():
    """character -> the other characters on its key or on a key touching it.

    Key by key, not character by character: 47 keys each compared with the
    others, where 94 characters each compared with the others took four
    times the comparisons, 14 M instructions more at every start.
    """
    keys = {}
    for character, place in PLACES.items():
        keys.setdefault(place, []).append(character)
    near = {}
    for place, on_key in keys.items():
        around = [
            character
            for other, characters in keys.items()
            if _touching(place, other)
            for character in characters
        ]
        for a in on_key:
            near[a] = frozenset(b for b in around if b != a)
    return near


NEIGHBOURS = _neighbours()
# What a step to a touching key may weigh in walk_chance: several, since a
# walk that never leaves the keys around ('qwerty') is best seen with a high
# weight, one with jumps ('1qaz2wsx') with a lower one.
WEIGHTS = (8, 64)


def adjacent(a, b):
    """Whether ``b`` is on ``a``'s key (the other shift) or on a key touching
    it. The same character twice is no walk (it is a repeat)."""
    return b in NEIGHBOURS.get(a, ())


def walk_chance(text, alphabet):
    """A bound on the chance that characters drawn at random from ``alphabet``
    walk the keyboard as much as the stretch of ``text`` that walks it most.

    Step by step, multiply by w for a step that walks, and by 1/(1 + (w - 1)t)
    for every step, t the chance that a random draw would walk there. For
    random draws each step multiplies by 1 on average, whatever came before:
    so the product from a given place ever reaches x with a chance of 1/x at
    most (Ville's inequality). The bound pays for each place the stretch may
    start, each weight w and each of two ways to walk: to a key touching the
    one before, or touching either it or the one that began the line (as in
    walks(); t is then at most the sum of both keys' chances).
    """
    touch = _touch_chances(alphabet)
    walked = [adjacent(a, b) for a, b in itertools.pairwise(text)]
    # Where the second way differs: the steps after the first of a line.
    inside, line = [], 0
    for end in range(1, len(text)):
        if line < end - 1:
            first = text[line]
            either = walked[end - 1] or adjacent(first, text[end])
            chance = min(1, touch[text[end - 1]] + touch[first])
            inside.append((end - 1, either, chance))
        if not walked[end - 1]:
            line = end
    best = 0  # the log of the highest product of a stretch
    for weight in WEIGHTS:
        logs = _logs(alphabet, weight)
        near = [logs[a][step] for a, step in zip(text[:-1], walked, strict=True)]
        along = near.copy()
        for step, either, chance in inside:
            cost = math.log1p((weight - 1) * chance)
            along[step] = math.log(weight) * either - cost
        best = max(best, _highest_sum(near), _highest_sum(along))
    return 2 * len(WEIGHTS) * len(text) * math.exp(-best)


def _highest_sum(numbers):
    """The highest sum of a stretch of ``numbers``, 0 for an empty one."""
    sums = list(itertools.accumulate(numbers, initial=0))
    return max(map(operator.sub, sums, itertools.accumulate(sums, min)))


def walks(text, shortest):
    """The stretches of ``text`` typed along the keyboard, as (start, end).

    Each character of a stretch touches the one before it or the one that
    began the current line: so '1qaz' then '2wsx' (the '2' beside the '1'),
    or 'qwertyuiop' then 'asdf' (the 'a' under the 'q') make one stretch.
    Only stretches of ``shortest`` characters or more are returned.
    """
    found, start, line = [], 0, 0
    for end in range(1, len(text) + 1):
        if end < len(text):
            if adjacent(text[end - 1], text[end]):
                continue
            if adjacent(text[line], text[end]):
                line = end
                continue
        if end - start >= shortest:
            found.append((start, end))
        start = line = end
    return found


@functools.lru_cache(maxsize=32)
def _touch_chances(alphabet):
    """For each character of ``alphabet``: the chance a random draw touches it."""
    chances = {}
    for a in alphabet:
        # adjacent(a, b)'s look-up, the set fetched once per character.
        near = NEIGHBOURS.get(a, ())
        chances[a] = sum(b in near for b in alphabet) / len(alphabet)
    return chances


@functools.lru_cache(maxsize=64)
def _logs(alphabet, weight):
    """For each character of ``alphabet``: the log a step from it multiplies
    by in walk_chance, not walking and walking."""
    logs = {}
    for a, t in _touch_chances(alphabet).items():
        cost = math.log1p((weight - 1) * t)
        logs[a] = (-cost, math.log(weight) - cost)
    return logs
