"""Subjects: who or what a figure is about — a district, a zone inside it, or a company.

Learned from the text itself (which district a report is about, the zones and companies it
names, "以下简称“X”" aliases), so the same rules serve reports about any district.
"""
import re
from collections import Counter
from dataclasses import dataclass

from facts.lexicon import Lexicon

ZONE_TYPES = {
    "综合保税区": "综保区", "综保区": "综保区", "保税港区": "综保区", "临港产业城": "产业城", "产业城": "产业城",
    "经济技术开发区": "开发区", "经济开发区": "开发区", "开发区": "开发区", "高新技术产业开发区": "高新区",
    "高新区": "高新区", "工业园区": "工业园", "工业园": "工业园", "产业园": "产业园", "物流园": "物流园",
    "物流枢纽": "物流枢纽", "港": "港",
}
BOUNDARY = set("的在于和与及将为是从由向到对把被了等、,，;；:：。!?！？“”\"《》()（）—- \n")
NOT_SUBJECT_BEFORE = set("居在占列位于为排至比较")
ORG = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,12}?)(股份有限公司|有限责任公司|有限公司|集团|公司)")
ALIAS = re.compile(r"以下简称[“\"]([^”\"]{2,8})[”\"]")
PLACE_PREFIX = re.compile(r"^(四川|重庆|广州|北京|上海|深圳|天津|浙江|江苏|福建|湖北|湖南|广东|贵州|云南|陕西|马来西亚|香港|珠海)")
DISTRICT = re.compile(r"([\u4e00-\u9fff]{2})(区|县)")


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
        if self.key != other.key:
            return False
        return self.place is None or other.place is None or self.place == other.place


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


def find_districts(text: str, lexicon: Lexicon) -> Counter[str]:
    """District names a text uses (江津 for 江津区, 九龙坡 for 九龙坡区, 忠 for 忠县), scored by mentions.

    A name is scored by its full mentions (X区) and, when it has two characters or more, its bare ones;
    of two overlapping names (龙坡, 九龙坡) the longer wins when it is nearly as frequent.
    """
    full: Counter[str] = Counter()
    for size in (1, 2, 3):
        for m in re.finditer(rf"([\u4e00-\u9fff]{{{size}}})(区|县)", text):
            name, whole = m.group(1), m.group(0)
            if any(whole.endswith(word) for word in lexicon.not_districts) or name[-1] in "全该本各":
                continue
            if size == 1 and (whole[-1] != "县" or name in "各该本全每一两三四五六七八九十"):
                continue
            full[name] += 1
    scores = Counter({name: 3 * n + (text.count(name) - n if len(name) >= 2 else 0) for name, n in full.items()})
    for name in list(scores):
        for longer in scores:
            if longer != name and longer.endswith(name) and full[longer] >= 0.8 * full[name]:
                scores[name] = 0
    return Counter({name: score for name, score in scores.items() if score > 0})


def district_name(name: str, text: str = "") -> str:
    """江津 → 江津区, 忠 → 忠县 (as the text writes it when it does)."""
    if len(name) == 1 or (text and f"{name}县" in text and f"{name}区" not in text):
        return name + "县"
    return name + "区"


def find_orgs(text: str) -> set[str]:
    """Company names and their declared short names."""
    names = set()
    for m in ORG.finditer(text):
        start = m.start(1)
        name = m.group(0)
        cuts = [i for i, ch in enumerate(name[: len(m.group(1))]) if ch in BOUNDARY]
        for cut in reversed(cuts):  # the nearest boundary that still leaves a name ("四川和邦集团" keeps its 和)
            if len(org_core(name[cut + 1:])) >= 2:
                name = name[cut + 1:]
                break
        if len(org_core(name)) >= 2 and start >= 0 and not any(ch in BOUNDARY for ch in name[:2]):
            names.add(name)
    names.update(ALIAS.findall(text))
    return names


def find_places(text: str, lexicon: Lexicon, districts: set[str]) -> set[str]:
    """Place names used before zone suffixes (珞璜 in 珞璜港, 珞璜临港产业城) more than once."""
    seen: Counter[str] = Counter()
    for suffix in lexicon.zone_suffixes:
        for m in re.finditer(re.escape(suffix), text):
            prefix = text[max(0, m.start() - 2):m.start()]
            if len(prefix) == 2 and all("\u4e00" <= ch <= "\u9fff" and ch not in BOUNDARY for ch in prefix):
                seen[prefix] += 1
    return {p for p, n in seen.items() if n >= 2} | districts


def find_mentions(text: str, lexicon: Lexicon, districts: set[str], places: set[str], orgs: set[str],
                  home: str | None) -> list[Mention]:
    """Subject mentions in order; `home` is the report's district (全区 means it)."""
    mentions: list[Mention] = []
    taken = [False] * (len(text) + 1)

    def add(start: int, end: int, subject: Subject) -> None:
        if any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        opened, closed = text.rfind("“", 0, start), text.rfind("”", 0, start)
        quoted = opened > closed and 0 <= text.find("”", end) - end <= 12
        mentions.append(Mention(start, end, subject, quoted))

    for name in sorted(orgs, key=len, reverse=True):
        for m in re.finditer(re.escape(name), text):
            add(m.start(), m.end(), Subject("org", name, org_core(name)))
    for suffix in lexicon.zone_suffixes:
        for m in re.finditer(re.escape(suffix), text):
            place = next((p for p in places if text.endswith(p, 0, m.start())), None)
            if suffix == "港" and (place is None or place in districts):
                continue
            start = m.start() - len(place) if place else m.start()
            name = text[start:m.end()]
            add(start, m.end(), Subject("zone", name, ZONE_TYPES[suffix], place))
    for name in districts:
        for m in re.finditer(re.escape(name) + "(区|县)?", text):
            follow = text[m.end():m.end() + 2]
            if not m.group(1) and (follow.startswith("班") or any(s.startswith(follow[:1]) and follow and
                                                                  text.startswith(s, m.end()) for s in lexicon.zone_suffixes)):
                continue
            if len(name) == 1 and not m.group(1):
                continue
            add(m.start(), m.end(), Subject("district", m.group(1) and m.group(0) or district_name(name, text), name))
    if home:
        for m in re.finditer("全区|全县", text):
            if m.start() > 0 and text[m.start() - 1] in NOT_SUBJECT_BEFORE:
                continue
            add(m.start(), m.end(), Subject("district", district_name(home, text), home))
    mentions.sort(key=lambda x: x.start)
    return mentions
