"""Where a report's notebook runs: in this process (the default), or in a kernel of its own.

In-process (:data:`ENGINE`, registered with Papermill by :func:`register_engine`):
Papermill reads the template, injects the parameters cell and records every
cell as usual, and the cells run in this process in a fresh IPython shell, so
the executed notebook holds the same outputs, execution counts and errors as
from a kernel. pandas, statsmodels and matplotlib are imported once per
process (checking the spec's data has already imported them), not once per
report; nothing else of one report reaches the next (a new namespace, every
figure closed, matplotlib's settings and the warning filters put back).

With a kernel (``whatworks run --kernel``): starting a Python kernel and
importing those libraries takes a few seconds. A :class:`KernelPool` starts
the *next* report's kernel (and those imports) while the current report runs.
Each kernel serves exactly one report and is shut down after it.

Examples
--------
>>> pool = KernelPool(ahead=False, warm=False)
>>> pool.spares
0
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import io
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

__all__ = ["KernelPool", "start_kernel", "WARM_CODE", "ENGINE", "INPROCESS_MODULES", "register_engine", "warm_up"]

#: Libraries imported once per process (or kernel), before any notebook runs there.
WARM_MODULES = ("numpy", "pandas", "scipy.stats", "statsmodels.genmod.generalized_linear_model", "matplotlib.pyplot",
                "whatworks", "whatworks.data", "whatworks.plots")

#: Also imported ahead when a notebook runs in this process: what the in-process engine itself needs.
INPROCESS_MODULES = ("papermill", "IPython.core.interactiveshell")

#: Run in a fresh kernel to load the heavy libraries before its report arrives.
#: Only underscore names are created, and they are deleted again.
WARM_CODE = (
    "import importlib as _il\n"
    f"for _m in {WARM_MODULES!r}:\n"
    "    _il.import_module(_m)\n"
    "del _il, _m\n"
)


def start_kernel(cwd: Path, kernel_name: str = "python3", warm: bool = True) -> KernelManager:
    """Start a kernel working in ``cwd``; its own chatter on stdout/stderr is discarded.

    Returns at once (the kernel boots in the background). With ``warm``, the
    kernel is asked to import the heavy libraries as soon as it is up.
    """
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=str(cwd), stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    if warm:
        client = km.client()
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        client.execute(WARM_CODE, silent=True, store_history=False)
        client.stop_channels()
    return km


class KernelPool:
    """Hands out fresh kernels, keeping one started ahead for the next report.

    Parameters
    ----------
    ahead
        Start a spare kernel for the next report whenever one is taken.
    warm
        Pre-import the heavy libraries in every kernel started.
    """

    def __init__(self, kernel_name: str = "python3", *, ahead: bool = True, warm: bool = True) -> None:
        self.kernel_name = kernel_name
        self.ahead = ahead
        self.warm = warm
        self._spare: dict[Path, list[KernelManager]] = {}

    @property
    def spares(self) -> int:
        return sum(len(v) for v in self._spare.values())

    def take(self, cwd: Path) -> KernelManager:
        """A fresh kernel working in ``cwd`` (a spare if one is ready)."""
        cwd = Path(cwd).resolve()
        spares = self._spare.get(cwd) or []
        km = None
        while spares and km is None:
            candidate = spares.pop()
            km = candidate if candidate.is_alive() else None
        if km is None:
            km = start_kernel(cwd, self.kernel_name, self.warm)
        if self.ahead:
            self._spare.setdefault(cwd, []).append(start_kernel(cwd, self.kernel_name, self.warm))
        return km

    def give_back(self, km: KernelManager, cwd: Path) -> None:
        """Return a kernel that never ran anything (e.g. the spec failed its checks)."""
        self._spare.setdefault(Path(cwd).resolve(), []).append(km)

    def close(self) -> None:
        """Shut down every spare kernel."""
        for kms in self._spare.values():
            for km in kms:
                with contextlib.suppress(Exception):
                    km.shutdown_kernel(now=True)
        self._spare.clear()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the in-process engine --------------------------------------------------------------------------

#: The name under which Papermill knows the engine that runs a notebook's cells in this process.
ENGINE = "whatworks-inprocess"

_LOCK = threading.RLock()


def warm_up(*modules: str) -> None:
    """Import the heavy libraries, and ``modules``, now: before a report's data are checked.

    Python's cycle collector is paused while they load: importing makes no
    garbage worth looking for, and every collection it would trigger walks
    all the objects made so far, which costs about a tenth of a report's
    time. What is loaded by then is frozen (:func:`gc.freeze`), so later
    collections skip the libraries' objects, which live as long as the
    process anyway. Only a call that imports something freezes, so a worker
    running many reports does not set aside one report's leftovers each time.

    Examples
    --------
    >>> warm_up("json")
    >>> import sys; "pandas" in sys.modules
    True
    """
    wanted = [name for name in (*WARM_MODULES, *modules) if name not in sys.modules]
    if not wanted:
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name in wanted:
            importlib.import_module(name)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _message(msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
    """``content`` as a kernel sends it on IOPub: through the wire format (JSON) and back."""
    from jupyter_client.session import json_packer, json_unpacker

    return {"header": {"msg_type": msg_type}, "content": json_unpacker(json_packer(content))}


class _Cell:
    """Where the outputs of the cell being run go, as the notebook stores them."""

    def __init__(self, count: int | None = None) -> None:
        self.outputs: list[Any] = []
        self.failed = False
        self.count = count  # the cell's execution count, which its result is shown with

    def add(self, msg_type: str, content: dict[str, Any]) -> None:
        from nbformat.v4 import output_from_msg

        self.outputs.append(output_from_msg(_message(msg_type, content)))  # type: ignore[no-untyped-call]  # nbformat leaves it unannotated

    def write(self, name: str, text: str) -> None:
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.get("output_type") == "stream" and last.get("name") == name:
            last["text"] += text
        elif text:
            self.add("stream", {"name": name, "text": text})


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` while a cell runs: text becomes the cell's stream output."""

    encoding = "utf-8"

    def __init__(self, cell: Callable[[], _Cell], name: str) -> None:
        super().__init__()
        self._cell, self._name = cell, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._cell().write(self._name, text)
        return len(text)


