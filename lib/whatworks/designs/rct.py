"""Randomised controlled trial: the analysis after follow-up.

:func:`fit` takes the trial file (one row per randomised participant) and
returns an :class:`RCTResult` holding, as aggregates only:

- the CONSORT flow (allocated, received, followed up, analysed, per arm, with
  exclusions and their reasons) and its diagram;
- a baseline table by arm with standardised mean differences;
- intention-to-treat effects of each active arm against the control for
  every outcome (binary: risk difference, risk ratio, odds ratio; counts:
  rate ratio; continuous: Welch mean difference; 1–5 Likert items: the
  difference in the share agreeing, 4 or 5, and in the mean score), with
  cluster-robust errors when a cluster column is given;
- covariate-adjusted marginal (standardised) effects on the same scales;
- the complier (Wald / instrumental-variable) effect of receiving each arm's
  message on the primary outcome;
- survey attrition against the What Works Clearinghouse standard and Lee
  bounds for survey outcomes;
- pre-specified (and, if asked, exploratory) subgroup effects with an
  interaction test; Holm-adjusted p-values; a plain-English verdict; and
  integrity checks, with the strength of evidence on the Maryland scale.

The headline is the primary outcome's main measure (risk difference for a
binary outcome) for the first active arm: the first in ``intended_ratios``
order after the control when given, otherwise in alphabetical order.

Examples
--------
>>> from whatworks.simulate.rct import simulate_trial
>>> trial = simulate_trial(seed=5, n=3000)
>>> res = fit(trial, id_column="victim_id", arm_column="arm", control_arm="bau_letter",
...           outcomes=[{"column": "repeat_victim", "type": "binary", "primary": True,
...                      "smallest_effect": 0.02, "source": "administrative"}],
...           exclusion_column="exclusion_reason")
>>> res.headline.name
'repeat_victim.risk_difference.advocate_call'
>>> res.evidence.sms_level
5
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from .. import text
from ..display import Table
from ..plots import Chart
from ..results import Check, Evidence, Result
from . import _rct_report as report
from ._rct_analysis import MAIN_MEASURE, Analysis, analyse, estimate_name
from ._rct_input import OutcomeSpec, Trial, prepare, read_outcomes

__all__ = ["fit", "check", "validate_inputs", "RCTResult"]


@dataclass(frozen=True, kw_only=True)
class RCTResult(Result):
    """The analysis of a randomised trial (aggregates only; no row-level data)."""

    arms: tuple[str, ...]
    control_arm: str
    primary_outcome: str
    outcome_specs: tuple[dict, ...] = ()
    flow: tuple[dict, ...] = ()
    exclusions: tuple[dict, ...] = ()
    baseline: tuple[dict, ...] = ()
    attrition: tuple[dict, ...] = ()
    lee: tuple[dict, ...] = ()
    subgroups: tuple[dict, ...] = ()
    interactions: tuple[dict, ...] = ()
    holm: tuple[dict, ...] = ()
    first_stage: tuple[dict, ...] = ()
    verdicts: tuple[dict, ...] = ()
    source: str = "trial data"

    # -- reading ---------------------------------------------------------------
    @property
    def active_arms(self) -> tuple[str, ...]:
        return self.arms[1:]

    def outcome_spec(self, column: str) -> dict:
        return next(o for o in self.outcome_specs if o["column"] == column)

    # -- showing ---------------------------------------------------------------
    def plot(self) -> Chart:
        """Effects on the primary outcome with 95% intervals against the smallest effect worth detecting."""
        return report.effects_chart(self)

    def consort_plot(self) -> Chart:
        """The CONSORT flow diagram."""
        return report.consort_chart(self)

    def consort_table(self) -> Table:
        """The CONSORT flow as a table."""
        return report.consort_table(self)

    def baseline_table(self) -> Table:
        """Baseline characteristics by arm with standardised mean differences."""
        return report.baseline_table(self)

    def attrition_table(self) -> Table:
        """Follow-up and survey response by arm against the WWC attrition standard."""
        return report.attrition_table(self)

    def lee_table(self) -> Table:
        """Lee bounds for survey outcomes."""
        return report.lee_table(self)

    def subgroup_table(self) -> Table:
        """Subgroup effects on the primary outcome and the interaction tests."""
        return report.subgroup_table(self)

    def table(self, kind: str | None = None) -> Table:
        """Every estimate, with Holm-adjusted p-values where they apply.

        ``kind`` keeps one family: ``itt`` (intention to treat), ``adjusted``
        or ``complier``.
        """
        return report.estimates_table(self, kind)

    def extra(self) -> dict:
        """The trial's own keys for ``results.json``."""
        return {"rct": {
            "arms": list(self.arms), "control_arm": self.control_arm, "primary_outcome": self.primary_outcome,
            "outcomes": list(self.outcome_specs), "counts": list(self.flow), "exclusions": list(self.exclusions),
            "baseline": list(self.baseline), "attrition": list(self.attrition), "lee_bounds": list(self.lee),
            "subgroups": list(self.subgroups), "interactions": list(self.interactions), "holm": list(self.holm),
            "first_stage": list(self.first_stage), "verdict": list(self.verdicts),
        }}


