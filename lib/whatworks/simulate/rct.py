"""A seeded synthetic randomised trial of Fraud Protect messaging.

About 20,000 fraud victims are allocated in equal thirds (complete
randomisation) to three arms:

- ``bau_letter`` — the business-as-usual letter (control);
- ``enhanced_letter`` — an enhanced letter;
- ``advocate_call`` — a call from a victim-care advocate.

Outcomes
--------
``repeat_victim``
    Police-recorded repeat victimisation within six months (0/1).
``repeat_incidents``
    Number of repeat fraud reports in six months (a count).
``loss_gbp``
    Money lost to fraud in six months, from bank data (pounds; 0 for most).
``feels_protected``
    Survey item, "I know how to protect myself from fraud", 1–5 (5 = strongly
    agree), missing for people who did not answer the survey.

The true effects are built in so that they are known exactly: a victim whose
message reached them (``received`` = 1) has their six-month risk lowered by
``RISK_REDUCTION[arm]`` percentage points, whatever their characteristics;
people in the control arm and people the message did not reach are
unaffected. So the complier (received) effect on risk is exactly
``-RISK_REDUCTION[arm]`` and the intention-to-treat risk difference is that
times the arm's expected receipt rate. :func:`true_effects` works the
population values out exactly over the (discrete) covariate distribution.

The demo
--------
``data/demo/fraud_protect/participants.csv`` is the list of 20,000 victims
before allocation (:func:`demo_participants`). It was allocated once, by
stratified permuted blocks within area, with
``whatworks randomise evaluations/fraud-protect/randomise.yaml``; the
allocation and its sealed record are committed in
``evaluations/fraud-protect/allocation/``. ``follow_up.csv`` is the trial
file six months on (:func:`demo_follow_up`): it reads that committed
allocation and simulates receipt, outcomes, survey response and exclusions
from a fixed seed. Remaking the demo data therefore reproduces both files
exactly and never allocates again. True effects (per victim reached):
repeat-victimisation risk −1 point (enhanced letter) and −5 points
(advocate call); see :func:`true_effects` for the intention-to-treat values.

Examples
--------
>>> trial = simulate_trial(seed=1, n=600)
>>> sorted(trial["arm"].unique())
['advocate_call', 'bau_letter', 'enhanced_letter']
>>> round(true_effects()["advocate_call"]["complier_effect"], 3)
-0.05
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "ARMS",
    "CONTROL",
    "RISK_REDUCTION",
    "RECEIPT",
    "RESPONSE",
    "simulate_trial",
    "simulate_arrays",
    "true_effects",
    "demo_participants",
    "demo_follow_up",
    "DEMO_WRITERS",
]

#: Arm names, control first.
ARMS: tuple[str, ...] = ("bau_letter", "enhanced_letter", "advocate_call")
CONTROL = "bau_letter"

#: Fall in six-month repeat-victimisation risk for a victim the message reached.
RISK_REDUCTION: dict[str, float] = {"bau_letter": 0.0, "enhanced_letter": 0.01, "advocate_call": 0.05}

#: Chance the arm's message reached the victim: (not vulnerable, vulnerable).
RECEIPT: dict[str, tuple[float, float]] = {
    "bau_letter": (0.0, 0.0),
    "enhanced_letter": (0.9, 0.8),
    "advocate_call": (0.7, 0.5),
}

#: Survey response rate by arm (differential non-response).
RESPONSE: dict[str, float] = {"bau_letter": 0.35, "enhanced_letter": 0.38, "advocate_call": 0.50}

#: Rise in the latent "feels protected" score for a victim the message reached.
_AGREE_SHIFT: dict[str, float] = {"bau_letter": 0.0, "enhanced_letter": 0.15, "advocate_call": 0.5}

_AGES = np.arange(18, 90)
_P_PRIOR = 0.25
_P_VULNERABLE = 0.30
_FRAUD_TYPES = ("courier", "romance", "investment", "purchase")
_P_FRAUD = (0.2, 0.15, 0.25, 0.4)
_FRAUD_LOGIT = (0.3, 0.5, 0.2, 0.0)
_AREAS = ("North", "South", "East", "West")
_MEAN_LOSS_MU, _MEAN_LOSS_SIGMA = 6.0, 1.0  # log-normal loss for a repeat victim
_EXTRA_INCIDENTS = 0.4  # mean extra reports (Poisson) for a repeat victim
_P_EXCLUDED = 0.003
_EXCLUSION_REASONS = ("data deletion request", "not a fraud victim (allocated in error)")


def _baseline_risk(age: NDArray[np.integer[Any]], prior: NDArray[np.integer[Any]] | int,
                   vulnerable: NDArray[np.integer[Any]] | int,
                   fraud_index: NDArray[np.integer[Any]] | int) -> NDArray[np.float64]:
    """Six-month risk without any message; never below 0.06."""
    logit = (-1.9 + 0.9 * prior + 0.5 * vulnerable + 0.012 * (age - 50)
             + np.asarray(_FRAUD_LOGIT)[fraud_index])
    risk: NDArray[np.float64] = 0.06 + 0.6 / (1 + np.exp(-logit))
    return risk


def _follow_up(rng: np.random.Generator, arm: NDArray[np.integer[Any]], age: NDArray[np.integer[Any]],
               prior: NDArray[np.integer[Any]], vulnerable: NDArray[np.integer[Any]],
               fraud: NDArray[np.integer[Any]]) -> dict[str, NDArray[Any]]:
    """Receipt, outcomes, survey response and exclusions given the arms (codes) and covariates."""
    n = len(arm)
    receipt = np.array([RECEIPT[a] for a in ARMS])  # arms x vulnerable
    received = (rng.random(n) < receipt[arm, vulnerable]).astype(np.int8)
    reduction = np.array([RISK_REDUCTION[a] for a in ARMS])[arm] * received
    risk = _baseline_risk(age, prior, vulnerable, fraud) - reduction
    repeat = (rng.random(n) < risk).astype(np.int8)
    incidents = repeat * (1 + rng.poisson(_EXTRA_INCIDENTS, size=n))
    loss = repeat * np.round(rng.lognormal(_MEAN_LOSS_MU, _MEAN_LOSS_SIGMA, size=n), 2)

    responded = (rng.random(n) < np.array([RESPONSE[a] for a in ARMS])[arm]).astype(np.int8)
    latent = (rng.normal(size=n) + 0.3 * prior - 0.2 * vulnerable
              + np.array([_AGREE_SHIFT[a] for a in ARMS])[arm] * received)
    likert = np.digitize(latent, [-1.5, -0.5, 0.3, 1.2]) + 1.0
    likert[responded == 0] = np.nan

    excluded = rng.random(n) < _P_EXCLUDED
    return {"received": received, "repeat_victim": repeat, "repeat_incidents": incidents, "loss_gbp": loss,
            "responded": responded, "feels_protected": likert, "excluded": excluded}


def simulate_arrays(seed: int, n: int = 20_000) -> dict[str, NDArray[Any]]:
    """The trial as numpy arrays (fast; used by the simulation tests).

    Returns a dict with ``arm`` (int codes, 0 = control, in :data:`ARMS`
    order), ``received``, ``repeat_victim``, ``repeat_incidents``,
    ``loss_gbp``, ``responded``, ``feels_protected`` (NaN for
    non-responders), the covariates ``age``, ``prior_victim``, ``vulnerable``,
    ``fraud_type`` (codes), ``area`` (codes) and ``excluded`` (bool).

    >>> a = simulate_arrays(3, n=300)
    >>> int(a["received"][a["arm"] == 0].sum())
    0
    """
    rng = np.random.default_rng(seed)
    arm = rng.permutation(np.arange(n) % len(ARMS))
    age = rng.choice(_AGES, size=n)
    prior = (rng.random(n) < _P_PRIOR).astype(np.int8)
    vulnerable = (rng.random(n) < _P_VULNERABLE).astype(np.int8)
    fraud = rng.choice(len(_FRAUD_TYPES), size=n, p=_P_FRAUD)
    area = rng.integers(0, len(_AREAS), size=n)

    out = _follow_up(rng, arm, age, prior, vulnerable, fraud)
    return {
        "arm": arm, **out, "age": age, "prior_victim": prior,
        "vulnerable": vulnerable, "fraud_type": fraud, "area": area,
    }


def simulate_trial(seed: int = 20240401, n: int = 20_000) -> pd.DataFrame:
    """A synthetic trial file, one row per randomised victim.

    Columns: ``victim_id``, ``arm``, ``area`` (stratum), ``age``,
    ``prior_victim``, ``vulnerable``, ``fraud_type``, ``received``,
    ``repeat_victim``, ``repeat_incidents``, ``loss_gbp``, ``responded``,
    ``feels_protected`` and ``exclusion_reason`` (blank for almost everyone;
    excluded victims have no outcomes recorded).

    >>> simulate_trial(seed=2, n=90).shape
    (90, 14)
    """
    a = simulate_arrays(seed, n)
    return _trial_frame([f"FV{i:07d}" for i in range(1, n + 1)], a, np.random.default_rng([seed, 1]))


def _trial_frame(ids: Sequence[str], a: dict[str, NDArray[Any]], rng: np.random.Generator) -> pd.DataFrame:
    """The trial file's columns from the arrays; ``rng`` draws the exclusion reasons."""
    n = len(ids)
    excluded = a["excluded"]
    reasons = np.array(_EXCLUSION_REASONS, dtype=object)[rng.integers(0, 2, size=n)]
    frame = pd.DataFrame({
        "victim_id": ids,
        "arm": np.array(ARMS, dtype=object)[a["arm"]],
        "area": np.array(_AREAS, dtype=object)[a["area"]],
        "age": a["age"],
        "prior_victim": a["prior_victim"],
        "vulnerable": a["vulnerable"],
        "fraud_type": np.array(_FRAUD_TYPES, dtype=object)[a["fraud_type"]],
        "received": a["received"],
        "repeat_victim": a["repeat_victim"].astype(float),
        "repeat_incidents": a["repeat_incidents"].astype(float),
        "loss_gbp": a["loss_gbp"],
        "responded": a["responded"],
        "feels_protected": a["feels_protected"],
        "exclusion_reason": np.where(excluded, reasons, ""),
    })
    for col in ("repeat_victim", "repeat_incidents", "loss_gbp", "feels_protected"):
        frame.loc[excluded, col] = np.nan
    frame.loc[excluded, "responded"] = 0
    return frame


