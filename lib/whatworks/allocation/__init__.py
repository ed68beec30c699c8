"""Random allocation for a trial: fair, reproducible, sealed, and made once.

:func:`randomise` reads a participant list, allocates each person to an arm
and seals the allocation in a new folder; :func:`verify` checks a later copy
of the allocation (and the analysis plan) against that sealed record.

Modules: ``allocate`` (the allocation and its folder), ``methods`` (the
allocation methods and their random stream), ``participants`` (reading the
list, checking the settings), ``balance`` (baseline balance by arm),
``record`` (the sealed record and the allocation log), ``checks`` (each
comparison with the record), ``verification`` (:func:`verify`), ``result``
(:class:`Allocation`).
"""

from .allocate import SPEC_KEYS, AllocationExistsError, assign, randomise, randomise_from_spec
from .methods import METHODS
from .record import analysis_plan_from_spec, plan_hash
from .result import Allocation
from .verification import AllocationMismatchError, ensure_matches_record, verify

__all__ = [
    "Allocation",
    "AllocationExistsError",
    "AllocationMismatchError",
    "randomise",
    "randomise_from_spec",
    "verify",
    "ensure_matches_record",
    "plan_hash",
    "analysis_plan_from_spec",
    "assign",
    "METHODS",
    "SPEC_KEYS",
]
