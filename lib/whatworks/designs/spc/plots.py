"""Charts for :mod:`whatworks.designs.spc`: XmR charts and Making Data Count icons.

Points are grey for common cause, blue for special cause that is improving
and orange for special cause that is concerning (NHS "Making Data Count"
colours, :data:`whatworks.plots.COLOURS`). The limits come from the baseline
(shaded) and run on past the change, which is marked by a vertical line; a
phase started by ``spc_rebase`` has its own mean (solid) and limits (dashed;
dotted while they are trial limits). An optional target is a dotted line.

A proportion with a denominator also gets Laney's p′ chart
(:func:`plot_laney`, shared with the performance pack): each point against
limits that move with its denominator.

More than :data:`GRID_ABOVE` charts are drawn as one grid of small
multiples (one panel per unit, shared time axis), so a report with hundreds
of units stays small. Each chart's variation and assurance icons are inline
SVG with a text alternative (:func:`icon_svg`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from ... import plots
from ...display import Table, esc
from .model import IMPROVEMENT_SIGN, UnitChart
from .rules import PROFILES, LaneyPhase
from .words import ASSURANCE_WORDS, VARIATION_WORDS, icon_words, laney_caption, laney_sentence, unit_sentence

__all__ = ["plot_unit", "plot_unit_laney", "plot_laney", "plot_grid", "icon_svg", "ChartIcons", "SPCCharts",
           "GRID_ABOVE"]

#: With more charts than this, they are drawn as one grid of small multiples.
GRID_ABOVE = 12
_GRID_COLUMNS = 8


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


def _draw(ax: Any, chart: UnitChart, *, small: bool = False) -> bool:
    """Draw one chart on ``ax``; returns whether any limits are trial limits."""
    periods = list(chart.periods)
    values = list(chart.values)
    ax.plot(periods, values, color=plots.COLOURS["common"], linewidth=0.6 if small else 1.0, zorder=2)
    direction = {s.date: s.direction for s in chart.signals}
    if small:  # only the special-cause points, to keep a grid of many panels light
        keep = [(p, v) for p, v in zip(periods, values) if p in direction]
        if keep:
            xs, ys = zip(*keep)
            ax.scatter(xs, ys, c=[plots.COLOURS[direction[p]] for p in xs], s=3, zorder=3, linewidths=0)
    else:
        colours = [plots.COLOURS[direction.get(p, "common")] for p in periods]
        ax.scatter(periods, values, c=colours, s=18, zorder=3)
    any_trial = False
    for ph in chart.phases:
        x = [ph.start, ph.end]
        style = ":" if ph.xmr.trial_limits else "--"
        any_trial |= ph.xmr.trial_limits
        base = ph.baseline_periods
        if not small and (base[0] != ph.start or base[-1] != ph.end):
            ax.axvspan(base[0], base[-1], color=plots.COLOURS["excluded"], alpha=0.35, linewidth=0, zorder=0)
        ax.plot(x, [ph.xmr.mean] * 2, color=plots.COLOURS["limit"], linewidth=0.8 if small else 1.2)
        if np.isfinite(ph.xmr.upper_limit):
            for y in (ph.xmr.lower_limit, ph.xmr.upper_limit):
                ax.plot(x, [y, y], color=plots.COLOURS["limit"], linewidth=0.6 if small else 1.0, linestyle=style)
    if chart.target is not None:
        ax.axhline(chart.target, color=plots.COLOURS["counterfactual"], linewidth=1.0, linestyle=":")
    if chart.excluded and not small:
        ex_x, ex_y = zip(*chart.excluded)
        ax.scatter(ex_x, ex_y, facecolors="none", edgecolors=plots.COLOURS["comparison"], s=22, zorder=1)
    if chart.intervention_date is not None:
        k = periods.index(chart.intervention_date)
        # halfway between the last point before the change and the first from it
        change = periods[k - 1] + (periods[k] - periods[k - 1]) / 2
        ax.axvline(change, color=plots.COLOURS["intervention"], linewidth=0.8 if small else 1.0, linestyle="-.")
    return any_trial


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
    any_trial = _draw(ax, chart)
    handles = _legend_handles()
    if any(ph.baseline_periods != ph.periods for ph in chart.phases):
        handles.append(Line2D([], [], color=plots.COLOURS["excluded"], linewidth=6, label="Baseline (sets limits)"))
    if chart.target is not None:
        handles.append(Line2D([], [], color=plots.COLOURS["counterfactual"], linestyle=":", label="Target"))
    if chart.excluded:
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              color=plots.COLOURS["comparison"], label="Excluded (left out)"))
    if chart.intervention_date is not None:
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


def plot_laney(
    periods: Sequence[pd.Timestamp],
    lan: LaneyPhase,
    *,
    title: str,
    alt: str,
    caption: str,
    improvement: str | None = None,
    change: pd.Timestamp | None = None,
    shade_baseline: bool = False,
) -> plots.Chart:
    """A p′ (Laney) chart: each period's proportion against limits that move with its denominator.

    Parameters
    ----------
    periods
        One date per point of ``lan``.
    lan
        The p′ chart's numbers (:func:`~whatworks.designs.spc.rules.laney`).
    title, alt, caption
        The chart's title, its alt text (stating the finding) and caption.
    improvement
        ``increase`` or ``decrease``: points beyond a limit are coloured
        improving or concerning by their side; ``None`` draws them in one
        colour, without a direction.
    change
        The first period from the change, marked by a vertical line.
    shade_baseline
        Shade the periods whose numbers set the limits.
    """
    xs = list(periods)
    fig, ax = plots.figure(width=8.0, height=2.6)
    out = set(lan.outside)
    sign = IMPROVEMENT_SIGN.get(improvement or "", 0)

    def role(i: int) -> str:
        if i not in out:
            return "common"
        if not sign:
            return "outside"
        return lan.direction(i, sign)

    roles = [role(i) for i in range(len(xs))]
    ax.plot(xs, lan.proportions, color=plots.COLOURS["common"], linewidth=1.0, zorder=2)
    colour = {**plots.COLOURS, "outside": plots.COLOURS["concerning"]}
    ax.scatter(xs, lan.proportions, c=[colour[r] for r in roles], s=16, zorder=3)
    ax.axhline(lan.centre, color=plots.COLOURS["limit"], linewidth=1.2)
    ax.step(xs, lan.lower, where="mid", color=plots.COLOURS["limit"], linewidth=1.0, linestyle="--")
    ax.step(xs, lan.upper, where="mid", color=plots.COLOURS["limit"], linewidth=1.0, linestyle="--")
    handles = [Line2D([], [], marker="o", linestyle="", color=plots.COLOURS["common"], label="Within its limits")]
    for r, label in (("improving", "Beyond a limit: improving"), ("concerning", "Beyond a limit: concerning"),
                     ("outside", "Beyond a limit")):
        if r in roles:
            handles.append(Line2D([], [], marker="o", linestyle="", color=colour[r], label=label))
    handles += [Line2D([], [], color=plots.COLOURS["limit"], label="Centre (pooled proportion)"),
                Line2D([], [], color=plots.COLOURS["limit"], linestyle="--", label="p′ limits")]
    base = xs[lan.baseline_points]
    if shade_baseline and (base[0] != xs[0] or base[-1] != xs[-1]):
        ax.axvspan(base[0], base[-1], color=plots.COLOURS["excluded"], alpha=0.35, linewidth=0, zorder=0)
        handles.append(Line2D([], [], color=plots.COLOURS["excluded"], linewidth=6, label="Baseline (sets limits)"))
    if change is not None and change in xs:
        k = xs.index(change)
        if k > 0:
            ax.axvline(xs[k - 1] + (xs[k] - xs[k - 1]) / 2, color=plots.COLOURS["intervention"], linewidth=1.0,
                       linestyle="-.")
            handles.append(Line2D([], [], color=plots.COLOURS["intervention"], linestyle="-.", label="Change"))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return plots.chart(fig, alt=alt, caption=caption)


def plot_unit_laney(chart: UnitChart, *, freq: str, outcome_label: str,
                    denominator_label: str | None = None) -> plots.Chart | None:
    """One unit's p′ chart, below its XmR chart; ``None`` without a denominator.

    The alt text states which points fall outside the p′ limits; the caption
    says what the limits allow for.
    """
    if chart.laney is None:
        return None
    who = f"{chart.unit}: " if chart.unit is not None else ""
    return plot_laney(
        chart.periods,
        chart.laney,
        title=f"{who}{outcome_label[:1].upper()}{outcome_label[1:]}: p′ chart (Laney)",
        alt=laney_sentence(chart, freq, denominator_label) or "",
        caption=laney_caption(chart, freq, denominator_label),
        improvement=chart.improvement,
        change=chart.intervention_date,
        shade_baseline=True,
    )


def plot_grid(charts: Sequence[UnitChart], *, rules: str, outcome_label: str) -> plots.Chart:
    """Every unit's chart as one grid of small multiples (a shared time axis,
    each panel its own scale), with alt text counting the signals."""
    n = len(charts)
    cols = min(_GRID_COLUMNS, n)
    rows = math.ceil(n / cols)
    fig, axes = plots.figure(rows, cols, width=1.3 * cols, height=0.9 * rows + 0.4, squeeze=False)
    start = min(c.periods[0] for c in charts)
    end = max(c.periods[-1] for c in charts)
    # one time axis for every panel, set by hand: sharex costs time in the square of the panels
    for k, (ax, chart) in enumerate(zip(axes.flat, charts)):
        _draw(ax, chart, small=True)
        ax.set_xlim(start, end)
        ax.set_title(str(chart.unit), fontsize=6, pad=2)
        ax.tick_params(labelsize=5, length=2, labelbottom=k >= n - cols)
        ax.xaxis.set_major_locator(mdates.YearLocator())  # type: ignore[no-untyped-call]  # unannotated upstream
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))  # type: ignore[no-untyped-call]  # likewise
        ax.grid(False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    imp = sum(1 for c in charts if c.counts()["improving"])
    con = sum(1 for c in charts if c.counts()["concerning"])
    title = PROFILES[rules].title
    alt = (f"XmR charts of {outcome_label} for {n} units, one panel each: {imp} show improving special-cause "
           f"signals and {con} concerning ones. The table of icons lists each unit's variation and assurance.")
    return plots.chart(fig, alt=alt, caption=f"XmR charts of {outcome_label} by unit, {title} rules")


# -- icons ---------------------------------------------------------------------------------

_ICON_COLOUR = {"common": "#7f7f7f", "improving": plots.COLOURS["improving"],
                "concerning": plots.COLOURS["concerning"], "consistent_pass": plots.COLOURS["improving"],
                "consistent_fail": plots.COLOURS["concerning"], "inconsistent": "#7f7f7f"}


def icon_svg(kind: str, size: int = 40) -> str:
    """One Making Data Count icon as inline SVG, with its words as the text
    alternative (``role="img"``, ``aria-label`` and ``<title>``).

    ``kind`` is a variation (``common_cause``, ``improving_high``, ...) or an
    assurance (``consistent_pass``, ``consistent_fail``, ``inconsistent``).

    Examples
    --------
    >>> svg = icon_svg("improving_low")
    >>> svg.startswith("<svg") and 'role="img"' in svg and "improving: unusually low" in svg
    True
    """
    if kind in VARIATION_WORDS:
        words = VARIATION_WORDS[kind]
        role = "common" if kind == "common_cause" else kind.split("_")[0]
        letter = "" if kind == "common_cause" else ("H" if kind.endswith("high") else "L")
        # a line of dots, the last ones raised or lowered for special cause
        ys = [20, 18, 22, 19, 21] if kind == "common_cause" else (
            [24, 22, 18, 14, 12] if kind.endswith("high") else [16, 18, 22, 26, 28])
        dots = "".join(f'<circle cx="{8 + 6 * i}" cy="{y}" r="2.2" fill="{_ICON_COLOUR[role]}"/>'
                       for i, y in enumerate(ys))
        inner = dots + (f'<text x="20" y="36" font-size="9" text-anchor="middle" fill="{_ICON_COLOUR[role]}">'
                        f"{letter}</text>" if letter else "")
        colour = _ICON_COLOUR[role]
    else:
        words = ASSURANCE_WORDS[kind]
        colour = _ICON_COLOUR[kind]
        letter = {"consistent_pass": "P", "consistent_fail": "F", "inconsistent": "?"}[kind]
        inner = (f'<line x1="8" y1="28" x2="32" y2="28" stroke="{colour}" stroke-dasharray="2 2"/>'
                 f'<text x="20" y="24" font-size="14" font-weight="bold" text-anchor="middle" '
                 f'fill="{colour}">{letter}</text>')
    return (f'<svg role="img" aria-label="{esc(words)}" width="{size}" '
            f'height="{size}" viewBox="0 0 40 40"><title>{esc(words)}</title>'
            f'<circle cx="20" cy="20" r="18" fill="white" stroke="{colour}" stroke-width="2.5"/>{inner}</svg>')


@dataclass(frozen=True)
class ChartIcons:
    """Each chart's variation and assurance icons, as a table with words."""

    charts: tuple[UnitChart, ...]

    def _repr_html_(self) -> str:
        rows = []
        for c in self.charts:
            assurance = c.assurance()
            rows.append(
                f"<tr><th scope=\"row\">{esc(c.unit if c.unit is not None else 'All')}</th>"
                f"<td>{icon_svg(c.variation())}</td>"
                f"<td>{icon_svg(assurance) if assurance else 'No target'}</td>"
                f"<td>{esc(icon_words(c))}</td></tr>"
            )
        return ('<table class="ww-table ww-spc-icons"><caption>Variation and assurance (Making Data Count '
                'icons)</caption><thead><tr><th scope="col">Chart</th><th scope="col">Variation</th>'
                '<th scope="col">Assurance</th><th scope="col">In words</th></tr></thead><tbody>'
                + "".join(rows) + "</tbody></table>")


@dataclass(frozen=True)
class SPCCharts(plots.ChartSet):
    """The charts, after a table of each chart's icons, and for a seasonal
    series the comparison with the same period a year earlier."""

    icons: ChartIcons | None = None
    tables: tuple[Table, ...] = ()

    def _repr_html_(self) -> str:
        return ((self.icons._repr_html_() if self.icons is not None else "") + super()._repr_html_()
                + "".join(t._repr_html_() for t in self.tables))
