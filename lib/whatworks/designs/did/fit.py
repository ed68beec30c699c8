"""Difference-in-differences across areas: the effect, event study, placebos, displacement.

:func:`fit` compares the change at treated units (areas, sites) with the
change at comparison units over the same periods. Counts are modelled with
Poisson unit and period fixed effects (a rate ratio); continuous outcomes
with linear two-way fixed effects (a difference). When treated units start
on different dates the imputation estimator of Borusyak, Jaravel and Spiess
(2024) replaces the plain two-way estimator, which is biased when effects
differ by cohort or grow over time. With one treated unit, its change is
measured against the period effects fitted on the comparison units, and
each comparison unit's change against the same effects is a placebo.

Inference follows the number of treated units: cluster-robust (CR1, t(G-1))
with 21 or more, a restricted wild cluster bootstrap with jackknife
variances and Webb weights with 2 to 20, placebo in space with one (see
:mod:`.inference`).

Examples
--------
>>> from whatworks.simulate.did import hotspot
>>> series, truth = hotspot(7, n_comparison=9)
>>> res = fit(series, treated_units=["Hotspot"], intervention_date=truth["intervention_date"],
...           comparison_rationale="Streets with similar crime in 2022.")
>>> res.headline.name, res.regime, res.evidence.sms_level
('did', 'placebo', 3)
>>> res.check("coarse_interval").status
'warn'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ... import dates, text
from ...data import SeriesData
from ...errors import SpecError
from ...results import Check, Estimate
from .checks import AREAS, Places, coarse_cohort_check, design_checks, evidence_level, pretrend_doubt
from .inference import WILD_MAX, Analysis, Inference, analyse, headline, joint_p
from .model import (
    Stat,
    cohort_leads,
    design_rows,
    estimator_for,
    event_bins,
    event_stats,
    pretrend_stats,
    role_totals,
    wdq,
)
from .panel import Panel, build_panel, effective_units
from .prevented import bootstrap_guide, guide_estimates, observed_after, prevented_from_ratio
from .result import DiDResult
from .words import displacement_words, method_notes, summary_lines, wdq_words, weighted_notes, weighted_summary

__all__ = ["fit"]

_IMPROVEMENTS = ("decrease", "increase")


def _check_options(improvement: str, n_boot: int, event_window: Sequence[int] | None) -> tuple[int, int] | None:
    if improvement not in _IMPROVEMENTS:
        raise SpecError(f"'{improvement}' is not a direction", key="improvement",
                        hint="Use 'decrease' (fewer is better) or 'increase'.")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 99:
        raise SpecError("should be a whole number of at least 99", key="n_boot",
                        hint="Use 999 (the default) or more.")
    if event_window is None:
        return None
    try:
        lead, lag = (int(v) for v in event_window)
    except (TypeError, ValueError):
        raise SpecError("should be two whole numbers of periods, e.g. [-26, 52]", key="event_window",
                        hint="Give how many periods before and after the start to show.") from None
    if lag < 0 or lead == 0:
        raise SpecError("should reach before and after the start, e.g. [-26, 52]", key="event_window",
                        hint="Give a negative number of periods before and a positive number after.")
    return lead, lag


def _event_study(panel: Panel, window: Sequence[int] | None, seed: int,
                 n_boot: int) -> list[dict[str, Any]]:
    """Event-study bins with intervals."""
    rows, start = design_rows(panel)
    leads, lags = event_bins(start, panel.n_periods, rows.size, window)
    weights = panel.row_weights(rows)

    def runner(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, st: np.ndarray,
               influence: bool) -> dict[str, Stat]:
        return event_stats(y, offset, mask, st, panel.family, leads, lags, weights=weights)

    out = analyse(panel, rows, start, runner, seed=seed, n_boot=n_boot)
    bins: list[dict[str, Any]] = []
    for kind, group in (("lead", leads), ("lag", lags)):
        for lo, hi in group:
            inf = out.inference.get(f"{kind}:{lo}:{hi}")
            if inf is not None:
                bins.append({"kind": kind, "from": lo, "to": hi, "inference": inf})
    return bins


def _pretrend(panel: Panel, window: Sequence[int] | None, seed: int,
              n_boot: int) -> tuple[float | None, int, list[int]]:
    """The pooled pre-trend test: each cohort's bins before its own start, tested jointly.

    Returns the joint p-value (``None`` when no cohort has the periods to
    test), the number of bins, and the start columns of the cohorts covered.
    """
    rows, start = design_rows(panel)
    treated = start[start < panel.n_periods]
    lone = [c for c in set(treated.tolist()) if np.sum(treated == c) == 1] if treated.size > 1 else []
    # a cohort of one unit among several carries all the weight of its own bins (leverage 1), so
    # neither the cluster-robust nor the bootstrap test can judge them: it is left out
    leads = cohort_leads(np.where(np.isin(start, lone), panel.n_periods, start), panel.n_periods, rows.size,
                         window)

    weights = panel.row_weights(rows)

    def runner(y: np.ndarray, offset: np.ndarray, mask: np.ndarray, st: np.ndarray,
               influence: bool) -> dict[str, Stat]:
        return pretrend_stats(y, offset, mask, st, panel.family, leads, weights=weights)

    if not leads:
        return None, 0, []
    out = analyse(panel, rows, start, runner, seed=seed, n_boot=n_boot)
    smallest = min(int(np.sum(start == c)) for c in leads)
    if out.regime == "cluster" and smallest <= WILD_MAX:
        # each cohort's bins rest on that cohort's units alone: with 20 or fewer of them CR1
        # rejects too often (about 12% at three cohorts of eight), so the wild bootstrap tests them
        out = dataclasses.replace(out, regime="wild")
    names = [f"lead:{c}:{lo}:{hi}" for c, group in leads.items() for lo, hi in group
             if f"lead:{c}:{lo}:{hi}" in out.stats]
    covered = sorted({int(n.split(":")[1]) for n in names})
    p = joint_p(out, names, rows.size, seed=seed, n_boot=n_boot)
    return p, len(names), covered if p is not None else []


def _placebo_in_time(panel: Panel, seed: int, n_boot: int) -> tuple[Inference | None, list[tuple[int, int]]]:
    """The same model on data before each cohort's start, with a fake start at its midpoint.

    Cohorts with at least four periods before their start take part, each
    with its fake start halfway through its own baseline; the data end at
    the latest real start taken part, and each treated unit's periods from
    its real start on are left out, so no treated period enters. Returns
    the pooled placebo and the (fake start, real start) columns of the
    cohorts covered.
    """
    treated = panel.index("treated")
    cohorts = sorted({int(panel.start[i]) for i in treated if panel.start[i] >= 4})
    if not cohorts:
        return None, []
    last = max(cohorts)
    roles = tuple("unused" if r == "treated" and int(panel.start[i]) not in cohorts else r
                  for i, r in enumerate(panel.roles))
    cols = np.arange(last)[None, :]
    before = cols < panel.start[:, None]
    cut = dataclasses.replace(
        panel, periods=panel.periods[:last], y=np.where(before, panel.y[:, :last], np.nan),
        offset=panel.offset[:, :last], mask=panel.mask[:, :last] & before, roles=roles,
        start=np.where(panel.start < panel.n_periods, panel.start // 2, last),
    )
    out = headline(cut, seed=seed, n_boot=n_boot)
    return out["did"], [(c // 2, c) for c in cohorts]


def _displacement(panel: Panel, seed: int, n_boot: int) -> Analysis | None:
    """Buffer units against comparison units, from the first start, by the same model."""
    buffers = panel.index("buffer")
    if buffers.size == 0:
        return None
    first = int(panel.start[panel.index("treated")].min())
    roles = tuple({"buffer": "treated", "treated": "unused"}.get(r, r) for r in panel.roles)
    start = np.where(np.isin(np.arange(len(panel.units)), buffers), first, panel.n_periods)
    return headline(dataclasses.replace(panel, roles=roles, start=start), seed=seed, n_boot=n_boot)


def _cohorts(panel: Panel, seed: int, n_boot: int) -> dict[int, Analysis]:
    """Each cohort (units sharing a start) against the comparison units alone."""
    treated = panel.index("treated")
    out: dict[int, Analysis] = {}
    for col in sorted({int(panel.start[i]) for i in treated}):
        roles = tuple("unused" if r == "treated" and panel.start[i] != col else r
                      for i, r in enumerate(panel.roles))
        out[col] = headline(dataclasses.replace(panel, roles=roles), seed=seed, n_boot=n_boot)
    return out


def fit(series: SeriesData, *, treated_units: Sequence[str], intervention_date: object,
        comparison_units: Sequence[str] | None = None, buffer_units: Sequence[str] | None = None,
        comparison_rationale: str | None = None, outcome_type: str = "count",
        improvement: str = "decrease", seed: int = 20240401, n_boot: int = 999,
        event_window: Sequence[int] | None = None, unit_label: str = "area") -> DiDResult:
    """Difference-in-differences of treated against comparison units.

    Parameters
    ----------
    series
        A panel: columns ``period``, ``unit``, ``outcome`` and optionally
        ``exposure`` (log offset for counts) and ``excluded`` (left out of
        fits). Other columns (activity measures) are not used.
    treated_units
        Units that received the intervention.
    intervention_date
        One start date for all treated units, or a mapping from each
        treated unit to its own start (staggered starts).
    comparison_units
        Units that did not; by default every unit that is neither treated
        nor a buffer.
    buffer_units
        Units next to treated ones, used to look for displacement.
    comparison_rationale
        How and when the comparison units were chosen; needed for Maryland
        level 3.
    outcome_type
        ``count`` (rate ratio, Poisson) or ``continuous`` (difference).
    improvement
        ``decrease`` or ``increase``: which direction is hoped for.
    seed, n_boot
        Random seed and number of draws for the wild cluster bootstrap.
    event_window
        ``[before, after]`` periods around the start for the event study,
        e.g. ``[-26, 52]``; all periods by default.
    unit_label
        What one unit is called in the report ("site", "beat", "ward"), for
        its sentences, tables and charts.

    Returns
    -------
    DiDResult
        Estimates ``did`` (headline), per-cohort ``did.<date>`` when starts
        are staggered, ``did_twfe`` (for comparison, staggered only),
        ``placebo_in_time``, ``buffer_did`` and ``wdq`` (with buffers).

    Notes
    -----
    A ``weight`` column in ``series`` (one weight per unit, such as its
    population; see :func:`whatworks.data.load_series`' ``weight_column``)
    weights every fit: each unit counts in proportion to its weight, so the
    estimate is the population-weighted average effect. Crimes prevented
    are then not given (they count crimes), and buffer units and a start
    date with one treated unit alone are refused.
    """
    window = _check_options(improvement, n_boot, event_window)
    panel = build_panel(series, treated_units, intervention_date, comparison_units, buffer_units,
                        outcome_type)
    return fit_panel(panel, comparison_rationale=comparison_rationale, improvement=improvement, seed=seed,
                     n_boot=n_boot, event_window=window, unit_label=unit_label)


def fit_panel(panel: Panel, *, comparison_rationale: str | None = None, improvement: str = "decrease",
              seed: int = 20240401, n_boot: int = 999,
              event_window: Sequence[int] | None = None, unit_label: str = "area") -> DiDResult:
    """Difference-in-differences on a panel already built and checked by :func:`build_panel`.

    The same analysis as :func:`fit`, for a caller (the before-after
    template) that built the panel once while checking its inputs.
    """
    window = _check_options(improvement, n_boot, event_window)
    _, start = design_rows(panel)
    method = estimator_for(start, panel.n_periods)
    main = headline(panel, seed=seed, n_boot=n_boot, method=method)
    staggered = method == "imputation"
    plain = headline(panel, seed=seed, n_boot=n_boot, method="twfe") if staggered else None
    cohorts = _cohorts(panel, seed, n_boot) if staggered else {}
    bins = _event_study(panel, window, seed, n_boot)
    pretrend_p, n_leads, tested = _pretrend(panel, window, seed, n_boot)
    placebo_time, placebo_cols = _placebo_in_time(panel, seed, n_boot)
    buffer = _displacement(panel, seed, n_boot)
    first = int(panel.start[panel.index("treated")].min())
    quotient = None
    guide = None
    if buffer is not None:
        quotient = wdq(*role_totals(panel, "treated", first), *role_totals(panel, "buffer", first),
                       *role_totals(panel, "comparison", first))
        if panel.family == "poisson" and improvement == "decrease":
            guide = bootstrap_guide(panel, first, seed=seed, n_boot=n_boot)
    return _result(
        panel=panel, method=method, main=main, plain=plain, cohorts=cohorts, bins=bins, pretrend_p=pretrend_p,
        n_leads=n_leads, tested=tested, placebo_time=placebo_time, placebo_cols=placebo_cols, buffer=buffer,
        quotient=quotient, rationale=comparison_rationale, improvement=improvement, seed=seed,
        n_boot=n_boot, guide=guide, places=Places(unit_label),
    )


def _estimate(name: str, label: str, inf: Inference, family: str, *, headline: bool = False,
              outcome: str | None = None) -> Estimate:
    """An estimate on the reporting scale: a rate ratio for counts, a difference otherwise.

    A placebo interval that cannot reach 95% carries its real coverage (``ci_level``).
    """
    level = inf.coverage if inf.coverage is not None and abs(inf.coverage - 0.95) > 1e-9 else None
    if family == "poisson":
        f = math.exp
        return Estimate(name=name, label=label, measure="rate ratio", scale="ratio", headline=headline,
                        estimate=f(inf.estimate), se=inf.se,
                        ci_low=None if inf.ci_low is None else f(inf.ci_low),
                        ci_high=None if inf.ci_high is None else f(inf.ci_high),
                        p_value=inf.p_value, outcome=outcome, unit="rate ratio", ci_level=level)
    return Estimate(name=name, label=label, measure="difference", scale="difference", headline=headline,
                    estimate=inf.estimate, se=inf.se, ci_low=inf.ci_low, ci_high=inf.ci_high,
                    p_value=inf.p_value, outcome=outcome, ci_level=level)


def _prevented(panel: Panel, main: Analysis, bins: list[dict[str, Any]], improvement: str,
               places: Places = AREAS) -> list[Estimate]:
    """Crimes prevented at the treated units after their start, and a period in the last event-study bin.

    Only when a decrease is hoped for: positive means fewer than the comparison trend suggests.
    """
    if improvement != "decrease":
        return []
    outcome = panel.outcome_label
    word = dates.FREQS[panel.freq].word
    observed, span = observed_after(panel)
    where = places.treated
    out = [prevented_from_ratio(
        "crimes_prevented", f"Crimes prevented at the {where} after the start, relative to the comparison trend",
        f"crimes prevented over {span} {word}s (expected from the comparison units minus observed)",
        observed, main["did"], outcome=outcome)]
    lags = [b for b in bins if b["kind"] == "lag"]
    if lags:
        last = lags[-1]
        obs, width = observed_after(panel, last["from"], last["to"])
        if width:
            out.append(prevented_from_ratio(
                "crimes_prevented_end", f"Crimes prevented a {word} at the end of the series ({word}s "
                f"{last['from'] + 1} to {last['to'] + 1} after the start)",
                f"crimes prevented per {word}, in the last bin of the event study", obs, last["inference"],
                unit=f"crimes per {word}", per=float(width), outcome=outcome))
    return [e for e in out if e is not None]


def _event_rows(bins: list[dict[str, Any]], family: str) -> tuple[dict[str, Any], ...]:
    """Event-study bins on the reporting scale, for the result."""
    conv = math.exp if family == "poisson" else (lambda v: v)
    event = []
    for b in bins:
        inf = b["inference"]
        event.append({"kind": b["kind"], "from": b["from"], "to": b["to"], "estimate": conv(inf.estimate),
                      "ci_low": None if inf.ci_low is None else conv(inf.ci_low),
                      "ci_high": None if inf.ci_high is None else conv(inf.ci_high), "p_value": inf.p_value})
    return tuple(event)


def _indexed_means(panel: Panel, first: int) -> pd.DataFrame:
    """Each group's mean by period (weighted with the panel's weights), indexed to 100 over the periods
    before column ``first``.

    A count with an exposure is charted as a rate per unit of exposure (a month
    of five weeks is not drawn as a rise)."""
    out: dict[str, Any] = {"period": panel.periods}
    for role in ("treated", "comparison", "buffer"):
        rows = panel.index(role)
        if rows.size == 0:
            continue
        y = np.where(panel.mask[rows], panel.y[rows] / np.exp(panel.offset[rows]), np.nan)
        if panel.weights is None:
            seen = np.isfinite(y).sum(axis=0)  # a period left out for every unit of a group is a gap
            mean = np.where(seen > 0, np.nansum(y, axis=0) / np.maximum(seen, 1), np.nan)
        else:
            w = np.where(np.isfinite(y), panel.weights[rows][:, None], 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.nansum(y * w, axis=0) / w.sum(axis=0)
        base = np.nanmean(mean[:first])
        out[role] = mean / base * 100 if base and np.isfinite(base) else mean
    return pd.DataFrame(out)


def _and(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _cohorts_words(days: Sequence[str]) -> str:
    """``the cohort starting a`` or ``the cohorts starting a and b``."""
    return ("the cohort starting " if len(days) == 1 else "the cohorts starting ") + _and(days)


def _result(*, panel: Panel, method: str, main: Analysis, plain: Analysis | None,
            cohorts: dict[int, Analysis], bins: list[dict[str, Any]], pretrend_p: float | None, n_leads: int,
            tested: list[int], placebo_time: Inference | None, placebo_cols: list[tuple[int, int]],
            buffer: Analysis | None,
            quotient: float | None, rationale: str | None, improvement: str, seed: int,
            n_boot: int, guide: dict[str, tuple[float, float | None, float | None, float | None]] | None = None,
            places: Places = AREAS) -> DiDResult:
    """Assemble the :class:`DiDResult` from the fitted pieces."""
    fam = panel.family
    outcome = panel.outcome_label
    treated = panel.index("treated")
    n_treated = int(treated.size)
    places = dataclasses.replace(places, n_treated=n_treated)
    where = places.treated
    estimates = [_estimate("did", f"{where[:1].upper()}{where[1:]} relative to the {places.comparison}", main["did"],
                           fam, headline=True, outcome=outcome)]
    for col, cohort in cohorts.items():
        date = panel.periods[col].date().isoformat()
        units = [panel.units[i] for i in treated if panel.start[i] == col]
        estimates.append(_estimate(f"did.{date}", f"Cohort starting {text.fmt_date(date)} ({', '.join(units)})",
                                   cohort["did"], fam, outcome=outcome))
    if plain is not None:
        estimates.append(_estimate("did_twfe", "Plain two-way fixed effects (biased under staggered starts)",
                                   plain["did"], fam, outcome=outcome))
    pt = None
    if placebo_time is not None:
        pt = _estimate("placebo_in_time", "Placebo: fake start before the real one", placebo_time, fam,
                       outcome=outcome)
        estimates.append(pt)
    buffer_est = None
    if buffer is not None:
        buffer_est = _estimate("buffer_did", f"Neighbouring {places.units} relative to the {places.comparison}",
                               buffer["did"], fam, outcome=outcome)
        estimates.append(buffer_est)
        estimates.append(Estimate(name="wdq", label="Weighted displacement quotient",
                                  measure="weighted displacement quotient", scale="difference",
                                  estimate=float("nan") if quotient is None else quotient, outcome=outcome))
    # crimes prevented count crimes: a population-weighted ratio does not turn into them
    prevented = (_prevented(panel, main, bins, improvement, places)
                 if fam == "poisson" and panel.weights is None else [])
    estimates += prevented
    guide_est = guide_estimates(guide, outcome=outcome, places=places) if guide is not None else []
    estimates += guide_est
    named = {e.name: e for e in estimates}
    success = named.get("success_measure")
    if success is not None and success.ci_high is not None:
        worked = bool(success.ci_high < 0)
    else:  # no success measure with an interval: the headline's interval in the direction of fewer
        head = estimates[0]
        worked = bool(head.excludes_null()) and head.estimate < head.null_value and improvement == "decrease"
    doubt = pretrend_doubt(pretrend_p)
    evidence = evidence_level(rationale, doubt, tested=pretrend_p is not None, places=places)
    displacement = displacement_words(buffer_est, places)
    cohort_cols = sorted({int(panel.start[i]) for i in treated})
    day = [text.fmt_date(panel.periods[c].date().isoformat()) for c in range(panel.n_periods)]
    pretrend_cover = placebo_cover = ""
    if len(cohort_cols) > 1:
        left = [c for c in cohort_cols if c not in tested]
        pretrend_cover = "covering " + _cohorts_words([day[c] for c in tested]) if tested else ""
        if tested and left:
            pretrend_cover += (f"; not covered, with too few periods before the start or one {places.unit} only: "
                               + _cohorts_words([day[c] for c in left]))
        placebo_cover = "; ".join(f"on {day[f]} for the cohort starting {day[c]}" for f, c in placebo_cols)
        left = [c for c in cohort_cols if c not in {c for _, c in placebo_cols}]
        if placebo_cols and left:
            placebo_cover += ("; not covered, with fewer than four periods before the start: "
                              + _cohorts_words([day[c] for c in left]))
    placebo_date = panel.periods[placebo_cols[0][0]].date().isoformat() if placebo_cols else None
    checks = design_checks(main=main, plain=plain, family=fam, pretrend_p=pretrend_p, n_leads=n_leads,
                           placebo_time=pt, placebo_date=placebo_date, buffer_est=buffer_est, quotient=quotient,
                           n_treated=int(treated.size), displacement=displacement, pretrend_cover=pretrend_cover,
                           placebo_cover=placebo_cover, places=places)
    cohort_check = coarse_cohort_check({panel.periods[col].date(): c for col, c in cohorts.items()}, places)
    if cohort_check is not None:
        checks.append(cohort_check)
    weighted = weighted_summary(panel.weight_label or "weight", places) if panel.weights is not None else ""
    if panel.weights is not None:
        # how the weights were read (a unit's mean, units left out), where a reader of the checks sees it
        eff = effective_units(panel.weights[treated], panel.y[treated], panel.mask[treated], fam)
        checks.append(Check("weights", "info", " ".join([
            weighted,
            f"The weights leave {eff:.1f} {places.units}' worth of data among the {places.treated} (the "
            "effective number), which sets the kind of interval.", *panel.weight_notes])))
    summary = summary_lines(estimates[0], outcome=outcome, evidence=evidence, improvement=improvement,
                            doubt=doubt, regime=main.regime, displacement=displacement,
                            prevented=named.get("crimes_prevented"), net=named.get("crimes_prevented_net"),
                            buffer_part=named.get("net_effect_buffer"), places=places)
    notes = method_notes(method=method, family=fam, regime=main.regime, seed=seed, n_boot=n_boot,
                         cohorts=bool(cohorts), buffer=buffer is not None, prevented=bool(prevented),
                         guide=guide is not None, places=places)
    if panel.weights is not None:
        summary = [*summary, weighted]
        notes += weighted_notes(panel.weight_label or "weight", family=fam, improvement=improvement,
                                places=places)
        notes += panel.weight_notes
    first = int(panel.start[treated].min())
    return DiDResult(
        estimates=tuple(estimates), checks=tuple(checks), evidence=evidence, summary_text=tuple(summary),
        notes=notes, period_start=panel.periods[0].date(),
        period_end=dates.period_end(panel.periods[-1], panel.freq).date(), estimator=method, regime=main.regime,
        n_treated=int(treated.size), n_comparison=int(panel.index("comparison").size),
        n_buffer=int(panel.index("buffer").size), seed=seed, n_boot=n_boot, outcome_label=outcome,
        family=fam, improvement=improvement,
        starts=tuple(panel.periods[int(s)].date().isoformat() for s in panel.start[treated]),
        event_study=_event_rows(bins, fam), pretrend_p=pretrend_p,
        pretrend_cohorts=tuple(panel.periods[c].date().isoformat() for c in tested), wdq=quotient,
        displacement=displacement, series=_indexed_means(panel, first),
        wdq_reading=wdq_words(quotient, worked, places) if buffer is not None else "", unit_label=places.unit,
        weighted_by=panel.weight_label if panel.weights is not None else None,
    )
