"""Comparison areas weighted by a population per area (``weight_column``).

The reference tests run the whole path a user runs - a CSV with a weight
column, the spec, the template's ``load`` and ``analyse`` - and compare the
headline with pyfixest 0.60 fitted to the same rows with the same weights:

- one start date and 21 or more treated areas (cluster-robust inference):
  the estimate and its cluster-robust standard error agree to 1e-6 with
  ``pf.feols`` / ``pf.fepois("y ~ treat | area + t", weights="population",
  vcov={"CRV1": "area"}, ssc=pf.ssc(adj=False, cluster_adj=True))``. Both
  sides use CR1: the sandwich variance times G/(G-1), G the number of
  areas, with no (N-1)/(N-k) factor (pyfixest's default ``adj=True`` would
  add one that counts the fixed effects); the 95% interval uses t(G-1);
- staggered starts (the imputation estimator): the estimate agrees to 1e-6
  with the population-weighted mean, over the treated cells, of observed
  minus imputed, the imputation from ``pf.feols("crimes ~ 0 | area + t",
  weights="population")`` on the untreated cells (predicted with lsqr
  tolerances of 1e-12); and to 1e-5 with Gardner's two-stage estimator
  with the same weights, ``pf.did2s(..., first_stage="~ 0 | area + t",
  second_stage="~ treat", treatment="treat", cluster="area",
  weights="population")``, whose first stage uses lsqr's default tolerances;
- for counts with staggered starts (pyfixest has no Poisson two-stage
  estimator), whole-number weights are frequency weights: the weighted
  estimate equals the unweighted one on a panel where each area appears as
  often as its weight.

Bad weights are refused with the file, column and rows (never the cells'
contents), and what cannot be weighted is refused naming ``weight_column``:
one treated area, a start date with one treated area alone, buffer areas,
the effort keys, and weights that leave fewer than three effective treated
areas.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import yaml
from scipy import stats

from whatworks import data
from whatworks.designs import did
from whatworks.designs.did.fixed_effects import fit_fe, imputation
from whatworks.designs.did.model import treated_cells
from whatworks.errors import DataError, SpecError
from whatworks.spec import load_spec
from whatworks.templates import before_after
from whatworks.validation import validate

TOL = 1e-6
#: Convergence and fixed-effect tolerances asked of pyfixest on the reference side.
PF_TOL = 1e-12
N_PERIODS = 24


def _panel_rows(seed: int, n_treated: int, n_comparison: int, *, starts: dict[int, int] | None = None,
                continuous: bool = False, pop_range: tuple[int, int] = (2_000, 40_000)) -> pd.DataFrame:
    """A monthly panel of areas with populations and effects that grow with population.

    ``starts`` maps a treated area's index to its start column (default:
    every treated area starts at column 12).
    """
    rng = np.random.default_rng(seed)
    g = n_treated + n_comparison
    pop = rng.integers(*pop_range, g).astype(float)
    unit = rng.normal(0, 0.3, g)
    period = rng.normal(0, 0.1, N_PERIODS)
    start = np.full(g, N_PERIODS)
    start[:n_treated] = 12
    for i, col in (starts or {}).items():
        start[i] = col
    d = treated_cells(start, N_PERIODS)
    effect = -0.1 - 0.3 * (pop / pop.max())  # bigger areas, bigger falls
    eta = np.log(pop / 1000)[:, None] + unit[:, None] + period[None, :] + effect[:, None] * d
    y = 10 * eta + rng.normal(0, 1.0, eta.shape) if continuous else rng.poisson(np.exp(eta)).astype(float)
    months = pd.date_range("2022-01-01", periods=N_PERIODS, freq="MS")
    names = [f"Area {i + 1:02d}" for i in range(g)]
    return pd.DataFrame({
        "area": np.repeat(names, N_PERIODS), "month": np.tile(months.strftime("%Y-%m-%d"), g),
        "crimes": y.ravel(), "population": np.repeat(pop.astype(int), N_PERIODS),
        "t": np.tile(np.arange(N_PERIODS), g), "treat": d.ravel().astype(float),
    })


def _spec(tmp_path: Path, rows: pd.DataFrame, *, treated: list[str], start: object, **extra: object) -> Path:
    rows.drop(columns=["t", "treat"]).to_csv(tmp_path / "areas.csv", index=False)
    raw = {"template": "before-after", "title": "Weighted areas", "owner": "Analyst", "data": "areas.csv",
           "date_column": "month", "outcome_column": "crimes", "unit_column": "area", "treated_units": treated,
           "intervention_date": start, "weight_column": "population", "spc": "none", "n_boot": 199,
           "comparison_rationale": "Chosen before the start.", **extra}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _analyse(path: Path) -> before_after.BeforeAfter:
    inputs = validate(load_spec(path, reports_root=path.parent / "reports"))
    return before_after.analyse(inputs)


@pytest.mark.parametrize("outcome_type", ["count", "continuous"])
def test_weighted_headline_and_cluster_se_from_a_csv_equal_pyfixest(tmp_path, outcome_type):
    """30 treated and 16 comparison areas, one start: CR1 inference, compared with ``feols``/``fepois``.

    Populations from 10,000 to 16,000 keep the effective number of treated
    areas above 20, so the inference is cluster-robust.
    """
    rows = _panel_rows(11, 30, 16, continuous=outcome_type == "continuous", pop_range=(10_000, 16_000))
    treated = [f"Area {i + 1:02d}" for i in range(30)]
    res = _analyse(_spec(tmp_path, rows, treated=treated, start="2023-01-01", outcome_type=outcome_type))
    head = res.headline
    assert head is not None and head.name == "did" and res.main.regime == "cluster"
    if outcome_type == "count":
        ref = pf.fepois("crimes ~ treat | area + t", data=rows, weights="population", vcov={"CRV1": "area"},
                        ssc=pf.ssc(adj=False, cluster_adj=True), iwls_tol=PF_TOL, fixef_tol=PF_TOL)
        est, low, high = math.log(head.estimate), math.log(head.ci_low), math.log(head.ci_high)
    else:
        ref = pf.feols("crimes ~ treat | area + t", data=rows, weights="population", vcov={"CRV1": "area"},
                       ssc=pf.ssc(adj=False, cluster_adj=True), fixef_tol=PF_TOL)
        est, low, high = head.estimate, head.ci_low, head.ci_high
    beta, se = float(ref.coef()["treat"]), float(ref.se()["treat"])
    assert est == pytest.approx(beta, abs=TOL)
    assert head.se == pytest.approx(se, abs=TOL)
    q = stats.t.ppf(0.975, 46 - 1)
    assert (low, high) == pytest.approx((beta - q * se, beta + q * se), abs=1e-5)
    # and the weights matter here: the unweighted fit is a different number
    plain = pf.feols("crimes ~ treat | area + t", data=rows) if outcome_type == "continuous" else \
        pf.fepois("crimes ~ treat | area + t", data=rows)
    assert abs(float(plain.coef()["treat"]) - beta) > 1e-3


def test_weighted_staggered_estimate_from_a_csv_equals_did2s(tmp_path):
    """Two cohorts of three areas (the imputation estimator), continuous outcome, against weighted ``did2s``."""
    rows = _panel_rows(12, 6, 14, starts={3: 16, 4: 16, 5: 16}, continuous=True, pop_range=(5_000, 20_000))
    treated = [f"Area {i + 1:02d}" for i in range(6)]
    starts = {u: ("2023-01-01" if i < 3 else "2023-05-01") for i, u in enumerate(treated)}
    res = _analyse(_spec(tmp_path, rows, treated=treated, start=starts, outcome_type="continuous"))
    assert res.main.estimator == "imputation" and res.main.regime == "wild" and res.headline is not None
    untreated = rows[rows["treat"] == 0]
    first = pf.feols("crimes ~ 0 | area + t", data=untreated, weights="population", fixef_tol=PF_TOL)
    imputed = first.predict(newdata=rows, atol=PF_TOL, btol=PF_TOL)
    cells = rows["treat"].to_numpy() == 1
    effect = rows["crimes"].to_numpy()[cells] - imputed[cells]
    ref = float(np.average(effect, weights=rows["population"].to_numpy()[cells]))
    assert res.headline.estimate == pytest.approx(ref, abs=TOL)
    # did2s predicts its first stage with lsqr's default tolerances (1e-6), so agrees to about 1e-5 here
    two_stage = pf.did2s(rows.copy(), yname="crimes", first_stage="~ 0 | area + t", second_stage="~ treat",
                         treatment="treat", cluster="area", weights="population").coef()["treat"]
    assert res.headline.estimate == pytest.approx(float(two_stage), abs=1e-5)
    assert {e.name for e in res.estimates} >= {"did", "did.2023-01-01", "did.2023-05-01", "did_twfe"}


def test_weighted_few_treated_estimate_from_a_csv_equals_pyfixest(tmp_path):
    """Four treated areas (wild cluster bootstrap): the point estimate is weighted ``fepois``'s."""
    rows = _panel_rows(13, 4, 16)
    treated = [f"Area {i + 1:02d}" for i in range(4)]
    res = _analyse(_spec(tmp_path, rows, treated=treated, start="2023-01-01"))
    assert res.main.regime == "wild" and res.headline is not None
    ref = pf.fepois("crimes ~ treat | area + t", data=rows, weights="population", iwls_tol=PF_TOL,
                    fixef_tol=PF_TOL).coef()["treat"]
    assert math.log(res.headline.estimate) == pytest.approx(float(ref), abs=TOL)


