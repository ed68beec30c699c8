"""Checking a spec's data without starting a kernel.

Each design registers the function that reads and checks its inputs — the
same library call its notebook makes first — so ``whatworks validate`` and
``whatworks run`` report input errors in words before any notebook starts.

Examples
--------
>>> sorted(VALIDATORS)
['before-after', 'pir', 'rct']
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from .evaluation import Evaluation
from .spec import Spec

__all__ = ["VALIDATORS", "register", "validate"]

#: design name -> function(evaluation) that reads and checks the inputs, or
#: ``"module:function"`` naming one (imported only when needed).
VALIDATORS: dict[str, Callable[[Evaluation], object] | str] = {
    "before-after": "whatworks.designs.before_after:validate_inputs",
    "rct": "whatworks.designs.rct:validate_inputs",
    "pir": "whatworks.designs.benefits:load",
}


def register(design: str) -> Callable:
    """Decorator: register the input check for a design."""

    def wrap(func: Callable[[Evaluation], object]) -> Callable[[Evaluation], object]:
        VALIDATORS[design] = func
        return func

    return wrap


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    here = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


def validate(spec: Spec) -> object | None:
    """Read and check a spec's inputs as its notebook will (relative to the spec's folder)."""
    check = VALIDATORS.get(spec.template.design)
    if check is None:
        return None
    if isinstance(check, str):
        module, _, name = check.partition(":")
        check = getattr(importlib.import_module(module), name)
    with _inside(spec.base_dir):
        return check(Evaluation(spec.parameters))
