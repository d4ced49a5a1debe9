//! Facts' codes against their own year, and a panel re-coded to one vintage
//! ([`crate::regions::history`]; contract A.4). A row whose code the history
//! knows but not in the row's year is E_CODE naming what the code was and
//! when. With `[run] harmonise_codes`, a row goes to the code(s) of the
//! vintage: a rename keeps its code, a re-code or a merge changes it, a
//! split with shares becomes one row per part (amounts times the share,
//! whole counts rounded). Rows that meet on one key after re-coding (the
//! parts of a merge) are added up: counts summed, a mean or satisfaction
//! weighted by the rows' received cases or visits, a reported share kept
//! only where one row made the figure. Duplicates are still those of the
//! codes as filed: two parts of a merge are not a duplicate.

use std::collections::HashMap;

use crate::contract::Rule;
use crate::ingest::checks::key_hash;
use crate::ingest::quarantine::Reject;
use crate::ingest::validate::{AgeRow, DisputeRow, UsageRow};
use crate::regions::history::{Recoded, Recoder};

/// A fact row as re-coding sees it.
pub(super) trait Recodable: Sized {
    fn code(&self) -> &str;
    fn year(&self) -> i32;
    /// The row under `code`, its amounts times `share` (a part of a split).
    fn to_code(&self, code: &str, share: f64) -> Self;
    /// Its key under its (new) code: rows with one key are added up.
    fn merge_key(&self) -> u128;
    /// Another row of the same key added in.
    fn absorb(&mut self, other: Self);
}

/// What the re-coding did to a file's rows, for its manifest entry.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Counts {
    /// Rows whose code changed (a re-code, a merge into another code, a split).
    pub recoded: u64,
    /// Rows whose code stands under the vintage's other name.
    pub renamed: u64,
}

impl Counts {
    /// Counts a row stored after `change`.
    pub(super) fn note(&mut self, change: &Recoded) {
        match change {
            Recoded::Same => {}
            Recoded::Renamed => self.renamed += 1,
            Recoded::Moved(_) | Recoded::To(_) => self.recoded += 1,
        }
    }
}

impl crate::warehouse::FileEntry {
    /// Adds the re-coding of rows stored after the file was read.
    pub(super) fn add(&mut self, c: &Counts) {
        self.rows_recoded += c.recoded;
        self.rows_renamed += c.renamed;
    }
}

/// The code(s) of the vintage a code of `year` goes to, with their shares
/// and what changed; or E_CODE.
pub(super) fn parts(
    recoder: &Recoder,
    code: &str,
    year: i32,
) -> Result<(Vec<(String, f64)>, Recoded), Reject> {
    let change = change(recoder, code, year)?;
    let parts = match &change {
        Recoded::To(parts) => parts.clone(),
        Recoded::Moved(to) => vec![(to.clone(), 1.0)],
        _ => vec![(code.to_string(), 1.0)],
    };
    Ok((parts, change))
}

fn change(recoder: &Recoder, code: &str, year: i32) -> Result<Recoded, Reject> {
    recoder
        .recode(code, year)
        .map_err(|refused| Reject::new(Rule::Code, "region_code", Some(code), refused.0))
}

/// The row under its code(s) of the vintage, with what changed; or E_CODE.
pub(super) fn recode<T: Recodable + Clone>(
    recoder: &Recoder,
    row: &T,
) -> Result<(Vec<T>, Recoded), Reject> {
    let change = change(recoder, row.code(), row.year())?;
    let rows = match &change {
        Recoded::To(parts) => parts.iter().map(|(c, s)| row.to_code(c, *s)).collect(),
        Recoded::Moved(to) => vec![row.to_code(to, 1.0)],
        _ => vec![row.clone()],
    };
    Ok((rows, change))
}

/// A re-coded table's rows, added up by key in the order each key was first
/// met; `merged` counts the rows added into another.
pub(super) struct Merged<T> {
    rows: Vec<(T, u64)>,
    at: HashMap<u128, usize>,
    pub merged: u64,
}

