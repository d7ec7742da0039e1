import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import edmunds
from app.database.models.user import User
from edmunds.console.generators.calllayout import INDENT, Call, assignment
from edmunds.console.generators.fields import parse_fields
from edmunds.console.generators.names import MAX_NAME
from edmunds.console.manager import Manager
from edmunds.console.providers.consoleserviceprovider import ConsoleServiceProvider
from edmunds.database.providers.migrateserviceprovider import (
    MigrateServiceProvider,
)

# The bake these tests run in (tests/test_framework.py): its edmunds/'s parent.
PROJECT = Path(edmunds.__file__).resolve().parents[1]
CONFIG = """\
from app.database.models.tag import Tag
from app.database.models.user import User
from edmunds.database.drivers.sqlitememory import SqliteMemory

APP = {
    "database": {
        "enabled": True,
        # Where a bake puts User and Tag on an instance of their own too.
        "instances": [
            {"name": "default", "driver": SqliteMemory},
            {"name": "users_database", "driver": SqliteMemory},
        ],
        "modelsandtables": [
            User,
            Tag,
        ],
    },
    "console": {
        "commands": [],
    },
}
"""


@pytest.fixture
def project(make_app):
    app = make_app({"config/app.py": CONFIG})
    app.register(MigrateServiceProvider)
    app.register(ConsoleServiceProvider)
    return app


def make(app, capsys, *args):
    """Run ``make ARGS`` on ``app``: its exit code and error lines."""
    with pytest.raises(SystemExit) as exit_info:
        Manager(lambda: app).run(["make", *args])
    return exit_info.value.code, capsys.readouterr().err.splitlines()


def written(app):
    root = Path(app.root_path)
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def ruff(root, *args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "config", "app"],
        cwd=root,
        capture_output=True,
        text=True,
    )


def test_what_make_writes_passes_ruff_for_names_of_any_accepted_length(project, capsys):
    root = Path(project.root_path)
    shutil.copy(PROJECT / "pyproject.toml", root)
    # From 14 characters a command's message passes 88 columns, from 28 an
    # import does, from 55 even the first line of the import wrapped; a
    # table's NAME takes 63 at most (its table is NAME in snake case).
    for length in (1, 14, 28, 55, 63, MAX_NAME):
        for args in (
            ["model", "M" + "x" * (length - 1), "--table", f"m{length}"],
            ["seeder", "S" + "x" * (length - 1)],
            ["command", "c" * length],
        ):
            assert make(project, capsys, *args) == (0, []), args
    for length in (1, 28, 63):
        args = ["table", "T" + "x" * (length - 1), "--between", "User", "Tag"]
        assert make(project, capsys, *args) == (0, []), args

    for args in (["check"], ["format", "--check"]):
        completed = ruff(root, *args)
        assert completed.returncode == 0, completed.stdout + completed.stderr
    assert len(list(root.glob("app/**/*.py"))) == 3 * 6 + 3


def test_a_name_too_long_for_the_file_system_is_one_line_and_writes_nothing(
    project, capsys, monkeypatch
):
    before = written(project)
    # A file system holding names of 12 bytes at most.
    monkeypatch.setattr(os, "pathconf", lambda path, name: 12)

    code, errors = make(project, capsys, "model", "LongerName", "--table", "t")

    assert (code, errors) == (
        1,
        [
            "Error: app/database/models/longername.py would be a file name of 13 "
            "bytes, and this file system holds 12: pick a shorter name"
        ],
    )
    assert written(project) == before


@pytest.mark.parametrize(
    "args",
    # Past 255 bytes, the file system's limit, too (a table name of 300
    # characters is refused as such).
    [
        ["model", "M" * 300, "--table", "t"],
        ["seeder", "S" * 300],
        ["command", "c" * 300],
    ],
)
def test_a_name_past_the_longest_is_one_line_and_writes_nothing(project, capsys, args):
    before = written(project)

    code, errors = make(project, capsys, *args)

    assert code == 1 and len(errors) == 1, errors
    assert f"has 300 characters: at most {MAX_NAME}" in errors[0]
    assert written(project) == before


@pytest.mark.parametrize(
    "args",
    [
        ["model", "Version", "--table", "alembic_version"],
        ["table", "AlembicVersion", "--between", "User", "Tag"],
    ],
)
def test_alembic_s_own_table_is_no_model_s(project, capsys, args):
    # Alembic keeps it outside every metadata: db migrate and db check
    # would never see a model mapped onto it.
    before = written(project)

    code, errors = make(project, capsys, *args)

    assert (code, errors) == (
        1,
        [
            "Error: alembic_version is the table where each database records "
            "its revision: pick another name (or --table)"
        ],
    )
    assert written(project) == before


