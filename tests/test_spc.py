"""SPC (XmR) charts: limits, rules, rebasing and the results.json shape.

Reference values are transcribed from the R package NHSRplotthedots, the
0.2.2 line (nhs-r-community/NHSRplotthedots):

- ``tests/testthat/_snaps/ptd_spc_standard.md`` (limits with and without a
  moving-range outlier, screened and unscreened) -> ``fixtures/spc/``;
- ``tests/testthat/test-ptd_calculate_point_type.R`` (rule helpers);
- ``tests/testthat/test-ptd_spc_standard.R`` (2-in-3 on opposite sides);
- issue #153, maintainer's answer (2023-07-16): a point beyond a limit does
  not count towards 2-in-3.

Every other expected value is worked out by hand from the documented
formulas, with the arithmetic in comments.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from whatworks.data import SeriesData
from whatworks.designs import spc
from whatworks.designs.spc.rules import _part_of, _run_ends, _trend_ends, _two_in_three
from whatworks.errors import DataError, SpecError
from whatworks.plots import ChartSet
from whatworks.simulate.spc import in_control_values, simulate_spc

FIXTURES = Path(__file__).parent / "fixtures" / "spc"
CLOSE = 2 * 2.66 / 3  # the near-limit zone, in mean moving ranges


def _series(values, start="2024-01-01", unit=None, freq="week"):
    periods = pd.date_range(start, periods=len(values), freq="7D")
    frame = pd.DataFrame({"period": periods, "outcome": np.asarray(values, dtype=float)})
    if unit is not None:
        frame.insert(0, "unit", unit)
    return frame


def _sd(frame, freq="week"):
    return SeriesData(frame, freq, source="test.csv", outcome_label="incidents")


def _sig(phase):
    return [(s.index, s.rule, s.side) for s in phase.signals]


# -- transcribed: limits (ptd_spc_standard snapshots) ------------------------------


@pytest.fixture(scope="module")
def snapshot():
    return json.loads((FIXTURES / "ptd_spc_standard_snapshot.json").read_text())


@pytest.mark.parametrize("case", ["r1", "r2", "r3"])
def test_limits_match_package_snapshot(snapshot, case):
    exp = snapshot["expected"][case]
    y = list(snapshot["y"])
    if exp["outlier"]:
        y[snapshot["outlier_position_1_based"] - 1] = snapshot["outlier_value"]
    p = spc.xmr(y, screen_outliers=exp["screen_outliers"])
    # the snapshot prints 7 significant figures
    assert p.mean == pytest.approx(exp["mean_col"], abs=1e-6)
    assert p.lower_limit == pytest.approx(exp["lpl"], abs=1e-5)
    assert p.upper_limit == pytest.approx(exp["upl"], abs=1e-5)
    key = next(k for k in exp if k.startswith("relative_to_mean"))
    sides = np.sign(np.asarray(y) - p.mean)[: len(exp[key])]
    assert sides.tolist() == exp[key]


def test_moving_range_outlier_is_screened_out(snapshot):
    # With y[15] = 10 the moving ranges into and out of that point are
    # |10 - 0.11068272| = 9.889 and |1.78691314 - 10| = 8.213. The mean of all
    # 19 moving ranges is 1.97971, so the screen is 3.267 x 1.97971 = 6.4677:
    # both are screened out and the mean moving range becomes the mean of the
    # other 17 (1.30123), which gives the snapshot's r2 limits. The centre
    # line still uses all 20 points (0.6694159 in both r2 and r3).
    y = list(snapshot["y"])
    y[14] = 10
    screened = spc.xmr(y)
    assert screened.screened == (14, 15)
    mr = np.abs(np.diff(y))
    assert screened.mean_moving_range == pytest.approx(np.delete(mr, [13, 14]).mean(), rel=1e-12)
    unscreened = spc.xmr(y, screen_outliers=False)
    assert unscreened.screened == ()
    assert unscreened.mean == screened.mean
    assert (unscreened.upper_limit - unscreened.lower_limit) > (screened.upper_limit - screened.lower_limit)
    # the outlier itself is beyond the (screened) upper limit of 3.722497
    assert (14, "astronomical", 1) in _sig(screened)


# -- transcribed: rule helpers (test-ptd_calculate_point_type.R) ---------------------


@pytest.mark.parametrize(
    "side, expected",
    [
        ([], []),
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([-1] * 8 + [1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([-1] + [1] * 8 + [-1], [0, 0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([1] + [-1] * 8 + [1], [0, 0, 0, 0, 0, 0, 0, 1, 1, 0]),
    ],
)
def test_seven_point_one_side_mean_as_package(side, expected):
    assert _run_ends(np.asarray(side, dtype=int), 7).astype(int).tolist() == expected


@pytest.mark.parametrize(
    "ends, expected",
    [
        ([], []),
        ([0] * 6, [0] * 6),
        ([0] * 6 + [1, 0], [1] * 7 + [0]),
        ([0] * 7 + [1, 0], [0] + [1] * 7 + [0]),
        ([0] * 6 + [-1, 0], [1] * 7 + [0]),
        ([0] * 7 + [-1, 0], [0] + [1] * 7 + [0]),
    ],
)
def test_part_of_seven_trend_as_package(ends, expected):
    assert _part_of(np.asarray(ends, dtype=int), 7).astype(int).tolist() == expected


@pytest.mark.parametrize(
    "y, expected",
    [
        ([], []),
        (list(range(1, 7)), [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # c(1:3, 3:6): the tie breaks the trend
        (list(range(1, 8)), [0, 0, 0, 0, 0, 0, 1]),
        ([2] + list(range(1, 8)) + [3], [0, 0, 0, 0, 0, 0, 0, 1, 0]),
        (list(range(7, 0, -1)), [0, 0, 0, 0, 0, 0, -1]),
        ([2] + list(range(7, 0, -1)) + [3], [0, 0, 0, 0, 0, 0, 0, -1, 0]),
    ],
)
def test_seven_point_trend_as_package(y, expected):
    assert _trend_ends(np.asarray(y, dtype=float), 7).tolist() == expected


@pytest.mark.parametrize(
    "close, side, expected",
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        # opposite sides of the mean never make 2-in-3 (issue #143)
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([1, 1, 0], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_part_of_two_in_three_as_package(close, side, expected):
    got = _two_in_three(np.asarray(close, dtype=bool), np.asarray(side, dtype=int))
    assert got.astype(int).tolist() == expected


def test_two_near_points_on_opposite_sides_are_common_cause():
    # test-ptd_spc_standard.R: 1, -1 repeated 8 times, then y[15] = 5.5 and
    # y[16] = -5.5; the package expects both to be common cause.
    # By hand: mean 0; moving ranges 13 x 2, 6.5, 11 -> mean 43.5 / 15 = 2.9;
    # screen 3.267 x 2.9 = 9.474 drops the 11 -> mean MR 32.5 / 14 = 2.3214;
    # limits ±6.175, near zone beyond ±4.117: both points are near a limit.
    y = [1, -1] * 8
    y[14], y[15] = 5.5, -5.5
    p = spc.xmr(y)
    assert p.mean_moving_range == pytest.approx(32.5 / 14)
    assert p.near_upper < 5.5 < p.upper_limit
    assert p.lower_limit < -5.5 < p.near_lower
    assert p.signals == ()


# -- 2-in-3 with a point beyond a limit in the window ----------------------------------

# Forty points alternating 6, 14 (39 moving ranges of 8 = 312), then three.
BASE = [6.0, 14.0] * 20


def _limits_by_hand(tail, mr_tail):
    mean = (400 + sum(tail)) / 43
    amr = (312 + sum(mr_tail)) / 42  # no moving range reaches 3.267 x amr here
    return mean, mean + 2.66 * amr, mean + CLOSE * amr


@pytest.mark.parametrize(
    "tail, mr_tail, expected",
    [
        # issue #153, "s>3, 2<s<3, 2<s<3": the two near points are 2-in-3,
        # the first is beyond the limit.
        ([40, 30, 30], [26, 10, 0], [(40, "astronomical", 1), (41, "two_of_three", 1), (42, "two_of_three", 1)]),
        # issue #153, "s>3, s>3, 2<s<3": only one point in the near zone, so
        # the last point is common cause.
        ([40, 40, 30], [26, 0, 10], [(40, "astronomical", 1), (41, "astronomical", 1)]),
        # near, beyond, near: the beyond point sits inside the window and does
        # not count, but the two near points do (2 of 3, all above the mean).
        ([30, 40, 30], [16, 10, 10], [(40, "two_of_three", 1), (41, "astronomical", 1), (42, "two_of_three", 1)]),
        # near, beyond, above the mean but not near: one near point only.
        ([30, 40, 20], [16, 10, 20], [(41, "astronomical", 1)]),
    ],
)
def test_point_beyond_limit_inside_two_of_three_window(tail, mr_tail, expected):
    mean, upper, near = _limits_by_hand(tail, mr_tail)
    p = spc.xmr(BASE + tail)
    assert p.mean == pytest.approx(mean)
    assert p.upper_limit == pytest.approx(upper)
    assert p.near_upper == pytest.approx(near)
    assert near < 30 < upper < 40  # 30 is near the limit, 40 beyond it
    assert _sig(p) == expected


# -- hand-checkable rules -------------------------------------------------------------


def test_run_broken_by_point_on_mean():
    # 1,3,1,3,1,3 | 0 | 3,1,3,1,3,1 | -1,-3 x 6: sums 12 + 0 + 12 - 24 = 0, so
    # the mean is exactly 0 and the middle point sits on it. Moving ranges
    # 5x2 + 3 + 3 + 5x2 + 2 + 11x2 = 50 over 24 -> limits ±5.54, near ±3.69,
    # so no point is near a limit. Two runs of six above: no shift. The twelve
    # below: a shift, every point flagged.
    y = [1, 3] * 3 + [0] + [3, 1] * 3 + [-1, -3] * 6
    p = spc.xmr(y)
    assert p.mean == 0
    assert p.mean_moving_range == pytest.approx(50 / 24)
    assert _sig(p) == [(i, "shift", -1) for i in range(13, 25)]
    # Put the middle point above the mean instead: thirteen in a row above.
    y[6] = 1
    q = spc.xmr(y)
    assert [s.index for s in q.signals if s.side == 1] == list(range(13))


def test_trend_of_seven_and_broken_by_tie():
    # 3,5,3,5,3,5 | 1..7 | 3,5,3,5,3,5: mean 76/19 = 4, moving ranges
    # 5x2 + 4 + 6x1 + 4 + 5x2 = 34 over 18 -> limits 4 ± 5.02, near zone
    # beyond 4 ± 3.35 (0.65, 7.35): 1 and 7 are inside it, so only the trend
    # (six strict rises, crossing the mean) is flagged, as increasing.
    y = [3, 5] * 3 + list(range(1, 8)) + [3, 5] * 3
    p = spc.xmr(y)
    assert p.mean == pytest.approx(4)
    assert p.near_lower < 1 and p.near_upper > 7
    assert _sig(p) == [(i, "trend", 1) for i in range(6, 13)]
    assert {s.label for s in p.signals} == {"7 Point Trend (Increasing)"}
    # 1,2,3,3,5,6,7: a tie breaks the trend, nothing else signals
    y[9] = 3
    assert spc.xmr(y).signals == ()


def test_falling_trend_is_decreasing():
    y = [3, 5] * 3 + list(range(7, 0, -1)) + [3, 5] * 3
    p = spc.xmr(y)
    assert _sig(p) == [(i, "trend", -1) for i in range(6, 13)]


def test_flat_phase_has_zero_width_limits():
    p = spc.xmr([5.0] * 12)
    assert (p.mean, p.lower_limit, p.upper_limit) == (5, 5, 5)
    assert p.signals == ()


def test_single_point_phase_has_no_limits():
    p = spc.xmr([5.0])
    assert math.isnan(p.upper_limit) and p.trial_limits and p.signals == ()


# -- police-2sd ----------------------------------------------------------------------


def test_police_profile_limits_are_two_sample_sds():
    # 1,-1 x 10 then 6: mean 6/21 = 2/7; sum of squares 56; sample variance
    # (56 - 21 (2/7)^2) / 20 = 19/7; limits 2/7 ± 2 sqrt(19/7) = -3.009, 3.581.
    y = [1, -1] * 10 + [6]
    p = spc.xmr(y, rules="police-2sd")
    assert p.mean == pytest.approx(2 / 7)
    assert p.sd == pytest.approx(math.sqrt(19 / 7))
    assert p.upper_limit == pytest.approx(2 / 7 + 2 * math.sqrt(19 / 7))
    assert _sig(p) == [(20, "astronomical", 1)]
    # Under the NHS rules the limits are wider: moving ranges 19x2 + 7 = 45
    # over 20 -> 2/7 + 2.66 x 2.25 = 6.27 > 6, so the same point is common cause.
    assert spc.xmr(y).signals == ()


def test_police_trend_needs_seven_rises():
    # 0,8 x 6 | 1..7 | 0,8 x 6: six rises (7 points) is a trend for NHS only.
    seven = [0, 8] * 6 + list(range(1, 8)) + [0, 8] * 6
    assert spc.xmr(seven, rules="police-2sd").signals == ()
    assert _sig(spc.xmr(seven)) == [(i, "trend", 1) for i in range(12, 19)]
    # 1..8 is seven rises: a trend for the police profile, all 8 points.
    eight = [0, 8] * 6 + list(range(1, 9)) + [0, 8] * 6
    assert _sig(spc.xmr(eight, rules="police-2sd")) == [(i, "trend", 1) for i in range(12, 20)]


def test_police_profile_has_no_two_of_three_rule():
    y = BASE + [30, 40, 30]
    assert all(s.rule != "two_of_three" for s in spc.xmr(y, rules="police-2sd").signals)


# -- trial limits, rebasing, directions, units ------------------------------------------


def test_trial_limits_below_twelve_points():
    assert spc.xmr([1, 2] * 5 + [1]).trial_limits  # 11 points
    assert not spc.xmr([1, 2] * 6).trial_limits  # 12 points


def test_rebasing_at_intervention():
    # Before: 10,12 x 6 (mean 11, every moving range 2); after: 20,22 x 6
    # (mean 21). Rebased, each phase has limits mean ± 2.66 x 2 = ±5.32 and no
    # signal: the jump 12 -> 20 is not a moving range of either phase.
    frame = _series([10, 12] * 6 + [20, 22] * 6)
    res = spc.fit(_sd(frame), intervention_date="2024-03-25", spc_rebase="at_change")
    (before, after) = res.units[0].phases
    assert (before.start, before.end) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-18"))
    assert (after.start, after.end) == (pd.Timestamp("2024-03-25"), pd.Timestamp("2024-06-10"))
    assert (before.xmr.mean, after.xmr.mean) == (11, 21)
    assert before.xmr.lower_limit == pytest.approx(11 - 5.32)
    assert after.xmr.upper_limit == pytest.approx(21 + 5.32)
    assert res.units[0].signals == ()
    assert "fell" not in spc.unit_finding(res, res.units[0])
    assert "rose from 11 to 21" in spc.unit_finding(res, res.units[0])
    # Not rebased: mean 16; moving ranges 22 x 2 and one 8, which is screened
    # (8 >= 3.267 x 52/23 = 7.39), so limits 16 ± 5.32: every 10 is below the
    # lower limit and every 22 above the upper.
    flat = spc.fit(_sd(frame))
    assert len(flat.units[0].phases) == 1
    rules = {(s.rule, s.value) for s in flat.units[0].signals}
    assert ("astronomical", 10) in rules and ("astronomical", 22) in rules


def test_short_after_phase_is_marked_trial():
    frame = _series([10, 12] * 10 + [20, 22] * 4)
    res = spc.fit(_sd(frame), intervention_date=frame["period"][20], spc_rebase="at_change")
    phases = res.to_spc_dict()["units"][0]["phases"]
    assert [p["trial_limits"] for p in phases] == [False, True]
    assert res.check("spc_trial_limits").status == "warn"


def test_improvement_direction_flips_colours():
    y = [10, 11, 9, 10, 12, 10, 30, 11, 10, 9, 11, 10]
    frame = _series(y)
    down = spc.fit(_sd(frame), improvement="decrease")
    up = spc.fit(_sd(frame), improvement="increase")
    assert [s.direction for s in down.units[0].signals] == ["concerning"]
    assert [s.direction for s in up.units[0].signals] == ["improving"]
    # a falling trend is improving when lower is better
    trend = _series([3, 5] * 3 + list(range(7, 0, -1)) + [3, 5] * 3)
    assert {s.direction for s in spc.fit(_sd(trend)).units[0].signals} == {"improving"}
    assert {s.direction for s in spc.fit(_sd(trend), improvement="increase").units[0].signals} == {"concerning"}


def test_units_each_get_a_chart_and_staggered_dates():
    a = _series([10, 12] * 12, unit="Site A")
    b = _series([30, 33] * 12, unit="Site B")
    c = _series([5, 6] * 12, unit="Site C")
    data = _sd(pd.concat([a, b, c], ignore_index=True))
    res = spc.fit(data, intervention_date={"Site A": "2024-03-25", "Site B": "2024-04-22"},
                  units=["Site A", "Site B"], spc_rebase="at_change")
    out = res.to_spc_dict()
    assert [u["unit"] for u in out["units"]] == ["Site A", "Site B"]
    assert [p["start"] for p in out["units"][0]["phases"]] == ["2024-01-01", "2024-03-25"]
    assert [p["start"] for p in out["units"][1]["phases"]] == ["2024-01-01", "2024-04-22"]
    assert [p["mean"] for p in out["units"][1]["phases"]] == [31.5, 31.5]
    charts = res.plot()
    assert isinstance(charts, ChartSet) and len(charts.charts) == 2
    assert charts.charts[1].alt.startswith("Site B: After the change the weekly mean stayed at 31.5")
    assert all(c.png[:4] == b"\x89PNG" for c in charts)
    every = spc.fit(data)
    assert [u.unit for u in every.units] == ["Site A", "Site B", "Site C"]


def test_single_series_shape_and_json():
    frame = _series([60, 62, 61, 63, 60, 64, 62, 61, 63, 62, 60, 64] + [50, 48, 49, 47, 50, 48, 46, 49, 47, 48, 50, 48])
    res = spc.fit(_sd(frame), intervention_date="2024-03-25", spc_rules="police-2sd")
    out = res.to_dict()
    assert out["estimates"] == []
    assert out["spc"] == res.to_spc_dict() == res.extra()["spc"]
    assert set(out["spc"]) == {"rules", "rebase", "improvement", "units"} and out["spc"]["rules"] == "police-2sd"
    (unit,) = out["spc"]["units"]
    assert set(unit) == {"unit", "variation", "assurance", "target", "phases", "signals"} and unit["unit"] is None
    assert all(
        set(p) == {"start", "end", "mean", "lower_limit", "upper_limit", "trial_limits", "baseline_start",
                   "baseline_end", "starts_on_shift"} for p in unit["phases"]
    )
    # one phase: the limits from the 12 weeks before the change, extended past it
    assert unit["phases"][0]["baseline_end"] == "2024-03-18" and unit["phases"][0]["end"] == "2024-06-10"
    assert all(set(s) == {"date", "rule", "direction"} for s in unit["signals"])
    json.dumps(out)
    # by hand: before mean 742/12 = 61.83, after 580/12 = 48.33
    assert spc.unit_finding(res, res.units[0]).startswith("After the change the weekly mean fell from 61.8 to 48.3")
    assert any("police-2sd" in n for n in res.notes)
    assert len(res.plot().charts) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.rules = "nhs"


def test_excluded_periods_are_left_out():
    y = [10, 12] * 8
    frame = _series(y + [500])
    frame["excluded"] = [False] * 16 + [True]
    res = spc.fit(_sd(frame))
    assert res.units[0].phases[0].xmr.mean == 11
    assert res.units[0].signals == ()
    assert len(res.units[0].excluded) == 1
    assert res.check("spc_excluded").status == "info"


def test_notes_state_profile_constants_and_rebasing():
    frame = _series([10, 12] * 12)
    text = " ".join(spc.fit(_sd(frame), intervention_date="2024-03-25").notes)
    for words in ("NHSRplotthedots 0.2.2", "2.66", "3.267", "screened", "before the change (the baseline)",
                  "spc_rebase: none", "fewer than 12", "drawn at zero", "Variation icons"):
        assert words in text
    text = " ".join(spc.fit(_sd(frame), intervention_date="2024-03-25", spc_rebase="at_change").notes)
    assert "recalculated at the change" in text


# -- bad input -------------------------------------------------------------------------


def test_unknown_profile_is_a_spec_error():
    with pytest.raises(SpecError, match="spc_rules.*police-2sd"):
        spc.fit(_sd(_series([1, 2, 3])), spc_rules="nhs-3sd")


def test_unknown_improvement_is_a_spec_error():
    with pytest.raises(SpecError, match="improvement"):
        spc.fit(_sd(_series([1, 2, 3])), improvement="down")


def test_unit_not_in_data_names_it_and_near_miss():
    data = _sd(_series([1, 2, 3], unit="Site A"))
    with pytest.raises(SpecError, match="'site a'.*looks like 'Site A'"):
        spc.fit(data, units=["site a"])


def test_duplicate_periods_are_a_data_error():
    frame = _series([1, 2, 3])
    frame = pd.concat([frame, frame.iloc[[1]]], ignore_index=True)
    with pytest.raises(DataError, match="test.csv.*more than one row for the same period"):
        spc.fit(_sd(frame))


def test_missing_outcome_is_a_data_error():
    frame = _series([1.0, float("nan"), 3.0])
    with pytest.raises(DataError, match="outcome is missing"):
        spc.fit(_sd(frame))


def test_gap_in_periods_is_warned():
    frame = _series(list(range(12))).drop(index=5)
    assert spc.fit(_sd(frame)).check("spc_gaps").status == "warn"


# -- simulation: known truths under a stable process -----------------------------------


@pytest.mark.slow
def test_false_alarm_rate_of_limits_matches_theory():
    # For independent Normal data the mean moving range estimates 2 sigma /
    # sqrt(pi), so 2.66 mean moving ranges are 2.66 x 2 / sqrt(pi) = 3.0015
    # sigma and the share of points beyond a limit tends to 2 (1 - Phi(3.0015))
    # = 0.00269. Police: 2 sample SDs -> 2 (1 - Phi(2)) = 0.0455.
    n, seeds = 2500, 40
    nhs_truth = 2 * stats.norm.sf(2.66 * 2 / math.sqrt(math.pi))
    police_truth = 2 * stats.norm.sf(2)
    hits = {"nhs": 0, "police-2sd": 0}
    for seed in range(seeds):
        y = in_control_values(seed, n)
        hits["nhs"] += sum(s.rule == "astronomical" for s in spc.xmr(y, screen_outliers=False).signals)
        hits["police-2sd"] += sum(s.rule == "astronomical" for s in spc.xmr(y, rules="police-2sd").signals)
    total = n * seeds
    for rule, truth in (("nhs", nhs_truth), ("police-2sd", police_truth)):
        rate = hits[rule] / total
        se = math.sqrt(truth * (1 - truth) / total)
        assert abs(rate - truth) < 3.5 * se, (rule, rate, truth)


@pytest.mark.slow
def test_trend_rule_rate_matches_permutation_probability():
    # Any 7 independent continuous values are in strictly increasing order
    # with probability 1/7!, so a point ends a 7-point trend (either way) with
    # probability 2/5040. Runs overlap, so allow for overdispersion.
    n, seeds = 5000, 60
    ends = sum(int(np.count_nonzero(_trend_ends(in_control_values(1000 + s, n), 7))) for s in range(seeds))
    expected = seeds * (n - 6) * 2 / math.factorial(7)
    assert abs(ends - expected) < 4 * math.sqrt(1.5 * expected), (ends, expected)


@pytest.mark.slow
def test_rebased_phase_means_recover_the_true_step():
    # Poisson weekly counts, true means 60 then 48 (step -12) over 52 + 26
    # weeks: the difference of the phase means is unbiased for the step; one
    # misplaced week would bias it by about 12/26 = 0.46, about 4 Monte Carlo
    # standard errors here.
    steps = []
    for seed in range(200):
        sim = simulate_spc(seed)
        res = spc.fit(sim.series, intervention_date=sim.intervention_date)
        (phase,) = res.units[0].phases
        assert (phase.xmr.n, phase.xmr.baseline_n) == (78, 52)
        before, after = res.units[0].before_after_means()
        assert before == pytest.approx(phase.xmr.mean)
        steps.append(after - before)
    steps = np.asarray(steps)
    mcse = steps.std(ddof=1) / math.sqrt(steps.size)
    assert abs(steps.mean() - sim.true_step) < 3 * mcse


def test_breakdown_is_totalled_and_proportions_divided():
    # two categories per week: the chart shows their total, 10 + 2 and 12 + 2
    a = _series([10, 12] * 7).assign(group="theft")
    b = _series([2] * 14).assign(group="damage")
    res = spc.fit(_sd(pd.concat([a, b], ignore_index=True)))
    assert res.units[0].phases[0].xmr.values == tuple(float(v) for v in [12, 14] * 7)
    assert any("total across the categories" in n for n in res.notes)
    frame = _series([1, 3] * 7).assign(denominator=[10.0] * 14)
    p = spc.fit(_sd(frame)).units[0].phases[0].xmr
    assert p.mean == pytest.approx(0.2)


def test_per_unit_dates_for_unknown_unit_name_near_miss():
    data = _sd(_series([1, 2] * 6, unit="Site A"))
    with pytest.raises(SpecError, match="intervention_date.*'site a'.*looks like 'Site A'"):
        spc.fit(data, intervention_date={"site a": "2024-02-05"})
    with pytest.raises(SpecError, match="intervention_date.*not a date"):
        spc.fit(data, intervention_date="soon")


@pytest.mark.parametrize("given", ["03/01/2024", {"Site A": "03/01/2024"}])
def test_ambiguous_slash_dates_are_refused_not_read_month_first(given):
    # 3 January or 1 March: whatworks never guesses, whichever design reads the date
    data = _sd(_series([1, 2] * 6, unit="Site A"))
    with pytest.raises(SpecError, match="can be read as 3 January 2024 .* or 1 March 2024") as err:
        spc.fit(data, intervention_date=given)
    assert err.value.key == "intervention_date"


def test_uk_dates_are_read_day_first():
    from whatworks.designs.spc.inputs import intervention_dates

    assert intervention_dates("25/01/2024", ["Site A"], ["Site A"]) == {
        "Site A": pd.Timestamp("2024-01-25")}
    data = _sd(_series([1, 2] * 6, unit="Site A"))
    assert spc.fit(data, intervention_date="15/01/2024").units[0].requested_date == pd.Timestamp("2024-01-15")


# -- Making Data Count: baseline limits extended, rebasing, bounds, icons ----------------


def test_fixed_baseline_limits_as_package_fix_after_n_points(snapshot):
    # ptd_spc_standard.R: with fix_after_n_points = n, the mean and the (screened)
    # mean moving range come from the first n points of the rebase group, and
    # every point of the group is judged against those limits; the package's
    # test checks the limits differ from those of all 20 points.
    y = np.asarray(snapshot["y"], dtype=float)
    fixed = spc.xmr(y, baseline=12)
    first = spc.xmr(y[:12])
    every = spc.xmr(y)
    assert (fixed.mean, fixed.lower_limit, fixed.upper_limit) == (first.mean, first.lower_limit, first.upper_limit)
    assert fixed.lower_limit != every.lower_limit and fixed.upper_limit != every.upper_limit
    assert fixed.n == 20 and fixed.baseline_n == 12 and not fixed.trial_limits
    # by hand: mean of the first 12 and 2.66 x the mean of their 11 moving ranges
    amr = np.abs(np.diff(y[:12])).mean()
    assert fixed.upper_limit == pytest.approx(y[:12].mean() + 2.66 * amr)
    # the rules run over all 20 points: a point after the baseline beyond its limits signals
    z = list(y) + [fixed.upper_limit + 1]
    assert (20, "astronomical", 1) in _sig(spc.xmr(z, baseline=12))


def test_rebase_group_gets_its_own_limits_as_package():
    # test-ptd_spc_standard.R "it sets the rebase_group field": a rebase at the
    # 11th of 20 points makes two groups of 10, each with its own limits.
    y = [10, 12] * 5 + [20, 22] * 5
    frame = _series(y)
    res = spc.fit(_sd(frame), intervention_date=frame["period"][10], spc_rebase="at_change")
    assert [p.xmr.n for p in res.units[0].phases] == [10, 10]
    assert [p.xmr.mean for p in res.units[0].phases] == [11, 21]


def test_baseline_limits_extended_show_a_sustained_fall():
    # 12 weeks at 10, 12 (mean 11, moving ranges 2: limits 11 ± 5.32, near zone
    # below 11 - 3.547 = 7.45), then 12 at 8, 9. Extended, every later point sits
    # below the mean but above the near zone: a run of 12 below, improving when
    # lower is better.
    frame = _series([10, 12] * 6 + [8, 9] * 6)
    res = spc.fit(_sd(frame), intervention_date=frame["period"][12])
    chart = res.units[0]
    (phase,) = chart.phases
    assert (phase.xmr.mean, phase.xmr.baseline_n, phase.xmr.n) == (11, 12, 24)
    assert phase.xmr.lower_limit == pytest.approx(11 - 5.32)
    assert [(s.rule, s.direction) for s in chart.signals] == [("shift", "improving")] * 12
    assert chart.signals[0].date == frame["period"][12]
    assert chart.variation() == "improving_low"
    assert "fell from 11 to 8.5" in spc.unit_finding(res, chart)
    assert "against process limits 5.68 to 16.3 from the baseline" in spc.unit_finding(res, chart)
    # rebased at the change the fall is invisible: two flat phases, no signal
    rebased = spc.fit(_sd(frame), intervention_date=frame["period"][12], spc_rebase="at_change")
    assert rebased.units[0].signals == () and rebased.units[0].variation() == "common_cause"


def test_on_shift_starts_a_phase_where_the_run_starts_and_says_so():
    frame = _series([10, 12] * 6 + [10, 12] * 2 + [6, 8] * 8)
    res = spc.fit(_sd(frame), intervention_date=frame["period"][12], spc_rebase="on_shift")
    first, second = res.units[0].phases
    assert first.end == frame["period"][15] and second.start == frame["period"][16]
    assert second.starts_on_shift and second.xmr.baseline_n == 12 and second.xmr.mean == 7
    assert "new phase starts where a shift was confirmed, on 22 April 2024" in spc.unit_finding(res, res.units[0])
    assert res.to_spc_dict()["units"][0]["phases"][1]["starts_on_shift"] is True
    # no shift after the baseline: one phase
    flat = spc.fit(_sd(_series([10, 12] * 12)), intervention_date="2024-03-25", spc_rebase="on_shift")
    assert len(flat.units[0].phases) == 1


def test_spc_baseline_range_sets_the_limits():
    frame = _series([30, 34] * 4 + [10, 12] * 8)
    res = spc.fit(_sd(frame), spc_baseline={"from": "2024-02-26", "to": "2024-05-13"})
    (phase,) = res.units[0].phases
    assert (phase.baseline_periods[0], phase.baseline_periods[-1]) == (frame["period"][8], frame["period"][19])
    assert phase.xmr.mean == 11
    assert {s.direction for s in res.units[0].signals if s.date < frame["period"][8]} == {"concerning"}
    assert any("spc_baseline" in n for n in res.notes)
    assert spc.fit(_sd(frame), spc_baseline=["2024-02-26", None]).units[0].phases[0].xmr.mean == 11
    with pytest.raises(DataError, match="spc_baseline"):
        spc.fit(_sd(frame), spc_baseline={"from": "2030-01-01"})
    with pytest.raises(SpecError, match="spc_baseline"):
        spc.fit(_sd(frame), spc_baseline={"start": "2024-01-01"})
    with pytest.raises(SpecError, match="spc_baseline"):
        spc.fit(_sd(frame), spc_baseline=["2024-05-13", "2024-02-26"])


def test_no_change_date_takes_every_point_as_the_baseline():
    res = spc.fit(_sd(_series([10, 12] * 12)))
    (phase,) = res.units[0].phases
    assert phase.name == "All periods" and phase.xmr.baseline_n == 24
    assert any("from every period" in n for n in res.notes)


def test_count_lower_limit_is_floored_at_zero():
    # mean 3, moving ranges all 4 -> unbounded lower limit 3 - 10.64 < 0
    frame = _series([1, 5] * 8)
    res = spc.fit(_sd(frame))
    assert res.units[0].phases[0].xmr.lower_limit == 0
    assert res.units[0].phases[0].xmr.upper_limit == pytest.approx(3 + 2.66 * 4)
    cont = spc.fit(_sd(frame), outcome_type="continuous")
    assert cont.units[0].phases[0].xmr.lower_limit == pytest.approx(3 - 2.66 * 4)
    assert spc.xmr([1, 5] * 8, bounds=(0, np.inf)).lower_limit == 0


def test_proportion_limits_stay_within_zero_and_one():
    # proportions 0.05 and 0.95 alternating: mean 0.5, limits 0.5 ± 2.66 x 0.9
    frame = _series([1, 19] * 8)
    frame["denominator"] = 20.0
    res = spc.fit(_sd(frame))
    phase = res.units[0].phases[0].xmr
    assert (phase.lower_limit, phase.upper_limit) == (0.0, 1.0)
    assert any("between 0 and 100%" in n for n in res.notes)


@pytest.mark.parametrize(
    "improvement, expected",
    # test-ptd_calculate_assurance_type.R: limits (1, 3), (5, 7), (1, 5), target 4
    [("increase", ["consistent_fail", "consistent_pass", "inconsistent"]),
     ("decrease", ["consistent_pass", "consistent_fail", "inconsistent"])],
)
def test_assurance_icons_as_package(improvement, expected):
    from whatworks.designs.spc.model import PhaseFit, UnitChart
    from whatworks.designs.spc.rules import XmRPhase

    days = tuple(pd.date_range("2024-01-01", periods=2, freq="7D"))
    got = []
    for lo, mean, hi in [(1, 2, 3), (5, 6, 7), (1, 4, 5)]:
        phase = XmRPhase(values=(mean, mean), rules="nhs", mean=mean, lower_limit=lo, upper_limit=hi)
        chart = UnitChart(None, (PhaseFit("All periods", days, phase),), (), None, improvement=improvement, target=4)
        got.append(chart.assurance())
    assert got == expected
    no_target = UnitChart(None, (PhaseFit("All periods", days, phase),), (), None)
    assert no_target.assurance() is None


def test_variation_icons_follow_the_latest_point():
    # the latest point: beyond the upper limit (high), a run below (low), or neither
    high = _series([10, 11, 9, 10, 12, 10, 11, 10, 9, 11, 10, 30])
    assert spc.fit(_sd(high)).units[0].variation() == "concerning_high"
    assert spc.fit(_sd(high), improvement="increase").units[0].variation() == "improving_high"
    low = _series([10, 12] * 6 + [8, 9] * 6)
    assert spc.fit(_sd(low), intervention_date=low["period"][12]).units[0].variation() == "improving_low"
    assert spc.fit(_sd(low), intervention_date=low["period"][12],
                   improvement="increase").units[0].variation() == "concerning_low"
    assert spc.fit(_sd(_series([10, 12] * 12))).units[0].variation() == "common_cause"


def test_icons_are_accessible_svg_with_words():
    from whatworks.designs.spc.plots import icon_svg

    frame = _series([10, 12] * 6 + [8, 9] * 6)
    res = spc.fit(_sd(frame), intervention_date=frame["period"][12], target=9)
    assert res.units[0].assurance() == "inconsistent"  # limits 5.68 to 16.3 straddle 9
    html = res.plot()._repr_html_()
    assert html.count('role="img"') == 2 and "<title>" in html
    assert "special-cause variation, improving: unusually low" in html
    assert "the target will be hit and miss" in html
    assert "Assurance against the target of 9" in res.plot().charts[0].alt
    for kind in ("common_cause", "improving_high", "improving_low", "concerning_high", "concerning_low",
                 "consistent_pass", "consistent_fail", "inconsistent"):
        svg = icon_svg(kind)
        assert svg.startswith("<svg") and 'aria-label="' in svg and "<title>" in svg
    with pytest.raises(SpecError, match="target"):
        spc.fit(_sd(frame), target="ninety")


def test_many_units_are_one_grid_and_no_units_is_no_chart():
    frames = [_series([10, 12] * 12, unit=f"Site {k:02d}") for k in range(14)]
    data = _sd(pd.concat(frames, ignore_index=True))
    res = spc.fit(data, intervention_date="2024-03-25")
    charts = res.plot()
    assert len(charts.charts) == 1 and "14 units" in charts.charts[0].alt
    assert charts._repr_html_().count('role="img"') == 14  # one variation icon per unit
    none = spc.fit(data, units=[])
    assert none.units == () and none.plot()._repr_html_() == ""
    assert none.summary_text == ("No SPC charts were drawn (spc: none).",)


def test_unknown_rebase_is_a_spec_error():
    with pytest.raises(SpecError, match="spc_rebase"):
        spc.fit(_sd(_series([1, 2, 3])), spc_rebase="sometimes")


# -- seasonality ---------------------------------------------------------------------------


def _seasonal_weeks(seed=3, weeks=156):
    rng = np.random.default_rng(seed)
    t = pd.date_range("2021-01-04", periods=weeks, freq="7D")
    y = 60 + 15 * np.cos(2 * np.pi * t.day_of_year.to_numpy() / 365.25) + rng.normal(0, 3, weeks)
    return pd.DataFrame({"period": t, "outcome": np.round(y)})


def test_seasonal_series_with_many_signals_says_so_and_compares_a_year_earlier():
    frame = _seasonal_weeks()
    res = spc.fit(_sd(frame), intervention_date="2023-01-02")
    chart = res.units[0]
    assert chart.flagged_share > 0.2 and chart.seasonal_p < 0.001 and chart.seasonal
    check = res.check("spc_seasonal")
    assert check.status == "warn" and "seasonal pattern" in check.message and "p < 0.001" in check.message
    finding = spc.unit_finding(res, chart)
    assert "the series has a seasonal pattern" in finding and "same period a year earlier" in finding
    rows = spc.signals_table(res).rows
    assert len(rows) == 1 and "a year earlier" in rows[0][3]  # not a list of every flagged week
    html = res.plot()._repr_html_()
    assert "A year earlier" in html and "The latest periods against the same periods a year earlier" in html
    # 13 latest weeks, each beside the week 52 weeks before
    from whatworks.designs.spc.tables import year_on_year_table

    table = year_on_year_table(chart, "week")
    assert len(table.rows) == 13 and table.rows[-1][0] == "25 December 2023"
    assert table.rows[-1][2] == str(int(frame["outcome"].iloc[-53]))
    assert any("month-of-year effects" in n for n in res.notes)
    # the same season with few signals, or no season with many, is not called seasonal
    flat = spc.fit(_sd(_series([10, 12] * 60)))
    assert not flat.units[0].seasonal and spc.fit(_sd(frame.iloc[:60])).units[0].seasonal_p is None


@pytest.mark.slow
def test_seasonal_test_size_under_the_null():
    # 1,000 weekly series over three years with a trend, a step and no season:
    # the F test of month effects rejects at 5% in 3.6-6.4% of them.
    from whatworks.designs.spc.model import seasonal_test

    rng = np.random.default_rng(2016)
    t = pd.date_range("2021-01-04", periods=156, freq="7D")
    base = 50 + 0.05 * np.arange(156) - 4 * (np.arange(156) >= 104)
    p = np.array([seasonal_test(t, base + rng.normal(0, 3, 156), "week", 104) for _ in range(1000)])
    assert 0.036 <= np.mean(p < 0.05) <= 0.064
