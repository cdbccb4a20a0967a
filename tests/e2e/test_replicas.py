"""Two `factbot run --webhook` processes on one PostgreSQL database (a fresh one per test, dropped after),
against the fake Bot API, with updates posted to either one as a load balancer would: a scheduled slot
is sent once, not twice; a /reload on one is served by the other within 10 s; killing one with SIGKILL
in the middle of a fan-out leaves no chat without its digest and none with two."""

import asyncio
import contextlib
import inspect
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import psycopg
import pytest
from fake_telegram import FakeTelegram
from prometheus_client.parser import text_string_to_metric_families
from test_admin import edit
from test_webhook import FACTBOT, HEADER, SECRET, SEEDS, Bot, bot_env, free_port

from bot.state import subscriptions as subs
from bot.state.schedule import Schedule
from facts.store.db import make_engine, upgrade_schema

pytestmark = pytest.mark.asyncio
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DIGEST = "关键指标摘要"
TRAINS_2022 = "2022年江津班列开了多少列？"
ADMIN = 42


@pytest.fixture
def database() -> Iterator[str]:
    name = f"factbot_replicas_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def seeds(tmp_path) -> Path:
    """The replicas' shared seeds folder."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


class Replica:
    def __init__(self, name: str, fake: FakeTelegram, folder: Path, database: str, seeds: Path, **extra: str):
        folder.mkdir()
        self.name, self.port, self.metrics_port = name, free_port(), free_port()
        env = bot_env(
            fake,
            folder,
            database,
            WEBHOOK_PORT=str(self.port),
            METRICS_PORT=str(self.metrics_port),
            FACTBOT_SEEDS_DIR=str(seeds),
            FACTBOT_REPLICA_ID=name,
            FACTBOT_ADMIN_IDS=str(ADMIN),
            FACTBOT_SYNC_SECONDS="0.5",
            LOG_FORMAT="json",
            **extra,
        )
        self.bot = Bot(env, folder)

    async def post(self, http: aiohttp.ClientSession, update: dict) -> None:
        async with http.post(
            f"http://127.0.0.1:{self.port}/telegram", json=update, headers={HEADER: SECRET}
        ) as response:
            assert response.status == 200

    async def digests(self, http: aiohttp.ClientSession) -> Counter:
        """factbot_digests_total by outcome."""
        async with http.get(f"http://127.0.0.1:{self.metrics_port}/metrics") as response:
            text = await response.text()
        return Counter(
            {
                s.labels["outcome"]: s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
                if s.name == "factbot_digests_total"
            }
        )


@contextlib.asynccontextmanager
async def replicas(
    fake: FakeTelegram, tmp_path: Path, database: str, seeds: Path, **extra: str
) -> AsyncIterator[tuple[Replica, Replica]]:
    """Two replicas started together on a database built beforehand; stopped (or already killed) after."""
    build = await asyncio.to_thread(
        subprocess.run,
        [str(FACTBOT), "build"],
        env=bot_env(fake, tmp_path, database, FACTBOT_SEEDS_DIR=str(seeds)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    pair = (
        Replica("replica-a", fake, tmp_path / "a", database, seeds, **extra),
        Replica("replica-b", fake, tmp_path / "b", database, seeds, **extra),
    )
    try:
        await fake.wait_for("setWebhook", timeout=120, count=2)
        yield pair
    finally:
        for replica in pair:
            code = await replica.bot.stop()
            assert code in (0, -signal.SIGKILL), replica.bot.output()[1][-3000:]


def headers(fake: FakeTelegram) -> Counter:
    """Digests received per chat (a digest's text starts with its header)."""
    return Counter(
        c.params["chat_id"]
        for c in list(fake.calls)
        if c.ok and c.method == "sendMessage" and DIGEST in c.params.get("text", "")
    )


def photos(fake: FakeTelegram) -> Counter:
    return Counter(c.params["chat_id"] for c in list(fake.calls) if c.ok and c.method == "sendPhoto")


async def until(check, timeout: float, what: str) -> None:
    """Poll `check` (a function, or a coroutine function) until it holds; `timeout` is an upper bound."""
    deadline = time.monotonic() + timeout
    while not (await check() if inspect.iscoroutinefunction(check) else check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def messages(fake: FakeTelegram) -> Counter:
    """Messages (digest texts and charts) the fake accepted, per chat."""
    return Counter(
        c.params["chat_id"] for c in list(fake.calls) if c.ok and c.method in ("sendMessage", "sendPhoto")
    )


def next_minute(at_least: timedelta) -> datetime:
    """The first whole minute at least `at_least` from now (schedules are HH:MM)."""
    moment = datetime.now(UTC) + at_least + timedelta(minutes=1)
    return moment.replace(second=0, microsecond=0)


async def test_a_slot_is_sent_once_and_a_reload_on_one_replica_is_served_by_the_other(
    fake_telegram: FakeTelegram, tmp_path, database, seeds
):
    chat = 3001
    async with replicas(fake_telegram, tmp_path, database, seeds) as (a, b), aiohttp.ClientSession() as http:
        slot = next_minute(timedelta(seconds=15))
        hhmm = slot.astimezone(SHANGHAI).strftime("%H:%M")
        await a.post(
            http,
            fake_telegram.unqueue(
                fake_telegram.user_message(f"/subscribe daily {hhmm}", chat_id=chat, user_id=chat)
            ),
        )
        [confirmed] = await fake_telegram.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == chat, timeout=30
        )
        assert f"daily {hhmm}" in confirmed.params["text"]

        # a reload on A, while the slot approaches: B answers with the new figure within 10 s
        edit(seeds / "001_fcfb30629f7c2435.txt", "536列", "540列")
        await a.post(
            http, fake_telegram.unqueue(fake_telegram.user_message("/reload", chat_id=ADMIN, user_id=ADMIN))
        )
        await fake_telegram.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == ADMIN and "540列" in c.params["text"], timeout=120
        )
        reloaded = time.monotonic()
        answers = 0
        while True:
            answers += 1
            await b.post(
                http,
                fake_telegram.unqueue(fake_telegram.user_message(TRAINS_2022, chat_id=3002, user_id=3002)),
            )
            [reply] = (
                await fake_telegram.wait_for(
                    "sendMessage", lambda c: c.params["chat_id"] == 3002, timeout=30, count=answers
                )
            )[-1:]
            if "<b>540列</b>" in reply.params["text"]:
                break
            assert "<b>536列</b>" in reply.params["text"]  # the old figure with its source until then
            assert time.monotonic() - reloaded < 10, "B still serves the old facts 10 s after A's reload"
            await asyncio.sleep(0.5)
        assert time.monotonic() - reloaded < 10

        # the slot: both replicas have its job (B learnt the subscription from the database); one sends it
        await until(lambda: headers(fake_telegram)[chat] >= 1, timeout=120, what="the scheduled digest")
        assert datetime.now(UTC) >= slot

        async def both_done() -> bool:  # each replica has counted its outcome for the slot (after sending)
            return sum((await a.digests(http)).values()) + sum((await b.digests(http)).values()) >= 2

        await until(both_done, timeout=120, what="both replicas to be done with the slot")
        assert headers(fake_telegram)[chat] == 1 and photos(fake_telegram)[chat] <= 1
        outcomes = [await a.digests(http), await b.digests(http)]
        assert sorted((o["sent"], o["duplicate"]) for o in outcomes) == [(0, 1), (1, 0)], outcomes


