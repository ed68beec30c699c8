"""Table inputs held in memory: rows with normalised column names, and cells parsed with clear errors.

Each table input of a benefits review reaches the design as rows: a list of
dicts written inline in the spec, a :class:`pandas.DataFrame`, or the
:class:`Records` the template read from a CSV or Excel file. Column names are
matched without regard to case, spaces or hyphens. Every problem a user can
fix raises :class:`~whatworks.errors.DataError` naming the table, the column
(the field), the row and, where there is one, the benefit or task.

Examples
--------
>>> t = records_from([{"ID": "B1", "Baseline": 50}], key="benefits")
>>> t.records, t.label
([{'id': 'B1', 'baseline': 50}], 'benefits (in the spec)')
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath
from typing import Any, Literal, TypeAlias, overload

import pandas as pd

from ...data import read_number
from ...dates import parse_date, written_day_first
from ...errors import DataError, SpecError

__all__ = ["Records", "TableRows", "Cell", "blank", "norm_col", "frame_records", "records_from", "pick_column"]

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}


@dataclass(frozen=True)
class Records:
    """Rows of one table input, with normalised column names."""

    records: list[dict[str, Any]]
    label: str
    rows: list[int] | None = None  # spreadsheet row numbers, header is row 1

    def row(self, i: int) -> list[int]:
        return [self.rows[i]] if self.rows else [i + 1]

    @property
    def columns(self) -> set[str]:
        out: set[str] = set()
        for r in self.records:
            out.update(r)
        return out

    @cached_property
    def day_first(self) -> bool:
        """True when one of the table's slash dates can only be day first (``25/03/2024``),
        which settles how its others (``03/04/2024``) are read."""
        return written_day_first(v for r in self.records for v in r.values())


#: A table input held in memory: :class:`Records`, a :class:`pandas.DataFrame`, or rows
#: written in the spec (a list of dicts, or one dict).
TableRows: TypeAlias = Records | pd.DataFrame | Sequence[Mapping[str, Any]] | Mapping[str, Any]


def norm_col(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower()).replace("/", "_")


def blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def frame_records(frame: pd.DataFrame, *, label: str, first_row: int = 2) -> Records:
    """The rows of a table read from a file (or built in memory), wholly blank rows left out.

    Row ``i`` of the frame is spreadsheet row ``i + first_row`` (the header is row 1).
    """
    frame = frame.copy()
    frame.columns = [norm_col(c) for c in frame.columns]
    records = [{str(k): (None if blank(v) else v) for k, v in rec.items()} for rec in frame.to_dict(orient="records")]
    keep = [i for i, r in enumerate(records) if any(v is not None for v in r.values())]
    return Records([records[i] for i in keep], label, [i + first_row for i in keep])


def records_from(value: Any, *, key: str) -> Records:
    """A table input held in memory: :class:`Records` (kept as they are), a
    :class:`pandas.DataFrame`, or rows written in the spec (a list of dicts, or one dict).

    A file name is refused: files are read by the template's ``load``
    (:func:`whatworks.templates.pir.read_tables`), never here.
    """
    if isinstance(value, Records):
        return value
    if isinstance(value, pd.DataFrame):
        return frame_records(value, label=f"{key} (a table)")
    if isinstance(value, Mapping):
        value = [value]
    if isinstance(value, (str, bytes, PurePath)):
        raise SpecError(f"'{os.fsdecode(value)}' is a file name, but the review takes tables already read", key=key,
                        hint="Read the files first: ww.pir.read_tables(...) or ww.pir.load(ev).")
    if isinstance(value, Sequence) and all(isinstance(v, Mapping) for v in value):
        records = [{norm_col(k): (None if blank(v) else v) for k, v in item.items()} for item in value]
        return Records(records, f"{key} (in the spec)", None)
    raise SpecError("expected a file name or a list of rows", key=key,
                    hint="Give a path to a CSV or Excel file, or list the rows under the key.")


@overload
def pick_column(records: Sequence[Mapping[str, Any]], label: str, names: Sequence[str], *,
                required: Literal[True] = ...) -> str: ...
@overload
def pick_column(records: Sequence[Mapping[str, Any]], label: str, names: Sequence[str], *,
                required: bool) -> str | None: ...
def pick_column(records: Sequence[Mapping[str, Any]], label: str, names: Sequence[str], *,
                required: bool = True) -> str | None:
    """The first of ``names`` present in the records; an error if required and absent."""
    present: set[str] = set()
    for r in records:
        present.update(r)
    for name in names:
        if name in present:
            return name
    if required:
        raise DataError(f"there is no column '{names[0]}'", file=label, column=names[0],
                        hint=f"Add a '{names[0]}' column (found: {', '.join(sorted(present)) or 'none'}).")
    return None


# -- cell parsing -------------------------------------------------------------
class Cell:
    """Parse one cell of one row, raising errors that name row, field and subject."""

    def __init__(self, table: Records, i: int, subject: str) -> None:
        self.table, self.i, self.subject = table, i, subject
        self.rec = table.records[i]

    def fail(self, field_: str, problem: str, hint: str) -> DataError:
        return DataError(f"{self.subject}: {problem}", file=self.table.label, column=field_,
                         rows=self.table.row(self.i), hint=hint)

    def text(self, name: str) -> str | None:
        v = self.rec.get(name)
        return None if blank(v) else str(v).strip()

    def number(self, name: str, *, hint: str = "Write a plain number, without units.") -> float | None:
        v = self.rec.get(name)
        if blank(v):
            return None
        if isinstance(v, bool):
            raise self.fail(name, f"'{v}' is not a number", hint)
        if isinstance(v, (int, float)):
            out: float | None = float(v)
        else:  # text: a decimal comma, thousands separator or £ only where they cannot be misread
            out = read_number(v, file=self.table.label, column=name, row=self.table.row(self.i))
        if out is None or not math.isfinite(out):
            raise self.fail(name, f"'{v}' is not a number", hint)
        return out

    def date(self, name: str) -> _dt.date | None:
        """The cell as a date, read by :func:`whatworks.dates.parse_date` (UK day first).

        A slash date that could be day first or month first (``03/04/2025``)
        is refused unless another date in the table settles the order.
        """
        v = self.rec.get(name)
        if blank(v):
            return None
        try:
            return parse_date(v, file=self.table.label, column=name,
                              day_first=self.table.day_first).date()
        except DataError as err:
            raise self.fail(name, err.message, err.hint or "") from None

    def flag(self, name: str) -> bool:
        v = self.rec.get(name)
        if isinstance(v, bool):
            return v
        word = "" if blank(v) else str(v).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise self.fail(name, f"'{v}' is not yes or no", "Write true or false (or yes or no).")
