"""Work a boot leaves until it is needed (issue 24, point 6): the same
results, later."""

import importlib
import os
import re
import subprocess
import sys
import threading

import marshmallow.validate
import pytest
from marshmallow import ValidationError

from edmunds.http.blueprint import Blueprint, endpoint
from edmunds.http.invisible import BMP_INVISIBLE, INVISIBLE, character_class
from edmunds.http.providers.apiserviceprovider import ApiServiceProvider
from edmunds.http.schema import Schema
from edmunds.support import lazyimports
from edmunds.support.lazyimports import LazyPattern


def booted(code):
    """What ``code`` prints after ``import wsgi``, in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, "-c", f"import wsgi\n{code}"],
        capture_output=True,
        text=True,
        env={**os.environ, "APP_ENV": "testing"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.splitlines()


def test_a_boot_leaves_the_email_patterns_yaml_and_the_document_undone():
    # One interpreter for both: yaml, once undone, works when first used.
    assert booted(
        "import sys, marshmallow.validate as v\n"
        "import email_validator.rfc_constants as c\n"
        "print(type(v.Email.DOMAIN_REGEX).__name__)\n"
        "print(c.QTEXT_INTL._compiled)\n"
        "print(type(sys.modules.get('yaml')).__name__)\n"
        "print(bool(wsgi.app.extensions['edmunds.api']._undocumented))\n"
        "import yaml\n"
        "print(yaml.safe_dump({'a': [1, 2]}, default_flow_style=True), end='')\n"
    ) == ["LazyPattern", "None", "_LazyModule", "True", "{a: [1, 2]}"]


def test_a_boot_leaves_what_the_app_leaves_off_unimported_until_used():
    # pdb (click.testing's, through Flask-Login's test client) and
    # urllib.request (Flask-Security's breached-password check) wait for
    # their first use; the tag model's skeleton and `make model`'s field
    # parsing for theirs.
    assert booted(
        "import sys, urllib\n"
        "print(type(sys.modules['pdb']).__name__)\n"
        "print(type(urllib.request).__name__)\n"
        "print([name for name in ('homoglyph', 'edmunds.console.generators.fields',"
        " 'edmunds.console.generators.calllayout') if name in sys.modules])\n"
        "print(urllib.request.Request('https://example.com/a?b').selector)\n"
        "import pdb\n"
        "print(issubclass(pdb.Pdb, __import__('bdb').Bdb))\n"
        "from app.database.models.tag import name_key\n"
        "print(name_key('admin') == name_key('\u0430dmin'))\n"
        "print('homoglyph' in sys.modules)\n"
    ) == ["_LazyModule", "_LazyModule", "[]", "/a?b", "True", "True", "True"]


def test_a_second_thread_reading_a_module_as_it_runs_waits_for_all_of_it(
    tmp_path, monkeypatch
):
    # Two requests reading urllib.request at once, the first running it: on
    # Python 3.11 and 3.12 before 3.12.3, importlib.util.LazyLoader let the
    # second find names still missing (CPython gh-114763).
    (tmp_path / "run_slowly.py").write_text(
        "running.set()\nread.wait(0.5)\nVALUE = 1\n"
    )
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "run_slowly", raising=False)
    monkeypatch.setattr(
        lazyimports, "LAZY_MODULES", lazyimports.LAZY_MODULES | {"run_slowly"}
    )
    module = importlib.import_module("run_slowly")
    assert type(module).__name__ == "_LazyModule"
    running, read = threading.Event(), threading.Event()
    module.running, module.read = running, read
    seen = []
    first = threading.Thread(target=lambda: seen.append(module.VALUE))
    first.start()
    assert running.wait(5)
    try:
        seen.append(module.VALUE)
    except AttributeError as error:
        seen.append(error)
    finally:
        read.set()
        first.join()

    assert seen == [1, 1]


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("ada@example.com", True),
        ("ada@bücher.example", True),
        ("ada@xn--bcher-kva.example", True),
        ("ada@[127.0.0.1]", True),
        ("ada@localhost", True),
        ("ada@-example.com", False),
        ("ada@example", False),
        ("ada@exa mple.com", False),
        ("ada", False),
    ],
)
def test_the_email_validator_answers_as_compiled_at_once(address, valid):
    lazy = marshmallow.validate.Email.DOMAIN_REGEX
    source, flags = lazy._source
    compiled = re.compile(source, flags)

    try:
        marshmallow.validate.Email()(address)
        accepted = True
    except ValidationError:
        accepted = False

    assert accepted == valid
    domain = address.rpartition("@")[2]
    assert bool(lazy.match(domain)) == bool(compiled.match(domain))
    assert (lazy.pattern, lazy.flags) == (compiled.pattern, compiled.flags)


def test_only_case_insensitive_patterns_reaching_uffff_wait():
    assert isinstance(marshmallow.validate.Email.DOMAIN_REGEX, LazyPattern)
    assert isinstance(marshmallow.validate.Email.USER_REGEX, re.Pattern)
    assert isinstance(re.compile("[\u00a1-\uffff]", re.IGNORECASE), re.Pattern)


ADDRESSES = {
    "ada@example.com": True,
    "ada.lovelace+x@example.com": True,
    "adä@bücher.example": True,
    '"ada lovelace"@example.com': True,
    "ada@[127.0.0.1]": True,
    "ada..l@example.com": False,
    "ada@exa_mple.com": False,
    "ada@example": False,
    "ada": False,
}
# Checked in a booted interpreter: the framework's tests import config.app,
# and so email_validator, before edmunds (wsgi and manage.py import edmunds
# first).
EMAIL_CHECK = """
import re, email_validator as e, email_validator.rfc_constants as c
from edmunds.support.lazyimports import LazyPattern
print(sorted(n for n, v in vars(c).items() if isinstance(v, LazyPattern)))
for address in ADDRESSES:
    try:
        e.validate_email(address, check_deliverability=False,
                         allow_quoted_local=True, allow_domain_literal=True)
        print(address, True)
    except e.EmailNotValidError:
        print(address, False)
    for part in address.split("@"):
        for name in ("ATEXT_INTL_DOT_RE", "DOT_ATOM_TEXT_INTL", "QTEXT_INTL",
                     "ATEXT_HOSTNAME_INTL"):
            lazy = getattr(c, name)
            compiled = re.compile(*lazy._source)
            assert (lazy.pattern, lazy.flags) == (compiled.pattern, compiled.flags)
            assert bool(lazy.match(part)) == bool(compiled.match(part)), name
