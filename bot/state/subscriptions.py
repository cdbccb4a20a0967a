"""Subscriptions and the delivery log: every function takes the engine, so bot and CLI share them.

A slot is claimed by inserting its Delivery row (unique per chat, topic and slot) before sending,
so two jobs, two replicas or a restart can never both send it. The claim is a lease: the sender
renews it while it works and records each message sent (`parts`); a row left 'sending' by a replica
that died is taken over, by one replica only (a conditional UPDATE), once its lease has run out,
and only the messages not yet sent are sent."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select as core_select
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.state.models import Delivery, DeliveryStatus, Subscription
from bot.state.schedule import Schedule, schedule_from_text
from facts.store.models import table_of


def now() -> datetime:
    return datetime.now(UTC)


def stored(moment: datetime) -> datetime:
    """Times are stored and compared as aware UTC (a naive one read back from SQLite is UTC)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def get(engine: Engine, chat_id: int, thread_id: int = 0) -> Subscription | None:
    with Session(engine) as session:
        return session.exec(
            select(Subscription).where(
                col(Subscription.chat_id) == chat_id, col(Subscription.thread_id) == thread_id
            )
        ).first()


def subscribe(
    engine: Engine,
    chat_id: int,
    thread_id: int,
    *,
    schedule: Schedule | None,
    topics: tuple[str, ...] | None,
    timezone: str | None,
    default_timezone: str,
    version: int,
    at: datetime | None = None,
) -> Subscription:
    """Create or update a chat's subscription (and switch it on). topics None keeps them, () is all."""
    at = at or now()
    with Session(engine) as session, session.begin():
        sub = session.exec(
            select(Subscription).where(
                col(Subscription.chat_id) == chat_id, col(Subscription.thread_id) == thread_id
            )
        ).first()
        if sub is None:
            sub = Subscription(
                chat_id=chat_id,
                thread_id=thread_id,
                timezone=default_timezone,
                created_at=at,
                updated_at=at,
                last_digest_version=version,
            )
        if schedule is not None:
            sub.schedule = schedule.describe()
        if topics is not None:
            sub.topics = list(topics)
        if timezone:
            sub.timezone = timezone
        sub.active, sub.note, sub.updated_at = True, "", at
        session.add(sub)
    saved = get(engine, chat_id, thread_id)
    if saved is None:  # rows are switched off, never deleted
        raise LookupError(f"the subscription of {chat_id}:{thread_id} was gone right after it was saved")
    return saved


def deactivate(engine: Engine, chat_id: int, thread_id: int | None = None, note: str = "") -> int:
    """Switch a chat's subscription(s) off; returns how many."""
    with Session(engine) as session, session.begin():
        query = select(Subscription).where(col(Subscription.chat_id) == chat_id, col(Subscription.active))
        if thread_id is not None:
            query = query.where(col(Subscription.thread_id) == thread_id)
        subs = list(session.exec(query))
        for sub in subs:
            sub.active, sub.note, sub.updated_at = False, note, now()
            session.add(sub)
        return len(subs)


def migrate(engine: Engine, old_chat_id: int, new_chat_id: int) -> set[tuple[int, datetime]]:
    """A group became a supergroup: its subscriptions and delivery history follow the new id. Where the
    supergroup already has its own subscription or slot, that one stays; the (topic, slot) pairs the
    supergroup already had are returned (their old rows are marked skipped: no second digest)."""
    with Session(engine) as session, session.begin():
        taken = {
            s.thread_id
            for s in session.exec(select(Subscription).where(col(Subscription.chat_id) == new_chat_id))
        }
        for sub in session.exec(select(Subscription).where(col(Subscription.chat_id) == old_chat_id)):
            if sub.thread_id in taken:  # the supergroup has its own subscription: it wins, the old one stops
                sub.active, sub.note, sub.updated_at = False, f"migrated to {new_chat_id}", now()
            else:
                sub.chat_id, sub.note, sub.updated_at = new_chat_id, f"migrated from {old_chat_id}", now()
            session.add(sub)
        slots = {
            (d.thread_id, stored(d.slot))
            for d in session.exec(select(Delivery).where(col(Delivery.chat_id) == new_chat_id))
        }
        clashes = set()
        for delivery in session.exec(select(Delivery).where(col(Delivery.chat_id) == old_chat_id)):
            if (delivery.thread_id, stored(delivery.slot)) in slots:
                clashes.add((delivery.thread_id, stored(delivery.slot)))
                delivery.status, delivery.error = DeliveryStatus.SKIPPED, f"{new_chat_id} had this slot"
            else:
                delivery.chat_id = new_chat_id
            session.add(delivery)
    return clashes


