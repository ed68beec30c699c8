"""The quarterly performance pack: the p′ chart, icons, narrative numbers, quarters, bad input, speed."""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from whatworks import cli, index
from whatworks.designs import performance as perf
from whatworks.designs.performance.model import fit_measure
from whatworks.designs.performance.tables import matrix_order
from whatworks.designs.performance.words import narrative, signed
from whatworks.designs.spc import laney
from whatworks.errors import DataError, SpecError
from whatworks.evaluation import Evaluation
from whatworks.simulate.performance import SHIFT_FROM, demo_pack, simulate_pack
from whatworks.templates import performance

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "performance"

# -- Laney p' ---------------------------------------------------------------------------


def test_laney_limits_match_a_hand_computation() -> None:
    x = np.array([52.0, 61, 47, 70, 55, 49])
    n = np.array([500.0, 520, 480, 510, 505, 495])
    # by hand: pooled p, binomial sigma per month, z-scores, their moving-range sigma
    pbar = x.sum() / n.sum()
    sigma_p = np.sqrt(pbar * (1 - pbar) / n)
    z = (x / n - pbar) / sigma_p
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    chart = laney(x, n)
    assert chart.centre == pytest.approx(pbar, rel=1e-12)
    assert chart.sigma_z == pytest.approx(sigma_z, rel=1e-12)
    assert np.allclose(chart.upper, pbar + 3 * sigma_p * sigma_z)
    assert np.allclose(chart.lower, pbar - 3 * sigma_p * sigma_z)
    # the first month by hand, written out: p̄ = 334/3010
    assert chart.centre == pytest.approx(334 / 3010)
    assert chart.upper[0] == pytest.approx(334 / 3010 + 3 * math.sqrt(334 / 3010 * (1 - 334 / 3010) / 500) * sigma_z)


def test_laney_limits_stay_within_0_and_100_per_cent() -> None:
    x = np.array([0.0, 9, 1, 10, 0, 10, 2])
    n = np.array([10.0, 10, 10, 10, 10, 10, 10])
    chart = laney(x, n)
    assert min(chart.lower) == 0.0 and max(chart.upper) == 1.0
    assert all(0.0 <= v <= 1.0 for v in chart.lower + chart.upper)


def test_laney_with_overdispersion_has_wider_limits_than_the_p_chart() -> None:
    rng = np.random.default_rng(3)
    n = np.full(36, 5000.0)
    x = rng.binomial(5000, rng.uniform(0.09, 0.12, 36)).astype(float)
    chart = laney(x, n)
    assert chart.sigma_z > 2  # the p chart (sigma_z = 1) would flag most months
    assert len(chart.outside) <= 2


def test_laney_refuses_bad_counts() -> None:
    with pytest.raises(ValueError):
        laney([5, 12], [10, 10])
    with pytest.raises(ValueError):
        laney([1], [10])


# -- icons, exceptions -------------------------------------------------------------------

MONTHS = tuple(pd.date_range("2021-04-01", periods=36, freq="MS"))
Q4_2324 = pd.Timestamp("2024-01-01")


def _flat(last: float, *, improvement: str = "decrease", target: float | None = None) -> perf.MeasureFit:
    values = [100.0, 102, 98, 101, 99, 100] * 6
    values[-1] = last
    d = perf.MeasureDefinition("M", improvement=improvement, target=target)
    return fit_measure(perf.Measure(d, MONTHS, tuple(values)), quarter=Q4_2324, rules="police-2sd")


@pytest.mark.parametrize(("last", "improvement", "icon"), [
    (100.0, "decrease", "common_cause"),
    (140.0, "decrease", "concerning_high"),
    (60.0, "decrease", "improving_low"),
    (140.0, "increase", "improving_high"),
    (60.0, "increase", "concerning_low"),
])
def test_variation_icon_reads_the_latest_month(last: float, improvement: str, icon: str) -> None:
    fit = _flat(last, improvement=improvement)
    assert fit.chart.variation() == icon
    assert fit.exception == icon.startswith("concerning")


