"""A repaired report → facts: every figure with its period, subject, indicator, kind and quote.

Context decides what a bare figure means. Each fact keeps the words around it with a weight
for how close they are (its own phrase 1.0 … the previous paragraph 0.15), which is what the
search ranks on; period and subject come from the nearest marker in the clause, then the
sentence, then the paragraph, then the report as a whole (marked as inferred).
"""

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from facts.lexicon import Lexicon
from facts.places import division, report_places
from facts.reading.figures import Figure, find_figures
from facts.reading.periods import (
    DATE_LINE,
    PLAN_WORDS,
    WHOLE_YEAR,
    YEAR_MONTHS,
    Marker,
    Period,
    ReportYears,
    find_markers,
    months_period,
    part_words,
    report_years,
    resolve_context,
    year_of,
    year_period,
)
from facts.reading.repair import RepairedText
from facts.reading.subjects import (
    LIST_JOINS,
    Mention,
    Subject,
    find_mentions,
    find_orgs,
    find_places,
    org_core,
    place_subject,
    service_names,
)
from facts.reading.tables import (
    CELL_FIGURE,
    NUMBER,
    UNIT_COLUMN,
    Cell,
    Row,
    Table,
    column_name,
    column_unit,
    find_cell_tables,
    find_glued_tables,
    find_tables,
)
from facts.text import BASIS_WORDS, MIN_WORD, THIN_WORDS, Tokenizer

SENTENCE_END = re.compile(r"[。!?！？]+[”’」』)）]*")
CONTINUES = re.compile(r"其中|同时|此外|另外|其次|并且|而且|这些|这一|此外")
PIECE_END = re.compile(r"[;；]")
# a clause ends at a comma or an ellipsis (……); a page that dropped its commas still ends one after a rate followed by the next
# thing's name (增长0.06%产量21.39万吨), though not before what qualifies the rate (5%以上, 8%左右, 5%和6%)
CLAUSE_SEP = re.compile(r"[,:;，：；]|…{2,}|(?<=%)(?=[\u4e00-\u9fff])(?![的以左及和与至到或])")
TARGET = re.compile(PLAN_WORDS)
FORECAST = re.compile(r"预计|预测|有望|可实现|达产后|预期|将")
CUMULATIVE = re.compile(r"累计|截至|截止|总量|共计")
SUB_SCOPE = re.compile(
    r"(居|位居|位列|排名?|跻身|列)(全区|全县)|全区(第|首|前列|唯一)|(全区|全县)(首家|唯一)"
)
CHANGE_PAIR = re.compile(r"^(提高|提升|增加|增长|上升|下降|降低|减少|扩大)(到|至)")
INDICATOR_LEAD = re.compile(
    r"^(亮点[一二三四五六七八九十]+|[一二三四五六七八九十]是|其中|同时|全年|当年|今年|去年|共|累计|实现|完成|达到|达|为|约|超过|超|新增了?|已|年均|分别)+"
)
INDICATOR_TAIL = re.compile(
    r"(分别|累计|实现|达到|达|为|约|超过|超|近|共|共计|合计|已|的|增至|提高到|突破|有望|将|可|从|由)+$"
)
OBJECT_AFTER = re.compile(
    r"(完善|建设|建好|打造|依托|提升|推动|推进|发挥|支持|融入|对接|围绕|做强|做大|用好|利用|壮大|优化|"
    r"落地|引入|引进|招引|吸引)$"
)
# where, not who: any place after one of these in the clause (设在衡阳市白沙洲工业园)
LOCATIVE = re.compile(r"设在|位于|地处|坐落|落户")
# a list of counted things after one verb: 引进中国500强企业3家，上市公司4家，10亿元项目24个 (each was 引进)
LIST_HEAD = re.compile(
    r"(新引进|引进|招引|新增|新培育|培育|新认定|认定|新建|建成|开工|竣工|签约|落地|获批|新开通|开通)"
)
WEIGHTS = {
    "seg": 1.0,
    "clause": 0.75,
    "prev_clause": 0.7,
    "next_clause": 0.4,
    "sentence_before": 0.5,
    "sentence_after": 0.3,
    "prev_sentence": 0.35,
    "paragraph": 0.2,
    "prev_paragraph": 0.15,
    "title": 0.15,
}


@dataclass
class FactRecord:
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
    period: Period | None
    subject: Subject | None
    subject_explicit: bool
    sub_scope: bool
    indicator: str
    quote: str
    sentence: str
    terms: dict[str, float] = field(default_factory=dict)
    orgs: tuple[str, ...] = ()
    district: str | None = None  # the report's district
    direction: str = ""  # up | down | "": which way a rate or change went


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class ReportContext:
    """What one report says about itself: its years, district, places, companies."""

    years: ReportYears
    home: str | None  # the full name of the report's own place: 江津区
    places: set[str]
    orgs: set[str]
    markers: list[Marker]
    mentions: list[Mention]
    top_subject: Subject | None
    top_zone: Subject | None
    words: set[str] = field(default_factory=set)  # names jieba must keep whole
    title_period: Period | None = None  # 前三季度…经济运行情况: the period of figures that name none
    annual: bool = (
        False  # the heading names a year's report (统计公报, 年鉴): its undated figures are the year's
    )
    # the report's top-level headings (一、2013年工作回顾), each with the period it names or None
    headings: list["Heading"] = field(default_factory=list)
    _starts: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def heading_period(self, at: int) -> Period | None:
        """The period the last top-level heading before `at` names (None if it names none)."""
        before = self._between("headings", self.headings, 0, at + 1)
        return before[-1].period if before else None

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """The mentions starting in [start, end), by bisection: a report's cost stays linear in its size."""
        return self._between("mentions", self.mentions, start, end)

    def markers_in(self, start: int, end: int) -> list[Marker]:
        return self._between("markers", self.markers, start, end)

    def _between(self, name: str, items: list, start: int, end: int) -> list:
        starts = self._starts.get(name)
        if starts is None:
            starts = self._starts[name] = [x.start for x in items]
        return items[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]


def _spans(text: str, start: int, end: int, pattern: re.Pattern) -> list[Span]:
    spans, last = [], start
    for m in pattern.finditer(text, start, end):
        spans.append(Span(last, m.end()))
        last = m.end()
    if last < end:
        spans.append(Span(last, end))
    return [s for s in spans if text[s.start : s.end].strip()]


def _splits_a_word(text: str, pair: str, tokenizer: Tokenizer) -> bool:
    """Whether `pair` before a zone's suffix starts inside a word (际陆 of 国际陆港: 国际 is the word)."""
    at = text.find(pair)
    return at > 0 and tokenizer.is_common_word(text[at - 1 : at + 1])


