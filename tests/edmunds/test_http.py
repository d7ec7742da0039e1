"""edmunds/http: the thin layer between the app and flask-smorest."""

import collections
import re
import types
import unicodedata

import marshmallow
import pytest
from marshmallow import fields, post_dump

from edmunds.http.blueprint import Blueprint, endpoint
from edmunds.http.fields import VISIBLE, Text
from edmunds.http.invisible import CATEGORIES
from edmunds.http.providers.apiserviceprovider import ApiServiceProvider
from edmunds.http.schema import Schema


class Leaf(Schema):
    id = fields.Integer()
    name = fields.String()


class Branch(Schema):
    id = fields.Integer()
    label = fields.String(data_key="title")
    leaves = fields.List(fields.Nested(Leaf))
    first = fields.Nested(Leaf, allow_none=True)
    many = fields.Nested(Leaf, many=True)
    hidden = fields.String(load_only=True)


class Hooked(Leaf):
    @post_dump
    def shout(self, data, **kwargs):
        return {key: str(value).upper() for key, value in data.items()}


LEAF = types.SimpleNamespace(id=1, name="a")
BRANCHES = [
    types.SimpleNamespace(
        id="7", label=3, leaves=[LEAF], first=None, many=[LEAF, LEAF], hidden="x"
    ),
    {"id": 2, "label": None, "leaves": [], "many": []},  # "first" absent
    types.SimpleNamespace(id=3),  # most attributes absent
    types.SimpleNamespace(id=5, leaves=[None, LEAF], many=[None]),  # None items
]


@pytest.mark.parametrize("branch", BRANCHES)
def test_the_fast_dump_answers_what_marshmallow_answers(branch):
    schema = Branch()

    assert schema.dump(branch) == marshmallow.Schema.dump(_slow(Branch), branch)
    assert schema.dump([branch], many=True) == [schema.dump(branch)]


class Defaulted(Leaf):
    name = fields.String(dump_default="unnamed")


class Shouted(fields.String):
    def get_value(self, obj, attr, accessor=None, default=marshmallow.missing):
        return super().get_value(obj, attr, accessor, default).upper()


class Shouting(Leaf):
    name = Shouted()


class Half:
    """An object whose attribute fails as it is read: marshmallow leaves it out."""

    id = 4

    @property
    def name(self):
        raise AttributeError("not loaded")


def test_schemas_it_cannot_copy_dump_through_marshmallow():
    assert Hooked().dump(LEAF) == {"id": "1", "name": "A"}
    assert Leaf(only=("id",)).dump(LEAF) == {"id": 1}
    assert Leaf(load_only=("name",)).dump(LEAF) == {"id": 1}
    assert Defaulted().dump(types.SimpleNamespace(id=1)) == {"id": 1, "name": "unnamed"}
    assert Shouting().dump(LEAF) == {"id": 1, "name": "A"}


def test_an_attribute_that_fails_is_left_out_as_marshmallow_leaves_it():
    assert Leaf().dump(Half()) == marshmallow.Schema.dump(_slow(Leaf), Half())
    assert Leaf().dump(Half()) == {"id": 4}


class Plucked(Schema):
    ids = fields.Pluck(Leaf, "id", many=True)
    first = fields.Pluck(Leaf, "name")


class Person(Schema):
    id = fields.Integer()
    boss = fields.Nested(lambda: Person(), allow_none=True)
    team = fields.List(fields.Nested(lambda: Team()))


class Team(Schema):
    name = fields.String()
    lead = fields.Nested(Person)


def test_fields_that_dump_their_own_way_dump_through_marshmallow():
    assert Plucked().dump(types.SimpleNamespace(ids=[LEAF, LEAF], first=LEAF)) == {
        "ids": [1, 1],
        "first": "a",
    }


def test_schemas_that_nest_themselves_dump_through_marshmallow():
    ada = types.SimpleNamespace(id=1, boss=None, team=[])
    bob = types.SimpleNamespace(id=2, boss=ada, team=[])
    crew = types.SimpleNamespace(name="crew", lead=bob)
    carl = types.SimpleNamespace(id=3, boss=bob, team=[crew])

    dumped = {"id": 2, "boss": {"id": 1, "boss": None, "team": []}, "team": []}
    assert Person().dump(carl) == {
        "id": 3,
        "boss": dumped,
        "team": [{"name": "crew", "lead": dumped}],
    }
    assert Team().dump(crew) == {"name": "crew", "lead": dumped}


