"""Telegram handlers: parse the update, ask the fact service, render, reply. Nothing else."""

import asyncio
import base64
import contextlib
import logging
from functools import partial

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from bot.outbox import SLOW_DOWN
from bot.render import EXAMPLES, Button, Reply, esc, fact_html, render_html, split_html
from bot.state.context import Context
from bot.state.counters import count_question
from facts.answering.answer import Answer

log = logging.getLogger(__name__)
GREETING = (
    "您好！我是 factbot：回答关于江津区经济数据的问题，每个数字都注明报告、行号和原文。"
    "报告里没有的数字，我会直说没有。试试这些："
)
HELP = (
    "直接发问题即可（群里请用 /ask 问题、@我 或回复我的消息）。\n"
    "例如：2022年江津班列开了多少列？ / 江津综保区2022年进出口额 / 江津GDP历年变化\n"
    "命令：/ask 提问 · /sources 数据来源 · /about 关于\n"
    "也可以在任意聊天里输入 @{username} 问题 使用内联查询。"
)
ABOUT = (
    "factbot 从江津区的经济报告中抽取每一个数字（数值、单位、时期、主体、指标、原文与行号），"
    "按问题的指标、时期和主体匹配；找不到对应时期或主体的数字时不会用别的年份代替。"
)
UNKNOWN = "没有这个命令。可用命令：/ask /help /sources /about ，或者直接发送问题。"


def markup(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in rows]
    )


def send_reply(update: Update | None, message: Message, context: Context, reply: Reply) -> asyncio.Future:
    """Queue a rendered reply in the chat's outbox; the future gets the first text message once it is
    sent (None if it could not be). The handler does not wait for it."""
    return send_answer(update, message, context, reply)[0]


def send_answer(
    update: Update | None, message: Message, context: Context, reply: Reply
) -> tuple[asyncio.Future, asyncio.Future | None]:
    """Queue a rendered reply (chart first when there is one): futures of the first text message and of
    the chart's message (None without a chart)."""
    outbox = context.bot_data.outbox
    chart = None
    if reply.chart:
        from bot.chart import series_png  # noqa: PLC0415  # matplotlib loads only when a chart is drawn

        head = max(reply.chart, key=lambda s: s.score).fact.row
        png, caption = series_png(reply.chart), f"{head.indicator}（单位：{head.unit}）"[:1000]
        chart = outbox.send(
            message.chat_id, partial(message.reply_photo, png, caption=caption, do_quote=False), update
        )
    first: asyncio.Future | None = None
    for i, chunk in enumerate(reply.chunks):
        last = i == len(reply.chunks) - 1
        sent = outbox.send(
            message.chat_id,
            partial(
                message.reply_text,
                chunk,
                parse_mode=ParseMode.HTML,
                do_quote=i == 0 and message.chat.type != ChatType.PRIVATE,
                reply_markup=markup(reply.buttons) if last else None,
                disable_web_page_preview=True,
            ),
            update,
        )
        first = first or sent
    if first is None:
        raise ValueError("a reply has at least one chunk of text (split_html always gives one)")
    return first, chart


def reply_and_remember(
    update: Update | None, message: Message, context: Context, reply: Reply
) -> asyncio.Future:
    """Answer a question, remembering which messages answered it (an edit of it edits them)."""
    first, chart = send_answer(update, message, context, reply)
    remember_reply(context, message, first, chart)
    return first


def say(update: Update, context: Context, text: str, **kwargs) -> asyncio.Future | None:
    """Queue a plain reply to the update's message in the chat's outbox (None: no message to reply to)."""
    message = update.effective_message
    if message is None:
        return None
    return context.bot_data.outbox.send(message.chat_id, partial(message.reply_text, text, **kwargs), update)


def render(answer: Answer, context: Context, page: int = 0) -> Reply:
    data = context.bot_data
    key = data.remember(answer, data.service.version) if len(answer.results) > 1 else ""
    return render_html(answer, key, page)


def remember_reply(
    context: Context, message: Message, sent: asyncio.Future, chart: asyncio.Future | None = None
) -> None:
    """Once the answer is out: which messages answer this question (an edit of it edits the answer, and
    replaces a chart)."""
    key = (message.chat_id, message.message_id)
    if chart is None:
        context.bot_data.charts.pop(key, None)
    else:
        chart.add_done_callback(
            lambda f: (
                f.result() is not None and context.bot_data.charts.__setitem__(key, f.result().message_id)
            )
        )

    def done(future: asyncio.Future) -> None:
        if future.result() is not None:
            context.bot_data.replies[key] = future.result().message_id

    sent.add_done_callback(done)


