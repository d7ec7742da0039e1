"""Baking, and running what was baked.

Baked projects are not installed packages: their dependencies live in a
virtualenv that ``uv sync --locked`` fills from the project's uv.lock, shared
by every bake with the same lock and Python and cached across runs
(``EDMUNDS_TEMPLATE_CACHE``, else ~/.cache/edmunds-template). uv links the
files in from its own cache, so a new venv costs a second or two.
"""

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cookiecutter.environment import StrictEnvironment
from jinja2 import FileSystemLoader
from jinja2.bccache import BytecodeCache

# pytest imports this file as `conftest`, the benchmark as `tests.conftest`.
if __package__:
    from . import forkserver
else:
    import forkserver

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(
    os.environ.get("EDMUNDS_TEMPLATE_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    / "edmunds-template"
)
DEV_TOOLS = TEMPLATE_DIR / ".venv" / "bin"
# scripts/test.sh puts uv, at the version it pins, on PATH.
UV = shutil.which("uv")
PYENV_VERSIONS = Path.home() / ".pyenv" / "versions"
# Set by .ci/run: what would skip for want of a server or an interpreter fails.
REQUIRE_ALL = os.environ.get("EDMUNDS_TEMPLATE_REQUIRE_ALL") == "1"
# The framework's own tests import a bake's packages: tests/test_framework.py
# runs them inside bakes, never this process.
collect_ignore = ["edmunds"]


class _CompiledTemplates(BytecodeCache):
    """The template's files compiled by Jinja, kept for the worker's life.

    Cookiecutter makes a new Jinja environment for every bake, which parses
    and compiles each of the template's files again: half of a bake's CPU in
    the process, and a worker bakes scores of times. Jinja keys a compiled
    file by its name and path and checks its source's hash, so an edited
    file (a copy of the template changed by a test) is compiled anew. The
    code depends on the environment's settings too, which every bake of a
    template folder takes from its cookiecutter.json: the same for a path.
    """

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def _share_compiled_templates(make_environment):
    cache = _CompiledTemplates()

    @functools.wraps(make_environment)
    def made_with_the_cache(environment, *args, **kwargs):
        make_environment(environment, *args, **kwargs)
        environment.bytecode_cache = cache

    return made_with_the_cache


StrictEnvironment.__init__ = _share_compiled_templates(StrictEnvironment.__init__)


def pytest_configure(config):
    """The controller of a run (or a run without xdist) gives its workers
    one folder for the fork servers' sockets, and stops the servers after."""
    if hasattr(config, "workerinput") or os.environ.get(forkserver.DIRECTORY_VARIABLE):
        return
    directory = forkserver.new_directory()
    os.environ[forkserver.DIRECTORY_VARIABLE] = directory
    config.add_cleanup(lambda: forkserver.stop(directory))


def pytest_xdist_auto_num_workers(config):
    """What ``-n auto`` means here: one worker more than the cores.

    A worker spends much of its time waiting for what it started (a
    database server, a baked command, gunicorn, Chromium): on 2 cores, 3
    workers took the suite from about 8 to about 6.5 minutes.
    """
    return len(os.sched_getaffinity(0)) + 1


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A file's tests on one engine go to one worker, not all of the engine's.

    ``on_servers`` groups an engine's tests so that they share its venv's
    forkserver and their file's bake; grouped by engine alone, the SQLite
    and PostgreSQL tests of a dozen files each made one chain on one
    worker, minutes long, while the others had finished. Split by file,
    they spread over the workers, which share each venv's forkserver; its
    bakes are made once per file as before. Before xdist's
    own hook, which reads the groups into the test ids.
    """
    for item in items:
        groups = [mark.args[0] for mark in item.iter_markers("xdist_group")]
        if any(group.startswith("databases-") for group in groups):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
        elif not groups and _shares_a_module_fixture(item):
            # Its file's bake (or server) is made once, on one worker: spread
            # over three, the 12 tests of test_auth_console baked, synced and
            # migrated three times.
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def _shares_a_module_fixture(item):
    fixtures = item._fixtureinfo.name2fixturedefs.values()
    return any(definitions[-1].scope == "module" for definitions in fixtures)


def pytest_runtest_setup(item):
    """A test whose group did not take effect fails: a worker's test ids
    carry their group after xdist's hook. pytest-xdist 3.8 writes it where
    pytest 9.2 no longer reads it (pytest-xdist issue 1386), and every group
    was silently ignored, each file's bake made again on every worker that
    ran one of its tests: pyproject.toml pins pytest 9.1 until an xdist
    release follows."""
    config = item.config
    if not hasattr(config, "workerinput") or not config.getvalue("loadgroup"):
        return
    if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
        pytest.fail(
            "--dist loadgroup did not group this test: this pytest-xdist "
            "cannot group tests under this pytest (pyproject.toml pins both)"
        )


def unavailable(reason):
    """Skip a test that lacks a server or interpreter; under CI, fail it."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (EDMUNDS_TEMPLATE_REQUIRE_ALL=1: no skipping)")
    pytest.skip(reason)


