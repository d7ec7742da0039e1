"""The Edmunds "Migrations" page, followed as written, in a baked project.

The page's example has defects; each stops the app with one line saying
what to fix. One bake with two SQLite instances; each test on its own copy.
"""

import shutil
import subprocess

import pytest

from conftest import DEV_TOOLS, PRE_COMMIT_HOME, bake, clean_env, project_python, run

pytestmark = pytest.mark.xdist_group("databases-sqlite")

# The page's models, its mistakes kept: no __tablename__ ("user" and "tag"
# in Flask-SQLAlchemy 3), keys pointing at "users" and "tags", the table's
# bind named in `info`, and a name the config imports that is not defined.
USER = """\
from edmunds.database.db import db


class User(db.Model):
    __bind_key__ = "users_database"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50))
"""

TAG = """\
from edmunds.database.db import db


class Tag(db.Model):
    __bind_key__ = "users_database"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), unique=True)
"""

USER_TAGS = """\
from edmunds.database.db import db

UserTagsTable = db.Table(
    "user_tags",
    db.Column("user_id", db.Integer, db.ForeignKey("tags.id"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("users.id"), primary_key=True),
    info={"bind_key": "users_database"},
)
"""

COMMENT = """\
from edmunds.database.db import db


class Comment(db.Model):
    __tablename__ = "comments"

    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text, nullable=False)
"""


@pytest.fixture(scope="module")
def baked(cookies_session):
    project = bake(
        cookies_session, project_name="Page Verbatim", users_database="sqlite"
    )
    return project, project_python(project)


@pytest.fixture
def project(baked, tmp_path):
    path, python = baked
    copy = tmp_path / "project"
    shutil.copytree(path, copy, ignore=shutil.ignore_patterns("*.db*"))
    return copy, python


def manage(project, *args, check=True):
    path, python = project
    return run(path, python, "manage.py", *args, check=check)


def boot_under_wsgi(project):
    """What gunicorn and `flask --app wsgi` run first: wsgi.py's import."""
    path, python = project
    return run(path, python, "-c", "import wsgi", check=False)


def one_error(completed):
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    (line,) = [line for line in completed.stderr.splitlines() if line.strip()]
    assert line.startswith("Error: "), line
    return line


def edit(path, old, new):
    source = path.read_text()
    assert old in source, f"{path.name} has no {old!r}"
    path.write_text(source.replace(old, new, 1))


def without_auth(path):
    """The project as the page knows it, from before authentication:
    APP['auth'] and the models only it needs (Role, UserRoles,
    LoginFailure) gone from config/app.py, their modules too."""
    config = path / "config/app.py"
    lines = config.read_text().splitlines(keepends=True)
    auth_only = ("Role", "UserRoles", "LoginFailure", "SQLAlchemyUserDatastore")
    kept, skipping = [], False
    for line in lines:
        if line == '    "auth": {\n':
            skipping = True
        if skipping:
            skipping = line != "    },\n"
            continue
        if (
            line.startswith(("from ", "            "))
            and line.rstrip(",\n").split()[-1] in auth_only
        ):
            continue
        kept.append(line)
    config.write_text("".join(kept))
    models = path / "app/database/models"
    for name in ("role.py", "userroles.py", "loginfailure.py"):
        (models / name).unlink()


def revisions(path):
    return sorted((path / "migrations/versions").glob("*.py"))


def test_db_init_brings_back_the_projects_own_environment(project):
    path, _ = project
    shipped = {
        name: (path / "migrations" / name).read_bytes()
        for name in ("env.py", "script.py.mako", "alembic.ini", "README")
    }
    shutil.rmtree(path / "migrations")
    # The project compiled, as the Dockerfile compiles it (and this suite,
    # tests/conftest.py): bytecode beside the environment db init copies.
    assert (path / "edmunds/database/migrations/template/__pycache__").is_dir()

    completed = manage(project, "db", "init", "--multidb")

    assert completed.stdout.count("\n") == 1, completed.stdout
    assert not (path / "migrations/__pycache__").exists()
    for name, content in shipped.items():
        assert (path / "migrations" / name).read_bytes() == content, name
    again = manage(project, "db", "init", "--multidb")
    assert "already initialised for several databases" in again.stdout
    stock = manage(project, "db", "init", "--template", "flask", check=False)
    assert stock.returncode == 2 and "without --template" in stock.stderr
    # The environment works: a first revision, applied, matches the models.
    manage(project, "db", "migrate", "-m", "Initial")
    manage(project, "db", "upgrade")
    manage(project, "db", "check")


