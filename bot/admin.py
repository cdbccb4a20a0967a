"""Admin commands: /reload, report uploads, /stats, /facts. Everyone else is politely refused.

Every admin action, allowed or refused, is written to the audit log."""

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session
from telegram import Update
from telegram.constants import ChatType, ParseMode

from bot.handlers import markup
from bot.render import Button, esc, split_html
from bot.state import counters
from bot.state.audit import entry, log_action
from bot.state.context import Context
from bot.uploads import UploadRefused, check_upload, reason_zh, refuse_size, safe_report_name
from facts.errors import FactbotError
from facts.store.changes import ReloadDiff
from facts.store.service import FactService

log = logging.getLogger(__name__)
REFUSED = "抱歉，这个操作只对管理员开放。"
SHOWN = 8  # changed or new facts listed in a reply
STAGING = ".upload-"  # an upload being built: .upload-<random>-<name> (hidden: no build reads it)


def is_admin(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.bot_data.settings.admin_ids


def who(update: Update) -> dict:
    user = update.effective_user
    return {
        "user_id": user.id if user else None,
        "username": (user.username or user.full_name) if user else "",
    }


async def audit(update: Update, context: Context, action: str, detail: str = "", outcome: str = "ok") -> None:
    """Write the audit row off the event loop; a database that cannot take it is logged, not raised."""
    try:
        await asyncio.to_thread(
            log_action, context.bot_data.service.engine, action, detail=detail, outcome=outcome, **who(update)
        )
    except Exception as err:
        log.error("audit: could not record %s (%s) by %s: %s", action, outcome, who(update), err)


async def reply(update: Update, text: str, **kwargs: Any) -> None:
    """Answer the update's message (or the message under the pressed button)."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, **kwargs)


def failure(err: Exception) -> str:
    """What the admin is told: our own errors say why; the database's say only that it failed."""
    return str(err) if isinstance(err, FactbotError) else f"数据库或系统错误（{type(err).__name__}）"


async def private_only(update: Update, context: Context, action: str) -> bool:
    """True (and a hint, audited) when an admin's report was asked for in a group: everyone there
    would read it."""
    if update.effective_chat is None or update.effective_chat.type == ChatType.PRIVATE:
        return False
    await audit(update, context, action, outcome="refused: not a private chat")
    await reply(update, f"请在与我的私聊中使用 /{action}：群里的每个人都会看到结果。")
    return True


async def refuse(update: Update, context: Context, action: str) -> bool:
    """True (and a polite refusal, audited) when the user is not an admin."""
    if is_admin(update, context):
        return False
    await audit(update, context, action, outcome="refused")
    await reply(update, REFUSED)
    return True


def diff_lines(diff: ReloadDiff) -> list[str]:
    lines = [f"重新加载完成：{diff.documents} 份报告，{diff.facts} 条数据。"]
    if diff.unchanged:
        lines.append("与之前相比没有变化。")
    for title, items in (
        ("新增报告", diff.documents_added),
        ("移除报告", diff.documents_removed),
        ("新增数据", diff.facts_added),
        ("移除数据", diff.facts_removed),
        ("变化的数据", diff.facts_changed),
    ):
        if items:
            lines.append(f"<b>{title}</b>（{len(items)}）：")
            lines += [f"• {esc(item)}" for item in items[:SHOWN]]
            if len(items) > SHOWN:
                lines.append(f"… 另有 {len(items) - SHOWN} 条")
    if diff.skipped:
        lines.append(f"<b>跳过的文件</b>（{len(diff.skipped)}）：")
        lines += [f"• {esc(name)}：{esc(reason_zh(reason))}" for name, reason in diff.skipped]
    return lines


async def rebuild(
    context: Context,
    *,
    staged: dict[str, Path] | None = None,
    also: Callable[[Session, ReloadDiff], None] | None = None,
) -> ReloadDiff:
    """Rebuild in a worker thread (questions keep being answered from the old facts), then switch. The
    facts, the change log and `also`'s rows (the audit entry) commit together or not at all; a staged
    upload is moved into the seeds folder only once they have."""
    service = context.bot_data.service
    async with context.bot_data.reloading:
        diff = await asyncio.to_thread(service.reload, serve=False, staged=staged, also=also)
        for name, path in (staged or {}).items():
            path.replace(context.bot_data.settings.factbot_seeds_dir / name)
        await asyncio.to_thread(service.refresh, force=True)
    return diff


def reload_detail(diff: ReloadDiff) -> str:
    return (
        f"{diff.documents} documents, {diff.facts} facts, "
        f"+{len(diff.facts_added)} -{len(diff.facts_removed)} ~{len(diff.facts_changed)}"
    )


async def reload(update: Update, context: Context) -> None:
    """/reload: rebuild from the seeds folder and report what changed."""
    if await refuse(update, context, "reload"):
        return
    message = update.effective_message
    if message is None:
        return

    def audited(session: Session, diff: ReloadDiff) -> None:
        session.add(entry("reload", detail=reload_detail(diff), **who(update)))

    await message.reply_text("正在重新加载报告，期间照常回答问题……")
    try:
        diff = await rebuild(context, also=audited)
    except Exception as err:  # a bad folder, or the database: nothing changed, and the admin is told
        log.error("reload failed: %s", err, exc_info=not isinstance(err, FactbotError))
        await audit(update, context, "reload", outcome=f"failed: {err}")
        await message.reply_text(f"重新加载失败，仍在使用之前的数据。原因：{failure(err)}")
        return
    for chunk in split_html(diff_lines(diff)):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML)


