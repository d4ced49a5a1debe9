//! Office returns read as offices fill them (统计表): a merged title, a
//! 填报单位 line, a two-row header whose upper cells are merged, a 合计 row
//! and a 注 line under the table, in XLSX and as a GBK CSV export — each
//! gives exactly the warehouse rows of the equivalent tidy CSV, and every
//! line is accounted for.

mod common;

use std::path::{Path, PathBuf};

use common::{parquet, Workdir};
use rust_xlsxwriter::{Format, Workbook};

/// (code, name, under 30, 30 to 44, 45 and over) of five communities of the
/// sample's 平谷区.
const ROWS: [Row; 5] = [
    ("110117001001", "金谷东园社区居委会", 2, 3, 4),
    ("110117001005", "承平园社区居委会", 1, 4, 3),
    ("110117001009", "滨河社区居委会", 0, 5, 6),
    ("110117001015", "林荫家园社区居委会", 3, 2, 2),
    ("110117002004", "光明社区居委会", 1, 1, 5),
];

const TITLE: &str = "2023年平谷区社区干部年龄结构统计表（模拟数据）";
const BANDS: [&str; 3] = ["30岁以下", "30岁及以上、45岁以下", "45岁及以上"];

fn sums() -> [u32; 3] {
    ROWS.iter()
        .fold([0; 3], |a, r| [a[0] + r.2, a[1] + r.3, a[2] + r.4])
}

type Row = (&'static str, &'static str, u32, u32, u32);

fn sums_of(rows: &[Row]) -> [u32; 3] {
    rows.iter()
        .fold([0; 3], |a, r| [a[0] + r.2, a[1] + r.3, a[2] + r.4])
}

/// One return on a sheet, as a clerk makes it in Excel; `total_off`
/// spoils the 合计.
fn fill(ws: &mut rust_xlsxwriter::Worksheet, rows: &[Row], total_off: u32) {
    let f = Format::new();
    ws.merge_range(0, 0, 0, 5, TITLE, &f).unwrap();
    ws.write_string(1, 0, "填报单位：平谷区委组织部").unwrap();
    ws.merge_range(2, 0, 3, 0, "区划代码", &f).unwrap();
    ws.merge_range(2, 1, 3, 1, "社区名称", &f).unwrap();
    ws.merge_range(2, 2, 3, 2, "干部总数", &f).unwrap();
    ws.merge_range(2, 3, 2, 5, "年龄结构", &f).unwrap();
    for (i, b) in BANDS.iter().enumerate() {
        ws.write_string(3, 3 + i as u16, *b).unwrap();
    }
    for (k, (code, name, a, b, c)) in rows.iter().enumerate() {
        let r = 4 + k as u32;
        ws.write_string(r, 0, *code).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_number(r, 2, (a + b + c) as f64).unwrap();
        for (i, v) in [a, b, c].iter().enumerate() {
            ws.write_number(r, 3 + i as u16, **v as f64).unwrap();
        }
    }
    let r = 4 + rows.len() as u32;
    ws.merge_range(r, 0, r, 1, "合计", &f).unwrap();
    let s = sums_of(rows);
    ws.write_number(r, 2, s.iter().sum::<u32>() as f64).unwrap();
    for (i, v) in s.iter().enumerate() {
        let v = if i == 0 { v + total_off } else { *v };
        ws.write_number(r, 3 + i as u16, v as f64).unwrap();
    }
    ws.write_string(r + 1, 0, "注：年龄按2023年12月31日计算。")
        .unwrap();
    ws.write_string(r + 2, 0, "填表人：王芳").unwrap();
}

/// The return as one sheet.
fn write_return(path: &Path, total_off: u32) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("干部年龄结构").unwrap();
    fill(ws, &ROWS, total_off);
    wb.save(path).unwrap();
}

/// The same sheet saved as CSV by Excel or WPS: merged cells left blank.
fn export_csv(path: &Path) -> Vec<u8> {
    let mut s = format!("{TITLE},,,,,\n填报单位：平谷区委组织部,,,,,\n区划代码,社区名称,干部总数,年龄结构,,\n,,,{},{},{}\n", BANDS[0], BANDS[1], BANDS[2]);
    for (code, name, a, b, c) in ROWS {
        s.push_str(&format!("{code},{name},{},{a},{b},{c}\n", a + b + c));
    }
    let t = sums();
    s.push_str(&format!(
        "合计,,{},{},{},{}\n",
        t.iter().sum::<u32>(),
        t[0],
        t[1],
        t[2]
    ));
    s.push_str("注：年龄按2023年12月31日计算。,,,,,\n");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&s);
    assert!(!bad);
    std::fs::write(path, &gbk).unwrap();
    gbk.to_vec()
}

