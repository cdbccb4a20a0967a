"""Questions answered and abstained per day, and the /stats summary built from them."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.state.models import AuditEntry, DailyCount, Subscription
from facts.store.models import StoreInfo, table_of


def count_question(engine: Engine, answered: bool, day: date) -> None:
    """Count a question a user asked (answered or abstained) on `day`. One upsert that adds 1 in the
    database, so replicas (or threads) counting at once never lose a count."""
    table = table_of(DailyCount)
    column = "answered" if answered else "abstained"
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(day=day.isoformat(), answered=int(answered), abstained=int(not answered))
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.day], set_={column: table.c[column] + 1}
    )
    with engine.begin() as connection:
        connection.execute(statement)


def stats(engine: Engine, info: StoreInfo, timezone: str) -> dict:
    """Documents, facts, questions (today, 7 days), subscriptions, the last reload."""
    zone = ZoneInfo(timezone)
    today = datetime.now(zone).date()
    week = {(today - timedelta(days=n)).isoformat() for n in range(7)}
    with Session(engine) as session:
        counts = list(session.exec(select(DailyCount).where(col(DailyCount.day).in_(week))))
        active = [s.active for s in session.exec(select(Subscription))]
        last = session.exec(
            select(AuditEntry)
            .where(
                col(AuditEntry.action).in_(("reload", "upload", "build")),
                ~col(AuditEntry.outcome).startswith("refused"),
            )
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        ).first()

    def local(moment: datetime | None) -> str | None:
        return (
            moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(zone).isoformat(timespec="seconds")
            if moment
            else None
        )

    todays = next((c for c in counts if c.day == today.isoformat()), DailyCount(day=today.isoformat()))
    return {
        "documents": info.documents,
        "facts": info.facts,
        "answered_today": todays.answered,
        "abstained_today": todays.abstained,
        "answered_7d": sum(c.answered for c in counts),
        "abstained_7d": sum(c.abstained for c in counts),
        "subscriptions_active": sum(active),
        "subscriptions_inactive": len(active) - sum(active),
        "built_at": local(info.built_at),
        "last_reload": None
        if last is None
        else {"at": local(last.at), "action": last.action, "outcome": last.outcome},
    }
