"""Facts extracted from each seed: value, unit, kind, measure, period, subject, line and a verbatim quote.

Where two readings are defensible the row lists both as a tuple; everything else must match exactly.
"""

import re
from dataclasses import dataclass

import pytest

from facts.lexicon import load_lexicon
from facts.reading.extract import extract_facts, read_context
from facts.reading.periods import ym
from facts.reading.repair import repair
from facts.reading.subjects import org_core
from facts.text import Tokenizer

P = pytest.param


@dataclass(frozen=True)
class Months:
    """A period given by its month indices (start None = "up to"), for periods whose label is prose."""

    start: int | None
    end: int


ZONE_000 = (
    "江津综合保税区",
    "江津综保区",
    "江津区",
)  # 000 is about the zone; its train counts are the district's
HUB_001 = ("江津区", "珞璜临港产业城")  # 001's highlights are the port city's, the trains the district's
SHISANWU = "2016-2020年(“十三五”)"

# doc, figure as written, line, value, unit, kind, measure, period (label or Months), subject
ROWS = [
    P(
        "000",
        "21列",
        98,
        21,
        "列",
        "cumulative",
        "amount",
        "截至2019年底",
        ZONE_000,
        id="000-trains-截至2019年底",
    ),
    P("000", "95.83%", 99, 95.83, "%", "cumulative", "share", "截至2019年底", ZONE_000, id="000-load-rate"),
    P(
        "000",
        "1100万吨",
        80,
        1100,
        "万吨",
        "actual",
        "amount",
        "2019年以来",
        "珞璜港",
        id="000-port-phase-one-number-split-over-lines",
    ),
    P(
        "000",
        "165亿元",
        152,
        165,
        "亿元",
        "forecast",
        "amount",
        "2019年",
        "江津区",
        id="000-district-trade-forecast",
    ),
    P(
        "000",
        "106.8亿元",
        154,
        106.8,
        "亿元",
        "forecast",
        "amount",
        "2019年",
        "江津综保区",
        id="000-zone-trade-is-the-zone-not-the-district",
    ),
    P(
        "000",
        "17家",
        129,
        17,
        "家",
        "cumulative",
        "amount",
        "截至2019年底",
        "江津综保区",
        id="000-截至2019年底-broken-over-lines",
    ),
    P(
        "000",
        "10亿元",
        43,
        10,
        "亿元",
        "actual",
        "amount",
        "2019年12月",
        "江津综合保税区",
        id="000-明峰-investment",
    ),
    P("001", "536列", 161, 536, "列", "actual", "amount", "2022年", HUB_001, id="001-trains-2022-全年"),
    P(
        "001",
        "约148亿元",
        191,
        148,
        "亿元",
        "actual",
        "amount",
        "2022年",
        "江津综保区",
        id="001-zone-trade-约148亿元",
    ),
    P(
        "001",
        "约22.5亿元",
        192,
        22.5,
        "亿元",
        "actual",
        "change",
        "2022年",
        "江津综保区",
        id="001-zone-trade-净增",
    ),
    P(
        "001",
        "17.97%",
        193,
        17.97,
        "%",
        "actual",
        "growth",
        "2022年",
        "江津综保区",
        id="001-zone-trade-growth",
    ),
    P("001", "1000列", 28, 1000, "列", "target", "amount", "2023年", HUB_001, id="001-1000列-target-2023"),
    P("001", "1500万吨", 28, 1500, "万吨", "target", "amount", "2023年", "江津区", id="001-全区-port-target"),
    P("001", "50位", 33, 50, "位", "target", "rank", "2024年", "江津综保区", id="001-zone-rank-target-2024"),
    P(
        "001",
        "61.05亿元",
        206,
        61.05,
        "亿元",
        "actual",
        "amount",
        "2022年",
        "珞璜临港产业城",
        id="001-industrial-investment-居全区第一-is-the-port-city",
    ),
    P("001", "11家", 217, 11, "家", "actual", "amount", "2021年", "珞璜临港产业城", id="001-较2021年11家"),
    P("001", "42家", 217, 42, "家", "actual", "amount", "2022年", "珞璜临港产业城", id="001-2022年新增42家"),
    P(
        "002",
        "1277列",
        83,
        1277,
        "列",
        "cumulative",
        "amount",
        Months(None, ym(2023, 5)),
        "江津区",
        id="002-1277列-up-to-2023-05",
    ),
    P("002", "407列", 83, 407, "列", "cumulative", "amount", "2023年1-5月", "江津区", id="002-今年1月-5月"),
    P(
        "002",
        "约230亿元",
        19,
        230,
        "亿元",
        "forecast",
        "amount",
        ("2023年", "2023年第二季度"),
        "江津区",
        id="002-230亿元-forecast",
    ),
    P(
        "002",
        "127亿元",
        67,
        127,
        "亿元",
        "actual",
        "amount",
        "2023年1-6月",
        "江津区",
        id="002-实到资金-1月-6月",
    ),
    P(
        "002",
        "超570亿元",
        67,
        570,
        "亿元",
        "actual",
        "amount",
        "2023年1-6月",
        "江津区",
        id="002-协议引资-超570亿元",
    ),
    P(
        "002",
        "236家",
        5,
        236,
        "家",
        "cumulative",
        "amount",
        "截至2023年6月",
        "江津区",
        id="002-截至目前-after-6月25日",
    ),
    P(
        "002",
        "10-15万辆",
        59,
        10,
        "万辆",
        "actual",
        "amount",
        "2023年以来",
        "江津区",
        id="002-capacity-range",
    ),
    P(
        "003",
        "150亿美元",
        77,
        150,
        "亿美元",
        "target",
        "amount",
        "2021-2025年(“十四五”)",
        "江津区",
        id="003-trade-target-a-zone-after-完善-is-an-object-not-the-subject",
    ),
    P("003", "682.7亿元", 21, 682.7, "亿元", "actual", "amount", "2015年", "江津区", id="003-gdp-2015"),
    P("003", "1036.7亿元", 21, 1036.7, "亿元", "actual", "amount", "2019年", "江津区", id="003-gdp-2019"),
    P(
        "003",
        "超过1100亿元",
        21,
        1100,
        "亿元",
        "forecast",
        "amount",
        "2020年",
        "江津区",
        id="003-gdp-2020-forecast",
    ),
    P("003", "8.9%", 21, 8.9, "%", "forecast", "growth", SHISANWU, "江津区", id="003-五年来-is-十三五"),
    P(
        "003",
        "1125家",
        25,
        1125,
        "家",
        "actual",
        "amount",
        ("2020年", "2016-2020年(“十三五”)"),
        "江津区",
        id="003-1125家-via-分别",
    ),  # 其中… continues the 五年来 (十三五) paragraph: the span is as right as 2020
    P(
        "003",
        "46.5%",
        43,
        46.5,
        "%",
        ("actual", "cumulative"),
        "share",
        Months(ym(2016, 1), ym(2016, 1)),
        "江津区",
        id="003-46.5%-is-the-start-of-十三五",
    ),
    P(
        "003",
        "51.8%",
        43,
        51.8,
        "%",
        ("actual", "cumulative"),
        "share",
        Months(None, ym(2020, 12)),
        "江津区",
        id="003-51.8%-is-the-end-of-十三五",
    ),
    P("003", "7.5%", 83, 7.5, "%", "target", "growth", "2021年", "江津区", id="003-2021-growth-target"),
    P("004", "67%—79%", 27, 67, "%", "actual", "share", "2020年", "江津区", id="004-range"),
    P("004", "90%", 29, 90, "%", "actual", "share", "2020年", "江津区", id="004-90%-share"),
    P(
        "004",
        "18469家",
        33,
        18469,
        "家",
        "actual",
        "amount",
        "2020年",
        "江津区",
        id="004-new-market-entities",
    ),
    P("004", "60家", 34, 60, "家", "actual", "amount", "2020年", "江津区", id="004-new-规上-companies"),
    P("004", "4.5%", 35, 4.5, "%", "actual", "growth", "2020年", "江津区", id="004-4.5%-growth-2020"),
    P("004", "460家", 35, 460, "家", "cumulative", "amount", "2020年", "江津区", id="004-规上-累计达460家"),
    P(
        "004",
        "140亿元以上",
        59,
        140,
        "亿元",
        "forecast",
        "amount",
        "2020年",
        ("江津区", "四川和邦集团"),
        id="004-和邦-output-forecast",
    ),
    P(
        "004",
        "580家",
        155,
        580,
        "家",
        "target",
        "amount",
        Months(None, ym(2025, 12)),
        "江津区",
        id="004-十四五末-target",
    ),
]


