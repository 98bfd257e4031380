"""Structured logging: one JSON object a line, with the request's id, user and address."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if has_request_context():
            payload["request_id"] = g.get("request_id")
            payload["ip"] = request.remote_addr
            user = g.get("user")
            if user is not None:
                payload["user_id"] = user.id
        payload.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


JsonFormatter.converter = time.gmtime  # UTC timestamps, whatever the server's zone


def configure_logging(app: Flask) -> None:
    root = logging.getLogger()
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    # Replace only the handler we installed before, never pytest's or gunicorn's.
    for handler in list(root.handlers):
        if getattr(handler, "_ecosystem", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._ecosystem = True  # type: ignore[attr-defined]
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)

    @app.before_request
    def _start_request() -> None:
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex[:16]
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Any) -> Any:
        started = g.get("request_started")
        if started is not None and not request.path.startswith("/static/"):
            logging.getLogger("ecosystem.request").info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
