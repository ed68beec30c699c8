"""Seeded Policing Plan measures for the quarterly performance pack.

:func:`simulate_pack` writes the long export (``measure``, ``period``,
``value``, or ``numerator`` and ``denominator`` for a rate) and the measure
table for any number of measures; :data:`DEMO_MEASURES` are the demo pack's,
three financial years of months (April 2021 to March 2024). Their truth:

- every count is Poisson around its monthly mean, every rate binomial, with
  no change, except:
- **Residential burglary** falls by 25% from July 2023 (a real shift, from
  a target-hardening operation; seven months in a row below the mean);
- **Anti-social behaviour** is seasonal: 30% above its mean in July, 30% below
  in January (a cosine);
- **Neighbourhood crime** misses its target: a mean of 1,150 a month (3,450 a
  quarter) against a target of 3,200 a quarter;
- the **positive outcome rate**'s last three months are still being recorded
  (``maturity``: 3): their true rate is a third lower, as outcomes come in late.

Examples
--------
>>> data, table = simulate_pack(3, months=24, seed=1)
>>> sorted(data.columns), len(data), len(table)
(['denominator', 'measure', 'numerator', 'period', 'value'], 72, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["DemoMeasure", "DEMO_MEASURES", "DEMO_SEED", "DEMO_START", "simulate_pack", "demo_pack",
           "write_demo", "DEMO_WRITERS", "SHIFT_FROM", "SHIFT_RATIO"]

DEMO_SEED = 20240401
DEMO_START = "2021-04-01"
#: Residential burglary falls by this ratio from this month.
SHIFT_FROM = pd.Timestamp("2023-07-01")
SHIFT_RATIO = 0.75


@dataclass(frozen=True)
class DemoMeasure:
    """One simulated measure: a monthly count mean, or a rate and its monthly denominator."""

    name: str
    priority: str
    improvement: str
    mean: float
    rate: float | None = None
    target: float | None = None
    comparator: float | None = None
    unit: str = ""
    owner: str = ""
    population: float | None = None
    maturity: int = 0
    seasonal: float = 0.0
    shift: bool = False


_SAFE, _JUSTICE, _VICTIMS = "Keep people safe", "Bring offenders to justice", "Support victims"
_POP = 1_200_000.0

DEMO_MEASURES: tuple[DemoMeasure, ...] = (
    DemoMeasure("Neighbourhood crime", _SAFE, "decrease", 1150, target=3200, unit="crimes",
                owner="Head of Neighbourhood Policing (demo)", population=_POP),
    DemoMeasure("Violent crime", _SAFE, "decrease", 118, unit="crimes", owner="Head of Crime (demo)",
                population=_POP),
    DemoMeasure("Anti-social behaviour", _SAFE, "decrease", 900, unit="incidents", seasonal=0.3,
                owner="Head of Neighbourhood Policing (demo)", population=_POP),
    DemoMeasure("Residential burglary", _SAFE, "decrease", 160, unit="crimes", shift=True,
                owner="Head of Crime (demo)", population=_POP),
    DemoMeasure("Knife crime", _SAFE, "decrease", 42, unit="crimes", owner="Head of Crime (demo)"),
    DemoMeasure("Road deaths and serious injuries", _SAFE, "decrease", 31, unit="casualties",
                owner="Head of Roads Policing (demo)", population=_POP),
    DemoMeasure("Positive outcome rate", _JUSTICE, "increase", 4200, rate=0.105, comparator=10.4,
                unit="positive outcomes", owner="Head of Investigations (demo)", maturity=3),
    DemoMeasure("National fraud outcomes", _JUSTICE, "increase", 24, unit="judicial outcomes",
                owner="Head of Economic Crime (demo)"),
    DemoMeasure("Domestic abuse arrest rate", _JUSTICE, "increase", 1100, rate=0.34, unit="arrests",
                owner="Head of Public Protection (demo)"),
    DemoMeasure("Victim satisfaction", _VICTIMS, "increase", 400, rate=0.78, target=75.0, unit="satisfied victims",
                owner="Head of Victim Services (demo)"),
    DemoMeasure("999 calls answered within 10 seconds", _VICTIMS, "increase", 14000, rate=0.915, target=90.0,
                unit="calls", owner="Head of Contact Management (demo)"),
)


def _months(start: str, n: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="MS")


def demo_pack(measures: tuple[DemoMeasure, ...] = DEMO_MEASURES, *, months: int = 36, start: str = DEMO_START,
              seed: int = DEMO_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long export and the measure table of ``measures`` over ``months`` months."""
    rng = np.random.default_rng(seed)
    when = _months(start, months)
    rows = []
    for m in measures:
        season = 1 + m.seasonal * np.cos(2 * np.pi * (when.month.to_numpy() - 7) / 12)
        shift = np.where(when >= SHIFT_FROM, SHIFT_RATIO, 1.0) if m.shift else 1.0
        mean = m.mean * season * shift
        if m.rate is None:
            values = rng.poisson(mean).astype(float)
            rows.append(pd.DataFrame({"measure": m.name, "period": when.strftime("%Y-%m"), "value": values,
                                      "numerator": np.nan, "denominator": np.nan}))
        else:
            den = rng.poisson(mean)
            rate = np.full(months, m.rate)
            if m.maturity:
                rate[-m.maturity:] *= 2 / 3
            num = rng.binomial(den, rate)
            rows.append(pd.DataFrame({"measure": m.name, "period": when.strftime("%Y-%m"), "value": np.nan,
                                      "numerator": num.astype(float), "denominator": den.astype(float)}))
    data = pd.concat(rows, ignore_index=True)
    for column in ("value", "numerator", "denominator"):
        data[column] = data[column].astype("Int64")
    table = pd.DataFrame([{"name": m.name, "priority": m.priority, "improvement": m.improvement,
                           "target": m.target, "comparator": m.comparator,
                           "comparator_label": "National" if m.comparator is not None else None,
                           "unit": m.unit, "owner": m.owner, "population": m.population,
                           "maturity": m.maturity or None} for m in measures])
    for column in ("population", "maturity"):
        table[column] = table[column].astype("Int64")
    return data, table


