"""Value for money: hourly costs in a price year, a GDP deflator, discounting.

Shared by every evaluation that turns time or money into pounds at one price
base: a benefits review, and operations evaluations that cost officer hours.

- :class:`HourlyCost`: one grade's full hourly cost and the financial year it
  is priced in;
- :class:`Deflator`: a labelled GDP-deflator index by financial year (one
  ships with whatworks: ``resources/gdp_deflator.csv``, :func:`default_deflator`),
  which moves a figure from one year's prices to another's
  (``amount × index[to] ÷ index[from]``);
- :func:`default_hourly_costs`: the shipped hourly cost by rank and grade
  (``resources/hourly_rates.csv``, the same table the benefits template reads);
- :class:`UnitCost` and :func:`default_unit_costs`: the Home Office unit costs
  of crime by offence (``resources/unit_costs_of_crime.csv``, with source and
  price year), or a spec's own figure;
- :func:`cost_benefit`: officer hours and cost against crimes prevented, as a
  :class:`CostBenefit` (table, words, estimates);
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
from typing import Any

from . import text
from .display import Table
from .errors import SpecError
from .results import Estimate

__all__ = ["GREEN_BOOK_RATE", "GREEN_BOOK_SOURCE", "DEFLATOR_NAME", "HOURLY_COSTS_NAME", "UNIT_COSTS_NAME",
           "Deflator", "HourlyCost", "UnitCost", "CostBenefit", "cost_benefit", "officer_hours",
           "default_deflator", "deflator_path", "default_hourly_costs", "hourly_costs_path", "hourly_cost",
           "default_unit_costs", "unit_costs_path", "unit_cost", "discount_factor", "present_value"]

#: The Green Book's real discount rate for years 0 to 30.
GREEN_BOOK_RATE: float = 0.035
#: Where that rate comes from, for method notes.
GREEN_BOOK_SOURCE: str = "HM Treasury, The Green Book (2022), social time preference rate of 3.5% a year, real"
#: The file name of the shipped deflator series.
DEFLATOR_NAME = "gdp_deflator.csv"
#: The file name of the shipped hourly costs by rank and grade.
HOURLY_COSTS_NAME = "hourly_rates.csv"
#: The file name of the shipped unit costs of crime.
UNIT_COSTS_NAME = "unit_costs_of_crime.csv"


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


def _resource(name: str) -> Path:
    """A table shipped in the package's ``resources`` folder."""
    return Path(str(resources.files("whatworks") / "resources" / name))


