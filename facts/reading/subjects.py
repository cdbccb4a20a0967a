"""Subjects: who or what a figure is about — a district, a zone inside it, or a company.

Learned from the text itself (which district a report is about, the zones and companies it
names, "以下简称“X”" aliases), so the same rules serve reports about any district.
"""

import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import chain

from facts.lexicon import Lexicon
from facts.places import Place, ReportPlaces, resolve
from facts.text import MIN_WORD

ZONE_TYPES = {
    "综合保税区": "综保区",
    "综保区": "综保区",
    "保税港区": "综保区",
    "临港产业城": "产业城",
    "产业城": "产业城",
    "经济技术开发区": "开发区",
    "经济开发区": "开发区",
    "经开区": "开发区",
    "开发区": "开发区",
    "高新技术产业开发区": "高新区",
    "高新区": "高新区",
    "工业园区": "工业园",
    "工业园": "工业园",
    "产业园": "产业园",
    "物流园": "物流园",
    "物流枢纽": "物流枢纽",
    "港": "港",
}
ZONE_TYPE_KEYS = frozenset(ZONE_TYPES.values())
BOUNDARY = set('的在于和与及将为是从由向到对把被了等、,，;；:：。!?！？“”"《》()（）—- \n')
NOT_SUBJECT_BEFORE = set("居在占列位于为排至比较")
# A verb before a company's name is not part of it: 引入上海均和集团 is 上海均和集团.
ORG_LEAD_VERB = re.compile(r"^(引入|引进|招引|签约|携手|联合|吸引|落户|入驻|与|同|和|由|对|向)")
ORG = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,12}?)(股份有限公司|有限责任公司|有限公司|集团|公司)")
ALIAS = re.compile(r"以下简称[“\"]([^”\"]{2,8})[”\"]")
PLACE_PREFIX = re.compile(
    r"^(四川|重庆|广州|北京|上海|深圳|天津|浙江|江苏|福建|湖北|湖南|广东|贵州|云南|陕西|马来西亚|香港|珠海)"
)
DISTRICT = re.compile(r"([\u4e00-\u9fff]{2})(区|县)")
SERVICE = re.compile(r"([\u4e00-\u9fff]{2})班列")  # a train service's name: 江津班列, 中欧班列
SELF_WORDS = re.compile(r"全区|全县|全市|本区|本县|本市|我区|我县|我市")


def service_names(text: str, places: Collection[str]) -> Iterator[tuple[str, str]]:
    """Each train service the text names, and the word before 班列: a place's whole name where one ends
    there (沙坪坝班列, not 坪坝班列), else the two characters SERVICE sees (江津班列, 中欧班列)."""
    for m in SERVICE.finditer(text):
        head = max(
            (p for p in places if len(p) > len(m.group(1)) and text.endswith(p, 0, m.end(1))),
            key=len,
            default=m.group(1),
        )
        yield head + "班列", head


@dataclass(frozen=True)
class Subject:
    kind: str  # district | zone | org
    name: str  # as shown to users: 江津区, 珞璜临港产业城, 四川和邦集团
    key: str  # district name, zone type, or company core name
    place: str | None = None  # a zone's place: 江津 in 江津综保区

    def fits(self, other: "Subject") -> bool:
        """Same thing, allowing one side to omit the place (综保区 fits 江津综保区)."""
        if self.kind != other.kind:
            return False
        if self.kind == "org":
            return self.key in other.key or other.key in self.key
        if self.key != other.key and not _one_names_the_type(self.key, other.key):
            return False  # 综保区 fits 高新综保区 (one side leaves out the zone's name), 高新区 not 经开区
        return self.place is None or other.place is None or self.place == other.place


def _one_names_the_type(a: str, b: str) -> bool:
    """Whether one zone key is a bare type (综保区) the other is of (高新综保区)."""
    return (a in ZONE_TYPE_KEYS and b.endswith(a)) or (b in ZONE_TYPE_KEYS and a.endswith(b))


