"""Report sections of an interrupted time series beyond the uniform result interface."""

from __future__ import annotations

from ... import plots
from .plots import plot_group_forest
from .result import ITSResult
from .words import forest_alt

__all__ = ["plot_forest"]


def plot_forest(result: ITSResult) -> plots.Chart | None:
    """The headline's change by group (breakdown) with the total, or ``None`` without groups.

    The level change (a rate or odds ratio), or for proportions the change in percentage points.
    """
    head = result.headline
    if head is None:
        return None
    groups = [e for e in result.estimates if e.group is not None and e.name.startswith(head.name + ".")]
    if not groups:
        return None
    by = result.breakdown_label or "group"
    return plot_group_forest(
        groups, head, improvement=result.improvement,
        alt=forest_alt(groups, head, by, result.outcome_label, result.outcome_type),
        caption=f"Change in level by {by}" if head.scale == "ratio" else f"Change in percentage points by {by}")
