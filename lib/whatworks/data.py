"""Reading exports (CSV and Excel) into tidy series ready for analysis.

Every problem a user can fix in the data raises :class:`~whatworks.errors.DataError`
naming the file, the column, the spreadsheet rows (the header is row 1) and
how to fix it; a problem in the spec raises :class:`~whatworks.errors.SpecError`
naming the key.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"week": ["2024-03-04", "2024-03-11", "2024-03-18"],
...                     "burglaries": [12, 9, 14]})
>>> series = load_series(raw, date_column="week", outcome_column="burglaries",
...                      label="burglary.csv")
>>> series.freq, series.frame["outcome"].tolist()
('week', [12.0, 9.0, 14.0])
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypedDict, TypeGuard, get_args

import numpy as np
import pandas as pd

from . import dates
from .errors import DataError, SpecError
from .text import plural

__all__ = ["SeriesData", "read_table", "require_columns", "load_series", "resolve",
           "display_name", "read_numbers", "read_number", "NumberReading", "unit_weights"]

Freq = Literal["day", "week", "month", "quarter", "financial_quarter", "year", "financial_year"]


def _is_freq(name: str) -> TypeGuard[Freq]:
    return name in get_args(Freq)


_SHOWN = 5
_RESERVED = ("period", "outcome", "denominator", "exposure", "group", "unit", "excluded", "weight")
#: The longer periods a weekly or daily series can be added up to (``report_by``).
REPORT_BY = ("month", "quarter")
_HINT_AGGREGATE = dates.HINT_AGGREGATE


@dataclass(frozen=True)
class SeriesData:
    """A tidy series (or panel of series) ready for a design to fit.

    Attributes
    ----------
    frame
        One row per period (per group and/or unit when given), sorted by
        unit, group and period, with a ``RangeIndex`` and columns:

        - ``period``: ``pd.Timestamp``, the start of the period;
        - ``outcome``: float, the count, numerator or value;
        - ``denominator``: float, only for proportions;
        - ``exposure``: float, only when an exposure column is given;
        - ``group``: str, only with a breakdown column (e.g. crime type);
        - ``unit``: str, only with a unit column (area, site);
        - ``weight``: float, only with a weight column: each unit's weight
          (its population), the same on every row of the unit;
        - ``excluded``: bool, True for periods in ``exclude_periods``;
        - one column per name in ``output_columns`` (activity measures).
    freq
        ``day``, ``week``, ``month`` or ``quarter``.
    source
        The data file as the user named it (for messages and provenance).
    outcome_label
        What the outcome is, for people ("incidents", or the column name in words).
    notes
        What was done to the data on the way in, in words (blank rows
        skipped, empty periods filled), for a report's method notes.
    added_up_from
        ``week`` or ``day`` when ``report_by`` added the rows up to ``freq``;
        a count's ``exposure`` then holds the weeks (or days) of each period,
        unless the data gave an exposure column.
    weight_label
        What the ``weight`` column is, in words (``None`` without one).
    weight_notes
        What was done to the weights (a unit's mean used, units with
        weight 0 left out), for the method notes of a weighted analysis.
    """

    frame: pd.DataFrame
    freq: Freq
    source: str = "data"
    outcome_label: str = "outcome"
    notes: tuple[str, ...] = ()
    added_up_from: str | None = None
    weight_label: str | None = None
    weight_notes: tuple[str, ...] = ()


# --- files -------------------------------------------------------------------


def display_name(path: str | os.PathLike[str]) -> str:
    """How to name a file in messages: relative to the current folder when
    inside it, otherwise as given.

    >>> display_name("data/theft.csv")
    'data/theft.csv'
    >>> display_name(Path.cwd() / "theft.csv")
    'theft.csv'
    """
    p = Path(path)
    if p.is_absolute():
        try:
            return p.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return os.fspath(path)
    return os.fspath(path)


def resolve(path: str | os.PathLike[str], base_dir: str | os.PathLike[str]) -> Path:
    """A path from a spec, read relative to the spec's folder ``base_dir``.

    >>> resolve("theft.csv", "/evaluations/burglary").as_posix()
    '/evaluations/burglary/theft.csv'
    """
    p = Path(path).expanduser()
    return p if p.is_absolute() else Path(base_dir) / p


def _sniff_separator(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        raise UnicodeDecodeError("binary", head[:1], 0, 1, "not a text file")
    first = head.decode("latin-1").splitlines()[0] if head.strip() else ""
    counts = {sep: first.count(sep) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


class _NaOptions(TypedDict):
    keep_default_na: bool
    na_values: list[str]


#: Only an empty cell is missing: "n/a", "NULL" or "-" in a count column is a
#: value to name in an error, not a silent blank.
_ONLY_BLANK_IS_MISSING: _NaOptions = {"keep_default_na": False, "na_values": [""]}


#: How many rows at the top of a file are searched for the header row.
_TOP_ROWS = 30


def _title_rows(top: Sequence[Sequence[object]]) -> int:
    """How many rows above the header: a title, a date of export or blank lines (each with at most half
    as many cells filled as the header, and at most one when the table is narrow).

    >>> _title_rows([["Incidents, Castle ward"], [], ["date", "count"], ["2024-01-01", "3"]])
    2
    >>> _title_rows([["date", "count"], ["2024-01-01", "3"]])
    0
    >>> _title_rows([["Thefts", " Castle ward"], ["week", "ward", "type", "count"], ["2024-01-01", "A", "B", "3"]])
    1
    """
    widths = [sum(1 for c in row if str(c).strip()) for row in top]
    if not widths or max(widths) < 2:
        return 0
    widest = max(widths)
    first = widths.index(widest)
    return first if all(w <= max(1, widest // 2) for w in widths[:first]) else 0


def _top_of_csv(path: Path, sep: str, encoding: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        head = fh.read(1 << 16)
    lines = head.splitlines(keepends=True)[:_TOP_ROWS]
    return [row for row in csv.reader(lines, delimiter=sep)]


def _columns_to_read(header: Sequence[str], columns: Sequence[str] | None) -> list[int] | None:
    """Positions of the named columns, when every one is in the header once (otherwise read them all)."""
    if columns is None or len(set(header)) != len(header) or not all(c in header for c in columns):
        return None
    return sorted({header.index(c) for c in columns})


def _read_csv(path: Path, sheet: str | None, label: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    if sheet is not None:
        raise SpecError(f"'{label}' is a CSV file, which has no sheets", key="sheet",
                        hint="Remove sheet from the spec, or point to the Excel workbook.")
    try:
        sep = _sniff_separator(path)
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                top = _top_of_csv(path, sep, encoding)
                if not any(any(c.strip() for c in row) for row in top):
                    raise pd.errors.EmptyDataError("no columns")
                skip = _title_rows(top)
                header = [c.strip() for c in top[skip]]
                use = _columns_to_read(header, columns)
                df = pd.read_csv(path, sep=sep, skip_blank_lines=False, encoding=encoding, dtype=str,
                                 header=skip, usecols=use, **_ONLY_BLANK_IS_MISSING)
                break
            except UnicodeDecodeError:
                if encoding == "cp1252":
                    raise
        positions = use if use is not None else range(df.shape[1])
        if len(header) >= df.shape[1] and (use is not None or len(header) == df.shape[1]):
            df = df.set_axis([header[i] or str(df.columns[k]) for k, i in enumerate(positions)], axis=1)
        df.attrs["title_rows"] = skip
        return df
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty", file=label,
                        hint="Export the data again with a header row and at least one row "
                             "of data.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError("the file could not be read as a CSV table", file=label,
                        hint="Open it in Excel and save it as 'CSV (comma delimited)'. "
                             f"(Detail: {str(exc).strip().splitlines()[0]})") from None


def _hidden_rows(path: Path, sheet_index: int) -> list[int]:
    """Spreadsheet rows hidden in a workbook's sheet (by a filter or by hand), read from the sheet's XML."""
    import xml.etree.ElementTree as ET
    import zipfile

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        with zipfile.ZipFile(path) as z:
            book = ET.fromstring(z.read("xl/workbook.xml"))
            sheets = book.findall(f"{main}sheets/{main}sheet")
            rid = sheets[sheet_index].get(f"{rel}id")
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            target = next(r.get("Target") for r in rels if r.get("Id") == rid)
            name = str(target).lstrip("/")
            name = name if name.startswith("xl/") else "xl/" + name
            hidden = []
            with z.open(name) as fh:
                for _, element in ET.iterparse(fh):
                    if element.tag == f"{main}row":
                        if element.get("hidden") in ("1", "true") and element.get("r"):
                            hidden.append(int(str(element.get("r"))))
                        element.clear()
            return hidden
    except (KeyError, IndexError, StopIteration, ValueError, OSError, ET.ParseError, zipfile.BadZipFile):
        return []


def _read_excel(path: Path, sheet: str | None, label: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise DataError("the file could not be read as an Excel workbook", file=label,
                        hint="Open it in Excel and save it again as .xlsx, or export it as CSV. "
                             f"(Detail: {type(exc).__name__})") from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None and sheet not in names:
            near = difflib.get_close_matches(sheet, names, n=1, cutoff=0.5)
            guess = f" Did you mean '{near[0]}'?" if near else ""
            raise DataError(f"there is no sheet named '{sheet}'", file=label,
                            hint=f"The workbook has {plural(len(names), 'sheet')}: "
                                 + ", ".join(f"'{n}'" for n in names)
                                 + f".{guess} Set sheet in the spec to one of them.")
        name = names[0] if sheet is None else sheet
        top = pd.read_excel(book, sheet_name=name, header=None, nrows=_TOP_ROWS)
        rows = [["" if pd.isna(v) else str(v) for v in r] for r in top.itertuples(index=False)]
        skip = _title_rows(rows)
        df = pd.read_excel(book, sheet_name=name, header=skip)
        if rows:
            df = _as_written(df, pd.DataFrame([top.iloc[skip].tolist()]))
    if df.shape[1] == 0:
        raise DataError(f"sheet '{name}' is empty", file=label,
                        hint="Put a header row and the data on that sheet, or name another sheet.")
    hidden = [r for r in _hidden_rows(path, names.index(name)) if r > skip + 1]
    if hidden:
        raise DataError(f"{plural(len(hidden), 'row')} of sheet '{name}' "
                        f"{'is' if len(hidden) == 1 else 'are'} hidden in Excel (by a filter or by hand), "
                        "but whatworks reads every row, hidden or not", file=label, rows=hidden,
                        hint="Clear the filter and unhide the rows (Data > Clear), then delete the rows that "
                             "should not be counted, save, and run again.")
    df.attrs["title_rows"] = skip
    return df


def _as_written(df: pd.DataFrame, header: pd.DataFrame) -> pd.DataFrame:
    """Column names as the header row spells them (pandas renames a repeated
    name ``count`` to ``count.1``; keep it, so the repeat can be refused)."""
    if header.shape[1] != df.shape[1] or header.empty:
        return df
    names = [w if isinstance(w, str) and w.strip() else c
             for w, c in zip(header.iloc[0].tolist(), df.columns)]
    return df.set_axis(names, axis=1)


_READERS: dict[str, Callable[[Path, str | None, str, Sequence[str] | None], pd.DataFrame]] = {
    ".csv": _read_csv, ".txt": _read_csv, ".xlsx": _read_excel, ".xlsm": _read_excel,
}


def read_table(path: str | os.PathLike[str], *, sheet: str | None = None,
               label: str | None = None, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.txt``) or Excel (``.xlsx``, ``.xlsm``) export.

    Column names are stripped of surrounding spaces; wholly empty rows at the
    end are dropped (those inside are kept, so row ``i`` of the frame is
    spreadsheet row ``i + first_row(frame)``). CSV files may be separated by
    commas, tabs, semicolons or bars, in UTF-8 or Windows encoding. Title
    rows above the header (a title, a date of export: one cell filled each)
    are found and skipped; :func:`first_row` says where the data starts.

    Every column is typed by one number reader (:func:`read_numbers`): a
    column whose every cell is a number becomes numbers, read as typed (a
    decimal comma, a comma between thousands or a pound sign only where no
    cell of the column leaves doubt); a column of whole numbers written with
    leading zeros (``0000100``: ids) stays text; a column of numbers with an
    infinite or not-a-number cell is refused. Rows hidden in an Excel
    workbook are refused (whatworks reads every row).

    Parameters
    ----------
    path
        The file.
    sheet
        The worksheet to read from a workbook (default: the first).
    label
        How messages name the file (default: :func:`display_name` of ``path``,
        which is the path as given unless it is absolute).
    columns
        Read only these columns (all of them when any is not in the file, so
        the caller can name it): a large export is read in a fraction of the
        memory.

    Raises
    ------
    DataError
        The file is missing, empty, unreadable, of an unsupported type, or
        has no sheet called ``sheet``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text(" month ,count\\n2024-01,3\\n")
    >>> read_table(folder / "t.csv").columns.tolist()
    ['month', 'count']
    """
    p = Path(path)
    label = display_name(path) if label is None else label
    if not p.exists():
        near = difflib.get_close_matches(p.name, [c.name for c in p.parent.glob("*")], n=1) \
            if p.parent.is_dir() else []
        guess = f" There is a file called '{near[0]}' in that folder." if near else ""
        raise DataError("the data file was not found", file=label,
                        hint="Check the file name and folder. Paths in a spec are relative to "
                             f"the folder that holds the spec file.{guess}")
    reader = _READERS.get(p.suffix.lower())
    if reader is None:
        old = " Open it in Excel and save it as .xlsx." if p.suffix.lower() == ".xls" else ""
        raise DataError(f"files of type '{p.suffix or '(none)'}' cannot be read", file=label,
                        hint="Use a CSV file (.csv, .txt) or an Excel workbook (.xlsx, .xlsm)." + old)
    try:
        df = reader(p, sheet, label, columns)
    except (IsADirectoryError, PermissionError) as exc:
        raise DataError(f"the file could not be opened ({exc.strerror})", file=label,
                        hint="Check that it is a file you can open, and that it is not open "
                             "in another program.") from None
    df = df.rename(columns=lambda c: str(c).strip())
    doubled = df.columns[df.columns.duplicated()].tolist()
    if doubled:
        raise DataError("this column name appears more than once in the header", file=label,
                        column=doubled[0], hint="Give every column a different name.")
    title_rows = int(df.attrs.get("title_rows", 0))
    filled = np.flatnonzero(~_blank_rows(df))
    df = df.iloc[: filled[-1] + 1 if len(filled) else 0]
    if df.empty:
        raise DataError("the file has a header row but no data", file=label,
                        hint="Export the data again, including the rows.")
    df = _typed(df, label, title_rows + 2)
    df.attrs["title_rows"] = title_rows
    return df


