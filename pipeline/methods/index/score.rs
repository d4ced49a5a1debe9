//! The governance effectiveness index (contract §5): indicators normalised
//! over the units of a period, weighted into pillars and the pillars into
//! one score; and a seeded Monte Carlo over weights, normalisation and
//! aggregation that gives each unit a median rank and a 5–95% rank interval.
//!
//! The arithmetic min-max and geometric 1..100 variants reproduce COINr
//! 1.1.14 on its ASEM example (`tests/index_reference.rs`).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::methods::stats::quantile_sorted;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalisation {
    /// (x − min) / (max − min) onto [lo, hi]; 0..100 by default.
    MinMax,
    /// (x − mean) / sd.
    ZScore,
    /// Percentile rank: (rank − 1) / (n − 1) × 100, ties averaged.
    Rank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Arithmetic,
    /// Weighted geometric mean of values rescaled to 1..100, so a zero does
    /// not collapse a score.
    Geometric,
}

/// One indicator: its pillar, direction (+1 / −1) and weight inside the pillar.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub name: String,
    pub pillar: String,
    pub direction: f64,
    pub weight: f64,
}

/// The index's inputs: `values[unit][indicator]`, `None` where missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub units: Vec<String>,
    pub indicators: Vec<Indicator>,
    /// Pillar name → weight; pillars not listed weigh 1.
    pub pillar_weights: Vec<(String, f64)>,
    pub values: Vec<Vec<Option<f64>>>,
}

impl Input {
    pub fn pillars(&self) -> Vec<String> {
        let mut p: Vec<String> = Vec::new();
        for i in &self.indicators {
            if !p.contains(&i.pillar) {
                p.push(i.pillar.clone());
            }
        }
        p
    }

    fn pillar_weight(&self, pillar: &str) -> f64 {
        self.pillar_weights
            .iter()
            .find(|(p, _)| p == pillar)
            .map(|(_, w)| *w)
            .unwrap_or(1.0)
    }
}

/// Scores of every unit: pillars in `Input::pillars` order, then the index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scores {
    pub pillars: Vec<Vec<Option<f64>>>,
    pub index: Vec<Option<f64>>,
}

fn rescale(v: &[Option<f64>], lo: f64, hi: f64) -> Vec<Option<f64>> {
    let present: Vec<f64> = v.iter().flatten().copied().collect();
    let (min, max) = present
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
    v.iter()
        .map(|x| {
            x.map(|x| {
                if max > min {
                    lo + (x - min) / (max - min) * (hi - lo)
                } else {
                    (lo + hi) / 2.0
                }
            })
        })
        .collect()
}

