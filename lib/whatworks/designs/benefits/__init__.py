"""Benefits realisation: the Post-Implementation Review of a change programme (the ``pir`` template).

Modules, lowest first: ``money`` (rates, periods, financial years),
``timing`` (changes in mean task time with Welch intervals), ``records``
(table inputs held in memory), ``inputs`` (parsing the rows),
``review_inputs`` (every input checked together), ``model`` (each benefit
valued; estimates and totals by financial year), ``checks``, ``words``,
``plots``, ``tables``, ``result``, ``sections`` (report sections as
functions of the result) and ``fit``. The design reads no file: the
``pir`` template's module (:mod:`whatworks.templates.pir`) reads them.

Examples
--------
>>> rates = [{"grade": "PC", "hourly_cost_gbp": 40, "price_year": "2024/25", "cost_basis": "full"}]
>>> row = {"id": "B1", "category": "time_saving", "measure": "hours on returns", "unit": "hours per week",
...        "direction": "decrease", "baseline": 10, "forecast": 4, "actual": 6, "grade": "PC",
...        "tracking_start": "2024-04-01", "tracking_end": "2025-03-31"}
>>> fit(benefits=[row], rates=rates).headline.estimate  # (10 - 6) hours a week x 52 weeks
208.0
"""

from .checks import CHECK_NAMES
from .fit import fit, fit_inputs
from .model import GRADES
from .result import PIRResult
from .review_inputs import DEFAULT_THRESHOLDS, ReviewInputs, check_inputs
from .sections import (
    baseline_table,
    cash_validation_table,
    dis_benefit_table,
    forecast_table,
    grade_table,
    plot_trajectory,
    plot_waterfall,
    realisation_table,
    register_table,
    reinvestment_table,
    review_text,
    totals_table,
    value_table,
)

__all__ = [
    "fit",
    "fit_inputs",
    "check_inputs",
    "PIRResult",
    "ReviewInputs",
    "DEFAULT_THRESHOLDS",
    "CHECK_NAMES",
    "GRADES",
    "register_table",
    "realisation_table",
    "totals_table",
    "grade_table",
    "reinvestment_table",
    "review_text",
    "plot_trajectory",
    "plot_waterfall",
    "baseline_table",
    "forecast_table",
    "dis_benefit_table",
    "value_table",
    "cash_validation_table",
]
