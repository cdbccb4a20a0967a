"""The Telegram face of factbot: one handler table (app), handlers, rendering, digests, admin
commands, the web endpoints and the command line. Its persistent state lives in `bot.state`.
"""
