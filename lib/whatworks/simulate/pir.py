"""Seeded task timings and the demo inputs of two Post-Implementation Reviews.

Task times are drawn from gamma distributions (right-skewed, as task times
are) with known means, so the true hours released a year is known exactly:
``(mean_before − mean_after) ÷ 60 × occurrences_per_year × (1 − deadweight)``.

:func:`write_demo` writes the inputs of two reviews, one folder each:

- ``redaction/``: an auto-redaction tool for case files (timed redaction and
  disclosure checks before and after, officer and staff grades);
- ``performance_reports/``: a data improvement programme that automated the
  monthly performance pack (50 to about 10 hours a week of manual work).

Between them every check of :mod:`whatworks.designs.benefits` shows.

Examples
--------
>>> s = TimingScenario(mean_before=95, mean_after=35, occurrences_per_year=6000)
>>> s.true_hours_per_year
6000.0
>>> before, after = s.minutes([1, 2])
>>> before.shape, after.shape
((2, 40), (2, 40))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["TimingScenario", "simulate_timings", "write_demo", "DEMO_SEED", "DEMO_WRITERS", "REDACTION",
           "ADHOC_REQUESTS", "DISCLOSURE"]


@dataclass(frozen=True)
class TimingScenario:
    """A timed task with known true mean minutes before and after.

    ``shape`` is the gamma shape (coefficient of variation 1/√shape);
    ``grades`` and ``grade_shares`` say who does the task.
    """

    mean_before: float
    mean_after: float
    occurrences_per_year: float
    n_before: int = 40
    n_after: int = 40
    shape: float = 8.0
    deadweight: float = 0.0
    task: str = "task"
    grades: tuple[str, ...] = ("Police Constable",)
    grade_shares: tuple[float, ...] = (1.0,)

    @property
    def true_minutes_saved(self) -> float:
        return self.mean_before - self.mean_after

    @property
    def true_hours_per_year(self) -> float:
        """The true hours released a year, net of deadweight."""
        return self.true_minutes_saved / 60 * self.occurrences_per_year * (1 - self.deadweight)

    def minutes(self, seeds: Sequence[int]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Minutes before and after, one row per seed (``len(seeds) × n``)."""
        before = np.empty((len(seeds), self.n_before))
        after = np.empty((len(seeds), self.n_after))
        for i, seed in enumerate(seeds):
            rng = np.random.default_rng(seed)
            before[i] = rng.gamma(self.shape, self.mean_before / self.shape, self.n_before)
            after[i] = rng.gamma(self.shape, self.mean_after / self.shape, self.n_after)
        return before, after


#: The redaction of case files before and after the auto-redaction tool.
REDACTION = TimingScenario(
    mean_before=95.0, mean_after=38.0, occurrences_per_year=420 * 12, n_before=60, n_after=24, shape=6.0,
    deadweight=0.1, task="case_file_redaction",
    grades=("Police Constable", "Detective Constable", "Police Staff Scale 4"), grade_shares=(0.5, 0.3, 0.2),
)
#: Checking disclosure schedules, which the tool also shortened.
DISCLOSURE = TimingScenario(
    mean_before=30.0, mean_after=22.0, occurrences_per_year=3 * 25 * 52, n_before=40, n_after=40, shape=10.0,
    task="disclosure_schedule_check", grades=("Police Sergeant", "Police Staff Scale 5"), grade_shares=(0.6, 0.4),
)
#: Ad-hoc data requests answered by analysts after the data improvement programme.
ADHOC_REQUESTS = TimingScenario(
    mean_before=180.0, mean_after=110.0, occurrences_per_year=2 * 12 * 52, n_before=35, n_after=32, shape=5.0,
    task="adhoc_data_request", grades=("Police Staff Scale 5", "Police Staff Scale 6", "Police Sergeant"),
    grade_shares=(0.5, 0.35, 0.15),
)


