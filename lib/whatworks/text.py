"""Numbers, dates and intervals written for people.

One interval level is used everywhere (:data:`LEVEL`, 95%). Every number a
report prints goes through one of these functions, so a board paper reads
the same throughout: thousands separators, pounds, percentages, and dates as
``3 March 2025``.

Examples
--------
>>> fmt_number(12345.678)
'12,346'
>>> fmt_number(0.8851, digits=3)
'0.885'
>>> fmt_gbp(1234567)
'£1,234,567'
>>> fmt_pct(-0.1234)
'-12.3%'
>>> fmt_date("2025-03-03")
'3 March 2025'
>>> fmt_interval(0.839, 0.933, digits=3)
'95% CI 0.839 to 0.933'
"""

from __future__ import annotations

import datetime as _dt  # noqa: F401 - used by the examples
import math
from collections.abc import Callable
from typing import SupportsFloat

from . import dates

__all__ = [
    "LEVEL",
    "LEVEL_WORDS",
    "fmt_number",
    "fmt_signed_interval",
    "fmt_gbp",
    "fmt_pct",
    "fmt_date",
    "fmt_interval",
    "fmt_p",
    "fmt_change_pct",
    "plural",
]

#: The one interval level used in every table, chart and sentence.
LEVEL: float = 0.95
#: How that level is written.
LEVEL_WORDS: str = "95%"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: SupportsFloat | None, digits: int | None = None) -> str:
    """A number with thousands separators.

    ``digits`` fixes the decimal places; by default whole numbers of 100 or
    more get none, smaller numbers get up to three significant figures.

    >>> fmt_number(3), fmt_number(2.5), fmt_number(0.0123), fmt_number(None)
    ('3', '2.5', '0.0123', '–')
    """
    if value is None or _missing(value):
        return "–"
    value = float(value)
    if digits is None:
        magnitude = abs(value)
        if magnitude >= 100 or value == round(value):
            digits = 0
        elif magnitude >= 10:
            digits = 1
        elif magnitude >= 1:
            digits = 2
        else:
            digits = max(2, 2 - int(math.floor(math.log10(magnitude)))) if magnitude else 0
        text = f"{value:,.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{digits}f}"
    if text in ("-0", "-0.0") or (text.startswith("-") and float(text.replace(",", "")) == 0):
        text = text[1:]
    return text


def fmt_gbp(value: float | None, digits: int = 0) -> str:
    """Pounds sterling, e.g. ``£12,300``; negative as ``-£1,200``.

    >>> fmt_gbp(-1200.4)
    '-£1,200'
    """
    if value is None or _missing(value):
        return "–"
    sign = "-" if value < 0 and round(abs(value), digits) != 0 else ""
    return f"{sign}£{abs(float(value)):,.{digits}f}"


def fmt_pct(value: SupportsFloat | None, digits: int = 1) -> str:
    """A share written as a percentage (``0.25`` is ``25.0%``).

    >>> fmt_pct(0.25, digits=0)
    '25%'
    """
    if value is None or _missing(value):
        return "–"
    return f"{float(value) * 100:,.{digits}f}%"


def fmt_change_pct(ratio: float, digits: int = 0) -> str:
    """A rate ratio written as a change, e.g. 0.82 -> ``'18% lower'``.

    >>> fmt_change_pct(0.82), fmt_change_pct(1.1), fmt_change_pct(1.0)
    ('18% lower', '10% higher', 'no different')
    """
    change = (float(ratio) - 1) * 100
    if round(change, digits) == 0:
        return "no different"
    word = "higher" if change > 0 else "lower"
    return f"{abs(change):.{digits}f}% {word}"


def fmt_date(value: object) -> str:
    """A date as ``3 March 2025``; accepts dates, timestamps and date text
    (read by :func:`whatworks.dates.parse_date`).

    >>> fmt_date(_dt.date(2024, 12, 25))
    '25 December 2024'
    """
    if _missing(value):
        return "–"
    return dates.date_words(value)


def fmt_interval(low: float | None, high: float | None, digits: int | None = None,
                 fmt: Callable[[float], str] | None = None, level: float | None = None) -> str:
    """A 95% interval in words: ``95% CI 60 to 220``.

    ``fmt`` is any of the formatters above (``fmt_gbp``, ``fmt_pct``) to
    write the two ends. ``level`` is the interval's real coverage when it
    cannot be 95% (a placebo interval from few comparison units), so the
    words never claim 95% for it.

    >>> fmt_interval(0.787, 0.941, digits=3, level=12 / 13)
    '92% CI 0.787 to 0.941'
    """
    if low is None or high is None or _missing(low) or _missing(high):
        return "no interval available"
    if fmt is None:
        def fmt(v: float) -> str:
            return fmt_number(v, digits)
    words = LEVEL_WORDS if level is None else f"{level * 100:.0f}%"
    return f"{words} CI {fmt(low)} to {fmt(high)}"


def fmt_signed_interval(low: float, high: float, fmt: Callable[[float], str], below: str, above: str) -> str:
    """The ends of a signed interval in words, each end's size with its side: below zero or above it.

    >>> fmt_signed_interval(-5.3, -1.1, fmt_number, "lower", "higher")
    '1.1 to 5.3 lower'
    >>> fmt_signed_interval(-1.2, 0.3, lambda v: f"{v:.1f}", "points lower", "points higher")
    '1.2 points lower to 0.3 points higher'
    """
    if high < 0:
        return f"{fmt(-high)} to {fmt(-low)} {below}"
    if low > 0:
        return f"{fmt(low)} to {fmt(high)} {above}"
    return f"{fmt(-low)} {below} to {fmt(high)} {above}"


def fmt_p(p: float | None) -> str:
    """A p-value for people: ``p < 0.001`` or ``p = 0.04``.

    >>> fmt_p(0.0004), fmt_p(0.0432), fmt_p(0.5)
    ('p < 0.001', 'p = 0.043', 'p = 0.50')
    """
    if p is None or _missing(p):
        return "–"
    if p < 0.001:
        return "p < 0.001"
    if p < 0.1:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def plural(n: float, word: str, words: str | None = None) -> str:
    """``'1 week'`` or ``'3 weeks'``, with separators.

    >>> plural(1, "week"), plural(1200, "incident")
    ('1 week', '1,200 incidents')
    """
    many = words or word + "s"
    return f"{fmt_number(n)} {word if n == 1 else many}"