def read_context(text: str, lexicon: Lexicon, tokenizer: Tokenizer) -> ReportContext:
    years = report_years(text)
    report = report_places(text)
    home = report.home.name if report.home else None
    known = {p.short for p in report.named.values()} | set(report.named)
    places = {
        p
        for p in find_places(text, lexicon, known)
        if p in known or not (tokenizer.is_common_word(p) or _splits_a_word(text, p, tokenizer))
    }
    orgs = {
        o
        for o in find_orgs(text)
        if not all(len(w) >= MIN_WORD and tokenizer.is_common_word(w) for w in tokenizer.words(org_core(o)))
    }
    mentions = find_mentions(text, lexicon, report, places, orgs)
    ends = [m.end() for m in SENTENCE_END.finditer(text)] + [m.end() for m in re.finditer("\n", text)]
    ends.sort()
    for mention in mentions:
        mention.sentence = bisect.bisect_right(ends, mention.start)
    counts = Counter(
        (m.subject.kind, m.subject.key, m.subject.place) for m in mentions if m.subject.kind != "org"
    )
    names: dict[tuple[str, str, str | None], Subject] = {}
    for m in mentions:
        ident = (m.subject.kind, m.subject.key, m.subject.place)
        if ident not in names or len(m.subject.name) > len(names[ident].name):
            names[ident] = m.subject
    merged: Counter = Counter()  # 临港产业城 and 珞璜临港产业城 are one zone
    for (kind, key, place), n in counts.items():
        full = next(
            (k for k in counts if k[0] == kind and k[1] == key and k[2] and place is None), (kind, key, place)
        )
        merged[full] += n
    top = merged.most_common(1)[0][0] if merged else None
    own = ("district", home, None)
    if top is not None and top[0] == "district" and top != own and own in merged:
        top = own  # a county's report naming its city often is still the county's (全市 is a yardstick)
    top_zone = next((k for k, _ in merged.most_common() if k[0] == "zone"), None)
    markers = resolve_context(find_markers(text, years), years, text)
    words = places | orgs | {m.subject.name for m in mentions} | {org_core(o) for o in orgs}
    words |= {
        name
        for name, head in service_names(text, places | known)
        if not tokenizer.is_common_word(head, 5000) or head in places
    }
    words |= {p.name for p in report.named.values()} | {p.short for p in report.named.values()}
    tokenizer.add_words(words)
    return ReportContext(
        years,
        home,
        places,
        orgs,
        markers,
        mentions,
        names.get(top) if top else None,
        names.get(top_zone) if top_zone else None,
        words,
        title_period(text, markers),
        ANNUAL_REPORT.search(text, 0, HEADING_REACH) is not None,
        _headings(text, markers),
    )


# 一、2013年工作回顾 / 二、2014年主要工作: a numbered top-level heading on a line of its own
TOP_HEADING = re.compile(r"^[ \t]*[一二三四五六七八九十]{1,3}[、.．][^\n。;；]{1,30}$", re.MULTILINE)


class Heading(NamedTuple):
    start: int
    period: Period | None  # the one period the heading names, else None


def _headings(text: str, markers: list[Marker]) -> list[Heading]:
    """Each top-level heading's start and the one whole period it names (its year), else None."""
    out: list[Heading] = []
    starts = [m.start for m in markers]
    for h in TOP_HEADING.finditer(text):
        inside = markers[bisect.bisect_left(starts, h.start()) : bisect.bisect_left(starts, h.end())]
        named = [m.period for m in inside if m.period is not None and not m.compared]
        out.append(Heading(h.start(), named[0] if len(named) == 1 else None))
    return out


def extract_facts(
    doc: str, repaired: RepairedText, lexicon: Lexicon, tokenizer: Tokenizer, ctx: ReportContext | None = None
) -> list[FactRecord]:
    """Every figure in one repaired report, as facts."""
    text = repaired.text
    ctx = ctx or read_context(text, lexicon, tokenizer)
    report = _Report(doc, repaired, lexicon, tokenizer, ctx)
    facts: list[FactRecord] = []
    paragraphs = _spans(text, 0, len(text), re.compile("\n"))
    for p_index, para in enumerate(paragraphs):
        prev_para = paragraphs[p_index - 1] if p_index else None
        sentences = _spans(text, para.start, para.end, SENTENCE_END)
        para_sub_scope = bool(SUB_SCOPE.search(text, para.start, para.end))
        for s_index, sent in enumerate(sentences):
            figures = find_figures(text[sent.start : sent.end])
            if not figures:
                continue
            figures = [_shift(f, sent.start) for f in figures]
            clauses = _spans(text, sent.start, sent.end, CLAUSE_SEP)
            where = _Sentence(para, prev_para, sentences, s_index, clauses, figures, para_sub_scope)
            facts.extend(_fact(report, where, f_index) for f_index in range(len(figures)))
    facts.extend(_ratio_facts(doc, repaired, tokenizer, ctx))
    for table in find_tables(text) + find_glued_tables(text) + find_cell_tables(text):
        facts.extend(_table_facts(doc, repaired, tokenizer, ctx, table))
    if paragraphs and paragraphs[0].end - paragraphs[0].start <= TITLE_CHARS:
        # the title (or a short opening line) says what the whole report is about: 通许县春季项目签约
        for term in tokenizer.terms(text[paragraphs[0].start : paragraphs[0].end]):
            for fact in facts:
                fact.terms.setdefault(term, WEIGHTS["title"])
    return facts


TITLE_CHARS = 80  # an opening line this short is a title or a lead, not a paragraph of figures


# a report of a whole year by its kind: 国民经济和社会发展统计公报, a yearbook (年鉴), a year's report (年报),
# a government's work report (its review is of the year before, its plans of the year it is given)
ANNUAL_REPORT = re.compile(r"统计公报|年鉴|年报|政府工作报告")
HEADING_REACH = 300  # a report's heading (title, source, date) fits in its first few hundred characters


def title_period(text: str, markers: list[Marker]) -> Period | None:
    """The period a report's heading names (前三季度沈阳市县域经济运行情况, 2023年上半年…): the first
    period written before its first figure and first clause ends; a date (时间:2023年11月09日, 11月28日电)
    or a single month (2019年1月，国务院印发… opens a story, not a heading) names none."""
    end = min(HEADING_REACH, len(text))
    first_figure = find_figures(text[:end])
    if first_figure:
        end = first_figure[0].start
    stop = re.search(r"[。,，;；]", text[:end])
    end = stop.start() if stop else end
    dates = [(m.start(), m.end()) for m in DATE_LINE.finditer(text, 0, end)]
    for k, m in enumerate(markers):
        if m.start >= end:
            break
        if k + 1 < len(markers) and markers[k + 1].start == m.end and markers[k + 1].period is not None:
            continue  # 今年前8个月: the part that follows says which part of the year
        written = text[m.start : m.end]
        if m.period is None or written.endswith("日") or re.match(r"\d{1,2}日", text[m.end : m.end + 3]):
            continue
        if m.period.start == m.period.end:
            continue
        if any(a <= m.start < b for a, b in dates):
            continue
        return m.period
    return None


GDP_WORDS = re.compile(r"生产总值|GDP|gdp")


def _of_gdp(caption: str, table: Table) -> bool:
    """Whether a table breaks down GDP (2022年全县生产总值及增长速度; a 生产总值 row heading the rows)."""
    return bool(GDP_WORDS.search(caption) or (table.rows and GDP_WORDS.search(table.rows[0].label)))


GROWTH_COLUMN = re.compile(r"增减|增长|增速|增幅|下降|比上年|同比")
SHARE_COLUMN = re.compile(r"比重|占比|构成")


