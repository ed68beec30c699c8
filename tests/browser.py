"""Headless Chromium for the browser tests: launch, page logs, in-page checks, numbers.

Only Debian's ``chromium`` package is used (Playwright never downloads a
browser here). The JavaScript snippets run inside a page and return plain
data, so each test states its rule in Python.

Examples
--------
>>> numbers_in("Thefts were 22% lower (95% CI 12% to 31% lower) since 1 January 2024, £1,200 by March 2025, -3.5.")
['22%', '12%', '31%', '£1,200', '2025', '-3.5']
>>> shown_equals("0.650", 0.6495), shown_equals("0.65", 0.6449), shown_equals("-£1,200", -1199.6)
(True, False, True)
>>> shown_equals("35%", 0.3504), shown_equals("-3.2 pts", -0.0321)
(True, True)
>>> contrast_ratio((0x50, 0x5A, 0x5F), (255, 255, 255)) > 4.5
True
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

#: Flags for a sandbox-free, offline, quiet Chromium.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

NO_CHROMIUM = ("Chromium is not installed, so the reports cannot be tested in a browser. "
               "Install Debian's package (sudo apt-get install chromium); `make test` does this when it can.")


def chromium_path() -> str | None:
    """The system Chromium, or ``None``."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    default = Path("/usr/bin/chromium")
    return str(default) if default.is_file() else None


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@dataclass
class PageLog:
    """What a page said and asked for while it was open."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Requests that are neither the page's own file nor a ``data:`` URL."""
        own = self.url.split("#")[0]
        return [u for u in self.requests + self.blocked
                if not u.startswith("data:") and u.split("#")[0] != own]


