"""Dates and periods: the one module that reads date text, and the calendar.

Every date whatworks reads goes through here, under one set of rules, whether
it comes from a spec value, a register cell or a data column:

- real dates, datetimes and timestamps (spreadsheet date cells) pass;
- ISO text: ``2024-03-01`` (a time may follow) and ``2024-03`` (the 1st);
- UK text, day first: ``25/03/2024``, ``25-03-24``, ``3 March 2024``,
  ``Mar 2024``, ``Mar-2024`` (the 1st); two-digit years are 20xx;
- a slash date whose two parts are both 12 or less (``03/04/2024``) is
  refused unless ``date_format`` says the order or the two parts are equal
  (``01/01/2024`` reads the same both ways). A column is read day first when
  some first part is over 12 (``25/03/2024``); a column with a second part
  over 12 is month first (US) and is refused unless ``date_format`` says so.
  A column whose every slash date is ambiguous is read day first when only
  that reading gives a regular series (``01/04/2024``, ``01/05/2024``, ...
  are months; read month first they are scattered days), and
  :attr:`DateReading.note` says so for the method notes. Cells of a table
  read one at a time follow the same rule across the table: one written
  ``25/03/2024`` settles the others (:func:`written_day_first`). Text is
  never read month first unless ``date_format`` says so.
- period text names whole periods: years (``2023``, as text or numbers),
  financial years, April to March (``2023/24``, ``2023-24``, ``FY2023/24``),
  financial quarters (``Q1 2023/24`` is April to June 2023) and calendar
  quarters (``2023 Q1``, ``Q1 2023``).

The calendar (:data:`FREQS`, :data:`PERIODS_PER_YEAR`) knows days, weeks
(starting Monday), months, quarters (starting January, April, July or
October), financial quarters (the same periods, numbered from April), years
and financial years. The helpers at the end count incidents per period,
add a weekly (or daily) series up to months (:func:`regroup`: each week in
the month of its Thursday, the ISO rule), refuse two rows for one period,
find (or fill) periods missing inside a series, and mark the periods a spec
excludes from fitting.

Examples
--------
>>> parse_date("25/03/2024").date().isoformat()
'2024-03-25'
>>> try:
...     parse_date("03/04/2024", key="intervention_date")
... except SpecError as err:
...     print(err.message)
'03/04/2024' can be read as 3 April 2024 (day first) or 4 March 2024 (month first)
>>> s = pd.Series(["25/03/2024", "03/04/2024"])
>>> [d.date().isoformat() for d in parse_dates(s, column="date", file="x.csv").dates]
['2024-03-25', '2024-04-03']
>>> parse_dates(pd.Series(["2023/24", "2024/25"]), column="year", file="x.csv").freq
'financial_year'
>>> parse_financial_year("2024/25")
(datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
>>> period_words(pd.Timestamp("2024-04-01"), "financial_quarter")
'Q1 2024/25, April to June 2024'
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, NoReturn

import numpy as np
import pandas as pd

from .errors import DataError, SpecError

__all__ = ["FREQS", "PERIODS_PER_YEAR", "HINT_AGGREGATE", "DateReading", "parse_date",
           "written_day_first", "parse_dates", "parse_year_month", "parse_financial_year",
           "date_words", "floor", "span", "period_end", "period_words", "infer_freq",
           "exclusions", "mark_excluded", "aggregate", "regroup", "Regrouped", "refuse_duplicates", "fill_gaps"]

_SHOWN = 5
_FY_START = 4  # financial years run from April to March


# --- the calendar ------------------------------------------------------------


class _Freq(NamedTuple):
    floor: Callable[[pd.Series], pd.Series]
    alias: str  # pandas date_range frequency of period starts
    word: str  # "week", for messages
    adverb: str  # "weekly"
    days: float  # nominal length
    tolerance: float  # allowed drift of one step, in days (months differ in length)
    step: pd.DateOffset  # from one period start to the next
    per_year: int


def _floor_day(d: pd.Series[pd.Timestamp]) -> pd.Series:
    return d.dt.normalize()


def _floor_week(d: pd.Series[pd.Timestamp]) -> pd.Series:
    d = d.dt.normalize()
    return d - pd.to_timedelta(d.dt.day_of_week, unit="D")


def _floor_to(period: str) -> Callable[[pd.Series], pd.Series]:
    def floor_(d: pd.Series[pd.Timestamp]) -> pd.Series:
        return d.dt.to_period(period).dt.start_time.astype(d.dtype)
    return floor_


_MONTHS_STEP = {n: pd.DateOffset(months=n) for n in (1, 3, 12)}

#: The period lengths whatworks reads, by their spec name.
FREQS: dict[str, _Freq] = {
    "day": _Freq(_floor_day, "D", "day", "daily", 1.0, 0.0, pd.DateOffset(days=1), 365),
    "week": _Freq(_floor_week, "W-MON", "week", "weekly", 7.0, 0.0, pd.DateOffset(days=7), 52),
    "month": _Freq(_floor_to("M"), "MS", "month", "monthly", 365.25 / 12, 3.5,
                   _MONTHS_STEP[1], 12),
    "quarter": _Freq(_floor_to("Q"), "QS-JAN", "quarter", "quarterly", 365.25 / 4, 3.5,
                     _MONTHS_STEP[3], 4),
    "financial_quarter": _Freq(_floor_to("Q"), "QS-JAN", "quarter", "quarterly", 365.25 / 4, 3.5,
                               _MONTHS_STEP[3], 4),
    "year": _Freq(_floor_to("Y"), "YS-JAN", "year", "yearly", 365.25, 1.0, _MONTHS_STEP[12], 1),
    "financial_year": _Freq(_floor_to("Y-MAR"), "YS-APR", "financial year", "yearly", 365.25, 1.0,
                            _MONTHS_STEP[12], 1),
}

#: How many periods make a year, for every frequency in :data:`FREQS`.
PERIODS_PER_YEAR: dict[str, int] = {name: f.per_year for name, f in FREQS.items()}


def floor(dates: pd.Series, freq: str) -> pd.Series:
    """The start of the period holding each date."""
    return FREQS[freq].floor(pd.Series(dates))


def span(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Every period start from ``first`` to ``last`` inclusive."""
    return pd.date_range(first, last, freq=FREQS[freq].alias)


