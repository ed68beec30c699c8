"""Charts for a trial: the effects on the primary outcome and the CONSORT flow diagram."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ... import text
from ...disclosure import Disclosure
from ...plots import COLOURS, PALETTE, Chart, chart, figure
from ...results import Estimate
from .analysis import MAIN_MEASURE, estimate_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_effects", "plot_consort"]

_ADJUSTED_OF = {"risk_difference": "adjusted_risk_difference", "rate_ratio": "adjusted_rate_ratio",
                "mean_difference": "adjusted_mean_difference", "agree_difference": "adjusted_agree_difference"}
_ROW_WORDS = {"itt": "intention to treat", "adjusted": "adjusted", "complier": "complier effect"}


def _find(estimates: Sequence[Estimate], arms: Sequence[str], outcome: str, measure: str, arm: str
          ) -> Estimate | None:
    name = estimate_name(outcome, measure, arm, len(arms) > 2)
    return next((e for e in estimates if e.name == name), None)


def plot_effects(primary: Mapping[str, Any], estimates: Sequence[Estimate], arms: Sequence[str],
                 arm_name: Callable[[str], str] = str) -> Chart:
    """Primary-outcome effects per arm (ITT, adjusted, complier) against the smallest effect worth detecting.

    ``primary`` is the primary outcome's spec (``column``, ``type``, ``label``,
    ``smallest_effect``); ``arms`` lists the control arm first.
    """
    o = primary
    control_arm, active_arms = arms[0], tuple(arms[1:])
    measure = MAIN_MEASURE[o["type"]]
    ratio = "ratio" in measure
    share = o["type"] in ("binary", "likert") and not ratio
    k = 100.0 if share else 1.0
    rows: list[tuple[str, Estimate, str]] = []
    for arm in active_arms:
        for kind, m in (("itt", measure), ("adjusted", _ADJUSTED_OF[measure]), ("complier", "complier_effect")):
            e = _find(estimates, arms, o["column"], m, arm)
            if e is not None and e.estimate is not None and math.isfinite(e.estimate):
                rows.append((f"{arm_name(arm)}: {_ROW_WORDS[kind]}", e, kind))
    fig, ax = figure(height=max(2.2, 0.45 * len(rows) + 1.2))
    colours = {"itt": PALETTE[0], "adjusted": PALETTE[2], "complier": PALETTE[1]}
    for i, (_label, e, kind) in enumerate(reversed(rows)):
        low = e.ci_low if e.ci_low is not None else math.nan
        high = e.ci_high if e.ci_high is not None else math.nan
        ax.plot([low * k, high * k], [i, i], color=colours[kind], linewidth=2)
        ax.plot([e.estimate * k], [i], "o", color=colours[kind])
    ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)])
    null = 1.0 if ratio else 0.0
    ax.axvline(null, color=COLOURS["intervention"], linewidth=1)
    s = o.get("smallest_effect")
    if s:
        marks = (1 - s, 1 / (1 - s)) if ratio else (-s * k, s * k)
        for x in marks:
            ax.axvline(x, color=COLOURS["limit"], linestyle="--", linewidth=1)
    unit = "percentage points" if share else ("ratio" if ratio else "outcome units")
    xlabel = f"{measure.replace('_', ' ').capitalize()}, {unit}"
    ax.set_xlabel(xlabel + ("  (dashed: smallest effect worth detecting)" if s else ""))
    fmt: Callable[[float], str] = (lambda v: f"{v * k:.1f}") if share else (
        lambda v: text.fmt_number(v, 3 if ratio else 2))
    parts = [f"{arm_name(arm)} {fmt(e.estimate)}{' percentage points' if share else ''} "
             f"({text.fmt_interval(e.ci_low, e.ci_high, fmt=fmt)})"
             for arm, e in ((arm, _find(estimates, arms, o["column"], measure, arm)) for arm in active_arms)
             if e is not None]
    alt = f"{o['label']}, {measure.replace('_', ' ')} against {arm_name(control_arm)}: " + "; ".join(parts)
    if s:
        size = text.fmt_pct(s, 0) + " change" if ratio else fmt(s) + (" percentage points" if share else "")
        alt += f"; smallest effect worth detecting {size}."
    else:
        alt += "."
    return chart(fig, alt=alt, caption=f"Effects on {o['label'].lower()} with {text.LEVEL_WORDS} intervals")


def _box(ax: Axes, x: float, y: float, words: str, width: float = 0.26) -> None:
    ax.text(x, y, words, ha="center", va="center", fontsize=8, wrap=True,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": COLOURS["observed"]})


def _arrow(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops={"arrowstyle": "->", "color": COLOURS["limit"], "linewidth": 0.8})


def plot_consort(flow: Sequence[Mapping[str, Any]], exclusions: Sequence[Mapping[str, Any]],
                 disclosure: Disclosure, arm_name: Callable[[str], str] = str) -> Chart:
    """The CONSORT flow diagram: randomised, then per arm allocated, excluded and analysed.

    Every count of people, in the boxes and in the alternative text, goes
    through ``disclosure``.
    """
    count = disclosure.count
    n_arms = len(flow)
    total = sum(r["allocated"] for r in flow)
    fig, ax = figure(width=max(8.0, 2.7 * n_arms), height=5.2)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    _box(ax, 0.5, 0.93, f"Randomised\nn = {count(total)}")
    xs = [(i + 0.5) / n_arms for i in range(n_arms)]
    reasons: dict[str, list[str]] = {}
    for e in exclusions:
        reasons.setdefault(e["arm"], []).append(f"{e['reason']}: {count(e['n'])}")
    for x, r in zip(xs, flow):
        _arrow(ax, 0.5, 0.88, x, 0.76)
        lines = [f"Allocated to {arm_name(r['arm'])}", f"n = {count(r['allocated'])}"]
        if r["received"] is not None:
            lines.append(f"received message: {count(r['received'])}")
        _box(ax, x, 0.69, "\n".join(lines))
        _arrow(ax, x, 0.62, x, 0.52)
        excl = [f"Excluded after allocation: {count(r['excluded'])}"] + reasons.get(r["arm"], [])
        _box(ax, x, 0.44, "\n".join(excl))
        _arrow(ax, x, 0.35, x, 0.24)
        done = [f"Followed up: {count(r['followed_up'])}",
                f"Analysed (primary): {count(r['analysed'])}"]
        if r["responded"] is not None:
            done.append(f"Answered survey: {count(r['responded'])}")
        _box(ax, x, 0.15, "\n".join(done))
    analysed = sum(r["analysed"] for r in flow)
    alt = (f"Participant flow: {count(total)} randomised to {n_arms} arms ("
           + ", ".join(f"{arm_name(r['arm'])} {count(r['allocated'])}" for r in flow)
           + f"); {count(total - analysed)} not analysed for the primary outcome, "
           f"{count(analysed)} analysed.")
    return chart(fig, alt=alt, caption="Participant flow (CONSORT)")