async def upload(update: Update, context: Context) -> None:
    """A report sent as a document (admins, private chat): check, save, reload, show what it added."""
    if await refuse(update, context, "upload"):
        return
    message = update.effective_message
    if message is None or message.document is None:
        return
    document = message.document
    settings = context.bot_data.settings
    try:
        name = safe_report_name(document.file_name or "")
        refuse_size(document.file_size or 0, settings.factbot_max_upload_bytes)  # before downloading it
        data = bytes(await (await document.get_file()).download_as_bytearray())
        check_upload(name, data, settings.factbot_max_upload_bytes)
    except UploadRefused as err:
        await audit(update, context, "upload", detail=document.file_name or "", outcome=f"refused: {err}")
        await message.reply_text(f"没有保存：{err}")
        return
    if (settings.factbot_seeds_dir / name).exists():
        key = context.bot_data.remember_upload(name, data)
        await message.reply_text(
            f"已有同名报告 {name}，要覆盖吗？",
            reply_markup=markup([[Button("覆盖", f"up:yes:{key}"), Button("取消", f"up:no:{key}")]]),
        )
        return
    await store_upload(update, context, name, data)


def upload_button(data: str | None) -> tuple[str, str] | None:
    """(choice, key) of a 覆盖 / 取消 button (up:yes:<key>, up:no:<key>); None for anything else."""
    match (data or "").split(":"):
        case [_, "yes" | "no" as choice, key] if key:
            return choice, key
    return None


async def upload_choice(update: Update, context: Context) -> None:
    """The 覆盖 / 取消 buttons under a same-named upload."""
    query = update.callback_query
    if query is None:
        return
    pressed = upload_button(query.data)
    if pressed is None:  # not a button we made
        await query.answer("这个按钮已失效。")
        return
    choice, key = pressed
    if not is_admin(update, context):  # before anything else: a member's press must not cancel the upload
        await audit(update, context, "upload", detail=f"button {choice}", outcome="refused")
        await query.answer(REFUSED)
        return
    pending = context.bot_data.uploads.pop(key, None)
    if pending is None:
        await query.answer("这次上传已过期，请重新发送文件。")
        return
    await query.answer()
    name, data = pending
    if choice != "yes":
        await query.edit_message_text(f"已取消，{name} 保持不变。")
        return
    await query.edit_message_text(f"正在覆盖 {name} ……")
    await store_upload(update, context, name, data)


