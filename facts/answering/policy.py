"""The answer policy: every threshold and weight by which facts are ranked and the engine answers or
abstains, in one object, each with the reason it exists.

Multipliers are fits between 0 and 1 (1 = no doubt); a score is the question-word coverage times the
fits. `POLICY` holds the values in use; `benchmarks/fit_policy.py` searches them on labelled questions
(the seeds' dev set and the studied half of the real set) and scores the half it never saw.
"""

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class AnswerPolicy:
    # -- which facts are candidates, and when to abstain
    min_coverage: float = (
        0.4  # a fact's context holds less than this share of the question's words: another topic
    )
    suggestion_coverage: float = 0.2  # the nearest facts offered when abstaining may be looser than answers
    min_score: float = 0.3  # coverage × fits below this is a guess: abstain rather than quote a wrong figure
    candidates: int = 120  # facts checked one by one after the bulk filters (the rest cannot reach the top)
    rerank: int = 30  # the close ones re-ordered by what their own words add
    part_weight: float = (
        0.5  # a question word absent but its parts present (工业投资 → 工业, 投资) counts half
    )

    # -- what is asked against what the fact is
    other_quantity: float = (
        0.5  # per capita (人均) on one side only: another quantity, unless nothing else fits
    )
    unasked_measure: float = 0.5  # a growth/share/rank figure when the question asks for an amount
    actual_for_plan: float = 0.55  # asked for a target (计划/目标), the fact is what happened
    plan_for_actual: float = 0.6  # asked what happened, the fact is a target (offered, rarely the answer)
    forecast_for_actual: float = 0.85  # asked what happened, the fact is an estimate (预计): close, not sure
    span_for_total: float = 0.85  # asked for a total to the end of a year, the fact is of years ending then
    period_for_total: float = 0.8  # asked for a running total (累计/截至), the fact is one period's
    inferred_period: float = 0.9  # the fact's period was inferred from the report, not written beside it
    restrictor_near: float = (
        0.5  # a restricting word (出口, 新增) must stand at least this close to the figure
    )
    own_words: float = 0.75  # a word of the figure's own clause (the clause before stands at 0.7)
    required_near: float = 0.2  # a name the question requires must be at least in the figure's paragraph

    # -- whose figure it is
    no_subject: float = 0.5  # the fact has no subject at all
    inferred_district: float = 0.6  # the district is the report's, the figure's sentence does not say it
    named_near: float = 0.7  # a word this close to a figure is in its own clause
    org_named: float = 0.95  # the company asked is named in the figure's clause but is not its subject
    org_in_paragraph: float = 0.5  # … or only in its paragraph (plus org_nearness × how close)
    org_nearness: float = 0.4
    zone_inferred: float = 0.9  # the zone asked is the fact's subject by inference, not named beside it
    zone_named: float = 0.8  # a zone named beside a figure whose subject was read as its district
    zone_in_district: float = 0.6  # a district's sub-scope figure asked about a zone in it

    # -- among close candidates
    specificity: float = (
        0.05  # per unit of the figure's own unasked words (capped): a tie-breaker, not a verdict
    )
    specificity_cap: float = 2.0
    phase_unasked: float = 1.5  # divisor: the figure is one phase's (一期, 二期) and the question names none
    other_place: float = 1.2  # divisor: the figure's words name another division too (两地合计 is not one's)
    bound: float = (
        1.1  # divisor: a figure written as a bound (突破400亿元大关) yields to an exact one as close
    )

    # -- the answer as a whole
    elsewhere: float = 0.3  # another place's fact fitting the words this much better stops a lesser answer
    latest_share: float = 0.8  # a later running total this close to the best one replaces it
    series_coverage: float = 0.6  # a series member holds at least this share of the best fact's coverage
    series_same_indicator: int = 60  # rapidfuzz partial ratio below this: another measure altogether
    digest_target_share: float = 0.6  # a digest's target: the latest of those this close to the best

    @classmethod
    def weights(cls) -> list[str]:
        """The names of the real-valued weights (what a fit may change; counts are not fitted)."""
        return [f.name for f in fields(cls) if f.type in (float, "float")]


POLICY = AnswerPolicy()
