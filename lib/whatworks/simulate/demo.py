"""Demo-data writers gathered from each design's simulator.

A simulator module may define ``DEMO_WRITERS``: a mapping from a path under
``data/demo/`` to ``writer(path)``, which writes that file (or folder) from a
fixed seed. ``data/make_demo_data.py`` calls every one.

Examples
--------
>>> isinstance(WRITERS, dict)
True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

__all__ = ["WRITERS"]

_MODULES = ("whatworks.simulate.did", "whatworks.simulate.rct", "whatworks.simulate.pir",
            "whatworks.simulate.performance")


def _gather() -> dict[str, Callable[[Path], None]]:
    found: dict[str, Callable[[Path], None]] = {}
    for name in _MODULES:
        module = importlib.import_module(name)
        found.update(getattr(module, "DEMO_WRITERS", {}))
    return found


#: path under data/demo/ -> writer(path)
WRITERS: dict[str, Callable[[Path], None]] = _gather()
