"""Charts for an interrupted time series, from plain data.

:func:`plot_series` draws the series with the fitted line and the
counterfactual; :func:`plot_group_forest` the level change by group. The alt
text and caption come from :mod:`.words`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ... import plots, text
from ...dates import FREQS
from ...results import Estimate

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_series", "plot_group_forest"]

_RATIO_TICKS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)


def plot_series(
    frame: pd.DataFrame,
    *,
    freq: str,
    outcome_label: str,
    outcome_type: str,
    intervention_date: _dt.date,
    intervention_end: _dt.date | None,
    alt: str,
    caption: str,
) -> plots.Chart:
    """Observed points, fitted line, dashed counterfactual with its 95% band.

    ``frame`` is the series frame of an analysis (``period``, ``observed``,
    ``fitted``, ``counterfactual``, ``cf_low``, ``cf_high``, ``excluded``,
    ``phase``).
    """
    f = frame
    fig, ax = plots.figure()
    for start in f.loc[f["excluded"], "period"]:
        ax.axvspan(start, start + FREQS[freq].step, color=plots.COLOURS["excluded"], lw=0,
                   label="_excluded")
    kept = f[~f["excluded"]]
    ax.plot(kept["period"], kept["observed"], "o", ms=3, color=plots.COLOURS["observed"],
            label="Observed")
    if f["excluded"].any():
        out = f[f["excluded"]]
        ax.plot(out["period"], out["observed"], "o", ms=3, mfc="none", color=plots.COLOURS["common"],
                label="Excluded from the fit")
    for phase, part in f.groupby("phase", sort=False):
        ax.plot(part["period"], part["fitted"], color=plots.COLOURS["fitted"], lw=1.6,
                label="Fitted" if phase == "before" else "_fitted")
    post = f[f["phase"] != "before"]
    if len(post) and post["counterfactual"].notna().any():
        ax.fill_between(post["period"], post["cf_low"], post["cf_high"], color=plots.COLOURS["band"],
                        alpha=0.18, lw=0, label=f"{text.LEVEL_WORDS} band")
        ax.plot(post["period"], post["counterfactual"], "--", color=plots.COLOURS["counterfactual"],
                lw=1.4, label="Expected without the intervention")
    marks = [(pd.Timestamp(intervention_date), "Intervention began")]
    if intervention_end is not None:
        marks.append((pd.Timestamp(intervention_end), "Intervention ended"))
    for x, words in marks:
        ax.axvline(x, color=plots.COLOURS["intervention"], lw=1, ls=":")
        ax.annotate(words, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -10),
                    textcoords="offset points", fontsize=8)
    ylabel = f"Share ({outcome_label})" if outcome_type == "proportion" else outcome_label
    ax.set_ylabel(f"{ylabel[:1].upper()}{ylabel[1:]} per {FREQS[freq].word}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=8, ncol=5)
    return plots.chart(fig, alt=alt, caption=caption)


def plot_group_forest(
    groups: Sequence[Estimate],
    head: Estimate,
    *,
    improvement: str,
    alt: str,
    caption: str,
) -> plots.Chart:
    """Each group's level change with its interval, then the total (``head``) as a diamond."""
    rows = [*groups, head]
    fig, ax = plots.figure(height=0.45 * len(rows) + 1.2)
    ys = np.arange(len(rows))[::-1]
    for y, e in zip(ys, rows):
        better = (e.estimate < e.null_value) == (improvement == "decrease")
        colour = plots.COLOURS["improving"] if better else plots.COLOURS["concerning"]
        if e.headline:
            colour = plots.COLOURS["observed"]
        ax.plot([e.ci_low, e.ci_high], [y, y], color=colour, lw=2)
        ax.plot([e.estimate], [y], "D" if e.headline else "o", color=colour, ms=6)
    ax.axvline(head.null_value, color=plots.COLOURS["limit"], lw=1)
    ax.set_yticks(ys, [e.group for e in rows[:-1]] + ["All (total)"])
    if head.scale == "ratio":
        _ratio_axis(ax)
    ax.set_xlabel(f"Change in level ({head.measure}); {text.LEVEL_WORDS} intervals")
    return plots.chart(fig, alt=alt, caption=caption)


def _ratio_axis(ax: Axes) -> None:
    """A log axis labelled with plain ratios (0.8, 1, 1.25) rather than powers of ten."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    low, high = ax.get_xlim()
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ticks = [t for t in _RATIO_TICKS if low <= t <= high] or [1.0]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