@pytest.mark.parametrize("family", ["poisson", "gaussian"])
def test_whole_number_weights_are_frequency_weights_for_imputation(family):
    """Weighted imputation equals the unweighted estimator with each area repeated as often as its weight."""
    rng = np.random.default_rng(5)
    n, t = 12, 20
    start = np.array([8, 8, 12, 12] + [t] * 8)
    mu = np.exp(rng.normal(2, 0.3, (n, 1)) + rng.normal(0, 0.1, (1, t)))
    y = rng.poisson(mu * np.where(treated_cells(start, t), 0.7, 1.0)).astype(float)
    w = rng.integers(1, 4, n).astype(float)
    d = treated_cells(start, t)
    mask = np.ones_like(y, bool)
    cw = np.broadcast_to(w[:, None], y.shape)
    fit = fit_fe(y, mask & ~d, family=family, weights=cw)
    weighted = imputation(y, fit, mask & d, weights=cw)[0]
    rep = np.repeat(np.arange(n), w.astype(int))
    fit_rep = fit_fe(y[rep], (mask & ~d)[rep], family=family)
    plain = imputation(y[rep], fit_rep, (mask & d)[rep])[0]
    assert weighted == pytest.approx(plain, abs=TOL)


# -- the report and results.json ----------------------------------------------------------------


