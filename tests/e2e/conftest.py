"""A fake Telegram server per test, and a real PTB ``Bot`` pointed at it.

pytest-asyncio runs in strict mode here (pyproject sets no ``asyncio_mode``), so async tests carry
``@pytest.mark.asyncio`` and async fixtures use ``pytest_asyncio.fixture``.
"""

from collections.abc import AsyncIterator

import pytest_asyncio
import telegram
from fake_telegram import FakeTelegram


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest_asyncio.fixture
async def telegram_bot(fake_telegram: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    """An initialized ``telegram.Bot`` (initialize() already called getMe on the fake)."""
    bot = telegram.Bot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
    )
    async with bot:
        yield bot
