"""Randomised controlled trial: the analysis after follow-up.

:func:`fit` takes the trial file (one row per randomised participant) and
returns an :class:`~whatworks.designs.rct.result.RCTResult` holding, as aggregates only:

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

import datetime as _dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from ...dates import parse_date
from ...disclosure import Disclosure
from ...errors import SpecError
from ...results import Check, Estimate
from .analysis import MAIN_MEASURE, analyse, estimate_name
from .attrition import boundary
from .checks import grade_evidence, trial_checks
from .data import Trial, prepare, read_outcomes
from .result import RCTResult
from .words import method_notes, nnt_rows
from .words import summary as summary_words
from .words import verdicts as verdict_rows

__all__ = ["fit", "check"]


def _columns(value: str | Iterable[str | Mapping[str, Any]] | None) -> list[str]:
    """A column list from a spec value: one name, a list of names, or ``{column: ...}`` items."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v["column"]) if isinstance(v, Mapping) else str(v) for v in value]


def fit(
    trial: pd.DataFrame,
    *,
    id_column: str,
    arm_column: str,
    control_arm: str,
    outcomes: Sequence[Mapping[str, Any]],
    covariates: Sequence[str] = (),
    strata_column: str | None = None,
    cluster_column: str | None = None,
    received_column: str | None = None,
    responded_column: str | None = None,
    exclusion_column: str | None = None,
    subgroups: Sequence[str] = (),
    exploratory_subgroups: Sequence[str] = (),
    message_encourages_reporting: bool = False,
    integrity_checks: Sequence[Check | Mapping[str, Any]] = (),
    intended_ratios: Mapping[str, float] | None = None,
    allocation_method: str | None = None,
    seed: int = 20240401,
    attrition_boundary: str = "cautious",
    source: str = "trial data",
    disclosure: Disclosure | int = Disclosure(),
    arm_labels: Mapping[str, str] | None = None,
    cost_per_participant: Mapping[str, float] | float | None = None,
    recruitment_start: object = None,
    recruitment_end: object = None,
    follow_up_end: object = None,
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
        ``whatworks.allocation.verify``), as :class:`~whatworks.results.Check`
        objects or their dicts; a failed one lowers the evidence level to 3.
    intended_ratios, allocation_method
        The arms' intended ratio and the allocation method, for the arm-size
        check (simple randomisation only).
    seed
        Seed for the bootstrap of the Lee bounds.
    attrition_boundary
        The What Works Clearinghouse attrition boundary attrition is judged
        on: ``"cautious"`` (the default; the intervention could affect who
        is lost) or ``"optimistic"`` (loss thought unrelated to it).
    source
        The file as the user named it, for messages.
    disclosure
        The small-count policy (or its threshold) for every count and share
        of people the result shows; carried by the result.
    arm_labels
        A label for each arm code (``{bau_letter: business-as-usual letter}``),
        shown in place of the code in every table, chart and sentence.
    cost_per_participant
        Each active arm's cost per participant over the control arm's, as
        ``{arm: cost}`` (or one number for every active arm): with it, the
        cost per outcome avoided on each binary outcome.
    recruitment_start, recruitment_end, follow_up_end
        The trial's dates (any form :func:`whatworks.dates.parse_date`
        reads), shown in the header and the summary.

    Raises
    ------
    SpecError
        For an invalid ``outcomes`` list or a control arm not in the data.
    DataError
        For missing columns, duplicate ids, unknown or empty arms, and outcome
        values that cannot be read.
    """
    specs = read_outcomes(outcomes)
    disclosure = disclosure if isinstance(disclosure, Disclosure) else Disclosure(int(disclosure or 0))
    covariates, subgroups, exploratory_subgroups = (_columns(v) for v in (covariates, subgroups,
                                                                          exploratory_subgroups))
    integrity: tuple[Check, ...] = tuple(c if isinstance(c, Check) else Check(**c) for c in integrity_checks)
    t = check(trial, id_column=id_column, arm_column=arm_column, control_arm=control_arm, outcomes=outcomes,
              covariates=covariates, strata_column=strata_column, cluster_column=cluster_column,
              received_column=received_column, responded_column=responded_column,
              exclusion_column=exclusion_column, subgroups=subgroups, exploratory_subgroups=exploratory_subgroups,
              intended_ratios=intended_ratios, source=source)
    boundary(attrition_boundary)  # an unknown boundary is refused before any work
    a = analyse(t, specs, subgroups=subgroups, exploratory_subgroups=exploratory_subgroups, seed=seed,
                attrition_boundary=attrition_boundary)
    primary = next(o for o in specs if o.primary)
    several = len(t.arms) > 2
    head = estimate_name(primary.column, MAIN_MEASURE[primary.type], t.arms[1], several)
    labels = _arm_labels(arm_labels, t.arms)
    estimates = tuple(_relabel(e, labels, t.arms[0]).with_headline(e.name == head) for e in a.estimates)
    checks = trial_checks(t, a, primary, integrity=integrity, intended=intended_ratios,
                          method=allocation_method, encourages=message_encourages_reporting,
                          disclosure=disclosure, arm_labels=labels)
    evidence = grade_evidence(integrity, a)
    costs = _costs(cost_per_participant, t.arms)
    if costs is not None and not any(o.type == "binary" for o in specs):
        raise SpecError("does not apply to a trial with no binary outcome", key="cost_per_participant",
                        hint="Remove cost_per_participant: the cost per outcome avoided is worked out from a "
                             "binary outcome's number needed to treat.")
    when = _dates(recruitment_start=recruitment_start, recruitment_end=recruitment_end,
                  follow_up_end=follow_up_end)
    verdicts = verdict_rows(specs, a, t, disclosure, labels)
    nnt = nnt_rows(specs, a, t.arms, costs)
    notes = method_notes(specs, t, a, cluster=cluster_column is not None, arm_labels=labels)
    loud = [c for c in integrity if c.status in ("warn", "fail")]
    summary = summary_words(specs, t, a, verdicts, checks, evidence, disclosure, arm_labels=labels, nnt=nnt,
                            dates=when)
    summary[1:1] = [f"Allocation check: {c.message}" for c in loud]
    return RCTResult(
        estimates=estimates, checks=tuple(checks), evidence=evidence, summary_text=tuple(summary),
        notes=tuple(notes), arms=t.arms, control_arm=t.arms[0], primary_outcome=primary.column,
        outcome_specs=tuple(o.to_dict() for o in specs), flow=tuple(a.flow), exclusions=tuple(a.exclusions),
        baseline=tuple(a.baseline), attrition=tuple(a.attrition), lee=tuple(a.lee), subgroups=tuple(a.subgroups),
        interactions=tuple(a.interactions), holm=tuple(a.holm), first_stage=tuple(a.first_stage),
        verdicts=tuple(verdicts), source=source, disclosure=disclosure, arm_labels=labels, nnt=tuple(nnt),
        dates=when, period_start=when.get("recruitment_start"),
        period_end=when.get("follow_up_end") or when.get("recruitment_end"),
    )


def _relabel(e: Estimate, labels: Mapping[str, str], control: str) -> Estimate:
    """The estimate's label with arm labels in place of arm codes."""
    arm = e.group
    if arm is None or labels.get(arm, arm) == arm and labels.get(control, control) == control:
        return e
    return replace(e, label=e.label.replace(f", {arm} vs {control}", f", {labels[arm]} vs {labels[control]}"))


