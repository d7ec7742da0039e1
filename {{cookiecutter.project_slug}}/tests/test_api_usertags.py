import pytest


@pytest.fixture
def ada(client):
    return client.post("/api/users", json={"name": "Ada"}).get_json()


@pytest.fixture
def tags(client):
    return [
        client.post("/api/tags", json={"name": name}).get_json()
        for name in ("math", "engines")
    ]


def user_tags(client, user):
    response = client.get(f"/api/users/{user['id']}/tags")
    assert response.status_code == 200
    return response.get_json()


def test_a_new_user_has_no_tags(client, ada):
    assert user_tags(client, ada) == {
        "items": [],
        "page": 1,
        "per_page": 20,
        "total": 0,
    }


def test_put_gives_the_user_a_tag_once(client, ada, tags):
    for _ in range(2):
        response = client.put(f"/api/users/{ada['id']}/tags/{tags[1]['id']}")
        assert response.status_code == 204

    assert user_tags(client, ada)["items"] == [tags[1]]


def test_the_tags_list_is_in_id_order_and_paginated(client, ada, tags):
    for tag in reversed(tags):
        client.put(f"/api/users/{ada['id']}/tags/{tag['id']}")

    assert user_tags(client, ada)["items"] == tags
    page = client.get(f"/api/users/{ada['id']}/tags?per_page=1&page=2").get_json()
    assert page["items"] == [tags[1]] and page["total"] == 2


def test_delete_takes_the_tag_away_and_keeps_the_tag(client, ada, tags):
    client.put(f"/api/users/{ada['id']}/tags/{tags[0]['id']}")

    response = client.delete(f"/api/users/{ada['id']}/tags/{tags[0]['id']}")

    assert response.status_code == 204
    assert user_tags(client, ada)["total"] == 0
    assert client.get("/api/tags").get_json()["total"] == 2


def test_deleting_a_tag_the_user_does_not_have_answers_404(client, ada, tags):
    response = client.delete(f"/api/users/{ada['id']}/tags/{tags[0]['id']}")

    assert response.status_code == 404
    assert "does not have tag" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_a_missing_user_answers_404(client, tags, method):
    url = "/api/users/999/tags" + ("" if method == "get" else f"/{tags[0]['id']}")

    response = getattr(client, method)(url)

    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "no user has id 999"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_missing_tag_answers_404_and_writes_nothing(client, ada, method):
    response = getattr(client, method)(f"/api/users/{ada['id']}/tags/999")

    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "no tag has id 999"
    assert user_tags(client, ada)["total"] == 0


def test_ids_that_are_no_numbers_answer_404(client):
    assert client.get("/api/users/ada/tags").status_code == 404


def test_the_tags_list_refuses_a_page_out_of_bounds(client, ada):
    response = client.get(f"/api/users/{ada['id']}/tags?page=0")

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "page"
