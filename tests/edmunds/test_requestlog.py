"""Request ids and the request log: edmunds/http/requestid.py,
requestlog.py, requestuser.py, providers/requestlogserviceprovider.py,
gunicornerror.py's refusals, and edmunds/logging/ (JSON in production,
the request line's short way)."""

import io
import json
import logging
import re
import secrets
import socket
import textwrap
import time
import uuid
import warnings
from datetime import datetime, timedelta, timezone

import pytest
import pythonjsonlogger.core
from flask import g, request
from flask_login import AnonymousUserMixin
from gunicorn import util
from gunicorn.config import Config as GunicornConfig
from sqlalchemy import Integer, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

from edmunds.application import Application
from edmunds.auth.tokenuser import TokenUser
from edmunds.http.gunicornerror import json_error_writer
from edmunds.http.providers.requestlogserviceprovider import (
    RequestLogServiceProvider,
)
from edmunds.http.requestid import ENVIRON_KEY, request_id
from edmunds.http.requestlog import (
    FIELDS,
    line_data,
    line_fields,
    line_message,
    log_request,
)
from edmunds.http.requestuser import USER_ID, remember_the_user
from edmunds.logging import jsonlogs, requestline
from edmunds.logging.gunicornlogger import GunicornLogger
from edmunds.logging.jsonformatter import JsonFormatter
from edmunds.logging.requestline import the_handler

NEW_ID = re.compile(r"[0-9a-f]{32}")
FIT = [
    "abc-123",
    "0" * 32,
    "~" * 128,
    "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
]
HOSTILE = ["", " ", "a b", "a\tb", "a\nb", "\x00", "\x7f", "caf\xe9", "é", "x" * 129]


@pytest.mark.parametrize("sent", FIT)
def test_a_fit_request_id_is_kept(sent):
    assert request_id(sent) == sent


@pytest.mark.parametrize("sent", [None, *HOSTILE], ids=repr)
def test_a_missing_or_unfit_request_id_is_replaced_by_a_new_one(sent):
    made = request_id(sent)
    assert NEW_ID.fullmatch(made)
    assert made != request_id(sent)


# What a LogRecord looks up unless told not to (the logging HOWTO's
# "Optimization").
LOOKUPS = ("logThreads", "logProcesses", "logMultiprocessing", "logAsyncioTasks")


@pytest.fixture
def logging_as_it_was():
    """Whatever a test does to the process's logging is undone after it."""
    root = logging.getLogger()
    loggers = [root, *map(logging.getLogger, ("app", "edmunds.request"))]
    loggers += [logging.getLogger(name) for name in jsonlogs.GUNICORN_LOGGERS]
    saved = [
        (log, list(log.handlers), list(log.filters), log.level, log.propagate)
        for log in loggers
    ]
    showwarning, on = warnings.showwarning, jsonlogs._on
    flags = {name: getattr(logging, name, True) for name in LOOKUPS}
    yield
    for name, value in flags.items():
        setattr(logging, name, value)
    for log, handlers, filters, level, propagate in saved:
        log.handlers[:] = handlers
        log.filters[:] = filters
        log.setLevel(level)
        log.propagate = propagate
    logging.captureWarnings(False)
    warnings.showwarning, jsonlogs._on = showwarning, on


@pytest.fixture
def new_app(tmp_path, monkeypatch, logging_as_it_was):
    """An app on a throwaway project, in production or development, with
    RequestLogServiceProvider registered after a few routes."""
    for name in ("APP_ENV", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)

    def new_app(env):
        files = {
            ".env.py": f"SECRET_KEY = {secrets.token_urlsafe(48)!r}",
            ".env.production.py": "",
            ".env.development.py": "DEBUG = True",
        }
        (tmp_path / "config").mkdir(exist_ok=True)
        for name, source in files.items():
            (tmp_path / name).write_text(textwrap.dedent(source))
        (tmp_path / ".env.py").chmod(0o600)
        monkeypatch.setenv("APP_ENV", env)
        app = Application("app", root_path=str(tmp_path))

        @app.before_request
        def recognise_the_user():
            # What authentication will do (edmunds/http/requestuser.py).
            if "user" in request.args:
                request.environ[USER_ID] = int(request.args["user"])

        app.add_url_rule("/hello", "hello", lambda: {"hello": "world"})
        app.add_url_rule("/boom", "boom", boom)
        app.register(RequestLogServiceProvider)
        return app

    return new_app


