"""The one object the bot and the command line ask about facts: build the store, answer questions,
list facts, make digests. The bot's own state (subscriptions, audit, counters) is in bot/state."""

import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from facts.answering.answer import Answer
from facts.answering.digest import Digest, DigestItem, load_indicators, main_district
from facts.answering.policy import POLICY, AnswerPolicy
from facts.answering.query import KnownNames, Query, parse_question
from facts.answering.search import FactIndex, Scored, subject_fit
from facts.kinds import Kind, Reason
from facts.lexicon import Lexicon, load_lexicon
from facts.reading.periods import Period, period_fit
from facts.store.build import BeforeCommit, BuildReport, build_store
from facts.store.changes import ReloadDiff, changes_since, diff_facts, record_changes
from facts.store.db import make_engine, upgrade_schema
from facts.store.index import index_cache_path, load_index_state, read_index_cache, write_index_cache
from facts.store.models import Document, Fact, StoreInfo
from facts.store.settings import FactSettings
from facts.text import Tokenizer

MAX_QUESTION = 500
SERIES_POINTS = 2  # one period is no series
SHORT_NAME_CHARS = 2  # 江津区 is 江津 in a digest's query; a two-character name keeps its 区/县/市


def series_of(ranked: list[Scored], best: Scored, policy: AnswerPolicy = POLICY) -> list[Scored]:
    """The best fact's figure over the periods the reports give, one per period, oldest first.

    Members share the best fact's unit and measure and most of its matched words; estimates (预计)
    may join, targets only a series of targets; running totals (截至…) and period figures are not
    mixed: the larger of the two groups is kept."""
    head = best.fact
    planned = head.row.kind == Kind.TARGET
    groups: dict[bool, dict[int, Scored]] = {True: {}, False: {}}
    for scored in ranked:
        fact, row = scored.fact, scored.fact.row
        if fact.period is None or fact.family != head.family or row.measure != head.row.measure:
            continue
        if scored.coverage < policy.series_coverage * best.coverage or (row.kind == Kind.TARGET) != planned:
            continue
        if row.subject_explicit and head.row.subject_explicit and row.subject_name != head.row.subject_name:
            continue
        if fuzz.partial_ratio(row.indicator, head.row.indicator) < policy.series_same_indicator:
            continue
        group = groups[fact.period.start is None]
        end = fact.period.end
        if end not in group or scored.score > group[end].score:
            group[end] = scored
    own = head.period is not None and head.period.start is None
    chosen = max((groups[own], groups[not own]), key=len)
    return [chosen[end] for end in sorted(chosen)] if len(chosen) >= SERIES_POINTS else []


def latest_total_first(results: list[Scored], policy: AnswerPolicy = POLICY) -> list[Scored]:
    """Asked without a date, the latest of the close ones of the same kind: 截至2023年5月底 supersedes
    截至2019年底 (江津班列累计开行多少列), 2019年 supersedes 2015年 (江津区的GDP), a year never a quarter."""
    best = results[0]
    if best.fact.period is None:
        return results
    close = [
        r
        for r in results[1:]
        if r.fact.period is not None
        and r.fact.family == best.fact.family
        and r.fact.row.measure == best.fact.row.measure
        and r.fact.row.kind == best.fact.row.kind
        and r.score >= policy.latest_share * best.score
    ]
    years = [r for r in close if r.fact.period is not None and r.fact.period.is_year]
    if best.fact.period.start is not None and not best.fact.period.is_year and years:
        best = max(years, key=period_end)  # a year's figure before a later quarter's
    chosen = best.fact.period
    later = [
        r
        for r in close
        if r.fact.period is not None
        and chosen is not None
        and _same_span(r.fact.period, chosen)
        and r.fact.period.end > chosen.end
    ]
    latest = max(later, key=period_end) if later else best
    return [latest, *(r for r in results if r is not latest)]


def _same_span(a: Period, b: Period) -> bool:
    """Two running totals (截至…), or two spans as long (two years, two first halves)."""
    if a.start is None or b.start is None:
        return a.start is None and b.start is None
    return a.end - a.start == b.end - b.start


def period_end(scored: Scored) -> int:
    """The month a dated fact's period ends in (the callers have left the undated ones out)."""
    if scored.fact.period is None:
        raise ValueError(f"fact {scored.fact.id} has no period")
    return scored.fact.period.end


