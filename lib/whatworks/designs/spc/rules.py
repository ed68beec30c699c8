"""XmR limits and special-cause rules for one phase of one series.

This is the arithmetic behind :mod:`whatworks.designs.spc`: pure functions on
numbers, with no dates, units, words or charts. Two rule profiles are
registered in :data:`PROFILES`:

``nhs``
    NHS England's "Making Data Count" method as implemented by the R package
    NHSRplotthedots, version 0.2.2 (``R/ptd_spc_standard.R`` and
    ``R/ptd_calculate_point_type.R``). Centre line: the mean of every point in
    the phase. Moving ranges: absolute differences of consecutive points in
    the phase. With screening, moving ranges at or above 3.267 times the mean
    moving range are left out and the mean moving range is recomputed from
    the rest (once; the centre line keeps every point). Process limits: mean
    plus or minus 2.66 times the mean moving range. Near-limit zone: beyond
    two-thirds of the way to a limit (mean plus or minus 1.7733 times the
    mean moving range) but not beyond the limit. All comparisons are strict.
``police-2sd``
    The force's own reports: limits at the phase mean plus or minus two
    sample standard deviations (divisor n - 1), a run of 7 on one side of the
    mean, and 7 consecutive rises or falls (8 points).

For a proportion with a denominator, :func:`laney` gives Laney's p′ chart
(limits that move with each period's denominator, widened by the
between-period variation), offered beside the XmR chart.

Each point gets at most one special-cause type, in the package's order of
precedence: beyond a limit (``astronomical``), part of a trend (``trend``),
part of two-in-three near a limit (``two_of_three``), part of a run on one
side of the mean (``shift``).

Examples
--------
>>> phase = xmr([10, 11, 9, 10, 12, 10, 30, 11, 10, 9, 11, 10])
>>> round(phase.mean, 3), round(phase.upper_limit, 2)
(11.917, 15.76)
>>> [(s.index, s.rule, s.side) for s in phase.signals]
[(6, 'astronomical', 1)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "PROFILES",
    "Profile",
    "PointSignal",
    "XmRPhase",
    "xmr",
    "TRIAL_LIMIT_POINTS",
    "NHS_LIMIT",
    "NHS_SCREEN",
    "PACKAGE_VERSION",
    "LaneyPhase",
    "laney",
    "D2",
]

#: The version of NHSRplotthedots whose source these rules follow.
PACKAGE_VERSION = "0.2.2"
#: Process limits sit this many mean moving ranges from the mean (3 / 1.128).
NHS_LIMIT = 2.66
#: Moving ranges at or above this many mean moving ranges are screened out.
NHS_SCREEN = 3.267
#: A phase with fewer points than this has trial limits.
TRIAL_LIMIT_POINTS = 12


@dataclass(frozen=True)
class PointSignal:
    """One point flagged as special cause.

    Attributes
    ----------
    index
        Position of the point within its phase (0-based).
    rule
        ``astronomical``, ``trend``, ``two_of_three`` or ``shift``.
    label
        The package's own words, e.g. ``"Above UCL"`` or
        ``"7 Point Trend (Decreasing)"``.
    side
        ``1`` for high or increasing, ``-1`` for low or decreasing; the
        caller turns it into improving or concerning.
    """

    index: int
    rule: str
    label: str
    side: int


@dataclass(frozen=True, kw_only=True)
class XmRPhase:
    """Limits and signals for one phase of one series.

    ``lower_limit`` and ``upper_limit`` are NaN when the baseline has fewer
    than two points. ``baseline`` is ``(start, stop)``: the positions whose
    values set the limits (``stop`` of ``-1``: to the end of the phase); the
    rules are applied to every point against those limits. ``mean_moving_range`` is the (screened) mean moving range for
    the ``nhs`` profile and ``sd`` the sample standard deviation for
    ``police-2sd``; the other is NaN. ``screened`` lists the positions of the
    points whose moving range (from the point before) was screened out.
    """

    values: tuple[float, ...]
    rules: str
    mean: float
    lower_limit: float
    upper_limit: float
    near_lower: float = float("nan")
    near_upper: float = float("nan")
    mean_moving_range: float = float("nan")
    sd: float = float("nan")
    screened: tuple[int, ...] = ()
    signals: tuple[PointSignal, ...] = ()
    baseline: tuple[int, int] = (0, -1)

    @property
    def n(self) -> int:
        """Number of points in the phase."""
        return len(self.values)

    @property
    def baseline_n(self) -> int:
        """Number of points the limits were computed from (the baseline)."""
        lo, hi = self.baseline
        return (self.n if hi < 0 else hi) - lo

    @property
    def trial_limits(self) -> bool:
        """Whether the limits rest on fewer than 12 points (trial limits)."""
        return self.baseline_n < TRIAL_LIMIT_POINTS

    def signal_at(self, index: int) -> PointSignal | None:
        """The signal on the point at ``index``, if any."""
        return next((s for s in self.signals if s.index == index), None)


@dataclass(frozen=True)
class _Limits:
    mean: float
    lower: float
    upper: float
    near_lower: float = float("nan")
    near_upper: float = float("nan")
    mean_moving_range: float = float("nan")
    sd: float = float("nan")
    screened: tuple[int, ...] = ()


@dataclass(frozen=True)
class Profile:
    """A named set of limits and rules.

    Attributes
    ----------
    name
        The value of the spec key ``spc_rules``.
    title
        How reports name it.
    limits
        ``limits(values, screen_outliers) -> _Limits``.
    run_length
        Points in a row on one side of the mean that make a shift.
    trend_points
        Points in a strictly rising or falling sequence that make a trend.
    two_of_three
        Whether the two-in-three near-limit rule applies.
    """

    name: str
    title: str
    limits: Callable[[np.ndarray, bool], _Limits]
    run_length: int
    trend_points: int
    two_of_three: bool


# -- limits -------------------------------------------------------------------


def _nhs_limits(y: np.ndarray, screen_outliers: bool) -> _Limits:
    mean = float(np.mean(y))
    mr = np.abs(np.diff(y))
    if mr.size == 0:
        nan = float("nan")
        return _Limits(mean, nan, nan, nan, nan, nan)
    amr = float(np.mean(mr))
    screened: tuple[int, ...] = ()
    if screen_outliers and amr > 0:
        keep = mr < NHS_SCREEN * amr
        screened = tuple(int(i) + 1 for i in np.flatnonzero(~keep))
        amr = float(np.mean(mr[keep]))
    close = 2 * NHS_LIMIT / 3
    return _Limits(
        mean=mean,
        lower=mean - NHS_LIMIT * amr,
        upper=mean + NHS_LIMIT * amr,
        near_lower=mean - close * amr,
        near_upper=mean + close * amr,
        mean_moving_range=amr,
        screened=screened,
    )


def _two_sd_limits(y: np.ndarray, screen_outliers: bool) -> _Limits:
    mean = float(np.mean(y))
    sd = float(np.std(y, ddof=1)) if y.size > 1 else float("nan")
    return _Limits(mean=mean, lower=mean - 2 * sd, upper=mean + 2 * sd, sd=sd)


#: The rule profiles, by the name used for ``spc_rules``.
PROFILES: dict[str, Profile] = {
    "nhs": Profile(
        name="nhs",
        title="NHS England 'Making Data Count'",
        limits=_nhs_limits,
        run_length=7,
        trend_points=7,
        two_of_three=True,
    ),
    "police-2sd": Profile(
        name="police-2sd",
        title="force performance reports (mean ± 2 SD)",
        limits=_two_sd_limits,
        run_length=7,
        trend_points=8,
        two_of_three=False,
    ),
}


# -- rules --------------------------------------------------------------------


def _windows(a: np.ndarray, length: int) -> np.ndarray:
    """Every run of ``length`` consecutive entries, one per row (none if too short)."""
    if a.size < length:
        return np.empty((0, length), dtype=a.dtype)
    return np.lib.stride_tricks.sliding_window_view(a, length)


def _run_ends(side: np.ndarray, length: int) -> np.ndarray:
    """Points that end ``length`` points in a row on the same side (not on the mean)."""
    out = np.zeros(side.size, dtype=bool)
    w = _windows(side, length)
    out[length - 1 :] = (w[:, 0] != 0) & np.all(w == w[:, :1], axis=1)
    return out


def _trend_ends(y: np.ndarray, length: int) -> np.ndarray:
    """``1``/``-1`` where a point ends ``length`` points of strict rises/falls."""
    out = np.zeros(y.size, dtype=int)
    w = _windows(np.sign(np.diff(y)), length - 1)
    if w.shape[0]:
        out[length - 1 :] = np.where(np.all(w == 1, axis=1), 1, np.where(np.all(w == -1, axis=1), -1, 0))
    return out


def _part_of(ends: np.ndarray, length: int) -> np.ndarray:
    """Every point of a pattern whose last point is marked in ``ends``."""
    marked = np.append(np.asarray(ends) != 0, np.zeros(length - 1, dtype=bool))
    part: NDArray[np.bool_] = np.any(_windows(marked, length), axis=1)[: len(ends)]
    return part


def _two_in_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Near-limit points in a window of 3 with 2+ near-limit points all on one side."""
    n = close.size
    in_window = np.zeros(n, dtype=bool)
    hits = (_windows(close.astype(int), 3).sum(axis=1) >= 2) & (np.abs(_windows(side, 3).sum(axis=1)) == 3)
    for k in range(3):
        in_window[k : k + hits.size] |= hits
    both: NDArray[np.bool_] = in_window & close
    return both


