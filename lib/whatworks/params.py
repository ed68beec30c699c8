"""A template's ``parameters`` cell, read as a typed schema.

A template notebook declares its parameters in one cell tagged
``parameters``, one per line, typed, with a help comment::

    from whatworks.params import DataFile, Date, Literal, Optional
    title: str = "Neighbourhood plan, Castle ward"  # (required) shown at the top of the report
    data: DataFile = "../data/demo/weekly_theft.csv"  # (required) CSV or Excel export
    intervention_date: Date = "2024-01-01"  # (required) when the change started
    seasonality: Literal["auto", "none", "fourier", "dummies"] = "auto"  # how to allow for season
    exposure_column: Optional[str] = None  # population or footfall, for rates

``(required)`` at the start of a help comment means a spec must set the key
(the default only serves interactive runs on the demo data); ``(demo)``
means the default serves only interactive runs, and a spec that does not set
the key leaves it blank. The schema is
read with :mod:`ast`, never executed.

Examples
--------
>>> p = parse_parameters('x: Literal["a", "b"] = "a"  # pick one')
>>> p[0].name, p[0].choices, p[0].help
('x', ('a', 'b'), 'pick one')
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from typing import Any, Literal, Optional

from .errors import TemplateError

__all__ = ["Parameter", "parse_parameters", "CHOICES", "Any", "DataFile", "Date", "Dates", "Columns", "Record",
           "TableInput", "Literal", "Optional", *sorted(("Classification", "Aggregate", "OutcomeType", "Seasonality",
           "Overdispersion", "Improvement", "SpcRules", "SpcRebase", "SpcUnits", "FillMissing",
           "AllocationMethod", "Transition", "AttritionBoundary", "OfficerGrade", "CrimeType", "ReportBy",
           "Autocorrelation"))]

#: Marks a parameter naming a data file (a path relative to the spec file).
DataFile = str
#: Marks a parameter holding a date (ISO ``YYYY-MM-DD`` in a notebook).
Date = str
#: Marks a parameter holding one date, or a mapping from each unit to its own date.
Dates = str | dict[str, str]
#: Marks a parameter naming one column, or a list of columns read together.
Columns = str | list[str]
#: Marks a parameter holding one record (a mapping) or a list of records.
Record = dict[str, Any] | list[dict[str, Any]]
#: Marks a parameter that is either a data file or rows written in the spec
#: (a list of mappings, one per row).
TableInput = str | list[dict[str, Any]]

#: Named choices. A parameters cell writes ``aggregate: Optional[Aggregate] = None``
#: rather than ``Literal[...]``, because ``papermill --help-notebook`` lists a
#: parameter only when its type is a plain name; the help comment lists the
#: choices for people, and this table for the spec checker.
CHOICES: dict[str, tuple[str, ...]] = {
    "Classification": ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"),
    "Aggregate": ("day", "week", "month", "quarter"),
    "ReportBy": ("month", "quarter"),
    "OutcomeType": ("count", "proportion", "continuous"),
    "Seasonality": ("auto", "none", "fourier", "dummies"),
    "Overdispersion": ("quasipoisson", "negbin", "none"),
    "Transition": ("exclude", "after"),
    "Autocorrelation": ("ar1", "newey-west", "none"),
    "Improvement": ("decrease", "increase"),
    "SpcRules": ("nhs", "police-2sd"),
    "SpcRebase": ("none", "at_change", "on_shift"),
    "SpcUnits": ("none", "treated", "all"),
    "FillMissing": ("zero",),
    "AllocationMethod": ("simple", "complete", "block", "stratified"),
    "AttritionBoundary": ("cautious", "optimistic"),
    # the grades of resources/hourly_rates.csv and the offences of resources/unit_costs_of_crime.csv
    "OfficerGrade": ("Police Constable", "Detective Constable", "Police Sergeant", "Police Inspector",
                     "Chief Inspector", "Police Staff Scale 3", "Police Staff Scale 4", "Police Staff Scale 5",
                     "Police Staff Scale 6", "Police Staff SO1"),
    "CrimeType": ("rape", "violence_with_injury", "robbery", "theft_of_vehicle", "arson", "other_sexual_offences",
                  "criminal_damage_other", "theft_from_vehicle"),
}
Classification = Literal["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"]
Aggregate = Literal["day", "week", "month", "quarter"]
ReportBy = Literal["month", "quarter"]
OutcomeType = Literal["count", "proportion", "continuous"]
Seasonality = Literal["auto", "none", "fourier", "dummies"]
Overdispersion = Literal["quasipoisson", "negbin", "none"]
Transition = Literal["exclude", "after"]
Autocorrelation = Literal["ar1", "newey-west", "none"]
Improvement = Literal["decrease", "increase"]
SpcRules = Literal["nhs", "police-2sd"]
SpcRebase = Literal["none", "at_change", "on_shift"]
SpcUnits = Literal["none", "treated", "all"]
AttritionBoundary = Literal["cautious", "optimistic"]
FillMissing = Literal["zero"]
OfficerGrade = Literal["Police Constable", "Detective Constable", "Police Sergeant", "Police Inspector",
                       "Chief Inspector", "Police Staff Scale 3", "Police Staff Scale 4", "Police Staff Scale 5",
                       "Police Staff Scale 6", "Police Staff SO1"]
CrimeType = Literal["rape", "violence_with_injury", "robbery", "theft_of_vehicle", "arson", "other_sexual_offences",
                    "criminal_damage_other", "theft_from_vehicle"]
AllocationMethod = Literal["simple", "complete", "block", "stratified"]

_BASIC = {"str": "str", "int": "int", "float": "float", "bool": "bool", "list": "list",
          "dict": "dict", "DataFile": "file", "Date": "date", "Any": "any", "TableInput": "table",
          "Dates": "dates", "Columns": "columns", "Record": "record"}
_REQUIRED = "(required)"
_DEMO = "(demo)"


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a template.

    Attributes
    ----------
    name, default, help
        As written in the parameters cell.
    annotation
        The type as written, e.g. ``Optional[str]``.
    kind
        ``str``, ``int``, ``float``, ``bool``, ``list``, ``dict``, ``file``,
        ``date``, ``dates``, ``columns``, ``record``, ``table``, ``choice`` or ``any``.
    item_kind
        For ``list[...]`` and ``dict[str, ...]``: the kind of the items.
    choices
        For ``Literal[...]``: the allowed values.
    optional
        Whether ``None`` (left blank) is allowed.
    required
        Whether a spec must set it.
    demo_only
        Whether the default is only for interactive runs (a spec that does
        not set the key leaves it blank).
    """

    name: str
    annotation: str
    kind: str
    default: Any
    help: str = ""
    optional: bool = False
    required: bool = False
    choices: tuple[Any, ...] | None = None
    item_kind: str | None = None
    demo_only: bool = False

    @property
    def spec_default(self) -> Any:
        """The value a spec that does not set this key gets."""
        return None if self.demo_only else self.default

    def describe_type(self) -> str:
        """The type in words, for ``whatworks templates`` and error messages."""
        if self.kind == "choice":
            words = " | ".join(str(c) for c in self.choices or ())
        elif self.kind == "list":
            words = f"list of {self.item_kind}" if self.item_kind else "list"
        elif self.kind == "file":
            words = "file path"
        elif self.kind == "table":
            words = "file path, or rows written in the spec"
        elif self.kind == "date":
            words = "date (YYYY-MM-DD)"
        elif self.kind == "dates":
            words = "date (YYYY-MM-DD), or a mapping from each unit to its date"
        elif self.kind == "columns":
            words = "column name, or a list of column names"
        elif self.kind == "record":
            words = "mapping, or a list of mappings"
        else:
            words = self.kind
        return words + (" (or blank)" if self.optional else "")


