"""The checks that protect a benefits review's numbers.

Every check is always reported, with a stable name, so a reviewer (and a
test) sees ``pass`` when its trigger is absent:

=================================  ======  ================================================================
name                               status  trigger
=================================  ======  ================================================================
``tracking_under_12_months``       warn    an annual figure extrapolated from under 12 months
``tracking_under_3_months``        fail    under 3 months of tracking: no realised figure is given
``cash_without_budget_reduction``  warn    a cash-releasing claim with no budget line reduced
``outputs_fell``                   warn    an output measure fell by more than 5% while savings are claimed
``hours_not_reinvested``           warn    released hours with no reinvestment record (notional)
``register_incomplete``            warn    a benefit without owner, baseline or measure
``double_counting``                warn    the same measure (or timed task) claimed by two benefits
``rate_price_year``                warn    an hourly rate priced in a year other than the reporting year
``rate_salary_only``               warn    an hourly rate on a salary-only basis
``small_sample``                   warn    fewer than 30 timings of a task in either period
``default_rates``                  info    the shipped illustrative rates table was used
=================================  ======  ================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ... import text
from ...results import Check
from .inputs import TaskTimings
from .model import Valued
from .money import Rate, RateTable, grade_key

__all__ = ["CHECK_NAMES", "Context", "run_checks", "SMALL_SAMPLE", "OUTPUT_FALL"]

#: Fewer timings than this in either period is a small sample.
SMALL_SAMPLE = 30
#: An output fall larger than this share means a saving is not an efficiency.
OUTPUT_FALL = 0.05


@dataclass(frozen=True)
class Context:
    """What the checks look at."""

    valued: Sequence[Valued]
    timings: dict[str, TaskTimings]
    rates: RateTable
    rates_used: frozenset[str]
    reporting_year: str
    reinvestment: Sequence[Mapping[str, Any]] | None
    outputs: Sequence[Mapping[str, Any]]

    @property
    def measured_hours(self) -> float:
        return sum(v.amount("hours") for v in self.valued if v.measured)


def _names(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _ids(vs: Iterable[Valued]) -> str:
    return _names([f"'{v.benefit.id}'" for v in vs])


def _under_12(ctx: Context) -> Check:
    hit = [v for v in ctx.valued if v.measured and (v.benefit.months_tracked or 0) < 12]
    if not hit:
        return Check("tracking_under_12_months", "pass", "Every measured benefit was tracked for 12 months or more.")
    detail = "; ".join(f"'{v.benefit.id}' {v.benefit.months_tracked:.1f} months" for v in hit)
    return Check("tracking_under_12_months", "warn",
                 f"Annual figures for {_ids(hit)} are extrapolated from under 12 months of tracking ({detail}), "
                 "so seasonal variation has not been observed.")


def _under_3(ctx: Context) -> Check:
    hit = [v for v in ctx.valued if v.status == "withheld"]
    if not hit:
        return Check("tracking_under_3_months", "pass", "No measured benefit was tracked for under 3 months.")
    detail = "; ".join(f"'{v.benefit.id}' {v.benefit.months_tracked:.1f} months" for v in hit)
    return Check("tracking_under_3_months", "fail",
                 f"{_ids(hit)} {'was' if len(hit) == 1 else 'were'} tracked for under 3 months ({detail}): no "
                 "realised figure is given, and the forecast is counted as anticipated, not measured.")


def _cash(ctx: Context) -> Check:
    hit = [v for v in ctx.valued if v.benefit.category == "cash_releasing" and not v.benefit.budget_line_reduced]
    if not hit:
        return Check("cash_without_budget_reduction", "pass",
                     "Every cash-releasing claim has a budget line reduced.")
    return Check("cash_without_budget_reduction", "warn",
                 f"{_ids(hit)} {'is' if len(hit) == 1 else 'are'} claimed as cash-releasing but no budget line was "
                 "reduced, so the saving is counted as non-cash-releasing.")


def _outputs(ctx: Context) -> Check:
    if not ctx.outputs:
        return Check("outputs_fell", "info",
                     "No output measure was given, so the review cannot show that outputs were maintained.")
    claimed = any(v.amount("hours") > 0 or v.amount("cashable") > 0 or v.amount("non_cashable") > 0
                  for v in ctx.valued if v.measured)
    fell = []
    for o in ctx.outputs:
        change = (o["after"] - o["before"]) / o["before"]
        worse = -change if o["direction"] == "increase" else change
        if worse > OUTPUT_FALL:
            fell.append(f"{o['measure']} ({text.fmt_number(o['before'])} to {text.fmt_number(o['after'])}, "
                        f"{text.fmt_pct(abs(change))} worse)")
    if fell and claimed:
        return Check("outputs_fell", "warn",
                     f"Outputs fell by more than {text.fmt_pct(OUTPUT_FALL, 0)} while a saving is claimed: "
                     f"{'; '.join(fell)}. Doing less for less is not an efficiency.")
    return Check("outputs_fell", "pass",
                 f"No output measure fell by more than {text.fmt_pct(OUTPUT_FALL, 0)} while a saving is claimed.")


def _reinvested(ctx: Context) -> Check:
    released = ctx.measured_hours
    recorded = sum(r["hours"] for r in (ctx.reinvestment or []))
    if released <= 0:
        return Check("hours_not_reinvested", "pass", "No measured hours are released, so none need a reinvestment "
                     "record.")
    notional = released - recorded
    if notional > 0.005 * released:
        return Check("hours_not_reinvested", "warn",
                     f"{text.fmt_number(notional)} of the {text.fmt_number(released)} hours a year released have no "
                     "reinvestment record, so they are notional: nobody has shown where the time went.")
    return Check("hours_not_reinvested", "pass",
                 f"Reinvestment records account for all {text.fmt_number(released)} hours a year released.")


def _incomplete(ctx: Context) -> Check:
    gaps = []
    for v in ctx.valued:
        b = v.benefit
        missing = [n for n, val in (("owner", b.owner), ("baseline", b.baseline), ("measure", b.measure)) if
                   val is None]
        if missing:
            gaps.append(f"'{b.id}' has no {_names(missing)}")
    if not gaps:
        return Check("register_incomplete", "pass", "Every benefit has an owner, a baseline and a measure.")
    return Check("register_incomplete", "warn", "The register is incomplete: " + "; ".join(gaps) + ".")


def _double(ctx: Context) -> Check:
    groups: dict[str, list[str]] = {}
    for v in ctx.valued:
        b = v.benefit
        if b.measure:
            groups.setdefault("measure '" + " ".join(b.measure.split()).casefold() + "'", []).append(b.id)
        if b.task:
            groups.setdefault(f"task '{b.task}'", []).append(b.id)
    dup = [f"{key} by {_names([repr(i) for i in ids])}" for key, ids in groups.items() if len(ids) > 1]
    if not dup:
        return Check("double_counting", "pass", "No measure or timed task is claimed by more than one benefit.")
    return Check("double_counting", "warn",
                 "The same saving may be counted twice: " + "; ".join(dup) + ". Both are in the totals; keep one.")


def _used_rates(ctx: Context) -> list[Rate]:
    return [r for r in ctx.rates.rates if grade_key(r.grade) in ctx.rates_used]


def _price_year(ctx: Context) -> Check:
    off = [r for r in _used_rates(ctx) if r.price_year != ctx.reporting_year]
    if not off:
        return Check("rate_price_year", "pass", f"Every hourly rate used is priced in {ctx.reporting_year}, the "
                     "reporting year.")
    detail = _names([f"{r.grade} ({r.price_year})" for r in off])
    return Check("rate_price_year", "warn",
                 f"Hourly rates for {detail} are not priced in the reporting year {ctx.reporting_year}; "
                 "pounds are at those years' prices.")


def _salary(ctx: Context) -> Check:
    off = [r for r in _used_rates(ctx) if r.cost_basis == "salary"]
    if not off:
        return Check("rate_salary_only", "pass", "Every hourly rate used is a full cost.")
    return Check("rate_salary_only", "warn",
                 f"Hourly rates for {_names([r.grade for r in off])} are salary only, without on-costs and "
                 "overheads, so their pounds understate the full cost of the time.")


def _small(ctx: Context) -> Check:
    used = {v.benefit.task for v in ctx.valued if v.benefit.task}
    if not used:
        return Check("small_sample", "info", "No task timings were given.")
    small = [f"'{t}' ({ctx.timings[t].n('before')} before, {ctx.timings[t].n('after')} after)"
             for t in sorted(used) if min(ctx.timings[t].n("before"), ctx.timings[t].n("after")) < SMALL_SAMPLE]
    if not small:
        return Check("small_sample", "pass", f"Every timed task has at least {SMALL_SAMPLE} timings in each period.")
    return Check("small_sample", "warn",
                 f"Fewer than {SMALL_SAMPLE} timings in a period for {_names(small)}: the interval is wide and "
                 "rests on few observations.")


def _default(ctx: Context) -> Check:
    if ctx.rates.is_default:
        return Check("default_rates", "info",
                     "No rates table was given, so the shipped illustrative hourly costs were used; give your "
                     "force's own full costs as rates.")
    return Check("default_rates", "pass", f"Hourly costs come from {ctx.rates.label}.")


_CHECKS: dict[str, Callable[[Context], Check]] = {
    "tracking_under_12_months": _under_12,
    "tracking_under_3_months": _under_3,
    "cash_without_budget_reduction": _cash,
    "outputs_fell": _outputs,
    "hours_not_reinvested": _reinvested,
    "register_incomplete": _incomplete,
    "double_counting": _double,
    "rate_price_year": _price_year,
    "rate_salary_only": _salary,
    "small_sample": _small,
    "default_rates": _default,
}
#: Every check name, in the order run.
CHECK_NAMES = tuple(_CHECKS)


def run_checks(ctx: Context) -> tuple[Check, ...]:
    """Run every check, in a stable order."""
    return tuple(fn(ctx) for fn in _CHECKS.values())
