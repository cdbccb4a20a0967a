"""The real bot (``bot.app.build_application``) polling the fake Telegram server over HTTP.

Every scenario feeds updates to the fake and asserts only on what the fake recorded: the texts and
HTML the bot sent, its buttons, edits, photos and inline answers — never on the bot's state.
"""

import asyncio
import base64
import html
import logging
import re
import time
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from fake_telegram import Call, FakeTelegram
from telegram import Message, Update
from telegram.error import Forbidden
from telegram.ext import Application

from bot.app import build_application
from bot.handlers import send_reply
from bot.render import TELEGRAM_LIMIT, Button, Reply, split_html
from bot.state.settings import Settings
from facts.store.service import FactService

pytestmark = pytest.mark.asyncio
P = pytest.param
ANA = 1001
BEN = 1002
GROUP = -1001234567890
BOT = "factbot_test_bot"
TRAINS_2022 = "2022年江津班列开了多少列？"
GDP_2019, GDP_2015 = "2019年江津区GDP", "2015年江津区GDP"


def make_app(fake: FakeTelegram, service: FactService) -> Application:
    settings = Settings(
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.base_url,
        telegram_api_file_url=fake.base_file_url,
        database_url=service.settings.database_url,
    )
    return build_application(settings, service)


async def start_polling(app: Application) -> None:
    """What ``run_polling`` does before it blocks: initialize, post_init, start, poll."""
    await app.initialize()
    await app.post_init(app)  # only run_polling/run_webhook call post_init themselves
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=0.5, allowed_updates=Update.ALL_TYPES)


async def stop_polling(app: Application) -> None:
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


@pytest_asyncio.fixture
async def running(fake_telegram: FakeTelegram, service: FactService) -> AsyncIterator[Application]:
    """The production application, started and polling the fake; stopped cleanly afterwards."""
    app = make_app(fake_telegram, service)
    await start_polling(app)
    yield app
    await stop_polling(app)


# ---- reading what the fake recorded --------------------------------------------------------


def to(chat_id: int) -> Callable[[Call], bool]:
    return lambda call: call.params.get("chat_id") == chat_id


def to_any(call: Call, chats) -> bool:
    return call.params.get("chat_id") in chats


def ok_calls(fake: FakeTelegram, method: str, chat_id: int | None = None) -> list[Call]:
    return [c for c in fake.calls if c.method == method and c.ok and (chat_id is None or to(chat_id)(c))]


async def next_call(fake: FakeTelegram, method: str, chat_id: int, queue: Callable[[], object]) -> Call:
    """Run ``queue`` (which feeds an update) and return the bot's next successful ``method`` to the chat."""
    before = len(ok_calls(fake, method, chat_id))
    queue()
    return (await fake.wait_for(method, to(chat_id), count=before + 1))[before]


async def ask(fake: FakeTelegram, text: str, *, chat_id: int = ANA, **message) -> Call:
    """Send ``text`` as a user and return the bot's sendMessage in reply."""
    return await next_call(
        fake, "sendMessage", chat_id, lambda: fake.user_message(text, chat_id=chat_id, **message)
    )


async def press(fake: FakeTelegram, message: dict, data: str, method: str = "sendMessage") -> Call:
    """Press the button with ``data`` on one of the bot's messages; return the bot's next ``method``."""
    assert data in callback_data(fake.messages[(message["chat"]["id"], message["message_id"])])
    chat_id = message["chat"]["id"]
    answered = len(ok_calls(fake, "answerCallbackQuery"))
    call = await next_call(fake, method, chat_id, lambda: fake.callback_query(message, data))
    await fake.wait_for("answerCallbackQuery", count=answered + 1)
    return call


