"""Checking a difference-in-differences specification and building its panel.

Every problem a user can fix raises :class:`~whatworks.errors.SpecError`
(the spec's unit lists or dates) or :class:`~whatworks.errors.DataError`
(the data), naming the units and saying what to do. Dates are read by
:func:`whatworks.dates.parse_date`, under its rules.

Examples
--------
>>> from whatworks.simulate.did import hotspot
>>> series, truth = hotspot(1, n_comparison=5)
>>> panel = build_panel(series, ["Hotspot"], "2023-07-01", None, None, "count")
>>> panel.y.shape, panel.roles.count("comparison"), int(panel.start[0])
((6, 36), 5, 18)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import DTypeLike, NDArray

from ...data import SeriesData
from ...dates import parse_date
from ...errors import DataError, SpecError

__all__ = ["Panel", "build_panel", "OUTCOME_FAMILIES", "effective_units", "MIN_EFFECTIVE"]

#: Model family for each ``outcome_type``.
OUTCOME_FAMILIES: dict[str, str] = {"count": "poisson", "continuous": "gaussian"}


@dataclass(frozen=True)
class Panel:
    """A balanced unit-by-period panel with each unit's role and start.

    ``start[i]`` is the column of unit ``i``'s first treated period, or the
    number of periods for units never treated. ``weights`` (one per unit,
    mean 1 over the units, from the data's ``weight`` column) make every
    estimate weighted; ``weight_label`` says what they are, in words, and
    ``weight_notes`` what was done to them on the way in.
    """

    units: tuple[str, ...]
    periods: pd.DatetimeIndex
    y: np.ndarray
    offset: np.ndarray
    mask: np.ndarray
    roles: tuple[str, ...]
    start: np.ndarray
    family: str
    source: str
    outcome_label: str
    freq: str
    weights: np.ndarray | None = None
    weight_label: str | None = None
    weight_notes: tuple[str, ...] = ()

    def index(self, role: str) -> np.ndarray:
        """Row numbers of the units with ``role``."""
        return np.array([i for i, r in enumerate(self.roles) if r == role], int)

    def row_weights(self, rows: np.ndarray) -> np.ndarray | None:
        """The weights of ``rows`` (``None`` unweighted)."""
        return None if self.weights is None else self.weights[rows]

    @property
    def n_periods(self) -> int:
        return len(self.periods)


def _key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _names(value: object, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise SpecError("should be a list of unit names", key=key,
                        hint="Write the names as a list, e.g. [Site 01, Site 02].")
    out: list[str] = []
    for v in value:
        name = str(v).strip()
        if name and name not in out:
            out.append(name)
    return out


def _suggest(name: str, known: list[str]) -> str:
    same = [k for k in known if _key(k) == _key(name)]
    close = same or difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if close:
        return "Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "Check the spelling against the unit column of the data."


def _check_known(names: list[str], known: list[str], key: str, source: str) -> None:
    missing = [n for n in names if n not in set(known)]
    if missing:
        listed = ", ".join(f"'{m}'" for m in missing)
        word = "unit is" if len(missing) == 1 else "units are"
        raise SpecError(f"{listed}: {word} not in the data ({source})", key=key,
                        hint=" ".join(_suggest(m, known) for m in missing))


def _check_case_clashes(units: list[str], source: str) -> None:
    seen: dict[str, str] = {}
    for u in units:
        other = seen.setdefault(_key(u), u)
        if other != u:
            raise DataError(
                f"units '{other}' and '{u}' differ only in capital letters or spaces",
                file=source, column="unit",
                hint="Spell each area the same way throughout the file, or they are analysed as two areas.",
            )


def _dates(intervention_date: object, treated: list[str]) -> dict[str, pd.Timestamp]:
    key = "intervention_date"
    if isinstance(intervention_date, Mapping):
        given = {str(k).strip(): v for k, v in intervention_date.items()}
        extra = [u for u in given if u not in treated]
        if extra:
            raise SpecError(
                "dates are given for " + ", ".join(f"'{u}'" for u in extra)
                + ", which are not in treated_units", key=key,
                hint="Give a start date for treated units only, or add them to treated_units.")
        missing = [u for u in treated if u not in given]
        if missing:
            raise SpecError("no start date for " + ", ".join(f"'{u}'" for u in missing), key=key,
                            hint="Give every treated unit a date, or one date for all of them.")
        return {u: parse_date(given[u], key=key).normalize() for u in treated}
    if intervention_date is None:
        raise SpecError("is missing", key=key, hint="Give the date the intervention started.")
    date = parse_date(intervention_date, key=key).normalize()
    return {u: date for u in treated}


@dataclass(frozen=True)
class _Grid:
    """Where each row of the data sits in the unit-by-period panel."""

    periods: pd.DatetimeIndex
    rows: np.ndarray
    unit_pos: np.ndarray
    period_pos: np.ndarray
    shape: tuple[int, int]

    def array(self, values: NDArray[Any], fill: float = np.nan, dtype: DTypeLike = float) -> np.ndarray:
        out = np.full(self.shape, fill, dtype=dtype)
        out[self.unit_pos, self.period_pos] = np.asarray(values, dtype=dtype)[self.rows]
        return out


def _grid(frame: pd.DataFrame, units: list[str], source: str) -> _Grid:
    """Place the rows of ``units`` on a unit-by-period grid, checking duplicates and gaps."""
    unit_pos_all = pd.Index(units).get_indexer(pd.Index(frame["unit"].astype(str)))  # -1: a unit not analysed
    rows = np.flatnonzero(unit_pos_all >= 0)
    period_codes, uniques = pd.factorize(frame["period"].to_numpy()[rows], sort=True)
    periods = pd.DatetimeIndex(uniques)
    unit_pos = unit_pos_all[rows].astype(int)
    shape = (len(units), len(periods))
    counts = np.zeros(shape, int)
    np.add.at(counts, (unit_pos, period_codes), 1)
    if (counts > 1).any():
        pairs = np.argwhere(counts > 1)[:3]
        listed = "; ".join(f"{units[u]} {periods[t]:%Y-%m-%d}" for u, t in pairs)
        raise DataError(f"more than one row for the same unit and period ({listed})", file=source,
                        column=["unit", "period"], hint="Keep one row per unit and period, or add them up.")
    if (counts == 0).any():
        bad = [u for u, row in zip(units, counts) if (row == 0).any()]
        first = {u: periods[int(np.argmax(counts[units.index(u)] == 0))] for u in bad[:3]}
        listed = "; ".join(f"'{u}' (first missing {d:%Y-%m-%d})" for u, d in first.items())
        raise DataError(f"{len(bad)} unit(s) have missing periods: {listed}", file=source, column="period",
                        hint="Add a row for every unit and period (a zero count where nothing was recorded), "
                             "or mark the periods to leave out with exclude_periods.")
    return _Grid(periods, rows, unit_pos, period_codes, shape)


def build_panel(series: SeriesData, treated_units: object, intervention_date: object, comparison_units: object,
                buffer_units: object, outcome_type: str) -> Panel:
    """Validate the unit lists and dates and return the balanced panel."""
    if outcome_type not in OUTCOME_FAMILIES:
        raise SpecError(f"'{outcome_type}' is not an outcome type", key="outcome_type",
                        hint="Use 'count' (crimes, incidents) or 'continuous' (scores, times).")
    frame = series.frame
    source = series.source
    if "unit" not in frame.columns:
        raise DataError("the data has no unit column, so areas cannot be compared", file=source,
                        hint="Name the area or site column with unit_column in the spec.")
    known = sorted(frame["unit"].astype(str).unique())
    _check_case_clashes(known, source)
    treated = _names(treated_units, "treated_units")
    if not treated:
        raise SpecError("is empty", key="treated_units", hint="List the areas that received the intervention.")
    buffers = _names(buffer_units, "buffer_units")
    comparison = _names(comparison_units, "comparison_units")
    for names, key in ((treated, "treated_units"), (comparison, "comparison_units"), (buffers, "buffer_units")):
        _check_known(names, known, key, source)
    for names, key in ((comparison, "comparison_units"), (buffers, "buffer_units")):
        both = [u for u in names if u in treated]
        if both:
            raise SpecError(", ".join(f"'{u}'" for u in both) + " listed as treated and in " + key, key=key,
                            hint="A unit can only be in one group: remove it from one of the lists.")
    both = [u for u in comparison if u in buffers]
    if both:
        raise SpecError(", ".join(f"'{u}'" for u in both) + " listed as comparison and buffer units",
                        key="buffer_units", hint="A unit can only be in one group: remove it from one list.")
    unit_weight = _unit_weights(frame)
    if unit_weight is not None:
        _check_weighted(unit_weight, treated, comparison, buffers)
    if not comparison:
        comparison = [u for u in known if u not in treated and u not in buffers
                      and (unit_weight is None or unit_weight[u] > 0)]
    if not comparison:
        raise SpecError("no comparison unit is left once treated and buffer units are set aside",
                        key="comparison_units",
                        hint="Add areas that did not receive the intervention to the data and list them.")
    dates = _dates(intervention_date, treated)
    units = treated + buffers + comparison
    roles = ("treated",) * len(treated) + ("buffer",) * len(buffers) + ("comparison",) * len(comparison)
    grid = _grid(frame, units, source)
    periods = grid.periods
    excluded = (grid.array(frame["excluded"].to_numpy(bool), False, bool)
                if "excluded" in frame.columns else np.zeros(grid.shape, bool))
    values = grid.array(frame["outcome"].to_numpy(float))
    missing_value = ~np.isfinite(values) & ~excluded
    if missing_value.any():
        bad = [units[i] for i in np.flatnonzero(missing_value.any(1))]
        raise DataError("the outcome is blank for " + ", ".join(f"'{u}'" for u in bad[:5]), file=source,
                        column="outcome", hint="Fill in the blanks, or exclude those periods.")
    if outcome_type == "count" and (values[~excluded] < 0).any():
        raise DataError("counts cannot be negative", file=source, column="outcome",
                        hint="Correct the export, or use outcome_type: continuous.")
    offset = np.zeros_like(values)
    if "exposure" in frame.columns:
        offset = np.log(grid.array(frame["exposure"].to_numpy(float)))
    start = np.full(len(units), len(periods), int)
    for i, u in enumerate(treated):
        col = int(np.searchsorted(periods.values, dates[u].to_datetime64()))
        usable = ~excluded[i]
        if not usable[:col].any():
            raise SpecError(f"'{u}' has no period before its start on {dates[u]:%Y-%m-%d}",
                            key="intervention_date",
                            hint="A comparison over time needs data from before the start: check the date, "
                                 "or extend the data back.")
        if not usable[col:].any():
            raise SpecError(f"'{u}' has no period on or after its start on {dates[u]:%Y-%m-%d}",
                            key="intervention_date", hint="Check the date, or extend the data forward.")
        start[i] = col
    weights = None
    if unit_weight is not None:
        weights = np.array([unit_weight[u] for u in units], float)
        weights = weights / weights.mean()
        _check_weighted_starts(treated, start, periods)
        _check_effective(treated, start, weights, np.where(excluded, np.nan, values), ~excluded,
                         OUTCOME_FAMILIES[outcome_type], periods)
    return Panel(
        units=tuple(units), periods=periods, y=np.where(excluded, np.nan, values), offset=offset,
        mask=~excluded, roles=roles, start=start, family=OUTCOME_FAMILIES[outcome_type],
        source=source, outcome_label=series.outcome_label, freq=series.freq, weights=weights,
        weight_label=series.weight_label if unit_weight is not None else None,
        weight_notes=series.weight_notes if unit_weight is not None else (),
    )


#: The fewest effective treated units (:func:`effective_units`) a weighted analysis accepts.
MIN_EFFECTIVE = 3.0


def effective_units(weights: np.ndarray, y: np.ndarray, mask: np.ndarray, family: str) -> float:
    """Kish's effective number of units, ``(sum v)^2 / sum v^2``, of units weighted by ``weights``.

    Each unit's say in a fit is its weight times what it carries on its
    own: its total count for Poisson (the model's Newton weights are the
    expected counts), its number of cells for least squares; ``v`` is that
    product. Equal units give their number; a few large units weighted
    heavily give few.

    >>> effective_units(np.ones(4), np.ones((4, 3)), np.ones((4, 3), bool), "poisson")
    4.0
    >>> round(effective_units(np.array([1.0, 1, 1, 10]), np.ones((4, 3)), np.ones((4, 3), bool), "gaussian"), 2)
    1.64
    """
    carried = np.where(mask, np.nan_to_num(y) if family == "poisson" else 1.0, 0.0).sum(axis=1)
    v = np.asarray(weights, float) * carried
    total = float(np.sum(v**2))
    return float(np.sum(v) ** 2 / total) if total > 0 else 0.0


def _unit_weights(frame: pd.DataFrame) -> dict[str, float] | None:
    """Each unit's weight from the data's ``weight`` column (one value per unit), or ``None``."""
    if "weight" not in frame.columns:
        return None
    return {str(u): float(w) for u, w in frame.groupby(frame["unit"].astype(str))["weight"].mean().items()}


_WEIGHT_HINT = "Remove weight_column for an unweighted analysis"


def _check_weighted(unit_weight: dict[str, float], treated: list[str], comparison: list[str],
                    buffers: list[str]) -> None:
    """Refuse what a weighted analysis cannot do, naming ``weight_column``.

    Listed units with weight 0; buffer units (the displacement measures
    count crimes, so cannot be weighted); one treated unit (placebo in
    space compares single units, so cannot be weighted).
    """
    zero = [u for u in [*treated, *comparison, *buffers] if unit_weight.get(u, 1.0) <= 0]
    if zero:
        raise SpecError(", ".join(f"'{u}'" for u in zero[:5]) + " listed in the spec but with weight 0",
                        key="weight_column",
                        hint="A unit with weight 0 counts for nothing: give it its weight (its population), "
                             "or take it out of the unit lists.")
    if buffers:
        raise SpecError("cannot be used with buffer_units", key="weight_column",
                        hint="Displacement (the buffer estimate, the weighted displacement quotient and the total "
                             "net effect) counts crimes and cannot be weighted: run it in a spec without "
                             f"weight_column. {_WEIGHT_HINT}, or buffer_units.")
    if len(treated) == 1:
        raise SpecError("cannot be used with one treated unit", key="weight_column",
                        hint="With one treated unit the interval compares it with each comparison unit in turn "
                             "(placebo in space), which has no weighted form: weights change nothing about one "
                             f"unit's own change. {_WEIGHT_HINT}.")


def _check_weighted_starts(treated: list[str], start: np.ndarray, periods: pd.DatetimeIndex) -> None:
    """Refuse a start date shared by one treated unit alone (its cohort's estimate is a placebo in space)."""
    cols = [int(c) for c in start[: len(treated)]]
    lone = [c for c in sorted(set(cols)) if cols.count(c) == 1]
    if len(set(cols)) > 1 and lone:
        who = ", ".join(f"'{treated[cols.index(c)]}' ({periods[c]:%Y-%m-%d})" for c in lone[:5])
        raise SpecError(f"cannot be used when a start date has one treated unit alone: {who}",
                        key="weight_column",
                        hint="A cohort of one unit is judged against each comparison unit in turn (placebo in "
                             "space), which has no weighted form. " + _WEIGHT_HINT + ", or give that unit "
                             "the start date of another treated unit if it really started with them.")


def _check_effective(treated: list[str], start: np.ndarray, weights: np.ndarray, y: np.ndarray, mask: np.ndarray,
                     family: str, periods: pd.DatetimeIndex) -> None:
    """Refuse weights that rest the estimate on too few treated units: fewer than :data:`MIN_EFFECTIVE`
    effective treated units in all, or fewer than two in a cohort (its own estimate could not be judged)."""
    n = len(treated)
    total = effective_units(weights[:n], y[:n], mask[:n], family)
    hint = ("With weights, a few large areas can carry most of the estimate, and intervals from so few areas' "
            "worth of data are too narrow (a test of no effect rejects too often). Remove weight_column for an "
            "unweighted analysis, or add treated areas.")
    if total < MIN_EFFECTIVE:
        raise SpecError(f"the weights leave {total:.1f} treated units' worth of data (effective number); "
                        f"at least {MIN_EFFECTIVE:g} are needed", key="weight_column", hint=hint)
    for col in sorted({int(c) for c in start[:n]}):
        rows = np.flatnonzero(start[:n] == col)
        if rows.size < n:
            eff = effective_units(weights[rows], y[rows], mask[rows], family)
            if eff < 2:
                raise SpecError(f"the weights leave the units starting {periods[col]:%Y-%m-%d} {eff:.1f} units' "
                                "worth of data (effective number); at least 2 are needed", key="weight_column",
                                hint=hint)