def simulate_timings(scenarios: Sequence[TimingScenario], seed: int) -> pd.DataFrame:
    """One row per timed task: ``task``, ``period``, ``minutes``, ``grade``."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in scenarios:
        before, after = s.minutes([int(rng.integers(2**31))])
        for period, values in (("before", before[0]), ("after", after[0])):
            grades = rng.choice(len(s.grades), size=len(values), p=np.asarray(s.grade_shares) / sum(s.grade_shares))
            rows += [{"task": s.task, "period": period, "minutes": round(float(m), 1), "grade": s.grades[g]}
                     for m, g in zip(values, grades)]
    return pd.DataFrame(rows)


# -- the two demo reviews ------------------------------------------------------------
_REGISTER_COLUMNS = [
    "id", "description", "owner", "category", "measure", "unit", "direction", "baseline", "baseline_start",
    "baseline_end", "forecast", "forecast_2025_26", "actual", "tracking_start", "tracking_end", "evidence",
    "budget_line_reduced", "deadweight", "task", "grade", "recurring", "end_date", "budget_year", "merged_into",
    "finance_validated",
]

_REDACTION_REGISTER = [
    dict(id="R1", description="Redacting case files for the CPS", owner="Head of Criminal Justice",
         category="time_saving", measure="minutes to redact a case file", unit="minutes per file",
         direction="decrease", baseline=95, baseline_start="2024-06-01", baseline_end="2024-08-31", forecast=30,
         forecast_2025_26=25, tracking_start="2024-10-01", tracking_end="2025-03-31",
         evidence="Timed observation, June to August 2024 and January to March 2025", budget_line_reduced=False,
         deadweight=0.1, task="case_file_redaction"),
    dict(id="R2", description="Checking disclosure schedules", owner="Disclosure Champion", category="time_saving",
         measure="minutes to check a disclosure schedule", unit="minutes per schedule", direction="decrease",
         baseline=30, baseline_start="2024-06-01", baseline_end="2024-08-31", forecast=20,
         tracking_start="2024-10-01", tracking_end="2025-03-31", evidence="Timed observation",
         budget_line_reduced=False, deadweight=0, task="disclosure_schedule_check"),
    dict(id="R3", description="Overtime paid for redaction backlogs", owner="Head of Criminal Justice",
         category="cash_releasing", measure="overtime spend on redaction", unit="gbp per month",
         direction="decrease", baseline=18000, baseline_start="2024-04-01", baseline_end="2024-09-30",
         forecast=6000, actual=9000, tracking_start="2024-10-01", tracking_end="2025-03-31",
         evidence="Payroll overtime codes", budget_line_reduced=False, deadweight=0),
    dict(id="R4", description="Case files returned by the CPS for redaction errors", owner="CJ Quality Lead",
         category="quality", measure="share of files returned for redaction errors", unit="percent",
         direction="decrease", baseline=8, baseline_start="2024-06-01", baseline_end="2024-08-31", forecast=3,
         actual=4.5, tracking_start="2025-02-01", tracking_end="2025-03-31", evidence="CPS feedback log",
         budget_line_reduced=False, deadweight=0),
    dict(id="R5", description="Victims' confidence that their details are protected", category="societal",
         direction="increase", budget_line_reduced=False, deadweight=0),
    dict(id="R6", description="Sergeants checking every page the tool redacted", owner="Head of Criminal Justice",
         category="dis_benefit", measure="sergeants' hours checking redacted pages a week", unit="hours per week",
         direction="decrease", baseline=0, baseline_start="2024-06-01", baseline_end="2024-08-31", forecast=10,
         actual=15, tracking_start="2024-10-01", tracking_end="2025-03-31", evidence="Supervisors' duty logs",
         budget_line_reduced=False, deadweight=0, grade="Police Sergeant"),
]

_PERFORMANCE_REGISTER = [
    dict(id="P1", description="Manual production of the monthly performance pack", owner="Head of Performance",
         category="time_saving", measure="hours of manual report production a week", unit="hours per week",
         direction="decrease", baseline=50, baseline_start="2023-04-01", baseline_end="2024-03-31", forecast=10,
         forecast_2025_26=8, actual=12, tracking_start="2024-04-01", tracking_end="2025-03-31",
         evidence="Analyst timesheets", budget_line_reduced=False, deadweight=0, grade="Police Staff Scale 5"),
    dict(id="P2", description="Answering ad-hoc data requests", owner="Head of Performance",
         category="time_saving", measure="minutes to answer a data request", unit="minutes per request",
         direction="decrease", baseline=180, baseline_start="2024-09-01", baseline_end="2024-11-30", forecast=90,
         tracking_start="2024-12-01", tracking_end="2025-03-31", evidence="Timed observation of requests",
         budget_line_reduced=False, deadweight=0, task="adhoc_data_request"),
    dict(id="P3", description="Licence for the legacy reporting tool", owner="Head of ICT",
         category="cash_releasing", measure="licence cost of the legacy reporting tool", unit="gbp per year",
         direction="decrease", baseline=24000, baseline_start="2023-04-01", baseline_end="2024-03-31",
         forecast=0, actual=0, tracking_start="2024-04-01", tracking_end="2025-03-31",
         evidence="Contract termination notice; 2025/26 budget book", budget_line_reduced=True, deadweight=0,
         budget_year="2025/26", finance_validated="Head of Finance, 28 April 2025"),
    dict(id="P4", description="Inspectors' time checking the pack", owner="Chief Inspector, Performance",
         category="non_cash_releasing", measure="Hours of manual report production a week", unit="hours per week",
         direction="decrease", baseline=6, baseline_start="2023-04-01", baseline_end="2024-03-31", forecast=2,
         actual=3, tracking_start="2024-04-01", tracking_end="2025-03-31", evidence="Inspectors' diaries",
         budget_line_reduced=False, deadweight=0, grade="Police Inspector", merged_into="P1"),
    dict(id="P5", description="Errors found in the monthly pack", owner="Data Quality Manager",
         category="quality", measure="errors found per pack", unit="errors", direction="decrease", baseline=12,
         forecast=3, evidence="Business case", budget_line_reduced=False, deadweight=0),
    dict(id="P6", description="Compiling the Home Office data returns", owner="Head of Performance",
         category="time_saving", measure="hours compiling data returns a month", unit="hours per month",
         direction="decrease", baseline=40, baseline_start="2023-04-01", baseline_end="2024-03-31", forecast=10,
         forecast_2025_26=10, evidence="Business case", budget_line_reduced=False, deadweight=0,
         grade="Police Staff Scale 5"),
    dict(id="P7", description="Exit fee of the old data warehouse contract, waived", owner="Head of ICT",
         category="cash_releasing", measure="contract exit fee", unit="gbp per year", direction="decrease",
         baseline=8000, baseline_start="2023-04-01", baseline_end="2024-03-31", forecast=0, actual=0,
         tracking_start="2024-06-01", tracking_end="2025-03-31", evidence="Supplier's waiver letter",
         budget_line_reduced=True, deadweight=0, recurring=False, budget_year="2024/25"),
    dict(id="P8", description="Courier runs delivering the printed pack", owner="Head of Performance",
         category="non_cash_releasing", measure="courier spend on the pack", unit="gbp per month",
         direction="decrease", baseline=500, baseline_start="2023-04-01", baseline_end="2024-03-31", forecast=0,
         actual=0, tracking_start="2024-04-01", tracking_end="2025-03-31", evidence="Courier invoices",
         budget_line_reduced=False, deadweight=0, end_date="2025-09-30"),
]

#: The performance pack's manual hours a week, month by month after go-live (ramping down to 12).
_P1_MONTHLY = dict(zip(
    [f"actual_{y}_{m:02d}" for y, m in [(2024, m) for m in range(4, 13)] + [(2025, m) for m in range(1, 4)]],
    [34, 26, 20, 17, 15, 14, 13, 13, 12, 12, 12, 12],
))
_PERFORMANCE_REGISTER[0].update(_P1_MONTHLY)

_PERFORMANCE_RATES = [
    dict(grade="Police Staff Scale 5", hourly_cost_gbp=26.00, price_year="2024/25", cost_basis="full",
         source="Force finance full-cost model (demo figures)"),
    dict(grade="Police Staff Scale 6", hourly_cost_gbp=30.00, price_year="2024/25", cost_basis="full",
         source="Force finance full-cost model (demo figures)"),
    dict(grade="Police Sergeant", hourly_cost_gbp=47.00, price_year="2023/24", cost_basis="full",
         source="Force finance full-cost model, last year's prices (demo figures)"),
    dict(grade="Police Inspector", hourly_cost_gbp=38.00, price_year="2024/25", cost_basis="salary",
         source="Pay scale only (demo figures)"),
]


class _Review(TypedDict):
    register: list[dict[str, Any]]
    scenarios: tuple[TimingScenario, ...]
    volumes: list[dict[str, Any]]
    reinvestment: list[dict[str, Any]]
    rates: list[dict[str, Any]] | None
    costs: list[dict[str, Any]]


_REVIEWS: dict[str, _Review] = {
    "redaction": dict(
        register=_REDACTION_REGISTER, scenarios=(REDACTION, DISCLOSURE),
        volumes=[dict(task="case_file_redaction", total_occurrences=420, per="month"),
                 dict(task="disclosure_schedule_check", times_per_person=3, per="week", staff=25)],
        reinvestment=[dict(activity="Proactive safeguarding visits", hours=2000, evidence="Duty rosters",
                           benefit="R1"),
                      dict(activity="Case file quality reviews", hours=400, evidence="Supervisor log",
                           benefit="R2")],
        rates=None,
        costs=[dict(item="Set-up, integration and training", financial_year="2024/25", gbp=20000, recurring=False),
               dict(item="Redaction tool licence", financial_year="2024/25", gbp=15000, recurring=True)],
    ),
    "performance_reports": dict(
        register=_PERFORMANCE_REGISTER, scenarios=(ADHOC_REQUESTS,),
        volumes=[dict(task="adhoc_data_request", times_per_person=2, per="week", staff=12)],
        reinvestment=[dict(activity="Problem profiles for neighbourhood teams", hours=2000,
                           evidence="Analytical tasking log", benefit="P1"),
                      dict(activity="Hotspot analysis for the shoplifting plan", hours=1500,
                           evidence="Analytical tasking log", benefit="P2"),
                      dict(activity="Inspector-led supervision of investigations", hours=200,
                           evidence="Inspectors' diaries", benefit="P4")],
        rates=_PERFORMANCE_RATES,
        costs=[dict(item="Automation build (contract developers)", financial_year="2024/25", gbp=60000,
                    recurring=False),
               dict(item="Data warehouse hosting", financial_year="2024/25", gbp=12000, recurring=True)],
    ),
}

_README = """# Demo inputs: Post-Implementation Reviews (`pir`)

