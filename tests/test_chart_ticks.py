"""Axis labels never overlap: tick label boxes measured by matplotlib's renderer."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from whatworks import plots
from whatworks.designs.did.plots import plot_trends
from whatworks.results import Estimate


def _drawn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Figures as :func:`plots.chart` leaves them, just before it closes them."""
    kept: list[Any] = []
    monkeypatch.setattr(plots.plt, "close", lambda fig: kept.append(fig))
    return kept


def test_crowded_date_labels_are_found() -> None:
    fig, ax = plots.figure(width=3.0)
    days = pd.date_range("2022-01-03", periods=30, freq="W-MON")
    ax.plot(days, np.arange(30))
    ax.set_xticks(list(days[::2]))
    ax.set_xticklabels([d.strftime("%Y-%m-%d") for d in days[::2]])
    assert plots.overlapping_tick_labels(fig)
    plots.plt.close(fig)


def test_the_weekly_index_chart_has_no_overlapping_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _drawn(monkeypatch)
    weeks = pd.date_range("2022-01-03", periods=156, freq="W-MON")
    rng = np.random.default_rng(1)
    series = pd.DataFrame({"period": weeks, "treated": 100 + rng.normal(0, 10, 156),
                           "comparison": 100 + rng.normal(0, 10, 156), "buffer": 100 + rng.normal(0, 10, 156)})
    head = Estimate(name="did", label="", measure="rate ratio", estimate=0.78, ci_low=0.73, ci_high=0.87,
                    scale="ratio", headline=True)
    plot_trends(series, starts=["2023-07-03", "2024-01-01"], outcome_label="crimes", headline=head)
    assert kept and not plots.overlapping_tick_labels(kept[0])
    monkeypatch.undo()
    plots.plt.close(kept[0])
