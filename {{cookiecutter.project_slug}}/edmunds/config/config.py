import os
import types

from flask import Config as FlaskConfig

from edmunds.config.configurationerror import ConfigurationError
from edmunds.support.privatefiles import refuse_a_shared_secret_file

_MISSING = object()


class Config(FlaskConfig):
    """Flask's config, loaded from Edmunds' files and readable by path.

    ``config('app.database.enabled', default)`` walks nested dicts (and list
    indexes) by dotted key, case-insensitively; ``config('APP_DATABASE_ENABLED')``
    is the flat spelling of the same key. ``config['APP']`` works as in Flask.
    """

    # Until load_project() has read the environment's file, the cautious answer.
    production = True

    def __call__(self, key, default=None):
        value = self._lookup(key)
        return default if value is _MISSING else value

    def has(self, key):
        return self._lookup(key) is not _MISSING

    def load_project(self, root_path, env=None):
        """Load ``config/*.py``, then ``.env.py``, then ``.env.<APP_ENV>.py``.

        ``env`` names the environment; by default the APP_ENV environment
        variable, else ``APP_ENV`` in the files. A ``SECRET_KEY`` in the
        environment overrides them all.

        Later files deep-merge into earlier ones: dicts merge key by key,
        any other value is replaced.

        ``production`` is then set: the environment is production unless
        its own file, ``.env.<APP_ENV>.py``, switches DEBUG or TESTING on
        (``production`` itself always is). Nothing else has a say: not
        ``.env.py``, not a shell's FLASK_DEBUG or ``--debug``, so that a
        ``staging`` copied from .env.production.py stays production.
        """
        self.load_shared(root_path)
        env = env or os.environ.get("APP_ENV") or self.get("APP_ENV")
        if not env:
            raise ConfigurationError(
                "APP_ENV is not set: put APP_ENV = 'development' in .env.py "
                "(copy .env.example.py) or set it in the environment"
            )
        env_specific = os.path.join(root_path, f".env.{env}.py")
        if not os.path.exists(env_specific):
            raise ConfigurationError(
                f"APP_ENV is {env!r} but .env.{env}.py does not exist"
            )
        self["APP_ENV"] = env
        own = self.merge_pyfile(env_specific)
        self.production = env == "production" or not (
            own.get("DEBUG") or own.get("TESTING")
        )
        # Where a deployment usually keeps its key: it wins over every file.
        if os.environ.get("SECRET_KEY"):
            self["SECRET_KEY"] = os.environ["SECRET_KEY"]

    def load_shared(self, root_path):
        """Load what every environment shares: ``config/*.py``, ``.env.py``."""
        config_dir = os.path.join(root_path, "config")
        for filename in sorted(os.listdir(config_dir)):
            if filename.endswith(".py") and not filename.startswith("_"):
                self.merge_pyfile(os.path.join(config_dir, filename))

        env_file = os.path.join(root_path, ".env.py")
        if os.path.exists(env_file):
            # It holds the secrets: refused before it runs when others may
            # read or change it.
            refuse_a_shared_secret_file(env_file)
            self.merge_pyfile(env_file)

    def merge_pyfile(self, filename):
        """Deep-merge the upper-case names a Python file defines; return them."""
        module = types.ModuleType("config")
        module.__file__ = filename
        with open(filename, "rb") as source:
            try:
                code = compile(source.read(), filename, "exec")
            except SyntaxError as error:
                # `.env.py` is edited by hand: a slip there is one line too.
                where = os.path.relpath(filename)
                raise ConfigurationError(
                    f"{where} line {error.lineno}: {error.msg}"
                ) from None
        try:
            exec(code, module.__dict__)
        except ImportError as error:
            raise ConfigurationError.from_import_error(error) from None
        except Exception as error:
            raise ConfigurationError.from_error_in(filename, error) from None
        defined = {key: value for key, value in vars(module).items() if key.isupper()}
        for key, value in defined.items():
            self[key] = _deep_merge(self.get(key, _MISSING), value)
        return defined

    def _lookup(self, key):
        if key in self:
            return self[key]
        if "." in key:
            node = self
            for part in key.split("."):
                node = _child(node, part)
                if node is _MISSING:
                    break
            return node
        return _walk_flat(self, key.split("_"))


def _deep_merge(base, override):
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _deep_merge(base.get(key, _MISSING), value)
        return merged
    return override


def _child(node, name):
    if isinstance(node, dict):
        for key in node:
            if isinstance(key, str) and key.lower() == name.lower():
                return node[key]
    elif isinstance(node, (list, tuple)) and name.isdigit():
        index = int(name)
        if index < len(node):
            return node[index]
    return _MISSING


def _walk_flat(node, tokens):
    # Keys may hold underscores themselves ('pool_size'), so try every way
    # of grouping the remaining tokens into the next key, longest first.
    if not tokens:
        return node
    for count in range(len(tokens), 0, -1):
        child = _child(node, "_".join(tokens[:count]))
        if child is not _MISSING:
            found = _walk_flat(child, tokens[count:])
            if found is not _MISSING:
                return found
    return _MISSING
