"""Evaluation specs: a short YAML file, validated before any kernel starts.

A spec names a template and sets its parameters::

    template: before-after
    title: Castle ward problem-solving plan
    owner: Insp. A. Khan
    data: ../data/demo/castle_asb_incidents.csv   # relative to this file
    date_column: reported_date
    aggregate: week
    intervention_date: 2024-06-03

Every key is checked against the template's parameters cell: unknown keys are
refused with the nearest valid name, values are coerced to the declared
type, files are checked to exist, and each error names the key and the fix.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "x.yaml").write_text("template: before-after\\ntitel: oops\\n")
>>> try:
...     load_spec(d / "x.yaml")
... except SpecError as e:
...     print(e.key, "->", e.hint)
titel -> Did you mean 'title'?
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from . import dates
from .errors import SpecError, TemplateError
from .params import Parameter
from .templates import COMMON_KEYS, Registry, Template, registry

__all__ = ["Spec", "load_spec", "output_of", "coerce", "CLASSIFICATIONS"]

#: Government Security Classifications, lowest first.
CLASSIFICATIONS: tuple[str, ...] = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")


@dataclass(frozen=True)
class Spec:
    """A validated spec.

    Attributes
    ----------
    path
        The spec file.
    template
        The template it names.
    parameters
        Every template parameter: the spec's value, coerced, or the default.
        File paths stay as written (relative to the spec file).
    given
        The keys the spec itself set.
    output
        The folder the report goes to.
    pdf
        Whether ``report.pdf`` is printed beside ``report.html`` (the ``pdf`` key).
    """

    path: Path
    template: Template
    parameters: Mapping[str, Any] = field(repr=False)
    given: frozenset[str]
    output: Path
    pdf: bool = False

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the spec are read from."""
        return self.path.parent

    @property
    def name(self) -> str:
        return self.path.stem

    def input_files(self) -> dict[str, Path]:
        """Every data file the spec names, by key (resolved paths)."""
        out: dict[str, Path] = {}
        for p in self.template.parameters:
            value = self.parameters.get(p.name)
            if p.kind in ("file", "table") and isinstance(value, str) and value:
                out[p.name] = (self.base_dir / value).resolve()
        return out


def _date(value: object, key: str, file: str) -> str:
    """A spec date as ISO text; the rules are :func:`whatworks.dates.parse_date`'s."""
    return dates.parse_date(value, key=key, file=file).date().isoformat()


