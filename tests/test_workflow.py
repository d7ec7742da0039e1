"""The baked GitHub Actions workflow: what it runs exists and passes here."""

import os
import re
import subprocess

import pytest
import yaml

from conftest import (
    PRE_COMMIT_HOME,
    UV,
    assert_baked_suite_passed,
    bake,
    free_port,
    interpreter,
    render,
    schemathesis_passed,
    unavailable,
    uv_env,
)

WORKFLOW = ".github/workflows/ci.yml"
SLUG_FOLDER = "{{cookiecutter.project_slug}}"


def job_of(workflow_text):
    workflow = yaml.safe_load(workflow_text)
    # YAML 1.1 reads the key `on` as True.
    assert set(workflow.get("on", workflow.get(True))) == {"push", "pull_request"}
    (job,) = workflow["jobs"].values()
    return job


def step_using(job, action):
    (step,) = [step for step in job["steps"] if step.get("uses", "").startswith(action)]
    return step


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_the_workflow_sets_up_uv_and_the_chosen_python(cookies, version):
    project = bake(cookies, python_version=version)
    job = job_of((project / WORKFLOW).read_text())

    setup = step_using(job, "astral-sh/setup-uv@")
    assert setup["with"]["python-version"] == version
    assert setup["with"]["enable-cache"] is True
    assert not [s for s in job["steps"] if "setup-python" in s.get("uses", "")]


# The newest majors as of 2026-11 (checkout 7 and cache 6 came out in June
# 2026, setup-uv 10 in August); a later one is fine, an older one is not.
CURRENT_MAJORS = {
    "actions/checkout": 7,
    "actions/cache": 6,
    "astral-sh/setup-uv": 10,
}
# `uses: owner/name@<commit> # vX.Y.Z`: a tag can be moved to other code, a
# commit cannot; the comment names the release, and Dependabot moves both.
# (setup-uv publishes no moving tags since v8.0.0 anyway, only releases.)
PINNED = re.compile(
    r"^\s*(?:- )?uses: (?P<name>[\w.-]+/[\w./-]+)@(?P<commit>\S+)"
    r"(?: # (?P<release>\S+))?$",
    re.M,
)


