"""A city's report on its districts and counties, asked as users ask: each figure answers for its own place
and period, and a question the report cannot answer abstains. The sentences are written for these tests
(real places, invented figures)."""

from pathlib import Path

import pytest

from facts.store.db import make_engine
from facts.store.service import FactService
from facts.store.settings import FactSettings

CITY_REVIEW = """2023年杭州各区经济表现
某财经号 2024-03-01 10:00:00

杭州2023年全市地区生产总值20059亿元,增长5.6%。现在看各区的表现。

上城区(2900.50亿)、滨江区(2400.30亿)和萧山区(2300.10亿)三区GDP均在2000亿以上。

余杭区GDP为2800.20亿,增长6.1%。其中第二产业增加值900.40亿元,增长4.4%;第三产业增加值1850.70亿元,增长7.0%。

临安区的经济增速仅为3.1%,在各区中位居下游。
"""

COUNTY_QUARTER = """欢迎访问某市统计局网站
2019-5-6 星期一 08:00:00 设为首页
前三季度某市县域经济运行情况
时间:2023年10月30日 来源:某市统计局

今年以来,县域经济总体平稳。

分地区看,建德市实现地区生产总值301.5亿元,同比增长4.2%;淳安县实现地区生产总值190.6亿元,增长3.9%。
"""


COUNTY_BULLETIN = """桐庐县2023年国民经济和社会发展统计公报

一、综合

按照统一核算的结果,2023年全县实现地区生产总值[1]88.16亿元,比上年增长5.2%。全年人均地区生产总值39800元。
"""


def store_of(folder: Path, reports: dict[str, str]) -> FactService:
    """A SQLite store in `folder` built from these reports (file name → text) only."""
    seeds = folder / "seeds"
    seeds.mkdir()
    for name, text in reports.items():
        (seeds / name).write_text(text, encoding="utf-8")
    url = f"sqlite:///{folder / 'f.db'}"
    service = FactService(make_engine(url), FactSettings(database_url=url, factbot_seeds_dir=seeds))
    service.build()
    return service


def assert_answers(service: FactService, expected: dict[str, float]) -> None:
    """Each question is answered, its best fact the figure given."""
    for question, value in expected.items():
        answer = service.answer(question)
        assert answer.answered and answer.best.fact.row.value == value, question


@pytest.fixture(scope="module")
def cities(tmp_path_factory) -> FactService:
    reports = {
        "hangzhou_districts.txt": CITY_REVIEW,
        "county_quarter.txt": COUNTY_QUARTER,
        "county_bulletin.txt": COUNTY_BULLETIN,
    }
    return store_of(tmp_path_factory.mktemp("reports"), reports)


@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("2023年滨江区地区生产总值是多少", 2400.3, "亿"),
        ("2023年余杭区第三产业增加值是多少", 1850.7, "亿元"),
        ("2023年临安区经济增长多少", 3.1, "%"),
        ("2023年前三季度建德市地区生产总值是多少", 301.5, "亿元"),
        ("淳安县2023年前三季度GDP增长多少", 3.9, "%"),
        ("2023年桐庐县地区生产总值是多少", 88.16, "亿元"),  # not the per-capita figure
        ("2023年桐庐县人均地区生产总值", 39800, "元"),
    ],
)
def test_each_place_gets_its_own_figure(cities, question, value, unit):
    answer = cities.answer(question)
    assert answer.answered, answer.reason
    assert (answer.best.fact.row.value, answer.best.fact.row.unit) == (value, unit)


@pytest.mark.parametrize(
    "question",
    [
        "2023年全年建德市地区生产总值是多少",  # the report has the first three quarters only
        "2021年前三季度建德市地区生产总值是多少",  # the report is of 2023 (its date line, not the page clock)
        "2023年拱墅区地区生产总值是多少",  # a district the report does not give
    ],
)
def test_what_the_reports_do_not_say_is_not_answered(cities, question):
    assert not cities.answer(question).answered


UNDATED_QUARTER = """某网讯 (记者 某某) 据初步测算,今年一季度,淳安县实现地区生产总值59043万元,同比增长9.3%。
农业稳步发展。一季度,全县生猪出栏55775头,同比增长2.1%。
"""


def test_an_undated_quarter_report_answers_a_question_that_names_no_year(tmp_path):
    service = store_of(tmp_path, {"undated.txt": UNDATED_QUARTER})
    answer = service.answer("淳安县一季度生猪出栏多少头")
    assert answer.answered and answer.best.fact.row.value == 55775
    assert not service.answer("淳安县上半年生猪出栏多少头").answered


