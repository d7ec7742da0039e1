"""Workflows a supply-chain attacker cannot ride: zizmor finds nothing.

zizmor, the GitHub Actions security lint, reads a bake's workflows,
Dependabot's settings and the pre-commit config offline: every action
pinned to a commit, least permissions, no credentials left in the checkout.
Every combination of the answers that shape those files is baked and
linted, each value of the others in turn; then the template repository's
own workflow. The zizmor run here is the
template's dev tool, at the version the hooks pin.
"""

import itertools
import re
import subprocess
import tomllib

import pytest
import yaml

from template_answers import CHOICES, YES_NO

from conftest import DEV_TOOLS, PRE_COMMIT_HOME, TEMPLATE_DIR, bake, clean_env
from test_workflow import assert_pinned_to_current_releases, pinned_actions

SLUG_FOLDER = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
# What zizmor reads in a bake, as the template holds it.
LINTED = sorted(
    str(path.relative_to(SLUG_FOLDER))
    for path in [
        *(SLUG_FOLDER / ".github").rglob("*"),
        SLUG_FOLDER / ".pre-commit-config.yaml",
    ]
    if path.is_file()
)


def answers_read():
    """The answers the linted files read: all of them, those in Jinja blocks."""
    text = "".join((SLUG_FOLDER / path).read_text() for path in LINTED)
    blocks = "".join(re.findall(r"\{%.*?%\}", text, re.S))
    return [set(re.findall(r"cookiecutter\.(\w+)", part)) for part in (text, blocks)]


# Those that take one of a few values (the slug is free text, a value in the
# files). Read in a Jinja block, an answer shapes the files: every
# combination of those is baked. Only written out (`{{ ... }}`, the Python
# version), it is a value: each of its values is baked, in turn.
READ, SHAPING = (
    [key for key in [*CHOICES, *YES_NO] if key in read] for read in answers_read()
)
VALUES = [key for key in READ if key not in SHAPING]


def values_of(key):
    return CHOICES.get(key, [False, True])


COMBINATIONS = [
    dict(zip(SHAPING, shaping, strict=True))
    | {key: values_of(key)[index % len(values_of(key))] for key in VALUES}
    for index, shaping in enumerate(
        itertools.product(*(values_of(key) for key in SHAPING))
    )
]


