"""Pipe tables: header cells broken over lines, row label × column header, units from the header."""

from facts.lexicon import load_lexicon
from facts.reading.extract import extract_facts
from facts.reading.repair import repair
from facts.reading.tables import column_unit, find_cell_tables, find_glued_tables, find_tables
from facts.text import Tokenizer

# A table of our own in the shape county bulletins print (header cell split over two lines).
REPORT = """2023年,全县经济平稳运行。
二、农业
全年农业生产稳定。主要农作物产量如下表:
品 名 | 种植面积
(亩﹚ |
同比增减(%) | 产量﹙吨﹚ | 同比增减﹙%﹚ |
粮食作物 | 500000 | -1.20 | 300000 | 0.5 |
其中:玉米 | 120000 | 2.40 | 80000 | -3.25 |
"""


def test_header_split_over_lines():
    [table] = find_tables(repair(REPORT).text)
    assert table.header == ("种植面积(亩)", "同比增减(%)", "产量(吨)", "同比增减(%)")
    assert [(r.label, r.group) for r in table.rows] == [("粮食作物", ""), ("玉米", "粮食作物")]


def test_rows_become_facts_with_units_and_growth():
    lexicon = load_lexicon()
    facts = [
        f for f in extract_facts("t.txt", repair(REPORT), lexicon, Tokenizer(lexicon)) if "|" in f.sentence
    ]
    found = {(f.indicator, f.value, f.unit, f.measure) for f in facts}
    assert ("玉米产量", 80000, "吨", "amount") in found
    assert ("玉米产量增速", -3.25, "%", "growth") in found  # a fall stays negative, as written
    corn = next(f for f in facts if f.indicator == "玉米产量")
    assert corn.quote == "其中:玉米 | 120000 | 2.40 | 80000 | -3.25"
    assert corn.period is not None and corn.period.label == "2023年"


def test_units_from_headers():
    assert column_unit("产量(吨)") == "吨"
    assert column_unit("品名") == ""


def test_prose_is_no_table():
    assert find_tables(repair("全年实现地区生产总值420.77亿元,同比增长4.1%。").text) == []


# A ranking and a history printed without separators, in the shape of city yearbook pages.
GLUED = """2022年某市各县GDP排行
排名各县2022年GDP(亿元)增速(%)
1甲县1234.5612
2乙县456.7812.3
3丙县98.703.4

某市历年GDP
年份GDP(亿元)增速(%)
2022年2345.610.3
2021年2100.054.6
"""


def test_glued_rows_are_split_by_the_header_units():
    tables = find_glued_tables(repair(GLUED).text)
    assert [[c.text for c in r.cells] for r in tables[0].rows] == [
        ["1234.56", "12"],
        ["456.78", "12.3"],
        ["98.70", "3.4"],
    ]
    assert [r.label for r in tables[1].rows] == ["2022年", "2021年"]


def test_a_number_the_text_repeats_decides_an_ambiguous_split():
    text = "2022年全市生产总值2345.6亿元,增长10.3%。\n" + GLUED
    history = find_glued_tables(repair(text).text)[1]
    assert [c.text for c in history.rows[0].cells] == ["2345.6", "10.3"]  # not 2345.61 and 0.3


def test_glued_rows_become_facts_for_their_year():
    lexicon = load_lexicon()
    facts = extract_facts("t.txt", repair(GLUED), lexicon, Tokenizer(lexicon))
    history = {f.value: f for f in facts if f.unit == "亿元" and f.quote.startswith("20")}
    assert history[2100.05].period.label == "2021年"


def test_a_ranked_table_and_a_history_printed_together():
    text = (
        "排行 | 区域 | 2021年GDP(亿元) | 增速(%) |\n1 | 甲区 | 565.7 | 8 |\n2 | 乙县 | 320.7 | 9.9 |\n"
        "年份 | GDP(亿元) | 增速(%) |\n2021年 | 2311.1 | 11 |\n2020年 | 1711.6 | 5.1 |\n"
    )
    ranking, history = find_tables(repair(text).text)
    assert ranking.header == ("2021年GDP(亿元)", "增速(%)")
    assert [(r.label, [c.text for c in r.cells]) for r in ranking.rows] == [
        ("甲区", ["565.7", "8"]),
        ("乙县", ["320.7", "9.9"]),
    ]
    assert [r.label for r in history.rows] == ["2021年", "2020年"]


