//! A collection round's corrections (退回修改, contract B.21): every problem
//! ingest found in a return, addressed to the office that filed it, in the
//! office's own words — its file, sheet and row, its header's text, the
//! value as typed — with what is wrong in plain Chinese and what a correct
//! value looks like. Pure: the manifest's entries, the quarantine, the
//! findings and the tree in; lines out (`_corrections.parquet`).
//!
//! A line belongs to the office whose file holds the row (a quarantined
//! row, a total row, a row whose name and code disagree), else to the unit
//! above the finding's region (a group's bands against its total, a region
//! lacking a period). A file whose filer is not known is no office's: its
//! problems stay in the quarantine and findings, and 报送情况 lists it.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use crate::contract::{Rule, Table};
use crate::ingest::quarantine::{Finding, QuarantineRecord};
use crate::regions::Region;
use crate::warehouse::FileEntry;

/// One problem, for one office.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub office_code: String,
    pub office_name: String,
    pub table: Table,
    /// The file as the office named it (no folder), its sheet, its row.
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u64>,
    /// The community or street the line is about (`name (code)`), when known.
    pub region: Option<String>,
    pub period: Option<String>,
    /// The column as the office's header names it.
    pub column: String,
    /// The value as typed.
    pub value: Option<String>,
    pub rule: Rule,
    /// 须修改 (the row was not taken) or 请核实 (taken, but does not agree).
    pub severity: &'static str,
    /// What is wrong, in plain words; what a correct value looks like.
    pub problem: String,
    pub example: String,
    /// Against the previous run of the same round: 上轮已指出 (still there),
    /// 本轮新发现, or 已改正 (a line of the previous run no longer found);
    /// none in a first run.
    pub round: Option<&'static str>,
}

impl Correction {
    /// What identifies a problem across runs: a corrected file moves rows,
    /// so the row number is not part of it.
    pub fn key(&self) -> String {
        [
            self.office_code.as_str(),
            self.table.name(),
            self.rule.id(),
            self.column.as_str(),
            self.value.as_deref().unwrap_or(""),
            self.region.as_deref().unwrap_or(""),
            self.period.as_deref().unwrap_or(""),
        ]
        .join("\u{1f}")
    }
}

/// The tree as the lines need it: names, parents, levels, children.
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

    /// Every region under `code`, at any depth.
    fn below(&self, code: &str) -> Vec<&'r Region> {
        let mut out = Vec::new();
        let mut stack = vec![code.to_string()];
        while let Some(c) = stack.pop() {
            for r in self.children.get(c.as_str()).into_iter().flatten() {
                out.push(*r);
                stack.push(r.row.code.clone());
            }
        }
        out
    }
}

/// The lines of a round: the quarantine's rows and the findings, each
/// given to its office (module doc), in office, file, row order.
pub fn lines(
    files: &[FileEntry],
    quarantine: &[QuarantineRecord],
    findings: &[Finding],
    regions: &[Region],
    units: &[(&str, &str)],
    filing: &[crate::ingest::collection::Filing],
) -> Vec<Correction> {
    let tables: Vec<Table> = filing.iter().map(|f| f.table).collect();
    // A unit that sent nothing is chased (缺报), not sent corrections.
    let filed = |code: &str, table: Table| {
        filing.iter().any(|f| {
            f.unit_code.as_deref() == Some(code) && f.table == table && !f.files.is_empty()
        })
    };
    let tree = Tree::new(regions);
    let offices: HashMap<&str, &str> = units.iter().copied().collect();
    let entry: HashMap<&str, &FileEntry> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let collected = |t: Table| tables.contains(&t);
    let mut out = Vec::new();
    for q in quarantine.iter().filter(|q| collected(q.table)) {
        let Some(f) = entry.get(q.source.as_str()) else {
            continue;
        };
        let Some(by) = &f.filed_by else { continue };
        let column = header(f, q.table, &q.column);
        let (problem, example) = row_problem(q, &column, f, by.code.as_str(), &tree);
        out.push(Correction {
            office_code: by.code.clone(),
            office_name: by.name.clone(),
            table: q.table,
            file: file_name(&f.path, f.sheet.as_deref()),
            sheet: f.sheet.clone(),
            row: Some(q.row),
            region: None,
            period: None,
            column,
            value: q.value.clone(),
            rule: q.rule,
            severity: "须修改",
            problem,
            example,
            round: None,
        });
    }
    for g in findings.iter().filter(|g| collected(g.table)) {
        if !matches!(
            g.rule,
            Rule::Total | Rule::Share | Rule::Coverage | Rule::Name | Rule::AsAt | Rule::Unit
        ) {
            continue;
        }
        // Where the finding is: its file's office, else its region's.
        let f = g.source.as_deref().and_then(|s| entry.get(s)).copied();
        let (code, name) = match (f.and_then(|f| f.filed_by.as_ref()), &g.region_code) {
            (Some(by), _) => (by.code.clone(), by.name.clone()),
            (None, Some(region)) if g.source.is_none() => {
                let Some(code) = tree
                    .office_of(region, &offices)
                    .filter(|c| filed(c, g.table))
                else {
                    continue;
                };
                let name = offices[code.as_str()].to_string();
                (code, name)
            }
            _ => continue,
        };
        let column = match (f, g.band.as_deref()) {
            (Some(f), Some(b)) => header(f, g.table, b),
            (None, Some(b)) => header_default(g.table, b),
            _ => String::new(),
        };
        let (problem, example) = group_problem(g, &column, &tree);
        out.push(Correction {
            office_code: code,
            office_name: name,
            table: g.table,
            file: f
                .map(|f| file_name(&f.path, f.sheet.as_deref()))
                .unwrap_or_default(),
            sheet: f.and_then(|f| f.sheet.clone()),
            row: g.row,
            region: g.region_code.as_deref().map(|c| tree.shown(c)),
            period: g.period.clone(),
            column,
            value: g.actual.map(number),
            rule: g.rule,
            severity: "请核实",
            problem,
            example,
            round: None,
        });
    }
    out.sort_by(|a, b| order(a).cmp(&order(b)));
    out
}

