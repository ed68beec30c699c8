"""A review's inputs, parsed and checked together: the tables, the options and the links between them.

:func:`check_inputs` takes every input in memory (rows, frames or
:class:`~.records.Records`; a parsed :class:`~.money.RateTable` for the
rates), parses each table, checks the options and the links between tables
(every timed task has a benefit and a volume; every grade has a rate; every
reinvestment names a benefit in the register), and returns
:class:`ReviewInputs`. It raises the errors a notebook would, before any
number is worked out.

Examples
--------
>>> row = {"id": "B1", "category": "quality", "measure": "complaints", "unit": "complaints a month",
...        "direction": "decrease", "baseline": 20, "forecast": 10}
>>> rates = [{"grade": "PC", "hourly_cost_gbp": 40, "price_year": "2024/25", "cost_basis": "full"}]
>>> checked = check_inputs(benefits=[row], rates=rates, review_date="2025-03-15")
>>> checked.reporting_year, checked.thresholds
('2024/25', {'green': 0.9, 'amber': 0.5})
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...dates import parse_date
from ...errors import DataError, SpecError
from ...value import Deflator, HourlyCost, default_deflator
from .inputs import (
    Benefit,
    TaskTimings,
    check_timing_grades,
    parse_benefits,
    parse_costs,
    parse_outputs,
    parse_rates,
    parse_reinvestment,
    parse_text,
    parse_timings,
    parse_volumes,
)
from .money import DEFAULT_PRODUCTIVE_HOURS, RateTable, fy_label, fy_of, fy_start
from .records import TableRows, records_from

__all__ = ["DEFAULT_THRESHOLDS", "ReviewInputs", "check_inputs"]

#: Ratings: green at or above 90% realised, amber at or above 50%, red below.
DEFAULT_THRESHOLDS: dict[str, float] = {"green": 0.9, "amber": 0.5}


@dataclass(frozen=True, kw_only=True)
class ReviewInputs:
    """Everything a review is worked out from, parsed and checked."""

    register: tuple[Benefit, ...]
    timings: dict[str, TaskTimings]
    volumes: dict[str, tuple[float, str]]
    rates: RateTable
    reinvestment: tuple[dict[str, Any], ...] | None
    outputs: tuple[dict[str, Any], ...]
    weeks_per_year: float
    productive_hours_per_fte: float
    productive_given: bool
    reporting_year: str
    review_date: _dt.date | None
    thresholds: dict[str, float]
    lessons: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    process_findings: tuple[str, ...] = ()
    signoff: dict[str, Any] = field(default_factory=dict)
    costs: tuple[dict[str, Any], ...] = ()
    as_of: _dt.date = _dt.date(2000, 1, 1)
    go_live: _dt.date = _dt.date(2000, 1, 1)
    horizon: str = ""
    price_base: str = ""
    deflator: Deflator | None = None


def check_inputs(
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
) -> ReviewInputs:
    """Parse and check a review's inputs, all held in memory.

    The parameters are those of :func:`whatworks.designs.benefits.fit`.

    Raises
    ------
    DataError, SpecError
        Naming the table, column, row or key, and the fix.
    """
    register = parse_benefits(records_from(benefits, key="benefits"))
    weeks = _positive(weeks_per_year, "weeks_per_year", 52.0)
    productive = _positive(productive_hours_per_fte, "productive_hours_per_fte", DEFAULT_PRODUCTIVE_HOURS)
    review = _date(review_date, "review_date")
    year = _reporting_year(reporting_year, review, register)
    thresholds = _thresholds(rating_thresholds)
    if rates is None:
        raise SpecError("no hourly rates table was given", key="rates",
                        hint="Give the rates rows, or the shipped illustrative table: ww.pir.default_rates().")
    rate_table = rates if isinstance(rates, RateTable) else parse_rates(records_from(rates, key="rates"),
                                                                       is_default=False)
    base = fy_label(price_base, key="price_base") if price_base is not None else year
    deflator = deflator or default_deflator()
    rate_table = _uprated(rate_table, base, deflator)
    day = _date(as_of, "as_of") or review
    if day is None:  # the latest day measured, else the reporting year's last day: never the clock
        ends = [b.tracking_end for b in register if b.tracking_end]
        day = max(ends) if ends else fy_start(year).replace(year=fy_start(year).year + 1) - _dt.timedelta(days=1)
    starts = [b.tracking_start for b in register if b.tracking_start]
    live = _date(go_live, "go_live") or (min(starts) if starts else day)
    if live > day:
        raise SpecError(f"go-live ({live}) is after the review date ({day})", key="go_live",
                        hint="Check go_live and review_date (or as_of).")
    last = max([fy_of(day)] + [fy for b in register for fy in b.fy_forecasts])
    default_horizon = max(last, fy_label(int(fy_of(day)[:4]) + 3))
    end_year = fy_label(horizon, key="horizon") if horizon is not None else default_horizon
    if end_year < fy_of(day):
        raise SpecError(f"the horizon {end_year} ends before the review's year {fy_of(day)}", key="horizon",
                        hint="Give the last financial year to profile, on or after the review's year.")
    cost_rows = tuple(parse_costs(records_from(costs, key="costs"))) if costs is not None else ()
    linked = {b.task: b.id for b in register if b.task}
    timings = parse_timings(records_from(process_timings, key="process_timings"), linked=linked) \
        if process_timings is not None else {}
    volume_table = records_from(volumes, key="volumes") if volumes is not None else None
    volume_map = parse_volumes(volume_table, weeks_per_year=weeks) if volume_table is not None else {}
    _check_links(register, timings, volume_map,
                 volumes_label=volume_table.label if volume_table is not None else "volumes (not given)")
    check_timing_grades(timings, rate_table, linked)
    reinvest_table = records_from(reinvestment, key="reinvestment") if reinvestment is not None else None
    reinvest = tuple(parse_reinvestment(reinvest_table)) if reinvest_table is not None else None
    _check_reinvestment(reinvest or (), register,
                        reinvest_table.label if reinvest_table is not None else "reinvestment (not given)")
    return ReviewInputs(
        register=tuple(register), timings=timings, volumes=volume_map, rates=rate_table, reinvestment=reinvest,
        outputs=tuple(parse_outputs(outputs_maintained)), weeks_per_year=weeks,
        productive_hours_per_fte=productive, productive_given=productive_hours_per_fte is not None,
        reporting_year=year, review_date=review, thresholds=thresholds,
        lessons=parse_text(lessons, key="lessons"), recommendations=parse_text(recommendations, key="recommendations"),
        process_findings=parse_text(process_findings, key="process_findings"), signoff=dict(signoff or {}),
        costs=cost_rows, as_of=day, go_live=live, horizon=end_year, price_base=base, deflator=deflator,
    )


def _uprated(table: RateTable, base: str, deflator: Deflator) -> RateTable:
    """Every rate at the price base, uprated by the deflator; the rate as given is kept beside it."""
    out = []
    for r in table.rates:
        original_gbp = r.priced_gbp if r.priced_gbp is not None else r.hourly_cost_gbp
        original_year = r.priced_year or r.price_year
        try:
            gbp = HourlyCost(r.grade, original_gbp, original_year).at(base, deflator)
        except KeyError as err:
            raise SpecError(f"the hourly cost for {r.grade} cannot be moved from {original_year} to {base} "
                            f"prices: {err.args[0]}", key="price_base",
                            hint="Use a price base the deflator covers, or give rates priced in it.") from None
        out.append(replace(r, hourly_cost_gbp=gbp, price_year=base, priced_gbp=original_gbp,
                           priced_year=original_year))
    return replace(table, rates=tuple(out))


# -- options ----------------------------------------------------------------------
def _thresholds(value: Any) -> dict[str, float]:
    if value is None:
        return dict(DEFAULT_THRESHOLDS)
    if not isinstance(value, dict) or set(value) - {"green", "amber"}:
        raise SpecError("expected 'green' and 'amber' shares", key="rating_thresholds",
                        hint="Write, for example: {green: 0.9, amber: 0.5}.")
    out = dict(DEFAULT_THRESHOLDS)
    for k, v in value.items():
        try:
            out[k] = float(str(v).rstrip("%")) / (100 if str(v).endswith("%") else 1)
        except ValueError:
            raise SpecError(f"'{v}' is not a number", key=f"rating_thresholds.{k}",
                            hint="Write a share, for example 0.9 for 90%.") from None
        if not 0 <= out[k] <= 2:
            raise SpecError(f"{k} threshold {v} is not a share", key=f"rating_thresholds.{k}",
                            hint="Write a share, for example 0.9 for 90%, not 90.")
    if out["amber"] > out["green"]:
        raise SpecError("the amber threshold is above the green one", key="rating_thresholds",
                        hint="Amber must be lower, for example green 0.9 and amber 0.5.")
    return out


def _date(value: Any, key: str) -> _dt.date | None:
    return None if value is None else parse_date(value, key=key).date()


def _positive(value: Any, key: str, default: float) -> float:
    if value is None:
        return default
    try:
        out = float(value)
    except (TypeError, ValueError):
        out = float("nan")
    if not out > 0:
        raise SpecError(f"'{value}' is not a positive number", key=key, hint="Give a number above zero.")
    return out


def _reporting_year(value: Any, review_date: _dt.date | None, benefits: Sequence[Benefit]) -> str:
    if value is not None:
        return fy_label(value)
    ends = [b.tracking_end for b in benefits if b.tracking_end] or [b.baseline_end for b in benefits if b.baseline_end]
    if not ends and review_date is not None:
        return fy_of(review_date)
    if not ends:
        raise SpecError("no reporting year is given and the register has no dates to infer it from",
                        key="reporting_year", hint="Add reporting_year, for example 2024/25.")
    return fy_of(max(ends))


# -- links between tables ------------------------------------------------------------
def _check_links(register: Sequence[Benefit], timings: Mapping[str, TaskTimings],
                 volumes: Mapping[str, tuple[float, str]], *, volumes_label: str) -> None:
    linked = {b.task: b.id for b in register if b.task}
    for task in timings:
        if task not in linked:
            raise DataError(f"task '{task}' has timings but no benefit in the register names it",
                            file=next(iter(timings.values())).source, column="task",
                            hint=f"Add a benefit with task '{task}' to the register, or remove these timings.")
        if task not in volumes:
            raise DataError(f"benefit '{linked[task]}': task '{task}' has timings but no volume, so its saving "
                            "cannot be scaled to a year", file=volumes_label, column="task",
                            hint=f"Add a row for '{task}' to volumes with total_occurrences (or times_per_person "
                                 "and staff) and per.")


def _check_reinvestment(records: Sequence[Mapping[str, Any]], register: Sequence[Benefit], label: str) -> None:
    ids = {b.id for b in register}
    for r in records:
        if r["benefit"] is not None and r["benefit"] not in ids:
            raise DataError(f"reinvestment '{r['activity']}' names benefit '{r['benefit']}', which is not in the "
                            "register", file=label, column="benefit",
                            hint=f"Use one of the register's ids ({', '.join(sorted(ids))}) or leave it blank.")
