"""Benefits realisation: the Post-Implementation Review of a change programme.

:func:`fit` takes a benefits register and hourly rates (and, optionally,
timings of tasks before and after the change with their volumes), all held
in memory, works out the hours and
pounds released a year, how much of each forecast was realised, a confidence
grade for every benefit, totals by financial year, and the checks that
protect the numbers. It returns a :class:`PIRResult`.

The headline, ``hours_released_per_year``, counts measured savings only
(confidence grades *known* and *projected*); forecasts not yet measured
(*anticipated*, *potential*) are reported beside it, never inside it.

Examples
--------
>>> register = [{"id": "B1", "description": "Report production", "owner": "Head of Analysis",
...              "category": "time_saving", "measure": "hours of manual report production",
...              "unit": "hours per week", "direction": "decrease", "baseline": 50, "forecast": 10,
...              "actual": 20, "baseline_start": "2023-04-01", "baseline_end": "2024-03-31",
...              "tracking_start": "2024-04-01", "tracking_end": "2025-03-31",
...              "evidence": "timesheets", "grade": "Police Staff Scale 6"}]
>>> rates = [{"grade": "Police Staff Scale 6", "hourly_cost_gbp": 30, "price_year": "2024/25",
...           "cost_basis": "full", "source": "finance"}]
>>> r = fit(benefits=register, rates=rates, reinvestment=[{"activity": "Problem profiles", "hours": 1560}])
>>> r.estimate("hours_released_per_year").estimate  # (50 - 20) hours a week x 52 weeks
1560.0
>>> r.estimate("B1.realised_share").estimate  # (50 - 20) / (50 - 10)
0.75
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from ... import text
from ...results import Estimate
from ...value import Deflator
from .checks import Context, run_checks
from .model import estimates, evidence, rates_used, value_benefit
from .money import RateTable, fy_of
from .profile import Profile, profile, value_for_money
from .records import TableRows
from .result import PIRResult
from .review_inputs import ReviewInputs, check_inputs
from .words import method_notes, summary

__all__ = ["fit", "fit_inputs"]


def fit(
    *,
    benefits: TableRows,
    process_timings: TableRows | None = None,
    volumes: TableRows | None = None,
    rates: TableRows | RateTable | None = None,
    productive_hours_per_fte: float | None = None,
    weeks_per_year: float = 52,
    reporting_year: str | int | None = None,
    reinvestment: TableRows | None = None,
    outputs_maintained: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    rating_thresholds: dict[str, Any] | None = None,
    review_date: str | _dt.date | None = None,
    lessons: str | Sequence[str] | None = None,
    recommendations: str | Sequence[str] | None = None,
    process_findings: str | Sequence[str] | None = None,
    signoff: Mapping[str, Any] | None = None,
    costs: TableRows | None = None,
    as_of: str | _dt.date | None = None,
    go_live: str | _dt.date | None = None,
    horizon: str | int | None = None,
    price_base: str | int | None = None,
    deflator: Deflator | None = None,
    seed: int = 20240401,
) -> PIRResult:
    """Review a change programme's benefits six months (or more) after go-live.

    Every table is held in memory: rows written in the spec (a list of
    dicts), a :class:`pandas.DataFrame`, or the
    :class:`~whatworks.designs.benefits.records.Records` that
    :func:`~whatworks.templates.pir.read_tables` read from a file.

    Parameters
    ----------
    benefits
        The benefits register (see :mod:`whatworks.designs.benefits.inputs`
        for the columns).
    process_timings, volumes
        Minutes per task before and after go-live, and how often each task
        happens; a register row names its task in a ``task`` column.
    rates
        Full hourly cost by grade: rows, or a parsed
        :class:`~whatworks.designs.benefits.money.RateTable` such as
        :func:`~whatworks.templates.pir.default_rates`, the
        shipped illustrative table.
    productive_hours_per_fte
        Productive hours a year of one full-time post (default 1,600).
    weeks_per_year
        Weeks used to annualise weekly figures (default 52).
    reporting_year
        Financial year reported on (``2024/25``); by default the year of
        ``review_date`` or of the latest tracking date.
    reinvestment
        Where released hours went: ``activity``, ``hours`` a year, ``evidence``.
    outputs_maintained
        The service's output measure(s): ``measure``, ``before``, ``after``.
    rating_thresholds
        ``{green: 0.9, amber: 0.5}`` by default.
    review_date, lessons, recommendations, process_findings, signoff
        The review's date and free text, shown as written.
    costs
        Programme costs: ``item``, ``financial_year``, ``gbp``, ``recurring``
        (true: every year from ``financial_year`` to ``end_year`` or the horizon).
    as_of
        The day every "to date" figure and "this financial year" count from
        (default ``review_date``, else the latest tracking end).
    go_live
        The day the change went live (default: the earliest tracking start).
    horizon
        The last financial year profiled (default: the later of the last year
        the register forecasts and the third financial year after ``as_of``'s).
    price_base
        The financial year whose prices every pound is in (default
        ``reporting_year``); hourly costs are uprated to it by ``deflator``.
    deflator
        A :class:`whatworks.value.Deflator` (default: the shipped GDP deflator).
    seed
        Kept for a stable signature; the Welch intervals used need no
        random numbers.

    Returns
    -------
    PIRResult
    """
    return fit_inputs(check_inputs(
        benefits=benefits, process_timings=process_timings, volumes=volumes, rates=rates,
        productive_hours_per_fte=productive_hours_per_fte, weeks_per_year=weeks_per_year,
        reporting_year=reporting_year, reinvestment=reinvestment, outputs_maintained=outputs_maintained,
        rating_thresholds=rating_thresholds, review_date=review_date, lessons=lessons,
        recommendations=recommendations, process_findings=process_findings, signoff=signoff,
        costs=costs, as_of=as_of, go_live=go_live, horizon=horizon, price_base=price_base, deflator=deflator,
    ))


def fit_inputs(inputs: ReviewInputs) -> PIRResult:
    """Review a change programme from inputs already parsed and checked (:func:`check_inputs`)."""
    x = inputs
    valued = tuple(value_benefit(b, rates=x.rates, timings=x.timings, volumes=x.volumes,
                                 thresholds=x.thresholds, weeks_per_year=x.weeks_per_year) for b in x.register)
    used = rates_used(valued, x.timings)
    checks = run_checks(Context(valued, x.timings, x.rates, used, x.reporting_year, x.reinvestment, x.outputs,
                                go_live=x.go_live, as_of=x.as_of))
    prof = profile(valued, as_of=x.as_of, go_live=x.go_live, horizon=x.horizon)
    vfm = value_for_money(prof, x.costs)
    ests = estimates(valued, x.productive_hours_per_fte) + _profile_estimates(prof, vfm)
    if any(c.name == "double_counting" and c.status == "fail" for c in checks):
        ests = ()  # the headline is withheld until the overlap is resolved, so every estimate is
    level = evidence(valued)
    starts = [d for b in x.register for d in (b.baseline_start, b.tracking_start) if d]
    ends = [b.tracking_end for b in x.register if b.tracking_end]
    return PIRResult(
        estimates=ests, checks=checks, evidence=level,
        summary_text=summary(valued, ests, checks, level),
        notes=method_notes(x.rates, x.productive_hours_per_fte, x.weeks_per_year, x.thresholds,
                           timings_given=bool(x.timings), productive_given=x.productive_given)
        + (f"Dates: go-live {text.fmt_date(x.go_live)}; figures to date are at {text.fmt_date(x.as_of)} (so this "
           f"financial year is {fy_of(x.as_of)}); the profile runs from {fy_of(x.go_live)} to {x.horizon}. "
           f"Pounds are at {x.price_base} prices"
           + (f"; deflator: {x.deflator.label}, {x.deflator.source}." if x.deflator else "."),),
        period_start=min(starts) if starts else None, period_end=max(ends) if ends else None,
        valued=valued, benefit_totals=prof.totals(x.productive_hours_per_fte), profile=prof, value=vfm,
        costs=x.costs, price_base=x.price_base, deflator=x.deflator,
        reinvestment=x.reinvestment, outputs=x.outputs, lessons=x.lessons, recommendations=x.recommendations,
        process_findings=x.process_findings, signoff=dict(x.signoff), rates=x.rates,
        reporting_year=x.reporting_year, review_date=x.review_date, thresholds=x.thresholds,
        productive_hours_per_fte=x.productive_hours_per_fte,
    )


def _profile_estimates(prof: Profile, vfm: dict[str, Any]) -> tuple[Estimate, ...]:
    """Hours released to date (known), and the value for money over the horizon, in the price base."""
    known = sum(p.hours for p in prof.pieces if p.counted and p.grade == "known")
    out = [Estimate(name="known_hours_to_date", label="Hours released to date (known: measured)",
                    measure="to date", estimate=known, scale="total", unit="hours"),
           Estimate(name="net_benefit_gbp", label=f"Net benefit to {prof.horizon}, undiscounted",
                    measure="to the horizon", estimate=vfm["years"][-1]["cumulative_net_gbp"] if vfm["years"] else 0.0,
                    scale="total", unit="GBP"),
           Estimate(name="npv_gbp", label=f"Net present value to {prof.horizon} (3.5% real)",
                    measure="present value", estimate=vfm["npv_gbp"], scale="total", unit="GBP")]
    for key, label in (("bcr_total", "Benefit-cost ratio (all benefits)"),
                       ("bcr_cashable", "Benefit-cost ratio (cashable only)")):
        if vfm[key] is not None:
            out.append(Estimate(name=key, label=label, measure="ratio of present values", estimate=vfm[key],
                                scale="ratio", unit="ratio"))
    return tuple(out)
