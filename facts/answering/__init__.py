"""Answering questions: parse the question (place, period, indicator, unit, kind), rank the indexed
facts, and shape an `Answer` or a `Digest`. No database, no Telegram.
"""
