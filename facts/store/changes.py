"""What a reload changed: the diff of two builds, and the changes kept per store version so a digest
can say what is new since the last one."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from facts.store.models import FactChange


@dataclass
class ReloadDiff:
    documents: int = 0
    facts: int = 0
    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)
    facts_added: list[str] = field(default_factory=list)
    facts_removed: list[str] = field(default_factory=list)
    facts_changed: list[str] = field(default_factory=list)  # "doc: indicator 536列 → 540列"
    skipped: list[tuple[str, str]] = field(default_factory=list)
    facts_by_doc: dict[str, int] = field(default_factory=dict)  # the new store's facts per report

    @property
    def unchanged(self) -> bool:
        return not (
            self.documents_added
            or self.documents_removed
            or self.facts_added
            or self.facts_removed
            or self.facts_changed
        )


def _key(fact) -> tuple:
    return (fact.doc, fact.indicator, fact.subject_name or "", fact.unit, fact.measure, fact.kind)


def _label(fact) -> str:
    return f"{fact.doc}: {fact.indicator} {fact.figure}（{fact.period_label or '时间不详'}）"


def diff_facts(old: list, new: list, old_docs: set[str], new_docs: set[str]) -> ReloadDiff:
    """What a rebuild changed. Facts pair up by document, indicator, subject, unit, measure and kind
    (in line order); a pair whose figure or period differs is a change, the rest are added or removed."""
    diff = ReloadDiff(documents=len(new_docs), facts=len(new))
    for fact in new:
        diff.facts_by_doc[fact.doc] = diff.facts_by_doc.get(fact.doc, 0) + 1
    diff.documents_added = sorted(new_docs - old_docs)
    diff.documents_removed = sorted(old_docs - new_docs)
    before, after = defaultdict(list), defaultdict(list)
    for fact in sorted(old, key=lambda f: (f.doc, f.line)):
        before[_key(fact)].append(fact)
    for fact in sorted(new, key=lambda f: (f.doc, f.line)):
        after[_key(fact)].append(fact)
    for key in sorted(set(before) | set(after), key=str):
        olds, news = before.get(key, []), after.get(key, [])
        for was, now in zip(olds, news, strict=False):
            changes = []
            if (was.value, was.value_max, was.qualifier) != (now.value, now.value_max, now.qualifier):
                changes.append(f"{was.figure} → {now.figure}")
            if was.period_label != now.period_label:
                changes.append(f"{was.period_label or '时间不详'} → {now.period_label or '时间不详'}")
            if changes:
                diff.facts_changed.append(f"{now.doc}: {now.indicator} " + "，".join(changes))
        diff.facts_removed += [_label(f) for f in olds[len(news) :]]
        diff.facts_added += [_label(f) for f in news[len(olds) :]]
    return diff


def record_changes(session: Session, version: int, diff: ReloadDiff) -> None:
    """The reload's changes, in the caller's transaction (the one that switches the facts)."""
    at = datetime.now(UTC)
    for kind, texts in (
        ("added", diff.facts_added),
        ("removed", diff.facts_removed),
        ("changed", diff.facts_changed),
    ):
        session.add_all(FactChange(version=version, at=at, change=kind, text=t) for t in texts)


def changes_since(engine: Engine, version: int) -> list[FactChange]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(FactChange)
                .where(col(FactChange.version) > version)
                .order_by(col(FactChange.version), col(FactChange.id))
            )
        )
