"""The ``performance`` template: the quarterly Policing Plan performance pack.

Its notebook makes the three calls every template makes::

    ev = ww.evaluation(globals())
    inputs = ww.performance.load(ev)
    result = ww.performance.analyse(inputs, ev)
    ...                                   # sections: ww.designs.performance.<section>(result)
    ww.emit(ev, result)

:func:`load` reads the long export (``measure``, ``period``, ``value``, or
``numerator`` and ``denominator`` for a rate), the optional measure table,
the dated notes and the owners' commentary files, and checks them all (what
``whatworks validate`` runs). Periods are months, calendar quarters or
financial quarters (``Q1 2023/24``), read by :mod:`whatworks.dates`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import dates
from ..data import display_name, first_row, read_numbers, read_table, resolve
from ..designs.performance import (
    Annotation,
    Commentary,
    Measure,
    MeasureDefinition,
    PerformanceResult,
    fit,
    latest_quarter,
    quarter_label,
)
from ..designs.performance.model import DEFAULT_PRIORITY
from ..errors import DataError, SpecError
from ..evaluation import Evaluation
from ..handover import reads_once
from ..options import Options, given
from .catalogue import registry

__all__ = ["PerformanceOptions", "PerformanceInputs", "load", "analyse", "read_measures", "read_commentary"]

_HEADER = ("title", "owner", "classification", "data", "measures", "annotations", "commentary")


@dataclass(frozen=True, kw_only=True)
class PerformanceOptions(Options):
    """The pack's options: the quarter reported, the SPC rule profile, and whether rates get a p′ chart."""

    ANALYSIS = "this performance pack"
    quarter: str | None = None
    spc_rules: str = "police-2sd"
    p_chart: bool = True


@dataclass(frozen=True)
class PerformanceInputs:
    """Everything :func:`load` read and checked."""

    measures: tuple[Measure, ...]
    quarter: pd.Timestamp
    annotations: tuple[Annotation, ...]
    commentary: Mapping[str, Commentary]
    options: PerformanceOptions


def _defaults() -> dict[str, Any]:
    return {p.name: p.spec_default for p in registry().get("performance").parameters}


def _numbers(frame: pd.DataFrame, column: str, label: str, *, whole: bool = False) -> np.ndarray:
    raw = frame[column].astype(object).map(lambda v: v.strip().removesuffix("%") if isinstance(v, str) else v)
    reading = read_numbers(raw, whole=whole)
    bad = reading.bad | reading.non_finite
    if bad.any():
        rows = [int(i) + first_row(frame) for i in np.flatnonzero(bad)]
        raise DataError("these cells are not numbers", file=label, column=column, rows=rows,
                        hint="Write a plain number in each cell (or leave it blank).")
    values: np.ndarray = np.asarray(reading.values, dtype=float)
    return values


def _columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: str(c).strip().lower() for c in frame.columns})


def _measure_table(path: Path, label: str) -> dict[str, dict[str, Any]]:
    """The measure table: one row per measure, its settings as plain values (rate scales not yet applied)."""
    frame = _columns(read_table(path, label=label))
    name_col = "name" if "name" in frame.columns else "measure"
    if name_col not in frame.columns:
        raise DataError("the measure table has no 'name' column", file=label,
                        hint="Give one row per measure with a 'name' column, and optionally priority, improvement, "
                             "target, comparator, comparator_label, unit, owner, population and maturity.")
    numbers = {c: _numbers(frame, c, label) for c in ("target", "comparator", "population", "maturity")
               if c in frame.columns}
    out: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(frame[name_col]):
        row = first_row(frame) + i
        if not isinstance(name, str) or not name.strip():
            raise DataError("a measure has no name", file=label, column=name_col, rows=[row],
                            hint="Name every measure as the data names it.")
        name = name.strip()
        if name in out:
            raise DataError(f"the measure '{name}' is listed twice", file=label, column=name_col, rows=[row],
                            hint="List each measure once.")
        raw = frame.at[i, "improvement"] if "improvement" in frame.columns else None
        improvement = str(raw).strip().lower() if isinstance(raw, str) and raw.strip() else "decrease"
        if improvement not in ("decrease", "increase"):
            raise DataError(f"improvement must be 'decrease' or 'increase', not '{improvement}'", file=label,
                            column="improvement", rows=[row], hint="Say which way is better for the measure.")

        def text_of(col: str, default: str = "", i: int = i) -> str:
            if col not in frame.columns:
                return default
            v = frame.at[i, col]
            return default if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip() or default

        def num(col: str, i: int = i) -> float | None:
            v = numbers[col][i] if col in numbers else np.nan
            return None if np.isnan(v) else float(v)

        maturity = num("maturity")
        out[name] = {"priority": text_of("priority", DEFAULT_PRIORITY), "improvement": improvement,
                     "target": num("target"), "comparator": num("comparator"),
                     "comparator_label": text_of("comparator_label", "National"), "unit": text_of("unit"),
                     "owner": text_of("owner"), "population": num("population"),
                     "maturity": int(maturity) if maturity is not None else 0, "row": row}
    return out


