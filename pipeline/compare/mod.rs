//! Comparisons across models. The methods are pure functions from numbers
//! (and a seed) to results: `stats`; `index` with `index_prepare`
//! (`imputation`, then `treatment`, and PCA weights), `index_diagnostics`
//! and `index_sensitivity` (on `sobol`);
//! `did`; `qca`. `qca_analysis` lays one fsQCA study out as tables and
//! `adoption` the adoption effects; `tables` turns grouped unit metrics into
//! the run's frames; `stage` (`govlens compare`) reads the warehouse, calls
//! them, and publishes the run.

pub mod adoption;
pub mod did;
pub mod imputation;
pub mod index;
pub mod index_diagnostics;
pub mod index_prepare;
mod index_run;
pub mod index_sensitivity;
pub mod index_study;
pub mod qca;
pub mod qca_analysis;
pub mod sobol;
pub mod stage;
pub mod stats;
pub mod tables;
pub mod treatment;
