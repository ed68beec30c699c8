"""Seeded series for SPC (XmR) charts, with documented true process means.

Each unit's values are independent draws around a true mean that steps from
``mean_before`` to ``mean_after`` at the intervention date (the documented
true effect is the step ``mean_after - mean_before``). Values are Normal
with standard deviation ``sd`` or, with ``sd=None``, Poisson counts.

Examples
--------
>>> sim = simulate_spc(1, n_before=30, n_after=20, units=("A", "B"))
>>> sim.series.frame.groupby("unit").size().to_dict()
{'A': 50, 'B': 50}
>>> sim.true_step
-12.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..data import SeriesData

__all__ = ["SimulatedSPC", "simulate_spc", "in_control_values"]


@dataclass(frozen=True)
class SimulatedSPC:
    """A simulated data set and the truth behind it."""

    series: SeriesData
    intervention_date: pd.Timestamp
    mean_before: float
    mean_after: float
    sd: float | None

    @property
    def true_step(self) -> float:
        """The documented true change in the process mean."""
        return self.mean_after - self.mean_before


def in_control_values(seed: int, n: int, *, sd: float = 1.0) -> NDArray[np.float64]:
    """``n`` independent Normal(0, ``sd``) values: a stable process."""
    return np.random.default_rng(seed).normal(0.0, sd, size=n)


def simulate_spc(
    seed: int,
    *,
    n_before: int = 52,
    n_after: int = 26,
    mean_before: float = 60.0,
    mean_after: float = 48.0,
    sd: float | None = None,
    units: Sequence[str] | None = None,
    start: str = "2023-01-02",
) -> SimulatedSPC:
    """Weekly values with a step in the true mean at the intervention.

    Parameters
    ----------
    seed
        Seed for :func:`numpy.random.default_rng`; the same seed gives the
        same data.
    n_before, n_after
        Weeks before and from the intervention.
    mean_before, mean_after
        True process means (the same for every unit).
    sd
        Normal noise standard deviation; ``None`` for Poisson counts.
    units
        Unit names; ``None`` for a single series without a unit column.
    start
        The first week.
    """
    rng = np.random.default_rng(seed)
    periods = pd.date_range(start, periods=n_before + n_after, freq="7D")
    truth: NDArray[np.float64] = np.r_[np.full(n_before, mean_before), np.full(n_after, mean_after)]
    frames = []
    names: Sequence[str | None] = units or [None]
    for unit in names:
        values = rng.poisson(truth).astype(float) if sd is None else rng.normal(truth, sd)
        frame = pd.DataFrame({"period": periods, "outcome": values})
        if unit is not None:
            frame.insert(0, "unit", unit)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    return SimulatedSPC(
        series=SeriesData(frame, "week", source="simulated", outcome_label="incidents"),
        intervention_date=periods[n_before],
        mean_before=mean_before,
        mean_after=mean_after,
        sd=sd,
    )
