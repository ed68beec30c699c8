"""``reports/index.html``: one page listing every evaluation in a reports folder.

Built only from each report folder's ``results.json`` and ``status.json``, so
it can be rebuilt at any time (``whatworks index``) and after every run.

Examples
--------
>>> headline_words({"label": "Change in level", "estimate": 0.885, "ci_low": 0.839,
...                 "ci_high": 0.933, "scale": "ratio", "measure": "rate ratio"})
'Change in level: rate ratio 0.885 (95% CI 0.839 to 0.933)'
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import text
from .render import environment
from .spec import CLASSIFICATIONS
from .templates import project_root

__all__ = ["build", "collect", "headline_words"]


def headline_words(est: dict | None) -> str:
    """The headline estimate with its interval, in words."""
    if not est:
        return "No estimate (see the report)"
    digits = 3 if est.get("scale") == "ratio" else None
    value = text.fmt_number(est.get("estimate"), digits)
    interval = text.fmt_interval(est.get("ci_low"), est.get("ci_high"), digits=digits)
    return f"{est.get('label')}: {est.get('measure')} {value} ({interval})"


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def collect(root: Path) -> list[dict[str, Any]]:
    """One row per report folder under ``root``."""
    rows = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        status = _read(folder / "status.json") or {}
        results = _read(folder / "results.json")
        if not status and not results:
            continue
        row: dict[str, Any] = {
            "folder": folder.name,
            "status": status.get("status", "ok" if results else "failed"),
            "reason": status.get("reason", ""),
            "produced": status.get("time", ""),
            "has_report": (folder / "report.html").is_file(),
        }
        if results:
            counts = {"pass": 0, "warn": 0, "fail": 0, "info": 0}
            for check in results.get("checks", []):
                counts[check.get("status", "info")] = counts.get(check.get("status", "info"), 0) + 1
            headline = next((e for e in results.get("estimates", []) if e.get("headline")), None)
            period = results.get("period") or {}
            row.update(
                title=results.get("title") or folder.name,
                template=results.get("template", ""),
                owner=results.get("owner", ""),
                classification=results.get("classification", "OFFICIAL"),
                period=(f"{text.fmt_date(period.get('start'))} to {text.fmt_date(period.get('end'))}"
                        if period.get("start") else ""),
                headline=headline_words(headline),
                sms=(results.get("evidence") or {}).get("sms_level"),
                checks=counts,
                results=results,
            )
        else:
            row.update(title=status.get("title") or folder.name, template="", owner="",
                       classification="OFFICIAL", period="", headline="", sms=None,
                       checks={"pass": 0, "warn": 0, "fail": 0, "info": 0}, results=None)
        rows.append(row)
    return rows


def highest_classification(rows: list[dict]) -> str:
    levels = [CLASSIFICATIONS.index(r["classification"]) for r in rows if r["classification"] in CLASSIFICATIONS]
    return CLASSIFICATIONS[max(levels)] if levels else "OFFICIAL"


def build(root: str | Path) -> Path:
    """Write ``<root>/index.html`` and return its path."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rows = collect(root)
    css = (project_root() / "templates" / "report.css").read_text(encoding="utf-8")
    html = environment().get_template("index.html.j2").render(
        rows=rows, css=Markup(css), classification=highest_classification(rows),
    )
    tmp = root / ".index.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, root / "index.html")
    return root / "index.html"