/// An office's lines in file and row order; lines of no file (a community
/// left out) after them.
fn order(c: &Correction) -> (&str, bool, &str, Option<u64>, Rule) {
    (&c.office_code, c.file.is_empty(), &c.file, c.row, c.rule)
}

/// A period as a clerk writes it: `2024年`, `2024年3月`, `2024年第一季度`.
fn period_zh(p: &str) -> String {
    match crate::contract::grammar::parse_period(p) {
        Ok(_) if p.len() == 4 => format!("{p}年"),
        Ok(_) => match p.split_once('-') {
            Some((y, q)) if q.starts_with('Q') => {
                let n = ["一", "二", "三", "四"];
                let i: usize = q[1..].parse().unwrap_or(0);
                n.get(i.wrapping_sub(1))
                    .map_or(p.to_string(), |z| format!("{y}年第{z}季度"))
            }
            Some((y, h)) if h.starts_with('H') => {
                format!("{y}年{}", if h == "H1" { "上半年" } else { "下半年" })
            }
            Some((y, m)) => format!("{y}年{}月", m.trim_start_matches('0')),
            None => p.to_string(),
        },
        Err(_) => p.to_string(),
    }
}

/// The file's own name (`平谷镇.xlsx`), without the folder or `!sheet`.
fn file_name(path: &str, sheet: Option<&str>) -> String {
    let file = match sheet {
        Some(s) => path
            .strip_suffix(s)
            .and_then(|p| p.strip_suffix('!'))
            .unwrap_or(path),
        None => path,
    };
    Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file)
        .to_string()
}

/// A column as the file's header names it, else as the contract's first
/// Chinese alias does.
fn header(f: &FileEntry, table: Table, column: &str) -> String {
    f.headers
        .get(column)
        .cloned()
        .unwrap_or_else(|| header_default(table, column))
}

fn header_default(table: Table, column: &str) -> String {
    let named = table
        .columns()
        .iter()
        .find(|c| c.name == column)
        .and_then(|c| c.aliases.iter().find(|a| !a.is_ascii()));
    match (named, column) {
        (Some(a), _) => a.to_string(),
        (None, "total") => "合计".into(),
        (None, "count") => "人数".into(),
        (None, c) if c.starts_with('<') || c.ends_with('+') || c.contains('-') => {
            format!("{c}岁")
        }
        (None, c) => c.to_string(),
    }
}

/// A number as a clerk writes it: no trailing zeros.
fn number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// What a correct value of a column looks like.
fn example_of(column: &str) -> String {
    match column {
        "period" => "2024-03、2024年3月、2024年第一季度 或 2024年".into(),
        "region_code" => "12位统计用区划代码，如 110117001001".into(),
        "role" => "党员 或 干部".into(),
        "age_band" => "30岁以下、30至44岁、45至59岁、60岁及以上（各段不重叠）".into(),
        "center_type" => crate::contract::CENTER_TYPES
            .iter()
            .map(|(_, zh)| *zh)
            .collect::<Vec<_>>()
            .join("、"),
        "mean_days" => "不带单位的数字，如 3.5".into(),
        "satisfaction" => "0 到 100 之间的数字，如 92.5".into(),
        "reported_share" => "百分数，如 35.2% 或 35.2".into(),
        _ => "不带单位的非负整数，如 12（不写“12件”“约12”）".into(),
    }
}

