//! Sharded runs for clusters (docs/cluster.md).
//!
//! `govlens run --shard I/N` runs on each node: ingest of the rows shard I
//! owns and their unit metrics ([`shard`]). Shards follow the region tree
//! ([`spec`]), so every unit's metrics come from one shard. `govlens combine`
//! runs once they are all done ([`combine`]): it checks that every shard is
//! there and from the same config, inputs and version, merges the partitions
//! into the warehouse a one-machine ingest would have written (same rows,
//! same order, same bytes), and runs compare on the shards' unit metrics,
//! then render. `govlens slurm submit` ([`slurm`]) writes both as Slurm jobs
//! (an array of shards and a combine that waits for it) and submits them.

pub mod combine;
pub mod merge;
pub mod shard;
pub mod slurm;
pub use crate::shard as spec;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("shared folder {path} (config key shard.folder) cannot be written: {source}")]
    Shared {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a shard manifest ({message}); remove the folder and re-run its shard")]
    BadShard { path: String, message: String },
    #[error("{shared} holds no shard folders: run `govlens run --shard I/N` for every shard (or `govlens slurm submit`) first")]
    NoShards { shared: String },
    #[error("{shared}: shard(s) {missing} of {count} missing{running}: nothing was combined; run them again (`govlens run --config {config} --shard I/{count}` for each, or `govlens slurm submit --config {config} --shards {count} --only {missing}`)")]
    Missing {
        shared: String,
        missing: String,
        count: u32,
        running: String,
        config: String,
    },
    #[error("{shared}: shard {shard} appears twice, in {first} and {second}: a folder was copied or renamed; keep the one named after its shard.json and remove the other")]
    Twice {
        shared: String,
        shard: String,
        first: String,
        second: String,
    },
    #[error("{shared}: shards of different shard counts ({counts}): a run with another --shards left its folders; remove the folders of the count you are not combining")]
    Counts { shared: String, counts: String },
    #[error("{path}: {what} differs from this combine's ({theirs} there, {ours} here): {fix}")]
    Mismatch {
        path: String,
        what: &'static str,
        theirs: String,
        ours: String,
        fix: &'static str,
    },
    #[error("merging {what}: {source}")]
    Polars {
        what: String,
        source: polars::prelude::PolarsError,
    },
    #[error("`sbatch` was not found on PATH: `govlens slurm submit` needs a Slurm login node (the scripts were written to {scripts}; submit them by hand where Slurm is)")]
    NoSbatch { scripts: String },
    #[error("{command} failed ({status}): {stderr}")]
    Sbatch {
        command: String,
        status: String,
        stderr: String,
    },
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::WarehouseError),
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    #[error(transparent)]
    Compare(#[from] crate::compare::stage::CompareError),
    #[error(transparent)]
    Run(#[from] crate::run::RunError),
}