async def assert_ignored(
    fake: FakeTelegram, app: Application, chat_id: int, queue: Callable[[], object]
) -> None:
    """``queue`` feeds an update the bot must not answer; a /ask sent right after is answered alone."""
    before = len(ok_calls(fake, "sendMessage", chat_id))
    queue()
    sentinel = fake.user_message(f"/ask {GDP_2015}", chat_id=chat_id)["message"]
    [*_, reply] = await fake.wait_for("sendMessage", to(chat_id), count=before + 1)
    assert reply.result["reply_to_message"]["message_id"] == sentinel["message_id"]
    await settled(fake, app, chat_id)
    assert len(ok_calls(fake, "sendMessage", chat_id)) == before + 1, fake.describe_calls()


async def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait until ``check()`` holds (for what wait_for cannot see, such as refused calls). The timeout
    is an upper bound for a slow, shared machine, not an expected time."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def settled(fake: FakeTelegram, app: Application, chat_id: int, timeout: float = 30.0) -> None:
    """Wait until the bot has taken every update queued so far, its handlers have all returned and the
    chat's outbox is empty: a reply to those updates that has not come by then is not coming. (The
    event to wait for before asserting that nothing more arrived, instead of watching for a while.)"""
    await fake.wait_until(lambda: not fake.pending_updates, timeout, "the bot to take every update")
    await asyncio.wait_for(app.update_queue.join(), timeout)  # task_done() once a handler has returned
    await eventually(lambda: app.bot_data.outbox.waiting(chat_id) == 0, timeout)


def callback_data(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


def buttons(message: dict) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def bold(message: dict) -> list[str]:
    """The bold spans of a message as Telegram stored it (entity offsets are UTF-16 units)."""
    units = message["text"].encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.get("entities", [])
        if e["type"] == "bold"
    ]


def assert_html_reply(call: Call, *fragments: str) -> None:
    """Sent as HTML, accepted by the fake, and containing each fragment of HTML."""
    assert call.ok and call.params.get("parse_mode") == "HTML", call.response
    for fragment in fragments:
        assert fragment in call.params["text"], call.params["text"]


# ---- start-up ------------------------------------------------------------------------------


async def test_start_up_registers_chinese_and_english_commands(fake_telegram, running):
    default = fake_telegram.commands_for()
    english = fake_telegram.commands_for(language_code="en")
    names = [
        "start",
        "help",
        "ask",
        "sources",
        "about",
        "subscribe",
        "unsubscribe",
        "subscriptions",
        "digest",
    ]
    assert [c["command"] for c in default] == names
    assert [c["command"] for c in english] == names
    assert all(re.search(r"[\u4e00-\u9fff]", c["description"]) for c in default)
    assert all(re.fullmatch(r"[ -~]+", c["description"]) for c in english)
    assert [c.method for c in fake_telegram.calls if c.method == "setMyCommands"] == ["setMyCommands"] * 2


# ---- private questions ---------------------------------------------------------------------


async def test_private_question_gets_a_sourced_html_answer(fake_telegram, running):
    reply = await ask(fake_telegram, TRAINS_2022)
    assert_html_reply(reply, "<b>536列</b>", "来源：《", "001_fcfb30629f7c2435.txt, 第161行")
    assert "536列" in bold(reply.result)
    assert "reply_to_message" not in reply.result  # no quoting in a private chat
    await settled(fake_telegram, running, ANA)
    assert len(ok_calls(fake_telegram, "sendMessage", ANA)) == 1


@pytest.mark.parametrize(
    "question",
    [
        P("2022年江津班列開了多少列？", id="traditional"),
        P("２０２２年江津班列开了多少列？", id="full-width-digits"),
        P("How many Jiangjin trains ran in 2022?", id="english"),
    ],
)
async def test_other_spellings_get_the_same_figure(fake_telegram, running, question):
    reply = await ask(fake_telegram, question)
    assert_html_reply(reply, "<b>536列</b>", "第161行")


async def test_abstention_offers_facts_that_can_be_shown(fake_telegram, running):
    reply = await ask(fake_telegram, "2020年江津班列全年开行多少列")
    assert_html_reply(reply, "报告中没有2020年")
    suggested = buttons(reply.result)
    assert suggested and all(data.startswith("fact:") for _, data in suggested)
    label, data = suggested[0]
    figure = label.split()[0]
    shown = await press(fake_telegram, reply.result, data)
    assert_html_reply(shown, f"<b>{html.escape(figure)}</b>", "来源：《")


