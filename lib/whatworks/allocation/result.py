"""A sealed random allocation, as :func:`~whatworks.allocation.allocate.randomise` returns it.

An allocation plans a trial; it is not an evaluation, so it has no estimates
and no strength of evidence of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import text
from ..display import Notes, Prose, Table
from ..results import Check, CheckList, clean
from .balance import plot_balance

if TYPE_CHECKING:
    from ..plots import Chart

__all__ = ["Allocation"]


@dataclass(frozen=True, kw_only=True)
class Allocation:
    """A sealed random allocation.

    Attributes
    ----------
    seed, seed_drawn
        The seed, and whether whatworks drew it (``True``) or it was given.
    method, arms, block_size, strata
        The settings (``arms`` maps each arm to its ratio, control first).
    counts
        People allocated to each arm.
    files
        The files written, by role (``allocation``, ``balance``, ``record``,
        ``log``).
    record
        The sealed record as written.
    balance
        Standardised mean differences as a table for people; the numbers are
        in ``balance_rows``.
    assignments
        The allocation itself (row-level: never put it in a report).
    checks, summary_text, notes
        Checks made at allocation, the summary and the method notes.
    """

    seed: int
    seed_drawn: bool
    method: str
    arms: dict[str, float]
    block_size: int | None = None
    strata: tuple[str, ...] = ()
    counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict, repr=False)
    balance: Table | None = field(default=None, repr=False)
    balance_rows: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    assignments: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    checks: tuple[Check, ...] = ()
    summary_text: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> Prose:
        """What was allocated, how, and what is sealed."""
        return Prose(self.summary_text, css="ww-summary")

    @property
    def check_list(self) -> CheckList:
        return CheckList(self.checks)

    def check(self, name: str) -> Check:
        """The check called ``name``."""
        return CheckList(self.checks).named(name)

    @property
    def method_notes(self) -> Notes:
        return Notes(self.notes)

    def table(self) -> Table:
        """People per arm against the intended ratio."""
        total = sum(self.counts.values())
        weight = sum(self.arms.values())
        rows = tuple(
            (arm, text.fmt_number(n), text.fmt_pct(n / total), text.fmt_pct(self.arms[arm] / weight))
            for arm, n in self.counts.items()
        )
        return Table(("Arm", "People", "Share", "Intended share"), rows, caption="Allocation",
                     numeric=(False, True, True, True))

    def __str__(self) -> str:
        parts = [str(self.summary), str(self.table())]
        if self.balance is not None:
            parts.append(str(self.balance))
        parts.append(str(CheckList(self.checks)))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        parts: list[Prose | Table | CheckList | Notes | None] = [
            self.summary, self.table(), self.balance, self.check_list, self.method_notes]
        return "".join(p._repr_html_() for p in parts if p is not None)

    def plot(self) -> Chart:
        """Standardised mean differences by characteristic and arm (a :class:`~whatworks.plots.Chart`)."""
        return plot_balance(self.balance_rows, list(self.arms))

    def to_dict(self) -> dict[str, Any]:
        """Settings, counts, file names, hashes and balance, JSON-safe (no ids)."""
        out: dict[str, Any] = clean({
            "design": "allocation",
            "seed": self.seed,
            "seed_drawn": self.seed_drawn,
            "method": self.method,
            "arms": self.arms,
            "block_size": self.block_size,
            "strata": list(self.strata),
            "counts": self.counts,
            "files": {k: Path(v).name for k, v in self.files.items()},
            "hashes": {
                "participants_sha256": self.record.get("participants", {}).get("sha256"),
                "allocation_sha256": self.record.get("allocation", {}).get("sha256"),
                "plan_sha256": (self.record.get("analysis_plan") or {}).get("sha256"),
                "seal": self.record.get("seal"),
            },
            "balance": list(self.balance_rows),
            "checks": [c.to_dict() for c in self.checks],
        })
        return out
