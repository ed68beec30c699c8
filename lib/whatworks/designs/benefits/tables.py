"""A benefits review's display tables: headline figures, register, realisation, totals, grades, reinvestment.

Each takes the review's numbers (valued benefits, estimates, totals), not
the result; text from the spec or the register is escaped by
:mod:`whatworks.display`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ... import text
from ...display import Table
from ...results import Estimate
from .inputs import CATEGORY_WORDS
from .model import GRADE_RULES, GRADES, Valued

__all__ = ["headline_table", "register_table", "realisation_table", "totals_table", "grade_table",
           "reinvestment_table", "baseline_table", "forecast_table", "dis_benefit_table", "value_table",
           "cash_validation_table"]


def _num(x: float | None) -> str:
    return "–" if x is None else text.fmt_number(x)


_HEADLINE_FORMATS: dict[str, Callable[[float], str]] = {
    "hours": text.fmt_number,
    "FTE": lambda x: text.fmt_number(x, 1),
    "GBP": text.fmt_gbp,
    "share": lambda x: text.fmt_pct(x, 0),
}


def headline_table(estimates: Sequence[Estimate]) -> Table:
    """The estimates as a board reads them: hours, posts, pounds and shares, with 95% intervals."""
    rows = []
    for e in estimates:
        fmt: Callable[[float], str] = _HEADLINE_FORMATS.get(e.unit or "", text.fmt_number)
        interval = (f"{fmt(e.ci_low)} to {fmt(e.ci_high)}" if e.ci_low is not None and e.ci_high is not None
                    else "–")
        rows.append((e.label, fmt(e.estimate), interval))
    return Table(("Quantity", "Estimate", f"{text.LEVEL_WORDS} interval"), tuple(rows),
                 caption="Headline figures (a year, measured benefits only)", numeric=(False, True, True))


def register_table(valued: Sequence[Valued]) -> Table:
    """The benefits register as reviewed: category, measure, owner, evidence and confidence grade."""
    rows = []
    for v in valued:
        b = v.benefit
        cat = CATEGORY_WORDS[b.category]
        if v.classification != b.category:
            cat += f" (counted as {CATEGORY_WORDS[v.classification]})"
        rows.append((b.id, b.description, b.owner or "not named", cat, b.measure or "not stated",
                     b.unit or "", b.evidence or "none", v.grade, v.grade_reason))
    return Table(("Benefit", "Description", "Owner", "Category", "Measure", "Unit", "Evidence",
                  "Confidence", "Why"), tuple(rows), caption="Benefits register as reviewed")


def realisation_table(valued: Sequence[Valued]) -> Table:
    """Baseline, forecast, actual, realised share (95% interval) and rating per benefit."""
    rows = []
    for v in valued:
        b = v.benefit
        actual = b.actual
        if v.task_detail:
            actual = v.task_detail["mean_after"]
        share = "–"
        if v.realised is not None:
            share = text.fmt_pct(float(v.realised.estimate), 0)
            if v.realised.measured:
                low, high = v.realised.interval()
                share += f" ({text.fmt_pct(float(low), 0)} to {text.fmt_pct(float(high), 0)})"
        elif v.status == "withheld":
            share = "withheld (under 3 months)"
        tracked = "–" if b.months_tracked is None else f"{b.months_tracked:.1f}"
        fy = "; ".join(f"{k}: {_num(x)}" for k, x in b.fy_forecasts.items()) or "–"
        rows.append((b.id, _num(v.baseline_used), _num(b.forecast), _num(actual), tracked, share,
                     (v.rating or "not rated"), _num(v.amount("hours") if v.measured and v.hours else None), fy,
                     v.method))
    return Table(("Benefit", "Baseline used", "Forecast", "Actual", "Months tracked", "Share realised (95% CI)",
                  "Rating", "Hours a year (measured)", "Forecasts by year", "How worked out"), tuple(rows),
                 caption="Realised against forecast",
                 numeric=(False, True, True, True, True, True, False, True, False, False))


def totals_table(totals: Sequence[Mapping[str, Any]]) -> Table:
    """Hours, FTE and pounds by financial year and confidence grade."""
    rows = tuple((t["financial_year"], t["confidence_grade"], text.fmt_number(t["hours"]),
                  text.fmt_number(t["fte"], 2), text.fmt_gbp(t["cashable_gbp"]), text.fmt_gbp(t["non_cashable_gbp"]))
                 for t in totals if t["hours"] or t["cashable_gbp"] or t["non_cashable_gbp"])
    return Table(("Financial year", "Confidence", "Hours", "FTE", "Cashable", "Non-cashable"), rows,
                 caption="Totals by financial year (April to March) and confidence grade",
                 numeric=(False, False, True, True, True, True))


def grade_table(valued: Sequence[Valued]) -> Table:
    """Totals by confidence grade, with the rule for each grade."""
    rows = []
    for g in GRADES:
        vs = [v for v in valued if v.grade == g]
        rows.append((g, str(len(vs)), text.fmt_number(sum(v.amount("hours") for v in vs)),
                     text.fmt_gbp(sum(v.amount("cashable") for v in vs)),
                     text.fmt_gbp(sum(v.amount("non_cashable") for v in vs)), GRADE_RULES[g]))
    return Table(("Confidence", "Benefits", "Hours a year", "Cashable a year", "Non-cashable a year", "Rule"),
                 tuple(rows), caption="How much of the total is measured",
                 numeric=(False, True, True, True, True, False))


def reinvestment_table(valued: Sequence[Valued], reinvestment: Sequence[Mapping[str, Any]] | None) -> Table:
    """Where released hours went, and how many are notional."""
    released = sum(v.amount("hours") for v in valued if v.measured)
    rows = [(x["activity"], text.fmt_number(x["hours"]), x["evidence"] or "none", x["benefit"] or "")
            for x in (reinvestment or ())]
    recorded = sum(x["hours"] for x in (reinvestment or ()))
    if released - recorded > 0.005 * released:
        rows.append(("Notional (no record of where the time went)", text.fmt_number(released - recorded), "none", ""))
    return Table(("Activity", "Hours a year", "Evidence", "Benefit"), tuple(rows),
                 caption=f"Where the {text.fmt_number(released)} hours a year released went",
                 numeric=(False, True, False, False))


def baseline_table(valued: Sequence[Valued]) -> Table:
    """The register's baseline, the measured one, which the share uses and why."""
    rows = []
    for v in valued:
        b = v.benefit
        measured = v.task_detail.get("mean_before") if v.task_detail else None
        rows.append((b.id, _num(b.baseline), _num(measured), _num(v.baseline_used), _num(b.forecast),
                     _num(v.task_detail["mean_after"] if v.task_detail else b.actual),
                     f"{b.deadweight:g}", v.baseline_reason or "–"))
    return Table(("Benefit", "Register baseline", "Measured baseline", "Baseline used", "Forecast", "Actual",
                  "Deadweight", "Why this baseline"), tuple(rows),
                 caption="Baselines: share realised = (baseline used − actual) ÷ (baseline used − forecast)",
                 numeric=(False, True, True, True, True, True, True, False))


