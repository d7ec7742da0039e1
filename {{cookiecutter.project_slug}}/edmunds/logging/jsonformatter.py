from datetime import UTC, datetime

import orjson
import pythonjsonlogger.json
import pythonjsonlogger.orjson

from edmunds.http.requestid import current_request_id
from edmunds.http.requestlog import FIELDS, REQUEST_LINE, REQUEST_LINE_SIZE


class JsonFormatter(pythonjsonlogger.orjson.OrjsonFormatter):
    """A log line as one JSON object (python-json-logger, its JSON written by
    orjson): ``{"level":...,"logger":...,"message":...,...,"time":...}``,
    compact and in ASCII.

    What a line was given as ``extra=`` becomes fields of their own (a
    request line's method, path, status...), an exception ``exc_info`` (the
    traceback, in one string), and a line written while a request is being
    answered carries that request's ``request_id``: an error and the line of
    the request it broke are found with one search.

    A request's line (edmunds/http/requestlog.py), one per request, takes a
    shorter way to the same JSON: its fields are known, so the record is not
    searched for them. Any record holding more than a LogRecord and those
    fields (a filter or a record factory added some) takes
    python-json-logger's own way.

    What JSON has no type for is written as orjson writes it where orjson
    has a way (a datetime in RFC 3339: what isoformat() writes, but for an
    offset's seconds; a UUID; a dataclass; an Enum's value), else as
    python-json-logger's JsonEncoder writes it (an exception, bytes, a
    type, any other object's str()). What orjson refuses and the standard
    library writes (a str with a lone surrogate, a dict key that is not a
    str, an int beyond 64 bits...) is written by the standard library's
    encoder instead, as is a line holding anything past ASCII, which it
    escapes: every record makes a line, and a line shows what it holds.
    """

    def __init__(self):
        # What writes a line orjson refuses or writes past ASCII: the
        # standard library's encoder (its C one where there is one, with a
        # check for circular values of its own at each call), compact as
        # orjson writes, and in ASCII; python-json-logger's JsonEncoder.default
        # for what JSON has no type for.
        encoder = pythonjsonlogger.json.JsonEncoder(separators=(",", ":"))
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            # ISO 8601, in UTC, to the microsecond.
            timestamp="time",
            json_default=encoder.default,
        )
        self._refused = encoder.encode

    def jsonify_log_record(self, log_data):
        try:
            line = orjson.dumps(log_data, self.json_default)
        except orjson.JSONEncodeError:
            return self._refused(log_data)
        # orjson writes what is past ASCII as it is, and a line holds what
        # clients sent (a path, an e-mail): U+202E turns the rest of a line
        # around in a terminal, U+2028 breaks it in two in some log viewers.
        # Such a line is written in ASCII, all of it past ASCII escaped; so
        # is one with a DEL, which orjson leaves as it is and the standard
        # library escapes (one value, one way of writing it).
        if line.isascii() and b"\x7f" not in line:
            return line.decode()
        return self._refused(log_data)

    def format(self, record):
        fields = record.__dict__
        # A request line's record, as log_request made it: a LogRecord's
        # attributes, the line's fields, and what formatters add (message,
        # asctime) at most.
        if (
            REQUEST_LINE not in fields
            or len(fields) - ("message" in fields) - ("asctime" in fields)
            != REQUEST_LINE_SIZE
            or record.exc_info
            or record.exc_text
            or record.stack_info
        ):
            return super().format(record)
        record.message = message = record.getMessage()
        data = {"level": record.levelname, "logger": record.name, "message": message}
        for name in FIELDS:
            data[name] = fields[name]
        return self.request_line(data, record.created)

    def request_line(self, data, created):
        """A request's line from ``data`` (its level, logger and message,
        then its fields: FIELDS, in their order) and the time of its record:
        what python-json-logger's format() and add_fields() make of a
        request line's record, field for field and in the same order."""
        # Written by orjson, as python-json-logger's add_fields() makes it:
        # a fifth of what isoformat() costs, less than half of writing the
        # text from a cache of the second.
        data["time"] = datetime.fromtimestamp(created, UTC)
        return self.serialize_log_record(data)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        if "request_id" not in log_data:
            request_id = current_request_id.get()
            if request_id is not None:
                log_data["request_id"] = request_id