/// The tidy form of the same return.
fn tidy_csv(path: &Path) {
    let mut s = format!(
        "区划代码,统计期,身份,{},{},{}\n",
        BANDS[0], BANDS[1], BANDS[2]
    );
    for (code, _, a, b, c) in ROWS {
        s.push_str(&format!("{code},2023,干部,{a},{b},{c}\n"));
    }
    std::fs::write(path, s).unwrap();
}

/// The warehouse rows of the tidy CSV: what every form of the return must give.
fn tidy_rows(wd: &Workdir) -> polars::prelude::DataFrame {
    let tidy = wd.path("tidy.csv");
    tidy_csv(&tidy);
    let cfg = config(wd, "tidy", &tidy, "");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    parquet(&wd.path("wh-tidy/member_ages/part-0.parquet"))
}

fn config(wd: &Workdir, name: &str, ages: &Path, extra: &str) -> PathBuf {
    let regions = common::repo().join("tests/fixtures/regions-six-counties.csv");
    wd.write(
        &format!("{name}.toml"),
        format!(
            "[run]\nwarehouse = \"wh-{name}\"\noutput = \"out-{name}\"\nseed = 7\n\n[sources.regions]\npath = {:?}\n\n[sources.member_ages]\npath = {:?}\nlayout = \"wide\"\n{extra}\n",
            regions.to_string_lossy(),
            ages.to_string_lossy()
        ),
    )
}

fn manifest_file(wd: &Workdir, name: &str) -> serde_json::Value {
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(wd.path(&format!("wh-{name}/_manifest.json"))).unwrap(),
    )
    .unwrap();
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == "member_ages")
        .unwrap()
        .clone()
}

const CADRES: &str = "[sources.member_ages.constants]\nrole = \"cadre\"\n";

#[test]
fn an_office_return_with_merged_headers_totals_and_notes_gives_the_tidy_rows() {
    let wd = Workdir::new();
    let (xlsx, csv) = (wd.path("return.xlsx"), wd.path("return-gbk.csv"));
    write_return(&xlsx, 0);
    export_csv(&csv);
    let want = tidy_rows(&wd);
    assert_eq!(want.height(), 15);
    for (name, path) in [("xlsx", &xlsx), ("csv", &csv)] {
        let cfg = config(&wd, name, path, CADRES);
        let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
        assert!(out.contains("total rows 1 (checked, not stored)"), "{out}");
        assert!(
            out.contains("header rows 3, 4; period 2023年 from the title"),
            "{out}"
        );
        let got = parquet(&wd.path(&format!("wh-{name}/member_ages/part-0.parquet")));
        assert!(got.equals_missing(&want), "{name}: {got}\nvs\n{want}");
        let f = manifest_file(&wd, name);
        assert_eq!(f["header_rows"], serde_json::json!([3, 4]), "{name}");
        assert_eq!(f["rows_total"], 1, "{name}");
        assert_eq!(
            f["rows_note"].as_u64().unwrap(),
            if name == "xlsx" { 2 } else { 1 },
            "{name}"
        );
        assert_eq!(f["rows_read"], 6, "{name}");
        assert_eq!(
            f["rows_read"].as_u64().unwrap(),
            f["rows_stored"].as_u64().unwrap()
                + f["rows_quarantined"].as_u64().unwrap()
                + f["rows_total"].as_u64().unwrap(),
            "{name}: every line accounted for"
        );
        assert_eq!(f["period_from_title"], "2023年");
        // The 合计 adds up: no W_TOTAL finding (W_COVERAGE names the
        // sample's other communities, which this return does not cover).
        let findings = parquet(&wd.path(&format!("wh-{name}/_findings.parquet")));
        let rules = common::strs(&findings, "rule");
        assert!(!rules.iter().any(|r| r == "W_TOTAL"), "{name}: {findings}");
    }
}

