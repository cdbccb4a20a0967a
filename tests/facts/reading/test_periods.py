"""Periods in real seed sentences: markers, 全年/当年 context, a report's own years, and period_fit."""

from pathlib import Path

import pytest

from facts.lexicon import load_lexicon
from facts.reading.extract import extract_facts
from facts.reading.periods import (
    Period,
    ReportYears,
    find_markers,
    months_period,
    period_fit,
    plan_period,
    report_years,
    resolve_context,
    upto_period,
    year_period,
    ym,
)
from facts.reading.readers import read_report
from facts.reading.repair import repair
from facts.text import Tokenizer

P = pytest.param
SEEDS = Path(__file__).resolve().parents[3] / "seeds"
ABOUT_2019 = ReportYears(2019, 2020)  # seeds/000: about 2019, written in 2020
ABOUT_2020 = ReportYears(2020, 2020)
ABOUT_2022 = ReportYears(2022, 2023)
ABOUT_2023 = ReportYears(2023, 2023)


def markers(text: str, years: ReportYears) -> list[tuple[str, int | None, int, str, bool]]:
    return [
        (text[m.start : m.end], m.period.start, m.period.end, m.period.label, m.cumulative)
        for m in find_markers(text, years)
        if m.period is not None
    ]


# text, the report's years, [(words, start month, end month, label, cumulative)]; months are ym(year, month)
MARKERS = [
    P(
        "截至2019年底,江津班列上下行累计开行21列",
        ABOUT_2019,
        [("截至2019年底", None, ym(2019, 12), "截至2019年底", True)],
        id="截至2019年底",
    ),
    P(
        "截至今年5月底已累计开行1277列",
        ABOUT_2023,
        [("截至今年5月底", None, ym(2023, 5), "截至2023年5月底", True)],
        id="截至今年5月底-in-a-2023-report",
    ),
    P(
        "今年1月-5月已累计开行407列,同比增长116.49%",
        ABOUT_2023,
        [("今年1月-5月", ym(2023, 1), ym(2023, 5), "2023年1-5月", False)],
        id="今年1月-5月",
    ),
    P(
        "2023年1-5月",
        ABOUT_2023,
        [("2023年1-5月", ym(2023, 1), ym(2023, 5), "2023年1-5月", False)],
        id="2023年1-5月",
    ),
    P(
        "1月-6月,江津区引进产业类项目73个",
        ABOUT_2023,
        [("1月-6月", ym(2023, 1), ym(2023, 6), "2023年1-6月", False)],
        id="1月-6月-takes-the-report-year",
    ),
    P(
        "6月5日,江津区举行2023年第二季度重点项目集中开工竣工活动。",
        ABOUT_2023,
        [
            ("6月5日", ym(2023, 6), ym(2023, 6), "2023年6月", False),
            ("2023年第二季度", ym(2023, 4), ym(2023, 6), "2023年第二季度", False),
        ],
        id="date-then-quarter",
    ),
    P(
        "聚焦产业链招大招强 上半年协议引资超570亿元",
        ABOUT_2023,
        [("上半年", ym(2023, 1), ym(2023, 6), "2023年上半年", False)],
        id="上半年",
    ),
    P(
        "“十三五”时期,江津区坚定不移贯彻创新、协调、绿色、开放、共享的新发展理念",
        ABOUT_2020,
        [("“十三五”", ym(2016, 1), ym(2020, 12), "2016-2020年(“十三五”)", False)],
        id="十三五-is-2016-2020",
    ),
    P(
        "预计到“十四五”末,江津规模以上工业企业将达580家",
        ABOUT_2020,
        [("“十四五”末", None, ym(2025, 12), "“十四五”末(2025年)", False)],
        id="“十四五”末",
    ),
    P(
        "江津作为主城都市区同城化发展先行区,将在“十四五”时期,率先实现与重庆中心城区同城化发展",
        ABOUT_2020,
        [("“十四五”", ym(2021, 1), ym(2025, 12), "2021-2025年(“十四五”)", False)],
        id="十四五-is-2021-2025",
    ),
    P(
        "2021年作为实施“十四五”规划、开启全面建设社会主义现代化国家新征程的开局之年",
        ABOUT_2020,
        [("2021年", ym(2021, 1), ym(2021, 12), "2021年", False)],
        id="“十四五”规划-is-not-a-period",
    ),
    P(
        "该基地首批3个型号6个配置的CT产品已通过国家食药监总局现场体系考查并获得注册证,将于今年正式投产上市",
        ABOUT_2019,
        [("今年", ym(2020, 1), ym(2020, 12), "2020年", False)],
        id="今年-is-the-year-of-writing",
    ),
    P(
        "去年以来,江津综保区已引进包括明峰医疗、智领医创、珠海中科先进院等在内的医疗器械孵化平台与企业共8家",
        ABOUT_2019,
        [("去年以来", ym(2019, 1), ym(2020, 12), "2019年以来", False)],
        id="去年以来-in-a-report-written-2020",
    ),
    P(
        "2019年以来,江津综保区充分利用水公铁多式联运优势",
        ABOUT_2019,
        [("2019年以来", ym(2019, 1), ym(2020, 12), "2019年以来", False)],
        id="2019年以来",
    ),
    P(
        "2019年12月,重庆明峰医学影像技术研究中心在江津综合保税区揭牌",
        ABOUT_2019,
        [("2019年12月", ym(2019, 12), ym(2019, 12), "2019年12月", False)],
        id="year-and-month",
    ),
    P(
        "6月25日,市经济信息委官网公布2023年重庆市专精特新中小企业名单,江津区74家企业入选。截至目前,江津区已累计创建"
        "市级“专精特新”企业236家",
        ABOUT_2023,
        [
            ("6月25日", ym(2023, 6), ym(2023, 6), "2023年6月", False),
            ("2023年", ym(2023, 1), ym(2023, 12), "2023年", False),
            ("截至目前", None, ym(2023, 6), "截至2023年6月", True),
        ],
        id="截至目前-after-a-date-is-that-month",
    ),
    P(
        "2015年GDP为682.7亿元,2019年为1036.7亿元",
        ABOUT_2020,
        [
            ("2015年", ym(2015, 1), ym(2015, 12), "2015年", False),
            ("2019年", ym(2019, 1), ym(2019, 12), "2019年", False),
        ],
        id="two-years",
    ),
    P(
        "5月份,全区规模以上工业增加值当月增长12.4%,按2020年不变价格计算",
        ABOUT_2023,
        [("5月份", ym(2023, 5), ym(2023, 5), "2023年5月", False)],
        id="a-month-of-the-reports-year-and-no-price-base-year",
    ),
]


