"""Checking and tidying a trial file into numpy arrays for the estimators.

Every problem a user can fix raises :class:`~whatworks.errors.DataError` or
:class:`~whatworks.errors.SpecError`, naming the file, the column, the rows
(as a spreadsheet numbers them: the header is row 1) and the spec key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ...errors import DataError, SpecError
from .plan import HYPOTHESES

__all__ = ["OutcomeSpec", "Trial", "read_outcomes", "prepare", "OUTCOME_TYPES", "OUTCOME_SOURCES"]

OUTCOME_TYPES = ("binary", "count", "continuous", "likert")
OUTCOME_SOURCES = ("police_recorded", "administrative", "survey")
_TRUE = {"1", "1.0", "yes", "true"}
_FALSE = {"0", "0.0", "no", "false"}
_MAX_LEVELS = 50

FloatArray = NDArray[np.floating[Any]]
Mask = NDArray[np.bool_]
Codes = NDArray[np.integer[Any]]


@dataclass(frozen=True)
class OutcomeSpec:
    """One entry of the spec's ``outcomes`` list, checked."""

    column: str
    type: str
    primary: bool
    label: str
    smallest_effect: float | None
    source: str
    hypothesis: str = "superiority"
    better: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "type": self.type, "primary": self.primary, "label": self.label,
                "smallest_effect": self.smallest_effect, "source": self.source, "hypothesis": self.hypothesis,
                "better": self.better}


@dataclass
class Trial:
    """A checked trial: one entry per randomised participant (row order kept)."""

    n: int
    arms: tuple[str, ...]
    arm_codes: Codes  # 0 = control, 1.. = active arms in ``arms`` order
    excluded: Mask
    exclusion_reasons: NDArray[np.object_]  # '' when not excluded
    outcomes: dict[str, FloatArray]  # NaN = not observed
    covariate_matrix: FloatArray  # for adjustment: covariates (+ missing flags) and strata dummies
    baseline: list[tuple[str, str | None, FloatArray]]  # (covariate, level or None, values)
    received: FloatArray | None = None
    received_control_nonzero: int = 0
    responded: Mask | None = None
    clusters: Codes | None = None
    subgroups: dict[str, tuple[Codes, tuple[str, ...]]] = field(default_factory=dict)


def _rows(mask: Mask) -> list[int]:
    rows: list[int] = (np.flatnonzero(mask)[:50] + 2).tolist()
    return rows


