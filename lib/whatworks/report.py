"""What a template notebook hands to the runner: one machine-readable payload.

A notebook's last cell calls :func:`emit` with the evaluation and its result.
The payload travels inside the executed notebook as an output with its own
MIME type, which JupyterLab shows as one short line and the report renderer
never shows; the runner reads it back to write ``results.json``. Nothing is
computed twice. The payload goes through the evaluation's disclosure policy
(``ev.disclosure``), so neither the notebook nor ``results.json`` holds a
count of people the report's tables would hide.

Examples
--------
>>> from whatworks.results import Evidence, Result
>>> from whatworks.evaluation import Evaluation
>>> r = Result(evidence=Evidence(1, "A plain before and after."))
>>> p = payload(Evaluation({"title": "T", "owner": "O", "classification": "OFFICIAL"}), r)
>>> p["evidence"]["sms_level"], p["title"]
(1, 'T')
>>> payload(Evaluation({}), r, counts=[{"excluded": 3}])["counts"]
[{'excluded': '<5'}]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .evaluation import Evaluation
from .results import Result, clean

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["MIME", "emit", "payload", "read_payload"]

#: The MIME type of the payload inside an executed notebook.
MIME = "application/vnd.whatworks.results+json"


def payload(ev: Evaluation, result: Result, **extra: Any) -> dict[str, Any]:
    """The notebook's part of ``results.json``, with small counts of people suppressed."""
    out: dict[str, Any] = {
        "title": ev.get("title", ""),
        "owner": ev.get("owner", ""),
        "classification": ev.get("classification", "OFFICIAL"),
        "summary": " ".join(result.summary_text),
    }
    out.update(result.to_dict())
    out.update(extra)
    shown: dict[str, Any] = ev.disclosure.apply(clean(out))
    return shown


def emit(ev: Evaluation, result: Result, **extra: Any) -> None:
    """Record the evaluation's results in the notebook (call once, last)."""
    from IPython.display import display

    display({MIME: payload(ev, result, **extra), "text/plain": "Results recorded for results.json."},  # type: ignore[no-untyped-call]  # IPython leaves display() unannotated
            raw=True)


def read_payload(nb: NotebookNode) -> dict[str, Any] | None:
    """The payload from an executed notebook (the last one, if several)."""
    found: dict[str, Any] | None = None
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIME in data:
                found = data[MIME]
    return found