/// Normalises one indicator's column (direction already applied).
pub fn normalise(v: &[Option<f64>], method: Normalisation, lo: f64, hi: f64) -> Vec<Option<f64>> {
    match method {
        Normalisation::MinMax => rescale(v, lo, hi),
        Normalisation::ZScore => {
            let p: Vec<f64> = v.iter().flatten().copied().collect();
            let n = p.len() as f64;
            let mean = p.iter().sum::<f64>() / n;
            let sd = (p.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            v.iter()
                .map(|x| x.map(|x| if sd > 0.0 { (x - mean) / sd } else { 0.0 }))
                .collect()
        }
        Normalisation::Rank => {
            let mut idx: Vec<(usize, f64)> = v
                .iter()
                .enumerate()
                .filter_map(|(i, x)| x.map(|x| (i, x)))
                .collect();
            // Position breaks ties: a stable sort's order, sorted unstably.
            idx.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let n = idx.len();
            let mut out = vec![None; v.len()];
            let mut i = 0;
            while i < n {
                let mut j = i;
                while j + 1 < n && idx[j + 1].1 == idx[i].1 {
                    j += 1;
                }
                let rank = (i + j) as f64 / 2.0; // 0-based average rank
                for item in &idx[i..=j] {
                    out[item.0] = Some(if n > 1 {
                        rank / (n - 1) as f64 * 100.0
                    } else {
                        50.0
                    });
                }
                i = j + 1;
            }
            out
        }
    }
}

/// Weighted mean of the present values, weights renormalised over them.
///
/// One pass with no allocation: the Monte Carlo calls this for every unit,
/// pillar and draw (10^9 times at 100k units). The sums run in the values'
/// order from −0.0, as `Iterator::sum` does, so the scores are the bits the
/// two-pass form gave.
fn combine(
    values: impl Iterator<Item = Option<f64>>,
    weights: &[f64],
    agg: Aggregation,
) -> Option<f64> {
    let (mut total, mut acc, mut any) = (-0.0_f64, -0.0_f64, false);
    for (v, w) in values.zip(weights) {
        let Some(v) = v else { continue };
        any = true;
        total += *w;
        acc += match agg {
            Aggregation::Arithmetic => v * w,
            Aggregation::Geometric => w * v.ln(),
        };
    }
    if !any || total <= 0.0 {
        return None;
    }
    Some(match agg {
        Aggregation::Arithmetic => acc / total,
        Aggregation::Geometric => (acc / total).exp(),
    })
}

/// Computes pillar scores and the index with the given choices.
/// `weights` and `pillar_weights` override the input's (for Monte Carlo).
pub fn score(
    input: &Input,
    norm: Normalisation,
    agg: Aggregation,
    weights: Option<&[f64]>,
    pillar_weights: Option<&[f64]>,
) -> Scores {
    let columns = normalised(&directed(input), norm, agg);
    let w: Vec<f64> = match weights {
        Some(w) => w.to_vec(),
        None => input.indicators.iter().map(|i| i.weight).collect(),
    };
    let pw: Vec<f64> = match pillar_weights {
        Some(p) => p.to_vec(),
        None => input
            .pillars()
            .iter()
            .map(|p| input.pillar_weight(p))
            .collect(),
    };
    let mut out = Scores::default();
    score_into(input, &columns, agg, &w, &pw, &mut out);
    out
}

/// Each indicator's column over the units, its direction applied.
fn directed(input: &Input) -> Vec<Vec<Option<f64>>> {
    (0..input.indicators.len())
        .map(|j| {
            let d = input.indicators[j].direction;
            input
                .values
                .iter()
                .map(|row| row[j].map(|x| x * d))
                .collect()
        })
        .collect()
}

/// Each indicator normalised over all units of the period, as `agg` needs
/// it (the geometric mean takes values on 1..100). It depends on the
/// normalisation and the aggregation only, not on the weights: the Monte
/// Carlo makes the six there are once, not once a draw.
fn normalised(
    directed: &[Vec<Option<f64>>],
    norm: Normalisation,
    agg: Aggregation,
) -> Vec<Vec<Option<f64>>> {
    directed
        .iter()
        .map(|col| match (agg, norm) {
            (Aggregation::Geometric, Normalisation::MinMax) => normalise(col, norm, 1.0, 100.0),
            (Aggregation::Geometric, _) => rescale(&normalise(col, norm, 0.0, 100.0), 1.0, 100.0),
            _ => normalise(col, norm, 0.0, 100.0),
        })
        .collect()
}

/// [`score`] from the [`normalised`] columns and the weights, into `out`'s
/// buffers, every slot overwritten: a
/// Monte Carlo thread reuses them from draw to draw (fresh ones were ~10 MB
/// a draw at 100k units, pages the kernel zeroed again each time).
fn score_into(
    input: &Input,
    columns: &[Vec<Option<f64>>],
    agg: Aggregation,
    w: &[f64],
    pw: &[f64],
    out: &mut Scores,
) {
    let k = input.indicators.len();
    let n = input.units.len();
    let pillars = input.pillars();
    out.pillars.resize_with(pillars.len(), Vec::new);
    for (p, name) in pillars.iter().enumerate() {
        let members: Vec<usize> = (0..k)
            .filter(|&j| &input.indicators[j].pillar == name)
            .collect();
        let mw: Vec<f64> = members.iter().map(|&j| w[j]).collect();
        let scores = &mut out.pillars[p];
        scores.resize(n, None);
        for (u, slot) in scores.iter_mut().enumerate() {
            *slot = combine(members.iter().map(|&j| columns[j][u]), &mw, agg);
        }
    }
    out.index.resize(n, None);
    for (u, slot) in out.index.iter_mut().enumerate() {
        *slot = combine(out.pillars.iter().map(|p| p[u]), pw, agg);
    }
}

/// Ranks, 1 = highest score; ties share the lower rank; missing scores none.
pub fn ranks(scores: &[Option<f64>]) -> Vec<Option<usize>> {
    let mut out = vec![None; scores.len()];
    rank_order(scores, &mut Vec::new(), |i, r| out[i] = Some(r));
    out
}

/// Calls `put(unit, rank)` for every scored unit, `order` the sort's
/// (reusable) buffer. 1 + the number of strictly greater scores ("min"
/// ties), by one sort: at national scale a pairwise count would be 10^11
/// comparisons a draw.
fn rank_order(
    scores: &[Option<f64>],
    order: &mut Vec<(usize, f64)>,
    mut put: impl FnMut(usize, usize),
) {
    order.clear();
    order.extend(
        scores
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|s| (i, s))),
    );
    // Unstable, with the unit's position breaking ties: the order a stable
    // sort gives, by pattern-defeating quicksort (a third faster on a
    // Monte Carlo draw of 100k units).
    order.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut first = 0;
    for (pos, &(i, s)) in order.iter().enumerate() {
        if pos > 0 && order[pos - 1].1 != s {
            first = pos;
        }
        put(i, first + 1);
    }
}

