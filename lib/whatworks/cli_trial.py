"""Trial sub-commands of ``whatworks``: ``power`` and ``randomise``.

``whatworks power`` sizes a trial (people per arm for an effect) or, with
``--n-per-arm``, gives the smallest effect a trial of that size detects; it
prints a table with the formulas, or with ``--json`` an object holding at
least ``n_per_arm``, ``n_total`` and ``mde``. ``whatworks randomise SPEC``
makes a sealed random allocation once, from a YAML file.

Each command is a parser set-up and an action; :data:`TRIAL_COMMANDS` lists
them for :mod:`whatworks.cli` to register (this module does not import it).

Examples
--------
>>> [name for name, _, _, _ in TRIAL_COMMANDS]
['power', 'randomise']
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .designs.rct.power import PowerResult

__all__ = ["TRIAL_COMMANDS", "power_setup", "power_command", "randomise_setup", "randomise_command"]

EXIT_OK = 0


def _say(message: str = "") -> None:
    print(message, flush=True)

_POWER_EXAMPLES = """examples:
  whatworks power --p-control 0.20 --p-treatment 0.17 --arms 3
      people per arm to detect a fall in repeat victimisation from 20% to 17%,
      three arms (two active arms against one control, Bonferroni-corrected)
  whatworks power --p-control 0.5 --p-treatment 0.75 --power 0.9
      R's power.prop.test(p1 = .5, p2 = .75, power = .9): 77 per arm
  whatworks power --outcome continuous --effect 50 --sd 400 --attrition 0.1
      a difference of 50 in a mean with standard deviation 400, 10% attrition
  whatworks power --p-control 0.20 --n-per-arm 6667 --arms 3
      the smallest change a trial of 6,667 per arm can detect
  whatworks power --p-control 0.2 --effect -0.03 --cluster-size 20 --icc 0.02 --json
      cluster randomisation; machine-readable output
