"""Specs and template parameters: validation before any kernel starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from whatworks.errors import SpecError, TemplateError
from whatworks.params import parse_parameters
from whatworks.spec import coerce, load_spec
from whatworks.templates import registry

DATA = Path(__file__).resolve().parents[1] / "data" / "demo" / "weekly_theft.csv"


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = f"""template: before-after
title: A test
owner: Tester
data: {DATA}
date_column: week
outcome_column: thefts
intervention_date: 2024-01-01
"""


def test_a_valid_spec_is_typed_and_filled_with_defaults(tmp_path):
    spec = load_spec(write(tmp_path, BASE + "fourier_pairs: '3'\nslope_change: 'no'\n"))
    assert spec.template.name == "before-after"
    assert spec.parameters["intervention_date"] == "2024-01-01"  # YAML date back to ISO text
    assert spec.parameters["fourier_pairs"] == 3
    assert spec.parameters["slope_change"] is False
    assert spec.parameters["seasonality"] == "auto"  # default from the notebook
    assert spec.parameters["classification"] == "OFFICIAL"
    assert spec.given >= {"title", "data"} and "seasonality" not in spec.given


def test_default_output_is_one_folder_per_spec(tmp_path):
    a = load_spec(write(tmp_path, BASE, "first.yaml"), reports_root=tmp_path / "r")
    b = load_spec(write(tmp_path, BASE, "second.yaml"), reports_root=tmp_path / "r")
    assert a.output == (tmp_path / "r" / "first").resolve()
    assert a.output != b.output


def test_output_is_relative_to_the_spec_file(tmp_path):
    (tmp_path / "sub").mkdir()
    spec = load_spec(write(tmp_path / "sub", BASE + "output: ../out/here\n"))
    assert spec.output == (tmp_path / "out" / "here").resolve()


def test_demo_only_defaults_are_blank_in_a_spec(tmp_path):
    text = BASE.replace("outcome_column: thefts\n", "aggregate: week\n")
    spec = load_spec(write(tmp_path, text))
    assert spec.parameters["outcome_column"] is None


@pytest.mark.parametrize(
    "extra, key, words",
    [
        ("titel: x\n", "titel", "Did you mean 'title'?"),
        ("seasonality: fourrier\n", "seasonality", "Did you mean 'fourier'?"),
        ("fourier_pairs: two\n", "fourier_pairs", "not a whole number"),
        ("slope_change: perhaps\n", "slope_change", "not yes or no"),
        ("intervention_end: 03/04/2024\n", "intervention_end", "YYYY-MM-DD"),
        ("classification: restricted\n", "classification", "OFFICIAL-SENSITIVE"),
    ],
)
def test_bad_values_name_the_key_and_the_fix(tmp_path, extra, key, words):
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, BASE + extra))
    assert info.value.key == key
    assert words in str(info.value)
    assert "spec.yaml" in str(info.value)


def test_missing_required_key_is_named_with_its_meaning(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, BASE.replace("intervention_date: 2024-01-01\n", "")))
    assert info.value.key == "intervention_date"
    assert "date the change started" in str(info.value)


def test_missing_data_file_says_paths_are_relative_to_the_spec(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, BASE.replace(str(DATA), "nowhere.csv")))
    assert info.value.key == "data"
    assert "nowhere.csv" in str(info.value) and "relative to the spec" in str(info.value)


def test_unknown_template_suggests_the_nearest(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, BASE.replace("before-after", "before_after")))
    assert "Did you mean 'before-after'?" in str(info.value)


def test_spec_without_template_lists_the_templates(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, "title: x\n"))
    assert info.value.key == "template" and "before-after" in str(info.value)


@pytest.mark.parametrize("text, words", [("", "empty"), ("- a\n- b\n", "key: value"),
                                          ("template: [unclosed\n", "not valid YAML at line")])
def test_malformed_specs(tmp_path, text, words):
    with pytest.raises(SpecError, match=words):
        load_spec(write(tmp_path, text))


def test_a_spec_that_does_not_exist(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "missing.yaml")


def test_parameters_cell_types_are_read_without_running_it():
    params = parse_parameters(
        "from whatworks.params import DataFile, Literal, Optional\n"
        "a: int = 1  # (required) how many\n"
        "b: Optional[Literal['x', 'y']] = None  # pick\n"
        "c: list[str] = []  # names\n"
        "d: str = 'demo'  # (demo) a demo value\n"
    )
    a, b, c, d = params
    assert (a.kind, a.required, a.help) == ("int", True, "how many")
    assert (b.kind, b.optional, b.choices) == ("choice", True, ("x", "y"))
    assert (c.kind, c.item_kind) == ("list", "str")
    assert d.demo_only and d.spec_default is None and d.default == "demo"
    assert coerce(c, "solo") == ["solo"]


@pytest.mark.parametrize("source", ["x = 1  # untyped", "x: int = len('a')  # not a literal",
                                    "x: set = {1}  # unsupported", "def f(): pass"])
def test_invalid_parameters_cells_are_refused(source):
    with pytest.raises(TemplateError):
        parse_parameters(source)


def test_every_template_declares_the_common_keys_and_a_design():
    reg = registry()
    assert reg.names(), "no templates found"
    assert not reg.problems, reg.problems
    for template in reg:
        assert {"title", "owner", "classification"} <= set(template.names)
        assert template.design
        for p in template.parameters:
            assert p.help, f"{template.name}: parameter {p.name} has no help comment"


def test_a_copied_template_registers_itself(tmp_path):
    import shutil

    src = registry().get("before-after").path
    shutil.copy(src, tmp_path / "my-copy.ipynb")
    (tmp_path / "Not A Template.ipynb").write_text("{}")
    reg = registry(tmp_path)
    assert reg.names() == ["my-copy"]
    assert reg.get("my-copy").design == "before-after"
    assert "Not A Template.ipynb" in reg.problems


def test_spec_dates_follow_the_one_date_reader(tmp_path):
    # UK day-first text is read as it is in data; an ambiguous slash date is refused
    spec = load_spec(write(tmp_path, BASE + "intervention_end: 31/12/2024\n"))
    assert spec.parameters["intervention_end"] == "2024-12-31"
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, BASE + "intervention_end: 03/01/2024\n"))
    message = str(info.value)
    assert info.value.key == "intervention_end"
    assert "3 January 2024" in message and "1 March 2024" in message


# -- careless and hostile specs: refused in words, never an internal error -------------------------

def _refused(path: Path) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    return caught.value


def test_a_key_written_twice_is_refused_naming_the_key_and_line(tmp_path):
    text = BASE.replace("intervention_date: 2024-01-01", "intervention_date: 2023-06-01\nintervention_date: 2024-01-01")
    error = _refused(write(tmp_path, text))
    assert error.key == "intervention_date" and "twice" in error.message and "line 8" in error.message


def test_no_and_off_are_text_in_lists(tmp_path):
    spec = load_spec(write(tmp_path, BASE.replace("date_column: week", "date_column: week\nunit_column: beat")
                           + "treated_units: [NO, off, Yes]\n"), reports_root=tmp_path)
    assert spec.parameters["treated_units"] == ["NO", "off", "Yes"]
    assert load_spec(write(tmp_path, BASE + "slope_change: no\n")).parameters["slope_change"] is False


def test_aliases_are_refused_so_an_alias_bomb_cannot_grow(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"
    error = _refused(write(tmp_path, BASE + bomb))
    assert "alias" in error.message


def test_deep_nesting_is_refused_in_words(tmp_path):
    error = _refused(write(tmp_path, BASE + "exclude_periods: " + "[" * 10000 + "]" * 10000 + "\n"))
    assert "nested too deeply" in error.message or "not valid YAML" in error.message


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_specs_saved_by_notepad_are_read(tmp_path, encoding):
    text = BASE.replace("title: A test", "title: Café crime – town centre" if encoding != "cp1252" else
                        "title: Café crime")
    path = tmp_path / "spec.yaml"
    path.write_bytes(text.encode(encoding))
    assert load_spec(path).parameters["title"].startswith("Café crime")


@pytest.mark.parametrize("line, key", [("disclosure: .nan", "disclosure"), ("seed: .inf", "seed"),
                                       ("fourier_pairs: .inf", "fourier_pairs")])
def test_non_finite_numbers_are_refused(tmp_path, line, key):
    error = _refused(write(tmp_path, BASE + line + "\n"))
    assert error.key == key


def test_a_device_or_a_folder_is_not_a_spec(tmp_path):
    error = _refused(Path("/dev/zero"))
    assert "is not a file" in error.message
    error = _refused(tmp_path)
    assert "is not a file" in error.message


def test_a_huge_file_is_not_a_spec(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * (1 << 21) + b"\n")
    assert "too large" in _refused(path).message
