"""Measure the Telegram bot end to end and print one JSON object to stdout.

A real python-telegram-bot ``Application`` from ``bot.app.build_application`` long-polls the fake
Telegram server of the end-to-end tests (tests/e2e/fake_telegram.py), started in this process,
over real HTTP on 127.0.0.1; the fact store is a temporary SQLite file built from seeds/.

  (a) round trip: one private question at a time, --pause seconds apart (back to back they would
      exceed 30 messages/s and measure the limiter), from queuing the update on the fake to the
      fake receiving the bot's sendMessage; median and p95 over --questions questions.
  (b) throughput: --burst private questions from --chats chats queued at once, timed until every
      reply has arrived.

Both run twice: with the production rate limiter (``RetryingRateLimiter``, an ``AIORateLimiter``
that lets 30 messages per second through) and with a no-op limiter, so what the engine and PTB
cost on their own is visible. The fake server, PTB and the engine share one process and one event
loop, so the figures include the fake's own work (HTML validation, bookkeeping).

    python benchmarks/bench_bot.py [--questions 50] [--burst 500] [--chats 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))  # the fake server's modules import each other flat

import contextlib

import telegram
from fake_telegram import FakeTelegram
from telegram.ext import Application, BaseRateLimiter

from bot.app import build_application
from bot.state.settings import Settings
from facts.store.db import make_engine
from facts.store.service import FactService

SEEDS_DIR = ROOT / "seeds"
SEED_REPORTS = 5  # the five Jiangjin reports in seeds/: any other count means the wrong folder
# Answers, paging, an abstention with suggestions, a two-point series (no chart), other scripts.
QUESTIONS = (
    "2022年江津班列开了多少列？",
    "2019年江津区GDP",
    "2015年江津区GDP是多少",
    "江津综保区2022年进出口额是多少？",
    "2020年江津协议引资",
    "2020年江津班列全年开行多少列",
    "江津班列开行量变化",
    "2022年江津班列開了多少列？",
    "How many Jiangjin trains ran in 2022?",
    "２０２３年上半年江津协议引资",
)
WARMUP = 5
FIRST_CHAT = 10_001


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class NoRateLimiter(BaseRateLimiter):
    """Sends every request at once: what is left is the cost of PTB, the engine and the fake."""

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(  # noqa: PLR0917  # the signature is BaseRateLimiter's
        self, callback, args, kwargs, endpoint, data, rate_limit_args
    ):
        return await callback(*args, **kwargs)


class TimedFake(FakeTelegram):
    """The fake server, noting when each sendMessage arrived and waking a waiter at a given count."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []
        self._target = 0
        self._reached = asyncio.Event()

    async def _send_message(self, p: dict) -> dict:
        result = await super()._send_message(p)
        self.arrivals.append(time.perf_counter())
        if len(self.arrivals) >= self._target:
            self._reached.set()
        return result

    async def replies(self, count: int, timeout: float) -> None:
        """Wait until ``count`` messages in all have been sent."""
        self._target = count
        self._reached.clear()
        if len(self.arrivals) < count:
            await asyncio.wait_for(self._reached.wait(), timeout)


def build_service(folder: Path) -> tuple[FactService, float]:
    url = f"sqlite:///{folder / 'facts.db'}"
    started = time.perf_counter()
    service = FactService(make_engine(url), Settings(database_url=url, factbot_seeds_dir=SEEDS_DIR))
    report = service.build()
    if report.documents != SEED_REPORTS or report.skipped:
        raise SystemExit(f"unexpected store from {SEEDS_DIR}: {report}")
    return service, time.perf_counter() - started


def make_app(fake: FakeTelegram, service: FactService, rate_limiter: BaseRateLimiter | None) -> Application:
    settings = Settings(
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.base_url,
        telegram_api_file_url=fake.base_file_url,
        database_url=service.settings.database_url,
    )
    return build_application(settings, service, rate_limiter=rate_limiter)


def summary_ms(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(statistics.quantiles(ms, n=20, method="inclusive")[18], 2),
        "min_ms": round(ms[0], 2),
        "max_ms": round(ms[-1], 2),
    }


