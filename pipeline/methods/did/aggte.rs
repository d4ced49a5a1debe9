//! Aggregations of ATT(g, t) as R did's `aggte()` computes them, each with
//! its influence function — including the effect of estimating the cohort
//! weights P(G = g) (R's `wif`) where the weights are estimated:
//!
//! - **simple**: Σ P(G=g) ATT(g,t) / Σ P(G=g) over post-adoption cells (t ≥ g).
//! - **group**: θ(g) = the mean of cohort g's post-adoption cells;
//!   overall Σ P(G=g) θ(g) / Σ P(G=g).
//! - **dynamic** (event study): θ(e) = Σ P(G=g) ATT(g, g+e) / Σ P(G=g) over
//!   the cells at event time e (within `min_e`..`max_e`; with `balance_e`,
//!   only cohorts observed `balance_e` periods after adoption); overall the
//!   mean of θ(e) over e ≥ 0.
//! - **calendar**: θ(t) = Σ P(G=g) ATT(g,t) / Σ P(G=g) over post-adoption
//!   cells in year t (years from the first adoption on); overall their mean.

use std::collections::BTreeSet;

use super::inference::Inf;
use super::options::DidOptions;

/// Which aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Simple,
    Group,
    Dynamic,
    Calendar,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Simple => "simple",
            Kind::Group => "group",
            Kind::Dynamic => "dynamic",
            Kind::Calendar => "calendar",
        }
    }
}

/// One estimable ATT(g, t) as the aggregations see it.
pub struct GtCell<'a> {
    pub cohort: i32,
    pub year: i32,
    pub inf: &'a Inf,
}

/// One aggregate: its kind, key (a cohort, event time or year; `None` for
/// the overall value) and influence function.
pub struct Agg {
    pub kind: Kind,
    pub key: Option<i32>,
    pub inf: Inf,
    /// The cohorts whose cells it averages (an event time's; empty for the
    /// other kinds, which the pre-test does not use).
    pub cohorts: Vec<i32>,
}

/// The influence of estimating weights P(G = g) (R's `wif`) on an aggregate
/// of parts with cohorts `keep_g`, weights `pg` and values `att`.
fn weight_influence(keep_g: &[i32], pg: &[f64], unit_g: &[Option<i32>], att: &[f64]) -> Vec<f64> {
    let s: f64 = pg.iter().sum();
    unit_g
        .iter()
        .map(|gi| {
            let ind = |g: i32| if *gi == Some(g) { 1.0 } else { 0.0 };
            let total: f64 = keep_g.iter().zip(pg).map(|(g, p)| ind(*g) - p).sum();
            keep_g
                .iter()
                .zip(pg)
                .zip(att)
                .map(|((g, p), a)| ((ind(*g) - p) / s - total * p / (s * s)) * a)
                .sum()
        })
        .collect()
}

/// Σ w_k ψ_k + weight influence: an aggregate over `parts` with weights ∝ pg.
fn weighted(parts: &[&Inf], keep_g: &[i32], pg: &[f64], unit_g: &[Option<i32>]) -> Inf {
    let s: f64 = pg.iter().sum();
    let n = unit_g.len();
    let att: f64 = parts.iter().zip(pg).map(|(p, w)| p.att * w / s).sum();
    let mut psi = vec![0.0; n];
    for (p, w) in parts.iter().zip(pg) {
        for (o, x) in psi.iter_mut().zip(&p.psi) {
            *o += w / s * x;
        }
    }
    let atts: Vec<f64> = parts.iter().map(|p| p.att).collect();
    for (o, x) in psi
        .iter_mut()
        .zip(weight_influence(keep_g, pg, unit_g, &atts))
    {
        *o += x;
    }
    Inf { att, psi }
}

/// An equally weighted mean of estimates (fixed weights: no weight influence).
fn mean_of(parts: &[&Inf], n: usize) -> Inf {
    let k = parts.len() as f64;
    let mut psi = vec![0.0; n];
    for p in parts {
        for (o, x) in psi.iter_mut().zip(&p.psi) {
            *o += x / k;
        }
    }
    Inf {
        att: parts.iter().map(|p| p.att).sum::<f64>() / k,
        psi,
    }
}