ZONE_MONTHS = """2024年1-5月某县工业运行情况
1-5月份,全县三大园区完成增加值63.8亿元,同比增长9%,其中,淳安经开区完成增加值25.6亿元。
1-5月份,全县机电产品出口额5.6亿元,同比增长59.8%;农副产品出口完成1.5亿元,同比增长8.5%。
"""


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("淳安经开区2024年1-5月份完成增加值多少", 25.6),  # the zone's, not the three parks'
        ("2024年1-5月淳安县机电产品出口增长多少", 59.8),  # 出口额 is the exports' amount
    ],
)
def test_a_zone_and_an_export_line_each_get_their_own_figure(tmp_path, question, value):
    service = store_of(tmp_path, {"zone.txt": ZONE_MONTHS})
    answer = service.answer(question)
    assert answer.answered and answer.best.fact.row.value == value


# A county bulletin of our own: grain in total and by season, the three industries, trade in goods.
SIBLINGS = """淳安县2023年国民经济和社会发展统计公报

一、综合
全年实现地区生产总值310.20亿元。其中,第一产业增加值30.50亿元,第二产业增加值120.40亿元,第三产业增加值159.30亿元。

二、农业
全年粮食产量150300吨,比上年增长1.2%。全县油菜籽播种面积8.2万亩。

三、国内贸易
全年批发和零售业增加值20.80亿元,增长4.1%。
"""


@pytest.fixture(scope="module")
def siblings(tmp_path_factory) -> FactService:
    other = (
        "建德市2021年统计公报\n全年夏粮产量35000吨。房地产业增加值12.5亿元。社会消费品零售总额98.6亿元。\n"
    )
    reports = {"bulletin.txt": SIBLINGS, "other.txt": other}
    return store_of(tmp_path_factory.mktemp("siblings"), reports)


@pytest.mark.parametrize(
    "question",
    [
        "2023年淳安县夏粮产量是多少吨",  # only the year's grain in total: 夏粮 is one season's
        "2023年淳安县房地产业增加值是多少",  # not the first (or any other) industry's
        "淳安县2023年社会消费品零售总额是多少",  # not the value added of wholesale and retail
    ],
)
def test_a_sibling_of_the_thing_asked_is_not_its_figure(siblings, question):
    assert not siblings.answer(question).answered


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("2023年淳安县粮食产量是多少吨", 150300),
        ("2023年淳安县第三产业增加值是多少", 159.3),
        ("2021年建德市夏粮产量是多少吨", 35000),
    ],
)
def test_the_thing_asked_itself_is_answered(siblings, question, value):
    answer = siblings.answer(question)
    assert answer.answered and answer.best.fact.row.value == value


def test_an_output_is_never_an_area(tmp_path):
    report = "淳安县2023年统计公报\n全县粮食播种面积35.20万亩,总产量达152300吨,其中夏粮总产4.10万吨。\n"
    service = store_of(tmp_path, {"bulletin.txt": report})
    answer = service.answer("2023年淳安县粮食总产量是多少")
    assert answer.answered and (answer.best.fact.row.value, answer.best.fact.row.unit) == (152300, "吨")


def test_an_exact_figure_beats_the_milestone_it_passed(tmp_path):
    report = "淳安县2023年政府工作报告\n2022年,我县地区生产总值突破300亿元大关,达到318亿元,增长6.1%。\n"
    service = store_of(tmp_path, {"report.txt": report})
    answer = service.answer("淳安县2022年地区生产总值是多少")
    assert answer.answered and answer.best.fact.row.value == 318


def test_a_compound_is_not_its_sibling_sharing_the_last_part(tmp_path):
    reports = {
        "a.txt": "淳安县2023年统计公报\n年末全县户籍人口45.60万人,其中,城镇人口21.30万人,乡村人口24.30万人。\n",
        "b.txt": "建德市2021年统计公报\n年末全市常住人口44.50万人。\n",
    }
    service = store_of(tmp_path, reports)
    assert not service.answer("2023年末淳安县常住人口是多少").answered  # 城镇人口 is not 常住人口
    answer = service.answer("2023年末淳安县城镇人口是多少")
    assert answer.answered and answer.best.fact.row.value == 21.3


def test_a_district_figure_after_its_city_named_as_a_topic_stays_the_districts(tmp_path):
    report = (
        "即墨区2022年经济运行情况\n2022年,全区经济稳中有进。\n"
        "青岛蓝谷创新高地加快崛起。率先完成功能区改革。成立海洋产业联盟,新增高新技术企业120家。\n"
    )
    service = store_of(tmp_path, {"report.txt": report})
    answer = service.answer("2022年即墨区新增高新技术企业多少家")
    assert answer.answered and answer.best.fact.row.value == 120


