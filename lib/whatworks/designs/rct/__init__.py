"""Randomised controlled trials: the trial's design, its sealed allocation and its analysis.

The analysis (``ww.rct``)::

    result = ww.rct.fit(trial, outcomes=[...], id_column="victim_id", arm_column="arm", control_arm="bau")
    result.summary, result.table("itt"), result.plot()
    ww.rct.consort_table(result), ww.rct.plot_consort(result), ww.rct.baseline_table(result)

Modules, from the numbers up: ``data`` (the checked trial file as arrays),
``model`` (estimators), ``attrition`` (WWC standard, Lee bounds),
``analysis`` (every estimate and aggregate), ``plan`` (an effect judged
against the plan's smallest effect of interest, and the number needed to
treat), ``checks``, ``words``,
``plots``, ``tables``, ``result`` (:class:`RCTResult`), ``sections`` (report
sections of a result), ``fit``. The trial's design: ``power`` (with
``power_formulas`` and ``power_result``). The design reads no file: the
sealed allocation is :mod:`whatworks.allocation` (``ww.randomise``), and the
``rct`` template's module :mod:`whatworks.templates.trial` (``ww.trial``)
reads the trial file and the allocation record and joins them.
"""

from .fit import check, fit
from .result import RCTResult
from .sections import attrition_table, baseline_table, consort_table, lee_table, plot_consort, subgroup_table

__all__ = [
    "fit",
    "check",
    "RCTResult",
    "plot_consort",
    "consort_table",
    "baseline_table",
    "attrition_table",
    "lee_table",
    "subgroup_table",
]
