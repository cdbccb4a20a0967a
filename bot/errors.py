"""One error handler for everything the handlers did not expect, and retries for Telegram's hiccups."""
import asyncio
import html
import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)
SORRY = "抱歉，处理您的消息时出了点问题，请稍后再试。"


class RetryingRateLimiter(AIORateLimiter):
    """Telegram's limits (30 messages/s, 20/min per group) with waits on 429, plus retries with
    backoff on 5xx and connection errors. A timed-out request is not sent again (it may have
    arrived), and a bad request never is."""

    def __init__(self, *, network_retries: int = 3, backoff: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        for attempt in range(self.network_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (BadRequest, TimedOut):
                raise
            except NetworkError as err:
                if attempt == self.network_retries:
                    raise
                log.warning("Telegram %s failed (%s); retry %d", endpoint, err, attempt + 1)
                await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")


async def on_error(update: object, context) -> None:
    """Log the failure with the update, and tell the user politely."""
    log.error("update %s caused an error", html.escape(str(update))[:2000], exc_info=context.error)
    if isinstance(context.error, Forbidden):  # blocked or kicked: an apology would be refused as well
        return
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, SORRY)
        except Exception:  # the chat may be gone; the log above has the story
            log.exception("could not tell chat %s about the error", update.effective_chat.id)
