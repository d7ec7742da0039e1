"""Baked commands forked from a process that has imported their packages.

A baked command (``python manage.py db upgrade``, a ``-c`` script, ``-m
pytest``) spends most of its start importing Flask, SQLAlchemy, Alembic and
the API's packages: the same few hundred modules every time, and the suite
starts hundreds of such commands. One server per baked venv imports most
of them once (the API's are left to each command, see PRELOAD); each
command is a fork of it that runs the command as ``python`` would (runpy,
the same argv, working folder, environment and standard streams, atexit
handlers, exit status), then exits.

The server never imports the project's own modules, so every command reads
the project's files as they are at that moment. What only a fresh
interpreter can honour (``PYTHON*`` variables, such as a hash seed) gets a
server of its own, started with them. ``EDMUNDS_TEMPLATE_FORK=0`` runs every
command as a process of its own.
"""

import atexit
import contextlib
import json
import os
import select
import signal
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

# Runs in the baked venv's interpreter: the standard library only.
SERVER = r"""
import atexit, json, os, runpy, sys, types

for name in sys.argv[3:]:
    try:
        __import__(name)
    except Exception:
        pass
# Nothing an import printed is handed down to the commands.
sys.stdout.flush()
sys.stderr.flush()
requests = os.fdopen(int(sys.argv[1]), "r")
replies = os.fdopen(int(sys.argv[2]), "w", buffering=1)


def exit_status(code):
    # As the interpreter turns SystemExit into a status.
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def command(request):
    requests.close()
    replies.close()
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


for line in requests:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        command(request)
    replies.write(json.dumps({"pid": pid}) + "\n")
    _, status = os.waitpid(pid, 0)
    replies.write(json.dumps({"status": os.waitstatus_to_exitcode(status)}) + "\n")
"""


def _startup_settings(env):
    return {key: value for key, value in env.items() if key.startswith("PYTHON")}


class ForkServer:
    """One baked venv's server, started with ``env``."""

    def __init__(self, python, env):
        self.env = env
        request_read, self.requests = os.pipe()
        self.replies, reply_write = os.pipe()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [str(python), "-c", SERVER, str(request_read), str(reply_write), *PRELOAD],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            env=env,
            pass_fds=(request_read, reply_write),
        )
        os.close(request_read)
        os.close(reply_write)
        self.pending = b""
        self.broken = False

    def _reply(self, deadline_seconds):
        while b"\n" not in self.pending:
            ready, _, _ = select.select([self.replies], [], [], deadline_seconds)
            if not ready:
                return None
            chunk = os.read(self.replies, 65536)
            if not chunk:
                raise RuntimeError("the fork server of a baked venv stopped")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)

    def run(self, cwd, argv, env, stdin, timeout):
        with tempfile.TemporaryDirectory() as streams:
            paths = {name: Path(streams, name) for name in ("stdout", "stderr")}
            for path in paths.values():
                path.touch()
            stdin_path = Path(streams, "stdin")
            stdin_path.write_text(stdin or "")
            request = {
                "cwd": str(cwd),
                "argv": list(argv),
                "env": env,
                "stdin": str(stdin_path) if stdin is not None else os.devnull,
                **{name: str(path) for name, path in paths.items()},
            }
            try:
                os.write(self.requests, (json.dumps(request) + "\n").encode())
                started = time.monotonic()
                # The first answer of a new server waits for its imports too.
                forked = self._reply(timeout)
                if forked is None:
                    raise subprocess.TimeoutExpired(argv, timeout)
                left = max(timeout - (time.monotonic() - started), 0.1)
                reply = self._reply(left)
                if reply is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(forked["pid"], signal.SIGKILL)
                    raise subprocess.TimeoutExpired(argv, timeout)
            except BaseException:
                # Its replies may now be out of step with its requests: it
                # is never asked again.
                self.broken = True
                raise
            return (
                reply["status"],
                paths["stdout"].read_text(),
                paths["stderr"].read_text(),
            )

    def close(self):
        if self.broken:
            self.process.kill()
        os.close(self.requests)
        os.close(self.replies)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


_servers = {}


def run(python, cwd, args, env, stdin=None, timeout=300):
    """(status, stdout, stderr) of ``python *args``, forked from ``python``'s
    server, or None where the command must start an interpreter of its own.
    """
    runs_python = args and (args[0] in ("-c", "-m") or args[0].endswith(".py"))
    if not ENABLED or not runs_python:
        return None
    # A server per venv and interpreter setting (a hash seed is fixed when
    # an interpreter starts, and its forks inherit it).
    key = (str(python), *sorted(_startup_settings(env).items()))
    server = _servers.get(key)
    if server is None or server.broken or server.process.poll() is not None:
        if server is not None:
            server.close()
        server = _servers[key] = ForkServer(python, env)
    return server.run(cwd, args, env, stdin, timeout)


@atexit.register
def _stop():
    for server in _servers.values():
        server.close()
