"""The ``rct`` template: a randomised controlled trial, read, verified and analysed.

Its notebook makes the three calls every template makes::

    ev = ww.evaluation(globals())
    inputs = ww.trial.load(ev)           # read the trial file, verify the allocation: every check
    result = ww.trial.analyse(inputs, ev)
    ...                                  # sections: ww.rct.consort_table(result.main), result.design, ...
    ww.emit(ev, result)

(``ww.trial`` is this module; ``ww.rct`` is the trial-analysis design.)
:func:`load` reads the trial file, checks it as the analysis will, and
compares the allocation with its sealed record
(:func:`whatworks.allocation.verify`), the spec's analysis plan with the plan
sealed at allocation, and the trial file with the allocation (same people,
same arms). Only counts and short hashes reach a report, never an id.
:func:`analyse` fits the trial and sizes its design.

Examples
--------
>>> from whatworks.evaluation import Evaluation
>>> verify_allocation(Evaluation({"allocation_record": None}), None).checks
()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import pandas as pd

from .. import text
from ..allocation.record import analysis_plan_from_spec, read_record
from ..allocation.verification import verify
from ..data import display_name, read_table
from ..designs.rct import RCTResult, check, fit
from ..designs.rct.power import minimum_detectable_effect, sample_size
from ..designs.rct.power_result import PowerResult
from ..display import Notes, Prose, Section, Table
from ..errors import DataError, SpecError
from ..evaluation import Evaluation
from ..handover import reads_once
from ..options import Options, given
from ..plots import Chart
from ..results import Check, CheckList, Result
from .catalogue import registry

__all__ = ["Allocation", "Design", "TrialInputs", "TrialReport", "load", "analyse", "read", "verify_allocation",
           "fit_options", "design"]


# -- reading ------------------------------------------------------------------


def _record_path(ev: Evaluation) -> Path | None:
    return ev.path("allocation_record")


def _intended(ev: Evaluation, record: Mapping[str, Any] | None) -> dict[str, float] | None:
    if record is not None:
        return {str(k): float(v) for k, v in record.get("arms", {}).items()} or None
    given = ev.get("intended_ratios")
    return {str(k): float(v) for k, v in given.items()} if given else None


def read(ev: Evaluation) -> pd.DataFrame:
    """Read the trial file and check it as the analysis will, without fitting.

    When the spec names an ``allocation_record``, the arms are those of the
    allocation, so an arm label that is not one of them, or an arm with no
    participants, is refused.

    Raises
    ------
    DataError, SpecError
        Naming the file, column, rows or spec key, and the fix.
    """
    data_path = ev.path("data")
    if data_path is None:
        raise SpecError("is required", key="data", hint="Name the trial file (CSV or Excel) in data.")
    frame = read_table(data_path, sheet=ev.get("sheet"), label=display_name(ev["data"]))
    path = _record_path(ev)
    record = read_record(path) if path is not None else None
    options = ev.options_for(check)
    options["intended_ratios"] = _intended(ev, record)
    options["source"] = display_name(ev["data"])
    check(frame, **options)
    return frame


# -- the allocation -------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """The allocation as the analysis sees it: its checks and the settings from its record."""

    checks: tuple[Check, ...] = ()
    record: Mapping[str, Any] | None = field(default=None, repr=False)
    intended_ratios: dict[str, float] | None = None
    method: str | None = None
    arm_labels: Mapping[str, str] = field(default_factory=dict)  # arm codes in words, for the table

    def table(self) -> Table:
        """What the sealed record says (settings and short hashes; no ids)."""
        r = self.record or {}
        if not r:
            return Table(("Item", "Value"), (("Allocation record", "none given"),), caption="Allocation record")
        plan = r.get("analysis_plan") or {}
        arms = ", ".join(f"{self.arm_labels.get(a, a)} {text.fmt_number(v)}" for a, v in (r.get("arms") or {}).items())
        block = f", blocks of {r['block_size']}" if r.get("block_size") else ""
        strata = f", within {', '.join(r['strata'])}" if r.get("strata") else ""
        rows = [
            ("Made on", text.fmt_date(str(r.get("created", ""))[:10]) if r.get("created") else "not recorded"),
            ("Method", f"{r.get('method', '')}{block}{strata}"),
            ("Arms and ratio", arms),
            ("Seed", f"{r.get('seed')} ({r.get('seed_source', 'source not recorded')})"),
            ("Participants", f"{text.fmt_number(r.get('participants', {}).get('rows'))} "
                             f"(SHA-256 {_short(r.get('participants', {}).get('sha256'))})"),
            ("Allocation file", f"SHA-256 {_short(r.get('allocation', {}).get('sha256'))}"),
            ("Analysis plan", f"SHA-256 {_short(plan.get('sha256'))}" if plan else "not sealed"),
        ]
        return Table(("Item", "Value"), tuple(rows), caption="The sealed allocation record")

    @property
    def check_list(self) -> CheckList:
        return CheckList(self.checks)

    def _repr_html_(self) -> str:
        if not self.record:
            return Prose(["No allocation record was given, so the allocation could not be checked against a "
                          "sealed record. Name it with allocation_record in the spec."])._repr_html_()
        return Section(self.table(), self.check_list)._repr_html_()

    def to_dict(self) -> dict[str, Any]:
        r = self.record or {}
        plan = r.get("analysis_plan") or {}
        return {
            "record": bool(r),
            "method": self.method,
            "intended_ratios": self.intended_ratios,
            "seed": r.get("seed"),
            "participants_sha256": r.get("participants", {}).get("sha256"),
            "allocation_sha256": r.get("allocation", {}).get("sha256"),
            "plan_sha256": plan.get("sha256"),
            "seal": r.get("seal"),
        }


def _short(digest: str | None) -> str:
    return (digest or "none")[:12]


def _trial_matches(trial: pd.DataFrame, allocation_csv: Path, id_column: str, arm_column: str,
                   record_id: str, data_name: str) -> Check:
    """The trial file against the allocation: the same people, each in the arm allocated (counts only)."""
    alloc = pd.read_csv(allocation_csv, dtype=str, keep_default_na=False)
    if record_id not in alloc.columns or "arm" not in alloc.columns:
        return Check("trial_matches_allocation", "fail", f"{allocation_csv.name} has no '{record_id}' and 'arm' "
                                                         "columns, so the trial file cannot be compared with it.")
    sealed = pd.Series(alloc["arm"].to_numpy(), index=alloc[record_id].to_numpy())
    ids = trial[id_column].astype(str).str.strip().to_numpy()
    arms = trial[arm_column].astype(str).str.strip().to_numpy()
    # hashed look-ups (pandas), not numpy's sort-free comparison of every id with every other
    known = pd.Series(ids).isin(sealed.index).to_numpy()
    unknown = int((~known).sum())
    moved = int((sealed.reindex(ids[known]).to_numpy() != arms[known]).sum())
    missing = int(len(sealed) - pd.Series(sealed.index.to_numpy()).isin(ids).sum())
    problems = []
    if moved:
        problems.append(f"{text.plural(moved, 'participant')} in a different arm from the one allocated")
    if unknown:
        problems.append(f"{text.plural(unknown, 'participant')} who {'is' if unknown == 1 else 'are'} not in "
                        "the allocation")
    if problems:
        return Check("trial_matches_allocation", "fail",
                     f"The trial file ({data_name}) does NOT match the allocation: it has "
                     + " and ".join(problems) + ". Effects are only unbiased when everyone is analysed in "
                     "the arm they were allocated to; correct the trial file from the allocation.")
    if missing:
        return Check("trial_matches_allocation", "warn",
                     f"{text.plural(missing, 'randomised participant')} in the allocation "
                     f"{'is' if missing == 1 else 'are'} missing from the trial file ({data_name}): they are "
                     "dropped from the intention-to-treat analysis. Add them, with their outcomes where known.")
    return Check("trial_matches_allocation", "pass",
                 f"Every one of the {text.fmt_number(len(sealed))} allocated participants is in the trial file, "
                 "in the arm allocated, and nobody else is.")


#: Checks whose failure means the allocation is not the one sealed: an input error.
_SEALED = ("allocation_matches_record", "record_sealed")


def verify_allocation(ev: Evaluation, trial: pd.DataFrame | None) -> Allocation:
    """Check the allocation against its sealed record, the plan against the sealed plan, and the trial file.

    Returns no checks when the spec names no ``allocation_record`` (the
    analysis then says the allocation was not verified). An allocation or
    record that no longer matches its seal is an input error naming what
    changed (no report is written); a changed analysis plan is a ``warn``
    naming the changed keys; a trial file whose arms differ from the
    allocation is a ``fail`` check (the evidence level drops).

    Raises
    ------
    DataError
        When the allocation file or its record does not match the seal.
    """
    path = _record_path(ev)
    if path is None:
        return Allocation(intended_ratios=_intended(ev, None), method=ev.get("allocation_method"))
    record = read_record(path)
    allocation_csv = path.parent / str(record.get("allocation", {}).get("file", "allocation.csv"))
    try:
        plan = analysis_plan_from_spec(ev.parameters)
    except SpecError:
        plan = None
    checks = list(verify(allocation_csv, path, plan))
    if plan is None:
        checks = [c if c.name != "analysis_plan_unchanged" else Check(
            c.name, "warn", "The spec's analysis plan could not be compared with the sealed plan: its primary "
                            "outcome has no smallest_effect.") for c in checks]
    broken = [c for c in checks if c.name in _SEALED and c.status == "fail"]
    if broken:
        raise DataError(
            " ".join(c.message.rstrip(".") + "." for c in broken).rstrip("."),
            file=display_name(path),
            hint="An allocation must stay exactly as it was sealed when it was made: restore the allocation "
                 "file and its record from version control. A new allocation needs a new folder, and the "
                 "allocation log beside it will show the redo.",
        )
    if trial is not None and allocation_csv.is_file():
        checks.append(_trial_matches(trial, allocation_csv, ev["id_column"], ev["arm_column"],
                                     str(record.get("id_column", ev["id_column"])), display_name(ev["data"])))
    return Allocation(checks=tuple(checks), record=record, intended_ratios=_intended(ev, record),
                      method=str(record.get("method")) if record.get("method") else ev.get("allocation_method"),
                      arm_labels={str(k): str(v) for k, v in (ev.get("arm_labels") or {}).items()}
                      if isinstance(ev.get("arm_labels"), Mapping) else {})


@dataclass(frozen=True, kw_only=True)
class TrialOptions(Options):
    """The trial analysis's settings from the spec (the keyword arguments of :func:`whatworks.designs.rct.fit`)."""

    ANALYSIS: ClassVar[str] = "the trial analysis"

    id_column: str = ""
    arm_column: str = ""
    control_arm: str = ""
    outcomes: Any = ()
    covariates: Any = ()
    strata_column: str | None = None
    cluster_column: str | None = None
    received_column: str | None = None
    responded_column: str | None = None
    exclusion_column: str | None = None
    subgroups: Any = ()
    exploratory_subgroups: Any = ()
    message_encourages_reporting: bool = False
    intended_ratios: Any = None
    allocation_method: str | None = None
    seed: int = 20240401
    attrition_boundary: str = "cautious"
    arm_labels: Any = None
    covariate_labels: Any = None
    level_labels: Any = None
    cost_per_participant: Any = None
    recruitment_start: Any = None
    recruitment_end: Any = None
    follow_up_end: Any = None


