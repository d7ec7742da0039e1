"""A call laid out as ruff's formatter lays it out at LINE_LENGTH.

What the generators write with a name of any accepted length passes ``ruff
format --check`` as written: on one line when it fits; else its arguments
on one line of their own between the brackets; else one argument a line,
with a trailing comma, each argument laid out the same way.
"""

from dataclasses import dataclass

from edmunds.console.generators.names import LINE_LENGTH

INDENT = "    "


@dataclass(frozen=True)
class Call:
    function: str
    # Source text, or a Call.
    arguments: tuple

    def __str__(self):
        return f"{self.function}({', '.join(map(str, self.arguments))})"


def assignment(indent, target, value):
    """``target = value`` at ``indent``, with its line break."""
    return laid_out(value, indent, f"{target} = ", "") + "\n"


def laid_out(value, indent, before, after):
    flat = f"{indent}{before}{value}{after}"
    if not isinstance(value, Call) or len(flat) <= LINE_LENGTH:
        return flat
    opening = f"{indent}{before}{value.function}(\n"
    closing = f"\n{indent}){after}"
    inner = indent + INDENT
    together = inner + ", ".join(map(str, value.arguments))
    if len(together) <= LINE_LENGTH:
        return opening + together + closing
    return (
        opening
        + "\n".join(laid_out(a, inner, "", ",") for a in value.arguments)
        + closing
    )
