"""Plain-English findings and method notes for :mod:`whatworks.designs.spc`.

Every sentence a reader sees about an SPC chart is built here: one per unit
(also the chart's alt text), the summary, and the method notes of each rule
profile. Each function takes plain data (charts, labels, option values).

Examples
--------
>>> method_notes("police-2sd", False)[0]
"SPC rules: the force's performance-report profile (police-2sd)."
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import dates, text
from .model import UnitChart
from .rules import NHS_LIMIT, NHS_SCREEN, PACKAGE_VERSION, PROFILES, TRIAL_LIMIT_POINTS

__all__ = ["RULE_WORDS", "VARIATION_WORDS", "ASSURANCE_WORDS", "icon_words", "unit_sentence", "laney_sentence",
           "laney_caption", "summary", "method_notes", "data_notes"]

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


#: The variation icons in words (the icon's text alternative).
VARIATION_WORDS = {
    "common_cause": "common-cause variation: no significant change",
    "improving_high": "special-cause variation, improving: unusually high",
    "improving_low": "special-cause variation, improving: unusually low",
    "concerning_high": "special-cause variation, concerning: unusually high",
    "concerning_low": "special-cause variation, concerning: unusually low",
}
#: The assurance icons in words (the icon's text alternative).
ASSURANCE_WORDS = {
    "consistent_pass": "the target will consistently be met (both limits on the right side of it)",
    "consistent_fail": "the target will consistently be missed (both limits on the wrong side of it)",
    "inconsistent": "the target will be hit and miss (it lies within the process limits)",
}


def icon_words(chart: UnitChart) -> str:
    """The text alternative of a chart's icons, e.g. "Variation: common-cause
    variation: no significant change. Assurance: the target will be hit and miss
    (it lies within the process limits)."""
    out = f"Variation: {VARIATION_WORDS[chart.variation()]}."
    assurance = chart.assurance()
    if assurance is not None:
        out += f" Assurance against the target of {_num(float(chart.target or 0))}: {ASSURANCE_WORDS[assurance]}."
    return out


def unit_sentence(chart: UnitChart, freq: str, outcome_label: str) -> str:
    """One chart's finding, e.g. "Site A: After the change the weekly mean fell
    from 62 to 48, against limits of 55 to 69 from the baseline; 12
    special-cause signals, 12 improving; 12 after the change." (worded as an
    association, never as a cause)."""
    adj = _FREQ_ADJ.get(freq, "")
    subject = f"the {adj} mean" if adj else "the mean"
    who = f"{chart.unit}: " if chart.unit is not None else ""
    means = chart.before_after_means()
    first = chart.phases[0].xmr
    limits = (
        f"process limits {_num(first.lower_limit)} to {_num(first.upper_limit)}"
        if np.isfinite(first.upper_limit)
        else ""
    )
    if means is not None:
        a, b = means
        if text.fmt_number(a) == text.fmt_number(b):
            move = f"stayed at {_num(b)}"
        else:
            move = f"{'rose' if b > a else 'fell'} from {_num(a)} to {_num(b)}"
        head = f"After the change {subject} {move}"
        if limits and len(chart.phases) == 1:
            head += f", against {limits} from the baseline"
    else:
        head = f"{subject[0].upper()}{subject[1:]} was {_num(first.mean)}" + (f" ({limits})" if limits else "")
    shifts = [ph for ph in chart.phases if ph.starts_on_shift]
    if shifts:
        head += "; a new phase starts where a shift was confirmed, on " + ", ".join(
            text.fmt_date(ph.start) for ph in shifts)
    counts = chart.counts()
    n = len(chart.signals)
    if chart.seasonal:
        tail = (f"{n} of {len(chart.periods)} points signal special cause, and the series has a seasonal pattern, "
                "so many signals may be the season: compare with the same period a year earlier")
    elif n == 0:
        tail = "no special-cause signals"
    else:
        parts = [f"{counts[k]} {k}" for k in ("improving", "concerning") if counts[k]]
        tail = f"{text.plural(n, 'special-cause signal')}, " + " and ".join(parts)
        if chart.intervention_date is not None:
            late = sum(1 for s in chart.signals if s.date >= chart.intervention_date)
            tail += f"; {late or 'none'} after the change"
    return f"{who}{head}; {tail}. {icon_words(chart)}"


_PER_NOUN = {"day": ("day", "days"), "week": ("week", "weeks"), "month": ("month", "months"),
             "quarter": ("quarter", "quarters")}
#: Up to this many periods beyond their p′ limits are named in a sentence.
_MAX_NAMED = 6


def _per(freq: str) -> tuple[str, str]:
    return _PER_NOUN.get(freq, ("period", "periods"))


def _period(when: pd.Timestamp, freq: str) -> str:
    return dates.period_words(when, freq) if freq in _PER_NOUN else text.fmt_date(when)


def laney_caption(chart: UnitChart, freq: str, denominator_label: str | None = None) -> str:
    """The p′ chart's caption, e.g. "p′ chart (Laney): limits allow for the
    varying number of crimes recorded each month"."""
    who = f"{chart.unit}: " if chart.unit is not None else ""
    what = f"number of {denominator_label}" if denominator_label else "denominator"
    return f"{who}p′ chart (Laney): limits allow for the varying {what} each {_per(freq)[0]}"