def period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    """The last day of the period starting at ``start``.

    >>> period_end(pd.Timestamp("2024-04-01"), "financial_year").date().isoformat()
    '2025-03-31'
    """
    return pd.Timestamp(start) + FREQS[freq].step - pd.Timedelta(days=1)


def _fy_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _fy_of(when: pd.Timestamp) -> int:
    """The year a financial year holding ``when`` starts in."""
    return when.year - (when.month < _FY_START)


def period_words(start: pd.Timestamp, freq: str) -> str:
    """A period for people: ``March 2024``, ``week of 4 March 2024``, ``2024/25``.

    >>> period_words(pd.Timestamp("2024-04-01"), "quarter")
    'quarter April to June 2024'
    >>> period_words(pd.Timestamp("2024-04-01"), "financial_year")
    '2024/25'
    """
    start = pd.Timestamp(start)
    last = start + pd.DateOffset(months=2)
    words: dict[str, Callable[[], str]] = {
        "day": lambda: date_words(start),
        "week": lambda: f"week of {date_words(start)}",
        "month": lambda: f"{start:%B %Y}",
        "quarter": lambda: f"quarter {start:%B} to {last:%B %Y}",
        "financial_quarter": lambda: (f"Q{(start.month - _FY_START) % 12 // 3 + 1} "
                                      f"{_fy_label(_fy_of(start))}, {start:%B} to {last:%B %Y}"),
        "year": lambda: f"{start:%Y}",
        "financial_year": lambda: _fy_label(_fy_of(start)),
    }
    return words[freq]()


def date_words(value: object) -> str:
    """A date for people, ``3 March 2025``, from anything :func:`parse_date` reads.

    >>> date_words("2025-03-03")
    '3 March 2025'
    """
    when = parse_date(value)
    return f"{when.day} {when:%B %Y}"


def _count(n: int, word: str, words: str | None = None) -> str:
    """``1 week`` or ``3 weeks``, as ``text.plural`` (which this module cannot import:
    ``text`` reads date text through it)."""
    return f"{n:,} {word if n == 1 else words or word + 's'}"


