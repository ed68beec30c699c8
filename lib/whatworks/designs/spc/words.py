"""Plain-English findings and method notes for :mod:`whatworks.designs.spc`.

Every sentence a reader sees about an SPC chart is built here: one per unit
(also the chart's alt text), the summary, and the method notes of each rule
profile. Each function takes plain data (charts, labels, option values).

Examples
--------
>>> method_notes("police-2sd", False, rebased=True)[0]
"SPC rules: the force's performance-report profile (police-2sd)."
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import text
from .model import UnitChart
from .rules import NHS_LIMIT, NHS_SCREEN, PACKAGE_VERSION, PROFILES, TRIAL_LIMIT_POINTS

__all__ = ["RULE_WORDS", "unit_sentence", "summary", "method_notes", "data_notes"]

#: The rule names used in results, with what they mean.
RULE_WORDS = {
    "astronomical": "a point beyond a process limit",
    "trend": "a trend of consecutive rises or falls",
    "two_of_three": "two of three points near a limit on the same side",
    "shift": "a run of points on one side of the mean",
}

_FREQ_ADJ = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly"}
#: Up to this many units, the summary has one sentence per unit.
_MAX_UNITS_IN_SUMMARY = 6


def _num(x: float) -> str:
    return text.fmt_number(x)


def unit_sentence(chart: UnitChart, freq: str, outcome_label: str) -> str:
    """One chart's finding, e.g. "Site A: After the change the weekly mean fell
    from 62 to 48; 3 special-cause signals, 2 improving and 1 concerning; 3
    after the change." (worded as an association, never as a cause)."""
    adj = _FREQ_ADJ.get(freq, "")
    subject = f"the {adj} mean" if adj else "the mean"
    who = f"{chart.unit}: " if chart.unit is not None else ""
    if len(chart.phases) > 1:
        a, b = chart.phases[0].xmr.mean, chart.phases[-1].xmr.mean
        if text.fmt_number(a) == text.fmt_number(b):
            move = f"stayed at {_num(b)}"
        else:
            move = f"{'rose' if b > a else 'fell'} from {_num(a)} to {_num(b)}"
        head = f"After the change {subject} {move}"
    else:
        p = chart.phases[0].xmr
        limits = (
            f" (process limits {_num(p.lower_limit)} to {_num(p.upper_limit)})"
            if np.isfinite(p.upper_limit)
            else ""
        )
        head = f"{subject[0].upper()}{subject[1:]} was {_num(p.mean)}{limits}"
    counts = chart.counts()
    n = len(chart.signals)
    if n == 0:
        tail = "no special-cause signals"
    else:
        parts = [f"{counts[k]} {k}" for k in ("improving", "concerning") if counts[k]]
        tail = f"{text.plural(n, 'special-cause signal')}, " + " and ".join(parts)
        if len(chart.phases) > 1:
            late = sum(1 for s in chart.signals if s.date >= chart.phases[-1].start)
            tail += f"; {late or 'none'} after the change"
    return f"{who}{head}; {tail}."


def summary(charts: Sequence[UnitChart], freq: str, outcome_label: str, rules: str) -> tuple[str, ...]:
    """The paragraphs opening the SPC section: the rules used, then one
    sentence per unit, or counts across units when there are many."""
    title = PROFILES[rules].title
    lead = (
        f"SPC charts of {outcome_label} use the {title} rules"
        + (", with limits rebased at the change." if any(len(c.phases) > 1 for c in charts) else ".")
    )
    if len(charts) <= _MAX_UNITS_IN_SUMMARY:
        return (lead,) + tuple(unit_sentence(c, freq, outcome_label) for c in charts)
    imp = sum(1 for c in charts if c.counts()["improving"])
    con = sum(1 for c in charts if c.counts()["concerning"])
    rebased = [c for c in charts if len(c.phases) > 1]
    fell = sum(1 for c in rebased if c.phases[-1].xmr.mean < c.phases[0].xmr.mean)
    moved = (
        f"After the change the mean was lower in {fell} of {len(rebased)} units with a change date. "
        if rebased
        else ""
    )
    return (
        lead,
        f"{moved}Of {len(charts)} units, {imp} show improving special-cause signals and {con} show "
        "concerning ones; each unit's chart below states its own finding.",
    )


# -- method notes ---------------------------------------------------------------


def _nhs_notes(screen_outliers: bool) -> tuple[str, ...]:
    screen = (
        f"Moving ranges at or above {NHS_SCREEN} times the mean moving range were screened out "
        "and the mean moving range recomputed from the rest before setting the limits; "
        "the mean itself uses every point."
        if screen_outliers
        else "Moving ranges were not screened for outliers (spc_screen_outliers: false)."
    )
    return (
        "SPC rules: NHS England 'Making Data Count' (XmR chart), following the R package "
        f"NHSRplotthedots {PACKAGE_VERSION}.",
        f"Process limits: mean ± {NHS_LIMIT} × mean moving range (about three sigma); "
        f"the near-limit zone starts at mean ± {2 * NHS_LIMIT / 3:.4g} × mean moving range.",
        screen,
        "Special cause: a point beyond a limit; 7 or more points in a row on one side of the mean "
        "(a point on the mean breaks the run); 7 points each strictly higher (or lower) than the last "
        "(a tie breaks it); 2 of 3 consecutive points in the near-limit zone, all three on the same side "
        "of the mean (a point beyond a limit does not count towards the two). Every point in a pattern "
        "is flagged; a point in several patterns takes the first of: limit, trend, two-in-three, run.",
        "A point high (or rising, for trends) is improving when improvement means an increase; "
        "blue marks improvement, orange concern, grey common-cause variation.",
    )


def _two_sd_notes(screen_outliers: bool) -> tuple[str, ...]:
    return (
        "SPC rules: the force's performance-report profile (police-2sd).",
        "Limits: phase mean ± 2 sample standard deviations (divisor n − 1) of the phase's points; "
        "moving-range screening does not apply to this profile.",
        "Special cause: a point beyond a limit; 7 or more points in a row on one side of the mean "
        "(a point on the mean breaks the run); 7 consecutive rises or falls, that is 8 points each "
        "strictly higher (or lower) than the last (a tie breaks it). There is no two-in-three rule.",
        "A point high (or rising, for trends) is improving when improvement means an increase; "
        "blue marks improvement, orange concern, grey common-cause variation.",
    )


_PROFILE_NOTES = {"nhs": _nhs_notes, "police-2sd": _two_sd_notes}


def method_notes(rules: str, screen_outliers: bool, *, rebased: bool) -> tuple[str, ...]:
    """How the charts were made: the rule profile's notes, then rebasing,
    trial limits and the listing of signals. ``rebased`` says whether any
    chart has limits rebased at the intervention."""
    return _PROFILE_NOTES[rules](bool(screen_outliers)) + (
        "Limits are rebased at the intervention: the periods before it and from it onwards each get "
        "their own mean and limits, drawn as separate lines."
        if rebased
        else "There is one phase per chart: no intervention date was given within the data.",
        f"A phase with fewer than {TRIAL_LIMIT_POINTS} points has trial limits, to be recalculated "
        "when more data arrive.",
        "Each flagged point is listed as one signal; periods marked as excluded are left out of the "
        "limits and the rules.",
    )


def data_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    """What each point is, when the data has a breakdown or a denominator."""
    out = []
    if "group" in frame.columns and frame["group"].nunique() > 1:
        out.append("With a breakdown, each SPC chart shows the total across the categories.")
    if "denominator" in frame.columns:
        out.append("Each SPC point is the outcome divided by its denominator (a proportion).")
    return tuple(out)
