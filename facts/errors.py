"""Errors a user or an operator can cause, each with a message fit to show them.

FactbotError
├── DocumentError            a report that cannot be used (the build skips it)
│   ├── EmptyDocument
│   └── UndecodableDocument
├── BuildError               a build that produced nothing usable; the old store keeps serving
├── SchemaError              (facts/store/db.py) tables this code cannot bring up to date
├── ScheduleError            (bot/state/schedule.py) a /subscribe it cannot read; says how to write it
└── UploadRefused            (bot/uploads.py) an uploaded report the bot will not save
"""


class FactbotError(Exception):
    """Base of every error factbot raises on purpose."""


class DocumentError(FactbotError):
    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class EmptyDocument(DocumentError):
    def __init__(self, name: str):
        super().__init__(name, "empty file (no text)")


class UndecodableDocument(DocumentError):
    def __init__(self, name: str, detail: str = "not UTF-8 or GB18030 text"):
        super().__init__(name, detail)


class BuildError(FactbotError):
    """The build found nothing usable; the previous facts stay in place."""
