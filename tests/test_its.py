"""Interrupted time series: known truths, each check both sides, bad input, Sicily."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from whatworks.data import SeriesData
from whatworks.designs import its
from whatworks.errors import DataError, SpecError
from whatworks.simulate.its import simulate_counts, simulate_proportions

SICILY = Path(__file__).parent / "fixtures" / "reference" / "sicily.csv"
# Exact (noise-free) series make statsmodels warn of a perfect fit; that is the point of them.
pytestmark = pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")

RULES = {"week": "7D", "month": "MS", "day": "D", "quarter": "QS", "year": "YS"}


def make_series(outcome, *, start="2022-01-03", freq="week", label="incidents", **columns) -> SeriesData:
    periods = pd.date_range(start, periods=len(outcome), freq=RULES[freq])
    frame = pd.DataFrame({"period": periods, "outcome": np.asarray(outcome, dtype=float), **columns})
    if "excluded" not in frame:
        frame["excluded"] = False
    return SeriesData(frame=frame, freq=freq, source="test.csv", outcome_label=label)


def exact_counts(n_pre, n_post, *, base=50.0, trend=0.0, level=0.8, slope=1.0, season=None):
    """A series whose counts equal a known log-linear mean exactly."""
    t = np.arange(1, n_pre + n_post + 1, dtype=float)
    post = (t > n_pre).astype(float)
    since = np.where(post > 0, t - n_pre - 1, 0.0)
    log_cf = np.log(base) + trend * t + (0.0 if season is None else season)
    mu = np.exp(log_cf + np.log(level) * post + np.log(slope) * since)
    return mu, np.exp(log_cf)


def wiggle(n, size=0.02):
    """Deterministic small noise with no pattern the model could absorb."""
    return size * np.sin(np.arange(n) * 2.399963) * np.cos(np.arange(n) * 0.7)


# -- published result ------------------------------------------------------------
def sicily_series() -> SeriesData:
    d = pd.read_csv(SICILY)
    frame = pd.DataFrame({
        "period": pd.to_datetime(pd.DataFrame({"year": d["year"], "month": d["month"], "day": 1})),
        "outcome": d["aces"].astype(float),
        "exposure": d["stdpop"].astype(float),
        "excluded": False,
    })
    return SeriesData(frame=frame, freq="month", source="sicily.csv", outcome_label="acute coronary events")


def test_sicily_published_result():
    res = its.fit(sicily_series(), intervention_date="2005-01-01", slope_change=False,
                  seasonality="fourier", fourier_pairs=2, autocorrelation="none")  # as the paper did
    h = res.headline
    assert h.name == "level_change" and h.measure == "rate ratio"
    assert round(h.estimate, 3) == 0.885
    assert round(h.ci_low, 3) == 0.839
    assert round(h.ci_high, 3) == 0.933
    assert res.dispersion == pytest.approx(2.26, abs=0.01)
    flat = its.fit(sicily_series(), intervention_date="2005-01-01", slope_change=False, seasonality="none",
                   autocorrelation="none")
    assert round(flat.headline.estimate, 3) == 0.894


# -- known truths ------------------------------------------------------------------
def test_exact_counts_recover_level_slope_and_total():
    mu, cf = exact_counts(60, 40, trend=0.004, level=0.75, slope=0.99)
    res = its.fit(make_series(mu), intervention_date="2023-02-27", seasonality="none")
    assert res.estimate("level_change").estimate == pytest.approx(0.75, rel=1e-6)
    assert res.estimate("slope_change").estimate == pytest.approx(0.99, rel=1e-6)
    assert res.estimate("slope_change").measure == "rate ratio per week"
    truth_total = (mu - cf)[60:].sum()
    assert res.estimate("total_effect").estimate == pytest.approx(truth_total, rel=1e-5)
    assert res.estimate("crimes_prevented").estimate == pytest.approx(-truth_total, rel=1e-5)
    assert res.estimate("crimes_prevented_end").estimate == pytest.approx(cf[-1] - mu[-1], rel=1e-5)
    frame = res.series_frame
    assert list(frame.columns) == ["period", "observed", "fitted", "counterfactual", "cf_low", "cf_high",
                                   "excluded", "phase"]
    np.testing.assert_allclose(frame["counterfactual"], cf, rtol=1e-5)
    assert (frame["phase"] == "before").sum() == 60


def test_large_sample_poisson_fit_near_truth():
    series, truth = simulate_counts(11, n_pre=400, n_post=200, baseline=2000.0, level_ratio=0.8,
                                    slope_ratio=1.001, seasonal_amplitude=0.2)
    res = its.fit(series, intervention_date=truth["intervention_date"])
    assert res.headline.estimate == pytest.approx(0.8, abs=0.01)
    assert res.estimate("slope_change").estimate == pytest.approx(1.001, abs=1e-4)
    total = res.estimate("total_effect")
    assert abs(total.estimate - truth["total_effect"]) < 3 * total.se
    assert res.dispersion == pytest.approx(1.0, abs=0.2)
    # The interval of crimes prevented also carries the uncertainty of the fitted line after the start.
    assert res.estimate("crimes_prevented").se > total.se


def test_intervention_date_inside_a_period_starts_that_period():
    mu, _ = exact_counts(30, 20, level=0.7)
    # 30 weeks after 3 January 2022 is 1 August 2022 (a Monday); the Thursday is in the same week.
    res = its.fit(make_series(mu), intervention_date="2022-08-04", seasonality="none")
    assert res.headline.estimate == pytest.approx(0.7, rel=1e-6)
    assert (res.series_frame["phase"] == "before").sum() == 30


def test_a_start_part_way_through_a_period_makes_it_a_transition_period_left_out_by_default():
    # Monthly data, a scheme starting on 31 March: March is mostly before it, so it is neither
    # before nor after. Its count is set to the average of the two sides, which would bias the
    # level change towards 1 if March counted as after.
    n_pre, n_post = 36, 24
    months = pd.date_range("2021-04-01", periods=n_pre + n_post, freq="MS")
    y = np.where(np.arange(n_pre + n_post) < n_pre, 100.0, 70.0) * np.exp(wiggle(n_pre + n_post, 0.01))
    march = n_pre
    y[march] = 85.0
    frame = pd.DataFrame({"period": months, "outcome": y, "excluded": False})
    series = SeriesData(frame=frame, freq="month", source="x.csv", outcome_label="incidents")
    when = (months[march] + pd.offsets.MonthEnd(0)).date().isoformat()
    left_out = its.fit(series, intervention_date=when, seasonality="none", slope_change=False)
    counted = its.fit(series, intervention_date=when, seasonality="none", slope_change=False,
                      transition="after")
    first_day = its.fit(series, intervention_date=months[march].date().isoformat(), seasonality="none",
                        slope_change=False)
    assert left_out.headline.estimate == pytest.approx(0.7, abs=0.005)
    assert counted.headline.estimate > 0.7 + 0.005
    assert bool(left_out.series_frame["excluded"].iloc[march]) and not counted.series_frame["excluded"].any()
    assert not first_day.series_frame["excluded"].any()  # a start on the first day is no transition
    notes = " ".join(left_out.notes)
    assert "Transition period: the month starting" in notes and "transition: exclude" in notes
    assert "transition: after" in " ".join(counted.notes)
    assert "Transition period" not in " ".join(first_day.notes)
    with pytest.raises(SpecError) as err:
        its.fit(series, intervention_date=when, transition="before")
    assert err.value.key == "transition"


def test_exposure_is_an_offset():
    mu, _ = exact_counts(40, 30, level=0.8)
    population = np.linspace(1000, 3000, 70)
    res = its.fit(make_series(mu * population, exposure=population), intervention_date="2022-10-10",
                  seasonality="none")
    assert res.headline.estimate == pytest.approx(0.8, rel=1e-6)
    assert any("log offset" in n for n in res.notes)


def test_fourier_season_recovered_on_monthly_data():
    months = np.tile(np.arange(1, 13), 5)[:54]
    season = 0.2 * np.sin(2 * np.pi * months / 12) - 0.1 * np.cos(4 * np.pi * months / 12)
    mu, _ = exact_counts(36, 18, level=0.9, season=season)
    res = its.fit(make_series(mu, start="2020-01-01", freq="month"), intervention_date="2023-01-15",
                  seasonality="fourier", fourier_pairs=2)
    assert res.seasonality == "fourier"
    assert res.headline.estimate == pytest.approx(0.9, rel=1e-6)
    none = its.fit(make_series(mu, start="2020-01-01", freq="month"), intervention_date="2023-01-15",
                   seasonality="none")
    assert abs(none.headline.estimate - 0.9) > 1e-3


def test_dummies_recover_an_arbitrary_monthly_pattern():
    months = np.tile(np.arange(12), 4)
    pattern = np.array([0.1, -0.2, 0.05, 0.3, 0.0, -0.1, 0.2, 0.15, -0.3, 0.1, 0.0, -0.05])
    mu, _ = exact_counts(30, 18, level=1.2, season=pattern[months])
    res = its.fit(make_series(mu, start="2020-01-01", freq="month"), intervention_date="2022-07-01",
                  seasonality="dummies")
    assert res.seasonality == "dummies"
    assert res.headline.estimate == pytest.approx(1.2, rel=1e-6)


def test_auto_seasonality_needs_two_years_of_baseline():
    y = 50 + 5 * wiggle(200, 1.0)
    two_years = make_series(y[:160])
    res = its.fit(two_years, intervention_date=two_years.frame["period"][104])
    assert res.seasonality == "fourier" and "at least two years" in res.seasonality_reason
    res = its.fit(two_years, intervention_date=two_years.frame["period"][103])
    assert res.seasonality == "none" and "under two years" in res.seasonality_reason
    assert res.extra()["its"]["seasonality"] == "none"


def test_intervention_end_segment():
    t = np.arange(1, 91, dtype=float)
    during = (t > 40).astype(float)
    ended = (t > 70).astype(float)
    log_mu = (np.log(40) + 0.002 * t + np.log(0.7) * during + np.log(1.01) * np.where(t > 40, t - 41, 0)
              + np.log(1.3) * ended + np.log(0.98) * np.where(t > 70, t - 71, 0))
    series = make_series(np.exp(log_mu))
    end = series.frame["period"][70]
    res = its.fit(series, intervention_date=series.frame["period"][40], intervention_end=end,
                  seasonality="none")
    assert res.headline.estimate == pytest.approx(0.7, rel=1e-6)
    assert res.estimate("level_change_after_end").estimate == pytest.approx(1.3, rel=1e-6)
    assert res.estimate("slope_change_after_end").estimate == pytest.approx(0.98, rel=1e-6)
    assert "total_effect_after_end" in [e.name for e in res.estimates]
    assert res.series_frame["phase"].value_counts().to_dict() == {"before": 40, "during": 30, "ended": 20}


def test_excluded_periods_are_left_out():
    mu, _ = exact_counts(40, 30, level=0.8)
    y = mu.copy()
    y[[10, 50]] = 500.0
    excluded = np.zeros(70, dtype=bool)
    excluded[[10, 50]] = True
    res = its.fit(make_series(y, excluded=excluded), intervention_date="2022-10-10", seasonality="none")
    assert res.headline.estimate == pytest.approx(0.8, rel=1e-6)
    assert res.series_frame["excluded"].sum() == 2
    assert res.plot().png[:4] == b"\x89PNG"


def test_slope_change_false_drops_slope_estimate():
    mu, _ = exact_counts(40, 30, level=0.8)
    res = its.fit(make_series(mu), intervention_date="2022-10-10", seasonality="none", slope_change=False)
    assert [e.name for e in res.estimates] == ["level_change", "total_effect", "crimes_prevented",
                                               "crimes_prevented_end"]


def test_proportion_exact_odds_ratio():
    n_total = 400.0
    t = np.arange(1, 61, dtype=float)
    logit = -0.8 + 0.01 * t + np.log(0.7) * (t > 36)
    p = 1 / (1 + np.exp(-logit))
    series = make_series(p * n_total, start="2019-01-01", freq="month", denominator=np.full(60, n_total))
    res = its.fit(series, intervention_date="2022-01-01", seasonality="none", slope_change=False)
    assert res.outcome_type == "proportion"
    odds = res.estimate("level_change")
    assert odds.measure == "odds ratio" and not odds.headline
    assert odds.estimate == pytest.approx(0.7, rel=1e-5)
    names = [e.name for e in res.estimates]
    assert "total_effect" not in names and "crimes_prevented" not in names
    np.testing.assert_allclose(res.series_frame["observed"], p)
    # The headline: the change in percentage points over the months after the start, computed here.
    p0 = 1 / (1 + np.exp(-(-0.8 + 0.01 * t)))
    head = res.headline
    assert head.name == "percentage_point_change" and head.unit == "percentage points"
    assert head.estimate == pytest.approx(100 * np.mean(p[36:] - p0[36:]), rel=1e-6)
    assert head.ci_low < head.estimate < head.ci_high
    assert "percentage points lower" in res.summary_text[0] and "odds were 30% lower" in res.summary_text[0]
    assert "expected from the trend before it" in res.summary_text[0]


def test_proportion_simulation_near_truth():
    series, truth = simulate_proportions(4, n_pre=300, n_post=200, denominator=5000, level_odds_ratio=0.8)
    res = its.fit(series, intervention_date=truth["intervention_date"], outcome_type="proportion")
    assert res.estimate("level_change").estimate == pytest.approx(0.8, abs=0.02)
    assert "Quasi-binomial" in res.model


def test_negbin_runs_and_estimates_dispersion():
    series, truth = simulate_counts(5, n_pre=600, n_post=400, baseline=60.0, dispersion=4.0,
                                    seasonal_amplitude=0.0, level_ratio=0.8)
    res = its.fit(series, intervention_date=truth["intervention_date"], overdispersion="negbin",
                  seasonality="none")
    assert "Negative binomial" in res.model
    assert res.dispersion == pytest.approx(3.0 / 60.0, rel=0.25)  # alpha = (dispersion - 1) / baseline
    assert res.headline.estimate == pytest.approx(0.8, abs=0.05)
    quasi = its.fit(series, intervention_date=truth["intervention_date"], seasonality="none")
    assert quasi.dispersion == pytest.approx(4.0, rel=0.2)


def _newey_west_cov(X, resid, lags):
    n, k = X.shape
    scores = X * resid[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        meat += (1 - lag / (lags + 1)) * (gamma + gamma.T)
    bread = np.linalg.inv(X.T @ X)
    return bread @ meat @ bread * n / (n - k)


def test_continuous_ols_with_newey_west():
    n_pre, n_post = 100, 56
    rng = np.random.default_rng(3)
    noise = np.zeros(n_pre + n_post)
    for i in range(1, len(noise)):
        noise[i] = 0.5 * noise[i - 1] + rng.normal()
    t = np.arange(1, n_pre + n_post + 1, dtype=float)
    y = 20 + 0.01 * t - 3 * (t > n_pre) + noise
    series = make_series(y, label="minutes")
    res = its.fit(series, intervention_date=series.frame["period"][n_pre], outcome_type="continuous",
                  seasonality="none", autocorrelation="newey-west")
    X = np.column_stack([np.ones_like(t), t, (t > n_pre) * 1.0, np.where(t > n_pre, t - n_pre - 1, 0.0)])
    ols = sm.OLS(y, X).fit()
    lags = int(np.floor(4 * (len(y) / 100) ** (2 / 9)))
    se = np.sqrt(np.diag(_newey_west_cov(X, ols.resid, lags)))
    assert res.headline.scale == "difference"
    assert res.headline.estimate == pytest.approx(ols.params[2], rel=1e-9)
    assert res.headline.se == pytest.approx(se[2], rel=1e-9)
    assert res.headline.ci_low == pytest.approx(ols.params[2] - 1.959964 * se[2], rel=1e-6)
    assert f"{lags} lags" in res.model and "Newey–West" in " ".join(res.notes)
    assert "overdispersion" not in [c.name for c in res.checks]


def _ljung_box_by_hand(resid: np.ndarray, lags: int) -> tuple[float, float]:
    """The Ljung–Box formula as whatworks wrote it before calling statsmodels."""
    from scipy import stats

    x = np.asarray(resid, dtype=float) - np.mean(resid)
    n = len(x)
    denom = float(np.sum(x**2))
    if denom == 0 or lags < 1:
        return 0.0, 1.0
    acf = np.array([np.sum(x[k:] * x[:-k]) / denom for k in range(1, lags + 1)])
    q = float(n * (n + 2) * np.sum(acf**2 / (n - np.arange(1, lags + 1))))
    return q, float(stats.chi2.sf(q, lags))


def _ljung_box_inputs() -> list[tuple[np.ndarray, int]]:
    rng = np.random.default_rng(5)
    walk = rng.normal(size=150).cumsum() * 0.1 + rng.normal(size=150)
    ar = np.zeros(120)
    for t in range(1, ar.size):
        ar[t] = 0.6 * ar[t - 1] + rng.normal()
    seasonal = np.sin(2 * np.pi * np.arange(104) / 52) + rng.normal(0, 0.3, 104)
    return [(rng.normal(size=200), 10), (walk, 10), (ar, 10), (ar, 1), (seasonal, 6),
            (rng.poisson(3.0, 30).astype(float), 6), (np.array([1.0, -2.0, 0.5, 3.0, -1.0, 0.0]), 1),
            (np.full(20, 4.0), 4), (rng.normal(size=40), 0)]


@pytest.mark.parametrize("case", range(len(_ljung_box_inputs())))
def test_ljung_box_equals_the_hand_formula(case):
    from whatworks.designs.its.model import ljung_box

    x, lags = _ljung_box_inputs()[case]
    q, p = ljung_box(x, lags)
    q_ref, p_ref = _ljung_box_by_hand(x, lags)
    assert q == pytest.approx(q_ref, rel=1e-12, abs=1e-12)
    assert p == pytest.approx(p_ref, rel=1e-12, abs=1e-12)


def test_ljung_box_of_missing_residuals_is_missing_as_by_hand():
    from whatworks.designs.its.model import ljung_box

    x = np.array([1.0, np.nan, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0, 5.0, 1.0])
    assert all(np.isnan(v) for v in ljung_box(x, 2)) and all(np.isnan(v) for v in _ljung_box_by_hand(x, 2))


# -- checks, both sides ------------------------------------------------------------
def names_status(res):
    return {c.name: c.status for c in res.checks}


def test_too_few_points_fails_and_withholds():
    y = 50 + 5 * wiggle(33, 1.0)
    short = make_series(y)
    res = its.fit(short, intervention_date=short.frame["period"][2], seasonality="none")
    assert names_status(res)["too_few_points"] == "fail"
    assert res.estimates == () and res.headline is None
    assert "No estimate" in res.summary_text[0]
    assert res.to_dict()["estimates"] == []
    assert res.plot().png[:4] == b"\x89PNG"
    ok = its.fit(short, intervention_date=short.frame["period"][3], seasonality="none")
    assert names_status(ok)["too_few_points"] == "pass" and ok.headline is not None


def test_no_events_in_a_segment_withholds_the_estimate():
    y = np.r_[np.full(30, 4.0), np.zeros(20)]
    res = its.fit(make_series(y), intervention_date=make_series(y).frame["period"][30], seasonality="none")
    assert res.check("too_few_points").status == "fail" and "no events" in res.check("too_few_points").message
    assert res.estimates == ()


def test_withheld_headline_withholds_group_estimates():
    frames = [pd.DataFrame({"period": pd.date_range("2022-01-03", periods=40, freq="7D"),
                            "outcome": 20.0 + np.arange(40) % 3, "group": g, "excluded": False})
              for g in ("A", "B")]
    series = SeriesData(frame=pd.concat(frames, ignore_index=True), freq="week", source="g.csv")
    res = its.fit(series, intervention_date="2022-01-10", seasonality="none")
    assert res.check("too_few_points").status == "fail"
    assert res.estimates == () and its.plot_forest(res) is None


def test_underpowered_both_sides():
    y = 50 + 5 * wiggle(60, 1.0)
    s = make_series(y)
    assert names_status(its.fit(s, intervention_date=s.frame["period"][11], seasonality="none"))[
        "underpowered"] == "warn"
    assert names_status(its.fit(s, intervention_date=s.frame["period"][12], seasonality="none"))[
        "underpowered"] == "pass"
    # Fourier terms add 4 baseline parameters: 6 + 8 = 14 baseline periods are needed.
    assert names_status(its.fit(s, intervention_date=s.frame["period"][13], seasonality="fourier"))[
        "underpowered"] == "warn"
    assert names_status(its.fit(s, intervention_date=s.frame["period"][14], seasonality="fourier"))[
        "underpowered"] == "pass"


def test_seasonality_short_baseline_both_sides():
    y = 50 + 5 * wiggle(160, 1.0)
    s = make_series(y)
    short, long_ = s.frame["period"][103], s.frame["period"][104]
    assert names_status(its.fit(s, intervention_date=short, seasonality="fourier"))[
        "seasonality_short_baseline"] == "warn"
    assert names_status(its.fit(s, intervention_date=short, seasonality="dummies"))[
        "seasonality_short_baseline"] == "warn"
    assert names_status(its.fit(s, intervention_date=long_, seasonality="fourier"))[
        "seasonality_short_baseline"] == "pass"
    assert names_status(its.fit(s, intervention_date=short, seasonality="auto"))[
        "seasonality_short_baseline"] == "pass"


def test_small_counts_both_sides():
    assert names_status(its.fit(make_series(np.full(40, 9.0)), intervention_date="2022-06-06",
                                seasonality="none"))["small_counts"] == "warn"
    assert names_status(its.fit(make_series(np.full(40, 11.0)), intervention_date="2022-06-06",
                                seasonality="none"))["small_counts"] == "pass"


def test_autocorrelation_both_sides():
    n = 120
    alternating = 50 * np.exp(0.1 * (-1.0) ** np.arange(n))  # perfectly negatively autocorrelated
    res = its.fit(make_series(alternating), intervention_date=make_series(alternating).frame["period"][70],
                  seasonality="none", autocorrelation="none")
    assert names_status(res)["autocorrelation"] == "warn"
    res = its.fit(make_series(alternating), intervention_date=make_series(alternating).frame["period"][70],
                  seasonality="none")  # ar1 allows for it: information, not a warning
    assert names_status(res)["autocorrelation"] == "info"
    white = np.random.default_rng(2024).normal(0, 1, n)
    series = make_series(50 * np.exp(0.1 * white))
    res = its.fit(series, intervention_date=series.frame["period"][70], seasonality="none")
    assert names_status(res)["autocorrelation"] == "pass"


def test_regression_to_mean_both_sides():
    y = 50 + 3 * np.sign(wiggle(70, 1.0))
    peak = y.copy()
    peak[37:40] = 80.0
    s = make_series(peak)
    when = s.frame["period"][40]
    res = its.fit(s, intervention_date=when, seasonality="none", autocorrelation="none")
    assert names_status(res)["regression_to_mean"] == "warn"
    assert any("peak" in p for p in res.summary_text)
    # When a rise is the improvement, a peak before the start is not the unwanted side.
    assert names_status(its.fit(s, intervention_date=when, seasonality="none", autocorrelation="none",
                                improvement="increase"))["regression_to_mean"] == "pass"
    trough = y.copy()
    trough[37:40] = 25.0
    assert names_status(its.fit(make_series(trough), intervention_date=when, seasonality="none", autocorrelation="none",
                                improvement="increase"))["regression_to_mean"] == "warn"
    assert names_status(its.fit(make_series(y), intervention_date=when, seasonality="none", autocorrelation="none"))[
        "regression_to_mean"] == "pass"


@pytest.mark.parametrize("last, improvement, expected", [
    (1.2, "decrease", "warn"),   # above one SD (about 1.03) on the unwanted side
    (0.9, "decrease", "pass"),   # high, but under one SD
    (1.2, "increase", "pass"),   # high is the wanted side when a rise is good
    (-1.2, "increase", "warn"),
])
def test_regression_to_mean_threshold_is_one_sd(last, improvement, expected):
    from whatworks.designs.its import checks as its_checks

    base = np.r_[np.tile([1.0, -1.0], 20), [last] * 3]
    assert 0.98 < np.std(base, ddof=1) < 1.05
    inputs = its_checks.CheckInput(n_segments=(43, 20), freq="week", pearson_baseline=base,
                                   improvement=improvement)
    check = its_checks._check_regression_to_mean(inputs)
    assert check.status == expected


def test_overdispersion_note_reports_pearson_ratio():
    mu, _ = exact_counts(40, 30)
    y = mu * np.exp(wiggle(70, 0.3))
    res = its.fit(make_series(y), intervention_date="2022-10-10", seasonality="none")
    X = np.column_stack([np.ones(70), np.arange(1, 71), np.arange(70) >= 40,
                         np.where(np.arange(70) >= 40, np.arange(70) - 40, 0)]).astype(float)
    glm = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    expected = np.sum(glm.resid_pearson**2) / (70 - 4)
    assert res.dispersion == pytest.approx(expected, rel=1e-6)
    check = res.check("overdispersion")
    assert check.status == "info" and f"{expected:.2f}" in check.message


# -- breakdown ---------------------------------------------------------------------
def test_breakdown_total_and_groups():
    truths = {"Burglary": 0.6, "Robbery": 1.0, "Theft": 0.8}
    frames = []
    for g, ratio in truths.items():
        mu, _ = exact_counts(50, 30, base=40.0, level=ratio)
        frames.append(pd.DataFrame({"period": pd.date_range("2022-01-03", periods=80, freq="7D"),
                                    "outcome": mu, "group": g, "excluded": False}))
    frame = pd.concat(frames, ignore_index=True)
    series = SeriesData(frame=frame, freq="week", source="crimes.csv", outcome_label="crimes")
    when = "2022-12-19"
    res = its.fit(series, intervention_date=when, seasonality="none", slope_change=False,
                  breakdown_label="crime type")
    for g, ratio in truths.items():
        est = res.estimate(f"level_change.{g}")
        assert est.group == g and not est.headline
        assert est.estimate == pytest.approx(ratio, rel=1e-6)
    summed = frame.groupby("period", as_index=False)["outcome"].sum()
    alone = its.fit(make_series(summed["outcome"].to_numpy()), intervention_date=when, seasonality="none",
                    slope_change=False)
    assert res.headline.name == "level_change" and res.headline.group is None
    assert res.headline.estimate == pytest.approx(alone.headline.estimate, rel=1e-9)
    assert any(p.startswith("By crime type:") and "Burglary 40% lower" in p for p in res.summary_text)
    forest = its.plot_forest(res)
    assert forest is not None and "crime type" in forest.alt and "Burglary 40% lower" in forest.alt
    assert its.plot_forest(alone) is None


# -- words, charts, output ---------------------------------------------------------
def test_summary_for_a_clear_fall():
    mu, _ = exact_counts(60, 40, level=0.8)
    res = its.fit(make_series(mu * np.exp(wiggle(100))), intervention_date="2023-02-27", seasonality="none")
    first = res.summary_text[0]
    assert first.startswith("Incidents were 20% lower than expected")
    assert "fewer incidents" in first
    text_all = " ".join(res.summary_text)
    assert "association" in text_all and "aimed for" not in text_all  # the headline says "lower" itself
    assert "opposite" in " ".join(its.fit(make_series(mu), intervention_date="2023-02-27",
                                          seasonality="none", improvement="increase").summary_text)
    chart = res.plot()
    assert "20% lower" in chart.alt


def test_summary_says_when_there_is_no_clear_evidence():
    series, truth = simulate_counts(8, n_pre=40, n_post=20, level_ratio=1.0, seasonal_amplitude=0.0,
                                    baseline=30.0)
    res = its.fit(series, intervention_date=truth["intervention_date"], seasonality="none")
    assert res.headline.ci_low < 1 < res.headline.ci_high
    assert "no clear evidence of a change" in res.summary_text[0]


def test_result_is_json_ready_and_frozen():
    series, truth = simulate_counts(9, n_pre=104, n_post=52)
    res = its.fit(series, intervention_date=truth["intervention_date"], autocorrelation="none")
    payload = json.loads(json.dumps(res.to_dict()))
    assert payload["its"]["freq"] == "week" and payload["its"]["overdispersion"] == "quasipoisson"
    assert payload["evidence"]["sms_level"] == 2
    assert [e["name"] for e in payload["estimates"]] == ["level_change", "slope_change", "total_effect",
                                                         "crimes_prevented", "crimes_prevented_end"]
    prevented = payload["estimates"][3]
    assert prevented["scale"] == "count" and prevented["unit"] == "crimes"
    assert prevented["estimate"] == pytest.approx(-payload["estimates"][2]["estimate"], rel=1e-6)
    assert "level 3" in res.evidence.to_raise and "level 5" in res.evidence.to_raise
    with pytest.raises(AttributeError):
        res.seasonality = "none"  # type: ignore[misc]
    assert "Wald" in " ".join(res.notes) and "Ljung–Box" in " ".join(res.notes)
    assert len(res.table().rows) == 5


# -- bad input ---------------------------------------------------------------------
def test_date_outside_the_data_names_the_range():
    s = make_series(np.full(40, 20.0))
    with pytest.raises(DataError) as err:
        its.fit(s, intervention_date="2030-01-01")
    msg = str(err.value)
    assert "test.csv" in msg and "3 January 2022" in msg and "9 October 2022" in msg


def test_series_too_short_to_fit():
    s = make_series([10.0, 12.0, 9.0, 8.0])
    with pytest.raises(DataError, match="too short to fit"):
        its.fit(s, intervention_date=s.frame["period"][2], seasonality="none")


def test_zero_denominator_is_named():
    denominator = np.full(40, 100.0)
    denominator[5] = 0.0
    s = make_series(np.full(40, 20.0), denominator=denominator)
    with pytest.raises(DataError) as err:
        its.fit(s, intervention_date="2022-06-06", outcome_type="proportion")
    msg = str(err.value)
    assert "denominator" in msg and "2022-02-07" in msg


def test_bad_options_name_the_key():
    s = make_series(np.full(40, 20.0))
    with pytest.raises(SpecError, match="seasonality"):
        its.fit(s, intervention_date="2022-06-06", seasonality="yearly")
    with pytest.raises(SpecError, match="intervention_date"):
        its.fit(s, intervention_date="06/05/2022")  # 6 May or 5 June: refused, as everywhere
    with pytest.raises(SpecError, match="intervention_date"):
        its.fit(s, intervention_date="soon")
    with pytest.raises(SpecError, match="intervention_end"):
        its.fit(s, intervention_date="2022-06-06", intervention_end="2022-03-07")
    with pytest.raises(DataError, match="denominator"):
        its.fit(s, intervention_date="2022-06-06", outcome_type="proportion")
    with pytest.raises(SpecError, match="fourier_pairs"):
        its.fit(s, intervention_date="2022-06-06", fourier_pairs=1.5)
    with pytest.raises(SpecError, match="fourier_pairs"):
        its.fit(s, intervention_date="2022-06-06", fourier_pairs=0)


# -- yearly series ---------------------------------------------------------------
def test_yearly_series_fits_with_no_season():
    # 20 years, the change in year 12: seasonality cannot be estimated from one period a year
    mu, _ = exact_counts(11, 9, base=200.0, trend=0.02, level=0.8)
    s = make_series(mu * (1 + wiggle(20)), start="2004-01-01", freq="year")
    res = its.fit(s, intervention_date="2015-06-30")
    assert res.intervention_date.isoformat() == "2015-06-30"
    assert res.series_frame["phase"].tolist() == ["before"] * 11 + ["during"] * 9
    assert res.seasonality == "none" and "yearly data have no season" in res.seasonality_reason
    assert res.headline.estimate == pytest.approx(0.8, abs=0.03)
    assert res.period_end.isoformat() == "2023-12-31"
    assert res.estimates[1].unit == "rate ratio per year"
    for seasonality in ("fourier", "dummies"):
        with pytest.raises(SpecError, match="no season") as err:
            its.fit(s, intervention_date="2015-06-30", seasonality=seasonality)
        assert err.value.key == "seasonality"


def test_financial_year_series_read_from_period_text(tmp_path):
    from whatworks import data

    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(2015, 2025)]
    crimes = [100, 104, 98, 102, 100, 80, 83, 79, 81, 80]
    path = tmp_path / "annual.csv"
    pd.DataFrame({"year": years, "crimes": crimes}).to_csv(path, index=False)
    series = data.load_series(path, date_column="year", outcome_column="crimes")
    assert series.freq == "financial_year"
    # 1 October 2020 falls in 2020/21, which starts on 1 April 2020
    res = its.fit(series, intervention_date="1 October 2020", slope_change=False)
    assert res.series_frame["phase"].tolist() == ["before"] * 5 + ["during"] * 5
    assert res.period_start.isoformat() == "2015-04-01" and res.period_end.isoformat() == "2025-03-31"
    assert res.seasonality == "none"
    assert res.headline.estimate == pytest.approx(0.8, abs=0.03)
    # The start falls half-way through 2020/21, so that year is a transition period, left out.
    assert "4 financial years" in " ".join(res.summary_text)


def test_financial_quarters_use_quarterly_seasons():
    mu, _ = exact_counts(16, 12, base=60.0)
    s = make_series(mu * (1 + wiggle(28)), start="2017-04-01", freq="quarter")
    s = SeriesData(frame=s.frame, freq="financial_quarter", source="test.csv", outcome_label="incidents")
    res = its.fit(s, intervention_date="2021-04-01", seasonality="dummies")
    assert res.headline.estimate == pytest.approx(0.8, abs=0.03)
    with pytest.raises(SpecError, match="fourier_pairs"):
        its.fit(s, intervention_date="2021-04-01", fourier_pairs=3)


def test_autocorrelation_key_refuses_an_unknown_choice():
    from whatworks.simulate.its import simulate_counts

    s, truth = simulate_counts(1, n_pre=60, n_post=30, seasonal_amplitude=0.0)
    with pytest.raises(SpecError, match="valid choice"):
        its.fit(s, intervention_date=truth["intervention_date"], autocorrelation="newey")


@pytest.mark.parametrize("kind", ["count", "proportion", "continuous"])
def test_autocorrelation_ar1_states_the_correction_and_widens_an_autocorrelated_interval(kind):
    import dataclasses

    from whatworks.simulate.its import simulate_counts

    s, truth = simulate_counts(2, n_pre=104, n_post=52, seasonal_amplitude=0.0)
    frame = s.frame.copy()
    rng = np.random.default_rng(5)
    u = np.zeros(len(frame))
    for i in range(1, len(u)):
        u[i] = 0.7 * u[i - 1] + 0.15 * rng.normal()
    if kind == "count":
        frame["outcome"] = rng.poisson(30 * np.exp(u))
    elif kind == "proportion":
        frame["denominator"] = 200
        frame["outcome"] = rng.binomial(200, 1 / (1 + np.exp(1 - u)))
    else:
        frame["outcome"] = 50 + 10 * u + rng.normal(size=len(u))
    s = dataclasses.replace(s, frame=frame)
    fits = {a: its.fit(s, intervention_date=truth["intervention_date"], seasonality="none", outcome_type=kind,
                       autocorrelation=a) for a in ("ar1", "newey-west", "none")}
    level = {a: f.estimate("level_change").se for a, f in fits.items()}
    assert level["ar1"] > level["none"]
    assert any("autocorrelation: ar1, the default" in n for n in fits["ar1"].notes)
    assert any("Newey–West" in n for n in fits["newey-west"].notes)
    assert any("none, as the spec asked" in n for n in fits["none"].notes)
    assert its.fit(s, intervention_date=truth["intervention_date"], seasonality="none",
                   outcome_type=kind).estimate("level_change").se == level["ar1"]  # ar1 is the default


def test_ar1_whitening_and_gls_match_cholesky_and_statsmodels():
    """The Kalman whitening equals the Cholesky factor's; the GLS fit equals statsmodels GLS at the same
    correlation (to 1e-8)."""
    import statsmodels.api as sm

    from whatworks.designs.its.autocorrelation import gee_ar1, noise_corr, whiten

    rng = np.random.default_rng(3)
    n = 120
    X = np.column_stack([np.ones(n), np.arange(n), np.arange(n) >= 80])
    y = X @ [5.0, 0.1, -2.0] + rng.normal(size=n).cumsum() * 0.3 + rng.normal(size=n)
    c, rho = np.array([0.7]), np.array([0.8])
    L = np.linalg.cholesky(noise_corr(0.7, 0.8, n))
    np.testing.assert_allclose(whiten(c, rho, X[:, None, :])[:, 0, :], np.linalg.solve(L, X), atol=1e-10)
    beta, cov, _ = gee_ar1("continuous", y[:, None], X, np.zeros((n, 1)), None, np.zeros((1, 3)), c, rho)
    ref = sm.GLS(y, X, sigma=noise_corr(0.7, 0.8, n)).fit()
    np.testing.assert_allclose(beta[0], ref.params, rtol=1e-8)
    np.testing.assert_allclose(cov[0], ref.cov_params(), rtol=1e-8)


def test_ar1_estimate_matches_statsmodels_arima_on_a_gaussian_series():
    """On a Gaussian series with ARMA(1, 1) errors (an AR(1) plus noise), the REML estimates and the GLS
    coefficients agree with statsmodels' ARIMA(1, 0, 1) with the design as exog (exact maximum
    likelihood): the AR coefficient within 0.05, the lag-1 correlation within 0.05, the level change
    within a tenth of its standard error."""
    from statsmodels.tsa.arima.model import ARIMA

    from whatworks.designs.its.model import FAMILIES

    rng = np.random.default_rng(11)
    n = 400
    x = np.zeros(n)
    for i in range(1, n):
        x[i] = 0.6 * x[i - 1] + 0.8 * rng.normal()
    t = np.arange(n, dtype=float)
    X = np.column_stack([np.ones(n), t, t >= 300, np.where(t >= 300, t - 300, 0.0)])
    y = X @ [10.0, 0.01, 1.0, 0.0] + x + rng.normal(size=n)
    fit = FAMILIES["continuous"](y, X, np.zeros(n), None, "none", "ar1")
    ref = ARIMA(y, exog=X[:, 1:], order=(1, 0, 1), trend="c").fit()
    phi, theta = float(ref.params[4]), float(ref.params[5])
    lag1 = (1 + phi * theta) * (phi + theta) / (1 + 2 * phi * theta + theta**2)
    import re
    c, rho = (float(v) for v in re.search(r"correlation ([\d.]+) × ([-\d.]+)", fit.method).groups())
    assert rho == pytest.approx(phi, abs=0.05)
    assert c * rho == pytest.approx(lag1, abs=0.05)
    assert fit.params[2] == pytest.approx(ref.params[2], abs=0.1 * np.sqrt(fit.cov[2, 2]))
    assert np.sqrt(fit.cov[2, 2]) == pytest.approx(float(ref.bse[2]), rel=0.15)


def test_crimes_prevented_only_when_a_decrease_is_hoped_for():
    mu, _ = exact_counts(40, 30, level=1.2)
    res = its.fit(make_series(mu), intervention_date="2022-10-10", seasonality="none", improvement="increase")
    assert "crimes_prevented" not in [e.name for e in res.estimates]
    res = its.fit(make_series(mu), intervention_date="2022-10-10", seasonality="none")
    assert res.estimate("crimes_prevented").estimate < 0  # more than expected: negative crimes prevented
    assert "more" in res.summary_text[0]


@pytest.mark.parametrize("case", range(len(_ljung_box_inputs())))
def test_ljung_box_equals_statsmodels(case):
    """The independent implementation: statsmodels' acorr_ljungbox, to the last bit where it is defined."""
    from statsmodels.stats.diagnostic import acorr_ljungbox

    from whatworks.designs.its.model import ljung_box

    x, lags = _ljung_box_inputs()[case]
    q, p = ljung_box(x, lags)
    if lags < 1 or np.ptp(x) == 0:
        assert (q, p) == (0.0, 1.0)
        return
    row = acorr_ljungbox(x, lags=[lags]).iloc[0]
    assert (q, p) == (float(row["lb_stat"]), float(row["lb_pvalue"]))
