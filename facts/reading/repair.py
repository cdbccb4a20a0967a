"""Repair OCR/PDF report text into paragraphs, keeping a map back to the file's characters."""

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

import zhconv

# Full-width ASCII variants and the ideographic space, one char for one char so offsets survive.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFE59: 0x28, 0xFE5A: 0x29}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = " \t\u00a0\f\v"
_SPACE_RUN = re.compile(f"[{_SPACE}]+")
# A leading blank in these OCR files marks a new text block; \f is a page break, not a block start.
_BLOCK_INDENT = " \t\u00a0"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HEADING_MARK = re.compile(r"#+[ \t\u00a0]+")
_SENTENCE_END = re.compile(r"[。!?;…][”’」』)\"']*$")

# A pinyin gloss after a character, as some traditional-script pages print them: 綿陽(yáng), 萬(wàn)頭.
_TONED = r"[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\d?"
# Toneless glosses too (長(chang)治市實現(xian)): a whole pinyin syllable, initial and final.
_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|ia|ie|iu|ua|uo|"
    r"ui|ve|er|a|o|e|i|u|v|ü)"
)
_GLOSS = re.compile(rf"(?<=[\u3400-\u9fff)])\((?:{_TONED}|{_SYLLABLE})\)")
# Lost characters a page shows as question marks (????, ??工??业 for an indent): never part of a figure or a word.
_LOST = re.compile(r"\?{3,}")

# A table row without separators (rank, name, figures run together) and a header naming its units.
_TABLE_ROW = re.compile(r"^\d{0,3}(?:(?:19|20)\d{2}年|[\u4e00-\u9fff]{1,12}?)-?\d[\d.]*$")
_TABLE_HEADER = re.compile(r"[(（][^()（）,，。]{1,6}[)）]$")

MIN_COLUMNS = 2  # a table has a label column and at least one of figures

_DOUBLED_MIN_CHARS = 8
_DOUBLED_MIN_SHARE = 0.6
# The extractor doubles one text run at a time; the cap keeps a page-long line linear to scan.
_DOUBLED_MAX_CHUNK = 200


@dataclass(frozen=True)
class RepairedText:
    """Repaired text plus, for each of its characters, the offset in `original` it came from."""

    original: str
    text: str
    origin: tuple[int, ...]
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = (0, *(m.end() for m in _LINE_BREAK.finditer(self.original)))
        object.__setattr__(self, "_line_starts", starts)

    def line_of(self, i: int) -> int:
        """1-based line number in `original` of the character text[i] came from."""
        return bisect_right(self._line_starts, self.origin[i])

    def original_span(self, start: int, end: int) -> str:
        """The verbatim stretch of `original` behind text[start:end]."""
        if start >= end:
            return ""
        return self.original[self.origin[start] : self.origin[end - 1] + 1]


def repair(original: str) -> RepairedText:
    """Undo OCR damage: full-width ASCII, traditional script, pinyin glosses, doubled phrases, stray
    spaces, broken lines."""
    narrow, first = normalise_script(original.translate(_HALF_WIDTH))
    out: list[str] = []
    origin: list[int] = []
    previous: tuple[str, int] | None = None  # last kept line and the offset of its line break
    start = 0
    blank = False  # an empty line since the last kept one
    bounds = _line_bounds(narrow)
    cells = _cell_lines(
        [narrow[a:b] for (b, _), a in zip(bounds, [0] + [n for _, n in bounds[:-1]], strict=True)]
    )
    spaced = _spaced_tables(narrow, bounds)
    cells -= set(spaced)
    short = _short_line_max(narrow, bounds)
    previous_index = -1
    for index, (end, next_start) in enumerate(bounds):
        kept = spaced[index] if index in spaced else _clean_line(narrow, start, end)
        if not kept or not narrow[start:end].strip():
            blank = True
        if kept:
            line = (
                narrow[start:end]
                if isinstance(kept, range)
                else "".join("|" if o < 0 else narrow[o] for o in kept)
            )
            kept = [-o - 1 if o < 0 else o for o in kept] if index in spaced else kept
            if previous is not None:
                separator = _separator(previous[0], line, narrow[start] in _BLOCK_INDENT)
                if not separator and blank and _TABLE_ROW.match(previous[0].strip()):
                    separator = "\n"  # a blank line after a table row ends the table
                if not separator and (_DATE_ALONE.match(previous[0]) or _DATE_ALONE.match(line)):
                    separator = "\n"  # a date on a line of its own (2018年5月2日) is no part of a sentence
                if index in cells or previous_index in cells:
                    separator = "\n"  # a table printed one cell a line keeps its cells apart
                if len(previous[0]) <= short and not _CLAUSE_MARK.search(previous[0]):
                    separator = "\n"  # a title, heading or date line above a paragraph
                if separator:
                    out.append(separator)
                    origin.append(previous[1])
            out.append(line)
            origin.extend(kept)
            previous = (line, end)
            previous_index = index
            blank = False
        start = next_start
    return RepairedText(original=original, text="".join(out), origin=tuple(first[o] for o in origin))


