"""The template registry: every valid notebook in ``notebooks/`` is a template.

A notebook is a template when it has exactly one code cell tagged
``parameters`` that :func:`whatworks.params.parse_parameters` can read, and
``metadata.whatworks.design`` naming the design it uses. Its module (the
glue its notebook calls: ``load``, ``analyse``) is
``metadata.whatworks.module``, by default ``whatworks.templates.<name>``.
The one registry serves the command line, ``whatworks validate`` and the
package namespace (``ww.before_after``). Copying a template
notebook under a new name registers a new template; nothing else is needed.
A spec names a template, never a notebook path.

Examples
--------
>>> reg = registry()
>>> "before-after" in reg.names()
True
"""

from __future__ import annotations

import difflib
import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from .. import assets
from ..errors import TemplateError
from ..params import Parameter, parse_parameters

__all__ = ["Template", "Registry", "registry", "project_root", "COMMON_KEYS"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: Keys every template understands; ``template`` and ``output`` are for the
#: runner, the rest are parameters every template notebook declares.
COMMON_KEYS: tuple[str, ...] = ("template", "title", "owner", "classification", "output", "pdf")
_NOTEBOOK_COMMON = ("title", "owner", "classification")


def project_root() -> Path:
    """The folder holding ``notebooks/`` and ``templates/`` (see :mod:`whatworks.assets`)."""
    return assets.root()


@dataclass(frozen=True)
class Template:
    """One template notebook and its parameter schema."""

    name: str
    path: Path
    design: str
    description: str
    parameters: tuple[Parameter, ...] = field(repr=False)
    module: str = ""

    @property
    def glue(self) -> ModuleType:
        """The template's module: ``load(ev)``, ``analyse(inputs, ev)`` (imported on first use)."""
        return importlib.import_module(self.module)

    @property
    def short_name(self) -> str:
        """The name the package namespace knows the template's module by (``ww.before_after``)."""
        return self.module.rpartition(".")[2]

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)


def load_template(path: Path) -> Template:
    """Read one notebook as a template; :class:`TemplateError` if it is not one."""
    name = path.stem
    if not _NAME.match(name):
        raise TemplateError(
            f"template file name '{path.name}' must use lower-case letters, digits and hyphens"
        )
    try:  # plain JSON: reading a notebook through nbformat costs seconds of imports
        nb = json.loads(path.read_text(encoding="utf-8"))
        all_cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TemplateError(f"{path.name} is not a readable notebook") from exc
    cells = [c for c in all_cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1 or cells[0].get("cell_type") != "code":
        raise TemplateError(f"{path.name} needs exactly one code cell tagged 'parameters'")
    source = cells[0].get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    meta = nb.get("metadata", {}).get("whatworks", {})
    design = meta.get("design")
    if not design:
        raise TemplateError(f"{path.name} has no metadata.whatworks.design")
    try:
        params = parse_parameters(source)
    except TemplateError as exc:
        raise TemplateError(f"{path.name}: {exc.message}", hint=exc.hint) from exc
    missing = [k for k in _NOTEBOOK_COMMON if k not in {p.name for p in params}]
    if missing:
        raise TemplateError(f"{path.name} does not declare the common parameters {', '.join(missing)}")
    module = meta.get("module") or f"{__package__}.{name.replace('-', '_')}"
    return Template(name, path, design, meta.get("description", ""), params, module)


class Registry:
    """Templates found in a folder, by name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._templates: dict[str, Template] = {}
        self.problems: dict[str, str] = {}
        for path in sorted(folder.glob("*.ipynb")):
            try:
                t = load_template(path)
            except TemplateError as exc:
                self.problems[path.name] = str(exc)
                continue
            self._templates[t.name] = t

    def names(self) -> list[str]:
        return sorted(self._templates)

    def __iter__(self) -> Iterator[Template]:
        return iter(self._templates[n] for n in self.names())

    def __contains__(self, name: str) -> bool:
        return name in self._templates

    def get(self, name: str) -> Template:
        """The template called ``name``; :class:`TemplateError` with a suggestion if unknown."""
        if name in self._templates:
            return self._templates[name]
        near = difflib.get_close_matches(str(name), self.names(), n=1)
        hint = f"Did you mean '{near[0]}'?" if near else ""
        hint += f" The templates are: {', '.join(self.names())}."
        raise TemplateError(f"there is no template called '{name}'", hint=hint.strip())


@lru_cache(maxsize=4)
def _cached(folder: str, stamp: tuple[tuple[str, int], ...]) -> Registry:
    return Registry(Path(folder))


def registry(folder: Path | None = None) -> Registry:
    """The registry of the template notebooks (re-read when a notebook changes)."""
    folder = Path(folder) if folder else assets.notebooks()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.ipynb")))
    return _cached(str(folder), stamp)
