//! The effect of adopting a model (contract §6): staggered
//! difference-in-differences after Callaway & Sant'Anna (2021), never-treated
//! units as controls, a "varying" base period, no covariates — what R's `did`
//! computes with `att_gt(..., control_group = "nevertreated")` and
//! `aggte(type = "simple" | "group" | "dynamic")`.
//!
//! Standard errors come from a multiplier bootstrap with Rademacher weights on
//! unit-level influence functions (clustered by unit), including the
//! influence of the estimated aggregation weights, as `did` does. Draws are
//! seeded per draw index, so results do not depend on the number of threads.
//! Checked against `did` on `mpdta` (`tests/did_reference.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use super::stats::quantile_sorted;

/// One unit's outcome in one year. `cohort` is the adoption year, `None` for
/// a never-treated unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Obs {
    pub unit: String,
    pub year: i32,
    pub cohort: Option<i32>,
    pub y: f64,
}

/// An estimate with its bootstrap standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub att: f64,
    pub se: f64,
}

/// ATT(g, t) with the units it used.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub cohort: i32,
    pub year: i32,
    pub base: i32,
    pub estimate: Estimate,
    pub n_treated: usize,
    pub n_control: usize,
}

/// A cohort that could not be estimated, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub cohort: i32,
    pub reason: String,
}

