"""The admin audit log: every admin action, allowed or refused, with who, when and how it ended."""

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.state.models import AuditEntry


def log_action(
    engine: Engine,
    action: str,
    *,
    user_id: int | None = None,
    username: str = "",
    detail: str = "",
    outcome: str = "ok",
) -> None:
    with Session(engine) as session, session.begin():
        session.add(entry(action, user_id=user_id, username=username, detail=detail, outcome=outcome))


def entry(
    action: str, *, user_id: int | None = None, username: str = "", detail: str = "", outcome: str = "ok"
) -> AuditEntry:
    """An audit row, for a caller that writes it in its own transaction (a reload, with the facts)."""
    return AuditEntry(
        at=datetime.now(UTC),
        user_id=user_id,
        username=username or "",
        action=action,
        detail=detail[:4000],
        outcome=outcome[:500],
    )


def audit_log(engine: Engine, limit: int = 100) -> list[AuditEntry]:
    """The newest entries first."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
            )
        )
