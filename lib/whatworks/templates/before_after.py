"""The ``before-after`` template: one series, or treated areas against comparison areas.

Its notebook makes the three calls every template makes::

    ev = ww.evaluation(globals())
    inputs = ww.before_after.load(ev)          # read once, every check
    result = ww.before_after.analyse(inputs, ev)
    ...                                        # sections
    ww.emit(ev, result)

The spec chooses the analysis (:func:`analysis_for`):

- without ``unit_column``: an interrupted time series of one series
  (:mod:`whatworks.designs.its`), with one SPC chart (limits from the
  periods before the change, extended past it);
- with ``unit_column`` and ``treated_units``: difference-in-differences of
  the treated against the comparison units (:mod:`whatworks.designs.did`),
  with an event study, a placebo in time, displacement to ``buffer_units``
  and one SPC chart per treated unit (``spc: all`` charts every unit,
  ``spc: none`` none; more than 12 are drawn as one grid).

Each analysis reads its options once, as a frozen :class:`~whatworks.options.Options`;
a key the chosen analysis would ignore is refused (``seasonality`` with
comparison areas), so nothing is dropped silently. ``output_columns`` are
shown as activity, apart from the outcome. A section of the report that
does not apply to the analysis returns ``None`` and shows nothing.

Examples
--------
>>> from whatworks.evaluation import Evaluation
>>> analysis_for(Evaluation({"unit_column": None, "treated_units": []}))
'single'
>>> analysis_for(Evaluation({"unit_column": "site", "treated_units": ["Site 01"]}))
'areas'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from .. import data, dates, text
from ..data import SeriesData
from ..designs import did, its, spc
from ..designs.its.inputs import locate
from ..display import Heading, Notes, Prose, Section, Table
from ..errors import SpecError
from ..evaluation import Evaluation
from ..handover import reads_once
from ..options import Options, given
from ..results import Result
from ..value import CostBenefit, default_deflator
from .activity import Activity, EffortOptions, activity, effort_columns, officer_hours, value_for_money, value_section
from .catalogue import COMMON_KEYS, registry

__all__ = ["BeforeAfter", "Inputs", "analyse", "analysis_for", "load", "ANALYSES", "LoadOptions",
           "SeriesOptions", "AreasOptions", "SPCOptions"]

_UNIT_KEYS = ("treated_units", "comparison_units", "buffer_units")
_PER = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year",
        "financial_quarter": "quarter", "financial_year": "financial year"}


# -- options ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LoadOptions(Options):
    """How the export is read into a tidy series (every analysis)."""

    ANALYSIS: ClassVar[str] = "reading the data"

    data: str = ""
    sheet: str | None = None
    date_column: Any = None
    date_format: str | None = None
    outcome_column: str | None = None
    outcome_label: str | None = None
    aggregate: str | None = None
    outcome_type: str = "count"
    denominator_column: str | None = None
    exposure_column: str | None = None
    breakdown_column: str | None = None
    unit_column: str | None = None
    output_columns: tuple[str, ...] | list[str] = ()
    fill_missing: str | None = None
    exclude_periods: Any = ()
    report_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class SPCOptions(Options):
    """The SPC charts (every analysis draws them unless ``spc: none``)."""

    ANALYSIS: ClassVar[str] = "the SPC charts"

    intervention_date: Any = None
    spc_rules: str = "nhs"
    spc_screen_outliers: bool = True
    improvement: str = "decrease"
    spc: str = "treated"
    spc_rebase: str = "none"
    spc_baseline: Any = None
    target: float | None = None
    outcome_type: str = "count"
    denominator_column: str | None = None

    def fit_args(self, treated: list[str] | None = None) -> dict[str, Any]:
        """The keyword arguments of ``spc.fit``: ``spc`` chooses the units
        charted (``none``, the ``treated`` units, or ``all``)."""
        out = self.used()
        which = out.pop("spc")
        if which not in ("none", "treated", "all"):
            raise SpecError(f"'{which}' is not a known choice", key="spc", hint="Use one of: none, treated, all.")
        if which == "none":
            out["units"] = []
        elif which == "treated" and treated is not None:
            out["units"] = treated
        return out


@dataclass(frozen=True, kw_only=True)
class SeriesOptions(Options):
    """The interrupted time series of one series (the keyword arguments of ``its.fit``)."""

    ANALYSIS: ClassVar[str] = "the interrupted time series of one series"
    WHY: ClassVar[Mapping[str, str]] = {
        "seed": "the interrupted time series draws no random numbers",
        "n_boot": "the interrupted time series has no bootstrap (its intervals come from the model)",
        "comparison_rationale": "it describes comparison areas, which need unit_column and treated_units",
        "unit_label": "it names the areas compared, which need unit_column and treated_units; a single series "
                      "has no areas to name",
        "weight_column": "weights make each comparison area count in proportion to its population, and a single "
                         "series has no areas to weigh (give unit_column and treated_units to compare areas)",
    }

    intervention_date: Any = None
    intervention_end: Any = None
    outcome_type: str = "count"
    seasonality: str = "auto"
    fourier_pairs: int = 2
    overdispersion: str = "quasipoisson"
    slope_change: bool = True
    improvement: str = "decrease"
    transition: str = "exclude"
    autocorrelation: str = "ar1"


@dataclass(frozen=True, kw_only=True)
class AreasOptions(Options):
    """Treated against comparison areas (the keyword arguments of ``did.fit_panel``, and the units)."""

    ANALYSIS: ClassVar[str] = "the comparison-areas (difference-in-differences) analysis"
    WHY: ClassVar[Mapping[str, str]] = {
        "seasonality": "the comparison areas share the seasons, so the period effects already allow for season",
        "fourier_pairs": "the comparison areas share the seasons, so the period effects already allow for season",
        "overdispersion": "its intervals allow for extra variation through the areas themselves "
                          "(cluster-robust, bootstrap or placebo intervals)",
        "slope_change": "it estimates the average change after the start; the event study shows how it builds up",
        "intervention_end": "it does not model an end date; end the data at the last period of the intervention",
        "breakdown_column": "compare areas for one category at a time: filter the export instead",
        "transition": "it is for a single series; with comparison areas give start dates on the first day of "
                      "a period",
        "autocorrelation": "its intervals come from the areas (cluster-robust, bootstrap or placebo), which "
                           "allow for autocorrelation within an area",
    }

    treated_units: tuple[str, ...] | list[str] = ()
    intervention_date: Any = None
    comparison_units: tuple[str, ...] | list[str] | None = None
    buffer_units: tuple[str, ...] | list[str] | None = None
    comparison_rationale: str | None = None
    outcome_type: str = "count"
    improvement: str = "decrease"
    seed: int = 20240401
    n_boot: int = 999
    unit_label: str = "area"
    weight_column: str | None = None

    @property
    def places(self) -> did.Places:
        """The areas in words (``unit_label``; blank means ``area``)."""
        return did.Places(str(self.unit_label or "").strip() or "area")

    def fit_args(self) -> dict[str, Any]:
        """The keyword arguments of ``did.fit_panel`` (the units and the weights went into the panel)."""
        return {"comparison_rationale": self.comparison_rationale, "improvement": self.improvement,
                "seed": self.seed, "n_boot": self.n_boot, "unit_label": self.places.unit}


#: The keys every template reads for the report's header and publication.
_HEADER = tuple(k for k in COMMON_KEYS if k not in ("template", "output")) + ("disclosure",)


def analysis_for(ev: Evaluation) -> str:
    """``"single"`` (one series) or ``"areas"`` (treated against comparison units).

    Raises
    ------
    SpecError
        Unit lists without ``unit_column``, or ``unit_column`` without
        ``treated_units``.
    """
    if given(ev.get("unit_column")):
        if not given(ev.get("treated_units")):
            raise SpecError("is needed with unit_column", key="treated_units",
                            hint="List the areas that received the intervention, e.g. treated_units: [Site 01].")
        if given(ev.get("breakdown_column")):
            raise SpecError("cannot be combined with unit_column", key="breakdown_column",
                            hint="Compare areas for one category at a time: filter the export, or remove "
                                 "breakdown_column.")
        return "areas"
    named = [k for k in _UNIT_KEYS if given(ev.get(k))]
    if named:
        raise SpecError(f"{named[0]} is set but unit_column is not", key="unit_column",
                        hint="Name the column holding the area or site of each row, e.g. unit_column: site.")
    if isinstance(ev.get("intervention_date"), Mapping):
        raise SpecError("a start date per unit needs unit_column and treated_units", key="intervention_date",
                        hint="Give one date (YYYY-MM-DD) for a single series.")
    return "single"


@dataclass(frozen=True)
class Inputs:
    """Everything :func:`analyse` needs, read and checked once by :func:`load`.

    Attributes
    ----------
    analysis
        ``single`` or ``areas``.
    series
        The tidy series (one row per period, or per unit and period).
    reading
        How the export was read.
    model
        The options of the chosen analysis, with its dates read (once).
    spc
        The options of the SPC charts.
    panel
        For comparison areas: the unit-by-period panel, built once.
    effort
        Officer time and its prices (no effort keys: no cost).
    used
        Every spec key this evaluation uses (the report's "Parameters used").
    """

    analysis: str
    series: SeriesData
    reading: LoadOptions
    model: SeriesOptions | AreasOptions
    spc: SPCOptions
    panel: did.Panel | None = None
    used: tuple[str, ...] = ()
    effort: EffortOptions = EffortOptions()

    @property
    def frame(self) -> pd.DataFrame:
        return self.series.frame

    @property
    def freq(self) -> str:
        return self.series.freq


_MODEL: dict[str, type[SeriesOptions] | type[AreasOptions]] = {"single": SeriesOptions, "areas": AreasOptions}


def _defaults() -> dict[str, Any]:
    return {p.name: p.spec_default for p in registry().get("before-after").parameters}


@reads_once
def load(ev: Evaluation) -> Inputs:
    """Read the data and check every input, without fitting (what ``whatworks validate`` runs).

    Raises
    ------
    DataError, SpecError
        Naming the file, column, key or units, and the fix; a key that the
        chosen analysis ignores is refused, naming the analysis and why.
    """
    kind = analysis_for(ev)
    defaults = _defaults()
    model_cls = _MODEL[kind]
    everything = _HEADER + LoadOptions.keys() + SPCOptions.keys() + model_cls.keys() + EffortOptions.keys()
    model = model_cls.build(ev, defaults=defaults, shared=everything)
    reading = LoadOptions.build(ev, defaults=defaults, shared=everything)
    charts = SPCOptions.build(ev, defaults=defaults, shared=everything)
    effort = EffortOptions.build(ev, defaults=defaults, shared=everything)
    effort.check(reading.outcome_type)
    starts = _read_starts(model)
    model = dataclasses.replace(model, intervention_date=starts)
    charts = dataclasses.replace(charts, intervention_date=starts)
    if isinstance(model, SeriesOptions) and given(model.intervention_end):
        model = dataclasses.replace(model, intervention_end=dates.parse_date(model.intervention_end,
                                                                             key="intervention_end"))
    options = reading.used()
    source = options.pop("data")
    path = ev.path("data")
    if path is not None and not options.get("label"):
        options["label"] = str(source)  # messages name the file as the spec does, relative to its folder
    extra = [c for c in effort_columns(effort) if c not in list(options.get("output_columns") or ())]
    if extra:
        options["output_columns"] = [*list(options.get("output_columns") or ()), *extra]
    if isinstance(model, AreasOptions) and given(model.weight_column):
        options["weight_column"] = model.weight_column
        if effort.wanted:
            raise SpecError("cannot be used with the effort keys (officer time and its value)", key="weight_column",
                            hint="Value for money sets officer time against crimes prevented, which a weighted "
                                 "estimate does not give: remove weight_column, or the effort keys.")
    series = data.load_series(path if path is not None else source, **options)
    _within_data(series, model)
    panel = None
    if isinstance(model, AreasOptions):
        series = _part_periods(series, model)
        panel = did.build_panel(series, model.treated_units, model.intervention_date, model.comparison_units,
                                model.buffer_units, model.outcome_type)
    return Inputs(kind, series, reading, model, charts, panel, tuple(dict.fromkeys(everything)), effort)


def _part_periods(series: data.SeriesData, model: AreasOptions) -> data.SeriesData:
    """Leave out of the fit each treated area's period that its start falls part-way through.

    With comparison areas a start date is given on the first day of a period; a
    weekly series added up to months (``report_by``) may not start on the 1st,
    and the month it began in is then neither before nor after (as
    ``transition: exclude`` does for a single series).
    """
    if series.freq not in data.REPORT_BY:
        return series
    value = model.intervention_date
    starts = dict(value) if isinstance(value, Mapping) else {str(u).strip(): value for u in model.treated_units}
    frame = series.frame.copy()
    left_out = []
    for unit, start in starts.items():
        start = pd.Timestamp(start).normalize()
        first = dates.floor(pd.Series([start]), series.freq).iloc[0]
        if first == start:
            continue
        hit = (frame["unit"].astype(str) == unit) & (frame["period"] == first)
        if hit.any():
            frame.loc[hit, "excluded"] = True
            left_out.append(f"{unit} ({dates.period_words(first, series.freq)})")
    if not left_out:
        return series
    note = (f"An area's {dates.FREQS[series.freq].word} in which its start date falls part-way is neither "
            "before nor after, so it is left out of the fit: " + ", ".join(left_out) + ".")
    return dataclasses.replace(series, frame=frame, notes=(*series.notes, note))


def _within_data(series: data.SeriesData, model: SeriesOptions | AreasOptions) -> None:
    """Refuse, before any fitting, a start date outside the data, as the analysis would."""
    if isinstance(model, AreasOptions):
        return  # comparison areas: the panel, built next, refuses each area's start in its own words
    periods = pd.DataFrame({"period": pd.DatetimeIndex(series.frame["period"]).unique().sort_values()})
    value = model.intervention_date
    starts = value.values() if isinstance(value, Mapping) else [value]
    for start in starts:
        locate(periods, series.freq, pd.Timestamp(start).normalize(), "intervention_date", series.source)


def _read_starts(model: SeriesOptions | AreasOptions) -> Any:
    """The start date, or each treated unit's, read once."""
    value = model.intervention_date
    if isinstance(value, Mapping):
        return {str(u).strip(): dates.parse_date(d, key=f"intervention_date: {u}") for u, d in value.items()}
    return dates.parse_date(value, key="intervention_date")


def _starts(inputs: Inputs) -> dict[str | None, pd.Timestamp]:
    """Each group's start date, for the activity section."""
    value = inputs.model.intervention_date
    if inputs.panel is None:
        return {None: value}
    if isinstance(value, Mapping):
        return dict(value)
    assert isinstance(inputs.model, AreasOptions)  # a panel is built only for comparison areas
    return {str(u).strip(): value for u in inputs.model.treated_units}


# -- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BeforeAfter(Result):
    """A before-after evaluation: the main result's estimates and checks, its SPC charts and activity.

    The estimates, checks, evidence, summary and notes are the main
    analysis's (with the SPC charts' notes added); the sections below are
    the report's, in order.

    Attributes
    ----------
    analysis
        ``single`` or ``areas`` (see :func:`analysis_for`).
    main
        The :class:`~whatworks.designs.its.ITSResult` or
        :class:`~whatworks.designs.did.DiDResult`.
    charts
        XmR charts: one for a single series, one per treated unit.
    outputs
        Activity (``output_columns``), or ``None``.
    value
        Officer time against the crimes prevented
        (:class:`~whatworks.value.CostBenefit`), or ``None`` without effort
        keys or an estimate of crimes prevented.
    effort_given
        Whether the spec gave effort keys.
    costable
        Whether officer time could be costed (a count outcome): otherwise no value-for-money section.
    buffer_units
        The buffer units named in the spec.
    """

    analysis: str
    main: its.ITSResult | did.DiDResult
    charts: spc.SPCResult
    outputs: Activity | None = None
    buffer_units: tuple[str, ...] = ()
    freq: str = "week"
    value: CostBenefit | None = None
    effort_given: bool = False
    effort_spent: tuple[float | None, float | None, str | None] = (None, None, None)
    costable: bool = True

    @property
    def areas(self) -> bool:
        return self.analysis == "areas"

    @property
    def places(self) -> did.Places:
        """The areas in words, from ``unit_label``."""
        if not isinstance(self.main, did.DiDResult):
            return did.Places()
        return did.Places(self.main.unit_label, self.main.n_treated)

    @property
    def _where(self) -> str:
        """Where it ran: ``sites where it ran``, or ``street where it ran`` for one."""
        return self.places.treated

    # -- sections, in report order ------------------------------------------------
    def what_happened(self) -> Section:
        """The main chart(s) with a paragraph saying how to read them."""
        if not self.areas:
            assert isinstance(self.main, its.ITSResult)  # a single series is fitted by its
            return Section(
                Prose(["The dots are the recorded figures. The solid line is the model's fit; the dashed line is "
                       "what the model expects would have happened without the change, with its 95% confidence "
                       "band."]),
                self.main.plot(), its.plot_forest(self.main))
        assert isinstance(self.main, did.DiDResult)  # comparison areas are fitted by did
        per = _PER.get(self.freq, "period")
        p = self.places
        return Section(
            Prose([f"Each line is the average {self.main.outcome_label} a {per} across a group of {p.units}, "
                   f"indexed so that its average before the start is 100. The {p.comparison} show what would "
                   f"have been expected at the {self._where} without the intervention: lines that move together "
                   "before the start and apart after it point to an effect. Dashed lines mark the start dates."
                   + (f" Each group's average is weighted by {self.main.weighted_by}, as the estimates are."
                      if self.main.weighted_by else "")]),
            self.main.plot())

    def plot(self) -> Section:
        """The main chart: what happened (see :meth:`what_happened`)."""
        return self.what_happened()

    def table(self) -> Table | Section:
        """The estimates, with a sentence on how to read a rate ratio for comparisons of areas."""
        if not self.areas:
            return self.main.table()
        head = self.main.headline
        p = self.places
        how = (f"A rate ratio below 1 means fewer than expected from the {p.comparison} (0.80 is 20% fewer), "
               "above 1 more." if head is not None and head.scale == "ratio" else
               f"A difference below 0 means lower than expected from the {p.comparison}, above 0 higher.")
        counts = (" Crimes prevented, and the parts of the total net effect, are numbers of crimes: above 0 means "
                  f"fewer than the trend at the {p.comparison} suggests, below 0 more."
                  if any(e.unit == "crimes" for e in self.main.estimates) else "")
        return Section(Prose([how + " The first row is the main result; the others are checks on it or the same "
                                    "result measured another way." + counts]),
                       self.main.table())

    def event_study(self) -> Section | None:
        """Leads and lags around the start, with the caveat on parallel trends."""
        if not self.areas:
            return None
        assert isinstance(self.main, did.DiDResult)  # comparison areas are fitted by did
        per = _PER.get(self.freq, "period")
        null = "1" if self.main.family == "poisson" else "0"
        return Section(
            Heading("Before and after the start, step by step (event study)"),
            Prose([f"Each point compares the {self._where} with the {self.places.comparison} in a group of {per}s "
                   f"before (grey) or after (blue) the start, with its 95% interval. If they moved together before "
                   f"the start, the grey points sit near {null}; the blue points show how the difference built up.",
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
        p = self.places
        if not self.buffer_units:
            return Section(Heading("Displacement and diffusion"), Prose([
                f"Displacement was not assessed: no {p.buffer} (next to the {self._where}) were named in the "
                "spec (buffer_units), so the report cannot say whether crime moved next door."]))
        assert isinstance(self.main, did.DiDResult)  # comparison areas are fitted by did
        names = ", ".join(self.buffer_units)
        paragraphs = [
            "Crime prevented in one place can move next door (displacement), or the benefits can spread to "
            f"nearby places (diffusion of benefits). The {p.buffer} ({names}) are next to the {self._where}; "
            f"their change is measured against the {p.comparison} in the same way.",
            self.main.displacement,
            *did.net_effect_words(self.main.estimates, p),
            f"The weighted displacement quotient (WDQ; Bowers and Johnson, 2003) sets the change at the {p.buffer} "
            f"against the change at the {self._where}, both relative to the {p.comparison}, and is read only when "
            "the operation worked (the success measure below 0). Then above 0 means benefits spread to the "
            f"{p.buffer}, above 1 that the diffusion was larger than the direct effect; between 0 and -1 that "
            "some crime moved there, but less than was prevented; below -1 that more moved than was prevented. "
            f"It has no interval, so read it alongside the estimate for the {p.buffer}.",
            self.main.wdq_reading,
        ]
        return Section(Heading("Displacement and diffusion"), Prose(paragraphs))

    def activity(self) -> Section | None:
        """Outputs (deployments, stops, arrests) as activity, not evidence of impact."""
        return None if self.outputs is None else self.outputs.section()

    def value_for_money(self) -> Section | None:
        """Officer hours, their cost and the value of the crimes prevented, or what keys would add them.

        Nothing for an outcome that is not a count: officer time is costed against crimes prevented.
        """
        if not self.costable:
            return None
        return value_section(self.value, self.effort_given, *self.effort_spent)

    @property
    def method_notes(self) -> Notes:
        return Notes(self.notes)

    def extra(self) -> dict[str, Any]:
        """Keys for ``results.json`` beside the estimates: the main analysis's own, and ``spc``."""
        out = {**self.main.extra(), "spc": self.charts.to_spc_dict()}
        if self.value is not None:
            out["value_for_money"] = self.value.to_dict()
        return out


def _assemble(inputs: Inputs, main: its.ITSResult | did.DiDResult, charts: spc.SPCResult,
              buffers: tuple[str, ...] = ()) -> BeforeAfter:
    unit = inputs.model.places.unit if isinstance(inputs.model, AreasOptions) else "area"
    outputs = activity(inputs.frame, list(inputs.reading.output_columns or ()), _starts(inputs), freq=inputs.freq,
                       outcome=inputs.series.outcome_label, unit_label=unit)
    estimates, money = list(main.estimates), None
    spent: tuple[float | None, float | None, str | None] = (None, None, None)
    if inputs.effort.wanted:
        hours = officer_hours(inputs.frame, inputs.effort, _starts(inputs), inputs.freq)
        year = inputs.effort.report_year()
        spent = (hours, hours * inputs.effort.hourly().at(year, default_deflator()), year)
        money = value_for_money(estimates, hours, inputs.effort)
        if money is not None:
            estimates += money.estimates()
    return BeforeAfter(
        estimates=tuple(estimates), checks=main.checks, evidence=main.evidence,
        summary_text=_with_cost(main.summary_text, money, spent),
        notes=inputs.series.notes + main.notes + charts.notes,
        period_start=main.period_start, period_end=main.period_end,
        analysis=inputs.analysis, main=main, charts=charts, outputs=outputs, buffer_units=buffers,
        freq=inputs.freq, value=money, effort_given=inputs.effort.wanted, effort_spent=spent,
        costable=inputs.reading.outcome_type == "count",
    )


def _with_cost(summary: tuple[str, ...], money: CostBenefit | None,
               spent: tuple[float | None, float | None, str | None]) -> tuple[str, ...]:
    """The summary with the officer time, its cost and the board sentence after its opening paragraph."""
    hours, cost, _ = spent
    if money is None or hours is None or cost is None:
        return summary
    # the board sentence ends with the price year, so it is not said twice
    line = (f"The operation took {text.fmt_number(hours, 0)} officer hours after the start, costing "
            f"{text.fmt_gbp(cost)}. {money.words()}")
    return (*summary[:1], line, *summary[1:])


def _spc_series(inputs: Inputs) -> SeriesData:
    """The series the SPC charts show: a weekly count added up to months (``report_by``, no
    exposure column) is charted as the average a week in each month, so a month of five weeks
    is not a signal."""
    series = inputs.series
    if series.added_up_from is None or given(inputs.reading.exposure_column) or "exposure" not in series.frame:
        return series
    frame = series.frame.assign(outcome=series.frame["outcome"] / series.frame["exposure"])
    return dataclasses.replace(series, frame=frame.drop(columns=["exposure"]),
                               outcome_label=f"{series.outcome_label} a {series.added_up_from}")


def _fit_single(inputs: Inputs) -> BeforeAfter:
    main = its.fit(inputs.series, **inputs.model.used())
    charts = spc.fit(_spc_series(inputs), **inputs.spc.fit_args())
    return _assemble(inputs, main, charts)


def _fit_areas(inputs: Inputs) -> BeforeAfter:
    model = inputs.model
    assert isinstance(model, AreasOptions) and inputs.panel is not None
    main = did.fit_panel(inputs.panel, **model.fit_args())
    treated = [str(u).strip() for u in model.treated_units]
    charts = spc.fit(_spc_series(inputs), **inputs.spc.fit_args(treated))
    buffers = tuple(str(u).strip() for u in (model.buffer_units or ()))
    return _assemble(inputs, main, charts, buffers)


#: analysis name -> function(inputs) that fits it.
ANALYSES: dict[str, Callable[[Inputs], BeforeAfter]] = {"single": _fit_single, "areas": _fit_areas}


def analyse(inputs: Inputs, ev: Evaluation | None = None) -> BeforeAfter:
    """Fit the analysis the spec calls for, on the inputs :func:`load` read and checked.

    Parameters
    ----------
    inputs
        What :func:`load` returned.
    ev
        The evaluation (unused here: every option was read by :func:`load`;
        accepted so every template's ``analyse`` is called the same way).
    """
    return ANALYSES[inputs.analysis](inputs)

