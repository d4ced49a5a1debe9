#!/usr/bin/env python3
"""The peers govlens is measured against: the same job written the way a
researcher would write it in DuckDB (SQL) or pandas.

The job, on the generated inputs (regions, member_ages, disputes,
service_usage as CSV):

ingest   read every CSV as text; apply the row rules of contract §2 that
         the generated data can exercise (E_REQUIRED, E_PARSE, E_RANGE,
         E_CODE, E_ORDER, E_DUPLICATE); write the stored rows as typed
         Parquet and the rejected rows, with their rule, as a quarantine.
metrics  per community and year: members and young/old shares and mean age
         per role (bands split at 30 and 45 as govlens does), disputes per
         10k, resolution and escalation rates, visits per 1k (total and per
         centre type), centre coverage, visit-weighted satisfaction; the
         governance model inherited down the region tree; a long
         unit_metrics table.
models   per model, year and metric: n, mean, sd, median, q1, q3.

govlens does more in `compare` (bootstrap intervals, Kruskal–Wallis, Dunn,
the index with its Monte Carlo, the DiD): the peers do only the parts SQL
and pandas users would write by hand, so the comparison favours them.

usage: peers.py duckdb|pandas INPUTS OUT
Prints one JSON line: rows stored/quarantined and a check value (the mean
resolution rate over all unit-years) that bench/run.py compares with
govlens's own unit_metrics.
"""

import json
import os
import sys

BANDS_SQL = """
    CASE
      WHEN age_band LIKE '<%' THEN 0
      WHEN age_band LIKE '%+' THEN TRY_CAST(rtrim(age_band, '+') AS INTEGER)
      ELSE TRY_CAST(split_part(age_band, '-', 1) AS INTEGER) END AS age_lo,
    CASE
      WHEN age_band LIKE '<%' THEN TRY_CAST(ltrim(age_band, '<') AS INTEGER) - 1
      WHEN age_band LIKE '%+' THEN NULL
      ELSE TRY_CAST(split_part(age_band, '-', 2) AS INTEGER) END AS age_hi
"""


