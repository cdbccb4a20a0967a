"""Digest schedules: parse `/subscribe` arguments and compute delivery slots in a chat's time zone.

A slot is the scheduled local time as an aware UTC datetime; (chat, slot) is what the delivery
log records, so each slot is delivered at most once."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from facts.errors import FactbotError

WEEKDAYS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "周一": 0,
    "周二": 1,
    "周三": 2,
    "周四": 3,
    "周五": 4,
    "周六": 5,
    "周日": 6,
    "周天": 6,
}
WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SATURDAY = WEEKDAYS["sat"]  # date.weekday() numbers Monday 0 … Sunday 6: workdays are below it
HHMM = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


class ScheduleError(FactbotError):
    """A /subscribe the bot cannot read; the message says how to write it."""


@dataclass(frozen=True)
class Schedule:
    kind: str = "daily"  # daily | weekly | workdays
    at: time = time(9, 0)
    weekday: int | None = None  # 0 = Monday, for weekly

    def describe(self) -> str:
        hhmm = self.at.strftime("%H:%M")
        if self.kind == "weekly":
            if self.weekday is None:
                raise ValueError("a weekly schedule needs its weekday")
            return f"weekly {WEEKDAY_NAMES[self.weekday]} {hhmm}"
        return f"{self.kind} {hhmm}"

    def runs_on(self, day: date) -> bool:
        if self.kind == "workdays":
            return day.weekday() < SATURDAY
        if self.kind == "weekly":
            return day.weekday() == self.weekday
        return True

    def slot_on(self, day: date, zone: ZoneInfo) -> datetime:
        """The slot of `day` in UTC. Compared in UTC, never as wall times: on the night the clocks go back
        a 02:30 slot is the first 02:30 (fold=0); in the hour skipped in spring it is sent as the clock
        jumps past it (02:30 in a 02:00→03:00 gap is 03:30 summer time, one hour after 01:30 winter time)."""
        return datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)

    def next_slot(self, after: datetime, tz: str) -> datetime:
        """The first slot strictly after `after` (aware), in UTC."""
        zone = ZoneInfo(tz)
        after = after.astimezone(UTC)
        start = after.astimezone(zone).date() - timedelta(days=1)  # a slot's UTC day may differ from its own
        for offset in range(9):
            day = start + timedelta(days=offset)
            if self.runs_on(day) and self.slot_on(day, zone) > after:
                return self.slot_on(day, zone)
        raise AssertionError("a schedule runs at least once a week")

    def last_slot(self, until: datetime, tz: str) -> datetime | None:
        """The latest slot at or before `until`, in UTC."""
        zone = ZoneInfo(tz)
        until = until.astimezone(UTC)
        start = until.astimezone(zone).date() + timedelta(days=1)
        for offset in range(9):
            day = start - timedelta(days=offset)
            if self.runs_on(day) and self.slot_on(day, zone) <= until:
                return self.slot_on(day, zone)
        return None


ALL_TOPICS = {"all", "全部", "所有", "全部指标"}


@dataclass(frozen=True)
class SubscribeRequest:
    schedule: Schedule | None = None  # None: keep the current one (or the default)
    topics: tuple[str, ...] | None = None  # None: keep the current ones; (): every indicator (`all`)
    timezone: str | None = None  # `/subscribe tz Europe/Berlin`
    extra: list[str] = field(default_factory=list)


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ScheduleError(f"不认识这个时区：{name}（例如 Asia/Shanghai、Europe/Berlin）。") from err
    return name


def parse_words(args: list[str]) -> list[str]:
    """Command arguments as words: 班列，外贸 is two topics."""
    return [w for arg in args for w in re.split(r"[，、,;；\s]+", arg) if w.strip()]


def parse_subscribe(args: list[str], known_topics: set[str] | None = None) -> SubscribeRequest:
    """`daily 08:30 班列 外贸`, `weekly mon 09:00`, `workdays 18:00`, `tz Europe/Berlin`, or only topics.

    With `known_topics`, any other word is refused (a typo like `dialy` must not become a topic)."""
    words = parse_words(args)
    if words[:1] and words[0].lower() in {"tz", "timezone", "时区"}:
        match words[1:]:
            case [zone]:
                return SubscribeRequest(timezone=check_timezone(zone))
            case _:
                raise ScheduleError("用法：/subscribe tz Europe/Berlin")
    schedule = None
    if words and words[0].lower() in {"daily", "weekly", "workdays", "每天", "每周", "工作日"}:
        kind = {"每天": "daily", "每周": "weekly", "工作日": "workdays"}.get(words[0], words[0].lower())
        words = words[1:]
        weekday = None
        if kind == "weekly":
            if not words or words[0].lower() not in WEEKDAYS:
                raise ScheduleError("用法：/subscribe weekly mon 09:00（mon…sun）")
            weekday = WEEKDAYS[words.pop(0).lower()]
        at = time(9, 0)
        if words and (m := HHMM.match(words[0])):
            words.pop(0)
            at = time(int(m.group(1)), int(m.group(2)))
        elif words and re.match(r"^\d", words[0]):
            raise ScheduleError(f"时间要写成 HH:MM，例如 08:30（收到 {words[0]}）。")
        schedule = Schedule(kind, at, weekday)
    elif words and (m := HHMM.match(words[0])):
        words.pop(0)
        schedule = Schedule("daily", time(int(m.group(1)), int(m.group(2))))
    if words and all(w.casefold() in ALL_TOPICS for w in words):
        return SubscribeRequest(schedule=schedule, topics=())
    return SubscribeRequest(schedule=schedule, topics=check_topics(words, known_topics) if words else None)


def check_topics(words: list[str], known_topics: set[str] | None) -> tuple[str, ...]:
    """The topic words, spelled as the configuration spells them (gdp → GDP); with `known_topics`, a word
    that is not part of one of them is refused: a typo like `dialy` must not become a topic, and 班列x
    would select nothing (an empty digest)."""
    spelled = {k.casefold(): k for k in known_topics or ()}
    topics = tuple(dict.fromkeys(spelled.get(w.casefold(), w) for w in words))
    unknown = [t for t in topics if known_topics is not None and not any(t.casefold() in k for k in spelled)]
    if unknown:
        listed = "、".join(sorted(known_topics)) if known_topics else ""
        raise ScheduleError(
            f"看不懂：{' '.join(unknown)}。用法：/subscribe [daily HH:MM | weekly mon HH:MM | "
            f"workdays HH:MM] [主题…| all]，主题可选：{listed}"
        )
    return topics


def schedule_from_text(text: str) -> Schedule:
    """The inverse of Schedule.describe()."""
    parts = text.split()
    at = time.fromisoformat(parts[-1])
    if parts[0] == "weekly":
        return Schedule("weekly", at, WEEKDAYS[parts[1]])
    return Schedule(parts[0], at)
