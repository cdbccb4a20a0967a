"""A digest slot that falls due while PostgreSQL is down (a private cluster the test stops and starts):
the chat keeps its job, the slot is delivered once the database is back, the next slot after it too,
and /subscriptions says what the scheduler really holds. The real Application polls the fake Bot API."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from fake_telegram import FakeTelegram
from test_bot import eventually
from test_digest import (
    ANA,
    HEADER,
    MONDAY,
    SUNDAY,
    Clock,
    at,
    built,  # noqa: F401 (fixtures)
    command,
    digests,
    job_slot,
    next_delivery,
    run_next_slot,
    running,
    seeds,  # noqa: F401
    store,  # noqa: F401
)
from test_webhook import postgres  # noqa: F401 (the fixture: a private cluster this test may stop)

from bot.state import subscriptions as subs
from bot.state.models import DeliveryStatus
from bot.state.settings import Settings
from bot.subscribe import RETRY_SECONDS, job_name
from facts.store.db import make_engine
from facts.store.service import FactService

pytestmark = pytest.mark.asyncio


@pytest.fixture
def pg_store(postgres, seeds, tmp_path, monkeypatch) -> FactService:  # noqa: F811
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(tmp_path / "cache"))
    engine = make_engine(postgres.url)
    service = FactService(engine, Settings(database_url=postgres.url, factbot_seeds_dir=seeds))
    assert service.build().documents == 5
    yield service
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.slow
async def test_a_slot_due_while_postgres_is_down_is_sent_when_it_is_back_and_the_next_one_too(
    fake_telegram: FakeTelegram,
    pg_store,
    postgres,  # noqa: F811
):
    slot = at(SUNDAY, "09:00")
    clock = Clock(slot - timedelta(minutes=1))
    async with running(fake_telegram, pg_store, clock) as app:
        await command(fake_telegram, "/subscribe")
        assert job_slot(app, ANA) == slot

        postgres.stop()
        clock.offset += timedelta(minutes=1, seconds=1)  # the slot is due
        tried = datetime.now(UTC)
        run_next_slot(app, ANA)

        def tried_again_later() -> bool:  # the try failed and left a job for a retry RETRY_SECONDS on
            job = app.job_queue.scheduler.get_job(job_name(ANA, 0))
            return job is not None and job.next_run_time > tried + timedelta(seconds=RETRY_SECONDS / 2)

        await eventually(tried_again_later, timeout=30)
        assert job_slot(app, ANA) == slot, "the chat keeps a job for the slot it could not send"
        assert not digests(fake_telegram, ANA)

        postgres.start()
        run_next_slot(app, ANA)  # the retry, now instead of in 30 s
        await fake_telegram.wait_for("sendMessage", lambda c: HEADER in c.params.get("text", ""), timeout=30)
        await eventually(lambda: job_slot(app, ANA) == at(MONDAY, "09:00"), timeout=10)
        shown = await command(fake_telegram, "/subscriptions")
        assert next_delivery(shown) == f"{MONDAY} 09:00", shown.params["text"]

        clock.offset += timedelta(days=1)
        run_next_slot(app, ANA)
        await fake_telegram.wait_for(
            "sendMessage", lambda c: HEADER in c.params.get("text", ""), count=2, timeout=30
        )
        await eventually(lambda: job_slot(app, ANA) == at(MONDAY + timedelta(days=1), "09:00"), timeout=10)
    sent = [d for d in subs.deliveries(pg_store.engine, ANA) if d.status == DeliveryStatus.SENT]
    assert [subs.stored(d.slot) for d in sent] == [slot, at(MONDAY, "09:00")]
    assert len(digests(fake_telegram, ANA)) == 2


async def test_the_sync_puts_back_a_job_the_scheduler_lost(
    fake_telegram: FakeTelegram,
    store,  # noqa: F811
    caplog,
):
    """The sync compares the subscriptions with the jobs the scheduler really holds, not with its notes."""
    caplog.set_level(logging.WARNING, logger="bot.subscribe")
    async with running(fake_telegram, store) as app:
        await command(fake_telegram, "/subscribe")
        slot = job_slot(app, ANA)
        assert slot is not None
        app.job_queue.scheduler.remove_job(job_name(ANA, 0))  # gone without the bookkeeping knowing
        assert job_slot(app, ANA) is None
        await eventually(lambda: job_slot(app, ANA) == slot, timeout=30)
    put_back = [r.getMessage() for r in caplog.records if "was missing" in r.getMessage()]
    assert put_back == [f"digest job {job_name(ANA, 0)} was missing; scheduled again"]  # by the sync
