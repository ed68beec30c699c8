"""Weekly counts added up to months (``report_by: month``) against simulated data with a known truth.

The weekly series are Poisson with a constant rate and a known rate ratio from
the start; months hold 4 or 5 weeks, so the weeks are the exposure. A monthly
analysis should recover the ratio (its 95% interval covering the truth in 95%
of series), keep every count, and not read a five-week month as a rise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from whatworks.data import load_series
from whatworks.designs import its
from whatworks.evaluation import Evaluation
from whatworks.templates import before_after

pytestmark = pytest.mark.simulation

WEEKS = pd.date_range("2021-01-04", "2025-12-22", freq="W-MON")  # January 2021 to December 2025, whole months
START = "2024-01-01"  # a Monday whose Thursday (4 January) is in January: no part month
TRUTH = 0.8
RATE = 30.0


def _monthly(y: np.ndarray):
    return load_series(pd.DataFrame({"week": WEEKS, "crimes": y}), date_column="week", outcome_column="crimes",
                       report_by="month")


def _level(result: its.ITSResult):
    return {e.name: e for e in result.estimates}["level_change"]


def test_the_monthly_rate_ratio_covers_the_truth_in_95_percent_of_series():
    rng = np.random.default_rng(20261203)
    mu = np.where(WEEKS >= START, RATE * TRUTH, RATE)
    draws = rng.poisson(mu, size=(300, len(WEEKS)))
    covered, logs = [], []
    for y in draws:
        series = _monthly(y)
        assert series.frame["outcome"].sum() == y.sum()  # whole months only: every week counted once
        est = _level(its.fit(series, intervention_date=START, seasonality="none", slope_change=False))
        covered.append(est.ci_low <= TRUTH <= est.ci_high)
        logs.append(np.log(est.estimate))
    coverage = float(np.mean(covered))
    # 300 series: 95% coverage has a standard error of 1.3 points; allow three either side
    assert 0.91 <= coverage <= 0.99, f"coverage {coverage:.3f}"
    assert abs(np.exp(np.mean(logs)) - TRUTH) < 0.01, f"geometric mean {np.exp(np.mean(logs)):.3f}"


def test_a_five_week_month_is_not_a_spike_in_the_fitted_rate():
    rng = np.random.default_rng(7)
    y = rng.poisson(np.where(WEEKS >= START, RATE * TRUTH, RATE))
    series = _monthly(y)
    f = series.frame
    assert set(f["exposure"]) == {4.0, 5.0}
    five = f["exposure"].to_numpy() == 5.0
    counts = f["outcome"].to_numpy()
    assert counts[five].mean() > 1.15 * counts[~five].mean()  # the raw monthly counts do jump
    frame = its.fit(series, intervention_date=START, seasonality="none", slope_change=False).series_frame
    rate = frame["fitted"].to_numpy() / f["exposure"].to_numpy()
    before = (frame["phase"] == "before").to_numpy()
    steps = np.abs(np.diff(np.log(rate[before])))
    assert steps.max() < 0.005, f"the fitted weekly rate moves by up to {steps.max():.1%} from month to month"
    # and it is the weekly rate: about 30 a week before the start, as simulated
    assert rate[before].mean() == pytest.approx(RATE, rel=0.05)


def test_comparison_areas_by_month_recover_the_ratio_with_a_mid_month_start(tmp_path):
    rng = np.random.default_rng(11)
    weeks = pd.date_range("2022-01-03", "2024-12-23", freq="W-MON")
    sites = [f"Site {i:02d}" for i in range(1, 17)]
    treated = sites[:4]
    size = rng.uniform(10, 30, len(sites))
    season = 1 + 0.15 * np.sin(2 * np.pi * np.arange(len(weeks)) / 52)
    mu = size[:, None] * season[None, :]
    mu[:4] *= np.where(weeks >= "2023-07-03", TRUTH, 1.0)  # a Monday: part-way through July
    y = rng.poisson(mu)
    frame = pd.DataFrame({"week": np.tile(weeks.strftime("%Y-%m-%d"), len(sites)),
                          "site": np.repeat(sites, len(weeks)), "crimes": y.ravel()})
    path = tmp_path / "weekly.csv"
    frame.to_csv(path, index=False)
    ev = Evaluation({"data": str(path), "date_column": "week", "outcome_column": "crimes", "unit_column": "site",
                     "treated_units": treated, "intervention_date": "2023-07-03", "report_by": "month",
                     "n_boot": 199, "spc": "none", "title": "t", "owner": "o"})
    inputs = before_after.load(ev)
    assert inputs.frame["outcome"].sum() == y.sum()
    result = before_after.analyse(inputs, ev)
    head = result.headline
    assert head is not None and head.name == "did"
    assert head.ci_low <= TRUTH <= head.ci_high, (head.estimate, head.ci_low, head.ci_high)
    assert any("July 2023" in n for n in result.notes)  # the start month is left out, and said so
