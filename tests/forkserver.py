"""Baked commands forked from a process that has imported their packages.

A baked command (``python manage.py db upgrade``, a ``-c`` script, ``-m
pytest``) spends most of its start importing Flask, SQLAlchemy, Alembic and
the API's packages: the same few hundred modules every time, and the suite
starts hundreds of such commands. One server per baked venv, shared by
the run's xdist workers, imports most of them once (the API's are left to
each command, see PRELOAD); each command is a fork of it that runs the
command as ``python`` would (runpy, the same argv, working folder,
environment and standard streams, atexit handlers, exit status), then
exits.

The server never imports the project's own modules, so every command reads
the project's files as they are at that moment. What only a fresh
interpreter can honour (``PYTHON*`` variables, such as a hash seed) gets a
server of its own, started with them. ``EDMUNDS_TEMPLATE_FORK=0`` runs every
command as a process of its own.
"""

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ENABLED = os.environ.get("EDMUNDS_TEMPLATE_FORK", "1") != "0"

# Third-party packages a baked command imports; the ones a bake lacks (a
# driver it did not choose) are left out. Not here: alembic_postgresql_enum,
# whose import changes Alembic for every database, and Faker, a pytest
# plugin that pytest wants to import (and rewrite) itself. Nor the API's
# packages (flask-smorest, marshmallow, webargs, apispec): `db` and `make`
# commands start without them, and the forks must show that they do; and
# the framework's tests check, in their own process, that marshmallow's
# e-mail pattern waits for its first use (tests/edmunds/test_lazyimports.py).
#
# Flask-Security is here: every command builds the app, which imports it,
# and it was half of a forked `db` command (0.06 of 0.125 s of CPU, over a
# thousand forks a run). Imported here, email_validator's patterns are
# compiled once in the server rather than left to their first use: the
# commands answer the same. So are pdb and urllib.request, which a boot
# leaves to their first use: whether a boot leaves those undone is checked
# in fresh interpreters (test_lazyimports' `booted`), never in forks.
PRELOAD = (
    "click",
    "jinja2",
    "werkzeug",
    "flask",
    "sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.ext.asyncio",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.mysql",
    "flask_sqlalchemy",
    "alembic.command",
    "alembic.config",
    "alembic.autogenerate",
    "alembic.operations",
    "alembic.runtime.migration",
    "mako.template",
    "flask_migrate",
    "psycopg",
    "pymysql",
    "libcst",
    "pytest",
    "flask_login",
    "flask_principal",
    "flask_wtf",
    "wtforms",
    "passlib.context",
    "cryptography.hazmat.primitives.kdf.argon2",
    "homoglyph",
    "idna",
    "flask_security",
)

# Runs in the baked venv's interpreter: the standard library only. It
# listens on a Unix socket; each connection is one command: a fork of the
# server reads the request, forks the command, answers its pid, waits for
# it and answers its exit status.
SERVER = r"""
import atexit, json, os, runpy, select, signal, socket, sys, types

for name in sys.argv[2:]:
    try:
        __import__(name)
    except Exception:
        pass
# Nothing an import printed is handed down to the commands.
sys.stdout.flush()
sys.stderr.flush()


def exit_status(code):
    # As the interpreter turns SystemExit into a status.
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def command(request):
    for fd, name, mode in (
        (0, "stdin", os.O_RDONLY),
        (1, "stdout", os.O_WRONLY),
        (2, "stderr", os.O_WRONLY),
    ):
        opened = os.open(request[name], mode)
        os.dup2(opened, fd)
        os.close(opened)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    argv = request["argv"]
    status = 0
    try:
        if argv[0] == "-c":
            sys.argv = ["-c", *argv[2:]]
            sys.path[0] = ""
            main = types.ModuleType("__main__")
            sys.modules["__main__"] = main
            exec(compile(argv[1], "<string>", "exec"), main.__dict__)
        elif argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]
            sys.path[0] = os.getcwd()
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(argv)
            sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exit:
        status = exit_status(exit.code)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        status = 1
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(status)


def serve(connection):
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    with connection.makefile("rb") as lines:
        request = json.loads(lines.readline())
    pid = os.fork()
    if pid == 0:
        try:
            connection.close()
            command(request)
        finally:
            os._exit(70)  # only if the command could not even be set up
    try:
        connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        # Woken by the command's end, or by the client hanging up (it gave
        # up, or its test was interrupted): then the command goes too.
        exited = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
        while exited is not None and exited not in select.select(
            [exited, connection], [], []
        )[0]:
            if not connection.recv(1):
                raise ConnectionError("the client hung up")
    except OSError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    reply = {"status": os.waitstatus_to_exitcode(status)}
    connection.sendall(json.dumps(reply).encode() + b"\n")
    os._exit(0)


path, pid_path = sys.argv[1], sys.argv[1][: -len(".sock")] + ".pid"
with open(pid_path, "w") as pid_file:
    pid_file.write(str(os.getpid()))
listener = socket.socket(socket.AF_UNIX)
listener.bind(path + ".new")
listener.listen(64)
# Ready: clients connect only once the socket has its name.
os.rename(path + ".new", path)
# The forks that serve connections are nobody's to wait for.
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
# Left running by a run that was killed: gone after a while unused.
listener.settimeout(600)
while True:
    try:
        connection, _ = listener.accept()
    except TimeoutError:
        # Its name first, so that no client connects to a server on its way
        # out; its pid file only if a new server has not written its own.
        os.unlink(path)
        with open(pid_path) as pid_file:
            if pid_file.read() == str(os.getpid()):
                os.unlink(pid_path)
        os._exit(0)
    if os.fork() == 0:
        try:
            listener.close()
            serve(connection)
        finally:
            os._exit(0)  # the client gave up: nobody to answer
    connection.close()
"""

