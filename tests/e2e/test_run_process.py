"""`factbot run` as an operator starts it: a real process long-polling the fake Bot API, building its
store on start, answering, and stopping cleanly on SIGTERM."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from fake_telegram import FakeTelegram

FACTBOT = Path(sys.executable).parent / "factbot"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.asyncio
async def test_run_builds_answers_and_stops_on_sigterm(fake_telegram: FakeTelegram, tmp_path):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "TELEGRAM_API_FILE_URL": fake_telegram.base_file_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'facts.db'}",  # empty: the bot must build it first
        "FACTBOT_SEEDS_DIR": str(SEEDS),
        "FACTBOT_CACHE_DIR": str(tmp_path / "cache"),
    }
    process = await asyncio.create_subprocess_exec(
        str(FACTBOT),
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_telegram.wait_for("setMyCommands", timeout=60, count=2)
        assert {
            tuple(sorted(c["command"] for c in fake_telegram.commands_for(language_code=code)))
            for code in ("", "en")
        } == {
            (
                "about",
                "ask",
                "digest",
                "help",
                "sources",
                "start",
                "subscribe",
                "subscriptions",
                "unsubscribe",
            )
        }
        await fake_telegram.wait_for("getUpdates", timeout=30)
        fake_telegram.user_message("2022年江津班列开了多少列？")
        [reply] = await fake_telegram.wait_for("sendMessage", timeout=30)
        assert "<b>536列</b>" in reply.params["text"] and "来源：《" in reply.params["text"]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()[-2000:]
    assert fake_telegram.token not in (out + err).decode(), "the token must never be logged"