@pytest.mark.parametrize(("text", "years", "expected"), MARKERS)
def test_find_markers(text, years, expected):
    assert markers(text, years) == expected


@pytest.mark.parametrize(
    ("text", "years", "year"),
    [
        P("2019年,江津区预计全年实现进出口总额165亿元", ABOUT_2019, 2019, id="全年-after-an-explicit-year"),
        P("亮点一 全年开行西部陆海新通道江津班列536列", ABOUT_2022, 2022, id="全年-alone-is-the-report-year"),
        P(
            "2021年作为开局之年\n全年开行西部陆海新通道江津班列536列",
            ABOUT_2022,
            2022,
            id="a-new-paragraph-forgets-the-year",
        ),
        P(
            "2020年,江津新增市场主体18469家。全年累计新引进产业项目192个",
            ReportYears(2020, 2021),
            2020,
            id="全年-in-a-report-written-the-next-year",
        ),
    ],
)
def test_full_year_takes_its_year_from_context(text, years, year):
    resolved = resolve_context(find_markers(text, years), years, text)
    full_year = [m for m in resolved if text[m.start : m.end] == "全年"]
    assert len(full_year) == 1
    assert full_year[0].period == year_period(year)


def seed_text(prefix: str) -> str:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return repair(read_report(path)).text