def laney_sentence(chart: UnitChart, freq: str, denominator_label: str | None = None) -> str | None:
    """Which points fall outside the p′ limits, e.g. "On the p′ chart (Laney),
    whose limits allow for the varying number of crimes recorded each month,
    the baseline proportion was 13.5%, with limits at their widest from
    10.6% to 16.4%; 2 of 42 months fall outside their limits, both
    improving: April 2024, August 2024 (2 after the change)." ``None``
    without a p′ chart."""
    lan = chart.laney
    if lan is None:
        return None
    one, many = _per(freq)
    who = f"{chart.unit}: " if chart.unit is not None else ""
    what = f"number of {denominator_label}" if denominator_label else "denominator"
    whole = lan.baseline == (0, -1)
    head = (f"{who}On the p′ chart (Laney), whose limits allow for the varying {what} each {one}, the "
            f"{'overall' if whole else 'baseline'} proportion was {text.fmt_pct(lan.centre)}, with limits at their "
            f"widest from {text.fmt_pct(min(lan.lower))} to {text.fmt_pct(max(lan.upper))}")
    outside = chart.laney_outside()
    if not outside:
        return f"{head}; no {one} falls outside its limits."
    n = len(outside)
    ways = {d for _, d in outside}
    if len(ways) == 1:
        how = f"{'both' if n == 2 else 'all'} {ways.pop()}" if n > 1 else next(d for _, d in outside)
    else:
        how = " and ".join(f"{sum(1 for _, d in outside if d == k)} {k}" for k in ("improving", "concerning"))
    named = [_period(p, freq) for p, _ in outside[:_MAX_NAMED]]
    listed = ", ".join(named) + (f" and {n - _MAX_NAMED} more" if n > _MAX_NAMED else "")
    total = len(lan.proportions)
    verb = "falls" if n == 1 else "fall"
    tail = f"{n} of {total} {many} {verb} outside {'its' if n == 1 else 'their'} limits, {how}: {listed}"
    if chart.intervention_date is not None:
        late = sum(1 for p, _ in outside if p >= chart.intervention_date)
        tail += f" ({late or 'none'} after the change)"
    return f"{head}; {tail}."


