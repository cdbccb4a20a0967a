import re
from functools import cache
from pathlib import Path

import pytest

from facts.reading.repair import repair

SEEDS = Path(__file__).parents[3] / "seeds"


@cache
def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def half_width(c: str) -> str:
    if "\uff01" <= c <= "\uff5e":
        return chr(ord(c) - 0xFEE0)
    return " " if c == "\u3000" else c


# A paragraph as a web page prints it, on one line of its own
PARAGRAPH = (
    "今年以来,全县上下坚持稳中求进工作总基调,统筹发展和安全,县域经济运行总体平稳、稳中有进,主要指标好于预期。"
)

# Short excerpts of seeds/*.txt (file:line in the id) and what repair makes of them.
CASES = [
    pytest.param(
        "高 质 量 发 展 的 若 干 意 见》（国 发\n〔2019〕3 号），提出了“统筹两个市",
        "高质量发展的若干意见》(国发〔2019〕3号),提出了“统筹两个市",
        id="spaced-cjk-000:3",
    ),
    pytest.param(
        " 2019 年 1月，国务院印发《国务\n院关于促进",
        "2019年1月,国务院印发《国务院关于促进",
        id="leading-space-date-000:1",
    ),
    pytest.param(
        "实 现 进 出 口 总 额 165 亿 元 、增 长\n51.6%，江津综保区实现进出口额",
        "实现进出口总额165亿元、增长51.6%,江津综保区实现进出口额",
        id="spaced-figures-000:152",
    ),
    pytest.param(
        "强 化 集 散 、 壮 大 产 业 ， 按 照\n\n“1155”工作目标",
        "强化集散、壮大产业,按照“1155”工作目标",
        id="spaced-punctuation-001:23",
    ),
    pytest.param(
        "加快推进 PPP 片区开发\n项目，力争云篆山公园",
        "加快推进PPP片区开发项目,力争云篆山公园",
        id="acronym-then-cjk-001:107",
    ),
    pytest.param(
        "数字经济规上制造企业 16 户，实现\n产值 68.9 亿元",
        "数字经济规上制造企业16户,实现产值68.9亿元",
        id="spaced-count-001:209",
    ),
    pytest.param(
        "粤港澳大湾区（Greater Bay Area）",
        "粤港澳大湾区(Greater Bay Area)",
        id="english-words-keep-space",
    ),
    pytest.param(
        "粤港澳大湾区（Greater\nBay Area）",
        "粤港澳大湾区(Greater Bay Area)",
        id="english-words-joined-with-space",
    ),
    pytest.param(
        "1000 列，全区港口吞吐量 1500 万\n吨，国内 50 强物流、货运代理企\n业落户 10 家以上。",
        "1000列,全区港口吞吐量1500万吨,国内50强物流、货运代理企业落户10家以上。",
        id="number-unit-split-001:28",
    ),
    pytest.param(
        "2000万吨，一期设计年吞吐量1100万\n吨。珞璜铁路综合物流枢纽与珞璜港建",
        "2000万吨,一期设计年吞吐量1100万吨。珞璜铁路综合物流枢纽与珞璜港建",
        id="number-unit-split-000:80",
    ),
    pytest.param(
        "去年以来，江津综保区已引进包\n\n括明峰医疗、智领医创、珠海中科先\n进院等在内的",
        "去年以来,江津综保区已引进包括明峰医疗、智领医创、珠海中科先进院等在内的",
        id="blank-line-inside-sentence-000:52",
    ),
    pytest.param(
        "如何乘好政策东风,加快发展现\n\n代化产业体系,成为江津区持续探索的一道必答题。",
        "如何乘好政策东风,加快发展现代化产业体系,成为江津区持续探索的一道必答题。",
        id="blank-line-inside-word-002:25",
    ),
    pytest.param(
        "加快打造成渝地区重要的先进制造业基地。图为江津综保区\n\n## 重点项目好戏连台 加快打造先进制造业基地\n\n"
        "6月5日,江津区举行2023年第二季度重点项目集中开工竣工活动。",
        "加快打造成渝地区重要的先进制造业基地。图为江津综保区\n## 重点项目好戏连台加快打造先进制造业基地\n"
        "6月5日,江津区举行2023年第二季度重点项目集中开工竣工活动。",
        id="heading-not-joined-002:13",
    ),
    pytest.param(
        "\n\n\n\n# 乘风破浪开新局\n\n## 江津 加快建设主城都市区同城化发展先行区\n\n\n\n蓬勃发展的江津\n",
        "# 乘风破浪开新局\n## 江津加快建设主城都市区同城化发展先行区\n蓬勃发展的江津",
        id="headings-003:5",
    ),
    pytest.param(
        "明确了综保区的功能定位，扩大了综\n保区的开放程度。\n\n“国发3号文让我们对综保区的\n产业发展方向更加明晰！”江津综保",
        "明确了综保区的功能定位,扩大了综保区的开放程度。\n“国发3号文让我们对综保区的产业发展方向更加明晰!”江津综保",
        id="sentence-end-not-joined-000:12",
    ),
    pytest.param(
        "规上工业累计达\n460家，实现产值1357亿，增长4.5%；\n招商引进产业类项目增加27个",
        "规上工业累计达460家,实现产值1357亿,增长4.5%;\n招商引进产业类项目增加27个",
        id="semicolon-ends-004:35",
    ),
    pytest.param(
        "“这些要求赋予了\n\n江津‘十四五’发展的新使命。”\n江津区负责人表示",
        "“这些要求赋予了江津‘十四五’发展的新使命。”\n江津区负责人表示",
        id="closing-quote-after-full-stop-003:51",
    ),
    pytest.param(
        "伸产业链条，打造检测维修中心”\n\n“培育新动能新优势，打造销售服务\n中心”",
        "伸产业链条,打造检测维修中心”“培育新动能新优势,打造销售服务中心”",
        id="closing-quote-alone-joins-000:8",
    ),
    pytest.param(
        "东方雨虹投资20亿元在江津建\n设新型建筑防水材料基地和成渝区域总部……\n\n数字虽然枯燥，却有很强的说服力。",
        "东方雨虹投资20亿元在江津建设新型建筑防水材料基地和成渝区域总部……\n数字虽然枯燥,却有很强的说服力。",
        id="ellipsis-ends-004:64",
    ),
    pytest.param(
        "全年引进42个项目、205亿元投资\n\n提着“金篮子”跑出加速度\n 前不久，江津区举行招商引资项目\n集中签约活动，",
        "全年引进42个项目、205亿元投资提着“金篮子”跑出加速度\n前不久,江津区举行招商引资项目集中签约活动,",
        id="leading-space-starts-block-000:101",
    ),
    pytest.param(
        "20202020年是极不平凡的一年年是极不平凡的一年，，疫情汛情风险交织疫情汛情风险交织，，战疫战贫战疫战贫““双考双考””叠加叠加，，",
        "2020年是极不平凡的一年,疫情汛情风险交织,战疫战贫“双考”叠加,",
        id="doubled-passage-004:159",
    ),
    pytest.param(
        "紧紧抓住招商引资紧紧抓住招商引资““牛鼻子牛鼻子”，”，加快培育发展新动能加快培育发展新动能，，聚聚\n\n焦消费品工业焦消费品工业、、大数据智能产业大数据智能产业",
        "紧紧抓住招商引资“牛鼻子”,加快培育发展新动能,聚焦消费品工业、大数据智能产业",
        id="doubled-across-blank-line-004:161",
    ),
    pytest.param(
        " 招商引资项目在江津德招商引资项目在江津德\n感工业园举行奠基仪式感工业园举行奠基仪式",
        "招商引资项目在江津德感工业园举行奠基仪式",
        id="doubled-caption-004:169",
    ),
    pytest.param(
        "这一年年初，珞璜临港产业城立足发挥自身开放平台功能作用",
        "这一年年初,珞璜临港产业城立足发挥自身开放平台功能作用",
        id="one-year-repeat-kept",
    ),
    pytest.param(
        "园，按照“一链一链长、一园一专班”，差什么",
        "园,按照“一链一链长、一园一专班”,差什么",
        id="accidental-repeat-kept-004:134",
    ),
    pytest.param(
        "生产、全球销售”产业格局雏形形\n成。",
        "生产、全球销售”产业格局雏形形成。",
        id="short-repeat-kept-001:77",
    ),
    pytest.param(
        "同比增长１７．９７％，成为了全市唯一",
        "同比增长17.97%,成为了全市唯一",
        id="full-width-digits-and-percent",
    ),
    pytest.param(
        "亮点一\u3000全年开行西部陆海新通道江津班列５３６列",
        "亮点一全年开行西部陆海新通道江津班列536列",
        id="ideographic-space-and-digits",
    ),
    pytest.param(
        "《聚沙则成塔 星火可燎原—江津区珞璜智能家居\n产业园十年蝶变的探索与启示》",
        "《聚沙则成塔星火可燎原—江津区珞璜智能家居产业园十年蝶变的探索与启示》",
        id="dash-and-brackets-untouched-001:244",
    ),
    pytest.param(
        "扩大了综\r\n保区的开放程度。\r\n“国发",
        "扩大了综保区的开放程度。\n“国发",
        id="crlf",
    ),
    pytest.param(
        "",
        "",
        id="empty",
    ),
    pytest.param(
        "\n \n\u3000\n\n",
        "",
        id="blank-lines-only",
    ),
    pytest.param(
        "某自治区统计局\n2019年3月1日\n2018年,全区经济运行平稳",
        "某自治区统计局\n2019年3月1日\n2018年,全区经济运行平稳",
        id="a-date-alone-on-its-line-stays-apart",
    ),
    pytest.param(
        "前三季度全县经济运行情况\n发布日期:2023-10-20 来源:县统计局\n" + PARAGRAPH + "\n一、工业\n"
        "1-9月,全县规模以上工业增加值同比增长7.1%,增速比上半年加快0.8个百分点,高于全市平均水平。",
        "前三季度全县经济运行情况\n发布日期:2023-10-20来源:县统计局\n" + PARAGRAPH + "\n一、工业\n"
        "1-9月,全县规模以上工业增加值同比增长7.1%,增速比上半年加快0.8个百分点,高于全市平均水平。",
        id="title-date-line-and-heading-above-long-paragraphs-stay-apart",
    ),
    pytest.param(
        PARAGRAPH + "\n此次签约的项目位于县产业园,总投资12亿元,分两\n期建设,达产后年产值30亿元。",
        PARAGRAPH + "\n此次签约的项目位于县产业园,总投资12亿元,分两期建设,达产后年产值30亿元。",
        id="a-short-line-with-a-comma-is-a-sentence-the-page-broke",
    ),
    pytest.param(
        "据了解,全县实施营商\n环境攻坚以来,清理废\n止文件37件,审批时\n限缩减率达67%。",
        "据了解,全县实施营商环境攻坚以来,清理废止文件37件,审批时限缩减率达67%。",
        id="a-wrapped-column-joins-its-short-lines",
    ),
    pytest.param(
        "1-5月份,规上工♂业增加值增长8%,某∩某经开区完成增加值12.5亿元,“通道+经贸”",
        "1-5月份,规上工业增加值增长8%,某某经开区完成增加值12.5亿元,“通道+经贸”",
        id="symbols-planted-inside-words-go",
    ),
]


