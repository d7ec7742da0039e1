"""gunicorn's settings, read from the project folder by ``gunicorn wsgi:app``.

Anything here can be overridden on the command line (``--bind``,
``--workers``) or in the GUNICORN_CMD_ARGS environment variable.
"""

# Build the app once, in the master, before forking the workers: a
# configuration mistake stops gunicorn at once with wsgi.py's one line, and
# the workers share the loaded code.
preload_app = True

# A client that sends its request slowly holds whoever reads it until the
# request is whole. A sync worker (gunicorn's default) is then gone for every
# other client, until `timeout` kills it: 16 such clients kept /up from
# answering for 40 s. In threads, each one holds one thread of many, and a
# connection that sends nothing goes back to the worker's poller. The real
# cure is a buffering proxy in front (nginx reads whole requests before it
# passes them on; see README.md, "Running in production").
worker_class = "gthread"
threads = 32

# gunicorn's own log lines in the app's shape: JSON in production, with the
# fields of the app's request line in the access log (off unless
# --access-logfile is given: the app writes a line per request already).
# See docs/observability.md.
logger_class = "edmunds.logging.gunicornlogger.GunicornLogger"

# gunicorn's default control socket is one path per user ($HOME/.gunicorn),
# which two servers on one machine would fight over.
control_socket_disable = True


def post_fork(server, worker):
    # Connections opened in the master must not be shared by the workers:
    # each worker opens its own. (bootstrap opens none; this keeps it so.)
    from edmunds.database.db import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def post_worker_init(worker):
    # gunicorn answers a request it refuses before the app sees it (a request
    # line over 4094 bytes: 414) in HTML, and has no setting for that answer:
    # its writer is replaced, so that every error of the API is JSON.
    from edmunds.http.gunicornerror import use_json_errors

    use_json_errors(worker.wsgi)
