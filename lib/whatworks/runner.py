"""Run a spec: validate, execute the template with Papermill, write the report.

:func:`run` reads as a straight script: load the spec → check its data
in-process (no kernel) → execute the notebook into a private folder → read
the payload back → render ``report.html`` and ``results.json`` → move the
folder into place in one step. ``status.json`` is written on success and on
failure, outside that step, so a failed run never replaces a good report.

Examples
--------
>>> outcome = Outcome(spec="a.yaml", status="failed", kind="input", message="x", seconds=0.1)
>>> outcome.ok
False
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, assets, handover, index, validation
from . import pdf as printing
from .disclosure import Disclosure
from .errors import InputError, RunError, SpecError, WhatworksError
from .kernels import ENGINE, INPROCESS_MODULES, KernelPool, register_engine, start_kernel, warm_up
from .render import render_report
from .report import read_payload
from .results import estimates_frame
from .spec import Spec, load_spec, output_of
from .text import fmt_date

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

__all__ = ["Outcome", "ENGINES", "run", "run_many", "execute", "provenance", "write_status", "fingerprint", "unchanged"]

_PACKAGES = ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "papermill", "nbclient", "ipykernel")
_INPUT_ERRORS = {"InputError", "DataError", "SpecError"}
#: How a template notebook is executed: ``inprocess`` (the default: in this process, a fresh IPython
#: shell and namespace per notebook, the libraries imported once per process) or ``kernel`` (a Jupyter
#: kernel of its own per notebook, started ahead by a :class:`KernelPool`).
ENGINES = ("inprocess", "kernel")


@dataclass(frozen=True)
class Outcome:
    """How one run ended.

    ``kind`` is ``ok``, ``unchanged`` (the report in place was made from the
    same inputs, so it was not redone; still ``ok``), ``input`` (input error:
    no new report), ``template`` or ``error`` (a fault in a template or in
    whatworks).
    """

    spec: str
    status: str
    kind: str
    message: str
    seconds: float
    output: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def skipped(self) -> bool:
        """The report was already up to date and was not redone."""
        return self.kind == "unchanged"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _git_commit() -> str | None:
    top = assets.checkout()
    if top is None:  # an installed wheel: its version says what produced the report
        return None
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=top, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def provenance(spec: Spec) -> dict[str, Any]:
    """What produced a report: versions, commit, template and input fingerprints.

    No timestamps, so the same spec and data give the same ``results.json``.
    """
    inputs = [{"key": "spec", "path": spec.path.name, "sha256": _sha256(spec.path)}]
    for key, path in spec.input_files().items():
        inputs.append({"key": key, "path": str(spec.parameters[key]), "sha256": _sha256(path)})
    packages = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "whatworks_version": __version__,
        "git_commit": _git_commit(),
        "template": spec.template.name,
        "template_sha256": _sha256(spec.template.path),
        "inputs": inputs,
        "packages": packages,
        "random_seed": spec.parameters.get("seed"),
    }


def _tree_sha256(digest: Any, top: Path, label: str, skip: frozenset[str] = frozenset()) -> None:
    """Add every file under ``top`` (its path and content) to ``digest``; ``skip`` names top-level folders."""
    for path in sorted(top.rglob("*")):
        parts = path.relative_to(top).parts
        if path.is_file() and parts[0] not in skip and "__pycache__" not in parts and path.suffix != ".pyc":
            digest.update(f"{label}/{'/'.join(parts)} {_sha256(path)}\n".encode())


@cache
def _library_sha256() -> str:
    """One hash of the library as it runs: every module and resource, the page templates (report, index,
    stylesheet), the guide, and the versions of Python and of the packages that compute the numbers. Any
    change to whatworks, not just a new version number, changes it."""
    digest = hashlib.sha256(f"whatworks {__version__}\n".encode())
    _tree_sha256(digest, Path(__file__).resolve().parent, "whatworks", skip=frozenset({"assets"}))
    _tree_sha256(digest, assets.page_templates(), "templates")
    guide = assets.guide()
    if guide.is_file():
        digest.update(f"guide {_sha256(guide)}\n".encode())
    digest.update(f"python {platform.python_version()}\n".encode())
    for name in _PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name} {metadata.version(name)}\n".encode())
    return digest.hexdigest()


def fingerprint(spec: Spec, *, pdf: bool = False) -> dict[str, Any]:
    """What a report was made from: hashes of the spec, every data file it names, the template notebook
    and the library (its code, page templates and the numeric packages' versions).

    Recorded in ``status.json`` of every report produced; a report whose recorded fingerprint equals
    the current one is :func:`unchanged` and is not redone.
    """
    data = {key: _sha256(path) for key, path in sorted(spec.input_files().items())}
    return {
        "spec": _sha256(spec.path),
        "data": data,
        "template": spec.template.name,
        "template_sha256": _sha256(spec.template.path),
        "whatworks_version": __version__,
        "library_sha256": _library_sha256(),
        "pdf": bool(pdf or spec.pdf),
    }


_REPORT_FILES = ("results.json", "report.html", "estimates.csv", "notebook.ipynb")


def unchanged(spec: Spec, *, pdf: bool = False) -> bool:
    """Whether ``spec``'s report is in place, ok, and made from exactly its current inputs.

    A failed or partial earlier run never counts: ``status.json`` must say ``ok`` and hold the same
    fingerprint, and every report file must be there.
    """
    output = spec.output
    try:
        record = json.loads((output / "status.json").read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("status") != "ok" or record.get("kind") != "ok":
            return False
        current = fingerprint(spec, pdf=pdf)
    except (OSError, ValueError):
        return False
    files = _REPORT_FILES + (("report.pdf",) if current["pdf"] else ())
    return record.get("inputs") == current and all((output / name).is_file() for name in files)


def _skip_if_unchanged(spec_path: Path, reports_root: str | Path | None, pdf: bool) -> Outcome | None:
    """The outcome of a spec whose report is up to date, or ``None`` when it must be run."""
    started = time.perf_counter()
    try:
        spec = load_spec(spec_path, reports_root=reports_root)
        if not unchanged(spec, pdf=pdf):
            return None
    except Exception:  # whatever is wrong, the run itself finds it and says so
        return None
    return Outcome(str(spec_path), "ok", "unchanged", "Inputs unchanged: report not redone (--force redoes it).",
                   time.perf_counter() - started, str(spec.output))


_ESTIMATE_KEYS = ("name", "label", "headline", "measure", "outcome", "group", "estimate", "se",
                  "ci_low", "ci_high", "p_value", "scale", "unit")


def _in_order(item: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {**{k: item[k] for k in keys if k in item}, **{k: v for k, v in item.items() if k not in keys}}


def compose_results(payload: Mapping[str, Any], spec: Spec, prov: Mapping[str, Any]) -> dict[str, Any]:
    """``results.json``: the notebook's payload framed by what the runner knows.

    Keys come in the documented order (the notebook stores them sorted).
    """
    payload = dict(payload)
    if isinstance(payload.get("period"), dict):
        payload["period"] = _in_order(payload["period"], ("start", "end"))
    payload["estimates"] = [_in_order(e, _ESTIMATE_KEYS) for e in payload.get("estimates", [])]
    payload["checks"] = [_in_order(c, ("name", "status", "message")) for c in payload.get("checks", [])]
    head = {
        "template": spec.template.name,
        "template_label": spec.template.description or spec.template.name,
        "title": payload.get("title", spec.parameters.get("title", "")),
        "owner": payload.get("owner", ""),
        "classification": payload.get("classification", "OFFICIAL"),
        "period": payload.get("period", {"start": None, "end": None}),
        "whatworks_version": __version__,
    }
    first = ("evidence", "summary", "estimates", "checks")
    body = {k: payload[k] for k in first if k in payload}
    body.update({k: v for k, v in payload.items() if k not in head and k not in first})
    return {**head, **body, "provenance": prov}


def execute(spec: Spec, output_notebook: Path, *, km: KernelManager | None = None,
            engine: str = "inprocess") -> None:
    """Execute the spec's template with Papermill, working in the spec's folder.

    ``engine`` is one of :data:`ENGINES`. With ``kernel``, ``km`` is a kernel
    already started by :func:`start_kernel` (one is started here otherwise);
    it is shut down afterwards either way.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "inprocess":
        register_engine()
        km = None
    else:
        km = km or start_kernel(spec.base_dir, warm=False)
    try:
        common = {"parameters": dict(spec.parameters), "progress_bar": False, "log_output": False,
                  "request_save_on_cell_execute": False}
        if km is None:  # in-process: Papermill changes this process's folder, so the paths are absolute
            papermill.execute_notebook(str(spec.template.path.resolve()), str(output_notebook.resolve()),
                                       engine_name=ENGINE, kernel_name="python3", cwd=str(spec.base_dir), **common)
        else:
            papermill.execute_notebook(str(spec.template.path), str(output_notebook), kernel_name=km.kernel_name,
                                       km=km, **common)
    except PapermillExecutionError as exc:
        if exc.ename in _INPUT_ERRORS:
            raise InputError(exc.evalue) from None
        raise RunError(
            f"the template '{spec.template.name}' stopped at cell {exc.exec_count}: {exc.ename}: {exc.evalue}",
            hint="This is a fault in the template or in whatworks, not in your data; "
            "the executed notebook is kept as last-failure.ipynb in the output folder.",
        ) from None
    finally:
        if km is not None:
            km.shutdown_kernel(now=True)


def write_status(folder: Path, *, status: str, kind: str, message: str, spec: Path, title: str = "",
                 disclosure: Disclosure | None = None, inputs: Mapping[str, Any] | None = None) -> None:
    """Write ``status.json`` (success or failure) into ``folder``, through the run's ``disclosure`` policy.

    ``inputs`` (a report's :func:`fingerprint`, on success only) lets the next run skip it when unchanged.
    """
    folder.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {
        "status": status,
        "kind": kind,
        "reason": message,
        "spec": spec.name,
        "title": title,
        "time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    if disclosure is not None:
        record = disclosure.apply(record)
    if inputs is not None:
        record["inputs"] = dict(inputs)
    tmp = folder / ".status.json.tmp"
    try:
        tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, folder / "status.json")
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _swap_into_place(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` (two renames; the old copy goes last)."""
    old = output.with_name(f".{output.name}.old-{os.getpid()}")
    if output.exists():
        os.replace(output, old)
    try:
        os.replace(staging, output)
    except OSError:
        if old.exists():
            os.replace(old, output)
        raise
    shutil.rmtree(old, ignore_errors=True)


def owned(folder: Path) -> bool:
    """Whether ``folder`` is a report folder whatworks made (it holds whatworks' ``status.json``)."""
    marker = folder / "status.json"
    if not marker.is_file():
        return False
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and {"status", "kind", "spec"} <= set(record)


def may_write(folder: Path) -> bool:
    """Whether whatworks may write its ``status.json`` into ``folder``: new, empty, or its own."""
    if not folder.exists():
        return True
    return folder.is_dir() and (owned(folder) or not any(folder.iterdir()))


def check_output(output: Path, spec_path: Path) -> None:
    """Refuse, before any work, an ``output`` that whatworks may not replace.

    whatworks replaces only a folder it made itself (marked by its
    ``status.json``), or an empty one, and never a file; a folder holding the
    spec itself is never a report folder.

    Raises
    ------
    SpecError
        Naming ``output`` and what to write instead.
    """
    spec_folder = spec_path.resolve().parent
    if output.exists() and not output.is_dir():
        raise SpecError(f"'{output.name}' is a file, not a folder", key="output", file=spec_path.name,
                        hint="Name a new folder for the report, e.g.  output: reports/my-plan")
    if output == spec_folder or output in spec_folder.parents:
        raise SpecError("is the spec's own folder (or holds it): the report would replace your files", key="output",
                        file=spec_path.name, hint="Name a folder of its own, e.g.  output: reports/my-plan")
    if output.is_dir() and any(output.iterdir()) and not owned(output):
        raise SpecError(f"'{output.name}' already holds files that whatworks did not make", key="output",
                        file=spec_path.name,
                        hint="whatworks replaces only its own report folders. Name a new or empty folder.")


def _cannot_write(exc: OSError, output: Path | None) -> InputError:
    """A fault of the machine (a full disk, a folder that may not be written) in words, with the fix."""
    import errno

    where = f"'{output.name}'" if output is not None else "the report folder"
    if exc.errno == errno.ENOSPC:
        hint = "The disk is full: free some space (or name an output folder on another disk) and run again."
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = ("You may not write there: name a folder you may write to with  output:  in the spec "
                "(or --reports), or ask for write access.")
    else:
        hint = "Check the folder exists on a disk with free space that you may write to, then run again."
    reason = exc.strerror or type(exc).__name__
    return InputError(f"the report could not be written to {where} ({reason}); no report was replaced",
                      hint=hint)


def parameter_rows(spec: Spec, used: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows for the report's "Parameters used" table: the keys the analysis used (all, if not known)."""
    keep = set(used) if used is not None else None
    return [
        {"name": p.name, "value": spec.parameters[p.name], "help": p.help, "default": p.name not in spec.given}
        for p in spec.template.parameters
        if keep is None or p.name in keep
    ]


def disclosure_policy(spec: Spec) -> Disclosure:
    """The spec's small-count policy (the ``disclosure`` key; 5 when not given)."""
    value = spec.parameters.get("disclosure", 5)
    try:
        return Disclosure(int(value) if value is not None else 0)
    except (TypeError, ValueError):
        raise SpecError(f"disclosure must be a whole number, 0 or more, not {value!r}", key="disclosure",
                        file=spec.path.name, hint="Counts from 1 to disclosure - 1 are hidden; 0 shows "
                        "every count.") from None


def run(
    spec_path: str | Path,
    *,
    reports_root: str | Path | None = None,
    rebuild_index: bool = True,
    kernels: KernelPool | None = None,
    pdf: bool = False,
    force: bool = False,
    engine: str = "inprocess",
) -> Outcome:
    """Render one spec. Never raises for input problems: the :class:`Outcome` says.

    ``engine`` (one of :data:`ENGINES`) says how the notebook is executed;
    with ``kernel``, ``kernels`` lends a pool that starts the next report's kernel ahead;
    ``pdf`` (or the spec's ``pdf: true``) prints ``report.pdf`` too. A report
    already made from the same inputs (:func:`unchanged`) is not redone unless
    ``force``.
    """
    started = time.perf_counter()
    spec_path = Path(spec_path)
    if not force:
        skipped = _skip_if_unchanged(spec_path, reports_root, pdf)
        if skipped is not None:
            if rebuild_index and skipped.output:
                _build_index(Path(skipped.output).parent)
            return skipped
    output: Path | None = None
    disclosure: Disclosure | None = None
    km = None
    try:
        spec = load_spec(spec_path, reports_root=reports_root)
        check_output(spec.output, spec.path)
        output = spec.output
        want_pdf = pdf or spec.pdf
        if want_pdf:
            printing.check_available()  # before any work: the extra or the browser is missing
        disclosure = disclosure_policy(spec)
        inputs_used = fingerprint(spec, pdf=want_pdf)  # before the run: a file changed meanwhile means a rerun
        km = kernels.take(spec.base_dir) if kernels and engine == "kernel" else None
        warm_up(spec.template.module, *(INPROCESS_MODULES if engine == "inprocess" else ()))
        try:
            inputs = validation.validate(spec)
        except WhatworksError:
            if km is not None and kernels is not None:
                kernels.give_back(km, spec.base_dir)
            km = None
            raise
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.partial-", dir=output.parent))
        try:
            notebook_path = staging / "notebook.ipynb"
            if engine == "inprocess":  # the notebook's own load(ev) takes these, rather than reading again
                handover.keep(spec.template.module, spec.base_dir, spec.parameters, inputs)
            try:
                execute(spec, notebook_path, km=km, engine=engine)
            except RunError:
                if notebook_path.exists():
                    output.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(notebook_path, output / "last-failure.ipynb")
                raise
            finally:
                handover.drop(spec.template.module, spec.base_dir)
            import nbformat  # imported here: the kernel is already starting while this loads

            nb = nbformat.read(notebook_path, as_version=4)  # type: ignore[no-untyped-call]  # nbformat leaves read() unannotated
            payload = read_payload(nb)
            if payload is None:
                raise RunError(f"the template '{spec.template.name}' did not record its results",
                               hint="Its last cell must call ww.emit(ev, result).")
            results = compose_results(payload, spec, provenance(spec))
            html = render_report(nb, results, parameters=parameter_rows(spec, getattr(inputs, "used", None)),
                                 produced=dt.datetime.now().astimezone())
            (staging / "results.json").write_text(
                json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            (staging / "report.html").write_text(html, encoding="utf-8")
            if want_pdf:
                printing.print_pdf(staging / "report.html", staging / "report.pdf",
                                   marking=str(results.get("classification", "OFFICIAL")),
                                   title=str(results.get("title", "")), produced=fmt_date(dt.date.today()))
            estimates_frame(results.get("estimates", [])).to_csv(staging / "estimates.csv", index=False)
            _swap_into_place(staging, output)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        title = results.get("title", "")
        write_status(output, status="ok", kind="ok", message="Report produced.", spec=spec_path, title=title,
                     disclosure=disclosure, inputs=inputs_used)
        outcome = Outcome(str(spec_path), "ok", "ok", "Report produced.", time.perf_counter() - started,
                          str(output))
    except (WhatworksError, OSError) as caught:
        exc = caught if isinstance(caught, WhatworksError) else _cannot_write(caught, output)
        kind = "input" if isinstance(exc, InputError) else ("error" if isinstance(exc, RunError) else "template")
        if output is None:
            output = output_of(spec_path, reports_root=reports_root)
        if output is not None and may_write(output):
            try:
                write_status(output, status="failed", kind=kind, message=str(exc), spec=spec_path,
                             disclosure=disclosure or Disclosure())
            except OSError:
                output = None  # the folder cannot be written: the message is on the screen only
        else:
            output = None  # not a folder whatworks may write to: nothing is written, no index rebuilt
        outcome = Outcome(str(spec_path), "failed", kind, str(exc), time.perf_counter() - started,
                          None if output is None else str(output))
    except Exception as fault:  # a fault in whatworks itself: recorded where the report belongs, the batch goes on
        if os.environ.get("WHATWORKS_DEBUG"):
            raise
        logging.getLogger("whatworks").debug("internal fault", exc_info=True)
        message = (f"whatworks itself failed ({type(fault).__name__}), not your spec or data. Run again with  "
                   f"whatworks --debug run {spec_path.name}  and report what it prints.")
        if output is None:
            output = output_of(spec_path, reports_root=reports_root)
        if output is not None and may_write(output):
            try:
                write_status(output, status="failed", kind="error", message=message, spec=spec_path,
                             disclosure=disclosure or Disclosure())
            except OSError:
                output = None
        else:
            output = None
        outcome = Outcome(str(spec_path), "failed", "error", message, time.perf_counter() - started,
                          None if output is None else str(output))
    if rebuild_index and outcome.output:
        _build_index(Path(outcome.output).parent)
    return outcome


def _build_index(root: Path) -> None:
    """Rebuild the index of ``root``; a folder that cannot be written keeps its old index (the runs said why)."""
    with contextlib.suppress(OSError):
        index.build(root)


_WORKER_POOLS = threading.local()


def _worker_pool() -> KernelPool:
    """This worker's kernel pool, kept warm between the reports it runs (one per thread; its spares are
    shut down when the process exits). A worker on another machine keeps its own."""
    pool: KernelPool | None = getattr(_WORKER_POOLS, "pool", None)
    if pool is None:
        import atexit
        from multiprocessing import util

        pool = _WORKER_POOLS.pool = KernelPool()
        util.Finalize(pool, pool.close, exitpriority=10)  # a multiprocessing worker skips atexit
        atexit.register(pool.close)
    return pool


def _run_quietly(args: tuple[Path, str | Path | None, bool, str]) -> Outcome:
    """One report on a worker (a process here, or a machine of a cluster); already found not up to date.

    The worker keeps its libraries imported (``inprocess``) or a kernel started ahead (``kernel``) for
    the next report it runs."""
    spec_path, reports_root, pdf, engine = args
    return run(spec_path, reports_root=reports_root, rebuild_index=False,
               kernels=_worker_pool() if engine == "kernel" else None, pdf=pdf, force=True, engine=engine)


def _warm_worker() -> None:
    """A new worker process imports the heavy libraries while the first report is being handed to it."""
    with contextlib.suppress(Exception):  # a library that cannot be imported is reported by the run itself
        warm_up(*INPROCESS_MODULES)


def _finished(futures: list[Any]) -> Iterable[Any]:
    """The futures as they finish (standard ones), or in order (any other kind with a ``result()``)."""
    if all(isinstance(f, Future) for f in futures):
        return as_completed(futures)
    return iter(futures)


def run_many(
    spec_paths: Iterable[str | Path],
    *,
    reports_root: str | Path | None = None,
    workers: int = 1,
    on_done: Callable[[int, int, Outcome], None] | None = None,
    pdf: bool = False,
    force: bool = False,
    executor: Executor | None = None,
    engine: str = "inprocess",
) -> list[Outcome]:
    """Render several specs, carrying on past failures; the index is rebuilt once at the end.

    A spec whose report is up to date (:func:`unchanged`) is not redone unless
    ``force``; that is decided here, before any worker or kernel starts.
    ``workers`` > 1 renders in parallel processes, each running its share of
    the reports one after another (``engine``: :data:`ENGINES`; a fresh
    namespace, or kernel, per report). ``executor`` is any ``concurrent.futures``-style
    executor (``submit`` returning something with ``result()``), e.g. a Dask
    cluster's ``client.get_executor()``: it then runs the reports, and every
    worker must see the specs, data and reports folder at the same paths
    (they are sent as absolute paths).
    """
    paths = [Path(p) for p in spec_paths]
    outcomes: list[Outcome] = []

    def finished(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_done:
            on_done(len(outcomes), len(paths), outcome)

    jobs: list[tuple[Path, str | Path | None, bool, str]] = []
    for path in paths:
        skipped = None if force else _skip_if_unchanged(path, reports_root, pdf)
        if skipped is not None:
            finished(skipped)
        else:
            jobs.append((path, reports_root, pdf, engine))
    if executor is not None and jobs:
        root = Path(reports_root).resolve() if reports_root is not None else None
        futures = [executor.submit(_run_quietly, (p.resolve(), root, want_pdf, engine))
                   for p, _, want_pdf, _ in jobs]
        named = {id(f): str(p) for f, (p, _, _, _) in zip(futures, jobs)}
        for future in _finished(futures):
            finished(dataclasses.replace(future.result(), spec=named[id(future)]))
    elif workers > 1 and len(jobs) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # "spawn": a forked copy of a process that already talks to kernels can hang.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                                 initializer=_warm_worker if engine == "inprocess" else None) as pool:
            for future in as_completed([pool.submit(_run_quietly, job) for job in jobs]):
                finished(future.result())
    elif jobs and engine == "kernel":
        with KernelPool() as kernels:
            for i, (spec_path, root_, want_pdf, _) in enumerate(jobs):
                kernels.ahead = i < len(jobs) - 1  # no spare kernel after the last report
                finished(run(spec_path, reports_root=root_, rebuild_index=False, kernels=kernels, pdf=want_pdf,
                             force=True, engine=engine))
    else:
        for spec_path, root_, want_pdf, _ in jobs:
            finished(run(spec_path, reports_root=root_, rebuild_index=False, pdf=want_pdf, force=True,
                         engine=engine))
    roots = {Path(o.output).parent for o in outcomes if o.output}
    for folder in roots:
        _build_index(folder)
    order = {str(p): i for i, p in enumerate(paths)}
    return sorted(outcomes, key=lambda o: order.get(o.spec, 0))