# -- checks ---------------------------------------------------------------------


def _check_itt(t: Trial, a: Analysis) -> Check:
    k = int(t.excluded.sum())
    if k == 0:
        return Check("itt_complete", "pass", f"All {text.fmt_number(t.n)} randomised participants are analysed "
                                              "in the arm they were allocated to (intention to treat).")
    reasons = "; ".join(f"{r['reason']} ({r['arm']}: {r['n']})" for r in a.exclusions)
    return Check("itt_complete", "warn",
                 f"{text.plural(k, 'randomised participant')} ({text.fmt_pct(k / t.n)}) left the analysis after "
                 f"randomisation: {reasons}. Everyone else is analysed in the arm they were allocated to.")


def _check_arm_sizes(t: Trial, intended: Mapping | None, method: str | None) -> Check:
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
    sizes = ", ".join(f"{arm} {text.fmt_number(c)} (expected {text.fmt_number(e, 0)})"
                      for arm, c, e in zip(t.arms, counts, expected))
    if p < 0.001:
        return Check("arm_sizes", "warn", f"Arm sizes differ from the intended ratio more than chance would "
                                          f"usually allow ({text.fmt_p(p)}): {sizes}. Check that nobody was "
                                          "re-allocated; this does not lower the evidence level on its own.")
    return Check("arm_sizes", "pass", f"Arm sizes are in line with the intended ratio ({text.fmt_p(p)}): {sizes}.")


def _checks(t: Trial, a: Analysis, primary: OutcomeSpec, *, integrity, intended, method, encourages) -> list[Check]:
    checks = list(integrity)
    checks.append(_check_itt(t, a))
    checks.append(_check_arm_sizes(t, intended, method))
    if primary.source == "police_recorded" and encourages:
        checks.append(Check("ascertainment", "warn",
                            f"The primary outcome ({primary.label}) is police-recorded and the messages encourage "
                            "victims to report: a fall could be hidden, or a rise created, by more reporting in "
                            "the active arms rather than by more or less victimisation. Read it alongside an "
                            "outcome that does not depend on reporting, such as bank loss data."))
    for row in a.first_stage:
        words = (f"Receipt of the {row['arm']} message was {text.fmt_pct(row['receipt_rate'])} "
                 f"(first-stage F = {text.fmt_number(row['f'], 1)})")
        if row["weak"]:
            checks.append(Check(f"first_stage.{row['arm']}", "warn", words + ": below the threshold of 10, so "
                                "the complier effect is unreliable and its interval too narrow."))
        else:
            checks.append(Check(f"first_stage.{row['arm']}", "pass", words + ": a strong first stage (F ≥ 10)."))
    for row in a.attrition:
        meets = "within" if row["low"] else "outside"
        status = "pass" if row["low"] else "warn"
        words = (f"{row['kind'].capitalize()}, {row['arm']} against the control: overall attrition "
                 f"{text.fmt_pct(1 - (row['kept_arm'] + row['kept_control']) / (row['n_arm'] + row['n_control']))}, "
                 f"differential {text.fmt_number(row['differential'] * 100, 1)} points; {meets} the WWC cautious "
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
                            f"{text.plural(t.received_control_nonzero, 'control participant')} marked as having "
                            "received a message; the complier analysis counts the control arm as not treated."))
    withheld = [e for e in a.estimates if not math.isfinite(e.estimate)]
    for e in withheld:
        checks.append(Check(f"withheld.{e.name}", "fail", f"{e.label} is withheld: an arm has no events "
                                                          "(or only events), so the ratio is undefined."))
    return checks


