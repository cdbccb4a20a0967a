"""Replies queued per chat and sent outside the handlers.

A handler computes its answer and queues the messages; it does not wait for them to leave, so a chat
whose messages must wait (its own pace, a group's 20 a minute, a 429) holds no update slot. Each chat
has one queue with at most one message on its way, and chats take turns in the rate limiter's
first-come queue: a chat with 20 messages waiting delays another chat's reply by one message, not 20.

One chat gets about `per_second` messages a second after a burst of `burst` (Telegram asks for about
one a second in a chat; bot/limiter.py keeps a group under 20 a minute and everything under 30 a
second). A chat with `backlog` messages waiting is told once to slow down, and what it asks meanwhile
is not answered: a flood is answered at its own pace while other chats are served at once."""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application

log = logging.getLogger(__name__)
SLOW_DOWN = "您发得太快了：前面的问题我会按顺序回答，之后的请稍等片刻再发。"
Send = Callable[[], Awaitable[Any]]
BUCKETS_KEPT = 10_000  # chats' pacing buckets kept before the full ones are forgotten (memory stays bounded)


class Outbox:
    def __init__(
        self, application: Application, *, per_second: float = 1.0, burst: int = 3, backlog: int = 20
    ):
        self.application = application
        self.per_second, self.burst, self.backlog = per_second, burst, backlog
        self._queues: dict[int | str, deque[tuple[Send, asyncio.Future, object]]] = {}
        self._buckets: dict[int | str, tuple[float, float]] = {}  # chat -> (tokens, loop time)
        self._warned: set[int | str] = set()

    def waiting(self, chat_id: int | str) -> int:
        """Messages queued for the chat, the one on its way included."""
        queue = self._queues.get(chat_id)
        return len(queue) if queue else 0

    def accepts(self, chat_id: int | str, slow_down: Send, update: object = None) -> bool:
        """False when the chat has `backlog` messages waiting; it is then told (once) to slow down."""
        if self.waiting(chat_id) < self.backlog:
            self._warned.discard(chat_id)
            return True
        if chat_id not in self._warned:
            self._warned.add(chat_id)
            log.info("chat %s has %d replies waiting: asked to slow down", chat_id, self.waiting(chat_id))
            self.send(chat_id, slow_down, update)
        return False

    def send(self, chat_id: int | str, send: Send, update: object = None) -> asyncio.Future:
        """Queue `send` (a call that sends one message) for the chat. The future gets its result, or None
        when it failed (the failure goes to the application's error handlers with `update`)."""
        future = asyncio.get_running_loop().create_future()
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = deque()
            self.application.create_task(self._drain(chat_id, queue), name=f"outbox:{chat_id}")
        queue.append((send, future, update))
        return future

    async def _drain(self, chat_id: int | str, queue: deque) -> None:
        try:
            while queue:
                send, future, update = queue[0]
                await self._turn(chat_id)
                result = None
                try:
                    result = await send()
                except Exception as err:
                    await self.application.process_error(update, err)
                finally:
                    queue.popleft()
                    if not future.done():
                        future.set_result(result)
        finally:
            del self._queues[chat_id]

    async def _turn(self, chat_id: int | str) -> None:
        """The chat's own pace: a token bucket of `burst` refilled at `per_second`."""
        loop = asyncio.get_running_loop()
        tokens, then = self._buckets.get(chat_id, (float(self.burst), loop.time()))
        tokens = min(float(self.burst), tokens + (loop.time() - then) * self.per_second)
        if tokens < 1:
            await asyncio.sleep((1 - tokens) / self.per_second)
            tokens = 1.0
        self._buckets[chat_id] = (tokens - 1, loop.time())
        if len(self._buckets) > BUCKETS_KEPT:  # chats whose bucket is full again are forgotten
            now = loop.time()
            for chat, (left, at) in list(self._buckets.items()):
                if left + (now - at) * self.per_second >= self.burst:
                    del self._buckets[chat]
