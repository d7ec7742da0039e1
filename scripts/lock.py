"""The baked project's locks, one per Python and set of database drivers.

Each is `uv lock` of the template's pyproject.toml rendered for a stand-in
project (STAND_IN, version 0.0.0); the post-gen hook gives the lock it picks
the bake's own name and version. Run by scripts/lock.sh, which passes its
arguments on (`--upgrade`).
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(TEMPLATE_ROOT), str(TEMPLATE_ROOT / "tests")]
from template_answers import CHOICES  # noqa: E402

from conftest import TEMPLATE_DIR, interpreter, render  # noqa: E402

PROJECT = "{{cookiecutter.project_slug}}"
LOCKS = TEMPLATE_DIR / PROJECT / ".uv-locks"
# The hook looks for this name and version (hooks/post_gen_project.py).
STAND_IN = "edmunds_template_bake"
# database and users_database answers that bring in each set of drivers.
DRIVER_SETS = {
    (): {"database": "sqlite"},
    ("mysql",): {"database": "mysql"},
    ("postgresql",): {"database": "postgresql"},
    ("mysql", "postgresql"): {"database": "postgresql", "users_database": "mysql"},
}


def lock_name(python, drivers):
    return "-".join([f"python{python}", *drivers]) + ".lock"


def lock(python, answers, previous, work, uv_args):
    """uv.lock of the stand-in project; `previous` keeps what still fits."""
    pyproject = render(
        f"{PROJECT}/pyproject.toml",
        project_slug=STAND_IN,
        version="0.0.0",
        python_version=python,
        **answers,
    )
    (work / "pyproject.toml").write_text(pyproject)
    (work / "README.md").write_text("")
    if previous.is_file():
        shutil.copy(previous, work / "uv.lock")
    found = interpreter(python)
    if found is None:
        sys.exit(f"ERROR: no Python {python} on this machine to lock for")
    env = {**os.environ, "UV_PYTHON": str(found), "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(["uv", "lock", "--quiet", *uv_args], cwd=work, env=env, check=True)
    return (work / "uv.lock").read_text()


def main(uv_args):
    locks = {}
    for python in CHOICES["python_version"]:
        for drivers, answers in DRIVER_SETS.items():
            name = lock_name(python, drivers)
            with tempfile.TemporaryDirectory() as work:
                locks[name] = lock(python, answers, LOCKS / name, Path(work), uv_args)
    # Written once all succeeded, and nothing else: a lock for a choice
    # that is gone goes with it.
    shutil.rmtree(LOCKS, ignore_errors=True)
    LOCKS.mkdir()
    for name, text in locks.items():
        (LOCKS / name).write_text(text)
    print(f"{len(locks)} locks in {LOCKS.relative_to(TEMPLATE_DIR)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
