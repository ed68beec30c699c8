"""The ``whatworks`` command.

Sub-commands live in a registry (:data:`COMMANDS`); each is a small function
over the library. Errors a user can fix are printed in words, never as a
traceback. Exit status (:func:`exit_status`): 0 when every report was
produced; 2 when every failure was an input error (the spec or the data);
1 when a template or whatworks itself failed for at least one spec.

Examples
--------
>>> sorted(COMMANDS)[:3]
['demo', 'index', 'new']
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from . import __version__
from .errors import InputError, TemplateError, WhatworksError

if TYPE_CHECKING:
    from .runner import Outcome

__all__ = ["main", "entry", "COMMANDS"]

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


#: A sub-command's parser set-up, and its action (which returns the exit status).
Setup = Callable[[argparse.ArgumentParser], None]
Action = Callable[[argparse.Namespace], int]


class Command:
    """A registered sub-command: its parser set-up and its action."""

    def __init__(self, name: str, help: str, setup: Setup, action: Action) -> None:
        self.name, self.help, self.setup, self.action = name, help, setup, action


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, setup: Setup = lambda p: None) -> Callable[[Action], Action]:
    """Decorator: register a sub-command."""

    def wrap(action: Action) -> Action:
        COMMANDS[name] = Command(name, help, setup, action)
        return action

    return wrap


def _say(message: str = "") -> None:
    print(message, flush=True)


def _default_workers(n: int) -> int:
    return max(1, min(n, os.cpu_count() or 1))


def outcome_record(outcome: Outcome) -> dict[str, Any]:
    """One spec's run as a machine-readable record (what ``whatworks run --json`` prints per spec)."""
    import json

    headline = None
    report = None
    if outcome.ok and outcome.output:
        report = str(Path(outcome.output) / "report.html")
        try:
            results = json.loads((Path(outcome.output) / "results.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            results = {}
        head = next((e for e in results.get("estimates", []) if e.get("headline")), None)
        if head is not None:
            headline = {k: head.get(k) for k in ("name", "label", "measure", "estimate", "ci_low", "ci_high",
                                                  "p_value", "scale", "unit")}
    return {"spec": outcome.spec, "status": outcome.status, "kind": outcome.kind, "report": report,
            "output": outcome.output, "headline": headline, "seconds": round(outcome.seconds, 2),
            "messages": [outcome.message] if outcome.message else []}


def _skipped(outcome: Outcome) -> bool:
    """Whether the report was up to date and not redone (kind ``unchanged``)."""
    return getattr(outcome, "kind", None) == "unchanged"


class Reporter:
    """How ``whatworks run`` tells a person (or a script) how each spec went.

    ``lines`` (default): a line per spec and a summary; ``json``: one JSON
    object per spec on standard output and nothing else; ``quiet``: only
    failures. A batch on a terminal gets a progress bar on standard error.
    """

    def __init__(self, mode: str = "lines", *, total: int = 1, stream: TextIO | None = None) -> None:
        self.mode = mode
        self.bar: Any = None  # a tqdm progress bar (tqdm has no type information)
        err = stream or sys.stderr
        if mode != "json" and total > 1 and getattr(err, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="report", file=err, leave=False, mininterval=0)

    def __call__(self, done: int, total: int, outcome: Outcome) -> None:
        if self.bar is not None:
            self.bar.update(1)
        if self.mode == "json":
            import json

            print(json.dumps(outcome_record(outcome), ensure_ascii=False), flush=True)
            return
        if self.mode == "quiet" and outcome.ok:
            return
        mark = "same  " if _skipped(outcome) else "ok    " if outcome.ok else "FAILED"
        where = f" -> {Path(outcome.output) / 'report.html'}" if outcome.ok and outcome.output else ""
        how = "inputs unchanged, not redone" if _skipped(outcome) else f"{outcome.seconds:.1f} s"
        line = f"[{done}/{total}] {mark} {outcome.spec}{where} ({how})"
        if not outcome.ok:
            line += f"\n        {outcome.message}"
        if self.bar is not None:
            self.bar.write(line)
        else:
            _say(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def exit_status(outcomes: Sequence[Outcome]) -> int:
    """The exit status of a run: 0 every report produced; 2 every failure an input error; else 1.

    >>> from types import SimpleNamespace as O
    >>> exit_status([O(ok=True, kind="ok"), O(ok=False, kind="input")])
    2
    >>> exit_status([O(ok=False, kind="input"), O(ok=False, kind="error")])
    1
    """
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        return EXIT_OK
    return EXIT_INPUT if all(o.kind == "input" for o in failed) else EXIT_FAILED


def _summarise(outcomes: Sequence[Outcome], reports_root: Path, mode: str = "lines") -> int:
    failed = [o for o in outcomes if not o.ok]
    same = sum(_skipped(o) for o in outcomes)
    produced = len(outcomes) - len(failed) - same
    if mode == "lines" or (mode == "quiet" and failed):
        _say("")
        unchanged = f"{same} unchanged (not redone; --force redoes them), " if same else ""
        _say(f"{len(outcomes)} spec{'s' if len(outcomes) != 1 else ''}: {produced} report"
             f"{'s' if produced != 1 else ''} produced, {unchanged}{len(failed)} failed.")
        index_path = reports_root / "index.html"
        if index_path.exists() and mode == "lines":
            _say(f"Index of reports: {index_path}")
    return exit_status(outcomes)


def _expand(specs: Sequence[str]) -> list[str]:
    """The spec files named: a folder stands for every ``.yaml`` spec directly in it."""
    out: list[str] = []
    for name in specs:
        folder = Path(name)
        if folder.is_dir():
            found = sorted(str(p) for p in folder.glob("*.yaml"))
            if not found:
                raise InputError(f"the folder '{name}' holds no .yaml specs",
                                 hint="Name spec files, or a folder holding them.")
            out += found
        else:
            out.append(name)
    return out


def _run_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="YAML spec file(s), or a folder of them")
    p.add_argument("--reports", metavar="DIR", default="reports",
                   help="folder for reports of specs without an 'output' key (default: reports)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="reports to render at once (default: one per CPU core, at most one per spec)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true",
                     help="print one JSON object per spec (spec, status, report, headline, seconds, messages) "
                          "and nothing else")
    how.add_argument("--quiet", "-q", action="store_true", help="print only failures")
    p.add_argument("--pdf", action="store_true",
                   help="also print report.pdf beside report.html (needs the pdf extra and a Chromium browser)")
    p.add_argument("--force", action="store_true",
                   help="redo every report, even one already made from the same spec, data, template and library")
    p.add_argument("--kernel", action="store_true",
                   help="run each report's notebook in a Jupyter kernel of its own (slower) instead of in "
                        "whatworks' own processes, a fresh namespace per report (the default)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run the reports on a Dask cluster, e.g. tcp://host:8786 (needs the distributed extra; "
                        "every worker must see the specs, data and reports folder at the same paths)")
    p.epilog = ("A report already made from the same spec, data files, template and whatworks is not redone "
                "(shown as 'same'; --force redoes it) and counts as produced. "
                "Exit status: 0 every report produced or up to date; 2 every failure was an input error (fix the "
                "spec or the data); 1 a template or whatworks itself failed for at least one spec.")


@command("run", "render each spec into an HTML report, results.json and the executed notebook", _run_setup)
def _run(args: argparse.Namespace) -> int:
    from .runner import run_many

    mode = "json" if args.json else "quiet" if args.quiet else "lines"
    args.specs = _expand(args.specs)
    workers = args.workers or _default_workers(len(args.specs))
    root = Path(args.reports)
    with contextlib.ExitStack() as stack:
        executor = stack.enter_context(_cluster(args.scheduler)) if args.scheduler else None
        if mode == "lines":
            where = f"on the cluster at {args.scheduler}" if args.scheduler else f"{workers} at a time"
            _say(f"Rendering {len(args.specs)} spec{'s' if len(args.specs) != 1 else ''} ({where})...")
        reporter = Reporter(mode, total=len(args.specs))
        try:
            outcomes = run_many(args.specs, reports_root=root, workers=workers, on_done=reporter, pdf=args.pdf,
                                force=args.force, executor=executor,
                                engine="kernel" if args.kernel else "inprocess")
        finally:
            reporter.close()
    return _summarise(outcomes, root, mode)


@contextlib.contextmanager
def _cluster(address: str) -> Iterator[Executor]:
    """An executor on the Dask cluster whose scheduler is at ``address`` (the distributed extra)."""
    try:
        import distributed
    except ImportError:
        raise InputError("--scheduler needs the distributed extra, which is not installed",
                         hint="Install it with  pip install whatworks[distributed]  (on this machine and on "
                              "every worker), or run without --scheduler.") from None
    try:
        dask_client: Any = distributed.Client  # an untyped library
        client = dask_client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"no Dask scheduler answered at {address} ({exc})",
                         hint="Check the address (e.g. tcp://host:8786) and that the scheduler is running.") from None
    try:
        yield client.get_executor()
    finally:
        client.close()


def _validate_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="YAML spec file(s)")


