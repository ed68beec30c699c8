"""Value for money: hourly costs in a price year, a GDP deflator, discounting.

Shared by every evaluation that turns time or money into pounds at one price
base: a benefits review, and operations evaluations that cost officer hours.

- :class:`HourlyCost`: one grade's full hourly cost and the financial year it
  is priced in;
- :class:`Deflator`: a labelled GDP-deflator index by financial year (one
  ships with whatworks: ``resources/gdp_deflator.csv``, :func:`default_deflator`),
  which moves a figure from one year's prices to another's
  (``amount × index[to] ÷ index[from]``);
- :data:`GREEN_BOOK_RATE` (3.5% real, HM Treasury Green Book), with
  :func:`discount_factor` and :func:`present_value`: year ``t`` after the
  base year is worth ``1 ÷ 1.035^t`` of the same amount now.

Examples
--------
>>> d = Deflator({"2023/24": 100.0, "2024/25": 103.0}, "test series", "a source")
>>> round(d.uprate(100.0, "2023/24", "2024/25"), 6)
103.0
>>> HourlyCost("Police Constable", 40.0, "2023/24").at("2024/25", d)
41.2
>>> round(present_value([100.0, 100.0]), 4)  # 100 + 100 / 1.035
196.6184
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

__all__ = ["GREEN_BOOK_RATE", "GREEN_BOOK_SOURCE", "DEFLATOR_NAME", "Deflator", "HourlyCost",
           "default_deflator", "deflator_path", "discount_factor", "present_value"]

#: The Green Book's real discount rate for years 0 to 30.
GREEN_BOOK_RATE: float = 0.035
#: Where that rate comes from, for method notes.
GREEN_BOOK_SOURCE: str = "HM Treasury, The Green Book (2022), social time preference rate of 3.5% a year, real"
#: The file name of the shipped deflator series.
DEFLATOR_NAME = "gdp_deflator.csv"


@dataclass(frozen=True)
class Deflator:
    """A price index by financial year (``2024/25`` -> index), with its label and source."""

    index: Mapping[str, float]
    label: str
    source: str

    def factor(self, from_year: str, to_year: str) -> float:
        """How much one pound at ``from_year`` prices is at ``to_year`` prices."""
        if from_year == to_year:
            return 1.0
        missing = [y for y in (from_year, to_year) if y not in self.index]
        if missing:
            raise KeyError(f"the {self.label} has no index for {', '.join(missing)} "
                           f"(it covers {min(self.index)} to {max(self.index)})")
        return self.index[to_year] / self.index[from_year]

    def uprate(self, amount: float, from_year: str, to_year: str) -> float:
        """``amount`` at ``from_year`` prices, expressed at ``to_year`` prices."""
        return amount * self.factor(from_year, to_year)

    def covers(self, year: str) -> bool:
        return year in self.index


@dataclass(frozen=True)
class HourlyCost:
    """One grade's full hourly cost, priced in ``price_year``."""

    grade: str
    gbp: float
    price_year: str
    source: str = field(default="", compare=False)

    def at(self, price_year: str, deflator: Deflator) -> float:
        """The cost at ``price_year`` prices, uprated by ``deflator``."""
        return round(deflator.uprate(self.gbp, self.price_year, price_year), 10)


def deflator_path() -> Path:
    """The shipped deflator series."""
    return Path(str(resources.files("whatworks") / "resources" / DEFLATOR_NAME))


def default_deflator() -> Deflator:
    """The shipped GDP deflator series (columns ``financial_year``, ``index``, ``source``).

    >>> default_deflator().index["2023/24"]
    100.0
    """
    with deflator_path().open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sources = sorted({r["source"] for r in rows})
    return Deflator({r["financial_year"]: float(r["index"]) for r in rows},
                    f"GDP deflator ({DEFLATOR_NAME})", "; ".join(sources))


def discount_factor(t: int, rate: float = GREEN_BOOK_RATE) -> float:
    """The present value of one pound ``t`` years after the base year."""
    return float(1.0 / (1.0 + rate) ** t)


def present_value(flows: Sequence[float], rate: float = GREEN_BOOK_RATE) -> float:
    """Sum of ``flows[t] × discount_factor(t)``, year 0 first."""
    return float(sum(x * discount_factor(t, rate) for t, x in enumerate(flows)))