#[test]
fn a_total_row_that_does_not_add_up_is_a_w_total_finding() {
    let wd = Workdir::new();
    let xlsx = wd.path("return.xlsx");
    write_return(&xlsx, 2);
    let cfg = config(&wd, "off", &xlsx, CADRES);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let all = parquet(&wd.path("wh-off/_findings.parquet"));
    let rules = common::strs(&all, "rule");
    let at: Vec<usize> = (0..all.height())
        .filter(|&i| rules[i] == "W_TOTAL")
        .collect();
    assert_eq!(at.len(), 1, "{all}");
    let findings = all.slice(at[0] as i64, 1);
    let messages = common::strs(&findings, "message");
    let s = sums();
    assert!(
        messages[0].contains("row 10 (合计)") && messages[0].contains("30岁以下"),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].contains(&format!("{}", s[0] + 2)) && messages[0].contains("rows 5–9"),
        "{}",
        messages[0]
    );
    assert_eq!(common::f64s(&findings, "expected")[0], Some(s[0] as f64));
    // The total row is still not stored: five communities, three bands.
    assert_eq!(
        parquet(&wd.path("wh-off/member_ages/part-0.parquet")).height(),
        15
    );
}

#[test]
fn header_rows_can_be_declared_and_a_merge_down_the_data_is_refused() {
    let wd = Workdir::new();
    let xlsx = wd.path("return.xlsx");
    write_return(&xlsx, 0);
    let cfg = config(&wd, "two", &xlsx, &format!("header_rows = 2\n{CADRES}"));
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert_eq!(
        manifest_file(&wd, "two")["header_rows"],
        serde_json::json!([3, 4])
    );
    let bad = config(&wd, "five", &xlsx, &format!("header_rows = 5\n{CADRES}"));
    let err = wd.fails(&["ingest", "--config", bad.to_str().unwrap()]);
    assert!(
        err.contains("sources.member_ages.header_rows") && err.contains("1 to 4"),
        "{err}"
    );

    // A street name merged down over its communities: not guessed through.
    let merged = wd.path("merged.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new();
    for (i, h) in ["区划代码", "统计期", "身份", BANDS[0], BANDS[1]]
        .iter()
        .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    for (k, (code, ..)) in ROWS.iter().take(2).enumerate() {
        ws.write_string(1 + k as u32, 0, *code).unwrap();
        ws.write_number(1 + k as u32, 3, 1.0).unwrap();
        ws.write_number(1 + k as u32, 4, 1.0).unwrap();
    }
    ws.merge_range(1, 1, 2, 1, "2023", &f).unwrap();
    ws.write_string(1, 2, "干部").unwrap();
    ws.write_string(2, 2, "干部").unwrap();
    wb.save(&merged).unwrap();
    let cfg = config(&wd, "merged", &merged, "");
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("merged range B2:B3 covers data rows"), "{err}");
    assert!(
        !wd.path("wh-merged/_manifest.json").exists(),
        "nothing published"
    );
}

#[test]
fn a_constant_must_name_a_column_of_its_table() {
    let wd = Workdir::new();
    let cfg = config(
        &wd,
        "c",
        &wd.path("x.csv"),
        "[sources.member_ages.constants]\nrank = \"1\"\n",
    );
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        err.contains("sources.member_ages.constants.rank") && err.contains("not a column"),
        "{err}"
    );
}

#[test]
fn a_workbook_with_one_sheet_per_street_reads_every_sheet() {
    let wd = Workdir::new();
    let want = tidy_rows(&wd);
    // 平谷区's first street (滨河街道) on one sheet, the other on another; a
    // spoilt row on the second sheet, numbered in its own sheet.
    let xlsx = wd.path("streets.xlsx");
    let mut wb = Workbook::new();
    let (first, second) = ROWS.split_at(4);
    fill(wb.add_worksheet().set_name("滨河街道").unwrap(), first, 0);
    let ws = wb.add_worksheet().set_name("兴谷街道").unwrap();
    fill(ws, second, 0);
    ws.write_string(5, 0, "1101170020999").unwrap();
    ws.write_number(5, 3, 1.0).unwrap();
    wb.save(&xlsx).unwrap();
    let cfg = config(&wd, "streets", &xlsx, &format!("sheet = \"*\"\n{CADRES}"));
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let got = parquet(&wd.path("wh-streets/member_ages/part-0.parquet"));
    assert!(got.equals_missing(&want), "{got}\nvs\n{want}");
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(wd.path("wh-streets/_manifest.json")).unwrap(),
    )
    .unwrap();
    let shown: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["table"] == "member_ages")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(shown.len(), 2);
    assert!(
        shown[0].ends_with("streets.xlsx!滨河街道") && shown[1].ends_with("streets.xlsx!兴谷街道"),
        "{shown:?}"
    );
    let q = parquet(&wd.path("wh-streets/_quarantine.parquet"));
    assert_eq!(common::strs(&q, "source").len(), 1, "{q}");
    assert!(common::strs(&q, "source")[0].ends_with("streets.xlsx!兴谷街道"));
    assert_eq!(
        common::f64s(&q, "row")[0],
        Some(6.0),
        "the row as the second sheet numbers it"
    );
    // A sheet that is not there is named with those that are.
    let bad = config(
        &wd,
        "nosheet",
        &xlsx,
        &format!("sheet = [\"滨河街道\", \"渔阳街道\"]\n{CADRES}"),
    );
    let err = wd.fails(&["ingest", "--config", bad.to_str().unwrap()]);
    assert!(
        err.contains("渔阳街道") && err.contains("兴谷街道"),
        "{err}"
    );
}