# A table printed one cell a line: a run of short lines (blank lines between allowed), no sentence
# punctuation, at least this many, a third of them figures (162817吨, -9.7). A row label may list
# industries with 、 (交通运输、仓储和邮政业: 11 characters; the longest such labels run to about 20).
CELL_MAX = 20
CELL_MIN = 6
_CELL_FIGURE = re.compile(r"^-?\d[\d,.]*\s*[^\d\s]{0,4}$")
CELL_BREAK = re.compile(r"[。!?！？;；,，]")


def is_cell_line(line: str) -> bool:
    """Whether a stripped line may be one cell of a table printed one cell a line."""
    return 0 < len(line) <= CELL_MAX and "|" not in line and not CELL_BREAK.search(line)


def _cell_lines(lines: list[str]) -> set[int]:
    """Indices of lines that are cells of such a table."""
    found: set[int] = set()
    run: list[int] = []
    for i, raw in enumerate([*lines, "。"]):
        line = raw.strip()
        if not line:
            continue
        if is_cell_line(line):
            run.append(i)
            continue
        figures = sum(1 for k in run if _CELL_FIGURE.match(lines[k].strip()))
        if len(run) >= CELL_MIN and figures * 3 >= len(run):
            found.update(run)
        run = []
    return found


# A table whose cells are set apart by spaces (产品名称 产量(吨) 比上年增长(%) / 粮食 122800 -3.9): a header
# line of names, then rows of a label and as many figures each. Such lines become pipe rows
# (粮食|122800|-3.9), each | standing for the blank it replaces.
_SPACED_NUMBER = re.compile(r"^(?:[-−]?\d[\d,]*(?:\.\d+)?%?|[-—–/…]+)$")
_SPACED_ROW_MAX = 60  # a row is a short line: a label and a few figures
_SPACED_HEADER_MAX = 80
_SPACED_MIN_ROWS = 2


