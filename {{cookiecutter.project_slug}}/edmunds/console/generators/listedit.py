"""One more name at the end of a list in config/app.py, every comment kept.

A list whose last element starts a line (the layout ruff keeps) grows by
one line, indented as that element; the rest of it stays as it is. Any
other (empty, on one line, its last element after another) is laid out one
element a line, as ruff lays out a list it splits, which the trailing comma
makes it keep. Either way the new element ends the list with a trailing
comma, and a comment stays after the element (or the bracket) it followed.
"""

import libcst as cst


def appended(listed, name, outer, inner):
    """``listed`` with ``name`` last; ``outer`` is the indent of its first line,
    ``inner`` the one its elements take when it is laid out anew."""
    elements = list(listed.elements)
    lbracket = listed.lbracket
    closing = listed.rbracket.whitespace_before
    before_last = _gap_before(listed, len(elements) - 1) if elements else None
    if isinstance(before_last, cst.ParenthesizedWhitespace):
        # The last element starts a line: the new one takes a line like it.
        line = _bare(before_last)
    else:
        # Laid out anew: a line break after the bracket and after each comma.
        line = _line_break(inner)
        lbracket = lbracket.with_changes(
            whitespace_after=_onto(lbracket.whitespace_after, line)
        )
        elements = [
            element.with_changes(
                comma=element.comma.with_changes(
                    whitespace_after=_onto(element.comma.whitespace_after, line)
                )
            )
            for element in elements[:-1]
        ] + elements[-1:]
    if elements:
        # What followed the last element up to the bracket (a comment, the
        # lines under it) now ends on the new element's line; a missing
        # comma is added before it.
        last = elements[-1]
        comma = last.comma if isinstance(last.comma, cst.Comma) else cst.Comma()
        elements[-1] = last.with_changes(
            comma=comma.with_changes(whitespace_after=_onto(closing, line))
        )
    new = cst.Element(cst.Name(name), comma=cst.Comma())
    if isinstance(closing, cst.ParenthesizedWhitespace):
        closing = _bare(closing)  # the bracket keeps its own indent
    else:
        closing = _line_break(outer)
    return listed.with_changes(
        lbracket=lbracket,
        elements=[*elements, new],
        rbracket=listed.rbracket.with_changes(whitespace_before=closing),
    )


def _gap_before(listed, index):
    """The whitespace in front of element ``index``: a line break when it
    starts a line."""
    if index == 0:
        return listed.lbracket.whitespace_after
    return listed.elements[index - 1].comma.whitespace_after


def _onto(whitespace, line):
    """``whitespace`` ending at ``line``'s indent: the comments it holds stay."""
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(indent=line.indent, last_line=line.last_line)
    return line


def _bare(whitespace):
    """A line break to ``whitespace``'s indent, without its comments."""
    return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])


def _line_break(indent):
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=False,
        last_line=cst.SimpleWhitespace(indent),
    )
