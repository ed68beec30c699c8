"""The result of :func:`whatworks.designs.spc.fit`: XmR charts for one series or several units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...display import Table
from ...plots import Chart, ChartSet
from ...results import Result, clean
from .model import UnitChart
from .plots import GRID_ABOVE, ChartIcons, SPCCharts, plot_grid, plot_unit, plot_unit_laney
from .tables import phases_table, signals_table, year_on_year_table

__all__ = ["SPCResult"]


@dataclass(frozen=True, kw_only=True)
class SPCResult(Result):
    """XmR charts for one series or several units.

    Attributes
    ----------
    rules
        The profile name (``nhs`` or ``police-2sd``).
    improvement
        ``increase`` or ``decrease``: which way is better.
    units
        One :class:`UnitChart` per chart, in the order charted.
    denominator_label
        What a proportion's denominator counts (``crimes recorded``), for
        the p′ charts' words; ``None`` for a count.
    """

    rules: str
    improvement: str
    screen_outliers: bool
    units: tuple[UnitChart, ...]
    rebase: str = "none"
    freq: str = "week"
    outcome_label: str = "outcome"
    denominator_label: str | None = None

    def to_spc_dict(self) -> dict[str, Any]:
        """The ``spc`` entry of ``results.json``."""
        out: dict[str, Any] = clean(
            {"rules": self.rules, "rebase": self.rebase, "improvement": self.improvement,
             "units": [u.to_dict() for u in self.units]}
        )
        return out

    def extra(self) -> dict[str, Any]:
        return {"spc": self.to_spc_dict()}

    def table(self) -> Table:
        """Centre line and limits of every phase, for people."""
        return phases_table(self.units, self.rules)

    def plot(self) -> ChartSet:
        """The icons, then one chart per unit (a proportion's p′ chart below
        its XmR chart), or one grid of small multiples of the XmR charts for
        more than :data:`~whatworks.designs.spc.plots.GRID_ABOVE` units."""
        charts: tuple[Chart, ...]
        if len(self.units) > GRID_ABOVE:
            charts = (plot_grid(self.units, rules=self.rules, outcome_label=self.outcome_label),)
        else:
            charts = tuple(
                c
                for u in self.units
                for c in (
                    plot_unit(u, rules=self.rules, freq=self.freq, outcome_label=self.outcome_label),
                    plot_unit_laney(u, freq=self.freq, outcome_label=self.outcome_label,
                                    denominator_label=self.denominator_label),
                )
                if c is not None
            )
        seasonal = tuple(year_on_year_table(u, self.freq) for u in self.units if u.seasonal)
        return SPCCharts(charts, icons=ChartIcons(self.units) if self.units else None, tables=seasonal[:GRID_ABOVE])

    def _repr_html_(self) -> str:
        return "".join(
            part._repr_html_()
            for part in (self.summary, self.table(), signals_table(self.units), self.check_list, self.evidence)
        )
