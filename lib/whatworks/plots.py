"""Charts: one look for every design, embedded in reports as PNG with alt text.

Designs draw with matplotlib through :func:`figure` and return a
:class:`Chart` from :func:`chart`. A Chart carries the picture *and* its alt
text, which must state the chart's finding with its key number, so that a
reviewer using a screen reader gets the same message.

The palette is Okabe–Ito, safe for the common forms of colour blindness.

Examples
--------
>>> fig, ax = figure()
>>> _ = ax.plot([1, 2, 3], [3, 2, 1], color=COLOURS["observed"])
>>> c = chart(fig, alt="Incidents fell from 3 to 1.", caption="Weekly incidents")
>>> c.png[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from .display import esc

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.typing import RcKeyType

matplotlib.rcParams["text.parse_math"] = False  # labels come from specs and data: never maths

__all__ = ["Chart", "ChartSet", "figure", "chart", "overlapping_tick_labels", "COLOURS", "PALETTE"]

#: Okabe–Ito colour-blind-safe palette. Yellow comes last: at 1.3:1 against white it is
#: only for an eighth series (sky blue and orange are also under 3:1; label such lines).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")

#: Okabe–Ito orange darkened to 4:1 against white (WCAG 2.1 1.4.11 asks 3:1 for the marks a
#: reader needs), still told apart from the blue and grey under simulated protanopia,
#: deuteranopia and tritanopia.
_DARK_ORANGE = "#B86E00"

#: Named roles, so every chart uses the same colour for the same thing.
COLOURS = {
    "observed": "#404040",
    "fitted": "#0072B2",
    "counterfactual": "#D55E00",
    "band": "#D55E00",
    "treated": "#0072B2",
    "comparison": "#7f7f7f",
    "buffer": _DARK_ORANGE,
    "improving": "#0072B2",  # NHS "Making Data Count" uses blue for improvement
    "concerning": _DARK_ORANGE,  # and orange for concern
    "common": "#7f7f7f",
    "limit": "#555555",
    "intervention": "#000000",
    "excluded": "#dddddd",
    "forecast": _DARK_ORANGE,
    "actual": "#0072B2",
}

_RC: dict[RcKeyType, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "svg.hashsalt": "whatworks",
    "text.parse_math": False,  # a label is text: "$" in "thefts $_{$" is not maths to typeset
}


def figure(nrows: int = 1, ncols: int = 1, width: float = 8.0, height: float = 3.6,
           **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure in the house style; returns ``(fig, axes)``."""
    with plt.rc_context(_RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)
    for ax in getattr(axes, "flat", [axes]):
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.grid(True, color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
    return fig, axes


@dataclass(frozen=True)
class Chart:
    """A rendered chart with the words a screen reader needs.

    Attributes
    ----------
    png
        The picture, as PNG bytes (deterministic for the same figure).
    alt
        The chart's finding with its key number, e.g. "Thefts were 18% lower
        than expected after the plan began (95% CI 9% to 26%)."
    caption
        A short title shown under the chart.
    tick_overlaps
        Neighbouring tick labels whose boxes overlapped when the chart was
        drawn (:func:`overlapping_tick_labels`); empty for a readable chart.
        A picture hides its labels from a browser, so the page carries this
        measurement as ``data-tick-labels`` ("apart", or the labels that
        overlap) for the browser tests.
    """

    png: bytes
    alt: str
    caption: str = ""
    tick_overlaps: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Chart({self.caption or self.alt[:40]!r})"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        cap = f"<figcaption>{esc(self.caption)}</figcaption>" if self.caption else ""
        ticks = "apart" if not self.tick_overlaps else "overlap: " + "; ".join(self.tick_overlaps)
        return (
            f'<figure class="ww-chart" data-tick-labels="{esc(ticks)}"><img src="data:image/png;base64,{data}" '
            f'alt="{esc(self.alt)}">{cap}</figure>'
        )


@dataclass(frozen=True)
class ChartSet:
    """Several charts shown one after another (small multiples)."""

    charts: tuple[Chart, ...]

    def __iter__(self) -> Iterator[Chart]:
        return iter(self.charts)

    def _repr_html_(self) -> str:
        return "".join(c._repr_html_() for c in self.charts)


def _drawn_labels(axis: Axis) -> list[Text]:
    """The tick labels of ``axis`` that are drawn: visible, with text, at a tick inside the view.

    Matplotlib keeps labels for ticks just outside the view limits; they are not drawn.
    """
    lo, hi = sorted(axis.get_view_interval())
    eps = (hi - lo) * 1e-9
    locs = axis.get_majorticklocs()
    out: list[Text] = []
    for tick, loc in zip(axis.get_major_ticks(len(locs)), locs):
        if lo - eps <= loc <= hi + eps:
            out += [t for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text().strip()]
    return out


def _overlapping(labels: list[Text], renderer: Any) -> list[tuple[int, int]]:
    """Index pairs of ``labels`` whose drawn boxes overlap (sharing only an edge is not overlapping)."""
    import numpy as np

    if len(labels) < 2:
        return []
    boxes = np.array([t.get_window_extent(renderer).extents for t in labels])  # x0, y0, x1, y1
    x0, y0, x1, y1 = (boxes[:, i] for i in range(4))
    wide = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :])
    tall = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :])
    hit = np.triu((wide > 0) & (tall > 0), k=1)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(hit))]


