"""The Telegram application: one function builds it and registers every handler in one table."""
import logging

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
from bot.errors import RetryingRateLimiter, on_error
from bot.state import BotData
from facts.service import FactService
from facts.settings import Settings

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
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .context_types(ContextTypes(bot_data=BotData))
        .rate_limiter(rate_limiter or RetryingRateLimiter(max_retries=3))
        .connection_pool_size(64)
        .pool_timeout(30.0)  # requests queue for a connection instead of failing after a second
        .concurrent_updates(64)  # a group waiting out its 20/min limit must not hold up other chats
        .post_init(_post_init)
        .build()
    )
    application.bot_data.service = service
    application.bot_data.settings = settings
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
    built = service.ensure_built()
    if built:
        log.info("built the store: %d documents, %d facts", built.documents, built.facts)
    service.refresh()
    await application.bot.set_my_commands(COMMANDS_ZH)
    await application.bot.set_my_commands(COMMANDS_EN, language_code="en")
    await subscribe.restore_schedules(application)


def run_polling(settings: Settings, service: FactService) -> int:
    """Long-poll until SIGINT/SIGTERM, then stop cleanly."""
    application = build_application(settings, service)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
