"""A question → what it asks: search terms, period, subject, unit, measure and kind wanted."""

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache

from facts.lexicon import Lexicon
from facts.places import Place, gazetteer, latin_places, resolve
from facts.reading.figures import BASE_UNITS
from facts.reading.periods import Period, ReportYears, find_markers, odd_year, resolve_context
from facts.reading.subjects import (
    DISTRICT,
    ORG,
    PLACE_BEFORE_ZONE,
    PLACE_PREFIX,
    SERVICE,
    ZONE_TYPES,
    Subject,
    org_core,
    place_key,
    zone_place,
)
from facts.text import MIN_WORD, Tokenizer, clean_question, english_to_chinese, is_english, pinyin_key

# a fall is asked as a growth too (下降了多少, 同比增减): the figure is the rate, whichever its direction
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")
# 比上年变化了多少 and 同比增加了多少 ask the rate as 增长 does
GROWTH = re.compile(
    r"(?:比上年|比去年|较上年|同比)(?:变化|变动)|同比(?:增加|减少)|"
    r"增长(?!到|至)|增速|增幅|涨幅|下降|降低|降幅|减少|回落|增减|下滑|[涨跌](了|多少|幅|得)"
)
CHANGED = re.compile(r"变化|变动")
ASKED_UNIT = re.compile(
    r"(多少|几)(?:万|亿|千|百)?(" + "|".join(re.escape(u) for u in BASE_UNITS if u not in {"%", "‰"}) + ")"
)
QUESTION_CHARS = set("多少几趟列个次家的了吗呢是有开跑行这那些年月日共总")
SHARE = re.compile(r"占比|比重|比例|份额|占全|百分之几|覆盖率|[^增长]率")
CONTRIBUTION = re.compile(r"贡献率|贡献度")
RANK = re.compile(r"排名|第几|排第|位列|排在")
TARGET = re.compile(
    r"目标|计划|力争|要在|要建|要达|要突破|要超过|要实现|将会|将要|将达|将突破|将超|将实现|将建成|有望|预计|预期|"
    r"规划|能到|能达|达产|打算|准备"
)
# the words of a plan (not of an estimate: 预计 stands beside the figure it qualifies)
PLAN = re.compile(r"目标|预期|计划|力争|打算|准备|规划")
BARE_PART = re.compile(r"第?[一二三四1-4]季度|[上下]半年|\d{1,2}月?[-—~至到]\d{1,2}月|\d{1,2}月\d{1,2}日")
RUNNING_TOTAL = re.compile(r"累计|共计|合计|一共|总共")
PART_OF_YEAR = re.compile(r"第?([一二三四1-4])季度|([上下])半年")
CHANGE = re.compile(r"增加了?多少|净增|多了多少|增加额|增量")
SERIES = re.compile(r"历年|逐年|每年|各年|历史|(?<!上年|同比|去年)变化|趋势|走势|这几年|近几年|几年来|多年")
MEASURE_WORDS = re.compile(
    r"同比增长|年均增长|增长率|增长|增速|增幅|涨幅|占比|比重|比例|份额|排名|增加了?(?!值)|净增|"
    r"变化|变动|按(?:可比|现行|不变)?价格?计算|按(?:可比|现)价"
)
MONEY_HEAD = re.compile(
    r"投资|引资|产值|总值|金额|资金|收入|贸易额|进出口额|进出口总额|总额|生产总值|GDP|货值"
)
CUMULATIVE = re.compile(r"累计|截至|截止|为止|总量|以来|底|末|一共|总共|合计|共计|目前|现在|这些年|近年")
# a time that asks for the latest figure, not for a period: 截至目前, 现在, 这些年, 近年来
LATEST = re.compile(
    r"(?:(?:截至|截止)?(?:目前|现在|当前|今天)|现阶段|近年来|近(?:几|些)年来?|多年来|这些年来?)"
)


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
    exclusive: set[str] = field(
        default_factory=set
    )  # restrictors that a longer word of the fact's does not satisfy
    required: set[str] = field(default_factory=set)
    parts: dict[str, list[str]] = field(default_factory=dict)  # compound word -> its known parts
    all_terms: list[str] = field(default_factory=list)  # every word of the question, subject and time too
    district: str | None = None  # the district the question names anywhere (江津 in 江津班列 too)
    series: bool = False  # 历年/变化/趋势: the figure over several periods
    # the things asked that the reports' indicators name (夏粮, 房地产业): a figure must name them too
    named: set[str] = field(default_factory=set)
    never_in: set[str] = field(default_factory=set)  # unit families the amount asked is never in (产量: area)
    per_unit: frozenset[str] = frozenset()  # 人均 asked: a ratio to people, not the total
    compounds: set[str] = field(default_factory=set)  # words the reports use, made of parts (常住 + 人口)
    kind_of: tuple[str, str] = ("", "")  # (夏粮, 产量): the kind of a head asked, as the reports name it

    @property
    def topic(self) -> str:
        """The question's words, for an honest "nothing about …" reply."""
        return "".join(self.terms[:6]) or self.text[:20]


