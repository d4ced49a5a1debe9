//! The shards' warehouse partitions → the warehouse one machine would have
//! written, published whole like an ingest.
//!
//! - **regions**: every shard holds the whole tree; shard 0's file is it.
//! - **facts**: each shard's rows are a subset of the input in input order,
//!   tagged with their `_origin` (file, row). Sorted on it (then on
//!   region_code, for the persons layout's band counts made at the end), the
//!   union is the one-machine table row for row; written in batches of the
//!   same size, it is the same file byte for byte. The sort works a range of
//!   origins at a time, so memory does not grow with the table.
//! - **quarantine**: shard 0's regions records as they are, then each fact
//!   table's records of every shard in (file, row) order, as one machine
//!   lists them.
//! - **findings**: W_REFERENCE from shard 0; W_TOTAL, W_SHARE and W_COVERAGE
//!   need whole tables, so they are made here, by the ingest's own queries
//!   over the combined tables.
//! - **manifest**: per file, the shards' counts summed (regions: shard 0's),
//!   so rows_read = rows_stored + rows_quarantined + rows_total holds over the whole run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::cluster::shard::ShardManifest;
use crate::cluster::ClusterError;
use crate::config::Config;
use crate::contract::{Table, SCHEMA_VERSION};
use crate::ingest::sink::{BATCH_ROWS, ORIGIN};
use crate::ingest::{self, findings, quarantine, Planned};
use crate::warehouse::{self, FileEntry, Manifest, Staging, TableWriter, WarehouseError};

fn perr(what: impl Into<String>) -> impl FnOnce(PolarsError) -> ClusterError {
    let what = what.into();
    move |source| ClusterError::Polars { what, source }
}

fn scan(path: &Path) -> PolarsResult<LazyFrame> {
    LazyFrame::scan_parquet(PlRefPath::try_from_path(path)?, ScanArgsParquet::default())
}

/// Stored rows a merge step holds: the partitions are read a range of
/// origins at a time, so memory stays bounded at national scale (62M
/// member-age rows in one sort took ~10 GB).
const MERGE_ROWS: u64 = 4_000_000;

/// Ranges `[lo, hi)` of `_origin` (file index << 44 | spreadsheet row) that
/// hold about [`MERGE_ROWS`] stored rows each, for a table whose files have
/// about `lines[k]` rows and which stored `stored` rows in all; the last
/// range is open, and takes the rows made after reading (`u64::MAX`).
fn origin_ranges(lines: &[u64], stored: u64, merge_rows: u64) -> Vec<(u64, Option<u64>)> {
    let read: u64 = lines.iter().sum::<u64>().max(1);
    // Wide files store several rows a line.
    let per_line = (stored as f64 / read as f64).max(1.0);
    let step = ((merge_rows as f64 / per_line) as u64).max(1);
    let mut out = Vec::new();
    for (k, n) in lines.iter().enumerate() {
        let base = (k as u64) << 44;
        let mut row = 0;
        while row + step < *n {
            out.push((base + row, Some(base + row + step)));
            row += step;
        }
        out.push((base + row, Some(((k as u64) + 1) << 44)));
    }
    let end = (lines.len() as u64) << 44;
    out.push((end, None));
    out
}

