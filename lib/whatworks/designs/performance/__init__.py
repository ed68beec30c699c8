"""The quarterly performance pack: every Policing Plan measure on one page.

Modules, lowest first: ``model`` (definitions, monthly series, quarters
and changes, each measure charted by :mod:`whatworks.designs.spc`),
``checks``, ``words`` (the narrative in the published form, notes), ``tables`` (the
summary matrix with icons, the last four quarters), ``plots`` (the monthly
chart with dated notes, the p′ chart), ``result`` (``PerformanceResult``),
``sections`` (one section per measure), ``fit``.
"""

from .fit import fit, latest_quarter
from .model import Annotation, Commentary, Measure, MeasureDefinition, MeasureFit, quarter_label
from .result import PerformanceResult
from .sections import measure_section, measure_sections
from .tables import summary_matrix

__all__ = ["fit", "latest_quarter", "Annotation", "Commentary", "Measure", "MeasureDefinition", "MeasureFit",
           "quarter_label", "PerformanceResult", "measure_section", "measure_sections", "summary_matrix"]