def first_row(frame: pd.DataFrame) -> int:
    """The spreadsheet row of a frame's first data row: 2, or lower down under title rows."""
    return int(frame.attrs.get("title_rows", 0)) + 2


def title_note(frame: pd.DataFrame, file: str) -> str | None:
    """Words for a report's notes when title rows above the header were skipped."""
    n = int(frame.attrs.get("title_rows", 0))
    if not n:
        return None
    return (f"The header of {file} is on row {n + 1}; the {plural(n, 'row')} above it (a title) "
            f"{'was' if n == 1 else 'were'} skipped.")


_TRUE_FALSE = {"True": True, "TRUE": True, "true": True, "False": False, "FALSE": False, "false": False}


def _typed(df: pd.DataFrame, file: str, first: int) -> pd.DataFrame:
    """Text columns that hold only numbers (or only true/false) as numbers (bools), by one reader."""
    out = {}
    for col in df.columns:
        raw = df[col]
        if not (raw.dtype == object or pd.api.types.is_string_dtype(raw)):
            if pd.api.types.is_float_dtype(raw) and np.isinf(raw.to_numpy()).any():
                reading = read_numbers(raw)
                _refuse_reading(reading, raw, np.arange(len(raw)) + first, str(col), file)
            continue
        present = raw.dropna()
        if present.empty:
            continue
        strings = present[present.map(lambda v: isinstance(v, str))]
        unique = pd.unique(strings)
        if len(strings) == len(present) and all(u in _TRUE_FALSE for u in unique):
            out[col] = raw.map(_TRUE_FALSE) if len(present) == len(raw) else raw.map(
                lambda v: _TRUE_FALSE.get(v, v))
            continue
        if any(_LEADING_ZERO.match(u.strip()) for u in unique):
            continue  # ids written with leading zeros stay text
        reading = read_numbers(raw)
        blank = raw.isna().to_numpy() | raw.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy()
        numbers = ~blank & ~reading.bad & ~reading.doubtful
        if reading.non_finite.any() and (numbers | blank | reading.non_finite).all():
            _refuse_reading(reading, raw, np.arange(len(raw)) + first, str(col), file)
        if (numbers | blank).all() and numbers.any() and not reading.doubtful.any():
            x = reading.values
            whole = not blank.any() and bool(np.all(x == np.round(x))) and bool(np.all(np.abs(x) < 2 ** 53))
            out[col] = pd.Series(x.astype(np.int64) if whole else x, index=raw.index)
    if out:
        attrs = dict(df.attrs)
        df = df.assign(**{str(k): v for k, v in out.items()})
        df.attrs.update(attrs)
    return df