def test_instances_of_one_shape_share_one_dump_function(monkeypatch):
    from edmunds.http import schema as module

    class Fresh(Leaf):
        pass

    built = []
    build = module._build
    monkeypatch.setattr(
        module, "_build", lambda plan: built.append(plan) or build(plan)
    )
    for _ in range(3):
        assert Fresh(only=("id",)).dump(LEAF) == {"id": 1}
        assert Fresh(exclude=("id",)).dump(LEAF) == {"name": "a"}
        assert Fresh().dump(LEAF) == {"id": 1, "name": "a"}
    assert len(built) <= 3


class Secretive(Schema):
    name = fields.String()
    secret = fields.String()


class Holder(Schema):
    id = fields.Integer()
    one = fields.Nested(Secretive)
    all = fields.List(fields.Nested(Secretive))


class Staff(Schema):
    id = fields.Integer()
    email = fields.String()

    def __init__(self, *args, admin=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin:
            self.dump_fields.pop("email")


class Rounded(fields.Integer):
    def _format_num(self, value):
        return round(value)


class Odd(Schema):
    tags = fields.List(fields.Nested(Leaf))
    rounded = Rounded()
    text = fields.String()
    blank = fields.String(data_key="")


class Ordered(Leaf):
    dict_class = collections.OrderedDict


class Ligature(Schema):
    name = fields.String(attribute="\ufb01le")  # "ﬁle": NFKC makes it "file"


class Unread(fields.String):
    _CHECK_ATTRIBUTE = False


class Unreading(Schema):
    a = Unread()


SECRETIVE = types.SimpleNamespace(name="n", secret="s")
HOLDER = types.SimpleNamespace(id=1, one=SECRETIVE, all=[SECRETIVE])


@pytest.mark.parametrize(
    ("make", "obj"),
    [
        # Each instance dumps what it was narrowed to, whichever came first.
        (Holder, HOLDER),
        (lambda: Holder(exclude=("one.secret", "all.secret")), HOLDER),
        (lambda: Holder(only=("id", "one.name")), HOLDER),
        (lambda: Holder(only=("id", "one")), HOLDER),
        (lambda: Staff(admin=True), types.SimpleNamespace(id=1, email="e")),
        (Staff, types.SimpleNamespace(id=1, email="e")),
        # Conversions a field makes its own way, and keys that are empty.
        (Odd, types.SimpleNamespace(rounded=2.7, text=b"abc", blank="x")),
        # An attribute missing beside an iterator: the iterator is read once.
        (Odd, lambda: types.SimpleNamespace(tags=iter([LEAF]))),
        # None with many, values that are marshmallow's missing.
        (lambda: Leaf(many=True), None),
        (Leaf, {"id": 1, "name": marshmallow.missing}),
        (Leaf, types.SimpleNamespace(id=marshmallow.missing, name="a")),
        # The schema's own dict class, names Python would read as others,
        # fields that read no attribute.
        (Ordered, LEAF),
        (Ligature, types.SimpleNamespace(**{"\ufb01le": "ligature", "file": "plain"})),
        (Unreading, types.SimpleNamespace(a="x")),
    ],
)
def test_what_an_instance_dumps_is_what_marshmallow_dumps(make, obj, monkeypatch):
    fast = make().dump(obj() if callable(obj) else obj)

    from edmunds.http import schema as module

    monkeypatch.setattr(module, "_dumper", lambda schema: None)
    reference = make().dump(obj() if callable(obj) else obj)
    assert fast == reference and type(fast) is type(reference)


def _slow(schema_class):
    """The same fields on marshmallow's own Schema."""
    declared = {
        name: _slow_field(field)
        for name, field in schema_class._declared_fields.items()
    }
    return marshmallow.Schema.from_dict(declared)()


def _slow_field(field):
    if isinstance(field, fields.Nested):
        return fields.Nested(_slow(type(field.schema)), many=field.many)
    if isinstance(field, fields.List):
        return fields.List(_slow_field(field.inner))
    return field


@pytest.mark.parametrize(
    ("value", "loaded"),
    [("  Ada ", "Ada"), ("x" * 5, "x" * 5), ("Ω mega", "Ω mega")],
)
def test_text_is_stored_stripped(value, loaded):
    assert Text(max_length=5 + 1).deserialize(value) == loaded


@pytest.mark.parametrize(
    "value",
    ["", "   ", "x" * 7, " xxxxxx", "a\x00", "a\n", "\ud800", "\x9f", 5, None, []],
)
def test_text_refuses_what_no_database_stores_alike(value):
    with pytest.raises(marshmallow.ValidationError):
        Text(max_length=6, allow_none=False, required=True).deserialize(value)


# Zero-width space, right-to-left override, soft hyphen, byte order mark.
@pytest.mark.parametrize("value", ["a\u200b", "\u202eab", "a\u00adb", "\ufeffab"])
def test_visible_text_refuses_what_prints_nothing(value):
    # Plain text takes them: a Persian name needs its zero-width non-joiner.
    assert Text(max_length=6).deserialize(value) == value
    with pytest.raises(marshmallow.ValidationError, match="prints nothing"):
        Text(max_length=6, visible=True).deserialize(value)
    assert not re.fullmatch(VISIBLE, value)  # as the document says


def test_the_document_says_exactly_what_visible_text_refuses():
    text = Text(max_length=3, visible=True)
    for code in range(0x10000):
        character = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        value = f"a{character}b"
        try:
            text.deserialize(value)
            refused = False
        except marshmallow.ValidationError:
            refused = True
        assert refused == (not re.fullmatch(VISIBLE, value)), f"U+{code:04X}"
        assert refused == (unicodedata.category(character) in CATEGORIES)


def test_past_the_first_plane_format_characters_are_taken():
    # A region's flag: the black flag, then "gbsct" and a cancel tag.
    flag = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert Text(max_length=7, visible=True).deserialize(flag) == flag
    assert re.fullmatch(VISIBLE, flag)


class Name(Schema):
    name = Text(required=True, max_length=10)


@endpoint.arguments(Name)
@endpoint.response(201, Name)
def create(fields):
    return fields, 201


@pytest.fixture
def client(make_app):
    app = make_app()  # no config/api.py: the provider's defaults
    app.register(ApiServiceProvider)
    blueprint = Blueprint("names", __name__)
    blueprint.add_url_rule("/names", "create", create, methods=["POST"])
    app.extensions["edmunds.api"].register_blueprint(blueprint)
    return app.test_client()


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        ('{"name": "Ada"}', "application/json", None),
        ('{"name": "Ada"}', "text/plain", None),  # `curl -d` sends form's type
        ('{"name": ""}', "application/json", "name"),
        ('{"name": "Ada", "x": 1}', "application/json", "x"),
        ('["Ada"]', "application/json", "body"),
        ("", "application/json", "body"),
        ("\xff", "application/json", "body"),
        ('{"name": ' + "[" * 50_000 + "]" * 50_000 + "}", "application/json", "body"),
    ],
)
def test_the_parser_answers_one_400_naming_the_field(client, body, content_type, field):
    response = client.post("/names", data=body, content_type=content_type)

    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400
    error = response.get_json()["error"]
    if field == "body":
        assert "JSON object" in error["message"] and "field" not in error
    else:
        assert error["field"] == field and error["message"].startswith(f"{field}: ")


def test_the_document_and_docs_page_need_no_configuration(client):
    spec = client.get("/api/openapi.json").get_json()

    assert spec["openapi"] == "3.0.3" and "/names" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize("path", ["/api//openapi.json", "/api//docs", "/api/docs//"])
def test_a_doubled_slash_is_answered_in_json_not_redirected(client, path):
    # Werkzeug would answer 308 in HTML, its Location from the Host sent.
    # As a server hands the path over: the test client would read "//x"
    # as a host.
    response = client.get(
        "/", headers={"Host": "evil.example"}, environ_overrides={"PATH_INFO": path}
    )

    assert response.status_code == 404
    assert "Location" not in response.headers
    assert response.is_json, response.data
