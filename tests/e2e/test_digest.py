"""Digest subscriptions end to end: the real Application polling the fake Bot API, over a store and a
seeds folder of each test's own (subscriptions and the delivery log persist in the store).

/subscribe (schedules, time zones, topics, usage), group rights (administrators, anonymous ones,
forum topics), /unsubscribe, /subscriptions, /digest; scheduled slots (once each, also across
restarts and within the grace period only); Telegram's 403, 429, ChatMigrated and 5xx answers;
"since the last digest"; `factbot subscriptions --json`.

Time: each app gets a `Clock` (BotData.clock) — real time shifted to a chosen moment, so a slot can
be two seconds away. `run_next_slot` runs a chat's scheduled job now instead of at its slot: the
job, its slot and the delivery path are the real ones, only the wait is skipped.
"""

import asyncio
import contextlib
import json
import logging
import re
import shutil
import time
import tomllib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from fake_telegram import Call, FakeTelegram
from telegram.ext import Application
from test_admin import edit, factbot
from test_bot import eventually, ok_calls, start_polling, stop_polling, to

from bot import subscribe
from bot.app import build_application
from bot.state import subscriptions as subs
from bot.state.settings import Settings
from bot.subscribe import job_name
from facts.store.db import make_engine
from facts.store.service import FactService

pytestmark = pytest.mark.asyncio
P = pytest.param
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
INDICATORS = [
    i["name"] for i in tomllib.loads((ROOT / "facts/data/indicators.toml").read_text("utf-8"))["indicator"]
]
SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")
ANA, BEN = 1001, 1002  # private chats (chat id = user id)
ADMIN, MEMBER = 42, 7
GROUP, FORUM = -1001000000001, -1001000000002  # supergroups
OLD_GROUP, NEW_SUPERGROUP = -4001, -1004001000001  # a basic group and what it was upgraded to
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
TELEGRAM = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
HEADER = "关键指标摘要"  # the first line of every digest
S001 = "001_fcfb30629f7c2435.txt"
LEAD = timedelta(seconds=2)  # how far away a slot is when a test waits for it for real


def monday_ahead() -> date:
    """A Monday at least a week ahead: subscriptions are stamped with the real time when created."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=7)
    return day + timedelta(days=-day.weekday() % 7)


MONDAY = monday_ahead()
SATURDAY, SUNDAY, TUESDAY = MONDAY - timedelta(days=2), MONDAY - timedelta(days=1), MONDAY + timedelta(days=1)


def at(day: date, hhmm: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, clock_time.fromisoformat(hhmm), tzinfo=zone)


SLOT = at(MONDAY, "09:00")  # the default schedule's slot on that Monday
QUIET_TIME = at(SATURDAY, "12:00")  # no 08:30, 09:00 or 18:00 slot for hours


class Clock:
    """BotData.clock for a test: the real time, shifted so that it reads `now` at creation."""

    def __init__(self, now: datetime):
        self.offset = now - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    async def sleep_until(self, moment: datetime) -> None:
        await asyncio.sleep(max(0.0, (moment - self()).total_seconds()))


# ---- a store, a seeds folder and bots of the test's own ------------------------------------------


@pytest.fixture
def seeds(tmp_path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A store built once from a copy of seeds/; each test gets a copy of the file (building takes longer)."""
    folder = tmp_path_factory.mktemp("built")
    url = f"sqlite:///{folder / 'facts.db'}"
    engine = make_engine(url)
    seeds = shutil.copytree(SEEDS, folder / "seeds")
    service = FactService(engine, Settings(database_url=url, factbot_seeds_dir=seeds))
    assert service.build(serve=False).documents == 5
    engine.dispose()  # the last connection closes: the WAL is checkpointed into facts.db
    assert not (folder / "facts.db-wal").exists()
    return folder / "facts.db"


@pytest.fixture
def store(tmp_path, seeds, built, monkeypatch) -> FactService:
    """The test's own store (a copy of `built`) over the test's own copy of seeds/."""
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copy(built, tmp_path / "facts.db")
    url = f"sqlite:///{tmp_path / 'facts.db'}"
    return FactService(make_engine(url), Settings(database_url=url, factbot_seeds_dir=seeds))


@contextlib.asynccontextmanager
async def running(
    fake: FakeTelegram, store: FactService, clock: Clock | None = None
) -> AsyncIterator[Application]:
    """The production application on the test's store, with its clock; stopped like a process would be."""
    app = build_application(
        Settings(
            telegram_bot_token=fake.token,
            telegram_api_base_url=fake.base_url,
            telegram_api_file_url=fake.base_file_url,
            database_url=store.settings.database_url,
            factbot_seeds_dir=store.settings.factbot_seeds_dir,
            factbot_timezone="Asia/Shanghai",
            factbot_digest_grace_minutes=60,
            factbot_sync_seconds=0.2,
            factbot_delivery_lease_seconds=60,
        ),
        store,
    )
    app.bot_data.clock = clock or Clock(QUIET_TIME)
    await start_polling(app)  # post_init: restore_schedules, before the first update is polled
    try:
        yield app
    finally:
        await stop_polling(app)


@pytest_asyncio.fixture
async def bot(fake_telegram, store) -> AsyncIterator[Application]:
    async with running(fake_telegram, store) as app:
        yield app


# ---- talking to the bot --------------------------------------------------------------------------


