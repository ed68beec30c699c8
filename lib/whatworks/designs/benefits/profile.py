"""The financial-year profile of a review: every benefit in every year, by evidence grade, and its costs.

Each benefit is valued in every financial year (April to March) from go-live
to the horizon, and each piece is graded by the evidence behind it, not by a
label:

- **known**: released to date and measured: the sum of the recorded monthly
  actuals up to the review date (``as_of``) where the register gives them,
  otherwise the measured change over the days tracked up to that date;
- **projected**: the measured run rate carried from the day after the last
  day measured to the end of the current financial year (the year holding
  ``as_of``);
- **anticipated**: the measured run rate in later years, and any forecast
  not yet measured (the year's ``forecast_YYYY_YY`` level where given);
- **potential**: not yet measurable (no baseline, forecast or evidence).

A part of a year counts ``days covered ÷ days in that financial year`` of
the annual figure. A recurring benefit runs until its ``end_date`` (or the
horizon); a one-off (``recurring: false``) is counted once, in the year its
tracking starts; a cash-releasing benefit is cashable from the year its budget
line is reduced (``budget_year``) and non-cashable before. A benefit merged
into another or marked ``counted: false`` is profiled but left out of totals.

Value for money: net benefit = cashable + non-cashable (dis-benefits carry
their own negative sign) − costs, each year and cumulative; payback is the
month the cumulative net benefit reaches zero, taking one-off costs as paid
at the start of their year and each year's benefits and recurring costs as
spread evenly over its months from go-live (all twelve after the first year); present values discount year ``t``
after the first year of the profile by ``1.035^t`` (Green Book, real), at the
review's price base.

Examples
--------
>>> fy_days("2024/25"), fy_days("2027/28")
(365, 366)
>>> fy_range("2024/25", "2026/27")
['2024/25', '2025/26', '2026/27']
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...value import GREEN_BOOK_RATE, discount_factor
from .model import GRADES, Valued
from .money import fy_label, fy_of, fy_start

__all__ = ["PARTS", "Piece", "Profile", "fy_days", "fy_range", "fy_end", "next_fy", "benefit_profile",
           "known_hours_by_month", "forecast_profile", "profile", "costs_by_year", "value_for_money"]

#: The amounts profiled for each benefit.
PARTS = ("hours", "cashable", "non_cashable")
_ONE = _dt.timedelta(days=1)


def fy_end(label: str) -> _dt.date:
    """The 31 March on which financial year ``label`` ends."""
    return fy_start(label).replace(year=fy_start(label).year + 1) - _ONE


def fy_days(label: str) -> int:
    """Days in financial year ``label`` (366 when it holds a 29 February)."""
    return (fy_end(label) - fy_start(label)).days + 1


def next_fy(label: str) -> str:
    return fy_label(int(label[:4]) + 1)


def fy_range(first: str, last: str) -> list[str]:
    """Every financial year from ``first`` to ``last``, both included."""
    out = [first]
    while out[-1] < last:
        out.append(next_fy(out[-1]))
    return out


@dataclass(frozen=True)
class Piece:
    """One benefit's amount in one financial year and grade."""

    benefit: str
    financial_year: str
    grade: str
    hours: float
    cashable: float
    non_cashable: float
    counted: bool


@dataclass(frozen=True)
class Profile:
    """The review's profile: the pieces, the forecast by year and the years covered."""

    pieces: tuple[Piece, ...]
    forecast: tuple[dict[str, Any], ...]  # benefit, financial_year, hours, gbp
    years: tuple[str, ...]
    as_of: _dt.date
    go_live: _dt.date
    horizon: str

    @property
    def current_year(self) -> str:
        return fy_of(self.as_of)

    def totals(self, productive: float) -> tuple[dict[str, Any], ...]:
        """Counted hours, FTE and pounds by financial year and grade (every cell, zeros included)."""
        out = []
        for fy in self.years:
            for g in GRADES:
                ps = [p for p in self.pieces if p.counted and p.financial_year == fy and p.grade == g]
                hours = sum(p.hours for p in ps)
                out.append({"financial_year": fy, "confidence_grade": g, "hours": hours,
                            "fte": hours / productive, "cashable_gbp": sum(p.cashable for p in ps),
                            "non_cashable_gbp": sum(p.non_cashable for p in ps)})
        return tuple(out)

    def by_year(self, *, counted_only: bool = True) -> dict[str, dict[str, float]]:
        """Hours and pounds by year, all grades together."""
        out = {fy: {p: 0.0 for p in PARTS} for fy in self.years}
        for p in self.pieces:
            if p.counted or not counted_only:
                for part in PARTS:
                    out[p.financial_year][part] += getattr(p, part)
        return out


def _overlap(first: _dt.date, last: _dt.date, fy: str) -> float:
    """The share of financial year ``fy`` between ``first`` and ``last`` (both included)."""
    lo, hi = max(first, fy_start(fy)), min(last, fy_end(fy))
    return max((hi - lo).days + 1, 0) / fy_days(fy)


