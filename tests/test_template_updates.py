"""A baked project takes in later versions of the template with cruft.

Each test makes a git repository of the template as it is on disk, bakes
from it, edits the project as its users would, commits a change to the
template and runs cruft non-interactively, as the READMEs say.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tomllib

import pytest
import yaml

import template_answers

from conftest import (
    DEV_TOOLS,
    TEMPLATE_DIR,
    clean_env,
    copy_template,
    project_python,
    run,
)

# git without the user's own settings (a signing or hook setting would change
# what the tests see); every commit, the hook's included, by this author.
GIT = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "template-tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "template-tests@example.com",
}

# What a later version of the template brings: a core module and its test.
NEW_CORE_MODULE = '''\
"""Arrived with a later version of the template."""


def template_generation():
    return 2
'''
NEW_CORE_TEST = """\
from edmunds.support.templategeneration import template_generation


def test_the_module_of_the_later_template_works():
    assert template_generation() == 2
"""

COMMENT_MODEL = """\
from edmunds.database.db import db


class Comment(db.Model):
    __tablename__ = "comments"

    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text, nullable=False)
"""

USER_README_LINE = "Kept by the shop team: this paragraph is ours."
TEMPLATE_README_LINE = "A later version of the template wrote this paragraph."
# A later template's own revision, after the template's head: the project's
# revisions, which start from that head too, then make a second head.
LATER_REVISION = """\
revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade(engine_name):
    pass


def downgrade(engine_name):
    pass
"""
TOOLING_LINE = ('addopts = "-q"', 'addopts = "-q -ra"')


class Workplace:
    """A folder with the template's git repository and the tools' settings."""

    def __init__(self, root):
        self.root = root
        self.template = root / "template"
        config = root / "cookiecutter-config.yaml"
        config.write_text(
            f'cookiecutters_dir: "{root / "cookiecutters"}"\n'
            f'replay_dir: "{root / "replay"}"\n'
        )
        # Nothing of the user's own cookiecutter or git settings gets in.
        self.env = clean_env(COOKIECUTTER_CONFIG=str(config), **GIT)
        copy_template(self.template)
        git(self.template, self.env, "init", "--quiet")
        self.commit_template("The template as it is")

    def project_file(self, name):
        """A file of the project as the template holds it."""
        return self.template / "{{cookiecutter.project_slug}}" / name

    def commit_template(self, message):
        git(self.template, self.env, "add", "--all")
        git(self.template, self.env, "commit", "--quiet", "--message", message)
        return git(self.template, self.env, "rev-parse", "HEAD").strip()

    def change_template(self, readme_line=None):
        """Commit a later version: a new core module and its test, a changed
        tooling line, a line added to the README (and its first line changed
        when asked), and changes where updates must never reach: the template's
        own storage/; and a revision of its own, as a later template adds one
        (a released revision is never edited)."""
        self.project_file("edmunds/support/templategeneration.py").write_text(
            NEW_CORE_MODULE
        )
        self.project_file("tests/test_templategeneration.py").write_text(NEW_CORE_TEST)
        pyproject = self.project_file("pyproject.toml")
        old, new = TOOLING_LINE
        assert old in pyproject.read_text(), f"the template lost {old!r}"
        pyproject.write_text(pyproject.read_text().replace(old, new))
        readme = self.project_file("README.md")
        text = readme.read_text()
        if readme_line is not None:
            title, rest = text.split("\n", 1)
            text = f"{title}{readme_line}\n{rest}"
        readme.write_text(f"{text}\n{TEMPLATE_README_LINE}\n")
        versions = self.project_file("migrations/versions")
        (head,) = {
            re.search(r"^revision = '(\w+)'", path.read_text(), re.M)[1]
            for path in versions.glob("*.py")
        } - {
            re.search(r"^down_revision = '(\w+)'", path.read_text(), re.M)[1]
            for path in versions.glob("*.py")
            if "down_revision = None" not in path.read_text()
        }
        (versions / "9999_later.py").write_text(LATER_REVISION.format(head=head))
        self.project_file("storage/logs/.gitkeep").parent.mkdir()
        self.project_file("storage/logs/.gitkeep").write_text("")
        return self.commit_template("A later version of the template")

    def cruft(self, cwd, *args, tool=DEV_TOOLS / "cruft", check=True):
        completed = subprocess.run(
            [str(tool), *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and completed.returncode != 0:
            pytest.fail(
                f"cruft {' '.join(args)} exited {completed.returncode}\n"
                f"--- stdout\n{completed.stdout}\n--- stderr\n{completed.stderr}"
            )
        return completed

    def create(self, project_name, *options, **answers):
        """`cruft create`, non-interactive, as the template README says."""
        context = json.dumps({"project_name": project_name, **answers})
        output = self.root / "projects"
        self.cruft(
            self.root,
            "create",
            "--no-input",
            "--output-dir",
            str(output),
            "--extra-context",
            context,
            *options,
            str(self.template),
        )
        (project,) = [path for path in output.iterdir() if path.is_dir()]
        return project


def git(cwd, env, *args):
    completed = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert completed.returncode == 0, f"git {' '.join(args)}: {completed.stderr}"
    return completed.stdout


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def unmerged(project, env):
    return git(project, env, "diff", "--name-only", "--diff-filter=U").split()


def leftovers(project):
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*.rej")
        if ".git" not in path.relative_to(project).parts
    )


def cruft_state(project):
    return json.loads((project / ".cruft.json").read_text())


def secret_key(project):
    text = (project / ".env.py").read_text()
    (key,) = re.findall(r'^SECRET_KEY = "(.+)"$', text, re.M)
    return key


def cruft_pin():
    """The cruft the template's tests run: the one baked projects run too."""
    dev = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text())
    (pin,) = [
        line for line in dev["dependency-groups"]["dev"] if line.startswith("cruft==")
    ]
    return pin.removeprefix("cruft==")


