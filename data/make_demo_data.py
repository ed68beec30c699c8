"""Make the synthetic demo exports in data/demo/ (seeded, so always identical).

Run:  python data/make_demo_data.py        (or:  make data)

Every data set here is invented. Each has a documented true effect (see
data/README.md) so a reader can check a report against the truth. The
writers are a registry: one function per file, each with its own seed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DEMO = HERE / "demo"

#: file name -> writer(path); each writer uses its own fixed seed.
WRITERS: dict[str, Callable[[Path], None]] = {}


def writer(name: str):
    def wrap(func: Callable[[Path], None]) -> Callable[[Path], None]:
        WRITERS[name] = func
        return func

    return wrap


def _negbin(rng: np.random.Generator, mean: np.ndarray, dispersion: float) -> np.ndarray:
    """Counts with variance = dispersion x mean (Poisson when dispersion is 1)."""
    if dispersion <= 1:
        return rng.poisson(mean)
    size = mean / (dispersion - 1)
    return rng.negative_binomial(size, size / (size + mean))


def _season(day_of_year: np.ndarray, amplitude: float, phase: float = 0.0) -> np.ndarray:
    return amplitude * np.cos(2 * np.pi * (day_of_year / 365.25 - phase))


@writer("weekly_theft.csv")
def weekly_theft(path: Path) -> None:
    """Weekly shop thefts in a town centre, Jan 2021 - Dec 2024.

    Truth: a town-centre retail crime plan from Monday 1 January 2024 cuts the
    expected weekly count by 20% (rate ratio 0.80) with no change in trend;
    baseline about 55 a week, slowly rising (+3% a year), a summer/Christmas
    season (amplitude 15%), overdispersion 1.5.
    """
    rng = np.random.default_rng(20240101)
    weeks = pd.date_range("2021-01-04", "2024-12-30", freq="W-MON")
    t = np.arange(len(weeks)) / 52.18
    post = weeks >= pd.Timestamp("2024-01-01")
    mean = 55 * np.exp(0.03 * t + _season(weeks.day_of_year.to_numpy(), 0.15, 0.95)) * np.where(post, 0.80, 1.0)
    pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "thefts": _negbin(rng, mean, 1.5)}).to_csv(path, index=False)


@writer("castle_asb_incidents.csv")
def castle_asb(path: Path) -> None:
    """Incident-level ASB export for one hotspot (Castle Park), June 2022 - Nov 2024.

    One row per incident, dates written the UK way (day/month/year). Truth: a
    neighbourhood problem-solving plan from Monday 3 June 2024 cuts expected
    incidents by 30% (rate ratio 0.70); baseline about 9 a week with a summer
    peak (amplitude 30%); a spike of youth disorder in the six weeks before
    the plan (the reason it was started), so regression to the mean shows.
    """
    rng = np.random.default_rng(20240603)
    days = pd.date_range("2022-06-06", "2024-11-24", freq="D")
    post = days >= pd.Timestamp("2024-06-03")
    spike = (days >= pd.Timestamp("2024-04-22")) & (days < pd.Timestamp("2024-06-03"))
    mean = (9 / 7) * np.exp(_season(days.day_of_year.to_numpy(), 0.30, 0.55)) * np.where(post, 0.70, 1.0)
    mean = mean * np.where(spike, 1.6, 1.0)
    counts = rng.poisson(mean)
    categories = np.array(["Rowdy or inconsiderate behaviour", "Vehicle nuisance", "Street drinking",
                           "Littering or drugs paraphernalia"])
    dates = np.repeat(days.to_numpy(), counts)
    n = len(dates)
    hours = rng.integers(0, 24, n)
    frame = pd.DataFrame(
        {
            "incident_ref": [f"ASB/{pd.Timestamp(d).strftime('%y')}/{i:06d}" for i, d in enumerate(dates, 1)],
            "reported_date": pd.to_datetime(dates).strftime("%d/%m/%Y"),
            "reported_hour": hours,
            "category": rng.choice(categories, n, p=[0.5, 0.2, 0.2, 0.1]),
            "location": "Castle Park",
        }
    )
    frame.to_csv(path, index=False)


CRIME_TYPES = {
    # type: (monthly crimes, baseline positive outcome rate, true odds ratio after the change)
    "Shoplifting": (420, 0.22, 1.35),
    "Theft from vehicle": (260, 0.04, 1.00),
    "Criminal damage": (380, 0.09, 1.10),
    "Common assault": (310, 0.14, 1.00),
}


@writer("crime_outcomes_monthly.csv")
def crime_outcomes(path: Path) -> None:
    """Monthly crimes recorded and positive outcomes by crime type, Apr 2021 - Sep 2024.

    Columns: year, month, crime_type, crimes_recorded, positive_outcomes.
    Truth: a new crime allocation and screening policy from 1 April 2024
    changes the odds of a positive outcome by the ratio shown in
    CRIME_TYPES (shoplifting 1.35, criminal damage 1.10, others none).
    Seasonal volumes; no change in volume.
    """
    rng = np.random.default_rng(20240401)
    months = pd.date_range("2021-04-01", "2024-09-01", freq="MS")
    rows = []
    for crime_type, (volume, rate, odds_ratio) in CRIME_TYPES.items():
        season = np.exp(_season(months.day_of_year.to_numpy() + 15, 0.10, 0.55))
        crimes = rng.poisson(volume * season)
        post = months >= pd.Timestamp("2024-04-01")
        logit = np.log(rate / (1 - rate)) + np.where(post, np.log(odds_ratio), 0.0) + 0.002 * np.arange(len(months))
        p = 1 / (1 + np.exp(-logit))
        positive = rng.binomial(crimes, p)
        for m, c, k in zip(months, crimes, positive):
            rows.append({"year": m.year, "month": m.month, "crime_type": crime_type,
                         "crimes_recorded": int(c), "positive_outcomes": int(k)})
    pd.DataFrame(rows).to_csv(path, index=False)


def _extra_writers() -> None:
    """Writers that live with their design's simulator in the library."""
    try:
        from whatworks.simulate import demo as library_demo
    except ImportError:
        return
    WRITERS.update(library_demo.WRITERS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DEMO), help="folder to write into (default: data/demo)")
    args = parser.parse_args(argv)
    _extra_writers()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, write in WRITERS.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
        print(f"wrote {target.relative_to(out.parent) if out.parent in target.parents else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
