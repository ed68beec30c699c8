"""Inputs read once per report: the runner's check of the data, handed to the notebook's own ``load``.

``whatworks run`` reads and checks a spec's data before its notebook starts
(:mod:`whatworks.validation`), so that input errors are reported in words and
no report is begun on bad data; the notebook's first cell then calls the same
``load(ev)``. When the notebook runs in the same process (the default
engine), reading the files again would give the same inputs a moment later.
The runner :func:`keep`\\ s them, and a template's ``load``, wrapped by
:func:`reads_once`, takes them instead of reading again: only for the same
template, the same folder and exactly the same parameters, and only once.
Any other call (a notebook opened in JupyterLab, a kernel of its own, a
second call) reads the files as usual.

Examples
--------
>>> from whatworks.evaluation import Evaluation
>>> @reads_once
... def load(ev):
...     return ["read", ev["data"]]
>>> ev = Evaluation({"data": "x.csv"}, base_dir=".")
>>> keep(load.__module__, ".", {"data": "x.csv"}, ["kept", "x.csv"])
>>> load(ev), load(ev)
(['kept', 'x.csv'], ['read', 'x.csv'])
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .evaluation import Evaluation

__all__ = ["keep", "drop", "reads_once"]

Inputs = TypeVar("Inputs")

_KEPT: dict[tuple[str, Path], tuple[dict[str, Any], Any]] = {}
_LOCK = threading.Lock()


def _key(module: str, base_dir: str | Path) -> tuple[str, Path]:
    return module, Path(base_dir).resolve()


def keep(module: str, base_dir: str | Path, parameters: Mapping[str, Any], inputs: Any) -> None:
    """Hold ``inputs``, read with ``parameters`` in ``base_dir``, for the next ``load`` of ``module``.

    ``None`` (nothing was read) is not held: the notebook then reads the data itself.
    """
    if inputs is None:
        return
    with _LOCK:
        _KEPT[_key(module, base_dir)] = (dict(parameters), inputs)


def drop(module: str, base_dir: str | Path) -> None:
    """Let go of what :func:`keep` holds for ``module`` in ``base_dir`` (if the notebook did not take it)."""
    with _LOCK:
        _KEPT.pop(_key(module, base_dir), None)


def reads_once(load: Callable[[Evaluation], Inputs]) -> Callable[[Evaluation], Inputs]:
    """Wrap a template's ``load(ev)`` so that it takes inputs kept for exactly ``ev``, once."""

    @functools.wraps(load)
    def wrapper(ev: Evaluation) -> Inputs:
        key = _key(load.__module__, ev.base_dir)
        with _LOCK:
            kept = _KEPT.get(key)
            if kept is not None and kept[0] == dict(ev.parameters):
                del _KEPT[key]
                inputs: Inputs = kept[1]
                return inputs
        return load(ev)

    return wrapper
