from gunicorn import glogging

from edmunds.logging.jsonlogs import json_logs_on, use_json_gunicorn_logs
from edmunds.logging.requestline import write_request_line


class GunicornLogger(glogging.Logger):
    """gunicorn's logger (gunicorn.conf.py's ``logger_class``), in the app's
    JSON when the app logs JSON.

    gunicorn makes its logger before it builds the app (preload_app), so its
    handlers start as gunicorn's text; the app, built in production, turns
    them JSON (edmunds/logging/jsonlogs.py) before gunicorn logs that it
    starts. This class keeps them so:

    - a configuration reload (SIGHUP) makes gunicorn's handlers anew, in
      text, and does not build the app again: setup() turns them JSON;
    - the access log, off unless asked for (``--access-logfile -``: the app
      writes a line per request already), writes the fields of the app's
      request line rather than gunicorn's Apache-style line;
      ``access_log_format`` is then not used.
    """

    def setup(self, cfg):
        super().setup(cfg)
        if json_logs_on():
            use_json_gunicorn_logs()

    def access(self, resp, req, environ, request_time):
        if not json_logs_on():
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return
        try:
            # "200 OK" as the app answered it, or gunicorn's own refusal's.
            status = int(str(resp.status).split(None, 1)[0])
            seconds = request_time.total_seconds()
            write_request_line(self.access_log, environ, status, seconds)
        except Exception:
            # As gunicorn's own: a log line that cannot be written fails no
            # request, and says why.
            self.exception("the access log line could not be written")