def _trend_direction(y: np.ndarray, part_trend: np.ndarray) -> np.ndarray:
    """The package's direction of a trend point: the step to its right if the next
    point is in a trend too, otherwise the step from its left."""
    n = y.size
    if n < 2:
        return np.zeros(n, dtype=int)
    sdy = np.sign(np.diff(y)).astype(int)
    right = np.append(sdy, sdy[-1])
    left = np.insert(sdy, 0, 0)
    nxt = np.append(part_trend[1:], False)
    step = np.where(nxt & part_trend, right, left)
    return np.where(step == 1, 1, -1)


def _signals(y: np.ndarray, lim: _Limits, profile: Profile) -> tuple[PointSignal, ...]:
    if not np.isfinite(lim.upper):
        return ()
    side = np.sign(y - lim.mean).astype(int)
    outside = (y > lim.upper) | (y < lim.lower)
    trend = _part_of(_trend_ends(y, profile.trend_points), profile.trend_points)
    trend_dir = _trend_direction(y, trend)
    if profile.two_of_three:
        close = ~outside & ((y < lim.near_lower) | (y > lim.near_upper))
        two = _two_in_three(close, side)
    else:
        two = np.zeros(y.size, dtype=bool)
    shift = _part_of(_run_ends(side, profile.run_length), profile.run_length)
    n_trend = profile.trend_points
    out = []
    for i in range(y.size):
        high = side[i] > 0
        if outside[i]:
            out.append(PointSignal(i, "astronomical", "Above UCL" if side[i] == 1 else "Below LCL",
                                   1 if side[i] == 1 else -1))
        elif trend[i]:
            word = "In" if trend_dir[i] == 1 else "De"
            out.append(PointSignal(i, "trend", f"{n_trend} Point Trend ({word}creasing)", int(trend_dir[i])))
        elif two[i]:
            out.append(PointSignal(i, "two_of_three", f"2 in 3 {'Above' if high else 'Below'} CL",
                                   1 if high else -1))
        elif shift[i]:
            out.append(PointSignal(i, "shift", f"{profile.run_length} Points {'Above' if high else 'Below'} CL",
                                   1 if high else -1))
    return tuple(out)


