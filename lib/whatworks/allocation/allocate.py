"""Random allocation for a trial: fair, reproducible, sealed, and made once.

:func:`randomise` reads a participant list (CSV or Excel), allocates each
person to an arm, and writes into a new folder:

- ``allocation.csv``: the id column, ``arm``, ``stratum`` and ``block``,
  sorted by id;
- ``balance.csv``: standardised mean differences of every baseline column
  by arm against the first (control) arm;
- ``allocation_record.json``: the sealed record (seed, settings, SHA-256 of
  the participant file, of the allocation and of the analysis plan);

and appends a line to ``allocation_log.jsonl`` in the folder above, which
every allocation made beside it shares. It refuses to overwrite an
allocation. :func:`~whatworks.allocation.verification.verify` checks a later copy of the allocation (and the
analysis plan) against the record.

The allocation is a deterministic function of the participants sorted by
id, the seed and the settings; it uses only the raw stream of NumPy's PCG64
bit generator, so it reproduces on any machine.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "people.csv").write_text("id,age\\n" + "".join(f"P{i},{20 + i}\\n" for i in range(12)))
>>> a = randomise(participants=d / "people.csv", id_column="id", arms={"letter": 1, "call": 1},
...               method="complete", seed=42, output=d / "allocation")
>>> a.counts
{'letter': 6, 'call': 6}
>>> from whatworks.allocation.verification import verify
>>> checks = verify(d / "allocation" / "allocation.csv", d / "allocation" / "allocation_record.json")
>>> {c.name: c.status for c in checks}["allocation_matches_record"]
'pass'
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import importlib.metadata
import io
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import text
from ..errors import InputError, SpecError
from ..results import Check
from .balance import MAX_LEVELS, SMD_FLAG, balance_frame, balance_rows, balance_table
from .checks import arm_size_check
from .methods import ALGORITHM, METHODS, Stream
from .participants import check_arms, check_settings, read_participants
from .record import (
    ALLOCATION_NAME,
    BALANCE_NAME,
    RECORD_NAME,
    analysis_plan_from_spec,
    append_log,
    log_path,
    plan_hash,
    read_log,
    seal,
    sha256_bytes,
)
from .result import Allocation

__all__ = ["AllocationExistsError", "assign", "randomise", "randomise_from_spec", "SPEC_KEYS"]

_SEED_BITS = 53  # seeds stay exact in any JSON reader


def _version() -> str:
    """The installed whatworks version, written into the record and the log."""
    return importlib.metadata.version("whatworks")


class AllocationExistsError(InputError):
    """The output folder already holds an allocation; allocations are never overwritten."""


# -- allocating -------------------------------------------------------------


def _strata_labels(frame: pd.DataFrame, strata: Sequence[str]) -> pd.Series:
    if not strata:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    parts = []
    for col in strata:
        values = frame[col].astype(object).where(frame[col].notna(), "(missing)").astype(str)
        parts.append(col + "=" + values)
    label = parts[0]
    for p in parts[1:]:
        label = label + "; " + p
    return label.astype(object)


def assign(frame: pd.DataFrame, *, id_column: str, arm_names: Sequence[str], ratios: Sequence[float],
           method: str, strata: Sequence[str], block_size: int | None, seed: int) -> pd.DataFrame:
    """The allocation: one row per participant, sorted by id (a pure function of its inputs).

    Returns columns ``id_column``, ``arm``, ``stratum`` and ``block``
    (``block`` is empty for methods without blocks).
    """
    ids = frame[id_column].astype(str).tolist()
    order = sorted(range(len(ids)), key=ids.__getitem__)
    ordered = frame.iloc[order]
    labels = _strata_labels(ordered, strata)
    codes = pd.Series(pd.Categorical(labels, categories=sorted(set(labels)))).cat.codes.to_numpy()
    arm, block = METHODS[method](Stream(seed), len(ordered), tuple(ratios), codes, block_size)
    out = pd.DataFrame({
        id_column: ordered[id_column].astype(str).to_numpy(),
        "arm": np.asarray(arm_names, dtype=object)[arm],
        "stratum": labels.to_numpy(),
        "block": pd.array(block if block is not None else [pd.NA] * len(ordered), dtype="Int64"),
    })
    return out


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")


def _allocation_bytes(allocation: pd.DataFrame) -> bytes:
    """``allocation.csv`` as bytes: UTF-8, ``\\n`` line ends, quoted only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(allocation.columns))
    block = allocation["block"]
    blocks = [""] * len(block) if block.isna().all() else block.astype("int64").astype(str).tolist()
    writer.writerows(zip(allocation.iloc[:, 0].tolist(), allocation["arm"].tolist(),
                         allocation["stratum"].tolist(), blocks))
    return buffer.getvalue().encode("utf-8")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _arm_digest(frame: pd.DataFrame, id_column: str, arm_names: Sequence[str]) -> dict[str, dict[str, Any]]:
    ids = np.asarray(frame[id_column].astype(str).tolist(), dtype=object)
    arms = np.asarray(frame["arm"].astype(str).tolist(), dtype=object)
    out = {}
    for a in arm_names:
        members = sorted(ids[arms == a].tolist())
        out[a] = {"n": len(members), "ids_sha256": sha256_bytes("\n".join(members).encode("utf-8"))}
    return out


