def test_home_says_what_the_app_is(client, app):
    response = client.get("/")

    assert response.status_code == 200
    assert response.get_json() == {"name": app.config("app.name"), "status": "ok"}


def test_unknown_urls_answer_json(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404