def the_fact(seed_facts, doc: str, figure: str, line: int):
    found = [f for f in seed_facts[doc].facts if f.figure == figure and f.line == line]
    assert len(found) == 1, [(f.figure, f.line) for f in seed_facts[doc].facts if f.figure == figure]
    return found[0]


def matches(actual, expected) -> bool:
    return actual in expected if isinstance(expected, tuple) else actual == expected


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("doc", "figure", "line", "value", "unit", "kind", "measure", "period", "subject"), ROWS
)
def test_fact(seed_facts, doc, figure, line, value, unit, kind, measure, period, subject):
    fact = the_fact(seed_facts, doc, figure, line)
    assert (fact.value, fact.unit, fact.measure) == (value, unit, measure)
    assert matches(fact.kind, kind), fact.kind
    assert fact.period is not None
    if isinstance(period, Months):
        assert Months(fact.period.start, fact.period.end) == period, fact.period.label
    else:
        assert matches(fact.period.label, period)
    assert fact.subject is not None and matches(fact.subject.name, subject), fact.subject
    quote = squeeze(fact.quote)
    assert quote in squeeze(seed_facts[doc].original)
    assert squeeze(figure) in quote


@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_every_quote_is_verbatim_and_holds_its_figure(seed_facts, doc):
    seed = seed_facts[doc]
    lines = seed.original.split("\n")
    assert seed.facts
    for fact in seed.facts:
        quote = squeeze(fact.quote)
        assert quote in squeeze(seed.original), fact
        assert squeeze(fact.figure) in quote, fact
        assert 1 <= fact.line <= len(lines)
        assert fact.value_text.split(".")[0] in lines[fact.line - 1], (fact.figure, fact.line)


