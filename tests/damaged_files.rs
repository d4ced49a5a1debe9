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

/// The reproducer `name` (tests/fixtures/reproducers) copied into `wd`.
fn reproducer(wd: &Workdir, name: &str) {
    copy_dir(
        &common::repo().join("tests/fixtures/reproducers").join(name),
        &wd.path(name),
    );
}

/// `govlens ingest` on a reproducer: exit 2, one message naming the file,
/// no panic text, and no warehouse half-written.
fn refused(name: &str, file: &str, format: &str) {
    let wd = Workdir::new();
    reproducer(&wd, name);
    let cfg = wd.path(&format!("{name}/configs/c.toml"));
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    one_error_nothing_published(&wd, name, file, &err);
    assert!(
        err.contains(&format!("the file is damaged or not a valid {format} file")),
        "{name}: {err}"
    );
}

/// What every refusal must be: no panic, one line naming the file, and no
/// warehouse published.
fn one_error_nothing_published(wd: &Workdir, name: &str, file: &str, err: &str) {
    assert!(!err.contains("panicked"), "{name}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{name}: one line: {err}");
    assert!(err.contains(file), "{name}: the file is named: {err}");
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
    // The compound file's chains are checked before calamine reads them.
    refused("xls-truncated", "disputes.xls", "XLS");
}

/// `govlens ingest` on an allocation bomb under a 1 GiB address-space cap
/// (`ulimit -v`): refused with exit 2 in seconds, the message naming the
/// file and `want` (the claim), nothing published. Without the bounds each
/// of these asked for 4 GB to 1.5 TB and aborted (or took the machine).
fn bounded(name: &str, file: &str, want: &str) {
    let wd = Workdir::new();
    reproducer(&wd, name);
    let cfg = wd.path(&format!("{name}/configs/c.toml"));
    let started = std::time::Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_govlens"))
        .args(["ingest", "--config", cfg.to_str().unwrap()])
        // Few threads, few malloc arenas: the cap measures the reader, not
        // the address space a many-core machine reserves for idle threads.
        .env("RAYON_NUM_THREADS", "2")
        .env("POLARS_MAX_THREADS", "2")
        .env("MALLOC_ARENA_MAX", "2")
        .current_dir(wd.path(""))
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {err}");
    assert!(took.as_secs() < 10, "{name}: {took:?}");
    assert!(!err.contains("memory allocation"), "{name}: {err}");
    one_error_nothing_published(&wd, name, file, &err);
    assert!(err.contains(want), "{name}: {err}");
}

#[test]
fn xlsx_far_cell() {
    bounded(
        "xlsx-far-cell",
        "disputes.xlsx",
        "a cell at XFD1048576 would make the sheet 17,179,869,184 cells",
    );
}

#[test]
fn ods_repeat_bomb() {
    bounded(
        "ods-repeat-bomb",
        "disputes.ods",
        "row 4 repeated 1,000,000 times (number-rows-repeated)",
    );
}

#[test]
fn xls_difat_byte() {
    bounded(
        "xls-difat-byte",
        "disputes.xls",
        "the DIFAT names sector 3019898879, past the end of the file",
    );
}

#[test]
fn parquet_footer_thrift() {
    refused("parquet-footer-thrift", "disputes.parquet", "Parquet");
}

#[test]
fn parquet_row_group_range() {
    // Found by tests/mutation.rs: polars would slice the file past its end.
    refused("parquet-row-group-range", "disputes.parquet", "Parquet");
}

#[test]
fn parquet_page_assert() {
    refused("parquet-page-assert", "disputes.parquet", "Parquet");
}