@cache
def _shell_classes() -> tuple[type[Any], type[Any], type[Any]]:
    """The shell, display hook and display publisher that record a cell's outputs (built on first use:
    IPython is imported only when a notebook runs)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Hook(DisplayHook):
        """The value of a cell's last expression: an ``execute_result``, as a kernel sends it."""

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None) -> None:
            shell: Any = self.shell
            shell.current.add("execute_result", {"data": format_dict, "metadata": md_dict,
                                                 "execution_count": shell.current.count})

        def finish_displayhook(self) -> None:
            sys.stdout.flush()

    class Publisher(DisplayPublisher):
        """``display()``: a ``display_data`` output, as a kernel sends it."""

        def publish(self, data: dict[str, Any], metadata: dict[str, Any] | None = None, source: Any = None, *,
                    transient: dict[str, Any] | None = None, update: bool = False, **kwargs: Any) -> None:
            self._validate_data(data, metadata)  # type: ignore[no-untyped-call]  # IPython leaves it unannotated
            shell: Any = self.shell
            shell.current.add("display_data", {"data": data, "metadata": metadata or {},
                                               "transient": transient or {}})

        def clear_output(self, wait: bool = False) -> None:
            shell: Any = self.shell
            shell.current.outputs.clear()

    class Shell(InteractiveShell):
        displayhook_class = Hook
        display_pub_class = Publisher
        current = _Cell()

        def _showtraceback(self, etype: type[BaseException], evalue: BaseException, stb: list[str]) -> None:
            self.current.failed = True
            self.current.add("error", {"traceback": stb, "ename": str(etype.__name__), "evalue": str(evalue)})

        def init_sys_modules(self) -> None:  # the process's own __main__ stays as it is
            pass

    return Shell, Hook, Publisher


def _now() -> str:
    """A time as a kernel's message header gives it (UTC, ISO 8601)."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": sys.version.split()[0],
}


def _engine_class() -> type[Any]:
    """:class:`InProcessEngine`, built on Papermill's engine base on first use."""
    from papermill.engines import Engine

    class InProcessEngine(Engine):  # type: ignore[misc]  # papermill is untyped
        """A Papermill engine that runs the cells in this process, in a fresh IPython shell per notebook.

        Papermill still reads the template, injects the parameters cell, records each cell's status and
        timing and reports a failed cell exactly as with a kernel; only the place the code runs differs.
        Each notebook gets a new shell and namespace (starting at execution count 1, like a new kernel);
        afterwards every figure is closed, matplotlib's settings and the warning filters are put back, and
        the shell is dropped, so nothing of one report reaches the next. The heavy libraries stay imported,
        so a process that runs several reports imports them once. The working folder is the process's,
        so one notebook runs at a time in a process.
        """

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> None:
            import matplotlib
            import matplotlib.pyplot as plt
            from traitlets.config import Config

            # imported before matplotlib's settings are saved, so the house settings made at its import stay
            importlib.import_module("whatworks.plots")
            shell_class, _, _ = _shell_classes()
            config = Config()
            config.HistoryManager.hist_file = ":memory:"
            saved_io = sys.stdout, sys.stderr
            with _LOCK, matplotlib.rc_context(), warnings.catch_warnings():
                shell_class.clear_instance()
                shell = shell_class.instance(config=config)
                try:
                    sys.stdout = _Stream(lambda: shell.current, "stdout")
                    sys.stderr = _Stream(lambda: shell.current, "stderr")
                    for index, cell in enumerate(nb_man.nb.cells):
                        try:
                            nb_man.cell_start(cell, index)
                            if cell.cell_type != "code" or not cell.source.strip():
                                continue
                            began = _now()
                            shell.current = _Cell(shell.execution_count)
                            cell.outputs = shell.current.outputs
                            cell.execution_count = shell.execution_count
                            shell.run_cell(cell.source, store_history=True)
                            ended = _now()
                            cell.metadata["execution"] = {
                                "iopub.execute_input": began, "iopub.status.busy": began,
                                "iopub.status.idle": ended, "shell.execute_reply": ended}
                            if shell.current.failed:
                                nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index)
                                break
                        finally:
                            nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
                    nb_man.nb.metadata["language_info"] = dict(_LANGUAGE_INFO)
                finally:
                    sys.stdout, sys.stderr = saved_io
                    plt.close("all")
                    shell.user_ns.clear()  # the report's objects go now (the shell's reset() would force a full
                    shell.user_ns_hidden.clear()  # garbage collection, which costs more than the rest of this)
                    with contextlib.suppress(Exception):
                        shell.history_manager.output_hist.clear()
                        atexit.unregister(shell.atexit_operations)
                    shell_class.clear_instance()
                    shell.current = _Cell()

    return InProcessEngine


def register_engine() -> None:
    """Make :data:`ENGINE` known to Papermill."""
    from papermill.engines import papermill_engines

    if ENGINE not in papermill_engines._engines:
        papermill_engines.register(ENGINE, _engine_class())
