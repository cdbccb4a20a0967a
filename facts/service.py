"""The one facade the bot and the command line call: build the store, answer questions, list facts."""
import logging
import threading
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
from facts.search import FactIndex, subject_fit
from facts.settings import Settings
from facts.text import Tokenizer

log = logging.getLogger(__name__)
MAX_QUESTION = 500


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
        """Load the index, again if another build has replaced the store since."""
        with self._lock:
            version = self.store_info().version
            if force or self._index is None or version != self._version:
                with Session(self.engine) as session:
                    rows = list(session.exec(select(Fact)))
                    documents = list(session.exec(select(Document)))
                for document in documents:
                    self.tokenizer.add_words(document.words)
                index = FactIndex(rows, self.lexicon)
                words = {w for d in documents for w in d.words}
                self.tokenizer.learn(index.vocabulary | words)
                self._names = KnownNames(
                    districts=frozenset(d.district for d in documents if d.district),
                    places=frozenset(w for w in words if len(w) == 2),
                    orgs=frozenset(core for r in rows for core in r.orgs),
                    services=frozenset(w for w in words if w.endswith("班列") and len(w) > 2),
                )
                self._titles = {d.name: d.title for d in documents}
                self._index, self._version = index, version
            return self._index

    # questions
    def answer(self, question: str) -> Answer:
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
        results = index.rank(query, limit=5)
        if results:
            return Answer(question, True, results=results, query=query, titles=self._titles)
        suggestions = index.rank(query, limit=3, strict=False)
        reason = "no_match"
        if suggestions:
            if query.period and all(period_fit(query.period, s.fact.period) is None for s in suggestions):
                reason = "period"
            elif query.subject and all(subject_fit(query.subject, s.fact) is None for s in suggestions):
                reason = "subject"
        return Answer(question, False, suggestions=suggestions, reason=reason, query=query, titles=self._titles)
