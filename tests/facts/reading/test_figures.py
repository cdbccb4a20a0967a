"""find_figures on real sentences from seeds/ (in repaired form: half-width punctuation, no OCR spaces)."""

from itertools import pairwise

import pytest

from facts.reading.figures import find_figures

P = pytest.param
GDP_2019 = "2019年为1036.7亿元,为全市第6个GDP突破千亿元的区县,2020年预计GDP超过1100亿元。"
TRAINS_2019 = "截至2019年底,江津班列上下行累计开行21列,共到发1054个标箱"
LOAD_RATE = "重载率为95.83%,外贸总占比为32.48%。"
NET_GAIN = "较去年同期净增约22.5亿元,同比增长17.97%"
PERMITS = "项目建设审批时限缩减率达67%—79%,全区1370个政务服务事项"
VISITS = "目前已外出50余批次,拜访300余家企业,全力捕获项目信息。"
ENTITIES = "五年新设市场主体5万余户,总量突破12万户。"
SHARE_2022 = "运量位列全市第2位,总运量在全市占比由5%提升至20%以上。"
CHARGING = "最大充电速度可达普通电池的6倍以上,80%电量的充电时间仅需7.5分钟"
SPECIALISED = "“专精特新”53家,2022年新增42家,较2021年11家增幅达350%。"
FOREIGN = "五年实际利用外资预计达26.6亿美元,进出口总额年均增长40.5%"
INDUSTRY_2020 = "规上工业累计达460家,实现产值1357亿,增长4.5%;"