def xmr(
    values: Sequence[float] | NDArray[np.float64],
    *,
    rules: str = "nhs",
    screen_outliers: bool = True,
    baseline: tuple[int, int] | int | None = None,
    bounds: tuple[float, float] = (-np.inf, np.inf),
) -> XmRPhase:
    """Limits and special-cause signals for one phase of consecutive values.

    Parameters
    ----------
    values
        The phase's values in time order, with no gaps and no missing values.
    rules
        A profile in :data:`PROFILES`: ``"nhs"`` or ``"police-2sd"``.
    screen_outliers
        ``nhs`` only: leave moving ranges at or above 3.267 times the mean
        moving range out of the mean moving range.
    baseline
        The points the limits are computed from: ``n`` for the first ``n``
        (the package's ``fix_after_n_points``), ``(start, stop)`` for a
        slice, ``None`` for every point. Every point is then judged by the
        rules against these limits (limits extended past the baseline).
    bounds
        The values the measure can take: process limits are cut at them
        (``(0, inf)`` for counts, ``(0, 1)`` for proportions), as Making
        Data Count draws them; a point can never be beyond a cut limit.

    Returns
    -------
    XmRPhase
        Mean, limits and one :class:`PointSignal` per flagged point.

    Notes
    -----
    For the ``nhs`` profile this follows NHSRplotthedots 0.2.2 step by step,
    with one deliberate difference: when every moving range is zero (a flat
    phase) the package's screening removes them all and its limits become
    undefined; here screening is skipped and the limits equal the mean.

    Examples
    --------
    >>> p = xmr([5, 5, 6, 5, 4, 5, 6, 5, 5, 4, 6, 5])
    >>> round(p.mean, 3), round(p.mean_moving_range, 3), p.trial_limits, p.signals
    (5.083, 0.909, False, ())
    """
    if rules not in PROFILES:
        raise ValueError(f"unknown SPC rules {rules!r}; choose one of {sorted(PROFILES)}")
    y = np.asarray(values, dtype=float)
    if y.ndim != 1 or y.size == 0:
        raise ValueError("xmr needs a non-empty one-dimensional sequence of numbers")
    if not np.all(np.isfinite(y)):
        raise ValueError("xmr values must be finite numbers (leave out missing periods first)")
    profile = PROFILES[rules]
    if baseline is None:
        lo, hi = 0, y.size
    elif isinstance(baseline, int):
        lo, hi = 0, min(max(baseline, 1), y.size)
    else:
        lo, hi = max(0, baseline[0]), min(y.size, baseline[1])
        if hi <= lo:
            raise ValueError("the baseline of an SPC phase must hold at least one point")
    lim = _bounded(profile.limits(y[lo:hi], bool(screen_outliers)), bounds)
    screened = tuple(i + lo for i in lim.screened)
    lim = dataclasses.replace(lim, screened=screened)
    return XmRPhase(
        values=tuple(float(v) for v in y),
        rules=rules,
        mean=lim.mean,
        lower_limit=lim.lower,
        upper_limit=lim.upper,
        near_lower=lim.near_lower,
        near_upper=lim.near_upper,
        mean_moving_range=lim.mean_moving_range,
        sd=lim.sd,
        screened=lim.screened,
        signals=_signals(y, lim, profile),
        baseline=(lo, -1 if hi == y.size else hi),
    )


