"""`factbot run`'s logs: JSON lines or the text format, with the bot token and webhook secret redacted."""

import io
import json
import logging
import re
from datetime import datetime

import pytest

from bot.logs import make_handler
from bot.state.settings import Settings

TOKEN = "123456:AAH-secret_Token"
SECRET = "hook-Secret_42"
P = pytest.param


@pytest.fixture
def capture():
    """log(format) -> (logger, stream): a logger writing through make_handler into a string."""
    made = []

    def make(log_format: str) -> tuple[logging.Logger, io.StringIO]:
        stream = io.StringIO()
        logger = logging.getLogger(f"factbot.test.{len(made)}")
        logger.propagate, logger.level = False, logging.DEBUG
        handler = make_handler(
            Settings(telegram_bot_token=TOKEN, webhook_secret=SECRET, log_format=log_format), stream
        )
        logger.addHandler(handler)
        made.append((logger, handler))
        return logger, stream

    yield make
    for logger, handler in made:
        logger.removeHandler(handler)


def fail_with_token():
    raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")


def test_json_lines_have_the_fields_and_extras(capture):
    logger, stream = capture("json")
    logger.info("built the store: %d documents, %d facts", 5, 1234, extra={"chat_id": 1001, "odd": object()})
    logger.warning("second line")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "built the store: 5 documents, 1234 facts"
    assert first["level"] == "INFO" and first["logger"] == logger.name
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["ts"])
    assert datetime.fromisoformat(first["ts"]).utcoffset().total_seconds() == 0
    assert first["chat_id"] == 1001 and "odd" not in first  # extras only when JSON can carry them
    assert "exc" not in first
    assert second["level"] == "WARNING" and second["message"] == "second line"


def test_json_line_carries_the_traceback(capture):
    logger, stream = capture("json")
    try:
        int("二")
    except ValueError:
        logger.exception("update %s caused an error", "{'update_id': 7}")
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["message"] == "update {'update_id': 7} caused an error"
    assert entry["exc"].startswith("Traceback (most recent call last):")
    assert entry["exc"].endswith("ValueError: invalid literal for int() with base 10: '二'")


@pytest.mark.parametrize("log_format", ["json", "text"])
@pytest.mark.parametrize(
    "emit",
    [
        P(
            lambda log: log.info(f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/getMe"),
            id="in-message",
        ),
        P(
            lambda log: log.info("HTTP Request: POST %s", f"https://api.telegram.org/bot{TOKEN}/getMe"),
            id="in-args",
        ),
        P(lambda log: log.info("url quoted: %s", "bot123456%3AAAH-secret_Token/getMe"), id="url-quoted"),
        P(lambda log: log.info("secret header %s", SECRET), id="webhook-secret"),
        P(
            lambda log: log.info("request", extra={"url": f"/bot{TOKEN}/x", "params": {"t": TOKEN}}),
            id="in-extras",
        ),
    ],
)
def test_secrets_are_redacted(capture, log_format, emit):
    logger, stream = capture(log_format)
    emit(logger)
    out = stream.getvalue()
    assert TOKEN not in out and SECRET not in out and "AAH-secret_Token" not in out
    assert "[redacted]" in out or (log_format == "text" and "request" in out)  # text prints no extras


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_token_is_redacted_from_tracebacks(capture, log_format):
    logger, stream = capture(log_format)
    try:
        fail_with_token()
    except RuntimeError:
        logger.exception("the bot stopped")
    out = stream.getvalue()
    assert TOKEN not in out
    assert "The token `[redacted]` was rejected by the server." in (
        json.loads(out)["exc"] if log_format == "json" else out
    )


def test_text_format_is_unchanged(capture):
    logger, stream = capture("text")
    logger.info("built the store: %d documents", 5)
    [line] = stream.getvalue().splitlines()
    assert re.fullmatch(
        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} INFO {re.escape(logger.name)}: "
        r"built the store: 5 documents",
        line,
    )


def test_without_secrets_nothing_is_replaced():
    stream = io.StringIO()
    logger = logging.getLogger("factbot.test.plain")
    logger.propagate = False
    handler = make_handler(Settings(telegram_bot_token=None, webhook_secret=None, log_format="json"), stream)
    logger.addHandler(handler)
    try:
        logger.warning("100%% of %s", "答案")
    finally:
        logger.removeHandler(handler)
    assert json.loads(stream.getvalue())["message"] == "100% of 答案"
