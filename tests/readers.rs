//! Other tools read the warehouse: pyarrow and DuckDB open every table, and
//! their row counts agree with the manifest. Skipped with a message when the
//! Python packages are absent; `.ci/run` installs them, and under CI a missing
//! package fails the test instead.

mod common;

use std::process::Command;

use common::{repo, Workdir};

#[test]
fn duckdb_and_pyarrow_read_every_table_of_both_samples() {
    if !common::python_has("duckdb, pyarrow") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install duckdb and pyarrow (.ci/run)"
        );
        eprintln!(
            "SKIPPED: python3 with duckdb and pyarrow not found (pip install duckdb pyarrow)"
        );
        return;
    }
    let wd = Workdir::new();
    for name in ["sample", "sample-messy"] {
        let cfg = common::repo_config(&wd, name, &format!("wh-{name}"));
        wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
        let out = Command::new("python3")
            .arg(repo().join("tests/check_readers.py"))
            .arg(wd.path(&format!("wh-{name}")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
