"""The Telegram application: one function builds it and registers every handler in one table; it runs
by long polling (the default) or behind a webhook, with /healthz and /metrics (bot/web.py)."""

import asyncio
import logging
import re
import signal
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import admin, handlers, subscribe
from bot.errors import on_error
from bot.limiter import RetryingRateLimiter
from bot.metrics import CountingRequest, Metrics
from bot.outbox import Outbox
from bot.state.context import BotData
from bot.state.settings import Settings
from bot.web import Health, make_web_app, serve
from facts.store.service import FactService

log = logging.getLogger(__name__)

COMMANDS_ZH = [
    BotCommand("start", "开始使用"),
    BotCommand("help", "使用说明"),
    BotCommand("ask", "提问，例如 /ask 2022年江津班列开了多少列"),
    BotCommand("sources", "数据来源报告"),
    BotCommand("about", "关于 factbot"),
    BotCommand("subscribe", "订阅关键指标摘要，例如 /subscribe daily 08:30 班列"),
    BotCommand("unsubscribe", "退订摘要"),
    BotCommand("subscriptions", "本聊天的订阅设置"),
    BotCommand("digest", "立即发送摘要"),
]
COMMANDS_EN = [
    BotCommand("start", "Start"),
    BotCommand("help", "How to ask"),
    BotCommand("ask", "Ask a question, e.g. /ask Jiangjin trains in 2022"),
    BotCommand("sources", "The reports behind the answers"),
    BotCommand("about", "About factbot"),
    BotCommand("subscribe", "Subscribe to the key-indicator digest, e.g. /subscribe daily 08:30"),
    BotCommand("unsubscribe", "Stop the digest"),
    BotCommand("subscriptions", "This chat's digest settings"),
    BotCommand("digest", "Send the digest now"),
]


