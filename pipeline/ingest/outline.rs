//! A published table printed as an outline (contract B.1, "Outlines"): a
//! yearbook's disputes by type, a total first, its types under it, a type's
//! sub-types under the type (`缩进层级` 0, 1, 2; `#` before a name for 其中,
//! "of which"). A source reads its disputes as one when its header has an
//! `outline` column (缩进层级) or it says `outline = true`.
//!
//! Each row's place: level 0 (or a total's label: 合计, 总计, 总数, Total, or
//! one of the source's `total_labels`) is the region-period's figure over
//! all types, stored as the row with no category (contract A.3's "all"
//! row); level 1 is a type; deeper rows are parts of the nearest row above
//! them with a smaller level, stored with `part_of` naming it (and never
//! added into the types' sum). A row's direct parts are added up and
//! checked against it when its last part is read: W_TOTAL when they differ,
//! but for parts all marked 其中 that add up to less (a 其中 list may leave
//! some out). A total printed below its types (合计 last) takes the rows
//! above it; another region or period closes every row open.

use crate::contract::grammar::{micros_f64, micros_text, parse_number};
use crate::contract::{Rule, Table};
use crate::ingest::headers::HeaderMap;
use crate::ingest::quarantine::Finding;
use crate::ingest::read::RawRecord;

/// Where a row stands in its table.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// A row of a table that is no outline.
    Row,
    /// An outline value that is no level: the row is refused.
    Bad(crate::contract::Reject),
    /// The figure over all types (level 0).
    Total,
    /// A type (level 1, or a row right under the total).
    Type,
    /// A part of the row labelled so (level 2 and deeper).
    Part(String),
}

/// The columns a row's parts are added up in.
const ADDED: [&str; 3] = ["received", "resolved", "escalated"];

struct Open {
    level: u32,
    row: u64,
    label: String,
    /// Its values, and the sums of its direct parts so far, in micros.
    values: [Option<i128>; 3],
    sums: [Option<i128>; 3],
    /// Parts so far, the first and the last part's row.
    parts: (usize, u64, u64),
    /// Whether every part is marked 其中 (`#`): a list that may leave some out.
    of_which: bool,
    code: Option<String>,
    period: Option<String>,
}

impl Open {
    fn empty() -> Open {
        Open {
            level: 0,
            row: 0,
            label: String::new(),
            values: [None; 3],
            sums: [None; 3],
            parts: (0, u64::MAX, 0),
            of_which: true,
            code: None,
            period: None,
        }
    }

    /// A part's values added in.
    fn add(&mut self, values: &[Option<i128>; 3], row: u64, of_which: bool) {
        for (s, v) in self.sums.iter_mut().zip(values) {
            if let Some(v) = v {
                *s = Some(s.unwrap_or(0) + v);
            }
        }
        self.parts.0 += 1;
        self.parts.1 = self.parts.1.min(row);
        self.parts.2 = row;
        self.of_which &= of_which;
    }
}

/// One file's outline as read so far.
pub(super) struct Outline<'a> {
    open: Vec<Open>,
    /// The level of the last row not marked `#`, for a `#` row's own.
    last_plain: u32,
    total_labels: &'a [String],
    /// The region and period of the rows open: another closes them all.
    scope: Option<(Option<String>, Option<String>)>,
    /// The scope's rows read with no row above them to belong to: a total
    /// printed below them (合计 last) is checked against them.
    loose: Open,
}

/// A cell in micros of its column's unit (`受理数(万件)` 4.25 → 42,500 cases).
fn micros(s: &str, scale: f64) -> Option<i128> {
    parse_number(s)
        .ok()
        .map(|x| (x * scale * 1e6).round() as i128)
}

fn is_total_label(label: &str, own: &[String]) -> bool {
    let t: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        t.to_lowercase().as_str(),
        "合计" | "总计" | "总数" | "总" | "total"
    ) || own.iter().any(|o| o.trim() == label.trim())
}

/// The level an outline cell says: a whole number (`2`, an XLSX's `2.0`),
/// or 总数 / 合计 / 总计 (0); `Ok(None)` for 其中 (one under the last row
/// not so marked); an error for anything else.
fn level_of(cell: &str) -> Result<Option<u32>, String> {
    let t = cell.trim();
    if let Ok(x) = t.parse::<f64>() {
        if (0.0..100.0).contains(&x) && x.fract() == 0.0 {
            return Ok(Some(x as u32));
        }
    }
    match t {
        "总数" | "合计" | "总计" | "总" => Ok(Some(0)),
        "其中" => Ok(None),
        _ => Err(format!(
            "'{t}' is not a level of the outline (expected 0 for the total, 1 for a type, 2 and more for its parts, or 总数 / 其中)"
        )),
    }
}

