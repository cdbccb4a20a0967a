"""A folder of reports → the store, in one transaction: a failed build leaves the old facts serving."""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from facts.errors import BuildError, DocumentError
from facts.lexicon import Lexicon
from facts.reading.extract import FactRecord, extract_facts, read_context
from facts.reading.readers import read_report
from facts.reading.repair import repair
from facts.store.models import Document, Fact, StoreInfo, table_of
from facts.text import Tokenizer

REPORT_SUFFIXES = {".txt", ".md", ".text"}
# a title is cited in every answer (《title》): a heading is cut at 40 characters, and a first sentence
# standing in for a missing heading at 24, with an ellipsis
HEADING_TITLE_CHARS = 40
SENTENCE_TITLE_CHARS = 24


@dataclass
class BuildReport:
    documents: int = 0
    facts: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    version: int = 0


def report_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and not p.name.startswith(".")
    )


def title_of(text: str) -> str:
    """A markdown heading if there is one, else the first sentence, shortened."""
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()[:HEADING_TITLE_CHARS]
    first = re.split(r"[。!?！？\n]", text.strip(), maxsplit=1)[0].replace("《", "“").replace("》", "”")
    return first[:SENTENCE_TITLE_CHARS] + ("…" if len(first) > SENTENCE_TITLE_CHARS else "")


def fact_row(record: FactRecord) -> Fact:
    period, subject = record.period, record.subject
    return Fact(
        doc=record.doc,
        line=record.line,
        value=record.value,
        value_text=record.value_text,
        value_max=record.value_max,
        unit=record.unit,
        qualifier=record.qualifier,
        figure=record.figure,
        kind=record.kind,
        measure=record.measure,
        period_label=period.label if period else None,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        period_inferred=bool(period and period.inferred),
        subject_kind=subject.kind if subject else None,
        subject_name=subject.name if subject else None,
        subject_key=subject.key if subject else None,
        subject_place=subject.place if subject else None,
        subject_explicit=record.subject_explicit,
        sub_scope=record.sub_scope,
        district=record.district,
        indicator=record.indicator,
        quote=record.quote,
        sentence=record.sentence,
        terms=record.terms,
        orgs=list(record.orgs),
        direction=record.direction,
    )


# Reading is linear (about 1 s for 300 000 characters here), so this bounds one report's build to well under
# a minute while holding the reload lock; the upload limit (5 MB) is about 1.7 million characters.
MAX_REPORT_CHARS = 3_000_000

# what a build does inside its transaction before it commits (the new facts are then visible only to
# it): write the change log and the audit row with the facts, or raise to leave the store as it was
BeforeCommit = Callable[[Session, "BuildReport", list[Fact]], None]


def build_store(
    engine: Engine,
    folder: Path,
    lexicon: Lexicon,
    tokenizer: Tokenizer,
    *,
    staged: dict[str, Path] | None = None,
    before_commit: BeforeCommit | None = None,
) -> BuildReport:
    """Read every report in `folder`, extract its facts and replace the store's contents atomically.

    `staged` maps report names to files outside the folder that are read as if they were in it (an
    upload is moved in only once the store has switched); `before_commit` runs in the transaction."""
    if not folder.is_dir():
        raise BuildError(f"no such folder: {folder}")
    report = BuildReport()
    documents: list[tuple[Document, list[FactRecord]]] = []
    files = {path.name: path for path in report_files(folder)} | dict(staged or {})
    for name, path in sorted(files.items()):
        try:
            text = read_report(path)
        except DocumentError as err:
            report.skipped.append((name, err.reason))
            continue
        if len(text) > MAX_REPORT_CHARS:
            report.skipped.append(
                (
                    name,
                    f"too long to read here: {len(text):,} characters (the limit is "
                    f"{MAX_REPORT_CHARS:,}); split it into parts",
                )
            )
            continue
        repaired = repair(text)
        ctx = read_context(repaired.text, lexicon, tokenizer)
        records = extract_facts(name, repaired, lexicon, tokenizer, ctx)
        documents.append(
            (
                Document(
                    name=name,
                    title=title_of(repaired.text),
                    sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                    report_year=ctx.years.report,
                    main_year=ctx.years.default,
                    district=ctx.home,
                    lines=text.count("\n") + 1,
                    facts=len(records),
                    words=sorted(ctx.words),
                ),
                records,
            )
        )
    if not documents:
        raise BuildError(
            f"no readable reports in {folder}"
            + (f" (skipped {len(report.skipped)})" if report.skipped else "")
        )
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "postgresql":
            # one build at a time (SQLite's write lock does this there): a second build waits, then
            # deletes what the first inserted. Plain reads are not blocked: they see the old facts
            # until this transaction commits.
            session.connection().exec_driver_sql("LOCK TABLE storeinfo IN EXCLUSIVE MODE")
        # A fact's id is never reused: an old button or /start f_<id> link must find nothing rather
        # than another figure. SQLite gives a new row max(id)+1, so the new facts go in while the old
        # ones are still there (PostgreSQL's sequence never goes back anyway), then the old ones go.
        session.exec(delete(Document))  # first: on SQLite this write takes the lock before the read below
        first_new = (session.execute(select(func.max(Fact.id))).scalar() or 0) + 1
        info = session.get(StoreInfo, 1) or StoreInfo(id=1)
        for document, records in documents:
            session.add(document)
            report.documents += 1
            report.facts += len(records)
        # one executemany, not the ORM's unit of work: 13 000 facts in under 1 s instead of 2–5 s
        facts = [fact_row(r) for _, records in documents for r in records]
        rows = [fact.model_dump(exclude={"id"}) for fact in facts]
        if rows:
            session.execute(table_of(Fact).insert(), rows)
        session.exec(delete(Fact).where(col(Fact.id) < first_new))
        info.version += 1
        info.built_at = datetime.now(UTC)
        info.seeds_dir = str(folder)
        info.documents, info.facts = report.documents, report.facts
        session.add(info)
        report.version = info.version
        if before_commit is not None:
            session.flush()
            before_commit(session, report, facts)
    return report