"""


def _ratio(value: str) -> float | list[float]:
    """``2`` (each active arm per control) or ``2:1:1`` (control first)."""
    parts = [p for p in value.replace(",", ":").split(":") if p.strip()]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a ratio such as 1 or 2:1:1") from None
    if not numbers:
        raise argparse.ArgumentTypeError("give a ratio such as 1 or 2:1:1")
    return numbers[0] if len(numbers) == 1 else numbers


def power_setup(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.description = ("Sample size per arm for a trial, or (with --n-per-arm) the minimum detectable effect. "
                     "Binary outcomes follow R's power.prop.test (null variance pooled, alternative unpooled), "
                     "continuous outcomes R's power.t.test (noncentral t). Defaults: two-sided alpha 0.05, "
                     "80% power, two equal arms.")
    p.epilog = _POWER_EXAMPLES
    p.add_argument("--outcome", choices=("binary", "continuous"), default="binary",
                   help="binary (a proportion, the default) or continuous (a mean)")
    p.add_argument("--p-control", type=float, metavar="P", help="binary: expected proportion in the control arm")
    p.add_argument("--p-treatment", type=float, metavar="P", help="binary: expected proportion in each active arm")
    p.add_argument("--effect", type=float, metavar="D",
                   help="binary: the change in proportion (instead of --p-treatment); continuous: the "
                        "difference in means")
    p.add_argument("--sd", type=float, metavar="SD", help="continuous: the standard deviation (default 1)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level, two-sided (default 0.05)")
    p.add_argument("--power", type=float, default=0.8, help="target power (default 0.8)")
    p.add_argument("--arms", type=int, default=None,
                   help="arms including the control (default 2); several active arms are compared with the "
                        "control at alpha / (arms - 1)")
    p.add_argument("--ratio", type=_ratio, default=1.0, metavar="R",
                   help="people in each active arm per control (e.g. 2), or every arm's ratio, control "
                        "first (e.g. 2:1:1)")
    p.add_argument("--cluster-size", type=float, metavar="M", help="cluster randomisation: people per cluster")
    p.add_argument("--icc", type=float, help="cluster randomisation: intra-cluster correlation")
    p.add_argument("--attrition", type=float, default=0.0,
                   help="expected share of people without an outcome (e.g. 0.1)")
    p.add_argument("--n-per-arm", type=int, metavar="N",
                   help="people randomised per arm: give this to get the minimum detectable effect instead")
    p.add_argument("--direction", choices=("decrease", "increase"), default="decrease",
                   help="with --n-per-arm: the direction of the change to detect (default decrease)")
    p.add_argument("--json", action="store_true", help="print a JSON object instead of the table")


def power_command(args: argparse.Namespace) -> int:
    """``whatworks power``: print the sample size or the minimum detectable effect."""
    from .errors import InputError, SpecError

    try:
        result = _power_result(args)
    except SpecError as exc:  # name the command-line option, not the library's keyword
        if not exc.key:
            raise
        option = "--" + str(exc.key).replace("_", "-")
        hint = (exc.hint or "").replace(f"{exc.key}: ", f"{option} ").replace(f"{exc.key} (", f"{option} (")
        raise InputError(f"{option}: {exc.message}", hint=hint or None) from None
    if args.json:
        numbers = result.to_dict()
        head = {k: v for k, v in numbers.items() if k in ("n_per_arm", "n_total", "mde")}
        body = {**head, **numbers}
        _say(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        _say(str(result))
    return EXIT_OK


def _power_result(args: argparse.Namespace) -> PowerResult:
    from .designs.rct.power import minimum_detectable_effect, sample_size

    common = dict(outcome=args.outcome, p_control=args.p_control, sd=args.sd, alpha=args.alpha,
                  power=args.power, cluster_size=args.cluster_size, icc=args.icc, attrition=args.attrition)
    if args.n_per_arm is not None:
        if isinstance(args.ratio, list) or args.ratio != 1.0:
            arms = args.arms or (len(args.ratio) if isinstance(args.ratio, list) else 2)
            ratios = args.ratio if isinstance(args.ratio, list) else [1.0] + [args.ratio] * (arms - 1)
            sizes = [round(args.n_per_arm * r / ratios[0]) for r in ratios]
            result = minimum_detectable_effect(n_per_arm=sizes, direction=args.direction, **common)
        else:
            result = minimum_detectable_effect(n_per_arm=args.n_per_arm, arms=args.arms,
                                               direction=args.direction, **common)
    else:
        arms = args.arms or (len(args.ratio) if isinstance(args.ratio, list) else 2)
        result = sample_size(p_treatment=args.p_treatment, effect=args.effect, arms=arms, ratio=args.ratio,
                             **common)
    return result


def _shown(path: str) -> str:
    """A path relative to the current folder when it is inside it."""
    p = Path(path)
    try:
        return str(p.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def randomise_setup(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.description = (
        "Allocate a trial's participants to arms at random, once, and seal the allocation. The YAML file "
        "names: participants (CSV or Excel), id_column, arms (name: ratio, control first), method "
        "(simple | complete | block | stratified), strata (columns), block_size, seed (drawn and recorded "
        "when absent), output (a new folder) and analysis_spec (the trial's rct spec, whose analysis plan is "
        "sealed with the allocation). Paths are relative to the YAML file.")
    p.epilog = """example:
  whatworks randomise evaluations/fraud-protect/randomise.yaml

  writes allocation.csv, balance.csv and allocation_record.json into the output
  folder and appends to allocation_log.jsonl beside it. An existing allocation
  is never overwritten."""
    p.add_argument("spec", metavar="SPEC", help="the randomisation YAML file")


def randomise_command(args: argparse.Namespace) -> int:
    """``whatworks randomise SPEC``: make and seal an allocation, and say what was written."""
    from .allocation import randomise_from_spec

    allocation = randomise_from_spec(args.spec)
    _say(str(allocation.summary))
    _say("")
    _say("Files written:")
    for role, words in (("allocation", "allocation"), ("balance", "balance table"),
                        ("record", "sealed record"), ("log", "allocation log (appended)")):
        if role in allocation.files:
            _say(f"  {words + ':':<27} {_shown(allocation.files[role])}")
    _say("")
    _say(str(allocation.table()))
    if allocation.balance is not None:
        _say("")
        _say(str(allocation.balance))
    if allocation.checks:
        _say("")
        for check in allocation.checks:
            _say(f"  [{check.status}] {check.message}")
    _say("")
    _say("Commit the allocation folder and the log now; never edit them. The analysis checks the allocation "
         "against the sealed record.")
    return EXIT_OK


#: ``(name, help, parser set-up, action)`` for each trial command.
TRIAL_COMMANDS = (
    ("power", "sample size per arm for a trial, or the minimum detectable effect", power_setup, power_command),
    ("randomise", "allocate a trial's participants to arms at random, once, with a sealed record",
     randomise_setup, randomise_command),
)
