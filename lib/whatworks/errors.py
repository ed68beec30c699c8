"""The exceptions whatworks raises.

There is one root, :class:`WhatworksError`. An :class:`InputError` means the
spec or the data cannot be analysed as given: the run stops, no report is
written, and the message says what to fix. Everything else is a fault in a
template or in the tool itself.

Every message is written for a person who does not program: it names the
file, the spec key, the column or the rows at fault, and says how to fix it.

Examples
--------
>>> err = DataError("counts cannot be negative", file="theft.csv",
...                 column="count", rows=[4, 9], hint="Correct the export.")
>>> print(err)
theft.csv, column 'count', rows 4, 9: counts cannot be negative. Correct the export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "WhatworksError",
    "InputError",
    "SpecError",
    "DataError",
    "TemplateError",
    "RunError",
]

_MAX_ROWS_SHOWN = 5


class WhatworksError(Exception):
    """Root of every error whatworks raises on purpose.

    Parameters
    ----------
    message
        What is wrong, in plain words.
    hint
        How to fix it, in plain words.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message.rstrip(".")
        self.hint = hint
        super().__init__(str(self))

    def _where(self) -> str:
        return ""

    def __str__(self) -> str:
        where = self._where()
        text = f"{where}: {self.message}." if where else f"{self.message}."
        if self.hint:
            text += " " + self.hint.strip()
        return text

    # keep the keyword arguments across pickling
    def __reduce__(self) -> tuple[_Rebuild, tuple[type[WhatworksError], dict[str, Any]]]:
        return (_rebuild, (type(self), self.__dict__.copy()))


_Rebuild = Callable[[type[WhatworksError], dict[str, Any]], WhatworksError]


def _rebuild(cls: type[WhatworksError], state: dict[str, Any]) -> WhatworksError:
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    Exception.__init__(obj, str(obj))
    return obj


class InputError(WhatworksError):
    """The spec or the data cannot be analysed as given.

    Raised before or during a run; the run stops with a message in words and
    no new report is written.
    """


class SpecError(InputError):
    """A key in a spec is missing, unknown or has a value that cannot be used.

    Parameters
    ----------
    key
        The spec key at fault (``None`` for the spec as a whole).
    file
        The spec file, as the user named it.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        file: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.key = key
        self.file = file
        super().__init__(message, hint=hint)

    def _where(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.key:
            parts.append(f"key '{self.key}'")
        return ", ".join(parts)


class DataError(InputError):
    """A data file cannot be read, or holds values that cannot be analysed.

    Parameters
    ----------
    file
        The data file, as the user named it.
    column
        The column at fault, if any.
    rows
        Row numbers as a spreadsheet shows them (the header is row 1), at
        most the first five are named.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | Iterable[str] | None = None,
        rows: Iterable[int] | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = None if file is None else str(file)
        if column is None or isinstance(column, str):
            self.column = column
        else:
            self.column = ", ".join(f"{c}" for c in column)
        self.rows = None if rows is None else [int(r) for r in rows]
        super().__init__(message, hint=hint)

    def _where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.column:
            label = "columns" if ", " in self.column else "column"
            quoted = ", ".join(f"'{c}'" for c in self.column.split(", "))
            parts.append(f"{label} {quoted}")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:_MAX_ROWS_SHOWN])
            more = len(self.rows) - _MAX_ROWS_SHOWN
            word = "row" if len(self.rows) == 1 else "rows"
            parts.append(f"{word} {shown}" + (f" and {more} more" if more > 0 else ""))
        return ", ".join(parts)


class TemplateError(WhatworksError):
    """A template is unknown, or its notebook is not a valid template."""


class RunError(WhatworksError):
    """A template notebook failed for a reason other than bad input.

    This is a fault in the template or in whatworks, not in the user's data;
    the executed notebook is kept beside the output folder for diagnosis.
    """