def _blank_rows(df: pd.DataFrame) -> np.ndarray:
    """True for rows with nothing in any cell (blank text counts as nothing)."""
    empty = df.isna()
    for col in df.columns:
        if pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_datetime64_any_dtype(df[col]):
            continue
        unique = df[col].dropna().unique()
        blanks = [v for v in unique if isinstance(v, str) and not v.strip()]
        if blanks:
            empty[col] = empty[col] | df[col].isin(blanks)
    return empty.all(axis=1).to_numpy()


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, file: str,
                    key: str | None = None) -> None:
    """Refuse a spec that names a column the file does not have.

    The message names the missing column, the spec key that named it and the
    nearest column the file does have.

    >>> df = pd.DataFrame({"Offence count": [1]})
    >>> require_columns(df, ["offence count"], file="x.csv", key="outcome_column")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    whatworks.errors.DataError: x.csv: there is no column 'offence count' ... Did you mean 'Offence count'? ...
    """
    have = [str(c) for c in df.columns]
    for column in columns:
        if column in have:
            continue
        folded = {h.casefold().replace(" ", ""): h for h in have}
        near = [folded[k] for k in [str(column).casefold().replace(" ", "")] if k in folded]
        near = near or difflib.get_close_matches(str(column), have, n=1, cutoff=0.6)
        guess = f"Did you mean '{near[0]}'? " if near else ""
        named = f" (named by {key} in the spec)" if key else ""
        listed = ", ".join(f"'{h}'" for h in have[:12]) + (", ..." if len(have) > 12 else "")
        raise DataError(f"there is no column '{column}'{named}", file=file,
                        hint=f"{guess}The columns are: {listed}. Correct the spec"
                             + (f" key {key}" if key else "") + " to use one of them.")


