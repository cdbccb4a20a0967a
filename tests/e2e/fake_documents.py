"""Documents a user sends to the bot, for ``FakeTelegram``.

The fake stores the files the bot uploads (``sendPhoto``) and serves them through ``getFile`` and
``/file/bot<token>/<path>``, where the path's last part up to the first dot is the file id. A user's
document goes into the same table, so the bot downloads it exactly as it would from Telegram:

    update = user_document(fake, "2024年…".encode(), "report.txt", chat_id=42, user_id=42)
"""

from fake_telegram import FakeTelegram
from telegram_requests import Upload


def user_document(
    fake: FakeTelegram,
    data: bytes,
    file_name: str,
    *,
    chat_id: int,
    user_id: int,
    mime_type: str = "text/plain",
    declare_size: bool = True,
    first_name: str = "Ana",
    username: str | None = None,
) -> dict:
    """Queue a private message carrying ``data`` as a document; returns the update.

    ``declare_size=False`` leaves out ``file_size`` (optional in the Bot API), so a bot cannot refuse
    a large file before downloading it."""
    file_id = f"BQACAgIAAxkBAAIBd{next(fake._file_ids):06d}"  # no dot: the file route cuts there
    fake._files[file_id] = Upload(file_name, mime_type, data)
    user = fake._user(user_id, first_name=first_name, username=username)
    chat = fake._chats.get(chat_id) or fake.add_chat(chat_id, first_name=first_name, username=username)
    message = fake._new_message(chat, user, None)
    message["document"] = {
        "file_id": file_id,
        "file_unique_id": "AgAD" + file_id[-6:],
        "file_name": file_name,
        "mime_type": mime_type,
    }
    if declare_size:
        message["document"]["file_size"] = len(data)
    fake._all_messages[(chat_id, message["message_id"])] = message
    return fake._queue("message", message)
