"""Report sections of an :class:`~whatworks.designs.spc.result.SPCResult` beyond
its summary, table and charts: the special-cause points, and one chart's
finding in words."""

from __future__ import annotations

from ...display import Table
from .model import UnitChart
from .result import SPCResult
from .tables import signals_table as _signals_table
from .words import unit_sentence

__all__ = ["signals_table", "unit_finding"]


def signals_table(result: SPCResult) -> Table:
    """Every special-cause point of every chart, for people."""
    return _signals_table(result.units)


def unit_finding(result: SPCResult, chart: UnitChart) -> str:
    """The finding of one of the result's charts in words (also its alt text)."""
    return unit_sentence(chart, result.freq, result.outcome_label)
