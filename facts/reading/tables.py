"""Pipe tables in repaired report text: a header, then rows of a label and figures.

Reports print tables as `品名 | 播种面积(亩) | 同比增减(%) |` with one row a line, and page
extraction often breaks a header cell over lines. A table is a run of lines holding `|`; its
cells are read in order, and the header is the number of leading cells that makes the rest fall
into rows of a label followed by figures.
"""

import re
from collections import Counter
from dataclasses import dataclass

from facts.reading.repair import CELL_MIN, is_cell_line

NUMBER = re.compile(r"^[-−]?\d+(?:,\d{3})*(?:\.\d+)?$")
UNIT_IN_HEADER = re.compile(r"[(（]([^()（）]{1,6})[)）]")
UNIT_COLUMN = re.compile(r"^(计量)?单位$")
# Rows a table labels as parts of the row above: 其中:稻谷 is part of 粮食作物.
PART_OF = re.compile(r"^(其中|内|#)[:：]?")
# A cell holding a figure with its unit: 162817吨, 26.5万亩.
CELL_FIGURE = re.compile(
    r"^(-?\d+(?:,\d{3})*(?:\.\d+)?)((?![年月日号季期届])[^\d\s|()（）.,%]{1,4}|%)$"
)  # 2021年 is a date
RANK = re.compile(r"^\d{1,3}$")
CAPTION_CELL = re.compile(r"^附?表\s*[\d一二三四五六七八九十]")  # 表1, 附表一: a table's caption
MIN_COLUMNS, MAX_COLUMNS = 2, 12
MIN_ROWS = 1
RANK_AND_LABEL = 2  # a ranked row opens with two cells that are no figures: its rank and its label
MIN_FIT = 0.5  # a shape into which fewer than half the rows fall (a label, then figures) is no table


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


def _group_row(row: list[Cell]) -> bool:
    """分产业 | -- | --: a row naming a group of the rows below it, with no figures of its own."""
    return all(BLANK_CELL.match(c.text) for c in row[1:])


def _ranked(row: list[Cell]) -> bool:
    """A row opening with its rank (1 | 潞州区 | 565.7 | 8): the label is the second cell."""
    return len(row) > RANK_AND_LABEL and RANK.match(row[0].text) is not None and not NUMBER.match(row[1].text)


