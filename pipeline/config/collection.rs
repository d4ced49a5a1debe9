//! `[collection]`: a district office's collection round (contract B.21) —
//! who files returns, which tables, and how a file says who filed it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::contract::grammar::{self, Date, Period};
use crate::contract::{Level, Table};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCollection {
    /// The collecting office's region (a code).
    district: String,
    /// Who files: the units at this level under the district.
    level: Option<String>,
    /// The tables each files; default every fact source of the config.
    tables: Option<Vec<String>>,
    /// A file (its name or a glob over it) → the code of the unit that filed it.
    #[serde(default)]
    filed_by: std::collections::BTreeMap<String, String>,
    /// The round's period (`2024-03`): its returns are due `due_day` of
    /// the month after it ends.
    period: Option<String>,
    due_day: Option<u32>,
    /// The due date itself (`2024-04-10`), instead.
    due: Option<String>,
    /// A receipt log (file, received_at); else each file's modification time.
    receipts: Option<String>,
    /// The day corrected returns are due back (`2025-01-15`), said in each
    /// correction list.
    resubmit_by: Option<String>,
}

/// A checked `[collection]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub district: String,
    /// The level of the units that file (default street).
    pub level: Level,
    /// What each unit files.
    pub tables: Vec<Table>,
    /// (pattern over a file's name, code), in the order of the patterns'
    /// text (a TOML table's keys): the first a file's name matches names
    /// its filer.
    pub filed_by: Vec<(String, String)>,
    /// The round's period, if named.
    pub period: Option<Period>,
    /// The day returns are due: `due`, else `due_day` (default 10) of the
    /// month after `period`; none without either (no return is then late).
    pub due: Option<Date>,
    /// The receipt log, resolved against the config's folder.
    pub receipts: Option<PathBuf>,
    /// The day corrected returns are due back, if set.
    pub resubmit_by: Option<Date>,
}

/// Checks `[collection]` against the sources the config reads; `Err` is
/// (key, message).
pub(super) fn check(
    raw: RawCollection,
    sources: &[crate::config::Source],
    base: &Path,
) -> Result<Collection, (String, String)> {
    let code_ok = |c: &str| [6, 9, 12].contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit());
    if !code_ok(&raw.district) {
        return Err((
            "collection.district".into(),
            format!(
                "'{}' is not a region code (6, 9 or 12 digits)",
                raw.district
            ),
        ));
    }
    let level = match raw.level.as_deref() {
        None => Level::Street,
        Some(l) => {
            crate::contract::grammar::parse_level(l).map_err(|m| ("collection.level".into(), m))?
        }
    };
    let facts: Vec<Table> = sources
        .iter()
        .map(|s| s.table)
        .filter(|t| *t != Table::Regions)
        .collect();
    let tables = match raw.tables {
        None => facts.clone(),
        Some(names) => {
            let mut tables = Vec::new();
            for n in names {
                match Table::from_name(&n) {
                    Some(t) if tables.contains(&t) => {}
                    Some(t) if facts.contains(&t) => tables.push(t),
                    Some(t) if t != Table::Regions => {
                        return Err((
                            "collection.tables".into(),
                            format!("'{n}' has no [sources.{t}] in this config: a return of it cannot be read"),
                        ))
                    }
                    _ => {
                        let named: Vec<&str> = facts.iter().map(|t| t.name()).collect();
                        return Err((
                            "collection.tables".into(),
                            format!("'{n}' is not a table a unit files (one of: {})", named.join(", ")),
                        ));
                    }
                }
            }
            tables
        }
    };
    if tables.is_empty() {
        return Err((
            "collection.tables".into(),
            "names no table: a collection round collects at least one".into(),
        ));
    }
    let mut filed_by = Vec::new();
    for (pattern, code) in raw.filed_by {
        if !code_ok(&code) {
            return Err((
                format!("collection.filed_by.\"{pattern}\""),
                format!("'{code}' is not a region code (6, 9 or 12 digits)"),
            ));
        }
        filed_by.push((pattern, code));
    }
    let period = match raw.period.as_deref() {
        None => None,
        Some(p) => Some(grammar::parse_period(p).map_err(|e| {
            let m = match e {
                grammar::PeriodError::Parse(m) | grammar::PeriodError::Range(m) => m,
            };
            ("collection.period".to_string(), m)
        })?),
    };
    let due_day = raw.due_day.unwrap_or(10);
    if !(1..=28).contains(&due_day) {
        return Err((
            "collection.due_day".into(),
            format!("{due_day} is not a day every month has (1 to 28)"),
        ));
    }
    let due = match (raw.due.as_deref(), period) {
        (Some(d), _) => Some(day(d).ok_or_else(|| {
            (
                "collection.due".to_string(),
                format!("'{d}' is not a day (YYYY-MM-DD)"),
            )
        })?),
        (None, Some(p)) => {
            let end = p.end();
            let (year, month) = match end.month {
                12 => (end.year + 1, 1),
                m => (end.year, m + 1),
            };
            Some(Date {
                year,
                month,
                day: due_day,
            })
        }
        (None, None) => None,
    };
    let resubmit_by = match raw.resubmit_by.as_deref() {
        None => None,
        Some(d) => Some(day(d).ok_or_else(|| {
            (
                "collection.resubmit_by".to_string(),
                format!("'{d}' is not a day (YYYY-MM-DD)"),
            )
        })?),
    };
    Ok(Collection {
        resubmit_by,
        district: raw.district,
        level,
        tables,
        filed_by,
        period,
        due,
        receipts: raw
            .receipts
            .map(|r| crate::config::normalize(&base.join(r))),
    })
}

/// A day `2024-04-10` (or `2024/4/10`).
pub fn day(text: &str) -> Option<Date> {
    let parts: Vec<&str> = text.trim().split(['-', '/']).collect();
    let [y, m, d] = parts[..] else { return None };
    if y.len() != 4 {
        return None;
    }
    let (year, month, day): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let valid = (1..=12).contains(&month) && day >= 1 && day <= grammar::days_in_month(year, month);
    valid.then_some(Date { year, month, day })
}

/// Whether a file's name (`平谷镇.xlsx`, or a path ending in it) matches a
/// `filed_by` pattern: the name itself, or a glob (`*`, `?`) over it.
pub fn name_matches(pattern: &str, file: &Path) -> bool {
    let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    glob::Pattern::new(pattern).is_ok_and(|p| p.matches(name)) || pattern == name
}
