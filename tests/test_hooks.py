"""The hooks: refusals before anything is written, secrets after."""

import re
import subprocess
import sys

import pytest
from cookiecutter.main import cookiecutter

from conftest import DEV_TOOLS, TEMPLATE_DIR, bake, copy_template, render


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("1st_app", "is not a Python identifier"),
        ("my-app", "is not a Python identifier"),
        ("my app", "is not a Python identifier"),
        ("café", "is not a Python identifier"),
        ("MyApp", "must be lower case"),
        ("class", "is a Python keyword"),
        ("match", "is a Python keyword"),
        ("flask", "would shadow a package"),
        ("app", "would shadow a package"),
        ("config", "would shadow a package"),
        ("edmunds", "would shadow a package"),
        ("bootstrap", "would shadow a package"),
        ("migrations", "would shadow a package"),
        ("tests", "would shadow a package"),
        ("sqlalchemy", "would shadow a package"),
    ],
)
def test_an_invalid_slug_is_refused_and_leaves_nothing(
    cookies, capfd, tmp_path, slug, message
):
    result = cookies.bake(extra_context={"project_slug": slug})

    assert result.exit_code != 0
    errors = [line for line in capfd.readouterr().err.splitlines() if "ERROR" in line]
    assert len(errors) == 1
    assert f"ERROR: project_slug {slug!r} " in errors[0] and message in errors[0]
    leftovers = [path for path in (tmp_path / "cookies").rglob("*")]
    assert all(path.is_dir() and not any(path.iterdir()) for path in leftovers)


def test_the_slug_derives_from_the_name(cookies):
    project = bake(cookies, project_name="Shop Front-2 Café")
    assert project.name == "shop_front_2_cafe"


def secret_key(project):
    match = re.search(
        r'^SECRET_KEY = "([A-Za-z0-9_-]+)"$', (project / ".env.py").read_text(), re.M
    )
    assert match, ".env.py holds no SECRET_KEY"
    return match.group(1)


def test_each_bake_gets_its_own_secret_key(cookies):
    first = secret_key(bake(cookies, project_name="First"))
    second = secret_key(bake(cookies, project_name="Second"))

    assert len(first) >= 64  # 48 random bytes, base64
    assert first != second


def test_the_secret_stays_out_of_git(cookies):
    project = bake(cookies)  # init_git on: the bake is committed
    key = secret_key(project)

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=project, capture_output=True, text=True, check=True
        ).stdout

    assert ".env.py" not in git("ls-files").splitlines()
    # In no file of any commit, nor in any commit message.
    assert key not in git("log", "--all", "--patch", "--format=%B")
    tracked = [project / name for name in git("ls-files").splitlines()]
    assert tracked and not any(key in path.read_text() for path in tracked)


@pytest.mark.parametrize("hook", ["pre_gen_project.py", "post_gen_project.py"])
@pytest.mark.parametrize(
    "answers",
    [{}, {"docker": True, "init_git": False, "author_name": 'Ada "Quoted" L'}],
)
def test_the_rendered_hooks_pass_ruff_check(hook, answers):
    # The hooks are Jinja templates: lint them as cookiecutter renders them.
    rendered = render(f"hooks/{hook}", **answers)

    # Lint only: rendered answers make long lines and change the quoting the
    # formatter prefers, which is no fault of the hook.
    completed = subprocess.run(
        [str(DEV_TOOLS / "ruff"), "check", "--extend-ignore", "E501"]
        + ["--stdin-filename", hook, "-"],
        input=rendered,
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"docker": "yes"}, "ERROR: docker is 'yes'; answer true or false"),
        ({"project_slug": "class"}, "ERROR: project_slug 'class' is a Python keyword"),
        (
            {"database": "oracle"},
            "ERROR: database is 'oracle'; choose one of sqlite, postgresql, mysql",
        ),
    ],
)
def test_the_pre_gen_hook_refuses_on_its_own(tmp_path, answers, error):
    # The Jinja extension refuses first where cookiecutter lets it; the hook
    # is the check every source of answers reaches.
    hook = tmp_path / "pre_gen_project.py"
    hook.write_text(render("hooks/pre_gen_project.py", **answers))
    folder = tmp_path / "project"
    folder.mkdir()

    completed = subprocess.run(
        [sys.executable, str(hook)], cwd=folder, capture_output=True, text=True
    )

    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [error]
    assert list(folder.iterdir()) == []


def test_a_bake_leaves_the_templates_tool_caches_behind(tmp_path):
    # A developer's checkout holds the caches of the tools run on the
    # template's files, with the template's own paths in them; cookiecutter
    # copies whatever it finds, rendered or, under edmunds/, as it is.
    template = copy_template(tmp_path / "template")
    project = template / "{{cookiecutter.project_slug}}"
    caches = [
        ".ruff_cache",
        "edmunds/.ruff_cache",
        "app/__pycache__",
        ".pytest_cache",
    ]
    for cache in caches:
        (project / cache / "v").mkdir(parents=True)
        (project / cache / "v" / "f").write_text(
            "{{cookiecutter.project_slug}}/edmunds/application.py"
        )

    baked = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(template)]
        + ["-o", str(tmp_path / "out"), "init_git=False"],
        # Not from the repository's root, whose local_extensions.py would be
        # imported before the copy's.
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert baked.returncode == 0, baked.stderr
    out = tmp_path / "out" / "my_edmunds_app"
    assert [cache for cache in caches if (out / cache).exists()] == []
    assert (out / "config" / "app.py").is_file()
    assert (out / "app" / "__init__.py").is_file()


def test_a_template_file_edited_between_bakes_is_rendered_anew(tmp_path):
    # The suite keeps Jinja's compiled templates for the next bake
    # (tests/conftest.py): an edit of the same size must still reach it.
    template = copy_template(tmp_path / "template")
    readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    source = readme.read_text()
    assert " the " in source
    rendered = []
    for number, text in enumerate((source, source.replace(" the ", " THE ", 1))):
        readme.write_text(text)
        output = tmp_path / f"out{number}"
        cookiecutter(
            str(template),
            no_input=True,
            output_dir=str(output),
            extra_context={"init_git": False},
        )
        rendered.append((output / "my_edmunds_app" / "README.md").read_text())

    assert " THE " not in rendered[0] and " THE " in rendered[1]
    assert rendered[1].replace(" THE ", " the ") == rendered[0]