def _table_facts(
    doc: str, repaired: RepairedText, tokenizer: Tokenizer, ctx: ReportContext, table: Table
) -> list[FactRecord]:
    """Row label × column header: each figure of a table as a fact. Its unit and measure come from the
    header (播种面积(亩), 同比增减(%)), the row's unit column (万头), the caption's list of units
    ((亿元、%、%)) or the column's name (增速 is a rate); its period from a year row label (2021年), the
    header (2021年GDP), the caption, else the period the report is mostly about; its subject from a row
    label that is a place (仁怀市), else the report's."""
    text = repaired.text
    caption = _caption(text, table.start)
    caption_text = text[caption.start : caption.end]
    table_period = _table_period(ctx, text, caption, table)
    columns = _Columns(
        table.header,
        next((k for k, h in enumerate(table.header) if UNIT_COLUMN.match(h)), None),
        _caption_units(caption_text, len(table.header)),
        m.group(1) if (m := UNIT_LINE.search(caption_text)) else "",
    )
    facts = []
    for row in table.rows:
        row_period = year_period(int(row.label[:4])) if ROW_YEAR.fullmatch(row.label) else table_period
        row_place = division(row.label)
        subject = place_subject(row_place, None) if row_place else ctx.top_subject
        named = ""  # the last figure column's name: 同比增减(%) after 产量(吨) is the 产量's growth
        for k, cell in enumerate(row.cells):
            header = table.header[k] if k < len(table.header) else ""
            name = column_name(header)
            written = CELL_FIGURE.match(cell.text)
            if not (NUMBER.match(cell.text) or written) or k == columns.unit_column:
                continue
            unit = columns.unit(k, cell, row)
            if not unit:
                continue
            measure = "amount"
            if unit == "%":
                measure = (
                    "share"
                    if SHARE_COLUMN.search(name)
                    else "growth"
                    if GROWTH_COLUMN.search(name)
                    else "share"
                )
            topic = named if measure == "growth" and named else name
            if measure != "growth":
                named = name
            label = "" if ROW_YEAR.fullmatch(row.label) else column_name(row.label)
            if label and row_place is None and _of_gdp(caption_text, table) and not GDP_WORDS.search(label):
                topic = "增加值"  # a sector's row in a table of GDP: what the sector adds (工业 325.68 亿元)
            indicator = f"{label}{topic}" + ("增速" if measure == "growth" else "")
            # rows of places or years: the caption names what each figure measures (各市县地区生产总值)
            by_caption = WEIGHTS["clause"] if row_place is not None or not label else WEIGHTS["paragraph"]
            terms = {t: by_caption for t in tokenizer.terms(caption_text)}
            # the column's own words too when the topic replaced them (按现行价格计算 over 建筑业 增加值)
            terms |= {t: WEIGHTS["clause"] for t in tokenizer.terms(name)}
            for t in tokenizer.terms(row.group):
                terms[t] = WEIGHTS["sentence_before"]
            named_topic = topic if topic != "数量" else ""
            # the row and column read as one phrase too (工业 × 增加值 is 工业增加值, a word of its own)
            for t in (
                tokenizer.terms(label) + tokenizer.terms(named_topic) + tokenizer.terms(label + named_topic)
            ):
                terms[t] = WEIGHTS["seg"]
            value_text = (written.group(1) if written else cell.text).replace("−", "-")
            facts.append(
                FactRecord(
                    doc=doc,
                    line=repaired.line_of(cell.start),
                    value=float(value_text.replace(",", "")),
                    value_text=value_text,
                    value_max=None,
                    unit=unit,
                    qualifier="",
                    figure=value_text + unit,
                    kind="actual",
                    measure=measure,
                    period=row_period,
                    subject=subject,
                    subject_explicit=row_place is not None,
                    sub_scope=False,
                    indicator=indicator[-16:],
                    quote=repaired.original_span(row.start, row.end),
                    sentence=text[row.start : row.end],
                    terms=terms,
                    district=ctx.home,
                    direction="down" if value_text.startswith("-") else "",
                )
            )
    return facts


# 三次产业结构为14.6:34.6:50.8 — each part is an industry's share of GDP; a ratio after 上年的 is last year's.
INDUSTRY_RATIO = re.compile(r"三次产业[^。;；\n]{0,24}?(\d+(?:\.\d+)?):(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)")
RATIO = re.compile(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)")
INDUSTRIES = ("第一产业", "第二产业", "第三产业")


def _ratio_facts(
    doc: str, repaired: RepairedText, tokenizer: Tokenizer, ctx: ReportContext
) -> list[FactRecord]:
    """The three industries' shares of GDP from a ratio (三次产业结构由14.9:33.2:51.9调整为15.3:31.3:53.4)."""
    text = repaired.text
    facts = []
    for head in INDUSTRY_RATIO.finditer(text):
        sent_start = max(text.rfind("。", 0, head.start()), text.rfind("\n", 0, head.start())) + 1
        sent_end = min(
            (i for i in (text.find("。", head.end()), text.find("\n", head.end())) if i >= 0),
            default=len(text),
        )
        sentence = Span(sent_start, sent_end)
        for ratio in RATIO.finditer(text, head.start(), sent_end):
            period = _period(ctx, sentence, sentence, Span(sent_start, head.start()), None)
            if "上年" in text[max(sent_start, ratio.start() - 4) : ratio.start()] and period is not None:
                period = year_period(year_of(period.end) - 1)
            for k, industry in enumerate(INDUSTRIES):
                a, b = ratio.start(k + 1), ratio.end(k + 1)
                written = text[a:b]
                terms = {t: WEIGHTS["seg"] for t in tokenizer.terms(f"{industry}占地区生产总值比重")}
                for t in tokenizer.terms(text[sent_start:sent_end]):
                    terms.setdefault(t, WEIGHTS["sentence_before"])
                facts.append(
                    FactRecord(
                        doc=doc,
                        line=repaired.line_of(a),
                        value=float(written),
                        value_text=written,
                        value_max=None,
                        unit="%",
                        qualifier="",
                        figure=written,
                        kind="actual",
                        measure="share",
                        period=period,
                        subject=ctx.top_subject,
                        subject_explicit=False,
                        sub_scope=False,
                        indicator=f"{industry}占比",
                        quote=repaired.original_span(head.start(), ratio.end()),
                        sentence=text[head.start() : ratio.end()],
                        terms=terms,
                        district=ctx.home,
                    )
                )
    return facts


ROW_YEAR = re.compile(r"(19|20)\d{2}年")
RATE_COLUMN = re.compile(r"增速|增长|增幅|同比|比重|占比")
CAPTION_UNITS = re.compile(r"[(（]([^()（）]+、[^()（）]+)[)）]\s*$")


# A table's unit on a line of its own or at the end of its caption: 单位:万元, （单位：亿元）
UNIT_LINE = re.compile(r"[(（]?单位[:：]\s*([^()（）\s、,，:：]{1,6})[)）]?\s*$")


def _caption(text: str, start: int) -> Span:
    """The line before a table; with the line above it when it only gives the unit (表一:… / 单位:万元)."""
    begin = text.rfind("\n", 0, max(0, start - 1)) + 1
    # a table printed on the line of its prose: its caption starts after the last sentence
    begin = max(begin, text.rfind("。", begin, start) + 1)
    line = text[begin:start].strip()
    if UNIT_LINE.match(line) and begin > 0:
        begin = text.rfind("\n", 0, max(0, begin - 1)) + 1
    return Span(begin, start)


@dataclass(frozen=True)
class _Columns:
    """What a table says about the units of its figure columns."""

    header: tuple[str, ...]
    unit_column: int | None  # a column of units (计量单位)
    listed: list[str]  # the caption's list of units, one a column ((亿元、%、%))
    caption_unit: str  # 单位:万元 for every column that names no other

    def unit(self, k: int, cell: Cell, row: Row) -> str:
        """A figure's unit: as written in the cell, the row's own (核桃(吨) in a column of 产量(吨)), the
        column's, the unit column's, the caption's list, % for a rate column, else the caption's unit."""
        written = CELL_FIGURE.match(cell.text)
        if written:
            return written.group(2)
        header = self.header[k] if k < len(self.header) else ""
        column = column_unit(header)
        rate = column == "%" or bool(RATE_COLUMN.search(column_name(header)))
        return (
            ("" if rate else column_unit(row.label))
            or column
            or (
                row.cells[self.unit_column].text
                if self.unit_column is not None and self.unit_column < len(row.cells)
                else ""
            )
            or (self.listed[k] if self.listed else "")
            or ("%" if rate else "")
            or self.caption_unit
        )


def _caption_units(caption: str, columns: int) -> list[str]:
    """规模以上工业增加值(亿元、%、%) before a table of two figure columns: % and % (the first unit is
    the label column's, when there is one more unit than figure columns)."""
    m = CAPTION_UNITS.search(caption)
    if not m:
        return []
    units = [u.strip() for u in m.group(1).split("、")]
    if len(units) == columns + 1:
        return units[1:]
    return units if len(units) == columns else []