def boom():
    raise RuntimeError("boom")


def json_lines(text):
    """Every line of ``text``, each of which must be one JSON object."""
    return [json.loads(line) for line in text.splitlines()]


def test_production_writes_one_json_line_per_request(new_app, capsys):
    client = new_app("production").test_client()

    sent = client.get("/hello?token=secret", headers={"X-Request-ID": "abc-123"})
    made = client.get("/hello", query_string={"user": "7"})

    assert sent.headers["X-Request-ID"] == "abc-123"
    assert NEW_ID.fullmatch(made.headers["X-Request-ID"])
    first, second = json_lines(capsys.readouterr().err)
    duration = first.pop("duration_ms")
    time = datetime.fromisoformat(first.pop("time"))
    assert first == {
        "level": "INFO",
        "logger": "edmunds.request",
        "message": "GET /hello 200",
        "method": "GET",
        # The query string, which may carry secrets, stays out.
        "path": "/hello",
        "status": 200,
        "request_id": "abc-123",
        "user_id": None,
    }
    assert isinstance(duration, float) and 0 <= duration < 10_000
    assert time.utcoffset() == timedelta(0)
    assert second["request_id"] == made.headers["X-Request-ID"]
    assert second["user_id"] == 7


def test_production_records_skip_what_no_line_carries(new_app, capsys):
    # Threads', processes' and tasks' names: looked up for every record,
    # written by no JSON line.
    client = new_app("production").test_client()
    client.get("/hello")
    record = logging.LogRecord("x", logging.INFO, "", 0, "", (), None)

    assert [getattr(logging, name) for name in LOOKUPS] == [False] * 4
    assert (record.threadName, record.processName, record.process) == (None,) * 3
    (line,) = json_lines(capsys.readouterr().err)
    assert line["message"] == "GET /hello 200"


def test_development_records_keep_their_thread_and_process(new_app):
    new_app("development").test_client().get("/hello")
    record = logging.LogRecord("x", logging.INFO, "", 0, "", (), None)

    assert record.threadName is not None and record.process is not None


class Rows(DeclarativeBase):
    pass


class Person(Rows):
    __tablename__ = "people"
    id = mapped_column(Integer, primary_key=True)


def test_remember_the_user_names_flask_logins_user_without_a_query(new_app, capsys):
    """edmunds/http/requestuser.py's remember_the_user, which a project
    logging users in with Flask-Login's own ways registers: the user put
    where Flask-Login keeps it (g._login_user), read from the row's
    identity."""
    engine = create_engine("sqlite://")
    Rows.metadata.create_all(engine)
    session = Session(engine)
    person = Person(id=42)
    session.add(person)
    # As a request's commit leaves the guard's user: every attribute expired.
    session.commit()
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    app = new_app("production")
    app.teardown_request(remember_the_user)

    @app.before_request
    def authenticate():
        # What Flask-Login's login_user leaves.
        if "person" in request.args:
            g._login_user = person
        elif "token" in request.args:
            g._login_user = TokenUser(Person, 5)
        elif "anonymous" in request.args:
            g._login_user = AnonymousUserMixin()

    client = app.test_client()
    for query in ("person", "token", "anonymous", "", "person&user=7"):
        client.get(f"/hello?{query}")
        client.get(f"/nowhere?{query}")  # a 404 too

    lines = json_lines(capsys.readouterr().err)
    assert [line["user_id"] for line in lines] == [
        *(42, 42),
        *(5, 5),
        *(None, None, None, None),
        *(7, 7),
    ]
    # Read without loading the row again.
    assert statements == []
    assert person.id == 42 and statements  # which reading person.id would do
    session.close()


