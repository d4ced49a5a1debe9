//! A district's collection round (`[collection]`, contract B.21): which unit
//! filed each file, and the filing status of every unit and table — 已报
//! (filed), 缺报 (expected, nothing came), 重复 (two files or more).
//!
//! A file's filer is, in order: the config's `filed_by` (a file name or a
//! glob → a code); the unit its titles' 填报单位 line names; the unit its
//! file or sheet name names. A name matches a unit when it contains the
//! unit's name (平谷镇人民政府 holds 平谷镇); of several, the longest; a tie
//! is no match. A file none of these settles is listed as not known, never
//! guessed. Pure: the files' entries and the tree in, entries and rows out.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use crate::config::{name_matches, Collection};
use crate::contract::Table;
use crate::regions::Region;
use crate::warehouse::{FileEntry, FiledBy};

/// One row of the filing status: a unit and a table (or a file whose filer
/// is not known: no unit).
#[derive(Debug, Clone, PartialEq)]
pub struct Filing {
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub table: Table,
    /// 已报, 缺报, 重复, or 未识别 (a file whose filer is not known).
    pub status: &'static str,
    /// The files, as the manifest shows them, in read order.
    pub files: Vec<String>,
}

/// The units that file: the regions at the collection's level under its
/// district, in code order, with their names.
pub fn units<'r>(regions: &'r [Region], c: &Collection) -> Vec<(&'r str, &'r str)> {
    let parent: HashMap<&str, Option<&str>> = regions
        .iter()
        .map(|r| (r.row.code.as_str(), r.row.parent.as_deref()))
        .collect();
    let under = |code: &str| {
        let mut at = parent.get(code).copied().flatten();
        while let Some(p) = at {
            if p == c.district {
                return true;
            }
            at = parent.get(p).copied().flatten();
        }
        false
    };
    let mut out: Vec<(&str, &str)> = regions
        .iter()
        .filter(|r| r.row.level == c.level && under(&r.row.code))
        .map(|r| (r.row.code.as_str(), r.row.name.as_str()))
        .collect();
    out.sort_unstable();
    out
}

/// The unit a text names: the longest unit name it contains, unless two
/// units' names of that length are in it.
fn named<'u>(text: &str, units: &[(&'u str, &'u str)]) -> Option<(&'u str, &'u str)> {
    let mut hits: Vec<(&str, &str)> = units
        .iter()
        .copied()
        .filter(|(_, name)| !name.is_empty() && text.contains(name))
        .collect();
    hits.sort_by_key(|(_, name)| std::cmp::Reverse(name.chars().count()));
    match hits.as_slice() {
        [one] => Some(*one),
        [a, b, ..] if a.1.chars().count() > b.1.chars().count() => Some(*a),
        _ => None,
    }
}

/// Sets each collected file's `filed_by` (module doc).
pub fn assign(files: &mut [FileEntry], units: &[(&str, &str)], c: &Collection) {
    let name_of: HashMap<&str, &str> = units.iter().copied().collect();
    let collected: Vec<&str> = c.tables.iter().map(|t| t.name()).collect();
    for f in files
        .iter_mut()
        .filter(|f| collected.contains(&f.table.as_str()))
    {
        // `file.xlsx!sheet` is shown for a sheet: the file is before the `!`.
        let file = f.path.split('!').next().unwrap_or(&f.path);
        let mapped = c
            .filed_by
            .iter()
            .find(|(pattern, _)| name_matches(pattern, Path::new(file)))
            .and_then(|(_, code)| name_of.get(code.as_str()).map(|n| (code.as_str(), *n)));
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let found = mapped
            .map(|u| (u, "filed_by"))
            .or_else(|| {
                f.filer_line
                    .as_deref()
                    .and_then(|l| named(l, units))
                    .map(|u| (u, "填报单位"))
            })
            .or_else(|| named(stem, units).map(|u| (u, "file name")))
            .or_else(|| {
                f.sheet
                    .as_deref()
                    .and_then(|s| named(s, units))
                    .map(|u| (u, "sheet name"))
            });
        f.filed_by = found.map(|((code, name), how)| FiledBy {
            code: code.to_string(),
            name: name.to_string(),
            how: how.to_string(),
        });
    }
}

