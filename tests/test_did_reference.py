"""The comparison-areas estimators against an independent implementation, pyfixest.

Each test fits a seeded staggered panel (:func:`whatworks.simulate.did.servator`:
four sites starting in week 78, one in week 104, twelve comparison sites,
three buffers) with :func:`whatworks.designs.did.fit` and the same numbers
with pyfixest, and asks that the point estimates agree to 1e-6 on the model
scale: a difference for a continuous outcome (least squares), the log rate
ratio for counts (Poisson). The buffer sites enter neither side's main fit.

The continuous outcome is the same weekly count read as ``outcome_type:
continuous``, so ordinary least squares applies; no reweighting or
normalisation is needed on either side for any of the estimates.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from whatworks.designs import did
from whatworks.simulate.did import servator

SEED = 3
TOL = 1e-6
#: Convergence and fixed-effect recovery tolerances asked of pyfixest on the reference side.
PREDICT_TOL = 1e-12
FAMILIES = ("continuous", "count")


def _model_scale(value: float, outcome_type: str) -> float:
    """whatworks reports rate ratios for counts; pyfixest's coefficients are their logs."""
    return math.log(value) if outcome_type == "count" else value


@pytest.fixture(scope="module")
def panel():
    """The simulated panel, and the long frame pyfixest reads (treated and comparison sites only).

    Columns: ``unit``; ``t`` (week number); ``y``; ``g`` (the week the site
    starts, the number of weeks for never); ``treat`` (1 from the start on);
    ``rel`` (weeks since the start, for treated sites).
    """
    series, truth = servator(SEED)
    frame = series.frame
    periods = sorted(frame["period"].unique())
    column = {p: i for i, p in enumerate(periods)}
    starts = {u: column[pd.Timestamp(d)] for u, d in truth["intervention_date"].items()}
    units = truth["treated_units"] + truth["comparison_units"]
    long = frame[frame["unit"].isin(units)].copy()
    long["t"] = long["period"].map(column)
    long["g"] = long["unit"].map(starts).fillna(len(periods)).astype(int)
    long["treat"] = (long["t"] >= long["g"]).astype(float)
    long["rel"] = long["t"] - long["g"]
    long["y"] = long["outcome"]
    return series, truth, long.reset_index(drop=True)


@pytest.fixture(scope="module")
def fits(panel):
    """whatworks' fit of the staggered panel, one per outcome type (the intervals are not compared)."""
    series, truth, _ = panel
    return {kind: did.fit(series, treated_units=truth["treated_units"],
                          intervention_date=truth["intervention_date"],
                          comparison_units=truth["comparison_units"], buffer_units=truth["buffer_units"],
                          outcome_type=kind, n_boot=99)
            for kind in FAMILIES}


def _pyfixest_fit(outcome_type: str):
    return pf.fepois if outcome_type == "count" else pf.feols


def _imputed(long: pd.DataFrame, outcome_type: str) -> np.ndarray:
    """Each cell's untreated counterfactual from pyfixest's fit on the untreated cells alone.

    Least squares: ``feols(y ~ 0 | unit + t)`` on the untreated cells,
    predicted for every cell. Poisson: ``fepois(y ~ 1 | unit + t)`` on the
    untreated cells; its in-sample linear predictor is exactly ``a_unit +
    g_t``, so least squares of it on the same two factors recovers the
    effects and predicts the linear predictor for every cell, which is
    exponentiated. (With no covariates, pyfixest 0.60's ``Fepois.fixef()``,
    which ``predict(newdata=...)`` uses, fits the effects to the counts
    rather than to the linear predictor, so it is not used.)

    Predictions for new cells recover the fixed effects with ``lsqr``, whose
    default stopping tolerances (1e-6) would limit agreement to about 1e-6;
    they are set to ``PREDICT_TOL``.
    """
    untreated = long[long["treat"] == 0].copy()
    if outcome_type == "continuous":
        fit = pf.feols("y ~ 0 | unit + t", data=untreated, fixef_tol=PREDICT_TOL)
        return fit.predict(newdata=long, atol=PREDICT_TOL, btol=PREDICT_TOL)
    poisson = pf.fepois("y ~ 1 | unit + t", data=untreated, iwls_tol=PREDICT_TOL, fixef_tol=PREDICT_TOL)
    untreated["eta"] = np.log(poisson.predict(type="response"))
    recover = pf.feols("eta ~ 0 | unit + t", data=untreated, fixef_tol=PREDICT_TOL)
    return np.exp(recover.predict(newdata=long, atol=PREDICT_TOL, btol=PREDICT_TOL))


