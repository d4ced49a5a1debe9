//! `govlens run --shard I/N`: one shard's ingest and unit metrics, published
//! whole into `<shard.folder>/shard-IIII-of-NNNN/`:
//!
//! ```text
//! shard.json            who made it: shard, config hash, ingest run id, version, periods
//! warehouse/            the shard's warehouse partition (the whole tree, its own facts
//!                       with their `_origin`, its quarantine)
//! unit_metrics.parquet  its units' metrics, every period (the partials combine reads)
//! member_bands.parquet  its units' member-age bands, before privacy suppression
//! ```
//!
//! The folder appears by one rename when everything in it is written, so a
//! killed shard leaves no folder and `combine` sees it as missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cluster::ClusterError;
use crate::compare::stage::{periods_per_batch, PARTIAL_BANDS, PARTIAL_METRICS};
use crate::config::Config;
use crate::contract::SCHEMA_VERSION;
use crate::ingest::{self, Mode};
use crate::metrics;
use crate::shard::Shard;
use crate::warehouse::{self, FileEntry, Staging, TableWriter, WarehouseError};

/// `shard.json`: what `combine` checks before it uses a shard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ShardManifest {
    pub shard: u32,
    pub shards: u32,
    /// `[shard] level`.
    pub level: String,
    pub govlens_version: String,
    pub schema_version: u32,
    /// BLAKE3 of the config text: every shard must come from one config.
    pub config_hash: String,
    /// The ingest run id (program, `[run]`/`[sources]`, every input's hash):
    /// the combined warehouse's id.
    pub warehouse_run_id: String,
    /// The analysis periods with facts of this shard's units.
    pub periods: Vec<String>,
    /// Per input file, the rows this shard handled. Regions are read whole by
    /// every shard; `combine` counts shard 0's.
    pub files: Vec<FileEntry>,
    pub tables: BTreeMap<String, u64>,
    pub quarantined: u64,
    pub unit_metrics: u64,
    pub member_bands: u64,
}

impl ShardManifest {
    pub fn read(dir: &Path) -> Result<ShardManifest, ClusterError> {
        let path = dir.join("shard.json");
        let text = std::fs::read_to_string(&path).map_err(|source| WarehouseError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| ClusterError::BadShard {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

/// What one shard did.
#[derive(Debug)]
pub struct ShardOutcome {
    pub dir: PathBuf,
    pub manifest: ShardManifest,
    /// False when an identical shard was already there.
    pub ran: bool,
}

/// Checks that the shared folder can be written, so that a read-only or
/// missing mount fails at once with the config key to fix.
pub fn check_shared(config: &Config) -> Result<(), ClusterError> {
    let shared = &config.shard.folder;
    let probe = shared.join(format!(".write-test-{}", std::process::id()));
    std::fs::create_dir_all(shared)
        .and_then(|_| std::fs::write(&probe, b""))
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|source| ClusterError::Shared {
            path: shared.display().to_string(),
            source,
        })
}

/// Runs shard `shard` of the config; skips it when the shared folder holds
/// the same shard from the same config, inputs and version (unless `force`).
pub fn run(config: &Config, shard: Shard, force: bool) -> Result<ShardOutcome, ClusterError> {
    config.check_sharding()?;
    check_shared(config)?;
    let planned = ingest::plan(config)?;
    let run_id = ingest::run_id(config, &planned);
    let target = config.shard.folder.join(shard.folder());
    if let Ok(m) = ShardManifest::read(&target) {
        let same = m.config_hash == ingest::config_hash(config)
            && m.warehouse_run_id == run_id
            && m.govlens_version == env!("CARGO_PKG_VERSION")
            && m.schema_version == SCHEMA_VERSION;
        if same && !force {
            return Ok(ShardOutcome {
                dir: target,
                manifest: m,
                ran: false,
            });
        }
    }
    let staging = Staging::new(&target)?;
    let wh = staging.dir.join("warehouse");
    let out = ingest::run(
        config,
        &Mode::Shard {
            dir: wh.clone(),
            shard,
            level: config.shard.level,
        },
    )?;
    // The unit metrics of the partition, as compare computes them.
    let mut local = config.clone();
    local.warehouse = wh;
    let tree = metrics::tree(&local)?;
    let periods = metrics::periods(&local, &tree)?;
    let (mut um_out, mut bands_out) = (None::<TableWriter>, None::<TableWriter>);
    let metadata = ingest::metadata(&run_id, &planned);
    let write = |slot: &mut Option<TableWriter>, name: &str, df: polars::prelude::DataFrame| {
        if slot.is_none() {
            *slot = Some(TableWriter::at(
                &staging.dir.join(name),
                &df.schema().clone(),
                &metadata,
            )?);
        }
        slot.as_mut().expect("created above").write(&df)
    };
    if periods.is_empty() {
        // No facts here: empty partials with the right columns.
        let (um, bands) = metrics::period_metrics(&local, &tree, None)?;
        write(&mut um_out, PARTIAL_METRICS, um)?;
        write(&mut bands_out, PARTIAL_BANDS, bands)?;
    }
    for batch in periods.chunks(periods_per_batch(&out.manifest, periods.len())) {
        let (um, bands) = metrics::period_metrics(&local, &tree, Some(batch))?;
        write(&mut um_out, PARTIAL_METRICS, um)?;
        write(&mut bands_out, PARTIAL_BANDS, bands)?;
    }
    let um_rows = um_out.expect("written above").finish()?;
    let band_rows = bands_out.expect("written above").finish()?;
    let manifest = ShardManifest {
        shard: shard.index,
        shards: shard.count,
        level: config.shard.level.name().into(),
        govlens_version: env!("CARGO_PKG_VERSION").into(),
        schema_version: SCHEMA_VERSION,
        config_hash: ingest::config_hash(config),
        warehouse_run_id: run_id,
        periods,
        files: out.manifest.files,
        tables: out.manifest.tables,
        quarantined: out.manifest.quarantined,
        unit_metrics: um_rows,
        member_bands: band_rows,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    warehouse::write_text(&staging.dir.join("shard.json"), &json)?;
    staging.publish()?;
    Ok(ShardOutcome {
        dir: target,
        manifest,
        ran: true,
    })
}
