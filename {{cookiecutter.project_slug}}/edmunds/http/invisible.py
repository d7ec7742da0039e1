"""Characters that print nothing, as one class of a regular expression."""

import re
import unicodedata

# Controls (Cc); format characters (Cf): zero-width space and joiners, bidi
# controls, the soft hyphen, the word joiner, the byte order mark; line and
# paragraph separators (Zl, Zp). A name holding one looks like another name
# without it, or shows its letters in another order.
CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp"))

# Where Unicode puts them: planes 0 and 1, and 14 for the tag characters;
# the other planes hold ideographs and private use. Reading three planes
# makes the class in 25 ms at every start; all seventeen would take 250.
PLANES = (0, 1, 14)


def character_class(planes=PLANES):
    """What goes between ``[`` and ``]``: every such character, by ranges,
    as this Python's Unicode data has them."""
    ranges = []
    for plane in planes:
        for code in range(plane << 16, (plane + 1) << 16):
            if unicodedata.category(chr(code)) not in CATEGORIES:
                continue
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"{chr(first)}-{chr(last)}" for first, last in ranges)


INVISIBLE = character_class()
# What an OpenAPI document's pattern can say: schemathesis takes no class
# with a character past U+FFFF. Those (tag characters, hieroglyph, musical
# and shorthand format controls) are refused all the same.
IN_THE_BMP = character_class(planes=(0,))


def first_invisible(text):
    """The first such character of ``text``, or None."""
    found = re.search(f"[{INVISIBLE}]", text)
    return found and found.group()
