//! How much each modelling choice of the index moves the ranks: a
//! variance-based global sensitivity analysis (COINr's `get_sensitivity`,
//! the JRC/OECD Handbook's step 7) and remove-one, pure.
//!
//! Each uncertain choice is a **factor** with its alternatives — the
//! normalisation among a list, the aggregation among a list, the
//! treatment's `winmax` among a range, the weights among `sets` noisy
//! weight sets (each weight × U(1 − p, 1 + p), seeded), imputation off
//! (weights renormalised over the present values) or on (the nominal
//! method, or the indicator's mean when the nominal is none), and no
//! indicator or one indicator left out. A Saltelli design
//! ([`super::sobol`]) of N(d + 2) evaluations picks, for each factor, the
//! alternative floor(u · k). Each evaluation imputes, treats, normalises,
//! weights and aggregates, then ranks the units; its output is the **mean
//! absolute rank shift** against the nominal ranks (COINr's target). The
//! indices are [`super::sobol::indices`] (first order S_i, total ST_i, with
//! bootstrap 5–95% intervals); every evaluation's ranks also give each unit
//! a 5–50–95% rank interval. Evaluations run in parallel and are collected
//! in design order, so results do not depend on the number of threads.
//!
//! **Remove-one**: the mean absolute rank shift when each indicator, and
//! each pillar, is left out of the nominal index.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::imputation::Imputation;
use super::prepare::{prepare, Context};
use super::score::{ranks, score, Aggregation, Input, Normalisation};
use super::sobol::{self, Design, Indices};

/// One uncertain choice and its alternatives.
#[derive(Debug, Clone, PartialEq)]
pub enum Factor {
    Normalisation(Vec<Normalisation>),
    Aggregation(Vec<Aggregation>),
    /// Treatment's winsorising steps (0: no treatment).
    Winmax(Vec<usize>),
    /// `sets` weight sets, each weight × U(1 − noise, 1 + noise).
    Weights {
        noise: f64,
        sets: usize,
    },
    /// Imputation off (renormalised weights) or on (the nominal method;
    /// the indicator's mean when the nominal is none).
    Imputation,
    /// No indicator, or one of them, left out.
    DropIndicator,
}

impl Factor {
    pub fn name(&self) -> &'static str {
        match self {
            Factor::Normalisation(_) => "normalisation",
            Factor::Aggregation(_) => "aggregation",
            Factor::Winmax(_) => "winmax",
            Factor::Weights { .. } => "weights",
            Factor::Imputation => "imputation",
            Factor::DropIndicator => "drop_indicator",
        }
    }

    fn alternatives(&self, indicators: usize) -> usize {
        match self {
            Factor::Normalisation(v) => v.len(),
            Factor::Aggregation(v) => v.len(),
            Factor::Winmax(v) => v.len(),
            Factor::Weights { sets, .. } => *sets,
            Factor::Imputation => 2,
            Factor::DropIndicator => indicators + 1,
        }
    }
}

/// The nominal index: what the shifts are measured against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nominal {
    pub normalisation: Normalisation,
    pub aggregation: Aggregation,
    pub winmax: usize,
    pub imputation: Imputation,
}

impl Nominal {
    /// The method imputation "on" means.
    fn imputation_on(self) -> Imputation {
        match self.imputation {
            Imputation::None => Imputation::Mean,
            m => m,
        }
    }

    fn imputation_of(self, on: bool) -> Imputation {
        if on {
            self.imputation_on()
        } else {
            Imputation::None
        }
    }
}

/// What the analysis found.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// Per factor: its name and indices.
    pub indices: Vec<(&'static str, Indices)>,
    /// Per unit: the 5%, 50% and 95% of its ranks over every evaluation.
    pub rank_intervals: Vec<Option<(f64, f64, f64)>>,
    pub evaluations: usize,
    /// The outputs' mean (the mean absolute rank shift over evaluations).
    pub mean_shift: f64,
}

/// One evaluation's choices (None: the nominal choice).
#[derive(Debug, Clone, Default)]
struct Choice {
    norm: Option<Normalisation>,
    agg: Option<Aggregation>,
    winmax: Option<usize>,
    weights: Option<usize>,
    impute: Option<bool>,
    drop: Option<Option<usize>>,
}

/// Mean absolute rank shift of `r` against `nominal` over the units ranked
/// in both.
fn shift(r: &[Option<usize>], nominal: &[Option<usize>]) -> f64 {
    let d: Vec<f64> = r
        .iter()
        .zip(nominal)
        .filter_map(|(a, b)| Some(((*a)? as f64 - (*b)? as f64).abs()))
        .collect();
    if d.is_empty() {
        0.0
    } else {
        d.iter().sum::<f64>() / d.len() as f64
    }
}

