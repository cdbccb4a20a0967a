"""Answers as plain text (console, `factbot ask`) and as Telegram HTML with buttons (the bot).

Pure functions: nothing here talks to Telegram, so all of it is tested without a network."""

import html
import re
from collections import Counter
from dataclasses import dataclass, field

from facts.answering.answer import KIND_NAMES, MEASURE_NAMES, Answer
from facts.answering.search import Scored
from facts.kinds import Reason

EXAMPLES = ("2022年江津班列开行了多少列？", "江津综保区2022年进出口额是多少？", "2019年江津区GDP是多少？")


def kind_label(scored: Scored) -> str:
    row = scored.fact.row
    label = KIND_NAMES.get(row.kind, row.kind)
    measure = MEASURE_NAMES.get(row.measure, "")
    if row.measure == "growth" and row.direction == "down":
        measure = "降幅" if row.value >= 0 else "增速（为负，即下降）"
    return f"{label}·{measure}" if measure else label


def shown_figure(row) -> str:
    """The figure as written, and 下降 beside it when it is a fall: 37.4%（下降）, -0.5%（下降0.5%）."""
    if row.direction != "down" or row.measure not in {"growth", "change"}:
        return row.figure
    if row.value < 0:
        return f"{row.figure}（下降{-row.value:g}{row.unit}）"
    return f"{row.figure}（下降）"


def source_line(scored: Scored, titles: dict[str, str]) -> str:
    row = scored.fact.row
    title = titles.get(row.doc) or row.doc
    return f"来源：《{title}》 ({row.doc}, 第{row.line}行)"


def short_fact(scored: Scored) -> str:
    row = scored.fact.row
    parts = [p for p in (row.period_label, row.subject_name, kind_label(scored)) if p]
    return f"{row.figure} {row.indicator}（{'，'.join(parts)}）"


def render_text(answer: Answer) -> str:
    """The reply, as plain text."""
    if answer.answered and answer.best:
        best = answer.best
        row = best.fact.row
        period = (row.period_label or "时间不详") + ("（据上下文推定）" if row.period_inferred else "")
        lines = [
            f"{shown_figure(row)} —— {row.indicator}",
            f"主体：{row.subject_name or '未注明'} | 时间：{period} | 类型：{kind_label(best)}",
            f"原文：“{row.sentence}”",
            source_line(best, answer.titles),
        ]
        others = [s for s in answer.results[1:] if s.fact.row.figure != row.figure][:2]
        if others:
            lines.append("其他相关：")
            lines += [f"· {short_fact(s)}" for s in others]
        return "\n".join(lines)
    return abstain_text(answer)


def abstain_text(answer: Answer) -> str:
    if answer.reason == Reason.EMPTY:
        return f"请输入一个问题，例如：{EXAMPLES[0]}"
    if answer.reason == Reason.TOO_LONG:
        return "问题太长了，请精简到500字以内再问。"
    if answer.reason == Reason.VAGUE:
        return f"没看懂要问哪一项数据。可以这样问：{EXAMPLES[0]}"
    query = answer.query
    if answer.reason == Reason.PERIOD and query and query.period:
        head = f"报告中没有{query.period.label}的这项数据。"
    elif answer.reason == Reason.SUBJECT and query and query.subject:
        head = f"报告中没有关于{query.subject.name}的这项数据。"
    elif answer.reason == Reason.DISTRICT and query and query.district:
        head = f"报告中没有关于{query.district}的这项数据。"
    elif answer.reason == Reason.TARGET_ONLY:
        head = f"报告中{query.period.label if query and query.period else ''}的这项数据只有目标，没有实际完成数。"
    else:
        head = "报告中没有找到这项数据。"
    if not answer.suggestions:
        return head
    return "\n".join([head, "您是不是想问："] + [f"· {short_fact(s)}" for s in answer.suggestions])


