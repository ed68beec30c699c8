"""The portfolio index, built from results.json and status.json alone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from whatworks.index import benefits_summary, build, collect, financial_year, headline_words


def make_report(root: Path, name: str, *, status: str = "ok", classification: str = "OFFICIAL",
                title: str | None = None, totals=None, report: bool = True, reason: str = "") -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "status.json").write_text(json.dumps(
        {"status": status, "kind": "ok" if status == "ok" else "input", "reason": reason,
         "spec": f"{name}.yaml", "title": title or name, "time": "2025-03-03T10:00:00+00:00"}))
    if status == "ok" or report:
        results = {
            "template": "pir" if totals else "before-after", "title": title or name, "owner": "Owner",
            "classification": classification, "period": {"start": "2024-01-01", "end": "2024-12-31"},
            "evidence": {"sms_level": 2, "explanation": "x"},
            "estimates": [{"name": "level_change", "label": "Change in level", "headline": True,
                           "measure": "rate ratio", "estimate": 0.8, "ci_low": 0.7, "ci_high": 0.9,
                           "scale": "ratio", "unit": None}],
            "checks": [{"name": "a", "status": "warn", "message": "m"},
                       {"name": "b", "status": "pass", "message": "m"}],
        }
        if totals:
            results["benefit_totals"] = totals
        (folder / "results.json").write_text(json.dumps(results))
        if report:
            (folder / "report.html").write_text("<html></html>")


def test_rows_show_headline_evidence_checks_and_failures(tmp_path):
    make_report(tmp_path, "good", title="Good <b>plan</b>")
    make_report(tmp_path, "broken", status="failed", report=False, reason="column 'x' not found.")
    make_report(tmp_path, "kept", status="failed", reason="dates could be read two ways.")
    html = build(tmp_path).read_text()
    assert "Good &lt;b&gt;plan&lt;/b&gt;" in html and "<b>plan</b>" not in html
    assert "Change in level: 20.0% lower (rate ratio 0.800, 95% CI 0.700 to 0.900)" in html
    assert "Level 2 of 5" in html and "0 failed, 1 warning, 1 passed" in html
    assert "column &#39;x&#39; not found." in html and "the report linked is the last good one" in html
    assert 'href="good/report.html"' in html and 'href="broken/report.html"' not in html
    assert "3 March 2025" in html
    rows = collect(tmp_path)
    assert [r["status"] for r in rows][:2] == ["failed", "failed"]  # failures listed first


def test_index_carries_the_highest_classification(tmp_path):
    make_report(tmp_path, "a", classification="OFFICIAL")
    make_report(tmp_path, "b", classification="OFFICIAL-SENSITIVE")
    html = build(tmp_path).read_text()
    assert html.count(">OFFICIAL-SENSITIVE<") == 2 and "<title>Evaluations – OFFICIAL-SENSITIVE" in html


def test_benefits_summary_adds_up_every_review_by_year_and_grade(tmp_path):
    make_report(tmp_path, "pir1", totals=[
        {"financial_year": "2024/25", "confidence_grade": "known", "hours": 1000, "fte": 0.625,
         "cashable_gbp": 0, "non_cashable_gbp": 30000},
        {"financial_year": "2024/25", "confidence_grade": "anticipated", "hours": 500, "fte": 0.3125,
         "cashable_gbp": 5000, "non_cashable_gbp": 0}])
    make_report(tmp_path, "pir2", totals=[
        {"financial_year": "2024/25", "confidence_grade": "known", "hours": 250, "fte": 0.15625,
         "cashable_gbp": 1000, "non_cashable_gbp": 7500}])
    make_report(tmp_path, "pir3", status="failed", report=False, totals=[
        {"financial_year": "2024/25", "confidence_grade": "known", "hours": 99999, "fte": 1,
         "cashable_gbp": 1, "non_cashable_gbp": 1}])
    summary = {(s["financial_year"], s["confidence_grade"]): s for s in benefits_summary(collect(tmp_path))}
    known = summary[("2024/25", "known")]
    assert (known["hours"], known["cashable_gbp"], known["non_cashable_gbp"]) == (1250, 1000, 37500)
    assert known["reviews"] == 2
    html = build(tmp_path, today=dt.date(2024, 11, 1)).read_text()
    assert "2024/25 (this year)" in html
    assert "1,750" in html and "1,250" in html and "£37,500" in html and "99,999" not in html


def test_no_benefits_section_without_reviews(tmp_path):
    make_report(tmp_path, "a")
    assert "Benefits released" not in build(tmp_path).read_text()


def test_words_for_headlines_and_years():
    assert headline_words(None).startswith("No estimate")
    money = {"name": "cashable_gbp", "label": "Cashable savings", "estimate": 12500.4, "ci_low": None,
             "ci_high": None, "scale": "total", "measure": "pounds a year", "unit": "gbp"}
    assert headline_words(money) == "Cashable savings: £12,500 (no interval available)"
    assert financial_year(dt.date(2024, 4, 1)) == "2024/25" and financial_year(dt.date(2024, 3, 31)) == "2023/24"


def test_a_trial_with_several_active_arms_shows_every_arms_headline(tmp_path):
    make_report(tmp_path, "trial", title="Trial")
    path = tmp_path / "trial" / "results.json"
    results = json.loads(path.read_text())
    rd = {"measure": "risk_difference", "outcome": "y", "scale": "difference", "unit": "proportion"}
    results["estimates"] = [
        {**rd, "name": "y.risk_difference.letter", "label": "Y: risk difference, enhanced letter vs usual letter",
         "group": "letter", "headline": True, "estimate": -0.015, "ci_low": -0.028, "ci_high": -0.001},
        {**rd, "name": "y.risk_ratio.letter", "label": "Y: risk ratio", "group": "letter", "measure": "risk_ratio",
         "scale": "ratio", "unit": None, "estimate": 0.9, "ci_low": 0.8, "ci_high": 1.0},
        {**rd, "name": "y.risk_difference.call", "label": "Y: risk difference, advocate call vs usual letter",
         "group": "call", "estimate": -0.04, "ci_low": -0.053, "ci_high": -0.027}]
    path.write_text(json.dumps(results))
    row = next(r for r in collect(tmp_path) if r["folder"] == "trial")
    assert row["headline"] == ("Y: risk difference, enhanced letter vs usual letter: -1.5 percentage points "
                               "(95% CI -2.8 to -0.1); Y: risk difference, advocate call vs usual letter: "
                               "-4.0 percentage points (95% CI -5.3 to -2.7)")


def test_efficiencies_return_and_this_year_from_the_review_date(tmp_path):
    import csv

    rows = [{"financial_year": "2024/25", "confidence_grade": "known", "hours": 100, "fte": 0.0625,
             "cashable_gbp": 10, "non_cashable_gbp": 2600},
            {"financial_year": "2025/26", "confidence_grade": "projected", "hours": 200, "fte": 0.125,
             "cashable_gbp": 0, "non_cashable_gbp": 5200}]
    make_report(tmp_path, "pir1", title="One", totals=rows)
    make_report(tmp_path, "pir2", title="Two", totals=rows[:1])
    results = json.loads((tmp_path / "pir1" / "results.json").read_text())
    results["pir"] = {"as_of": "2025-04-15"}
    (tmp_path / "pir1" / "results.json").write_text(json.dumps(results))
    html = build(tmp_path).read_text()
    assert "This financial year (from the latest review date) is 2025/26." in html
    assert "of which measured" not in html  # projected and forecast hours are never called measured
    got = list(csv.DictReader((tmp_path / "efficiencies.csv").open()))
    assert [(r["programme"], r["financial_year"], r["confidence_grade"]) for r in got] == [
        ("One", "2024/25", "known"), ("One", "2025/26", "projected"), ("Two", "2024/25", "known"),
        ("Total", "2024/25", "known"), ("Total", "2025/26", "projected")]
    total = got[3]
    assert (float(total["hours"]), float(total["cashable_gbp"]), float(total["non_cashable_gbp"])) == (200, 20, 5200)
    assert (tmp_path / "efficiencies.xlsx").is_file()
