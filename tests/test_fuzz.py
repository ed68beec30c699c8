"""Bad input of every kind through ``whatworks validate`` (and ``run`` for faults of the machine).

No input may make whatworks print ``internal error``: each case asserts the
exit status and that the message names the file, the spec key or the column
at fault. The cases are the ones real exports and careless specs produce:
encodings, delimiters, number and date formats, spec abuse, hostile text,
and faults such as a full disk or a folder that may not be written.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from whatworks import runner
from whatworks.cli import main

pytestmark = pytest.mark.xdist_group("fuzz")

WEEKS = pd.date_range("2023-01-02", periods=60, freq="W-MON")
HEAD = "template: before-after\ntitle: Fuzz\nowner: Tester\n"
SPEC = HEAD + "data: d.csv\ndate_column: week\noutcome_column: thefts\nintervention_date: 2023-12-04\n"


def rows(cell: Callable[[int], object] | None = None, sep: str = ",", column: str = "thefts") -> str:
    """The good weekly export, with ``cell(i)`` in place of some counts (None keeps the count)."""
    lines = [f"week{sep}{column}"]
    for i, week in enumerate(WEEKS):
        value = cell(i) if cell else None
        lines.append(f"{week:%Y-%m-%d}{sep}{20 + i % 7 if value is None else value}")
    return "\n".join(lines) + "\n"


TRIAL = ("template: rct\ntitle: Fuzz trial\nowner: Tester\ndata: t.csv\nid_column: id\narm_column: arm\n"
         "control_arm: a\noutcomes:\n  - column: spend\n    type: continuous\n    primary: true\n"
         "    label: Spend\n")


def trial(cell: Callable[[int], object] | None = None, sep: str = ",") -> str:
    """A trial file: ids with leading zeros, two arms, money spent (``cell(i)`` in place of some)."""
    lines = [f"id{sep}arm{sep}spend"]
    for i in range(80):
        value = cell(i) if cell else None
        lines.append(f"{i:07d}{sep}{'ab'[i % 2]}{sep}{f'{10 + i % 13}.5' if value is None else value}")
    return "\n".join(lines) + "\n"


def at(row: int, value: object) -> Callable[[int], object]:
    """Put ``value`` at spreadsheet row ``row`` (the header is row 1)."""
    return lambda i: value if i == row - 2 else None


def excel(path: Path, *, title: bool = False, hidden: tuple[int, ...] = ()) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Counts"
    if title:
        sheet.append(["Thefts from vehicles, Castle ward"])
        sheet.append([])
    sheet.append(["week", "thefts"])
    for i, week in enumerate(WEEKS):
        sheet.append([f"{week:%Y-%m-%d}", 20 + i % 7])
    for r in hidden:
        sheet.row_dimensions[r].hidden = True
    book.save(path)


def spec(**changes: str | None) -> str:
    """The good spec with keys changed (a value None removes the key)."""
    lines = dict(line.split(": ", 1) for line in SPEC.strip().splitlines())
    for key, value in changes.items():
        if value is None:
            lines.pop(key, None)
        else:
            lines[key] = value
    return "".join(f"{k}: {v}\n" for k, v in lines.items())


# name: (files {name: text, bytes or a writer}, spec text, exit status, words the output must hold)
Files = dict[str, "str | bytes | Callable[[Path], None]"]
CASES: dict[str, tuple[Files, str, int, list[str]]] = {
    # -- encodings and delimiters
    "utf-16 export": ({"d.csv": rows().encode("utf-16")}, SPEC, 2, ["d.csv"]),
    "binary file": ({"d.csv": bytes(range(256)) * 8}, SPEC, 2, ["d.csv"]),
    "zip named csv": ({"d.csv": b"PK\x03\x04" + b"\x00" * 100}, SPEC, 2, ["d.csv"]),
    "tab separated": ({"d.csv": rows(sep="\t")}, SPEC, 0, ["valid"]),
    "semicolon separated": ({"d.csv": rows(sep=";")}, SPEC, 0, ["valid"]),
    "bar separated": ({"d.csv": rows(sep="|")}, SPEC, 0, ["valid"]),
    "windows encoding": ({"d.csv": rows().replace("thefts", "thefts", 1).replace("week,", "week,", 1)
                          .encode("cp1252")}, SPEC, 0, ["valid"]),
    "byte-order mark": ({"d.csv": "\ufeff" + rows()}, SPEC, 0, ["valid"]),
    "windows line ends": ({"d.csv": rows().replace("\n", "\r\n")}, SPEC, 0, ["valid"]),
    "empty file": ({"d.csv": ""}, SPEC, 2, ["d.csv", "empty"]),
    "blank lines only": ({"d.csv": "\n\n\n"}, SPEC, 2, ["d.csv", "empty"]),
    "header only": ({"d.csv": "week,thefts\n"}, SPEC, 2, ["d.csv", "no data"]),
    "ragged rows": ({"d.csv": rows() + "2024-03-04,3,4,5,6\n"}, SPEC, 2, ["d.csv"]),
    "old excel": ({"d.xls": b"\xd0\xcf\x11\xe0" + b"\x00" * 64}, spec(data="d.xls"), 2, ["d.xls", ".xlsx"]),
    "no extension": ({"d": rows()}, spec(data="d"), 2, ["d: files of type", "cannot be read"]),
    "damaged workbook": ({"d.xlsx": "not a workbook"}, spec(data="d.xlsx"), 2, ["d.xlsx", "Excel"]),
    "wrong sheet": ({"d.xlsx": excel}, spec(data="d.xlsx", sheet="Sheet9"), 2, ["d.xlsx", "Sheet9", "Counts"]),
    "hidden rows": ({"d.xlsx": lambda p: excel(p, hidden=(5, 9))}, spec(data="d.xlsx"), 2,
                    ["d.xlsx", "rows 5, 9", "hidden"]),
    "workbook title row": ({"d.xlsx": lambda p: excel(p, title=True)}, spec(data="d.xlsx"), 0, ["valid"]),
    "csv title row": ({"d.csv": "Thefts from vehicles\n" + rows()}, SPEC, 0, ["valid"]),
    "csv title and date rows": ({"d.csv": "Thefts from vehicles\nExported 3 March 2024\n\n" + rows()}, SPEC,
                                0, ["valid"]),
    "title row then bad cell": ({"d.csv": "Thefts from vehicles\n" + rows(at(9, "n/a"))}, SPEC, 2,
                                ["column 'thefts'", "row 10"]),
    # -- numbers
    "decimal comma in a count": ({"d.csv": rows(at(6, "20,5"), sep=";")}, SPEC, 2,
                                 ["column 'thefts'", "row 6", "whole numbers"]),
    "decimal comma continuous": ({"d.csv": rows(at(6, "20,5"), sep=";")}, SPEC + "outcome_type: continuous\n",
                                 0, ["valid"]),
    "comma that reads two ways": ({"d.csv": rows(lambda i: '"1,234"' if i == 4 else "20.5")},
                                  SPEC + "outcome_type: continuous\n", 0, ["valid"]),
    "doubtful comma": ({"d.csv": rows(at(6, '"1,234"'))}, SPEC + "outcome_type: continuous\n", 2,
                       ["column 'thefts'", "row 6", "read two ways"]),
    "mixed decimal marks": ({"d.csv": rows(lambda i: {3: '"1,234.5"', 4: '"103,2"'}.get(i), sep=",")},
                            SPEC + "outcome_type: continuous\n", 2, ["column 'thefts'", "read two ways"]),
    "inf": ({"d.csv": rows(at(7, "inf"))}, SPEC, 2, ["column 'thefts'", "row 7", "not finite"]),
    "minus inf": ({"d.csv": rows(at(7, "-inf"))}, SPEC + "outcome_type: continuous\n", 2,
                  ["column 'thefts'", "row 7", "not finite"]),
    "Infinity": ({"d.csv": rows(at(8, "Infinity"))}, SPEC, 2, ["column 'thefts'", "row 8"]),
    "NaN text": ({"d.csv": rows(at(8, "NaN"))}, SPEC, 2, ["column 'thefts'", "row 8"]),
    "overflow": ({"d.csv": rows(at(8, "1e400"))}, SPEC + "outcome_type: continuous\n", 2,
                 ["column 'thefts'", "row 8"]),
    "n/a": ({"d.csv": rows(at(10, "n/a"))}, SPEC, 2, ["column 'thefts'", "row 10", "not numbers"]),
    "dash": ({"d.csv": rows(at(10, "-"))}, SPEC, 2, ["column 'thefts'", "row 10"]),
    "units in cells": ({"d.csv": rows(at(11, "12 thefts"))}, SPEC, 2, ["column 'thefts'", "row 11"]),
    "negative count": ({"d.csv": rows(at(12, "-3"))}, SPEC, 2, ["column 'thefts'", "row 12", "negative"]),
    "fraction in a count": ({"d.csv": rows(at(12, "2.5"))}, SPEC, 2, ["column 'thefts'", "whole numbers"]),
    "blank count": ({"d.csv": rows(at(13, ""))}, SPEC, 2, ["column 'thefts'", "row 13", "blank"]),
    "true in a count": ({"d.csv": rows(at(13, "TRUE"))}, SPEC, 2, ["column 'thefts'", "row 13"]),
    "pounds": ({"d.csv": rows(lambda i: f'"£{1000 + i:,}.50"')}, SPEC + "outcome_type: continuous\n", 0,
               ["valid"]),
    "thousands in a count": ({"d.csv": rows(at(5, '"1,234"'))}, SPEC, 0, ["valid"]),
    # -- dates
    "unreadable date": ({"d.csv": rows().replace("2023-03-06", "not a date")}, SPEC, 2,
                        ["column 'week'", "not a date"]),
    "impossible date": ({"d.csv": rows().replace("2023-03-06", "2023-02-30")}, SPEC, 2, ["column 'week'"]),
    "blank date": ({"d.csv": rows().replace("2023-03-06", "")}, SPEC, 2, ["column 'week'"]),
    "repeated date": ({"d.csv": rows().replace("2023-03-06", "2023-02-27")}, SPEC, 2, ["column 'week'"]),
    "ambiguous slash dates": ({"d.csv": "week,thefts\n01/02/2024,1\n02/03/2024,2\n03/04/2024,3\n04/05/2024,4\n"},
                              SPEC, 2, ["column 'week'", "date_format"]),
    # -- spec abuse
    "unknown key": ({"d.csv": rows()}, SPEC + "bogus: 1\n", 2, ["key 'bogus'"]),
    "misspelt key": ({"d.csv": rows()}, SPEC.replace("title:", "titel:"), 2, ["key 'titel'", "title"]),
    "key twice": ({"d.csv": rows()}, SPEC + "title: Again\n", 2, ["key 'title'", "twice"]),
    "yaml alias": ({"d.csv": rows()}, SPEC + "owner_copy: &a x\nnotes: *a\n", 2, ["plan.yaml"]),
    "deep nesting": ({"d.csv": rows()}, SPEC + "notes: " + "[" * 5000 + "]" * 5000 + "\n", 2, ["plan.yaml"]),
    "not yaml": ({"d.csv": rows()}, "template: before-after\ntitle: [unclosed\n", 2, ["plan.yaml", "YAML"]),
    "empty spec": ({"d.csv": rows()}, "", 2, ["plan.yaml", "empty"]),
    "spec is a list": ({"d.csv": rows()}, "- a\n- b\n", 2, ["plan.yaml"]),
    "no template": ({"d.csv": rows()}, SPEC.replace("template: before-after\n", ""), 2, ["key 'template'"]),
    "unknown template": ({"d.csv": rows()}, SPEC.replace("before-after", "before-afterr"), 2, ["key 'template'"]),
    "missing required key": ({"d.csv": rows()}, spec(intervention_date=None), 2, ["key 'intervention_date'"]),
    "date that is not a date": ({"d.csv": rows()}, spec(intervention_date="soon"), 2, ["intervention_date"]),
    "date after the data": ({"d.csv": rows()}, spec(intervention_date="2030-01-07"), 2,
                            ["d.csv", "outside the data", "intervention_date"]),
    "date before the data": ({"d.csv": rows()}, spec(intervention_date="2001-01-01"), 2,
                             ["d.csv", "outside the data"]),
    "nan date": ({"d.csv": rows()}, spec(intervention_date=".nan"), 2, ["intervention_date"]),
    "misspelt column": ({"d.csv": rows()}, spec(outcome_column="theft"), 2, ["outcome_column", "'thefts'"]),
    "date column as mapping": ({"d.csv": rows()}, spec(date_column="{a: b}"), 2, ["date_column"]),
    "bad choice": ({"d.csv": rows()}, SPEC + "aggregate: fortnight\n", 2, ["aggregate", "fortnight"]),
    "disclosure not a number": ({"d.csv": rows()}, SPEC + "disclosure: lots\n", 2, ["disclosure"]),
    "missing data file": ({}, SPEC, 2, ["key 'data'", "d.csv", "not found"]),
    "data is a folder": ({"d.csv": "DIR"}, SPEC, 2, ["key 'data'", "d.csv"]),
    "data is a device": ({}, spec(data="/dev/zero"), 2, ["key 'data'"]),
    "output is a file": ({"d.csv": rows(), "taken": "mine"}, SPEC + "output: taken\n", 2, ["key 'output'"]),
    "output holds other files": ({"d.csv": rows(), "taken/keep.txt": "mine"}, SPEC + "output: taken\n", 2,
                                 ["key 'output'", "did not make"]),
    "output is the spec folder": ({"d.csv": rows()}, SPEC + "output: .\n", 2, ["key 'output'"]),
    "spec over 1 MB": ({"d.csv": rows()}, SPEC + "# " + "x" * (1 << 20) + "\n", 2, ["plan.yaml", "1 MB"]),
    "spec with NUL bytes": ({"d.csv": rows()}, SPEC + "\x00\n", 2, ["plan.yaml"]),
    # -- a trial file
    "trial ids with leading zeros": ({"t.csv": trial()}, TRIAL, 0, ["valid"]),
    "trial money inf": ({"t.csv": trial(at(5, "inf"))}, TRIAL, 2, ["t.csv", "column 'spend'", "row 5"]),
    "trial money decimal comma": ({"t.csv": trial(lambda i: f"{10 + i % 13},5", sep=";")}, TRIAL, 0, ["valid"]),
    "trial money in pounds": ({"t.csv": trial(lambda i: f'"£{1000 + i:,}.00"')}, TRIAL, 0, ["valid"]),
    "trial money two ways": ({"t.csv": trial(lambda i: '"1,250"' if i == 4 else str(10 + i))}, TRIAL, 2,
                             ["t.csv", "column 'spend'", "row 6"]),
    "trial money settled by its column": ({"t.csv": trial(at(6, '"1,250"'))}, TRIAL, 0, ["valid"]),
    "trial money text": ({"t.csv": trial(at(6, "unknown"))}, TRIAL, 2, ["t.csv", "column 'spend'"]),
    "trial duplicate ids": ({"t.csv": trial().replace("0000004,", "0000003,")}, TRIAL, 2,
                            ["t.csv", "column 'id'", "rows 5, 6"]),
    "trial unknown key": ({"t.csv": trial()}, TRIAL + "bogus: 1\n", 2, ["key 'bogus'"]),
    # -- hostile text
    "markup in the title": ({"d.csv": rows()}, spec(title='"<script>alert(1)</script>"'), 0, ["valid"]),
    "maths in a label": ({"d.csv": rows()}, SPEC + 'outcome_label: "thefts $_{$"\n', 0, ["valid"]),
    "newline in a column name": ({"d.csv": rows(column='"the\nfts"')}, SPEC, 2, ["outcome_column"]),
    "long column name": ({"d.csv": rows(column="t" * 5000)}, SPEC, 2, ["outcome_column"]),
    "quotes in names": ({"d.csv": rows()}, spec(outcome_column="\"th'e\\\"fts\""), 2, ["outcome_column"]),
}


def _write(folder: Path, files: Files, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if content == "DIR":
            target.mkdir()
        elif callable(content):
            content(target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    path = folder / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_fuzz_holds_at_least_sixty_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_named_never_an_internal_error(name, tmp_path, capsys, monkeypatch):
    files, text, expected, words = CASES[name]
    path = _write(tmp_path / "case", files, text)
    monkeypatch.chdir(tmp_path)
    status = main(["validate", str(path)])
    out = capsys.readouterr()
    said = out.out + out.err
    assert "internal error" not in said and "Traceback" not in said, said
    assert status == expected, said
    for word in words:
        assert word in said, f"{name}: {word!r} missing from: {said}"
    message = said.replace(f"{path}: ", "", 1)  # the command echoes the spec path as typed
    assert str(tmp_path) not in message, "messages name files relative to the spec's folder"


def _refuse_to_write(code: int) -> Callable[..., str]:
    def fail(*args: object, **kwargs: object) -> str:
        raise OSError(code, {errno.ENOSPC: "No space left on device",
                             errno.EROFS: "Read-only file system"}[code])
    return fail


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "disk is full"), (errno.EROFS, "may not write")])
def test_a_full_disk_or_read_only_folder_is_named_with_the_fix(code, words, tmp_path, capsys, monkeypatch):
    path = _write(tmp_path / "case", {"d.csv": rows()}, SPEC + "output: ../out/plan\n")
    monkeypatch.setattr(runner.tempfile, "mkdtemp", _refuse_to_write(code))
    status = main(["run", str(path), "--reports", str(tmp_path / "elsewhere")])
    out = capsys.readouterr()
    said = out.out + out.err
    assert "internal error" not in said, said
    assert status == 2 and "'plan'" in said and words in said, said
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    assert not (tmp_path / "elsewhere").exists()


def test_a_read_only_reports_folder_leaves_no_partial_folders(tmp_path, capsys):
    import os

    if os.geteuid() == 0:
        pytest.skip("the superuser may write to any folder")
    path = _write(tmp_path / "case", {"d.csv": rows()}, SPEC + "output: ../out/plan\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out").chmod(0o555)
    try:
        status = main(["run", str(path)])
    finally:
        (tmp_path / "out").chmod(0o755)
    said = "".join(capsys.readouterr())
    assert status == 2 and "internal error" not in said
    assert not list((tmp_path / "out").iterdir())


