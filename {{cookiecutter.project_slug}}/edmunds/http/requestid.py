"""The id of a request: the one its sender gave, when it is fit to carry on,
else a new one.

A proxy or another service in front usually sends ``X-Request-ID``; keeping
it lets one id follow a request through every log on its way. What comes
from the client is checked: at most 128 visible ASCII characters (``!`` to
``~``), so that it can go back in a header, into a log line read by a
person, or into a search, as it came. Anything else (longer, empty, a
space, a control character, a byte past ASCII) is replaced, not cleaned:
an id altered on the way would no longer match the sender's.
"""

import re
from contextvars import ContextVar
from os import urandom

HEADER = "X-Request-ID"
# Where the WSGI environ keeps it, for whatever runs after the app's own
# context is gone (the request's log line, gunicorn's access log).
ENVIRON_KEY = "edmunds.request_id"

# 128 covers the ids in use (a UUID is 36 characters, a W3C trace id 32, an
# AWS load balancer's X-Amzn-Trace-Id about 80) with room to spare.
_FIT = re.compile(r"[!-~]{1,128}")

# The request the current thread (or task) is answering, for every log line
# written meanwhile: edmunds/logging/jsonformatter.py adds it.
current_request_id = ContextVar("current_request_id", default=None)


def request_id(sent):
    """``sent`` (the header's value, or None) if it is fit, else a new one:
    128 random bits in hex (32 characters).

    As hard to guess as uuid.uuid4().hex, which gives six of its 128 bits
    to its version and variant, for a seventh of its instructions (uuid4
    makes a uuid.UUID on the way).
    """
    if sent is not None and _FIT.fullmatch(sent):
        return sent
    return urandom(16).hex()
