//! The compare stage (`govlens compare`): reads the warehouse's unit metrics,
//! calls the methods (`crate::methods`: stats, did, qca, index) and publishes
//! the run. `tables` turns grouped unit metrics into the run's frames;
//! `adoption` lays out the adoption effects, `index_run` the index of every
//! period, `qca_cases` the run's units as fsQCA cases; `stage` does the rest.

pub mod adoption;
mod index_run;
pub mod qca_cases;
pub mod stage;
pub mod tables;
