"""What the bot keeps between updates (a typed `bot_data`): the fact service and short-lived memory."""

import asyncio
import os
import secrets
import socket
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telegram.ext import CallbackContext, ExtBot

from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.state.settings import Settings
from facts.answering.answer import Answer
from facts.store.service import FactService


class Recent(OrderedDict):
    """A bounded mapping: the oldest entries go first."""

    def __init__(self, size: int = 2000):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


@dataclass
class BotData:
    # service, settings and outbox (replies queued per chat, sent outside the handlers) are set by
    # build_application: PTB creates BotData() itself, before they exist
    _service: FactService | None = None
    _settings: Settings | None = None
    _outbox: Outbox | None = None
    uploads: Recent = field(default_factory=lambda: Recent(10))  # key -> (file name, bytes): awaiting 覆盖?
    reloading: asyncio.Lock = field(default_factory=asyncio.Lock)  # one rebuild at a time
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # tests move time, not sleep
    migrated: dict[int, int] = field(default_factory=dict)  # old group id -> supergroup id
    digests: Recent = field(
        default_factory=lambda: Recent(64)
    )  # rendered digests by (version, topics, since)
    rendering: asyncio.Lock = field(default_factory=asyncio.Lock)  # one digest built at a time
    sending: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(16))  # digests in flight
    replica: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
    )
    scheduled: dict[str, tuple] = field(
        default_factory=dict
    )  # job name -> (signature of its subscription or None, epoch)
    taking_over: set = field(
        default_factory=set
    )  # (chat, topic, slot) of orphaned digests being finished here
    due: set = field(default_factory=set)  # names of digest jobs running now (the scheduler has none then)
    epoch: int = 0  # counts schedule changes made here, so a sync knows which of them its database read saw
    answers: Recent = field(default_factory=Recent)  # short key -> (store version, Answer), for 更多 paging
    charts: Recent = field(default_factory=Recent)  # (chat id, question message id) -> chart message id
    replies: Recent = field(default_factory=Recent)  # (chat id, question message id) -> answer message id
    metrics: Metrics = field(
        default_factory=Metrics
    )  # build_application puts the one its requests count into

    chat_locks: Recent = field(default_factory=lambda: Recent(4096))  # (chat, topic) -> asyncio.Lock

    @property
    def service(self) -> FactService:
        if self._service is None:
            raise RuntimeError("bot_data.service is read before build_application set it")
        return self._service

    @service.setter
    def service(self, service: FactService) -> None:
        self._service = service

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("bot_data.settings is read before build_application set it")
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            raise RuntimeError("bot_data.outbox is read before build_application set it")
        return self._outbox

    @outbox.setter
    def outbox(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def chat_lock(self, key: tuple[int, int]) -> asyncio.Lock:
        """One at a time per chat, for what must see the previous one's outcome (/digest's mark)."""
        lock = self.chat_locks.get(key)
        if lock is None:
            lock = self.chat_locks[key] = asyncio.Lock()
        return lock

    def remember_upload(self, name: str, data: bytes) -> str:
        key = secrets.token_urlsafe(6)
        self.uploads[key] = (name, data)
        return key

    def remember(self, answer: Answer, version: int) -> str:
        """A key for paging `answer`, made from store `version` (paging after a reload must not show
        the facts it replaced)."""
        key = secrets.token_urlsafe(6)
        self.answers[key] = (version, answer)
        return key


Context = CallbackContext[ExtBot, dict, dict, BotData]
