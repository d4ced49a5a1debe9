"""Reads every Parquet file of a govlens warehouse with pyarrow and DuckDB and
checks the row counts against _manifest.json. Used by tests/readers.rs."""
import json
import pathlib
import sys

import duckdb
import pyarrow.parquet as pq

wh = pathlib.Path(sys.argv[1])
manifest = json.loads((wh / "_manifest.json").read_text(encoding="utf-8"))
files = sorted(wh.rglob("*.parquet"))
assert files, "no parquet files"
for f in files:
    t = pq.read_table(f)
    n = duckdb.sql(f"select count(*) from read_parquet('{f}')").fetchall()[0][0]
    assert n == t.num_rows, (f, n, t.num_rows)
    meta = pq.read_metadata(f).metadata
    assert meta[b"govlens.run_id"].decode() == manifest["run_id"], f
    table = f.parent.name
    if table in manifest["tables"]:
        assert n == manifest["tables"][table], (table, n, manifest["tables"][table])
q = duckdb.sql(f"select count(*) from read_parquet('{wh}/_quarantine.parquet')").fetchall()[0][0]
assert q == manifest["quarantined"], (q, manifest["quarantined"])
for entry in manifest["files"]:
    # A published total row (合计) is read, checked and counted, never stored.
    assert (
        entry["rows_read"]
        == entry["rows_stored"] + entry["rows_quarantined"] + entry.get("rows_total", 0)
    ), entry
print(f"ok: {len(files)} files read by pyarrow {pq.__name__} and duckdb {duckdb.__version__}")