# --- numbers -------------------------------------------------------------------
#
# One reader for every number in a file. A cell is read as the number the
# person typed: "1032", "103.2", "£1,234.50", "103,2" (a decimal comma), or
# "1.234,5" (dots between thousands, a decimal comma). Where a cell could be
# read two ways ("1,234": one thousand two hundred and thirty-four, or one
# point two three four) the other cells of its column decide; when none do,
# the cell is refused, naming the file, column and rows, unless the column
# holds whole numbers (counts), where only the thousands reading is possible.

_PLAIN = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_POINT_GROUPED = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")     # 1,234  1,234.5
_COMMA_GROUPED = re.compile(r"^[-+]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")     # 1.234  1.234,5
_COMMA_DECIMAL = re.compile(r"^[-+]?\d*,\d+$")                           # 103,2  1,234
_LEADING_ZERO = re.compile(r"^[-+]?0\d+$")
_NON_FINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "-nan", "+nan"}

Mark = Literal[".", ","]


def _clean(text: str) -> str:
    """A cell's text without surrounding spaces and a pound sign (``£12``, ``-£12``, ``£ 12``)."""
    t = text.strip()
    sign = ""
    if t[:1] in "+-" and t[1:2] == "£":
        sign, t = t[:1], t[1:]
    if t.startswith("£"):
        t = t[1:].strip()
    return sign + t


def _evidence(t: str) -> Mark | None:
    """The decimal mark a cleaned cell shows beyond doubt, if any."""
    if _PLAIN.match(t):
        if "." in t and not re.search(r"\.\d{3}$", t):
            return "."  # 103.25, 1.5: a point can only be decimal
        return None  # 1032; or 1.234 (a decimal point, or dots between thousands)
    if re.match(r"^[-+]?\d{1,3}(?:,\d{3}){2,}$", t) or re.match(r"^[-+]?\d{1,3}(?:,\d{3})+\.\d+$", t):
        return "."  # 1,234,567  1,234.5
    if re.match(r"^[-+]?\d{1,3}(?:\.\d{3}){2,}$", t) or re.match(r"^[-+]?\d{1,3}(?:\.\d{3})+,\d+$", t):
        return ","  # 1.234.567  1.234,5
    if _COMMA_DECIMAL.match(t) and not re.search(r",\d{3}$", t):
        return ","  # 103,2  0,75
    return None


def _read_as(t: str, mark: Mark | None, whole: bool) -> float | None:
    """A cleaned cell read with decimal ``mark`` (None: not known); None if it is not a number that way."""
    if mark == ",":
        if _COMMA_GROUPED.match(t):
            return float(t.replace(".", "").replace(",", "."))
        if _COMMA_DECIMAL.match(t) or re.match(r"^[-+]?\d+$", t):
            return float(t.replace(",", "."))
        return None
    if _PLAIN.match(t) and (mark == "." or not re.search(r"^[-+]?\d{1,3}\.\d{3}$", t) or not whole):
        return float(t)
    if _POINT_GROUPED.match(t) and (mark == "." or whole):
        return float(t.replace(",", ""))
    if _PLAIN.match(t):
        return float(t)
    return None


def _doubtful(t: str) -> bool:
    """Whether a cleaned cell reads as two different numbers, by decimal point or by decimal comma."""
    return bool(re.match(r"^[-+]?\d{1,3}[.,]\d{3}$", t))


class NumberReading:
    """A column read as numbers: the values (NaN where blank), and which cells failed and why."""

    def __init__(self, values: np.ndarray, bad: np.ndarray, doubtful: np.ndarray, non_finite: np.ndarray,
                 mark: Mark | None) -> None:
        self.values, self.bad, self.doubtful, self.non_finite, self.mark = values, bad, doubtful, non_finite, mark


def read_numbers(raw: pd.Series, *, whole: bool = False) -> NumberReading:
    """Read a column of cells (text or numbers) as numbers, by the rules above.

    ``whole``: the column holds whole numbers (counts), so ``1,234`` can only
    mean one thousand two hundred and thirty-four.

    >>> r = read_numbers(pd.Series(["103,2", "45", "", "£1.234,50"]))
    >>> r.values.tolist()[:2], r.mark, bool(r.bad.any())
    ([103.2, 45.0], ',', False)
    >>> read_numbers(pd.Series(["1,234", "987"])).doubtful.tolist()
    [True, False]
    >>> read_numbers(pd.Series(["1,234", "987"]), whole=True).values.tolist()
    [1234.0, 987.0]
    """
    raw = raw.reset_index(drop=True)
    n = len(raw)
    values = np.full(n, np.nan)
    bad = np.zeros(n, bool)
    non_finite = np.zeros(n, bool)
    doubtful = np.zeros(n, bool)
    if pd.api.types.is_bool_dtype(raw):
        return NumberReading(values, raw.notna().to_numpy(), doubtful, non_finite, None)
    if pd.api.types.is_numeric_dtype(raw):
        x = raw.to_numpy(dtype=float, na_value=np.nan)
        non_finite = np.isinf(x)
        return NumberReading(np.where(non_finite, np.nan, x), non_finite, doubtful, non_finite, None)
    codes, unique = pd.factorize(raw, use_na_sentinel=True)
    texts: list[str | None] = []
    u_val = np.full(len(unique), np.nan)
    u_bad = np.zeros(len(unique), bool)
    u_inf = np.zeros(len(unique), bool)
    for i, v in enumerate(unique):
        if isinstance(v, (bool, np.bool_)):
            u_bad[i] = True
            texts.append(None)
        elif isinstance(v, (int, float, np.integer, np.floating)):
            if np.isfinite(v):
                u_val[i] = float(v)
            elif not np.isnan(v):
                u_bad[i] = u_inf[i] = True
            texts.append(None)
        elif isinstance(v, str):
            t = _clean(v)
            texts.append(t if t else None)
            if t.lower() in _NON_FINITE:
                u_bad[i] = u_inf[i] = True
                texts[-1] = None
        else:
            u_bad[i] = True
            texts.append(None)
    marks = {m for m in (_evidence(t) for t in texts if t) if m}
    mark: Mark | None = marks.pop() if len(marks) == 1 else None
    mixed = len(marks) > 1
    u_doubt = np.zeros(len(unique), bool)
    for i, cell in enumerate(texts):
        if not cell:
            continue
        if mixed and (_evidence(cell) == "," or "," in cell):
            u_doubt[i] = True
            continue
        if mark is None and not whole and _doubtful(cell) and "," in cell:
            u_doubt[i] = True
            continue
        got = _read_as(cell, mark, whole)
        if got is None or not np.isfinite(got):
            u_bad[i] = True
        else:
            u_val[i] = got
    seen = codes >= 0
    values[seen] = u_val[codes[seen]]
    bad[seen] = u_bad[codes[seen]]
    doubtful[seen] = u_doubt[codes[seen]]
    non_finite[seen] = u_inf[codes[seen]]
    return NumberReading(values, bad, doubtful, non_finite, mark)


