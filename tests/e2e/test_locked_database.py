"""The store's SQLite file write-locked by another process for as long as the test likes (a real second
connection holding BEGIN IMMEDIATE): the real Application polling the fake Bot API keeps answering.

Reads are not blocked (WAL), so questions, /start and inline queries are answered at once; what must
write waits in a worker thread — a /subscribe, a /reload's build, the question counter (written after
the reply) — and completes once the lock is gone. Nothing is asserted about seconds: the answers must
come while the lock is still held, before any of the waiting writes finished."""

import sqlite3

import pytest
from fake_telegram import FakeTelegram
from test_admin import (
    ADMIN,
    bot,  # noqa: F401 (fixtures)
    say,
    seeds,  # noqa: F401
    store,  # noqa: F401
)
from test_bot import eventually, ok_calls, to

from bot.state import counters
from bot.state import subscriptions as subs

pytestmark = pytest.mark.asyncio
TRAINS = "2022年江津班列开了多少列？"
ANA, BEN, CARL = 1001, 1002, 1003


def texts_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [c.params["text"] for c in ok_calls(fake, "sendMessage", chat_id)]


async def test_a_write_locked_database_stalls_no_answer(fake_telegram: FakeTelegram, bot, store):  # noqa: F811
    path = store.engine.url.database
    lock = sqlite3.connect(path, isolation_level=None, timeout=1)
    lock.execute("BEGIN IMMEDIATE")
    lock.execute("INSERT INTO dailycount (day, answered, abstained) VALUES ('1999-01-01', 0, 0)")
    try:
        fake_telegram.user_message("/subscribe", chat_id=CARL, user_id=CARL)  # must write: waits
        say(fake_telegram, "/reload")  # the build must write: waits (after its acknowledgement)
        await fake_telegram.wait_for("sendMessage", lambda c: "正在重新加载" in c.params["text"], timeout=60)
        fake_telegram.user_message(TRAINS, chat_id=ANA, user_id=ANA)
        fake_telegram.user_message("/start", chat_id=BEN, user_id=BEN)
        fake_telegram.inline_query("江津班列", user_id=BEN)
        await fake_telegram.wait_for(
            "sendMessage", lambda c: to(ANA)(c) and "536列" in c.params["text"], timeout=60
        )
        await fake_telegram.wait_for(
            "sendMessage", lambda c: to(BEN)(c) and "factbot" in c.params["text"], timeout=60
        )
        [inline] = await fake_telegram.wait_for("answerInlineQuery", timeout=60)
        assert inline.params["results"]
        # all of that while the lock is held: nothing that writes has finished
        assert not [t for t in texts_to(fake_telegram, CARL) if "已开启" in t], texts_to(fake_telegram, CARL)
        assert not [t for t in texts_to(fake_telegram, ADMIN) if "重新加载完成" in t]
        assert counters.stats(store.engine, store.store_info(), "Asia/Shanghai")["answered_today"] == 0
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    await fake_telegram.wait_for(
        "sendMessage", lambda c: to(CARL)(c) and "已开启" in c.params["text"], timeout=60
    )
    await fake_telegram.wait_for(
        "sendMessage", lambda c: to(ADMIN)(c) and "重新加载完成" in c.params["text"], timeout=60
    )
    assert [s.chat_id for s in subs.all_subscriptions(store.engine)] == [CARL]
    await eventually(
        lambda: counters.stats(store.engine, store.store_info(), "Asia/Shanghai")["answered_today"] == 1,
        timeout=30,
    )
