"""The ``pir`` template: a six-month Post-Implementation Review of a change programme.

Its notebook makes the three calls every template makes::

    ev = ww.evaluation(globals())
    inputs = ww.pir.load(ev)
    result = ww.pir.analyse(inputs, ev)
    ...                                   # sections: ww.benefits.<section>(result)
    ww.emit(ev, result)

:func:`load` is the only place a benefits review reads files (the register,
timings, volumes, rates and reinvestment tables, and the shipped rates table
when the spec gives none, the costs table and the shipped GDP deflator); it also checks every input, so it is what
``whatworks validate`` runs. :func:`analyse` works on what was loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..data import display_name, read_table, resolve
from ..designs.benefits import PIRResult, ReviewInputs, check_inputs, fit_inputs
from ..designs.benefits.inputs import parse_rates
from ..designs.benefits.money import DEFAULT_RATES_NAME, RateTable
from ..designs.benefits.records import TableRows, frame_records
from ..errors import SpecError
from ..evaluation import Evaluation
from ..handover import reads_once
from ..options import given
from ..value import default_deflator, hourly_costs_path

__all__ = ["default_rates_path", "default_rates", "read_tables", "load", "analyse"]

_TABLES = ("benefits", "process_timings", "volumes", "rates", "reinvestment", "costs")


def default_rates_path() -> Path:
    """The shipped rates table: the one hourly costs by rank and grade table every template uses."""
    return hourly_costs_path()


def default_rates() -> RateTable:
    """The shipped illustrative hourly costs by grade, marked as the default.

    >>> default_rates().get("Police Constable").hourly_cost_gbp
    44.0
    """
    frame = read_table(default_rates_path(), label=f"rates ({DEFAULT_RATES_NAME})")
    return parse_rates(frame_records(frame, label=f"the shipped rates table ({DEFAULT_RATES_NAME})"),
                       is_default=True)


def _read(value: Any, key: str, base_dir: str | Path) -> Any:
    if not isinstance(value, (str, Path)):
        return value  # rows written in the spec, or None
    label = f"{key} ({display_name(value)})"
    return frame_records(read_table(resolve(value, base_dir), label=label), label=label)


def read_tables(
    *,
    benefits: TableRows | str | Path,
    process_timings: TableRows | str | Path | None = None,
    volumes: TableRows | str | Path | None = None,
    rates: TableRows | RateTable | str | Path | None = None,
    reinvestment: TableRows | str | Path | None = None,
    costs: TableRows | str | Path | None = None,
    base_dir: str | Path = ".",
) -> dict[str, Any]:
    """Read the table inputs that are file names into :class:`~.records.Records`.

    A CSV or Excel path is read by :func:`whatworks.data.read_table`
    (relative paths from ``base_dir``); rows written in the spec pass
    through; no ``rates`` means the shipped table (:func:`default_rates`).
    The answer is keyword arguments for :func:`whatworks.designs.benefits.fit`.
    """
    given = {"benefits": benefits, "process_timings": process_timings, "volumes": volumes,
             "reinvestment": reinvestment, "costs": costs}
    out = {key: _read(value, key, base_dir) for key, value in given.items()}
    out["rates"] = default_rates() if rates is None else _read(rates, "rates", base_dir)
    return out


@reads_once
def load(ev: Evaluation) -> ReviewInputs:
    """Read a review's files and check every input, as :func:`analyse` will use them.

    Relative paths are read from the spec's folder (``ev.base_dir``).

    Raises
    ------
    DataError, SpecError
        Naming the table, column, row or key, and the fix.
    """
    if given(ev.get("volumes")) and not given(ev.get("process_timings")):
        raise SpecError("does not apply to this review: it has no timed tasks", key="volumes",
                        hint="Remove volumes: the review uses them only to scale timed tasks (process_timings) to a "
                             "year. Give process_timings as well if tasks were timed before and after.")
    tables = read_tables(**ev.options_for(read_tables, exclude=("base_dir",)), base_dir=ev.base_dir)
    options = {k: v for k, v in ev.options_for(check_inputs).items() if k not in _TABLES}
    return check_inputs(**tables, **options, deflator=default_deflator())


def analyse(inputs: ReviewInputs, ev: Evaluation) -> PIRResult:
    """The review of what :func:`load` read and checked.

    ``ev`` is taken for the same shape as every template's calls; every
    option it holds was checked by :func:`load` and is in ``inputs``.
    """
    return fit_inputs(inputs)
