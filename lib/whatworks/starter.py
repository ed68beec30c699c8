"""Commented starter specs for ``whatworks new``.

Examples
--------
>>> from whatworks.templates import registry
>>> text = starter_spec(registry().get("before-after"))
>>> text.splitlines()[0].startswith("# Spec for the 'before-after' template")
True
"""

from __future__ import annotations

import yaml

from .templates import Template

__all__ = ["starter_spec"]


def _yaml_value(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip().removesuffix("...").strip()


def starter_spec(template: Template) -> str:
    """A YAML spec with every key of ``template``, commented.

    Required keys, and keys whose default serves only the demo, are filled
    with the demo value to edit; optional keys are commented out with their
    default.
    """
    lines = [
        f"# Spec for the '{template.name}' template. {template.description}".rstrip(),
        "# Paths are relative to this file. Lines starting with # are ignored:",
        "# remove the # in front of an optional key to set it.",
        "# Plan first: docs/evaluation-guide.md (record the baseline and choose comparison",
        "# areas before the operation starts).",
        "",
        f"template: {template.name}",
    ]
    for p in template.parameters:
        lines.append(f"# {p.help} [{p.describe_type()}]" if p.help else f"# [{p.describe_type()}]")
        entry = f"{p.name}: {_yaml_value(p.default)}"
        shown = p.required or p.demo_only or p.name in ("title", "owner", "classification")
        lines.append(entry if shown else f"# {entry}")
    lines.append("# output: reports/my-evaluation   # where the report goes (default: reports/<this file's name>/)")
    return "\n".join(lines) + "\n"