#: The design keys that apply only to some kinds of primary outcome, and why.
_DESIGN_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "design_p_control": (("binary", "likert"),
                         "it is the share expected in the control arm, for a binary or Likert primary outcome; "
                         "a continuous one uses design_sd"),
    "design_sd": (("continuous",),
                  "it is the spread expected of a continuous primary outcome; a binary or Likert one uses "
                  "design_p_control"),
}


def trial_options(ev: Evaluation) -> TrialOptions:
    """The trial analysis's options, read once; a design key that does not fit the primary outcome is refused.

    Raises
    ------
    SpecError
        Naming the key, the primary outcome's type and why.
    """
    outcomes = ev.get("outcomes") or []
    primary = next((o for o in outcomes if isinstance(o, Mapping) and o.get("primary")), None)
    kind = str(primary.get("type")) if primary is not None else None
    defaults = {p.name: p.spec_default for p in registry().get("rct").parameters}
    for key, (kinds, why) in _DESIGN_KEYS.items():
        if kind is not None and kind not in kinds and given(ev.get(key)):
            raise SpecError(f"does not apply to the trial's design: the primary outcome is {kind}", key=key,
                            hint=f"Remove {key}: {why}.")
    return TrialOptions.build(ev, defaults=defaults, shared=tuple(defaults))