def read_outcomes(outcomes: object) -> list[OutcomeSpec]:
    """Check the spec's ``outcomes`` list.

    >>> [o.column for o in read_outcomes([{"column": "y", "type": "binary", "primary": True,
    ...                                     "smallest_effect": 0.02}])]
    ['y']
    """
    if not isinstance(outcomes, Sequence) or isinstance(outcomes, str) or not outcomes:
        raise SpecError("give at least one outcome", key="outcomes",
                        hint="List each outcome with its column, type, primary, label, smallest_effect and source.")
    out: list[OutcomeSpec] = []
    for i, item in enumerate(outcomes, 1):
        if not isinstance(item, Mapping) or not item.get("column"):
            raise SpecError(f"outcome {i} has no 'column'", key="outcomes",
                            hint="Each outcome needs at least 'column' and 'type'.")
        column = str(item["column"])
        kind = str(item.get("type", "")).lower()
        if kind not in OUTCOME_TYPES:
            raise SpecError(f"outcome '{column}' has type '{item.get('type')}', which is not one of "
                            f"{', '.join(OUTCOME_TYPES)}", key="outcomes")
        source = str(item.get("source", "administrative")).lower()
        if source not in OUTCOME_SOURCES:
            raise SpecError(f"outcome '{column}' has source '{item.get('source')}', which is not one of "
                            f"{', '.join(OUTCOME_SOURCES)}", key="outcomes")
        smallest = item.get("smallest_effect")
        if smallest is not None:
            try:
                smallest = abs(float(smallest))
            except (TypeError, ValueError):
                raise SpecError(f"outcome '{column}' has smallest_effect '{smallest}', which is not a number",
                                key="outcomes") from None
            if smallest == 0:
                raise SpecError(f"outcome '{column}' has smallest_effect 0; give the smallest effect worth "
                                "detecting, or leave the key out", key="outcomes")
            if kind in ("binary", "likert", "count") and not 0 < smallest < 1:
                raise SpecError(
                    f"outcome '{column}' has smallest_effect {smallest}; for a {kind} outcome write it as a "
                    "proportion between 0 and 1", key="outcomes",
                    hint="For example 0.02 for two percentage points (binary, Likert) or 0.1 for a 10% "
                         "change in the rate (count).")
        hypothesis = str(item.get("hypothesis") or "superiority").lower().replace("-", "_")
        if hypothesis not in HYPOTHESES:
            raise SpecError(f"outcome '{column}' has hypothesis '{item.get('hypothesis')}', which is not one of "
                            f"{', '.join(HYPOTHESES)}", key="outcomes")
        better = item.get("better")
        if better is not None and str(better).lower() not in ("lower", "higher"):
            raise SpecError(f"outcome '{column}' has better '{better}', which is not lower or higher",
                            key="outcomes")
        better = None if better is None else str(better).lower()
        if hypothesis != "superiority" and smallest is None:
            raise SpecError(f"outcome '{column}' is planned as {hypothesis.replace('_', '-')} but has no "
                            "smallest_effect (its margin)", key="outcomes",
                            hint="Give smallest_effect: the margin the plan sets.")
        if hypothesis == "non_inferiority" and better is None:
            raise SpecError(f"outcome '{column}' is planned as non-inferiority but does not say which "
                            "direction is better", key="outcomes", hint="Add better: lower or better: higher.")
        out.append(OutcomeSpec(column, kind, bool(item.get("primary", False)),
                               str(item.get("label") or column), smallest, source, hypothesis, better))
    primaries = [o.column for o in out if o.primary]
    if len(primaries) != 1:
        found = "none is" if not primaries else f"{len(primaries)} are ({', '.join(primaries)})"
        raise SpecError(f"exactly one outcome must be primary, but {found}", key="outcomes",
                        hint="Set 'primary: true' on the one outcome the trial was designed around.")
    columns = [o.column for o in out]
    if len(set(columns)) != len(columns):
        raise SpecError("an outcome column is listed twice", key="outcomes")
    return out


def _need(frame: pd.DataFrame, column: str | None, key: str, source: str) -> None:
    if column is not None and column not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise DataError(f"there is no column '{column}' (named by the spec key '{key}')", file=source,
                        hint=f"The columns are: {shown}. Correct the spec or the file.")


def _labels(series: pd.Series, lower: bool = False) -> NDArray[np.object_]:
    """Text labels with surrounding spaces removed and missing values as ''.

    Works on the distinct values only, so it stays fast for a million rows.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cleaned = [str(u).strip() for u in uniques]
    if lower:
        cleaned = [u.lower() for u in cleaned]
    table = np.array(cleaned + [""], dtype=object)
    return table[codes]


def parse_binary(series: pd.Series, column: str, source: str, allow_missing: Mask) -> FloatArray:
    """0/1 (or yes/no, true/false, any case) as floats; NaN where missing and allowed."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype("float64").to_numpy(na_value=np.nan)
        bad = np.zeros(len(series), bool)
    elif pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64").to_numpy(na_value=np.nan)
        bad = ~missing & ~np.isin(values, (0.0, 1.0))
    else:
        labels = _labels(series, lower=True)
        is_true = np.isin(labels, list(_TRUE))
        is_false = np.isin(labels, list(_FALSE))
        missing = labels == ""
        values = np.where(is_true, 1.0, np.where(is_false, 0.0, np.nan))
        bad = ~missing & ~is_true & ~is_false
    if bad.any():
        shown = sorted({str(v) for v in series[bad].head(200)})[:5]
        raise DataError(f"a yes/no column holds values other than 0/1, yes/no or true/false: "
                        f"{', '.join(repr(v) for v in shown)}", file=source, column=column, rows=_rows(bad),
                        hint="Recode these rows as 1 (yes) or 0 (no).")
    missing = np.isnan(values)
    if (missing & ~allow_missing).any():
        raise DataError("values are missing", file=source, column=column, rows=_rows(missing & ~allow_missing),
                        hint="Fill them in (0 where nothing was recorded), or give a reason in the "
                             "exclusion column for participants who left the trial.")
    return values


