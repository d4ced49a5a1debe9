//! The messy sample's collection round (`round-2024/`, contract B.21): ten
//! streets of 平谷区 — the 街乡吹哨、部门报到 district — send their 2024 人民调解
//! returns to the district office as clerks make them (a title naming the
//! year, a 填报单位 line, community names without codes, a 合计 row), with a
//! receipt log (收文登记.csv). Planted, and listed in `_expected.csv`:
//! 大华山镇 files nothing (缺报); 峪口地区 files twice, its correction fixing
//! a row of the first (重复: the first is not read); 马坊地区 files after the
//! due day (逾期); 东高村镇's 合计 of 受理数 is 10 over its rows (W_TOTAL);
//! 南独乐河镇 types a village's name wrong on its four rows (E_CODE, one line
//! naming the village it is; the village then has no 2024 figures: 部分). 马昌营镇's return says who filed it
//! only in its file name.

use std::fs;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use super::messy::io;
use super::GenerateError;

/// The ten streets that file (the main sample's streets of 平谷区).
const STREETS: [&str; 10] = [
    "110117001",
    "110117003",
    "110117004",
    "110117005",
    "110117101",
    "110117104",
    "110117105",
    "110117108",
    "110117111",
    "110117114",
];

/// The dispute types a return lists, one row each per village.
const TYPES: [&str; 4] = ["婚姻家庭", "邻里纠纷", "土地承包", "劳动争议"];

/// A region of the round's tree: code, name, level, parent.
type Node = (String, String, &'static str, String);

/// A figure that looks like a village's year: the same for the same inputs.
fn figure(code: &str, kind: &str, spread: u64) -> u64 {
    let h = blake3::hash(format!("{code}|{kind}").as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes")) % spread
}

/// One return's rows: (name as typed, type, received, resolved, escalated).
type Rows = Vec<(String, &'static str, u64, u64, u64)>;

fn rows_of(villages: &[&Node]) -> Rows {
    let mut out = Vec::new();
    for (code, name, _, _) in villages {
        for t in TYPES {
            let received = 2 + figure(code, t, 12);
            let resolved = received - figure(code, &format!("{t}/r"), 3).min(received);
            let escalated = figure(code, &format!("{t}/e"), 2).min(received - resolved);
            out.push((name.clone(), t, received, resolved, escalated));
        }
    }
    out
}

/// A return as a clerk makes it; `filer` the 填报单位 line (none: the file
/// name says who), `total_over` what the 合计 of 受理数 is over its rows.
/// The data rows start at row 4; the 合计 row is the last.
fn write_return(
    path: &Path,
    filer: Option<&str>,
    rows: &Rows,
    total_over: u64,
) -> Result<(), GenerateError> {
    let xe =
        |e: rust_xlsxwriter::XlsxError| GenerateError::Xlsx(format!("{}: {e}", path.display()));
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 1, 5).map_err(xe)?);
    wb.set_properties(&props);
    let ws = wb.add_worksheet();
    ws.set_name("人民调解").map_err(xe)?;
    let f = Format::new();
    ws.merge_range(0, 0, 0, 4, "2024年人民调解工作情况统计表", &f)
        .map_err(xe)?;
    if let Some(filer) = filer {
        ws.write_string(1, 0, format!("填报单位：{filer}（盖章）"))
            .map_err(xe)?;
        ws.write_string(1, 3, "填报日期：2025年1月").map_err(xe)?;
    }
    for (c, h) in [
        "社区（村）名称",
        "纠纷类型",
        "受理数(件)",
        "调解成功数(件)",
        "升级数(件)",
    ]
    .into_iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, h).map_err(xe)?;
    }
    let mut sums = [0u64; 3];
    for (i, (name, t, a, b, c)) in rows.iter().enumerate() {
        let r = i as u32 + 3;
        ws.write_string(r, 0, name).map_err(xe)?;
        ws.write_string(r, 1, *t).map_err(xe)?;
        for (k, v) in [a, b, c].into_iter().enumerate() {
            ws.write_number(r, 2 + k as u16, *v as f64).map_err(xe)?;
            sums[k] += v;
        }
    }
    let total = rows.len() as u32 + 3;
    ws.merge_range(total, 0, total, 1, "合计", &f).map_err(xe)?;
    sums[0] += total_over;
    for (k, v) in sums.iter().enumerate() {
        ws.write_number(total, 2 + k as u16, *v as f64)
            .map_err(xe)?;
    }
    ws.write_string(total + 1, 0, "填表人：    审核人：    联系电话：")
        .map_err(xe)?;
    wb.save(path).map_err(xe)
}