def _arm_labels(given: Mapping[str, str] | None, arms: Sequence[str]) -> dict[str, str]:
    labels = {str(k): str(v) for k, v in (given or {}).items()}
    unknown = sorted(set(labels) - set(arms))
    if unknown:
        raise SpecError(f"arm_labels names {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} not "
                        f"an arm of the trial ({', '.join(arms)})", key="arm_labels",
                        hint="Give a label for each arm code in the arm column.")
    return {arm: labels.get(arm, arm) for arm in arms}


def _costs(given: Mapping[str, float] | float | None, arms: Sequence[str]) -> dict[str, float] | None:
    if given is None:
        return None
    raw = {arm: given for arm in arms[1:]} if isinstance(given, (int, float)) else dict(given)
    out: dict[str, float] = {}
    for arm, value in raw.items():
        if str(arm) not in arms[1:]:
            raise SpecError(f"cost_per_participant names '{arm}', which is not an active arm "
                            f"({', '.join(arms[1:])})", key="cost_per_participant")
        try:
            cost = float(value)
        except (TypeError, ValueError):
            raise SpecError(f"cost_per_participant for '{arm}' is '{value}', which is not a number",
                            key="cost_per_participant") from None
        if not math.isfinite(cost) or cost < 0:
            raise SpecError(f"cost_per_participant for '{arm}' must be a cost of 0 or more, not {value}",
                            key="cost_per_participant")
        out[str(arm)] = cost
    return out


def _dates(**given: object) -> dict[str, _dt.date]:
    out = {k: parse_date(v, key=k).date() for k, v in given.items() if v not in (None, "")}
    start, end, follow = (out.get(k) for k in ("recruitment_start", "recruitment_end", "follow_up_end"))
    if start and end and end < start:
        raise SpecError("recruitment_end is before recruitment_start", key="recruitment_end")
    recruited = end or start
    if follow is not None and recruited is not None and follow < recruited:
        raise SpecError("follow_up_end is before recruitment", key="follow_up_end")
    return out


def check(
    trial: pd.DataFrame,
    *,
    id_column: str,
    arm_column: str,
    control_arm: str,
    outcomes: Sequence[Mapping[str, Any]],
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
    **_other: object,
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
