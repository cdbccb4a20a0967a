"""Question and fact text → canonical search terms: width, script, English, synonyms, typos.

jieba is initialised once per process (its dictionary cache makes that fast); domain words
from the lexicon and names learned from the reports are added to it.
"""
import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import jieba
import zhconv
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

from facts.lexicon import Lexicon

jieba.setLogLevel(logging.WARNING)
ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*")
KEEP_ASCII = re.compile(r"^[A-Z0-9][A-Za-z0-9]+$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (２０２２，％) → half-width; ideographic space → space."""
    return "".join(
        chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else (" " if ch == "\u3000" else ch) for ch in text
    )


def clean_question(text: str) -> str:
    """Half-width, simplified script, no control characters, single spaces."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in to_halfwidth(text))
    text = zhconv.convert(text, "zh-cn")
    return re.sub(r"\s+", " ", text).strip()


ENGLISH_PERIODS = [
    (re.compile(r"\b(?:by|at|as of|until|up to)?\s*the end of (\d{4})\b", re.I), r" 截至\1年底 "),
    (re.compile(r"\b(?:from )?january\s*(?:to|-)\s*(may|june)\s*(?:of\s*)?(\d{4})\b", re.I), None),
    (re.compile(r"\bthe first half of (\d{4})\b", re.I), r" \1年上半年 "),
    (re.compile(r"\b(?:in|during|for)\s+(\d{4})\b", re.I), r" \1年 "),
    (re.compile(r"\b(\d{4})\b"), r" \1年 "),
]
MONTHS = {"may": 5, "june": 6}


def english_to_chinese(text: str, lexicon: Lexicon) -> str:
    """A mostly-English question → Chinese keywords via the glossary (unknown words dropped)."""
    for pattern, repl in ENGLISH_PERIODS:
        if repl is None:
            text = pattern.sub(lambda m: f" {m.group(2)}年1-{MONTHS[m.group(1).lower()]}月 ", text)
        else:
            text = pattern.sub(repl, text)
    lowered = " " + text.lower() + " "
    out = lowered
    for phrase, chinese in lexicon.english:
        out = re.sub(rf"(?<![a-z]){re.escape(phrase)}s?(?![a-z])", f" {chinese} ", out)
    kept = [w for w in re.split(r"\s+", out) if w and (CJK.search(w) or re.search(r"\d", w) or w.upper() in text)]
    return " ".join(kept)


def is_english(text: str) -> bool:
    letters = len(ASCII_WORD.findall(text))
    return letters >= 3 and len(CJK.findall(text)) < 4


@cache
def _pinyin(ch: str) -> str:
    return lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")[0] if CJK.match(ch) else ch


def pinyin_key(word: str) -> str:
    return " ".join(_pinyin(ch) for ch in word)


class Tokenizer:
    """Segments text into canonical terms; corrects typos in questions against the known vocabulary."""

    def __init__(self, lexicon: Lexicon, extra_words: Iterable[str] = ()):
        self.lexicon = lexicon
        jieba.initialize()
        self._common = dict(jieba.dt.FREQ)  # before our words go in: "is this ordinary Chinese?"
        self._added: set[str] = set()
        self.add_words((*lexicon.words, *lexicon.synonyms, *extra_words))
        variants = sorted({*lexicon.synonyms, *lexicon.synonyms.values()}, key=len, reverse=True)
        self._synonym_re = re.compile("|".join(re.escape(v) for v in variants))
        self.vocabulary: set[str] = set()
        self._by_sound: dict[str, str] = {}
        self._sound_keys: dict[int, list[str]] = {}

    def add_words(self, words: Iterable[str]) -> None:
        for word in words:
            if len(word) >= 2 and word not in self._added:
                self._added.add(word)
                jieba.add_word(word, freq=max(self._common.get(word, 0), 20000))

    def is_common_word(self, word: str, threshold: int = 200) -> bool:
        return self._common.get(word, 0) >= threshold

    @staticmethod
    def words(text: str) -> list[str]:
        return jieba.lcut(text, HMM=False)

    def canonical_text(self, text: str) -> str:
        return self._synonym_re.sub(lambda m: self.lexicon.canonical(m.group(0)), text)

    def terms(self, text: str) -> list[str]:
        """Search terms of `text`: jieba search-mode words, synonyms made canonical, noise dropped."""
        text = self.canonical_text(text)
        out = []
        for word in jieba.cut_for_search(text, HMM=False):
            word = word.strip()
            if len(word) < 2 and not word.isupper():
                continue
            if word in self.lexicon.stopwords or word.replace(".", "").isdigit() or not (CJK.search(word) or KEEP_ASCII.match(word)):
                continue
            out.append(word)
        return out

    def learn(self, vocabulary: Iterable[str]) -> None:
        """Remember the words the reports use, so question typos can be mended towards them."""
        self.vocabulary.update(w for w in vocabulary if len(w) >= 2)
        for word in sorted(self.vocabulary, key=lambda w: (-self._common.get(w, 0), w)):
            if CJK.search(word):
                self._by_sound.setdefault(pinyin_key(word), word)
        self._sound_keys = {}
        for key in self._by_sound:
            self._sound_keys.setdefault(key.count(" ") + 1, []).append(key)

    def correct(self, question: str) -> str:
        """Replace misspelt words that sound like a report word (斑列→班列, 宗保区→综保区)."""
        if not self._by_sound:
            return question
        chars = list(question)
        i = 0
        while i < len(chars):
            replaced = False
            for size in (6, 5, 4, 3, 2):
                window = "".join(chars[i:i + size])
                if len(window) < size or not all(CJK.match(ch) for ch in window):
                    continue
                if window in self.vocabulary or window in self.lexicon.synonyms or self.is_common_word(window, 1):
                    continue
                target = self._by_sound.get(pinyin_key(window))
                if target is None and size >= 3:
                    match = process.extractOne(pinyin_key(window), self._sound_keys.get(size, ()), scorer=fuzz.ratio,
                                               processor=None, score_cutoff=92)
                    target = self._by_sound[match[0]] if match else None
                if target and target != window and len(target) == size:
                    chars[i:i + size] = list(target)
                    i += size
                    replaced = True
                    break
            if not replaced:
                i += 1
        return "".join(chars)