def read_measures(path: Path, label: str, table: Mapping[str, Mapping[str, Any]] | None,
                  table_label: str = "measures") -> tuple[Measure, ...]:
    """The long export as one :class:`Measure` per measure, in the measure table's order (else the data's)."""
    frame = _columns(read_table(path, label=label))
    for col in ("measure", "period"):
        if col not in frame.columns:
            raise DataError(f"the data has no '{col}' column", file=label,
                            hint="Give one row per measure and period: measure, period, and value (or numerator "
                                 "and denominator for a rate).")
    has_value = "value" in frame.columns
    has_rate = "numerator" in frame.columns or "denominator" in frame.columns
    if not has_value and not has_rate:
        raise DataError("the data has no 'value' column (nor numerator and denominator)", file=label,
                        hint="Add a value column, or numerator and denominator columns for rates.")
    rows = np.arange(len(frame)) + first_row(frame)
    names = frame["measure"].map(lambda v: v.strip() if isinstance(v, str) else v)
    blank = names.isna().to_numpy() | (names == "").to_numpy()
    if blank.any():
        raise DataError("rows with no measure", file=label, column="measure", rows=[int(r) for r in rows[blank]],
                        hint="Name the measure on every row.")
    reading = dates.parse_dates(frame["period"], column="period", file=label, rows=rows)
    freq = reading.freq
    if freq in (None,):
        periods = dates.floor(reading.dates, "month")
        freq = "month"
    elif freq in ("quarter", "financial_quarter"):
        periods = reading.dates
        freq = "quarter"
    else:
        raise DataError("the periods are years; a performance pack needs months or quarters", file=label,
                        column="period", hint="Give monthly figures (2023-04) or quarterly ones (Q1 2023/24).")
    value = _numbers(frame, "value", label) if has_value else np.full(len(frame), np.nan)
    num = _numbers(frame, "numerator", label, whole=True) if "numerator" in frame.columns else np.full(len(frame),
                                                                                                        np.nan)
    den = _numbers(frame, "denominator", label, whole=True) if "denominator" in frame.columns else np.full(
        len(frame), np.nan)
    rate_row = ~np.isnan(num) | ~np.isnan(den)
    no_den = rate_row & np.isnan(den)
    if no_den.any():
        raise DataError("rate rows without a denominator", file=label, column="denominator",
                        rows=[int(r) for r in rows[no_den]],
                        hint="A rate needs the numerator (e.g. positive outcomes) and the denominator (e.g. crimes "
                             "with an outcome) on every row.")
    no_num = rate_row & np.isnan(num)
    if no_num.any():
        raise DataError("rate rows without a numerator", file=label, column="numerator",
                        rows=[int(r) for r in rows[no_num]], hint="Give the numerator on every rate row.")
    bad_den = rate_row & ((den <= 0) | (num < 0) | (num > den))
    if bad_den.any():
        raise DataError("the numerator must be between 0 and the denominator, and the denominator above 0",
                        file=label, column="denominator", rows=[int(r) for r in rows[bad_den]],
                        hint="Check those rows of the export.")
    missing = ~rate_row & np.isnan(value)
    if missing.any():
        raise DataError("rows with no value", file=label, column="value", rows=[int(r) for r in rows[missing]],
                        hint="Give a value on every row (or numerator and denominator for a rate).")
    work = pd.DataFrame({"measure": names.astype(str), "period": periods.to_numpy(), "value": value, "num": num,
                         "den": den, "rate": rate_row, "row": rows})
    dup = work.duplicated(["measure", "period"], keep=False).to_numpy()
    if dup.any():
        raise DataError("more than one row for the same measure and period", file=label, column="period",
                        rows=[int(r) for r in rows[dup]][:10], hint="Give one row per measure and period.")
    order = list(dict.fromkeys(work["measure"]))
    if table is not None:
        unknown = [m for m in order if m not in table]
        if unknown:
            bad_rows = [int(r) for r in work.loc[work["measure"].isin(unknown), "row"]][:10]
            raise DataError("measures in the data are missing from the measure table: " + ", ".join(
                f"'{m}'" for m in unknown[:5]), file=label, column="measure", rows=bad_rows,
                hint=f"Add them to the measure table ({table_label}), or correct their names to match it.")
        absent = [m for m in table if m not in set(order)]
        if absent:
            raise DataError("measures in the measure table have no data: " + ", ".join(f"'{m}'" for m in absent[:5]),
                            file=table_label, column="name", rows=[int(table[m]["row"]) for m in absent[:10]],
                            hint="Remove them from the measure table, or add their rows to the data.")
        order = list(table)
    out = []
    for name in order:
        sub = work[work["measure"] == name].sort_values("period")
        kinds = set(sub["rate"])
        if len(kinds) > 1:
            raise DataError(f"the measure '{name}' has value rows and rate rows", file=label, column="value",
                            rows=[int(r) for r in sub["row"]][:10],
                            hint="Give a measure either a value on every row or a numerator and denominator.")
        is_rate = bool(sub["rate"].iloc[0])
        settings = dict((table or {}).get(name, {}))
        settings.pop("row", None)
        if is_rate:  # a rate's target and comparator are written as per cent
            for key in ("target", "comparator"):
                if settings.get(key) is not None:
                    settings[key] = settings[key] / 100
        definition = MeasureDefinition(name, **settings)
        if is_rate:
            out.append(Measure(definition, tuple(sub["period"]), tuple(sub["num"].astype(float)),
                               tuple(sub["den"].astype(float)), freq))
        else:
            out.append(Measure(definition, tuple(sub["period"]), tuple(sub["value"].astype(float)), None, freq))
    return tuple(out)


