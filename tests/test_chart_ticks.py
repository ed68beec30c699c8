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


def test_a_narrow_weekly_chart_is_drawn_with_labels_apart_and_says_so() -> None:
    fig, ax = plots.figure(width=3.5)
    weeks = pd.date_range("2022-01-03", periods=156, freq="W-MON")
    ax.plot(weeks, np.arange(156))
    c = plots.chart(fig, alt="Crimes rose by 155 over three years.")
    assert c.tick_overlaps == ()
    assert 'data-tick-labels="apart"' in c._repr_html_()


def test_crowded_category_labels_are_turned_not_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _drawn(monkeypatch)
    fig, ax = plots.figure(width=3.0)
    names = [f"Neighbourhood {i:02d}" for i in range(12)]
    ax.bar(range(12), np.arange(12))
    ax.set_xticks(range(12), names)
    plots.chart(fig, alt="Neighbourhood 11 had the most, 11.")
    monkeypatch.undo()
    labels = [t.get_text() for t in kept[0].axes[0].get_xticklabels()]
    assert labels == names and not plots.overlapping_tick_labels(kept[0])
    plots.plt.close(kept[0])


def test_labels_of_ticks_outside_the_view_are_not_counted() -> None:
    fig, ax = plots.figure()
    ax.plot([-55, 75], [0.5, 1.2])
    ax.set_xlim(-58, 78)
    # matplotlib keeps labels for ticks just beyond the limits (-60, 80); they are never drawn
    assert not plots.overlapping_tick_labels(fig)
    plots.plt.close(fig)


def test_an_overlap_is_written_on_the_figure() -> None:
    c = plots.Chart(png=b"", alt="x 1", tick_overlaps=("'2022-01' and '2022-05'",))
    assert "data-tick-labels=\"overlap: &#x27;2022-01&#x27; and &#x27;2022-05&#x27;\"" in c._repr_html_()
