"""Parsing and checking the rows of a benefits review: register, timings, volumes, rates, free text.

Every parser takes rows already in memory (:class:`~.records.Records`) and
returns typed rows; none reads a file. Every problem a user can fix raises
:class:`~whatworks.errors.DataError` naming the table, the column (the
field), the row and, where there is one, the benefit or task.

The register has one row per benefit with the columns ``id``,
``description``, ``owner``, ``category`` (``time_saving``,
``cash_releasing``, ``non_cash_releasing``, ``quality``, ``societal``),
``measure``, ``unit`` (``hours per week``, ``gbp per year``, or any other
unit, which is then not valued in hours or pounds), ``direction``
(``decrease`` or ``increase`` is better), ``baseline``, ``baseline_start``,
``baseline_end``, ``forecast`` (the level expected at the review point),
``actual``, ``tracking_start``, ``tracking_end``, ``evidence``,
``budget_line_reduced`` and ``deadweight`` (default 0). Optional columns:
``per`` (the period of the unit, if the unit does not say), ``grade`` (whose
hours are released, to value them), ``task`` (a task timed in
``process_timings``; its baseline and forecast are then minutes per task),
``forecast_YYYY_YY`` (forecast level in a financial year, e.g.
``forecast_2025_26``) and ``actual_YYYY_MM`` (measured level in a month,
e.g. ``actual_2024_10``: the hours released to date are their sum),
``recurring`` (default true; false for a one-off benefit, counted once in
the financial year its tracking starts), ``end_date`` (the last day a
recurring benefit runs), ``budget_year`` (the financial year a cash-releasing
budget line is reduced: cashable from then; by default the year tracking
starts), ``merged_into`` (the id of the benefit this one is folded into) and
``counted`` (default true): a merged or uncounted benefit is shown but left
out of every total, and ``finance_validated`` (who in Finance validated a
cashable claim, and when). The ``dis_benefit`` category records a cost the
change brought (extra checking, say): valued like a time saving, with the
sign it has, and netted off the totals.

Programme costs are a separate table (:func:`parse_costs`): ``item``,
``financial_year``, ``gbp``, ``recurring`` (true: every year from
``financial_year`` to ``end_year`` or the horizon).

Examples
--------
>>> parse_text(["First lesson.", "", "Second lesson."], key="lessons")
('First lesson.', 'Second lesson.')
>>> parse_outputs({"measure": "files sent", "before": 100, "after": 94})[0]["direction"]
'increase'
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...errors import DataError, SpecError
from .money import Rate, RateTable, fy_label, fy_of, grade_key, period_name, periods_per_year
from .records import Cell, Records, blank, norm_col, pick_column

__all__ = [
    "CATEGORIES",
    "CATEGORY_WORDS",
    "DIRECTIONS",
    "Benefit",
    "TaskTimings",
    "parse_benefits",
    "parse_timings",
    "parse_volumes",
    "check_timing_grades",
    "parse_rates",
    "parse_reinvestment",
    "parse_costs",
    "parse_outputs",
    "parse_text",
]

#: Benefit categories a register may use.
CATEGORIES = ("time_saving", "cash_releasing", "non_cash_releasing", "quality", "societal", "dis_benefit")
#: How each category is written in the report.
CATEGORY_WORDS = {
    "time_saving": "time saving", "cash_releasing": "cash-releasing", "non_cash_releasing": "non-cash-releasing",
    "quality": "quality", "societal": "societal", "dis_benefit": "dis-benefit",
}
DIRECTIONS = {"decrease": "decrease", "down": "decrease", "lower": "decrease", "reduce": "decrease",
               "increase": "increase", "up": "increase", "higher": "increase"}
_UNIT_RE = re.compile(
    r"^\s*(?P<kind>hours?|hrs?|gbp|£|pounds?)\s*(?:(?:per|a|an|each|/)\s*(?P<per>[a-z]+))?\s*$", re.IGNORECASE
)
_FY_FORECAST_RE = re.compile(r"^forecast_?(?:fy_?)?(\d{4})_?(\d{2}|\d{4})$")
_MONTHLY_ACTUAL_RE = re.compile(r"^actual_(\d{4})_(\d{2})$")
_MONTHS_PER_DAY = 1 / 30.44


# -- the register --------------------------------------------------------------
@dataclass(frozen=True)
class Benefit:
    """One row of a benefits register, parsed and checked."""

    id: str
    description: str
    owner: str | None
    category: str
    measure: str | None
    unit: str | None
    kind: str  # "hours", "gbp" or "other"
    per: str | None
    direction: str
    baseline: float | None
    baseline_start: _dt.date | None
    baseline_end: _dt.date | None
    forecast: float | None
    actual: float | None
    tracking_start: _dt.date | None
    tracking_end: _dt.date | None
    evidence: str | None
    budget_line_reduced: bool
    deadweight: float
    task: str | None = None
    grade: str | None = None
    fy_forecasts: dict[str, float] = field(default_factory=dict)
    monthly_actuals: dict[_dt.date, float] = field(default_factory=dict)
    recurring: bool = True
    end_date: _dt.date | None = None
    budget_year: str | None = None
    merged_into: str | None = None
    counted: bool = True
    finance_validated: str | None = None
    row: int | None = None
    source: str = "benefits register"

    @property
    def in_totals(self) -> bool:
        """False for a benefit merged into another or marked ``counted: false``: shown, never added."""
        return self.counted and self.merged_into is None

    @property
    def months_tracked(self) -> float | None:
        """Months tracked: days from tracking start to tracking end, both included, ÷ 30.44,
        to one decimal place (so 1 April to 31 March is 12.0 months)."""
        if self.tracking_start is None or self.tracking_end is None:
            return None
        return round(((self.tracking_end - self.tracking_start).days + 1) * _MONTHS_PER_DAY, 1)

    @property
    def sign(self) -> float:
        return 1.0 if self.direction == "decrease" else -1.0


_REGISTER_REQUIRED = ("id", "category", "direction", "baseline", "forecast")


def _unit_kind(unit: str | None, per_cell: str | None) -> tuple[str, str | None]:
    if unit is None:
        return "other", period_name(per_cell) if per_cell else None
    m = _UNIT_RE.match(unit.replace("£", " gbp "))
    if not m:
        return "other", period_name(per_cell) if per_cell else None
    kind = "hours" if m.group("kind").lower().startswith(("h", "hr")) else "gbp"
    per_word = per_cell or m.group("per")
    return kind, (period_name(per_word) if per_word else None)


def parse_benefits(table: Records) -> list[Benefit]:
    """Check a register and return one :class:`Benefit` per row."""
    if not table.records:
        raise DataError("the register has no benefits", file=table.label,
                        hint="List one benefit per row.")
    for name in _REGISTER_REQUIRED:
        pick_column(table.records, table.label, (name,))
    fy_columns = {c: m for c in table.columns if (m := _FY_FORECAST_RE.match(c))}
    month_columns = {c: m for c in table.columns if (m := _MONTHLY_ACTUAL_RE.match(c))}
    for col, m in month_columns.items():
        if not 1 <= int(m.group(2)) <= 12:
            raise DataError(f"column '{col}' does not name a month", file=table.label, column=col,
                            hint="Name monthly actuals actual_YYYY_MM, for example actual_2024_10 for October 2024.")
    out: list[Benefit] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(table.records):
        raw_id = rec.get("id")
        bid = None if blank(raw_id) else str(raw_id).strip()
        cell = Cell(table, i, f"benefit '{bid}'" if bid else f"the benefit in row {table.row(i)[0]}")
        if bid is None:
            raise cell.fail("id", "it has no id", "Give every benefit a short unique id, such as B1.")
        if bid in seen:
            first = table.row(seen[bid])[0]
            raise DataError(f"benefit id '{bid}' is used twice (rows {first} and {table.row(i)[0]})",
                            file=table.label, column="id", rows=[first, table.row(i)[0]],
                            hint="Give each benefit its own id, or merge the two rows.")
        seen[bid] = i
        out.append(_parse_benefit(cell, bid, fy_columns, month_columns))
    return out


def _parse_benefit(cell: Cell, bid: str, fy_columns: Mapping[str, re.Match[str]],
                   month_columns: Mapping[str, re.Match[str]]) -> Benefit:
    category = (cell.text("category") or "").lower().replace(" ", "_").replace("-", "_")
    if category not in CATEGORIES:
        raise cell.fail("category", f"category '{cell.text('category')}' is not one we know",
                        f"Use one of: {', '.join(CATEGORIES)}.")
    direction = DIRECTIONS.get((cell.text("direction") or "").lower())
    if direction is None:
        raise cell.fail("direction", f"direction '{cell.text('direction')}' is not 'decrease' or 'increase'",
                        "Write 'decrease' if lower is better (hours, costs) or 'increase' if higher is better.")
    unit = cell.text("unit")
    per_cell = cell.text("per")
    kind, per = _unit_kind(unit, per_cell)
    if per_cell and period_name(per_cell) is None:
        raise cell.fail("per", f"'{per_cell}' is not a period", "Write week, month or year.")
    task = cell.text("task")
    if category == "time_saving" and kind != "hours" and task is None:
        raise cell.fail("unit", f"a time saving is measured in '{unit}', not in hours",
                        "Measure time savings in hours (for example 'hours per week'), or name the timed task "
                        "in a 'task' column.")
    if kind in ("hours", "gbp") and per is None and task is None:
        raise cell.fail("unit", f"unit '{unit}' does not say over what period",
                        "Write, for example, 'hours per week' or 'gbp per year', or fill the 'per' column.")
    baseline, forecast, actual = cell.number("baseline"), cell.number("forecast"), cell.number("actual")
    if actual is not None and baseline is None:
        raise cell.fail("baseline", f"an actual of {actual:g} is reported but there is no baseline, so nothing "
                        "can be realised against it",
                        "Add the level measured before the change went live, or clear the actual.")
    if task is not None and baseline is None:
        raise cell.fail("baseline", "there is no baseline for the timed task",
                        "Give the business case's minutes per task before the change.")
    dates = {n: cell.date(n) for n in ("baseline_start", "baseline_end", "tracking_start", "tracking_end")}
    for first, last in (("baseline_start", "baseline_end"), ("tracking_start", "tracking_end")):
        first_day, last_day = dates[first], dates[last]
        if first_day and last_day and last_day < first_day:
            raise cell.fail(last, f"{last} ({dates[last]}) is before {first} ({dates[first]})",
                            f"Check the dates: {first} must come first.")
    if (actual is not None or task is not None) and (dates["tracking_start"] is None or dates["tracking_end"] is None):
        missing = "tracking_start" if dates["tracking_start"] is None else "tracking_end"
        raise cell.fail(missing, "a measured result needs the dates it was tracked over",
                        "Give tracking_start and tracking_end (the first and last day measured after go-live).")
    raw_dw = cell.text("deadweight")
    if raw_dw is not None and raw_dw.endswith("%"):
        cell.rec = dict(cell.rec, deadweight=raw_dw[:-1])
        deadweight = (cell.number("deadweight") or 0.0) / 100
    else:
        deadweight = cell.number("deadweight") or 0.0
    if deadweight > 1 and deadweight <= 100:
        raise cell.fail("deadweight", f"deadweight {deadweight:g} looks like a percentage",
                        f"Write it as a share between 0 and 1 (for example {deadweight / 100:g}).")
    if not 0 <= deadweight < 1:
        raise cell.fail("deadweight", f"deadweight {deadweight:g} is not a share from 0 up to (not including) 1",
                        "Write the share that would have happened anyway, for example 0.1 for 10%.")
    if baseline is not None and forecast is not None and category != "dis_benefit":
        gap = (baseline - forecast) if direction == "decrease" else (forecast - baseline)
        if gap <= 0:
            raise cell.fail("forecast", f"the forecast ({forecast:g}) is no better than the baseline ({baseline:g}) "
                            f"for a measure where {'lower' if direction == 'decrease' else 'higher'} is better",
                            "Check the forecast and the direction.")
    fy_forecasts: dict[str, float] = {}
    for col, m in sorted(fy_columns.items()):
        value = cell.number(col)
        if value is not None:
            fy_forecasts[fy_label(f"{m.group(1)}/{m.group(2)}", key=col)] = value
    monthly: dict[_dt.date, float] = {}
    for col, m in sorted(month_columns.items()):
        value = cell.number(col)
        if value is not None:
            monthly[_dt.date(int(m.group(1)), int(m.group(2)), 1)] = value
    if monthly and baseline is None:
        raise cell.fail("baseline", "monthly actuals are given but there is no baseline",
                        "Add the level measured before the change went live.")
    budget_year = cell.text("budget_year")
    if budget_year is not None:
        budget_year = fy_label(budget_year, key="budget_year")
    elif category == "cash_releasing" and cell.flag("budget_line_reduced") and dates["tracking_start"]:
        budget_year = fy_of(dates["tracking_start"])
    end_date = cell.date("end_date")
    return Benefit(
        id=bid, description=cell.text("description") or bid, owner=cell.text("owner"), category=category,
        measure=cell.text("measure"), unit=unit, kind=kind, per=per, direction=direction,
        baseline=baseline, baseline_start=dates["baseline_start"], baseline_end=dates["baseline_end"],
        forecast=forecast, actual=actual, tracking_start=dates["tracking_start"],
        tracking_end=dates["tracking_end"], evidence=cell.text("evidence"),
        budget_line_reduced=cell.flag("budget_line_reduced"), deadweight=deadweight, task=task,
        grade=cell.text("grade"), fy_forecasts=fy_forecasts, monthly_actuals=monthly,
        recurring=cell.flag("recurring") if cell.text("recurring") is not None else True,
        end_date=end_date, budget_year=budget_year, merged_into=cell.text("merged_into"),
        counted=cell.flag("counted") if cell.text("counted") is not None else True,
        finance_validated=cell.text("finance_validated"),
        row=cell.table.row(cell.i)[0],
        source=cell.table.label,
    )


# -- timings and volumes -------------------------------------------------------
@dataclass(frozen=True)
class TaskTimings:
    """Observed minutes for one task, by period and (optionally) group."""

    task: str
    minutes: dict[tuple[str, str], list[float]]  # (group, period) -> minutes
    grades: dict[tuple[str, str], list[str]]
    grade_rows: dict[str, list[int]] = field(default_factory=dict)  # grade -> spreadsheet rows
    source: str = "process_timings"

    def n(self, period: str, group: str = "treated") -> int:
        return len(self.minutes.get((group, period), []))

    @property
    def has_comparison(self) -> bool:
        return any(g == "comparison" for g, _ in self.minutes)


_GROUPS = {"treated": "treated", "intervention": "treated", "pilot": "treated", "": "treated",
           "comparison": "comparison", "control": "comparison"}


def parse_timings(table: Records, *, linked: Mapping[str, str] | None = None) -> dict[str, TaskTimings]:
    """One :class:`TaskTimings` per task; minutes must be zero or more.

    ``linked`` maps a task to the benefit that names it, so errors name both.
    """
    linked = linked or {}

    def subject(task: str) -> str:
        return f"benefit '{linked[task]}', task '{task}'" if task in linked else f"task '{task}'"

    for name in ("task", "period", "minutes", "grade"):
        pick_column(table.records, table.label, (name,))
    minutes: dict[str, dict[tuple[str, str], list[float]]] = {}
    grades: dict[str, dict[tuple[str, str], list[str]]] = {}
    grade_rows: dict[str, dict[str, list[int]]] = {}
    negative: dict[str, list[int]] = {}
    for i, _ in enumerate(table.records):
        cell = Cell(table, i, "a timing")
        task = cell.text("task")
        if task is None:
            raise cell.fail("task", "the timing has no task", "Name the task on every row.")
        cell.subject = subject(task)
        period = (cell.text("period") or "").lower()
        if period not in ("before", "after"):
            raise cell.fail("period", f"period '{cell.text('period')}' is not 'before' or 'after'",
                            "Write 'before' for timings taken before go-live and 'after' for those since.")
        group = _GROUPS.get((cell.text("group") or "").lower())
        if group is None:
            raise cell.fail("group", f"group '{cell.text('group')}' is not 'treated' or 'comparison'",
                            "Leave it blank, or write 'treated' or 'comparison'.")
        value = cell.number("minutes")
        if value is None:
            raise cell.fail("minutes", "the timing has no minutes", "Fill in the minutes or delete the row.")
        if value < 0:
            negative.setdefault(task, []).extend(table.row(i))
            continue
        grade = cell.text("grade")
        if grade is None:
            raise cell.fail("grade", "the timing has no grade", "Give the rank or staff grade of whoever did the task.")
        minutes.setdefault(task, {}).setdefault((group, period), []).append(value)
        grades.setdefault(task, {}).setdefault((group, period), []).append(grade)
        grade_rows.setdefault(task, {}).setdefault(grade, []).extend(table.row(i))
    if negative:
        task, rows = next(iter(negative.items()))
        raise DataError(f"{subject(task)} has negative minutes", file=table.label, column="minutes", rows=rows,
                        hint="A task cannot take less than no time: correct or delete these timings.")
    return {t: TaskTimings(t, minutes[t], grades[t], grade_rows[t], table.label) for t in minutes}


def check_timing_grades(timings: Mapping[str, TaskTimings], rates: RateTable, linked: Mapping[str, str]) -> None:
    """Every grade in the timings must have an hourly rate."""
    for task, t in timings.items():
        for grade, rows in t.grade_rows.items():
            if rates.get(grade) is None:
                raise DataError(f"benefit '{linked.get(task, '?')}', task '{task}': grade '{grade}' has no hourly "
                                f"rate in {rates.label}", file=t.source, column="grade", rows=rows,
                                hint=f"Add the grade to the rates table, or use one of: {', '.join(rates.grades())}.")


def parse_volumes(table: Records, *, weeks_per_year: float) -> dict[str, tuple[float, str]]:
    """Occurrences a year for each task, with a sentence saying how they were counted."""
    pick_column(table.records, table.label, ("task",))
    pick_column(table.records, table.label, ("per",))
    out: dict[str, tuple[float, str]] = {}
    for i, _ in enumerate(table.records):
        cell = Cell(table, i, "a volume")
        task = cell.text("task")
        if task is None:
            raise cell.fail("task", "the volume has no task", "Name the task on every row.")
        cell.subject = f"task '{task}'"
        if task in out:
            raise cell.fail("task", "the task has two volume rows", "Keep one row per task.")
        per = period_name(cell.text("per") or "")
        if per is None:
            raise cell.fail("per", f"'{cell.text('per')}' is not a period", "Write week, month or year.")
        ppy = periods_per_year(per, weeks_per_year=weeks_per_year)
        total, each, staff = (cell.number(n) for n in ("total_occurrences", "times_per_person", "staff"))
        if total is not None:
            if total < 0:
                raise cell.fail("total_occurrences", "occurrences cannot be negative", "Correct the count.")
            out[task] = (total * ppy, f"{total:,g} a {per} across the force")
        elif each is not None and staff is not None:
            if each < 0 or staff < 0:
                raise cell.fail("times_per_person", "counts cannot be negative", "Correct the count.")
            out[task] = (each * staff * ppy, f"{each:,g} a {per} for each of {staff:,g} staff")
        else:
            raise cell.fail("total_occurrences", "the volume gives neither total_occurrences nor "
                            "times_per_person with staff",
                            "Give total_occurrences, or times_per_person and staff.")
    return out


# -- rates, reinvestment, outputs and free text ---------------------------------
_RATE_ALIASES = {
    "grade": ("grade", "rank", "role"),
    "hourly_cost_gbp": ("hourly_cost_gbp", "hourly_cost", "hourly_rate", "rate", "cost_per_hour"),
    "price_year": ("price_year",),
    "cost_basis": ("cost_basis", "basis"),
    "source": ("source",),
}


def parse_rates(table: Records, *, is_default: bool) -> RateTable:
    """Hourly costs by grade; each row needs a positive cost, a basis and a price year."""
    if not table.records:
        raise DataError("the rates table has no rows", file=table.label,
                        hint="Give one row per grade with its full hourly cost.")
    cols = {k: pick_column(table.records, table.label, names) for k, names in _RATE_ALIASES.items() if k != "source"}
    source_col = pick_column(table.records, table.label, _RATE_ALIASES["source"], required=False)
    rates: list[Rate] = []
    seen: set[str] = set()
    for i, _ in enumerate(table.records):
        cell = Cell(table, i, "a rate")
        grade = cell.text(cols["grade"])
        if grade is None:
            raise cell.fail(cols["grade"], "the rate has no grade", "Name the rank or staff grade on every row.")
        cell.subject = f"grade '{grade}'"
        if grade_key(grade) in seen:
            raise cell.fail(cols["grade"], "the grade is listed twice", "Keep one hourly cost per grade.")
        seen.add(grade_key(grade))
        cost = cell.number(cols["hourly_cost_gbp"])
        if cost is None or cost <= 0:
            raise cell.fail(cols["hourly_cost_gbp"], "the hourly cost is not a positive number of pounds",
                            "Write the full cost of one hour, for example 48.50.")
        basis = (cell.text(cols["cost_basis"]) or "").lower()
        if basis not in ("full", "salary"):
            raise cell.fail(cols["cost_basis"], f"cost basis '{basis}' is not 'full' or 'salary'",
                            "Write 'full' (pay with on-costs and overheads) or 'salary' (pay only).")
        try:
            year = fy_label(cell.text(cols["price_year"]) or "", key="price_year")
        except SpecError:
            raise cell.fail(cols["price_year"], f"price year '{cell.text(cols['price_year'])}' is not a "
                            "financial year", "Write the year the costs are priced in, for example 2024/25.") from None
        source = (cell.text(source_col) if source_col else None) or "not stated"
        rates.append(Rate(grade, cost, year, basis, source))
    return RateTable(tuple(rates), table.label, is_default)


def parse_reinvestment(table: Records) -> list[dict[str, Any]]:
    """Where released hours went: activity, hours a year, evidence (and benefit, if given)."""
    out: list[dict[str, Any]] = []
    for i, _ in enumerate(table.records):
        cell = Cell(table, i, "a reinvestment")
        activity = cell.text("activity")
        if activity is None:
            raise cell.fail("activity", "the row has no activity", "Say what the released hours were used for.")
        cell.subject = f"reinvestment '{activity}'"
        hours = cell.number("hours")
        if hours is None or hours < 0:
            raise cell.fail("hours", "the hours are missing or negative", "Give the hours a year put to this use.")
        out.append({"activity": activity, "hours": hours, "evidence": cell.text("evidence"),
                    "benefit": cell.text("benefit")})
    return out


def parse_costs(table: Records) -> list[dict[str, Any]]:
    """Programme costs: ``item``, ``financial_year``, ``gbp``, ``recurring`` (default false), ``end_year``."""
    for name in ("item", "financial_year", "gbp"):
        pick_column(table.records, table.label, (name,))
    out: list[dict[str, Any]] = []
    for i, _ in enumerate(table.records):
        cell = Cell(table, i, "a cost")
        item = cell.text("item")
        if item is None:
            raise cell.fail("item", "the cost has no item", "Say what the money was spent on.")
        cell.subject = f"cost '{item}'"
        gbp = cell.number("gbp")
        if gbp is None or gbp < 0:
            raise cell.fail("gbp", "the amount is missing or negative", "Give the cost in pounds, zero or more.")
        year_text = cell.text("financial_year")
        if year_text is None:
            raise cell.fail("financial_year", "the cost has no financial year", "Write it as 2024/25.")
        try:
            year = fy_label(year_text, key="financial_year")
            end_text = cell.text("end_year")
            end = fy_label(end_text, key="end_year") if end_text else None
        except SpecError as err:
            raise cell.fail("financial_year", err.message, "Write financial years as 2024/25.") from None
        recurring = cell.flag("recurring") if cell.text("recurring") is not None else False
        out.append({"item": item, "financial_year": year, "gbp": gbp, "recurring": recurring, "end_year": end})
    return out


def parse_outputs(value: Any) -> list[dict[str, Any]]:
    """Output measures before and after: a dict or a list of dicts."""
    if value is None:
        return []
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, Sequence) or not all(isinstance(v, Mapping) for v in items):
        raise SpecError("expected the output measure with its 'before' and 'after' values", key="outputs_maintained",
                        hint="Write, for example: "
                             "{measure: case files sent to CPS a month, before: 1250, after: 1140}.")
    out: list[dict[str, Any]] = []
    for item in items:
        item = {norm_col(k): v for k, v in item.items()}
        measure = str(item.get("measure") or "output")
        nums: dict[str, float] = {}
        for name in ("before", "after"):
            try:
                nums[name] = float(item[name])
            except (KeyError, TypeError, ValueError):
                raise SpecError(f"output '{measure}' has no number for '{name}'", key="outputs_maintained",
                                hint="Give the output level before and after the change.") from None
        if nums["before"] <= 0:
            raise SpecError(f"output '{measure}' has a 'before' level of {nums['before']:g}",
                            key="outputs_maintained", hint="The level before must be above zero.")
        direction = DIRECTIONS.get(str(item.get("direction") or "increase").lower(), "increase")
        out.append({"measure": measure, "before": nums["before"], "after": nums["after"], "direction": direction})
    return out


def parse_text(value: Any, *, key: str) -> tuple[str, ...]:
    """Free text: a string (paragraphs split on blank lines) or a list of strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in re.split(r"\n\s*\n", value) if p.strip())
    if isinstance(value, Sequence):
        return tuple(str(v).strip() for v in value if not blank(v))
    raise SpecError("expected text or a list of points", key=key, hint="Write each point on its own line.")
