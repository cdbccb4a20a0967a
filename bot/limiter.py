"""Telegram's flood limits on our side: messages paced evenly (never a burst), a group's kept under 20
a minute, every message held while Telegram asks us to wait (429), and retries for what can be retried.

PTB's AIORateLimiter uses buckets that start full: 30 messages at once and then 30/s (up to ~59 in one
second), and messages it admitted while a 429 wait was on all leave together when the wait ends — the
burst that earns the next 429. Here a message is admitted only when its time has come: one every
1/29.9 s overall, none during a 429 wait, and at most 20 to a group in any 60.5 s."""

import asyncio
import logging
from collections import deque
from datetime import timedelta

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)


GROUPS_KEPT = 1024  # groups' 60 s windows kept before the idle ones are forgotten (memory stays bounded)


def never_sent(err: TimedOut) -> bool:
    """The request waited for a pooled connection or for connecting, and never reached Telegram."""
    return isinstance(err.__cause__, httpx.PoolTimeout | httpx.ConnectTimeout)


def wait_of(err: RetryAfter) -> float:
    retry_after = getattr(err, "_retry_after", None)  # PTB 22 warns when .retry_after is read as an int
    if retry_after is None:
        retry_after = err.retry_after
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


class RetryingRateLimiter(BaseRateLimiter):
    """Requests that name a chat are paced; others (getUpdates, answerCallbackQuery…) go straight on.

    Retries: a 429 waits `retry_after` (holding every message) and tries again, up to `max_retries`
    times; 5xx and connection errors are retried with backoff; a request that timed out after it left
    is not sent again (it may have arrived), one that never left is; a bad request never is."""

    def __init__(
        self,
        *,
        per_second: float = 29.9,
        group_per_minute: int = 20,
        group_window: float = 60.5,
        max_retries: int = 3,
        network_retries: int = 3,
        backoff: float = 0.5,
    ):
        self.interval = 1 / per_second
        self.group_per_minute, self.group_window = group_per_minute, group_window
        self.max_retries, self.network_retries, self.backoff = max_retries, network_retries, backoff
        self._next = 0.0  # loop time at which the next message may go
        self._paused_until = 0.0  # a 429's wait
        self._turn = asyncio.Lock()  # FIFO: messages go in the order they asked
        self._groups: dict[int | str, tuple[asyncio.Lock, deque[float]]] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(  # noqa: PLR0917  # the signature is BaseRateLimiter's
        self, callback, args, kwargs, endpoint, data, rate_limit_args
    ):
        chat_id = data.get("chat_id")
        group = chat_id if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0) else None
        max_retries = rate_limit_args or self.max_retries
        floods = failures = 0
        while True:
            await self._wait(chat_id, group)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as err:
                if floods == max_retries:
                    raise
                floods += 1
                wait = wait_of(err) + 0.1
                log.info("Telegram asks to wait %.1f s (%s); every message waits", wait, endpoint)
                self._paused_until = max(self._paused_until, asyncio.get_running_loop().time() + wait)
            except BadRequest:
                raise
            except TimedOut as err:
                if not never_sent(err) or failures == self.network_retries:
                    raise
                failures += 1
                log.warning("Telegram %s not sent (%s); retry %d", endpoint, err, failures)
            except NetworkError as err:
                if failures == self.network_retries:
                    raise
                failures += 1
                log.warning("Telegram %s failed (%s); retry %d", endpoint, err, failures)
                await asyncio.sleep(self.backoff * 2 ** (failures - 1))

    async def _wait(self, chat_id: object, group: int | str | None) -> None:
        """A message waits for its turn; any other request only for a 429's wait."""
        if chat_id is not None:
            await self._admit(group)
        elif self._paused_until > (now := asyncio.get_running_loop().time()):
            await asyncio.sleep(self._paused_until - now)

    async def _admit(self, group: int | str | None) -> None:
        """Wait for this message's turn: the group's window first, then the overall pace."""
        loop = asyncio.get_running_loop()
        if group is None:
            await self._paced(loop)
            return
        lock, times = self._groups.setdefault(group, (asyncio.Lock(), deque()))
        async with lock:
            while True:
                now = loop.time()
                while times and times[0] <= now - self.group_window:
                    times.popleft()
                if len(times) < self.group_per_minute:
                    break
                await asyncio.sleep(times[0] + self.group_window - now)
            await self._paced(loop)
            times.append(loop.time())  # when it went, not when it asked
        self._forget_idle_groups(loop.time())

    async def _paced(self, loop: asyncio.AbstractEventLoop) -> None:
        async with self._turn:
            while (start := max(self._next, self._paused_until)) > (now := loop.time()):
                await asyncio.sleep(start - now)
            # a wake-up a little late keeps the grid (the average stays 29.9/s); later than one interval
            # starts a new grid: lateness is never made up in a burst
            self._next = (self._next if now - self._next < self.interval else now) + self.interval

    def _forget_idle_groups(self, now: float) -> None:
        if len(self._groups) > GROUPS_KEPT:
            for group, (lock, times) in list(self._groups.items()):
                if not lock.locked() and (not times or times[-1] <= now - self.group_window):
                    del self._groups[group]