def test_the_project_runs_the_cruft_the_template_tests(cookies):
    project = cookies.bake(extra_context={"init_git": False}).project_path
    runs = re.findall(
        r"(?:uvx cruft@|pipx run cruft==)([\w.]+)",
        (project / "docs/updates.md").read_text()
        + (project / ".github/workflows/template-updates.yml").read_text(),
    )
    assert runs and set(runs) == {cruft_pin()}
    # Run now and then, not installed into every environment.
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    listed = pyproject["project"]["dependencies"] + [
        line for group in pyproject["dependency-groups"].values() for line in group
    ]
    assert not [line for line in listed if line.lower().startswith("cruft")]


# The whole journey of the issue: bake, work, update, check.


# For the worker's whole session: xdist may run another module's test between
# two of these, which would end a module-scoped journey and start it again.
@pytest.fixture(scope="session")
def journey(tmp_path_factory):
    place = Workplace(tmp_path_factory.mktemp("journey"))
    project = place.create("Kept Edits")
    env = place.env
    facts = {"place": place, "project": project}
    facts["status after create"] = git(project, env, "status", "--porcelain")
    facts["first commit"] = git(project, env, "show", "--stat", "--format=%s", "HEAD")

    python = project_python(project)
    facts["python"] = python
    manage = ["manage.py", "db"]
    run(project, python, *manage, "upgrade")
    (project / "app/database/models/comment.py").write_text(COMMENT_MODEL)
    config = project / "config/app.py"
    config.write_text(
        config.read_text()
        .replace(
            "from app.database.models.tag import Tag\n",
            "from app.database.models.comment import Comment\n"
            "from app.database.models.tag import Tag\n",
        )
        .replace("UserTags,\n", "UserTags,\n            Comment,\n")
    )
    run(project, python, *manage, "migrate", "-m", "Add comments")
    run(project, python, *manage, "upgrade")
    readme = project / "README.md"
    title, rest = readme.read_text().split("\n", 1)
    readme.write_text(f"{title}\n\n{USER_README_LINE}\n{rest}")
    git(project, env, "add", "--all")
    git(project, env, "commit", "--quiet", "--message", "Comments, and our README")

    facts["revisions"] = tree_digest(project / "migrations/versions")
    facts["env file"] = (project / ".env.py").read_bytes()
    facts["storage"] = tree_digest(project / "storage")
    facts["diff"] = place.cruft(project, "diff").stdout

    facts["commit"] = place.change_template()
    facts["check before"] = place.cruft(project, "check", check=False)
    facts["update"] = place.cruft(project, "update", "-y")
    # Snapshot before anything else runs: the tests write to storage/.
    facts["storage after"] = tree_digest(project / "storage")
    facts["check after"] = place.cruft(project, "check", check=False)
    return facts


journey_test = pytest.mark.xdist_group("template-updates-journey")


@journey_test
def test_cruft_create_leaves_a_clean_tree_with_the_record_committed(journey):
    # The bake wrote .cruft.json into its first commit; cruft wrote it again
    # after the hooks, byte for byte the same.
    assert journey["status after create"] == ""
    assert " .cruft.json " in journey["first commit"]


