//! A district's collection round (`[collection]`, contract B.21): which unit
//! filed each file and when, and the filing status of every unit and table —
//! 已报 (filed), 逾期 (filed after the due day), 缺报 (expected, nothing
//! came), 重复 (two files or more: the one that came last is read, the
//! others are listed as superseded and never read).
//!
//! A file's filer is, in order: the config's `filed_by` (a file name or a
//! glob → a code); the unit its titles' 填报单位 line names; the unit a
//! column headed 填报单位, 街道 … names in its first rows; the unit its file
//! or sheet name names. A name matches a unit when it contains the
//! unit's name (平谷镇人民政府 holds 平谷镇); of several, the longest when
//! the others are inside it (东高村镇 over 高村镇), else none. A file none of these settles is listed as not known, never
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
    /// 已报, 逾期, 缺报, 重复, or 未识别 (a file whose filer is not known).
    pub status: &'static str,
    /// The files, as the manifest shows them, in read order.
    pub files: Vec<String>,
    /// Of `files`, those a later return replaced (重复): not read.
    pub superseded: Vec<String>,
    /// The BLAKE3 hashes of the files read (`; `-joined): whether a unit
    /// sent something new since the previous run (corrections' rounds).
    pub used_hash: Option<String>,
    /// When the last of them came, and how that is known (receipts, mtime).
    pub received_at: Option<String>,
    pub received_from: Option<String>,
    /// Whether it came by the due day (none without a due day or a file).
    pub on_time: Option<bool>,
    /// The unit's regions at the analysis level the table's stored rows
    /// cover, of how many, and those not covered (`code name`).
    pub covered: Option<(u32, u32)>,
    pub missing: Vec<String>,
}

/// The units that file: the regions at the collection's level under its
/// district, in code order, with their names.
pub fn units<'r>(regions: &'r [Region], c: &Collection) -> Vec<(&'r str, &'r str)> {
    let parent = parents(regions);
    let mut out: Vec<(&str, &str)> = regions
        .iter()
        .filter(|r| {
            r.row.level == c.level && above(&parent, &r.row.code, |p| p == c.district).is_some()
        })
        .map(|r| (r.row.code.as_str(), r.row.name.as_str()))
        .collect();
    out.sort_unstable();
    out
}

/// Each region's parent code.
fn parents(regions: &[Region]) -> HashMap<&str, Option<&str>> {
    regions
        .iter()
        .map(|r| (r.row.code.as_str(), r.row.parent.as_deref()))
        .collect()
}

/// The nearest region above `code` that `is` holds for (the tree has no
/// cycles: ingest quarantines them).
fn above<'r>(
    parent: &HashMap<&'r str, Option<&'r str>>,
    code: &str,
    is: impl Fn(&str) -> bool,
) -> Option<&'r str> {
    let mut at = parent.get(code).copied().flatten();
    while let Some(p) = at {
        if is(p) {
            return Some(p);
        }
        at = parent.get(p).copied().flatten();
    }
    None
}

/// The unit a text names: the longest unit name it contains, when every
/// other name it contains is inside that one.
fn named<'u>(text: &str, units: &[(&'u str, &'u str)]) -> Option<(&'u str, &'u str)> {
    let mut hits: Vec<(&str, &str)> = units
        .iter()
        .copied()
        .filter(|(_, name)| !name.is_empty() && text.contains(name))
        .collect();
    hits.sort_by_key(|(_, name)| std::cmp::Reverse(name.chars().count()));
    // 东高村镇 over 高村镇 (one inside the other); two names side by side
    // (马坊地区转东高村镇) are no match.
    let (first, rest) = hits.split_first()?;
    rest.iter()
        .all(|(_, name)| first.1.contains(name) && *name != first.1)
        .then_some(*first)
}

/// The unit a filer column's values name: every value that names a unit
/// names the same one (a 合计 or a blank names none); a column naming two
/// units names none — such a file is listed, not guessed.
fn column_unit<'u>(values: &[String], units: &[(&'u str, &'u str)]) -> Option<(&'u str, &'u str)> {
    let mut found: Option<(&str, &str)> = None;
    for v in values {
        match (named(v, units), found) {
            (None, _) => {}
            (Some(u), None) => found = Some(u),
            (Some(u), Some(f)) if u == f => {}
            (Some(_), Some(_)) => return None,
        }
    }
    found
}