def test_method_notes_and_results_say_what_the_weights_are(tmp_path):
    rows = _panel_rows(13, 4, 16)
    res = _analyse(_spec(tmp_path, rows, treated=[f"Area {i + 1:02d}" for i in range(4)], start="2023-01-01"))
    notes = " ".join(res.notes)
    assert "Estimates are weighted by population: each area counts in proportion to its population" in notes
    assert "Crimes prevented are not given" in notes
    assert res.main.extra()["did"]["weighted_by"] == "population"
    assert not any(e.name.startswith("crimes_prevented") for e in res.estimates)
    assert "weighted by population, as the estimates are" in res.what_happened()._repr_html_()
    assert res.summary_text[-1] == ("The comparison is weighted by population: each area counts in proportion "
                                    "to its population.")


def test_unweighted_results_carry_no_weight_key():
    series, truth = did_servator()
    res = did.fit(series, treated_units=truth["treated_units"][:4],
                  intervention_date=truth["intervention_date"][truth["treated_units"][0]], n_boot=99)
    assert "weighted_by" not in res.extra()["did"]


def did_servator():
    from whatworks.simulate.did import servator
    return servator(3)


# -- bad weights ---------------------------------------------------------------------------------


def _frame(values: list[object]) -> pd.DataFrame:
    """Two areas, three months each; ``values`` are the six weights in row order."""
    return pd.DataFrame({"area": ["North"] * 3 + ["South"] * 3,
                         "month": ["2024-01-01", "2024-02-01", "2024-03-01"] * 2,
                         "crimes": [4, 5, 6, 7, 8, 9], "population": values})