@journey_test
def test_the_record_holds_answers_and_commit_but_no_secret(journey):
    project = journey["project"]
    state = cruft_state(project)
    assert state["template"] == str(journey["place"].template)
    assert state["commit"] == journey["commit"]
    assert state["context"]["cookiecutter"]["project_name"] == "Kept Edits"
    assert secret_key(project) not in (project / ".cruft.json").read_text()
    tracked = git(project, journey["place"].env, "ls-files").split()
    assert ".cruft.json" in tracked and ".env.py" not in tracked


@journey_test
def test_cruft_diff_shows_the_users_edits_and_never_the_secrets(journey):
    diff = journey["diff"]
    # A patch and nothing else: the hooks cruft runs again keep off stdout.
    assert diff.startswith("diff --git ")
    assert "upstream-template-new/README.md" in diff
    assert USER_README_LINE in diff
    assert "upstream-template-new/config/app.py" in diff
    headers = [line for line in diff.splitlines() if line.startswith("diff --git ")]
    for never in ("/.env.py", "/storage/", "/migrations/versions/", "/.git/"):
        assert not [header for header in headers if never in header]
    assert secret_key(journey["project"]) not in diff


@journey_test
def test_cruft_check_tells_behind_then_up_to_date(journey):
    before, after = journey["check before"], journey["check after"]
    assert before.returncode == 1 and "out of date" in before.stdout
    assert after.returncode == 0 and "up to date" in after.stdout


@journey_test
def test_the_template_change_arrives_without_conflict(journey):
    project = journey["project"]
    output = journey["update"].stdout + journey["update"].stderr
    assert "Good work!" in output and "conflict" not in output
    assert (
        project / "edmunds/support/templategeneration.py"
    ).read_text() == NEW_CORE_MODULE
    assert (project / "tests/test_templategeneration.py").read_text() == NEW_CORE_TEST
    assert TOOLING_LINE[1] in (project / "pyproject.toml").read_text()
    assert TEMPLATE_README_LINE in (project / "README.md").read_text()
    assert leftovers(project) == []
    assert unmerged(project, journey["place"].env) == []


@journey_test
def test_the_users_edits_survive(journey):
    project = journey["project"]
    assert USER_README_LINE in (project / "README.md").read_text()
    assert (project / "app/database/models/comment.py").read_text() == COMMENT_MODEL
    assert "            Comment,\n" in (project / "config/app.py").read_text()
    # Every revision kept as it was; the later template's own one added.
    later = project / "migrations/versions/9999_later.py"
    assert later.read_text().startswith('revision = "9999"')
    later_text = later.read_text()
    later.unlink()
    try:
        assert tree_digest(project / "migrations/versions") == journey["revisions"]
    finally:
        later.write_text(later_text)
    assert any(
        "add_comments" in path.name
        for path in (project / "migrations/versions").glob("*.py")
    )


@journey_test
def test_bake_time_values_and_app_data_are_untouched(journey):
    project = journey["project"]
    assert (project / ".env.py").read_bytes() == journey["env file"]
    assert journey["storage after"] == journey["storage"]


@journey_test
def test_the_updated_project_passes_its_tests_and_db_check(journey):
    project, python = journey["project"], journey["python"]
    completed = run(project, python, "-m", "pytest", "-p", "no:cacheprovider")
    assert re.search(r"\b\d+ passed\b", completed.stdout)
    assert "failed" not in completed.stdout and "error" not in completed.stdout
    collected = run(
        project, python, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only"
    ).stdout
    assert "test_the_module_of_the_later_template_works" in collected

    # Two heads now, the template's and the project's: docs/updates.md's
    # three commands.
    run(project, python, "manage.py", "db", "upgrade")
    refused = run(project, python, "manage.py", "db", "check", check=False)
    assert refused.returncode != 0 and "db merge heads" in refused.stderr
    merge = ["db", "merge", "heads", "-m", "Join the template's revisions"]
    run(project, python, "manage.py", *merge)
    run(project, python, "manage.py", "db", "upgrade")
    run(project, python, "manage.py", "db", "check")


# Other ways into cruft: no git at bake time, a plain cookiecutter bake.


