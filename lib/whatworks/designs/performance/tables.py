"""The pack's tables: the summary matrix (with the icons) and each measure's last four quarters.

The matrix puts the exceptions first (concerning special cause in the
latest month, or a missed target), then every other measure grouped by its
Policing Plan priority in the order the measure table gives them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ... import text
from ...display import Table, esc
from ..spc.plots import icon_svg
from ..spc.words import ASSURANCE_WORDS, VARIATION_WORDS
from .model import MeasureFit
from .words import change_words, value_words

__all__ = ["matrix_order", "SummaryMatrix", "summary_matrix", "quarters_table", "MATRIX_COLUMNS"]

#: The matrix's columns.
MATRIX_COLUMNS = ("Measure", "Latest quarter", "Since previous quarter", "Since same quarter last year",
                  "Variation", "Assurance", "Target", "Comparator")


def matrix_order(fits: Sequence[MeasureFit]) -> list[tuple[str, list[MeasureFit]]]:
    """The matrix's groups in order: ``Exceptions`` first, then each priority in first-seen order."""
    exceptions = [f for f in fits if f.exception]
    groups: dict[str, list[MeasureFit]] = {}
    for f in fits:
        if not f.exception:
            groups.setdefault(f.definition.priority, []).append(f)
    out = [("Exceptions", exceptions)] if exceptions else []
    return out + list(groups.items())


def _change_cell(fit: MeasureFit, which: str) -> str:
    change = fit.previous if which == "previous" else fit.year_ago
    if change is None:
        return "–"
    pct, count = change_words(fit, change)
    return f"{pct} ({count})" if count else pct


def _row_cells(fit: MeasureFit) -> tuple[str, ...]:
    d = fit.definition
    latest = f"{value_words(fit, fit.latest.value)} ({fit.latest.label})"
    if fit.per_1000 is not None:
        latest += f"; {text.fmt_number(fit.per_1000, 2)} per 1,000"
    target = "No target" if d.target is None else (
        f"{value_words(fit, d.target)}: {'met' if fit.target_met else 'missed'}")
    comparator = "–" if d.comparator is None else f"{d.comparator_label} {value_words(fit, d.comparator)}"
    return (d.name, latest, _change_cell(fit, "previous"), _change_cell(fit, "year"),
            VARIATION_WORDS[fit.chart.variation()], ASSURANCE_WORDS.get(fit.chart.assurance() or "", "No target"),
            target, comparator)


@dataclass(frozen=True)
class SummaryMatrix:
    """The matrix: one row per measure, grouped, with the Making Data Count icons (their words as text alternative)."""

    groups: tuple[tuple[str, tuple[MeasureFit, ...]], ...]
    caption: str

    def records(self) -> list[dict[str, str]]:
        """The matrix as plain text rows (icons as their words), with each row's group."""
        return [{"Group": name, **dict(zip(MATRIX_COLUMNS, _row_cells(f)))} for name, fits in self.groups for f in fits]

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in MATRIX_COLUMNS)
        body = []
        for name, fits in self.groups:
            css = " ww-exceptions" if name == "Exceptions" else ""
            body.append(f'<tr class="ww-group{css}"><th scope="rowgroup" colspan="{len(MATRIX_COLUMNS)}">'
                        f"{esc(name)}</th></tr>")
            for f in fits:
                cells = _row_cells(f)
                assurance = f.chart.assurance()
                body.append(
                    f'<tr><th scope="row"><a href="#{esc(f.definition.key)}">{esc(cells[0])}</a></th>'
                    + "".join(f'<td class="num">{esc(c)}</td>' for c in cells[1:4])
                    + f"<td>{icon_svg(f.chart.variation(), 32)}</td>"
                    + f"<td>{icon_svg(assurance, 32) if assurance else esc('No target')}</td>"
                    + "".join(f"<td>{esc(c)}</td>" for c in cells[6:])
                    + "</tr>")
        return (f'<div class="ww-table-wrap"><table class="ww-table ww-spc-icons ww-matrix">'
                f"<caption>{esc(self.caption)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table></div>")


def summary_matrix(fits: Sequence[MeasureFit], quarter_label: str) -> SummaryMatrix:
    groups = tuple((name, tuple(fs)) for name, fs in matrix_order(fits))
    return SummaryMatrix(groups, caption=f"Summary of every measure, {quarter_label}: exceptions first, "
                                         "then by Policing Plan priority")


def quarters_table(fit: MeasureFit, n: int = 4) -> Table:
    """The last ``n`` quarters up to the pack's: value, and for a rate its numerator and denominator."""
    shown = [q for q in fit.quarters if q.start <= fit.latest.start][-n:]
    if fit.measure.is_rate:
        rate_rows = tuple((q.label, text.fmt_number(q.numerator, 0), text.fmt_number(q.denominator, 0),
                      value_words(fit, q.value)) for q in shown)
        return Table(("Quarter", "Outcomes", "Out of", "Rate"), rate_rows, caption=f"{fit.definition.name}: last four "
                     "quarters", numeric=(False, True, True, True))
    rows = tuple((q.label, value_words(fit, q.value)) for q in shown)
    return Table(("Quarter", fit.definition.unit.capitalize() or "Count"), rows,
                 caption=f"{fit.definition.name}: last four quarters", numeric=(False, True))
