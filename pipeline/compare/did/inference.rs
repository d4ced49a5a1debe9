//! Inference on many estimates that share units: analytic standard errors
//! from the influence functions, the multiplier bootstrap (Rademacher
//! weights, R did's IQR scale), the sup-t critical value of a uniform band,
//! and the Wald pre-test.

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

/// sqrt(Σ ψ_i²) / n: what R reports with `bstrap = FALSE`.
pub fn analytic_se(inf: &Inf) -> f64 {
    let n = inf.psi.len() as f64;
    inf.psi.iter().map(|x| x * x).sum::<f64>().sqrt() / n
}

/// Units per block of the multiplier bootstrap: a block of influence values
/// (units × estimates) stays in cache while every draw passes over it.
const BLOCK: usize = 2048;

/// Draws a task of the multiplier bootstrap adds a block's rows to (see
/// [`add_block`]).
const DRAWS_AT_ONCE: usize = 8;

/// Estimates a register tile of the multiplier bootstrap spans (see
/// [`add_block`]): with eight draws, eight vectors of eight sums.
const TILE: usize = 8;

/// The bootstrap draws of (1/n) Σ v_i ψ_i for every estimate, draw-major
/// (`draws × k`), with shared Rademacher draws.
///
/// The sums are a (draws × n) by (n × estimates) product. Done draw by draw
/// it streamed every ψ from memory once a draw (half a terabyte at national
/// scale); here units go in blocks, transposed so that a unit's estimates are
/// contiguous, and every draw runs over a block while it is in cache. Draw
/// `b`'s signs are the bits of ChaCha stream `b + 1` of `seed`, 64 units a
/// word, read at the block's offset: the same whatever the threads.
pub fn draws(infs: &[&Inf], n: usize, draws: usize, seed: u64) -> Vec<f64> {
    let k = infs.len();
    let bar = crate::progress::bar(
        n.div_ceil(BLOCK) as u64,
        crate::progress::Unit::Steps,
        format!("DiD bootstrap ({n} units, {draws} draws)"),
    );
    let mut stars = vec![0.0f64; draws * k];
    // Rows padded to whole tiles of TILE estimates (the padding is zeros
    // whose sums are never read).
    let kp = k.div_ceil(TILE) * TILE;
    let mut block = vec![0.0f64; BLOCK * kp];
    for start in (0..n).step_by(BLOCK) {
        let len = BLOCK.min(n - start);
        for i in 0..len {
            for (j, inf) in infs.iter().enumerate() {
                block[i * kp + j] = inf.psi[start + i];
            }
        }
        let block = &block[..len * kp];
        // DRAWS_AT_ONCE draws a task (see add_block); each draw's sums
        // still run over the units in order, so the stars are the bits one
        // draw at a time gave.
        stars
            .par_chunks_mut((k * DRAWS_AT_ONCE).max(1))
            .enumerate()
            .for_each(|(c, accs)| {
                let first = c * DRAWS_AT_ONCE;
                let nd = accs.len() / k.max(1);
                // Draw d's signs: the bits of its stream, 64 units a word,
                // from the block's offset (two 32-bit words per 64 units;
                // BLOCK is a multiple of 64); 0 for the draws past nd.
                let mut signs = vec![[0.0f64; DRAWS_AT_ONCE]; len];
                for d in 0..nd {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    rng.set_stream((first + d) as u64 + 1);
                    rng.set_word_pos((start / 64 * 2) as u128);
                    let mut bits = 0u64;
                    for (i, s) in signs.iter_mut().enumerate() {
                        if i % 64 == 0 {
                            bits = rng.next_u64();
                        }
                        s[d] = if bits >> (i % 64) & 1 == 1 { 1.0 } else { -1.0 };
                    }
                }
                add_block(block, kp, k, &signs, accs);
            });
        bar.inc(1);
    }
    bar.finish_and_clear();
    for s in &mut stars {
        *s /= n as f64;
    }
    stars
}

/// Adds a block's rows (units × `kp` padded estimates), each signed for
/// each of up to [`DRAWS_AT_ONCE`] draws by `signs`, to the draws' sums
/// (`accs`, draw-major, `k` a draw). Register tiles: TILE estimates × the
/// task's draws are held in vector registers while the block's rows pass,
/// a row's tile loaded once for all draws and the draws' signs once a row
/// (one draw at a time loaded and stored every sum every row: 72 GB from
/// cache a metric at 100k units). Built for the widest vectors the
/// processor has: the adds and their order are the same at every width
/// (Rust never fuses a multiply and an add), so the sums are the same bits
/// on any machine.
fn add_block(block: &[f64], kp: usize, k: usize, signs: &[Signs], accs: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has the feature, checked just above.
            return unsafe { add_block_avx512(block, kp, k, signs, accs) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { add_block_avx2(block, kp, k, signs, accs) };
        }
    }
    add_block_any(block, kp, k, signs, accs)
}