def _fewer_ticks(axis: Axis, shown: int) -> None:
    """Make room on a crowded axis: short date labels first ("Jul", "2023"), then fewer
    ticks; numbers get fewer ticks; fixed labels (categories) are turned, never dropped."""
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker
    from matplotlib.axis import XAxis

    locator, formatter = axis.get_major_locator(), axis.get_major_formatter()
    if isinstance(locator, mdates.DateLocator):
        if not isinstance(formatter, mdates.ConciseDateFormatter):
            # matplotlib.dates has no type information for ConciseDateFormatter
            axis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
            return
        fewer = mdates.AutoDateLocator(minticks=2, maxticks=max(2, shown // 2))  # type: ignore[no-untyped-call]
        axis.set_major_locator(fewer)
        axis.set_major_formatter(mdates.ConciseDateFormatter(fewer))  # type: ignore[no-untyped-call]
    elif isinstance(locator, mticker.FixedLocator):
        for label in axis.get_ticklabels():
            label.set_rotation(90 if label.get_rotation() else 45)
            label.set_horizontalalignment("right" if isinstance(axis, XAxis) else "center")
    else:
        axis.set_major_locator(mticker.MaxNLocator(nbins=max(2, shown // 2)))


def _readable_ticks(fig: Figure, attempts: int = 4) -> list[str]:
    """Lay the figure out, and thin or shorten the tick labels of any axis whose labels run
    into each other, until none do (or ``attempts`` rounds of that have been made).

    Returns what :func:`overlapping_tick_labels` would say of the final layout,
    measured in the same drawing that found it clear.
    """
    for attempt in range(attempts + 1):
        fig.tight_layout()
        fig.draw_without_rendering()  # lays out ticks and text, measured without drawing a pixel
        # the Agg canvas (matplotlib.use("Agg") above) has get_renderer; the stubs type the base canvas
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        crowded = [(axis, len(labels)) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
                   for labels in [_drawn_labels(axis)] if _overlapping(labels, renderer)]
        if not crowded or attempt == attempts:
            return _overlaps_in(fig, renderer)
        for axis, shown in crowded:
            _fewer_ticks(axis, shown)
    raise AssertionError("unreachable")  # pragma: no cover


def _overlaps_in(fig: Figure, renderer: Any) -> list[str]:
    """Every pair of drawn tick labels of ``fig`` that overlap, as drawn last by ``renderer``."""
    labels = [t for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for t in _drawn_labels(axis)]
    return [f"{labels[i].get_text()!r} and {labels[j].get_text()!r}" for i, j in _overlapping(labels, renderer)]


def overlapping_tick_labels(fig: Figure) -> list[str]:
    """Tick labels whose drawn boxes overlap, anywhere in ``fig``.

    Every drawn tick label of every axes is measured by the renderer and
    each pair is compared: neighbours on one axis, a y label running into an
    x label at a corner, and labels of small multiples running into their
    neighbour's.
    """
    fig.draw_without_rendering()
    return _overlaps_in(fig, fig.canvas.get_renderer())  # type: ignore[attr-defined]


def chart(fig: Figure, alt: str, caption: str = "") -> Chart:
    """Turn a matplotlib figure into a :class:`Chart` and close the figure."""
    if not alt or not alt.strip():
        raise ValueError("a chart needs alt text stating its finding")
    overlaps = tuple(_readable_ticks(fig))  # measured in the layout that is saved
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None}, dpi=_RC["savefig.dpi"])
    plt.close(fig)
    return Chart(png=buf.getvalue(), alt=alt.strip(), caption=caption, tick_overlaps=overlaps)
