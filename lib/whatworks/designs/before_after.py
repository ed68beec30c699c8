"""The before-after evaluation: one series, or treated areas against comparison areas.

The ``before-after`` template reads its inputs with :func:`load` (also what
``whatworks validate`` runs, without fitting) and analyses them with
:func:`analyse`, which chooses the analysis from the spec:

- without ``unit_column``: an interrupted time series of one series
  (:mod:`whatworks.designs.its`), with one SPC chart;
- with ``unit_column`` and ``treated_units``: difference-in-differences of
  the treated against the comparison units (:mod:`whatworks.designs.did`),
  with an event study, a placebo in time, displacement to ``buffer_units``
  and one SPC chart per treated unit.

Either way ``output_columns`` are shown as activity, apart from the outcome.
Each section of the report is one call on :class:`BeforeAfter`; a section
that does not apply to the analysis returns ``None`` and shows nothing.

Examples
--------
>>> from whatworks.evaluation import Evaluation
>>> analysis_for(Evaluation({"unit_column": None, "treated_units": []}))
'single'
>>> analysis_for(Evaluation({"unit_column": "site", "treated_units": ["Site 01"]}))
'areas'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from .. import data
from ..data import SeriesData
from ..display import Heading, Notes, Prose, Section, Table
from ..errors import SpecError
from ..evaluation import Evaluation
from ..results import CheckList, Evidence, Result
from . import did, its, spc
from ._before_after_activity import Activity, activity
from .did import build_panel

__all__ = ["BeforeAfter", "analyse", "analysis_for", "load", "validate_inputs", "ANALYSES"]

_UNIT_KEYS = ("treated_units", "comparison_units", "buffer_units")
_PER = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}


def _given(value) -> bool:
    return value not in (None, "", [], {})


def analysis_for(ev: Evaluation) -> str:
    """``"single"`` (one series) or ``"areas"`` (treated against comparison units).

    Raises
    ------
    SpecError
        Unit lists without ``unit_column``, or ``unit_column`` without
        ``treated_units``.
    """
    if _given(ev.get("unit_column")):
        if not _given(ev.get("treated_units")):
            raise SpecError("is needed with unit_column", key="treated_units",
                            hint="List the areas that received the intervention, e.g. treated_units: [Site 01].")
        if _given(ev.get("breakdown_column")):
            raise SpecError("cannot be combined with unit_column", key="breakdown_column",
                            hint="Compare areas for one category at a time: filter the export, or remove "
                                 "breakdown_column.")
        return "areas"
    given = [k for k in _UNIT_KEYS if _given(ev.get(k))]
    if given:
        raise SpecError(f"{given[0]} is set but unit_column is not", key="unit_column",
                        hint="Name the column holding the area or site of each row, e.g. unit_column: site.")
    if isinstance(ev.get("intervention_date"), Mapping):
        raise SpecError("a start date per unit needs unit_column and treated_units", key="intervention_date",
                        hint="Give one date (YYYY-MM-DD) for a single series.")
    return "single"


def _date(value, key: str) -> pd.Timestamp:
    return its.to_timestamp(value, key)


def _check_single(series: SeriesData, ev: Evaluation) -> None:
    _date(ev.get("intervention_date"), "intervention_date")


def _check_areas(series: SeriesData, ev: Evaluation) -> None:
    build_panel(series, ev.get("treated_units"), ev.get("intervention_date"), ev.get("comparison_units"),
                ev.get("buffer_units"), ev.get("outcome_type", "count"))


_CHECKS: dict[str, Callable[[SeriesData, Evaluation], None]] = {"single": _check_single, "areas": _check_areas}


def load(ev: Evaluation) -> SeriesData:
    """Read the data and check every input as :func:`analyse` will, without fitting.

    Raises
    ------
    DataError, SpecError
        Naming the file, column, key or units, and the fix.
    """
    kind = analysis_for(ev)
    series = data.load_series(**ev.options_for(data.load_series))
    _CHECKS[kind](series, ev)
    return series


#: The check ``whatworks validate`` runs for the ``before-after`` template.
validate_inputs = load


def _starts(ev: Evaluation, treated: list[str] | None) -> dict[str | None, pd.Timestamp]:
    value = ev.get("intervention_date")
    if treated is None:
        return {None: _date(value, "intervention_date")}
    if isinstance(value, Mapping):
        return {str(u).strip(): _date(d, "intervention_date") for u, d in value.items()}
    return {u: _date(value, "intervention_date") for u in treated}


@dataclass(frozen=True)
class BeforeAfter:
    """A before-after evaluation: the main result, SPC charts and activity.

    Attributes
    ----------
    analysis
        ``single`` or ``areas`` (see :func:`analysis_for`).
    main
        The :class:`~whatworks.designs.its.ITSResult` or
        :class:`~whatworks.designs.did.DiDResult`; its headline is the report's.
    spc
        XmR charts: one for a single series, one per treated unit.
    outputs
        Activity (``output_columns``), or ``None``.
    buffer_units
        The buffer units named in the spec.
    """

    analysis: str
    main: Result
    spc: spc.SPCResult
    outputs: Activity | None = None
    buffer_units: tuple[str, ...] = ()
    freq: str = "week"

    @property
    def areas(self) -> bool:
        return self.analysis == "areas"

    # -- sections, in report order ------------------------------------------------
    @property
    def summary(self) -> Prose:
        return self.main.summary

    def what_happened(self) -> Section:
        """The main chart(s) with a paragraph saying how to read them."""
        if not self.areas:
            return Section(
                Prose(["The dots are the recorded figures. The solid line is the model's fit; the dashed line is "
                       "what the model expects would have happened without the change, with its 95% confidence "
                       "band."]),
                self.main.plot(), its.plot_forest(self.main))
        per = _PER.get(self.freq, "period")
        return Section(
            Prose([f"Each line is the average {self.main.outcome_label} a {per} across a group of areas, indexed "
                   "so that its average before the start is 100. The comparison areas show what would have been "
                   "expected at the treated areas without the intervention: lines that move together before the "
                   "start and apart after it point to an effect. Dashed lines mark the start dates."]),
            self.main.plot())

    def table(self) -> Section | Table:
        """The estimates, with a sentence on how to read a rate ratio for comparisons of areas."""
        if not self.areas:
            return self.main.table()
        head = self.main.headline
        how = ("A rate ratio below 1 means fewer than expected from the comparison areas (0.80 is 20% fewer), "
               "above 1 more." if head.scale == "ratio" else
               "A difference below 0 means lower than expected from the comparison areas, above 0 higher.")
        return Section(Prose([how + " The first row is the main result; the others are checks on it."]),
                       self.main.table())

    def event_study(self) -> Section | None:
        """Leads and lags around the start, with the caveat on parallel trends."""
        if not self.areas:
            return None
        per = _PER.get(self.freq, "period")
        null = "1" if self.main.family == "poisson" else "0"
        return Section(
            Heading("Before and after the start, step by step (event study)"),
            Prose([f"Each point compares the treated with the comparison areas in a group of {per}s before (grey) "
                   f"or after (blue) the start, with its 95% interval. If the areas moved together before the "
                   f"start, the grey points sit near {null}; the blue points show how the difference built up.",
                   self.main.check("parallel_trends").message]),
            did.plot_event_study(self.main),
            did.event_study_table(self.main),
        )

    def placebo_in_time(self) -> Section | None:
        """The placebo with a fake start before the real one."""
        if not self.areas:
            return None
        return Section(
            Heading("A fake start date (placebo in time)"),
            Prose(["To check that the method does not find effects where there are none, the same analysis is run "
                   "on the data from before the real start only, pretending the intervention began halfway "
                   "through that period.", self.main.check("placebo_in_time").message]),
        )

    def displacement(self) -> Section | None:
        """Displacement to, or diffusion of benefits into, the buffer areas."""
        if not self.areas:
            return None
        if not self.buffer_units:
            return Section(Heading("Displacement and diffusion"), Prose([
                "Displacement was not assessed: no buffer areas (areas next to the treated ones) were listed "
                "in buffer_units, so the report cannot say whether crime moved next door."]))
        names = ", ".join(self.buffer_units)
        quotient = self.main.wdq
        paragraphs = [
            "Crime prevented in one place can move next door (displacement), or the benefits can spread to "
            f"nearby places (diffusion of benefits). The buffer areas ({names}) are next to the treated areas; "
            "their change is measured against the comparison areas in the same way as the treated areas' change.",
            self.main.displacement,
            "The weighted displacement quotient (WDQ; Bowers and Johnson, 2003) sets the buffer areas' change "
            "against the treated areas' change, both relative to the comparison areas. Above 0 means benefits "
            "spread to the buffer areas; between 0 and -1 that some crime moved there, but less than was "
            "prevented; below -1 that more moved than was prevented. It has no interval, so read it alongside "
            "the buffer estimate.",
            _wdq_words(quotient),
        ]
        return Section(Heading("Displacement and diffusion"), Prose(paragraphs))

    def activity(self) -> Section | None:
        """Outputs (deployments, stops, arrests) as activity, not evidence of impact."""
        return None if self.outputs is None else self.outputs.section()

    @property
    def check_list(self) -> CheckList:
        return self.main.check_list

    @property
    def evidence(self) -> Evidence:
        return self.main.evidence

    @property
    def notes(self) -> Notes:
        return Notes(self.main.notes + self.spc.notes)

    def extra(self) -> dict:
        """Keys for ``results.json`` beside the main result's own: ``spc``."""
        return {"spc": self.spc.to_spc_dict()}