def _spaced_tables(narrow: str, bounds: list[tuple[int, int]]) -> dict[int, list[int]]:
    """For each line of such a table, the offsets its pipe row keeps: each cell's characters (spaces
    inside a label dropped: 粮 食 is 粮食) and, between cells, -1 - the offset of the blank they replace."""
    starts = [0] + [n for _, n in bounds[:-1]]
    tokens = [
        [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", narrow[a:b])]
        for a, (b, _) in zip(starts, bounds, strict=True)
    ]
    texts = [[narrow[x:y] for x, y in line] for line in tokens]
    found: dict[int, list[int]] = {}
    i = 0
    while i < len(tokens):
        names = _header_width(texts[i], narrow[starts[i] : bounds[i][0]])
        rows, j, width = [], i + 1, 0
        while names and j < len(tokens):
            if not texts[j]:
                j += 1
                continue
            figures = _row_figures(texts[j], narrow[starts[j] : bounds[j][0]])
            if not figures or figures > names or (width and figures != width):
                break
            rows.append(j)
            width = figures
            j += 1
        if len(rows) < _SPACED_MIN_ROWS:
            i += 1
            continue
        found[i] = _piped(narrow, tokens[i], len(tokens[i]) - width)
        for r in rows:
            found[r] = _piped(narrow, tokens[r], len(tokens[r]) - width)
        i = j
    return found


def _header_width(cells: list[str], line: str) -> int:
    """How many figure columns a header line may name (its cells, none a figure), else 0."""
    if len(cells) < MIN_COLUMNS or len(line.strip()) > _SPACED_HEADER_MAX or CELL_BREAK.search(line):
        return 0
    if any(_SPACED_NUMBER.match(c) for c in cells):
        return 0
    return len(cells)


def _row_figures(cells: list[str], line: str) -> int:
    """How many figures end a row line (粮食 122800 -3.9 → 2), else 0 (no label, or not a row)."""
    if len(line.strip()) > _SPACED_ROW_MAX or CELL_BREAK.search(line):
        return 0
    figures = (
        len(cells)
        - next((k for k in range(len(cells) - 1, -1, -1) if not _SPACED_NUMBER.match(cells[k])), -1)
        - 1
    )
    label = cells[: len(cells) - figures]
    return figures if label and _CJK.search(label[0]) else 0


def _piped(narrow: str, tokens: list[tuple[int, int]], label_tokens: int) -> list[int]:
    """Offsets of a pipe row: the first `label_tokens` tokens joined as one cell, then one cell a token,
    each closed by a |."""
    label_tokens = max(label_tokens, 1)
    kept: list[int] = []
    for k, (x, y) in enumerate(tokens):
        if label_tokens <= k:
            kept.append(-1 - (x - 1))  # the blank before this cell becomes its |
        kept.extend(range(x, y))
    kept.append(
        -1 - (tokens[-1][1] - 1)
    )  # a closing | (pipe rows end with one), standing on the last character
    return kept


def normalise_script(text: str) -> tuple[str, list[int]]:
    """Simplified script, without pinyin glosses and ???? runs, and for each kept character its offset
    in `text`. Characters are converted one by one (億→亿, 區→区) so every offset survives; phrase-level
    conversion could change lengths and is not needed for figures and names."""
    drop = [False] * len(text)
    for pattern in (_GLOSS, _LOST):
        for m in pattern.finditer(text):
            drop[m.start() : m.end()] = [True] * (m.end() - m.start())
    kept = [i for i in range(len(text)) if not drop[i]]
    return "".join(_simplified(text[i]) for i in kept), kept


@cache
def _simplified(ch: str) -> str:
    if ch < "\u3400":
        return ch
    converted = zhconv.convert(ch, "zh-cn")
    return converted if len(converted) == 1 else ch


# A page printed a paragraph a line has long lines (at this percentile, at least PARAGRAPH_WIDTH
# characters); a PDF's wrapped column runs 15-25 characters a line, and breaks mid-sentence anywhere.
# On such a page a line under SHORT_SHARE of that width with no closing punctuation is a title, a
# heading (一、综合) or a date line, never half of a sentence — unless it holds a comma: a sentence the
# page broke (…总投资72亿元,用地600余亩,分两).
WIDTH_PERCENTILE = 0.75
PARAGRAPH_WIDTH = 40
SHORT_SHARE = 0.8
_CLAUSE_MARK = re.compile(r"[,，;；。]")


def _short_line_max(narrow: str, bounds: list[tuple[int, int]]) -> int:
    """The length up to which a line is too short to be part of a paragraph (-1 on a wrapped page)."""
    starts = [0] + [n for _, n in bounds[:-1]]
    lengths = sorted(
        len(_SPACE_RUN.sub("", narrow[a:b]))
        for a, (b, _) in zip(starts, bounds, strict=True)
        if narrow[a:b].strip() and "|" not in narrow[a:b]
    )
    if not lengths:
        return -1
    width = lengths[int(len(lengths) * WIDTH_PERCENTILE)]
    return int(width * SHORT_SHARE) if width >= PARAGRAPH_WIDTH else -1


def _line_bounds(text: str) -> list[tuple[int, int]]:
    """(end, start of next line) for each line; end is where its line break begins."""
    bounds = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)]
    if not bounds or bounds[-1][1] < len(text):
        bounds.append((len(text), len(text)))
    return bounds


def _clean_line(narrow: str, start: int, end: int) -> list[int] | range:
    """Offsets of the characters of narrow[start:end] that survive undoubling, space removal and the
    removal of symbols planted inside words."""
    kept = _kept_of_line(narrow, start, end)
    if not any(_planted(narrow, o) for o in kept):
        return kept
    return [o for o in kept if not _planted(narrow, o)]


