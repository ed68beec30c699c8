"""Activity (outputs such as deployments, stops, arrests) for the before-after evaluation.

Outputs show what was done, not whether it worked, so they are shown apart
from the outcome, with a sentence saying so, and never enter a model.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=4, freq="7D"),
...                       "outcome": [5.0, 6, 4, 3], "excluded": False, "stops": [0.0, 0, 4, 6]})
>>> act = activity(frame, ["stops"], {None: pd.Timestamp("2024-01-15")}, freq="week", outcome="crimes")
>>> act.table().rows[0]
('Stops', 'The series', '0.0', '5.0', '10')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .. import plots, text
from ..display import Heading, Prose, Section, Table

__all__ = ["Activity", "activity"]

_WHO = {"treated": "Treated units", "other": "Other units", "series": "The series"}


def _where(row: Mapping[str, Any]) -> str:
    if row["group"] == "series":
        return _WHO["series"]
    return f"{_WHO[row['group']]} ({row['n_units']}, together)"


def _words(column: str) -> str:
    return column.replace("_", " ")


@dataclass(frozen=True)
class Activity:
    """Per-period activity totals by group, before and after the start.

    ``rows`` holds one record per output column and group: the mean per
    period before and after the start and the total after it.
    """

    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    over_time: pd.DataFrame = field(compare=False, repr=False)
    starts: tuple[pd.Timestamp, ...]
    freq: str
    outcome: str

    def table(self) -> Table:
        """Mean per period before and after the start, and the total after it."""
        per = text.plural(1, self.freq).removeprefix("1 ")
        rows = tuple((_words(r["column"]).capitalize(), _where(r), text.fmt_number(r["before"], 1),
                      text.fmt_number(r["after"], 1), text.fmt_number(r["total_after"]))
                     for r in self.rows)
        return Table(("Activity", "Where", f"A {per} before (mean)", f"A {per} after (mean)", "Total after"),
                     rows, caption="Activity (outputs) before and after the start",
                     numeric=(False, False, True, True, True))

    def plot(self) -> plots.Chart:
        """Activity per period where the intervention happened, over time."""
        fig, ax = plots.figure(height=3.0)
        for i, col in enumerate(self.columns):
            ax.plot(self.over_time["period"], self.over_time[col], lw=1.1, color=plots.PALETTE[i % 8],
                    label=_words(col).capitalize())
        for s in sorted(set(self.starts)):
            ax.axvline(s, color=plots.COLOURS["intervention"], ls="--", lw=1)
        ax.set_ylabel(f"Total a {self.freq}")
        ax.legend(loc="upper left")
        first = self.rows[0]
        where = " where it ran" if first["group"] == "treated" else ""
        alt = (f"{_words(first['column']).capitalize()}{where} averaged {text.fmt_number(first['after'], 1)} a "
               f"{self.freq} after the start, against {text.fmt_number(first['before'], 1)} before. "
               "Activity shows what was done, not whether it worked.")
        return plots.chart(fig, alt=alt, caption="Activity (outputs) over time, where the intervention happened")

    def section(self) -> Section:
        listed = ", ".join(_words(c) for c in self.columns)
        return Section(
            Heading("Activity: what was done"),
            Prose([f"These figures show the activity recorded ({listed}). Outputs are not outcomes: they show "
                   f"that the work happened, and how much of it, but they are not evidence of impact on "
                   f"{self.outcome}. Whether it worked is judged from the {self.outcome} themselves, above."]),
            self.plot(),
            self.table(),
        )


def activity(frame: pd.DataFrame, columns: Sequence[str], starts: Mapping[str | None, pd.Timestamp], *,
             freq: str, outcome: str) -> Activity | None:
    """Summarise ``columns`` of a tidy frame around each unit's start.

    ``starts`` maps each treated unit (or ``None`` for a single series) to
    its start; other units are measured around the earliest start.
    """
    columns = tuple(c for c in columns if c in frame.columns)
    if not columns:
        return None
    first = min(starts.values())
    if "unit" in frame.columns:
        unit = frame["unit"].astype(str)
        treated = unit.isin([u for u in starts if u is not None]).to_numpy()
        start = unit.map({u: s for u, s in starts.items() if u is not None}).fillna(first)
        groups: tuple[tuple[str, NDArray[np.bool_]], ...] = (("treated", treated), ("other", ~treated))
    else:
        start = pd.Series(first, index=frame.index)
        groups = (("series", np.ones(len(frame), bool)),)
    kept = ~frame["excluded"].to_numpy(bool) if "excluded" in frame.columns else np.ones(len(frame), bool)
    after = (frame["period"] >= start).to_numpy()
    rows = []
    for col in columns:
        values = frame[col].to_numpy(float)
        for group, mask in groups:
            if not mask.any():
                continue
            n_units = frame.loc[mask, "unit"].nunique() if "unit" in frame.columns else 1
            before_rows, after_rows = mask & kept & ~after, mask & kept & after
            per_before = values[before_rows].sum() / max(1, before_rows.sum() / n_units)
            per_after = values[after_rows].sum() / max(1, after_rows.sum() / n_units)
            rows.append({"column": col, "group": group, "before": float(per_before), "after": float(per_after),
                         "total_after": float(values[after_rows].sum()), "n_units": int(n_units)})
    where = groups[0][1]
    over_time = frame.loc[where].groupby("period", as_index=False)[list(columns)].sum()
    return Activity(columns=columns, rows=tuple(rows), over_time=over_time,
                    starts=tuple(starts.values()), freq=freq, outcome=outcome)