async def test_killing_a_replica_mid_fan_out_leaves_every_chat_one_digest(
    fake_telegram: FakeTelegram, tmp_path, database, seeds
):
    chats = list(range(4001, 4121))
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=2)).astimezone(SHANGHAI)  # missed while both were down: sent at start-up
    engine = make_engine(database)
    upgrade_schema(engine)
    for chat in chats:
        fake_telegram.add_chat(chat, first_name=f"u{chat}")
        subs.subscribe(
            engine,
            chat,
            0,
            schedule=Schedule("daily", clock_time(slot.hour, slot.minute)),
            topics=None,
            timezone=None,
            default_timezone="Asia/Shanghai",
            version=0,
            at=now - timedelta(days=1),
        )
    # 10 messages/s each: the fan-out of 120 digests (240 messages) takes ~12 s, and is killed in the middle
    async with replicas(
        fake_telegram,
        tmp_path,
        database,
        seeds,
        FACTBOT_MESSAGES_PER_SECOND="10",
        FACTBOT_DELIVERY_LEASE_SECONDS="3",
    ) as (a, b):
        await until(lambda: len(headers(fake_telegram)) >= 30, timeout=60, what="30 digests")
        # A dies between two of its requests: the next ones are held before Telegram receives them, and A
        # first records what was answered. (A kill while a request is on the wire can repeat that one
        # message: Telegram has no idempotency key, so no claim can close that window.)
        fake_telegram.hold()

        def answered_and_recorded() -> bool:  # nothing is being answered, and the log has all that was
            if fake_telegram.answering:
                return False
            parts = {d.chat_id: d.parts for d in subs.deliveries(engine)}
            return all(
                parts.get(chat, 0) >= n for chat, n in messages(fake_telegram).items() if chat in chats
            )

        await until(answered_and_recorded, timeout=60, what="the replicas to record every answered message")
        a.bot.process.send_signal(signal.SIGKILL)
        await until(lambda: a.bot.process.poll() is not None, timeout=30, what="A to die")
        fake_telegram.release()  # what A had sent and the fake held never arrives (its sockets are closed)
        assert len(headers(fake_telegram)) < len(chats), "the kill came too late to test anything"

        def all_sent() -> bool:  # every claim is closed: no takeover can send anything more
            return [d.status for d in subs.deliveries(engine)] == ["sent"] * len(chats)

        await until(all_sent, timeout=120, what="every chat's digest to be sent and logged")
    received, charts = headers(fake_telegram), photos(fake_telegram)
    assert sorted(received) == chats and set(received.values()) == {1}, "every chat exactly one digest"
    assert set(charts.values()) <= {1} and (not charts or sorted(charts) == chats), "and at most one chart"
    log = subs.deliveries(engine)
    assert [(d.chat_id, d.status) for d in sorted(log, key=lambda d: d.chat_id)] == [
        (c, "sent") for c in chats
    ]
    taken_over = [d for d in log if d.attempts == 2]
    assert taken_over and {d.owner for d in taken_over} == {"replica-b"}, "B finished what A had claimed"
    assert {d.owner for d in log} == {"replica-a", "replica-b"}  # both were sending before the kill
    engine.dispose()
    assert not re.search(r"Traceback", b.bot.output()[1])