def _load(values: list[object]) -> data.SeriesData:
    return data.load_series(_frame(values), date_column="month", outcome_column="crimes", unit_column="area",
                            weight_column="population", label="areas.csv")


@pytest.mark.parametrize("values, words, rows", [
    ([1000, -5, 1000, 2000, 2000, 2000], "negative", [3]),
    ([1000, "Jane Smith", 1000, 2000, 2000, 2000], "not numbers", [3]),
    ([1000, 1000, None, 2000, 2000, 2000], "blank", [4]),
    ([1000, 1000, 1000, 2000, float("inf"), 2000], "not finite", [6]),
    ([1000, 1000, 1000, 2000, "inf", 2000], "not finite", [6]),
    ([0, 0, 0, 0, 0, 0], "every weight is 0", []),
    ([1000, 0, 1000, 2000, 2000, 2000], "0 on some rows", [3]),
])
def test_bad_weights_are_refused_naming_file_column_and_rows_not_contents(values, words, rows):
    with pytest.raises(DataError) as caught:
        _load(values)
    err = caught.value
    assert words in err.message and err.file == "areas.csv" and err.column == "population"
    assert list(err.rows or []) == rows
    assert "Jane Smith" not in str(err)


def test_a_weight_that_varies_within_an_area_is_its_mean_and_said():
    series = _load([1000, 1100, 1200, 2000, 2000, 2000])
    assert series.frame.groupby("unit")["weight"].unique().map(list).to_dict() == {"North": [1100.0],
                                                                                   "South": [2000.0]}
    assert any("mean weight was used" in n and "North" in n for n in series.weight_notes)


def test_weight_column_needs_unit_column():
    with pytest.raises(SpecError) as caught:
        data.load_series(_frame([1] * 6), date_column="month", outcome_column="crimes",
                         weight_column="population")
    assert caught.value.key == "weight_column"


def test_an_area_with_weight_zero_is_left_out_with_a_note(tmp_path):
    rows = _panel_rows(13, 4, 16)
    rows.loc[rows["area"] == "Area 20", "population"] = 0
    res = _analyse(_spec(tmp_path, rows, treated=[f"Area {i + 1:02d}" for i in range(4)], start="2023-01-01"))
    assert res.main.n_comparison == 15
    assert any("weight 0" in n and "Area 20" in n for n in res.notes)
    assert "Area 20" in res.check("weights").message and res.check("weights").status == "info"
    listed = _spec(tmp_path, rows, treated=[f"Area {i + 1:02d}" for i in range(4)], start="2023-01-01",
                   comparison_units=["Area 19", "Area 20"])
    with pytest.raises(SpecError) as caught:
        validate(load_spec(listed, reports_root=tmp_path / "reports"))
    assert caught.value.key == "weight_column" and "Area 20" in caught.value.message


# -- what cannot be weighted is refused ----------------------------------------------------------


def _refusal(tmp_path: Path, rows: pd.DataFrame, treated: list[str], start: object, **extra: object) -> SpecError:
    with pytest.raises(SpecError) as caught:
        validate(load_spec(_spec(tmp_path, rows, treated=treated, start=start, **extra),
                           reports_root=tmp_path / "reports"))
    assert caught.value.key == "weight_column" and caught.value.hint
    return caught.value