def _split(v: Valued, fy: str, hours: float, gbp: float) -> tuple[float, float, float]:
    b = v.benefit
    cash = v.classification == "cash_releasing" and (b.budget_year is None or fy >= b.budget_year)
    return hours, (gbp if cash else 0.0), (0.0 if cash else gbp)


def _annual(v: Valued) -> tuple[float, float]:
    gbp = v.amount("cashable") + v.amount("non_cashable")
    return v.amount("hours"), gbp


def _windows(v: Valued, years: Sequence[str], go_live: _dt.date) -> tuple[_dt.date, _dt.date]:
    b = v.benefit
    start = b.tracking_start or go_live
    last = fy_end(years[-1])
    if b.end_date is not None:
        last = min(last, b.end_date)
    return start, last


def benefit_profile(v: Valued, *, years: Sequence[str], as_of: _dt.date, go_live: _dt.date) -> list[Piece]:
    """One benefit's pieces by financial year and grade (see the module's rules)."""
    b = v.benefit
    hours, gbp = _annual(v)
    if not hours and not gbp and not v.monthly_hours and not v.monthly_gbp:
        return []
    start, last = _windows(v, years, go_live)
    out: list[Piece] = []

    def add(fy: str, grade: str, h: float, g: float) -> None:
        if fy not in years or (not h and not g):
            return
        parts = _split(v, fy, h, g)
        out.append(Piece(b.id, fy, grade, *parts, counted=b.in_totals))

    if not b.recurring:
        fy = fy_of(start)
        grade = ("known" if start <= as_of else "projected") if v.measured else v.grade
        add(fy, grade, hours, gbp)
        return out
    if not v.measured:
        for fy in years:
            share = _overlap(start, last, fy)
            h, g = v.forecast_by_year.get(fy, (None, None))
            add(fy, v.grade, share * (hours if h is None else h), share * (gbp if g is None else g))
        return out
    measured_to = min(b.tracking_end or as_of, as_of, last)
    if v.monthly_hours or v.monthly_gbp:
        months = sorted(set(v.monthly_hours) | set(v.monthly_gbp))
        for m in months:
            if start.replace(day=1) <= m <= measured_to:
                add(fy_of(m), "known", v.monthly_hours.get(m, 0.0), v.monthly_gbp.get(m, 0.0))
    else:
        for fy in years:
            share = _overlap(start, measured_to, fy)
            add(fy, "known", share * hours, share * gbp)
    current = fy_of(as_of)
    for fy in years:
        if fy < current:
            continue
        grade = "projected" if fy == current else "anticipated"
        share = _overlap(max(measured_to + _ONE, start), last, fy)
        add(fy, grade, share * hours, share * gbp)
    return _merge(out)


def _month_end(m: _dt.date) -> _dt.date:
    return _dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1) - _ONE


def known_hours_by_month(v: Valued, *, years: Sequence[str], as_of: _dt.date,
                         go_live: _dt.date) -> tuple[dict[_dt.date, float], dict[_dt.date, float]]:
    """The *known* hours of :func:`benefit_profile`, month by month, with the forecast for the same days.

    Keyed by the first of each month. Summed over a financial year, the
    actuals equal that year's known piece: the recorded monthly actuals up
    to ``as_of`` where the register gives them, otherwise each month's share
    (days measured ÷ days in its financial year) of the annual hours; a
    one-off counts in full in the month its tracking starts. Benefits not
    measured have no known hours (both dictionaries are empty).
    """
    b = v.benefit
    hours = v.amount("hours")
    fore = v.forecast_hours or 0.0
    actual: dict[_dt.date, float] = {}
    forecast: dict[_dt.date, float] = {}
    if not v.measured or (not hours and not v.monthly_hours):
        return actual, forecast
    start, last = _windows(v, years, go_live)
    if not b.recurring:
        if start <= as_of and fy_of(start) in years:
            m = start.replace(day=1)
            actual[m], forecast[m] = hours, fore
        return actual, forecast
    measured_to = min(b.tracking_end or as_of, as_of, last)
    m = start.replace(day=1)
    while m <= measured_to:
        fy = fy_of(m)
        if fy in years:
            days = max((min(measured_to, _month_end(m)) - max(start, m)).days + 1, 0) / fy_days(fy)
            h, _ = v.forecast_by_year.get(fy, (None, None))
            forecast[m] = days * (fore if h is None else h)
            if v.monthly_hours or v.monthly_gbp:
                actual[m] = v.monthly_hours.get(m, 0.0)
            else:
                actual[m] = days * hours
        m = _month_end(m) + _ONE
    return actual, forecast


