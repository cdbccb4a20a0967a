"""Measure the digest fan-out to many subscribed chats and print one JSON object to stdout.

N private chats are subscribed in the database directly (``bot.state.subscriptions.subscribe``, daily
09:00 Asia/Shanghai), the clock of the real ``Application`` (``bot.app.build_application`` with the
production ``RetryingRateLimiter`` (bot/limiter.py): 29.9 messages/s, evenly paced) is
injected so that every chat's slot falls due at the same moment, and the app is started against the
fake Telegram server of the end-to-end tests (tests/e2e/fake_telegram.py), in this process (on a
thread and event loop of its own unless --server shared), over real HTTP on 127.0.0.1. Timed until
every chat has received its digest (or nothing has moved for --stall seconds), then watched
--linger seconds more for repeats. Should the bot's event loop be starved for --stall seconds (it
then never gets to notice), a watchdog thread prints what the fake received so far, marked
"aborted", with the bot's httpx pool queues, and ends the process.

  --mode scheduled  the slot is --lead seconds after the app starts: start-up reschedules every
                    subscription (``restore_schedules``) and the JobQueue fires them all at once.
  --mode missed     the slot passed five minutes before start-up (within the grace period):
                    ``restore_schedules`` sends the missed slot of every chat while starting.

A digest may be several messages (a chart photo, then HTML text chunks): a "delivery" is one digest
header received by a chat; every chat must have exactly one. The floor is what the limiter allows:
N deliveries of m messages take at least N*m/30 s; ``ratio`` is elapsed over that floor.

    python benchmarks/bench_digest.py [--chats 10000] [--mode scheduled|missed] [--lead 5]
                                      [--topics 班列] [--server thread|shared]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gc
import json
import logging
import os
import shlex
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))  # the fake server's modules import each other flat

import httpcore
from bench_bot import build_service, machine
from fake_telegram import FakeTelegram
from telegram import Update

from bot.app import build_application
from bot.limiter import RetryingRateLimiter
from bot.state import subscriptions as subs
from bot.state.schedule import Schedule
from bot.state.settings import Settings
from bot.subscribe import job_name

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = "关键指标摘要"  # in the first text chunk of every digest
FIRST_CHAT = 20_000_001
LIMIT_PER_SECOND = 30


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class TimedCalls(list):
    """The fake's call list, noting when each call was answered."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    def append(self, call) -> None:
        self.at.append(time.perf_counter())
        super().append(call)


class TimedLimiter(RetryingRateLimiter):
    """The production limiter, noting when it let each message through (the fake shares the event
    loop, so when the fake answers says less about the limiter than when the request left)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.admitted: list[float] = []

    async def process_request(  # noqa: PLR0917  # the signature is BaseRateLimiter's
        self, callback, args, kwargs, endpoint, data, rate_limit_args
    ):
        async def timed(*a, **k):
            if endpoint in ("sendMessage", "sendPhoto"):
                self.admitted.append(time.perf_counter())
            return await callback(*a, **k)

        return await super().process_request(timed, args, kwargs, endpoint, data, rate_limit_args)


class Counting(logging.Handler):
    """Counts log records by (logger, level), keeping the first message of each."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.counts: collections.Counter = collections.Counter()
        self.first: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        key = f"{record.name}:{record.levelname}"
        self.counts[key] += 1
        self.first.setdefault(key, record.getMessage()[:300])


