"""The production rate limiter (bot/limiter.py) against a fake Bot API that enforces Telegram's flood
limits (30 messages a second overall, 20 a minute per group: one more is a 429): a real PTB Bot over
real HTTP, many messages at once."""

import asyncio
import time

import httpx
import pytest
import pytest_asyncio
from fake_telegram import FakeTelegram
from telegram.error import TimedOut
from telegram.ext import AIORateLimiter, ExtBot

from bot.limiter import RetryingRateLimiter

pytestmark = pytest.mark.asyncio
CHATS = range(5001, 5091)  # 90 private chats
GROUP = -1005000000001


@pytest_asyncio.fixture
async def flood_fake():
    async with FakeTelegram(flood_limits=True) as fake:
        for chat_id in CHATS:
            fake.add_chat(chat_id, first_name=f"u{chat_id}")
        fake.add_chat(GROUP, chat_type="supergroup", title="A group")
        yield fake


def bot_for(fake: FakeTelegram, limiter) -> ExtBot:
    return ExtBot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url, rate_limiter=limiter)


def refused(fake: FakeTelegram) -> int:
    return sum(1 for c in fake.calls if c.method == "sendMessage" and c.status == 429)


async def test_ninety_messages_at_once_are_paced_and_none_refused(flood_fake):
    async with bot_for(flood_fake, RetryingRateLimiter()) as bot:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(chat_id, f"message {chat_id}") for chat_id in CHATS))
        elapsed = time.monotonic() - started
    assert refused(flood_fake) == 0 and flood_fake.flood_refused == 0
    assert sorted(
        c.params["chat_id"] for c in flood_fake.calls if c.method == "sendMessage" and c.ok
    ) == list(CHATS)
    assert elapsed >= 89 / 29.9 - 0.05  # paced, not sent in a burst


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB reads its own RetryAfter
async def test_ptbs_default_limiter_bursts_into_429s(flood_fake):
    """What the fake refuses is what the default bucket lets out: 30 at once."""
    async with bot_for(flood_fake, AIORateLimiter(max_retries=5)) as bot:
        # messages it admitted during a 429 wait all leave when the wait ends: some may run out of retries
        await asyncio.gather(
            *(bot.send_message(chat_id, "x") for chat_id in list(CHATS)[:40]), return_exceptions=True
        )
    assert flood_fake.flood_refused > 0


async def test_a_group_gets_at_most_its_share_of_a_window(flood_fake):
    flood_fake.flood_group_window = 2.0
    limiter = RetryingRateLimiter(group_window=2.1)
    async with bot_for(flood_fake, limiter) as bot:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(GROUP, f"group {n}") for n in range(25)))
        elapsed = time.monotonic() - started
    assert flood_fake.flood_refused == 0
    assert len([c for c in flood_fake.calls if c.method == "sendMessage" and c.ok]) == 25
    assert elapsed >= 2.1  # the 21st waited for the window


async def test_a_429_holds_every_message_and_delivers_each_once(flood_fake):
    flood_fake.fail_next("sendMessage", 429, retry_after=1)
    async with bot_for(flood_fake, RetryingRateLimiter()) as bot:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(chat_id, "x") for chat_id in list(CHATS)[:10]))
        elapsed = time.monotonic() - started
    delivered = [c.params["chat_id"] for c in flood_fake.calls if c.method == "sendMessage" and c.ok]
    assert sorted(delivered) == list(CHATS)[:10] and flood_fake.flood_refused == 0
    assert elapsed >= 1.0


class Flaky:
    """A request callback failing the first time with `error`, then answering."""

    def __init__(self, error: Exception):
        self.error, self.calls = error, 0

    async def __call__(self):
        self.calls += 1
        if self.calls == 1:
            raise self.error
        return {"ok": True}


def timed_out(cause: Exception) -> TimedOut:
    try:
        raise TimedOut("timed out") from cause
    except TimedOut as err:
        return err


@pytest.mark.parametrize(
    ("cause", "retried"),
    [
        pytest.param(httpx.PoolTimeout("no free connection"), True, id="pool-timeout-never-sent"),
        pytest.param(httpx.ConnectTimeout("no connection"), True, id="connect-timeout-never-sent"),
        pytest.param(httpx.ReadTimeout("no answer"), False, id="read-timeout-may-have-arrived"),
        pytest.param(httpx.WriteTimeout("half written"), False, id="write-timeout-may-have-arrived"),
    ],
)
async def test_a_request_that_never_left_is_sent_again_one_that_may_have_arrived_is_not(cause, retried):
    callback = Flaky(timed_out(cause))
    limiter = RetryingRateLimiter()
    if retried:
        assert await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 1}, None) == {
            "ok": True
        }
    else:
        with pytest.raises(TimedOut):
            await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert callback.calls == (2 if retried else 1)