# A table copied from a web page one cell a line, blank lines between, no label header (our own figures).
CELLS = """二、农业
全年粮食生产稳定。

2023年

较上年增长(%)

粮食总产量

150000吨

0.8

其中:玉米

90000吨

-5.2

豆类

20000吨

12.5
"""


def test_one_cell_a_line():
    [table] = find_cell_tables(repair(CELLS).text)
    assert table.header == ("2023年", "较上年增长(%)")
    assert [(r.label, [c.text for c in r.cells]) for r in table.rows] == [
        ("粮食总产量", ["150000吨", "0.8"]),
        ("玉米", ["90000吨", "-5.2"]),
        ("豆类", ["20000吨", "12.5"]),
    ]
    lexicon = load_lexicon()
    facts = extract_facts("t.txt", repair(CELLS), lexicon, Tokenizer(lexicon))
    corn = {
        (f.value, f.unit)
        for f in facts
        if f.sentence.startswith("其中:玉米") or f.quote.startswith("其中:玉米")
    }
    assert corn >= {(90000, "吨")}


def test_a_sentence_broken_over_blank_lines_stays_a_sentence():
    text = "去年以来,综保区已引进包\n\n括明峰医疗等企业12家,\n\n实现产值35亿元。\n"
    assert "引进包括明峰医疗等企业12家" in repair(text).text


def test_a_header_cells_unit_on_its_own_line_joins_it():
    text = (
        "附表:2024年上半年各县地区生产总值及增速\n县 名\n绝对数\n(亿元)\n比上年同期增长\n(%)\n"
        "建德市\n301.50\n4.2\n淳安县\n190.60\n3.9\n桐庐县\n188.16\n5.2\n"
    )
    [table] = find_cell_tables(text)
    assert table.header[-2:] == ("绝对数(亿元)", "比上年同期增长(%)")
    first = table.rows[0]
    assert (first.label, [c.text for c in first.cells]) == ("建德市", ["301.50", "4.2"])


def test_a_last_row_cut_short_by_the_excerpt_leaves_the_table_whole():
    text = (
        "2024年全县生产总值及增长速度\n|指标|绝对数(亿元)|比上年增长%|\n|生产总值|880.10|5.0|\n"
        "|工业|301.20|6.3|\n|建筑业|95.40|-2.1|\n|金融业|33.80"
    )
    [table] = find_tables(text)
    assert [r.label for r in table.rows] == ["生产总值", "工业", "建筑业"]


# A GDP table printed one cell a line, in the shape county bulletins use: the unit on a line of its own
# under the caption, a price-base year in a column name, labels listing industries with 、, # for a part.
SECTORS = (
    "表一:2023年全县生产总值\n\n单位:万元\n\n指标名称\n\n按现行价格计算\n\n按2020年不变价格计算\n\n比上年 ±%\n\n"
    "地区生产总值\n\n3100000.50\n\n3050000.25\n\n5.1\n\n"
    "  工  业\n\n900000.10\n\n880000.20\n\n6.2\n\n"
    "    #金属制品、机械和设备修理业\n\n310.40\n\n300.10\n\n-8.4\n\n"
    "  交通运输、仓储和邮政业\n\n150000.30\n\n140000.60\n\n-1.5\n\n"
    "  建筑业\n\n200000.70\n\n190000.90\n\n7.3\n"
)


def test_one_cell_a_line_read_row_by_row():
    [table] = find_cell_tables(repair(SECTORS).text)
    assert table.header == ("按现行价格计算", "按2020年不变价格计算", "比上年±%")
    assert [(r.label, r.group) for r in table.rows] == [
        ("地区生产总值", ""),
        ("工业", ""),
        ("金属制品、机械和设备修理业", "工业"),
        ("交通运输、仓储和邮政业", ""),
        ("建筑业", ""),
    ]


def test_the_unit_line_the_rate_column_and_the_price_base_year():
    lexicon = load_lexicon()
    facts = extract_facts("t.txt", repair(SECTORS), lexicon, Tokenizer(lexicon))
    building = {(f.value, f.unit, f.measure) for f in facts if f.indicator.startswith("建筑业")}
    assert building == {(200000.7, "万元", "amount"), (190000.9, "万元", "amount"), (7.3, "%", "growth")}
    # the table is of 2023 (its caption), not of 2020 (the year its constant prices are taken from)
    assert {f.period.label for f in facts if f.indicator.startswith("建筑业") and f.period} == {"2023年"}


