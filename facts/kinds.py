"""The closed vocabularies a fact and an answer carry, as StrEnums: each member *is* its string, so the
stored columns, JSON output and comparisons with plain strings stay exactly as they were.

The reading and answering modules still spell these as strings; they can adopt the enums one by one."""

from enum import StrEnum


class Kind(StrEnum):
    """What a figure is: what happened, what is planned, what is expected, or a running total."""

    ACTUAL = "actual"
    TARGET = "target"
    FORECAST = "forecast"
    CUMULATIVE = "cumulative"


class Measure(StrEnum):
    """What a figure measures."""

    AMOUNT = "amount"
    GROWTH = "growth"
    SHARE = "share"
    RANK = "rank"


class Reason(StrEnum):
    """Why a question was not answered (`Answer.reason`); the bot words each for the user."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    VAGUE = "vague"  # no word of the question names an indicator
    TARGET_ONLY = "target_only"  # only the plan for the period is known: offered, not given
    NO_MATCH = "no_match"
    DISTRICT = "district"  # the nearest facts are another district's
    PERIOD = "period"  # ... of another period
    SUBJECT = "subject"  # ... of another subject (project, zone, company)