/// A unit's rank under uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct RankInterval {
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
}

/// The two aggregations and three normalisations a draw chooses from.
const AGGS: [Aggregation; 2] = [Aggregation::Arithmetic, Aggregation::Geometric];
const NORMS: [Normalisation; 3] = [
    Normalisation::MinMax,
    Normalisation::ZScore,
    Normalisation::Rank,
];

/// What Monte Carlo draw `b` chose: the indicator and pillar weights, and
/// the places in [`NORMS`] and [`AGGS`] of its normalisation and
/// aggregation, from ChaCha stream `b + 1` of `seed` (in this order).
struct Draw {
    w: Vec<f64>,
    pw: Vec<f64>,
    norm: usize,
    agg: usize,
}

impl Draw {
    fn new(input: &Input, pillars: &[String], seed: u64, b: usize) -> Draw {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(b as u64 + 1);
        let w = input
            .indicators
            .iter()
            .map(|i| i.weight * rng.random_range(0.75..=1.25))
            .collect();
        let pw = pillars
            .iter()
            .map(|p| input.pillar_weight(p) * rng.random_range(0.75..=1.25))
            .collect();
        let norm = rng.random_range(0..NORMS.len());
        let agg = if rng.random_bool(0.5) { 0 } else { 1 };
        Draw { w, pw, norm, agg }
    }
}

