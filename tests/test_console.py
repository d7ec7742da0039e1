"""The day-one console of a baked project: make, db seed, db fresh.

Each combination is baked once and driven through the whole sequence a new
team member would type, then its own tests and `db check` run; refusals are
proven on the default bake, each one line with nothing written.
"""

import hashlib
import json
import re
import subprocess
from contextlib import ExitStack

import pytest

from conftest import (
    DEV_TOOLS,
    assert_baked_suite_passed,
    assert_ruff_passes,
    bake,
    clean_env,
    manage,
    project_python,
    run,
)
from servers import SERVERS, on_servers
from test_precommit import pre_commit

# Run inside a baked project: what its databases hold, as JSON.
DUMP = """\
import json
from sqlalchemy import inspect, select
from bootstrap.app import bootstrap
from app.database.models.user import User
from edmunds.database.db import db

with bootstrap().app_context():
    users = db.session.scalars(select(User).order_by(User.id)).all()
    found = {
        "users": [[u.id, u.name, [t.name for t in u.tags]] for u in users],
        "tables": {}, "enums": {},
    }
    # SQLite: the session's transaction holds the write lock; let it go.
    db.session.close()
    for key, engine in db.engines.items():
        inspector = inspect(engine)
        found["tables"][str(key)] = sorted(inspector.get_table_names())
        if engine.dialect.name == "postgresql":
            found["enums"][str(key)] = [e["name"] for e in inspector.get_enums()]
    print(json.dumps(found))
"""
# What a half-run migration or a dropped model may leave behind.
LEFTOVERS = """\
from bootstrap.app import bootstrap
from edmunds.database.db import db

with bootstrap().app_context():
    for engine in db.engines.values():
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE leftover (id INTEGER)")
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("CREATE TYPE mood AS ENUM ('ok')")
"""


def dump(project, python, env):
    return json.loads(run(project, python, "-c", DUMP, env=clean_env(**env)).stdout)


def refused(completed, *words):
    """One `Error:` line naming the problem, and a non-zero exit."""
    assert completed.returncode != 0, completed.stdout
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), completed.stderr
    for word in words:
        assert word in lines[0], lines[0]


