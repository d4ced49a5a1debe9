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
        crate::ingest::validate::as_at(
            Table::MemberAges,
            Some(r.code.clone()),
            r.period,
            (self.day, &self.raw),
            (shown, self.row.origin.row()),
        )
    }
}

/// A group's held rows by day, latest first.
pub(super) type Days = Vec<Vec<Dated>>;

/// The held rows by group, in order of each group's first row: each group's
/// days, latest first, each day's rows in input order — those to try to
/// store, a day at a time; and the rows of groups that have a stock at the
/// period's end (stored as read), refused.
pub(super) fn by_group(
    mut held: Vec<Dated>,
    groups: &BandIndex,
    shown: &[String],
) -> (Vec<Days>, Vec<(Origin, Reject)>) {
    held.sort_by_key(|d| d.row.origin.0);
    let mut order: Vec<u128> = Vec::new();
    let mut by: HashMap<u128, Vec<Dated>> = HashMap::new();
    let mut refused = Vec::new();
    for d in held {
        let g = d.group();
        // The oldest band stored from a row at the period's end.
        if let Some((_, o)) = groups.bands(g).last() {
            let r = &d.row.rows[0].0;
            let m = format!(
                "{}: {} row {} is as at the end of {} and is kept; this earlier stock is not stored",
                what(&d),
                shown[o.file()],
                o.row(),
                r.period.canonical()
            );
            refused.push((
                d.row.origin,
                reject(&d, m).keeping(&shown[o.file()], o.row()),
            ));
            continue;
        }
        by.entry(g)
            .or_insert_with(|| {
                order.push(g);
                Vec::new()
            })
            .push(d);
    }
    let groups = order
        .into_iter()
        .map(|g| {
            let mut rows = by.remove(&g).expect("keyed above");
            rows.sort_by(|a, b| b.day.cmp(&a.day).then(a.row.origin.0.cmp(&b.row.origin.0)));
            let mut days: Vec<Vec<Dated>> = Vec::new();
            for d in rows {
                match days.last_mut() {
                    Some(day) if day[0].day == d.day => day.push(d),
                    _ => days.push(vec![d]),
                }
            }
            days
        })
        .collect();
    (groups, refused)
}

/// "a stock as at 2021-06-30 ('2021年6月30日') of 110117001001 (member, 2021)".
fn what(d: &Dated) -> String {
    let r = &d.row.rows[0].0;
    format!(
        "a stock as at {} ('{}') of {} ({}, {})",
        d.day.text(),
        d.raw,
        r.code,
        r.role,
        r.period.canonical()
    )
}

/// The refusal of a held row of an earlier day than the one kept (as at
/// `day`, its first row stored at `kept`).
pub(super) fn earlier(d: &Dated, (day, kept): (Date, Origin), shown: &[String]) -> Reject {
    let m = format!(
        "{}: {} row {} is as at {}, later, and is kept; this earlier stock is not stored",
        what(d),
        shown[kept.file()],
        kept.row(),
        day.text()
    );
    reject(d, m).keeping(&shown[kept.file()], kept.row())
}

fn reject(d: &Dated, message: String) -> Reject {
    Reject::new(Rule::Duplicate, "period", Some(&d.raw), message)
}