/// The return with names only: no 区划代码 column at all.
fn names_only_csv(path: &Path, rows: &[(&str, u32, u32, u32)]) {
    let mut s = format!(
        "{TITLE},,,\n社区名称,{},{},{}\n",
        BANDS[0], BANDS[1], BANDS[2]
    );
    for (name, a, b, c) in rows {
        s.push_str(&format!("{name},{a},{b},{c}\n"));
    }
    std::fs::write(path, s).unwrap();
}

#[test]
fn a_return_with_names_only_is_matched_to_the_tree_within_its_parent() {
    let wd = Workdir::new();
    let want = tidy_rows(&wd);
    // Names as clerks write them: with or without 社区居委会.
    let rows: Vec<(&str, u32, u32, u32)> = ROWS
        .iter()
        .enumerate()
        .map(|(k, (_, name, a, b, c))| {
            let n: &str = if k % 2 == 0 {
                name
            } else {
                name.trim_end_matches("居委会")
            };
            (n, *a, *b, *c)
        })
        .collect();
    let names = wd.path("names.csv");
    names_only_csv(&names, &rows);
    let cfg = config(
        &wd,
        "names",
        &names,
        &format!("parent = \"110117\"\n{CADRES}"),
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let got = parquet(&wd.path("wh-names/member_ages/part-0.parquet"));
    assert!(got.equals_missing(&want), "{got}\nvs\n{want}");

    // Without the parent, 光明社区居委会 names two regions (平谷区 and 许昌);
    // a name the tree does not have is unknown. Both are E_CODE, with the
    // candidates named; the other rows are stored.
    let mut bad = rows.clone();
    bad.push(("幸福里", 1, 1, 1));
    names_only_csv(&names, &bad);
    let cfg = config(&wd, "loose", &names, CADRES);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let q = parquet(&wd.path("wh-loose/_quarantine.parquet"));
    let (rules, messages) = (common::strs(&q, "rule"), common::strs(&q, "message"));
    assert_eq!(rules, ["E_CODE", "E_CODE"], "{q}");
    assert!(
        messages[0].contains("names 2 regions")
            && messages[0].contains("110117002004")
            && messages[0].contains("411002006002"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("no region named '幸福里'"),
        "{}",
        messages[1]
    );
    let f = manifest_file(&wd, "loose");
    assert_eq!(f["rows_read"], 6);
    assert_eq!(f["rows_stored"], 4);
    assert_eq!(f["rows_quarantined"], 2);
}

#[test]
fn a_code_whose_name_disagrees_is_a_w_name_finding() {
    let wd = Workdir::new();
    let path = wd.path("both.csv");
    let mut s = format!(
        "区划代码,社区名称,统计期,{},{},{}\n",
        BANDS[0], BANDS[1], BANDS[2]
    );
    s.push_str("110117001001,金谷东园社区,2023,1,2,3\n");
    s.push_str("110117001005,滨河社区居委会,2023,1,2,3\n");
    std::fs::write(&path, s).unwrap();
    let cfg = config(&wd, "both", &path, CADRES);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let findings = parquet(&wd.path("wh-both/_findings.parquet"));
    let rules = common::strs(&findings, "rule");
    let at: Vec<usize> = (0..findings.height())
        .filter(|&i| rules[i] == "W_NAME")
        .collect();
    assert_eq!(at.len(), 1, "{findings}");
    let m = &common::strs(&findings, "message")[at[0]];
    assert!(
        m.contains("110117001005")
            && m.contains("承平园社区居委会")
            && m.contains("滨河社区居委会"),
        "{m}"
    );
    // Both rows are kept: the code decides.
    assert_eq!(
        parquet(&wd.path("wh-both/member_ages/part-0.parquet")).height(),
        6
    );
    let bad = config(&wd, "badparent", &path, "parent = \"1101\"\n");
    let err = wd.fails(&["ingest", "--config", bad.to_str().unwrap()]);
    assert!(err.contains("sources.member_ages.parent"), "{err}");
}

#[test]
fn a_sheet_without_a_header_names_the_rows_it_looked_at() {
    let wd = Workdir::new();
    let path = wd.write(
        "no-header.csv",
        format!("{TITLE}\n填报单位：平谷区委组织部\n甲,乙,丙\n1,2,3\n"),
    );
    let cfg = config(&wd, "nohead", &path, CADRES);
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("no header row found"), "{err}");
    assert!(
        err.contains("row 1: 2023年平谷区社区干部年龄结构统计表")
            && err.contains("row 3: 甲, 乙, 丙"),
        "{err}"
    );
}

#[test]
fn an_office_return_saved_as_xls_ods_or_wps_et_gives_the_same_rows() {
    let has_calc = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        && Path::new("/usr/lib/libreoffice/program/libscfiltlo.so").exists();
    if !has_calc {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install LibreOffice Calc (.ci/run)"
        );
        eprintln!("SKIPPED: LibreOffice Calc not found");
        return;
    }
    let wd = Workdir::new();
    let xlsx = wd.path("return.xlsx");
    write_return(&xlsx, 0);
    let cfg = config(&wd, "xlsx", &xlsx, CADRES);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let want = parquet(&wd.path("wh-xlsx/member_ages/part-0.parquet"));
    for ext in ["xls", "ods"] {
        common::soffice_convert(&wd, &xlsx, ext);
    }
    std::fs::copy(wd.path("return.xls"), wd.path("return.et")).unwrap();
    for ext in ["xls", "ods", "et"] {
        let cfg = config(&wd, ext, &wd.path(&format!("return.{ext}")), CADRES);
        let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
        assert!(out.contains("total rows 1"), "{ext}: {out}");
        let got = parquet(&wd.path(&format!("wh-{ext}/member_ages/part-0.parquet")));
        assert!(got.equals_missing(&want), "{ext}: {got}");
    }
}