def _table_period(ctx: ReportContext, text: str, caption: Span, table: Table) -> Period | None:
    """A period the header names (2021年GDP), else the caption's, else the one the report names most."""
    header = [
        m
        for m in ctx.markers
        if table.start <= m.start < (table.rows[0].start if table.rows else table.end)
        and m.period is not None
        and not m.compared
    ]
    if header:
        return header[0].period
    in_caption = [
        m
        for m in ctx.markers
        if caption.start <= m.start < caption.end and m.period is not None and not m.compared
    ]
    if in_caption:
        return in_caption[-1].period
    usual = Counter(
        m.period for m in ctx.markers if m.period is not None and not m.compared and m.start < table.start
    )
    if usual:
        return usual.most_common(1)[0][0].as_inferred()
    return year_period(ctx.years.default, inferred=True) if ctx.years.default else None


def _shift(fig: Figure, offset: int) -> Figure:
    return Figure(
        fig.start + offset,
        fig.end + offset,
        fig.value,
        fig.value_text,
        fig.value_max,
        fig.unit,
        fig.qualifier,
        fig.measure,
        fig.text,
        fig.direction,
    )


def _clause_of(clauses: list[Span], pos: int) -> int:
    return next((i for i, c in enumerate(clauses) if c.start <= pos < c.end), len(clauses) - 1)


def _segments(text: str, clause: Span, figures: list[Figure], i: int) -> tuple[Span, Span]:
    """The words that belong to figure i alone: back to the previous figure or 、, on to the next."""
    fig = figures[i]
    before_start = clause.start
    prev = figures[i - 1] if i and figures[i - 1].end > clause.start else None
    if prev is not None:
        between = text[prev.end : fig.start]
        cut = between.rfind("、")
        if cut >= 0:
            before_start = prev.end + cut + 1
        elif between.startswith("的"):
            before_start = fig.start
        else:
            before_start = prev.end
    after_end = clause.end
    nxt = figures[i + 1] if i + 1 < len(figures) and figures[i + 1].start < clause.end else None
    if nxt is not None:
        between = text[fig.end : nxt.start]
        cut = between.find("、")
        counted = fig.unit in COUNTED and between[:1].isalpha() and not between.startswith("的")
        # 42个旗级重点项目完成投资21亿元: what a count counts follows it, and the next figure shares it
        after_end = (
            fig.end + cut if cut >= 0 else (nxt.start if between.startswith("的") or counted else fig.end)
        )
    else:
        cut = text.find("、", fig.end, clause.end)
        after_end = cut if cut >= 0 else clause.end
    return Span(before_start, fig.start), Span(fig.end, after_end)


# units that count things, whose noun follows the figure (6个盟级、42个旗级重点项目)
COUNTED = frozenset({"个", "家", "项", "座", "条", "所", "批", "户", "名"})
MODIFIER_GAP = 8  # 10亿元项目24个: at most this many characters between a figure saying which and the count


def _modifier(text: str, clause: Span, figures: list[Figure], i: int) -> Span | None:
    """A figure that names the kind of thing figure i counts: 10亿元项目24个, 5000万元以上企业12家."""
    if not i or figures[i - 1].end <= clause.start:
        return None
    prev, fig = figures[i - 1], figures[i]
    between = text[prev.end : fig.start]
    if (
        not 0 < len(between) <= MODIFIER_GAP
        or any(ch in "，,、；;的" for ch in between)
        or THIN_WORDS.search(between)
    ):
        return None
    return Span(prev.start, prev.end)


def _list_head(
    text: str, clauses: list[Span], c_index: int, figures: list[Figure], piece: Span
) -> Span | None:
    """The verb heading a list of counted things this clause belongs to: in 引进中国500强企业3家，上市公司4家，
    10亿元项目24个 each item was 引进. None when the clause has a verb of its own or is no such list."""
    clause = clauses[c_index]
    if LIST_HEAD.search(text, clause.start, clause.end):
        return None
    for k in range(c_index - 1, max(c_index - 7, -1), -1):
        earlier = clauses[k]
        if earlier.start < piece.start or not any(earlier.start <= f.start < earlier.end for f in figures):
            return None
        if m := LIST_HEAD.search(text, earlier.start, earlier.end):
            return Span(m.start(), m.end())
    return None


@dataclass(frozen=True)
class _Report:
    """What every figure of one report is read with."""

    doc: str
    repaired: RepairedText
    lexicon: Lexicon
    tokenizer: Tokenizer
    ctx: ReportContext


@dataclass(frozen=True)
class _Sentence:
    """A sentence with figures, and where it stands: its paragraph (and the one before), its neighbours."""

    para: Span
    prev_para: Span | None
    sentences: list[Span]  # the paragraph's sentences
    s_index: int  # this one's place among them
    clauses: list[Span]
    figures: list[Figure]
    para_sub_scope: bool  # the paragraph speaks of a part of the district (居全区第一)


@dataclass(frozen=True)
class _Around:
    """Where one figure stands in its sentence: its piece (between semicolons) and clause, their
    neighbours, and the words that belong to it alone."""

    piece: Span
    prev_piece: Span | None  # the piece before, else the sentence before
    c_index: int
    clause: Span
    prev_clause: Span | None
    next_clause: Span | None
    seg_before: Span
    seg_after: Span


Region = tuple[
    str, int, int
]  # a stretch of text describing a figure: its weight's name (WEIGHTS), start, end
QUOTE_LEAD = 60  # the clause before joins the quote when the figure stands this close to its start


# A clause that only says how a figure is counted (按可比价格计算, 扣除价格因素): the figure after it
# is still of the thing named before it (地区生产总值1298亿元,按可比价格计算,比上年增长6.2%).
PRICE_NOTE = re.compile(
    r"(经初步核算|按(可比|现行|不变|当年)?价格?(计算)?|按可比口径(计算)?|(扣除|剔除)价格因素(后)?)"
)


LIST_OPENER = re.compile(r"(分别|依次)(为|是)|具体(为|是|如下)|如下")


def _previous_clause(text: str, clauses: list[Span], c_index: int) -> int:
    """The index of the clause before clause c_index that names something (-1 if none)."""
    prev = c_index - 1
    while prev > 0 and _says_how(text[clauses[prev].start : clauses[prev].end].strip(" ,，:：;；")):
        prev -= 1
    return prev


def _says_how(words: str) -> bool:
    """按可比价格计算, 分别为: a clause that says how the figures after it are given, not what they are."""
    return PRICE_NOTE.fullmatch(words) is not None or LIST_OPENER.fullmatch(words) is not None


NAMING_CHARS = re.compile(r"[\u4e00-\u9fff]{2,}")


def _names_nothing(words: str) -> bool:
    """Whether a stretch of a clause holds no word naming a thing: only figures, how they moved or are
    compared (同比增长, 比上年), punctuation."""
    rest = FIGURE_TEXT.sub("", words)
    rest = BASIS_WORDS.sub("", THIN_WORDS.sub("", rest))
    return NAMING_CHARS.search(rest) is None


def _around(text: str, where: _Sentence, i: int) -> _Around:
    """Where figure i stands in its sentence."""
    fig = where.figures[i]
    sent = where.sentences[where.s_index]
    pieces = _spans(text, sent.start, sent.end, PIECE_END)
    p_index = next((k for k, p in enumerate(pieces) if p.start <= fig.start < p.end), 0)
    prev_piece = (
        pieces[p_index - 1] if p_index else (where.sentences[where.s_index - 1] if where.s_index else None)
    )
    clauses = where.clauses
    c_index = _clause_of(clauses, fig.start)
    clause = clauses[c_index]
    seg_before, seg_after = _segments(text, clause, where.figures, i)
    prev = _previous_clause(text, clauses, c_index)
    prev_clause = clauses[prev] if prev >= 0 else None
    if _names_nothing(text[seg_before.start : fig.start]) and not _names_nothing(
        text[clause.start : seg_before.start]
    ):
        # 完成财政总收入4.17亿元、增长6.1%: a bare rate after 、 is of the thing its own clause named
        prev_clause = Span(clause.start, seg_before.start)
    return _Around(
        piece=pieces[p_index],
        prev_piece=prev_piece,
        c_index=c_index,
        clause=clause,
        prev_clause=prev_clause,
        next_clause=clauses[c_index + 1] if c_index + 1 < len(clauses) else None,
        seg_before=seg_before,
        seg_after=seg_after,
    )