def user_code_digest(project):
    digest = hashlib.sha256()
    for folder in ("app", "config", "migrations", "tests"):
        for path in sorted((project / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def day_one(project, python, env, testing_env, instance, hooks=False):
    """Every command of the baked README's "Day one", checked as it goes."""
    manage(project, python, env, "db", "upgrade")
    on = ["--instance", instance] if instance != "default" else []

    # The next step is said the way the command was started: `uv run` sets UV.
    made = manage(project, python, {**env, "UV": ""}, "make", "model", "Comment", *on)
    assert 'Next: python manage.py db migrate -m "Add comments"' in made.stdout
    model = (project / "app/database/models/comment.py").read_text()
    assert '__tablename__ = "comments"' in model
    bind_key = "None" if instance == "default" else f'"{instance}"'
    assert f"__bind_key__ = {bind_key}\n" in model
    manage(
        project,
        python,
        env,
        "make",
        "table",
        "CommentTags",
        "--between",
        "Comment",
        "Tag",
    )
    seeder = manage(
        project, python, {**env, "UV": "uv"}, "make", "seeder", "CommentSeeder"
    )
    assert "uv run python manage.py db seed --class CommentSeeder" in seeder.stdout
    manage(project, python, env, "make", "command", "send_reports")
    config = (project / "config/app.py").read_text()
    for line in (
        "from app.database.models.comment import Comment\n",
        "from app.database.models.commenttags import CommentTags\n",
        "from app.console.commands.send_reports import send_reports\n",
        "            UserTags,\n            Comment,\n            CommentTags,\n",
        '        "commands": [\n            send_reports,\n        ],\n',
    ):
        assert line in config, line
    assert "send-reports" in manage(project, python, env, "--help").stdout
    assert "send-reports:" in manage(project, python, env, "send-reports").stdout
    assert_ruff_passes(project)
    if hooks:
        # The hooks a commit runs pass on what the generators wrote.
        git = ["git", "-c", "user.name=Test", "-c", "user.email=test@localhost"]
        subprocess.run([*git, "add", "--all"], cwd=project, check=True)
        pre_commit(DEV_TOOLS / "pre-commit", project)

    manage(project, python, env, "db", "migrate", "-m", "Add comments")
    manage(project, python, env, "db", "upgrade")
    (revision,) = (project / "migrations/versions").glob("*_add_comments.py")
    assert "op.create_table('comment_tags'" in revision.read_text()
    assert "ondelete='CASCADE'" in revision.read_text()

    # Twice, and one seeder alone: unique tag names hold, nothing doubles
    # (the single seeding of `fresh --seed` below gives the same rows).
    first = manage(project, python, env, "db", "seed").stdout
    # Development's admin first, its password shown this once.
    admin, added = first.splitlines()
    assert re.fullmatch(
        r"Log in as admin@example\.com with the password \S{12,} \(shown once\)\.",
        admin,
    ), first
    assert added.startswith("DatabaseSeeder: added ") and " users" in added, first
    again = manage(project, python, env, "db", "seed").stdout
    assert again == "DatabaseSeeder: added no rows.\n", again
    manage(project, python, env, "db", "seed", "--class", "CommentSeeder")
    # Asked, answered no or not at all (the end of the input): nothing is
    # dropped.
    for answer in ("n\n", ""):
        kept = manage(project, python, env, "db", "fresh", stdin=answer, check=False)
        assert kept.returncode == 1 and kept.stderr == "Nothing was dropped.\n", kept
        assert kept.stdout.endswith("[y/N]: \n"), kept.stdout
    # Production refuses, before any question; so does an environment that
    # a team made from production's file (DEBUG and TESTING off). A debug
    # flag changes nothing: it is refused there, before any command runs.
    (project / ".env.staging.py").write_text(
        (project / ".env.production.py").read_text()
    )
    seeded = dump(project, python, env)
    assert len(seeded["users"]) >= 20 and any(tags for *_, tags in seeded["users"])
    for environment in ("production", "staging"):
        for command in (["db", "fresh", "--yes"], ["db", "seed"]):
            production = {**env, "APP_ENV": environment}
            refused(
                manage(project, python, production, *command, check=False),
                "refused in production",
                f"APP_ENV={environment}",
            )
            for flagged, args in (
                ({**production, "FLASK_DEBUG": "1"}, command),
                (production, ["--debug", *command]),
            ):
                refused(
                    manage(project, python, flagged, *args, check=False),
                    f"APP_ENV is '{environment}', a production environment, "
                    "but debug mode was asked for",
                )
    # The testing environment aimed at this (development) database: the
    # commands that drop or write rows refuse, as the test session would.
    aimed = {
        **env,
        "APP_ENV": "testing",
        "DB_DEFAULT_FILE": f"/database/{project.name}.db",
    }
    for command in (
        ["db", "fresh", "--yes"],
        ["db", "seed"],
        ["db", "downgrade", "base"],
    ):
        refused(
            manage(project, python, aimed, *command, check=False),
            f"{' '.join(command[:2])} is refused: database instance",
            "points the tests away from the database .env.testing.py names",
        )
    assert dump(project, python, env) == seeded

    run(project, python, "-c", LEFTOVERS, env=clean_env(**env))
    manage(project, python, env, "db", "fresh", "--yes")
    fresh = dump(project, python, env)
    assert fresh["users"] == []
    assert all("leftover" not in tables for tables in fresh["tables"].values())
    assert all(enums == [] for enums in fresh["enums"].values())
    assert fresh["tables"] == seeded["tables"]
    # The same rows from a clean database, in another process: the seed is fixed.
    manage(project, python, env, "db", "fresh", "--yes", "--seed")
    assert dump(project, python, env) == seeded
    manage(project, python, env, "db", "check")

    tested = run(
        project,
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        env=clean_env(**testing_env),
    )
    assert_baked_suite_passed(tested.stdout)


@pytest.fixture(scope="module")
def project(cookies_session):
    return bake(cookies_session, project_name="Day One")


@pytest.fixture(scope="module")
def python(project):
    return project_python(project)


@pytest.mark.xdist_group("console")
def test_day_one_on_the_default_bake(project, python):
    day_one(project, python, {}, {}, "default", hooks=True)


@pytest.mark.xdist_group("console")
def test_db_commands_start_without_the_api_libraries(project, python):
    # manage.py wires the HTTP side only for the commands that may need it:
    # a migration does not wait for flask-smorest and marshmallow to import.
    imported = run(project, python, "-X", "importtime", "manage.py", "db", "--help")
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in imported.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "flask_migrate" in modules
    assert not modules & {"flask_smorest", "marshmallow", "webargs", "apispec"}
    routes = run(project, python, "manage.py", "routes").stdout
    assert "/api/users/<int:user_id>" in routes and "/api/openapi.json" in routes
    # The list of commands has the API's own (flask-smorest's openapi).
    listed = run(project, python, "manage.py", "--help").stdout
    assert re.search(r"^  openapi ", listed, re.M), listed


# Refusals: each a one-line error before anything is written.
REFUSALS = [
    (["make", "model", "comment"], "upper-case"),
    (["make", "model", "Blog-Post"], "not a Python identifier"),
    (["make", "model", "Class"], "class.py, which Python cannot import"),
    (["make", "model", "User"], "user.py exists"),
    (["make", "model", "Sqlite"], "config/app.py already has a 'Sqlite'"),
    (["make", "model", "Post", "--instance", "archive"], "unknown database instance"),
    (["make", "model", "Person", "--table", "users"], "'users' exists"),
    (["make", "model", "Person", "--table", "People"], "table name 'People'"),
    (["make", "table", "UserTags", "--between", "User", "Tag"], "usertags.py exists"),
    (["make", "table", "Links", "--between", "User", "Nobody"], "no model named"),
    (["make", "table", "Links", "--between", "User", "User"], "twice"),
    (["make", "seeder", "DatabaseSeeder"], "databaseseeder.py exists"),
    (["make", "seeder", "9Seeder"], "not a Python identifier"),
    (["make", "command", "routes"], "'routes' exists"),
    (["make", "command", "openapi"], "'openapi' exists"),  # the API's own
    (["make", "command", "SendReports"], "lower case"),
    (["make", "command", "app"], "would shadow the project's package 'app'"),
    (["db", "seed", "--class", "Nothing"], "no seeder named 'Nothing'"),
    (["db", "seed", "--class", "os.path"], "no seeder named 'os.path'"),
    (["db", "seed", "--class", "Seeder"], "no seeder named 'Seeder'"),
]
# The console in one process per case would take a second each: one process
# runs them all, each through manage.py's own Manager.
RUN_ALL = """\
import contextlib, io, json, sys
import manage
from edmunds.console.manager import Manager

results = []
for args in json.loads(sys.argv[1]):
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            Manager(manage.create_app, manage.add_http).run(args)
            code = 0
        except SystemExit as exit:
            code = exit.code
    results.append([code, stderr.getvalue()])
print(json.dumps(results))
"""


@pytest.mark.xdist_group("console")
def test_refusals_are_one_line_and_write_nothing(project, python):
    before = user_code_digest(project)

    completed = run(
        project, python, "-c", RUN_ALL, json.dumps([a for a, _ in REFUSALS])
    )

    for (args, words), (code, stderr) in zip(
        REFUSALS, json.loads(completed.stdout), strict=True
    ):
        lines = stderr.strip().splitlines()
        assert code == 1 and len(lines) == 1, (args, code, stderr)
        assert lines[0].startswith("Error: ") and words in lines[0], (args, stderr)
    assert user_code_digest(project) == before


@pytest.mark.parametrize(
    "users_database",
    [pytest.param("postgresql", marks=on_servers("sqlite", "postgresql"))],
)
def test_day_one_with_the_users_on_another_engine(cookies, users_database):
    server = SERVERS[users_database]
    server.admin()  # skips now if the server is absent
    project = bake(cookies, users_database=users_database)
    python = project_python(project)
    with ExitStack() as cleanup:
        env, testing_env = server.project_databases(cleanup, project, "users_database")
        day_one(project, python, env, testing_env, "users_database")


def test_make_keeps_every_byte_of_the_config_and_passes_ruff(cookies):
    # A config in latin-1 with CRLF line endings and a comment on the last
    # model, which has no trailing comma; a name whose import passes 88
    # columns. A bake of its own: the shared one stays as day one needs it.
    project = bake(cookies, project_name="Bytes Kept")
    python = project_python(project)
    config = project / "config" / "app.py"
    models = ["User", "Role", "UserRoles", "LoginFailure", "Tag", "UserTags"]
    listed = "".join(f"\n            {model}," for model in models)
    listed = f"[{listed}\n        ]"
    samples = f"[{', '.join(models)}  # the samples\n        ]"
    assert listed in config.read_text()
    text = "# -*- coding: latin-1 -*-\n# Réglages de l'application.\n" + (
        config.read_text().replace(listed, samples)
    )
    config.write_bytes(text.replace("\n", "\r\n").encode("latin-1"))
    name = "ArchivedCustomerInvoiceLineItemAdjustmentReasonHistoryRecord"
    assert len(name) == 60

    manage(project, python, {}, "make", "model", name, "--table", "adjustments")

    expected = text.replace(
        "from app.database.models.loginfailure import LoginFailure\n",
        f"from app.database.models.{name.lower()} import (\n    {name},\n)\n"
        "from app.database.models.loginfailure import LoginFailure\n",
    ).replace(
        samples,
        listed.replace("UserTags,", f"UserTags,  # the samples\n            {name},"),
    )
    expected = expected.replace("\n", "\r\n")
    assert config.read_bytes() == expected.encode("latin-1")
    # The app loads the config and the new model.
    manage(project, python, {}, "--help")
    # ruff reads UTF-8 only: it gets the config's text, the rest as files.
    ruff = str(DEV_TOOLS / "ruff")
    for command in (["check"], ["format", "--check"]):
        for args, stdin in (
            (["--extend-exclude", "config/app.py", "."], None),
            (["--stdin-filename", "config/app.py", "-"], expected),
        ):
            completed = subprocess.run(
                [ruff, *command, "--no-cache", *args],
                cwd=project,
                capture_output=True,
                text=True,
                input=stdin,
            )
            assert completed.returncode == 0, completed.stdout + completed.stderr


POST_SEEDER = """\
from edmunds.database.seeding.seeder import Seeder
from tests.factories import PostFactory


class PostSeeder(Seeder):
    \"\"\"Posts of the project's own: rows on every `db seed`.\"\"\"

    def run(self):
        PostFactory.create_batch(3)
"""
POSTS_HANDLER = """\
from flask import jsonify

from app.database.models.post import Post
from edmunds.database.db import db


def index():
    posts = db.session.scalars(db.select(Post).order_by(Post.id)).all()
    return jsonify([{"id": post.id, "title": post.title} for post in posts])
"""
POSTS_ROUTE = """\
    writing = Blueprint("posts", __name__, description="Posts")
    writing.add_url_rule("/api/posts", "index", posts.index, methods=["GET"])
    api.register_blueprint(writing)
"""


def test_the_shipped_tests_pass_beside_the_projects_own_code(cookies):
    # A model, a seeder that adds rows every time and a route, each added
    # as the README says: no shipped test may turn red over them.
    project = bake(cookies, project_name="Own Code")
    python = project_python(project)
    manage(project, python, {}, "db", "upgrade")
    manage(project, python, {}, "make", "model", "Post", "title:string:80")
    manage(project, python, {}, "make", "seeder", "PostSeeder")
    (project / "app/database/seeders/postseeder.py").write_text(POST_SEEDER)
    seeders = project / "app/database/seeders/databaseseeder.py"
    source = seeders.read_text()
    assert source.count("SampleSeeder)\n") == 1
    seeders.write_text(
        "from app.database.seeders.postseeder import PostSeeder\n"
        + source.replace(
            "SampleSeeder)\n", "SampleSeeder)\n        self.call(PostSeeder)\n"
        )
    )
    (project / "app/http/handlers/posts.py").write_text(POSTS_HANDLER)
    routes = project / "app/http/routes.py"
    routes.write_text(
        routes.read_text()
        .replace(" home, tags,", " home, posts, tags,")
        .replace(
            "    api.register_blueprint(labels)\n",
            "    api.register_blueprint(labels)\n\n" + POSTS_ROUTE,
        )
    )
    manage(project, python, {}, "db", "migrate", "-m", "Posts")
    manage(project, python, {}, "db", "upgrade")
    seeded = manage(project, python, {}, "db", "seed").stdout
    assert "3 posts" in seeded, seeded

    tested = run(project, python, "-m", "pytest", "-p", "no:cacheprovider")
    assert_baked_suite_passed(tested.stdout)
