"""Digest schedules: `/subscribe` arguments, and slots in a chat's time zone across the clock changes."""

from datetime import UTC, datetime, time

import pytest

from bot.state.schedule import Schedule, ScheduleError, parse_subscribe

TOPICS = {"江津班列开行量", "班列", "外贸", "GDP", "招商"}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Europe/Berlin: 2026-03-29 02:00 → 03:00 (CET → CEST); 2026-10-25 03:00 → 02:00 (CEST → CET)
NEXT = [
    (
        "daily 09:00 Shanghai",
        Schedule("daily", time(9)),
        "Asia/Shanghai",
        utc(2026, 11, 22, 0, 59),
        utc(2026, 11, 22, 1),
    ),
    (
        "daily: the slot itself is not after itself",
        Schedule("daily", time(9)),
        "Asia/Shanghai",
        utc(2026, 11, 22, 1),
        utc(2026, 11, 23, 1),
    ),
    (
        "local date ahead of UTC",
        Schedule("daily", time(7)),
        "Asia/Shanghai",
        utc(2026, 11, 21, 22),
        utc(2026, 11, 21, 23),
    ),
    (
        "local date behind UTC",
        Schedule("daily", time(23)),
        "America/New_York",
        utc(2026, 11, 22, 3),
        utc(2026, 11, 22, 4),
    ),
    (
        "spring gap: 02:30 does not exist, sent at 03:30 CEST",
        Schedule("daily", time(2, 30)),
        "Europe/Berlin",
        utc(2026, 3, 28, 23),
        utc(2026, 3, 29, 1, 30),
    ),
    (
        "spring gap: after it, the next day's 02:30 CEST",
        Schedule("daily", time(2, 30)),
        "Europe/Berlin",
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 30, 0, 30),
    ),
    (
        "autumn: 02:30 happens twice, the first one is the slot",
        Schedule("daily", time(2, 30)),
        "Europe/Berlin",
        utc(2026, 10, 24, 23),
        utc(2026, 10, 25, 0, 30),
    ),
    (
        "autumn: not again at the second 02:30",
        Schedule("daily", time(2, 30)),
        "Europe/Berlin",
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 26, 1, 30),
    ),
    (
        "autumn: in the repeated hour, before its second 02:30, the slot has passed",
        Schedule("daily", time(2, 30)),
        "Europe/Berlin",
        utc(2026, 10, 25, 1),
        utc(2026, 10, 26, 1, 30),
    ),
    (
        "autumn: the hour after the change",
        Schedule("daily", time(9)),
        "Europe/Berlin",
        utc(2026, 10, 25, 7, 59),
        utc(2026, 10, 25, 8),
    ),
    (
        "weekly mon from a Sunday",
        Schedule("weekly", time(9), 0),
        "Asia/Shanghai",
        utc(2026, 11, 22, 5),
        utc(2026, 11, 23, 1),
    ),
    (
        "weekly mon from the Monday slot: a week later",
        Schedule("weekly", time(9), 0),
        "Asia/Shanghai",
        utc(2026, 11, 23, 1),
        utc(2026, 11, 30, 1),
    ),
    (
        "workdays skip the weekend",
        Schedule("workdays", time(18)),
        "Asia/Shanghai",
        utc(2026, 11, 20, 10),
        utc(2026, 11, 23, 10),
    ),
]


@pytest.mark.parametrize(
    "schedule,tz,after,expected", [row[1:] for row in NEXT], ids=[row[0] for row in NEXT]
)
def test_next_slot(schedule, tz, after, expected):
    assert schedule.next_slot(after, tz) == expected


LAST = [
    ("at the slot", Schedule("daily", time(9)), "Asia/Shanghai", utc(2026, 11, 22, 1), utc(2026, 11, 22, 1)),
    (
        "just before: yesterday's",
        Schedule("daily", time(9)),
        "Asia/Shanghai",
        utc(2026, 11, 22, 0, 59),
        utc(2026, 11, 21, 1),
    ),
    (
        "spring gap",
        Schedule("daily", time(2, 30)),
        "Europe/Berlin",
        utc(2026, 3, 29, 2),
        utc(2026, 3, 29, 1, 30),
    ),
    (
        "autumn: the first 02:30 stays the slot after the second",
        Schedule("daily", time(2, 30)),
        "Europe/Berlin",
        utc(2026, 10, 25, 1, 45),
        utc(2026, 10, 25, 0, 30),
    ),
    (
        "autumn: in the repeated hour, before its second 02:30",
        Schedule("daily", time(2, 30)),
        "Europe/Berlin",
        utc(2026, 10, 25, 1, 15),
        utc(2026, 10, 25, 0, 30),
    ),
    (
        "workdays: Friday's, seen on Sunday",
        Schedule("workdays", time(18)),
        "Asia/Shanghai",
        utc(2026, 11, 22, 5),
        utc(2026, 11, 20, 10),
    ),
]


@pytest.mark.parametrize(
    "schedule,tz,until,expected", [row[1:] for row in LAST], ids=[row[0] for row in LAST]
)
def test_last_slot(schedule, tz, until, expected):
    assert schedule.last_slot(until, tz) == expected


@pytest.mark.parametrize(
    "schedule",
    [Schedule("daily", time(2, 30)), Schedule("weekly", time(2, 30), 6), Schedule("workdays", time(0, 0))],
    ids=lambda s: s.describe(),
)
@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Shanghai"])
def test_slots_move_forward_through_a_whole_year(schedule, tz):
    """Every slot is after the one before, at most a week later, and never the same UTC moment twice."""
    slot, seen = utc(2026, 1, 1), []
    while slot < utc(2027, 1, 1):
        following = schedule.next_slot(slot, tz)
        assert slot < following and (following - slot).days <= 7
        assert schedule.last_slot(following, tz) == following
        seen.append(following)
        slot = following
    assert len(seen) == len(set(seen))


PARSE = [
    ("topics only", ["班列", "外贸"], None, ("班列", "外贸")),
    ("chinese comma", ["班列，外贸"], None, ("班列", "外贸")),
    ("lower-case gdp is the configured GDP", ["gdp"], None, ("GDP",)),
    ("all topics again", ["all"], None, ()),
    ("全部", ["daily", "08:30", "全部"], "daily 08:30", ()),
    ("schedule keeps topics", ["weekly", "fri", "17:00"], "weekly fri 17:00", None),
    ("full-width colon", ["workdays", "18：00"], "workdays 18:00", None),
]


@pytest.mark.parametrize("args,schedule,topics", [row[1:] for row in PARSE], ids=[row[0] for row in PARSE])
def test_parse_subscribe(args, schedule, topics):
    request = parse_subscribe(args, TOPICS)
    assert (request.schedule.describe() if request.schedule else None, request.topics) == (schedule, topics)


@pytest.mark.parametrize(
    "args",
    [
        ["dialy", "09:00"],
        ["daily", "9点"],
        ["weekly", "09:00"],
        ["all", "班列x"],
        ["tz", "Mars/Olympus"],
        ["daily", "25:00"],
    ],
)
def test_parse_subscribe_refuses_with_the_usage(args):
    with pytest.raises(ScheduleError):
        parse_subscribe(args, TOPICS)