@pytest.mark.parametrize(
    ("prefix", "about"),
    [
        P("000", 2019, id="000-about-2019"),
        P("001", 2022, id="001-about-2022"),
        P("002", 2023, id="002-about-2023"),
        P("003", 2020, id="003-about-2020"),
        P("004", 2020, id="004-about-2020"),
    ],
)
def test_report_is_about(prefix, about):
    assert report_years(seed_text(prefix)).default == about


@pytest.mark.parametrize(
    ("prefix", "written"),
    [
        P("000", 2020, id="000-written-2020"),
        P("001", 2023, id="001-written-2023-刚刚过去的2022年"),
        P("002", 2023, id="002-written-2023"),
        P("003", 2020, id="003-written-2020-预计GDP"),
    ],
)
def test_report_was_written(prefix, written):
    assert report_years(seed_text(prefix)).report == written


def test_report_years_of_text_without_years():
    assert report_years("营商环境是一个地方经济社会发展的风向标。") == ReportYears(None, None)


def test_target_sentences_do_not_decide_the_year():
    text = "2019年,江津区实现进出口总额165亿元。力争2025年、2025年、2025年规模以上工业总产值达到2000亿元。"
    assert report_years(text).default == 2019


# asked, fact, expected: 1.0 (exact), "partial" (answers, less well) or None (does not answer)
PERIOD_FITS = [
    P(year_period(2019), year_period(2019), 1.0, id="same-year"),
    P(year_period(2017), plan_period("十三五"), None, id="2017-is-not-answered-by-a-十三五-total"),
    P(year_period(2019), upto_period(2019), "partial", id="截至2019年底-answers-2019"),
    P(year_period(2020), year_period(2019), None, id="another-year"),
    P(year_period(2020), upto_period(2019), None, id="截至2019年底-does-not-answer-2020"),
    P(year_period(2022), upto_period(2023, 5), None, id="截至2023年5月底-does-not-answer-2022"),
    P(upto_period(2019), upto_period(2019), 1.0, id="截至-answers-截至"),
    P(upto_period(2019), year_period(2019), "partial", id="2019-roughly-answers-截至2019年底"),
    P(
        upto_period(2023, 5),
        Period(ym(2023, 1), ym(2023, 5), "2023年1-5月"),
        "partial",
        id="1-5月-roughly-answers-截至5月底",
    ),
    P(plan_period("十三五", "末"), upto_period(2020), 1.0, id="十三五末-is-截至2020年底"),
    P(
        year_period(2023),
        Period(ym(2023, 1), ym(2023, 5), "2023年1-5月"),
        None,
        id="part-of-the-year-is-not-the-year",
    ),
    P(months_period(2022, 1, 9), months_period(2022, 1, 3), None, id="一季度-is-not-前三季度"),
    P(months_period(2023, 1, 3), months_period(2023, 1, 6), None, id="上半年-is-not-一季度"),
    P(
        months_period(2023, 1, 3),
        year_period(2023, inferred=True),
        "partial",
        id="a-guessed-year-may-hold-a-quarter",
    ),
    P(Period(ym(2023, 1), ym(2023, 6), "2023年1-6月"), year_period(2023), None, id="the-year-is-not-a-half"),
    P(Period(ym(2023, 1), ym(2023, 6), "2023年1-6月"), year_period(2022), None, id="half-of-another-year"),
    P(plan_period("十三五"), plan_period("十三五"), 1.0, id="same-plan"),
    P(plan_period("十三五"), plan_period("十四五"), None, id="another-plan"),
    P(None, year_period(2019), 1.0, id="no-period-asked"),
    P(year_period(2019), None, None, id="a-fact-of-unknown-time-answers-no-dated-question"),
]


