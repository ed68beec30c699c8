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
           "display_name"]

Freq = Literal["day", "week", "month", "quarter", "financial_quarter", "year", "financial_year"]


def _is_freq(name: str) -> TypeGuard[Freq]:
    return name in get_args(Freq)


_SHOWN = 5
_RESERVED = ("period", "outcome", "denominator", "exposure", "group", "unit", "excluded")
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
        - ``excluded``: bool, True for periods in ``exclude_periods``;
        - one column per name in ``output_columns`` (activity measures).
    freq
        ``day``, ``week``, ``month`` or ``quarter``.
    source
        The data file as the user named it (for messages and provenance).
    outcome_label
        What the outcome is, for people ("incidents", or the column name).
    notes
        What was done to the data on the way in, in words (blank rows
        skipped, empty periods filled), for a report's method notes.
    """

    frame: pd.DataFrame
    freq: Freq
    source: str = "data"
    outcome_label: str = "outcome"
    notes: tuple[str, ...] = ()


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


def _read_csv(path: Path, sheet: str | None, label: str) -> pd.DataFrame:
    if sheet is not None:
        raise SpecError(f"'{label}' is a CSV file, which has no sheets", key="sheet",
                        hint="Remove sheet from the spec, or point to the Excel workbook.")
    try:
        sep = _sniff_separator(path)
        try:
            encoding = "utf-8-sig"
            df = pd.read_csv(path, sep=sep, skip_blank_lines=False, encoding=encoding, **_ONLY_BLANK_IS_MISSING)
        except UnicodeDecodeError:
            encoding = "cp1252"
            df = pd.read_csv(path, sep=sep, skip_blank_lines=False, encoding=encoding, **_ONLY_BLANK_IS_MISSING)
        header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str, encoding=encoding)
        return _as_written(df, header)
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty", file=label,
                        hint="Export the data again with a header row and at least one row "
                             "of data.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError("the file could not be read as a CSV table", file=label,
                        hint="Open it in Excel and save it as 'CSV (comma delimited)'. "
                             f"(Detail: {str(exc).strip().splitlines()[0]})") from None


def _read_excel(path: Path, sheet: str | None, label: str) -> pd.DataFrame:
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
        df = pd.read_excel(book, sheet_name=name)
        df = _as_written(df, pd.read_excel(book, sheet_name=name, header=None, nrows=1))
    if df.shape[1] == 0:
        raise DataError(f"sheet '{name}' is empty", file=label,
                        hint="Put a header row and the data on that sheet, or name another sheet.")
    return df


def _as_written(df: pd.DataFrame, header: pd.DataFrame) -> pd.DataFrame:
    """Column names as the header row spells them (pandas renames a repeated
    name ``count`` to ``count.1``; keep it, so the repeat can be refused)."""
    if header.shape[1] != df.shape[1] or header.empty:
        return df
    names = [w if isinstance(w, str) and w.strip() else c
             for w, c in zip(header.iloc[0].tolist(), df.columns)]
    return df.set_axis(names, axis=1)


_READERS: dict[str, Callable[[Path, str | None, str], pd.DataFrame]] = {
    ".csv": _read_csv, ".txt": _read_csv, ".xlsx": _read_excel, ".xlsm": _read_excel,
}


def read_table(path: str | os.PathLike[str], *, sheet: str | None = None,
               label: str | None = None) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.txt``) or Excel (``.xlsx``, ``.xlsm``) export.

    Column names are stripped of surrounding spaces; wholly empty rows at the
    end are dropped (those inside are kept, so row ``i`` of the frame is
    spreadsheet row ``i + 2``). CSV files may be separated by commas, tabs,
    semicolons or bars, in UTF-8 or Windows encoding.

    Parameters
    ----------
    path
        The file.
    sheet
        The worksheet to read from a workbook (default: the first).
    label
        How messages name the file (default: :func:`display_name` of ``path``,
        which is the path as given unless it is absolute).

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
        df = reader(p, sheet, label)
    except (IsADirectoryError, PermissionError) as exc:
        raise DataError(f"the file could not be opened ({exc.strerror})", file=label,
                        hint="Check that it is a file you can open, and that it is not open "
                             "in another program.") from None
    df = df.rename(columns=lambda c: str(c).strip())
    doubled = df.columns[df.columns.duplicated()].tolist()
    if doubled:
        raise DataError("this column name appears more than once in the header", file=label,
                        column=doubled[0], hint="Give every column a different name.")
    filled = np.flatnonzero(~_blank_rows(df))
    df = df.iloc[: filled[-1] + 1 if len(filled) else 0]
    if df.empty:
        raise DataError("the file has a header row but no data", file=label,
                        hint="Export the data again, including the rows.")
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


# --- values ------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _number(v: object) -> float | str | None:
    """A cell as a number, ``None`` when blank, ``'bad'`` when not a number."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return "bad"
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v) if np.isfinite(v) else "bad"
    if isinstance(v, str):
        t = v.strip()
        if not t:
            return None
        t = t.replace(",", "") if _THOUSANDS.match(t) else t
        try:
            x = float(t)
        except ValueError:
            return "bad"
        return x if np.isfinite(x) else "bad"
    return "bad"


