"""The allocation methods behind :mod:`whatworks.allocation`, and their random stream.

Reproducibility across machines and library versions is the point of a
sealed allocation, so the methods use only the raw 64-bit output of NumPy's
``PCG64`` bit generator (whose stream NumPy keeps stable) and their own
simple algorithms on top, never ``Generator`` methods (whose streams may
change between NumPy releases):

- a uniform number is the top 53 bits of one raw draw, divided by 2**53;
- a random permutation sorts indices by one raw draw each (a stable sort,
  so the astronomically unlikely tie is still resolved the same way).

Each method takes the participants already in a fixed order (sorted by id)
and returns the arm index (0 = control) for each, and the block number
(``None`` for methods without blocks). Methods are kept in :data:`METHODS`.

Examples
--------
>>> arm, block = METHODS["complete"](Stream(1), 6, (1, 1, 1), None, None)
>>> sorted(arm.tolist())
[0, 0, 1, 1, 2, 2]
>>> block is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Stream", "METHODS", "ALGORITHM"]

#: How the random numbers are produced, as written into the sealed record.
ALGORITHM = (
    "NumPy PCG64 bit generator seeded with the recorded seed; raw 64-bit draws only: uniforms are the "
    "top 53 bits / 2**53, permutations sort indices by one draw each (stable sort)"
)


class Stream:
    """Random numbers from the raw output of ``PCG64(seed)``.

    >>> Stream(7).uniform(2).round(6).tolist() == Stream(7).uniform(2).round(6).tolist()
    True
    """

    def __init__(self, seed: int) -> None:
        self._bits = np.random.PCG64(int(seed))

    def raw(self, size: int) -> NDArray[np.uint64]:
        """``size`` raw unsigned 64-bit draws."""
        if size == 0:
            return np.zeros(0, dtype=np.uint64)
        return np.asarray(self._bits.random_raw(size), dtype=np.uint64)

    def uniform(self, size: int) -> NDArray[np.float64]:
        """``size`` uniform numbers in [0, 1)."""
        return (self.raw(size) >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)

    def permutation(self, size: int) -> NDArray[np.intp]:
        """A uniformly random permutation of ``0 .. size - 1``."""
        return np.argsort(self.raw(size), kind="stable")


#: A method's answer: the arm index of each person, and their block number (or ``None``).
Assignment = tuple[NDArray[np.int64], NDArray[np.int64] | None]
#: An allocation method: ``(stream, n, ratios, strata codes, block size) -> (arm, block)``.
Method = Callable[[Stream, int, Sequence[float], NDArray[Any] | None, int | None], Assignment]


def _need_block_size(block_size: int | None) -> int:
    if block_size is None:
        raise ValueError("blocked allocation needs a block size")
    return block_size


def _simple(stream: Stream, n: int, ratios: Sequence[float], strata: NDArray[Any] | None,
            block_size: int | None) -> Assignment:
    """Each person independently, with probabilities proportional to the ratios."""
    weights = np.asarray(ratios, dtype=float)
    cum = np.cumsum(weights / weights.sum())
    arm = np.searchsorted(cum, stream.uniform(n), side="right")
    return np.minimum(arm, len(weights) - 1).astype(np.int64), None


def _complete(stream: Stream, n: int, ratios: Sequence[float], strata: NDArray[Any] | None,
              block_size: int | None) -> Assignment:
    """Exactly the ratio (to the nearest person), in a random order.

    Each arm gets ``floor(n x share)``; the few people left over (fewer than
    the number of arms) go to arms drawn at random without replacement,
    weighted by the fractional parts (Efraimidis–Spirakis keys).
    """
    weights = np.asarray(ratios, dtype=float)
    exact = n * weights / weights.sum()
    counts = np.floor(exact + 1e-9).astype(np.int64)
    left = int(n - counts.sum())
    if left > 0:
        frac = np.maximum(exact - counts, 1e-12)
        keys = np.log(np.maximum(stream.uniform(len(weights)), 1e-300)) / frac
        counts[np.argsort(-keys, kind="stable")[:left]] += 1
    labels = np.repeat(np.arange(len(weights)), counts)
    return labels[stream.permutation(n)], None


def _blocks(stream: Stream, n: int, ratios: Sequence[float],
            block_size: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Permuted blocks: each block holds every arm ``ratio x block_size / sum`` times."""
    ints = [int(r) for r in ratios]
    per = block_size // sum(ints)
    base = np.repeat(np.arange(len(ints)), [r * per for r in ints])
    n_blocks = -(-n // block_size)
    labels = np.tile(base, n_blocks)
    block = np.repeat(np.arange(n_blocks), block_size)
    order = np.lexsort((stream.raw(n_blocks * block_size), block))
    return labels[order][:n], block[:n] + 1


def _block(stream: Stream, n: int, ratios: Sequence[float], strata: NDArray[Any] | None,
           block_size: int | None) -> Assignment:
    """Permuted blocks through the whole list (sorted by id)."""
    return _blocks(stream, n, ratios, _need_block_size(block_size))


def _stratified(stream: Stream, n: int, ratios: Sequence[float], strata: NDArray[Any] | None,
                block_size: int | None) -> Assignment:
    """Permuted blocks within each stratum; strata taken in sorted order of their codes."""
    strata = np.asarray(strata)
    arm = np.empty(n, dtype=np.int64)
    block = np.empty(n, dtype=np.int64)
    for code in np.unique(strata):
        where = np.flatnonzero(strata == code)
        a, b = _blocks(stream, len(where), ratios, _need_block_size(block_size))
        arm[where] = a
        block[where] = b
    return arm, block


#: Allocation methods by the name a spec uses.
METHODS: dict[str, Method] = {
    "simple": _simple,
    "complete": _complete,
    "block": _block,
    "stratified": _stratified,
}

#: Methods that allocate in permuted blocks (and so need whole-number ratios).
BLOCKED = frozenset({"block", "stratified"})
