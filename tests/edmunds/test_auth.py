"""edmunds/auth/: APP['auth'] on Flask-Security, the token guard, the login
and its throttle."""

import pytest
from flask import g
from flask_security.utils import hash_password
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from edmunds.auth.login import log_in
from edmunds.auth.providers.authserviceprovider import AuthServiceProvider
from edmunds.auth.public import public
from edmunds.auth.tokenguard import require_role
from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db

CONFIG = """\
from flask_security import SQLAlchemyUserDatastore

from app.database.models.loginfailure import LoginFailure
from app.database.models.role import Role
from app.database.models.user import User
from edmunds.database.drivers.sqlite import Sqlite

APP = {{
    'database': {{
        'enabled': True,
        'instances': [
            {{'name': 'main', 'driver': Sqlite, 'file': '/database/auth.db'}},
        ],
        'modelsandtables': [],
    }},
    'auth': {{
        'enabled': {enabled},
        'instances': [{instances}],
    }},
}}
"""
INSTANCE = (
    "{'name': 'authsqlalchemy', 'driver': SQLAlchemyUserDatastore, "
    "'models': {'user': User, 'role': Role, 'login_failure': LoginFailure}}"
)
ENV = """\
TESTING = True
SECRET_KEY = "testing-only-not-a-secret"
SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS = {
    "argon2__memory_cost": 1024,
    "argon2__rounds": 1,
}
"""
PASSWORD = "correct horse battery"


@pytest.fixture
def build(make_app):
    def build(enabled=True, instances=INSTANCE):
        config = CONFIG.format(enabled=enabled, instances=instances)
        app = make_app({"config/app.py": config, ".env.testing.py": ENV})
        app.register(AuthServiceProvider)

        @app.route("/api/secret")
        def secret():
            return {"user": g._login_user.email}

        @app.route("/api/admins")
        def admins():
            require_role("admin")
            return {"ok": True}

        @app.route("/api/open")
        @public
        def open_():
            return {"open": True}

        with app.app_context():
            db.create_all()
        return app

    return build


def a_user(app, email="ada@example.com", roles=()):
    with app.app_context():
        datastore = app.auth_userdatastore()
        user = datastore.create_user(
            email=email, name="Ada", password=hash_password(PASSWORD), tags=[]
        )
        for role in roles:
            datastore.add_role_to_user(user, datastore.find_or_create_role(role))
        db.session.commit()
        return user.get_auth_token()


def test_the_instance_is_found_by_name_or_as_the_first(build):
    app = build()

    assert app.auth_security() is app.auth_security("authsqlalchemy")
    assert app.auth_userdatastore() is app.auth_security().datastore
    with pytest.raises(ConfigurationError, match="no instance named 'other'"):
        app.auth_security("other")


def test_the_console_has_auth_and_not_flask_security_s_own_groups(build):
    commands = build().cli.list_commands(None)

    assert "auth" in commands
    assert "users" not in commands and "roles" not in commands


def test_disabled_auth_sets_up_nothing(build):
    app = build(enabled=False)

    assert "security" not in app.extensions
    with pytest.raises(ConfigurationError, match="not enabled"):
        app.auth_security()


@pytest.mark.parametrize(
    ("instances", "message"),
    [
        (
            f"{INSTANCE}, {INSTANCE}",
            "holds 2 instances: Flask-Security serves exactly one",
        ),
        ("", "holds 0 instances"),
        (
            "{'name': 'a', 'driver': SQLAlchemyUserDatastore, "
            "'models': {'user': User}}",
            "needs 'models' with a 'user', a 'role' and a 'login_failure' model",
        ),
    ],
)
def test_a_wrong_instance_list_is_one_line(build, instances, message):
    with pytest.raises(ConfigurationError, match=message) as error:
        build(instances=instances)
    assert "\n" not in str(error.value)


def test_the_token_is_read_from_the_header_alone(build):
    app = build()
    token = a_user(app)
    client = app.test_client()

    assert client.get("/api/secret", headers={"Authentication-Token": token}).json == {
        "user": "ada@example.com"
    }
    for refused in [
        client.get(f"/api/secret?auth_token={token}"),
        client.get("/api/secret", json={"auth_token": token}),
        client.get("/api/secret", headers={"Authorization": f"Bearer {token}"}),
    ]:
        assert refused.status_code == 401


def test_public_views_and_the_rest_of_the_site_need_no_token(build):
    client = build().test_client()

    assert client.get("/api/open").status_code == 200
    assert client.get("/api/nowhere").status_code == 404


def test_an_inactive_user_has_no_token_that_works(build):
    app = build()
    token = a_user(app)
    with app.app_context():
        app.auth_userdatastore().find_user(email="ada@example.com").active = False
        db.session.commit()

    response = app.test_client().get(
        "/api/secret", headers={"Authentication-Token": token}
    )

    assert response.status_code == 401


def test_a_role_is_required_where_asked(build):
    app = build()
    plain = a_user(app)
    admin = a_user(app, "root@example.com", roles=["admin"])
    client = app.test_client()

    assert (
        client.get("/api/admins", headers={"Authentication-Token": plain}).status_code
        == 403
    )
    assert (
        client.get("/api/admins", headers={"Authentication-Token": admin}).status_code
        == 200
    )


