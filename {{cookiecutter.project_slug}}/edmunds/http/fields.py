"""Fields the API's schemas share, on top of marshmallow's own."""

import re

from marshmallow import fields, validate

# Printable text with something in it besides blanks: no control character
# (C0, DEL, C1) anywhere, one non-blank at least. A JSON Schema "pattern",
# so that the OpenAPI document says exactly what is accepted.
_CONTROL = r"\x00-\x1f\x7f-\x9f"
PRINTABLE = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"


class Text(fields.String):
    """A line of printable text, stored without its surrounding blanks.

    ``max_length`` bounds the text as sent, the way the document states it.
    Refused besides what the pattern refuses: lone surrogates, which JSON
    can carry but no database can store as UTF-8.
    """

    default_error_messages = {
        "printable": "printable text, not only blanks",
        "surrogate": "holds a lone surrogate, which is no character",
        "too_long": "at most {max_length} characters",
    }

    def __init__(self, *, max_length, **kwargs):
        self.max_length = max_length
        # Run again on the stripped text, harmlessly; here they document.
        super().__init__(
            validate=[
                validate.Length(min=1, max=max_length),
                validate.Regexp(PRINTABLE, error="printable text, not only blanks"),
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
        if not re.fullmatch(PRINTABLE, text):
            raise self.make_error("printable")
        return text.strip()
