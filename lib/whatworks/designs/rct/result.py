"""The result of a trial analysis: a frozen record of aggregates (no row-level data).

Its report sections beyond the uniform interface (CONSORT flow, baseline,
attrition, Lee bounds, subgroups) are functions of a result in
:mod:`whatworks.designs.rct.sections`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...disclosure import Disclosure
from ...display import Table
from ...plots import Chart
from ...results import Result
from .plots import plot_effects
from .tables import estimates_table

__all__ = ["RCTResult"]


@dataclass(frozen=True, kw_only=True)
class RCTResult(Result):
    """The analysis of a randomised trial (aggregates only; no row-level data).

    ``disclosure`` is the small-count policy every table, chart and sentence
    of the result shows people through.
    """

    arms: tuple[str, ...]
    control_arm: str
    primary_outcome: str
    outcome_specs: tuple[dict[str, Any], ...] = ()
    flow: tuple[dict[str, Any], ...] = ()
    exclusions: tuple[dict[str, Any], ...] = ()
    baseline: tuple[dict[str, Any], ...] = ()
    attrition: tuple[dict[str, Any], ...] = ()
    lee: tuple[dict[str, Any], ...] = ()
    subgroups: tuple[dict[str, Any], ...] = ()
    interactions: tuple[dict[str, Any], ...] = ()
    holm: tuple[dict[str, Any], ...] = ()
    first_stage: tuple[dict[str, Any], ...] = ()
    verdicts: tuple[dict[str, Any], ...] = ()
    source: str = "trial data"
    disclosure: Disclosure = Disclosure()
    arm_labels: Mapping[str, str] = field(default_factory=dict)
    covariate_labels: Mapping[str, str] = field(default_factory=dict)
    level_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    nnt: tuple[dict[str, Any], ...] = ()
    dates: Mapping[str, _dt.date] = field(default_factory=dict)

    # -- reading ---------------------------------------------------------------
    @property
    def active_arms(self) -> tuple[str, ...]:
        return self.arms[1:]

    def arm_label(self, arm: str) -> str:
        """The arm's label (``arm_labels``), or its code without one."""
        return str(self.arm_labels.get(arm, arm))

    def covariate_label(self, column: str) -> str:
        """A covariate or subgroup column's label (``covariate_labels``), or its name without one."""
        return str(self.covariate_labels.get(column, column))

    def level_label(self, column: str, level: Any) -> str:
        """A value of a covariate or subgroup column in words (``level_labels``), or the value itself."""
        return str(self.level_labels.get(column, {}).get(str(level), level))

    def outcome_spec(self, column: str) -> dict[str, Any]:
        return next(o for o in self.outcome_specs if o["column"] == column)

    # -- showing ---------------------------------------------------------------
    def plot(self) -> Chart:
        """Effects on the primary outcome with 95% intervals against the smallest effect worth detecting."""
        return plot_effects(self.outcome_spec(self.primary_outcome), self.estimates, self.arms, self.arm_label)

    def table(self, kind: str | None = None) -> Table:
        """Every estimate, with Holm-adjusted p-values where they apply.

        ``kind`` keeps one family: ``itt`` (intention to treat), ``adjusted``
        or ``complier``.
        """
        return estimates_table(self.estimates, self.holm, self.outcome_specs, kind)

    def extra(self) -> dict[str, Any]:
        """The trial's own keys for ``results.json``."""
        return {"rct": {
            "arms": list(self.arms), "control_arm": self.control_arm, "primary_outcome": self.primary_outcome,
            "outcomes": list(self.outcome_specs), "counts": list(self.flow), "exclusions": list(self.exclusions),
            "baseline": list(self.baseline), "attrition": list(self.attrition), "lee_bounds": list(self.lee),
            "subgroups": list(self.subgroups), "interactions": list(self.interactions), "holm": list(self.holm),
            "first_stage": list(self.first_stage), "verdict": list(self.verdicts),
            "arm_labels": {arm: self.arm_label(arm) for arm in self.arms}, "nnt": list(self.nnt),
            "dates": {k: v.isoformat() for k, v in self.dates.items()},
        }}
