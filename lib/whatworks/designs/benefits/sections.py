"""A benefits review's report sections beyond the common ones, as functions of the result.

A notebook calls them as ``ww.benefits.register_table(result)``.
"""

from __future__ import annotations

from ...display import Section, Table
from ...plots import Chart
from .plots import plot_trajectory as _plot_trajectory
from .plots import plot_waterfall as _plot_waterfall
from .result import PIRResult
from .tables import baseline_table as _baseline_table
from .tables import cash_validation_table as _cash_validation_table
from .tables import dis_benefit_table as _dis_benefit_table
from .tables import forecast_table as _forecast_table
from .tables import grade_table as _grade_table
from .tables import realisation_table as _realisation_table
from .tables import register_table as _register_table
from .tables import reinvestment_table as _reinvestment_table
from .tables import totals_table as _totals_table
from .tables import value_table as _value_table
from .words import review_text as _review_text

__all__ = ["baseline_table", "forecast_table", "dis_benefit_table", "value_table", "cash_validation_table",
           "register_table", "realisation_table", "totals_table", "grade_table", "reinvestment_table",
           "review_text", "plot_trajectory", "plot_waterfall"]


def register_table(result: PIRResult) -> Table:
    """The benefits register as reviewed: category, measure, owner, grade."""
    return _register_table(result.valued)


def realisation_table(result: PIRResult) -> Table:
    """Baseline, forecast, actual, realised share and rating per benefit."""
    return _realisation_table(result.valued)


def totals_table(result: PIRResult) -> Table:
    """Hours, FTE and pounds by financial year and confidence grade."""
    return _totals_table(result.benefit_totals)


def grade_table(result: PIRResult) -> Table:
    """Totals by confidence grade, with the rule for each grade."""
    return _grade_table(result.valued)


def reinvestment_table(result: PIRResult) -> Table:
    """Where released hours went, and how many are notional."""
    return _reinvestment_table(result.valued, result.reinvestment)


def review_text(result: PIRResult) -> Section:
    """Process findings, lessons, recommendations and sign-off (escaped)."""
    return _review_text(result.process_findings, result.lessons, result.recommendations, result.signoff)


def plot_trajectory(result: PIRResult) -> Chart:
    """The forecast-versus-actual trajectory of hours released, by month."""
    return _plot_trajectory(result.valued, result.profile)


def plot_waterfall(result: PIRResult) -> Chart:
    """Hours released a year, benefit by benefit, measured then hoped-for."""
    return _plot_waterfall(result.valued)


def baseline_table(result: PIRResult) -> Table:
    """Register and measured baselines, which one the share uses and why."""
    return _baseline_table(result.valued)


def forecast_table(result: PIRResult) -> Table:
    """The profile against the register's forecast, by financial year."""
    if result.profile is None:
        return _forecast_table((), {}, ())
    return _forecast_table(result.profile.forecast, result.profile.by_year(), result.profile.years)


def dis_benefit_table(result: PIRResult) -> Table:
    """Dis-benefits, netted off every total."""
    return _dis_benefit_table(result.valued)


def value_table(result: PIRResult) -> Table:
    """Costs, net benefit, payback, benefit-cost ratios and net present value."""
    return _value_table(result.value, result.price_base)


def cash_validation_table(result: PIRResult) -> Table:
    """Cashable claims and Finance's validation."""
    return _cash_validation_table(result.valued)