def test_without_init_git_the_first_commit_takes_the_record(tmp_path):
    place = Workplace(tmp_path)
    project = place.create("No Git Yet", init_git=False)
    assert not (project / ".git").exists()
    env = place.env
    # README.md: a project without init_git starts its own history.
    git(project, env, "init", "--quiet")
    git(project, env, "add", "--all")
    git(project, env, "commit", "--quiet", "--message", "Bake")
    tracked = git(project, env, "ls-files").split()
    assert ".cruft.json" in tracked and ".env.py" not in tracked
    env_file = (project / ".env.py").read_bytes()

    place.change_template()
    place.cruft(project, "update", "-y")

    assert (project / "edmunds/support/templategeneration.py").is_file()
    assert (project / ".env.py").read_bytes() == env_file
    assert leftovers(project) == [] and unmerged(project, env) == []


def test_a_plain_cookiecutter_bake_is_updatable_as_it_stands(tmp_path):
    place = Workplace(tmp_path)
    baked_from = git(place.template, place.env, "rev-parse", "HEAD").strip()
    completed = subprocess.run(
        [
            str(DEV_TOOLS / "cookiecutter"),
            "--no-input",
            "--output-dir",
            str(tmp_path / "projects"),
            str(place.template),
            "project_name=Updatable Later",
            "docker=yes",
        ],
        cwd=tmp_path,
        env=place.env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    project = tmp_path / "projects" / "updatable_later"
    env_file = (project / ".env.py").read_bytes()
    state = cruft_state(project)
    assert state["template"] == str(place.template)
    assert state["commit"] == baked_from
    answers = state["context"]["cookiecutter"]
    assert answers["project_name"] == "Updatable Later" and answers["docker"] is True
    # Nothing of this machine or this run: cruft's own record has none.
    assert not {"_output_dir", "_repo_dir", "_checkout"} & set(answers)
    assert secret_key(project) not in (project / ".cruft.json").read_text()
    assert ".cruft.json" in git(project, place.env, "ls-files").split()
    assert git(project, place.env, "status", "--porcelain") == ""

    # No `cruft link`, no answer typed again: check and update work at once.
    current = place.cruft(project, "check", check=False)
    assert current.returncode == 0 and "up to date" in current.stdout
    place.change_template()
    assert place.cruft(project, "check", check=False).returncode == 1
    place.cruft(project, "update", "-y")

    assert (
        project / "edmunds/support/templategeneration.py"
    ).read_text() == NEW_CORE_MODULE
    assert TOOLING_LINE[1] in (project / "pyproject.toml").read_text()
    assert (project / "Dockerfile").is_file()  # the answers came along
    assert (project / ".env.py").read_bytes() == env_file
    assert leftovers(project) == [] and unmerged(project, place.env) == []
    assert place.cruft(project, "check", check=False).returncode == 0


def test_cruft_create_at_a_checkout_also_leaves_a_clean_tree(tmp_path):
    place = Workplace(tmp_path)
    git(place.template, place.env, "tag", "v1")
    place.change_template()  # the tag is behind the branch's head

    project = place.create("Pinned Release", "--checkout", "v1")

    assert git(project, place.env, "status", "--porcelain") == ""
    state = cruft_state(project)
    assert state["checkout"] == "v1"
    assert state["commit"] == git(place.template, place.env, "rev-parse", "v1").strip()
    assert not (project / "edmunds/support/templategeneration.py").exists()


def test_a_project_baked_when_the_choices_were_lists_updates(tmp_path):
    # Earlier versions made python_version, database and users_database
    # cookiecutter choice lists, asked before docker and init_git; their
    # records hold the chosen values, as text.
    place = Workplace(tmp_path)
    settings = place.template / "cookiecutter.json"
    current = settings.read_text()
    answers = json.loads(current)
    earlier = {}
    for key, value in answers.items():
        if key in template_answers.CHOICES:
            continue
        if key == "docker":
            for choice, options in template_answers.CHOICES.items():
                earlier[choice] = [answers[choice]] + [
                    option for option in options if option != answers[choice]
                ]
        earlier[key] = value
    for choice, options in template_answers.CHOICES.items():
        earlier["__prompts__"][choice] = {"__prompt__": choice} | {
            option: option for option in options
        }
    settings.write_text(json.dumps(earlier, indent=2))
    place.commit_template("Choices as lists")
    project = place.create(
        "Listed Choices", python_version="3.13", users_database="sqlite"
    )
    settings.write_text(current)
    place.commit_template("Choices as text")

    place.cruft(project, "update", "-y")

    recorded = cruft_state(project)["context"]["cookiecutter"]
    assert (recorded["python_version"], recorded["users_database"]) == (
        "3.13",
        "sqlite",
    )
    assert (project / ".python-version").read_text() == "3.13\n"
    assert "users_database" in (project / "config/app.py").read_text()
    assert leftovers(project) == [] and unmerged(project, place.env) == []
    assert place.cruft(project, "check", check=False).returncode == 0


# A template change that meets a user's edit of the same line.


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "no-git"])
def test_a_conflicting_change_is_reported_not_lost(tmp_path, in_git):
    place = Workplace(tmp_path)
    project = place.create("Both Edit", init_git=in_git)
    env = place.env
    readme = project / "README.md"
    title, rest = readme.read_text().split("\n", 1)
    readme.write_text(f"{title}, our way\n{rest}")
    if in_git:
        git(project, env, "commit", "--quiet", "--all", "--message", "Our title")

    place.change_template(readme_line=" (a later template)")
    completed = place.cruft(project, "update", "-y")
    output = completed.stdout + completed.stderr

    text = readme.read_text()
    assert "# Both Edit, our way\n" in text
    if in_git:
        # git's three-way merge: markers in the file, the file unmerged.
        assert "README.md" in output and "with conflicts" in output
        assert unmerged(project, env) == ["README.md"]
        assert "<<<<<<<" in text and "# Both Edit (a later template)" in text
    else:
        # Outside git, cruft falls back to rejects beside the file.
        assert "*.rej" in output
        assert leftovers(project) == ["README.md.rej"]
        rejected = (project / "README.md.rej").read_text()
        assert "+# Both Edit (a later template)" in rejected
    # What did not conflict arrived all the same.
    assert (project / "edmunds/support/templategeneration.py").is_file()
    assert TEMPLATE_README_LINE in text


