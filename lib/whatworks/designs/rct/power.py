"""Trial design: how many people a trial needs, or what it can detect.

Two entry points, both keyword-only and both returning a
:class:`PowerResult` that prints as a readable table (``str(result)``) and
serialises with ``result.to_dict()``:

- :func:`sample_size`: people per arm for a given effect;
- :func:`minimum_detectable_effect`: the smallest effect a given sample
  detects.

Binary outcomes use the normal approximation with the null variance pooled
and the alternative variance unpooled (R's ``power.prop.test``); continuous
outcomes use the noncentral t (R's two-sample ``power.t.test``). Both are
generalised to unequal arms; several active arms against one control use a
Bonferroni-corrected significance level; cluster randomisation multiplies by
the design effect ``1 + (m - 1) x ICC``, counts arms in whole clusters and
takes critical values from t with the clusters less 2 degrees of freedom
(:func:`cluster_df`); expected attrition divides by ``1 - attrition``.
Per-arm numbers are rounded up at the very end.

Examples
--------
>>> r = sample_size(outcome="binary", p_control=0.50, p_treatment=0.75, power=0.90)
>>> r.n_per_arm, r.n_total
(77, 154)
>>> r = sample_size(outcome="continuous", effect=1, sd=1, power=0.90)
>>> r.n_per_arm
23
>>> m = minimum_detectable_effect(outcome="binary", n_per_arm=5000, p_control=0.20)
>>> round(m.mde, 4)
0.0219
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal, overload

from ... import text
from ...errors import SpecError
from . import power_formulas as pf
from .power_result import PowerResult, Setting

__all__ = ["PowerResult", "sample_size", "minimum_detectable_effect", "achieved_power", "design_effect",
           "cluster_df"]

Outcome = Literal["binary", "continuous"]
Direction = Literal["increase", "decrease"]


def design_effect(cluster_size: float | None, icc: float | None) -> float:
    """The variance inflation of cluster randomisation, ``1 + (m - 1) x ICC``.

    >>> design_effect(20, 0.05)
    1.95
    >>> design_effect(None, None)
    1.0
    """
    if cluster_size is None and icc is None:
        return 1.0
    if cluster_size is None or icc is None:
        missing = "icc" if icc is None else "cluster_size"
        raise SpecError(
            "cluster randomisation needs both the average cluster size and the intra-cluster correlation",
            key=missing,
            hint="Give cluster_size (people per cluster) and icc (for example 0.02), or neither.",
        )
    if cluster_size < 1:
        raise SpecError(f"cluster_size must be at least 1, not {cluster_size}", key="cluster_size")
    if not 0 <= icc < 1:
        raise SpecError(f"icc must be between 0 and 1, not {icc}", key="icc",
                        hint="Intra-cluster correlations are usually small, such as 0.01 to 0.1.")
    return round(1 + (cluster_size - 1) * icc, 12)


# -- checking the inputs ------------------------------------------------------


def _share(value: float, key: str, *, low_open: bool = True, what: str = "a share") -> float:
    ok = (0 < value < 1) if low_open else (0 <= value < 1)
    if not ok:
        raise SpecError(f"{key} must be {what} between 0 and 1, not {value}", key=key,
                        hint="Write shares as decimals: 20% is 0.2.")
    return float(value)


def _setting(outcome: str, arms: int, alpha: float, power: float, two_sided: bool, cluster_size: float | None,
             icc: float | None, attrition: float, inputs: dict[str, Any]) -> Setting:
    if outcome not in pf.OUTCOMES:
        raise SpecError(f"unknown outcome type '{outcome}'", key="outcome",
                        hint=f"Use one of: {', '.join(pf.OUTCOMES)}.")
    if int(arms) != arms or arms < 2:
        raise SpecError(f"a trial needs at least 2 arms (a control and one active arm), not {arms}",
                        key="arms")
    _share(alpha, "alpha", what="a significance level")
    _share(power, "power", what="a probability")
    _share(attrition, "attrition", low_open=False)
    deff = design_effect(cluster_size, icc)
    return Setting(outcome=outcome, arms=int(arms), alpha=float(alpha), power=float(power),
                    sides=2 if two_sided else 1, deff=deff, attrition=float(attrition),
                    cluster_size=cluster_size, icc=icc, inputs=inputs)


@overload
def _per_active(value: None, k: int, key: str) -> list[None]: ...
@overload
def _per_active(value: float | Sequence[float], k: int, key: str) -> list[float]: ...


def _per_active(value: float | Sequence[float] | None, k: int, key: str) -> list[Any]:  # typed by the overloads
    """A scalar repeated for each active arm, or a sequence of exactly ``k`` values."""
    if value is None:
        return [None] * k
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        return [value] * k
    if len(value) != k:
        raise SpecError(f"{key} has {len(value)} values but the trial has {k} active arms", key=key,
                        hint="Give one value for all active arms, or one per active arm in order.")
    return list(value)


def _ratios(ratio: float | Sequence[float], arms: int) -> list[float]:
    """Allocation ratios per arm, control first, scaled so the control is 1."""
    if isinstance(ratio, (int, float)):
        values = [1.0] + [float(ratio)] * (arms - 1)
    else:
        values = [float(r) for r in ratio]
        if len(values) != arms:
            raise SpecError(f"ratio has {len(values)} values but the trial has {arms} arms", key="ratio",
                            hint="Give one ratio per arm, control first, e.g. [2, 1, 1].")
    if any(not math.isfinite(r) or r <= 0 for r in values):
        raise SpecError(f"allocation ratios must be positive numbers, not {values}", key="ratio")
    return [r / values[0] for r in values]


def _effects(outcome: str, p_control: float | None, p_treatment: float | Sequence[float] | None,
             effect: float | Sequence[float] | None, sd: float | None, k: int) -> list[pf.Effect]:
    if outcome == "binary":
        if p_control is None:
            raise SpecError("a binary outcome needs the expected proportion in the control arm",
                            key="p_control", hint="For example p_control: 0.2 for 20%.")
        p0 = _share(p_control, "p_control")
        if p_treatment is not None and effect is not None:
            raise SpecError("give p_treatment or effect, not both", key="effect")
        if p_treatment is not None:
            p1s = [_share(p, "p_treatment") for p in _per_active(p_treatment, k, "p_treatment")]
        elif effect is not None:
            p1s = [p0 + float(e) for e in _per_active(effect, k, "effect")]
            for p1 in p1s:
                _share(p1, "effect", what="a change that keeps the active arm's proportion")
        else:
            raise SpecError("give the expected proportion in the active arm, or the difference",
                            key="p_treatment", hint="For example p_treatment: 0.17, or effect: -0.03.")
        if any(p1 == p0 for p1 in p1s):
            raise SpecError("the active arm's proportion equals the control's: there is no effect to detect",
                            key="p_treatment")
        return [pf.Effect(p0, p1) for p1 in p1s]
    if effect is None:
        raise SpecError("a continuous outcome needs the difference in means to detect", key="effect",
                        hint="For example effect: 50 (pounds) with sd: 400.")
    sd_value = 1.0 if sd is None else float(sd)
    if sd_value <= 0:
        raise SpecError(f"sd must be positive, not {sd}", key="sd")
    deltas = [float(e) for e in _per_active(effect, k, "effect")]
    if any(d == 0 for d in deltas):
        raise SpecError("an effect of zero cannot be detected", key="effect")
    return [pf.Effect(d, sd_value) for d in deltas]


# -- the entry points ---------------------------------------------------------


def sample_size(
    *,
    outcome: Outcome = "binary",
    p_control: float | None = None,
    p_treatment: float | Sequence[float] | None = None,
    effect: float | Sequence[float] | None = None,
    sd: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    arms: int = 2,
    ratio: float | Sequence[float] = 1.0,
    cluster_size: float | None = None,
    icc: float | None = None,
    attrition: float = 0.0,
    two_sided: bool = True,
) -> PowerResult:
    """People per arm needed to detect an effect.

    Parameters
    ----------
    outcome
        ``binary`` (a proportion) or ``continuous`` (a mean).
    p_control, p_treatment
        Binary outcomes: expected proportions in the control and active arms
        (``p_treatment`` may be one value per active arm).
    effect
        Binary: the difference ``p_treatment - p_control`` (instead of
        ``p_treatment``). Continuous: the difference in means.
    sd
        Continuous: the outcome's standard deviation (default 1, so that
        ``effect`` is in standard deviations).
    alpha, power, two_sided
        Significance level (before any Bonferroni split), target power, and
        whether the test is two-sided.
    arms
        Number of arms including the control; with more than two, each active
        arm is compared with the control at ``alpha / (arms - 1)``.
    ratio
        People in each active arm per person in the control arm, or a
        sequence of ratios per arm, control first (``[2, 1, 1]``).
    cluster_size, icc
        Cluster randomisation: average people per cluster and the
        intra-cluster correlation.
    attrition
        Expected share of randomised people without an outcome.

    Returns
    -------
    PowerResult
        ``n_per_arm`` (an int when arms are equal, else a list, control
        first), ``n_total``, ``mde`` and the formulas in words.

    Examples
    --------
    >>> sample_size(p_control=0.2, p_treatment=0.15).n_per_arm
    906
    >>> sample_size(p_control=0.2, p_treatment=0.15, arms=3).n_total
    3291
    """
    inputs = dict(outcome=outcome, p_control=p_control, p_treatment=p_treatment, effect=effect, sd=sd,
                  alpha=alpha, power=power, arms=arms, ratio=ratio, cluster_size=cluster_size, icc=icc,
                  attrition=attrition, two_sided=two_sided)
    st = _setting(outcome, arms, alpha, power, two_sided, cluster_size, icc, attrition, inputs)
    ratios = _ratios(ratio, st.arms)
    effects = _effects(outcome, p_control, p_treatment, effect, sd, st.comparisons)
    model = pf.OUTCOMES[outcome]
    if st.cluster_size:
        return _whole_clusters(st, model, ratios, effects)
    needed: list[float] = []
    for r, eff in zip(ratios[1:], effects):
        try:
            needed.append(model.n_for_power(r, eff, st.alpha_per_test, st.sides, st.power))
        except pf.NoSolution:
            raise SpecError("the effect is too small to detect with any practical sample (over a billion "
                            "people per arm)", key="effect",
                            hint="Check the effect and the proportions, or accept a larger effect.") from None
    n_control = max(needed)
    exact = [n_control * r for r in ratios]
    randomised = [math.ceil(n * st.inflation - 1e-9) for n in exact]
    analysed = [n / st.inflation for n in randomised]
    achieved = [model.power(analysed[0], analysed[i], eff, st.alpha_per_test, st.sides)
                for i, eff in enumerate(effects, start=1)]
    return PowerResult.build(st, solve="n", ratios=ratios, effects=effects, exact=exact,
                             randomised=randomised, achieved=achieved, binding=needed.index(n_control))


def cluster_df(clusters_control: float, clusters_active: float) -> float:
    """Degrees of freedom of one cluster-randomised comparison: the two arms' clusters less 2.

    >>> cluster_df(6, 6)
    10
    """
    return clusters_control + clusters_active - 2


def _cluster_power(st: Setting, model: pf.Model, clusters: Sequence[int], effects: Sequence[pf.Effect]
                   ) -> tuple[list[int], list[float], list[float]]:
    """People randomised and analysable per arm, and each comparison's power, for whole clusters."""
    m = float(st.cluster_size or 1)
    randomised = [math.ceil(k * m - 1e-9) for k in clusters]
    analysed = [n / st.inflation for n in randomised]
    achieved = [model.power(analysed[0], analysed[i], eff, st.alpha_per_test, st.sides,
                            cluster_df(clusters[0], clusters[i]))
                for i, eff in enumerate(effects, start=1)]
    return randomised, analysed, achieved


