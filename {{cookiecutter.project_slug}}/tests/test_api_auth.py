"""Tokens and roles: who may call the API, and what they may change."""

import datetime

from flask_security.utils import hash_password

from edmunds.database.db import db

PASSWORD = "correct horse battery"


def a_user(app, email="ada@example.com", password=PASSWORD, roles=()):
    """A user who logs in with this email and password; their id."""
    with app.app_context():
        datastore = app.auth_userdatastore()
        user = datastore.create_user(
            email=email, name="Ada", password=hash_password(password)
        )
        for role in roles:
            datastore.add_role_to_user(user, datastore.find_or_create_role(role))
        db.session.commit()
        return user.id


def log_in(client, email="ada@example.com", password=PASSWORD):
    return client.post("/api/auth/login", json={"email": email, "password": password})


def test_a_login_gives_a_token_that_opens_the_api(app, anonymous):
    a_user(app)

    response = log_in(anonymous, email="ADA@example.com")

    assert response.status_code == 200
    body = response.get_json()
    assert body["expires_in"] == 24 * 60 * 60
    headers = {"Authentication-Token": body["token"]}
    assert anonymous.get("/api/users", headers=headers).status_code == 200


def test_a_wrong_password_and_an_unknown_email_answer_alike(app, anonymous):
    a_user(app)

    wrong = log_in(anonymous, password="not the password")
    unknown = log_in(anonymous, email="nobody@example.com")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_without_a_valid_token_the_api_answers_401(app, anonymous):
    a_user(app)
    valid = log_in(anonymous).get_json()["token"]
    # The signature's first character: all of its bits count.
    payload, signature = valid.rsplit(".", 1)
    tampered = f"{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    for case, url, token in [
        ("no header", "/api/users", None),
        ("empty", "/api/users", ""),
        ("tampered", "/api/users", tampered),
        ("made up", "/api/users", "eyJ2ZXIiOiI1In0.abc.def"),
        # Only the header counts: a query string ends up in logs.
        ("in the query string", f"/api/users?auth_token={valid}", None),
    ]:
        headers = {} if token is None else {"Authentication-Token": token}
        response = anonymous.get(url, headers=headers)

        assert response.status_code == 401, case
        assert response.get_json()["error"]["code"] == 401, case


def test_an_expired_token_answers_401(app, anonymous, monkeypatch):
    a_user(app)
    token = log_in(anonymous).get_json()["token"]
    later = datetime.datetime.now().timestamp() + 24 * 60 * 60 + 1
    monkeypatch.setattr("time.time", lambda: later)

    response = anonymous.get("/api/users", headers={"Authentication-Token": token})

    assert response.status_code == 401


def test_a_token_accepted_before_still_expires(app, anonymous, monkeypatch):
    # A worker checks a token's signature once (edmunds/auth/tokenguard.py);
    # its age, on every request.
    a_user(app)
    headers = {"Authentication-Token": log_in(anonymous).get_json()["token"]}
    assert anonymous.get("/api/users", headers=headers).status_code == 200
    later = datetime.datetime.now().timestamp() + 24 * 60 * 60 + 1
    monkeypatch.setattr("time.time", lambda: later)

    assert anonymous.get("/api/users", headers=headers).status_code == 401


def test_a_logout_ends_the_token(app, anonymous):
    a_user(app)
    headers = {"Authentication-Token": log_in(anonymous).get_json()["token"]}

    assert anonymous.post("/api/auth/logout", headers=headers).status_code == 204
    assert anonymous.get("/api/users", headers=headers).status_code == 401


def test_only_an_admin_deletes_users_or_changes_others(app, anonymous, client):
    me = a_user(app)
    headers = {"Authentication-Token": log_in(anonymous).get_json()["token"]}
    other = client.tester_id
    tag = client.post("/api/tags", json={"name": "math"}).get_json()["id"]

    for method, url, body in [
        ("delete", f"/api/users/{other}", None),
        ("delete", f"/api/users/{me}", None),
        ("patch", f"/api/users/{other}", {"name": "Mallory"}),
        ("put", f"/api/users/{other}/tags/{tag}", None),
        ("delete", f"/api/users/{other}/tags/{tag}", None),
        # A tag is every user's who has it.
        ("patch", f"/api/tags/{tag}", {"name": "maths"}),
        ("delete", f"/api/tags/{tag}", None),
    ]:
        response = getattr(anonymous, method)(url, json=body, headers=headers)

        assert response.status_code == 403, (method, url)
    assert client.get(f"/api/tags/{tag}").get_json()["name"] == "math"
    made = anonymous.post("/api/tags", json={"name": "poetry"}, headers=headers)
    assert made.status_code == 201
    mine = anonymous.patch(f"/api/users/{me}", json={"name": "Ada K"}, headers=headers)
    assert mine.status_code == 200
    assert (
        anonymous.put(f"/api/users/{me}/tags/{tag}", headers=headers).status_code == 204
    )
    # The tester is an admin (tests/conftest.py), who deletes others only.
    assert client.delete(f"/api/users/{client.tester_id}").status_code == 403
    assert client.delete(f"/api/users/{me}").status_code == 204


def test_nobody_gives_themselves_a_role_through_the_api(app, anonymous):
    me = a_user(app)
    headers = {"Authentication-Token": log_in(anonymous).get_json()["token"]}

    for method, url in [("patch", f"/api/users/{me}"), ("post", "/api/users")]:
        for field in ("roles", "active", "password", "email", "fs_uniquifier"):
            body = {"name": "Ada", field: ["admin"] if field == "roles" else "x"}
            response = getattr(anonymous, method)(url, json=body, headers=headers)

            assert response.status_code == 400, (method, field)
    assert anonymous.delete(f"/api/users/{me}", headers=headers).status_code == 403


def test_what_answers_without_a_token(anonymous):
    for url in ["/up", "/ready", "/api/docs", "/api/openapi.json"]:
        assert anonymous.get(url).status_code == 200, url
    assert anonymous.get("/api/nowhere").status_code == 404


def test_repeated_wrong_passwords_answer_429(app, anonymous):
    a_user(app)
    limit = app.config["AUTH_THROTTLE_ATTEMPTS"]

    answers = [log_in(anonymous, password="wrong").status_code for _ in range(limit)]
    throttled = log_in(anonymous)

    assert answers == [401] * limit
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
