"""Board papers: report.pdf printed by headless Chromium, read back with pypdf.

Page count, text present, the classification marking and page number on
every page, and no heading stranded as the last line of a page.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser import NO_CHROMIUM, chromium_path, under_ci
from conftest import copy_demo
from whatworks.cli import main

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.browser

SPEC = """template: before-after
title: Town centre retail crime plan
owner: Town Centre Neighbourhood Inspector
classification: OFFICIAL-SENSITIVE
data: weekly_theft.csv
date_column: week
outcome_column: thefts
intervention_date: 2024-01-01
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = chromium_path()
    if found is None:
        if under_ci():
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    return found


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("h1", "h2", "h3"):
            self.inside = True
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3"):
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.found[-1] += data


def _pages(pdf: Path) -> list[list[str]]:
    reader = pypdf.PdfReader(str(pdf))
    return [[line.strip() for line in page.extract_text().splitlines() if line.strip()] for page in reader.pages]


@pytest.fixture(scope="module")
def printed(tmp_path_factory, chromium) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    copy_demo("weekly_theft.csv", folder)
    (folder / "plan.yaml").write_text(SPEC, encoding="utf-8")
    assert main(["run", str(folder / "plan.yaml"), "--reports", str(folder / "reports"), "--pdf"]) == 0
    return folder / "reports" / "plan"


def test_the_pdf_is_written_beside_the_report(printed: Path) -> None:
    assert (printed / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (printed / "report.html").is_file()


def test_every_page_carries_the_marking_and_its_number(printed: Path) -> None:
    pages = _pages(printed / "report.pdf")
    assert len(pages) >= 2
    for number, lines in enumerate(pages, 1):
        text = " ".join(lines)
        assert "OFFICIAL-SENSITIVE" in text, f"page {number} has no marking"
        assert f"page {number} of {len(pages)}" in text, f"page {number} has no page number"
    first = " ".join(pages[0])
    assert "Town centre retail crime plan" in first and "Summary" in first


def test_no_heading_is_the_last_line_of_a_page(printed: Path) -> None:
    parser = _Headings()
    parser.feed((printed / "report.html").read_text(encoding="utf-8"))
    headings = {h.strip() for h in parser.found if h.strip()}
    assert "Summary" in headings
    for number, lines in enumerate(_pages(printed / "report.pdf")[:-1], 1):
        body = [line for line in lines if "page " not in line and not re.fullmatch(r"OFFICIAL\S*", line)]
        assert body and body[-1] not in headings, f"page {number} ends with the heading '{body[-1]}'"


def test_the_spec_key_asks_for_a_pdf_too(tmp_path: Path, chromium) -> None:
    copy_demo("weekly_theft.csv", tmp_path)
    (tmp_path / "plan.yaml").write_text(SPEC + "pdf: true\n", encoding="utf-8")
    assert main(["run", str(tmp_path / "plan.yaml"), "--reports", str(tmp_path / "reports")]) == 0
    assert (tmp_path / "reports" / "plan" / "report.pdf").is_file()


def test_without_a_browser_the_message_names_the_extra_and_nothing_is_replaced(tmp_path, monkeypatch, capsys):
    from whatworks import pdf

    copy_demo("weekly_theft.csv", tmp_path)
    (tmp_path / "plan.yaml").write_text(SPEC, encoding="utf-8")
    reports = tmp_path / "reports"
    assert main(["run", str(tmp_path / "plan.yaml"), "--reports", str(reports)]) == 0
    before = (reports / "plan" / "report.html").read_bytes()
    monkeypatch.setattr(pdf, "browser_path", lambda: None)
    assert main(["run", str(tmp_path / "plan.yaml"), "--reports", str(reports), "--pdf"]) == 1
    out = capsys.readouterr().out
    assert 'whatworks[pdf]' in out and "Chromium" in out
    assert (reports / "plan" / "report.html").read_bytes() == before
    assert not (reports / "plan" / "report.pdf").exists()
    shutil.rmtree(reports)
