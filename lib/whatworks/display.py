"""Small HTML fragments that render themselves in JupyterLab and in reports.

Each class has ``_repr_html_``, so a notebook cell that ends with one shows it,
and the report renderer copies that HTML into the report. **All text is
escaped here**: a title, a column name or a category taken from a spec or a
data file never becomes markup. Only these classes build markup.

Examples
--------
>>> Prose(["Crime fell <a lot>."])._repr_html_()
'<div class="ww-prose"><p>Crime fell &lt;a lot&gt;.</p></div>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Prose", "Notes", "Callout", "Table", "Section", "Heading", "esc", "slug"]


def slug(words: str) -> str:
    """An id for a heading: ``'Method notes'`` -> ``'method-notes'``."""
    return re.sub(r"[^a-z0-9]+", "-", str(words).lower()).strip("-") or "section"


def esc(value: object) -> str:
    """Escape any value for HTML text or attribute use."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True)
class Prose:
    """Paragraphs of plain text.

    >>> Prose(["One.", "Two."])
    Prose(paragraphs=('One.', 'Two.'), css='ww-prose')
    """

    paragraphs: tuple[str, ...]
    css: str = "ww-prose"

    def __init__(self, paragraphs: Iterable[str] | str, css: str = "ww-prose") -> None:
        if isinstance(paragraphs, str):
            paragraphs = [paragraphs]
        object.__setattr__(self, "paragraphs", tuple(p for p in paragraphs if p))
        object.__setattr__(self, "css", css)

    def __str__(self) -> str:
        return "\n\n".join(self.paragraphs)

    def _repr_html_(self) -> str:
        body = "".join(f"<p>{esc(p)}</p>" for p in self.paragraphs)
        return f'<div class="{esc(self.css)}">{body}</div>'


@dataclass(frozen=True)
class Notes:
    """A bulleted list, e.g. method notes.

    >>> print(Notes(["Wald intervals."], title="Method"))
    Method
    - Wald intervals.
    """

    items: tuple[str, ...]
    title: str | None = None

    def __init__(self, items: Iterable[str], title: str | None = None) -> None:
        object.__setattr__(self, "items", tuple(i for i in items if i))
        object.__setattr__(self, "title", title)

    def __str__(self) -> str:
        head = f"{self.title}\n" if self.title else ""
        return head + "\n".join(f"- {i}" for i in self.items)

    def _repr_html_(self) -> str:
        head = f"<p class=\"ww-notes-title\">{esc(self.title)}</p>" if self.title else ""
        body = "".join(f"<li>{esc(i)}</li>" for i in self.items)
        return f'<div class="ww-notes">{head}<ul>{body}</ul></div>'


@dataclass(frozen=True)
class Callout:
    """A boxed message: ``kind`` is ``info``, ``warn`` or ``fail``."""

    text: str
    kind: str = "info"
    title: str | None = None

    def _repr_html_(self) -> str:
        head = f"<strong>{esc(self.title)}</strong> " if self.title else ""
        return f'<div class="ww-callout ww-{esc(self.kind)}" role="note">{head}{esc(self.text)}</div>'


@dataclass(frozen=True)
class Table:
    """A table of already formatted text cells, with a caption.

    Cells are strings; format numbers with :mod:`whatworks.text` first.

    >>> t = Table(columns=("Measure", "Value"), rows=(("Rate ratio", "0.88"),),
    ...           caption="Estimates")
    >>> "<th scope=\\"col\\">Measure</th>" in t._repr_html_()
    True
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None
    numeric: tuple[bool, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))
        object.__setattr__(
            self, "rows", tuple(tuple("" if v is None else str(v) for v in r) for r in self.rows)
        )

    @classmethod
    def from_records(
        cls, records: Sequence[Mapping[str, Any]], caption: str | None = None, numeric: Sequence[str] = ()
    ) -> Table:
        """Build from a list of dicts sharing the same keys."""
        columns = tuple(records[0]) if records else ()
        rows = tuple(tuple(r.get(c, "") for c in columns) for r in records)
        return cls(columns, rows, caption, tuple(c in numeric for c in columns))

    def to_records(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, r)) for r in self.rows]

    def __str__(self) -> str:
        widths = [max([len(c)] + [len(r[i]) for r in self.rows]) for i, c in enumerate(self.columns)]
        line = "  ".join(c.ljust(w) for c, w in zip(self.columns, widths))
        body = ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in self.rows]
        head = [self.caption] if self.caption else []
        return "\n".join(head + [line] + body)

    def _repr_html_(self) -> str:
        numeric = self.numeric or (False,) * len(self.columns)
        cap = f"<caption>{esc(self.caption)}</caption>" if self.caption else ""
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in self.columns)
        body = []
        for row in self.rows:
            cells = []
            for i, value in enumerate(row):
                css = ' class="num"' if i < len(numeric) and numeric[i] else ""
                if i == 0:
                    cells.append(f'<th scope="row"{css}>{esc(value)}</th>')
                else:
                    cells.append(f"<td{css}>{esc(value)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        return (
            f'<div class="ww-table-wrap"><table class="ww-table">{cap}'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )


@dataclass(frozen=True)
class Heading:
    """A section heading for a section only some analyses have, shown with it.

    >>> Heading("Displacement and diffusion")._repr_html_()
    '<h2 id="displacement-and-diffusion">Displacement and diffusion</h2>'
    """

    text: str
    level: int = 2

    def _repr_html_(self) -> str:
        level = min(max(int(self.level), 2), 6)
        return f'<h{level} id="{esc(slug(self.text))}">{esc(self.text)}</h{level}>'


@dataclass(frozen=True)
class Section:
    """Several fragments shown together, in order."""

    parts: tuple[object, ...]

    def __init__(self, *parts: object) -> None:
        object.__setattr__(self, "parts", tuple(p for p in parts if p is not None))

    def _repr_html_(self) -> str:
        out = []
        for part in self.parts:
            if hasattr(part, "_repr_html_"):
                out.append(part._repr_html_())
            else:
                out.append(f"<p>{esc(part)}</p>")
        return "".join(out)
