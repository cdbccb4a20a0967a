"""The HTTP side of `factbot run` (aiohttp): Telegram's webhook posts, /healthz and /metrics.

POST <path of WEBHOOK_URL>   an update from Telegram; refused (403) without the webhook secret
GET  /healthz                {"database": bool, "facts": int, "telegram": bool[, "problem": str]}; 200 or 503
GET  /metrics                Prometheus text
"""

import asyncio
import contextlib
import hmac
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from facts.store.db import store_problem
from facts.store.service import FactService

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _in_daemon_thread(function: Callable[[], object]) -> asyncio.Future:
    """Run `function` in a thread that never holds up the process's exit (a stuck database
    connection would keep a ThreadPoolExecutor worker, and so the process, alive)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result, error) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        try:
            result, error = function(), None
        except Exception as err:
            result, error = None, err
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="healthz-database", daemon=True).start()
    return future


@dataclass
class Health:
    """The checks behind /healthz, each bounded in time so a dead dependency cannot hang a probe."""

    application: Application
    database_timeout: float = 2.5
    telegram_timeout: float = 5.0
    telegram_ttl: float = 30.0  # a good getMe is trusted this long: probes must not hammer the Bot API
    telegram_retry: float = 5.0  # a failed one is tried again this soon

    def __post_init__(self) -> None:
        self._ping: asyncio.Future | None = None
        self.problem: str | None = None  # what is wrong with the store's file, said in /healthz
        self._telegram_lock = asyncio.Lock()
        self._telegram_ok = False
        self._telegram_until = -math.inf

    @property
    def service(self) -> FactService:
        return self.application.bot_data.service

    async def database(self) -> bool:
        """A query on the store answers within the timeout (one query in flight at a time), and a SQLite
        store's file is still the one opened, and writable."""
        self.problem = await asyncio.to_thread(store_problem, self.service.engine)  # logged when it changes
        if self.problem:
            return False
        if self._ping is None or self._ping.done():
            self._ping = _in_daemon_thread(self.service.store_info)
            self._ping.add_done_callback(lambda f: f.cancelled() or f.exception())  # marks errors as seen
        try:
            await asyncio.wait_for(asyncio.shield(self._ping), self.database_timeout)
        except TimeoutError:
            log.warning("health: the database did not answer within %.1f s", self.database_timeout)
            return False
        except Exception as err:
            log.warning(
                "health: the database query failed: %s", str(err).splitlines()[0] if str(err) else err
            )
            return False
        return True

    async def telegram(self) -> bool:
        """getMe succeeded within the last telegram_ttl seconds (asked again when it is older)."""
        async with self._telegram_lock:
            if time.monotonic() < self._telegram_until:
                return self._telegram_ok
            try:
                await asyncio.wait_for(self.application.bot.get_me(), self.telegram_timeout)
                ok = True
            except Exception as err:
                log.warning("health: getMe failed: %s", err)
                ok = False
            self._telegram_ok = ok
            self._telegram_until = time.monotonic() + (self.telegram_ttl if ok else self.telegram_retry)
            return ok

    async def report(self) -> dict:
        database, telegram = await asyncio.gather(self.database(), self.telegram())
        report = {"database": database, "facts": self.service.loaded_facts, "telegram": telegram}
        return report | ({"problem": self.problem} if self.problem else {})


class RefusalLog:
    """Posts without the right secret: every one counted, at most one log line per `interval` (a flood
    of 500 must not write 500 lines); the line says how many were refused since the last one."""

    def __init__(self, metrics, interval: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.metrics, self.interval, self.clock = metrics, interval, clock
        self.unlogged = 0
        self.next_line = -math.inf

    def refused(self, remote: str | None) -> None:
        self.metrics.webhook_refused.inc()
        self.unlogged += 1
        now = self.clock()
        if now < self.next_line:
            return
        log.warning(
            "webhook: refused %d request(s) without the right secret (the latest from %s); "
            "at most one such line every %.0f s",
            self.unlogged,
            remote,
            self.interval,
        )
        self.unlogged, self.next_line = 0, now + self.interval


def webhook_handler(application: Application, secret: str, refusals: RefusalLog):
    """Telegram's posts: the secret header must match; the update goes to the application's queue."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            refusals.refused(request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except Exception as err:  # whatever a crafted body makes the parsers raise (RecursionError for
            # deep nesting, OverflowError/OSError for a date out of range): a bad request, not a crash
            log.warning("webhook: not an update (%s: %s)", type(err).__name__, str(err)[:200])
            update = None
        if update is None:
            application.bot_data.metrics.webhook_invalid.inc()
            return web.Response(status=400, text="not a Telegram update")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    return receive


def make_web_app(
    application: Application,
    *,
    health: Health | None = None,
    webhook: tuple[str, str] | None = None,
    refusals: RefusalLog | None = None,
) -> web.Application:
    """Routes for one port: the webhook (path, secret), and /healthz and /metrics when `health` is given."""
    app = web.Application()
    if webhook is not None:
        path, secret = webhook
        refusals = refusals or RefusalLog(application.bot_data.metrics)
        app.router.add_post(path, webhook_handler(application, secret, refusals))
    if health is not None:

        async def healthz(_request: web.Request) -> web.Response:
            report = await health.report()
            healthy = report["database"] and report["facts"] > 0 and report["telegram"]
            return web.Response(
                text=json.dumps(report), status=200 if healthy else 503, content_type="application/json"
            )

        async def metrics(_request: web.Request) -> web.Response:
            body, content_type = application.bot_data.metrics.render()
            return web.Response(body=body, headers={"Content-Type": content_type})

        app.router.add_get("/healthz", healthz)
        app.router.add_get("/metrics", metrics)
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Listen on host:port; `await runner.cleanup()` stops it."""
    runner = web.AppRunner(
        app, access_log=None, shutdown_timeout=5.0
    )  # probes every few seconds: no access log
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
