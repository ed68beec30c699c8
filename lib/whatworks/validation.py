"""Checking a spec's data without starting a kernel.

Every template's module has ``load(ev)``: the function its notebook calls
first, which reads and checks every input. ``whatworks validate`` and
``whatworks run`` call the same function in-process, before any notebook
starts, so input errors are reported in words and no template work starts
after a failed validation. The template registry says which module serves
which template; relative paths are read from the spec's folder, without
changing the process's working folder.

Examples
--------
>>> from whatworks.templates import registry
>>> registry().get("before-after").module
'whatworks.templates.before_after'
"""

from __future__ import annotations

from .evaluation import Evaluation
from .spec import Spec

__all__ = ["validate"]


def validate(spec: Spec) -> object:
    """Read and check a spec's inputs as its notebook will; the inputs, for the run to use.

    Raises
    ------
    InputError
        Naming the file, column, key or rows, and the fix.
    """
    return spec.template.glue.load(Evaluation(spec.parameters, base_dir=spec.base_dir))