@pytest.mark.parametrize(("asked", "fact", "expected"), PERIOD_FITS)
def test_period_fit(asked, fact, expected):
    fit = period_fit(asked, fact)
    if expected == "partial":
        assert fit is not None and 0 < fit < 1
    else:
        assert fit == expected


def test_exact_period_beats_partial_ones():
    asked = year_period(2019)
    exact = period_fit(asked, year_period(2019))
    assert exact > period_fit(asked, upto_period(2019)) > 0
    assert period_fit(asked, Period(ym(2019, 1), ym(2019, 5), "2019年1-5月")) is None


@pytest.mark.parametrize(
    ("text", "report"),
    [
        ("前7月外贸进出口突破3000亿元时间:2023-08-29 12:16:08\n今年1—7月,进出口总值达3211.0亿元。", 2023),
        (
            "2013年11月28日首趟班列开行,2013年开行1列。2022年开行4639列。今年以来已开行4843列,已超去年全年。",
            2023,
        ),
        ("2022年全县地区生产总值420.77亿元,增长4.1%。", 2022),
        (
            "某区2021年国民经济和社会发展计划执行情况及2022年计划草案的报告\n"
            "2017年以来,全区生产总值突破千亿。市场主体是2016年的2.4倍,2018年获评强区,2018年获评百强。",
            2021,
        ),
        ("【概况】2021年,全区农业增加值12.3亿元,比2020年增长4.1%;农民收入3.2万元,比2020年增长9.1%。", 2021),
    ],
    ids=[
        "date-line-anchors-今年",
        "今年-after-the-latest-finished-year",
        "a-bulletin-is-its-year",
        "a-plans-execution-report-is-of-the-year-carried-out",
        "a-yardstick-year-says-nothing-of-the-report",
    ],
)
def test_report_year(text, report):
    assert report_years(text).report == report


def test_running_total_to_a_day():
    [marker] = find_markers("截至2023年11月28日", ReportYears(2023, 2023))
    assert marker.period.start is None and marker.period.end == ym(2023, 11) and marker.cumulative


@pytest.mark.parametrize(
    ("text", "end_month"),
    [
        ("本报讯 9月12日上午,第二万趟货车从港区发出,自2015年3月开通以来,今年累计运量3万吨,总量达2万列。", 9),
        ("今年全市运量上升。自2015年3月开通以来,总量达2万列。", 12),
    ],
    ids=["to-the-news-items-day", "no-day-named-to-the-years-end"],
)
def test_a_total_since_a_start_runs_to_the_day_the_news_names(text, end_month):
    since = next(m for m in find_markers(text, ReportYears(2023, 2023)) if m.cumulative)
    assert since.period.start is None and since.period.end == ym(2023, end_month)


@pytest.mark.parametrize(
    ("text", "label", "start_month"),
    [
        ("今年以来,截至11月28日,班列已累计开行4843列", "2023年1月至11月28日", 1),
        ("截至2023年11月28日,十年累计开行20897列", "截至2023年11月28日", None),
    ],
    ids=["year-to-date", "running-total-since-records-began"],
)
def test_year_to_date_is_not_a_running_total(text, label, start_month):
    marker = find_markers(text, ReportYears(2023, 2023))[0]
    assert marker.period.label == label
    assert (marker.period.start % 12 + 1 if marker.period.start is not None else None) == start_month


@pytest.mark.parametrize(
    ("text", "report"),
    [
        (
            "网站首页 2020-3-2 星期一 09:00:01\n时间:2024年05月10日 来源:某县统计局\n今年1-4月,全县工业增长5%。",
            2024,
        ),
        ("发布日期:2022-07-15\n上半年,全区实现生产总值88亿元。", 2022),
    ],
    ids=["labelled-date-before-a-page-clock", "labelled-date-alone"],
)
def test_a_labelled_date_line_is_the_reports_date(text, report):
    assert report_years(text).report == report


