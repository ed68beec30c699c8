"""Plain-English findings and checks for :mod:`whatworks.designs.spc`.

Every sentence a reader sees about an SPC chart is built here: one per unit
(also the chart's alt text), the summary, and the checks on trial limits,
screening and excluded periods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import text
from ..results import Check
from ._spc_rules import NHS_SCREEN, PROFILES, TRIAL_LIMIT_POINTS

if TYPE_CHECKING:  # pragma: no cover
    from .spc import UnitChart

__all__ = ["unit_sentence", "summary", "summary_checks"]

_FREQ_ADJ = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly"}
_FREQ_NOUN = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}
#: Up to this many units, the summary has one sentence per unit.
_MAX_UNITS_IN_SUMMARY = 6


def _num(x: float) -> str:
    return text.fmt_number(x)


def unit_sentence(chart: "UnitChart", freq: str, outcome_label: str) -> str:
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


def summary(charts: list["UnitChart"], freq: str, outcome_label: str, rules: str) -> tuple[str, ...]:
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


def summary_checks(charts: list["UnitChart"], freq: str, screen: bool, rules: str) -> list[Check]:
    """Checks on trial limits, screened moving ranges and excluded periods."""
    out = []
    noun = _FREQ_NOUN.get(freq, "period")
    short = [
        f"{c.unit + ' ' if c.unit else ''}{p.name.lower()} ({text.plural(p.xmr.n, noun)})"
        for c in charts
        for p in c.phases
        if p.xmr.trial_limits
    ]
    if short:
        out.append(
            Check(
                "spc_trial_limits",
                "warn",
                f"Fewer than {TRIAL_LIMIT_POINTS} points in: " + "; ".join(short[:6])
                + ("; …" if len(short) > 6 else "")
                + ". These are trial limits; recalculate them when more data arrive.",
            )
        )
    else:
        out.append(Check("spc_trial_limits", "pass", f"Every phase has at least {TRIAL_LIMIT_POINTS} points."))
    if rules == "nhs" and screen:
        n = sum(len(p.xmr.screened) for c in charts for p in c.phases)
        if n:
            out.append(
                Check(
                    "spc_screened",
                    "info",
                    f"{text.plural(n, 'moving range')} at or above {NHS_SCREEN} times the mean moving range "
                    f"{'was' if n == 1 else 'were'} screened out before the limits were set.",
                )
            )
    n_ex = sum(len(c.excluded) for c in charts)
    if n_ex:
        out.append(
            Check(
                "spc_excluded",
                "info",
                f"{text.plural(n_ex, 'excluded period')} left out of the limits and the rules (shown in grey).",
            )
        )
    return out