def read_number(value: object, *, file: str, column: str, row: int | Sequence[int] | None = None,
                whole: bool = False) -> float | None:
    """One cell as a number (None when blank), by :func:`read_numbers`' rules; a :class:`DataError`
    naming the file, column and row when it is not a number or could be read two ways.

    >>> read_number("103,2", file="timings.csv", column="minutes", row=7)
    103.2
    >>> read_number("£1,250.00", file="costs.csv", column="cost", row=3)
    1250.0
    """
    rows = [] if row is None else ([row] if isinstance(row, int) else list(row))
    reading = read_numbers(pd.Series([value], dtype=object), whole=whole)
    _refuse_reading(reading, pd.Series([value], dtype=object), np.asarray(rows[:1] or [0]), column, file)
    x = reading.values[0]
    return None if np.isnan(x) else float(x)


def _refuse_reading(reading: NumberReading, raw: pd.Series, rows: np.ndarray, column: str, file: str) -> None:
    raw = raw.reset_index(drop=True)
    _refuse(reading.non_finite, raw, rows, column, file, "these cells are not finite numbers: {shown}",
            "Correct those cells so each holds an ordinary number (infinite or not-a-number values "
            "cannot be analysed); leave a cell blank where the value is unknown.")
    _refuse(reading.doubtful, raw, rows, column, file,
            "these numbers could be read two ways (a decimal comma, or a comma between thousands)",
            "Write them without the doubt: 1234 or 1.234 (a point for decimals, nothing between "
            "thousands), so 103,2 becomes 103.2 and 1,250 becomes 1250.")
    _refuse(reading.bad, raw, rows, column, file, "these values are not numbers: {shown}",
            "Correct those cells so each holds a number (no text, units or symbols).")


# --- values ------------------------------------------------------------------

def _refuse(mask: np.ndarray, raw: pd.Series, rows: np.ndarray, column: str, file: str,
            message: str, hint: str) -> None:
    """A :class:`DataError` naming ``file``, ``column`` and the rows of ``mask``, if any; ``{shown}`` in
    ``message`` quotes the first few distinct cells."""
    if mask.any():
        shown = ", ".join(f"'{v}'" for v in raw[mask].astype(str).drop_duplicates().head(_SHOWN))
        raise DataError(message.format(shown=shown), file=file, column=column,
                        rows=[int(r) for r in rows[mask]], hint=hint)


def _numbers(raw: pd.Series, *, column: str, file: str, rows: np.ndarray, whole: bool = False) -> np.ndarray:
    """A column as floats, by :func:`read_numbers`; blank, non-numeric, non-finite or doubtful cells are refused."""
    raw = raw.reset_index(drop=True)
    reading = read_numbers(raw, whole=whole)
    _refuse_reading(reading, raw, rows, column, file)
    _refuse(np.isnan(reading.values), raw, rows, column, file, "these cells are blank",
            "Fill them in (with 0 where nothing happened), or delete rows that are not data.")
    return reading.values


def _check_count(x: np.ndarray, raw: pd.Series, rows: np.ndarray, column: str, file: str) -> None:
    _refuse(x < 0, raw, rows, column, file, "counts cannot be negative: {shown}",
            "Correct those cells; a count is 0 or more.")
    _refuse(x != np.round(x), raw, rows, column, file, "counts must be whole numbers: {shown}",
            "Correct those cells, or use outcome_type: continuous if the values are not counts.")


def _check_nothing(x: np.ndarray, raw: pd.Series, rows: np.ndarray, column: str, file: str) -> None:
    return None


#: What each outcome type requires of the outcome column (beyond being numbers).
_OUTCOME_CHECKS: dict[str, Callable[..., None]] = {
    "count": _check_count,
    "proportion": _check_count,  # the numerator is a count of cases
    "continuous": _check_nothing,
}


def _names(raw: pd.Series, *, column: str, file: str, rows: np.ndarray, what: str) -> pd.Series:
    """Unit or category names: stripped text, refusing blanks and spellings that
    differ only in capitals or spaces."""
    raw = raw.reset_index(drop=True)

    def text(v: object) -> str:
        if isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
            return str(int(v))
        missing = v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
        return "" if missing else str(v).strip()

    unique = raw.dropna().unique()
    names = raw.map(dict(zip(unique, map(text, unique)))).fillna("").astype(object)
    _refuse((names == "").to_numpy(), raw, rows, column, file, f"the {what} is blank",
            f"Fill in the {what} on those rows, or delete rows that are not data.")
    spelt = names.unique()
    folded = names.map({s: "".join(s.split()).casefold() for s in spelt})
    if folded.nunique() == len(spelt):
        return names
    for _, spellings in names.groupby(folded.to_numpy()):
        distinct = spellings.drop_duplicates()
        if len(distinct) > 1:
            first = [int(rows[i]) for i in distinct.index[:2]]
            shown = " and ".join(f"'{raw[i]}' (row {r})" for i, r in zip(distinct.index[:2], first))
            raise DataError(f"the {what} {shown} are spelt differently but look like the same "
                            f"{what}", file=file, column=column, rows=first,
                            hint=f"Spell each {what} the same way on every row (capitals and "
                                 f"spaces count), or give them clearly different names.")
    return names


# --- options -----------------------------------------------------------------