# -- the demo: a participant list, its one committed allocation, and the follow-up --------------

#: The demo's folder under ``data/demo/``.
DEMO_FOLDER = "fraud_protect"
#: The demo's allocation, made once with ``whatworks randomise evaluations/fraud-protect/randomise.yaml``
#: and committed; relative to the project folder. Demo data are never re-allocated.
DEMO_ALLOCATION = Path("evaluations") / "fraud-protect" / "allocation" / "allocation.csv"
DEMO_SIZE = 20_000
_DEMO_SEED = 20240401


def demo_participants(seed: int = _DEMO_SEED, n: int = DEMO_SIZE) -> pd.DataFrame:
    """The demo's participant list before allocation: id and baseline characteristics.

    >>> demo_participants(n=5).columns.tolist()
    ['victim_id', 'area', 'age', 'prior_victim', 'vulnerable', 'fraud_type']
    """
    rng = np.random.default_rng([seed, 2])
    return pd.DataFrame({
        "victim_id": [f"FV{i:07d}" for i in range(1, n + 1)],
        "area": np.array(_AREAS, dtype=object)[rng.integers(0, len(_AREAS), size=n)],
        "age": rng.choice(_AGES, size=n),
        "prior_victim": (rng.random(n) < _P_PRIOR).astype(np.int8),
        "vulnerable": (rng.random(n) < _P_VULNERABLE).astype(np.int8),
        "fraud_type": np.array(_FRAUD_TYPES, dtype=object)[rng.choice(len(_FRAUD_TYPES), size=n, p=_P_FRAUD)],
    })