/// Writes the union of the partitions `parts`, sorted on (`_origin`,
/// region_code) without `_origin`, to `path`, one range of origins at a time;
/// row groups of [`BATCH_ROWS`] rows run across ranges, as ingest writes them.
fn merge_table(
    what: &str,
    parts: &[PathBuf],
    ranges: &[(u64, Option<u64>)],
    path: &Path,
    metadata: &[(String, String)],
) -> Result<u64, ClusterError> {
    let mut writer: Option<TableWriter> = None;
    let mut pending: Option<DataFrame> = None;
    for (lo, hi) in ranges {
        let keep = match hi {
            Some(hi) => col(ORIGIN).gt_eq(lit(*lo)).and(col(ORIGIN).lt(lit(*hi))),
            None => col(ORIGIN).gt_eq(lit(*lo)),
        };
        let lfs = parts
            .iter()
            .map(|p| Ok(scan(p)?.filter(keep.clone())))
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(perr(what))?;
        let df = concat(lfs, UnionArgs::default())
            .and_then(|lf| {
                lf.sort(
                    [ORIGIN, "region_code"],
                    SortMultipleOptions::default().with_maintain_order(true),
                )
                .drop(cols([ORIGIN]))
                .collect()
            })
            .map_err(perr(what))?;
        if writer.is_none() {
            writer = Some(TableWriter::at(path, df.schema(), metadata)?);
        }
        let w = writer.as_mut().expect("created above");
        let mut buf = match pending.take() {
            Some(mut p) => {
                p.vstack_mut_owned(df).map_err(perr(what))?;
                p
            }
            None => df,
        };
        while buf.height() >= BATCH_ROWS {
            let mut head = buf.slice(0, BATCH_ROWS);
            head.rechunk_mut_par();
            w.write(&head)?;
            buf = buf.slice(BATCH_ROWS as i64, usize::MAX);
        }
        pending = Some(buf);
    }
    let mut w = writer.expect("at least one range");
    if let Some(mut rest) = pending {
        rest.rechunk_mut_par();
        w.write(&rest)?;
    }
    Ok(w.finish()?)
}

