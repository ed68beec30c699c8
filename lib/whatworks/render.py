"""Executed notebook -> one self-contained ``report.html``.

The body is the notebook's narrative markdown and the rich outputs of its
cells, in order. Code, the parameters cells, printed text, warnings and
errors never reach the report. The frame around it — header with
classification marking, "how to read" box, parameters used, provenance
footer — comes from ``templates/report.html.j2``. Figures are embedded as
data URIs and the stylesheet is inlined, so the page makes no requests.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook()
>>> nb.cells = [nbformat.v4.new_markdown_cell("## Summary"),
...             nbformat.v4.new_code_cell("x = 1")]
>>> body_html(nb)
'<h2 id="summary">Summary</h2>'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import jinja2
import mistune
from markupsafe import Markup

from . import assets, text
from .display import slug
from .report import MIME

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["body_html", "render_report", "environment", "markdown_html"]

_SKIP_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell"}
_markdown = mistune.create_markdown(escape=False, plugins=["table"])


def markdown_html(source: str) -> str:
    """Markdown written by the project (templates, the guide) as HTML, headings with ids."""
    rendered = _markdown(source)
    assert isinstance(rendered, str)  # the HTML renderer returns text (mistune types it with the AST's list too)
    html = rendered.strip()

    def add_id(match: re.Match[str]) -> str:
        level, inner = match.group(1), match.group(2)
        plain = re.sub(r"<[^>]+>", "", inner)
        return f'<h{level} id="{slug(plain)}">{inner}</h{level}>'

    return re.sub(r"<h([1-6])>(.*?)</h\1>", add_id, html)


def body_html(nb: NotebookNode) -> str:
    """The report body: markdown cells and rich cell outputs, in order."""
    parts: list[str] = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _SKIP_TAGS:
            continue
        if cell.cell_type == "markdown":
            parts.append(markdown_html(cell.source))
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue  # printed text, warnings and errors stay in the audit notebook
            data = output.get("data", {})
            if MIME in data:
                continue
            if "text/html" in data:
                html = data["text/html"]
                parts.append(html if isinstance(html, str) else "".join(html))
    return "\n".join(parts)


def environment() -> jinja2.Environment:
    """The Jinja environment over ``templates/`` (autoescaping on)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(assets.page_templates())),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["date"] = text.fmt_date
    return env


def _value_words(value: Any) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value_words(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value_words(v)}" for k, v in value.items()) or "(none)"
    return str(value)


def render_report(
    nb: NotebookNode,
    results: Mapping[str, Any],
    *,
    parameters: Sequence[Mapping[str, Any]],
    produced: dt.datetime,
    template_name: str = "report.html.j2",
) -> str:
    """Render the whole report page.

    Parameters
    ----------
    nb
        The executed notebook.
    results
        The ``results.json`` contents (header and provenance come from it).
    parameters
        Rows ``{"name", "value", "help", "default": bool}`` for the
        parameters table.
    produced
        When the report was produced (the only time in the report).
    """
    env = environment()
    css = (assets.page_templates() / "report.css").read_text(encoding="utf-8")
    period = results.get("period") or {}
    rows = [
        {"name": p["name"], "value": _value_words(p["value"]), "help": p.get("help", ""),
         "default": p.get("default", False)}
        for p in parameters
    ]
    return env.get_template(template_name).render(
        r=results,
        css=Markup(css),
        body=Markup(body_html(nb)),
        period_start=period.get("start"),
        period_end=period.get("end"),
        produced=produced,
        parameters=rows,
    )
