"""The measures of a quarterly performance pack, and their numbers.

One :class:`Measure` is a definition (from the measure table: priority,
direction of improvement, target, comparator, unit, owner, population,
maturity) and its monthly series (a count, or a numerator and denominator
for a rate). :func:`fit_measure` charts the months up to the end of the
pack's quarter (:mod:`whatworks.designs.spc`, limits from every month shown),
adds them up by quarter, and compares the pack's quarter with the one
before and the same quarter a year earlier. No words, no charts.

Examples
--------
>>> months = pd.date_range("2022-04-01", periods=24, freq="MS")
>>> m = Measure(MeasureDefinition("Violent crime"), tuple(months), tuple([100.0] * 24))
>>> fit = fit_measure(m, quarter=pd.Timestamp("2023-04-01"), rules="police-2sd")
>>> fit.latest.value, fit.previous.before, fit.year_ago.since.date().isoformat()
(300.0, 300.0, '2022-04-01')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ... import dates
from ...display import slug
from ...results import clean
from ..spc.model import UnitChart, fit_unit
from ..spc.rules import LaneyPhase, laney

__all__ = ["MeasureDefinition", "Measure", "Annotation", "Commentary", "QuarterFigure", "Change",
           "MeasureFit", "fit_measure", "quarter_label", "DEFAULT_PRIORITY"]

#: The priority of a measure the measure table does not place.
DEFAULT_PRIORITY = "Other measures"


def quarter_label(start: pd.Timestamp) -> str:
    """A financial quarter as forces write it: ``Q1 2023/24`` (April to June 2023).

    >>> quarter_label(pd.Timestamp("2024-01-01"))
    'Q4 2023/24'
    """
    return dates.period_words(pd.Timestamp(start), "financial_quarter").split(",")[0]


@dataclass(frozen=True)
class MeasureDefinition:
    """One row of the measure table.

    ``target`` and ``comparator`` are on the measure's own scale: a count,
    or for a rate a proportion (0.104 for 10.4%). ``improvement`` is
    ``decrease`` or ``increase``; ``maturity`` the number of latest months
    whose figures are still being recorded (outcomes take time to finalise).
    """

    name: str
    priority: str = DEFAULT_PRIORITY
    improvement: str = "decrease"
    target: float | None = None
    comparator: float | None = None
    comparator_label: str = "National"
    unit: str = ""
    owner: str = ""
    population: float | None = None
    maturity: int = 0

    @property
    def key(self) -> str:
        """A stable name for ``results.json`` (``violent-crime``)."""
        return slug(self.name)


@dataclass(frozen=True)
class Annotation:
    """A dated note drawn on the charts (of one measure, or of every measure when ``measure`` is ``None``)."""

    date: pd.Timestamp
    note: str
    measure: str | None = None


@dataclass(frozen=True)
class Commentary:
    """The measure owner's own words: why the figures moved, and what is being done."""

    reasons: str = ""
    response: str = ""


@dataclass(frozen=True)
class Measure:
    """A measure's definition and its monthly series (numerators, with denominators for a rate)."""

    definition: MeasureDefinition
    months: tuple[pd.Timestamp, ...]
    values: tuple[float, ...]
    denominators: tuple[float, ...] | None = None
    freq: str = "month"

    @property
    def is_rate(self) -> bool:
        return self.denominators is not None


@dataclass(frozen=True)
class QuarterFigure:
    """One complete quarter: a count's total, or a rate's numerator over its denominator."""

    start: pd.Timestamp
    value: float
    numerator: float
    denominator: float | None = None

    @property
    def label(self) -> str:
        return quarter_label(self.start)


@dataclass(frozen=True)
class Change:
    """The pack's quarter against an earlier one (``since``)."""

    since: pd.Timestamp
    before: float
    after: float

    @property
    def difference(self) -> float:
        return self.after - self.before

    @property
    def percent(self) -> float | None:
        """The change as a percentage of the earlier value (``None`` from zero)."""
        return None if self.before == 0 else 100 * (self.after - self.before) / self.before

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = clean({"since": quarter_label(self.since), "before": self.before, "after": self.after,
                                     "difference": self.difference, "percent": self.percent})
        return out


