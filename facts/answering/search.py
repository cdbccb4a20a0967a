"""The in-memory index over all facts, and ranking of facts for a parsed question.

Scores are coverage (how much of the question's weighted words a fact's context holds, 0–1)
times fits for period, subject, unit, measure and kind. Hard mismatches (another year,
another subject, another unit) remove a fact; no fact left above the bar means abstain.
"""

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import numpy as np

from facts.answering.policy import POLICY, AnswerPolicy
from facts.answering.query import Query
from facts.lexicon import Lexicon
from facts.places import division, gazetteer
from facts.reading.periods import Period, period_fit
from facts.reading.subjects import Subject
from facts.text import BASIS_WORDS, MIN_WORD, THIN_WORDS

MULTIPLE = "倍"  # the unit of a figure that is a multiple of another
PHASES = ("一期", "二期", "三期", "首期")


@dataclass(slots=True)
class FactRow:
    """One stored fact, as plain data (the ORM object is too slow to load 20 000 of)."""

    id: int
    doc: str
    line: int
    value: float
    value_text: str
    value_max: float | None
    unit: str
    qualifier: str
    figure: str
    kind: str
    measure: str
    period_label: str | None
    period_start: int | None
    period_end: int | None
    period_inferred: bool
    subject_kind: str | None
    subject_name: str | None
    subject_key: str | None
    subject_place: str | None
    subject_explicit: bool
    sub_scope: bool
    district: str | None
    indicator: str
    quote: str
    sentence: str
    terms: dict
    orgs: list
    direction: str

    @classmethod
    def columns(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "FactRow":
        """The one way in: by column name (a fact table row, a cached row with its field names)."""
        return cls(**{name: values[name] for name in cls.columns()})


PART_OF_YEAR = re.compile(r"[一二三四]季度|[上下]半年")
# words at least this close to a figure stay on its row (for tie-breaks); the rest live in postings
NEAR = 0.7


@dataclass(frozen=True)
class FactView:
    """A stored fact with its period and subject as objects, ready for ranking and rendering."""

    id: int
    row: FactRow
    period: Period | None
    subject: Subject | None
    family: str
    per_unit: frozenset[str] = frozenset()  # 人均 in its indicator: a ratio to people, not the total
    indicator: str = ""  # its indicator in the canonical terms questions are read in (规上 → 规模以上)


@dataclass(frozen=True)
class Scored:
    fact: FactView
    score: float
    coverage: float


def view(row: FactRow, lexicon: Lexicon) -> FactView:
    period = None
    if row.period_end is not None:
        period = Period(row.period_start, row.period_end, row.period_label or "", row.period_inferred)
    subject = None
    if row.subject_kind:
        subject = Subject(row.subject_kind, row.subject_name or "", row.subject_key or "", row.subject_place)
    return FactView(
        row.id,
        row,
        period,
        subject,
        lexicon.family(row.unit),
        lexicon.per_unit_in(row.indicator),
        lexicon.canonical_text(row.indicator),
    )


MIN_PARTS = 2  # a compound has an opening part and a last one (常住 + 人口)


class FactIndex:
    def __init__(self, rows: list[FactRow], lexicon: Lexicon):
        self.lexicon = lexicon
        self.facts = [view(row, lexicon) for row in rows]
        codes: dict[str, int] = {}
        self._codes = codes
        self.family_code = np.array(
            [codes.setdefault(f.family, len(codes)) for f in self.facts], dtype=np.int32
        )
        self.measure_code = np.array(
            [codes.setdefault(f.row.measure, len(codes)) for f in self.facts], dtype=np.int32
        )
        self.district_code = np.array(
            [codes.setdefault(f.row.district or "", len(codes)) for f in self.facts], dtype=np.int32
        )
        # a figure a report gives explicitly for another place (a city's report on its counties) is that place's
        self.place_code = np.array(
            [codes.setdefault(_own_place(f.row), len(codes)) for f in self.facts], dtype=np.int32
        )
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, fact in enumerate(self.facts):
            for term, weight in fact.row.terms.items():
                ids, weights = postings.setdefault(term, ([], []))
                ids.append(i)
                weights.append(weight)
            fact.row.terms = {t: w for t, w in fact.row.terms.items() if w >= NEAR}
        n = max(len(self.facts), 1)
        # one flat array of (fact, weight) per term, sliced: cheap to pickle, cheap to load
        self.slices: dict[str, tuple[int, int]] = {}
        all_ids: list[int] = []
        all_weights: list[float] = []
        for term, (ids, weights) in postings.items():
            self.slices[term] = (len(all_ids), len(all_ids) + len(ids))
            all_ids.extend(ids)
            all_weights.extend(weights)
        self.all_ids = np.array(all_ids, dtype=np.int32)
        self.all_weights = np.array(all_weights, dtype=np.float32)
        self.idf = {t: math.log(1 + n / (b - a)) for t, (a, b) in self.slices.items()}
        self.unknown_idf = math.log(1 + n / 2)
        self._weights: dict[str, dict[int, float]] = {}

    @cached_property
    def indicators(self) -> str:
        """Every figure's indicator (粮食产量, 批发和零售业增加值) in the canonical terms questions are read in."""
        return "\n".join(f.indicator or f.row.indicator or "" for f in self.facts)

    def in_indicators(self, words: str) -> bool:
        """Whether some figure's indicator holds `words` (remembered: questions repeat their words)."""
        seen = self.__dict__.setdefault("_in_indicators", {})
        if words not in seen:
            seen[words] = words in self.indicators
        return seen[words]

    def note_things_named(self, query: Query) -> None:
        """Mark the question's words that name a thing the reports measure (words of their indicators, not
        places), and the kind of its head it asks for when the reports name that kind whole (夏粮产量)."""
        # a train service's name is checked as a name (Query.required), not as a thing
        known = [t for t in query.terms if t in self.idf and division(t) is None and t not in query.required]
        query.named = {t for t in known if self.in_indicators(t)}
        query.compounds = {t for t in known if len(query.parts.get(t) or ()) >= MIN_PARTS}
        modifier, head = modifier_and_head(query)
        if (
            modifier
            and head
            and (self.in_indicators(modifier + head) or self.in_indicators(f"{modifier}的{head}"))
        ):
            query.kind_of = (modifier, head)

    def posting(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        span = self.slices.get(term)
        if span is None:
            return None
        return self.all_ids[span[0] : span[1]], self.all_weights[span[0] : span[1]]

    def weight(self, term: str, fact: int) -> float:
        """How close `term` stands to fact number `fact` (0 when absent)."""
        table = self._weights.get(term)
        if table is None:
            hit = self.posting(term)
            table = self._weights[term] = (
                dict(zip(hit[0].tolist(), hit[1].tolist(), strict=True)) if hit else {}
            )
        return table.get(fact, 0.0)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in {"_weights", "_in_indicators"}}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._weights = {}

    def __len__(self) -> int:
        return len(self.facts)

    @property
    def vocabulary(self) -> set[str]:
        return set(self.slices)

    def coverage(
        self,
        terms: list[str],
        parts: dict[str, list[str]] | None = None,
        part_weight: float = POLICY.part_weight,
    ) -> tuple[np.ndarray, float]:
        """Share of the question's weighted words each fact's context holds (a word's known parts count half)."""
        scores = np.zeros(len(self.facts), dtype=np.float32)
        total = 0.0
        for term in terms:
            idf = self.idf.get(term, self.unknown_idf)
            total += idf
            hit = self.posting(term)
            pieces = [piece for p in (parts or {}).get(term, ()) if (piece := self.posting(p)) is not None]
            if not pieces:
                if hit is not None:
                    scores[hit[0]] += idf * hit[1]
                continue
            best = np.zeros(len(self.facts), dtype=np.float32)
            for ids, weights in pieces:
                np.maximum.at(best, ids, weights * part_weight)
            if hit is not None:
                np.maximum.at(best, hit[0], hit[1])
            scores += idf * best
        return (scores / total if total else scores), total

    def rank(
        self, query: Query, limit: int = 10, strict: bool = True, policy: AnswerPolicy = POLICY
    ) -> list[Scored]:
        """Facts that answer `query`, best first. strict=False ignores period and subject (suggestions)."""
        if not query.terms or not self.facts:
            return []
        coverage, _ = self.coverage(query.terms, query.parts, policy.part_weight)
        floor = policy.min_coverage if strict else policy.suggestion_coverage
        mask = coverage >= floor
        if query.unit_family:  # hard constraints first, in bulk; fit_of checks the rest one by one
            mask &= self.family_code == self._codes.get(query.unit_family, -1)
        for family in query.never_in:
            mask &= self.family_code != self._codes.get(family, -1)
        if query.measure:
            mask &= self.measure_code == self._codes.get(query.measure, -1)
        if strict and query.district:
            asked = self._codes.get(query.district, -1)
            mask &= (
                (self.district_code == asked)
                | (self.place_code == asked)
                | (self.district_code == self._codes.get("", -1))
            )
        candidates = np.nonzero(mask)[0]
        if len(candidates) > policy.candidates:
            candidates = candidates[np.argsort(-coverage[candidates])[: policy.candidates]]
        scored = []
        for i in candidates:
            fact = self.facts[int(i)]
            fit = fit_of(query, fact, strict, lambda term, i=int(i): self.weight(term, i), policy)
            if fit is not None:
                scored.append(Scored(fact, float(coverage[i]) * fit, float(coverage[i])))
        if strict:
            scored = [s for s in scored if s.score >= policy.min_score]
        scored.sort(key=lambda s: (-s.score, -(s.fact.row.period_end or 0), s.fact.id))
        top = policy.rerank
        return (self._prefer_plain(query, scored[:top], policy) + scored[top:])[:limit]

    def best_by_words(self, query: Query, policy: AnswerPolicy = POLICY) -> tuple["FactView | None", float]:
        """The fact whose context holds most of the question's words, of the unit and measure asked, and
        its coverage — whatever its period or subject (one pass over the postings, no ranking)."""
        if not query.terms or not self.facts:
            return None, 0.0
        coverage, _ = self.coverage(query.terms, query.parts, policy.part_weight)
        if query.unit_family:
            coverage = np.where(self.family_code == self._codes.get(query.unit_family, -1), coverage, 0.0)
        if query.measure:
            coverage = np.where(self.measure_code == self._codes.get(query.measure, -1), coverage, 0.0)
        i = int(np.argmax(coverage))
        return (self.facts[i], float(coverage[i])) if coverage[i] > 0 else (None, 0.0)

    def _prefer_plain(self, query: Query, scored: list[Scored], policy: AnswerPolicy) -> list[Scored]:
        """Among close candidates, prefer the fact whose own words the question does not leave out
        (a figure for 消费品工业产值 is a worse answer to 工业产值 than the plain one)."""
        asked = set(query.all_terms) | {p for parts in query.parts.values() for p in parts}
        total = sum(self.idf.get(t, self.unknown_idf) for t in query.terms) or 1.0
        rescored = []
        for s in scored:
            unasked_words = [
                (t, w)
                for t, w in s.fact.row.terms.items()
                if w >= NEAR
                and t not in asked
                and not any(t in a or a in t for a in asked)
                and _names_a_thing(t)
            ]
            extra = sum(self.idf.get(t, 0.0) * w for t, w in unasked_words)
            unasked = [
                r for r in PHASES if r not in asked and s.fact.row.terms.get(r, 0.0) >= 1.0
            ]  # near only
            others = _other_places(s.fact.row, query.district)
            factor = (
                (1 + policy.specificity * min(extra / total, policy.specificity_cap))
                * (policy.phase_unasked if unasked else 1.0)
                * (policy.other_place if others else 1.0)
                * (policy.bound if s.fact.row.qualifier else 1.0)
            )
            rescored.append(Scored(s.fact, s.score / factor, s.coverage))
        rescored.sort(key=lambda s: (-s.score, -(s.fact.row.period_end or 0), s.fact.id))
        return rescored


def _names_a_thing(term: str) -> bool:
    """Whether a word beside a figure may say what it measures: not another figure (1298.56亿元), not how
    it moved or is compared (增长, 比上年)."""
    return (
        not THIN_WORDS.fullmatch(term)
        and not BASIS_WORDS.fullmatch(term)
        and not any(c.isdigit() for c in term)
    )


def _other_places(row: FactRow, asked: str | None) -> bool:
    """Whether the figure's own words name a division besides the one asked (and the fact's own)."""
    if not asked:
        return False
    mine = {asked, row.subject_name or ""}
    for term, weight in row.terms.items():
        if weight < 1.0 or len(term) < MIN_WORD:
            continue
        place = division(term)
        if place is not None and place.name not in mine:
            return True
    return False


def fit_of(
    query: Query, fact: FactView, strict: bool = True, weight=None, policy: AnswerPolicy = POLICY
) -> float | None:
    """How well a fact fits what the question asks besides its words; None when it cannot answer it.

    `weight(term)` says how close a word stands to the figure (defaults to the row's near words)."""
    row = fact.row
    weight = weight or (lambda term: row.terms.get(term, 0.0))
    if query.unit_family and fact.family != query.unit_family:
        return None
    if query.measure and row.measure != query.measure:
        return None
    if not _words_met(query, row, weight, policy):
        return None
    fit = 1.0 if fact.per_unit == query.per_unit else policy.other_quantity
    if (not query.measure and row.measure in {"growth", "share", "rank", "change"}) or (
        fact.family == MULTIPLE and query.unit_family != MULTIPLE
    ):  # a growth, a share or a multiple (是2016年的3.6倍) when the question asks for an amount
        fit *= policy.unasked_measure
    fit = _kind_fit(fit, query, fact, policy)
    if not strict:
        return fit
    place_and_time = _place_and_time(query, fact, weight, policy)
    # the thing named is checked last: the dearest test, for the few facts of the place and time asked
    if place_and_time is None or not _names_met(query, fact.indicator or row.indicator or "", weight, policy):
        return None
    period, subject = place_and_time
    return fit * period * subject


def _words_met(query: Query, row: FactRow, weight: Callable[[str], float], policy: AnswerPolicy) -> bool:
    """Whether the words the question restricts to (出口, 新增) and the names it requires (江津班列) stand
    close enough to the figure."""
    for word in query.restrictors:
        near = weight(word)
        # a report that never says its year keeps no period on its figures: 一季度 in the figure's paragraph
        # is the part of the year it is of
        undated_part = row.period_end is None and PART_OF_YEAR.fullmatch(word)
        if near < (policy.required_near if undated_part else policy.restrictor_near):
            return False
        if word in query.exclusive and any(t.find(word) > 0 and w >= near for t, w in row.terms.items()):
            return False  # 出口 only inside 进出口: the trade's figure (出口额 is still the exports')
    return not any(weight(name) < policy.required_near for name in query.required)


def _names_met(query: Query, indicator: str, weight: Callable[[str], float], policy: AnswerPolicy) -> bool:
    """Whether the figure is of the thing the question names, not of a sibling: when the reports name
    the question's thing whole (夏粮产量, 房地产业增加值), a figure whose indicator puts another word before
    the same head (粮食产量, 第一产业增加值) is not its figure; and no word the question names may be
    matched by a minority of its parts only (社会消费品零售总额 is not 批发和零售业 for their 零售)."""
    modifier, head = query.kind_of
    # the thing asked must stand near the figure, not clauses away (规上工业增加值 is no answer by the GDP)
    if head and weight(head) < policy.restrictor_near and not _head_near(head, query, weight, policy):
        return False
    for term in query.named:
        near = weight(term)
        if near >= policy.restrictor_near:
            continue
        if term == modifier and term not in indicator and indicator.find(head) > 0:
            return False  # the figure names another kind of the head
        parts = query.parts.get(term) or []
        present = [p for p in parts if weight(p) >= policy.restrictor_near]
        if present and len(present) * 2 < len(parts):
            return False
    return not any(_sibling_of(term, query, indicator, weight, policy) for term in query.compounds)


def _sibling_of(
    term: str, query: Query, indicator: str, weight: Callable[[str], float], policy: AnswerPolicy
) -> bool:
    """Whether the figure is of a sibling of the compound `term` the question names (城镇人口 for 常住人口)."""
    near = weight(term)
    if near >= policy.own_words:
        return False
    parts = query.parts.get(term) or []
    if near >= policy.restrictor_near:
        # named in the clause before (规上工业增加值增长0.1%,服务业增加值733亿元): the figure's own name
        # decides, and another kind of the same head is not the thing asked
        return term not in indicator and _rival_part(
            term, parts, [p for p in parts if p in indicator], indicator
        )
    return _rival_part(term, parts, [p for p in parts if weight(p) >= policy.restrictor_near], indicator)


def _head_near(head: str, query: Query, weight: Callable[[str], float], policy: AnswerPolicy) -> bool:
    """Whether the last part of the thing asked stands near the figure (增加值 of 工业增加值)."""
    parts = query.parts.get(head) or []
    last = max((p for p in parts if head.endswith(p) and p != head), key=len, default="")
    return bool(last) and weight(last) >= policy.restrictor_near


def _rival_part(term: str, parts: list[str], present: list[str], indicator: str) -> bool:
    """常住人口 asked, 城镇人口 found: the compound's last part stands in the figure's indicator after
    another word, and its opening part is nowhere near: a sibling of the thing asked."""
    opening = max((p for p in parts if term.startswith(p) and p != term), key=len, default="")
    last = max((p for p in parts if term.endswith(p) and p != term), key=len, default="")
    if not opening or not last or opening in present or last not in present or opening in indicator:
        return False
    return indicator.find(last) > 0


def modifier_and_head(query: Query) -> tuple[str, str]:
    """The question's last word (its head: 产量 in 夏粮产量是多少) and the word right before it, if any."""
    text = query.text
    placed = sorted((text.find(t), t) for t in query.terms if t in text)
    if not placed:
        return "", ""
    at, head = placed[-1]
    before = text[:at].rstrip("的")
    modifier = next((t for _, t in reversed(placed[:-1]) if before.endswith(t)), "")
    return modifier, head


def _kind_fit(fit: float, query: Query, fact: FactView, policy: AnswerPolicy) -> float:
    """`fit` times how well the fact's kind (actual, target, forecast, running total) fits the one asked."""
    row = fact.row
    if query.target:
        fit *= 1.0 if row.kind in {"target", "forecast"} else policy.actual_for_plan
    else:
        fit *= {"target": policy.plan_for_actual, "forecast": policy.forecast_for_actual}.get(row.kind, 1.0)
    if query.cumulative and not (
        query.target and row.kind in {"target", "forecast"}
    ):  # 十四五末 of a target: its year
        total = row.kind == "cumulative" or (fact.period and fact.period.start is None)
        fit *= 1.0 if total else policy.period_for_total
    return fit


def _place_and_time(
    query: Query, fact: FactView, weight: Callable[[str], float], policy: AnswerPolicy
) -> tuple[float, float] | None:
    """How well the fact's period and subject fit those asked, or None when its district, period or
    subject is another."""
    row = fact.row
    if query.district and row.district and query.district not in (row.district, _own_place(row)):
        return None
    period = period_fit(query.period, fact.period)
    if period is None and _total_to_that_end(query, fact):
        period = policy.span_for_total
    if period is None:
        return None
    if (
        row.kind == "target"
        and query.period is not None
        and query.period.start is None
        and fact.period is not None
        and fact.period.end == query.period.end
    ):
        period = 1.0  # a target for 2025 and one for the end of 2025 (十四五末) are the same level to reach
    subject = subject_fit(query.subject, fact, weight, policy)
    if subject is None:
        return None
    if query.period is not None and fact.period is not None and fact.period.inferred:
        period *= policy.inferred_period
    return period, subject


def _total_to_that_end(query: Query, fact: FactView) -> bool:
    """截至2021年 asked, a figure of the five years to 2021 (过去五年…聚集世界500强企业43家): what there
    was at the end of the span asked."""
    asked, own = query.period, fact.period
    return bool(
        query.cumulative
        and asked is not None
        and own is not None
        and own.start is not None
        and asked.start is not None
        and own.end == asked.end
        and own.start < asked.start
    )


def _own_place(row: FactRow) -> str:
    """The division a fact is about when the report names it for the figure (else ""): in its clause, or
    as the topic of the sentence before (武清区GDP为957亿元。其中第三产业增加值583亿元) when that is not the
    report's own place."""
    if row.subject_kind == "district" and (row.subject_explicit or row.subject_name != row.district):
        return row.subject_name or ""
    return ""


def subject_fit(
    asked: Subject | None, fact: FactView, weight=None, policy: AnswerPolicy = POLICY
) -> float | None:
    """1.0 when the fact is about the asked subject, less when only inferred, None when it is not."""
    if asked is None:
        return 1.0
    if asked.kind == "org":
        return _org_fit(asked, fact, weight, policy)
    subject = fact.subject
    if subject is None:
        return policy.no_subject
    if asked.kind == "zone":
        return _zone_fit(asked, subject, fact.row, weight, policy)
    return _district_fit(asked, subject, fact.row, policy)


def _org_fit(
    asked: Subject, fact: FactView, weight: Callable[[str], float] | None, policy: AnswerPolicy
) -> float | None:
    """A fact asked about a company: its own, named beside it, or in its paragraph."""
    row, subject = fact.row, fact.subject
    if subject and subject.kind == "org" and asked.fits(subject):
        return 1.0
    near = weight(asked.key) if weight else row.terms.get(asked.key, 0.0)
    if near >= policy.named_near:  # the company is named in the figure's own clause
        return policy.org_named
    in_paragraph = any(asked.key in core or core in asked.key for core in row.orgs)
    if in_paragraph or near >= policy.required_near:
        return policy.org_in_paragraph + policy.org_nearness * near
    return None


def _zone_fit(
    asked: Subject,
    subject: Subject,
    row: FactRow,
    weight: Callable[[str], float] | None,
    policy: AnswerPolicy,
) -> float | None:
    """A fact about `subject`, asked about a zone: the zone's own, named beside it, or its district's
    sub-scope figure."""
    if subject.kind == "zone" and asked.fits(subject):
        return 1.0 if row.subject_explicit else policy.zone_inferred
    near = weight(asked.name) if weight else row.terms.get(asked.name, 0.0)
    if near >= policy.named_near:  # the figure's own clause names the zone (…产业园…年产值)
        return policy.zone_named
    if row.subject_explicit or subject.kind == "zone":
        return None
    return policy.zone_in_district if row.sub_scope else None


def _contains(outer: str, inner: str) -> bool:
    """Whether the division `outer` holds the division `inner` (青岛市 holds 即墨区)."""
    return any(outer in place.parents for place in gazetteer().named(inner))


def _district_fit(asked: Subject, subject: Subject, row: FactRow, policy: AnswerPolicy) -> float | None:
    """A fact about `subject`, asked about a district (or 全区): the district's own, or inferred as it."""
    if subject.kind == "district":
        if not asked.key or asked.key == subject.key:
            return 1.0
        # a report on 即墨区 whose sentence took its topic from the city named before (青岛蓝谷…): the
        # figure is still the report's own place's, by inference only
        inferred_parent = (
            not row.subject_explicit and row.district == asked.key and _contains(subject.key, asked.key)
        )
        return policy.inferred_district if inferred_parent else None
    if (
        subject.kind == "org"
        and asked.key
        and row.district == asked.key
        and subject.place in (None, asked.key)
    ):
        return policy.inferred_district  # a company's project in the report of the district asked about
    if row.subject_explicit or row.sub_scope:
        return None
    return policy.inferred_district if not asked.key or subject.place in (None, asked.key) else None