async def answer_question(
    update: Update, context: Context, question: str, message: Message | None = None
) -> None:
    """Answer in the chat's outbox; a chat with a backlog of replies is asked to slow down instead."""
    message = message or update.effective_message
    if message is None:
        return
    outbox = context.bot_data.outbox
    if not outbox.accepts(message.chat_id, partial(message.reply_text, SLOW_DOWN), update):
        return
    answer = context.bot_data.metrics.answer(context.bot_data.service, question)
    sent = reply_and_remember(update, message, context, render(answer, context))
    sent.add_done_callback(lambda _: count_later(context, answer.answered))  # after the reply


def count_later(context: Context, answered: bool) -> None:
    """Count the question after the reply, in a worker thread: a locked or lost database delays the
    count (or loses it, logged), never the reply."""
    service = context.bot_data.service

    async def count() -> None:
        try:
            await asyncio.to_thread(count_question, service.engine, answered, service.today())
        except Exception as err:
            log.warning("a question was answered but not counted: %s", err)

    context.application.create_task(count(), name="count-question")


def addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message addressed to the bot (mention or reply), else None."""
    text = message.text or ""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if (entity.type == MessageEntity.MENTION and value.lower() == f"@{username.lower()}") or (
            entity.user is not None and entity.user.id == bot_id
        ):
            return (
                (text[: entity.offset] + text[entity.offset + entity.length :]).strip()
                if entity.type == MessageEntity.MENTION
                else text.replace(value, "").strip()
            )
    return None


async def start(update: Update, context: Context) -> None:
    """/start, with deep links: /start f_12 shows fact 12, /start q_<base64> asks a question."""
    payload = context.args[0] if context.args else ""
    if payload.startswith("q_"):
        try:
            question = base64.urlsafe_b64decode(payload[2:] + "=" * (-len(payload[2:]) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            question = ""
        if question:
            await answer_question(update, context, question)
            return
    if payload.startswith("f_") and payload[2:].isdigit() and update.effective_message is not None:
        await show_fact(update, update.effective_message, context, int(payload[2:]))
        return
    rows = [[Button(example, f"ex:{i}")] for i, example in enumerate(EXAMPLES)]
    say(update, context, GREETING, reply_markup=markup(rows))


async def help_command(update: Update, context: Context) -> None:
    """/help."""
    say(update, context, HELP.format(username=context.bot.username))


async def about(update: Update, context: Context) -> None:
    """/about."""
    say(update, context, ABOUT)


async def sources(update: Update, context: Context) -> None:
    """/sources: the reports, their years and how many facts each gave."""
    message = update.effective_message
    if message is None:
        return
    lines = ["数据来源报告："]
    for doc in await asyncio.to_thread(context.bot_data.service.documents):
        year = f"{doc.report_year}年" if doc.report_year else "年份不详"
        lines.append(f"• 《{esc(doc.title)}》 {esc(doc.name)}，{year}，{doc.facts}条数据")
    send_reply(update, message, context, Reply(chunks=split_html(lines), buttons=[]))


async def ask_command(update: Update, context: Context) -> None:
    """/ask 问题 (also /ask@bot; /ask as a reply asks the replied message)."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or [])
    if not question and message.reply_to_message is not None:
        question = message.reply_to_message.text or ""
    if not question.strip():
        say(update, context, "用法：/ask 问题，例如 /ask 2022年江津班列开了多少列？")
        return
    await answer_question(update, context, question)


async def private_text(update: Update, context: Context) -> None:
    """Any text in a private chat is a question."""
    if update.effective_message is not None:
        await answer_question(update, context, update.effective_message.text or "")


