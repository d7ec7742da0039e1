def test_create_answers_201_with_the_new_tag(client):
    response = client.post("/api/tags", json={"name": "math"})

    assert response.status_code == 201
    tag = response.get_json()
    assert tag == {"id": tag["id"], "name": "math"}


def test_list_gives_tags_in_id_order_a_page_at_a_time(client):
    ids = [
        client.post("/api/tags", json={"name": name}).get_json()["id"]
        for name in ("math", "engines", "poetry")
    ]

    first = client.get("/api/tags?per_page=2").get_json()
    second = client.get("/api/tags?per_page=2&page=2").get_json()

    assert [tag["id"] for tag in first["items"] + second["items"]] == ids
    assert first["total"] == second["total"] == 3


def test_a_duplicate_name_answers_409_and_keeps_one_tag(client):
    client.post("/api/tags", json={"name": "math"})

    response = client.post("/api/tags", json={"name": " math "})

    assert response.status_code == 409
    assert "'math' already exists" in response.get_json()["error"]["message"]
    names = [tag["name"] for tag in client.get("/api/tags").get_json()["items"]]
    assert names == ["math"]
    # The refused request left nothing behind that breaks the next one.
    assert client.post("/api/tags", json={"name": "engines"}).status_code == 201


def test_invalid_tags_are_refused_naming_the_field(client):
    for body, field in [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": ["math"]}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "math", "colour": "red"}, "colour"),
    ]:
        response = client.post("/api/tags", json=body)

        assert response.status_code == 400, body
        assert response.get_json()["error"]["field"] == field, body
        assert client.get("/api/tags").get_json()["total"] == 0, body


def test_a_tag_list_page_out_of_bounds_is_refused(client):
    response = client.get("/api/tags?per_page=1000")

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "per_page"


def test_a_body_that_is_no_json_object_is_refused(client):
    response = client.post("/api/tags", data="math")

    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]["message"]
    assert client.get("/api/tags").get_json()["total"] == 0


def test_names_that_read_the_same_are_one_tag(client):
    client.post("/api/tags", json={"name": "math"})
    for twin in ("MATH", "Math", "ｍａｔｈ", "ＭＡＴＨ", " math "):
        response = client.post("/api/tags", json={"name": twin})

        assert response.status_code == 409, twin
        assert client.get("/api/tags").get_json()["total"] == 1, twin


# Cyrillic а; Greek Α and Ι, capitals; "rn" for "m"; Cherokee Ꮇ, which
# folds to a letter that reads as "m"; digits 0 for o's.
def test_names_that_look_alike_are_one_tag(client):
    for name, twin in [
        ("admin", "\u0430dmin"),
        ("admin", "\u0391DM\u0399N"),
        ("admin", "adrnin"),
        ("admin", "ad\u13b7in"),
        ("book", "B00K"),
    ]:
        client.post("/api/tags", json={"name": name})

        response = client.post("/api/tags", json={"name": twin})

        assert response.status_code == 409, twin
    assert client.get("/api/tags").get_json()["total"] == 2


def test_names_that_do_not_look_alike_are_two_tags(client):
    client.post("/api/tags", json={"name": "admin"})
    for other in ("admins", "adm", "odmin", "Straße"):
        assert client.post("/api/tags", json={"name": other}).status_code == 201, other


# Zero-width space, zero-width joiner, word joiner, soft hyphen, right-to-left
# override, byte order mark, line separator.
def test_a_name_holding_an_invisible_character_is_refused(client):
    tag = client.post("/api/tags", json={"name": "poetry"}).get_json()
    for name, character in [
        ("\u200bmath", "U+200B"),
        ("ma\u200dth", "U+200D"),
        ("math\u2060", "U+2060"),
        ("ma\u00adth", "U+00AD"),
        ("\u202ehtam", "U+202E"),
        ("\ufeffmath", "U+FEFF"),
        ("ma\u2028th", "U+2028"),
    ]:
        created = client.post("/api/tags", json={"name": name})
        renamed = client.patch(f"/api/tags/{tag['id']}", json={"name": name})

        for response in (created, renamed):
            assert response.status_code == 400, character
            error = response.get_json()["error"]
            assert error["field"] == "name" and character in error["message"]
    assert client.get("/api/tags").get_json()["items"] == [tag]


def test_tag_characters_hide_no_other_name(client):
    # Taken, for the flags of regions, but read as nothing.
    client.post("/api/tags", json={"name": "math"})

    assert client.post("/api/tags", json={"name": "math\U000e0041"}).status_code == 409


def test_the_name_is_kept_as_typed(client):
    tag = client.post("/api/tags", json={"name": "Straße"}).get_json()

    assert tag["name"] == "Straße"
    assert client.post("/api/tags", json={"name": "STRASSE"}).status_code == 409
    assert client.post("/api/tags", json={"name": "Strasse!"}).status_code == 201


def test_get_patch_and_delete_one_tag(client):
    tag = client.post("/api/tags", json={"name": "math"}).get_json()
    url = f"/api/tags/{tag['id']}"

    assert client.get(url).get_json() == tag
    renamed = client.patch(url, json={"name": "Maths"})
    assert renamed.status_code == 200
    assert renamed.get_json() == {"id": tag["id"], "name": "Maths"}
    # A tag may change how it is written and still read the same.
    assert client.patch(url, json={"name": "MATHS"}).status_code == 200
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_renaming_onto_a_name_taken_answers_409_and_changes_nothing(client):
    client.post("/api/tags", json={"name": "math"})
    poetry = client.post("/api/tags", json={"name": "poetry"}).get_json()

    response = client.patch(f"/api/tags/{poetry['id']}", json={"name": "Math"})

    assert response.status_code == 409
    # The name asked for, not the one the tag kept.
    assert "'Math' already exists" in response.get_json()["error"]["message"]
    assert client.get(f"/api/tags/{poetry['id']}").get_json() == poetry


def test_deleting_a_tag_takes_it_from_every_user(client):
    ada = client.post("/api/users", json={"name": "Ada"}).get_json()
    tag = client.post("/api/tags", json={"name": "math"}).get_json()
    client.put(f"/api/users/{ada['id']}/tags/{tag['id']}")

    client.delete(f"/api/tags/{tag['id']}")

    assert client.get(f"/api/users/{ada['id']}").get_json()["tags"] == []