def test_a_work_reports_review_answers_for_the_year_before(tmp_path):
    report = "淳安县2024年政府工作报告\n过去一年,全县经济稳中有进,新增规上工业企业36家。\n"
    service = store_of(tmp_path, {"report.txt": report})
    answer = service.answer("2023年淳安县新增规上工业企业多少家")
    assert answer.answered and answer.best.fact.row.value == 36
    assert not service.answer("2024年淳安县新增规上工业企业多少家").answered


def test_a_companys_project_in_the_county_asked_about_is_answered(tmp_path):
    report = (
        "淳安县2023年招商引资工作综述\n2023年,全县招商引资实现新突破,全年签约项目58个,协议引资超300亿元,"
        "其中百亿元以上项目2个,新开工项目31个,项目建设取得明显成效,产业结构持续优化。\n"
        "6月8日,淳安县与浙江千岛新能源有限公司(以下简称“千岛新能源”)签订投资协议。\n"
        "总投资45亿元的千岛新能源储能电池基地项目签约落户淳安\n"
        "6月20日,全县第二批重点项目集中开工,新开工项目12个,总投资86亿元,涵盖先进制造、文旅康养等领域。\n"
    )
    service = store_of(tmp_path, {"review.txt": report})
    answer = service.answer("2023年淳安县储能电池基地项目总投资多少")
    assert answer.answered and answer.best.fact.row.value == 45
    assert not service.answer("2023年建德市储能电池基地项目总投资多少").answered


def test_per_capita_and_total_each_answer_their_own_question(tmp_path):
    report = (
        "淳安县2023年统计公报\n全县实现地区生产总值312.45亿元,人均生产总值达到6.9万元。\n"
        "按常住人口计算,全县人均地区生产总值比上年增长6.4%。全县地区生产总值按可比价格计算,比上年增长5.8%。\n"
    )
    service = store_of(tmp_path, {"bulletin.txt": report})
    assert_answers(
        service,
        {
            "2023年淳安县地区生产总值是多少": 312.45,
            "2023年淳安县人均GDP是多少": 6.9,
            "2023年淳安县GDP增长多少": 5.8,
            "2023年淳安县人均地区生产总值增长多少": 6.4,
        },
    )


def test_a_years_bulletin_does_not_answer_for_half_of_the_year(tmp_path):
    report = (
        "淳安县2023年国民经济和社会发展统计公报\n"
        "全县上下稳中求进,经济运行总体平稳。按户籍人口计算,人均地区生产总值98765元。\n"
    )
    service = store_of(tmp_path, {"bulletin.txt": report})
    assert service.answer("2023年淳安县人均地区生产总值是多少").answered
    assert not service.answer("2023年上半年淳安县人均地区生产总值是多少").answered


def test_asked_without_a_date_the_latest_year_answers_never_a_later_quarter(tmp_path):
    reports = {
        "y2022.txt": "淳安县2022年统计公报\n全年实现地区生产总值290.10亿元。\n",
        "y2023.txt": "淳安县2023年统计公报\n全年实现地区生产总值312.45亿元。\n",
        "q2024.txt": "淳安县2024年一季度经济运行\n一季度,全县实现地区生产总值75.30亿元。\n",
    }
    service = store_of(tmp_path, reports)
    answer = service.answer("淳安县的地区生产总值是多少")
    assert answer.answered and answer.best.fact.row.value == 312.45


def test_a_target_is_found_by_its_kind_not_by_the_word_target(tmp_path):
    report = (
        "淳安县十届人大三次会议开幕\n"
        "政府工作报告指出,2024年全县经济社会发展要坚持稳中求进,推动高质量发展取得新成效,"
        "力争地区生产总值增长6.5%以上、固定资产投资增幅12%以上、规上工业产值增幅10%以上。\n"
    )
    service = store_of(tmp_path, {"report.txt": report})
    assert_answers(
        service,
        {
            "2024年淳安县固定资产投资增幅的预期目标是多少": 12,
            "淳安县2024年打算让规上工业产值涨多少": 10,
        },
    )