# sentence, the figure as written, value, value_max, unit (as written), qualifier, measure
FIGURES = [
    P(TRAINS_2019, "21列", 21, None, "列", "", "amount", id="trains-列"),
    P(TRAINS_2019, "1054个标箱", 1054, None, "个标箱", "", "amount", id="个标箱-wins-over-个"),
    P(LOAD_RATE, "95.83%", 95.83, None, "%", "", "share", id="load-rate-is-share"),
    P(LOAD_RATE, "32.48%", 32.48, None, "%", "", "share", id="foreign-trade-share"),
    P(
        "江津综保区2022年度实现进出口贸易额约148亿元(重庆海关总署公布数据)",
        "约148亿元",
        148,
        None,
        "亿元",
        "约",
        "amount",
        id="约-before-亿元",
    ),
    P(NET_GAIN, "约22.5亿元", 22.5, None, "亿元", "约", "change", id="净增约-is-change"),
    P(NET_GAIN, "17.97%", 17.97, None, "%", "", "growth", id="同比增长-is-growth"),
    P(PERMITS, "67%—79%", 67, 79, "%", "", "share", id="range-percent-em-dash"),
    P(PERMITS, "1370个", 1370, None, "个", "", "amount", id="count-after-range"),
    P(
        "量产中高端智能网联新能源整车,设计产能10-15万辆;",
        "10-15万辆",
        10,
        15,
        "万辆",
        "",
        "amount",
        id="range-hyphen-万辆",
    ),
    P(
        "聚焦产业链招大招强 上半年协议引资超570亿元",
        "超570亿元",
        570,
        None,
        "亿元",
        "超",
        "amount",
        id="超-before",
    ),
    P(GDP_2019, "1036.7亿元", 1036.7, None, "亿元", "", "amount", id="decimal-亿元"),
    P(GDP_2019, "6个", 6, None, "个", "", "rank", id="第6个-is-rank"),
    P(GDP_2019, "超过1100亿元", 1100, None, "亿元", "超过", "amount", id="超过-before"),
    P(
        "人工智能微波芯片等32家大数据智能产业项目相继入驻产业园,累计协议引资近150亿元。",
        "近150亿元",
        150,
        None,
        "亿元",
        "近",
        "amount",
        id="近-before",
    ),
    P(VISITS, "50余批次", 50, None, "批次", "余", "amount", id="余-before-批次"),
    P(VISITS, "300余家", 300, None, "家", "余", "amount", id="余-before-家"),
    P(ENTITIES, "5万余户", 5, None, "万户", "余", "amount", id="余-inside-万户"),
    P(ENTITIES, "突破12万户", 12, None, "万户", "突破", "amount", id="突破-before"),
    P(
        "光伏发电模组生产基地落户江津,达产后可实现年产值140亿元以上;",
        "140亿元以上",
        140,
        None,
        "亿元",
        "以上",
        "amount",
        id="以上-after-亿元",
    ),
    P(
        "“专精特精”企业31家,技改投资比重达34%以上。",
        "34%以上",
        34,
        None,
        "%",
        "以上",
        "share",
        id="以上-after-percent",
    ),
    P(
        "国内50强物流、货运代理企业落户10家以上。",
        "10家以上",
        10,
        None,
        "家",
        "以上",
        "amount",
        id="以上-after-家",
    ),
    P(
        "商60余次,对接企业和协会超150余家,成功促成山鹰纸业",
        "超150余家",
        150,
        None,
        "家",
        "超/余",
        "amount",
        id="超-and-余",
    ),
    # 多 is not in the seeds; this is 004's "实施智能化改造200余家" as people also write it.
    P(
        "大数据智能化项目达到60个,实施智能化改造200多家",
        "200多家",
        200,
        None,
        "家",
        "多",
        "amount",
        id="多-inside",
    ),
    P(
        "全年完成约16公里道路改造、景观亮化及美化工程",
        "约16公里",
        16,
        None,
        "公里",
        "约",
        "amount",
        id="约-公里",
    ),
    P(
        "满载着泰国出产的榴莲共计28个冷藏集装箱,货值约2160万元。",
        "约2160万元",
        2160,
        None,
        "万元",
        "约",
        "amount",
        id="约-万元",
    ),
    P(SHARE_2022, "2位", 2, None, "位", "", "rank", id="第2位-is-rank"),
    P(SHARE_2022, "20%以上", 20, None, "%", "以上", "share", id="占比-20%以上"),
    P(
        "江津综保区在全国综合保税区综合排名进入前50位",
        "50位",
        50,
        None,
        "位",
        "",
        "rank",
        id="前50位-is-rank",
    ),
    P(CHARGING, "6倍以上", 6, None, "倍", "以上", "amount", id="倍以上"),
    P(CHARGING, "7.5分钟", 7.5, None, "分钟", "", "amount", id="decimal-分钟"),
    P("分两期建设年产能16GWh的XFC极速充电电池生产基地。", "16GWh", 16, None, "GWh", "", "amount", id="GWh"),
    P(SPECIALISED, "350%", 350, None, "%", "", "growth", id="增幅-is-growth"),
    P(SPECIALISED, "11家", 11, None, "家", "", "amount", id="count-right-after-a-year"),
    P(FOREIGN, "26.6亿美元", 26.6, None, "亿美元", "", "amount", id="亿美元"),
    P(FOREIGN, "40.5%", 40.5, None, "%", "", "growth", id="年均增长-is-growth"),
    P(
        "招商引进产业类项目增加27个,消费品工业协议投资增加65亿元。",
        "65亿元",
        65,
        None,
        "亿元",
        "",
        "change",
        id="增加-is-change",
    ),
    P(
        "五年来,该区平均每年增长100亿元地区生产总值",
        "100亿元",
        100,
        None,
        "亿元",
        "",
        "change",
        id="增长-before-an-amount-is-change",
    ),
    P(INDUSTRY_2020, "1357亿", 1357, None, "亿", "", "amount", id="bare-亿-as-written"),
    P(INDUSTRY_2020, "4.5%", 4.5, None, "%", "", "growth", id="增长-percent"),
    P(
        "工业项目个数占开工项目和竣工项目个数比重分别达62.9%、75.6%",
        "75.6%",
        75.6,
        None,
        "%",
        "",
        "share",
        id="second-of-分别-list-is-share",
    ),
    P(
        "珞璜港是我市规划的“1+3”枢纽型港口之一,设计年吞吐量2000万吨,一期设计年吞吐量1100万吨。",
        "1100万吨",
        1100,
        None,
        "万吨",
        "",
        "amount",
        id="万吨-after-a-code",
    ),
    P(
        "全年实现地区生产总值300.5亿元,同比增长-1.2%。",
        "-1.2%",
        -1.2,
        None,
        "%",
        "",
        "growth",
        id="negative-growth-as-written",
    ),
    P("工业投资增长5-8%", "5-8%", 5, 8, "%", "", "growth", id="a-range-is-no-negative"),
    P("某区的经济增长仅为1.8%,位居下游", "1.8%", 1.8, None, "%", "", "growth", id="增长仅为-is-growth"),
    P("两县产值分别增长3.5%和4.2%", "3.5%", 3.5, None, "%", "", "growth", id="分别增长-is-growth"),
    P(
        "某县完成地区生产总值88.6亿元,同比增长(下同)7.3%。",
        "7.3%",
        7.3,
        None,
        "%",
        "",
        "growth",
        id="an-aside-before-it",
    ),
    P("全县税收收入同比增长[3]5.6%", "5.6%", 5.6, None, "%", "", "growth", id="a-footnote-before-it"),
    P(
        "全年全县地区生产总值(GDP98.27亿元,增长6.2%",
        "98.27亿元",
        98.27,
        None,
        "亿元",
        "",
        "amount",
        id="glued-to-GDP",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "written", "value", "value_max", "unit", "qualifier", "measure"), FIGURES
)
def test_figure(sentence, written, value, value_max, unit, qualifier, measure):
    found = [f for f in find_figures(sentence) if f.text == written]
    assert len(found) == 1, [f.text for f in find_figures(sentence)]
    figure = found[0]
    assert (figure.value, figure.value_max, figure.unit, figure.qualifier, figure.measure) == (
        value,
        value_max,
        unit,
        qualifier,
        measure,
    )
    assert sentence[figure.start : figure.end] == written
    assert figure.display == written


