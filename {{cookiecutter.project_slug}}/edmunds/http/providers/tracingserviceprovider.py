import os

from edmunds.config.configurationerror import ConfigurationError
from edmunds.support.serviceprovider import ServiceProvider


class TracingServiceProvider(ServiceProvider):
    """OpenTelemetry traces of every request (Flask) and every query
    (SQLAlchemy), sent where the standard OTEL_* variables say
    (edmunds/http/tracing.py).

    Off unless those variables ask (tracing_wanted): then nothing of
    OpenTelemetry is imported, and a request costs what it did without it.
    The packages come with the ``otel`` dependency group (README.md,
    docs/observability.md).

    Registered first of the HTTP side (bootstrap/app.py): a request's span
    starts in a before_request hook, which then runs before any other can
    refuse the request (a body over MAX_CONTENT_LENGTH).
    """

    def register(self):
        if not tracing_wanted(os.environ):
            return
        try:
            from edmunds.http import tracing
        except ImportError as error:
            raise ConfigurationError(
                f"the OTEL_* variables ask for traces, but {error.name} is not "
                "installed: uv sync --group otel (or pip install -e . --group "
                "otel), or unset OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_ENDPOINT"
            ) from None
        tracing.instrument(self.app, tracing.tracer_provider(self.app))


def tracing_wanted(environ):
    """Whether the OTEL_* variables ask for traces: an exporter named in
    OTEL_TRACES_EXPORTER (``none`` names none), or else an OTLP endpoint
    given; never with OTEL_SDK_DISABLED=true.

    OpenTelemetry's SDK, set up by its own ``opentelemetry-instrument``,
    exports to OTLP when nothing is said; here nothing said is off, so that
    a project that collects no traces pays nothing for them.
    """
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip()
    if exporters:
        return bool(exporter_names(exporters))
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


def exporter_names(value):
    """OTEL_TRACES_EXPORTER's names, a comma-separated list, without ``none``."""
    names = (name.strip().lower() for name in value.split(","))
    return [name for name in names if name and name != "none"]
