"""OpenTelemetry's wiring, imported only when traces are asked for
(edmunds/http/providers/tracingserviceprovider.py)."""

import os

from opentelemetry import trace
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

from edmunds.config.configurationerror import ConfigurationError
from edmunds.http.providers.tracingserviceprovider import exporter_names

# What OTEL_TRACES_EXPORTER may name here: the otel group's OTLP exporter
# and the SDK's own console one (development).
OTLP = ("otlp", "otlp_proto_http")
CONSOLE = "console"

_provider = None


def instrument(app, provider):
    """A span per request of ``app`` and per query of its database engines.

    SQLAlchemy's instrumentation is one per process (it also wraps
    create_engine): the engines of an app built later in the same process
    are not traced. gunicorn builds one app per process.
    """
    FlaskInstrumentor.instrument_app(app, tracer_provider=provider)
    manager = app.extensions.get("edmunds.database")
    if manager is not None and manager.engines:
        SQLAlchemyInstrumentor().instrument(
            engines=list(manager.engines.values()),
            tracer_provider=provider,
            # Its package declares SQLAlchemy below 2.1, older than this
            # project's; what it uses (the engines' before_cursor_execute and
            # after_cursor_execute events) is SQLAlchemy's stable API, and
            # tests/edmunds/test_tracing.py proves the spans on this one.
            skip_dep_check=True,
        )


def tracer_provider(app):
    """The process's TracerProvider, made once, and OpenTelemetry's global
    one: the app's own code adds spans with ``trace.get_tracer(__name__)``."""
    global _provider
    if _provider is None:
        _provider = make_tracer_provider(app.config("app.name") or app.name)
        trace.set_tracer_provider(_provider)
    return _provider


def make_tracer_provider(name):
    """A TracerProvider as the OTEL_* variables say: its exporters
    (OTEL_TRACES_EXPORTER, OTLP's OTEL_EXPORTER_OTLP_* settings), its
    sampler (OTEL_TRACES_SAMPLER), its resource (OTEL_RESOURCE_ATTRIBUTES),
    named OTEL_SERVICE_NAME or else ``name``."""
    resource = Resource.create()
    # OpenTelemetry's own default is "unknown_service:python".
    if str(resource.attributes.get(SERVICE_NAME)).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: name}))
    provider = TracerProvider(resource=resource)
    for exporter in _exporters():
        # In batches, from a thread of their own (OTEL_BSP_* tune them): a
        # request never waits for the collector. After a fork (gunicorn's
        # workers) the SDK starts the thread again in the child.
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _exporters():
    # Unset with an OTLP endpoint given (tracing_wanted), OTLP it is.
    names = exporter_names(os.environ.get("OTEL_TRACES_EXPORTER") or "otlp")
    exporters = []
    for name in names:
        if name in OTLP:
            exporters.append(_otlp_exporter())
        elif name == CONSOLE:
            exporters.append(ConsoleSpanExporter())
        else:
            raise ConfigurationError(
                f"OTEL_TRACES_EXPORTER names {name!r}, which this project does "
                "not ship: otlp (to a collector, over HTTP) or console"
            )
    return exporters


def _otlp_exporter():
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol != "http/protobuf":
        # gRPC's exporter would bring grpcio, a compiled package of its own.
        raise ConfigurationError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL is {protocol!r}; this project sends "
            "OTLP over HTTP: set it to http/protobuf (a collector listens on "
            "port 4318 for it)"
        )
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter,
        )
    except ImportError:
        # The tests and development have the SDK without the OTLP exporter.
        raise ConfigurationError(
            "OTEL_TRACES_EXPORTER or OTEL_EXPORTER_OTLP_ENDPOINT asks for OTLP, "
            "but its exporter is not installed: uv sync --group otel (or pip "
            "install -e . --group otel)"
        ) from None
    # Its endpoint, headers and timeout from OTEL_EXPORTER_OTLP_*.
    return OTLPSpanExporter()
