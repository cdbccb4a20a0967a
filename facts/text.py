"""Question and fact text → canonical search terms: width, script, English, synonyms, typos.

jieba is initialised once per process (its dictionary cache makes that fast); domain words
from the lexicon and names learned from the reports are added to it.
"""

import functools
import json
import logging
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path

import jieba
import zhconv
from rapidfuzz import fuzz, process

from facts.lexicon import Lexicon

jieba.setLogLevel(logging.WARNING)
MIN_WORD_FREQ = 20  # jieba's rarer words (idioms, names) only slow the start-up down

# Shared lengths and codes of the engine's text work (the reading and answering modules import them).
MIN_WORD = 2  # a word or name of one character is a function character or a piece of another word
# A line of jieba's dictionary is `word frequency tag`; some lines lack the tag.
DICT_FREQ_FIELDS = 2  # a line with a word and its frequency
DICT_TAG_FIELDS = 3  # … and its part-of-speech tag
FULLWIDTH_FIRST, FULLWIDTH_LAST = 0xFF01, 0xFF5E  # ！ … ～: the full-width forms of ASCII ! … ~
FULLWIDTH_OFFSET = 0xFEE0  # a full-width form's code minus its ASCII character's
CJK_FIRST, CJK_LAST = 0x4E00, 0x9FFF  # the CJK Unified Ideographs block: the characters of the reports
WAN_PER_YI = 10000  # 1亿 is 10000万


log = logging.getLogger(__name__)
_fallback: dict[str, Path] = {}  # a refused folder -> this process's private stand-in (warned once)


def cache_dir() -> Path:
    """This user's private cache folder: FACTBOT_CACHE_DIR, else $XDG_CACHE_HOME/factbot, else
    ~/.cache/factbot, made with mode 0700. Never a shared one: a folder owned by another user or
    writable by others (another local user could plant files the bot reads) is refused with a warning,
    and a fresh private folder for this process is used instead."""
    configured = os.environ.get("FACTBOT_CACHE_DIR")
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "factbot"
    folder = Path(configured) if configured else default
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        problem = not_private(folder)
    except OSError as err:
        problem = f"cannot be made ({err})"
    if problem is None:
        return folder
    key = str(folder)
    if key not in _fallback:
        _fallback[key] = Path(tempfile.mkdtemp(prefix="factbot-cache-"))  # mode 0700, ours
        log.warning("cache folder %s refused: %s; using %s for this process", folder, problem, _fallback[key])
    return _fallback[key]


def not_private(folder: Path) -> str | None:
    """Why `folder` may not hold this user's cache (None when it may)."""
    info = folder.stat()
    if not stat.S_ISDIR(info.st_mode):
        return "not a folder"
    if info.st_uid != os.geteuid():
        return f"owned by user {info.st_uid}, not {os.geteuid()}"
    if info.st_mode & 0o022:
        return f"others can write to it (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def small_dictionary() -> Path:
    """jieba's dictionary without its rarest words, written once: a quarter of the size, loads 4x faster."""
    target = cache_dir() / f"jieba-min{MIN_WORD_FREQ}.txt"
    if not target.exists():
        source = Path(jieba.get_dict_file().name)
        kept = [
            line
            for line in source.read_text(encoding="utf-8").splitlines()
            if len(line.split()) >= DICT_FREQ_FIELDS and int(line.split()[1]) >= MIN_WORD_FREQ
        ]
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text("\n".join(kept) + "\n", encoding="utf-8")
        partial.replace(target)
    return target


@cache
def plain_segmenter() -> jieba.Tokenizer:
    """jieba on the small dictionary with none of the reports' words: how plain Chinese cuts a text (loads in
    a fifth of the time jieba's own dictionary takes)."""
    segmenter = jieba.Tokenizer(dictionary=str(small_dictionary()))
    segmenter.tmp_dir = str(cache_dir())
    segmenter.initialize()
    return segmenter