def test_an_unknown_email_costs_a_password_check_too(build, monkeypatch):
    app = build()
    a_user(app)
    checked = []
    import edmunds.auth.login as login

    real = login.verify_password
    monkeypatch.setattr(
        login, "verify_password", lambda *args: checked.append(args[1]) or real(*args)
    )
    with app.test_request_context("/api/auth/login", method="POST"):
        for email in ("nobody@example.com", "ada@example.com"):
            with pytest.raises(HTTPException) as refused:
                log_in(email, "wrong password")
            assert refused.value.code == 401

    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)


def test_the_throttle_counts_across_replicas(build, monkeypatch):
    # Two apps on one database: what one worker or replica counted, the
    # other sees.
    first, second = build(), build()
    a_user(first)
    limit = first.config.get("AUTH_THROTTLE_ATTEMPTS", 5)
    answers = []
    for attempt in range(limit):
        app = (first, second)[attempt % 2]
        with app.test_request_context("/api/auth/login", method="POST"):
            with pytest.raises(HTTPException) as refused:
                log_in("ada@example.com", "wrong password")
            answers.append(refused.value.code)

    with second.test_request_context("/api/auth/login", method="POST"):
        with pytest.raises(HTTPException) as throttled:
            log_in("ada@example.com", PASSWORD)

    assert answers == [401] * limit
    assert throttled.value.code == 429
    assert int(dict(throttled.value.get_headers())["Retry-After"]) > 0


def test_the_right_password_forgives_the_emails_count(build):
    app = build()
    a_user(app)
    limit = app.config.get("AUTH_THROTTLE_ATTEMPTS", 5)
    with app.test_request_context("/api/auth/login", method="POST"):
        for _ in range(limit - 1):
            with pytest.raises(HTTPException):
                log_in("ada@example.com", "wrong password")
        assert log_in("ada@example.com", PASSWORD)
        with pytest.raises(HTTPException) as refused:
            log_in("ada@example.com", "wrong password")

    assert refused.value.code == 401


def attempts(app, email, password, times=1):
    """The status of each login, as the API answers it."""
    codes = []
    with app.test_request_context("/api/auth/login", method="POST"):
        for _ in range(times):
            try:
                log_in(email, password)
                codes.append(200)
            except HTTPException as refused:
                codes.append(refused.code)
    return codes


@pytest.mark.parametrize(
    "typed", ["ADA@EXAMPLE.COM", "  ada@example.com ", "ada@EXAMPLE.com\t"]
)
def test_another_case_or_spaces_around_log_in_as_the_same_user(build, typed):
    app = build()
    a_user(app)

    assert attempts(app, typed, PASSWORD) == [200]


def test_unicode_forms_of_an_email_and_a_password_are_one(build):
    # A decomposed é (e + U+0301) is what some keyboards and clipboards give.
    app = build()
    composed, decomposed = "\u00e9", "e\u0301"
    with app.app_context():
        datastore = app.auth_userdatastore()
        datastore.create_user(
            email=f"ren{composed}@example.com",
            name="Rene",
            password=hash_password(
                app.extensions["security"]._password_util.normalize(
                    f"caf{composed} au lait please"
                )
            ),
            tags=[],
        )
        db.session.commit()

    assert attempts(
        app, f"REN{decomposed}@example.com", f"caf{decomposed} au lait please"
    ) == [200]


def test_the_throttle_counts_every_spelling_of_an_email_as_one(build):
    app = build()
    a_user(app)
    limit = app.config["AUTH_THROTTLE_ATTEMPTS"]
    spellings = ["ada@example.com", "Ada@example.com", "ADA@example.com"]
    codes = []
    for attempt in range(limit):
        codes += attempts(app, spellings[attempt % 3], "wrong password")

    assert codes == [401] * limit
    assert attempts(app, "aDa@Example.COM ", PASSWORD) == [429]


def test_an_unknown_email_is_counted_whatever_its_case(build):
    app = build()
    limit = app.config["AUTH_THROTTLE_ATTEMPTS"]
    codes = []
    for attempt in range(limit):
        codes += attempts(app, ["Eve@x.io", "eve@X.io", "EVE@x.io"][attempt % 3], "x")

    assert codes == [401] * limit
    assert attempts(app, "eve@x.io", "x") == [429]


@pytest.mark.parametrize(
    ("email", "password"),
    [
        # PostgreSQL refuses a NUL byte in a query's string: no query is made.
        ("ada\x00@example.com", PASSWORD),
        ("a" * 100_000 + "@example.com", PASSWORD),
        ("not an email", PASSWORD),
        # passlib hashes at most 4096 bytes and raises above.
        ("ada@example.com", "p" * 5000),
        ("ada@example.com", "\u00e9" * 2100),
        ("ada@example.com", "pass\x00word"),
    ],
)
def test_what_no_user_can_have_is_a_plain_401(build, email, password):
    app = build()
    a_user(app)

    assert attempts(app, email, password) == [401]


