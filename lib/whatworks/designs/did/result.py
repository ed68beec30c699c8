"""The difference-in-differences result: a frozen :class:`DiDResult`.

It keeps the uniform interface of :class:`whatworks.results.Result`; the
event-study table and chart are in :mod:`.sections`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ... import plots
from ...results import Result
from .plots import plot_trends

__all__ = ["DiDResult"]


@dataclass(frozen=True, kw_only=True)
class DiDResult(Result):
    """Difference-in-differences result; see :func:`whatworks.designs.did.fit`."""

    estimator: str
    regime: str
    n_treated: int
    n_comparison: int
    n_buffer: int = 0
    seed: int
    n_boot: int
    outcome_label: str = "outcome"
    family: str = "poisson"
    improvement: str = "decrease"
    starts: tuple[str, ...] = ()
    event_study: tuple[dict[str, Any], ...] = ()
    pretrend_p: float | None = None
    pretrend_cohorts: tuple[str, ...] = ()
    wdq: float | None = None
    displacement: str = ""
    wdq_reading: str = ""
    series: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    def extra(self) -> dict[str, Any]:
        """``{"did": {...}}`` for ``results.json``."""
        return {"did": {
            "estimator": self.estimator,
            "inference": self.regime,
            "n_treated": self.n_treated,
            "n_comparison": self.n_comparison,
            "n_buffer": self.n_buffer,
            "seed": self.seed,
            "n_boot": self.n_boot,
            "starts": list(self.starts),
            "event_study": [dict(b) for b in self.event_study],
            "pretrend_p": self.pretrend_p,
            "pretrend_cohorts": list(self.pretrend_cohorts),
            "wdq": self.wdq,
            "displacement": self.displacement,
            "wdq_reading": self.wdq_reading,
        }}

    def plot(self) -> plots.Chart:
        """Treated, comparison (and buffer) means, each indexed to 100 before the start."""
        head = self.headline
        if head is None:
            raise ValueError("the result has no headline estimate for the chart to state")
        return plot_trends(self.series, starts=self.starts, outcome_label=self.outcome_label,
                           headline=head)