@command("validate", "check specs and their data without running anything", _validate_setup)
def _validate(args: argparse.Namespace) -> int:
    from .runner import check_output, disclosure_policy
    from .spec import load_spec
    from .validation import validate

    status = EXIT_OK
    for path in args.specs:
        try:
            spec = load_spec(path)
            check_output(spec.output, spec.path)  # what run would refuse, refused here first
            disclosure_policy(spec)
            loaded = validate(spec)
        except InputError as exc:
            _say(f"{path}: NOT VALID\n  {exc}")
            status = EXIT_INPUT
            continue
        detail = ""
        frame = getattr(loaded, "frame", None)
        if frame is not None and "period" in frame:
            from .dates import FREQS
            from .text import fmt_date

            freq = FREQS.get(getattr(loaded, "freq", ""))
            how = freq.adverb if freq else ""
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

    try:
        template = registry().get(args.template)
    except TemplateError as exc:  # a name the user typed: an input error (exit 2), like an unknown spec key
        raise InputError(exc.message, hint=exc.hint) from None
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
    p.add_argument("--reports", metavar="DIR", default=None,
                   help="output folder (default: reports/ in the checkout, or in the current folder)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="reports to render at once")


@command("demo", "render every demo evaluation in evaluations/ into reports/", _demo_setup)
def _demo(args: argparse.Namespace) -> int:
    from . import assets
    from .runner import run_many

    specs = sorted(assets.demo_specs().glob("*.yaml"))
    root = Path(args.reports) if args.reports else (assets.checkout() or Path.cwd()) / "reports"
    workers = args.workers or _default_workers(len(specs))
    _say(f"Rendering {len(specs)} demo evaluations into {root} ({workers} at a time)...")
    reporter = Reporter(total=len(specs))
    try:
        outcomes = run_many(specs, reports_root=root, workers=workers, on_done=reporter)
    finally:
        reporter.close()
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
    if args.debug:  # a fault inside a run is raised, not recorded, so its traceback shows
        os.environ["WHATWORKS_DEBUG"] = "1"
    try:
        return COMMANDS[args.command].action(args)
    except WhatworksError as exc:
        kind = "Input error" if isinstance(exc, InputError) else "Error"
        print(f"{kind}: {exc}", file=sys.stderr)
        return EXIT_INPUT if isinstance(exc, InputError) else EXIT_FAILED
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a program that stopped reading (e.g. head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            raise
        print(f"whatworks hit an internal error ({type(exc).__name__}: {exc}). "
              "Run again with --debug and report it.", file=sys.stderr)
        return EXIT_FAILED


def exit_now(code: int) -> NoReturn:
    """End the command with ``code`` once its exit handlers have run and its output is flushed.

    The interpreter's own teardown (freeing every object pandas, scipy and
    matplotlib made) costs a fraction of a second of CPU and does nothing a
    finished command needs: every file is written and closed by then. With
    another thread still running, the process ends the ordinary way.
    """
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def entry() -> NoReturn:
    """The ``whatworks`` command (and ``python -m whatworks``): :func:`main`, then :func:`exit_now`."""
    exit_now(main())


from .cli_trial import TRIAL_COMMANDS  # noqa: E402  (the trial sub-commands)

for _name, _help, _setup, _action in TRIAL_COMMANDS:
    command(_name, _help, _setup)(_action)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
