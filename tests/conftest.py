"""Fixtures every test package shares: a real store built from the repository's seeds/."""
from pathlib import Path

import pytest

from facts.db import make_engine
from facts.service import FactService
from facts.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="session")
def service(tmp_path_factory) -> FactService:
    """A FactService over a SQLite store built from the repository's seeds/."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'facts.db'}"
    service = FactService(make_engine(url), Settings(database_url=url, factbot_seeds_dir=SEEDS))
    report = service.build()
    assert report.documents == 5 and not report.skipped
    return service