# --- reading date text -------------------------------------------------------

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
_WRITE = ("Write dates as YYYY-MM-DD, for example 2024-03-01; UK dates such as 25/03/2024 "
          "and 3 March 2024 are read too.")


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


def _readings(part: pd.Series) -> tuple[str, str]:
    """A slash date's day-first and month-first readings in words (or why not)."""
    a, b, y = int(part["a"]), int(part["b"]), _year(part["y"])
    words = []
    for month, day, fallback in ((b, a, "day first"), (a, b, "month first")):
        try:
            words.append(date_words(_dt.date(y, month, day)))
        except ValueError:
            words.append(fallback)
    return words[0], words[1]


def _unmistakable(part: pd.Series) -> str:
    """A slash date like ``part`` that only a day-first reading fits (day 25)."""
    sep = part["sep"]
    return f"25{sep}{int(part['b']):02d}{sep}{part['y']}"


def _fail(message: str, hint: str, *, key: str | None, file: str | None,
          column: str | None) -> NoReturn:
    if key is not None:
        raise SpecError(message, key=key, file=file, hint=hint)
    raise DataError(message, file=file, column=column, hint=hint)


def _blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def parse_date(value: object, *, key: str | None = None, file: str | None = None,
               column: str | None = None, date_format: str | None = None,
               day_first: bool = False) -> pd.Timestamp:
    """Read one date: a spec value or a register cell.

    Parameters
    ----------
    value
        A ``date``, ``datetime``, ``pd.Timestamp`` or text (see the module
        notes for the forms read).
    key, file, column
        Where the value came from, for messages: with ``key`` problems are
        a :class:`~whatworks.errors.SpecError`, else a
        :class:`~whatworks.errors.DataError` naming the file and column.
    date_format
        A strftime format (``"%m/%d/%Y"``) that settles how text is read.
    day_first
        True when the value's other dates settle the order (a table whose
        slash dates include ``25/03/2024``, see :func:`written_day_first`): a
        slash date that can be read either way is then read day first. A
        slash date that can only be month first is still refused.

    Raises
    ------
    SpecError, DataError
        For blank or unreadable values, and for slash dates that can be read
        day first or month first (``03/04/2024``, unless ``day_first``) or
        only month first.

    Examples
    --------
    >>> [parse_date(v).date().isoformat() for v in ("2024-03-01", "1 March 2024", "Mar 2024")]
    ['2024-03-01', '2024-03-01', '2024-03-01']
    >>> parse_date("03/04/2024", date_format="%d/%m/%Y").date().isoformat()
    '2024-04-03'
    >>> parse_date("03/04/2024", day_first=True).date().isoformat()
    '2024-04-03'
    """
    where = {"key": key, "file": file, "column": column}
    if _blank(value):
        _fail("the date is blank", "Fill in the date. " + _WRITE, **where)
    if isinstance(value, (_dt.date, np.datetime64)):  # pd.Timestamp is a datetime
        when = pd.Timestamp(value)
        return when.tz_localize(None) if when.tzinfo is not None else when
    text = value.strip() if isinstance(value, str) else None
    if text is None:
        _fail(f"'{value}' is not a date", _WRITE, **where)
    if date_format is not None:
        formatted = pd.to_datetime(text, format=date_format, errors="coerce")
        if not isinstance(formatted, pd.Timestamp):  # NaT: not a date in that format
            _fail(f"'{text}' is not a date in the format '{date_format}'",
                  "Correct the date, or the date_format.", **where)
        return formatted
    parts, kind = _components(pd.Series([text]))
    part = parts.iloc[0]
    if kind.iloc[0] == "slash":
        a, b = int(part["a"]), int(part["b"])
        uk, us = _readings(part)
        y = _year(part["y"])
        if a <= 12 < b:
            _fail(f"'{text}' is written month first (US style), {us}",
                  f"Write it as YYYY-MM-DD ({y}-{a:02d}-{b:02d}) or day first "
                  f"({b:02d}{part['sep']}{a:02d}{part['sep']}{part['y']}): whatworks reads "
                  "slash dates day first (UK).", **where)
        if a <= 12 and b <= 12 and a != b and not day_first:
            _fail(f"'{text}' can be read as {uk} (day first) or {us} (month first)",
                  f"Write it as YYYY-MM-DD: {y}-{b:02d}-{a:02d} for {uk}, or "
                  f"{y}-{a:02d}-{b:02d} for {us}. Slash dates are read only when they cannot "
                  f"be misread, as {_unmistakable(part)} is 25 {calendar.month_name[b]} {y}.",
                  **where)
    read = _timestamps(parts, kind, day_first=True).iloc[0]
    if not isinstance(read, pd.Timestamp):  # NaT: not a date
        _fail(f"'{text}' is not a date", _WRITE, **where)
    return read


