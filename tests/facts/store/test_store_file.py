"""A SQLite store whose file is deleted, replaced or made read-only while the engine is open: no new
connection recreates the file (a fresh file beside the old WAL index is how SQLite processes die of
SIGBUS, or read a stale index), nothing is written into a file that is gone, and reads of a read-only
file still work."""

import pytest
from sqlalchemy import text

from facts.store.db import StoreUnavailable, make_engine, store_problem

P = pytest.param


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'facts.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    yield engine
    engine.dispose()


def delete(path):
    path.unlink()


def replace(path):
    path.unlink()
    path.write_bytes(b"")


def read_only(path):
    path.chmod(0o444)


@pytest.mark.parametrize(
    ("fault", "problem", "reads"),
    [
        P(delete, "was deleted", False, id="deleted"),
        P(replace, "was replaced", False, id="replaced"),
        P(read_only, "is read-only", True, id="read-only"),
    ],
)
def test_a_changed_file_is_named_and_never_written_or_recreated(engine, tmp_path, fault, problem, reads):
    path = tmp_path / "facts.db"
    assert store_problem(engine) is None
    fault(path)
    assert problem in store_problem(engine)
    with pytest.raises(StoreUnavailable, match=problem), engine.begin() as connection:  # a pooled connection
        connection.execute(text("INSERT INTO t VALUES (2)"))
    engine.dispose()  # every connection from now on is a new one
    if reads:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 1
    else:
        with pytest.raises(Exception, match=problem), engine.connect():
            pass
        assert not path.exists() or path.stat().st_size == 0, "the store was recreated"


def test_an_in_memory_engine_has_no_file_to_watch():
    assert store_problem(make_engine("sqlite://")) is None
