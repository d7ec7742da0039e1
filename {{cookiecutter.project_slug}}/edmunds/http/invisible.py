"""Characters that print nothing, as one class of a regular expression."""

import re
import unicodedata

# Controls (Cc); format characters (Cf): zero-width space and joiners, bidi
# controls, the soft hyphen, the word joiner, the byte order mark; line and
# paragraph separators (Zl, Zp). A name holding one looks like another name
# without it, or shows its letters in another order.
CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp"))


def character_class(planes=(0,)):
    """What goes between ``[`` and ``]``: every such character of ``planes``,
    by ranges, as this Python's Unicode data has them."""
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


# The Basic Multilingual Plane's only: what the OpenAPI document's pattern
# says is what is refused, and no OpenAPI tool reads a pattern whose class
# holds a character past U+FFFF (schemathesis rewrites it as a \U escape,
# which its own validator then refuses). Past it, the format characters are
# tag characters (the flags of regions: 🏴 and a name in tags), and the
# musical, shorthand, hieroglyph and Kaithi layout marks: part of what they
# print, and those that print nothing are dropped by the confusable
# skeleton, so they make no look-alike of another name.
#
# Written out as character_class() makes it from Unicode 14.0.0 to 15.1.0
# (Python 3.11 to 3.13): walking the plane's 65,536 characters costs about
# 100 M instructions, a tenth of the app's boot. Another Unicode walks it
# (tests/edmunds/test_http.py checks that both agree).
BMP_INVISIBLE = (
    "\x00-\x1f\x7f-\x9f\xad-\xad\u0600-\u0605\u061c-\u061c\u06dd-\u06dd"
    "\u070f-\u070f\u0890-\u0891\u08e2-\u08e2\u180e-\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff-\ufeff\ufff9-\ufffb"
)
INVISIBLE = (
    BMP_INVISIBLE
    if unicodedata.unidata_version in ("14.0.0", "15.0.0", "15.1.0")
    else character_class()
)


def first_invisible(text):
    """The first such character of ``text``, or None."""
    found = re.search(f"[{INVISIBLE}]", text)
    return found and found.group()
