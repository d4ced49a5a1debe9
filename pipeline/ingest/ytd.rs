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
//! Which points are stored is a choice ([`one_series`]): of the chains of
//! points whose every interval is a period, the one covering the most
//! months, then with the most flows (1-3月, a stray 1-4月, 1-6月: the two
//! quarters; monthly 1, 2, 4, 5: January, February and May, 5 less 4).
//!
//! Not stored, each with its reason:
//! - a count smaller than an earlier point's (a year-to-date figure does
//!   not go down: a correction or a typing error, not a negative flow):
//!   E_RANGE naming both figures;
//! - a point no chain ends at (its months since any figure are no period):
//!   E_PARSE naming the missing month; one a chain could end at but the
//!   chosen one leaves out: E_PARSE saying so;
//! - a flow that breaks a row rule of its own (more resolved or escalated
//!   than received in the months between, a mean the two figures cannot
//!   both hold): the rule's id, told for the point left out.

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
    /// Its series, without the period: `code` (the code it is kept under)
    /// and its key columns.
    fn series(&self, code: &str) -> u128;
    /// The flow of the months since `earlier` (a point of the same series,
    /// or none: since January), stored as `period`; or why it is none.
    fn since(&self, earlier: Option<&Self>, period: Period) -> Result<Self, Reject>;
}

/// A table's points, in input order, each with the code its series is
/// kept under (a place that only moved: its new code).
pub(super) struct Ytd<T> {
    points: Vec<(T, Origin, String)>,
}

/// What differencing made: the flows with the points they came from, in
/// order of code, then point; and the points not stored.
pub(super) struct Differenced<T> {
    pub flows: Vec<(T, Origin)>,
    pub refused: Vec<(Origin, Reject)>,
}

/// A set of flows ending at or before a figure, as the choice compares
/// them: months covered, then flows.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
struct Best {
    months: u32,
    flows: u32,
}

impl<T: Flow> Ytd<T> {
    pub(super) fn new() -> Ytd<T> {
        Ytd { points: Vec::new() }
    }

    pub(super) fn push(&mut self, row: T, origin: Origin, series_code: &str) {
        self.points.push((row, origin, series_code.to_string()));
    }

    pub(super) fn differenced(self) -> Differenced<T> {
        let mut series: HashMap<(u128, i32), Vec<usize>> = HashMap::new();
        let mut order = Vec::new();
        for (i, (row, _, code)) in self.points.iter().enumerate() {
            let key = (row.series(code), row.through().year);
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
            let points: Vec<(&T, Origin)> = at
                .iter()
                .map(|&i| (&self.points[i].0, self.points[i].1))
                .collect();
            let one = one_series(&points);
            out.flows.extend(one.flows);
            out.refused.extend(one.refused);
        }
        out.flows
            .sort_by(|(a, oa), (b, ob)| a.code().cmp(b.code()).then(oa.0.cmp(&ob.0)));
        out
    }
}

