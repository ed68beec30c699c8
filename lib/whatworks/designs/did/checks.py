"""Difference-in-differences diagnostics, each a :class:`~whatworks.results.Check`, and the evidence level.

The checks say which inference was used, how coarse a placebo interval is,
whether treated and comparison units moved together before the start
(parallel trends), whether a fake start shows an effect (placebo in time),
whether crime moved to the buffer units, and how the plain two-way estimate
compares under staggered starts.

Examples
--------
>>> pretrend_doubt(0.04), pretrend_doubt(0.4), pretrend_doubt(None)
(True, False, False)
>>> evidence_level("Streets with similar crime in 2022.", doubt=False).sms_level
3
>>> evidence_level("Streets with similar crime in 2022.", doubt=False, tested=False).sms_level
2
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping

from ... import text
from ...results import Check, Estimate, Evidence
from .inference import Analysis, Inference

__all__ = ["REGIME_WORDS", "PRETREND_DOUBT", "pretrend_doubt", "design_checks", "coarse_cohort_check",
           "evidence_level"]

#: The ``inference`` check's message, by regime.
REGIME_WORDS = {
    "cluster": "{n} treated units: cluster-robust intervals (CR1, t quantiles).",
    "wild": "{n} treated units: wild cluster bootstrap intervals (Webb weights, jackknife variance).",
    "placebo": "{n} treated unit: placebo-in-space p-value and interval.",
}

#: A joint pre-trend p-value below this casts doubt on parallel trends.
PRETREND_DOUBT = 0.10

_CAVEAT = ("Passing this test does not prove the trends would have stayed parallel: it has little power "
           "with few units, and it says nothing about changes that began at the same time as the intervention.")


def pretrend_doubt(pretrend_p: float | None) -> bool:
    """Whether the joint test of the periods before the start casts doubt on parallel trends."""
    return pretrend_p is not None and pretrend_p < PRETREND_DOUBT


def _scale(inf: Inference, family: str) -> float:
    return math.exp(inf.estimate) if family == "poisson" else inf.estimate


def design_checks(*, main: Analysis, plain: Analysis | None, family: str, pretrend_p: float | None,
                  n_leads: int, placebo_time: Estimate | None, placebo_date: str | None,
                  buffer_est: Estimate | None, quotient: float | None, n_treated: int,
                  displacement: str, pretrend_cover: str = "", placebo_cover: str = "") -> list[Check]:
    """Inference, coarse interval, parallel trends, placebo in time, displacement and staggered starts.

    Parameters
    ----------
    main, plain
        The headline analysis, and (staggered starts only) the plain two-way one.
    pretrend_p, n_leads
        The joint pre-trend p-value and the number of bins it tests.
    placebo_time, placebo_date
        The placebo-in-time estimate and its fake start (ISO date).
    buffer_est, quotient
        The buffer estimate and the weighted displacement quotient, if buffers were given.
    displacement
        The displacement finding in words.
    pretrend_cover, placebo_cover
        Under staggered starts, which cohorts the pre-trend test and the
        placebo in time covered (and the fake starts), in words.
    """
    checks = [Check("inference", "info", REGIME_WORDS[main.regime].format(n=n_treated))]
    if main.regime == "placebo":
        inf = main["did"]
        m = inf.n_placebo or 0
        cov = 0.0 if inf.coverage is None else inf.coverage
        reach = ("" if cov >= 0.95 else
                 " rather than 95% (that needs at least 39 comparison units), so it is narrower than a true "
                 "95% interval")
        checks.append(Check(
            "coarse_interval", "warn",
            f"With one treated unit the interval comes from {m} placebo estimates, one per comparison unit, so "
            f"it is coarse: its ends are single placebo estimates, and under exchangeability it covers the true "
            f"effect with probability {cov * 100:.0f}%{reach}. The smallest possible p-value is "
            f"{1 / (m + 1):.3f}" + (
                "." if m >= 19 else
                f", so with {m} comparison units no result can reach p < 0.05 (that needs at least 19): "
                "the test cannot show an effect at the 5% level here.")))
    cover = f", {pretrend_cover}" if pretrend_cover else ""
    if pretrend_p is None:
        checks.append(Check("parallel_trends", "info",
                            "Too few periods before the start for a test of the trends before it."
                            if not pretrend_cover else "Too few periods before any cohort's start for a test "
                            "of the trends before it."))
    elif pretrend_doubt(pretrend_p):
        checks.append(Check("parallel_trends", "warn",
                            f"Parallel-trends doubt: the treated and comparison units moved differently before the "
                            f"start (joint test of {n_leads} pre-period bins{cover}, {text.fmt_p(pretrend_p)}). "
                            f"{_CAVEAT}"))
    else:
        checks.append(Check("parallel_trends", "pass",
                            f"Before the start, treated and comparison units moved together (joint test of "
                            f"{n_leads} pre-period bins{cover}, {text.fmt_p(pretrend_p)}). {_CAVEAT}"))
    if placebo_time is None:
        checks.append(Check("placebo_in_time", "info", "Too few periods before the start for a placebo in time."))
    else:
        when = f"halfway through each cohort's baseline ({placebo_cover})" if placebo_cover else \
            f"on {text.fmt_date(placebo_date)}"
        words = f"{placebo_time.estimate:.3f}, {placebo_time.interval_words(digits=3)}"
        if placebo_time.excludes_null():
            checks.append(Check("placebo_in_time", "warn",
                                f"A fake start {when}, using only data from before the real start, shows an "
                                f"'effect' ({words}): something other than the intervention may separate the "
                                "treated and comparison units."))
        else:
            checks.append(Check("placebo_in_time", "pass",
                                f"A fake start {when}, using only data from before the real start, shows no "
                                f"effect ({words})."))
    if buffer_est is None:
        checks.append(Check("displacement", "info", displacement))
    else:
        moved = buffer_est.excludes_null() and buffer_est.estimate > buffer_est.null_value
        q = "undefined" if quotient is None else f"{quotient:.2f}"
        checks.append(Check("displacement", "warn" if moved else "info",
                            f"{displacement} Weighted displacement quotient {q}."))
    if plain is not None:
        est = plain["did"]
        checks.append(Check("staggered_twfe", "info",
                            "Treated units started on different dates, so the plain two-way fixed-effects "
                            f"estimate ({_scale(est, family):.3f}) is shown for comparison only: it is "
                            "biased when effects differ by cohort or change over time, because units already "
                            "treated act as comparisons for later ones."))
    return checks


def coarse_cohort_check(cohorts: Mapping[_dt.date, Analysis]) -> Check | None:
    """A warning for each cohort of one unit (placebo inference), by its start date; ``None`` if none."""
    lone = [(start, c["did"]) for start, c in cohorts.items() if c.regime == "placebo"]
    if not lone:
        return None
    words = "; ".join(
        f"the cohort starting {text.fmt_date(start)} has one unit, so its interval comes "
        f"from {inf.n_placebo} placebo estimates and covers the true effect with probability "
        f"{(inf.coverage or 0) * 100:.0f}%" + (", not 95%" if (inf.coverage or 0) < 0.95 - 1e-9 else "")
        + ("" if (inf.n_placebo or 0) >= 19 else
           f"; its smallest possible p-value is {1 / ((inf.n_placebo or 0) + 1):.3f}, so it cannot reach "
           "p < 0.05 (that needs at least 19 comparison units)")
        for start, inf in lone)
    return Check("coarse_cohort_interval", "warn", words[:1].upper() + words[1:] + ".")


def evidence_level(rationale: str | None, doubt: bool, tested: bool = True) -> Evidence:
    """Maryland level 3 with a stated choice of comparison units and a pre-trend test that ran and
    found no doubt, else 2.

    ``tested`` is whether the test of the trends before the start ran: with too few periods
    before the start to test them, parallel trends are unchecked, so the comparison is level 2.
    """
    if rationale and rationale.strip() and not doubt and tested:
        return Evidence(3, "A comparison with units that did not receive the intervention, chosen as follows: "
                        + rationale.strip(), "Random allocation of the intervention would raise it to level 5.")
    reasons = []
    if not (rationale and rationale.strip()):
        reasons.append("no comparison_rationale says how the comparison units were chosen")
    if doubt:
        reasons.append("the treated and comparison units moved differently before the start "
                       "(parallel-trends doubt)")
    if not tested:
        reasons.append("there were too few periods before the start to test whether the treated and "
                       "comparison units moved together (parallel trends untested)")
    return Evidence(2, "There is a comparison group, but " + " and ".join(reasons) + ", so it counts as level 2.",
                    "State how and when the comparison units were chosen (comparison_rationale), and choose "
                    "units that moved with the treated ones before the start (with enough periods before it "
                    "to test that), to reach level 3.")
