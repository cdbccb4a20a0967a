"""The bot's tables: subscriptions, the delivery log (leases), the admin audit log, daily counters.

They live in the same database and the same migration history as the fact store's tables
(facts/store/migrations/versions); the schema changes only through a new revision there."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from facts.store.models import UTCDateTime


class DailyCount(SQLModel, table=True):
    """Questions answered and abstained, per day (in FACTBOT_TIMEZONE), for /stats."""

    day: str = Field(primary_key=True)  # YYYY-MM-DD
    answered: int = 0
    abstained: int = 0


class AuditEntry(SQLModel, table=True):
    """Every admin action: who, when, what, and how it ended."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, sa_type=BigInteger)  # Telegram ids exceed 32 bits
    username: str = ""
    action: str  # reload, upload, stats, facts, build, refused:<command>
    detail: str = Field(default="", sa_column=Column(Text))
    outcome: str = "ok"  # ok | refused | failed: <reason>


class DeliveryStatus(StrEnum):
    """Where one slot's digest stands (stored as these strings)."""

    SENDING = "sending"  # claimed; the lease says until when
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # another chat id (a migrated group's supergroup) had this slot


class Subscription(SQLModel, table=True):
    """A chat (or forum topic) that receives the digest."""

    __table_args__ = (UniqueConstraint("chat_id", "thread_id"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(index=True, sa_type=BigInteger)  # Telegram ids exceed 32 bits: -1001234567890
    thread_id: int = Field(default=0, sa_type=BigInteger)  # forum topic; 0 for none
    schedule: str = "daily 09:00"  # Schedule.describe()
    timezone: str = "Asia/Shanghai"
    topics: list = Field(default_factory=list, sa_column=Column(JSON))
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    last_digest_version: int = 0  # store version at this chat's previous digest
    note: str = ""  # why it was deactivated or moved


class Delivery(SQLModel, table=True):
    """One scheduled slot of one chat: claimed before sending, marked after. Never two rows per slot."""

    __table_args__ = (UniqueConstraint("chat_id", "thread_id", "slot"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(index=True, sa_type=BigInteger)
    thread_id: int = Field(default=0, sa_type=BigInteger)
    slot: datetime = Field(sa_type=UTCDateTime)  # the scheduled time (UTC); for /digest, the request time
    status: str = Field(default=DeliveryStatus.SENDING, index=True)  # a DeliveryStatus
    attempts: int = 0
    error: str = ""
    updated_at: datetime = Field(sa_type=UTCDateTime)
    owner: str = ""  # the replica sending it
    # a 'sending' row whose lease ran out is taken over by another replica
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    parts: int = 0  # messages of this digest already sent (a takeover sends only the rest)
