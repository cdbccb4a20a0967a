"""Digest subscriptions: the commands, the schedule on PTB's JobQueue, and delivery that sends each
(chat, slot) at most once — claimed in the database before sending, marked after."""
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.render import digest_html, split_html
from bot.render import same_spans as alike
from bot.state import BotData, Context
from facts import subscriptions as subs
from facts.digest import load_indicators
from facts.models import Subscription
from facts.schedule import ScheduleError, parse_subscribe

log = logging.getLogger(__name__)
ADMIN_ONLY = "抱歉，在群里只有管理员可以修改摘要订阅。"


def known_topics() -> set[str]:
    return {t for indicator in load_indicators() for t in (indicator.name, *indicator.topics)}


def job_name(chat_id: int, thread_id: int) -> str:
    return f"digest:{chat_id}:{thread_id}"


def thread_of(update: Update) -> int:
    message = update.effective_message
    return message.message_thread_id or 0 if message and message.is_topic_message else 0


async def may_change(update: Update, context: Context) -> bool:
    """Private chats: yes. Groups: chat administrators only (anonymous admins included)."""
    chat, message = update.effective_chat, update.effective_message
    if chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator posts as the group itself
    member = await context.bot.get_chat_member(chat.id, update.effective_user.id)
    return member.status in {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


def describe(sub: Subscription, data: BotData) -> str:
    topics = "、".join(sub.topics) if sub.topics else "全部指标"
    state = "已开启" if sub.active else f"已停止{('（' + sub.note + '）') if sub.note else ''}"
    text = f"摘要订阅{state}：{sub.schedule}（时区 {sub.timezone}），内容：{topics}。"
    if not sub.active:
        return text + "\n用 /subscribe 重新开启。"
    when = subs.next_run(sub, data.clock()).astimezone(ZoneInfo(sub.timezone))
    return text + f"\n下次发送：{when.strftime('%Y-%m-%d %H:%M')}（{sub.timezone}）"


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [daily HH:MM | weekly mon HH:MM | workdays HH:MM] [topic …] | /subscribe tz Zone."""
    if not await may_change(update, context):
        await update.effective_message.reply_text(ADMIN_ONLY)
        return
    data = context.bot_data
    try:
        request = parse_subscribe(context.args or [], known_topics())
    except ScheduleError as err:
        await update.effective_message.reply_text(str(err))
        return
    chat_id, thread_id = update.effective_chat.id, thread_of(update)
    sub = subs.subscribe(data.service.engine, chat_id, thread_id, schedule=request.schedule, topics=request.topics,
                         timezone=request.timezone, default_timezone=data.settings.factbot_timezone,
                         version=data.service.store_info().version)
    schedule_job(context.application, sub)
    await update.effective_message.reply_text(describe(sub, data))


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: stop this chat's (or topic's) digest."""
    if not await may_change(update, context):
        await update.effective_message.reply_text(ADMIN_ONLY)
        return
    chat_id, thread_id = update.effective_chat.id, thread_of(update)
    stopped = subs.deactivate(context.bot_data.service.engine, chat_id, thread_id, note="unsubscribed")
    for job in context.job_queue.get_jobs_by_name(job_name(chat_id, thread_id)):
        job.schedule_removal()
    await update.effective_message.reply_text("已退订摘要。" if stopped else "这里没有订阅摘要。")


async def subscriptions(update: Update, context: Context) -> None:
    """/subscriptions: this chat's settings."""
    sub = subs.get(context.bot_data.service.engine, update.effective_chat.id, thread_of(update))
    if sub is None:
        await update.effective_message.reply_text("这里还没有订阅摘要。用 /subscribe 订阅（默认每天 09:00）。")
        return
    await update.effective_message.reply_text(describe(sub, context.bot_data))


async def digest_now(update: Update, context: Context) -> None:
    """/digest: the digest now (with this chat's topics, if it has a subscription)."""
    chat_id, thread_id = update.effective_chat.id, thread_of(update)
    sub = subs.get(context.bot_data.service.engine, chat_id, thread_id)
    topics = sub.topics if sub else list(context.args or [])
    await send_digest(context.application, chat_id, thread_id, topics, sub.last_digest_version if sub else None,
                      slot=None)


# ---- scheduling and delivery --------------------------------------------------------------------


def schedule_job(application: Application, sub: Subscription, after: datetime | None = None) -> datetime | None:
    """(Re)schedule a subscription's next slot; returns it (None when inactive)."""
    for job in application.job_queue.get_jobs_by_name(job_name(sub.chat_id, sub.thread_id)):
        job.schedule_removal()
    if not sub.active:
        return None
    data: BotData = application.bot_data
    slot = subs.next_run(sub, after or data.clock())
    delay = max(timedelta(0), slot - data.clock())
    application.job_queue.run_once(digest_job, delay, name=job_name(sub.chat_id, sub.thread_id),
                                   data=(sub.chat_id, sub.thread_id, slot), job_kwargs=late_ok(data))
    return slot


def late_ok(data: BotData) -> dict:
    """APScheduler drops a job that starts over a second late; 10 000 slots falling due together start
    later than that. Lateness is the delivery log's business (the grace period), not the scheduler's."""
    return {"misfire_grace_time": data.settings.factbot_digest_grace_minutes * 60}


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A slot is due: deliver it once, then schedule the next one."""
    chat_id, thread_id, slot = context.job.data
    data: BotData = context.application.bot_data
    sub = subs.get(data.service.engine, chat_id, thread_id)
    if sub is None or not sub.active:
        return
    await deliver(context.application, sub, slot)
    sub = subs.get(data.service.engine, *current_chat(data, chat_id, thread_id))
    if sub is not None and sub.active:
        schedule_job(context.application, sub, after=slot)


def current_chat(data: BotData, chat_id: int, thread_id: int) -> tuple[int, int]:
    return data.migrated.get(chat_id, chat_id), thread_id


async def deliver(application: Application, sub: Subscription, slot: datetime) -> str:
    """Send one slot's digest unless it was sent (or claimed) before. Returns the outcome."""
    data: BotData = application.bot_data
    async with data.sending:  # a few at a time: the rate limiter paces them, the connection pool is not flooded
        if not subs.claim(data.service.engine, sub.chat_id, sub.thread_id, slot):
            return "duplicate"
        return await send_digest(application, sub.chat_id, sub.thread_id, sub.topics, sub.last_digest_version,
                                 slot=slot)


async def send_digest(application: Application, chat_id: int, thread_id: int, topics: list[str],
                      since_version: int | None, slot: datetime | None) -> str:
    data: BotData = application.bot_data
    engine = data.service.engine
    version, lines, chart = rendered_digest(data, topics, since_version)
    bot = application.bot
    try:
        try:
            await _send(bot, chat_id, thread_id, lines, chart)
        except ChatMigrated as err:  # the group became a supergroup: follow it, with its job
            clashes = subs.migrate(engine, chat_id, err.new_chat_id)
            data.migrated[chat_id] = err.new_chat_id
            for job in application.job_queue.get_jobs_by_name(job_name(chat_id, thread_id)):
                job.schedule_removal()
            moved = subs.get(engine, err.new_chat_id, thread_id)
            if moved is not None:
                schedule_job(application, moved, after=slot or data.clock())
            log.info("chat %s migrated to %s; digest follows", chat_id, err.new_chat_id)
            chat_id = err.new_chat_id
            if slot is not None and (thread_id, subs.stored(slot)) in clashes:
                return "duplicate"  # the supergroup has (or gets) its own digest for this slot
            await _send(bot, chat_id, thread_id, lines, chart)
    except Forbidden as err:
        subs.deactivate(engine, chat_id, thread_id, note=f"blocked: {err}")
        for job in application.job_queue.get_jobs_by_name(job_name(chat_id, thread_id)):
            job.schedule_removal()
        log.warning("digest to %s refused (%s): subscription deactivated", chat_id, err)
        if slot is not None:
            subs.finish(engine, chat_id, thread_id, slot, "failed", error=f"forbidden: {err}")
        return "deactivated"
    except TelegramError as err:  # the rate limiter already waited out 429s and retried 5xx
        log.error("digest to %s failed: %s", chat_id, err)
        if slot is not None:
            subs.finish(engine, chat_id, thread_id, slot, "failed", error=str(err))
        return "failed"
    if slot is not None:
        subs.finish(engine, chat_id, thread_id, slot, "sent", version=version)
    return "sent"


def rendered_digest(data: BotData, topics: list[str], since_version: int | None):
    """(store version, HTML lines, chart as (png, caption) or None), built once per store version, topics and
    "since" mark: a fan-out to 10 000 chats renders a handful of digests, not 10 000 charts."""
    version = data.service.store_info().version
    key = (version, tuple(sorted(topics or [])), since_version)
    cached = data.digests.get(key)
    if cached is None:
        digest = data.service.digest(topics, since_version)
        series = [(i.indicator.name, i.series) for i in digest.items if len(i.series) >= 3 and alike(i.series)]
        chart = None
        if series:
            from bot.chart import digest_caption, digest_png  # matplotlib only when a chart is drawn

            chart = (digest_png(series), digest_caption(series)[:1000])
        cached = data.digests[key] = (digest.version, digest_html(digest), chart)
    return cached


async def _send(bot, chat_id: int, thread_id: int, lines: list[str], chart) -> None:
    extra = {"message_thread_id": thread_id} if thread_id else {}
    if chart:
        await bot.send_photo(chat_id, chart[0], caption=chart[1], **extra)
    for chunk in split_html(lines):
        await bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML, disable_web_page_preview=True, **extra)


