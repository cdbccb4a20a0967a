"""The fact library: read Chinese economic reports into sourced facts, store them, answer questions.

    reading/    report text → facts        answering/  question → Answer / Digest
    store/      tables, build, index, FactService
Knows nothing of Telegram, chats or subscriptions (those live in `bot`).
"""
