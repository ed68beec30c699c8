"""``fit``: a quarterly performance pack from its measures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ...results import Estimate, Evidence
from .checks import measure_checks
from .model import Annotation, Commentary, Measure, MeasureFit, fit_measure, quarter_label
from .result import PerformanceResult
from .words import method_notes, summary

__all__ = ["fit", "latest_quarter"]


def latest_quarter(measures: Sequence[Measure]) -> pd.Timestamp:
    """The latest quarter every measure has all three months of."""
    ends = []
    for m in measures:
        last = max(m.months)
        start = pd.Timestamp(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
        ends.append(start if m.freq == "quarter" or last.month % 3 == 0 else start - pd.DateOffset(months=3))
    return min(ends)


def _estimates(fits: Sequence[MeasureFit]) -> tuple[Estimate, ...]:
    out = [Estimate(name="exceptions", label="Measures that are exceptions", measure="count of measures",
                    estimate=float(sum(f.exception for f in fits)), scale="total", unit="measures", headline=True)]
    for f in fits:
        d = f.definition
        unit = "proportion" if f.measure.is_rate else (d.unit or "count")
        out.append(Estimate(name=f"{d.key}_quarter", label=f"{d.name}, {f.latest.label}", measure="quarter total"
                            if not f.measure.is_rate else "quarter rate", estimate=f.latest.value, scale="total",
                            unit=unit, outcome=d.name))
        for tag, change, words in (("previous", f.previous, "since the previous quarter"),
                                   ("year", f.year_ago, "since the same quarter last year")):
            if change is not None:
                out.append(Estimate(name=f"{d.key}_change_{tag}", label=f"{d.name}: change {words}",
                                    measure="change", estimate=change.difference, scale="difference", unit=unit,
                                    outcome=d.name))
    return tuple(out)


def fit(
    measures: Sequence[Measure],
    *,
    quarter: pd.Timestamp | None = None,
    spc_rules: str = "police-2sd",
    p_chart: bool = True,
    annotations: Sequence[Annotation] = (),
    commentary: Mapping[str, Commentary] | None = None,
) -> PerformanceResult:
    """Every measure charted and compared for ``quarter`` (default: the latest complete in every measure).

    ``p_chart``: a rate with a denominator gets a p′ (Laney) chart beside its XmR chart.

    Raises
    ------
    ValueError
        No measures, or a measure without the quarter complete.
    """
    if not measures:
        raise ValueError("a performance pack needs at least one measure")
    when = latest_quarter(measures) if quarter is None else quarter
    notes = commentary or {}
    fits = tuple(fit_measure(m, quarter=when, rules=spc_rules, p_chart=p_chart, annotations=annotations,
                             commentary=notes.get(m.definition.name)) for m in measures)
    checks = measure_checks(fits)
    label = quarter_label(when)
    first = min(min(f.measure.months) for f in fits)
    return PerformanceResult(
        estimates=_estimates(fits),
        checks=tuple(checks),
        evidence=Evidence(1, "A performance pack describes recorded figures over time; it does not estimate the "
                             "effect of any change (Maryland level 1: description).",
                          "To learn whether a change worked, evaluate it with the before-after template."),
        summary_text=summary(fits, label),
        notes=method_notes(spc_rules, any(f.measure.is_rate for f in fits)),
        period_start=first.date(),
        period_end=(when + pd.DateOffset(months=3) - pd.Timedelta(days=1)).date(),
        quarter=when,
        rules=spc_rules,
        fits=fits,
    )
