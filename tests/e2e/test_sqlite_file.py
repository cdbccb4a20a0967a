"""The store's SQLite file deleted or made read-only under a running `factbot run` (a real process,
polling the fake Bot API, /healthz on METRICS_PORT): /healthz turns 503 and names the problem, the log
says it once, a /subscribe is refused rather than written into a file that is gone, questions are still
answered from memory, and the process neither dies (SIGBUS) nor hangs: SIGTERM stops it cleanly."""

import sqlite3

import aiohttp
import pytest
from fake_telegram import FakeTelegram
from test_bot import to
from test_webhook import TRAINS_2022, Bot, bot_env, free_port, wait_for_health

pytestmark = pytest.mark.asyncio
SUBSCRIBER, ASKER = 2001, 2002


@pytest.mark.parametrize("fault", ["deleted", "read-only"])
async def test_a_vanished_or_read_only_store_is_reported_and_takes_no_subscription(
    fake_telegram: FakeTelegram, tmp_path, fault
):
    database, port = tmp_path / "facts.db", free_port()
    env = bot_env(fake_telegram, tmp_path, f"sqlite:///{database}", METRICS_PORT=str(port))
    bot = Bot(env | {"FACTBOT_SYNC_SECONDS": "0.2"}, tmp_path, ("run",))
    try:
        await fake_telegram.wait_for("getUpdates", timeout=120)
        async with aiohttp.ClientSession() as http:
            await wait_for_health(http, port, 200, timeout=60)
            if fault == "deleted":
                database.unlink()
            else:
                database.chmod(0o444)
            report = await wait_for_health(http, port, 503)
            assert report["database"] is False and fault in report["problem"], report

            fake_telegram.user_message("/subscribe", chat_id=SUBSCRIBER, user_id=SUBSCRIBER)
            [refused] = await fake_telegram.wait_for("sendMessage", to(SUBSCRIBER), timeout=30)
            assert "无法保存" in refused.params["text"] and "已开启" not in refused.params["text"]
            fake_telegram.user_message(TRAINS_2022, chat_id=ASKER, user_id=ASKER)
            [answer] = await fake_telegram.wait_for("sendMessage", to(ASKER), timeout=30)
            assert "<b>536列</b>" in answer.params["text"]
            assert (await wait_for_health(http, port, 503))["problem"] == report["problem"]
        assert bot.process.poll() is None, "the bot died"
    finally:
        code = await bot.stop()
    _, err = bot.output()
    assert code == 0, err[-3000:]
    said = [line for line in err.splitlines() if "facts.store.db" in line and report["problem"] in line]
    assert len(said) == 1, "said once in the log, not at every probe"
    if fault == "read-only":
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            assert db.execute("SELECT count(*) FROM subscription").fetchone() == (0,)
