"""A trial report's sections beyond the uniform result interface.

Each is a function of an :class:`~whatworks.designs.rct.result.RCTResult`, so
a notebook writes ``ww.rct.consort_table(result)``. Counts and shares of
people are shown through the disclosure policy the result carries
(``result.disclosure``).

Examples
--------
>>> from whatworks.designs.rct import fit
>>> from whatworks.simulate.rct import simulate_trial
>>> res = fit(simulate_trial(seed=5, n=600), id_column="victim_id", arm_column="arm",
...           control_arm="bau_letter", exclusion_column="exclusion_reason",
...           outcomes=[{"column": "repeat_victim", "type": "binary", "primary": True}])
>>> consort_table(res).columns[0]
'Stage'
"""

from __future__ import annotations

from ...display import Table
from ...plots import Chart
from .plots import plot_consort as _plot_consort
from .result import RCTResult
from .tables import attrition_table as _attrition_table
from .tables import baseline_table as _baseline_table
from .tables import consort_table as _consort_table
from .tables import lee_table as _lee_table
from .tables import subgroup_table as _subgroup_table

__all__ = ["plot_consort", "consort_table", "baseline_table", "attrition_table", "lee_table", "subgroup_table"]


def plot_consort(result: RCTResult) -> Chart:
    """The CONSORT flow diagram."""
    return _plot_consort(result.flow, result.exclusions, result.disclosure, arm_name=result.arm_label)


def consort_table(result: RCTResult) -> Table:
    """The CONSORT flow as a table."""
    return _consort_table(result.flow, result.exclusions, result.arms, result.disclosure, arm_name=result.arm_label)


def baseline_table(result: RCTResult) -> Table:
    """Baseline characteristics by arm with standardised mean differences."""
    return _baseline_table(result.baseline, result.arms, result.disclosure,
                           {r["arm"]: r["allocated"] for r in result.flow}, arm_name=result.arm_label,
                           column_name=result.covariate_label, level_name=result.level_label)


def attrition_table(result: RCTResult) -> Table:
    """Follow-up and survey response by arm against the WWC attrition standard."""
    return _attrition_table(result.attrition, result.control_arm, result.disclosure, arm_name=result.arm_label)


def lee_table(result: RCTResult) -> Table:
    """Lee bounds for survey outcomes."""
    return _lee_table(result.lee, result.outcome_specs, result.disclosure,
                      {r["arm"]: r["followed_up"] for r in result.flow}, result.control_arm, arm_name=result.arm_label)


def subgroup_table(result: RCTResult) -> Table:
    """Subgroup effects on the primary outcome and the interaction tests."""
    return _subgroup_table(result.subgroups, result.interactions, result.outcome_spec(result.primary_outcome),
                           result.disclosure, arm_name=result.arm_label, column_name=result.covariate_label,
                           level_name=result.level_label)
