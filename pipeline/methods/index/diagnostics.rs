//! The statistics a composite index is checked with (COINr's
//! `get_corr`, `get_cronbach`, `get_PCA`, `get_eff_weights`; the JRC/OECD
//! Handbook's step 4), pure:
//!
//! - **Correlations**: Pearson on the pairs both present, and Spearman (the
//!   Pearson correlation of average ranks, ties averaged).
//! - **Cronbach's alpha** over complete cases:
//!   α = k/(k − 1) · (1 − Σ var(x_i) / var(Σ x_i)), sample variances.
//! - **First principal component** of the indicators' correlation matrix
//!   (Jacobi eigen-decomposition): its loadings and the share of variance it
//!   explains. As COINr warns, a component's sign is arbitrary: the loadings
//!   are signed so that they sum to a positive number.
//! - **Effective weights**: each indicator's weight inside its pillar times
//!   the pillar's weight, normalised to sum to 1 — what arithmetic
//!   aggregation gives each indicator in the index.

/// Pearson's r over the pairs where both are present; `None` with fewer
/// than 3 pairs or no variation.
pub fn pearson(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .collect();
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f64;
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in &pairs {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Average ranks (1-based, ties averaged) of the present values.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            out[idx[k]] = r;
        }
        i = j + 1;
    }
    out
}

/// Spearman's ρ over the pairs where both are present.
pub fn spearman(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .unzip();
    let (ra, rb) = (ranks(&a), ranks(&b));
    let wrap = |v: Vec<f64>| v.into_iter().map(Some).collect::<Vec<_>>();
    pearson(&wrap(ra), &wrap(rb))
}

fn variance(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
}

/// Each item's values over the units that have every item; `None` below
/// two items.
fn complete_units(items: &[Vec<Option<f64>>]) -> Option<Vec<Vec<f64>>> {
    if items.len() < 2 {
        return None;
    }
    let complete: Vec<usize> = (0..items[0].len())
        .filter(|&u| items.iter().all(|it| it[u].is_some()))
        .collect();
    Some(
        items
            .iter()
            .map(|it| complete.iter().filter_map(|&u| it[u]).collect())
            .collect(),
    )
}

/// Cronbach's alpha of `items` (per item, a value per unit) over the units
/// with every item present; `None` below 2 items or 3 complete units.
pub fn cronbach_alpha(items: &[Vec<Option<f64>>]) -> Option<f64> {
    let k = items.len();
    let cols = complete_units(items)?;
    if cols[0].len() < 3 {
        return None;
    }
    let item_var: f64 = cols.iter().map(|c| variance(c)).sum();
    let totals: Vec<f64> = (0..cols[0].len())
        .map(|u| cols.iter().map(|c| c[u]).sum())
        .collect();
    let total_var = variance(&totals);
    let kf = k as f64;
    (total_var > 0.0).then(|| kf / (kf - 1.0) * (1.0 - item_var / total_var))
}

/// Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic
/// Jacobi rotations.
fn jacobi(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for _ in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j].powi(2))
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in a.iter_mut() {
                    let (akp, akq) = (row[p], row[q]);
                    row[p] = c * akp - s * akq;
                    row[q] = s * akp + c * akq;
                }
                let (rp, rq) = (a[p].clone(), a[q].clone());
                for (k, (apk, aqk)) in rp.into_iter().zip(rq).enumerate() {
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}

/// The first principal component of `items`' correlation matrix (complete
/// units): (loadings, share of variance explained).
pub fn first_component(items: &[Vec<Option<f64>>]) -> Option<(Vec<f64>, f64)> {
    let k = items.len();
    let cols: Vec<Vec<Option<f64>>> = complete_units(items)?
        .into_iter()
        .map(|c| c.into_iter().map(Some).collect())
        .collect();
    let mut r = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..k {
            r[i][j] = if i == j {
                1.0
            } else {
                pearson(&cols[i], &cols[j])?
            };
        }
    }
    let (values, vectors) = jacobi(r);
    let top = (0..k).max_by(|&a, &b| values[a].total_cmp(&values[b]))?;
    let mut load: Vec<f64> = vectors.iter().map(|row| row[top]).collect();
    if load.iter().sum::<f64>() < 0.0 {
        for l in &mut load {
            *l = -*l;
        }
    }
    Some((load, values[top] / k as f64))
}

/// Effective weights: indicator weight × pillar weight, normalised to 1.
/// `indicators` are (pillar, weight within pillar); pillar weights by name
/// (1 when not listed); the weights within a pillar are normalised first.
pub fn effective_weights(
    indicators: &[(String, f64)],
    pillar_weights: &[(String, f64)],
) -> Vec<f64> {
    let pw = |p: &str| {
        pillar_weights
            .iter()
            .find(|(n, _)| n == p)
            .map_or(1.0, |(_, w)| *w)
    };
    let within = |p: &str| -> f64 {
        indicators
            .iter()
            .filter(|(q, _)| q == p)
            .map(|(_, w)| w)
            .sum()
    };
    let mut pillars: Vec<&str> = Vec::new();
    for (p, _) in indicators {
        if !pillars.contains(&p.as_str()) {
            pillars.push(p);
        }
    }
    let total: f64 = pillars.iter().map(|p| pw(p)).sum();
    indicators
        .iter()
        .map(|(p, w)| w / within(p) * pw(p) / total)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_averages_ties_and_pearson_needs_pairs() {
        let x = [Some(1.0), Some(2.0), Some(2.0), Some(4.0), None];
        let y = [Some(1.0), Some(3.0), Some(2.0), Some(4.0), Some(9.0)];
        // Ranks 1, 2.5, 2.5, 4 against 1, 3, 2, 4: r = 4.5 / sqrt(4.5 × 5).
        let rho = spearman(&x, &y).unwrap();
        assert!((rho - 4.5 / (4.5f64 * 5.0).sqrt()).abs() < 1e-12, "{rho}");
        assert_eq!(pearson(&x[..2], &y[..2]), None);
    }

    #[test]
    fn effective_weights_multiply_through_the_levels() {
        let ind = [("a".to_string(), 1.0), ("a".into(), 1.0), ("b".into(), 2.0)];
        let w = effective_weights(&ind, &[("b".into(), 2.0)]);
        assert_eq!(w, vec![1.0 / 6.0, 1.0 / 6.0, 2.0 / 3.0]);
    }
}
