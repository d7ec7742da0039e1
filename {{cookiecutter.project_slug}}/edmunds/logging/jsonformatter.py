import pythonjsonlogger.json

from edmunds.http.requestid import current_request_id


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """A log line as one JSON object (python-json-logger):
    ``{"level": ..., "logger": ..., "message": ..., ..., "time": ...}``.

    What a line was given as ``extra=`` becomes fields of their own (a
    request line's method, path, status...), an exception ``exc_info`` (the
    traceback, in one string), and a line written while a request is being
    answered carries that request's ``request_id``: an error and the line of
    the request it broke are found with one search.
    """

    def __init__(self):
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            # ISO 8601, in UTC, to the microsecond.
            timestamp="time",
        )

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        if "request_id" not in log_data:
            request_id = current_request_id.get()
            if request_id is not None:
                log_data["request_id"] = request_id
