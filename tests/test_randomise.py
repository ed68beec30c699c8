"""Tests of sealed random allocation (whatworks.randomise)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from whatworks import allocation as rz
from whatworks.allocation.balance import balance_rows
from whatworks.errors import DataError, InputError, SpecError

ARMS3 = {"bau_letter": 2, "enhanced_letter": 1, "advocate_call": 1}


def _people(n: int = 600, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "victim_id": [f"V{i:05d}" for i in rng.permutation(n)],
        "age": rng.integers(18, 90, n),
        "area": rng.choice(["North", "South", "East"], n),
        "loss_gbp": np.where(rng.random(n) < 0.1, np.nan, rng.gamma(2.0, 300.0, n)),
    })


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    _people().to_csv(path, index=False)
    return path


def _run(people: Path, folder: str, **kw) -> rz.Allocation:
    settings = dict(participants=people, id_column="victim_id", arms=ARMS3, method="complete", seed=2024,
                    output=people.parent / "trial" / folder)
    settings.update(kw)
    return rz.randomise(**settings)


def _read(a: rz.Allocation) -> pd.DataFrame:
    return pd.read_csv(a.files["allocation"], dtype={"victim_id": str})


# -- each method's properties -------------------------------------------------------


def test_complete_gives_the_exact_ratio(people):
    a = _run(people, "a")
    assert a.counts == {"bau_letter": 300, "enhanced_letter": 150, "advocate_call": 150}
    frame = _read(a)
    assert sorted(frame["victim_id"]) == sorted(_people()["victim_id"])  # everyone, once
    assert list(frame["victim_id"]) == sorted(frame["victim_id"])  # sorted by id


def test_complete_with_a_remainder_is_within_one_of_exact(tmp_path):
    path = tmp_path / "p.csv"
    _people(601).to_csv(path, index=False)
    a = _run(path, "a")
    exact = {"bau_letter": 300.5, "enhanced_letter": 150.25, "advocate_call": 150.25}
    assert sum(a.counts.values()) == 601
    assert all(abs(a.counts[k] - v) < 1 for k, v in exact.items())


def test_block_composition(people):
    a = _run(people, "a", method="block", block_size=8)
    frame = _read(a)
    sizes = frame.groupby("block").size()
    assert (sizes.iloc[:-1] == 8).all()  # all full but perhaps the last
    full = frame[frame["block"].isin(sizes[sizes == 8].index)]
    per_block = full.groupby(["block", "arm"]).size().unstack()
    assert (per_block["bau_letter"] == 4).all()
    assert (per_block["enhanced_letter"] == 2).all()
    assert (per_block["advocate_call"] == 2).all()


def test_stratified_balance_within_each_stratum(people):
    a = _run(people, "a", method="stratified", strata=["area"], block_size=4)
    frame = _read(a)
    data = _people().set_index("victim_id")
    assert (frame["stratum"] == "area=" + data.loc[frame["victim_id"], "area"].to_numpy()).all()
    for _, group in frame.groupby("stratum"):
        n = len(group)
        counts = group["arm"].value_counts()
        # permuted blocks of 4 (2:1:1): an arm is off its exact share by less than one block's worth
        assert abs(counts.get("bau_letter", 0) - n / 2) <= 2
        assert abs(counts.get("enhanced_letter", 0) - n / 4) <= 1
        assert abs(counts.get("advocate_call", 0) - n / 4) <= 1


def test_simple_approximates_the_ratio(tmp_path):
    path = tmp_path / "p.csv"
    _people(20000).to_csv(path, index=False)
    a = _run(path, "a", method="simple", arms={"control": 3, "active": 1})
    share = a.counts["control"] / 20000
    assert abs(share - 0.75) < 4 * math.sqrt(0.75 * 0.25 / 20000)
    assert a.check("arm_sizes").status in ("info", "warn")


def test_simple_is_not_forced_exact(tmp_path):
    """Across seeds, simple randomisation of 1,000 people 1:1 gives varying arm sizes."""
    path = tmp_path / "p.csv"
    _people(1000).to_csv(path, index=False)
    sizes = {_run(path, f"s{seed}", method="simple", seed=seed, arms={"a": 1, "b": 1}).counts["a"]
             for seed in range(6)}
    assert len(sizes) > 1


# -- reproducibility --------------------------------------------------------------------


def test_same_seed_same_allocation_whatever_the_row_order(people, tmp_path):
    first = _run(people, "a", method="stratified", strata=["area"], block_size=8)
    shuffled = tmp_path / "shuffled" / "people.csv"
    shuffled.parent.mkdir()
    _people().sample(frac=1, random_state=3).to_csv(shuffled, index=False)
    second = _run(shuffled, "b", method="stratified", strata=["area"], block_size=8)
    assert Path(first.files["allocation"]).read_bytes() == Path(second.files["allocation"]).read_bytes()
    third = _run(people, "c", method="stratified", strata=["area"], block_size=8, seed=2025)
    assert Path(first.files["allocation"]).read_bytes() != Path(third.files["allocation"]).read_bytes()


def test_drawn_seed_is_recorded_and_reproduces(people):
    a = _run(people, "a", seed=None)
    record = json.loads(Path(a.files["record"]).read_text())
    assert a.seed_drawn and record["seed_source"] == "drawn by whatworks"
    assert isinstance(record["seed"], int) and 0 <= record["seed"] < 2 ** 53
    b = _run(people, "b", seed=record["seed"])
    assert Path(a.files["allocation"]).read_bytes() == Path(b.files["allocation"]).read_bytes()


# -- the record, the log and refusal to overwrite -----------------------------------------------


def test_record_holds_seed_and_hashes(people):
    import hashlib

    plan = {"primary_outcome": "repeat_victim", "smallest_effect": -0.03, "subgroups": ["area"]}
    a = _run(people, "a", plan=plan, label="wave 1")
    record = json.loads(Path(a.files["record"]).read_text())
    assert record["seed"] == 2024 and record["method"] == "complete"
    assert record["participants"]["sha256"] == hashlib.sha256(people.read_bytes()).hexdigest()
    assert record["allocation"]["sha256"] == hashlib.sha256(Path(a.files["allocation"]).read_bytes()).hexdigest()
    canonical = json.dumps(plan, sort_keys=True, separators=(",", ":")).encode()
    assert record["analysis_plan"]["sha256"] == hashlib.sha256(canonical).hexdigest()
    assert record["participants"]["file"] == "people.csv"  # a name, not a machine path
    assert list(record["arms"]) == list(ARMS3)  # control first, as given


def test_refuses_to_overwrite(people):
    a = _run(people, "a")
    before = Path(a.files["allocation"]).read_bytes()
    with pytest.raises(rz.AllocationExistsError) as info:
        _run(people, "a", seed=99)
    assert isinstance(info.value, InputError)
    assert "new output folder" in str(info.value)
    assert Path(a.files["allocation"]).read_bytes() == before
    assert len(Path(a.files["log"]).read_text().splitlines()) == 1


def test_log_shows_a_redo_into_another_folder(people):
    """The log lives beside the allocation folders, so a redo with another seed cannot hide."""
    first = _run(people, "first")
    assert all(c.name != "reallocation" for c in first.checks)
    second = _run(people, "second", seed=7)
    lines = [json.loads(x) for x in Path(second.files["log"]).read_text().splitlines()]
    assert [e["seed"] for e in lines] == [2024, 7]
    assert [e["folder"] for e in lines] == ["first", "second"]
    assert second.check("reallocation").status == "warn"
    record = json.loads(Path(second.files["record"]).read_text())
    assert record["previous_allocations"][0]["seed"] == 2024
    checks = {c.name: c for c in rz.verify(second.files["allocation"], second.files["record"])}
    assert checks["first_allocation"].status == "warn"
    assert "2024" in checks["first_allocation"].message
    first_checks = {c.name: c for c in rz.verify(first.files["allocation"], first.files["record"])}
    assert first_checks["first_allocation"].status == "info"


# -- verify -------------------------------------------------------------------------------------


def test_verify_passes_an_untouched_allocation(people):
    spec = {"outcomes": [{"column": "repeat_victim", "primary": True, "smallest_effect": -0.03}],
            "subgroups": ["area", "age"]}
    a = _run(people, "a", plan=rz.analysis_plan_from_spec(spec))
    # the same plan written differently: subgroups reordered, 0.030 for 0.03
    same = {"outcomes": [{"smallest_effect": -0.030, "primary": True, "column": "repeat_victim"}],
            "subgroups": ["age", "area"]}
    checks = {c.name: c.status for c in rz.verify(a.files["allocation"], a.files["record"],
                                                  rz.analysis_plan_from_spec(same), participants=people)}
    assert checks["allocation_matches_record"] == "pass"
    assert checks["analysis_plan_unchanged"] == "pass"
    assert checks["record_sealed"] == "pass"
    assert checks["participants_match_record"] == "pass"
    rz.ensure_matches_record(a.files["allocation"], a.files["record"])  # does not raise


def test_verify_detects_a_changed_allocation(people):
    a = _run(people, "a")
    frame = _read(a)
    who = frame.loc[0, "victim_id"]
    frame.loc[0, "arm"] = "advocate_call" if frame.loc[0, "arm"] != "advocate_call" else "bau_letter"
    frame.to_csv(a.files["allocation"], index=False, lineterminator="\n")
    checks = {c.name: c for c in rz.verify(a.files["allocation"], a.files["record"], participants=people)}
    check = checks["allocation_matches_record"]
    assert check.status == "fail"
    assert who in check.message and "moved arm" in check.message
    with pytest.raises(rz.AllocationMismatchError) as info:
        rz.ensure_matches_record(a.files["allocation"], a.files["record"])
    assert "does NOT match" in str(info.value)


def test_verify_names_dropped_rows(people):
    a = _run(people, "a")
    frame = _read(a).iloc[:-3]
    frame.to_csv(a.files["allocation"], index=False, lineterminator="\n")
    check = {c.name: c for c in rz.verify(a.files["allocation"], a.files["record"])}["allocation_matches_record"]
    assert check.status == "fail" and "600 rows in the record, 597 now" in check.message


def test_verify_detects_a_changed_plan(people):
    spec = {"outcomes": [{"column": "repeat_victim", "type": "binary", "primary": True, "smallest_effect": -0.03},
                         {"column": "loss_gbp", "type": "continuous"}], "subgroups": ["area"]}
    a = _run(people, "a", plan=rz.analysis_plan_from_spec(spec))
    changed = dict(spec, subgroups=["area", "age_band"])
    checks = {c.name: c for c in rz.verify(a.files["allocation"], a.files["record"],
                                          rz.analysis_plan_from_spec(changed))}
    assert checks["analysis_plan_unchanged"].status == "warn"
    assert "subgroups" in checks["analysis_plan_unchanged"].message
    switched = dict(spec, outcomes=[{"column": "loss_gbp", "primary": True, "smallest_effect": -50}])
    msg = {c.name: c for c in rz.verify(a.files["allocation"], a.files["record"],
                                       rz.analysis_plan_from_spec(switched))}["analysis_plan_unchanged"].message
    assert "primary_outcome" in msg and "smallest_effect" in msg


def test_verify_detects_an_edited_record(people):
    a = _run(people, "a")
    record = json.loads(Path(a.files["record"]).read_text())
    record["seed"] = 1
    Path(a.files["record"]).write_text(json.dumps(record))
    checks = {c.name: c.status for c in rz.verify(a.files["allocation"], a.files["record"])}
    assert checks["record_sealed"] == "fail"


# -- the analysis plan ------------------------------------------------------------------------------


def test_analysis_plan_from_spec_takes_exactly_three_keys():
    spec = {"template": "rct", "id_column": "victim_id", "outcomes": [
        {"column": "loss_gbp", "type": "continuous", "smallest_effect": -40},
        {"column": "repeat_victim", "type": "binary", "primary": True, "smallest_effect": -0.03,
         "label": "Repeat victim"}], "subgroups": ["older", "area"], "covariates": ["age"]}
    plan = rz.analysis_plan_from_spec(spec)
    assert plan == {"primary_outcome": "repeat_victim", "smallest_effect": -0.03, "subgroups": ["area", "older"]}
    relabelled = json.loads(json.dumps(spec))
    relabelled["outcomes"][1]["label"] = "Another label"
    relabelled["covariates"] = []
    assert rz.plan_hash(rz.analysis_plan_from_spec(relabelled)) == rz.plan_hash(plan)
    moved = json.loads(json.dumps(spec))
    moved["outcomes"][1]["smallest_effect"] = -0.02
    assert rz.plan_hash(rz.analysis_plan_from_spec(moved)) != rz.plan_hash(plan)


@pytest.mark.parametrize("outcomes", [[{"column": "a"}], [{"column": "a", "primary": True},
                                                           {"column": "b", "primary": True}], []])
def test_analysis_plan_needs_one_primary_outcome(outcomes):
    with pytest.raises(SpecError) as info:
        rz.analysis_plan_from_spec({"outcomes": outcomes})
    assert info.value.key == "outcomes"


# -- bad input ---------------------------------------------------------------------------------------


def test_duplicate_ids_named_with_rows(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("victim_id,age\nA1,30\nA2,40\nA1,50\nA3,20\nA2,22\n")
    with pytest.raises(DataError) as info:
        rz.randomise(participants=path, id_column="victim_id", arms={"a": 1, "b": 1}, seed=1,
                     output=tmp_path / "out")
    err = info.value
    assert err.rows == [2, 3, 4, 6]  # spreadsheet rows: the header is row 1
    assert "2 appear more than once" in str(err)
    assert "A1" not in str(err) and "A2" not in str(err)  # rows, never the ids: messages reach status files
    assert not (tmp_path / "out").exists()


def test_blank_ids_named(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("victim_id,age\nA1,30\n,40\n")
    with pytest.raises(DataError) as info:
        rz.randomise(participants=path, id_column="victim_id", arms={"a": 1, "b": 1}, seed=1, output=tmp_path / "o")
    assert info.value.rows == [3]


@pytest.mark.parametrize("arms", [{"a": 1, "b": 0}, {"a": 1, "b": -2}, {"a": 1, "b": "x"}, {"a": 1},
                                  {"a": 1, "b": float("nan")}])
def test_bad_arms(people, arms):
    with pytest.raises(SpecError) as info:
        _run(people, "a", arms=arms)
    assert info.value.key == "arms"


def test_blocked_methods_need_whole_ratios(people):
    with pytest.raises(SpecError):
        _run(people, "a", method="block", arms={"a": 0.5, "b": 0.5}, block_size=4)


def test_block_size_not_a_multiple(people):
    with pytest.raises(SpecError) as info:
        _run(people, "a", method="block", block_size=6)  # ratio 2:1:1 sums to 4
    assert info.value.key == "block_size" and "4, 8, 12" in str(info.value)


def test_unknown_strata_column_suggests(people):
    with pytest.raises(DataError) as info:
        _run(people, "a", method="stratified", strata=["aera"])
    assert "Did you mean 'area'" in str(info.value)


def test_unknown_id_column_suggests(people):
    with pytest.raises(DataError) as info:
        _run(people, "a", id_column="victimid")
    assert "Did you mean 'victim_id'" in str(info.value)


def test_stratified_needs_strata_and_others_refuse_them(people):
    with pytest.raises(SpecError):
        _run(people, "a", method="stratified")
    with pytest.raises(SpecError):
        _run(people, "a", method="complete", strata=["area"])
    with pytest.raises(SpecError):
        _run(people, "a", method="magic")


def test_excel_keeps_ids_as_text(tmp_path):
    path = tmp_path / "people.xlsx"
    pd.DataFrame({"victim_id": ["007", "010", "002", "001"], "age": [20, 30, 40, 50]}).to_excel(path, index=False)
    a = rz.randomise(participants=path, id_column="victim_id", arms={"a": 1, "b": 1}, seed=3,
                     output=tmp_path / "out")
    assert sorted(_read(a)["victim_id"]) == ["001", "002", "007", "010"]


# -- balance --------------------------------------------------------------------------------------------


def test_smd_formula_by_hand():
    """Numeric: (2 - 3) / sqrt((1 + 1) / 2) = -1 for a = [2, 3, 4], b = [1, 2, 3].
    Shares: p_a = 2/3, p_b = 1/3: (1/3 - 2/3) / sqrt((2/9 + 2/9) / 2) = -(1/3)/sqrt(2/9) ≈ -0.7071."""
    frame = pd.DataFrame({"x": [2, 3, 4, 1, 2, 3], "g": ["F", "F", "M", "F", "M", "M"]})
    rows, _ = balance_rows(frame, pd.Series(["a"] * 3 + ["b"] * 3), ["a", "b"])
    by = {(r["variable"], r["level"]): r for r in rows}
    assert by[("x", "")]["smd"]["b"] == pytest.approx(-1.0)
    assert by[("g", "F")]["smd"]["b"] == pytest.approx(-(1 / 3) / math.sqrt(2 / 9))
    assert by[("g", "F")]["values"] == {"a": pytest.approx(2 / 3), "b": pytest.approx(1 / 3)}


def test_balance_written_and_no_ids_in_results(people):
    a = _run(people, "a")
    table = pd.read_csv(Path(a.files["balance"]))
    assert {"variable", "level", "smd_enhanced_letter", "smd_advocate_call"} <= set(table.columns)
    assert "loss_gbp" in set(table["variable"]) and "missing" in set(table["level"].dropna())
    assert a.balance is not None and "pooled SD" in (a.balance.caption or "")
    payload = json.dumps(a.to_dict())
    assert "V00001" not in payload and "V00000" not in payload  # no row-level data
    assert "sealed" in str(a)
    chart = a.plot()
    assert chart.png[:4] == b"\x89PNG" and "standardised difference" in chart.alt


def test_randomise_from_spec_seals_the_rct_plan(people):
    spec_dir = people.parent
    (spec_dir / "fraud_rct.yaml").write_text(
        "template: rct\noutcomes:\n  - {column: repeat_victim, type: binary, primary: true, smallest_effect: -0.03}\n"
        "subgroups: [area]\n")
    (spec_dir / "allocate.yaml").write_text(
        "participants: people.csv\nid_column: victim_id\narms: {bau_letter: 1, enhanced_letter: 1}\n"
        "method: block\nblock_size: 4\nseed: 5\noutput: trial/allocation\nanalysis_spec: fraud_rct.yaml\n")
    a = rz.randomise_from_spec(spec_dir / "allocate.yaml")
    assert a.counts == {"bau_letter": 300, "enhanced_letter": 300}
    record = json.loads(Path(a.files["record"]).read_text())
    assert record["analysis_plan"]["plan"] == {"primary_outcome": "repeat_victim", "smallest_effect": -0.03,
                                               "subgroups": ["area"]}
    (spec_dir / "typo.yaml").write_text("participants: people.csv\nid_colum: victim_id\n")
    with pytest.raises(SpecError) as info:
        rz.randomise_from_spec(spec_dir / "typo.yaml")
    assert info.value.key == "id_colum" and "id_column" in str(info.value)
