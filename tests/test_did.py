"""Difference-in-differences: known truths, inference regimes, checks, WDQ and bad input."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from whatworks.data import SeriesData
from whatworks.designs import did
from whatworks.designs.did.inference import headline, placebo_interval
from whatworks.designs.did.model import ESTIMATORS, design_rows, event_bins
from whatworks.designs.did.panel import build_panel
from whatworks.errors import DataError, SpecError
from whatworks.plots import Chart

PERIODS = 40
START = 20


def make_series(
    n_units: int = 16,
    treated: dict[int, int] | None = None,
    *,
    effect=0.8,
    buffers: dict[int, float] | None = None,
    base: float = 50.0,
    noise: bool = True,
    seed: int = 0,
    pre_trend: float = 0.0,
    fake_shift: float = 1.0,
    continuous: bool = False,
    periods: int = PERIODS,
) -> SeriesData:
    """A unit-by-week panel with known multiplicative effects.

    ``treated`` maps unit number to start column; ``effect`` is a number or
    a function (unit, periods since start) -> ratio; ``buffers`` maps unit
    number to a ratio from the first start; ``pre_trend`` adds a log-linear
    trend to treated units before their start; ``fake_shift`` multiplies
    treated units from the baseline midpoint until the start.
    """
    treated = {0: START} if treated is None else treated
    buffers = buffers or {}
    rng = np.random.default_rng(seed)
    units = [f"Area {i:02d}" for i in range(n_units)]
    dates = pd.date_range("2023-01-02", periods=periods, freq="7D")
    a = rng.normal(0, 0.3, n_units) if noise else np.linspace(-0.3, 0.3, n_units)
    g = rng.normal(0, 0.1, periods) if noise else 0.1 * np.sin(np.arange(periods))
    mu = base * np.exp(a[:, None] + g[None, :])
    first = min(treated.values())
    t = np.arange(periods)
    for i, s in treated.items():
        rel = t - s
        ratio = np.array([effect(i, r) if callable(effect) else effect for r in rel])
        mu[i] *= np.where(rel >= 0, ratio, 1.0)
        mu[i] *= np.exp(pre_trend * np.minimum(rel, 0))
        mu[i] *= np.where((t >= first // 2) & (t < s), fake_shift, 1.0)
    for i, ratio in buffers.items():
        mu[i] *= np.where(t >= first, ratio, 1.0)
    if continuous:
        y = np.log(mu) * 10 + (rng.normal(0, 0.5, mu.shape) if noise else 0)
    else:
        y = rng.poisson(mu).astype(float) if noise else mu
    frame = pd.DataFrame({
        "period": np.tile(dates.values, n_units),
        "unit": np.repeat(units, periods),
        "outcome": y.ravel(),
        "excluded": False,
        "deployments": rng.poisson(5, n_units * periods).astype(float),
    })
    frame["unit"] = frame["unit"].astype("str")
    return SeriesData(frame=frame, freq="week", source="test.csv", outcome_label="crime")


def units(*numbers: int) -> list[str]:
    return [f"Area {i:02d}" for i in numbers]


def date(col: int) -> str:
    return (pd.Timestamp("2023-01-02") + pd.Timedelta(weeks=col)).date().isoformat()


def fit(series: SeriesData, treated: dict[int, int] | None = None, **kw) -> did.DiDResult:
    treated = {0: START} if treated is None else treated
    dates = {u: date(c) for u, c in zip(units(*treated), treated.values())}
    starts = set(dates.values())
    kw.setdefault("n_boot", 199)
    return did.fit(series, treated_units=list(dates), intervention_date=dates if len(starts) > 1 else starts.pop(),
                   **kw)


# -- known truths ------------------------------------------------------------------------------------


def test_noise_free_counts_give_the_exact_rate_ratio():
    treated = {0: 20, 1: 20, 2: 20}
    res = fit(make_series(treated=treated, noise=False, effect=0.8), treated, comparison_rationale="x")
    assert res.estimator == "twfe"
    assert res.headline.estimate == pytest.approx(0.8, abs=1e-8)
    assert res.headline.scale == "ratio" and res.headline.measure == "rate ratio"


def test_noise_free_continuous_gives_the_exact_difference():
    # outcome = 10 log(mu): a ratio of 0.8 is a difference of 10 log(0.8)
    res = fit(make_series(treated={0: 20, 1: 20}, noise=False, effect=0.8, continuous=True), {0: 20, 1: 20},
              outcome_type="continuous")
    assert res.headline.estimate == pytest.approx(10 * math.log(0.8), abs=1e-8)
    assert res.headline.scale == "difference"


@pytest.mark.parametrize("continuous", [False, True])
def test_single_treated_unit_noise_free_is_exact(continuous):
    res = fit(make_series(n_units=8, noise=False, effect=0.75, continuous=continuous),
              outcome_type="continuous" if continuous else "count")
    assert res.estimator == "single" and res.regime == "placebo"
    expected = 10 * math.log(0.75) if continuous else 0.75
    assert res.headline.estimate == pytest.approx(expected, abs=1e-8)


def test_large_sample_recovers_the_rate_ratio_with_cluster_inference():
    treated = {i: 20 for i in range(22)}  # cluster-robust from 21 treated units
    res = fit(make_series(n_units=44, treated=treated, base=400, effect=0.85, seed=3), treated)
    est = res.headline
    assert est.estimate == pytest.approx(0.85, abs=0.015)
    assert est.ci_low < 0.85 < est.ci_high
    assert res.regime == "cluster"
    assert any("CR1" in n and "G/(G-1)" in n and "G-1 degrees of freedom" in n for n in res.notes)


def test_staggered_imputation_is_exact_where_two_way_is_biased():
    # cohort 1 deepens over time, cohort 2 is smaller: the plain two-way estimator is biased
    treated = {0: 10, 1: 10, 2: 10, 3: 28}

    def effect(unit, rel):
        return 0.95 if unit == 3 else math.exp(math.log(0.6) * min(1.0, (rel + 1) / 10))

    series = make_series(n_units=14, treated=treated, noise=False, effect=effect)
    res = fit(series, treated)
    panel = build_panel(series, units(*treated), {u: date(c) for u, c in zip(units(*treated), treated.values())},
                        None, None, "count")
    y = panel.y
    d = np.arange(PERIODS)[None, :] >= panel.start[:, None]
    mu0 = y.copy()
    for i, s in enumerate(panel.start[:4]):
        rel = np.arange(PERIODS) - s
        mu0[i] = y[i] / np.where(rel >= 0, [effect(i, r) for r in rel], 1.0)
    truth = y[:4][d[:4]].sum() / mu0[:4][d[:4]].sum()
    assert res.estimator == "imputation"
    assert res.headline.estimate == pytest.approx(truth, rel=1e-6)
    assert abs(res.estimate("did_twfe").estimate - truth) > 0.02
    assert res.estimate(f"did.{date(28)}").estimate == pytest.approx(0.95, rel=1e-6)
    assert res.check("staggered_twfe").status == "info"
    assert "has one unit" in res.check("coarse_cohort_interval").message  # the cohort of Area 03
    assert any("Borusyak" in n for n in res.notes)


def test_exposure_offset_turns_counts_into_rates():
    series = make_series(treated={0: 20, 1: 20}, noise=False, effect=0.7)
    frame = series.frame.copy()
    exposure = np.where(frame["unit"] == "Area 05", 3.0, 1.0) * np.where(frame["period"] >= pd.Timestamp(date(30)),
                                                                          2.0, 1.0)
    frame["exposure"] = exposure
    frame["outcome"] = frame["outcome"] * exposure
    res = fit(dataclasses.replace(series, frame=frame), {0: 20, 1: 20})
    assert res.headline.estimate == pytest.approx(0.7, abs=1e-8)


def test_excluded_periods_and_activity_columns_do_not_enter_the_model():
    series = make_series(treated={0: 20, 1: 20, 2: 20}, seed=4)
    base = fit(series, {0: 20, 1: 20, 2: 20}).headline.estimate
    frame = series.frame.copy()
    frame["deployments"] = np.arange(len(frame), dtype=float) ** 2
    assert fit(dataclasses.replace(series, frame=frame), {0: 20, 1: 20, 2: 20}).headline.estimate == base
    hit = (frame["unit"] == "Area 00") & (frame["period"] == pd.Timestamp(date(25)))
    frame.loc[hit, "outcome"] = 1e6
    shifted = fit(dataclasses.replace(series, frame=frame), {0: 20, 1: 20, 2: 20}).headline.estimate
    frame["excluded"] = hit
    kept_out = fit(dataclasses.replace(series, frame=frame), {0: 20, 1: 20, 2: 20}).headline.estimate
    assert shifted > 2 * base
    assert kept_out == pytest.approx(base, abs=0.03)


# -- inference regimes -------------------------------------------------------------------------------


@pytest.mark.parametrize("n_units, level, reachable", [(13, "85%", False), (21, "90%", True), (40, "95%", True)])
def test_one_treated_unit_interval_is_labelled_with_its_real_coverage(n_units, level, reachable):
    # M comparison units: the [min, max] placebo interval covers with probability (M - 1) / (M + 1),
    # 11/13 = 85% at M = 12 and 19/21 = 90% at M = 20; 39 give exactly 95% (then no label is added).
    res = fit(make_series(n_units=n_units, treated={0: 20}, seed=3), {0: 20})
    head = res.headline
    assert res.regime == "placebo"
    assert head.interval_words(digits=3).startswith(f"{level} CI ")
    assert (head.ci_level is None) == (level == "95%")
    assert ("ci_level" in head.to_dict()) == (level != "95%")
    assert res.table().rows[0][2].startswith(f"{level} CI") == (level != "95%")
    message = res.check("coarse_interval").message
    assert ("cannot show an effect at the 5% level" in message) == (not reachable)


@pytest.mark.parametrize("n_treated, regime", [(21, "cluster"), (20, "wild"), (10, "wild"), (2, "wild"),
                                             (1, "placebo")])
def test_regime_follows_the_number_of_treated_units(n_treated, regime):
    treated = {i: 20 for i in range(n_treated)}
    res = fit(make_series(n_units=24, treated=treated, seed=n_treated), treated)
    assert res.regime == regime
    assert res.extra()["did"]["inference"] == regime
    assert res.extra()["did"]["n_treated"] == n_treated
    coarse = [c.status for c in res.checks if c.name == "coarse_interval"]
    assert coarse == (["warn"] if regime == "placebo" else [])


def test_wild_bootstrap_is_reproducible_from_the_recorded_seed():
    treated = {0: 20, 1: 20, 2: 20, 3: 20}
    series = make_series(treated=treated, seed=8)
    a, b = fit(series, treated, seed=11), fit(series, treated, seed=11)
    c = fit(series, treated, seed=12)
    assert a.headline.ci_low == b.headline.ci_low and a.extra()["did"]["seed"] == 11
    assert a.headline.ci_low != c.headline.ci_low
    assert any("Webb" in n for n in a.notes) and any("seed 11" in n for n in a.notes)


def test_placebo_p_value_is_the_rank_among_placebos():
    series = make_series(n_units=10, treated={0: 20}, effect=0.3, base=200, seed=2)
    res = fit(series)
    assert res.headline.p_value == pytest.approx(1 / 10)  # 9 placebos, treated is the most extreme
    assert "placebo in space" in " ".join(res.notes)


def test_placebo_interval_order_statistics_and_coverage():
    out = placebo_interval(-0.2, np.arange(1, 40) / 100)  # 39 placebos 0.01..0.39
    assert out.coverage == pytest.approx(0.95)
    assert out.ci_low == pytest.approx(-0.2 - 0.39) and out.ci_high == pytest.approx(-0.2 - 0.01)
    few = placebo_interval(-0.2, np.array([-0.1, 0.0, 0.1, 0.2]))
    assert few.coverage == pytest.approx(3 / 5)
    assert few.p_value == pytest.approx(2 / 5)  # only |0.2| is as extreme as |-0.2|: (1 + 1) / 5


# -- checks ------------------------------------------------------------------------------------------


def test_parallel_trends_warns_on_a_pre_trend_and_passes_without():
    treated = {i: 20 for i in range(6)}
    good = fit(make_series(n_units=20, treated=treated, base=300, seed=5), treated, comparison_rationale="x")
    bad = fit(make_series(n_units=20, treated=treated, base=300, seed=5, pre_trend=0.03), treated,
              comparison_rationale="x")
    assert good.check("parallel_trends").status == "pass"
    assert bad.check("parallel_trends").status == "warn"
    assert "Parallel-trends doubt" in bad.check("parallel_trends").message
    for r in (good, bad):
        assert "does not prove" in r.check("parallel_trends").message
    assert good.evidence.sms_level == 3
    assert bad.evidence.sms_level == 2 and "parallel-trends doubt" in bad.evidence.explanation


def test_event_study_bins_stay_well_below_the_number_of_units():
    for n_units in (4, 6, 20, 60):
        leads, lags = event_bins(np.array([20] + [40] * (n_units - 1)), 40, n_units)
        assert len(leads) <= min(4, n_units - 2)
        assert lags[0][0] == 0 and lags[-1][1] == 19
    res = fit(make_series(n_units=20, treated={i: 20 for i in range(4)}, noise=False, effect=0.7),
              {i: 20 for i in range(4)})
    lags = [b for b in res.event_study if b["kind"] == "lag"]
    leads = [b for b in res.event_study if b["kind"] == "lead"]
    assert all(b["estimate"] == pytest.approx(0.7, abs=1e-6) for b in lags)
    assert leads and all(b["estimate"] == pytest.approx(1.0, abs=1e-6) for b in leads)


def test_placebo_in_time_warns_on_a_shift_before_the_start_only():
    treated = {i: 20 for i in range(6)}
    clean = fit(make_series(n_units=20, treated=treated, base=300, seed=6), treated)
    shifted = fit(make_series(n_units=20, treated=treated, base=300, seed=6, fake_shift=0.7), treated)
    assert clean.check("placebo_in_time").status == "pass"
    assert shifted.check("placebo_in_time").status == "warn"
    assert shifted.estimate("placebo_in_time").estimate == pytest.approx(0.7, abs=0.05)


@pytest.mark.parametrize("ratio, words, status", [
    (1.4, "Crime appears to have moved", "warn"),
    (0.7, "Benefits appear to have spread", "info"),
    (1.0, "No evidence either way", "info"),
])
def test_displacement_words_follow_the_buffer_interval(ratio, words, status):
    treated = {i: 20 for i in range(4)}
    series = make_series(n_units=20, treated=treated, buffers={4: ratio, 5: ratio, 6: ratio}, base=300, seed=7)
    res = fit(series, treated, buffer_units=units(4, 5, 6))
    assert res.check("displacement").status == status
    assert res.check("displacement").message.startswith(words)
    assert words in " ".join(res.summary_text)
    assert res.estimate("buffer_did").estimate == pytest.approx(ratio, abs=0.06)


def test_without_buffers_displacement_is_not_assessed():
    res = fit(make_series())
    assert res.check("displacement").status == "info"
    assert "not assessed" in res.check("displacement").message
    with pytest.raises(KeyError):
        res.estimate("wdq")


def test_staggered_check_only_when_starts_differ():
    names = {c.name for c in fit(make_series(treated={0: 20, 1: 20}), {0: 20, 1: 20}).checks}
    assert "staggered_twfe" not in names and "coarse_cohort_interval" not in names


# -- WDQ ---------------------------------------------------------------------------------------------


def test_wdq_against_hand_computed_values():
    # (Ba/Ca - Bb/Cb) / (Ra/Ca - Rb/Cb)
    assert did.wdq(100, 80, 50, 40, 200, 200) == pytest.approx((40 / 200 - 50 / 200) / (80 / 200 - 100 / 200))
    assert did.wdq(120, 90, 60, 66, 300, 250) == pytest.approx(-1.6)
    assert did.wdq(100, 100, 50, 60, 200, 200) is None


def test_wdq_estimate_uses_the_group_totals():
    treated = {0: 20, 1: 20}
    series = make_series(n_units=12, treated=treated, buffers={2: 1.2}, seed=9)
    res = fit(series, treated, buffer_units=units(2))
    f = series.frame
    after = f["period"] >= pd.Timestamp(date(20))

    def tot(names, when):
        return f.loc[f["unit"].isin(names) & when, "outcome"].sum()

    comp = units(*range(3, 12))
    expected = (tot(units(2), after) / tot(comp, after) - tot(units(2), ~after) / tot(comp, ~after)) / (
        tot(units(0, 1), after) / tot(comp, after) - tot(units(0, 1), ~after) / tot(comp, ~after))
    assert res.estimate("wdq").estimate == pytest.approx(expected)
    assert res.extra()["did"]["wdq"] == pytest.approx(expected)


# -- crimes prevented and the total net effect --------------------------------------------------------


def test_total_net_effect_equals_the_guides_formula_on_a_worked_example():
    # Guerette (2009), POP tool guide 10, appendix B: TNE = [Rb(Ca/Cb) - Ra] + [Db(Ca/Cb) - Da].
    # Worked by hand: Rb = 120, Ra = 84, Db = 60, Da = 63, Cb = 1000, Ca = 950, so Ca/Cb = 0.95;
    # treated part 120 x 0.95 - 84 = 30 crimes prevented; buffer part 60 x 0.95 - 63 = -6 (six
    # crimes displaced); TNE = 24. Success measure 84/950 - 120/1000 = -0.0315789 (the response
    # worked); buffer measure 63/950 - 60/1000 = 0.0063158 (possible displacement); WDQ = -0.2.
    m = did.guide_measures(rb=120, ra=84, db=60, da=63, cb=1000, ca=950)
    assert m["treated"] == pytest.approx(30.0)
    assert m["buffer"] == pytest.approx(-6.0)
    assert m["net"] == pytest.approx(24.0)
    assert m["success_measure"] == pytest.approx(-0.0315789, abs=1e-7)
    assert m["buffer_measure"] == pytest.approx(0.0063158, abs=1e-7)
    assert did.wdq(120, 84, 60, 63, 1000, 950) == pytest.approx(-0.2)
    assert m["buffer_measure"] / m["success_measure"] == pytest.approx(-0.2)


def test_net_effect_estimates_use_the_group_totals_with_intervals():
    treated = {0: 20, 1: 20}
    series = make_series(n_units=12, treated=treated, buffers={2: 1.2}, seed=9, effect=0.6, base=200)
    res = fit(series, treated, buffer_units=units(2))
    f = series.frame
    after = f["period"] >= pd.Timestamp(date(20))

    def tot(names, when):
        return float(f.loc[f["unit"].isin(names) & when, "outcome"].sum())

    comp = units(*range(3, 12))
    rb, ra = tot(units(0, 1), ~after), tot(units(0, 1), after)
    db, da = tot(units(2), ~after), tot(units(2), after)
    cb, ca = tot(comp, ~after), tot(comp, after)
    net = res.estimate("crimes_prevented_net")
    assert net.estimate == pytest.approx((rb * ca / cb - ra) + (db * ca / cb - da))
    assert res.estimate("net_effect_treated").estimate == pytest.approx(rb * ca / cb - ra)
    assert res.estimate("net_effect_buffer").estimate == pytest.approx(db * ca / cb - da)
    assert res.estimate("success_measure").estimate == pytest.approx(ra / ca - rb / cb)
    assert res.estimate("buffer_measure").estimate == pytest.approx(da / ca - db / cb)
    for name in ("crimes_prevented_net", "net_effect_treated", "net_effect_buffer", "success_measure"):
        e = res.estimate(name)
        assert e.ci_low < e.estimate < e.ci_high, name
    assert net.unit == "crimes" and net.scale == "count"
    assert res.estimate("net_effect_buffer").estimate < 0  # crime moved to the buffer
    assert res.summary_text[0].startswith("Net of displacement, about")
    payload = json.loads(json.dumps(res.to_dict()))
    assert {"crimes_prevented", "crimes_prevented_net"} <= {e["name"] for e in payload["estimates"]}


def test_crimes_prevented_is_the_imputed_minus_the_observed_count():
    treated = {0: 20, 1: 24, 2: 20}
    series = make_series(treated=treated, effect=0.7, base=100, seed=4)
    res = fit(series, treated)
    assert res.estimator == "imputation"
    panel = build_panel(series, units(*treated), {u: date(c) for u, c in zip(units(*treated), treated.values())},
                        None, None, "count")
    rows, start = design_rows(panel)
    cells = np.arange(PERIODS)[None, :] >= start[:, None]
    from whatworks.designs.did.fixed_effects import fit_fe
    untreated = fit_fe(panel.y[rows], panel.mask[rows] & ~cells, family="poisson", offset=panel.offset[rows])
    observed = panel.y[rows][cells].sum()
    imputed = untreated.mu[cells].sum()
    e = res.estimate("crimes_prevented")
    assert e.estimate == pytest.approx(imputed - observed, rel=1e-6)
    # The interval is the rate ratio's carried through observed / RR - observed.
    rr = res.headline
    assert e.ci_low == pytest.approx(observed / rr.ci_high - observed, rel=1e-9)
    assert e.ci_high == pytest.approx(observed / rr.ci_low - observed, rel=1e-9)
    assert e.unit == "crimes" and e.scale == "count" and e.estimate > 0
    end = res.estimate("crimes_prevented_end")
    assert end.unit == "crimes per week" and end.ci_low < end.estimate < end.ci_high


def test_no_crimes_prevented_when_an_increase_is_hoped_for():
    res = fit(make_series(), improvement="increase")
    assert not {"crimes_prevented", "crimes_prevented_end"} & {e.name for e in res.estimates}


def test_the_wdq_is_read_only_when_the_operation_worked():
    # No effect at the treated units: the WDQ can be positive by chance, but it is not read.
    treated = {0: 20, 1: 20}
    series = make_series(n_units=12, treated=treated, buffers={2: 0.8}, effect=1.0, seed=3)
    res = fit(series, treated, buffer_units=units(2))
    success = res.estimate("success_measure")
    assert not success.ci_high < 0
    assert res.wdq_reading.startswith("The WDQ is not read here")
    assert "benefits spread" not in res.wdq_reading
    # A working operation with diffusion larger than its direct effect: WDQ above 1.
    series = make_series(n_units=12, treated=treated, buffers={2: 0.5}, effect=0.8, seed=3, base=300)
    res = fit(series, treated, buffer_units=units(2))
    assert res.estimate("success_measure").ci_high < 0 and res.wdq > 1
    assert "diffusion was larger than the direct effect" in res.wdq_reading
    assert did.net_effect_words(res.estimates)[0].startswith("On the totals before and after the first start")


# -- evidence, words, outputs ------------------------------------------------------------------------


def test_evidence_and_causal_wording():
    series = make_series(treated={0: 20, 1: 20}, base=300, seed=10, effect=0.7)
    with_reason = fit(series, {0: 20, 1: 20}, comparison_rationale="Areas with similar 2022 crime.")
    without = fit(series, {0: 20, 1: 20})
    assert with_reason.evidence.sms_level == 3
    assert "fell by an estimated" in with_reason.summary_text[0]
    assert without.evidence.sms_level == 2 and "comparison_rationale" in without.evidence.explanation
    assert "association" in " ".join(without.summary_text)
    assert "estimated" not in without.summary_text[0]


def test_result_is_serialisable_and_charts_state_the_finding():
    res = fit(make_series(treated={0: 20, 1: 20}), {0: 20, 1: 20}, buffer_units=units(2))
    payload = json.loads(json.dumps(res.to_dict()))
    assert payload["did"]["estimator"] == "twfe" and payload["did"]["n_comparison"] == 13
    assert payload["estimates"][0]["name"] == "did" and payload["estimates"][0]["headline"]
    chart, es = res.plot(), did.plot_event_study(res)
    assert isinstance(chart, Chart) and isinstance(es, Chart)
    assert f"{abs(res.headline.estimate - 1) * 100:.0f}%" in chart.alt
    assert "joint test" in es.alt
    assert len(did.event_study_table(res).rows) == len(res.event_study)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.seed = 1


def test_fit_matches_the_internal_headline_used_by_the_simulations():
    series = make_series(treated={0: 20, 1: 20, 2: 20}, seed=12)
    res = fit(series, {0: 20, 1: 20, 2: 20}, seed=5)
    panel = build_panel(series, units(0, 1, 2), date(20), None, None, "count")
    out = headline(panel, seed=5, n_boot=199)["did"]
    assert res.headline.estimate == pytest.approx(math.exp(out.estimate))
    assert res.headline.ci_low == pytest.approx(math.exp(out.ci_low))
    rows, start = design_rows(panel)
    assert ESTIMATORS["twfe"](panel.y[rows], panel.offset[rows], panel.mask[rows], start,
                              "poisson")["did"].estimate == pytest.approx(out.estimate)


# -- bad input ---------------------------------------------------------------------------------------


def test_treated_unit_not_in_data_suggests_close_names():
    with pytest.raises(SpecError, match=r"'Area07': unit is not in the data.*Did you mean 'Area 07'") as err:
        did.fit(make_series(), treated_units=["Area07"], intervention_date=date(20))
    assert err.value.key == "treated_units"


def test_treated_unit_differing_in_case_or_spaces_is_named():
    with pytest.raises(SpecError, match="'area  00'.*Did you mean 'Area 00'"):
        did.fit(make_series(), treated_units=["area  00"], intervention_date=date(20))


def test_units_differing_only_in_case_or_spaces_in_the_data():
    series = make_series()
    frame = series.frame.copy()
    frame.loc[frame["unit"] == "Area 03", "unit"] = "area 01 "
    with pytest.raises(DataError, match="'Area 01' and 'area 01 ' differ only in capital letters or spaces"):
        did.fit(dataclasses.replace(series, frame=frame), treated_units=["Area 00"], intervention_date=date(20))


def test_unit_with_missing_periods_is_named():
    series = make_series()
    frame = series.frame
    frame = frame.loc[~((frame["unit"] == "Area 07") & (frame["period"] == pd.Timestamp(date(5))))]
    with pytest.raises(DataError, match=rf"missing periods: 'Area 07' \(first missing {date(5)}\)"):
        did.fit(dataclasses.replace(series, frame=frame), treated_units=["Area 00"], intervention_date=date(20))


def test_no_comparison_unit_left():
    series = make_series(n_units=3)
    with pytest.raises(SpecError, match="no comparison unit is left") as err:
        did.fit(series, treated_units=["Area 00"], buffer_units=["Area 01", "Area 02"], intervention_date=date(20))
    assert err.value.key == "comparison_units"


def test_no_pre_period_for_a_unit():
    with pytest.raises(SpecError, match="'Area 01' has no period before its start") as err:
        did.fit(make_series(), treated_units=["Area 00", "Area 01"],
                intervention_date={"Area 00": date(20), "Area 01": "2022-12-01"})
    assert err.value.key == "intervention_date"


@pytest.mark.parametrize("kw, match", [
    (dict(comparison_units=["Area 00", "Area 05"]), "'Area 00' listed as treated and in comparison_units"),
    (dict(buffer_units=["Area 00"]), "'Area 00' listed as treated and in buffer_units"),
    (dict(comparison_units=["Area 04"], buffer_units=["Area 04"]), "'Area 04' listed as comparison and buffer"),
])
def test_unit_in_two_groups(kw, match):
    with pytest.raises(SpecError, match=match):
        did.fit(make_series(), treated_units=["Area 00"], intervention_date=date(20), **kw)


@pytest.mark.parametrize("dates, match", [
    ({"Area 00": date(20), "Area 09": date(20)}, "dates are given for 'Area 09', which are not in treated_units"),
    ({"Area 00": date(20)}, "no start date for 'Area 01'"),
    ("05/06/2023", "'05/06/2023' can be read as 5 June 2023 .* or 6 May 2023"),
    ("soon", "'soon' is not a date"),
])
def test_bad_intervention_dates(dates, match):
    with pytest.raises(SpecError, match=match):
        did.fit(make_series(), treated_units=["Area 00", "Area 01"], intervention_date=dates)


def test_intervention_dates_are_read_as_everywhere_else():
    # 20/05/2023 can only be 20 May 2023: day first, as every whatworks date
    series = make_series()
    for given in ("20/05/2023", "20 May 2023", "2023-05-20"):
        panel = build_panel(series, ["Area 00"], given, None, None, "count")
        assert panel.periods[panel.start[0]] == pd.Timestamp("2023-05-22")  # the next Monday


def test_quarterly_panel_read_from_period_text(tmp_path):
    from whatworks import data

    quarters = [f"{y} Q{q}" for y in range(2018, 2024) for q in range(1, 5)]
    rows = [(f"Area {i:02d}", q, round((40 + 5 * i) * (1 + 0.1 * math.sin(t + i))
                                       * (0.75 if i < 2 and t >= 12 else 1.0)))
            for i in range(8) for t, q in enumerate(quarters)]
    path = tmp_path / "quarters.csv"
    pd.DataFrame(rows, columns=["area", "quarter", "crimes"]).to_csv(path, index=False)
    series = data.load_series(path, date_column="quarter", outcome_column="crimes", unit_column="area")
    assert series.freq == "quarter"
    res = did.fit(series, treated_units=["Area 00", "Area 01"], intervention_date="1 January 2021",
                  n_boot=199)
    assert res.starts == ("2021-01-01", "2021-01-01")
    assert res.period_start.isoformat() == "2018-01-01" and res.period_end.isoformat() == "2023-12-31"
    assert res.headline.estimate == pytest.approx(0.75, abs=0.03)


@pytest.mark.parametrize("kw, key", [
    (dict(outcome_type="rate"), "outcome_type"),
    (dict(improvement="down"), "improvement"),
    (dict(n_boot=10), "n_boot"),
    (dict(event_window=[5]), "event_window"),
])
def test_bad_options(kw, key):
    with pytest.raises(SpecError) as err:
        did.fit(make_series(), treated_units=["Area 00"], intervention_date=date(20), **kw)
    assert err.value.key == key


def test_duplicate_rows_for_a_unit_and_period_are_named():
    series = make_series()
    frame = series.frame
    dup = frame.loc[(frame["unit"] == "Area 02") & (frame["period"] == pd.Timestamp(date(3)))]
    with pytest.raises(DataError, match=rf"more than one row for the same unit and period \(Area 02 {date(3)}\)"):
        did.fit(dataclasses.replace(series, frame=pd.concat([frame, dup])), treated_units=["Area 00"],
                intervention_date=date(20))


def test_dates_from_yaml_and_event_window():
    import datetime as dt

    treated = {0: 20, 1: 20}
    series = make_series(treated=treated, seed=13)
    res = did.fit(series, treated_units=units(0, 1), intervention_date=dt.date.fromisoformat(date(20)),
                  event_window=[-8, 9], n_boot=199)
    lags = [b for b in res.event_study if b["kind"] == "lag"]
    leads = [b for b in res.event_study if b["kind"] == "lead"]
    assert lags[-1]["to"] == 9 and leads[0]["from"] >= -10
    assert res.headline.estimate == pytest.approx(fit(series, treated).headline.estimate)


def test_ww_panel_is_the_difference_in_differences_panel_module():
    import whatworks as ww
    from whatworks.designs.did import panel

    assert ww.panel is panel
    assert ww.panel.build_panel is did.build_panel and ww.panel.Panel is did.Panel
    series = make_series(n_units=6)
    assert ww.panel.build_panel(series, ["Area 00"], date(20), None, None, "count").y.shape == (6, PERIODS)


def test_maryland_level_3_needs_a_pre_trend_test_that_ran():
    # One period before the start: too few to test parallel trends, so the comparison stays at
    # level 2 even with a stated rationale.
    series = make_series(treated={0: 1, 1: 1}, base=300, seed=10, effect=0.7)
    res = fit(series, {0: 1, 1: 1}, comparison_rationale="Areas with similar 2022 crime.")
    assert res.check("parallel_trends").message.startswith("Too few periods before the start")
    assert res.evidence.sms_level == 2
    assert "parallel trends untested" in res.evidence.explanation


def test_staggered_pre_trend_test_runs_per_cohort_and_names_its_cohorts():
    # The earliest cohort has one period before its start, too few to test; most treated units
    # start three or four periods in. The pooled test covers the cohorts that can be tested, names
    # them and the one left out, and the comparison reaches level 3.
    starts = {0: 1, 1: 3, 2: 3, 3: 3, 4: 4, 5: 4, 6: 4}
    series = make_series(n_units=30, treated=starts, seed=21, periods=16)
    res = fit(series, starts, comparison_rationale="Areas with similar 2022 crime.")
    assert res.estimator == "imputation" and res.pretrend_p is not None
    assert res.pretrend_cohorts == (date(3), date(4))
    message = res.check("parallel_trends").message
    assert "covering the cohorts starting 23 January 2023 and 30 January 2023" in message
    assert ("not covered, with too few periods before the start or one unit only: the cohort starting "
            "9 January 2023") in message
    assert res.evidence.sms_level == 3
    assert res.to_dict()["did"]["pretrend_cohorts"] == [date(3), date(4)]
    # The placebo in time needs four periods before a start: only the last cohort has them.
    placebo = res.check("placebo_in_time").message
    assert "for the cohort starting 30 January 2023" in placebo and "23 January 2023" in placebo
    assert any("Pre-trend test with staggered starts" in n for n in res.notes)


def test_one_start_pre_trend_test_is_the_event_study_leads():
    # With one start the pooled test's bins are the event study's leads, tested as before.
    series = make_series(treated={0: 20, 1: 20, 2: 20}, seed=4)
    res = fit(series, {0: 20, 1: 20, 2: 20})
    leads = [(b["from"], b["to"]) for b in res.event_study if b["kind"] == "lead"]
    assert leads and res.pretrend_cohorts == (date(20),)
    assert f"joint test of {len(leads)} pre-period bins," in res.check("parallel_trends").message