def _parse_numeric(series: pd.Series, column: str, source: str, allow_missing: Mask, kind: str
                   ) -> FloatArray:
    values = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    given = ~series.isna().to_numpy() if pd.api.types.is_numeric_dtype(series.dtype) else _labels(series) != ""
    bad = given & np.isnan(values)
    if bad.any():
        raise DataError("values are not numbers", file=source, column=column, rows=_rows(bad),
                        hint="Remove text such as '£' or 'n/a'; leave the cell empty if unknown.")
    if kind == "count":
        bad = ~np.isnan(values) & ((values < 0) | (values != np.round(values)))
        if bad.any():
            raise DataError("counts must be whole numbers of 0 or more", file=source, column=column,
                            rows=_rows(bad))
    if kind == "likert":
        bad = ~np.isnan(values) & ~np.isin(values, (1.0, 2.0, 3.0, 4.0, 5.0))
        if bad.any():
            raise DataError("answers on a 1–5 scale must be 1, 2, 3, 4 or 5", file=source, column=column,
                            rows=_rows(bad), hint="Recode the answers as 1 (strongly disagree) to 5 "
                                                  "(strongly agree); leave unanswered cells empty.")
    missing = np.isnan(values)
    if (missing & ~allow_missing).any():
        raise DataError("values are missing", file=source, column=column, rows=_rows(missing & ~allow_missing),
                        hint="Fill them in, or give a reason in the exclusion column for participants "
                             "who left the trial. Only survey outcomes may be missing.")
    return values


def _codes(series: pd.Series, column: str, source: str) -> tuple[Codes, tuple[str, ...]]:
    labels = _labels(series)
    levels = tuple(sorted(set(labels) - {""}))
    if len(levels) > _MAX_LEVELS:
        raise DataError(f"has {len(levels)} different values, too many to treat as groups", file=source,
                        column=column, hint=f"Group it into {_MAX_LEVELS} or fewer categories.")
    lookup = {v: i for i, v in enumerate(levels)}
    codes = pd.Series(labels).map(lookup).fillna(-1).astype("int64").to_numpy()
    return codes, levels


def _check_arms(labels: NDArray[np.object_], control_arm: str, intended: Mapping[str, float] | None, source: str,
                column: str
                ) -> tuple[str, ...]:
    blank = labels == ""
    if blank.any():
        raise DataError("the arm is missing", file=source, column=column, rows=_rows(blank),
                        hint="Every randomised participant must keep the arm they were allocated to.")
    found, counts = np.unique(labels, return_counts=True)
    present = [str(p) for p in found]
    if control_arm not in present:
        raise SpecError(f"the control arm '{control_arm}' is not in column '{column}' of {source}; the arms "
                        f"found are {', '.join(present)}", key="control_arm",
                        hint="Set control_arm to the label the file uses for business as usual.")
    if intended:
        planned = [str(a) for a in intended]
        if control_arm not in planned:
            raise SpecError(f"the control arm '{control_arm}' is not one of the intended arms "
                            f"({', '.join(planned)})", key="intended_ratios")
        unknown = [a for a in present if a not in planned]
        if unknown:
            raise DataError(f"arm label '{unknown[0]}' is not one of the trial's arms ({', '.join(planned)})",
                            file=source, column=column, rows=_rows(np.isin(labels, unknown)),
                            hint="Correct the label; the arms are fixed by the allocation.")
        empty = [a for a in planned if a not in present]
        if empty:
            raise DataError(f"arm '{empty[0]}' has no participants (empty arm)", file=source, column=column,
                            hint="Check that the file is the complete trial export.")
        arms = [control_arm] + [a for a in planned if a != control_arm]
    else:
        arms = [control_arm] + [a for a in present if a != control_arm]
    if len(arms) < 2:
        raise DataError(f"every participant is in the control arm '{control_arm}'; there is no active arm",
                        file=source, column=column)
    return tuple(arms)


