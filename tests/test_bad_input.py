"""Bad input through the command line: a message in words, exit status 2, no report.

Each case is a small export a user might really produce. The run must stop
with an input error that names the file, the column or key and the first bad
rows, and must leave no new report behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from whatworks.cli import main

pytestmark = pytest.mark.xdist_group("bad-input")

WEEKS = pd.date_range("2023-01-02", periods=60, freq="W-MON")


def base() -> pd.DataFrame:
    return pd.DataFrame({"week": WEEKS.strftime("%Y-%m-%d"), "thefts": np.arange(60) % 7 + 20})


def edit(changes: dict):
    def make() -> pd.DataFrame:
        frame = base()
        for (row, column), value in changes.items():
            frame[column] = frame[column].astype(object)
            frame.loc[row, column] = value
        return frame
    return make


CASES = {
    # name: (make the data, data file name, extra spec lines, words the message must hold)
    "misspelt column": (lambda: base().rename(columns={"thefts": "theft"}), "d.csv", "",
                        ["column 'thefts'", "Did you mean 'theft'?", "outcome_column"]),
    "unparseable date": (edit({(5, "week"): "not a date"}), "d.csv", "",
                         ["column 'week'", "row 7", "'not a date'"]),
    "ambiguous dates": (lambda: pd.DataFrame({"week": ["01/02/2024", "02/03/2024", "03/04/2024", "04/05/2024"],
                                              "thefts": [1, 2, 3, 4]}), "d.csv", "",
                        ["read day first or month first", 'date_format: "%d/%m/%Y"']),
    "duplicate dates": (edit({(6, "week"): "2023-02-06"}), "d.csv", "",
                        ["rows 7, 8", "same week"]),
    "negative count": (edit({(7, "thefts"): -3}), "d.csv", "", ["row 9", "cannot be negative", "'-3'"]),
    "non-numeric count": (edit({(8, "thefts"): "n/a"}), "d.csv", "", ["row 10", "not numbers", "'n/a'"]),
    "empty file": (None, "d.csv", "", ["d.csv", "empty"]),
    "wrong sheet": (base, "d.xlsx", "sheet: Sheet9\n", ["no sheet named 'Sheet9'", "'Counts'"]),
    "missing data file": (None, "nowhere.csv", "", ["key 'data'", "nowhere.csv", "not found"]),
    "start outside the data": (base, "d.csv", "", ["7 January 2030", "outside the data", "2 January 2023"]),
    "series too short": (lambda: base().iloc[:4], "d.csv", "", ["too short"]),
}


def write_case(folder: Path, name: str) -> Path:
    make, data, extra, _ = CASES[name]
    folder.mkdir(parents=True, exist_ok=True)
    if data == "d.csv" and make is None:
        (folder / data).write_text("")
    elif make is not None:
        frame = make()
        if data.endswith(".xlsx"):
            frame.to_excel(folder / data, sheet_name="Counts", index=False)
        else:
            frame.to_csv(folder / data, index=False)
    start = "2030-01-07" if name == "start outside the data" else (
        "2023-01-16" if name == "series too short" else "2023-12-04")
    spec = folder / "plan.yaml"
    spec.write_text(f"template: before-after\ntitle: Bad input\nowner: Tester\ndata: {data}\n"
                    f"date_column: week\noutcome_column: thefts\nintervention_date: {start}\n{extra}")
    return spec


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_stops_with_words_and_no_report(name, tmp_path, capsys):
    spec = write_case(tmp_path / "case", name)
    reports = tmp_path / "reports"
    status = main(["run", str(spec), "--reports", str(reports)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert status == 2, text
    for words in CASES[name][3]:
        assert words in text, f"{name}: {words!r} missing from: {text}"
    assert "Traceback" not in text
    folder = reports / "plan"
    assert not (folder / "report.html").exists() and not (folder / "results.json").exists()
    record = json.loads((folder / "status.json").read_text())
    assert record["status"] == "failed" and record["kind"] == "input"
    assert not [p for p in reports.iterdir() if p.name.startswith(".")]
