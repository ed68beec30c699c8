"""Randomised controlled trials: the trial's design, its sealed allocation and its analysis.

The analysis (``ww.rct``)::

    result = ww.rct.fit(trial, **ww.trial.fit_options(ev, allocation))
    result.summary, result.table("itt"), result.plot()
    ww.rct.consort_table(result), ww.rct.plot_consort(result), ww.rct.baseline_table(result)

Modules, from the numbers up: ``data`` (the checked trial file as arrays),
``model`` (estimators), ``attrition`` (WWC standard, Lee bounds),
``analysis`` (every estimate and aggregate), ``checks``, ``words``,
``plots``, ``tables``, ``result`` (:class:`RCTResult`), ``sections`` (report
sections of a result), ``fit``. The trial's design: ``power`` (with
``power_formulas`` and ``power_result``) and the ``allocation`` sub-package;
``inputs`` (``ww.trial``) joins them for the ``rct`` template.
"""

from .fit import check, fit
from .inputs import validate_inputs
from .result import RCTResult
from .sections import attrition_table, baseline_table, consort_table, lee_table, plot_consort, subgroup_table

__all__ = [
    "fit",
    "check",
    "validate_inputs",
    "RCTResult",
    "plot_consort",
    "consort_table",
    "baseline_table",
    "attrition_table",
    "lee_table",
    "subgroup_table",
]
