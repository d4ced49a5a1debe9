//! Comparisons across models: each submodule is a pure function from numbers
//! or frames (and a seed) to results; `compare::run` (the stage) reads the
//! warehouse, calls them, and writes the run's tables.

pub mod did;
pub mod index;
pub mod stage;
pub mod stats;
