//! A collection round's corrections (退回修改, contract B.21): every problem
//! ingest found in a return, addressed to the office that filed it, in the
//! office's own words — its file, sheet and rows, its header's text, the
//! value as typed — with what is wrong in plain Chinese and what a correct
//! value looks like ([`words`]). Pure: the manifest's entries, the
//! quarantine, the findings, the tree and the status in; lines out
//! (`_corrections.parquet`).
//!
//! A line belongs to the office whose file holds the row (a quarantined
//! row, a total row, a row whose name and code disagree, a stock as at a
//! day), else — a finding of a group, a community left out — to the unit
//! above the finding's region, when that unit filed the table (a unit that
//! sent nothing is chased, not corrected) and, but for a community left
//! out, every file of the table has a known filer. A file whose filer is
//! not known is no office's: its problems stay in the quarantine and
//! findings, and 报送情况 lists the file. One problem on several rows (a
//! name typed wrong on each of its rows) is one line naming the rows.

mod words;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use polars::prelude::*;

use crate::contract::{Rule, Table};
use crate::ingest::collection::Filing;
use crate::ingest::quarantine::{Finding, QuarantineRecord};
use crate::regions::Region;
use crate::warehouse::FileEntry;

pub use words::rows_text;

/// One problem, for one office.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub office_code: String,
    pub office_name: String,
    pub table: Table,
    /// The file as the office named it (no folder), its sheet, and the rows
    /// as in their file (several when one problem repeats; none for a
    /// community left out).
    pub file: String,
    pub sheet: Option<String>,
    pub rows: Vec<u64>,
    /// The community or street the line is about (`name（code）`), when known.
    pub region: Option<String>,
    pub period: Option<String>,
    /// The contract's column, and the column as the office's header names it.
    pub field: String,
    pub column: String,
    /// The value as typed (a finding's: the published figure).
    pub value: Option<String>,
    pub rule: Rule,
    /// 须修改 (the row was not taken) or 请核实 (taken, but does not agree).
    pub severity: &'static str,
    /// What is wrong, in plain words; what a correct value looks like.
    pub problem: String,
    pub example: String,
    /// A name the tree does not have that is most likely a community the
    /// return lacks: that community's code.
    pub suggests: Option<String>,
    /// Against the previous run of the same round, for an office that sent
    /// its return again: 上轮已指出 (still there), 本轮新发现, or 已改正 (a
    /// line of the previous run no longer found); none otherwise.
    pub round: Option<&'static str>,
}

impl Correction {
    /// What identifies a problem across runs: a corrected file moves rows
    /// and may retype its headers, so neither is part of it.
    pub fn key(&self) -> String {
        [
            self.office_code.as_str(),
            self.table.name(),
            self.rule.id(),
            self.field.as_str(),
            self.value.as_deref().unwrap_or(""),
            self.region.as_deref().unwrap_or(""),
            self.period.as_deref().unwrap_or(""),
        ]
        .join("\u{1f}")
    }

    /// The rows as a clerk reads them: `8`, `8—11`, `—`.
    pub fn rows_shown(&self) -> String {
        rows_text(&self.rows)
    }
}

/// The tree as the lines need it: names, parents, children.
struct Tree<'r> {
    by_code: HashMap<&'r str, &'r Region>,
    children: HashMap<&'r str, Vec<&'r Region>>,
}

impl<'r> Tree<'r> {
    fn new(regions: &'r [Region]) -> Tree<'r> {
        let mut children: HashMap<&str, Vec<&Region>> = HashMap::new();
        for r in regions {
            if let Some(p) = r.row.parent.as_deref() {
                children.entry(p).or_default().push(r);
            }
        }
        Tree {
            by_code: regions.iter().map(|r| (r.row.code.as_str(), r)).collect(),
            children,
        }
    }

    fn shown(&self, code: &str) -> String {
        match self.by_code.get(code) {
            Some(r) => format!("{}（{}）", r.row.name, code),
            None => code.to_string(),
        }
    }

    /// The office a region's line goes to: the region itself or the
    /// nearest region above it that is one of `offices`.
    fn office_of(&self, code: &str, offices: &HashMap<&str, &str>) -> Option<String> {
        let mut at = Some(code);
        for _ in 0..64 {
            let c = at?;
            if offices.contains_key(c) {
                return Some(c.to_string());
            }
            at = self.by_code.get(c).and_then(|r| r.row.parent.as_deref());
        }
        None
    }

    /// Every region under `code`, at any depth, in code order.
    fn below(&self, code: &str) -> Vec<&'r Region> {
        let mut out = Vec::new();
        let mut stack = vec![code.to_string()];
        while let Some(c) = stack.pop() {
            for r in self.children.get(c.as_str()).into_iter().flatten() {
                out.push(*r);
                stack.push(r.row.code.clone());
            }
        }
        out.sort_by(|a, b| a.row.code.cmp(&b.row.code));
        out
    }
}