async def restore_schedules(application: Application) -> None:
    """On start-up: schedule every active subscription again, and send a slot missed while down
    (once, when it is less than the grace period late)."""
    data: BotData = application.bot_data
    grace = timedelta(minutes=data.settings.factbot_digest_grace_minutes)
    for sub in subs.all_subscriptions(data.service.engine, active_only=True):
        missed = subs.missed_slot(sub, data.clock(), grace)
        if missed is None:
            schedule_job(application, sub)
        else:  # sent as soon as the bot runs (start-up is not held up); the job then schedules the next slot
            application.job_queue.run_once(digest_job, 0, name=job_name(sub.chat_id, sub.thread_id),
                                           data=(sub.chat_id, sub.thread_id, missed), job_kwargs=late_ok(data))


def subscription_rows(engine, clock=lambda: datetime.now(UTC)) -> list[dict]:
    """For `factbot subscriptions`: one dict per subscription."""
    rows = []
    for sub in subs.all_subscriptions(engine):
        rows.append({"chat_id": sub.chat_id, "thread_id": sub.thread_id, "schedule": sub.schedule,
                     "timezone": sub.timezone, "topics": sub.topics, "active": sub.active,
                     "next_run": subs.next_run(sub, clock()).isoformat() if sub.active else None,
                     "note": sub.note})
    return rows