def store_password(app, stored):
    """Writes ``stored`` as Ada's password column, as SQL of a team's own
    would."""
    with app.app_context():
        user = app.auth_userdatastore().find_user(email="ada@example.com")
        user.password = stored
        db.session.commit()


@pytest.mark.parametrize(
    "stored",
    [
        PASSWORD,
        # Hashes of schemes passlib knows, but not the one this app stores.
        "$pbkdf2-sha256$29000$N2YMIWQsBWBMae09x1jrPQ$1t8iyB2A.WF/Z5JZv.lfCIhXXN33N23OSgQYThBYRfk",
        "",
    ],
)
def test_only_an_argon2_hash_opens_an_account(build, stored):
    # Flask-Security's default schemes end with plaintext: a plain string in
    # the column logged in with that string.
    app = build()
    a_user(app)
    store_password(app, stored)

    assert attempts(app, "ada@example.com", PASSWORD) == [401]
    assert attempts(app, "ada@example.com", stored) == [401]


# Written by argon2-cffi, i.e. the reference C implementation, for PASSWORD
# and a fixed salt: what projects stored before argon2 was computed through
# cryptography, or any other argon2 library stores, opens its account.
REFERENCE_HASHES = [
    "$argon2id$v=19$m=1024,t=2,p=2$ZWRtdW5kcy10ZW1wbGF0ZQ$3+myn7NhWEpswkUebPBZm/wkRO+ztSCsVizn3uVjNdk",
    "$argon2i$v=19$m=1024,t=2,p=2$ZWRtdW5kcy10ZW1wbGF0ZQ$i6ML6TxU31v+YofKJmy8BRMzsMWANlRgfJAGAtkfFyc",
    "$argon2d$v=19$m=1024,t=2,p=2$ZWRtdW5kcy10ZW1wbGF0ZQ$ozEy5RCDZxyPEdrfkObdvIvZAFP+voHwTNKezxxiQ9g",
    "$argon2id$v=19$m=19456,t=2,p=1$ZWRtdW5kcy10ZW1wbGF0ZQ$z3ZMEDm1Ut0hm9bYw8VozQbGAZlj7OiZhY0lQahlCEg",
]


@pytest.mark.parametrize("stored", REFERENCE_HASHES)
def test_hashes_of_the_reference_implementation_open_their_account(build, stored):
    app = build()
    a_user(app)
    store_password(app, stored)

    assert attempts(app, "ada@example.com", "correct horse batterY") == [401]
    assert attempts(app, "ada@example.com", PASSWORD) == [200]
    # The hash's last character changed: the same password no longer opens it.
    store_password(app, stored[:-1] + ("A" if stored[-1] != "A" else "B"))
    assert attempts(app, "ada@example.com", PASSWORD) == [401]


def test_passwords_are_hashed_as_configured_through_cryptography(build):
    app = build()
    a_user(app)
    with app.app_context():
        context = app.extensions["security"].pwd_context
        assert context.handler("argon2").get_backend() == "cryptography"
        stored = app.auth_userdatastore().find_user(email="ada@example.com").password
    # ENV's cost, and libpass's defaults: argon2id, 2 lanes, a 16-byte salt
    # and a 16-byte hash.
    scheme, version, settings, salt, digest = stored.split("$")[1:]
    assert (scheme, version, settings) == ("argon2id", "v=19", "m=1024,t=1,p=2")
    assert (len(salt), len(digest)) == (22, 22)


def test_a_deleted_role_is_taken_from_its_users(build):
    app = build()
    token = a_user(app, roles=["admin"])
    with app.app_context():
        db.session.delete(app.auth_userdatastore().find_role("admin"))
        db.session.commit()
        # A role made after, which SQLite may give the same id: no one has it.
        app.auth_userdatastore().find_or_create_role("auditor")
        db.session.commit()
        user = app.auth_userdatastore().find_user(email="ada@example.com")
        assert [role.name for role in user.roles] == []

    response = app.test_client().get(
        "/api/admins", headers={"Authentication-Token": token}
    )
    assert response.status_code == 403


def test_an_email_stored_exactly_so_is_found_before_another_case(build):
    # Two rows differing in case alone (SQL of a team's own; the commands
    # refuse it): each logs in with its own spelling and password.
    app = build()
    a_user(app, "ada@example.com")
    with app.app_context():
        app.auth_userdatastore().create_user(
            email="Ada@example.com",
            name="Other",
            password=hash_password("another long password"),
            tags=[],
        )
        db.session.commit()

    assert attempts(app, "ada@example.com", PASSWORD) == [200]
    assert attempts(app, "Ada@example.com", "another long password") == [200]


def test_an_unknown_email_asks_the_database_as_much_as_a_known_one(build):
    # A query more for some emails would tell, by its time, which exist.
    app = build()
    a_user(app)
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*args):
        statements.append(args[2].split()[0])

    event.listen(engine, "before_cursor_execute", count)
    try:
        counted = []
        for email in ("nobody@example.com", "ada@example.com", "Ada@example.com"):
            statements.clear()
            attempts(app, email, "wrong password")
            counted.append(sorted(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert counted[0] == counted[1] == counted[2]
