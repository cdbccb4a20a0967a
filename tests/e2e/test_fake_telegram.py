"""The fake Telegram server itself: raw HTTP (form, JSON, multipart), limits, faults, long
polling, and a real python-telegram-bot ``Bot`` and ``Application`` talking to it."""

import asyncio
import datetime as dtm
import json
import struct
import time
import zlib

import aiohttp
import httpx
import pytest
import telegram
from fake_telegram import FakeTelegram, Upload
from telegram import error as tg_error
from telegram.ext import Application, CommandHandler

P = pytest.param
pytestmark = pytest.mark.asyncio
ANA = 1001
GROUP = -1001234567890
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def post(server: FakeTelegram, method: str, *, token: str | None = None, **httpx_kwargs) -> tuple:
    """POST to the fake with httpx (data=, json=, files=); return status and decoded body."""
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}{token or server.token}/{method}", **httpx_kwargs)
    return response.status_code, response.json()


async def form(server: FakeTelegram, method: str, **params) -> tuple[int, dict]:
    """POST form-encoded like PTB: strings as they are, anything else JSON-encoded."""
    data = {key: value if isinstance(value, str) else json.dumps(value) for key, value in params.items()}
    return await post(server, method, data=data)


def error(description: str, status: int = 400) -> tuple[int, dict]:
    return status, {"ok": False, "error_code": status, "description": description}


def keyboard(*callback_data: str) -> dict:
    return {"inline_keyboard": [[{"text": f"b{i}", "callback_data": d} for i, d in enumerate(callback_data)]]}


def article(result_id: str, text: str = "x", **content) -> dict:
    message = {"message_text": text, **content}
    return {"type": "article", "id": result_id, "title": "t", "input_message_content": message}


