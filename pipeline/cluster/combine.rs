//! `govlens combine`: once every shard is done, the shards' partitions
//! become the warehouse ([`super::merge`]) and the shards' unit metrics feed
//! compare, then render, as `govlens run` would after its ingest.
//!
//! Nothing is combined from a set that is not whole and consistent: every
//! shard 0..N-1 present exactly once, all of one shard count, and each made
//! from this config (its BLAKE3), these inputs (the ingest run id) and this
//! govlens and schema version.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::cluster::merge;
use crate::cluster::shard::ShardManifest;
use crate::cluster::ClusterError;
use crate::compare::stage::UnitSource;
use crate::config::Config;
use crate::contract::SCHEMA_VERSION;
use crate::ingest;
use crate::run::{self, Options, Summary};
use crate::shard::Shard;
use crate::warehouse::Manifest;

/// The shards found in the shared folder, checked: shard 0 first.
pub fn shards(config: &Config) -> Result<Vec<(PathBuf, ShardManifest)>, ClusterError> {
    config.check_sharding()?;
    let shared = &config.shard.folder;
    let shown = shared.display().to_string();
    let entries = match std::fs::read_dir(shared) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ClusterError::NoShards { shared: shown })
        }
        Err(source) => {
            return Err(ClusterError::Shared {
                path: shown,
                source,
            })
        }
    };
    let mut found: Vec<(Shard, PathBuf, ShardManifest)> = Vec::new();
    let mut staging: Vec<String> = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(".shard-") && name.contains(".staging-") {
            staging.push(name);
            continue;
        }
        let Some(named) = Shard::from_folder(&name) else {
            continue;
        };
        let m = ShardManifest::read(&e.path())?;
        let inside = Shard::parse(&format!("{}/{}", m.shard, m.shards)).map_err(|message| {
            ClusterError::BadShard {
                path: e.path().join("shard.json").display().to_string(),
                message,
            }
        })?;
        if inside != named {
            // A folder renamed or copied: the manifest says what it holds,
            // and a second folder of that shard is refused below.
            tracing::warn!(folder = %name, holds = %inside, "shard folder named after another shard");
        }
        found.push((inside, e.path(), m));
    }
    if found.is_empty() {
        return Err(ClusterError::NoShards { shared: shown });
    }
    found.sort_by(|a, b| (a.0.count, a.0.index, &a.1).cmp(&(b.0.count, b.0.index, &b.1)));
    for w in found.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(ClusterError::Twice {
                shared: shown,
                shard: w[0].0.to_string(),
                first: w[0].1.display().to_string(),
                second: w[1].1.display().to_string(),
            });
        }
    }
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for (s, _, _) in &found {
        *counts.entry(s.count).or_default() += 1;
    }
    if counts.len() > 1 {
        return Err(ClusterError::Counts {
            shared: shown,
            counts: counts
                .iter()
                .map(|(n, k)| format!("{k} folder(s) of {n} shards"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let count = found[0].0.count;
    let missing: Vec<Shard> = (0..count)
        .map(|index| Shard { index, count })
        .filter(|s| !found.iter().any(|(f, _, _)| f == s))
        .collect();
    if !missing.is_empty() {
        // A killed or running shard leaves `.shard-IIII-of-NNNN.staging-PID`.
        let running = staging
            .iter()
            .filter(|n| {
                missing
                    .iter()
                    .any(|s| n.starts_with(&format!(".{}.", s.folder())))
            })
            .cloned()
            .collect::<Vec<_>>();
        return Err(ClusterError::Missing {
            shared: shown,
            missing: missing
                .iter()
                .map(|s| s.index.to_string())
                .collect::<Vec<_>>()
                .join(","),
            count,
            config: config.path.display().to_string(),
            running: if running.is_empty() {
                String::new()
            } else {
                format!(
                    " (still being written, or left by a killed job: {})",
                    running.join(", ")
                )
            },
        });
    }
    Ok(found.into_iter().map(|(_, d, m)| (d, m)).collect())
}

/// `combine --check`: [`shards`] found them all; are they from this config,
/// these inputs and this version?
pub fn check(config: &Config, shards: &[(PathBuf, ShardManifest)]) -> Result<(), ClusterError> {
    let planned = ingest::plan(config)?;
    check_origin(config, &ingest::run_id(config, &planned), shards)
}

/// Checks that every shard was made from this config, these inputs and this
/// version of govlens.
fn check_origin(
    config: &Config,
    run_id: &str,
    shards: &[(PathBuf, ShardManifest)],
) -> Result<(), ClusterError> {
    let ours_config = ingest::config_hash(config);
    let ours_version = format!("{} (schema {SCHEMA_VERSION})", env!("CARGO_PKG_VERSION"));
    for (dir, m) in shards {
        let path = dir.join("shard.json").display().to_string();
        let theirs_version = format!("{} (schema {})", m.govlens_version, m.schema_version);
        let checks = [
            (
                "govlens version",
                theirs_version,
                ours_version.clone(),
                "run every shard and combine with one govlens build",
            ),
            (
                "config (BLAKE3 of the config file)",
                m.config_hash.clone(),
                ours_config.clone(),
                "combine with the config the shards ran with, or re-run the shards with this one",
            ),
            (
                "ingest run id (inputs and their hashes)",
                m.warehouse_run_id.clone(),
                run_id.to_string(),
                "an input file changed after the shard ran: re-run every shard",
            ),
        ];
        for (what, theirs, ours, fix) in checks {
            if theirs != ours {
                return Err(ClusterError::Mismatch {
                    path,
                    what,
                    theirs,
                    ours,
                    fix,
                });
            }
        }
    }
    Ok(())
}

/// Combines the shards and runs compare and render on them; skips what is up
/// to date, like `govlens run`.
pub fn run(config: &Config, opts: &Options) -> Result<Summary, ClusterError> {
    let shards = shards(config)?;
    let planned = ingest::plan(config)?;
    let run_id = ingest::run_id(config, &planned);
    check_origin(config, &run_id, &shards)?;

    let mut s = Summary::default();
    let _lock = run::lock(
        &config.warehouse,
        Duration::from_secs(config.lock_timeout),
        &mut s.notes,
    )?;
    ingest::refuse_newer(&config.warehouse)?;
    let wm = match Manifest::read(&config.warehouse).ok() {
        Some(m) if m.run_id == run_id && !opts.force => {
            s.stages.push((
                "merge".into(),
                "skipped".into(),
                format!("warehouse {run_id} is up to date"),
            ));
            m
        }
        _ => {
            let m = merge::merge(config, &planned, &shards)?;
            s.stages.push((
                "merge".into(),
                "ran".into(),
                format!("{} shards → warehouse {}", shards.len(), m.run_id),
            ));
            m
        }
    };
    let mut periods: Vec<String> = shards
        .iter()
        .flat_map(|(_, m)| m.periods.iter().cloned())
        .collect();
    periods.sort();
    periods.dedup();
    let dirs: Vec<PathBuf> = shards.iter().map(|(d, _)| d.clone()).collect();
    let source = UnitSource::Partials {
        periods,
        dirs: &dirs,
    };
    Ok(run::finish(config, opts, &wm, &source, s)?)
}

/// The shard folder of shard `index` of `count` (for messages and tests).
pub fn shard_dir(config: &Config, shard: Shard) -> PathBuf {
    config.shard.folder.join(shard.folder())
}
