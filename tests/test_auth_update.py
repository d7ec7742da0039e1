"""A project baked before authentication takes it in with cruft, rows kept.

The template as it was before revision 0004 (read from this repository's
history) is baked on each engine, upgraded and seeded; then the project
updates to the template as it is, as docs/updates.md says, and upgrades:
every user and tag is still there, and an old user can be given an email
and a password and log in.
"""

import io
import subprocess
import tarfile
from contextlib import ExitStack

import pytest
from test_template_updates import Workplace, git

from conftest import (
    TEMPLATE_DIR,
    assert_baked_suite_passed,
    clean_env,
    copy_template,
    manage,
    project_python,
    run,
)
from servers import SERVERS, on_servers

REVISION_0004 = "{{cookiecutter.project_slug}}/migrations/versions/0004_users_log_in.py"
PASSWORD = "a password of the old days"
# Every user with their tags, and every tag: what must survive the update.
ROWS = """\
from app.database.models.tag import Tag
from app.database.models.user import User
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap(http=False).app_context():
    users = db.session.scalars(db.select(User))
    print(sorted((u.id, u.name, [t.name for t in u.tags]) for u in users))
    print(sorted(t.name for t in db.session.scalars(db.select(Tag))))
"""
# An old user, given an email and a password, logs in and reads the API.
LOGIN = """\
from bootstrap.app import bootstrap

client = bootstrap().test_client()
body = {{"email": {email!r}, "password": {password!r}}}
token = client.post("/api/auth/login", json=body).get_json()["token"]
headers = {{"Authentication-Token": token}}
print(client.get("/api/users/1", headers=headers).status_code)
"""


def before_auth():
    """The template's last commit before revision 0004, or a skip where
    this checkout has no history (a tarball)."""
    found = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", REVISION_0004],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
    )
    if found.returncode != 0 or not found.stdout.strip():
        pytest.fail("no git history with revision 0004's first commit in it")
    return found.stdout.split()[-1] + "^"


class EarlierWorkplace(Workplace):
    """A Workplace whose template starts as it was before authentication."""

    def __init__(self, root):
        super().__init__(root)
        for path in self.template.iterdir():
            if path.name != ".git":
                subprocess.run(["rm", "-rf", str(path)], check=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", before_auth()],
            cwd=TEMPLATE_DIR,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(self.template, filter="data")
        self.commit_template("The template before authentication")

    def catch_up(self):
        for path in self.template.iterdir():
            if path.name != ".git":
                subprocess.run(["rm", "-rf", str(path)], check=True)
        copy_template(self.template)
        return self.commit_template("The template with authentication")


@pytest.mark.parametrize(
    "engine",
    [pytest.param(engine, marks=on_servers(engine)) for engine in ("sqlite", *SERVERS)],
)
def test_a_project_from_before_auth_updates_with_its_rows(tmp_path, engine):
    if engine in SERVERS:
        SERVERS[engine].admin()  # skips now if the server is absent
    place = EarlierWorkplace(tmp_path)
    project = place.create("Before Auth", database=engine)
    env = place.env
    with ExitStack() as cleanup:
        settings, testing = {}, {}
        if engine in SERVERS:
            settings, testing = SERVERS[engine].project_databases(cleanup, project)
        python = project_python(project)
        manage(project, python, settings, "db", "upgrade")
        manage(project, python, settings, "db", "seed")
        before = run(project, python, "-c", ROWS, env=clean_env(**settings)).stdout
        assert before.count("(") > 20

        # docs/updates.md: a project baked before the rule makes its
        # [tool.cruft] section the one the docs show, then updates.
        pyproject = project / "pyproject.toml"
        docs = (
            TEMPLATE_DIR / "{{cookiecutter.project_slug}}/docs/updates.md"
        ).read_text()
        section = docs.split("```toml\n", 1)[1].split("```", 1)[0]
        kept = pyproject.read_text().split("[tool.cruft]\n", 1)[0]
        pyproject.write_text(kept + section)
        git(project, env, "commit", "--quiet", "--all", "--message", "Take revisions")
        place.catch_up()
        place.cruft(project, "update", "-y")
        assert (project / "migrations/versions/0004_users_log_in.py").is_file()

        python = project_python(project)
        manage(project, python, settings, "db", "upgrade")
        after = run(project, python, "-c", ROWS, env=clean_env(**settings)).stdout
        assert after == before
        checked = manage(project, python, settings, "db", "check")
        assert "No new upgrade operations detected" in checked.stdout + checked.stderr

        manage(project, python, settings, "auth", "set-email", "1", "old@example.com")
        manage(
            project,
            python,
            settings,
            "auth",
            "set-password",
            "old@example.com",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        login = LOGIN.format(email="old@example.com", password=PASSWORD)
        answer = run(project, python, "-c", login, env=clean_env(**settings)).stdout
        assert answer.strip() == "200"

        completed = run(
            project,
            python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            env=clean_env(**testing),
        )
        assert_baked_suite_passed(completed.stdout)
