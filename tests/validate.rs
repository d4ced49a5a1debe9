//! `govlens validate`: every check of ingest, only the report written.

mod common;

use common::{parquet, Workdir};

#[test]
fn validate_writes_the_report_and_no_warehouse() {
    let wd = Workdir::new();
    let cfg = common::repo_config(&wd, "sample-messy", "warehouse");
    let out = wd.ok(&[
        "validate",
        "--config",
        cfg.to_str().unwrap(),
        "--report",
        "report",
    ]);
    assert!(out.contains("E_ORDER: 2"), "{out}");
    assert!(
        !wd.path("warehouse").exists(),
        "validate must not write the warehouse"
    );
    let q = parquet(&wd.path("report/_quarantine.parquet"));
    // One quarantined row per planted row problem of the messy sample.
    let planted =
        std::fs::read_to_string(common::repo().join("datasets/sample-messy/_expected.csv"))
            .unwrap()
            .lines()
            .filter(|l| l.contains(",E_"))
            .count();
    assert_eq!(q.height(), planted);
    assert_eq!(planted, 29);
    assert!(wd.path("report/_findings.parquet").exists());
    assert!(wd.path("report/_manifest.json").exists());
    assert!(
        !wd.path("report/disputes").exists(),
        "no tables in a report"
    );
}
