"""Traces: edmunds/http/providers/tracingserviceprovider.py and
edmunds/http/tracing.py. The SDK and the instrumentations come with the dev
group; the OTLP exporter with the otel group alone."""

import io
import json
import os
import secrets
import subprocess
import sys

import pytest
from sqlalchemy import text

import edmunds.http
from bootstrap.app import PROJECT_ROOT
from edmunds.application import Application
from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db
from edmunds.http.providers.tracingserviceprovider import (
    TracingServiceProvider,
    tracing_wanted,
)


@pytest.mark.parametrize(
    ("variables", "wanted"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "orders"}, False),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": " none , "}, False),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "none,console"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
        (
            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"},
            True,
        ),
        # An exporter named wins over an endpoint: none is none.
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "x"}, False),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "TRUE"}, False),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "false"}, True),
    ],
)
def test_traces_are_off_unless_the_otel_variables_ask(variables, wanted):
    assert tracing_wanted(variables) is wanted


# Builds the app as gunicorn does and serves a request; prints every module
# of OpenTelemetry (and of what only it brings) that the process imported.
SERVE_ONE = """\
import sys
from bootstrap.app import bootstrap
answer = bootstrap().test_client().get("/up")
assert answer.status_code == 200, answer.status_code
print(sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("opentelemetry", "wrapt", "greenlet")
))
"""


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"},
    ],
    ids=["nothing said", "sdk disabled"],
)
def test_when_off_nothing_of_opentelemetry_is_imported(variables):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OTEL_", "APP_", "DB_", "SECRET_KEY"))
    }
    env.update(
        variables,
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        PYTHONPATH=PROJECT_ROOT,
    )
    completed = subprocess.run(
        [sys.executable, "-c", SERVE_ONE],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "[]\n"


CONFIG = """\
from edmunds.database.drivers.sqlitememory import SqliteMemory

APP = {
    "name": "Traced",
    "database": {
        "enabled": True,
        "instances": [{"name": "main", "driver": SqliteMemory}],
    },
}
"""


@pytest.fixture
def traced_app(tmp_path, monkeypatch):
    """A throwaway app on SQLite in memory, traced into an in-memory exporter:
    (app, exporter)."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
        InMemorySpanExporter,
    )

    from edmunds.http import tracing

    for name in list(os.environ):
        if name.startswith(("OTEL_", "DB_")) or name in ("APP_ENV", "SECRET_KEY"):
            monkeypatch.delenv(name)
    (tmp_path / "config").mkdir()
    (tmp_path / "config/app.py").write_text(CONFIG)
    (tmp_path / ".env.testing.py").write_text("TESTING = True\n")
    monkeypatch.setenv("APP_ENV", "testing")
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    # The one the OTEL_* variables would make, but kept in memory.
    monkeypatch.setattr(tracing, "tracer_provider", lambda app: provider)

    app = Application("app", root_path=str(tmp_path))
    app.register(TracingServiceProvider)

    @app.route("/users/<int:user_id>")
    def user(user_id):
        row = db.session.execute(text("SELECT :id AS id"), {"id": user_id}).one()
        return {"id": row.id}

    yield app, exporter
    # SQLAlchemy's instrumentation is one per process.
    SQLAlchemyInstrumentor().uninstrument()


def test_a_request_and_its_queries_are_spans_of_one_trace(traced_app):
    from opentelemetry.trace import SpanKind

    app, exporter = traced_app

    answer = app.test_client().get("/users/7")

    assert answer.json == {"id": 7}
    spans = exporter.get_finished_spans()
    (request,) = [span for span in spans if span.kind is SpanKind.SERVER]
    assert request.name == "GET /users/<int:user_id>"
    assert request.attributes["http.route"] == "/users/<int:user_id>"
    assert request.attributes["http.status_code"] == 200
    (query,) = [
        span for span in spans if "SELECT" in span.attributes.get("db.statement", "")
    ]
    assert query.kind is SpanKind.CLIENT
    assert query.attributes["db.system"] == "sqlite"
    # The query belongs to the request: the same trace, under its span.
    assert query.context.trace_id == request.context.trace_id
    assert query.parent.span_id == request.context.span_id


def test_a_trace_started_upstream_goes_on_here(traced_app):
    app, exporter = traced_app
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"

    app.test_client().get(
        "/users/1", headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
    )

    spans = exporter.get_finished_spans()
    assert spans and {f"{span.context.trace_id:032x}" for span in spans} == {trace_id}


@pytest.fixture
def otel_variables(monkeypatch):
    for name in list(os.environ):
        if name.startswith("OTEL_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_the_variables_make_the_exporters_and_name_the_service(otel_variables):
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    from edmunds.http import tracing

    printed = io.StringIO()
    otel_variables.setattr(
        tracing, "ConsoleSpanExporter", lambda: ConsoleSpanExporter(out=printed)
    )
    otel_variables.setenv("OTEL_TRACES_EXPORTER", "console")

    provider = tracing.make_tracer_provider("My Shop")
    with provider.get_tracer("probe").start_as_current_span("probe span"):
        pass
    provider.force_flush()

    span = json.loads(printed.getvalue())
    assert span["name"] == "probe span"
    assert span["resource"]["attributes"]["service.name"] == "My Shop"
    otel_variables.setenv("OTEL_SERVICE_NAME", "orders")
    named = tracing.make_tracer_provider("My Shop").resource
    assert named.attributes["service.name"] == "orders"


def otlp_installed():
    try:
        import opentelemetry.exporter.otlp.proto.http  # noqa: F401
    except ImportError:
        return False
    return True


def test_otlp_needs_the_otel_group(otel_variables):
    from edmunds.http.tracing import make_tracer_provider

    otel_variables.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")

    if otlp_installed():  # `uv sync --group otel`: the exporter is made
        make_tracer_provider("app").shutdown()
    else:  # the dev group alone: one line saying what to install
        with pytest.raises(ConfigurationError, match="uv sync --group otel"):
            make_tracer_provider("app")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "names 'zipkin', which this project"),
        (
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
            "OTEL_EXPORTER_OTLP_PROTOCOL is 'grpc'",
        ),
    ],
)
def test_what_this_project_cannot_send_is_said_in_one_line(
    otel_variables, variables, message
):
    from edmunds.http.tracing import make_tracer_provider

    for name, value in variables.items():
        otel_variables.setenv(name, value)

    with pytest.raises(ConfigurationError, match=message):
        make_tracer_provider("app")


def test_traces_asked_for_without_opentelemetry_say_what_to_install(
    otel_variables, tmp_path
):
    otel_variables.setenv("OTEL_TRACES_EXPORTER", "console")
    otel_variables.setenv("APP_ENV", "testing")
    (tmp_path / "config").mkdir()
    (tmp_path / ".env.testing.py").write_text("TESTING = True\n")
    app = Application("app", root_path=str(tmp_path))
    # As in an install without the otel group.
    otel_variables.delitem(sys.modules, "edmunds.http.tracing", raising=False)
    otel_variables.delattr(edmunds.http, "tracing", raising=False)
    otel_variables.setitem(sys.modules, "opentelemetry", None)

    with pytest.raises(ConfigurationError) as refused:
        app.register(TracingServiceProvider)

    assert str(refused.value).startswith(
        "the OTEL_* variables ask for traces, but opentelemetry is not installed: "
        "uv sync --group otel"
    )