async def command(
    fake: FakeTelegram, text: str, chat_id: int = ANA, user_id: int | None = None, **message
) -> Call:
    """Send `text` to the bot and return its next sendMessage to that chat."""
    before = len(ok_calls(fake, "sendMessage", chat_id))
    fake.user_message(text, chat_id=chat_id, user_id=user_id or chat_id, **message)
    return (await fake.wait_for("sendMessage", to(chat_id), count=before + 1))[before]


async def in_group(
    fake: FakeTelegram, text: str, status: str, chat_id: int = GROUP, user_id: int = ADMIN, **message
) -> Call:
    """`text` from a user of the given member status in a supergroup (made a forum by a first message
    with `message_thread_id`)."""
    fake.set_chat_member_status(chat_id, user_id, status)
    return await command(fake, text, chat_id, user_id, chat_type="supergroup", **message)


async def as_the_group(
    fake: FakeTelegram, text: str, chat_id: int = GROUP, sender: dict | None = None
) -> Call:
    """`text` posted on behalf of a chat: the group itself (an anonymous administrator) or a channel."""
    chat = fake.add_chat(chat_id, chat_type="supergroup", title="Test group")
    before = len(ok_calls(fake, "sendMessage", chat_id))
    message = fake.user_message(text, chat_id=chat_id, user_id=ANONYMOUS_ADMIN["id"])["message"]
    # queued, not yet polled: make it what Telegram sends for a message on behalf of a chat
    message["sender_chat"] = sender or chat
    message["from"] = ANONYMOUS_ADMIN if sender is None else TELEGRAM  # Telegram forwards a channel's posts
    return (await fake.wait_for("sendMessage", to(chat_id), count=before + 1))[before]


def digests(fake: FakeTelegram, chat_id: int) -> list[Call]:
    """The digest messages that reached the chat (their first text chunk carries the header)."""
    return [c for c in ok_calls(fake, "sendMessage", chat_id) if HEADER in c.params["text"]]


def sends(fake: FakeTelegram, chat_id: int) -> list[Call]:
    """Every sendMessage/sendPhoto to the chat, refused ones too."""
    return [c for c in fake.calls if c.method in ("sendMessage", "sendPhoto") and to(chat_id)(c)]


def ok_or_not(fake: FakeTelegram, method: str, chat_id: int) -> list[Call]:
    """Every call of `method` to the chat, refused ones too."""
    return [c for c in fake.calls if c.method == method and to(chat_id)(c)]


def job_slot(app: Application, chat_id: int, thread_id: int = 0) -> datetime | None:
    """The slot the chat's scheduled digest job carries (None: no job)."""
    jobs = app.job_queue.get_jobs_by_name(job_name(chat_id, thread_id))
    assert len(jobs) <= 1, jobs
    return jobs[0].data[2] if jobs else None


def job_done(app: Application, chat_id: int, thread_id: int = 0) -> bool:
    """No digest job of the chat is running (once it was seen running: it has finished, rescheduling
    included)."""
    return job_name(chat_id, thread_id) not in app.bot_data.due


class SyncRounds:
    """Counts the replica sync's finished rounds: bot.subscribe.sync, wrapped before the bot starts (the
    round a test waits for is the event that shows the bot looked at the database and did nothing)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.done = 0
        sync = subscribe.sync

        async def counted(context) -> None:
            await sync(context)
            self.done += 1

        monkeypatch.setattr(subscribe, "sync", counted)

    async def two_more(self) -> None:
        """Two more rounds: the second of them started after this call (rounds never overlap)."""
        target = self.done + 2
        await eventually(lambda: self.done >= target)


@pytest.fixture
def sync_rounds(monkeypatch) -> SyncRounds:
    return SyncRounds(monkeypatch)


def run_next_slot(app: Application, chat_id: int, thread_id: int = 0) -> datetime:
    """Run the chat's scheduled digest job now, instead of at its slot; returns the slot it carries."""
    [job] = app.job_queue.get_jobs_by_name(job_name(chat_id, thread_id))
    job.job.modify(next_run_time=datetime.now(UTC))
    return job.data[2]


async def next_digest(app: Application, fake: FakeTelegram, chat_id: int, thread_id: int = 0) -> str:
    """Run the chat's next slot now and return the digest text (as Telegram shows it), once the job has
    scheduled the slot after it."""
    before = len(digests(fake, chat_id))
    slot = run_next_slot(app, chat_id, thread_id)
    await fake.wait_for(
        "sendMessage", lambda c: to(chat_id)(c) and HEADER in c.params["text"], count=before + 1
    )
    await eventually(lambda: job_slot(app, chat_id, thread_id) == slot + timedelta(days=1))
    return digests(fake, chat_id)[before].result["text"]


def named(text: str) -> set[str]:
    return {name for name in INDICATORS if f"{name}：" in text}


def next_delivery(reply: Call) -> str:
    match = re.search(r"下次发送：(\d{4}-\d\d-\d\d \d\d:\d\d)", reply.params["text"])
    assert match, reply.params["text"]
    return match.group(1)


async def subscriptions_cli(store: FactService, cwd: Path) -> dict[int, dict]:
    out = await asyncio.to_thread(factbot, "subscriptions", "--json", store=store, cwd=cwd)
    return {row["chat_id"]: row for row in map(json.loads, out.stdout.splitlines())}


