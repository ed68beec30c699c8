"""The review's other inputs: hourly rates, reinvestment, outputs and free text.

Examples
--------
>>> parse_text(["First lesson.", "", "Second lesson."], key="lessons")
('First lesson.', 'Second lesson.')
>>> parse_outputs({"measure": "files sent", "before": 100, "after": 94})[0]["direction"]
'increase'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import DataError, SpecError
from ._benefits_inputs import DIRECTIONS, Cell, Records, blank, norm_col, pick_column
from ._benefits_money import Rate, RateTable, fy_label, grade_key

__all__ = ["parse_rates", "parse_reinvestment", "parse_outputs", "parse_text"]


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
    cols = {k: pick_column(table.records, table.label, names, required=k != "source")
            for k, names in _RATE_ALIASES.items()}
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
        source = (cell.text(cols["source"]) if cols["source"] else None) or "not stated"
        rates.append(Rate(grade, cost, year, basis, source))
    return RateTable(tuple(rates), table.label, is_default)


def parse_reinvestment(table: Records) -> list[dict]:
    """Where released hours went: activity, hours a year, evidence (and benefit, if given)."""
    out = []
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


def parse_outputs(value: Any) -> list[dict]:
    """Output measures before and after: a dict or a list of dicts."""
    if value is None:
        return []
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, Sequence) or not all(isinstance(v, Mapping) for v in items):
        raise SpecError("expected the output measure with its 'before' and 'after' values", key="outputs_maintained",
                        hint="Write, for example: {measure: case files sent to CPS a month, before: 1250, after: 1140}.")
    out = []
    for item in items:
        item = {norm_col(k): v for k, v in item.items()}
        measure = str(item.get("measure") or "output")
        nums = {}
        for name in ("before", "after"):
            try:
                nums[name] = float(item.get(name))
            except (TypeError, ValueError):
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