/// The lines of a round (module doc), in office, file, row order.
pub fn lines(
    files: &[FileEntry],
    quarantine: &[QuarantineRecord],
    findings: &[Finding],
    regions: &[Region],
    units: &[(&str, &str)],
    filing: &[Filing],
) -> Vec<Correction> {
    let tree = Tree::new(regions);
    let offices: HashMap<&str, &str> = units.iter().copied().collect();
    // A file read for two tables is two entries.
    let entry: HashMap<(&str, &str), &FileEntry> = files
        .iter()
        .map(|f| ((f.table.as_str(), f.path.as_str()), f))
        .collect();
    let collected: HashSet<Table> = filing.iter().map(|f| f.table).collect();
    let filed = |code: &str, table: Table| {
        filing.iter().any(|f| {
            f.unit_code.as_deref() == Some(code) && f.table == table && !f.files.is_empty()
        })
    };
    let unknown_filer: HashSet<Table> = filing
        .iter()
        .filter(|f| f.unit_code.is_none())
        .map(|f| f.table)
        .collect();
    let mut out = Vec::new();
    for g in findings.iter().filter(|g| collected.contains(&g.table)) {
        if let Some(line) = finding_line(g, &entry, &tree, &offices, &filed, &unknown_filer) {
            out.push(line);
        }
    }
    // The communities each office's return lacks: a name it typed wrong
    // is most likely one of them.
    let lacking: HashSet<(String, Table, String)> = out
        .iter()
        .filter(|l| l.rule == Rule::Coverage)
        .filter_map(|l| Some((l.office_code.clone(), l.table, l.suggests.clone()?)))
        .collect();
    let mut meant: HashSet<(String, Table, String)> = HashSet::new();
    for q in quarantine.iter().filter(|q| collected.contains(&q.table)) {
        let Some(f) = entry.get(&(q.table.name(), q.source.as_str())) else {
            continue;
        };
        let Some(by) = &f.filed_by else { continue };
        let column = words::header(f, q.table, &q.column);
        let under = tree.below(&by.code);
        let near = match (q.rule, q.value.as_deref()) {
            (Rule::Code, Some(v)) if q.column == "region_name" => words::nearest(v, &under),
            _ => Vec::new(),
        };
        // The nearest name, when it shares two characters or more with what
        // was typed, no other name is as near, and this table lacks it.
        let second = near.get(1).map_or(0, |(n, _)| *n);
        let likely = near
            .first()
            .filter(|(n, _)| *n >= 2 && *n > second)
            .map(|(_, r)| r)
            .filter(|r| lacking.contains(&(by.code.clone(), q.table, r.row.code.clone())));
        let names: Vec<String> = near.iter().map(|(_, r)| r.row.name.clone()).collect();
        let (problem, example) = words::row_problem(
            q,
            &column,
            f,
            words::Place { name: &by.name },
            (&names, likely.map(|r| r.row.name.as_str())),
        );
        if let Some(r) = likely {
            meant.insert((by.code.clone(), q.table, r.row.code.clone()));
        }
        out.push(Correction {
            office_code: by.code.clone(),
            office_name: by.name.clone(),
            table: q.table,
            file: file_name(f),
            sheet: f.sheet.clone(),
            rows: vec![q.row],
            region: None,
            period: None,
            field: q.column.clone(),
            column,
            value: q.value.clone(),
            rule: q.rule,
            severity: "须修改",
            problem,
            example,
            suggests: likely.map(|r| r.row.code.clone()),
            round: None,
        });
    }
    // A community whose rows are there under a name typed wrong is said
    // once, on those rows.
    out.retain(|l| {
        !(l.rule == Rule::Coverage
            && l.suggests
                .as_ref()
                .is_some_and(|c| meant.contains(&(l.office_code.clone(), l.table, c.clone()))))
    });
    for l in out.iter_mut().filter(|l| l.rule == Rule::Coverage) {
        l.suggests = None;
    }
    let mut out = grouped(out);
    out.sort_by(|a, b| order(a).cmp(&order(b)));
    out
}