def _evidence(integrity: Sequence[Check], a: Analysis) -> Evidence:
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


def _columns(value) -> list[str]:
    """A column list from a spec value: one name, a list of names, or ``{column: ...}`` items."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v["column"]) if isinstance(v, Mapping) else str(v) for v in value]


# -- fit --------------------------------------------------------------------------


def fit(
    trial: pd.DataFrame,
    *,
    id_column: str,
    arm_column: str,
    control_arm: str,
    outcomes: list[dict],
    covariates: Sequence[str] = (),
    strata_column: str | None = None,
    cluster_column: str | None = None,
    received_column: str | None = None,
    responded_column: str | None = None,
    exclusion_column: str | None = None,
    subgroups: Sequence[str] = (),
    exploratory_subgroups: Sequence[str] = (),
    message_encourages_reporting: bool = False,
    integrity_checks: Sequence[Check] = (),
    intended_ratios: Mapping[str, float] | None = None,
    allocation_method: str | None = None,
    seed: int = 20240401,
    source: str = "trial data",
) -> RCTResult:
    """Analyse a randomised trial, one row per randomised participant.

    Parameters
    ----------
    trial
        The trial file.
    id_column, arm_column, control_arm
        Participant id, allocated arm and the label of the control arm.
    outcomes
        ``{column, type, primary, label, smallest_effect, source}`` per
        outcome; ``type`` is ``binary`` (0/1, yes/no, true/false), ``count``,
        ``continuous`` or ``likert`` (1–5, "agreeing" = 4 or 5); ``source`` is
        ``police_recorded``, ``administrative`` or ``survey`` (missing survey
        answers are non-response). ``smallest_effect`` is on the main
        measure's scale: a risk difference for binary outcomes (0.02 = 2
        percentage points), a difference in the share agreeing for Likert
        items, a proportional change in the rate for counts (0.1 = 10%), and
        outcome units for continuous outcomes. Exactly one is primary.
    covariates, strata_column
        Baseline columns for the balance table and the adjusted analysis
        (strata enter the adjusted model as indicators).
    cluster_column
        Cluster identifier: every interval becomes cluster-robust (CR1).
    received_column
        1 when the arm's message reached the participant (control = 0).
    responded_column
        1 when the participant answered the survey.
    exclusion_column
        The reason a participant left the analysis after randomisation
        (blank, 0, no, false or none for everyone else); shown in the flow
        diagram, counted as attrition, and their outcomes may be missing.
    subgroups, exploratory_subgroups
        Columns defining pre-specified (and exploratory) subgroups.
    message_encourages_reporting
        Whether the messages encourage victims to report to the police.
    integrity_checks
        Checks of the allocation against its sealed record (from
        ``whatworks.randomise.verify``), as :class:`~whatworks.results.Check`
        objects or their dicts; a failed one lowers the evidence level to 3.
    intended_ratios, allocation_method
        The arms' intended ratio and the allocation method, for the arm-size
        check (simple randomisation only).
    seed
        Seed for the bootstrap of the Lee bounds.
    source
        The file as the user named it, for messages.

    Raises
    ------
    SpecError
        For an invalid ``outcomes`` list or a control arm not in the data.
    DataError
        For missing columns, duplicate ids, unknown or empty arms, and outcome
        values that cannot be read.
    """
    specs = read_outcomes(outcomes)
    covariates, subgroups, exploratory_subgroups = (_columns(v) for v in (covariates, subgroups,
                                                                          exploratory_subgroups))
    integrity_checks = tuple(c if isinstance(c, Check) else Check(**c) for c in integrity_checks)
    t = check(trial, id_column=id_column, arm_column=arm_column, control_arm=control_arm, outcomes=outcomes,
              covariates=covariates, strata_column=strata_column, cluster_column=cluster_column,
              received_column=received_column, responded_column=responded_column,
              exclusion_column=exclusion_column, subgroups=subgroups, exploratory_subgroups=exploratory_subgroups,
              intended_ratios=intended_ratios, source=source)
    a = analyse(t, specs, subgroups=subgroups, exploratory_subgroups=exploratory_subgroups, seed=seed)
    primary = next(o for o in specs if o.primary)
    several = len(t.arms) > 2
    head = estimate_name(primary.column, MAIN_MEASURE[primary.type], t.arms[1], several)
    estimates = tuple(e.with_headline(e.name == head) for e in a.estimates)
    checks = _checks(t, a, primary, integrity=integrity_checks, intended=intended_ratios, method=allocation_method,
                     encourages=message_encourages_reporting)
    evidence = _evidence(integrity_checks, a)
    verdicts = report.verdicts(specs, a, t.arms)
    notes = report.method_notes(specs, t, a, cluster=cluster_column is not None)
    loud = [c for c in integrity_checks if c.status in ("warn", "fail")]
    summary = report.summary(specs, t, a, verdicts, checks, evidence)
    summary[1:1] = [f"Allocation check: {c.message}" for c in loud]
    return RCTResult(
        estimates=estimates, checks=tuple(checks), evidence=evidence, summary_text=tuple(summary),
        notes=tuple(notes), arms=t.arms, control_arm=t.arms[0], primary_outcome=primary.column,
        outcome_specs=tuple(o.to_dict() for o in specs), flow=tuple(a.flow), exclusions=tuple(a.exclusions),
        baseline=tuple(a.baseline), attrition=tuple(a.attrition), lee=tuple(a.lee), subgroups=tuple(a.subgroups),
        interactions=tuple(a.interactions), holm=tuple(a.holm), first_stage=tuple(a.first_stage),
        verdicts=tuple(verdicts), source=source,
    )


def check(
    trial: pd.DataFrame,
    *,
    id_column: str,
    arm_column: str,
    control_arm: str,
    outcomes: list[dict],
    covariates: Sequence[str] = (),
    strata_column: str | None = None,
    cluster_column: str | None = None,
    received_column: str | None = None,
    responded_column: str | None = None,
    exclusion_column: str | None = None,
    subgroups: Sequence[str] = (),
    exploratory_subgroups: Sequence[str] = (),
    intended_ratios: Mapping[str, float] | None = None,
    source: str = "trial data",
    **_other,
) -> Trial:
    """Check a trial file as :func:`fit` will, without fitting anything.

    Takes :func:`fit`'s keywords (others are ignored) and raises the same
    :class:`~whatworks.errors.SpecError` or :class:`~whatworks.errors.DataError`
    for the outcomes list, missing columns, duplicate ids, a control arm or
    arm label not in the trial, an empty arm and unreadable outcome values.
    """
    specs = read_outcomes(outcomes)
    return prepare(trial, id_column=id_column, arm_column=arm_column, control_arm=str(control_arm), outcomes=specs,
                   covariates=_columns(covariates), strata_column=strata_column, cluster_column=cluster_column,
                   received_column=received_column, responded_column=responded_column,
                   exclusion_column=exclusion_column,
                   subgroups=_columns(subgroups) + _columns(exploratory_subgroups),
                   intended_ratios=intended_ratios, source=source)


def validate_inputs(ev) -> pd.DataFrame:
    """Read a spec's trial file (and its allocation record's arms) and check it, without fitting.

    The check ``whatworks validate`` and ``whatworks run`` make before any
    notebook starts; relative paths are read from the current folder.
    """
    from ..trial import read, verify_allocation

    trial = read(ev)
    verify_allocation(ev, trial)
    return trial
