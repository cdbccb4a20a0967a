"""The bot's state on SQLite and on PostgreSQL (whose session TimeZone is Asia/Shanghai here):
subscriptions, the delivery log, the audit log, the counters, and times that come back as the same
aware UTC instant."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

import bot.state.subscriptions as subs
from bot.state import counters
from bot.state.audit import audit_log, log_action
from bot.state.models import AuditEntry
from bot.state.schedule import schedule_from_text
from bot.state.settings import Settings
from facts.store.db import upgrade_schema
from facts.store.service import FactService

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
SUPERGROUP = -1001234567890  # a supergroup's chat id: more than 32 bits
USER = 7_123_456_789  # user ids passed 2**31 long ago


@pytest.fixture
def fresh(database_url, engines) -> FactService:
    """An empty store of its own (for what writes: subscriptions, deliveries, audit, counters)."""
    return FactService(
        engines(database_url),
        Settings(database_url=database_url, factbot_seeds_dir=SEEDS, factbot_timezone="Asia/Shanghai"),
    )


def stats(service: FactService) -> dict:
    return counters.stats(service.engine, service.store_info(), service.settings.factbot_timezone)


# subscriptions


def subscribe(
    engine,
    chat_id: int,
    thread_id: int = 0,
    *,
    schedule: str | None = "daily 09:00",
    topics: tuple[str, ...] = ("班列",),
    version: int = 1,
):
    return subs.subscribe(
        engine,
        chat_id,
        thread_id,
        schedule=schedule and schedule_from_text(schedule),
        topics=topics,
        timezone=None,
        default_timezone="Asia/Shanghai",
        version=version,
    )


def test_subscriptions(fresh):
    engine = fresh.engine
    made = subscribe(engine, SUPERGROUP, topics=("班列", "外贸"))
    assert (made.chat_id, made.thread_id, made.topics, made.active, made.timezone) == (
        SUPERGROUP,
        0,
        ["班列", "外贸"],
        True,
        "Asia/Shanghai",
    )
    assert made.created_at.tzinfo == UTC and made.created_at == made.updated_at
    subscribe(engine, SUPERGROUP, 77, schedule="daily 18:30")
    subscribe(engine, 4242)
    assert subs.get(engine, SUPERGROUP, 77).schedule == schedule_from_text("daily 18:30").describe()
    assert subs.get(engine, SUPERGROUP, 5) is None

    assert subs.deactivate(engine, SUPERGROUP, 77, note="blocked") == 1
    assert (subs.get(engine, SUPERGROUP, 77).active, subs.get(engine, SUPERGROUP, 77).note) == (
        False,
        "blocked",
    )
    assert [(s.chat_id, s.thread_id) for s in subs.all_subscriptions(engine)] == [
        (SUPERGROUP, 0),
        (SUPERGROUP, 77),
        (4242, 0),
    ]
    assert [(s.chat_id, s.thread_id) for s in subs.all_subscriptions(engine, active_only=True)] == [
        (SUPERGROUP, 0),
        (4242, 0),
    ]
    again = subscribe(engine, SUPERGROUP, 77)
    assert again.active and again.id == subs.get(engine, SUPERGROUP, 77).id


def test_migrate_a_group_to_its_supergroup(fresh):
    """A group (small id) becomes a supergroup (-100…): its subscriptions and delivery history follow."""
    engine, group = fresh.engine, -4567
    subscribe(engine, group)
    subscribe(engine, group, 3)
    subscribe(engine, SUPERGROUP, 3)  # the supergroup already has this topic: that one stays
    slot = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    assert subs.claim(engine, group, 0, slot) and subs.claim(engine, group, 3, slot)
    assert subs.claim(engine, SUPERGROUP, 3, slot)

    clashes = subs.migrate(engine, group, SUPERGROUP)

    assert clashes == {(3, slot)}
    assert [(s.chat_id, s.thread_id, s.active) for s in subs.all_subscriptions(engine)] == [
        (SUPERGROUP, 0, True),
        (SUPERGROUP, 3, True),
        (group, 3, False),
    ]
    assert subs.get(engine, SUPERGROUP, 0).note == f"migrated from {group}"
    assert sorted((d.chat_id, d.thread_id, d.status) for d in subs.deliveries(engine)) == [
        (SUPERGROUP, 0, "sending"),
        (SUPERGROUP, 3, "sending"),
        (group, 3, "skipped"),
    ]


# the delivery log


def test_a_slot_is_claimed_once(fresh):
    engine = fresh.engine
    slot = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert [bool(subs.claim(engine, SUPERGROUP, 0, slot)) for _ in range(2)] == [True, False]
    assert bool(subs.claim(engine, SUPERGROUP, 0, slot.astimezone(UTC))) is False  # the same instant
    assert bool(subs.claim(engine, SUPERGROUP, 5, slot)) is True  # another topic, another slot


def test_eight_claims_at_once_one_wins(fresh):
    engine, slot = fresh.engine, datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    everyone = threading.Barrier(8)

    def claim(_):
        everyone.wait()
        return bool(subs.claim(engine, SUPERGROUP, 0, slot))

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(claim, range(8)))
    assert won.count(True) == 1
    assert len(subs.deliveries(engine, SUPERGROUP)) == 1


def test_finish_records_the_outcome(fresh):
    engine = fresh.engine
    subscribe(engine, SUPERGROUP, version=1)
    slots = [datetime(2026, 1, day, 1, 0, 0, 250_000, tzinfo=UTC) for day in (5, 6)]
    for slot in slots:
        assert subs.claim(engine, SUPERGROUP, 0, slot)
    subs.finish(engine, SUPERGROUP, 0, slots[0], "sent", version=4)
    subs.finish(engine, SUPERGROUP, 0, slots[1], "failed", error="forbidden: bot was blocked")

    done = subs.deliveries(engine, SUPERGROUP)
    assert [(d.slot, d.status, d.error) for d in done] == [
        (slots[0], "sent", ""),
        (slots[1], "failed", "forbidden: bot was blocked"),
    ]
    assert all(d.slot.tzinfo == UTC and d.updated_at.tzinfo == UTC for d in done)
    assert subs.get(engine, SUPERGROUP).last_digest_version == 4
    assert subs.deliveries(engine, 1) == [] and len(subs.deliveries(engine)) == 2


# the audit log and the counters


def test_audit_log(fresh):
    log_action(fresh.engine, "reload", user_id=USER, username="admin", detail="5 份报告")
    log_action(fresh.engine, "refused:reload", user_id=SUPERGROUP, outcome="refused")
    log_action(fresh.engine, "upload", user_id=USER, detail="x" * 5000, outcome="failed: 太大")
    log = audit_log(fresh.engine)
    assert [(e.action, e.user_id, e.outcome) for e in log] == [
        ("upload", USER, "failed: 太大"),
        ("refused:reload", SUPERGROUP, "refused"),
        ("reload", USER, "ok"),
    ]
    assert len(log[0].detail) == 4000 and log[2].detail == "5 份报告"
    assert all(e.at.tzinfo == UTC and abs(datetime.now(UTC) - e.at) < timedelta(minutes=5) for e in log)
    assert [e.action for e in audit_log(fresh.engine, limit=1)] == ["upload"]
    summary = stats(fresh)
    assert (
        summary["last_reload"]["action"] == "upload" and summary["last_reload"]["outcome"] == "failed: 太大"
    )
    assert summary["last_reload"]["at"].endswith("+08:00")  # shown in FACTBOT_TIMEZONE


def test_counts_from_many_threads_add_up(fresh):
    """Replicas (here threads) counting at once: every question is counted."""
    everyone = threading.Barrier(8)

    def count(n: int):
        everyone.wait()
        for i in range(15):
            counters.count_question(fresh.engine, bool((n + i) % 3), fresh.today())

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(count, range(8)))
    subscribe(fresh.engine, SUPERGROUP)
    subscribe(fresh.engine, 4242)
    subs.deactivate(fresh.engine, 4242)
    summary = stats(fresh)
    assert (summary["answered_today"], summary["abstained_today"]) == (80, 40)
    assert (summary["answered_7d"], summary["abstained_7d"]) == (80, 40)
    assert (summary["subscriptions_active"], summary["subscriptions_inactive"]) == (1, 1)


# times

MOMENTS = [
    pytest.param(datetime(2026, 1, 5, 1, 0, 0, 123456, tzinfo=UTC), id="utc-microseconds"),
    pytest.param(datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), id="shanghai"),
    pytest.param(datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York")), id="new-york-before-dst"),
    pytest.param(
        datetime(2026, 7, 1, 23, 59, 59, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
        id="odd-offset-crossing-midnight",
    ),
    pytest.param(datetime(2026, 1, 5, 1, 0), id="naive-is-utc"),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_times_come_back_as_the_same_utc_instant(database_url, engines, moment):
    engine = engines(database_url)
    upgrade_schema(engine)
    expected = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    with Session(engine) as session, session.begin():
        session.add(AuditEntry(at=moment, action="build"))
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry)).one()
        assert entry.at == expected and entry.at.utcoffset() == timedelta(0) and entry.at.tzinfo == UTC
        assert session.exec(select(AuditEntry).where(AuditEntry.at == moment)).one().id == entry.id
        assert session.exec(
            select(AuditEntry).where(AuditEntry.at > expected - timedelta(microseconds=1))
        ).all()
    held = {
        "postgresql": "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM auditentry",
        "sqlite": "SELECT at FROM auditentry",
    }[engine.dialect.name]
    with engine.connect() as connection:  # what the database itself holds, whatever the session's TimeZone
        assert connection.execute(sa.text(held)).scalar() == expected.strftime("%Y-%m-%d %H:%M:%S.%f")
        if engine.dialect.name == "postgresql":
            assert connection.execute(sa.text("SHOW TimeZone")).scalar() == "Asia/Shanghai"
