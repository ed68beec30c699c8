"""The shapes every analysis returns: estimates, checks, evidence, results.

These are the public contract behind ``results.json``. Every design returns a
subclass of :class:`Result`; every diagnostic is a :class:`Check`, so a report
loops over them the same way whatever the design. All are frozen: a method
that changes something returns a new object.

Examples
--------
>>> e = Estimate(name="level_change", label="Change in level", measure="rate ratio",
...              estimate=0.885, ci_low=0.839, ci_high=0.933, scale="ratio",
...              headline=True)
>>> e.to_dict()["ci_high"]
0.933
>>> Check("small_counts", "warn", "Median under 10 a week.").to_dict()["status"]
'warn'
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from . import text
from .display import Notes, Prose, Section, Table, esc

if TYPE_CHECKING:
    import pandas as pd

    from .plots import Chart, ChartSet

__all__ = [
    "Estimate",
    "Check",
    "CheckList",
    "Evidence",
    "Result",
    "SMS_WORDING",
    "clean",
    "worst_status",
]

Status = Literal["pass", "warn", "fail", "info"]
Scale = Literal["ratio", "difference", "total", "count"]

_STATUS_ORDER = {"fail": 0, "warn": 1, "info": 2, "pass": 3}
_STATUS_WORD = {"pass": "Pass", "warn": "Warning", "fail": "Failed", "info": "Note"}


def clean(value: Any) -> Any:
    """Make a value JSON-safe and deterministic.

    NaN and infinities become ``None``; numpy scalars become Python numbers;
    dates become ISO strings; tuples become lists.

    >>> clean({"a": float("nan"), "b": (1, 2)})
    {'a': None, 'b': [1, 2]}
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10] if not isinstance(value, _dt.datetime) or (
            value.hour == value.minute == value.second == 0) else value.isoformat()
    if hasattr(value, "to_pydatetime"):
        return clean(value.to_pydatetime())
    if hasattr(value, "item"):  # numpy scalar
        return clean(value.item())
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if dataclasses.is_dataclass(value) and hasattr(value, "to_dict"):
        return value.to_dict()
    return str(value)


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """One estimated quantity with its 95% interval.

    ``name`` is unique within a result and stable (tests and the portfolio
    index read it). ``scale`` says how to read it: ``ratio`` (1 means no
    change), ``difference`` (0 means no change), ``total`` or ``count`` (a
    number of events, such as crimes prevented; 0 means none).
    ``ci_level`` is the interval's real coverage when it is not 95% (a
    placebo interval from fewer than 39 comparison units); ``None`` means 95%.
    """

    name: str
    label: str
    measure: str
    estimate: float
    scale: Scale = "difference"
    headline: bool = False
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    outcome: str | None = None
    group: str | None = None
    unit: str | None = None
    ci_level: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The estimate as it appears in ``results.json``."""
        out: dict[str, Any] = clean(
            {
                "name": self.name,
                "label": self.label,
                "headline": bool(self.headline),
                "measure": self.measure,
                "outcome": self.outcome,
                "group": self.group,
                "estimate": self.estimate,
                "se": self.se,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "p_value": self.p_value,
                "scale": self.scale,
                "unit": self.unit,
            }
        )
        if self.ci_level is not None:
            out["ci_level"] = clean(self.ci_level)
        return out

    @property
    def null_value(self) -> float:
        """The value that means "no effect" on this estimate's scale."""
        return 1.0 if self.scale == "ratio" else 0.0

    def excludes_null(self) -> bool | None:
        """Whether the interval excludes "no effect" (``None`` without one)."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return not (self.ci_low <= self.null_value <= self.ci_high)

    def interval_words(self, fmt: Callable[[float], str] | None = None, digits: int | None = None) -> str:
        """``'95% CI 0.84 to 0.93'`` for this estimate."""
        return text.fmt_interval(self.ci_low, self.ci_high, digits=digits, fmt=fmt, level=self.ci_level)

    def with_headline(self, headline: bool = True) -> Estimate:
        return dataclasses.replace(self, headline=headline)


@dataclass(frozen=True)
class Check:
    """One diagnostic: ``status`` is ``pass``, ``warn``, ``fail`` or ``info``.

    ``fail`` means an estimate is withheld; ``warn`` means read it with care.
    """

    name: str
    status: Status
    message: str

    def __post_init__(self) -> None:
        if self.status not in _STATUS_ORDER:
            raise ValueError(f"check status must be one of {sorted(_STATUS_ORDER)}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message}


@dataclass(frozen=True)
class CheckList:
    """Checks shown as a table, failures and warnings first."""

    checks: tuple[Check, ...]

    def __init__(self, checks: Iterable[Check]) -> None:
        ordered = sorted(checks, key=lambda c: _STATUS_ORDER[c.status])
        object.__setattr__(self, "checks", tuple(ordered))

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    def named(self, name: str) -> Check:
        """The check called ``name`` (``KeyError`` when there is none)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def __len__(self) -> int:
        return len(self.checks)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in _STATUS_ORDER}
        for c in self.checks:
            out[c.status] += 1
        return out

    def __str__(self) -> str:
        return "\n".join(f"[{_STATUS_WORD[c.status]}] {c.message}" for c in self.checks)

    def _repr_html_(self) -> str:
        if not self.checks:
            return '<p class="ww-checks-none">No checks were run.</p>'
        rows = "".join(
            f'<li class="ww-check ww-{esc(c.status)}"><span class="ww-badge ww-{esc(c.status)}">'
            f"{_STATUS_WORD[c.status]}</span> {esc(c.message)}</li>"
            for c in self.checks
        )
        return f'<ul class="ww-checks">{rows}</ul>'


