"""One chat must not stall the others: the real Application polling a fake Bot API that enforces
Telegram's flood limits. A private chat sending 30 questions at once, or a group sending 100 /ask, is
answered at its own pace (about one message a second after a short burst) and told once to slow down,
while another chat asking at the same moment is answered at once — before the flood's 10th reply.

Nothing is asserted in seconds: the order of the replies, and how many went to one chat in a span."""

import contextlib
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from fake_telegram import Call, FakeTelegram
from telegram.ext import Application
from test_bot import ok_calls, start_polling, stop_polling, to

from bot.app import build_application
from bot.limiter import RetryingRateLimiter
from bot.outbox import SLOW_DOWN
from bot.state.settings import Settings

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
FLOODER, OTHER = 3001, 3002
GROUP = -1003000000001
TRAINS = "2022年江津班列开了多少列？"
GDP = "2019年江津区GDP"
BURST = 3  # bot/outbox.py: a chat's first messages go at once, then about one a second


@pytest_asyncio.fixture
async def flood_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(flood_limits=True) as fake:
        fake.flood_group_window = 3.0  # 20 messages to a group in any 3 s (Telegram: a minute)
        yield fake


@contextlib.asynccontextmanager
async def running(fake: FakeTelegram, service) -> AsyncIterator[Application]:
    settings = Settings(
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.base_url,
        telegram_api_file_url=fake.base_file_url,
        database_url=service.settings.database_url,
    )
    app = build_application(settings, service, rate_limiter=RetryingRateLimiter(group_window=3.1))
    await start_polling(app)
    try:
        yield app
    finally:
        await stop_polling(app)


def answers(fake: FakeTelegram, chat_id: int) -> list[Call]:
    return [c for c in ok_calls(fake, "sendMessage", chat_id) if SLOW_DOWN not in c.params["text"]]


def most_beyond_pace(calls: list[Call]) -> float:
    """The most messages any span of these calls held beyond one a second: BURST when paced."""
    return max(
        (j - i + 1) - (calls[j].at - calls[i].at) for i in range(len(calls)) for j in range(i, len(calls))
    )


async def test_a_flooding_private_chat_waits_its_turn_and_others_are_served_at_once(flood_fake, service):
    async with running(flood_fake, service) as app:
        for n in range(30):
            flood_fake.user_message(TRAINS if n % 2 else GDP, chat_id=FLOODER, user_id=FLOODER)
        flood_fake.user_message(TRAINS, chat_id=OTHER, user_id=OTHER)
        [other] = await flood_fake.wait_for("sendMessage", to(OTHER), timeout=60)
        await flood_fake.wait_for(
            "sendMessage",
            lambda c: to(FLOODER)(c) and SLOW_DOWN not in c.params["text"],
            count=10,
            timeout=60,
        )
        flood = answers(flood_fake, FLOODER)
        assert other.at < flood[9].at, "the other chat waited behind the flood"
        assert "536列" in other.params["text"]
        told = await flood_fake.wait_for(
            "sendMessage", lambda c: to(FLOODER)(c) and SLOW_DOWN in c.params["text"], timeout=60
        )
        assert len(told) == 1
        backlog = app.bot_data.outbox.backlog
    flood = answers(flood_fake, FLOODER)
    assert backlog <= len(flood) < 30, "answered up to its backlog, then asked to slow down"
    assert most_beyond_pace(flood) <= BURST + 0.5, [round(c.at - flood[0].at, 2) for c in flood]
    assert flood_fake.flood_refused == 0


async def test_a_flooding_group_holds_no_update_slots_and_others_are_served_at_once(flood_fake, service):
    flood_fake.add_chat(GROUP, chat_type="supergroup", title="A busy group")
    async with running(flood_fake, service):
        for _ in range(100):
            flood_fake.user_message(f"/ask {TRAINS}", chat_id=GROUP, user_id=FLOODER, chat_type="supergroup")
        flood_fake.user_message(GDP, chat_id=OTHER, user_id=OTHER)
        [other] = await flood_fake.wait_for("sendMessage", to(OTHER), timeout=120)
        await flood_fake.wait_for("sendMessage", to(GROUP), count=10, timeout=120)
        group = answers(flood_fake, GROUP)
        assert other.at < group[9].at, "the other chat waited behind the group"
        await flood_fake.wait_for(
            "sendMessage", lambda c: to(GROUP)(c) and SLOW_DOWN in c.params["text"], timeout=120
        )
    group = answers(flood_fake, GROUP)
    assert len(group) < 100 and most_beyond_pace(group) <= BURST + 0.5
    assert flood_fake.flood_refused == 0
