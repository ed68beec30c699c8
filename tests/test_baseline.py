"""Every demo's estimates equal the copies saved before the library was restructured.

``tests/fixtures/baseline/<spec>.json`` holds each demo's ``results.json`` as it
was before the designs moved into sub-packages. A change of layout must not
change a number; a change meant to change one updates the copy in the same
commit and says so.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from conftest import EVALUATIONS, read_results

BASELINE = Path(__file__).parent / "fixtures" / "baseline"
SPECS = sorted(p.stem for p in EVALUATIONS.glob("*.yaml"))
NUMBERS = ("estimate", "se", "ci_low", "ci_high", "p_value")


def _estimates(results: dict) -> dict[tuple, dict]:
    return {(e["name"], e.get("group"), e.get("outcome")): e for e in results.get("estimates", [])}


def test_every_demo_has_a_baseline() -> None:
    assert SPECS and sorted(p.stem for p in BASELINE.glob("*.json")) == SPECS


@pytest.mark.e2e
@pytest.mark.parametrize("spec", SPECS)
def test_demo_estimates_equal_the_saved_copy(demo_reports: Path, spec: str) -> None:
    saved = _estimates(json.loads((BASELINE / f"{spec}.json").read_text(encoding="utf-8")))
    now = _estimates(read_results(demo_reports / spec))
    assert saved, f"{spec}: the saved copy has no estimates"
    assert sorted(now, key=str) == sorted(saved, key=str)
    for key, old in saved.items():
        new = now[key]
        for field in NUMBERS:
            a, b = old.get(field), new.get(field)
            if a is None or b is None:
                assert a == b, (spec, key, field)
            else:
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (spec, key, field, a, b)


#: Demos whose checks the saved copy pins as well: the three series' residual
#: autocorrelation check is statsmodels' Ljung–Box test, and the trial's
#: secondary outcomes are Holm-adjusted by statsmodels.
CHECKED_SPECS = ("castle-park-asb-plan", "crime-allocation-policy", "fraud-protect-trial",
                 "town-centre-shop-theft")


@pytest.mark.e2e
@pytest.mark.parametrize("spec", CHECKED_SPECS)
def test_demo_checks_equal_the_saved_copy(demo_reports: Path, spec: str) -> None:
    saved = json.loads((BASELINE / f"{spec}.json").read_text(encoding="utf-8"))["checks"]
    now = read_results(demo_reports / spec)["checks"]
    fields = ("name", "status", "message")
    assert [[c[f] for f in fields] for c in now] == [[c[f] for f in fields] for c in saved]
