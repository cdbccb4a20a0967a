"""What the store does, on SQLite and on PostgreSQL: the facts, and a rebuild under a reader.
(The bot's tables on both backends: tests/bot/state/test_persistence.py.)"""

import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from facts.answering.answer import Answer
from facts.store.db import make_engine
from facts.store.service import FactService
from facts.store.settings import FactSettings

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
TRAINS = "2022年江津班列开了多少列？"
SUPERGROUP = -1001234567890  # a supergroup's chat id: more than 32 bits
USER = 7_123_456_789  # user ids passed 2**31 long ago


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, empty_databases) -> Iterator[FactService]:
    """A store built from seeds/, once per backend."""
    with empty_databases(request.param) as url:
        service = FactService(make_engine(url), FactSettings(database_url=url, factbot_seeds_dir=SEEDS))
        report = service.build()
        assert (report.documents, report.skipped) == (5, [])
        yield service
        service.engine.dispose()


def figures(answer: Answer) -> list[str]:
    return [s.fact.row.figure for s in answer.results]


# the facts


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        pytest.param(TRAINS, "536列", id="trains-2022"),
        pytest.param("2023年1-5月江津班列开行多少列", "407列", id="trains-2023-jan-may"),
        pytest.param("江津综保区19年进出口额", "106.8亿元", id="zone-trade-2019"),
        pytest.param("渝新欧班列开行多少列", None, id="abstains-unknown-service"),
        pytest.param("2024年江津区进出口总额", None, id="abstains-future-year"),
    ],
)
def test_answers_from_the_store(store, question, figure):
    answer = store.answer(question)
    assert answer.answered is (figure is not None), (answer.reason, figures(answer))
    if figure:
        assert figures(answer)[0] == figure


def test_facts_read_back_as_built(store, service):
    """Every column (floats, booleans, JSON terms and names, long quotes) comes back as SQLite's does."""

    def rows(of: FactService) -> list[dict]:
        return [f.model_dump(exclude={"id"}) for f in of.facts()]

    assert rows(store) == rows(service)
    assert [d.model_dump(exclude={"id"}) for d in store.documents()] == [
        d.model_dump(exclude={"id"}) for d in service.documents()
    ]
    info = store.store_info()
    assert (info.version, info.documents, info.facts) == (1, 5, len(service.facts()))
    assert info.built_at.tzinfo == UTC and abs(datetime.now(UTC) - info.built_at) < timedelta(minutes=10)


def test_rebuild_serves_the_old_facts_until_it_commits(database_url, engines, tmp_path):
    """A replica reading while another rebuilds sees the whole old store until the commit, then the new."""
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, prefix in ((first, "001"), (second, "000")):
        folder.mkdir()
        shutil.copy(next(SEEDS.glob(f"{prefix}_*.txt")), folder)
    settings = FactSettings(database_url=database_url, factbot_seeds_dir=first)
    writer = FactService(engines(database_url), settings)
    writer.build()
    reader = FactService(engines(database_url), settings)
    assert figures(reader.answer(TRAINS))[:1] == ["536列"]

    seen = []

    def look(_connection):  # the rebuild has written everything; the commit comes next
        if not seen:
            reader.refresh()
            seen.append(
                (
                    reader.store_info().version,
                    [d.name[:3] for d in reader.documents()],
                    len(reader.facts()),
                    figures(reader.answer(TRAINS))[:1],
                )
            )

    old_facts = len(reader.facts())
    event.listen(writer.engine, "commit", look)
    try:
        writer.build(second)
    finally:
        event.remove(writer.engine, "commit", look)
    assert seen == [(1, ["001"], old_facts, ["536列"])]
    reader.refresh()
    assert (reader.store_info().version, [d.name[:3] for d in reader.documents()]) == (2, ["000"])
    assert len(reader.facts()) == reader.store_info().facts != old_facts
    assert not reader.answer(TRAINS).answered


def test_two_rebuilds_at_once_leave_one_store(database_url, engines, tmp_path):
    """Two replicas building together (both found the store empty): one waits for the other."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(next(SEEDS.glob("001_*.txt")), seeds)
    builders = [
        FactService(engines(database_url), FactSettings(database_url=database_url, factbot_seeds_dir=seeds))
        for _ in range(2)
    ]
    everyone = threading.Barrier(2)

    def build(service: FactService):
        everyone.wait()
        return service.build(serve=False)

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(build, builders))
    info = builders[0].store_info()
    assert sorted(r.version for r in reports) == [1, 2] and info.version == 2
    assert len(builders[0].facts()) == info.facts == reports[0].facts
    assert len(builders[0].documents()) == 1


def test_a_rebuild_never_reuses_a_fact_id(database_url, engines, tmp_path):
    """Issue 12, item 7: on SQLite a rebuild re-inserted the facts from id 1, so an old button or
    /start f_<id> link showed another figure (the button for 536列 showed 400亿元)."""
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    service = FactService(
        engines(database_url), FactSettings(database_url=database_url, factbot_seeds_dir=seeds)
    )
    service.build()
    before = {f.id: f.figure for f in service.facts()}
    trains = next(i for i, figure in before.items() if figure == "536列")
    next(seeds.glob("000_*.txt")).unlink()  # every later report's facts would move down
    service.build()
    after = {f.id: f.figure for f in service.facts()}
    assert not before.keys() & after.keys()
    assert min(after) > max(before)
    assert service.fact(trains) is None
    service.build()  # and again, with nothing changed
    assert not after.keys() & {f.id for f in service.facts()}