def fit_options(ev: Evaluation, allocation: Allocation) -> dict[str, Any]:
    """The keywords for :func:`whatworks.designs.rct.fit`: the spec's (:class:`TrialOptions`), what the
    allocation says, and the evaluation's disclosure policy (``ev.disclosure``), which the result carries."""
    options = trial_options(ev).used()
    options.update(integrity_checks=allocation.checks, intended_ratios=allocation.intended_ratios,
                   allocation_method=allocation.method, source=display_name(ev["data"]),
                   disclosure=ev.disclosure)
    return options


# -- the design -------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """The trial's design: the sample it needed for the smallest effect worth detecting, and what it can detect."""

    needed: PowerResult | None = None
    achieved: PowerResult | None = None
    note: str = ""

    @property
    def notes(self) -> tuple[str, ...]:
        """Method notes for the design calculation (empty when there is none)."""
        shown = self.needed or self.achieved
        if shown is None:
            return ()
        notes = ("Design: " + shown.notes[0] + " Active arms are numbered in the order of the arms in the "
                 "results (active arm 1 is the first after the control).", shown.notes[1])
        return notes + (tuple(shown.notes[2:]) if shown.design_effect != 1.0 else ())

    def _repr_html_(self) -> str:
        parts: list[object] = []
        if self.note:
            parts.append(Prose([self.note]))
        for r in (self.needed, self.achieved):
            if r is not None:
                parts.extend([r.summary, r.table()])
        shown = self.needed or self.achieved
        if shown is not None:
            parts.append(Notes(shown.formulas, title="Formulas"))
        return Section(*parts)._repr_html_()

    def to_dict(self) -> dict[str, Any]:
        keys = ("n_per_arm", "n_by_arm", "n_total", "mde", "mde_by_arm", "p_control", "p_treatment", "sd", "alpha",
                "alpha_per_comparison", "power", "achieved_power", "arms", "ratios", "attrition", "formulas")
        out: dict[str, Any] = {"note": self.note or None}
        for name, r in (("sample_size", self.needed), ("minimum_detectable_effect", self.achieved)):
            out[name] = None if r is None else {k: v for k, v in r.to_dict().items() if k in keys}
        return out