/// The joint Wald test that every pre-adoption ATT(g, t) is zero.
#[derive(Debug, Clone, PartialEq)]
pub struct PreTrend {
    pub wald: f64,
    pub df: usize,
    pub p: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Did {
    pub cells: Vec<Cell>,
    pub simple: Estimate,
    /// θ(g) per cohort, then the overall cohort-weighted average.
    pub group: Vec<(i32, Estimate)>,
    pub group_overall: Estimate,
    /// θ(e) per event time, then the average over e ≥ 0.
    pub event: Vec<(i32, Estimate)>,
    pub event_overall: Estimate,
    pub pretrend: Option<PreTrend>,
    pub n_units: usize,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DidError {
    #[error("no never-treated units (model none): there is no comparison group")]
    NoControls,
    #[error("no adopting cohort can be estimated ({0})")]
    NoCells(String),
}

/// An estimate's point value and its influence function over units.
struct Inf {
    att: f64,
    psi: Vec<f64>,
}

/// The influence of estimating aggregation weights P(G = g) (did's `wif`).
fn weight_influence(keep_g: &[i32], pg: &[f64], unit_g: &[Option<i32>], att: &[f64]) -> Vec<f64> {
    let s: f64 = pg.iter().sum();
    let n = unit_g.len();
    let mut out = vec![0.0; n];
    for (i, gi) in unit_g.iter().enumerate() {
        let ind = |g: i32| if *gi == Some(g) { 1.0 } else { 0.0 };
        let total: f64 = keep_g.iter().zip(pg).map(|(g, p)| ind(*g) - p).sum();
        let mut v = 0.0;
        for ((g, p), a) in keep_g.iter().zip(pg).zip(att) {
            let if1 = (ind(*g) - p) / s;
            let if2 = total * p / (s * s);
            v += (if1 - if2) * a;
        }
        out[i] = v;
    }
    out
}

/// Σ w_k ψ_k + weight influence: an aggregate over `parts` with weights ∝ pg.
fn aggregate(parts: &[&Inf], keep_g: &[i32], pg: &[f64], unit_g: &[Option<i32>]) -> Inf {
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

/// Units per block of the multiplier bootstrap: a block of influence values
/// (units × estimates) stays in cache while every draw passes over it.
const BLOCK: usize = 2048;

/// Bootstrap standard errors of many estimates with shared Rademacher draws:
/// the robust (IQR-based) scale of (1/n) Σ v_i ψ_i, as `did` reports.
///
/// The sums are a (draws × n) by (n × estimates) product. Done draw by draw
/// it streamed every ψ from memory once a draw (half a terabyte at national
/// scale); here units go in blocks, transposed so that a unit's estimates are
/// contiguous, and every draw runs over a block while it is in cache. Draw
/// `b`'s signs are the bits of ChaCha stream `b + 1` of `seed`, 64 units a
/// word, read at the block's offset: the same whatever the threads.
fn bootstrap_se(infs: &[&Inf], n: usize, draws: usize, seed: u64) -> Vec<f64> {
    let k = infs.len();
    let bar = crate::progress::bar(
        n.div_ceil(BLOCK) as u64,
        crate::progress::Unit::Steps,
        format!("DiD bootstrap ({n} units, {draws} draws)"),
    );
    let mut stars = vec![0.0f64; draws * k];
    let mut block = vec![0.0f64; BLOCK * k];
    for start in (0..n).step_by(BLOCK) {
        let len = BLOCK.min(n - start);
        for i in 0..len {
            for (j, inf) in infs.iter().enumerate() {
                block[i * k + j] = inf.psi[start + i];
            }
        }
        let block = &block[..len * k];
        stars
            .par_chunks_mut(k.max(1))
            .enumerate()
            .for_each(|(b, acc)| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(b as u64 + 1);
                // Two 32-bit words per 64 units; BLOCK is a multiple of 64.
                rng.set_word_pos((start / 64 * 2) as u128);
                let mut bits = 0u64;
                for (i, row) in block.chunks_exact(k).enumerate() {
                    if i % 64 == 0 {
                        bits = rng.next_u64();
                    }
                    let sign = if bits >> (i % 64) & 1 == 1 { 1.0 } else { -1.0 };
                    for (a, p) in acc.iter_mut().zip(row) {
                        *a += sign * p;
                    }
                }
            });
        bar.inc(1);
    }
    bar.finish_and_clear();
    let normal = Normal::new(0.0, 1.0).expect("standard normal");
    let scale = normal.inverse_cdf(0.75) - normal.inverse_cdf(0.25);
    (0..k)
        .map(|j| {
            let mut col: Vec<f64> = (0..draws).map(|b| stars[b * k + j] / n as f64).collect();
            col.sort_by(f64::total_cmp);
            (quantile_sorted(&col, 0.75) - quantile_sorted(&col, 0.25)) / scale
        })
        .collect()
}

/// Solves `a x = b` for a small symmetric positive definite `a` (Cholesky).
fn solve_spd(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let m = b.len();
    let mut l = vec![vec![0.0; m]; m];
    for i in 0..m {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d <= 1e-14 * a[i][i].abs().max(1e-300) {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    let mut y = vec![0.0; m];
    for i in 0..m {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; m];
    for i in (0..m).rev() {
        x[i] = (y[i] - (i + 1..m).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    Some(x)
}

/// Estimates every ATT(g, t) and the three aggregations.
pub fn estimate(obs: &[Obs], draws: usize, seed: u64) -> Result<Did, DidError> {
    // Units in sorted order, with their cohort and outcomes by year.
    let mut units: BTreeMap<&str, (Option<i32>, HashMap<i32, f64>)> = BTreeMap::new();
    let mut years: BTreeSet<i32> = BTreeSet::new();
    for o in obs {
        let e = units
            .entry(o.unit.as_str())
            .or_insert((o.cohort, HashMap::new()));
        e.1.insert(o.year, o.y);
        years.insert(o.year);
    }
    let n = units.len();
    let unit_g: Vec<Option<i32>> = units.values().map(|u| u.0).collect();
    let ys: Vec<&HashMap<i32, f64>> = units.values().map(|u| &u.1).collect();
    if !unit_g.iter().any(Option::is_none) {
        return Err(DidError::NoControls);
    }
    let mut cohort_size: BTreeMap<i32, usize> = BTreeMap::new();
    for g in unit_g.iter().flatten() {
        *cohort_size.entry(*g).or_default() += 1;
    }
    let first_year = *years.first().expect("obs not empty");
    let last_year = *years.last().expect("obs not empty");
    let mut skipped = Vec::new();
    let mut cells: Vec<(i32, i32, i32, Inf, usize, usize)> = Vec::new();
    for &g in cohort_size.keys() {
        if g <= first_year {
            skipped.push(Skipped {
                cohort: g,
                reason: format!("adopted in {g}, not after the first observed year {first_year}: no pre-adoption period"),
            });
            continue;
        }
        if g > last_year {
            skipped.push(Skipped {
                cohort: g,
                reason: format!("adopted in {g}, after the last observed year {last_year}"),
            });
            continue;
        }
        let before = cells.len();
        for &t in years.iter().skip(1) {
            let b = if t >= g { g - 1 } else { t - 1 };
            if !years.contains(&b) {
                continue;
            }
            let delta = |i: usize| -> Option<f64> { Some(ys[i].get(&t)? - ys[i].get(&b)?) };
            let treated: Vec<(usize, f64)> = (0..n)
                .filter(|&i| unit_g[i] == Some(g))
                .filter_map(|i| delta(i).map(|d| (i, d)))
                .collect();
            let control: Vec<(usize, f64)> = (0..n)
                .filter(|&i| unit_g[i].is_none())
                .filter_map(|i| delta(i).map(|d| (i, d)))
                .collect();
            if treated.is_empty() || control.is_empty() {
                continue;
            }
            let (nt, nc) = (treated.len() as f64, control.len() as f64);
            let mt = treated.iter().map(|x| x.1).sum::<f64>() / nt;
            let mc = control.iter().map(|x| x.1).sum::<f64>() / nc;
            let mut psi = vec![0.0; n];
            for &(i, d) in &treated {
                psi[i] = n as f64 / nt * (d - mt);
            }
            for &(i, d) in &control {
                psi[i] = -(n as f64) / nc * (d - mc);
            }
            cells.push((
                g,
                t,
                b,
                Inf { att: mt - mc, psi },
                treated.len(),
                control.len(),
            ));
        }
        if cells.len() == before {
            skipped.push(Skipped {
                cohort: g,
                reason: "no year in which both the cohort and never-treated units are observed with their base year".into(),
            });
        }
    }
    if cells.is_empty() {
        let why = skipped
            .iter()
            .map(|s| s.reason.clone())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(DidError::NoCells(if why.is_empty() {
            "no adopting cohort".into()
        } else {
            why
        }));
    }
    let pg_of = |g: i32| cohort_size[&g] as f64 / n as f64;

    // simple: post cells weighted by cohort size.
    let post: Vec<usize> = (0..cells.len())
        .filter(|&k| cells[k].1 >= cells[k].0)
        .collect();
    let pick = |ks: &[usize]| -> (Vec<&Inf>, Vec<i32>, Vec<f64>) {
        (
            ks.iter().map(|&k| &cells[k].3).collect(),
            ks.iter().map(|&k| cells[k].0).collect(),
            ks.iter().map(|&k| pg_of(cells[k].0)).collect(),
        )
    };
    let (parts, gs, pg) = pick(&post);
    let simple = aggregate(&parts, &gs, &pg, &unit_g);

    // group: θ(g) = mean of its post cells; overall weighted by cohort size.
    let cohorts: Vec<i32> = cells
        .iter()
        .map(|c| c.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut group: Vec<(i32, Inf)> = Vec::new();
    for &g in &cohorts {
        let ks: Vec<&Inf> = post
            .iter()
            .filter(|&&k| cells[k].0 == g)
            .map(|&k| &cells[k].3)
            .collect();
        if !ks.is_empty() {
            group.push((g, mean_of(&ks, n)));
        }
    }
    let gparts: Vec<&Inf> = group.iter().map(|(_, i)| i).collect();
    let ggs: Vec<i32> = group.iter().map(|(g, _)| *g).collect();
    let gpg: Vec<f64> = ggs.iter().map(|&g| pg_of(g)).collect();
    let group_overall = aggregate(&gparts, &ggs, &gpg, &unit_g);

    // event study: θ(e) = Σ_g ATT(g, g+e) P(G = g | cell exists).
    let events: BTreeSet<i32> = cells.iter().map(|c| c.1 - c.0).collect();
    let mut event: Vec<(i32, Inf)> = Vec::new();
    for &e in &events {
        let ks: Vec<usize> = (0..cells.len())
            .filter(|&k| cells[k].1 - cells[k].0 == e)
            .collect();
        let (parts, gs, pg) = pick(&ks);
        event.push((e, aggregate(&parts, &gs, &pg, &unit_g)));
    }
    let eparts: Vec<&Inf> = event
        .iter()
        .filter(|(e, _)| *e >= 0)
        .map(|(_, i)| i)
        .collect();
    let event_overall = mean_of(&eparts, n);

    // Standard errors, all from the same draws.
    let mut all: Vec<&Inf> = cells.iter().map(|c| &c.3).collect();
    all.push(&simple);
    all.extend(group.iter().map(|(_, i)| i));
    all.push(&group_overall);
    all.extend(event.iter().map(|(_, i)| i));
    all.push(&event_overall);
    let se = bootstrap_se(&all, n, draws, seed);
    let mut se = se.into_iter();
    let mut est = |inf: &Inf| Estimate {
        att: inf.att,
        se: se.next().expect("one se per estimate"),
    };
    let out_cells: Vec<Cell> = cells
        .iter()
        .map(|c| Cell {
            cohort: c.0,
            year: c.1,
            base: c.2,
            estimate: est(&c.3),
            n_treated: c.4,
            n_control: c.5,
        })
        .collect();
    let simple_e = est(&simple);
    let group_e: Vec<(i32, Estimate)> = group.iter().map(|(g, i)| (*g, est(i))).collect();
    let group_overall_e = est(&group_overall);
    let event_e: Vec<(i32, Estimate)> = event.iter().map(|(e, i)| (*e, est(i))).collect();
    let event_overall_e = est(&event_overall);

    // Pre-trend: Wald test of every pre-adoption cell, analytic covariance.
    let pre: Vec<&Inf> = cells.iter().filter(|c| c.1 < c.0).map(|c| &c.3).collect();
    let pretrend = if pre.is_empty() {
        None
    } else {
        let m = pre.len();
        let nf = n as f64;
        let cov: Vec<Vec<f64>> = (0..m)
            .map(|a| {
                (0..m)
                    .map(|b| {
                        pre[a]
                            .psi
                            .iter()
                            .zip(&pre[b].psi)
                            .map(|(x, y)| x * y)
                            .sum::<f64>()
                            / (nf * nf)
                    })
                    .collect()
            })
            .collect();
        let theta: Vec<f64> = pre.iter().map(|p| p.att).collect();
        solve_spd(&cov, &theta).map(|x| {
            let wald: f64 = x.iter().zip(&theta).map(|(a, b)| a * b).sum();
            PreTrend {
                wald,
                df: m,
                p: ChiSquared::new(m as f64)
                    .map(|c| c.sf(wald))
                    .unwrap_or(f64::NAN),
            }
        })
    };
    Ok(Did {
        cells: out_cells,
        simple: simple_e,
        group: group_e,
        group_overall: group_overall_e,
        event: event_e,
        event_overall: event_overall_e,
        pretrend,
        n_units: n,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two units, two years, hand-computed: ATT = (5 − 1) − (2 − 1) = 3.
    #[test]
    fn two_by_two_by_hand() {
        let o = |u: &str, year, cohort, y| Obs {
            unit: u.into(),
            year,
            cohort,
            y,
        };
        let obs = vec![
            o("a", 2020, Some(2021), 1.0),
            o("a", 2021, Some(2021), 5.0),
            o("b", 2020, None, 1.0),
            o("b", 2021, None, 2.0),
        ];
        let d = estimate(&obs, 99, 1).unwrap();
        assert_eq!(d.cells.len(), 1);
        assert_eq!(d.cells[0].estimate.att, 3.0);
        assert_eq!(d.simple.att, 3.0);
        assert_eq!(d.event, vec![(0, d.event[0].1.clone())]);
    }

    #[test]
    fn without_never_treated_units_there_is_no_comparison() {
        let obs = vec![Obs {
            unit: "a".into(),
            year: 2020,
            cohort: Some(2021),
            y: 1.0,
        }];
        assert_eq!(estimate(&obs, 9, 1), Err(DidError::NoControls));
    }
}
