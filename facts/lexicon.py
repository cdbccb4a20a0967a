"""The domain lexicon (facts/data/lexicon.toml), loaded once."""

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

LEXICON_FILE = Path(__file__).parent / "data" / "lexicon.toml"
# the scale a unit may carry before its base (亿元 is 1e8 元), longest first so 万亿 is not read as 万
SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}


@dataclass(frozen=True)
class Lexicon:
    words: tuple[str, ...]
    synonyms: dict[str, str]  # variant -> canonical
    unit_words: dict[str, tuple[str, ...]]  # family -> question phrases
    unit_family: dict[str, str]
    english: tuple[tuple[str, str], ...]  # longest phrase first
    stopwords: frozenset[str]
    restrictors: frozenset[str]
    zone_suffixes: tuple[str, ...]
    not_districts: frozenset[str]
    implies: dict[str, tuple[str, ...]]  # a word read whole -> the words it also means
    never_in: dict[str, tuple[str, ...]]  # a word asked -> unit families its figure is never in
    per_unit: tuple[str, ...] = ()  # 人均, 亩均: a ratio to people or land, not the total

    def per_unit_in(self, text: str) -> frozenset[str]:
        """The per-unit words (人均 …) in `text`."""
        return frozenset(w for w in self.per_unit if w in text)

    def canonical(self, term: str) -> str:
        return self.synonyms.get(term, term)

    @cached_property
    def _synonym_re(self) -> re.Pattern[str]:
        variants = sorted({*self.synonyms, *self.synonyms.values()}, key=len, reverse=True)
        return re.compile("|".join(re.escape(v) for v in variants))

    @cached_property
    def _canonical_re(self) -> re.Pattern[str]:
        canonical = sorted(set(self.synonyms.values()), key=len, reverse=True)
        return re.compile("|".join(re.escape(c) for c in canonical))

    def canonical_in(self, text: str) -> list[str]:
        """The canonical terms written in `text` (协议引资 in 协议引资额, which jieba cuts 协议 + 引资额)."""
        return self._canonical_re.findall(text)

    def canonical_text(self, text: str) -> str:
        """`text` with every variant written as its canonical term (规上工业 → 规模以上工业)."""
        return self._synonym_re.sub(lambda m: self.canonical(m.group(0)), text)

    def family(self, unit: str) -> str:
        """'亿元' -> 'money', '户' -> '家', '万吨' -> '吨', '%' -> '%'."""
        base = unit
        for scale in SCALES:
            if base.startswith(scale) and len(base) > len(scale):
                base = base[len(scale) :]
                break
        return self.unit_family.get(base, base)


@cache
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    synonyms = {
        variant: canonical for canonical, variants in data["synonyms"].items() for variant in variants
    }
    english = tuple(sorted(data["english"].items(), key=lambda kv: -len(kv[0])))
    return Lexicon(
        words=tuple(data["words"]),
        synonyms=synonyms,
        unit_words={family: tuple(phrases) for family, phrases in data["unit_words"].items()},
        unit_family=dict(data["unit_family"]),
        english=english,
        stopwords=frozenset(data["stopwords"]),
        restrictors=frozenset(data["restrictors"]),
        zone_suffixes=tuple(sorted(data["zone_suffixes"], key=len, reverse=True)),
        not_districts=frozenset(data["not_districts"]),
        implies={word: tuple(meant) for word, meant in data.get("implies", {}).items()},
        never_in={word: tuple(families) for word, families in data.get("never_in", {}).items()},
        per_unit=tuple(data.get("per_unit", ())),
    )