def design(ev: Evaluation, result: RCTResult) -> Design:
    """The design section from the spec: people per arm needed for the primary outcome's smallest
    effect worth detecting, and the smallest effect this trial's arms can detect.

    Uses ``design_p_control`` (binary or Likert primary outcome: the share
    expected in the control arm) or ``design_sd`` (continuous), with
    ``design_alpha``, ``design_power`` and ``design_attrition``; the arms and
    their ratio are the trial's.
    """
    primary = result.outcome_spec(result.primary_outcome)
    kind, smallest = primary["type"], primary.get("smallest_effect")
    sizes = [r["allocated"] for r in result.flow]
    arms = len(result.arms)
    ratios = [1.0] * arms
    intended = ev.get("intended_ratios")
    record = _record_path(ev)
    if record is not None:
        intended = read_record(record).get("arms")
    if intended:
        ratios = [float(intended.get(a, 1.0)) for a in result.arms]
    alpha, power = float(ev.get("design_alpha") or 0.05), float(ev.get("design_power") or 0.8)
    attrition = float(ev.get("design_attrition") or 0.0)
    where = f"the primary outcome ({primary['label']})"
    if kind in ("binary", "likert"):
        p0 = ev.get("design_p_control")
        if p0 is None:
            return Design(note=f"No design calculation: give design_p_control (the share expected in the control "
                               f"arm for {where}) to show the sample size and the smallest detectable effect.")
        direction: Literal["increase", "decrease"] = "decrease" if kind == "binary" else "increase"
        needed = None
        if smallest:
            change = -smallest if direction == "decrease" else smallest
            needed = sample_size(outcome="binary", p_control=float(p0), effect=change, arms=arms, ratio=ratios,
                                 alpha=alpha, power=power, attrition=attrition)
        achieved = minimum_detectable_effect(outcome="binary", n_per_arm=sizes, p_control=float(p0),
                                             direction=direction, alpha=alpha, power=power, attrition=attrition)
    elif kind == "continuous":
        sd = ev.get("design_sd")
        if sd is None:
            return Design(note=f"No design calculation: give design_sd (the standard deviation expected for {where}) "
                               "to show the sample size and the smallest detectable effect.")
        needed = (sample_size(outcome="continuous", effect=smallest, sd=float(sd), arms=arms, ratio=ratios,
                              alpha=alpha, power=power, attrition=attrition)
                  if smallest else None)
        achieved = minimum_detectable_effect(outcome="continuous", n_per_arm=sizes, sd=float(sd), alpha=alpha,
                                             power=power, attrition=attrition)
    else:
        return Design(note=f"No design calculation: {where} is a count; power for counts is not built in.")
    note = ("" if smallest else f"{where.capitalize()} has no smallest effect worth detecting, so only the "
                                "smallest detectable effect is shown.")
    return Design(needed=needed, achieved=achieved, note=note)


