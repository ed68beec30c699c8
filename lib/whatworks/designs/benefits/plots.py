"""A benefits review's charts: hours released by month against forecast, and benefit by benefit."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import numpy as np

from ... import plots, text
from .model import Valued
from .profile import Profile, known_hours_by_month

__all__ = ["plot_trajectory", "plot_waterfall"]


def _months(start: _dt.date, end: _dt.date) -> list[_dt.date]:
    out, d = [], _dt.date(start.year, start.month, 1)
    while d <= end:
        out.append(d)
        d = _dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def plot_trajectory(valued: Sequence[Valued], prof: Profile | None) -> plots.Chart:
    """Cumulative hours released by month to the review date: forecast against actual.

    The actual line is the *known* hours of the profile, month by month
    (:func:`~.profile.known_hours_by_month`): the same benefits (counted in
    totals: merged or uncounted ones left out), the same monthly actuals and
    the same dates, so its last point is ``known_hours_to_date``.
    """
    caption = ("Hours released to the review date: forecast and actual by month (measured benefits counted in "
               "the totals; monthly actuals where the register gives them, otherwise each benefit's annual "
               "hours spread over the days measured)")
    fore_by: dict[_dt.date, float] = {}
    act_by: dict[_dt.date, float] = {}
    if prof is not None:
        for v in valued:
            if not v.benefit.in_totals:
                continue
            act, fore = known_hours_by_month(v, years=prof.years, as_of=prof.as_of, go_live=prof.go_live)
            for m, h in act.items():
                act_by[m] = act_by.get(m, 0.0) + h
                fore_by[m] = fore_by.get(m, 0.0) + fore.get(m, 0.0)
    fig, ax = plots.figure()
    if prof is None or not any(act_by.values()):
        ax.text(0.5, 0.5, "No measured time savings yet", ha="center", va="center", transform=ax.transAxes)
        return plots.chart(fig, alt="No benefit has measured hours released yet, so there is no trajectory.",
                           caption=caption)
    months = _months(min(act_by), max(act_by))
    fore_c = np.cumsum([fore_by.get(m, 0.0) for m in months])
    act_c = np.cumsum([act_by.get(m, 0.0) for m in months])
    x = [np.datetime64(m) for m in months]
    ax.plot(x, fore_c, color=plots.COLOURS["forecast"], linestyle="--", marker="o", label="Forecast")
    ax.plot(x, act_c, color=plots.COLOURS["actual"], marker="o", label="Actual (known: measured)")
    ax.set_ylabel("Hours released (cumulative)")
    ax.set_ylim(bottom=0)
    ax.legend()
    share = act_c[-1] / fore_c[-1] if fore_c[-1] > 0 else float("nan")
    alt = (f"Hours released to the review date ({text.fmt_date(prof.as_of)}), known from measurement up to "
           f"{months[-1]:%B %Y}: about {text.fmt_number(act_c[-1])}, against a forecast of "
           f"{text.fmt_number(fore_c[-1])} for the same benefits and months ({text.fmt_pct(share, 0)} of forecast).")
    return plots.chart(fig, alt=alt, caption=caption)


def plot_waterfall(valued: Sequence[Valued]) -> plots.Chart:
    """Hours released a year, benefit by benefit: measured, then hoped-for."""
    # the same benefits as the headline: counted in totals (not merged), recurring (one-offs are in the profile)
    counted = [v for v in valued if v.benefit.in_totals and v.benefit.recurring and v.amount("hours")]
    measured = [v for v in counted if v.measured]
    hoped = [v for v in counted if not v.measured]
    fig, ax = plots.figure(width=8.0, height=3.8)
    labels, bottoms, heights, colours = [], [], [], []
    level = 0.0
    for group, colour in ((measured, plots.COLOURS["actual"]), (hoped, plots.COLOURS["forecast"])):
        for v in group:
            h = v.amount("hours")
            labels.append(v.benefit.id)
            bottoms.append(level if h >= 0 else level + h)
            heights.append(abs(h))
            colours.append(colour)
            level += h
        if group is measured:
            labels.append("Measured")
            bottoms.append(0.0)
            heights.append(level)
            colours.append(plots.COLOURS["observed"])
    if hoped:
        labels.append("With hoped-for")
        bottoms.append(0.0)
        heights.append(level)
        colours.append(plots.COLOURS["comparison"])
    pos = np.arange(len(labels))
    ax.bar(pos, heights, bottom=bottoms, color=colours, width=0.6)
    ax.set_xticks(pos, labels, rotation=0 if len(labels) < 8 else 45)
    ax.set_ylabel("Hours a year")
    measured_total = sum(v.amount("hours") for v in measured)
    hoped_total = sum(v.amount("hours") for v in hoped)
    alt = (f"Measured benefits release {text.fmt_number(measured_total)} hours a year"
           + (f"; the largest is {max(measured, key=lambda v: v.amount('hours')).benefit.id}" if measured else "")
           + (f"; forecasts not yet measured would add {text.fmt_number(hoped_total)} hours." if hoped else "."))
    return plots.chart(fig, alt=alt, caption="Hours released a year by benefit (blue measured, orange hoped-for)")
