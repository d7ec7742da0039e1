"""The optional Dockerfile, checked without a Docker engine: what it copies
exists, and what it runs works when run directly, its dependency layer
included (uv from the lock, in a folder holding only what that layer copies)."""

import fnmatch
import json
import os
import secrets
import shlex
import shutil

import pytest

from conftest import (
    UV,
    bake,
    call,
    clean_env,
    create_user_line,
    free_port,
    interpreter,
    log_in,
    run,
    serving,
    unavailable,
    uv_env,
)

pytestmark = pytest.mark.xdist_group("docker")

DOCKER_FILES = ["Dockerfile", ".dockerignore"]


@pytest.fixture(scope="module")
def project(cookies_session):
    return bake(
        cookies_session, project_name="Boxed", docker=True, python_version="3.11"
    )


def instructions(project):
    """(INSTRUCTION, arguments) per line of the Dockerfile, continuations joined."""
    text = (project / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        tuple(line.split(None, 1))
        for line in lines
        if line and not line.startswith("#")
    ]


def image_files(project, destination):
    """Copy the project as `COPY . .` would see it, through .dockerignore."""
    patterns = [
        line.strip()
        for line in (project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(relative):
        parts = relative.split("/")
        prefixes = ["/".join(parts[: count + 1]) for count in range(len(parts))]
        return any(
            fnmatch.fnmatchcase(prefix, pattern.removeprefix("**/"))
            or fnmatch.fnmatchcase(prefix, pattern)
            for prefix in prefixes
            for pattern in patterns
        )

    for path in project.rglob("*"):
        relative = path.relative_to(project).as_posix()
        if path.is_file() and not ignored(relative):
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination / relative)
    return destination


def test_the_default_bake_has_no_docker_files(cookies):
    project = bake(cookies)
    for name in DOCKER_FILES:
        assert not (project / name).exists()


def test_the_image_is_slim_python_with_a_non_root_user(project):
    steps = instructions(project)
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [arguments for instruction, arguments in steps if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    names = [instruction for instruction, _ in steps]
    assert names.index("USER") < names.index("CMD")


def test_dependencies_are_installed_before_the_code_is_copied(project):
    steps = instructions(project)
    copies = [arguments for instruction, arguments in steps if instruction == "COPY"]
    assert copies == ["pyproject.toml uv.lock ./", ". ."]
    (install,) = [step for step in steps if step[0] == "RUN" and "uv sync" in step[1]]
    assert "uv sync --locked --no-dev" in install[1]
    assert steps.index(("COPY", "pyproject.toml uv.lock ./")) < steps.index(install)
    assert steps.index(install) < steps.index(("COPY", ". ."))


@pytest.fixture(scope="module")
def dependency_layer(project, tmp_path_factory):
    """What the image's uv step makes, from only the files copied before it."""
    python = interpreter("3.11")
    if python is None:
        unavailable("no Python 3.11 on this machine, the image's Python")
    layer = tmp_path_factory.mktemp("image")
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(project / name, layer / name)
    steps = instructions(project)
    (install,) = [
        step[1] for step in steps if step[0] == "RUN" and "uv sync" in step[1]
    ]
    # The image gets uv from PyPI; here the suite's own uv stands in.
    command = install.split("&&")[1].strip()
    image_env = dict(pair.split("=", 1) for pair in shlex.split(dict(steps)["ENV"]))
    uv_settings = {
        key: value for key, value in image_env.items() if key.startswith("UV_")
    }
    uv_settings.pop("UV_NO_CACHE")  # the suite keeps uv's cache, to link from
    completed = run(
        layer,
        "sh",
        "-c",
        command.replace("uv ", f"{UV} ", 1),
        env=uv_env(python, **uv_settings),
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return layer


def test_the_image_gets_the_locked_runtime_without_dev_tools(dependency_layer):
    bin_folder = dependency_layer / ".venv" / "bin"
    assert (bin_folder / "gunicorn").is_file()
    for tool in ("pytest", "ruff"):
        assert not (bin_folder / tool).exists(), tool
    # The image never writes bytecode (PYTHONDONTWRITEBYTECODE): uv compiled
    # the packages at build time, or every start would compile them again.
    (flask,) = dependency_layer.glob(".venv/lib/python*/site-packages/flask")
    assert list(flask.glob("__pycache__/app.*.pyc"))


def test_secrets_and_local_state_stay_out_of_the_image(project, tmp_path):
    files = image_files(project, tmp_path / "image")
    assert (project / ".env.py").is_file() and not (files / ".env.py").exists()
    assert not (files / "storage").exists() and not (files / ".git").exists()
    assert (files / "migrations/env.py").is_file() and (files / "wsgi.py").is_file()


def test_the_command_migrates_then_serves_and_refuses_a_missing_key(
    project, dependency_layer, tmp_path
):
    steps = instructions(project)
    image_env = dict(pair.split("=", 1) for pair in shlex.split(dict(steps)["ENV"]))
    assert image_env["APP_ENV"] == "production"
    shell, flag, command = json.loads(dict(steps)["CMD"])
    assert (shell, flag) == ("sh", "-c")
    assert command.startswith("python manage.py db upgrade && ")
    workdir = image_files(project, tmp_path / "image")
    (workdir / "storage/database").mkdir(parents=True)  # as the image's RUN does
    # The image's PATH puts the venv of the uv step first.
    assert image_env["PATH"].startswith("/srv/app/.venv/bin:")
    path = f"{dependency_layer / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
    port = free_port()
    env = clean_env(**{**image_env, "PATH": path})
    # The image listens on every interface; here, on loopback only.
    env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{port}"

    refused = run(workdir, "sh", "-c", command, check=False, env=env, timeout=60)
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: SECRET_KEY is not set")
    assert refused.stderr.count("\n") == 1

    env["SECRET_KEY"] = secrets.token_urlsafe(48)  # "k" * 48 is refused
    with serving(f"exec sh -c '{command}'", workdir, env, port) as url:
        assert call(f"{url}/api/users")[0] == 401
        # A user made by the console in the image's environment, as a shell
        # in the container would.
        run(workdir, "sh", "-c", create_user_line(), env=env)
        assert call(f"{url}/api/users", token=log_in(url))[0] == 200
        assert (workdir / "storage/database/boxed.db").is_file()


def test_the_projects_own_modules_start_compiled(project, dependency_layer, tmp_path):
    # The image writes no bytecode at run time (PYTHONDONTWRITEBYTECODE): the
    # build compiles the project's modules once, after they are copied, or
    # every start would compile them again.
    steps = instructions(project)
    (compiled,) = [step for step in steps if "compileall" in step[1]]
    assert steps.index(compiled) > steps.index(("COPY", ". ."))
    image_env = dict(pair.split("=", 1) for pair in shlex.split(dict(steps)["ENV"]))
    workdir = image_files(project, tmp_path / "image")
    # The image's venv, in the same folder, is compiled already: left alone.
    (workdir / ".venv").mkdir()
    (workdir / ".venv" / "untouched.py").write_text("")
    path = f"{dependency_layer / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
    env = clean_env(**{**image_env, "PATH": path})
    env["SECRET_KEY"] = secrets.token_urlsafe(48)

    run(workdir, "sh", "-c", compiled[1], env=env)

    assert not (workdir / ".venv" / "__pycache__").exists()
    booted = run(workdir, "python", "-v", "-c", "import wsgi", env=env)
    loaded = [
        line.removeprefix("# code object from ").strip("'")
        for line in booted.stderr.splitlines()
        if line.startswith("# code object from ") and str(workdir) in line
    ]
    assert len(loaded) > 30, booted.stderr[-2000:]
    assert [path for path in loaded if not path.endswith(".pyc")] == []