@pytest.mark.parametrize(
    ("doc", "figure", "line", "value_max"),
    [
        P("002", "10-15万辆", 59, 15, id="万辆"),
        P("004", "67%—79%", 27, 79, id="percent"),
        P("001", "约148亿元", 191, None, id="not-a-range"),
    ],
)
def test_ranges_keep_their_upper_end(seed_facts, doc, figure, line, value_max):
    assert the_fact(seed_facts, doc, figure, line).value_max == value_max


@pytest.mark.parametrize(
    ("figure", "own", "other"),
    [
        P("211家", "高新技术企业", "科技型企业", id="211家-高新技术企业"),
        P("1125家", "科技型企业", "高新技术企业", id="1125家-科技型企业"),
    ],
)
def test_respectively_pairs_names_with_figures(seed_facts, figure, own, other):
    """高新技术企业、科技型企业分别达211家、1125家: each figure is about its own name only."""
    fact = the_fact(seed_facts, "003", figure, 25)
    assert fact.terms.get(own) == 1.0
    assert fact.terms.get(other, 0.0) <= 0.1


def test_company_named_in_the_sentence_is_kept_with_the_fact(seed_facts):
    fact = the_fact(seed_facts, "004", "140亿元以上", 59)
    assert org_core("四川和邦集团") in fact.orgs


@pytest.mark.parametrize(
    ("doc", "figure", "line", "qualifier"),
    [
        P("001", "约148亿元", 191, "约", id="约"),
        P("002", "超570亿元", 67, "超", id="超"),
        P("002", "600余亩", 41, "余", id="余"),
        P("004", "近150亿元", 198, "近", id="近-on-the-next-line"),
        P("004", "140亿元以上", 59, "以上", id="以上"),
        P("000", "40个", 105, "", id="签约40个"),
    ],
)
def test_qualifier_travels_with_the_fact(seed_facts, doc, figure, line, qualifier):
    assert the_fact(seed_facts, doc, figure, line).qualifier == qualifier


def _facts_of(text: str):
    lexicon = load_lexicon()
    return extract_facts("t.txt", repair(text), lexicon, Tokenizer(lexicon))