impl<T: Recodable> Merged<T> {
    pub(super) fn new() -> Merged<T> {
        Merged {
            rows: Vec::new(),
            at: HashMap::new(),
            merged: 0,
        }
    }

    pub(super) fn push(&mut self, row: T, origin: u64) {
        let key = row.merge_key();
        match self.at.get(&key) {
            Some(&i) => {
                self.rows[i].0.absorb(row);
                self.merged += 1;
            }
            None => {
                self.at.insert(key, self.rows.len());
                self.rows.push((row, origin));
            }
        }
    }

    pub(super) fn into_rows(self) -> impl Iterator<Item = (T, u64)> {
        self.rows.into_iter()
    }
}

/// A whole count times a share, rounded half away from zero.
fn part(x: i64, share: f64) -> i64 {
    if share == 1.0 {
        x
    } else {
        (x as f64 * share).round() as i64
    }
}

fn sum(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    Some(a? + b?)
}

/// The mean of `a` and `b` weighted by `wa` and `wb`; unknown when either is.
fn weighted(a: Option<f64>, wa: i64, b: Option<f64>, wb: i64) -> Option<f64> {
    let (a, b) = (a?, b?);
    let w = (wa + wb) as f64;
    (w > 0.0).then(|| (a * wa as f64 + b * wb as f64) / w)
}

impl Recodable for AgeRow {
    fn code(&self) -> &str {
        &self.code
    }
    fn year(&self) -> i32 {
        self.period.year
    }
    fn to_code(&self, code: &str, share: f64) -> Self {
        // A part of a split keeps the band's share of its group.
        AgeRow {
            code: code.to_string(),
            count: self.count * share,
            rounding: self.rounding.map(|r| r * share),
            ..self.clone()
        }
    }
    fn merge_key(&self) -> u128 {
        key_hash(&[
            self.code.as_bytes(),
            &self.period.key(),
            self.role.as_bytes(),
            self.band.canonical().as_bytes(),
        ])
    }
    fn absorb(&mut self, other: Self) {
        self.count += other.count;
        self.share = None;
        self.rounding = match (self.rounding, other.rounding) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }
}

impl Recodable for DisputeRow {
    fn code(&self) -> &str {
        &self.code
    }
    fn year(&self) -> i32 {
        self.period.year
    }
    fn to_code(&self, code: &str, share: f64) -> Self {
        DisputeRow {
            code: code.to_string(),
            received: part(self.received, share),
            resolved: self.resolved.map(|x| part(x, share)),
            escalated: self.escalated.map(|x| part(x, share)),
            ..self.clone()
        }
    }
    fn merge_key(&self) -> u128 {
        crate::ingest::checks::dispute_key(
            &self.code,
            &self.period,
            self.category.as_deref(),
            self.part_of.as_deref(),
        )
    }
    fn absorb(&mut self, o: Self) {
        self.share = None;
        self.mean_days = weighted(self.mean_days, self.received, o.mean_days, o.received);
        self.received += o.received;
        self.resolved = sum(self.resolved, o.resolved);
        self.escalated = sum(self.escalated, o.escalated);
    }
}

impl Recodable for UsageRow {
    fn code(&self) -> &str {
        &self.code
    }
    fn year(&self) -> i32 {
        self.period.year
    }
    fn to_code(&self, code: &str, share: f64) -> Self {
        UsageRow {
            code: code.to_string(),
            visits: part(self.visits, share),
            services: self.services.map(|x| part(x, share)),
            staff: self.staff.map(|x| part(x, share)),
            ..self.clone()
        }
    }
    fn merge_key(&self) -> u128 {
        key_hash(&[
            self.code.as_bytes(),
            &self.period.key(),
            self.center_type.as_bytes(),
            self.center_name.as_bytes(),
        ])
    }
    fn absorb(&mut self, o: Self) {
        self.satisfaction = weighted(self.satisfaction, self.visits, o.satisfaction, o.visits);
        self.visits += o.visits;
        self.services = sum(self.services, o.services);
        self.staff = sum(self.staff, o.staff);
    }
}
