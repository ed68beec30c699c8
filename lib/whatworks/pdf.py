"""A report printed to PDF for board papers, by headless Chromium.

``report.pdf`` is ``report.html`` printed as nbconvert's ``webpdf`` exporter
prints a notebook: Chromium, driven by Playwright, opens the page offline,
applies the report's print styles (headings kept with what follows, charts
and tables never split) and prints A4 pages whose footer carries the
classification marking, the title, the production date and the page number.

Playwright comes with the optional extra (``pip install "whatworks[pdf]"``);
the browser is the system's Chromium (Debian's ``chromium`` package, or
Chrome/Edge on Windows), or Playwright's own if one is installed. When
either is missing, :func:`check_available` says which and how to get it,
before any report work starts.

Examples
--------
>>> footer("OFFICIAL", "Shop theft <plan>", "3 March 2025")[:44]
'<div style="font-size:8pt;width:100%;margin:'
>>> "Shop theft &lt;plan&gt;" in footer("OFFICIAL", "Shop theft <plan>", "3 March 2025")
True
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .display import esc
from .errors import RunError

__all__ = ["check_available", "browser_path", "footer", "print_pdf", "EXTRA_HINT"]

#: What to do when the extra is missing.
EXTRA_HINT = ('Install the PDF extra:  pip install "whatworks[pdf]"  and a Chromium browser '
              "(on Debian or Ubuntu: sudo apt-get install chromium; on Windows, Chrome or Edge is used).")

#: A sandbox-free, offline, quiet browser: the report needs nothing from any network.
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome", "msedge")
_WINDOWS = (r"C:\Program Files\Google\Chrome\Application\chrome.exe",
            r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
            r"C:\Program Files\Microsoft\Edge\Application\msedge.exe")


def browser_path() -> str | None:
    """The system's Chromium-family browser (``WHATWORKS_CHROMIUM`` overrides), or ``None``."""
    given = os.environ.get("WHATWORKS_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _WINDOWS if Path(p).is_file()), None)


def check_available() -> None:
    """Raise :class:`RunError` naming the extra or the browser when a PDF cannot be printed here."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise RunError("PDF output needs the 'pdf' extra, which is not installed", hint=EXTRA_HINT) from None
    if browser_path() is None:
        raise RunError("PDF output needs a Chromium browser, and none was found", hint=EXTRA_HINT)


def footer(marking: str, title: str, produced: str) -> str:
    """The footer every page carries: marking, title, date, page n of N (Chromium fills the numbers)."""
    return (
        '<div style="font-size:8pt;width:100%;margin:0 12mm;display:flex;justify-content:space-between;'
        'font-family:Arial,Helvetica,sans-serif;color:#000">'
        f"<span><strong>{esc(marking)}</strong> &middot; {esc(title)}</span>"
        f'<span>{esc(produced)} &middot; page <span class="pageNumber"></span> of '
        '<span class="totalPages"></span></span></div>'
    )


def print_pdf(html: Path, pdf: Path, *, marking: str, title: str, produced: str) -> Path:
    """Print ``html`` (a self-contained report or index page) to an A4 ``pdf``.

    Raises
    ------
    RunError
        When the extra or the browser is missing, or the browser fails.
    """
    check_available()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as play:
            browser = play.chromium.launch(executable_path=browser_path(), args=_ARGS)
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                           else route.abort())
                page.goto(html.resolve().as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.pdf(path=str(pdf), format="A4", print_background=True, display_header_footer=True,
                         header_template="<span></span>", footer_template=footer(marking, title, produced),
                         margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise RunError(f"the browser could not print the report to PDF ({str(exc).splitlines()[0]})",
                       hint="Check that Chromium starts on this machine, or run without PDF output.") from None
    return pdf
