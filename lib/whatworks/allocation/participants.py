"""Reading a participant list and checking allocation settings, for :mod:`whatworks.allocation`.

Every problem a user can fix raises :class:`~whatworks.errors.DataError` or
:class:`~whatworks.errors.SpecError` naming the file, column, rows or key.
"""

from __future__ import annotations

import difflib
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, SpecError
from .methods import BLOCKED, METHODS

__all__ = ["read_participants", "check_arms", "check_settings", "suggest"]

_EXCEL = (".xlsx", ".xlsm", ".xls")


def suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.6)
    shown = ", ".join(f"'{o}'" for o in list(options)[:12])
    return (f"Did you mean '{close[0]}'? " if close else "") + f"The columns are: {shown}."


def read_participants(
    path: str | Path, id_column: str, sheet: str | int | None = None
) -> tuple[pd.DataFrame, bytes]:
    """The participant list with its id column as text, and the file's bytes.

    Raises :class:`~whatworks.errors.DataError` when the file cannot be read,
    the id column is missing, or an id is blank or repeated.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataError("the participant list was not found", file=str(path),
                        hint="Check the participants path in the spec (relative to the spec file).")
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(io.BytesIO(raw), dtype={id_column: str})
        elif suffix in _EXCEL:
            frame = pd.read_excel(io.BytesIO(raw), sheet_name=0 if sheet is None else sheet,
                                  dtype={id_column: str})
        else:
            raise DataError(f"cannot read a '{suffix or 'no extension'}' file", file=name,
                            hint="Save the participant list as CSV or Excel (.xlsx).")
    except DataError:
        raise
    except Exception as exc:  # pandas raises many types for unreadable files
        raise DataError(f"the participant list could not be read ({exc})", file=name,
                        hint="Open it in a spreadsheet, check it, and save it again as CSV or .xlsx.") from None
    frame.columns = [str(c) for c in frame.columns]
    if id_column not in frame.columns:
        raise DataError(f"there is no id column '{id_column}'", file=name, hint=suggest(id_column, frame.columns))
    if frame.empty:
        raise DataError("the participant list has no rows", file=name)
    ids = frame[id_column].astype("string").str.strip()
    blank = ids.isna() | (ids == "")
    if blank.any():
        raise DataError("some participants have no id", file=name, column=id_column,
                        rows=(np.flatnonzero(blank.to_numpy()) + 2).tolist(),
                        hint="Every participant needs an id; fill them in or remove those rows.")
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        rows = (np.flatnonzero(dup) + 2).tolist()
        groups = int(ids[dup].nunique())
        # the rows, never the ids: a message may be copied into a status file or an e-mail
        raise DataError(f"participant ids must be unique, but {groups} appear more than once",
                        file=name, column=id_column, rows=rows,
                        hint="Remove the repeated people (or give them distinct ids) and allocate again.")
    frame[id_column] = ids.astype(str).to_numpy()
    return frame, raw


def check_arms(arms: Mapping[str, float], method: str) -> tuple[list[str], list[float]]:
    if not isinstance(arms, Mapping) or len(arms) < 2:
        raise SpecError("a trial needs at least two arms, the control first", key="arms",
                        hint="For example arms: {bau_letter: 1, enhanced_letter: 1, advocate_call: 1}.")
    names = [str(a).strip() for a in arms]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise SpecError("arm names must be distinct and not blank", key="arms")
    ratios = []
    for name, value in zip(names, arms.values()):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
        if not ok:
            raise SpecError(f"arm '{name}' has ratio {value!r}; ratios must be positive numbers", key="arms",
                            hint="Give each arm a positive ratio, e.g. 1 for equal arms or 2 for twice as many.")
        ratios.append(float(value))
    if method in BLOCKED and any(not r.is_integer() for r in ratios):
        raise SpecError(f"method '{method}' needs whole-number ratios, not {ratios}", key="arms",
                        hint="Write the ratios as whole numbers, e.g. 2:1:1 rather than 0.5:0.25:0.25.")
    return names, ratios


def check_settings(method: str, ratios: list[float], strata: Sequence[str], block_size: object,
                   columns: Sequence[str], file: str) -> int | None:
    if method not in METHODS:
        raise SpecError(f"unknown method '{method}'", key="method", hint=f"Use one of: {', '.join(METHODS)}.")
    if method == "stratified" and not strata:
        raise SpecError("stratified allocation needs strata columns", key="strata",
                        hint="List the columns to stratify by, e.g. strata: [force_area, age_band].")
    if strata and method != "stratified":
        raise SpecError(f"strata are only used by method 'stratified', not '{method}'", key="strata",
                        hint="Use method: stratified, or remove strata.")
    for col in strata:
        if col not in columns:
            raise DataError(f"there is no strata column '{col}'", file=file, hint=suggest(col, columns))
    if method not in BLOCKED:
        if block_size is not None:
            raise SpecError(f"block_size is only used by methods 'block' and 'stratified', not '{method}'",
                            key="block_size", hint="Remove block_size, or use method: block.")
        return None
    total = int(sum(ratios))
    if block_size is None:
        return 2 * total
    if isinstance(block_size, bool) or not isinstance(block_size, (int, float)) or block_size <= 0 \
            or not float(block_size).is_integer() or int(block_size) % total:
        options = ", ".join(str(total * k) for k in range(1, 4))
        raise SpecError(f"block_size {block_size} is not a multiple of the ratio sum {total}", key="block_size",
                        hint=f"Each block must hold whole sets of the ratio: use {options}, ...")
    return int(block_size)
