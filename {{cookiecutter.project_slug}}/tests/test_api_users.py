import pytest

from app.http.pagination import MAX_PER_PAGE
from edmunds.database.db import db

# The client's own user, the tester (tests/conftest.py), is the first user
# of every API test: lists start with it.


def create_user(client, name):
    response = client.post("/api/users", json={"name": name})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_answers_201_with_the_new_user(client):
    response = client.post("/api/users", json={"name": "  Ada Lovelace "})

    assert response.status_code == 201
    user = response.get_json()
    assert user == {"id": user["id"], "name": "Ada Lovelace", "tags": []}
    assert isinstance(user["id"], int)


def test_list_gives_users_with_their_tags_in_id_order(client):
    ada = create_user(client, "Ada")
    alan = create_user(client, "Alan")
    tag = client.post("/api/tags", json={"name": "math"}).get_json()
    client.put(f"/api/users/{alan['id']}/tags/{tag['id']}")

    response = client.get("/api/users")

    assert response.status_code == 200
    assert response.get_json() == {
        "items": [
            {"id": client.tester_id, "name": "tester", "tags": []},
            {"id": ada["id"], "name": "Ada", "tags": []},
            {"id": alan["id"], "name": "Alan", "tags": [tag]},
        ],
        "page": 1,
        "per_page": 20,
        "total": 3,
    }


def test_list_is_paginated(client):
    ids = [create_user(client, f"user {number}")["id"] for number in range(5)]

    second = client.get("/api/users?page=2&per_page=2").get_json()
    past_the_end = client.get("/api/users?page=4&per_page=2").get_json()

    assert [user["id"] for user in second["items"]] == ids[1:3]
    assert (second["page"], second["per_page"], second["total"]) == (2, 2, 6)
    assert past_the_end["items"] == [] and past_the_end["total"] == 6


# One test per rule, its cases in a loop: the assertion names the case.
def test_page_arguments_out_of_bounds_are_refused(client):
    for query, field in [
        (f"per_page={MAX_PER_PAGE + 1}", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=-1", "per_page"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("page=1.5", "page"),
    ]:
        response = client.get(f"/api/users?{query}")

        assert response.status_code == 400, query
        assert response.get_json()["error"]["field"] == field, query


def test_invalid_users_are_refused_naming_the_field(client):
    for body, field in [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "Ada", "admin": True}, "admin"),
    ]:
        response = client.post("/api/users", json=body)

        assert response.status_code == 400, body
        error = response.get_json()["error"]
        assert error["code"] == 400 and error["field"] == field, body
        assert error["message"].startswith(f"{field}: "), body
        assert client.get("/api/users").get_json()["total"] == 1, body


def test_the_longest_name_fits(client):
    assert create_user(client, "x" * 50)["name"] == "x" * 50


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("name=Ada", "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        ('["Ada"]', "application/json"),
        ("", "application/json"),
    ],
)
def test_a_body_that_is_no_json_object_is_refused(client, data, content_type):
    response = client.post("/api/users", data=data, content_type=content_type)

    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]["message"]
    assert client.get("/api/users").get_json()["total"] == 1


def test_json_without_its_content_type_is_accepted(client):
    response = client.post("/api/users", data='{"name": "Ada"}')

    assert response.status_code == 201


def test_a_request_failing_midway_writes_nothing(client, monkeypatch):
    def flush_then_fail():
        db.session.flush()  # the row reaches the database, uncommitted
        raise RuntimeError("the server fell over")

    monkeypatch.setattr(db.session, "commit", flush_then_fail)
    with pytest.raises(RuntimeError):
        client.post("/api/users", json={"name": "Ada"})
    monkeypatch.undo()

    assert client.get("/api/users").get_json()["total"] == 1


def test_other_methods_answer_405_in_json(client):
    response = client.delete("/api/users")

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == 405
    assert set(response.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
    }


def test_get_one_user_with_their_tags(client):
    ada = create_user(client, "Ada")
    tag = client.post("/api/tags", json={"name": "math"}).get_json()
    client.put(f"/api/users/{ada['id']}/tags/{tag['id']}")

    response = client.get(f"/api/users/{ada['id']}")

    assert response.status_code == 200
    assert response.get_json() == {**ada, "tags": [tag]}


