"""One error handler for everything the handlers did not expect."""

import html
import logging

from telegram import Update
from telegram.error import Forbidden

from facts.store.db import StoreUnavailable

log = logging.getLogger(__name__)
SORRY = "抱歉，处理您的消息时出了点问题，请稍后再试。"
NOT_SAVED = "抱歉，数据库现在无法保存（已通知管理员），请稍后再试。"


async def on_error(update: object, context) -> None:
    """Log the failure with the update, and tell the user politely."""
    log.error("update %s caused an error", html.escape(str(update))[:2000], exc_info=context.error)
    if isinstance(context.error, Forbidden):  # blocked or kicked: an apology would be refused as well
        return
    if isinstance(update, Update) and update.effective_chat is not None:
        message = update.effective_message
        topic = message.message_thread_id if message is not None and message.is_topic_message else None
        sorry = NOT_SAVED if isinstance(context.error, StoreUnavailable) else SORRY
        try:  # in a forum, the topic the message came from (not General)
            await context.bot.send_message(update.effective_chat.id, sorry, message_thread_id=topic)
        except Exception:  # the chat may be gone; the log above has the story
            log.exception("could not tell chat %s about the error", update.effective_chat.id)