def written_day_first(values: Iterable[object]) -> bool:
    """True when some slash date among ``values`` can be read only day first.

    The values are one table's dates, all written by one hand: ``25/03/2024``
    among them settles that ``03/04/2024`` is 3 April (pass ``day_first`` to
    :func:`parse_date`). Anything that is not slash-date text is skipped.

    >>> written_day_first(["2024-03-01", "03/04/2024", "25/03/2024"])
    True
    >>> written_day_first(["03/04/2024", "04/15/2024", None])
    False
    """
    texts = pd.Series([v.strip() for v in values if isinstance(v, str) and v.strip()], dtype=object)
    if texts.empty:
        return False
    parts, kind = _components(texts)
    slash = parts[(kind == "slash").to_numpy()]
    return bool((pd.to_numeric(slash["a"]) > 12).any())


# --- reading period text -----------------------------------------------------

_FINANCIAL = re.compile(r"^(?:Q(?P<q>[1-4]) )?(?P<fy>FY ?)?(?P<y>\d{4}) ?(?P<sep>[/-]) ?"
                        r"(?P<y2>\d{2}|\d{4})(?: Q(?P<q2>[1-4]))?$")
_QUARTER = re.compile(r"^(?:(?P<y>\d{4}) ?-? ?Q(?P<q>[1-4])|Q(?P<q2>[1-4]) ?-? ?(?P<y2>\d{4}))$")
_YEAR = re.compile(r"^\d{4}$")


class _Named(NamedTuple):
    start: pd.Timestamp
    freq: str
    also_a_month: bool = False  # "2011-12": financial year 2011/12 or December 2011


