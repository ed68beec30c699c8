"""Each measure's chart: the monthly XmR chart with its annotations, its
months still being recorded shaded, and for a rate the p′ chart."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from ... import plots, text
from ..spc.plots import _draw, _legend_handles
from ..spc.plots import plot_laney as _plot_laney
from ..spc.rules import PROFILES
from ..spc.words import VARIATION_WORDS
from .model import MeasureFit

__all__ = ["plot_measure", "plot_laney"]


def _annotate(ax: Any, fit: MeasureFit) -> None:
    for k, a in enumerate(fit.annotations, start=1):
        ax.axvline(a.date, color=plots.COLOURS["intervention"], linewidth=0.8, linestyle=":")
        ax.annotate(str(k), (a.date, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -10),
                    textcoords="offset points", fontsize=8)
    if fit.immature:
        half = pd.Timedelta(days=15)
        ax.axvspan(fit.immature[0] - half, fit.immature[-1] + half, color=plots.COLOURS["excluded"], alpha=0.6,
                   linewidth=0, zorder=0)


def plot_measure(fit: MeasureFit, *, rules: str) -> plots.Chart:
    """The measure's monthly chart, with alt text stating its variation."""
    d = fit.definition
    fig, ax = plots.figure(width=8.0, height=3.0)
    _draw(ax, fit.chart)
    _annotate(ax, fit)
    handles = _legend_handles()
    if fit.chart.target is not None:
        handles.append(Line2D([], [], color=plots.COLOURS["counterfactual"], linestyle=":", label="Target"))
    if fit.annotations:
        handles.append(Line2D([], [], color=plots.COLOURS["intervention"], linestyle=":", label="Note (numbered)"))
    if fit.immature:
        handles.append(Line2D([], [], color=plots.COLOURS["excluded"], linewidth=6, label="Still being recorded"))
    if fit.measure.is_rate:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(d.unit or ("rate" if fit.measure.is_rate else "count"))
    ax.set_title(d.name)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ph = fit.chart.phases[-1].xmr
    scale = text.fmt_pct if fit.measure.is_rate else (lambda v: text.fmt_number(v, 0))
    alt = (f"Monthly chart of {d.name} from {fit.chart.periods[0]:%B %Y} to {fit.chart.periods[-1]:%B %Y}: mean "
           f"{scale(ph.mean)}, limits {scale(ph.lower_limit)} to {scale(ph.upper_limit)}; "
           f"{VARIATION_WORDS[fit.chart.variation()]}.")
    return plots.chart(fig, alt=alt, caption=f"{d.name}, monthly, {PROFILES[rules].title} rules")


def plot_laney(fit: MeasureFit) -> plots.Chart | None:
    """A rate's p′ chart: monthly rates against limits that move with each month's denominator."""
    lan = fit.laney
    if lan is None:
        return None
    months = list(fit.measure.months)
    alt = (f"p′ chart of {fit.definition.name}: centre {text.fmt_pct(lan.centre)}, between-month variation "
           f"{text.fmt_number(lan.sigma_z, 2)} times the binomial; {len(lan.outside)} of {len(months)} months beyond "
           "their limits.")
    return _plot_laney(months, lan, title=f"{fit.definition.name}: p′ chart", alt=alt,
                       caption=f"{fit.definition.name}, p′ (Laney) chart", improvement=fit.definition.improvement)