@pytest.mark.parametrize(("target", "improvement", "icon"), [
    (3 * 150.0, "decrease", "consistent_pass"),  # a quarterly target: 150 a month, above both limits
    (3 * 50.0, "decrease", "consistent_fail"),
    (3 * 100.0, "decrease", "inconsistent"),
    (3 * 50.0, "increase", "consistent_pass"),
    (3 * 150.0, "increase", "consistent_fail"),
])
def test_assurance_icon_sets_the_target_against_the_limits(target: float, improvement: str, icon: str) -> None:
    fit = _flat(100.0, improvement=improvement, target=target)
    assert fit.chart.assurance() == icon
    assert fit.exception == (icon == "consistent_fail")


def test_exceptions_come_first_then_priorities_in_order() -> None:
    def measure(name: str, priority: str, last: float) -> perf.Measure:
        values = [100.0, 102, 98, 101, 99, 100] * 6
        values[-1] = last
        return perf.Measure(perf.MeasureDefinition(name, priority=priority), MONTHS, tuple(values))

    result = perf.fit([measure("A", "Safe", 100), measure("B", "Justice", 100), measure("C", "Justice", 150),
                       measure("D", "Safe", 101)], quarter=Q4_2324)
    order = [(g, [f.definition.name for f in fs]) for g, fs in matrix_order(result.fits)]
    assert order == [("Exceptions", ["C"]), ("Safe", ["A", "D"]), ("Justice", ["B"])]
    assert result.headline is not None and result.headline.estimate == 1.0


# -- the narrative's numbers -------------------------------------------------------------

# The published example: Q1 2022/23 319, Q4 2022/23 357, Q1 2023/24 353
QUARTERS = {"2022-04-01": 319, "2022-07-01": 340, "2022-10-01": 332, "2023-01-01": 357, "2023-04-01": 353}