def save_artefact(path: Path, data: bytes) -> Path:
    """Write a screenshot or PDF atomically (test workers may write the same one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def open_page(context, path: Path):
    """Open ``path`` in a new page, logging console errors and blocking every request but its own."""
    url = path.resolve().as_uri()
    log = PageLog(url)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and log.console_errors.append(m.text))
    page.on("pageerror", lambda e: log.console_errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: log.requests.append(r.url))

    def guard(route):
        if route.request.url.split("#")[0] == url or route.request.url.startswith("data:"):
            route.continue_()
        else:
            log.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(url, wait_until="load")
    return page, log


# -- numbers as people read them -------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])([-\u2212]?)(£?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(%?)")
_DATE = re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
                   r"November|December) \d{4}\b")
_LEVEL = re.compile(r"\b95% (?:CI|confidence|interval)\b|\(95%\)")


def numbers_in(text: str) -> list[str]:
    """Numbers as written (with £ and %), leaving out dates and the interval level."""
    text = _LEVEL.sub(" ", _DATE.sub(" ", text))
    return [m.group(0).replace("\u2212", "-") for m in _NUMBER.finditer(text)]


def _parse(shown: str) -> tuple[float, int] | None:
    m = _NUMBER.search(shown)
    if not m:
        return None
    sign, _, digits, _ = m.groups()
    value = float(digits.replace(",", "")) * (-1 if sign else 1)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return value, decimals


def shown_equals(shown: str, value: float | None) -> bool:
    """Whether ``shown`` is ``value`` rounded for people (as is, or as a percentage)."""
    if value is None:
        return shown.strip() in ("–", "-", "")
    parsed = _parse(shown)
    if parsed is None:
        return False
    number, decimals = parsed
    tolerance = 0.5 * 10 ** -decimals + 1e-9 * max(1.0, abs(value))
    return any(abs(number - value * scale) <= tolerance for scale in (1, 100))


def contrast_ratio(fg, bg) -> float:
    """WCAG 2.1 contrast ratio of two sRGB colours (0-255)."""
    def lum(rgb):
        def channel(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        r, g, b = (channel(v) for v in rgb[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def pdf_pages_text(pdf: Path) -> list[str] | None:
    """The text of each page of a PDF (``pdftotext -layout``), or ``None`` without poppler-utils."""
    tool = shutil.which("pdftotext")
    if not tool:
        return None
    out = subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


# -- in-page checks (each returns plain data) ---------------------------------------

HEADINGS_JS = """() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
  .map(h => ({level: +h.tagName[1], text: h.textContent.trim()}))"""

IMAGES_JS = """() => [...document.images].map(img => ({
  alt: img.getAttribute('alt'), src: img.currentSrc.slice(0, 30), complete: img.complete,
  width: img.naturalWidth}))"""

# Every picture with the tick-label measurement its chart recorded when it was drawn (a PNG hides
# its labels from the browser), and every pair of text elements inside an inline SVG whose drawn
# boxes overlap (the browser measures those itself).
CHART_TICKS_JS = """() => ({
  pictures: [...document.images].map(img => {
    const fig = img.closest('figure.ww-chart');
    return {alt: (img.getAttribute('alt') || '').slice(0, 80),
            ticks: fig ? fig.getAttribute('data-tick-labels') : null};
  }),
  svgOverlaps: [...document.querySelectorAll('svg')].flatMap((svg, k) => {
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim());
    const boxes = texts.map(t => t.getBoundingClientRect());
    const found = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const wide = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const tall = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (wide > 0 && tall > 0) {
          found.push(`svg ${k}: '${texts[i].textContent.trim()}' and '${texts[j].textContent.trim()}'`);
        }
      }
    }
    return found;
  }),
})"""

TABLES_JS = """() => [...document.querySelectorAll('table')].map(t => ({
  id: t.id, caption: t.caption ? t.caption.textContent.trim() : null,
  headers: [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()),
  colHeaders: t.querySelectorAll('th[scope=col], thead th').length,
  rows: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(c => c.textContent.trim())),
}))"""

# Text of every element that holds its own text, with its computed colour over the
# background it actually sits on (translucent layers composited, white page below).
CONTRAST_JS = """() => {
  const parse = c => { const m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1]; for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg; };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim());
    if (!own.length || !el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || +s.opacity === 0) continue;
    const bg = background(el); const fg0 = parse(s.color);
    out.push({tag: el.tagName.toLowerCase(), cls: el.className || '', text: own[0].textContent.trim().slice(0, 50),
      fg: fg0 ? over(fg0, bg) : null, raw: s.color, bg: bg,
      size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10)});
  }
  return out; }"""

PRINT_STYLE_JS = """() => {
  const style = sel => { const el = document.querySelector(sel); if (!el) return null;
    const s = getComputedStyle(el); return {display: s.display, position: s.position, breakInside: s.breakInside}; };
  return {
    marking: getComputedStyle(document.documentElement).getPropertyValue('--ww-marking').trim(),
    top: style('.ww-marking-top'), bottom: style('.ww-marking-bottom'),
    charts: [...document.querySelectorAll('figure, table')].map(el => getComputedStyle(el).breakInside),
  }; }"""

SORT_STATE_JS = """(column) => {
  const table = document.querySelector('#evaluations');
  const th = table.querySelectorAll('thead th')[column];
  const rows = [...table.tBodies[0].rows].filter(r => r.offsetParent !== null || r.getClientRects().length);
  const cell = r => r.cells[column];
  const key = c => c ? (c.dataset.sortValue ?? c.dataset.sort ?? c.dataset.value ?? c.textContent.trim()) : '';
  return {ariaSort: th.getAttribute('aria-sort'), keys: rows.map(r => key(cell(r))),
          ids: rows.map(r => r.cells[0].textContent.trim())}; }"""


# -- colour vision ---------------------------------------------------------------------

#: Machado, Oliveira & Fernandes (2009) matrices at full severity, on linear sRGB.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def _linear(hex_colour: str) -> list[float]:
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]


def _lab(linear) -> tuple[float, float, float]:
    linear = [min(1.0, max(0.0, c)) for c in linear]
    xyz = [sum(m * c for m, c in zip(row, linear)) for row in
           ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))]
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
         for t in (xyz[0] / 0.95047, xyz[1], xyz[2] / 1.08883)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def colour_difference(a: str, b: str, vision: str | None = None) -> float:
    """CIELAB ΔE (1976) between two colours, as seen with ``vision`` (a key of :data:`CVD`).

    >>> round(colour_difference("#0072B2", "#B86E00", "deuteranopia")) > 50
    True
    """
    la, lb = _linear(a), _linear(b)
    if vision:
        m = CVD[vision]
        la, lb = ([sum(x * c for x, c in zip(row, v)) for row in m] for v in (la, lb))
    return sum((x - y) ** 2 for x, y in zip(_lab(la), _lab(lb))) ** 0.5


def hex_contrast(a: str, b: str = "#FFFFFF") -> float:
    """WCAG contrast of two ``#rrggbb`` colours."""
    return contrast_ratio(*(tuple(int(c.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)) for c in (a, b)))