@pytest.mark.parametrize(("original", "expected"), CASES)
def test_repair_text(original: str, expected: str) -> None:
    assert repair(original).text == expected


@pytest.mark.parametrize(("original", "_"), CASES)
def test_repair_map_points_at_source_characters(original: str, _: str) -> None:
    repaired = repair(original)
    assert len(repaired.origin) == len(repaired.text)
    for c, o in zip(repaired.text, repaired.origin, strict=True):
        assert half_width(original[o]) == c or (c in "\n " and original[o] in "\r\n")


SEED_PREFIXES = ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("prefix", SEED_PREFIXES)
def test_seed_map_is_one_to_one_and_ordered(prefix: str) -> None:
    original = seed(prefix)
    repaired = repair(original)
    assert repaired.original == original
    assert len(repaired.origin) == len(repaired.text)
    assert all(a < b for a, b in zip(repaired.origin, repaired.origin[1:], strict=False))
    for c, o in zip(repaired.text, repaired.origin, strict=True):
        assert half_width(original[o]) == c or (c in "\n " and original[o] == "\n"), (c, o)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_seed_without_doubling_keeps_every_visible_character(prefix: str) -> None:
    original = seed(prefix)
    visible = "".join(half_width(c) for c in original if not c.isspace())
    assert re.sub(r"\s", "", repair(original).text) == visible