def _check_options(*, date_column: object, outcome_column: str | None, aggregate: str | None,
                   outcome_type: str, denominator_column: str | None,
                   exposure_column: str | None, output_columns: Sequence[str],
                   fill_missing: str | None, report_by: str | None = None) -> list[str]:
    """Refuse option combinations that cannot work; return the date columns."""
    choices: dict[str, tuple[str | None, Sequence[str | None]]] = {
        "outcome_type": (outcome_type, list(_OUTCOME_CHECKS)),
        "aggregate": (aggregate, [None, *dates.FREQS]),
        "fill_missing": (fill_missing, [None, "zero"]),
        "report_by": (report_by, [None, *REPORT_BY])}
    for key, (value, allowed) in choices.items():
        if value not in allowed:
            listed = ", ".join(str(a) for a in allowed if a is not None)
            raise SpecError(f"'{value}' is not one of the choices", key=key,
                            hint=f"Use one of: {listed}.")
    if isinstance(date_column, str):
        date_cols = [date_column]
    elif (isinstance(date_column, Sequence) and len(date_column) in (1, 2)
          and all(isinstance(c, str) for c in date_column)):
        date_cols = list(date_column)
    else:
        raise SpecError("give one column name, or a [year, month] pair of column names",
                        key="date_column", hint="For example date_column: date, or "
                        "date_column: [year, month].")
    if aggregate is None and outcome_column is None:
        raise SpecError("outcome_column is needed when each row is a period", key="outcome_column",
                        hint="Name the column holding the counts or values. " + _HINT_AGGREGATE)
    if (outcome_type == "proportion") != (denominator_column is not None):
        raise SpecError("a proportion needs denominator_column, and only a proportion uses it",
                        key="denominator_column",
                        hint="Give both outcome_type: proportion and denominator_column, or neither.")
    if aggregate is not None and (outcome_type != "count" or exposure_column):
        raise SpecError("aggregate counts incidents, so it works only with outcome_type: count "
                        "and without exposure_column", key="aggregate",
                        hint="Remove aggregate and give one row per period, or remove the other keys.")
    if report_by is not None and aggregate is not None:
        raise SpecError("adds up rows that are already one per week or day, so it cannot be combined "
                        "with aggregate (one row per incident)", key="report_by",
                        hint=f"Count the incidents straight into {report_by}s with aggregate: {report_by}, "
                             "and remove report_by.")
    if report_by is not None and outcome_type == "continuous":
        raise SpecError("adds up counts, and adding up a measured value (outcome_type: continuous) "
                        "would not give a monthly value", key="report_by",
                        hint="Remove report_by, or give the monthly values (an average, say) in the data.")
    reserved = _RESERVED + (("weeks", "days") if report_by is not None else ())
    clash = [c for c in output_columns if c in reserved]
    if clash:
        raise SpecError(f"'{clash[0]}' is a name whatworks uses for its own columns",
                        key="output_columns", hint="Rename that column in the data file.")
    return date_cols


# --- series ------------------------------------------------------------------


