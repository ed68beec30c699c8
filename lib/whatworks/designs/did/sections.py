"""Report sections of a difference-in-differences result beyond the uniform interface.

Examples
--------
>>> from whatworks.simulate.did import hotspot
>>> from whatworks.designs.did.fit import fit
>>> series, truth = hotspot(7, n_comparison=9)
>>> res = fit(series, treated_units=["Hotspot"], intervention_date=truth["intervention_date"])
>>> len(event_study_table(res).rows) == len(res.event_study)
True
"""

from __future__ import annotations

from ... import plots, text
from ...display import Table
from .plots import plot_event_study as _plot_bins
from .result import DiDResult

__all__ = ["event_study_table", "plot_event_study"]


def event_study_table(result: DiDResult) -> Table:
    """Event-study bins as a table."""
    rows = []
    for b in result.event_study:
        rows.append((f"{b['from']} to {b['to']}", "before" if b["kind"] == "lead" else "after",
                     text.fmt_number(b["estimate"], 3),
                     text.fmt_interval(b["ci_low"], b["ci_high"], digits=3).removeprefix("95% CI ")))
    return Table(("Periods from the start", "Side", "Estimate", f"{text.LEVEL_WORDS} interval"),
                 tuple(rows), caption="Event study", numeric=(False, False, True, True))


def plot_event_study(result: DiDResult) -> plots.Chart:
    """Leads and lags with their intervals, against periods from the start."""
    return _plot_bins(result.event_study, family=result.family, pretrend_p=result.pretrend_p,
                      unit_label=result.unit_label, n_treated=result.n_treated)