async def test_more_pages_through_the_results_in_place(fake_telegram, running):
    first = await ask(fake_telegram, "2020年江津协议引资")
    assert_html_reply(first, "<b>1036亿元</b>")
    [(label, more)] = buttons(first.result)
    assert label.startswith("更多") and more.startswith("more:")
    second = await press(fake_telegram, first.result, more, "editMessageText")
    assert second.params["message_id"] == first.result["message_id"]
    assert second.params["text"] != first.params["text"]
    assert buttons(second.result)[0][0] == "◀ 上一条"
    back = dict(buttons(second.result))["◀ 上一条"]
    again = await press(fake_telegram, first.result, back, "editMessageText")
    assert again.params["message_id"] == first.result["message_id"]
    assert again.params["text"] == first.params["text"]
    assert fake_telegram.messages_to(ANA)[0]["text"] == first.result["text"]
    assert len(ok_calls(fake_telegram, "sendMessage", ANA)) == 1  # pages edit, never resend


SERIES = [  # a chart only for three or more points covering alike periods
    P("江津GDP变化", ["2015年：<b>682.7亿元</b>", "2019年：<b>1036.7亿元</b>"], True, id="gdp"),
    P(
        "江津班列开行量变化",
        ["截至2019年底：<b>21列</b>", "截至2023年5月底：<b>1277列</b>"],
        False,
        id="trains-2-points",
    ),
    P(
        "江津协议引资变化",
        ["2019年：<b>253亿元</b>", "2020年：<b>1036亿元</b>", "2023年上半年：<b>超570亿元</b>"],
        False,
        id="investment-year-and-half-year-no-chart",
    ),
]


@pytest.mark.parametrize(("question", "rows", "chart"), SERIES)
async def test_series_is_a_table_with_a_chart_from_three_points(
    fake_telegram, running, question, rows, chart
):
    table = await ask(fake_telegram, question)
    assert_html_reply(table, "历年数据", *rows)
    points = table.params["text"].count("\n• ")
    assert points >= len(rows)
    await settled(fake_telegram, running, ANA)
    photos = ok_calls(fake_telegram, "sendPhoto", ANA)
    assert len(photos) == (1 if chart else 0), (points, fake_telegram.describe_calls())
    if photos:
        [photo] = photos
        assert photo.result["message_id"] < table.result["message_id"]  # the chart comes first
        assert photo.params["photo"].data.startswith(b"\x89PNG") and "单位" in photo.result["caption"]


# ---- groups --------------------------------------------------------------------------------


def group_message(fake: FakeTelegram, text: str, **kwargs) -> dict:
    return fake.user_message(text, chat_id=GROUP, chat_type="supergroup", **kwargs)


def mention(at: int = 0, name: str = BOT) -> list[dict]:
    return [{"type": "mention", "offset": at, "length": len(name) + 1}]


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        P(f"/ask {GDP_2019}", None, id="ask"),
        P(f"/ask@{BOT} {GDP_2019}", None, id="ask@bot"),
        P(f"@{BOT} {GDP_2019}", mention(), id="mention-first"),
        P(f"{GDP_2019}是多少 @{BOT}", mention(len(GDP_2019) + 4), id="mention-last"),
    ],
)
async def test_group_questions_addressed_to_the_bot_are_answered(fake_telegram, running, text, entities):
    question = group_message(fake_telegram, text, entities=entities)["message"]
    [reply] = await fake_telegram.wait_for("sendMessage", to(GROUP))
    assert_html_reply(reply, "<b>1036.7亿元</b>")
    assert reply.result["reply_to_message"]["message_id"] == question["message_id"]  # quoted in groups