def single_nouns() -> frozenset[str]:
    """One-character words jieba tags as common nouns (牛, 羊, 茶, 煤): an indicator may be one of them
    (出栏牛). Units, place suffixes and function characters are not (they say nothing of what is counted)."""
    target = cache_dir() / "jieba-single-nouns.txt"
    if not target.exists():
        source = Path(jieba.get_dict_file().name)
        found = [
            parts[0]
            for parts in (line.split() for line in source.read_text(encoding="utf-8").splitlines())
            if len(parts) >= DICT_TAG_FIELDS
            and len(parts[0]) == 1
            and parts[2] == "n"
            and CJK.match(parts[0])
            and int(parts[1]) >= SINGLE_NOUN_FREQ
        ]
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text("".join(found), encoding="utf-8")
        partial.replace(target)
    return frozenset(target.read_text(encoding="utf-8")) - NOT_SINGLE_NOUNS


# A character rarer than this as a word of its own is no noun a report would use alone.
SINGLE_NOUN_FREQ = 1000
NOT_SINGLE_NOUNS = frozenset(
    "元吨列趟班家户个项亩米辆台套件人名位次批天分倍度座条所张艘架种款栋间处场宗笔块根升头只箱单份册"
    "万亿千百省市县区镇乡村街年月日季期号届"
    "数量额值率"
)  # 列数, 产量, 金额: a measure's suffix, not what is measured


ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*")
KEEP_ASCII = re.compile(r"^[A-Z0-9][A-Za-z0-9]+$")
CJK = re.compile(f"[{chr(CJK_FIRST)}-{chr(CJK_LAST)}]")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (２０２２，％) → half-width; ideographic space → space."""
    return "".join(
        chr(ord(ch) - FULLWIDTH_OFFSET)
        if FULLWIDTH_FIRST <= ord(ch) <= FULLWIDTH_LAST
        else (" " if ch == "\u3000" else ch)
        for ch in text
    )


def clean_question(text: str) -> str:
    """Half-width, simplified script, no control characters, single spaces."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in to_halfwidth(text))
    text = zhconv.convert(text, "zh-cn")
    text = SHORT_YEAR.sub(lambda m: f"20{m.group(1)}年", text)
    return re.sub(r"\s+", " ", text).strip()


FIGURE_TERM = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万亿|亿元|万元|亿|万)")
SHORT_YEAR = re.compile(r"(?<![\d.近这过去前后])([012]\d)年(?![代来间内前后底末初])")


PLAN_NAMES = {"13": "十三五", "14": "十四五"}
ENGLISH_PLANS = [
    (re.compile(r"\b(?:at |by )?the end of the (13|14)th five-year plan\b", re.IGNORECASE), "末"),
    (
        re.compile(r"\b(?:at |by )?the (?:start|beginning) of the (13|14)th five-year plan\b", re.IGNORECASE),
        "初",
    ),
    (re.compile(r"\b(?:during |in )?the (13|14)th five-year plan(?: period)?\b", re.IGNORECASE), "时期"),
]
MONTHS = {
    name: n
    for n, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        1,
    )
}
_MONTH = "|".join(MONTHS)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
}
Replacement = str | Callable[[re.Match[str]], str]
ENGLISH_PERIODS: list[tuple[re.Pattern[str], Replacement]] = [
    (re.compile(r"\b(?:by|at|as of|until|up to)?\s*the end of (\d{4})\b", re.IGNORECASE), r" 截至\1年底 "),
    (
        re.compile(
            rf"\b(?:from )?({_MONTH})\s*(?:to|through|-)\s*({_MONTH})\s*(?:of\s*)?,?\s*(\d{{4}})\b",
            re.IGNORECASE,
        ),
        lambda m: f" {m.group(3)}年{MONTHS[m.group(1).lower()]}-{MONTHS[m.group(2).lower()]}月 ",
    ),
    (
        re.compile(
            r"\b(?:in )?the first (two|three|four|five|six|seven|eight|nine|ten|eleven|\d{1,2}) months"
            r"(?: of)?\s*(\d{4})\b",
            re.IGNORECASE,
        ),
        lambda m: f" {m.group(2)}年1-{NUMBER_WORDS.get(m.group(1).lower()) or int(m.group(1))}月 ",
    ),
    (re.compile(r"\bthe first three quarters of (\d{4})\b", re.IGNORECASE), r" \1年前三季度 "),
    (
        re.compile(r"\bthe (first|second|third|fourth) quarter of (\d{4})\b", re.IGNORECASE),
        lambda m: f" {m.group(2)}年{'一二三四'[ORDINALS[m.group(1).lower()] - 1]}季度 ",
    ),
    (
        re.compile(r"\bQ([1-4])\s*(?:of\s*)?(\d{4})\b"),
        lambda m: f" {m.group(2)}年{'一二三四'[int(m.group(1)) - 1]}季度 ",
    ),
    (
        re.compile(r"\b(\d{4})\s*Q([1-4])\b"),
        lambda m: f" {m.group(1)}年{'一二三四'[int(m.group(2)) - 1]}季度 ",
    ),
    (
        re.compile(r"\bH1\s*(?:of\s*)?(\d{4})\b|\b(?:the )?first half of (\d{4})\b", re.IGNORECASE),
        lambda m: f" {m.group(1) or m.group(2)}年上半年 ",
    ),
    (re.compile(r"\b(?:in|during|for)\s+(\d{4})\b", re.IGNORECASE), r" \1年 "),
    (re.compile(r"\b(\d{4})\b"), r" \1年 "),
]
# amounts as the reports write them: 1 billion yuan is 10亿元, 500 million yuan 5亿元, 20 million 2000万元
ENGLISH_AMOUNTS = [
    (
        re.compile(r"\b(\d+(?:\.\d+)?)\s*billion\s*(?:us\s*dollars?|usd|dollars?)", re.IGNORECASE),
        10,
        "亿美元",
    ),
    (re.compile(r"\b(\d+(?:\.\d+)?)\s*billion(?:\s*(?:yuan|rmb|cny))?", re.IGNORECASE), 10, "亿元"),
    (re.compile(r"\b(\d+(?:\.\d+)?)\s*million(?:\s*(?:yuan|rmb|cny))?", re.IGNORECASE), 100, "万元"),
]


