"""Every demo report and the index, opened in headless Chromium as a reviewer would.

One browser for the module and one page per report (opened once, shared by the
checks): no console errors, no request leaving the page, landmarks, language, title
and the "How to read this report" box, alt text that states a number, headline
numbers equal to results.json, headings in order, header cells in every table,
WCAG AA text contrast, A4 printing with the classification marking on every page,
and the index's sorting and filtering. Chart colours are checked for colour-blind
safety without the browser.
Screenshots and PDFs go to ``test-artefacts/browser/`` (git-ignored).

Without Chromium the module is skipped with the reason; under CI (``CI=true``)
that is a failure instead.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

import browser as bw
from conftest import EVALUATIONS, ROOT, read_results

pytestmark = [pytest.mark.xdist_group("e2e"), pytest.mark.browser]

ARTEFACTS = ROOT / "test-artefacts" / "browser"
#: Every demo report (whatever specs exist when the tests are collected).
REPORTS = sorted(p.stem for p in EVALUATIONS.glob("*.yaml"))
PAGES = REPORTS + ["index"]


def _no_browser(reason: str):
    if bw.under_ci():
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """A browser context in the system's headless Chromium, one launch for the module."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        _no_browser(f"The Python package playwright is not installed ({exc}); install the test extras.")
    path = bw.chromium_path()
    if path is None:
        _no_browser(bw.NO_CHROMIUM)
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=path, args=bw.CHROMIUM_ARGS)
        except Error as exc:
            _no_browser(f"Chromium at {path} would not start: {str(exc).splitlines()[0]}")
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB",
                                      service_workers="block")
        yield context
        context.close()
        browser.close()


def _path(reports: Path, name: str) -> Path:
    return reports / "index.html" if name == "index" else reports / name / "report.html"


@pytest.fixture(scope="module")
def opened(chromium, demo_reports):
    """``opened(name) -> (page, log)``: each page opened once, with a full-page screenshot."""
    pages = []

    @functools.cache
    def open_once(name: str):
        path = _path(demo_reports, name)
        assert path.is_file(), f"{path.name} was not produced for {name}"
        page, log = bw.open_page(chromium, path)
        pages.append(page)
        bw.save_artefact(ARTEFACTS / f"{name}.png", page.screenshot(full_page=True))
        return page, log

    yield open_once
    for page in pages:
        page.close()


def headline(results: dict) -> dict:
    heads = [e for e in results.get("estimates", []) if e.get("headline")]
    assert len(heads) == 1, f"results.json has {len(heads)} headline estimates"
    return heads[0]


def states_headline(words: str, est: dict) -> bool:
    """Whether ``words`` hold the headline estimate as people read it: the value, its
    size, or (for a ratio) the change it means, e.g. 0.65 -> "35% lower"."""
    value = est["estimate"]
    candidates = [value, abs(value)] + ([abs(value - 1)] if est.get("scale") == "ratio" else [])
    return any(bw.shown_equals(n, v) for n in bw.numbers_in(words) for v in candidates)


# -- every page ------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_console_errors_or_outside_requests(opened, name):
    page, log = opened(name)
    assert log.console_errors == [], f"{name}: console errors: {log.console_errors}"
    assert log.outside() == [], f"{name}: requests leaving the page: {log.outside()}"
    images = page.evaluate(bw.IMAGES_JS)
    assert all(i["src"].startswith("data:") for i in images), f"{name}: an image is not embedded"
    assert all(i["complete"] and i["width"] > 0 for i in images), f"{name}: an image did not load"


@pytest.mark.parametrize("name", PAGES)
def test_headings_are_in_order(opened, name):
    page, _ = opened(name)
    headings = page.evaluate(bw.HEADINGS_JS)
    assert headings and headings[0]["level"] == 1, f"{name}: the first heading is not an h1: {headings[:1]}"
    assert sum(h["level"] == 1 for h in headings) == 1, f"{name}: more than one h1"
    for before, after in zip(headings, headings[1:]):
        assert after["level"] <= before["level"] + 1, (
            f"{name}: h{after['level']} '{after['text']}' follows h{before['level']} '{before['text']}' "
            "(a heading level is skipped)")
    assert all(h["text"] for h in headings), f"{name}: an empty heading"


