"""Places: China's administrative divisions, found in text with their level and their short forms.

The gazetteer is jionlp's list of divisions (province, city, county-level, town), read from the file
the package ships; no list of ours. A report's own place (`home`) is the county- or city-level
division it names most, so 全县/全区/全市 mean it. Levels are kept apart: 广安市 is not 广安区, and a
bare 广安 is the one the text names in full (else the higher level).
"""

import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import zipfile
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from itertools import product
from pathlib import Path

import jieba

from facts.text import DICT_TAG_FIELDS, cache_dir, plain_segmenter  # the one cache folder of the project

log = logging.getLogger(__name__)

LEVELS = ("province", "city", "county", "town")
# Levels a report or a question is "about": figures of a county or a city, not of a town or a province.
HOME_LEVELS = ("county", "city")
SELF_EVIDENCE = 2  # 全县 said this often settles which of the places named is the report's own
OWN_ONLY = ("县", "省", "旗")  # self words that only ever mean the report's own place, never the one above
# Short forms this short are too often parts of other words (东区, 城区): only full names count.
MIN_SHORT = 2
# A name this short may be an ordinary word as well (通道, 长寿, 合作): jieba is asked how it knows
# such names, and only a longer full name is trusted on its own.
WORD_LIKE = 2
SHORT_FIELD = 2  # jionlp's line is `name<TAB>code<TAB>short`: the short form's cell, when present
# How many characters a name may have (新疆维吾尔自治区 is the longest full name of interest).
MAX_NAME = 12
# A town is matched only by its full name and only inside the report's own county: the same town
# names recur all over China.
TOWN_SUFFIXES = ("镇", "乡", "街道")
# Words that say "this place" in a report: the report's own division at that level.
SELF_WORDS = {
    "全区": "区",
    "全县": "县",
    "全市": "市",
    "本区": "区",
    "本县": "县",
    "本市": "市",
    "我区": "区",
    "我县": "县",
    "我市": "市",
    "全州": "州",
    "全旗": "旗",
    "全省": "省",
    "本省": "省",
    "我省": "省",
}
CACHE_FORMAT = 7
# Words that name a kind of division or zone, not one place: never a place's short form (兴汉新区 is no 镇江新区),
# nor read as the few divisions that bear one as their whole name (四城区第一 is no 晋城市城区)
KIND_WORDS = frozenset(
    {"新区", "城区", "市区", "郊区", "矿区", "林区", "特区", "开发区", "高新区", "经开区", "园区"}
)
KIND_ENDINGS = tuple(sorted(KIND_WORDS))  # the same, for str.endswith
# Development zones the gazetteer lists as county-level (长春经济技术开发区, short 经开区) are zones:
# subjects.py finds them with their place; as divisions their short forms would match everywhere.
ZONE_NAME = re.compile(r"(开发区|园区|产业园|示范区|试验区|保税区|合作区)$")
# A short form jieba counts this often is an ordinary word too (通道, 合作, 港口, 长寿): the same
# threshold as the tokenizer's "common word".
COMMON_FREQ = 200
# A full name whose last character starts a common word is the short form and that word: 义乌市场 is
# Yiwu's market, 县城 the county town, 区域 a region.
AUTONOMOUS = re.compile(r"自治(县|州|旗)$")
SPLIT_WORDS = ("市场", "市民", "区域", "区间", "区位", "县域", "县城")
RENAMED_KINDS = ("县", "区", "市")  # the kinds a county-level place is renamed between
WHOLE_AFTER = ("位于",)  # …but a full name followed by one of these words is whole (碑林区 + 位于)


@dataclass(frozen=True)
class Place:
    name: str  # as written in full: 宁远县, 绵阳市, 彭水苗族土家族自治县
    short: str  # 宁远, 绵阳, 彭水 (the name itself when it has no shorter form)
    level: str  # province | city | county | town
    parents: tuple[str, ...] = ()  # full names, outermost first: (湖南省, 永州市)

    @property
    def suffix(self) -> str:
        return self.name[len(self.short) :] if self.name.startswith(self.short) else ""


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    place: Place
    full: bool  # written in full (宁远县), not as its short form (宁远)