/// Sets each collected file's `filed_by` (module doc); `Err` names a
/// `filed_by` code that is not one of the units, or a file two patterns of
/// `filed_by` give to two units.
pub fn assign(
    files: &mut [FileEntry],
    units: &[(&str, &str)],
    c: &Collection,
) -> Result<(), String> {
    let name_of: HashMap<&str, &str> = units.iter().copied().collect();
    if let Some((pattern, code)) = c
        .filed_by
        .iter()
        .find(|(_, code)| !name_of.contains_key(code.as_str()))
    {
        return Err(format!(
            "[collection.filed_by] \"{pattern}\" names {code}, which is not a {} under {}",
            c.level.name(),
            c.district
        ));
    }
    let collected: Vec<&str> = c.tables.iter().map(|t| t.name()).collect();
    for f in files
        .iter_mut()
        .filter(|f| collected.contains(&f.table.as_str()))
    {
        let file = f.file();
        let claims: Vec<&(String, String)> = c
            .filed_by
            .iter()
            .filter(|(pattern, _)| name_matches(pattern, Path::new(file)))
            .collect();
        if let [(p1, c1), rest @ ..] = claims.as_slice() {
            if let Some((p2, c2)) = rest.iter().find(|(_, c2)| c2 != c1) {
                return Err(format!(
                    "[collection.filed_by] \"{p1}\" gives {file} to {c1} and \"{p2}\" gives it to {c2}: one file has one filer"
                ));
            }
        }
        let mapped = claims
            .first()
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
            .or_else(|| column_unit(&f.filer_column, units).map(|u| (u, "column")))
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
    Ok(())
}

/// Of a unit's returns of one table, the one that came last is used (of
/// two whose times tie or are unknown, the later in read order); each
/// other file's entries are `superseded_by` it: not read, listed.
pub fn supersede(files: &mut [FileEntry]) {
    let mut groups: std::collections::BTreeMap<(String, String), Vec<usize>> = Default::default();
    for (i, f) in files.iter().enumerate() {
        if let Some(by) = &f.filed_by {
            groups
                .entry((by.code.clone(), f.table.clone()))
                .or_default()
                .push(i);
        }
    }
    for group in groups.values() {
        let when = |i: usize| (&files[i].received_at, files[i].modified_nanos, i);
        let Some(&last) = group.iter().max_by(|&&i, &&j| when(i).cmp(&when(j))) else {
            continue;
        };
        let used = files[last].file().to_string();
        for &i in group {
            if files[i].file() != used {
                files[i].superseded_by = Some(used.clone());
            }
        }
    }
}

/// The status of every unit and collected table, in unit then table order;
/// then the collected files whose filer is not known.
pub fn status(files: &[FileEntry], units: &[(&str, &str)], c: &Collection) -> Vec<Filing> {
    let due = c.due.map(|d| d.text());
    let filing = |unit: Option<(&str, &str)>, table: Table, filed: Vec<&FileEntry>| {
        // The return used: the one no later return replaced.
        let last = filed
            .iter()
            .rev()
            .find(|f| f.superseded_by.is_none())
            .or(filed.last())
            .copied();
        let on_time = match (&due, last.and_then(|f| f.received_at.as_deref())) {
            (Some(d), Some(at)) => Some(at[..10.min(at.len())] <= d[..]),
            _ => None,
        };
        // A workbook read sheet by sheet is one file.
        let mut distinct: Vec<&str> = filed.iter().map(|f| f.file()).collect();
        distinct.dedup();
        let status = match (unit, distinct.len(), on_time) {
            (None, ..) => "未识别",
            (_, 0, _) => "缺报",
            (_, 1, Some(false)) => "逾期",
            (_, 1, _) => "已报",
            _ => "重复",
        };
        Filing {
            unit_code: unit.map(|u| u.0.to_string()),
            unit_name: unit.map(|u| u.1.to_string()),
            table,
            status,
            files: filed.iter().map(|f| f.path.clone()).collect(),
            superseded: filed
                .iter()
                .filter(|f| f.superseded_by.is_some())
                .map(|f| f.path.clone())
                .collect(),
            used_hash: (!filed.is_empty()).then(|| {
                let mut h: Vec<&str> = filed
                    .iter()
                    .filter(|f| f.superseded_by.is_none())
                    .map(|f| f.hash.as_str())
                    .collect();
                h.sort_unstable();
                h.dedup();
                h.join("; ")
            }),
            received_at: last.and_then(|f| f.received_at.clone()),
            received_from: last.and_then(|f| f.received_from.clone()),
            on_time,
            covered: None,
            missing: Vec::new(),
        }
    };
    let mut out = Vec::new();
    for &(code, name) in units {
        for table in &c.tables {
            let filed: Vec<&FileEntry> = files
                .iter()
                .filter(|f| {
                    f.table == table.name() && f.filed_by.as_ref().is_some_and(|b| b.code == code)
                })
                .collect();
            out.push(filing(Some((code, name)), *table, filed));
        }
    }
    // A file whose filer is not known, once (a workbook's sheets are one file).
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for f in files.iter().filter(|f| f.filed_by.is_none()) {
        if let Some(table) = c.tables.iter().find(|t| t.name() == f.table) {
            if seen.contains(&(f.file(), table.name())) {
                continue;
            }
            seen.push((f.file(), table.name()));
            out.push(filing(None, *table, vec![f]));
        }
    }
    out
}

/// How much of each filing unit its stored rows cover: per unit and table,
/// its regions at `level` (the analysis level; the unit itself when that is
/// not below it) against the codes `stored` per table holds; a unit that
/// filed but whose rows leave some out is 部分 (unless 重复).
pub fn coverage(
    rows: &mut [Filing],
    regions: &[Region],
    level: crate::contract::Level,
    stored: &HashMap<Table, std::collections::HashSet<String>>,
) {
    let units: std::collections::HashSet<String> =
        rows.iter().filter_map(|r| r.unit_code.clone()).collect();
    let parent = parents(regions);
    // Each unit's regions at `level`, found by walking up once per region.
    let mut under: HashMap<&str, Vec<&Region>> = HashMap::new();
    for r in regions {
        let code = r.row.code.as_str();
        if units.contains(code) {
            if r.row.level >= level {
                under.entry(code).or_default().push(r);
            }
            continue;
        }
        if r.row.level != level {
            continue;
        }
        if let Some(unit) = above(&parent, code, |p| units.contains(p)) {
            under.entry(unit).or_default().push(r);
        }
    }
    for row in rows.iter_mut() {
        let Some(unit) = row.unit_code.as_deref() else {
            continue;
        };
        if row.status == "缺报" {
            continue;
        }
        let expected = under.get(unit).map(Vec::as_slice).unwrap_or_default();
        let have = stored.get(&row.table);
        let lacking: Vec<&&Region> = expected
            .iter()
            .filter(|r| !have.is_some_and(|h| h.contains(&r.row.code)))
            .collect();
        row.covered = Some((
            (expected.len() - lacking.len()) as u32,
            expected.len() as u32,
        ));
        row.missing = lacking
            .iter()
            .map(|r| format!("{} {}", r.row.code, r.row.name))
            .collect();
        if !lacking.is_empty() && row.status != "重复" {
            row.status = "部分";
        }
    }
}

/// When each collected file came: its line in the receipt log (by its path
/// as shown, else by its name where one file has it), else its modification
/// time (China Standard Time, UTC+8: the time a clerk's screen shows).
pub fn received(
    files: &mut [FileEntry],
    paths: &HashMap<String, std::path::PathBuf>,
    log: &HashMap<String, String>,
    c: &Collection,
) {
    let collected: Vec<&str> = c.tables.iter().map(|t| t.name()).collect();
    let name_of = |file: &str| -> String {
        Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string()
    };
    // A bare name in the log names a file only when one file has it.
    let mut distinct: Vec<String> = files.iter().map(|f| f.file().to_string()).collect();
    distinct.sort();
    distinct.dedup();
    let mut names: HashMap<String, usize> = HashMap::new();
    for file in &distinct {
        *names.entry(name_of(file)).or_default() += 1;
    }
    for f in files
        .iter_mut()
        .filter(|f| collected.contains(&f.table.as_str()))
    {
        let file = f.file().to_string();
        let name = name_of(&file);
        let unique = names.get(&name) == Some(&1);
        let modified = paths
            .get(&f.path)
            .and_then(|p| std::fs::metadata(p).ok())
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        // Two returns logged in one minute (or on one day) are told apart
        // by their files' times.
        f.modified_nanos = modified.map(|d| d.as_nanos());
        if let Some(at) = log.get(&file).or_else(|| log.get(&name).filter(|_| unique)) {
            f.received_at = Some(at.clone());
            f.received_from = Some("receipts".into());
            continue;
        }
        if let Some(d) = modified {
            let secs = d.as_secs() as i64 + 8 * 3600;
            let day = crate::contract::grammar::date_of_days(secs.div_euclid(86_400));
            let s = secs.rem_euclid(86_400);
            f.received_at = Some(format!(
                "{} {:02}:{:02}",
                day.text(),
                s / 3600,
                s % 3600 / 60
            ));
            f.received_from = Some("mtime".into());
        }
    }
}

/// A receipt log: a CSV with a file column (文件, 文件名, file) and a time
/// column (收到时间, 接收时间, received_at): `2024-04-09` or `2024-04-09
/// 17:30`. File names → times as `YYYY-MM-DD HH:MM`.
pub fn read_receipts(path: &Path) -> Result<HashMap<String, String>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    // UTF-8, else GB18030 (a log saved by Excel on a Chinese Windows).
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.to_string(),
        Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
    };
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    let at = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.trim().trim_start_matches('\u{feff}')))
    };
    let (Some(fi), Some(ti)) = (
        at(&["文件", "文件名", "file"]),
        at(&["收到时间", "接收时间", "received_at"]),
    ) else {
        return Err("a receipt log needs a file column (文件, 文件名, file) and a time column (收到时间, 接收时间, received_at)".into());
    };
    let mut out = HashMap::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        let (Some(file), Some(time)) = (rec.get(fi), rec.get(ti)) else {
            continue;
        };
        let time = receipt_time(time).ok_or_else(|| {
            format!(
                "row {}: '{time}' is not a time (2024-04-09 or 2024-04-09 17:30)",
                i + 2
            )
        })?;
        out.insert(file.trim().to_string(), time);
    }
    Ok(out)
}

