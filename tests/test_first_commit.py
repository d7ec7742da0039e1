"""The post-gen hook's git step: a repository with the bake as its first commit."""

import re
import subprocess

import pytest

from conftest import TEMPLATE_DIR, bake


def git(project, *args):
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def no_git_identity(tmp_path, monkeypatch):
    """A machine where git knows nobody: no global or system config."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    return home


def test_the_bake_is_the_first_commit_and_the_secret_is_not_in_it(cookies, capfd):
    project = bake(cookies, project_name="Shop Front")

    assert git(project, "log", "--format=%s").splitlines() == [
        "Bake from edmunds-template"
    ]
    # Where it came from, for `cruft link --checkout` of projects baked
    # before .cruft.json was (README, "Updating").
    template_commit = git(TEMPLATE_DIR, "rev-parse", "HEAD").strip()
    assert f"Template commit: {template_commit}" in git(project, "log", "--format=%b")
    assert git(project, "status", "--porcelain") == ""  # all tracked or ignored
    tracked = git(project, "ls-files").splitlines()
    assert ".env.py" not in tracked
    assert {".env.example.py", "storage/database/.gitkeep", "manage.py"} <= set(tracked)
    assert ".cruft.json" in tracked  # updatable from the first commit
    # The README's pre-commit step; stdout is cruft's.
    assert re.search(r"\n    uvx pre-commit@[\w.]+ install\n", capfd.readouterr().err)


def test_without_a_git_identity_the_author_signs_that_commit_only(
    cookies, no_git_identity
):
    project = bake(cookies, author_name="Ada Lovelace", email="ada@example.com")

    assert git(project, "log", "--format=%an <%ae>|%cn <%ce>").strip() == (
        "Ada Lovelace <ada@example.com>|Ada Lovelace <ada@example.com>"
    )
    assert git(project, "branch", "--show-current").strip() == "main"
    assert "user." not in git(project, "config", "--list")
    assert list(no_git_identity.iterdir()) == []  # no global config written


def test_the_users_git_identity_and_branch_name_are_kept(cookies, no_git_identity):
    (no_git_identity / ".gitconfig").write_text(
        "[user]\n\tname = Grace\n\temail = grace@example.com\n"
        "[init]\n\tdefaultBranch = trunk\n"
    )
    project = bake(cookies, author_name="Ada Lovelace")

    assert git(project, "log", "--format=%an <%ae>").strip() == (
        "Grace <grace@example.com>"
    )
    assert git(project, "branch", "--show-current").strip() == "trunk"


def test_a_failed_commit_leaves_no_repository_and_says_why(
    cookies, no_git_identity, capfd
):
    # Signing every commit with a program that always fails.
    (no_git_identity / ".gitconfig").write_text(
        "[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = false\n"
    )
    project = bake(cookies)

    assert not (project / ".git").exists()
    assert (project / "manage.py").is_file() and (project / ".env.py").is_file()
    warnings = [
        line for line in capfd.readouterr().err.splitlines() if "WARNING" in line
    ]
    assert len(warnings) == 1
    assert warnings[0].startswith("WARNING: no git repository made: git commit failed")


def test_init_git_off_makes_no_repository(cookies, capfd):
    project = bake(cookies, init_git=False)

    assert not (project / ".git").exists()
    assert "pre-commit@" not in capfd.readouterr().err
