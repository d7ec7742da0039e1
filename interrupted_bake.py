"""Ctrl-C during a bake: one line saying what is left, never a traceback.

Loaded by cookiecutter as a Jinja extension (``_extensions``), so that it
runs in cookiecutter's own process: there Ctrl-C would end in a
``KeyboardInterrupt`` traceback and, past the hooks' start, a folder with
some files and no ``.git``, ``.env.py`` or ``.cruft.json``. Instead the bake
stops with exit status 130 and one line: nothing was made; or the folder it
made is half made, to be deleted and baked again; or the folder that was
there before (``-f``) holds part of the bake. Nothing is deleted here: only
the user knows what else went into a folder meanwhile. The hooks, which get
the same Ctrl-C, end quietly and are waited for before that line.
"""

import signal
import sys
import threading
from pathlib import Path

from jinja2.ext import Extension

from local_extensions import GENERATING, cookiecutter_step

# Interrupted at exit status 128 + SIGINT, as a shell reports it.
INTERRUPTED = 130
# How long the line waits for a hook that got the same Ctrl-C to end.
HOOK_GRACE_SECONDS = 10


class InterruptedBake(Extension):
    """Installs the Ctrl-C handler when cookiecutter makes an environment."""

    def __init__(self, environment):
        super().__init__(environment)
        step, _ = cookiecutter_step()
        # Only the main thread may set a handler; only a bake wants this one.
        if step and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, _interrupted)


def _interrupted(signum, frame):
    # A second Ctrl-C while this one is handled ends the process at once.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _wait_for_the_hook(frame)
    print(what_is_left(frame), file=sys.stderr)
    raise SystemExit(INTERRUPTED)


def what_is_left(frame):
    """The one line: what this bake leaves behind, and the way out."""
    _, generating = cookiecutter_step(frame, steps=(GENERATING,))
    project = generating.get("project_dir")
    if project is None or not Path(project).exists():
        return "bake interrupted: nothing was made"
    project = Path(project).resolve()
    if generating.get("output_directory_created"):
        return (
            f"bake interrupted: {project} is half made; delete that folder "
            "and bake again"
        )
    return (
        f"bake interrupted: {project} was there before this bake, which wrote "
        "part of the project into it and deleted nothing; `git status` there "
        "shows what changed (or bake into a new folder)"
    )


def _wait_for_the_hook(frame):
    """A hook got the same Ctrl-C: let it end before the line is printed."""
    while frame is not None:
        process = frame.f_locals.get("proc")
        if frame.f_code.co_name == "run_script" and hasattr(process, "wait"):
            try:
                process.wait(timeout=HOOK_GRACE_SECONDS)
            except Exception:  # noqa: BLE001 - it is ending anyway
                pass
            return
        frame = frame.f_back
