"""A fake Telegram Bot API server that python-telegram-bot talks real HTTP to.

    server = FakeTelegram()
    await server.start()                       # 127.0.0.1, random port
    app = (Application.builder().token(server.token)
           .base_url(server.base_url).base_file_url(server.base_file_url).build())
    server.user_message("/start")              # queued for getUpdates
    [call] = await server.wait_for("sendMessage")
    server.messages_to(1001)[-1]["text"]       # visible text, as Telegram stores it
    await server.stop()

It serves the methods in ``FakeTelegram.METHODS`` with Telegram's result shapes (dates in
seconds, Message/ChatMember/ChatFullInfo dicts PTB can parse) and refuses what Telegram
refuses (``telegram_rules``: HTML, lengths, buttons, inline results) with Telegram's error
bodies. Requests may be form-encoded, JSON or multipart, by GET or POST, with method names in
any case. It never pushes updates to a webhook: setWebhook is only stored.
"""

import asyncio
import collections
import contextlib
import dataclasses
import itertools
import json
import logging
import math
import re
import select
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Self

from aiohttp import web
from telegram_html import FormattedText, command_entities
from telegram_requests import Upload, as_chat_id, read_params
from telegram_rules import (
    CHAT_ACTIONS,
    ApiError,
    bad_request,
    bot_commands,
    callback_answer_text,
    caption,
    command_scope,
    inline_results,
    message_text,
    reply_markup,
)

_LOGGER = logging.getLogger(__name__)
_MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
_DEFAULT_UPDATE_TYPES_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class Call:
    """One request the bot made, with its decoded parameters and the response it got."""

    method: str  # canonical spelling, e.g. "sendMessage", whatever case the client used
    params: dict[str, Any]
    response: dict[str, Any]
    status: int
    abandoned: bool = False  # the client hung up before the answer (e.g. PTB cancelled a poll)
    at: float = dataclasses.field(default_factory=time.monotonic)  # when it was answered

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")