def _annotations(path: Path, label: str, names: set[str]) -> tuple[Annotation, ...]:
    frame = _columns(read_table(path, label=label))
    for col in ("date", "note"):
        if col not in frame.columns:
            raise DataError(f"the notes table has no '{col}' column", file=label,
                            hint="Give one row per note: date, note, and optionally the measure it is about.")
    rows = np.arange(len(frame)) + first_row(frame)
    when = dates.parse_dates(frame["date"], column="date", file=label, rows=rows).dates
    out = []
    for i in range(len(frame)):
        measure = frame.at[i, "measure"] if "measure" in frame.columns else None
        measure = measure.strip() if isinstance(measure, str) and measure.strip() else None
        if measure is not None and measure not in names:
            raise DataError(f"a note names the measure '{measure}', which is not in the data", file=label,
                            column="measure", rows=[int(rows[i])], hint="Correct the name, or leave it blank "
                                                                         "for a note on every chart.")
        out.append(Annotation(pd.Timestamp(when.iloc[i]), str(frame.at[i, "note"]).strip(), measure))
    return tuple(out)


def read_commentary(folder: Path, measures: tuple[Measure, ...]) -> dict[str, Commentary]:
    """The owners' words: ``<measure key>.md`` in ``folder`` (``violent-crime.md``), with ``Reasons`` and
    ``Response`` headings; text before any heading counts as reasons. Measures without a file have none."""
    out = {}
    for m in measures:
        path = folder / f"{m.definition.key}.md"
        if not path.is_file():
            continue
        parts: dict[str, list[str]] = {"reasons": [], "response": []}
        current = "reasons"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("#"):
                head = line.strip("# ").lower()
                current = "response" if head.startswith("response") else "reasons"
                continue
            parts[current].append(line)
        out[m.definition.name] = Commentary("\n".join(parts["reasons"]).strip(), "\n".join(parts["response"]).strip())
    return out


