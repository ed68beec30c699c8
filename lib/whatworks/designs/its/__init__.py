"""Interrupted time series: segmented regression of one series (or a breakdown).

A series of counts, proportions or values is modelled with an intercept, a
linear trend, season (optional) and terms for a change in level and in slope
when the intervention began (and, optionally, when it ended). The
counterfactual is the same model with those terms set to zero.

Counts use a Poisson GLM with log link (quasi-Poisson by default, negative
binomial or plain Poisson on request), proportions a quasi-binomial GLM,
continuous outcomes OLS; each is corrected for autocorrelated periods by an
AR(1)-plus-noise GEE refit (``autocorrelation: ar1``, the default), by
Newey–West standard errors, or not at all. With no comparison
group this is Maryland level 2: an association, not proof of cause.

Modules, lowest first: ``model`` (calendar, design matrix, model families),
``inference`` (estimates with intervals, counterfactual band), ``inputs``
(options, dates, the series frame), ``checks`` (diagnostics), ``analysis``
(one series analysed), ``words`` and ``plots`` (prose and charts from plain
data), ``result`` (:class:`ITSResult`), ``sections`` (the forest plot),
``fit`` (:func:`fit`).

Examples
--------
>>> from whatworks.simulate.its import simulate_counts
>>> series, truth = simulate_counts(1, n_pre=104, n_post=52)
>>> res = fit(series, intervention_date=truth["intervention_date"])
>>> res.headline.name, res.headline.measure
('level_change', 'rate ratio')
>>> 0.7 < res.headline.estimate < 0.9
True
>>> plot_forest(res) is None  # no breakdown
True
"""

from __future__ import annotations

from .fit import fit
from .inputs import IMPROVEMENT, OUTCOME_TYPES, OVERDISPERSION, SEASONALITY, to_timestamp
from .result import ITSResult
from .sections import plot_forest

__all__ = [
    "fit",
    "ITSResult",
    "OUTCOME_TYPES",
    "OVERDISPERSION",
    "SEASONALITY",
    "IMPROVEMENT",
    "plot_forest",
    "to_timestamp",
]
