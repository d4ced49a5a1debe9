//! A damaged workbook or Parquet file costs one clear message about that
//! file (exit 2), never a panic of the reader inside govlens; a valid
//! Parquet file with decimal columns, as database exports write them, is
//! read (issue 26; tests/fixtures/reproducers/README.md says where each
//! file comes from).

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

/// A reproducer with a valid decimal column: ingested, the value as exported.
fn decimal_ingests(name: &str, column: &str, want: f64) {
    let wd = Workdir::new();
    copy_dir(
        &common::repo().join("tests/fixtures/reproducers").join(name),
        &wd.path(name),
    );
    let cfg = wd.path(&format!("{name}/configs/c.toml"));
    let out = wd.run(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = Vec::new();
    for e in std::fs::read_dir(wd.path(&format!("{name}/warehouse/disputes"))).unwrap() {
        let p = e.unwrap().path();
        let files: Vec<std::path::PathBuf> = if p.is_dir() {
            std::fs::read_dir(&p)
                .unwrap()
                .map(|f| f.unwrap().path())
                .collect()
        } else {
            vec![p]
        };
        for f in files
            .into_iter()
            .filter(|f| f.extension().is_some_and(|x| x == "parquet"))
        {
            let df = common::parquet(&f);
            found.extend(common::f64s(&df, column).into_iter().flatten());
        }
    }
    assert_eq!(found, [want], "{name}: {column}");
}

#[test]
fn parquet_decimal() {
    decimal_ingests("parquet-decimal", "received", 3.0);
}

#[test]
fn parquet_decimal_38_10() {
    decimal_ingests("parquet-decimal-38-10", "mean_days", 13.1);
}

/// A folder, a symbolic-link loop or a dangling link named where a file is
/// expected is said as such, not "file not found".
#[test]
fn a_folder_or_a_symlink_loop_where_a_file_is_expected_says_so() {
    let wd = Workdir::new();
    let name = "xlsx-sst-index";
    copy_dir(
        &common::repo().join("tests/fixtures/reproducers").join(name),
        &wd.path(name),
    );
    let cfg = wd.path(&format!("{name}/configs/c.toml"));
    let text = std::fs::read_to_string(&cfg).unwrap();
    let data = wd.path(&format!("{name}/data"));
    std::fs::create_dir(data.join("folder.csv")).unwrap();
    std::os::unix::fs::symlink("loop-b.csv", data.join("loop-a.csv")).unwrap();
    std::os::unix::fs::symlink("loop-a.csv", data.join("loop-b.csv")).unwrap();
    std::os::unix::fs::symlink("gone.csv", data.join("dangling.csv")).unwrap();
    for (file, says) in [
        ("folder.csv", "is a folder, not a file"),
        ("loop-a.csv", "is a symbolic link that loops back on itself"),
        (
            "dangling.csv",
            "is a symbolic link to a file that does not exist",
        ),
        ("absent.csv", "file not found"),
    ] {
        std::fs::write(
            &cfg,
            text.replace("../data/disputes.xlsx", &format!("../data/{file}")),
        )
        .unwrap();
        let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
        assert!(err.contains(file) && err.contains(says), "{file}: {err}");
        assert!(err.contains("sources.disputes.path"), "{err}");
    }
}
