"""The sealed allocation record, the allocation log and their verification.

An allocation folder holds ``allocation.csv``, ``balance.csv`` and
``allocation_record.json``. The record holds the seed and settings, the
SHA-256 of the participant file's bytes, of ``allocation.csv``'s bytes and of
the analysis plan (a canonical JSON of the primary outcome, the subgroups
and the smallest effect worth detecting), and a ``seal``: the SHA-256 of the
record's own canonical JSON without the seal, so an edit to the record shows.

Every allocation is also appended to ``allocation_log.jsonl`` in the folder
*above* the allocation folder. An allocation is never overwritten, so a
second allocation of the same people has to go to another folder beside
the first, and the shared log shows both: a quiet redo with a luckier seed
is visible.

Examples
--------
>>> plan_hash({"primary_outcome": "repeat_victim", "smallest_effect": 0.03, "subgroups": []})[:12]
'7863f3875e56'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DataError, SpecError

__all__ = [
    "RECORD_NAME",
    "ALLOCATION_NAME",
    "BALANCE_NAME",
    "LOG_NAME",
    "canonical_json",
    "sha256_bytes",
    "sha256_file",
    "plan_hash",
    "analysis_plan_from_spec",
    "seal",
    "read_record",
    "read_log",
    "append_log",
    "log_path",
]

RECORD_NAME = "allocation_record.json"
ALLOCATION_NAME = "allocation.csv"
BALANCE_NAME = "balance.csv"
LOG_NAME = "allocation_log.jsonl"
#: The keys of an analysis plan, exactly.
PLAN_KEYS = ("primary_outcome", "smallest_effect", "subgroups")


def _canonical(value: Any) -> Any:
    """Whole-number floats become ints, so ``5`` and ``5.0`` hash the same."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _canonical(value.item())
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def canonical_json(value: Any) -> str:
    """Keys sorted, no spaces, UTF-8 text: the same data always gives the same text.

    >>> canonical_json({"b": 1.0, "a": [2, "x"]})
    '{"a":[2,"x"],"b":1}'
    """
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_bytes(data: bytes) -> str:
    """The SHA-256 of some bytes, as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def plan_hash(plan: Mapping[str, Any]) -> str:
    """The SHA-256 of an analysis plan's canonical JSON.

    Key order, whitespace and ``0.10`` versus ``0.1`` in the spec do not
    change it; any change of outcome, subgroup or smallest effect does.

    >>> plan_hash({"a": 1, "b": 2}) == plan_hash({"b": 2.0, "a": 1})
    True
    """
    return sha256_bytes(canonical_json(dict(plan)).encode("utf-8"))


def analysis_plan_from_spec(spec_mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The analysis plan an ``rct`` spec commits to, and nothing else.

    Returns exactly ``primary_outcome`` (the column of the one outcome with
    ``primary: true``), ``smallest_effect`` (that outcome's smallest effect
    worth detecting) and ``subgroups`` (the pre-specified subgroups, sorted,
    so their order in the spec does not matter). Accepts the spec as read
    from YAML, or a validated spec's ``parameters``.

    >>> analysis_plan_from_spec({"outcomes": [
    ...     {"column": "repeat_victim", "type": "binary", "primary": True, "smallest_effect": 0.03},
    ...     {"column": "loss_gbp", "type": "continuous"}], "subgroups": ["age_band"]})
    {'primary_outcome': 'repeat_victim', 'smallest_effect': 0.03, 'subgroups': ['age_band']}
    """
    params = getattr(spec_mapping, "parameters", spec_mapping)
    outcomes = params.get("outcomes")
    if not isinstance(outcomes, (list, tuple)) or not outcomes:
        raise SpecError("the spec lists no outcomes", key="outcomes",
                        hint="List the outcomes, with primary: true on exactly one.")
    primary = [o for o in outcomes if isinstance(o, Mapping) and o.get("primary") is True]
    if len(primary) != 1:
        raise SpecError(f"exactly one outcome must have primary: true; {len(primary)} do", key="outcomes",
                        hint="Mark the one outcome the trial is judged on with primary: true.")
    column = primary[0].get("column")
    if not column:
        raise SpecError("the primary outcome has no column", key="outcomes",
                        hint="Give the primary outcome's column name.")
    effect = primary[0].get("smallest_effect")
    if effect is None:
        raise SpecError(f"the primary outcome '{column}' has no smallest_effect", key="outcomes",
                        hint="Give smallest_effect: the smallest effect worth detecting, e.g. -0.03.")
    subgroups = params.get("subgroups") or []
    if isinstance(subgroups, (str, Mapping)):
        subgroups = [subgroups]
    ordered = sorted((_canonical(s) for s in subgroups), key=canonical_json)
    return {"primary_outcome": str(column), "smallest_effect": _canonical(effect), "subgroups": ordered}


def seal(record: Mapping[str, Any]) -> str:
    """The SHA-256 of a record's canonical JSON, leaving out any existing seal."""
    body = {k: v for k, v in record.items() if k != "seal"}
    return sha256_bytes(canonical_json(body).encode("utf-8"))


def read_record(path: str | Path) -> dict[str, Any]:
    """Read an ``allocation_record.json``, with a clear error when it cannot be."""
    path = Path(path)
    if not path.is_file():
        raise DataError("the allocation record was not found", file=str(path),
                        hint="Give the allocation_record.json written when the allocation was made.")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"the allocation record is not valid JSON ({exc})", file=str(path),
                        hint="Restore the record from version control; never edit it by hand.") from None
    if not isinstance(record, dict) or "allocation" not in record or "seed" not in record:
        raise DataError("this file is not a whatworks allocation record", file=str(path))
    return record


def log_path(output: str | Path) -> Path:
    """The allocation log shared by every allocation folder beside ``output``."""
    return Path(output).absolute().parent / LOG_NAME


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Every entry of an allocation log (an empty list when there is none)."""
    path = Path(path)
    if not path.is_file():
        return []
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except ValueError:
            raise DataError("a line of the allocation log is not valid JSON", file=str(path), rows=[number],
                            hint="The log is append-only; restore it from version control.") from None
    return entries


def append_log(path: str | Path, entry: Mapping[str, Any]) -> None:
    """Append one entry (one line of canonical JSON) to the allocation log."""
    with open(path, "a", encoding="utf-8", newline="\n") as handle:
        handle.write(canonical_json(entry) + "\n")
