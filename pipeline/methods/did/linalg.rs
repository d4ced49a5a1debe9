//! The small dense algebra the 2×2 estimators need: k × k symmetric
//! positive definite systems (k = 1 + covariates), by Cholesky.

/// A k × k matrix, row-major.
pub type Mat = Vec<Vec<f64>>;

/// The Cholesky factor L (A = L Lᵀ), or `None` when A is not positive
/// definite to working precision (a pivot below 1e-12 of its diagonal):
/// a collinear or constant covariate.
pub fn cholesky(a: &Mat) -> Option<Mat> {
    let m = a.len();
    let mut l = vec![vec![0.0; m]; m];
    for i in 0..m {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d.partial_cmp(&(1e-12 * a[i][i].abs().max(1e-300)))
                    != Some(std::cmp::Ordering::Greater)
                {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

/// Solves L Lᵀ x = b.
pub fn solve_chol(l: &Mat, b: &[f64]) -> Vec<f64> {
    let m = b.len();
    let mut y = vec![0.0; m];
    for i in 0..m {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; m];
    for i in (0..m).rev() {
        x[i] = (y[i] - (i + 1..m).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

/// A⁻¹ from its Cholesky factor.
pub fn inverse_chol(l: &Mat) -> Mat {
    let m = l.len();
    let mut inv = vec![vec![0.0; m]; m];
    for j in 0..m {
        let mut e = vec![0.0; m];
        e[j] = 1.0;
        let col = solve_chol(l, &e);
        for i in 0..m {
            inv[i][j] = col[i];
        }
    }
    inv
}

/// Solves A x = b for a symmetric positive definite A.
pub fn solve_spd(a: &Mat, b: &[f64]) -> Option<Vec<f64>> {
    cholesky(a).map(|l| solve_chol(&l, b))
}

/// Σ_i w_i x_i x_iᵀ over rows `x`.
pub fn gram(x: &[Vec<f64>], w: impl Fn(usize) -> f64) -> Mat {
    let k = x.first().map_or(0, Vec::len);
    let mut a = vec![vec![0.0; k]; k];
    for (i, row) in x.iter().enumerate() {
        let wi = w(i);
        if wi == 0.0 {
            continue;
        }
        for p in 0..k {
            for q in 0..=p {
                a[p][q] += wi * row[p] * row[q];
            }
        }
    }
    for p in 1..k {
        let (upper, lower) = a.split_at_mut(p);
        for (q, row) in upper.iter_mut().enumerate() {
            row[p] = lower[0][q];
        }
    }
    a
}

/// x · (M v) for each row x: the rows' linear representation times a
/// derivative vector.
pub fn rows_times(x: &[Vec<f64>], m: &Mat, v: &[f64]) -> Vec<f64> {
    let mv: Vec<f64> = m
        .iter()
        .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect();
    x.iter()
        .map(|row| row.iter().zip(&mv).map(|(a, b)| a * b).sum())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_singular_matrix_has_no_factor() {
        assert!(cholesky(&vec![vec![1.0, 1.0], vec![1.0, 1.0]]).is_none());
        let a = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let x = solve_spd(&a, &[2.0, 1.0]).unwrap();
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12);
        let inv = inverse_chol(&cholesky(&a).unwrap());
        assert!((inv[0][0] - 3.0 / 8.0).abs() < 1e-12);
    }
}
