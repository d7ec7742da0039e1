from werkzeug.routing import IntegerConverter


class AsciiIntegerConverter(IntegerConverter):
    """``<int:...>`` in a URL: ASCII digits only.

    Werkzeug's own matches ``\\d``, which is any Unicode digit, and int()
    reads them all: ``/api/users/١`` (Arabic-Indic one) and ``/api/users/１``
    (full-width) would answer as user 1, one resource under many addresses
    that caches, logs and rate limits count apart. Here they are 404s. A
    subclass, so flask-smorest still documents the parameter as an integer.
    """

    regex = r"[0-9]+"
