"""Pipe tables: header cells broken over lines, row label × column header, units from the header."""
from facts.reading.extract import extract_facts
from facts.lexicon import load_lexicon
from facts.reading.repair import repair
from facts.reading.tables import column_unit, find_tables
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
    facts = [f for f in extract_facts("t.txt", repair(REPORT), lexicon, Tokenizer(lexicon)) if "|" in f.sentence]
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