def test_a_config_that_cannot_be_written_leaves_no_new_file(
    project, capsys, monkeypatch
):
    before = written(project)
    open_path = Path.open

    def full_disk(path, mode="r", *args, **kwargs):
        if path.name == "app.py" and "w" in mode:
            raise OSError(28, "No space left on device")
        return open_path(path, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full_disk)

    # A table name of its own: the project's models are loaded too.
    code, errors = make(project, capsys, "model", "Post", "--table", "t_posts")

    assert code == 1
    assert errors == [
        f"Error: cannot write {project.root_path}/config/app.py: "
        "No space left on device"
    ]
    assert written(project) == before


# make model's fields (edmunds/console/generators/fields.py).
ISSUE_FIELDS = (
    "title:string:120",
    "body:text?",
    "published:boolean",
    "user:references",
)


# The samples' tests/factories.py, as a bake has it before make adds to it.
FACTORIES = """\
import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.database.models.tag import Tag
from app.database.models.user import User
from edmunds.database.db import db


class Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = db.session
        sqlalchemy_session_persistence = "flush"


class UserFactory(Factory):
    class Meta:
        model = User

    name = factory.Faker("name")


class TagFactory(Factory):
    class Meta:
        model = Tag
        sqlalchemy_get_or_create = ("name",)

    name = factory.Faker("word")
"""


@pytest.fixture
def with_factories(make_app):
    app = make_app({"config/app.py": CONFIG, "tests/factories.py": FACTORIES})
    app.register(MigrateServiceProvider)
    app.register(ConsoleServiceProvider)
    return app


def user_instance():
    # Where the samples' User lives: on users_database in a bake that has it.
    return User.__bind_key__ or "default"


@pytest.mark.parametrize(
    ("spec", "column", "fake"),
    [
        ("title:string", "db.String(255), nullable=False", '"text", max_nb_chars=255'),
        ("code:string:4?", "db.String(4)", '"pystr", max_chars=4'),
        ("title:string:5", "db.String(5), nullable=False", '"text", max_nb_chars=5'),
        ("body:text", "db.Text, nullable=False", '"paragraph"'),
        ("count:integer?", "db.Integer", '"pyint"'),
        ("done:boolean", "db.Boolean, nullable=False", '"pybool"'),
        ("ratio:float", "db.Float, nullable=False", '"pyfloat"'),
        (
            "price:numeric",
            "db.Numeric(10, 2), nullable=False",
            '"pydecimal", left_digits=8, right_digits=2',
        ),
        (
            "share:numeric:5,5?",
            "db.Numeric(5, 5)",
            '"pydecimal", left_digits=0, right_digits=5',
        ),
        ("on:date", "db.Date, nullable=False", '"date_object"'),
        ("at:datetime?", "db.DateTime", '"date_time"'),
        ("data:json", "db.JSON, nullable=False", '"pydict", value_types=[str, int]'),
    ],
)
def test_a_field_is_its_column_and_a_faker_value(spec, column, fake):
    (field,) = parse_fields([spec])

    assert str(field.column()) == f"db.Column({column})"
    assert str(field.fake) == f"factory.Faker({fake})"


def test_a_reference_is_an_indexed_key_and_a_relationship():
    (field,) = parse_fields(["blog_post:references?"])
    field = field.referencing("BlogPost", "blog_posts.id", "db.Integer")

    assert field.column_name == "blog_post_id"
    assert str(field.column()) == (
        'db.Column(db.Integer, db.ForeignKey("blog_posts.id"), index=True)'
    )
    assert str(field.relationship()) == 'relationship("BlogPost")'


