"""A benefits review in words: summary, method notes and the review's own text.

Pure functions of the review's numbers; every piece of text from the spec or
the register reaches the page through :mod:`whatworks.display`, which
escapes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ... import text
from ...display import Notes, Prose, Section, Table
from ...results import Check, Estimate, Evidence
from .checks import CHECK_NAMES
from .model import GRADE_RULES, Valued
from .money import PRODUCTIVE_HOURS_SOURCE, RateTable

__all__ = ["method_notes", "summary", "review_text"]


def method_notes(rates: RateTable, productive: float, weeks: float, thresholds: Mapping[str, float], *,
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
        "better). Deadweight nets the observed and the forecast change alike (× (1 − deadweight)), so hours and "
        "pounds are net of it and the realised share is (baseline − actual) ÷ (baseline − forecast) against "
        "the same baseline: a baseline of 50, forecast of 10 and actual of 20 is 75% realised. For a timed task "
        "the baseline used is the measured mean time before go-live; the register's is shown beside it.",
        f"Ratings: green at {text.fmt_pct(thresholds['green'], 0)} realised or more, amber from "
        f"{text.fmt_pct(thresholds['amber'], 0)}, red below.",
        "The portfolio share realised compares measured pounds with forecast pounds for the same benefits.",
        "Confidence grades: " + "; ".join(f"{g}: {rule}" for g, rule in GRADE_RULES.items())
        + ". Months tracked = days from tracking start to tracking end (both included) ÷ 30.44, to one "
        "decimal place; the 3- and 12-month tests use that figure.",
        "Headline figures a year are run rates: the change at the latest measured level (the actual at the "
        "review point, or the mean time after go-live), a year, for measured benefits counted in totals. The "
        "financial-year profile does not use the run rate for the past: hours released to date (known) are the "
        "monthly actuals where given, else the measured change over the days tracked to the review date.",
        "Anticipated and potential figures are shown apart at their forecast levels; a benefit merged into "
        "another or marked not counted is shown but never added; dis-benefits are netted off.",
        "A cash-releasing claim is cashable only when a budget line was reduced; otherwise it is counted as "
        "non-cash-releasing. Time savings are non-cashable.",
        "The reporting year is, unless the spec gives one, the financial year of the latest tracking end date. "
        "Every benefit is valued in every financial year (April to March) from go-live to the horizon: a part "
        "year counts days covered ÷ days in that year of the annual figure; a recurring benefit runs to its "
        "end date, a one-off counts once in the year its tracking starts, and a cash-releasing benefit is "
        "cashable from the year its budget line is reduced. 'To date' and 'this financial year' count from "
        "the review date (or as_of), never from the day the report is run.",
        "Value for money: net benefit = cashable + non-cashable − programme costs, by year and cumulative; "
        "payback is the month the cumulative net benefit reaches zero (one-off costs paid at the start of "
        "their year, benefits and recurring costs spread evenly over its months from go-live); present values "
        "discount year t after the first by 1.035^t (HM Treasury Green Book, 3.5% real). Every pound is at "
        "the price base's prices; hourly costs priced in another year are uprated by the GDP deflator.",
        f"FTE = hours ÷ {text.fmt_number(productive)} productive hours a year per full-time post"
        + (" (as given in the spec)." if productive_given else f" ({PRODUCTIVE_HOURS_SOURCE}).")
        + f" Weekly figures are annualised over {text.fmt_number(weeks)} weeks.",
        rate_words,
        "Checks run (stable names): " + ", ".join(CHECK_NAMES) + ".",
    ]
    return tuple(notes)


def summary(valued: Sequence[Valued], estimates: Sequence[Estimate], checks: Sequence[Check],
            evidence: Evidence) -> tuple[str, ...]:
    """Plain-English summary: measured savings first, hoped-for savings apart."""
    by_name = {e.name: e for e in estimates}
    head = next((e for e in estimates if e.headline), None)
    if head is None:
        failed = " ".join(c.message for c in checks if c.status == "fail")
        return ("The figures are withheld until a failed check is resolved. " + failed,)
    measured = [v for v in valued if v.measured and v.benefit.in_totals]
    hoped = [v for v in valued if not v.measured]
    cash, noncash = by_name["cashable_gbp"], by_name["non_cashable_gbp"]
    paras = []
    if measured:
        ci = f" ({head.interval_words()})" if head.ci_low is not None else ""
        paras.append(
            f"Measured savings: {text.fmt_number(head.estimate)} hours a year released{ci}, about "
            f"{text.fmt_number(by_name['fte_released'].estimate, 1)} full-time posts, from "
            f"{text.plural(len(measured), 'benefit')} measured since go-live. In pounds, "
            f"{text.fmt_gbp(cash.estimate)} a year is cashable and {text.fmt_gbp(noncash.estimate)} non-cashable. "
            "These are before-and-after comparisons: they describe what changed after go-live and cannot by "
            "themselves show that the change caused it." if not evidence.causal else
            f"Measured savings: {text.fmt_number(head.estimate)} hours a year released{ci}, about "
            f"{text.fmt_number(by_name['fte_released'].estimate, 1)} full-time posts; "
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
    rated = [v for v in valued if v.rating]
    if rated:
        counts = {c: sum(v.rating == c for v in rated) for c in ("green", "amber", "red")}
        words = ", ".join(f"{n} {c}" for c, n in counts.items() if n)
        share = by_name.get("realised_share")
        total = (f" Across the measured benefits valued in pounds, {text.fmt_pct(share.estimate, 0)} of the "
                 "forecast was realised." if share else "")
        paras.append(f"Against forecast: {words}.{total}")
    attention = [c for c in checks if c.status in ("warn", "fail")]
    if attention:
        paras.append(f"{text.plural(len(attention), 'check')} need attention before these figures are reported; "
                     "see the checks below.")
    return tuple(paras)


def review_text(process_findings: Sequence[str], lessons: Sequence[str], recommendations: Sequence[str],
                signoff: Mapping[str, Any]) -> Section:
    """Process findings, lessons, recommendations and sign-off, as written (escaped on display)."""
    parts: list[Notes | Table | Prose] = []
    for title, items in (("Process findings", process_findings), ("Lessons", lessons),
                         ("Recommendations", recommendations)):
        if items:
            parts.append(Notes(items, title=title))
    if signoff:
        parts.append(Table(("Sign-off", "As recorded"), tuple((str(k).replace("_", " ").capitalize(), str(v))
                                                  for k, v in signoff.items())))
    if not parts:
        parts.append(Prose(["The review records no findings, lessons, recommendations or sign-off."]))
    return Section(*parts)
