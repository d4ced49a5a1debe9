//! Comparing the four models (contract §4): per-group summaries with a seeded
//! percentile bootstrap of the mean, Kruskal–Wallis with tie correction,
//! epsilon², and Dunn's pairwise z with Holm-adjusted two-sided p.
//!
//! Everything here is a pure function of numbers and a seed; distributions
//! come from statrs. Results are checked against R on `airquality`
//! (`tests/stats_reference.rs`).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// Descriptive statistics of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1); NaN for n < 2.
    pub sd: f64,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
}

/// Quantile by linear interpolation between order statistics (R's type 7,
/// the default of `quantile()`), of already sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

pub fn summary(values: &[f64]) -> Summary {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        f64::NAN
    };
    let s = sorted(values);
    Summary {
        n,
        mean,
        sd,
        median: quantile_sorted(&s, 0.5),
        q1: quantile_sorted(&s, 0.25),
        q3: quantile_sorted(&s, 0.75),
    }
}

/// Percentile bootstrap 95% interval of the mean: `draws` resamples with
/// replacement from a ChaCha stream seeded by `seed`.
pub fn bootstrap_mean_ci(values: &[f64], draws: usize, seed: u64) -> (f64, f64) {
    let n = values.len();
    if n == 0 || draws == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut means: Vec<f64> = (0..draws)
        .map(|_| (0..n).map(|_| values[rng.random_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    (
        quantile_sorted(&means, 0.025),
        quantile_sorted(&means, 0.975),
    )
}

/// Groups larger than this get the bootstrap's normal limit instead of the
/// resampling itself: at national scale (≈10^5 communities a model, 20
/// metrics, 10 years) 999 resamples are ~10^11 draws, and for n this large
/// the percentile interval of a mean equals mean ± 1.96 σ̂/√n to well within
/// its own Monte Carlo error (tested below).
pub const BOOTSTRAP_MAX_N: usize = 5_000;

/// The 95% interval of the mean and how it was made: `"bootstrap"` (seeded
/// percentile bootstrap) up to [`BOOTSTRAP_MAX_N`] values, `"normal"` (the
/// bootstrap's limit, σ̂ with divisor n as the bootstrap uses) above.
pub fn mean_ci(values: &[f64], draws: usize, seed: u64) -> (f64, f64, &'static str) {
    let n = values.len();
    if n <= BOOTSTRAP_MAX_N {
        let (lo, hi) = bootstrap_mean_ci(values, draws, seed);
        return (lo, hi, "bootstrap");
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
    let z = Normal::new(0.0, 1.0)
        .expect("standard normal")
        .inverse_cdf(0.975);
    let half = z * (var / n as f64).sqrt();
    (mean - half, mean + half, "normal")
}

/// Mid-ranks of all values pooled (ties share their average rank), and the
/// tie term Σ(t³ − t).
fn pooled_ranks(groups: &[Vec<f64>]) -> (Vec<Vec<f64>>, f64) {
    let mut all: Vec<(f64, usize, usize)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, v)| v.iter().enumerate().map(move |(i, x)| (*x, g, i)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks: Vec<Vec<f64>> = groups.iter().map(|v| vec![0.0; v.len()]).collect();
    let mut ties = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for item in &all[i..=j] {
            ranks[item.1][item.2] = rank;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (ranks, ties)
}

/// Kruskal–Wallis H (tie-corrected), its degrees of freedom, p, and
/// epsilon² = H / (n − 1).
#[derive(Debug, Clone, PartialEq)]
pub struct KruskalWallis {
    pub h: f64,
    pub df: usize,
    pub p: f64,
    pub epsilon2: f64,
    pub n: usize,
}

pub fn kruskal_wallis(groups: &[Vec<f64>]) -> Option<KruskalWallis> {
    let groups: Vec<Vec<f64>> = groups.iter().filter(|g| !g.is_empty()).cloned().collect();
    let n: usize = groups.iter().map(Vec::len).sum();
    if groups.len() < 2 || n < 3 {
        return None;
    }
    let (ranks, ties) = pooled_ranks(&groups);
    let nf = n as f64;
    let sum: f64 = ranks
        .iter()
        .map(|r| r.iter().sum::<f64>().powi(2) / r.len() as f64)
        .sum();
    let h0 = 12.0 / (nf * (nf + 1.0)) * sum - 3.0 * (nf + 1.0);
    let correction = 1.0 - ties / (nf * nf * nf - nf);
    if correction <= 0.0 {
        return None; // every value equal
    }
    let h = h0 / correction;
    let df = groups.len() - 1;
    let p = ChiSquared::new(df as f64)
        .map(|c| c.sf(h))
        .unwrap_or(f64::NAN);
    Some(KruskalWallis {
        h,
        df,
        p,
        epsilon2: h / (nf - 1.0),
        n,
    })
}

/// One pairwise comparison of Dunn's test.
#[derive(Debug, Clone, PartialEq)]
pub struct DunnPair {
    pub a: usize,
    pub b: usize,
    /// (mean rank of a − mean rank of b) / its standard error.
    pub z: f64,
    pub p: f64,
    pub p_holm: f64,
}

/// Dunn's test for every pair of groups (a < b, in input order), ranks
/// pooled over all groups with the tie correction, Holm-adjusted.
pub fn dunn(groups: &[Vec<f64>]) -> Vec<DunnPair> {
    let n: usize = groups.iter().map(Vec::len).sum();
    if n < 2 {
        return Vec::new();
    }
    let (ranks, ties) = pooled_ranks(groups);
    let nf = n as f64;
    let var = nf * (nf + 1.0) / 12.0 - ties / (12.0 * (nf - 1.0));
    let mean_rank: Vec<f64> = ranks
        .iter()
        .map(|r| r.iter().sum::<f64>() / r.len() as f64)
        .collect();
    let normal = Normal::new(0.0, 1.0).expect("standard normal");
    let mut pairs = Vec::new();
    for a in 0..groups.len() {
        for b in a + 1..groups.len() {
            if groups[a].is_empty() || groups[b].is_empty() {
                continue;
            }
            let se = (var * (1.0 / groups[a].len() as f64 + 1.0 / groups[b].len() as f64)).sqrt();
            let z = (mean_rank[a] - mean_rank[b]) / se;
            let p = 2.0 * normal.sf(z.abs());
            pairs.push(DunnPair {
                a,
                b,
                z,
                p,
                p_holm: f64::NAN,
            });
        }
    }
    let adjusted = holm(&pairs.iter().map(|p| p.p).collect::<Vec<_>>());
    for (pair, adj) in pairs.iter_mut().zip(adjusted) {
        pair.p_holm = adj;
    }
    pairs
}

/// Holm's step-down adjustment (as R's `p.adjust(method = "holm")`).
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (k, &i) in order.iter().enumerate() {
        let adj = ((m - k) as f64 * p[i]).min(1.0);
        running = running.max(adj);
        out[i] = running;
    }
    out
}

/// Benjamini–Hochberg's step-up adjustment (as R's
/// `p.adjust(method = "BH")`): controls the false discovery rate.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(b.cmp(&a)));
    let mut out = vec![0.0; m];
    let mut running: f64 = 1.0;
    for (k, &i) in order.iter().enumerate() {
        let rank = (m - k) as f64;
        running = running.min(m as f64 / rank * p[i]).min(1.0);
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benjamini_hochberg_matches_r() {
        // p.adjust(c(0.01, 0.04, 0.03, 0.2, 0.005), "BH")
        //   = 0.025 0.050 0.050 0.200 0.025
        let adj = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.2, 0.005]);
        let want = [0.025, 0.05, 0.05, 0.2, 0.025];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    #[test]
    fn normal_limit_matches_the_bootstrap_where_it_replaces_it() {
        // A skewed sample just above the threshold: the resampled interval
        // and its normal limit agree to a small part of the width.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let v: Vec<f64> = (0..BOOTSTRAP_MAX_N + 1)
            .map(|_| (rng.random::<f64>() * 2.0).exp())
            .collect();
        let (blo, bhi) = bootstrap_mean_ci(&v, 1999, 11);
        let (nlo, nhi, how) = mean_ci(&v, 1999, 11);
        assert_eq!(how, "normal");
        let width = bhi - blo;
        assert!((nlo - blo).abs() < 0.05 * width, "{nlo} vs {blo}");
        assert!((nhi - bhi).abs() < 0.05 * width, "{nhi} vs {bhi}");
        assert_eq!(mean_ci(&v[..100], 99, 1).2, "bootstrap");
    }

    #[test]
    fn quantiles_match_r_type_7() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.25), 1.75);
        assert_eq!(quantile_sorted(&s, 0.5), 2.5);
        let sm = summary(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(sm.mean, 5.0);
        assert!((sm.sd - 2.138089935).abs() < 1e-8);
    }

    #[test]
    fn holm_matches_r() {
        // p.adjust(c(0.01, 0.04, 0.03, 0.2), "holm") = 0.04 0.09 0.09 0.20
        let adj = holm(&[0.01, 0.04, 0.03, 0.2]);
        let want = [0.04, 0.09, 0.09, 0.2];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_mean() {
        let v: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let a = bootstrap_mean_ci(&v, 999, 7);
        assert_eq!(a, bootstrap_mean_ci(&v, 999, 7));
        assert!(a.0 < 24.5 && a.1 > 24.5);
        assert_ne!(a, bootstrap_mean_ci(&v, 999, 8));
    }
}