@dataclass(frozen=True)
class KnownNames:
    """Names the reports use, so questions can be read with the same eyes."""

    districts: frozenset[str] = frozenset()  # the reports' own places, full names
    divisions: frozenset[str] = frozenset()  # every division the reports name, full names
    places: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()  # company core names
    services: frozenset[str] = frozenset()  # 江津班列, 中欧班列


def parse_question(
    question: str,
    lexicon: Lexicon,
    tokenizer: Tokenizer,
    names: KnownNames,
    this_year: int,
    known: Collection[str] = frozenset(),
) -> Query:
    """What a question asks: each part read off in turn, the words that named it taken out of `rest`, and
    what is left searched for."""
    text, years = _normalised(question, lexicon, tokenizer, names, this_year)
    query = Query(question=question, text=text)
    query.period, query.restrictors, rest = _asked_period(text, years)
    query.cumulative = bool(CUMULATIVE.search(text))
    rest = RUNNING_TOTAL.sub(
        " ", rest
    )  # 累计 is how the figure is counted (query.cumulative), not what it is
    # 2022年能耗变化: how it changed in the year named (a rate), not how it moved over the years
    changed = (
        query.period is not None and bool(CHANGED.search(text)) and not SERIES.search(CHANGED.sub(" ", text))
    )
    query.series = bool(SERIES.search(text)) and not changed
    if query.series:
        rest = SERIES.sub(" ", rest)

    query.subject, rest = _subject(rest, lexicon, names, tokenizer, places_asked(rest, names))
    query.district = _district(query.subject, places_asked(text, names), names)
    unit_family, explicit, rest = _asked_unit(rest, lexicon, tokenizer)
    query.measure, query.unit_family = _asked_measure(text, rest, unit_family, explicit, changed)
    query.never_in = {f for word, families in lexicon.never_in.items() if word in text for f in families}
    query.per_unit = lexicon.per_unit_in(text)
    rest = MEASURE_WORDS.sub(" ", rest)
    query.target = bool(TARGET.search(text))
    # a restricting word must be a word of the question: 进出口 asks for trade, not 出口 (exports) alone
    spoken = set(tokenizer.words(text))
    query.exclusive = {
        r for r in lexicon.restrictors if r in spoken or any(_restricted(w, r) for w in spoken)
    }
    query.restrictors |= query.exclusive
    query.required = _required_services(text, names, tokenizer)
    query.terms = _search_terms(text, rest, query.measure, tokenizer, known)
    query.parts = {t: tokenizer.parts(t, known) for t in query.terms}
    query.all_terms = tokenizer.terms(text)
    return query