def _fact(report: _Report, where: _Sentence, i: int) -> FactRecord:
    """Figure i of a sentence as a fact: its words by nearness, period, subject, kind, indicator, quote."""
    text, tokenizer, ctx = report.repaired.text, report.tokenizer, report.ctx
    fig = where.figures[i]
    sent = where.sentences[where.s_index]
    near = _around(text, where, i)
    clause, prev_clause, para, prev_para = near.clause, near.prev_clause, where.para, where.prev_para
    named_before = _named_before(text, clause, where.figures, i)
    terms = _weighted_terms(tokenizer, text, _regions(tokenizer, text, where, near, i, named_before))
    paired = _pair_respectively(tokenizer, text, clause, where.figures, i, terms)
    lead = text[(prev_clause or clause).start : fig.start]
    scope = Span(prev_para.start, para.end) if prev_para and CONTINUES.match(text, para.start) else para
    period = _so_far(
        text, clause, fig, _change_pair(text, where.figures, i, _period(ctx, sent, scope, clause, fig))
    )
    period = _year_of_list(text, sent, where.figures, i) or period
    for word in part_words(period):  # "二季度…" without a year still finds the figure for 2023年第二季度
        terms[word] = WEIGHTS["seg"]
    subject, explicit = _subject(ctx, text, scope, sent, where.clauses, near.c_index, fig)
    sub_scope = where.para_sub_scope or bool(SUB_SCOPE.search(text, sent.start, sent.end))
    if not explicit and sub_scope and ctx.top_zone is not None:
        subject = ctx.top_zone
    names = [m.subject.name for m in ctx.mentions_in(clause.start, clause.end)]
    named_by = _Named(named_before or near.seg_before, near.seg_after, prev_clause)
    quote_start, quote_end = _quote(text, fig, clause, prev_clause)
    indicator = _paired_indicator(paired, fig) or _indicator(
        text, named_by, fig, names, tokenizer, report.lexicon.family(fig.unit)
    )
    if crop := _crop_of_yield(text, sent, fig, indicator):
        indicator = crop + indicator
        for term in tokenizer.terms(indicator):
            terms[term] = max(terms.get(term, 0.0), WEIGHTS["clause"])
    orgs = {
        m.subject.key for m in ctx.mentions_in((prev_para or para).start, para.end) if m.subject.kind == "org"
    }
    return FactRecord(
        doc=report.doc,
        line=report.repaired.line_of(
            fig.start + (len(fig.text) - len(fig.text.lstrip("约超过近逾突破不足到将高达接")))
        ),
        value=fig.value,
        value_text=fig.value_text,
        value_max=fig.value_max,
        unit=fig.unit,
        qualifier=fig.qualifier,
        figure=fig.text,
        kind=_kind(text, lead, clause, fig, period, ctx),
        measure=fig.measure,
        period=period,
        subject=subject,
        subject_explicit=explicit,
        sub_scope=sub_scope,
        indicator=indicator,
        quote=report.repaired.original_span(quote_start, quote_end),
        sentence=text[quote_start:quote_end],
        terms=terms,
        orgs=tuple(sorted(orgs)),
        district=ctx.home,
        direction=fig.direction,
    )


# 粮食播种面积143.57万亩,增长0.06%,产量21.39万吨: the output named bare after a crop's area is that crop's
YIELD_WORDS = re.compile(r"(?:总)?产量|单产|亩产")
CROP_AREA = re.compile(r"([\u4e00-\u9fff]{1,6}?)(?:播种|种植|收获|栽种|实播|采收|采摘|采)面积")


def _crop_of_yield(text: str, sent: Span, fig: Figure, indicator: str) -> str:
    """The crop whose area the sentence gave before a bare output (产量) figure, else ""."""
    if fig.measure != "amount" or not YIELD_WORDS.fullmatch(indicator):
        return ""
    areas = list(CROP_AREA.finditer(text, sent.start, fig.start))
    if not areas:
        return ""
    # 产量0.52万吨烤烟收获面积 (a page without its commas): the unit of the figure before is no part of it
    return re.sub(r"^([万亿千百]?[吨元亩头只]|全年|全县|全区|全市|其中)+", "", areas[-1].group(1))


INDICATOR_CHARS = 16  # an indicator is a short name: the last words before a figure, at most this many
LISTED_FIGURE = re.compile(r"\d[\d.,]*(?:%|[万亿千百]*[元吨列家个户项亩])")


def _paired_indicator(name: str | None, fig: Figure) -> str:
    """The indicator of a figure a list names (第二产业增加值, 第一产业增加值增速), else ""."""
    if not name:
        return ""
    name = re.sub(r"^(其中|全年|全县|全区|全市|[,，:：\s])+", "", LISTED_FIGURE.sub("", name))
    name = re.sub(r"(达到|达|为|实现|完成|和|与|、|[,，:：\s])+$", "", name)
    if fig.measure == "growth" and not re.search(r"增速|增长|增幅", name):
        name += "增速"
    return name[-INDICATOR_CHARS:]


def _named_before(text: str, clause: Span, figures: list[Figure], i: int) -> Span | None:
    """森林覆盖率从46.5%提高到51.8%: the words before the pair's first figure name figure i too."""
    if (
        i
        and figures[i - 1].end > clause.start
        and text[figures[i - 1].start - 1 : figures[i - 1].start] in {"从", "由"}
        and CHANGE_PAIR.match(text[figures[i - 1].end : figures[i].start])
    ):
        return _segments(text, clause, figures, i - 1)[0]
    return None


def _regions(
    tokenizer: Tokenizer, text: str, where: _Sentence, near: _Around, i: int, named_before: Span | None
) -> list[Region]:
    """The stretches of text whose words describe figure i, each with how close it stands (in order: the
    order decides which of equal weights a word keeps first)."""
    para = where.para
    regions: list[Region] = [
        ("seg", near.seg_before.start, near.seg_before.end),
        ("seg", near.seg_after.start, near.seg_after.end),
        ("clause", near.clause.start, near.clause.end),
        ("sentence_before", near.piece.start, near.clause.start),
        ("sentence_after", near.clause.end, near.piece.end),
        ("paragraph", para.start, para.end),
    ]
    regions += _neighbour_regions(tokenizer, text, where, near, where.figures[i])
    sent = where.sentences[where.s_index]
    first = where.figures[0].start
    if near.piece.start > sent.start and first < near.piece.start:
        # A从2017年的178列,到2022年的8820列;2023年开行量将突破9000列: the sentence's topic goes on
        regions.append(("sentence_before", sent.start, first))
    if named_before is not None:
        regions.append(("seg", named_before.start, named_before.end))
    modifier = _modifier(text, near.clause, where.figures, i)
    if modifier is not None:  # 10亿元项目24个: the 10亿元 says which projects
        regions.append(("seg", modifier.start, modifier.end))
    head = _list_head(text, where.clauses, near.c_index, where.figures, near.piece)
    if head is not None:
        regions.append(("clause", head.start, head.end))
    return regions