/// A finding's line: to the office whose file holds its row, else to the
/// unit above its region (module doc); none for a file of no known filer.
fn finding_line(
    g: &Finding,
    entry: &HashMap<(&str, &str), &FileEntry>,
    tree: &Tree,
    offices: &HashMap<&str, &str>,
    filed: &dyn Fn(&str, Table) -> bool,
    unknown_filer: &HashSet<Table>,
) -> Option<Correction> {
    if !matches!(
        g.rule,
        Rule::Total | Rule::Share | Rule::Coverage | Rule::Name | Rule::AsAt | Rule::Unit
    ) {
        return None;
    }
    let f = match g.source.as_deref() {
        Some(s) => Some(*entry.get(&(g.table.name(), s))?),
        None => None,
    };
    let (code, name) = match (f, &g.region_code) {
        (Some(f), _) => {
            let by = f.filed_by.as_ref()?;
            (by.code.clone(), by.name.clone())
        }
        (None, Some(region)) => {
            // A group's rows may be in a file of no known filer: only a
            // community left out is surely its unit's.
            if g.rule != Rule::Coverage && unknown_filer.contains(&g.table) {
                return None;
            }
            let code = tree
                .office_of(region, offices)
                .filter(|c| filed(c, g.table))?;
            let name = offices[code.as_str()].to_string();
            (code, name)
        }
        (None, None) => return None,
    };
    let field = g.band.clone().unwrap_or_default();
    let column = match (f, g.band.as_deref()) {
        (Some(f), Some(b)) => words::header(f, g.table, b),
        (None, Some(b)) => words::header_default(g.table, b),
        _ => String::new(),
    };
    let region = g.region_code.as_deref().map(|c| tree.shown(c));
    let (problem, example) = words::group_problem(g, &column, region.as_deref().unwrap_or(""));
    Some(Correction {
        office_code: code,
        office_name: name,
        table: g.table,
        file: f.map(file_name).unwrap_or_default(),
        sheet: f.and_then(|f| f.sheet.clone()),
        rows: g.row.into_iter().collect(),
        region,
        period: g.period.clone(),
        field,
        column,
        value: g.actual.map(words::number),
        rule: g.rule,
        severity: "请核实",
        problem,
        example,
        // A community left out: its code, matched with a name typed wrong.
        suggests: (g.rule == Rule::Coverage)
            .then(|| g.region_code.clone())
            .flatten(),
        round: None,
    })
}

/// Lines that say the same of several rows of one file, as one line.
fn grouped(lines: Vec<Correction>) -> Vec<Correction> {
    let mut out: Vec<Correction> = Vec::new();
    let mut at: BTreeMap<String, usize> = BTreeMap::new();
    for l in lines {
        if l.rows.is_empty() {
            out.push(l);
            continue;
        }
        let same = [
            l.key(),
            l.file.clone(),
            l.sheet.clone().unwrap_or_default(),
            l.problem.clone(),
            l.example.clone(),
        ]
        .join("\u{1f}");
        match at.get(&same) {
            Some(&i) => {
                out[i].rows.extend(&l.rows);
                out[i].rows.sort_unstable();
                out[i].problem = out[i].problem.replace("本行", "这几行");
            }
            None => {
                at.insert(same, out.len());
                out.push(l);
            }
        }
    }
    out
}

/// Puts lines in office, file, row order (the fixed among them too).
pub fn sort(lines: &mut [Correction]) {
    lines.sort_by(|a, b| order(a).cmp(&order(b)));
}

