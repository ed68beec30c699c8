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
from .checks import Places
from .words import effect_sentence

__all__ = ["plot_trends", "plot_event_study"]

def _legend(places: Places) -> dict[str, str]:
    """The groups in words for a chart's legend."""
    where = places.treated
    return {"treated": where[:1].upper() + where[1:], "comparison": f"Comparison {places.units}",
            "buffer": f"Neighbouring {places.units}"}


def plot_trends(series: pd.DataFrame, *, starts: Sequence[str], outcome_label: str,
                headline: Estimate, unit_label: str = "area", n_treated: int = 2) -> plots.Chart:
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
    unit_label, n_treated
        What one unit is called, and how many had the intervention (for the legend and the words).
    """
    places = Places(unit_label, n_treated)
    legend = _legend(places)
    fig, ax = plots.figure()
    for col in ("treated", "comparison", "buffer"):
        if col in series:
            ax.plot(series["period"], series[col], color=plots.COLOURS[col],
                    lw=1.4 if col == "treated" else 1.0, label=legend[col])
    for s in sorted(set(starts)):
        ax.axvline(parse_date(s), color=plots.COLOURS["intervention"], ls="--", lw=1)
    ax.set_ylabel("Index (mean before the start = 100)")
    ax.legend(loc="best")
    alt = (f"{outcome_label.capitalize()} at the {places.treated} and at the {places.comparison} over "
           "time. " + effect_sentence(headline, outcome_label, causal=False, places=places))
    return plots.chart(fig, alt=alt, caption=f"{legend['treated']} and the {places.comparison}, indexed to their "
                                             "mean before the start")


def plot_event_study(bins: Sequence[Mapping[str, Any]], *, family: str, pretrend_p: float | None,
                     unit_label: str = "area", n_treated: int = 2) -> plots.Chart:
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
    unit_label, n_treated
        What one unit is called, and how many had the intervention, for the caption.
    """
    places = Places(unit_label, n_treated)
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
    return plots.chart(fig, alt=alt, caption=f"Event study: difference between the {places.treated} and the "
                                             f"{places.comparison} by periods from the start, with 95% intervals")