Synthetic data written by `whatworks.simulate.pir.write_demo(folder, seed)`.
Nothing here describes a real force. Two reviews, one folder each:

- `redaction/`: an auto-redaction tool for case files, live from 1 October
  2024, reviewed in April 2025. Task timings (minutes) of redacting a case
  file and checking a disclosure schedule, before and after, by officers and
  staff; volumes; where released hours went. No rates file, so the shipped
  illustrative table is used.
- `performance_reports/`: a data improvement programme that automated the
  monthly performance pack (manual production from 50 to about 12 hours a
  week, about 2,000 hours a year), shortened ad-hoc data requests (timed
  before and after, tracked for 4 months) and cut a software licence (a cash
  saving with the budget line reduced). P5 and P6 are forecasts not yet
  measured, so they are shown apart from the measured savings. Has its own
  `rates.csv`, with one rate priced last year and one salary only.

Each folder holds `register.csv` (the benefits register), `timings.csv`
(`task`, `period`, `minutes`, `grade`), `volumes.csv` (`task` with
`total_occurrences` or `times_per_person` and `staff`, and `per`) and
`reinvestment.csv` (`activity`, `hours` a year, `evidence`, `benefit`).
The performance register also has monthly actuals for P1 (`actual_2024_04`
to `actual_2025_03`), drawn on the trajectory chart.

