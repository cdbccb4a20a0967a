"""Digest subscriptions: the commands, the schedule on PTB's JobQueue, and delivery that sends each
(chat, slot) at most once — claimed in the database before sending, marked after."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, JobQueue

from bot.render import CHART_POINTS, digest_html, split_html
from bot.render import same_spans as alike
from bot.state import subscriptions as subs
from bot.state.context import BotData, Context
from bot.state.models import DeliveryStatus, Subscription
from bot.state.schedule import ScheduleError, check_topics, parse_subscribe, parse_words
from facts.answering.digest import load_indicators
from facts.store.db import store_problem

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
ADMIN_ONLY = "抱歉，在群里只有管理员可以修改摘要订阅。"
NOT_SAVED = "抱歉，数据库现在无法保存订阅（已通知管理员），请稍后再试。"
RETRY_SECONDS = 30  # a slot that could not be delivered (database down) is tried again this soon


def known_topics() -> set[str]:
    return {t for indicator in load_indicators() for t in (indicator.name, *indicator.topics)}


def job_name(chat_id: int, thread_id: int) -> str:
    return f"digest:{chat_id}:{thread_id}"


def thread_of(update: Update) -> int:
    message = update.effective_message
    return message.message_thread_id or 0 if message and message.is_topic_message else 0


async def may_change(update: Update, context: Context) -> bool:
    """Private chats: yes. Groups: chat administrators only (anonymous admins included)."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator posts as the group itself
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


def describe(sub: Subscription, application: Application) -> str:
    """The subscription as stored, and the slot this process's scheduler really holds for it."""
    data: BotData = application.bot_data
    topics = "、".join(sub.topics) if sub.topics else "全部指标"
    state = "已开启" if sub.active else f"已停止{('（' + sub.note + '）') if sub.note else ''}"
    text = f"摘要订阅{state}：{sub.schedule}（时区 {sub.timezone}），内容：{topics}。"
    if not sub.active:
        return text + "\n用 /subscribe 重新开启。"
    zone = ZoneInfo(sub.timezone)
    slot = scheduled_slot(application, job_name(sub.chat_id, sub.thread_id))
    if slot is None:
        return text + "\n下次发送：正在安排（几秒后用 /subscriptions 查看）。"
    if slot < data.clock():
        return text + f"\n{slot.astimezone(zone).strftime('%Y-%m-%d %H:%M')} 的摘要未能按时发出，正在重试。"
    return text + f"\n下次发送：{slot.astimezone(zone).strftime('%Y-%m-%d %H:%M')}（{sub.timezone}）"


def jobs(application: Application) -> JobQueue:
    """PTB's job queue, which every Application has with python-telegram-bot[job-queue] (a dependency)."""
    if application.job_queue is None:
        raise RuntimeError("the digests need python-telegram-bot[job-queue]")
    return application.job_queue


def scheduled_slot(application: Application, name: str) -> datetime | None:
    """The slot of the digest job the scheduler holds under `name` (None: it holds none)."""
    job = jobs(application).scheduler.get_job(name)
    return job.args[1].data[2] if job is not None else None


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [daily HH:MM | weekly mon HH:MM | workdays HH:MM] [topic …] | /subscribe tz Zone."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if not await may_change(update, context):
        await message.reply_text(ADMIN_ONLY)
        return
    data = context.bot_data
    try:
        request = parse_subscribe(context.args or [], known_topics())
    except ScheduleError as err:
        await message.reply_text(str(err))
        return
    chat_id, thread_id = chat.id, thread_of(update)
    if problem := await in_thread(store_problem, data.service.engine):  # it would vanish with the file
        log.error("/subscribe in %s refused: %s", chat.id, problem)
        await message.reply_text(NOT_SAVED)
        return
    version = (await in_thread(data.service.store_info)).version
    sub = await in_thread(
        subs.subscribe,
        data.service.engine,
        chat_id,
        thread_id,
        schedule=request.schedule,
        topics=request.topics,
        timezone=request.timezone,
        default_timezone=data.settings.factbot_timezone,
        version=version,
        at=data.clock(),
    )
    schedule_job(context.application, sub)
    await message.reply_text(describe(sub, context.application))


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: stop this chat's (or topic's) digest."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if not await may_change(update, context):
        await message.reply_text(ADMIN_ONLY)
        return
    chat_id, thread_id = chat.id, thread_of(update)
    stopped = await in_thread(
        subs.deactivate, context.bot_data.service.engine, chat_id, thread_id, note="unsubscribed"
    )
    remove_job(context.application, job_name(chat_id, thread_id))
    await message.reply_text("已退订摘要。" if stopped else "这里没有订阅摘要。")