# ---- /subscribe in private -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown", "topics", "first"),
    [
        P("/subscribe", "daily 09:00", "全部指标", f"{SUNDAY} 09:00", id="default-daily-0900"),
        P("/subscribe daily 08:30 班列", "daily 08:30", "班列", f"{SUNDAY} 08:30", id="daily-0830-topic"),
        P("/subscribe weekly mon 09:00", "weekly mon 09:00", "全部指标", f"{MONDAY} 09:00", id="weekly-mon"),
        P(
            "/subscribe workdays 18:00",
            "workdays 18:00",
            "全部指标",
            f"{MONDAY} 18:00",
            id="workdays-skip-weekend",
        ),
    ],
)
async def test_subscribe_confirms_the_schedule_and_the_next_delivery(
    fake_telegram, bot, text, shown, topics, first
):
    reply = await command(fake_telegram, text)  # it is Saturday 12:00 in Shanghai
    assert "已开启" in reply.params["text"] and shown in reply.params["text"], reply.params["text"]
    assert topics in reply.params["text"] and "Asia/Shanghai" in reply.params["text"]
    assert next_delivery(reply) == first
    again = await command(fake_telegram, "/subscriptions")
    assert shown in again.params["text"] and next_delivery(again) == first


@pytest.mark.parametrize(
    "args",
    [
        P("weekly funday 09:00", id="unknown-weekday"),
        P("weekly", id="weekly-without-day"),
        P("daily 25:00", id="hour-25"),
        P("daily 0830", id="no-colon"),
        P("tz Mars/Olympus", id="unknown-zone"),
        P("tz", id="tz-without-zone"),
        P("dialy 08:30", id="misspelt-kind"),
        P("daily 08:30 天气", id="unknown-topic"),
    ],
)
async def test_bad_arguments_get_a_usage_message_and_store_nothing(fake_telegram, bot, store, args):
    reply = await command(fake_telegram, f"/subscribe {args}")
    assert re.search(r"用法|HH:MM|例如", reply.params["text"]), reply.params["text"]
    assert "已开启" not in reply.params["text"]
    assert subs.all_subscriptions(store.engine) == []


async def test_time_zone_moves_the_next_delivery_to_local_time(fake_telegram, bot):
    await command(fake_telegram, "/subscribe daily 08:30 班列")
    reply = await command(fake_telegram, "/subscribe tz Europe/Berlin")
    assert "Europe/Berlin" in reply.params["text"]
    shown = await command(fake_telegram, "/subscriptions")
    text = shown.params["text"]
    assert "daily 08:30" in text and "班列" in text and "Europe/Berlin" in text, (
        text
    )  # schedule and topics kept
    # Saturday 12:00 in Shanghai is 05:00 in Berlin: 08:30 Berlin is still to come today.
    assert next_delivery(shown) == f"{SATURDAY} 08:30"
    assert QUIET_TIME.astimezone(BERLIN).hour < 8


# ---- groups and forum topics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        P("member", False),
        P("restricted", False),
        P("administrator", True),
        P("creator", True),
    ],
)
async def test_in_groups_only_administrators_change_the_subscription(
    fake_telegram, bot, store, status, allowed
):
    reply = await in_group(fake_telegram, "/subscribe daily 08:30", status, user_id=MEMBER)
    if allowed:
        assert "已开启" in reply.params["text"] and "daily 08:30" in reply.params["text"]
        assert [s.chat_id for s in subs.all_subscriptions(store.engine, active_only=True)] == [GROUP]
    else:
        assert "管理员" in reply.params["text"] and "已开启" not in reply.params["text"]
        assert subs.all_subscriptions(store.engine) == []


async def test_a_member_cannot_unsubscribe_what_an_administrator_subscribed(fake_telegram, bot, store):
    await in_group(fake_telegram, "/subscribe", "administrator")
    refused = await in_group(fake_telegram, "/unsubscribe", "member", user_id=MEMBER)
    assert "管理员" in refused.params["text"]
    assert subs.get(store.engine, GROUP).active
    listed = await in_group(
        fake_telegram, "/subscriptions", "member", user_id=MEMBER
    )  # reading is for everyone
    assert "已开启" in listed.params["text"]


async def test_anonymous_administrator_may_subscribe(fake_telegram, bot, store):
    reply = await as_the_group(fake_telegram, "/subscribe weekly fri 17:00 外贸")
    assert "已开启" in reply.params["text"] and "weekly fri 17:00" in reply.params["text"]
    assert subs.get(store.engine, GROUP).topics == ["外贸"]
    stopped = await as_the_group(fake_telegram, "/unsubscribe")
    assert "已退订" in stopped.params["text"] and not subs.get(store.engine, GROUP).active


async def test_a_channel_posting_in_the_group_is_not_an_administrator(fake_telegram, bot, store):
    channel = {"id": -1009999999999, "type": "channel", "title": "Some channel"}
    reply = await as_the_group(fake_telegram, "/subscribe", sender=channel)
    assert "管理员" in reply.params["text"]
    assert subs.all_subscriptions(store.engine) == []


async def test_forum_topic_gets_its_digest_in_that_topic(fake_telegram, bot):
    reply = await in_group(fake_telegram, "/subscribe", "administrator", chat_id=FORUM, message_thread_id=7)
    assert "已开启" in reply.params["text"] and reply.params.get("message_thread_id") == 7
    other = await in_group(
        fake_telegram, "/subscriptions", "administrator", chat_id=FORUM, message_thread_id=9
    )
    assert "还没有订阅" in other.params["text"]  # another topic of the forum has its own setting
    await next_digest(bot, fake_telegram, FORUM, thread_id=7)
    digest = [
        c for c in sends(fake_telegram, FORUM) if HEADER in c.params.get("text", HEADER)
    ]  # photo and text
    assert len(digest) == 2 and {c.params.get("message_thread_id") for c in digest} == {7}
    assert all(c.result.get("is_topic_message") for c in digest)


