//! Year-to-date (累计) series differenced into the flows they add (contract
//! A.1, "Year-to-date figures").
//!
//! A row of a 累计 file is a *point*: its figures from January through the
//! month its period names ([`super::validate::Cells::period`] stores that
//! month as the row's period). The points of one series — one region, year
//! and key (a dispute category; a centre) — are put in order of their
//! months; each point less the point before it (the first: less nothing,
//! the figure from January) is the flow of the months between, stored as the
//! period those months make ([`months_period`]): June's figure less May's
//! is June, September's less June's the third quarter, June's alone the
//! first half.
//!
//! A point is taken from the last figure a flow was stored up to, so that
//! the flows stored add up to the latest figure (1-3月, a missing 1-4月, 1-5月,
//! 1-6月: the first quarter, then 1-6月 less 1-3月 is the second); where
//! those months are no period, from the figure just before it (1, 2, 4, 5:
//! 5 less 4 is May).
//!
//! Not stored, each with its reason:
//! - a point whose months since either figure are no period: E_PARSE
//!   naming the missing month;
//! - a count smaller than the point before it (a year-to-date figure does
//!   not go down: a correction or a typing error, not a negative flow):
//!   E_RANGE naming both figures; the next point is taken from the earlier;
//! - a flow that breaks a row rule of its own (more resolved than received
//!   in the months between, a mean the two figures cannot both hold): the
//!   rule's id, naming both figures.

use std::collections::HashMap;

use crate::contract::grammar::{months_period, Period};
use crate::contract::Rule;
use crate::ingest::checks::{key_hash, Origin};
use crate::ingest::quarantine::Reject;
use crate::ingest::validate::{DisputeRow, UsageRow};

/// A flow row as differencing sees it.
pub(super) trait Flow: Sized + Clone {
    fn code(&self) -> &str;
    /// The point's year-to-date period: its year and the month it runs through.
    fn through(&self) -> Period;
    /// Its series, without the period: code and key columns.
    fn series(&self) -> u128;
    /// The flow of the months since `earlier` (a point of the same series,
    /// or none: since January), stored as `period`; or why it is none.
    fn since(&self, earlier: Option<&Self>, period: Period) -> Result<Self, Reject>;
}

/// A table's points, in input order.
pub(super) struct Ytd<T> {
    points: Vec<(T, Origin)>,
}

/// What differencing made: the flows with the points they came from, in
/// order of code, then point; and the points not stored.
pub(super) struct Differenced<T> {
    pub flows: Vec<(T, Origin)>,
    pub refused: Vec<(Origin, Reject)>,
}

impl<T: Flow> Ytd<T> {
    pub(super) fn new() -> Ytd<T> {
        Ytd { points: Vec::new() }
    }

    pub(super) fn push(&mut self, row: T, origin: Origin) {
        self.points.push((row, origin));
    }

