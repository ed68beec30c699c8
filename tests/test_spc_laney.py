"""The before-after SPC section's p′ (Laney) chart for a proportion with a denominator.

Each unit chart of a proportion carries Laney's p′ limits from the same
baseline as its XmR limits, extended forward and kept within 0–100%; a count
has none. The numbers are checked against a hand computation written out in
the test (Laney 2002, "Improved control charts for attributes", Quality
Engineering 14(4): p̄ = Σx/Σn, z_i = (p_i − p̄)/√(p̄(1 − p̄)/n_i),
σ_z = mean moving range of z / 1.128, limits p̄ ± 3·σ_z·√(p̄(1 − p̄)/n_i)).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import EVALUATIONS, ROOT
from whatworks.data import SeriesData
from whatworks.designs import spc
from whatworks.designs.spc.plots import plot_laney
from whatworks.designs.spc.words import laney_sentence

#: A small monthly proportion: 8 months before the change, 4 from it.
NUM = np.array([30.0, 41, 28, 36, 33, 45, 29, 38, 60, 25, 58, 61])
DEN = np.array([300.0, 350, 280, 320, 310, 400, 260, 330, 340, 310, 320, 330])
CHANGE = "2024-09-01"


def _proportion(num: np.ndarray = NUM, den: np.ndarray = DEN, split: bool = False) -> SeriesData:
    """The series as a tidy frame; with ``split`` each month in two categories that add up to it."""
    periods = pd.date_range("2024-01-01", periods=len(num), freq="MS")
    if not split:
        frame = pd.DataFrame({"period": periods, "outcome": num, "denominator": den})
    else:
        half = pd.DataFrame({"period": periods, "outcome": num // 2, "denominator": den // 2, "group": "a"})
        rest = pd.DataFrame({"period": periods, "outcome": num - num // 2, "denominator": den - den // 2,
                             "group": "b"})
        frame = pd.concat([half, rest]).sort_values("period", kind="stable").reset_index(drop=True)
    frame["excluded"] = False
    return SeriesData(frame, "month", source="test.csv", outcome_label="positive outcomes")


def _by_hand(x: np.ndarray, n: np.ndarray, lo: int, hi: int) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Laney's p′ with the baseline ``x[lo:hi]``, written out step by step."""
    pbar = x[lo:hi].sum() / n[lo:hi].sum()
    sigma_p = np.sqrt(pbar * (1 - pbar) / n)
    z = (x / n - pbar) / sigma_p
    sigma_z = np.mean(np.abs(np.diff(z[lo:hi]))) / 1.128
    return pbar, sigma_z, pbar - 3 * sigma_z * sigma_p, pbar + 3 * sigma_z * sigma_p


def test_p_prime_limits_come_from_the_baseline_before_the_change_as_by_hand() -> None:
    res = spc.fit(_proportion(), intervention_date=CHANGE, improvement="increase", outcome_type="proportion",
                  denominator_column="crimes_recorded")
    (chart,) = res.units
    lan = chart.laney
    assert lan is not None
    pbar, sigma_z, lower, upper = _by_hand(NUM, DEN, 0, 8)
    # the first month written out: p̄ = 280/2550 from the eight months before the change
    assert pbar == pytest.approx(280 / 2550, rel=1e-12)
    assert lan.centre == pytest.approx(pbar, rel=1e-12)
    assert lan.sigma_z == pytest.approx(sigma_z, rel=1e-12)
    assert np.allclose(lan.lower, lower, rtol=1e-12) and np.allclose(lan.upper, upper, rtol=1e-12)
    assert lan.baseline == (0, 8)
    outside = [i for i in range(12) if not lower[i] <= NUM[i] / DEN[i] <= upper[i]]
    assert list(lan.outside) == outside and outside  # the months after the change that jumped
    # the XmR chart's limits come from the same eight months
    assert chart.phases[0].xmr.baseline == (0, 8)


def test_p_prime_pools_a_breakdown_and_follows_spc_baseline() -> None:
    res = spc.fit(_proportion(split=True), intervention_date=CHANGE, spc_baseline={"from": "2024-03-01",
                  "to": "2024-07-01"}, outcome_type="proportion")
    lan = res.units[0].laney
    assert lan is not None
    pbar, sigma_z, lower, upper = _by_hand(NUM, DEN, 2, 7)
    assert lan.centre == pytest.approx(pbar, rel=1e-12) and lan.sigma_z == pytest.approx(sigma_z, rel=1e-12)
    assert np.allclose(lan.upper, upper, rtol=1e-12) and np.allclose(lan.lower, lower, rtol=1e-12)
    assert np.allclose(lan.proportions, NUM / DEN, rtol=1e-12)