@contextlib.asynccontextmanager
async def serving(fake: FakeTelegram, where: str) -> AsyncIterator[FakeTelegram]:
    """The fake on the bot's event loop ("shared"), or on a thread and loop of its own ("thread"), as
    Telegram would be: then the bot's CPU bursts slow the bot, not the server too."""
    if where == "shared":
        async with fake:
            yield fake
        return
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-telegram", daemon=True)
    thread.start()
    await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(fake.start(), loop))
    try:
        yield fake
    finally:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(fake.stop(), loop))
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def slot_day() -> datetime:
    """09:00 Shanghai on a day well after today (subscriptions are created now, in real time)."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=7)
    return datetime.combine(day, clock_time(9, 0), tzinfo=SHANGHAI).astimezone(UTC)


def subscribe_all(service, chats: list[int], fake: FakeTelegram, topics: tuple[str, ...]) -> float:
    started = time.perf_counter()
    version = service.store_info().version
    for chat_id in chats:
        fake.add_chat(chat_id, first_name=f"u{chat_id}")
        subs.subscribe(
            service.engine,
            chat_id,
            0,
            schedule=Schedule("daily", clock_time(9, 0)),
            topics=topics,
            timezone=None,
            default_timezone="Asia/Shanghai",
            version=version,
        )
    return time.perf_counter() - started


def per_chat(fake: FakeTelegram, chats: set[int]) -> tuple[collections.Counter, collections.Counter]:
    """(digest headers, messages) per chat, from the successful calls the fake recorded."""
    headers, messages = collections.Counter(), collections.Counter()
    for call in list(fake.calls):
        if call.ok and call.method in ("sendMessage", "sendPhoto") and call.params.get("chat_id") in chats:
            messages[call.params["chat_id"]] += 1
            if call.method == "sendMessage" and HEADER in call.params.get("text", ""):
                headers[call.params["chat_id"]] += 1
    return headers, messages


def httpx_pools() -> list[dict]:
    """Connections and queued requests of every httpcore pool (the bot's, for sends and for polling)."""
    return [
        {"connections": len(o._connections), "queued_requests": len(o._requests)}
        for o in gc.get_objects()
        if isinstance(o, httpcore.AsyncConnectionPool)
    ]


class Watchdog(threading.Thread):
    """When the bot's event loop stops running the progress loop for `stall` seconds, print what the
    fake received so far as the result and end the process (a starved loop never gets to time out)."""

    def __init__(
        self, fake: FakeTelegram, wanted: set[int], *, started: float, due: float, stall: float, head: dict
    ):
        super().__init__(name="watchdog", daemon=True)
        self.fake, self.wanted, self.head = fake, wanted, head
        self.started, self.due, self.stall = started, due, stall
        self.beat = time.perf_counter()

    def run(self) -> None:
        while time.perf_counter() - self.beat < self.stall:
            time.sleep(1.0)
        now = time.perf_counter()
        headers, messages = per_chat(self.fake, self.wanted)
        result = {
            **self.head,
            "fan_out": {
                "aborted": f"the bot's event loop ran no progress check for {self.stall:.0f} s",
                "chats": len(self.wanted),
                "delivered_chats": len(headers),
                "repeated_chats": sum(1 for n in headers.values() if n > 1),
                "messages": sum(messages.values()),
                "seconds_since_due": round(now - self.due, 1),
                "seconds_since_start": round(now - self.started, 1),
                "httpx_pools": httpx_pools(),
            },
        }
        print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
        os._exit(3)


def peak(times: list[float], window: float = 1.0) -> float:
    """The most sends within any `window` seconds, per second."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return round(best / window, 1)


async def run(args: argparse.Namespace, service, head: dict) -> dict:  # noqa: PLR0915  # one run, start-up to report, read top to bottom
    chats = list(range(FIRST_CHAT, FIRST_CHAT + args.chats))
    wanted = set(chats)
    counting = Counting()
    logging.getLogger().addHandler(counting)
    fake = FakeTelegram(
        flood_limits=True
    )  # more than 30 messages in a second, or 20 a minute to a group: 429
    fake.calls = TimedCalls()
    async with serving(fake, args.server):
        log(f"subscribing {args.chats} chats in the database")
        subscribe_seconds = subscribe_all(service, chats, fake, tuple(args.topics))
        app = build_application(
            Settings(
                telegram_bot_token=fake.token,
                telegram_api_base_url=fake.base_url,
                telegram_api_file_url=fake.base_file_url,
                database_url=service.settings.database_url,
            ),
            service,
            rate_limiter=(limiter := TimedLimiter(max_retries=3)),
        )  # as build_application's default
        slot = slot_day()
        # scheduled: the slot is `lead` seconds after start-up begins; missed: it passed 5 minutes ago
        lead = timedelta(seconds=args.lead) if args.mode == "scheduled" else -timedelta(minutes=5)
        offset = (slot - lead) - datetime.now(UTC)
        app.bot_data.clock = lambda: datetime.now(UTC) + offset
        started = time.perf_counter()
        due = started + lead.total_seconds() if args.mode == "scheduled" else started
        log(f"starting the app ({args.mode}: the slot {lead.total_seconds():+.0f} s from now)")
        await app.initialize()
        await app.post_init(app)  # restore_schedules: reschedules every chat (and sends missed slots)
        post_init_seconds = time.perf_counter() - started
        jobs_after_start_up = len(app.job_queue.jobs())
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=0.5, allowed_updates=Update.ALL_TYPES)
        ready_seconds = time.perf_counter() - started
        log(f"post_init took {post_init_seconds:.1f} s, polling after {ready_seconds:.1f} s")
        progress, moved = -1, time.perf_counter()
        watchdog = Watchdog(fake, wanted, started=started, due=due, stall=args.stall, head=head)
        watchdog.start()
        try:
            while True:
                watchdog.beat = time.perf_counter()
                headers, _ = per_chat(fake, wanted)
                done = len(headers)
                now = time.perf_counter()
                if done != progress:
                    progress, moved = done, now
                    log(f"{done}/{args.chats} chats served after {now - started:.1f} s")
                if done >= args.chats or now - max(moved, due) > args.stall or now - started > args.timeout:
                    break
                await asyncio.sleep(0.5)
            watchdog.beat = time.perf_counter() + args.linger
            await asyncio.sleep(args.linger)  # repeats would show up here
            watchdog.beat = time.perf_counter() + 60  # for the shutdown
            pending_jobs = len(app.job_queue.jobs())
            next_runs = collections.Counter(
                job.data[2].isoformat() for job in app.job_queue.jobs() if job.name.startswith("digest:")
            )
            sample = app.job_queue.get_jobs_by_name(job_name(chats[0], 0))
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    logging.getLogger().removeHandler(counting)

    headers, messages = per_chat(fake, wanted)
    sends = [
        (t, c)
        for t, c in zip(fake.calls.at, fake.calls, strict=True)
        if c.method in ("sendMessage", "sendPhoto") and c.params.get("chat_id") in wanted
    ]
    ok = [t for t, c in sends if c.ok]
    refused = collections.Counter(f"{c.method} {c.status}" for _, c in sends if not c.ok)
    last = ok[-1] if ok else due
    elapsed = max(last - due, 1e-9)
    delivered = len(headers)
    message_count = sum(messages.values())
    per_delivery = message_count / delivered if delivered else 0.0
    floor = args.chats * per_delivery / LIMIT_PER_SECOND if per_delivery else args.chats / LIMIT_PER_SECOND
    log_statuses = collections.Counter(d.status for d in subs.deliveries(service.engine))
    return {
        "chats": args.chats,
        "mode": args.mode,
        "topics": args.topics,
        "server": args.server,
        "lead_s": args.lead if args.mode == "scheduled" else None,
        "subscribe_seconds": round(subscribe_seconds, 1),
        "start_up": {
            "post_init_s": round(post_init_seconds, 2),
            "polling_after_s": round(ready_seconds, 2),
            "jobs_after_post_init": jobs_after_start_up,
        },
        "delivered_chats": delivered,
        "missed_chats": args.chats - delivered,
        "repeated_chats": sum(1 for n in headers.values() if n > 1),
        "messages": message_count,
        "photos": sum(1 for _, c in sends if c.ok and c.method == "sendPhoto"),
        "messages_per_delivery": round(per_delivery, 2),
        "refused_sends": dict(refused),
        "flood_refused": fake.flood_refused,
        "elapsed_s": round(elapsed, 1),
        "elapsed_from_start_s": round(last - started, 1),
        "deliveries_per_s": round(delivered / elapsed, 2),
        "messages_per_s": round(message_count / elapsed, 2),
        "peak_messages_in_1s_let_through": peak(limiter.admitted),
        "peak_messages_per_s_over_10s_let_through": peak(limiter.admitted, 10.0),
        "peak_messages_in_1s_answered": peak(ok),
        "floor_chats_s": round(args.chats / LIMIT_PER_SECOND, 1),
        "floor_messages_s": round(floor, 1),
        "ratio_to_chat_floor": round(elapsed / (args.chats / LIMIT_PER_SECOND), 2),
        "ratio_to_message_floor": round(elapsed / floor, 2),
        "delivery_log": dict(log_statuses),
        "jobs_left": pending_jobs,
        "next_slots_scheduled": dict(next_runs),
        "first_chat_next_job": [j.data[2].isoformat() for j in sample],
        "log_counts": dict(counting.counts),
        "log_first": counting.first,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000, help="subscribed private chats")
    parser.add_argument("--mode", choices=("scheduled", "missed"), default="scheduled")
    parser.add_argument(
        "--topics",
        nargs="*",
        default=[],
        help="subscribe to these topics only (班列: one text message, no chart)",
    )
    parser.add_argument(
        "--server",
        choices=("thread", "shared"),
        default="thread",
        help="the fake on its own thread and event loop, or on the bot's",
    )
    parser.add_argument(
        "--lead", type=float, default=5.0, help="scheduled: seconds from start-up to the slot"
    )
    parser.add_argument("--stall", type=float, default=60.0, help="give up after this long without progress")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after this long in all")
    parser.add_argument("--linger", type=float, default=3.0, help="seconds to watch for repeats at the end")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="Glyph .* missing from font")  # CJK chart titles
    with tempfile.TemporaryDirectory(prefix="factbot-bench-digest-") as folder:
        log("building a store from seeds/")
        service, build_seconds = build_service(Path(folder))
        head = {
            "command": shlex.join([sys.executable, *sys.argv]),
            "machine": machine(),
            "store_build_seconds": round(build_seconds, 3),
        }
        result = {
            **head,
            "fan_out": asyncio.run(run(args, service, head)),
            "notes": [
                "delivery = one digest header received by a chat; a digest is a chart photo + HTML text",
                (
                    "elapsed_s: from the moment the slot fell due (scheduled) or start-up began (missed) "
                    "to the last digest message answered by the fake"
                ),
                "floor_messages_s = chats * messages_per_delivery / 30: the production limiter's minimum",
                (
                    "fake server, PTB, the JobQueue and the engine share one process (and one event loop "
                    "with --server shared; otherwise the fake has a thread and loop of its own, sharing the GIL)"
                ),
            ],
        }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