# The baked CI's optional step.


def step_scripts(project):
    """The `run:` scripts of the template-updates job, and the job itself."""
    workflow = yaml.safe_load(
        (project / ".github/workflows/template-updates.yml").read_text()
    )
    (job,) = workflow["jobs"].values()
    return job, [step["run"] for step in job["steps"] if "run" in step]


def run_step(project, place, script, tools=DEV_TOOLS):
    # As GitHub runs a `run:` step; `tools` stands for what is installed.
    script_file = project.parent / "step.sh"
    script_file.write_text(script)
    env = dict(place.env, PATH=f"{tools}:{place.env['PATH']}")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def uvx_stand_in(folder):
    """`uvx` that runs the template's own cruft, and only at the pinned version.

    The job's runner gets uv from setup-uv; here, without a download, uvx's
    part is played by the cruft the template's tests use.
    """
    folder.mkdir()
    (folder / "uvx").write_text(
        "#!/bin/sh\n"
        f'[ "$1" = "cruft@{cruft_pin()}" ] || {{ echo "uvx $1" >&2; exit 9; }}\n'
        f'shift\nexec "{DEV_TOOLS / "cruft"}" "$@"\n'
    )
    (folder / "uvx").chmod(0o755)
    return folder


def test_the_ci_job_sets_up_uv_and_never_installs_cruft(tmp_path):
    place = Workplace(tmp_path)
    project = place.create("Pinned", init_git=False)
    job, scripts = step_scripts(project)
    assert job["continue-on-error"] is True
    (setup,) = [step for step in job["steps"] if "setup-uv" in step.get("uses", "")]
    assert setup["with"]["python-version"]
    # One step: the check, through uvx.
    assert len(scripts) == 1 and f"uvx cruft@{cruft_pin()} check" in scripts[0]
    assert "pip install" not in "".join(scripts)


def test_the_ci_step_warns_when_behind_and_never_fails(tmp_path):
    place = Workplace(tmp_path)
    project = place.create("Watched")
    _, (script,) = step_scripts(project)
    tools = uvx_stand_in(tmp_path / "tools")

    current = run_step(project, place, script, tools=tools)
    assert current.returncode == 0 and "::warning" not in current.stdout
    assert "up to date" in current.stdout

    place.change_template()
    behind = run_step(project, place, script, tools=tools)
    assert behind.returncode == 0
    assert "::warning title=Template updates::The template has moved on" in (
        behind.stdout
    )

    shutil.rmtree(place.template)
    unreachable = run_step(project, place, script, tools=tools)
    assert unreachable.returncode == 0
    assert "::warning title=Template updates::cruft check could not" in (
        unreachable.stdout
    )

    (project / ".cruft.json").unlink()
    unlinked = run_step(project, place, script, tools=tools)
    assert unlinked.returncode == 0 and "::notice" in unlinked.stdout