def test_one_treated_area_is_refused_with_weights(tmp_path):
    """Placebo in space (one treated unit) has no weighted form."""
    err = _refusal(tmp_path, _panel_rows(13, 1, 16), ["Area 01"], "2023-01-01")
    assert "one treated unit" in err.message and "remove weight_column" in (err.hint or "").lower()


def test_a_start_date_with_one_treated_area_alone_is_refused_with_weights(tmp_path):
    rows = _panel_rows(13, 3, 16, starts={2: 16})
    treated = ["Area 01", "Area 02", "Area 03"]
    starts = {"Area 01": "2023-01-01", "Area 02": "2023-01-01", "Area 03": "2023-05-01"}
    err = _refusal(tmp_path, rows, treated, starts)
    assert "Area 03" in err.message and "placebo in space" in (err.hint or "")


def test_buffer_areas_are_refused_with_weights(tmp_path):
    """The buffer estimate, WDQ and total net effect count crimes: displacement is refused, not unweighted."""
    err = _refusal(tmp_path, _panel_rows(13, 4, 16), [f"Area {i + 1:02d}" for i in range(4)], "2023-01-01",
                   buffer_units=["Area 05"])
    assert "buffer_units" in err.message and "displacement" in (err.hint or "").lower()


def test_effort_keys_are_refused_with_weights(tmp_path):
    """Value for money needs crimes prevented, which a weighted estimate does not give."""
    rows = _panel_rows(13, 4, 16).assign(officer_hours=5.0)
    err = _refusal(tmp_path, rows, [f"Area {i + 1:02d}" for i in range(4)], "2023-01-01",
                   officer_hours_column="officer_hours", officer_grade="Police Constable",
                   unit_cost_of_crime=2000, unit_cost_price_year="2024/25")
    assert "effort" in err.message


def test_the_design_refuses_placebo_inference_with_weights():
    """``did.fit`` on a series with a weight column and one treated unit refuses too (not only the template)."""
    series, truth = did_servator()
    frame = series.frame.assign(weight=1000.0)
    weighted = data.SeriesData(frame=frame, freq=series.freq, source="servator", weight_label="population")
    with pytest.raises(SpecError) as caught:
        did.fit(weighted, treated_units=["Site 01"], intervention_date="2023-07-03",
                comparison_units=truth["comparison_units"], n_boot=99)
    assert caught.value.key == "weight_column"


def test_weights_are_carried_through_counting_incidents():
    """One row per incident (``aggregate``): each area keeps its weight, also in weeks with no incident."""
    rows = pd.DataFrame({"area": ["North", "North", "South", "South", "South"],
                         "date": ["2024-01-01", "2024-01-09", "2024-01-02", "2024-01-03", "2024-01-20"],
                         "population": [100, 100, 300, 300, 300]})
    series = data.load_series(rows, date_column="date", aggregate="week", unit_column="area",
                              weight_column="population", label="incidents.csv")
    frame = series.frame
    assert frame["outcome"].tolist() == [1.0, 1.0, 0.0, 2.0, 0.0, 1.0]
    assert frame["weight"].tolist() == [100.0] * 3 + [300.0] * 3 and series.weight_label == "population"


def test_weights_that_leave_too_few_effective_treated_areas_are_refused(tmp_path):
    """Six treated areas, one with most of the population: fewer than three areas' worth of data."""
    rows = _panel_rows(13, 6, 16)
    rows.loc[rows["area"] == "Area 01", "population"] = 2_000_000
    err = _refusal(tmp_path, rows, [f"Area {i + 1:02d}" for i in range(6)], "2023-01-01")
    assert "effective number" in err.message and "add treated areas" in (err.hint or "")


def test_a_weight_column_not_in_the_file_is_refused():
    with pytest.raises(DataError) as caught:
        data.load_series(_frame([1] * 6).drop(columns="population"), date_column="month", outcome_column="crimes",
                         unit_column="area", weight_column="population", label="areas.csv")
    assert "weight_column" in caught.value.message and caught.value.file == "areas.csv"