def demo_follow_up(participants: pd.DataFrame, allocation: pd.DataFrame, seed: int = _DEMO_SEED) -> pd.DataFrame:
    """The trial file six months on: the participants, the arm each was allocated, and outcomes.

    ``allocation`` holds ``victim_id`` and ``arm`` (the committed allocation);
    outcomes follow the same model and true effects as :func:`simulate_trial`.

    >>> people = demo_participants(n=6)
    >>> alloc = pd.DataFrame({"victim_id": people["victim_id"], "arm": list(ARMS) * 2})
    >>> demo_follow_up(people, alloc).shape
    (6, 14)
    """
    arm_by_id = allocation.set_index("victim_id")["arm"].astype(str)
    labels = participants["victim_id"].map(arm_by_id)
    if labels.isna().any() or not labels.isin(ARMS).all():
        raise ValueError("the allocation does not cover every demo participant with a demo arm")
    arm = labels.map({a: i for i, a in enumerate(ARMS)}).to_numpy(dtype=np.int64)
    codes = {name: {v: i for i, v in enumerate(values)} for name, values in
             (("area", _AREAS), ("fraud_type", _FRAUD_TYPES))}
    covariates = {
        "age": participants["age"].to_numpy(), "prior_victim": participants["prior_victim"].to_numpy(np.int8),
        "vulnerable": participants["vulnerable"].to_numpy(np.int8),
        "fraud_type": participants["fraud_type"].map(codes["fraud_type"]).to_numpy(np.int64),
        "area": participants["area"].map(codes["area"]).to_numpy(np.int64),
    }
    rng = np.random.default_rng([seed, 3])
    out = _follow_up(rng, arm, covariates["age"], covariates["prior_victim"], covariates["vulnerable"],
                     covariates["fraud_type"])
    return _trial_frame(participants["victim_id"].tolist(), {"arm": arm, **out, **covariates}, rng)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def write_demo_participants(path: Path) -> None:
    """``fraud_protect/participants.csv``: the list the demo allocation was made from."""
    _write_csv(demo_participants(), path)


