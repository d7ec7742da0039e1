"""What every answer of the API shares: its document, docs page, health,
errors in JSON, headers, and a database that goes away."""

import io
import logging

import pytest
from sqlalchemy.exc import OperationalError

from app.database.models.tag import Tag


# The samples' operations: a route the project adds joins them, and these
# tests check the ones they know.
def test_the_openapi_document_lists_every_endpoint(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    operations = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert operations >= {
        ("GET", "/up"),
        ("GET", "/ready"),
        ("GET", "/api/users"),
        ("POST", "/api/users"),
        ("GET", "/api/users/{user_id}"),
        ("PATCH", "/api/users/{user_id}"),
        ("DELETE", "/api/users/{user_id}"),
        ("GET", "/api/users/{user_id}/tags"),
        ("PUT", "/api/users/{user_id}/tags/{tag_id}"),
        ("DELETE", "/api/users/{user_id}/tags/{tag_id}"),
        ("GET", "/api/tags"),
        ("POST", "/api/tags"),
        ("GET", "/api/tags/{tag_id}"),
        ("PATCH", "/api/tags/{tag_id}"),
        ("DELETE", "/api/tags/{tag_id}"),
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/logout"),
    }


# What each operation answers, as a client reads it in the document: the
# refusals by name, beside the "default" error every operation has.
DOCUMENTED_STATUSES = {
    ("GET", "/up"): {"200"},
    ("GET", "/ready"): {"200", "503"},
    ("POST", "/api/auth/login"): {"200", "400", "401", "429"},
    ("POST", "/api/auth/logout"): {"204", "401"},
    ("GET", "/api/users"): {"200", "400", "401"},
    ("POST", "/api/users"): {"201", "400", "401"},
    ("GET", "/api/users/{user_id}"): {"200", "401", "404"},
    ("PATCH", "/api/users/{user_id}"): {"200", "400", "401", "403", "404"},
    ("DELETE", "/api/users/{user_id}"): {"204", "401", "403", "404"},
    ("GET", "/api/users/{user_id}/tags"): {"200", "400", "401", "404"},
    ("PUT", "/api/users/{user_id}/tags/{tag_id}"): {"204", "401", "403", "404"},
    ("DELETE", "/api/users/{user_id}/tags/{tag_id}"): {"204", "401", "403", "404"},
    ("GET", "/api/tags"): {"200", "400", "401"},
    ("POST", "/api/tags"): {"201", "400", "401", "409"},
    ("GET", "/api/tags/{tag_id}"): {"200", "401", "404"},
    ("PATCH", "/api/tags/{tag_id}"): {"200", "400", "401", "403", "404", "409"},
    ("DELETE", "/api/tags/{tag_id}"): {"204", "401", "403", "404"},
}


def test_the_document_names_every_status_an_operation_answers(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]

    documented = {
        (method.upper(), path): set(operation["responses"]) - {"default"}
        for path, item in paths.items()
        for method, operation in item.items()
        if method != "parameters"
    }

    assert {key: documented.get(key) for key in DOCUMENTED_STATUSES} == (
        DOCUMENTED_STATUSES
    )


def integer_query_arguments(spec):
    """(path, name) of every integer query argument the document lists."""
    return [
        (path, parameter["name"])
        for path, item in spec["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter["schema"]["type"] == "integer"
    ]


# int() reads each as a number: 10, 1 (full-width), 1 (Arabic-Indic), 1.
def test_every_integer_query_argument_takes_ascii_digits_only(client):
    ada = client.post("/api/users", json={"name": "Ada"}).get_json()
    arguments = integer_query_arguments(client.get("/api/openapi.json").get_json())
    assert ("/api/tags", "page") in arguments and ("/api/tags", "per_page") in arguments

    for value in ("1_0", "\uff11", "\u0661", " 1", "+1"):
        for path, name in arguments:
            url = path.replace("{user_id}", str(ada["id"]))
            response = client.get(url, query_string={name: value})

            assert response.status_code == 400, (path, name, value)
            assert response.get_json()["error"] == {
                "code": 400,
                "message": f"{name}: Not a valid integer",
                "field": name,
            }


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    page = client.get("/api/docs")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http" not in html  # no absolute URL, so no other site
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "start.js"):
        assert f"/api/docs/{asset}" in html
        assert client.get(f"/api/docs/{asset}").status_code == 200
    assert client.get("/api/docs/../config/app.py").status_code == 404
    assert client.get("/api/docs/index.html").status_code == 404


@pytest.fixture
def unreachable(app, monkeypatch):
    """The server of the instance holding the tags goes away: every new
    connection to it fails. Yields the instance's name."""
    name = Tag.__bind_key__ or "default"

    def refuse():
        raise OperationalError(
            "SELECT 1", {}, ConnectionRefusedError("connection refused")
        )

    monkeypatch.setattr(app.database_engine(name), "raw_connection", refuse)
    return name


def test_up_answers_while_the_database_is_gone(client, unreachable):
    assert client.get("/up").get_json() == {"status": "up"}


def test_ready_names_the_instance_that_failed_and_nothing_else(client, unreachable):
    response = client.get("/ready")

    # Its name only: not where it is nor who logs in to it.
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "failed": [unreachable]}