/// One row's signs for the draws of a task.
type Signs = [f64; DRAWS_AT_ONCE];

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn add_block_avx512(block: &[f64], kp: usize, k: usize, signs: &[Signs], accs: &mut [f64]) {
    add_block_any(block, kp, k, signs, accs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_block_avx2(block: &[f64], kp: usize, k: usize, signs: &[Signs], accs: &mut [f64]) {
    add_block_any(block, kp, k, signs, accs)
}

/// [`add_block`]'s loops, inlined into each width's function.
#[inline(always)]
fn add_block_any(block: &[f64], kp: usize, k: usize, signs: &[Signs], accs: &mut [f64]) {
    let nd = accs.len() / k.max(1);
    for t in (0..kp).step_by(TILE) {
        // acc[l][d]: estimate t + l of draw d.
        let mut acc = [[0.0f64; DRAWS_AT_ONCE]; TILE];
        for (l, a) in acc.iter_mut().enumerate().filter(|(l, _)| t + l < k) {
            for (d, x) in a.iter_mut().enumerate().take(nd) {
                *x = accs[d * k + t + l];
            }
        }
        for (row, s) in block.chunks_exact(kp).zip(signs) {
            let r: &[f64; TILE] = row[t..t + TILE].try_into().expect("a whole tile");
            // Constant bounds, so that the tile lives in registers.
            #[allow(clippy::needless_range_loop)]
            for l in 0..TILE {
                let p = r[l];
                for d in 0..DRAWS_AT_ONCE {
                    acc[l][d] += s[d] * p;
                }
            }
        }
        for (l, a) in acc.iter().enumerate().filter(|(l, _)| t + l < k) {
            for (d, x) in a.iter().enumerate().take(nd) {
                accs[d * k + t + l] = *x;
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
    let family: Vec<(usize, f64)> = family
        .iter()
        .copied()
        .filter(|(_, se)| se.is_finite() && *se > ZERO_SE)
        .collect();
    if family.is_empty() {
        return None;
    }
    let draws = stars.len() / k.max(1);
    let mut t: Vec<f64> = (0..draws)
        .map(|b| {
            family
                .iter()
                .map(|&(j, se)| (stars[b * k + j] / se).abs())
                .fold(0.0, f64::max)
        })
        .collect();
    t.sort_by(f64::total_cmp);
    Some(quantile_type1(&t, 1.0 - alpha))
}

/// The normal critical value z_{1−α/2}.
pub fn z(alpha: f64) -> f64 {
    Normal::new(0.0, 1.0)
        .expect("standard normal")
        .inverse_cdf(1.0 - alpha / 2.0)
}

/// The joint Wald test that every pre-adoption ATT(g, t) is zero.
#[derive(Debug, Clone, PartialEq)]
pub struct PreTrend {
    pub wald: f64,
    pub df: usize,
    pub p: f64,
}

/// W = θ' V⁻¹ θ with V = Σ ψψ' / n² the analytic covariance of the
/// pre-period cells; `None` without such cells or when V is singular.
pub fn pre_test(pre: &[&Inf]) -> Option<PreTrend> {
    let pre: Vec<&&Inf> = pre.iter().filter(|p| analytic_se(p) > ZERO_SE).collect();
    if pre.is_empty() {
        return None;
    }
    let m = pre.len();
    let nf = pre[0].psi.len() as f64;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_1_quantile_is_the_inverse_empirical_cdf() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_type1(&v, 0.25), 1.0);
        assert_eq!(quantile_type1(&v, 0.26), 2.0);
        assert_eq!(quantile_type1(&v, 0.95), 4.0);
    }

    /// Guards the blocked, several-draws-a-task, widest-vector kernel: each
    /// star must be the plain sum over units in order, Σ v_i ψ_i / n, with
    /// draw b's signs read from its stream 64 units a word. n is neither a
    /// multiple of 64 nor of BLOCK, the draws not of DRAWS_AT_ONCE.
    #[test]
    fn bootstrap_draws_are_the_plain_sums_bit_for_bit() {
        let (n, k, b) = (BLOCK + 300, 5, DRAWS_AT_ONCE * 2 + 3);
        let infs: Vec<Inf> = (0..k)
            .map(|j| Inf {
                att: 0.0,
                psi: (0..n)
                    .map(|i| ((i * 7 + j * 13) % 101) as f64 / 7.0 - 6.0)
                    .collect(),
            })
            .collect();
        let refs: Vec<&Inf> = infs.iter().collect();
        let stars = draws(&refs, n, b, 42);
        for d in 0..b {
            let mut rng = ChaCha8Rng::seed_from_u64(42);
            rng.set_stream(d as u64 + 1);
            let mut bits = 0u64;
            let mut acc = vec![0.0f64; k];
            for i in 0..n {
                if i % 64 == 0 {
                    bits = rng.next_u64();
                }
                let sign = if bits >> (i % 64) & 1 == 1 { 1.0 } else { -1.0 };
                for (a, inf) in acc.iter_mut().zip(&infs) {
                    *a += sign * inf.psi[i];
                }
            }
            for j in 0..k {
                assert_eq!(
                    stars[d * k + j].to_bits(),
                    (acc[j] / n as f64).to_bits(),
                    "draw {d}, estimate {j}"
                );
            }
        }
        // The baseline build of the kernel (what a processor without
        // AVX2 runs) against the dispatched one, on a tile and a half.
        let (k, kp, rows) = (12, 16, 70);
        let block: Vec<f64> = (0..rows * kp)
            .map(|x| {
                if x % kp < k {
                    (x % 37) as f64 / 3.0 - 5.0
                } else {
                    0.0
                }
            })
            .collect();
        let signs: Vec<Signs> = (0..rows)
            .map(|i| std::array::from_fn(|d| if (i * 3 + d) % 5 < 2 { 1.0 } else { -1.0 }))
            .collect();
        let start: Vec<f64> = (0..5 * k).map(|x| x as f64 * 0.1).collect();
        let (mut a, mut b) = (start.clone(), start);
        add_block(&block, kp, k, &signs, &mut a);
        add_block_any(&block, kp, k, &signs, &mut b);
        assert_eq!(
            a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
}