async def test_group_reply_to_the_bot_is_a_question(fake_telegram, running):
    answer = await ask(fake_telegram, f"/ask {GDP_2019}", chat_id=GROUP, chat_type="supergroup")
    answer_id = answer.result["message_id"]
    follow_up = await ask(fake_telegram, GDP_2015, chat_id=GROUP, reply_to_message_id=answer_id)
    assert_html_reply(follow_up, "<b>682.7亿元</b>")


async def test_group_ask_as_a_reply_asks_the_replied_message(fake_telegram, running):
    question = group_message(fake_telegram, GDP_2019, user_id=BEN)["message"]  # not for the bot
    reply = await ask(fake_telegram, "/ask", chat_id=GROUP, reply_to_message_id=question["message_id"])
    assert_html_reply(reply, "<b>1036.7亿元</b>")


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        P(GDP_2019, None, id="plain-text"),
        P(f"/ask@otherbot {GDP_2019}", None, id="ask@otherbot"),
        P(f"@otherbot {GDP_2019}", mention(name="otherbot"), id="other-mention"),
        P(f"{BOT} {GDP_2019}", [], id="name-without-mention-entity"),
        P("/foo", None, id="unknown-command"),
        P("/help@otherbot", None, id="help@otherbot"),
    ],
)
async def test_group_messages_not_for_the_bot_are_ignored(fake_telegram, running, text, entities):
    await assert_ignored(
        fake_telegram, running, GROUP, lambda: group_message(fake_telegram, text, entities=entities)
    )


@pytest.mark.parametrize("text", ["/ask", f"/ask@{BOT}", "/ask "], ids=["ask", "ask@bot", "blank"])
async def test_group_ask_without_a_question_gets_the_usage_hint(fake_telegram, running, text):
    reply = await next_call(fake_telegram, "sendMessage", GROUP, lambda: group_message(fake_telegram, text))
    assert reply.params["text"].startswith("用法：/ask 问题")


async def test_group_unknown_command_for_the_bot_gets_a_hint(fake_telegram, running):
    reply = await next_call(
        fake_telegram, "sendMessage", GROUP, lambda: group_message(fake_telegram, f"/foo@{BOT}")
    )
    assert reply.params["text"].startswith("没有这个命令")


# ---- commands ------------------------------------------------------------------------------


async def test_start_shows_examples_that_answer_when_pressed(fake_telegram, running):
    greeting = await ask(fake_telegram, "/start")
    examples = buttons(greeting.result)
    assert len(examples) == 3 and all(data.startswith("ex:") for _, data in examples)
    for label, data in examples:
        answer = await press(fake_telegram, greeting.result, data)
        assert_html_reply(answer, "<b>", "来源：《")
        assert re.search(r"\d", bold(answer.result)[0]), (label, answer.params["text"])


async def test_start_deep_links(fake_telegram, running, service):
    fact_id = next(f.id for f in service.facts() if f.figure == "536列")
    fact = await ask(fake_telegram, f"/start f_{fact_id}")
    assert_html_reply(fact, "<b>536列</b>", "第161行")
    question = base64.urlsafe_b64encode(GDP_2015.encode()).decode().rstrip("=")
    answer = await ask(fake_telegram, f"/start q_{question}")
    assert_html_reply(answer, "<b>682.7亿元</b>")
    gone = await ask(fake_telegram, "/start f_99999999")
    assert "不在库中" in gone.params["text"]
    greeting = await ask(fake_telegram, "/start q_!!!")
    assert len(buttons(greeting.result)) == 3


async def test_help_sources_about_and_unknown_commands(fake_telegram, running, service):
    help_text = (await ask(fake_telegram, "/help")).params["text"]
    assert "/ask" in help_text and f"@{BOT}" in help_text
    sources = await ask(fake_telegram, "/sources")
    assert sources.ok
    documents = service.documents()
    assert len(documents) == 5
    listed = re.findall(r"^• 《.*?》 (\S+\.txt)，.*?，(\d+)条数据$", sources.result["text"], re.MULTILINE)
    assert {name: int(n) for name, n in listed} == {d.name: d.facts for d in documents}
    assert all(int(n) > 0 for _, n in listed)
    assert "factbot" in (await ask(fake_telegram, "/about")).params["text"]
    assert (await ask(fake_telegram, "/foo")).params["text"].startswith("没有这个命令")