def _normalised(
    question: str, lexicon: Lexicon, tokenizer: Tokenizer, names: KnownNames, this_year: int
) -> tuple[str, ReportYears]:
    """The question in the reports' words (half-width, simplified, English put into Chinese, typos mended),
    and the year it is asked about."""
    text = clean_question(question)
    if is_english(text):
        text = latin_places(text, names.divisions)
        text = english_to_chinese(text, lexicon)
    else:  # 2024年Q1, 2025年H1: a quarter or half written the English way in a Chinese question
        text = LATIN_QUARTER.sub(lambda m: f"第{'一二三四'[int(m.group(1)) - 1]}季度", text)
        text = LATIN_HALF.sub(lambda m: "上半年" if m.group(1) == "1" else "下半年", text)
    text = LATIN_WORD.sub(lambda m: latin_spelling(m.group(0), lexicon), text)
    named = YEAR.search(
        text
    )  # 2023年以来截至11月28日: a date without a year is in the year the question names
    asked_year = int(named.group(1)) if named and "今年" not in text else this_year
    years = ReportYears(asked_year, asked_year)
    protected = [(m.start, m.end) for m in find_markers(text, years)]  # 2023年第二季度 is no typo for 年底
    # a division's own name is no typo for another that sounds alike (维西县 is not 肥西县)
    protected += [(m.start, m.end) for m in gazetteer().scan(text) if m.place.level != "town"]
    text = _sound_alike_places(text, names.divisions)
    return tokenizer.canonical_text(tokenizer.correct(text, protected)), years


# a place's shape in a question: two or three characters and the kind of division (洛南县, 沙坪坝区)
PLACE_SHAPED = re.compile(r"[\u4e00-\u9fff]{2,3}(?:县|区|市|旗)")


@cache
def _by_sound(divisions: frozenset[str]) -> dict[str, list[str]]:
    """The reports' divisions by their sound (luo nan xian → 洛南县), worked out once per store."""
    by_sound: dict[str, list[str]] = {}
    for name in divisions:
        by_sound.setdefault(pinyin_key(name), []).append(name)
    return by_sound


def _sound_alike_places(text: str, divisions: frozenset[str]) -> str:
    """落南县 for 洛南县: a place-shaped word no division bears, that sounds like exactly one division the
    reports name, is that division."""
    by_sound = _by_sound(divisions)
    for m in PLACE_SHAPED.finditer(text):
        word = m.group(0)
        for start in range(len(word) - 2):  # 年落南县 is not a place: try the word's tails too
            tail = word[start:]
            if gazetteer().named(tail):
                break
            alike = by_sound.get(pinyin_key(tail), [])
            if len(alike) == 1:
                return text.replace(tail, alike[0], 1)
    return text


def _asked_period(text: str, years: ReportYears) -> tuple[Period | None, set[str], str]:
    """The period asked, the part of a year asked without one (二季度, 上半年: words its facts carry), and
    the text without the words that named the period."""
    markers = [
        m
        for m in resolve_context(find_markers(text, years), years, text)
        if m.period is not None and (m.explicit_year or not BARE_PART.fullmatch(text[m.start : m.end]))
    ]
    latest = [m for m in markers if LATEST.fullmatch(text[m.start : m.end])]
    if latest:  # 截至目前, 这些年: the latest running total the reports give, of whatever year
        for m in latest:
            text = text.replace(text[m.start : m.end], " ")
        return _asked_period(text, years)
    if markers:
        chosen = next((m for m in markers if m.period is not None and m.period.start is None), markers[0])
        rest = text
        for m in markers:
            rest = rest.replace(text[m.start : m.end], " ")
        return chosen.period, set(), rest
    if (odd := odd_year(text)) is not None:  # 99999999999年: a period no fact has, not "any year"
        return odd, set(), text
    # 二季度/上半年 without a year: any year's, but that part of it (facts carry such words of their period)
    parts = {
        f"{'一二三四'['一二三四1234'.index(part.group(1)) % 4]}季度"
        if part.group(1)
        else f"{part.group(2)}半年"
        for part in PART_OF_YEAR.finditer(text)
    }
    return None, parts, text


SHORT_UNIT_PHRASE = 2  # a unit phrase this short must be a word of the question: 占地区生产总值 holds no 占地