def _merge(pieces: Sequence[Piece]) -> list[Piece]:
    cells: dict[tuple[str, str], Piece] = {}
    for p in pieces:
        key = (p.financial_year, p.grade)
        if key in cells:
            q = cells[key]
            p = Piece(p.benefit, p.financial_year, p.grade, q.hours + p.hours, q.cashable + p.cashable,
                      q.non_cashable + p.non_cashable, p.counted)
        cells[key] = p
    return list(cells.values())


def forecast_profile(v: Valued, *, years: Sequence[str], go_live: _dt.date) -> list[dict[str, Any]]:
    """The forecast by financial year, valued the same way as the benefit (``forecast_YYYY_YY`` where given)."""
    b = v.benefit
    if v.forecast_gbp is None and v.forecast_hours is None:
        return []
    start, last = _windows(v, years, go_live)
    out = []
    for fy in years:
        share = (1.0 if fy == fy_of(start) else 0.0) if not b.recurring else _overlap(start, last, fy)
        if not share:
            continue
        h, g = v.forecast_by_year.get(fy, (v.forecast_hours, v.forecast_gbp))
        out.append({"benefit": b.id, "financial_year": fy, "counted": b.in_totals,
                    "hours": None if h is None else share * h, "gbp": None if g is None else share * g})
    return out


def profile(valued: Sequence[Valued], *, as_of: _dt.date, go_live: _dt.date, horizon: str) -> Profile:
    """Every benefit's pieces and forecast, from the year of go-live to ``horizon``."""
    years = fy_range(fy_of(go_live), horizon)
    pieces = [p for v in valued for p in benefit_profile(v, years=years, as_of=as_of, go_live=go_live)]
    forecast = [f for v in valued for f in forecast_profile(v, years=years, go_live=go_live)]
    return Profile(tuple(pieces), tuple(forecast), tuple(years), as_of, go_live, horizon)


def _month_label(first: _dt.date, months: int) -> str:
    index = first.month - 1 + months - 1
    return f"{first.year + index // 12}-{index % 12 + 1:02d}"


def costs_by_year(costs: Sequence[Mapping[str, Any]], years: Sequence[str]) -> dict[str, dict[str, float]]:
    """One-off and recurring programme costs by financial year."""
    out = {fy: {"one_off": 0.0, "recurring": 0.0} for fy in years}
    for c in costs:
        if not c["recurring"]:
            if c["financial_year"] in out:
                out[c["financial_year"]]["one_off"] += c["gbp"]
            continue
        for fy in years:
            if fy >= c["financial_year"] and (c["end_year"] is None or fy <= c["end_year"]):
                out[fy]["recurring"] += c["gbp"]
    return out


def value_for_money(prof: Profile, costs: Sequence[Mapping[str, Any]], *,
                    rate: float = GREEN_BOOK_RATE) -> dict[str, Any]:
    """Net benefit by year and cumulative, payback month, benefit-cost ratios and net present value."""
    years = list(prof.years)
    benefit = prof.by_year()
    cost = costs_by_year(costs, years)
    rows = []
    cumulative = 0.0
    payback: str | None = None
    pv = {"cashable": 0.0, "total": 0.0, "costs": 0.0}
    for t, fy in enumerate(years):
        cash, noncash = benefit[fy]["cashable"], benefit[fy]["non_cashable"]
        spend = cost[fy]["one_off"] + cost[fy]["recurring"]
        net = cash + noncash - spend
        before = cumulative
        cumulative += net
        if payback is None and cumulative >= 0 and before - cost[fy]["one_off"] < 0:
            first = max(fy_start(fy), prof.go_live.replace(day=1))
            active = 12 - ((first.year - fy_start(fy).year) * 12 + first.month - 4)
            monthly = (net + cost[fy]["one_off"]) / active
            months = max(1, math.ceil((cost[fy]["one_off"] - before) / monthly - 1e-9))
            payback = _month_label(first, months)
        factor = discount_factor(t, rate)
        pv["cashable"] += cash * factor
        pv["total"] += (cash + noncash) * factor
        pv["costs"] += spend * factor
        rows.append({"financial_year": fy, "cashable_gbp": cash, "non_cashable_gbp": noncash,
                     "one_off_costs_gbp": cost[fy]["one_off"], "recurring_costs_gbp": cost[fy]["recurring"],
                     "net_benefit_gbp": net, "cumulative_net_gbp": cumulative, "discount_factor": factor})
    has_costs = pv["costs"] > 0
    return {
        "years": rows, "payback_month": payback if has_costs else None,
        "pv_benefits_gbp": pv["total"], "pv_cashable_gbp": pv["cashable"], "pv_costs_gbp": pv["costs"],
        "npv_gbp": pv["total"] - pv["costs"],
        "bcr_cashable": pv["cashable"] / pv["costs"] if has_costs else None,
        "bcr_total": pv["total"] / pv["costs"] if has_costs else None,
        "discount_rate": rate,
    }