async def subscriptions(update: Update, context: Context) -> None:
    """/subscriptions: this chat's settings."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    sub = await in_thread(subs.get, context.bot_data.service.engine, chat.id, thread_of(update))
    if sub is None:
        await message.reply_text("这里还没有订阅摘要。用 /subscribe 订阅（默认每天 09:00）。")
        return
    await message.reply_text(describe(sub, context.application))


async def digest_now(update: Update, context: Context) -> None:
    """/digest [topic …]: the digest now (by default with this chat's topics, if it has a subscription)."""
    if update.effective_chat is None:
        return
    chat_id, thread_id = update.effective_chat.id, thread_of(update)
    async with context.bot_data.chat_lock((chat_id, thread_id)):  # a second /digest sees the first's mark
        await send_digest_now(update, context, chat_id, thread_id)


async def send_digest_now(update: Update, context: Context, chat_id: int, thread_id: int) -> None:
    data = context.bot_data
    sub = await in_thread(subs.get, data.service.engine, chat_id, thread_id)
    try:
        asked = check_topics(parse_words(context.args or []), known_topics()) if context.args else None
    except ScheduleError as err:
        if update.effective_message is not None:
            await update.effective_message.reply_text(str(err).replace("/subscribe", "/digest"))
        return
    # this chat's own digest moves its "since" mark; in a group only when an administrator asks
    # (anyone else gets the same digest, and the mark stays for the scheduled one)
    own = sub if sub is not None and sub.active and asked is None else None
    moves_mark = own is not None and await may_change(update, context)
    topics = list(asked) if asked is not None else (sub.topics if sub else [])
    since = own.last_digest_version if own is not None else None
    outcome = await send_digest(context.application, chat_id, thread_id, topics, since, slot=None)
    if moves_mark and outcome == DeliveryStatus.SENT:
        version = (await in_thread(data.service.store_info)).version
        await in_thread(subs.mark_digest, data.service.engine, chat_id, thread_id, version)


# ---- scheduling and delivery --------------------------------------------------------------------


def schedule_job(
    application: Application, sub: Subscription, after: datetime | None = None
) -> datetime | None:
    """(Re)schedule a subscription's next slot; returns it (None when inactive). The job's id is its name,
    so replacing it is a lookup, not a scan of every job (10 000 subscriptions restore in seconds)."""
    data: BotData = application.bot_data
    name = job_name(sub.chat_id, sub.thread_id)
    if not sub.active:
        remove_job(application, name)
        return None
    slot = subs.next_run(sub, after or data.clock())
    delay = max(timedelta(0), slot - data.clock())
    jobs(application).run_once(
        digest_job,
        delay,
        name=name,
        data=(sub.chat_id, sub.thread_id, slot),
        job_kwargs={**late_ok(data), "id": name, "replace_existing": True},
    )
    note_scheduled(data, name, sub)
    return slot


def note_scheduled(data: BotData, name: str, sub: Subscription | None) -> None:
    """What this replica's job for `name` was made from (None: no job), and when."""
    data.epoch += 1
    data.scheduled[name] = (signature(sub) if sub is not None else None, data.epoch)


def remove_job(application: Application, name: str) -> None:
    note_scheduled(application.bot_data, name, None)
    with contextlib.suppress(JobLookupError):
        jobs(application).scheduler.remove_job(name)


def signature(sub: Subscription) -> tuple:
    return sub.schedule, sub.timezone, sub.active


def late_ok(data: BotData) -> dict:
    """APScheduler drops a job that starts over a second late; 10 000 slots falling due together start
    later than that. Lateness is the delivery log's business (the grace period), not the scheduler's."""
    return {"misfire_grace_time": data.settings.factbot_digest_grace_minutes * 60}


async def digest_job(context: Context) -> None:
    """A slot is due: deliver it once, then schedule the next one. Whatever fails (the database is down),
    the chat keeps a job: the same slot is tried again a little later (the delivery log still lets it out
    once), and a slot too late for the grace period gives way to the next one."""
    application, job = context.application, context.job
    if job is None or not isinstance(job.data, tuple):
        raise TypeError("digest_job runs as a job whose data is (chat id, topic, slot)")
    chat_id, thread_id, slot = job.data
    data: BotData = application.bot_data
    data.due.add(job.name)  # the scheduler holds no job for it while it runs: the sync must know
    try:
        if data.clock() - slot >= grace(data):  # a retry that came too late: on to the next slot
            await next_slot(application, chat_id, thread_id, after=data.clock())
            return
        sub = await in_thread(subs.get, data.service.engine, chat_id, thread_id)
        if sub is None or not sub.active:
            note_scheduled(data, job_name(chat_id, thread_id), None)
            return
        if subs.next_run(sub, slot - timedelta(seconds=1)) != slot:  # the schedule changed elsewhere
            schedule_job(application, sub)
            return
        await deliver(application, sub, slot)  # a refusal by Telegram is final: it is logged as failed
        await next_slot(application, *current_chat(data, chat_id, thread_id), after=slot)
    except Exception as err:  # the database is gone (or anything else): keep the chat's digests going
        retry_slot(application, *current_chat(data, chat_id, thread_id), slot, err)
    finally:
        data.due.discard(job.name)


async def next_slot(application: Application, chat_id: int, thread_id: int, *, after: datetime) -> None:
    data: BotData = application.bot_data
    sub = await in_thread(subs.get, data.service.engine, chat_id, thread_id)
    if sub is not None and sub.active:
        schedule_job(application, sub, after=after)
    else:
        remove_job(application, job_name(chat_id, thread_id))


def retry_slot(application: Application, chat_id: int, thread_id: int, slot: datetime, why) -> None:
    """Try the slot again in RETRY_SECONDS: a claim that never reached the database is made then (one
    that did lets nothing out twice)."""
    data: BotData = application.bot_data
    name = job_name(chat_id, thread_id)
    log.error("digest to %s for %s not done (%s); trying again in %d s", chat_id, slot, why, RETRY_SECONDS)
    jobs(application).run_once(
        digest_job,
        RETRY_SECONDS,
        name=name,
        data=(chat_id, thread_id, slot),
        job_kwargs={**late_ok(data), "id": name, "replace_existing": True},
    )


def grace(data: BotData) -> timedelta:
    return timedelta(minutes=data.settings.factbot_digest_grace_minutes)


async def in_thread(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Database work off the event loop (a locked or unreachable database must not stall the bot)."""
    return await asyncio.to_thread(function, *args, **kwargs)


def current_chat(data: BotData, chat_id: int, thread_id: int) -> tuple[int, int]:
    return data.migrated.get(chat_id, chat_id), thread_id


def lease(data: BotData) -> timedelta:
    return timedelta(seconds=data.settings.factbot_delivery_lease_seconds)


async def deliver(application: Application, sub: Subscription, slot: datetime) -> str:
    """Send one slot's digest unless another sender has (or holds) it. Returns the outcome."""
    data: BotData = application.bot_data
    async with (
        data.sending
    ):  # a few at a time: the rate limiter paces them, the connection pool is not flooded
        claimed = await in_thread(
            subs.claim,
            data.service.engine,
            sub.chat_id,
            sub.thread_id,
            slot,
            owner=data.replica,
            lease=lease(data),
            at=data.clock(),
        )
        if claimed is None:
            outcome = "duplicate"
        else:
            outcome = await send_digest(
                application,
                sub.chat_id,
                sub.thread_id,
                sub.topics,
                sub.last_digest_version,
                slot=slot,
                skip=claimed.parts,
            )
    data.metrics.digests.labels(outcome).inc()
    return outcome


async def send_digest(
    application: Application,
    chat_id: int,
    thread_id: int,
    topics: list[str],
    since_version: int | None,
    *,
    slot: datetime | None,
    skip: int = 0,
) -> str:
    """Send the digest's messages (from message `skip` on: a takeover sends only the rest). With a slot,
    each message sent is recorded in the delivery log before the next one goes."""
    data: BotData = application.bot_data
    engine = data.service.engine
    version, lines, chart = await rendered_digest(data, topics, since_version)
    messages = digest_messages(lines, chart)
    done, migrated = skip, False
    try:
        while done < len(messages):
            try:
                await send_message(application.bot, chat_id, thread_id, messages[done])
            except ChatMigrated as err:  # the group became a supergroup: follow it, with its job
                if migrated:
                    raise
                migrated, old_chat_id, chat_id = True, chat_id, err.new_chat_id
                data.migrated[old_chat_id] = chat_id
                if not follow_migration(application, old_chat_id, chat_id, thread_id, slot):
                    return "duplicate"  # the supergroup has (or gets) its own digest for this slot
                continue
            done += 1
            if (
                slot is not None
                and done < len(messages)
                and not await in_thread(
                    subs.sent_part,
                    engine,
                    chat_id,
                    thread_id,
                    slot,
                    owner=data.replica,
                    parts=done,
                    lease=lease(data),
                    at=data.clock(),
                )
            ):
                log.warning("digest to %s: slot %s taken over by another replica", chat_id, slot)
                return "taken over"
    except Forbidden as err:
        await in_thread(subs.deactivate, engine, chat_id, thread_id, note=f"blocked: {err}")
        remove_job(application, job_name(chat_id, thread_id))
        log.warning("digest to %s refused (%s): subscription deactivated", chat_id, err)
        await slot_failed(engine, chat_id, thread_id, slot, error=f"forbidden: {err}", parts=done)
        return "deactivated"
    except Exception as err:  # the rate limiter already waited out 429s and retried 5xx; anything else too
        log.error("digest to %s failed: %s", chat_id, err, exc_info=not isinstance(err, TelegramError))
        await slot_failed(engine, chat_id, thread_id, slot, error=str(err), parts=done)
        return DeliveryStatus.FAILED
    if slot is not None:
        await in_thread(
            subs.finish, engine, chat_id, thread_id, slot, DeliveryStatus.SENT, version=version, parts=done
        )
    return DeliveryStatus.SENT


async def slot_failed(
    engine: Engine, chat_id: int, thread_id: int, slot: datetime | None, *, error: str, parts: int
) -> None:
    """Mark a scheduled slot failed in the delivery log (a /digest has no slot to mark)."""
    if slot is not None:
        await in_thread(
            subs.finish, engine, chat_id, thread_id, slot, DeliveryStatus.FAILED, error=error, parts=parts
        )


def follow_migration(
    application: Application, old_chat_id: int, new_chat_id: int, thread_id: int, slot: datetime | None
) -> bool:
    """Move the subscription, its delivery log and its job to the supergroup. False when the supergroup
    already has this slot (then the old group's copy is not sent)."""
    data: BotData = application.bot_data
    clashes = subs.migrate(data.service.engine, old_chat_id, new_chat_id)
    remove_job(application, job_name(old_chat_id, thread_id))
    moved = subs.get(data.service.engine, new_chat_id, thread_id)
    if moved is not None:
        schedule_job(application, moved, after=slot or data.clock())
    log.info("chat %s migrated to %s; digest follows", old_chat_id, new_chat_id)
    return slot is None or (thread_id, subs.stored(slot)) not in clashes


async def rendered_digest(data: BotData, topics: list[str], since_version: int | None):
    """(store version, HTML lines, chart as (png, caption) or None), built once per store version, topics and
    "since" mark: a fan-out to 10 000 chats renders a handful of digests, not 10 000 charts. Built in a
    worker thread (database and matplotlib), one at a time."""
    version = (await in_thread(data.service.store_info)).version
    key = (version, tuple(sorted(topics or [])), since_version)
    cached = data.digests.get(key)
    if cached is None:
        async with data.rendering:
            cached = data.digests.get(key)
            if cached is None:
                cached = data.digests[key] = await in_thread(render_digest, data, topics, since_version)
    return cached


def render_digest(data: BotData, topics: list[str], since_version: int | None):
    digest = data.service.digest(topics, since_version)
    series = [
        (i.indicator.name, i.series)
        for i in digest.items
        if len(i.series) >= CHART_POINTS and alike(i.series)
    ]
    chart = None
    if series:
        from bot.chart import digest_caption, digest_png  # noqa: PLC0415  # matplotlib only when a chart is drawn

        chart = (digest_png(series), digest_caption(series)[:1000])
    return digest.version, digest_html(digest), chart


def digest_messages(lines: list[str], chart) -> list[tuple[str, dict]]:
    """The digest as Telegram messages: the chart (if any), then the HTML text in chunks of ≤ 4096."""
    messages = [("photo", {"photo": chart[0], "caption": chart[1]})] if chart else []
    return messages + [
        ("text", {"text": chunk, "parse_mode": ParseMode.HTML, "disable_web_page_preview": True})
        for chunk in split_html(lines)
    ]


async def send_message(bot, chat_id: int, thread_id: int, message: tuple[str, dict]) -> None:
    kind, fields = message
    extra = {"message_thread_id": thread_id} if thread_id else {}
    if kind == "photo":
        await bot.send_photo(chat_id, **fields, **extra)
    else:
        await bot.send_message(chat_id, **fields, **extra)


async def restore_schedules(application: Application) -> None:
    """On start-up: schedule every active subscription again, send a slot missed while down (once, when
    it is less than the grace period late), and start the replica sync."""
    data: BotData = application.bot_data
    if data.settings.factbot_replica_id:
        data.replica = data.settings.factbot_replica_id
    for sub in subs.all_subscriptions(data.service.engine, active_only=True):
        missed = subs.missed_slot(sub, data.clock(), grace(data))
        if missed is None:
            schedule_job(application, sub)
        else:  # sent as soon as the bot runs (start-up is not held up); the job then schedules the next slot
            name = job_name(sub.chat_id, sub.thread_id)
            jobs(application).run_once(
                digest_job,
                0,
                name=name,
                data=(sub.chat_id, sub.thread_id, missed),
                job_kwargs={**late_ok(data), "id": name, "replace_existing": True},
            )
            note_scheduled(data, name, sub)
    jobs(application).run_repeating(
        sync,
        interval=data.settings.factbot_sync_seconds,
        name="replica-sync",
        job_kwargs={
            "id": "replica-sync",
            "replace_existing": True,
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": max(1, round(10 * data.settings.factbot_sync_seconds)),
        },
    )


async def sync(context: Context) -> None:
    """What other replicas did, seen here within a few seconds: a reload (the facts version in the
    database), subscriptions changed there, and digests a dead replica left half-sent."""
    application = context.application
    data: BotData = application.bot_data
    service = data.service
    if await in_thread(store_problem, service.engine):  # a SQLite file gone or read-only: logged once there
        return
    if (await in_thread(service.store_info)).version != service.version:
        await asyncio.to_thread(service.refresh)
        log.info("serving facts version %s (built elsewhere)", service.version)
    now = data.clock()
    await sync_jobs(application)
    await in_thread(subs.renew_leases, service.engine, data.replica, lease(data), at=now)
    await take_over_orphans(application, now)


async def sync_jobs(application: Application) -> None:
    """This replica's digest jobs made to match the subscriptions in the database."""
    data: BotData = application.bot_data
    service = data.service
    read_at = data.epoch  # a job (re)scheduled here after this may be newer than what the read returns
    wanted = {
        job_name(chat_id, thread_id): signature
        for (chat_id, thread_id), signature in (
            await asyncio.to_thread(subs.schedules, service.engine)
        ).items()
        if signature[2]
    }
    for name, (here, epoch) in list(data.scheduled.items()):  # unsubscribed, blocked or moved elsewhere
        if here is not None and name not in wanted and epoch <= read_at:
            remove_job(application, name)
    scheduler = jobs(application).scheduler
    for name, signature_there in wanted.items():  # subscribed or changed elsewhere, or a job that was lost
        here, epoch = data.scheduled.get(name, (None, 0))
        lost = name not in data.due and scheduler.get_job(name) is None  # what the scheduler really has
        if (here != signature_there or lost) and epoch <= read_at:
            sub = await in_thread(subs.get, service.engine, *map(int, name.split(":")[1:]))
            if sub is not None:
                if lost and here == signature_there:
                    log.warning("digest job %s was missing; scheduled again", name)
                schedule_job(application, sub)


async def take_over_orphans(application: Application, now: datetime) -> None:
    """Finish the digests whose sender stopped mid-send (lease run out), each by one task here."""
    data: BotData = application.bot_data
    service = data.service
    for delivery in await in_thread(
        subs.orphaned, service.engine, data.replica, now, since=now - grace(data)
    ):
        key = (delivery.chat_id, delivery.thread_id, subs.stored(delivery.slot))
        sub = await in_thread(subs.get, service.engine, delivery.chat_id, delivery.thread_id)
        if sub is not None and sub.active and key not in data.taking_over:
            log.warning(
                "taking over the digest of %s for %s (its sender stopped)", sub.chat_id, delivery.slot
            )
            data.taking_over.add(key)
            task = application.create_task(deliver(application, sub, key[2]), name="digest-takeover")
            task.add_done_callback(partial(forget_takeover, data, key))


def forget_takeover(data: BotData, key: tuple, _task: asyncio.Future) -> None:
    """A takeover ended (sent, failed or cancelled): the sync may take the slot over again if it is left."""
    data.taking_over.discard(key)
