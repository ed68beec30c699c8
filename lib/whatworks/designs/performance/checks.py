"""The pack's checks: notes on measures a reader should read with care."""

from __future__ import annotations

from collections.abc import Sequence

from ...results import Check
from .model import MeasureFit

__all__ = ["measure_checks"]


def measure_checks(fits: Sequence[MeasureFit]) -> tuple[Check, ...]:
    """A seasonal measure whose signals may be the season; a measure with no quarter a year earlier."""
    checks = []
    for f in fits:
        key, name = f.definition.key, f.definition.name
        if f.chart.seasonal:
            checks.append(Check(f"seasonal_{key}", "info",
                                f"{name}: the monthly series has a seasonal pattern, so some signals may be the "
                                "season; compare with the same quarter a year earlier."))
        if f.year_ago is None:
            checks.append(Check(f"no_year_ago_{key}", "info",
                                f"{name}: no same quarter a year earlier to compare with."))
    return tuple(checks)