def test_respectively_pairs_rates_with_the_clauses_before():
    facts = {
        f.figure: f for f in _facts_of("2022年班列开行1200列,监管集装箱9.8万标箱,同比分别增长20.5%和18.25%。")
    }
    assert facts["18.25%"].measure == "growth"
    assert facts["18.25%"].terms.get("集装箱", 0) == 1.0 and facts["18.25%"].terms.get("开行", 0) <= 0.1
    assert facts["20.5%"].terms.get("开行", 0) == 1.0 and facts["20.5%"].terms.get("集装箱", 0) <= 0.1


def test_respectively_pairs_names_joined_by_and_that_share_their_words():
    facts = {
        f.figure: f
        for f in _facts_of(
            "2023年某县经济\n城镇和农村居民人均可支配收入分别达41200元、19850元,分别增长5.1%、7.3%。"
        )
    }
    for figure, own, other in (
        ("41200元", "城镇", "农村"),
        ("19850元", "农村", "城镇"),
        ("7.3%", "农村", "城镇"),
    ):
        assert facts[figure].terms.get(own) == 1.0 and facts[figure].terms.get(other, 0) <= 0.1, figure
        assert facts[figure].terms.get("收入", 0) >= 0.7  # the words they share stay with both


def test_a_place_after_a_locative_verb_is_not_the_subject():
    text = "衡山综合保税区于2015年设立。该区设在衡阳市某工业园,总体规划用地3.1平方公里。"
    fact = next(f for f in _facts_of(text) if f.figure == "3.1平方公里")
    assert fact.subject is None or fact.subject.name != "衡阳市"


def test_title_words_reach_every_figure():
    text = "2022年某县春季项目签约大会召开\n会上共签约项目12个,投资总金额88.5亿元。"
    fact = next(f for f in _facts_of(text) if f.figure == "88.5亿元")
    assert fact.terms.get("春季", 0) > 0


def test_industry_ratio_gives_each_industry_its_share():
    facts = _facts_of("2023年,全县三次产业结构由上年的14.0:30.0:56.0调整为15.0:29.0:56.0。")
    shares = {(f.indicator, f.value, f.period.label) for f in facts if f.measure == "share" and f.unit == "%"}
    assert ("第二产业占比", 29.0, "2023年") in shares
    assert ("第二产业占比", 30.0, "2022年") in shares  # 上年的 is the year before


def test_a_title_period_dates_the_figures_that_name_none():
    text = (
        "某市政府网 2019-6-1 星期六\n时间:2024年10月20日\n前三季度某市县域经济运行情况\n"
        "分地区看,甲县实现地区生产总值96.5亿元,同比增长2.2%。"
    )
    fact = next(f for f in _facts_of(text) if f.figure == "96.5亿元")
    assert fact.period.label == "2024年前三季度"


def test_history_in_a_news_item_is_not_a_plan():
    text = (
        "某地班列开行十年\n自2014年3月开行首趟以来,累计开行8000列。2014年开行12列,2016年开行300列,"
        "2022年开行1500列。今年以来已开行1600列,较去年同期增长10%,今年有望突破1800列。"
    )
    kinds = {f.figure: f.kind for f in _facts_of(text)}
    assert kinds["300列"] == "actual" and kinds["1500列"] == "actual"
    assert kinds["突破1800列"] in {"target", "forecast"}


def test_a_rate_compared_with_last_year_belongs_to_the_clause_before():
    text = (
        "2023年某县统计公报\n全县一般公共预算收入完成9.82亿元,比上年增长56.4%。"
        "一般公共预算支出31.07亿元,增长6.1%。"
    )
    rate = next(f for f in _facts_of(text) if f.figure == "56.4%")
    assert rate.terms.get("收入", 0) == 1.0


def test_the_sentences_topic_reaches_a_figure_after_a_semicolon():
    text = (
        "某通道班列运行\n据了解,某通道海铁联运班列从2019年的210列,到2023年的6400列;2024年开行量将突破7000列。"
    )
    fact = next(f for f in _facts_of(text) if f.value == 7000)
    assert fact.terms.get("联运班列", 0) >= 0.5


