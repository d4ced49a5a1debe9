//! The shards' warehouse partitions → the warehouse one machine would have
//! written, published whole like an ingest.
//!
//! - **regions**: every shard holds the whole tree; shard 0's file is it.
//! - **facts**: each shard's rows are a subset of the input in input order,
//!   tagged with their `_origin` (file, row). Sorted on it (then on
//!   region_code, for the persons layout's band counts made at the end), the
//!   union is the one-machine table row for row; written in batches of the
//!   same size, it is the same file byte for byte.
//! - **quarantine**: shard 0's regions records as they are, then each fact
//!   table's records of every shard in (file, row) order, as one machine
//!   lists them.
//! - **findings**: W_REFERENCE from shard 0; W_TOTAL, W_SHARE and W_COVERAGE
//!   need whole tables, so they are made here, by the ingest's own queries
//!   over the combined tables.
//! - **manifest**: per file, the shards' counts summed (regions: shard 0's),
//!   so rows_read = rows_stored + rows_quarantined holds over the whole run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::cluster::shard::ShardManifest;
use crate::cluster::ClusterError;
use crate::config::Config;
use crate::contract::{Table, SCHEMA_VERSION};
use crate::ingest::load::{BATCH_ROWS, ORIGIN};
use crate::ingest::{self, findings, quarantine, Planned};
use crate::warehouse::{self, FileEntry, Manifest, Staging, TableWriter, WarehouseError};

fn perr(what: impl Into<String>) -> impl FnOnce(PolarsError) -> ClusterError {
    let what = what.into();
    move |source| ClusterError::Polars { what, source }
}

fn scan(path: &Path) -> PolarsResult<LazyFrame> {
    LazyFrame::scan_parquet(PlRefPath::try_from_path(path)?, ScanArgsParquet::default())
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

    // Facts in input order.
    let facts = [Table::MemberAges, Table::Disputes, Table::ServiceUsage];
    for table in facts {
        let t = std::time::Instant::now();
        let lfs = parts(table.name())
            .iter()
            .map(|p| scan(p))
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(perr(table.name()))?;
        let df = concat(lfs, UnionArgs::default())
            .and_then(|lf| {
                lf.sort(
                    [ORIGIN, "region_code"],
                    SortMultipleOptions::default().with_maintain_order(true),
                )
                .drop(cols([ORIGIN]))
                .collect()
            })
            .map_err(perr(table.name()))?;
        let mut df = df;
        df.rechunk_mut_par();
        let folder = staging.dir.join(table.name());
        std::fs::create_dir_all(&folder).map_err(|source| WarehouseError::Io {
            path: folder.clone(),
            source,
        })?;
        let mut w = TableWriter::at(&folder.join("part-0.parquet"), df.schema(), &metadata)?;
        let mut at = 0;
        while at < df.height() {
            w.write(&df.slice(at as i64, BATCH_ROWS))?;
            at += BATCH_ROWS;
        }
        tables.insert(table.name().to_string(), w.finish()?);
        tracing::info!(
            table = table.name(),
            rows = df.height(),
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
    for (k, (dir, _)) in shards.iter().enumerate() {
        let q = read(&dir.join("warehouse").join("_quarantine.parquet"))?;
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
    let columns: Vec<Expr> = read(&first.join("warehouse").join("_quarantine.parquet"))?
        .get_column_names()
        .iter()
        .map(|c| col(c.as_str()))
        .collect();
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
        for (_, m) in shards {
            if let Some(g) = m
                .files
                .iter()
                .find(|g| g.path == f.path && g.table == f.table)
            {
                f.rows_read += g.rows_read;
                f.rows_stored += g.rows_stored;
                f.rows_quarantined += g.rows_quarantined;
            }
        }
    }
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
    };
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    warehouse::write_text(&staging.dir.join("_manifest.json"), &json)?;
    staging.publish()?;
    Ok(manifest)
}