def _period(value: object) -> _Named | None:
    """The period that text (or a whole number) names, or ``None``."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if not isinstance(value, str):
        year = _whole(value)
        return _Named(pd.Timestamp(year, 1, 1), "year") if year and 1900 <= year <= 2100 else None
    text = " ".join(value.split()).upper()
    if _YEAR.match(text):
        return _period(int(text))
    if m := _FINANCIAL.match(text):
        y, y2 = int(m["y"]), int(m["y2"])
        if y2 != (y + 1 if len(m["y2"]) == 4 else (y + 1) % 100):
            return None
        start = pd.Timestamp(y, _FY_START, 1)
        q = m["q"] or m["q2"]
        if q:
            return _Named(start + pd.DateOffset(months=3 * (int(q) - 1)), "financial_quarter")
        month_too = m["sep"] == "-" and len(m["y2"]) == 2 and y2 <= 12 and not m["fy"]
        return _Named(start, "financial_year", month_too)
    if m := _QUARTER.match(text):
        y, q = int(m["y"] or m["y2"]), int(m["q"] or m["q2"])
        return _Named(pd.Timestamp(y, 3 * q - 2, 1), "quarter")
    return None


def parse_financial_year(text: object, *, key: str | None = None, file: str | None = None,
                         column: str | None = None) -> tuple[_dt.date, _dt.date]:
    """The first and last day of a financial year written ``2024/25``.

    ``2024-25``, ``2024/2025`` and ``FY2024/25`` are read too. Problems are a
    :class:`~whatworks.errors.SpecError` with ``key``, else a
    :class:`~whatworks.errors.DataError` naming ``file`` and ``column``.

    >>> parse_financial_year("FY2023-24")
    (datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))
    """
    named = _period(text) if isinstance(text, str) else None
    if named is None or named.freq != "financial_year":
        _fail(f"'{text}' is not a financial year",
              "Write it as 2024/25 (April 2024 to March 2025).", key=key, file=file, column=column)
    return named.start.date(), period_end(named.start, "financial_year").date()


# --- reading one date column -------------------------------------------------


class DateReading(NamedTuple):
    """A date column as read by :func:`parse_dates`.

    Attributes
    ----------
    dates
        One timestamp per value; period text gives the start of its period.
    freq
        The period length the values name when they are period text
        (``year``, ``financial_year``, ``quarter``, ``financial_quarter``);
        ``None`` for dates, whose spacing decides (:func:`infer_freq`).
    note
        A sentence for the method notes when the column's slash dates could
        be read either way and regularity chose the reading; else ``None``.
    """

    dates: pd.Series
    freq: str | None = None
    note: str | None = None


def _rows_of(values: Sequence[object], keys: pd.Series, rows: np.ndarray) -> tuple[list[int], str]:
    """Spreadsheet rows whose cell is one of ``values``, and the values shown."""
    mask = keys.isin(list(values)).to_numpy()
    bad_rows = [int(r) for r in rows[mask]]
    shown = keys[mask].drop_duplicates().head(_SHOWN)
    return bad_rows, ", ".join(f"'{v}'" for v in shown)


def parse_dates(values: pd.Series, *, column: str, file: str, rows: np.ndarray | None = None,
                date_format: str | None = None) -> DateReading:
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

    Returns
    -------
    DateReading
        The dates, the period length period text names, and a note when
        regularity chose how ambiguous slash dates were read.

    Raises
    ------
    DataError
        For blank or unreadable dates, for slash dates whose order (day
        first or month first) the column does not settle, and for columns
        mixing period text with dates or periods of different lengths.
    """
    values = pd.Series(values).reset_index(drop=True)
    rows = np.arange(len(values)) + 2 if rows is None else np.asarray(rows)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = pd.to_datetime(values)
        if out.dt.tz is not None:
            out = out.dt.tz_localize(None)
        _refuse_blank(out.isna().to_numpy(), rows, column, file)
        return DateReading(out.astype("datetime64[ns]"))
    unique = pd.Series(values.dropna().unique(), dtype=object)
    is_text = np.array([isinstance(v, str) for v in unique], dtype=bool)
    stripped = unique.copy()
    stripped[is_text] = unique[is_text].astype(str).str.strip()
    blank_values = set(unique[is_text & (stripped == "").to_numpy()])
    _refuse_blank((values.isna() | values.isin(blank_values)).to_numpy(), rows, column, file)
    keys = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    named = [_period(v) for v in stripped] if date_format is None else []
    if named and any(n is not None and (all(named) or not n.also_a_month) for n in named):
        return _read_periods(named, stripped, keys, values, rows, column, file)
    texts = stripped[is_text]
    parsed = pd.Series(pd.NaT, index=stripped.index, dtype="datetime64[ns]")
    spreadsheet = np.array([isinstance(v, (_dt.date, pd.Timestamp)) for v in unique], dtype=bool)
    parsed[spreadsheet] = pd.to_datetime(stripped[spreadsheet].tolist()).astype("datetime64[ns]")
    note = None
    if date_format is not None:
        parsed[texts.index] = pd.to_datetime(texts.astype(str), format=date_format,
                                             errors="coerce").astype("datetime64[ns]")
    elif len(texts):
        parts, kind = _components(texts.astype(str))
        slash = (kind == "slash").to_numpy()
        readings = {}
        for day_first in (True, False):
            reading = parsed.copy()
            reading[texts.index] = _timestamps(parts, kind, day_first).to_numpy()
            readings[day_first] = reading
        parsed = readings[True]
        if slash.any() and not _proven_day_first(parts[slash], texts[slash], keys, rows,
                                                 column, file):
            note = _choose_by_regularity(readings, parts[slash], texts[slash], column, file)
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
    return DateReading(out, note=note)


