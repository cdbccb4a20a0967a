"""Places from the national gazetteer: full names, short forms, levels, a report's own place."""

import pytest

from facts.places import division, gazetteer, latin_places, report_places
from facts.reading.repair import repair


def names(text: str) -> list[str]:
    return [m.place.name for m in gazetteer().scan(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("重庆市永川区一季度地区生产总值增长", ["重庆市", "永川区"]),
        ("宁远县和长寿区", ["宁远县", "长寿区"]),
        ("义乌市场采购贸易方式出口", ["义乌市"]),  # 义乌 + 市场, not 义乌市 + 场
        ("彭水苗族土家族自治县", ["彭水苗族土家族自治县"]),
        ("广安市和广安区", ["广安市", "广安区"]),
    ],
    ids=["city-then-district", "two-counties", "market-is-no-city", "autonomous-county", "levels-apart"],
)
def test_scan(text, expected):
    assert names(text) == expected


def test_a_later_place_named_in_full_wins_an_overlap():
    mentions = gazetteer().scan("建设美丽江津", prefer=frozenset({"江津区"}))
    assert [m.place.name for m in mentions] == ["江津区"]


@pytest.mark.parametrize(
    ("text", "home"),
    [
        ("宁远这一年稳中有进。\n据统计,全县粮食产量再创新高,达到31.57万吨。", "宁远县"),
        ("綿陽(yáng)科技城建設(shè)提速,全市新增企業(yè)1200家。", "绵阳市"),
        ("西部陆海新通道班列开行量创新高,钦州港集装箱吞吐量增长。", "钦州市"),
        ("重庆市长寿区召开经济形势分析会,长寿区工业投资增长12%。", "长寿区"),
        (
            "香格里拉网讯 据测算,今年一季度,维西县实现地区生产总值5.9亿元。全县生猪出栏5万头。",
            "维西傈僳族自治县",
        ),
        (
            "浙江省2023年统计公报\n全省生产总值82553亿元。杭州市、宁波市、温州市增长较快。杭州市GDP最高,"
            "宁波市次之。全省常住人口6627万人。",
            "浙江省",
        ),
        (
            "温州网讯 温州市记者报道:温州市所辖泰顺县上半年经济平稳。全县规上工业增长6%,全县投资增长4%。",
            "泰顺县",
        ),
        (
            "2023年,是泽州发展历程中极不平凡的一年。全年地区生产总值突破500亿元大关,县政府带领全县"
            "创建国家级示范县,工业总产值突破千亿大关。",
            "泽州县",
        ),
        ("一年来,漾濞核桃产业稳步发展,漾濞旅游人数增长12%。", "漾濞彝族自治县"),
        (
            "在近日发布的百强区榜单中,西安市雁塔区位列第20位。雁塔区是西安的科教大区,"
            "西安人常说的小寨商圈也在这里。",
            "雁塔区",
        ),
        (
            "(西安市)雁塔区2022年上半年经济运行简析\n上半年实现地区生产总值98.1亿元,增速位居全市第四。",
            "雁塔区",
        ),
        ("县长王永昌宣布2021年献县一季度重点项目集中开工。他指出,这是我县项目建设的成果展示。", "献县"),
        (
            "【概况】2021年,雁塔区连续5年获评全省农民增收先进区,并获评全省农经典型区,被陕西省委表彰。"
            "全区118个村总收入1.2亿元。雁塔区全年农业增加值3.1亿元。全区建立集体经济组织127个。",
            "雁塔区",
        ),
        (
            "碑林区位于西安市中心,区域面积23平方公里,是全省经济、文化、金融中心。2021年,全区实现地区生产总值"
            "980亿元。"
            + "区内文化底蕴深厚,历史遗存众多,商贸繁荣,交通便利,教育医疗资源丰富。" * 5
            + "先后获得全国综合实力百强区称号,是全省唯一获评陕西省外商投资示范区的城区,全省领先。",
            "碑林区",
        ),
        (
            "(陕西省)2016年西安市碑林区人民政府工作报告\n"
            "十二五是碑林区转型加快的五年,区政府紧紧围绕建设全省首善之区目标,巩固了领跑全省的服务业优势,"
            "全省领先。预计十二五末,实现财政收入20.1亿元。",
            "碑林区",
        ),
    ],
    ids=[
        "county-by-short-name-and-全县",
        "traditional-with-glosses",
        "通道-is-no-county",
        "district-of-municipality",
        "全县-picks-the-county-over-the-news-site's-city",
        "全省-makes-a-provincial-bulletin-the-province's",
        "全县-said-often-outweighs-a-city-named-more",
        "short-name-once-beside-milestones-and-示范县",
        "short-name-twice-without-self-words",
        "a-district-named-with-its-city-over-the-city-named-in-passing",
        "a-district-after-its-city-in-brackets",
        "a-county-written-whole-over-a-short-form-in-a-persons-name",
        "全省-said-as-often-as-全区-is-the-frame-of-a-districts-award",
        "全省-said-often-of-a-province-named-only-in-passing",
        "a-province-in-brackets-before-a-districts-title",
    ],
)
def test_report_home(text, home):
    found = report_places(repair(text).text).home
    assert (found.name if found else None) == home


def test_common_words_are_no_places():
    text = "加强合作,建设通道,港口吞吐量增长,振兴乡村"
    assert report_places(text).named == {}


def test_a_kind_of_division_is_no_places_short_form():
    assert list(gazetteer().scan("经开区占比22.7%,兴汉新区占比16.3%,增速居四城区第一")) == []
    assert [m.place.name for m in gazetteer().scan("镇江新区GDP增长")] == ["镇江新区"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was Mianyang's GDP in 2022?", "绵阳市"),
        ("How many jobs did Ningyuan County add?", "宁远县"),
        ("Changshou District output in the first half", "长寿区"),  # 长寿 read as a phrase: chang, not zhang
        # 朝阳 the word is zhaoyang; the place is Chaoyang
        ("Unemployment in Beijing's Chaoyang District", "朝阳区"),
    ],
    ids=["possessive", "county-word", "polyphonic-character", "another-reading-of-a-character"],
)
def test_english_place_names(question, expected):
    assert expected in latin_places(question, frozenset())


def test_english_words_are_no_places():
    assert latin_places("What was the GDP growth rate?", frozenset()) == "What was the GDP growth rate?"


def test_an_autonomous_county_written_as_a_plain_county():
    assert names("务川县地区生产总值") == ["务川仡佬族苗族自治县"]


def test_a_plain_county_form_names_the_place_on_its_own():
    # a table row of a province's counties: 陵水县 is trusted as 陵水黎族自治县, as its full name would be
    place = division("陵水县")
    assert place is not None and place.name == "陵水黎族自治县"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # 县改区: the old kind still names the place, written in full
        ("2013年璧山县国民经济和社会发展统计公报", [("璧山区", True)]),
        ("2021年成都市新津县国民经济和社会发展统计公报", [("成都市", True), ("新津区", True)]),
        (
            "庐阳城区新貌",
            [("庐阳区", False)],
        ),  # …but not where the old kind would end in a kind of area (阳城县)
        ("朝阳县农业", [("朝阳县", True)]),  # a name that is a real place stays that place
    ],
    ids=["璧山县", "新津县", "no-阳城区-in-庐阳城区", "朝阳县-is-itself"],
)
def test_a_place_renamed_to_another_kind_is_still_known_by_its_old_kind(text, names):
    assert [(m.place.name, m.full) for m in gazetteer().scan(text)] == names
