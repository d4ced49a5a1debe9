//! Variance-based global sensitivity (Saltelli et al. 2010), pure: the
//! design and the indices, for any model y = f(x) of d factors in [0, 1).
//!
//! - **Design**: two N × d matrices A and B from one Owen-scrambled Sobol
//!   sequence of 2d dimensions (A the first d, B the last d), and for each
//!   factor i the matrix A_B^i — A with column i from B: N(d + 2)
//!   evaluations in all.
//! - **First order** (Saltelli 2010, Table 2 (b)):
//!   S_i = (1/N) Σ_j f(B)_j (f(A_B^i)_j − f(A)_j) / V(Y).
//! - **Total** (Jansen 1999): ST_i = (1/2N) Σ_j (f(A)_j − f(A_B^i)_j)² / V(Y).
//! - V(Y) is the variance of f(A) and f(B) together. Every f is **centred**
//!   on the mean of f(A) and f(B) before the first-order sum: the estimator
//!   is unbiased either way, but uncentred (COINr's form) its variance grows
//!   with the output's mean, and a mean absolute rank shift has a large one.
//! - **Intervals**: the 5–95% percentiles of the indices over bootstrap
//!   resamples of the N rows (the same rows for A, B and every A_B^i),
//!   seeded.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::methods::stats::quantile_sorted;

/// The most points the Sobol sequence gives (sobol_burley's limit).
pub const MAX_N: usize = 1 << 16;

/// The Saltelli design: `a` and `b` are N rows of d values in [0, 1);
/// `ab(i)` is A with column i from B.
#[derive(Debug, Clone)]
pub struct Design {
    pub a: Vec<Vec<f64>>,
    pub b: Vec<Vec<f64>>,
}

impl Design {
    /// N points of d factors, scrambled by `seed`; N at most [`MAX_N`],
    /// 2d at most 256.
    pub fn new(n: usize, d: usize, seed: u32) -> Result<Design, String> {
        if !(2..=MAX_N).contains(&n) {
            return Err(format!("N = {n}: between 2 and {MAX_N} points"));
        }
        if 2 * d > 256 {
            return Err(format!("{d} factors: at most 128"));
        }
        let point = |j: usize, dims: std::ops::Range<usize>| -> Vec<f64> {
            dims.map(|k| f64::from(sobol_burley::sample(j as u32, k as u32, seed)))
                .collect()
        };
        Ok(Design {
            a: (0..n).map(|j| point(j, 0..d)).collect(),
            b: (0..n).map(|j| point(j, d..2 * d)).collect(),
        })
    }

    /// A with column `i` taken from B.
    pub fn ab(&self, i: usize) -> Vec<Vec<f64>> {
        self.a
            .iter()
            .zip(&self.b)
            .map(|(a, b)| {
                let mut r = a.clone();
                r[i] = b[i];
                r
            })
            .collect()
    }
}

/// A factor's indices with their bootstrap 5–95% intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Indices {
    pub s1: f64,
    pub s1_low: f64,
    pub s1_high: f64,
    pub st: f64,
    pub st_low: f64,
    pub st_high: f64,
}

/// S_i and ST_i for the rows `rows` (indexes into the N evaluations).
fn point(fa: &[f64], fb: &[f64], fab: &[f64], rows: &[usize]) -> (f64, f64) {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * n);
    let var = rows
        .iter()
        .map(|&j| (fa[j] - mean).powi(2) + (fb[j] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    if var <= 0.0 {
        return (0.0, 0.0);
    }
    let s1 = rows
        .iter()
        .map(|&j| (fb[j] - mean) * ((fab[j] - mean) - (fa[j] - mean)))
        .sum::<f64>()
        / n
        / var;
    let st = rows.iter().map(|&j| (fa[j] - fab[j]).powi(2)).sum::<f64>() / (2.0 * n) / var;
    (s1, st)
}

/// The indices of every factor from the evaluations f(A), f(B) and f(A_B^i),
/// with `boot` bootstrap resamples (seeded) for the intervals.
pub fn indices(fa: &[f64], fb: &[f64], fab: &[Vec<f64>], boot: usize, seed: u64) -> Vec<Indices> {
    let n = fa.len();
    let all: Vec<usize> = (0..n).collect();
    // The same resampled rows for every factor.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let resamples: Vec<Vec<usize>> = (0..boot)
        .map(|_| (0..n).map(|_| rng.random_range(0..n)).collect())
        .collect();
    fab.iter()
        .map(|f| {
            let (s1, st) = point(fa, fb, f, &all);
            let (mut b1, mut bt): (Vec<f64>, Vec<f64>) =
                resamples.iter().map(|r| point(fa, fb, f, r)).unzip();
            b1.sort_by(f64::total_cmp);
            bt.sort_by(f64::total_cmp);
            let q = |v: &[f64], p| {
                if v.is_empty() {
                    f64::NAN
                } else {
                    quantile_sorted(v, p)
                }
            };
            Indices {
                s1,
                s1_low: q(&b1, 0.05),
                s1_high: q(&b1, 0.95),
                st,
                st_low: q(&bt, 0.05),
                st_high: q(&bt, 0.95),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Ishigami (a = 7, b = 0.1) on U(−π, π)³: S1 = 0.3139, 0.4424, 0 and
    /// ST = 0.5576, 0.4424, 0.2437 (analytic; SALib reproduces them).
    #[test]
    fn ishigami_indices_at_n_2_to_14() {
        let f = |x: &[f64]| {
            let v: Vec<f64> = x.iter().map(|u| -PI + 2.0 * PI * u).collect();
            v[0].sin() + 7.0 * v[1].sin().powi(2) + 0.1 * v[2].powi(4) * v[0].sin()
        };
        let d = Design::new(1 << 14, 3, 1).unwrap();
        let fa: Vec<f64> = d.a.iter().map(|r| f(r)).collect();
        let fb: Vec<f64> = d.b.iter().map(|r| f(r)).collect();
        let fab: Vec<Vec<f64>> = (0..3)
            .map(|i| d.ab(i).iter().map(|r| f(r)).collect())
            .collect();
        let got = indices(&fa, &fb, &fab, 100, 7);
        for (g, (s1, st)) in got
            .iter()
            .zip([(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)])
        {
            assert!((g.s1 - s1).abs() < 0.01, "S1 {} vs {s1}", g.s1);
            assert!((g.st - st).abs() < 0.01, "ST {} vs {st}", g.st);
            assert!(g.s1_low <= g.s1 && g.s1 <= g.s1_high, "{g:?}");
            assert!(g.st_low <= g.st && g.st <= g.st_high, "{g:?}");
        }
    }

    #[test]
    fn the_design_refuses_what_the_sequence_cannot_give() {
        assert!(Design::new(1, 3, 0).is_err());
        assert!(Design::new(MAX_N + 1, 3, 0).is_err());
        assert!(Design::new(8, 200, 0).is_err());
    }
}
