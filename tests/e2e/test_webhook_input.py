"""Crafted posts to the webhook route, served in process by the real aiohttp app in front of the real
Application (issue 12, item 3): with the right secret, a body no parser should choke on gets 400 and
one log line, never a 500 and a traceback; without it, every post is counted in /metrics and at most
one line per interval is logged (the interval runs on a clock the test moves, not on the wall)."""

import json
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from fake_telegram import FakeTelegram
from test_bot import make_app
from test_webhook import HEADER, SECRET, free_port

from bot.web import RefusalLog, make_web_app, serve
from facts.store.service import FactService

pytestmark = pytest.mark.asyncio
P = pytest.param
PATH = "/telegram"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def hook(fake_telegram: FakeTelegram, service: FactService) -> AsyncIterator[tuple]:
    """(url, application, clock): the webhook route of an initialized application (not started, so
    whatever it accepts stays in its update queue for the test to see)."""
    app = make_app(fake_telegram, service)
    clock = Clock()
    port = free_port()
    async with app:
        refusals = RefusalLog(app.bot_data.metrics, interval=60.0, clock=clock)
        runner = await serve(make_web_app(app, webhook=(PATH, SECRET), refusals=refusals), "127.0.0.1", port)
        try:
            yield f"http://127.0.0.1:{port}{PATH}", app, clock
        finally:
            await runner.cleanup()


def nested(depth: int) -> bytes:
    return b'{"update_id": 1, "message": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"


def message_update(date: int) -> dict:
    return {
        "update_id": 7,
        "message": {
            "message_id": 1,
            "date": date,
            "chat": {"id": 1001, "type": "private", "first_name": "Ana"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Ana"},
            "text": "hi",
        },
    }


@pytest.mark.parametrize(
    "body",
    [
        P(nested(100_000), id="deeply-nested-json"),
        P(b"[" * 50_000 + b"]" * 50_000, id="deeply-nested-array"),
        P(json.dumps(message_update(10**20)).encode(), id="date-out-of-range"),
        P(json.dumps(message_update(-(10**15))).encode(), id="date-before-year-1"),
        P(b"\xff\xfe not text", id="not-utf8"),
    ],
)
async def test_crafted_body_with_the_secret_is_400_and_one_line(hook, body, caplog):
    url, app, _ = hook
    caplog.set_level(logging.WARNING)
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers={HEADER: SECRET}) as response,
    ):
        assert response.status == 400
    lines = [r for r in caplog.records if r.name.startswith(("bot", "aiohttp"))]
    assert len(lines) == 1 and "not an update" in lines[0].getMessage(), [r.getMessage() for r in lines]
    assert lines[0].exc_info is None  # one line, no traceback
    assert app.update_queue.qsize() == 0
    body, _ = app.bot_data.metrics.render()
    assert b"factbot_webhook_invalid_total 1.0" in body


async def test_posts_without_the_secret_are_counted_and_logged_once_per_interval(hook, caplog):
    url, app, clock = hook
    caplog.set_level(logging.WARNING)
    update = message_update(1_700_000_000)
    async with aiohttp.ClientSession() as http:

        async def post(headers: dict) -> int:
            async with http.post(url, json=update, headers=headers) as response:
                return response.status

        statuses = [await post({HEADER: "wrong"} if i % 2 else {}) for i in range(500)]
        assert statuses == [403] * 500
        lines = [r.getMessage() for r in caplog.records if "without the right secret" in r.getMessage()]
        assert len(lines) == 1 and "refused 1 request" in lines[0]

        clock.now += 61  # the next interval: one line, saying how many came since the last one
        assert await post({}) == 403
        lines = [r.getMessage() for r in caplog.records if "without the right secret" in r.getMessage()]
        assert len(lines) == 2 and "refused 500 request" in lines[1]
        assert await post({HEADER: SECRET}) == 200
    assert app.update_queue.qsize() == 1
    body, _ = app.bot_data.metrics.render()
    assert b"factbot_webhook_refused_total 501.0" in body
