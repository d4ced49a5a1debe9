//! Inference on many estimates that share units: analytic standard errors
//! from the influence functions, the multiplier bootstrap (Rademacher
//! weights, R did's IQR scale), the sup-t critical value of a uniform band,
//! and the Wald pre-test.
//!
//! Every function takes the influence functions' rows as they are to be
//! resampled and `n`, the number of units, apart: by unit, a row is a
//! unit's ψ_i; clustered ([`cluster_sums`]), a row is a cluster's sum
//! S_c = Σ_{i ∈ c} ψ_i, one multiplier drawn per cluster — R did's
//! `clustervars` (`mboot`: `rowsum(inf.func, cluster)`, SE = IQR-scale ×
//! sqrt(G) / n, i.e. the draws (1/n) Σ_c v_c S_c).

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use super::linalg::solve_spd;

/// An estimate's point value and its influence function over all n units.
#[derive(Debug, Clone)]
pub struct Inf {
    pub att: f64,
    pub psi: Vec<f64>,
}

/// Standard errors this small are zero (R: `sqrt(.Machine$double.eps) * 10`):
/// the universal base period's cell, normalised to 0.
pub const ZERO_SE: f64 = 1.490_116_119_384_765_6e-7;

/// sqrt(Σ ψ_r²) / n over the rows (units, or clusters' sums): what R
/// reports with `bstrap = FALSE` (clustered: sqrt(Σ_c S_c²) / n, R did
/// 2.5.1's and csdid's cluster-robust analytic SE).
pub fn analytic_se(inf: &Inf, n: usize) -> f64 {
    inf.psi.iter().map(|x| x * x).sum::<f64>().sqrt() / n as f64
}

/// The covariance matrix of estimates from their influence functions:
/// V̂_ij = Σ_r ψ_ir ψ_jr / n² over the rows (units, or clusters' sums), so
/// V̂_ii = [`analytic_se`]². R did's `getSE` and HonestDiD's `honest_did`.
pub fn vcov(infs: &[&Inf], n: usize) -> Vec<Vec<f64>> {
    let n2 = (n as f64) * (n as f64);
    infs.iter()
        .map(|a| {
            infs.iter()
                .map(|b| a.psi.iter().zip(&b.psi).map(|(x, y)| x * y).sum::<f64>() / n2)
                .collect()
        })
        .collect()
}

/// The influence function summed within clusters: row c is
/// S_c = Σ_{i: cluster[i] = c} ψ_i (`cluster[i]` < `g`), units added in
/// order.
pub fn cluster_sums(inf: &Inf, cluster: &[u32], g: usize) -> Inf {
    let mut psi = vec![0.0; g];
    for (v, &c) in inf.psi.iter().zip(cluster) {
        psi[c as usize] += v;
    }
    Inf { att: inf.att, psi }
}

/// Units per block of the multiplier bootstrap: the draws' sign bytes for
/// a block are made once and shared by every task.
const BLOCK: usize = 2048;

/// Estimates a task of the multiplier bootstrap adds up (see [`add_tile`]):
/// a tile's subset-sum table is 256 × TILE values, 16 KB, in L1.
const TILE: usize = 8;

/// Units a subset-sum table spans: one byte of a draw's signs.
const GROUP: usize = 8;