def test_the_pages_example_stops_at_each_defect_in_one_line(project):
    path, _ = project
    models = path / "app/database/models"
    without_auth(path)
    (models / "user.py").write_text(USER)
    (models / "tag.py").write_text(TAG)
    (models / "usertags.py").write_text(USER_TAGS)

    # 1. The config imports UserTags; the module defines UserTagsTable.
    error = one_error(manage(project, "db", "current", check=False))
    assert "cannot import name 'UserTags'" in error
    assert "app.database.models.usertags" in error and " line " in error
    assert one_error(boot_under_wsgi(project)) == error

    # 2. The keys point at "tags" and "users"; the tables are "tag" and
    # "user". On users_database: `info={'bind_key': ...}` counts.
    edit(models / "usertags.py", "UserTagsTable = ", "UserTags = ")
    error = one_error(manage(project, "db", "current", check=False))
    assert "table 'user_tags' column 'user_id'" in error
    assert "'tags.id'" in error and "instance 'users_database'" in error
    assert "tag, user, user_tags" in error
    assert one_error(boot_under_wsgi(project)) == error

    # 3. A table on the default instance pointing at users_database.
    edit(models / "usertags.py", '"tags.id"', '"tag.id"')
    edit(models / "usertags.py", '"users.id"', '"user.id"')
    edit(models / "usertags.py", '    info={"bind_key": "users_database"},\n', "")
    error = one_error(manage(project, "db", "current", check=False))
    assert "'tag.id'" in error and "cannot cross instances" in error

    # Fixed, the page's forms migrate: the table lands on users_database.
    edit(
        models / "usertags.py",
        "primary_key=True),\n)",
        'primary_key=True),\n    info={"bind_key": "users_database"},\n)',
    )
    manage(project, "db", "upgrade")
    completed = manage(project, "db", "migrate", "-m", "Page models")
    # The sample's tables make way for the page's: said, not silent.
    dropped = (
        "table user_roles, table users, table tags, table roles, table login_failures"
    )
    assert f"drops {dropped} and the data in them" in completed.stderr
    (revision,) = [r for r in revisions(path) if "page_models" in r.name]
    source = revision.read_text()
    assert "# WARNING: this drops table" in source
    upgrade = source.split("def upgrade_users_database():", 1)[1]
    assert "with op.batch_alter_table('user_tags'" in upgrade
    manage(project, "db", "upgrade")
    manage(project, "db", "check")

    # The revision passes the project's own hooks, unchanged.
    pre_commit = DEV_TOOLS / "pre-commit"  # the version the project's README pins
    subprocess.run(["git", "add", "--all"], cwd=path, check=True)
    before = revision.read_bytes()
    hooks = subprocess.run(
        [str(pre_commit), "run", "--files", str(revision.relative_to(path))],
        cwd=path,
        env=clean_env(PRE_COMMIT_HOME=str(PRE_COMMIT_HOME)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert hooks.returncode == 0, hooks.stdout + hooks.stderr
    assert "fix end of files" in hooks.stdout
    assert revision.read_bytes() == before


def test_a_model_left_out_of_modelsandtables_is_refused(project):
    path, _ = project
    manage(project, "db", "upgrade")
    (path / "app/database/models/comment.py").write_text(COMMENT)
    before = revisions(path)

    for command in ("migrate", "check"):
        error = one_error(manage(project, "db", command, check=False))
        assert "Comment (app/database/models/comment.py)" in error
        assert "modelsandtables" in error and "config/app.py" in error
    assert revisions(path) == before

    # Listed, it migrates; a second migrate before upgrading is refused.
    edit(
        path / "config/app.py",
        "from app.database.models.tag import Tag\n",
        "from app.database.models.comment import Comment\n"
        "from app.database.models.tag import Tag\n",
    )
    edit(
        path / "config/app.py",
        "            UserTags,\n",
        "            UserTags,\n            Comment,\n",
    )
    manage(project, "db", "migrate", "-m", "Comments")
    error = one_error(manage(project, "db", "migrate", "-m", "Again", check=False))
    # Every instance records the whole history: both are behind.
    assert "database instances 'users_database', 'default' are behind" in error
    assert "python manage.py db upgrade` first" in error
