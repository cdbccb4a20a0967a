"""Real things built once per session: the seeds' facts, and a store built from seeds/."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from facts.lexicon import load_lexicon
from facts.reading.extract import FactRecord, extract_facts
from facts.reading.readers import read_report
from facts.reading.repair import repair
from facts.text import Tokenizer

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class SeedFacts:
    name: str
    original: str  # the decoded file, as read
    facts: list[FactRecord]


@pytest.fixture(scope="session")
def seed_facts() -> dict[str, SeedFacts]:
    """Facts of every seed, keyed by the file's prefix ("000" … "004")."""
    lexicon = load_lexicon()
    tokenizer = Tokenizer(lexicon)
    out = {}
    for path in sorted(SEEDS.glob("*.txt")):
        original = read_report(path)
        facts = extract_facts(path.name, repair(original), lexicon, tokenizer)
        out[path.name[:3]] = SeedFacts(path.name, original, facts)
    return out