# Set by the suite's controller (tests/conftest.py) for the whole run: its
# xdist workers share one server per baked venv instead of one each.
DIRECTORY_VARIABLE = "EDMUNDS_TEMPLATE_FORKSERVERS"
# How long a new server may take to import its packages.
START_TIMEOUT = 300


def _startup_settings(env):
    return {key: value for key, value in env.items() if key.startswith("PYTHON")}


def new_directory():
    # In /tmp whatever TMPDIR says: a socket's path has at most 107 bytes.
    return tempfile.mkdtemp(prefix="edmunds-forkservers-", dir="/tmp")


def _directory():
    directory = os.environ.get(DIRECTORY_VARIABLE)
    if not directory:
        # Outside a suite run (the benchmark, a script): this process's own.
        directory = os.environ[DIRECTORY_VARIABLE] = new_directory()
        atexit.register(stop, directory)
    return Path(directory)


def _connect(path):
    client = socket.socket(socket.AF_UNIX)
    try:
        client.connect(str(path))
    except OSError:
        client.close()
        return None
    return client


def _server(python, env):
    """A connection to the server of ``python`` with ``env``'s interpreter
    settings, started first if it is not running."""
    # A server per venv and interpreter setting (a hash seed is fixed when
    # an interpreter starts, and its forks inherit it).
    key = json.dumps([str(python), sorted(_startup_settings(env).items())])
    name = hashlib.sha256(key.encode()).hexdigest()[:16]
    path = _directory() / f"{name}.sock"
    client = _connect(path)
    if client is not None:
        return client
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        client = _connect(path)  # another worker started it meanwhile
        if client is not None:
            return client
        # What a server that stopped left.
        path.unlink(missing_ok=True)
        Path(f"{path}.new").unlink(missing_ok=True)
        with open(path.with_suffix(".log"), "ab") as log:
            process = subprocess.Popen(
                [str(python), "-c", SERVER, str(path), *PRELOAD],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=env,
                # Not in a worker's process group: other workers use it.
                start_new_session=True,
            )
        _started.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        while not path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"the fork server of {python} did not start: "
                    f"{path.with_suffix('.log').read_text()[-2000:]}"
                )
            time.sleep(0.02)
    client = _connect(path)
    if client is None:
        raise RuntimeError(f"the fork server of {python} does not answer")
    return client


# The servers this process started, kept so that they are not reported as
# still running when their Popen objects are collected.
_started = []


def _reply(lines, client, seconds):
    client.settimeout(max(seconds, 0.1))
    try:
        line = lines.readline()
    except TimeoutError:
        return None
    if not line:
        raise RuntimeError("the fork server of a baked venv stopped")
    return json.loads(line)


def run(python, cwd, args, env, stdin=None, timeout=300):
    """(status, stdout, stderr) of ``python *args``, forked from ``python``'s
    server, or None where the command must start an interpreter of its own.
    """
    runs_python = args and (args[0] in ("-c", "-m") or args[0].endswith(".py"))
    if not ENABLED or not runs_python:
        return None
    with tempfile.TemporaryDirectory() as streams:
        paths = {name: Path(streams, name) for name in ("stdout", "stderr")}
        for path in paths.values():
            path.touch()
        stdin_path = Path(streams, "stdin")
        stdin_path.write_text(stdin or "")
        request = {
            "cwd": str(cwd),
            "argv": list(args),
            "env": env,
            "stdin": str(stdin_path) if stdin is not None else os.devnull,
            **{name: str(path) for name, path in paths.items()},
        }
        status = _forked(python, env, request, args, timeout)
        return status, paths["stdout"].read_text(), paths["stderr"].read_text()


def _forked(python, env, request, args, timeout, retry=True):
    """The exit status of the request's command, forked by the server."""
    with (
        contextlib.closing(_server(python, env)) as client,
        client.makefile("rb") as lines,
    ):
        started = time.monotonic()
        try:
            client.sendall((json.dumps(request) + "\n").encode())
            forked = _reply(lines, client, timeout)
        except (ConnectionError, RuntimeError):
            # A server on its way out (unused for long): nothing was forked.
            if not retry:
                raise
            return _forked(python, env, request, args, timeout, retry=False)
        if forked is None:
            raise subprocess.TimeoutExpired(args, timeout)
        try:
            reply = _reply(lines, client, timeout - (time.monotonic() - started))
        except BaseException:
            _kill(forked["pid"])
            raise
        if reply is None:
            _kill(forked["pid"])
            raise subprocess.TimeoutExpired(args, timeout)
        return reply["status"]


def _kill(pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def stop(directory):
    """Stop the servers started for ``directory``, with the commands they
    are still running, then remove it."""
    for pid_file in Path(directory).glob("*.pid"):
        with contextlib.suppress(ValueError, OSError):
            pid = int(pid_file.read_text())
            # Only a server of this folder: a pid may have been reused.
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if str(pid_file.with_suffix(".sock")).encode() in cmdline:
                os.killpg(pid, signal.SIGTERM)
    shutil.rmtree(directory, ignore_errors=True)
