"""Simulation checks of the PIR hours-released interval, and the demo inputs.

The simulators in :mod:`whatworks.simulate.pir` draw skewed (gamma) task
times with known means, so the true hours released a year is known exactly.
Coverage is computed over 1,000 fixed seeds at once, through the same
interval code that :func:`whatworks.designs.benefits.fit` uses; a second
test ties ``fit`` itself to that code on a few seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from whatworks.designs import benefits
from whatworks.designs.benefits.timing import mean_change, total
from whatworks.simulate.pir import ADHOC_REQUESTS, DISCLOSURE, REDACTION, write_demo
from whatworks.templates import pir

SEEDS = list(range(1000))


def _hours(scenario, seeds):
    before, after = scenario.minutes(seeds)
    return mean_change(before, after).scaled(scenario.occurrences_per_year * (1 - scenario.deadweight) / 60)


def _coverage(change, truth) -> float:
    low, high = change.interval()
    return float(np.mean((low <= truth) & (truth <= high)))


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [REDACTION, ADHOC_REQUESTS], ids=lambda s: s.task)
def test_hours_interval_covers_the_truth_95_percent(scenario):
    coverage = _coverage(_hours(scenario, SEEDS), scenario.true_hours_per_year)
    assert 0.935 <= coverage <= 0.965


@pytest.mark.slow
def test_portfolio_interval_covers_the_truth_95_percent():
    # two timed tasks plus a register figure (50 -> 12 hours a week, no sampling error)
    fixed = (50 - 12) * 52
    hours = total([_hours(REDACTION, [10_000 + s for s in SEEDS]), _hours(DISCLOSURE, [20_000 + s for s in SEEDS])],
                  fixed=fixed)
    truth = REDACTION.true_hours_per_year + DISCLOSURE.true_hours_per_year + fixed
    assert 0.935 <= _coverage(hours, truth) <= 0.965


@pytest.mark.slow
def test_fit_uses_the_same_interval():
    register = [{"id": "R1", "description": "Redaction", "owner": "CJ", "category": "time_saving",
                 "measure": "minutes per file", "unit": "minutes", "direction": "decrease", "baseline": 95,
                 "forecast": 30, "tracking_start": "2024-10-01", "tracking_end": "2025-03-31",
                 "evidence": "timed", "deadweight": REDACTION.deadweight, "task": REDACTION.task}]
    volumes = [{"task": REDACTION.task, "total_occurrences": REDACTION.occurrences_per_year, "per": "year"}]
    seeds = [3, 17, 99]
    expected = _hours(REDACTION, seeds)
    low, high = expected.interval()
    before, after = REDACTION.minutes(seeds)
    for i in range(len(seeds)):
        rows = ([{"task": REDACTION.task, "period": "before", "minutes": m, "grade": "Police Constable"}
                 for m in before[i]]
                + [{"task": REDACTION.task, "period": "after", "minutes": m, "grade": "Police Constable"}
                   for m in after[i]])
        r = benefits.fit(benefits=register, process_timings=rows, volumes=volumes, rates=pir.default_rates())
        assert r.headline.estimate == pytest.approx(expected.estimate[i])
        assert (r.headline.ci_low, r.headline.ci_high) == pytest.approx((low[i], high[i]))


def test_demo_reviews_show_every_check(tmp_path):
    files = write_demo(tmp_path, seed=20240401)
    assert all(f.exists() for f in files)
    for review in ("redaction", "performance_reports"):
        for name in ("register", "timings", "volumes", "reinvestment"):
            assert (tmp_path / review / f"{name}.csv").exists()
    common = dict(benefits="register.csv", process_timings="timings.csv", volumes="volumes.csv",
                  reinvestment="reinvestment.csv")
    redaction = benefits.fit(**pir.read_tables(**common, base_dir=tmp_path / "redaction"),
                             outputs_maintained={"measure": "case files a month", "before": 1250, "after": 1140})
    performance = benefits.fit(**pir.read_tables(**common, rates="rates.csv",
                                                      base_dir=tmp_path / "performance_reports"),
                               outputs_maintained={"measure": "reports a month", "before": 40, "after": 42})
    shown = {c.name for r in (redaction, performance) for c in r.checks if c.status != "pass"}
    assert shown == set(benefits.CHECK_NAMES)
    # the performance pack: (50 - 12) hours a week x 52 = 1,976 hours a year, measured over a full year
    p1 = next(v for v in performance.valued if v.benefit.id == "P1")
    assert p1.amount("hours") == pytest.approx(1976) and p1.grade == "known"
    p2 = next(v for v in performance.valued if v.benefit.id == "P2")
    assert p2.benefit.months_tracked == pytest.approx(4.0, abs=0.05)
    timings = pd.read_csv(tmp_path / "redaction" / "timings.csv")
    assert timings["grade"].nunique() >= 4  # officers and staff
    assert (write_demo(tmp_path / "again", seed=20240401)[1].read_text()
            == (tmp_path / "redaction" / "timings.csv").read_text())  # seeded