def test_a_table_of_places_measures_what_its_caption_names():
    text = (
        "附表:2024年上半年各县地区生产总值及增速\n县 名\n绝对数\n(亿元)\n比上年同期增长\n(%)\n"
        "建德市\n301.50\n4.2\n淳安县\n190.60\n3.9\n桐庐县\n188.16\n5.2\n"
    )
    fact = next(f for f in _facts_of(text) if f.value == 190.6)
    assert fact.subject.name == "淳安县"
    assert fact.terms.get("地区生产总值", 0) >= 0.75


def test_a_sectors_row_in_a_gdp_table_is_its_value_added():
    text = (
        "2024年全县生产总值及增长速度\n|指标|绝对数(亿元)|比上年增长%|\n|生产总值|880.10|5.0|\n"
        "|工业|301.20|6.3|\n|建筑业|95.40|-2.1|\n"
    )
    facts = {f.figure: f for f in _facts_of(text)}
    assert facts["301.20亿元"].terms.get("工业增加值", 0) == 1.0
    assert facts["-2.1%"].measure == "growth" and facts["-2.1%"].terms.get("增加值", 0) == 1.0
    assert "增加值" not in facts["880.10亿元"].indicator


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "2023年杭州各区经济\n上城区(812.50亿)、滨江区(640.30亿)和萧山区(590.10亿)均在500亿以上。",
            {"812.50亿": "上城区", "640.30亿": "滨江区", "590.10亿": "萧山区"},
            id="a-bracketed-figure-is-the-name-before-the-bracket",
        ),
        pytest.param(
            "2023年前三季度某市县域经济\n分地区看,建德市实现地区生产总值301.5亿元,增长4.2%,高于全市1.1个百分点"
            "淳安县实现地区生产总值190.6亿元,增长3.9%。",
            {"301.5亿元": "建德市", "190.6亿元": "淳安县", "3.9%": "淳安县"},
            id="a-place-after-a-rate-whose-separator-was-lost-opens-its-clause",
        ),
        pytest.param(
            "2023年1-5月淳安县经济运行情况\n今年以来,全县经济平稳。规上工业产值增长6.2%全市第8位,低于全市平均2.1个"
            "百分点。\n1-5月,全县社会消费品零售总额增长4.5%。",
            {"4.5%": "淳安县", "6.2%": "淳安县"},
            id="the-city-a-county-is-ranked-against-is-no-subject",
        ),
        pytest.param(
            "上半年某州经济运行\n建德市和淳安县作为全州的重要支撑,分别增长6.4%和5.7%,对全州经济增长的贡献显著。",
            {"6.4%": "建德市", "5.7%": "淳安县"},
            id="places-listed-before-分别-each-take-their-figure",
        ),
        pytest.param(
            "沙坪坝区2023年对外开放情况\n\n2023年,沙坪坝综保区新增企业35家。沙坪坝综保区新引进项目12个。",
            {"35家": "沙坪坝综保区", "12个": "沙坪坝综保区"},
            id="a-zone-is-the-whole-place-before-it-not-its-last-two-characters",
        ),
        pytest.param(
            "西安高新综合保税区再获佳绩\n近日,全国综合保税区考评结果发布,西安高新综合保税区位列第三。"
            "2024年,该保税区实现进出口值860亿元,同比增长12.1%。",
            {"860亿元": "西安高新综合保税区"},
            id="a-zone-named-between-its-place-and-its-kind-and-该保税区-after-it",
        ),
        pytest.param(
            "2022年1-9月份全市招商引资工作成效\n"
            "1-9月份全市固投亿元以上新签约项目210个,分别为:淳安县41个、建德市38个、桐庐县35个。",
            {"41个": "淳安县", "38个": "建德市", "35个": "桐庐县"},
            id="places-each-with-its-figure-in-a-list",
        ),
    ],
)
def test_whose_figure_it_is(text, expected):
    subjects = {f.figure: f.subject.name for f in _facts_of(text) if f.subject}
    assert {figure: subjects.get(figure) for figure in expected} == expected


def test_a_train_service_is_named_after_the_whole_place():
    text = "2023年九龙坡区物流发展\n全年开行九龙坡班列320列。九龙坡班列货值增长12.5%。"
    lexicon = load_lexicon()
    tokenizer = Tokenizer(lexicon)
    extract_facts("t.txt", repair(text), lexicon, tokenizer)
    assert "九龙坡班列" in tokenizer.words(text)
    assert "龙坡班列" not in tokenizer.words(text)


