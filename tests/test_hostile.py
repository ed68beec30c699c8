"""Text from specs and data never becomes markup: hostile names are shown, escaped."""

from __future__ import annotations

import pandas as pd

from whatworks.data import SeriesData
from whatworks.designs import its
from whatworks.simulate.its import simulate_counts

HOSTILE = '<img src=x onerror="alert(1)">'


def test_category_names_from_data_are_escaped_everywhere_they_are_shown():
    parts = []
    for i, group in enumerate(["Shoplifting", HOSTILE]):
        series, _ = simulate_counts(seed=i, n_pre=104, n_post=52)
        parts.append(series.frame.assign(group=group))
    frame = pd.concat(parts, ignore_index=True)
    result = its.fit(SeriesData(frame, "week", source="export.csv", outcome_label=HOSTILE),
                     intervention_date=str(parts[0]["period"].iloc[104].date()))
    html = "".join(x._repr_html_() for x in (result.summary, result.table(), result.check_list,
                                             result.plot(), its.plot_forest(result), result.method_notes))
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