Between them every check shows: under 12 months of tracking (R1, R2, R3, P2,
the last tracked for 4 months), under 3 months (R4), a cash claim with no
budget line reduced (R3), outputs that fell (redaction: give
`outputs_maintained` as 1,250 to 1,140 case files a month), released hours
with no reinvestment record (redaction), an incomplete register (R5), double
counting (P1 and P4 claim the same measure; resolved by merging P4), rates priced in another year
and salary-only rates (performance_reports), a small sample of timings
(24 redactions timed after go-live) and the shipped illustrative rates
(redaction).

Both folders also hold `costs.csv` (`item`, `financial_year`, `gbp`,
`recurring`: a recurring cost repeats every year to the horizon). The
registers show the rest of a filed review: R6 is a dis-benefit (sergeants'
extra page checking, netted off); R3's overtime counts the same redaction
work as R1's time saving (flagged); P4 is merged into P1 (a resolved double
count, shown but not added); P3's budget line falls in 2025/26 (cashable
from then) and is validated by Finance; P7 is a one-off cash saving, not
validated; P8 ended on 30 September 2025.

Keys a spec gives beside the files: `outputs_maintained`, `review_date`
(2025-04-15 for redaction, 2025-04-30 for performance_reports), and the
free-text `lessons`, `recommendations`, `process_findings` and `signoff`.

