"""Answers as plain text (console, `factbot ask`). The Telegram HTML face is built on the same parts."""
from facts.answer import KIND_NAMES, MEASURE_NAMES, Answer
from facts.search import Scored

EXAMPLES = ("2022年江津班列开行了多少列？", "江津综保区2022年进出口额是多少？", "2019年江津区GDP是多少？")


def kind_label(scored: Scored) -> str:
    row = scored.fact.row
    label = KIND_NAMES.get(row.kind, row.kind)
    measure = MEASURE_NAMES.get(row.measure, "")
    return f"{label}·{measure}" if measure else label


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
            f"{row.figure} —— {row.indicator}",
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
    if answer.reason == "empty":
        return f"请输入一个问题，例如：{EXAMPLES[0]}"
    if answer.reason == "too_long":
        return "问题太长了，请精简到500字以内再问。"
    if answer.reason == "vague":
        return f"没看懂要问哪一项数据。可以这样问：{EXAMPLES[0]}"
    query = answer.query
    if answer.reason == "period" and query and query.period:
        head = f"报告中没有{query.period.label}的这项数据。"
    elif answer.reason == "subject" and query and query.subject:
        head = f"报告中没有关于{query.subject.name}的这项数据。"
    elif answer.reason == "district" and query and query.district:
        head = f"报告中没有关于{query.district}的这项数据。"
    else:
        head = "报告中没有找到这项数据。"
    if not answer.suggestions:
        return head
    return "\n".join([head, "您是不是想问："] + [f"· {short_fact(s)}" for s in answer.suggestions])
