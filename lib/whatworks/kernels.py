"""Kernels for report runs: started ahead of need, never shared between reports.

Starting a Python kernel and importing pandas, statsmodels and matplotlib
takes a few seconds. A :class:`KernelPool` starts the *next* report's kernel
(and those imports) while the current report runs, so a batch pays that cost
once per worker rather than once per report. Each kernel still serves exactly
one report and is shut down after it: reports stay isolated.

Examples
--------
>>> pool = KernelPool(ahead=False, warm=False)
>>> pool.spares
0
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

__all__ = ["KernelPool", "start_kernel", "WARM_CODE"]

#: Run in a fresh kernel to load the heavy libraries before its report arrives.
#: Only underscore names are created, and they are deleted again.
WARM_CODE = (
    "import importlib as _il\n"
    "for _m in ('numpy', 'pandas', 'scipy.stats', 'statsmodels.api', 'matplotlib.pyplot', 'whatworks',\n"
    "           'whatworks.data', 'whatworks.plots'):\n"
    "    _il.import_module(_m)\n"
    "del _il, _m\n"
)


def start_kernel(cwd: Path, kernel_name: str = "python3", warm: bool = True) -> KernelManager:
    """Start a kernel working in ``cwd``; its own chatter on stdout/stderr is discarded.

    Returns at once (the kernel boots in the background). With ``warm``, the
    kernel is asked to import the heavy libraries as soon as it is up.
    """
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=str(cwd), stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    if warm:
        client = km.client()
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        client.execute(WARM_CODE, silent=True, store_history=False)
        client.stop_channels()
    return km


class KernelPool:
    """Hands out fresh kernels, keeping one started ahead for the next report.

    Parameters
    ----------
    ahead
        Start a spare kernel for the next report whenever one is taken.
    warm
        Pre-import the heavy libraries in every kernel started.
    """

    def __init__(self, kernel_name: str = "python3", *, ahead: bool = True, warm: bool = True) -> None:
        self.kernel_name = kernel_name
        self.ahead = ahead
        self.warm = warm
        self._spare: dict[Path, list[KernelManager]] = {}

    @property
    def spares(self) -> int:
        return sum(len(v) for v in self._spare.values())

    def take(self, cwd: Path) -> KernelManager:
        """A fresh kernel working in ``cwd`` (a spare if one is ready)."""
        cwd = Path(cwd).resolve()
        spares = self._spare.get(cwd) or []
        km = None
        while spares and km is None:
            candidate = spares.pop()
            km = candidate if candidate.is_alive() else None
        if km is None:
            km = start_kernel(cwd, self.kernel_name, self.warm)
        if self.ahead:
            self._spare.setdefault(cwd, []).append(start_kernel(cwd, self.kernel_name, self.warm))
        return km

    def give_back(self, km: KernelManager, cwd: Path) -> None:
        """Return a kernel that never ran anything (e.g. the spec failed its checks)."""
        self._spare.setdefault(Path(cwd).resolve(), []).append(km)

    def close(self) -> None:
        """Shut down every spare kernel."""
        for kms in self._spare.values():
            for km in kms:
                with contextlib.suppress(Exception):
                    km.shutdown_kernel(now=True)
        self._spare.clear()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