def test_patch_changes_only_what_was_sent(client):
    ada = create_user(client, "Ada")

    renamed = client.patch(f"/api/users/{ada['id']}", json={"name": " Ada King "})
    unchanged = client.patch(f"/api/users/{ada['id']}", json={})

    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Ada King"
    assert unchanged.get_json() == renamed.get_json()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": ""}, "name"), ({"name": None}, "name"), ({"admin": True}, "admin")],
)
def test_a_refused_patch_changes_nothing(client, body, field):
    ada = create_user(client, "Ada")

    response = client.patch(f"/api/users/{ada['id']}", json=body)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    assert client.get(f"/api/users/{ada['id']}").get_json() == ada


def test_delete_removes_the_user_and_their_links_not_the_tags(client):
    ada = create_user(client, "Ada")
    tag = client.post("/api/tags", json={"name": "math"}).get_json()
    client.put(f"/api/users/{ada['id']}/tags/{tag['id']}")

    response = client.delete(f"/api/users/{ada['id']}")

    assert response.status_code == 204 and response.data == b""
    assert client.get(f"/api/users/{ada['id']}").status_code == 404
    assert client.get(f"/api/tags/{tag['id']}").status_code == 200


def test_a_missing_or_impossible_id_answers_404_in_json(client):
    for method in ("get", "patch", "delete"):
        for ident in ("999", "0", "2147483648", "99999999999999999999"):
            response = getattr(client, method)(f"/api/users/{ident}", json={})

            assert response.status_code == 404, (method, ident)
            assert response.get_json()["error"]["code"] == 404, (method, ident)


# Ways of writing an id that int() would read, none of them how URLs write it.
SPELLINGS = {
    "arabic-indic": lambda ident: ident.translate(_digits("\u0660")),
    "full-width": lambda ident: ident.translate(_digits("\uff10")),
    "mathematical bold": lambda ident: ident.translate(_digits("\U0001d7ce")),
    "minus": lambda ident: f"-{ident}",
    "plus": lambda ident: f"+{ident}",
    "blank": lambda ident: f"%20{ident}",
}


def _digits(zero):
    return {ord(str(digit)): chr(ord(zero) + digit) for digit in range(10)}


def test_an_id_not_in_ascii_digits_answers_404(client):
    ada = client.post("/api/users", json={"name": "Ada"}).get_json()
    for method in ("get", "patch", "delete"):
        for spelling, spell in SPELLINGS.items():
            ident = spell(str(ada["id"]))

            response = getattr(client, method)(
                f"/api/users/{ident}", json={"name": "Bob"}
            )

            assert response.status_code == 404, (method, spelling)
            assert response.get_json()["error"]["code"] == 404, (method, spelling)
            assert client.get(f"/api/users/{ada['id']}").get_json()["name"] == "Ada"


def test_names_that_no_database_stores_alike_are_refused(client):
    for name in (
        "\ud800",  # a lone surrogate: no UTF-8 for it
        "Ada\x00",  # NUL, which PostgreSQL refuses to store
        "Ada\n",
        "\x85",
        "\u2028",
    ):
        response = client.post("/api/users", json={"name": name})

        assert response.status_code == 400, name
        assert response.get_json()["error"]["field"] == "name", name


def test_page_numbers_that_are_no_whole_numbers_are_refused(client):
    for page in ("²", "1e3", "0x10", "9" * 5000, ""):
        response = client.get(f"/api/users?page={page}")

        assert response.status_code == 400, page[:10]
        assert response.get_json()["error"]["field"] == "page", page[:10]


def test_deeply_nested_json_is_refused(client):
    body = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = client.post("/api/users", data=body, content_type="application/json")

    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]["message"]


def test_fields_the_server_sets_are_ignored_when_sent_back(client):
    ada = create_user(client, "Ada")

    response = client.patch(
        f"/api/users/{ada['id']}", json={**ada, "id": 999, "name": "Ada King"}
    )

    assert response.status_code == 200
    assert response.get_json() == {**ada, "name": "Ada King"}