/// One series' figures, in order of their months: the flows stored and the
/// figures refused.
///
/// A figure below an earlier one is refused first (E_RANGE). Of the rest,
/// the flows stored are those of a chain of figures — each less the one
/// before it in the chain, the first less nothing — whose every interval is
/// a period and holds no broken row rule, chosen to cover the most months,
/// then to have the most flows (the finest). A figure that is no end of the
/// chain is refused, naming why.
fn one_series<T: Flow>(points: &[(&T, Origin)]) -> Differenced<T> {
    let mut refused = Vec::new();
    // 1. A year-to-date figure does not go down: below any earlier one (a
    // count one of them lacks says nothing).
    let mut ok: Vec<(&T, Origin)> = Vec::new();
    for &(p, o) in points {
        let fell = ok.iter().rev().find_map(|&(earlier, _)| {
            p.since(Some(earlier), p.through())
                .err()
                .filter(|r| r.rule == Rule::Range)
        });
        match fell {
            Some(r) => refused.push((o, r)),
            None => ok.push((p, o)),
        }
    }
    // 2. The chain. `end[k]`: the best flows whose last ends at figure k,
    // with the base it was taken from (`None`: the start of the year);
    // `upto[k]`: the best ending at or before k, and at which figure.
    let month = |k: usize| ok[k].0.through().sub;
    let year = ok.first().map_or(0, |p| p.0.through().year);
    let mut end: Vec<Option<(Best, Option<usize>, T)>> = Vec::with_capacity(ok.len());
    let mut upto: Vec<(Best, Option<usize>)> = Vec::with_capacity(ok.len());
    // A row rule an interval broke, by the figure it ends at and the one it
    // was taken from: told for a figure not kept.
    let mut broken: Vec<Option<Reject>> = vec![None; ok.len()];
    let mut broken_from: Vec<Option<Reject>> = vec![None; ok.len()];
    for k in 0..ok.len() {
        let mut here: Option<(Best, Option<usize>, T)> = None;
        for b in std::iter::once(None).chain((0..k).map(Some)) {
            let from = b.map_or(1, |b| month(b) + 1);
            let Some(period) = months_period(year, from, month(k)) else {
                continue;
            };
            let flow = match ok[k].0.since(b.map(|b| ok[b].0), period) {
                Ok(f) => f,
                Err(r) => {
                    if let Some(b) = b {
                        broken_from[b].get_or_insert(r.clone());
                    }
                    broken[k].get_or_insert(r);
                    continue;
                }
            };
            let before = b.map_or(
                Best {
                    months: 0,
                    flows: 0,
                },
                |b| upto[b].0,
            );
            let best = Best {
                months: before.months + month(k) + 1 - from,
                flows: before.flows + 1,
            };
            if here.as_ref().is_none_or(|(h, ..)| best > *h) {
                here = Some((best, b, flow));
            }
        }
        let prev = k.checked_sub(1).map(|p| upto[p]);
        let mine = here.as_ref().map(|(b, ..)| (*b, Some(k)));
        upto.push(match (prev, mine) {
            (Some(p), Some(m)) if m.0 > p.0 => m,
            (Some(p), _) => p,
            (None, Some(m)) => m,
            (None, None) => (
                Best {
                    months: 0,
                    flows: 0,
                },
                None,
            ),
        });
        end.push(here);
    }
    // Back from the best: each chosen flow, then the best before its base.
    let mut chosen = vec![false; ok.len()];
    let mut at = upto.last().and_then(|u| u.1);
    while let Some(k) = at {
        chosen[k] = true;
        let base = end[k].as_ref().and_then(|e| e.1);
        at = base.and_then(|b| upto[b].1);
    }
    let kept: Vec<u32> = (0..ok.len()).filter(|&k| chosen[k]).map(month).collect();
    let mut flows = Vec::new();
    for k in 0..ok.len() {
        if chosen[k] {
            let (_, _, flow) = end[k].take().expect("a chosen figure has a flow");
            flows.push((flow, ok[k].1));
            continue;
        }
        let why = match broken[k].take().or_else(|| broken_from[k].take()) {
            Some(r) => r,
            None => {
                let last = kept
                    .iter()
                    .rev()
                    .find(|&&m| m < month(k))
                    .copied()
                    .unwrap_or(0);
                let reachable = end[k].is_some();
                not_kept(ok[k].0, year, (last, month(k)), (&kept, reachable))
            }
        };
        refused.push((ok[k].1, why));
    }
    refused.sort_by_key(|(o, _)| o.0);
    Differenced { flows, refused }
}

/// `2023年1-6月累计`.
fn ytd_text(year: i32, month: u32) -> String {
    format!("{year}年1-{month}月累计")
}

