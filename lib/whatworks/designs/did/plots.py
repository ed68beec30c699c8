"""Difference-in-differences charts: the groups' indexed means, and the event study.

Each function takes plain data (a frame, event-study bins, numbers) and
returns a :class:`whatworks.plots.Chart` whose alt text states the finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ... import plots, text
from ...dates import parse_date
from ...results import Estimate
from .words import effect_sentence

__all__ = ["plot_trends", "plot_event_study"]

#: The groups in words for a chart's legend.
_WHERE = {"treated": "Where it ran", "comparison": "Comparison places", "buffer": "Nearby (buffer) places"}


def plot_trends(series: pd.DataFrame, *, starts: Sequence[str], outcome_label: str,
                headline: Estimate) -> plots.Chart:
    """Treated, comparison (and buffer) means, each indexed to 100 before the start.

    Parameters
    ----------
    series
        Columns ``period`` and one per group present (``treated``,
        ``comparison``, ``buffer``).
    starts
        Start dates (ISO), each drawn as a dashed line.
    outcome_label, headline
        What is measured, and the headline estimate the alt text states.
    """
    fig, ax = plots.figure()
    for col in ("treated", "comparison", "buffer"):
        if col in series:
            ax.plot(series["period"], series[col], color=plots.COLOURS[col],
                    lw=1.4 if col == "treated" else 1.0, label=_WHERE[col])
    for s in sorted(set(starts)):
        ax.axvline(parse_date(s), color=plots.COLOURS["intervention"], ls="--", lw=1)
    ax.set_ylabel("Index (mean before the start = 100)")
    ax.legend(loc="best")
    alt = f"{outcome_label.capitalize()} where it ran and at the comparison places over time. " + effect_sentence(
        headline, outcome_label, causal=False)
    return plots.chart(fig, alt=alt, caption="Where it ran and the comparison places, indexed to their "
                                                "mean before the start")


def plot_event_study(bins: Sequence[Mapping[str, Any]], *, family: str, pretrend_p: float | None) -> plots.Chart:
    """Leads and lags with their intervals, against periods from the start.

    Parameters
    ----------
    bins
        Event-study bins on the reporting scale: ``kind`` (``lead`` or
        ``lag``), ``from``, ``to``, ``estimate``, ``ci_low``, ``ci_high``.
    family
        ``poisson`` (rate ratios, no effect at 1) or ``gaussian`` (differences, at 0).
    pretrend_p
        The joint test of the bins before the start, if there was one.
    """
    fig, ax = plots.figure()
    null = 1.0 if family == "poisson" else 0.0
    for b in bins:
        mid = (b["from"] + b["to"]) / 2
        colour = plots.COLOURS["comparison"] if b["kind"] == "lead" else plots.COLOURS["treated"]
        if b["ci_low"] is not None and b["ci_high"] is not None:
            ax.plot([mid, mid], [b["ci_low"], b["ci_high"]], color=colour, lw=1.2)
        ax.plot([mid], [b["estimate"]], "o", color=colour)
    ax.axhline(null, color=plots.COLOURS["limit"], lw=0.8)
    ax.axvline(-0.5, color=plots.COLOURS["intervention"], ls="--", lw=1)
    ax.set_xlabel("Periods from the start")
    ax.set_ylabel("Rate ratio" if family == "poisson" else "Difference")
    pre = ("no joint test was possible" if pretrend_p is None
           else f"joint test of the periods before the start {text.fmt_p(pretrend_p)}")
    lags = [b for b in bins if b["kind"] == "lag"]
    last = lags[-1] if lags else None
    after = "" if last is None else (
        f" In the last bin after the start ({last['from']} to {last['to']} periods) the estimate is "
        f"{text.fmt_number(last['estimate'], 3)}.")
    alt = f"Event study: before the start, {pre}.{after}"
    return plots.chart(fig, alt=alt, caption="Event study: difference between treated and comparison units "
                                             "by periods from the start, with 95% intervals")