def forecast_table(forecast: Sequence[Mapping[str, Any]], realised: Mapping[str, Mapping[str, float]],
                   years: Sequence[str]) -> Table:
    """Counted hours and pounds realised (all grades) against the register's forecast, by financial year."""
    rows = []
    for fy in years:
        fs = [f for f in forecast if f["financial_year"] == fy and f["counted"]]
        f_hours = sum(f["hours"] or 0.0 for f in fs)
        f_gbp = sum(f["gbp"] or 0.0 for f in fs)
        r = realised[fy]
        gbp = r["cashable"] + r["non_cashable"]
        rows.append((fy, text.fmt_number(f_hours), text.fmt_number(r["hours"]), text.fmt_gbp(f_gbp),
                     text.fmt_gbp(gbp), text.fmt_pct(gbp / f_gbp, 0) if f_gbp else "–"))
    return Table(("Financial year", "Forecast hours", "Hours (all grades)", "Forecast £", "£ (all grades)",
                  "£ as a share of forecast"), tuple(rows),
                 caption="Forecast against the profile, by financial year (counted benefits)",
                 numeric=(False, True, True, True, True, True))


def dis_benefit_table(valued: Sequence[Valued]) -> Table:
    """Dis-benefits: what the change cost beyond the programme budget, a year."""
    rows = [(v.benefit.id, v.benefit.description, v.benefit.measure or "", _num(v.amount("hours")),
             text.fmt_gbp(v.amount("non_cashable") + v.amount("cashable")), v.method)
            for v in valued if v.benefit.category == "dis_benefit"]
    if not rows:
        rows = [("–", "The register records no dis-benefit.", "", "–", "–", "")]
    return Table(("Dis-benefit", "Description", "Measure", "Hours a year", "£ a year", "How worked out"),
                 tuple(rows), caption="Dis-benefits (netted off every total)",
                 numeric=(False, False, False, True, True, False))


def value_table(vfm: Mapping[str, Any], price_base: str) -> Table:
    """Costs, net benefit by year and cumulative, and the summary measures of value for money."""
    rows = [(y["financial_year"], text.fmt_gbp(y["cashable_gbp"]), text.fmt_gbp(y["non_cashable_gbp"]),
             text.fmt_gbp(y["one_off_costs_gbp"] + y["recurring_costs_gbp"]), text.fmt_gbp(y["net_benefit_gbp"]),
             text.fmt_gbp(y["cumulative_net_gbp"]), text.fmt_number(y["discount_factor"], 4))
            for y in vfm.get("years", ())]

    def ratio(x: float | None) -> str:
        return "–" if x is None else text.fmt_number(x, 2)

    rows.append(("Present value", text.fmt_gbp(vfm.get("pv_cashable_gbp")),
                 text.fmt_gbp((vfm.get("pv_benefits_gbp") or 0.0) - (vfm.get("pv_cashable_gbp") or 0.0)),
                 text.fmt_gbp(vfm.get("pv_costs_gbp")), text.fmt_gbp(vfm.get("npv_gbp")), "", ""))
    caption = (f"Value for money at {price_base} prices, discounted at 3.5% a year: payback "
               f"{vfm.get('payback_month') or 'not reached (or no costs given)'}; benefit-cost ratio "
               f"{ratio(vfm.get('bcr_total'))} (all benefits), {ratio(vfm.get('bcr_cashable'))} (cashable only)")
    return Table(("Financial year", "Cashable", "Non-cashable", "Costs", "Net benefit", "Cumulative net",
                  "Discount factor"), tuple(rows), caption=caption,
                 numeric=(False, True, True, True, True, True, True))


def cash_validation_table(valued: Sequence[Valued]) -> Table:
    """Every cashable claim and whether Finance validated it (who and when)."""
    rows = [(v.benefit.id, v.benefit.description, v.benefit.budget_year or "–",
             v.benefit.finance_validated or "NOT VALIDATED by Finance")
            for v in valued if v.classification == "cash_releasing"]
    if not rows:
        rows = [("–", "No cashable saving is claimed.", "–", "–")]
    return Table(("Benefit", "Description", "Budget line reduced from", "Finance validation"), tuple(rows),
                 caption="Cashable claims and Finance's validation")