def summary(charts: Sequence[UnitChart], freq: str, outcome_label: str, rules: str,
            denominator_label: str | None = None) -> tuple[str, ...]:
    """The paragraphs opening the SPC section: the rules used, then one
    sentence per unit (and its p′ chart's, for a proportion), or counts
    across units when there are many."""
    if not charts:
        return ("No SPC charts were drawn (spc: none).",)
    title = PROFILES[rules].title
    changed = any(c.intervention_date is not None for c in charts)
    rebased = any(len(c.phases) > 1 for c in charts)
    lead = (
        f"SPC charts of {outcome_label} use the {title} rules"
        + (", with limits from the periods before the change extended past it" if changed else "")
        + (", and new limits where a new phase starts." if rebased else ".")
    )
    if len(charts) <= _MAX_UNITS_IN_SUMMARY:
        return (lead,) + tuple(
            line
            for c in charts
            for line in (unit_sentence(c, freq, outcome_label), laney_sentence(c, freq, denominator_label))
            if line is not None
        )
    imp = sum(1 for c in charts if c.counts()["improving"])
    con = sum(1 for c in charts if c.counts()["concerning"])
    with_change = [m for c in charts if (m := c.before_after_means()) is not None]
    fell = sum(1 for a, b in with_change if b < a)
    moved = (
        f"After the change the mean was lower in {fell} of {len(with_change)} units with a change date. "
        if with_change
        else ""
    )
    with_p = [c for c in charts if c.laney is not None]
    p_prime = (
        f" On the p′ charts (Laney), {sum(1 for c in with_p if c.laney_outside())} of {len(with_p)} units have "
        f"{_per(freq)[1]} outside their limits."
        if with_p
        else ""
    )
    return (
        lead,
        f"{moved}Of {len(charts)} units, {imp} show improving special-cause signals and {con} show "
        "concerning ones; each unit's chart below states its own finding." + p_prime,
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


_BOUND_NOTES = {
    "count": "A count cannot be negative, so a lower limit below zero is drawn at zero.",
    "proportion": "A proportion lies between 0 and 100%, so limits beyond them are drawn at 0 or 100%.",
    "continuous": "",
}
_REBASE_NOTES = {
    "none": "There is one set of limits per chart (spc_rebase: none): the limits are not recalculated after "
    "the change, so a sustained change shows as special cause against the old process.",
    "at_change": "Limits are recalculated at the change (spc_rebase: at_change): the periods from it get their "
    "own mean and limits, drawn as separate lines.",
    "on_shift": "A new phase starts only where a shift is confirmed (spc_rebase: on_shift): a run of points on one "
    "side of the mean that starts after the baseline. The new phase's limits come from its first "
    f"{TRIAL_LIMIT_POINTS} points and are extended over the rest of it.",
}


def method_notes(
    rules: str,
    screen_outliers: bool,
    *,
    rebase: str = "none",
    baseline: bool = False,
    changed: bool = True,
    bounds: str = "count",
    p_chart: bool = False,
    grid: bool = False,
) -> tuple[str, ...]:
    """How the charts were made: the rule profile's notes, then the baseline,
    rebasing, bounds, trial limits, icons and the listing of signals, and
    with ``p_chart`` what a p′ chart is and why it is drawn (``grid``: the
    charts are one grid of small multiples, without p′ charts).
    ``baseline`` says whether ``spc_baseline`` was given, ``changed`` whether
    any chart has a change date within its data."""
    if baseline:
        base = "The limits come from the periods in spc_baseline and are extended over every later period."
    elif changed:
        base = ("The limits come from the periods before the change (the baseline) and are extended over "
                "the periods after it, as Making Data Count and NHSRplotthedots do.")
    else:
        base = "With no change date within the data, the limits come from every period."
    return _PROFILE_NOTES[rules](bool(screen_outliers)) + tuple(
        t
        for t in (
            base,
            _REBASE_NOTES[rebase],
            _BOUND_NOTES[bounds],
            f"Limits set from fewer than {TRIAL_LIMIT_POINTS} points are trial limits, to be recalculated "
            "when more data arrive.",
            "Variation icons (Making Data Count) describe the latest point: common cause, or special cause "
            "improving or concerning, high or low. Assurance icons, where a target is given, compare the target "
            "with the latest limits: met consistently (both limits on the right side), missed consistently "
            "(both on the wrong side), or hit and miss (the target within the limits).",
            "Seasonality: each chart is tested for month-of-year effects (quarter-of-year for quarterly data) "
            "with an F test of month indicators added to a linear trend and a step at the change (ordinary least "
            "squares, two years of data or more). Where more than a fifth of the points signal special cause and "
            "the test gives p < 0.05, the report says the signals may be the season and compares the latest "
            "periods with the same periods a year earlier instead of listing every signal.",
            "Each flagged point is listed as one signal; periods marked as excluded are left out of the "
            "limits and the rules.",
            *(_laney_notes(rebase, grid) if p_chart else ()),
        )
        if t
    )


def _laney_notes(rebase: str, grid: bool) -> tuple[str, ...]:
    """What a p′ chart is, and why a proportion with a denominator gets one."""
    return (
        "A proportion with a denominator is also drawn on a p′ chart (Laney 2002, 'Improved control charts for "
        "attributes', Quality Engineering 14(4)). The XmR chart treats every proportion alike, however many "
        "cases it rests on. A p chart's binomial limits, p̄ ± 3·√(p̄(1 − p̄)/nᵢ), allow for each period's "
        "denominator nᵢ, but with large denominators they are far too narrow when the true proportion varies "
        "from period to period, so nearly every point looks unusual. The p′ chart keeps the binomial limits' "
        "dependence on the denominator and scales them by σz, the period-to-period variation of the "
        "standardised proportions zᵢ = (pᵢ − p̄)/√(p̄(1 − p̄)/nᵢ), measured as their mean moving range divided "
        "by 1.128: limits p̄ ± 3·σz·√(p̄(1 − p̄)/nᵢ), with p̄ = Σx/Σn.",
        "The p′ limits come from the same baseline periods as the XmR limits, are extended over every later "
        "period and are kept between 0 and 100%; only points beyond them are named (the run, trend and "
        "two-in-three rules belong to the XmR chart)."
        + (" The p′ chart keeps the first baseline even where the XmR chart starts a new phase." if rebase != "none"
           else "")
        + (" With this many charts the p′ charts are not drawn: the summary counts the units with periods beyond "
           "their limits, and results.json holds every unit's p′ chart." if grid else ""),
    )


def data_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    """What each point is, when the data has a breakdown or a denominator."""
    out = []
    if "group" in frame.columns and frame["group"].nunique() > 1:
        out.append("With a breakdown, each SPC chart shows the total across the categories.")
    if "denominator" in frame.columns:
        out.append("Each SPC point is the outcome divided by its denominator (a proportion).")
    return tuple(out)
