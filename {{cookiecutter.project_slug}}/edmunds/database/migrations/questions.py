"""The questions `db migrate` asks, and when it asks none.

It asks on a terminal only: a deploy script, a CI job or a pipe gets no
question, so nothing it happens to have on stdin is taken for an answer.
``db migrate --no-input`` asks nothing either. No answer (those two, and the
end of input, Ctrl-D) is what `db migrate` did before it asked anything.
"""

import copy
import sys
from functools import wraps

import click

NO_INPUT = click.Option(
    ["--no-input"],
    is_flag=True,
    help="Ask nothing: no rename is guessed, and a NOT NULL column added to "
    "a table with rows stops the command.",
)


def with_no_input(command):
    """``command`` with --no-input, which its own callback never sees."""
    command = copy.copy(command)
    command.params = [*command.params, NO_INPUT]
    run = command.callback

    @wraps(run)
    def callback(*args, no_input, **kwargs):
        return run(*args, **kwargs)

    command.callback = callback
    return command


def can_ask():
    context = click.get_current_context(silent=True)
    if context is not None and context.params.get("no_input"):
        return False
    return sys.stdin is not None and sys.stdin.isatty()


def ask(question):
    """The line typed, stripped; None when nothing can be asked or at the
    end of input."""
    if not can_ask():
        return None
    # On stderr, as click's own prompts can be: stdout may go to a file.
    click.echo(f"{question} ", nl=False, err=True)
    line = sys.stdin.readline()
    # The terminal echoed the Enter, not Ctrl-D; stderr redirected to a file
    # sees neither.
    if not line or not sys.stderr.isatty():
        click.echo(err=True)
    return line.strip() if line else None


def confirm(question):
    """True for y or yes; anything else, or no answer, is no."""
    answer = ask(f"{question} [y/N]")
    return answer is not None and answer.lower() in ("y", "yes")