#: Maryland Scientific Methods Scale, in the What Works Centre for Local
#: Economic Growth's wording.
SMS_WORDING: dict[int, str] = {
    1: "Level 1: a before-and-after comparison of the treated area(s), with no control for other changes.",
    2: "Level 2: a before-and-after comparison that controls for wider change (trend and season), "
       "with no comparison group.",
    3: "Level 3: a comparison with a group that did not receive the intervention, chosen with a stated justification.",
    4: "Level 4: quasi-random variation in who received the intervention.",
    5: "Level 5: random allocation of the intervention.",
}


@dataclass(frozen=True)
class Evidence:
    """The strength of evidence on the Maryland Scientific Methods Scale.

    >>> Evidence(2, "Trend and season controlled.", "Add comparison areas.").level_words[:7]
    'Level 2'
    """

    sms_level: int
    explanation: str
    to_raise: str = ""

    def __post_init__(self) -> None:
        if self.sms_level not in SMS_WORDING:
            raise ValueError("sms_level must be 1 to 5")

    @property
    def level_words(self) -> str:
        return SMS_WORDING[self.sms_level]

    @property
    def causal(self) -> bool:
        """Whether the summary may speak of cause (level 3 and above)."""
        return self.sms_level >= 3

    def to_dict(self) -> dict[str, Any]:
        return {"sms_level": self.sms_level, "explanation": self.explanation}

    def _repr_html_(self) -> str:
        dots = "".join(
            f'<span class="ww-sms-dot{" on" if i <= self.sms_level else ""}"></span>' for i in range(1, 6)
        )
        more = f"<p>{esc(self.to_raise)}</p>" if self.to_raise else ""
        return (
            f'<div class="ww-evidence"><p class="ww-sms" aria-label="Maryland level {self.sms_level} of 5">'
            f"{dots} <strong>{esc(self.level_words)}</strong></p><p>{esc(self.explanation)}</p>{more}</div>"
        )