def _neighbour_regions(
    tokenizer: Tokenizer, text: str, where: _Sentence, near: _Around, fig: Figure
) -> list[Region]:
    """The clauses, sentence and paragraph around a figure's own clause, by how far they stand."""
    regions: list[Region] = []
    prev_clause, next_clause, prev_piece, prev_para = (
        near.prev_clause,
        near.next_clause,
        near.prev_piece,
        where.prev_para,
    )
    own_words = [
        t
        for t in tokenizer.terms(text[near.seg_before.start : fig.start])
        + tokenizer.terms(text[fig.end : near.seg_after.end])
        if not THIN_WORDS.fullmatch(t) and not BASIS_WORDS.fullmatch(t)
    ]  # the figure itself names nothing: 2019年为1036.7亿元, 比上年增长183.2%
    if prev_clause and not own_words:  # "同比增长8%": what grew is named in the clause before
        regions.append(("seg", prev_clause.start, prev_clause.end))
        at = next((k for k, c in enumerate(where.clauses) if c.start <= prev_clause.start < c.end), 0)
        earlier = where.clauses[at - 1] if at else None
        if earlier:
            regions.append(("clause", earlier.start, earlier.end))
    elif prev_clause:
        regions.append(("prev_clause", prev_clause.start, prev_clause.end))
    if next_clause:
        regions.append(("next_clause", next_clause.start, next_clause.end))
    if prev_piece:
        regions.append(("prev_sentence", prev_piece.start, prev_piece.end))
    if prev_para:  # a paragraph opening with 其中/同时/此外 goes on with the one before
        continues = CONTINUES.match(text, where.para.start) is not None
        regions.append(("prev_sentence" if continues else "prev_paragraph", prev_para.start, prev_para.end))
    return regions


def _weighted_terms(tokenizer: Tokenizer, text: str, regions: list[Region]) -> dict[str, float]:
    """Every word of the regions with the weight of the closest region holding it."""
    terms: dict[str, float] = {}
    for name, a, b in regions:
        weight = WEIGHTS[name]
        for term in tokenizer.terms(text[a:b]):
            if terms.get(term, 0.0) < weight:
                terms[term] = weight
    return terms


def _quote(text: str, fig: Figure, clause: Span, prev_clause: Span | None) -> tuple[int, int]:
    """The stretch quoted for a figure: its clause (with the one before when the figure opens it), without
    the separators it ends with."""
    quote_start = (
        prev_clause.start if prev_clause and fig.start - prev_clause.start <= QUOTE_LEAD else clause.start
    )
    quote_end = max(clause.end, fig.end)
    while quote_end > fig.end and text[quote_end - 1] in ",;:，；：、 ":
        quote_end -= 1
    return quote_start, quote_end


MIN_PAIRED = 2  # 分别 pairs two or more figures with as many names or clauses


def _pair_respectively(
    tokenizer: Tokenizer, text: str, clause: Span, figures: list[Figure], i: int, terms: dict[str, float]
) -> str | None:
    """高新技术企业、科技型企业分别达211家、1125家: the k-th figure belongs to the k-th name only. Returns
    the name figure i is paired with, when a list names it."""
    head, at, _ = _respectively_split(text[clause.start : clause.end])
    end = clause.end
    if not at or figures[i].start < clause.start + len(head):
        # no 分别 for this figure: a list all the same when a name of two or three stands before
        end = clause.start + len(head) if at else clause.end
        implied = _implied_respectively(text, Span(clause.start, end), figures)
        if implied is None:
            return None
        head = implied
    split = clause.start + len(head)
    after = [f for f in figures if split <= f.start < end]
    if figures[i] not in after:
        return None
    named = _names_of_list(text, clause, head)
    if "、" not in named:
        paired, name = _pair_with_joined(tokenizer, named, after, i, figures, terms)
        if paired:
            return name
    # …分别为24.27亿元、60.37亿元, 分别增长4.0%、0.2%: a clause with no names of its own takes those before
    listed = head if "、" in head or THREE_INDUSTRIES.search(head) else named
    items = _whole_items([x for x in listed.split("、") if x], len(after))
    if len(after) >= MIN_PAIRED and len(items) < len(after):
        _pair_with_clauses(tokenizer, text, clause, figures, after, i, terms)
        return None
    if len(after) < MIN_PAIRED or len(items) != len(after):
        return None
    k = after.index(figures[i])
    own = set(tokenizer.terms(items[k]))
    name = items[k]
    measure = THIN_WORDS.sub("", head).strip(" ,，")
    if listed is not head and measure:
        # 三次产业占GDP比重分别为…,经济增长贡献率分别为…: the clause names its own measure; of the names
        # before it only what tells them apart (第一产业) is its figures'
        shared = set(tokenizer.terms(items[0]))
        for item in items[1:]:
            shared &= set(tokenizer.terms(item))
        own -= shared
        name = _distinct_part(items, k) + head.strip(" ,，")
    _keep_own(tokenizer, items, k, own, terms)
    return name


def _implied_respectively(text: str, clause: Span, figures: list[Figure]) -> str | None:
    """城乡居民收入达到23292元和7750元 (no 分别): a name of two (城乡) or three (三次产业) before as many
    figures is a list all the same; the words before its first figure, else None."""
    inside = [f for f in figures if clause.start <= f.start < clause.end]
    if not inside:
        return None
    head = text[clause.start : inside[0].start]
    if ("城乡" in head and len(inside) == len(TOWN_AND_COUNTRY)) or (
        THREE_INDUSTRIES.search(head) and len(inside) == len(INDUSTRIES)
    ):
        return head
    return None


# 分别 and 依次 (in order) pair the k-th figure after them with the k-th name before them
RESPECTIVELY = re.compile(r"分别|依次")


def _respectively_split(words: str) -> tuple[str, str, str]:
    """words.partition at its first 分别/依次."""
    m = RESPECTIVELY.search(words)
    return (words[: m.start()], m.group(0), words[m.end() :]) if m else (words, "", "")


def _names_of_list(text: str, clause: Span, head: str) -> str:
    """The names a 分别 clause pairs its figures with: its own words before 分别 when they join names with
    和, else (…分别达34525元、18352元,分别增长8.5%、9%) those of the clause before, if it too says 分别."""
    if JOINED.search(head):
        return head
    before = text[: max(clause.start - 1, 0)]
    start = max(before.rfind(c) for c in "，,;；。\n") + 1
    if RESPECTIVELY.search(before[start:]):
        return _respectively_split(before[start:])[0]
    # 在A、B排名中,分别跃居第7位、第6位: a clause that is only 分别 and figures pairs with the list before
    return before[start:] if not head.strip() and "、" in before[start:] else head


def _keep_own(tokenizer: Tokenizer, items: list[str], k: int, own: set[str], terms: dict[str, float]) -> None:
    """Item k's words stand beside the figure; the other items' words hardly at all."""
    for n, item in enumerate(items):
        for term in tokenizer.terms(item):
            if term in own:
                terms[term] = 1.0
            elif n != k:
                terms[term] = min(terms.get(term, 0.0), 0.1)


def _distinct_part(items: list[str], k: int) -> str:
    """What item k has that the others do not: 第一产业 of 第一产业增加值 among 第二/第三产业增加值."""
    item = items[k]
    industry = next((x for x in INDUSTRIES if x in item), None)
    if industry:
        return industry
    tail = 0
    while tail < len(item) and all(
        len(other) > tail and other[-1 - tail] == item[-1 - tail] for other in items
    ):
        tail += 1
    return item[: len(item) - tail] if tail < len(item) else item


JOINED = re.compile(r"和|与|及")
# the three industries named at once: 三次产业占GDP比重分别为…, 一、二、三产业增加值分别为…
THREE_INDUSTRIES = re.compile(r"三次产业|[第]?一[、,，]\s*[第]?二[、,，]\s*[第]?三产业")
TOWN_AND_COUNTRY = ("城镇", "农村")  # 城乡 before two figures: the town's first
SHORT_ITEM = 3  # 第一、第二、第三产业: items before the last this short leave out the words the last one has


def _whole_items(items: list[str], figures: int) -> list[str]:
    """A list whose items leave out the words they share with the last one, written whole:
    第一、第二、第三产业增加值 → 第一产业增加值, 第二产业增加值, 第三产业增加值; 三次产业 before three figures
    is the three industries."""
    joined = "、".join(items)
    three = THREE_INDUSTRIES.search(joined)
    if three and figures == len(INDUSTRIES):
        head, tail = joined[: three.start()], joined[three.end() :]
        return [head + industry + tail for industry in INDUSTRIES]
    if len(items) == 1 and "城乡" in joined and figures == len(TOWN_AND_COUNTRY):
        # 城乡居民收入分别达到23292元和7750元: the town's and the country's
        return [joined.replace("城乡", part, 1) for part in TOWN_AND_COUNTRY]
    if len(items) < MIN_PAIRED:
        return items
    last = items[-1]
    width = len(items[0])
    if width > SHORT_ITEM or any(len(x) != width for x in items[:-1]) or len(last) <= width:
        return items
    shared = last[width:]
    return [x + shared for x in items[:-1]] + [last]


