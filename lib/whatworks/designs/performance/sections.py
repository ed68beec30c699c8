"""The pack's report sections beyond the result's own: one section per measure.

Each measure gets its heading, the narrative, a warning for months whose
outcomes are still being recorded, the monthly chart (and a rate's p′
chart), the last four quarters, the dated notes drawn on the chart, and the
owner's "Reasons" and "Response" (escaped like every other text).
"""

from __future__ import annotations

from ... import text
from ...display import Callout, Heading, Notes, Prose, Section
from ..spc.tables import year_on_year_table
from .model import MeasureFit
from .plots import plot_laney, plot_measure
from .result import PerformanceResult
from .tables import matrix_order, quarters_table
from .words import narrative

__all__ = ["measure_section", "measure_sections"]


def _paragraphs(words: str) -> list[str]:
    return [" ".join(p.split()) for p in words.split("\n\n") if p.strip()]


def measure_section(fit: MeasureFit, rules: str) -> Section:
    """One measure's part of the pack."""
    d = fit.definition
    parts: list[object] = [Heading(d.name, 3), Prose(narrative(fit))]
    who = [f"Priority: {d.priority}."] + ([f"Owner: {d.owner}."] if d.owner else [])
    parts.append(Prose(" ".join(who), css="ww-prose ww-small"))
    if fit.immature:
        months = f"{fit.immature[0]:%B %Y}" + ("" if len(fit.immature) == 1 else f" to {fit.immature[-1]:%B %Y}")
        parts.append(Callout(f"Outcomes for {months} are still being recorded: the latest figures will rise as "
                             "investigations finish, so read them with care (shaded on the chart).", kind="warn",
                             title="Still being recorded."))
    parts.append(plot_measure(fit, rules=rules))
    if fit.chart.seasonal:
        parts.append(Callout("More than a fifth of the months signal special cause, and the series has a seasonal "
                             "pattern (a test on month-of-year effects): the signals may be the season. Compare each "
                             "month with the same month a year earlier.", kind="info", title="Seasonal."))
        parts.append(year_on_year_table(fit.chart, fit.measure.freq))
    if fit.laney is not None:
        parts.append(plot_laney(fit))
    parts.append(quarters_table(fit))
    if fit.annotations:
        parts.append(Notes([f"{k}. {text.fmt_date(a.date)}: {a.note}" for k, a in enumerate(fit.annotations, 1)],
                           title="Notes on the chart"))
    c = fit.commentary
    if c is not None:
        for title, words in (("Reasons", c.reasons), ("Response", c.response)):
            if words.strip():
                parts.append(Heading(f"{d.name}: {title.lower()}", 4))
                parts.append(Prose(_paragraphs(words)))
    return Section(*parts)


def measure_sections(result: PerformanceResult) -> Section:
    """Every measure's section, in the summary matrix's order (exceptions first)."""
    out: list[object] = []
    for name, fits in matrix_order(result.fits):
        out.append(Heading(name, 2))
        out.extend(measure_section(f, result.rules) for f in fits)
    return Section(*out)
