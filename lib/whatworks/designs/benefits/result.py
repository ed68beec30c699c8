"""The result of a benefits review: :class:`PIRResult`."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from ...display import Table
from ...plots import Chart
from ...results import Result
from ...value import Deflator
from .model import Valued
from .money import DEFAULT_PRODUCTIVE_HOURS, RateTable
from .plots import plot_trajectory
from .profile import Profile
from .review_inputs import DEFAULT_THRESHOLDS
from .tables import headline_table
from .timing import Change

__all__ = ["PIRResult"]


@dataclass(frozen=True, kw_only=True)
class PIRResult(Result):
    """A Post-Implementation Review: benefits, totals, checks and the review's text.

    Besides the common :class:`~whatworks.results.Result` parts it holds every
    benefit as valued (``valued``), the totals by financial year and
    confidence grade (``benefit_totals``), and the review's free text. The
    review's other sections are functions of the result in
    :mod:`whatworks.designs.benefits.sections`.
    """

    valued: tuple[Valued, ...] = ()
    benefit_totals: tuple[dict[str, Any], ...] = ()
    reinvestment: tuple[dict[str, Any], ...] | None = None
    outputs: tuple[dict[str, Any], ...] = ()
    lessons: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    process_findings: tuple[str, ...] = ()
    signoff: dict[str, Any] = field(default_factory=dict)
    rates: RateTable | None = None
    reporting_year: str = ""
    review_date: _dt.date | None = None
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    productive_hours_per_fte: float = DEFAULT_PRODUCTIVE_HOURS
    profile: Profile | None = None
    value: dict[str, Any] = field(default_factory=dict)
    costs: tuple[dict[str, Any], ...] = ()
    price_base: str = ""
    deflator: Deflator | None = None

    def table(self) -> Table:
        """The headline figures: hours, posts, pounds and shares realised, with 95% intervals."""
        return headline_table(self.estimates)

    def plot(self) -> Chart:
        """The forecast-versus-actual trajectory of hours released, by month."""
        return plot_trajectory(self.valued, self.profile)

    def extra(self) -> dict[str, Any]:
        """``benefit_totals`` (read by the portfolio index) and the review in full (``pir``)."""
        return {"benefit_totals": list(self.benefit_totals), "pir": _payload(self)}


# -- results.json -------------------------------------------------------------------
def _change_dict(change: Change | None) -> dict[str, float] | None:
    if change is None:
        return None
    out = {"estimate": float(change.estimate)}
    if change.measured:
        low, high = change.interval()
        out.update(ci_low=float(low), ci_high=float(high))
    return out


def _payload(r: PIRResult) -> dict[str, Any]:
    benefits = []
    for v in r.valued:
        b = v.benefit
        benefits.append({
            "id": b.id, "description": b.description, "owner": b.owner, "category": b.category,
            "counted_as": v.classification, "measure": b.measure, "unit": b.unit, "direction": b.direction,
            "baseline": b.baseline, "forecast": b.forecast, "actual": b.actual,
            "forecasts_by_year": dict(b.fy_forecasts),
            "tracking_start": b.tracking_start, "tracking_end": b.tracking_end,
            "months_tracked": b.months_tracked, "deadweight": b.deadweight, "status": v.status,
            "confidence_grade": v.grade, "grade_reason": v.grade_reason, "rating": v.rating,
            "realised_share": _change_dict(v.realised), "hours_per_year": _change_dict(v.hours),
            "cashable_gbp": _change_dict(v.cashable), "non_cashable_gbp": _change_dict(v.non_cashable),
            "forecast_hours_per_year": v.forecast_hours, "forecast_gbp_per_year": v.forecast_gbp,
            "method": v.method, "task": v.task_detail or None,
            "baseline_used": v.baseline_used, "baseline_reason": v.baseline_reason,
            "recurring": b.recurring, "end_date": b.end_date, "budget_year": b.budget_year,
            "merged_into": b.merged_into, "counted": b.in_totals, "finance_validated": b.finance_validated,
        })
    released = sum(v.amount("hours") for v in r.valued if v.measured and v.benefit.in_totals)
    recorded = sum(x["hours"] for x in (r.reinvestment or ()))
    return {
        "review_date": r.review_date, "reporting_year": r.reporting_year,
        "as_of": None if r.profile is None else r.profile.as_of,
        "go_live": None if r.profile is None else r.profile.go_live,
        "horizon": None if r.profile is None else r.profile.horizon,
        "price_base": r.price_base,
        "deflator": None if r.deflator is None else {"label": r.deflator.label, "source": r.deflator.source},
        "profile": [] if r.profile is None else [vars(p) for p in r.profile.pieces],
        "forecast_by_year": [] if r.profile is None else list(r.profile.forecast),
        "costs": list(r.costs), "value_for_money": dict(r.value),
        "rating_thresholds": dict(r.thresholds), "productive_hours_per_fte": r.productive_hours_per_fte,
        "rates": None if r.rates is None else {
            "table": r.rates.label, "default_used": r.rates.is_default,
            "rows": [{"grade": x.grade, "hourly_cost_gbp": x.hourly_cost_gbp, "price_year": x.price_year,
                      "cost_basis": x.cost_basis, "source": x.source} for x in r.rates.rates]},
        "benefits": benefits,
        "reinvestment": {"records": list(r.reinvestment or ()), "hours_recorded": recorded,
                         "hours_notional": max(released - recorded, 0.0)},
        "outputs_maintained": list(r.outputs),
        "lessons": list(r.lessons), "recommendations": list(r.recommendations),
        "process_findings": list(r.process_findings), "signoff": dict(r.signoff),
    }
