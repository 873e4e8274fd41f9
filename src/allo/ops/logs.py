"""Structured logs: one JSON object a line, with the id of the request being served.

The request id comes from the `X-Request-ID` header the balancer sets (or is generated) and is
echoed in the response, so one line of HAProxy's log leads to the node's lines. Log records carry
what the code passes them and nothing else: handlers never log query strings, free text, tokens
or e-mail addresses (docs/DEVELOPING.md); `extra={...}` fields are kept when JSON-serialisable.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

#: the id of the request this task serves ("" outside a request)
request_id: ContextVar[str] = ContextVar("allo_request_id", default="")

_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_HOST = socket.gethostname()


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", "node", "pid", …extra}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "node": _HOST,
            "pid": os.getpid(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = request_id.get()
        return f"{line} [{rid}]" if rid else line


_MARK = "_allo_handler"


def configure(level: str = "INFO", fmt: str = "json") -> None:
    """One stderr handler on the root logger (replacing ours if called again)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    setattr(handler, _MARK, True)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else _TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per plugin at each start