def load_series(
    data: str | os.PathLike[str] | pd.DataFrame,
    *,
    sheet: str | None = None,
    date_column: str | Sequence[str],
    outcome_column: str | None = None,
    aggregate: str | None = None,
    date_format: str | None = None,
    outcome_type: str = "count",
    denominator_column: str | None = None,
    exposure_column: str | None = None,
    breakdown_column: str | None = None,
    unit_column: str | None = None,
    output_columns: Sequence[str] = (),
    fill_missing: str | None = None,
    exclude_periods: Iterable[object] = (),
    label: str | None = None,
    outcome_label: str | None = None,
    report_by: str | None = None,
    weight_column: str | None = None,
) -> SeriesData:
    """Read an export into a tidy, checked series.

    Parameters
    ----------
    data
        A CSV or Excel file (read with :func:`read_table`), or a frame
        already read (``label`` then names it in messages).
    sheet
        The worksheet of a workbook (default: the first).
    date_column
        The date column, or a ``[year, month]`` pair of columns. Dates may be
        ISO (``2024-03-01``, ``2024-03``), spreadsheet dates, month names
        (``Mar-2024``) or slash dates (``03/04/2024``), read day first when
        some first part exceeds 12; otherwise ``date_format`` must say.
    outcome_column
        The counts or values. With ``aggregate`` it may be left out (each row
        is one incident) or given (its values are added up per period).
    aggregate
        ``day``, ``week``, ``month`` or ``quarter``: each row is an incident;
        rows are counted per period (weeks start on Monday) and periods with
        none are zero, from the first period to the last. Without it each
        row is one period and the frequency is read from the spacing.
    date_format
        A strftime format such as ``"%d/%m/%Y"`` for text dates.
    outcome_type
        ``count`` (whole numbers, 0 or more), ``proportion`` (a count out of
        ``denominator_column``) or ``continuous`` (any finite numbers).
    denominator_column, exposure_column
        The denominator of a proportion (more than 0, at least the
        numerator); an exposure such as population (more than 0).
    breakdown_column, unit_column
        A category (crime type) and a unit (area, site) for long-format data
        with one row per category and/or unit and period.
    output_columns
        Activity measures carried along (added up per period with
        ``aggregate``).
    fill_missing
        ``"zero"`` to count a period missing inside a series as zero;
        otherwise a missing period is an error.
    exclude_periods
        ``[start, end]`` pairs or ``{start, end}`` mappings of ISO dates,
        inclusive: periods overlapping one are marked ``excluded``.
    label
        How messages name the data (default: the file name as given).
    outcome_label
        Words for the outcome in sentences, e.g. ``"positive outcomes"``
        (default: the outcome column's name, or ``"incidents"`` with
        ``aggregate`` and no outcome column).
    report_by
        ``"month"`` (or ``"quarter"``): add a weekly (or daily) series of
        counts up to months, for a noisy weekly series. Each week counts in
        the month of its Thursday (:func:`whatworks.dates.regroup`); the
        number of weeks in each month (4 or 5) becomes the ``exposure`` of
        a count (an exposure column is added up instead), so a five-week
        month is not read as a rise; a proportion's numerators and
        denominators are added up. A first or last month the data do not
        cover whole is left out. Refused for continuous outcomes and with
        ``aggregate``.
    weight_column
        With ``unit_column``: each unit's weight, such as its population
        (finite, 0 or more, not all 0), carried as the ``weight`` column;
        see :func:`unit_weights`.

    Returns
    -------
    SeriesData

    Raises
    ------
    DataError
        For data that cannot be analysed as given; the message names the
        file, column and rows and says how to fix it.
    SpecError
        For options that do not fit together or do not fit the data.
    """
    output_columns = [output_columns] if isinstance(output_columns, str) else list(output_columns)
    date_cols = _check_options(
        date_column=date_column, outcome_column=outcome_column, aggregate=aggregate,
        outcome_type=outcome_type, denominator_column=denominator_column,
        exposure_column=exposure_column, output_columns=output_columns, fill_missing=fill_missing,
        report_by=report_by)
    if weight_column is not None and unit_column is None:
        raise SpecError("weights units (areas), so it needs unit_column", key="weight_column",
                        hint="Name the area column with unit_column, or remove weight_column.")
    windows = dates.exclusions(exclude_periods)
    if isinstance(data, pd.DataFrame):
        file = label or "data"
        df = data.rename(columns=lambda c: str(c).strip())
    else:
        file = label or display_name(data)
        wanted = [*date_cols, *[c for c in (outcome_column, denominator_column, exposure_column,
                                            breakdown_column, unit_column, weight_column) if c is not None],
                  *output_columns]
        df = read_table(data, sheet=sheet, label=file, columns=wanted)
    named: dict[str, Sequence[str | None]] = {
        "date_column": date_cols, "outcome_column": [outcome_column],
        "denominator_column": [denominator_column], "exposure_column": [exposure_column],
        "breakdown_column": [breakdown_column], "unit_column": [unit_column],
        "weight_column": [weight_column], "output_columns": output_columns}
    for key, cols in named.items():
        require_columns(df, [c for c in cols if c is not None], file=file, key=key)

    rows = np.arange(len(df)) + first_row(df)
    blank = _blank_rows(df)
    notes = [t for t in [title_note(df, file)] if t]
    if blank.any():
        notes.append(f"{plural(blank.sum(), 'empty row')} in {file} skipped (rows "
                     + ", ".join(str(r) for r in rows[blank][:_SHOWN])
                     + (", ..." if blank.sum() > _SHOWN else "") + ").")
    df, rows = df[~blank].reset_index(drop=True), rows[~blank]
    if len(date_cols) == 1:
        reading = dates.parse_dates(df[date_cols[0]], column=date_cols[0], file=file, rows=rows,
                                    date_format=date_format)
    else:
        reading = dates.DateReading(dates.parse_year_month(
            df[date_cols[0]], df[date_cols[1]], columns=date_cols, file=file, rows=rows))
    if reading.note:
        notes.append(reading.note)
    w = pd.DataFrame({"_row": rows, "date": reading.dates.to_numpy()})
    keys = []
    for col, name, what in ((unit_column, "unit", "unit"), (breakdown_column, "group", "category")):
        if col is not None:
            w[name] = _names(df[col], column=col, file=file, rows=rows, what=what).to_numpy()
            keys.append(name)

    weights: dict[str, float] = {}
    weight_notes: list[str] = []
    if weight_column is not None:
        weights, weight_notes = unit_weights(df[weight_column], w["unit"], rows=rows, column=weight_column,
                                             file=file)
    values = _values(df, rows, file, outcome_column=outcome_column, outcome_type=outcome_type,
                     denominator_column=denominator_column, exposure_column=exposure_column,
                     output_columns=output_columns)
    w = w.assign(**values)

    date_label = date_cols[0] if len(date_cols) == 1 else date_cols
    if aggregate is not None:
        freq = aggregate
        w["period"] = dates.floor(w["date"], freq)
        w = dates.aggregate(w, freq, keys, output_columns)
    else:
        freq = reading.freq or dates.infer_freq(w["date"], column=date_label, file=file, rows=rows)
        w["period"] = dates.floor(w["date"], freq)
        dates.refuse_duplicates(w, freq, keys, file, date_label)
        fillable = outcome_type != "continuous" and "denominator" not in w and "exposure" not in w
        w, filled = dates.fill_gaps(w, freq, keys, file, date_label, fill_missing=fill_missing,
                                    fillable=fillable)
        if filled:
            notes.append(f"{plural(filled, 'missing ' + dates.FREQS[freq].word)} counted as zero "
                         "(fill_missing: zero).")
    if freq == "week" and aggregate is None and (w["date"].dt.day_of_week != 0).any():
        notes.append("Weekly dates that are not Mondays are labelled by the Monday that starts "
                     "their week (weeks run Monday to Sunday).")
    added_up_from = None
    if report_by is not None:
        added_up_from = freq
        w, freq = _report_by(w, freq, report_by, keys, output_columns, file, notes)
    w["excluded"] = dates.mark_excluded(w["period"], freq, windows)
    if weight_column is not None:
        w["weight"] = w["unit"].map(weights).astype(float)
    columns = ["period", "outcome", *[c for c in ("denominator", "exposure") if c in w],
               *[c for c in ("group", "unit", "weight") if c in w], "excluded", *output_columns]
    frame = w.sort_values([*keys, "period"], kind="stable")[columns].reset_index(drop=True)
    frame["period"] = frame["period"].astype("datetime64[ns]")
    frame["outcome"] = frame["outcome"].astype(float)
    # words, not the column's name: an underscore is never shown to a reader
    label_ = ("incidents" if aggregate is not None and outcome_column is None
              else str(outcome_column).replace("_", " "))
    if outcome_label is not None and str(outcome_label).strip():
        label_ = str(outcome_label).strip()
    assert _is_freq(freq)  # aggregate was checked against dates.FREQS, and infer_freq returns one of them
    return SeriesData(frame=frame, freq=freq, source=file, outcome_label=str(label_),
                      notes=tuple(notes), added_up_from=added_up_from, weight_notes=tuple(weight_notes),
                      weight_label=None if weight_column is None else str(weight_column).replace("_", " "))


def _report_by(w: pd.DataFrame, freq: str, to: str, keys: list[str], output_columns: list[str], file: str,
               notes: list[str]) -> tuple[pd.DataFrame, str]:
    """A weekly or daily series added up to ``to`` (months), with a note for the method notes."""
    if freq not in ("week", "day"):
        raise SpecError(f"adds up a weekly or daily series, but the rows of {file} are one a "
                        f"{dates.FREQS[freq].word}", key="report_by",
                        hint="Remove report_by: the series is analysed as it is.")
    sums = ["outcome", *[c for c in ("denominator", "exposure") if c in w], *output_columns]
    shorter, longer = dates.FREQS[freq].word, dates.FREQS[to].word
    out = dates.regroup(w, freq, to, keys, sums)
    frame = out.frame
    unit = f"{shorter}s"
    if frame.empty:
        raise DataError(f"the data do not hold one whole {longer}, so they cannot be added up to {longer}s",
                        file=file, hint="Remove report_by, or use a longer series.")
    where = ("each week counted in the month of its Thursday (ISO 8601), so a week running into the next "
             "month is counted once and not split" if freq == "week" and to == "month" else
             "each week counted in the quarter of its Thursday (ISO 8601)" if freq == "week" else
             f"each day counted in its {longer}")
    words = f"The {dates.FREQS[freq].adverb} figures were added up to {longer}s (report_by: {to}): {where}."
    if "denominator" in frame:
        words += f" Numerators and denominators were added up separately, so each share is of the whole {longer}."
    elif "exposure" in frame:
        words += f" The exposure was added up over the {shorter}s of each {longer}."
    else:
        frame["exposure"] = frame[unit].astype(float)
        words += (f" {longer.capitalize()}s hold different numbers of {shorter}s, so the number of {shorter}s "
                  f"is the model's exposure: estimates are rates per {shorter}, and a {longer} with more "
                  f"{shorter}s is not read as a rise.")
    if out.dropped:
        listed = " and ".join(dates.period_words(p, to) for p in out.dropped)
        words += (f" {listed} {'is' if len(out.dropped) == 1 else 'are'} not whole in the data and "
                  f"{'is' if len(out.dropped) == 1 else 'are'} left out.")
    notes.append(words)
    return frame.drop(columns=[unit]), to


