"""Reading date columns from exports, and the calendar of periods.

Private helpers for :mod:`whatworks.data`. Dates are read from ISO text
(``2024-03-01``, ``2024-03``), real spreadsheet dates, month names
(``Mar-2024``, ``3 March 2024``) and slash or dash dates (``03/04/2024``).
Slash dates are read day first (UK) only when the column proves it (some
first part is over 12); otherwise the user must say which with
``date_format``. Two-digit years are read as 20xx.

Periods start on a Monday (weeks), the 1st (months) or the 1st of January,
April, July or October (quarters). The calendar helpers here also count
incidents per period, refuse two rows for one period, find (or fill) periods
missing inside a series, and mark the periods a spec excludes from fitting.

Examples
--------
>>> import pandas as pd
>>> s = pd.Series(["25/03/2024", "03/04/2024"])
>>> [d.date().isoformat() for d in parse_dates(s, column="date", file="x.csv")]
['2024-03-25', '2024-04-03']
>>> floor(pd.Series(pd.to_datetime(["2024-03-15"])), "month")[0].date().isoformat()
'2024-03-01'
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import DataError, SpecError
from .text import fmt_date, plural

__all__ = ["FREQS", "floor", "span", "period_words", "parse_dates", "parse_year_month",
           "infer_freq", "to_timestamp", "exclusions", "mark_excluded",
           "aggregate", "refuse_duplicates", "fill_gaps"]

_SHOWN = 5


class _Freq(NamedTuple):
    floor: Callable[[pd.Series], pd.Series]
    alias: str  # pandas date_range frequency of period starts
    word: str  # "week", for messages
    adverb: str  # "weekly"
    days: float  # nominal length
    tolerance: float  # allowed drift of one step, in days (months differ in length)


def _floor_day(d: pd.Series) -> pd.Series:
    return d.dt.normalize()


def _floor_week(d: pd.Series) -> pd.Series:
    d = d.dt.normalize()
    return d - pd.to_timedelta(d.dt.day_of_week, unit="D")


def _floor_month(d: pd.Series) -> pd.Series:
    return d.dt.to_period("M").dt.start_time.astype(d.dtype)


def _floor_quarter(d: pd.Series) -> pd.Series:
    return d.dt.to_period("Q").dt.start_time.astype(d.dtype)


#: The period lengths whatworks reads, by their spec name.
FREQS: dict[str, _Freq] = {
    "day": _Freq(_floor_day, "D", "day", "daily", 1.0, 0.0),
    "week": _Freq(_floor_week, "W-MON", "week", "weekly", 7.0, 0.0),
    "month": _Freq(_floor_month, "MS", "month", "monthly", 365.25 / 12, 3.5),
    "quarter": _Freq(_floor_quarter, "QS-JAN", "quarter", "quarterly", 365.25 / 4, 3.5),
}


def floor(dates: pd.Series, freq: str) -> pd.Series:
    """The start of the period holding each date."""
    return FREQS[freq].floor(pd.Series(dates))


def span(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Every period start from ``first`` to ``last`` inclusive."""
    return pd.date_range(first, last, freq=FREQS[freq].alias)


def period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    """The last day of the period starting at ``start``."""
    nxt = pd.date_range(start, periods=2, freq=FREQS[freq].alias)[1]
    return nxt - pd.Timedelta(days=1)


def period_words(start: pd.Timestamp, freq: str) -> str:
    """A period for people: ``March 2024``, ``week of 4 March 2024``.

    >>> period_words(pd.Timestamp("2024-04-01"), "quarter")
    'quarter April to June 2024'
    """
    start = pd.Timestamp(start)
    if freq == "month":
        return f"{start:%B %Y}"
    if freq == "quarter":
        last = start + pd.DateOffset(months=2)
        return f"quarter {start:%B} to {last:%B %Y}"
    if freq == "week":
        return f"week of {fmt_date(start)}"
    return fmt_date(start)