def _bounded(lim: _Limits, bounds: tuple[float, float]) -> _Limits:
    """Limits cut at the values the measure can take (a count is never below 0)."""
    low, high = bounds
    if not np.isfinite(lim.upper):
        return lim
    return dataclasses.replace(lim, lower=max(lim.lower, low), upper=min(lim.upper, high))


# -- Laney p' chart ----------------------------------------------------------------


#: The bias-correction constant d2 for moving ranges of two points (3 / 2.66).
D2 = 1.128


@dataclass(frozen=True, kw_only=True)
class LaneyPhase:
    """A p′ (Laney) chart of a proportion with a denominator.

    ``proportions`` are the points; ``centre`` the pooled proportion of the
    baseline; ``lower`` and ``upper`` each point's limits (they move with its
    denominator); ``sigma_z`` the between-period variation the limits are
    widened (or narrowed) by; ``outside`` the positions beyond their limits.
    """

    proportions: tuple[float, ...]
    denominators: tuple[float, ...]
    centre: float
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    sigma_z: float
    outside: tuple[int, ...]
    baseline: tuple[int, int] = (0, -1)

    @property
    def baseline_points(self) -> slice:
        """The positions whose numbers set the limits (``baseline``'s end -1 means to the last point)."""
        lo, hi = self.baseline
        return slice(lo, None if hi < 0 else hi)

    def direction(self, i: int, sign: int) -> str:
        """``improving`` or ``concerning``: which side of the centre point ``i`` lies on, ``sign`` being
        +1 where higher is better and -1 where lower is."""
        return "improving" if (self.proportions[i] - self.centre) * sign > 0 else "concerning"


