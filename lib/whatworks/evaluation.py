"""The evaluation as a template notebook sees it: its parameters.

A notebook's first library call gathers the parameters its ``parameters``
cell (and Papermill's injected cell) defined::

    ev = ww.evaluation(globals())
    series = ww.data.load_series(ev["data"], **ev.options_for(ww.data.load_series))

:meth:`Evaluation.options_for` passes a function exactly the parameters it
takes, so notebooks stay one line per step and designs keep plain keyword
signatures.

Examples
--------
>>> ev = Evaluation({"title": "T", "seasonality": "none", "other": 1})
>>> def fit(series, *, seasonality="auto", fourier_pairs=2): ...
>>> ev.options_for(fit)
{'seasonality': 'none'}
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .disclosure import Disclosure

__all__ = ["Evaluation", "evaluation"]

_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}
_PLAIN = (str, int, float, bool, list, dict, type(None))


class Evaluation:
    """Read-only view of an evaluation's parameters.

    Parameters
    ----------
    parameters
        The template's parameters and their values.
    base_dir
        The folder that relative file paths are read from: the spec's folder
        (default: the current folder, which is the spec's folder when a
        template runs).
    """

    def __init__(self, parameters: Mapping[str, Any], *, base_dir: str | os.PathLike[str] | None = None) -> None:
        self._params = MappingProxyType(dict(parameters))
        self._base_dir = Path(base_dir) if base_dir is not None else None

    @property
    def base_dir(self) -> Path:
        """The folder relative file paths in the parameters are read from."""
        return self._base_dir if self._base_dir is not None else Path.cwd()

    def path(self, key: str) -> Path | None:
        """The file a parameter names, resolved against :attr:`base_dir` (``None`` when blank).

        >>> Evaluation({"data": "x.csv"}, base_dir="/tmp/spec").path("data").as_posix()
        '/tmp/spec/x.csv'
        """
        value = self._params.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.base_dir / str(value)

    @property
    def disclosure(self) -> Disclosure:
        """The small-count rule for everything this evaluation publishes (the ``disclosure`` key)."""
        value = self._params.get("disclosure", 5)
        return Disclosure(int(value) if value is not None else 0)

    def __getitem__(self, key: str) -> Any:
        return self._params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._params.get(key, default)

    @property
    def parameters(self) -> Mapping[str, Any]:
        return self._params

    @property
    def title(self) -> str:
        return str(self._params.get("title", ""))

    def options_for(self, func: Callable[..., Any], *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        """The parameters ``func`` accepts as keywords (others are left out)."""
        sig = inspect.signature(func)
        names = [
            n for n, p in sig.parameters.items()
            if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and n not in exclude
        ]
        return {n: self._params[n] for n in names if n in self._params}

    def __repr__(self) -> str:
        return f"Evaluation({self.title!r}, {len(self._params)} parameters)"


def evaluation(namespace: Mapping[str, Any]) -> Evaluation:
    """Gather a notebook's parameters from its global namespace.

    Every plain value (text, number, yes/no, list, mapping, blank) whose name
    does not start with ``_`` is a parameter; Jupyter's own names are ignored.
    A ``disclosure`` parameter is read by :attr:`Evaluation.disclosure`, the
    small-count policy the evaluation's results carry; nothing global is set.
    """
    params = {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_") and k not in _IPYTHON_NAMES and isinstance(v, _PLAIN)
    }
    return Evaluation(params)
