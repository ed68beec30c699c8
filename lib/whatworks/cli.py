"""The ``whatworks`` command.

Sub-commands live in a registry (:data:`COMMANDS`); each is a small function
over the library. Errors a user can fix are printed in words, never as a
traceback, with exit status 2; a failed report in a batch gives exit status 1.

Examples
--------
>>> sorted(COMMANDS)[:3]
['demo', 'index', 'new']
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .errors import InputError, WhatworksError

__all__ = ["main", "COMMANDS"]

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
_FREQ_WORDS = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly"}


class Command:
    """A registered sub-command: its parser set-up and its action."""

    def __init__(self, name: str, help: str, setup: Callable, action: Callable) -> None:
        self.name, self.help, self.setup, self.action = name, help, setup, action


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, setup: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Decorator: register a sub-command."""

    def wrap(action: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = Command(name, help, setup, action)
        return action

    return wrap


def _say(message: str = "") -> None:
    print(message, flush=True)


def _default_workers(n: int) -> int:
    return max(1, min(n, os.cpu_count() or 1))


def _progress(done: int, total: int, outcome) -> None:
    mark = "ok    " if outcome.ok else "FAILED"
    where = f" -> {Path(outcome.output) / 'report.html'}" if outcome.ok and outcome.output else ""
    _say(f"[{done}/{total}] {mark} {outcome.spec}{where} ({outcome.seconds:.1f} s)")
    if not outcome.ok:
        _say(f"        {outcome.message}")


def _summarise(outcomes, reports_root: Path) -> int:
    failed = [o for o in outcomes if not o.ok]
    produced = len(outcomes) - len(failed)
    _say("")
    _say(f"{len(outcomes)} spec{'s' if len(outcomes) != 1 else ''}: {produced} report"
         f"{'s' if produced != 1 else ''} produced, {len(failed)} failed.")
    index_path = reports_root / "index.html"
    if index_path.exists():
        _say(f"Index of reports: {index_path}")
    if not failed:
        return EXIT_OK
    if len(outcomes) == 1 and failed[0].kind == "input":
        return EXIT_INPUT
    return EXIT_FAILED


def _run_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="YAML spec file(s)")
    p.add_argument("--reports", metavar="DIR", default="reports",
                   help="folder for reports of specs without an 'output' key (default: reports)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="reports to render at once (default: one per CPU core, at most one per spec)")


@command("run", "render each spec into an HTML report, results.json and the executed notebook", _run_setup)
def _run(args: argparse.Namespace) -> int:
    from .runner import run_many

    workers = args.workers or _default_workers(len(args.specs))
    root = Path(args.reports)
    _say(f"Rendering {len(args.specs)} spec{'s' if len(args.specs) != 1 else ''}"
         f" ({workers} at a time)...")
    outcomes = run_many(args.specs, reports_root=root, workers=workers, on_done=_progress)
    return _summarise(outcomes, root)


def _validate_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="YAML spec file(s)")


@command("validate", "check specs and their data without running anything", _validate_setup)
def _validate(args: argparse.Namespace) -> int:
    from .spec import load_spec
    from .validation import validate

    status = EXIT_OK
    for path in args.specs:
        try:
            spec = load_spec(path)
            loaded = validate(spec)
        except InputError as exc:
            _say(f"{path}: NOT VALID\n  {exc}")
            status = EXIT_INPUT
            continue
        detail = ""
        frame = getattr(loaded, "frame", None)
        if frame is not None and "period" in frame:
            from .text import fmt_date

            how = _FREQ_WORDS.get(getattr(loaded, "freq", ""), "")
            detail = (f" ({len(frame):,} rows, {how} data from "
                      f"{fmt_date(frame['period'].min())} to {fmt_date(frame['period'].max())})")
        _say(f"{path}: valid, template '{spec.template.name}'{detail}.")
    return status


