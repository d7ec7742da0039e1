import logging

from edmunds.http.requestlog import LOGGER, RequestLog
from edmunds.support.serviceprovider import ServiceProvider


class RequestLogServiceProvider(ServiceProvider):
    """Request ids everywhere; in production, logs a machine can read.

    - every request has an id (edmunds/http/requestid.py: its
      ``X-Request-ID`` when fit, else a new one), sent back on its answer,
      errors included, and added to every log line written while it is
      answered;
    - in production (``app.production``), one JSON line per request
      (edmunds/http/requestlog.py), and every other log line of the process
      in JSON too: the app's errors with their traceback and request id,
      gunicorn's own lines (edmunds/logging/jsonlogs.py); the line's
      ``user_id`` is the id of the user the request's token was of, which
      the token guard stores in the request's environ
      (edmunds/http/requestuser.py);
    - in development, logs stay text: the development server writes its own
      line per request.

    Registered last of the HTTP side (bootstrap/app.py): its middleware is
    then the outermost, and its duration covers all the app does.
    """

    def register(self):
        app = self.app
        log = write = None
        if app.production:
            # Imported here: development never loads the JSON formatting.
            from edmunds.logging.jsonlogs import use_json_logs
            from edmunds.logging.requestline import write_request_line

            use_json_logs(app)
            log = logging.getLogger(LOGGER)
            # The root logger passes warnings and errors only; a request's
            # line is information.
            log.setLevel(logging.INFO)
            write = write_request_line
        app.wsgi_app = RequestLog(app.wsgi_app, log, write)