def abstention_reason(query: Query, suggestions: list[Scored], policy: AnswerPolicy = POLICY) -> Reason:
    """Why no fact answers: the nearest ones are all for another district, period or subject, or none fits."""
    if suggestions:
        if query.district and all(s.fact.row.district != query.district for s in suggestions):
            return Reason.DISTRICT
        if query.period and all(period_fit(query.period, s.fact.period) is None for s in suggestions):
            return Reason.PERIOD
        if query.subject and all(
            subject_fit(query.subject, s.fact, policy=policy) is None for s in suggestions
        ):
            return Reason.SUBJECT
    return Reason.NO_MATCH


class FactService:
    def __init__(
        self,
        engine: Engine,
        settings: FactSettings,
        lexicon: Lexicon | None = None,
        policy: AnswerPolicy = POLICY,
    ):
        self.engine = engine
        self.policy = policy
        self.settings = settings
        self.lexicon = lexicon or load_lexicon()
        self.tokenizer = Tokenizer(self.lexicon)
        self._lock = threading.Lock()
        self._index: FactIndex | None = None
        self._version = -1
        self._names = KnownNames()
        self._titles: dict[str, str] = {}
        upgrade_schema(engine)

    @classmethod
    def from_settings(cls, settings: FactSettings) -> "FactService":
        return cls(make_engine(settings.database_url), settings)

    # the store
    def build(
        self,
        folder: Path | None = None,
        *,
        serve: bool = True,
        staged: dict[str, Path] | None = None,
        before_commit: BeforeCommit | None = None,
    ) -> BuildReport:
        """Rebuild the store from `folder` (default: the configured seeds folder) and serve it.

        The build has a tokenizer of its own, so it may run in a worker thread while questions are
        answered; serve=False leaves the switch to the new facts (`refresh`) to the caller."""
        folder = Path(folder or self.settings.factbot_seeds_dir)
        report = build_store(
            self.engine,
            folder,
            self.lexicon,
            Tokenizer(self.lexicon),
            staged=staged,
            before_commit=before_commit,
        )
        if serve:
            self.refresh(force=True)
        return report

    def reload(
        self,
        folder: Path | None = None,
        *,
        serve: bool = True,
        staged: dict[str, Path] | None = None,
        also: Callable[[Session, ReloadDiff], None] | None = None,
    ) -> ReloadDiff:
        """Rebuild from the seeds folder and say what changed. The new facts, the change log and
        whatever `also` writes (the bot's audit row) commit in one transaction: all or none. When
        anything fails, the old facts keep serving."""
        old_rows, old_docs = self.facts(), {d.name for d in self.documents()}
        diffs: list[ReloadDiff] = []

        def bookkeeping(session: Session, report: BuildReport, new_rows: list[Fact]) -> None:
            new_docs = set(session.exec(select(Document.name)))
            diff = diff_facts(old_rows, new_rows, old_docs, new_docs)
            diff.skipped = report.skipped
            record_changes(session, report.version, diff)
            if also is not None:
                also(session, diff)
            diffs.append(diff)

        self.build(folder, serve=serve, staged=staged, before_commit=bookkeeping)
        return diffs[0]

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.settings.factbot_timezone)).date()

    def ensure_built(self) -> BuildReport | None:
        """Build from the default seeds when the store is empty."""
        if self.store_info().facts:
            return None
        return self.build()

    @staticmethod
    def _asked_elsewhere(index: FactIndex, query, best: Scored, policy: AnswerPolicy) -> bool:
        """True when the question's words fit another fact of the asked period much better than `best`,
        and that fact is another place's: 2022年江津工业投资 must not be answered with some project's 投资额
        because the only 工业投资 of 2022 in the reports is a zone's."""
        other, coverage = index.best_by_words(query, policy)
        if other is None or other.id == best.fact.id or coverage < best.coverage + policy.elsewhere:
            return False
        return (
            period_fit(query.period, other.period) is not None
            and subject_fit(query.subject, other, policy=policy) is None
        )

    @property
    def loaded_facts(self) -> int:
        """How many facts are being served right now (0 before the first refresh; never loads)."""
        return len(self._index.facts) if self._index is not None else 0

    @property
    def version(self) -> int:
        """The store version being served (-1 before the first refresh)."""
        return self._version

    def store_info(self) -> StoreInfo:
        with Session(self.engine) as session:
            return session.get(StoreInfo, 1) or StoreInfo(id=1)

    def documents(self) -> list[Document]:
        with Session(self.engine) as session:
            return list(session.exec(select(Document).order_by(Document.name)))

    def facts(self, doc: str | None = None) -> list[Fact]:
        with Session(self.engine) as session:
            statement = select(Fact).order_by(col(Fact.doc), col(Fact.line), col(Fact.id))
            if doc:
                statement = statement.where(col(Fact.doc) == doc)
            return list(session.exec(statement))

    def refresh(self, force: bool = False) -> FactIndex:
        """Load the index, again if another build has replaced the store since (from the on-disk cache
        of that build when there is one: loading 20 000 facts and indexing them is the slow part)."""
        with self._lock:
            info = self.store_info()
            if not force and self._index is not None and info.version == self._version:
                return self._index
            cache = index_cache_path(self.settings.database_url, info, self.lexicon)
            state = read_index_cache(cache, self.lexicon)
            if state is None:
                state = load_index_state(self.engine, self.lexicon, self.tokenizer)
                write_index_cache(cache, state)
            self.tokenizer.add_words(state.words)
            self.tokenizer.restore_sounds(state.sounds)
            self._names, self._titles = state.names, state.titles
            self._index, self._version = state.index, info.version
            return self._index

    def fact(self, fact_id: int) -> Scored | None:
        """One stored fact by id (for a button that shows it)."""
        index = self._index or self.refresh()
        view = next((f for f in index.facts if f.id == fact_id), None)
        return Scored(view, 1.0, 1.0) if view else None

    def digest(self, topics: list[str] | None = None, since_version: int | None = None) -> Digest:
        """The key indicators (those matching `topics`, or all), and what changed since `since_version`."""
        index = self._index or self.refresh()
        documents = self.documents()
        district = main_district([d.district for d in documents])
        items = []
        for indicator in load_indicators():
            if not indicator.wanted(topics or []):
                continue
            short = (
                district[:-1] if len(district) > SHORT_NAME_CHARS and district[-1] in "区县市" else district
            )
            query = parse_question(
                indicator.query.format(district=district, short=short),
                self.lexicon,
                self.tokenizer,
                self._names,
                self.today().year,
                index.idf,
            )
            query.unit_family = indicator.unit
            ranked = index.rank(query, limit=30, policy=self.policy)
            series = [s for s in ranked if s.fact.row.kind != Kind.TARGET]
            item = DigestItem(
                indicator, (series_of(series, series[0], self.policy) or series[:1]) if series else []
            )
            targets = [s for s in ranked if s.fact.row.kind == Kind.TARGET and s.fact.period is not None]
            if targets and item.latest is not None and item.latest.fact.period is not None:
                share = self.policy.digest_target_share
                best = max(targets, key=lambda s: (s.score >= share * targets[0].score, period_end(s)))
                if period_end(best) >= item.latest.fact.period.end:
                    item.target = best
            items.append(item)
        changes = (
            []
            if since_version is None
            else [(c.change, c.text) for c in changes_since(self.engine, since_version)]
        )
        return Digest(district, self._version, items, changes, self._titles)

    # questions
    def answer(self, question: str, limit: int = 5) -> Answer:
        """The facts that answer `question`, or an abstention with the nearest facts."""
        question = question if isinstance(question, str) else str(question)
        if not question.strip():
            return Answer(question, False, reason=Reason.EMPTY)
        if len(question) > MAX_QUESTION:
            return Answer(question, False, reason=Reason.TOO_LONG)
        index = self._index or self.refresh()
        this_year = datetime.now(ZoneInfo(self.settings.factbot_timezone)).year
        query = parse_question(question, self.lexicon, self.tokenizer, self._names, this_year, index.idf)
        index.note_things_named(query)
        if not query.terms:
            return Answer(question, False, reason=Reason.VAGUE, query=query, titles=self._titles)
        policy = self.policy
        results = index.rank(query, limit=limit, policy=policy)
        if results and self._asked_elsewhere(index, query, results[0], policy):
            results = []  # the figure asked for is there for another period or place: not a lesser one here
        if results and not query.target and results[0].fact.row.kind == Kind.TARGET:
            # "how many in 2023" is not answered by the plan for 2023: the plan is offered, not given as the answer
            return Answer(
                question,
                False,
                suggestions=results[:3],
                reason=Reason.TARGET_ONLY,
                query=query,
                titles=self._titles,
            )
        if results and query.period is None and not query.series:
            results = latest_total_first(results, policy)
        if results:
            ranked = index.rank(query, limit=30, policy=policy) if query.series else []
            series = series_of(ranked, results[0], policy) if query.series else []
            return Answer(question, True, results=results, query=query, titles=self._titles, series=series)
        suggestions = index.rank(query, limit=3, strict=False, policy=policy)
        return Answer(
            question,
            False,
            suggestions=suggestions,
            reason=abstention_reason(query, suggestions, policy),
            query=query,
            titles=self._titles,
        )