# Telegram HTML. Every tag opens and closes on one line, so a reply can be split between lines.
TELEGRAM_LIMIT = 4096
CALLBACK_LIMIT = 64
CHART_POINTS = 3  # a series gets a chart from this many periods on (two points are a table's job)
CHANGES_SHOWN = 10  # a digest lists this many of the changes since the last one, and counts the rest


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # callback data, at most 64 bytes

    def __post_init__(self):
        if not 0 < len(self.data.encode()) <= CALLBACK_LIMIT:
            raise ValueError(f"callback data must be 1..{CALLBACK_LIMIT} bytes: {self.data!r}")


@dataclass
class Reply:
    """A rendered reply: HTML chunks (each within Telegram's limit), button rows, and a chart if any."""

    chunks: list[str]
    buttons: list[list[Button]] = field(default_factory=list)
    chart: list[Scored] = field(default_factory=list)  # points of a series worth drawing


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def highlight(sentence: str, figure: str) -> str:
    """The quote, escaped, with the figure in bold."""
    at = sentence.find(figure)
    if at < 0 or not figure:
        return esc(sentence)
    return esc(sentence[:at]) + "<b>" + esc(figure) + "</b>" + esc(sentence[at + len(figure) :])


def fact_html(scored: Scored, titles: dict[str, str]) -> list[str]:
    row = scored.fact.row
    period = esc(row.period_label or "时间不详") + ("（据上下文推定）" if row.period_inferred else "")
    title = titles.get(row.doc) or row.doc
    return [
        f"<b>{esc(shown_figure(row))}</b> · {esc(row.indicator)}",
        f"主体：{esc(row.subject_name or '未注明')} ｜ 时间：{period} ｜ 类型：{esc(kind_label(scored))}",
        f"<blockquote>{highlight(row.sentence, row.figure)}</blockquote>",
        f"来源：《{esc(title)}》 ({esc(row.doc)}, 第{row.line}行)",
    ]


def button_label(scored: Scored, limit: int = 40) -> str:
    row = scored.fact.row
    label = f"{row.figure} {row.indicator}" + (f"（{row.period_label}）" if row.period_label else "")
    return label if len(label) <= limit else label[: limit - 1] + "…"


def render_html(answer: Answer, key: str = "", page: int = 0) -> Reply:
    """The reply the bot sends: one fact per page with 更多 paging, a series table, or an abstention."""
    if answer.answered and answer.series and page == 0:
        return series_reply(answer)
    if answer.answered and answer.results:
        page = max(0, min(page, len(answer.results) - 1))
        lines = fact_html(answer.results[page], answer.titles)
        total = len(answer.results)
        nav = []
        if key and page > 0:
            nav.append(Button("◀ 上一条", f"more:{key}:{page - 1}"))
        if key and page + 1 < total:
            nav.append(Button(f"更多 ({page + 2}/{total}) ▶", f"more:{key}:{page + 1}"))
        return Reply(split_html(lines), [nav] if nav else [])
    lines = [
        esc(line)
        for line in abstain_text(answer).splitlines()
        if not line.startswith("· ") and line != "您是不是想问："
    ]
    buttons = []
    if answer.suggestions:
        lines.append("您是不是想问：")
        buttons = [[Button(button_label(s), f"fact:{s.fact.id}")] for s in answer.suggestions[:5]]
    return Reply(split_html(lines), buttons)


def series_reply(answer: Answer) -> Reply:
    head = (answer.best or answer.series[-1]).fact.row
    lines = [f"<b>{esc(head.indicator)}</b>（{esc(head.subject_name or '')}）历年数据："]
    for scored in answer.series:
        row = scored.fact.row
        lines.append(
            f"• {esc(row.period_label)}：<b>{esc(row.figure)}</b>（{esc(kind_label(scored))}；"
            f"{esc(row.doc)}, 第{row.line}行）"
        )
    docs = dict.fromkeys(s.fact.row.doc for s in answer.series)
    lines.append("来源：" + "；".join(f"《{esc(answer.titles.get(d) or d)}》" for d in docs))
    return Reply(
        split_html(lines),
        [],
        answer.series if len(answer.series) >= CHART_POINTS and same_spans(answer.series) else [],
    )


