"""Seeded panels for difference-in-differences, with documented true effects.

Two designs, each returning ``(SeriesData, truth)``:

:func:`servator`
    Weekly crime counts for 20 sites over three years. Sites 01–04 start
    deployments in week 78 with an effect that deepens over the first 26
    weeks to a rate ratio of 0.75; site 05 starts in week 104 with a
    constant rate ratio of 0.80 (a staggered cohort with a different effect
    size and shape). Sites 06–08 are buffers next to the deployment sites, with crime
    1.05 times higher from week 78 (a small displacement). Sites 09–20 are
    comparison sites. Counts are negative binomial (shape 10) around
    ``site effect x season x common weekly shock x effect``.
:func:`hotspot`
    Monthly counts for one hotspot street with a problem-solving plan from
    month 18 (constant rate ratio 0.70) and comparison streets drawn from
    the same distribution, so the hotspot's error is exchangeable with the
    comparison streets' (what placebo-in-space inference needs).

``truth`` holds the estimands the estimators target: ``did`` is the ratio
of expected counts with and without the intervention, summed over treated
site-weeks (it varies a little by seed because the site effects and shocks
are drawn per seed); ``cohorts`` maps each start date to its ratio;
``buffer_did`` is the buffer sites' ratio.

Examples
--------
>>> series, truth = servator(1)
>>> sorted(series.frame["unit"].unique())[:2], truth["treated_units"][:2]
(['Site 01', 'Site 02'], ['Site 01', 'Site 02'])
>>> round(truth["cohorts"]["2024-01-01"], 2)
0.8
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data import SeriesData

__all__ = ["servator", "hotspot", "DEMO_WRITERS", "SERVATOR_SEED", "HOTSPOT_SEED"]

_SHAPE = 10.0  # negative binomial shape: variance = mu + mu^2 / shape


def _draw(rng: np.random.Generator, mu: np.ndarray) -> np.ndarray:
    return rng.poisson(rng.gamma(_SHAPE, mu / _SHAPE)).astype(float)


def _frame(units: list[str], periods: pd.DatetimeIndex, y: np.ndarray, **activity: np.ndarray
           ) -> pd.DataFrame:
    n, t = y.shape
    data = {
        "period": np.tile(periods.values, n),
        "unit": np.repeat(np.array(units, dtype=object), t),
        "outcome": y.ravel(),
        "excluded": np.zeros(n * t, bool),
    }
    for name, values in activity.items():
        data[name] = values.ravel()
    frame = pd.DataFrame(data)
    frame["unit"] = frame["unit"].astype("str")
    return frame


def servator(seed: int, *, n_sites: int = 20, n_weeks: int = 156, start_week: int = 78,
             late_week: int = 104, full_effect: float = 0.75, late_effect: float = 0.80,
             displacement: float = 1.05, base_rate: float = 8.0, ramp_weeks: int = 26
             ) -> tuple[SeriesData, dict[str, Any]]:
    """Weekly Servator panel: 5 deployment sites (one staggered), 3 buffers.

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives the same data.
    full_effect
        Rate ratio reached by the first cohort ``ramp_weeks`` after its start
        (the effect deepens linearly on the log scale until then).
    late_effect
        Constant rate ratio of the staggered site (site 05).
    displacement
        Rate ratio at the buffer sites from the first start.

    The truth holds ``did`` (the ratio of the means with and without the
    deployments, summed over treated site-weeks), per-cohort ratios,
    ``buffer_did`` and ``crimes_prevented`` (the means without minus with the
    deployments, summed over the treated site-weeks: the expected difference).
    """
    rng = np.random.default_rng(seed)
    units = [f"Site {i:02d}" for i in range(1, n_sites + 1)]
    periods = pd.date_range("2022-01-03", periods=n_weeks, freq="7D")
    week = np.arange(n_weeks)
    site = rng.normal(np.log(base_rate), 0.3, n_sites)
    season = 0.15 * np.sin(2 * np.pi * week / 52.18) + 0.05 * np.cos(4 * np.pi * week / 52.18)
    shock = rng.normal(0, 0.08, n_weeks)
    mu0 = np.exp(site[:, None] + season[None, :] + shock[None, :])
    effect = np.ones((n_sites, n_weeks))
    ramp = np.clip((week - start_week + 1) / ramp_weeks, 0, 1)
    effect[:4] = np.exp(np.log(full_effect) * ramp)[None, :]
    effect[4] = np.where(week >= late_week, late_effect, 1.0)
    effect[5:8] = np.where(week >= start_week, displacement, 1.0)[None, :]
    mu1 = mu0 * effect
    y = _draw(rng, mu1)
    started = np.zeros((n_sites, n_weeks), bool)
    started[:4, start_week:] = True
    started[4, late_week:] = True
    deployments = np.where(started, rng.poisson(3.0, (n_sites, n_weeks)), 0).astype(float)
    frame = _frame(units, periods, y, deployments=deployments)
    treated = started

    def ratio(cells: np.ndarray) -> float:
        return float(mu1[cells].sum() / mu0[cells].sum())

    first, late = periods[start_week].date().isoformat(), periods[late_week].date().isoformat()
    buffer_cells = np.zeros_like(treated)
    buffer_cells[5:8, start_week:] = True
    truth = {
        "did": ratio(treated),
        "cohorts": {first: ratio(treated & (np.arange(n_sites) < 4)[:, None]),
                    late: ratio(treated & (np.arange(n_sites) == 4)[:, None])},
        "buffer_did": ratio(buffer_cells),
        "crimes_prevented": float((mu0 - mu1)[treated].sum()),
        "treated_units": units[:5],
        "buffer_units": units[5:8],
        "comparison_units": units[8:],
        "intervention_date": {**{u: first for u in units[:4]}, units[4]: late},
    }
    return SeriesData(frame=frame, freq="week", source="servator demo", outcome_label="crimes"), truth


def hotspot(seed: int, *, n_comparison: int = 39, n_months: int = 36, start_month: int = 18,
            effect: float = 0.70, base_rate: float = 12.0) -> tuple[SeriesData, dict[str, Any]]:
    """Monthly hotspot panel: one treated street and ``n_comparison`` comparison streets.

    With ``M`` comparison streets the placebo-in-space interval covers with
    probability ``(M + 1 - 2k) / (M + 1)``, ``k = max(1, floor(0.025 (M + 1)))``:
    exactly 95% at the default 39 streets, 75% with a handful of 7.
    """
    rng = np.random.default_rng(seed)
    units = ["Hotspot"] + [f"Street {i:02d}" for i in range(1, n_comparison + 1)]
    n = len(units)
    periods = pd.date_range("2022-01-01", periods=n_months, freq="MS")
    month = np.arange(n_months)
    site = rng.normal(np.log(base_rate), 0.15, n)
    season = 0.12 * np.sin(2 * np.pi * month / 12)
    shock = rng.normal(0, 0.08, n_months)
    mu0 = np.exp(site[:, None] + season[None, :] + shock[None, :])
    mu1 = mu0.copy()
    mu1[0, start_month:] *= effect
    y = _draw(rng, mu1)
    visits = np.zeros((n, n_months))
    visits[0, start_month:] = rng.poisson(6.0, n_months - start_month)
    frame = _frame(units, periods, y, problem_solving_visits=visits)
    truth = {
        "did": float(effect),
        "crimes_prevented": float((mu0 - mu1)[0, start_month:].sum()),
        "treated_units": ["Hotspot"],
        "comparison_units": units[1:],
        "intervention_date": periods[start_month].date().isoformat(),
    }
    return SeriesData(frame=frame, freq="month", source="hotspot demo", outcome_label="crimes"), truth


# -- demo exports ------------------------------------------------------------------

#: Seeds of the demo exports in ``data/demo/`` (see ``data/README.md``).
SERVATOR_SEED = 20240603
HOTSPOT_SEED = 20240702


def write_servator_demo(path: Path) -> None:
    """``servator_weekly.csv``: the Servator export, one row per site and week.

    Columns ``site, week, crimes, deployments, stops, arrests``. The panel is
    :func:`servator` at :data:`SERVATOR_SEED`; stops (about 0.5 a week at
    every site, plus 1.5 per deployment) and arrests (15% of stops) are
    activity only, with no effect on crimes.
    """
    series, _ = servator(SERVATOR_SEED)
    frame = series.frame
    rng = np.random.default_rng(SERVATOR_SEED + 1)
    deployments = frame["deployments"].to_numpy()
    stops = rng.poisson(0.5 + 1.5 * deployments)
    arrests = rng.binomial(stops, 0.15)
    out = pd.DataFrame({
        "site": frame["unit"],
        "week": frame["period"].dt.strftime("%Y-%m-%d"),
        "crimes": frame["outcome"].astype(int),
        "deployments": deployments.astype(int),
        "stops": stops.astype(int),
        "arrests": arrests.astype(int),
    })
    out.to_csv(path, index=False, lineterminator="\n")


def write_hotspot_demo(path: Path) -> None:
    """``hotspot_monthly.csv``: one hotspot street and its comparison streets, one row per street and month.

    Columns ``street, month, crimes, problem_solving_visits``: :func:`hotspot`
    at :data:`HOTSPOT_SEED` with 39 comparison streets.
    """
    series, _ = hotspot(HOTSPOT_SEED)
    frame = series.frame
    out = pd.DataFrame({
        "street": frame["unit"],
        "month": frame["period"].dt.strftime("%Y-%m-%d"),
        "crimes": frame["outcome"].astype(int),
        "problem_solving_visits": frame["problem_solving_visits"].astype(int),
    })
    out.to_csv(path, index=False, lineterminator="\n")


#: Demo exports written by ``data/make_demo_data.py`` (path under ``data/demo/`` -> writer).
DEMO_WRITERS: dict[str, Callable[[Path], None]] = {
    "servator_weekly.csv": write_servator_demo,
    "hotspot_monthly.csv": write_hotspot_demo,
}