/// A reproducer with a valid decimal column: ingested, the value as exported.
fn decimal_ingests(name: &str, column: &str, want: f64) {
    let wd = Workdir::new();
    reproducer(&wd, name);
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
    reproducer(&wd, name);
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

/// The far-cell reproducer's folder with `disputes.xlsx` replaced by a
/// well-formed sheet (header and one row) that `decorate` may add to.
fn xlsx_case(
    wd: &Workdir,
    limits: &str,
    decorate: impl FnOnce(&mut rust_xlsxwriter::Worksheet),
) -> std::path::PathBuf {
    let name = "xlsx-far-cell";
    reproducer(wd, name);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in govlens::generate::DISPUTES_HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["110117001001", "2015", "family"].iter().enumerate() {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    for (c, v) in [3.0, 3.0, 0.0, 13.1].iter().enumerate() {
        sheet.write_number(1, 3 + c as u16, *v).unwrap();
    }
    decorate(sheet);
    book.save(wd.path(&format!("{name}/data/disputes.xlsx")))
        .unwrap();
    let cfg = wd.path(&format!("{name}/configs/c.toml"));
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}{limits}")).unwrap();
    cfg
}

#[test]
fn a_blank_styled_cell_at_xfd1048576_costs_nothing() {
    // A formatted but empty cell at the sheet's far corner (and so a
    // dimension of A1:XFD1048576), as a template's formatting leaves it.
    let wd = Workdir::new();
    let cfg = xlsx_case(&wd, "", |s| {
        let fmt = rust_xlsxwriter::Format::new().set_bold();
        s.write_blank(1_048_575, 16_383, &fmt).unwrap();
    });
    let out = wd.run(&["ingest", "--config", cfg.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{err}");
    let m = common::manifest(&wd, "xlsx-far-cell/warehouse");
    let disputes = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == "disputes")
        .unwrap()
        .clone();
    assert_eq!(disputes["rows_stored"], 1, "{disputes}");
}

#[test]
fn limits_max_cells_is_the_budget_of_a_sheet() {
    // 2 rows × 7 columns = 14 cells: refused at 10, read at 14.
    let wd = Workdir::new();
    let cfg = xlsx_case(&wd, "[limits]\nmax_cells = 10\n", |_| {});
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("disputes.xlsx"), "{err}");
    assert!(
        err.contains("the limit is 10 cells a sheet ([limits] max_cells)"),
        "{err}"
    );
    let wd = Workdir::new();
    let cfg = xlsx_case(&wd, "[limits]\nmax_cells = 14\n", |_| {});
    let out = wd.run(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wd = Workdir::new();
    let cfg = xlsx_case(&wd, "[limits]\nmax_cells = 0\n", |_| {});
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("limits.max_cells"), "{err}");
}

/// The parquet-decimal reproducer with `disputes.parquet` replaced by
/// tests/fixtures/parquet-types/`file` (make.py there says how each was made).
fn parquet_case(wd: &Workdir, file: &str) -> std::path::PathBuf {
    let name = "parquet-decimal";
    reproducer(wd, name);
    std::fs::copy(
        common::repo()
            .join("tests/fixtures/parquet-types")
            .join(file),
        wd.path(&format!("{name}/data/disputes.parquet")),
    )
    .unwrap();
    wd.path(&format!("{name}/configs/c.toml"))
}

#[test]
fn parquet_types_the_contract_does_not_know_are_refused_naming_column_and_type() {
    for (file, kind) in [
        ("list.parquet", "holds lists"),
        ("struct.parquet", "holds structs"),
        ("duration.parquet", "holds durations"),
        ("float16.parquet", "holds half-precision floats"),
        (
            "decimal256.parquet",
            "holds decimal(40, 0), wider than 38 digits",
        ),
        ("binary-not-utf8.parquet", "invalid utf8"),
    ] {
        let wd = Workdir::new();
        let cfg = parquet_case(&wd, file);
        let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
        assert!(!err.contains("panicked"), "{file}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{file}: {err}");
        assert!(err.contains("disputes.parquet"), "{file}: {err}");
        assert!(err.contains("column 'received'"), "{file}: {err}");
        assert!(err.contains(kind), "{file}: {err}");
    }
}

#[test]
fn parquet_text_in_binary_and_dictionaries_is_read_and_a_count_too_large_is_a_row_error() {
    for (file, stored, message) in [
        ("binary-utf8.parquet", 1, None),
        ("dictionary.parquet", 1, None),
        (
            "uint64-max.parquet",
            0,
            Some("'18446744073709551615' is too large for a count"),
        ),
    ] {
        let wd = Workdir::new();
        let cfg = parquet_case(&wd, file);
        let out = wd.run(&["ingest", "--config", cfg.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{file}: {text}");
        let m = common::manifest(&wd, "parquet-decimal/warehouse");
        let d = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["table"] == "disputes")
            .unwrap()
            .clone();
        assert_eq!(d["rows_stored"], stored, "{file}: {d}");
        if let Some(message) = message {
            let q = common::parquet(&wd.path("parquet-decimal/warehouse/_quarantine.parquet"));
            assert!(
                common::strs(&q, "message")
                    .iter()
                    .any(|m| m.contains(message)),
                "{file}: {q}"
            );
        }
    }
}

/// The csv-open-quote reproducer's folder, `disputes.csv` replaced by `text`
/// when given; ingested by the record path or the columnar one.
fn quote_case(wd: &Workdir, text: Option<&str>, record_path: bool) -> serde_json::Value {
    let name = "csv-open-quote";
    reproducer(wd, name);
    if let Some(text) = text {
        std::fs::write(wd.path(&format!("{name}/data/disputes.csv")), text).unwrap();
    }
    let cfg = wd.path(&format!("{name}/configs/c.toml"));
    let mut cmd = wd.command(&["ingest", "--config", cfg.to_str().unwrap()]);
    if record_path {
        cmd.env("GOVLENS_INGEST_PATH", "record");
    }
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = common::manifest(wd, &format!("{name}/warehouse"));
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == "disputes")
        .unwrap()
        .clone()
}

fn quarantine_of(wd: &Workdir) -> Vec<(String, String)> {
    let q = common::parquet(&wd.path("csv-open-quote/warehouse/_quarantine.parquet"));
    common::strs(&q, "column")
        .into_iter()
        .zip(common::strs(&q, "message"))
        .collect()
}

#[test]
fn csv_open_quote() {
    // Row 4 opens a quote it never closes: lines 5–11 became one cell. Both
    // paths say so, on that record, and account the lines it took.
    let mut warehouses = Vec::new();
    for record_path in [false, true] {
        let wd = Workdir::new();
        let d = quote_case(&wd, None, record_path);
        assert_eq!(d["rows_read"], 3, "{d}");
        assert_eq!(d["rows_quarantined"], 1, "{d}");
        assert_eq!(d["lines_in_cells"], 7, "{d}");
        let q = quarantine_of(&wd);
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].0, "category");
        assert_eq!(
            q[0].1,
            "the quote opened on line 4 is not closed: lines 5–11 were read as one cell, not as rows (close or delete the quote on line 4, then ingest again)"
        );
        warehouses.push(wd.snapshot("csv-open-quote/warehouse"));
    }
    assert_eq!(
        warehouses[0], warehouses[1],
        "the two paths write the same warehouse"
    );
}

