"""Statistical disclosure control: one policy for everything published together.

A report folder is published as a whole: ``report.html``, ``results.json``,
``status.json``, the executed notebook and every table file beside them. One
:class:`Disclosure` policy, built from the spec's ``disclosure`` key, decides
how counts of people are shown in all of them, so a count hidden in a table
cannot be read back from the machine-readable record:

- a count from 1 to ``threshold - 1`` is shown as ``"<threshold"`` (zero
  discloses nobody and is shown);
- a share of people is withheld when the people it counts, or the people it
  leaves out, are such a small count (0.5% of 200 is one person);
- ``threshold = 0`` shows everything.

There is no global state: the policy travels with the evaluation
(``ev.disclosure``) and with the results built from it.

The policy works count by count. It does not yet protect against
differencing: a hidden count worked back by subtracting published counts
from a published total (a trial arm's exclusions from its allocated and
analysed numbers, or one arm's from the total). A report going beyond the
force needs its tables checked for that.

Examples
--------
>>> policy = Disclosure(5)
>>> policy.count(3), policy.count(0), policy.count(1234)
('<5', '0', '1,234')
>>> policy.share(1, 200), policy.share(100, 200), policy.share(197, 200)
('withheld', '50.0%', 'withheld')
>>> policy.rate(0.005, 200)
'withheld'
>>> policy.apply({"flow": [{"arm": "A", "n": 3, "excluded": 12}], "seed": 3})
{'flow': [{'arm': 'A', 'n': '<5', 'excluded': 12}], 'seed': 3}
>>> Disclosure(0).count(3)
'3'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .text import fmt_number, fmt_pct

__all__ = ["Disclosure", "COUNT_KEYS", "WITHHELD"]

#: Keys whose values count people in the machine-readable record (results.json,
#: the payload in the executed notebook, status.json and table files). Seeds,
#: degrees of freedom, numbers of areas and of bootstrap draws are not counts
#: of people and are left alone.
COUNT_KEYS: frozenset[str] = frozenset({
    "n", "n_arm", "n_control", "n_by_arm", "n_per_arm", "n_total", "allocated", "analysed", "excluded",
    "followed_up", "received", "responded", "kept_arm", "kept_control", "participants", "people",
})

#: How a withheld share is written.
WITHHELD = "withheld"


@dataclass(frozen=True)
class Disclosure:
    """The small-count rule applied to every published file of one evaluation.

    Parameters
    ----------
    threshold
        Counts from 1 to ``threshold - 1`` are suppressed; ``0`` shows all.
    """

    threshold: int = 5

    def __post_init__(self) -> None:
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int) or self.threshold < 0:
            raise ValueError("the disclosure threshold must be a whole number, 0 or more")

    def hides(self, value: Any) -> bool:
        """Whether a count would identify fewer than ``threshold`` people."""
        if value is None or isinstance(value, bool):
            return False
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        return bool(self.threshold) and math.isfinite(number) and 0 < number < self.threshold

    @property
    def placeholder(self) -> str:
        """What a suppressed count reads as, e.g. ``"<5"``."""
        return f"<{self.threshold}"

    def count(self, value: Any) -> str:
        """A count of people for a published table."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if self.hides(value):
            return self.placeholder
        return fmt_number(value, 0)

    def share(self, part: Any, whole: Any, digits: int = 1) -> str:
        """``part`` of ``whole`` as a percentage, withheld when either side is a small count."""
        if part is None or whole is None or not whole:
            return "–"
        if self.hides(part) or self.hides(float(whole) - float(part)):
            return WITHHELD
        return fmt_pct(float(part) / float(whole), digits)

    def rate(self, value: Any, whole: Any, digits: int = 1) -> str:
        """A proportion ``value`` of ``whole`` people as a percentage, withheld as :meth:`share` would be.

        For shares computed elsewhere (a response rate, a share received): the
        people counted are ``value * whole``, rounded.

        >>> Disclosure(5).rate(0.985, 200), Disclosure(5).rate(0.5, 200)
        ('withheld', '50.0%')
        """
        if value is None or whole is None or not whole or (isinstance(value, float) and math.isnan(value)):
            return "–"
        part = round(float(value) * float(whole))
        if self.hides(part) or self.hides(float(whole) - part):
            return WITHHELD
        return fmt_pct(value, digits)

    def apply(self, record: Any) -> Any:
        """A copy of a JSON-like record with every count of people under the threshold suppressed."""
        return self._walk(record, counting=False)

    def _walk(self, value: Any, *, counting: bool) -> Any:
        if isinstance(value, Mapping):
            return {k: self._walk(v, counting=counting or k in COUNT_KEYS) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._walk(v, counting=counting) for v in value]
        if counting and isinstance(value, (int, float)) and self.hides(value):
            return self.placeholder
        return value
