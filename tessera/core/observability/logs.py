"""Log records as one JSON object a line (``TESSERA_LOG_FORMAT=json``), each with the current request id.

Standard ``logging`` only: settings.LOGGING names :class:`JsonFormatter` and :class:`RequestIdFilter`.
The request's own line (logger ``tessera.request``, written by the middleware) carries its fields as
``extra``; they become keys of the object. Exceptions are written as one ``exc_info`` string, so a
traceback stays on its line.
"""

import json
import logging
from datetime import UTC, datetime

from .request_id import current_request_id

#: What every LogRecord has; anything else on a record came in through ``extra`` and is written as a key.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` (empty outside a request), for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The plain format of ``make run`` and development: the request id, when there is one, in brackets."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_id_part)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", "")
        record.request_id_part = f" [{request_id}]" if request_id else ""
        return super().format(record)
