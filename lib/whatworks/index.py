"""``reports/index.html``: the portfolio of every evaluation in a reports folder.

Built only from each report folder's ``results.json`` and ``status.json``, so
it can be rebuilt at any time (``whatworks index``) and is rebuilt after every
run. One row per evaluation (sortable and filterable in the page, with no
network access), a benefits summary across all post-implementation reviews,
and the highest classification of the reports it lists.

Examples
--------
>>> headline_words({"label": "Change in level", "estimate": 0.885, "ci_low": 0.839,
...                 "ci_high": 0.933, "scale": "ratio", "measure": "rate ratio"})
'Change in level: 11.5% lower (rate ratio 0.885, 95% CI 0.839 to 0.933)'
>>> financial_year(__import__("datetime").date(2025, 3, 31))
'2024/25'
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from markupsafe import Markup

from . import assets, dates, text
from .render import environment
from .spec import CLASSIFICATIONS

__all__ = ["build", "collect", "headline_words", "headline_estimates", "benefits_summary", "financial_year",
           "efficiencies", "write_efficiencies", "write_tables", "table_rows", "EFFICIENCY_COLUMNS", "TABLE_COLUMNS"]

#: What writes the workbooks beside the index: XlsxWriter loads in a fifth of the time openpyxl takes
#: (which still reads the workbooks users give as data).
XLSX_WRITER: Final = "xlsxwriter"

#: The columns of ``efficiencies.csv`` and ``efficiencies.xlsx``: one row per programme × financial year × grade.
EFFICIENCY_COLUMNS = ("programme", "financial_year", "confidence_grade", "cashable_gbp", "non_cashable_gbp",
                      "hours", "fte")

_GRADES = ("known", "projected", "anticipated", "potential")
_MONEY_UNITS = {"gbp", "£", "pounds"}


def financial_year(day: dt.date) -> str:
    """The financial year (April to March) holding ``day``, as ``2024/25``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _fmt(value: float | None, est: Mapping[str, Any]) -> str:
    unit = str(est.get("unit") or "").lower()
    if unit in _MONEY_UNITS or str(est.get("name", "")).endswith("_gbp"):
        return text.fmt_gbp(value)
    return text.fmt_number(value, 3 if est.get("scale") == "ratio" else None)


def _points(value: float | None) -> str:
    return text.fmt_number(None if value is None else value * 100, 1)


def headline_words(est: Mapping[str, Any] | None) -> str:
    """The headline estimate with its interval, in words.

    A difference in proportions is written in percentage points:

    >>> headline_words({"label": "Risk difference", "estimate": -0.0148, "ci_low": -0.0282,
    ...                 "ci_high": -0.0014, "scale": "difference", "unit": "proportion"})
    'Risk difference: -1.5 percentage points (95% CI -2.8 to -0.1)'
    """
    if not est:
        return "No estimate (see the report for the reason)"
    value = est.get("estimate")
    if est.get("scale") == "difference" and est.get("unit") == "proportion" and value is not None:
        interval = text.fmt_interval(est.get("ci_low"), est.get("ci_high"), fmt=_points)
        return f"{est.get('label')}: {_points(value)} percentage points ({interval})"
    interval = text.fmt_interval(est.get("ci_low"), est.get("ci_high"), fmt=lambda v: _fmt(v, est))
    measure = est.get("measure") or ""
    if est.get("scale") == "ratio" and value is not None:
        change = text.fmt_change_pct(value, digits=1)
        return f"{est.get('label')}: {change} ({measure} {_fmt(value, est)}, {interval})"
    unit = est.get("unit")
    unit_words = f" {unit}" if unit and str(unit).lower() not in _MONEY_UNITS and unit != measure else ""
    return f"{est.get('label')}: {_fmt(value, est)}{unit_words} ({interval})"