#[test]
fn a_long_table_s_total_rows_add_up_band_by_band() {
    let wd = Workdir::new();
    let path = wd.path("long.csv");
    let mut s = String::from("区划代码,统计期,身份,年龄段,人数\n");
    for (code, _, a, b, _) in ROWS {
        s.push_str(&format!(
            "{code},2023,党员,30岁以下,{a}\n{code},2023,党员,30-44岁,{b}\n"
        ));
    }
    let (young, mid): (u32, u32) = ROWS.iter().fold((0, 0), |t, r| (t.0 + r.2, t.1 + r.3));
    // One band's total right, the other's off by one; bands spelt otherwise.
    s.push_str(&format!(
        "合计,2023,党员,<30,{young}\n合计,2023,党员,30至44岁,{}\n",
        mid + 1
    ));
    std::fs::write(&path, s).unwrap();
    let regions = common::repo().join("datasets/sample/regions.csv");
    let cfg = wd.write(
        "long.toml",
        format!("[run]\nwarehouse = \"wh\"\noutput = \"out\"\n\n[sources.regions]\npath = {:?}\n\n[sources.member_ages]\npath = \"long.csv\"\n", regions.to_string_lossy()),
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let findings = parquet(&wd.path("wh/_findings.parquet"));
    let rules = common::strs(&findings, "rule");
    let messages = common::strs(&findings, "message");
    let totals: Vec<&String> = (0..findings.height())
        .filter(|&i| rules[i] == "W_TOTAL")
        .map(|i| &messages[i])
        .collect();
    assert_eq!(totals.len(), 1, "{findings}");
    assert!(
        totals[0].contains("row 13 (合计)") && totals[0].contains("30-44"),
        "{}",
        totals[0]
    );
    assert!(totals[0].contains(&format!("({mid})")), "{}", totals[0]);
}
