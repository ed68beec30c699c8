"""The one date reader and the calendar: whatworks.dates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from whatworks import dates
from whatworks.data import load_series
from whatworks.errors import DataError, SpecError


def iso(stamps) -> list[str]:
    return [pd.Timestamp(s).date().isoformat() for s in stamps]


def column(values) -> dates.DateReading:
    return dates.parse_dates(pd.Series(values), column="when", file="export.csv")


# --- one value ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    dt.date(2024, 3, 25), dt.datetime(2024, 3, 25), pd.Timestamp("2024-03-25"),
    np.datetime64("2024-03-25"), "2024-03-25", " 25/03/2024 ", "25-03-24", "25 March 2024",
    "25th Mar 2024",
])
def test_one_date_is_read_from_real_dates_iso_and_uk_text(value):
    assert dates.parse_date(value) == pd.Timestamp("2024-03-25")


@pytest.mark.parametrize("value", ["Mar 2024", "March 2024", "Mar-2024", "2024-03"])
def test_a_month_alone_means_its_first_day(value):
    assert dates.parse_date(value) == pd.Timestamp("2024-03-01")


def test_an_ambiguous_slash_date_is_refused_naming_the_key_and_both_readings():
    with pytest.raises(SpecError) as info:
        dates.parse_date("03/04/2024", key="intervention_date", file="spec.yaml")
    message = str(info.value)
    assert message.startswith("spec.yaml, key 'intervention_date'")
    assert "3 April 2024 (day first)" in message and "4 March 2024 (month first)" in message
    assert "2024-04-03" in message and "2024-03-04" in message  # the ISO fix for each meaning


def test_the_example_in_the_message_tells_the_two_readings_apart():
    with pytest.raises(SpecError) as info:
        dates.parse_date("03/04/2024", key="intervention_date")
    example = "25/04/2024"
    assert example in str(info.value)
    assert dates.parse_date(example) == pd.Timestamp("2024-04-25")  # day first: one reading
    with pytest.raises(SpecError):  # month first it is no date at all (month 25)
        dates.parse_date(example, key="k", date_format="%m/%d/%Y")


def test_03_01_2024_is_refused_everywhere_not_read_as_1_march():
    with pytest.raises(SpecError) as info:
        dates.parse_date("03/01/2024", key="intervention_date")
    assert "3 January 2024" in str(info.value) and "1 March 2024" in str(info.value)
    with pytest.raises(DataError) as info:  # a register cell: a DataError naming the place
        dates.parse_date("03/01/2024", file="register.xlsx", column="start")
    assert str(info.value).startswith("register.xlsx, column 'start'")


def test_equal_parts_and_date_format_settle_a_slash_date():
    assert dates.parse_date("01/01/2024") == pd.Timestamp("2024-01-01")
    assert dates.parse_date("03/04/2024", date_format="%d/%m/%Y") == pd.Timestamp("2024-04-03")
    assert dates.parse_date("03/04/2024", date_format="%m/%d/%Y") == pd.Timestamp("2024-03-04")


def test_month_first_text_is_never_read_silently():
    with pytest.raises(DataError) as info:
        dates.parse_date("03/25/2024", file="f.csv", column="d")
    assert "month first" in str(info.value) and "25/03/2024" in str(info.value)


@pytest.mark.parametrize("value", ["", None, "31/02/2024", "2024-13-01", "soon", 2024, "2023/24"])
def test_blank_or_unreadable_values_are_refused(value):
    with pytest.raises(SpecError, match="YYYY-MM-DD"):
        dates.parse_date(value, key="k")


# --- a column ------------------------------------------------------------------------------


def test_a_column_is_read_day_first_when_a_date_proves_it():
    reading = column(["27/03/2024", "03/04/2024"])
    assert iso(reading.dates) == ["2024-03-27", "2024-04-03"] and reading.note is None


def test_an_ambiguous_column_is_refused_when_both_readings_are_regular():
    # day first: February to May (monthly); month first: 2 to 5 January (daily)
    with pytest.raises(DataError) as info:
        column(["01/02/2024", "01/03/2024", "01/04/2024", "01/05/2024"])
    assert 'date_format: "%d/%m/%Y"' in str(info.value)
    assert "'25/02/2024' can be read only one way" in str(info.value)


def test_first_of_month_uk_dates_are_read_day_first_by_regularity_and_noted():
    uk = [f"01/{m:02d}/2024" for m in range(4, 13)] + [f"01/{m:02d}/2025" for m in (1, 2, 3)]
    reading = column(uk)
    assert iso(reading.dates) == iso(pd.date_range("2024-04-01", periods=12, freq="MS"))
    assert "read day first" in reading.note and "monthly" in reading.note
    series = load_series(pd.DataFrame({"month": uk, "n": range(12)}), date_column="month",
                         outcome_column="n", label="monthly.csv")
    assert series.freq == "month"
    assert [n for n in series.notes if "read day first" in n and "monthly.csv" in n]


def test_a_column_regular_only_month_first_is_still_refused():
    us = [f"{m:02d}/01/2024" for m in range(4, 13)] + [f"{m:02d}/01/2025" for m in (1, 2, 3)]
    with pytest.raises(DataError) as info:
        column(us)
    message = str(info.value)
    assert "Read month first they make a monthly series" in message
    assert 'date_format: "%m/%d/%Y"' in message


# --- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize("values, freq, starts", [
    ([2000, 2001, 2002], "year", ["2000-01-01", "2001-01-01", "2002-01-01"]),
    (["2000", "2001"], "year", ["2000-01-01", "2001-01-01"]),
    (["2023/24", "2024/25"], "financial_year", ["2023-04-01", "2024-04-01"]),
    (["2023-24", "2024-25"], "financial_year", ["2023-04-01", "2024-04-01"]),
    (["FY2023/24", "FY 2024/25"], "financial_year", ["2023-04-01", "2024-04-01"]),
    (["2010-11", "2011-12"], "financial_year", ["2010-04-01", "2011-04-01"]),
    (["Q1 2023/24", "Q2 2023/24", "Q4 2023/24"], "financial_quarter",
     ["2023-04-01", "2023-07-01", "2024-01-01"]),
    (["2023 Q1", "2023 Q2"], "quarter", ["2023-01-01", "2023-04-01"]),
    (["Q1 2023", "Q4 2023"], "quarter", ["2023-01-01", "2023-10-01"]),
])
def test_period_text_is_read_as_the_start_of_its_period(values, freq, starts):
    reading = column(values)
    assert reading.freq == freq and iso(reading.dates) == starts


def test_iso_months_that_look_like_financial_years_stay_months():
    reading = column(["2011-11", "2011-12"])
    assert reading.freq is None and iso(reading.dates) == ["2011-11-01", "2011-12-01"]


@pytest.mark.parametrize("values, words", [
    (["2023/24", "2024"], "not all of one kind"),
    (["2023/24", "soon"], "not periods: 'soon'"),
])
def test_mixed_period_text_is_refused(values, words):
    with pytest.raises(DataError, match=words):
        column(values)


def test_yearly_dates_are_a_yearly_series():
    series = load_series(pd.DataFrame({"d": ["2000-01-01", "2001-01-01", "2002-01-01"],
                                       "n": [1, 2, 3]}), date_column="d", outcome_column="n")
    assert series.freq == "year"
    april = pd.Series(pd.to_datetime(["2020-04-01", "2021-04-01", "2023-04-01"]))
    assert dates.infer_freq(april, column="d", file="f.csv") == "financial_year"


def test_financial_years_load_with_gaps_found_and_filled():
    frame = pd.DataFrame({"year": ["2021/22", "2022/23", "2024/25"], "n": [4, 5, 6]})
    with pytest.raises(DataError, match="no row for 1 financial year inside the series: 2023/24"):
        load_series(frame, date_column="year", outcome_column="n")
    series = load_series(frame, date_column="year", outcome_column="n", fill_missing="zero")
    assert series.freq == "financial_year" and series.frame["outcome"].tolist() == [4, 5, 0, 6]


@pytest.mark.parametrize("text", ["2024/25", "2024-25", "2024/2025", "FY2024/25"])
def test_parse_financial_year_gives_april_to_march(text):
    assert dates.parse_financial_year(text) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


@pytest.mark.parametrize("text", ["2024/26", "2024", "Q1 2024/25", None])
def test_parse_financial_year_refuses_anything_else(text):
    with pytest.raises(SpecError, match="not a financial year"):
        dates.parse_financial_year(text, key="reporting_year")


# --- the calendar -------------------------------------------------------------------------


@pytest.mark.parametrize("freq, start, end, words", [
    ("month", "2024-02-01", "2024-02-29", "February 2024"),
    ("quarter", "2024-04-01", "2024-06-30", "quarter April to June 2024"),
    ("financial_quarter", "2024-01-01", "2024-03-31", "Q4 2023/24, January to March 2024"),
    ("year", "2024-01-01", "2024-12-31", "2024"),
    ("financial_year", "2024-04-01", "2025-03-31", "2024/25"),
])
def test_every_period_has_an_end_and_words(freq, start, end, words):
    assert dates.period_end(pd.Timestamp(start), freq) == pd.Timestamp(end)
    assert dates.period_words(pd.Timestamp(start), freq) == words
    assert dates.floor(pd.Series([pd.Timestamp(end)]), freq)[0] == pd.Timestamp(start)


def test_periods_per_year_covers_every_frequency():
    assert set(dates.PERIODS_PER_YEAR) == set(dates.FREQS)
    assert dates.PERIODS_PER_YEAR["financial_year"] == 1
    assert dates.PERIODS_PER_YEAR["financial_quarter"] == 4
    assert dates.PERIODS_PER_YEAR["month"] == 12


def test_a_table_written_day_first_settles_its_ambiguous_dates():
    assert dates.written_day_first(["2024-04-01", "25/03/2024", "03/04/2024"])
    assert not dates.written_day_first(["03/04/2024", "04/15/2024", None, 45352])
    assert dates.parse_date("03/04/2024", day_first=True) == pd.Timestamp("2024-04-03")
    with pytest.raises(DataError, match="month first"):  # still never read month first
        dates.parse_date("04/15/2024", column="c", file="f", day_first=True)