def test_a_running_total_under_one_month_is_the_year_to_that_month():
    text = "2023年5月某区统计月报\n5月份,全区规模以上工业增加值当月增长12.4%,累计增长9.6%。"
    periods = {f.figure: f.period.label for f in _facts_of(text) if f.period}
    assert periods == {"12.4%": "2023年5月", "9.6%": "2023年1-5月"}


def test_a_note_of_how_it_is_counted_does_not_name_the_rate_after_it():
    text = "2023年某县统计公报\n全年实现地区生产总值312.45亿元,按可比价格计算,比上年增长6.2%。"
    rate = next(f for f in _facts_of(text) if f.figure == "6.2%")
    assert "地区生产总值" in rate.indicator
    assert rate.terms.get("地区生产总值", 0) >= 0.7


@pytest.mark.parametrize(
    ("heading", "inferred"),
    [
        ("某县2023年国民经济和社会发展统计公报", False),  # a year's bulletin: its figures are the year's
        ("2023年某县经济发展综述", True),  # a review of the year may speak of parts of it
    ],
)
def test_a_years_bulletin_dates_its_undated_figures_with_its_year(heading, inferred):
    text = heading + "\n全县上下稳中求进,经济运行总体平稳。按户籍人口计算,人均地区生产总值98765元。"
    fact = next(f for f in _facts_of(text) if f.figure == "98765元")
    assert fact.period.label == "2023年" and fact.period.inferred is inferred


INDUSTRIES_SENTENCE = (
    "2023年某县统计公报\n全年第一、第二、第三产业增加值分别为31.50亿元、88.20亿元、102.70亿元,"
    "分别增长3.6%、5.1%、6.2%;三次产业占地区生产总值比重分别为14.2%、39.7%、46.1%,"
    "对经济增长的贡献率分别为9.8%、35.5%、54.7%。城镇、农村居民人均可支配收入分别为45120元、21030元。"
    "全年商品销售总额和社会消费品零售总额同比分别增长11.2%和3.4%。"
)


@pytest.mark.parametrize(
    ("figure", "indicator", "own", "other"),
    [
        ("88.20亿元", "第二产业增加值", "第二产业", "第一产业"),
        ("3.6%", "第一产业增加值增速", "第一产业", "第三产业"),
        ("46.1%", "第三产业占地区生产总值比重", "第三产业", "第二产业"),
        ("54.7%", "第三产业对经济增长的贡献率", "第三产业", "第一产业"),
        ("21030元", "农村居民人均可支配收入", "农村", "城镇"),
        ("3.4%", "社会消费品零售总额增速", "社会消费品零售总额", "销售"),
        ("11.2%", "商品销售总额增速", "销售", "社会"),
    ],
)
def test_a_list_that_shares_its_words_pairs_each_figure_with_its_whole_name(figure, indicator, own, other):
    fact = next(f for f in _facts_of(INDUSTRIES_SENTENCE) if f.figure == figure)
    assert fact.indicator == indicator
    assert fact.terms.get(own) == 1.0 and fact.terms.get(other, 0) <= 0.1


def test_a_contribution_rate_does_not_take_the_share_before_it():
    fact = next(f for f in _facts_of(INDUSTRIES_SENTENCE) if f.figure == "54.7%")
    assert fact.terms.get("比重", 0) <= 0.1 and fact.terms.get("贡献率", 0) >= 0.7


def test_a_heading_of_part_of_this_year_dates_its_figures_with_that_part():
    text = (
        "今年前8个月某区经济增长稳中有进\n更新时间:2021-09-22 17:39:52\n"
        "今年以来,全区上下坚持稳中求进工作总基调,经济运行稳中加固、稳中向好、稳中提质,发展活力不断增强。\n"
        "数据显示,全区规上工业增加值212.40亿元,同比增长10.4%,两年平均增长3.1%。"
    )
    fact = next(f for f in _facts_of(text) if f.figure == "212.40亿元")
    assert fact.period.label == "2021年1-8月"


