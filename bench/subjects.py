"""The two apps under test: the baked project and the hand-written baseline.

Both run with the same interpreter and packages (the venv of the baked
project's lock), each in a folder of its own under the work folder. Beside
them, the two routes a newcomer may take from a clone to green tests.
"""

import copy
import hashlib
import re
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

from tests.conftest import TOKEN_HEADER, clean_env

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = BENCH_DIR.parent
SECOND_INSTANCE = "second"


class BenchError(Exception):
    """Something the benchmark needs went wrong: reported as one line."""


def bake_argv(output_dir):
    """A default bake from the command line, with the runner's cookiecutter."""
    cookiecutter = Path(sys.executable).parent / "cookiecutter"
    return [cookiecutter, "--no-input", TEMPLATE_DIR, "--output-dir", output_dir]


class Subject:
    """One app under test: where it lives and how its commands are run.

    Every request of a measure sends ``token`` in the Authentication-Token
    header: both apps read its user from it, as each request of an API with
    authentication does. It is signed with the app's own key for the first
    seeded user, whose uniquifier every seed() writes again: it stays valid
    throughout.
    """

    name = ""
    boot_module = ""
    token = None
    # What seed() empties, what points at others first.
    seeded_tables = ("user_tags", "user_roles", "users", "tags")
    # Python run in the app's folder that prints the token (mint_token).
    mint_token_source = ""

    def __init__(self, root, python):
        self.root = Path(root)
        self.python = Path(python)

    @property
    def app_spec(self):
        return f"{self.boot_module}:app"

    def env(self):
        environment = clean_env()
        # Python caches bytecode unless told not to; a sandbox that tells it
        # not to would make each run recompile every module of the app, a
        # cost that grows with the number of files rather than with the work.
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        if self.token is not None:
            environment["BENCH_TOKEN"] = self.token  # for probe.py
        return environment

    def headers(self):
        """What every measured request sends besides its body's type."""
        return {TOKEN_HEADER: self.token} if self.token is not None else {}

    def cli(self, *args):
        """The argv of one of the app's console commands."""
        raise NotImplementedError

    def run(self, argv, timeout=600):
        completed = subprocess.run(
            [str(part) for part in argv],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if completed.returncode != 0:
            output = (completed.stderr or completed.stdout).strip().splitlines()
            last = output[-1] if output else "no output"
            raise BenchError(
                f"{self.name}: `{' '.join(map(str, argv[1:]))}` exited "
                f"{completed.returncode}: {last}"
            )
        return completed

    def copy(self, destination):
        shutil.copytree(
            self.root, destination, ignore=shutil.ignore_patterns("__pycache__")
        )
        clone = copy.copy(self)
        clone.root = Path(destination)
        return clone

    def seed(self, users=100, tags=10, tags_per_user=3):
        """Fill users, tags and user_tags afresh; both apps share the schema."""
        with sqlite3.connect(self.database) as connection:
            for table in self.seeded_tables:
                connection.execute(f"DELETE FROM {table}")
            # name_key: the name as both apps compare it (NFKC, case folded).
            connection.executemany(
                "INSERT INTO tags (id, name, name_key) VALUES (?, ?, ?)",
                [
                    (tag, f"tag-{tag}", _name_key(f"tag-{tag}"))
                    for tag in range(1, tags + 1)
                ],
            )
            connection.executemany(*self.users_insert(users))
            connection.executemany(
                "INSERT INTO user_tags (user_id, tag_id) VALUES (?, ?)",
                [
                    (user, (user + offset) % tags + 1)
                    for user in range(1, users + 1)
                    for offset in range(tags_per_user)
                ],
            )
        connection.close()

    def users_insert(self, users):
        """Users as authentication has them: active, each with a uniquifier,
        the first the token's user."""
        return (
            "INSERT INTO users (id, name, fs_uniquifier, active) VALUES (?, ?, ?, 1)",
            [
                (user, f"user-{user}", BENCH_UNIQUIFIER if user == 1 else f"u{user}")
                for user in range(1, users + 1)
            ],
        )

    def mint_token(self):
        """Set ``token``: the login's token for the first seeded user."""
        source = MINT_TOKEN.format(app=self.mint_token_source)
        minted = self.run([self.python, "-c", source, BENCH_UNIQUIFIER])
        self.token = minted.stdout.strip()

    def tables(self):
        """The tables of every database of the app, alembic's own left out."""
        names = set()
        for path in self.databases():
            with sqlite3.connect(path) as connection:
                rows = connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                ).fetchall()
            connection.close()
            names.update(name for (name,) in rows if name != "alembic_version")
        return names

    def databases(self):
        return [self.database, self.second_database]

    # Growth: a second database instance, then generated models over both.

    def with_second_instance(self, destination):
        raise NotImplementedError

    def add_models(self, count):
        raise NotImplementedError

    @staticmethod
    def models_source(model, user_id, count):
        """`count` models; odd ones on the default instance, pointing at users."""
        return "".join(
            model.format(
                number=number,
                bind="None" if number % 2 else f'"{SECOND_INSTANCE}"',
                user=user_id if number % 2 else "",
            )
            for number in range(1, count + 1)
        )