def _read_periods(named: list[_Named | None], stripped: pd.Series, keys: pd.Series,
                  values: pd.Series, rows: np.ndarray, column: str, file: str) -> DateReading:
    """A column of period text (years, financial years, quarters) as period starts."""
    found = [n for n in named if n is not None]
    if len(found) < len(named):
        odd = [v for v, n in zip(stripped, named) if n is None]
        some = next(v for v, n in zip(stripped, named) if n is not None)
        bad_rows, shown = _rows_of(odd, keys, rows)
        raise DataError(f"the column holds periods such as '{some}', but these values are not "
                        f"periods: {shown}", file=file, column=column, rows=bad_rows,
                        hint="Write every value the same way: a year (2024), a financial year "
                             "(2024/25) or a quarter (Q1 2024/25, 2024 Q1); or every value a date.")
    kinds: dict[str, Any] = {}
    for v, n in zip(stripped, found):
        kinds.setdefault(n.freq, v)
    if len(kinds) > 1:
        (f1, v1), (f2, v2) = list(kinds.items())[:2]
        rows1, _ = _rows_of([v1], keys, rows)
        rows2, _ = _rows_of([v2], keys, rows)
        words = {"year": "a year", "financial_year": "a financial year",
                 "quarter": "a calendar quarter", "financial_quarter": "a financial quarter"}
        raise DataError(f"the periods are not all of one kind: '{v1}' (row {rows1[0]}) is "
                        f"{words[f1]} and '{v2}' (row {rows2[0]}) is {words[f2]}", file=file,
                        column=column, rows=sorted({rows1[0], rows2[0]}),
                        hint="Write every period the same way, e.g. 2024/25 for each financial "
                             "year or Q1 2024/25 for each financial quarter.")
    lookup = {v: n.start for v, n in zip(stripped, found)}
    out = keys.map(lookup).astype("datetime64[ns]")
    return DateReading(out, freq=next(iter(kinds)))


def _refuse_blank(blank: np.ndarray, rows: np.ndarray, column: str, file: str) -> None:
    if blank.any():
        raise DataError("the date is blank", file=file, column=column,
                        rows=[int(r) for r in rows[blank]],
                        hint="Fill in the date on those rows, or delete rows that are not data.")


def _proven_day_first(parts: pd.DataFrame, texts: pd.Series, keys: pd.Series, rows: np.ndarray,
                      column: str, file: str) -> bool:
    """True when some slash date is day first only; refuse month-first or mixed columns;
    False when every slash date can be read either way."""
    a = pd.to_numeric(parts["a"]).to_numpy()
    b = pd.to_numeric(parts["b"]).to_numpy()
    day_first, month_first = texts[a > 12].tolist(), texts[b > 12].tolist()
    at = int(np.argmax(a > 12)) if day_first else int(np.argmax(b > 12)) if month_first else 0
    sample = parts.iloc[at]
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
    return bool(day_first)


def _choose_by_regularity(readings: dict[bool, pd.Series], parts: pd.DataFrame, texts: pd.Series,
                          column: str, file: str) -> str:
    """The note for a column read day first because only that reading is regular;
    refuse when both readings are regular, or neither, or only month first."""
    regular = {day_first: _regular(r) for day_first, r in readings.items()}
    unequal = (pd.to_numeric(parts["a"]) != pd.to_numeric(parts["b"])).to_numpy()
    at = int(np.argmax(unequal))
    sample_key, sample = texts.iloc[at], parts.iloc[at]
    uk_words, us_words = _readings(sample)
    as_uk, as_us = regular[True], regular[False]
    if as_uk and not as_us:
        return (f"Every date in column '{column}' of {file} could be read day first or month "
                f"first; they were read day first (UK), so '{sample_key}' is {uk_words}, because "
                f"only that reading gives a {FREQS[as_uk].adverb} series with no gaps.")
    uk, us = _format_for(sample, "dmy"), _format_for(sample, "mdy")
    why = ""
    if as_us and not as_uk:
        why = (f" Read month first they make a {FREQS[as_us].adverb} series with no "
               "gaps; read day first they do not.")
    raise DataError(
        f"the dates can be read day first or month first (every part is 12 or less, "
        f"e.g. '{sample_key}')", file=file, column=column,
        hint=f'Add date_format: "{uk}" to the spec if \'{sample_key}\' means {uk_words} (UK), '
             f'or date_format: "{us}" if it means {us_words} (US).{why} A date such as '
             f"'{_unmistakable(sample)}' can be read only one way.")