def prepare(trial: pd.DataFrame, *, id_column: str, arm_column: str, control_arm: str,
            outcomes: list[OutcomeSpec], covariates: Sequence[str], strata_column: str | None,
            cluster_column: str | None, received_column: str | None, responded_column: str | None,
            exclusion_column: str | None, subgroups: Sequence[str], intended_ratios: Mapping[str, float] | None,
            source: str) -> Trial:
    """Check every column the spec names and return the arrays the estimators use."""
    keys = {"id_column": id_column, "arm_column": arm_column, "strata_column": strata_column,
            "cluster_column": cluster_column, "received_column": received_column,
            "responded_column": responded_column, "exclusion_column": exclusion_column}
    for key, column in keys.items():
        _need(trial, column, key, source)
    for o in outcomes:
        _need(trial, o.column, "outcomes", source)
    for c in covariates:
        _need(trial, c, "covariates", source)
    for s in subgroups:
        _need(trial, s, "subgroups", source)
    n = len(trial)
    if n == 0:
        raise DataError("the trial file has no rows", file=source)

    ids = trial[id_column]
    id_missing = ids.isna().to_numpy()
    if id_missing.any():
        raise DataError("participant ids are missing", file=source, column=id_column, rows=_rows(id_missing))
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        repeated = ids[dup].nunique()  # a count and the rows, never an id (ids can identify people)
        raise DataError(f"{repeated} participant id{'s appear' if repeated != 1 else ' appears'} more than once",
                        file=source, column=id_column,
                        rows=_rows(dup), hint="Each randomised participant must appear exactly once.")

    labels = _labels(trial[arm_column])
    arms = _check_arms(labels, str(control_arm), intended_ratios, source, arm_column)
    arm_codes = pd.Series(labels).map({a: i for i, a in enumerate(arms)}).to_numpy(dtype=np.int64)

    if exclusion_column:
        reasons = _labels(trial[exclusion_column])
        blank = np.isin(_labels(trial[exclusion_column], lower=True), ["0", "0.0", "no", "false", "none"])
        reasons = np.where(blank, "", reasons)
    else:
        reasons = np.full(n, "", dtype=object)
    excluded = reasons != ""
    for code, arm in enumerate(arms):
        if not ((arm_codes == code) & ~excluded).any():
            raise DataError(f"arm '{arm}' has no participants left to analyse (empty arm)", file=source,
                            column=arm_column)

    values: dict[str, FloatArray] = {}
    for o in outcomes:
        allow = excluded | (o.source == "survey")
        if o.type == "binary":
            parsed = parse_binary(trial[o.column], o.column, source, allow)
        else:
            parsed = _parse_numeric(trial[o.column], o.column, source, allow, o.type)
        values[o.column] = np.where(excluded, np.nan, parsed)

    received, nonzero = None, 0
    if received_column:
        received = parse_binary(trial[received_column], received_column, source, excluded)
        received = np.nan_to_num(received)
        nonzero = int(((arm_codes == 0) & (received == 1)).sum())
        received = np.where(arm_codes == 0, 0.0, received)
    responded: Mask | None = None
    if responded_column:
        answered = parse_binary(trial[responded_column], responded_column, source, np.ones(n, bool))
        responded = (np.nan_to_num(answered) == 1) & ~excluded

    columns: list[FloatArray] = []
    baseline: list[tuple[str, str | None, FloatArray]] = []
    for c in covariates:
        series = trial[c]
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            x = series.astype("float64").to_numpy(na_value=np.nan)
            miss = np.isnan(x)
            baseline.append((c, None, x))
            columns.append(np.where(miss, np.nanmean(x) if (~miss).any() else 0.0, x))
            if miss.any():
                columns.append(miss.astype(float))
        else:
            codes, levels = _codes(series, c, source)
            for i, level in enumerate(levels):
                ind = (codes == i).astype(float)
                baseline.append((c, level, ind))
                if i > 0:
                    columns.append(ind)
            if (codes < 0).any():
                columns.append((codes < 0).astype(float))
    if strata_column:
        codes, levels = _codes(trial[strata_column], strata_column, source)
        columns.extend((codes == i).astype(float) for i in range(1, len(levels)))
    matrix = np.column_stack(columns) if columns else np.empty((n, 0))

    clusters = None
    if cluster_column:
        codes, _ = pd.factorize(trial[cluster_column])
        if (codes < 0).any():
            raise DataError("the cluster is missing", file=source, column=cluster_column, rows=_rows(codes < 0))
        clusters = codes.astype(np.int64)
    groups = {s: _codes(trial[s], s, source) for s in subgroups}
    return Trial(n=n, arms=arms, arm_codes=arm_codes, excluded=excluded, exclusion_reasons=reasons,
                 outcomes=values, covariate_matrix=matrix, baseline=baseline, received=received,
                 received_control_nonzero=nonzero, responded=responded, clusters=clusters, subgroups=groups)

