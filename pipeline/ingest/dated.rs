//! Stocks as at a day inside their period (contract A.1): a member-age row
//! published as at a day that does not end its period (`2021年6月5日` in a
//! yearly run) waits until the table is read, because a later stock of the
//! same region, period and role may follow — a bulletin's mid-year figure
//! and its year-end one, both stored as 2021. Of one such group the rows of
//! the latest day are kept; a row whose period ends the period (`2021年底`,
//! or a plain `2021`) is as late as a stock of that period can be, so a group
//! that has one keeps it. The earlier rows are quarantined (E_DUPLICATE)
//! naming the later row kept. Both ingest paths hand such rows here.

use std::collections::HashMap;

use crate::contract::grammar::Date;
use crate::contract::{Rule, Table};
use crate::ingest::checks::{key_hash, BandIndex, Origin};
use crate::ingest::quarantine::{Finding, Reject};
use crate::ingest::validate::AgeRow;
use crate::regions::history::Recoded;

/// A member-age row through its row rules and E_CODE, before its bands
/// meet their group's.
pub(super) struct Checked {
    /// Its bands (one for a long row, each band cell of a wide row), each
    /// with the column it came from.
    pub rows: Vec<(AgeRow, String)>,
    /// Its group's total as its total column printed it, with its rounding.
    pub total: Option<(f64, Option<f64>)>,
    /// Its rows under the codes of the vintage, where re-coding.
    pub recoded: Option<(Vec<AgeRow>, Recoded)>,
    /// The code its group is keyed by (a place that only moved: its new code).
    pub group_code: String,
    pub origin: Origin,
}

impl Checked {
    /// The (region, period, role) group it belongs to, as the band index keys it.
    pub(super) fn group(&self) -> u128 {
        let r = &self.rows[0].0;
        key_hash(&[
            self.group_code.as_bytes(),
            &r.period.key(),
            r.role.as_bytes(),
        ])
    }
}

/// One held row: as at `day`, printed `raw`.
pub(super) struct Dated {
    pub row: Checked,
    pub day: Date,
    pub raw: String,
}

impl Dated {
    fn group(&self) -> u128 {
        self.row.group()
    }

    /// W_ASAT for the row once stored ("a stock as at 2021-06-05 is stored as 2021").
    pub(super) fn finding(&self, shown: &str) -> Finding {
        let r = &self.row.rows[0].0;
        let period = r.period.canonical();
        Finding {
            table: Table::MemberAges,
            rule: Rule::AsAt,
            region_code: Some(r.code.clone()),
            period: Some(period.clone()),
            role: None,
            band: None,
            expected: None,
            actual: None,
            message: format!(
                "{shown} row {}: a stock as at {} ('{}') is stored as {period}, the period that holds the day",
                self.row.origin.row(),
                self.day.text(),
                self.raw
            ),
        }
    }
}

/// The held rows to store (the latest day of each group without a stock
/// at its period's end), in input order, and those not stored.
pub(super) fn latest(
    mut held: Vec<Dated>,
    groups: &BandIndex,
    shown: &[String],
) -> (Vec<Dated>, Vec<(Origin, Reject)>) {
    held.sort_by_key(|d| d.row.origin.0);
    let mut last: HashMap<u128, (Date, Origin)> = HashMap::new();
    for d in &held {
        let e = last.entry(d.group()).or_insert((d.day, d.row.origin));
        if d.day > e.0 {
            *e = (d.day, d.row.origin);
        }
    }
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for d in held {
        let g = d.group();
        let r = &d.row.rows[0].0;
        let what = format!(
            "a stock as at {} ('{}') of {} ({}, {})",
            d.day.text(),
            d.raw,
            r.code,
            r.role,
            r.period.canonical()
        );
        // The oldest band stored from a row at the period's end.
        if let Some((_, o)) = groups.bands(g).last() {
            let m = format!(
                "{what}: {} row {} is as at the end of {} and is kept; this earlier stock is not stored",
                shown[o.file()],
                o.row(),
                r.period.canonical()
            );
            refused.push((d.row.origin, reject(&d, m)));
            continue;
        }
        let (day, o) = last[&g];
        if d.day < day {
            let m = format!(
                "{what}: {} row {} is as at {}, later, and is kept; this earlier stock is not stored",
                shown[o.file()],
                o.row(),
                day.text()
            );
            refused.push((d.row.origin, reject(&d, m)));
            continue;
        }
        kept.push(d);
    }
    (kept, refused)
}

fn reject(d: &Dated, message: String) -> Reject {
    Reject::new(Rule::Duplicate, "period", Some(&d.raw), message)
}