class FakeTelegram:
    """One fake bot account and its chats. Public state, for assertions:

    ``calls`` every request (also refused ones), ``sent`` every message the bot sent as first
    sent, ``messages`` the bot's messages now (after edits, without deleted ones), ``commands``
    per (scope JSON, language_code), ``webhook``, ``member_status``, ``pending_updates``.
    """

    SENDING = frozenset({"sendMessage", "sendPhoto"})  # what Telegram's flood limits count here
    FLOOD_BURST = 5  # messages that may arrive together (Telegram does not publish its algorithm)
    METHODS = (
        "getMe",
        "getUpdates",
        "deleteWebhook",
        "setWebhook",
        "getWebhookInfo",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendPhoto",
        "sendChatAction",
        "deleteMessage",
        "answerCallbackQuery",
        "answerInlineQuery",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "getChatMember",
        "getChat",
        "getFile",
        "close",
        "logOut",
    )

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "factbot_test_bot",
        bot_id: int = 123456,
        *,
        strict_ampersand: bool = True,
        flood_limits: bool = False,
    ):
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.strict_ampersand = strict_ampersand
        self.port: int | None = None
        self.calls: list[Call] = []
        self.sent: list[dict] = []
        self.messages: dict[tuple[int, int], dict] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.commands: dict[tuple[str, str], list[dict]] = {}  # (scope JSON, language_code)
        self.member_status: dict[tuple[int, int], str] = {}
        self._handlers: dict[str, tuple[str, Callable]] = {
            name.lower(): (name, getattr(self, "_" + re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()))
            for name in self.METHODS
        }
        self._faults: dict[str, list[ApiError]] = {}
        self._chats: dict[int, dict] = {}
        self._users: dict[int, dict] = {}
        self._all_messages: dict[tuple[int, int], dict] = {}  # users' and the bot's
        self._message_ids: dict[int, itertools.count] = {}
        self._files: dict[str, Upload] = {}
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._open_callback_queries: set[str] = set()
        self._open_inline_queries: set[str] = set()
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self.polls_waiting = 0  # getUpdates calls holding (long polling) right now
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.flood_limits = flood_limits  # enforce 30 messages/s overall and 20/min per group (429 beyond)
        self.flood_refused = 0
        self._sent_times: dict[Any, collections.deque] = {}  # per group: when its last messages came
        self._flood_level, self._flood_at = 0.0, 0.0
        self._open = asyncio.Event()  # cleared by hold(): requests wait before they are received
        self._open.set()
        self.answering = 0  # requests let in and not yet answered (long polls included)
        self.flood_group_window = 60.0  # seconds in which a group may get 20 messages (tests shorten it)

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer waiting getUpdates calls with [] and shut the server down."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._started_port()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._started_port()}/file/bot"

    def _started_port(self) -> int:
        if self.port is None:
            raise RuntimeError("FakeTelegram.start() has not been awaited")
        return self.port

    @property
    def bot_user(self) -> dict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "FactBot Test",
            "username": self.bot_username,
        }

    # ---- feeding updates -------------------------------------------------------------------

    def user_message(
        self,
        text: str,
        *,
        chat_id: int = 1001,
        user_id: int = 1001,
        chat_type: str = "private",
        first_name: str = "Ana",
        username: str | None = "ana",
        language_code: str | None = "zh-hans",
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        entities: list[dict] | None = None,
    ) -> dict:
        """Queue a text message from a user; commands get bot_command entities like Telegram's."""
        user = self._user(user_id, first_name=first_name, username=username, language_code=language_code)
        chat = self._chats.get(chat_id) or self.add_chat(
            chat_id,
            chat_type=chat_type,
            first_name=first_name,
            username=username if chat_type == "private" else None,
            is_forum=message_thread_id is not None and chat_type == "supergroup",
        )
        message = self._new_message(chat, user, message_thread_id)
        if reply_to_message_id is not None:
            target = self._all_messages.get((chat_id, reply_to_message_id))
            if target is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {chat_id} to reply to")
            message["reply_to_message"] = _without_reply(target)
        message["text"] = text
        entities = command_entities(text) if entities is None else entities
        if entities:
            message["entities"] = entities
        self._all_messages[(chat_id, message["message_id"])] = message
        return self._queue("message", message)

    def edited_message(self, original: dict, new_text: str) -> dict:
        """Queue the user's edit of ``original`` (a message, or the update user_message returned)."""
        original = _message_of(original)
        key = (original["chat"]["id"], original["message_id"])
        current = self._all_messages.get(key, original)
        edited = {k: v for k, v in current.items() if k != "entities"}
        edited.update(text=new_text, edit_date=_now())
        if entities := command_entities(new_text):
            edited["entities"] = entities
        self._all_messages[key] = edited
        return self._queue("edited_message", edited)

    def callback_query(self, message: dict, data: str, *, user_id: int = 1001) -> dict:
        """Queue a button press on ``message`` (one the bot sent; its latest version is used)."""
        message = _message_of(message)
        key = (message["chat"]["id"], message["message_id"])
        query_id = str(next(self._query_ids))
        self._open_callback_queries.add(query_id)
        query = {
            "id": query_id,
            "from": self._user(user_id),
            "message": self.messages.get(key, message),
            "chat_instance": str(-abs(key[0]) * 7919 - 17),
            "data": data,
        }
        return self._queue("callback_query", query)

    def inline_query(self, query: str, *, user_id: int = 1001) -> dict:
        query_id = str(next(self._query_ids))
        self._open_inline_queries.add(query_id)
        query = {"id": query_id, "from": self._user(user_id), "query": query, "offset": ""}
        return self._queue("inline_query", query)

    def user_deletes(self, chat_id: int, message_id: int) -> None:
        """The user deletes a message from the chat (a bot's answer, in a private chat): no update
        tells the bot, and editing it then fails with "message to edit not found"."""
        self._all_messages.pop((chat_id, message_id), None)
        self.messages.pop((chat_id, message_id), None)

    def raw_update(self, update: dict) -> dict:
        """Queue any update; update_id is assigned unless given."""
        update = dict(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        else:
            update = {"update_id": self._take_update_id(), **update}
        self._updates.append(update)
        self._notify()
        return update

    def unqueue(self, update: dict) -> dict:
        """Take a queued update back and return it, to post it to a webhook as Telegram would:
        ``fake.unqueue(fake.user_message("/start"))``."""
        self._updates.remove(update)
        return update

    # ---- state helpers ---------------------------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: str = "private",
        title: str | None = None,
        first_name: str = "Ana",
        username: str | None = None,
        is_forum: bool = False,
    ) -> dict:
        """Make a chat known, so the bot may send to it (Telegram: "chat not found" otherwise)."""
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": title or f"Test {chat_type} {chat_id}"}
        if username:
            chat["username"] = username
        if is_forum:
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        return chat

    def set_chat_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"status must be one of {_MEMBER_STATUSES}, not {status!r}")
        self.member_status[(chat_id, user_id)] = status

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int = 1,
        description: str | None = None,
        parameters: dict | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail with ``status`` and Telegram's body."""
        parameters = dict(parameters or {})
        if status == 429:
            parameters.setdefault("retry_after", retry_after)
        description = description or _fault_description(status, parameters)
        self._faults.setdefault(method.lower(), []).extend(
            ApiError(status, description, parameters) for _ in range(times)
        )

    def messages_to(self, chat_id: int | str) -> list[dict]:
        """Current versions (after edits, without deleted ones) of the bot's messages to a chat."""
        return [message for (chat, _), message in self.messages.items() if chat == int(chat_id)]

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        return self.commands.get((_scope_key(scope or {"type": "default"}), language_code), [])

    @property
    def pending_updates(self) -> list[dict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        timeout: float = 30.0,
        count: int = 1,
    ) -> list[Call]:
        """All successful calls to ``method`` matching ``predicate``, once there are ``count``."""
        matches: list[Call] = []

        def enough() -> bool:
            matches[:] = [
                call
                for call in self.calls
                if call.ok and call.method.lower() == method.lower() and predicate(call)
            ]
            return len(matches) >= count

        if not await self._wait(enough, timeout):
            raise AssertionError(
                f"waited {timeout}s for {count} successful {method} call(s) matching the predicate, "
                f"got {len(matches)}; calls so far:\n{self.describe_calls()}"
            )
        return matches

    async def wait_until(
        self, condition: Callable[[], bool], timeout: float = 30.0, what: str = "the condition"
    ) -> None:
        """Return once ``condition()`` holds. It is checked whenever the fake's state changes (a request
        answered, an update queued or polled), so anything the bot does through the fake wakes it."""
        if not await self._wait(condition, timeout):
            raise AssertionError(f"waited {timeout}s for {what}; calls so far:\n{self.describe_calls()}")

    async def _wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            if condition():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def describe_calls(self) -> str:
        """One line per call, leaving out empty getUpdates polls."""
        lines = []
        for call in self.calls:
            if call.method == "getUpdates" and call.ok and not call.result:
                continue
            line = f"  {call.status} {call.method} {_shorten(call.params)}"
            if not call.ok:
                line += f" -> {call.response.get('description')}"
            if call.abandoned:
                line += " (client gone)"
            lines.append(line)
        return "\n".join(lines) or "  (none)"

    # ---- HTTP ------------------------------------------------------------------------------

    def hold(self) -> None:
        """Park every request that arrives from now on, unanswered and not yet received (for a test that
        kills a client while its requests are on their way)."""
        self._open.clear()

    def release(self) -> None:
        """Let parked requests in; those whose client has gone meanwhile never reached the server."""
        self._open.set()

    async def _handle_api(self, request: web.Request) -> web.Response:
        await self._open.wait()
        if _client_gone(request):
            return web.Response(status=499)  # the client died while parked: nothing was received
        self.answering += 1
        try:
            return await self._answer(request)
        finally:
            self.answering -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        canonical, handler = self._handlers.get(name.lower(), (name, None))
        params: dict[str, Any] = {}
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            params = await read_params(request)
            if faults := self._faults.get(canonical.lower()):
                raise faults.pop(0)
            if self.flood_limits and canonical in self.SENDING:
                self._check_flood(params)
            status, body = 200, {"ok": True, "result": await handler(params)}
        except ApiError as err:
            status, body = err.status, err.body()
        except Exception as exc:  # a bug in the fake: make it loud, not a plausible Telegram error
            _LOGGER.exception("FakeTelegram failed on %s %s", canonical, params)
            status, body = 500, ApiError(500, f"FakeTelegram bug: {exc!r}").body()
        abandoned = request.transport is None or request.transport.is_closing()
        self.calls.append(Call(canonical, params, body, status, abandoned))
        self._notify()
        return web.json_response(body, status=status, dumps=_dumps)

    def _check_flood(self, params: dict) -> None:
        """Telegram's limits: 30 messages a second overall — a bucket of FLOOD_BURST that refills 30 times a
        second, so the sustained rate is 30/s and arrivals bunched by network jitter are not punished — and
        at most 20 in any minute (flood_group_window) to a group. One more is refused with 429 (and not delivered)."""
        now = asyncio.get_running_loop().time()
        level = max(0.0, self._flood_level - (now - self._flood_at) * 30)
        chat = params.get("chat_id")
        group = self._sent_times.setdefault(chat, collections.deque()) if str(chat).startswith("-") else None
        while group and group[0] <= now - self.flood_group_window:
            group.popleft()
        if level + 1 > self.FLOOD_BURST or (group is not None and len(group) >= 20):
            self.flood_refused += 1
            wait = (
                (level + 1 - self.FLOOD_BURST) / 30
                if level + 1 > self.FLOOD_BURST
                else group[0] + self.flood_group_window - now
            )
            raise ApiError(
                429,
                f"Too Many Requests: retry after {math.ceil(wait)}",
                {"retry_after": max(1, math.ceil(wait))},
            )
        self._flood_level, self._flood_at = level + 1, now
        if group is not None:
            group.append(now)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        upload = self._files.get(path.rsplit("/", 1)[-1].split(".", 1)[0])
        if request.match_info["token"] != self.token or upload is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=upload.data, content_type=upload.content_type or "application/octet-stream")

    # ---- methods: updates and webhook ------------------------------------------------------

    async def _get_me(self, p: dict) -> dict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, p: dict) -> list[dict]:
        """Long polling: wait up to ``timeout`` seconds for updates at or after ``offset``."""
        if self.webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset, limit = p.get("offset", 0), min(max(p.get("limit", 100), 1), 100)
        if "allowed_updates" in p:
            self._allowed_updates = list(p["allowed_updates"] or [])
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self.polls_waiting += 1
        self._notify()  # an older poll still waiting is terminated, as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(p.get("timeout", 0), 0)
        try:
            while True:
                changed = self._changed
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                self._updates = [u for u in self._updates if self._is_allowed(u)]
                remaining = deadline - loop.time()
                if self._updates or self._closing or remaining <= 0:
                    return self._updates[:limit]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
        finally:
            self.polls_waiting -= 1

    async def _set_webhook(self, p: dict) -> bool:
        url = p.get("url", "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {"url": url, **{k: v for k, v in p.items() if k not in ("url", "certificate")}}
        return True

    async def _delete_webhook(self, p: dict) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {"url": ""}
        return True

    async def _get_webhook_info(self, p: dict) -> dict:
        info = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        for key in ("max_connections", "allowed_updates"):
            if key in self.webhook:
                info[key] = self.webhook[key]
        return info

    async def _close(self, p: dict) -> bool:
        return True

    async def _log_out(self, p: dict) -> bool:
        return True

    # ---- methods: messages -----------------------------------------------------------------

    async def _send_message(self, p: dict) -> dict:
        chat = self._chat(p)
        text = self._message_text(p)
        markup = reply_markup(p.get("reply_markup"))
        content: dict[str, Any] = {"text": text.text}
        if text.entities:
            content["entities"] = text.entities
        return self._store_sent(chat, p, content, markup)

    async def _send_photo(self, p: dict) -> dict:
        chat = self._chat(p)
        file_id, upload = self._photo_file(p.get("photo"))
        text = caption(
            p.get("caption"),
            p.get("parse_mode"),
            p.get("caption_entities"),
            strict_ampersand=self.strict_ampersand,
        )
        markup = reply_markup(p.get("reply_markup"))
        content: dict[str, Any] = {"photo": _photo_sizes(file_id, upload)}
        if text.text:
            content["caption"] = text.text
        if text.entities:
            content["caption_entities"] = text.entities
        return self._store_sent(chat, p, content, markup)

    async def _edit_message_text(self, p: dict) -> dict | bool:
        text = self._message_text(p)
        markup = reply_markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            return True  # messages sent via inline mode are not tracked
        current = self._editable(p)
        if "text" not in current:
            raise bad_request("there is no text in the message to edit")
        edited = {k: v for k, v in current.items() if k not in ("entities", "reply_markup")}
        edited["text"] = text.text
        if text.entities:
            edited["entities"] = text.entities
        return self._store_edit(current, edited, markup)

    async def _edit_message_reply_markup(self, p: dict) -> dict | bool:
        markup = reply_markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            return True
        current = self._editable(p)
        edited = {k: v for k, v in current.items() if k != "reply_markup"}
        return self._store_edit(current, edited, markup)

    async def _delete_message(self, p: dict) -> bool:
        key = self._message_key(p)
        if key not in self._all_messages:
            raise bad_request("message to delete not found")
        del self._all_messages[key]
        self.messages.pop(key, None)
        return True

    async def _send_chat_action(self, p: dict) -> bool:
        self._chat(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _get_file(self, p: dict) -> dict:
        file_id = p.get("file_id", "")
        if file_id not in self._files:
            raise bad_request("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": self._files[file_id].size,
            "file_path": f"photos/{file_id}.jpg",
        }

    # ---- methods: queries, commands, chats -------------------------------------------------

    async def _answer_callback_query(self, p: dict) -> bool:
        query_id = p.get("callback_query_id")
        if query_id not in self._open_callback_queries:
            raise bad_request(_QUERY_TOO_OLD)
        callback_answer_text(p.get("text"))
        self._open_callback_queries.discard(query_id)
        return True

    async def _answer_inline_query(self, p: dict) -> bool:
        query_id = p.get("inline_query_id")
        if query_id not in self._open_inline_queries:
            raise bad_request(_QUERY_TOO_OLD)
        inline_results(p.get("results"), strict_ampersand=self.strict_ampersand)
        if len(p.get("next_offset", "").encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        self._open_inline_queries.discard(query_id)
        return True

    async def _set_my_commands(self, p: dict) -> bool:
        if "commands" not in p:
            raise bad_request('parameter "commands" is required')
        commands = bot_commands(p["commands"])
        self.commands[self._commands_key(p)] = commands
        return True

    async def _get_my_commands(self, p: dict) -> list[dict]:
        return self.commands.get(self._commands_key(p), [])

    async def _delete_my_commands(self, p: dict) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    async def _get_chat_member(self, p: dict) -> dict:
        chat = self._chat(p)
        user_id = p.get("user_id")
        if user_id is None:
            raise bad_request("user not found")
        user = self.bot_user if user_id == self.bot_id else self._user(user_id)
        return _chat_member(self.member_status.get((chat["id"], user_id), "member"), user)

    async def _get_chat(self, p: dict) -> dict:
        gifts = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        return {
            **self._chat(p),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }

    # ---- internals -------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake everything waiting for a change (pollers and wait_for)."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _message_text(self, p: dict) -> FormattedText:
        return message_text(
            p.get("text"), p.get("parse_mode"), p.get("entities"), strict_ampersand=self.strict_ampersand
        )

    def _take_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id - 1

    def _queue(self, kind: str, payload: dict) -> dict:
        update = {"update_id": self._take_update_id(), kind: payload}
        self._updates.append(update)
        self._notify()
        return update

    def _is_allowed(self, update: dict) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _DEFAULT_UPDATE_TYPES_EXCLUDED

    def _user(self, user_id: int, **details: Any) -> dict:
        known = self._users.get(user_id)
        if known is None or details:
            first_name = details.get("first_name") or (known or {}).get("first_name") or "Ana"
            user = {"id": user_id, "is_bot": False, "first_name": first_name}
            for key in ("username", "language_code"):
                value = details[key] if key in details else (known or {}).get(key)
                if value:
                    user[key] = value
            self._users[user_id] = known = user
        return known

    def _chat(self, p: dict) -> dict:
        chat_id = p.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            chat = next((c for c in self._chats.values() if "@" + c.get("username", "") == chat_id), None)
        else:
            chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _message_key(self, p: dict) -> tuple[int, int]:
        chat = self._chat(p)
        if p.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        return chat["id"], p["message_id"]

    def _editable(self, p: dict) -> dict:
        key = self._message_key(p)
        if key in self.messages:
            return self.messages[key]
        if key in self._all_messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")

    def _new_message(self, chat: dict, sender: dict, thread_id: int | None) -> dict:
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message: dict[str, Any] = {"message_id": next(counter)}
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.get("is_forum"):
                message["is_topic_message"] = True
        message.update({"from": sender, "chat": chat, "date": _now()})
        return message

    def _reply_target(self, chat_id: int, p: dict) -> dict | None:
        reply = p.get("reply_parameters")
        if reply is None and p.get("reply_to_message_id") is not None:
            reply = {
                "message_id": p["reply_to_message_id"],
                "allow_sending_without_reply": p.get("allow_sending_without_reply"),
            }
        if not reply:
            return None
        target_chat = as_chat_id(reply.get("chat_id", chat_id))
        target = self._all_messages.get((target_chat, reply.get("message_id")))
        if target is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return None if target is None else _without_reply(target)

    def _store_sent(self, chat: dict, p: dict, content: dict, markup: dict | None) -> dict:
        reply_to = self._reply_target(chat["id"], p)
        message = self._new_message(chat, self.bot_user, p.get("message_thread_id"))
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if markup is not None:
            message["reply_markup"] = markup
        key = (chat["id"], message["message_id"])
        self._all_messages[key] = self.messages[key] = message
        self.sent.append(message)
        return message

    def _store_edit(self, current: dict, edited: dict, markup: dict | None) -> dict:
        if markup is not None:
            edited["reply_markup"] = markup
        if _content(edited) == _content(current):
            raise bad_request(_NOT_MODIFIED)
        edited["edit_date"] = _now()
        key = (current["chat"]["id"], current["message_id"])
        self._all_messages[key] = self.messages[key] = edited
        return edited

    def _photo_file(self, photo: Any) -> tuple[str, Upload]:
        if photo is None or photo == "":
            raise bad_request("there is no photo in the request")
        if isinstance(photo, Upload):
            if not photo.size:
                raise bad_request("file must be non-empty")
            file_id = f"AgACAgIAAxkBAAI{next(self._file_ids):06d}"
            self._files[file_id] = photo
            return file_id, photo
        if photo in self._files:
            return photo, self._files[photo]
        if re.match(r"https?://", photo):
            file_id = f"AgACAgIAAxkBAAI{next(self._file_ids):06d}"
            self._files[file_id] = Upload(photo.rsplit("/", 1)[-1], "image/jpeg", b"")
            return file_id, self._files[file_id]
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _commands_key(self, p: dict) -> tuple[str, str]:
        scope = command_scope(p.get("scope"))
        if "chat_id" in scope:
            self._chat({"chat_id": as_chat_id(scope["chat_id"])})
        return _scope_key(scope), p.get("language_code", "")


# ---- result shapes -------------------------------------------------------------------------


def _client_gone(request: web.Request) -> bool:
    """The client hung up (or died) before its request was let in. The socket itself is asked: a peer's
    FIN or RST is known to the kernel at once, before the event loop gets round to closing the transport."""
    transport = request.transport
    if transport is None or transport.is_closing():
        return True
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLRDHUP)  # POLLHUP and POLLERR are always reported
    return bool(poller.poll(0))


def _chat_member(status: str, user: dict) -> dict:
    """A ChatMember with every field PTB 22 requires for that status."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "restricted":
        member.update(
            is_member=True,
            until_date=0,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_send_messages=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_manage_topics=False,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_edit_tag=False,
            can_react_to_messages=False,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _photo_sizes(file_id: str, upload: Upload) -> list[dict]:
    width, height = _image_size(upload.data)
    scale = min(1.0, 90 / max(width, height))
    return [
        {
            "file_id": file_id + "-s",
            "file_unique_id": "AQAD" + file_id[-6:] + "s",
            "file_size": min(upload.size, 1500),
            "width": round(width * scale),
            "height": round(height * scale),
        },
        {
            "file_id": file_id,
            "file_unique_id": "AQAD" + file_id[-6:],
            "file_size": upload.size,
            "width": width,
            "height": height,
        },
    ]


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 800, 600


def _content(message: dict) -> tuple:
    return (
        message.get("text"),
        message.get("entities") or [],
        message.get("caption"),
        message.get("caption_entities") or [],
        message.get("reply_markup"),
    )


def _message_of(update_or_message: dict) -> dict:
    for kind in ("message", "edited_message"):
        if kind in update_or_message and "update_id" in update_or_message:
            return update_or_message[kind]
    return update_or_message


def _without_reply(message: dict) -> dict:
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def _scope_key(scope: dict) -> str:
    return json.dumps(scope, sort_keys=True)


def _fault_description(status: int, parameters: Mapping[str, Any]) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {parameters['retry_after']}"
    if status == 400:
        if "migrate_to_chat_id" in parameters:
            return "Bad Request: group chat was upgraded to a supergroup chat"
        return "Bad Request: injected by FakeTelegram.fail_next"
    return {
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
        500: "Internal Server Error",
        502: "Bad Gateway",
    }.get(status) or HTTPStatus(status).phrase


def _now() -> int:
    return int(time.time())


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _shorten(params: dict, limit: int = 160) -> str:
    text = repr(params)
    return text if len(text) <= limit else text[: limit - 1] + "…"
