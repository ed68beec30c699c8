"""A weekly series of counts added up to months (``report_by: month``).

Expected values are worked out by hand from the calendar (comments show the
Thursdays that place each week), or built independently of the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from whatworks import dates
from whatworks.data import load_series
from whatworks.errors import DataError, SpecError
from whatworks.evaluation import Evaluation
from whatworks.templates import before_after


def weekly(first: str, n: int, counts: np.ndarray | None = None, **more: object) -> pd.DataFrame:
    weeks = pd.date_range(first, periods=n, freq="W-MON")
    values = np.arange(1, n + 1) if counts is None else counts
    return pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "crimes": values, **more})


def test_each_week_counts_once_in_the_month_of_its_thursday():
    # Monday 29 January 2024 runs to 4 February; its Thursday is 1 February, so it is February's.
    # January 2024 has Thursdays 4, 11, 18, 25 (4 weeks); February 1, 8, 15, 22, 29 (5); March 7-28 (4).
    frame = weekly("2024-01-01", 13)  # 1 January to the week of 25 March
    s = load_series(frame, date_column="week", outcome_column="crimes", report_by="month")
    f = s.frame
    assert s.freq == "month"
    assert list(f["period"]) == [pd.Timestamp(d) for d in ("2024-01-01", "2024-02-01", "2024-03-01")]
    assert list(f["exposure"]) == [4.0, 5.0, 4.0]
    assert list(f["outcome"]) == [1 + 2 + 3 + 4, 5 + 6 + 7 + 8 + 9, 10 + 11 + 12 + 13]
    assert f["outcome"].sum() == frame["crimes"].sum()  # every week counted once: nothing doubled or lost


def test_part_months_at_either_end_are_left_out_and_named():
    # Weeks from Monday 8 January 2024 (January lacks the week of Thursday 4 January) to the week
    # of Monday 4 March (March lacks 14, 21 and 28 March): only February is whole.
    frame = weekly("2024-01-08", 9)
    s = load_series(frame, date_column="week", outcome_column="crimes", report_by="month")
    assert list(s.frame["period"]) == [pd.Timestamp("2024-02-01")]
    # the weeks of Thursdays 1 to 29 February: Mondays 29 January to 26 February, rows 4 to 8
    assert s.frame["outcome"].sum() == frame["crimes"].iloc[3:8].sum()
    note = s.notes[-1]
    assert "report_by: month" in note and "Thursday" in note
    assert "January 2024" in note and "March 2024" in note and "left out" in note


def test_totals_are_kept_over_whole_months_for_every_area():
    rng = np.random.default_rng(3)
    n = 104
    weeks = pd.date_range("2022-01-03", periods=n, freq="W-MON")
    parts = [pd.DataFrame({"week": weeks, "site": site, "crimes": rng.poisson(20, n),
                           "deployments": rng.integers(0, 3, n)}) for site in ("A", "B", "C")]
    frame = pd.concat(parts, ignore_index=True)
    s = load_series(frame, date_column="week", outcome_column="crimes", unit_column="site",
                    output_columns=["deployments"], report_by="month")
    f = s.frame
    thursday = pd.to_datetime(frame["week"]) + pd.Timedelta(days=3)
    month = thursday.dt.to_period("M").dt.start_time
    kept = month.isin(f["period"])
    for site in ("A", "B", "C"):
        mine, theirs = f[f["unit"] == site], frame[(frame["site"] == site) & kept]
        assert mine["outcome"].sum() == theirs["crimes"].sum()
        assert mine["deployments"].sum() == theirs["deployments"].sum()
    assert f.groupby("unit").size().nunique() == 1  # still a balanced panel
    assert set(f["exposure"]) <= {4.0, 5.0}
    # 3 January 2022 to the week of 26 December 2023: every month whole, 24 of them
    assert f["period"].nunique() == 24


def test_a_proportion_adds_up_numerators_and_denominators():
    frame = weekly("2024-01-01", 9, counts=np.array([1, 2, 3, 4, 5, 6, 7, 8, 9]),
                   recorded=np.full(9, 10))
    s = load_series(frame, date_column="week", outcome_column="crimes", outcome_type="proportion",
                    denominator_column="recorded", report_by="month")
    f = s.frame
    assert list(f["outcome"]) == [10, 35] and list(f["denominator"]) == [40, 50]
    assert "exposure" not in f.columns
    assert "denominators" in s.notes[-1]


def test_an_exposure_column_is_added_up():
    frame = weekly("2024-01-01", 9, population=np.full(9, 1000.0))
    s = load_series(frame, date_column="week", outcome_column="crimes", exposure_column="population",
                    report_by="month")
    assert list(s.frame["exposure"]) == [4000.0, 5000.0]


def test_days_add_up_to_months_with_the_days_as_exposure():
    days = pd.date_range("2024-02-01", "2024-03-31", freq="D")
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "calls": 1})
    s = load_series(frame, date_column="day", outcome_column="calls", report_by="month")
    assert list(s.frame["exposure"]) == [29.0, 31.0] and list(s.frame["outcome"]) == [29, 31]


def test_excluded_periods_and_missing_weeks_follow_the_months():
    frame = weekly("2024-01-01", 13).drop(index=6)  # no row for the week of 12 February
    with pytest.raises(DataError, match="no row for 1 week"):
        load_series(frame, date_column="week", outcome_column="crimes", report_by="month")
    s = load_series(frame, date_column="week", outcome_column="crimes", report_by="month", fill_missing="zero",
                    exclude_periods=[["2024-02-10", "2024-02-12"]])
    assert list(s.frame["excluded"]) == [False, True, False]
    assert s.frame["outcome"].iloc[1] == 5 + 6 + 8 + 9


def test_regroup_places_weeks_by_their_thursday_whatever_the_year():
    # Monday 30 December 2024 has its Thursday on 2 January 2025: January 2025's, not December's.
    w = pd.DataFrame({"period": pd.date_range("2024-12-02", periods=9, freq="W-MON"), "outcome": 1.0})
    out = dates.regroup(w, "week", "month", [], ["outcome"])
    assert list(out.frame["period"]) == [pd.Timestamp("2024-12-01"), pd.Timestamp("2025-01-01")]
    assert list(out.frame["weeks"]) == [4, 5]  # December: 5, 12, 19, 26; January 2025: 2 to 30
    assert out.dropped == ()


# --- refused -----------------------------------------------------------------------


@pytest.mark.parametrize("options, words", [
    ({"outcome_type": "continuous"}, "continuous"),
    ({"aggregate": "week"}, "aggregate"),
    ({"report_by": "fortnight"}, "not one of the choices"),
])
def test_report_by_is_refused_where_adding_up_is_wrong(options, words):
    frame = weekly("2024-01-01", 13)
    kwargs = {"date_column": "week", "outcome_column": "crimes", "report_by": "month", **options}
    with pytest.raises(SpecError, match=words) as err:
        load_series(frame, **kwargs)
    assert err.value.key == "report_by"


def test_report_by_is_refused_for_a_series_already_monthly():
    frame = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=24, freq="MS").strftime("%Y-%m-%d"),
                          "crimes": 5})
    with pytest.raises(SpecError, match="one a month") as err:
        load_series(frame, date_column="month", outcome_column="crimes", report_by="month")
    assert err.value.key == "report_by"


def test_the_spec_key_is_typed_and_listed_for_the_template():
    from whatworks.templates.catalogue import registry

    params = {p.name: p for p in registry().get("before-after").parameters}
    assert "report_by" in params
    assert "month" in (params["report_by"].help or "")
    assert "report_by" in tuple(before_after.LoadOptions.keys())


def test_a_mid_month_start_with_comparison_areas_leaves_that_month_out(tmp_path):
    rng = np.random.default_rng(8)
    n = 104
    weeks = pd.date_range("2022-01-03", periods=n, freq="W-MON")
    frame = pd.concat([pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "site": s, "crimes": rng.poisson(20, n)})
                       for s in ("A", "B", "C", "D")], ignore_index=True)
    path = tmp_path / "weekly.csv"
    frame.to_csv(path, index=False)
    ev = Evaluation({"data": str(path), "date_column": "week", "outcome_column": "crimes", "unit_column": "site",
                     "treated_units": ["A", "B"], "intervention_date": {"A": "2023-01-02", "B": "2023-02-01"},
                     "report_by": "month", "title": "t", "owner": "o"})
    inputs = before_after.load(ev)
    f = inputs.frame
    gone = f[f["excluded"]]
    # A began on Monday 2 January 2023, part-way through January; B on 1 February, a whole month
    assert list(zip(gone["unit"], gone["period"])) == [("A", pd.Timestamp("2023-01-01"))]
    assert any("left out of the fit: A (January 2023)" in n for n in inputs.series.notes)
    assert inputs.panel is not None and not inputs.panel.mask[inputs.panel.units.index("A"), 12]


def test_a_single_series_by_month_with_a_mid_month_start(tmp_path):
    rng = np.random.default_rng(5)
    weeks = pd.date_range("2021-01-04", "2024-12-23", freq="W-MON")
    frame = pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "crimes": rng.poisson(30, len(weeks))})
    path = tmp_path / "weekly.csv"
    frame.to_csv(path, index=False)
    ev = Evaluation({"data": str(path), "date_column": "week", "outcome_column": "crimes",
                     "intervention_date": "2023-07-03", "report_by": "month", "seasonality": "none",
                     "title": "t", "owner": "o"})
    inputs = before_after.load(ev)
    # the SPC charts show the average a week in each month: a five-week month is not a signal
    shown = before_after._spc_series(inputs)
    assert shown.outcome_label == "crimes a week"
    np.testing.assert_allclose(shown.frame["outcome"], inputs.frame["outcome"] / inputs.frame["exposure"])
    result = before_after.analyse(inputs, ev)
    notes = " ".join(result.notes)
    assert "report_by: month" in notes  # the data note reaches the method notes
    assert "the month starting 1 July 2023" in notes and "transition: exclude" in notes


def test_an_activity_column_named_weeks_is_refused_only_when_adding_up():
    frame = weekly("2024-01-01", 13, weeks=1)
    assert "weeks" in load_series(frame, date_column="week", outcome_column="crimes",
                                  output_columns=["weeks"]).frame
    with pytest.raises(SpecError, match="whatworks uses") as err:
        load_series(frame, date_column="week", outcome_column="crimes", output_columns=["weeks"], report_by="month")
    assert err.value.key == "output_columns"
