"""Checking the SPC options a spec gives (profile, direction, units, dates).

Each problem a user can fix raises :class:`~whatworks.errors.SpecError` naming
the spec key and saying how to fix it. Dates are read by
:func:`whatworks.dates.parse_date`, under its rules: ``03/01/2024`` could be 3
January or 1 March, so it is refused.

Examples
--------
>>> choose("nhs", {"nhs": 1, "police-2sd": 2}, "spc_rules")
1
>>> intervention_dates("2024-04-01", ["A"], ["A", "B"])["A"]
Timestamp('2024-04-01 00:00:00')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ...dates import parse_date
from ...errors import SpecError

__all__ = ["choose", "choose_units", "intervention_dates", "baseline_range", "target_value"]


def choose(value: str, registry: Mapping[str, Any], key: str) -> Any:
    """The registry entry named ``value``, or a :class:`SpecError` on spec ``key``."""
    if value not in registry:
        raise SpecError(
            f"'{value}' is not a known choice",
            key=key,
            hint="Use one of: " + ", ".join(sorted(registry)) + ".",
        )
    return registry[value]


def _norm(name: str) -> str:
    return "".join(str(name).split()).casefold()


def _unknown(names: Sequence[str], present: Sequence[str], key: str, what: str, source: str) -> SpecError:
    near = {u: [p for p in present if _norm(p) == _norm(u)] for u in names}
    like = "; ".join(f"'{u}' looks like '{near[u][0]}'" for u in names if near[u])
    return SpecError(
        f"{what}: " + ", ".join(f"'{u}'" for u in names),
        key=key,
        hint=(like + ". " if like else "")
        + f"Use the names exactly as they appear in the unit column of {source}.",
    )


def choose_units(frame: pd.DataFrame, units: Sequence[str] | str | None, source: str) -> list[str | None]:
    """The units to chart, in order: ``[None]`` for a single series, ``[]``
    when an empty list is asked for (no charts).

    Raises
    ------
    SpecError
        Units named that are not in the data (with any near miss in case or
        spaces), or units named when the data has no unit column.
    """
    if units is not None and not isinstance(units, str) and len(units) == 0:
        return []  # no charts (spc: none)
    if "unit" not in frame.columns:
        if units:
            raise SpecError(
                "units were named for the SPC charts but the data has no unit column",
                key="units",
                hint="Set unit_column in the spec, or remove the list of units.",
            )
        return [None]
    present = list(dict.fromkeys(frame["unit"].astype(str)))
    if units is None:
        return list(present)  # a new list, typed list[str | None] (lists are invariant)
    wanted = [units] if isinstance(units, str) else [str(u) for u in units]
    absent = [u for u in wanted if u not in present]
    if absent:
        raise _unknown(absent, present, "units", "these units are not in the data", source)
    return list(dict.fromkeys(wanted))


def intervention_dates(
    value: Any, charted: Sequence[str | None], present: Sequence[str], source: str = "the data"
) -> dict[str | None, pd.Timestamp]:
    """The change date for each charted unit that has one.

    ``value`` is ``None``, one date for every unit, or a mapping of unit to
    date (staggered starts; units left out get no change date).

    Raises
    ------
    SpecError
        A value that is not a date, a mapping without a unit column, or a
        mapping naming units that are not in the data.
    """
    if value is None:
        return {}
    if isinstance(value, Mapping):
        if not present:
            raise SpecError(
                "intervention dates are given per unit but the data has no unit column",
                key="intervention_date",
                hint="Give one date, or set unit_column in the spec.",
            )
        unknown = [str(k) for k in value if str(k) not in present]
        if unknown:
            raise _unknown(unknown, present, "intervention_date",
                           "intervention dates are given for units not in the data", source)
        return {str(k): parse_date(v, key="intervention_date").normalize()
                for k, v in value.items() if str(k) in charted}
    when = parse_date(value, key="intervention_date").normalize()
    return {u: when for u in charted}


def baseline_range(value: Any) -> tuple[pd.Timestamp | None, pd.Timestamp | None] | None:
    """``spc_baseline`` as ``(from, to)`` dates, either may be ``None``.

    Accepts a mapping with ``from`` and/or ``to``, or a list of two dates.

    Raises
    ------
    SpecError
        Anything else, a date that is not a date, or ``from`` after ``to``.
    """
    if value is None:
        return None
    hint = "Give spc_baseline as {from: 2023-01-01, to: 2023-12-31} (either may be left out) or [from, to]."
    if isinstance(value, Mapping):
        unknown = [str(k) for k in value if str(k) not in ("from", "to")]
        if unknown:
            raise SpecError("spc_baseline takes 'from' and 'to' only, not " + ", ".join(unknown),
                            key="spc_baseline", hint=hint)
        lo, hi = value.get("from"), value.get("to")
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        lo, hi = value
    else:
        raise SpecError("spc_baseline is not a range of dates", key="spc_baseline", hint=hint)
    start = None if lo is None else parse_date(lo, key="spc_baseline").normalize()
    end = None if hi is None else parse_date(hi, key="spc_baseline").normalize()
    if start is None and end is None:
        return None
    if start is not None and end is not None and start > end:
        raise SpecError("spc_baseline starts after it ends", key="spc_baseline", hint=hint)
    return (start, end)


def target_value(value: Any) -> float | None:
    """``target`` as a number (``None`` for no target).

    Raises
    ------
    SpecError
        A value that is not a finite number.
    """
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        out = float("nan")
    if isinstance(value, bool) or out != out or out in (float("inf"), float("-inf")):
        raise SpecError(f"target '{value}' is not a number", key="target",
                        hint="Give the target in the outcome's units (a proportion as 0.85, not 85%).")
    return out