/// Ranks of the index under `c`.
fn evaluate(
    input: &Input,
    nominal: Nominal,
    weight_sets: &[Vec<f64>],
    prepared_for: &dyn Fn(usize, bool) -> std::sync::Arc<Input>,
    c: &Choice,
) -> Vec<Option<usize>> {
    let data = prepared_for(
        c.winmax.unwrap_or(nominal.winmax),
        c.impute.unwrap_or(nominal.imputation != Imputation::None),
    );
    let mut w: Vec<f64> = match c.weights {
        Some(s) => weight_sets[s].clone(),
        None => input.indicators.iter().map(|i| i.weight).collect(),
    };
    if let Some(Some(j)) = c.drop {
        w[j] = 0.0;
    }
    let s = score(
        &data,
        c.norm.unwrap_or(nominal.normalisation),
        c.agg.unwrap_or(nominal.aggregation),
        Some(&w),
        None,
    );
    ranks(&s.index)
}

/// Runs the analysis: `n` the design's base sample (N), `boot` bootstrap
/// resamples of the indices.
pub fn analyse(
    input: &Input,
    ctx: &Context,
    nominal: Nominal,
    factors: &[Factor],
    n: usize,
    boot: usize,
    seed: u64,
) -> Result<Sensitivity, String> {
    let k = input.indicators.len();
    if factors.is_empty() {
        return Err("name at least one uncertain choice".into());
    }
    for f in factors {
        if f.alternatives(k) < 2 {
            return Err(format!(
                "factor {} has fewer than two alternatives",
                f.name()
            ));
        }
    }
    if n < 16 {
        return Err(format!(
            "N = {n}: at least 16 for the bootstrap of the indices"
        ));
    }
    let d = factors.len();
    let design = Design::new(n, d, (seed & 0xffff_ffff) as u32)?;
    // Noisy weight sets, seeded.
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5747);
    let weight_sets: Vec<Vec<f64>> = factors
        .iter()
        .find_map(|f| match f {
            Factor::Weights { noise, sets } => Some((*noise, *sets)),
            _ => None,
        })
        .map(|(noise, sets)| {
            (0..sets)
                .map(|_| {
                    input
                        .indicators
                        .iter()
                        .map(|i| i.weight * (1.0 + rng.random_range(-noise..=noise)))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    // Treated and imputed inputs, made once per (winmax, imputation).
    let winmaxes: Vec<usize> = factors
        .iter()
        .find_map(|f| match f {
            Factor::Winmax(v) => Some(v.clone()),
            _ => None,
        })
        .unwrap_or_default()
        .into_iter()
        .chain(std::iter::once(nominal.winmax))
        .collect();
    let cache: Vec<((usize, bool), std::sync::Arc<Input>)> = winmaxes
        .iter()
        .flat_map(|&w| [(w, false), (w, true)])
        .collect::<std::collections::BTreeSet<_>>()
        .into_par_iter()
        .map(|(w, imp)| {
            let p = prepare(input, w, nominal.imputation_of(imp), ctx)?;
            Ok(((w, imp), std::sync::Arc::new(p.input)))
        })
        .collect::<Result<_, String>>()?;
    let prepared_for = |w: usize, imp: bool| -> std::sync::Arc<Input> {
        cache
            .iter()
            .find(|(key, _)| *key == (w, imp))
            .map(|(_, v)| v.clone())
            .expect("prepared")
    };
    let choice = |row: &[f64]| -> Choice {
        let mut c = Choice::default();
        for (f, u) in factors.iter().zip(row) {
            let pick = ((u * f.alternatives(k) as f64) as usize).min(f.alternatives(k) - 1);
            match f {
                Factor::Normalisation(v) => c.norm = Some(v[pick]),
                Factor::Aggregation(v) => c.agg = Some(v[pick]),
                Factor::Winmax(v) => c.winmax = Some(v[pick]),
                Factor::Weights { .. } => c.weights = Some(pick),
                Factor::Imputation => c.impute = Some(pick == 1),
                Factor::DropIndicator => c.drop = Some(pick.checked_sub(1)),
            }
        }
        c
    };
    let nominal_ranks = evaluate(
        input,
        nominal,
        &weight_sets,
        &prepared_for,
        &Choice::default(),
    );
    // Every row of A, B and each A_B^i, in design order.
    let mut rows: Vec<Vec<f64>> = design.a.clone();
    rows.extend(design.b.iter().cloned());
    for i in 0..d {
        rows.extend(design.ab(i));
    }
    let ranked: Vec<Vec<Option<usize>>> = rows
        .par_iter()
        .map(|r| evaluate(input, nominal, &weight_sets, &prepared_for, &choice(r)))
        .collect();
    let y: Vec<f64> = ranked.iter().map(|r| shift(r, &nominal_ranks)).collect();
    let (fa, rest) = y.split_at(n);
    let (fb, rest) = rest.split_at(n);
    let fab: Vec<Vec<f64>> = rest.chunks(n).map(<[f64]>::to_vec).collect();
    let indices = sobol::indices(fa, fb, &fab, boot, seed);
    let units = input.units.len();
    let rank_intervals = (0..units)
        .map(|u| {
            let mut v: Vec<f64> = ranked
                .iter()
                .filter_map(|r| r[u])
                .map(|r| r as f64)
                .collect();
            if v.is_empty() {
                return None;
            }
            v.sort_by(f64::total_cmp);
            let q = |p| crate::methods::stats::quantile_sorted(&v, p);
            Some((q(0.05), q(0.5), q(0.95)))
        })
        .collect();
    Ok(Sensitivity {
        indices: factors.iter().map(|f| f.name()).zip(indices).collect(),
        rank_intervals,
        evaluations: rows.len(),
        mean_shift: y.iter().sum::<f64>() / y.len() as f64,
    })
}

/// Remove-one: (name, mean absolute rank shift) per indicator, then per
/// pillar, each left out of the nominal index. `data` is the input as the
/// nominal index scores it (imputed and treated: [`prepare`]'s output).
pub fn remove_one(input: &Input, nominal: Nominal) -> Vec<(String, f64)> {
    let w: Vec<f64> = input.indicators.iter().map(|i| i.weight).collect();
    let ranked = |w: &[f64]| {
        ranks(
            &score(
                input,
                nominal.normalisation,
                nominal.aggregation,
                Some(w),
                None,
            )
            .index,
        )
    };
    let base = ranked(&w);
    let without = |drop: &dyn Fn(usize) -> bool| -> f64 {
        let w: Vec<f64> = (0..w.len())
            .map(|j| if drop(j) { 0.0 } else { w[j] })
            .collect();
        shift(&ranked(&w), &base)
    };
    let mut out: Vec<(String, f64)> = input
        .indicators
        .iter()
        .enumerate()
        .map(|(j, i)| (i.name.clone(), without(&|q| q == j)))
        .collect();
    for p in input.pillars() {
        let members = |q: usize| input.indicators[q].pillar == p;
        out.push((format!("pillar:{p}"), without(&members)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::index::score::Indicator;

    fn input() -> Input {
        // 30 units; indicator a and b disagree, so the normalisation and the
        // weights move the ranks; c is the same for everyone but one.
        let units: Vec<String> = (0..30).map(|i| format!("u{i}")).collect();
        let values = (0..30)
            .map(|i| {
                let x = i as f64;
                vec![
                    Some(x.powi(3)),
                    Some(((x * 7.0) % 30.0).sqrt()),
                    Some(if i == 3 { 2.0 } else { 1.0 }),
                ]
            })
            .collect();
        let ind = |n: &str, p: &str| Indicator {
            name: n.into(),
            pillar: p.into(),
            direction: 1.0,
            weight: 1.0,
        };
        Input {
            units,
            indicators: vec![ind("a", "p"), ind("b", "p"), ind("c", "q")],
            pillar_weights: vec![],
            values,
        }
    }

    const NOMINAL: Nominal = Nominal {
        normalisation: Normalisation::MinMax,
        aggregation: Aggregation::Arithmetic,
        winmax: 0,
        imputation: Imputation::None,
    };

    #[test]
    fn a_choice_that_cannot_move_the_ranks_has_no_index() {
        // Weights perturbed by one part in a million cannot reorder units;
        // the normalisation does: all of the variance is its.
        let f = [
            Factor::Weights {
                noise: 1e-6,
                sets: 20,
            },
            Factor::Normalisation(vec![Normalisation::MinMax, Normalisation::Rank]),
        ];
        let s = analyse(&input(), &Context::default(), NOMINAL, &f, 256, 50, 3).unwrap();
        let (w, n) = (&s.indices[0].1, &s.indices[1].1);
        assert!(w.st.abs() < 0.02 && w.s1.abs() < 0.02, "{w:?}");
        assert!(
            (n.st - 1.0).abs() < 0.05 && (n.s1 - 1.0).abs() < 0.1,
            "{n:?}"
        );
        assert_eq!(s.evaluations, 256 * 4);
        let (lo, mid, hi) = s.rank_intervals[29].unwrap();
        assert!(lo <= mid && mid <= hi);
    }

    #[test]
    fn results_do_not_depend_on_the_threads() {
        let f = [
            Factor::Weights {
                noise: 0.5,
                sets: 20,
            },
            Factor::Aggregation(vec![Aggregation::Arithmetic, Aggregation::Geometric]),
            Factor::DropIndicator,
        ];
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| analyse(&input(), &Context::default(), NOMINAL, &f, 64, 20, 9).unwrap())
        };
        assert_eq!(run(1), run(3));
    }

    #[test]
    fn remove_one_leaves_each_indicator_and_pillar_out() {
        let r = remove_one(&input(), NOMINAL);
        let names: Vec<&str> = r.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "pillar:p", "pillar:q"]);
        assert!(r[0].1 > 0.0 && r[1].1 > 0.0, "{r:?}");
    }

    #[test]
    fn a_factor_with_one_alternative_is_refused() {
        let f = [Factor::Normalisation(vec![Normalisation::MinMax])];
        assert!(
            analyse(&input(), &Context::default(), NOMINAL, &f, 64, 20, 1)
                .unwrap_err()
                .contains("fewer than two alternatives")
        );
    }
}
