//! Bad input: one clear message naming the file, key, column or sheet, exit
//! code 2, the previous warehouse untouched and nothing half-written.

mod common;

use common::{sample, Workdir};

/// A workdir with a good warehouse already built from the sample regions.
fn with_warehouse() -> Workdir {
    let wd = Workdir::new();
    let cfg = wd.config("good.toml", &[("regions", &sample("regions.csv"), "")]);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    wd
}

/// Runs ingest with `cfg`, asserts failure, that stderr has every needle,
/// and that the warehouse and its surroundings are as they were.
fn refused(wd: &Workdir, cfg: &std::path::Path, needles: &[&str]) {
    let before = wd.snapshot("warehouse");
    assert!(!before.is_empty());
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
    assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
    assert_eq!(before, wd.snapshot("warehouse"), "warehouse changed");
    assert!(wd.leftovers().is_empty(), "{:?}", wd.leftovers());
}

#[test]
fn missing_file_is_named_with_its_config_key() {
    let wd = with_warehouse();
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("nope.csv"), ""),
        ],
    );
    refused(
        &wd,
        &cfg,
        &["nope.csv", "file not found", "sources.disputes.path"],
    );
}

#[test]
fn glob_matching_nothing_is_named() {
    let wd = with_warehouse();
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("in/*.csv"), ""),
        ],
    );
    refused(&wd, &cfg, &["in/*.csv", "matches no file"]);
}

#[test]
fn empty_file_is_refused() {
    let wd = with_warehouse();
    wd.write("empty.csv", "");
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("empty.csv"), ""),
        ],
    );
    refused(&wd, &cfg, &["empty.csv", "empty"]);
}

#[test]
fn header_only_file_is_refused() {
    let wd = with_warehouse();
    wd.write("h.csv", "区划代码,时期,受理数,调解成功数\n");
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("h.csv"), ""),
        ],
    );
    refused(&wd, &cfg, &["h.csv", "header but no data rows"]);
}

#[test]
fn file_without_a_required_column_is_refused_naming_the_column() {
    let wd = with_warehouse();
    // resolved may be left out (a table of cases only); received may not.
    wd.write("d.csv", "区划代码,时期,调解成功数\n110117001001,2023,3\n");
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("d.csv"), ""),
        ],
    );
    refused(&wd, &cfg, &["d.csv", "'received'"]);
}

#[test]
fn unknown_config_key_is_named() {
    let wd = with_warehouse();
    let cfg = wd.config(
        "c.toml",
        &[("regions", &sample("regions.csv"), "encodng = \"gbk\"")],
    );
    refused(&wd, &cfg, &["c.toml", "encodng"]);
}

#[test]
fn unknown_table_in_config_is_named() {
    let wd = with_warehouse();
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("dispute", &sample("disputes.csv"), ""),
        ],
    );
    refused(&wd, &cfg, &["sources.dispute", "not a table"]);
}

#[test]
fn columns_entry_naming_an_unknown_canonical_column_is_named() {
    let wd = with_warehouse();
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            (
                "disputes",
                &sample("disputes.csv"),
                "[sources.disputes.columns]\n\"受理\" = \"recieved\"",
            ),
        ],
    );
    refused(&wd, &cfg, &["sources.disputes.columns", "recieved"]);
}

#[test]
fn undetectable_encoding_is_refused() {
    let wd = with_warehouse();
    let mut bytes = b"region_code,period,received,resolved\n".to_vec();
    bytes.extend([0xff, 0xfe, 0x81, 0x20, b',', b'1', b'\n']);
    wd.write("bin.csv", bytes);
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("bin.csv"), ""),
        ],
    );
    refused(&wd, &cfg, &["bin.csv", "neither UTF-8 nor GBK"]);
}

#[test]
fn gbk_file_declared_utf8_is_refused() {
    let wd = with_warehouse();
    let (gbk, _, _) =
        encoding_rs::GBK.encode("区划代码,时期,受理数,调解成功数\n110117001001,2023,3,2\n");
    wd.write("g.csv", gbk.as_ref());
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("g.csv"), "encoding = \"utf-8\""),
        ],
    );
    refused(
        &wd,
        &cfg,
        &["g.csv", "not valid UTF-8", "sources.disputes.encoding"],
    );
}

#[test]
fn missing_xlsx_sheet_is_named_with_the_sheets_there_are() {
    let wd = with_warehouse();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("数据").unwrap();
    ws.write_string(0, 0, "区划代码").unwrap();
    wb.save(wd.path("d.xlsx")).unwrap();
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("d.xlsx"), "sheet = \"Sheet9\""),
        ],
    );
    refused(&wd, &cfg, &["d.xlsx", "Sheet9", "数据"]);
}

#[test]
fn config_without_regions_is_refused() {
    let wd = with_warehouse();
    let cfg = wd.config("c.toml", &[("disputes", &sample("disputes.csv"), "")]);
    refused(&wd, &cfg, &["[sources.regions]"]);
}

#[test]
fn config_that_does_not_parse_is_refused() {
    let wd = with_warehouse();
    let cfg = wd.write("c.toml", "[run\nwarehouse = 1");
    refused(&wd, &cfg, &["c.toml"]);
}

#[test]
fn row_problems_never_stop_the_run() {
    let wd = with_warehouse();
    wd.write(
        "d.csv",
        "region_code,period,received,resolved\n110117001001,2023,3,9\nabc,2023,1,1\n",
    );
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("d.csv"), ""),
        ],
    );
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(out.contains("read 2, stored 0, quarantined 2"), "{out}");
}

#[test]
fn a_warehouse_path_that_is_someone_elses_folder_is_not_replaced() {
    let wd = Workdir::new();
    wd.write("warehouse/notes.txt", "mine");
    let cfg = wd.config("c.toml", &[("regions", &sample("regions.csv"), "")]);
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("is not a govlens output"), "{err}");
    assert_eq!(
        std::fs::read_to_string(wd.path("warehouse/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_warehouse_of_a_newer_schema_version_is_never_replaced() {
    let wd = with_warehouse();
    let path = wd.path("warehouse/_manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let newer = text.replace("\"schema_version\": 3", "\"schema_version\": 99");
    assert_ne!(text, newer);
    wd.write("warehouse/_manifest.json", newer);
    let cfg = wd.config("c.toml", &[("regions", &sample("regions.csv"), "")]);
    refused(&wd, &cfg, &["schema version 99", "upgrade govlens"]);
    // `run` refuses too, before any stage (it used to treat it as absent).
    let before = wd.snapshot("warehouse");
    let err = wd.fails(&["run", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("schema version 99"), "{err}");
    assert_eq!(before, wd.snapshot("warehouse"));
}