@dataclass(frozen=True)
class MeasureFit:
    """Everything the pack shows of one measure."""

    measure: Measure
    chart: UnitChart
    quarters: tuple[QuarterFigure, ...]
    latest: QuarterFigure
    previous: Change | None
    year_ago: Change | None
    laney: LaneyPhase | None = None
    immature: tuple[pd.Timestamp, ...] = ()
    annotations: tuple[Annotation, ...] = field(default=())
    commentary: Commentary | None = None

    @property
    def definition(self) -> MeasureDefinition:
        return self.measure.definition

    @property
    def target_met(self) -> bool | None:
        """Whether the pack's quarter meets the target (``None`` without one).

        A count's target is per quarter; a rate's is the rate itself.
        """
        target = self.definition.target
        if target is None:
            return None
        value = self.latest.value
        return value <= target if self.definition.improvement == "decrease" else value >= target

    @property
    def exception(self) -> bool:
        """Special cause that is concerning on the latest month, or a missed target."""
        return self.chart.variation().startswith("concerning") or self.target_met is False

    @property
    def per_1000(self) -> float | None:
        """The quarter's count per 1,000 people (a count with a ``population`` only)."""
        pop = self.definition.population
        if pop is None or self.measure.is_rate or pop <= 0:
            return None
        return 1000 * self.latest.value / pop

    def to_dict(self) -> dict[str, Any]:
        d = self.definition
        out: dict[str, Any] = clean({
            "measure": d.name, "key": d.key, "priority": d.priority,
            "kind": "rate" if self.measure.is_rate else "count",
            "improvement": d.improvement, "target": d.target, "comparator": d.comparator,
            "quarter": self.latest.label, "value": self.latest.value, "per_1000": self.per_1000,
            "previous": self.previous.to_dict() if self.previous else None,
            "year_ago": self.year_ago.to_dict() if self.year_ago else None,
            "variation": self.chart.variation(), "assurance": self.chart.assurance(),
            "target_met": self.target_met, "exception": self.exception,
            "signals": [s.to_dict() for s in self.chart.signals],
            "laney_outside": [self.measure.months[i] for i in self.laney.outside] if self.laney else None,
            "immature_months": list(self.immature),
        })
        return out


def _quarters(months: pd.DatetimeIndex, num: np.ndarray, den: np.ndarray | None,
              per_quarter: int = 3) -> tuple[QuarterFigure, ...]:
    """Complete quarters (three months each, or one quarterly figure), in order."""
    starts = dates.floor(pd.Series(months), "quarter")
    frame = pd.DataFrame({"q": starts.to_numpy(), "num": num, "den": np.ones_like(num) if den is None else den})
    g = frame.groupby("q", sort=True).agg(num=("num", "sum"), den=("den", "sum"), n=("num", "size"))
    g = g[g["n"] == per_quarter]
    out = []
    for start, total, over in zip(pd.DatetimeIndex(g.index), g["num"], g["den"]):
        if den is None:
            out.append(QuarterFigure(start, float(total), float(total)))
        else:
            out.append(QuarterFigure(start, float(total / over), float(total), float(over)))
    return tuple(out)


def _change(quarters: Sequence[QuarterFigure], latest: QuarterFigure, months_back: int) -> Change | None:
    when = latest.start - pd.DateOffset(months=months_back)
    earlier = next((q for q in quarters if q.start == when), None)
    return None if earlier is None else Change(earlier.start, earlier.value, latest.value)


def fit_measure(
    measure: Measure,
    *,
    quarter: pd.Timestamp,
    rules: str = "police-2sd",
    p_chart: bool = True,
    annotations: Sequence[Annotation] = (),
    commentary: Commentary | None = None,
) -> MeasureFit:
    """One measure charted to the end of ``quarter`` (the start of a quarter), with its quarterly figures.

    The chart's limits come from every month shown (the process as it has
    been) except those still being recorded (``maturity``); a rate is charted as a proportion, bounded 0–100%, with a p′
    chart (:func:`~whatworks.designs.spc.rules.laney`) beside it.

    Raises
    ------
    ValueError
        When ``quarter`` is not complete in the measure's data.
    """
    d = measure.definition
    months = pd.DatetimeIndex(measure.months)
    end = quarter + pd.DateOffset(months=3)
    keep = np.asarray(months < end)
    months = months[keep]
    num = np.asarray(measure.values, dtype=float)[keep]
    den = None if measure.denominators is None else np.asarray(measure.denominators, dtype=float)[keep]
    quarters = _quarters(months, num, den, 1 if measure.freq == "quarter" else 3)
    latest = next((q for q in quarters if q.start == quarter), None)
    if latest is None:
        raise ValueError(f"{d.name} has no complete {quarter_label(quarter)}")
    frame = pd.DataFrame({"period": months, "outcome": num})
    if den is not None:
        frame["denominator"] = den
    # months still being recorded are charted but do not set the limits
    mature = len(months) - d.maturity
    baseline = (None, months[mature - 1]) if d.maturity > 0 and mature >= 2 else None
    chart = fit_unit(frame, None, None, freq=measure.freq, rules=rules, screen=True, improvement=d.improvement,
                     source=d.name, outcome_type="count", target=_monthly_target(d, den is not None, measure.freq),
                     baseline=baseline)
    trimmed = Measure(d, tuple(months), tuple(float(v) for v in num),
                      None if den is None else tuple(float(v) for v in den), measure.freq)
    lan = None
    if p_chart and den is not None and len(num) >= 2:
        lan = laney(num, den, baseline=(0, mature) if baseline is not None else None)
    immature = tuple(months[len(months) - d.maturity:]) if d.maturity > 0 else ()
    shown = tuple(a for a in annotations if (a.measure is None or a.measure == d.name)
                  and months[0] <= a.date < end)
    return MeasureFit(
        measure=trimmed, chart=chart, quarters=quarters, latest=latest,
        previous=_change(quarters, latest, 3), year_ago=_change(quarters, latest, 12),
        laney=lan, immature=immature, annotations=shown, commentary=commentary,
    )


def _monthly_target(d: MeasureDefinition, is_rate: bool, freq: str) -> float | None:
    """The target on the monthly chart: a rate's as it is, a count's quarterly target a third a month."""
    if d.target is None:
        return None
    return d.target if is_rate or freq == "quarter" else d.target / 3
