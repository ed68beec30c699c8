"""The result of a power calculation: numbers, formulas in words, a chart.

Built by :func:`whatworks.designs.rct.power.sample_size` and
:func:`whatworks.designs.rct.power.minimum_detectable_effect`; see there. A
power calculation plans a trial; it is not an evaluation, so its result has
no estimates and no strength of evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ... import plots, text
from ...display import Notes, Prose, Table
from ...results import Check, CheckList, clean
from . import power_formulas as pf

__all__ = ["PowerResult", "Setting"]

#: Fewer clusters per arm than this and the design-effect shortcut understates the need.
_FEW_CLUSTERS = 15
#: Fewer expected events (or non-events) per arm than this and the normal approximation is poor.
_FEW_EVENTS = 5


def _pp(value: float) -> str:
    """A difference in proportions in percentage points."""
    return f"{text.fmt_number(abs(value) * 100, 1)} percentage points"


def _change_words(outcome: str, effect: pf.Effect) -> str:
    if outcome == "binary":
        word = "fall" if effect.b < effect.a else "rise"
        return (f"a {word} from {text.fmt_pct(effect.a)} to {text.fmt_pct(effect.b)} "
                f"({_pp(effect.b - effect.a)})")
    word = "fall" if effect.a < 0 else "rise"
    return (f"a {word} in the mean of {text.fmt_number(abs(effect.a))} "
            f"({text.fmt_number(abs(effect.a) / effect.b, 3)} standard deviations)")


def _difference(outcome: str, effect: pf.Effect) -> float:
    return effect.b - effect.a if outcome == "binary" else effect.a


def _arm_names(arms: int) -> list[str]:
    return ["control"] + ([f"active arm {i}" for i in range(1, arms)] if arms > 2 else ["active arm"])


@dataclass(frozen=True)
class Setting:
    """The inputs of a power calculation after checking."""

    outcome: str
    arms: int
    alpha: float
    power: float
    sides: int
    deff: float
    attrition: float
    cluster_size: float | None
    icc: float | None
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def comparisons(self) -> int:
        return self.arms - 1

    @property
    def alpha_per_test(self) -> float:
        return self.alpha / self.comparisons

    @property
    def inflation(self) -> float:
        """Randomised people per analysable person: design effect / (1 - attrition)."""
        return self.deff / (1 - self.attrition)


def _formulas(st: Setting, solve: str) -> list[str]:
    out = []
    if st.outcome == "binary":
        out.append(
            "Binary outcome, normal approximation: power = Φ((|p1 − p0| − z × √(p̄(1 − p̄)(1/n0 + 1/n1))) "
            "/ √(p0(1 − p0)/n0 + p1(1 − p1)/n1)), where p0 and p1 are the control and active-arm "
            "proportions, n0 and n1 the people analysed in each, p̄ = (n0·p0 + n1·p1)/(n0 + n1) the pooled "
            "proportion and z the upper α/2 point of the standard normal (α for a one-sided test): the "
            "variance under no effect is pooled, under the effect it is not. With equal arms this is R's "
            "power.prop.test exactly."
        )
    else:
        out.append(
            "Continuous outcome, noncentral t: power = P(T > t(1 − α/2; n0 + n1 − 2)) where T has a "
            "noncentral t distribution with n0 + n1 − 2 degrees of freedom and noncentrality "
            "δ / (σ√(1/n0 + 1/n1)), δ the difference in means and σ the standard deviation (α for a "
            "one-sided test). With equal arms this is R's two-sample power.t.test exactly."
        )
    if solve == "n":
        out.append("The people analysed per arm were found by root finding (Brent's method) on that power "
                   "function, with each active arm holding its allocation ratio times the control arm.")
    else:
        out.append("The detectable effect was found by root finding (Brent's method) on that power function "
                   "at the people analysed per arm.")
    if st.comparisons > 1:
        out.append(f"Several active arms against one control: Bonferroni, each of the {st.comparisons} "
                   f"comparisons tested at α = {text.fmt_number(st.alpha, 3)} / {st.comparisons} = "
                   f"{text.fmt_number(st.alpha_per_test, 4)}.")
    if st.deff != 1.0:
        out.append(f"Cluster randomisation: design effect 1 + (m − 1) × ICC = 1 + "
                   f"({text.fmt_number(st.cluster_size)} − 1) × {text.fmt_number(st.icc)} = "
                   f"{text.fmt_number(st.deff, 3)}; the people analysed are divided by it. Each arm is a whole "
                   "number of clusters, and critical values (and, for a continuous outcome, the noncentral t) "
                   "use t with the two arms' clusters less 2 degrees of freedom in place of z or n0 + n1 − 2; "
                   "the sample size is the fewest whole clusters that reach the target power.")
    if st.attrition > 0:
        out.append(f"Attrition: people are divided by (1 − {text.fmt_number(st.attrition)}) so that enough "
                   "remain with an outcome.")
    if solve == "n":
        out.append("Each arm's number is rounded up to a whole person at the end.")
    return out


@dataclass(frozen=True, kw_only=True)
class PowerResult:
    """Sample size or minimum detectable effect for a trial.

    Attributes
    ----------
    solve
        ``n`` (sample size for an effect) or ``mde`` (effect for a sample).
    n_per_arm
        People to randomise per arm, rounded up: an int when every arm is the
        same size, else a tuple per arm (control first).
    n_by_arm
        People to randomise per arm, always a tuple (control first).
    n_total
        People to randomise in all.
    n_analysed
        People analysable per arm before rounding, attrition and the design
        effect (the power formula's n).
    mde
        The effect's size on the outcome's scale (a difference in proportions
        or in means, as a positive number): for ``solve='n'`` the effect the
        sample is sized for; for ``solve='mde'`` the smallest detectable
        (the largest across active arms when they differ).
    mde_by_arm
        The signed difference for each active arm.
    achieved_power
        The power of each comparison at the rounded sample.
    formulas
        Each formula used, in words.
    checks, summary_text, notes
        Warnings about the calculation, its summary and its method notes.
    """

    outcome: str
    solve: str
    arms: int
    alpha: float
    alpha_per_test: float
    power: float
    two_sided: bool
    ratios: tuple[float, ...]
    design_effect: float = 1.0
    cluster_size: float | None = None
    icc: float | None = None
    attrition: float = 0.0
    n_per_arm: int | tuple[int, ...]
    n_by_arm: tuple[int, ...]
    n_total: int
    n_analysed: tuple[float, ...]
    clusters_per_arm: tuple[int, ...] | None = None
    mde: float
    mde_by_arm: tuple[float, ...]
    p_control: float | None = None
    p_treatment: tuple[float, ...] | None = None
    sd: float | None = None
    achieved_power: tuple[float, ...]
    formulas: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    summary_text: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    _effects: tuple[pf.Effect, ...] = field(default=(), repr=False)

    # -- building ------------------------------------------------------------
    @classmethod
    def build(cls, st: Setting, *, solve: str, ratios: Sequence[float], effects: Sequence[pf.Effect],
              exact: Sequence[float], randomised: Sequence[int], achieved: Sequence[float],
              binding: int = 0, clusters: tuple[int, ...] | None = None) -> PowerResult:
        """Assemble the result from the solved numbers (internal).

        ``binding`` is the active arm (0 = the first) whose comparison set the
        sample size; its effect is the ``mde`` of a sample-size result.
        """
        diffs = [_difference(st.outcome, e) for e in effects]
        mde = abs(diffs[binding]) if solve == "n" else max(abs(d) for d in diffs)
        equal = len(set(randomised)) == 1
        if clusters is None and st.cluster_size:
            clusters = tuple(int(np.ceil(n / st.cluster_size - 1e-9)) for n in randomised)
        binary = st.outcome == "binary"
        checks = _checks(st, effects, randomised, clusters, achieved, solve)
        summary = _summary(st, solve, effects, randomised, equal, clusters)
        notes = (
            f"Significance level {text.fmt_number(st.alpha, 3)}, "
            f"{'two' if st.sides == 2 else 'one'}-sided; target power {text.fmt_pct(st.power, 0)}.",
            "Binary outcomes use z (normal) critical values; continuous outcomes use the t distribution "
            "with n0 + n1 − 2 degrees of freedom (no continuity correction).",
            "With clusters, arms are counted in whole clusters and critical values come from t with the "
            "two arms' clusters less 2 degrees of freedom (Hayes and Moulton, Cluster Randomised Trials, 2nd "
            "edition, 2017), so few clusters cost power.",
        )
        return cls(
            outcome=st.outcome, solve=solve, arms=st.arms, alpha=st.alpha, alpha_per_test=st.alpha_per_test,
            power=st.power, two_sided=st.sides == 2, ratios=tuple(ratios), design_effect=st.deff,
            cluster_size=st.cluster_size, icc=st.icc, attrition=st.attrition,
            n_per_arm=randomised[0] if equal else tuple(randomised), n_by_arm=tuple(randomised),
            n_total=int(sum(randomised)), n_analysed=tuple(float(n) for n in exact), clusters_per_arm=clusters,
            mde=float(mde), mde_by_arm=tuple(float(d) for d in diffs),
            p_control=effects[0].a if binary else None,
            p_treatment=tuple(e.b for e in effects) if binary else None,
            sd=None if binary else effects[0].b,
            achieved_power=tuple(float(a) for a in achieved), formulas=tuple(_formulas(st, solve)),
            inputs=dict(st.inputs), summary_text=(summary,), checks=tuple(checks), notes=notes,
            _effects=tuple(effects),
        )

    # -- showing -------------------------------------------------------------
    @property
    def summary(self) -> Prose:
        """The calculation in one sentence."""
        return Prose(self.summary_text, css="ww-summary")

    @property
    def check_list(self) -> CheckList:
        return CheckList(self.checks)

    def check(self, name: str) -> Check:
        """The check called ``name``."""
        return CheckList(self.checks).named(name)

    def _n_words(self) -> str:
        if isinstance(self.n_per_arm, int):
            return f"{text.fmt_number(self.n_per_arm)} per arm"
        return "; ".join(f"{name} {text.fmt_number(n)}" for name, n in zip(_arm_names(self.arms), self.n_by_arm))

    def table(self) -> Table:
        """The design as a two-column table for people."""
        rows: list[tuple[str, str]] = [("Outcome", "proportion (binary)" if self.outcome == "binary"
                                        else "mean (continuous)")]
        names = _arm_names(self.arms)[1:]
        if self.outcome == "binary":
            rows.append(("Control proportion", text.fmt_pct(self.p_control)))
            for name, p in zip(names, self.p_treatment or ()):
                rows.append((f"Proportion, {name}", text.fmt_pct(p)))
        else:
            rows.append(("Standard deviation", text.fmt_number(self.sd)))
        label = "Effect sized for" if self.solve == "n" else "Smallest detectable effect"
        for name, d in zip(names, self.mde_by_arm):
            if self.outcome == "binary":
                shown = f"{'+' if d > 0 else '−'}{_pp(d)}"
            elif self.sd is None:  # a continuous result always has an SD; without one, no SD units
                shown = text.fmt_number(d)
            else:
                shown = f"{text.fmt_number(d)} ({text.fmt_number(abs(d) / self.sd, 3)} SD)"
            rows.append((f"{label}, {name}", shown))
        sided = "two-sided" if self.two_sided else "one-sided"
        level = f"{text.fmt_number(self.alpha, 3)} {sided}"
        if self.arms > 2:
            level += f" ({text.fmt_number(self.alpha_per_test, 4)} per comparison, Bonferroni)"
        rows.append(("Significance level", level))
        rows.append(("Target power", text.fmt_pct(self.power, 0)))
        rows.append(("Achieved power", ", ".join(text.fmt_pct(a) for a in self.achieved_power)))
        rows.append(("Allocation ratio", ":".join(text.fmt_number(r) for r in self.ratios)))
        if self.design_effect != 1.0:
            rows.append(("Design effect", f"{text.fmt_number(self.design_effect, 3)} (clusters of "
                         f"{text.fmt_number(self.cluster_size)}, ICC {text.fmt_number(self.icc)})"))
        if self.attrition:
            rows.append(("Expected attrition", text.fmt_pct(self.attrition)))
        rows.append(("People to randomise", self._n_words()))
        rows.append(("People in all", text.fmt_number(self.n_total)))
        if self.clusters_per_arm:
            rows.append(("Clusters per arm", ", ".join(text.fmt_number(c) for c in self.clusters_per_arm)))
        caption = "Sample size" if self.solve == "n" else "Minimum detectable effect"
        return Table(("Quantity", "Value"), tuple(rows), caption=caption, numeric=(False, True))

    @property
    def formula_notes(self) -> Notes:
        return Notes(self.formulas, title="Formulas")

    def __str__(self) -> str:
        parts = [str(self.summary), str(self.table()), str(self.formula_notes)]
        if self.checks:
            parts.append(str(CheckList(self.checks)))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        return "".join(p._repr_html_() for p in (self.summary, self.table(), self.formula_notes,
                                                 self.check_list))

    def plot(self) -> plots.Chart:
        """Power against people per arm for the first active arm, with this design marked."""
        model = pf.OUTCOMES[self.outcome]
        effect = self._effects[0]
        ratio = self.ratios[1]
        inflation = self.design_effect / (1 - self.attrition)
        n0 = self.n_by_arm[0]
        grid = np.unique(np.linspace(max(3, n0 * 0.1), n0 * 2.5, 120).round())
        curve = [model.power(n / inflation, n * ratio / inflation, effect, self.alpha_per_test,
                             2 if self.two_sided else 1) for n in grid]
        fig, ax = plots.figure(width=7.0, height=3.2)
        ax.plot(grid, curve, color=plots.COLOURS["fitted"])
        ax.axhline(self.power, color=plots.COLOURS["limit"], linestyle="--", linewidth=0.8)
        ax.axvline(n0, color=plots.COLOURS["intervention"], linewidth=0.8)
        ax.set_xlabel("People randomised to the control arm")
        ax.set_ylabel("Power")
        ax.set_ylim(0, 1)
        alt = (f"Power rises with the number of people: {text.fmt_number(n0)} in the control arm give "
               f"{text.fmt_pct(self.achieved_power[0])} power to detect {_change_words(self.outcome, effect)}.")
        return plots.chart(fig, alt=alt, caption="Power by sample size")

    def to_dict(self) -> dict[str, Any]:
        """Every number, the formulas and the checks, JSON-safe."""
        out: dict[str, Any] = clean({
            "design": "power",
            "solve": self.solve,
            "outcome": self.outcome,
            "n_per_arm": list(self.n_per_arm) if isinstance(self.n_per_arm, tuple) else self.n_per_arm,
            "n_by_arm": list(self.n_by_arm),
            "n_total": self.n_total,
            "n_analysed_unrounded": list(self.n_analysed),
            "clusters_per_arm": None if self.clusters_per_arm is None else list(self.clusters_per_arm),
            "mde": self.mde,
            "mde_by_arm": list(self.mde_by_arm),
            "mde_standardised": None if self.sd is None else self.mde / self.sd,
            "p_control": self.p_control,
            "p_treatment": None if self.p_treatment is None else list(self.p_treatment),
            "sd": self.sd,
            "alpha": self.alpha,
            "alpha_per_comparison": self.alpha_per_test,
            "two_sided": self.two_sided,
            "power": self.power,
            "achieved_power": list(self.achieved_power),
            "arms": self.arms,
            "ratios": list(self.ratios),
            "design_effect": self.design_effect,
            "cluster_size": self.cluster_size,
            "icc": self.icc,
            "attrition": self.attrition,
            "formulas": list(self.formulas),
            "summary": list(self.summary_text),
            "inputs": self.inputs,
            "checks": [c.to_dict() for c in self.checks],
        })
        return out


def _summary(st: Setting, solve: str, effects: Sequence[pf.Effect], randomised: Sequence[int], equal: bool,
             clusters: Sequence[int] | None = None) -> str:
    sided = "two-sided" if st.sides == 2 else "one-sided"
    test = f"{text.fmt_pct(st.power, 0)} power at a {sided} {text.fmt_number(st.alpha * 100)}% significance level"
    if st.comparisons > 1:
        test += f" (Bonferroni-corrected across {st.comparisons} comparisons with the control)"
    names = ["the control arm"] + _arm_names(st.arms)[1:]
    n = f"{text.fmt_number(randomised[0])} people per arm" if equal else \
        "; ".join(f"{text.fmt_number(v)} in {a}" for a, v in zip(names, randomised))
    if clusters is not None and st.cluster_size:
        size = text.fmt_number(st.cluster_size)
        n = (f"{text.plural(clusters[0], 'cluster')} of {size} per arm ({text.fmt_number(randomised[0])} people)"
             if len(set(clusters)) == 1 else
             "; ".join(f"{text.plural(k, 'cluster')} of {size} in {a}" for a, k in zip(names, clusters)))
    change = " and ".join(dict.fromkeys(_change_words(st.outcome, e) for e in effects))
    if solve == "n":
        return (f"To detect {change} with {test}, the trial needs to randomise {n}, "
                f"{text.fmt_number(sum(randomised))} in all.")
    return (f"With {n} randomised, the trial has {test} to detect {change}, or a larger change; "
            "smaller effects may be missed.")


def _checks(st: Setting, effects: Sequence[pf.Effect], randomised: Sequence[int], clusters: tuple[int, ...] | None,
            achieved: Sequence[float], solve: str) -> list[Check]:
    out: list[Check] = []
    if solve == "n":
        low = min(achieved)
        out.append(Check("achieved_power", "pass" if low >= st.power - 1e-9 else "warn",
                         f"After rounding up, every comparison has at least {text.fmt_pct(low)} power."))
    if st.outcome == "binary":
        analysed = [n / st.inflation for n in randomised]
        props = [(analysed[0], effects[0].a)] + [(n, e.b) for n, e in zip(analysed[1:], effects)]
        few = min(min(n * p, n * (1 - p)) for n, p in props)
        if few < _FEW_EVENTS:
            out.append(Check("normal_approximation", "warn",
                             f"Fewer than {_FEW_EVENTS} events (or non-events) are expected in an arm "
                             f"({text.fmt_number(few, 1)}): the normal approximation is poor here; "
                             "check with an exact calculation."))
    if clusters is not None and min(clusters) < _FEW_CLUSTERS:
        out.append(Check("few_clusters", "warn",
                         f"Only {min(clusters)} clusters in an arm: with fewer than about {_FEW_CLUSTERS} "
                         "clusters per arm the design effect understates the sample needed; add clusters."))
    return out
