"""Tests for reading exports into tidy series (whatworks.data).

Expected values are worked out by hand from the fixture files (comments show
the working), or built independently of the code under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from whatworks.data import SeriesData, display_name, load_series, read_table, require_columns, resolve
from whatworks.errors import DataError, SpecError

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def csv(folder: Path, header: str, lines: list[str], name: str = "export.csv") -> Path:
    return write(folder, name, "\n".join([header, *lines]) + "\n")


def stamps(*dates: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(d) for d in dates]


# --- read_table ----------------------------------------------------------------


def test_read_table_strips_spaces_round_column_names():
    df = read_table(FIXTURES / "weekly_burglary.csv")
    assert df.columns.tolist() == ["week_commencing", "burglaries", "stop_searches"]
    assert len(df) == 8


def test_missing_file_names_the_path_and_says_paths_are_relative_to_the_spec():
    with pytest.raises(DataError) as info:
        read_table(FIXTURES / "no_such_file.csv", label="data/no_such_file.csv")
    message = str(info.value)
    assert message.startswith("data/no_such_file.csv")
    assert "not found" in message
    assert "relative to the folder that holds the spec file" in message


def test_missing_file_suggests_a_near_name_in_the_same_folder(tmp_path):
    write(tmp_path, "burglary_2024.csv", "week,count\n2024-01-01,3\n")
    with pytest.raises(DataError, match="There is a file called 'burglary_2024.csv'"):
        read_table(tmp_path / "burglary_2014.csv")


@pytest.mark.parametrize("name, words", [("old.xls", "save it as .xlsx"), ("data.json", "'.json'")])
def test_unsupported_file_type_is_refused_with_the_types_that_work(tmp_path, name, words):
    write(tmp_path, name, "{}")
    with pytest.raises(DataError) as info:
        read_table(tmp_path / name, label=name)
    message = str(info.value)
    assert message.startswith(name)
    assert words in message
    assert ".csv" in message and ".xlsx" in message


def test_empty_file_is_refused():
    with pytest.raises(DataError) as info:
        read_table(FIXTURES / "empty.csv", label="empty.csv")
    assert str(info.value).startswith("empty.csv: the file is empty")


def test_header_only_file_is_refused():
    with pytest.raises(DataError) as info:
        load_series(FIXTURES / "header_only.csv", date_column="week", outcome_column="count",
                    label="header_only.csv")
    assert "header row but no data" in str(info.value)
    assert str(info.value).startswith("header_only.csv")


def test_unreadable_files_are_refused_in_words(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"this is not a workbook")
    with pytest.raises(DataError, match="could not be read as an Excel workbook"):
        read_table(tmp_path / "broken.xlsx")
    (tmp_path / "binary.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataError, match="could not be read as a CSV table"):
        read_table(tmp_path / "binary.csv")


def test_semicolon_separated_and_windows_encoded_csv_are_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Caf\xe9 area;count\nCastle;3\n".encode("cp1252"))
    df = read_table(path)
    assert df.columns.tolist() == ["Café area", "count"]
    assert df["count"].tolist() == [3]


@pytest.fixture
def workbook(tmp_path) -> Path:
    """A workbook with a notes sheet first and real Excel dates on 'Monthly data'."""
    path = tmp_path / "returns.xlsx"
    monthly = pd.DataFrame({
        "Month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
        "ASB reports": [40, 35, 38, 30],
    })
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"About": ["Exported from the records system"]}).to_excel(
            writer, sheet_name="Notes", index=False)
        monthly.to_excel(writer, sheet_name="Monthly data", index=False)
    return path


def test_excel_named_sheet_with_real_dates_is_read(workbook):
    series = load_series(workbook, sheet="Monthly data", date_column="Month",
                         outcome_column="ASB reports")
    assert series.freq == "month"
    assert series.frame["period"].tolist() == stamps("2024-01-01", "2024-02-01", "2024-03-01",
                                                     "2024-04-01")
    assert series.frame["outcome"].tolist() == [40.0, 35.0, 38.0, 30.0]


def test_excel_wrong_sheet_name_lists_the_sheets_that_exist(workbook):
    with pytest.raises(DataError) as info:
        read_table(workbook, sheet="Monthly", label="returns.xlsx")
    message = str(info.value)
    assert message.startswith("returns.xlsx")
    assert "no sheet named 'Monthly'" in message
    assert "'Notes', 'Monthly data'" in message
    assert "Did you mean 'Monthly data'?" in message


def test_excel_column_mixing_date_cells_and_text_dates(tmp_path):
    path = tmp_path / "mixed.xlsx"
    raw = pd.DataFrame({"date": [dt.datetime(2024, 3, 25), "01/04/2024", "08/04/2024",
                                 dt.datetime(2024, 4, 15)], "n": [1, 2, 3, 4]})
    raw.to_excel(path, index=False)
    # no text date proves day first on its own (real date cells are not slash text), but
    # only the day-first reading makes the column weekly, so it is read so, and said so
    series = load_series(path, date_column="date", outcome_column="n")
    weekly = list(pd.date_range("2024-03-25", periods=4, freq="7D"))
    assert series.frame["period"].tolist() == weekly
    assert any("read day first" in note and "weekly" in note for note in series.notes)
    series = load_series(path, date_column="date", outcome_column="n", date_format="%d/%m/%Y")
    assert series.frame["period"].tolist() == weekly and not series.notes


def test_excel_reads_the_first_sheet_by_default(workbook):
    assert read_table(workbook).columns.tolist() == ["About"]


def test_sheet_for_a_csv_and_repeated_column_names_are_refused(tmp_path):
    with pytest.raises(SpecError, match="key 'sheet'.*has no sheets"):
        read_table(FIXTURES / "weekly_burglary.csv", sheet="Data")
    for header in ("month,count ,count", "month,count,count"):
        path = write(tmp_path, "twice.csv", f"{header}\n2024-01,1,2\n")
        with pytest.raises(DataError, match="twice.csv, column 'count': this column name appears"):
            read_table(path, label="twice.csv")


def test_display_name_and_resolve(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_name(tmp_path / "data" / "x.csv") == "data/x.csv"
    assert display_name("../x.csv") == "../x.csv"
    assert display_name("/elsewhere/x.csv") == "/elsewhere/x.csv"
    assert resolve("x.csv", tmp_path / "specs") == tmp_path / "specs" / "x.csv"
    assert resolve(tmp_path / "x.csv", "/other") == tmp_path / "x.csv"


# --- require_columns -------------------------------------------------------------


def test_misspelt_column_names_the_key_and_suggests_the_nearest():
    df = read_table(FIXTURES / "weekly_burglary.csv")
    with pytest.raises(DataError) as info:
        require_columns(df, ["burglary"], file="weekly.csv", key="outcome_column")
    message = str(info.value)
    assert message.startswith("weekly.csv")
    assert "no column 'burglary'" in message
    assert "outcome_column" in message
    assert "Did you mean 'burglaries'?" in message


def test_load_series_checks_every_named_column():
    with pytest.raises(DataError) as info:
        load_series(FIXTURES / "weekly_burglary.csv", date_column="week_commencing",
                    outcome_column="burglaries", output_columns=["stop_search"])
    assert "output_columns" in str(info.value)
    assert "Did you mean 'stop_searches'?" in str(info.value)


# --- dates and frequency -----------------------------------------------------------


def test_weekly_csv_becomes_a_tidy_weekly_series():
    series = load_series(FIXTURES / "weekly_burglary.csv", date_column="week_commencing",
                         outcome_column="burglaries", output_columns=["stop_searches"])
    assert isinstance(series, SeriesData)
    assert series.freq == "week"
    f = series.frame
    assert f["period"].tolist() == list(pd.date_range("2024-01-01", periods=8, freq="7D"))
    assert f["outcome"].tolist() == [14, 11, 9, 17, 12, 8, 10, 13]
    assert f["outcome"].dtype == float
    assert f["stop_searches"].tolist() == [30, 28, 35, 31, 29, 40, 38, 36]
    assert not f["excluded"].any()
    assert isinstance(f.index, pd.RangeIndex)
    assert series.outcome_label == "burglaries"
    assert series.source.endswith("weekly_burglary.csv")


def test_monthly_year_month_pair_with_numbers_and_names():
    series = load_series(FIXTURES / "monthly_year_month.csv", date_column=["Year", "Month"],
                         outcome_column="Offences")
    assert series.freq == "month"
    assert series.frame["period"].tolist() == stamps(
        "2023-11-01", "2023-12-01", "2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01")
    assert series.frame["outcome"].tolist() == [120, 131, 118, 109, 125, 99]


def test_bad_month_in_a_year_month_pair_names_the_row(tmp_path):
    path = csv(tmp_path, "year,month,n", ["2024,1,3", "2024,13,4"])
    with pytest.raises(DataError) as info:
        load_series(path, date_column=["year", "month"], outcome_column="n", label="e.csv")
    assert str(info.value).startswith("e.csv, column 'month', row 3")
    assert "'13'" in str(info.value)


@pytest.mark.parametrize("dates, freq, periods", [
    # monthly dates on the 15th become the 1st
    (["2024-01-15", "2024-02-15", "2024-03-15"], "month",
     ["2024-01-01", "2024-02-01", "2024-03-01"]),
    # month ends (28 to 31 days apart) are still monthly
    (["2024-01-31", "2024-02-29", "2024-03-31"], "month",
     ["2024-01-01", "2024-02-01", "2024-03-01"]),
    # weeks ending on a Sunday are labelled by the Monday starting that week
    (["2024-03-10", "2024-03-17", "2024-03-24"], "week",
     ["2024-03-04", "2024-03-11", "2024-03-18"]),
    (["2024-03-01", "2024-03-02", "2024-03-03"], "day",
     ["2024-03-01", "2024-03-02", "2024-03-03"]),
    (["2023-12-31", "2024-03-31", "2024-06-30"], "quarter",
     ["2023-10-01", "2024-01-01", "2024-04-01"]),
    (["2024-01", "2024-02", "2024-03"], "month", ["2024-01-01", "2024-02-01", "2024-03-01"]),
    (["Jan-2024", "Feb-2024", "Mar-2024"], "month", ["2024-01-01", "2024-02-01", "2024-03-01"]),
])
def test_frequency_is_read_from_the_spacing_and_periods_start_at_their_start(dates, freq, periods):
    raw = pd.DataFrame({"date": dates, "n": [1, 2, 3]})
    series = load_series(raw, date_column="date", outcome_column="n")
    assert series.freq == freq
    assert series.frame["period"].tolist() == stamps(*periods)


def test_irregular_spacing_is_refused_with_the_rows_and_the_choices():
    raw = pd.DataFrame({"date": ["2024-01-01", "2024-01-11", "2024-01-21", "2024-02-07"],
                        "n": [1, 2, 3, 4]})
    with pytest.raises(DataError) as info:
        load_series(raw, date_column="date", outcome_column="n", label="odd.csv")
    message = str(info.value)
    assert message.startswith("odd.csv, column 'date', rows 2, 3")
    assert "not evenly spaced" in message and "10 days later" in message
    assert "day, week, month or quarter" in message
    assert "aggregate: week" in message


def test_day_first_dates_are_read_day_first(tmp_path):
    # 27/03 proves day first, so 03/04/2024 is 3 April (a Wednesday, in the week of Monday
    # 1 April); read month first it would be 4 March and the weeks would not be even
    path = csv(tmp_path, "week,n", ["27/03/2024,1", "03/04/2024,2", "10/04/2024,3"])
    series = load_series(path, date_column="week", outcome_column="n")
    assert series.freq == "week"
    assert series.frame["period"].tolist() == stamps("2024-03-25", "2024-04-01", "2024-04-08")


def test_day_first_slash_dates_make_a_daily_series(tmp_path):
    # 13/04 can only be day first, so 12/04 is 12 April, not 4 December
    path = csv(tmp_path, "date,n", ["11/04/2024,1", "12/04/2024,2", "13/04/2024,3"])
    series = load_series(path, date_column="date", outcome_column="n")
    assert series.freq == "day"
    assert series.frame["period"].tolist() == stamps("2024-04-11", "2024-04-12", "2024-04-13")


def test_ambiguous_dates_are_refused_with_the_exact_spec_line_to_add():
    with pytest.raises(DataError) as info:
        load_series(FIXTURES / "ambiguous_dates.csv", date_column="date", outcome_column="count",
                    label="ambiguous_dates.csv")
    message = str(info.value)
    assert message.startswith("ambiguous_dates.csv, column 'date'")
    assert 'date_format: "%d/%m/%Y"' in message and 'date_format: "%m/%d/%Y"' in message
    assert "1 February 2024" in message and "2 January 2024" in message


@pytest.mark.parametrize("fmt, freq, first", [("%d/%m/%Y", "month", "2024-02-01"),
                                              ("%m/%d/%Y", "day", "2024-01-02")])
def test_ambiguous_dates_are_read_as_date_format_says(fmt, freq, first):
    series = load_series(FIXTURES / "ambiguous_dates.csv", date_column="date",
                         outcome_column="count", date_format=fmt)
    assert series.freq == freq
    assert series.frame["period"].iloc[0] == pd.Timestamp(first)
    assert series.frame["outcome"].tolist() == [5, 7, 6, 9]


def test_month_first_dates_are_refused_unless_date_format(tmp_path):
    path = csv(tmp_path, "date,n", ["03/14/2024,1", "03/15/2024,2", "03/16/2024,3"])
    with pytest.raises(DataError) as info:
        load_series(path, date_column="date", outcome_column="n", label="us.csv")
    message = str(info.value)
    assert message.startswith("us.csv, column 'date'")
    assert "month-first" in message and "'03/14/2024'" in message
    assert 'date_format: "%m/%d/%Y"' in message
    series = load_series(path, date_column="date", outcome_column="n", date_format="%m/%d/%Y")
    assert series.frame["period"].tolist() == stamps("2024-03-14", "2024-03-15", "2024-03-16")


def test_unparseable_dates_name_the_spreadsheet_rows_and_values(tmp_path):
    # header is row 1, so the fourth and sixth data rows are rows 5 and 7
    path = csv(tmp_path, "month,n", ["2024-01-01,1", "2024-02-01,2", "2024-03-01,3",
                                     "March 2024?,4", "2024-05-01,5", "2024-13-01,6"])
    with pytest.raises(DataError) as info:
        load_series(path, date_column="month", outcome_column="n", label="m.csv")
    message = str(info.value)
    assert message.startswith("m.csv, column 'month', rows 5, 7:")
    assert "'March 2024?'" in message and "'2024-13-01'" in message


def test_dates_stored_as_plain_numbers_are_explained():
    raw = pd.DataFrame({"date": [45352, 45383], "n": [1, 2]})
    with pytest.raises(DataError) as info:
        load_series(raw, date_column="date", outcome_column="n", label="serials.xlsx")
    assert str(info.value).startswith("serials.xlsx, column 'date', rows 2, 3")
    assert "format the column as Date in Excel" in str(info.value)


def test_blank_lines_are_skipped_but_row_numbers_match_the_file(tmp_path):
    path = write(tmp_path, "gappy.csv", "month,n\n2024-01-01,1\n\n2024-02-01,2\n2024-03-01,x\n")
    with pytest.raises(DataError) as info:
        load_series(path, date_column="month", outcome_column="n", label="gappy.csv")
    # line 3 is blank, so the 'x' is on row 5
    assert str(info.value).startswith("gappy.csv, column 'n', row 5:")


# --- incident-level exports -----------------------------------------------------------


def test_incidents_aggregated_by_week_fill_empty_weeks_with_zero():
    series = load_series(FIXTURES / "incidents_uk_dates.csv", date_column="reported",
                         aggregate="week", output_columns=["arrests"])
    # incidents on 2-5 Jan (4), 17-18 Jan (2), 30 Jan (1) and Monday 5 Feb (1);
    # weeks start on Monday 1 Jan; weeks of 8 and 22 Jan have none
    assert series.freq == "week"
    assert series.frame["period"].tolist() == list(pd.date_range("2024-01-01", "2024-02-05",
                                                                 freq="7D"))
    assert series.frame["outcome"].tolist() == [4, 0, 2, 0, 1, 1]
    assert series.frame["arrests"].tolist() == [1, 0, 2, 0, 1, 0]
    assert series.outcome_label == "incidents"


def test_incidents_aggregated_by_month():
    series = load_series(FIXTURES / "incidents_uk_dates.csv", date_column="reported",
                         aggregate="month")
    assert series.frame["period"].tolist() == stamps("2024-01-01", "2024-02-01")
    assert series.frame["outcome"].tolist() == [7, 1]


def test_aggregated_units_cover_the_full_span_with_zeros():
    raw = pd.DataFrame({"date": ["2024-01-02", "2024-01-03", "2024-02-20", "2024-01-10"],
                        "site": ["A", "A", "A", "B"]})
    series = load_series(raw, date_column="date", aggregate="month", unit_column="site")
    f = series.frame
    assert f["unit"].tolist() == ["A", "A", "B", "B"]
    assert f["period"].tolist() == stamps("2024-01-01", "2024-02-01") * 2
    assert f["outcome"].tolist() == [2, 1, 1, 0]


def test_weekly_counts_match_an_independently_built_export():
    rng = np.random.default_rng(20240301)
    mondays = pd.date_range("2023-01-02", periods=30, freq="7D")
    truth = rng.poisson(3, size=len(mondays))
    truth[[0, -1]] += 1  # the span runs from the first week to the last
    days = np.concatenate([rng.integers(0, 7, size=k) for k in truth])
    when = np.repeat(mondays.to_numpy(), truth) + pd.to_timedelta(days, unit="D").to_numpy()
    order = rng.permutation(len(when))
    raw = pd.DataFrame({"when": pd.to_datetime(when[order]).strftime("%d/%m/%Y %H:%M")})
    assert raw["when"].str[:2].astype(int).max() > 12  # day first is provable
    series = load_series(raw, date_column="when", aggregate="week")
    assert series.frame["period"].tolist() == list(mondays)
    assert series.frame["outcome"].tolist() == truth.tolist()


# --- duplicates and gaps -----------------------------------------------------------


def test_duplicate_periods_name_the_rows_and_the_date(tmp_path):
    path = csv(tmp_path, "week,n", ["2024-03-04,1", "2024-03-11,2", "2024-03-11,3", "2024-03-18,4"])
    with pytest.raises(DataError) as info:
        load_series(path, date_column="week", outcome_column="n", label="w.csv")
    message = str(info.value)
    assert message.startswith("w.csv, column 'week', rows 3, 4:")
    assert "same week (week of 11 March 2024)" in message
    assert "aggregate" in message


def test_same_period_for_different_units_is_fine_but_not_twice_for_one_unit():
    raw = pd.DataFrame({"month": ["2024-01", "2024-01", "2024-02", "2024-02", "2024-02"],
                        "area": ["North", "South", "North", "South", "South"],
                        "n": [1, 2, 3, 4, 5]})
    with pytest.raises(DataError) as info:
        load_series(raw, date_column="month", outcome_column="n", unit_column="area",
                    label="p.csv")
    assert "rows 5, 6" in str(info.value) and "unit 'South'" in str(info.value)
    ok = load_series(raw.iloc[:4], date_column="month", outcome_column="n", unit_column="area")
    assert ok.frame["unit"].tolist() == ["North", "North", "South", "South"]
    assert ok.frame["outcome"].tolist() == [1, 3, 2, 4]


def test_gaps_are_refused_naming_the_missing_periods(tmp_path):
    path = csv(tmp_path, "month,n", ["2024-01,1", "2024-02,2", "2024-05,5", "2024-06,6"])
    with pytest.raises(DataError) as info:
        load_series(path, date_column="month", outcome_column="n", label="g.csv")
    message = str(info.value)
    assert message.startswith("g.csv, column 'month'")
    assert "2 months" in message and "March 2024, April 2024" in message
    assert "fill_missing: zero" in message


def test_gaps_are_judged_per_unit_and_name_the_unit():
    raw = pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03", "2024-01", "2024-03"],
                        "area": ["North", "North", "North", "South", "South"],
                        "n": [1, 2, 3, 4, 5]})
    with pytest.raises(DataError) as info:
        load_series(raw, date_column="month", outcome_column="n", unit_column="area")
    assert "unit 'South'" in str(info.value) and "February 2024" in str(info.value)


def test_fill_missing_zero_inserts_zero_periods_and_outputs(tmp_path):
    path = csv(tmp_path, "month,n,patrols", ["2024-01,1,10", "2024-02,2,20", "2024-05,5,50"])
    series = load_series(path, date_column="month", outcome_column="n",
                         output_columns=["patrols"], fill_missing="zero")
    f = series.frame
    assert f["period"].tolist() == list(pd.date_range("2024-01-01", "2024-05-01", freq="MS"))
    assert f["outcome"].tolist() == [1, 2, 0, 0, 5]
    assert f["patrols"].tolist() == [10, 20, 0, 0, 50]
    assert any("2 missing months" in n for n in series.notes)


def test_fill_missing_cannot_fill_an_exposure(tmp_path):
    path = csv(tmp_path, "month,n,population", ["2024-01,1,900", "2024-02,1,905", "2024-04,2,910"])
    with pytest.raises(DataError) as info:
        load_series(path, date_column="month", outcome_column="n", exposure_column="population",
                    fill_missing="zero")
    assert "March 2024" in str(info.value) and "cannot fill" in str(info.value)


# --- outcome values -------------------------------------------------------------------


@pytest.mark.parametrize("cell, words", [
    ("-1", "cannot be negative: '-1'"),
    ("three", "not numbers: 'three'"),
    ("2.5", "whole numbers: '2.5'"),
    ("", "blank"),
])
def test_bad_counts_name_the_rows_and_values(tmp_path, cell, words):
    path = csv(tmp_path, "month,n", ["2024-01,1", f"2024-02,{cell}", "2024-03,3"])
    with pytest.raises(DataError) as info:
        load_series(path, date_column="month", outcome_column="n", label="c.csv")
    message = str(info.value)
    assert message.startswith("c.csv, column 'n', row 3:")
    assert words in message


def test_counts_with_thousands_separators_are_read(tmp_path):
    path = write(tmp_path, "t.csv", 'month,n\n2024-01,"1,234"\n2024-02,987\n')
    series = load_series(path, date_column="month", outcome_column="n")
    assert series.frame["outcome"].tolist() == [1234, 987]


def test_proportion_needs_a_denominator_at_least_the_numerator():
    raw = pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03"], "solved": [3, 9, 4],
                        "recorded": [10, 8, 0]})
    with pytest.raises(SpecError, match="denominator_column"):
        load_series(raw, date_column="month", outcome_column="solved", outcome_type="proportion")
    with pytest.raises(DataError) as info:
        load_series(raw, date_column="month", outcome_column="solved", outcome_type="proportion",
                    denominator_column="recorded", label="p.csv")
    assert str(info.value).startswith("p.csv, column 'recorded', row 4:")
    assert "more than 0" in str(info.value)
    raw.loc[2, "recorded"] = 5
    with pytest.raises(DataError) as info:
        load_series(raw, date_column="month", outcome_column="solved", outcome_type="proportion",
                    denominator_column="recorded")
    assert "row 3" in str(info.value) and "smaller than 'solved'" in str(info.value)
    raw.loc[1, "recorded"] = 12
    series = load_series(raw, date_column="month", outcome_column="solved",
                         outcome_type="proportion", denominator_column="recorded")
    assert series.frame["denominator"].tolist() == [10, 12, 5]


def test_continuous_outcomes_take_any_finite_numbers():
    raw = pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03"], "minutes": [12.5, -0.5, 9]})
    series = load_series(raw, date_column="month", outcome_column="minutes",
                         outcome_type="continuous")
    assert series.frame["outcome"].tolist() == [12.5, -0.5, 9.0]
    raw.loc[1, "minutes"] = np.inf
    with pytest.raises(DataError, match="row 3"):
        load_series(raw, date_column="month", outcome_column="minutes", outcome_type="continuous")


def test_exposure_must_be_positive():
    raw = pd.DataFrame({"month": ["2024-01", "2024-02"], "n": [1, 2], "population": [900, 0]})
    with pytest.raises(DataError) as info:
        load_series(raw, date_column="month", outcome_column="n", exposure_column="population")
    assert "column 'population', row 3" in str(info.value) and "more than 0" in str(info.value)
    raw.loc[1, "population"] = 905
    series = load_series(raw, date_column="month", outcome_column="n", exposure_column="population")
    assert series.frame["exposure"].tolist() == [900, 905]


# --- units, breakdowns, order ------------------------------------------------------------


def test_units_differing_only_in_case_are_refused_naming_both_spellings():
    with pytest.raises(DataError) as info:
        load_series(FIXTURES / "incidents_uk_dates.csv", date_column="reported", aggregate="week",
                    unit_column="area", label="incidents.csv")
    message = str(info.value)
    assert message.startswith("incidents.csv, column 'area', rows 2, 5")
    assert "'Castle'" in message and "'castle'" in message


def test_units_differing_in_inner_spaces_are_refused_but_outer_spaces_are_stripped():
    raw = pd.DataFrame({"month": ["2024-01", "2024-01", "2024-02", "2024-02"],
                        "area": ["Kings Cross", "Soho", " Kings Cross ", "Soho"], "n": [1, 2, 3, 4]})
    series = load_series(raw, date_column="month", outcome_column="n", unit_column="area")
    assert series.frame["unit"].tolist() == ["Kings Cross", "Kings Cross", "Soho", "Soho"]
    for spelling in ("kings cross ", "Kings  Cross", "KingsCross"):
        raw.loc[2, "area"] = spelling
        with pytest.raises(DataError) as info:
            load_series(raw, date_column="month", outcome_column="n", unit_column="area",
                        label="areas.csv")
        message = str(info.value)
        assert message.startswith("areas.csv, column 'area', rows 2, 4")
        assert "'Kings Cross'" in message and f"'{spelling}'" in message


def test_frame_is_sorted_by_unit_group_and_period():
    raw = pd.DataFrame({
        "month": ["2024-02", "2024-01", "2024-02", "2024-01", "2024-01", "2024-02", "2024-02",
                  "2024-01"],
        "area": ["B", "B", "A", "A", "A", "A", "B", "B"],
        "crime": ["theft", "theft", "theft", "theft", "burglary", "burglary", "burglary",
                  "burglary"],
        "n": [1, 2, 3, 4, 5, 6, 7, 8]})
    f = load_series(raw, date_column="month", outcome_column="n", unit_column="area",
                    breakdown_column="crime").frame
    assert list(zip(f["unit"], f["group"], f["period"].dt.month, f["outcome"])) == [
        ("A", "burglary", 1, 5), ("A", "burglary", 2, 6), ("A", "theft", 1, 4),
        ("A", "theft", 2, 3), ("B", "burglary", 1, 8), ("B", "burglary", 2, 7),
        ("B", "theft", 1, 2), ("B", "theft", 2, 1)]
    assert isinstance(f.index, pd.RangeIndex)


# --- exclude_periods ---------------------------------------------------------------------


@pytest.fixture
def monthly() -> pd.DataFrame:
    return pd.DataFrame({"month": [f"2020-{m:02d}" for m in range(1, 9)], "n": range(8)})


@pytest.mark.parametrize("windows", [
    [["2020-04-01", "2020-05-31"]],
    [{"start": dt.date(2020, 4, 1), "end": dt.date(2020, 5, 31)}],
    [["2020-04-01", "2020-04-01"], {"start": "2020-05-01", "end": "2020-05-01"}],
    ["2020-04", "2020-05"],  # a single pair, not nested; month dates mean the 1st
])
def test_exclude_periods_marks_the_periods_inside_inclusively(monthly, windows):
    f = load_series(monthly, date_column="month", outcome_column="n",
                    exclude_periods=windows).frame
    assert f.loc[f["excluded"], "period"].tolist() == stamps("2020-04-01", "2020-05-01")
    assert len(f) == 8  # excluded rows stay in the frame


def test_exclusion_outside_the_data_or_backwards_is_a_spec_error(monthly):
    with pytest.raises(SpecError) as info:
        load_series(monthly, date_column="month", outcome_column="n",
                    exclude_periods=[["2019-01-01", "2019-02-01"]])
    assert "key 'exclude_periods'" in str(info.value) and "outside the data" in str(info.value)
    with pytest.raises(SpecError) as info:
        load_series(monthly, date_column="month", outcome_column="n",
                    exclude_periods=[["2020-06-01", "2020-04-01"]])
    assert "key 'exclude_periods'" in str(info.value) and "ends before it starts" in str(info.value)
    with pytest.raises(SpecError, match="exclude_periods"):
        load_series(monthly, date_column="month", outcome_column="n",
                    exclude_periods=[["April", "May"]])


# --- options -----------------------------------------------------------------------------


def test_unknown_option_values_are_spec_errors_listing_the_choices(monthly):
    with pytest.raises(SpecError) as info:
        load_series(monthly, date_column="month", outcome_column="n", aggregate="fortnight")
    assert "key 'aggregate'" in str(info.value) and "day, week, month, quarter" in str(info.value)
    with pytest.raises(SpecError, match="outcome_column"):
        load_series(monthly, date_column="month")


def test_dataframe_input_is_named_by_label_in_messages():
    raw = pd.DataFrame({"month": ["2024-01", "oops"], "n": [1, 2]})
    with pytest.raises(DataError) as info:
        load_series(raw, date_column="month", outcome_column="n", label="street_crime.xlsx")
    assert str(info.value).startswith("street_crime.xlsx, column 'month', row 3:")