def _whole_clusters(st: Setting, model: pf.Model, ratios: Sequence[float], effects: Sequence[pf.Effect]
                    ) -> PowerResult:
    """Sample size in whole clusters: the fewest control clusters (active arms: that times their ratio,
    rounded up) at which every comparison reaches the target power, with t on the clusters less 2."""
    def clusters_for(k0: int) -> list[int]:
        return [k0] + [math.ceil(k0 * r - 1e-9) for r in ratios[1:]]

    def enough(k0: int) -> bool:
        return min(_cluster_power(st, model, clusters_for(k0), effects)[2]) >= st.power

    low, high = 1, 2
    while not enough(high):
        low, high = high, high * 2
        if high > pf.N_MAX:
            raise SpecError("the effect is too small to detect with any practical number of clusters",
                            key="effect", hint="Check the effect, the ICC and the cluster size.")
    while high - low > 1:  # power rises with clusters: the fewest that are enough
        mid = (low + high) // 2
        low, high = (low, mid) if enough(mid) else (mid, high)
    clusters = clusters_for(high)
    randomised, analysed, achieved = _cluster_power(st, model, clusters, effects)
    return PowerResult.build(st, solve="n", ratios=ratios, effects=effects, exact=analysed,
                             randomised=randomised, achieved=achieved, clusters=tuple(clusters))