    pub(super) fn differenced(self) -> Differenced<T> {
        let mut series: HashMap<(u128, i32), Vec<usize>> = HashMap::new();
        let mut order = Vec::new();
        for (i, (row, _)) in self.points.iter().enumerate() {
            let key = (row.series(), row.through().year);
            series
                .entry(key)
                .or_insert_with(|| {
                    order.push(key);
                    Vec::new()
                })
                .push(i);
        }
        let mut out = Differenced {
            flows: Vec::new(),
            refused: Vec::new(),
        };
        for key in order {
            let mut at = series.remove(&key).expect("keyed above");
            at.sort_by_key(|&i| self.points[i].0.through().sub);
            // The figures a point may be taken from: the last one a flow
            // was stored up to (so the flows add up to the latest figure),
            // else the one just before it (a figure refused only for the
            // months before it).
            let mut stored: Option<&T> = None;
            let mut previous: Option<&T> = None;
            for i in at {
                let (point, origin) = &self.points[i];
                let (year, month) = (point.through().year, point.through().sub);
                let after = |b: Option<&T>| b.map_or(1, |b| b.through().sub + 1);
                let base = [stored, previous]
                    .into_iter()
                    .find_map(|b| months_period(year, after(b), month).map(|period| (b, period)));
                let Some((base, period)) = base else {
                    let from = after(stored);
                    out.refused.push((*origin, gap(point, year, from, month)));
                    previous = Some(point);
                    continue;
                };
                // A figure below the one just before it is refused even
                // when it is taken from an earlier one.
                let fell = match (previous, base) {
                    (Some(p), b) if b.is_none_or(|b| !std::ptr::eq(p, b)) => point
                        .since(Some(p), period)
                        .err()
                        .filter(|r| r.rule == Rule::Range),
                    _ => None,
                };
                if let Some(r) = fell {
                    out.refused.push((*origin, r));
                    continue;
                }
                match point.since(base, period) {
                    Ok(flow) => {
                        out.flows.push((flow, *origin));
                        (stored, previous) = (Some(point), Some(point));
                    }
                    // A figure that went down is not one to go on from.
                    Err(r) if r.rule == Rule::Range => out.refused.push((*origin, r)),
                    Err(r) => {
                        out.refused.push((*origin, r));
                        previous = Some(point);
                    }
                }
            }
        }
        out.flows
            .sort_by(|(a, oa), (b, ob)| a.code().cmp(b.code()).then(oa.0.cmp(&ob.0)));
        out
    }
}

/// `2023年1-6月累计`.
fn ytd_text(year: i32, month: u32) -> String {
    format!("{year}年1-{month}月累计")
}

/// The refusal of a point whose months since the one before are no period.
fn gap<T: Flow>(point: &T, year: i32, from: u32, month: u32) -> Reject {
    let value = ytd_text(year, month);
    let before = match from {
        1 => "it is the first figure of its series".to_string(),
        f => format!("the figure before it runs through month {}", f - 1),
    };
    Reject::new(
        Rule::Parse,
        "period",
        Some(&value),
        format!(
            "{value} of {}: {before}, and months {from}–{month} are not a month, quarter, half-year or year; the series has no figure through month {} ({}): give it, and this row adds the month after it",
            point.code(),
            month - 1,
            ytd_text(year, month - 1)
        ),
    )
}

/// A count since the earlier figure, or E_RANGE when it went down.
fn less(
    column: &str,
    now: i64,
    earlier: Option<i64>,
    (year, month, before): (i32, u32, u32),
) -> Result<i64, Reject> {
    let e = earlier.unwrap_or(0);
    if now < e {
        return Err(Reject::new(
            Rule::Range,
            column,
            Some(&now.to_string()),
            format!(
                "{column} through month {month} ({}) is {now}, less than {e} through month {before} ({}): a year-to-date figure does not go down, so the row is not stored (a correction of an earlier month is filed as that month's figure)",
                ytd_text(year, month),
                ytd_text(year, before)
            ),
        ));
    }
    Ok(now - e)
}

/// The mean over the months since the earlier figure that the two
/// year-to-date means imply, weighted by their counts; unknown when either
/// is, or when no count came in between; `Err` when it would be outside
/// `0..=max`.
fn mean_since(
    column: &str,
    (now, w_now): (Option<f64>, i64),
    earlier: Option<(Option<f64>, i64)>,
    max: f64,
) -> Result<Option<f64>, Reject> {
    let Some((then, w_then)) = earlier else {
        return Ok(now);
    };
    let (Some(now), Some(then)) = (now, then) else {
        return Ok(None);
    };
    let w = w_now - w_then;
    if w <= 0 {
        return Ok(None);
    }
    let m = (now * w_now as f64 - then * w_then as f64) / w as f64;
    if !(0.0..=max).contains(&m) {
        return Err(Reject::new(
            Rule::Order,
            column,
            Some(&now.to_string()),
            format!(
                "{column} {now} over {w_now} and {then} over {w_then} before it imply {m:.2} over the {w} between, outside 0–{max}: the two year-to-date figures do not agree"
            ),
        ));
    }
    Ok(Some(m))
}