def _values(df: pd.DataFrame, rows: np.ndarray, file: str, *, outcome_column: str | None,
            outcome_type: str, denominator_column: str | None, exposure_column: str | None,
            output_columns: list[str]) -> dict[str, np.ndarray | float]:
    """The outcome, denominator, exposure and output columns as checked numbers."""

    def numbers(col: str, whole: bool = False) -> np.ndarray:
        return _numbers(df[col], column=col, file=file, rows=rows, whole=whole)

    out: dict[str, np.ndarray | float] = {col: numbers(col) for col in output_columns}
    if outcome_column is None:
        out["outcome"] = 1.0  # each row is one incident
    else:
        out["outcome"] = numbers(outcome_column, whole=outcome_type != "continuous")
        _OUTCOME_CHECKS[outcome_type](out["outcome"], df[outcome_column], rows, outcome_column,
                                      file)
    if denominator_column is not None:
        den, raw = numbers(denominator_column, whole=True), df[denominator_column]
        _refuse(den <= 0, raw, rows, denominator_column, file,
                "denominators must be more than 0: {shown}", "Correct those cells.")
        _refuse(out["outcome"] > den, raw, rows, denominator_column, file,
                f"these denominators are smaller than '{outcome_column}' on the same row: {{shown}}",
                "A proportion's numerator cannot exceed its denominator; correct those rows.")
        out["denominator"] = den
    if exposure_column is not None:
        exposure = numbers(exposure_column)
        out["exposure"] = exposure
        _refuse(exposure <= 0, df[exposure_column], rows, exposure_column, file,
                "exposures must be more than 0: {shown}", "Correct those cells.")
    return out


# --- weights -----------------------------------------------------------------


def _listed(items: Sequence[object]) -> str:
    """The first few of ``items`` (row numbers, unit names), with ``...`` when there are more."""
    return ", ".join(str(i) for i in items[:_SHOWN]) + (", ..." if len(items) > _SHOWN else "")


def _rows_text(rows: np.ndarray) -> str:
    return _listed([int(r) for r in rows])


def unit_weights(raw: pd.Series, units: pd.Series, *, rows: np.ndarray, column: str,
                 file: str) -> tuple[dict[str, float], list[str]]:
    """Each unit's weight (such as its population) from a weight column, and notes for the report.

    Blank, non-numeric, non-finite and negative cells are refused (a
    :class:`DataError` naming the file, column and rows, never the cells'
    contents), as are weights that are all 0, and a unit whose weight is 0
    on some rows and more than 0 on others. A weight is one number per
    unit: where it differs between a unit's rows (a population estimated
    each year) the unit's mean is used, and a note says so. A unit whose
    weight is 0 is left out of the comparison (a note names it).

    >>> w, notes = unit_weights(pd.Series(["1000", "1000", "3000", "3000"]), pd.Series(["A", "A", "B", "B"]),
    ...                         rows=np.arange(2, 6), column="population", file="areas.csv")
    >>> w, notes
    ({'A': 1000.0, 'B': 3000.0}, [])
    """
    raw = raw.reset_index(drop=True)
    units = units.reset_index(drop=True).astype(str)
    reading = read_numbers(raw)
    problems = (
        (reading.non_finite, "are not finite numbers", "give each area an ordinary number"),
        (reading.bad | reading.doubtful, "are not numbers (or could be read two ways)",
         "write each weight as a plain number such as 12500"),
        (np.isnan(reading.values) & ~reading.non_finite & ~reading.bad & ~reading.doubtful, "are blank",
         "fill in every row's weight"),
    )
    for mask, what, fix in problems:  # no {shown}: the cells are not quoted (a name may be in the wrong column)
        mask = np.asarray(mask, bool)
        _refuse(mask, raw, rows, column, file, f"weights on rows {_rows_text(rows[mask])} {what}",
                f"Correct those cells: {fix} (its population, say), the same on every row of the area.")
    x = reading.values
    _refuse(x < 0, raw, rows, column, file, f"weights on rows {_rows_text(rows[x < 0])} are negative",
            "A weight is 0 or more (an area's population, say): correct those cells.")
    if not (x > 0).any():
        raise DataError("every weight is 0, so no area would count", file=file, column=column,
                        hint="Give each area its weight (its population, say), or remove weight_column.")
    frame = pd.DataFrame({"unit": units, "w": x})
    spread = frame.groupby("unit", sort=True)["w"].agg(["min", "max", "mean"])
    mixed = spread[(spread["min"] == 0) & (spread["max"] > 0)]
    if len(mixed):
        bad = np.flatnonzero(units.isin(mixed.index).to_numpy() & (x == 0))
        raise DataError(f"the weight is 0 on some rows of {plural(len(mixed), 'unit')} and more than 0 on "
                        f"others (rows {_rows_text(rows[bad])})", file=file, column=column,
                        rows=[int(r) for r in rows[bad]],
                        hint="Give the unit its weight on every row (a 0 among populations is usually a "
                             "missing value), or 0 on every row to leave it out.")
    notes: list[str] = []
    varied = spread.index[spread["max"] - spread["min"] > 1e-9 * spread["max"].abs()]
    if len(varied):
        named = _listed(list(varied))
        notes.append(f"The weight ({column.replace('_', ' ')}) differed between periods for "
                     f"{plural(len(varied), 'unit')} ({named}); each unit's mean weight was used, as a "
                     "weight is one number per unit.")
    zero = spread.index[spread["max"] == 0]
    if len(zero):
        named = _listed(list(zero))
        notes.append(f"{plural(len(zero), 'unit')} with weight 0 ({column.replace('_', ' ')}) left out of the "
                     f"comparison: {named}.")
    return {str(u): float(v) for u, v in spread["mean"].items()}, notes