def _read_rows(name: str) -> list[dict[str, str]]:
    with _resource(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def deflator_path() -> Path:
    """The shipped deflator series."""
    return _resource(DEFLATOR_NAME)


def default_deflator() -> Deflator:
    """The shipped GDP deflator series (columns ``financial_year``, ``index``, ``source``).

    >>> default_deflator().index["2023/24"]
    100.0
    """
    rows = _read_rows(DEFLATOR_NAME)
    sources = sorted({r["source"] for r in rows})
    return Deflator({r["financial_year"]: float(r["index"]) for r in rows},
                    f"GDP deflator ({DEFLATOR_NAME})", "; ".join(sources))


def discount_factor(t: int, rate: float = GREEN_BOOK_RATE) -> float:
    """The present value of one pound ``t`` years after the base year."""
    return float(1.0 / (1.0 + rate) ** t)


def present_value(flows: Sequence[float], rate: float = GREEN_BOOK_RATE) -> float:
    """Sum of ``flows[t] × discount_factor(t)``, year 0 first."""
    return float(sum(x * discount_factor(t, rate) for t, x in enumerate(flows)))


def hourly_costs_path() -> Path:
    """The shipped hourly costs by rank and grade (also the benefits template's default rates)."""
    return _resource(HOURLY_COSTS_NAME)


def default_hourly_costs() -> dict[str, HourlyCost]:
    """The shipped full hourly cost of each rank and grade, by grade name.

    >>> default_hourly_costs()["Police Constable"].price_year
    '2024/25'
    """
    return {r["grade"]: HourlyCost(r["grade"], float(r["hourly_cost_gbp"]), r["price_year"], r["source"])
            for r in _read_rows(HOURLY_COSTS_NAME)}


def hourly_cost(grade: str, *, key: str = "officer_grade") -> HourlyCost:
    """The shipped hourly cost of ``grade`` (case and spaces ignored); unknown grades are refused."""
    table = default_hourly_costs()
    wanted = " ".join(str(grade).split()).casefold()
    for name, cost in table.items():
        if name.casefold() == wanted:
            return cost
    raise SpecError(f"'{grade}' is not a rank or grade in the hourly costs table ({HOURLY_COSTS_NAME})", key=key,
                    hint=f"Use one of: {', '.join(table)}; or give your own figure as officer_hourly_cost "
                         "with officer_hourly_cost_price_year.")


@dataclass(frozen=True)
class UnitCost:
    """The average economic and social cost of one crime of a type, priced in ``price_year``."""

    crime_type: str
    label: str
    gbp: float
    price_year: str
    source: str = field(default="", compare=False)

    def at(self, price_year: str, deflator: Deflator) -> float:
        """The cost at ``price_year`` prices, uprated by ``deflator``."""
        return round(deflator.uprate(self.gbp, self.price_year, price_year), 10)


def unit_costs_path() -> Path:
    """The shipped unit costs of crime."""
    return _resource(UNIT_COSTS_NAME)


def default_unit_costs() -> dict[str, UnitCost]:
    """The shipped unit costs of crime by offence key, each with its price year and source.

    >>> default_unit_costs()["robbery"].price_year
    '2015/16'
    """
    return {r["crime_type"]: UnitCost(r["crime_type"], r["label"], float(r["unit_cost_gbp"]), r["price_year"],
                                      r["source"])
            for r in _read_rows(UNIT_COSTS_NAME)}


def unit_cost(crime_type: str, *, key: str = "crime_type") -> UnitCost:
    """The shipped unit cost of ``crime_type``; an unknown type is refused, naming the key."""
    table = default_unit_costs()
    wanted = str(crime_type).strip().lower().replace(" ", "_").replace("-", "_")
    if wanted in table:
        return table[wanted]
    raise SpecError(f"'{crime_type}' is not an offence in the unit costs of crime table ({UNIT_COSTS_NAME})",
                    key=key, hint=f"Use one of: {', '.join(table)}; or give your own figure as unit_cost_of_crime "
                                  "with unit_cost_price_year.")


def officer_hours(deployments: float, officers_per_deployment: float, hours_per_deployment: float) -> float:
    """Officer hours: deployments × officers per deployment × hours per deployment.

    >>> officer_hours(10, 2, 3.5)
    70.0
    """
    for name, value in (("officers_per_deployment", officers_per_deployment),
                        ("hours_per_deployment", hours_per_deployment)):
        if not value > 0:
            raise SpecError(f"{name} must be a positive number, not {value}", key=name,
                            hint="Give the average for one deployment, e.g. 2 officers for 3.5 hours.")
    if deployments < 0:
        raise SpecError("the effort column has a negative number of deployments", key="effort_column",
                        hint="Check the column holds counts of deployments.")
    return float(deployments * officers_per_deployment * hours_per_deployment)


def _estimate(name: str, label: str, measure: str, value: float, **more: Any) -> Estimate:
    return Estimate(name=name, label=label, measure=measure, estimate=value, **more)


@dataclass(frozen=True)
class CostBenefit:
    """Officer time against the harm of the crimes it prevented, all at ``price_year`` prices.

    The cost is taken as known, so every interval comes from the interval of
    crimes prevented: value = crimes × unit cost; benefit-cost ratio =
    value ÷ cost; cost per crime prevented = cost ÷ crimes (no upper end
    when the interval of crimes prevented reaches zero or below).
    """

    crimes: float
    crimes_low: float | None
    crimes_high: float | None
    hours: float
    hourly_gbp: float
    unit_gbp: float
    price_year: str
    net: bool = False
    crime_label: str = "crime"

    @property
    def cost(self) -> float:
        return self.hours * self.hourly_gbp

    @property
    def value(self) -> float:
        return self.crimes * self.unit_gbp

    def _scaled(self, x: float | None, by: float) -> float | None:
        return None if x is None else x * by

    @property
    def value_interval(self) -> tuple[float | None, float | None]:
        return self._scaled(self.crimes_low, self.unit_gbp), self._scaled(self.crimes_high, self.unit_gbp)

    @property
    def ratio(self) -> float | None:
        """Pounds of avoided harm per pound of officer time; ``None`` when nothing was spent."""
        return self.value / self.cost if self.cost > 0 else None

    @property
    def ratio_interval(self) -> tuple[float | None, float | None]:
        if self.cost <= 0:
            return None, None
        lo, hi = self.value_interval
        return self._scaled(lo, 1 / self.cost), self._scaled(hi, 1 / self.cost)

    @property
    def cost_per_crime(self) -> float | None:
        """Pounds of officer time per crime prevented; ``None`` when no crimes were prevented."""
        return self.cost / self.crimes if self.crimes > 0 else None

    @property
    def cost_per_crime_interval(self) -> tuple[float | None, float | None]:
        lo, hi = self.crimes_low, self.crimes_high
        if self.cost_per_crime is None or hi is None or hi <= 0:
            return None, None
        return self.cost / hi, (self.cost / lo if lo is not None and lo > 0 else None)

    def estimates(self) -> list[Estimate]:
        """The five estimates, for ``results.json``."""
        which = "net of displacement" if self.net else "where it ran"
        v_lo, v_hi = self.value_interval
        r_lo, r_hi = self.ratio_interval
        c_lo, c_hi = self.cost_per_crime_interval
        out = [
            _estimate("officer_hours", "Officer hours", "officer hours", self.hours, scale="total", unit="hours"),
            _estimate("officer_cost", "Cost of officer time", f"pounds at {self.price_year} prices", self.cost,
                     scale="total", unit="GBP"),
            _estimate("value_of_crimes_prevented", f"Value of crimes prevented ({which})",
                     f"pounds at {self.price_year} prices", self.value, scale="total", unit="GBP",
                     ci_low=v_lo, ci_high=v_hi),
        ]
        if self.cost_per_crime is not None:
            out.append(_estimate("cost_per_crime_prevented", "Cost of officer time per crime prevented",
                                f"pounds at {self.price_year} prices", self.cost_per_crime, scale="total",
                                unit="GBP per crime", ci_low=c_lo, ci_high=c_hi))
        if self.ratio is not None:
            out.append(_estimate("benefit_cost_ratio", "Benefit-cost ratio",
                                "pounds of avoided harm per pound of officer time", self.ratio, scale="ratio",
                                unit="GBP per GBP", ci_low=r_lo, ci_high=r_hi))
        return out

    def words(self) -> str:
        """The sentence a board needs, honest about a zero cost and an interval that includes a loss."""
        if self.cost <= 0:
            return ("No officer time was recorded, so there is no benefit-cost ratio; the value of crimes "
                    f"prevented was {text.fmt_gbp(self.value)}.")
        lo, hi = self.ratio_interval
        pounds = text.fmt_gbp(self.ratio, 2)
        interval = text.fmt_interval(lo, hi, fmt=lambda v: text.fmt_gbp(v, 2))
        if self.ratio is not None and self.ratio < 0:
            head = (f"Crime rose rather than fell, so each £1 of officer time came with an estimated "
                    f"{text.fmt_gbp(-self.ratio, 2)} of added harm ({interval}).")
        else:
            head = f"Each £1 of officer time bought an estimated {pounds} ({interval}) of avoided harm."
        if lo is not None and lo < 0:
            head += (" The interval includes a net loss: the data cannot rule out that the time bought "
                     "no avoided harm at all.")
        elif lo is not None and lo < 1:
            head += " The interval includes ratios below £1, so the time may not have paid for itself."
        return head + f" Prices are at {self.price_year} levels."

    def table(self) -> Table:
        r_lo, r_hi = self.ratio_interval
        v_lo, v_hi = self.value_interval
        c_lo, c_hi = self.cost_per_crime_interval
        gbp = text.fmt_gbp
        rows = (
            ("Officer hours", text.fmt_number(self.hours, 0), ""),
            ("Cost of officer time", gbp(self.cost), ""),
            ("Crimes prevented" + (" (net of displacement)" if self.net else ""), text.fmt_number(self.crimes, 1),
             text.fmt_interval(self.crimes_low, self.crimes_high, 1)),
            ("Value of crimes prevented", gbp(self.value), text.fmt_interval(v_lo, v_hi, fmt=gbp)),
            ("Cost per crime prevented", gbp(self.cost_per_crime),
             "no interval: the interval of crimes prevented reaches zero" if c_lo is not None and c_hi is None
             else text.fmt_interval(c_lo, c_hi, fmt=gbp)),
            ("Benefit-cost ratio (£ of avoided harm per £1)", gbp(self.ratio, 2),
             text.fmt_interval(r_lo, r_hi, fmt=lambda v: gbp(v, 2))),
        )
        return Table(columns=("Measure", "Estimate", "95% interval"), rows=rows,
                     caption=f"Officer time against avoided harm, at {self.price_year} prices")

    def to_dict(self) -> dict[str, Any]:
        return {"officer_hours": self.hours, "hourly_cost_gbp": self.hourly_gbp,
                "unit_cost_of_crime_gbp": self.unit_gbp, "price_year": self.price_year,
                "crimes_prevented": self.crimes, "net_of_displacement": self.net,
                "officer_cost_gbp": self.cost, "value_of_crimes_prevented_gbp": self.value,
                "benefit_cost_ratio": self.ratio, "words": self.words()}


def cost_benefit(crimes: float, crimes_low: float | None, crimes_high: float | None, *, hours: float,
                 hourly_gbp: float, unit_gbp: float, price_year: str, net: bool = False) -> CostBenefit:
    """Officer time against the crimes it prevented (a pure computation; all pounds at ``price_year``).

    >>> cb = cost_benefit(10, 4, 16, hours=100, hourly_gbp=50, unit_gbp=1000, price_year="2024/25")
    >>> cb.ratio, cb.ratio_interval
    (2.0, (0.8, 3.2))
    """
    if hours < 0:
        raise SpecError(f"officer hours cannot be negative ({hours})", key="officer_hours_column",
                        hint="Check the effort keys: hours and officers per deployment are positive.")
    if hourly_gbp <= 0:
        raise SpecError(f"the hourly cost must be a positive number of pounds, not {hourly_gbp}",
                        key="officer_hourly_cost", hint="Give the full hourly cost of the grade deployed.")
    if unit_gbp <= 0:
        raise SpecError(f"the unit cost of crime must be a positive number of pounds, not {unit_gbp}",
                        key="unit_cost_of_crime", hint="Give the average cost of one crime, or a crime_type.")
    return CostBenefit(float(crimes), crimes_low, crimes_high, float(hours), float(hourly_gbp), float(unit_gbp),
                       price_year, net)