def _planted(text: str, i: int) -> bool:
    """A symbol between two Chinese characters (肥∩西, 规上工♂业, 园区▂完成): spam planted in a copied
    page, never part of the text."""
    return (
        0 < i < len(text) - 1
        and not text[i].isascii()  # 通道+经贸+产业 is written so
        and text[i] not in "×÷"
        and unicodedata.category(text[i]) in {"So", "Sm"}
        and _is_cjk(text[i - 1])
        and _is_cjk(text[i + 1])
    )


def _is_cjk(c: str) -> bool:
    return _CJK.match(c) is not None


def _kept_of_line(narrow: str, start: int, end: int) -> list[int] | range:
    """Offsets of the characters of narrow[start:end] that survive undoubling and space removal."""
    line = narrow[start:end]
    undoubled = _undouble(line)
    if undoubled is not None:
        offsets: list[int] | range = [start + i for i in undoubled]
        line = "".join(line[i] for i in undoubled)
    else:
        offsets = range(start, end)
    if not _SPACE_RUN.search(line):
        return offsets
    keep_from = 0
    if line.lstrip(_SPACE).startswith("#"):
        # Keep "# " so a heading stays a markdown heading.
        heading = _HEADING_MARK.match(line, len(line) - len(line.lstrip(_SPACE)))
        keep_from = heading.end() if heading else 0
    kept: list[int] = []
    last = 0
    for m in _SPACE_RUN.finditer(line):
        kept.extend(offsets[last : m.start()])
        a, b = m.start(), m.end()
        inside = a > 0 and b < len(line)
        if inside and (b <= keep_from or (_is_word(line[a - 1]) and _is_word(line[b]))):
            kept.extend(offsets[a:b])
        last = b
    kept.extend(offsets[last:])
    return kept


def _is_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _undouble(line: str) -> list[int] | None:
    """Indices to keep if the line is mostly phrases printed twice ("一年一年"), else None."""
    solid = len(line) - sum(line.count(c) for c in _SPACE)
    if solid < _DOUBLED_MIN_CHARS or not _CJK.search(line) or "|" in line:
        return None  # a table row's cells may repeat (| 5.2 | 5.2 |, | -- | -- |): each is a column's
    # Give up as soon as too much of the line is single to ever reach the share.
    allowed_single = solid - _DOUBLED_MIN_SHARE * solid
    single = 0
    kept: list[int] = []
    n = len(line)
    i = 0
    while i < n:
        size = _longest_double(line, i)
        if size:
            kept.extend(range(i, i + size))
            i += 2 * size
        else:
            if line[i] not in _SPACE:
                single += 1
                if single > allowed_single:
                    return None
            kept.append(i)
            i += 1
    return kept


def _longest_double(line: str, i: int) -> int:
    """Largest L with line[i:i+L] == line[i+L:i+2L], or 0."""
    best = 0
    limit = i + min((len(line) - i) // 2, _DOUBLED_MAX_CHUNK)
    j = line.find(line[i], i + 1, limit + 1)
    while j != -1:
        if line.startswith(line[i:j], j):
            best = j - i
        j = line.find(line[i], j + 1, limit + 1)
    return best


# a line holding only a date: the day a report was published, never the start of a sentence
_DATE_ALONE = re.compile(r"^\s*(?:19|20)\d{2}(?:年\d{1,2}月\d{1,2}日|[-/.]\d{1,2}[-/.]\d{1,2})\s*$")


def _separator(line: str, following: str, following_indented: bool) -> str:
    """What goes between two kept lines: "\n" between paragraphs, else "" (or " " between words)."""
    if following_indented or line.startswith("#") or following.startswith("#") or _SENTENCE_END.search(line):
        return "\n"
    if "|" in line or "|" in following:  # a table row stays a line of its own
        return "\n"
    if _TABLE_ROW.match(following.strip()) and (_TABLE_ROW.match(line.strip()) or _TABLE_HEADER.search(line)):
        return "\n"  # rows of a table printed without separators: 2红花岗区481.8412.3
    return " " if _is_letter(line[-1]) and _is_letter(following[0]) else ""


def _is_letter(c: str) -> bool:
    return c.isascii() and c.isalpha()
