"""The cache folder and what is read back from it (issue 12, item 1): a private folder per user, never
one another user owns or can write, and nothing in it that could run code when loaded (JSON and
arrays, no pickle); the index cache is keyed by the engine's code and the lexicon too."""

import dataclasses
import logging
import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from facts.lexicon import load_lexicon
from facts.store.db import make_engine
from facts.store.index import index_cache_path
from facts.store.service import FactService
from facts.store.settings import FactSettings
from facts.text import cache_dir

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
FACTBOT = Path(sys.executable).parent / "factbot"
QUESTIONS = [
    "2022年江津班列开了多少列？",
    "江津GDP历年变化",
    "2019年江津区GDP",
    "斑列开行量",
    "渝新欧班列开行多少列",
]
NOBODY = 65534


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_cache_is_a_private_folder_of_the_user(tmp_path, monkeypatch):
    monkeypatch.delenv("FACTBOT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = cache_dir()
    assert folder == tmp_path / "xdg" / "factbot"
    assert mode(folder) == 0o700 and folder.stat().st_uid == os.geteuid()
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "factbot"


@pytest.mark.parametrize(
    ("folder_mode", "owner"),
    [
        pytest.param(0o777, None, id="world-writable"),
        pytest.param(0o1777, None, id="world-writable-sticky-like-tmp"),
        pytest.param(0o775, None, id="group-writable"),
        pytest.param(0o700, NOBODY, id="owned-by-another-user"),
    ],
)
def test_a_folder_others_can_write_is_refused(tmp_path, monkeypatch, caplog, folder_mode, owner):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(folder_mode)
    if owner is not None:
        if os.geteuid() != 0:
            pytest.fail("needs root to give a folder to another user")
        os.chown(shared, owner, owner)
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(shared))
    with caplog.at_level(logging.WARNING):
        folder = cache_dir()
    assert folder != shared and mode(folder) == 0o700 and folder.stat().st_uid == os.geteuid()
    assert any("refused" in r.getMessage() for r in caplog.records)
    assert cache_dir() == folder  # one stand-in (and one warning) per process


def poison(marker: Path) -> bytes:
    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    return pickle.dumps(Payload())


def test_a_planted_pickle_is_never_loaded(tmp_path):
    """The attack of the issue: another local user makes the old default folder ($TMPDIR/factbot-cache)
    first and plants pickles; `factbot ask` then ran their code. Now neither the shared folder nor a
    pickle in the bot's own folder is read."""
    marker = tmp_path / "pwned"
    tmp = tmp_path / "tmp"
    planted = tmp / "factbot-cache"
    own = tmp_path / "xdg" / "factbot"
    for folder in (planted, own):
        folder.mkdir(parents=True)
        (folder / "pinyin.pickle").write_bytes(poison(marker))
    planted.chmod(0o777)
    own.chmod(0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTBOT_", "DATABASE_"))}
    env |= {
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'facts.db'}",
        "FACTBOT_SEEDS_DIR": str(SEEDS),
    }
    done = subprocess.run(
        [str(FACTBOT), "ask", "2022年江津斑列开了多少列？"],  # 斑列: typo repair reads the pinyin table
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,  # the return code is asserted with the output that explains it
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "536列" in done.stdout
    assert not marker.exists(), "a planted pickle was run"
    assert not any(p.suffix == ".pickle" for p in own.iterdir() if p.name != "pinyin.pickle")


def test_the_index_cache_reads_back_as_built_and_holds_no_code(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(tmp_path / "cache"))
    url = f"sqlite:///{tmp_path / 'facts.db'}"
    settings = FactSettings(database_url=url, factbot_seeds_dir=SEEDS)
    built = FactService(make_engine(url), settings)
    built.build()
    [cached] = list((tmp_path / "cache").glob("index-*.npz"))
    with np.load(cached, allow_pickle=False) as data:  # arrays and a JSON text only
        assert all(data[name].dtype != object for name in data.files)
    fresh = FactService(make_engine(url), settings)
    fresh.refresh()
    assert vars(fresh._index).keys() == vars(built._index).keys()
    for question in QUESTIONS:
        mine, theirs = fresh.answer(question), built.answer(question)
        assert mine.answered == theirs.answered and mine.reason == theirs.reason, question
        assert [(s.fact.id, round(s.score, 6)) for s in mine.results] == [
            (s.fact.id, round(s.score, 6)) for s in theirs.results
        ], question
        assert [s.fact.id for s in mine.suggestions] == [s.fact.id for s in theirs.suggestions], question


def test_the_index_cache_key_covers_the_lexicon(service):
    info = service.store_info()
    lexicon = load_lexicon()
    other = dataclasses.replace(lexicon, words=(*lexicon.words, "新词"))
    same = dataclasses.replace(lexicon)
    url = service.settings.database_url
    assert index_cache_path(url, info, lexicon) == index_cache_path(url, info, same)
    assert index_cache_path(url, info, lexicon) != index_cache_path(url, info, other)