async def round_trips(fake: TimedFake, count: int, pause: float) -> dict:
    """One question at a time, ``pause`` seconds apart; the first WARMUP are not counted."""
    seconds = []
    for i in range(WARMUP + count):
        await asyncio.sleep(pause)
        queued = time.perf_counter()
        fake.user_message(QUESTIONS[i % len(QUESTIONS)], chat_id=FIRST_CHAT - 1)
        await fake.replies(len(fake.arrivals) + 1, timeout=30)
        if i >= WARMUP:
            seconds.append(fake.arrivals[-1] - queued)
    return summary_ms(seconds)


async def burst(fake: TimedFake, updates: int, chats: int) -> dict:
    before = len(fake.arrivals)
    queued = time.perf_counter()
    for i in range(updates):
        chat = FIRST_CHAT + i % chats
        fake.user_message(QUESTIONS[i % len(QUESTIONS)], chat_id=chat, user_id=chat)
    await fake.replies(before + updates, timeout=600)
    seconds = fake.arrivals[-1] - queued
    return {
        "updates": updates,
        "chats": chats,
        "seconds": round(seconds, 3),
        "updates_per_second": round(updates / seconds, 1),
    }


async def run(service: FactService, limiter_name: str, args: argparse.Namespace) -> dict:
    limiter = None if limiter_name == "production" else NoRateLimiter()
    fake = TimedFake()
    async with fake:
        app = make_app(fake, service, limiter)
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=0.5)
            try:
                log(f"{limiter_name} limiter: {args.questions} round trips")
                trips = await round_trips(fake, args.questions, args.pause)
                log(f"{limiter_name} limiter: {args.burst} questions from {args.chats} chats at once")
                flood = await burst(fake, args.burst, args.chats)
            finally:
                await app.updater.stop()
                await app.stop()
    refused = [c for c in fake.calls if c.method == "sendMessage" and not c.ok]
    photos = sum(1 for c in fake.calls if c.method == "sendPhoto")
    if refused or photos:
        raise SystemExit(f"{limiter_name}: {len(refused)} sendMessage refused, {photos} charts sent")
    return {"round_trip": trips, "burst": flood}


def engine_cost(service: FactService, count: int) -> dict:
    """FactService.answer alone, for the same questions (what the handlers spend in the engine)."""
    seconds = []
    for i in range(WARMUP + count):
        started = time.perf_counter()
        service.answer(QUESTIONS[i % len(QUESTIONS)])
        if i >= WARMUP:
            seconds.append(time.perf_counter() - started)
    return summary_ms(seconds)


def machine() -> dict:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "python_telegram_bot": telegram.__version__,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50, help="round trips to time (one at a time)")
    parser.add_argument(
        "--pause",
        type=float,
        default=0.05,
        help="seconds between round trips (0.05: under the 30 messages/s limit)",
    )
    parser.add_argument("--burst", type=int, default=500, help="questions queued at once")
    parser.add_argument("--chats", type=int, default=50, help="private chats the burst comes from")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="factbot-bench-bot-") as folder:
        log(f"building a store from {SEEDS_DIR}")
        service, build_seconds = build_service(Path(folder))
        result = {
            "command": shlex.join([sys.executable, *sys.argv]),
            "machine": machine(),
            "store": {
                "documents": len(service.documents()),
                "facts": len(service.facts()),
                "build_seconds": round(build_seconds, 3),
            },
            "engine_answer": engine_cost(service, args.questions),
            "production_limiter": asyncio.run(run(service, "production", args)),
            "no_op_limiter": asyncio.run(run(service, "no-op", args)),
            "notes": [
                f"round_trip: queuing the update -> the fake receiving sendMessage, one every {args.pause} s",
                "burst: all updates queued at once -> the last reply received",
                "production limiter = RetryingRateLimiter (AIORateLimiter: 30 messages/s overall)",
                "fake server, PTB and engine share one process and event loop",
            ],
        }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