@pytest.mark.parametrize(
    ("text", "years", "year"),
    [
        P(
            "今年以来开行1200列,已超去年全年开行量。",
            ReportYears(2015, 2024),
            2023,
            id="去年全年-is-last-year",
        ),
        P(
            "2024年,全县增长5.1%,比上年提高0.3个百分点;全年城镇新增就业3200人",
            ReportYears(2024, 2024),
            2024,
            id="a-compared-year-names-no-year",
        ),
        P(
            "全县三次产业结构由上年的12:40:48调整为11:41:48;全年新增市场主体5000户",
            ReportYears(2024, 2024),
            2024,
            id="由上年-names-no-year",
        ),
    ],
)
def test_full_year_after_a_relative_year(text, years, year):
    resolved = resolve_context(find_markers(text, years), years, text)
    full_year = [m for m in resolved if text[m.start : m.end] == "全年"]
    assert full_year[-1].period == year_period(year)


@pytest.mark.parametrize(
    ("text", "compared"),
    [
        ("运量已超去年全年", True),
        ("比重由上年的40%提高到42%", True),
        ("去年全县完成投资80亿元", False),
        ("工业增加值完成40.2亿元,是2012年的1.5倍", True),
        ("2012年全县工业增加值26.8亿元", False),
    ],
)
def test_a_period_compared_with_is_marked(text, compared):
    marker = next(
        m
        for m in find_markers(text, ReportYears(2024, 2024))
        if text[m.start : m.end] in ("去年", "上年", "2012年")
    )
    assert marker.compared is compared


def test_now_word_opening_a_clause_is_the_reports_time():
    text = "目前,全县已建成省级园区3个。"
    [marker] = find_markers(text, ReportYears(2024, 2024))
    assert marker.period.start is None and marker.period.end == ym(2024, 12) and marker.cumulative


def test_now_word_inside_a_phrase_is_no_period():
    assert find_markers("这是目前最大的项目", ReportYears(2024, 2024)) == []


def test_the_day_a_report_was_published_is_not_the_year_it_is_about():
    text = (
        "某省统计局\n2021年4月28日\n2020年,全省上下统筹疫情防控和经济发展,力争完成全年目标。\n"
        "表12020年全省生产总值及其增长速度\n初步核算,全年全省实现生产总值2850.4亿元。"
    )
    assert report_years(text).default == 2020


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("截至6月20日,某铁路口岸2024年通行班列1320列", "2024年1月至6月20日"),
        ("截至2024年6月20日,某口岸当年通行班列多少列", "2024年1月至6月20日"),
    ],
    ids=["the-year-after-the-day", "当年-after-a-dated-day"],
)
def test_a_day_and_its_year_in_one_sentence_count_the_year_so_far(text, label):
    markers = resolve_context(find_markers(text, ReportYears(2024, 2024)), ReportYears(2024, 2024), text)
    assert {m.period.label for m in markers} == {label}


def test_a_day_and_a_year_in_different_sentences_stay_apart():
    text = "截至6月20日,累计开行班列2万列。2024年全年开行5000列"
    labels = [m.period.label for m in find_markers(text, ReportYears(2024, 2024)) if m.period]
    assert "2024年" in labels


def test_a_year_then_a_day_of_it_is_the_year_so_far():
    [marker] = find_markers("2024年截至6月20日,通行班列增长15%", ReportYears(2024, 2024))
    assert marker.period.label == "2024年1月至6月20日"


def test_a_date_line_years_after_the_report_dates_a_copy():
    text = "文档详情\n发布:2019-10-11\n某县经济社会发展情况(2014年4月)\n今年以来,全县完成地方财政收入1.5亿元,2013年为5.2亿元。"
    assert report_years(text).report == 2014


