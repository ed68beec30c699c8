"""The checks that compare an allocation and an analysis plan with their sealed record.

Each function returns one :class:`~whatworks.results.Check`; the public
entry point is :func:`whatworks.allocation.verify`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import text
from ..results import Check, Status
from .record import canonical_json, plan_hash, seal, sha256_bytes

__all__ = [
    "arm_size_check",
    "seal_check",
    "participants_check",
    "allocation_check",
    "plan_check",
    "first_allocation_check",
]

_SHOWN = 5
#: Below this p-value, arm sizes under simple randomisation are flagged.
ARM_SIZE_P = 0.001


def _short(digest: str | None) -> str:
    return (digest or "none")[:12]


def arm_size_check(method: str, names: Sequence[str], ratios: Sequence[float], counts: Mapping[str, int]) -> Check:
    """Arm sizes against the intended ratio; a chi-squared test for simple randomisation only."""
    total = sum(counts.values())
    weight = sum(ratios)
    words = ", ".join(f"{a} {text.fmt_number(counts[a])} (intended {text.fmt_pct(r / weight)})"
                      for a, r in zip(names, ratios))
    if method != "simple":
        return Check("arm_sizes", "pass", f"Arm sizes follow the intended ratio: {words}.")
    expected = [total * r / weight for r in ratios]
    p = float(stats.chisquare([counts[a] for a in names], expected).pvalue)
    status: Status = "warn" if p < ARM_SIZE_P else "info"
    return Check("arm_sizes", status,
                 f"Simple randomisation lets arm sizes vary by chance: {words}; chi-squared test against the "
                 f"intended ratio {text.fmt_p(p)}.")


def seal_check(record: Mapping[str, Any]) -> Check:
    """Whether the record itself is as written (its seal matches its content)."""
    if record.get("seal") == seal(record):
        return Check("record_sealed", "pass", "The allocation record is intact (its seal matches its content).")
    return Check("record_sealed", "fail",
                 "The allocation record has been edited since it was written: its seal no longer matches its "
                 "content. Restore it from version control.")


def participants_check(record: Mapping[str, Any], raw: bytes, name: str) -> Check:
    """Whether a participant file is the one allocated."""
    now = sha256_bytes(raw)
    then = record.get("participants", {}).get("sha256")
    if now == then:
        return Check("participants_match_record", "pass",
                     f"{name} is the participant list that was allocated (SHA-256 {_short(now)}).")
    return Check("participants_match_record", "fail",
                 f"{name} is not the participant list that was allocated (SHA-256 {_short(now)} now, "
                 f"{_short(then)} in the record).")


def _what_changed(record: Mapping[str, Any], data: bytes, remade: pd.DataFrame | None) -> list[str]:
    id_column = record.get("id_column", "id")
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except Exception:  # an unreadable file is itself the change
        return ["the file can no longer be read as CSV"]
    missing = [c for c in (id_column, "arm") if c not in frame.columns]
    if missing:
        return [f"the column(s) {', '.join(repr(c) for c in missing)} are gone"]
    then = record.get("allocation", {})
    out = []
    if len(frame) != then.get("rows"):
        out.append(f"{text.fmt_number(then.get('rows'))} rows in the record, {text.fmt_number(len(frame))} now")
    arms_then: Mapping[str, Mapping[str, Any]] = then.get("arms", {})
    ids = np.asarray(frame[id_column].astype(str).tolist(), dtype=object)
    arm_now = np.asarray(frame["arm"].astype(str).tolist(), dtype=object)
    for arm, info in arms_then.items():
        members = sorted(ids[arm_now == arm].tolist())
        digest = sha256_bytes("\n".join(members).encode("utf-8"))
        if len(members) != info.get("n"):
            out.append(f"arm '{arm}': {text.fmt_number(info.get('n'))} people in the record, "
                       f"{text.fmt_number(len(members))} now")
        elif digest != info.get("ids_sha256"):
            out.append(f"arm '{arm}': the same number of people but not the same people")
    extra = sorted(set(frame["arm"]) - set(arms_then))
    if extra:
        out.append(f"arm(s) not in the record: {', '.join(repr(a) for a in extra)}")
    if remade is not None:
        merged = remade[[id_column, "arm"]].merge(frame[[id_column, "arm"]], on=id_column, how="outer",
                                                   suffixes=("_sealed", "_now"), indicator=True)
        moved = merged[(merged["_merge"] == "both") & (merged["arm_sealed"] != merged["arm_now"])]
        if len(moved):
            shown = "; ".join(f"'{r[id_column]}' {r['arm_sealed']} → {r['arm_now']}"
                              for _, r in moved.head(_SHOWN).iterrows())
            more = " ..." if len(moved) > _SHOWN else ""
            out.append(f"{text.plural(len(moved), 'person', 'people')} moved arm ({shown}{more})")
        added = merged.loc[merged["_merge"] == "right_only", id_column].tolist()
        dropped = merged.loc[merged["_merge"] == "left_only", id_column].tolist()
        if added:
            out.append(f"{len(added)} ids added ({', '.join(map(repr, added[:_SHOWN]))})")
        if dropped:
            out.append(f"{len(dropped)} ids removed ({', '.join(map(repr, dropped[:_SHOWN]))})")
    if not out:
        out.append("no person's arm changed, but the file's content did (order, formatting, or the stratum "
                   "or block columns)")
    return out


def allocation_check(record: Mapping[str, Any], data: bytes, name: str, remade: pd.DataFrame | None) -> Check:
    """Whether an allocation file's bytes are those sealed; if not, what changed."""
    now = sha256_bytes(data)
    then = record.get("allocation", {}).get("sha256")
    if now == then:
        return Check("allocation_matches_record", "pass",
                     f"{name} matches its sealed record (SHA-256 {_short(now)}).")
    changes = _what_changed(record, data, remade)
    return Check("allocation_matches_record", "fail",
                 f"{name} does NOT match its sealed record (SHA-256 {_short(now)} now, {_short(then)} when "
                 f"allocated): " + "; ".join(changes) + ". The allocation analysed is not the one made.")


