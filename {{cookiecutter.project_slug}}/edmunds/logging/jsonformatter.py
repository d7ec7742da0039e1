import json
from datetime import UTC, datetime

import pythonjsonlogger.json

from edmunds.http.requestid import current_request_id
from edmunds.http.requestlog import FIELDS, REQUEST_LINE, REQUEST_LINE_SIZE


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """A log line as one JSON object (python-json-logger):
    ``{"level": ..., "logger": ..., "message": ..., ..., "time": ...}``.

    What a line was given as ``extra=`` becomes fields of their own (a
    request line's method, path, status...), an exception ``exc_info`` (the
    traceback, in one string), and a line written while a request is being
    answered carries that request's ``request_id``: an error and the line of
    the request it broke are found with one search.

    A request's line (edmunds/http/requestlog.py), one per request, takes a
    shorter way to the same JSON: its fields are known, so the record is not
    searched for them, and its time is written from a cache of the second.
    Any record holding more than a LogRecord and those fields (a filter or
    a record factory added some) takes python-json-logger's own way.
    """

    def __init__(self):
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            # ISO 8601, in UTC, to the microsecond.
            timestamp="time",
            json_serializer=_serializer(),
        )
        self._second = (None, "")

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
        return self.request_line(
            record.levelname,
            record.name,
            message,
            {name: fields[name] for name in FIELDS},
            record.created,
        )

    def request_line(self, level, logger, message, fields, created):
        """A request's line, from its fields (FIELDS, in their order) and the
        time of its record: what python-json-logger's format() and
        add_fields() make of a request line's record, field for field and in
        the same order."""
        return self.serialize_log_record(
            {
                "level": level,
                "logger": logger,
                "message": message,
                **fields,
                "time": self._time(created),
            }
        )

    def _time(self, created):
        """``datetime.fromtimestamp(created, UTC).isoformat()``, as
        python-json-logger writes the time, its date and second made once a
        second."""
        # As datetime rounds a timestamp: half to even, to the microsecond.
        second = int(created)
        microsecond = round((created - second) * 1e6)
        if microsecond >= 1_000_000:
            second, microsecond = second + 1, microsecond - 1_000_000
        cached, prefix = self._second
        if cached != second:
            prefix = datetime.fromtimestamp(second, UTC).isoformat()[:19]
            # One assignment: another thread reads a pair that belongs together.
            self._second = (second, prefix)
        if microsecond:
            # Six digits, zeros first: the digits of 1_000_000 + microsecond
            # after its 1 (a third of the cost of a format spec).
            return f"{prefix}.{str(1_000_000 + microsecond)[1:]}+00:00"
        return prefix + "+00:00"

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        if "request_id" not in log_data:
            request_id = current_request_id.get()
            if request_id is not None:
                log_data["request_id"] = request_id


def _serializer():
    """python-json-logger's ``json.dumps(data, cls=JsonEncoder)``, as one
    encoder made once: json.dumps makes its encoder anew for each line,
    about a third of what a line's JSON costs.

    The standard library's C encoder, with python-json-logger's JsonEncoder
    for what JSON has no type for (a datetime, a UUID, an exception...);
    without the C encoder (another Python), the JsonEncoder itself.
    """
    encoder = pythonjsonlogger.json.JsonEncoder()
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:
        return lambda data, **_: encoder.encode(data)
    # The arguments JSONEncoder.iterencode gives it: no indent, ", " and
    # ": ", ASCII only, NaN allowed; but no check for circular values (one
    # check shared by threads would see one thread's dict from another): a
    # circular value raises RecursionError instead of ValueError, a logging
    # error either way.
    encode = make_encoder(
        None,
        encoder.default,
        json.encoder.encode_basestring_ascii,
        None,
        ": ",
        ", ",
        False,
        False,
        True,
    )

    # The keywords python-json-logger's jsonify_log_record passes, named
    # rather than gathered in a dict (1.7 k instructions a line): the
    # formatter's json_default, json_encoder, json_indent and
    # json_ensure_ascii, which this encoder has already.
    def serialize(data, default=None, cls=None, indent=None, ensure_ascii=True):
        return "".join(encode(data, 0))

    return serialize