#[test]
fn a_multi_line_address_is_one_cell_and_an_open_quote_in_an_ignored_column_is_not_swallowed() {
    let head = "region_code,period,category,received,resolved,escalated,mean_days,备注\n";
    // A legitimate line break inside a quoted cell: read as one cell.
    let address = format!(
        "{head}110117001001,2015,family,3,3,0,13.1,\"平谷区兴谷街道\n滨河路1号\"\n110117001001,2015,neighbour,2,2,0,14.5,\n"
    );
    for record_path in [false, true] {
        let wd = Workdir::new();
        let d = quote_case(&wd, Some(&address), record_path);
        assert_eq!(d["rows_stored"], 2, "{d}");
        assert_eq!(d["lines_in_cells"], 1, "{d}");
    }
    // A quote opened in a column govlens ignores, on a row otherwise valid:
    // without the check the row was stored and the file's rest lost silently.
    let mut lines = vec![head.trim_end().to_string()];
    lines.push("110117001001,2015,family,3,3,0,13.1,\"已核实".into());
    for (i, cat) in ["neighbour", "property", "land", "labour"]
        .iter()
        .enumerate()
    {
        lines.push(format!("110117001001,2015,{cat},{i},{i},0,12.0,"));
    }
    let swallowed = lines.join("\n") + "\n";
    for record_path in [false, true] {
        let wd = Workdir::new();
        let d = quote_case(&wd, Some(&swallowed), record_path);
        assert_eq!(d["rows_stored"], 0, "{d}");
        assert_eq!(d["rows_quarantined"], 1, "{d}");
        let q = quarantine_of(&wd);
        assert_eq!(q[0].0, "cell 8", "{q:?}");
        assert!(
            q[0].1.starts_with(
                "the quote opened on line 2 is not closed: lines 3–6 were read as one cell"
            ),
            "{q:?}"
        );
    }
}