/// The status of every unit and collected table, in unit then table order;
/// then the collected files whose filer is not known.
pub fn status(files: &[FileEntry], units: &[(&str, &str)], c: &Collection) -> Vec<Filing> {
    let mut out = Vec::new();
    for (code, name) in units {
        for table in &c.tables {
            let filed: Vec<String> = files
                .iter()
                .filter(|f| {
                    f.table == table.name() && f.filed_by.as_ref().is_some_and(|b| b.code == *code)
                })
                .map(|f| f.path.clone())
                .collect();
            let status = match filed.len() {
                0 => "缺报",
                1 => "已报",
                _ => "重复",
            };
            out.push(Filing {
                unit_code: Some(code.to_string()),
                unit_name: Some(name.to_string()),
                table: *table,
                status,
                files: filed,
            });
        }
    }
    for f in files.iter().filter(|f| f.filed_by.is_none()) {
        if let Some(table) = c.tables.iter().find(|t| t.name() == f.table) {
            out.push(Filing {
                unit_code: None,
                unit_name: None,
                table: *table,
                status: "未识别",
                files: vec![f.path.clone()],
            });
        }
    }
    out
}

/// The status as the warehouse's `_filing.parquet` holds it.
pub fn filing_frame(rows: &[Filing]) -> PolarsResult<DataFrame> {
    df!(
        "unit_code" => rows.iter().map(|r| r.unit_code.as_deref()).collect::<Vec<_>>(),
        "unit_name" => rows.iter().map(|r| r.unit_name.as_deref()).collect::<Vec<_>>(),
        "table" => rows.iter().map(|r| r.table.name()).collect::<Vec<_>>(),
        "status" => rows.iter().map(|r| r.status).collect::<Vec<_>>(),
        "files" => rows.iter().map(|r| r.files.join("; ")).collect::<Vec<_>>(),
    )
}

/// The status a warehouse holds (`_filing.parquet`), as written.
pub fn read_status(warehouse: &Path) -> PolarsResult<Vec<Filing>> {
    let f = std::fs::File::open(warehouse.join("_filing.parquet"))?;
    let df = ParquetReader::new(f).finish()?;
    let text = |c: &str| -> PolarsResult<Vec<Option<String>>> {
        Ok(df
            .column(c)?
            .str()?
            .iter()
            .map(|v| v.map(String::from))
            .collect())
    };
    let (codes, names, tables, statuses, files) = (
        text("unit_code")?,
        text("unit_name")?,
        text("table")?,
        text("status")?,
        text("files")?,
    );
    Ok((0..df.height())
        .filter_map(|i| {
            let table = Table::from_name(tables[i].as_deref()?)?;
            let status = ["已报", "缺报", "重复", "未识别"]
                .into_iter()
                .find(|s| Some(*s) == statuses[i].as_deref())?;
            Some(Filing {
                unit_code: codes[i].clone(),
                unit_name: names[i].clone(),
                table,
                status,
                files: files[i]
                    .as_deref()
                    .filter(|f| !f.is_empty())
                    .map(|f| f.split("; ").map(String::from).collect())
                    .unwrap_or_default(),
            })
        })
        .collect())
}

/// One line for the terminal: how many units filed every table, and who
/// did not; repeated files and files of no known filer.
pub fn summary(rows: &[Filing], c: &Collection) -> String {
    let mut units: Vec<&str> = rows.iter().filter_map(|r| r.unit_code.as_deref()).collect();
    units.dedup();
    let missing: Vec<String> = rows
        .iter()
        .filter(|r| r.status == "缺报")
        .map(|r| {
            format!(
                "{} {} ({})",
                r.unit_code.as_deref().unwrap_or_default(),
                r.unit_name.as_deref().unwrap_or_default(),
                r.table
            )
        })
        .collect();
    let all_filed = units
        .iter()
        .filter(|u| {
            rows.iter()
                .filter(|r| r.unit_code.as_deref() == Some(**u))
                .all(|r| r.status != "缺报")
        })
        .count();
    let twice = rows.iter().filter(|r| r.status == "重复").count();
    let unknown = rows.iter().filter(|r| r.status == "未识别").count();
    let mut s = format!(
        "collection {} ({}): {all_filed} of {} units filed every table",
        c.district,
        c.level.name(),
        units.len()
    );
    if !missing.is_empty() {
        s.push_str(&format!("; 缺报 {}", missing.join(", ")));
    }
    if twice > 0 {
        s.push_str(&format!("; 重复 {twice} (two files or more of one table)"));
    }
    if unknown > 0 {
        s.push_str(&format!("; {unknown} file(s) whose filer is not known"));
    }
    s
}
