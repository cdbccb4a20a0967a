"""A small PNG chart of a series of figures (matplotlib, no display needed).

Labels in the image stay ASCII (years, numbers): the machine may have no CJK font, and the
caption under the photo carries the Chinese name and unit."""

import io
import re
import threading

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from facts.answering.search import Scored


def period_tick(label: str | None) -> str:
    """'2023年1-5月' -> '2023 M1-5', '截至2019年底' -> 'end 2019', '2015年' -> '2015'."""
    label = label or "?"
    years = re.findall(r"(?:19|20)\d{2}", label)
    months = re.search(r"年(\d{1,2}(?:-\d{1,2})?)月", label)
    tick = years[0] if years else "?"
    if "截至" in label or "底" in label:
        tick = f"end {years[-1] if years else '?'}"
    if months:
        tick += f" M{months.group(1)}"
    return tick


def _series_png(series: list[Scored]) -> bytes:
    """Bars of the values over periods, each labelled with its figure."""
    ticks = [period_tick(s.fact.row.period_label) for s in series]
    values = [s.fact.row.value for s in series]
    fig, ax = plt.subplots(figsize=(5, 3), dpi=100)
    try:
        bars = ax.bar(range(len(values)), values, color="#2f6db5")
        ax.set_xticks(range(len(values)), ticks, fontsize=8)
        for bar, value in zip(bars, values, strict=False):
            ax.annotate(
                f"{value:g}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)
    finally:
        plt.close(fig)


def _digest_png(series_list: list[tuple[str, list[Scored]]]) -> bytes:
    """Small multiples: one compact panel per indicator series, numbered (1), (2) … in the order given;
    the caption under the photo names them."""
    count = len(series_list)
    fig, axes = plt.subplots(1, count, figsize=(2.6 * count, 2.4), dpi=100, squeeze=False)
    try:
        for number, (ax, (_, series)) in enumerate(zip(axes[0], series_list, strict=False), start=1):
            values = [s.fact.row.value for s in series]
            ax.plot(range(len(values)), values, marker="o", color="#2f6db5")
            ax.set_xticks(
                range(len(values)), [period_tick(s.fact.row.period_label) for s in series], fontsize=7
            )
            ax.set_title(
                f"({number}) {series[-1].fact.row.unit.encode('ascii', 'ignore').decode()}", fontsize=8
            )
            ax.tick_params(axis="y", labelsize=7)
            ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)
    finally:
        plt.close(fig)


def digest_caption(series_list: list[tuple[str, list[Scored]]]) -> str:
    return "关键指标走势：" + "；".join(
        f"({n}) {name}（{series[-1].fact.row.unit}）" for n, (name, series) in enumerate(series_list, start=1)
    )


def _png(fig) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# pyplot keeps its figures in one global registry: a digest drawn in a worker thread and an answer's
# chart drawn on the event loop take turns
_PYPLOT = threading.Lock()


def series_png(series: list[Scored]) -> bytes:
    """An answer's series as a line chart (PNG)."""
    with _PYPLOT:
        return _series_png(series)


def digest_png(series_list: list[tuple[str, list[Scored]]]) -> bytes:
    """The digest's series, one small chart each, side by side (PNG)."""
    with _PYPLOT:
        return _digest_png(series_list)