async def group_text(update: Update, context: Context) -> None:
    """In groups, answer only when addressed: a mention of the bot or a reply to it."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_text(message, context.bot.username, context.bot.id)
    if question is not None:
        await answer_question(update, context, question)


async def edited_text(update: Update, context: Context) -> None:
    """An edited question: edit the earlier answer (or answer anew when it is unknown)."""
    message = update.edited_message
    if message is None:
        return
    question = edited_question(message, context.bot.username, context.bot.id)
    if not question:
        return
    answer = context.bot_data.metrics.answer(context.bot_data.service, question)
    reply = render(answer, context)
    key = (message.chat_id, message.message_id)
    earlier, chart = context.bot_data.replies.get(key), context.bot_data.charts.get(key)
    if earlier is not None and (chart is not None or reply.chart):
        # a chart cannot be edited into text or out of it: the old answer goes, a fresh one comes
        for old in (chart, earlier):
            if old is not None:
                with contextlib.suppress(BadRequest):  # already deleted by the user
                    await context.bot.delete_message(message.chat_id, old)
        earlier = None
    if earlier is not None:
        try:
            await context.bot.edit_message_text(
                reply.chunks[0],
                chat_id=message.chat_id,
                message_id=earlier,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(reply.buttons),
                disable_web_page_preview=True,
            )
            return
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return
            if "not found" not in str(err).lower():
                raise
            # the user deleted the answer: a fresh one
    reply_and_remember(update, message, context, reply)


def edited_question(message: Message, username: str, bot_id: int) -> str | None:
    """The question an edited message asks, as it would have been asked new (None or "": none)."""
    text = message.text or ""
    command = text.split(maxsplit=1)[0].lower() if text.startswith("/") else ""
    if command in {"/ask", f"/ask@{username.lower()}"}:
        return text.partition(" ")[2]
    if command:
        return None  # other commands are not re-run on an edit
    if message.chat.type == ChatType.PRIVATE:
        return text
    return addressed_text(message, username, bot_id)


async def show_fact(update: Update, message: Message, context: Context, fact_id: int) -> None:
    scored = context.bot_data.service.fact(fact_id)
    if scored is None:
        gone = "这条数据已不在库中（数据可能已重新加载），请重新提问。"
        context.bot_data.outbox.send(message.chat_id, partial(message.reply_text, gone), update)
        return
    titles = {d.name: d.title for d in await asyncio.to_thread(context.bot_data.service.documents)}
    send_reply(update, message, context, Reply(chunks=["\n".join(fact_html(scored, titles))]))


async def button(update: Update, context: Context) -> None:
    """Buttons: more:<key>:<page> pages an answer; fact:<id> shows a suggested fact; ex:<i> asks an example."""
    query = update.callback_query
    if query is None:
        return
    message = query.message if isinstance(query.message, Message) else None  # None: too old to reply to
    kind, _, rest = (query.data or "").partition(":")
    if kind == "more":
        key, _, page = rest.partition(":")
        version, answer = context.bot_data.answers.get(key) or (None, None)
        if answer is None or not page.isdigit():
            await query.answer("这条回答已过期，请重新提问。")
            return
        if version != context.bot_data.service.version:
            await query.answer("数据已重新加载，这条回答已过期，请重新提问。", show_alert=True)
            return
        reply = render_html(answer, key, int(page))
        await query.answer()
        await query.edit_message_text(
            reply.chunks[0],
            parse_mode=ParseMode.HTML,
            reply_markup=markup(reply.buttons),
            disable_web_page_preview=True,
        )
    elif kind == "fact" and rest.isdigit() and message is not None:
        await query.answer()
        await show_fact(update, message, context, int(rest))
    elif kind == "ex" and rest.isdigit() and int(rest) < len(EXAMPLES) and message is not None:
        await query.answer()
        await answer_question(update, context, EXAMPLES[int(rest)], message)
    else:
        await query.answer("这个按钮已失效。")


async def inline_query(update: Update, context: Context) -> None:
    """@bot 问题 in any chat: up to 10 matching facts as articles."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    if not text:
        await query.answer(
            [],
            cache_time=5,
            button=InlineQueryResultsButton("输入问题，例如 2022年江津班列开行量", start_parameter="help"),
        )
        return
    answer = context.bot_data.service.answer(text, limit=10)
    results = []
    for scored in answer.results[:10]:
        row = scored.fact.row
        title = answer.titles.get(row.doc) or row.doc
        results.append(
            InlineQueryResultArticle(
                id=str(row.id),
                title=f"{row.figure} {row.indicator}"[:100],
                description=f"{row.period_label or '时间不详'} · 《{title}》"[:200],
                input_message_content=InputTextMessageContent(
                    "\n".join(fact_html(scored, answer.titles)), parse_mode=ParseMode.HTML
                ),
            )
        )
    button_ = None if results else InlineQueryResultsButton("报告中没有找到这项数据", start_parameter="help")
    await query.answer(results, cache_time=10, button=button_)


async def unknown_command(update: Update, context: Context) -> None:
    """A command we do not have: a short hint (in groups only when it was meant for us)."""
    message = update.effective_message
    if message is None:
        return
    command = (message.text or "").split()[0]
    if message.chat.type != ChatType.PRIVATE and not command.lower().endswith(
        f"@{context.bot.username.lower()}"
    ):
        return
    say(update, context, UNKNOWN)
