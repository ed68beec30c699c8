"""Money and calendar for benefits reviews: hourly rates, periods, financial years.

Financial years run from 1 April to 31 March and are written ``2024/25``.
Rates are full hourly costs by grade, read from a table with ``grade``,
``hourly_cost_gbp``, ``price_year``, ``cost_basis`` and ``source``; a default
table ships with whatworks (``resources/hourly_rates.csv``; the template reads
it, see :func:`whatworks.templates.pir.default_rates`).

Examples
--------
>>> fy_label("2024-25"), fy_of(_dt.date(2025, 3, 31)), fy_of(_dt.date(2025, 4, 1))
('2024/25', '2024/25', '2025/26')
>>> periods_per_year("week", weeks_per_year=52)
52.0
>>> split_by_financial_year(365.0, _dt.date(2024, 10, 1))  # doctest: +NORMALIZE_WHITESPACE
{'2024/25': 182.0, '2025/26': 183.0}
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ...dates import parse_financial_year

__all__ = [
    "DEFAULT_PRODUCTIVE_HOURS",
    "PRODUCTIVE_HOURS_SOURCE",
    "DEFAULT_RATES_NAME",
    "Rate",
    "RateTable",
    "grade_key",
    "period_name",
    "fy_label",
    "fy_of",
    "fy_start",
    "periods_per_year",
    "split_by_financial_year",
]

#: Productive hours a year of one full-time post, when the spec gives none.
DEFAULT_PRODUCTIVE_HOURS: float = 1600.0
#: Where that default comes from, written into the report's method notes.
PRODUCTIVE_HOURS_SOURCE: str = (
    "an illustrative planning assumption, not a published figure: a 37-hour week over "
    "52.14 weeks (1,929 hours) less about 33 days of annual leave and bank holidays "
    "(244 hours) and about 11.5 days of sickness, training and other abstraction (85 hours), "
    "which is 1,600 hours; give your force's own figure as productive_hours_per_fte"
)
#: The file name of the shipped rates table.
DEFAULT_RATES_NAME = "hourly_rates.csv"  # the same file as whatworks.value.HOURLY_COSTS_NAME

_PERIODS = {"day": 365.0, "week": None, "month": 12.0, "quarter": 4.0, "year": 1.0}
_PERIOD_ALIASES = {
    "daily": "day", "days": "day", "weekly": "week", "weeks": "week", "wk": "week",
    "monthly": "month", "months": "month", "quarterly": "quarter", "quarters": "quarter",
    "annual": "year", "annually": "year", "yearly": "year", "years": "year", "annum": "year",
}


def period_name(value: str) -> str | None:
    """The canonical period name (``day``, ``week``, ``month``, ``quarter``,
    ``year``) for a word a user wrote, or ``None`` if it is not one.

    >>> period_name("Monthly"), period_name("fortnight")
    ('month', None)
    """
    word = str(value).strip().lower()
    word = _PERIOD_ALIASES.get(word, word)
    return word if word in _PERIODS else None


def periods_per_year(period: str, *, weeks_per_year: float = 52) -> float:
    """How many of ``period`` there are in a year (weeks use ``weeks_per_year``)."""
    name = period_name(period)
    if name is None:
        raise ValueError(f"unknown period {period!r}")
    value = _PERIODS[name]
    return float(weeks_per_year if value is None else value)


def fy_start(label: str) -> _dt.date:
    """The 1 April on which financial year ``label`` starts.

    >>> fy_start("2024/25")
    datetime.date(2024, 4, 1)
    """
    return _dt.date(int(fy_label(label)[:4]), 4, 1)


def fy_of(day: _dt.date) -> str:
    """The financial year (April to March) a date falls in."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def fy_label(value: str | int, *, key: str = "reporting_year") -> str:
    """A financial year written any common way, as ``2024/25``.

    Accepts what :func:`whatworks.dates.parse_financial_year` reads
    (``2024/25``, ``2024-25``, ``2024/2025``, ``FY2024/25``) or the starting
    year alone (``2024``); anything else is a
    :class:`~whatworks.errors.SpecError` naming ``key``.

    >>> fy_label("FY 2023/2024"), fy_label(2024)
    ('2023/24', '2024/25')
    """
    text = str(value).strip()
    if text.isdigit() and len(text) == 4:  # the year it starts in
        text = f"{text}/{(int(text) + 1) % 100:02d}"
    return fy_of(parse_financial_year(text, key=key)[0])


def split_by_financial_year(amount: float, start: _dt.date, days: int = 365) -> dict[str, float]:
    """Share ``amount`` between financial years in proportion to days.

    The amount is spread evenly over the ``days`` days from ``start``; the
    result maps each financial year touched to its share.
    """
    out: dict[str, float] = {}
    end = start + _dt.timedelta(days=days)
    cursor = start
    while cursor < end:
        label = fy_of(cursor)
        next_start = _dt.date(int(label[:4]) + 1, 4, 1)
        stop = min(end, next_start)
        out[label] = out.get(label, 0.0) + amount * (stop - cursor).days / days
        cursor = stop
    return out


@dataclass(frozen=True)
class Rate:
    """One grade's full hourly cost."""

    grade: str
    hourly_cost_gbp: float
    price_year: str
    cost_basis: str
    source: str
    priced_gbp: float | None = None  # the cost as given, before uprating to the review's price base
    priced_year: str | None = None  # the price year it was given in


@dataclass(frozen=True)
class RateTable:
    """Hourly costs by grade, matched without regard to case or spacing.

    >>> t = RateTable((Rate("Police Constable", 40.0, "2024/25", "full", "x"),), "rates", False)
    >>> t.get("police  constable").hourly_cost_gbp
    40.0
    """

    rates: tuple[Rate, ...]
    label: str
    is_default: bool

    def _index(self) -> dict[str, Rate]:
        return {grade_key(r.grade): r for r in self.rates}

    def get(self, grade: str) -> Rate | None:
        """The rate for ``grade``, or ``None`` if the table has none."""
        return self._index().get(grade_key(grade))

    def grades(self) -> list[str]:
        return [r.grade for r in self.rates]


def grade_key(grade: str) -> str:
    return " ".join(str(grade).split()).casefold()

