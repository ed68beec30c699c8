"""Display tables for SPC charts: the phases' limits and the special-cause points.

Examples
--------
>>> from whatworks.designs.spc.model import PhaseFit, UnitChart
>>> from whatworks.designs.spc.rules import xmr
>>> import pandas as pd
>>> days = tuple(pd.date_range("2024-01-01", periods=5, freq="7D"))
>>> chart = UnitChart(None, (PhaseFit("All periods", days, xmr([1, 2, 3, 2, 1])),), (), None)
>>> phases_table([chart], "nhs").rows[0][:5]
('All', 'All periods', '1 January 2024', '29 January 2024', '5')
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ... import text
from ...display import Table
from .model import UnitChart
from .rules import PROFILES
from .words import RULE_WORDS

__all__ = ["phases_table", "signals_table", "year_on_year_table"]


def phases_table(charts: Sequence[UnitChart], rules: str) -> Table:
    """Centre line and limits of every phase, for people."""
    rows = []
    for u in charts:
        for p in u.phases:
            rows.append(
                (
                    u.unit or "All",
                    p.name,
                    text.fmt_date(p.start),
                    text.fmt_date(p.end),
                    text.fmt_number(p.xmr.n),
                    text.fmt_number(p.xmr.mean),
                    text.fmt_number(p.xmr.lower_limit),
                    text.fmt_number(p.xmr.upper_limit),
                    "trial" if p.xmr.trial_limits else "",
                )
            )
    return Table(
        ("Unit", "Phase", "From", "To", "Points", "Mean", "Lower limit", "Upper limit", "Limits"),
        tuple(rows),
        caption=f"SPC phases ({PROFILES[rules].title})",
        numeric=(False, False, False, False, True, True, True, True, False),
    )


def signals_table(charts: Sequence[UnitChart]) -> Table:
    """Every special-cause point, for people; a seasonal chart with many
    signals gets one row pointing to the year-on-year comparison instead."""
    rows = tuple(
        row
        for u in charts
        for row in (
            [(u.unit or "All", "", text.fmt_number(len(u.signals)) + " points",
              "seasonal pattern: see the same period a year earlier", "")]
            if u.seasonal
            else [(u.unit or "All", text.fmt_date(s.date), text.fmt_number(s.value), RULE_WORDS[s.rule], s.direction)
                  for s in u.signals]
        )
    )
    return Table(
        ("Unit", "Date", "Value", "Rule", "Direction"),
        rows,
        caption="Special-cause points",
        numeric=(False, False, True, False, False),
    )


#: How far back "the same period a year earlier" is, and how many periods to compare.
_YEAR_BACK = {"day": (pd.DateOffset(days=364), 28), "week": (pd.DateOffset(weeks=52), 13),
              "month": (pd.DateOffset(months=12), 12), "quarter": (pd.DateOffset(months=12), 4)}


def year_on_year_table(chart: UnitChart, freq: str) -> Table:
    """The latest periods beside the same periods a year earlier (52 weeks,
    364 days, 12 months), for a seasonal chart."""
    back, count = _YEAR_BACK.get(freq, _YEAR_BACK["month"])
    values = dict(zip(chart.periods, chart.values))
    rows = []
    for p in chart.periods[-count:]:
        before = values.get(p - back)
        now = values[p]
        rows.append((
            text.fmt_date(p),
            text.fmt_number(now),
            text.fmt_number(before) if before is not None else "–",
            text.fmt_number(now - before) if before is not None else "–",
        ))
    who = f"{chart.unit}: " if chart.unit is not None else ""
    return Table(
        ("Period", "Value", "A year earlier", "Change"),
        tuple(rows),
        caption=f"{who}{'t' if who else 'T'}he latest periods against the same periods a year earlier "
        "(a seasonal series)",
        numeric=(False, True, True, True),
    )