/// A quarantined row's problem and example, in the office's words.
fn row_problem(
    q: &QuarantineRecord,
    column: &str,
    f: &FileEntry,
    office: &str,
    tree: &Tree,
) -> (String, String) {
    let value = q.value.as_deref().unwrap_or("");
    let example = example_of(&q.column);
    match q.rule {
        Rule::Required => (
            format!("“{column}”一栏是空的，此项必须填写；本行未采用"),
            example,
        ),
        Rule::Parse => (
            format!("“{column}”填的“{value}”无法识别；本行未采用"),
            example,
        ),
        Rule::Range => {
            let why = match q.column.as_str() {
                "period" => "不是有效的时期",
                "reported_share" | "satisfaction" => "不在0到100之间",
                _ => "超出合理范围（人数、件数不能为负，也不能比上一期的累计数少）",
            };
            (format!("“{column}”填的“{value}”{why}；本行未采用"), example)
        }
        Rule::Order => (
            format!("“{column}”的“{value}”与本行其他数字前后矛盾（如调解成功数、升级数大于受理数）；本行未采用"),
            "调解成功数、升级数都不大于受理数".into(),
        ),
        Rule::Band => (
            format!("年龄段“{value}”与同一社区、同一时期的其他年龄段重叠或无法识别；本行未采用"),
            example_of("age_band"),
        ),
        Rule::Duplicate => {
            // The message names the row kept: `… as <file> row <n> …`.
            let kept = q
                .message
                .split_once(" as ")
                .and_then(|(_, rest)| rest.rsplit_once(" row "))
                .and_then(|(file, rest)| {
                    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    Some((file.to_string(), n.parse::<u64>().ok()?))
                });
            match kept {
                Some((file, n)) if file == f.path => (
                    format!("与第{n}行重复：同一社区、同一时期（同一类别）填了两行；保留了第{n}行，本行未采用"),
                    "每个社区每期每个类别只填一行".into(),
                ),
                _ => (
                    "同一社区、同一时期（同一类别）的数据已由其他报表报送；本行未采用".into(),
                    "每个社区每期每个类别只填一行".into(),
                ),
            }
        }
        Rule::Code => {
            let digits = !value.is_empty() && value.chars().all(|c| c.is_ascii_digit());
            if digits {
                return (
                    format!("区划代码“{value}”不在区划表中；本行未采用"),
                    example,
                );
            }
            let near = nearest(value, office, tree);
            let example = if near.is_empty() {
                format!("填写{}下社区的全称", tree.shown(office))
            } else {
                format!("{}下最接近的名称：{}", tree.shown(office), near.join("、"))
            };
            // `no region named …` (load.rs), else the name fits several.
            let why = if q.message.starts_with("no region named") {
                "在区划表中找不到"
            } else {
                "对应不止一个社区，请写全称或加上区划代码"
            };
            (format!("“{column}”填的“{value}”{why}；本行未采用"), example)
        }
        _ => (q.message.clone(), example),
    }
}