@pytest.mark.parametrize("name", PAGES)
def test_every_table_has_header_cells(opened, name):
    page, _ = opened(name)
    for table in page.evaluate(bw.TABLES_JS):
        label = table["caption"] or table["id"] or table["headers"][:3]
        assert table["colHeaders"] > 0, f"{name}: table {label!r} has no column header cells"
        assert all(table["headers"]), f"{name}: table {label!r} has an empty header cell"


@pytest.mark.parametrize("name", PAGES)
def test_text_contrast_meets_wcag_aa(opened, name):
    page, _ = opened(name)
    items = page.evaluate(bw.CONTRAST_JS)
    assert items, f"{name}: no text found"
    low = []
    for item in items:
        assert item["fg"] is not None, f"{name}: cannot read the colour {item['raw']!r} of {item['tag']}"
        ratio = bw.contrast_ratio(item["fg"], item["bg"])
        large = item["size"] >= 24 or (item["size"] >= 18.66 and item["weight"] >= 700)
        if ratio < (3.0 if large else 4.5):
            low.append(f"{item['tag']}.{item['cls']} {item['text']!r}: {ratio:.2f}")
    assert not low, f"{name}: text below WCAG AA contrast: " + "; ".join(low[:10])


@pytest.mark.parametrize("name", PAGES)
def test_prints_to_a4_with_the_marking_on_every_page(opened, demo_reports, name):
    page, _ = opened(name)
    marking = page.inner_text(".ww-marking-top").strip()
    if name != "index":
        assert marking == read_results(demo_reports / name)["classification"]
    if not page.evaluate("() => document.documentElement.dataset.classification"):
        assert name == "index", f"{name}: <html> has no data-classification attribute"
        pytest.xfail("index.html.j2 does not yet set data-classification on <html>, which report.css uses "
                     "to print the marking on every page")
    data = page.pdf(format="A4")
    pdf = bw.save_artefact(ARTEFACTS / f"{name}.pdf", data)
    assert data.startswith(b"%PDF")
    sizes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data))
    assert sizes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in sizes), (
        f"{name}: PDF pages are not A4 (595 x 842 points): {sizes}")

    page.emulate_media(media="print")
    try:
        style = page.evaluate(bw.PRINT_STYLE_JS)
    finally:
        page.emulate_media(media="screen")
    assert style["marking"].strip("\"'") == marking, f"{name}: the print marking is {style['marking']!r}"
    assert style["top"]["display"] != "none" and style["bottom"]["display"] != "none"
    assert set(style["charts"]) <= {"avoid"}, f"{name}: a chart or table may split across pages"

    pages = bw.pdf_pages_text(pdf)
    if pages is None:
        return  # no pdftotext: the print style above is the check (apt-get install poppler-utils)
    assert pages, f"{name}: the PDF has no pages"
    for number, words in enumerate(pages, 1):
        lines = [line.strip() for line in words.splitlines() if line.strip()]
        assert lines and lines[0] == marking and lines[-1] == marking, (
            f"{name}: page {number} of {len(pages)} does not carry the marking {marking!r} at top and bottom: "
            f"{lines[:1]} ... {lines[-1:]}")


# -- reports ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_report_has_landmarks_language_title_and_how_to_read_box(opened, demo_reports, name):
    page, _ = opened(name)
    results = read_results(demo_reports / name)
    assert page.evaluate("() => document.documentElement.lang") == "en-GB"
    assert results["title"] in page.title() and results["classification"] in page.title()
    for landmark in ("header", "main", "footer"):
        assert page.locator(landmark).count() == 1, f"{name}: {landmark} landmark missing or repeated"
    howto = page.locator("aside", has=page.locator("h2", has_text="How to read this report"))
    assert howto.count() == 1, f"{name}: no 'How to read this report' box"


