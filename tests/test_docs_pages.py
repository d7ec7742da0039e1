"""A start that fits a screen: the READMEs open with what a newcomer runs.

The baked README is at most 250 lines for every combination of the answers
it reads (rendered, without baking); the rest lives in the bake's docs/,
and every page it links to, and every page those link to, is a file the
bake has. The template's own README opens with the bake and test commands
and how to get uv into the shell the baked README's commands run in.
"""

import itertools
import re

import pytest

from template_answers import CHOICES

from conftest import TEMPLATE_DIR, bake, render

PROJECT = "{{cookiecutter.project_slug}}"
MAX_README_LINES = 250
# The answers the README and the pages may read. Free text (name, slug,
# description) is one line whatever it holds; a page that reads another
# answer must be rendered for each of its values too.
VARIED = ["docker", "python_version", "database", "users_database"]
FREE_TEXT = {"project_name", "project_slug", "description"}
COMBINATIONS = [
    dict(zip(VARIED, values, strict=True))
    for values in itertools.product(
        (False, True),
        CHOICES["python_version"],
        CHOICES["database"],
        CHOICES["users_database"],
    )
]


def pages():
    """The README and every page of docs/, as paths inside the bake."""
    docs = sorted((TEMPLATE_DIR / PROJECT / "docs").glob("*.md"))
    return ["README.md"] + [f"docs/{page.name}" for page in docs]


def links(text, page):
    """The files a page points at, as paths inside the bake.

    Markdown links that are no URL and no anchor, and paths under docs/
    named in code, as the README names its pages.
    """
    folder = page.rpartition("/")[0]
    targets = set()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if "://" in target or target.startswith(("#", "mailto:")):
            continue
        path = target.split("#")[0]
        parts = [*folder.split("/"), *path.split("/")] if folder else path.split("/")
        resolved = []
        for part in parts:
            if part == "..":
                resolved.pop()
            elif part not in ("", "."):
                resolved.append(part)
        targets.add("/".join(resolved) + ("/" if path.endswith("/") else ""))
    if page == "README.md":
        targets |= set(re.findall(r"`(docs/[\w./-]*)`", text))
    return targets


def test_the_pages_read_no_answer_the_combinations_leave_out():
    read = set()
    for page in pages():
        source = (TEMPLATE_DIR / PROJECT / page).read_text()
        read |= set(re.findall(r"cookiecutter\.(\w+)", source))
    assert read <= set(VARIED) | FREE_TEXT, read - set(VARIED) - FREE_TEXT


@pytest.mark.parametrize(
    "answers",
    COMBINATIONS,
    ids=[
        "-".join(str(value) for value in answers.values()) for answers in COMBINATIONS
    ],
)
def test_the_readme_fits_and_links_only_pages_the_template_has(answers):
    template = TEMPLATE_DIR / PROJECT
    for page in pages():
        text = render(f"{PROJECT}/{page}", **answers)
        lines = text.splitlines()
        if page == "README.md":
            assert len(lines) <= MAX_README_LINES, (
                f"README.md is {len(lines)} lines: move the rest into docs/"
            )
            assert "## Get it running" in lines and "## Day one" in lines
            assert {link for link in links(text, page) if link.startswith("docs/")}
        for target in links(text, page):
            assert (template / target).exists(), f"{page} links {target}"
        # As the bake's hooks want them (trailing-whitespace, end-of-file).
        assert [line for line in lines if line != line.rstrip()] == [], page
        assert text.endswith("\n") and not text.endswith("\n\n"), page
        assert "{{" not in text and "{%" not in text, page


@pytest.mark.parametrize("docker", [False, True], ids=["docker-no", "docker-yes"])
def test_every_linked_page_is_in_the_bake(cookies, docker):
    project = bake(cookies, docker=docker, init_git=False)
    readme = (project / "README.md").read_text()
    assert len(readme.splitlines()) <= MAX_README_LINES
    linked = links(readme, "README.md")
    for page in sorted(project.glob("docs/*.md")):
        linked |= links(page.read_text(), f"docs/{page.name}")
    assert "docs/deployment.md" in linked and "docs/migrations.md" in linked
    for target in linked:
        assert (project / target).exists(), target
    # Every page is linked from the README: none is left for nobody to find.
    assert {f"docs/{page.name}" for page in project.glob("docs/*.md")} <= linked


def test_the_template_readme_opens_with_the_two_commands():
    start = "\n".join((TEMPLATE_DIR / "README.md").read_text().splitlines()[:30])
    (block,) = re.findall(r"^```bash\n(.*?)^```", start, re.M | re.S)
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    assert commands == ["scripts/bake.sh", "scripts/test.sh"]
    # uv for the baked README's commands: the line bake.sh prints where the
    # shell has none (scripts/bake.sh), or an install.
    assert 'export PATH="' in start and "scripts/bake.sh" in start
    assert "pipx install uv" in start and "pip install uv" in start