@pytest.mark.parametrize("env", ["development", "production"])
def test_no_user_is_looked_for_at_the_end_of_a_request(new_app, env):
    """The token guard stores the id itself (edmunds/http/requestuser.py):
    no teardown runs on every request for it."""
    app = new_app(env)

    assert app.teardown_request_funcs.get(None, []) == []


@pytest.mark.parametrize("sent", HOSTILE, ids=repr)
def test_a_hostile_request_id_is_replaced_in_the_answer_and_the_log(
    new_app, capsys, sent
):
    client = new_app("production").test_client()

    # Werkzeug's test client sends the header's characters as they are.
    answer = client.get("/hello", environ_base={"HTTP_X_REQUEST_ID": sent})

    made = answer.headers["X-Request-ID"]
    assert NEW_ID.fullmatch(made)
    (line,) = json_lines(capsys.readouterr().err)
    assert line["request_id"] == made


def test_an_unhandled_exception_is_json_with_the_id_of_its_request(new_app, capsys):
    client = new_app("production").test_client()

    answer = client.get("/boom", headers={"X-Request-ID": "boom-1"})

    assert answer.status_code == 500
    assert answer.headers["X-Request-ID"] == "boom-1"
    error, line = json_lines(capsys.readouterr().err)
    assert error["level"] == "ERROR" and error["logger"] == "app"
    assert error["message"] == "Exception on /boom [GET]"
    assert error["exc_info"].startswith("Traceback (most recent call last):")
    assert error["exc_info"].endswith("RuntimeError: boom")
    assert error["request_id"] == "boom-1"
    assert (line["path"], line["status"], line["request_id"]) == (
        "/boom",
        500,
        "boom-1",
    )


def test_every_answer_has_its_id_the_404s_and_the_path_as_it_was_asked(new_app, capsys):
    client = new_app("production").test_client()

    answer = client.get("/caf%C3%A9")

    assert answer.status_code == 404
    (line,) = json_lines(capsys.readouterr().err)
    assert line["path"] == "/café" and line["status"] == 404
    assert line["request_id"] == answer.headers["X-Request-ID"]


def test_production_logs_warnings_and_library_lines_in_json_too(new_app, capsys):
    new_app("production")

    logging.getLogger("sqlalchemy.pool").error("a connection was lost")
    warnings.warn("an old way", DeprecationWarning, stacklevel=1)

    lines = json_lines(capsys.readouterr().err)
    assert [(line["logger"], line["level"]) for line in lines] == [
        ("sqlalchemy.pool", "ERROR"),
        ("py.warnings", "WARNING"),
    ]
    # Outside a request, no request id.
    assert "request_id" not in lines[0]


def test_an_app_built_twice_writes_each_line_once(new_app, capsys):
    new_app("production")
    client = new_app("production").test_client()

    client.get("/hello")

    assert len(capsys.readouterr().err.splitlines()) == 1


def test_development_keeps_its_text_logs_and_sends_request_ids(new_app, capsys):
    root_handlers = list(logging.getLogger().handlers)
    app = new_app("development")

    answer = app.test_client().get("/hello", headers={"X-Request-ID": "dev-1"})

    assert answer.headers["X-Request-ID"] == "dev-1"
    assert capsys.readouterr().err == ""  # the development server writes its own
    assert logging.getLogger().handlers == root_handlers
    assert not jsonlogs.json_logs_on()


class Message:
    """What gunicorn hands its access log: the request and the answer, as
    far as gunicorn's own format reads them."""

    headers = []
    status = "201 CREATED"
    sent = 17


def access_line(logger, environ):
    logger.access(Message(), Message(), environ, timedelta(microseconds=2500))


ENVIRON = {
    "REQUEST_METHOD": "POST",
    "PATH_INFO": "/api/users",
    "QUERY_STRING": "",
    "RAW_URI": "/api/users",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "edmunds.request_id": "gun-1",
}