def write_demo_follow_up(path: Path) -> None:
    """``fraud_protect/follow_up.csv``: the trial file, consistent with the committed allocation.

    Reads the committed allocation (never makes one), so remaking the demo
    data gives identical files.
    """
    from ..templates import project_root

    allocation_file = project_root() / DEMO_ALLOCATION
    if not allocation_file.is_file():
        raise FileNotFoundError(f"{DEMO_ALLOCATION} is missing: restore it from version control (it is made "
                                "once, with whatworks randomise evaluations/fraud-protect/randomise.yaml)")
    allocation = pd.read_csv(allocation_file, dtype=str, keep_default_na=False)
    _write_csv(demo_follow_up(demo_participants(), allocation), path)


#: path under data/demo/ -> writer(path); see :mod:`whatworks.simulate.demo`.
DEMO_WRITERS = {
    f"{DEMO_FOLDER}/participants.csv": write_demo_participants,
    f"{DEMO_FOLDER}/follow_up.csv": write_demo_follow_up,
}


def true_effects() -> dict[str, dict[str, float]]:
    """Exact population values for each active arm against the control.

    Keys per arm: ``risk_control``, ``risk_arm``, ``risk_difference``,
    ``risk_ratio``, ``odds_ratio`` (marginal), ``receipt_rate``,
    ``complier_effect``, ``rate_ratio`` (repeat incidents),
    ``loss_mean_difference`` (pounds) and ``response_rate``.

    >>> t = true_effects()["enhanced_letter"]
    >>> round(t["risk_difference"], 4)
    -0.0087
    """
    ages = _AGES
    risk0 = 0.0
    for prior, vul, f in product((0, 1), (0, 1), range(len(_FRAUD_TYPES))):
        weight = ((_P_PRIOR if prior else 1 - _P_PRIOR) * (_P_VULNERABLE if vul else 1 - _P_VULNERABLE)
                  * _P_FRAUD[f])
        risk0 += weight * float(np.mean(_baseline_risk(ages, prior, vul, f)))
    mean_loss = float(np.exp(_MEAN_LOSS_MU + _MEAN_LOSS_SIGMA**2 / 2))
    out: dict[str, dict[str, float]] = {}
    for arm in ARMS[1:]:
        receipt = (1 - _P_VULNERABLE) * RECEIPT[arm][0] + _P_VULNERABLE * RECEIPT[arm][1]
        risk1 = risk0 - RISK_REDUCTION[arm] * receipt
        out[arm] = {
            "risk_control": risk0,
            "risk_arm": risk1,
            "risk_difference": risk1 - risk0,
            "risk_ratio": risk1 / risk0,
            "odds_ratio": (risk1 / (1 - risk1)) / (risk0 / (1 - risk0)),
            "receipt_rate": receipt,
            "complier_effect": -RISK_REDUCTION[arm],
            "rate_ratio": risk1 / risk0,
            "loss_mean_difference": (risk1 - risk0) * mean_loss,
            "response_rate": RESPONSE[arm],
        }
    return out