@pytest.mark.parametrize("prefix", SEED_PREFIXES)
def test_seed_paragraphs_are_clean(prefix: str) -> None:
    text = repair(seed(prefix)).text
    assert text == text.strip("\n")
    assert "\n\n" not in text
    assert all(line == line.strip() and line for line in text.split("\n"))


@pytest.mark.parametrize("prefix", SEED_PREFIXES)
def test_seed_figures_trace_back_to_their_digits(prefix: str) -> None:
    repaired = repair(seed(prefix))
    for m in re.finditer(r"\d+(?:\.\d+)?", repaired.text):
        span = repaired.original_span(m.start(), m.end())
        assert m.group() in re.sub(r"\s", "", span), (m.group(), span)


@pytest.mark.parametrize(
    ("prefix", "needle", "index", "line"),
    [
        ("000", "实现进出口总额165亿元", 7, 152),
        ("000", "运能2000万吨", 2, 77),
        ("000", "运能2000万吨", 7, 77),
        ("000", "1100万吨", 0, 80),
        ("000", "1100万吨", 5, 81),
        ("000", "包括明峰医疗", 1, 54),
        ("001", "536列", 0, 161),
        ("001", "1500万吨", 0, 28),
        ("001", "1500万吨", 5, 29),
        ("002", "发展现代化产业体系", 3, 27),
        ("004", "2020年是极不平凡的一年", 0, 159),
        ("004", "聚焦消费品工业", 1, 163),
    ],
    ids=[
        "000-165",
        "000-2000-start",
        "000-2000-unit",
        "000-1100-start",
        "000-1100-unit-next-line",
        "000-after-blank-line",
        "001-536",
        "001-1500-start",
        "001-1500-unit-next-line",
        "002-after-blank-line",
        "004-doubled-line",
        "004-doubled-after-blank-line",
    ],
)
def test_line_of_known_figures(prefix: str, needle: str, index: int, line: int) -> None:
    repaired = repair(seed(prefix))
    assert repaired.text.count(needle) == 1
    assert repaired.line_of(repaired.text.index(needle) + index) == line