# -- the entry points ---------------------------------------------------------------------


_METHOD_WORDS = {
    "simple": "simple randomisation (each person independently)",
    "complete": "complete randomisation (the exact ratio, in a random order)",
    "block": "permuted blocks of {b}",
    "stratified": "permuted blocks of {b} within each of {s} strata",
}


def randomise(
    *,
    participants: str | Path,
    id_column: str,
    arms: Mapping[str, float],
    method: str = "complete",
    strata: Sequence[str] = (),
    block_size: int | None = None,
    seed: int | None = None,
    output: str | Path,
    plan: Mapping[str, Any] | None = None,
    sheet: str | int | None = None,
    label: str | None = None,
) -> Allocation:
    """Allocate participants to arms at random, once, and seal the allocation.

    Parameters
    ----------
    participants
        The participant list, CSV or Excel; one row per person.
    id_column
        The column holding each person's unique id.
    arms
        Arm name to allocation ratio, control arm first (``{"bau": 1,
        "letter": 1}``).
    method
        ``simple``, ``complete``, ``block`` or ``stratified``.
    strata
        Columns to stratify by (``stratified`` only).
    block_size
        People per block (``block``, ``stratified``): a multiple of the sum of
        the ratios; default twice that sum.
    seed
        A whole number; when absent one is drawn with :mod:`secrets` and
        recorded.
    output
        A new folder for the allocation; it must not already hold one.
    plan
        The analysis plan to seal (see :func:`analysis_plan_from_spec`).
    sheet
        The Excel sheet (default the first).
    label
        A short name for this allocation, kept in the record and the log.

    Raises
    ------
    AllocationExistsError
        ``output`` already holds an allocation.
    DataError, SpecError
        The participant list or the settings cannot be used.
    """
    names, ratios = check_arms(arms, method)
    strata = tuple(strata or ())
    frame, raw = read_participants(participants, id_column, sheet)
    file_name = Path(participants).name
    block = check_settings(method, ratios, strata, block_size, list(frame.columns), file_name)
    if seed is None:
        seed, drawn = secrets.randbelow(2 ** _SEED_BITS), True
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SpecError(f"seed must be a whole number of 0 or more, not {seed!r}", key="seed",
                        hint="Leave seed out and whatworks will draw one and record it.")
    else:
        seed, drawn = int(seed), False
    plan_dict = None if plan is None else dict(plan)
    out_dir = Path(output)
    existing = [n for n in (ALLOCATION_NAME, RECORD_NAME) if (out_dir / n).exists()]
    if existing:
        raise AllocationExistsError(
            f"the folder '{out_dir.name}' already holds an allocation ({', '.join(existing)}); "
            "an allocation is made once and never overwritten",
            hint="Analyse the allocation already made. If a new allocation is truly needed (for example a "
                 "new cohort), give a new output folder beside this one: the allocation log there records both.",
        )

    allocation = assign(frame, id_column=id_column, arm_names=names, ratios=ratios, method=method,
                        strata=strata, block_size=block, seed=seed)
    counts = {a: int((allocation["arm"] == a).sum()) for a in names}
    arm_by_id = allocation.set_index(id_column)["arm"]
    baseline = frame.drop(columns=[id_column])
    rows, skipped = balance_rows(baseline, frame[id_column].map(arm_by_id), names)

    out_dir.mkdir(parents=True, exist_ok=True)
    alloc_bytes = _allocation_bytes(allocation)
    _write_atomic(out_dir / ALLOCATION_NAME, alloc_bytes)
    _write_atomic(out_dir / BALANCE_NAME, _csv_bytes(balance_frame(rows, names)))

    log_file = log_path(out_dir)
    participants_hash = sha256_bytes(raw)
    earlier = [e for e in read_log(log_file) if e.get("participants_sha256") == participants_hash]
    created = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    record: dict[str, Any] = {
        "record": "whatworks allocation record",
        "format_version": 1,
        "created": created,
        "whatworks_version": _version(),
        "label": label,
        "method": method,
        "arms": dict(zip(names, ratios)),
        "block_size": block,
        "strata": list(strata),
        "seed": seed,
        "seed_source": "drawn by whatworks" if drawn else "given",
        "random_numbers": ALGORITHM,
        "id_column": id_column,
        "participants": {"file": file_name, "sha256": participants_hash, "rows": len(frame)},
        "allocation": {"file": ALLOCATION_NAME, "sha256": sha256_bytes(alloc_bytes),
                       "rows": len(allocation), "arms": _arm_digest(allocation, id_column, names)},
        "balance": {"file": BALANCE_NAME},
        "analysis_plan": None if plan_dict is None else {"sha256": plan_hash(plan_dict), "plan": plan_dict},
        "previous_allocations": [
            {k: e.get(k) for k in ("created", "folder", "seed", "allocation_sha256", "label")} for e in earlier
        ],
    }
    record["seal"] = seal(record)
    _write_atomic(out_dir / RECORD_NAME, _pretty(record).encode("utf-8"))
    append_log(log_file, {
        "created": created, "folder": out_dir.absolute().name, "label": label, "seed": seed, "method": method,
        "arms": record["arms"], "rows": len(allocation), "participants_sha256": participants_hash,
        "allocation_sha256": record["allocation"]["sha256"],
        "plan_sha256": None if plan_dict is None else record["analysis_plan"]["sha256"],
        "seal": record["seal"], "whatworks_version": _version(),
    })

    checks = _allocation_checks(method, names, ratios, counts, rows, skipped, earlier, allocation, block)
    how = _METHOD_WORDS[method].format(b=block, s=allocation["stratum"].nunique())
    summary = (
        f"{text.fmt_number(len(allocation))} participants were allocated at random by {how}: "
        + ", ".join(f"{a} {text.fmt_number(n)}" for a, n in counts.items())
        + f". The seed ({seed}, {record['seed_source']}) and the SHA-256 hashes of the participant list, the "
        "allocation and the analysis plan are sealed in allocation_record.json; the allocation log beside the "
        "folder records every allocation made."
    )
    notes = (
        "Standardised mean differences: difference in means (or shares, for each level of a categorical "
        "column) between each arm and the control, over the pooled SD √((s²_arm + s²_control)/2); "
        f"|SMD| > {SMD_FLAG} is a conventional flag, not a test.",
        f"Random numbers: {ALGORITHM}.",
        "Participants are taken in order of their id (text order) before allocation, so the same list, seed "
        "and settings always give the same allocation.",
    )
    return Allocation(
        seed=seed, seed_drawn=drawn, method=method, arms=dict(zip(names, ratios)), block_size=block,
        strata=strata, counts=counts,
        files={"allocation": str(out_dir / ALLOCATION_NAME), "balance": str(out_dir / BALANCE_NAME),
               "record": str(out_dir / RECORD_NAME), "log": str(log_file)},
        record=record, balance=balance_table(rows, names), balance_rows=tuple(rows),
        assignments=allocation, checks=tuple(checks), summary_text=(summary,), notes=notes,
    )


