//! govlens measures how well party-building-led community governance
//! (党建引领社区治理) works, and compares the four models Chinese practice has
//! produced: 下沉型 sinking, 协同型 collaborative, 嵌入型 embedded and 融合型
//! integrated.
//!
//! # Design
//!
//! Data flows one way, and each stage is a module with a small public API
//! that takes plain values (paths, a checked [`config::Config`], frames) and
//! returns results; the binary only parses arguments and calls them.
//!
//! ```text
//! sources (CSV/XLSX/Parquet) ─ ingest ─► warehouse (Parquet, published whole)
//!                                 └────► _quarantine, _findings, _manifest
//! warehouse ─ metrics ─ compare ─► <output>/<run_id>/tables ─ render ─► charts, reports
//! ```
//!
//! * [`contract`] is the data contract as code: tables, columns, aliases, rules.
//! * [`config`] reads and checks the TOML run config.
//! * [`ingest`] reads, decodes, maps headers, parses and validates; every
//!   input row is stored or quarantined with its reason.
//! * [`regions`] resolves the region tree and model inheritance.
//! * [`warehouse`] stages and atomically publishes the Parquet warehouse.
//! * [`metrics`] computes the unit metrics per analysis period (polars).
//! * [`compare`] the model statistics, the index and the adoption effects,
//!   a batch of periods at a time, into a published run folder.
//! * [`render`] charts, report.html, report.ipynb and district reports.
//! * [`run`] the whole job for schedulers: skips, a lock, exit codes.
//! * [`study`] `govlens did | qca | index` on a table a researcher brings:
//!   staggered DiD (R did's estimators), fsQCA (R QCA's), a composite index
//!   (COINr's treatment, diagnostics and sensitivity), over one prologue.
//! * [`progress`] progress bars, shown only on a terminal.
//! * [`generate`] writes seeded, realistic (simulated) inputs at any scale.
//!
//! Errors are typed per stage (thiserror) and name the file, row, column or
//! config key; `anyhow` appears only in `main.rs`.

pub mod cluster;
pub mod compare;
pub mod config;
pub mod contract;
pub mod export;
pub mod generate;
pub mod ingest;
pub mod lock;
pub mod methods;
pub mod metrics;
pub mod progress;
pub mod regions;
pub mod render;
pub mod run;
pub mod runs;
pub mod shard;
pub mod study;
pub mod warehouse;
