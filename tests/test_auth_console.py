"""`manage.py auth ...`: users, passwords, roles and tokens from the console."""

import fcntl
import os
import pty
import select
import subprocess
import termios
import time
from pathlib import Path

import pytest

from conftest import bake, clean_env, project_python, run

PASSWORD = "twelve chars long"
STATE = """\
from bootstrap.app import bootstrap

app = bootstrap(http=False)
with app.app_context():
    user = app.auth_userdatastore().find_user(email={email!r})
    print(sorted(role.name for role in user.roles))
    print(user.fs_uniquifier)
    print(bool(user.password and user.verify_and_update_password({password!r})))
"""


@pytest.fixture(scope="module")
def project(cookies_session):
    project = bake(cookies_session, project_name="Auth Console")
    python = project_python(project)
    run(project, python, "manage.py", "db", "upgrade")
    return project, python


def manage(project, *args, stdin=None, check=True):
    path, python = project
    return run(path, python, "manage.py", *args, stdin=stdin, check=check)


def state(project, email, password=PASSWORD):
    path, python = project
    script = STATE.format(email=email, password=password)
    roles, uniquifier, verified = run(path, python, "-c", script).stdout.split("\n")[:3]
    return roles, uniquifier, verified == "True"


def on_terminal(project, args, answers):
    """``manage.py *args`` on a terminal of its own, each answer typed once
    its prompt shows; what the terminal showed."""
    path, python = project
    main, terminal = pty.openpty()

    def own_terminal():
        # A session whose controlling terminal is this one: getpass opens
        # /dev/tty, as it does for a person at a keyboard.
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [str(python), "manage.py", *args],
        cwd=path,
        env=clean_env(),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        preexec_fn=own_terminal,
    )
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + 120
    pending = list(answers)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        if pending and shown.rstrip().endswith(pending[0][0].encode()):
            os.write(main, pending.pop(0)[1].encode() + b"\n")
        if process.poll() is not None and not ready:
            break
    os.close(main)
    process.wait(timeout=30)
    return process.returncode, shown.decode(errors="replace")


def test_create_user_asks_twice_without_echo(project):
    code, shown = on_terminal(
        project,
        ["auth", "create-user", "ada@example.com", "--role", "admin"],
        [("Password:", PASSWORD), ("Repeat for confirmation:", PASSWORD)],
    )

    assert code == 0, shown
    assert "Created user" in shown and PASSWORD not in shown
    roles, _, verified = state(project, "ada@example.com")
    assert roles == "['admin']" and verified


def test_a_mistyped_repeat_is_asked_again(project):
    code, shown = on_terminal(
        project,
        ["auth", "create-user", "alan@example.com"],
        [
            ("Password:", PASSWORD),
            ("Repeat for confirmation:", PASSWORD + "!"),
            ("Password:", PASSWORD),
            ("Repeat for confirmation:", PASSWORD),
        ],
    )

    assert code == 0, shown
    assert "do not match" in shown and PASSWORD not in shown


