"""Scale benchmark for the trial analysis: a 1,000,000-row trial file.

Simulates a million fraud victims with the demo design (three arms, four
outcomes, covariates, strata, receipt, survey response and exclusions), runs
:func:`whatworks.designs.rct.fit` on it, and prints the analysis time, the
peak memory allocated during the analysis (tracemalloc) and the process's
peak resident memory (``resource.getrusage``), plus the size of the result
as JSON. The target is under 2 GiB peak memory.

Run: ``python benchmarks/rct_scale.py [rows]``. Not a test.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc

from whatworks.designs import rct
from whatworks.simulate.rct import ARMS, simulate_trial

SPEC = {
    "id_column": "victim_id",
    "arm_column": "arm",
    "control_arm": "bau_letter",
    "outcomes": [
        {"column": "repeat_victim", "type": "binary", "primary": True, "label": "Repeat victimisation",
         "smallest_effect": 0.02, "source": "police_recorded"},
        {"column": "repeat_incidents", "type": "count", "label": "Repeat incidents", "smallest_effect": 0.1,
         "source": "police_recorded"},
        {"column": "loss_gbp", "type": "continuous", "label": "Money lost (£)", "smallest_effect": 20,
         "source": "administrative"},
        {"column": "feels_protected", "type": "likert", "label": "Feels protected", "smallest_effect": 0.05,
         "source": "survey"},
    ],
    "covariates": ["age", "prior_victim", "vulnerable", "fraud_type"],
    "strata_column": "area",
    "received_column": "received",
    "responded_column": "responded",
    "exclusion_column": "exclusion_reason",
    "subgroups": ["vulnerable"],
    "message_encourages_reporting": True,
    "intended_ratios": {arm: 1 for arm in ARMS},
    "allocation_method": "complete",
}


def main(rows: int = 1_000_000) -> None:
    start = time.perf_counter()
    frame = simulate_trial(seed=1, n=rows)
    made = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    result = rct.fit(frame, **SPEC, source="benchmark.csv")
    elapsed = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    payload = json.dumps(result.to_dict())
    charts = len(result.plot().png) + len(rct.plot_consort(result).png)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(f"rows analysed:                 {rows:,}")
    print(f"data simulated in:             {made:.1f} s")
    print(f"analysis time:                 {elapsed:.1f} s")
    print(f"peak memory during analysis:   {traced_peak / 2**20:,.0f} MiB (tracemalloc)")
    print(f"peak resident memory, process: {rss_peak:,.0f} MiB (getrusage, includes the data)")
    print(f"result as JSON:                {len(payload) / 1024:,.1f} KiB; charts {charts / 1024:,.0f} KiB")
    print(f"headline:                      {result.headline.name} = {result.headline.estimate:.4f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