def _plain(value: Any) -> Any:
    """Dates anywhere inside a value become ISO strings (YAML reads them as dates)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _scalar(kind: str, value: Any, key: str, file: str, param: Parameter | None = None) -> Any:
    bad = SpecError(
        f"'{value}' is not {_A.get(kind, kind)}",
        key=key,
        file=file,
        hint=f"Expected {param.describe_type() if param else kind}."
        + (f" ({param.help})" if param and param.help else ""),
    )
    if kind == "str":
        if isinstance(value, (dict, list)):
            raise bad
        return _plain(value) if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if kind == "int":
        if isinstance(value, bool):
            raise bad
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad from None
        if not math.isfinite(number) or number != int(number):
            raise bad
        return int(number)
    if kind == "float":
        if isinstance(value, bool):
            raise bad
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad from None
        if not math.isfinite(number):
            raise bad
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        words = {"yes": True, "true": True, "no": False, "false": False, "y": True, "n": False}
        if isinstance(value, str) and value.strip().lower() in words:
            return words[value.strip().lower()]
        raise bad
    if kind == "date":
        return _date(value, key, file)
    if kind == "file":
        if not isinstance(value, str) or not value.strip():
            raise bad
        return value.strip()
    return _plain(value)


_A = {"int": "a whole number", "float": "a number", "bool": "yes or no", "str": "text",
      "date": "a date", "file": "a file path", "list": "a list", "dict": "a mapping"}


def coerce(param: Parameter, value: Any, *, file: str = "spec") -> Any:
    """Coerce a spec value to a parameter's declared type, or raise :class:`SpecError`.

    >>> from whatworks.params import parse_parameters
    >>> p = parse_parameters('n: int = 2  # pairs')[0]
    >>> coerce(p, "3")
    3
    """
    key = param.name
    if value is None:
        if param.optional:
            return None
        raise SpecError("must not be blank", key=key, file=file, hint=f"Expected {param.describe_type()}.")
    if param.kind == "choice":
        choices = param.choices or ()
        if value in choices:
            return value
        folded = {str(c).lower(): c for c in choices}
        if str(value).strip().lower() in folded:
            return folded[str(value).strip().lower()]
        near = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
        hint = f"Use one of: {', '.join(str(c) for c in choices)}."
        if near:
            hint = f"Did you mean '{near[0]}'? " + hint
        raise SpecError(f"'{value}' is not an allowed value", key=key, file=file, hint=hint)
    if param.kind == "table":
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            return _plain([dict(v) for v in value])
        raise SpecError("must be a file path or a list of rows", key=key, file=file,
                        hint="Name a CSV or Excel file, or write one '- column: value' block per row.")
    if param.kind == "dates":
        if isinstance(value, Mapping):
            return {str(k): _date(v, f"{key}: {k}", file) for k, v in value.items()}
        return _date(value, key, file)
    if param.kind == "columns":
        if isinstance(value, list) and value and all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                     for v in value):
            return [str(v) for v in value]
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
        raise SpecError("must be a column name or a list of column names", key=key, file=file,
                        hint=f"Write  {key}: reported_date  or  {key}: [year, month].")
    if param.kind == "record":
        if isinstance(value, Mapping) or (isinstance(value, list) and all(isinstance(v, Mapping) for v in value)):
            return _plain(value if isinstance(value, list) else dict(value))
        raise SpecError("must be a mapping, or a list of mappings", key=key, file=file,
                        hint=f"Write it as indented 'name: value' lines. ({param.help})")
    if param.kind == "list":
        if not isinstance(value, list):
            value = [value]
        if param.item_kind and param.item_kind not in ("any", "list", "dict"):
            return [_scalar(param.item_kind, v, key, file) for v in value]
        return _plain(value)
    if param.kind == "dict":
        if not isinstance(value, Mapping):
            raise SpecError("must be a mapping of names to values", key=key, file=file,
                            hint=f"Write it as indented 'name: value' lines. ({param.help})")
        if param.item_kind and param.item_kind not in ("any", "list", "dict"):
            return {str(k): _scalar(param.item_kind, v, key, file) for k, v in value.items()}
        return _plain(dict(value))
    return _scalar(param.kind, value, key, file, param)


class _SpecLoader(yaml.SafeLoader):
    """YAML as a spec is written: a key written twice, or an alias, is refused; only true/false are yes/no.

    YAML 1.1 reads ``NO`` (Norway, a beat called NO) and ``off`` as false;
    a spec means the text. Spec keys that take yes or no still accept
    ``yes``/``no`` (the spec checker reads those words).
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # the PyYAML stubs leave peek_event untyped
            raise yaml.composer.ComposerError(None, None, "found an alias", event.start_mark)
        return super().compose_node(parent, index)


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class _Duplicate(Exception):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key, self.line = key, line


def _mapping(loader: _SpecLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise _Duplicate(str(key), key_node.start_mark.line + 1)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node)


_SpecLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


#: Spec files larger than this are not specs (a spec is a page of text).
MAX_SPEC_BYTES = 1 << 20


