"""How a benefits review is shown: summary, method notes, tables, charts, payload.

Every piece of text from the spec or the register reaches the page through
:mod:`whatworks.display`, which escapes it.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

import numpy as np

from .. import plots, text
from ..display import Notes, Prose, Section, Table
from ._benefits_checks import CHECK_NAMES
from ._benefits_money import PRODUCTIVE_HOURS_SOURCE, RateTable
from ._benefits_value import GRADES

if TYPE_CHECKING:  # pragma: no cover
    from .benefits import PIRResult

_GRADE_RULES = {
    "known": "measured against a measured baseline over the whole year claimed (12 months or more tracked), "
             "not extrapolated",
    "projected": "measured, but annualised from under 12 months, scaled up from a sample of task timings, or "
                 "against a baseline with no measurement dates",
    "anticipated": "a business-case forecast not yet measured (including benefits tracked for under 3 months)",
    "potential": "not yet evidenced: no baseline, no forecast or no evidence source",
}
_CATEGORY_WORDS = {
    "time_saving": "time saving", "cash_releasing": "cash-releasing", "non_cash_releasing": "non-cash-releasing",
    "quality": "quality", "societal": "societal",
}


# -- words -------------------------------------------------------------------------
def method_notes(rates: RateTable, productive: float, weeks: float, thresholds: dict, *,
                 timings_given: bool, productive_given: bool) -> tuple[str, ...]:
    """The conventions behind every number, in words."""
    sources = "; ".join(sorted({f"{r.source} ({r.price_year}, {r.cost_basis} cost)" for r in rates.rates}))
    rate_words = f"Hourly costs come from {rates.label}. Sources: {sources}."
    timing_notes = [
        "Time saving for a timed task = (mean minutes before − mean minutes after) ÷ 60 × occurrences a year "
        "(total occurrences, or times per person × staff, annualised) × (1 − deadweight). Volumes are taken "
        "as the same before and after.",
        "The change in mean task time has a 95% Welch interval (t distribution with Welch–Satterthwaite degrees "
        "of freedom, no equal-variance assumption). Hours, FTE and pounds scale that interval; sums over tasks "
        "add the variance pieces and use Satterthwaite degrees of freedom. Register figures carry no interval.",
        "Pounds for a timed task value each timing at its grade's hourly cost, so the saving in pounds has its "
        "own Welch interval. Forecast pounds for a timed task value the forecast hours at the before-period "
        "grade mix, weighted by minutes.",
    ] if timings_given else []
    notes = timing_notes + [
        "The observed change is signed so that an improvement is positive (baseline − actual when lower is "
        "better). Deadweight reduces the observed change only: net change = observed × (1 − deadweight); the "
        "forecast is taken as the change the programme was expected to cause. Realised share = net change ÷ "
        "forecast change: a baseline of 50, forecast of 10 and actual of 20 is 75% realised.",
        f"Ratings: green at {text.fmt_pct(thresholds['green'], 0)} realised or more, amber from "
        f"{text.fmt_pct(thresholds['amber'], 0)}, red below.",
        "The portfolio share realised compares measured pounds with forecast pounds for the same benefits.",
        "Confidence grades: " + "; ".join(f"{g}: {rule}" for g, rule in _GRADE_RULES.items())
        + ". Months tracked = days from tracking start to tracking end (both included) ÷ 30.44, to one "
        "decimal place; the 3- and 12-month tests use that figure.",
        "Annual figures are run rates: the change at the latest measured level (the actual at the review "
        "point, or the mean time after go-live), a year. Monthly actuals, where given, are drawn on the "
        "trajectory chart but do not change the annual figure.",
        "The headline counts measured savings only (known and projected); anticipated and potential figures "
        "are shown separately at their forecast levels.",
        "A cash-releasing claim is cashable only when a budget line was reduced; otherwise it is counted as "
        "non-cash-releasing. Time savings are non-cashable.",
        "The reporting year is, unless the spec gives one, the financial year of the latest tracking end date. "
        "Each benefit's annual figure is counted over the year from its tracking start (or the review date) "
        "and split between financial years (April to March) by days.",
        f"FTE = hours ÷ {text.fmt_number(productive)} productive hours a year per full-time post"
        + (" (as given in the spec)." if productive_given else f" ({PRODUCTIVE_HOURS_SOURCE}).")
        + f" Weekly figures are annualised over {text.fmt_number(weeks)} weeks.",
        rate_words,
        "Checks run (stable names): " + ", ".join(CHECK_NAMES) + ".",
    ]
    return tuple(notes)


def summary(r: "PIRResult") -> tuple[str, ...]:
    """Plain-English summary: measured savings first, hoped-for savings apart."""
    head = r.headline
    measured = [v for v in r.valued if v.measured]
    hoped = [v for v in r.valued if not v.measured]
    cash, noncash = r.estimate("cashable_gbp"), r.estimate("non_cashable_gbp")
    paras = []
    if measured:
        ci = f" ({head.interval_words()})" if head.ci_low is not None else ""
        paras.append(
            f"Measured savings: {text.fmt_number(head.estimate)} hours a year released{ci}, about "
            f"{text.fmt_number(r.estimate('fte_released').estimate, 1)} full-time posts, from "
            f"{text.plural(len(measured), 'benefit')} measured since go-live. In pounds, "
            f"{text.fmt_gbp(cash.estimate)} a year is cashable and {text.fmt_gbp(noncash.estimate)} non-cashable. "
            "These are before-and-after comparisons: they describe what changed after go-live and cannot by "
            "themselves show that the change caused it." if not r.evidence.causal else
            f"Measured savings: {text.fmt_number(head.estimate)} hours a year released{ci}, about "
            f"{text.fmt_number(r.estimate('fte_released').estimate, 1)} full-time posts; "
            f"{text.fmt_gbp(cash.estimate)} a year cashable and {text.fmt_gbp(noncash.estimate)} non-cashable.")
    else:
        paras.append("No benefit has yet been measured for three months or more, so no saving is reported as "
                     "measured.")
    if hoped:
        hours = sum(v.amount("hours") for v in hoped)
        pounds = sum(v.amount("cashable") + v.amount("non_cashable") for v in hoped)
        ids = ", ".join(v.benefit.id for v in hoped)
        worth = (f", worth {text.fmt_number(hours)} hours and {text.fmt_gbp(pounds)} a year if delivered as "
                 "planned" if hours or pounds else ", not valued in hours or pounds")
        paras.append(
            f"Hoped-for savings, not in the figures above: {text.plural(len(hoped), 'benefit')} ({ids}) "
            f"{'has' if len(hoped) == 1 else 'have'} not yet been measured for three months or more{worth}.")
    rated = [v for v in r.valued if v.rating]
    if rated:
        counts = {c: sum(v.rating == c for v in rated) for c in ("green", "amber", "red")}
        words = ", ".join(f"{n} {c}" for c, n in counts.items() if n)
        share = next((e for e in r.estimates if e.name == "realised_share"), None)
        total = (f" Across the measured benefits valued in pounds, {text.fmt_pct(share.estimate, 0)} of the "
                 "forecast was realised." if share else "")
        paras.append(f"Against forecast: {words}.{total}")
    attention = [c for c in r.checks if c.status in ("warn", "fail")]
    if attention:
        paras.append(f"{text.plural(len(attention), 'check')} need attention before these figures are reported; "
                     "see the checks below.")
    return tuple(paras)


# -- tables -------------------------------------------------------------------------
def _num(x) -> str:
    return "–" if x is None else text.fmt_number(x)


_HEADLINE_FORMATS = {
    "hours": text.fmt_number,
    "FTE": lambda x: text.fmt_number(x, 1),
    "GBP": text.fmt_gbp,
    "share": lambda x: text.fmt_pct(x, 0),
}


def headline_table(r: "PIRResult") -> Table:
    """The estimates as a board reads them: hours, posts, pounds and shares, with 95% intervals."""
    rows = []
    for e in r.estimates:
        fmt = _HEADLINE_FORMATS.get(e.unit or "", text.fmt_number)
        interval = (f"{fmt(e.ci_low)} to {fmt(e.ci_high)}" if e.ci_low is not None and e.ci_high is not None
                    else "–")
        rows.append((e.label, fmt(e.estimate), interval))
    return Table(("Quantity", "Estimate", f"{text.LEVEL_WORDS} interval"), tuple(rows),
                 caption="Headline figures (a year, measured benefits only)", numeric=(False, True, True))


def register_table(r: "PIRResult") -> Table:
    rows = []
    for v in r.valued:
        b = v.benefit
        cat = _CATEGORY_WORDS[b.category]
        if v.classification != b.category:
            cat += f" (counted as {_CATEGORY_WORDS[v.classification]})"
        rows.append((b.id, b.description, b.owner or "not named", cat, b.measure or "not stated",
                     b.unit or "", b.evidence or "none", v.grade, v.grade_reason))
    return Table(("Benefit", "Description", "Owner", "Category", "Measure", "Unit", "Evidence",
                  "Confidence", "Why"), tuple(rows), caption="Benefits register as reviewed")


def realisation_table(r: "PIRResult") -> Table:
    rows = []
    for v in r.valued:
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
        rows.append((b.id, _num(b.baseline), _num(b.forecast), _num(actual), tracked, share,
                     (v.rating or "not rated"), _num(v.amount("hours") if v.measured and v.hours else None), fy,
                     v.method))
    return Table(("Benefit", "Baseline", "Forecast", "Actual", "Months tracked", "Share realised (95% CI)",
                  "Rating", "Hours a year (measured)", "Forecasts by year", "How worked out"), tuple(rows),
                 caption="Realised against forecast",
                 numeric=(False, True, True, True, True, True, False, True, False, False))


def totals_table(r: "PIRResult") -> Table:
    rows = tuple((t["financial_year"], t["confidence_grade"], text.fmt_number(t["hours"]),
                  text.fmt_number(t["fte"], 2), text.fmt_gbp(t["cashable_gbp"]), text.fmt_gbp(t["non_cashable_gbp"]))
                 for t in r.benefit_totals)
    return Table(("Financial year", "Confidence", "Hours", "FTE", "Cashable", "Non-cashable"), rows,
                 caption="Totals by financial year (April to March) and confidence grade",
                 numeric=(False, False, True, True, True, True))


def grade_table(r: "PIRResult") -> Table:
    rows = []
    for g in GRADES:
        vs = [v for v in r.valued if v.grade == g]
        rows.append((g, str(len(vs)), text.fmt_number(sum(v.amount("hours") for v in vs)),
                     text.fmt_gbp(sum(v.amount("cashable") for v in vs)),
                     text.fmt_gbp(sum(v.amount("non_cashable") for v in vs)), _GRADE_RULES[g]))
    return Table(("Confidence", "Benefits", "Hours a year", "Cashable a year", "Non-cashable a year", "Rule"),
                 tuple(rows), caption="How much of the total is measured",
                 numeric=(False, True, True, True, True, False))


def reinvestment_table(r: "PIRResult") -> Table:
    released = sum(v.amount("hours") for v in r.valued if v.measured)
    rows = [(x["activity"], text.fmt_number(x["hours"]), x["evidence"] or "none", x["benefit"] or "")
            for x in (r.reinvestment or ())]
    recorded = sum(x["hours"] for x in (r.reinvestment or ()))
    if released - recorded > 0.005 * released:
        rows.append(("Notional (no record of where the time went)", text.fmt_number(released - recorded), "none", ""))
    return Table(("Activity", "Hours a year", "Evidence", "Benefit"), tuple(rows),
                 caption=f"Where the {text.fmt_number(released)} hours a year released went",
                 numeric=(False, True, False, False))


def review_text(r: "PIRResult") -> Section:
    parts = []
    for title, items in (("Process findings", r.process_findings), ("Lessons", r.lessons),
                         ("Recommendations", r.recommendations)):
        if items:
            parts.append(Notes(items, title=title))
    if r.signoff:
        parts.append(Table(("Sign-off", "As recorded"), tuple((str(k).replace("_", " ").capitalize(), str(v))
                                                  for k, v in r.signoff.items())))
    if not parts:
        parts.append(Prose(["The review records no findings, lessons, recommendations or sign-off."]))
    return Section(*parts)


# -- charts -------------------------------------------------------------------------
def _months(start: _dt.date, end: _dt.date) -> list[_dt.date]:
    out, d = [], _dt.date(start.year, start.month, 1)
    while d <= end:
        out.append(d)
        d = _dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def plot_trajectory(r: "PIRResult") -> plots.Chart:
    """Cumulative hours released by month: forecast against actual, measured benefits."""
    vs = [v for v in r.valued if v.measured and v.benefit.tracking_start and (v.hours is not None)]
    fig, ax = plots.figure()
    if not vs:
        ax.text(0.5, 0.5, "No measured time savings yet", ha="center", va="center", transform=ax.transAxes)
        return plots.chart(fig, alt="No benefit has measured hours released yet, so there is no trajectory.",
                           caption="Hours released: forecast and actual by month")
    start = min(v.benefit.tracking_start for v in vs)
    end = max(v.benefit.tracking_end for v in vs)
    months = _months(start, end)
    fore, act = np.zeros(len(months)), np.zeros(len(months))
    for v in vs:
        b = v.benefit
        for i, m in enumerate(months):
            if b.tracking_start <= m + _dt.timedelta(days=27) and m <= b.tracking_end:
                fore[i] += (v.forecast_hours or 0.0) / 12
                act[i] += v.monthly_hours.get(m, v.amount("hours") / 12)
    fore_c, act_c = np.cumsum(fore), np.cumsum(act)
    x = [np.datetime64(m) for m in months]
    ax.plot(x, fore_c, color=plots.COLOURS["forecast"], linestyle="--", marker="o", label="Forecast")
    ax.plot(x, act_c, color=plots.COLOURS["actual"], marker="o", label="Actual (measured)")
    ax.set_ylabel("Hours released (cumulative)")
    ax.set_ylim(bottom=0)
    ax.legend()
    share = act_c[-1] / fore_c[-1] if fore_c[-1] > 0 else float("nan")
    alt = (f"By {months[-1]:%B %Y}, measured benefits had "
           f"released about {text.fmt_number(act_c[-1])} hours against a forecast of {text.fmt_number(fore_c[-1])} "
           f"({text.fmt_pct(share, 0)} of forecast).")
    return plots.chart(fig, alt=alt, caption="Hours released since go-live: forecast and actual by month "
                                             "(measured benefits; monthly actuals where the register "
                                             "gives them, otherwise each benefit's annual rate ÷ 12)")


def plot_waterfall(r: "PIRResult") -> plots.Chart:
    """Hours released a year, benefit by benefit: measured, then hoped-for."""
    measured = [v for v in r.valued if v.measured and v.amount("hours")]
    hoped = [v for v in r.valued if not v.measured and v.amount("hours")]
    fig, ax = plots.figure(width=8.0, height=3.8)
    labels, bottoms, heights, colours = [], [], [], []
    level = 0.0
    for group, colour in ((measured, plots.COLOURS["actual"]), (hoped, plots.COLOURS["forecast"])):
        for v in group:
            h = v.amount("hours")
            labels.append(v.benefit.id)
            bottoms.append(level if h >= 0 else level + h)
            heights.append(abs(h))
            colours.append(colour)
            level += h
        if group is measured:
            labels.append("Measured")
            bottoms.append(0.0)
            heights.append(level)
            colours.append(plots.COLOURS["observed"])
    if hoped:
        labels.append("With hoped-for")
        bottoms.append(0.0)
        heights.append(level)
        colours.append(plots.COLOURS["comparison"])
    pos = np.arange(len(labels))
    ax.bar(pos, heights, bottom=bottoms, color=colours, width=0.6)
    ax.set_xticks(pos, labels, rotation=0 if len(labels) < 8 else 45)
    ax.set_ylabel("Hours a year")
    measured_total = sum(v.amount("hours") for v in measured)
    hoped_total = sum(v.amount("hours") for v in hoped)
    alt = (f"Measured benefits release {text.fmt_number(measured_total)} hours a year"
           + (f"; the largest is {max(measured, key=lambda v: v.amount('hours')).benefit.id}" if measured else "")
           + (f"; forecasts not yet measured would add {text.fmt_number(hoped_total)} hours." if hoped else "."))
    return plots.chart(fig, alt=alt, caption="Hours released a year by benefit (blue measured, orange hoped-for)")


# -- results.json -------------------------------------------------------------------
def _change_dict(change) -> dict | None:
    if change is None:
        return None
    out = {"estimate": float(change.estimate)}
    if change.measured:
        low, high = change.interval()
        out.update(ci_low=float(low), ci_high=float(high))
    return out


def pir_payload(r: "PIRResult") -> dict:
    benefits = []
    for v in r.valued:
        b = v.benefit
        benefits.append({
            "id": b.id, "description": b.description, "owner": b.owner, "category": b.category,
            "counted_as": v.classification, "measure": b.measure, "unit": b.unit, "direction": b.direction,
            "baseline": b.baseline, "forecast": b.forecast, "actual": b.actual,
            "forecasts_by_year": dict(b.fy_forecasts),
            "tracking_start": b.tracking_start, "tracking_end": b.tracking_end,
            "months_tracked": b.months_tracked, "deadweight": b.deadweight, "status": v.status,
            "confidence_grade": v.grade, "grade_reason": v.grade_reason, "rating": v.rating,
            "realised_share": _change_dict(v.realised), "hours_per_year": _change_dict(v.hours),
            "cashable_gbp": _change_dict(v.cashable), "non_cashable_gbp": _change_dict(v.non_cashable),
            "forecast_hours_per_year": v.forecast_hours, "forecast_gbp_per_year": v.forecast_gbp,
            "method": v.method, "task": v.task_detail or None,
        })
    released = sum(v.amount("hours") for v in r.valued if v.measured)
    recorded = sum(x["hours"] for x in (r.reinvestment or ()))
    return {
        "review_date": r.review_date, "reporting_year": r.reporting_year,
        "rating_thresholds": dict(r.thresholds), "productive_hours_per_fte": r.productive_hours_per_fte,
        "rates": {"table": r.rates.label, "default_used": r.rates.is_default,
                  "rows": [{"grade": x.grade, "hourly_cost_gbp": x.hourly_cost_gbp, "price_year": x.price_year,
                            "cost_basis": x.cost_basis, "source": x.source} for x in r.rates.rates]},
        "benefits": benefits,
        "reinvestment": {"records": list(r.reinvestment or ()), "hours_recorded": recorded,
                         "hours_notional": max(released - recorded, 0.0)},
        "outputs_maintained": list(r.outputs),
        "lessons": list(r.lessons), "recommendations": list(r.recommendations),
        "process_findings": list(r.process_findings), "signoff": dict(r.signoff),
    }


__all__ = ["method_notes", "summary", "headline_table", "register_table", "realisation_table", "totals_table",
           "grade_table", "reinvestment_table", "review_text", "plot_trajectory", "plot_waterfall", "pir_payload"]