def minimum_detectable_effect(
    *,
    outcome: Outcome = "binary",
    n_per_arm: int | Sequence[int],
    p_control: float | None = None,
    sd: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    arms: int | None = None,
    cluster_size: float | None = None,
    icc: float | None = None,
    attrition: float = 0.0,
    two_sided: bool = True,
    direction: Direction = "decrease",
) -> PowerResult:
    """The smallest effect a trial of a given size detects with the target power.

    Parameters
    ----------
    n_per_arm
        People randomised per arm: one number for equal arms, or one per arm
        (control first). Attrition and the design effect are taken off first.
    p_control
        Binary outcomes: the expected proportion in the control arm.
    sd
        Continuous outcomes: the standard deviation (default 1, giving the
        effect in standard deviations).
    arms
        Number of arms including the control (default 2, or the length of
        ``n_per_arm``).
    direction
        ``decrease`` (default: the active arm lowers the outcome, e.g. repeat
        victimisation) or ``increase``. For binary outcomes the detectable
        change differs by direction.

    Other parameters are as in :func:`sample_size`.

    Examples
    --------
    >>> m = minimum_detectable_effect(outcome="continuous", n_per_arm=20, sd=1, power=0.8689528,
    ...                               direction="increase")
    >>> round(m.mde, 3)
    1.0
    """
    if isinstance(n_per_arm, (int, float)):
        k = 2 if arms is None else arms
        sizes = [n_per_arm] * int(k)
    else:
        sizes = list(n_per_arm)
        if arms is not None and arms != len(sizes):
            raise SpecError(f"n_per_arm has {len(sizes)} values but arms is {arms}", key="n_per_arm")
        k = len(sizes)
    inputs = dict(outcome=outcome, n_per_arm=n_per_arm, p_control=p_control, sd=sd, alpha=alpha, power=power,
                  arms=k, cluster_size=cluster_size, icc=icc, attrition=attrition, two_sided=two_sided,
                  direction=direction)
    st = _setting(outcome, k, alpha, power, two_sided, cluster_size, icc, attrition, inputs)
    if direction not in ("increase", "decrease"):
        raise SpecError(f"direction must be 'increase' or 'decrease', not '{direction}'", key="direction")
    if any(int(n) != n or n < 2 for n in sizes):
        raise SpecError(f"people per arm must be whole numbers of at least 2, not {sizes}", key="n_per_arm")
    randomised = [int(n) for n in sizes]
    analysed = [n / st.inflation for n in randomised]
    if outcome == "binary":
        if p_control is None:
            raise SpecError("a binary outcome needs the expected proportion in the control arm",
                            key="p_control", hint="For example p_control: 0.2 for 20%.")
        base = _share(p_control, "p_control")
    else:
        base = 1.0 if sd is None else float(sd)
        if base <= 0:
            raise SpecError(f"sd must be positive, not {sd}", key="sd")
    model = pf.OUTCOMES[outcome]
    clusters = None if not st.cluster_size else [n / st.cluster_size for n in randomised]
    effects: list[pf.Effect] = []
    for i, n1 in enumerate(analysed[1:], start=1):
        df = None if clusters is None else cluster_df(clusters[0], clusters[i])
        try:
            found = model.effect_for_power(analysed[0], n1, base, st.alpha_per_test, st.sides, st.power,
                                           direction, df)
        except pf.NoSolution:
            raise SpecError(f"with {text.fmt_number(min(analysed))} analysable people in an arm no "
                            f"{direction} in the outcome reaches {text.fmt_pct(power, 0)} power",
                            key="n_per_arm", hint="Increase the sample or lower the target power.") from None
        effects.append(pf.Effect(base, found) if outcome == "binary" else pf.Effect(found, base))
    ratios = [n / randomised[0] for n in randomised]
    achieved = [st.power] * len(effects)
    return PowerResult.build(st, solve="mde", ratios=ratios, effects=effects, exact=analysed,
                             randomised=randomised, achieved=achieved)


