"""The enums are the strings the engine writes and the bot renders: nothing stored or shown changes."""

from facts.answering.answer import KIND_NAMES, MEASURE_NAMES
from facts.kinds import Kind, Measure, Reason


def test_every_kind_and_measure_has_a_name_and_nothing_else_does():
    assert set(KIND_NAMES) == set(Kind) and set(MEASURE_NAMES) == set(Measure)


def test_members_are_their_strings():
    assert Kind.TARGET == "target" and f"{Measure.GROWTH}" == "growth" and Reason.TOO_LONG == "too_long"