def test_a_clause_of_only_respectively_and_figures_pairs_with_the_list_before_it():
    text = (
        "2016年某县发展综述\n在全国县域经济综合竞争力、中国中小城市投资潜力百强排名中,分别跃居第9位、第4位。"
    )
    facts = {f.figure: f for f in _facts_of(text)}
    assert facts["9位"].terms.get("竞争力") == 1.0 and facts["9位"].terms.get("潜力", 0) <= 0.1
    assert facts["4位"].terms.get("潜力") == 1.0 and facts["4位"].terms.get("竞争力", 0) <= 0.1


def test_a_bare_rate_after_a_comma_of_enumeration_is_of_the_thing_its_clause_named():
    text = (
        "2015年某县政府工作报告\n全年实现生产总值52.30亿元、增长7.8%,完成财政总收入3.15亿元、增长5.2%,"
        "完成地方财政收入2.08亿元、增长8.4%。"
    )
    facts = {f.figure: f for f in _facts_of(text)}
    assert facts["5.2%"].indicator == "财政总收入增速"
    assert facts["5.2%"].terms.get("生产总值", 0) < 1.0
    assert "地方财政收入" in facts["8.4%"].indicator


def test_town_and_country_before_two_figures_is_a_list_without_respectively():
    text = (
        "2015年某县政府工作报告\n过去一年,全县经济社会发展稳中有进,人民生活持续改善,各项事业全面进步。"
        "城乡居民收入达到25100元和8120元、分别增长8.1%和9.6%。"
    )
    facts = {f.figure: f for f in _facts_of(text)}
    assert facts["8120元"].indicator == "农村居民收入" and facts["8120元"].terms.get("城镇", 0) <= 0.1
    assert facts["25100元"].indicator == "城镇居民收入"
    assert facts["9.6%"].indicator == "农村居民收入增速"


def test_a_list_after_respectively_is_of_what_the_clause_before_named():
    text = (
        "2022年1-9月份全市招商引资工作成效\n"
        "1-9月份全市固投亿元以上新签约项目210个,分别为:淳安县41个、建德市38个、桐庐县35个。"
    )
    fact = next(f for f in _facts_of(text) if f.figure == "38个")
    assert fact.terms.get("签约", 0) >= 0.7


def test_a_span_of_years_then_one_figure_a_year_dates_each():
    text = "某市经济发展综述\n2020至2022年,地区生产总值分别达到1,493.00亿元、1,616.60亿元、1,722.50亿元,年均增长6.1%。"
    periods = {f.figure: f.period.label for f in _facts_of(text) if f.unit == "亿元"}
    assert periods == {"1,493.00亿元": "2020年", "1,616.60亿元": "2021年", "1,722.50亿元": "2022年"}


def test_in_order_pairs_like_respectively():
    text = "2007年某区统计公报\n全年三次产业增加值占生产总值比重依次为4.4%、64.88%和30.72%。"
    indicators = {f.figure: f.indicator for f in _facts_of(text)}
    assert indicators["64.88%"].endswith("第二产业增加值占生产总值比重")


def test_what_a_count_counts_follows_it_in_a_list():
    text = (
        "2022年某旗政府工作报告\n过去一年,全旗经济社会发展稳中有进。突出项目带动、投资拉动,"
        "全年5个盟级、37个旗级重点项目完成投资18亿元。"
    )
    facts = {f.figure: f for f in _facts_of(text)}
    assert facts["37个"].terms.get("旗级") == 1.0 and facts["37个"].terms.get("盟级", 0) < 1.0
    assert facts["5个"].terms.get("盟级") == 1.0 and facts["5个"].terms.get("旗级", 0) < 1.0


def test_a_fall_after_a_price_note_is_of_the_thing_before_it():
    text = "2022年某区统计公报\n全区实现地区生产总值548.4亿元,按可比价格计算,比上年下降4.9%。"
    rate = next(f for f in _facts_of(text) if f.figure == "4.9%")
    assert "地区生产总值" in rate.indicator and rate.direction == "down"