def headline_estimates(estimates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The headline estimate, with the same quantity for every other arm (a trial with several active arms).

    Siblings share the headline's ``outcome`` and ``measure`` and differ in
    ``group`` (the arm); they keep the order of the estimates.

    >>> rows = [{"name": "y.rd.a", "outcome": "y", "measure": "rd", "group": "a", "headline": True},
    ...         {"name": "y.rd.b", "outcome": "y", "measure": "rd", "group": "b"},
    ...         {"name": "y.rr.b", "outcome": "y", "measure": "rr", "group": "b"}]
    >>> [e["name"] for e in headline_estimates(rows)]
    ['y.rd.a', 'y.rd.b']
    """
    head = next((e for e in estimates if e.get("headline")), None)
    if head is None:
        return []
    if not head.get("group") or not head.get("outcome"):
        return [head]
    return [e for e in estimates if e is head or (
        e.get("outcome") == head["outcome"] and e.get("measure") == head.get("measure")
        and e.get("group") and e.get("group") != head["group"])]


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _row(folder: Path) -> dict[str, Any] | None:
    status = _read(folder / "status.json") or {}
    results = _read(folder / "results.json")
    if not status and not results:
        return None
    counts = {"pass": 0, "warn": 0, "fail": 0, "info": 0}
    row: dict[str, Any] = {
        "folder": folder.name,
        "status": status.get("status", "ok" if results else "failed"),
        "reason": status.get("reason", ""),
        "produced": (status.get("time") or "")[:10],
        "has_report": (folder / "report.html").is_file(),
        "title": status.get("title") or folder.name,
        "template": "", "owner": "", "classification": "OFFICIAL", "period": "", "period_start": "",
        "headline": "", "sms": None, "checks": counts, "results": None,
    }
    if results:
        for check in results.get("checks", []):
            counts[check.get("status", "info")] = counts.get(check.get("status", "info"), 0) + 1
        headlines = headline_estimates(results.get("estimates", []))
        period = results.get("period") or {}
        row.update(
            title=results.get("title") or folder.name,
            template=results.get("template", ""),
            owner=results.get("owner", ""),
            classification=results.get("classification", "OFFICIAL"),
            period=(f"{text.fmt_date(period.get('start'))} to {text.fmt_date(period.get('end'))}"
                    if period.get("start") else ""),
            period_start=period.get("start") or "",
            headline="; ".join(headline_words(e) for e in headlines) if headlines else headline_words(None),
            sms=(results.get("evidence") or {}).get("sms_level"),
            results=results,
        )
        quarter = results.get("quarter")
        if isinstance(quarter, dict) and quarter.get("label"):  # a quarterly pack is listed by its quarter
            row.update(period=str(quarter["label"]), period_start=quarter.get("start") or row["period_start"])
    if row["produced"]:
        row["produced_words"] = text.fmt_date(row["produced"])
    else:
        row["produced_words"] = ""
    return row


def collect(root: Path) -> list[dict[str, Any]]:
    """One row per report folder under ``root``: failures first, then by title."""
    rows = [r for folder in sorted(root.iterdir()) if folder.is_dir() and not folder.name.startswith(".")
            for r in [_row(folder)] if r]
    return sorted(rows, key=lambda r: (r["status"] != "failed", r["title"].lower()))


def benefits_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Totals of every PIR's ``benefit_totals`` by financial year and confidence grade."""
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: {"hours": 0.0, "fte": 0.0, "cashable_gbp": 0.0, "non_cashable_gbp": 0.0, "reviews": 0})
    for row in rows:
        results = row.get("results") or {}
        if row["status"] != "ok" or not results.get("benefit_totals"):
            continue
        seen: set[tuple[str, str]] = set()
        for item in results["benefit_totals"]:
            key = (str(item.get("financial_year")), str(item.get("confidence_grade")))
            cell = sums[key]
            for field in ("hours", "fte", "cashable_gbp", "non_cashable_gbp"):
                cell[field] += float(item.get(field) or 0.0)
            if key not in seen:
                cell["reviews"] += 1
                seen.add(key)
    order = {g: i for i, g in enumerate(_GRADES)}
    out = []
    for (year, grade), cell in sorted(sums.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 9))):
        out.append({"financial_year": year, "confidence_grade": grade, **cell,
                    "hours_words": text.fmt_number(cell["hours"], 0),
                    "fte_words": text.fmt_number(cell["fte"], 1),
                    "cashable_words": text.fmt_gbp(cell["cashable_gbp"]),
                    "non_cashable_words": text.fmt_gbp(cell["non_cashable_gbp"])})
    return out