impl<'a> Outline<'a> {
    pub(super) fn new(total_labels: &'a [String]) -> Outline<'a> {
        Outline {
            open: Vec::new(),
            last_plain: 0,
            total_labels,
            scope: None,
            loose: Open::empty(),
        }
    }

    /// A row's place, and the findings of the rows it closes.
    pub(super) fn row(
        &mut self,
        rec: &RawRecord,
        h: &HeaderMap,
        at: (Table, &str, f64),
    ) -> (Place, Vec<Finding>) {
        let label = h.cell(rec, "category").unwrap_or("").trim();
        let marked = label.starts_with('#') || label.starts_with('＃');
        let label = label.trim_start_matches(['#', '＃']).trim().to_string();
        let said = match h.cell(rec, "outline").map(level_of) {
            Some(Err(m)) => {
                let value = h.cell(rec, "outline");
                let r = crate::contract::Reject::new(Rule::Parse, "outline", value, m);
                return (Place::Bad(r), Vec::new());
            }
            Some(Ok(l)) => Some(l),
            None => None,
        };
        let mut found = Vec::new();
        // Another region or period closes every open row.
        let scope = (
            h.cell(rec, "region_code").map(str::to_string),
            h.cell(rec, "period").map(str::to_string),
        );
        if self.scope.as_ref().is_some_and(|s| *s != scope) {
            found.extend(self.finish(at));
            self.last_plain = 0;
        }
        self.scope = Some(scope.clone());
        // A level the row gives wins over its label.
        let level = match said {
            Some(Some(l)) => l,
            Some(None) => self.last_plain + 1,
            None if is_total_label(&label, self.total_labels) => 0,
            None if marked => self.last_plain + 1,
            None => 1,
        };
        let of_which = marked || said == Some(None);
        if !of_which {
            self.last_plain = level;
        }
        while self.open.last().is_some_and(|o| o.level >= level) {
            let o = self.open.pop().expect("checked");
            found.extend(close(o, at));
        }
        let values = ADDED.map(|c| {
            let scale = h.scale_of(c).unwrap_or(1.0);
            h.cell(rec, c).and_then(|v| micros(v, scale))
        });
        let place = match self.open.last_mut() {
            _ if level == 0 => Place::Total,
            Some(parent) => {
                parent.add(&values, rec.row, of_which);
                match parent.level {
                    0 => Place::Type,
                    _ => Place::Part(parent.label.clone()),
                }
            }
            None => {
                self.loose.add(&values, rec.row, of_which);
                Place::Type
            }
        };
        let open = Open {
            level,
            row: rec.row,
            label,
            values,
            code: scope.0,
            period: scope.1,
            ..Open::empty()
        };
        // A total below the rows it sums (合计 last) takes them as its parts.
        if level == 0 && self.loose.parts.0 > 0 {
            let loose = std::mem::replace(&mut self.loose, Open::empty());
            let total = Open {
                sums: loose.sums,
                parts: loose.parts,
                of_which: loose.of_which,
                label: open.label.clone(),
                code: open.code.clone(),
                period: open.period.clone(),
                ..open
            };
            found.extend(close(total, at));
            // Rows after it (`#其中：农村`) are its parts, as under a total on top.
            self.open.push(Open {
                sums: [None; 3],
                parts: (0, u64::MAX, 0),
                of_which: true,
                ..open
            });
        } else {
            self.open.push(open);
        }
        (place, found)
    }

    /// The findings of the rows still open (at the end of the file or of a
    /// region and period).
    pub(super) fn finish(&mut self, at: (Table, &str, f64)) -> Vec<Finding> {
        let mut found = Vec::new();
        while let Some(o) = self.open.pop() {
            found.extend(close(o, at));
        }
        self.loose = Open::empty();
        found
    }
}

/// W_TOTAL for each column where a row and the sum of its parts differ.
fn close(o: Open, (table, shown, tolerance): (Table, &str, f64)) -> Vec<Finding> {
    if o.parts.0 == 0 {
        return Vec::new();
    }
    let tol = (tolerance * 1e6).round() as i128;
    let mut out = Vec::new();
    for ((v, s), column) in o.values.iter().zip(&o.sums).zip(ADDED) {
        let (Some(v), Some(s)) = (v, s) else { continue };
        // Parts all marked 其中 may leave some out: only more is wrong.
        if (v - s).abs() <= tol || (o.of_which && s < v) {
            continue;
        }
        let (n, a, b) = o.parts;
        let rows = if a == b {
            format!("row {a}")
        } else {
            format!("rows {a}–{b}")
        };
        let why = if s < v {
            "less than it"
        } else {
            "more than it"
        };
        let under = if a > o.row { "under it" } else { "above it" };
        // The period as stored (`2016年8月` is `2016-08`).
        let period = o.period.as_deref().map(|p| {
            crate::contract::grammar::parse_period(p).map_or(p.to_string(), |p| p.canonical())
        });
        out.push(Finding {
            source: Some(shown.to_string()),
            row: Some(o.row),
            covers: Some((a, b)),
            table,
            rule: Rule::Total,
            region_code: o.code.clone(),
            period,
            role: None,
            band: Some(column.to_string()),
            expected: Some(micros_f64(*s)),
            actual: Some(micros_f64(*v)),
            message: format!(
                "{shown} row {} ({}): {column} {} and the {n} row(s) {under} ({rows}) add up to {}, {} {why}",
                o.row,
                if o.label.is_empty() { "total" } else { &o.label },
                micros_text(*v),
                micros_text(*s),
                micros_text((v - s).abs()),
            ),
        });
    }
    out
}
