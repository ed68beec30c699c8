"""Officer time and value for money in the before-after template: keys, refusals and wiring.

The estimate of crimes prevented comes from the analysis; here a test double
adds one to a fitted result, so the wiring is checked against arithmetic in
the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from whatworks.errors import SpecError
from whatworks.evaluation import Evaluation
from whatworks.results import Estimate
from whatworks.templates import before_after
from whatworks.templates.activity import officer_hours, value_for_money
from whatworks.value import default_deflator

pytestmark = pytest.mark.unit

WEEKS = 104
START = "2024-01-01"


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    weeks = pd.date_range("2023-01-02", periods=WEEKS, freq="7D")
    after = weeks >= pd.Timestamp(START)
    frame = pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "crimes": rng.poisson(30, WEEKS),
                          "deployments": np.where(after, 3, 0)})
    path = tmp_path / "weekly.csv"
    frame.to_csv(path, index=False)
    return path


def _ev(path: Path, **keys: Any) -> Evaluation:
    return Evaluation({"title": "t", "owner": "o", "data": path.name, "date_column": "week",
                       "outcome_column": "crimes", "intervention_date": START, **keys}, base_dir=path.parent)


EFFORT = {"effort_column": "deployments", "officers_per_deployment": 4, "hours_per_deployment": 2.5,
          "officer_grade": "Police Constable", "unit_cost_of_crime": 1500, "unit_cost_price_year": "2023/24",
          "price_year": "2025/26"}


def test_no_effort_keys_no_cost_and_the_report_says_which_keys_would_add_it(data_file: Path) -> None:
    result = before_after.analyse(before_after.load(_ev(data_file)))
    assert result.value is None and not result.effort_given
    words = result.value_for_money()._repr_html_()
    assert "effort_column" in words and "officer_grade" in words and "crime_type" in words


def test_effort_keys_with_crimes_prevented_give_the_cost_benefit(data_file: Path) -> None:
    inputs = before_after.load(_ev(data_file, **EFFORT))
    fitted = before_after.analyse(inputs)
    # the analysis's own estimate of crimes prevented
    prevented = next(e for e in fitted.estimates if e.name == "crimes_prevented")
    hours = officer_hours(inputs.frame, inputs.effort, {None: pd.Timestamp(START)})
    assert hours == pytest.approx(52 * 3 * 4 * 2.5)  # 52 weeks after the start, 3 deployments a week
    money = value_for_money(list(fitted.estimates), hours, inputs.effort)
    assert money is not None
    d = default_deflator().index
    hourly = 44.0 * d["2025/26"] / d["2024/25"]
    unit = 1500.0 * d["2025/26"] / d["2023/24"]
    cost = hours * hourly
    assert money.price_year == "2025/26" and not money.net
    assert money.ratio == pytest.approx(prevented.estimate * unit / cost)
    assert money.ratio_interval == pytest.approx((prevented.ci_low * unit / cost, prevented.ci_high * unit / cost))
    names = [e.name for e in fitted.estimates]
    assert {"officer_hours", "officer_cost", "value_of_crimes_prevented", "cost_per_crime_prevented",
            "benefit_cost_ratio"} <= set(names) and len(names) == len(set(names))
    assert "Each £1 of officer time bought" in fitted.value_for_money()._repr_html_()
    assert fitted.extra()["value_for_money"]["benefit_cost_ratio"] == pytest.approx(prevented.estimate * unit / cost)
    # the summary carries the officer time, its cost and the board sentence after its opening paragraph
    assert "officer hours after the start" in fitted.summary_text[1]
    assert "of officer time" in fitted.summary_text[1]


def test_the_net_figure_is_used_when_displacement_was_measured(data_file: Path) -> None:
    inputs = before_after.load(_ev(data_file, **EFFORT))
    both = [Estimate(name="crimes_prevented", label="a", measure="crimes", estimate=150.0, ci_low=40, ci_high=260),
            Estimate(name="crimes_prevented_net", label="b", measure="crimes", estimate=90.0, ci_low=-10,
                     ci_high=190)]
    money = value_for_money(both, 1000.0, inputs.effort)
    assert money is not None and money.net and money.crimes == 90.0
    assert "net loss" in money.words()


def test_without_crimes_prevented_the_section_says_so(data_file: Path) -> None:
    # crimes prevented is estimated only where a fall is hoped for
    result = before_after.analyse(before_after.load(_ev(data_file, **EFFORT, improvement="increase")))
    assert result.value is None and result.effort_given
    words = result.value_for_money()._repr_html_()
    assert "no estimate of crimes prevented" in words
    hourly = 44.0 * default_deflator().factor("2024/25", "2025/26")
    assert "1,560 officer hours" in words and f"£{52 * 3 * 4 * 2.5 * hourly:,.0f}" in words


@pytest.mark.parametrize(("change", "key"), [
    ({"officers_per_deployment": None}, "officers_per_deployment"),
    ({"hours_per_deployment": -1}, "hours_per_deployment"),
    ({"officer_grade": "Special Constable"}, "officer_grade"),
    ({"officer_grade": None}, "officer_grade"),
    ({"unit_cost_of_crime": None, "unit_cost_price_year": None, "crime_type": "shoplifting"}, "crime_type"),
    ({"unit_cost_price_year": None}, "unit_cost_price_year"),
    ({"officer_hours_column": "deployments"}, "officer_hours_column"),
    # the shipped deflator does not reach the Home Office table's 2015/16 prices
    ({"unit_cost_of_crime": None, "unit_cost_price_year": None, "crime_type": "robbery"}, "crime_type"),
])
def test_bad_effort_keys_are_refused_naming_the_key(data_file: Path, change: dict[str, Any], key: str) -> None:
    keys = {k: v for k, v in {**EFFORT, **change}.items() if v is not None}
    with pytest.raises(SpecError) as caught:
        before_after.load(_ev(data_file, **keys))
    assert caught.value.key == key


@pytest.mark.parametrize("key", ["officer_grade", "crime_type", "price_year", "unit_cost_of_crime"])
def test_price_keys_without_effort_are_refused(data_file: Path, key: str) -> None:
    value = {"officer_grade": "Police Constable", "crime_type": "robbery", "price_year": "2024/25",
             "unit_cost_of_crime": 100}[key]
    with pytest.raises(SpecError) as caught:
        before_after.load(_ev(data_file, **{key: value}))
    assert caught.value.key == key and "effort" in str(caught.value)


def test_effort_keys_are_refused_for_a_proportion(tmp_path: Path) -> None:
    weeks = pd.date_range("2023-01-02", periods=WEEKS, freq="7D")
    frame = pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "crimes": 10, "total": 40, "deployments": 1})
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SpecError) as caught:
        before_after.load(_ev(path, outcome_type="proportion", denominator_column="total", **EFFORT))
    assert caught.value.key == "effort_column"


def test_negative_deployments_are_refused(data_file: Path) -> None:
    frame = pd.read_csv(data_file)
    frame.loc[frame.index[-1], "deployments"] = -2
    frame.to_csv(data_file, index=False)
    inputs = before_after.load(_ev(data_file, **EFFORT))
    with pytest.raises(SpecError) as caught:
        officer_hours(inputs.frame, inputs.effort, {None: pd.Timestamp(START)})
    assert caught.value.key == "effort_column"