def _decode(raw: bytes) -> str:
    """The spec's text: UTF-8 (with or without a byte-order mark), UTF-16 (Notepad's "Unicode") or cp1252 ("ANSI")."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise SpecError(f"spec file '{path}' not found", hint="Check the path and spelling.")
    if not path.is_file():
        raise SpecError(f"'{path}' is not a file", hint="Name a YAML spec file, e.g. evaluations/my-plan.yaml.")
    try:
        with open(path, "rb") as handle:
            raw_bytes = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"the spec file '{path}' cannot be read ({exc.strerror or exc})",
                        hint="Check that the file is not open elsewhere and that you may read it.") from None
    if len(raw_bytes) > MAX_SPEC_BYTES:
        raise SpecError("is over 1 MB, too large to be a spec", file=path.name,
                        hint="A spec is a page of  key: value  lines; name data files with  data: ...")
    text = _decode(raw_bytes)
    if "\x00" in text:
        raise SpecError("the spec is not a text file", file=path.name, hint="Save it as plain text (UTF-8).")
    try:
        raw = yaml.load(text, Loader=_SpecLoader)
    except _Duplicate as dup:
        raise SpecError(f"is written twice (again at line {dup.line})", key=dup.key, file=path.name,
                        hint="Keep one: delete the old line, so it is clear which value the evaluation uses.") from None
    except yaml.composer.ComposerError as exc:
        if "alias" in str(exc) or "anchor" in str(exc):
            raise SpecError("uses YAML anchors or aliases (& and *), which a spec does not need", file=path.name,
                            hint="Write each value out in full.") from None
        raise _not_yaml(exc, path) from None
    except yaml.YAMLError as exc:
        raise _not_yaml(exc, path) from None
    except RecursionError:
        raise SpecError("the spec is nested too deeply to read", file=path.name,
                        hint="A spec is a page of  key: value  lines; check for unclosed brackets.") from None
    if raw is None:
        raise SpecError("the spec is empty", file=path.name, hint="Start with  template: before-after")
    if not isinstance(raw, dict):
        raise SpecError("the spec must be a list of  key: value  lines", file=path.name)
    return {str(k): v for k, v in raw.items()}


def _not_yaml(exc: yaml.YAMLError, path: Path) -> SpecError:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return SpecError(
        f"the spec is not valid YAML{where}",
        file=path.name,
        hint="Each line should be  key: value ; indent lists with '- '. Check quotes and colons.",
    )


def output_of(path: str | Path, *, reports_root: str | Path | None = None) -> Path | None:
    """The folder a spec's report goes to, read as far as the spec allows, even when it is not valid.

    Its ``output`` key when that is a folder path; ``<reports_root>/<spec name>`` when it has no
    ``output`` key; ``None`` when the spec cannot be read far enough to say (a failure is then
    reported on the screen only, never written into a folder the spec did not name).
    """
    path = Path(path)
    try:
        raw = _read_yaml(path)
    except SpecError:
        return None
    if "output" in raw:
        value = raw["output"]
        return (path.parent / value).resolve() if isinstance(value, str) and value.strip() else None
    root = Path(reports_root) if reports_root else Path.cwd() / "reports"
    return (root / path.stem).resolve()


def load_spec(path: str | Path, *, reports_root: str | Path | None = None,
              templates: Registry | None = None) -> Spec:
    """Read and validate a spec file.

    Parameters
    ----------
    path
        The YAML spec.
    reports_root
        Where reports go when the spec has no ``output`` key (default
        ``reports/`` in the current folder); each spec gets
        ``<reports_root>/<spec file name>/``.
    templates
        A :class:`whatworks.templates.Registry` (default: ``notebooks/``).

    Raises
    ------
    SpecError
        Naming the key at fault and the fix.
    """
    path = Path(path)
    file = path.name  # messages name the spec as its own folder sees it, never by a full path
    raw = _read_yaml(path)
    reg = templates or registry()
    if "template" not in raw:
        raise SpecError("the spec does not say which template to use", key="template", file=file,
                        hint=f"Add  template: <name> ; the templates are: {', '.join(reg.names())}.")
    try:
        template = reg.get(str(raw["template"]))
    except TemplateError as exc:
        raise SpecError(exc.message, key="template", file=file, hint=exc.hint) from None
    valid = set(template.names) | set(COMMON_KEYS)
    for key in raw:
        if key not in valid:
            near = difflib.get_close_matches(key, sorted(valid), n=1, cutoff=0.6)
            hint = f"Did you mean '{near[0]}'?" if near else (
                f"Run  whatworks templates  to see the keys '{template.name}' accepts.")
            raise SpecError("is not a key this template understands", key=key, file=file, hint=hint)
    missing = [p for p in template.parameters if p.required and p.name not in raw]
    if missing:
        first = missing[0]
        raise SpecError(
            "is required", key=first.name, file=file,
            hint=f"Add  {first.name}: ...  ({first.help})" + (
                f" Also missing: {', '.join(p.name for p in missing[1:])}." if len(missing) > 1 else ""),
        )
    params: dict[str, Any] = {}
    for p in template.parameters:
        params[p.name] = coerce(p, raw[p.name], file=file) if p.name in raw else p.spec_default
    for p in template.parameters:
        if p.kind in ("file", "table") and p.name in raw and isinstance(params[p.name], str) and params[p.name]:
            target = path.parent / params[p.name]
            if not target.is_file():
                raise SpecError(
                    f"file '{params[p.name]}' not found",
                    key=p.name, file=file,
                    hint=f"Paths in a spec are relative to the spec file's folder ({path.parent.name or '.'}/).",
                )
    if params.get("classification"):
        cls = str(params["classification"]).upper().replace("_", "-")
        if cls not in CLASSIFICATIONS:
            raise SpecError(f"'{params['classification']}' is not a classification", key="classification",
                            file=file, hint=f"Use one of: {', '.join(CLASSIFICATIONS)}.")
        params["classification"] = cls
    if "output" in raw:
        if not isinstance(raw["output"], str) or not raw["output"].strip():
            raise SpecError("must be a folder path", key="output", file=file)
        output = (path.parent / raw["output"]).resolve()
    else:
        root = Path(reports_root) if reports_root else Path.cwd() / "reports"
        output = (root / path.stem).resolve()
    pdf = False
    if "pdf" in raw:
        pdf = bool(_scalar("bool", raw["pdf"], "pdf", file))
    return Spec(path=path.resolve(), template=template, parameters=MappingProxyType(params),
                given=frozenset(raw), output=output, pdf=pdf)
