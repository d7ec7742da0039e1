"""Every source of answers is checked the same way, and answers stay data.

Answers reach a bake from the prompts, from ``--no-input`` with extra
context, from a replay file and from cruft (``cruft create``, and the record
``cruft update`` bakes again from). Each bad answer is one ``ERROR:`` line,
exit status 1, no folder; no answer is ever run as code or as Jinja.
"""

import ast
import json
import os
import re
import shutil
import subprocess

import pytest

import template_answers

from conftest import DEV_TOOLS, TEMPLATE_DIR, bake, clean_env

# Each answer a replay file could hold to run code in a hook that rendered
# answers into Python (as `DOCKER = {{cookiecutter.docker}}` once did).
RUNS_CODE = "__import__('pathlib').Path('PWNED').write_text('ran')"
JINJA_RUNS_CODE = "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}"


class Place:
    """A folder with cookiecutter's and git's settings of its own."""

    def __init__(self, root):
        self.root = root
        self.output = root / "out"
        self.output.mkdir()
        config = root / "cookiecutter-config.yaml"
        config.write_text(
            f'cookiecutters_dir: "{root / "cookiecutters"}"\n'
            f'replay_dir: "{root / "replay"}"\n'
        )
        self.env = clean_env(
            COOKIECUTTER_CONFIG=str(config),
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="Answer Tests",
            GIT_AUTHOR_EMAIL="answer-tests@example.com",
            GIT_COMMITTER_NAME="Answer Tests",
            GIT_COMMITTER_EMAIL="answer-tests@example.com",
        )

    def run(self, tool, *args, stdin=None):
        return subprocess.run(
            [str(DEV_TOOLS / tool), *args],
            cwd=self.root,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def cookiecutter(self, *args, stdin=None):
        return self.run(
            "cookiecutter",
            "--output-dir",
            str(self.output),
            str(TEMPLATE_DIR),
            *args,
            stdin=stdin,
        )

    def replay(self, **changes):
        """A replay file: the answers of a default bake, with these changed."""
        answers = self.default_answers()
        answers.update(changes)
        path = self.root / "answers.json"
        path.write_text(json.dumps({"cookiecutter": answers}))
        return path

    def default_answers(self):
        made = self.cookiecutter("--no-input", "project_slug=replayed", "init_git=no")
        assert made.returncode == 0, made.stderr
        replayed = self.root / "replay" / f"{TEMPLATE_DIR.name}.json"
        shutil.rmtree(self.output / "replayed")
        return json.loads(replayed.read_text())["cookiecutter"]

    def made_nothing(self):
        return not list(self.output.iterdir()) and not list(self.root.rglob("PWNED"))


@pytest.fixture
def place(tmp_path):
    return Place(tmp_path)


def refused(completed):
    """The ERROR lines of a refused bake, which must be its only output."""
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
    return [line for line in completed.stderr.splitlines() if line.strip()]


# Prompts, one answer a line (an empty one takes the default): name, slug,
# description, author, email, version, docker, init_git, Python, database,
# users database.
def prompted(name="", slug="", python="", database="", users_database=""):
    return f"{name}\n{slug}\n\n\n\n\nn\nn\n{python}\n{database}\n{users_database}\n"


def test_at_the_prompts_a_bad_answer_is_one_line_before_any_file(place):
    completed = place.cookiecutter(stdin=prompted("Shop", "class"))

    assert refused(completed) == ["ERROR: project_slug 'class' is a Python keyword"]
    # Refused as soon as it was typed: the next prompt never came.
    assert "One-line description" not in completed.stdout
    assert place.made_nothing()


@pytest.mark.parametrize(
    ("answers", "error", "next_prompt"),
    [
        (
            {"python": "3.10"},
            "python_version is '3.10'; choose one of 3.11, 3.12, 3.13",
            "Engine of the default database",
        ),
        (
            {"database": "oracle"},
            "database is 'oracle'; choose one of sqlite, postgresql, mysql",
            "Engine of a second database",
        ),
        (
            {"users_database": "yes"},
            "users_database is 'yes'; choose one of none, sqlite, postgresql, mysql",
            None,
        ),
    ],
)
def test_at_the_prompts_a_choice_outside_the_list_is_refused_once_typed(
    place, answers, error, next_prompt
):
    completed = place.cookiecutter(stdin=prompted("Shop", **answers))

    assert refused(completed) == [f"ERROR: {error}"]
    if next_prompt is not None:
        assert next_prompt not in completed.stdout
    assert place.made_nothing()


def test_each_choice_prompt_lists_its_choices_and_offers_one_by_default():
    prompts = template_answers.DEFAULTS["__prompts__"]
    for key, choices in template_answers.CHOICES.items():
        listed = re.findall(r"\b[a-z0-9.]+\b", prompts[key].split(":", 1)[1])
        assert [word for word in listed if word in choices] == choices, key
        assert template_answers.DEFAULTS[key] in choices


def test_at_the_prompts_the_choices_typed_are_baked(place):
    completed = place.cookiecutter(
        stdin=prompted("Typed", "", "3.13", "postgresql", "mysql")
    )

    assert completed.returncode == 0, completed.stderr
    project = place.output / "typed"
    assert (project / ".python-version").read_text() == "3.13\n"
    dependencies = (project / "pyproject.toml").read_text()
    assert '"psycopg[binary]==' in dependencies and '"PyMySQL==' in dependencies
    answers = json.loads((project / ".cruft.json").read_text())["context"]
    assert {key: answers["cookiecutter"][key] for key in template_answers.CHOICES} == {
        "python_version": "3.13",
        "database": "postgresql",
        "users_database": "mysql",
    }


def test_at_the_prompts_a_name_gets_a_valid_slug_by_default(place):
    completed = place.cookiecutter(stdin=prompted("2048"))

    assert completed.returncode == 0, completed.stderr
    assert [path.name for path in place.output.iterdir()] == ["project_2048"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("project_slug=class", "project_slug 'class' is a Python keyword"),
        ("email=nope", "email 'nope' is not an email address"),
        (
            "project_slug=" + "a" * 256,
            "project_slug is 256 characters long; "
            "the project folder may have at most 255",
        ),
        (
            "database=oracle",
            "database is 'oracle'; choose one of sqlite, postgresql, mysql",
        ),
        (
            "python_version=3.10",
            "python_version is '3.10'; choose one of 3.11, 3.12, 3.13",
        ),
    ],
)
def test_with_no_input_a_bad_answer_is_one_line(place, answer, message):
    completed = place.cookiecutter("--no-input", answer)

    assert refused(completed) == [f"ERROR: {message}"]
    assert place.made_nothing()


