"""Baseline balance at allocation: standardised mean differences by arm.

For each baseline column, each active arm is compared with the first
(control) arm:

- numeric columns: ``(mean_arm - mean_control) / sqrt((var_arm + var_control) / 2)``,
  the difference in means over the pooled standard deviation (sample
  variances, n - 1 denominator; missing values left out, with a separate
  row for the share missing when any are);
- each level of a categorical column (missing counted as its own level):
  ``(p_arm - p_control) / sqrt((p_arm (1 - p_arm) + p_control (1 - p_control)) / 2)``.

An absolute SMD above 0.1 is a conventional flag for a chance imbalance
worth adjusting for in the analysis; it is not a test.

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"age": [20, 30, 40, 50], "sex": ["F", "M", "F", "M"]})
>>> rows, skipped = balance_rows(f, pd.Series(["a", "a", "b", "b"]), ["a", "b"])
>>> round(rows[0]["smd"]["b"], 3)
2.828
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import text
from ..display import Table

if TYPE_CHECKING:
    from ..plots import Chart

__all__ = ["balance_rows", "balance_table", "balance_frame", "plot_balance", "MAX_LEVELS", "SMD_FLAG"]

#: Categorical columns with more levels than this are left out (names, free text).
MAX_LEVELS = 20
#: The conventional threshold for a notable standardised difference.
SMD_FLAG = 0.1
_MISSING = "(missing)"


def _smd(diff: float, pooled_var: float) -> float | None:
    diff, pooled_var = float(diff), float(pooled_var)
    if not math.isfinite(diff) or not math.isfinite(pooled_var):
        return None
    if pooled_var <= 0:
        return 0.0 if diff == 0 else None
    return float(diff / math.sqrt(pooled_var))


def _numeric_rows(name: str, values: pd.Series, arm: pd.Series, arms: Sequence[str]) -> list[dict[str, Any]]:
    x = pd.to_numeric(values, errors="coerce").astype(float)
    grouped = x.groupby(arm)
    means, variances = grouped.mean(), grouped.var(ddof=1)
    rows = [{
        "variable": name, "level": "", "kind": "mean",
        "values": {a: float(means.get(a, np.nan)) for a in arms},
        "smd": {a: _smd(means.get(a, np.nan) - means.get(arms[0], np.nan),
                        (variances.get(a, np.nan) + variances.get(arms[0], np.nan)) / 2)
                for a in arms[1:]},
    }]
    if x.isna().any():
        rows.extend(_share_rows(name, "missing", x.isna(), arm, arms))
    return rows


def _share_rows(name: str, level: str, flag: pd.Series, arm: pd.Series, arms: Sequence[str]) -> list[dict[str, Any]]:
    share = flag.astype(float).groupby(arm).mean()
    p0 = float(share.get(arms[0], np.nan))
    return [{
        "variable": name, "level": level, "kind": "share",
        "values": {a: float(share.get(a, np.nan)) for a in arms},
        "smd": {a: _smd(float(share.get(a, np.nan)) - p0,
                        (float(share.get(a, np.nan)) * (1 - float(share.get(a, np.nan))) + p0 * (1 - p0)) / 2)
                for a in arms[1:]},
    }]


def balance_rows(frame: pd.DataFrame, arm: pd.Series, arms: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Balance rows for every usable column of ``frame``; also the columns left out.

    ``arm`` is aligned with ``frame`` (same index); ``arms`` lists the arms,
    control first.
    """
    arm = pd.Series(np.asarray(arm, dtype=object), index=frame.index)
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            rows.extend(_numeric_rows(str(name), values, arm, arms))
            continue
        codes, levels = pd.factorize(values.astype(object).where(values.notna(), _MISSING).astype(str),
                                     sort=True)
        if len(levels) > MAX_LEVELS:
            skipped.append(str(name))
            continue
        for code, level in enumerate(levels):
            rows.extend(_share_rows(str(name), str(level), pd.Series(codes == code, index=frame.index),
                                    arm, arms))
    return rows, skipped


def balance_frame(rows: Sequence[dict[str, Any]], arms: Sequence[str]) -> pd.DataFrame:
    """The rows as a wide table for ``balance.csv``: each arm's mean or share, then each SMD."""
    columns = ["variable", "level", "statistic"] + [f"value_{a}" for a in arms] + [f"smd_{a}" for a in arms[1:]]
    records = [
        [r["variable"], r["level"], r["kind"]] + [r["values"][a] for a in arms] + [r["smd"][a] for a in arms[1:]]
        for r in rows
    ]
    return pd.DataFrame(records, columns=columns)


def balance_table(rows: Sequence[dict[str, Any]], arms: Sequence[str]) -> Table:
    """The balance rows as a table for people."""
    columns = ("Variable", "Level") + tuple(arms) + tuple(f"SMD {a}" for a in arms[1:])
    body = []
    for r in rows:
        fmt = text.fmt_pct if r["kind"] == "share" else text.fmt_number
        body.append(
            (r["variable"], r["level"] or "mean")
            + tuple(fmt(r["values"][a]) for a in arms)
            + tuple(text.fmt_number(r["smd"][a], 3) for a in arms[1:])
        )
    return Table(columns, tuple(body),
                 caption=f"Baseline balance: standardised mean differences against {arms[0]} (pooled SD)",
                 numeric=(False, False) + (True,) * (len(columns) - 2))


def plot_balance(rows: Sequence[dict[str, Any]], arms: Sequence[str]) -> Chart:
    """Standardised mean differences by characteristic and arm (a "love plot"), as a :class:`~whatworks.plots.Chart`."""
    from .. import plots

    labels = [r["variable"] + (f" = {r['level']}" if r["level"] else "") for r in rows]
    fig, ax = plots.figure(width=7.0, height=max(2.4, 0.28 * len(rows) + 1.0))
    worst = (0.0, "", "")
    for i, arm in enumerate(arms[1:]):
        values = [r["smd"][arm] for r in rows]
        ys = [y for y, v in enumerate(values) if v is not None]
        xs = [v for v in values if v is not None]
        ax.scatter(xs, ys, color=plots.PALETTE[i % len(plots.PALETTE)], label=arm, s=18, zorder=3)
        for y, v in zip(ys, xs):
            if abs(v) > abs(worst[0]):
                worst = (v, labels[y], arm)
    for edge in (-SMD_FLAG, SMD_FLAG):
        ax.axvline(edge, color=plots.COLOURS["limit"], linestyle="--", linewidth=0.8)
    ax.axvline(0, color=plots.COLOURS["intervention"], linewidth=0.8)
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"Standardised mean difference against {arms[0]}")
    ax.legend(loc="lower right")
    within = "within" if abs(worst[0]) <= SMD_FLAG else "beyond"
    alt = (f"The largest standardised difference from {arms[0]} is {text.fmt_number(worst[0], 3)} "
           f"({worst[1]}, {worst[2]}), {within} the conventional {SMD_FLAG} flag.") if worst[1] else \
        "No baseline characteristics to compare."
    return plots.chart(fig, alt=alt, caption="Baseline balance by arm")
