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

from ... import text
from ...display import Table
from .model import UnitChart
from .rules import PROFILES
from .words import RULE_WORDS

__all__ = ["phases_table", "signals_table"]


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
    """Every special-cause point, for people."""
    rows = tuple(
        (u.unit or "All", text.fmt_date(s.date), text.fmt_number(s.value), RULE_WORDS[s.rule], s.direction)
        for u in charts
        for s in u.signals
    )
    return Table(
        ("Unit", "Date", "Value", "Rule", "Direction"),
        rows,
        caption="Special-cause points",
        numeric=(False, False, True, False, False),
    )
