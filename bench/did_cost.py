#!/usr/bin/env python3
"""What the adoption effects cost at scale: `govlens compare` on N generated
communities × 10 years with no adoption metric (the baseline), then one
metric (satisfaction) unconditional, with log_population doubly robust, and
with not-yet-treated controls too — each run's wall time and peak RSS, and
the DiD's share as the difference from the baseline, in one run on one
machine. Writes bench/did_results.md.

    python3 bench/did_cost.py [--communities 100000] [--skip-build]
"""

import argparse
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from run import govlens_config, fmt_rss  # noqa: E402

VARIANTS = [
    ("baseline: no adoption metric", "adoption_metrics = []"),
    ("unconditional, never-treated", 'adoption_metrics = ["satisfaction"]'),
    ("log_population, dr", 'adoption_metrics = ["satisfaction"]\ncovariates = ["log_population"]'),
    ("log_population, dr, not-yet-treated",
     'adoption_metrics = ["satisfaction"]\ncovariates = ["log_population"]\ncontrol = "notyet"'),
]


def measure(cmd):
    t = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return time.time() - t, ru.ru_maxrss


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=100_000)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "did"))
    ap.add_argument("--skip-build", action="store_true")
    a = ap.parse_args()
    if not a.skip_build:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "govlens")
    data = os.path.join(a.out, f"data-{a.communities}")
    if not os.path.exists(os.path.join(data, "regions.csv")):
        subprocess.run([exe, "generate", "--out", data, "--communities", str(a.communities)],
                       check=True, stdout=subprocess.DEVNULL)
    rows = []
    warehouse_done = False
    for name, compare in VARIANTS:
        work = os.path.join(a.out, f"work-{a.communities}")
        cfg = govlens_config(data, work, f"\n[compare]\ndraws = 999\n{compare}\n\n[index]\ndraws = 0\n")
        if not warehouse_done:
            measure([exe, "ingest", "--config", cfg])
            warehouse_done = True
        wall, rss = measure([exe, "compare", "--config", cfg])
        rows.append((name, wall, rss))
        print(f"{name}: {wall:.1f} s, {fmt_rss(rss)}", flush=True)
    base = rows[0][1]
    lines = [
        f"# The adoption effects' cost: {a.communities:,} communities × 10 years",
        "",
        "`govlens compare` (release build, `[index] draws = 0`, `[compare] draws = 999`) with no",
        "adoption metric, then one (satisfaction) by each estimator; the DiD's cost is the",
        "difference from the baseline. `python3 bench/did_cost.py` remakes this table.",
        "",
        "| compare run | wall s | peak RSS | DiD s (− baseline) |",
        "|---|---:|---:|---:|",
    ]
    for name, wall, rss in rows:
        extra = "–" if wall == base else f"{wall - base:.1f}"
        lines.append(f"| {name} | {wall:.1f} | {fmt_rss(rss)} | {extra} |")
    lines += [
        "",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}; measured "
        f"{time.strftime('%Y-%m-%d')}.",
        "",
    ]
    with open(os.path.join(ROOT, "bench", "did_results.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
