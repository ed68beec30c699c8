"""The numbers of a benefits review: each benefit valued, the totals and the estimates.

Each benefit gets its hours, pounds, realised share, rating and confidence
grade (:func:`value_benefit`); the review then adds the measured ones into
the estimates (:func:`estimates`) and shares every annual figure between
financial years by confidence grade (:func:`totals_by_year`).

Conventions (repeated in the report's method notes):

- the observed change is signed by ``direction`` so that an improvement is
  positive: ``baseline − actual`` when lower is better, ``actual − baseline``
  when higher is better;
- deadweight scales the observed and the forecast change alike: net change =
  change × (1 − deadweight), so the hours and pounds a year are net and the
  realised share is unchanged by it;
- realised share = net change ÷ net forecast change against the same
  baseline, e.g. baseline 50, forecast 10, actual 20 gives 30 ÷ 40 = 75%;
  for a timed task the baseline used is the measured mean before go-live
  (the actual is measured the same way), and the register's is shown beside;
- a timed task's saving is (mean minutes before − mean minutes after) ÷ 60 ×
  occurrences a year × (1 − deadweight), valued at each timing's grade;
- a cash-releasing claim counts as cashable only with a budget line reduced.

Examples
--------
>>> realised_share(50, 10, 20, "decrease")
0.75
>>> realised_share(50, 10, 20, "decrease", deadweight=0.2)  # deadweight nets both sides
0.75
>>> rating(0.75, {"green": 0.9, "amber": 0.5})
'amber'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...errors import DataError
from ...results import Estimate, Evidence
from .inputs import Benefit, TaskTimings
from .money import RateTable, grade_key, periods_per_year, split_by_financial_year
from .timing import Change, mean_change, total

__all__ = ["GRADES", "GRADE_RULES", "Valued", "realised_share", "rating", "value_benefit", "MONETISED",
           "totals_by_year", "estimates", "rates_used", "evidence"]

#: Confidence grades, most to least certain.
GRADES = ("known", "projected", "anticipated", "potential")
#: The rule for each confidence grade, in words.
GRADE_RULES = {
    "known": "released to date and measured: the sum of the recorded actuals up to the review date (the monthly "
             "actuals where the register gives them, else the measured change over the days tracked), never a "
             "run rate",
    "projected": "the measured run rate carried from the last day measured to the end of the review's financial "
                 "year: measured, but not yet released",
    "anticipated": "later financial years at the measured run rate, and forecasts not yet measured (including "
                   "benefits tracked for under 3 months)",
    "potential": "not yet measurable: no baseline, no forecast or no evidence source",
}
#: Categories counted in hours and pounds.
MONETISED = ("time_saving", "cash_releasing", "non_cash_releasing", "dis_benefit")
_MIN_MONTHS = 3.0
_FULL_YEAR_MONTHS = 12.0


def realised_share(baseline: float, forecast: float, actual: float, direction: str,
                   deadweight: float = 0.0) -> float:
    """Net observed change ÷ net forecast change, signed by direction, against the same baseline.

    Deadweight nets both the observed and the forecast change, so it cancels:
    the share is (baseline − actual) ÷ (baseline − forecast).
    """
    sign = 1.0 if direction == "decrease" else -1.0
    return ((1 - deadweight) * sign * (baseline - actual)) / ((1 - deadweight) * sign * (baseline - forecast))


def rating(share: float | None, thresholds: dict[str, float]) -> str | None:
    """``green`` at or above the green threshold, ``amber`` at or above amber, else ``red``."""
    if share is None:
        return None
    if share >= thresholds["green"]:
        return "green"
    return "amber" if share >= thresholds["amber"] else "red"


@dataclass(frozen=True)
class Valued:
    """A benefit with everything the review works out for it."""

    benefit: Benefit
    classification: str
    grade: str
    grade_reason: str
    status: str  # "measured", "withheld" or "not measured"
    hours: Change | None = None
    cashable: Change | None = None
    non_cashable: Change | None = None
    forecast_hours: float | None = None
    forecast_gbp: float | None = None
    realised: Change | None = None
    rating: str | None = None
    method: str = ""
    task_detail: dict[str, Any] = field(default_factory=dict)
    monthly_hours: dict[_dt.date, float] = field(default_factory=dict)  # first of month -> hours released that month
    monthly_gbp: dict[_dt.date, float] = field(default_factory=dict)  # first of month -> pounds released that month
    forecast_by_year: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    baseline_used: float | None = None
    baseline_reason: str = ""

    @property
    def measured(self) -> bool:
        return self.status == "measured"

    def amount(self, part: str) -> float:
        """The point value of ``hours``, ``cashable`` or ``non_cashable`` (0 if none)."""
        change = getattr(self, part)
        return 0.0 if change is None else float(change.estimate)


def _rate_for(b: Benefit, grade: str | None, rates: RateTable, *, field_: str = "grade") -> float:
    if grade is None:
        raise DataError(f"benefit '{b.id}' is measured in hours but has no grade, so it cannot be valued",
                        file=b.source, column=field_, rows=[b.row] if b.row else None,
                        hint="Give the rank or staff grade whose time is released.")
    rate = rates.get(grade)
    if rate is None:
        raise DataError(f"benefit '{b.id}': grade '{grade}' has no hourly rate in {rates.label}",
                        file=b.source, column=field_, rows=[b.row] if b.row else None,
                        hint=f"Add the grade to the rates table, or use one of: {', '.join(rates.grades())}.")
    return rate.hourly_cost_gbp


def _money_split(b: Benefit, gbp: Change | None) -> tuple[str, Change | None, Change | None]:
    if b.category == "cash_releasing" and b.budget_line_reduced:
        return "cash_releasing", gbp, None
    classification = "non_cash_releasing" if b.category == "cash_releasing" else b.category
    return classification, None, gbp


def _grade(b: Benefit, status: str) -> tuple[str, str]:
    if status == "measured":
        months = b.months_tracked or 0.0
        how = "task timings from a sample, multiplied by yearly volumes" if b.task else \
            f"measured over {months:.1f} months"
        return "known", f"{how}: known to the review date, projected to the end of its financial year, " \
                        "anticipated after"
    quantified = b.baseline is not None and b.forecast is not None
    if status == "withheld":
        return "anticipated", f"tracked for only {b.months_tracked:.1f} months, so the forecast is shown"
    if quantified and b.evidence:
        return "anticipated", "business-case forecast, not yet measured"
    return "potential", "not yet evidenced (no baseline, forecast or evidence source)"


def _status(b: Benefit) -> str:
    if b.actual is None and b.task is None:
        return "not measured"
    if (b.months_tracked or 0.0) < _MIN_MONTHS:
        return "withheld"
    return "measured"


def value_benefit(
    b: Benefit,
    *,
    rates: RateTable,
    timings: dict[str, TaskTimings],
    volumes: dict[str, tuple[float, str]],
    thresholds: dict[str, float],
    weeks_per_year: float,
) -> Valued:
    """Work out hours, pounds, realised share, rating and grade for one benefit."""
    status = _status(b)
    grade, reason = _grade(b, status)
    monetised = b.category in MONETISED
    if b.task is not None:
        return _value_task(b, status, grade, reason, rates, timings, volumes, thresholds, monetised)
    ppy = periods_per_year(b.per, weeks_per_year=weeks_per_year) if b.per else 1.0
    fixed_forecast = None
    if b.baseline is not None and b.forecast is not None:
        fixed_forecast = (1 - b.deadweight) * b.sign * (b.baseline - b.forecast) * ppy
    by_level = {fy: (1 - b.deadweight) * b.sign * (b.baseline - level) * ppy
                for fy, level in b.fy_forecasts.items()} if b.baseline is not None else {}
    observed = None
    if status == "measured":
        # measured without a task means an actual, and the register refuses an actual without a baseline
        assert b.baseline is not None and b.actual is not None
        observed = (1 - b.deadweight) * b.sign * (b.baseline - b.actual) * ppy
    amount = observed if status == "measured" else fixed_forecast
    hours = gbp = None
    forecast_hours = forecast_gbp = None
    by_year: dict[str, tuple[float | None, float | None]] = {}
    rate = 1.0
    if monetised and b.kind == "hours":
        rate = _rate_for(b, b.grade, rates)
        if amount is not None:
            hours, gbp = Change(np.asarray(amount)), Change(np.asarray(amount * rate))
        if fixed_forecast is not None:
            forecast_hours, forecast_gbp = fixed_forecast, fixed_forecast * rate
        by_year = {fy: (x, x * rate) for fy, x in by_level.items()}
    elif monetised and b.kind == "gbp":
        if amount is not None:
            gbp = Change(np.asarray(amount))
        forecast_gbp = fixed_forecast
        by_year = {fy: (None, x) for fy, x in by_level.items()}
    classification, cash, noncash = _money_split(b, gbp)
    share = None
    if status == "measured" and b.category != "dis_benefit":
        assert b.baseline is not None and b.actual is not None  # as above
        share = Change(np.asarray(realised_share(b.baseline, b.forecast, b.actual, b.direction, b.deadweight))) \
            if b.forecast is not None else None
    method = _method(b, status, ppy, monetised)
    monthly: dict[_dt.date, float] = {}
    if status == "measured" and monetised and b.kind in ("hours", "gbp"):
        assert b.baseline is not None  # as above
        monthly = {m: (1 - b.deadweight) * b.sign * (b.baseline - level) * ppy / 12
                   for m, level in b.monthly_actuals.items()}
    return Valued(
        benefit=b, classification=classification, grade=grade, grade_reason=reason, status=status,
        hours=hours, cashable=cash, non_cashable=noncash, forecast_hours=forecast_hours,
        forecast_gbp=forecast_gbp, realised=share,
        rating=rating(None if share is None else float(share.estimate), thresholds), method=method,
        monthly_hours=monthly if b.kind == "hours" else {},
        monthly_gbp={m: x * rate for m, x in monthly.items()}, forecast_by_year=by_year,
        baseline_used=b.baseline, baseline_reason="the register's baseline (measured before go-live)",
    )


def _method(b: Benefit, status: str, ppy: float, monetised: bool) -> str:
    if b.baseline is None or b.forecast is None:
        return "not quantified: the register gives no baseline or no forecast"
    per = f" per {b.per}" if b.per else ""
    if status == "measured":
        change = "baseline − actual" if b.sign > 0 else "actual − baseline"
        dw = f" × (1 − {b.deadweight:g} deadweight)" if b.deadweight else ""
    else:
        change, dw = ("baseline − forecast" if b.sign > 0 else "forecast − baseline"), ""
    if not monetised or b.kind == "other":
        return f"({change}) ÷ ({'baseline − forecast' if b.sign > 0 else 'forecast − baseline'}); not valued " \
               "in hours or pounds" if status == "measured" else "forecast only; not valued in hours or pounds"
    unit = "hours" if b.kind == "hours" else "pounds"
    return f"({change}){per} × {ppy:g}{dw}, in {unit} a year"


def _value_task(b: Benefit, status: str, grade: str, reason: str, rates: RateTable,
                timings: dict[str, TaskTimings], volumes: dict[str, tuple[float, str]],
                thresholds: dict[str, float], monetised: bool) -> Valued:
    t = timings.get(b.task) if b.task is not None else None
    rows = [b.row] if b.row else None
    if t is None or t.n("before") < 2 or t.n("after") < 2:
        raise DataError(f"benefit '{b.id}' names task '{b.task}' but process_timings has fewer than two "
                        "timings before and two after for it", file=b.source, column="task", rows=rows,
                        hint="Add timings of the task before and after go-live, or correct the task name.")
    if b.direction != "decrease":
        raise DataError(f"benefit '{b.id}' is a timed task, so lower times are better", file=b.source,
                        column="direction", rows=rows, hint="Set direction to 'decrease'.")
    if b.task not in volumes:
        raise DataError(f"benefit '{b.id}': task '{b.task}' has timings but no volume, so the saving cannot be "
                        "scaled to a year", file="volumes", column="task",
                        hint=f"Add a row for '{b.task}' to volumes with total_occurrences or times_per_person "
                             "and staff, and per.")
    occurrences, volume_words = volumes[b.task]
    comparison = t.has_comparison and t.n("before", "comparison") >= 2 and t.n("after", "comparison") >= 2

    def arrays(group: str, period: str, costed: bool) -> NDArray[np.float64]:
        mins = np.asarray(t.minutes.get((group, period), []), dtype=np.float64)
        if not costed:
            return mins
        grades = t.grades.get((group, period), [])
        cost = [_rate_for(b, g, rates, field_="grade (in process_timings)") for g in grades]
        return mins * np.asarray(cost, dtype=np.float64) / 60.0

    def change(costed: bool) -> Change:
        parts = [arrays("treated", "before", costed), arrays("treated", "after", costed)]
        if comparison:
            parts += [arrays("comparison", "before", costed), arrays("comparison", "after", costed)]
        return mean_change(*parts)

    minutes = change(costed=False)
    net = 1 - b.deadweight
    hours = gbp = None
    if monetised:
        hours = minutes.scaled(occurrences * net / 60.0)
        gbp = change(costed=True).scaled(occurrences * net)
    mean_before = float(np.mean(t.minutes[("treated", "before")]))
    forecast_gap = mean_before - b.forecast if b.forecast is not None else None
    if forecast_gap is not None and forecast_gap <= 0:
        forecast_gap = None
    forecast_hours = net * forecast_gap / 60.0 * occurrences if (forecast_gap is not None and monetised) else None
    forecast_gbp = None
    if forecast_hours is not None:
        before_grades = t.grades.get(("treated", "before"), [])
        before_mins = np.asarray(t.minutes.get(("treated", "before"), []), dtype=float)
        costs = np.asarray([_rate_for(b, g, rates, field_="grade (in process_timings)") for g in before_grades])
        mean_rate = float(np.sum(before_mins * costs) / np.sum(before_mins)) if before_mins.sum() > 0 else 0.0
        forecast_gbp = forecast_hours * mean_rate
    else:
        mean_rate = 0.0
    if status != "measured":
        hours = None if forecast_hours is None else Change(np.asarray(forecast_hours))
        gbp = None if forecast_gbp is None else Change(np.asarray(forecast_gbp))
    classification, cash, noncash = _money_split(b, gbp)
    share = minutes.scaled(1 / forecast_gap) if (status == "measured" and forecast_gap) else None
    by_year: dict[str, tuple[float | None, float | None]] = {
        fy: (h, h * mean_rate) for fy, level in b.fy_forecasts.items()
        for h in [net * (mean_before - level) / 60.0 * occurrences]} if forecast_hours is not None else {}
    detail = {
        "task": b.task,
        "n_before": t.n("before"), "n_after": t.n("after"),
        "mean_before": float(np.mean(t.minutes[("treated", "before")])),
        "mean_after": float(np.mean(t.minutes[("treated", "after")])),
        "minutes_saved": float(minutes.estimate),
        "minutes_saved_ci": tuple(float(x) for x in minutes.interval()),
        "occurrences_per_year": occurrences, "volume": volume_words,
        "comparison_group": comparison,
    }
    method = (f"(mean {detail['mean_before']:.1f} − mean {detail['mean_after']:.1f} minutes) ÷ 60 × "
              f"{occurrences:,.0f} a year ({volume_words})"
              + (f" × (1 − {b.deadweight:g} deadweight)" if b.deadweight else "")
              + ("; change net of the comparison group" if comparison else ""))
    return Valued(
        benefit=b, classification=classification, grade=grade, grade_reason=reason, status=status,
        hours=hours if monetised else None, cashable=cash, non_cashable=noncash,
        forecast_hours=forecast_hours, forecast_gbp=forecast_gbp, realised=share,
        rating=rating(None if share is None else float(share.estimate), thresholds), method=method,
        task_detail=detail, forecast_by_year=by_year if monetised else {},
        baseline_used=mean_before,
        baseline_reason="the measured mean before go-live, so the forecast and the actual are set against the "
                        "same timed baseline",
    )


# -- the review as a whole ------------------------------------------------------
def totals_by_year(valued: Sequence[Valued], productive: float, fallback: _dt.date) -> tuple[dict[str, Any], ...]:
    """Hours, FTE and pounds by financial year and confidence grade.

    Each benefit's annual figure is counted over the year from its tracking
    start (or ``fallback``) and split between financial years by days.
    """
    cells: dict[tuple[str, str], dict[str, float]] = {}
    for v in valued:
        parts = {p: v.amount(p) for p in ("hours", "cashable", "non_cashable")}
        if not any(parts.values()):
            continue
        start = v.benefit.tracking_start or fallback
        for part, amount in parts.items():
            for fy, share in split_by_financial_year(amount, start).items():
                cell = cells.setdefault((fy, v.grade), {"hours": 0.0, "cashable": 0.0, "non_cashable": 0.0})
                cell[part] += share
    order = {g: i for i, g in enumerate(GRADES)}
    out = []
    for (fy, grade), c in sorted(cells.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        out.append({"financial_year": fy, "confidence_grade": grade, "hours": c["hours"],
                    "fte": c["hours"] / productive, "cashable_gbp": c["cashable"],
                    "non_cashable_gbp": c["non_cashable"]})
    return tuple(out)


def _estimate(name: str, label: str, change: Change | None, unit: str, *, headline: bool = False,
              measure: str = "per year") -> Estimate:
    if change is None:
        change = Change(np.asarray(0.0))
    low, high = change.interval() if change.measured else (None, None)
    return Estimate(name=name, label=label, measure=measure, estimate=float(change.estimate), scale="total",
                    headline=headline, se=float(change.se) if change.measured else None,
                    ci_low=None if low is None else float(low), ci_high=None if high is None else float(high),
                    unit=unit)


def estimates(valued: Sequence[Valued], productive: float) -> tuple[Estimate, ...]:
    """The review's estimates: measured totals (the headline is hours a year) and shares realised."""
    # run rates a year: measured benefits counted in totals, one-off benefits left to the profile
    measured = [v for v in valued if v.measured and v.benefit.in_totals and v.benefit.recurring]

    def sum_of(part: str) -> Change:
        return total([getattr(v, part) for v in measured if getattr(v, part) is not None])

    hours = sum_of("hours")
    out = [
        _estimate("hours_released_per_year", "Hours released a year (measured run rate)", hours, "hours",
                  headline=True),
        _estimate("fte_released", "Full-time posts released (measured run rate)", hours.scaled(1 / productive), "FTE"),
        _estimate("cashable_gbp", "Cashable savings a year (measured run rate)", sum_of("cashable"), "GBP"),
        _estimate("non_cashable_gbp", "Non-cashable savings a year (measured run rate)", sum_of("non_cashable"), "GBP"),
    ]
    money = [v for v in measured if v.forecast_gbp and (v.cashable is not None or v.non_cashable is not None)]
    if money:
        amounts = [v.cashable if v.cashable is not None else v.non_cashable for v in money]
        realised = total([c for c in amounts if c is not None])
        forecast = sum(v.forecast_gbp for v in money if v.forecast_gbp is not None)
        out.append(_estimate("realised_share", "Share of forecast realised (measured benefits, in pounds)",
                             realised.scaled(1 / forecast), "share", measure="share of forecast"))
    for v in valued:
        if v.measured and v.realised is not None:
            out.append(_estimate(f"{v.benefit.id}.realised_share", f"{v.benefit.id}: share of forecast realised",
                                 v.realised, "share", measure="share of forecast"))
    return tuple(out)


def rates_used(valued: Sequence[Valued], timings: dict[str, TaskTimings]) -> frozenset[str]:
    """The grades (as keys) whose hourly rates value a benefit."""
    used: set[str] = set()
    for v in valued:
        b = v.benefit
        if b.task and b.task in timings:
            used.update(grade_key(g) for gs in timings[b.task].grades.values() for g in gs)
        elif b.grade and b.kind == "hours":
            used.add(grade_key(b.grade))
    return frozenset(used)


def evidence(valued: Sequence[Valued]) -> Evidence:
    """Maryland level 3 when every measured saving nets out a comparison group, else level 1."""
    measured = [v for v in valued if v.measured]
    if measured and all(v.task_detail.get("comparison_group") for v in measured):
        return Evidence(3, "Every measured saving compares the change in task times with the change in a "
                        "comparison group that did not get the new way of working.",
                        "Allocate the change at random between teams to reach level 5.")
    return Evidence(1, "The savings compare task times or levels before and after go-live, with no comparison "
                    "group, so other changes at the same time may explain part of them.",
                    "Time the same tasks in a comparable team that has not yet adopted the change, before and "
                    "after, and give them as process_timings rows with group 'comparison'.")