def test_two_zones_of_one_kind_in_one_city_are_told_apart(tmp_path):
    report = (
        "西安综合保税区发展综述\n"
        "2024年,西安高新综合保税区实现进出口值860.5亿元,同比增长12.1%,在全国综保区中位居前列。"
        "西安航空基地综合保税区实现进出口值120.3亿元,同比增长8.4%,增速高于全省平均水平。\n"
    )
    service = store_of(tmp_path, {"zones.txt": report})
    assert_answers(
        service,
        {"2024年西安高新综保区进出口值是多少": 860.5, "2024年西安航空基地综保区进出口值是多少": 120.3},
    )


def test_a_county_asked_by_its_two_character_name_that_the_reports_lack_is_not_answered(tmp_path):
    report = (
        "某市2022年1-9月招商引资情况\n1-9月份全市固投亿元以上新签约项目344个,其中霍山县28个、舒城县31个。\n"
    )
    service = store_of(tmp_path, {"city.txt": report})
    assert not service.answer("2022年1-9月寿县固投亿元以上新签约项目有多少个").answered


def test_an_indicator_written_short_is_the_thing_asked_in_full(tmp_path):
    report = (
        "淳安县2020年1-10月工业经济运行简况\n"
        "全部规上工业1-10月实际完成工业增加值82.5亿元,增幅-0.3%,降幅比1-9月收窄1.5个百分点。\n"
    )
    other = "建德市2019年统计公报\n全年规模以上工业增加值112.3亿元,比上年增长6.1%。\n"
    service = store_of(tmp_path, {"industry.txt": report, "other.txt": other})
    answer = service.answer("2020年1-10月淳安县规模以上工业增加值是多少")
    assert answer.answered and answer.best.fact.row.value == 82.5


def test_a_work_reports_review_is_of_the_whole_year_never_of_a_quarter(tmp_path):
    report = (
        "2024年淳安县人民政府工作报告\n"
        "过去一年,全县经济社会发展取得新成效。地区生产总值达到312.45亿元,增长6.2%;社会消费品零售总额增长6.9%。\n"
    )
    service = store_of(tmp_path, {"report.txt": report})
    assert_answers(service, {"2023年淳安县地区生产总值是多少": 312.45})
    assert not service.answer("2023年一季度淳安县地区生产总值是多少").answered


def test_a_running_total_of_recent_years_answers_what_there_is_so_far(tmp_path):
    report = (
        "某日报讯 3月6日,淳安县2023年第一季度招商引资集中签约仪式在杭州举行,签约项目22个。"
        "此次签约企业中,有6家电子企业。\n"
        "近年来,该县先后多次赴深圳招商,签约电子企业97家、投产51家。\n"
    )
    service = store_of(tmp_path, {"news.txt": report})
    assert_answers(
        service,
        {
            "淳安县这些年一共签了多少家电子企业": 97,
            "截至目前淳安县签约了多少家电子企业": 97,
            "淳安县此次签约多少家电子企业": 6,
        },
    )


def test_a_thing_named_only_in_the_clause_before_is_not_the_figures_own(tmp_path):
    report = (
        "淳安县2022年国民经济和社会发展计划执行情况\n"
        "2022年全县地区生产总值达312亿元、增长3.1%,规上工业增加值增长2.2%,服务业增加值171亿元、增长4.0%。\n"
    )
    service = store_of(tmp_path, {"plan.txt": report})
    assert not service.answer("2022年淳安县规模以上工业增加值是多少亿元").answered
    assert_answers(
        service, {"2022年淳安县服务业增加值是多少": 171, "2022年淳安县规上工业增加值增长多少": 2.2}
    )


def test_a_multiple_answers_only_a_question_asking_how_many_times(tmp_path):
    report = (
        "2022年淳安县人民政府工作报告\n五年来,经济实力不断跃升。地区生产总值达 420 亿元(2021年预计数,下同),"
        "社会消费品零售总额达 138 亿元,"
        "外贸进出口达 90 亿元,分别是 2016 年的 1.5 倍、2.6 倍。\n"
    )
    service = store_of(tmp_path, {"report.txt": report})
    assert_answers(service, {"淳安2021年外贸进出口达多少": 90, "2021年淳安外贸进出口是2016年的多少倍": 2.6})


def test_a_total_asked_to_a_years_end_takes_the_figure_of_the_years_ending_then(tmp_path):
    report = (
        "淳安县2021年国民经济和社会发展计划执行情况及2022年计划草案的报告\n"
        "五年来,经济发展迈上新台阶。市场主体突破6万户,聚集世界500强企业12家、上市企业3家。\n"
    )
    service = store_of(tmp_path, {"plan.txt": report})
    assert_answers(service, {"截至2021年淳安县聚集了多少家世界500强企业": 12})
    assert not service.answer("2019年淳安县上市企业有多少家").answered
