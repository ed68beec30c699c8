"""whatworks: reproducible, templated evaluations for police forces.

A user writes a short YAML spec naming a template and a data export; whatworks
validates it, runs the template notebook with Papermill, and writes a
self-contained HTML report, a ``results.json`` and the executed notebook.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DataError, InputError, RunError, SpecError, TemplateError, WhatworksError
from .results import Check, Estimate, Evidence, Result

__all__ = [
    "__version__",
    "WhatworksError",
    "InputError",
    "SpecError",
    "DataError",
    "TemplateError",
    "RunError",
    "Estimate",
    "Check",
    "Evidence",
    "Result",
]