def test_p_prime_keeps_the_first_baseline_when_the_xmr_chart_rebases() -> None:
    res = spc.fit(_proportion(), intervention_date=CHANGE, spc_rebase="at_change", outcome_type="proportion")
    chart = res.units[0]
    assert len(chart.phases) == 2 and chart.laney is not None
    assert chart.laney.centre == pytest.approx(_by_hand(NUM, DEN, 0, 8)[0], rel=1e-12)
    assert len(chart.laney.proportions) == 12  # extended over the periods after the change
    assert any("new phase" in n for n in res.notes if "p′" in n)


def test_excluded_periods_are_left_out_of_the_p_prime_chart() -> None:
    data = _proportion()
    frame = data.frame.assign(excluded=data.frame["period"] == pd.Timestamp("2024-03-01"))
    res = spc.fit(SeriesData(frame, "month", source="t.csv"), intervention_date=CHANGE,
                  outcome_type="proportion")
    lan = res.units[0].laney
    assert lan is not None and len(lan.proportions) == 11
    keep = np.arange(12) != 2
    assert lan.centre == pytest.approx(_by_hand(NUM[keep], DEN[keep], 0, 7)[0], rel=1e-12)


def test_p_prime_limits_never_leave_0_to_100_per_cent() -> None:
    num = np.array([0.0, 5, 1, 5, 0, 4, 5, 0, 5, 5])
    den = np.full(10, 5.0)
    res = spc.fit(_proportion(num, den), intervention_date="2024-07-01", outcome_type="proportion")
    lan = res.units[0].laney
    assert lan is not None
    assert min(lan.lower) == 0.0 and max(lan.upper) == 1.0
    assert all(0.0 <= v <= 1.0 for v in lan.lower + lan.upper)
    points = res.to_spc_dict()["units"][0]["laney"]["points"]
    assert all(0.0 <= p["lower_limit"] <= p["upper_limit"] <= 1.0 for p in points)


def test_results_json_carries_the_p_prime_chart_and_its_points_outside() -> None:
    res = spc.fit(_proportion(), intervention_date=CHANGE, improvement="increase", outcome_type="proportion")
    unit = json.loads(json.dumps(res.to_spc_dict()))["units"][0]
    lan = unit["laney"]
    assert set(lan) == {"centre", "sigma_z", "baseline_start", "baseline_end", "points", "outside"}
    assert (lan["baseline_start"], lan["baseline_end"]) == ("2024-01-01", "2024-08-01")
    assert len(lan["points"]) == 12 and set(lan["points"][0]) == {"date", "value", "lower_limit", "upper_limit"}
    assert lan["outside"] and all(set(o) == {"date", "direction"} for o in lan["outside"])
    high = {o["date"] for o in lan["outside"] if o["direction"] == "improving"}
    assert {"2024-09-01", "2024-11-01", "2024-12-01"} <= high  # rates up, and up is better
    assert {o["date"]: o["direction"] for o in lan["outside"]}.get("2024-10-01") == "concerning"
    down = spc.fit(_proportion(), intervention_date=CHANGE, improvement="decrease", outcome_type="proportion")
    assert down.to_spc_dict()["units"][0]["laney"]["outside"][0]["direction"] == "concerning"


def test_the_sentence_names_the_months_outside_and_the_method_note_explains_p_prime() -> None:
    res = spc.fit(_proportion(), intervention_date=CHANGE, improvement="increase", outcome_type="proportion",
                  denominator_column="crimes_recorded")
    chart = res.units[0]
    words = laney_sentence(chart, "month", "crimes recorded")
    assert words is not None and words in res.summary_text
    assert words.startswith("On the p′ chart (Laney), whose limits allow for the varying number of crimes recorded "
                            "each month, the baseline proportion was 11.0%")
    n = len(chart.laney_outside())
    assert f"{n} of 12 months fall outside their limits" in words
    assert "September 2024" in words and "October 2024" in words and f"({n} after the change)" in words
    notes = " ".join(res.notes)
    assert "Laney 2002" in notes and "Quality Engineering 14(4)" in notes and "1.128" in notes
    charts = res.plot().charts
    assert [c.caption for c in charts] == [
        "XmR chart of positive outcomes, NHS England 'Making Data Count' rules",
        "p′ chart (Laney): limits allow for the varying number of crimes recorded each month",
    ]
    assert charts[1].alt == words