def _quarterly_counts() -> perf.Measure:
    months, values = [], []
    for start, total in QUARTERS.items():
        first = pd.Timestamp(start)
        split = [total // 3, total // 3, total - 2 * (total // 3)]
        months += [first + pd.DateOffset(months=k) for k in range(3)]
        values += [float(v) for v in split]
    return perf.Measure(perf.MeasureDefinition("Violent crime"), tuple(months), tuple(values))


def test_narrative_numbers_agree_with_the_quarters() -> None:
    fit = fit_measure(_quarterly_counts(), quarter=pd.Timestamp("2023-04-01"))
    words = narrative(fit)
    latest, previous, year_ago = 353, 357, 319
    pct_q = 100 * (latest - previous) / previous
    pct_y = 100 * (latest - year_ago) / year_ago
    assert round(pct_q, 1) == -1.1 and round(pct_y, 1) == 10.7
    assert words.startswith(
        f"Violent crime fell by {abs(pct_q):.1f}% (\u2212{previous - latest}) since Q4 2022/23 and is "
        f"{pct_y:.1f}% (+{latest - year_ago}) higher than Q1 2022/23; ")
    assert words.startswith("Violent crime fell by 1.1% (\u22124) since Q4 2022/23 and is 10.7% (+34) higher than "
                            "Q1 2022/23; the monthly series shows common-cause variation only")
    numbers = [float(v) for v in re.findall(r"(\d+(?:\.\d+)?)%", words)]
    assert numbers == [round(abs(pct_q), 1), round(pct_y, 1)]


def test_a_rate_changes_in_percentage_points() -> None:
    months = tuple(pd.date_range("2022-04-01", periods=15, freq="MS"))
    num = tuple([100.0] * 12 + [120.0] * 3)
    den = tuple([1000.0] * 15)
    d = perf.MeasureDefinition("Positive outcome rate", improvement="increase", comparator=0.104)
    fit = fit_measure(perf.Measure(d, months, num, den), quarter=pd.Timestamp("2023-04-01"))
    words = narrative(fit)
    assert "rose by 2.0 percentage points since Q4 2022/23" in words
    assert "is 2.0 percentage points higher than Q1 2022/23" in words
    assert "National comparator: 10.4%." in words
    assert fit.laney is not None and all(0 <= v <= 1 for v in fit.laney.upper)
    assert signed(-4.0) == "\u22124" and signed(34.0) == "+34"


# -- financial quarters ------------------------------------------------------------------


def test_financial_quarters_are_labelled_as_forces_write_them() -> None:
    assert perf.quarter_label(pd.Timestamp("2023-04-01")) == "Q1 2023/24"
    assert perf.quarter_label(pd.Timestamp("2023-07-01")) == "Q2 2023/24"
    assert perf.quarter_label(pd.Timestamp("2024-01-01")) == "Q4 2023/24"
    assert perf.quarter_label(pd.Timestamp("2023-01-01")) == "Q4 2022/23"


def _write(tmp_path: Path, data: pd.DataFrame, table: pd.DataFrame | None = None) -> Evaluation:
    data.to_csv(tmp_path / "data.csv", index=False)
    params: dict[str, object] = {"title": "t", "owner": "o", "classification": "OFFICIAL", "data": "data.csv"}
    if table is not None:
        table.to_csv(tmp_path / "measures.csv", index=False)
        params["measures"] = "measures.csv"
    return Evaluation(params, base_dir=tmp_path)


def test_the_quarter_key_chooses_the_pack(tmp_path: Path) -> None:
    data, table = demo_pack()
    ev = _write(tmp_path, data, table)
    assert performance.load(ev).quarter == pd.Timestamp("2024-01-01")  # the latest complete quarter
    ev = Evaluation({**ev.parameters, "quarter": "Q2 2023/24"}, base_dir=tmp_path)
    inputs = performance.load(ev)
    assert inputs.quarter == pd.Timestamp("2023-07-01")
    result = performance.analyse(inputs, ev)
    assert result.to_dict()["quarter"]["label"] == "Q2 2023/24"
    with pytest.raises(SpecError, match="not a quarter"):
        performance.load(Evaluation({**ev.parameters, "quarter": "2023/24"}, base_dir=tmp_path))
    with pytest.raises(SpecError, match="does not cover"):
        performance.load(Evaluation({**ev.parameters, "quarter": "Q1 2024/25"}, base_dir=tmp_path))


def test_financial_quarter_periods_are_read(tmp_path: Path) -> None:
    rows = [{"measure": "Violent crime", "period": f"Q{q} {y}/{(y + 1) % 100:02d}", "value": 300 + q + y % 10}
            for y in (2021, 2022, 2023) for q in (1, 2, 3, 4)]
    inputs = performance.load(_write(tmp_path, pd.DataFrame(rows)))
    m = inputs.measures[0]
    assert m.freq == "quarter" and m.months[0] == pd.Timestamp("2021-04-01")
    assert inputs.quarter == pd.Timestamp("2024-01-01")
    result = performance.analyse(inputs, Evaluation({}))
    fit = result.fits[0]
    assert fit.latest.value == 300 + 4 + 3 and fit.previous is not None and fit.previous.before == 300 + 3 + 3


# -- bad input ---------------------------------------------------------------------------


def test_a_measure_missing_from_the_measure_table_is_refused(tmp_path: Path) -> None:
    data, table = demo_pack()
    with pytest.raises(DataError, match="missing from the measure table: 'Knife crime'") as err:
        performance.load(_write(tmp_path, data, table[table["name"] != "Knife crime"]))
    assert err.value.rows and err.value.column == "measure"


def test_a_rate_row_without_a_denominator_is_refused(tmp_path: Path) -> None:
    data, table = demo_pack()
    data["denominator"] = data["denominator"].astype("float")
    bad = data.index[data["measure"] == "Positive outcome rate"][4]
    data.loc[bad, "denominator"] = np.nan
    with pytest.raises(DataError, match="without a denominator") as err:
        performance.load(_write(tmp_path, data, table))
    assert err.value.rows == [int(bad) + 2]


def test_p_chart_is_refused_without_a_rate(tmp_path: Path) -> None:
    data, _ = demo_pack()
    counts = data[data["numerator"].isna()].drop(columns=["numerator", "denominator"])
    ev = _write(tmp_path, counts)
    assert performance.load(ev).options.p_chart is True
    with pytest.raises(SpecError, match="p_chart"):
        performance.load(Evaluation({**ev.parameters, "p_chart": False}, base_dir=tmp_path))


# -- the demo pack and its report --------------------------------------------------------


def test_demo_pack_has_its_truth() -> None:
    ev = Evaluation({"data": str(DEMO / "measures.csv"), "measures": str(DEMO / "measure_table.csv"),
                     "annotations": str(DEMO / "notes.csv"), "commentary": str(DEMO / "commentary")})
    result = performance.analyse(performance.load(ev), ev)
    fits = {f.definition.name: f for f in result.fits}
    assert fits["Residential burglary"].chart.variation() == "improving_low"
    assert fits["Residential burglary"].chart.signals[-1].date >= SHIFT_FROM
    assert fits["Anti-social behaviour"].chart.seasonal
    assert [n for n, f in fits.items() if f.target_met is False] == ["Neighbourhood crime"]
    assert fits["Positive outcome rate"].immature == tuple(pd.date_range("2024-01-01", periods=3, freq="MS"))
    assert fits["Residential burglary"].annotations and fits["Neighbourhood crime"].commentary is not None
    page = perf.measure_section(fits["Anti-social behaviour"], "police-2sd")._repr_html_()
    assert "the signals may be the season" in page


def test_the_index_lists_a_pack_by_its_quarter(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps({
        "title": "Pack", "template": "performance", "period": {"start": "2021-04-01", "end": "2024-03-31"},
        "quarter": {"label": "Q4 2023/24", "start": "2024-01-01"}, "estimates": [], "checks": []}), encoding="utf-8")
    row = index.collect(tmp_path)[0]
    assert row["period"] == "Q4 2023/24" and row["period_start"] == "2024-01-01"


def test_commentary_is_escaped(tmp_path: Path) -> None:
    data, table = demo_pack()
    ev = _write(tmp_path, data, table)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "violent-crime.md").write_text(
        "## Reasons\n\n<script>alert(1)</script> rose\n\n## Response\n\nPatrols & <b>more</b>\n", encoding="utf-8")
    ev = Evaluation({**ev.parameters, "commentary": "notes"}, base_dir=tmp_path)
    result = performance.analyse(performance.load(ev), ev)
    page = perf.measure_sections(result)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; rose" in page
    assert "Patrols &amp; &lt;b&gt;more&lt;/b&gt;" in page
    assert "Violent crime: response" in page


