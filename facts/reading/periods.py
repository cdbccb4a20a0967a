"""Periods: the time a figure refers to, found in text and compared with a question's.

A period is a span of months [start, end] (month index = year*12 + month-1). `start is None`
means "up to" (截至2019年底: cumulative, open start). Relative words (今年/去年/全年) are resolved
from the report's own years; five-year plans (十三五) are 2016–2020 and so on.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
PLANS = {"十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026}
# what a plan says of a figure it aims at (力争, 目标 …): one list for the reading stages
# (目标企业 are the companies a drive seeks out, no plan)
PLAN_WORDS = r"力争|目标(?!企业|客户|群体|人群)|计划|确保|争取|预计到|要实现|预期目标|将达|将实现|将突破"
# a sentence of plans or forecasts, whose years say nothing of the year a report is about
TARGET_WORDS = re.compile(PLAN_WORDS + r"|有望|预期")
YEAR_MONTHS = 12  # months in a year; December is month 12
WHOLE_YEAR = YEAR_MONTHS - 1  # end - start of a one-year period (its first and last month both count)
QUARTER_MONTHS = 3  # months in a quarter


def ym(year: int, month: int) -> int:
    return year * 12 + month - 1


def year_of(index: int) -> int:
    return index // 12


@dataclass(frozen=True)
class Period:
    start: int | None
    end: int
    label: str
    inferred: bool = False

    @property
    def years(self) -> tuple[int | None, int]:
        return (None if self.start is None else year_of(self.start), year_of(self.end))

    @property
    def is_year(self) -> bool:
        """One whole year: January to December (2023年), not part of one, not a running total."""
        return self.start is not None and self.end - self.start == WHOLE_YEAR

    @property
    def is_span(self) -> bool:
        return self.start is not None and self.end - self.start >= YEAR_MONTHS

    def as_inferred(self) -> "Period":
        return replace(self, inferred=True)


def part_words(period: Period | None) -> list[str]:
    """What a question says for a fact's part of the year when it names no year: 二季度, 上半年."""
    if period is None or period.start is None or year_of(period.start) != year_of(period.end):
        return []
    first, last = period.start % YEAR_MONTHS + 1, period.end % YEAR_MONTHS + 1
    if last - first == QUARTER_MONTHS - 1 and first % QUARTER_MONTHS == 1:
        quarter = "一二三四"[first // QUARTER_MONTHS]
        return [f"{quarter}季度", f"第{quarter}季度"]
    return {(1, 6): ["上半年"], (7, 12): ["下半年"]}.get((first, last), [])


def year_period(year: int, inferred: bool = False) -> Period:
    return Period(ym(year, 1), ym(year, 12), f"{year}年", inferred)


def months_period(year: int, first: int, last: int) -> Period:
    label = f"{year}年{first}月" if first == last else f"{year}年{first}-{last}月"
    return Period(ym(year, first), ym(year, last), label)


def upto_period(year: int, month: int = YEAR_MONTHS) -> Period:
    label = f"截至{year}年底" if month == YEAR_MONTHS else f"截至{year}年{month}月底"
    return Period(None, ym(year, month), label)


def plan_period(name: str, part: str = "") -> Period:
    first = PLANS[name]
    if part in {"末", "期末", "末期"}:
        return Period(None, ym(first + 4, 12), f"“{name}”末({first + 4}年)")
    if "开局" in part:  # 实现“十四五”良好开局, 开局之年: the plan's whole first year
        return year_period(first)
    if part in {"初", "开始时", "之初", "伊始", "初期"}:
        return Period(ym(first, 1), ym(first, 1), f"“{name}”初({first}年)")
    return Period(ym(first, 1), ym(first + 4, 12), f"{first}-{first + 4}年(“{name}”)")


@dataclass(frozen=True)
class ReportYears:
    """`default`: the year most of the report is about; `report`: the year it was written; `current`: the
    report speaks of the year it was written in as 今年 (a news item, a progress report), so the years before
    it are history, not plans."""

    default: int | None
    report: int | None
    current: bool = False

    @property
    def horizon(self) -> int | None:
        """The last year the report can have figures of what happened: a full year after it is a plan."""
        return self.report if self.current else self.default


# a year as written, also right after a table's number whose space was lost (表12017年全区生产总值)
YEAR_IN_TEXT = re.compile(r"(?:(?<!\d)|(?<=表\d))((?:19|20)\d{2})年")
# A news item's date line near its top: 2023-08-29, 2023年08月29日 16:09, 2023/8/29, a date alone on its
# line. A date inside a sentence (2013年11月28日首趟开行) is no date line: it needs numeric form, a time
# after it, a label before it, or a line of its own.
DATE_LINE = re.compile(
    r"(?:(?:时间|日期|发布|发表|来源)[:：]?\s*)((?:19|20)\d{2})[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"|(?<![\d年])((?:19|20)\d{2})[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"
    r"|(?<!\d)((?:19|20)\d{2})年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}"
    r"|^\s*((?:19|20)\d{2})年\d{1,2}月\d{1,2}日\s*$",
    re.MULTILINE,
)
DATE_LINE_REACH = 300
STALE_DATE = 2  # a date line this many years after every year the text names dates a copy, not the report


def _date_line_year(head: str) -> int | None:
    """The year of a report's date line; a labelled one (时间:2023年11月09日) before a bare one (a web
    page's clock, 2021-8-11 星期三, often stands above the article's own date)."""
    found = list(DATE_LINE.finditer(head))
    labelled = [m for m in found if m.group(1)]
    chosen = (labelled or found)[:1]
    return int(next(g for g in chosen[0].groups() if g)) if chosen else None


# A government's work report, named with its year near the top, and the words with which it reviews the
# year before (过去一年, 一年来): such a report is given at the start of its year.
WORK_REPORT = re.compile(r"((?:19|20)\d{2})年[^\n。]{0,12}政府工作报告")
REVIEW = re.compile(r"过去(的)?一年|一年(以)?来")
WORK_REPORT_NEWS = re.compile(r"政府工作报告")
EXECUTED_YEAR = re.compile(r"((?:19|20)\d{2})年[^。\n]{0,20}?计划执行")
TITLE_REACH = 120


def report_years(text: str) -> ReportYears:
    """Guess which year a report is about and when it was written, from its own text."""
    counts: Counter[int] = Counter()
    for sentence in re.split(r"[。!?！？\n]", text):
        if TARGET_WORDS.search(sentence) or DATE_LINE.fullmatch(sentence):
            continue  # a plan's years, or the day the report was published, are not what it is about
        counts.update(
            int(m.group(1))
            for m in YEAR_IN_TEXT.finditer(sentence)
            if not COMPARED.search(sentence, max(0, m.start() - 2), m.start())  # 比2020年增长: a yardstick
        )
    if not counts:
        counts.update(int(y) for y in YEAR_IN_TEXT.findall(DATE_LINE.sub(" ", text)))
    dated_year = _date_line_year(text[:DATE_LINE_REACH])
    if not counts:
        return _undated_years(text, dated_year)
    top = max(counts.values())
    default = max(y for y, c in counts.items() if c == top)
    if executed := EXECUTED_YEAR.search(text[:TITLE_REACH]):
        # 2021年国民经济和社会发展计划执行情况 in its title: the year whose plan was carried out is what the
        # report is about, however many earlier years its review names
        default = int(executed.group(1))
    stale = bool(dated_year and dated_year - max(counts) >= STALE_DATE)
    if stale:
        dated_year = None  # a page re-posted years later (发布:2016-10-11 above a report of 2013)
    if dated_year and "今年" in text:  # a dated news item: 今年 is the year of its date line
        return ReportYears(default, dated_year, current=True)
    latest = max(counts)
    if latest > default and "今年" in text and "去年" in text:
        # 今年以来…较去年… in a text whose latest year is a finished one (2022年…开行4639列): it is written
        # the year after
        return ReportYears(default, latest + 1, current=True)
    return _written_years(text, default, latest, stale)


def _undated_years(text: str, dated_year: int | None) -> ReportYears:
    """A report naming no year: the year of its date line, or the year before for news of a work report
    whose review (一年以来…) it tells."""
    if dated_year and WORK_REPORT_NEWS.search(text[:DATE_LINE_REACH]) and REVIEW.search(text):
        return ReportYears(dated_year - 1, dated_year)
    return ReportYears(dated_year, dated_year)


def _written_years(text: str, default: int, latest: int, stale: bool) -> ReportYears:
    """The year a report about `default` was written: that year, the next when it looks back on it
    (截至2022年底, a 2023年政府工作报告 reviewing 过去一年), the latest it names when dated long after."""
    looking_back = re.search(
        rf"(截至|截止|到){default}年(底|末)|{default}年12月|过去的{default}年|{default}年全年|{default}年是",
        text,
    )
    work_report = WORK_REPORT.search(text[:TITLE_REACH])
    if work_report and int(work_report.group(1)) == default and REVIEW.search(text) and not looking_back:
        # 2023年政府工作报告 … 过去一年: a work report given early in a year reviews the year before it
        return ReportYears(default - 1, default)
    written = default + 1 if looking_back else default
    if stale and latest > written:
        # a page dated years after every year it tells of (2023, telling of 1988, 2001 and 2007) tells
        # history: its 2007 figures happened, they are no plan
        return ReportYears(default, latest, current=True)
    return ReportYears(default, written)


@dataclass(frozen=True)
class Marker:
    start: int
    end: int
    period: Period | None  # None for "全年/当年": the year in context, resolved by the caller
    cumulative: bool = False
    explicit_year: bool = False
    compared: bool = False  # 较2021年: dates only the figure right after it (较2021年11家), not the sentence


_CN = "一二三四"
MARKER = re.compile(
    "|".join(
        [
            r"(?P<since>自|从)(?P<sy>(?:19|20)\d{2})年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:[^,，。;；]{0,10}?)以来",
            r"(?P<upto>截至|截止|到|至)(?:(?P<uy>(?:19|20)\d{2})年|(?P<urel>今年|去年|上年|本年|当年))?(?:(?P<um>\d{1,2})月)?(?P<uend>底|末|为止|止)",
            r"(?P<now>截至|截止)(?:目前|现在|当前|今天)",
            # 目前, opening its clause (目前,全县已建成…17个): as of the report's time, like 截至目前
            r"(?<![^\s。;；,，:：])(?P<nowbare>目前|当前|现阶段)(?=[,，]|已|共|全)",
            # 近年来,该县签约企业125家: a running total of the years up to the report's time
            r"(?P<recent>近年来|近(?:几|些)年来?|多年来|这些年来?)",
            r"(?P<upday>截至|截止)(?:(?P<dy>(?:19|20)\d{2})年)?(?P<dm>\d{1,2})月(?P<dd>\d{1,2})日",
            r"[“\"]?(?P<plan>十[一二三四五]五)[”\"]?(?P<ppart>末期|期末|末|初期|之初|初|开始时|伊始|(?:良好)?开局(?:之年)?)?",
            r"(?P<ry>(?:19|20)\d{2})年(?P<rm1>\d{1,2})月?[-—~至到](?P<rm2>\d{1,2})月",
            r"(?P<rrel>今年|去年)?(?P<bm1>\d{1,2})月?[-—~至到](?P<bm2>\d{1,2})月",
            # 16月, 111月: 1-6月 and 1-11月 whose dash the page lost (no month is the 16th)
            r"(?<![\d.\-—~至到])1(?P<gm>[3-9]|1[0-2])月",
            rf"(?:(?P<fy>(?:19|20)\d{{2}})年)?(?:前|头)(?:(?P<fq>[{_CN}1-4])个?季度|(?P<fm>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})个?月(?!\d))",
            # 2022年1-3季度: the quarters from the first to the third, 1-9月
            rf"(?:(?P<sy2>(?:19|20)\d{{2}})年)?(?P<sq1>[{_CN}1-4])[-—~至到](?P<sq2>[{_CN}1-4])季度",
            rf"(?:(?P<qy>(?:19|20)\d{{2}})年)?第?(?P<q>[{_CN}1-4])季度",
            r"(?:(?P<hy>(?:19|20)\d{2})年)?(?P<half>上|下)半年",
            r"(?P<my>(?:19|20)\d{2})年(?P<mm>\d{1,2})月",
            r"(?P<y>(?:19|20)\d{2})(?:年度|年(?P<ypart>底|末|以来|初)?)",
            r"(?P<rel>今年|去年|前年|明年|上年|本年)(?P<relpart>以来|底|末)?",
            r"(?P<ctx>全年|当年|这一年|年内)",
            r"(?P<md>\d{1,2})月\d{1,2}日",
            # 5月份,…当月增长15.5%: one month of the report's year (月份 says a month, not a range's end)
            r"(?<![\d\-—~至到])(?P<om>\d{1,2})月份",
            r"(?P<five>五年来|五年间|五年|近五年)",
        ]
    )
)
# a period the figure is compared with, not the figure's own: 较上年, 由上年的…调整为, 已超去年全年,
# 是2011年的1.88倍, 与上年持平
COMPARED = re.compile(r"(较|比|相比|对比|同比|由|超过?|高于|低于|多于|少于|是|与|同)$")
# A number written as a year that no report means (99999999999年, 3000年, 1800年). MARKER reads only
# 19xx/20xx, so such a question would otherwise name no period and be answered with any year's figure;
# a question reads it as a period no fact has (report text is read by MARKER alone, unchanged).
ODD_YEAR = re.compile(r"(?<![\d.])(\d{4,})年")
SANE_YEARS = range(1900, 2100)


def odd_year(text: str) -> Period | None:
    """The period of the first year-like number outside SANE_YEARS in a question, else None."""
    for m in ODD_YEAR.finditer(text):
        year = int(m.group(1))
        if year not in SANE_YEARS:
            return Period(ym(year, 1), ym(year, 12), f"{m.group(1)}年")
    return None


REL_OFFSET = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
TEEN_NUMERALS = 2  # 十一, 十二: 十 and a digit, ten plus that digit


def _num(text: str) -> int:
    if len(text) == TEEN_NUMERALS and text[0] == "十":  # 十一, 十二
        return 10 + CN_DIGITS[text[1]]
    return CN_DIGITS.get(text) or int(text)


# What a marker reads as: its period (None for 全年/当年, resolved by the caller), whether it is a running
# total, whether its year is written beside it.
Reading = tuple[Period | None, bool, bool]


@dataclass(frozen=True)
class _Scan:
    """What one MARKER match is read against: the text, the report's years, and what came before it."""

    text: str
    years: ReportYears
    report: int | None  # the year the report was written, else the year it is about
    before: list[Marker] = field(default_factory=list)  # the markers found so far (截至目前 looks back)
    plans: list[Period] = field(default_factory=list)  # the five-year plans named so far (五年来 is the last)


# a year that fixes prices or an index, not the time of a figure: 按2020年不变价格计算, 以2015年为基期
PRICE_BASE = re.compile(r"\s*(不变价|可比价|价格|为基期|=100)")


def find_markers(text: str, years: ReportYears) -> list[Marker]:
    """Every period expression in `text`, with relative ones resolved against the report's years."""
    scan = _Scan(text, years, years.report or years.default)
    for m in MARKER.finditer(text):
        if PRICE_BASE.match(text, m.end()) or WORK_REPORT.match(text, m.start()):
            continue  # 按2020年不变价格; 2024年政府工作报告 (the year it is given, not the year it reviews)
        reading = _read(m, scan)
        if reading is None:
            continue
        period, cumulative, explicit = reading
        compared = bool(COMPARED.search(text, max(0, m.start() - 2), m.start()))
        if m["plan"] and not compared:  # 是十一五末的3倍 compares; 五年来 after it is still the plan told of
            scan.plans.append(plan_period(m["plan"]))
        scan.before.append(
            Marker(m.start(), m.end(), period, cumulative, explicit and not compared, compared)
        )
    return _year_to_date(scan.before, text)


def _read(m: re.Match[str], scan: _Scan) -> Reading | None:
    """The period one MARKER match names; None when it names none after all (the match is skipped)."""
    for group, reader in READERS:
        if m[group]:
            return reader(m, scan)
    return None, False, False  # 全年/当年/这一年/年内: the year in context


def _since(m: re.Match[str], scan: _Scan) -> Reading | None:
    """自2013年11月28日开行首趟以来…总量达20897列: a running total to the report's time (a news item that
    says 今年 is of its year; a year's review is of the year it reviews)."""
    current = "今年" in scan.text
    upto = scan.report if current else (scan.years.default or scan.report)
    if upto is None:
        return None
    day = _day_named_before(scan) if current else None
    if day is not None:  # 新华社11月28日电 … 自2013年…以来,…总量达20897列: a total to that day's month
        label = f"截至{upto}年{day % YEAR_MONTHS + 1}月(自{m['sy']}年以来)"
        return Period(None, day, label, inferred=True), True, False
    return Period(None, ym(upto, YEAR_MONTHS), f"截至{upto}年(自{m['sy']}年以来)", inferred=True), True, False


def _day_named_before(scan: _Scan) -> int | None:
    """The month of the latest short time (a day, a month, a quarter) of the report's year named so far —
    the news item's own day, which a running total "to now" runs to."""
    for prev in reversed(scan.before):
        if (
            prev.period
            and prev.period.start is not None
            and year_of(prev.period.start) == scan.report
            and prev.period.end - prev.period.start < QUARTER_MONTHS
        ):
            return prev.period.end
    return None


def _upto(m: re.Match[str], scan: _Scan) -> Reading | None:
    """截至2019年底, 到去年末, 截至6月底: a running total to the end of that year or month."""
    report = scan.report
    year = int(m["uy"]) if m["uy"] else (report + REL_OFFSET[m["urel"]] if m["urel"] and report else report)
    if year is None:
        return None
    return upto_period(year, int(m["um"]) if m["um"] else YEAR_MONTHS), True, bool(m["uy"])


def _upto_day(m: re.Match[str], scan: _Scan) -> Reading | None:
    """截至2023年11月28日: a running total to that day (counted to its month)."""
    year = int(m["dy"]) if m["dy"] else scan.report
    if year is None:
        return None
    month = int(m["dm"])
    return Period(None, ym(year, month), f"截至{year}年{month}月{int(m['dd'])}日"), True, bool(m["dy"])


def _upto_now(_m: re.Match[str], scan: _Scan) -> Reading | None:
    """截至目前: a running total to the report's time, or to the date just named (6月25日…截至目前)."""
    report = scan.report
    if report is None:
        return None
    day = _day_named_before(scan)
    if day is not None:
        return Period(None, day, f"截至{report}年{day % YEAR_MONTHS + 1}月"), True, False
    return Period(None, ym(report, YEAR_MONTHS), f"截至{report}年"), True, False


def _plan(m: re.Match[str], scan: _Scan) -> Reading | None:
    """十四五, “十三五”末: a five-year plan or a part of it (not the name of a plan document: 十四五规划)."""
    if scan.text.startswith("规划", m.end()) or scan.text.startswith("”规划", m.end()):
        return None
    return plan_period(m["plan"], m["ppart"] or ""), False, True


def _month_range(m: re.Match[str], _scan: _Scan) -> Reading | None:
    """2023年1-5月: those months of a written year."""
    return months_period(int(m["ry"]), int(m["rm1"]), int(m["rm2"])), False, True


def _bare_month_range(m: re.Match[str], scan: _Scan) -> Reading | None:
    """1-5月, 去年1-5月: those months of the report's year (or the one before)."""
    year = scan.report + REL_OFFSET.get(m["rrel"] or "今年", 0) if scan.report else None
    if year is None or not (1 <= int(m["bm1"]) <= int(m["bm2"]) <= YEAR_MONTHS):
        return None
    return months_period(year, int(m["bm1"]), int(m["bm2"])), False, False


def _dashless_months(m: re.Match[str], scan: _Scan) -> Reading | None:
    """16月: 1-6月 of the report's year, printed without its dash."""
    if scan.report is None:
        return None
    return months_period(scan.report, 1, int(m["gm"])), False, False


def _first_months(m: re.Match[str], scan: _Scan) -> Reading | None:
    """前三季度 is 1-9月, 前5个月 1-5月."""
    year = int(m["fy"]) if m["fy"] else scan.report
    last = QUARTER_MONTHS * _num(m["fq"]) if m["fq"] else _num(m["fm"])
    if year is None or not 1 <= last <= YEAR_MONTHS:
        return None
    period = months_period(year, 1, last)
    if m["fq"]:
        period = replace(period, label=f"{year}年前{m['fq']}季度")
    return period, False, bool(m["fy"])


def _quarters(m: re.Match[str], scan: _Scan) -> Reading | None:
    """2022年1-3季度: from the first month of one quarter to the last of another (1-3季度 is 前三季度)."""
    year = int(m["sy2"]) if m["sy2"] else scan.report
    first, last = _num(m["sq1"]), _num(m["sq2"])
    if year is None or first > last:
        return None
    period = months_period(year, QUARTER_MONTHS * first - 2, QUARTER_MONTHS * last)
    if first == 1:
        period = replace(period, label=f"{year}年前{'一二三四'[last - 1]}季度")
    return period, False, bool(m["sy2"])


def _quarter(m: re.Match[str], scan: _Scan) -> Reading | None:
    """2023年第二季度, 三季度: one quarter."""
    year = int(m["qy"]) if m["qy"] else scan.report
    if year is None:
        return None
    q = _num(m["q"])
    label = f"{year}年第{'一二三四'[q - 1]}季度"
    return Period(ym(year, QUARTER_MONTHS * q - 2), ym(year, QUARTER_MONTHS * q), label), False, bool(m["qy"])


def _half(m: re.Match[str], scan: _Scan) -> Reading | None:
    """上半年, 2023年下半年: one half of a year."""
    year = int(m["hy"]) if m["hy"] else scan.report
    if year is None:
        return None
    first = 1 if m["half"] == "上" else 7
    return Period(ym(year, first), ym(year, first + 5), f"{year}年{m['half']}半年"), False, bool(m["hy"])


def _month(m: re.Match[str], _scan: _Scan) -> Reading | None:
    """2023年5月: one month."""
    month = int(m["mm"])
    if not 1 <= month <= YEAR_MONTHS:
        return None
    return months_period(int(m["my"]), month, month), False, True


def _year(m: re.Match[str], scan: _Scan) -> Reading | None:
    """2019年, 2019年底, 2019年以来: a year, its end, or the years since."""
    year, part = int(m["y"]), m["ypart"]
    if part in {"底", "末"}:
        return Period(None, ym(year, YEAR_MONTHS), f"{year}年底"), False, True
    if part == "以来" and scan.report:
        return Period(ym(year, 1), ym(max(year, scan.report), YEAR_MONTHS), f"{year}年以来"), False, True
    return year_period(year), False, True


def _relative_year(m: re.Match[str], scan: _Scan) -> Reading | None:
    """今年, 去年底, 今年以来: a year named from the report's own."""
    if scan.report is None:
        return None
    year = scan.report + REL_OFFSET[m["rel"]]
    part = m["relpart"]
    if part in {"底", "末"}:
        return Period(None, ym(year, YEAR_MONTHS), f"{year}年底"), False, False
    if part == "以来":
        return Period(ym(year, 1), ym(scan.report, YEAR_MONTHS), f"{year}年以来"), False, False
    return year_period(year), False, False


def _day(m: re.Match[str], scan: _Scan) -> Reading | None:
    """6月25日, 5月份: that month of the year the report is of."""
    month = int(m["md"] or m["om"])
    if scan.report is None or not 1 <= month <= YEAR_MONTHS:
        return None
    return months_period(scan.report, month, month), False, False


def _five_years(_m: re.Match[str], scan: _Scan) -> Reading | None:
    """五年来: the plan last named, else the five years up to the report's."""
    if scan.plans:
        return scan.plans[-1], False, False
    default = scan.years.default
    if not default:
        return None
    return Period(ym(default - 4, 1), ym(default, YEAR_MONTHS), f"{default - 4}-{default}年"), False, False


# The reader of each kind of MARKER match, by the group only that alternative sets; the first that
# took part wins (the alternatives are exclusive, so the order only mirrors MARKER's).
READERS: tuple[tuple[str, Callable[[re.Match[str], _Scan], Reading | None]], ...] = (
    ("since", _since),
    ("upto", _upto),
    ("upday", _upto_day),
    ("now", _upto_now),
    ("nowbare", _upto_now),
    ("recent", _upto_now),
    ("plan", _plan),
    ("ry", _month_range),
    ("bm1", _bare_month_range),
    ("gm", _dashless_months),
    ("fq", _first_months),
    ("fm", _first_months),
    ("sq1", _quarters),
    ("q", _quarter),
    ("half", _half),
    ("my", _month),
    ("y", _year),
    ("rel", _relative_year),
    ("md", _day),
    ("om", _day),
    ("five", _five_years),
)


YEAR_TO_DATE_GAP = 3  # 今年以来,截至11月28日: at most a comma and a space between the two


def _year_to_date(markers: list[Marker], text: str) -> list[Marker]:
    """今年以来，截至11月28日 / 2023年以来截至11月底: one period from January to that day, not a running
    total since records began (which a plain 截至 is)."""
    out: list[Marker] = []
    for marker in markers:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.period is not None
            and marker.period is not None
            and (prev.period.label.endswith("以来") or _whole_year_before_its_day(prev, marker))
            and prev.period.start is not None
            and marker.period.start is None
            and 0 <= marker.start - prev.end <= YEAR_TO_DATE_GAP
            and not text[prev.end : marker.start].strip(" ,，、")
        ):
            year = year_of(prev.period.start)
            month = marker.period.end % 12 + 1
            day = re.search(r"(\d{1,2})日", text[marker.start : marker.end])
            label = f"{year}年1月至{month}月" + (f"{day.group(1)}日" if day else "底")
            period = Period(ym(year, 1), ym(year, month), label)
            out[-1] = Marker(prev.start, marker.end, period, True, prev.explicit_year or marker.explicit_year)
            continue
        if prev is not None and (so_far := _this_year_to_day(prev, marker, text)) is not None:
            # 截至5月10日,某口岸2023年通行班列2715列: both name the year to that day
            out[-1] = replace(prev, period=so_far)
            out.append(replace(marker, period=so_far, cumulative=True))
            continue
        out.append(marker)
    return out


def _whole_year_before_its_day(prev: Marker, marker: Marker) -> bool:
    """2023年截至5月10日: a year, then a day of it without a year of its own — the year so far."""
    return (
        prev.period is not None
        and prev.period.start is not None
        and prev.period.is_year
        and not marker.explicit_year
    )


THIS_YEAR_REACH = 40  # 截至5月10日 and the year it counts (…口岸2023年通行) stand in one clause or two


def _this_year_to_day(prev: Marker, marker: Marker, text: str) -> Period | None:
    """截至5月10日 … 2023年/当年 in the same sentence: January to that day of that year (what the year has
    counted so far), not a running total since records began."""
    if prev.period is None or prev.period.start is not None or "日" not in text[prev.start : prev.end]:
        return None
    between = text[prev.end : marker.start]
    if len(between) > THIS_YEAR_REACH or re.search(r"[。;；!?！？\n]", between):
        return None
    year = year_of(prev.period.end)
    written = text[marker.start : marker.end]
    if marker.period is None:
        if written not in {"当年", "今年", "本年"}:
            return None
    elif not (marker.period.start == ym(year, 1) and marker.period.end == ym(year, YEAR_MONTHS)):
        return None
    month = prev.period.end % YEAR_MONTHS + 1
    day = re.search(r"(\d{1,2})日", text[prev.start : prev.end])
    label = f"{year}年1月至{month}月" + (f"{day.group(1)}日" if day else "底")
    return Period(ym(year, 1), prev.period.end, label)


def resolve_context(markers: list[Marker], years: ReportYears, text: str = "") -> list[Marker]:
    """Give 全年/当年 the year of the nearest dated marker before it in its paragraph (else the report's)."""
    resolved: list[Marker] = []
    year, last = None, 0
    for marker in markers:
        if "\n" in text[last : marker.start]:
            year = None
        last = marker.end
        kept = marker
        if marker.period is None:
            before = resolved[-1] if resolved else None
            compared = marker.compared
            y: int | None
            if before is not None and before.end == marker.start and before.period and before.period.start:
                # 去年全年, 超过上年全年: the year just before it, compared or not
                y, compared = year_of(before.period.start), before.compared
            else:
                y = year or years.default
            if y is None:
                continue
            kept = Marker(marker.start, marker.end, year_period(y), False, False, compared)
        elif not marker.compared and marker.period.start is not None and not marker.period.is_span:
            year = year_of(marker.period.start)  # 2022年…全年, 去年全年: the year just named (比上年: not)
        elif marker.explicit_year and marker.period.start is None:
            year = year_of(marker.period.end)
        resolved.append(kept)
    return resolved


def period_fit(asked: Period | None, fact: Period | None) -> float | None:
    """How well a fact's period answers the asked one: 1.0 exact … None for a mismatch."""
    if asked is None:
        return 1.0
    if fact is None:
        # a report that never says its year (今年上半年, nothing more) cannot answer for a named time: its
        # figure is offered, not given as the answer
        return None
    if asked.start is None:  # "到2023年5月底", "十三五末", "2020年底"
        return _fit_to_total(asked.end, fact)
    if fact.start is None:  # the fact is "截至…": a fair answer for a whole year, a poor one for part of it
        return _total_for_span(asked.start, asked.end, fact.end)
    return _span_fit(asked.start, asked.end, fact.start, fact.end, fact.inferred)


def _fit_to_total(qe: int, fact: Period) -> float | None:
    """A fact for a question asking "up to" the month `qe`."""
    fs, fe = fact.start, fact.end
    if fe == qe:
        return 1.0 if fs is None else 0.85
    if year_of(fe) == year_of(qe) and fs is None and (fe <= qe or fact.inferred):
        return 0.5  # an earlier total that year, or one to the report's unknown day that year
    return None


def _total_for_span(qs: int, qe: int, fe: int) -> float | None:
    """A running total to the month `fe` for a question asking the span [qs, qe]."""
    if fe == qe:
        return 0.9 if qe - qs == WHOLE_YEAR else 0.6
    return 0.7 if qs <= fe <= qe else None


def _span_fit(qs: int, qe: int, fs: int, fe: int, inferred: bool) -> float | None:
    """A fact of the span [fs, fe] (`inferred` from the report's year) for a question asking [qs, qe]."""
    if (qs, qe) == (fs, fe):
        return 1.0
    if qs <= fs and fe <= qe:
        # part of the asked time is not the answer for all of it: 2022年一季度 is not 2022年 (nor 前三季度)
        return None
    if fs <= qs and qe <= fe:
        # the whole is not the answer for a part (上半年 for 一季度), unless the fact's period was only
        # guessed from the report's year
        return 0.6 if inferred and fe - fs == WHOLE_YEAR else None
    return None