def plan_check(record: Mapping[str, Any], plan: Mapping[str, Any] | None) -> Check:
    """Whether the analysis plan is the one sealed at allocation; if not, which keys changed."""
    sealed = record.get("analysis_plan")
    if plan is None:
        return Check("analysis_plan_unchanged", "info", "No analysis plan was given to compare with the record.")
    if not sealed:
        return Check("analysis_plan_unchanged", "warn",
                     "The allocation record holds no analysis plan, so changes to the plan since allocation "
                     "cannot be ruled out.")
    now = plan_hash(plan)
    if now == sealed.get("sha256"):
        return Check("analysis_plan_unchanged", "pass",
                     f"The analysis plan is the one sealed at allocation (SHA-256 {_short(now)}).")
    before = sealed.get("plan") or {}
    changed = []
    for key in sorted(set(before) | set(plan)):
        old, new = before.get(key), plan.get(key)
        if canonical_json(old) != canonical_json(new):
            changed.append(f"{key}: {canonical_json(old)} at allocation, {canonical_json(new)} now")
    detail = "; ".join(changed) if changed else "the sealed plan text itself was altered"
    return Check("analysis_plan_unchanged", "warn",
                 f"The analysis plan has CHANGED since allocation ({detail}). Report the change and why, and "
                 "treat results for the changed items as exploratory.")


def first_allocation_check(record: Mapping[str, Any], log: Sequence[Mapping[str, Any]]) -> Check | None:
    """Whether this allocation was the first made of its participant list, from the shared log."""
    people = record.get("participants", {}).get("sha256")
    mine = record.get("allocation", {}).get("sha256")
    same = [e for e in log if e.get("participants_sha256") == people]
    if not log:
        if record.get("previous_allocations"):
            return Check("first_allocation", "warn",
                         f"The record says this list was allocated {len(record['previous_allocations'])} "
                         "time(s) before this allocation; report every allocation.")
        return Check("first_allocation", "info", "No allocation log was found beside the allocation folder.")
    position = next((i for i, e in enumerate(same) if e.get("seal") == record.get("seal")
                     or e.get("allocation_sha256") == mine), None)
    if position is None:
        return Check("first_allocation", "warn",
                     "This allocation is not in the allocation log beside its folder: it may have been made "
                     "elsewhere or the log was altered.")
    earlier = same[:position]
    if earlier:
        first = earlier[0]
        return Check("first_allocation", "warn",
                     f"This participant list was allocated {len(earlier)} time(s) before this allocation (first "
                     f"on {first.get('created')} with seed {first.get('seed')}, folder '{first.get('folder')}'). "
                     "A redo must be reported with its reason.")
    later = len(same) - position - 1
    extra = f" ({later} later allocation(s) of the same list are also logged)" if later else ""
    return Check("first_allocation", "pass" if not later else "info",
                 f"This is the first allocation of this participant list in the log{extra}.")
