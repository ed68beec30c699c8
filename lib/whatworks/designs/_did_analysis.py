"""Running an estimator on a panel and attaching the right inference.

:func:`analyse` applies an estimator to a design (rows of the panel and
their starts) and returns an :class:`~._did_inference.Inference` for every
statistic it produces, in the regime set by the number of treated units.

Examples
--------
>>> from whatworks.simulate.did import hotspot
>>> from whatworks.designs._did_input import build_panel
>>> series, truth = hotspot(4, n_comparison=9)
>>> panel = build_panel(series, ["Hotspot"], truth["intervention_date"], None, None, "count")
>>> out = headline(panel, seed=1, n_boot=99)
>>> out["did"].regime, out["did"].n_placebo
('placebo', 9)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._did_estimate import ESTIMATORS, PLACEBO_BATCH, Stat
from ._did_inference import Inference, cluster_interval, placebo_interval, regime_for, wild_interval
from ._did_input import Panel

__all__ = ["Runner", "Analysis", "analyse", "headline", "estimator_for", "design_rows"]

#: Maps (y, offset, mask, start, influence) for the design's rows to named statistics.
Runner = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool], dict[str, Stat]]


def estimator_for(start: np.ndarray, n_periods: int) -> str:
    """``imputation`` for staggered starts, ``single`` for one treated unit, else ``twfe``.

    >>> estimator_for(np.array([5, 8, 10]), 10), estimator_for(np.array([5, 10, 10]), 10)
    ('imputation', 'single')
    """
    treated = [int(s) for s in start if s < n_periods]
    if len(set(treated)) > 1:
        return "imputation"
    return "single" if len(treated) == 1 else "twfe"


def design_rows(panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the treated units then the comparison units, and their starts."""
    treated = panel.index("treated")
    rows = np.concatenate([treated, panel.index("comparison")])
    start = np.full(rows.size, panel.n_periods, int)
    start[: treated.size] = panel.start[treated]
    return rows, start


#: Maps (y, offset, mask, starts) with one start vector per row of ``starts`` to
#: each statistic's estimates.
Batch = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], dict[str, np.ndarray]]


def _placebo_estimates(runner: Runner, y: np.ndarray, offset: np.ndarray, mask: np.ndarray,
                       start: np.ndarray, batch: Batch | None) -> dict[str, np.ndarray]:
    """Each comparison unit in turn given the treated unit's start, the others as controls."""
    n_periods = y.shape[1]
    treated = np.flatnonzero(start < n_periods)
    controls = np.flatnonzero(start >= n_periods)
    fakes = np.full((controls.size, controls.size), n_periods, int)
    fakes[np.arange(controls.size), np.arange(controls.size)] = start[treated[0]]
    if batch is not None:
        return batch(y[controls], offset[controls], mask[controls], fakes)
    out: dict[str, list[float]] = {}
    for fake in fakes:
        stats = runner(y[controls], offset[controls], mask[controls], fake, False)
        for name, stat in stats.items():
            out.setdefault(name, []).append(stat.estimate)
    return {k: np.array(v) for k, v in out.items()}


@dataclass(frozen=True)
class Analysis:
    """Statistics, their inference, and (one treated unit) the placebo estimates."""

    regime: str
    stats: dict[str, Stat]
    inference: dict[str, Inference]
    placebos: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Inference:
        return self.inference[name]


def analyse(panel: Panel, rows: np.ndarray, start: np.ndarray, runner: Runner, *, seed: int,
            n_boot: int, batch: Batch | None = None) -> Analysis:
    """Statistics from ``runner`` on ``rows`` with intervals for the number of treated rows."""
    y, offset, mask = panel.y[rows], panel.offset[rows], panel.mask[rows]
    stats = runner(y, offset, mask, start, True)
    regime = regime_for(int(np.sum(start < y.shape[1])))
    if regime == "placebo":
        placebos = _placebo_estimates(runner, y, offset, mask, start, batch)
        inf = {k: placebo_interval(s.estimate, placebos.get(k, np.array([]))) for k, s in stats.items()}
        return Analysis(regime, stats, inf, placebos)
    if regime == "cluster":
        return Analysis(regime, stats, {k: cluster_interval(s.estimate, s.influence) for k, s in stats.items()})
    inf = {
        k: wild_interval(s.estimate, s.influence, s.leverage, seed=seed, n_boot=n_boot)
        for k, s in stats.items()
    }
    return Analysis(regime, stats, inf)


def headline(panel: Panel, *, seed: int, n_boot: int, method: str | None = None) -> Analysis:
    """The headline effect (and cohort effects when staggered) with inference."""
    rows, start = design_rows(panel)
    method = method or estimator_for(start, panel.n_periods)
    est = ESTIMATORS[method]

    def runner(y, offset, mask, st, influence):
        return est(y, offset, mask, st, panel.family, influence)

    fast = PLACEBO_BATCH.get(method)

    def batch(y, offset, mask, starts):
        return fast(y, offset, mask, starts, panel.family)

    return analyse(panel, rows, start, runner, seed=seed, n_boot=n_boot,
                   batch=batch if fast is not None else None)
