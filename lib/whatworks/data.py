"""Reading exports (CSV and Excel) into tidy series ready for analysis.

CONTRACT (implementation in progress): see ARCHITECTURE.md, section "data".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

__all__ = ["SeriesData", "read_table", "load_series"]

Freq = Literal["day", "week", "month", "quarter"]


@dataclass(frozen=True)
class SeriesData:
    """A tidy series (or panel of series) ready for a design to fit.

    Attributes
    ----------
    frame
        One row per period (per group and/or unit when given), sorted, with
        columns:

        - ``period``: ``pd.Timestamp``, the start of the period;
        - ``outcome``: float, the count, numerator or value;
        - ``denominator``: float, only for proportions;
        - ``exposure``: float, only when an exposure column is given;
        - ``group``: str, only with a breakdown column (e.g. crime type);
        - ``unit``: str, only with a unit column (area, site);
        - ``excluded``: bool, True for periods in ``exclude_periods``;
        - one column per name in ``output_columns`` (activity measures).
    freq
        ``day``, ``week``, ``month`` or ``quarter``.
    source
        The data file as the user named it (for messages and provenance).
    outcome_label
        What the outcome is, for people ("incidents", or the column name).
    """

    frame: pd.DataFrame
    freq: Freq
    source: str = "data"
    outcome_label: str = "outcome"
