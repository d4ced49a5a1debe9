//! A published table printed as an outline (contract B.1, "Outlines"): a
//! yearbook's disputes by type, a total first, its types under it, a type's
//! sub-types under the type (`缩进层级` 0, 1, 2; `#` before a name for 其中,
//! "of which"). A source reads its disputes as one when its header has an
//! `outline` column (层级, 缩进层级) or it says `outline = true`.
//!
//! Each row's place: level 0 (or a total's label: 合计, 总计, 总数, Total, or
//! one of the source's `total_labels`) is the region-period's figure over
//! all types, stored as the row with no category (contract A.3's "all"
//! row); level 1 is a type; deeper rows are parts of the nearest row above
//! them with a smaller level, stored with `part_of` naming it (and never
//! added into the types' sum). A row's direct parts are added up and
//! checked against it when its last part is read: W_TOTAL when they differ
//! (more is impossible; less is said to be possible for a 其中 list).

use crate::contract::grammar::{micros_f64, micros_text, parse_number};
use crate::contract::{Rule, Table};
use crate::ingest::headers::HeaderMap;
use crate::ingest::quarantine::Finding;
use crate::ingest::read::RawRecord;

/// Where a row stands in its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A row of a table that is no outline.
    Row,
    /// A type (level 1, or a row right under the total).
    Type,
    /// The figure over all types (level 0).
    Total,
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
    parts: (usize, u64, u64),
    /// Whether every part is marked 其中 (`#`): a list that may leave some out.
    of_which: bool,
    code: Option<String>,
    period: Option<String>,
}

/// One file's outline as read so far.
pub(super) struct Outline<'a> {
    open: Vec<Open>,
    /// The level of the last row not marked `#`, for a `#` row's own.
    last_plain: u32,
    total_labels: &'a [String],
}

fn micros(s: &str) -> Option<i128> {
    parse_number(s).ok().map(|x| (x * 1e6).round() as i128)
}

fn is_total_label(label: &str, own: &[String]) -> bool {
    let t: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        t.to_lowercase().as_str(),
        "合计" | "总计" | "总数" | "总" | "total" | "全部" | "所有"
    ) || own.iter().any(|o| o.trim() == label.trim())
}

impl<'a> Outline<'a> {
    pub(super) fn new(total_labels: &'a [String]) -> Outline<'a> {
        Outline {
            open: Vec::new(),
            last_plain: 0,
            total_labels,
        }
    }

    /// A row's place, and the findings of the rows it closes.
    pub(super) fn row(
        &mut self,
        rec: &RawRecord,
        h: &HeaderMap,
        (table, shown, tolerance): (Table, &str, f64),
    ) -> (Place, Vec<Finding>) {
        let label = h.cell(rec, "category").unwrap_or("").trim();
        let marked = label.starts_with('#') || label.starts_with('＃');
        let label = label.trim_start_matches(['#', '＃']).trim().to_string();
        let level = match h.cell(rec, "outline").map(str::trim) {
            Some(n) if n.parse::<u32>().is_ok() => n.parse().unwrap_or(1),
            Some("总数" | "合计" | "总计" | "总") => 0,
            Some("其中") => self.last_plain + 1,
            _ if is_total_label(&label, self.total_labels) => 0,
            _ if marked => self.last_plain + 1,
            _ => 1,
        };
        let of_which = marked || h.cell(rec, "outline").map(str::trim) == Some("其中");
        if !of_which {
            self.last_plain = level;
        }
        let mut found = Vec::new();
        while self.open.last().is_some_and(|o| o.level >= level) {
            let o = self.open.pop().expect("checked");
            found.extend(close(o, (table, shown, tolerance)));
        }
        let values = ADDED.map(|c| h.cell(rec, c).and_then(micros));
        let place = match self.open.last_mut() {
            Some(parent) => {
                for ((s, v), _) in parent.sums.iter_mut().zip(&values).zip(ADDED) {
                    if let Some(v) = v {
                        *s = Some(s.unwrap_or(0) + v);
                    }
                }
                parent.parts.0 += 1;
                parent.of_which &= of_which;
                parent.parts.1 = parent.parts.1.min(rec.row);
                parent.parts.2 = rec.row;
                match parent.level {
                    0 => Place::Type,
                    _ => Place::Part(parent.label.clone()),
                }
            }
            None if level == 0 => Place::Total,
            None => Place::Type,
        };
        let place = if level == 0 { Place::Total } else { place };
        self.open.push(Open {
            level,
            row: rec.row,
            label,
            values,
            sums: [None; 3],
            parts: (0, u64::MAX, 0),
            of_which: true,
            code: h.cell(rec, "region_code").map(str::to_string),
            period: h.cell(rec, "period").map(str::to_string),
        });
        (place, found)
    }

    /// The findings of the rows still open at the end of the file.
    pub(super) fn finish(&mut self, (table, shown, tolerance): (Table, &str, f64)) -> Vec<Finding> {
        let mut found = Vec::new();
        while let Some(o) = self.open.pop() {
            found.extend(close(o, (table, shown, tolerance)));
        }
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
        out.push(Finding {
            table,
            rule: Rule::Total,
            region_code: o.code.clone(),
            period: o.period.clone(),
            role: None,
            band: Some(column.to_string()),
            expected: Some(micros_f64(*s)),
            actual: Some(micros_f64(*v)),
            message: format!(
                "{shown} row {} ({}): {column} {} and the {n} row(s) under it ({rows}) add up to {}, {} {why}",
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