def test_a_bad_choice_on_the_command_line_is_refused_at_its_prompt(place):
    # Without --no-input, the answer given on the command line is the
    # prompt's default: taken as it is, it is refused there.
    completed = place.cookiecutter("users_database=oracle", stdin=prompted("Shop"))

    assert refused(completed) == [
        "ERROR: users_database is 'oracle'; choose one of "
        "none, sqlite, postgresql, mysql"
    ]
    assert place.made_nothing()


def test_a_yes_no_answer_on_the_command_line_is_still_cookiecutters_own_check(place):
    # Cookiecutter converts a yes/no answer given on the command line itself,
    # before any code of the template runs: its own error (a ValueError) is
    # all it says (README, "The prompts").
    completed = place.cookiecutter("--no-input", "docker=maybe")

    assert completed.returncode != 0
    assert "maybe provided for variable docker" in completed.stderr
    assert place.made_nothing()


def test_a_replay_file_whose_answers_try_to_run_code_runs_nothing(place):
    replay = place.replay(
        docker=RUNS_CODE,
        init_git="yes",
        python_version="3.12; import os",
        description=7,
    )

    completed = place.cookiecutter("--replay-file", str(replay))

    assert refused(completed) == [
        "ERROR: description is 7; it must be text",
        f"ERROR: docker is {RUNS_CODE!r}; answer true or false",
        "ERROR: init_git is 'yes'; answer true or false",
        "ERROR: python_version is '3.12; import os'; choose one of "
        + ", ".join(template_answers.CHOICES["python_version"]),
    ]
    assert place.made_nothing()