# ---- inline mode ---------------------------------------------------------------------------


async def test_inline_query_offers_valid_html_articles(fake_telegram, running):
    fake_telegram.inline_query("江津班列")
    [answer] = await fake_telegram.wait_for("answerInlineQuery")
    results = answer.params["results"]
    assert 1 <= len(results) <= 10
    assert len({r["id"] for r in results}) == len(results)
    for result in results:
        assert result["type"] == "article"
        assert re.match(r"\S*\d", result["title"]), result["title"]
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML" and "来源：《" in content["message_text"]
    assert any("536列" in r["title"] for r in results)


async def test_empty_inline_query_offers_the_help_button(fake_telegram, running):
    fake_telegram.inline_query("  ")
    [answer] = await fake_telegram.wait_for("answerInlineQuery")
    assert answer.params["results"] == [] and answer.params["button"]["start_parameter"] == "help"


# ---- edits ---------------------------------------------------------------------------------


async def test_edited_question_edits_the_earlier_answer(fake_telegram, running):
    question = fake_telegram.user_message(GDP_2019)
    [first] = await fake_telegram.wait_for("sendMessage", to(ANA))
    assert_html_reply(first, "<b>1036.7亿元</b>")
    fake_telegram.edited_message(question, GDP_2015)
    [edit] = await fake_telegram.wait_for("editMessageText", to(ANA))
    assert edit.params["message_id"] == first.result["message_id"]
    assert_html_reply(edit, "<b>682.7亿元</b>")
    await settled(fake_telegram, running, ANA)
    assert len(ok_calls(fake_telegram, "sendMessage", ANA)) == 1


async def test_editing_a_question_whose_answer_was_deleted_sends_a_fresh_answer(fake_telegram, running):
    """Issue 12: the edit failed on "message to edit not found" and the user got the apology."""
    question = fake_telegram.user_message(GDP_2019)["message"]
    [first] = await fake_telegram.wait_for("sendMessage", to(ANA))
    fake_telegram.user_deletes(ANA, first.result["message_id"])
    fresh = await next_call(
        fake_telegram, "sendMessage", ANA, lambda: fake_telegram.edited_message(question, GDP_2015)
    )
    assert_html_reply(fresh, "<b>682.7亿元</b>")
    assert "出了点问题" not in fresh.params["text"]
    again = await next_call(
        fake_telegram, "editMessageText", ANA, lambda: fake_telegram.edited_message(question, GDP_2019)
    )
    assert again.params["message_id"] == fresh.result["message_id"]  # and the fresh one is edited next time


async def test_editing_a_series_question_into_a_plain_one_removes_the_chart(fake_telegram, running):
    """Issue 12: the old chart stayed above the new plain answer."""
    question = fake_telegram.user_message("江津GDP变化")["message"]
    [chart] = await fake_telegram.wait_for("sendPhoto", to(ANA))
    await fake_telegram.wait_for("sendMessage", to(ANA))
    fresh = await next_call(
        fake_telegram, "sendMessage", ANA, lambda: fake_telegram.edited_message(question, GDP_2015)
    )
    assert_html_reply(fresh, "<b>682.7亿元</b>")
    now = fake_telegram.messages_to(ANA)
    assert [m["message_id"] for m in now] == [fresh.result["message_id"]], now
    assert not any("photo" in m for m in now)
    back = await next_call(
        fake_telegram, "sendPhoto", ANA, lambda: fake_telegram.edited_message(question, "江津GDP变化")
    )
    assert back.result["message_id"] != chart.result["message_id"]
    await eventually(lambda: len(fake_telegram.messages_to(ANA)) == 2)
    assert sum("photo" in m for m in fake_telegram.messages_to(ANA)) == 1


