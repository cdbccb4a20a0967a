"""The bot's own state: subscriptions and their schedules, delivery leases, the admin audit log,
daily question counters (their tables), the settings for Telegram, webhook and metrics, and the
typed `bot_data`. Only `context` imports Telegram: the command line reads the rest without it.
"""
