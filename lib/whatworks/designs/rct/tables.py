"""Display tables for a trial: estimates, baseline, attrition, Lee bounds, subgroups, CONSORT flow.

Each function takes plain aggregates (the rows :mod:`whatworks.designs.rct.analysis`
computes, estimates, arm labels) and returns a :class:`~whatworks.display.Table`.
Tables that show people take the :class:`~whatworks.disclosure.Disclosure`
policy as an argument: every count of people goes through its ``count`` and
every share of people through its ``share`` (or ``rate``), so a small number
is never shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ... import text
from ...disclosure import WITHHELD, Disclosure
from ...display import Table
from ...results import Estimate
from .words import fmt_effect

__all__ = ["estimates_table", "baseline_table", "attrition_table", "lee_table", "subgroup_table",
           "consort_table", "KINDS"]

KINDS = {"itt": "intention-to-treat estimates", "adjusted": "covariate-adjusted estimates",
          "complier": "complier (received the message) estimates"}


def _kind(measure: str) -> str:
    if measure.startswith("adjusted_"):
        return "adjusted"
    return "complier" if measure.startswith("complier") else "itt"


def estimates_table(estimates: Sequence[Estimate], holm_rows: Sequence[Mapping[str, Any]],
                    outcome_specs: Sequence[Mapping[str, Any]], kind: str | None = None) -> Table:
    """Every estimate (or one ``kind``: itt, adjusted, complier) with its interval and p-values."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    holm = {h["name"]: h["p_holm"] for h in holm_rows}
    types = {o["column"]: o["type"] for o in outcome_specs}
    rows = []
    for e in estimates:
        if kind is not None and _kind(e.measure) != kind:
            continue
        otype = types.get(e.outcome, "continuous")

        def fmt(v: float | None, ot: str = otype, m: str = e.measure) -> str:
            return fmt_effect(v, ot, m).replace(" percentage points", " pts")

        rows.append((e.label, fmt(e.estimate), text.fmt_interval(e.ci_low, e.ci_high, fmt=fmt).removeprefix("95% CI "),
                     text.fmt_p(e.p_value), text.fmt_p(holm.get(e.name))))
    return Table(("Quantity", "Estimate", f"{text.LEVEL_WORDS} interval", "p-value", "Holm-adjusted p"),
                 tuple(rows), caption=f"{KINDS[kind].capitalize() if kind else 'Estimates'} "
                                      "(pts = percentage points)", numeric=(False, True, True, True, True))


def baseline_table(baseline: Sequence[Mapping[str, Any]], arms: Sequence[str], disclosure: Disclosure,
                   sizes: Mapping[str, int] | None = None, arm_name: Callable[[str], str] = str,
                   column_name: Callable[[str], str] = str,
                   level_name: Callable[[str, Any], str] = lambda column, level: str(level)) -> Table:
    """Baseline characteristics by arm: mean (SD) or %, and SMD against the control (the first arm).

    A category's share of an arm (``sizes``: people allocated to each arm) is
    withheld when it counts, or leaves out, fewer people than ``disclosure``
    allows. ``arm_name``, ``column_name`` and ``level_name`` put words in
    place of arm codes, column names and values.
    """
    arms, active = tuple(arms), tuple(arms[1:])
    sizes = sizes or {}

    def pct(value: float, arm: str) -> str:
        return disclosure.rate(value, sizes[arm]) if arm in sizes else text.fmt_pct(value)

    rows = []
    for r in baseline:
        name = column_name(r["covariate"]) + (f": {level_name(r['covariate'], r['level'])}"
                                              if r["level"] is not None else "")
        cells = [pct(r[f"mean:{a}"], a) if r["binary"] else
                 f"{text.fmt_number(r[f'mean:{a}'], 2)} ({text.fmt_number(r[f'sd:{a}'], 2)})" for a in arms]
        rows.append((name, *cells, *(text.fmt_number(r[f"smd:{a}"], 3) for a in active)))
    columns = ("Characteristic", *(arm_name(a) for a in arms), *(f"SMD {arm_name(a)}" for a in active))
    return Table(columns, tuple(rows), caption="Baseline characteristics by arm: % or mean (SD); standardised "
                 "mean difference against the control", numeric=(False,) + (True,) * (len(columns) - 1))


def attrition_table(attrition: Sequence[Mapping[str, Any]], control_arm: str, disclosure: Disclosure,
                    arm_name: Callable[[str], str] = str) -> Table:
    """Follow-up (or response) by arm and the WWC cautious attrition standard.

    Each share kept, and the overall attrition, is withheld when it counts or
    leaves out fewer people than ``disclosure`` allows; the differential is
    withheld with either arm's share (it would give one from the other).
    """
    rows = []
    for r in attrition:
        kept_arm = disclosure.share(r["kept_arm"], r["n_arm"])
        kept_control = disclosure.share(r["kept_control"], r["n_control"])
        whole = r["n_arm"] + r["n_control"]
        lost = disclosure.share(whole - r["kept_arm"] - r["kept_control"], whole)
        hidden = WITHHELD in (kept_arm, kept_control)
        rows.append((f"{r['kind'].capitalize()}: {arm_name(r['arm'])} vs {arm_name(control_arm)}",
                     f"{kept_arm} of {disclosure.count(r['n_arm'])}",
                     f"{kept_control} of {disclosure.count(r['n_control'])}",
                     lost, WITHHELD if hidden else f"{r['differential'] * 100:.1f}",
                     "–" if not math.isfinite(r["boundary"]) else f"{r['boundary'] * 100:.1f}",
                     "Low attrition" if r["low"] else "High attrition"))
    return Table(("Comparison", "Kept (active arm)", "Kept (control)", "Overall attrition",
                  "Differential (points)", "Cautious boundary (points)", "WWC standard"),
                 tuple(rows), caption="Attrition against the What Works Clearinghouse standard, cautious boundary",
                 numeric=(False, True, True, True, True, True, False))


