"""Baking again over a project (`cookiecutter -f`) loses nothing.

The hooks never rewrite, remove or commit into a git repository or an
``.env.py`` that existed before the bake; a project with work git has not
committed is not baked over at all.
"""

import hashlib
import os
import subprocess

import pytest

from conftest import DEV_TOOLS, TEMPLATE_DIR, clean_env

# git and cookiecutter without the user's own settings.
ENV_KEYS = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Rebake Tests",
    "GIT_AUTHOR_EMAIL": "rebake-tests@example.com",
    "GIT_COMMITTER_NAME": "Rebake Tests",
    "GIT_COMMITTER_EMAIL": "rebake-tests@example.com",
}
OWN_ENV_FILE = (
    'APP_ENV = "development"\n'
    'SECRET_KEY = "our-own-key-kept-by-the-team-0123456789abcdef"\n'
    'DB_DEFAULT_PASS = "our-database-password"\n'
)


class Place:
    """A folder to bake in, with its own cookiecutter settings."""

    def __init__(self, root):
        self.root = root
        config = root / "cookiecutter-config.yaml"
        config.write_text(
            f'cookiecutters_dir: "{root / "cookiecutters"}"\n'
            f'replay_dir: "{root / "replay"}"\n'
        )
        self.env = clean_env(COOKIECUTTER_CONFIG=str(config), **ENV_KEYS)
        self.project = root / "shop_front"

    def bake(self, *options, **answers):
        answers = {"project_name": "Shop Front", **answers}
        return subprocess.run(
            [str(DEV_TOOLS / "cookiecutter"), "--no-input", *options]
            + ["--output-dir", str(self.root), str(TEMPLATE_DIR)]
            + [f"{key}={value}" for key, value in answers.items()],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
        )

    def git(self, *args):
        completed = subprocess.run(
            ["git", *args],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert completed.returncode == 0, completed.stderr
        return completed.stdout

    def commit(self, message, **files):
        for name, text in files.items():
            path = self.project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self.git("add", "--all")
        self.git("commit", "--quiet", "--message", message)

    def history(self):
        """Everything git keeps: every ref and commit, the stash, HEAD."""
        return (
            self.git("for-each-ref", "--format=%(refname) %(objectname)"),
            self.git("log", "--all", "--format=%H %P %s"),
            self.git("stash", "list"),
            self.git("rev-parse", "HEAD"),
        )

    def files(self):
        """Digest of every file outside .git, by name."""
        digests = {}
        for path in sorted(self.project.rglob("*")):
            relative = path.relative_to(self.project)
            if path.is_file() and relative.parts[0] != ".git":
                digests[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
        return digests


@pytest.fixture
def place(tmp_path):
    place = Place(tmp_path)
    first = place.bake()
    assert first.returncode == 0, first.stderr
    return place


def lines(output, start):
    return [line for line in output.splitlines() if line.startswith(start)]


def test_a_rebake_over_an_unchanged_project_keeps_its_history(place):
    # (a) Several commits of the team's own, nothing left to commit: the old
    # hook's commit failed ("nothing to commit") and deleted .git.
    place.commit("Notes", **{"docs/notes.md": "Ours.\n"})
    place.commit("A model", **{"app/database/models/comment.py": "# ours\n"})
    history, files = place.history(), place.files()

    again = place.bake("-f")

    assert again.returncode == 0, again.stderr
    assert place.history() == history
    assert place.files() == files
    assert place.git("status", "--porcelain") == ""
    assert len(lines(again.stderr, "Kept the existing .env.py byte for byte")) == 1
    assert len(lines(again.stderr, "Kept the project's git repository")) == 1
    assert "WARNING" not in again.stderr


def test_a_rebake_shows_its_changes_for_review_and_commits_nothing(place):
    # The template's files are rewritten (that is what -f does), the team's
    # committed edit stays in history and comes back with one command.
    readme = place.project / "README.md"
    place.commit("Our README", **{"README.md": readme.read_text() + "Ours.\n"})
    history = place.history()

    again = place.bake("-f")

    assert again.returncode == 0, again.stderr
    assert place.history() == history
    assert place.git("status", "--porcelain") == " M README.md\n"
    place.git("checkout", "--", "README.md")
    assert readme.read_text().endswith("Ours.\n")


@pytest.mark.parametrize(
    "change",
    ["edited", "untracked", "staged"],
)
def test_a_rebake_over_uncommitted_work_is_refused_and_changes_nothing(place, change):
    # (b) Edits and files git has not committed: -f would overwrite the
    # edits and the old hook swept the rest into its commit.
    place.commit("Notes", **{"docs/notes.md": "Ours.\n"})
    if change == "edited":
        (place.project / "README.md").write_text("Our work in progress.\n")
    elif change == "untracked":
        (place.project / "app/draft.py").write_text("DRAFT = 1\n")
    else:
        (place.project / "config/extra.py").write_text("EXTRA = 1\n")
        place.git("add", "config/extra.py")
    history, files = place.history(), place.files()
    status = place.git("status", "--porcelain")

    again = place.bake("-f")

    assert again.returncode != 0
    errors = lines(again.stderr, "ERROR:")
    assert errors == [
        f"ERROR: {place.project} has changes git has not committed; baking over "
        "it rewrites the template's files: commit or stash them first"
    ]
    assert "Traceback" not in again.stdout + again.stderr
    assert place.history() == history
    assert place.files() == files
    assert place.git("status", "--porcelain") == status


def test_a_rebake_keeps_the_projects_own_env_file_byte_for_byte(place):
    # (c) .env.py is ignored by git, so the tree is clean: the bake goes on,
    # and the project's own key and password stay.
    env_file = place.project / ".env.py"
    env_file.write_text(OWN_ENV_FILE)
    env_file.chmod(0o640)
    place.commit("Notes", **{"docs/notes.md": "Ours.\n"})
    history = place.history()

    again = place.bake("-f", docker="yes")

    assert again.returncode == 0, again.stderr
    assert env_file.read_bytes() == OWN_ENV_FILE.encode()
    assert env_file.stat().st_mode & 0o777 == 0o640
    assert len(lines(again.stderr, "Kept the existing .env.py byte for byte")) == 1
    assert place.history() == history
    # The new answer arrived, uncommitted, for the team to review; cruft's
    # record holds it.
    assert place.git("status", "--porcelain").splitlines() == [
        " M .cruft.json",
        " M .github/dependabot.yml",
        " M README.md",
        " M docs/deployment.md",
        " M docs/testing.md",
        "?? .dockerignore",
        "?? Dockerfile",
        "?? compose.yaml",
        "?? deploy/",
    ]


# Why a folder no git repository keeps is not baked over.
NOT_KEPT = (
    "baking over it rewrites the template's files, and nothing could bring "
    "your edits back; commit it to git first (git init && git add -A && git "
    "commit), or bake into a new folder"
)


def test_a_rebake_over_a_folder_without_git_is_refused_and_changes_nothing(tmp_path):
    # Without a history, -f would rewrite the template's files over the
    # project's own edits, and nothing could bring them back.
    place = Place(tmp_path)
    assert place.bake(init_git="no").returncode == 0
    config = place.project / "config" / "app.py"
    config.write_text(config.read_text() + "# Ours.\n")
    (place.project / "ours.txt").write_text("kept\n")
    files = place.files()

    again = place.bake("-f")  # init_git: yes

    assert again.returncode != 0
    assert lines(again.stderr, "ERROR:") == [
        f"ERROR: {place.project} exists and is not a git repository: {NOT_KEPT}"
    ]
    assert "Traceback" not in again.stdout + again.stderr
    assert place.files() == files
    assert not (place.project / ".git").exists()


def test_a_rebake_in_a_folder_the_repository_around_it_ignores_is_refused(tmp_path):
    # git status says nothing of an ignored folder, and nothing keeps it.
    place = Place(tmp_path)
    assert place.bake(init_git="no").returncode == 0
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("shop_front/\n")
    files = place.files()

    again = place.bake("-f")

    assert again.returncode != 0
    assert lines(again.stderr, "ERROR:") == [
        f"ERROR: {place.project} is ignored by the git repository around it: {NOT_KEPT}"
    ]
    assert place.files() == files


def test_a_clean_project_kept_by_the_repository_around_it_is_baked_over(tmp_path):
    place = Place(tmp_path)
    assert place.bake(init_git="no").returncode == 0
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "Shop"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=place.env, check=True)

    again = place.bake("-f")

    assert again.returncode == 0, again.stderr
    assert "Kept the project's git repository as it was" in again.stderr
    assert lines(again.stderr, "WARNING:") == []
    assert not (place.project / ".git").exists()


def test_a_rebake_where_git_fails_says_what_git_said(tmp_path):
    place = Place(tmp_path)
    assert place.bake(init_git="no").returncode == 0
    (place.project / ".git").write_text("not a gitfile\n")

    again = place.bake("-f")

    assert again.returncode != 0
    (error,) = lines(again.stderr, "ERROR:")
    assert error.startswith(
        f"ERROR: {place.project}: git cannot tell whether baking over it loses "
        "uncommitted work (fatal: "
    ), error


def test_a_rebake_into_an_empty_folder_is_a_fresh_bake(tmp_path):
    place = Place(tmp_path)
    place.project.mkdir()

    again = place.bake("-f")

    assert again.returncode == 0, again.stderr
    # The folder was empty: the bake's, with its first commit.
    assert len(place.git("log", "--format=%H").split()) == 1


def test_a_fresh_bake_leaves_no_marker_behind(place):
    assert not list(place.project.glob(".edmunds-template-*"))
    tracked = place.git("ls-files").split()
    assert not [name for name in tracked if name.startswith(".edmunds-template")]