def _pretty(record: Mapping[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def _allocation_checks(method: str, names: Sequence[str], ratios: Sequence[float], counts: Mapping[str, int],
                       rows: Sequence[Mapping[str, Any]], skipped: Sequence[str],
                       earlier: Sequence[Mapping[str, Any]], allocation: pd.DataFrame,
                       block: int | None) -> list[Check]:
    checks = [arm_size_check(method, names, ratios, counts)]
    flagged = sorted({f"{r['variable']}" + (f" = {r['level']}" if r["level"] else "")
                      for r in rows for v in r["smd"].values() if v is not None and abs(v) > SMD_FLAG})
    if flagged:
        checks.append(Check("baseline_balance", "info",
                            f"By chance, {len(flagged)} baseline characteristics differ by more than "
                            f"{SMD_FLAG} standardised mean differences: {', '.join(flagged[:6])}"
                            + (" and more" if len(flagged) > 6 else "")
                            + ". Consider adjusting for them in the analysis."))
    else:
        checks.append(Check("baseline_balance", "pass",
                            f"Every baseline characteristic is within {SMD_FLAG} standardised mean "
                            "differences across arms."))
    if skipped:
        checks.append(Check("balance_columns_skipped", "info",
                            f"Left out of the balance table (more than {MAX_LEVELS} distinct values): "
                            f"{', '.join(skipped)}."))
    if earlier:
        first = earlier[0]
        checks.append(Check("reallocation", "warn",
                            f"This participant list was allocated {len(earlier)} time(s) before (first on "
                            f"{first.get('created')}, seed {first.get('seed')}, folder '{first.get('folder')}'). "
                            "Every allocation is in the log; report why it was redone."))
    if block is not None and method == "stratified":
        sizes = allocation.groupby("stratum").size()
        small = int((sizes < block).sum())
        if small:
            checks.append(Check("small_strata", "info",
                                f"{small} of {len(sizes)} strata hold fewer people than one block ({block}); "
                                "their arms can be unequal. Fewer strata or smaller blocks balance better."))
    return checks


#: The keys a randomisation spec may hold (the keyword arguments of :func:`randomise`, plus
#: ``analysis_spec``: the ``rct`` spec whose analysis plan is sealed).
SPEC_KEYS = ("participants", "id_column", "arms", "method", "strata", "block_size", "seed", "output", "plan",
             "sheet", "label", "analysis_spec")


def randomise_from_spec(path: str | Path) -> Allocation:
    """Run :func:`randomise` from a YAML spec; paths in it are relative to the spec file.

    ``analysis_spec`` names the trial's ``rct`` spec: its analysis plan (see
    :func:`analysis_plan_from_spec`) is sealed with the allocation. ``plan``
    may give the plan directly instead.
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise SpecError("the randomisation spec was not found", file=str(path))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SpecError(f"the spec is not valid YAML ({exc})", file=path.name) from None
    if not isinstance(raw, dict):
        raise SpecError("the spec must be a list of 'key: value' lines", file=path.name)
    for key in raw:
        if key not in SPEC_KEYS:
            close = difflib.get_close_matches(str(key), SPEC_KEYS, n=1)
            raise SpecError("unknown key", key=str(key), file=path.name,
                            hint=f"Did you mean '{close[0]}'?" if close else f"Use: {', '.join(SPEC_KEYS)}.")
    for key in ("participants", "id_column", "arms", "output"):
        if key not in raw:
            raise SpecError("this key is required", key=key, file=path.name)
    base = path.parent
    settings = dict(raw)
    for key in ("participants", "output"):
        settings[key] = base / str(settings[key])
    analysis = settings.pop("analysis_spec", None)
    if analysis is not None:
        if settings.get("plan") is not None:
            raise SpecError("give analysis_spec or plan, not both", key="plan", file=path.name)
        analysis_path = base / str(analysis)
        if not analysis_path.is_file():
            raise SpecError(f"the analysis spec '{analysis}' was not found", key="analysis_spec", file=path.name)
        settings["plan"] = analysis_plan_from_spec(yaml.safe_load(analysis_path.read_text(encoding="utf-8")))
    strata = settings.get("strata")
    if isinstance(strata, str):
        settings["strata"] = [strata]
    return randomise(**settings)

