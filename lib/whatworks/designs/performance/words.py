"""The pack's words: each measure's narrative as forces write it, and the method notes.

The narrative follows the published quarterly packs: "Violent crime fell by
1.1% (−4) since Q4 2022/23 and is 10.7% (+34) higher than Q1 2022/23; the
monthly series shows common-cause variation only". Every number is computed
from the quarters shown in the table beside it, so the words and the table
cannot disagree. A rate changes in percentage points.

Examples
--------
>>> signed(-4.0), signed(34.0), signed(0.0)
('−4', '+34', '0')
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import text
from ..spc.rules import PROFILES
from ..spc.words import ASSURANCE_WORDS, VARIATION_WORDS
from .model import Change, MeasureFit, quarter_label

__all__ = ["signed", "value_words", "change_words", "narrative", "summary", "method_notes", "VARIATION_CLAUSE"]

_MINUS = "\u2212"

#: How the narrative's last clause reads each variation icon.
VARIATION_CLAUSE = {
    "common_cause": "the monthly series shows common-cause variation only",
    "improving_high": "the latest month is unusually high, an improvement (special-cause variation)",
    "improving_low": "the latest month is unusually low, an improvement (special-cause variation)",
    "concerning_high": "the latest month is unusually high, a concern (special-cause variation)",
    "concerning_low": "the latest month is unusually low, a concern (special-cause variation)",
}


def signed(value: float, digits: int = 0) -> str:
    """A change with its sign (a true minus sign), as the packs write it: ``+34``, ``−4``."""
    shown = text.fmt_number(abs(value), digits)
    if shown.strip("0.,") == "":
        return shown
    return ("+" if value > 0 else _MINUS) + shown


def value_words(fit: MeasureFit, value: float) -> str:
    """A quarter's value: a count (``1,234``) or a rate (``10.4%``)."""
    return text.fmt_pct(value) if fit.measure.is_rate else text.fmt_number(value, 0)


def change_words(fit: MeasureFit, change: Change) -> tuple[str, str]:
    """A change as the matrix shows it: the per cent and the count (or, for a rate, percentage points)."""
    if fit.measure.is_rate:
        return f"{signed(100 * change.difference, 1)} pts", ""
    pct = change.percent
    return ("–" if pct is None else f"{signed(pct, 1)}%"), signed(change.difference)


def _since(fit: MeasureFit, change: Change, first: bool) -> str:
    label = quarter_label(change.since)
    if change.difference == 0:
        return f"was unchanged since {label}" if first else f"is the same as {label}"
    up = change.difference > 0
    if fit.measure.is_rate:
        pts = text.fmt_number(abs(100 * change.difference), 1)
        if first:
            return f"{'rose' if up else 'fell'} by {pts} percentage points since {label}"
        return f"is {pts} percentage points {'higher' if up else 'lower'} than {label}"
    pct = change.percent
    how = "" if pct is None else f"{text.fmt_number(abs(pct), 1)}% "
    if first:
        return f"{'rose' if up else 'fell'} by {how}({signed(change.difference)}) since {label}"
    return f"is {how}({signed(change.difference)}) {'higher' if up else 'lower'} than {label}"


def narrative(fit: MeasureFit) -> str:
    """The measure's paragraph in the published form, then its target and comparator."""
    name = fit.definition.name
    parts = []
    if fit.previous is not None:
        parts.append(_since(fit, fit.previous, True))
    if fit.year_ago is not None:
        parts.append(_since(fit, fit.year_ago, fit.previous is None))
    head = f"{name} was {value_words(fit, fit.latest.value)} in {fit.latest.label}"
    if parts:
        head = f"{name} " + " and ".join(parts)
    out = f"{head}; {VARIATION_CLAUSE[fit.chart.variation()]}."
    if fit.immature:
        out += (f" Outcomes for the latest {text.plural(len(fit.immature), 'month')} are still being recorded, so "
                "those figures will rise.")
    d = fit.definition
    if d.target is not None:
        met = fit.target_met
        out += (f" {fit.latest.label} {'met' if met else 'missed'} the target of {value_words(fit, d.target)}"
                f" ({value_words(fit, fit.latest.value)}).")
        assurance = fit.chart.assurance()
        if assurance is not None:
            out += f" On the monthly limits, {ASSURANCE_WORDS[assurance]}."
    if d.comparator is not None:
        out += f" {d.comparator_label} comparator: {value_words(fit, d.comparator)}."
    return out


def summary(fits: Sequence[MeasureFit], quarter_words: str) -> tuple[str, ...]:
    """The pack's opening paragraph: how many measures, exceptions and missed targets."""
    n = len(fits)
    exceptions = [f.definition.name for f in fits if f.exception]
    missed = sum(1 for f in fits if f.target_met is False)
    concerning = sum(1 for f in fits if f.chart.variation().startswith("concerning"))
    improving = sum(1 for f in fits if f.chart.variation().startswith("improving"))
    first = (f"{text.plural(n, 'measure')} for {quarter_words}: {text.plural(len(exceptions), 'exception')} "
             f"({concerning} with concerning special-cause variation in the latest month, {missed} missing "
             f"{'its' if missed == 1 else 'their'} target), and {improving} improving.")
    out = [first]
    if exceptions:
        out.append("Exceptions: " + ", ".join(exceptions) + ".")
    return tuple(out)


def method_notes(rules: str, has_rate: bool) -> tuple[str, ...]:
    """How the pack's numbers are made."""
    profile = PROFILES[rules]
    out = [
        f"Each chart shows monthly points with limits from every month shown (except months still being recorded), "
        f"under the {profile.title} rules"
        + (": limits at the mean plus or minus two standard deviations, a run of 7 points on one side of the "
           "mean, and 7 rises or falls in a row (8 points)." if rules == "police-2sd" else "."),
        "A count's limits never go below zero; a rate's stay between 0% and 100%.",
        "Quarters are financial quarters (Q1 is April to June). A quarter is shown only when all three of its months "
        "are in the data. Changes are the quarter against the previous quarter and the same quarter a year earlier, "
        "as a per cent of the earlier figure and as a count; a rate changes in percentage points.",
        "Variation icons read the latest month: common-cause variation, or special cause (improving or concerning, "
        "unusually high or low). " + " ".join(f"{k.replace('_', ' ')}: {v}." for k, v in VARIATION_WORDS.items()),
        "Assurance icons set the target against the monthly limits: met consistently when both limits are on the "
        "right side of it, missed consistently when both are on the wrong side, hit and miss when the target lies "
        "between them. A count's quarterly target is a third of it a month.",
        "Exceptions come first in the summary: a measure whose latest month shows concerning special-cause "
        "variation, or whose quarter missed its target.",
    ]
    if has_rate:
        out.append("A rate with a denominator is also shown on a p′ chart (Laney 2002): the binomial limits of "
                   "each month's denominator, widened by the month-to-month variation of the standardised rates "
                   "(the moving-range sigma of the z-scores), so months with large denominators are not flagged "
                   "for variation that is normal between months.")
    return tuple(out)