async def test_an_apology_in_a_forum_topic_goes_to_that_topic(fake_telegram, running):
    """Issue 12: the error handler's apology went to General instead of the topic asked in."""
    forum = -1009000000002
    fake_telegram.fail_next("sendMessage", 400, description="Bad Request: can't parse entities")
    fake_telegram.user_message(f"/ask {GDP_2019}", chat_id=forum, chat_type="supergroup", message_thread_id=5)
    [sorry] = await fake_telegram.wait_for(
        "sendMessage", lambda c: to(forum)(c) and "出了点问题" in c.params["text"]
    )
    assert sorry.params.get("message_thread_id") == 5 and sorry.result.get("is_topic_message")


async def test_edit_that_keeps_the_answer_changes_nothing(fake_telegram, running, caplog):
    question = fake_telegram.user_message(GDP_2019)
    [first] = await fake_telegram.wait_for("sendMessage", to(ANA))
    fake_telegram.edited_message(question, f"{GDP_2019}是多少？")
    await eventually(lambda: any(c.method == "editMessageText" for c in fake_telegram.calls))
    await settled(fake_telegram, running, ANA)
    assert fake_telegram.messages_to(ANA) == [first.result]  # no apology, no second answer
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_edited_group_mention_edits_the_earlier_answer(fake_telegram, running):
    question = group_message(fake_telegram, f"@{BOT} {GDP_2019}", entities=mention())["message"]
    [first] = await fake_telegram.wait_for("sendMessage", to(GROUP))
    # Telegram sends an edited message with its entities; FakeTelegram.edited_message keeps only commands.
    edited = {**question, "text": f"@{BOT} {GDP_2015}", "entities": mention(), "edit_date": int(time.time())}
    fake_telegram.raw_update({"edited_message": edited})
    [edit] = await fake_telegram.wait_for("editMessageText", to(GROUP))
    assert edit.params["message_id"] == first.result["message_id"]
    assert_html_reply(edit, "<b>682.7亿元</b>")
    await settled(fake_telegram, running, GROUP)
    assert len(ok_calls(fake_telegram, "sendMessage", GROUP)) == 1


async def test_edited_group_text_not_for_the_bot_is_ignored(fake_telegram, running):
    chatter = group_message(fake_telegram, "今天开会")
    await assert_ignored(
        fake_telegram, running, GROUP, lambda: fake_telegram.edited_message(chatter, GDP_2019)
    )
    assert ok_calls(fake_telegram, "editMessageText") == []


async def test_edited_ask_command_edits_the_earlier_answer(fake_telegram, running):
    question = group_message(fake_telegram, f"/ask {GDP_2019}")
    [first] = await fake_telegram.wait_for("sendMessage", to(GROUP))
    fake_telegram.edited_message(question, f"/ask {GDP_2015}")
    [edit] = await fake_telegram.wait_for("editMessageText", to(GROUP))
    assert edit.params["message_id"] == first.result["message_id"]
    await settled(fake_telegram, running, GROUP)
    assert len(ok_calls(fake_telegram, "sendMessage", GROUP)) == 1, fake_telegram.describe_calls()


# ---- junk ----------------------------------------------------------------------------------


VAGUE, TOO_LONG, EMPTY = "没看懂要问哪一项数据", "问题太长了", "请输入一个问题"
JUNK = [  # (what the user sends, what the reply starts with)
    ("😀😂🎉", VAGUE),
    ("江" * 10_000, TOO_LONG),
    ("<script>alert(1)</script>", VAGUE),
    ("&", VAGUE),
    ("&amp;", VAGUE),
    ("\u0000", VAGUE),
    ("   ", EMPTY),
    ("2022年<b>江津</b>班列 & </i> 开了多少列", "<b>536列</b>"),
]