@pytest.mark.parametrize(
    ("text", "about", "written"),
    [
        ("淳安县2023年政府工作报告\n过去一年,全县经济稳中有进。全年新增企业120家。", 2022, 2023),
        ("淳安县2023年政府工作报告\n一年来,我们坚持稳中求进。今年主要预期目标是增长6%。", 2022, 2023),
        ("淳安县2023年统计公报\n过去一年,全县经济稳中有进。", 2023, 2023),  # a bulletin is of its own year
    ],
    ids=["work-report-reviews-the-year-before", "一年来", "a-bulletin-is-of-its-year"],
)
def test_a_work_report_reviews_the_year_before_its_own(text, about, written):
    years = report_years(text)
    assert (years.default, years.report) == (about, written)


def test_a_page_dated_years_after_what_it_tells_of_tells_history():
    text = (
        "某区是一个怎样的地方?\n发布时间:2023-04-23 19:48\n"
        "1992年撤县设市,2003年撤市设区。2003年以来经济快速发展,2003年被评为全国百强县。\n"
        "2008年,全区实现国内生产总值520.4亿元,比上年增长14.2%。"
    )
    years = report_years(text)
    assert years.default == 2003 and years.horizon == 2008
    fact = next(f for f in _facts_of_text(text) if f.figure == "520.4亿元")
    assert fact.kind == "actual"


def _facts_of_text(text: str):
    lexicon = load_lexicon()
    return extract_facts("t.txt", repair(text), lexicon, Tokenizer(lexicon))


def test_news_of_a_work_report_naming_no_year_reviews_the_year_before_its_date():
    text = (
        "编辑:某某2018-01-24 16:20内容来源:某区网\n某区第一届人民代表大会第二次会议开幕,区长作政府工作报告。\n"
        "某区挂牌成立一年以来,圆满完成了全年经济社会发展主要目标任务。预计地区生产总值增长8.6%左右。"
    )
    assert report_years(text) == ReportYears(2017, 2018)


def test_recent_years_are_a_running_total_to_the_reports_time():
    [marker] = find_markers("近年来,该县签约电子企业97家", ReportYears(2023, 2023))
    assert marker.cumulative and marker.period.start is None and marker.period.end == ym(2023, 12)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("16月地方税收收入增长6.9%", "2020年1-6月"),
        ("111月规上工业增长5%", "2020年1-11月"),
        ("12月份增长3%", "2020年12月"),
    ],
    ids=["1-6月-without-its-dash", "1-11月-without-its-dash", "december-stays-december"],
)
def test_a_month_range_whose_dash_the_page_lost(text, label):
    [marker] = find_markers(text, ReportYears(2020, 2020))
    assert marker.period.label == label


@pytest.mark.parametrize("text", ["实现“十四五”良好开局。", "“十四五”开局之年,全区经济稳步增长。"])
def test_a_plans_opening_is_its_whole_first_year(text):
    [marker] = find_markers(text, ReportYears(2021, 2022))
    assert marker.period == year_period(2021)


@pytest.mark.parametrize(
    ("text", "label", "months"),
    [
        ("2022年1-3季度全区生产总值为1297.5亿元", "2022年前三季度", (1, 9)),
        ("2023年2-3季度", "2023年4-9月", (4, 9)),
    ],
    ids=["1-3季度-is-前三季度", "2-3季度"],
)
def test_a_range_of_quarters(text, label, months):
    marker = find_markers(text, ReportYears(2022, 2022))[0]
    assert marker.period.label == label
    assert (marker.period.start % 12 + 1, marker.period.end % 12 + 1) == months


def test_five_years_after_a_plan_compared_with_are_the_plan_told_of():
    text = "十二五是全区转型加快的五年。新增企业102家,总量是十一五末的3倍;五年新增旅游品牌10余个。"
    five = [
        m for m in find_markers(text, ReportYears(2015, 2015)) if m.period and "五年" in text[m.start : m.end]
    ]
    assert five[-1].period.label == "2011-2015年(“十二五”)"
