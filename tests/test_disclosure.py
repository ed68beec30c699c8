"""Small counts are suppressed in published tables (the spec's ``disclosure`` key)."""

from __future__ import annotations

import pytest

from whatworks import text
from whatworks.designs import rct
from whatworks.evaluation import evaluation
from whatworks.simulate.rct import ARMS, simulate_trial

SPEC = {
    "id_column": "victim_id", "arm_column": "arm", "control_arm": "bau_letter",
    "outcomes": [{"column": "repeat_victim", "type": "binary", "primary": True, "label": "Repeat victimisation",
                  "smallest_effect": 0.02, "source": "police_recorded"}],
    "exclusion_column": "exclusion_reason",
}


@pytest.fixture(autouse=True)
def restore_default():
    yield
    text.set_disclosure(5)


def trial_with_three_exclusions():
    frame = simulate_trial(seed=5, n=3000)
    rows = frame.index[(frame["arm"] == ARMS[1]) & (frame["exclusion_reason"] == "")][:3]
    frame.loc[rows, "exclusion_reason"] = "Moved out of force area"
    frame.loc[rows, "repeat_victim"] = None
    return frame


def test_consort_table_shows_a_count_under_five_as_less_than_five():
    result = rct.fit(trial_with_three_exclusions(), **SPEC)
    row = next(r for r in rct.consort_table(result).rows if "Moved out of force area" in r[0])
    assert "<5" in row and "3" not in row


def test_disclosure_zero_shows_every_count():
    evaluation({"disclosure": 0, "title": "t"})  # as a notebook's first call does
    result = rct.fit(trial_with_three_exclusions(), **SPEC)
    row = next(r for r in rct.consort_table(result).rows if "Moved out of force area" in r[0])
    assert "3" in row and "<5" not in row


def test_threshold_is_configurable_and_zero_is_never_hidden():
    text.set_disclosure(10)
    assert [text.fmt_count(v) for v in (0, 1, 9, 10, 12345)] == ["0", "<10", "<10", "10", "12,345"]