/// The names under `office` nearest to `name` (most characters in common,
/// in order; then by name), at most five: a clerk picks the right one.
fn nearest(name: &str, office: &str, tree: &Tree) -> Vec<String> {
    let stem = crate::ingest::names::normalise(name);
    let want: Vec<char> = stem.chars().collect();
    let mut scored: Vec<(usize, &str)> = tree
        .below(office)
        .into_iter()
        .map(|r| {
            let have: Vec<char> = crate::ingest::names::normalise(&r.row.name)
                .chars()
                .collect();
            (common(&want, &have), r.row.name.as_str())
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(5)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// The longest common subsequence of two names, in characters.
fn common(a: &[char], b: &[char]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    for x in a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A finding's problem and example.
fn group_problem(g: &Finding, column: &str, tree: &Tree) -> (String, String) {
    let region = g
        .region_code
        .as_deref()
        .map(|c| tree.shown(c))
        .unwrap_or_default();
    let period = g.period.as_deref().map(period_zh).unwrap_or_default();
    // The total against its parts, as a clerk says it.
    let diff = match (g.actual, g.expected) {
        (Some(a), Some(e)) if a > e => format!("合计多{}", number(a - e)),
        (Some(a), Some(e)) => format!("合计少{}", number(e - a)),
        _ => String::new(),
    };
    match g.rule {
        Rule::Total => match (g.row, g.covers) {
            (Some(row), Some((a, b))) => (
                format!(
                    "第{row}行的合计“{column}”填{}，但第{a}至{b}行相加是{}，{diff}",
                    g.actual.map(number).unwrap_or_default(),
                    g.expected.map(number).unwrap_or_default(),
                ),
                format!("合计等于第{a}至{b}行之和，或改正其中填错的行"),
            ),
            (Some(row), None) => (
                format!("第{row}行的“{column}”与同一社区、同一时期先填的合计不一致"),
                "同一社区、同一时期只填一个合计".into(),
            ),
            _ => (
                format!(
                    "{region} {period}：各分项之和是{}，与填报的合计{}不一致，{diff}",
                    g.expected.map(number).unwrap_or_default(),
                    g.actual.map(number).unwrap_or_default(),
                ),
                "合计等于各分项之和".into(),
            ),
        },
        Rule::Share => (
            format!("{region} {period}：填报的占比与按人数算出的占比不一致"),
            "占比 = 该项人数 ÷ 合计 × 100".into(),
        ),
        Rule::Coverage => (
            format!("表中没有{region}{period}的数据"),
            format!("补上该社区（村）{period}的各行"),
        ),
        Rule::Name => (
            format!("区划代码对应的是{region}，与本行填的社区名称不一致"),
            "代码和名称写同一个社区".into(),
        ),
        Rule::AsAt => (
            format!("{region}：统计时点不是 {period} 的期末，已按 {period} 采用"),
            "时点数填期末（如 2024年12月31日）".into(),
        ),
        _ => (
            format!("{region}：“{column}”的单位与合计的单位不同，未能核对"),
            "分项和合计用同一单位".into(),
        ),
    }
}

/// Marks the lines against the previous run's of the same round: each
/// line 上轮已指出 or 本轮新发现, and the previous lines no longer found
/// returned as 已改正 (a key's lines matched by count).
pub fn against(current: &mut [Correction], previous: &[Correction]) -> Vec<Correction> {
    let mut before: HashMap<String, Vec<&Correction>> = HashMap::new();
    for p in previous.iter().filter(|p| p.round != Some("已改正")) {
        before.entry(p.key()).or_default().push(p);
    }
    for c in current.iter_mut() {
        let left = before.get_mut(&c.key()).and_then(|v| v.pop());
        c.round = Some(if left.is_some() {
            "上轮已指出"
        } else {
            "本轮新发现"
        });
    }
    let mut fixed: Vec<Correction> = before
        .into_values()
        .flatten()
        .map(|p| Correction {
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
        "row" => lines.iter().map(|c| c.row).collect::<Vec<_>>(),
        "region" => text(|c| c.region.as_deref()),
        "period" => text(|c| c.period.as_deref()),
        "column" => text(|c| Some(&c.column)),
        "value" => text(|c| c.value.as_deref()),
        "rule" => lines.iter().map(|c| c.rule.id()).collect::<Vec<_>>(),
        "severity" => lines.iter().map(|c| c.severity).collect::<Vec<_>>(),
        "problem" => text(|c| Some(&c.problem)),
        "example" => text(|c| Some(&c.example)),
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
    let text = |c: &str| -> PolarsResult<Vec<Option<String>>> {
        Ok(df
            .column(c)?
            .str()?
            .iter()
            .map(|v| v.map(String::from))
            .collect())
    };
    let (round_period, office_code, office_name, table, file, sheet) = (
        text("period_round")?,
        text("office_code")?,
        text("office_name")?,
        text("table")?,
        text("file")?,
        text("sheet")?,
    );
    let rows: Vec<Option<u64>> = df.column("row")?.u64()?.iter().collect();
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
    let rule_of = |id: &str| {
        [
            Rule::Parse,
            Rule::Required,
            Rule::Range,
            Rule::Code,
            Rule::Order,
            Rule::Duplicate,
            Rule::Band,
            Rule::Total,
            Rule::Share,
            Rule::Coverage,
            Rule::Reference,
            Rule::Name,
            Rule::AsAt,
            Rule::Unit,
        ]
        .into_iter()
        .find(|r| r.id() == id)
    };
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
                row: rows[i],
                region: region[i].clone(),
                period: period[i].clone(),
                column: column[i].clone().unwrap_or_default(),
                value: value[i].clone(),
                rule: rule_of(rule[i].as_deref()?)?,
                severity: fixed(severity[i].as_deref(), &["须修改", "请核实"])?,
                problem: problem[i].clone().unwrap_or_default(),
                example: example[i].clone().unwrap_or_default(),
                round: fixed(round[i].as_deref(), &["上轮已指出", "本轮新发现", "已改正"]),
            })
        })
        .collect();
    Ok((lines, round_period.into_iter().flatten().next()))
}
