"""The one facade the bot and the command line call: build the store, answer questions, list facts."""
import hashlib
import logging
import os
import pickle
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from facts.answer import Answer
from facts.build import BuildReport, build_store
from facts.db import create_schema, make_engine
from facts.lexicon import Lexicon, load_lexicon
from facts.models import Document, Fact, StoreInfo
from facts.periods import period_fit
from facts.query import KnownNames, parse_question
from facts.search import FactIndex, FactRow, Scored, subject_fit
from facts.settings import Settings
from facts.text import Tokenizer, cache_dir

log = logging.getLogger(__name__)
MAX_QUESTION = 500
CACHE_FORMAT = 2


@dataclass
class IndexState:
    """Everything answering needs that is derived from one build of the store."""

    index: FactIndex
    words: set[str]
    names: KnownNames
    titles: dict[str, str]
    sounds: tuple


def index_cache_path(url: str, info: StoreInfo) -> Path:
    stamp = info.built_at.isoformat() if info.built_at else "never"
    key = hashlib.sha1(f"{CACHE_FORMAT}|{url}|{info.version}|{stamp}".encode()).hexdigest()[:20]
    return cache_dir() / f"index-{key}.pickle"


def read_index_cache(path: Path) -> IndexState | None:
    try:
        with path.open("rb") as handle:
            state = pickle.load(handle)
        return state if isinstance(state, IndexState) else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None


def write_index_cache(path: Path, state: IndexState) -> None:
    """Best effort: a cache that cannot be written only costs time."""
    try:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
        for old in path.parent.glob("index-*.pickle"):
            if old != path and time.time() - old.stat().st_mtime > 3600:
                old.unlink(missing_ok=True)
    except OSError as err:
        log.warning("could not write the index cache %s: %s", path, err)


def series_of(ranked: list[Scored], best: Scored) -> list[Scored]:
    """The best fact's figure over the periods the reports give, one per period, oldest first.

    Members share the best fact's unit and measure and most of its matched words; estimates (预计)
    may join, targets only a series of targets; running totals (截至…) and period figures are not
    mixed: the larger of the two groups is kept."""
    head = best.fact
    planned = head.row.kind == "target"
    groups: dict[bool, dict[int, Scored]] = {True: {}, False: {}}
    for scored in ranked:
        fact, row = scored.fact, scored.fact.row
        if fact.period is None or fact.family != head.family or row.measure != head.row.measure:
            continue
        if scored.coverage < 0.6 * best.coverage or (row.kind == "target") != planned:
            continue
        if row.subject_explicit and head.row.subject_explicit and row.subject_name != head.row.subject_name:
            continue
        group = groups[fact.period.start is None]
        end = fact.period.end
        if end not in group or scored.score > group[end].score:
            group[end] = scored
    own = head.period is not None and head.period.start is None
    chosen = max((groups[own], groups[not own]), key=len)
    return [chosen[end] for end in sorted(chosen)] if len(chosen) >= 2 else []


