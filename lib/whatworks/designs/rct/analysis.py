"""The trial analysis proper: every estimate, table row and diagnostic number.

Works on a checked :class:`~whatworks.designs.rct.data.Trial` and returns
plain aggregates (counts, means, contrasts); no row-level data leaves here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ...results import Estimate
from .attrition import lee_bounds_interval, wwc_attrition
from .data import OutcomeSpec, Trial
from .model import (
    Contrast,
    Design,
    FloatArray,
    Mask,
    complier_effect,
    holm,
    mean_difference,
    odds_ratio,
    rate_ratio,
    risk_difference,
    risk_ratio,
    standardised,
    subgroup_differences,
)

__all__ = ["MEASURES", "ADJUSTED", "MAIN_MEASURE", "Analysis", "analyse", "estimate_name", "observed_by_arm"]

#: An estimator: ``(values, treated rows, control rows, design) -> contrast``.
Estimator = Callable[[FloatArray, Mask, Mask, Design], Contrast]

# measure -> (words, estimator, which values: "y" or "agree")
MEASURES: dict[str, tuple[tuple[str, str, Estimator, str], ...]] = {
    "binary": (("risk_difference", "risk difference", risk_difference, "y"),
               ("risk_ratio", "risk ratio", risk_ratio, "y"),
               ("odds_ratio", "odds ratio", odds_ratio, "y")),
    "count": (("rate_ratio", "rate ratio", rate_ratio, "y"),
              ("mean_difference", "difference in mean count", mean_difference, "y")),
    "continuous": (("mean_difference", "mean difference (Welch)", mean_difference, "y"),),
    "likert": (("agree_difference", "difference in the share agreeing (4 or 5)", risk_difference, "agree"),
               ("mean_difference", "difference in mean score (Welch)", mean_difference, "y")),
}
# type -> (link, values, ((measure, words, part), ...))
ADJUSTED: dict[str, tuple[str, str, tuple[tuple[str, str, str], ...]]] = {
    "binary": ("logit", "y", (("adjusted_risk_difference", "adjusted risk difference", "difference"),
                              ("adjusted_risk_ratio", "adjusted risk ratio", "ratio"))),
    "count": ("log", "y", (("adjusted_rate_ratio", "adjusted rate ratio", "ratio"),)),
    "continuous": ("identity", "y", (("adjusted_mean_difference", "adjusted mean difference", "difference"),)),
    "likert": ("logit", "agree", (("adjusted_agree_difference", "adjusted difference in the share agreeing",
                                   "difference"),)),
}
MAIN_MEASURE = {"binary": "risk_difference", "count": "rate_ratio", "continuous": "mean_difference",
                "likert": "agree_difference"}
# measure on the difference scale used for subgroups
SUBGROUP_MEASURE = {"binary": "risk_difference", "count": "mean_difference", "continuous": "mean_difference",
                    "likert": "agree_difference"}
_UNITS = {"binary": "proportion", "likert": "proportion"}
WEAK_F = 10.0


def estimate_name(outcome: str, measure: str, arm: str, several: bool) -> str:
    """``<outcome>.<measure>``, or ``<outcome>.<measure>.<arm>`` with several active arms.

    >>> estimate_name("repeat_victim", "risk_ratio", "advocate_call", True)
    'repeat_victim.risk_ratio.advocate_call'
    """
    return f"{outcome}.{measure}.{arm}" if several else f"{outcome}.{measure}"


@dataclass
class Analysis:
    """Everything :func:`analyse` computes, as aggregates."""

    estimates: list[Estimate] = field(default_factory=list)
    contrasts: dict[tuple[str, str, str], Contrast] = field(default_factory=dict)
    flow: list[dict[str, Any]] = field(default_factory=list)
    exclusions: list[dict[str, Any]] = field(default_factory=list)
    baseline: list[dict[str, Any]] = field(default_factory=list)
    attrition: list[dict[str, Any]] = field(default_factory=list)
    lee: list[dict[str, Any]] = field(default_factory=list)
    subgroups: list[dict[str, Any]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    holm: list[dict[str, Any]] = field(default_factory=list)
    first_stage: list[dict[str, Any]] = field(default_factory=list)
    unfitted: list[str] = field(default_factory=list)
    attrition_boundary: str = "cautious"


def _observed(t: Trial, o: OutcomeSpec) -> Mask:
    y = t.outcomes[o.column]
    seen = ~np.isnan(y) & ~t.excluded
    if o.source == "survey" and t.responded is not None:
        seen &= t.responded
    return seen


def observed_by_arm(t: Trial, o: OutcomeSpec) -> dict[str, int]:
    """How many people in each arm have outcome ``o`` observed (the denominators of its shares)."""
    seen = _observed(t, o)
    return {arm: int(((t.arm_codes == code) & seen).sum()) for code, arm in enumerate(t.arms)}


def _values(t: Trial, o: OutcomeSpec, part: str) -> FloatArray:
    y = np.nan_to_num(t.outcomes[o.column])
    return (y >= 4).astype(float) if part == "agree" else y


def _flow(t: Trial, primary: OutcomeSpec, a: Analysis) -> None:
    seen = _observed(t, primary)
    for code, arm in enumerate(t.arms):
        m = t.arm_codes == code
        row = {"arm": arm, "allocated": int(m.sum()),
               "received": None if t.received is None or code == 0 else int((t.received[m] == 1).sum()),
               "excluded": int((m & t.excluded).sum()),
               "followed_up": int((m & ~t.excluded).sum()),
               "responded": None if t.responded is None else int((m & t.responded).sum()),
               "analysed": int((m & seen).sum())}
        a.flow.append(row)
        reasons, counts = np.unique(t.exclusion_reasons[m & t.excluded].astype(str), return_counts=True)
        a.exclusions.extend({"arm": arm, "reason": r, "n": int(c)} for r, c in zip(reasons, counts))


def _baseline(t: Trial, a: Analysis) -> None:
    masks = [t.arm_codes == code for code in range(len(t.arms))]
    for name, level, x in t.baseline:
        row: dict[str, Any] = {"covariate": name, "level": level, "binary": level is not None}
        stats_by_arm: list[tuple[float, float]] = []
        for arm, m in zip(t.arms, masks):
            v = x[m]
            v = v[~np.isnan(v)]
            mean = float(v.mean()) if v.size else math.nan
            var = float(v.var(ddof=1)) if v.size > 1 else math.nan
            stats_by_arm.append((mean, var))
            row[f"mean:{arm}"] = mean
            row[f"sd:{arm}"] = math.sqrt(var) if math.isfinite(var) else math.nan
        m0, v0 = stats_by_arm[0]
        for arm, (m1, v1) in zip(t.arms[1:], stats_by_arm[1:]):
            pooled = math.sqrt((v1 + v0) / 2) if math.isfinite(v1 + v0) else math.nan
            row[f"smd:{arm}"] = (m1 - m0) / pooled if pooled and pooled > 0 else 0.0
        a.baseline.append(row)


def _itt(t: Trial, outcomes: list[OutcomeSpec], design: Design, a: Analysis) -> None:
    several = len(t.arms) > 2
    control = t.arm_codes == 0
    for o in outcomes:
        seen = _observed(t, o)
        for code, arm in enumerate(t.arms[1:], 1):
            treated = (t.arm_codes == code) & seen
            for measure, words, estimator, part in MEASURES[o.type]:
                y = _values(t, o, part)
                c = estimator(y, treated, control & seen, design)
                a.contrasts[(o.column, measure, arm)] = c
                a.estimates.append(_estimate(o, measure, words, arm, c, several, t.arms[0]))


def _estimate(o: OutcomeSpec, measure: str, words: str, arm: str, c: Contrast, several: bool,
              control: str) -> Estimate:
    label = f"{o.label}: {words}, {arm} vs {control}"
    unit = None if c.scale == "ratio" else _UNITS.get(o.type)
    return Estimate(name=estimate_name(o.column, measure, arm, several), label=label, measure=measure,
                    estimate=c.estimate, se=c.se, ci_low=c.ci_low, ci_high=c.ci_high, p_value=c.p_value,
                    scale="ratio" if c.scale == "ratio" else "difference", outcome=o.column, group=arm,
                    unit=unit)


def _adjusted(t: Trial, outcomes: list[OutcomeSpec], design: Design, a: Analysis) -> None:
    if t.covariate_matrix.shape[1] == 0:
        return
    several = len(t.arms) > 2
    for o in outcomes:
        link, part, parts = ADJUSTED[o.type]
        seen = _observed(t, o)
        y = _values(t, o, part)
        for code, arm in enumerate(t.arms[1:], 1):
            out = standardised(y, t.arm_codes, code, t.covariate_matrix, link, design, rows=seen)
            if out is None:
                a.unfitted.append(f"{o.label} ({arm})")
                continue
            for measure, words, which in parts:
                c = out[which]
                a.contrasts[(o.column, measure, arm)] = c
                a.estimates.append(_estimate(o, measure, words, arm, c, several, t.arms[0]))


def _complier(t: Trial, primary: OutcomeSpec, design: Design, a: Analysis) -> None:
    if t.received is None:
        return
    several = len(t.arms) > 2
    seen = _observed(t, primary)
    y = _values(t, primary, "agree" if primary.type == "likert" else "y")
    control = (t.arm_codes == 0) & seen
    for code, arm in enumerate(t.arms[1:], 1):
        c = complier_effect(y, t.received, (t.arm_codes == code) & seen, control, design)
        a.contrasts[(primary.column, "complier_effect", arm)] = c
        a.first_stage.append({"arm": arm, "receipt_rate": c.get("first_stage"), "f": c.get("first_stage_f"),
                              "weak": bool(c.get("first_stage_f", 0.0) < WEAK_F)})
        words = "complier (received) effect" + (" on the share agreeing" if primary.type == "likert" else "")
        a.estimates.append(_estimate(primary, "complier_effect", words, arm, c, several, t.arms[0]))


def _two_props(x1: int, n1: int, x0: int, n0: int) -> float:
    """Two-sided p-value of the pooled two-proportion z test."""
    p = (x1 + x0) / (n1 + n0)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
    return float(2 * stats.norm.sf(abs(x1 / n1 - x0 / n0) / se)) if se > 0 else 1.0


def _attrition(t: Trial, outcomes: list[OutcomeSpec], primary: OutcomeSpec, seed: int, a: Analysis) -> None:
    # a.attrition_boundary names the WWC boundary every row is judged on
    surveys = [o for o in outcomes if o.source == "survey"]
    kinds = [("primary outcome", primary)]
    if surveys and (primary.source != "survey" or t.responded is not None):
        kinds.append(("survey", surveys[0]))
    for kind, o in kinds:
        seen = _observed(t, o)
        if kind == "survey" and t.responded is not None:
            seen = t.responded
        n0 = int((t.arm_codes == 0).sum())
        k0 = int(((t.arm_codes == 0) & seen).sum())
        for code, arm in enumerate(t.arms[1:], 1):
            m = t.arm_codes == code
            n1, k1 = int(m.sum()), int((m & seen).sum())
            overall = 1 - (k1 + k0) / (n1 + n0)
            diff = abs((1 - k1 / n1) - (1 - k0 / n0))
            row: dict[str, Any] = {
                "kind": kind, "arm": arm, "n_arm": n1, "kept_arm": k1, "n_control": n0, "kept_control": k0,
                "rate_arm": k1 / n1, "rate_control": k0 / n0, "p_value": _two_props(k1, n1, k0, n0)}
            row.update(wwc_attrition(overall, diff, a.attrition_boundary))
            a.attrition.append(row)
    control = t.arm_codes == 0
    for o in surveys:
        seen = _observed(t, o)
        part = "agree" if o.type == "likert" else "y"
        y = np.where(seen, _values(t, o, part), np.nan)
        measure = SUBGROUP_MEASURE[o.type]
        for code, arm in enumerate(t.arms[1:], 1):
            treated = (t.arm_codes == code) & ~t.excluded
            ctrl = control & ~t.excluded
            r1, r0 = seen[treated].mean(), seen[ctrl].mean()
            if r1 == r0 or not seen[treated].any() or not seen[ctrl].any():
                continue
            lo, hi, clo, chi = lee_bounds_interval(y, seen, treated, ctrl, seed=seed + code)
            a.lee.append({"outcome": o.column, "label": o.label, "measure": measure, "arm": arm,
                          "response_arm": float(r1), "response_control": float(r0), "lower": lo, "upper": hi,
                          "ci_low": clo, "ci_high": chi})


def _subgroups(t: Trial, primary: OutcomeSpec, columns: Sequence[str], design: Design, a: Analysis,
               kind: str) -> None:
    seen = _observed(t, primary)
    measure = SUBGROUP_MEASURE[primary.type]
    y = _values(t, primary, "agree" if primary.type == "likert" else "y")
    control = (t.arm_codes == 0) & seen
    for column in columns:
        codes, levels = t.subgroups[column]
        for code, arm in enumerate(t.arms[1:], 1):
            rows, chi2, p = subgroup_differences(y, (t.arm_codes == code) & seen, control, codes, design)
            for level_code, c, n1, n0 in rows:
                a.subgroups.append({"subgroup": column, "level": levels[level_code], "arm": arm, "kind": kind,
                                    "measure": measure, "estimate": c.estimate, "ci_low": c.ci_low,
                                    "ci_high": c.ci_high, "n_arm": n1, "n_control": n0})
            a.interactions.append({"subgroup": column, "arm": arm, "kind": kind, "measure": measure,
                                   "chi2": chi2, "df": max(len(rows) - 1, 0), "p_value": p})


def _holm(t: Trial, outcomes: list[OutcomeSpec], a: Analysis) -> None:
    several = len(t.arms) > 2
    families = {"primary outcome across arms": [o for o in outcomes if o.primary] if several else [],
                "secondary outcomes and arms": [o for o in outcomes if not o.primary]}
    for family, members in families.items():
        keys = [(o.column, MAIN_MEASURE[o.type], arm) for o in members for arm in t.arms[1:]]
        if not keys:
            continue
        adjusted = holm([a.contrasts[k].p_value for k in keys])
        for (column, measure, arm), p_adj in zip(keys, adjusted):
            a.holm.append({"family": family, "name": estimate_name(column, measure, arm, several),
                           "outcome": column, "arm": arm, "p_value": a.contrasts[(column, measure, arm)].p_value,
                           "p_holm": p_adj})


def analyse(t: Trial, outcomes: list[OutcomeSpec], *, subgroups: Sequence[str] = (),
            exploratory_subgroups: Sequence[str] = (),
            seed: int = 20240401, attrition_boundary: str = "cautious") -> Analysis:
    """Run every part of the analysis on a checked trial; attrition is judged on the named WWC boundary."""
    primary = next(o for o in outcomes if o.primary)
    design = Design(t.clusters)
    a = Analysis(attrition_boundary=attrition_boundary)
    _flow(t, primary, a)
    _baseline(t, a)
    _itt(t, outcomes, design, a)
    _adjusted(t, outcomes, design, a)
    _complier(t, primary, design, a)
    _attrition(t, outcomes, primary, seed, a)
    _subgroups(t, primary, subgroups, design, a, "pre-specified")
    _subgroups(t, primary, exploratory_subgroups, design, a, "exploratory")
    _holm(t, outcomes, a)
    return a
