from flask import request
from werkzeug.exceptions import RequestEntityTooLarge


def refuse_a_body_past_the_limit():
    """A 413 for any request body over MAX_CONTENT_LENGTH, before a handler runs.

    Werkzeug refuses a Content-Length over the limit, but only once the body
    is read, and a chunked body (no Content-Length) it cuts at the limit
    without a word: a 10 MB body reached the parser as its first 1 MiB, and
    was answered as JSON that ends too soon. Here every body is read (at most
    the limit: what any handler would read) and one byte past the limit means
    there was more.
    """
    limit = request.max_content_length
    if limit is None:
        return
    body = request.get_data(cache=True)  # raises the 413 of a Content-Length
    # Without a Content-Length, Werkzeug reads only what a server that ends
    # the stream itself hands over (wsgi.input_terminated: gunicorn, its own
    # dev server), so peeking past the limit cannot wait for a byte forever.
    chunked = request.content_length is None
    if chunked and "wsgi.input_terminated" in request.environ and len(body) == limit:
        if request.input_stream.read(1):
            raise RequestEntityTooLarge()
