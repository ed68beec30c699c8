"""Officer time against avoided harm: hourly costs, unit costs of crime, uprating and the benefit-cost ratio.

Every figure is checked against arithmetic written out in the test.
"""

from __future__ import annotations

import csv

import pytest

from whatworks.errors import SpecError
from whatworks.templates.pir import default_rates, default_rates_path
from whatworks.value import (
    Deflator,
    cost_benefit,
    default_deflator,
    default_hourly_costs,
    default_unit_costs,
    hourly_cost,
    hourly_costs_path,
    officer_hours,
    unit_cost,
    unit_costs_path,
)

pytestmark = pytest.mark.unit


def test_officer_hours_is_deployments_times_officers_times_hours() -> None:
    assert officer_hours(1121, 2, 3.5) == pytest.approx(1121 * 2 * 3.5)


@pytest.mark.parametrize(("officers", "hours", "key"), [(-2, 3.0, "officers_per_deployment"),
                                                         (2, 0.0, "hours_per_deployment")])
def test_effort_that_is_not_positive_is_refused_naming_the_key(officers: float, hours: float, key: str) -> None:
    with pytest.raises(SpecError) as caught:
        officer_hours(10, officers, hours)
    assert caught.value.key == key and key in str(caught.value)


def test_negative_officer_hours_are_refused() -> None:
    with pytest.raises(SpecError) as caught:
        cost_benefit(5, 1, 9, hours=-10, hourly_gbp=40, unit_gbp=1000, price_year="2024/25")
    assert caught.value.key == "officer_hours_column"


def test_the_benefits_template_and_operations_share_one_hourly_cost_table() -> None:
    assert default_rates_path() == hourly_costs_path()
    shared = default_hourly_costs()
    pir = default_rates()
    for grade, cost in shared.items():
        assert pir.get(grade).hourly_cost_gbp == cost.gbp
    assert "Illustrative" in shared["Police Constable"].source


def test_unknown_grade_is_refused_with_the_choices() -> None:
    assert hourly_cost("police  constable").gbp == default_hourly_costs()["Police Constable"].gbp
    with pytest.raises(SpecError) as caught:
        hourly_cost("Special Constable")
    assert caught.value.key == "officer_grade"
    assert "Police Constable" in str(caught.value)


def test_uprating_by_the_deflator_matches_hand_arithmetic() -> None:
    deflator = default_deflator()
    pc = default_hourly_costs()["Police Constable"]  # £44.00 at 2024/25 prices
    # index 2024/25 = 103.0, 2026/27 = 108.4 in the shipped series
    assert pc.at("2026/27", deflator) == pytest.approx(44.0 * 108.4 / 103.0)
    own = Deflator({"2015/16": 80.0, "2024/25": 100.0}, "test series", "test")
    assert unit_cost("robbery").at("2024/25", own) == pytest.approx(11320 * 100.0 / 80.0)


def test_uprating_outside_the_deflator_says_which_year_is_missing() -> None:
    with pytest.raises(KeyError, match="2015/16"):
        unit_cost("robbery").at("2024/25", default_deflator())


def test_unit_cost_table_is_read_with_its_source_and_price_year() -> None:
    with unit_costs_path().open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["price_year"] for r in rows} == {"2015/16"}
    table = default_unit_costs()
    assert len(table) == len(rows)
    for cost in table.values():
        assert "Research Report 99" in cost.source and "Table 1" in cost.source
    # Heeks, Reed, Tafsiri and Prince (2018), Table 1, 2015/16 prices (as reported by the South Wales Echo)
    assert table["violence_with_injury"].gbp == 14050
    assert table["robbery"].gbp == 11320
    assert table["theft_from_vehicle"].gbp == 870


def test_unknown_crime_type_is_refused_with_the_choices() -> None:
    assert unit_cost("Theft of vehicle").crime_type == "theft_of_vehicle"
    with pytest.raises(SpecError) as caught:
        unit_cost("shoplifting")
    assert caught.value.key == "crime_type"
    assert "robbery" in str(caught.value) and "unit_cost_of_crime" in str(caught.value)


def test_benefit_cost_ratio_and_its_interval_match_hand_arithmetic() -> None:
    crimes, lo, hi = 120.0, 30.0, 210.0
    hours, hourly, unit = 7847.0, 44.0, 1350.0
    cb = cost_benefit(crimes, lo, hi, hours=hours, hourly_gbp=hourly, unit_gbp=unit, price_year="2024/25")
    cost = hours * hourly
    assert cb.cost == pytest.approx(cost)
    assert cb.value == pytest.approx(crimes * unit)
    assert cb.ratio == pytest.approx(crimes * unit / cost)
    assert cb.ratio_interval == pytest.approx((lo * unit / cost, hi * unit / cost))
    assert cb.cost_per_crime == pytest.approx(cost / crimes)
    assert cb.cost_per_crime_interval == pytest.approx((cost / hi, cost / lo))
    names = {e.name: e for e in cb.estimates()}
    assert set(names) == {"officer_hours", "officer_cost", "value_of_crimes_prevented",
                          "cost_per_crime_prevented", "benefit_cost_ratio"}
    assert all(e.unit and e.scale for e in names.values())
    assert names["benefit_cost_ratio"].ci_low == pytest.approx(lo * unit / cost)
    words = cb.words()
    assert words.startswith(f"Each £1 of officer time bought an estimated £{crimes * unit / cost:,.2f} (95% CI")
    assert cb.to_dict()["benefit_cost_ratio"] == pytest.approx(crimes * unit / cost)
    assert len(cb.table().rows) == 6


def test_an_interval_reaching_a_loss_is_said_plainly() -> None:
    cb = cost_benefit(10, -4, 24, hours=100, hourly_gbp=50, unit_gbp=1000, price_year="2024/25")
    assert cb.ratio_interval == pytest.approx((-0.8, 4.8))
    assert "net loss" in cb.words()
    assert cb.cost_per_crime_interval == (pytest.approx(5000 / 24), None)
    assert "reaches zero" in cb.table().rows[4][2]


def test_no_cost_means_no_ratio() -> None:
    cb = cost_benefit(10, 4, 16, hours=0, hourly_gbp=50, unit_gbp=1000, price_year="2024/25")
    assert cb.ratio is None and "benefit_cost_ratio" not in {e.name for e in cb.estimates()}
    assert "No officer time was recorded" in cb.words()


def test_spec_choices_match_the_shipped_tables() -> None:
    from whatworks.params import CHOICES

    assert set(CHOICES["OfficerGrade"]) == set(default_hourly_costs())
    assert set(CHOICES["CrimeType"]) == set(default_unit_costs())