True values behind the timings: redaction 95 to 38 minutes on average,
420 files a month, deadweight 10% (true saving 4,309 hours a year);
disclosure checks 30 to 22 minutes, 3 a week for each of 25 staff (520 hours
a year); ad-hoc requests 180 to 110 minutes, 2 a week for each of 12
analysts (1,456 hours a year).
"""


def _write(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def write_demo(folder: Path, seed: int) -> list[Path]:
    """Write the two demo reviews' inputs under ``folder``; return the files written."""
    folder = Path(folder)
    written = []
    for offset, (name, review) in enumerate(_REVIEWS.items()):
        out = folder / name
        months = sorted({k for row in review["register"] for k in row if k.startswith("actual_")})
        register = pd.DataFrame(review["register"]).reindex(columns=_REGISTER_COLUMNS + months).convert_dtypes()
        written.append(_write(register, out / "register.csv"))
        written.append(_write(simulate_timings(review["scenarios"], seed + offset), out / "timings.csv"))
        written.append(_write(pd.DataFrame(review["volumes"]), out / "volumes.csv"))
        written.append(_write(pd.DataFrame(review["reinvestment"]), out / "reinvestment.csv"))
        written.append(_write(pd.DataFrame(review["costs"]), out / "costs.csv"))
        if review["rates"]:
            written.append(_write(pd.DataFrame(review["rates"]), out / "rates.csv"))
    readme = folder / "README.md"
    readme.write_text(_README, encoding="utf-8")
    written.append(readme)
    return written


#: The seed of the shipped demo inputs in ``data/demo/pir/``.
DEMO_SEED = 20240401


def _write_shipped_demo(path: Path) -> None:
    write_demo(path, seed=DEMO_SEED)


#: path under data/demo/ -> writer(path), gathered by :mod:`whatworks.simulate.demo`.
DEMO_WRITERS = {"pir": _write_shipped_demo}