class BakedProject(Subject):
    """A project baked from this template with the default answers."""

    name = "baked"
    boot_module = "wsgi"
    # Served the way it is deployed; the development environment's DEBUG
    # would make it a different app from the baseline.
    app_env = "production"
    mint_token_source = """
from bootstrap.app import bootstrap
from app.database.models.user import User

app = bootstrap()
"""

    def __init__(self, root, python):
        super().__init__(root, python)
        # Copies keep the database file named after the slug.
        self.slug = self.root.name

    @classmethod
    def bake(cls, output_dir, python_for):
        """Bake with the default answers, as `cookiecutter --no-input` does."""
        before = set(Path(output_dir).iterdir())
        completed = subprocess.run(
            bake_argv(output_dir), capture_output=True, text=True
        )
        if completed.returncode != 0:
            output = completed.stderr.strip() or completed.stdout.strip()
            errors = output.splitlines() or ["no output"]
            raise BenchError(f"the default bake failed: {errors[-1]}")
        (root,) = set(Path(output_dir).iterdir()) - before
        project = cls(root, python_for(root))
        project.run(project.cli("db", "upgrade"))
        return project

    @property
    def database(self):
        return self.root / "storage" / "database" / f"{self.slug}.db"

    @property
    def second_database(self):
        return self.root / "storage" / "database" / f"{SECOND_INSTANCE}.db"

    def env(self):
        return {**super().env(), "APP_ENV": self.app_env}

    def cli(self, *args):
        return [self.python, "manage.py", *args]

    def with_second_instance(self, destination):
        """A copy with a second database instance, both databases at head."""
        project = self.copy(destination)
        instance = (
            "            {\n"
            f'                "name": "{SECOND_INSTANCE}",\n'
            '                "driver": Sqlite,\n'
            f'                "file": "/database/{SECOND_INSTANCE}.db",\n'
            "            },\n"
        )
        # The first list closed in config/app.py is "instances".
        _insert_before(project.root / "config/app.py", "        ],\n", instance)
        project.run(project.cli("db", "upgrade"))
        return project

    def add_models(self, count):
        listed = ", ".join(f"Model{number:04}" for number in range(1, count + 1))
        (self.root / "app/database/models/generated.py").write_text(
            "from edmunds.database.db import db\n"
            + self.models_source(BAKED_MODEL, BAKED_USER_ID, count)
            + f"\n\nGENERATED = [{listed}]\n"
        )
        config = self.root / "config/app.py"
        _insert_before(
            config,
            "from edmunds.database.drivers.sqlite import Sqlite\n",
            "from app.database.models.generated import GENERATED\n",
        )
        # The end of modelsandtables, the last list of APP["database"].
        _insert_before(config, "        ],\n    },\n", "            *GENERATED,\n")


class Baseline(Subject):
    """bench/baseline, its migrations made by Flask-Migrate's own `db init`."""

    name = "baseline"
    boot_module = "app"
    mint_token_source = "from app import User, app"

    @classmethod
    def prepare(cls, root, python, second_instance=False):
        shutil.copytree(
            BENCH_DIR / "baseline",
            root,
            ignore=shutil.ignore_patterns("__pycache__", "instance", "migrations"),
        )
        baseline = cls(root, python)
        if second_instance:
            binds = (
                'app.config["SQLALCHEMY_BINDS"] = '
                f'{{"{SECOND_INSTANCE}": "sqlite:///{SECOND_INSTANCE}.db"}}\n'
            )
            _insert_before(baseline.root / "app.py", "db.init_app(app)\n", binds)
        # Flask-Migrate's documented first steps.
        baseline.run(baseline.cli("db", "init", "--multidb"))
        baseline.run(baseline.cli("db", "migrate", "-m", "initial"))
        baseline.run(baseline.cli("db", "upgrade"))
        return baseline

    @property
    def database(self):
        return self.root / "instance" / "baseline.db"

    @property
    def second_database(self):
        return self.root / "instance" / f"{SECOND_INSTANCE}.db"

    def cli(self, *args):
        return [self.python.parent / "flask", "--app", self.boot_module, *args]

    def with_second_instance(self, destination):
        return self.prepare(destination, self.python, second_instance=True)

    def add_models(self, count):
        (self.root / "generated.py").write_text(
            "from sqlalchemy import ForeignKey, String\n"
            "from sqlalchemy.orm import Mapped, mapped_column\n\n"
            "from app import db\n"
            + self.models_source(BASELINE_MODEL, BASELINE_USER_ID, count)
        )
        with open(self.root / "app.py", "a") as module:
            module.write("\nimport generated  # noqa: E402, F401\n")