/// `2024-04-09`, `2024/4/9 17:30`, `2024-04-09 17:30:05` → `2024-04-09 17:30`.
fn receipt_time(text: &str) -> Option<String> {
    let text = text.trim();
    let (date, time) = text.split_once([' ', 'T']).unwrap_or((text, ""));
    let day = crate::config::collection_day(date)?;
    let hm: Vec<u32> = match time.trim() {
        "" => vec![0, 0],
        t => t
            .split(':')
            .map(|x| x.parse().ok())
            .collect::<Option<Vec<_>>>()?,
    };
    match hm[..] {
        [h, m] | [h, m, _] if h < 24 && m < 60 => Some(format!("{} {h:02}:{m:02}", day.text())),
        _ => None,
    }
}

/// The status as the warehouse's `_filing.parquet` holds it.
pub fn filing_frame(rows: &[Filing]) -> PolarsResult<DataFrame> {
    df!(
        "unit_code" => rows.iter().map(|r| r.unit_code.as_deref()).collect::<Vec<_>>(),
        "unit_name" => rows.iter().map(|r| r.unit_name.as_deref()).collect::<Vec<_>>(),
        "table" => rows.iter().map(|r| r.table.name()).collect::<Vec<_>>(),
        "status" => rows.iter().map(|r| r.status).collect::<Vec<_>>(),
        "files" => rows.iter().map(|r| r.files.join("; ")).collect::<Vec<_>>(),
        "superseded" => rows.iter().map(|r| r.superseded.join("; ")).collect::<Vec<_>>(),
        "used_hash" => rows.iter().map(|r| r.used_hash.as_deref()).collect::<Vec<_>>(),
        "received_at" => rows.iter().map(|r| r.received_at.as_deref()).collect::<Vec<_>>(),
        "received_from" => rows.iter().map(|r| r.received_from.as_deref()).collect::<Vec<_>>(),
        "on_time" => rows.iter().map(|r| r.on_time).collect::<Vec<_>>(),
        "covered" => rows.iter().map(|r| r.covered.map(|c| c.0)).collect::<Vec<_>>(),
        "expected" => rows.iter().map(|r| r.covered.map(|c| c.1)).collect::<Vec<_>>(),
        "missing" => rows.iter().map(|r| r.missing.join("; ")).collect::<Vec<_>>(),
    )
}

