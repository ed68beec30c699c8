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
from whatworks.data import load_series
from whatworks.errors import DataError

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


# -- Issue 11: never lose a file, never misread a number ------------------------------------------


def test_decimal_commas_are_read_as_typed_not_as_thousands(tmp_path):
    """164 timings, 5 written with a decimal comma: the total is what was typed (1032 minutes was read before)."""
    from whatworks.data import read_number, read_table

    minutes = [35.0] * 159 + [103.2] * 5
    cells = ["35"] * 159 + ["103,2"] * 5
    (tmp_path / "t.csv").write_text("task;minutes\n" + "".join(f"redact;{c}\n" for c in cells))
    frame = read_table(tmp_path / "t.csv")
    assert frame["minutes"].sum() == pytest.approx(sum(minutes))
    assert read_number("103,2", file="t.csv", column="minutes", row=7) == 103.2
    assert read_number("£1,250.00", file="t.csv", column="minutes", row=7) == 1250.0
    with pytest.raises(DataError) as info:  # one thousand and thirty-two, or one point zero three two?
        read_number("1,032", file="t.csv", column="minutes", row=7)
    assert str(info.value).startswith("t.csv, column 'minutes', row 7:") and "two ways" in str(info.value)


def test_a_column_that_could_be_read_two_ways_is_refused_naming_file_column_and_rows(tmp_path):
    from whatworks.data import read_table

    (tmp_path / "t.csv").write_text('month,minutes\n2024-01,"1,250"\n2024-02,35\n')
    frame = read_table(tmp_path / "t.csv")
    assert frame["minutes"].tolist() == ["1,250", "35"]  # left as typed, not guessed
    with pytest.raises(DataError) as info:
        load_series(tmp_path / "t.csv", date_column="month", outcome_column="minutes",
                    outcome_type="continuous", label="t.csv")
    assert str(info.value).startswith("t.csv, column 'minutes', row 2:")


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "NaN"])
def test_non_finite_money_is_refused_by_the_shared_reader(tmp_path, cell):
    from whatworks.data import read_table

    (tmp_path / "trial.csv").write_text(f"id,arm,spend\nA,x,12.5\nB,y,{cell}\nC,x,3\n")
    with pytest.raises(DataError) as info:
        read_table(tmp_path / "trial.csv", label="trial.csv")
    assert str(info.value).startswith("trial.csv, column 'spend', row 3:")


def test_ids_with_leading_zeros_stay_text(tmp_path):
    from whatworks.data import read_table

    (tmp_path / "trial.csv").write_text("id,arm,n\n0000100,a,1\n0000101,b,2\n")
    frame = read_table(tmp_path / "trial.csv")
    assert frame["id"].tolist() == ["0000100", "0000101"] and frame["n"].tolist() == [1, 2]


def test_a_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(tmp_path):
    (tmp_path / "t.csv").write_text("Thefts: Castle ward\nExported 2024-03-04\n" + "week,thefts\n"
                                    + "".join(f"{w:%Y-%m-%d},{5 if i != 3 else 'x'}\n" for i, w in enumerate(WEEKS)))
    with pytest.raises(DataError) as info:
        load_series(tmp_path / "t.csv", date_column="week", outcome_column="thefts", label="t.csv")
    assert "row 7" in str(info.value)  # title rows 1-2, header row 3, the fourth week is row 7
    (tmp_path / "t.csv").write_text((tmp_path / "t.csv").read_text().replace(",x", ",6"))
    series = load_series(tmp_path / "t.csv", date_column="week", outcome_column="thefts", label="t.csv")
    assert len(series.frame) == 60 and any("row 3" in n for n in series.notes)


def test_rows_hidden_by_an_excel_filter_are_refused(tmp_path):
    from openpyxl import Workbook

    from whatworks.data import read_table

    book = Workbook()
    sheet = book.active
    sheet.append(["week", "thefts"])
    for w in WEEKS[:10]:
        sheet.append([f"{w:%Y-%m-%d}", 3])
    sheet.row_dimensions[4].hidden = True
    book.save(tmp_path / "d.xlsx")
    with pytest.raises(DataError) as info:
        read_table(tmp_path / "d.xlsx", label="d.xlsx")
    assert str(info.value).startswith("d.xlsx, row 4:") and "hidden" in str(info.value)


def test_a_spec_error_is_recorded_in_the_spec_output_folder_and_nowhere_else(tmp_path, monkeypatch):
    spec = write_case(tmp_path / "case", "misspelt column")
    spec.write_text(spec.read_text() + "output: ../out/plan\nbogus: 1\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["run", str(spec)]) == 2
    record = json.loads((tmp_path / "out" / "plan" / "status.json").read_text())
    assert record["status"] == "failed" and "key 'bogus'" in record["reason"]
    assert str(tmp_path) not in record["reason"] and record["spec"] == "plan.yaml"
    assert not list(elsewhere.iterdir())


def test_duplicate_participants_are_refused_by_rows_never_by_id(tmp_path):
    from whatworks.allocation.participants import read_participants

    (tmp_path / "p.csv").write_text("victim_id,age\nVIC-000163,30\nVIC-000233,40\nVIC-000163,50\n")
    with pytest.raises(DataError) as info:
        read_participants(tmp_path / "p.csv", "victim_id")
    assert "VIC-" not in str(info.value) and "rows 2, 4" in str(info.value)


def test_validate_refuses_a_start_after_the_data(tmp_path, capsys):
    spec = write_case(tmp_path / "case", "start outside the data")
    assert main(["validate", str(spec)]) == 2
    assert "outside the data" in capsys.readouterr().out


@pytest.mark.e2e
def test_a_label_with_dollar_signs_is_text_not_maths(tmp_path, capsys):
    spec = write_case(tmp_path / "case", "misspelt column")
    (tmp_path / "case" / "d.csv").write_text(base().to_csv(index=False))
    spec.write_text(spec.read_text() + 'outcome_label: "thefts $_{$"\n')
    assert main(["run", str(spec), "--reports", str(tmp_path / "reports")]) == 0, capsys.readouterr()
    assert "thefts $_{$" in (tmp_path / "reports" / "plan" / "report.html").read_text()