class Gazetteer:
    """Every division by full name and by short form, and how jieba knows its two-character names."""

    def __init__(self, places: list[Place], words: dict[str, tuple[int, str]] | None = None):
        self.places = places
        self.words = words or {}  # name or short form -> (jieba frequency, jieba tag)
        self.by_name: dict[str, list[Place]] = {}
        self.by_short: dict[str, list[Place]] = {}
        for place in places:
            if place.name in KIND_WORDS:
                continue  # Shanxi's counties named 城区, 矿区, 郊区: in a report these words are kinds of area
            self.by_name.setdefault(place.name, []).append(place)
            informal = AUTONOMOUS.search(place.name)
            if informal and len(place.short) >= MIN_SHORT and place.name.startswith(place.short):
                # 务川县 for 务川仡佬族苗族自治县: reports write autonomous counties this way too
                self.by_name.setdefault(place.short + informal.group(1), []).append(place)
            if place.level != "town" and len(place.short) >= MIN_SHORT and place.short != place.name:
                self.by_short.setdefault(place.short, []).append(place)
        real = set(self.by_name)
        for place in places:
            # 新津县 for 新津区, 璧山县 for 璧山区, 永川市 for 永川区: a county-level place renamed to another
            # kind (县改区, 市改区) is still written by its old kind in older reports — unless that ends in a kind of
            # area (阳城县 is no 阳城区: 庐阳城区 is 庐阳's town area)
            if (
                place.level == "county"
                and len(place.short) >= MIN_SHORT
                and place.name.startswith(place.short)
            ):
                for kind in RENAMED_KINDS:
                    old_name = place.short + kind
                    if (
                        old_name != place.name
                        and old_name not in real
                        and not old_name.endswith(KIND_ENDINGS)
                    ):
                        self.by_name.setdefault(old_name, []).append(place)
        self.longest = max((len(n) for n in self.by_name), default=0)
        # every name's first two characters: most positions of a text start none, and are skipped at once
        self.heads = {n[:MIN_SHORT] for n in (*self.by_name, *self.by_short)}
        self.spellings: dict[str, list[Place]] | None = None  # by pinyin, made on first use

    def trusted(self, word: str, place: Place) -> bool:
        """Whether `word` alone is enough to say `place` is meant. A full name of three characters or
        more is; a county's or town's short form is not (reports name a county in full before they
        shorten it: 宁远 is also a person's name, 双城 a word, 惠民 a policy); a city's or province's
        short form is when jieba does not know it as another kind of word (西安 and 绵阳, not 通道)."""
        if len(word) > WORD_LIKE and place in self.by_name.get(word, ()):
            return True  # a full name, or the way reports write an autonomous county's (陵水县)
        if place.level not in ("province", "city") and not place.name.endswith("市"):
            return False  # county-level cities (义乌市, 仁怀市) are written short like cities
        freq, tag = self.words.get(word, (0, ""))
        return tag == "ns" or freq < COMMON_FREQ

    def named(self, name: str) -> list[Place]:
        return self.by_name.get(name, [])

    def scan(
        self, text: str, towns_of: str | None = None, prefer: frozenset[str] = frozenset()
    ) -> list[PlaceMention]:
        """Every place written in `text`, longest match first, left to right. Towns only of the county
        `towns_of`; a short form wherever it stands (the caller decides which to believe)."""
        found: list[PlaceMention] = []
        named: dict[str, bool] = {}  # parent name -> whether this text names it (searched once per scan)
        i, n = 0, len(text)
        while i < n:
            hit = self._match_at(text, i, towns_of, named)
            # 美丽江津: the 丽江 at 丽 gives way to an overlapping match reaching further that is a full
            # name, longer, or a place the text names in full elsewhere (`prefer`) when 丽江 is not
            if hit is not None and any(
                (later := self._match_at(text, j, towns_of, named)) is not None
                and later.end > hit.end
                and _stronger(later, hit, prefer)
                for j in range(i + 1, hit.end)
            ):
                hit = None
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = hit.end
        return found

    def _match_at(
        self, text: str, i: int, towns_of: str | None, named: dict[str, bool]
    ) -> PlaceMention | None:
        if text[i : i + MIN_SHORT] not in self.heads:
            return None
        for size in range(min(MAX_NAME, len(text) - i), MIN_SHORT - 1, -1):
            word = text[i : i + size]
            full = [
                p
                for p in self.by_name.get(word, ())
                if p.level != "town" or (towns_of is not None and towns_of in p.parents)
            ]
            if (
                full
                and text[i + size - 1 : i + size + 1] in SPLIT_WORDS
                and not text.startswith(WHOLE_AFTER, i + size)  # 碑林区位于: the district, then 位于
            ):
                shorts = self.by_short.get(word[:-1], [])
                if shorts:
                    return PlaceMention(i, i + size - 1, _pick(shorts, text, named), False)
                continue
            if full:
                return PlaceMention(i, i + size, _pick(full, text, named), True)
            if word in self.by_short:
                return PlaceMention(i, i + size, _pick(self.by_short[word], text, named), False)
        return None