impl Flow for DisputeRow {
    fn code(&self) -> &str {
        &self.code
    }
    fn through(&self) -> Period {
        self.period
    }
    fn series(&self) -> u128 {
        key_hash(&[
            self.code.as_bytes(),
            self.category.as_deref().unwrap_or("").as_bytes(),
        ])
    }
    fn since(&self, earlier: Option<&Self>, period: Period) -> Result<Self, Reject> {
        let at = (
            self.period.year,
            self.period.sub,
            earlier.map_or(0, |e| e.period.sub),
        );
        let received = less("received", self.received, earlier.map(|e| e.received), at)?;
        // A count one of the two figures lacks is unknown between them.
        let optional = |column: &str, now: Option<i64>, then: Option<Option<i64>>| match (now, then)
        {
            (Some(x), None) => Ok(Some(x)),
            (Some(x), Some(Some(e))) => less(column, x, Some(e), at).map(Some),
            _ => Ok(None),
        };
        let resolved = optional("resolved", self.resolved, earlier.map(|e| e.resolved))?;
        let escalated = optional("escalated", self.escalated, earlier.map(|e| e.escalated))?;
        if let Some(resolved) = resolved.filter(|r| *r > received) {
            return Err(Reject::new(
                Rule::Order,
                "resolved",
                Some(&resolved.to_string()),
                format!(
                    "since month {} the year-to-date figures add {resolved} resolved but {received} received: resolved is more than received",
                    at.2
                ),
            ));
        }
        let mean_days = mean_since(
            "mean_days",
            (self.mean_days, self.received),
            earlier.map(|e| (e.mean_days, e.received)),
            f64::MAX,
        )?;
        Ok(DisputeRow {
            period,
            received,
            resolved,
            escalated,
            mean_days,
            // A share printed beside a year-to-date figure is not the flow's.
            share: None,
            ..self.clone()
        })
    }
}