def simulate_pack(n: int, *, months: int = 60, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` measures (the demo's, repeated and renamed) over ``months`` months: a large pack for timing tests."""
    base = DEMO_MEASURES
    many = tuple(DemoMeasure(**{**m.__dict__, "name": f"{m.name} {k // len(base) + 1}"})
                 for k, m in ((k, base[k % len(base)]) for k in range(n)))
    return demo_pack(many, months=months, seed=seed)


_COMMENTARY = {
    "neighbourhood-crime": ("## Reasons\n\nNeighbourhood crime stays above the target: vehicle crime rose in two "
                            "town centres over the winter.\n\n## Response\n\nA vehicle crime problem-solving plan "
                            "started in January, with the two town centres' partnership groups.\n"),
    "residential-burglary": ("## Reasons\n\nBurglary fell after the target-hardening operation began in July "
                             "2023.\n\n## Response\n\nThe operation continues to March; an evaluation is planned "
                             "with the before-after template.\n"),
}

_NOTES = pd.DataFrame([
    {"date": "2022-04-01", "note": "Crime recording rules changed (demo)", "measure": None},
    {"date": "2023-07-01", "note": "Target-hardening operation began (demo)", "measure": "Residential burglary"},
    {"date": "2023-06-01", "note": "New records management system (demo)", "measure": "Positive outcome rate"},
])


def write_demo(folder: Path) -> None:
    """Write the demo pack's export, measure table, notes and commentary into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    data, table = demo_pack()
    data.to_csv(folder / "measures.csv", index=False)
    table.to_csv(folder / "measure_table.csv", index=False)
    _NOTES.to_csv(folder / "notes.csv", index=False)
    words = folder / "commentary"
    words.mkdir(exist_ok=True)
    for key, body in _COMMENTARY.items():
        (words / f"{key}.md").write_text(body, encoding="utf-8")


#: path under data/demo/ -> writer(path), gathered by :mod:`whatworks.simulate.demo`.
DEMO_WRITERS = {"performance": write_demo}
