//! The methods: pure functions from numbers (and a seed) to results, each
//! owning its options with their defaults and documentation. They import
//! nothing of the crate above them (tests/architecture.rs checks it):
//! front ends — the run config, the CLI flags, the study files — convert
//! their input into these options.
//!
//! - `stats`: bootstrap intervals, Kruskal–Wallis, Dunn, Holm, quantiles.
//! - `did`: staggered DiD as R's `did` (att_gt, aggte), with its `options`.
//! - `qca`: fsQCA as R's `QCA` (`sets`: calibration, truth table, minimisation;
//!   the study's tables and robustness grid), with its `spec`.
//! - `index`: a composite index as COINr (imputation, treatment, scores,
//!   diagnostics, Sobol sensitivity), with its `spec`.

pub mod did;
pub mod index;
pub mod qca;
pub mod stats;

/// What a long method reports of its progress; the caller draws it, or not.
/// The methods import nothing of the crate: the terminal's bars
/// (`crate::progress::MethodBar`) are handed in from above.
pub trait Progress: Sync {
    /// `total` steps of `what` begin.
    fn start(&self, _total: u64, _what: &str) {}
    /// `n` more steps are done.
    fn inc(&self, _n: u64) {}
    /// The steps are over.
    fn finish(&self) {}
}

/// No progress shown: tests, and callers with nothing to draw on.
pub struct Silent;

impl Progress for Silent {}