impl Flow for UsageRow {
    fn code(&self) -> &str {
        &self.code
    }
    fn through(&self) -> Period {
        self.period
    }
    fn series(&self) -> u128 {
        key_hash(&[
            self.code.as_bytes(),
            self.center_type.as_bytes(),
            self.center_name.as_bytes(),
        ])
    }
    fn since(&self, earlier: Option<&Self>, period: Period) -> Result<Self, Reject> {
        let at = (
            self.period.year,
            self.period.sub,
            earlier.map_or(0, |e| e.period.sub),
        );
        let visits = less("visits", self.visits, earlier.map(|e| e.visits), at)?;
        let services = match (self.services, earlier.map(|e| e.services)) {
            (Some(x), None) => Some(x),
            (Some(x), Some(Some(e))) => Some(less("services", x, Some(e), at)?),
            _ => None,
        };
        let satisfaction = mean_since(
            "satisfaction",
            (self.satisfaction, self.visits),
            earlier.map(|e| (e.satisfaction, e.visits)),
            100.0,
        )?;
        // Staff is a stock: as at the end of the later month.
        Ok(UsageRow {
            period,
            visits,
            services,
            satisfaction,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::grammar::PeriodKind;

    fn point(month: u32, received: i64, resolved: i64, row: u64) -> (DisputeRow, Origin) {
        let row_ = DisputeRow {
            code: "330702".into(),
            period: Period {
                year: 2023,
                kind: PeriodKind::Month,
                sub: month,
            },
            category: None,
            received,
            resolved: Some(resolved),
            escalated: None,
            mean_days: Some(10.0),
            share: None,
            part_of: None,
        };
        (row_, Origin::new(0, row))
    }

    fn run(points: Vec<(DisputeRow, Origin)>) -> Differenced<DisputeRow> {
        let mut y = Ytd::new();
        for (r, o) in points {
            y.push(r, o);
        }
        y.differenced()
    }

    /// Each figure less the one before it, stored as the period between.
    #[test]
    fn year_to_date_figures_become_the_flows_they_add() {
        let d = run(vec![
            point(6, 60, 50, 3),
            point(3, 30, 25, 2),
            point(12, 130, 110, 5),
            point(9, 100, 80, 4),
        ]);
        let got: Vec<(String, i64, i64)> = d
            .flows
            .iter()
            .map(|(r, _)| (r.period.canonical(), r.received, r.resolved.unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("2023-Q1".to_string(), 30, 25),
                ("2023-Q2".into(), 30, 25),
                ("2023-Q3".into(), 40, 30),
                ("2023-Q4".into(), 30, 30),
            ]
            .map(|(p, a, b)| (p.to_string(), a, b))
        );
        assert!(d.refused.is_empty());
    }

    /// A missing month is named; a figure that goes down is refused, not a
    /// negative flow, and the series goes on from the figure before it.
    #[test]
    fn a_gap_names_the_missing_month_and_a_fall_is_refused() {
        let d = run(vec![
            point(1, 10, 10, 1),
            point(2, 20, 20, 2),
            point(4, 40, 40, 3),
            point(5, 35, 35, 4),
            point(6, 60, 60, 5),
        ]);
        let flows: Vec<(String, i64)> = d
            .flows
            .iter()
            .map(|(r, _)| (r.period.canonical(), r.received))
            .collect();
        // April lacks March; May fell below April; June is taken from April
        // (from February, March–June is no period).
        assert_eq!(flows, [("2023-01".to_string(), 10), ("2023-02".into(), 10)]);
        let why: Vec<(u64, Rule, &str)> = d
            .refused
            .iter()
            .map(|(o, r)| (o.row(), r.rule, r.message.as_str()))
            .collect();
        assert_eq!(why.len(), 3, "{why:?}");
        assert_eq!((why[0].0, why[0].1), (3, Rule::Parse));
        assert!(
            why[0]
                .2
                .contains("no figure through month 3 (2023年1-3月累计)"),
            "{}",
            why[0].2
        );
        assert_eq!((why[1].0, why[1].1), (4, Rule::Range));
        assert!(
            why[1].2.contains("is 35, less than 40 through month 4"),
            "{}",
            why[1].2
        );
        assert_eq!((why[2].0, why[2].1), (5, Rule::Parse));
        assert!(
            why[2].2.contains("months 3–6") && why[2].2.contains("through month 5"),
            "{}",
            why[2].2
        );
    }

    /// A figure missing between quarter ends costs nothing: the next is
    /// taken from the last one stored; a missing month between months
    /// costs only the months before the figure after it.
    #[test]
    fn a_missing_figure_loses_as_little_as_it_can() {
        let d = run(vec![
            point(3, 30, 30, 1),
            point(5, 50, 50, 2),
            point(6, 60, 60, 3),
        ]);
        let flows: Vec<(String, i64)> = d
            .flows
            .iter()
            .map(|(r, _)| (r.period.canonical(), r.received))
            .collect();
        assert_eq!(flows, [("2023-Q1".to_string(), 30), ("2023-Q2".into(), 30)]);
        assert_eq!(d.refused.len(), 1);
        let d = run(vec![
            point(1, 10, 10, 1),
            point(2, 20, 20, 2),
            point(4, 40, 40, 3),
            point(5, 50, 50, 4),
        ]);
        let flows: Vec<String> = d.flows.iter().map(|(r, _)| r.period.canonical()).collect();
        assert_eq!(flows, ["2023-01", "2023-02", "2023-05"]);
    }

    /// The mean over the months between is what the two figures imply.
    #[test]
    fn a_mean_between_two_figures_is_weighted_by_their_counts() {
        let (mut a, oa) = point(3, 30, 30, 1);
        let (mut b, ob) = point(6, 90, 90, 2);
        a.mean_days = Some(10.0);
        b.mean_days = Some(20.0);
        let d = run(vec![(a.clone(), oa), (b.clone(), ob)]);
        // (20 × 90 − 10 × 30) / 60 = 25.
        assert_eq!(d.flows[1].0.mean_days, Some(25.0));
        b.mean_days = Some(2.0);
        let d = run(vec![(a, oa), (b, ob)]);
        assert_eq!(d.refused[0].1.rule, Rule::Order);
    }
}