def _stronger(later: PlaceMention, hit: PlaceMention, prefer: frozenset[str]) -> bool:
    if later.full != hit.full:
        return later.full
    if later.end - later.start != hit.end - hit.start:
        return later.end - later.start > hit.end - hit.start
    return later.place.name in prefer and hit.place.name not in prefer


def _pick(candidates: list[Place], text: str, named: dict[str, bool]) -> Place:
    """Of places sharing a name, the one whose parents the text names, else the higher level."""
    if len(candidates) == 1:
        return candidates[0]

    def names(parent: str) -> bool:
        if parent not in named:
            named[parent] = parent in text or parent[:2] in text
        return named[parent]

    def score(place: Place) -> tuple[int, int]:
        return sum(1 for parent in place.parents if names(parent)), -LEVELS.index(place.level)

    return max(candidates, key=score)


def _jionlp_file() -> Path | None:
    spec = importlib.util.find_spec("jionlp")  # finds the package without importing it (slow, noisy)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"
    return path if path.exists() else None


def _parse(lines: list[str]) -> list[Place]:
    """jionlp's file: one division a line, its depth in tabs, `name<TAB>code<TAB>short`."""
    places: list[Place] = []
    chain: list[str] = []
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        if depth >= len(LEVELS) or not line.strip():
            continue
        cells = line.strip().split("\t")
        name = cells[0]
        short = cells[SHORT_FIELD] if len(cells) > SHORT_FIELD and cells[SHORT_FIELD] else _town_short(name)
        if short in KIND_WORDS:
            short = name  # 镇江新区's short form 新区 is every new district's kind: only the full name counts
        del chain[depth:]
        parents = tuple(dict.fromkeys(p for p in chain if p != name))  # 上海市 is province and city at once
        chain.append(name)
        if depth == 1 and name == (chain[0] if chain else ""):
            continue  # the municipality's city level repeats the province
        places.append(Place(name, short, LEVELS[depth], parents))
    return places


def _town_short(name: str) -> str:
    for suffix in TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_SHORT:
            return name[: -len(suffix)]
    return name


def _cache_file() -> Path:
    try:
        version = importlib.metadata.version("jionlp")
    except importlib.metadata.PackageNotFoundError:
        version = "none"
    return cache_dir() / f"places-{CACHE_FORMAT}-{version}.json"