/// Monte Carlo over weights (each multiplied by a uniform factor in
/// 0.75..1.25), normalisation (min-max, z-score, rank) and aggregation
/// (arithmetic, geometric). Draw `b` uses its own ChaCha stream of `seed`,
/// so results do not depend on the number of threads.
pub fn rank_uncertainty(
    input: &Input,
    draws: usize,
    seed: u64,
    bar: &dyn crate::methods::Progress,
) -> Vec<Option<RankInterval>> {
    let pillars = input.pillars();
    let directed = directed(input);
    let columns: Vec<Vec<Vec<Option<f64>>>> = AGGS
        .iter()
        .flat_map(|&agg| NORMS.iter().map(move |&norm| (norm, agg)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(norm, agg)| normalised(&directed, norm, agg))
        .collect();
    bar.start(draws as u64, "index Monte Carlo");
    // u32 ranks (0 = no score) keep draws × units at 4 bytes a cell.
    let ranks_by_draw: Vec<Vec<u32>> = (0..draws)
        .into_par_iter()
        .map_init(
            || (Scores::default(), Vec::new()),
            |(scores, order), b| {
                bar.inc(1);
                let d = Draw::new(input, &pillars, seed, b);
                let columns = &columns[d.agg * NORMS.len() + d.norm];
                score_into(input, columns, AGGS[d.agg], &d.w, &d.pw, scores);
                let mut out = vec![0u32; input.units.len()];
                rank_order(&scores.index, order, |i, r| out[i] = r as u32);
                out
            },
        )
        .collect();
    bar.finish();
    // Each unit's ranks over the draws, sorted as integers (the same order
    // as their f64 values), on every core: units in contiguous ranges, so a
    // thread reads neighbouring cells of each draw's ranks.
    (0..input.units.len())
        .into_par_iter()
        .map(|u| {
            let mut r: Vec<u32> = ranks_by_draw
                .iter()
                .map(|d| d[u])
                .filter(|&x| x > 0)
                .collect();
            if r.is_empty() {
                return None;
            }
            r.sort_unstable();
            let r: Vec<f64> = r.into_iter().map(f64::from).collect();
            Some(RankInterval {
                median: quantile_sorted(&r, 0.5),
                p05: quantile_sorted(&r, 0.05),
                p95: quantile_sorted(&r, 0.95),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Input {
        // Three units, two pillars; hand-computed below.
        let ind = |name: &str, pillar: &str, direction: f64| Indicator {
            name: name.into(),
            pillar: pillar.into(),
            direction,
            weight: 1.0,
        };
        Input {
            units: vec!["a".into(), "b".into(), "c".into()],
            indicators: vec![ind("x", "P", 1.0), ind("y", "P", -1.0), ind("z", "Q", 1.0)],
            pillar_weights: vec![],
            values: vec![
                vec![Some(0.0), Some(10.0), Some(5.0)],
                vec![Some(5.0), Some(0.0), None],
                vec![Some(10.0), Some(5.0), Some(1.0)],
            ],
        }
    }

    #[test]
    fn min_max_arithmetic_by_hand() {
        // x: 0, 50, 100. y reversed: 0, 100, 50. z: 100, –, 0.
        // P = (0+0)/2, (50+100)/2, (100+50)/2 = 0, 75, 75; Q = 100, –, 0.
        // index = (0+100)/2, 75 (Q missing: weights renormalised), (75+0)/2.
        let s = score(
            &input(),
            Normalisation::MinMax,
            Aggregation::Arithmetic,
            None,
            None,
        );
        assert_eq!(s.pillars[0], vec![Some(0.0), Some(75.0), Some(75.0)]);
        assert_eq!(s.pillars[1], vec![Some(100.0), None, Some(0.0)]);
        assert_eq!(s.index, vec![Some(50.0), Some(75.0), Some(37.5)]);
        assert_eq!(ranks(&s.index), vec![Some(2), Some(1), Some(3)]);
    }

    #[test]
    fn ranks_share_the_best_place_on_ties_and_skip_missing_scores() {
        let r = ranks(&[Some(3.0), None, Some(5.0), Some(3.0), Some(1.0)]);
        assert_eq!(r, vec![Some(2), None, Some(1), Some(2), Some(4)]);
    }

    #[test]
    fn geometric_on_one_to_hundred_by_hand() {
        // x: 1, 50.5, 100; y reversed: 1, 100, 50.5; z: 100, –, 1.
        let s = score(
            &input(),
            Normalisation::MinMax,
            Aggregation::Geometric,
            None,
            None,
        );
        let p = s.pillars[0].clone();
        assert!((p[0].unwrap() - 1.0).abs() < 1e-12);
        assert!((p[1].unwrap() - (50.5f64 * 100.0).sqrt()).abs() < 1e-9);
        assert!((s.index[0].unwrap() - 10.0).abs() < 1e-9); // sqrt(1 × 100)
    }

    #[test]
    fn z_score_and_rank_by_hand() {
        let z = normalise(
            &[Some(1.0), Some(2.0), Some(3.0)],
            Normalisation::ZScore,
            0.0,
            100.0,
        );
        assert_eq!(z, vec![Some(-1.0), Some(0.0), Some(1.0)]);
        let r = normalise(
            &[Some(3.0), Some(1.0), Some(3.0), None],
            Normalisation::Rank,
            0.0,
            100.0,
        );
        assert_eq!(r, vec![Some(75.0), Some(0.0), Some(75.0), None]);
    }

    #[test]
    fn z_score_and_rank_indices_by_hand() {
        // One pillar of x (1, 2, 3) and reversed y (3, 2, 1 → −3, −2, −1).
        let ind = |name: &str, d: f64| Indicator {
            name: name.into(),
            pillar: "P".into(),
            direction: d,
            weight: 1.0,
        };
        let input = Input {
            units: vec!["a".into(), "b".into(), "c".into()],
            indicators: vec![ind("x", 1.0), ind("y", -1.0)],
            pillar_weights: vec![],
            values: vec![
                vec![Some(1.0), Some(3.0)],
                vec![Some(2.0), Some(2.0)],
                vec![Some(3.0), Some(1.0)],
            ],
        };
        // z: x → −1, 0, 1 and −y → −1, 0, 1; the mean of the two.
        let z = score(
            &input,
            Normalisation::ZScore,
            Aggregation::Arithmetic,
            None,
            None,
        );
        assert_eq!(z.index, vec![Some(-1.0), Some(0.0), Some(1.0)]);
        // rank: 0, 50, 100 for both.
        let r = score(
            &input,
            Normalisation::Rank,
            Aggregation::Arithmetic,
            None,
            None,
        );
        assert_eq!(r.index, vec![Some(0.0), Some(50.0), Some(100.0)]);
        // rank, geometric: ranks rescaled onto 1..100 → 1, 50.5, 100.
        let g = score(
            &input,
            Normalisation::Rank,
            Aggregation::Geometric,
            None,
            None,
        );
        assert!((g.index[1].unwrap() - 50.5).abs() < 1e-9);
    }

    /// A period of `n` units with ties, missing values and two pillars.
    fn wide(n: usize) -> Input {
        let ind = |name: &str, pillar: &str, direction: f64, weight: f64| Indicator {
            name: name.into(),
            pillar: pillar.into(),
            direction,
            weight,
        };
        Input {
            units: (0..n).map(|u| format!("u{u}")).collect(),
            indicators: vec![
                ind("x", "P", 1.0, 1.0),
                ind("y", "P", -1.0, 2.0),
                ind("z", "Q", 1.0, 1.0),
                ind("w", "Q", -1.0, 0.5),
            ],
            pillar_weights: vec![("Q".into(), 2.0)],
            values: (0..n)
                .map(|u| {
                    (0..4)
                        .map(|j| {
                            ((u * (j + 3)) % 11 != 0).then_some(((u * (2 * j + 1)) % 17) as f64)
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// Guards the Monte Carlo's shortcuts (normalised columns made once,
    /// one-pass weighted means, unstable sorts with the position breaking
    /// ties, integer rank sorts on every core): its intervals must be those
    /// of scoring every draw from scratch with [`score`] and [`ranks`].
    #[test]
    fn monte_carlo_is_every_draw_scored_from_scratch() {
        let input = wide(240);
        let (draws, seed) = (60, 9);
        let pillars = input.pillars();
        let by_draw: Vec<Vec<Option<usize>>> = (0..draws)
            .map(|b| {
                let d = Draw::new(&input, &pillars, seed, b);
                let (norm, agg) = (NORMS[d.norm], AGGS[d.agg]);
                let (w, pw) = (d.w, d.pw);
                ranks(&score(&input, norm, agg, Some(&w), Some(&pw)).index)
            })
            .collect();
        let expected: Vec<Option<RankInterval>> = (0..input.units.len())
            .map(|u| {
                let mut r: Vec<f64> = by_draw
                    .iter()
                    .filter_map(|d| d[u])
                    .map(|r| r as f64)
                    .collect();
                if r.is_empty() {
                    return None;
                }
                r.sort_by(f64::total_cmp);
                Some(RankInterval {
                    median: quantile_sorted(&r, 0.5),
                    p05: quantile_sorted(&r, 0.05),
                    p95: quantile_sorted(&r, 0.95),
                })
            })
            .collect();
        assert_eq!(
            rank_uncertainty(&input, draws, seed, &crate::methods::Silent),
            expected
        );
    }

    /// Guards the one-pass weighted mean: the bits of the two-pass form
    /// (present values and weights collected, each sum by `Iterator::sum`).
    #[test]
    fn combine_is_the_two_pass_weighted_mean_bit_for_bit() {
        let values = [Some(0.1), None, Some(33.3), Some(7.0), None, Some(1e-3)];
        let weights = [0.3, 9.0, 1.7, 0.25, 2.0, 1.1];
        for agg in [Aggregation::Arithmetic, Aggregation::Geometric] {
            let present: Vec<(f64, f64)> = values
                .iter()
                .zip(&weights)
                .filter_map(|(v, w)| v.map(|v| (v, *w)))
                .collect();
            let total: f64 = present.iter().map(|(_, w)| w).sum();
            let two_pass = match agg {
                Aggregation::Arithmetic => present.iter().map(|(v, w)| v * w).sum::<f64>() / total,
                Aggregation::Geometric => {
                    (present.iter().map(|(v, w)| w * v.ln()).sum::<f64>() / total).exp()
                }
            };
            let one_pass = combine(values.iter().copied(), &weights, agg).unwrap();
            assert_eq!(one_pass.to_bits(), two_pass.to_bits(), "{agg:?}");
        }
        assert_eq!(
            combine(
                [None, None].into_iter(),
                &[1.0, 1.0],
                Aggregation::Arithmetic
            ),
            None
        );
    }

    #[test]
    fn monte_carlo_is_seeded() {
        let a = rank_uncertainty(&input(), 200, 3, &crate::methods::Silent);
        assert_eq!(
            a,
            rank_uncertainty(&input(), 200, 3, &crate::methods::Silent)
        );
        let b = a[1].clone().unwrap();
        assert!(b.p05 <= b.median && b.median <= b.p95);
    }
}