# Tables whose cells are set apart by blanks, as statistics pages print them: a caption, a header line
# of names, rows of a label (its letters may be spaced out) and figures; a row may carry its own unit.
SPACED = """二、农业
全年农业生产平稳。
表1 2023年主要农产品产量
产品名称 产量(吨) 比上年增长(%)
粮 食 150300 -2.1
其中:小麦 20410 0.0
油料 3600 -12.5
表2 2023年林业生产情况
产品名称 产量(吨) 比上年增长(%)
造林面积(亩) 98000 15.2
板栗(吨) 25100 4.0
"""


def test_blank_separated_tables_become_pipe_rows():
    repaired = repair(SPACED)
    assert "粮食|150300|-2.1|" in repaired.text
    first, second = find_tables(repaired.text)
    assert first.header == second.header == ("产量(吨)", "比上年增长(%)")
    assert [(r.label, r.group) for r in first.rows] == [("粮食", ""), ("小麦", "粮食"), ("油料", "")]
    # each cell still points at its characters in the file: the quote is the row as printed
    lexicon = load_lexicon()
    facts = extract_facts("t.txt", repaired, lexicon, Tokenizer(lexicon))
    oil = next(f for f in facts if f.indicator == "油料产量增速")
    assert (oil.value, oil.unit, oil.quote) == (-12.5, "%", "油料 3600 -12.5")


def test_a_rows_own_unit_beats_its_columns():
    lexicon = load_lexicon()
    facts = extract_facts("t.txt", repair(SPACED), lexicon, Tokenizer(lexicon))
    found = {(f.indicator, f.value, f.unit) for f in facts if f.measure == "amount"}
    assert {("造林面积产量", 98000, "亩"), ("板栗产量", 25100, "吨")} <= found


def test_prose_with_blanks_is_no_table():
    text = "全年 完成投资 12.5 亿元\n其中 工业投资 8.1 亿元\n民间投资 3.2 亿元\n"
    assert find_tables(repair(text).text) == []


def test_a_caption_printed_as_the_first_row_is_no_row():
    text = (
        "| 表1 2023年全县生产总值及其增长速度 | ||\n| 指 标 | 绝对数(亿元) | 比上年增长(%) |\n"
        "| 地区生产总值 | 420.5 | 5.3 |\n| 第一产业 | 60.2 | 3.9 |\n| 建筑业 | 35.1 | 6.6 |\n"
    )
    [table] = find_tables(repair(text).text)
    assert table.header == ("绝对数(亿元)", "比上年增长(%)")
    assert [r.label for r in table.rows] == ["地区生产总值", "第一产业", "建筑业"]


def test_a_groups_row_of_dashes_is_no_new_header():
    text = (
        "表2:2023年全县生产总值及其构成||||\n指标 | 绝对数(万元) | 增长(%) | 构成(%) |\n"
        "地区生产总值 | 512340 | 6.10 | 100 |\n分产业 | -- | -- | -- |\n第一产业 | 81200 | 4.15 | 15.8 |\n"
        "分行业 | -- | -- | -- |\n工业 | 40010 | 8.80 | 7.8 |\n建筑业 | 61300 | 8.80 | 12.0 |\n"
    )
    [table] = find_tables(repair(text).text)
    assert table.header == ("绝对数(万元)", "增长(%)", "构成(%)")
    assert [r.label for r in table.rows] == ["地区生产总值", "分产业", "第一产业", "分行业", "工业", "建筑业"]
    # a row whose cells repeat (8.80 and 8.80 in two columns) keeps every cell
    assert [c.text for c in table.rows[-2].cells] == ["40010", "8.80", "7.8"]


def test_a_table_printed_on_the_line_of_its_prose_and_cut_by_the_excerpt():
    text = (
        "一、综合 初步核算,全年全县实现生产总值(GDP)75.10亿元,增长6.5%。 表1 生产总值及行业构成 单位:亿元 "
        "指标名称 | 增加值 | 同比增长% | 地区生产总值 | 75.10 | 6.5 | 其中:工业 | 5.02 | 7.1 | "
        "建筑业 | 9.87 | 12.4 | 金融业 | 2"
    )
    repaired = repair(text)
    [table] = find_tables(repaired.text)
    assert table.header == ("增加值", "同比增长%")
    assert [r.label for r in table.rows] == ["地区生产总值", "工业", "建筑业"]
    lexicon = load_lexicon()
    facts = extract_facts("t.txt", repaired, lexicon, Tokenizer(lexicon))
    building = [(f.value, f.unit, f.measure) for f in facts if f.indicator.startswith("建筑业")]
    assert building == [(9.87, "亿元", "amount"), (12.4, "%", "growth")]
