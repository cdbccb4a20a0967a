"""The search index of one build of the store, and its on-disk cache (loading and indexing 20 000
facts is the slow part of serving a new build; a cache keyed by the build skips it)."""

import hashlib
import logging
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from facts.answering.query import KnownNames
from facts.answering.search import FactIndex, FactRow
from facts.lexicon import Lexicon
from facts.store.models import Document, Fact, StoreInfo
from facts.text import Tokenizer, cache_dir

log = logging.getLogger(__name__)
CACHE_FORMAT = (
    4  # 4: facts carry a direction; 3: the classes moved into facts.reading / facts.answering / facts.store
)


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


def load_index_state(engine: Engine, lexicon: Lexicon, tokenizer: Tokenizer) -> IndexState:
    """Read every fact and document and index them (the slow part of a refresh, hence the cache)."""
    with engine.connect() as connection:
        result = connection.execute(select(*(getattr(Fact.__table__.c, c) for c in FactRow.columns())))
        rows = [FactRow(*row) for row in result]
    with Session(engine) as session:
        documents = list(session.exec(select(Document)))
    words = {w for d in documents for w in d.words}
    tokenizer.add_words(words)
    index = FactIndex(rows, lexicon)
    tokenizer.learn(index.vocabulary | words)
    names = KnownNames(
        districts=frozenset(d.district for d in documents if d.district),
        divisions=frozenset(d.district for d in documents if d.district)
        | frozenset(r.subject_name for r in rows if r.subject_kind == "district" and r.subject_name),
        places=frozenset(w for w in words if len(w) == 2),
        orgs=frozenset(core for r in rows for core in r.orgs),
        services=frozenset(w for w in words if w.endswith("班列") and len(w) > 2),
    )
    return IndexState(index, words, names, {d.name: d.title for d in documents}, tokenizer.sounds())
