"""Charts for :mod:`whatworks.designs.spc`: one XmR chart per unit.

Points are grey for common cause, blue for special cause that is improving
and orange for special cause that is concerning (NHS "Making Data Count"
colours, :data:`whatworks.plots.COLOURS`). Each phase has its own mean (solid)
and process limits (dashed; dotted while they are trial limits), so the lines
break at the change, which is marked by a vertical line.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from ... import plots
from .model import UnitChart
from .rules import PROFILES
from .words import unit_sentence

__all__ = ["plot_unit"]


def _legend_handles() -> list[Line2D]:
    def dot(role: str, label: str) -> Line2D:
        return Line2D([], [], marker="o", linestyle="", color=plots.COLOURS[role], label=label)

    return [
        dot("common", "Common cause"),
        dot("improving", "Special cause: improving"),
        dot("concerning", "Special cause: concerning"),
        Line2D([], [], color=plots.COLOURS["limit"], label="Mean"),
        Line2D([], [], color=plots.COLOURS["limit"], linestyle="--", label="Process limits"),
    ]


def plot_unit(chart: UnitChart, *, rules: str, freq: str, outcome_label: str) -> plots.Chart:
    """Draw one unit's chart and return it with alt text stating its finding.

    Parameters
    ----------
    chart
        The unit's phases, signals and excluded periods.
    rules
        The rule profile's name, for the caption.
    freq
        ``day``, ``week``, ``month`` or ``quarter``, for the alt text.
    outcome_label
        What the outcome is, for the axis, the title and the caption.
    """
    fig, ax = plots.figure(width=8.0, height=3.2)
    periods = [p for ph in chart.phases for p in ph.periods]
    values = [v for ph in chart.phases for v in ph.xmr.values]
    ax.plot(periods, values, color=plots.COLOURS["common"], linewidth=1.0, zorder=2)
    direction = {s.date: s.direction for s in chart.signals}
    colours = [plots.COLOURS[direction.get(p, "common")] for p in periods]
    ax.scatter(periods, values, c=colours, s=18, zorder=3)
    any_trial = False
    for ph in chart.phases:
        x = [ph.start, ph.end]
        style = ":" if ph.xmr.trial_limits else "--"
        any_trial |= ph.xmr.trial_limits
        ax.plot(x, [ph.xmr.mean] * 2, color=plots.COLOURS["limit"], linewidth=1.2)
        if np.isfinite(ph.xmr.upper_limit):
            for y in (ph.xmr.lower_limit, ph.xmr.upper_limit):
                ax.plot(x, [y, y], color=plots.COLOURS["limit"], linewidth=1.0, linestyle=style)
    handles = _legend_handles()
    if chart.excluded:
        ex_x, ex_y = zip(*chart.excluded)
        ax.scatter(ex_x, ex_y, facecolors="none", edgecolors=plots.COLOURS["comparison"], s=22, zorder=1)
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              color=plots.COLOURS["comparison"], label="Excluded (left out)"))
    if chart.intervention_date is not None:
        # halfway between the last point before the change and the first after it
        change = chart.phases[-2].end + (chart.phases[-1].start - chart.phases[-2].end) / 2
        ax.axvline(change, color=plots.COLOURS["intervention"], linewidth=1.0, linestyle="-.")
        handles.append(Line2D([], [], color=plots.COLOURS["intervention"], linestyle="-.", label="Change"))
    if any_trial:
        handles.append(Line2D([], [], color=plots.COLOURS["limit"], linestyle=":", label="Trial limits"))
    ax.set_ylabel(outcome_label)
    ax.set_title(chart.unit if chart.unit is not None else outcome_label.capitalize())
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    title = PROFILES[rules].title
    who = f"{chart.unit}: " if chart.unit is not None else ""
    return plots.chart(
        fig,
        alt=unit_sentence(chart, freq, outcome_label),
        caption=f"{who}XmR chart of {outcome_label}, {title} rules",
    )