@dataclass
class Mention:
    start: int
    end: int
    subject: Subject
    quoted: bool = False  # inside “…”: a name in a list, not the topic of the sentence
    sentence: int = 0


def org_core(name: str) -> str:
    core = re.sub(r"(股份有限公司|有限责任公司|有限公司|集团|公司)$", "", name)
    return PLACE_PREFIX.sub("", core) or core


def place_mentions(text: str, report: ReportPlaces) -> list[tuple[int, int, Place]]:
    """The report's places as subjects: a division followed by one inside it (重庆市江津区, 湖南省宁远县)
    is one mention of the inner one; a short form right before 班列 names a train service, not the place."""
    merged: list[tuple[int, int, Place]] = []
    for m in report.mentions:
        if merged and merged[-1][1] == m.start and merged[-1][2].name in m.place.parents:
            merged[-1] = (merged[-1][0], m.end, m.place)
            continue
        if not m.full and text.startswith("班", m.end):
            continue
        merged.append((m.start, m.end, m.place))
    return merged


# a clause starts after punctuation, or after a rate whose separator a web page lost (…4.7个百分点法库县实现…)
CLAUSE_START = re.compile(r"[,，。;；:：!！?？\n]|(?<=\d)(?:个百分点|%|％)")
# Words that may stand before a clause's topic: 2022年，绵阳实现… / 其中，仁怀市… / 全年绵阳…
LEAD_WORDS = re.compile(
    r"((19|20)\d{2}年|[一二三四上下前]季度|[上下]半年|\d{1,2}[-—至]?\d{0,2}月(份)?|全年|其中|同期|"
    r"今年|去年|上年|当年|在|据|从|\d+|[(（][^)）]*[)）]|\s)+"
)


def opens_clause(text: str, start: int) -> bool:
    """Whether a name stands at the head of its clause (after a date or 其中 at most): the topic."""
    lo = max(0, start - 30)
    cut = max((m.end() for m in CLAUSE_START.finditer(text, lo, start)), default=lo if lo else 0)
    lead = text[cut:start]
    return not lead or LEAD_WORDS.fullmatch(lead) is not None


def place_subject(place: Place, home: Place | None) -> Subject:
    """A county, city or province is a "district" subject (keyed by full name); a town is a part of its
    county, like a zone."""
    if place.level == "town":
        return Subject("zone", place.name, place.name, home.name if home else None)
    return Subject("district", place.name, place.name)


def self_place(word: str, home: Place, named: dict[str, Place]) -> Place:
    """全县 in a county's report is the county; 全市 there is the city it belongs to."""
    if home.name.endswith(word[-1]) or not home.parents:
        return home
    parent = next((p for p in reversed(home.parents) if p.endswith(word[-1])), None)
    if parent is None:
        return home
    return named.get(parent) or Place(parent, parent[:-1], "city", ())


def place_key(word: str | None, known: Collection[str] | None = None) -> str | None:
    """A place word as the store keys it: 江津 → 江津区 (its full name) when it names a division."""
    if not word:
        return word
    place = resolve(word, known)
    return place.name if place is not None else word


def find_orgs(text: str) -> set[str]:
    """Company names and their declared short names."""
    names = set()
    for m in ORG.finditer(text):
        start = m.start(1)
        name = m.group(0)
        cuts = [i for i, ch in enumerate(name[: len(m.group(1))]) if ch in BOUNDARY]
        for cut in reversed(
            cuts
        ):  # the nearest boundary that still leaves a name ("四川和邦集团" keeps its 和)
            if len(org_core(name[cut + 1 :])) >= MIN_WORD:
                name = name[cut + 1 :]
                break
        name = ORG_LEAD_VERB.sub("", name)
        if len(org_core(name)) >= MIN_WORD and start >= 0 and not any(ch in BOUNDARY for ch in name[:2]):
            names.add(name)
    names.update(ALIAS.findall(text))
    return names


PLACE_BEFORE_ZONE = 2  # 珞璜 of 珞璜港: the two characters before a zone's suffix are read as its place
MIN_REPEATS = 2  # a pair of characters before a zone suffix only once may be chance, not a place
QUOTE_REACH = 12  # a mention is quoted when the closing quote follows within this many characters


