//! Comparisons across models. `stats`, `index`, `did` and `qca` are pure functions
//! from numbers (and a seed) to results; `tables` turns grouped unit metrics
//! into the run's frames with them; `stage` (`govlens compare`) reads the
//! warehouse, calls `tables`, and publishes the run.

pub mod adoption;
pub mod did;
pub mod index;
pub mod index_diagnostics;
pub mod index_sensitivity;
pub mod qca;
pub mod qca_analysis;
pub mod sobol;
pub mod stage;
pub mod stats;
pub mod tables;
pub mod treatment;