FIELD_REFUSALS = [
    (["title"], "field 'title' is not NAME:TYPE[:ARG][?]"),
    (["title:string:120:x"], "is not NAME:TYPE[:ARG][?]"),
    (["title?:string"], "is not NAME:TYPE[:ARG][?]"),
    (["title:string??"], "is not NAME:TYPE[:ARG][?]"),
    ([":string"], "is not NAME:TYPE[:ARG][?]"),
    (["title:varchar"], "unknown type 'varchar': the types are string, text,"),
    (["body:text:5"], "field 'body:text:5': text takes no argument"),
    (["user:references:User"], "references takes no argument"),
    (["title:string:0"], "string takes a length from 1 to 16383"),
    (["title:string:16384"], "string takes a length from 1 to 16383"),
    (["title:string:1_0"], "string takes a length"),
    (["title:string:١٢"], "string takes a length"),
    (["price:numeric:10"], "numeric takes PRECISION,SCALE"),
    (["price:numeric:66,2"], "numeric takes PRECISION,SCALE"),
    (["price:numeric:4,5"], "numeric takes PRECISION,SCALE"),
    (["price:numeric:40,31"], "numeric takes PRECISION,SCALE"),
    (["Title:string"], "field name 'Title' must be lower case"),
    (["_title:string"], "field name '_title' must be lower case"),
    (["1st:string"], "field name '1st' must be lower case"),
    (["títle:string"], "field name 'títle' must be lower case"),
    (["class:string"], "field name 'class' is a Python keyword"),
    (["id:integer"], "field name 'id' is the primary key"),
    (["metadata:json"], "field name 'metadata' would hide db.Model's 'metadata'"),
    (["query:string"], "would hide db.Model's 'query'"),
    (["registry:string"], "would hide db.Model's 'registry'"),
    (["db:string"], "would hide the model file's import 'db'"),
    (["x" * 64 + ":string"], "has 64 characters: at most 63 for a string field"),
    (["u" * 61 + ":references"], "at most 60 for a references field"),
    (
        ["title:string", "title:text"],
        "fields 'title:string' and 'title:text' both make 'title'",
    ),
    (
        ["user:references", "user_id:integer"],
        "fields 'user:references' and 'user_id:integer' both make 'user_id'",
    ),
    (["author:references"], "needs one model whose snake-case name is 'author'"),
    (["user_tags:references"], "needs one model whose snake-case name is"),
]


@pytest.mark.parametrize(("fields", "words"), FIELD_REFUSALS)
def test_a_bad_field_is_one_line_and_writes_nothing(
    with_factories, capsys, fields, words
):
    before = written(with_factories)

    args = ["model", "Post", *fields, "--table", "t_posts"]
    code, errors = make(with_factories, capsys, *args)

    assert code == 1 and len(errors) == 1, errors
    assert errors[0].startswith("Error: ") and words in errors[0], errors
    assert written(with_factories) == before


def test_a_reference_to_another_instance_is_refused(with_factories, capsys):
    before = written(with_factories)
    other = "default" if user_instance() == "users_database" else "users_database"

    code, errors = make(
        with_factories, capsys, "model", "Post", "user:references", "--instance", other
    )

    assert (code, errors) == (
        1,
        [
            f"Error: field 'user:references': User lives on database instance "
            f"{user_instance()!r}, the new model on {other!r}; a foreign key cannot "
            f"point into another database (--instance {user_instance()})"
        ],
    )
    assert written(with_factories) == before


@pytest.mark.parametrize(
    ("existing", "fields", "words"),
    [
        ("class PostFactory(Factory):\n    pass\n", [], "a 'PostFactory'"),
        ("from app.database.models.user import User as Post\n", [], "a 'Post'"),
        ("", ["create:string"], "would hide factory-boy's PostFactory.create"),
        ("", ["build:integer"], "would hide factory-boy's PostFactory.build"),
    ],
)
def test_what_the_factories_have_is_refused(
    with_factories, capsys, existing, fields, words
):
    factories = Path(with_factories.root_path) / "tests" / "factories.py"
    factories.write_text(factories.read_text() + existing)
    before = written(with_factories)

    args = ["model", "Post", "title:string", *fields, "--table", "t_posts"]
    code, errors = make(with_factories, capsys, *args)

    assert code == 1 and len(errors) == 1 and words in errors[0], errors
    assert written(with_factories) == before


def test_the_issue_s_model_and_factory_are_written(with_factories, capsys):
    root = Path(with_factories.root_path)
    factories = (root / "tests" / "factories.py").read_text()
    bind_key = "None" if user_instance() == "default" else '"users_database"'
    instance = [] if user_instance() == "default" else ["--instance", "users_database"]

    with pytest.raises(SystemExit) as exit_info:
        Manager(lambda: with_factories).run(
            ["make", "model", "Post", *ISSUE_FIELDS, "--table", "t_posts", *instance]
        )

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.splitlines() == [
        "Wrote app/database/models/post.py; Post is listed in config/app.py's "
        "modelsandtables.",
        "Added PostFactory to tests/factories.py.",
        'Next: python manage.py db migrate -m "Add t_posts"',
    ]
    assert (
        (root / "app/database/models/post.py").read_text()
        == f"""\
from edmunds.database.db import db, relationship


class Post(db.Model):
    __tablename__ = "t_posts"
    # The database instance it lives on; None is the default one.
    __bind_key__ = {bind_key}

    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(120), nullable=False)
    body = db.Column(db.Text)
    published = db.Column(db.Boolean, nullable=False)
    user_id = db.Column(
        db.Integer, db.ForeignKey("users.id"), nullable=False, index=True
    )

    user = relationship("User")

    def __repr__(self):
        return f"<{{type(self).__name__}} {{self.id}}>"
"""
    )
    assert (root / "tests/factories.py").read_text() == factories.replace(
        "from app.database.models.tag import Tag\n",
        "from app.database.models.post import Post\n"
        "from app.database.models.tag import Tag\n",
    ) + (
        "\n\nclass PostFactory(Factory):\n"
        "    class Meta:\n"
        "        model = Post\n\n"
        '    title = factory.Faker("text", max_nb_chars=120)\n'
        '    body = factory.Faker("paragraph")\n'
        '    published = factory.Faker("pybool")\n'
        "    user = factory.SubFactory(UserFactory)\n"
    )


