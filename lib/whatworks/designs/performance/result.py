"""``PerformanceResult``: a quarterly performance pack, every measure fitted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...display import Section
from ...plots import Chart, ChartSet
from ...results import Result, clean
from .model import MeasureFit, quarter_label
from .plots import plot_measure
from .tables import SummaryMatrix, summary_matrix

__all__ = ["PerformanceResult"]


@dataclass(frozen=True, kw_only=True)
class PerformanceResult(Result):
    """The pack: the quarter it reports, the rule profile and each measure's fit, in the measure table's order."""

    quarter: pd.Timestamp
    rules: str
    fits: tuple[MeasureFit, ...]

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter)

    def table(self) -> SummaryMatrix:  # type: ignore[override]
        """The summary matrix."""
        return summary_matrix(self.fits, self.quarter_label)

    def plot(self) -> Chart | ChartSet | Section:
        return ChartSet(tuple(plot_measure(f, rules=self.rules) for f in self.fits))

    def extra(self) -> dict[str, Any]:
        out: dict[str, Any] = clean({
            "quarter": {"label": self.quarter_label, "start": self.quarter},
            "spc_rules": self.rules,
            "measures": [f.to_dict() for f in self.fits],
        })
        return out
