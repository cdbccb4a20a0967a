"""The search index of one build of the store, and its on-disk cache (loading and indexing 20 000
facts is the slow part of serving a new build; a cache keyed by the build skips it)."""

import dataclasses
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from facts.answering.query import KnownNames
from facts.answering.search import FactIndex, FactRow, view
from facts.lexicon import Lexicon
from facts.places import gazetteer
from facts.store.models import Document, Fact, StoreInfo, table_of
from facts.text import Tokenizer, cache_dir

log = logging.getLogger(__name__)
# 4: arrays and JSON in one .npz read with allow_pickle=False (a cache folder must never hold code
# the bot runs); the key also covers the engine's code and the lexicon, so neither can go stale
CACHE_FORMAT = 6  # 6: rows are read by field name (5: facts carry a direction)
ARRAYS = ("family_code", "measure_code", "district_code", "place_code", "all_ids", "all_weights")
PACKAGE = Path(__file__).resolve().parents[1]  # facts/
OLD_CACHE_SECONDS = 3600  # another version's cache is left this long: a process still serving it may read it
PLACE_SHORT_CHARS = 2  # a two-character name a report taught (江津, 永川) is taken for a place's short form


@dataclass
class IndexState:
    """Everything answering needs that is derived from one build of the store."""

    index: FactIndex
    words: set[str]
    names: KnownNames
    titles: dict[str, str]
    sounds: tuple


@cache
def code_version() -> str:
    """A digest of the engine's code and data files: a cache made by other code is not read."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in {".py", ".toml"} and "migrations" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def lexicon_version(lexicon: Lexicon) -> str:
    """A digest of the lexicon's contents (sets sorted, so it is the same in every process)."""
    fields = {f.name: getattr(lexicon, f.name) for f in dataclasses.fields(lexicon)}
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=sorted)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def index_cache_path(url: str, info: StoreInfo, lexicon: Lexicon) -> Path:
    stamp = info.built_at.isoformat() if info.built_at else "never"
    parts = f"{CACHE_FORMAT}|{code_version()}|{lexicon_version(lexicon)}|{url}|{info.version}|{stamp}"
    return cache_dir() / f"index-{hashlib.sha1(parts.encode()).hexdigest()[:20]}.npz"


def _meta(state: IndexState) -> dict:
    index = state.index
    vocabulary, by_sound, sound_keys = state.sounds
    return {
        "format": CACHE_FORMAT,
        "row_fields": FactRow.columns(),
        "rows": [[getattr(f.row, c) for c in FactRow.columns()] for f in index.facts],
        "codes": index._codes,
        "slices": index.slices,
        "idf": index.idf,
        "unknown_idf": index.unknown_idf,
        "words": sorted(state.words),
        "names": {f.name: sorted(getattr(state.names, f.name)) for f in dataclasses.fields(state.names)},
        "titles": state.titles,
        "sounds": [sorted(vocabulary), by_sound, {str(k): v for k, v in sound_keys.items()}],
    }


def read_index_cache(path: Path, lexicon: Lexicon) -> IndexState | None:
    """The state saved at `path`, or None when there is none (or it is unreadable: then it is rebuilt)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            arrays = {name: data[name] for name in ARRAYS}
        if meta.get("format") != CACHE_FORMAT:
            return None
        index = FactIndex.__new__(FactIndex)  # what FactIndex.__init__ derived, read back
        index.lexicon = lexicon
        fields = meta["row_fields"]
        index.facts = [
            view(FactRow.from_mapping(dict(zip(fields, row, strict=True))), lexicon) for row in meta["rows"]
        ]
        index._codes = meta["codes"]
        for name, array in arrays.items():
            setattr(index, name, array)
        index.slices = {term: (a, b) for term, (a, b) in meta["slices"].items()}
        index.idf, index.unknown_idf = meta["idf"], meta["unknown_idf"]
        index._weights = {}
        vocabulary, by_sound, sound_keys = meta["sounds"]
        sounds = (set(vocabulary), by_sound, {int(k): v for k, v in sound_keys.items()})
        names = KnownNames(**{k: frozenset(v) for k, v in meta["names"].items()})
        return IndexState(index, set(meta["words"]), names, meta["titles"], sounds)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
        if not isinstance(err, FileNotFoundError):
            log.warning("ignored an unreadable index cache %s: %s", path, err)
        return None


def write_index_cache(path: Path, state: IndexState) -> None:
    """Best effort: a cache that cannot be written only costs time."""
    try:
        meta = json.dumps(_meta(state), ensure_ascii=False).encode("utf-8")
        partial = path.with_suffix(f".{os.getpid()}.tmp.npz")
        arrays = {name: getattr(state.index, name) for name in ARRAYS}
        np.savez(partial, meta=np.frombuffer(meta, dtype=np.uint8), **arrays)
        partial.replace(path)
        for old in path.parent.glob("index-*"):
            if old != path and time.time() - old.stat().st_mtime > OLD_CACHE_SECONDS:
                old.unlink(missing_ok=True)
    except OSError as err:
        log.warning("could not write the index cache %s: %s", path, err)


def load_index_state(engine: Engine, lexicon: Lexicon, tokenizer: Tokenizer) -> IndexState:
    """Read every fact and document and index them (the slow part of a refresh, hence the cache)."""
    with engine.connect() as connection:
        result = connection.execute(select(*(getattr(table_of(Fact).c, c) for c in FactRow.columns())))
        rows = [FactRow.from_mapping(dict(row._mapping)) for row in result]
    with Session(engine) as session:
        documents = list(session.exec(select(Document)))
    words = {w for d in documents for w in d.words}
    tokenizer.add_words(words)
    index = FactIndex(rows, lexicon)
    tokenizer.learn(index.vocabulary | words)
    divisions = frozenset(d.district for d in documents if d.district) | frozenset(
        r.subject_name for r in rows if r.subject_kind == "district" and r.subject_name
    )
    # the short forms of the divisions named (沙坪坝 of 沙坪坝区: three characters too)
    shorts = {
        p.short for name in divisions for p in gazetteer().named(name) if len(p.short) >= PLACE_SHORT_CHARS
    }
    names = KnownNames(
        districts=frozenset(d.district for d in documents if d.district),
        divisions=divisions,
        places=frozenset(w for w in words if len(w) == PLACE_SHORT_CHARS) | shorts,
        orgs=frozenset(core for r in rows for core in r.orgs),
        services=frozenset(w for w in words if w.endswith("班列") and len(w) > len("班列")),
    )
    return IndexState(index, words, names, {d.name: d.title for d in documents}, tokenizer.sounds())