/// Every aggregation of `cells`; `unit_g` is each unit's cohort (None:
/// never treated), `years` the panel's years.
pub fn aggregate(
    cells: &[GtCell],
    unit_g: &[Option<i32>],
    years: &[i32],
    opts: &DidOptions,
) -> Vec<Agg> {
    let n = unit_g.len();
    let pg_of = |g: i32| unit_g.iter().filter(|u| **u == Some(g)).count() as f64 / n as f64;
    let pick = |ks: &[usize]| -> (Vec<&Inf>, Vec<i32>, Vec<f64>) {
        (
            ks.iter().map(|&k| cells[k].inf).collect(),
            ks.iter().map(|&k| cells[k].cohort).collect(),
            ks.iter().map(|&k| pg_of(cells[k].cohort)).collect(),
        )
    };
    let mut out = Vec::new();
    let post: Vec<usize> = (0..cells.len())
        .filter(|&k| cells[k].year >= cells[k].cohort)
        .collect();
    if post.is_empty() {
        return out;
    }
    // simple
    let (parts, gs, pg) = pick(&post);
    out.push(Agg {
        kind: Kind::Simple,
        key: None,
        inf: weighted(&parts, &gs, &pg, unit_g),
        cohorts: Vec::new(),
    });

    // group
    let cohorts: BTreeSet<i32> = post.iter().map(|&k| cells[k].cohort).collect();
    let mut group: Vec<(i32, Inf)> = Vec::new();
    for &g in &cohorts {
        let ks: Vec<&Inf> = post
            .iter()
            .filter(|&&k| cells[k].cohort == g)
            .filter(|&&k| opts.max_e.is_none_or(|m| cells[k].year - g <= m))
            .map(|&k| cells[k].inf)
            .collect();
        if !ks.is_empty() {
            group.push((g, mean_of(&ks, n)));
        }
    }
    let gparts: Vec<&Inf> = group.iter().map(|(_, i)| i).collect();
    let ggs: Vec<i32> = group.iter().map(|(g, _)| *g).collect();
    let gpg: Vec<f64> = ggs.iter().map(|&g| pg_of(g)).collect();
    let overall = weighted(&gparts, &ggs, &gpg, unit_g);
    out.extend(group.into_iter().map(|(g, inf)| Agg {
        kind: Kind::Group,
        key: Some(g),
        inf,
        cohorts: Vec::new(),
    }));
    out.push(Agg {
        kind: Kind::Group,
        key: None,
        inf: overall,
        cohorts: Vec::new(),
    });

    // dynamic
    let (first, last) = (years[0], years[years.len() - 1]);
    let included = |k: usize| opts.balance_e.is_none_or(|b| last - cells[k].cohort >= b);
    let mut events: BTreeSet<i32> = cells.iter().map(|c| c.year - c.cohort).collect();
    if let Some(b) = opts.balance_e {
        events.retain(|e| *e <= b && *e >= b - (last - first));
    }
    events.retain(|e| opts.min_e.is_none_or(|m| *e >= m) && opts.max_e.is_none_or(|m| *e <= m));
    let mut event: Vec<(i32, Inf, Vec<i32>)> = Vec::new();
    for &e in &events {
        let ks: Vec<usize> = (0..cells.len())
            .filter(|&k| cells[k].year - cells[k].cohort == e && included(k))
            .collect();
        if ks.is_empty() {
            continue;
        }
        let (parts, gs, pg) = pick(&ks);
        event.push((e, weighted(&parts, &gs, &pg, unit_g), gs));
    }
    let epos: Vec<&Inf> = event
        .iter()
        .filter(|(e, _, _)| *e >= 0)
        .map(|(_, i, _)| i)
        .collect();
    let event_overall = (!epos.is_empty()).then(|| mean_of(&epos, n));
    out.extend(event.into_iter().map(|(e, inf, cohorts)| Agg {
        kind: Kind::Dynamic,
        key: Some(e),
        inf,
        cohorts,
    }));
    if let Some(inf) = event_overall {
        out.push(Agg {
            kind: Kind::Dynamic,
            key: None,
            inf,
            cohorts: Vec::new(),
        });
    }

    // calendar
    let min_g = *cohorts.first().expect("post cells");
    let mut calendar: Vec<(i32, Inf)> = Vec::new();
    for &t in years.iter().filter(|t| **t >= min_g) {
        let ks: Vec<usize> = post
            .iter()
            .copied()
            .filter(|&k| cells[k].year == t)
            .collect();
        if ks.is_empty() {
            continue;
        }
        let (parts, gs, pg) = pick(&ks);
        calendar.push((t, weighted(&parts, &gs, &pg, unit_g)));
    }
    let cparts: Vec<&Inf> = calendar.iter().map(|(_, i)| i).collect();
    let calendar_overall = (!cparts.is_empty()).then(|| mean_of(&cparts, n));
    out.extend(calendar.into_iter().map(|(t, inf)| Agg {
        kind: Kind::Calendar,
        key: Some(t),
        inf,
        cohorts: Vec::new(),
    }));
    if let Some(inf) = calendar_overall {
        out.push(Agg {
            kind: Kind::Calendar,
            key: None,
            inf,
            cohorts: Vec::new(),
        });
    }
    out
}
