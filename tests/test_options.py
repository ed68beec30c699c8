"""Typed options: a key the chosen analysis would ignore is refused, naming the analysis and why.

One test per analysis of the before-after template (the interrupted time
series of one series, the comparison-areas analysis, and the SPC charts both
draw), run through ``whatworks validate``'s own check so the refusal comes
before any template work.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EVALUATIONS
from whatworks.errors import SpecError
from whatworks.spec import load_spec
from whatworks.templates import before_after
from whatworks.validation import validate


def _spec(tmp_path: Path, demo: str, **extra) -> Path:
    raw = yaml.safe_load((EVALUATIONS / f"{demo}.yaml").read_text(encoding="utf-8"))
    raw["data"] = str((EVALUATIONS / raw["data"]).resolve())
    raw.update(extra)
    path = tmp_path / f"{demo}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _refused(path: Path) -> SpecError:
    with pytest.raises(SpecError) as caught:
        validate(load_spec(path, reports_root=path.parent / "reports"))
    return caught.value


@pytest.mark.parametrize("key, value, why", [
    ("seasonality", "fourier", "period effects already allow for season"),
    ("overdispersion", "negbin", "cluster-robust"),
    ("slope_change", False, "event study"),
    ("fourier_pairs", 3, "season"),
    ("intervention_end", "2024-06-30", "end date"),
    ("transition", "after", "first day of a period"),
    ("autocorrelation", "none", "allow for autocorrelation within an area"),
    ("autocorrelation", "newey-west", "allow for autocorrelation within an area"),
])
def test_comparison_areas_refuse_keys_of_the_single_series_analysis(tmp_path, key, value, why):
    error = _refused(_spec(tmp_path, "servator-deployments", **{key: value}))
    assert error.key == key
    assert "comparison-areas" in error.message and why in (error.hint or "")


@pytest.mark.parametrize("key, value, why", [
    ("seed", 7, "no random numbers"),
    ("n_boot", 1999, "bootstrap"),
    ("comparison_rationale", "Chosen in May.", "unit_column and treated_units"),
    ("unit_label", "ward", "a single series has no areas to name"),
    ("weight_column", "population", "a single series has no areas to weigh"),
])
def test_a_single_series_refuses_keys_of_the_comparison_areas_analysis(tmp_path, key, value, why):
    error = _refused(_spec(tmp_path, "town-centre-shop-theft", **{key: value}))
    assert error.key == key
    assert "interrupted time series" in error.message and why in (error.hint or "")


def test_keys_left_at_their_defaults_are_not_refused(tmp_path):
    inputs = validate(load_spec(_spec(tmp_path, "servator-deployments", seasonality="auto", slope_change=True)))
    assert isinstance(inputs.model, before_after.AreasOptions)
    assert "seasonality" not in inputs.used and "treated_units" in inputs.used


def test_the_unit_label_is_read_by_the_comparison_areas_analysis(tmp_path):
    inputs = validate(load_spec(_spec(tmp_path, "servator-deployments", unit_label="deployment site")))
    assert isinstance(inputs.model, before_after.AreasOptions) and "unit_label" in inputs.used
    assert inputs.model.places.treated == "deployment sites where it ran"
    path = _spec(tmp_path, "hotspot-problem-solving")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.pop("unit_label")
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    default = validate(load_spec(path))
    assert isinstance(default.model, before_after.AreasOptions) and default.model.places.units == "areas"


def test_spc_options_are_read_by_both_analyses(tmp_path):
    single = validate(load_spec(_spec(tmp_path, "town-centre-shop-theft", spc_rules="police-2sd")))
    assert single.spc.spc_rules == "police-2sd" and "spc_rules" in single.used
    areas = validate(load_spec(_spec(tmp_path, "servator-deployments", spc_rules="police-2sd")))
    assert areas.spc.spc_rules == "police-2sd"


def test_options_are_frozen_and_dates_are_read_once(tmp_path):
    inputs = validate(load_spec(_spec(tmp_path, "servator-deployments")))
    with pytest.raises(AttributeError):
        inputs.model.seed = 1  # type: ignore[misc]
    starts = inputs.model.intervention_date
    assert str(starts["Site 05"].date()) == "2024-01-01"
    assert inputs.spc.intervention_date is starts
    assert inputs.panel is not None  # built once, while checking


def test_parameters_used_lists_only_the_keys_the_analysis_used(tmp_path):
    from whatworks.runner import parameter_rows

    spec = load_spec(_spec(tmp_path, "servator-deployments"))
    names = [row["name"] for row in parameter_rows(spec, validate(spec).used)]
    assert "treated_units" in names and "n_boot" in names
    for ignored in ("seasonality", "overdispersion", "slope_change", "fourier_pairs", "intervention_end"):
        assert ignored not in names


def test_a_review_refuses_volumes_without_timed_tasks(tmp_path):
    raw = yaml.safe_load((EVALUATIONS / "pir-auto-redaction.yaml").read_text(encoding="utf-8"))
    for key in ("benefits", "process_timings", "volumes", "reinvestment", "rates", "costs"):
        if isinstance(raw.get(key), str):
            raw[key] = str((EVALUATIONS / raw[key]).resolve())
    raw.pop("process_timings", None)
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    error = _refused(path)
    assert error.key == "volumes" and "no timed tasks" in error.message and "process_timings" in error.hint


def _trial_spec(tmp_path, **extra) -> Path:
    raw = yaml.safe_load((EVALUATIONS / "fraud-protect-trial.yaml").read_text(encoding="utf-8"))
    for key in ("data", "allocation_record"):
        if isinstance(raw.get(key), str):
            raw[key] = str((EVALUATIONS / raw[key]).resolve())
    raw.update(extra)
    path = tmp_path / "trial.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_a_trial_refuses_a_design_key_that_does_not_fit_its_primary_outcome(tmp_path):
    error = _refused(_trial_spec(tmp_path, design_sd=40))
    assert error.key == "design_sd" and "primary outcome is binary" in error.message
    assert "design_p_control" in (error.hint or "")


def test_trial_options_are_typed_frozen_and_read_once(tmp_path):
    from whatworks.evaluation import Evaluation
    from whatworks.templates.trial import TrialOptions, trial_options

    spec = load_spec(_trial_spec(tmp_path))
    options = trial_options(Evaluation(spec.parameters, base_dir=spec.base_dir))
    assert isinstance(options, TrialOptions) and options.control_arm == spec.parameters["control_arm"]
    with pytest.raises(AttributeError):
        options.seed = 1  # type: ignore[misc]
