"""``whatworks power`` and ``whatworks randomise`` from the command line.

Reference values are those printed by R's ``power.prop.test`` and
``power.t.test`` (stats package documentation examples and their output).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from whatworks.cli import main

pytestmark = pytest.mark.xdist_group("rct")


def power_json(capsys, *args: str) -> dict:
    assert main(["power", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# -- power -----------------------------------------------------------------------


def test_power_table_matches_power_prop_test_and_states_the_formulas(capsys):
    # power.prop.test(p1 = .50, p2 = .75, power = .90)  ->  n = 76.70693
    assert main(["power", "--p-control", "0.5", "--p-treatment", "0.75", "--power", "0.9"]) == 0
    out = capsys.readouterr().out
    assert "77 per arm" in out and "154" in out
    assert "Formulas" in out and "power.prop.test" in out
    assert "pooled" in out and "Φ(" in out
    assert "Significance level" in out and "0.050 two-sided" in out


def test_power_json_matches_power_prop_test(capsys):
    out = power_json(capsys, "--p-control", "0.5", "--p-treatment", "0.75", "--power", "0.9")
    assert out["n_per_arm"] == 77 and out["n_total"] == 154
    assert out["n_analysed_unrounded"][0] == pytest.approx(76.70693, abs=5e-5)
    assert out["mde"] == pytest.approx(0.25)
    assert list(out)[:3] == ["n_per_arm", "n_total", "mde"]
    assert out["formulas"]


def test_power_json_matches_power_t_test(capsys):
    # power.t.test(delta = 1, power = .90)  ->  n = 22.02110
    out = power_json(capsys, "--outcome", "continuous", "--effect", "1", "--power", "0.9")
    assert out["n_per_arm"] == 23
    assert out["n_analysed_unrounded"][0] == pytest.approx(22.02110, abs=5e-5)
    assert any("noncentral t" in f for f in out["formulas"])


def test_minimum_detectable_effect_inverts_the_documented_powers(capsys):
    # power.prop.test(n = 50, p1 = .50, p2 = .75)  ->  power = 0.7401659
    out = power_json(capsys, "--p-control", "0.5", "--n-per-arm", "50", "--power", "0.7401659",
                     "--direction", "increase")
    assert out["mde"] == pytest.approx(0.25, abs=1e-5)
    assert out["n_per_arm"] == 50 and out["n_total"] == 100
    # power.t.test(n = 20, delta = 1)  ->  power = 0.8689528
    out = power_json(capsys, "--outcome", "continuous", "--n-per-arm", "20", "--power", "0.8689528",
                     "--direction", "increase")
    assert out["mde"] == pytest.approx(1.0, abs=1e-5)


def test_power_several_arms_clusters_attrition_and_ratios(capsys):
    two = power_json(capsys, "--p-control", "0.2", "--p-treatment", "0.15")
    three = power_json(capsys, "--p-control", "0.2", "--p-treatment", "0.15", "--arms", "3")
    assert three["alpha_per_comparison"] == pytest.approx(0.025)
    assert three["n_per_arm"] > two["n_per_arm"] and three["n_total"] == 3 * three["n_per_arm"]
    assert any("Bonferroni" in f for f in three["formulas"])
    clustered = power_json(capsys, "--p-control", "0.2", "--p-treatment", "0.15", "--cluster-size", "20",
                           "--icc", "0.05")
    assert clustered["design_effect"] == pytest.approx(1.95)
    # whole clusters of 20: at least the people shortcut (1,765.5), and t on 2k - 2 df costs at most a cluster more
    shortcut = two["n_analysed_unrounded"][0] * 1.95
    assert clustered["n_per_arm"] == 20 * clustered["clusters_per_arm"][0]
    assert shortcut <= clustered["n_per_arm"] < shortcut + 2 * 20
    assert any("1 + (m − 1) × ICC" in f for f in clustered["formulas"])
    lost = power_json(capsys, "--p-control", "0.2", "--p-treatment", "0.15", "--attrition", "0.2")
    assert lost["n_per_arm"] == pytest.approx(two["n_analysed_unrounded"][0] / 0.8, abs=1)
    unequal = power_json(capsys, "--p-control", "0.2", "--p-treatment", "0.15", "--ratio", "2")
    assert unequal["n_by_arm"][1] == pytest.approx(2 * unequal["n_by_arm"][0], abs=1)


def test_power_bad_options_are_input_errors_naming_the_option(capsys):
    assert main(["power", "--p-treatment", "0.15"]) == 2
    err = capsys.readouterr().err
    assert "--p-control" in err and "Traceback" not in err
    assert main(["power", "--p-control", "1.5", "--p-treatment", "0.15"]) == 2
    assert "--p-control" in capsys.readouterr().err


def test_power_help_has_an_example():
    out = subprocess.run([sys.executable, "-m", "whatworks", "power", "--help"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0
    assert "example" in out.stdout and "whatworks power --p-control" in out.stdout
    assert "--n-per-arm" in out.stdout and "--json" in out.stdout


# -- randomise ---------------------------------------------------------------------


def write_trial(folder: Path, output: str = "allocation", seed: int | None = 7) -> Path:
    people = "id,age,area\n" + "".join(f"P{i:03d},{20 + i % 50},{'North' if i % 3 else 'South'}\n"
                                         for i in range(60))
    (folder / "people.csv").write_text(people, encoding="utf-8")
    spec = folder / f"randomise-{output}.yaml"
    lines = ["participants: people.csv", "id_column: id", "arms:", "  control: 1", "  letter: 1",
             "method: block", "block_size: 4", f"output: trial/{output}"]
    if seed is not None:
        lines.append(f"seed: {seed}")
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spec


def test_randomise_writes_the_files_and_prints_balance(tmp_path, capsys):
    spec = write_trial(tmp_path)
    assert main(["randomise", str(spec)]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "trial" / "allocation"
    for name in ("allocation.csv", "balance.csv", "allocation_record.json"):
        assert (folder / name).is_file(), name
    assert (tmp_path / "trial" / "allocation_log.jsonl").is_file()
    assert "allocation.csv" in out and "allocation_record.json" in out and "allocation_log.jsonl" in out
    assert "standardised mean differences" in out.lower() and "SMD letter" in out
    assert "control" in out and "30" in out  # people per arm
    record = json.loads((folder / "allocation_record.json").read_text(encoding="utf-8"))
    assert record["seed"] == 7 and record["method"] == "block"


def test_randomise_refuses_to_overwrite_and_logs_every_allocation(tmp_path, capsys):
    spec = write_trial(tmp_path)
    assert main(["randomise", str(spec)]) == 0
    before = (tmp_path / "trial" / "allocation" / "allocation.csv").read_bytes()
    capsys.readouterr()
    assert main(["randomise", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "already holds an allocation" in err and "never overwritten" in err
    assert (tmp_path / "trial" / "allocation" / "allocation.csv").read_bytes() == before
    log = tmp_path / "trial" / "allocation_log.jsonl"
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1
    redo = write_trial(tmp_path, output="allocation-2", seed=None)  # a redo, with a seed drawn by the tool
    assert main(["randomise", str(redo)]) == 0
    out = capsys.readouterr().out
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2
    assert "allocated 1 time(s) before" in out and "drawn by whatworks" in out


def test_randomise_through_the_command(tmp_path):
    spec = write_trial(tmp_path)
    out = subprocess.run([sys.executable, "-m", "whatworks", "randomise", str(spec)], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Files written" in out.stdout
    again = subprocess.run([sys.executable, "-m", "whatworks", "randomise", str(spec)], capture_output=True,
                           text=True, cwd=ROOT, timeout=120)
    assert again.returncode == 2 and "Input error" in again.stderr