def _wdq_words(quotient: float | None) -> str:
    if quotient is None:
        return ("Here the WDQ is undefined, because the treated areas did not change relative to the comparison "
                "areas.")
    q = f"{quotient:.2f}"
    if quotient > 0:
        reading = "on this measure, benefits spread to the buffer areas"
    elif quotient >= -1:
        reading = "on this measure, some crime may have moved to the buffer areas, but less than was prevented"
    else:
        reading = "on this measure, more crime moved to the buffer areas than was prevented"
    return f"Here the WDQ is {q}: {reading}."


def _fit_single(series: SeriesData, ev: Evaluation) -> BeforeAfter:
    main = its.fit(series, **ev.options_for(its.fit))
    charts = spc.fit(series, **ev.options_for(spc.fit))
    outputs = activity(series.frame, ev.get("output_columns") or (), _starts(ev, None), freq=series.freq,
                       outcome=series.outcome_label)
    return BeforeAfter(analysis="single", main=main, spc=charts, outputs=outputs, freq=series.freq)


def _fit_areas(series: SeriesData, ev: Evaluation) -> BeforeAfter:
    main = did.fit(series, **ev.options_for(did.fit))
    treated = [str(u).strip() for u in ev["treated_units"]]
    charts = spc.fit(series, **ev.options_for(spc.fit), units=treated)
    outputs = activity(series.frame, ev.get("output_columns") or (), _starts(ev, treated), freq=series.freq,
                       outcome=series.outcome_label)
    buffers = tuple(str(u).strip() for u in (ev.get("buffer_units") or ()))
    return BeforeAfter(analysis="areas", main=main, spc=charts, outputs=outputs, buffer_units=buffers,
                       freq=series.freq)


#: analysis name -> function(series, evaluation) that fits it.
ANALYSES: dict[str, Callable[[SeriesData, Evaluation], BeforeAfter]] = {
    "single": _fit_single, "areas": _fit_areas,
}


def analyse(series: SeriesData, ev: Evaluation) -> BeforeAfter:
    """Fit the analysis the spec calls for (see :func:`analysis_for`).

    Parameters
    ----------
    series
        The data as :func:`load` returned it.
    ev
        The evaluation's parameters.
    """
    kind = analysis_for(ev)
    _CHECKS[kind](series, ev)
    return ANALYSES[kind](series, ev)