def all_subscriptions(engine: Engine, active_only: bool = False) -> list[Subscription]:
    with Session(engine) as session:
        query = select(Subscription).order_by(col(Subscription.chat_id), col(Subscription.thread_id))
        if active_only:
            query = query.where(col(Subscription.active))
        return list(session.exec(query))


def schedules(engine: Engine) -> dict[tuple[int, int], tuple[str, str, bool]]:
    """(chat, topic) -> (schedule, time zone, active) of every subscription: what a replica compares with
    the jobs it has (10 000 rows read in ~20 ms)."""
    table = table_of(Subscription).c
    with engine.connect() as connection:
        rows = connection.execute(
            core_select(table.chat_id, table.thread_id, table.schedule, table.timezone, table.active)
        )
        return {
            (chat_id, thread_id): (schedule, zone, bool(active))
            for chat_id, thread_id, schedule, zone, active in rows
        }


def mark_digest(engine: Engine, chat_id: int, thread_id: int, version: int) -> None:
    """A digest asked for with /digest moves the chat's "since the last digest" mark too."""
    with Session(engine) as session, session.begin():
        session.exec(
            update(Subscription)
            .where(col(Subscription.chat_id) == chat_id, col(Subscription.thread_id) == thread_id)
            .values(last_digest_version=version)
        )


def next_run(sub: Subscription, after: datetime | None = None) -> datetime:
    """The next slot (aware, UTC)."""
    return schedule_from_text(sub.schedule).next_slot(after or datetime.now(UTC), sub.timezone)


def claim(
    engine: Engine,
    chat_id: int,
    thread_id: int,
    slot: datetime,
    *,
    owner: str = "",
    lease: timedelta = timedelta(minutes=1),
    at: datetime | None = None,
) -> Delivery | None:
    """Take the slot for sending: the new Delivery row, or None when it was taken before (sent, failed,
    or being sent by a replica whose lease still runs)."""
    at = at or now()
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            delivery = Delivery(
                chat_id=chat_id,
                thread_id=thread_id,
                slot=stored(slot),
                updated_at=at,
                owner=owner,
                lease_until=at + lease,
                attempts=1,
            )
            session.add(delivery)
        return delivery
    except IntegrityError:
        return take_over(engine, chat_id, thread_id, slot, owner=owner, lease=lease, at=at)


def take_over(
    engine: Engine,
    chat_id: int,
    thread_id: int,
    slot: datetime,
    *,
    owner: str,
    lease: timedelta,
    at: datetime | None = None,
) -> Delivery | None:
    """Take a slot whose sender died mid-send (still 'sending', lease run out); of two replicas trying at
    once, the conditional UPDATE lets one win. Returns the row (its `parts` say what was sent already)."""
    at = at or now()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        taken = session.exec(
            update(Delivery)
            .where(
                col(Delivery.chat_id) == chat_id,
                col(Delivery.thread_id) == thread_id,
                col(Delivery.slot) == stored(slot),
                col(Delivery.status) == DeliveryStatus.SENDING,
                col(Delivery.lease_until).is_not(None),
                col(Delivery.lease_until) < at,
                col(Delivery.owner) != owner,
            )
            .values(owner=owner, lease_until=at + lease, attempts=col(Delivery.attempts) + 1, updated_at=at)
        ).rowcount
        if taken != 1:
            return None
        return session.exec(
            select(Delivery).where(
                col(Delivery.chat_id) == chat_id,
                col(Delivery.thread_id) == thread_id,
                col(Delivery.slot) == stored(slot),
            )
        ).one()