@pytest.mark.parametrize("name", REPORTS)
def test_every_chart_has_alt_text_stating_its_key_number(opened, demo_reports, name):
    page, _ = opened(name)
    images = page.evaluate(bw.IMAGES_JS)
    for image in images:
        alt = (image["alt"] or "").strip()
        assert alt, f"{name}: an image has no alt text"
        assert bw.numbers_in(alt), f"{name}: the alt text {alt!r} states no number (beyond dates and '95%')"
    est = headline(read_results(demo_reports / name))
    # a recorded figure with no interval (the performance pack's count of exceptions) is stated in the
    # summary matrix, not in a chart: test_headline_numbers_equal_results_json checks it there
    if images and est.get("estimate") is not None and est.get("ci_low") is not None:
        assert any(states_headline(i["alt"], est) for i in images), (
            f"{name}: no chart's alt text states the headline estimate {est['estimate']!r}: "
            f"{[i['alt'] for i in images]}")


@pytest.mark.parametrize("name", REPORTS)
def test_headline_numbers_equal_results_json(opened, demo_reports, name):
    page, _ = opened(name)
    results = read_results(demo_reports / name)
    est = headline(results)
    assert page.inner_text("h1").strip() == results["title"]
    if est.get("estimate") is None:
        assert any(c["status"] == "fail" for c in results.get("checks", [])), "estimate withheld without a failed check"
        return
    if est.get("ci_low") is None:  # a recorded figure, with no interval: stated in the summary in words
        summary = page.inner_text(".ww-summary")
        assert re.search(rf"\b{est['estimate']:g}\b", summary), (
            f"{name}: the summary does not state the headline {est['label']!r} ({est['estimate']:g})")
        return
    rows = []
    for table in page.evaluate(bw.TABLES_JS):
        headers = [h.lower() for h in table["headers"]]
        if "estimate" not in headers or not any("interval" in h for h in headers):
            continue
        value_col = headers.index("estimate")
        interval_col = next(i for i, h in enumerate(headers) if "interval" in h)
        rows += [(r[value_col], r[interval_col]) for r in table["rows"]
                 if r and r[0].startswith(est["label"]) and len(r) > max(value_col, interval_col)]
    assert rows, f"{name}: no estimates table has a row for the headline {est['label']!r}"

    def matches(value: str, interval: str) -> bool:
        ends = interval.split(" to ")
        return (bw.shown_equals(value, est["estimate"]) and len(ends) == 2
                and bw.shown_equals(ends[0], est["ci_low"]) and bw.shown_equals(ends[1], est["ci_high"]))

    assert any(matches(*row) for row in rows), (
        f"{name}: the headline row {rows} does not show {est['estimate']} ({est['ci_low']} to {est['ci_high']})")
    summary = page.locator(".ww-summary").first
    assert summary.count(), f"{name}: no summary"
    assert states_headline(summary.inner_text(), est), (
        f"{name}: the summary does not state the headline {est['estimate']}: {summary.inner_text()!r}")


# -- chart colours (no browser needed) ----------------------------------------------

#: Chart roles drawn side by side, which a reader must tell apart.
ROLE_PAIRS = [("improving", "concerning"), ("improving", "common"), ("concerning", "common"),
              ("fitted", "counterfactual"), ("observed", "fitted"), ("observed", "counterfactual"),
              ("treated", "comparison"), ("buffer", "treated"), ("buffer", "comparison"),
              ("forecast", "actual")]
#: Roles that are shading behind the data, not marks a reader must see on their own.
BACKGROUND_ROLES = {"excluded", "band"}


def test_chart_colours_are_colour_blind_safe_and_stand_out_from_white():
    from whatworks.plots import COLOURS, PALETTE

    assert set(PALETTE) == {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                            "#000000"}, "PALETTE is no longer Okabe–Ito"
    for a, b in ROLE_PAIRS:
        for vision in (None, *bw.CVD):
            difference = bw.colour_difference(COLOURS[a], COLOURS[b], vision)
            assert difference >= 20, f"{a} and {b} look alike ({vision or 'normal vision'}: ΔE {difference:.0f})"
    for role, colour in COLOURS.items():
        if role not in BACKGROUND_ROLES:
            assert bw.hex_contrast(colour) >= 3, f"{role} {colour} is under 3:1 against white (WCAG 1.4.11)"


# -- the index -------------------------------------------------------------------------