def _pair_with_joined(
    tokenizer: Tokenizer,
    head: str,
    after: list[Figure],
    i: int,
    figures: list[Figure],
    terms: dict[str, float],
) -> tuple[bool, str | None]:
    """城镇和农村居民人均可支配收入分别达34525元、18352元: names joined by 和 share the words after the last
    one; what tells them apart is the word each brings (城镇, 农村), and the k-th figure has only the k-th.
    Whether it paired them, and the whole name of figure i when the names are whole."""
    names = [THIN_WORDS.sub("", p).strip(" ,，") for p in JOINED.split(head)]
    parts = [tokenizer.terms(p) for p in names]
    if len(parts) != len(after) or len(after) < MIN_PAIRED or not all(parts):
        return False, None
    if all(len(n) > SHORT_ITEM for n in names[:-1]):
        # 商品销售和社会消费品零售总额分别增长14.3%和2.5%: whole names, each with its own figure
        k = after.index(figures[i])
        _keep_own(tokenizer, names, k, set(parts[k]), terms)
        return True, names[k]
    # the word each name brings: the last of those before the last 和, the first of the last name
    marks = [p[-1] for p in parts[:-1]] + [parts[-1][0]]
    if len(set(marks)) != len(marks):
        return False, None
    k = after.index(figures[i])
    for j, mark in enumerate(marks):
        terms[mark] = 1.0 if j == k else min(terms.get(mark, 0.0), 0.1)
    whole = _whole_items(names, len(after))
    return True, (whole[k] if whole != names else None)


def _pair_with_clauses(
    tokenizer: Tokenizer,
    text: str,
    clause: Span,
    figures: list[Figure],
    after: list[Figure],
    i: int,
    terms: dict[str, float],
) -> None:
    """开行1904列,进出口集装箱15.7万标箱,同比分别增长36.1%和35.95%: the k-th rate belongs to the k-th of the
    clauses just before, each with one figure of its own."""
    start = text.rfind("。", 0, clause.start) + 1
    owners = []
    for f in figures:
        if start <= f.start < clause.start:
            cuts = [start + m.end() for m in CLAUSE_SEP.finditer(text[start : f.start])]
            owners.append(Span(cuts[-1] if cuts else start, f.end))
    owners = owners[-len(after) :]
    if len(owners) != len(after):
        return
    k = after.index(figures[i])
    own = set(tokenizer.terms(text[owners[k].start : owners[k].end]))
    for n, span in enumerate(owners):
        for term in tokenizer.terms(text[span.start : span.end]):
            if term in own:
                terms[term] = 1.0
            elif n != k:
                terms[term] = min(terms.get(term, 0.0), 0.1)


def _nearest(items, start: int, end: int, pos: int):
    """The item nearest before pos within [start, end), else the first after it."""
    inside = [x for x in items if start <= x.start < end]
    before = [x for x in inside if x.start < pos]
    if before:
        return before[-1]
    after = [x for x in inside if x.start >= pos]
    return after[0] if after else None


def _period(ctx: ReportContext, sent: Span, para: Span, clause: Span, fig: Figure | None) -> Period | None:
    at = fig.start if fig is not None else clause.end
    # 较2021年11家: a time compared with dates the figure right after it — but not a multiple of it (是“十二五”
    # 末的1.7倍 is of the time the sentence tells of)
    dated_by_compared = fig is None or fig.unit != "倍"
    markers = [
        m
        for m in ctx.markers_in(min(para.start, sent.start), clause.end)
        if m.period is not None and (not m.compared or (dated_by_compared and 0 <= at - m.end <= 1))
    ]
    marker = _nearest(markers, clause.start, clause.end, at)
    if marker is None:
        marker = next((m for m in reversed(markers) if sent.start <= m.start < clause.start), None)
    if marker is not None:
        return marker.period
    before = [m for m in markers if para.start <= m.start < sent.start]
    if before and before[-1].period is not None:
        return before[-1].period.as_inferred()
    if (heading := ctx.heading_period(para.start)) is not None:
        return heading  # 一、2013年工作回顾: the section's figures are of the year its heading names
    if ctx.title_period is not None:
        # a year's bulletin says its year once, in its heading: its undated figures are of that whole year,
        # not a guess that a part of the year might better answer
        return ctx.title_period if ctx.annual and ctx.title_period.is_year else ctx.title_period.as_inferred()
    if ctx.years.default:
        # a year's report (a bulletin, a work report's review) is of that whole year, not a guess
        return year_period(ctx.years.default, inferred=not ctx.annual)
    return None


# 2020至2022年,地区生产总值分别达到1,493.00亿元、1,616.60亿元、1,722.50亿元: one figure a year
YEAR_SPAN = re.compile(r"((?:19|20)\d{2})年?(?:至|到|—|-|~|－)((?:19|20)\d{2})年")
MAX_LISTED_YEARS = 10


def _year_of_list(text: str, sent: Span, figures: list[Figure], i: int) -> Period | None:
    """The year of figure i when its sentence spans years (2020至2022年) and lists one figure a year after
    分别: the k-th figure of the list is of the k-th year. None otherwise."""
    span = YEAR_SPAN.search(text, sent.start, figures[i].start)
    if span is None:
        return None
    first, last = int(span.group(1)), int(span.group(2))
    years = last - first + 1
    listed = text.find("分别", span.end(), figures[i].start)
    if not 1 < years <= MAX_LISTED_YEARS or listed < 0:
        return None
    after = [f for f in figures if listed <= f.start < sent.end and f.unit == figures[i].unit]
    if len(after) != years or figures[i] not in after:
        return None
    return year_period(first + after.index(figures[i]))


def _so_far(text: str, clause: Span, fig: Figure, period: Period | None) -> Period | None:
    """5月份,…当月增长15.5%,累计增长19.9%: a figure its clause calls 累计 under one month is of the year
    to that month (2021年1-5月), not of the month."""
    if period is None or period.start is None or period.start != period.end:
        return period
    if "累计" not in text[clause.start : fig.start]:
        return period
    year, month = year_of(period.start), period.end % YEAR_MONTHS + 1
    return replace(months_period(year, 1, month), inferred=period.inferred)


def _change_pair(text: str, figures: list[Figure], i: int, period: Period | None) -> Period | None:
    """从46.5%提高到51.8% over 十三五: the first figure is the start of the span, the second its end.
    Over a single period (由5%提升至20%) the first figure is an earlier value of unknown date."""
    fig = figures[i]
    starts_pair = (
        i + 1 < len(figures)
        and text[fig.start - 1 : fig.start] in {"从", "由"}
        and CHANGE_PAIR.match(text[fig.end : figures[i + 1].start])
    )
    if period is None or not period.is_span:
        return None if starts_pair else period
    if starts_pair and period.start is not None:
        return Period(
            period.start, period.start, f"{year_of(period.start)}年初({period.label}之初)", period.inferred
        )
    if (
        i
        and text[figures[i - 1].start - 1 : figures[i - 1].start] in {"从", "由"}
        and CHANGE_PAIR.match(text[figures[i - 1].end : fig.start])
    ):
        return Period(None, period.end, f"{year_of(period.end)}年({period.label}之末)", period.inferred)
    return period


TOPIC_OPENS = (
    3  # a mention this close to a stretch's start opens it (a short word such as 其中 may come first)
)