def _kind(node: ast.expr) -> tuple[str, bool, tuple[Any, ...] | None, str | None]:
    """(kind, optional, choices, item_kind) of an annotation."""
    if isinstance(node, ast.Name) and node.id in _BASIC:
        return _BASIC[node.id], False, None, None
    if isinstance(node, ast.Name) and node.id in CHOICES:
        return "choice", False, CHOICES[node.id], None
    if isinstance(node, ast.Constant) and node.value is None:
        return "any", True, None, None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [node.left, node.right]
        nones = [s for s in sides if isinstance(s, ast.Constant) and s.value is None]
        others = [s for s in sides if s not in nones]
        if nones and len(others) == 1:
            kind, _, choices, item = _kind(others[0])
            return kind, True, choices, item
        return "any", bool(nones), None, None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        head = node.value.id
        inner = node.slice
        if head == "Optional":
            kind, _, choices, item = _kind(inner)
            return kind, True, choices, item
        if head == "Literal":
            elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            return "choice", False, tuple(ast.literal_eval(e) for e in elts), None
        if head in ("list", "List"):
            return "list", False, None, _kind(inner)[0]
        if head in ("dict", "Dict"):
            value = inner.elts[1] if isinstance(inner, ast.Tuple) else inner
            return "dict", False, None, _kind(value)[0]
    raise TemplateError(
        f"parameter type '{ast.unparse(node)}' is not supported",
        hint="Use str, int, float, bool, list, dict, DataFile, Date, Dates, Columns, Record, TableInput, "
             f"one of the named choices ({', '.join(CHOICES)}), Literal[...] or Optional[...].",
    )


def _comments(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except tokenize.TokenError:
        pass
    return out


def parse_parameters(source: str) -> tuple[Parameter, ...]:
    """Read the parameters declared in a ``parameters`` cell's source.

    Raises
    ------
    TemplateError
        When a line is not ``name: type = literal  # help`` (imports and
        comments are allowed).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise TemplateError(f"the parameters cell is not valid Python (line {exc.lineno})") from exc
    comments = _comments(source)
    params: list[Parameter] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value):
            raise TemplateError(
                f"line {node.lineno} of the parameters cell is not a typed parameter",
                hint="Write each parameter as  name: type = value  # help text",
            )
        try:
            default = ast.literal_eval(node.value)
        except ValueError as exc:
            raise TemplateError(
                f"parameter '{node.target.id}' has a default that is not a plain value"
            ) from exc
        kind, optional, choices, item = _kind(node.annotation)
        help_text = comments.get(node.lineno) or comments.get(node.end_lineno or node.lineno, "")
        required = help_text.startswith(_REQUIRED)
        demo_only = help_text.startswith(_DEMO)
        for marker in (_REQUIRED, _DEMO):
            if help_text.startswith(marker):
                help_text = help_text[len(marker):].strip()
        params.append(
            Parameter(
                name=node.target.id,
                annotation=ast.unparse(node.annotation),
                kind=kind,
                default=default,
                help=help_text,
                optional=optional or default is None or demo_only,
                required=required,
                choices=choices,
                item_kind=item,
                demo_only=demo_only,
            )
        )
    return tuple(params)