@command("templates", "list the templates and the settings each accepts")
def _templates(args: argparse.Namespace) -> int:
    from .templates import registry

    reg = registry()
    for t in reg:
        _say(f"{t.name}  ({t.design})")
        if t.description:
            _say(f"  {t.description}")
        for p in t.parameters:
            if p.required:
                need = "required"
            elif p.demo_only:
                need = "default: blank (demo value shown in JupyterLab)"
            else:
                need = f"default: {p.default!r}"
            _say(f"    {p.name:<24} {p.describe_type():<34} {need}")
            if p.help:
                _say(f"    {'':<24} {p.help}")
        _say("")
    for name, problem in reg.problems.items():
        _say(f"(not a template: {name}: {problem})")
    return EXIT_OK


def _new_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("template", help="template name (see 'whatworks templates')")
    p.add_argument("path", help="where to write the starter spec, e.g. evaluations/my-plan.yaml")


@command("new", "write a commented starter spec for a template", _new_setup)
def _new(args: argparse.Namespace) -> int:
    from .starter import starter_spec
    from .templates import registry

    template = registry().get(args.template)
    target = Path(args.path)
    if target.exists():
        raise InputError(f"{target} already exists", hint="Choose another file name, or delete it first.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_spec(template), encoding="utf-8")
    _say(f"Wrote {target}. Edit it, then run:  whatworks validate {target}  and  whatworks run {target}")
    _say("Before the operation starts, read docs/evaluation-guide.md: record the baseline and choose "
         "comparison areas before you see any outcomes.")
    return EXIT_OK


def _demo_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reports", metavar="DIR", default=None, help="output folder (default: reports/ in the project)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="reports to render at once")


@command("demo", "render every demo evaluation in evaluations/ into reports/", _demo_setup)
def _demo(args: argparse.Namespace) -> int:
    from .runner import run_many
    from .templates import project_root

    specs = sorted((project_root() / "evaluations").glob("*.yaml"))
    root = Path(args.reports) if args.reports else project_root() / "reports"
    workers = args.workers or _default_workers(len(specs))
    _say(f"Rendering {len(specs)} demo evaluations into {root} ({workers} at a time)...")
    outcomes = run_many(specs, reports_root=root, workers=workers, on_done=_progress)
    return _summarise(outcomes, root)


def _index_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", nargs="?", default="reports", help="reports folder (default: reports)")


@command("index", "rebuild the index page of a reports folder", _index_setup)
def _index(args: argparse.Namespace) -> int:
    from .index import build

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError(f"there is no folder '{folder}'", hint="Run some specs first, or name the reports folder.")
    _say(f"Index of reports: {build(folder)}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="whatworks",
        description="Reproducible, templated evaluations: a YAML spec and a data export in, "
        "an HTML report, results.json and the executed notebook out.",
        epilog="Start with:  whatworks templates   then   whatworks new before-after evaluations/my-plan.yaml",
    )
    top.add_argument("--version", action="version", version=f"whatworks {__version__}")
    top.add_argument("--debug", action="store_true", help="show full tracebacks for internal errors")
    subs = top.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in COMMANDS.values():
        sub = subs.add_parser(cmd.name, help=cmd.help, description=cmd.help[0].upper() + cmd.help[1:] + ".")
        cmd.setup(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``whatworks`` command."""
    args = parser().parse_args(argv)
    if not args.command:
        parser().print_help()
        return EXIT_OK
    try:
        return COMMANDS[args.command].action(args)
    except WhatworksError as exc:
        kind = "Input error" if isinstance(exc, InputError) else "Error"
        print(f"{kind}: {exc}", file=sys.stderr)
        return EXIT_INPUT if isinstance(exc, InputError) else EXIT_FAILED
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: words, not a traceback
        if args.debug:
            raise
        print(f"whatworks hit an internal error ({type(exc).__name__}: {exc}). "
              "Run again with --debug and report it.", file=sys.stderr)
        return EXIT_FAILED


from .cli_trial import TRIAL_COMMANDS  # noqa: E402  (the trial sub-commands)

for _name, _help, _setup, _action in TRIAL_COMMANDS:
    command(_name, _help, _setup)(_action)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
