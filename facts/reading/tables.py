"""Pipe tables in repaired report text: a header, then rows of a label and figures.

Reports print tables as `品名 | 播种面积(亩) | 同比增减(%) |` with one row a line, and page
extraction often breaks a header cell over lines. A table is a run of lines holding `|`; its
cells are read in order, and the header is the number of leading cells that makes the rest fall
into rows of a label followed by figures.
"""
import re
from dataclasses import dataclass

NUMBER = re.compile(r"^[-−]?\d+(?:,\d{3})*(?:\.\d+)?$")
UNIT_IN_HEADER = re.compile(r"[(（]([^()（）]{1,6})[)）]")
UNIT_COLUMN = re.compile(r"^(计量)?单位$")
# Rows a table labels as parts of the row above: 其中:稻谷 is part of 粮食作物.
PART_OF = re.compile(r"^(其中|内)[:：]?")
MIN_COLUMNS, MAX_COLUMNS = 2, 12
MIN_ROWS = 1


@dataclass(frozen=True)
class Cell:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Row:
    label: str
    group: str  # the row this one is part of (其中…), else ""
    cells: tuple[Cell, ...]  # every cell after the label, in column order
    start: int
    end: int


@dataclass(frozen=True)
class Table:
    start: int
    end: int
    header: tuple[str, ...]  # the column names after the label column
    rows: tuple[Row, ...]


def _cells(text: str, start: int, end: int) -> list[Cell]:
    cells, last = [], start
    for m in re.finditer(r"\|", text[start:end]):
        at = start + m.start()
        raw = text[last:at]
        stripped = raw.strip().replace("\n", "").replace(" ", "")
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            cells.append(Cell(stripped, last + lead, at - (len(raw) - len(raw.rstrip()))))
        last = at + 1
    tail = text[last:end].strip()
    if tail:
        cells.append(Cell(tail.replace(" ", ""), last + text[last:end].index(tail[0]), end))
    return cells


def _fits(cells: list[Cell], width: int) -> float:
    """How well the cells after a header of `width` fall into rows: a label, then figures or units."""
    body = cells[width:]
    if len(body) < width * MIN_ROWS or len(body) % width:
        return 0.0
    good = 0
    for k in range(0, len(body), width):
        row = body[k:k + width]
        if NUMBER.match(row[0].text):
            return 0.0
        numbers = sum(1 for c in row[1:] if NUMBER.match(c.text))
        good += numbers >= max(1, (width - 1) // 2)
    return good / (len(body) / width)


def find_tables(text: str) -> list[Table]:
    """Every pipe table in `text`."""
    tables = []
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*", text) if m.end() > m.start()]
    block: list[tuple[int, int]] = []
    for a, b in [*lines, (len(text) + 1, len(text) + 1)]:
        if a <= len(text) and "|" in text[a:b]:
            block.append((a, b))
            continue
        if block:
            table = _table(text, block[0][0], block[-1][1])
            if table is not None:
                tables.append(table)
            block = []
    return tables


def _table(text: str, start: int, end: int) -> Table | None:
    cells = _cells(text, start, end)
    best = max(range(MIN_COLUMNS, min(MAX_COLUMNS, len(cells) // 2) + 1), key=lambda w: (_fits(cells, w), -w),
               default=None)
    if best is None or _fits(cells, best) < 0.5:
        return None
    header = tuple(c.text for c in cells[1:best])
    rows, group = [], ""
    for k in range(best, len(cells), best):
        row = cells[k:k + best]
        label = row[0].text
        part = PART_OF.match(label)
        if part:
            label = label[part.end():]
        else:
            group = label
        rows.append(Row(label, group if part else "", tuple(row[1:]), row[0].start, row[-1].end))
    return Table(start, end, header, tuple(rows))


def column_unit(header: str) -> str:
    """The unit a column header gives: 播种面积(亩) → 亩, 同比增减(%) → %."""
    m = UNIT_IN_HEADER.search(header)
    return m.group(1) if m else ""


def column_name(header: str) -> str:
    return UNIT_IN_HEADER.sub("", header)