/// A tree without villages under a street the round plants something in.
fn no_villages(tree: &Path, street: &str) -> GenerateError {
    GenerateError::Input {
        path: tree.to_path_buf(),
        message: format!("the round needs villages under {street}, which this tree does not have"),
    }
}

/// Writes the round to `out` (`regions.csv`, `returns/`, `收文登记.csv`,
/// `_expected.csv`) from the tree `govlens generate` reads.
pub fn write(tree: &Path, out: &Path) -> Result<(), GenerateError> {
    let returns = out.join("returns");
    fs::create_dir_all(&returns).map_err(io(&returns))?;
    // The district, its streets and every village under them.
    let rows = super::read_tree(tree)?;
    let mut nodes: Vec<Node> = vec![
        (
            "100000".into(),
            "中华人民共和国".into(),
            "country",
            String::new(),
        ),
        (
            "110000".into(),
            "北京市".into(),
            "province",
            "100000".into(),
        ),
        ("110100".into(), "市辖区".into(), "city", "110000".into()),
        ("110117".into(), "平谷区".into(), "county", "110100".into()),
    ];
    for (code, name, level, parent) in &rows {
        let street = STREETS.contains(&code.as_str()) && level == "street";
        let village = level == "community" && STREETS.contains(&parent.as_str());
        if street || village {
            let level = if street { "street" } else { "community" };
            nodes.push((code.clone(), name.clone(), level, parent.clone()));
        }
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(super::REGION_HEADER)
        .expect("in-memory write");
    for (code, name, level, parent) in &nodes {
        // 平谷区 and its streets follow the sinking model (吹哨报到, 2018).
        let (model, year) = match level {
            &"county" | &"street" => ("sinking", "2018"),
            _ => ("", ""),
        };
        let (pop, households) = match level {
            &"community" => {
                let p = 800 + figure(code, "population", 5200);
                (p.to_string(), (p * 10 / 26).to_string())
            }
            _ => (String::new(), String::new()),
        };
        w.write_record([
            code.as_str(),
            name,
            level,
            parent,
            model,
            year,
            &pop,
            &households,
        ])
        .expect("in-memory write");
    }
    let p = out.join("regions.csv");
    fs::write(&p, w.into_inner().expect("in-memory write")).map_err(io(&p))?;

    let name_of = |code: &str| {
        nodes
            .iter()
            .find(|n| n.0 == code)
            .map(|n| n.1.clone())
            .unwrap_or_default()
    };
    let villages =
        |street: &str| -> Vec<&Node> { nodes.iter().filter(|n| n.3 == street).collect() };
    // (file, received) for the receipt log; the expected lines.
    let mut log: Vec<(String, &str)> = Vec::new();
    let mut expected: Vec<[String; 9]> = Vec::new();
    let line = |what: &str,
                code: &str,
                file: &str,
                row: &str,
                rule: &str,
                column: &str,
                value: &str,
                region: &str|
     -> [String; 9] {
        [
            what,
            code,
            &name_of(code),
            file,
            row,
            rule,
            column,
            value,
            region,
        ]
        .map(String::from)
    };
    for street in STREETS {
        let name = name_of(street);
        let office = format!(
            "平谷区{name}{}",
            if name.ends_with('镇') {
                "人民政府"
            } else {
                "办事处"
            }
        );
        let mut rows = rows_of(&villages(street));
        let file = format!("{name}.xlsx");
        match street {
            // 大华山镇: nothing came.
            "110117105" => {
                expected.push(line("status", street, "", "", "缺报", "", "", ""));
                continue;
            }
            // 峪口地区: a first return with 调解成功数 over 受理数 in its
            // first row, then the correction; only the correction is read.
            "110117004" => {
                let mut first = rows.clone();
                let Some(row) = first.first_mut() else {
                    return Err(no_villages(tree, street));
                };
                row.3 = row.2 + 3;
                write_return(&returns.join(&file), Some(&office), &first, 0)?;
                log.push((file.clone(), "2025-01-06 10:20"));
                let fixed = format!("{name}（更正）.xlsx");
                write_return(&returns.join(&fixed), Some(&office), &rows, 0)?;
                log.push((fixed.clone(), "2025-01-09 15:45"));
                expected.push(line("status", street, &fixed, "", "重复", "", &file, ""));
                continue;
            }
            // 马坊地区: after the due day.
            "110117005" => {
                write_return(&returns.join(&file), Some(&office), &rows, 0)?;
                log.push((file.clone(), "2025-01-13 09:05"));
                expected.push(line("status", street, &file, "", "逾期", "", "", ""));
                continue;
            }
            // 东高村镇: 合计 受理数 10 over its rows.
            "110117101" => {
                write_return(&returns.join(&file), Some(&office), &rows, 10)?;
                log.push((file.clone(), "2025-01-08 16:30"));
                let total_row = rows.len() + 4;
                let published: u64 = rows.iter().map(|r| r.2).sum::<u64>() + 10;
                expected.push(line("status", street, &file, "", "已报", "", "", ""));
                expected.push(line(
                    "line",
                    street,
                    &file,
                    &total_row.to_string(),
                    "W_TOTAL",
                    "受理数(件)",
                    &published.to_string(),
                    "",
                ));
                continue;
            }
            // 南独乐河镇: 望马台村 typed 旺马台村 (its four rows).
            "110117104" => {
                let wrong = "旺马台村";
                let mut at = Vec::new();
                for (i, r) in rows.iter_mut().enumerate() {
                    if r.0 == "望马台村委会" {
                        r.0 = wrong.into();
                        at.push(i + 4);
                    }
                }
                if at.is_empty() {
                    return Err(GenerateError::Input {
                        path: tree.to_path_buf(),
                        message: "the round plants a typo in 望马台村委会 (110117104208), which this tree does not have".into(),
                    });
                }
                write_return(&returns.join(&file), Some(&office), &rows, 0)?;
                log.push((file.clone(), "2025-01-10 11:00"));
                expected.push(line("status", street, &file, "", "部分", "", "", ""));
                // One line for the four rows, naming the village they are.
                let rows = format!("{}—{}", at[0], at[at.len() - 1]);
                expected.push(line(
                    "line",
                    street,
                    &file,
                    &rows,
                    "E_CODE",
                    "社区（村）名称",
                    wrong,
                    "",
                ));
                continue;
            }
            // 马昌营镇: no 填报单位 line; its file name says who.
            "110117108" => {
                let file = format!("人民调解统计表（{name}）.xlsx");
                write_return(&returns.join(&file), None, &rows, 0)?;
                log.push((file.clone(), "2025-01-07 14:12"));
                expected.push(line("status", street, &file, "", "已报", "", "", ""));
                continue;
            }
            _ => {
                write_return(&returns.join(&file), Some(&office), &rows, 0)?;
                log.push((file.clone(), "2025-01-09 09:30"));
                expected.push(line("status", street, &file, "", "已报", "", "", ""));
            }
        }
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(["文件", "收到时间"])
        .expect("in-memory write");
    for (file, at) in &log {
        w.write_record([file.as_str(), at])
            .expect("in-memory write");
    }
    let p = out.join("收文登记.csv");
    fs::write(&p, w.into_inner().expect("in-memory write")).map_err(io(&p))?;

    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record([
        "what",
        "unit_code",
        "unit_name",
        "file",
        "row",
        "rule",
        "column",
        "value",
        "region",
    ])
    .expect("in-memory write");
    for e in &expected {
        w.write_record(e).expect("in-memory write");
    }
    let p = out.join("_expected.csv");
    fs::write(&p, w.into_inner().expect("in-memory write")).map_err(io(&p))?;
    // Simulated: a run reading the round says so (contract B.6).
    let said = serde_json::json!({
        "generator": "govlens generate --messy",
        "what": "a district office's collection round on simulated 2024 人民调解 returns",
        "planted": "_expected.csv",
    });
    let text = serde_json::to_string_pretty(&said).expect("json") + "\n";
    for dir in [out, returns.as_path()] {
        let p = dir.join("_generated.json");
        fs::write(&p, &text).map_err(io(&p))?;
    }
    Ok(())
}