def _fits(cells: list[Cell], width: int, head: int | None = None) -> float:
    """How well the cells after a header of `head` cells fall into rows of `width`: a label (after a rank,
    if any), then figures or units."""
    body = cells[width if head is None else head :]
    if len(body) < width * MIN_ROWS or len(body) % width:
        return 0.0
    good = 0
    for k in range(0, len(body), width):
        row = body[k : k + width]
        if _ranked(row):
            row = row[1:]
        if NUMBER.match(row[0].text) or CELL_FIGURE.match(row[0].text):
            return 0.0
        numbers = sum(1 for c in row[1:] if NUMBER.match(c.text) or CELL_FIGURE.match(c.text))
        good += _group_row(row) or numbers >= max(1, (width - 1) // 2)
    return good / (len(body) / width)


def find_tables(text: str) -> list[Table]:
    """Every pipe table in `text`. A run of `|` lines holds a new table wherever a header line (two or more
    cells, none a figure) follows rows with figures: a ranking and then a history, printed together."""
    tables = []
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*", text) if m.end() > m.start()]
    block: list[tuple[int, int]] = []
    seen_figures = False
    for a, b in [*lines, (len(text) + 1, len(text) + 1)]:
        line = text[a:b] if a <= len(text) else ""
        piped = "|" in line
        cells = _cells(text, a, b) if piped else []
        header = (
            len(cells) >= MIN_COLUMNS
            and not any(NUMBER.match(c.text) for c in cells)
            and not _group_row(cells)
        )
        if piped and not block and len(cells) < MIN_COLUMNS and cells and CAPTION_CELL.match(cells[0].text):
            continue  # | 表1 2022年全县生产总值 | ||: the caption, printed as the table's first row
        if piped and not (header and seen_figures):
            block.append((a, b))
            seen_figures = seen_figures or any(NUMBER.match(c.text) for c in cells)
            continue
        block = _whole_rows(text, block)
        if block:
            table = _table(text, block[0][0], block[-1][1])
            if table is not None:
                tables.append(table)
        block, seen_figures = ([(a, b)], False) if piped else ([], False)
    return tables


def _whole_rows(text: str, block: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The block without a last row cut short (an excerpt that ends mid-row: |营利性服务业|83.01)."""
    if len(block) > 1 and len(_cells(text, *block[-1])) < len(_cells(text, *block[0])):
        return block[:-1]
    return block


LABEL_CELL_MAX = 24  # a first cell longer than this holds prose before the table's first header cell
# the names statistics tables give their label column, closing a first cell that holds more
LABEL_HEAD = re.compile(r"(?:指标名称|指标|项目名称|项目|品名|名称|地区|类别|行业)\s*$")


def _table(text: str, start: int, end: int) -> Table | None:
    cells = _cells(text, start, end)
    if cells and (len(cells[0].text) > LABEL_CELL_MAX or "。" in cells[0].text):
        # …增长9.7%。表1生产总值 单位:亿元 指标名称 | 增加值 |: a table printed on the line of the prose
        # before it opens with its label column's name (the caption before it), else after the prose
        first = cells[0]
        raw = text[first.start : first.end]
        label = LABEL_HEAD.search(raw)
        start = first.start + (label.start() if label else raw.rfind("。") + 1)
        cells[0] = Cell(text[start : first.end].strip(), start, first.end)
    # an excerpt that stops mid-row (| 房地产业 | 3): the cut row is left out
    return _table_of_cells(cells, start, end, cut=not text[end:].strip())


def _table_of_cells(cells: list[Cell], start: int, end: int, cut: bool = False) -> Table | None:
    """The header width and row width that make the cells fall into rows best. A header may leave out the
    label column's name (2023年 | 较上年增长(%) over rows of name, amount, growth). A `cut` table (the
    text stops inside it) may end with part of a row, which is left out."""

    def complete(w: int, h: int) -> list[Cell]:
        return cells[: len(cells) - (len(cells) - h) % w] if cut and len(cells) > h else cells

    shapes = [(w, h) for w in range(MIN_COLUMNS, min(MAX_COLUMNS, len(cells) // 2) + 1) for h in (w, w - 1)]
    if not shapes:
        return None
    width, head = max(shapes, key=lambda s: (_fits(complete(*s), s[0], s[1]), s[1] == s[0], -s[0]))
    cells = complete(width, head)
    if _fits(cells, width, head) < MIN_FIT:
        return None
    ranked = _ranked(cells[head : head + width])
    skip = (RANK_AND_LABEL if ranked else 1) - (
        width - head
    )  # the rank and label columns, when the header names them
    header = tuple(c.text for c in cells[skip:head])
    rows, group = [], ""
    for k in range(head, len(cells), width):
        whole = cells[k : k + width]
        row = whole[1:] if ranked else whole
        label, part = _part_of(row[0].text)
        group = group if part else label
        rows.append(Row(label, group if part else "", tuple(row[1:]), whole[0].start, row[-1].end))
    return Table(start, end, header, tuple(rows))


def column_unit(header: str) -> str:
    """The unit a column header gives: 播种面积(亩) → 亩, 同比增减(%) → %, 比上年±% → %."""
    m = UNIT_IN_HEADER.search(header)
    return m.group(1) if m else "%" if header.endswith(("%", "％")) else ""


def column_name(header: str) -> str:
    return UNIT_IN_HEADER.sub("", header)


# Tables printed without separators: a header naming each figure column with its unit,
# "排行各区2021年GDP(亿元)增速(%)", then rows "2红花岗区481.8412.3" (rank, name, 481.84, 12.3).
GLUED_HEADER_UNIT = re.compile(r"[(（]([^()（）]{1,6})[)）]")
GLUED_ROW = re.compile(
    r"^(?P<rank>\d{1,3}(?=[\u4e00-\u9fff]))?(?P<label>(?:19|20)\d{2}年|[\u4e00-\u9fff]{1,12}?)"
    r"(?P<digits>-?\d[\d.]*)$"
)
GLUED_MIN_ROWS = 2
MAX_DECIMALS = 3  # statistics tables print at most this many decimals
SEEN_DIGITS = 4
PERCENT_LIMIT = 100.0  # a growth rate or share past this is a mis-split (1564.4 and 912%)


def _splits(digits: str, parts: int) -> list[tuple[str, ...]]:
    """Every way to read `digits` as `parts` numbers, each well formed (no leading zero, one point)."""
    if parts == 1:
        return [(digits,)] if _well_formed(digits) else []
    out = []
    for cut in range(1, len(digits)):
        head = digits[:cut]
        if _well_formed(head):
            out += [(head, *rest) for rest in _splits(digits[cut:], parts - 1)]
    return out


def _well_formed(number: str) -> bool:
    body = number.lstrip("-")
    if not body or body.count(".") > 1 or body.startswith(".") or body.endswith("."):
        return False
    whole, _, decimals = body.partition(".")
    return (whole == "0" or not whole.startswith("0")) and len(decimals) <= MAX_DECIMALS


def find_glued_tables(text: str) -> list[Table]:
    """Tables whose cells lost their separators, read back with the header's units: each row's digits are
    split so that percentages stay below 100, the first column keeps the decimals most rows agree on, and a
    number the text gives elsewhere (4169.9 in the prose) is preferred."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    tables = []
    i = 0
    while i < len(lines):
        a, b = lines[i]
        header = text[a:b]
        units = GLUED_HEADER_UNIT.findall(header)
        rows = []
        j = i + 1
        while len(units) >= 1 and "。" not in header and j < len(lines):
            m = GLUED_ROW.match(text[lines[j][0] : lines[j][1]].strip())
            if m is None:
                break
            rows.append((lines[j], m))
            j += 1
        table = _glued_table(text, header, a, units, rows) if len(rows) >= GLUED_MIN_ROWS else None
        if table is not None:
            tables.append(table)
            i = j
        else:
            i += 1
    return tables


def _glued_table(text: str, header: str, start: int, units: list[str], rows: list) -> Table | None:
    names = [n for n in GLUED_HEADER_UNIT.split(header)[0::2]][: len(units)]
    headers = tuple(f"{n}({u})" for n, u in zip(names, units, strict=False))
    percent = [u == "%" for u in units]
    options = []
    for (_, _), m in rows:
        splits = [
            s
            for s in _splits(m["digits"], len(units))
            if all(not p or abs(float(x)) <= PERCENT_LIMIT for x, p in zip(s, percent, strict=True))
        ]
        if not splits:
            return None
        options.append(splits)

    def decimals(number: str) -> int:
        return len(number.partition(".")[2])

    votes: dict[int, int] = {}
    for splits in options:
        for d in {decimals(s[0]) for s in splits}:
            votes[d] = votes.get(d, 0) + 1
    usual = max(votes, key=lambda d: (votes[d], d))
    elsewhere = text[:start] + text[rows[-1][0][1] :]
    table_rows = []
    for ((a, b), m), splits in zip(rows, options, strict=True):

        def score(split: tuple[str, ...]) -> tuple[int, int]:
            # a figure of four digits or more that the prose repeats is the table's (4169.9); short ones
            # (2, 12) occur anywhere
            seen = sum(
                1
                for x in split
                if len(x.replace(".", "").lstrip("-")) >= SEEN_DIGITS
                and re.search(rf"(?<![\d.]){re.escape(x)}(?![\d])", elsewhere)
            )
            return seen, decimals(split[0]) == usual

        best = max(splits, key=score)
        line = text[a:b]
        offset = a + len(line) - len(line.lstrip()) + m.start("digits")
        cells = []
        for number in best:
            cells.append(Cell(number, offset, offset + len(number)))
            offset += len(number)
        label = m["label"]
        table_rows.append(Row(label, "", tuple(cells), a, b))
    return Table(start, rows[-1][0][1], headers, tuple(table_rows))


# Tables printed one cell a line (copied from a web page), kept line by line by repair.
def find_cell_tables(text: str) -> list[Table]:
    """Runs of short lines without sentence punctuation, a third of them figures: one cell a line."""
    tables = []
    run: list[Cell] = []
    for m in [*re.finditer(r"[^\n]+", text), None]:
        line = m.group(0).strip() if m else ""
        if m and is_cell_line(line):
            lead = len(m.group(0)) - len(m.group(0).lstrip())
            run.append(Cell(line.replace(" ", ""), m.start() + lead, m.start() + lead + len(line)))
            continue
        figures = sum(1 for c in run if _is_figure(c))
        if len(run) >= CELL_MIN and figures * 3 >= len(run):
            cells = _joined_units(run)
            table = max(
                (t for t in (_table_of_cells(cells, run[0].start, run[-1].end), _table_of_rows(cells)) if t),
                key=_regular,
                default=None,
            )
            if table is not None:
                tables.append(table)
        run = []
    return tables


def _is_figure(cell: Cell) -> bool:
    return bool(NUMBER.match(cell.text) or CELL_FIGURE.match(cell.text))


def _table_of_rows(cells: list[Cell]) -> Table | None:
    """Cells read row by row rather than in fixed widths: a label, then its figures. Robust to a heading
    line among the rows (一、综合) and to rows of a few figures fewer; the usual count of figures a row
    holds is the table's width, and the header is the run of names before the first row's label."""
    runs: list[tuple[list[Cell], list[Cell]]] = []  # (names, then the figures after them)
    for cell in cells:
        if _is_figure(cell) or (runs and runs[-1][0] and BLANK_CELL.match(cell.text)):
            if runs:
                runs[-1][1].append(cell)
        elif runs and not runs[-1][1]:
            runs[-1][0].append(cell)
        else:
            runs.append(([cell], []))
    counts = Counter(len(figures) for _, figures in runs if figures)
    if not counts:
        return None
    width = counts.most_common(1)[0][0]
    names = runs[0][0][:-1][-(width + 1) :]  # the header, with the label column's name when given
    header = tuple(([""] * width + [c.text for c in names])[-width:])
    rows, group = [], ""
    for found, figures in runs:
        if not figures or len(figures) > width:
            continue
        label, part = _part_of(found[-1].text)
        group = group if part else label
        rows.append(Row(label, group if part else "", tuple(figures), found[-1].start, figures[-1].end))
    if len(rows) < MIN_ROWS:
        return None
    return Table((names or runs[0][0])[0].start, rows[-1].end, header, tuple(rows))


def _regular(table: Table) -> tuple[float, int]:
    """How table-like a reading is: the share of its rows with a full set of figures, then its size."""
    width = len(table.header)
    full = sum(1 for r in table.rows if len(r.cells) == width and all(_is_figure(c) for c in r.cells))
    return full / max(len(table.rows), 1), len(table.rows)


def _part_of(label: str) -> tuple[str, bool]:
    """A row's label without the mark saying it is part of the row above (其中:稻谷, #批发业)."""
    part = PART_OF.match(label)
    return (label[part.end() :], True) if part else (label, False)


BLANK_CELL = re.compile(r"^[-—–/…]+$")  # a figure the table does not give (—): a column kept, no fact
UNIT_CELL = re.compile(r"^[(（][^()（）]{1,8}[)）]$")


def _joined_units(cells: list[Cell]) -> list[Cell]:
    """A header cell's unit printed on a line of its own (绝对数 / (亿元)) joins the cell it belongs to;
    the header ends at the first figure."""
    out: list[Cell] = []
    for k, cell in enumerate(cells):
        if NUMBER.match(cell.text) or CELL_FIGURE.match(cell.text):
            return out + cells[k:]
        if out and UNIT_CELL.match(cell.text):
            out[-1] = Cell(out[-1].text + cell.text, out[-1].start, cell.end)
        else:
            out.append(cell)
    return out