def test_index_links_every_report_with_its_headline(opened, demo_reports):
    page, _ = opened("index")
    rows = page.locator("#evaluations tbody tr")
    assert rows.count() == len(REPORTS)
    hrefs = page.eval_on_selector_all("#evaluations a[href]", "els => els.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(f"{name}/report.html" for name in REPORTS)
    assert all((demo_reports / href).is_file() for href in hrefs)
    for name in REPORTS:
        est = headline(read_results(demo_reports / name))
        row = page.locator("#evaluations tbody tr", has=page.locator(f'a[href="{name}/report.html"]'))
        numbers = bw.numbers_in(row.inner_text())
        for key in ("estimate", "ci_low", "ci_high"):
            if est.get(key) is not None:
                assert any(bw.shown_equals(n, est[key]) for n in numbers), (
                    f"index row of {name} does not show its headline {key} {est[key]}: {row.inner_text()!r}")


@pytest.fixture
def index_page(chromium, demo_reports):
    """A fresh index page for tests that click or type (so the shared one stays as built)."""
    page, log = bw.open_page(chromium, demo_reports / "index.html")
    yield page
    page.close()
    assert not log.console_errors and not log.outside(), (log.console_errors, log.outside())


def _in_order(keys: list[str], descending: bool) -> bool:
    def number(k):
        try:
            return float(k.replace(",", "").replace("£", "").rstrip("%"))
        except ValueError:
            return None
    numbers = [number(k) for k in keys]
    if keys and all(n is not None for n in numbers):
        return numbers == sorted(numbers, reverse=descending)
    return keys == sorted(keys, key=str.casefold, reverse=descending)


def test_index_sorts_by_each_column(index_page):
    buttons = index_page.locator("#evaluations thead th button")
    if buttons.count() == 0:
        pytest.xfail("the index has no sort buttons yet (contract: a <button> in each <th> of #evaluations "
                     "sorts the rows by that column and sets aria-sort on the <th>)")
    headers = index_page.locator("#evaluations thead th")
    before = index_page.evaluate(bw.SORT_STATE_JS, 0)["ids"]
    for column in range(headers.count()):
        button = headers.nth(column).locator("button")
        if button.count() == 0:
            continue
        states = []
        for _ in range(2):
            button.click()
            state = index_page.evaluate(bw.SORT_STATE_JS, column)
            assert state["ariaSort"] in ("ascending", "descending"), (column, state)
            assert _in_order(state["keys"], state["ariaSort"] == "descending") or index_page.evaluate(
                """([keys, desc]) => keys.every((k, i) => i === 0 ||
                   (desc ? -1 : 1) * keys[i - 1].localeCompare(k, undefined, {numeric: true}) <= 0)""",
                [state["keys"], state["ariaSort"] == "descending"]), (column, state)
            assert sorted(state["ids"]) == sorted(before), "sorting lost or added rows"
            states.append(state)
        first, second = states
        assert first["ariaSort"] != second["ariaSort"], f"a second click on column {column} did not reverse it"
        assert second["keys"] == first["keys"][::-1], (column, first["keys"], second["keys"])
        others = index_page.eval_on_selector_all(
            "#evaluations thead th",
            "(ths, c) => ths.filter((_, i) => i !== c).map(th => th.getAttribute('aria-sort'))", column)
        assert all(s in (None, "none") for s in others), f"more than one column marked sorted: {others}"
    bw.save_artefact(ARTEFACTS / "index-sorted.png", index_page.screenshot(full_page=True))


def test_index_filters_rows(index_page, demo_reports):
    box = index_page.locator("input[type=search], input[aria-controls=evaluations]")
    if box.count() == 0:
        pytest.xfail("the index has no filter box yet (contract: typing in an <input type=search> "
                     "hides the #evaluations rows that do not contain the words)")
    box = box.first
    rows = index_page.locator("#evaluations tbody tr")
    total = rows.count()
    title = read_results(demo_reports / REPORTS[0])["title"]
    word = max(re.findall(r"[A-Za-z]{4,}", title), key=len)
    box.fill(word)
    visible = [r for r in (rows.nth(i) for i in range(total)) if r.is_visible()]
    assert visible, f"filtering by {word!r} hid every row"
    assert all(word.lower() in r.inner_text().lower() for r in visible)
    box.fill("no evaluation is called this zzqx")
    assert not any(rows.nth(i).is_visible() for i in range(total))
    box.fill("")
    assert sum(rows.nth(i).is_visible() for i in range(total)) == total
