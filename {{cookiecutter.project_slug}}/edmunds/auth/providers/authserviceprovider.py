import datetime

from flask_login import LoginManager
from flask_principal import Principal
from flask_security import Security

from edmunds.auth.argon2hash import use_cryptography_for_argon2
from edmunds.auth.commands import auth_group
from edmunds.auth.tokenguard import require_a_token
from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db
from edmunds.support.serviceprovider import ServiceProvider

DEFAULTS = {
    "SECURITY_TOKEN_MAX_AGE": datetime.timedelta(days=1),
    "SECURITY_PASSWORD_HASH": "argon2",
    # argon2 salts each hash itself; no application-wide salt to keep.
    "SECURITY_PASSWORD_SINGLE_HASH": True,
    # The one scheme a stored password may be in. Flask-Security's own list
    # ends with "plaintext": a password column holding a plain string (SQL
    # of the team's own, an import) logged in with that very string.
    "SECURITY_PASSWORD_SCHEMES": ["argon2"],
    "SECURITY_DEPRECATED_PASSWORD_SCHEMES": [],
    "SECURITY_PASSWORD_LENGTH_MIN": 12,
    # Flask-Security's own `users` and `roles` commands, off: `manage.py
    # auth` is this project's (the password from a prompt or stdin, never
    # the command line). Theirs check an address's mail server through
    # dnspython, which the lock leaves out, so `users create` failed.
    "SECURITY_CLI_USERS_NAME": False,
    "SECURITY_CLI_ROLES_NAME": False,
    "AUTH_THROTTLE_ATTEMPTS": 5,
    "AUTH_THROTTLE_ADDRESS_ATTEMPTS": 20,
    "AUTH_THROTTLE_WINDOW": datetime.timedelta(minutes=15),
}


class AuthServiceProvider(ServiceProvider):
    """Users, roles and tokens on Flask-Security, ``APP['auth']`` the Edmunds
    way: its instance names a user datastore (``driver``), the ``user`` and
    ``role`` models it keeps, and the ``login_failure`` model the login's
    throttle counts in.

    - every ``/api/`` route needs a token in the ``Authentication-Token``
      header, but those marked ``@public`` (edmunds/auth/public.py) and the
      docs: tokenguard.py;
    - ``python manage.py auth ...``: commands.py;
    - ``app.auth_security()`` and ``app.auth_userdatastore()`` find them.

    Flask-Security keeps one Security per app, so one instance.
    """

    def register(self):
        app = self.app
        if not app.config("app.auth.enabled", False):
            return
        instances = app.config("app.auth.instances", None) or []
        if len(instances) != 1:
            raise ConfigurationError(
                f"APP['auth']['instances'] holds {len(instances)} instances: "
                "Flask-Security serves exactly one per app"
            )
        instance = instances[0]
        models = instance.get("models") or {}
        if not {"user", "role", "login_failure"} <= set(models):
            raise ConfigurationError(
                f"APP['auth'] instance {instance.get('name')!r} needs 'models' "
                "with a 'user', a 'role' and a 'login_failure' model"
            )
        # config/auth.py sets these; a project without it gets the same.
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        datastore = instance["driver"](db, models["user"], models["role"])
        # Before Security makes its CryptContext from the scheme's name.
        use_cryptography_for_argon2()
        # No blueprint: the API's own routes log in and out
        # (app/http/handlers/auth.py), as JSON, with tokens and no session.
        security = Security(app, datastore, register_blueprint=False)
        # The guard alone reads tokens, from the header alone. Flask-Login's
        # request loader, which Flask-Principal runs before every request,
        # would read one from the query string or the body too, query the
        # user a second time, and swallow a database error (on PostgreSQL,
        # leaving the transaction aborted for the guard's own query).
        app.login_manager.request_loader(lambda request: None)
        # What Flask-Security hooks into every request for sessions, which
        # this API has none of: Flask-Principal's identity, loaded before it
        # (a session read and a SHA-512 of the client's address, /up
        # included) for Flask-Security's permission decorators, where this
        # API asks has_role (tokenguard.require_role); and Flask-Login's
        # remember-me cookie, looked for after it (which reads the session
        # and so answers "Vary: Cookie").
        for hooks in (app.before_request_funcs, app.after_request_funcs):
            hooks[None] = [
                hook
                for hook in hooks.get(None, [])
                if not isinstance(
                    getattr(hook, "__self__", None), (Principal, LoginManager)
                )
            ]
        app.extensions["edmunds.auth"] = {instance["name"]: security}
        # The throttle's count of wrong passwords (edmunds/auth/throttle.py).
        app.extensions["edmunds.auth.failures"] = models["login_failure"]
        app.before_request(require_a_token)
        app.cli.add_command(auth_group)
