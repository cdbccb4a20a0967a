"""A question → what it asks: search terms, period, subject, unit, measure and kind wanted."""
import re
from dataclasses import dataclass, field

from facts.lexicon import Lexicon
from facts.periods import Period, ReportYears, find_markers, resolve_context
from facts.subjects import DISTRICT, ORG, ZONE_TYPES, Subject, org_core
from facts.text import Tokenizer, clean_question, english_to_chinese, is_english

GROWTH = re.compile(r"增长(率|多少|几|了多少|幅度)|增速|增幅|涨幅|增长$|同比增长|年均增长|增长百分之|增长目标|增长\?|增长？")
SHARE = re.compile(r"占比|比重|比例|份额|占全|百分之几|覆盖率|[^增长]率")
RANK = re.compile(r"排名|第几|排第|位列|排在")
TARGET = re.compile(r"目标|计划|力争|要在|要建|要达|将会|将要|有望|预计|预期|规划|能到|能达|达产")
BARE_PART = re.compile(r"第?[一二三四1-4]季度|[上下]半年|\d{1,2}月?[-—~至到]\d{1,2}月|\d{1,2}月\d{1,2}日")
CHANGE = re.compile(r"增加了?多少|净增|多了多少|增加额|增量")
SERIES = re.compile(r"历年|逐年|每年|各年|历史|变化|趋势|走势|这几年|近几年|几年来|多年")
MEASURE_WORDS = re.compile(r"同比增长|年均增长|增长率|增长|增速|增幅|涨幅|占比|比重|比例|份额|排名")
MONEY_HEAD = re.compile(r"投资|引资|产值|总值|金额|资金|收入|贸易额|进出口额|进出口总额|总额|生产总值|GDP")
CUMULATIVE = re.compile(r"累计|截至|截止|为止|总量|以来|底|末|一共|总共|合计|共计")


@dataclass
class Query:
    question: str  # as the user wrote it
    text: str  # cleaned, corrected, Chinese
    terms: list[str] = field(default_factory=list)
    period: Period | None = None
    cumulative: bool = False
    subject: Subject | None = None
    unit_family: str | None = None
    measure: str | None = None
    target: bool = False
    restrictors: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    parts: dict[str, list[str]] = field(default_factory=dict)  # compound word -> its known parts
    all_terms: list[str] = field(default_factory=list)  # every word of the question, subject and time too
    district: str | None = None  # the district the question names anywhere (江津 in 江津班列 too)
    series: bool = False  # 历年/变化/趋势: the figure over several periods

    @property
    def topic(self) -> str:
        """The question's words, for an honest "nothing about …" reply."""
        return "".join(self.terms[:6]) or self.text[:20]


@dataclass(frozen=True)
class KnownNames:
    """Names the reports use, so questions can be read with the same eyes."""

    districts: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()  # company core names
    services: frozenset[str] = frozenset()  # 江津班列, 中欧班列


def parse_question(question: str, lexicon: Lexicon, tokenizer: Tokenizer, names: KnownNames,
                   this_year: int, known: set[str] = frozenset()) -> Query:
    text = clean_question(question)
    if is_english(text):
        text = english_to_chinese(text, lexicon)
    text = tokenizer.canonical_text(tokenizer.correct(text))
    query = Query(question=question, text=text)
    rest = text

    years = ReportYears(this_year, this_year)
    markers = [m for m in resolve_context(find_markers(text, years), years, text) if m.period is not None
               and (m.explicit_year or not BARE_PART.fullmatch(text[m.start:m.end]))]
    if markers:
        chosen = next((m for m in markers if m.period.start is None), markers[0])
        query.period = chosen.period
        for m in markers:
            rest = rest.replace(text[m.start:m.end], " ")
    query.cumulative = bool(CUMULATIVE.search(text))
    query.series = bool(SERIES.search(text))
    if query.series:
        rest = SERIES.sub(" ", rest)

    query.subject, rest = _subject(rest, lexicon, names)
    query.district = _district(text, query.subject, lexicon, names)
    for family, phrases in lexicon.unit_words.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            if phrase in rest:
                query.unit_family = query.unit_family or family
                if ("多少" in phrase or "几" in phrase or phrase in {"金额", "列数", "趟数", "企业数"}):
                    rest = rest.replace(phrase, " ")
    if GROWTH.search(text):
        query.measure, query.unit_family = "growth", "%"
    elif SHARE.search(text) and query.unit_family in (None, "%"):
        query.measure, query.unit_family = "share", "%"
    elif CHANGE.search(text):
        query.measure = "change"
    elif RANK.search(text):
        query.measure, query.unit_family = "rank", None
    elif query.unit_family == "%":
        query.unit_family = None
    elif query.unit_family is None and MONEY_HEAD.search(rest):
        query.unit_family = "money"
    rest = MEASURE_WORDS.sub(" ", rest)
    query.target = bool(TARGET.search(text))
    query.restrictors = {r for r in lexicon.restrictors if r in text}
    query.required = {s for s in names.services if s in text}
    query.terms = tokenizer.question_terms(rest, known)
    query.parts = {t: tokenizer.parts(t, known) for t in query.terms}
    query.all_terms = tokenizer.terms(text)
    return query


def _district(text: str, subject: Subject | None, lexicon: Lexicon, names: KnownNames) -> str | None:
    if subject is not None and subject.kind == "district" and subject.key:
        return subject.key
    if subject is not None and subject.kind == "zone" and subject.place in names.districts:
        return subject.place
    found = [name for name in names.districts if name in text]
    if found:
        return max(found, key=len)
    for m in DISTRICT.finditer(text):
        if not any(m.group(0).endswith(w) for w in lexicon.not_districts) and m.group(1)[-1] not in "全该本各":
            return m.group(1)
    return None


def _subject(text: str, lexicon: Lexicon, names: KnownNames) -> tuple[Subject | None, str]:
    """The most specific subject a question names (company > zone > district), and the text without it."""
    for core in sorted(names.orgs, key=len, reverse=True):
        if core in text:
            return Subject("org", core, core), text.replace(core, " ")
    m = ORG.search(text)
    if m and len(org_core(m.group(0))) >= 2:
        return Subject("org", m.group(0), org_core(m.group(0))), text.replace(m.group(0), " ")
    for suffix in lexicon.zone_suffixes:
        at = text.find(suffix)
        if at < 0:
            continue
        place = next((p for p in sorted(names.places, key=len, reverse=True) if text.endswith(p, 0, at)), None)
        if suffix == "港" and place is None:
            continue
        start = at - len(place) if place else at
        name = text[start:at + len(suffix)]
        return Subject("zone", name, ZONE_TYPES[suffix], place), text.replace(name, " ")
    for name in sorted(names.districts, key=len, reverse=True):
        for suffix in ("区", "县"):
            if name + suffix in text:
                return Subject("district", name + suffix, name), text.replace(name + suffix, " ")
    for m in DISTRICT.finditer(text):
        if not any(m.group(0).endswith(w) for w in lexicon.not_districts) and m.group(1)[-1] not in "全该本各":
            return Subject("district", m.group(0), m.group(1)), text.replace(m.group(0), " ")
    for name in sorted(names.districts, key=len, reverse=True):
        for m in re.finditer(re.escape(name), text):
            follow = text[m.end():]
            if follow.startswith("班列") or any(follow.startswith(s) for s in lexicon.zone_suffixes):
                continue
            return Subject("district", name + "区", name), text[:m.start()] + " " + text[m.end():]
    if "全区" in text or "全县" in text:
        return Subject("district", "全区", ""), text.replace("全区", " ").replace("全县", " ")
    return None, text