# The token's user, and the token as the login would sign it for them.
BENCH_UNIQUIFIER = "bench-token-user"
MINT_TOKEN = """
import sys
{app}
with app.app_context():
    print(User(fs_uniquifier=sys.argv[1]).get_auth_token())
"""

# Growth: one generated model in each app's own style. Those on the default
# instance point at users, as real models would.
BAKED_MODEL = """

class Model{number:04}(db.Model):
    __tablename__ = "generated_{number:04}"
    __bind_key__ = {bind}

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), nullable=False, index=True)
    amount = db.Column(db.Integer){user}
"""
BAKED_USER_ID = """
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))"""

BASELINE_MODEL = """

class Model{number:04}(db.Model):
    __tablename__ = "generated_{number:04}"
    __bind_key__ = {bind}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    amount: Mapped[int | None]{user}
"""
BASELINE_USER_ID = """
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))"""


def _name_key(name):
    folded = unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", name).casefold()
    )
    return hashlib.sha256(folded.encode()).hexdigest()


def _insert_before(path, anchor, text):
    source = path.read_text()
    if anchor not in source:
        raise BenchError(f"{path.name} has changed: {anchor.strip()!r} is not in it")
    path.write_text(source.replace(anchor, text + anchor, 1))


class CloneRoute(Subject):
    """A newcomer's way from a clone of the baked project to green tests.

    The baked README's own commands ("Get it running"): its uv block up to
    the tests, or the same clone followed by its block for pip alone. Each
    run starts from an empty folder; uv and pip keep their usual caches.
    """

    def __init__(self, name, baked, workdir, python, uv):
        super().__init__(Path(workdir) / f"clone-{name}", python)
        self.name = name
        uv_block, pip_block = _readme_routes(baked.root / "README.md")
        clone = uv_block[0]
        lines = (
            uv_block[: _first(uv_block, "pytest") + 1]
            if name == "uv"
            else [
                clone,
                *pip_block,
            ]
        )
        self.script = "\n".join(lines).replace("<repository-url>", str(baked.root))
        # python3 and uv by their own paths: pyenv's shims would choose
        # another Python, or none, in a folder with a .python-version.
        self.tools = Path(workdir) / f"tools-{name}"
        self.tools.mkdir(exist_ok=True)
        for tool, target in (("python3", python), ("uv", uv)):
            if not (self.tools / tool).exists():
                (self.tools / tool).symlink_to(target)

    def env(self):
        environment = super().env()
        environment["PATH"] = f"{self.tools}:{environment['PATH']}"
        environment["UV_PYTHON"] = str(self.python)
        environment["UV_PYTHON_DOWNLOADS"] = "never"
        return environment

    def argv(self):
        """The route as one shell script, in a fresh folder."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir()
        return ["bash", "-ec", self.script]


def _readme_routes(readme):
    """The uv and pip code blocks of the README's "Get it running" section."""
    text = readme.read_text()
    section = re.search(r"^## Get it running\n(.*?)(?=^## )", text, re.M | re.S)
    blocks = re.findall(
        r"^```bash\n(.*?)^```", section.group(1) if section else "", re.M | re.S
    )
    uv_block = [block for block in blocks if block.startswith("git clone ")]
    pip_block = [block for block in blocks if "--group dev" in block]
    if len(uv_block) != 1 or len(pip_block) != 1:
        raise BenchError(
            "the baked README's 'Get it running' has changed: no uv and pip routes"
        )
    return uv_block[0].strip().splitlines(), pip_block[0].strip().splitlines()


def _first(lines, word):
    return next(index for index, line in enumerate(lines) if word in line)
