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
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .. import dates, plots, text, value
from ..display import Heading, Prose, Section, Table
from ..errors import SpecError
from ..options import Options, given
from ..results import Estimate

__all__ = ["Activity", "activity", "EffortOptions", "effort_columns", "officer_hours", "value_for_money",
           "value_section"]

def _where(row: Mapping[str, Any], unit: str = "area") -> str:
    """The group of a row in words: ``The series``, ``Sites where it ran (5, together)``, ``Other sites (15,
    together)``, or ``The street where it ran`` for one."""
    if row["group"] == "series":
        return "The series"
    units = text.plural_label(unit)
    n = row["n_units"]
    if row["group"] == "treated":
        if n == 1:
            return f"The {unit} where it ran"
        return f"{units[:1].upper()}{units[1:]} where it ran ({text.fmt_number(n)}, together)"
    return f"Other {units}" + (f" ({text.fmt_number(n)}, together)" if n > 1 else "")


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
    unit_label: str = "area"

    def table(self) -> Table:
        """Mean per period before and after the start, and the total after it."""
        per = text.plural(1, self.freq).removeprefix("1 ")
        rows = tuple((_words(r["column"]).capitalize(), _where(r, self.unit_label), text.fmt_number(r["before"], 1),
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
             freq: str, outcome: str, unit_label: str = "area") -> Activity | None:
    """Summarise ``columns`` of a tidy frame around each unit's start.

    ``starts`` maps each treated unit (or ``None`` for a single series) to
    its start; other units are measured around the earliest start.
    ``unit_label`` is what one unit is called in the table.
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
                    starts=tuple(starts.values()), freq=freq, outcome=outcome, unit_label=unit_label)


# -- effort and cost ------------------------------------------------------------------------------

_EFFORT_KEYS = ("effort_column", "officers_per_deployment", "hours_per_deployment", "officer_hours_column")
_PRICE_KEYS = ("officer_grade", "officer_hourly_cost", "officer_hourly_cost_price_year", "crime_type",
               "unit_cost_of_crime", "unit_cost_price_year", "price_year")


@dataclass(frozen=True, kw_only=True)
class EffortOptions(Options):
    """Officer time at the treated units and what it is worth (no built-in default: no effort keys, no cost)."""

    ANALYSIS: ClassVar[str] = "the cost of officer time"

    effort_column: str | None = None
    officers_per_deployment: float | None = None
    hours_per_deployment: float | None = None
    officer_hours_column: str | None = None
    officer_grade: str | None = None
    officer_hourly_cost: float | None = None
    officer_hourly_cost_price_year: str | None = None
    crime_type: str | None = None
    unit_cost_of_crime: float | None = None
    unit_cost_price_year: str | None = None
    price_year: str | None = None

    @property
    def wanted(self) -> bool:
        """Whether the spec gives any effort key."""
        return any(given(getattr(self, k)) for k in _EFFORT_KEYS)

    def check(self, outcome_type: str, deflator: value.Deflator | None = None) -> None:
        """Refuse keys that do not apply or do not fit together, naming the key and the fix."""
        deflator = deflator or value.default_deflator()
        if not self.wanted:
            for k in _PRICE_KEYS:
                if given(getattr(self, k)):
                    raise SpecError("does not apply without effort: give effort_column (with "
                                    "officers_per_deployment and hours_per_deployment) or officer_hours_column",
                                    key=k, hint="Add the effort keys, or remove this key.")
            return
        if outcome_type != "count":
            raise SpecError("officer time is costed against crimes prevented, which needs outcome_type: count",
                            key="effort_column" if given(self.effort_column) else "officer_hours_column",
                            hint="Remove the effort keys for proportions and continuous outcomes.")
        if given(self.effort_column) and given(self.officer_hours_column):
            raise SpecError("give effort_column or officer_hours_column, not both", key="officer_hours_column")
        if given(self.officer_hours_column):
            for k in ("officers_per_deployment", "hours_per_deployment"):
                if given(getattr(self, k)):
                    raise SpecError("does not apply with officer_hours_column, which already counts hours", key=k,
                                    hint="Remove it, or give effort_column (deployments) instead.")
        else:
            for k in ("effort_column", "officers_per_deployment", "hours_per_deployment"):
                if not given(getattr(self, k)):
                    raise SpecError("is needed to turn deployments into officer hours (whatworks never assumes "
                                    "effort)", key=k, hint="Give effort_column, officers_per_deployment and "
                                                           "hours_per_deployment together.")
            value.officer_hours(0, float(self.officers_per_deployment or 0), float(self.hours_per_deployment or 0))
        self._pair("officer_grade", "officer_hourly_cost", "officer_hourly_cost_price_year")
        self._pair("crime_type", "unit_cost_of_crime", "unit_cost_price_year")
        hourly, unit = self.hourly(), self.unit()
        year = self.report_year()
        for cost, key in ((hourly, "officer_hourly_cost_price_year" if given(self.officer_hourly_cost)
                           else "officer_grade"),
                          (unit, "unit_cost_price_year" if given(self.unit_cost_of_crime) else "crime_type")):
            if not (deflator.covers(cost.price_year) and deflator.covers(year)):
                raise SpecError(f"a cost priced in {cost.price_year} cannot be moved to {year} prices: the "
                                f"{deflator.label} covers {min(deflator.index)} to {max(deflator.index)}",
                                key=key, hint="Give your own figure priced in a year the deflator covers "
                                              "(officer_hourly_cost or unit_cost_of_crime with its price year), "
                                              "or set price_year.")

    def _pair(self, named: str, own: str, own_year: str) -> None:
        if given(getattr(self, named)) == given(getattr(self, own)):
            raise SpecError(f"give {named} or {own} (with {own_year}), one of the two", key=named,
                            hint="whatworks never assumes a cost: name the shipped figure or give your own.")
        if given(getattr(self, own)):
            if not float(getattr(self, own)) > 0:
                raise SpecError("must be a positive number of pounds", key=own)
            if not given(getattr(self, own_year)):
                raise SpecError(f"is needed with {own}: the financial year it is priced in, e.g. 2024/25",
                                key=own_year)
        elif given(getattr(self, own_year)):
            raise SpecError(f"does not apply without {own}", key=own_year, hint=f"Remove it, or give {own}.")

    def hourly(self) -> value.HourlyCost:
        if given(self.officer_hourly_cost):
            return value.HourlyCost("own figure", float(self.officer_hourly_cost or 0),
                                    str(self.officer_hourly_cost_price_year), "given in the spec")
        return value.hourly_cost(str(self.officer_grade))

    def unit(self) -> value.UnitCost:
        if given(self.unit_cost_of_crime):
            return value.UnitCost("own", "crime", float(self.unit_cost_of_crime or 0), str(self.unit_cost_price_year),
                                  "given in the spec")
        return value.unit_cost(str(self.crime_type))

    def report_year(self) -> str:
        return str(self.price_year) if given(self.price_year) else self.hourly().price_year


def effort_columns(options: EffortOptions) -> list[str]:
    """The data columns the effort keys read (to be kept when the export is read)."""
    return [str(c) for c in (options.effort_column, options.officer_hours_column) if given(c)]


def officer_hours(frame: pd.DataFrame, options: EffortOptions, starts: Mapping[str | None, pd.Timestamp],
                  freq: str | None = None) -> float:
    """Officer hours at the treated units from each unit's start (the series itself without units).

    With ``freq`` a period the start falls part-way through counts too (a weekly
    series added up to months, started on the 3rd: that month's hours were spent).
    """
    column = str(options.officer_hours_column or options.effort_column)
    values = frame[column].to_numpy(float)
    last_day = pd.Series(frame["period"])
    if freq is not None:
        last_day = last_day + dates.FREQS[freq].step - pd.Timedelta(days=1)
    if "unit" in frame.columns and any(u is not None for u in starts):
        unit = frame["unit"].astype(str)
        start = unit.map({u: s for u, s in starts.items() if u is not None})
        mask = (start.notna() & (last_day >= start)).to_numpy()
    else:
        mask = (last_day >= starts[None]).to_numpy()
    kept = values[mask]
    if np.isnan(kept).any() or (kept < 0).any():
        raise SpecError(f"the column '{column}' has missing or negative values after the start",
                        key="officer_hours_column" if given(options.officer_hours_column) else "effort_column",
                        hint="Give a count of zero or more for every period at the areas where it ran.")
    total = float(kept.sum())
    if given(options.officer_hours_column):
        return total
    return value.officer_hours(total, float(options.officers_per_deployment or 0),
                               float(options.hours_per_deployment or 0))


def value_for_money(estimates: Sequence[Estimate], hours: float, options: EffortOptions,
                    deflator: value.Deflator | None = None) -> value.CostBenefit | None:
    """The cost-benefit of the officer time, from ``crimes_prevented_net`` (or ``crimes_prevented``); ``None``
    when the result has neither."""
    named = {e.name: e for e in estimates}
    crimes = named.get("crimes_prevented_net") or named.get("crimes_prevented")
    if crimes is None:
        return None
    deflator = deflator or value.default_deflator()
    year = options.report_year()
    return value.cost_benefit(crimes.estimate, crimes.ci_low, crimes.ci_high, hours=hours,
                              hourly_gbp=options.hourly().at(year, deflator),
                              unit_gbp=options.unit().at(year, deflator), price_year=year,
                              net=crimes.name == "crimes_prevented_net")


def value_section(result: value.CostBenefit | None, options_given: bool, hours: float | None = None,
                  cost: float | None = None, price_year: str | None = None) -> Section:
    """Value for money: the board sentence and table, or what would add them."""
    if result is not None:
        return Section(Heading("Value for money"), Prose([result.words()]), result.table())
    if options_given:
        spent = ""
        if hours is not None and cost is not None:
            spent = (f"The operation took {text.fmt_number(hours, 0)} officer hours after the start, costing "
                     f"{text.fmt_gbp(cost)} at {price_year} prices. ")
        words = (spent + "This analysis has no estimate of crimes prevented to set the officer time against, "
                 "so no benefit-cost ratio is shown.")
    else:
        words = ("No cost is shown: whatworks never assumes how much officer time an operation took. Add "
                 "effort_column with officers_per_deployment and hours_per_deployment (or officer_hours_column), "
                 "officer_grade (or officer_hourly_cost) and crime_type (or unit_cost_of_crime) to the spec to "
                 "show officer hours, their cost and the value of the crimes prevented.")
    return Section(Heading("Value for money"), Prose([words]))