def efficiencies(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The efficiencies return: every review's profile by financial year and grade, then the total.

    One row per programme × financial year × grade (``known``, ``projected``,
    ``anticipated``, ``potential``), from each review's ``benefit_totals``;
    programme ``Total`` sums them.
    """
    out: list[dict[str, Any]] = []
    total: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: {"cashable_gbp": 0.0, "non_cashable_gbp": 0.0, "hours": 0.0, "fte": 0.0})
    order = {g: i for i, g in enumerate(_GRADES)}
    for row in rows:
        results = row.get("results") or {}
        if row["status"] != "ok" or not results.get("benefit_totals"):
            continue
        items = sorted(results["benefit_totals"],
                       key=lambda i: (str(i.get("financial_year")), order.get(str(i.get("confidence_grade")), 9)))
        for item in items:
            key = (str(item.get("financial_year")), str(item.get("confidence_grade")))
            cells = {f: float(item.get(f) or 0.0) for f in ("cashable_gbp", "non_cashable_gbp", "hours", "fte")}
            out.append({"programme": row["title"], "financial_year": key[0], "confidence_grade": key[1], **cells})
            for f, v in cells.items():
                total[key][f] += v
    for (year, grade), cells in sorted(total.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 9))):
        out.append({"programme": "Total", "financial_year": year, "confidence_grade": grade, **cells})
    return out


def write_efficiencies(root: Path, table: list[dict[str, Any]]) -> list[Path]:
    """``efficiencies.csv`` and ``efficiencies.xlsx`` beside the index (written whole, then moved in)."""
    import pandas as pd

    frame = pd.DataFrame(table, columns=list(EFFICIENCY_COLUMNS))
    written = []

    def write_csv(path: Path) -> None:
        frame.to_csv(path, index=False, lineterminator="\n")

    def write_xlsx(path: Path) -> None:
        frame.to_excel(path, index=False, sheet_name="Efficiencies", engine=XLSX_WRITER)

    for name, write in (("efficiencies.csv", write_csv), ("efficiencies.xlsx", write_xlsx)):
        tmp = root / f".{name}.tmp{Path(name).suffix}"
        write(tmp)
        os.replace(tmp, root / name)
        written.append(root / name)
    return written


def _as_of(rows: list[dict[str, Any]]) -> dt.date | None:
    days = []
    for row in rows:
        pir = ((row.get("results") or {}).get("extra") or {}).get("pir") or (row.get("results") or {}).get("pir")
        value = (pir or {}).get("as_of")
        if value:
            days.append(dates.parse_date(str(value)[:10], key="as_of").date())
    return max(days) if days else None


def _year_totals(summary: list[dict[str, Any]]) -> list[dict[str, str]]:
    years: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for item in summary:
        for field in ("hours", "fte", "cashable_gbp", "non_cashable_gbp"):
            years[item["financial_year"]][field] += item[field]
        years[item["financial_year"]][f"{item['confidence_grade']}_hours"] += item["hours"]
    return [{"financial_year": y, "hours_words": text.fmt_number(v["hours"], 0),
             "known_words": text.fmt_number(v["known_hours"], 0),
             "projected_words": text.fmt_number(v["projected_hours"], 0),
             "forecast_words": text.fmt_number(v["anticipated_hours"] + v["potential_hours"], 0),
             "fte_words": text.fmt_number(v["fte"], 1), "cashable_words": text.fmt_gbp(v["cashable_gbp"]),
             "non_cashable_words": text.fmt_gbp(v["non_cashable_gbp"])} for y, v in sorted(years.items())]


def highest_classification(rows: list[dict[str, Any]]) -> str:
    """The highest marking among the reports (OFFICIAL when there are none)."""
    levels = [CLASSIFICATIONS.index(r["classification"]) for r in rows if r["classification"] in CLASSIFICATIONS]
    return CLASSIFICATIONS[max(levels)] if levels else "OFFICIAL"


def write_guide(root: Path, css: str) -> Path | None:
    """Copy the officers' evaluation guide beside the reports as ``guide.html``.

    Every report's "How to read this report" box links to it.
    """
    source = assets.guide()
    if not source.is_file():
        return None
    from .render import markdown_html

    html = environment().get_template("guide.html.j2").render(
        css=Markup(css), body=Markup(markdown_html(source.read_text(encoding="utf-8"))))
    target = root / "guide.html"
    tmp = root / ".guide.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return target


#: The columns of ``index.csv`` and ``index.xlsx``: one row per report folder.
TABLE_COLUMNS: tuple[str, ...] = (
    "folder", "title", "template", "owner", "classification", "status", "reason", "produced", "period_start",
    "period_end", "sms_level", "checks_pass", "checks_warn", "checks_fail", "headline_name", "headline_label",
    "headline_measure", "headline_estimate", "headline_ci_low", "headline_ci_high", "headline_p_value",
    "headline_scale", "headline_unit", "headline_words",
)


def table_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The index as plain records (:data:`TABLE_COLUMNS`), for ``index.csv`` and ``index.xlsx``."""
    out = []
    for row in rows:
        results = row.get("results") or {}
        head: dict[str, Any] = next((e for e in results.get("estimates", []) if e.get("headline")), {}) or {}
        period = results.get("period") or {}
        checks = row.get("checks") or {}
        out.append({
            "folder": row["folder"], "title": row["title"], "template": row["template"], "owner": row["owner"],
            "classification": row["classification"], "status": row["status"],
            "reason": row["reason"] if row["status"] != "ok" else "", "produced": row["produced"],
            "period_start": period.get("start"), "period_end": period.get("end"), "sms_level": row["sms"],
            "checks_pass": checks.get("pass", 0), "checks_warn": checks.get("warn", 0),
            "checks_fail": checks.get("fail", 0), "headline_name": head.get("name"),
            "headline_label": head.get("label"), "headline_measure": head.get("measure"),
            "headline_estimate": head.get("estimate"), "headline_ci_low": head.get("ci_low"),
            "headline_ci_high": head.get("ci_high"), "headline_p_value": head.get("p_value"),
            "headline_scale": head.get("scale"), "headline_unit": head.get("unit"),
            "headline_words": row["headline"],
        })
    return out


def write_tables(root: Path, rows: list[dict[str, Any]]) -> tuple[Path, Path]:
    """Write ``index.csv`` and ``index.xlsx`` beside the index page (each replaced whole, never half-written)."""
    import pandas as pd

    frame = pd.DataFrame(table_rows(rows), columns=list(TABLE_COLUMNS))
    csv_path, xlsx_path = root / "index.csv", root / "index.xlsx"
    tmp_csv, tmp_xlsx = root / ".index.csv.tmp", root / ".index.xlsx.tmp"
    frame.to_csv(tmp_csv, index=False)
    with pd.ExcelWriter(tmp_xlsx, engine=XLSX_WRITER) as writer:
        frame.to_excel(writer, sheet_name="reports", index=False)
    os.replace(tmp_csv, csv_path)
    os.replace(tmp_xlsx, xlsx_path)
    return csv_path, xlsx_path


def build(root: str | Path, *, today: dt.date | None = None) -> Path:
    """Write ``<root>/index.html``, the guide, ``index.csv``/``index.xlsx`` and the efficiencies return beside it.

    "This financial year" is the year of ``today`` when given, else of the
    latest review date (``as_of``) among the reviews, never the clock.
    Returns the page's path.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rows = collect(root)
    summary = benefits_summary(rows)
    returns = efficiencies(rows)
    if returns:
        write_efficiencies(root, returns)
    day = today or _as_of(rows)
    css = (assets.page_templates() / "report.css").read_text(encoding="utf-8")
    write_guide(root, css)
    script = (assets.page_templates() / "index.js").read_text(encoding="utf-8")
    html = environment().get_template("index.html.j2").render(
        rows=rows,
        css=Markup(css),
        script=Markup(script),
        classification=highest_classification(rows),
        benefits=summary,
        year_totals=_year_totals(summary),
        this_year=financial_year(day) if day else "",
        templates=sorted({r["template"] for r in rows if r["template"]}),
        counts={"ok": sum(r["status"] == "ok" for r in rows), "failed": sum(r["status"] != "ok" for r in rows)},
    )
    tmp = root / ".index.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, root / "index.html")
    write_tables(root, rows)
    return root / "index.html"