def lee_table(lee: Sequence[Mapping[str, Any]], outcome_specs: Sequence[Mapping[str, Any]],
              disclosure: Disclosure, followed_up: Mapping[str, int] | None = None,
              control_arm: str | None = None, arm_name: Callable[[str], str] = str) -> Table:
    """Lee bounds for each survey outcome and active arm.

    ``followed_up`` (people followed up in each arm, the response rates'
    denominators) lets ``disclosure`` withhold a response rate that counts, or
    leaves out, fewer people than it allows.
    """
    types = {o["column"]: o["type"] for o in outcome_specs}
    followed_up = followed_up or {}

    def pct(value: float, arm: str | None) -> str:
        if arm is not None and arm in followed_up:
            return disclosure.rate(value, followed_up[arm])
        return text.fmt_pct(value)

    rows = []
    for r in lee:

        def fmt(v: float | None, ot: str = types[r["outcome"]], m: str = r["measure"]) -> str:
            return fmt_effect(v, ot, m).replace(" percentage points", " pts")

        rows.append((f"{r['label']}: {arm_name(r['arm'])}", f"{pct(r['response_arm'], r['arm'])} / "
                     f"{pct(r['response_control'], control_arm)}", f"{fmt(r['lower'])} to {fmt(r['upper'])}",
                     text.fmt_interval(r["ci_low"], r["ci_high"], fmt=fmt).removeprefix("95% CI ")))
    return Table(("Survey outcome and arm", "Response (arm / control)", "Lee bounds", f"{text.LEVEL_WORDS} interval"),
                 tuple(rows), caption="Lee bounds on survey effects allowing for differential response",
                 numeric=(False, True, True, True))


def subgroup_table(subgroups: Sequence[Mapping[str, Any]], interactions: Sequence[Mapping[str, Any]],
                   primary: Mapping[str, Any], disclosure: Disclosure,
                   arm_name: Callable[[str], str] = str, column_name: Callable[[str], str] = str,
                   level_name: Callable[[str, Any], str] = lambda column, level: str(level)) -> Table:
    """Subgroup effects on the primary outcome (``primary``: its outcome spec) with each interaction test.

    ``arm_name``, ``column_name`` and ``level_name`` put words in place of arm codes, column names and values.
    """
    o = primary
    tests = {(r["subgroup"], r["arm"]): r for r in interactions}
    rows = []
    for r in subgroups:

        def fmt(v: float | None, m: str = r["measure"]) -> str:
            return fmt_effect(v, o["type"], m).replace(" percentage points", " pts")

        test = tests[(r["subgroup"], r["arm"])]
        group = f"{column_name(r['subgroup'])}: {level_name(r['subgroup'], r['level'])}"
        rows.append((group, r["kind"], arm_name(r["arm"]), fmt(r["estimate"]),
                     text.fmt_interval(r["ci_low"], r["ci_high"], fmt=fmt).removeprefix("95% CI "),
                     f"{disclosure.count(r['n_arm'])} / {disclosure.count(r['n_control'])}",
                     text.fmt_p(test["p_value"])))
    return Table(("Subgroup", "Status", "Arm", "Effect", f"{text.LEVEL_WORDS} interval", "n (arm / control)",
                  "Interaction p"), tuple(rows),
                 caption=f"Subgroup effects on {o['label'].lower()} (risk-difference scale; interaction test on "
                         "that scale)", numeric=(False, False, False, True, True, True, True))


def consort_table(flow: Sequence[Mapping[str, Any]], exclusions: Sequence[Mapping[str, Any]], arms: Sequence[str],
                  disclosure: Disclosure, arm_name: Callable[[str], str] = str) -> Table:
    """The CONSORT flow by arm, every count through ``disclosure``."""
    stages = [("Allocated", "allocated"), ("Received the arm's message", "received"),
              ("Excluded after allocation", "excluded"), ("Followed up", "followed_up"),
              ("Answered the survey", "responded"), ("Analysed (primary outcome)", "analysed")]
    rows = []
    for words, key in stages:
        if all(r[key] is None for r in flow):
            continue
        rows.append((words, *(disclosure.count(r[key]) for r in flow)))
    for e in exclusions:
        rows.append((f"  excluded: {e['reason']}", *(disclosure.count(e["n"]) if r["arm"] == e["arm"] else ""
                                                     for r in flow)))
    return Table(("Stage", *(arm_name(a) for a in arms)), tuple(rows), caption="Participant flow (CONSORT)",
                 numeric=(False,) + (True,) * len(tuple(arms)))