@pytest.mark.slow
def test_a_30_measure_pack_over_five_years_renders_in_under_a_minute(tmp_path: Path) -> None:
    data, table = simulate_pack(30, months=60, seed=7)
    data.to_csv(tmp_path / "data.csv", index=False)
    table.to_csv(tmp_path / "measures.csv", index=False)
    spec = tmp_path / "big-pack.yaml"
    spec.write_text("template: performance\ntitle: Thirty measures\nowner: Performance\ndata: data.csv\n"
                    "measures: measures.csv\n", encoding="utf-8")
    start = time.perf_counter()
    code = cli.main(["run", str(spec), "--reports", str(tmp_path / "reports"), "--quiet"])
    took = time.perf_counter() - start
    assert code == 0
    page = (tmp_path / "reports" / "big-pack" / "report.html").read_text(encoding="utf-8")
    assert page.count("ww-matrix") >= 1 and page.count("<img") >= 30
    assert took < 60, f"{took:.1f} s"


def test_an_excel_export_with_per_cent_comparators_is_read(tmp_path: Path) -> None:
    data, table = demo_pack()
    table["comparator"] = table["comparator"].map(lambda v: f"{v}%" if pd.notna(v) else "")
    data.to_excel(tmp_path / "data.xlsx", index=False)
    table.to_excel(tmp_path / "measures.xlsx", index=False)
    ev = Evaluation({"data": "data.xlsx", "measures": "measures.xlsx"}, base_dir=tmp_path)
    inputs = performance.load(ev)
    rate = next(m for m in inputs.measures if m.definition.name == "Positive outcome rate")
    assert rate.is_rate and rate.definition.comparator == pytest.approx(0.104)
    assert rate.definition.maturity == 3 and len(rate.months) == 36