/// An office's lines in file and row order; lines of no file (a community
/// left out) after them.
fn order(c: &Correction) -> (&str, bool, &str, Option<u64>, Rule, &str) {
    (
        &c.office_code,
        c.file.is_empty(),
        &c.file,
        c.rows.first().copied(),
        c.rule,
        &c.field,
    )
}

/// The file's own name (`平谷镇.xlsx`), without the folder or `!sheet`.
fn file_name(f: &FileEntry) -> String {
    let file = f.file();
    Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file)
        .to_string()
}

/// Marks the lines against the previous run's of the same round. For an
/// office that sent its return again since (`resent` says Some(true)): each
/// line 上轮已指出 or 本轮新发现 (matched by key and count), and each open
/// line of the previous run no longer found returned as 已改正. For an office
/// that sent nothing new (Some(false)): the previous run's marks, and its
/// 已改正 lines, kept. For an office not heard from before (None): no mark.
pub fn against(
    current: &mut [Correction],
    previous: &[Correction],
    resent: impl Fn(&str, Table) -> Option<bool>,
) -> Vec<Correction> {
    // The previous run's open lines by key, in their order.
    let mut open: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in previous.iter().enumerate() {
        if p.round != Some("已改正") {
            open.entry(p.key()).or_default().push(i);
        }
    }
    let mut used = vec![false; previous.len()];
    for c in current.iter_mut() {
        // Of the previous lines with its key, the one on the same rows
        // first (two duplicates, one fixed: the other is the one left).
        let matched = open.get_mut(&c.key()).and_then(|v| {
            let at = v
                .iter()
                .position(|&i| previous[i].rows == c.rows)
                .unwrap_or(0);
            let i = *v.get(at)?;
            v.remove(at);
            used[i] = true;
            Some(i)
        });
        c.round = match resent(&c.office_code, c.table) {
            Some(true) if matched.is_some() => Some("上轮已指出"),
            Some(true) => Some("本轮新发现"),
            Some(false) => matched.and_then(|i| previous[i].round),
            None => None,
        };
    }
    let mut fixed: Vec<Correction> = previous
        .iter()
        .enumerate()
        .filter(|(i, p)| match resent(&p.office_code, p.table) {
            Some(true) => !used[*i] && p.round != Some("已改正"),
            Some(false) => p.round == Some("已改正"),
            None => false,
        })
        .map(|(_, p)| Correction {
            round: Some("已改正"),
            ..p.clone()
        })
        .collect();
    fixed.sort_by(|a, b| order(a).cmp(&order(b)));
    fixed
}

/// The lines as `_corrections.parquet` holds them.
pub fn frame(lines: &[Correction], period: Option<&str>) -> PolarsResult<DataFrame> {
    let text = |f: fn(&Correction) -> Option<&str>| lines.iter().map(f).collect::<Vec<_>>();
    df!(
        "period_round" => lines.iter().map(|_| period).collect::<Vec<_>>(),
        "office_code" => text(|c| Some(&c.office_code)),
        "office_name" => text(|c| Some(&c.office_name)),
        "table" => lines.iter().map(|c| c.table.name()).collect::<Vec<_>>(),
        "file" => text(|c| Some(&c.file)),
        "sheet" => text(|c| c.sheet.as_deref()),
        "row" => lines.iter().map(|c| c.rows.first().copied()).collect::<Vec<_>>(),
        "rows" => lines.iter().map(|c| c.rows_shown()).collect::<Vec<_>>(),
        "region" => text(|c| c.region.as_deref()),
        "period" => text(|c| c.period.as_deref()),
        "field" => text(|c| Some(&c.field)),
        "column" => text(|c| Some(&c.column)),
        "value" => text(|c| c.value.as_deref()),
        "rule" => lines.iter().map(|c| c.rule.id()).collect::<Vec<_>>(),
        "severity" => lines.iter().map(|c| c.severity).collect::<Vec<_>>(),
        "problem" => text(|c| Some(&c.problem)),
        "example" => text(|c| Some(&c.example)),
        "suggests" => text(|c| c.suggests.as_deref()),
        "round" => lines.iter().map(|c| c.round).collect::<Vec<_>>(),
    )
}