def same_spans(series: list[Scored]) -> bool:
    """Bars side by side must cover alike periods: all running totals, or all of one length
    (a year's figure next to five months' would mislead; the table still lists both)."""
    spans = set()
    for scored in series:
        period = scored.fact.period
        if period is None:  # no place on a time axis (series_of leaves undated facts out)
            return False
        spans.add(None if period.start is None else period.end - period.start)
    return len(spans) == 1


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji or 𠮷 counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_html(lines: list[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join lines into chunks of at most `limit` UTF-16 units, never inside a tag or an entity."""
    chunks, current = [], ""
    for line in lines:
        for piece in _fit_line(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if telegram_length(candidate) > limit:
                chunks.append(current)
                current = piece
            else:
                current = candidate
    if current:
        chunks.append(current)
    return chunks or ["…"]


def _fit_line(line: str, limit: int) -> list[str]:
    """A line longer than a message loses its markup and is cut between characters, not inside &amp;."""
    if telegram_length(line) <= limit:
        return [line]
    plain = re.sub(r"<[^>]+>", "", line)
    pieces = []
    while plain:
        cut = min(limit, len(plain))
        while telegram_length(plain[:cut]) > limit:
            cut -= max(1, (telegram_length(plain[:cut]) - limit) // 2)
        amp = plain.rfind("&", max(0, cut - 10), cut)
        if amp >= 0 and ";" not in plain[amp:cut] and cut < len(plain):
            cut = amp
        pieces.append(plain[:cut])
        plain = plain[cut:]
    return pieces


def digest_html(digest) -> list[str]:
    """The digest's lines (HTML): each indicator's latest figure, the previous one and the change."""
    lines = [f"<b>{esc(digest.district)} 关键指标摘要</b>"]
    for item in digest.items:
        name = esc(item.indicator.name)
        latest = item.latest
        if latest is None:
            lines.append(f"<b>{name}</b>：报告中暂无数据")
            continue
        row = latest.fact.row
        kind = KIND_NAMES.get(row.kind, row.kind)
        lines.append(
            f"<b>{name}</b>：<b>{esc(row.figure)}</b>（{esc(row.period_label or '时间不详')}，{kind}）"
        )
        previous = item.previous
        if previous is not None:
            before = previous.fact.row
            change = item.change
            if change is None:
                delta = "口径不同，不计算变化"
            else:
                absolute, percent = change
                unit = row.unit if row.unit != "%" else "个百分点"
                delta = f"{absolute:+g}{unit}" + (
                    f"（{percent:+.1f}%）" if percent is not None and row.unit != "%" else ""
                )
            lines.append(
                f"　上一期：{esc(before.figure)}（{esc(before.period_label or '时间不详')}）→ {esc(delta)}"
            )
        if item.target is not None:
            goal = item.target.fact.row
            lines.append(
                f"　目标：{esc(goal.figure)}（{esc(goal.period_label or '时间不详')}；{esc(goal.doc)}, 第{goal.line}行）"
            )
        lines.append(
            f"　来源：《{esc(digest.titles.get(row.doc) or row.doc)}》 ({esc(row.doc)}, 第{row.line}行)"
        )
    if digest.changes:
        counts = Counter(kind for kind, _ in digest.changes)
        names = {"added": "新增", "removed": "移除", "changed": "变化"}
        lines.append("<b>自上次摘要以来</b>：" + "，".join(f"{names[k]} {n} 条" for k, n in counts.items()))
        lines += [f"• {names[kind]}：{esc(text)}" for kind, text in digest.changes[:CHANGES_SHOWN]]
        if len(digest.changes) > CHANGES_SHOWN:
            lines.append(f"… 另有 {len(digest.changes) - CHANGES_SHOWN} 条")
    return lines