async def test_junk_gets_polite_accepted_replies_and_the_bot_keeps_answering(fake_telegram, running):
    chats = {3000 + i: expected for i, (_, expected) in enumerate(JUNK)}
    for chat_id, (text, _) in zip(chats, JUNK, strict=True):
        fake_telegram.user_message(text, chat_id=chat_id, user_id=chat_id)
    replies = await fake_telegram.wait_for("sendMessage", lambda c: to_any(c, chats), count=len(chats))
    assert {
        c.params["chat_id"]: c.params["text"][: len(chats[c.params["chat_id"]])] for c in replies
    } == chats
    refused = [c for c in fake_telegram.calls if c.method in ("sendMessage", "editMessageText") and not c.ok]
    assert refused == []
    assert_html_reply(await ask(fake_telegram, TRAINS_2022), "<b>536列</b>")


# ---- long replies --------------------------------------------------------------------------


def private_message(fake: FakeTelegram, app: Application, chat_id: int) -> Message:
    """A real PTB Message bound to the application's bot, for calling send_reply directly (the
    application stands in for the handler's context: send_reply needs only its bot_data)."""
    chat = fake.add_chat(chat_id)
    user = {"id": chat_id, "is_bot": False, "first_name": "Ana"}
    data = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": user, "text": "long"}
    return Message.de_json(data, app.bot)


def visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\n", "")


async def test_long_reply_is_split_into_accepted_chunks(fake_telegram, running):
    # No command or answer comes near 4096 characters (the longest source sentence has 85), so a
    # synthetic Reply goes through the same send_reply the handlers use.
    lines = [
        f"<b>{i}亿元</b> · 江津 &amp; 渝西 &lt;指标&gt; <blockquote>第{i}行原文</blockquote>"
        for i in range(400)
    ]
    lines.append("<b>超长一行</b>" + "江津&amp;" * 1500)  # one line longer than a message
    reply = Reply(split_html(lines), [[Button("更多", "more:x:1")]])
    assert len(reply.chunks) >= 3
    send_reply(None, private_message(fake_telegram, running, 4001), running, reply)  # queued in the outbox
    sent = await fake_telegram.wait_for("sendMessage", to(4001), count=len(reply.chunks))
    assert [c.params["text"] for c in sent] == reply.chunks
    assert all(len(c.params["text"]) <= TELEGRAM_LIMIT for c in sent)
    received = "".join(c.result["text"].replace("\n", "") for c in sent)
    assert received == "".join(visible(line) for line in lines)  # nothing lost at the cuts
    assert [bool(c.params.get("reply_markup")) for c in sent] == [False] * (len(sent) - 1) + [True]
    assert not [c for c in fake_telegram.calls if not c.ok and c.method == "sendMessage"]