@cache
def gazetteer() -> Gazetteer:
    """The national gazetteer (cached on disk as JSON, a format that cannot run code)."""
    path = _cache_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Gazetteer(
            [Place(n, s, lv, tuple(ps)) for n, s, lv, ps in data["places"]],
            {w: (f, t) for w, (f, t) in data["words"].items()},
        )
    except (OSError, ValueError, TypeError):
        pass
    source = _jionlp_file()
    if source is None:
        log.warning("jionlp's gazetteer is not installed: places are not recognised")
        return Gazetteer([])
    with zipfile.ZipFile(source) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    places = [p for p in _parse(text.splitlines()) if not ZONE_NAME.search(p.name)]
    words = _jieba_words(
        {w for p in places if p.level != "town" for w in (p.name, p.short) if len(w) == WORD_LIKE}
    )
    try:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        payload = {"places": [[p.name, p.short, p.level, list(p.parents)] for p in places], "words": words}
        partial.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
    except OSError as err:
        log.warning("could not write the gazetteer cache %s: %s", path, err)
    return Gazetteer(places, words)


def _jieba_words(wanted: set[str]) -> dict[str, tuple[int, str]]:
    """Frequency and tag of the wanted words in jieba's own dictionary."""
    found: dict[str, tuple[int, str]] = {}
    with open(jieba.get_dict_file().name, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= DICT_TAG_FIELDS and parts[0] in wanted:
                found[parts[0]] = (int(parts[1]), parts[2])
    return found


SELF = re.compile("|".join(SELF_WORDS))


@dataclass(frozen=True)
class ReportPlaces:
    """The places one report names, and which one it is about."""

    home: Place | None
    named: dict[str, Place]  # every place the report names, by full name
    mentions: tuple[PlaceMention, ...]


def report_places(text: str) -> ReportPlaces:
    """The places a report names, and its own (the county- or city-level place it names most; its
    title and first lines count double). A name that is also a common word counts only when the
    report names the place in full somewhere (长寿 alone is a word, not 长寿区)."""
    gaz = gazetteer()
    first = gaz.scan(text)
    full_names = {m.place.name for m in first if m.full and gaz.trusted(m.place.name, m.place)}
    first = gaz.scan(text, prefer=frozenset(full_names))

    def believed(m: PlaceMention) -> bool:
        return m.place.name in full_names or gaz.trusted(text[m.start : m.end], m.place)

    doubtful = [m for m in first if not believed(m)]
    first = [m for m in first if believed(m)]
    counts: Counter[str] = Counter()
    head = min(len(text), 200)
    selfs = Counter(SELF_WORDS[w] for w in SELF.findall(text))
    # a report that keeps saying 全省 is a province's: its province counts like a county or city would
    levels = (*HOME_LEVELS, "province") if selfs["省"] >= SELF_EVIDENCE else HOME_LEVELS
    for k, m in enumerate(first):
        after = first[k + 1] if k + 1 < len(first) else None
        if (
            after is not None
            and text[m.end : after.start] in QUALIFIER_GAPS
            and m.place.name in after.place.parents
        ):
            # 成都市龙泉驿区, (巴中市)巴州区: the city says whose district it is; the district is the topic
            counts[after.place.name] += QUALIFIED_WEIGHT * (2 if m.start < head else 1)
            continue
        if m.place.level in levels:
            counts[m.place.name] += 2 if m.start < head else 1
    if not counts:
        found = _home_by_short_form(text, doubtful, selfs)
        if found is not None:
            name, times = found
            counts[name] = times
            full_names.add(name)
            first += [m for m in doubtful if m.place.name == name]
    by_name = {m.place.name: m.place for m in first}
    home = None
    if counts:
        # a county inside the city the report names most is its subject (全县 in a county's report)
        county = [(n, c) for n, c in counts.most_common() if by_name[n].level == "county"]
        level = selfs.most_common(1)[0][0] if selfs else ""
        # named as often: the one 全县/全区/全市 speaks of (维西县 over the news site's 香格里拉市 in a 全县 report)
        best_name = max(counts, key=lambda n: (counts[n], bool(level) and n.endswith(level)))
        title_end = text.find("\n", 0, head)  # the title: the first line (in the opening lines)
        titled = {m.place.name for m in first if m.start < (title_end if title_end >= 0 else head)}
        best_name = _spoken_home(best_name, counts, selfs, titled, by_name[best_name].parents)
        if county and (
            by_name[best_name].level == "city"
            and selfs
            and selfs.most_common(1)[0][0] in "区县"
            and county[0][1] >= 1
        ):
            best_name = county[0][0]
        home = by_name[best_name]
    mentions = gaz.scan(
        text, towns_of=home.name if home and home.level == "county" else None, prefer=frozenset(full_names)
    )
    kept = tuple(m for m in mentions if believed(m) or (m.place.level == "town" and m.full))
    return ReportPlaces(home, {m.place.name: m.place for m in kept}, kept)


# a district named with its city before it (成都市龙泉驿区) counts this much more than a bare mention: a
# report names its own place so, and its city only in passing
QUALIFIED_WEIGHT = 2
WHOLE_NAME_WEIGHT = 2  # a county named by its whole two-character name (献县) against a bare short form
QUALIFIER_GAPS = ("", ")", "）")

# 县委, 区政府, 县人大: a county's or district's own bodies, saying which level the report is of
LEVEL_OFFICE = re.compile(r"(区|县|旗)(?:委|政府|人民政府|人大|政协)")
COUNTY_SELVES = ("区", "县", "旗")
# 突破千亿大关, 突破500亿元大关: a milestone after a figure, not 大关县
FIGURE_BEFORE = re.compile(r"(?:\d|[亿万千百十])(?:亿|万|千)?(?:元|美元|吨|人|户|个|家|台|辆)?$")


def _spoken_home(
    best_name: str, counts: Counter[str], selfs: Counter[str], titled: set[str], parents: tuple[str, ...]
) -> str:
    """A report that keeps saying 全省/全县 is that province's or county's, whichever it names more often
    (a provincial bulletin lists its cities; a news item names its source) — when that self word is said
    more often than any other (全省先进区 twice in a 全区 report is the province's award) and a province is
    named in the report's title, its first line (获评安徽省… in passing frames a district's profile), and is
    not just the parent of the place the title names ((安徽省)2015年合肥市庐阳区人民政府工作报告). 全市 and
    全区 may speak of the city above a district, so they settle nothing here."""
    level = selfs.most_common(1)[0][0] if selfs else ""
    spoken = [n for n in counts if level and n.endswith(level)]
    if (
        level not in OWN_ONLY
        or best_name.endswith(level)
        or not spoken
        or selfs[level] < SELF_EVIDENCE
        or any(c >= selfs[level] for lv, c in selfs.items() if lv != level)
    ):
        return best_name
    candidate = max(spoken, key=lambda n: counts[n])
    if level == "省" and (candidate not in titled or (candidate in parents and best_name in titled)):
        return best_name
    return candidate


def _home_by_short_form(
    text: str, doubtful: list[PlaceMention], selfs: Counter[str]
) -> tuple[str, int] | None:
    """A report that names its county only by its short form (2022年,是泽州发展历程中…; 漾濞 twice): the
    county-level place whose short form stands as a word of its own (not inside 示范县, not the milestone
    of 千亿大关, not an ordinary word), of the level its 全县/县委 words speak of; named at least twice
    when it has no such words."""
    levels = {lv for lv in selfs if lv in COUNTY_SELVES} | {m.group(1) for m in LEVEL_OFFICE.finditer(text)}
    gaz = gazetteer()
    bounds: set[int] = set()
    at = 0
    for token in plain_segmenter().lcut(text, HMM=False):
        bounds.add(at)
        at += len(token)
    bounds.add(at)
    alike: Counter[str] = Counter()
    for m in doubtful:
        word = text[m.start : m.end]
        freq, tag = gaz.words.get(word, (0, ""))
        if (
            m.place.level != "county"
            or m.start not in bounds
            or m.end not in bounds
            or FIGURE_BEFORE.search(text, max(0, m.start - len("亿美元") - 1), m.start)
            or (not levels and freq >= COMMON_FREQ and tag != "ns")  # 宁远 is a name too, with 全县 beside it
        ):
            continue
        if not levels or any(m.place.name.endswith(lv) for lv in levels):
            # 献县 written whole says more than 永昌 (a short form, maybe a person's name: 县长王永昌)
            alike[m.place.name] += WHOLE_NAME_WEIGHT if word == m.place.name else 1
    if not alike:
        return None
    name, times = alike.most_common(1)[0]
    return (name, times) if levels or times >= SELF_EVIDENCE else None


def resolve(word: str, known: Collection[str] | None = None) -> Place | None:
    """The place a word names (full name or short form), preferring places the store knows."""
    gaz = gazetteer()
    candidates = gaz.named(word) or gaz.by_short.get(word, [])
    if not candidates:
        return None
    if known:
        inside = [p for p in candidates if p.name in known]
        if inside:
            return min(inside, key=lambda p: LEVELS.index(p.level))
    return min(candidates, key=lambda p: LEVELS.index(p.level))


# English names of divisions: "Yizhang County", "Mianyang City", "Jiangjin District", "Guang'an".
LATIN_PLACE = re.compile(
    r"\b([A-Z][a-z]+(?:['’\-](?!s\b)[a-z]+)*)(?:['’]s)?(?:\s+(County|District|City|Municipality|Province))?\b"
)
MAX_SPELLINGS = 8  # readings kept per name: a name of three characters with two readings each has 8
LEVEL_WORDS = {"County": "县", "District": "区", "City": "市", "Municipality": "市", "Province": "省"}


def latin_places(text: str, known: frozenset[str]) -> str:
    """English place names in pinyin → the Chinese names. Places the store knows come first;
    "County"/"District" pick the level."""
    gaz = gazetteer()

    def replace(m: re.Match) -> str:
        key = re.sub(r"[^a-z]", "", m.group(1).lower())
        suffix = LEVEL_WORDS.get(m.group(2) or "", "")
        candidates = [
            p
            for p in _by_spelling(gaz).get(key, ())
            if not suffix or p.name.endswith(suffix) or p.suffix.endswith(suffix)
        ]
        if not candidates:
            return m.group(0)
        inside = [p for p in candidates if p.name in known]
        best = min(inside or candidates, key=lambda p: LEVELS.index(p.level))
        return f" {best.name} "

    return LATIN_PLACE.sub(replace, text)


def _by_spelling(gaz: Gazetteer) -> dict[str, list[Place]]:
    """Divisions by the pinyin of their short form: read as a phrase (长寿 is changshou, not zhangshou)
    and in every reading of its characters (朝阳 as a word is zhaoyang; 朝阳区 is Chaoyang); built on the
    first English question, kept as JSON in the cache folder."""
    if gaz.spellings is None:
        path = _cache_file().with_name(_cache_file().stem + "-pinyin.json")
        try:
            spelled = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # deliberately lazy: importing pypinyin costs 0.5 s, paid only when the spellings are not cached
            from pypinyin import Style, lazy_pinyin, pinyin  # noqa: PLC0415, RUF100

            spelled = {
                p.short: sorted(
                    {"".join(lazy_pinyin(p.short, style=Style.NORMAL))}
                    | {"".join(r) for r in product(*pinyin(p.short, style=Style.NORMAL, heteronym=True))}
                )[:MAX_SPELLINGS]
                for p in gaz.places
                if p.level != "town" and len(p.short) >= MIN_SHORT
            }
            try:
                path.write_text(json.dumps(spelled, ensure_ascii=False), encoding="utf-8")
            except OSError as err:
                log.warning("could not write %s: %s", path, err)
        table: dict[str, list[Place]] = {}
        for place in gaz.places:
            if place.short in spelled and place.level != "town":
                for spelling in spelled[place.short]:
                    table.setdefault(spelling, []).append(place)
        gaz.spellings = table
    return gaz.spellings


def division(word: str) -> Place | None:
    """The county, city or province a word names on its own (a full name, or a short form trusted
    alone), else None: 金华 is 金华市, 通道 is no place."""
    gaz = gazetteer()
    for place in gaz.named(word) or gaz.by_short.get(word, []):
        if place.level != "town" and gaz.trusted(word, place):
            return place
    return None