def _quarter(value: str, measures: tuple[Measure, ...]) -> pd.Timestamp:
    try:
        reading = dates.parse_dates(pd.Series([value]), column="quarter", file="spec")
    except DataError as exc:
        raise SpecError(f"'{value}' is not a quarter", key="quarter",
                        hint="Write it as Q2 2023/24 (a financial quarter) or 2023 Q3.") from exc
    if reading.freq not in ("quarter", "financial_quarter"):
        raise SpecError(f"'{value}' is not a quarter", key="quarter",
                        hint="Write it as Q2 2023/24 (a financial quarter) or 2023 Q3.")
    start = pd.Timestamp(reading.dates.iloc[0])
    short = [m.definition.name for m in measures if start + pd.DateOffset(months=3) > max(m.months)
             + pd.DateOffset(months=1 if m.freq == "month" else 3)]
    if short:
        raise SpecError(f"the data does not cover all of {quarter_label(start)} for: " + ", ".join(short[:5]),
                        key="quarter", hint="Choose an earlier quarter, or add the missing months to the data.")
    return start


@reads_once
def load(ev: Evaluation) -> PerformanceInputs:
    """Read the export, the measure table, the notes and the commentary, and check them all.

    Raises
    ------
    DataError, SpecError
        Naming the file, column, rows or key, and the fix.
    """
    defaults = _defaults()
    options = PerformanceOptions.build(ev, defaults=defaults, shared=_HEADER)
    if ev.get("data") in (None, ""):
        raise SpecError("is required", key="data", hint="Name the export: measure, period, value (or numerator "
                                                         "and denominator).")
    data_path = resolve(ev.get("data"), ev.base_dir)
    table = None
    table_label = "measures"
    if given(ev.get("measures")):
        table_label = f"measures ({display_name(ev.get('measures'))})"
        table = _measure_table(resolve(ev.get("measures"), ev.base_dir), table_label)
    measures = read_measures(data_path, f"data ({display_name(ev.get('data'))})", table, table_label)
    if not any(m.is_rate for m in measures) and options.p_chart != defaults.get("p_chart", True):
        raise SpecError("does not apply to this performance pack", key="p_chart",
                        hint="Remove p_chart from the spec: no measure is a rate with a numerator and denominator.")
    names = {m.definition.name for m in measures}
    notes: tuple[Annotation, ...] = ()
    if given(ev.get("annotations")):
        notes = _annotations(resolve(ev.get("annotations"), ev.base_dir),
                             f"annotations ({display_name(ev.get('annotations'))})", names)
    commentary: dict[str, Commentary] = {}
    if given(ev.get("commentary")):
        folder = resolve(ev.get("commentary"), ev.base_dir)
        if not folder.is_dir():
            raise SpecError(f"the folder '{display_name(ev.get('commentary'))}' does not exist", key="commentary",
                            hint="Name a folder holding one markdown file per measure (violent-crime.md).")
        commentary = read_commentary(folder, measures)
    quarter = _quarter(str(options.quarter), measures) if given(options.quarter) else latest_quarter(measures)
    return PerformanceInputs(measures, quarter, notes, commentary, options)


def analyse(inputs: PerformanceInputs, ev: Evaluation) -> PerformanceResult:
    """The pack for the loaded measures (``ev`` is taken for the shape every template's calls share)."""
    return fit(inputs.measures, quarter=inputs.quarter, spc_rules=inputs.options.spc_rules,
               p_chart=inputs.options.p_chart, annotations=inputs.annotations, commentary=inputs.commentary)