COUNTERS = {"个", "家", "列", "项", "户"}


def chinese_amount(value: float, unit: str) -> str:
    """10000万元 → 1亿元 when it is a whole number of 亿: the reports write the larger unit."""
    if unit == "万元" and value >= WAN_PER_YI and value % WAN_PER_YI == 0:
        return f"{value / WAN_PER_YI:g}亿元"
    return f"{value:g}{unit}"


def _plan_words(part: str) -> Callable[[re.Match[str]], str]:
    """The five-year plan an English phrase names, with the part of it asked (十四五末)."""
    return lambda m: f" {PLAN_NAMES[m.group(1)]}{part} "


def _amount_words(scale: float, unit: str) -> Callable[[re.Match[str]], str]:
    """An English amount (1.2 billion yuan) written as the reports write it (12亿元)."""
    return lambda m: f" {chinese_amount(float(m.group(1)) * scale, unit)} "


@functools.cache
def _glossary(english: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The glossary's phrases compiled once (a phrase, also plural, standing as whole words)."""
    return tuple(
        (re.compile(rf"(?<![a-z]){re.escape(phrase)}s?(?![a-z])"), chinese) for phrase, chinese in english
    )


def english_to_chinese(text: str, lexicon: Lexicon) -> str:
    """A mostly-English question → Chinese keywords via the glossary (unknown words dropped)."""
    for pattern, part in ENGLISH_PLANS:
        text = pattern.sub(_plan_words(part), text)
    for pattern, scale, unit in ENGLISH_AMOUNTS:
        text = pattern.sub(_amount_words(scale, unit), text)
    for pattern, repl in ENGLISH_PERIODS:
        text = pattern.sub(repl, text)
    lowered = " " + text.lower() + " "
    out = lowered
    for pattern, chinese in _glossary(lexicon.english):
        out = pattern.sub(f" {chinese} ", out)
    kept = [
        w for w in re.split(r"\s+", out) if w and (CJK.search(w) or re.search(r"\d", w) or w.upper() in text)
    ]
    counted = next((w for w in kept if w in COUNTERS), None)
    if "多少" in kept and counted:  # how many projects → 多少个: the counter says what is counted
        kept = [("多少" + w if w == counted else w) for w in kept if w != "多少"]
    return " ".join(kept)


ENGLISH_MIN_WORDS = 3  # fewer English words are a code or a name in a Chinese question (GDP, TEU)
ENGLISH_CJK_BELOW = 4  # an English question may hold a few Chinese characters (a place name), not a phrase


def is_english(text: str) -> bool:
    letters = len(ASCII_WORD.findall(text))
    return letters >= ENGLISH_MIN_WORDS and len(CJK.findall(text)) < ENGLISH_CJK_BELOW


FUNCTION_CHARS = set(
    "的了在和与及等为是从由向到对把被也都而且或之其这那个年月日共达约超近余多以上下中内外前后各每该本全"
)


# Characters that are words of their own wherever they stand alone in a question: particles and copulas
# and the comparing 比/较 (a sound-alike correction never takes them in: 作业量是多少 is not 作业粮食多少,
# 按可比价格计算比上年 is not 计算机上年).
STANDALONE_CHARS = frozenset("的了是有在吗呢和与及或比较")

AMOUNT_SUFFIX = "额量数值"
MIN_JOINED = 3  # a join of two tokens shorter than this is two single characters, too often no word
MAX_UNKNOWN_NAME = 4  # a longer run of single characters is a phrase jieba cut up, not one name


def known_join(tokens: list[str], i: int, known: Collection[str]) -> tuple[str, int] | None:
    """The longest run of two or three tokens from `i` that is a known word, or one once a trailing
    额/量/数/值 is dropped (协议 引资额 → 协议引资); with where the run ends."""
    for j in range(min(len(tokens), i + 3), i + 1, -1):
        word = "".join(tokens[i:j])
        for candidate in (word, word[:-1] if word[-1:] in AMOUNT_SUFFIX else ""):
            if len(candidate) >= MIN_JOINED and candidate in known and CJK.search(candidate):
                return candidate, j
    return None


def unknown_names(tokens: list[str]) -> list[str]:
    """Runs of 2–4 single characters jieba could not join (汽摩 in 汽摩产业): names it does not know."""
    names, run = [], []
    for token in [*tokens, ""]:
        if len(token) == 1 and CJK.match(token) and token not in FUNCTION_CHARS:
            run.append(token)
            continue
        if MIN_WORD <= len(run) <= MAX_UNKNOWN_NAME:
            names.append("".join(run))
        run = []
    return names


@cache
def pinyin_table() -> dict[str, str]:
    """Every character's toneless pinyin, from pypinyin's table, kept in the cache folder as JSON
    (importing pypinyin costs 0.5 s; loading this table 20 ms). JSON, not pickle: data, never code."""
    path = cache_dir() / f"pinyin-{version('pypinyin')}.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(table, dict) and all(isinstance(v, str) for v in table.values()):
            return table
    except (OSError, ValueError):
        pass
    # deliberately lazy: importing pypinyin costs 0.5 s, paid only when the cached table is missing
    from pypinyin import Style, lazy_pinyin  # noqa: PLC0415, RUF100
    from pypinyin.pinyin_dict import pinyin_dict  # noqa: PLC0415, RUF100

    table = {
        chr(code): (lazy_pinyin(chr(code), style=Style.NORMAL, errors="ignore") or [chr(code)])[0]
        for code in pinyin_dict
        if CJK_FIRST <= code <= CJK_LAST
    }
    try:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
    except OSError as err:
        log.warning("could not write the pinyin table %s: %s", path, err)
    return table


def _pinyin(ch: str) -> str:
    return pinyin_table().get(ch, ch)


def pinyin_key(word: str) -> str:
    return " ".join(_pinyin(ch) for ch in word)


def _single_runs(tokens: list[str]) -> set[int]:
    """Indices of one-character tokens next to another: pieces of a word jieba does not know (铁 海 of
    铁海联运), not nouns of their own."""
    runs = set()
    for k, token in enumerate(tokens):
        if len(token) == 1 and any(
            0 <= j < len(tokens) and len(tokens[j]) == 1 and CJK.match(tokens[j]) for j in (k - 1, k + 1)
        ):
            runs.add(k)
    return runs


ADDED_WORD_FREQ = 20000  # our words (lexicon, names from the reports) outweigh jieba's own cuts of them
TERMS_CACHE_SIZE = 20000  # texts whose terms are remembered before the memo starts again (bounds memory)
MIN_FUZZY_WINDOW = 3  # a shorter window's pinyin near-match is too loose: only exact homophones there


class Tokenizer:
    """Segments text into canonical terms; corrects typos in questions against the known vocabulary."""

    def __init__(self, lexicon: Lexicon, extra_words: Iterable[str] = ()):
        self.lexicon = lexicon
        self.jieba = jieba.Tokenizer(dictionary=str(small_dictionary()))
        self.jieba.tmp_dir = str(cache_dir())
        self.jieba.initialize()
        self._common = dict(self.jieba.FREQ)  # before our words go in: "is this ordinary Chinese?"
        self._single = single_nouns() - set(lexicon.stopwords) - FUNCTION_CHARS
        self._added: set[str] = set()
        self._terms_cache: dict[str, tuple[str, ...]] = {}
        self.add_words((*lexicon.words, *lexicon.synonyms, *lexicon.synonyms.values(), *extra_words))
        self.vocabulary: set[str] = set()
        self._by_sound: dict[str, str] = {}
        self._sound_keys: dict[int, list[str]] = {}

    def add_words(self, words: Iterable[str]) -> None:
        for word in words:
            if len(word) >= MIN_WORD and word not in self._added:
                self._added.add(word)
                self._terms_cache.clear()
                self.jieba.add_word(word, freq=max(self._common.get(word, 0), ADDED_WORD_FREQ))

    def is_common_word(self, word: str, threshold: int = 200) -> bool:
        return self._common.get(word, 0) >= threshold

    def words(self, text: str) -> list[str]:
        return self.jieba.lcut(text, HMM=False)

    def canonical_text(self, text: str) -> str:
        return self.lexicon.canonical_text(text)

    def question_terms(self, text: str, known: Collection[str]) -> list[str]:
        """A question's words, each counted once: whole words the index knows, else their known parts."""
        text = self.canonical_text(text)
        out: list[str] = [f"{m.group(1)}{m.group(2)}" for m in FIGURE_TERM.finditer(text)]
        out += [name for name in unknown_names(self.jieba.lcut(text, HMM=False)) if name in known]
        tokens = [w.strip() for w in self.jieba.cut(text, HMM=False)]
        runs = _single_runs(tokens)
        i = 0
        while i < len(tokens):
            joined = known_join(tokens, i, known)
            if joined is not None:  # 协议 + 引资额 → 协议引资: the index knows the word jieba cut apart
                out.append(joined[0])
                i = joined[1]
                continue
            word = tokens[i]
            i += 1
            if not self._keep(word) or (len(word) == 1 and i - 1 in runs):
                continue
            if word in known or FIGURE_TERM.fullmatch(word):
                out.append(word)
                continue
            parts = [
                p
                for p in self.jieba.cut_for_search(word, HMM=False)
                if p != word and len(p) >= MIN_WORD and p in known and self._keep(p)
            ]
            out.extend(parts or [word])
        return list(dict.fromkeys(out))

    def parts(self, word: str, known) -> list[str]:
        """The known shorter words inside `word` (制造业 → 制造)."""
        return [
            p
            for p in dict.fromkeys(self.jieba.cut_for_search(word, HMM=False))
            if p != word and p in known and self._keep(p)
        ]

    def _keep(self, word: str) -> bool:
        if len(word) < MIN_WORD and not word.isupper() and word not in self._single:
            return False
        if word in self.lexicon.stopwords or word.replace(".", "").isdigit():
            return False
        return bool(CJK.search(word) or KEEP_ASCII.match(word))

    def terms(self, text: str) -> list[str]:
        """Search terms of `text`: jieba search-mode words, synonyms made canonical, noise dropped."""
        cached = self._terms_cache.get(text)
        if cached is None:
            if len(self._terms_cache) > TERMS_CACHE_SIZE:
                self._terms_cache.clear()
            cached = self._terms_cache[text] = self._terms(text)
        return list(cached)

    def _terms(self, text: str) -> tuple[str, ...]:
        text = self.canonical_text(text)
        out = [f"{m.group(1)}{m.group(2)}" for m in FIGURE_TERM.finditer(text)]  # 10亿元 in 10亿元项目
        out += unknown_names(self.jieba.lcut(text, HMM=False))
        searched = [w.strip() for w in self.jieba.cut_for_search(text, HMM=False)]
        lone = set(range(len(searched))) - _single_runs(searched)
        for k, word in enumerate(searched):
            if len(word) < MIN_WORD and not word.isupper() and (word not in self._single or k not in lone):
                continue
            if (
                word in self.lexicon.stopwords
                or word.replace(".", "").isdigit()
                or not (CJK.search(word) or KEEP_ASCII.match(word))
            ):
                continue
            out.append(word)
            out.extend(self.lexicon.implies.get(word, ()))
        # a term the lexicon names stays whole however jieba cuts it (协议引资额: 协议 + 引资额)
        found = set(out)
        out += [t for t in self.lexicon.canonical_in(text) if t not in found]
        return tuple(out)

    def learn(self, vocabulary: Iterable[str]) -> None:
        """Remember the words the reports use, so question typos can be mended towards them."""
        self.vocabulary.update(w for w in vocabulary if len(w) >= MIN_WORD)
        for word in sorted(self.vocabulary, key=lambda w: (-self._common.get(w, 0), w)):
            if CJK.search(word):
                self._by_sound.setdefault(pinyin_key(word), word)
        self._sound_keys = {}
        for key in self._by_sound:
            self._sound_keys.setdefault(key.count(" ") + 1, []).append(key)

    def sounds(self) -> tuple:
        return (self.vocabulary, self._by_sound, self._sound_keys)

    def restore_sounds(self, sounds: tuple) -> None:
        self.vocabulary, self._by_sound, self._sound_keys = sounds

    def correct(self, question: str, protected: Sequence[tuple[int, int]] = ()) -> str:
        """Replace misspelt words that sound like a report word (斑列→班列, 宗保区→综保区).

        Only where jieba finds no words (a run of single characters), widened by one word on each side,
        so that correct text is never rewritten into a homophone.
        """
        if not self._by_sound:
            return question
        tokens = self.jieba.lcut(question, HMM=False)
        spans, pos = [], 0
        for token in tokens:
            spans.append((pos, pos + len(token), token))
            pos += len(token)
        out = list(question)
        i = 0
        while i < len(spans):
            if not (len(spans[i][2]) == 1 and CJK.match(spans[i][2])):
                i += 1
                continue
            j = i
            while j + 1 < len(spans) and len(spans[j + 1][2]) == 1 and CJK.match(spans[j + 1][2]):
                j += 1
            lefts = [spans[i][0]] + ([spans[i - 1][0]] if i and CJK.match(spans[i - 1][2]) else [])
            rights = [spans[j][1]] + (
                [spans[j + 1][1]] if j + 1 < len(spans) and CJK.match(spans[j + 1][2]) else []
            )
            windows = sorted(
                ((a, b) for a in lefts for b in rights if b - a >= MIN_WORD), key=lambda w: w[0] - w[1]
            )
            # a particle or copula standing alone (量是多少: 是) is a word of the question, not half a typo
            particles = any(spans[k][2] in STANDALONE_CHARS for k in range(i, j + 1))
            for a, b in windows:
                if particles or any(a < end and start < b for start, end in protected):
                    continue
                target = self._sounds_like(question[a:b])
                if target is not None:
                    out[a:b] = list(target)
                    break
            i = j + 1
        return "".join(out)

    def _sounds_like(self, window: str) -> str | None:
        """The report word of the same length that `window` sounds like (exactly, or nearly when it is long
        enough to tell), when `window` is not itself a word the reports use."""
        if not all(CJK.match(ch) for ch in window) or window in self.vocabulary:
            return None
        target = self._by_sound.get(pinyin_key(window))
        if target is None and len(window) >= MIN_FUZZY_WINDOW:
            match = process.extractOne(
                pinyin_key(window),
                self._sound_keys.get(len(window), ()),
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=90,
            )
            target = self._by_sound[match[0]] if match else None
        return target if target and len(target) == len(window) and target != window else None


# Words beside a figure that say nothing of what it measures: how it moved or is put (同比增长, 占比) …
THIN_WORDS = re.compile(
    r"同比|增长|同比增长|年均增长|增速|增幅|下降|比重|占比|其中|分别|贡献|实现|达到|提升|提高"
)
# what a rate is compared with or how it is counted, which names nothing it measures (比上年增长183.2%)
BASIS_WORDS = re.compile(
    r"(比|较)?(上年|去年|上年同期|去年同期|同期)|按?可比价格?(计算)?|计算|价格|现价|名义"
)