def sent_part(
    engine: Engine,
    chat_id: int,
    thread_id: int,
    slot: datetime,
    *,
    owner: str,
    parts: int,
    lease: timedelta,
    at: datetime | None = None,
) -> bool:
    """Record that `parts` messages of the slot are out and renew the lease; False when this sender no
    longer holds the slot (another replica took it over: stop sending)."""
    at = at or now()
    with Session(engine) as session, session.begin():
        return (
            session.exec(
                update(Delivery)
                .where(
                    col(Delivery.chat_id) == chat_id,
                    col(Delivery.thread_id) == thread_id,
                    col(Delivery.slot) == stored(slot),
                    col(Delivery.owner) == owner,
                    col(Delivery.status) == DeliveryStatus.SENDING,
                )
                .values(parts=parts, lease_until=at + lease, updated_at=at)
            ).rowcount
            == 1
        )


def renew_leases(engine: Engine, owner: str, lease: timedelta, at: datetime | None = None) -> int:
    """A living sender keeps its claims: every slot it is still sending gets a fresh lease."""
    at = at or now()
    with Session(engine) as session, session.begin():
        return session.exec(
            update(Delivery)
            .where(col(Delivery.owner) == owner, col(Delivery.status) == DeliveryStatus.SENDING)
            .values(lease_until=at + lease)
        ).rowcount


def orphaned(engine: Engine, owner: str, at: datetime, since: datetime) -> list[Delivery]:
    """Slots another sender claimed and left (lease run out), scheduled after `since`."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(Delivery)
                .where(
                    col(Delivery.status) == DeliveryStatus.SENDING,
                    col(Delivery.lease_until).is_not(None),
                    col(Delivery.lease_until) < at,
                    col(Delivery.owner) != owner,
                    col(Delivery.slot) >= stored(since),
                )
                .order_by(col(Delivery.slot), col(Delivery.id))
            )
        )


def finish(
    engine: Engine,
    chat_id: int,
    thread_id: int,
    slot: datetime,
    status: str,
    *,
    error: str = "",
    version: int | None = None,
    parts: int | None = None,
) -> None:
    """Record how a claimed slot ended; a sent digest moves the chat's "since" mark to `version`."""
    with Session(engine) as session, session.begin():
        delivery = session.exec(
            select(Delivery).where(
                col(Delivery.chat_id) == chat_id,
                col(Delivery.thread_id) == thread_id,
                col(Delivery.slot) == stored(slot),
            )
        ).first()
        if delivery is not None:
            delivery.status, delivery.error, delivery.updated_at = status, error[:500], now()
            delivery.lease_until = None
            if parts is not None:
                delivery.parts = parts
            session.add(delivery)
        if status == DeliveryStatus.SENT and version is not None:
            sub = session.exec(
                select(Subscription).where(
                    col(Subscription.chat_id) == chat_id, col(Subscription.thread_id) == thread_id
                )
            ).first()
            if sub is not None:
                sub.last_digest_version = version
                session.add(sub)


def deliveries(engine: Engine, chat_id: int | None = None) -> list[Delivery]:
    with Session(engine) as session:
        query = select(Delivery).order_by(col(Delivery.slot), col(Delivery.id))
        if chat_id is not None:
            query = query.where(col(Delivery.chat_id) == chat_id)
        return list(session.exec(query))


def missed_slot(sub: Subscription, at: datetime, grace: timedelta) -> datetime | None:
    """The slot missed while the bot was down, when it is less than `grace` late (sent once on start-up)."""
    slot = schedule_from_text(sub.schedule).last_slot(at, sub.timezone)
    if slot is None or at - slot >= grace or stored(slot) < stored(sub.created_at):
        return None
    return slot


def subscription_rows(engine, clock=lambda: datetime.now(UTC)) -> list[dict]:
    """For `factbot subscriptions`: one dict per subscription."""
    rows = []
    for sub in all_subscriptions(engine):
        rows.append(
            {
                "chat_id": sub.chat_id,
                "thread_id": sub.thread_id,
                "schedule": sub.schedule,
                "timezone": sub.timezone,
                "topics": sub.topics,
                "active": sub.active,
                "next_run": next_run(sub, clock()).isoformat() if sub.active else None,
                "note": sub.note,
            }
        )
    return rows