async def store_upload(update: Update, context: Context, name: str, data: bytes) -> None:
    """Build with the upload read from a staging file (hidden: no build or /reload reads it); it replaces
    the seeds folder's file only once the store has switched. Any failure leaves the folder as it was."""
    folder = context.bot_data.settings.factbot_seeds_dir
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f"{STAGING}{secrets.token_hex(4)}-{name}"
    await asyncio.to_thread(staging.write_bytes, data)

    def accepted(session: Session, diff: ReloadDiff) -> None:
        skipped = dict(diff.skipped)
        if name in skipped:  # raising here rolls the whole build back
            raise UploadRefused(skipped[name])
        facts = diff.facts_by_doc.get(name, 0)
        session.add(entry("upload", detail=f"{name}: {facts} facts", **who(update)))

    try:
        await rebuild(context, staged={name: staging}, also=accepted)
    except Exception as err:  # the store did not switch: the old facts and the old file are still there
        staging.unlink(missing_ok=True)
        if isinstance(err, UploadRefused):
            await audit(update, context, "upload", detail=name, outcome=f"refused: {err}")
            await reply(update, f"没有保存 {name}：{reason_zh(str(err))}。")
            return
        log.error("upload of %s failed: %s", name, err, exc_info=not isinstance(err, FactbotError))
        await audit(update, context, "upload", detail=name, outcome=f"failed: {err}")
        await reply(update, f"已撤回 {name}：重新加载失败（{failure(err)}），仍在使用之前的数据。")
        return
    facts = await asyncio.to_thread(context.bot_data.service.facts, name)
    lines = [f"已保存 {esc(name)} 并重新加载：这份报告有 {len(facts)} 条数据。"]
    lines += [
        f"• {esc(f.figure)} {esc(f.indicator)}（{esc(f.period_label or '时间不详')}）" for f in facts[:5]
    ]
    if not facts:
        lines.append("（没有找到带单位的数字。）")
    for chunk in split_html(lines):
        await reply(update, chunk, parse_mode=ParseMode.HTML)


def recover_uploads(service: FactService, folder: Path) -> None:
    """On start-up, the staging files of an upload whose process was killed: moved in when the store
    had switched to them (a stored report of that name has the same SHA-256), deleted otherwise."""
    if not folder.is_dir():
        return
    stored = {document.name: document.sha256 for document in service.documents()}
    for path in folder.glob(f"{STAGING}*"):
        name = path.name.split("-", 2)[-1]
        if stored.get(name) == hashlib.sha256(path.read_bytes()).hexdigest():
            path.replace(folder / name)
            log.warning("upload %s was built before the bot stopped: moved into the seeds folder", name)
        else:
            path.unlink()
            log.warning("upload %s was not built before the bot stopped: discarded", name)


async def stats(update: Update, context: Context) -> None:
    """/stats: documents, facts, questions answered and abstained, the last reload."""
    if await refuse(update, context, "stats") or await private_only(update, context, "stats"):
        return
    service = context.bot_data.service
    info = await asyncio.to_thread(service.store_info)
    s = await asyncio.to_thread(counters.stats, service.engine, info, service.settings.factbot_timezone)
    last = s["last_reload"]
    lines = [
        f"报告 {s['documents']} 份，数据 {s['facts']} 条（构建于 {s['built_at'] or '—'}）",
        f"今天：回答 {s['answered_today']}，未找到 {s['abstained_today']}",
        f"近 7 天：回答 {s['answered_7d']}，未找到 {s['abstained_7d']}",
        f"摘要订阅：{s['subscriptions_active']} 个开启，{s['subscriptions_inactive']} 个停止",
        "上次重新加载：" + (f"{last['at']} {last['action']}（{last['outcome']}）" if last else "—"),
    ]
    await audit(update, context, "stats")
    await reply(update, "\n".join(lines))


async def facts(update: Update, context: Context) -> None:
    """/facts 问题: the raw matching facts with ids, scores and fields, to diagnose an answer."""
    if await refuse(update, context, "facts") or await private_only(update, context, "facts"):
        return
    question = " ".join(context.args or [])
    if not question:
        await reply(update, "用法：/facts 问题")
        return
    answer = context.bot_data.service.answer(question, limit=10)
    shown = answer.results or answer.suggestions
    lines = [
        f"answered={answer.answered} reason={esc(answer.reason) or '-'} terms={esc(' '.join(answer.query.terms) if answer.query else '')}"
    ]
    for s in shown:
        r = s.fact.row
        lines.append(
            f"<code>#{r.id} {s.score:.3f} {esc(r.figure)} | {esc(r.indicator)} | {esc(r.period_label or '-')}"
            f" | {esc(r.subject_name or '-')} | {r.kind}/{r.measure} | {esc(r.doc)}:{r.line}</code>"
        )
    if not shown:
        lines.append("没有候选数据。")
    await audit(update, context, "facts", detail=question)
    for chunk in split_html(lines):
        await reply(update, chunk, parse_mode=ParseMode.HTML)