def test_a_model_without_fields_gets_no_factory(with_factories, capsys):
    before = written(with_factories)["tests/factories.py"]

    assert make(with_factories, capsys, "model", "Post", "--table", "t_posts") == (
        0,
        [],
    )
    assert written(with_factories)["tests/factories.py"] == before


def test_a_reference_without_a_factory_of_its_model_is_left_to_the_caller(
    with_factories, capsys
):
    factories = Path(with_factories.root_path) / "tests" / "factories.py"
    factories.write_text(factories.read_text().replace("UserFactory", "People"))

    args = ["model", "Post", "user:references?", "--table", "t_posts"]
    if user_instance() != "default":
        args += ["--instance", user_instance()]
    assert make(with_factories, capsys, *args) == (0, [])

    assert factories.read_text().endswith(
        "        model = Post\n\n"
        "    # user: no UserFactory here to make one; pass it, PostFactory(user=...)\n"
    )


def test_without_tests_factories_py_the_model_is_written_alone(project, capsys):
    with pytest.raises(SystemExit) as exit_info:
        Manager(lambda: project).run(
            ["make", "model", "Post", "title:string", "--table", "t_posts"]
        )

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(
        "No tests/factories.py: no factory written.\nWrote app/database/models/"
    )
    assert (
        "title = "
        in (Path(project.root_path) / "app/database/models/post.py").read_text()
    )


def test_factories_that_cannot_be_written_leave_nothing_changed(
    with_factories, capsys, monkeypatch
):
    before = written(with_factories)
    write_bytes = Path.write_bytes

    def full_disk(path, data):
        if path.name == "factories.py":
            raise OSError(28, "No space left on device")
        return write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)

    code, errors = make(
        with_factories, capsys, "model", "Post", "title:string", "--table", "t_posts"
    )

    assert (code, errors) == (
        1,
        [
            f"Error: cannot write {with_factories.root_path}/tests/factories.py: "
            "No space left on device"
        ],
    )
    assert written(with_factories) == before


def test_fields_of_any_accepted_length_pass_ruff(with_factories, capsys):
    # Every type, its name at the longest a column takes, in a model whose
    # name is the longest accepted; then the shortest names.
    root = Path(with_factories.root_path)
    shutil.copy(PROJECT / "pyproject.toml", root)
    instance = [] if user_instance() == "default" else ["--instance", "users_database"]
    kinds = [
        f"{kind}{nullable}"
        for kind in (
            "string",
            "string:16383",
            "text",
            "integer",
            "boolean",
            "float",
            "numeric:65,30",
            "date",
            "datetime",
            "json",
        )
        for nullable in ("", "?")
    ]
    for name, length in (("M" * MAX_NAME, 63), ("N", 2)):
        specs = [
            f"f{index}".ljust(length, "x") + f":{kind}"
            for index, kind in enumerate(kinds)
        ]
        args = ["model", name, *specs, "user:references", "tag:references?"]
        assert make(
            with_factories, capsys, *args, "--table", f"t{length}", *instance
        ) == (0, []), args

    for args in (["check"], ["format", "--check"]):
        completed = ruff(root, *args, "tests")
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_long_reference_is_laid_out_as_ruff_lays_it_out(tmp_path):
    (field,) = parse_fields(["r" * 60 + ":references"])
    field = field.referencing("M" * MAX_NAME, "t" * 63 + ".id", "db.BigInteger")
    (tmp_path / "model.py").write_text(
        "from edmunds.database.db import db, relationship\n\n\n"
        "class M(db.Model):\n"
        + assignment(INDENT, field.column_name, field.column())
        + assignment(INDENT, field.name, field.relationship())
        + assignment(
            INDENT, field.name, Call("factory.SubFactory", (f"{'M' * 64}Factory",))
        )
    )
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            "--diff",
            "--no-cache",
            ".",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
