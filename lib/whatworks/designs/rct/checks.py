"""Diagnostics of a trial analysis, and the strength of evidence they support.

Each diagnostic is a :class:`~whatworks.results.Check`: the allocation
checks passed in, intention to treat, arm sizes against the intended ratio,
ascertainment, first-stage strength, attrition, baseline balance, the
adjusted model, clusters and withheld estimates. Their messages show counts
and shares of people through the result's disclosure policy.
:func:`grade_evidence` places the trial on the Maryland scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from scipy import stats

from ... import text
from ...disclosure import WITHHELD, Disclosure
from ...results import Check, Evidence, Status
from .analysis import Analysis
from .data import OutcomeSpec, Trial

__all__ = ["check_itt", "check_arm_sizes", "trial_checks", "grade_evidence"]


def _people(disclosure: Disclosure, n: int, word: str) -> str:
    """``'12 participants'``, or ``'<5 participants'`` for a small count."""
    return f"{disclosure.count(n)} {word if n == 1 and not disclosure.hides(n) else word + 's'}"


def check_itt(t: Trial, a: Analysis, disclosure: Disclosure) -> Check:
    k = int(t.excluded.sum())
    if k == 0:
        return Check("itt_complete", "pass", f"All {disclosure.count(t.n)} randomised participants are analysed "
                                              "in the arm they were allocated to (intention to treat).")
    reasons = "; ".join(f"{r['reason']} ({r['arm']}: {disclosure.count(r['n'])})" for r in a.exclusions)
    share = disclosure.share(k, t.n)
    return Check("itt_complete", "warn",
                 f"{_people(disclosure, k, 'randomised participant')} "
                 f"({'share withheld' if share == WITHHELD else share}) left the analysis after "
                 f"randomisation: {reasons}. Everyone else is analysed in the arm they were allocated to.")


def check_arm_sizes(t: Trial, intended: Mapping[str, float] | None, method: str | None,
                    disclosure: Disclosure) -> Check:
    if method is None or intended is None:
        return Check("arm_sizes", "info", "Arm sizes were not compared with the intended ratio (give "
                                          "allocation_method and intended_ratios to check them).")
    if str(method).lower() != "simple":
        return Check("arm_sizes", "info", f"Allocation was {method}: arm sizes are fixed by design, so they are "
                                          "not tested against the intended ratio.")
    counts = [int((t.arm_codes == code).sum()) for code in range(len(t.arms))]
    ratios = [float(intended[arm]) for arm in t.arms]
    expected = [t.n * r / sum(ratios) for r in ratios]
    chi2, p = stats.chisquare(counts, expected)
    sizes = ", ".join(f"{arm} {disclosure.count(c)} (expected {text.fmt_number(e, 0)})"
                      for arm, c, e in zip(t.arms, counts, expected))
    if p < 0.001:
        return Check("arm_sizes", "warn", f"Arm sizes differ from the intended ratio more than chance would "
                                          f"usually allow ({text.fmt_p(p)}): {sizes}. Check that nobody was "
                                          "re-allocated; this does not lower the evidence level on its own.")
    return Check("arm_sizes", "pass", f"Arm sizes are in line with the intended ratio ({text.fmt_p(p)}): {sizes}.")


def trial_checks(t: Trial, a: Analysis, primary: OutcomeSpec, *, integrity: Iterable[Check],
                 intended: Mapping[str, float] | None, method: str | None, encourages: bool,
                 disclosure: Disclosure, arm_labels: Mapping[str, str] | None = None) -> list[Check]:
    """The allocation checks given (``integrity``) followed by every diagnostic of the analysis."""
    named = dict(arm_labels or {})  # arm codes in words, for the messages
    checks = list(integrity)
    checks.append(check_itt(t, a, disclosure))
    checks.append(check_arm_sizes(t, intended, method, disclosure))
    analysed = {r["arm"]: r["analysed"] for r in a.flow}
    if primary.source == "police_recorded" and encourages:
        checks.append(Check("ascertainment", "warn",
                            f"The primary outcome ({primary.label}) is police-recorded and the messages encourage "
                            "victims to report: a fall could be hidden, or a rise created, by more reporting in "
                            "the active arms rather than by more or less victimisation. Read it alongside an "
                            "outcome that does not depend on reporting, such as bank loss data."))
    for row in a.first_stage:
        words = (f"Receipt of the {named.get(row['arm'], row['arm'])} message was "
                 f"{disclosure.rate(row['receipt_rate'], analysed.get(row['arm']))} "
                 f"(first-stage F = {text.fmt_number(row['f'], 1)})")
        if row["weak"]:
            checks.append(Check(f"first_stage.{row['arm']}", "warn", words + ": below the threshold of 10, so "
                                "the complier effect is unreliable and its interval too narrow."))
        else:
            checks.append(Check(f"first_stage.{row['arm']}", "pass", words + ": a strong first stage (F ≥ 10)."))
    for row in a.attrition:
        meets = "within" if row["low"] else "outside"
        status: Status = "pass" if row["low"] else "warn"
        whole = row["n_arm"] + row["n_control"]
        overall = disclosure.share(whole - row["kept_arm"] - row["kept_control"], whole)
        hidden = WITHHELD in (disclosure.share(row["kept_arm"], row["n_arm"]),
                              disclosure.share(row["kept_control"], row["n_control"]))
        differential = WITHHELD if hidden else f"{text.fmt_number(row['differential'] * 100, 1)} points"
        words = (f"{row['kind'].capitalize()}, {named.get(row['arm'], row['arm'])} against the control: "
                 f"overall attrition {overall}, differential {differential}; {meets} the WWC cautious "
                 "attrition standard.")
        checks.append(Check(f"attrition.{'primary' if row['kind'] == 'primary outcome' else 'survey'}.{row['arm']}",
                            status, words))
    big = [r for r in a.baseline for arm in t.arms[1:] if abs(r.get(f"smd:{arm}", 0.0)) > 0.1]
    if big:
        names = ", ".join(sorted({r["covariate"] for r in big}))
        checks.append(Check("baseline_balance", "info", f"Chance imbalance at baseline (standardised difference "
                                                        f"above 0.1) in: {names}. The adjusted analysis allows "
                                                        "for the covariates."))
    elif a.baseline:
        checks.append(Check("baseline_balance", "pass", "The arms are balanced at baseline (every standardised "
                                                        "difference within 0.1)."))
    if a.unfitted:
        checks.append(Check("adjusted_fit", "warn", "The covariate-adjusted model could not be fitted for: "
                                                    + "; ".join(a.unfitted) + ". Only unadjusted effects are shown."))
    if t.clusters is not None and int(t.clusters.max()) + 1 < 30:
        checks.append(Check("clusters", "warn", f"Only {int(t.clusters.max()) + 1} clusters: cluster-robust "
                                                "intervals are unreliable with fewer than about 30."))
    if t.received_control_nonzero:
        checks.append(Check("received_control", "info",
                            f"{_people(disclosure, t.received_control_nonzero, 'control participant')} marked as "
                            "having received a message; the complier analysis counts the control arm as not treated."))
    withheld = [e for e in a.estimates if not math.isfinite(e.estimate)]
    for e in withheld:
        checks.append(Check(f"withheld.{e.name}", "fail", f"{e.label} is withheld: an arm has no events "
                                                          "(or only events), so the ratio is undefined."))
    return checks


def grade_evidence(integrity: Sequence[Check], a: Analysis) -> Evidence:
    """Maryland level 5 for a confirmed random allocation; 4 with high primary attrition; 3 when unconfirmed."""
    failed = [c for c in integrity if c.status == "fail"]
    primary_high = [r for r in a.attrition if r["kind"] == "primary outcome" and not r["low"]]
    survey_high = [r for r in a.attrition if r["kind"] == "survey" and not r["low"]]
    note = (" Survey outcomes have high attrition under the WWC standard; read them with the Lee bounds."
            if survey_high else "")
    if failed:
        names = " ".join(c.message for c in failed)
        return Evidence(3, "Participants were meant to be randomised, but the allocation could not be confirmed "
                           f"against its sealed record: {names}" + note,
                        "Resolve the allocation check; with the record confirmed this would be level 5.")
    if primary_high:
        arms = ", ".join(r["arm"] for r in primary_high)
        return Evidence(4, "Random allocation, but attrition from the primary outcome is outside the WWC cautious "
                           f"standard ({arms}), so the arms compared may no longer be alike." + note,
                        "Recover outcomes for the participants lost to follow-up.")
    unverified = "" if integrity else (" The allocation was not checked against a sealed record in this "
                                       "analysis.")
    return Evidence(5, "Participants were randomly allocated, and attrition from the primary outcome is within "
                       "the WWC cautious standard." + unverified + note,
                    "Check the allocation against its sealed record." if not integrity else "")