def _refuse(mask: np.ndarray, raw: pd.Series, rows: np.ndarray, column: str, file: str,
            message: str, hint: str) -> None:
    if mask.any():
        shown = ", ".join(f"'{v}'" for v in raw[mask].astype(str).drop_duplicates().head(_SHOWN))
        raise DataError(message.format(shown=shown), file=file, column=column,
                        rows=[int(r) for r in rows[mask]], hint=hint)


def _numbers(raw: pd.Series, *, column: str, file: str, rows: np.ndarray) -> np.ndarray:
    """A column as floats; blank or non-numeric cells are refused."""
    raw = raw.reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        got = pd.Series(raw.to_numpy(dtype=float, na_value=np.nan), dtype=object)
        got[~np.isfinite(got.astype(float)) & got.notna()] = "bad"
    else:
        unique = raw.dropna().unique()
        got = raw.map(dict(zip(unique, map(_number, unique)))).astype(object)
    bad = got.map(lambda x: isinstance(x, str)).to_numpy()
    _refuse(bad, raw, rows, column, file, "these values are not numbers: {shown}",
            "Correct those cells so each holds a number (no text, units or symbols).")
    blank = got.isna().to_numpy()
    _refuse(blank, raw, rows, column, file, "these cells are blank",
            "Fill them in (with 0 where nothing happened), or delete rows that are not data.")
    return got.astype(float).to_numpy()


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
                   fill_missing: str | None) -> list[str]:
    """Refuse option combinations that cannot work; return the date columns."""
    choices: dict[str, tuple[str | None, Sequence[str | None]]] = {
        "outcome_type": (outcome_type, list(_OUTCOME_CHECKS)),
        "aggregate": (aggregate, [None, *dates.FREQS]),
        "fill_missing": (fill_missing, [None, "zero"])}
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
    clash = [c for c in output_columns if c in _RESERVED]
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
        exposure_column=exposure_column, output_columns=output_columns, fill_missing=fill_missing)
    windows = dates.exclusions(exclude_periods)
    if isinstance(data, pd.DataFrame):
        file = label or "data"
        df = data.rename(columns=lambda c: str(c).strip())
    else:
        file = label or display_name(data)
        df = read_table(data, sheet=sheet, label=file)
    named: dict[str, Sequence[str | None]] = {
        "date_column": date_cols, "outcome_column": [outcome_column],
        "denominator_column": [denominator_column], "exposure_column": [exposure_column],
        "breakdown_column": [breakdown_column], "unit_column": [unit_column],
        "output_columns": output_columns}
    for key, cols in named.items():
        require_columns(df, [c for c in cols if c is not None], file=file, key=key)

    rows = np.arange(len(df)) + 2
    blank = _blank_rows(df)
    notes = []
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
    w["excluded"] = dates.mark_excluded(w["period"], freq, windows)
    columns = ["period", "outcome", *[c for c in ("denominator", "exposure") if c in w],
               *[c for c in ("group", "unit") if c in w], "excluded", *output_columns]
    frame = w.sort_values([*keys, "period"], kind="stable")[columns].reset_index(drop=True)
    frame["period"] = frame["period"].astype("datetime64[ns]")
    frame["outcome"] = frame["outcome"].astype(float)
    label_ = "incidents" if aggregate is not None and outcome_column is None else outcome_column
    if outcome_label is not None and str(outcome_label).strip():
        label_ = str(outcome_label).strip()
    assert _is_freq(freq)  # aggregate was checked against dates.FREQS, and infer_freq returns one of them
    return SeriesData(frame=frame, freq=freq, source=file, outcome_label=str(label_),
                      notes=tuple(notes))


def _values(df: pd.DataFrame, rows: np.ndarray, file: str, *, outcome_column: str | None,
            outcome_type: str, denominator_column: str | None, exposure_column: str | None,
            output_columns: list[str]) -> dict[str, np.ndarray | float]:
    """The outcome, denominator, exposure and output columns as checked numbers."""

    def numbers(col: str) -> np.ndarray:
        return _numbers(df[col], column=col, file=file, rows=rows)

    out: dict[str, np.ndarray | float] = {col: numbers(col) for col in output_columns}
    if outcome_column is None:
        out["outcome"] = 1.0  # each row is one incident
    else:
        out["outcome"] = numbers(outcome_column)
        _OUTCOME_CHECKS[outcome_type](out["outcome"], df[outcome_column], rows, outcome_column,
                                      file)
    if denominator_column is not None:
        den, raw = numbers(denominator_column), df[denominator_column]
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