def to_timestamp(value: object) -> pd.Timestamp | None:
    """A date given in a spec (``date``, ``datetime`` or ISO text) or ``None``."""
    if isinstance(value, (_dt.date, _dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value)
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%Y-%m"):
            try:
                return pd.Timestamp(_dt.datetime.strptime(text, pattern))
            except ValueError:
                continue
    return None


# --- reading one date column -------------------------------------------------

_TIME = r"(?:[T ,]+(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[AaPp][Mm])?)?"
_ISO = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + r"$")
_ISO_MONTH = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$")
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})" + _TIME + r"$")
_NAMED = re.compile(
    r"^(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?[ /-]+)?(?P<mon>[A-Za-z]{3,9})\.?[ /,-]*(?P<y>\d{4}|\d{2})"
    + _TIME + r"$")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_PARTS = ["y", "m", "d", "mon", "a", "b", "sep", "hh", "mi", "ss", "ampm"]


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if len(text) == 2 else y


def _components(texts: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """The date parts of each text and its kind: ``iso``, ``named``, ``slash``
    (day and month order still to decide) or ``""`` (not a date)."""
    parts = pd.DataFrame(index=texts.index, columns=_PARTS, dtype=object)
    kind = pd.Series("", index=texts.index, dtype=object)
    patterns = [("iso", _ISO), ("iso", _ISO_MONTH), ("named", _NAMED), ("slash", _NUMERIC)]
    # columns are nearly always written one way: try the first value's pattern first
    patterns.sort(key=lambda p: p[1].match(texts.iloc[0]) is None)
    for name, rx in patterns:
        todo = (kind == "").to_numpy()
        if not todo.any():
            break
        got = texts[todo].str.extract(rx).astype(object)
        hit = got.index[got["y"].notna().to_numpy()]
        kind[hit] = name
        parts.loc[hit, got.columns] = got.loc[hit].to_numpy()
    return parts, kind


def _timestamps(parts: pd.DataFrame, kind: pd.Series, day_first: bool) -> pd.Series:
    """Timestamps from date parts; NaT where the parts make no date (month 13)."""
    def num(col: str, default: float = np.nan) -> pd.Series:
        return pd.to_numeric(parts[col], errors="coerce").fillna(default)

    year = num("y")
    year = year.where(parts["y"].str.len() != 2, year + 2000)
    month = num("m").where(kind != "named", parts["mon"].str.lower().map(_MONTHS))
    day = num("d", 1.0)
    slash = (kind == "slash").to_numpy()
    first, second = num("a")[slash], num("b")[slash]
    day[slash], month[slash] = (first, second) if day_first else (second, first)
    hour = num("hh", 0.0)
    ampm = parts["ampm"].str.lower()
    hour = hour.where(ampm.isna(), hour % 12 + np.where(ampm == "pm", 12, 0))
    frame = pd.DataFrame({"year": year, "month": month, "day": day, "hour": hour,
                          "minute": num("mi", 0.0), "second": num("ss", 0.0)}).astype(float)
    bad = frame.isna().any(axis=1) | (kind == "")
    out = pd.to_datetime(frame.fillna(1.0), errors="coerce")
    return out.mask(bad.to_numpy()).astype("datetime64[ns]")


def _format_for(part: pd.Series, order: str) -> str:
    """The strftime format matching a slash date such as ``03/04/2024 14:30``."""
    sep = part["sep"]
    first, second = ("%d", "%m") if order == "dmy" else ("%m", "%d")
    fmt = f"{first}{sep}{second}{sep}{'%Y' if len(part['y']) == 4 else '%y'}"
    if isinstance(part["hh"], str):
        ampm = isinstance(part["ampm"], str)
        fmt += " %I:%M" if ampm else " %H:%M"
        fmt += ":%S" if isinstance(part["ss"], str) else ""
        fmt += " %p" if ampm else ""
    return fmt


def _rows_of(values: Sequence[object], keys: pd.Series, rows: np.ndarray) -> tuple[list[int], str]:
    """Spreadsheet rows whose cell is one of ``values``, and the values shown."""
    mask = keys.isin(list(values)).to_numpy()
    bad_rows = [int(r) for r in rows[mask]]
    shown = keys[mask].drop_duplicates().head(_SHOWN)
    return bad_rows, ", ".join(f"'{v}'" for v in shown)


def parse_dates(values: pd.Series, *, column: str, file: str, rows: np.ndarray | None = None,
                date_format: str | None = None) -> pd.Series:
    """Read one date column into timestamps, or say which rows cannot be read.

    Parameters
    ----------
    values
        The column as read from the file.
    column, file
        How messages name them.
    rows
        The spreadsheet row number of each value (default: position + 2).
    date_format
        A strftime format (``"%d/%m/%Y"``) used for every text value.

    Raises
    ------
    DataError
        For blank or unreadable dates, and for slash dates whose order (day
        first or month first) the column does not prove.
    """
    values = pd.Series(values).reset_index(drop=True)
    rows = np.arange(len(values)) + 2 if rows is None else np.asarray(rows)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = pd.to_datetime(values)
        if out.dt.tz is not None:
            out = out.dt.tz_localize(None)
        _refuse_blank(out.isna().to_numpy(), rows, column, file)
        return out.astype("datetime64[ns]")
    unique = pd.Series(values.dropna().unique(), dtype=object)
    is_text = np.array([isinstance(v, str) for v in unique], dtype=bool)
    stripped = unique.copy()
    stripped[is_text] = unique[is_text].astype(str).str.strip()
    blank_values = set(unique[is_text & (stripped == "").to_numpy()])
    _refuse_blank((values.isna() | values.isin(blank_values)).to_numpy(), rows, column, file)
    texts = stripped[is_text]
    parsed = pd.Series(pd.NaT, index=stripped.index, dtype="datetime64[ns]")
    spreadsheet = np.array([isinstance(v, (_dt.date, pd.Timestamp)) for v in unique], dtype=bool)
    parsed[spreadsheet] = pd.to_datetime(stripped[spreadsheet].tolist()).astype("datetime64[ns]")
    if date_format is not None:
        parsed[texts.index] = pd.to_datetime(texts.astype(str), format=date_format,
                                             errors="coerce").astype("datetime64[ns]")
    elif len(texts):
        parts, kind = _components(texts.astype(str))
        if (kind == "slash").any():
            day_first = _day_first(parts[kind == "slash"], texts[kind == "slash"], values, rows,
                                   column, file)
        else:
            day_first = True
        parsed[texts.index] = _timestamps(parts, kind, day_first).to_numpy()
    lookup = dict(zip(unique, parsed))
    out = values.map(lookup).astype("datetime64[ns]")
    bad = out.isna().to_numpy()
    if bad.any():
        shown = ", ".join(f"'{v}'" for v in values[bad].astype(str).drop_duplicates().head(_SHOWN))
        how = (f"in the format given by date_format ('{date_format}')" if date_format
               else "like 2024-03-01, 01/03/2024, Mar-2024 or 2024-03")
        numeric = any(isinstance(v, (int, float, np.number)) for v in values[bad])
        serial = (" Numbers such as 45352 are dates stored as plain numbers: format the column "
                  "as Date in Excel and save again." if numeric else "")
        raise DataError(f"these values could not be read as dates: {shown}", file=file,
                        column=column, rows=[int(r) for r in rows[bad]],
                        hint=f"Correct those cells so every value is a date written {how}.{serial}")
    return out


def _refuse_blank(blank: np.ndarray, rows: np.ndarray, column: str, file: str) -> None:
    if blank.any():
        raise DataError("the date is blank", file=file, column=column,
                        rows=[int(r) for r in rows[blank]],
                        hint="Fill in the date on those rows, or delete rows that are not data.")


def _day_first(parts: pd.DataFrame, texts: pd.Series, values: pd.Series, rows: np.ndarray,
               column: str, file: str) -> bool:
    """Whether the column's slash dates are day first; refuse when unproven."""
    keys = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    a = pd.to_numeric(parts["a"]).to_numpy()
    b = pd.to_numeric(parts["b"]).to_numpy()
    day_first, month_first = texts[a > 12].tolist(), texts[b > 12].tolist()
    at = texts.index.get_loc(texts.index[np.argmax(a > 12)] if day_first
                             else texts.index[np.argmax(b > 12)] if month_first else texts.index[0])
    sample_key, sample = texts.iloc[at], parts.iloc[at]
    uk, us = _format_for(sample, "dmy"), _format_for(sample, "mdy")
    if day_first and month_first:
        a_rows, a_shown = _rows_of(day_first, keys, rows)
        b_rows, b_shown = _rows_of(month_first, keys, rows)
        raise DataError(
            f"the dates mix day-first values ({a_shown}, row {a_rows[0]}) with month-first "
            f"values ({b_shown}, row {b_rows[0]})", file=file, column=column,
            rows=sorted(a_rows[:1] + b_rows[:1]),
            hint="Correct the export so every date is written the same way, then add "
                 f'date_format: "{uk}" to the spec (day first).')
    if month_first:
        b_rows, b_shown = _rows_of(month_first, keys, rows)
        raise DataError(
            f"the dates look month-first (US style), for example {b_shown} on row {b_rows[0]}",
            file=file, column=column,
            hint=f'If so, add date_format: "{us}" to the spec. whatworks reads slash dates '
                 "day first (UK) unless the spec says otherwise.")
    if not day_first:
        a0, b0, y0 = int(sample["a"]), int(sample["b"]), _year(sample["y"])
        words = []
        for month, day, fallback in ((b0, a0, "day first"), (a0, b0, "month first")):
            try:
                words.append(fmt_date(_dt.date(y0, month, day)))
            except ValueError:
                words.append(fallback)
        raise DataError(
            f"the dates can be read day first or month first (every part is 12 or less, "
            f"e.g. '{sample_key}')", file=file, column=column,
            hint=f'Add date_format: "{uk}" to the spec if \'{sample_key}\' means {words[0]} (UK), '
                 f'or date_format: "{us}" if it means {words[1]} (US).')
    return True


def parse_year_month(year: pd.Series, month: pd.Series, *, columns: Sequence[str], file: str,
                     rows: np.ndarray | None = None) -> pd.Series:
    """Read a pair of year and month columns into the first of each month.

    Months may be numbers (``3``) or names (``Mar``, ``March``).

    >>> parse_year_month(pd.Series([2024, 2024]), pd.Series(["Jan", 2]),
    ...                  columns=["year", "month"], file="x.csv").dt.month.tolist()
    [1, 2]
    """
    rows = np.arange(len(year)) + 2 if rows is None else np.asarray(rows)
    years = [_whole(v) for v in year]
    months = [_month_number(v) for v in month]
    for col, got, raw, ok in ((columns[0], years, year, lambda y: 1900 <= y <= 2100),
                              (columns[1], months, month, lambda m: 1 <= m <= 12)):
        bad = np.array([g is None or not ok(g) for g in got])
        if bad.any():
            shown_values = pd.Series(raw)[bad].astype(str).drop_duplicates().head(_SHOWN)
            shown = ", ".join(f"'{v}'" for v in shown_values)
            what = "a four-digit year such as 2024" if col == columns[0] else \
                "a month number (1 to 12) or name (Jan, January)"
            raise DataError(f"these values are not {what.split(' such')[0]}: {shown}", file=file,
                            column=col, rows=[int(r) for r in rows[bad]],
                            hint=f"Correct those cells so each holds {what}.")
    return pd.Series([pd.Timestamp(y, m, 1) for y, m in zip(years, months)], dtype="datetime64[ns]")


def _whole(v: object) -> int | None:
    if isinstance(v, str):
        v = v.strip()
        return int(v) if v.isdigit() else None
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
        return int(v)
    return None


def _month_number(v: object) -> int | None:
    if isinstance(v, str) and v.strip().rstrip(".").lower() in _MONTHS:
        return _MONTHS[v.strip().rstrip(".").lower()]
    return _whole(v)


# --- how often the rows come -------------------------------------------------

HINT_AGGREGATE = ("If each row is one incident, add aggregate: week (or day, month or "
                   "quarter) to the spec to count the rows in each period.")


def infer_freq(dates: pd.Series, *, column: str, file: str, rows: np.ndarray | None = None) -> str:
    """Whether rows are daily, weekly, monthly or quarterly, from their spacing.

    >>> infer_freq(pd.Series(pd.to_datetime(["2024-01-31", "2024-02-29", "2024-04-30"])),
    ...            column="date", file="x.csv")
    'month'
    """
    dates = pd.Series(dates).reset_index(drop=True)
    rows = np.arange(len(dates)) + 2 if rows is None else np.asarray(rows)
    first_row = pd.Series(rows).groupby(dates.to_numpy()).min()
    if (dates != dates.dt.normalize()).any():
        at = int(rows[(dates != dates.dt.normalize()).to_numpy()][0])
        raise DataError("the dates include times of day, so the rows are not whole periods",
                        file=file, column=column, rows=[at], hint=HINT_AGGREGATE)
    unique = pd.Series(np.sort(dates.unique()))
    if len(unique) < 2:
        raise DataError("every row has the same date, so there is no series to analyse",
                        file=file, column=column,
                        hint="Export one row per period (at least two periods). " + HINT_AGGREGATE)
    gaps = unique.diff().dt.days.to_numpy()[1:]
    smallest = int(gaps.min())
    freq = {1: "day", 7: "week"}.get(smallest)
    if freq is None and 28 <= smallest <= 31:
        freq = "month"
    if freq is None and 89 <= smallest <= 92:
        freq = "quarter"
    bad_at = int(np.argmin(gaps)) if freq is None else _first_uneven(unique, gaps, freq)
    if bad_at >= 0:
        a, b = unique[bad_at], unique[bad_at + 1]
        ra, rb = int(first_row[a]), int(first_row[b])
        raise DataError(
            f"the dates are not evenly spaced: {fmt_date(a)} (row {ra}) is followed by "
            f"{fmt_date(b)} (row {rb}), {gaps[bad_at]:.0f} days later", file=file, column=column,
            rows=sorted({ra, rb}),
            hint="whatworks reads series with one row per day, week, month or quarter, evenly "
                 "spaced. Correct the dates, or " + HINT_AGGREGATE[0].lower() + HINT_AGGREGATE[1:])
    return freq


def _first_uneven(unique: pd.Series, gaps: np.ndarray, freq: str) -> int:
    """Index of the first gap that is not a whole number of periods, or -1."""
    spec = FREQS[freq]
    if freq in ("day", "week"):
        bad = np.flatnonzero(gaps % spec.days != 0)
        return int(bad[0]) if len(bad) else -1
    per_year = 12 if freq == "month" else 4
    index = unique.dt.year * per_year + (unique.dt.month - 1) // (12 // per_year)
    steps = index.diff().to_numpy()[1:]
    # steps of 0 are two dates in one period: the duplicate check names them
    off = (steps > 0) & (np.abs(gaps - steps * spec.days) > spec.tolerance)
    bad = np.flatnonzero(off)
    return int(bad[0]) if len(bad) else -1


# --- periods left out of fitting ------------------------------------------------


def exclusions(exclude_periods: object) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``[start, end]`` pairs or ``{start, end}`` mappings as timestamps."""
    key = "exclude_periods"
    example = "For example exclude_periods: [[2020-03-23, 2020-06-30]]."
    if exclude_periods is None:
        return []
    if isinstance(exclude_periods, (str, Mapping)) or not isinstance(exclude_periods, Iterable):
        exclude_periods = [exclude_periods]
    exclude_periods = list(exclude_periods)
    if len(exclude_periods) == 2 and all(to_timestamp(v) is not None for v in exclude_periods):
        exclude_periods = [exclude_periods]  # one [start, end] pair, not nested
    out = []
    for item in exclude_periods:
        if isinstance(item, Mapping) and set(item) == {"start", "end"}:
            pair = (item["start"], item["end"])
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            pair = tuple(item)
        else:
            raise SpecError(f"'{item}' is not a start and end date", key=key,
                            hint=f"Give each as [start, end] or {{start: ..., end: ...}}. {example}")
        start, end = (to_timestamp(v) for v in pair)
        if start is None or end is None:
            raise SpecError(f"'{pair[0] if start is None else pair[1]}' is not a date", key=key,
                            hint=f"Write dates as 2020-03-23. {example}")
        if end < start:
            raise SpecError(f"the period {pair[0]} to {pair[1]} ends before it starts", key=key,
                            hint="Swap the two dates.")
        out.append((start, end))
    return out


def mark_excluded(periods: pd.Series, freq: str,
                  windows: list[tuple[pd.Timestamp, pd.Timestamp]]) -> np.ndarray:
    """True for periods that overlap any window (start and end inclusive)."""
    unique = periods.drop_duplicates()
    ends = {p: period_end(p, freq) for p in unique}
    excluded = np.zeros(len(periods), dtype=bool)
    for start, end in windows:
        hit = [p for p in unique if p <= end and ends[p] >= start]
        if not hit:
            raise SpecError(
                f"the period {start:%Y-%m-%d} to {end:%Y-%m-%d} lies outside the data, which runs "
                f"from {unique.min():%Y-%m-%d} to {max(ends.values()):%Y-%m-%d}",
                key="exclude_periods", hint="Correct the dates or remove that period.")
        excluded |= periods.isin(hit).to_numpy()
    return excluded


# --- one row per period ------------------------------------------------------


def aggregate(w: pd.DataFrame, freq: str, keys: list[str], outputs: list[str]) -> pd.DataFrame:
    """Add up incidents per period (and unit/category), zero for empty periods."""
    w = w.astype({"period": "datetime64[ns]"})
    summed = w.groupby([*keys, "period"], sort=False)[["outcome", *outputs]].sum()
    periods = span(w["period"].min(), w["period"].max(), freq).astype("datetime64[ns]")
    if keys:
        levels = [sorted(w[k].unique()) for k in keys] + [periods]
        full = pd.MultiIndex.from_product(levels, names=[*keys, "period"])
    else:
        full = pd.DatetimeIndex(periods, name="period")
    out = summed.reindex(full, fill_value=0.0).reset_index()
    out["date"] = out["period"]
    return out


def _series_words(keys: list[str], values: tuple) -> str:
    words = {"unit": "unit", "group": "category"}
    return "".join(f" for {words[k]} '{v}'" for k, v in zip(keys, values))


def refuse_duplicates(w: pd.DataFrame, freq: str, keys: list[str], file: str,
                      column: str | list[str]) -> None:
    """Refuse two rows for one period (per unit and category), naming the rows."""
    dup = w.duplicated([*keys, "period"], keep=False)
    if not dup.any():
        return
    clashes = w[dup].groupby([*keys, "period"], sort=True)["_row"].apply(list)
    at, clash_rows = clashes.index[0], clashes.iloc[0]
    at = at if isinstance(at, tuple) else (at,)
    what = FREQS[freq].word
    more = "" if len(clashes) == 1 else (
        f" ({plural(len(clashes) - 1, 'other ' + what)} also "
        f"{'has' if len(clashes) == 2 else 'have'} more than one row)")
    per = " per " + " and ".join({"unit": "unit", "group": "category"}[k] for k in keys) if keys else ""
    raise DataError(
        f"{len(clash_rows)} rows are for the same {what} ({period_words(at[-1], freq)})"
        f"{_series_words(keys, at[:-1])}{more}", file=file, column=column, rows=sorted(clash_rows),
        hint=f"Each {what} should appear once{per}: remove the extra rows or add them together. "
             + HINT_AGGREGATE)


def fill_gaps(w: pd.DataFrame, freq: str, keys: list[str], file: str, column: str | list[str], *,
              fill_missing: str | None, fillable: bool) -> tuple[pd.DataFrame, int]:
    """Refuse periods missing inside each series, or fill them with zero."""
    missing: dict[tuple, pd.DatetimeIndex] = {}
    for key, part in (w.groupby(keys, sort=True) if keys else [((), w)]):
        key = key if isinstance(key, tuple) else (key,)
        full = span(part["period"].min(), part["period"].max(), freq)
        lost = full.difference(pd.DatetimeIndex(part["period"]))
        if len(lost):
            missing[key] = lost
    if not missing:
        return w, 0
    key, lost = next(iter(missing.items()))
    what = FREQS[freq].word
    listed = ", ".join(period_words(p, freq) for p in lost[:_SHOWN])
    listed += f" and {len(lost) - _SHOWN} more" if len(lost) > _SHOWN else ""
    others = "" if len(missing) == 1 else (
        f" ({plural(len(missing) - 1, 'other series', 'other series')} also "
        f"{'has' if len(missing) == 2 else 'have'} gaps)")
    message = (f"there is no row for {plural(len(lost), what)}{_series_words(keys, key)} "
               f"inside the series: {listed}{others}")
    if fill_missing == "zero" and not fillable:
        raise DataError(message, file=file, column=column,
                        hint="fill_missing: zero cannot fill these, because a missing "
                             "denominator, exposure or measured value is not zero. Add the rows "
                             "to the data.")
    if fill_missing != "zero":
        raise DataError(message, file=file, column=column,
                        hint=f"Add a row for each missing {what} (with 0 if nothing happened), "
                             "or add fill_missing: zero to the spec to count missing periods as "
                             "zero.")
    extra = [dict(zip(keys, k), period=p, date=p, _row=np.nan) for k, ps in missing.items()
             for p in ps]
    add = pd.DataFrame(extra).astype({"period": w["period"].dtype, "date": w["date"].dtype})
    value_cols = [c for c in w.columns if c not in (*keys, "period", "date", "_row")]
    add[value_cols] = 0.0
    return pd.concat([w, add], ignore_index=True), len(extra)