async def test_long_reply_with_astral_characters_fits(fake_telegram, running):
    text = "𠮷江津" * 1500  # 4500 characters, 6000 UTF-16 units: Telegram's limit counts the units
    reply = Reply(split_html([text]))
    send_reply(None, private_message(fake_telegram, running, 4002), running, reply)
    sent = await fake_telegram.wait_for("sendMessage", to(4002), count=len(reply.chunks))
    assert [c.params["text"] for c in sent] == reply.chunks
    assert all(len(c.result["text"].encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT for c in sent)
    assert "".join(c.result["text"] for c in sent) == text  # nothing lost at the cuts
    assert not [c for c in fake_telegram.calls if not c.ok and c.method == "sendMessage"]


# ---- Telegram failures ---------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own RetryAfter
async def test_flood_wait_is_waited_out_and_the_answer_arrives_once(fake_telegram, running):
    fake_telegram.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    reply = await ask(fake_telegram, TRAINS_2022)
    assert time.monotonic() - started >= 1.0
    assert_html_reply(reply, "<b>536列</b>")
    assert [c.status for c in fake_telegram.calls if c.method == "sendMessage"] == [429, 200]
    assert len(fake_telegram.messages_to(ANA)) == 1


async def test_server_error_is_retried_and_delivered_once(fake_telegram, running):
    fake_telegram.fail_next("sendMessage", 500)
    reply = await ask(fake_telegram, TRAINS_2022)
    assert_html_reply(reply, "<b>536列</b>")
    assert [c.status for c in fake_telegram.calls if c.method == "sendMessage"] == [500, 200]
    assert len(fake_telegram.messages_to(ANA)) == 1


async def test_blocked_by_a_user_is_logged_and_others_are_still_answered(fake_telegram, running, caplog):
    caplog.set_level(logging.ERROR, logger="bot.errors")
    fake_telegram.fail_next("sendMessage", 403)  # the answer; no apology is tried in a chat that blocked us
    fake_telegram.user_message(TRAINS_2022, chat_id=ANA)

    def failed() -> list[Call]:
        return [c for c in fake_telegram.calls if c.method == "sendMessage" and c.status == 403]

    await eventually(lambda: len(failed()) == 1)
    reply = await ask(fake_telegram, TRAINS_2022, chat_id=BEN, user_id=BEN)
    assert_html_reply(reply, "<b>536列</b>")
    assert [c.params["chat_id"] for c in failed()] == [ANA]
    assert [
        c for c in fake_telegram.calls if c.method == "sendMessage" and c.params["chat_id"] == ANA
    ] == failed()
    errors = [r for r in caplog.records if r.name == "bot.errors"]
    assert any(r.exc_info and isinstance(r.exc_info[1], Forbidden) for r in errors), errors
    assert fake_telegram.messages_to(ANA) == []


async def test_after_a_restart_buttons_and_edits_still_make_sense(fake_telegram, service):
    app = make_app(fake_telegram, service)
    await start_polling(app)
    try:
        paged = await ask(fake_telegram, "2020年江津协议引资")
        suggesting = await ask(fake_telegram, "2020年江津班列全年开行多少列")
        question = fake_telegram.user_message(GDP_2019)
        await fake_telegram.wait_for("sendMessage", to(ANA), count=3)
    finally:
        await stop_polling(app)
    app = make_app(fake_telegram, service)  # a new process: the paging memory is gone, the store is not
    await start_polling(app)
    try:
        fake_telegram.callback_query(paged.result, buttons(paged.result)[0][1])
        [expired] = await fake_telegram.wait_for("answerCallbackQuery")
        assert "过期" in expired.params["text"]
        shown = await press(fake_telegram, suggesting.result, buttons(suggesting.result)[0][1])
        assert_html_reply(shown, "来源：《")
        anew = await next_call(
            fake_telegram, "sendMessage", ANA, lambda: fake_telegram.edited_message(question, GDP_2015)
        )
        assert_html_reply(anew, "<b>682.7亿元</b>")
    finally:
        await stop_polling(app)


# ---- shutdown ------------------------------------------------------------------------------


async def test_stopping_ends_polling_and_confirms_the_offset(fake_telegram, service):
    app = make_app(fake_telegram, service)
    await start_polling(app)
    try:
        last = fake_telegram.user_message(TRAINS_2022)
        await fake_telegram.wait_for("sendMessage")
    finally:
        await asyncio.wait_for(stop_polling(app), 10)  # no waiting out a poll or a pool timeout
    assert not app.updater.running
    await fake_telegram.wait_until(lambda: fake_telegram.polls_waiting == 0, what="no poll left open")
    assert fake_telegram.pending_updates == []
    polls = [c for c in fake_telegram.calls if c.method == "getUpdates"]
    confirm = [c for c in polls if c.ok and c.params.get("offset") == last["update_id"] + 1 and not c.result]
    assert confirm, fake_telegram.describe_calls()
    assert all(c.ok or c.abandoned for c in fake_telegram.calls), fake_telegram.describe_calls()
    late = fake_telegram.user_message(GDP_2015)  # nobody polls any more: it stays queued
    assert len([c for c in fake_telegram.calls if c.method == "getUpdates"]) == len(polls)
    assert fake_telegram.pending_updates == [late]
