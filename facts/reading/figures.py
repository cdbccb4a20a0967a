"""Figures in repaired report text: the number and unit as written, qualifier, range, measure.

Works on text after `repair` (half-width digits and ASCII %, no spaces between CJK and digits).
Dates (2019年, 6月25日), ordinals other than ranks (第7期), names like "500强" and codes like
"4+1" are not figures.
"""

import re
from dataclasses import dataclass

from facts.lexicon import SCALES as SCALE_VALUES

SCALES = tuple(SCALE_VALUES)
# Longest first, so 个标箱 wins over 个 and 平方公里 over 公里.
BASE_UNITS = sorted(
    [
        "元",
        "美元",
        "欧元",
        "港元",
        "吨",
        "标箱",
        "个标箱",
        "TEU",
        "列",
        "趟",
        "班",
        "家",
        "户",
        "个",
        "项",
        "亩",
        "平方米",
        "平方公里",
        "公里",
        "千米",
        "米",
        "辆",
        "台",
        "套",
        "件",
        "人",
        "人次",
        "名",
        "位",
        "次",
        "批次",
        "批",
        "天",
        "个月",
        "小时",
        "分钟",
        "分",
        "倍",
        "%",
        "‰",
        "个百分点",
        "千瓦时",
        "千瓦",
        "度",
        "GWh",
        "MWh",
        "GW",
        "MW",
        "kW",
        "座",
        "条",
        "所",
        "张",
        "艘",
        "架",
        "种",
        "款",
        "栋",
        "间",
        "处",
        "场",
        "宗",
        "笔",
        "块",
        "根",
        "公顷",
        "立方米",
        "升",
        "头",
        "只",
        "公斤",
        "千克",
        "箱",
        "单",
        "份",
        "册",
        "元/吨",
        "元/平方米",
    ],
    key=len,
    reverse=True,
)
_UNIT = "|".join(re.escape(u) for u in BASE_UNITS)
_SCALE = "|".join(SCALES)
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
FIGURE = re.compile(
    rf"(?P<num>{_NUM})(?P<unit1>%)?"
    rf"(?:(?P<sep>[-—–~～至])(?P<num2>{_NUM}))?"
    rf"(?P<scale>{_SCALE})?(?P<inner>余|多)?(?P<unit>{_UNIT})?"
    r"(?P<post>以上|以下|左右|上下|余|多)?"
)
PRE_QUALIFIERS = ("超过", "不到", "不足", "接近", "将近", "约", "超", "近", "逾", "突破", "高达")
CHANGE_WORDS = re.compile(r"(增加|净增|减少|增长|下降|多出|增收)(了|约|超|近)?$")
NOT_QUALIFIER = re.compile(r"(签约|合约|节约|预约|履约|特约|制约|赶超|最近|附近|临近|就近)$")
# what may stand between a rate's verb and its figure: 增长为, 增长仅为, 分别增长, 预计达
_LINK = r"(?:仅|只|分别|预计|均)?(?:了|为|达到|达|约|超|是)?"
GROWTH_WORDS = re.compile(rf"(增长|增速|增幅|下降|降低|减少|增加|回落|提高|上升){_LINK}$")
FUTURE_LIKE = re.compile(r"[年月日号强期届次]")
DOWN_WORDS = re.compile(rf"(下降|降低|减少|回落|下滑|收窄|降|减){_LINK}$")
UP_WORDS = re.compile(rf"(增长|提高|上升|增加|扩大|提升|增){_LINK}$")
# the words before a figure that say what kind of figure it is (增长为, 同比下降), read without an aside
# between them and the figure: 同比增长(下同)9.2%, 增长[1]5.6%
LEAD_CHARS = 8
LEAD_REACH = 20
ASIDE = re.compile(r"(?:[(（][^()（）\d]{1,8}[)）]|\[\d{1,2}\])$")
LIST_JOIN = re.compile(r"[和、与及,，]|以及")
MINUS = {"-", "−", "－"}  # a figure written as a negative growth: 同比增长-0.5%


@dataclass(frozen=True)
class Figure:
    start: int  # offsets in the repaired text, covering number, unit and any qualifier
    end: int
    value: float
    value_text: str
    value_max: float | None
    unit: str
    qualifier: str
    measure: str  # amount | growth | share | rank

    @property
    def display(self) -> str:
        """The figure as a reader would write it: 约148亿元, 67%—79%, 10-15万辆, 10家以上."""
        return self.text

    text: str = ""
    direction: str = ""  # up | down | "" (下降0.3% is 0.3 and down; 增长-0.5% is -0.5 and down)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text`, in order."""
    found: list[Figure] = []
    for m in FIGURE.finditer(text):
        figure = _figure(text, m, found[-1] if found else None)
        if figure is not None:
            found.append(figure)
    return found


THOUSANDS = 3  # 12,345: three digits after a comma that follows a digit are the thousands of one number
RATE_UNITS = {"%", "个百分点", "倍"}  # a figure in these is a rate: a growth or a share