# -- the template's calls ---------------------------------------------------------


@dataclass(frozen=True)
class TrialInputs:
    """What :func:`analyse` needs, read and checked once by :func:`load`.

    Attributes
    ----------
    trial
        The trial file, checked.
    allocation
        The allocation as the analysis sees it (its checks and its record's settings).
    options
        The keyword arguments of :func:`whatworks.designs.rct.fit`.
    """

    trial: pd.DataFrame = field(repr=False)
    allocation: Allocation
    options: Mapping[str, Any] = field(default_factory=dict)


@reads_once
def load(ev: Evaluation) -> TrialInputs:
    """Read the trial file and verify the allocation: every input check, without fitting.

    What ``whatworks validate`` runs. Relative paths are read from the spec's
    folder (``ev.base_dir``).

    Raises
    ------
    DataError, SpecError
        Naming the file, column, rows or key, and the fix.
    """
    trial = read(ev)
    allocation = verify_allocation(ev, trial)
    return TrialInputs(trial, allocation, fit_options(ev, allocation))


@dataclass(frozen=True, kw_only=True)
class TrialReport(Result):
    """A trial evaluation: the analysis's estimates and checks, the allocation's integrity and the design.

    The estimates, checks, evidence, summary and notes are the analysis's
    (with the design's notes added); ``main`` is the
    :class:`~whatworks.designs.rct.RCTResult` the report sections read.
    """

    main: RCTResult
    allocation: Allocation
    design: Design

    def plot(self) -> Chart:
        """The primary outcome's effects (see :meth:`whatworks.designs.rct.RCTResult.plot`)."""
        return self.main.plot()

    def table(self, kind: str | None = None) -> Table:
        """The estimates of one analysis (``itt``, ``adjusted``, ``complier``), or all."""
        return self.main.table(kind)

    def extra(self) -> dict[str, Any]:
        """Keys for ``results.json``: the analysis's own, the allocation's checks and the design."""
        return {**self.main.extra(), "allocation": self.allocation.to_dict(), "power": self.design.to_dict()}


def analyse(inputs: TrialInputs, ev: Evaluation) -> TrialReport:
    """Fit the trial (:func:`whatworks.designs.rct.fit`) and size its design (:func:`design`)."""
    main = fit(inputs.trial, **inputs.options)
    plan = design(ev, main)
    return TrialReport(
        estimates=main.estimates, checks=main.checks, evidence=main.evidence, summary_text=main.summary_text,
        notes=main.notes + plan.notes, period_start=main.period_start, period_end=main.period_end,
        main=main, allocation=inputs.allocation, design=plan,
    )
