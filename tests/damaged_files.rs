//! A damaged workbook or Parquet file costs one clear message about that
//! file (exit 2), never a panic of the reader inside govlens (issue 26;
//! tests/fixtures/reproducers/README.md says where each file comes from).

mod common;

use std::path::Path;

use common::Workdir;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// `govlens ingest` on a reproducer: exit 2, one message naming the file,
/// no panic text, and no warehouse half-written.
fn refused(name: &str, file: &str, format: &str) {
    let wd = Workdir::new();
    copy_dir(
        &common::repo().join("tests/fixtures/reproducers").join(name),
        &wd.path(name),
    );
    let cfg = wd.path(&format!("{name}/configs/c.toml"));
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(!err.contains("panicked"), "{name}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{name}: one line: {err}");
    assert!(err.contains(file), "{name}: the file is named: {err}");
    assert!(
        err.contains(&format!("the file is damaged or not a valid {format} file")),
        "{name}: {err}"
    );
    assert!(
        !wd.path(&format!("{name}/warehouse")).exists(),
        "{name}: nothing published"
    );
}

#[test]
fn xlsx_sst_index() {
    refused("xlsx-sst-index", "disputes.xlsx", "XLSX/XLS/ODS");
}

#[test]
fn xls_truncated() {
    refused("xls-truncated", "disputes.xls", "XLSX/XLS/ODS");
}

#[test]
fn parquet_footer_thrift() {
    refused("parquet-footer-thrift", "disputes.parquet", "Parquet");
}

#[test]
fn parquet_page_assert() {
    refused("parquet-page-assert", "disputes.parquet", "Parquet");
}