def _asked_unit(rest: str, lexicon: Lexicon, tokenizer: Tokenizer) -> tuple[str | None, bool, str]:
    """The unit family asked (多少个标箱 asks for 标箱, 几家 for 家, 多少万头 for 头), whether the question
    asks for an amount in so many words, and the text without the words that asked."""
    family: str | None = None
    asked_unit = ASKED_UNIT.search(rest)
    if asked_unit and asked_unit.group(2):
        family = lexicon.family(asked_unit.group(2))
        rest = rest.replace(asked_unit.group(0), " ")
    words = set(tokenizer.words(rest))
    explicit = bool(asked_unit) or bool(re.search(r"(多少|几)(亿|万|钱)|金额", rest))
    for phrase_family, phrases in lexicon.unit_words.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            if phrase in rest and (
                len(phrase) > SHORT_UNIT_PHRASE or phrase in words or not CJK_ONLY.fullmatch(phrase)
            ):
                family = family or phrase_family
                if "多少" in phrase or "几" in phrase or phrase in {"金额", "列数", "趟数", "企业数"}:
                    rest = rest.replace(phrase, " ")
    return family, explicit, rest


# a ladder of the measures a question can ask, tried in order of precedence: one return a rung
def _asked_measure(  # noqa: PLR0911
    text: str, rest: str, family: str | None, explicit: bool, changed: bool = False
) -> tuple[str | None, str | None]:
    """The measure asked (growth, share, change, rank, else None) and the unit family that goes with it;
    `changed`: the question asks how a thing changed in the period it names."""
    if CONTRIBUTION.search(text):  # 对GDP增长的贡献率: a share of the growth, not the growth
        return "share", "%"
    growth = GROWTH.search(text) or changed
    if growth and explicit and family not in (None, "%"):
        return "change", family  # 增长了多少亿: an amount of change
    if growth:
        return "growth", "%"
    if SHARE.search(text) and family in (None, "%"):
        return "share", "%"
    if CHANGE.search(text):
        return "change", family
    if RANK.search(text):
        return "rank", None
    if family == "%":
        return None, None
    if family is None and MONEY_HEAD.search(rest):
        return None, "money"
    return None, family


def _required_services(text: str, names: KnownNames, tokenizer: Tokenizer) -> set[str]:
    """The train services a fact must name: those the question names, and any it names that the reports
    never do (a train service the reports never name must not borrow another's figures)."""
    required = {s for s in names.services if s in text}
    for service in SERVICE.finditer(text):
        name = service.group(0)
        if (
            not any(name in s or s.endswith(name) for s in names.services)
            and not tokenizer.is_common_word(service.group(1))
            and not any(ch in QUESTION_CHARS for ch in service.group(1))
        ):
            required.add(name)
    return required


def _search_terms(
    text: str, rest: str, measure: str | None, tokenizer: Tokenizer, known: Collection[str]
) -> list[str]:
    """The words searched for: what is left of the question, with the measure's words when nothing else is
    (江津综保区排名目标: the 排名 is the topic)."""
    terms = tokenizer.question_terms(rest, known)
    # 经济增速 asks for the growth of GDP: its measure word goes with the measure, its meaning stays a term
    terms += [
        w
        for word, meant in tokenizer.lexicon.implies.items()
        if word in text
        for w in meant
        if w in known and w not in terms
    ]
    # 预期目标, 计划: the kind asked (a target), which the fact's kind says; its words need not stand beside it
    planned = [t for t in terms if not PLAN.fullmatch(t)]
    if planned and len(planned) < len(terms):
        return planned
    if measure and all(TARGET.fullmatch(t) for t in terms):
        terms += [
            w
            for w in tokenizer.question_terms(" ".join(MEASURE_WORDS.findall(text)), known)
            if w not in terms
        ]
    return terms


LATIN_QUARTER = re.compile(r"(?<![A-Za-z])[Qq]([1-4])(?![\dA-Za-z])")
LATIN_HALF = re.compile(r"(?<![A-Za-z])[Hh]([12])(?![\dA-Za-z])")
LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")