def _regular(dates: pd.Series) -> str | None:
    """The period length of dates that make an unbroken series (one date per period,
    none missing), else ``None``."""
    unique = pd.Series(np.sort(dates.dropna().unique()))
    if len(unique) < 2 or (unique != unique.dt.normalize()).any():
        return None
    freq, bad_at = _spacing(unique)
    if freq is None or bad_at >= 0:
        return None
    periods = floor(unique, freq)
    whole = not periods.duplicated().any()
    return freq if whole and len(span(periods.iloc[0], periods.iloc[-1], freq)) == len(periods) \
        else None


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
    checks: tuple[tuple[str, list[int | None], pd.Series, Callable[[int], bool]], ...] = (
        (columns[0], years, year, lambda y: 1900 <= y <= 2100),
        (columns[1], months, month, lambda m: 1 <= m <= 12))
    for col, got, raw, ok in checks:
        bad = np.array([g is None or not ok(g) for g in got])
        if bad.any():
            shown_values = pd.Series(raw)[bad].astype(str).drop_duplicates().head(_SHOWN)
            shown = ", ".join(f"'{v}'" for v in shown_values)
            what = "a four-digit year such as 2024" if col == columns[0] else \
                "a month number (1 to 12) or name (Jan, January)"
            raise DataError(f"these values are not {what.split(' such')[0]}: {shown}", file=file,
                            column=col, rows=[int(r) for r in rows[bad]],
                            hint=f"Correct those cells so each holds {what}.")
    # every year and month was checked above, so none is None here
    stamps = [pd.Timestamp(y, m, 1) for y, m in zip(years, months) if y is not None and m is not None]
    return pd.Series(stamps, dtype="datetime64[ns]")


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


