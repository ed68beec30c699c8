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
``double_counting``                fail    the same measure (or timed task) counted by two benefits: the
                                           headline is withheld until one is ``merged_into`` the other or
                                           marked ``counted: false`` (then ``info``)
``time_and_money``                 warn    overtime paid for the work a counted time saving removes
``reinvested_exceeds_released``    warn    more hours reinvested than released, for a benefit or in all
``review_timing``                  warn    the review is not about six months (5 to 7) after go-live
``cash_not_validated``             warn    a cashable claim Finance has not validated (``finance_validated``)
``dis_benefits``                   info    dis-benefits netted off the totals
``rate_price_year``                warn    an hourly rate priced in a year other than the reporting year
``rate_salary_only``               warn    an hourly rate on a salary-only basis
``small_sample``                   warn    fewer than 30 timings of a task in either period
``default_rates``                  info    the shipped illustrative rates table was used
=================================  ======  ================================================================
"""

from __future__ import annotations

import datetime as _dt
import re
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
    go_live: _dt.date | None = None
    as_of: _dt.date | None = None

    @property
    def measured_hours(self) -> float:
        return sum(v.amount("hours") for v in self.valued if v.measured and v.benefit.in_totals)


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
    counted = {v.benefit.id for v in ctx.valued if v.benefit.in_totals}
    dup = {key: ids for key, ids in groups.items() if len(ids) > 1}
    open_ = [f"{key} by {_names([repr(i) for i in ids])}" for key, ids in dup.items()
             if sum(i in counted for i in ids) > 1]
    if open_:
        return Check("double_counting", "fail",
                     "The same saving is counted twice: " + "; ".join(open_) + ". The headline is withheld "
                     "until one of each pair is marked merged_into the other or counted: false in the register.")
    if dup:
        left = [v for v in ctx.valued if not v.benefit.in_totals]
        how = "; ".join(f"'{v.benefit.id}' " + (f"merged into '{v.benefit.merged_into}'" if v.benefit.merged_into
                                                  else "marked not counted") for v in left)
        return Check("double_counting", "info",
                     f"An overlap is resolved: {how}. It is shown in the register but left out of every total.")
    return Check("double_counting", "pass", "No measure or timed task is claimed by more than one benefit.")


_STOP = {"hours", "minutes", "spend", "manual", "files", "cases", "which", "their", "other", "before", "after"}


def _words(*texts: str | None) -> set[str]:
    return {w for t in texts if t for w in re.findall(r"[a-z]{5,}", t.casefold()) if w not in _STOP}


def _time_and_money(ctx: Context) -> Check:
    savings = [v for v in ctx.valued if v.benefit.category == "time_saving" and v.benefit.in_totals]
    hits = []
    for v in ctx.valued:
        b = v.benefit
        if b.kind != "gbp" or not b.in_totals or "overtime" not in f"{b.measure} {b.description}".casefold():
            continue
        mine = _words(b.measure, b.description) - {"overtime"}
        for s in savings:
            shared = mine & _words(s.benefit.measure, s.benefit.description, s.benefit.task)
            if shared:
                hits.append(f"'{b.id}' (overtime) and '{s.benefit.id}' (time saved) both count "
                            f"{_names(sorted(shared))}")
    if not hits:
        return Check("time_and_money", "pass", "No overtime saving counts the same work as a time saving.")
    return Check("time_and_money", "warn",
                 "Time saved and money paid for the same work may both be counted: " + "; ".join(hits)
                 + ". The overtime no longer paid is part of the time saved: count one, or show that the "
                 "overtime hours are not among the hours timed.")


def _reinvested_exceeds(ctx: Context) -> Check:
    records = list(ctx.reinvestment or [])
    over = []
    for v in ctx.valued:
        mine = sum(r["hours"] for r in records if r["benefit"] == v.benefit.id)
        released = v.amount("hours") if (v.measured and v.benefit.in_totals) else 0.0
        if mine > 0 and mine > released + 1e-9:
            over.append(f"'{v.benefit.id}' {text.fmt_number(mine)} reinvested of {text.fmt_number(released)} "
                        "released")
    total_in = sum(r["hours"] for r in records)
    if total_in > ctx.measured_hours + 1e-9:
        over.append(f"in all {text.fmt_number(total_in)} reinvested of {text.fmt_number(ctx.measured_hours)} "
                    "released")
    if not over:
        return Check("reinvested_exceeds_released", "pass",
                     "No benefit has more hours reinvested than it releases.")
    return Check("reinvested_exceeds_released", "warn",
                 "More hours a year are recorded as reinvested than are measured as released: " + "; ".join(over)
                 + ". Correct the reinvestment records: hours cannot be put to use twice.")


def _review_timing(ctx: Context) -> Check:
    if ctx.go_live is None or ctx.as_of is None:
        return Check("review_timing", "info", "No go-live or review date, so the review's timing is not checked.")
    months = ((ctx.as_of - ctx.go_live).days + 1) / 30.44
    words = f"{months:.1f} months after go-live ({text.fmt_date(ctx.go_live)} to {text.fmt_date(ctx.as_of)})"
    if 5.0 <= months <= 7.0:
        return Check("review_timing", "pass", f"The review is at {words}, about six months.")
    return Check("review_timing", "warn",
                 f"The review is at {words}, not about six months: a post-implementation review is due at six "
                 "months, so say why it is earlier or later.")


def _validated(ctx: Context) -> Check:
    claims = [v for v in ctx.valued if v.classification == "cash_releasing" and v.benefit.in_totals]
    if not claims:
        return Check("cash_not_validated", "pass", "No cashable saving is claimed.")
    missing = [v for v in claims if not v.benefit.finance_validated]
    if not missing:
        return Check("cash_not_validated", "pass", "Finance validated every cashable claim: "
                     + "; ".join(f"'{v.benefit.id}' by {v.benefit.finance_validated}" for v in claims) + ".")
    return Check("cash_not_validated", "warn",
                 f"Finance has not validated the cashable claim{'s' if len(missing) > 1 else ''} {_ids(missing)}: "
                 "they are shown as unvalidated. Ask Finance to confirm the budget reduction (who and when) in "
                 "finance_validated.")


def _dis(ctx: Context) -> Check:
    dis = [v for v in ctx.valued if v.benefit.category == "dis_benefit"]
    if not dis:
        return Check("dis_benefits", "pass", "The register records no dis-benefit.")
    return Check("dis_benefits", "info",
                 f"Dis-benefits {_ids(dis)} are netted off the totals and shown in their own section.")


def _used_rates(ctx: Context) -> list[Rate]:
    return [r for r in ctx.rates.rates if grade_key(r.grade) in ctx.rates_used]


def _price_year(ctx: Context) -> Check:
    off = [r for r in _used_rates(ctx) if (r.priced_year or r.price_year) != r.price_year]
    base = next((r.price_year for r in ctx.rates.rates), ctx.reporting_year)
    if not off:
        return Check("rate_price_year", "pass", f"Every hourly rate used is priced in {base}, the price base.")
    detail = _names([f"{r.grade} ({r.priced_year}, {text.fmt_gbp(r.priced_gbp, 2)} to "
                     f"{text.fmt_gbp(r.hourly_cost_gbp, 2)})" for r in off])
    return Check("rate_price_year", "warn",
                 f"Hourly rates for {detail} were priced in another year and are uprated to {base} prices by the "
                 "GDP deflator; give rates priced in the price base where Finance has them.")


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
    "time_and_money": _time_and_money,
    "reinvested_exceeds_released": _reinvested_exceeds,
    "review_timing": _review_timing,
    "cash_not_validated": _validated,
    "dis_benefits": _dis,
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
