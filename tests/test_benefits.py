"""Benefits realisation (the PIR template): arithmetic, grades, checks and bad input.

Every expected number here is worked out by hand in the test from the
inputs, never copied from the code's output.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from whatworks.designs import benefits
from whatworks.designs.benefits.model import realised_share
from whatworks.designs.benefits.money import fy_label, fy_of, split_by_financial_year
from whatworks.designs.benefits.review_inputs import check_inputs
from whatworks.errors import DataError, SpecError
from whatworks.templates import pir

# -- a small register, worked by hand ------------------------------------------------
RATES = [
    {"grade": "Police Constable", "hourly_cost_gbp": 40, "price_year": "2024/25", "cost_basis": "full",
     "source": "test"},
    {"grade": "Police Staff Scale 4", "hourly_cost_gbp": 20, "price_year": "2024/25", "cost_basis": "full",
     "source": "test"},
]
B1 = {"id": "B1", "description": "Report production", "owner": "Head of Performance", "category": "time_saving",
      "measure": "hours of manual report production", "unit": "hours per week", "direction": "decrease",
      "baseline": 50, "forecast": 10, "actual": 20, "baseline_start": "2023-04-01", "baseline_end": "2024-03-31",
      "tracking_start": "2024-04-01", "tracking_end": "2025-03-31", "evidence": "Timesheets",
      "budget_line_reduced": False, "grade": "Police Constable"}
B2 = {"id": "B2", "description": "Overtime", "owner": "Finance", "category": "cash_releasing",
      "measure": "overtime spend", "unit": "gbp per month", "direction": "decrease", "baseline": 10000,
      "forecast": 4000, "actual": 5000, "baseline_start": "2023-04-01", "baseline_end": "2024-03-31",
      "tracking_start": "2024-04-01", "tracking_end": "2025-03-31", "evidence": "Payroll",
      "budget_line_reduced": True}
B3 = {"id": "B3", "description": "Redaction", "owner": "CJ lead", "category": "time_saving",
      "measure": "minutes per file", "unit": "minutes", "direction": "decrease", "baseline": 30, "forecast": 15,
      "baseline_start": "2024-06-01", "baseline_end": "2024-08-31", "tracking_start": "2024-10-01",
      "tracking_end": "2025-03-31", "evidence": "Timed observation", "task": "redact"}
B4 = {"id": "B4", "description": "Data returns", "owner": "Head of Performance", "category": "time_saving",
      "measure": "hours on data returns", "unit": "hours per month", "direction": "decrease", "baseline": 20,
      "forecast": 5, "evidence": "Business case", "grade": "Police Constable"}
BEFORE = [30, 34, 26, 30]  # mean 30
AFTER = [20, 22, 18, 20]  # mean 20
TIMINGS = ([{"task": "redact", "period": "before", "minutes": m, "grade": "Police Staff Scale 4"} for m in BEFORE]
           + [{"task": "redact", "period": "after", "minutes": m, "grade": "Police Staff Scale 4"} for m in AFTER])
VOLUMES = [{"task": "redact", "total_occurrences": 100, "per": "week"}]


def small_fit(**overrides):
    kw = dict(benefits=[B1, B2, B3, B4], process_timings=TIMINGS, volumes=VOLUMES, rates=RATES,
              productive_hours_per_fte=1500, reinvestment=[{"activity": "Patrol", "hours": 3000}],
              review_date="2025-04-15")
    kw.update(overrides)
    return benefits.fit(**kw)


def test_worked_example_of_the_issue():
    # baseline 50, forecast 10, actual 20: (50 - 20) / (50 - 10) = 30 / 40 = 75%
    assert realised_share(50, 10, 20, "decrease") == pytest.approx(0.75)
    r = benefits.fit(benefits=[B1], rates=RATES)
    assert r.estimate("B1.realised_share").estimate == pytest.approx(0.75)
    assert r.valued[0].rating == "amber"


def test_deadweight_nets_the_observed_and_the_forecast_change_alike():
    # 20% deadweight: net change 0.8 x 30 = 24 of a net forecast 0.8 x 40 = 32: 75%; hours 24 x 52 = 1,248
    r = benefits.fit(benefits=[dict(B1, deadweight=0.2)], rates=RATES)
    assert r.estimate("B1.realised_share").estimate == pytest.approx(0.75)
    assert r.headline.estimate == pytest.approx(0.8 * 30 * 52)
    assert r.valued[0].forecast_hours == pytest.approx(0.8 * 40 * 52)


def test_direction_increase_and_thresholds():
    # higher is better: (75 - 60) / (80 - 60) = 75%; green at 70% with custom thresholds
    row = dict(B1, category="quality", unit="percent", direction="increase", baseline=60, forecast=80, actual=75)
    r = benefits.fit(benefits=[row], rates=RATES, rating_thresholds={"green": 0.7, "amber": 0.4})
    assert r.estimate("B1.realised_share").estimate == pytest.approx(0.75)
    assert r.valued[0].rating == "green"
    r = benefits.fit(benefits=[dict(row, actual=66)], rates=RATES)  # 6 / 20 = 30% -> red
    assert r.valued[0].rating == "red"


def test_small_register_totals_from_first_principles():
    r = small_fit()
    occurrences = 100 * 52  # 100 a week x 52 weeks
    b1_hours = (50 - 20) * 52  # 1,560
    b1_gbp = b1_hours * 40
    b2_cash = (10000 - 5000) * 12  # budget line reduced, so cashable: 60,000
    b3_hours = (30 - 20) / 60 * occurrences  # 866.67
    b3_gbp = (30 * 20 / 60 - 20 * 20 / 60) * occurrences  # pounds per task at £20 an hour
    assert r.headline.name == "hours_released_per_year"
    assert r.headline.estimate == pytest.approx(b1_hours + b3_hours)
    assert r.estimate("fte_released").estimate == pytest.approx((b1_hours + b3_hours) / 1500)
    assert r.estimate("cashable_gbp").estimate == pytest.approx(b2_cash)
    assert r.estimate("non_cashable_gbp").estimate == pytest.approx(b1_gbp + b3_gbp)

    # Welch interval on the change in mean minutes, carried to hours
    v_b, v_a = np.var(BEFORE, ddof=1) / 4, np.var(AFTER, ddof=1) / 4
    df = (v_b + v_a) ** 2 / (v_b**2 / 3 + v_a**2 / 3)
    half = stats.t.ppf(0.975, df) * math.sqrt(v_b + v_a) / 60 * occurrences
    assert r.headline.ci_low == pytest.approx(b1_hours + b3_hours - half)
    assert r.headline.ci_high == pytest.approx(b1_hours + b3_hours + half)
    assert r.estimate("B3.realised_share").estimate == pytest.approx(10 / 15)
    assert r.estimate("B2.realised_share").estimate == pytest.approx(5000 / 6000)
    assert r.estimate("B2.realised_share").ci_low is None  # register figures carry no interval

    # portfolio share realised, in pounds: measured / forecast for the same benefits
    forecast = (50 - 10) * 52 * 40 + (10000 - 4000) * 12 + (30 - 15) / 60 * occurrences * 20
    assert r.estimate("realised_share").estimate == pytest.approx((b1_gbp + b2_cash + b3_gbp) / forecast)

    # B4 is a forecast only: not in the headline, graded anticipated
    grades = {v.benefit.id: v.grade for v in r.valued}
    assert grades == {"B1": "known", "B2": "known", "B3": "known", "B4": "anticipated"}

    # the profile, 2024/25 (go-live 1 April 2024) to 2028/29 (three years after the review's 2025/26):
    # known = measured to the review date (B3 tracked 1 October 2024 to 31 March 2025: 182 of 365 days);
    # projected = the run rate to 31 March 2026; anticipated = later years, and B4 (forecast only) every year
    b4_hours = (20 - 5) * 12
    later = ("2026/27", "2027/28", "2028/29")
    expected = {
        ("2024/25", "known"): (b1_hours + b3_hours * 182 / 365, b2_cash, b1_gbp + b3_gbp * 182 / 365),
        ("2025/26", "projected"): (b1_hours + b3_hours, b2_cash, b1_gbp + b3_gbp),
        **{(fy, "anticipated"): (b1_hours + b3_hours + b4_hours, b2_cash, b1_gbp + b3_gbp + b4_hours * 40)
           for fy in later},
        ("2024/25", "anticipated"): (b4_hours, 0, b4_hours * 40),
        ("2025/26", "anticipated"): (b4_hours, 0, b4_hours * 40),
    }
    got = {(t["financial_year"], t["confidence_grade"]): t for t in r.benefit_totals
           if t["hours"] or t["cashable_gbp"] or t["non_cashable_gbp"]}
    assert set(got) == set(expected)
    for key, (hours, cash, noncash) in expected.items():
        assert got[key]["hours"] == pytest.approx(hours)
        assert got[key]["fte"] == pytest.approx(hours / 1500)
        assert got[key]["cashable_gbp"] == pytest.approx(cash)
        assert got[key]["non_cashable_gbp"] == pytest.approx(noncash)


def test_results_json_shape():
    r = small_fit(lessons=["Time the tasks before go-live."], signoff={"name": "A. Reviewer"})
    payload = json.loads(json.dumps(r.to_dict()))
    names = {e["name"] for e in payload["estimates"]}
    assert {"hours_released_per_year", "fte_released", "cashable_gbp", "non_cashable_gbp",
            "B1.realised_share", "B2.realised_share", "B3.realised_share"} <= names
    assert "B4.realised_share" not in names  # not measured
    assert payload["evidence"]["sms_level"] == 1
    assert set(payload["benefit_totals"][0]) == {"financial_year", "confidence_grade", "hours", "fte",
                                                 "cashable_gbp", "non_cashable_gbp"}
    assert payload["pir"]["lessons"] == ["Time the tasks before go-live."]
    assert payload["pir"]["reporting_year"] == "2024/25"
    assert {c["name"] for c in payload["checks"]} == set(benefits.CHECK_NAMES)


def test_comparison_group_gives_difference_in_differences_and_level_3():
    comp = ([{"task": "redact", "period": "before", "minutes": m, "grade": "Police Staff Scale 4",
              "group": "comparison"} for m in (30, 31, 29, 30)]
            + [{"task": "redact", "period": "after", "minutes": m, "grade": "Police Staff Scale 4",
                "group": "comparison"} for m in (28, 27, 29, 28)])
    r = benefits.fit(benefits=[B3], process_timings=TIMINGS + comp, volumes=VOLUMES, rates=RATES)
    # (30 - 20) in the changed team minus (30 - 28) in the comparison team = 8 minutes a task
    assert r.headline.estimate == pytest.approx(8 / 60 * 5200)
    assert r.evidence.sms_level == 3


def test_confidence_grade_rules():
    no_dates = dict(B1, baseline_start=None, baseline_end=None)
    short = dict(B1, tracking_end="2024-09-30")  # 183 days / 30.44 = 6.0 months
    potential = {"id": "B9", "description": "Confidence", "category": "societal", "direction": "increase",
                 "baseline": None, "forecast": None}
    r = benefits.fit(benefits=[no_dates, dict(short, id="B5", measure="m5"), potential], rates=RATES)
    grades = {v.benefit.id: v.grade for v in r.valued}
    assert grades == {"B1": "known", "B5": "known", "B9": "potential"}
    assert r.valued[1].benefit.months_tracked == pytest.approx(round(183 / 30.44, 1))
    # grades of the profile by evidence: B5 measured 1 April to 30 September 2024 (183 days), reviewed at
    # 31 March 2025 (the latest tracking end): known 183/365 of a year, projected the other 182 days of
    # 2024/25, anticipated from 2025/26; never a run rate called known
    annual = (50 - 20) * 52
    pieces = {(p.financial_year, p.grade): p.hours for p in r.profile.pieces if p.benefit == "B5"}
    assert pieces[("2024/25", "known")] == pytest.approx(annual * 183 / 365)
    assert pieces[("2024/25", "projected")] == pytest.approx(annual * 182 / 365)
    assert pieces[("2025/26", "anticipated")] == pytest.approx(annual)
    assert r.profile.current_year == "2024/25"


def test_monthly_actuals_feed_the_trajectory():
    # April at 40 hours a week: (50 - 40) x 52 / 12 = 43.3 hours released that month
    r = benefits.fit(benefits=[dict(B1, actual_2024_04=40, **{"actual 2024-05": 30})], rates=RATES)
    monthly = r.valued[0].monthly_hours
    assert monthly[dt.date(2024, 4, 1)] == pytest.approx(10 * 52 / 12)
    assert monthly[dt.date(2024, 5, 1)] == pytest.approx(20 * 52 / 12)
    assert r.headline.estimate == pytest.approx(30 * 52)  # the run rate at the review point
    assert "'actual_2024_13'" in _error(benefits=[dict(B1, actual_2024_13=40)])


@pytest.mark.parametrize("field", ["owner", "measure", "baseline"])
def test_register_incomplete_names_the_gap(field):
    row = dict(B4, **{field: None})  # B4 has no actual, so a missing baseline is a register gap
    r = benefits.fit(benefits=[B1, row], rates=RATES)
    check = r.check("register_incomplete")
    assert check.status == "warn" and "'B4'" in check.message and field in check.message
    assert {v.benefit.id: v.grade for v in r.valued}["B4"] == ("potential" if field == "baseline"
                                                               else "anticipated")


def test_summary_separates_measured_from_hoped_for():
    r = small_fit()
    text = " ".join(r.summary_text)
    assert "Measured savings: 2,427 hours a year" in text  # 1,560 + 866.67
    assert "Hoped-for savings" in text and "B4" in text
    assert "cannot by themselves show" in text  # level 1: association, not cause


def test_tables_charts_and_escaping():
    r = small_fit(lessons=["<script>alert(1)</script>"], recommendations="Keep timing.\n\nShare the tool.")
    html = benefits.review_text(r)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert r.recommendations == ("Keep timing.", "Share the tool.")
    for table in (benefits.register_table(r), benefits.realisation_table(r), benefits.totals_table(r),
                  benefits.grade_table(r), benefits.reinvestment_table(r)):
        assert table.rows
    for chart in (r.plot(), benefits.plot_waterfall(r)):
        assert chart.png[:4] == b"\x89PNG" and any(ch.isdigit() for ch in chart.alt)


def test_file_inputs_read_like_inline(tmp_path):
    import pandas as pd

    pd.DataFrame([B1, B2]).to_csv(tmp_path / "register.csv", index=False)
    pd.DataFrame(RATES).to_excel(tmp_path / "rates.xlsx", index=False)
    tables = pir.read_tables(benefits="register.csv", rates="rates.xlsx", base_dir=tmp_path)
    from_files = benefits.fit(**tables)
    inline = benefits.fit(benefits=[B1, B2], rates=RATES)
    assert from_files.headline.estimate == inline.headline.estimate
    assert from_files.estimate("cashable_gbp").estimate == inline.estimate("cashable_gbp").estimate


def test_default_rates_are_used_and_said():
    r = benefits.fit(benefits=[B1], rates=pir.default_rates())
    assert r.rates.is_default
    assert r.check("default_rates").status == "info"
    assert any("illustrative" in n for n in r.notes)


def test_financial_years():
    assert fy_label("2024-25") == fy_label("FY2024/2025") == fy_label(2024) == "2024/25"
    assert fy_of(dt.date(2025, 3, 31)) == "2024/25" and fy_of(dt.date(2025, 4, 1)) == "2025/26"
    split = split_by_financial_year(365.0, dt.date(2025, 1, 1))
    assert split == {"2024/25": pytest.approx(31 + 28 + 31), "2025/26": pytest.approx(365 - 90)}
    with pytest.raises(SpecError, match="reporting_year"):
        fy_label("2024/26")


def test_result_is_frozen():
    r = small_fit()
    with pytest.raises(AttributeError):
        r.reporting_year = "2030/31"


# -- every check on its trigger and not otherwise ----------------------------------------------
CLEAN_TIMINGS = ([{"task": "redact", "period": "before", "minutes": 28 + (i % 5), "grade": "Police Staff Scale 4"}
                  for i in range(30)]
                 + [{"task": "redact", "period": "after", "minutes": 18 + (i % 5), "grade": "Police Staff Scale 4"}
                    for i in range(30)])
CLEAN = dict(benefits=[B1, dict(B3, tracking_start="2024-04-01")], process_timings=CLEAN_TIMINGS, volumes=VOLUMES,
             rates=RATES, reinvestment=[{"activity": "Patrol", "hours": 2424, "evidence": "rosters"}],
             outputs_maintained={"measure": "files a month", "before": 100, "after": 98},
             go_live="2024-10-01", review_date="2025-04-01")


def _with(**changes):
    kw = copy.deepcopy(CLEAN)
    kw.update(changes)
    return kw


TRIGGERS = {
    "tracking_under_12_months": _with(benefits=[dict(B1, tracking_end="2024-09-30"),
                                                dict(B3, tracking_start="2024-04-01")]),
    "tracking_under_3_months": _with(benefits=[B1, dict(B3, tracking_start="2025-02-01")],
                                     reinvestment=[{"activity": "Patrol", "hours": 1560}]),
    "cash_without_budget_reduction": _with(benefits=[B1, dict(B3, tracking_start="2024-04-01"),
                                                     dict(B2, budget_line_reduced=False)]),
    "outputs_fell": _with(outputs_maintained={"measure": "files a month", "before": 100, "after": 94}),
    "hours_not_reinvested": _with(reinvestment=[{"activity": "Patrol", "hours": 1000}]),
    "register_incomplete": _with(benefits=[dict(B1, owner=None), dict(B3, tracking_start="2024-04-01")]),
    "double_counting": _with(benefits=[B1, dict(B3, tracking_start="2024-04-01"),
                                       dict(B1, id="B7", category="quality", grade=None)]),
    "rate_price_year": _with(rates=[dict(RATES[0], price_year="2023/24"), RATES[1]]),
    "rate_salary_only": _with(rates=[dict(RATES[0], cost_basis="salary"), RATES[1]]),
    "small_sample": _with(process_timings=CLEAN_TIMINGS[:-1]),
    "default_rates": _with(rates=pir.default_rates(), benefits=[B1, dict(B3, tracking_start="2024-04-01")]),
    "time_and_money": _with(benefits=[B1, dict(B3, tracking_start="2024-04-01"),
                                      dict(B2, id="B8", measure="overtime on report production",
                                           finance_validated="Head of Finance, 1 April 2025")]),
    "reinvested_exceeds_released": _with(reinvestment=[{"activity": "Patrol", "hours": 1600, "benefit": "B1"},
                                                       {"activity": "Files", "hours": 824}]),
    "review_timing": _with(review_date="2025-09-30"),
    "cash_not_validated": _with(benefits=[B1, dict(B3, tracking_start="2024-04-01"), B2]),
    "dis_benefits": _with(benefits=[B1, dict(B3, tracking_start="2024-04-01"),
                                    dict(B1, id="B9", category="dis_benefit", measure="extra checking hours",
                                         baseline=0, forecast=1, actual=1)],
                          reinvestment=[{"activity": "Patrol", "hours": 2372}]),
}
EXPECTED = {"tracking_under_3_months": "fail", "default_rates": "info", "double_counting": "fail",
            "dis_benefits": "info"}


def test_clean_review_passes_every_check():
    r = benefits.fit(**CLEAN)
    assert {c.name: c.status for c in r.checks} == {n: "pass" for n in benefits.CHECK_NAMES}


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_each_check_fires_on_its_trigger_only(name):
    r = benefits.fit(**TRIGGERS[name])
    statuses = {c.name: c.status for c in r.checks}
    assert statuses.pop(name) == EXPECTED.get(name, "warn")
    assert statuses == {n: "pass" for n in statuses}, f"{name} also changed other checks"


def test_check_consequences():
    r = benefits.fit(**TRIGGERS["tracking_under_3_months"])
    assert "B3.realised_share" not in {e.name for e in r.estimates}  # withheld
    assert r.headline.estimate == pytest.approx((50 - 20) * 52)  # B3 not counted as measured
    r = benefits.fit(**TRIGGERS["cash_without_budget_reduction"])
    assert r.estimate("cashable_gbp").estimate == 0
    assert [v.classification for v in r.valued if v.benefit.id == "B2"] == ["non_cash_releasing"]
    r = benefits.fit(**TRIGGERS["hours_not_reinvested"])
    released = (50 - 20) * 52 + (30 - 20) / 60 * 5200
    assert r.to_dict()["pir"]["reinvestment"]["hours_notional"] == pytest.approx(released - 1000)


def test_outputs_falling_without_a_claimed_saving_is_not_flagged():
    unmeasured = dict(B1, actual=None, tracking_start=None, tracking_end=None)
    r = benefits.fit(benefits=[unmeasured], rates=RATES,
                     outputs_maintained={"measure": "files", "before": 100, "after": 50})
    assert r.check("outputs_fell").status == "pass"
    # a measure where lower is better fell: that is an improvement, not a loss of output
    r = benefits.fit(benefits=[B1], rates=RATES, reinvestment=[{"activity": "x", "hours": 2000}],
                     outputs_maintained={"measure": "backlog", "before": 100, "after": 50, "direction": "decrease"})
    assert r.check("outputs_fell").status == "pass"


# -- bad input: clear errors naming the benefit and the field ---------------------------------
def _error(**kw) -> str:
    with pytest.raises((DataError, SpecError)) as info:
        benefits.fit(**{**dict(benefits=[B1], rates=RATES), **kw})
    return str(info.value)


def test_missing_baseline():
    msg = _error(benefits=[dict(B1, baseline=None)])
    assert "'B1'" in msg and "'baseline'" in msg and "row 1" in msg
    no_column = [{k: v for k, v in B1.items() if k != "baseline"}]
    assert "'baseline'" in _error(benefits=no_column)


def test_negative_minutes():
    bad = [dict(t) for t in TIMINGS]
    bad[5]["minutes"] = -3
    msg = _error(benefits=[B3], process_timings=bad, volumes=VOLUMES)
    assert "'redact'" in msg and "'minutes'" in msg and "negative" in msg and "row 6" in msg


def test_grade_with_no_rate():
    msg = _error(benefits=[dict(B1, grade="Chief Constable")])
    assert "'B1'" in msg and "'grade'" in msg and "Chief Constable" in msg
    timed = [dict(t, grade="Special Constable") for t in TIMINGS]
    msg = _error(benefits=[B3], process_timings=timed, volumes=VOLUMES)
    assert "'B3'" in msg and "grade" in msg and "Special Constable" in msg


def test_tracking_dates_out_of_order():
    msg = _error(benefits=[dict(B1, tracking_start="2025-03-31", tracking_end="2024-04-01")])
    assert "'B1'" in msg and "'tracking_end'" in msg and "before tracking_start" in msg


def test_duplicate_benefit_id():
    msg = _error(benefits=[B1, dict(B1, measure="other")])
    assert "'B1'" in msg and "'id'" in msg and "twice" in msg


def test_timing_for_a_task_with_no_volume():
    msg = _error(benefits=[B3], process_timings=TIMINGS, volumes=[{"task": "other", "total_occurrences": 5,
                                                                   "per": "week"}])
    assert "'B3'" in msg and "'redact'" in msg and "volume" in msg


def test_other_bad_input():
    assert "'forecast'" in _error(benefits=[dict(B1, forecast=60)])
    assert "'category'" in _error(benefits=[dict(B1, category="savings")])
    assert "'deadweight'" in _error(benefits=[dict(B1, deadweight=20)])
    assert "'unit'" in _error(benefits=[dict(B1, unit="hours")])  # no period
    assert "rating_thresholds" in _error(rating_thresholds={"green": 90, "amber": 50})
    assert "'B8'" in _error(reinvestment=[{"activity": "Patrol", "hours": 10, "benefit": "B8"}])
    assert "'redact'" in _error(benefits=[B1], process_timings=TIMINGS, volumes=VOLUMES)  # timings, no benefit


# -- register dates are read by whatworks.dates: UK day first, never guessed -----------------
def test_month_first_tracking_dates_are_refused():
    # the issue: 04/15/2025 read day first put hours in a year before go-live
    us = dict(B1, tracking_start="04/15/2024", tracking_end="03/31/2025")
    with pytest.raises(DataError) as info:
        benefits.fit(benefits=[us], rates=RATES)
    err = info.value
    assert err.column == "tracking_start" and err.rows == [1] and err.file == "benefits (in the spec)"
    assert "month first" in err.message and "'B1'" in err.message


def test_ambiguous_register_date_is_refused_with_an_example():
    with pytest.raises(DataError) as info:
        benefits.fit(benefits=[dict(B1, tracking_end="03/04/2025")], rates=RATES)
    err = info.value
    assert err.column == "tracking_end" and err.rows == [1]
    assert "3 April 2025 (day first) or 4 March 2025 (month first)" in err.message
    assert "25/04/2025" in err.hint  # a date the two readings tell apart


def test_register_dates_written_day_first_settle_the_ambiguous_ones():
    uk = dict(B1, baseline_start="01/04/2023", baseline_end="31/03/2024", tracking_start="01/04/2024",
              tracking_end="31/03/2025")
    (benefit,) = check_inputs(benefits=[uk], rates=RATES).register
    assert (benefit.baseline_start, benefit.tracking_start) == (dt.date(2023, 4, 1), dt.date(2024, 4, 1))


def test_a_file_register_names_its_spreadsheet_row(tmp_path):
    rows = [B1, dict(B2, tracking_start="04/15/2024")]
    path = tmp_path / "register.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        benefits.fit(**pir.read_tables(benefits=path, rates=RATES))
    assert info.value.column == "tracking_start" and info.value.rows == [3]


def test_review_date_is_read_day_first_or_refused():
    assert small_fit(review_date="15/04/2025").review_date == dt.date(2025, 4, 15)
    with pytest.raises(SpecError, match="review_date"):
        small_fit(review_date="04/05/2025")


# -- value for money, costs and the profile's options ---------------------------------------------
def test_value_module_uprates_and_discounts():
    from whatworks.value import Deflator, HourlyCost, default_deflator, present_value

    d = Deflator({"2023/24": 100.0, "2024/25": 104.0}, "test", "test source")
    assert HourlyCost("PC", 50.0, "2023/24").at("2024/25", d) == pytest.approx(52.0)
    assert present_value([100.0, 100.0, 100.0]) == pytest.approx(100 + 100 / 1.035 + 100 / 1.035**2)
    shipped = default_deflator()
    assert shipped.source and "deflator" in shipped.label.lower()
    # a rate priced last year is uprated to the price base, and the check says so
    r = benefits.fit(benefits=[B1], rates=[dict(RATES[0], price_year="2023/24"), RATES[1]], price_base="2024/25")
    factor = shipped.index["2024/25"] / shipped.index["2023/24"]
    assert r.valued[0].amount("non_cashable") == pytest.approx((50 - 20) * 52 * 40 * factor)
    assert r.check("rate_price_year").status == "warn"


def test_costs_give_net_benefit_payback_and_npv():
    # B1 from 1 April 2024: £62,400 a year; a £100,000 build in 2024/25 and £10,000 a year to run
    costs = [{"item": "Build", "financial_year": "2024/25", "gbp": 100000},
             {"item": "Run", "financial_year": "2024/25", "gbp": 10000, "recurring": True}]
    r = benefits.fit(benefits=[B1], rates=RATES, costs=costs, review_date="2024-10-01", horizon="2026/27")
    gbp = (50 - 20) * 52 * 40
    flows = [gbp - 110000, gbp - 10000, gbp - 10000]
    assert r.estimate("npv_gbp").estimate == pytest.approx(sum(f / 1.035**t for t, f in enumerate(flows)))
    assert r.estimate("net_benefit_gbp").estimate == pytest.approx(sum(flows))
    # cumulative −£100,000 at the start of 2024/25, £4,366.67 a month net: 23 months is past 2024/25, so
    # the second year: −47,600 at its start, 4,366.67 a month: 11 months -> February 2026
    assert r.value["payback_month"] == "2026-02"
    pv_costs = 110000 + 10000 / 1.035 + 10000 / 1.035**2
    assert r.estimate("bcr_total").estimate == pytest.approx(sum(gbp / 1.035**t for t in range(3)) / pv_costs)


@pytest.mark.parametrize(("changes", "key"), [
    ({"costs": [{"item": "Build", "financial_year": "next year", "gbp": 1}]}, "financial_year"),
    ({"costs": [{"item": "Build", "financial_year": "2024/25", "gbp": -5}]}, "gbp"),
    ({"horizon": "2023/24", "review_date": "2025-04-15"}, "horizon"),
    ({"go_live": "2026-01-01", "review_date": "2025-04-15"}, "go_live"),
])
def test_bad_costs_and_profile_options_are_refused(changes, key):
    with pytest.raises((DataError, SpecError)) as err:
        benefits.fit(benefits=[B1], rates=RATES, **changes)
    assert key in str(err.value)


def test_one_off_and_ended_benefits_in_the_profile():
    one_off = dict(B2, id="B2", recurring=False, budget_year="2024/25", finance_validated="Finance, 1 May 2025")
    ended = dict(B1, id="B5", measure="other", end_date="2025-09-30")
    r = benefits.fit(benefits=[one_off, ended], rates=RATES, review_date="2025-04-15", horizon="2026/27")
    cells = {(p.benefit, p.financial_year, p.grade): p for p in r.profile.pieces}
    assert cells[("B2", "2024/25", "known")].cashable == pytest.approx((10000 - 5000) * 12)
    assert not [k for k in cells if k[0] == "B2" and k[1] != "2024/25"]  # counted once
    annual = (50 - 20) * 52
    assert cells[("B5", "2025/26", "projected")].hours == pytest.approx(annual * 183 / 365)  # to 30 September
    assert not [k for k in cells if k[0] == "B5" and k[1] == "2026/27"]
    assert r.check("cash_not_validated").status == "pass"