fn read(path: &Path) -> Result<DataFrame, ClusterError> {
    let f = std::fs::File::open(path).map_err(|source| WarehouseError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    ParquetReader::new(f)
        .finish()
        .map_err(perr(path.display().to_string()))
}

/// Merges the shards (in shard order, shard 0 first) into `config.warehouse`.
pub fn merge(
    config: &Config,
    planned: &[Planned],
    shards: &[(PathBuf, ShardManifest)],
) -> Result<Manifest, ClusterError> {
    let run_id = ingest::run_id(config, planned);
    let metadata = ingest::metadata(&run_id, planned);
    ingest::refuse_newer(&config.warehouse)?;
    let staging = Staging::new(&config.warehouse)?;
    let parts = |table: &str| -> Vec<PathBuf> {
        shards
            .iter()
            .map(|(d, _)| d.join("warehouse").join(table).join("part-0.parquet"))
            .collect()
    };
    let mut tables = BTreeMap::new();

    // The tree: shard 0's copy.
    let (first, m0) = &shards[0];
    let regions_dir = staging.dir.join(Table::Regions.name());
    std::fs::create_dir_all(&regions_dir).map_err(|source| WarehouseError::Io {
        path: regions_dir.clone(),
        source,
    })?;
    let from = first
        .join("warehouse")
        .join(Table::Regions.name())
        .join("part-0.parquet");
    let to = regions_dir.join("part-0.parquet");
    std::fs::copy(&from, &to)
        .and_then(|_| std::fs::File::open(&to)?.sync_all())
        .map_err(|source| WarehouseError::Io {
            path: to.clone(),
            source,
        })?;
    tables.insert(
        Table::Regions.name().to_string(),
        m0.tables
            .get(Table::Regions.name())
            .copied()
            .unwrap_or_default(),
    );

    // Facts in input order, a range of origins at a time.
    let facts = Table::FACTS;
    for table in facts {
        let t = std::time::Instant::now();
        let files: Vec<&FileEntry> = m0
            .files
            .iter()
            .filter(|f| f.table == table.name())
            .collect();
        let stored: u64 = shards
            .iter()
            .map(|(_, m)| m.tables.get(table.name()).copied().unwrap_or(0))
            .sum();
        let lines: Vec<u64> = files
            .iter()
            .map(|f| {
                let read: u64 = shards
                    .iter()
                    .flat_map(|(_, m)| m.files.iter())
                    .filter(|g| g.path == f.path && g.table == f.table)
                    .map(|g| g.rows_read)
                    .sum();
                // Titles, the header block, notes (shard 0's) and the rows.
                read + f.preamble_rows + f.header_rows.len().max(1) as u64 + f.rows_note + 1
            })
            .collect();
        let folder = staging.dir.join(table.name());
        std::fs::create_dir_all(&folder).map_err(|source| WarehouseError::Io {
            path: folder.clone(),
            source,
        })?;
        let ranges = origin_ranges(&lines, stored, MERGE_ROWS);
        let rows = merge_table(
            table.name(),
            &parts(table.name()),
            &ranges,
            &folder.join("part-0.parquet"),
            &metadata,
        )?;
        tables.insert(table.name().to_string(), rows);
        tracing::info!(
            table = table.name(),
            rows,
            seconds = t.elapsed().as_secs_f64(),
            "merged"
        );
    }

    // Quarantine: regions from shard 0, then facts per table in (file, row).
    let file_index: BTreeMap<&str, u32> = planned
        .iter()
        .enumerate()
        .map(|(i, p)| (p.shown.as_str(), i as u32))
        .collect();
    let mut quarantine_parts = Vec::new();
    let mut columns: Vec<Expr> = Vec::new();
    for (k, (dir, _)) in shards.iter().enumerate() {
        let q = read(&dir.join("warehouse").join("_quarantine.parquet"))?;
        if k == 0 {
            columns = q
                .get_column_names()
                .iter()
                .map(|c| col(c.as_str()))
                .collect();
        }
        let keep = if k == 0 {
            q
        } else {
            q.lazy()
                .filter(col("table").neq(lit(Table::Regions.name())))
                .collect()
                .map_err(perr("_quarantine"))?
        };
        quarantine_parts.push(keep.lazy());
    }
    let order = df!(
        "source" => file_index.keys().copied().collect::<Vec<_>>(),
        "_file" => file_index.values().copied().collect::<Vec<_>>(),
    )
    .map_err(perr("_quarantine"))?;
    let mut q = concat(quarantine_parts, UnionArgs::default())
        .and_then(|lf| {
            lf.join(
                order.lazy(),
                [col("source")],
                [col("source")],
                JoinArgs {
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
            // Regions' records stay in shard 0's order (the tree's own
            // rejects follow the row rules'); facts go by file, then row.
            .with_columns([
                col("table")
                    .eq(lit(Table::Regions.name()))
                    .not()
                    .alias("_fact"),
                when(col("table").eq(lit(Table::Regions.name())))
                    .then(lit(0u64))
                    .otherwise(col("row"))
                    .alias("_row"),
            ])
            .sort(
                ["_fact", "_file", "_row"],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .select(columns)
            .collect()
        })
        .map_err(perr("_quarantine"))?;
    q.rechunk_mut_par();
    warehouse::write_frame(&staging.dir.join("_quarantine.parquet"), &mut q, &metadata)?;

    // Findings: shard 0's (W_REFERENCE), then the group findings per table.
    let regions = read(&to)?;
    let tree = regions
        .select(["region_code", "region_name", "level"])
        .map_err(perr("regions"))?;
    let codes: Vec<String> = regions
        .column("region_code")
        .and_then(|c| Ok(c.str()?.iter().flatten().map(String::from).collect()))
        .map_err(perr("regions"))?;
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let mut found = Vec::new();
    for table in facts {
        if let Some(src) = config.source(table) {
            let path = staging.dir.join(table.name()).join("part-0.parquet");
            found.extend(
                findings::group_findings(&path, table, src, tables[table.name()], &codes, &tree)
                    .map_err(perr(table.name()))?,
            );
        }
    }
    let group = quarantine::findings_frame(&found).map_err(perr("_findings"))?;
    let mut f = read(&first.join("warehouse").join("_findings.parquet"))?
        .vstack(&group)
        .map_err(perr("_findings"))?;
    f.rechunk_mut_par();
    warehouse::write_frame(&staging.dir.join("_findings.parquet"), &mut f, &metadata)?;

    // The files' accounting: regions as shard 0 read them, facts summed.
    let mut files: Vec<FileEntry> = m0.files.clone();
    for f in files
        .iter_mut()
        .filter(|f| f.table != Table::Regions.name())
    {
        f.rows_read = 0;
        f.rows_stored = 0;
        f.rows_quarantined = 0;
        f.rows_total = 0;
        f.rows_note = 0;
        for (_, m) in shards {
            if let Some(g) = m
                .files
                .iter()
                .find(|g| g.path == f.path && g.table == f.table)
            {
                f.rows_read += g.rows_read;
                f.rows_stored += g.rows_stored;
                f.rows_quarantined += g.rows_quarantined;
                f.rows_total += g.rows_total;
                f.rows_note += g.rows_note;
            }
        }
    }
    let codes = ingest::codes_applied(config, &files, 0);
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        govlens_version: env!("CARGO_PKG_VERSION").into(),
        run_id,
        config_hash: ingest::config_hash(config),
        simulated: ingest::is_simulated(planned),
        files,
        tables,
        quarantined: q.height() as u64,
        findings: f.height() as u64,
        codes,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    warehouse::write_text(&staging.dir.join("_manifest.json"), &json)?;
    staging.publish()?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_ranges_cover_every_origin_once() {
        let r = origin_ranges(&[10_000_000, 5], 10_000_005, MERGE_ROWS);
        assert_eq!(r.first().unwrap().0, 0);
        for w in r.windows(2) {
            assert_eq!(w[0].1, Some(w[1].0), "contiguous: {r:?}");
        }
        assert_eq!(r.last().unwrap(), &(2 << 44, None));
        // 10M rows in ranges of 4M rows: 3 for the first file, 1 for the second.
        assert_eq!(r.len(), 5, "{r:?}");
        // A wide file: 6 stored rows a line → ranges of 4M/6 lines.
        let wide = origin_ranges(&[1_000_000], 6_000_000, MERGE_ROWS);
        assert_eq!(wide.len(), 3, "{wide:?}");
    }

    /// Small ranges give the same file as one range: row groups carry over
    /// range boundaries (200k rows: three full row groups and a rest).
    #[test]
    fn merging_in_ranges_writes_the_bytes_of_one_sort() {
        let tmp = tempfile::tempdir().unwrap();
        let n = 200_000u64;
        // Two files of 100k lines; rows dealt to 3 shards by a hash of the row.
        let origin = |i: u64| ((i / 100_000) << 44) | (i % 100_000 + 2);
        let mut parts = Vec::new();
        for shard in 0..3u64 {
            let rows: Vec<u64> = (0..n)
                .filter(|i| (i * 2_654_435_761) % 3 == shard)
                .collect();
            let mut df = df!(
                "region_code" => rows.iter().map(|i| format!("{:06}", i % 977)).collect::<Vec<_>>(),
                "count" => rows.iter().map(|i| *i as f64 * 0.5).collect::<Vec<_>>(),
                ORIGIN => rows.iter().map(|i| origin(*i)).collect::<Vec<_>>(),
            )
            .unwrap();
            let p = tmp.path().join(format!("p{shard}.parquet"));
            warehouse::write_frame(&p, &mut df, &[]).unwrap();
            parts.push(p);
        }
        let lines = [100_002, 100_002];
        let whole = tmp.path().join("whole.parquet");
        let ranged = tmp.path().join("ranged.parquet");
        let one = origin_ranges(&lines, n, u64::MAX / 4);
        let many = origin_ranges(&lines, n, 7_000);
        assert_eq!(one.len(), 3);
        assert!(many.len() > 20, "{}", many.len());
        assert_eq!(merge_table("t", &parts, &one, &whole, &[]).unwrap(), n);
        assert_eq!(merge_table("t", &parts, &many, &ranged, &[]).unwrap(), n);
        assert_eq!(
            std::fs::read(&whole).unwrap(),
            std::fs::read(&ranged).unwrap()
        );
        let back = read(&ranged).unwrap();
        let counts: Vec<f64> = back
            .column("count")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] < w[1]),
            "input order restored"
        );
    }
}
