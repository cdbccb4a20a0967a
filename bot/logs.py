"""Logging for `factbot run`: text or one JSON object per line on stderr, secrets redacted.

The bot token travels in every Bot API URL (httpx logs those, PTB puts it in some errors), so a
filter on the handler removes it, and the webhook secret, from messages, arguments, tracebacks and
extra fields before anything is formatted."""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO
from urllib.parse import quote

from bot.state.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
# what every LogRecord has; anything else on a record came from `extra=`
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class Redact(logging.Filter):
    """Replaces each secret with [redacted] in everything a formatter may print."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        variants = {v for s in secrets if s for v in (s, quote(s, safe=""))}
        self.secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, self._redact_value(value))
        return True

    def _redact_value(self, value):
        if isinstance(value, str):
            return self.redact(value)
        try:
            dumped = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            return self.redact(repr(value)) if any(s in repr(value) for s in self.secrets) else value
        return json.loads(self.redact(dumped)) if any(s in dumped for s in self.secrets) else value


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "message"[, "exc"][, "stack"], extra fields...} on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key in _STANDARD or key in entry:
                continue
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                continue
            entry[key] = value
        return json.dumps(entry, ensure_ascii=False)


def secrets_of(settings: Settings) -> list[str]:
    return [
        s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret) if s is not None
    ]


def make_handler(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler (stderr by default) in the configured format, with the secrets redacted."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if settings.log_format.strip().lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(Redact(secrets_of(settings)))
    return handler


def setup_logging(settings: Settings) -> None:
    """INFO and above to stderr, replacing whatever handlers the root logger had."""
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(make_handler(settings))
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request, each with the token in its URL
    logging.getLogger("jieba").handlers.clear()  # its own stderr handler would print unformatted lines
    logging.captureWarnings(True)  # warnings become log lines too, in the same format
