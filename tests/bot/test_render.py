"""The bot's HTML: escaped, within Telegram's limits, split between lines, buttons within 64 bytes."""

import re

import pytest

from bot.render import CALLBACK_LIMIT, TELEGRAM_LIMIT, Button, highlight, render_html, render_text, split_html
from facts.store.db import make_engine
from facts.store.service import FactService
from facts.store.settings import FactSettings

TAG = re.compile(r"</?([a-z-]+)[^>]*>")


def balanced(chunk: str) -> bool:
    stack = []
    for m in TAG.finditer(chunk):
        if m.group(0).startswith("</"):
            if not stack or stack.pop() != m.group(1):
                return False
        else:
            stack.append(m.group(1))
    return not stack


def entities_whole(chunk: str) -> bool:
    return all(re.match(r"&(lt|gt|amp|quot|#\d+);", chunk[m.start() :]) for m in re.finditer("&", chunk))


@pytest.mark.parametrize(
    ("sentence", "figure", "expected"),
    [
        ("全年开行西部陆海新通道江津班列536列", "536列", "全年开行西部陆海新通道江津班列<b>536列</b>"),
        ("a<b>&c 5%", "5%", "a&lt;b&gt;&amp;c <b>5%</b>"),
        ("no figure here", "9列", "no figure here"),
    ],
    ids=["seed-sentence", "markup-in-document-text", "figure-missing"],
)
def test_highlight_escapes_everything_but_its_own_bold(sentence, figure, expected):
    assert highlight(sentence, figure) == expected


@pytest.mark.parametrize(
    "lines",
    [
        ["<b>x</b>" * 10] * 2000,
        ["&amp;" * 2000],  # one line far over the limit, full of entities
        ["<blockquote>" + "江" * 5000 + "</blockquote>"],
        ["short"],
    ],
    ids=["many-lines", "entities-only-line", "one-huge-quote", "short"],
)
def test_split_html_keeps_chunks_valid(lines):
    chunks = split_html(lines)
    assert chunks
    for chunk in chunks:
        assert 0 < len(chunk) <= TELEGRAM_LIMIT
        assert balanced(chunk)
        assert entities_whole(chunk)


def test_button_refuses_long_callback_data():
    with pytest.raises(ValueError):
        Button("x", "m" * (CALLBACK_LIMIT + 1))
    assert Button("x", "m" * CALLBACK_LIMIT).data


@pytest.mark.parametrize(
    ("question", "expect_in_text", "answered"),
    [
        ("2022年江津班列开了多少列？", "<b>536列</b>", True),
        ("江津综保区2022年进出口额", "<b>约148亿元</b>", True),
        ("2020年江津班列全年开行多少列", "报告中没有2020年的这项数据", False),
        ("<script>alert(1)</script> & 江津", "", False),
    ],
    ids=["trains-2022", "bonded-zone-trade", "absent-year", "markup-question"],
)
def test_render_html_of_real_answers(service, question, expect_in_text, answered):
    answer = service.answer(question)
    reply = render_html(answer, key="k1", page=0)
    assert answer.answered is answered
    assert expect_in_text in "\n".join(reply.chunks)
    for chunk in reply.chunks:
        assert len(chunk) <= TELEGRAM_LIMIT and balanced(chunk) and entities_whole(chunk)
        assert "<script>" not in chunk
    for row in reply.buttons:
        for button in row:
            assert len(button.data.encode()) <= CALLBACK_LIMIT
    if answered:
        assert "来源：《" in reply.chunks[0] and ".txt, 第" in reply.chunks[0]
    elif answer.suggestions:
        assert all(b.data.startswith("fact:") for row in reply.buttons for b in row)


def test_paging_walks_every_result_and_stops(service):
    answer = service.answer("2020年江津协议引资")
    assert len(answer.results) > 1
    seen = []
    for page in range(len(answer.results)):
        reply = render_html(answer, key="k2", page=page)
        seen.append(reply.chunks[0].split("</b>")[0])
        datas = [b.data for row in reply.buttons for b in row]
        assert (f"more:k2:{page + 1}" in datas) == (page + 1 < len(answer.results))
        assert (f"more:k2:{page - 1}" in datas) == (page > 0)
    assert len(set(seen)) == len(answer.results)


def test_series_reply_lists_periods_and_asks_for_a_chart(service):
    answer = service.answer("江津GDP变化")
    reply = render_html(answer)
    text = "\n".join(reply.chunks)
    assert "2015年" in text and "2019年" in text and "682.7亿元" in text and "1036.7亿元" in text
    assert reply.chart == [] or len(reply.chart) >= 3


def test_plain_text_matches_the_html_answer(service):
    answer = service.answer("2019年江津区GDP是多少")
    assert render_text(answer).startswith("1036.7亿元")


def test_a_fall_is_never_shown_as_growth(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "report.txt").write_text(
        "2023年某某县统计公报\n2023年,全县出栏牛1.2万头,同比下降37.4%;出栏羊3.1万只,同比增长-2.5%。\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'f.db'}"
    service = FactService(
        make_engine(url), FactSettings(database_url=url, factbot_seeds_dir=tmp_path / "seeds")
    )
    service.build()
    cattle = service.answer("2023年出栏牛同比下降多少")
    assert cattle.best.fact.row.direction == "down" and cattle.best.fact.row.value == 37.4
    assert "37.4%（下降）" in render_text(cattle) and "降幅" in render_text(cattle)
    sheep = service.answer("2023年出栏羊增长多少")
    assert sheep.best.fact.row.value == -2.5
    assert "下降2.5%" in render_text(sheep)