def duckdb_job(inputs, out):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{out}/duckdb.tmp'")
    src = lambda t: f"read_csv('{inputs}/{t}.csv', all_varchar = true, header = true)"
    q = con.execute
    # Regions: code format, duplicates, parent known.
    q(f"""
    CREATE TABLE r_raw AS
    SELECT row_number() OVER () + 1 AS row, * FROM {src('regions')}""")
    q("""
    CREATE TABLE r AS
    SELECT *, CASE
      WHEN region_code IS NULL THEN 'E_REQUIRED'
      WHEN NOT regexp_full_match(region_code, '[0-9]{6}([0-9]{3}([0-9]{3})?)?') THEN 'E_CODE'
      WHEN population IS NOT NULL AND TRY_CAST(population AS BIGINT) IS NULL THEN 'E_PARSE'
      WHEN TRY_CAST(population AS BIGINT) < 0 THEN 'E_RANGE'
      WHEN row_number() OVER (PARTITION BY region_code ORDER BY row) > 1 THEN 'E_DUPLICATE'
      END AS rule
    FROM r_raw""")
    q("""
    CREATE TABLE regions AS
    SELECT region_code, region_name, level, parent_code, governance_model,
           TRY_CAST(model_adopted AS INTEGER) AS model_adopted,
           TRY_CAST(population AS BIGINT) AS population
    FROM r WHERE rule IS NULL""")

    def fact(table, typed, checks, key):
        q(f"CREATE TABLE {table}_raw AS SELECT row_number() OVER () + 1 AS row, * FROM {src(table)}")
        q(f"""
        CREATE TABLE {table}_t AS
        SELECT row, {typed}, CASE
          WHEN region_code IS NULL OR period IS NULL THEN 'E_REQUIRED'
          {checks}
          WHEN region_code NOT IN (SELECT region_code FROM regions) THEN 'E_CODE'
          WHEN row_number() OVER (PARTITION BY {key} ORDER BY row) > 1 THEN 'E_DUPLICATE'
          END AS rule
        FROM {table}_raw""")
        q(f"COPY (SELECT * EXCLUDE (row, rule) FROM {table}_t WHERE rule IS NULL) "
          f"TO '{out}/{table}.parquet' (FORMAT parquet)")
        q(f"COPY (SELECT '{table}' AS tbl, row, rule FROM {table}_t WHERE rule IS NOT NULL) "
          f"TO '{out}/{table}_quarantine.parquet' (FORMAT parquet)")
        q(f"DROP TABLE {table}_raw")

    fact("member_ages",
         f"region_code, TRY_CAST(period AS INTEGER) AS period, role, age_band, "
         f"TRY_CAST(count AS DOUBLE) AS count, TRY_CAST(reported_share AS DOUBLE) AS reported_share, "
         f"{BANDS_SQL}",
         """WHEN TRY_CAST(period AS INTEGER) IS NULL OR TRY_CAST(count AS DOUBLE) IS NULL THEN 'E_PARSE'
            WHEN TRY_CAST(count AS DOUBLE) < 0 THEN 'E_RANGE'""",
         "region_code, period, role, age_band")
    fact("disputes",
         "region_code, TRY_CAST(period AS INTEGER) AS period, category, "
         "TRY_CAST(received AS BIGINT) AS received, TRY_CAST(resolved AS BIGINT) AS resolved, "
         "TRY_CAST(escalated AS BIGINT) AS escalated, TRY_CAST(mean_days AS DOUBLE) AS mean_days",
         """WHEN TRY_CAST(period AS INTEGER) IS NULL OR TRY_CAST(received AS BIGINT) IS NULL
                 OR TRY_CAST(resolved AS BIGINT) IS NULL THEN 'E_PARSE'
            WHEN TRY_CAST(received AS BIGINT) < 0 OR TRY_CAST(resolved AS BIGINT) < 0 THEN 'E_RANGE'
            WHEN TRY_CAST(resolved AS BIGINT) > TRY_CAST(received AS BIGINT)
                 OR TRY_CAST(escalated AS BIGINT) > TRY_CAST(received AS BIGINT) THEN 'E_ORDER'""",
         "region_code, period, category")
    fact("service_usage",
         "region_code, TRY_CAST(period AS INTEGER) AS period, center_type, "
         "TRY_CAST(visits AS BIGINT) AS visits, TRY_CAST(services AS BIGINT) AS services, "
         "TRY_CAST(satisfaction AS DOUBLE) AS satisfaction, TRY_CAST(staff AS BIGINT) AS staff",
         """WHEN TRY_CAST(period AS INTEGER) IS NULL OR TRY_CAST(visits AS BIGINT) IS NULL THEN 'E_PARSE'
            WHEN TRY_CAST(visits AS BIGINT) < 0 THEN 'E_RANGE'""",
         "region_code, period, center_type")
    q(f"COPY regions TO '{out}/regions.parquet' (FORMAT parquet)")
    stored = {t: q(f"SELECT count(*) FROM {t}_t WHERE rule IS NULL").fetchone()[0]
              for t in ["member_ages", "disputes", "service_usage"]}
    quarantined = sum(q(f"SELECT count(*) FROM {t}_t WHERE rule IS NOT NULL").fetchone()[0]
                      for t in ["member_ages", "disputes", "service_usage"])
    for t in ["member_ages", "disputes", "service_usage"]:
        q(f"DROP TABLE {t}_t")

    # Metrics, from the Parquet just written (as govlens reads its warehouse).
    pq = lambda t: f"read_parquet('{out}/{t}.parquet')"
    q(f"""
    CREATE TABLE units AS
    SELECT c.region_code AS unit, c.population,
           coalesce(c.governance_model, s.governance_model, k.governance_model,
                    y.governance_model, p.governance_model, 'none') AS model
    FROM {pq('regions')} c
    LEFT JOIN {pq('regions')} s ON s.region_code = c.parent_code
    LEFT JOIN {pq('regions')} k ON k.region_code = s.parent_code
    LEFT JOIN {pq('regions')} y ON y.region_code = k.parent_code
    LEFT JOIN {pq('regions')} p ON p.region_code = y.parent_code
    WHERE c.level = 'community'""")
    q(f"""
    CREATE TABLE unit_metrics AS
    WITH a AS (
      SELECT region_code AS unit, period, role,
        sum(count) AS members,
        sum(count * CASE WHEN coalesce(age_hi, age_lo + 9) < 30 THEN 1.0 WHEN age_lo >= 30 THEN 0.0
                    ELSE (30 - age_lo) / (coalesce(age_hi, age_lo + 9) - age_lo + 1.0) END) AS young,
        sum(count * CASE WHEN age_lo >= 45 THEN 1.0 WHEN coalesce(age_hi, age_lo + 9) < 45 THEN 0.0
                    ELSE (coalesce(age_hi, age_lo + 9) - 45 + 1.0) / (coalesce(age_hi, age_lo + 9) - age_lo + 1.0) END) AS old,
        sum(count * CASE WHEN age_hi IS NULL THEN age_lo + 5 ELSE (age_lo + age_hi) / 2.0 END) AS agesum
      FROM {pq('member_ages')} WHERE age_band <> 'total' GROUP BY ALL),
    d AS (
      SELECT region_code AS unit, period, sum(received) AS received, sum(resolved) AS resolved,
             sum(escalated) AS escalated
      FROM {pq('disputes')} GROUP BY ALL),
    v AS (
      SELECT region_code AS unit, period, center_type, sum(visits) AS visits,
             sum(satisfaction * visits) AS sat_w
      FROM {pq('service_usage')} GROUP BY ALL),
    vt AS (
      SELECT unit, period, sum(visits) AS visits,
             count(DISTINCT center_type) FILTER (WHERE visits > 0 AND center_type <> 'other') AS centres,
             sum(sat_w) / nullif(sum(visits), 0) AS satisfaction
      FROM v GROUP BY ALL)
    SELECT unit, period, 'members' AS metric, role AS breakdown, members AS value FROM a
    UNION ALL SELECT unit, period, 'share_young', role, young / members FROM a
    UNION ALL SELECT unit, period, 'share_old', role, old / members FROM a
    UNION ALL SELECT unit, period, 'aging_ratio', role, CASE WHEN young > 0 THEN old / young END FROM a
    UNION ALL SELECT unit, period, 'mean_age', role, agesum / members FROM a
    UNION ALL SELECT d.unit, period, 'disputes_per_10k', NULL, received / u.population * 10000
      FROM d JOIN units u USING (unit)
    UNION ALL SELECT unit, period, 'resolution_rate', NULL,
      CASE WHEN received > 0 THEN resolved / received END FROM d
    UNION ALL SELECT unit, period, 'escalation_rate', NULL,
      CASE WHEN received > 0 THEN escalated / received END FROM d
    UNION ALL SELECT v.unit, period, 'visits_per_1k', center_type, visits / u.population * 1000
      FROM v JOIN units u USING (unit)
    UNION ALL SELECT vt.unit, period, 'visits_per_1k', NULL, visits / u.population * 1000
      FROM vt JOIN units u USING (unit)
    UNION ALL SELECT unit, period, 'center_coverage', NULL, centres / 7.0 FROM vt
    UNION ALL SELECT unit, period, 'satisfaction', NULL, satisfaction FROM vt""")
    q(f"COPY (SELECT m.*, u.model FROM unit_metrics m JOIN units u USING (unit) "
      f"ORDER BY unit, period, metric, breakdown) TO '{out}/unit_metrics.parquet' (FORMAT parquet)")
    q(f"""
    COPY (SELECT u.model, m.period, m.metric, m.breakdown, count(value) AS n, avg(value) AS mean,
                 stddev_samp(value) AS sd, median(value) AS median,
                 quantile_cont(value, 0.25) AS q1, quantile_cont(value, 0.75) AS q3
          FROM unit_metrics m JOIN units u USING (unit)
          GROUP BY ALL ORDER BY ALL) TO '{out}/model_summary.parquet' (FORMAT parquet)""")
    check = q("SELECT avg(value) FROM unit_metrics WHERE metric = 'resolution_rate'").fetchone()[0]
    return stored, quarantined, check


