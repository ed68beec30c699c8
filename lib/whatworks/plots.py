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
    from matplotlib.figure import Figure
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
    """

    png: bytes
    alt: str
    caption: str = ""

    def __repr__(self) -> str:
        return f"Chart({self.caption or self.alt[:40]!r})"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        cap = f"<figcaption>{esc(self.caption)}</figcaption>" if self.caption else ""
        return (
            f'<figure class="ww-chart"><img src="data:image/png;base64,{data}" '
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


def _concise_dates(fig: Figure) -> None:
    """Short date labels ("Jul", "2023") where matplotlib's default ISO labels on a
    date axis would run into each other (narrow charts, long periods)."""
    import matplotlib.dates as mdates

    axes = [ax for ax in fig.axes if type(ax.xaxis.get_major_formatter()) is mdates.AutoDateFormatter]
    if not axes:
        return
    fig.canvas.draw()
    # the Agg canvas (matplotlib.use("Agg") above) has get_renderer; the stubs type the base canvas
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in axes:
        boxes = [t.get_window_extent(renderer) for t in ax.xaxis.get_ticklabels() if t.get_visible() and t.get_text()]
        if any(a.x1 > b.x0 for a, b in zip(boxes, boxes[1:])):
            locator = ax.xaxis.get_major_locator()
            # matplotlib.dates has no type information for ConciseDateFormatter
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def overlapping_tick_labels(fig: Figure) -> list[str]:
    """Pairs of neighbouring tick labels whose drawn boxes overlap, on any axis of ``fig``."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    found: list[str] = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            boxes = [t.get_window_extent(renderer) for t in labels]
            for (ta, a), (tb, b) in zip(zip(labels, boxes), zip(labels[1:], boxes[1:])):
                if a.overlaps(b):
                    found.append(f"{ta.get_text()!r} and {tb.get_text()!r}")
    return found


def chart(fig: Figure, alt: str, caption: str = "") -> Chart:
    """Turn a matplotlib figure into a :class:`Chart` and close the figure."""
    if not alt or not alt.strip():
        raise ValueError("a chart needs alt text stating its finding")
    _concise_dates(fig)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None}, dpi=_RC["savefig.dpi"])
    plt.close(fig)
    return Chart(png=buf.getvalue(), alt=alt.strip(), caption=caption)
