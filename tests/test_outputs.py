"""Table files beside every report agree with its results.json."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from conftest import EVALUATIONS, read_results
from whatworks.results import FRAME_COLUMNS

SPECS = sorted(p.stem for p in EVALUATIONS.glob("*.yaml"))


@pytest.mark.parametrize("spec", SPECS)
def test_estimates_csv_matches_results_json(demo_reports: Path, spec: str) -> None:
    folder = demo_reports / spec
    table = pd.read_csv(folder / "estimates.csv", keep_default_na=False, na_values=[""])
    estimates = read_results(folder)["estimates"]
    assert list(table.columns) == list(FRAME_COLUMNS)
    assert len(table) == len(estimates) > 0
    for row, est in zip(table.to_dict("records"), estimates, strict=True):
        assert row["name"] == est["name"] and row["label"] == est["label"]
        for field in ("estimate", "ci_low", "ci_high", "p_value"):
            if est[field] is None:
                assert math.isnan(row[field]), (spec, est["name"], field)
            else:
                assert math.isclose(row[field], est[field], rel_tol=1e-12), (spec, est["name"], field)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_index_tables_list_every_report_with_its_headline(demo_reports: Path, suffix: str) -> None:
    path = demo_reports / f"index.{suffix}"
    table = pd.read_csv(path) if suffix == "csv" else pd.read_excel(path, sheet_name="reports")
    from whatworks.index import TABLE_COLUMNS

    assert list(table.columns) == list(TABLE_COLUMNS)
    assert sorted(table["folder"]) == SPECS
    for row in table.to_dict("records"):
        results = read_results(demo_reports / row["folder"])
        head = next(e for e in results["estimates"] if e["headline"])
        assert row["status"] == "ok" and row["title"] == results["title"]
        assert row["headline_name"] == head["name"]
        assert math.isclose(row["headline_estimate"], head["estimate"], rel_tol=1e-12)
        assert row["sms_level"] == results["evidence"]["sms_level"]