@pytest.mark.parametrize(
    ("text", "indicators"),
    [
        (
            "2022年某县统计公报\n全年油料种植面积12.4万亩,比上年增长1.2%,产量2.35万吨,增长3.1%。",
            {"2.35万吨": "油料产量"},
        ),
        (  # a page that lost its commas: the rate's clause ends where the next thing is named
            "2022年某县统计公报\n茶叶采摘面积8.05万亩,同比增长2.1%产量1.12万吨,同比增长5%。"
            "中药材种植面积3.3万亩产量0.84万吨",
            {"1.12万吨": "茶叶产量", "0.84万吨": "中药材产量"},
        ),
        ("2022年某县统计公报\n全年油菜籽产量2万吨,比上年增长4%。", {"2万吨": "油菜籽产量"}),
    ],
    ids=["after-its-crops-area", "glued-without-commas", "named-in-full"],
)
def test_an_output_named_bare_after_a_crops_area_is_that_crops(text, indicators):
    facts = {f.figure: f for f in _facts_of(text)}
    for figure, indicator in indicators.items():
        assert facts[figure].indicator.endswith(indicator)


def test_target_companies_are_no_plan():
    text = "2025年某区政府工作报告\n过去一年,我们拜访目标企业120家,签约亿元以上项目19个、投资规模86亿元。"
    facts = {f.figure: f for f in _facts_of(text)}
    assert facts["19个"].kind == "actual" and facts["120家"].kind == "actual"


def test_a_multiple_of_an_earlier_time_is_of_the_time_the_sentence_tells_of():
    text = "某区“十四五”规划实施情况\n“十三五”末,全区生产总值是“十二五”末的1.6倍。"
    multiple = next(f for f in _facts_of(text) if f.figure == "1.6倍")
    assert multiple.period.label.startswith("“十三五”末")


def test_level_with_last_year_dates_nothing_after_it():
    text = "某区2022年计划执行情况\n2022年全区社会消费品零售总额312.5亿元、与上年持平,外贸进出口总额640亿元。"
    trade = next(f for f in _facts_of(text) if f.figure == "640亿元")
    assert trade.period.label == "2022年"


def test_a_sections_heading_dates_its_undated_figures():
    text = (
        "2014年政府工作报告\n——2014年1月10日在某区第五届人民代表大会第六次会议上\n"
        + "各位代表:现在,我代表区人民政府,向大会作政府工作报告,请予审议,并请各位政协委员提出意见。" * 4
        + "\n一、2013年工作回顾\n"
        "在市委、市政府的领导下,区政府全力以赴求创新、促改革、调结构、惠民生,全面完成各项任务。\n"
        "(一)经济持续健康发展\n"
        "服务全市战略,争创发展优势,完成地区生产总值912.4亿元,比上年增长8%,其中第三产业增加值占比提高。\n"
        "二、2014年主要工作\n"
        "2014年是全面深化改革的开局之年,2014年要抓好三件大事,力争地区生产总值增长7.5%,财政收入稳步增长。\n"
    )
    facts = {f.figure: f for f in _facts_of(text)}
    assert facts["912.4亿元"].period.label == "2013年"
    assert facts["7.5%"].period.label == "2014年" and facts["7.5%"].kind == "target"


def test_an_ellipsis_ends_a_clause_and_a_month_range_is_no_part_of_a_name():
    text = (
        "某区上半年经济运行\n成功引进全市首家跨境电商产业园——龙工场……南郑区始终把稳增长摆在突出位置来抓,"
        "98个重点项目加快推进,1至7月完成项目投资31.5亿元。"
    )
    invested = next(f for f in _facts_of(text) if f.figure == "31.5亿元")
    assert invested.subject.name == "南郑区" and invested.subject.kind == "district"
    assert "至" not in invested.indicator


def test_two_characters_inside_a_word_before_a_zone_suffix_are_no_place():
    lexicon = load_lexicon()
    text = "某区重点项目\n某市国际陆港二期项目开工。国际陆港二期占地289亩,珞璜港扩建,珞璜港吞吐量增长。"
    places = read_context(repair(text).text, lexicon, Tokenizer(lexicon)).places
    assert "际陆" not in places and "珞璜" in places


def test_a_rate_compared_with_a_named_year_is_of_the_thing_before_it():
    text = "2021年某区农业农村概况\n农村居民人均可支配收入31250元,比2020年增长8.7%。"
    rate = next(f for f in _facts_of(text) if f.figure == "8.7%")
    assert rate.indicator.endswith("农村居民人均可支配收入增速")