def png(width: int, height: int) -> bytes:
    """A tiny valid PNG, so the fake can read its size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


# ---- raw HTTP ------------------------------------------------------------------------------


async def test_get_me_by_post_get_and_any_case(fake_telegram):
    status, body = await post(fake_telegram, "getMe")
    assert status == 200
    assert body["result"] == {
        "id": 123456,
        "is_bot": True,
        "first_name": "FactBot Test",
        "username": "factbot_test_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{fake_telegram.base_url}{fake_telegram.token}/GETME")
    assert response.json()["result"]["username"] == "factbot_test_bot"
    assert [call.method for call in fake_telegram.calls] == ["getMe", "getMe"]


async def test_wrong_token_and_unknown_method(fake_telegram):
    assert await post(fake_telegram, "getMe", token="123456:WRONG") == error("Unauthorized", 401)
    assert await post(fake_telegram, "sendSticker") == error("Not Found: method not found", 404)


async def test_form_and_json_bodies_decode_alike(fake_telegram):
    fake_telegram.add_chat(ANA)
    markup = keyboard("more:1")
    params = {"chat_id": ANA, "text": "<b>GDP</b> 1.2%", "parse_mode": "HTML"}
    encoded = {**params, "chat_id": str(ANA), "reply_markup": json.dumps(markup)}
    bodies = [
        (await form(fake_telegram, "sendMessage", **params, reply_markup=markup))[1],
        (await post(fake_telegram, "sendMessage", json=encoded))[1],  # JSON with encoded values
        (await post(fake_telegram, "sendMessage", json={**params, "reply_markup": markup}))[1],
    ]
    for body in bodies:
        message = body["result"]
        assert message["text"] == "GDP 1.2%"
        assert message["entities"] == [{"type": "bold", "offset": 0, "length": 3}]
        assert message["reply_markup"] == markup
        assert message["from"]["is_bot"] is True
        assert message["chat"] == {"id": ANA, "type": "private", "first_name": "Ana"}
        assert isinstance(message["date"], int) and abs(message["date"] - time.time()) < 5
    assert [body["result"]["message_id"] for body in bodies] == [1, 2, 3]
    for call in fake_telegram.calls:
        assert (call.params["chat_id"], call.params["reply_markup"]) == (ANA, markup)


async def test_aiohttp_multipart_photo(fake_telegram):
    fake_telegram.add_chat(ANA)
    data = aiohttp.FormData()
    data.add_field("chat_id", str(ANA))
    data.add_field("caption", "<i>图表</i>")
    data.add_field("parse_mode", "HTML")
    data.add_field("photo", png(40, 30), filename="chart.png", content_type="image/png")
    url = f"{fake_telegram.base_url}{fake_telegram.token}/sendPhoto"
    async with aiohttp.ClientSession() as session, session.post(url, data=data) as response:
        assert response.status == 200
        message = (await response.json())["result"]
    [call] = fake_telegram.calls
    assert isinstance(call.params["photo"], Upload)
    assert (call.params["photo"].filename, call.params["photo"].size) == ("chart.png", len(png(40, 30)))
    assert message["caption"] == "图表"
    assert message["caption_entities"] == [{"type": "italic", "offset": 0, "length": 2}]
    largest = message["photo"][-1]
    assert (largest["width"], largest["height"], largest["file_size"]) == (40, 30, len(png(40, 30)))
    assert fake_telegram.sent == [message]


LONG_EMOJI = "😀" * 2048  # 4096 UTF-16 code units
TAG_MISMATCH = 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'
LIMITS = [
    P({"text": "x" * 4096}, None, id="text-4096"),
    P({"text": "x" * 4097}, "message is too long", id="text-4097"),
    P({"text": LONG_EMOJI}, None, id="emoji-4096-utf16"),
    P({"text": LONG_EMOJI + "a"}, "message is too long", id="emoji-4097-utf16"),
    P({"text": "<b>" + "x" * 4096 + "</b>", "parse_mode": "HTML"}, None, id="tags-do-not-count"),
    P({"text": "&lt;" * 4097, "parse_mode": "HTML"}, "message is too long", id="entities-count-once"),
    P({"text": ""}, "message text is empty", id="empty"),
    P({"text": " \n "}, "message text is empty", id="whitespace"),
    P({"text": "<b></b>", "parse_mode": "HTML"}, "message text is empty", id="empty-html"),
    P(
        {"text": "1 < 2", "parse_mode": "HTML"},
        'can\'t parse entities: Unsupported start tag "" at byte offset 2',
        id="bare-lt",
    ),
    P({"text": "<b>x</i>", "parse_mode": "html"}, f"can't parse entities: {TAG_MISMATCH}", id="mismatch"),
    P({"text": "1 < 2"}, None, id="no-parse-mode-no-check"),
    P({"text": "x", "parse_mode": "Textile"}, "unsupported parse_mode", id="parse-mode"),
    P({"reply_markup": keyboard("d" * 64)}, None, id="data-64"),
    P({"reply_markup": keyboard("d" * 65)}, "BUTTON_DATA_INVALID", id="data-65"),
    P({"reply_markup": keyboard("江" * 22)}, "BUTTON_DATA_INVALID", id="data-66-utf8-bytes"),
    P({"reply_markup": keyboard("")}, "BUTTON_DATA_INVALID", id="data-empty"),
    P({"reply_markup": keyboard(*["d"] * 100)}, None, id="100-buttons"),
    P({"reply_markup": keyboard(*["d"] * 101)}, "reply markup is too long", id="101-buttons"),
    P(
        {"reply_markup": {"inline_keyboard": [[{"text": "t"}]]}},
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        id="text-button",
    ),
    P({"reply_markup": "{not json"}, "can't parse reply keyboard markup JSON object", id="markup-json"),
    P({"chat_id": "42"}, "chat not found", id="unknown-chat"),
    P({"chat_id": ""}, "chat_id is empty", id="empty-chat"),
    P({"reply_to_message_id": 99}, "message to be replied not found", id="reply-missing"),
    P(
        {"reply_parameters": {"message_id": 99, "allow_sending_without_reply": True}},
        None,
        id="reply-missing-allowed",
    ),
]


@pytest.mark.parametrize(("params", "description"), LIMITS)
async def test_send_message_limits(fake_telegram, params, description):
    fake_telegram.add_chat(ANA)
    status, body = await form(fake_telegram, "sendMessage", **{"chat_id": ANA, "text": "x", **params})
    if description is None:
        assert (status, body["ok"]) == (200, True), body
    else:
        assert (status, body) == error(f"Bad Request: {description}")
        assert fake_telegram.sent == []


@pytest.mark.parametrize(
    ("caption", "description"),
    [P("c" * 1024, None, id="1024"), P("c" * 1025, "Bad Request: message caption is too long", id="1025")],
)
async def test_caption_limit(fake_telegram, caption, description):
    fake_telegram.add_chat(ANA)
    photo = {"photo": ("p.png", png(2, 2), "image/png")}
    data = {"chat_id": ANA, "caption": caption}
    status, body = await post(fake_telegram, "sendPhoto", data=data, files=photo)
    assert (status, body.get("description")) == (200 if description is None else 400, description)


async def test_edit_message_text(fake_telegram):
    fake_telegram.add_chat(ANA)
    _, sent = await form(fake_telegram, "sendMessage", chat_id=ANA, text="one", reply_markup=keyboard("p:2"))
    edit = {"chat_id": ANA, "message_id": sent["result"]["message_id"]}
    assert await form(fake_telegram, "editMessageText", **edit, text="one", reply_markup=keyboard("p:2")) == (
        error(NOT_MODIFIED)
    )
    html = {"text": "<b>two</b>", "parse_mode": "HTML"}
    status, body = await form(fake_telegram, "editMessageText", **edit, **html, reply_markup=keyboard("p:2"))
    assert status == 200 and body["result"]["text"] == "two" and "edit_date" in body["result"]
    # Like Telegram, an edit without reply_markup removes the keyboard.
    status, body = await form(fake_telegram, "editMessageText", **edit, text="3")
    assert status == 200 and "reply_markup" not in body["result"]
    assert fake_telegram.messages[(ANA, edit["message_id"])]["text"] == "3"
    assert fake_telegram.sent[0]["text"] == "one"  # sent keeps what was first sent
    assert await form(fake_telegram, "editMessageText", chat_id=ANA, message_id=77, text="x") == (
        error("Bad Request: message to edit not found")
    )


async def test_edit_reply_markup_and_delete(fake_telegram):
    fake_telegram.add_chat(ANA)
    _, sent = await form(fake_telegram, "sendMessage", chat_id=ANA, text="x")
    key = {"chat_id": ANA, "message_id": sent["result"]["message_id"]}
    assert await form(fake_telegram, "editMessageReplyMarkup", **key) == error(NOT_MODIFIED)
    status, body = await form(fake_telegram, "editMessageReplyMarkup", **key, reply_markup=keyboard("a"))
    assert status == 200 and body["result"]["reply_markup"] == keyboard("a")
    assert await form(fake_telegram, "deleteMessage", **key) == (200, {"ok": True, "result": True})
    assert fake_telegram.messages_to(ANA) == []
    assert await form(fake_telegram, "deleteMessage", **key) == (
        error("Bad Request: message to delete not found")
    )


async def test_user_messages_cannot_be_edited(fake_telegram):
    message = fake_telegram.user_message("hi")["message"]
    assert await form(
        fake_telegram, "editMessageText", chat_id=ANA, message_id=message["message_id"], text="x"
    ) == error("Bad Request: message can't be edited")


# ---- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kwargs", "expected"),
    [
        P(
            429,
            {"retry_after": 3},
            {"description": "Too Many Requests: retry after 3", "parameters": {"retry_after": 3}},
            id="429",
        ),
        P(403, {}, {"description": "Forbidden: bot was blocked by the user"}, id="403"),
        P(500, {}, {"description": "Internal Server Error"}, id="500"),
        P(
            400,
            {"parameters": {"migrate_to_chat_id": -1009}},
            {
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": -1009},
            },
            id="migrated",
        ),
        P(
            403,
            {"description": "Forbidden: bot was kicked from the group chat"},
            {"description": "Forbidden: bot was kicked from the group chat"},
            id="custom",
        ),
    ],
)
async def test_injected_faults(fake_telegram, status, kwargs, expected):
    fake_telegram.add_chat(ANA)
    fake_telegram.fail_next("sendMessage", status, times=2, **kwargs)
    for _ in range(2):
        assert await form(fake_telegram, "sendMessage", chat_id=ANA, text="x") == (
            status,
            {"ok": False, "error_code": status, **expected},
        )
    assert (await form(fake_telegram, "sendMessage", chat_id=ANA, text="x"))[0] == 200
    assert [call.status for call in fake_telegram.calls] == [status, status, 200]
    assert len(fake_telegram.sent) == 1


# ---- long polling --------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(fake_telegram):
    poll = asyncio.create_task(form(fake_telegram, "getUpdates", timeout=60))
    await fake_telegram.wait_until(lambda: fake_telegram.polls_waiting == 1, what="the poll to wait")
    fake_telegram.user_message("/start")
    _, body = await asyncio.wait_for(poll, 30)  # answered by the update, not by the poll's own 60 s
    [update] = body["result"]
    assert update["update_id"] == 1
    assert update["message"]["text"] == "/start"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert update["message"]["from"] == {
        "id": ANA,
        "is_bot": False,
        "first_name": "Ana",
        "username": "ana",
        "language_code": "zh-hans",
    }


async def test_long_poll_times_out_empty(fake_telegram):
    started = time.monotonic()
    empty = await asyncio.wait_for(form(fake_telegram, "getUpdates", timeout=0.3), 30)
    assert empty == (200, {"ok": True, "result": []})
    assert time.monotonic() - started > 0.25  # it waited for its timeout


async def test_offset_confirms_and_limit_caps(fake_telegram):
    first, second, third = (fake_telegram.user_message(text) for text in "abc")
    _, body = await form(fake_telegram, "getUpdates", limit=2)
    assert body["result"] == [first, second]
    _, body = await form(fake_telegram, "getUpdates", offset=second["update_id"] + 1)
    assert body["result"] == [third]
    assert fake_telegram.pending_updates == [third]  # not confirmed yet
    _, body = await form(fake_telegram, "getUpdates", offset=third["update_id"] + 1, timeout=0)
    assert body["result"] == [] and fake_telegram.pending_updates == []


async def test_edits_raw_updates_and_allowed_updates(fake_telegram):
    original = fake_telegram.user_message("/ask GDP")
    edited = fake_telegram.edited_message(original, "/ask 江津 GDP")
    member = fake_telegram.raw_update({"my_chat_member": {"placeholder": True}})
    fake_telegram.raw_update({"chat_member": {"placeholder": True}})  # only delivered when asked for
    _, body = await form(fake_telegram, "getUpdates")
    assert body["result"] == [original, edited, member]
    assert edited["edited_message"]["message_id"] == original["message"]["message_id"]
    assert edited["edited_message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 4}]
    _, body = await form(fake_telegram, "getUpdates", allowed_updates=["edited_message"])
    assert body["result"] == [edited]


async def test_a_second_poll_terminates_the_first(fake_telegram):
    first = asyncio.create_task(form(fake_telegram, "getUpdates", timeout=5))
    await fake_telegram.wait_until(lambda: fake_telegram.polls_waiting == 1, what="the first poll to wait")
    assert await form(fake_telegram, "getUpdates", timeout=0) == (200, {"ok": True, "result": []})
    assert await asyncio.wait_for(first, 1) == error(
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
        409,
    )


async def test_webhook_blocks_polling_until_deleted(fake_telegram):
    fake_telegram.user_message("queued")
    assert (await form(fake_telegram, "setWebhook", url="https://bot.example/hook"))[0] == 200
    _, info = await form(fake_telegram, "getWebhookInfo")
    assert info["result"] == {
        "url": "https://bot.example/hook",
        "has_custom_certificate": False,
        "pending_update_count": 1,
    }
    status, body = await form(fake_telegram, "getUpdates")
    assert status == 409
    assert body["description"].startswith("Conflict: can't use getUpdates method while webhook is active")
    await form(fake_telegram, "deleteWebhook", drop_pending_updates=True)
    assert await form(fake_telegram, "getUpdates") == (200, {"ok": True, "result": []})


async def test_stop_releases_a_waiting_poll():
    server = FakeTelegram()
    await server.start()
    poll = asyncio.create_task(form(server, "getUpdates", timeout=30))
    await server.wait_until(lambda: server.polls_waiting == 1, what="the poll to wait")
    await server.stop()
    assert await asyncio.wait_for(poll, 10) == (200, {"ok": True, "result": []})  # not its own 30 s
    assert server.polls_waiting == 0


async def test_wait_for_counts_and_explains_timeouts(fake_telegram):
    fake_telegram.add_chat(ANA)
    for text in ("a", "b"):
        await form(fake_telegram, "sendMessage", chat_id=ANA, text=text)
    calls = await fake_telegram.wait_for("sendMessage", lambda call: call.params["text"] in "ab", count=2)
    assert [call.params["text"] for call in calls] == ["a", "b"]
    expected = r"got 0; calls so far:\n  200 sendMessage \{'chat_id': 1001, 'text': 'a'\}"
    with pytest.raises(AssertionError, match=expected):
        await fake_telegram.wait_for("sendMessage", lambda call: call.params["text"] == "z", timeout=0.2)


# ---- queries, commands, chats --------------------------------------------------------------


async def test_callback_query_answers_once(fake_telegram):
    fake_telegram.add_chat(ANA)
    _, sent = await form(fake_telegram, "sendMessage", chat_id=ANA, text="x", reply_markup=keyboard("a"))
    query = fake_telegram.callback_query(sent["result"], "a")["callback_query"]
    assert (query["message"], query["data"], query["from"]["id"]) == (sent["result"], "a", ANA)
    answer = {"callback_query_id": query["id"]}
    assert await form(fake_telegram, "answerCallbackQuery", **answer) == (200, {"ok": True, "result": True})
    assert await form(fake_telegram, "answerCallbackQuery", **answer) == error(QUERY_TOO_OLD)


@pytest.mark.parametrize(
    ("results", "description"),
    [
        P([article(str(i)) for i in range(50)], None, id="50"),
        P([article(str(i)) for i in range(51)], "Bad Request: RESULTS_TOO_MUCH", id="51"),
        P([article("a"), article("a")], "Bad Request: RESULT_ID_DUPLICATE", id="duplicate"),
        P([article("i" * 65)], "Bad Request: RESULT_ID_INVALID", id="long-id"),
        P(
            [article("a", "<b>x", parse_mode="HTML")],
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
            id="html",
        ),
        P([article("a", "")], "Bad Request: MESSAGE_EMPTY", id="empty"),
        P(
            [{**article("a"), "reply_markup": keyboard("d" * 65)}],
            "Bad Request: BUTTON_DATA_INVALID",
            id="button",
        ),
    ],
)
async def test_answer_inline_query(fake_telegram, results, description):
    query = fake_telegram.inline_query("江津 GDP")["inline_query"]
    _, body = await form(fake_telegram, "answerInlineQuery", inline_query_id=query["id"], results=results)
    assert body.get("description") == description


async def test_commands_per_scope_and_language(fake_telegram):
    commands = [{"command": "ask", "description": "问一个问题"}]
    groups = {"type": "all_group_chats"}
    await form(fake_telegram, "setMyCommands", commands=commands)
    await form(fake_telegram, "setMyCommands", commands=[], language_code="en")
    in_groups = {"commands": commands, "scope": groups, "language_code": "zh"}
    await post(fake_telegram, "setMyCommands", json=in_groups)
    assert fake_telegram.commands_for() == commands
    assert fake_telegram.commands_for(language_code="en") == []
    assert fake_telegram.commands_for(groups, "zh") == commands
    _, body = await form(fake_telegram, "getMyCommands", scope=groups, language_code="zh")
    assert body["result"] == commands
    await form(fake_telegram, "deleteMyCommands")
    assert fake_telegram.commands_for() == []
    assert await form(fake_telegram, "setMyCommands", commands=[{"command": "Ask", "description": "d"}]) == (
        error("Bad Request: BOT_COMMAND_INVALID")
    )


async def test_bot_command_and_reply_in_a_group(fake_telegram):
    question = fake_telegram.user_message(
        "/ask@factbot_test_bot 江津GDP", chat_id=GROUP, chat_type="supergroup"
    )
    reply_to = question["message"]["message_id"]
    reply = fake_telegram.user_message("还有呢", chat_id=GROUP, reply_to_message_id=reply_to)
    assert question["message"]["chat"] == {
        "id": GROUP,
        "type": "supergroup",
        "title": f"Test supergroup {GROUP}",
    }
    assert question["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
    assert reply["message"]["reply_to_message"] == question["message"]
    assert reply["message"]["message_id"] == 2


# ---- a real python-telegram-bot Bot and Application ----------------------------------------


async def test_ptb_bot_initializes_and_sends_html_with_keyboard(fake_telegram, telegram_bot):
    assert telegram_bot.username == "factbot_test_bot"
    assert (await telegram_bot.get_me()).username == "factbot_test_bot"
    fake_telegram.add_chat(ANA)
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("更多", callback_data="more:GDP")]]
    )
    message = await telegram_bot.send_message(
        ANA, "<b>江津</b> GDP &amp; 增速", parse_mode="HTML", reply_markup=markup
    )
    assert message.text == "江津 GDP & 增速"
    assert message.text_html == "<b>江津</b> GDP &amp; 增速"
    assert message.reply_markup == markup
    assert message.from_user.is_bot and message.chat.id == ANA
    assert isinstance(message.date, dtm.datetime)
    [call] = await fake_telegram.wait_for("sendMessage")
    assert call.params["reply_markup"] == markup.to_dict()
    assert fake_telegram.messages_to(ANA) == [call.result]


async def test_ptb_bad_request_for_long_callback_data(fake_telegram, telegram_bot):
    fake_telegram.add_chat(ANA)
    markup = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(tg_error.BadRequest) as raised:
        await telegram_bot.send_message(ANA, "x", reply_markup=markup)
    assert raised.value.message == "Button_data_invalid"  # PTB strips "Bad Request: " and capitalizes


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after's type
async def test_ptb_retry_after_forbidden_migrated_and_server_error(fake_telegram, telegram_bot):
    fake_telegram.add_chat(ANA)
    fake_telegram.fail_next("sendMessage", 429)
    with pytest.raises(tg_error.RetryAfter) as raised:
        await telegram_bot.send_message(ANA, "x")
    assert raised.value.retry_after in (1, dtm.timedelta(seconds=1))
    fake_telegram.fail_next("sendMessage", 403)
    with pytest.raises(tg_error.Forbidden, match="bot was blocked by the user"):
        await telegram_bot.send_message(ANA, "x")
    fake_telegram.fail_next("sendMessage", 400, parameters={"migrate_to_chat_id": -1009})
    with pytest.raises(tg_error.ChatMigrated) as migrated:
        await telegram_bot.send_message(ANA, "x")
    assert migrated.value.new_chat_id == -1009
    fake_telegram.fail_next("sendMessage", 500)
    with pytest.raises(tg_error.NetworkError, match="Internal Server Error"):
        await telegram_bot.send_message(ANA, "x")


async def test_ptb_photo_file_edit_delete(fake_telegram, telegram_bot):
    fake_telegram.add_chat(ANA)
    chart = png(64, 48)
    photo = await telegram_bot.send_photo(ANA, chart, caption="<b>趋势</b>", parse_mode="HTML")
    assert (photo.caption, photo.photo[-1].width, photo.photo[-1].file_size) == ("趋势", 64, len(chart))
    [call] = await fake_telegram.wait_for("sendPhoto")
    assert call.params["photo"].size == len(chart)
    file = await telegram_bot.get_file(photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == chart
    text = await telegram_bot.send_message(ANA, "one")
    edited = await telegram_bot.edit_message_text("two", ANA, text.message_id)
    assert edited.text == "two" and edited.edit_date is not None
    with pytest.raises(tg_error.BadRequest, match="Message is not modified"):
        await telegram_bot.edit_message_text("two", ANA, text.message_id)
    assert await telegram_bot.delete_message(ANA, text.message_id) is True
    assert [m["message_id"] for m in fake_telegram.messages_to(ANA)] == [photo.message_id]


async def test_ptb_parses_updates_and_answers_queries(fake_telegram, telegram_bot):
    fake_telegram.add_chat(ANA)
    button = telegram.InlineKeyboardButton("a", callback_data="a")
    markup = telegram.InlineKeyboardMarkup([[button]])
    sent = await telegram_bot.send_message(ANA, "pick", reply_markup=markup)
    fake_telegram.user_message("/ask 江津 GDP")
    fake_telegram.callback_query(fake_telegram.sent[-1], "a")
    fake_telegram.inline_query("GDP")
    message, callback, inline = await telegram_bot.get_updates(timeout=1)
    assert message.message.text == "/ask 江津 GDP" and message.message.entities[0].type == "bot_command"
    assert callback.callback_query.message.message_id == sent.message_id
    assert await callback.callback_query.answer("ok") is True
    content = telegram.InputTextMessageContent("<b>1</b>", parse_mode="HTML")
    assert await inline.inline_query.answer([telegram.InlineQueryResultArticle("1", "GDP", content)]) is True
    assert await telegram_bot.get_updates(offset=inline.update_id + 1, timeout=0) == ()


async def test_ptb_commands_members_and_chat(fake_telegram, telegram_bot):
    fake_telegram.add_chat(GROUP, chat_type="supergroup", title="江津经济")
    commands = [telegram.BotCommand("ask", "问"), telegram.BotCommand("subscribe", "订阅")]
    assert await telegram_bot.set_my_commands(commands, language_code="zh") is True
    assert await telegram_bot.get_my_commands(language_code="zh") == tuple(commands)
    assert fake_telegram.commands_for(language_code="zh") == [c.to_dict() for c in commands]
    assert (await telegram_bot.get_chat_member(GROUP, ANA)).status == "member"
    for status in ("creator", "administrator", "restricted", "left", "kicked"):
        fake_telegram.set_chat_member_status(GROUP, ANA, status)
        assert (await telegram_bot.get_chat_member(GROUP, ANA)).status == status
    chat = await telegram_bot.get_chat(GROUP)
    assert (chat.title, chat.type) == ("江津经济", "supergroup")
    assert await telegram_bot.send_chat_action(GROUP, "typing") is True
    assert await telegram_bot.delete_my_commands(language_code="zh") is True


async def test_ptb_wrong_token_is_invalid_token(fake_telegram):
    bot = telegram.Bot("123456:WRONG", base_url=fake_telegram.base_url)
    with pytest.raises(tg_error.InvalidToken):
        await bot.initialize()
    assert [(call.method, call.status) for call in fake_telegram.calls] == [("getMe", 401)]


async def test_ptb_application_polls_and_replies(fake_telegram):
    async def start(update, context):
        await update.effective_message.reply_html("<b>你好</b>")

    app = (
        Application.builder()
        .token(fake_telegram.token)
        .base_url(fake_telegram.base_url)
        .base_file_url(fake_telegram.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    fake_telegram.user_message("/start")
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=60)
        [reply] = await fake_telegram.wait_for("sendMessage")
        await asyncio.wait_for(app.updater.stop(), 30)  # the waiting long poll (60 s) is not waited out
        await app.stop()
    assert reply.result["text"] == "你好"
    assert fake_telegram.pending_updates == []  # PTB confirms the last offset when it stops
    # PTB abandons its waiting long poll on stop; the fake answers it 409 like Telegram would.
    assert all(call.ok or call.abandoned for call in fake_telegram.calls)
