"""Subscriptions and the delivery log: every function takes the engine, so bot and CLI share them.

A slot is claimed by inserting its Delivery row (unique per chat, topic and slot) before sending,
so two jobs, two processes or a restart can never send the same slot twice."""
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from facts.models import Delivery, FactChange, Subscription
from facts.schedule import Schedule, schedule_from_text


def now() -> datetime:
    return datetime.now(UTC)


def stored(moment: datetime) -> datetime:
    """Times are stored and compared as aware UTC (a naive one read back from SQLite is UTC)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def get(engine: Engine, chat_id: int, thread_id: int = 0) -> Subscription | None:
    with Session(engine) as session:
        return session.exec(select(Subscription).where(Subscription.chat_id == chat_id,
                                                        Subscription.thread_id == thread_id)).first()


def subscribe(engine: Engine, chat_id: int, thread_id: int, *, schedule: Schedule | None, topics: tuple[str, ...],
              timezone: str | None, default_timezone: str, version: int) -> Subscription:
    """Create or update a chat's subscription (and switch it on)."""
    with Session(engine) as session, session.begin():
        sub = session.exec(select(Subscription).where(Subscription.chat_id == chat_id,
                                                      Subscription.thread_id == thread_id)).first()
        if sub is None:
            sub = Subscription(chat_id=chat_id, thread_id=thread_id, timezone=default_timezone, created_at=now(),
                               updated_at=now(), last_digest_version=version)
        if schedule is not None:
            sub.schedule = schedule.describe()
        if topics:
            sub.topics = list(topics)
        if timezone:
            sub.timezone = timezone
        sub.active, sub.note, sub.updated_at = True, "", now()
        session.add(sub)
    return get(engine, chat_id, thread_id)


def deactivate(engine: Engine, chat_id: int, thread_id: int | None = None, note: str = "") -> int:
    """Switch a chat's subscription(s) off; returns how many."""
    with Session(engine) as session, session.begin():
        query = select(Subscription).where(Subscription.chat_id == chat_id, Subscription.active)
        if thread_id is not None:
            query = query.where(Subscription.thread_id == thread_id)
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
        taken = {s.thread_id for s in session.exec(select(Subscription).where(Subscription.chat_id == new_chat_id))}
        for sub in session.exec(select(Subscription).where(Subscription.chat_id == old_chat_id)):
            if sub.thread_id in taken:  # the supergroup has its own subscription: it wins, the old one stops
                sub.active, sub.note, sub.updated_at = False, f"migrated to {new_chat_id}", now()
            else:
                sub.chat_id, sub.note, sub.updated_at = new_chat_id, f"migrated from {old_chat_id}", now()
            session.add(sub)
        slots = {(d.thread_id, stored(d.slot)) for d in session.exec(select(Delivery).where(Delivery.chat_id == new_chat_id))}
        clashes = set()
        for delivery in session.exec(select(Delivery).where(Delivery.chat_id == old_chat_id)):
            if (delivery.thread_id, stored(delivery.slot)) in slots:
                clashes.add((delivery.thread_id, stored(delivery.slot)))
                delivery.status, delivery.error = "skipped", f"{new_chat_id} had this slot"
            else:
                delivery.chat_id = new_chat_id
            session.add(delivery)
    return clashes


def all_subscriptions(engine: Engine, active_only: bool = False) -> list[Subscription]:
    with Session(engine) as session:
        query = select(Subscription).order_by(Subscription.chat_id, Subscription.thread_id)
        if active_only:
            query = query.where(Subscription.active)
        return list(session.exec(query))


def next_run(sub: Subscription, after: datetime | None = None) -> datetime:
    """The next slot (aware, UTC)."""
    return schedule_from_text(sub.schedule).next_slot(after or datetime.now(UTC), sub.timezone)


def claim(engine: Engine, chat_id: int, thread_id: int, slot: datetime) -> bool:
    """Take the slot for sending; False when it was taken before (sent, failed or being sent)."""
    try:
        with Session(engine) as session, session.begin():
            session.add(Delivery(chat_id=chat_id, thread_id=thread_id, slot=stored(slot), updated_at=now()))
        return True
    except IntegrityError:
        return False


def finish(engine: Engine, chat_id: int, thread_id: int, slot: datetime, status: str, *, attempts: int = 1,
           error: str = "", version: int | None = None) -> None:
    """Record how a claimed slot ended; a sent digest moves the chat's "since" mark to `version`."""
    with Session(engine) as session, session.begin():
        delivery = session.exec(select(Delivery).where(Delivery.chat_id == chat_id, Delivery.thread_id == thread_id,
                                                       Delivery.slot == stored(slot))).first()
        if delivery is not None:
            delivery.status, delivery.attempts, delivery.error, delivery.updated_at = status, attempts, error[:500], now()
            session.add(delivery)
        if status == "sent" and version is not None:
            sub = session.exec(select(Subscription).where(Subscription.chat_id == chat_id,
                                                          Subscription.thread_id == thread_id)).first()
            if sub is not None:
                sub.last_digest_version = version
                session.add(sub)


def deliveries(engine: Engine, chat_id: int | None = None) -> list[Delivery]:
    with Session(engine) as session:
        query = select(Delivery).order_by(Delivery.slot, Delivery.id)
        if chat_id is not None:
            query = query.where(Delivery.chat_id == chat_id)
        return list(session.exec(query))


def missed_slot(sub: Subscription, at: datetime, grace: timedelta) -> datetime | None:
    """The slot missed while the bot was down, when it is less than `grace` late (sent once on start-up)."""
    slot = schedule_from_text(sub.schedule).last_slot(at, sub.timezone)
    if slot is None or at - slot >= grace or stored(slot) < stored(sub.created_at):
        return None
    return slot


def record_changes(engine: Engine, version: int, added: list[str], removed: list[str], changed: list[str]) -> None:
    with Session(engine) as session, session.begin():
        for kind, texts in (("added", added), ("removed", removed), ("changed", changed)):
            session.add_all(FactChange(version=version, at=now(), change=kind, text=t) for t in texts)


def changes_since(engine: Engine, version: int) -> list[FactChange]:
    with Session(engine) as session:
        return list(session.exec(select(FactChange).where(FactChange.version > version)
                                 .order_by(FactChange.version, FactChange.id)))