def infer_freq(dates: pd.Series, *, column: str | Sequence[str], file: str,
               rows: np.ndarray | None = None) -> str:
    """Whether rows are daily, weekly, monthly, quarterly or yearly, from their spacing.

    Yearly dates that all fall on 1 April are financial years.

    >>> infer_freq(pd.Series(pd.to_datetime(["2024-01-31", "2024-02-29", "2024-04-30"])),
    ...            column="date", file="x.csv")
    'month'
    >>> infer_freq(pd.Series(pd.to_datetime(["2000-01-01", "2001-01-01", "2003-01-01"])),
    ...            column="date", file="x.csv")
    'year'
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
    freq, bad_at = _spacing(unique)
    if freq is None or bad_at >= 0:  # without a period length, bad_at is the smallest gap
        gaps = unique.diff().dt.days.to_numpy()[1:]
        a, b = unique[bad_at], unique[bad_at + 1]
        ra, rb = int(first_row[a]), int(first_row[b])
        raise DataError(
            f"the dates are not evenly spaced: {date_words(a)} (row {ra}) is followed by "
            f"{date_words(b)} (row {rb}), {gaps[bad_at]:.0f} days later", file=file,
            column=column, rows=sorted({ra, rb}),
            hint="whatworks reads series with one row per day, week, month or quarter (or "
                 "year), evenly spaced. Correct the dates, or "
                 + HINT_AGGREGATE[0].lower() + HINT_AGGREGATE[1:])
    return freq


def _spacing(unique: pd.Series) -> tuple[str | None, int]:
    """The period length of sorted distinct dates, and the index of the first gap that
    is not a whole number of periods (-1 when there is none)."""
    gaps = unique.diff().dt.days.to_numpy()[1:]
    smallest = int(gaps.min())
    freq = {1: "day", 7: "week"}.get(smallest)
    if freq is None and 28 <= smallest <= 31:
        freq = "month"
    if freq is None and 89 <= smallest <= 92:
        freq = "quarter"
    if freq is None and 365 <= smallest <= 366:
        april = ((unique.dt.month == _FY_START) & (unique.dt.day == 1)).all()
        freq = "financial_year" if april else "year"
    if freq is None:
        return None, int(np.argmin(gaps))
    return freq, _first_uneven(unique, gaps, freq)


def _first_uneven(unique: pd.Series, gaps: np.ndarray, freq: str) -> int:
    """Index of the first gap that is not a whole number of periods, or -1."""
    spec = FREQS[freq]
    if freq in ("day", "week"):
        bad = np.flatnonzero(gaps % spec.days != 0)
        return int(bad[0]) if len(bad) else -1
    start = floor(unique, freq)
    index = (start.dt.year * 12 + start.dt.month - 1) // (12 // spec.per_year)
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
    if len(exclude_periods) == 2 and all(isinstance(v, (str, _dt.date)) for v in exclude_periods):
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
        start, end = (parse_date(v, key=key) for v in pair)
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
    full: pd.Index
    if keys:
        levels = [sorted(w[k].unique()) for k in keys] + [periods]
        full = pd.MultiIndex.from_product(levels, names=[*keys, "period"])
    else:
        full = pd.DatetimeIndex(periods, name="period")
    out = summed.reindex(full, fill_value=0.0).reset_index()
    out["date"] = out["period"]
    return out


class Regrouped(NamedTuple):
    """A series added up to longer periods by :func:`regroup`, with what was left out."""

    frame: pd.DataFrame
    dropped: tuple[pd.Timestamp, ...]  # part periods at either end, left out


#: Where a shorter period is counted: a week in the month (or quarter) of its Thursday, so each
#: week counts once, in the month holding four or more of its days (ISO 8601's rule for years).
_ANCHOR_DAYS = {"day": 0, "week": 3}


def regroup(w: pd.DataFrame, freq: str, to: str, keys: list[str], sums: list[str]) -> Regrouped:
    """Add up a weekly (or daily) series per month (or quarter), each short period counted once.

    A week is counted in the month of its Thursday (the ISO 8601 rule), so a
    week running over the end of a month is neither split nor counted twice.
    Each longer period gets ``weeks`` (or ``days``): how many short periods
    it holds, 4 or 5 weeks to a month. A count's model takes them as its
    exposure (unless ``exposure`` is a column already, which is added up),
    so a five-week month is not read as a rise. A first or last month the
    data do not cover whole is left out and named in ``dropped``.

    >>> weeks = pd.date_range("2024-01-01", "2024-03-25", freq="W-MON")
    >>> w = pd.DataFrame({"period": weeks, "outcome": 1.0})
    >>> out = regroup(w, "week", "month", [], ["outcome"])
    >>> [(p.strftime("%b"), n, k) for p, n, k in out.frame[["period", "outcome", "weeks"]].itertuples(index=False)]
    [('Jan', 4.0, 4), ('Feb', 5.0, 5), ('Mar', 4.0, 4)]
    """
    if freq not in _ANCHOR_DAYS or to not in ("month", "quarter"):
        raise ValueError(f"cannot regroup {freq} periods into {to}s")
    unit = f"{FREQS[freq].word}s"
    w = w.astype({"period": "datetime64[ns]"})
    anchor = w["period"] + pd.Timedelta(days=_ANCHOR_DAYS[freq])
    w = w.assign(_to=floor(anchor, to).to_numpy())
    summed = w.groupby([*keys, "_to"], sort=True)[sums].sum()
    summed[unit] = w.groupby([*keys, "_to"], sort=True).size()
    out = summed.reset_index().rename(columns={"_to": "period"})
    first = out["period"].min()
    last = out["period"].max()
    full = {}
    for start in span(first, last, to):
        days = pd.date_range(start, period_end(start, to), freq="D")
        full[start] = len(days) if freq == "day" else int((days.day_of_week == 3).sum())
    whole = out[unit].to_numpy() == out["period"].map(full).to_numpy()
    per = out.groupby(keys, sort=False)["period"] if keys else None
    lo = per.transform("min") if per is not None else first
    hi = per.transform("max") if per is not None else last
    ends = ((out["period"] == lo) | (out["period"] == hi)).to_numpy()
    dropped = tuple(sorted({pd.Timestamp(p) for p in out.loc[ends & ~whole, "period"]}))
    out = out[~out["period"].isin(dropped)].reset_index(drop=True)
    out[unit] = out[unit].astype(int)
    out["date"] = out["period"]
    return Regrouped(out, dropped)


def _series_words(keys: list[str], values: tuple[object, ...]) -> str:
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
        f" ({_count(len(clashes) - 1, 'other ' + what)} also "
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
    missing: dict[tuple[Any, ...], pd.DatetimeIndex] = {}
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
        f" ({_count(len(missing) - 1, 'other series', 'other series')} also "
        f"{'has' if len(missing) == 2 else 'have'} gaps)")
    message = (f"there is no row for {_count(len(lost), what)}{_series_words(keys, key)} "
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
