import os

from edmunds.config.configurationerror import ConfigurationError


class Driver:
    """One database instance: where its settings come from and its engine.

    A setting is looked up, first match wins, in: the environment
    (``DB_<NAME>_<KEY>``, e.g. ``DB_DEFAULT_PASS``), the config files under
    the same flat name (``.env.py`` is the place for credentials), and the
    instance's dict in ``config/app.py``. So the same code runs on a laptop,
    in CI and in production with nothing secret in git.
    """

    required = ()
    # Per-instance SQLAlchemy engine options; an instance's 'engine_options'
    # dict is merged over them.
    engine_defaults = {}

    def __init__(self, app, instance):
        self.app = app
        self.name = instance["name"]
        self.instance = instance
        for key in self.required:
            if self.setting(key) in (None, ""):
                raise ConfigurationError(
                    f"database instance {self.name!r}: missing {key!r} (set it in "
                    f"config/app.py, or as {self.env_name(key)} in .env.py or "
                    "the environment)"
                )

    def env_name(self, key):
        return f"DB_{self.name.upper()}_{key.upper()}"

    def setting(self, key, default=None):
        flat = self.env_name(key)
        if flat in os.environ:
            return os.environ[flat]
        if flat in self.app.config:
            return self.app.config[flat]
        return self.instance.get(key, default)

    def url(self):
        """The instance's ``sqlalchemy.engine.URL``."""
        raise NotImplementedError

    def engine_options(self):
        return {**self.engine_defaults, **self.instance.get("engine_options", {})}

    def prepare_engine(self, engine):
        """Hook to attach engine events before the first connection."""