def test_ready_answers_200_while_every_instance_answers(client):
    assert client.get("/ready").get_json() == {"status": "ready"}


def test_a_database_gone_away_answers_503_and_logs_one_line(
    client, unreachable, caplog
):
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/tags")

    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == 503
    assert response.headers["Retry-After"]
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "connection refused" in record.getMessage()
    assert record.exc_info is None and "\n" not in record.getMessage()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/nowhere", 404),
        ("put", "/api/users", 405),
        ("post", "/api/users/1", 405),
    ],
)
def test_the_servers_own_errors_are_json(client, method, path, status):
    response = getattr(client, method)(path)

    assert response.status_code == status
    assert response.get_json()["error"]["code"] == status


def chunked(body):
    """What a server that reads ``Transfer-Encoding: chunked`` itself (gunicorn,
    Werkzeug's own) hands the app: the body, no Content-Length, and
    ``wsgi.input_terminated``."""
    return {
        "input_stream": io.BytesIO(body),
        "headers": {"Transfer-Encoding": "chunked"},
        "environ_overrides": {"wsgi.input_terminated": True},
    }


def sized(body):
    return {"data": body}


@pytest.mark.parametrize("framing", [sized, chunked])
def test_a_body_past_the_limit_answers_413_in_json(app, client, framing):
    limit = app.config["MAX_CONTENT_LENGTH"]
    # A JSON object, blanks after it: cut at the limit, it would still read.
    body = b'{"name": "Ada"}'.ljust(max(limit + 1, 10 * 1024 * 1024))

    for method, path in [
        ("post", "/api/users"),
        ("put", "/api/users/1/tags/1"),
        ("post", "/nowhere"),
    ]:
        response = getattr(client, method)(
            path, content_type="application/json", **framing(body)
        )

        assert response.status_code == 413, path
        assert response.get_json()["error"]["code"] == 413, path
    assert client.get("/api/users").get_json()["total"] == 1  # the tester


@pytest.mark.parametrize("framing", [sized, chunked])
def test_a_body_of_exactly_the_limit_is_read(app, client, framing):
    body = b'{"name": "Ada"}'.ljust(app.config["MAX_CONTENT_LENGTH"])

    response = client.post(
        "/api/users", content_type="application/json", **framing(body)
    )

    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/api/users", "/nowhere", "/api/docs", "/up"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers

    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_answers_that_may_hold_personal_data_say_no_store(client):
    ada = client.post("/api/users", json={"name": "Ada"})
    user = f"/api/users/{ada.get_json()['id']}"
    tag = client.post("/api/tags", json={"name": "math"})
    answers = [
        ada,
        tag,
        client.get("/api/users"),
        client.get(user),
        client.patch(user, json={"name": "Ada King"}),
        client.get(f"{user}/tags"),
        client.put(f"{user}/tags/{tag.get_json()['id']}"),
        client.get("/api/tags"),
        # Errors, wherever they are.
        client.get("/api/users/0"),
        client.post("/api/users", json={}),
        client.get("/nowhere"),
        client.get("/api/docs/index.html"),
        client.delete(user),
    ]

    for response in answers:
        assert response.headers.get("Cache-Control") == "no-store", (
            response.request.path
        )


@pytest.mark.parametrize("path", ["/api/openapi.json", "/api/docs"])
def test_the_document_and_docs_page_may_be_cached(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_an_unexpected_error_answers_500_in_json_without_its_details(
    app, client, monkeypatch
):
    # As in production: the error is answered, not raised into the test.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of a bug")

    monkeypatch.setattr("app.http.handlers.tags.paginated", broken)

    response = client.get("/api/tags")

    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == 500
    assert b"secret detail" not in response.data
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