async def test_a_reply_in_a_plain_supergroup_subscribes_the_group(fake_telegram, bot, store):
    fake_telegram.add_chat(GROUP, chat_type="supergroup")  # not a forum
    fake_telegram.set_chat_member_status(GROUP, ADMIN, "administrator")
    root = fake_telegram.user_message("今天的数据？", chat_id=GROUP, user_id=MEMBER)["message"]
    # Telegram gives replies in supergroups the thread of the message they answer
    await command(
        fake_telegram,
        "/subscribe",
        GROUP,
        ADMIN,
        reply_to_message_id=root["message_id"],
        message_thread_id=root["message_id"],
    )
    assert [(s.chat_id, s.thread_id) for s in subs.all_subscriptions(store.engine)] == [(GROUP, 0)]


# ---- /unsubscribe, /digest, topics ---------------------------------------------------------------


async def test_unsubscribe_stops_the_digest(fake_telegram, store, sync_rounds):
    clock = Clock(SLOT - LEAD)
    async with running(fake_telegram, store, clock) as app:
        await command(fake_telegram, "/subscribe")
        stopped = await command(fake_telegram, "/unsubscribe")
        assert "已退订" in stopped.params["text"]
        await clock.sleep_until(SLOT)  # the slot's moment itself is what this test is about
        await sync_rounds.two_more()  # the sync, having read the subscriptions, put no job back
        assert job_slot(app, ANA) is None and job_done(app, ANA)  # none waiting, none running
        assert digests(fake_telegram, ANA) == [] and ok_calls(fake_telegram, "sendPhoto", ANA) == []
        shown = await command(fake_telegram, "/subscriptions")
        assert "已停止" in shown.params["text"]
        again = await command(fake_telegram, "/unsubscribe")
        assert "没有订阅" in again.params["text"]


async def test_a_stopped_subscription_promises_no_next_delivery(fake_telegram, bot):
    await command(fake_telegram, "/subscribe")
    await command(fake_telegram, "/unsubscribe")
    shown = await command(fake_telegram, "/subscriptions")
    assert "已停止" in shown.params["text"] and "下次发送" not in shown.params["text"], shown.params["text"]


def blocks(text: str) -> dict[str, list[str]]:
    """The digest's lines per indicator (its own line first)."""
    found, current = {}, None
    for line in text.splitlines():
        name = next((n for n in INDICATORS if line.startswith(f"{n}：")), None)
        if name:
            found[name] = current = [line]
        elif current is not None and line.startswith("\u3000"):
            current.append(line.strip())
        else:
            current = None
    return found