def _imputed_effect(long: pd.DataFrame, cells: np.ndarray, imputed: np.ndarray, outcome_type: str) -> float:
    """The imputation estimator's aggregate over ``cells``, as Borusyak, Jaravel and Spiess define it.

    Least squares: the unweighted mean of observed minus imputed (every
    treated cell weighs the same). Poisson: ``log(sum observed / sum
    imputed)``, the rate ratio of the cells taken together.
    """
    y = long["y"].to_numpy()
    if outcome_type == "count":
        return float(np.log(y[cells].sum() / imputed[cells].sum()))
    return float(np.mean(y[cells] - imputed[cells]))


@pytest.mark.parametrize("outcome_type", FAMILIES)
def test_plain_two_way_estimate_equals_pyfixest(panel, fits, outcome_type):
    """``did_twfe`` (reported beside the staggered estimate) is ``y ~ treat | unit + t``."""
    _, _, long = panel
    ref = _pyfixest_fit(outcome_type)("y ~ treat | unit + t", data=long).coef()["treat"]
    got = _model_scale(fits[outcome_type].estimate("did_twfe").estimate, outcome_type)
    assert got == pytest.approx(ref, abs=TOL)


@pytest.mark.parametrize("outcome_type", FAMILIES)
def test_one_start_date_headline_equals_pyfixest(panel, outcome_type):
    """With one start date the headline ``did`` is the plain two-way estimate."""
    series, truth, long = panel
    first = truth["treated_units"][:4]
    res = did.fit(series, treated_units=first, intervention_date=truth["intervention_date"][first[0]],
                  comparison_units=truth["comparison_units"], outcome_type=outcome_type, n_boot=99)
    assert res.estimator == "twfe" and res.n_treated == 4 and res.n_comparison == 12
    one = long[long["unit"].isin(first + truth["comparison_units"])]
    ref = _pyfixest_fit(outcome_type)("y ~ treat | unit + t", data=one).coef()["treat"]
    assert _model_scale(res.estimate("did").estimate, outcome_type) == pytest.approx(ref, abs=TOL)


def test_imputation_estimate_equals_did2s(panel, fits):
    """Gardner's two-stage estimator (``pf.did2s``) has the imputation estimator's point estimate.

    ``did2s`` predicts its first stage with pyfixest's default ``lsqr``
    tolerances, which limit agreement to a few 1e-9 here.
    """
    _, _, long = panel
    assert fits["continuous"].estimator == "imputation"
    ref = pf.did2s(long.copy(), yname="y", first_stage="~ 0 | unit + t", second_stage="~ treat",
                   treatment="treat", cluster="unit").coef()["treat"]
    assert fits["continuous"].estimate("did").estimate == pytest.approx(ref, abs=TOL)


@pytest.mark.parametrize("outcome_type", FAMILIES)
def test_imputation_estimate_equals_pyfixest_counterfactual(panel, fits, outcome_type):
    """The headline ``did`` is the imputed effect over every treated cell.

    pyfixest has no Poisson two-stage estimator, so for counts the
    counterfactual comes from ``pf.fepois`` on the untreated cells (see
    :func:`_imputed`) and the effect is the log ratio of the treated cells'
    observed to imputed totals.
    """
    _, _, long = panel
    cells = long["treat"].to_numpy() == 1
    ref = _imputed_effect(long, cells, _imputed(long, outcome_type), outcome_type)
    got = _model_scale(fits[outcome_type].estimate("did").estimate, outcome_type)
    assert fits[outcome_type].estimator == "imputation"
    assert got == pytest.approx(ref, abs=TOL)


def _bins(res, kind: str) -> list[tuple[int, int, float]]:
    return [(b["from"], b["to"], b["estimate"]) for b in res.event_study if b["kind"] == kind]


