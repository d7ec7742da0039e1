"""Fields the API's schemas share, on top of marshmallow's own."""

import re

from marshmallow import fields, validate

from edmunds.http.asciiintegerconverter import AsciiIntegerConverter
from edmunds.http.invisible import INVISIBLE, first_invisible


def _text_without(refused):
    """A JSON Schema "pattern", so that the OpenAPI document says exactly what
    is accepted: text with something in it besides blanks, and nothing of
    ``refused`` (the body of a regular expression's class) anywhere."""
    return rf"^[^{refused}]*[^\s{refused}][^{refused}]*$"


# No control character (C0, DEL, C1).
PRINTABLE = _text_without(r"\x00-\x1f\x7f-\x9f")
# Nothing that prints nothing either (edmunds/http/invisible.py).
VISIBLE = _text_without(INVISIBLE)


class Text(fields.String):
    """A line of printable text, stored without its surrounding blanks.

    ``max_length`` bounds the text as sent, the way the document states it.
    ``visible``: no invisible character either (zero-width, bidi control,
    soft hyphen...), for text that tells things apart, such as a unique
    name. Refused besides what the pattern refuses: lone surrogates, which
    JSON can carry but no database can store as UTF-8.
    """

    default_error_messages = {
        "printable": "printable text, not only blanks",
        "invisible": "holds {character}, which prints nothing",
        "surrogate": "holds a lone surrogate, which is no character",
        "too_long": "at most {max_length} characters",
    }

    def __init__(self, *, max_length, visible=False, **kwargs):
        self.max_length = max_length
        self.visible = visible
        self.pattern = VISIBLE if visible else PRINTABLE
        # Run again on the stripped text, harmlessly; here they document.
        super().__init__(
            validate=[
                validate.Length(min=1, max=max_length),
                validate.Regexp(self.pattern, error="printable text, not only blanks"),
            ],
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("surrogate") from None
        # Checked as sent, then stored stripped: "  Ada " is "Ada". The whole
        # text must match: Python's "$" would let one trailing newline by.
        if len(text) > self.max_length:
            raise self.make_error("too_long", max_length=self.max_length)
        invisible = self.visible and first_invisible(text)
        if invisible:
            raise self.make_error("invisible", character=f"U+{ord(invisible):04X}")
        if not re.fullmatch(self.pattern, text):
            raise self.make_error("printable")
        return text.strip()


class AsciiInteger(fields.Integer):
    """A whole number written in ASCII digits, as ids in URLs are.

    marshmallow reads text with int(), which takes more than digits: "1_0"
    is 10, " 7 " is 7, "１" (full-width) and "١" (Arabic-Indic) are 1, so
    one page of a list would have many addresses that caches, logs and rate
    limits count apart. Here text must be AsciiIntegerConverter's digits:
    no sign, no blank, nothing else.
    """

    def _validated(self, value):
        if isinstance(value, str) and not re.fullmatch(
            AsciiIntegerConverter.regex, value
        ):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)
