"""What the Bot API refuses, with the error descriptions Telegram sends.

Every check raises ``ApiError``; the fake server turns it into Telegram's error body
``{"ok": false, "error_code": 400, "description": "Bad Request: …"}``.
"""

import re
from typing import Any

from telegram_html import EntityParseError, FormattedText, parse_html, trim, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_COMMANDS = 100

BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
SCOPE_TYPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


class ApiError(Exception):
    """A refused request: HTTP status, Telegram's description, optional ResponseParameters."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def formatted(text: Any, parse_mode: str | None, entities: Any, *, strict_ampersand: bool) -> FormattedText:
    """Visible text and entities after parse_mode (only HTML is really parsed) and trimming."""
    text = "" if text is None else str(text)
    if entities is not None:
        if not isinstance(entities, list) or not all(
            isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in entities
        ):
            raise bad_request("can't parse entities JSON object")
        return trim(FormattedText(text, entities))
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            return trim(parse_html(text, strict_ampersand=strict_ampersand))
        except EntityParseError as err:
            raise bad_request(f"can't parse entities: {err}") from None
    if mode in ("", "markdown", "markdownv2"):  # Markdown is passed through unchecked
        return trim(FormattedText(text))
    raise bad_request("unsupported parse_mode")


def message_text(
    text: Any, parse_mode: str | None, entities: Any, *, strict_ampersand: bool
) -> FormattedText:
    result = formatted(text, parse_mode, entities, strict_ampersand=strict_ampersand)
    if not result.text:
        raise bad_request("message text is empty")
    if utf16_len(result.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return result


def caption(text: Any, parse_mode: str | None, entities: Any, *, strict_ampersand: bool) -> FormattedText:
    result = formatted(text, parse_mode, entities, strict_ampersand=strict_ampersand)
    if utf16_len(result.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return result


def reply_markup(markup: Any) -> dict | None:
    """Check any reply markup; return it if it is an inline keyboard Telegram echoes back."""
    if markup is None:
        return None
    if not isinstance(markup, dict) or not (
        {"inline_keyboard", "keyboard", "remove_keyboard", "force_reply"} & markup.keys()
    ):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    buttons = [button for row in rows for button in row]
    if len(buttons) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for button in buttons:
        _check_button(button)
    return markup if buttons else None


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    actions = [key for key in BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")


def callback_answer_text(text: Any) -> None:
    if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")


def inline_results(results: Any, *, strict_ampersand: bool) -> None:
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _inline_result(result, seen, strict_ampersand)


def _inline_result(result: Any, seen: set[str], strict_ampersand: bool) -> None:
    """One result of an answerInlineQuery; ``seen`` collects the ids of those before it."""
    if not isinstance(result, dict) or "type" not in result:
        raise bad_request("can't parse inline query result: Can't find field \"type\"")
    if "id" not in result:
        raise bad_request("can't parse inline query result: Can't find field \"id\"")
    result_id = str(result["id"])
    if not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result["type"] == "article":
        for required in ("title", "input_message_content"):
            if required not in result:
                raise bad_request(f"can't parse inline query result: Can't find field \"{required}\"")
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        _inline_message_text(content, strict_ampersand)
    reply_markup(result.get("reply_markup"))


def _inline_message_text(content: dict, strict_ampersand: bool) -> None:
    text = formatted(
        content["message_text"],
        content.get("parse_mode"),
        content.get("entities"),
        strict_ampersand=strict_ampersand,
    )
    if not text.text:
        raise bad_request("MESSAGE_EMPTY")
    if utf16_len(text.text) > MAX_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")


def bot_commands(commands: Any) -> list[dict]:
    """The commands as Telegram stores them (command and description only)."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    stored = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        stored.append({"command": name, "description": description})
    return stored


def command_scope(scope: Any) -> dict:
    scope = scope if scope is not None else {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    for required in SCOPE_TYPES[scope["type"]]:
        if required not in scope:
            raise bad_request(f"can't parse BotCommandScope JSON object: Can't find field \"{required}\"")
    return scope