async def test_digest_now_has_every_indicator_with_figures_sources_and_a_chart(fake_telegram, bot, seeds):
    before = len(ok_calls(fake_telegram, "sendMessage", ANA))
    fake_telegram.user_message("/digest")
    [text] = (await fake_telegram.wait_for("sendMessage", to(ANA), count=before + 1))[before:]
    assert text.ok and text.params["parse_mode"] == "HTML" and len(text.result["text"]) <= 4096
    shown = text.result["text"]
    assert shown.startswith("江津区 关键指标摘要"), shown
    found = blocks(shown)
    assert list(found) == INDICATORS, shown  # every indicator of indicators.toml, in its order
    bold = {
        shown.encode("utf-16-le")[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in text.result["entities"]
        if e["type"] == "bold"
    }
    for name, lines in found.items():
        head = re.fullmatch(rf"{re.escape(name)}：(\S+?)（(.+)，(.+)）", lines[0])
        assert head, lines
        figure = head.group(1)
        assert figure in bold
        [source] = [line for line in lines if line.startswith("来源：《")]
        doc, line_no = re.search(r"\((\S+\.txt), 第(\d+)行\)$", source).groups()
        cited = (seeds / doc).read_text("utf-8").splitlines()[int(line_no) - 1].replace(" ", "")
        assert re.search(r"\d+(?:\.\d+)?", figure).group() in cited, (figure, doc, line_no, cited)
        for previous in (line for line in lines if line.startswith("上一期：")):
            assert "→" in previous, lines  # the previous figure and the change (or why there is none)
    [photo] = ok_calls(fake_telegram, "sendPhoto", ANA)  # GDP has three comparable points
    assert photo.params["photo"].data.startswith(b"\x89PNG") and photo.result["caption"]
    assert photo.result["message_id"] < text.result["message_id"]  # the chart comes first


async def test_digest_sets_the_target_against_the_actual(fake_telegram, bot):
    reply = await command(fake_telegram, "/digest 班列")
    assert "目标" in reply.result["text"] and "1000列" in reply.result["text"], reply.result["text"]


@pytest.mark.parametrize(
    ("topic", "expected", "charts"),
    [
        P("班列", {"江津班列开行量"}, 0, id="班列"),
        P("外贸", {"综保区进出口额"}, 0, id="外贸"),
        P("招商", {"协议引资额"}, 0, id="招商-three-points-of-unlike-periods-no-chart"),
        P("GDP", {"地区生产总值"}, 1, id="GDP-three-points-chart"),
        P("物流", {"江津班列开行量", "港口吞吐量/设计能力"}, 0, id="物流-two-indicators"),
    ],
)
async def test_topics_filter_the_scheduled_digest(fake_telegram, bot, topic, expected, charts):
    await command(fake_telegram, f"/subscribe {topic}")
    text = await next_digest(bot, fake_telegram, ANA)
    assert named(text) == expected, text
    assert len(ok_calls(fake_telegram, "sendPhoto", ANA)) == charts
    now = await command(fake_telegram, "/digest")  # /digest uses the chat's topics too
    assert named(now.result["text"]) == expected


@pytest.mark.parametrize(
    "words",
    [
        P("班列，外贸", id="full-width-comma"),
        P("班列、外贸", id="enumeration-comma"),
    ],
)
async def test_topics_written_with_chinese_punctuation_are_not_an_empty_digest(fake_telegram, bot, words):
    reply = await command(fake_telegram, f"/subscribe {words}")
    if "已开启" in reply.params["text"]:
        text = await next_digest(bot, fake_telegram, ANA)
        assert named(text) == {"江津班列开行量", "综保区进出口额"}, text
    else:
        assert re.search(r"用法|例如", reply.params["text"]), reply.params["text"]


# ---- scheduled slots and restarts --------------------------------------------------------------


async def test_a_scheduled_slot_is_delivered_once(fake_telegram, store):
    clock = Clock(SLOT - LEAD)
    async with running(fake_telegram, store, clock) as app:
        reply = await command(fake_telegram, "/subscribe")
        assert next_delivery(reply) == f"{MONDAY} 09:00"
        await fake_telegram.wait_for("sendMessage", lambda c: HEADER in c.params["text"])
        assert clock() >= SLOT  # not before its time
        await eventually(lambda: job_slot(app, ANA) == SLOT + timedelta(days=1))  # done: the next slot is set
        assert len(digests(fake_telegram, ANA)) == 1 and len(ok_calls(fake_telegram, "sendPhoto", ANA)) == 1
        shown = await command(fake_telegram, "/subscriptions")
        assert next_delivery(shown) == f"{TUESDAY} 09:00"
    assert [(d.status, d.slot.replace(tzinfo=UTC)) for d in subs.deliveries(store.engine)] == [("sent", SLOT)]


async def test_a_slot_that_starts_late_on_a_busy_loop_is_still_delivered(fake_telegram, store):
    clock = Clock(SLOT - LEAD)
    async with running(fake_telegram, store, clock) as app:
        await command(fake_telegram, "/subscribe")
        await clock.sleep_until(SLOT - timedelta(seconds=0.2))
        time.sleep(1.5)  # the loop is busy (blocked) while the slot falls due: the job starts over 1 s late
        await fake_telegram.wait_for("sendMessage", lambda c: HEADER in c.params["text"], timeout=30)
        await eventually(lambda: job_slot(app, ANA) == SLOT + timedelta(days=1))  # rescheduled after the send
        assert len(digests(fake_telegram, ANA)) == 1 and len(ok_calls(fake_telegram, "sendPhoto", ANA)) == 1
    assert [(d.status, d.slot.replace(tzinfo=UTC)) for d in subs.deliveries(store.engine)] == [("sent", SLOT)]


@pytest.mark.parametrize(
    ("late", "sent"),
    [
        P(timedelta(minutes=10), True, id="10-min-late"),
        P(timedelta(minutes=59), True, id="59-min-late"),
        P(timedelta(minutes=61), False, id="61-min-late"),
        P(timedelta(hours=5), False, id="5-h-late"),
    ],
)
async def test_a_slot_missed_while_down_is_sent_once_on_start_up_within_the_hour(
    fake_telegram, store, late, sent
):
    async with running(fake_telegram, store, Clock(SLOT - timedelta(hours=1))):
        await command(fake_telegram, "/subscribe")
    async with running(fake_telegram, store, Clock(SLOT + late)) as app:  # restore_schedules has run
        # the missed slot is sent (or not) and then the next one scheduled: the catch-up is over
        await eventually(lambda: job_slot(app, ANA) == SLOT + timedelta(days=1))
        assert len(digests(fake_telegram, ANA)) == (1 if sent else 0)
        shown = await command(fake_telegram, "/subscriptions")
        assert next_delivery(shown) == f"{TUESDAY} 09:00"
    async with running(fake_telegram, store, Clock(SLOT + late + timedelta(minutes=1))) as app:
        await eventually(lambda: job_slot(app, ANA) == SLOT + timedelta(days=1))
    assert len(digests(fake_telegram, ANA)) == (1 if sent else 0)  # never twice
    assert len(ok_calls(fake_telegram, "sendPhoto", ANA)) == (1 if sent else 0)


# ---- Telegram's answers ---------------------------------------------------------------------------


async def test_blocked_chat_is_deactivated_and_never_retried(
    fake_telegram, store, tmp_path, caplog, sync_rounds
):
    caplog.set_level(logging.WARNING, logger="bot.subscribe")
    async with running(fake_telegram, store) as app:
        await command(fake_telegram, "/subscribe")
        fake_telegram.fail_next("sendPhoto", 403)  # the chart goes first
        run_next_slot(app, ANA)
        await eventually(lambda: any("deactivated" in r.getMessage() for r in caplog.records))
        await eventually(lambda: job_done(app, ANA))  # the job has seen it through
        tried = [c for c in sends(fake_telegram, ANA) if "订阅" not in c.params.get("text", "")]
        assert [(c.method, c.status) for c in tried] == [("sendPhoto", 403)]
        assert job_slot(app, ANA) is None
    row = (await subscriptions_cli(store, tmp_path))[ANA]
    assert row["active"] is False and row["next_run"] is None and "blocked" in row["note"]
    async with running(fake_telegram, store, Clock(SLOT + timedelta(minutes=5))) as app:  # a slot is due
        assert job_slot(app, ANA) is None  # start-up (post_init) scheduled nothing for the chat
        await sync_rounds.two_more()  # nor did the sync, having read the subscriptions
    assert len(sends(fake_telegram, ANA)) == len(tried) + 1  # the /subscribe reply and the refused chart only


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own RetryAfter
async def test_flood_wait_delivers_late_but_once(fake_telegram, bot):
    await command(fake_telegram, "/subscribe")
    fake_telegram.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    await next_digest(bot, fake_telegram, ANA)
    assert time.monotonic() - started >= 1.0
    digest = [
        c for c in sends(fake_telegram, ANA) if c.method == "sendPhoto" or "订阅" not in c.params["text"]
    ]
    assert [(c.method, c.status) for c in digest] == [
        ("sendPhoto", 200),
        ("sendMessage", 429),
        ("sendMessage", 200),
    ]


async def test_server_errors_are_retried_and_delivered_once(fake_telegram, bot, store):
    await command(fake_telegram, "/subscribe")
    fake_telegram.fail_next("sendMessage", 500, times=2)
    await next_digest(bot, fake_telegram, ANA)  # returns once the job has scheduled the next slot
    tries = [c.status for c in ok_or_not(fake_telegram, "sendMessage", ANA) if "订阅" not in c.params["text"]]
    assert tries == [500, 500, 200] and len(digests(fake_telegram, ANA)) == 1
    assert [d.status for d in subs.deliveries(store.engine)] == ["sent"]


async def test_persistent_server_errors_are_recorded_and_the_next_slot_still_comes(fake_telegram, store):
    async with running(fake_telegram, store) as app:
        await command(fake_telegram, "/subscribe 班列")
        fake_telegram.fail_next("sendMessage", 502, times=4)
        slot = run_next_slot(app, ANA)
        await eventually(lambda: [d.status for d in subs.deliveries(store.engine)] == ["failed"], timeout=10)
        [failed] = subs.deliveries(store.engine)
        assert "Bad Gateway" in failed.error and failed.slot.replace(tzinfo=UTC) == slot
        tries = [c.status for c in sends(fake_telegram, ANA) if "订阅" not in c.params["text"]]
        assert tries == [502] * 4  # the first try and three retries with backoff
        await eventually(lambda: job_slot(app, ANA) == slot + timedelta(days=1))  # the subscription goes on
    async with running(fake_telegram, store, Clock(slot + timedelta(minutes=5))) as app:  # not resent
        await eventually(lambda: job_slot(app, ANA) == slot + timedelta(days=1))  # the catch-up is over
    assert digests(fake_telegram, ANA) == []


async def test_group_upgraded_to_a_supergroup_takes_its_subscription_and_job_along(fake_telegram, bot, store):
    fake_telegram.add_chat(OLD_GROUP, chat_type="group")
    fake_telegram.set_chat_member_status(OLD_GROUP, ADMIN, "administrator")
    await command(fake_telegram, "/subscribe 班列", OLD_GROUP, ADMIN, chat_type="group")
    fake_telegram.add_chat(NEW_SUPERGROUP, chat_type="supergroup")
    fake_telegram.fail_next(
        "sendMessage",
        400,
        parameters={"migrate_to_chat_id": NEW_SUPERGROUP},
        description="Bad Request: group chat was upgraded to a supergroup chat",
    )
    slot = run_next_slot(bot, OLD_GROUP)
    [moved] = await fake_telegram.wait_for("sendMessage", to(NEW_SUPERGROUP))
    await eventually(lambda: [d.status for d in subs.deliveries(store.engine)] == ["sent"])
    assert HEADER in moved.params["text"] and named(moved.result["text"]) == {"江津班列开行量"}
    assert digests(fake_telegram, OLD_GROUP) == []
    assert subs.get(store.engine, OLD_GROUP) is None
    sub = subs.get(store.engine, NEW_SUPERGROUP)
    assert sub.active and sub.topics == ["班列"]
    assert job_slot(bot, OLD_GROUP) is None and job_slot(bot, NEW_SUPERGROUP) == slot + timedelta(days=1)
    assert named(await next_digest(bot, fake_telegram, NEW_SUPERGROUP)) == {"江津班列开行量"}
    assert [(d.chat_id, d.status) for d in subs.deliveries(store.engine)] == [(NEW_SUPERGROUP, "sent")] * 2


# ---- "since the last digest" ------------------------------------------------------------------------


async def test_since_the_last_digest_lists_a_reload_change_once(fake_telegram, bot, store, seeds):
    await command(fake_telegram, "/subscribe")
    edit(seeds / S001, "536列", "540列")
    await asyncio.to_thread(store.reload, serve=False)  # what /reload does (bot.admin.rebuild)
    store.refresh(force=True)
    await command(fake_telegram, "/subscribe", BEN)  # subscribed after the reload: nothing is new to BEN
    first = await next_digest(bot, fake_telegram, ANA)
    assert "自上次摘要以来" in first and re.search(r"变化：.*536列.*540列", first), first
    assert "自上次摘要以来" not in await next_digest(bot, fake_telegram, BEN)
    second = await next_digest(bot, fake_telegram, ANA)
    assert "自上次摘要以来" not in second and "540列" not in second, second


async def test_digest_now_moves_the_mark_and_digest_with_topics_does_not(fake_telegram, bot, store, seeds):
    await command(fake_telegram, "/subscribe 外贸")
    edit(seeds / S001, "536列", "540列")
    await asyncio.to_thread(store.reload, serve=False)
    store.refresh(force=True)
    asked = (await command(fake_telegram, "/digest 班列")).result["text"]
    assert named(asked) == {"江津班列开行量"} and "自上次摘要以来" not in asked
    own = (await command(fake_telegram, "/digest")).result[
        "text"
    ]  # this chat's digest: its topics, the changes
    assert "江津班列开行量" not in named(own) and "自上次摘要以来" in own
    again = (await command(fake_telegram, "/digest")).result["text"]
    assert "自上次摘要以来" not in again  # the first /digest told this chat already
    assert "自上次摘要以来" not in await next_digest(bot, fake_telegram, ANA)


async def test_a_plain_members_digest_does_not_move_the_groups_mark(fake_telegram, bot, store, seeds):
    """Issue 12: a member's /digest in a group moved the group's "since the last digest" mark, so the
    scheduled digest no longer listed what the reload changed."""
    await in_group(fake_telegram, "/subscribe", "administrator")
    edit(seeds / S001, "536列", "540列")
    await asyncio.to_thread(store.reload, serve=False)
    store.refresh(force=True)
    fake_telegram.set_chat_member_status(GROUP, MEMBER, "member")
    seen = await command(fake_telegram, "/digest", GROUP, MEMBER, chat_type="supergroup")
    assert HEADER in seen.result["text"]
    assert "自上次摘要以来" in await next_digest(bot, fake_telegram, GROUP)


@pytest.mark.parametrize("words", ["班列x", "dialy"])
async def test_digest_with_an_unknown_topic_says_which_topics_exist(fake_telegram, bot, words):
    reply = (await command(fake_telegram, f"/digest {words}")).result["text"]
    assert words in reply and "/digest" in reply and "班列" in reply and HEADER not in reply


async def test_subscribe_all_goes_back_to_every_indicator(fake_telegram, bot):
    assert (
        "内容：GDP" in (await command(fake_telegram, "/subscribe gdp")).params["text"]
    )  # spelled as configured
    assert "内容：全部指标" in (await command(fake_telegram, "/subscribe all")).params["text"]
    assert named(await next_digest(bot, fake_telegram, ANA)) == set(INDICATORS)


# ---- several replicas on one database -------------------------------------------------------------------


def other_replica(store: FactService) -> FactService:
    """A second process's view of the same database (its own engine and index)."""
    return FactService(make_engine(store.settings.database_url), store.settings)


async def test_a_subscription_made_on_another_replica_is_scheduled_here(fake_telegram, bot, store):
    other = other_replica(store)
    fake_telegram.add_chat(BEN, first_name="Ben")
    subs.subscribe(
        other.engine,
        BEN,
        0,
        schedule=None,
        topics=("班列",),
        timezone=None,
        default_timezone="Asia/Shanghai",
        version=other.store_info().version,
    )
    await eventually(lambda: job_slot(bot, BEN) is not None)
    assert named(await next_digest(bot, fake_telegram, BEN)) == {"江津班列开行量"}
    subs.deactivate(other.engine, BEN, 0, note="unsubscribed")
    await eventually(lambda: job_slot(bot, BEN) is None)


async def test_a_reload_on_another_replica_is_served_here(fake_telegram, bot, store, seeds):
    question = "2022年江津班列开了多少列？"
    assert "536列" in (await command(fake_telegram, question)).params["text"]
    edit(seeds / S001, "536列", "540列")
    await asyncio.to_thread(other_replica(store).reload)
    started = time.monotonic()
    await eventually(lambda: bot.bot_data.service.version == store.store_info().version, timeout=10)
    assert time.monotonic() - started < 10
    assert "540列" in (await command(fake_telegram, question)).params["text"]


def left_behind(store: FactService, clock: Clock, *, lease_left: timedelta, parts: int) -> None:
    """A digest another replica claimed for SLOT and stopped sending after `parts` messages."""
    claimed = subs.claim(
        store.engine,
        ANA,
        0,
        SLOT,
        owner="replica-that-died",
        lease=timedelta(minutes=1),
        at=clock() - timedelta(minutes=1) + lease_left,
    )
    assert claimed is not None
    if parts:
        assert subs.sent_part(
            store.engine,
            ANA,
            0,
            SLOT,
            owner="replica-that-died",
            parts=parts,
            lease=timedelta(minutes=1),
            at=clock() - timedelta(minutes=1) + lease_left,
        )


async def test_a_digest_left_half_sent_by_a_dead_replica_is_finished_here(fake_telegram, store):
    clock = Clock(SLOT + timedelta(minutes=5))
    async with running(fake_telegram, store, clock) as app:
        await command(fake_telegram, "/subscribe")  # created after SLOT: no catch-up of its own
        left_behind(
            store, clock, lease_left=-timedelta(seconds=1), parts=1
        )  # the chart went out, then it died
        await fake_telegram.wait_for("sendMessage", lambda c: HEADER in c.params["text"])
        await eventually(lambda: [d.status for d in subs.deliveries(store.engine)] == ["sent"])  # finished
        assert len(digests(fake_telegram, ANA)) == 1 and ok_calls(fake_telegram, "sendPhoto", ANA) == []
        [delivery] = subs.deliveries(store.engine)
        assert (delivery.status, delivery.owner, delivery.attempts) == ("sent", app.bot_data.replica, 2)
        assert delivery.parts == 2


async def test_a_living_replica_keeps_its_claim(fake_telegram, store, sync_rounds):
    clock = Clock(SLOT + timedelta(minutes=5))
    async with running(fake_telegram, store, clock) as app:
        await command(fake_telegram, "/subscribe")
        left_behind(store, clock, lease_left=timedelta(seconds=30), parts=0)  # still sending, elsewhere
        await sync_rounds.two_more()  # a whole round saw the claim
        assert not app.bot_data.taking_over  # and took nothing over
        assert digests(fake_telegram, ANA) == [] and ok_calls(fake_telegram, "sendPhoto", ANA) == []
        [delivery] = subs.deliveries(store.engine)
        assert (delivery.status, delivery.owner) == ("sending", "replica-that-died")


async def test_a_claim_older_than_the_grace_period_is_left_alone(fake_telegram, store, sync_rounds):
    clock = Clock(SLOT + timedelta(minutes=61))
    async with running(fake_telegram, store, clock) as app:
        await command(fake_telegram, "/subscribe")
        left_behind(store, clock, lease_left=-timedelta(minutes=50), parts=0)
        await sync_rounds.two_more()  # a whole round saw the orphaned claim
        assert not app.bot_data.taking_over  # and took nothing over
        assert digests(fake_telegram, ANA) == []


# ---- the command line -------------------------------------------------------------------------------


async def test_factbot_subscriptions_lists_every_subscription_with_its_next_run(fake_telegram, bot, tmp_path):
    await command(fake_telegram, "/subscribe daily 08:30 班列")
    await command(fake_telegram, "/subscribe tz Europe/Berlin", BEN)
    await in_group(fake_telegram, "/subscribe weekly mon 09:00 招商 外贸", "administrator")
    await command(fake_telegram, "/subscribe workdays 18:00", 1003)
    await command(fake_telegram, "/unsubscribe", 1003)
    rows = await subscriptions_cli(bot.bot_data.service, tmp_path)
    assert sorted(rows) == sorted([ANA, BEN, GROUP, 1003])
    expected = {
        ANA: ("daily 08:30", "Asia/Shanghai", ["班列"], True),
        BEN: ("daily 09:00", "Europe/Berlin", [], True),
        GROUP: ("weekly mon 09:00", "Asia/Shanghai", ["招商", "外贸"], True),
        1003: ("workdays 18:00", "Asia/Shanghai", [], False),
    }
    now = datetime.now(UTC)
    for chat_id, (schedule, zone, topics, active) in expected.items():
        row = rows[chat_id]
        assert (row["schedule"], row["timezone"], row["topics"], row["active"]) == (
            schedule,
            zone,
            topics,
            active,
        )
        if not active:
            assert row["next_run"] is None
            continue
        local = datetime.fromisoformat(row["next_run"]).astimezone(ZoneInfo(zone))
        assert now < local <= now + timedelta(days=7), row
        assert local.strftime("%H:%M") == schedule[-5:] and (schedule[:6] != "weekly" or local.weekday() == 0)
    plain = await asyncio.to_thread(factbot, "subscriptions", store=bot.bot_data.service, cwd=tmp_path)
    assert len(plain.stdout.splitlines()) == 4 and "inactive" in plain.stdout


async def upgraded_onto_a_subscribed_supergroup(fake: FakeTelegram) -> None:
    """The basic group subscribed 班列 at 09:00; its supergroup (after the upgrade) 外贸 at 12:00 itself."""
    fake.add_chat(OLD_GROUP, chat_type="group")
    fake.set_chat_member_status(OLD_GROUP, ADMIN, "administrator")
    await command(fake, "/subscribe 班列", OLD_GROUP, ADMIN, chat_type="group")
    await in_group(fake, "/subscribe daily 12:00 外贸", "administrator", chat_id=NEW_SUPERGROUP)
    fake.fail_next("sendMessage", 400, parameters={"migrate_to_chat_id": NEW_SUPERGROUP})


async def test_upgrade_onto_a_supergroup_with_its_own_subscription(fake_telegram, bot, store, caplog):
    await upgraded_onto_a_subscribed_supergroup(fake_telegram)
    run_next_slot(bot, OLD_GROUP)
    await eventually(lambda: any(c.status == 400 for c in sends(fake_telegram, OLD_GROUP)))
    await eventually(lambda: job_done(bot, OLD_GROUP))  # the job has followed the upgrade through
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(s.chat_id, s.active) for s in subs.all_subscriptions(store.engine, active_only=True)] == [
        (NEW_SUPERGROUP, True)
    ]
    assert "sending" not in [d.status for d in subs.deliveries(store.engine)]