@pytest.mark.parametrize(
    ("prefix", "needle", "span"),
    [
        ("000", "165亿元", "165 亿 元"),
        ("000", "1100万吨", "1100万\n吨"),
        ("001", "1500万吨", "1500 万\n吨"),
        ("001", "2023年实现", "2023 年\n实现"),
        ("002", "发展现代化产业", "发展现\n\n代化产业"),
        ("004", "2020年是", "20202020年是"),
        ("004", "“牛鼻子”,加快", "““牛鼻子牛鼻子”，”，加快"),
    ],
    ids=[
        "spaced-figure",
        "unit-on-next-line",
        "spaced-unit-on-next-line",
        "year-then-verb",
        "blank-line-inside-word",
        "doubled-year",
        "doubled-quotes",
    ],
)
def test_original_span_is_verbatim_source(prefix: str, needle: str, span: str) -> None:
    repaired = repair(seed(prefix))
    start = repaired.text.index(needle)
    assert repaired.original_span(start, start + len(needle)) == span


def test_original_span_of_nothing_is_empty() -> None:
    assert repair(seed("000")).original_span(5, 5) == ""


def test_toneless_pinyin_glosses_go_but_latin_in_brackets_stays():
    text = "2021年(nian)長(chang)治市實現(xian)地區(qu)(qu)生產總值2311.1億元(GDP),見(a)表"
    assert repair(text).text == "2021年长治市实现地区生产总值2311.1亿元(GDP),见表"