def latin_spelling(word: str, lexicon: Lexicon) -> str:
    """A Latin word the lexicon knows, in its spelling: GPD and gpd are GDP (letters swapped or cased)."""
    known = [w for w in lexicon.synonyms if w.isascii() and w.isalpha()]
    if word in known:
        return word
    same = [w for w in known if sorted(w.upper()) == sorted(word.upper())]
    return max(same, key=lambda w: w.isupper()) if same else word


# what may follow a restricting word in one word of the question: 出口额 asks for exports, like 出口
RESTRICTED_HEADS = frozenset({"额", "值", "总额", "总值", "量", "总量"})


def _restricted(word: str, restrictor: str) -> bool:
    return word.startswith(restrictor) and word[len(restrictor) :] in RESTRICTED_HEADS


def _whole_short_county(word: str, place: Place) -> bool:
    """寿县, 莘县 asked by their whole two-character names: a question names the county (a report may use
    such a pair inside a word, 示范县, which a question about figures does not)."""
    return place.name == word and word.endswith(("县", "旗"))


# an autonomous division's kind written after its short name, with or without some of its peoples
# (紫云自治县, 紫云苗族自治县 for 紫云苗族布依族自治县)
AUTONOMOUS_TAIL = re.compile(r"(?:[\u4e00-\u9fff]{1,3}族)*(自治[县旗州])")


def places_asked(text: str, names: "KnownNames") -> list[tuple[int, int, str]]:
    """The divisions a question names, as (start, end, full name): short forms resolved to the places the
    reports know first (江津 → 江津区), a place followed by one inside it read as the inner one
    (重庆江津区 → 江津区; Beijing's Chaoyang District, 北京市 朝阳区 → 朝阳区). A short form that is a
    common word counts only for a place the reports know."""
    found: list[tuple[int, int, str]] = []
    for m in gazetteer().scan(text):
        word = text[m.start : m.end]
        place = resolve(word, names.divisions)
        if place is None or place.level == "town":
            continue
        if place.name not in names.divisions and not (
            gazetteer().trusted(word, place) or _whole_short_county(word, place)
        ):
            continue
        if (
            text[m.start - 1 : m.start] in "(（"
            and text[m.end : m.end + 1] in ")）"
            and m.start > 1
            and place.name not in names.districts
        ):
            continue  # 重汽(重庆)…项目: a place in brackets after a name is part of the name
        end = m.end
        tail = AUTONOMOUS_TAIL.match(text, end)
        if tail and place.name.endswith(tail.group(1)):
            end = tail.end()  # 紫云自治县: the short name, then the kind of the division written after it
        if found and not text[found[-1][1] : m.start].strip() and found[-1][2] in place.parents:
            found[-1] = (found[-1][0], end, place.name)
            continue
        found.append((m.start, end, place.name))
    return found


def _district(subject: Subject | None, asked: list[tuple[int, int, str]], names: KnownNames) -> str | None:
    if subject is not None and subject.kind == "district" and subject.key:
        return subject.key
    if subject is not None and subject.kind == "zone" and subject.place in names.divisions:
        return subject.place
    if subject is not None and subject.kind == "org":  # 巨湾技研重庆基地: a city in a company's name
        asked = [a for a in asked if any(p.level == "county" for p in gazetteer().named(a[2]))]
    return asked[0][2] if asked else None


def _subject(
    text: str, lexicon: Lexicon, names: KnownNames, tokenizer: Tokenizer, asked: list[tuple[int, int, str]]
) -> tuple[Subject | None, str]:
    """The most specific subject a question names (company > zone > district), and the text without it."""
    found = (
        _known_org(text, names)
        or _named_org(text, names, tokenizer)
        or _zone(text, lexicon, names, tokenizer)
        or _asked_district(text, lexicon, asked)
    )
    if found is not None:
        return found
    if "全区" in text or "全县" in text:
        return Subject("district", "全区", ""), text.replace("全区", " ").replace("全县", " ")
    return None, text


ORG_SHORT = 4  # a company the reports know may be asked by the first four characters of its core name
PLACE_PREFIX_CHARS = (
    2  # a province or city written before a company's name (四川和邦集团) is read two at a time
)