/// The lines a `_corrections.parquet` holds, and the round's period; none
/// when the file is not there.
pub fn read(path: &Path) -> PolarsResult<(Vec<Correction>, Option<String>)> {
    let Ok(f) = std::fs::File::open(path) else {
        return Ok((Vec::new(), None));
    };
    let df = ParquetReader::new(f).finish()?;
    let text = |c: &str| crate::ingest::frames::texts(&df, c);
    let (round_period, office_code, office_name, table, file, sheet) = (
        text("period_round")?,
        text("office_code")?,
        text("office_name")?,
        text("table")?,
        text("file")?,
        text("sheet")?,
    );
    let (rows, field, suggests) = (text("rows")?, text("field")?, text("suggests")?);
    let (region, period, column, value, rule) = (
        text("region")?,
        text("period")?,
        text("column")?,
        text("value")?,
        text("rule")?,
    );
    let (severity, problem, example, round) = (
        text("severity")?,
        text("problem")?,
        text("example")?,
        text("round")?,
    );
    let fixed = |s: Option<&str>, of: &[&'static str]| -> Option<&'static str> {
        of.iter().copied().find(|x| Some(*x) == s)
    };
    let lines = (0..df.height())
        .filter_map(|i| {
            Some(Correction {
                office_code: office_code[i].clone()?,
                office_name: office_name[i].clone().unwrap_or_default(),
                table: Table::from_name(table[i].as_deref()?)?,
                file: file[i].clone().unwrap_or_default(),
                sheet: sheet[i].clone(),
                rows: words::rows_parsed(rows[i].as_deref().unwrap_or("—")),
                region: region[i].clone(),
                period: period[i].clone(),
                field: field[i].clone().unwrap_or_default(),
                column: column[i].clone().unwrap_or_default(),
                value: value[i].clone(),
                rule: Rule::from_id(rule[i].as_deref()?)?,
                severity: fixed(severity[i].as_deref(), &["须修改", "请核实"])?,
                problem: problem[i].clone().unwrap_or_default(),
                example: example[i].clone().unwrap_or_default(),
                suggests: suggests[i].clone(),
                round: fixed(round[i].as_deref(), &["上轮已指出", "本轮新发现", "已改正"]),
            })
        })
        .collect();
    Ok((lines, round_period.into_iter().flatten().next()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(rows: &[u64], round: Option<&'static str>) -> Correction {
        Correction {
            office_code: "110117001".into(),
            office_name: "滨河街道".into(),
            table: Table::Disputes,
            file: "滨河街道.xlsx".into(),
            sheet: None,
            rows: rows.to_vec(),
            region: None,
            period: None,
            field: "category".into(),
            column: "纠纷类型".into(),
            value: None,
            rule: Rule::Duplicate,
            severity: "须修改",
            problem: String::new(),
            example: String::new(),
            suggests: None,
            round,
        }
    }

    #[test]
    fn of_two_duplicates_one_fixed_the_one_left_is_still_there() {
        let previous = [line(&[9], None), line(&[12], None)];
        let mut current = [line(&[12], None)];
        let fixed = against(&mut current, &previous, |_, _| Some(true));
        assert_eq!(current[0].round, Some("上轮已指出"));
        assert_eq!(fixed.len(), 1);
        assert_eq!(
            (fixed[0].rows.clone(), fixed[0].round),
            (vec![9], Some("已改正"))
        );
    }

    #[test]
    fn an_office_that_sent_nothing_new_keeps_its_marks() {
        let previous = [line(&[9], Some("本轮新发现")), line(&[3], Some("已改正"))];
        let mut current = [line(&[9], None)];
        let fixed = against(&mut current, &previous, |_, _| Some(false));
        assert_eq!(current[0].round, Some("本轮新发现"));
        assert_eq!(fixed.len(), 1, "its 已改正 line is kept");
        // Not heard from before: no mark.
        let mut current = [line(&[9], None)];
        assert!(against(&mut current, &previous, |_, _| None).is_empty());
        assert_eq!(current[0].round, None);
    }
}
