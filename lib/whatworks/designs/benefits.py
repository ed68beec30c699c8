"""Benefits realisation: the Post-Implementation Review of a change programme.

:func:`fit` takes a benefits register (and, optionally, timings of tasks
before and after the change with their volumes), works out the hours and
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
>>> r = fit(benefits=register, reinvestment=[{"activity": "Problem profiles", "hours": 1560}])
>>> r.estimate("hours_released_per_year").estimate  # (50 - 20) hours a week x 52 weeks
1560.0
>>> r.estimate("B1.realised_share").estimate  # (50 - 20) / (50 - 10)
0.75
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, SpecError
from ..results import Estimate, Evidence, Result
from . import _benefits_report as _report
from ._benefits_checks import CHECK_NAMES, Context, run_checks
from ._benefits_inputs import (
    Benefit,
    TaskTimings,
    check_timing_grades,
    parse_benefits,
    parse_timings,
    parse_volumes,
    read_records,
)
from ._benefits_context import parse_outputs, parse_rates, parse_reinvestment, parse_text
from ._benefits_money import (
    DEFAULT_PRODUCTIVE_HOURS,
    DEFAULT_RATES_NAME,
    RateTable,
    default_rates_path,
    fy_label,
    fy_of,
    fy_start,
    grade_key,
    split_by_financial_year,
)
from ._benefits_timing import Change, total
from ._benefits_value import GRADES, Valued, value_benefit

__all__ = ["fit", "validate_inputs", "PIRResult", "DEFAULT_THRESHOLDS", "CHECK_NAMES", "GRADES"]

#: Ratings: green at or above 90% realised, amber at or above 50%, red below.
DEFAULT_THRESHOLDS: dict[str, float] = {"green": 0.9, "amber": 0.5}


@dataclass(frozen=True, kw_only=True)
class PIRResult(Result):
    """A Post-Implementation Review: benefits, totals, checks and the review's text.

    Besides the common :class:`~whatworks.results.Result` parts it holds every
    benefit as valued (``valued``), the totals by financial year and
    confidence grade (``benefit_totals``), and the review's free text.
    """

    valued: tuple[Valued, ...] = ()
    benefit_totals: tuple[dict, ...] = ()
    reinvestment: tuple[dict, ...] | None = None
    outputs: tuple[dict, ...] = ()
    lessons: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    process_findings: tuple[str, ...] = ()
    signoff: dict = field(default_factory=dict)
    rates: RateTable | None = None
    reporting_year: str = ""
    review_date: _dt.date | None = None
    thresholds: dict = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    productive_hours_per_fte: float = DEFAULT_PRODUCTIVE_HOURS

    # -- tables and charts (built in _benefits_report) -----------------------
    def table(self):
        """The headline figures: hours, posts, pounds and shares realised, with 95% intervals."""
        return _report.headline_table(self)

    def register_table(self):
        """The benefits register as reviewed: category, measure, owner, grade."""
        return _report.register_table(self)

    def realisation_table(self):
        """Baseline, forecast, actual, realised share and rating per benefit."""
        return _report.realisation_table(self)

    def totals_table(self):
        """Hours, FTE and pounds by financial year and confidence grade."""
        return _report.totals_table(self)

    def grade_table(self):
        """Totals by confidence grade, with the rule for each grade."""
        return _report.grade_table(self)

    def reinvestment_table(self):
        """Where released hours went, and how many are notional."""
        return _report.reinvestment_table(self)

    def review_text(self):
        """Process findings, lessons, recommendations and sign-off (escaped)."""
        return _report.review_text(self)

    def plot(self):
        """The forecast-versus-actual trajectory of hours released, by month."""
        return _report.plot_trajectory(self)

    def plot_trajectory(self):
        return _report.plot_trajectory(self)

    def plot_waterfall(self):
        """Hours released a year, benefit by benefit, measured then hoped-for."""
        return _report.plot_waterfall(self)

    # -- results.json ----------------------------------------------------------
    def extra(self) -> dict:
        return {"benefit_totals": list(self.benefit_totals), "pir": _report.pir_payload(self)}


# -- helpers --------------------------------------------------------------------
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
    if value is None or isinstance(value, _dt.date):
        return value.date() if isinstance(value, _dt.datetime) else value
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise SpecError(f"'{value}' is not a date", key=key, hint="Write it as 2025-04-15.") from None


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


def _totals(valued: Sequence[Valued], productive: float, fallback: _dt.date) -> tuple[dict, ...]:
    cells: dict[tuple[str, str], dict] = {}
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


def _evidence(valued: Sequence[Valued]) -> Evidence:
    measured = [v for v in valued if v.measured]
    if measured and all(v.task_detail.get("comparison_group") for v in measured):
        return Evidence(3, "Every measured saving compares the change in task times with the change in a "
                        "comparison group that did not get the new way of working.",
                        "Allocate the change at random between teams to reach level 5.")
    return Evidence(1, "The savings compare task times or levels before and after go-live, with no comparison "
                    "group, so other changes at the same time may explain part of them.",
                    "Time the same tasks in a comparable team that has not yet adopted the change, before and "
                    "after, and give them as process_timings rows with group 'comparison'.")


# -- the design -----------------------------------------------------------------
def fit(
    *,
    benefits,
    process_timings=None,
    volumes=None,
    rates=None,
    productive_hours_per_fte: float | None = None,
    weeks_per_year: float = 52,
    reporting_year: str | int | None = None,
    reinvestment=None,
    outputs_maintained=None,
    rating_thresholds: dict | None = None,
    review_date=None,
    lessons=None,
    recommendations=None,
    process_findings=None,
    signoff: dict | None = None,
    seed: int = 20240401,
    base_dir: str | Path = ".",
) -> PIRResult:
    """Review a change programme's benefits six months (or more) after go-live.

    Parameters
    ----------
    benefits
        The benefits register: a CSV/Excel path or a list of rows (see the
        module :mod:`whatworks.designs._benefits_inputs` for the columns).
    process_timings, volumes
        Minutes per task before and after go-live, and how often each task
        happens; a register row names its task in a ``task`` column.
    rates
        Full hourly cost by grade; the shipped illustrative table if omitted.
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
    seed
        Kept for a stable signature; the Welch intervals used need no
        random numbers.
    base_dir
        Folder that relative file paths are read from.

    Returns
    -------
    PIRResult
    """
    base = Path(base_dir)
    register = parse_benefits(read_records(benefits, key="benefits", base_dir=base))
    weeks = _positive(weeks_per_year, "weeks_per_year", 52.0)
    productive = _positive(productive_hours_per_fte, "productive_hours_per_fte", DEFAULT_PRODUCTIVE_HOURS)
    review = _date(review_date, "review_date")
    year = _reporting_year(reporting_year, review, register)
    thresholds = _thresholds(rating_thresholds)
    if rates is None:
        rate_records = dataclasses.replace(read_records(default_rates_path(), key="rates"),
                                           label=f"the shipped rates table ({DEFAULT_RATES_NAME})")
    else:
        rate_records = read_records(rates, key="rates", base_dir=base)
    rate_table = parse_rates(rate_records, is_default=rates is None)
    linked = {b.task: b.id for b in register if b.task}
    timings = parse_timings(read_records(process_timings, key="process_timings", base_dir=base), linked=linked) \
        if process_timings is not None else {}
    volume_map = parse_volumes(read_records(volumes, key="volumes", base_dir=base), weeks_per_year=weeks) \
        if volumes is not None else {}
    _check_links(register, timings, volume_map, volumes_label=_label(volumes, "volumes"))
    check_timing_grades(timings, rate_table, linked)
    valued = tuple(value_benefit(b, rates=rate_table, timings=timings, volumes=volume_map,
                                 thresholds=thresholds, weeks_per_year=weeks) for b in register)
    reinvest = tuple(parse_reinvestment(read_records(reinvestment, key="reinvestment", base_dir=base))) \
        if reinvestment is not None else None
    _check_reinvestment(reinvest or (), register, _label(reinvestment, "reinvestment"))
    outputs = tuple(parse_outputs(outputs_maintained))
    used = _rates_used(valued, timings)
    checks = run_checks(Context(valued, timings, rate_table, used, year, reinvest, outputs))
    fallback = review or fy_start(year)
    estimates = _estimates(valued, productive)
    starts = [d for b in register for d in (b.baseline_start, b.tracking_start) if d]
    ends = [b.tracking_end for b in register if b.tracking_end]
    result = PIRResult(
        estimates=estimates, checks=checks, evidence=_evidence(valued),
        notes=_report.method_notes(rate_table, productive, weeks, thresholds, timings_given=bool(timings),
                                   productive_given=productive_hours_per_fte is not None),
        period_start=min(starts) if starts else None, period_end=max(ends) if ends else None,
        valued=valued, benefit_totals=_totals(valued, productive, fallback), reinvestment=reinvest,
        outputs=outputs, lessons=parse_text(lessons, key="lessons"),
        recommendations=parse_text(recommendations, key="recommendations"),
        process_findings=parse_text(process_findings, key="process_findings"),
        signoff=dict(signoff or {}), rates=rate_table, reporting_year=year, review_date=review,
        thresholds=thresholds, productive_hours_per_fte=productive,
    )
    return dataclasses.replace(result, summary_text=_report.summary(result))


def validate_inputs(ev) -> PIRResult:
    """Read and check a review's inputs exactly as its notebook's first call does.

    ``ev`` is a :class:`whatworks.evaluation.Evaluation`; relative paths are
    read from the current folder (the spec's folder when called by
    :func:`whatworks.validation.validate`). Fitting is cheap, so the inputs
    are checked by fitting: any :class:`DataError` or :class:`SpecError` the
    notebook would raise is raised here first, before a kernel starts.
    """
    return fit(**ev.options_for(fit))


def _label(value: Any, key: str) -> str:
    if value is None:
        return f"{key} (not given)"
    return f"{key} ({Path(value).name})" if isinstance(value, (str, Path)) else f"{key} (in the spec)"


def _check_links(register: Sequence[Benefit], timings: dict[str, TaskTimings], volumes: dict[str, tuple],
                 *, volumes_label: str) -> None:
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


def _check_reinvestment(records: Sequence[dict], register: Sequence[Benefit], label: str) -> None:
    ids = {b.id for b in register}
    for r in records:
        if r["benefit"] is not None and r["benefit"] not in ids:
            raise DataError(f"reinvestment '{r['activity']}' names benefit '{r['benefit']}', which is not in the "
                            "register", file=label, column="benefit",
                            hint=f"Use one of the register's ids ({', '.join(sorted(ids))}) or leave it blank.")


def _rates_used(valued: Sequence[Valued], timings: dict[str, TaskTimings]) -> frozenset[str]:
    used = set()
    for v in valued:
        b = v.benefit
        if b.task and b.task in timings:
            used.update(grade_key(g) for gs in timings[b.task].grades.values() for g in gs)
        elif b.grade and b.kind == "hours":
            used.add(grade_key(b.grade))
    return frozenset(used)


def _estimates(valued: Sequence[Valued], productive: float) -> tuple[Estimate, ...]:
    measured = [v for v in valued if v.measured]

    def sum_of(part: str) -> Change:
        return total([getattr(v, part) for v in measured if getattr(v, part) is not None])

    hours = sum_of("hours")
    out = [
        _estimate("hours_released_per_year", "Hours released a year (measured)", hours, "hours", headline=True),
        _estimate("fte_released", "Full-time posts released (measured)", hours.scaled(1 / productive), "FTE"),
        _estimate("cashable_gbp", "Cashable savings a year (measured)", sum_of("cashable"), "GBP"),
        _estimate("non_cashable_gbp", "Non-cashable savings a year (measured)", sum_of("non_cashable"), "GBP"),
    ]
    money = [v for v in measured if v.forecast_gbp and (v.cashable is not None or v.non_cashable is not None)]
    if money:
        realised = total([v.cashable if v.cashable is not None else v.non_cashable for v in money])
        forecast = sum(v.forecast_gbp for v in money)
        out.append(_estimate("realised_share", "Share of forecast realised (measured benefits, in pounds)",
                             realised.scaled(1 / forecast), "share", measure="share of forecast"))
    for v in measured:
        if v.realised is not None:
            out.append(_estimate(f"{v.benefit.id}.realised_share", f"{v.benefit.id}: share of forecast realised",
                                 v.realised, "share", measure="share of forecast"))
    return tuple(out)

