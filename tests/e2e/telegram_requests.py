"""How Bot API requests arrive and what their parameters mean.

Clients may send the query string, a JSON body (values native or JSON-encoded strings),
application/x-www-form-urlencoded (every value a string; PTB's way without files) or
multipart/form-data (PTB's way with files). ``read_params`` turns all of them into one dict of
typed values, by parameter name: ints, bools, parsed JSON (reply_markup, results, …) and
``Upload`` for file parts.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from telegram_rules import bad_request

_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "user_id",
        "cache_time",
        "message_thread_id",
        "max_connections",
        "reply_to_message_id",
        "direct_messages_topic_id",
    }
)
_NUMBER_PARAMS = frozenset({"timeout"})  # PTB sends fractional timeouts as they are
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "is_personal",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "results",
        "commands",
        "scope",
        "allowed_updates",
        "button",
        "suggested_post_parameters",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {self.content_type!r}, {self.size} bytes)"


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus body (JSON, form or multipart), decoded by parameter name."""
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            raw.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    raw[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[key] = value
    return {key: decode(key, value) for key, value in raw.items()}


def decode(key: str, value: Any) -> Any:
    """Form values are all strings, JSON values may be native or JSON-encoded strings."""
    if isinstance(value, Upload):
        return value
    if (convert := _scalar(key)) is not None:
        try:
            return convert(value)
        except (TypeError, ValueError):
            raise bad_request(f'wrong parameter "{key}" specified') from None
    if key in _JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if key == "reply_markup" else key
            raise bad_request(f"can't parse {what} JSON object") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _scalar(key: str) -> Callable[[Any], Any] | None:
    """How a scalar parameter is read (None: the parameter is not one)."""
    if key == "chat_id":
        return as_chat_id
    if key in _INT_PARAMS:
        return int
    if key in _NUMBER_PARAMS:
        return _number
    if key in _BOOL_PARAMS:
        return _boolean
    return None


def _number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _boolean(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("true", "1")


def as_chat_id(value: Any) -> int | str:
    if isinstance(value, int):
        return value
    value = str(value).strip()
    return int(value) if re.fullmatch(r"-?\d+", value) else value