def find_places(text: str, lexicon: Lexicon, districts: set[str]) -> set[str]:
    """Place names used before zone suffixes (珞璜 in 珞璜港, 珞璜临港产业城) more than once."""
    seen: Counter[str] = Counter()
    for suffix in lexicon.zone_suffixes:
        for m in re.finditer(re.escape(suffix), text):
            prefix = text[max(0, m.start() - PLACE_BEFORE_ZONE) : m.start()]
            if len(prefix) == PLACE_BEFORE_ZONE and all(
                "\u4e00" <= ch <= "\u9fff" and ch not in BOUNDARY for ch in prefix
            ):
                seen[prefix] += 1
    return {p for p, n in seen.items() if n >= MIN_REPEATS} | districts


Candidate = tuple[int, int, Subject]  # where a subject is mentioned: start, end, the subject


# after a place: the place is a yardstick, not the subject (全市第8位, 全市平均增速, 全省前列)
COMPARED_WITH = re.compile(r"第[\d一二三四五六七八九十]+(位|名)|排名|排第|平均|前列")
# what joins the places of a list of subjects (甲县、乙县和丙县)
LIST_JOINS = frozenset({"和", "、", "及", "与", "以及"})
FIGURE_THEN_JOIN = re.compile(r"\d[\d.]*[^\d\s、,，;；。]{0,4}[、,，]")
# a place with its figure in brackets (…、北辰区(735.9亿)): the place the figure is of, wherever it stands
BRACKETED_FIGURE = re.compile(r"[(（]\d")


def find_mentions(
    text: str, lexicon: Lexicon, report: ReportPlaces, places: set[str], orgs: set[str]
) -> list[Mention]:
    """Subject mentions in order; the report's own place is what 全区/全县/全市 mean. Companies are taken
    first, then zones, places, and 全区-like words: a later candidate overlapping an earlier one is dropped."""
    mentions: list[Mention] = []
    taken = [False] * (len(text) + 1)
    candidates = chain(
        _org_candidates(text, orgs),
        _zone_candidates(text, lexicon, report, places),
        _place_candidates(text, lexicon, report, orgs),
        _self_candidates(text, report),
    )
    for start, end, subject in candidates:
        if any(taken[start:end]):
            continue
        for i in range(start, end):
            taken[i] = True
        opened, closed = text.rfind("“", 0, start), text.rfind("”", 0, start)
        quoted = opened > closed and 0 <= text.find("”", end) - end <= QUOTE_REACH
        mentions.append(Mention(start, end, subject, quoted))
    mentions.sort(key=lambda x: x.start)
    return _with_anaphors(text, mentions, taken)


# 该保税区, 本园区: the zone last named before
ZONE_ANAPHOR = re.compile(r"(该|本)(综合保税区|保税区|综保区|园区|开发区|经开区|高新区|产业园|工业园|产业城)")


def _with_anaphors(text: str, mentions: list[Mention], taken: list[bool]) -> list[Mention]:
    """The mentions plus each 该保税区-like word as a mention of the zone named last before it."""
    found = []
    for m in ZONE_ANAPHOR.finditer(text):
        if any(taken[m.start() : m.end()]):
            continue
        zone = next((x for x in reversed(mentions) if x.start < m.start() and x.subject.kind == "zone"), None)
        if zone is not None:
            found.append(Mention(m.start(), m.end(), zone.subject))
    return sorted(mentions + found, key=lambda x: x.start) if found else mentions


def _org_candidates(text: str, orgs: set[str]) -> Iterator[Candidate]:
    """Every mention of the report's companies, longest name first."""
    for name in sorted(orgs, key=len, reverse=True):
        for m in re.finditer(re.escape(name), text):
            yield m.start(), m.end(), Subject("org", name, org_core(name))


