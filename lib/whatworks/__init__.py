"""whatworks: reproducible, templated evaluations for police forces.

A user writes a short YAML spec naming a template and a data export; whatworks
validates it, runs the template notebook with Papermill, and writes a
self-contained HTML report, a ``results.json`` and the executed notebook.

In a template notebook::

    import whatworks as ww
    ev = ww.evaluation(globals())
    series = ww.data.load_series(**ev.options_for(ww.data.load_series))
    result = ww.its.fit(series, **ev.options_for(ww.its.fit))
    result.summary
    ww.emit(ev, result)
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

__version__ = "0.1.0"

from .errors import DataError, InputError, RunError, SpecError, TemplateError, WhatworksError
from .evaluation import Evaluation, evaluation
from .report import emit
from .results import Check, Estimate, Evidence, Result

__all__ = [
    "__version__",
    "evaluation",
    "Evaluation",
    "emit",
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

#: Short names for the modules a notebook uses, imported on first use.
_MODULES = {
    "data": ".data",
    "display": ".display",
    "text": ".text",
    "plots": ".plots",
    "power": ".designs.rct.power",
    "randomise": ".allocation",
    "its": ".designs.its",
    "did": ".designs.did",
    "spc": ".designs.spc",
    "rct": ".designs.rct",
    "benefits": ".designs.benefits",
    "pack": ".designs.performance",
    "panel": ".designs.did.panel",
}


def __getattr__(name: str) -> ModuleType:
    if name in _MODULES:
        return importlib.import_module(_MODULES[name], __name__)
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:  # a submodule not imported yet
        return importlib.import_module(f".{name}", __name__)
    if not name.startswith("_"):  # a template's module, from the template registry (ww.before_after)
        from .templates import registry

        for template in registry():
            if template.short_name == name:
                return template.glue
    raise AttributeError(f"module 'whatworks' has no attribute {name!r}")