def test_a_replay_file_answer_is_never_rendered(place):
    replay = place.replay(project_name=JINJA_RUNS_CODE, description="{{ 7*7 }}")

    completed = place.cookiecutter("--replay-file", str(replay))

    assert completed.returncode == 0, completed.stderr
    project = place.output / "replayed"
    assert config_name(project) == JINJA_RUNS_CODE
    assert "{{ 7*7 }}" in (project / "pyproject.toml").read_text()
    assert not list(place.root.rglob("PWNED"))


def config_name(project):
    tree = ast.parse((project / "config/app.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "name":
                    return ast.literal_eval(value)
    raise AssertionError("config/app.py has no APP name")


def test_cruft_create_refuses_a_bad_answer_in_one_line(place):
    completed = place.run(
        "cruft",
        "create",
        "--no-input",
        "--output-dir",
        str(place.output),
        "--extra-context",
        json.dumps({"project_slug": "import"}),
        str(TEMPLATE_DIR),
    )

    assert refused(completed) == ["ERROR: project_slug 'import' is a Python keyword"]
    assert place.made_nothing()


@pytest.mark.parametrize(
    "answers",
    [
        # The template's folder, and one of its files, by name.
        {"project_name": "{{cookiecutter.project_slug}}"},
        {"project_name": "{{cookiecutter.project_slug}}/config/app.py"},
        # The expression of the slug prompt, as another answer.
        {"description": "{{ cookiecutter.project_name | derived_slug }}"},
        {
            "project_name": "{{ cookiecutter.project_name | derived_slug }}",
            "project_slug": "named_like_the_expression",
        },
    ],
)
def test_an_answer_equal_to_one_of_the_templates_strings_stays_literal(
    cookies, answers
):
    project = bake(cookies, init_git=False, **answers)

    if "project_name" in answers:
        assert config_name(project) == answers["project_name"]
    else:
        metadata = (project / "pyproject.toml").read_text()
        assert f"description = {json.dumps(answers['description'])}" in metadata


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Shop Front", "shop_front"),
        ("2048", "project_2048"),
        ("1st Shop", "project_1st_shop"),
        ("Class", "class_project"),
        ("Match", "match_project"),
        ("Flask", "flask_project"),
        ("Tests", "tests_project"),
        ("App", "app_project"),
        ("!!!", "project"),
        ("Ünïcödé Shop", "unicode_shop"),
    ],
)
def test_a_name_whose_slug_would_be_invalid_gets_a_valid_default(cookies, name, slug):
    project = bake(cookies, project_name=name, init_git=False)

    assert project.name == slug


def test_a_long_name_gets_a_slug_that_fits_every_engine(cookies):
    name = "The Quite Extraordinarily Long Name Of A Shop That Sells Everything"
    project = bake(
        cookies,
        project_name=name,
        database="postgresql",
        users_database="mysql",
        init_git=False,
    )

    assert project.name.startswith("the_quite_extraordinarily_long_name")
    assert len(project.name) <= 49
    assert not project.name.endswith("_")


def test_an_old_cruft_record_with_a_bad_answer_is_refused_in_one_line(place):
    created = place.run(
        "cruft",
        "create",
        "--no-input",
        "--output-dir",
        str(place.output),
        "--extra-context",
        json.dumps({"project_slug": "recorded"}),
        str(TEMPLATE_DIR),
    )
    assert created.returncode == 0, created.stderr
    project = place.output / "recorded"
    record = json.loads((project / ".cruft.json").read_text())
    record["context"]["cookiecutter"]["email"] = "nope"
    (project / ".cruft.json").write_text(json.dumps(record))
    git = ["git", "-C", str(project)]
    subprocess.run([*git, "commit", "-qam", "An old record"], env=place.env, check=True)
    before = (project / ".cruft.json").read_text()

    # --refresh-private-variables: bake again even though nothing moved.
    completed = place.run(
        "cruft",
        "update",
        "-y",
        "--refresh-private-variables",
        "--project-dir",
        str(project),
    )

    assert refused(completed)[-1] == "ERROR: email 'nope' is not an email address"
    assert (project / ".cruft.json").read_text() == before
    status = subprocess.run(
        [*git, "status", "--porcelain"], capture_output=True, text=True
    )
    assert status.stdout == ""