/// The bootstrap draws of (1/n) Σ_r v_r ψ_r for every estimate, draw-major
/// (`draws × k`), with shared Rademacher draws: one multiplier a row (a
/// unit, or a cluster's sum), `n` the number of units.
///
/// The sums are a (draws × n) by (n × estimates) product whose left factor
/// is ±1: the method of subset sums (the "Four Russians"). For each group
/// of eight units and each tile of eight estimates, the 256 signed sums
/// ±ψ_0 ± … ± ψ_7 are tabled once; a draw's eight signs for the group are
/// one byte of its stream, so the draw adds one table row instead of eight
/// signed rows. With 999 draws that is about a sixth of the adds, read from
/// L1; the 256-row table costs 510 row adds, shared by every draw.
///
/// Draw `b`'s signs are the bits of ChaCha stream `b + 1` of `seed`, 64
/// units a word (unit i positive when bit i mod 64 of word i / 64 is 1),
/// read at the block's offset: the same whatever the threads. Each sum runs
/// over the groups in unit order and each table row over its eight units in
/// order, so a star is the same bits on any machine and thread count; it
/// differs from the unit-by-unit sum only by rounding (the additions are
/// grouped eight units at a time; exact when the ψ are small integers, as
/// the regression test checks).
pub fn draws(
    infs: &[&Inf],
    n: usize,
    draws: usize,
    seed: u64,
    bar: &dyn crate::methods::Progress,
) -> Vec<f64> {
    let k = infs.len();
    let rows = infs.first().map_or(0, |i| i.psi.len());
    bar.start(
        rows.div_ceil(BLOCK) as u64,
        &format!("DiD bootstrap ({rows} rows, {draws} draws)"),
    );
    let tiles = k.div_ceil(TILE);
    // acc[t][d]: the sums of tile t's estimates for draw d.
    let mut acc: Vec<Vec<[f64; TILE]>> = vec![vec![[0.0; TILE]; draws]; tiles];
    let zeros = vec![0.0f64; BLOCK];
    for start in (0..rows).step_by(BLOCK) {
        let len = BLOCK.min(rows - start);
        let groups = len.div_ceil(GROUP);
        let bytes = sign_bytes(seed, start, len, draws);
        acc.par_iter_mut().enumerate().for_each(|(t, acc)| {
            let psi: [&[f64]; TILE] = std::array::from_fn(|l| match infs.get(t * TILE + l) {
                Some(inf) => &inf.psi[start..start + len],
                None => &zeros[..len],
            });
            add_tile(&psi, &bytes, groups, acc);
        });
        bar.inc(1);
    }
    bar.finish();
    let mut stars = vec![0.0f64; draws * k];
    for (t, acc) in acc.iter().enumerate() {
        for (d, a) in acc.iter().enumerate() {
            for (l, x) in a.iter().enumerate().filter(|(l, _)| t * TILE + l < k) {
                stars[d * k + t * TILE + l] = x / n as f64;
            }
        }
    }
    stars
}

/// The draws' signs for units `start..start + len` (`start` a multiple of
/// 64), a byte a group of eight units, group-major (`groups × draws`):
/// draw d's signs are the bits of its ChaCha stream d + 1, two 32-bit
/// words per 64 units, from the block's offset.
fn sign_bytes(seed: u64, start: usize, len: usize, draws: usize) -> Vec<u8> {
    let words = len.div_ceil(64);
    let by_draw: Vec<Vec<u64>> = (0..draws)
        .into_par_iter()
        .map(|d| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(d as u64 + 1);
            rng.set_word_pos((start / 64 * 2) as u128);
            (0..words).map(|_| rng.next_u64()).collect()
        })
        .collect();
    let groups = len.div_ceil(GROUP);
    let mut bytes = vec![0u8; groups * draws];
    for (d, w) in by_draw.iter().enumerate() {
        for g in 0..groups {
            bytes[g * draws + d] = (w[g / 8] >> (g % 8 * 8)) as u8;
        }
    }
    bytes
}

