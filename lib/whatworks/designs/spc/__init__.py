"""Statistical process control (XmR) charts the Making Data Count way.

One chart per unit (or one for a single series), with limits from a
baseline (the periods before the change, or ``spc_baseline``) extended past
it, a new phase only where ``spc_rebase`` asks, the points that signal
special cause, and the variation and assurance icons; see
:mod:`whatworks.designs.spc.fit`.

Modules, lowest first: ``inputs`` (the spec's SPC options), ``rules`` (limits
and special-cause rules of each profile), ``model`` (one unit's chart),
``checks``, ``words``, ``tables``, ``plots``, ``result``, ``sections``
(report sections beyond the result's own), ``fit``.
"""

from .fit import fit
from .model import IMPROVEMENT_SIGN, PhaseFit, Signal, UnitChart
from .result import SPCResult
from .rules import PROFILES, LaneyPhase, XmRPhase, laney, xmr
from .sections import signals_table, unit_finding

__all__ = [
    "fit",
    "xmr",
    "laney",
    "LaneyPhase",
    "SPCResult",
    "UnitChart",
    "PhaseFit",
    "Signal",
    "XmRPhase",
    "PROFILES",
    "IMPROVEMENT_SIGN",
    "signals_table",
    "unit_finding",
]