def _topic(mentions: list[Mention], start: int, text: str = "") -> Mention | None:
    """The subject of a stretch of text: its first mention when that opens it, else its first place
    (a company named further in, as in 与A公司签订…, is an object, not the subject; so is a place right
    after a verb, as in 将完善江津综保区口岸功能)."""
    mentions = [
        m
        for m in mentions
        if not (
            text
            and (
                OBJECT_AFTER.search(text, max(start, m.start - 4), m.start)
                or LOCATIVE.search(text, max(start, 0), m.start)
            )
        )
    ]
    if not mentions:
        return None
    if mentions[0].start - start <= TOPIC_OPENS:
        return mentions[0]
    return next((m for m in mentions if m.subject.kind != "org"), None)


def _respective_subject(
    ctx: ReportContext, text: str, sent: Span, clause: Span, fig: Figure
) -> Subject | None:
    """格尔木市和德令哈市…分别增长9.1%和9.2%: the k-th figure after 分别 is the k-th place of the list
    before it (None when there is no such list of as many places)."""
    at = text.rfind("分别", clause.start, fig.start)
    if at < 0:
        return None
    after = [f for f in find_figures(text[at : clause.end]) if f.unit == fig.unit or not f.unit]
    places = [m for m in ctx.mentions_in(sent.start, at) if m.subject.kind == "district" and not m.quoted]
    listed = [m for k, m in enumerate(places) if k == 0 or text[places[k - 1].end : m.start] in LIST_JOINS]
    if len(listed) != len(places) or len(places) != len(after) or len(places) < MIN_PAIRED:
        return None
    k = next((n for n, f in enumerate(after) if at + f.start == fig.start), None)
    return places[k].subject if k is not None else None


def _subject(
    ctx: ReportContext, text: str, scope: Span, sent: Span, clauses: list[Span], c_index: int, fig: Figure
) -> tuple[Subject | None, bool]:
    clause = clauses[c_index]
    in_clause = [
        m
        for m in ctx.mentions_in(clause.start, clause.end)
        if not OBJECT_AFTER.search(text, max(clause.start, m.start - 4), m.start)
        and not LOCATIVE.search(text, clause.start, m.start)
    ]  # 设在衡阳市白沙洲工业园: where, not who
    respective = _respective_subject(ctx, text, sent, clause, fig)
    if respective is not None:
        return respective, True
    if in_clause:
        before = [m for m in in_clause if m.start < fig.start]
        return _named_right_before(text, before, fig) or (before[0] if before else in_clause[0]).subject, True
    for earlier_clause in reversed(clauses[:c_index]):
        topic = _topic(
            [m for m in ctx.mentions_in(earlier_clause.start, earlier_clause.end) if not m.quoted],
            earlier_clause.start,
            text,
        )
        if topic is not None:
            return topic.subject, True
    earlier = [m for m in ctx.mentions_in(scope.start, sent.start) if not m.quoted]
    for number in sorted({m.sentence for m in earlier}, reverse=True):  # the nearest earlier sentence's topic
        in_sentence = [m for m in earlier if m.sentence == number]
        topic = _topic(in_sentence, in_sentence[0].start - TOPIC_OPENS)  # its first mention opens it
        if topic is not None:
            return topic.subject, False
    return ctx.top_subject, False


def _named_right_before(text: str, before: list[Mention], fig: Figure) -> Subject | None:
    """河西区(1154.2亿)和西青区(1004.1亿), 霍邱县52个、金寨县47个: in a list of names each with its figure,
    the name the figure (or its bracket) follows."""
    bracketed = next((m for m in before if m.end == fig.start - 1 and text[m.end] in "(（"), None)
    if bracketed is not None:
        return bracketed.subject
    touching = next((m for m in before if m.end == fig.start and m.subject.kind != "org"), None)
    return touching.subject if touching is not None and len(before) > 1 else None


def _kind(text: str, lead: str, clause: Span, fig: Figure, period: Period | None, ctx: ReportContext) -> str:
    scope = lead + text[fig.end : clause.end]
    if TARGET.search(scope):
        return "target"
    if period is not None and ctx.years.default and not period.inferred:
        first = year_of(period.start) if period.start is not None else year_of(period.end)
        horizon = ctx.years.horizon or ctx.years.default
        if first > (ctx.years.report or ctx.years.default) or (
            period.end - (period.start or period.end) == WHOLE_YEAR and first > horizon
        ):
            return "target"
    if FORECAST.search(scope):
        return "forecast"
    if CUMULATIVE.search(lead) or (period is not None and period.start is None):
        return "cumulative"
    return "actual"


TIME_WORDS = re.compile(
    r"(截至|截止)?((19|20)\d{2}年度?|今年|去年|全年|当年|本年|目前|上半年|下半年)"
    r"(\d{1,2}月?[-—至]?)*(底|末|以来|份)?|\d{1,2}月?[-—~至到]\d{1,2}月|\d{1,2}月(\d{1,2}日)?|第?[一二三四]季度"
)
VERB_FIRST = re.compile(
    r"^(累计)?(开行|引进|新增|新设|培育|认定|建成|实施|签约|拜访|外出|完成|开工|竣工|吸引|带动|对接|"
    r"清理废止|促成|实现)(了)?(?P<object>.{2,})$"
)
FIGURE_TEXT = re.compile(r"[约超近逾]?\d[\d.,]*(%|[万亿千百]*[元吨列家个户项亩]?)")
SUFFIX = {"列": "量", "吨": "量", "标箱": "量", "money": "额"}


def _clean(text: str, names: list[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    text = FIGURE_TEXT.sub("", TIME_WORDS.sub("", text))
    text = text.lstrip("# ")
    return INDICATOR_TAIL.sub("", INDICATOR_LEAD.sub("", text.strip(" ,，、;；:：“”()（）-—")))


@dataclass(frozen=True)
class _Named:
    """The words a figure's indicator is named from, nearest first."""

    before: Span  # the figure's own words before it (or those of the pair it ends: 从46.5%提高到51.8%)
    after: Span  # its own words after it
    prev_clause: Span | None


OBJECT_TAIL = 4  # 引进…企业3家: the last words of a verb's object, up to this many characters, name the count


# the words of a rate that say only how it moved (比上年下降4.9%): the rate is of what was named before
# a rate's own words that name nothing (比2020年增长 is 比增长 once its year is taken out)
BARE_RATE = re.compile(r"(同比|年均|比上年|较上年|比去年|较去年|比|较)?(增长|增速|增幅|下降|减少|回落)?")


def _indicator(
    text: str, named: _Named, fig: Figure, names: list[str], tokenizer: Tokenizer, family: str
) -> str:
    """A short name for what the figure measures: 进出口额, 江津班列开行量, 进出口总额增速."""
    seg_after, prev_clause = named.after, named.prev_clause
    base = _clean(text[named.before.start : named.before.end], names)
    if fig.measure == "growth":
        source = "" if BARE_RATE.fullmatch(base) else base
        if not source and prev_clause is not None:
            source = _clean(text[prev_clause.start : prev_clause.end], names)
        source = re.sub(r"(同比|年均)?(增长|增速|增幅)$", "", source)
        return (source[-14:] + "增速") if source else "增速"
    verb_first = VERB_FIRST.match(base)
    if verb_first:
        words = tokenizer.words(verb_first.group("object"))
        tail = ""
        while words and len(tail) < OBJECT_TAIL:
            tail = words.pop() + tail
        count_like = family not in SUFFIX and fig.measure == "amount"
        base = tail + verb_first.group(2) + SUFFIX.get(family, "数" if count_like else "")
    if len(base) < MIN_WORD:
        after = _clean(text[seg_after.start : seg_after.end].lstrip("的"), names)
        base = (
            after[:14]
            if len(after) >= MIN_WORD
            else (_clean(text[prev_clause.start : prev_clause.end], names)[-14:] if prev_clause else "")
        )
    return base[-INDICATOR_CHARS:] or fig.unit
