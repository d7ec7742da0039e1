"""Free-text answers land intact in every file, or are refused clearly."""

import ast
import json
import re
import tomllib
import unicodedata

import pytest
import yaml
from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import (
    TEMPLATE_DIR,
    assert_ruff_passes,
    clean_env,
    project_python,
    run,
)

pytestmark = pytest.mark.xdist_group("free-text")

NASTY = [
    '"',
    "'",
    "\\",
    "{{ 7*7 }}",
    "{% if true %}x{% endif %}",
    "{# c #}",
    "}}",
    "{%",
    "${x}",
    "é",
    "ß",
    "日本",
    "😀",
    "👩‍💻",
    "*",
    "_",
    "#",
    "<b>",
    "&amp;",
    "|",
    "`",
    "[x](y)",
    "- ",
    "1. ",
    "%(x)s",
]
printable = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=5)
one_line = st.lists(st.one_of(st.sampled_from(NASTY), printable), max_size=6).map(
    "".join
)
# Now and then a newline or a control character, which must be refused; mostly
# text that must be baked.
broken = st.tuples(one_line, st.sampled_from(["\n", "\r\n", "\t", "\x00"]), one_line)
free_text = st.one_of(one_line, one_line, one_line, one_line, broken.map("".join))


def refusable(text, limit):
    return len(text) > limit or any(
        unicodedata.category(char) in {"Cc", "Zl", "Zp", "Cs"} for char in text
    )


def markdown_unescaped(line):
    return re.sub(r"\\(.)", r"\1", line)


def app_name(config_source):
    for node in ast.walk(ast.parse(config_source)):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "name":
                    return ast.literal_eval(value)
    raise AssertionError("config/app.py has no APP name")


@pytest.fixture(scope="module")
def venv_python(cookies_session):
    result = cookies_session.bake()
    return project_python(result.project_path)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=free_text.filter(str.strip), description=free_text, author=free_text)
def test_free_text_is_kept_as_typed_or_refused(
    cookies_session, venv_python, name, description, author
):
    result = cookies_session.bake(
        extra_context={
            "project_name": name,
            "project_slug": "free_text",
            "description": description,
            "author_name": author,
        }
    )
    event("refused" if result.exception else "baked")
    if result.exception is not None:
        # Refused before the folder is made (local_extensions.AnswerRules).
        assert isinstance(result.exception, SystemExit)
        assert result.exit_code == 1
        assert (
            not name.strip()
            or refusable(name, 100)
            or refusable(description, 300)
            or refusable(author, 100)
        ), f"refused although valid: {name!r} {description!r} {author!r}"
        return
    project = result.project_path

    assert app_name((project / "config/app.py").read_text()) == name
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["description"] == description
    assert metadata["authors"][0]["name"] == author
    readme = (project / "README.md").read_text().splitlines()
    assert markdown_unescaped(readme[0]) == f"# {' '.join(name.split())}"
    assert markdown_unescaped(readme[2]) == " ".join(description.split())
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        yaml.safe_load(path.read_text())
    for path in project.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    assert_ruff_passes(project)
    boot = run(
        project,
        venv_python,
        "-c",
        "from bootstrap.app import bootstrap; "
        "import sys; sys.stdout.buffer.write(bootstrap().config('app.name').encode())",
        env=clean_env(APP_ENV="testing"),
    )
    assert boot.stdout == name


def bake_refused(cookies, capfd, **answers):
    result = cookies.bake(extra_context=answers)
    assert result.exit_code != 0
    return [line for line in capfd.readouterr().err.splitlines() if "ERROR:" in line]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "  ", "project_slug": "blank"}, "project_name is empty"),
        (
            {"project_name": "A\nB", "project_slug": "a_b"},
            "project_name must be one line of text",
        ),
        ({"description": "x" * 301}, "description is 301 characters long; at most 300"),
        ({"author_name": "Tab\there"}, "author_name must be one line of text"),
        ({"email": "not-an-email"}, "email 'not-an-email' is not an email address"),
        ({"email": "a@b"}, "email 'a@b' is not an email address"),
        ({"version": "one"}, "version 'one' is not a release version"),
        ({"version": "1.0-beta"}, "version '1.0-beta' is not a release version"),
    ],
)
def test_each_bad_answer_is_refused_with_its_line(
    cookies, capfd, tmp_path, answers, message
):
    errors = bake_refused(cookies, capfd, **answers)

    assert len(errors) == 1 and message in errors[0], errors
    assert not any(path.is_file() for path in (tmp_path / "cookies").rglob("*"))


def test_every_problem_gets_its_own_line(cookies, capfd):
    errors = bake_refused(
        cookies, capfd, project_slug="Bad-Slug", email="nope", version="x"
    )
    assert len(errors) == 3


@pytest.mark.parametrize(
    ("prompt", "answer", "choices"),
    [
        ("python_version", "2.7", "3.11, 3.12, 3.13"),
        # Past its end of life: no longer offered, and no lock is shipped for it.
        ("python_version", "3.10", "3.11, 3.12, 3.13"),
        ("database", "oracle", "sqlite, postgresql, mysql"),
        ("users_database", "oracle", "none, sqlite, postgresql, mysql"),
    ],
)
def test_a_choice_outside_the_template_is_refused(
    cookies, tmp_path, capfd, prompt, answer, choices
):
    # A replay file (or an old answers file) skips cookiecutter's own check.
    answers = cookies.bake().context
    answers[prompt] = answer
    replay = tmp_path / "replay.json"
    replay.write_text(json.dumps({"cookiecutter": answers}))
    output = tmp_path / "out"
    output.mkdir()

    with pytest.raises(SystemExit) as refusal:
        cookiecutter(str(TEMPLATE_DIR), replay=str(replay), output_dir=str(output))

    assert refusal.value.code == 1

    errors = [line for line in capfd.readouterr().err.splitlines() if "ERROR:" in line]
    assert errors == [f"ERROR: {prompt} is {answer!r}; choose one of {choices}"]
    assert list(output.iterdir()) == []