class FactService:
    def __init__(self, engine: Engine, settings: Settings, lexicon: Lexicon | None = None):
        self.engine = engine
        self.settings = settings
        self.lexicon = lexicon or load_lexicon()
        self.tokenizer = Tokenizer(self.lexicon)
        self._lock = threading.Lock()
        self._index: FactIndex | None = None
        self._version = -1
        self._names = KnownNames()
        self._titles: dict[str, str] = {}
        create_schema(engine)

    @classmethod
    def from_settings(cls, settings: Settings) -> "FactService":
        return cls(make_engine(settings.database_url), settings)

    # the store
    def build(self, folder: Path | None = None) -> BuildReport:
        """Rebuild the store from `folder` (default: the configured seeds folder) and serve it."""
        report = build_store(self.engine, Path(folder or self.settings.factbot_seeds_dir), self.lexicon, self.tokenizer)
        self.refresh(force=True)
        return report

    def ensure_built(self) -> BuildReport | None:
        """Build from the default seeds when the store is empty."""
        if self.store_info().facts:
            return None
        return self.build()

    def store_info(self) -> StoreInfo:
        with Session(self.engine) as session:
            return session.get(StoreInfo, 1) or StoreInfo(id=1)

    def documents(self) -> list[Document]:
        with Session(self.engine) as session:
            return list(session.exec(select(Document).order_by(Document.name)))

    def facts(self, doc: str | None = None) -> list[Fact]:
        with Session(self.engine) as session:
            statement = select(Fact).order_by(Fact.doc, Fact.line, Fact.id)
            if doc:
                statement = statement.where(Fact.doc == doc)
            return list(session.exec(statement))

    def refresh(self, force: bool = False) -> FactIndex:
        """Load the index, again if another build has replaced the store since (from the on-disk cache
        of that build when there is one: loading 20 000 facts and indexing them is the slow part)."""
        with self._lock:
            info = self.store_info()
            if not force and self._index is not None and info.version == self._version:
                return self._index
            cache = index_cache_path(self.settings.database_url, info)
            state = read_index_cache(cache)
            if state is None:
                state = self._load_state()
                write_index_cache(cache, state)
            self.tokenizer.add_words(state.words)
            self.tokenizer.restore_sounds(state.sounds)
            self._names, self._titles = state.names, state.titles
            self._index, self._version = state.index, info.version
            return self._index

    def _load_state(self) -> "IndexState":
        with self.engine.connect() as connection:
            result = connection.execute(select(*(getattr(Fact.__table__.c, c) for c in FactRow.columns())))
            rows = [FactRow(*row) for row in result]
        with Session(self.engine) as session:
            documents = list(session.exec(select(Document)))
        words = {w for d in documents for w in d.words}
        self.tokenizer.add_words(words)
        index = FactIndex(rows, self.lexicon)
        self.tokenizer.learn(index.vocabulary | words)
        names = KnownNames(
            districts=frozenset(d.district for d in documents if d.district),
            places=frozenset(w for w in words if len(w) == 2),
            orgs=frozenset(core for r in rows for core in r.orgs),
            services=frozenset(w for w in words if w.endswith("班列") and len(w) > 2),
        )
        return IndexState(index, words, names, {d.name: d.title for d in documents}, self.tokenizer.sounds())

    def fact(self, fact_id: int) -> Scored | None:
        """One stored fact by id (for a button that shows it)."""
        index = self._index or self.refresh()
        view = next((f for f in index.facts if f.id == fact_id), None)
        return Scored(view, 1.0, 1.0) if view else None

    # questions
    def answer(self, question: str, limit: int = 5) -> Answer:
        """The facts that answer `question`, or an abstention with the nearest facts."""
        question = question if isinstance(question, str) else str(question)
        if not question.strip():
            return Answer(question, False, reason="empty")
        if len(question) > MAX_QUESTION:
            return Answer(question, False, reason="too_long")
        index = self._index or self.refresh()
        this_year = datetime.now(ZoneInfo(self.settings.factbot_timezone)).year
        query = parse_question(question, self.lexicon, self.tokenizer, self._names, this_year, index.idf)
        if not query.terms:
            return Answer(question, False, reason="vague", query=query, titles=self._titles)
        results = index.rank(query, limit=limit)
        if results:
            series = series_of(index.rank(query, limit=30), results[0]) if query.series else []
            return Answer(question, True, results=results, query=query, titles=self._titles, series=series)
        suggestions = index.rank(query, limit=3, strict=False)
        reason = "no_match"
        if suggestions:
            if query.district and all(s.fact.row.district != query.district for s in suggestions):
                reason = "district"
            elif query.period and all(period_fit(query.period, s.fact.period) is None for s in suggestions):
                reason = "period"
            elif query.subject and all(subject_fit(query.subject, s.fact) is None for s in suggestions):
                reason = "subject"
        return Answer(question, False, suggestions=suggestions, reason=reason, query=query, titles=self._titles)
