"""Difference-in-differences across areas: the effect, event study, placebos, displacement.

:func:`fit` compares the change at treated units with the change at
comparison units and returns a :class:`DiDResult`. The modules, from the
numbers up:

- :mod:`.panel` - checking the spec's units and dates, and the unit-by-period panel
- :mod:`.fixed_effects` - two-way fixed-effects fits (Poisson or least squares) and imputation
- :mod:`.model` - the estimators (two-way, single treated unit, imputation, event study) and the WDQ
- :mod:`.inference` - cluster-robust, wild cluster bootstrap and placebo-in-space inference
- :mod:`.prevented` - crimes prevented relative to the comparison trend; the success measure and total net
  effect of displacement (Guerette, 2009) with unit-bootstrap intervals
- :mod:`.checks` - diagnostics and the evidence level
- :mod:`.words`, :mod:`.plots` - summary and notes; charts
- :mod:`.result` - :class:`DiDResult`
- :mod:`.sections` - the event-study table and chart of a result
- :mod:`.fit` - :func:`fit`
"""

from __future__ import annotations

from .fit import fit, fit_panel
from .model import wdq
from .panel import Panel, build_panel
from .prevented import guide_measures
from .result import DiDResult
from .sections import event_study_table, plot_event_study
from .words import net_effect_words

__all__ = ["fit", "fit_panel", "DiDResult", "wdq", "Panel", "build_panel", "event_study_table", "plot_event_study",
           "guide_measures", "net_effect_words"]