def zizmor(*inputs, cwd=TEMPLATE_DIR):
    """The files zizmor --offline audits among these inputs; no finding allowed."""
    completed = subprocess.run(
        # Strict: an input it cannot read fails, rather than go unaudited.
        [str(DEV_TOOLS / "zizmor"), "--offline", "--strict-collection", *inputs],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    audited = re.findall(r"completed (\S+)", completed.stderr)
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, report
    assert "No findings to report" in completed.stdout, report
    return audited


def test_the_combinations_cover_every_answer_read():
    assert {"database", "users_database", "docker"} <= set(SHAPING)
    assert "python_version" in VALUES
    assert len(COMBINATIONS) == len({tuple(c.values()) for c in COMBINATIONS})
    for key in READ:
        assert {c[key] for c in COMBINATIONS} == set(values_of(key))
    assert ".github/workflows/ci.yml" in LINTED
    assert ".github/dependabot.yml" in LINTED


@pytest.mark.parametrize(
    "answers",
    COMBINATIONS,
    ids=["-".join(str(value) for value in c.values()) for c in COMBINATIONS],
)
def test_zizmor_finds_nothing_in_a_bake(cookies, answers):
    project = bake(cookies, init_git=False, **answers)
    audited = zizmor(".", cwd=project)
    assert sorted(path.removeprefix("./") for path in audited) == sorted(LINTED)


def hook_pin(config):
    (pin,) = [
        dependency
        for repo in yaml.safe_load(config.read_text())["repos"]
        for hook in repo["hooks"]
        if hook["id"] == "zizmor"
        for dependency in hook["additional_dependencies"]
    ]
    return pin


def test_the_hooks_run_the_zizmor_tested_here(cookies):
    project = bake(cookies, init_git=False)
    dev = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text())
    (pin,) = [
        line for line in dev["dependency-groups"]["dev"] if line.startswith("zizmor==")
    ]
    assert hook_pin(project / ".pre-commit-config.yaml") == pin
    assert hook_pin(TEMPLATE_DIR / ".pre-commit-config.yaml") == pin
    version = subprocess.run(
        [str(DEV_TOOLS / "zizmor"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[1]
    assert f"zizmor=={version}" == pin


@pytest.mark.xdist_group("pre-commit")
def test_the_hooks_tell_of_an_action_pinned_to_a_tag(cookies):
    # A user who edits a workflow hears of it at the next commit.
    project = bake(cookies, project_name="Tag Pinned")
    workflow = project / ".github/workflows/template-updates.yml"
    workflow.write_text(
        re.sub(r"(actions/checkout)@\S+ # (\S+)", r"\1@\2", workflow.read_text())
    )
    completed = subprocess.run(
        [str(DEV_TOOLS / "pre-commit"), "run", "zizmor", "--files", str(workflow)],
        cwd=project,
        env=clean_env(PRE_COMMIT_HOME=str(PRE_COMMIT_HOME)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode != 0, completed.stdout
    assert "unpinned-uses" in completed.stdout


def permissions_and_checkouts(workflow_text):
    workflow = yaml.safe_load(workflow_text)
    # Nothing for the workflow; each job says what it needs.
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"].values()
    checkouts = [
        step
        for job in jobs
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    return [job["permissions"] for job in jobs], checkouts


@pytest.mark.parametrize("engines", [("sqlite", "none"), ("postgresql", "mysql")])
def test_every_job_may_read_the_repository_and_nothing_more(cookies, engines):
    project = bake(
        cookies, init_git=False, database=engines[0], users_database=engines[1]
    )
    for workflow in (project / ".github/workflows").glob("*.yml"):
        permissions, checkouts = permissions_and_checkouts(workflow.read_text())
        assert permissions and all(p == {"contents": "read"} for p in permissions)
        # No step pushes: the token is not left in .git/config.
        assert checkouts
        assert all(step["with"]["persist-credentials"] is False for step in checkouts)


# The template repository's own CI.

OWN_WORKFLOWS = sorted((TEMPLATE_DIR / ".github/workflows").glob("*.yml"))


def test_the_template_workflows_pass_zizmor():
    audited = zizmor(".github", ".pre-commit-config.yaml")
    assert len(audited) == len(OWN_WORKFLOWS) + 2  # dependabot.yml, the hooks


def test_the_template_ci_runs_the_suite_on_both_servers():
    (job,) = yaml.safe_load((TEMPLATE_DIR / ".github/workflows/ci.yml").read_text())[
        "jobs"
    ].values()
    images = {name: service["image"] for name, service in job["services"].items()}
    assert sorted(image.split(":")[0] for image in images.values()) == [
        "mariadb",
        "postgres",
    ]
    # The tests reach each service by its name (tests/servers.py).
    for variable, engine in [
        ("EDMUNDS_TEMPLATE_POSTGRESQL_URL", "postgres"),
        ("EDMUNDS_TEMPLATE_MYSQL_URL", "mariadb"),
    ]:
        (name,) = [name for name, image in images.items() if image.startswith(engine)]
        assert f"@{name}:" in job["env"][variable]
    assert job["steps"][-1]["run"] == ".ci/run"
    for workflow in OWN_WORKFLOWS:
        permissions, checkouts = permissions_and_checkouts(workflow.read_text())
        assert all(p == {"contents": "read"} for p in permissions)
        assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_the_template_and_its_bakes_pin_the_same_commits(cookies):
    # Dependabot moves the template's own pins; the baked workflows hold
    # Jinja, which it cannot read: this fails until they are moved too.
    project = bake(cookies, init_git=False, database="postgresql")
    own = {
        pin
        for workflow in OWN_WORKFLOWS
        for pin in pinned_actions(workflow.read_text())
    }
    baked = {
        pin
        for workflow in (project / ".github/workflows").glob("*.yml")
        for pin in pinned_actions(workflow.read_text())
    }
    assert_pinned_to_current_releases(sorted(own))
    shared = {name for name, _, _ in own} & {name for name, _, _ in baked}
    assert shared
    assert {pin for pin in own if pin[0] in shared} == {
        pin for pin in baked if pin[0] in shared
    }