def build_application(settings: Settings, service: FactService, *, rate_limiter=None) -> Application:
    """The bot with its handlers; polling or webhook is the caller's choice."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    metrics = Metrics()
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .context_types(ContextTypes(bot_data=BotData))
        .rate_limiter(rate_limiter or RetryingRateLimiter(per_second=settings.factbot_messages_per_second))
        # requests queue for a connection instead of failing after a second; errors are counted
        .request(CountingRequest(metrics, connection_pool_size=64, pool_timeout=30.0))
        .get_updates_request(CountingRequest(metrics, connection_pool_size=2))  # + the last poll on stop
        .concurrent_updates(64)  # handlers queue their replies (bot/outbox.py) and do not wait for them
        .post_init(_post_init)
        .build()
    )
    application.bot_data.service = service
    application.bot_data.settings = settings
    application.bot_data.metrics = metrics
    application.bot_data.outbox = Outbox(application)
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    new = filters.UpdateType.MESSAGE  # edits go to edited_text, which edits the earlier answer
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    table = [
        CommandHandler("start", handlers.start, filters=new),
        CommandHandler("help", handlers.help_command, filters=new),
        CommandHandler("about", handlers.about, filters=new),
        CommandHandler("sources", handlers.sources, filters=new),
        CommandHandler("ask", handlers.ask_command, filters=new),  # /ask and /ask@bot, private and groups
        MessageHandler(text & private, handlers.private_text),  # any text in private is a question
        MessageHandler(text & groups, handlers.group_text),  # groups: only when mentioned or replied to
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, handlers.edited_text),
        CommandHandler("subscribe", subscribe.subscribe, filters=new),  # groups: chat admins only
        CommandHandler("unsubscribe", subscribe.unsubscribe, filters=new),
        CommandHandler("subscriptions", subscribe.subscriptions, filters=new),
        CommandHandler("digest", subscribe.digest_now, filters=new),
        CommandHandler("reload", admin.reload, filters=new),  # admins only, like the next four
        CommandHandler("stats", admin.stats, filters=new),
        CommandHandler("facts", admin.facts, filters=new),
        MessageHandler(filters.Document.ALL & private, admin.upload),  # a report to add
        CallbackQueryHandler(admin.upload_choice, pattern=r"^up:"),  # 覆盖 / 取消 a same-named report
        CallbackQueryHandler(handlers.button),  # 更多 paging, suggested facts, examples
        InlineQueryHandler(handlers.inline_query),
        MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, handlers.unknown_command),  # last
    ]
    application.add_handlers(table)
    application.add_error_handler(on_error)
    return application


async def _post_init(application: Application) -> None:
    """Build the store if it is empty, load it, and register the command menus."""
    service: FactService = application.bot_data.service
    admin.recover_uploads(service, application.bot_data.settings.factbot_seeds_dir)  # a killed upload's
    built = service.ensure_built()
    if built:
        log.info("built the store: %d documents, %d facts", built.documents, built.facts)
    service.refresh()
    await application.bot.set_my_commands(COMMANDS_ZH)
    await application.bot.set_my_commands(COMMANDS_EN, language_code="en")
    await subscribe.restore_schedules(application)


def run_polling(settings: Settings, service: FactService) -> int:
    """Long-poll until SIGINT/SIGTERM, then stop cleanly; /healthz and /metrics on METRICS_PORT if set."""
    application = build_application(settings, service)
    if settings.metrics_port:
        _serve_monitoring(application, settings, settings.metrics_port)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def _serve_monitoring(application: Application, settings: Settings, port: int) -> None:
    """Start the /healthz and /metrics server after post_init, stop it after the application stops."""
    runners = []
    post_init, post_stop = application.post_init, application.post_stop
    host = settings.metrics_listen or "127.0.0.1"  # polling needs no open port: local probes only

    async def started(app: Application) -> None:
        if post_init:
            await post_init(app)
        runners.append(await serve(make_web_app(app, health=Health(app)), host, port))
        log.info("health and metrics on %s:%d", host, port)

    async def stopped(app: Application) -> None:
        for runner in runners:
            await runner.cleanup()
        if post_stop:
            await post_stop(app)

    application.post_init, application.post_stop = started, stopped


def webhook_problem(settings: Settings) -> str | None:
    """Why `factbot run --webhook` cannot start with these settings, or None when it can."""
    if not settings.webhook_url:
        return "webhook mode needs WEBHOOK_URL, the public https:// address Telegram posts updates to"
    url = urlsplit(settings.webhook_url)
    try:
        port = url.port
    except ValueError:
        port = -1
    if url.scheme != "https" or not url.hostname or port == -1:
        return f"WEBHOOK_URL must be an https:// URL, not {settings.webhook_url!r}"
    if port not in (None, 443, 80, 88, 8443):
        return f"Telegram posts webhooks only to ports 443, 80, 88 and 8443, not {port} (WEBHOOK_URL)"
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        return (
            "webhook mode needs WEBHOOK_SECRET: Telegram sends it with every update, "
            "and requests without it are refused"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        return "WEBHOOK_SECRET must be 1 to 256 characters from A-Z, a-z, 0-9, _ and -"
    return None


def run_webhook(settings: Settings, service: FactService) -> int:
    """Serve Telegram's webhook posts on WEBHOOK_LISTEN:WEBHOOK_PORT until SIGINT/SIGTERM.

    The webhook stays registered on exit: other replicas behind the same URL keep serving it."""
    return asyncio.run(_serve_webhook(settings, service))


async def _serve_webhook(settings: Settings, service: FactService) -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    if settings.webhook_secret is None:  # `factbot run --webhook` refuses that first (webhook_problem)
        raise ValueError("webhook mode needs WEBHOOK_SECRET")
    application = build_application(settings, service)
    secret = settings.webhook_secret.get_secret_value()
    path = urlsplit(settings.webhook_url).path or "/"
    health = Health(application)
    runners = []
    async with application:  # initialize() … shutdown(); post_init is ours to call, as run_polling does
        if application.post_init:
            await application.post_init(application)
        await application.start()
        try:
            if settings.metrics_port:
                runners.append(
                    await serve(
                        make_web_app(application, webhook=(path, secret)),
                        settings.webhook_listen,
                        settings.webhook_port,
                    )
                )
                runners.append(
                    await serve(
                        make_web_app(application, health=health),
                        settings.metrics_listen or settings.webhook_listen,
                        settings.metrics_port,
                    )
                )
            else:
                runners.append(
                    await serve(
                        make_web_app(application, webhook=(path, secret), health=health),
                        settings.webhook_listen,
                        settings.webhook_port,
                    )
                )
            # listening first: Telegram posts pending updates as soon as the webhook is set
            await application.bot.set_webhook(
                settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
            log.info(
                "webhook %s set; listening on %s:%d%s",
                settings.webhook_url,
                settings.webhook_listen,
                settings.webhook_port,
                f", health and metrics on port {settings.metrics_port}" if settings.metrics_port else "",
            )
            await stopping.wait()
            log.info("stopping")
        finally:
            for runner in reversed(runners):
                await runner.cleanup()
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    if application.post_shutdown:
        await application.post_shutdown(application)
    return 0