def test_event_study_lags_equal_did2s(panel, fits):
    """Each lag bin's effect is the second stage of ``pf.did2s`` on bin indicators.

    The binned weeks since the start (whatworks' bins, read from the result)
    are one indicator per bin, 0 for untreated cells; with no intercept the
    second stage's coefficient on a bin is the mean imputed effect in it.
    """
    _, _, long = panel
    lags = _bins(fits["continuous"], "lag")
    assert lags and lags[0][0] == 0 and lags[-1][1] == long["rel"].max()
    data = long.copy()
    names = []
    for j, (lo, hi, _) in enumerate(lags):
        names.append(f"lag{j}")
        data[names[-1]] = ((data["treat"] == 1) & data["rel"].between(lo, hi)).astype(float)
    coef = pf.did2s(data, yname="y", first_stage="~ 0 | unit + t", second_stage="~ 0 + " + " + ".join(names),
                    treatment="treat", cluster="unit").coef()
    assert [est for *_, est in lags] == pytest.approx([coef[n] for n in names], abs=TOL)


def test_event_study_lags_of_counts_equal_pyfixest_counterfactual(panel, fits):
    """Each lag bin's rate ratio is observed over imputed counts in the bin (``pf.fepois`` counterfactual)."""
    _, _, long = panel
    lags = _bins(fits["count"], "lag")
    imputed = _imputed(long, "count")
    rel, treated = long["rel"].to_numpy(), long["treat"].to_numpy() == 1
    ref = [_imputed_effect(long, treated & (rel >= lo) & (rel <= hi), imputed, "count") for lo, hi, _ in lags]
    assert [math.log(est) for *_, est in lags] == pytest.approx(ref, abs=TOL)


@pytest.mark.parametrize("outcome_type", FAMILIES)
def test_event_study_leads_equal_pyfixest(panel, fits, outcome_type):
    """Lead bins are Borusyak, Jaravel and Spiess's pre-trend test.

    On the untreated cells only, one indicator per lead bin for the treated
    sites' weeks before their start (the weeks before the earliest bin are
    the reference), with site and week effects: ``feols`` or ``fepois``.
    """
    _, _, long = panel
    leads = _bins(fits[outcome_type], "lead")
    assert leads
    data = long[long["treat"] == 0].copy()
    ever = data["g"] < data["t"].max() + 1
    names = []
    for j, (lo, hi, _) in enumerate(leads):
        names.append(f"lead{j}")
        data[names[-1]] = (ever & data["rel"].between(lo, hi)).astype(float)
    coef = _pyfixest_fit(outcome_type)("y ~ " + " + ".join(names) + " | unit + t", data=data).coef()
    got = [_model_scale(est, outcome_type) for *_, est in leads]
    assert got == pytest.approx([coef[n] for n in names], abs=TOL)


@pytest.mark.parametrize("outcome_type", FAMILIES)
def test_weighted_two_way_estimate_and_cluster_se_equal_pyfixest(panel, outcome_type):
    """Population-weighted two-way fixed effects: ``feols``/``fepois(..., weights="w")`` with CRV1 by unit.

    Each site gets a fixed population weight (1,000 to 9,000, seeded); the
    coefficient and its cluster-robust standard error (CR1 with G/(G-1); pyfixest's
    ``ssc(adj=False)``, as its default also counts the week effects in a
    (N-1)/(N-k) factor) agree to 1e-6.
    """
    from whatworks.designs.did.fixed_effects import fit_fe, slope_influence

    _, truth, long = panel
    units = truth["treated_units"] + truth["comparison_units"]
    pop = dict(zip(units, np.random.default_rng(7).integers(1000, 9000, len(units)).astype(float)))
    long = long.assign(w=long["unit"].map(pop))
    wide = {c: long.pivot(index="unit", columns="t", values=c).loc[units].to_numpy() for c in ("y", "treat", "w")}
    family = "poisson" if outcome_type == "count" else "gaussian"
    ours = fit_fe(wide["y"], np.ones_like(wide["y"], bool), [wide["treat"]], family=family, weights=wide["w"])
    influence = slope_influence(ours)[:, 0]
    g = len(units)
    se = math.sqrt(g / (g - 1) * float(np.sum(influence**2)))
    kw = {"iwls_tol": PREDICT_TOL} if outcome_type == "count" else {}
    ref = _pyfixest_fit(outcome_type)("y ~ treat | unit + t", data=long, weights="w", vcov={"CRV1": "unit"},
                                      ssc=pf.ssc(adj=False, cluster_adj=True), fixef_tol=PREDICT_TOL, **kw)
    assert ours.beta[0] == pytest.approx(float(ref.coef()["treat"]), abs=TOL)
    assert se == pytest.approx(float(ref.se()["treat"]), abs=TOL)
