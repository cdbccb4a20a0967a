"""A question → what it asks: unit, measure, period, place (table of questions of the real-report kind)."""

import pytest

from facts.answering.query import KnownNames, parse_question
from facts.lexicon import load_lexicon
from facts.text import Tokenizer

LEXICON = load_lexicon()
TOKENIZER = Tokenizer(LEXICON)
NAMES = KnownNames(districts=frozenset({"宁远县"}), divisions=frozenset({"宁远县", "长寿区"}))


def parse(question: str):
    return parse_question(question, LEXICON, TOKENIZER, NAMES, 2026)


@pytest.mark.parametrize(
    ("question", "unit", "measure"),
    [
        ("2023年宁远县出栏羊多少万只", "只", None),
        ("2023年上半年长寿区第二产业占GDP比重", "%", "share"),  # 占 + 地区生产总值 holds no 占地 (area)
        ("2023年宁远县豆类产量同比增减多少", "%", "growth"),
        ("高新区产值下降了多少", "%", "growth"),
        ("截至2024年6月某通道班列累计开行多少", "列", None),
        ("2023年前三季度宁远县某港集装箱吞吐量是多少", "标箱", None),
        ("2023年宁远县某港货物吞吐量是多少", "吨", None),
        ("2023年宁远县第三产业对GDP增长的贡献率是多少", "%", "share"),
        ("2022年宁远县地区生产总值比上年变化了多少", "%", "growth"),
        ("2024年宁远县协议投资额同比增加了多少", "%", "growth"),
        ("2024年宁远县协议投资额同比增加了多少亿元", "money", "change"),
    ],
    ids=[
        "scaled-unit",
        "no-area-in-占地区",
        "增减-is-a-rate",
        "下降-is-a-rate",
        "开行-counts-trains",
        "containers-are-teu",
        "cargo-is-tonnes",
        "贡献率-is-a-share-of-growth",
        "比上年变化-is-a-growth-not-a-series",
        "同比增加-is-a-rate",
        "同比增加-so-many-yuan-is-a-change",
    ],
)
def test_unit_and_measure(question, unit, measure):
    query = parse(question)
    assert (query.unit_family, query.measure) == (unit, measure)


def test_one_character_nouns_are_words():
    assert "羊" in parse("2023年宁远县出栏羊多少万只").terms


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("2021年前5个月卖了多少商品房", "2021年1-5月"),
        ("2022年前三季度绵阳地区生产总值是多少", "2022年前三季度"),
    ],
    ids=["前N个月", "前三季度-is-nine-months"],
)
def test_periods(question, label):
    assert parse(question).period.label == label


@pytest.mark.parametrize(
    ("question", "district"),
    [
        ("宁远2023年粮食产量", "宁远县"),
        ("重庆市长寿区上半年GDP", "长寿区"),
        ("What was Ningyuan County's GDP in 2023?", "宁远县"),
        ("2022年衡东县地区生产总值是多少", "衡东县"),  # a place the reports do not have is still asked for
        ("What was the jobless rate of Chongqing's Changshou District in 2023?", "长寿区"),
    ],
    ids=["short-form", "inner-place-wins", "english", "unknown-place", "english-city-then-district"],
)
def test_places(question, district):
    assert parse(question).district == district


def test_a_date_without_a_year_is_in_the_year_the_question_names():
    assert parse("2023年以来截至11月28日班列已开行多少列").period.label == "2023年1月至11月28日"


@pytest.mark.parametrize(
    ("question", "label", "measure"),
    [
        ("2022年头三个月宁远县的房地产投资跌了多少", "2022年1-3月", "growth"),
        ("2023年宁远县社零涨了多少", "2023年", "growth"),
    ],
    ids=["头三个月-and-跌", "涨"],
)
def test_colloquial_periods_and_moves(question, label, measure):
    query = parse(question)
    assert (query.period.label, query.measure) == (label, measure)


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("What was the GDP growth of Ningyuan County in H1 2023?", "2023年上半年"),
        ("How much did Ningyuan export from January to July 2023?", "2023年1-7月"),
        ("Exports of Ningyuan in the first seven months of 2023", "2023年1-7月"),
        ("Ningyuan's retail sales in Q3 2021", "2021年第三季度"),
    ],
    ids=["H1", "month-range", "first-n-months", "Q3"],
)
def test_english_periods(question, label):
    assert parse(question).period.label == label