def test_gunicorns_logs_are_json_once_the_app_is_and_stay_so_on_reload(new_app, capsys):
    cfg = GunicornConfig()
    cfg.set("accesslog", "-")
    logger = GunicornLogger(cfg)
    logger.info("before the app")
    new_app("production")

    logger.info("Booting worker with pid: %s", 42)
    logger.setup(cfg)  # a configuration reload (SIGHUP)
    logger.warning("after a reload")
    access_line(logger, ENVIRON)

    captured = capsys.readouterr()
    before, *after = captured.err.splitlines()
    assert before.endswith("[INFO] before the app")  # gunicorn's own text
    assert [
        (line["logger"], line["level"], line["message"])
        for line in json_lines("\n".join(after))
    ] == [
        ("gunicorn.error", "INFO", "Booting worker with pid: 42"),
        ("gunicorn.error", "WARNING", "after a reload"),
    ]
    (access,) = json_lines(captured.out)
    access.pop("time")
    assert access == {
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": "POST /api/users 201",
        "method": "POST",
        "path": "/api/users",
        "status": 201,
        "duration_ms": 2.5,
        "request_id": "gun-1",
        "user_id": None,
    }


def test_gunicorns_access_log_is_its_own_outside_production(capsys, logging_as_it_was):
    cfg = GunicornConfig()
    cfg.set("accesslog", "-")

    access_line(GunicornLogger(cfg), ENVIRON)

    line = capsys.readouterr().out
    assert '"POST /api/users HTTP/1.1" 201 17' in line  # Apache's combined format


def test_gunicorns_refusals_carry_a_new_request_id():
    writer = json_error_writer({}, fallback=util.write_error)
    ours, theirs = socket.socketpair()
    with ours, theirs:
        writer(ours, 414, "URI Too Long", "too long")
        ours.shutdown(socket.SHUT_WR)
        head = b"".join(iter(lambda: theirs.recv(65536), b"")).split(b"\r\n\r\n")[0]

    (line,) = [line for line in head.split(b"\r\n") if line.startswith(b"X-Request-ID")]
    assert NEW_ID.fullmatch(line.decode().removeprefix("X-Request-ID: "))


def test_a_line_of_several_lines_stays_one_json_line(new_app, capsys):
    new_app("production")

    logging.getLogger("app").error('two\nlines, and "quotes"')

    (line,) = capsys.readouterr().err.splitlines()
    assert json.loads(line)["message"] == 'two\nlines, and "quotes"'


def request_record(path="/api/users", user=None, status=201):
    """The record log_request hands the handlers, at INFO as production
    has it."""
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    log = logging.getLogger("edmunds.request")
    log.addHandler(Keep())
    log.setLevel(logging.INFO)
    log.propagate = False
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, ENVIRON_KEY: "id-1"}
    if user is not None:
        environ[USER_ID] = user
    log_request(log, environ, status, 0.0012345)
    (record,) = records
    return record


def the_long_way(formatter, record):
    """What python-json-logger's own format() writes for ``record``."""
    return pythonjsonlogger.core.BaseJsonFormatter.format(formatter, record)


@pytest.mark.parametrize(
    ("path", "user", "written"),
    [
        ("/api/users", None, None),
        # Encoded as Werkzeug hands it, and written escaped (ASCII).
        ('/caf\xc3\xa9/"quoted"\\', 7, 7),
        # What turns a line around or breaks it: escaped too.
        ("/\xe2\x80\xae/\xe2\x80\xa8/\xc2\x85", None, None),
        # No JSON type: python-json-logger's JsonEncoder writes str().
        ("/", uuid.UUID(int=7), str(uuid.UUID(int=7))),
        # What orjson refuses: the standard library's encoder writes it.
        ("/", 2**70, 2**70),
        ("/", "a\ud800b", "a\ud800b"),
    ],
    ids=["ascii", "utf-8", "bidi-and-breaks", "uuid", "huge-int", "surrogate"],
)
def test_a_request_line_is_the_json_python_json_logger_writes(
    logging_as_it_was, monkeypatch, path, user, written
):
    formatter = JsonFormatter()
    record = request_record(path, user)

    with monkeypatch.context() as patch:
        # The short way, not python-json-logger's.
        patch.setattr(pythonjsonlogger.core.BaseJsonFormatter, "format", None)
        line = formatter.format(record)

    assert line == the_long_way(formatter, record)
    assert line.isascii(), line
    assert json.loads(line)["user_id"] == written