/// The status a warehouse holds (`_filing.parquet`), as written.
pub fn read_status(warehouse: &Path) -> PolarsResult<Vec<Filing>> {
    let f = std::fs::File::open(warehouse.join("_filing.parquet"))?;
    let df = ParquetReader::new(f).finish()?;
    // A column a warehouse of an earlier version lacks (superseded,
    // used_hash) reads as empty.
    let text = |c: &str| -> PolarsResult<Vec<Option<String>>> {
        if df.column(c).is_err() && ["superseded", "used_hash"].contains(&c) {
            return Ok(vec![None; df.height()]);
        }
        crate::ingest::frames::texts(&df, c)
    };
    let used_hash = text("used_hash")?;
    let (codes, names, tables, statuses, files, superseded) = (
        text("unit_code")?,
        text("unit_name")?,
        text("table")?,
        text("status")?,
        text("files")?,
        text("superseded")?,
    );
    let list = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .filter(|f| !f.is_empty())
            .map(|f| f.split("; ").map(String::from).collect())
            .unwrap_or_default()
    };
    let (at, from) = (text("received_at")?, text("received_from")?);
    let on_time: Vec<Option<bool>> = df.column("on_time")?.bool()?.iter().collect();
    let count =
        |c: &str| -> PolarsResult<Vec<Option<u32>>> { Ok(df.column(c)?.u32()?.iter().collect()) };
    let (covered, expected, missing) = (count("covered")?, count("expected")?, text("missing")?);
    Ok((0..df.height())
        .filter_map(|i| {
            let table = Table::from_name(tables[i].as_deref()?)?;
            let status = ["已报", "逾期", "缺报", "重复", "部分", "未识别"]
                .into_iter()
                .find(|s| Some(*s) == statuses[i].as_deref())?;
            Some(Filing {
                unit_code: codes[i].clone(),
                unit_name: names[i].clone(),
                table,
                status,
                files: list(&files[i]),
                superseded: list(&superseded[i]),
                used_hash: used_hash[i].clone(),
                received_at: at[i].clone(),
                received_from: from[i].clone(),
                on_time: on_time[i],
                covered: covered[i].zip(expected[i]),
                missing: list(&missing[i]),
            })
        })
        .collect())
}