def _zone_candidates(
    text: str, lexicon: Lexicon, report: ReportPlaces, places: set[str]
) -> Iterator[Candidate]:
    """Every zone suffix with the place before it (珞璜临港产业城); a 港 only with a place that is no division."""
    for suffix in lexicon.zone_suffixes:
        for m in re.finditer(re.escape(suffix), text):
            place, modifier = zone_place(text, m.start(), places)
            if suffix == "港" and (
                place is None or modifier or place_key(place, report.named) in report.named
            ):
                continue
            start = m.start() - len(modifier) - (len(place) if place else 0)
            name = text[start : m.end()]
            key = modifier + ZONE_TYPES[suffix]
            yield start, m.end(), Subject("zone", name, key, place_key(place, report.named))


# Words between a place and a zone's suffix that name the zone (成都高新综合保税区, 某国际铁路港综合保税区)
# are at most this long, and hold no verb or function word (江津区建设综保区 is no zone's name).
ZONE_MODIFIER_MAX = 5
NOT_IN_ZONE_NAME = re.compile(
    r"[的在于和与及是为将把被对向从由到了等个家年月日]|建设|打造|推进|加快|依托|围绕|申建|获批|设立|成立|申报|落户|入驻|进入|位于|全国|全省|全市"
)


def zone_place(text: str, at: int, places: Collection[str]) -> tuple[str | None, str]:
    """The place of a zone whose suffix starts at `at`, and the words between them that name the zone:
    (沙坪坝, "") for 沙坪坝综保区 — the longest place, so no set order decides — (成都, 高新) for
    成都高新综合保税区, (None, "") when no place stands close before."""
    for gap in range(ZONE_MODIFIER_MAX + 1):
        end = at - gap
        modifier = text[end:at]
        if gap and (not _is_cjk_run(modifier) or NOT_IN_ZONE_NAME.search(modifier)):
            return None, ""
        place = max((p for p in places if text.endswith(p, 0, end)), key=len, default=None)
        if place is not None:
            return place, modifier
    return None, ""


def _is_cjk_run(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" and ch not in BOUNDARY for ch in text)


def _place_candidates(
    text: str, lexicon: Lexicon, report: ReportPlaces, orgs: set[str]
) -> Iterator[Candidate]:
    """The places named as subjects: the report's own anywhere, another only where it opens a clause (or
    follows one that does in a list: 格尔木市和德令哈市…分别增长)."""
    listed_to = -1  # where the last place taken as a subject ends
    for start, end, found in place_mentions(text, report):
        follow = text[end : end + 6]
        if any(follow.startswith(s) for s in lexicon.zone_suffixes):
            continue  # 江津综保区: the zone's own mention
        between = text[listed_to:start] if listed_to >= 0 else ""
        # 格尔木市和德令哈市…; 霍邱县52个、舒城县52个: a place after one taken, across a join or its figure
        in_list = listed_to >= 0 and (
            between in LIST_JOINS or FIGURE_THEN_JOIN.fullmatch(between) is not None
        )
        if (
            found != report.home
            and not opens_clause(text, start)
            and not BRACKETED_FIGURE.match(text, end)
            and not in_list
        ):
            continue  # 与北京XX公司签约, 来自广东的企业: another place named in passing is no subject
        if found != report.home and any(text.startswith(org_core(o)[:2], end) for o in orgs):
            continue  # 重庆明峰医学影像…: the place opens a company's name
        listed_to = end
        yield start, end, place_subject(found, report.home)


def _self_candidates(text: str, report: ReportPlaces) -> Iterator[Candidate]:
    """全区/全县/全市 as the report's own place (or the city above it), where they name a subject."""
    if report.home is None:
        return
    for m in SELF_WORDS.finditer(text):
        if m.start() > 0 and text[m.start() - 1] in NOT_SUBJECT_BEFORE:
            continue
        own = self_place(m.group(0), report.home, report.named)
        if own != report.home and not opens_clause(text, m.start()):
            continue  # 打造全市重要的开放高地: the city named in passing
        if own != report.home and COMPARED_WITH.match(text, m.end()):
            continue  # (居)全市第8位, 高于全市平均: the city is what the county is measured against
        yield m.start(), m.end(), place_subject(own, None)