@dataclass(frozen=True, kw_only=True)
class Result:
    """Base of every design's result.

    Subclasses add their own fields and override :meth:`plot`,
    :meth:`table` and :meth:`extra` (keys added to ``results.json``).
    """

    estimates: tuple[Estimate, ...] = ()
    checks: tuple[Check, ...] = ()
    evidence: Evidence
    summary_text: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    period_start: _dt.date | None = None
    period_end: _dt.date | None = None

    def __post_init__(self) -> None:
        names = [e.name for e in self.estimates]
        if len(names) != len(set(names)):
            raise ValueError("estimate names must be unique")
        heads = [e for e in self.estimates if e.headline]
        if self.estimates and len(heads) != 1:
            raise ValueError("exactly one estimate must be the headline")

    # -- reading -----------------------------------------------------------
    @property
    def headline(self) -> Estimate | None:
        return next((e for e in self.estimates if e.headline), None)

    def estimate(self, name: str) -> Estimate:
        for e in self.estimates:
            if e.name == name:
                return e
        raise KeyError(name)

    def check(self, name: str) -> Check:
        return CheckList(self.checks).named(name)

    # -- showing -----------------------------------------------------------
    @property
    def summary(self) -> Prose:
        """The plain-English summary, first thing in a report."""
        return Prose(self.summary_text, css="ww-summary")

    @property
    def method_notes(self) -> Notes:
        return Notes(self.notes)

    @property
    def check_list(self) -> CheckList:
        return CheckList(self.checks)

    def table(self) -> Table | Section:
        """The estimates as a table for people."""
        rows = []
        for e in self.estimates:
            rows.append(
                (
                    e.label,
                    text.fmt_number(e.estimate, 3 if e.scale == "ratio" else None),
                    e.interval_words(digits=3 if e.scale == "ratio" else None).removeprefix("95% CI "),
                    text.fmt_p(e.p_value),
                    e.unit or e.measure,
                )
            )
        return Table(
            ("Quantity", "Estimate", f"{text.LEVEL_WORDS} interval", "p-value", "Measured as"),
            tuple(rows),
            caption="Estimates",
            numeric=(False, True, True, True, False),
        )

    def plot(self) -> Chart | ChartSet | Section:
        """The design's main chart (a :class:`whatworks.plots.Chart`)."""
        raise NotImplementedError

    def extra(self) -> dict[str, Any]:
        """Design-specific keys for ``results.json``."""
        return {}

    def to_frame(self) -> pd.DataFrame:
        """The estimates as a tidy table: one row per estimate (what ``estimates.csv`` holds).

        Columns: ``name``, ``label``, ``headline``, ``measure``, ``outcome``,
        ``group``, ``estimate``, ``se``, ``ci_low``, ``ci_high`` (the 95%
        interval), ``p_value``, ``scale`` and ``unit``.

        >>> r = Result(estimates=(Estimate(name="rr", label="Rate ratio", measure="rate ratio", estimate=0.8,
        ...                                 scale="ratio", headline=True, ci_low=0.7, ci_high=0.9),),
        ...            evidence=Evidence(2, "Trend and season controlled."))
        >>> r.to_frame()[["name", "estimate", "ci_low", "ci_high", "scale"]].to_dict("records")
        [{'name': 'rr', 'estimate': 0.8, 'ci_low': 0.7, 'ci_high': 0.9, 'scale': 'ratio'}]
        """
        return estimates_frame([e.to_dict() for e in self.estimates])

    def to_dict(self) -> dict[str, Any]:
        """The analysis part of ``results.json``."""
        out: dict[str, Any] = {
            "period": {"start": self.period_start, "end": self.period_end},
            "evidence": self.evidence.to_dict(),
            "estimates": [e.to_dict() for e in self.estimates],
            "checks": [c.to_dict() for c in self.checks],
        }
        out.update(self.extra())
        cleaned: dict[str, Any] = clean(out)
        return cleaned

    def _repr_html_(self) -> str:
        return "".join(
            part._repr_html_()
            for part in (self.summary, self.table(), self.check_list, self.evidence)
        )


#: The columns of :meth:`Result.to_frame` and ``estimates.csv``, in order.
FRAME_COLUMNS: tuple[str, ...] = ("name", "label", "headline", "measure", "outcome", "group", "estimate", "se",
                                  "ci_low", "ci_high", "p_value", "scale", "unit")


def estimates_frame(estimates: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Estimates as ``results.json`` holds them, as a tidy table with :data:`FRAME_COLUMNS`."""
    import pandas as pd

    frame = pd.DataFrame([{c: e.get(c) for c in FRAME_COLUMNS} for e in estimates], columns=list(FRAME_COLUMNS))
    for column in ("estimate", "se", "ci_low", "ci_high", "p_value"):
        frame[column] = frame[column].astype(float)
    return frame


def worst_status(checks: Sequence[Check]) -> Status:
    """The most serious status among some checks (``pass`` if none)."""
    if not checks:
        return "pass"
    return min(checks, key=lambda c: _STATUS_ORDER[c.status]).status
