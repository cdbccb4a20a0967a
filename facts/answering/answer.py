"""What the engine says to a question: the facts that answer it, or why it abstains."""

from dataclasses import dataclass, field

from facts.answering.query import Query
from facts.answering.search import Scored

KIND_NAMES = {"actual": "实际", "target": "目标", "forecast": "预计", "cumulative": "累计"}
MEASURE_NAMES = {"growth": "增速", "share": "占比", "rank": "排名", "amount": ""}


@dataclass
class Answer:
    question: str
    answered: bool
    results: list[Scored] = field(default_factory=list)  # best first, when answered
    suggestions: list[Scored] = field(default_factory=list)  # nearest facts, when not
    series: list[Scored] = field(default_factory=list)  # one figure per period, oldest first (历年/变化)
    reason: str = ""  # empty | too_long | vague | period | subject | district | target_only | no_match
    query: Query | None = None
    titles: dict[str, str] = field(default_factory=dict)  # document name -> title

    @property
    def best(self) -> Scored | None:
        return self.results[0] if self.results else None

    def to_json(self, text: str) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "text": text,
            "facts": [fact_json(s, self.titles) for s in self.results],
            "suggestions": [fact_json(s, self.titles) for s in self.suggestions],
            "series": [fact_json(s, self.titles) for s in self.series],
        }


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def fact_json(scored: Scored, titles: dict[str, str]) -> dict:
    fact = scored.fact
    row = fact.row
    return {
        "id": row.id,
        "value": number(row.value),
        "value_max": None if row.value_max is None else number(row.value_max),
        "unit": row.unit,
        "qualifier": row.qualifier,
        "figure": row.figure,
        "doc": row.doc,
        "title": titles.get(row.doc, ""),
        "line": row.line,
        "quote": row.quote,
        "sentence": row.sentence,
        "period": row.period_label,
        "period_inferred": row.period_inferred,
        "subject": row.subject_name,
        "indicator": row.indicator,
        "kind": row.kind,
        "measure": row.measure,
        "direction": row.direction,
        "score": round(scored.score, 4),
    }