def pinned_actions(workflow_text):
    """(name, commit, release) of every action a workflow uses, as written."""
    pins = [
        match.group("name", "commit", "release")
        for match in PINNED.finditer(workflow_text)
    ]
    # Each `uses:` of the workflow is one of the lines read here.
    steps = [
        step
        for job in yaml.safe_load(workflow_text)["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    ]
    assert [f"{name}@{commit}" for name, commit, _ in pins] == [
        step["uses"] for step in steps
    ]
    return pins


def assert_pinned_to_current_releases(pins):
    assert pins
    for name, commit, release in pins:
        action = f"{name}@{commit}"
        assert name in CURRENT_MAJORS, f"{action}: which major is current?"
        assert re.fullmatch(r"[0-9a-f]{40}", commit), (
            f"{action}: pin the commit of a release, its full SHA"
        )
        assert release and re.fullmatch(r"v\d+\.\d+\.\d+", release), (
            f"{action}: say which release it is (# vX.Y.Z), for Dependabot"
        )
        assert int(release.removeprefix("v").split(".")[0]) >= CURRENT_MAJORS[name]


def test_every_action_is_pinned_to_a_current_release(cookies):
    project = bake(cookies, docker=True)
    workflows = sorted((project / ".github/workflows").glob("*.yml"))
    assert_pinned_to_current_releases(
        [pin for workflow in workflows for pin in pinned_actions(workflow.read_text())]
    )


@pytest.mark.parametrize("docker", [False, True])
def test_dependabot_watches_the_lock_the_actions_and_the_image(cookies, docker):
    project = bake(cookies, docker=docker)
    config = yaml.safe_load((project / ".github/dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    expected = {"uv", "github-actions"} | ({"docker"} if docker else set())
    assert config["version"] == 2 and ecosystems == expected
    for update in config["updates"]:
        assert update["directory"] == "/" and update["schedule"]["interval"]
        # A week before a release is proposed (zizmor asks for as much).
        assert update["cooldown"]["default-days"] >= 7


GUNICORN_TRAP = "trap 'kill \"$(cat gunicorn.pid)\"' EXIT\n"
# Read once the daemon has written it (it does before its first worker
# starts, so before schemathesis gets the schema); then SIGTERM and wait up
# to 60 s for the master, which exits after its workers.
GUNICORN_TRAP_AND_WAIT = (
    'trap \'pid=$(cat gunicorn.pid) && kill "$pid" && '
    'for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done\' '
    "EXIT\n"
)


@pytest.mark.xdist_group("workflow")
def test_every_command_of_the_workflow_passes_locally(cookies):
    project = bake(cookies, project_name="Workflow Check")
    job = job_of((project / WORKFLOW).read_text())
    assert "services" not in job  # SQLite alone needs no server
    commands = [step["run"] for step in job["steps"] if "run" in step]
    assert commands == [
        "uv sync --locked",
        "uvx pre-commit@4.7.0 run --all-files --show-diff-on-failure",
        "uv run python manage.py db upgrade\nuv run python manage.py db check\n",
        "uv run pytest",
        "port=${PORT:-8000}\n"
        "# An admin for this run only, and a token of theirs: the API wants one.\n"
        'password=$(python3 -c "import secrets; print(secrets.token_urlsafe(16))")\n'
        "printf '%s\\n' \"$password\" | uv run python manage.py auth create-user \\\n"
        "  schemathesis@example.com --role admin --password-stdin\n"
        "uv run gunicorn --bind 127.0.0.1:$port --workers 2 --daemon "
        "--pid gunicorn.pid wsgi:app\n"
        "trap 'kill \"$(cat gunicorn.pid)\"' EXIT\n"
        "token=$(curl --silent --fail --retry 30 --retry-connrefused "
        "--retry-delay 1 \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        '  -d "{\\"email\\": \\"schemathesis@example.com\\", '
        '\\"password\\": \\"$password\\"}" \\\n'
        '  http://127.0.0.1:$port/api/auth/login | python3 -c "import json, sys; '
        "print(json.load(sys.stdin)['token'])\")\n"
        "uvx schemathesis@4.32.5 run http://127.0.0.1:$port/api/openapi.json \\\n"
        '  -H "Authentication-Token: $token" \\\n'
        "  --wait-for-schema 30 --checks all --max-examples 25 --max-time 30\n",
    ]
    setup = step_using(job, "astral-sh/setup-uv@")["with"]
    python = interpreter(setup["python-version"])
    if python is None:
        unavailable(f"no Python {setup['python-version']} on this machine")
    # What setup-uv leaves behind: uv on PATH, UV_PYTHON set.
    env = uv_env(
        python,
        **{key: str(value) for key, value in job["env"].items()},
        # Where the workflow's gunicorn listens: a port free on this machine.
        PORT=str(free_port()),
        PATH=f"{os.path.dirname(UV)}{os.pathsep}{os.environ['PATH']}",
        PRE_COMMIT_HOME=str(PRE_COMMIT_HOME),
    )

    # GitHub's runners write bytecode as Python does by default; a machine
    # that turns it off would compile every module of every step again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    outputs = {}
    for command in commands:
        # schemathesis for 10 seconds, not 30: that the step runs and passes
        # is what this proves; test_api_contract fuzzes the API for 30.
        local = command.replace("--max-time 30", "--max-time 10")
        # The step's trap sends SIGTERM and the shell exits at once, while the
        # daemon still stops its workers, closes SQLite (removing its -wal and
        # -shm files) and deletes gunicorn.pid: the bake's folder would be
        # removed under it. Here the trap also waits for the master to go
        # (a runner is thrown away after the job; this machine is not).
        local = local.replace(GUNICORN_TRAP, GUNICORN_TRAP_AND_WAIT)
        completed = subprocess.run(
            # As GitHub runs a `run:` step.
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", local],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert completed.returncode == 0, (
            f"{command}\n{completed.stdout}\n{completed.stderr}"
        )
        outputs[command.split("\n")[0]] = completed.stdout
    assert_baked_suite_passed(outputs["uv run pytest"])
    assert schemathesis_passed(outputs["port=${PORT:-8000}"])
    assert (
        setup["version"]
        == subprocess.run(
            [UV, "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[1]
    )


# The engines of the `database` and `users_database` prompts: the workflow
# reads them when they exist, so these cases are rendered directly.
@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, {}),
        ({"database": "sqlite", "users_database": "sqlite"}, {}),
        ({"database": "postgresql"}, {"default": ("postgres:", 5432, 5432)}),
        (
            {"database": "sqlite", "users_database": "mysql"},
            {"users_database": ("mariadb:", 3307, 3306)},
        ),
        (
            {"database": "postgresql", "users_database": "postgresql"},
            {
                "default": ("postgres:", 5432, 5432),
                "users_database": ("postgres:", 5433, 5432),
            },
        ),
        (
            {"database": "mysql", "users_database": "postgresql"},
            {
                "default": ("mariadb:", 3306, 3306),
                "users_database": ("postgres:", 5433, 5432),
            },
        ),
    ],
)
def test_each_database_server_gets_a_service_container(answers, expected):
    job = job_of(render(f"{SLUG_FOLDER}/{WORKFLOW}", **answers))
    services = job.get("services", {})

    assert set(services) == {name.replace("_", "-") for name in expected}
    for name, (image, host_port, container_port) in expected.items():
        service = services[name.replace("_", "-")]
        assert service["image"].startswith(image)
        assert service["ports"] == [f"{host_port}:{container_port}"]
        assert "--health-cmd" in service["options"]
        prefix = f"DB_{name.upper()}_"
        assert job["env"][f"{prefix}HOST"] == "127.0.0.1"
        assert job["env"][f"{prefix}PORT"] == str(host_port)
        for key in ("USER", "PASS", "DATABASE"):
            assert job["env"][f"{prefix}{key}"]
        # The server's database is the one .env.testing.py names: the baked
        # tests refuse any other.
        testing = render(f"{SLUG_FOLDER}/.env.testing.py", **answers)
        named = f'{prefix}DATABASE = "{job["env"][f"{prefix}DATABASE"]}"'
        assert named in testing.splitlines()
        assert named.split(" = ")[1].strip('"') in service["env"].values()
    assert not {key for key in job["env"] if key.startswith("DB_")} - {
        f"DB_{name.upper()}_{key}"
        for name in expected
        for key in ("HOST", "PORT", "USER", "PASS", "DATABASE")
    }