def _figure(text: str, m: re.Match[str], prev_fig: Figure | None) -> Figure | None:
    """The figure one FIGURE match is (`prev_fig` the one before it), else None: part of a longer
    number or code, a date, a name."""
    if _inside_longer(text, m):
        return None
    unit_end = _unit_and_end(m)
    if unit_end is None:
        return None
    unit, end = unit_end
    if _no_figure(text, m, end):
        return None
    start = m.start()
    prev = text[start - 1] if start else ""
    negative = prev in MINUS and not text[start - 2 : start - 1].isdigit()  # 同比增长-0.5%, not 5-8%
    if negative:
        start -= 1
    before, start = _pre_qualifier(text, start)
    post, end = _post_qualifier(text, m, end)
    qualifier = "/".join(q for q in (before, post) if q)
    lead = ASIDE.sub("", text[max(0, start - LEAD_REACH) : start])[-LEAD_CHARS:]
    measure = _measure(text, m, unit, lead)
    direction = _direction(measure, unit, lead, negative)
    if prev_fig is not None and prev_fig.unit == unit and LIST_JOIN.fullmatch(text[prev_fig.end : start]):
        measure = prev_fig.measure  # 分别增长36.1%和35.95%: the second rate is a growth too
        direction = direction or ("" if prev_fig.value < 0 else prev_fig.direction)
    return Figure(
        start=start,
        end=end,
        value=-_number(m["num"]) if negative else _number(m["num"]),
        value_text=("-" if negative else "") + m["num"],
        value_max=_number(m["num2"]) if m["num2"] else None,
        unit=unit,
        qualifier=qualifier,
        measure=measure,
        text=text[start:end],
        direction=direction,
    )


# the Latin names of figures, which a page may glue to the figure they name ((GDP161.19亿元)
FIGURE_NAMES = ("GDP", "CPI", "PPI", "PMI")


def _inside_longer(text: str, m: re.Match[str]) -> bool:
    """Whether the match starts inside something longer: a number (345 of 12,345), a decimal, a code
    (1 of 4+1), a Latin name (5 of GDP5)."""
    start = m.start()
    prev = text[start - 1] if start else ""
    return (
        prev.isdigit()
        or prev in {".", "+"}
        or (prev.isascii() and prev.isalpha() and not text.endswith(FIGURE_NAMES, 0, start))
        or (prev == "," and text[start - 2 : start - 1].isdigit() and len(m["num"]) == THOUSANDS)
    )


def _unit_and_end(m: re.Match[str]) -> tuple[str, int] | None:
    """The figure's unit and where it ends; None for a bare number (or a range of % into another unit)."""
    unit = (m["scale"] or "") + (m["unit"] or "")
    end = m.end()
    if m["unit1"]:
        if m["num2"] and m["unit"] != "%":
            return None
        unit = "%"
        if not m["num2"]:
            end = m.start("unit1") + 1
    if not unit:
        return None
    return unit, end


def _no_figure(text: str, m: re.Match[str], end: int) -> bool:
    """Whether a number with a unit is still no figure: a scale before a date or a digit (2万年), part of a
    code (4+1), a 位 not after 第/前 (位 is read only as a rank: 第3位, 前3位)."""
    start = m.start()
    after = text[end : end + 1]
    if not m["unit"] and m["scale"] and after and (FUTURE_LIKE.match(after) or after.isdigit()):
        return True
    if after == "+" or text[start - 1 : start] == "+":
        return True
    return m["unit"] == "位" and text[max(0, start - 1) : start] not in {"第", "前"}


def _pre_qualifier(text: str, start: int) -> tuple[str, int]:
    """A qualifier written before the figure (约, 超过, 不足; not the 约 of 签约) and where the figure then
    starts."""
    before = text[max(0, start - 3) : start]
    for word in PRE_QUALIFIERS:
        if before.endswith(word) and not NOT_QUALIFIER.search(text[max(0, start - len(word) - 1) : start]):
            return word, start - len(word)
    return "", start


def _post_qualifier(text: str, m: re.Match[str], end: int) -> tuple[str, int]:
    """A qualifier written after the figure (余, 多, 以上, 左右) and where the figure then ends."""
    if m["unit1"] and not m["num2"]:  # 30%以上: the regex stopped at the %
        if text[end : end + 2] in {"以上", "以下", "左右"}:
            return text[end : end + 2], end + 2
        return "", end
    return (m["inner"] or "") + (m["post"] or ""), end


def _measure(text: str, m: re.Match[str], unit: str, lead: str) -> str:
    """What the figure measures: a rank (第3位), a change (增加12家), a growth or a share (a rate, by the
    words before it), else an amount (a 倍 that is no growth is a multiple)."""
    if text[max(0, m.start() - 1) : m.start()] in {"第", "前"}:
        return "rank"
    if CHANGE_WORDS.search(lead) and unit not in RATE_UNITS:
        return "change"
    if unit in RATE_UNITS or unit.endswith("%"):
        if GROWTH_WORDS.search(lead):
            return "growth"
        return "amount" if unit == "倍" else "share"
    return "amount"


def _direction(measure: str, unit: str, lead: str, negative: bool) -> str:
    """Which way a rate or change went: down, up, or "" (下降0.3% is 0.3 and down; 增长-0.5% down)."""
    if negative:
        return "down"
    if measure in {"growth", "change"} or unit in {"%", "个百分点"}:
        if DOWN_WORDS.search(lead):
            return "down"
        if UP_WORDS.search(lead):
            return "up"
    return ""