def bake(cookies, **answers):
    """Bake with these answers; fail the test with cookiecutter's own error."""
    result = cookies.bake(extra_context=answers)
    assert result.exception is None, f"bake failed: {result.exception!r}"
    assert result.exit_code == 0
    return result.project_path


def interpreter(version):
    """A Python ``version`` ("3.12") of this machine, or None.

    The newest ~/.pyenv/versions/<version>.<patch>, else ``python<version>``
    on PATH if it runs (a pyenv shim of a version not selected does not).
    """
    releases = {
        int(path.parent.parent.name.removeprefix(f"{version}.")): path
        for path in PYENV_VERSIONS.glob(f"{version}.*/bin/python")
        if path.parent.parent.name.removeprefix(f"{version}.").isdigit()
    }
    if releases:
        return releases[max(releases)]
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", ""], capture_output=True).returncode == 0:
        return Path(found)
    return None


def uv_env(python, **overrides):
    """A baked command's environment for uv: this Python, never a download."""
    settings = {"UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"}
    return clean_env(**{**settings, **overrides, "UV_PYTHON": str(python)})


def project_python(project, python=None, compile_project=True):
    """The python of a venv holding the project's locked dependencies and dev group.

    ``python`` defaults to the version the bake chose (``.python-version``).
    The project's own modules are compiled for it (``_compile_project``),
    unless ``compile_project`` is false: the benchmark leaves bytecode to
    Python, as a user's machine does.
    """
    if UV is None:
        pytest.fail("uv is not on PATH: run the suite with scripts/test.sh")
    if python is None:
        version = (project / ".python-version").read_text().strip()
        python = interpreter(version)
        if python is None:
            unavailable(
                f"no Python {version} on this machine (pyenv install {version})"
            )
    lock = tomllib.loads((project / "uv.lock").read_text())
    # Bakes that differ only in their name and version share a venv: the
    # project itself is never installed (`package = false`).
    for package in lock["package"]:
        if package.get("source") == {"virtual": "."}:
            package["name"] = package["version"] = ""
    version = _full_version(str(python))
    locked = json.dumps(lock, sort_keys=True)
    identity = f"{version}\n{locked}\nuv {' '.join(VENV_SYNC)}"
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    venv = CACHE_DIR / "venvs" / key
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f"{key}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        if not (venv / "ready").exists():
            _make_venv(venv, python, project)
        if not (venv / "plugins-rewritten").exists():
            _rewrite_pytest_plugins(venv)
    venv_python = venv / "bin" / "python"
    if compile_project:
        _compile_project(project, venv_python)
    return venv_python


# The bake's own modules (edmunds/, app/, config/, migrations/...) compiled
# once per bake and interpreter. PYTHONDONTWRITEBYTECODE (set on CI
# machines) would otherwise have every baked command compile them again:
# half the CPU of a forked `db upgrade`. Checked-hash, not timestamp, pycs:
# a file a test rewrites within the same second at the same size is
# compiled again, never served stale. tests/ is left to pytest, which
# rewrites and caches test modules its own way; hidden folders hold the
# venv and git, storage/ the databases.
_COMPILE = """\
import compileall, os, py_compile
mode = py_compile.PycInvalidationMode.CHECKED_HASH
for name in sorted(os.listdir(".")):
    path = os.path.abspath(name)
    if name.startswith(".") or name in ("tests", "storage") or os.path.islink(path):
        continue
    if os.path.isdir(path):
        compileall.compile_dir(path, quiet=2, invalidation_mode=mode)
    elif name.endswith(".py"):
        compileall.compile_file(path, quiet=2, invalidation_mode=mode)
"""
_compiled = set()