/// Adds a block's groups to one tile's sums (`acc`, a draw each): for each
/// group, the table of its 256 signed sums (row m: unit u of the group
/// positive when bit u of m is 1, the units added in order; units past the
/// block's end are zeros), then each draw adds the row its sign byte names.
/// Built for the widest vectors the processor has: the adds and their
/// order are the same at every width (Rust never fuses a multiply and an
/// add), so the sums are the same bits on any machine.
fn add_tile(psi: &[&[f64]; TILE], bytes: &[u8], groups: usize, acc: &mut [[f64; TILE]]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has the feature, checked just above.
            return unsafe { add_tile_avx512(psi, bytes, groups, acc) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { add_tile_avx2(psi, bytes, groups, acc) };
        }
    }
    add_tile_any(psi, bytes, groups, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn add_tile_avx512(psi: &[&[f64]; TILE], bytes: &[u8], groups: usize, acc: &mut [[f64; TILE]]) {
    add_tile_any(psi, bytes, groups, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_tile_avx2(psi: &[&[f64]; TILE], bytes: &[u8], groups: usize, acc: &mut [[f64; TILE]]) {
    add_tile_any(psi, bytes, groups, acc)
}

/// [`add_tile`]'s loops, inlined into each width's function.
#[inline(always)]
fn add_tile_any(psi: &[&[f64]; TILE], bytes: &[u8], groups: usize, acc: &mut [[f64; TILE]]) {
    let draws = acc.len();
    let len = psi[0].len();
    let mut table = [[0.0f64; TILE]; 256];
    for g in 0..groups {
        // row u: unit g·8 + u's values of the tile's estimates.
        let rows: [[f64; TILE]; GROUP] = std::array::from_fn(|u| {
            let i = g * GROUP + u;
            std::array::from_fn(|l| if i < len { psi[l][i] } else { 0.0 })
        });
        for l in 0..TILE {
            table[0][l] = -rows[0][l];
            table[1][l] = rows[0][l];
        }
        for (u, row) in rows.iter().enumerate().skip(1) {
            let half = 1 << u;
            for m in 0..half {
                for l in 0..TILE {
                    let base = table[m][l];
                    table[m + half][l] = base + row[l];
                    table[m][l] = base - row[l];
                }
            }
        }
        let bytes = &bytes[g * draws..(g + 1) * draws];
        for (a, &b) in acc.iter_mut().zip(bytes) {
            let r = &table[b as usize];
            for l in 0..TILE {
                a[l] += r[l];
            }
        }
    }
}

/// R's type-1 quantile (the inverse of the empirical distribution), which
/// `mboot` uses.
fn quantile_type1(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let j = ((n as f64 * p).ceil() as usize).clamp(1, n);
    sorted[j - 1]
}

/// The bootstrap standard error of estimate `j`: the draws' IQR over that
/// of the standard normal.
pub fn bootstrap_se(stars: &[f64], k: usize, j: usize) -> f64 {
    let draws = stars.len() / k.max(1);
    let mut col: Vec<f64> = (0..draws).map(|b| stars[b * k + j]).collect();
    col.sort_by(f64::total_cmp);
    let normal = Normal::new(0.0, 1.0).expect("standard normal");
    let scale = normal.inverse_cdf(0.75) - normal.inverse_cdf(0.25);
    (quantile_type1(&col, 0.75) - quantile_type1(&col, 0.25)) / scale
}

/// The sup-t critical value of a uniform band over the estimates `family`
/// (indexes into the draws), each studentised by its bootstrap standard
/// error `se`: the (1 − α) quantile over draws of max_j |draw_j / se_j|.
/// Estimates with a zero standard error are left out, as R does.
pub fn sup_t(stars: &[f64], k: usize, family: &[(usize, f64)], alpha: f64) -> Option<f64> {
    let (_, mut t) = draw_maxima(stars, k, family)?;
    t.sort_by(f64::total_cmp);
    Some(quantile_type1(&t, 1.0 - alpha))
}

/// Estimates as (index into the draws, standard error).
type Family = Vec<(usize, f64)>;

/// The estimates of `family` with a usable standard error (R leaves out a
/// zero one), and each draw's max_j |draw_j / se_j| over them; `None`
/// without such estimates.
fn draw_maxima(stars: &[f64], k: usize, family: &[(usize, f64)]) -> Option<(Family, Vec<f64>)> {
    let family: Vec<(usize, f64)> = family
        .iter()
        .copied()
        .filter(|(_, se)| se.is_finite() && *se > ZERO_SE)
        .collect();
    if family.is_empty() {
        return None;
    }
    let draws = stars.len() / k.max(1);
    let maxima = (0..draws)
        .map(|b| {
            family
                .iter()
                .map(|&(j, se)| (stars[b * k + j] / se).abs())
                .fold(0.0, f64::max)
        })
        .collect();
    Some((family, maxima))
}

/// The normal critical value z_{1−α/2}.
pub fn z(alpha: f64) -> f64 {
    Normal::new(0.0, 1.0)
        .expect("standard normal")
        .inverse_cdf(1.0 - alpha / 2.0)
}

/// Which joint test of the pre-adoption cells was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreTest {
    /// R did's Wald test W = θ' V⁻¹ θ, χ² with `df` = cells.
    Wald,
    /// The bootstrap sup-t test: T = max_j |θ_j| / se_j against the same
    /// statistic over the (clustered) multiplier draws.
    SupT,
}

impl PreTest {
    pub fn name(self) -> &'static str {
        match self {
            PreTest::Wald => "wald",
            PreTest::SupT => "sup_t",
        }
    }
}

/// The joint test that every pre-adoption ATT(g, t) is zero: its kind,
/// statistic, the cells tested (`df`) and p.
#[derive(Debug, Clone, PartialEq)]
pub struct PreTrend {
    pub test: PreTest,
    pub stat: f64,
    pub df: usize,
    pub p: f64,
}

/// The bootstrap sup-t pre-test over the pre-period cells `family`
/// (index into the draws, bootstrap SE; `att` the estimates by index):
/// T = max_j |θ̂_j| / se_j, p = the share of draws with
/// max_j |θ*_bj| / se_j ≥ T. It is the test a uniform band over the
/// family alone makes (p < α exactly when that band excludes 0 for some
/// estimate), and it needs no inverse of a covariance that a few dozen
/// clusters estimate badly: with G clusters the cluster-robust Wald test
/// of q estimates over-rejects grossly once q nears G (on the sample, 21
/// cells and 34 counties gave p < 1e-40 with no pre-trend planted). R did
/// reports no Wald test when it clusters above the unit and bootstraps
/// (its covariance ignores the clusters).
pub fn sup_t_pre_test(
    stars: &[f64],
    k: usize,
    family: &[(usize, f64)],
    att: &[f64],
) -> Option<PreTrend> {
    let (family, maxima) = draw_maxima(stars, k, family)?;
    let t = family
        .iter()
        .map(|&(j, se)| att[j].abs() / se)
        .fold(0.0, f64::max);
    let draws = maxima.len();
    let exceed = maxima.iter().filter(|m| **m >= t).count();
    Some(PreTrend {
        test: PreTest::SupT,
        stat: t,
        df: family.len(),
        p: exceed as f64 / draws.max(1) as f64,
    })
}

/// W = θ' V⁻¹ θ with V = Σ_r ψ_r ψ_r' / n² the analytic covariance of the
/// pre-period cells over the rows (units, or clusters' sums: the
/// cluster-robust covariance R did uses with `clustervars` and
/// `bstrap = FALSE`); `None` without such cells or when V is singular
/// (with clusters V has rank at most G, so more pre-period cells than
/// clusters leave it singular).
pub fn pre_test(pre: &[&Inf], n: usize) -> Option<PreTrend> {
    let pre: Vec<&&Inf> = pre.iter().filter(|p| analytic_se(p, n) > ZERO_SE).collect();
    if pre.is_empty() {
        return None;
    }
    let m = pre.len();
    if m > pre[0].psi.len() {
        return None;
    }
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
            test: PreTest::Wald,
            stat: wald,
            df: m,
            p: ChiSquared::new(m as f64)
                .map(|c| c.sf(wald))
                .unwrap_or(f64::NAN),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sup-t pre-test by hand: two cells with SEs 1 and 2, estimates
    /// 1.5 and −2 (T = max(1.5, 1) = 1.5); four draws whose max studentised
    /// values are 0.5, 2, 1.5 and 1 — two reach T, p = 2/4. A zero SE
    /// leaves its cell out.
    #[test]
    fn sup_t_pre_test_counts_the_draws_that_reach_the_statistic() {
        let k = 3;
        #[rustfmt::skip]
        let stars = [
            0.5, -0.4, 9.0,
            2.0, 1.0, 9.0,
            -0.2, -3.0, 9.0,
            1.0, 0.0, 9.0,
        ];
        let att = [1.5, -2.0, 50.0];
        let p = sup_t_pre_test(&stars, k, &[(0, 1.0), (1, 2.0), (2, 0.0)], &att).unwrap();
        assert_eq!((p.test, p.stat, p.df, p.p), (PreTest::SupT, 1.5, 2, 0.5));
        assert_eq!(sup_t_pre_test(&stars, k, &[(2, 0.0)], &att), None);
    }

    #[test]
    fn type_1_quantile_is_the_inverse_empirical_cdf() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_type1(&v, 0.25), 1.0);
        assert_eq!(quantile_type1(&v, 0.26), 2.0);
        assert_eq!(quantile_type1(&v, 0.95), 4.0);
    }

    /// The plain sum over units in order, Σ v_i ψ_i / n, with draw b's
    /// signs read from its stream 64 units a word: what the subset-sum
    /// kernel computes, up to rounding.
    fn plain_stars(infs: &[Inf], n: usize, b: usize, seed: u64) -> Vec<f64> {
        let k = infs.len();
        let mut out = vec![0.0; b * k];
        for d in 0..b {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(d as u64 + 1);
            let mut bits = 0u64;
            let mut acc = vec![0.0f64; k];
            for i in 0..n {
                if i % 64 == 0 {
                    bits = rng.next_u64();
                }
                let sign = if bits >> (i % 64) & 1 == 1 { 1.0 } else { -1.0 };
                for (a, inf) in acc.iter_mut().zip(infs) {
                    *a += sign * inf.psi[i];
                }
            }
            for j in 0..k {
                out[d * k + j] = acc[j] / n as f64;
            }
        }
        out
    }

    fn infs(n: usize, k: usize, value: impl Fn(usize, usize) -> f64) -> Vec<Inf> {
        (0..k)
            .map(|j| Inf {
                att: 0.0,
                psi: (0..n).map(|i| value(i, j)).collect(),
            })
            .collect()
    }

    /// Guards the subset-sum kernel's signs and bookkeeping (groups, tiles,
    /// blocks, the padding past n and past k): with small integer ψ every
    /// sum is exact whatever the grouping, so each star must be the plain
    /// per-unit sum bit for bit. n is a multiple of neither 8, 64 nor
    /// BLOCK; k not of TILE.
    #[test]
    fn bootstrap_draws_are_the_plain_sums_when_exact() {
        let (n, k, b) = (2 * BLOCK + 300 + 5, 11, 37);
        let infs = infs(n, k, |i, j| ((i * 7 + j * 13) % 101) as f64 - 50.0);
        let refs: Vec<&Inf> = infs.iter().collect();
        let stars = draws(&refs, n, b, 42, &crate::methods::Silent);
        let plain = plain_stars(&infs, n, b, 42);
        for (x, (s, p)) in stars.iter().zip(&plain).enumerate() {
            assert_eq!(
                s.to_bits(),
                p.to_bits(),
                "draw {}, estimate {}",
                x / k,
                x % k
            );
        }
    }

    /// With real-valued ψ the grouping changes only the rounding: every star
    /// within a few ulps of the sum's scale of the plain per-unit sum.
    #[test]
    fn bootstrap_draws_round_like_the_plain_sums() {
        let (n, k, b) = (BLOCK + 999, 9, 21);
        let infs = infs(n, k, |i, j| {
            ((i * 7 + j * 13) % 101) as f64 / 7.0 - 6.0 + 1e-3 * (i as f64).sin()
        });
        let refs: Vec<&Inf> = infs.iter().collect();
        let stars = draws(&refs, n, b, 7, &crate::methods::Silent);
        let plain = plain_stars(&infs, n, b, 7);
        for (x, (s, p)) in stars.iter().zip(&plain).enumerate() {
            let scale: f64 = infs[x % k].psi.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
            assert!(
                (s - p).abs() <= 1e-13 * scale,
                "draw {}, estimate {}: {s} vs {p}",
                x / k,
                x % k
            );
        }
    }

    /// The baseline build of the kernel (what a processor without AVX2
    /// runs) against the dispatched one, bit for bit, with a partial group.
    #[test]
    fn bootstrap_kernel_is_the_same_bits_at_every_width() {
        let (len, draws) = (70, 13);
        let cols: Vec<Vec<f64>> = (0..TILE)
            .map(|l| {
                (0..len)
                    .map(|i| ((i * 5 + l * 3) % 37) as f64 / 3.0 - 5.1)
                    .collect()
            })
            .collect();
        let psi: [&[f64]; TILE] = std::array::from_fn(|l| cols[l].as_slice());
        let groups = len.div_ceil(GROUP);
        let bytes: Vec<u8> = (0..groups * draws).map(|x| (x * 151 % 256) as u8).collect();
        let start: Vec<[f64; TILE]> = (0..draws)
            .map(|d| std::array::from_fn(|l| (d * TILE + l) as f64 * 0.1))
            .collect();
        let (mut a, mut b) = (start.clone(), start);
        add_tile(&psi, &bytes, groups, &mut a);
        add_tile_any(&psi, &bytes, groups, &mut b);
        let bits = |v: &[[f64; TILE]]| v.iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b));
    }
}
