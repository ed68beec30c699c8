"""Typed options: what one analysis uses, read from the evaluation once.

Each analysis (an interrupted time series, comparison areas, SPC charts, a
trial, a benefits review) declares its options as a frozen dataclass
subclassing :class:`Options`. :meth:`Options.build` reads them from the
evaluation once, and refuses every key of the template that the analysis
would ignore when the spec set it to something other than its default, so
no option is dropped silently: ``seasonality: fourier`` with comparison
areas is an error that names the analysis and says why.

Examples
--------
>>> from dataclasses import dataclass
>>> from whatworks.evaluation import Evaluation
>>> @dataclass(frozen=True, kw_only=True)
... class Areas(Options):
...     ANALYSIS = "the comparison-areas analysis"
...     n_boot: int = 999
>>> ev = Evaluation({"n_boot": 99, "seasonality": "fourier"})
>>> Areas.build(ev, defaults={"seasonality": "auto", "n_boot": 999})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
whatworks.errors.SpecError: key 'seasonality': does not apply to the comparison-areas analysis...
>>> Areas.build(Evaluation({"n_boot": 99, "seasonality": "auto"}), defaults={"seasonality": "auto"}).n_boot
99
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from .errors import SpecError
from .evaluation import Evaluation

__all__ = ["Options", "given"]


def given(value: Any) -> bool:
    """Whether a parameter holds something (not blank, not an empty list or mapping)."""
    return value not in (None, "", [], {}, ())


@dataclasses.dataclass(frozen=True, kw_only=True)
class Options:
    """Base of every analysis's options (a frozen dataclass; one field per spec key used).

    Subclasses set :attr:`ANALYSIS` (the analysis in words, for messages) and
    may set :attr:`WHY` (per ignored key, the reason it does not apply).
    """

    ANALYSIS: ClassVar[str] = "this analysis"
    WHY: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The spec keys this analysis uses."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def build(cls, ev: Evaluation, *, defaults: Mapping[str, Any], shared: tuple[str, ...] = ()) -> Self:
        """Read the options from ``ev``, refusing keys the analysis ignores.

        Parameters
        ----------
        ev
            The evaluation's parameters.
        defaults
            Every template parameter's default (a key is refused only when
            its value differs from this default and is not blank).
        shared
            Keys used by the template's other steps (loading the data, the
            report header), which are never refused.

        Raises
        ------
        SpecError
            Naming the first ignored key set in the spec, the analysis that
            ignores it and why.
        """
        mine = set(cls.keys()) | set(shared)
        for key in sorted(defaults):
            if key in mine or key not in ev.parameters:
                continue
            value = ev.parameters[key]
            if given(value) and value != defaults[key]:
                reason = cls.WHY.get(key, f"{cls.ANALYSIS} does not use it")
                raise SpecError(f"does not apply to {cls.ANALYSIS}", key=key,
                                hint=f"Remove {key} from the spec: {reason}.")
        values = {f: ev.parameters[f] for f in cls.keys() if f in ev.parameters}  # noqa: SIM118 - field names
        return cls(**values)

    def used(self) -> dict[str, Any]:
        """The options as a plain mapping (what the report's "Parameters used" shows)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
