"""The result of an interrupted time series: :class:`ITSResult`."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ... import plots
from ...results import Result
from .plots import plot_series
from .words import series_alt, series_caption

__all__ = ["ITSResult"]


@dataclass(frozen=True, kw_only=True)
class ITSResult(Result):
    """The result of :func:`whatworks.designs.its.fit`.

    Attributes
    ----------
    series_frame
        One row per period: ``period``, ``observed``, ``fitted``,
        ``counterfactual``, ``cf_low``, ``cf_high`` (95% band of the
        counterfactual), ``excluded``, ``phase`` (``before``, ``during``,
        ``ended``). Proportions are shown as shares, counts as counts.
    seasonality
        The seasonality used (``none``, ``fourier`` or ``dummies``).
    seasonality_reason
        Why, in words.
    """

    series_frame: pd.DataFrame = field(compare=False, repr=False)
    freq: str
    outcome_type: str
    outcome_label: str
    seasonality: str
    seasonality_reason: str
    overdispersion: str
    dispersion: float | None = None
    autocorrelation: str = "ar1"
    intervention_date: _dt.date
    intervention_end: _dt.date | None = None
    improvement: str = "decrease"
    breakdown_label: str | None = None
    model: str | None = None

    def plot(self) -> plots.Chart:
        """Observed points, fitted line, dashed counterfactual with its 95% band."""
        return plot_series(
            self.series_frame, freq=self.freq, outcome_label=self.outcome_label,
            outcome_type=self.outcome_type, intervention_date=self.intervention_date,
            intervention_end=self.intervention_end,
            alt=series_alt(self.headline, self.outcome_label, self.outcome_type),
            caption=series_caption(self.outcome_label, self.freq))

    def extra(self) -> dict[str, Any]:
        """The ``its`` block of ``results.json``."""
        return {
            "its": {
                "seasonality": self.seasonality,
                "seasonality_reason": self.seasonality_reason,
                "overdispersion": self.overdispersion,
                "dispersion": self.dispersion,
                "autocorrelation": self.autocorrelation,
                "freq": self.freq,
                "outcome_type": self.outcome_type,
                "intervention_date": self.intervention_date,
                "intervention_end": self.intervention_end,
                "model": self.model,
            }
        }