"""


def test_email_validator_answers_as_compiled_at_once():
    # What Flask-Security's normalization asks (the login, manage.py auth):
    # the syntax alone, no DNS. Only the patterns reaching past U+FFFF wait.
    lines = booted(f"ADDRESSES = {list(ADDRESSES)!r}\n{EMAIL_CHECK}")

    assert lines[0] == str(
        ["ATEXT_HOSTNAME_INTL", "ATEXT_INTL_DOT_RE", "DOT_ATOM_TEXT_INTL", "QTEXT_INTL"]
    )
    assert lines[1:] == [f"{address} {valid}" for address, valid in ADDRESSES.items()]


def test_the_written_out_invisible_characters_are_this_python_s():
    assert BMP_INVISIBLE == character_class()
    assert INVISIBLE == BMP_INVISIBLE


class Thing(Schema):
    name = marshmallow.fields.String(required=True)


@endpoint.response(200, Thing)
def show():
    return {"name": "a"}


@pytest.fixture
def api(make_app):
    app = make_app()
    app.register(ApiServiceProvider)
    blueprint = Blueprint("things", __name__, description="Things")
    blueprint.add_url_rule("/things", "show", show, methods=["GET"])
    api = app.extensions["edmunds.api"]
    api.register_blueprint(blueprint)
    return api


def test_the_document_is_written_when_first_read_and_once(api):
    assert api._undocumented
    document = api.spec.to_dict()

    assert not api._undocumented
    assert document["tags"] == [{"name": "things", "description": "Things"}]
    assert "/things" in document["paths"]
    assert "DEFAULT_ERROR" in document["components"]["responses"]
    assert api.spec.to_dict() == document


def test_threads_reading_the_document_at_once_all_get_the_whole_of_it(api):
    documents = []
    start = threading.Barrier(4)

    def read():
        start.wait()
        documents.append(api.spec.to_dict())

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(documents) == 4
    assert all(document == documents[0] for document in documents)
    assert "/things" in documents[0]["paths"]


def test_a_blueprint_registered_after_the_first_read_is_documented(api):
    api.spec.to_dict()
    later = Blueprint("later", __name__)
    later.add_url_rule("/later", "show", show, methods=["GET"])
    api.register_blueprint(later)

    assert "/later" in api.spec.to_dict()["paths"]