def _known_org(text: str, names: KnownNames) -> tuple[Subject, str] | None:
    """A company the reports name, longest core name first, with the places written before it."""
    for core in sorted(names.orgs, key=len, reverse=True):
        short = (
            core
            if core in text
            else (core[:ORG_SHORT] if len(core) > ORG_SHORT and core[:ORG_SHORT] in text else None)
        )
        if short:
            whole = next((m.group(0) for m in ORG.finditer(text) if short in m.group(0)), short)
            start = text.find(whole)
            while (start > 0 and text[start - 1] in "省市") or (
                start >= PLACE_PREFIX_CHARS and PLACE_PREFIX.match(text[start - PLACE_PREFIX_CHARS : start])
            ):
                start -= (
                    PLACE_PREFIX_CHARS if PLACE_PREFIX.match(text[start - PLACE_PREFIX_CHARS : start]) else 1
                )
            whole = text[start : text.find(whole) + len(whole)]
            return Subject("org", core, core), text.replace(whole, " ")
    return None


def _named_org(text: str, names: KnownNames, tokenizer: Tokenizer) -> tuple[Subject, str] | None:
    """A company name the reports do not know (…公司, …集团) that is a name, not common words."""
    org = ORG.search(text)
    if not org:
        return None
    # the match runs from the first character it can: 江津引进上市公司 starts with a district and a verb.
    # Without the places before it, what is left must be a name, not common words (上市公司, 科技公司).
    words = tokenizer.words(org_core(org.group(0)))
    while words and (
        place_key(words[0], names.divisions) in names.divisions
        or words[0] in names.places
        or DISTRICT.fullmatch(words[0])
    ):
        words.pop(0)
    core = "".join(words)
    if len(core) >= MIN_WORD and not all(len(w) >= MIN_WORD and tokenizer.is_common_word(w) for w in words):
        whole = org.group(0)[org.group(0).find(core) :]
        return Subject("org", whole, org_core(whole)), text.replace(whole, " ")
    return None


def _zone(text: str, lexicon: Lexicon, names: KnownNames, tokenizer: Tokenizer) -> tuple[Subject, str] | None:
    """A zone (综保区, 高新区, a 港 of a place that is no division) with the place before it."""
    for suffix in lexicon.zone_suffixes:
        at = text.find(suffix)
        if at < 0:
            continue
        place, modifier = zone_place(text, at, names.places)
        if place is None and suffix != "港":  # 西永综保区: a place the reports do not have
            place = _unknown_place(text, at, tokenizer)
        if suffix == "港" and (
            place is None or modifier or place_key(place, names.divisions) in names.divisions
        ):
            continue
        start = at - len(modifier) - (len(place) if place else 0)
        name = text[start : at + len(suffix)]
        key = modifier + ZONE_TYPES[suffix]
        return Subject("zone", name, key, place_key(place, names.divisions)), text.replace(name, " ")
    return None


def _unknown_place(text: str, at: int, tokenizer: Tokenizer) -> str | None:
    """The two characters before a zone suffix at `at` as a place the reports do not have, when they can be
    one (Chinese, no function character, no common word)."""
    before = text[max(0, at - PLACE_BEFORE_ZONE) : at]
    if (
        len(before) == PLACE_BEFORE_ZONE
        and all("\u4e00" <= ch <= "\u9fff" for ch in before)
        and not any(ch in "的在于和与及了是为年月日" for ch in before)
        and not tokenizer.is_common_word(before)
    ):
        return before
    return None


def _asked_district(
    text: str, lexicon: Lexicon, asked: list[tuple[int, int, str]]
) -> tuple[Subject, str] | None:
    """The first division the question names that is not the place of a train service or a zone."""
    for start, end, name in asked:
        follow = text[end:]
        if follow.startswith("班列") or any(follow.startswith(s) for s in lexicon.zone_suffixes):
            continue
        return Subject("district", name, name), text[:start] + " " + text[end:]
    return None