/// The refusal of a figure that is no end of the chain: no chain ends at it
/// (from no figure before it are its months a period: the month whose
/// figure is missing is named), or one could (`reachable`) but the chain
/// chosen covers more months without it.
fn not_kept<T: Flow>(
    point: &T,
    year: i32,
    (last, month): (u32, u32),
    (kept, reachable): (&[u32], bool),
) -> Reject {
    let value = ytd_text(year, month);
    let kept_text = match kept {
        [] => "none of its figures make a period".to_string(),
        k => format!(
            "the series keeps its figures through month {}",
            k.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        ),
    };
    let since = match last {
        0 => "from the start of the year".to_string(),
        l => format!("from its figure through month {l}"),
    };
    let message = match reachable {
        false => format!(
            "{value} of {}: {since}, months {}–{month} are not a month, quarter, half-year or year, so it is not stored — the series has no figure through month {} ({}); {kept_text}",
            point.code(),
            last + 1,
            month - 1,
            ytd_text(year, month - 1)
        ),
        true => format!(
            "{value} of {}: stored, it would leave other months without a period, so it is not ({kept_text}, which cover more months)",
            point.code()
        ),
    };
    Reject::new(Rule::Parse, "period", Some(&value), message)
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
    fn series(&self, code: &str) -> u128 {
        // `Others` of Family disputes is not the type `Others`.
        key_hash(&[
            code.as_bytes(),
            self.category.as_deref().unwrap_or("").as_bytes(),
            self.part_of.as_deref().unwrap_or("").as_bytes(),
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
        for (column, n) in [("resolved", resolved), ("escalated", escalated)] {
            if let Some(n) = n.filter(|n| *n > received) {
                return Err(Reject::new(
                    Rule::Order,
                    column,
                    Some(&n.to_string()),
                    format!(
                        "since month {} the year-to-date figures add {n} {column} but {received} received: {column} is more than received",
                        at.2
                    ),
                ));
            }
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
    fn series(&self, code: &str) -> u128 {
        key_hash(&[
            code.as_bytes(),
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

    /// The flows' periods.
    fn periods(d: &Differenced<DisputeRow>) -> Vec<String> {
        d.flows.iter().map(|(r, _)| r.period.canonical()).collect()
    }

    /// The flows' periods and received.
    fn received(d: &Differenced<DisputeRow>) -> Vec<(String, i64)> {
        d.flows
            .iter()
            .map(|(r, _)| (r.period.canonical(), r.received))
            .collect()
    }

    fn run(points: Vec<(DisputeRow, Origin)>) -> Differenced<DisputeRow> {
        let mut y = Ytd::new();
        for (r, o) in points {
            let code = r.code.clone();
            y.push(r, o, &code);
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
    /// negative flow; the flows kept cover the most months they can.
    #[test]
    fn a_gap_names_the_missing_month_and_a_fall_is_refused() {
        let d = run(vec![
            point(1, 10, 10, 1),
            point(2, 20, 20, 2),
            point(4, 40, 40, 3),
            point(5, 35, 35, 4),
            point(6, 60, 60, 5),
        ]);
        let flows = received(&d);
        // Without March, January and February cannot lead to June: the
        // first half is kept whole.
        assert_eq!(flows, [("2023-H1".to_string(), 60)]);
        let why: Vec<(u64, Rule, &str)> = d
            .refused
            .iter()
            .map(|(o, r)| (o.row(), r.rule, r.message.as_str()))
            .collect();
        // In the order of their rows.
        assert_eq!(why.len(), 4, "{why:?}");
        assert_eq!((why[0].0, why[0].1), (1, Rule::Parse));
        assert!(
            why[0].2.contains("would leave other months"),
            "{}",
            why[0].2
        );
        assert_eq!((why[2].0, why[2].1), (3, Rule::Parse));
        assert!(
            why[2].2.contains("months 1–4 are not")
                && why[2]
                    .2
                    .contains("no figure through month 3 (2023年1-3月累计)"),
            "{}",
            why[2].2
        );
        assert_eq!((why[3].0, why[3].1), (4, Rule::Range));
        assert!(
            why[3].2.contains("is 35, less than 40 through month 4"),
            "{}",
            why[3].2
        );
    }

    /// A stray figure between quarter ends costs nothing (3, 4, 6, 9, 12:
    /// the four quarters, April refused); a flow breaking a rule is not kept.
    #[test]
    fn a_stray_figure_between_quarters_is_left_out() {
        let d = run(vec![
            point(3, 30, 30, 1),
            point(4, 35, 35, 2),
            point(6, 60, 60, 3),
            point(9, 90, 90, 4),
            point(12, 120, 120, 5),
        ]);
        let flows = periods(&d);
        assert_eq!(flows, ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]);
        assert_eq!(d.refused.len(), 1);
        assert!(d.refused[0].1.message.contains("through month 3, 6, 9, 12"));
        // Escalated above received between two figures is E_ORDER.
        let (mut a, oa) = point(6, 10, 5, 1);
        let (mut b, ob) = point(12, 11, 6, 2);
        a.escalated = Some(2);
        b.escalated = Some(5);
        let d = run(vec![(a, oa), (b, ob)]);
        let flows = periods(&d);
        assert_eq!(flows, ["2023"]);
        assert_eq!(d.refused[0].1.rule, Rule::Order);
        assert!(d.refused[0]
            .1
            .message
            .contains("add 3 escalated but 1 received"));
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
        let flows = received(&d);
        assert_eq!(flows, [("2023-Q1".to_string(), 30), ("2023-Q2".into(), 30)]);
        assert_eq!(d.refused.len(), 1);
        let d = run(vec![
            point(1, 10, 10, 1),
            point(2, 20, 20, 2),
            point(4, 40, 40, 3),
            point(5, 50, 50, 4),
        ]);
        let flows = periods(&d);
        assert_eq!(flows, ["2023-01", "2023-02", "2023-05"]);
    }

    /// A fall is seen past a figure that lacks the count; a figure a chain
    /// could end at but the chosen one leaves out says so, not that a
    /// figure is missing.
    #[test]
    fn a_fall_past_a_blank_and_a_figure_left_out() {
        let (a, oa) = point(3, 30, 30, 1);
        let (mut b, ob) = point(4, 35, 0, 2);
        b.resolved = None;
        let (c, oc) = point(6, 60, 20, 3);
        let d = run(vec![(a, oa), (b, ob), (c, oc)]);
        let refused: Vec<(u64, Rule)> = d.refused.iter().map(|(o, r)| (o.row(), r.rule)).collect();
        assert!(refused.contains(&(3, Rule::Range)), "{refused:?}");
        let d = run(vec![
            point(4, 40, 40, 1),
            point(5, 50, 50, 2),
            point(6, 60, 60, 3),
        ]);
        let flows = periods(&d);
        assert_eq!(flows, ["2023-H1"]);
        let five = &d
            .refused
            .iter()
            .find(|(o, _)| o.row() == 2)
            .unwrap()
            .1
            .message;
        assert!(
            five.contains("would leave other months") && !five.contains("no figure"),
            "{five}"
        );
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