def test_a_restricting_word_must_be_a_word_of_the_question():
    assert "出口" not in parse("2023年宁远县外贸进出口总值").restrictors
    assert "出口" in parse("2023年宁远县出口多少亿元").restrictors


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("How many pigs were sold for slaughter in Ningyuan County in 2023?", {"生猪", "出栏"}),
        ("What was the forestry output value of Ningyuan County in 2023?", {"林业", "产值"}),
        ("Value added of the financial sector in 2023", {"金融业", "增加值"}),
    ],
)
def test_english_terms_of_a_bulletin(question, words):
    known = {"生猪", "出栏", "生猪出栏", "林业", "产值", "金融业", "增加值"}
    query = parse_question(question, LEXICON, TOKENIZER, NAMES, 2026, known)
    assert words <= set(query.terms) | {p for parts in query.parts.values() for p in parts}


def test_economic_growth_asks_for_gdp():
    known = {"地区生产总值", "经济", "经济增长", "增长"}
    query = parse_question("淳安县2024年上半年经济增速咋样", LEXICON, TOKENIZER, NAMES, 2026, known)
    assert "地区生产总值" in query.terms
    assert "咋样" not in query.terms


def test_a_place_named_is_no_typo_for_another_that_sounds_alike():
    tokenizer = Tokenizer(LEXICON)
    tokenizer.learn(["肥西县", "地区生产总值"])
    names = KnownNames(districts=frozenset({"肥西县"}), divisions=frozenset({"肥西县", "维西傈僳族自治县"}))
    query = parse_question("维西县一季度地区生产总值是多少", LEXICON, tokenizer, names, 2026)
    assert query.district == "维西傈僳族自治县"


@pytest.mark.parametrize(
    ("question", "never"),
    [
        ("任泽2021年粮食总产量是多少", {"area", "money"}),  # an output: tonnes or head, not 万亩 sown
        ("2023年消费品工业产值是多少", {"area", "吨"}),  # an output value is money
        ("2023年粮食播种面积是多少", set()),
        (
            "吉州区2023年末常住人口是多少",
            {"个", "家", "money", "area", "吨", "列", "标箱"},
        ),  # people, not 4个镇
    ],
)
def test_the_unit_families_an_amount_asked_is_never_in(question, never):
    assert parse(question).never_in == never


def test_national_accounts_name_for_gdp_is_gdp():
    assert parse("2007年宁远县国内生产总值是多少").terms == ["地区生产总值"]


def test_exports_asked_in_one_word_restrict_to_exports():
    assert "出口" in parse("2024年宁远县出口额是多少").exclusive
    assert not parse("2024年宁远县进出口额是多少").exclusive


def test_a_place_misspelt_by_its_sound_is_the_reports_place():
    assert parse("2023年宁原县GDP是多少").district == "宁远县"  # 宁原县 is no division; it sounds like 宁远县
    assert parse("2023年南县GDP是多少").district == "南县"  # a real county is never rewritten


def test_how_a_rate_is_counted_is_no_word_to_search():
    query = parse("2022年宁远县地区生产总值按可比价格计算比上年变化了多少")
    assert query.terms == ["地区生产总值"] and query.measure == "growth"  # 计算比 is not 计算机


@pytest.mark.parametrize(
    "question",
    [
        "截至目前江津签约了多少个项目",
        "江津这些年一共签了多少个项目",
        "近年来江津签约多少个项目",
        "江津现在有多少个项目",
    ],
)
def test_now_asks_for_the_latest_running_total_not_for_this_year(question):
    query = parse(question)
    assert query.period is None and query.cumulative
    assert not {"目前", "这些", "现在", "近年"} & set(query.terms)


@pytest.mark.parametrize("question", ["2021年紫云自治县工业增加值", "2021年紫云苗族自治县工业增加值"])
def test_an_autonomous_county_asked_by_a_short_name_leaves_no_word_of_its_kind(question):
    names = KnownNames(
        districts=frozenset({"紫云苗族布依族自治县"}), divisions=frozenset({"紫云苗族布依族自治县"})
    )
    query = parse_question(question, LEXICON, TOKENIZER, names, 2026)
    assert query.district == "紫云苗族布依族自治县"
    assert query.terms == ["工业增加值"]


@pytest.mark.parametrize(
    ("question", "series", "measure"),
    [("2022年宁远县万元地区生产总值能耗变化", False, "growth"), ("宁远县地区生产总值的变化", True, None)],
    ids=["in-a-year-named", "over-the-years"],
)
def test_a_change_asked_in_a_year_is_its_rate_over_the_years_a_series(question, series, measure):
    query = parse(question)
    assert query.series == series and query.measure == measure


@pytest.mark.parametrize(
    ("question", "label"),
    [("2024年Q1宁远县第三产业增加值多少", "2024年第一季度"), ("宁远县2025年H1地区生产总值", "2025年上半年")],
)
def test_a_quarter_written_the_english_way_in_a_chinese_question(question, label):
    assert parse(question).period.label == label


def test_a_bound_asked_is_no_word_of_the_thing():
    query = parse("截至2021年宁远县国企资产规模超过多少")
    assert "超过" not in query.terms and query.terms[-1] == "规模"