def test_create_user_reads_one_line_of_stdin(project):
    created = manage(
        project,
        "auth",
        "create-user",
        "Grace@Example.com",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    assert created.stdout.startswith("Created user ")
    # Stored as Flask-Security normalizes it: the domain in lower case.
    assert state(project, "Grace@example.com")[2]


def test_refusals_are_one_line_and_write_nothing(project):
    manage(
        project,
        "auth",
        "create-user",
        "kept@example.com",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    for args, stdin, message in [
        (
            ["create-user", "short@example.com"],
            "eleven char\n",
            "at least 12 characters",
        ),
        (["create-user", "no-at-sign"], PASSWORD + "\n", "is not an email address"),
        (["create-user", "kept@example.com"], PASSWORD + "\n", "has the email"),
        (
            ["set-password", "nobody@example.com"],
            PASSWORD + "\n",
            "no user has the email",
        ),
        (["set-password", "kept@example.com"], "too short\n", "at least 12 characters"),
        (["add-role", "nobody@example.com", "admin"], None, "no user has the email"),
        (["set-email", "999999", "x@example.com"], None, "no user has the id 999999"),
        (["revoke", "nobody@example.com"], None, "no user has the email"),
    ]:
        if "--password-stdin" not in args and stdin is not None:
            args = [*args, "--password-stdin"]
        refused = manage(project, "auth", *args, stdin=stdin, check=False)

        assert refused.returncode != 0, args
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, refused.stderr)
    assert state(project, "kept@example.com")[2]  # its password unchanged


def test_set_password_add_role_and_revoke(project):
    manage(
        project,
        "auth",
        "create-user",
        "lin@example.com",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    _, first, _ = state(project, "lin@example.com")

    new = "an entirely new password"
    manage(
        project,
        "auth",
        "set-password",
        "lin@example.com",
        "--password-stdin",
        stdin=new + "\n",
    )
    _, second, verified = state(project, "lin@example.com", password=new)
    assert verified and second != first  # a new password ends the tokens

    manage(project, "auth", "add-role", "lin@example.com", "editor")
    again = manage(project, "auth", "add-role", "lin@example.com", "editor")
    assert "already" in again.stdout
    roles, _, _ = state(project, "lin@example.com", password=new)
    assert roles == "['editor']"

    manage(project, "auth", "revoke", "lin@example.com")
    assert state(project, "lin@example.com", password=new)[1] != second


def test_db_seed_makes_an_admin_in_development_once(project):
    first = manage(project, "db", "seed")
    again = manage(project, "db", "seed")

    (line,) = [x for x in first.stdout.splitlines() if x.startswith("Log in as")]
    password = line.split("password ")[1].split(" ")[0]
    assert "Log in as" not in again.stdout
    roles, _, verified = state(project, "admin@example.com", password=password)
    assert roles == "['admin']" and verified


def test_another_spelling_of_an_email_is_the_same_user(project):
    manage(
        project,
        "auth",
        "create-user",
        "Ann@Example.com",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    for args in [
        ["create-user", "ann@example.com", "--password-stdin"],
        ["create-user", "  ANN@example.COM ", "--password-stdin"],
    ]:
        refused = manage(project, "auth", *args, stdin=PASSWORD + "\n", check=False)
        lines = refused.stderr.strip().splitlines()
        assert refused.returncode == 1 and len(lines) == 1, refused.stderr
        assert "has the email 'Ann@example.com' already" in lines[0]
    manage(
        project,
        "auth",
        "create-user",
        "bo@example.com",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    user_id = state_id(project, "bo@example.com")
    refused = manage(
        project, "auth", "set-email", user_id, "ANN@example.com", check=False
    )
    assert "has the email 'Ann@example.com' already" in refused.stderr
    # The commands find the user by any spelling too.
    added = manage(project, "auth", "add-role", " ann@EXAMPLE.com", "editor")
    assert "<Ann@example.com> has the role 'editor'" in added.stdout


def state_id(project, email):
    path, python = project
    script = (
        "from bootstrap.app import bootstrap\n"
        "with bootstrap(http=False).app_context() as c:\n"
        f"    print(c.app.auth_userdatastore().find_user(email={email!r}).id)\n"
    )
    return run(path, python, "-c", script).stdout.strip()


@pytest.mark.parametrize(
    ("stdin", "password"),
    [
        # A file written on Windows, or `echo` through a terminal in raw mode.
        (PASSWORD + "\r\n", PASSWORD),
        # Spaces are the password's own; only the line's end is not.
        ("  " + PASSWORD + " \n", "  " + PASSWORD + " "),
        # No line end at all (printf '%s' "$PASSWORD").
        (PASSWORD, PASSWORD),
    ],
)
def test_stdin_gives_the_line_without_its_end(project, stdin, password):
    email = f"line{len(stdin)}{stdin[-1] == chr(10)}@example.com"
    manage(project, "auth", "create-user", email, "--password-stdin", stdin=stdin)

    assert state(project, email, password=password)[2]


def test_a_password_longer_than_passlib_hashes_is_one_line(project):
    refused = manage(
        project,
        "auth",
        "create-user",
        "long@example.com",
        "--password-stdin",
        stdin="p" * 5000 + "\n",
        check=False,
    )

    lines = refused.stderr.strip().splitlines()
    assert refused.returncode == 1 and len(lines) == 1, refused.stderr
    assert "at most 4096 bytes" in lines[0]


def test_a_password_being_typed_holds_no_lock(project):
    """SQLite: a transaction open while the password is asked would hold the
    database's write lock, and every other writer would fail after its busy
    timeout (30 s) while a person types."""
    path, python = project
    waiting = subprocess.Popen(
        [
            str(python),
            "manage.py",
            "auth",
            "create-user",
            "slow@example.com",
            "--password-stdin",
        ],
        cwd=path,
        env=clean_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Until it has looked the email up and reads the password: blocked
        # in read(2) on its standard input (fd 0).
        deadline = time.monotonic() + 120
        syscall = Path(f"/proc/{waiting.pid}/syscall")
        while not syscall.read_text().startswith("0 0x0 "):
            assert time.monotonic() < deadline and waiting.poll() is None
            time.sleep(0.1)
        started = time.monotonic()
        manage(
            project,
            "auth",
            "create-user",
            "quick@example.com",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        assert time.monotonic() - started < 25
    finally:
        out, err = waiting.communicate(PASSWORD + "\n", timeout=120)
    assert waiting.returncode == 0, err