def achieved_power(
    *,
    outcome: Outcome = "binary",
    n_per_arm: int | Sequence[int],
    p_control: float | None = None,
    p_treatment: float | None = None,
    effect: float | None = None,
    sd: float | None = None,
    alpha: float = 0.05,
    arms: int | None = None,
    cluster_size: float | None = None,
    icc: float | None = None,
    attrition: float = 0.0,
    two_sided: bool = True,
) -> float:
    """The power of each active-arm comparison for a trial of a given size (the lowest if several).

    >>> round(achieved_power(n_per_arm=50, p_control=0.5, p_treatment=0.75), 7)
    0.7401659
    >>> round(achieved_power(outcome="continuous", n_per_arm=20, effect=1, sd=1), 7)
    0.8689528
    """
    sizes = [n_per_arm] * (2 if arms is None else int(arms)) if isinstance(n_per_arm, (int, float)) \
        else list(n_per_arm)
    st = _setting(outcome, len(sizes), alpha, 0.5, two_sided, cluster_size, icc, attrition, {})
    effects = _effects(outcome, p_control, p_treatment, effect, sd, st.comparisons)
    analysed = [n / st.inflation for n in sizes]
    model = pf.OUTCOMES[outcome]
    clusters = None if not st.cluster_size else [n / st.cluster_size for n in sizes]
    return min(model.power(analysed[0], n1, eff, st.alpha_per_test, st.sides,
                           None if clusters is None else cluster_df(clusters[0], clusters[i]))
               for i, (n1, eff) in enumerate(zip(analysed[1:], effects), start=1))