def test_a_month_within_its_limits_reads_as_none_outside() -> None:
    num = np.array([30.0, 33, 29, 31, 32, 30, 31, 29, 30, 32])
    den = np.full(10, 300.0)
    chart = spc.fit(_proportion(num, den), outcome_type="proportion").units[0]
    words = laney_sentence(chart, "month")
    assert words is not None and "overall proportion" in words and "no month falls outside its limits" in words


def test_many_units_count_the_p_prime_charts_in_words_and_draw_one_grid() -> None:
    one = _proportion().frame
    frame = pd.concat([one.assign(unit=f"Area {k:02d}") for k in range(14)], ignore_index=True)
    res = spc.fit(SeriesData(frame, "month", source="t.csv"), intervention_date=CHANGE, outcome_type="proportion")
    assert all(u.laney is not None for u in res.units)
    assert len(res.plot().charts) == 1  # the grid of XmR charts only
    assert "On the p′ charts (Laney), 14 of 14 units have months outside their limits." in res.summary_text[1]
    assert any("the p′ charts are not drawn" in n for n in res.notes)


def test_a_count_series_has_no_p_prime_chart() -> None:
    frame = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=12, freq="MS"), "outcome": NUM})
    res = spc.fit(SeriesData(frame, "month", source="t.csv"), intervention_date=CHANGE)
    chart = res.units[0]
    assert chart.laney is None and chart.laney_outside() == () and chart.laney_dict() is None
    assert "laney" not in res.to_spc_dict()["units"][0]
    assert len(res.plot().charts) == 1
    assert not any("p′" in t for t in res.notes + res.summary_text)
    assert laney_sentence(chart, "month") is None


def test_the_shared_p_prime_drawing_serves_the_performance_pack() -> None:
    from whatworks.designs.performance import plots as performance_plots

    assert performance_plots._plot_laney is plot_laney  # one drawing for both templates


@pytest.mark.parametrize("months", [24, 36, 42, 60])
def test_p_prime_date_labels_never_overlap_beside_the_legend(monkeypatch: pytest.MonkeyPatch, months: int) -> None:
    from whatworks import plots
    from whatworks.designs.spc.rules import laney

    kept: list = []
    monkeypatch.setattr(plots.plt, "close", lambda fig: kept.append(fig))
    periods = pd.date_range("2021-04-01", periods=months, freq="MS")
    den = np.full(months, 4000.0)
    num = np.resize([400.0, 420, 390, 410, 430, 380], months)
    plot_laney(periods, laney(num, den), title="Rate: p′ chart", alt="a", caption="c", improvement="increase")
    monkeypatch.undo()
    assert kept and not plots.overlapping_tick_labels(kept[0])
    plots.plt.close(kept[0])


@pytest.mark.e2e
def test_crime_allocation_report_shows_the_p_prime_chart_and_sentence(tmp_path: Path) -> None:
    spec = EVALUATIONS / "crime-allocation-policy.yaml"
    done = subprocess.run([sys.executable, "-m", "whatworks", "run", str(spec), "--reports", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = tmp_path / "crime-allocation-policy"
    page = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
    caption = "p′ chart (Laney): limits allow for the varying number of crimes recorded each month"
    figures = re.findall(r"<figure[^>]*>.*?</figure>", page, re.S)
    (figure,) = [f for f in figures if caption in f]
    alt = re.search(r'<img [^>]*alt="([^"]*)"', figure)
    assert alt is not None and alt.group(1).startswith("On the p′ chart (Laney)")
    sentence = alt.group(1)
    assert re.search(r"\d+ of 42 months falls? outside (its|their) limits", sentence)
    assert sentence in page.replace(figure, "")  # the same sentence in the SPC section's words
    assert "Laney 2002" in page and "Quality Engineering 14(4)" in page  # the method notes
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    lan = results["spc"]["units"][0]["laney"]
    assert lan["baseline_end"] == "2024-03-01" and len(lan["points"]) == 42
    assert min(p["lower_limit"] for p in lan["points"]) >= 0 and max(p["upper_limit"] for p in lan["points"]) <= 1