# Dates, codes, names and ordinals are not figures: only the listed ones are.
NOT_FIGURES = [
    P(
        "2019年1月,国务院印发《国务院关于促进综合保税区高水平开放高质量发展的若干意见》(国发〔2019〕3号)",
        [],
        id="year-month-and-〔2019〕3号",
    ),
    P("“国发3号文让我们对综保区的产业发展方向更加明晰!”", [], id="国发3号文"),
    P(
        "6月25日,市经济信息委官网公布2023年重庆市专精特新中小企业名单,江津区74家企业入选。",
        ["74家"],
        id="date-6月25日",
    ),
    P(
        "2020年12月27日,江津区《重大项目代办制,企业发展更舒心》获评“重庆市优化营商环境十佳示范案例”。",
        [],
        id="full-date",
    ),
    P("西部陆海新通道江津班列于2019年7月正式实现常态化开行。", [], id="year-month"),
    P("构建“4+1”产业集群,力争到2025年规模以上工业总产值达到2000亿元", ["2000亿元"], id="code-4+1"),
    P("珞璜港是我市规划的“1+3”枢纽型港口之一", [], id="code-1+3"),
    P("按照“1155”工作目标,推动西部陆海新通道江津班列提质增效", [], id="quoted-1155"),
    P("持续完善“100+N”的招商人才储备库", [], id="code-100+N"),
    P("围绕全市“33618”现代制造业集群体系", [], id="quoted-33618"),
    P("开放型经济迅速壮大,在津世界500强企业达到23家。", ["23家"], id="世界500强-is-a-name"),
    P("紧盯消费品工业500强、“国字号”“央字头”企业", [], id="500强-alone"),
    P("在市政府办公厅2022年第7期调查研究上获胡衡华市长肯定性签批“很好!”。", [], id="第7期"),
    P("实现高新技术企业从“0”到“1”", [], id="quoted-0-to-1"),
    P("“驼峰”500重载无人直升机,顺利完成在高温高湿山地环境下的试飞验证", [], id="product-name-500"),
    P("走过了常规无人直升机5到10年的研发路程", [], id="years-are-not-a-unit"),
    P("江津区与广州巨湾技研有限公司(以下简称“巨湾技研”)签订投资协议", [], id="no-digits"),
    P("新下线的ABC300型电池组", [], id="a-model-name-ABC300"),
]


@pytest.mark.parametrize(("sentence", "figures"), NOT_FIGURES)
def test_not_a_figure(sentence, figures):
    assert [f.text for f in find_figures(sentence)] == figures


# Words ending in 约 that are not the qualifier 约.
@pytest.mark.parametrize(
    ("sentence", "written"),
    [
        P(
            "江津区举行招商引资项目集中签约活动,共集中签约40个项目,合同引资共计253亿元。",
            "40个",
            id="签约40个",
        ),
        P(
            "江津区举行招商引资项目集中签约活动,共集中签约40个项目,合同引资共计253亿元。",
            "253亿元",
            id="共计",
        ),
        P("比海运到口岸再转运的方式,节约了6天时间。", "6天", id="节约了"),
    ],
)
def test_no_qualifier(sentence, written):
    figure = next(f for f in find_figures(sentence) if f.text == written)
    assert figure.qualifier == ""
    assert figure.text == written


def test_figures_come_in_order_without_overlap():
    sentence = (
        "2020年,江津新增市场主体18469家,同比增长4.2%;规模以上工业企业新增60家,规上工业累计达460家,"
        "实现产值1357亿,增长4.5%;"
    )
    figures = find_figures(sentence)
    assert [f.text for f in figures] == ["18469家", "4.2%", "60家", "460家", "1357亿", "4.5%"]
    assert all(a.end <= b.start for a, b in pairwise(figures))


@pytest.mark.parametrize(
    ("sentence", "direction"),
    [
        ("生猪存栏58.97万头,同比下降6.53%", "down"),
        ("全年实现地区生产总值300.5亿元,同比增长-1.2%", "down"),
        ("水产品产量2.61万吨,同比增长3.91%", "up"),
        ("第二产业占比45.2%", ""),
    ],
    ids=["下降", "negative-growth", "增长", "a-share-has-no-direction"],
)
def test_direction(sentence, direction):
    assert find_figures(sentence)[-1].direction == direction
