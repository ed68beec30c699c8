"""Checking an allocation (and an analysis plan) against its sealed record, later.

Examples
--------
>>> import tempfile, pathlib
>>> from whatworks.allocation.allocate import randomise
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "people.csv").write_text("id\\n" + "".join(f"P{i}\\n" for i in range(8)))
>>> _ = randomise(participants=d / "people.csv", id_column="id", arms={"a": 1, "b": 1}, seed=1,
...               output=d / "out")
>>> ensure_matches_record(d / "out" / "allocation.csv", d / "out" / "allocation_record.json")
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError
from ..results import Check
from .allocate import assign
from .checks import allocation_check, first_allocation_check, participants_check, plan_check, seal_check
from .participants import read_participants
from .record import LOG_NAME, read_log, read_record

__all__ = ["AllocationMismatchError", "verify", "ensure_matches_record"]


class AllocationMismatchError(DataError):
    """An allocation file does not match its sealed record."""


def verify(
    allocation_csv: str | Path,
    record_json: str | Path,
    plan: Mapping[str, Any] | None = None,
    *,
    participants: str | Path | None = None,
    sheet: str | int | None = None,
) -> list[Check]:
    """Check an allocation file (and an analysis plan) against its sealed record.

    Returns checks named ``record_sealed``, ``allocation_matches_record``
    (``fail``, naming what changed), ``analysis_plan_unchanged`` (``warn``
    naming the changed keys; ``info`` when no plan is given), and, when
    found, ``first_allocation`` (from the allocation log beside the folder)
    and ``participants_match_record`` (when ``participants`` is given; the
    allocation is then also remade from the seed and compared person by
    person).
    """
    record = read_record(record_json)
    path = Path(allocation_csv)
    if not path.is_file():
        raise DataError("the allocation file was not found", file=str(path),
                        hint="Give the allocation.csv written beside allocation_record.json.")
    data = path.read_bytes()
    remade: pd.DataFrame | None = None
    checks: list[Check | None] = [seal_check(record)]
    if participants is not None:
        frame, raw = read_participants(participants, record["id_column"], sheet)
        check = participants_check(record, raw, Path(participants).name)
        checks.append(check)
        if check.status == "pass":
            names = list(record["arms"])
            remade = assign(frame, id_column=record["id_column"], arm_names=names,
                            ratios=[float(v) for v in record["arms"].values()], method=record["method"],
                            strata=record.get("strata") or (), block_size=record.get("block_size"),
                            seed=int(record["seed"]))
    checks.append(allocation_check(record, data, path.name, remade))
    checks.append(plan_check(record, plan))
    log_file = Path(record_json).absolute().parent.parent / LOG_NAME
    checks.append(first_allocation_check(record, read_log(log_file)))
    return [c for c in checks if c is not None]


def ensure_matches_record(allocation_csv: str | Path, record_json: str | Path) -> None:
    """Raise :class:`AllocationMismatchError` unless the allocation matches its sealed record."""
    for check in verify(allocation_csv, record_json):
        if check.name in ("allocation_matches_record", "record_sealed") and check.status == "fail":
            raise AllocationMismatchError(check.message, file=Path(allocation_csv).name,
                                          hint="Restore the allocation and its record from version control; "
                                               "never edit them by hand.")