async def test_upgrade_found_while_catching_up_at_start_up_does_not_stop_the_start(fake_telegram, store):
    async with running(fake_telegram, store, Clock(SLOT - timedelta(hours=1))):
        await upgraded_onto_a_subscribed_supergroup(fake_telegram)
    async with running(fake_telegram, store, Clock(SLOT + timedelta(minutes=5))):
        # the catch-up meets the upgrade (nothing is asked before it, so the refusal is the catch-up's)
        await eventually(lambda: any(c.status == 400 for c in sends(fake_telegram, OLD_GROUP)), timeout=30)
        fake_telegram.user_message("/subscriptions", chat_id=NEW_SUPERGROUP, user_id=ADMIN)
        shown = await fake_telegram.wait_for(  # the bot is up and answers (the digest may come in between)
            "sendMessage",
            lambda c: to(NEW_SUPERGROUP)(c) and c.params["text"].startswith("摘要订阅"),
            count=2,  # the first is the /subscribe reply before the restart
            timeout=30,
        )
        text = shown[-1].params["text"]
        assert "daily 12:00" in text and "外贸" in text, text
        assert next_delivery(shown[-1]) == f"{MONDAY} 12:00"
    assert sorted((s.chat_id, s.active) for s in subs.all_subscriptions(store.engine)) == [
        (NEW_SUPERGROUP, True),
        (OLD_GROUP, False),
    ]