def pandas_job(inputs, out):
    import numpy as np
    import pandas as pd

    read = lambda t: pd.read_csv(f"{inputs}/{t}.csv", dtype=str, keep_default_na=False,
                                 na_values=[""], engine="pyarrow", dtype_backend="pyarrow")
    num = lambda s: pd.to_numeric(s, errors="coerce")
    quarantine = []

    def split(df, table, rule):
        df["row"] = np.arange(len(df)) + 2
        bad = rule.notna()
        quarantine.append(pd.DataFrame({"table": table, "row": df["row"][bad], "rule": rule[bad]}))
        return df[~bad].drop(columns="row")

    def first_rule(df, checks):
        rule = pd.Series(pd.NA, index=df.index, dtype="object")
        for name, mask in checks:
            rule = rule.where(rule.notna() | ~mask.fillna(False).astype(bool), name)
        return rule

    regions = read("regions")
    pop = num(regions["population"])
    rule = first_rule(regions, [
        ("E_REQUIRED", regions["region_code"].isna()),
        ("E_CODE", ~regions["region_code"].fillna("").str.fullmatch(r"[0-9]{6}([0-9]{3}([0-9]{3})?)?")),
        ("E_PARSE", regions["population"].notna() & pop.isna()),
        ("E_RANGE", pop < 0),
        ("E_DUPLICATE", regions.duplicated("region_code")),
    ])
    regions["population"] = pop
    regions = split(regions, "regions", rule)
    regions.to_parquet(f"{out}/regions.parquet")
    known = set(regions["region_code"])

    def fact(table, numeric, checks, key):
        df = read(table)
        for c in numeric:
            df[c] = num(df[c])
        rule = first_rule(df, [
            ("E_REQUIRED", df["region_code"].isna() | df["period"].isna()),
            *checks(df),
            ("E_CODE", ~df["region_code"].isin(known)),
            ("E_DUPLICATE", df.duplicated(key)),
        ])
        df = split(df, table, rule)
        df.to_parquet(f"{out}/{table}.parquet")
        return df

    ages = fact("member_ages", ["period", "count", "reported_share"], lambda d: [
        ("E_PARSE", d["period"].isna() | d["count"].isna()),
        ("E_RANGE", d["count"] < 0)], ["region_code", "period", "role", "age_band"])
    disputes = fact("disputes", ["period", "received", "resolved", "escalated", "mean_days"], lambda d: [
        ("E_PARSE", d["period"].isna() | d["received"].isna() | d["resolved"].isna()),
        ("E_RANGE", (d["received"] < 0) | (d["resolved"] < 0)),
        ("E_ORDER", (d["resolved"] > d["received"]) | (d["escalated"] > d["received"]))],
        ["region_code", "period", "category"])
    usage = fact("service_usage", ["period", "visits", "services", "satisfaction", "staff"], lambda d: [
        ("E_PARSE", d["period"].isna() | d["visits"].isna()),
        ("E_RANGE", d["visits"] < 0)], ["region_code", "period", "center_type"])
    q = pd.concat(quarantine, ignore_index=True)
    q.to_parquet(f"{out}/quarantine.parquet")
    stored = {"member_ages": len(ages), "disputes": len(disputes), "service_usage": len(usage)}

    # Units and the model inherited down the tree.
    r = regions.set_index("region_code")
    model = r["governance_model"].copy()
    parent = r["parent_code"]
    up = parent.copy()
    for _ in range(4):
        model = model.fillna(up.map(r["governance_model"]))
        up = up.map(parent)
    units = r[r["level"] == "community"][["population"]].assign(model=model.fillna("none"))

    a = ages[ages["age_band"] != "total"].copy()
    band = a["age_band"].astype(str)
    lo = np.where(band.str.startswith("<"), 0,
                  np.where(band.str.endswith("+"), num(band.str.rstrip("+")),
                           num(band.str.split("-").str[0])))
    hi_open = band.str.endswith("+").to_numpy()
    hi = np.where(band.str.startswith("<"), num(band.str.lstrip("<")) - 1,
                  np.where(hi_open, lo + 9, num(band.str.split("-").str[-1])))
    width = hi - lo + 1.0
    c = a["count"].to_numpy(dtype=float)
    a["young"] = c * np.where(hi < 30, 1.0, np.where(lo >= 30, 0.0, (30 - lo) / width))
    a["old"] = c * np.where(lo >= 45, 1.0, np.where(hi < 45, 0.0, (hi - 45 + 1.0) / width))
    a["agesum"] = c * np.where(hi_open, lo + 5, (lo + hi) / 2.0)
    g = a.groupby(["region_code", "period", "role"], observed=True)[
        ["count", "young", "old", "agesum"]].sum().reset_index()
    parts = []

    def add(df, metric, value, breakdown=None):
        parts.append(pd.DataFrame({"unit": df["region_code"].to_numpy(), "period": df["period"].to_numpy(),
                                   "metric": metric,
                                   "breakdown": None if breakdown is None else df[breakdown].to_numpy(),
                                   "value": np.asarray(value, dtype=float)}))

    add(g, "members", g["count"], "role")
    add(g, "share_young", g["young"] / g["count"], "role")
    add(g, "share_old", g["old"] / g["count"], "role")
    add(g, "aging_ratio", (g["old"] / g["young"]).where(g["young"] > 0), "role")
    add(g, "mean_age", g["agesum"] / g["count"], "role")
    d = disputes.groupby(["region_code", "period"])[["received", "resolved", "escalated"]].sum().reset_index()
    popd = d["region_code"].map(units["population"])
    add(d, "disputes_per_10k", d["received"] / popd * 10000)
    add(d, "resolution_rate", (d["resolved"] / d["received"]).where(d["received"] > 0))
    add(d, "escalation_rate", (d["escalated"] / d["received"]).where(d["received"] > 0))
    usage["sat_w"] = usage["satisfaction"] * usage["visits"]
    v = usage.groupby(["region_code", "period", "center_type"])[["visits", "sat_w"]].sum().reset_index()
    add(v, "visits_per_1k", v["visits"] / v["region_code"].map(units["population"]) * 1000, "center_type")
    v["covered"] = (v["visits"] > 0) & (v["center_type"] != "other")
    vt = v.groupby(["region_code", "period"]).agg(
        visits=("visits", "sum"), sat_w=("sat_w", "sum"), centres=("covered", "sum")).reset_index()
    add(vt, "visits_per_1k", vt["visits"] / vt["region_code"].map(units["population"]) * 1000)
    add(vt, "center_coverage", vt["centres"] / 7.0)
    add(vt, "satisfaction", (vt["sat_w"] / vt["visits"]).where(vt["visits"] > 0))
    um = pd.concat(parts, ignore_index=True)
    um["model"] = um["unit"].map(units["model"])
    um = um.sort_values(["unit", "period", "metric", "breakdown"], kind="stable")
    um.to_parquet(f"{out}/unit_metrics.parquet")
    gb = um.groupby(["model", "period", "metric", "breakdown"], dropna=False)["value"]
    summary = gb.agg(n="count", mean="mean", sd="std", median="median",
                     q1=lambda s: s.quantile(0.25), q3=lambda s: s.quantile(0.75)).reset_index()
    summary.to_parquet(f"{out}/model_summary.parquet")
    check = float(um.loc[um["metric"] == "resolution_rate", "value"].mean())
    return stored, len(q), check


def main():
    tool, inputs, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    job = {"duckdb": duckdb_job, "pandas": pandas_job}[tool]
    stored, quarantined, check = job(inputs, out)
    print(json.dumps({"tool": tool, "stored": stored, "quarantined": int(quarantined),
                      "resolution_rate_mean": check}))


if __name__ == "__main__":
    main()