@functools.cache
def _full_version(python):
    """``sys.version`` of an interpreter: asked once per run and worker."""
    return subprocess.run(
        [python, "-c", "import sys; print(sys.version)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _compile_project(project, python):
    if (project, python) in _compiled:
        return
    _compiled.add((project, python))
    # A fresh interpreter: compileall needs none of the packages a fork
    # server would import first. Only a saving: a file that does not compile
    # (a test's broken config) is left to fail where the test expects it to.
    with contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run(
            [str(python), "-c", _COMPILE],
            cwd=project,
            env=clean_env(),
            capture_output=True,
            check=False,
            timeout=120,
        )


def _rewrite_pytest_plugins(venv):
    """pytest rewrites the asserts of every installed plugin's package as it
    imports it: Faker's 69 modules at each start of a bake's suite (half a
    second of CPU, a sixth of the suite) where PYTHONDONTWRITEBYTECODE keeps
    pytest from caching them. On a developer's machine the first run caches
    them in the venv; a tiny run with caching allowed does what it does."""
    env = clean_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as folder:
        # Faker's plugin loads the providers a bake's factories use.
        Path(folder, "test_faker.py").write_text(
            "def test_faker(faker):\n    faker.name()\n"
        )
        # Only a saving: a venv without pytest or Faker is the tests' to find.
        python = venv / "bin" / "python"
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                [str(python), "-m", "pytest", "-p", "no:cacheprovider"],
                cwd=folder,
                env=env,
                capture_output=True,
                check=False,
                timeout=300,
            )
    (venv / "plugins-rewritten").write_text("")


# How a cached venv is made; part of its key, so a change of recipe makes
# new venvs instead of reusing old ones.
VENV_SYNC = ("sync", "--locked", "--compile-bytecode")


def _make_venv(venv, python, project):
    # Built in place (scripts name their own path) under the lock; "ready" is
    # written last, so an interrupted build is thrown away, never used.
    # Compiled once here: the suite starts hundreds of baked processes, and
    # where PYTHONDONTWRITEBYTECODE is set (as on CI machines) each of them
    # would otherwise compile Flask, SQLAlchemy and the rest again, about
    # three seconds of CPU per start instead of one.
    shutil.rmtree(venv, ignore_errors=True)
    completed = subprocess.run(
        [UV, *VENV_SYNC],
        cwd=project,
        # Hard links from uv's cache (its default on Linux, said here): a
        # venv costs a second or two and almost no disk.
        env=uv_env(python, UV_PROJECT_ENVIRONMENT=str(venv), UV_LINK_MODE="hardlink"),
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        pytest.fail(f"uv sync --locked failed:\n{completed.stderr}")
    (venv / "ready").write_text("")


def clean_env(**overrides):
    """The environment a baked command runs in: nothing of ours leaks in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            (
                "APP_",
                "DB_",
                "FLASK_",
                "GUNICORN_",
                "PYTEST_",
                "SECRET_KEY",
                "UV_PROJECT_ENVIRONMENT",
                "UV_PYTHON",
                "VIRTUAL_ENV",
            )
        )
    }
    env.update(overrides)
    return env


def run(project, python, *args, check=True, env=None, timeout=300, stdin=None):
    """Run ``python *args`` in a baked project, output captured as text.

    A baked venv's command is forked from a server that has imported its
    packages (tests/forkserver.py); anything else is a process of its own.
    """
    env = env or clean_env()
    forked = None
    if Path(python).is_relative_to(CACHE_DIR / "venvs"):
        forked = forkserver.run(python, project, args, env, stdin, timeout)
    if forked is None:
        completed = subprocess.run(
            [str(python), *args],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
            input=stdin,
            timeout=timeout,
        )
    else:
        completed = subprocess.CompletedProcess([str(python), *args], *forked)
    if check and completed.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {completed.returncode}\n"
            f"--- stdout\n{completed.stdout}\n--- stderr\n{completed.stderr}"
        )
    return completed


def manage(project, python, env, *args, check=True, stdin=None):
    """``python manage.py ARGS`` in a bake, with these DB_* (or other) settings."""
    return run(
        project,
        python,
        "manage.py",
        *args,
        env=clean_env(**env),
        check=check,
        stdin=stdin,
    )


def assert_baked_suite_passed(output):
    """A baked suite's closing line: tests passed, and none failed, erred or
    was skipped. A bake's own tests skip nothing on the engines this suite
    gives them: a skip there is a check that did not run."""
    lines = output.strip().splitlines()
    summary = lines[-1] if lines else ""
    assert re.search(r"\b\d+ passed\b", summary), output[-3000:]
    assert not re.search(r"\b(failed|errors?|skipped|xfailed|xpassed)\b", summary), (
        output[-3000:]
    )


def assert_ruff_passes(project):
    """The baked project passes ruff's lint and format check, its own settings."""
    for command in (["check"], ["format", "--check"]):
        completed = subprocess.run(
            [str(DEV_TOOLS / "ruff"), *command, "--no-cache", "."],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr


# pre-commit's hook environments, built once and shared by every test and run.
PRE_COMMIT_HOME = CACHE_DIR / "pre-commit"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(command, cwd, env, port, timeout=60):
    """Run a server until the block ends; yield its base URL once it answers.

    ``command`` is a shell line, as a README, workflow or Dockerfile gives it;
    the server must listen on 127.0.0.1:``port``.
    """
    # A file, not a pipe: a chatty server never blocks on a full pipe.
    log = tempfile.TemporaryFile("w+")
    server = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so that the shell's children stop with it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/", timeout=5):
                    break
            except OSError:
                if server.poll() is not None:
                    log.seek(0)
                    pytest.fail(
                        f"{command!r} exited {server.returncode}:\n{log.read()}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(f"{command!r} did not answer on {url}")
                time.sleep(0.2)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


def call(url, method="GET", body=None, token=None):
    """One JSON request: (status, decoded body or None); ``token`` goes in
    the Authentication-Token header, which every /api/ route but the login
    asks for."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header(TOKEN_HEADER, token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    return status, json.loads(payload) if payload else None


# Who the template's tests log in as on a served bake, made by the console
# as a bake's README makes its first user.
TOKEN_HEADER = "Authentication-Token"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery staple"


def create_user(
    project,
    python,
    email=ADMIN_EMAIL,
    password=ADMIN_PASSWORD,
    roles=("admin",),
    env=None,
):
    """``manage.py auth create-user``, the password on stdin as a script
    gives it; the new user's id."""
    options = [option for role in roles for option in ("--role", role)]
    completed = run(
        project,
        python,
        *("manage.py", "auth", "create-user", email, *options, "--password-stdin"),
        env=env,
        stdin=password + "\n",
    )
    return int(re.match(r"Created user (\d+) ", completed.stdout)[1])


def create_user_line(python="python", email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
    """create_user's admin as one shell line, for a command that serves."""
    return (
        f"printf '%s\\n' {shlex.quote(password)} | {python} manage.py auth "
        f"create-user {shlex.quote(email)} --role admin --password-stdin"
    )


def log_in(url, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
    """A token from ``POST /api/auth/login`` of the app served at ``url``."""
    status, body = call(
        f"{url}/api/auth/login", "POST", {"email": email, "password": password}
    )
    assert status == 200, (status, body)
    return body["token"]


def token_for(
    project,
    python,
    url,
    email=ADMIN_EMAIL,
    password=ADMIN_PASSWORD,
    roles=("admin",),
    env=None,
):
    """A token of a new user of the bake served at ``url`` (an admin unless
    ``roles`` says otherwise); ``env`` as the server's, so that the user is
    made in the database it serves."""
    create_user(project, python, email, password, roles, env)
    return log_in(url, email, password)


def render(path, **answers):
    """One template file as cookiecutter renders it, without baking.

    ``path`` is relative to the template repository; ``answers`` override
    cookiecutter.json's defaults, and may name prompts it does not have yet.
    """
    defaults = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    context = {key: value for key, value in defaults.items() if not key.startswith("_")}
    context.update(project_slug="my_edmunds_app", _extensions=defaults["_extensions"])
    context.update(answers)
    # The template's own Jinja extensions import from its folder, as
    # cookiecutter lets them.
    sys.path.insert(0, str(TEMPLATE_DIR))
    try:
        environment = StrictEnvironment(
            context={"cookiecutter": context}, keep_trailing_newline=True
        )
    finally:
        sys.path.remove(str(TEMPLATE_DIR))
    # By name, as cookiecutter loads a file: the template's own Jinja runs,
    # where an answer's would stay literal.
    environment.loader = FileSystemLoader(str(TEMPLATE_DIR))
    return environment.get_template(path).render(cookiecutter=context)


def copy_template(destination):
    """The template's working tree as it is, committed or not, copied over."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE_DIR / name
        if source.is_file():  # a deleted file is still listed until committed
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def schemathesis_passed(output):
    """Every case schemathesis generated passed, as its summary line says.

    A warning, such as "missing test data" for an operation that found
    nothing to delete, is no failure.
    """
    generated = re.search(r"(\d+) generated, (\d+) passed", output)
    return bool(generated) and generated[1] == generated[2] != "0"