/// One line for the terminal: how many units filed every table, and who
/// did not; repeated files and files of no known filer.
pub fn summary(rows: &[Filing], c: &Collection) -> String {
    let mut units: Vec<&str> = rows.iter().filter_map(|r| r.unit_code.as_deref()).collect();
    units.dedup();
    let missing = named_with(rows, "缺报");
    let all_filed = units
        .iter()
        .filter(|u| {
            rows.iter()
                .filter(|r| r.unit_code.as_deref() == Some(**u))
                .all(|r| r.status != "缺报")
        })
        .count();
    let twice = rows.iter().filter(|r| r.status == "重复").count();
    let replaced: usize = rows.iter().map(|r| r.superseded.len()).sum();
    // A unit's last return after the due day, whether or not it sent two.
    let late: Vec<String> = rows
        .iter()
        .filter(|r| r.unit_code.is_some() && r.on_time == Some(false))
        .map(unit_table)
        .collect();
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
    let partial: Vec<String> = rows
        .iter()
        // Left out whatever else is said of it (sent twice).
        .filter(|r| r.unit_code.is_some() && !r.missing.is_empty())
        .filter_map(|r| {
            let (got, of) = r.covered?;
            Some(format!(
                "{} {} ({}: {got} of {of})",
                r.unit_code.as_deref().unwrap_or_default(),
                r.unit_name.as_deref().unwrap_or_default(),
                r.table
            ))
        })
        .collect();
    if !partial.is_empty() {
        s.push_str(&format!("; 部分 {}", partial.join(", ")));
    }
    if !late.is_empty() {
        s.push_str(&format!("; 逾期 {}", late.join(", ")));
    }
    if let Some(d) = &c.due {
        // Of every return expected: one that did not come is not on time
        // (报送情况's 按时报送率).
        let expected: Vec<&Filing> = rows.iter().filter(|r| r.unit_code.is_some()).collect();
        let on_time = expected.iter().filter(|r| r.on_time == Some(true)).count();
        s.push_str(&format!(
            "; due {}: {on_time} of {} expected returns on time",
            d.text(),
            expected.len()
        ));
    }
    if twice > 0 {
        s.push_str(&format!(
            "; 重复 {twice} (two files or more of one table: the last used, {replaced} earlier not read)"
        ));
    }
    if unknown > 0 {
        s.push_str(&format!("; {unknown} file(s) whose filer is not known"));
    }
    s
}

/// `110117101 东高村镇 (disputes)` for each row of `status`.
fn named_with(rows: &[Filing], status: &str) -> Vec<String> {
    rows.iter()
        .filter(|r| r.status == status)
        .map(unit_table)
        .collect()
}

/// A row as the summary names it: `110117101 东高村镇 (disputes)`.
fn unit_table(r: &Filing) -> String {
    format!(
        "{} {} ({})",
        r.unit_code.as_deref().unwrap_or_default(),
        r.unit_name.as_deref().unwrap_or_default(),
        r.table
    )
}