def laney(
    numerators: Sequence[float] | NDArray[np.float64],
    denominators: Sequence[float] | NDArray[np.float64],
    *,
    baseline: tuple[int, int] | None = None,
) -> LaneyPhase:
    """Laney's p′ chart: binomial limits widened by the moving-range sigma of the z-scores.

    Laney, D. B. (2002). "Improved control charts for attributes." *Quality
    Engineering* 14(4), 531–537. With ``p̄ = Σx / Σn`` over the baseline,
    ``σ_pi = sqrt(p̄(1 − p̄) / n_i)``, ``z_i = (p_i − p̄) / σ_pi`` and
    ``σ_z`` the mean moving range of the baseline's ``z`` divided by 1.128,
    the limits of point ``i`` are ``p̄ ± 3 · σ_pi · σ_z``, cut at 0 and 1.
    With ``σ_z = 1`` this is the ordinary p chart; with large denominators
    and real period-to-period variation (over-dispersion) the p chart's limits
    are far too narrow, which p′ corrects.

    Examples
    --------
    >>> p = laney([10, 12, 9, 11], [100, 110, 95, 105])
    >>> round(p.centre, 4), round(p.sigma_z, 3)
    (0.1024, 0.329)
    """
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    if x.shape != n.shape or x.ndim != 1 or x.size < 2:
        raise ValueError("laney needs two or more numerators and as many denominators")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n))) or np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("each numerator must be between 0 and its denominator, and denominators above 0")
    lo, hi = (0, x.size) if baseline is None else (max(0, baseline[0]), min(x.size, baseline[1]))
    if hi - lo < 2:
        raise ValueError("the baseline of a p' chart needs two or more points")
    p = x / n
    pbar = float(x[lo:hi].sum() / n[lo:hi].sum())
    sigma_p = np.sqrt(pbar * (1 - pbar) / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sigma_p > 0, (p - pbar) / sigma_p, 0.0)
    sigma_z = float(np.mean(np.abs(np.diff(z[lo:hi]))) / D2)
    lower = np.clip(pbar - 3 * sigma_p * sigma_z, 0.0, 1.0)
    upper = np.clip(pbar + 3 * sigma_p * sigma_z, 0.0, 1.0)
    outside = np.flatnonzero((p > upper) | (p < lower))
    return LaneyPhase(
        proportions=tuple(float(v) for v in p),
        denominators=tuple(float(v) for v in n),
        centre=pbar,
        lower=tuple(float(v) for v in lower),
        upper=tuple(float(v) for v in upper),
        sigma_z=sigma_z,
        outside=tuple(int(i) for i in outside),
        baseline=(lo, -1 if hi == x.size else hi),
    )
