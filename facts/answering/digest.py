"""The digest of key indicators: for each, the latest figure, the one before it and the change,
plus what reloads changed since a chat's previous digest."""

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from facts.answering.search import Scored
from facts.lexicon import SCALES

INDICATORS_FILE = Path(__file__).parents[1] / "data" / "indicators.toml"
SCALE = SCALES


@dataclass(frozen=True)
class Indicator:
    name: str
    query: str
    unit: str
    topics: tuple[str, ...]

    def wanted(self, topics: list[str]) -> bool:
        names = [x.casefold() for x in (self.name, *self.topics)]  # gdp is GDP
        return not topics or any(t.casefold() in x for t in topics for x in names)


@cache
def load_indicators(path: Path = INDICATORS_FILE) -> tuple[Indicator, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Indicator(i["name"], i["query"], i["unit"], tuple(i.get("topics", []))) for i in data["indicator"]
    )


def amount(value: float, unit: str) -> tuple[float, str]:
    """148, 亿元 -> 1.48e10, 元: comparable amounts across 万元 and 亿元."""
    for prefix, scale in SCALE.items():
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return value * scale, unit[len(prefix) :]
    return value, unit


@dataclass
class DigestItem:
    indicator: Indicator
    series: list[Scored] = field(default_factory=list)  # oldest first
    target: Scored | None = None  # the latest target set for it, if the reports give one

    @property
    def latest(self) -> Scored | None:
        return self.series[-1] if self.series else None

    @property
    def previous(self) -> Scored | None:
        return self.series[-2] if len(self.series) > 1 else None

    @property
    def change(self) -> tuple[float, float | None] | None:
        """(absolute change in the latest figure's unit, percent) against the previous figure."""
        if self.latest is None or self.previous is None:
            return None
        new, old = self.latest.fact.row, self.previous.fact.row
        (a, base_a), (b, base_b) = amount(new.value, new.unit), amount(old.value, old.unit)
        if base_a != base_b or span(self.latest) != span(self.previous):
            return None  # 上半年 against a whole year, or 亿元 against 家: no honest difference
        scale = new.value / a if a else 1.0
        return (a - b) * scale, ((a - b) / b * 100 if b else None)


@dataclass
class Digest:
    district: str
    version: int
    items: list[DigestItem]
    changes: list[tuple[str, str]]  # (added | removed | changed, text) since the chat's previous digest
    titles: dict[str, str]


def span(scored: Scored) -> int | None:
    period = scored.fact.period
    return None if period is None or period.start is None else period.end - period.start


def main_district(districts: list[str | None]) -> str:
    counts = Counter(d for d in districts if d)
    return counts.most_common(1)[0][0] if counts else ""