def test_a_request_lines_time_is_the_one_python_json_logger_writes(
    logging_as_it_was,
):
    formatter = JsonFormatter()
    record = request_record()
    # Whole seconds (no fraction written), a fraction that rounds up into
    # the next second, halves rounded to even, and a spread of others.
    times = [1765105162.0, 1765105162.9999996, 1765105162.0000005, 0.5e-6]
    times += [1765105162 + n / 997 for n in range(997)]

    for created in times:
        record.created = created
        expected = json.loads(the_long_way(formatter, record))["time"]
        assert json.loads(formatter.format(record))["time"] == expected, created


def format_a_record(message, **extra):
    """The line production's formatter writes for ``log.info(message,
    extra=extra)``, at a fixed time."""
    record = logging.LogRecord("app", logging.INFO, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    record.created = 1765105162.5
    return JsonFormatter().format(record)


def test_a_line_is_compact_json_in_ascii():
    ascii_only = format_a_record("cafe", path="/u")
    # Past ASCII, every character escaped: U+202E would turn the rest of
    # the line around in a terminal, U+2028 break it in some log viewers.
    escaped = format_a_record("caf\u00e9 \u2713 \u202e", path="/\u00fc\u2028")

    assert ascii_only == (
        '{"level":"INFO","logger":"app","message":"cafe","path":"/u",'
        '"time":"2025-12-07T10:59:22.500000+00:00"}'
    )
    assert escaped == (
        '{"level":"INFO","logger":"app","message":"caf\\u00e9 \\u2713 \\u202e",'
        '"path":"/\\u00fc\\u2028","time":"2025-12-07T10:59:22.500000+00:00"}'
    )


@pytest.mark.parametrize(
    ("message", "extra"),
    [
        # orjson refuses each of these; the standard library writes them.
        ("lone \ud800 surrogate", {}),
        ("m", {"counts": {1: "one", None: "none", 2.5: "half"}}),
        ("m", {"big": 2**64, "small": -(2**63) - 1}),
        ("m", {"deep": [{"big": 10**30, "name": "\udfff"}]}),
        # orjson writes it raw; escaped, as the standard library writes it.
        ("del \x7f", {"path": "/\x7f"}),
    ],
    ids=["surrogate", "non-str-keys", "huge-ints", "nested", "del"],
)
def test_what_orjson_refuses_is_still_written(message, extra):
    line = format_a_record(message, **extra)

    expected = {"level": "INFO", "logger": "app", "message": message, **extra}
    expected["time"] = "2025-12-07T10:59:22.500000+00:00"
    # As the standard library writes it, compact and in ASCII.
    assert line == json.dumps(expected, separators=(",", ":"))


def test_a_circular_value_is_a_logging_error_not_the_callers(capsys):
    # orjson refuses it; the standard library's check names it (ValueError),
    # which a handler reports as a logging error, where a RecursionError
    # would go up into the code that logged.
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("test.circular")
    log.addHandler(handler)
    log.propagate = False
    looped = {}
    looped["self"] = looped
    try:
        log.warning("m", extra={"looped": looped})
        log.warning("after")
    finally:
        log.removeHandler(handler)

    assert "Circular reference detected" in capsys.readouterr().err
    (line,) = handler.stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "after"


def test_what_json_has_no_type_for_is_written_by_orjson_or_python_json_logger():
    when = datetime(2026, 12, 7, 9, 30, 0, 250, tzinfo=timezone(timedelta(hours=1)))
    error = ValueError("no")

    line = json.loads(format_a_record("m", when=when, id=uuid.UUID(int=7), e=error))

    # orjson's own: as isoformat() and str().
    assert line["when"] == "2026-12-07T09:30:00.000250+01:00"
    assert line["id"] == "00000000-0000-0000-0000-000000000007"
    # What orjson has no way for: python-json-logger's JsonEncoder's.
    assert line["e"] == "ValueError: no"


def test_what_a_filter_or_a_record_factory_adds_is_in_the_request_line(
    new_app, capsys, monkeypatch
):
    client = new_app("production").test_client()
    made = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = made(*args, **kwargs)
        record.trace_id = "t-1"
        return record

    def hostname(record):
        record.hostname = "web-1"
        return True

    client.get("/hello")
    monkeypatch.setattr(logging, "_logRecordFactory", factory)
    client.get("/hello")
    logging.getLogger("edmunds.request").addFilter(hostname)
    try:
        client.get("/hello")
    finally:
        logging.getLogger("edmunds.request").removeFilter(hostname)

    plain, traced, both = json_lines(capsys.readouterr().err)
    assert "trace_id" not in plain and "hostname" not in plain
    assert traced["trace_id"] == "t-1" and "hostname" not in traced
    assert (both["trace_id"], both["hostname"]) == ("t-1", "web-1")
    assert [line["message"] for line in (plain, traced, both)] == ["GET /hello 200"] * 3


def test_with_the_request_logger_at_warning_no_line_and_no_record_is_made(
    new_app, capsys, monkeypatch
):
    client = new_app("production").test_client()
    logging.getLogger("edmunds.request").setLevel(logging.WARNING)
    made = []
    monkeypatch.setattr(logging, "_logRecordFactory", lambda *args: made.append(args))

    answer = client.get("/hello")

    assert answer.headers["X-Request-ID"]
    assert capsys.readouterr().err == ""
    assert made == []


# edmunds/logging/requestline.py: the line straight to the project's handler.


@pytest.fixture
def request_logger(logging_as_it_was, monkeypatch):
    """(logger, handler, records): the request lines' logger as production
    has it, writing to a StringIO through a handler of its own (not the
    root's, which pytest gives handlers of its own), at a fixed time; and
    the records made. Called in the test: as a test starts, pytest adds its
    handlers to every logger that does not propagate."""
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("edmunds.request")
    log.setLevel(logging.INFO)
    log.propagate = False
    # Python 3.13's LogRecord reads time_ns(), 3.11's and 3.12's time().
    now = 1765105162_123456789
    monkeypatch.setattr(time, "time_ns", lambda: now)
    monkeypatch.setattr(time, "time", lambda: now / 1e9)
    records = []

    def request_record(*args):
        records.append(made(*args))
        return records[-1]

    made = requestline.request_record
    monkeypatch.setattr(requestline, "request_record", request_record)

    def request_logger():
        log.handlers[:] = [handler]
        return log, handler, records

    return request_logger


def written(handler):
    """What the handler's stream holds, emptied."""
    text = handler.stream.getvalue()
    handler.stream.seek(0)
    handler.stream.truncate()
    return text


@pytest.mark.parametrize(
    "environ",
    [
        {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/users", ENVIRON_KEY: "id-1"},
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": '/caf\xc3\xa9/"quoted"\\',
            ENVIRON_KEY: "~" * 128,
            USER_ID: 7,
        },
        # No JSON type: python-json-logger's JsonEncoder writes str().
        {"REQUEST_METHOD": "DELETE", "PATH_INFO": "/", USER_ID: uuid.UUID(int=7)},
        # What orjson refuses: the standard library's encoder writes it.
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/", USER_ID: 2**70},
        {"PATH_INFO": "/", USER_ID: "a\udc80b"},
    ],
)
def test_the_short_way_writes_the_bytes_of_the_ordinary_way(request_logger, environ):
    log, handler, records = request_logger()

    assert the_handler(log) is handler
    requestline.write_request_line(log, environ, 201, 0.0012345)
    short = written(handler)
    assert records == []  # no LogRecord made
    log_request(log, environ, 201, 0.0012345)

    assert short == written(handler)
    (line,) = json_lines(short)
    assert line["time"] == "2025-12-07T10:59:22.123457+00:00"


def test_the_short_ways_dict_holds_the_ordinary_ways_fields_in_their_order():
    environ = {"REQUEST_METHOD": "PUT", "PATH_INFO": "/a", ENVIRON_KEY: "i", USER_ID: 3}
    fields = line_fields(environ, 204, 0.0012345)

    data = line_data("INFO", "edmunds.request", environ, 204, 0.0012345)

    assert list(data) == ["level", "logger", "message", *FIELDS]
    assert data["message"] == line_message(fields) == "PUT /a 204"
    assert {name: data[name] for name in FIELDS} == fields


class TeamsHandler(logging.StreamHandler):
    pass


class TeamsFormatter(JsonFormatter):
    pass


def add_a_filter(log, handler):
    log.addFilter(lambda record: True)


def add_a_handlers_filter(log, handler):
    handler.addFilter(lambda record: True)


def add_a_handler(log, handler):
    log.addHandler(logging.NullHandler())


def add_a_parents_handler(log, handler):
    log.propagate = True
    logging.getLogger().addHandler(logging.NullHandler())


def set_a_record_factory(log, handler):
    logging.setLogRecordFactory(lambda *args, **kwargs: logging.LogRecord(*args))


def set_a_formatter_subclass(log, handler):
    handler.setFormatter(TeamsFormatter())


def set_a_text_formatter(log, handler):
    handler.setFormatter(logging.Formatter())


def use_a_handler_subclass(log, handler):
    teams = TeamsHandler(handler.stream)
    teams.setFormatter(handler.formatter)
    log.handlers[:] = [teams]


@pytest.mark.parametrize(
    "change",
    [
        add_a_filter,
        add_a_handlers_filter,
        add_a_handler,
        add_a_parents_handler,
        set_a_record_factory,
        set_a_formatter_subclass,
        set_a_text_formatter,
        use_a_handler_subclass,
    ],
)
def test_a_teams_logging_takes_the_ordinary_way(request_logger, monkeypatch, change):
    log, handler, records = request_logger()
    # Undone after the test, with the record factory and the root's handlers.
    monkeypatch.setattr(logging, "_logRecordFactory", logging.getLogRecordFactory())
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", ENVIRON_KEY: "id-1"}
    change(log, handler)

    assert the_handler(log) is None
    requestline.write_request_line(log, environ, 200, 0.001)

    (record,) = records
    assert record.getMessage() == "GET / 200"


def test_the_short_way_comes_back_when_the_teams_filter_goes(request_logger):
    log, handler, records = request_logger()
    hostname = lambda record: True  # noqa: E731

    log.addFilter(hostname)
    assert the_handler(log) is None
    log.removeFilter(hostname)
    assert the_handler(log) is handler


def test_a_handler_above_info_writes_no_line(request_logger):
    log, handler, records = request_logger()
    handler.setLevel(logging.WARNING)

    assert the_handler(log) is None
    requestline.write_request_line(log, {"PATH_INFO": "/"}, 200, 0.001)
    assert written(handler) == ""


def test_a_disabled_logger_writes_no_line(request_logger, monkeypatch):
    log, handler, records = request_logger()
    # What logging.config's disable_existing_loggers does to a logger.
    monkeypatch.setattr(log, "disabled", True)

    assert the_handler(log) is None
    requestline.write_request_line(log, {"PATH_INFO": "/"}, 200, 0.001)
    assert written(handler) == ""


def test_a_stream_that_fails_goes_to_the_handlers_error_as_a_record(
    request_logger, monkeypatch
):
    log, handler, records = request_logger()
    errors = []
    monkeypatch.setattr(handler, "stream", None)  # no stream: write fails
    monkeypatch.setattr(handler, "handleError", errors.append)

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    requestline.write_request_line(log, environ, 200, 0.001)

    assert errors == records and errors[0].getMessage() == "GET / 200"


def test_production_takes_the_short_way_with_the_projects_handler_alone(
    new_app, capsys, monkeypatch
):
    client = new_app("production").test_client()
    root = logging.getLogger()
    # pytest's own handlers out: the project's handler alone, as in a server.
    root.handlers[:] = [h for h in root.handlers if type(h.formatter) is JsonFormatter]
    made = []
    monkeypatch.setattr(requestline, "request_record", lambda *a: made.append(a))

    client.get("/hello", headers={"X-Request-ID": "short-1"})

    assert made == []
    (line,) = json_lines(capsys.readouterr().err)
    assert (line["message"], line["request_id"]) == ("GET /hello 200", "short-1")
