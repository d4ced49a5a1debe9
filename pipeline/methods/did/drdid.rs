//! The 2 × 2 estimators of one ATT(g, t) on panel data, as R's DRDID
//! package computes them (`drdid_panel`, `std_ipw_did_panel`,
//! `reg_did_panel`), each with its influence function over the cell's
//! units. With ΔY = Y_t − Y_base, D the cohort indicator and X the
//! covariates with an intercept:
//!
//! - **reg**: β from OLS of ΔY on X among controls;
//!   ATT = mean(ΔY | D=1) − mean(Xβ | D=1).
//! - **ipw**: p(X) from a logit of D on X; control weights w = p/(1 − p);
//!   ATT = mean(ΔY | D=1) − Σ w ΔY / Σ w over controls (normalised).
//! - **dr**: both; ATT = mean(ΔY − Xβ | D=1) − Σ w (ΔY − Xβ) / Σ w.
//!
//! As DRDID: p is capped at 1 − 1e-6 and controls with p ≥ 0.995 get no
//! weight (trimming); the influence functions include the estimation effect
//! of β (OLS) and of the logit's coefficients. Without covariates (X = 1)
//! all three are the difference of mean changes.

use super::linalg::{cholesky, gram, inverse_chol, rows_times, solve_chol, Mat};
use super::options::Method;

/// Propensity scores at or above this mean no overlap (R did's check).
const OVERLAP: f64 = 0.999;
/// Controls with a score at or above this are trimmed (DRDID's trim.level).
const TRIM: f64 = 0.995;

/// One cell's data: per unit, ΔY, whether it is in the cohort, and its
/// covariate row (intercept first).
pub struct Cell<'a> {
    pub dy: &'a [f64],
    pub treated: &'a [bool],
    pub x: &'a [Vec<f64>],
}

/// An estimate and its influence function (one value per unit of the cell).
pub struct TwoByTwo {
    pub att: f64,
    pub inf: Vec<f64>,
}

/// The logit of D on X by Newton–Raphson (IRLS): the fitted scores and
/// X'WX at the optimum, or why it cannot be fitted.
fn logit(x: &[Vec<f64>], d: &[bool]) -> Result<(Vec<f64>, Mat), String> {
    let k = x[0].len();
    let mut beta = vec![0.0; k];
    let score = |beta: &[f64]| -> Vec<f64> {
        x.iter()
            .map(|r| {
                let eta: f64 = r.iter().zip(beta).map(|(a, b)| a * b).sum();
                1.0 / (1.0 + (-eta).exp())
            })
            .collect()
    };
    for _ in 0..100 {
        let p = score(&beta);
        let h = gram(x, |i| p[i] * (1.0 - p[i]));
        let l = cholesky(&h).ok_or_else(|| {
            "the propensity score cannot be fitted (covariates separate the cohort from its controls)"
                .to_string()
        })?;
        let grad: Vec<f64> = (0..k)
            .map(|j| {
                x.iter()
                    .zip(&p)
                    .zip(d)
                    .map(|((r, pi), di)| r[j] * (f64::from(u8::from(*di)) - pi))
                    .sum()
            })
            .collect();
        let step = solve_chol(&l, &grad);
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
        }
        if step.iter().all(|s| s.abs() < 1e-11 * (1.0 + s.abs())) {
            let p = score(&beta);
            let h = gram(x, |i| p[i] * (1.0 - p[i]));
            return Ok((p, h));
        }
    }
    Err("the propensity score did not converge in 100 iterations".into())
}

/// OLS of ΔY on X among the controls: β and (X'X / n)⁻¹ with n the cell's
/// units (DRDID's XpX.inv).
fn outcome_regression(c: &Cell) -> Result<(Vec<f64>, Mat), String> {
    let n = c.dy.len() as f64;
    let ctrl = |i: usize| f64::from(u8::from(!c.treated[i]));
    let xtx = gram(c.x, ctrl);
    let l = cholesky(&xtx).ok_or_else(|| {
        "too few control units for the outcome regression on these covariates".to_string()
    })?;
    let k = c.x[0].len();
    let xty: Vec<f64> = (0..k)
        .map(|j| (0..c.dy.len()).map(|i| ctrl(i) * c.x[i][j] * c.dy[i]).sum())
        .collect();
    let beta = solve_chol(&l, &xty);
    let mut inv = inverse_chol(&l);
    for row in &mut inv {
        for v in row.iter_mut() {
            *v *= n;
        }
    }
    Ok((beta, inv))
}

fn mean(v: impl Iterator<Item = f64>, n: f64) -> f64 {
    v.sum::<f64>() / n
}

/// colMeans(w_i x_i) over the cell.
fn col_means(x: &[Vec<f64>], w: impl Fn(usize) -> f64) -> Vec<f64> {
    let n = x.len() as f64;
    let k = x[0].len();
    (0..k)
        .map(|j| (0..x.len()).map(|i| w(i) * x[i][j]).sum::<f64>() / n)
        .collect()
}

/// ATT(g, t) by `method` with its influence function, or why the cell is
/// not estimable.
pub fn estimate(method: Method, c: &Cell) -> Result<TwoByTwo, String> {
    let n = c.dy.len();
    let nf = n as f64;
    let d: Vec<f64> = c.treated.iter().map(|t| f64::from(u8::from(*t))).collect();
    let needs_ps = matches!(method, Method::Dr | Method::Ipw);
    let needs_or = matches!(method, Method::Dr | Method::Reg);
    let ps = if needs_ps {
        let (p, h) = logit(c.x, c.treated)?;
        let max = p.iter().copied().fold(0.0, f64::max);
        if max >= OVERLAP {
            return Err(format!(
                "no overlap: a propensity score of {max:.4} (≥ {OVERLAP}) — covariates nearly separate the cohort from its controls"
            ));
        }
        let l = cholesky(&h).ok_or("the propensity score's information matrix is singular")?;
        let mut hess = inverse_chol(&l);
        for row in &mut hess {
            for v in row.iter_mut() {
                *v *= nf;
            }
        }
        Some((
            p.into_iter().map(|v| v.min(1.0 - 1e-6)).collect::<Vec<_>>(),
            hess,
        ))
    } else {
        None
    };
    let or = if needs_or {
        Some(outcome_regression(c)?)
    } else {
        None
    };
    let fitted: Vec<f64> = match &or {
        Some((beta, _)) => {
            c.x.iter()
                .map(|r| r.iter().zip(beta).map(|(a, b)| a * b).sum())
                .collect()
        }
        None => vec![0.0; n],
    };
    // Trimming: controls with a score ≥ TRIM get no weight.
    let keep: Vec<f64> = match &ps {
        Some((p, _)) => (0..n)
            .map(|i| f64::from(u8::from(c.treated[i] || p[i] < TRIM)))
            .collect(),
        None => vec![1.0; n],
    };
    let w_treat: Vec<f64> = (0..n).map(|i| keep[i] * d[i]).collect();
    let w_cont: Vec<f64> = match (&ps, method) {
        (Some((p, _)), _) => (0..n)
            .map(|i| keep[i] * p[i] * (1.0 - d[i]) / (1.0 - p[i]))
            .collect(),
        // reg: the controls' fitted change averaged over the treated.
        (None, _) => d.clone(),
    };
    let mt = mean(w_treat.iter().copied(), nf);
    let mc = mean(w_cont.iter().copied(), nf);
    if mt <= 0.0 || mc <= 0.0 {
        return Err("no units with weight in the cohort or its controls".into());
    }
    // The treated and control parts of the estimate.
    let resid: Vec<f64> = (0..n)
        .map(|i| match method {
            Method::Ipw => c.dy[i],
            Method::Dr => c.dy[i] - fitted[i],
            Method::Reg => c.dy[i],
        })
        .collect();
    let cont_part: Vec<f64> = (0..n)
        .map(|i| match method {
            Method::Reg => fitted[i],
            _ => resid[i],
        })
        .collect();
    let att_treat: Vec<f64> = (0..n).map(|i| w_treat[i] * resid[i]).collect();
    let att_cont: Vec<f64> = (0..n).map(|i| w_cont[i] * cont_part[i]).collect();
    let eta_t = mean(att_treat.iter().copied(), nf) / mt;
    let eta_c = mean(att_cont.iter().copied(), nf) / mc;
    let att = eta_t - eta_c;

    // Influence functions.
    let ols_lin = |m: &[f64]| -> Vec<f64> {
        // asy.lin.rep.ols %*% m: rows (1−D)(ΔY − Xβ) x_i (X'X/n)⁻¹ m.
        let (_, inv) = or.as_ref().expect("outcome regression");
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                let e = (1.0 - d[i]) * (c.dy[i] - fitted[i]);
                c.x[i].iter().map(|v| v * e).collect()
            })
            .collect();
        rows_times(&rows, inv, m)
    };
    let ps_lin = |m: &[f64]| -> Vec<f64> {
        let (p, hess) = ps.as_ref().expect("propensity score");
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| c.x[i].iter().map(|v| v * (d[i] - p[i])).collect())
            .collect();
        rows_times(&rows, hess, m)
    };
    let inf_treat_1: Vec<f64> = (0..n).map(|i| att_treat[i] - w_treat[i] * eta_t).collect();
    let inf_cont_1: Vec<f64> = (0..n).map(|i| att_cont[i] - w_cont[i] * eta_c).collect();
    let inf: Vec<f64> = match method {
        Method::Reg => {
            let m1 = col_means(c.x, |i| w_cont[i]);
            let c2 = ols_lin(&m1);
            (0..n)
                .map(|i| inf_treat_1[i] / mt - (inf_cont_1[i] + c2[i]) / mc)
                .collect()
        }
        Method::Ipw => {
            let m2 = col_means(c.x, |i| w_cont[i] * (c.dy[i] - eta_c));
            let c2 = ps_lin(&m2);
            (0..n)
                .map(|i| inf_treat_1[i] / mt - (inf_cont_1[i] + c2[i]) / mc)
                .collect()
        }
        Method::Dr => {
            let m1 = col_means(c.x, |i| w_treat[i]);
            let t2 = ols_lin(&m1);
            let m2 = col_means(c.x, |i| w_cont[i] * (c.dy[i] - fitted[i] - eta_c));
            let c2 = ps_lin(&m2);
            let m3 = col_means(c.x, |i| w_cont[i]);
            let c3 = ols_lin(&m3);
            (0..n)
                .map(|i| (inf_treat_1[i] - t2[i]) / mt - (inf_cont_1[i] + c2[i] - c3[i]) / mc)
                .collect()
        }
    };
    if !att.is_finite() || inf.iter().any(|v| !v.is_finite()) {
        return Err("the estimate is not finite (degenerate weights)".into());
    }
    Ok(TwoByTwo { att, inf })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without covariates every method is the difference of mean changes,
    /// and the influence function is n/n_D (ΔY − mean) for the treated.
    #[test]
    fn without_covariates_all_methods_are_the_difference_of_means() {
        let dy = [1.0, 3.0, 0.0, 1.0, 2.0];
        let treated = [true, true, false, false, false];
        let x: Vec<Vec<f64>> = vec![vec![1.0]; 5];
        let cell = Cell {
            dy: &dy,
            treated: &treated,
            x: &x,
        };
        for m in [Method::Dr, Method::Ipw, Method::Reg] {
            let e = estimate(m, &cell).unwrap();
            assert!((e.att - (2.0 - 1.0)).abs() < 1e-12, "{m:?} {}", e.att);
            assert!(
                (e.inf[0] - 5.0 / 2.0 * (1.0 - 2.0)).abs() < 1e-9,
                "{m:?} {:?}",
                e.inf
            );
            assert!(
                (e.inf[2] + 5.0 / 3.0 * (0.0 - 1.0)).abs() < 1e-9,
                "{m:?} {:?}",
                e.inf
            );
        }
    }

    #[test]
    fn separated_covariates_are_no_overlap_not_a_nan() {
        let dy = [1.0, 3.0, 0.0, 1.0];
        let treated = [true, true, false, false];
        let x: Vec<Vec<f64>> = [5.0, 6.0, 1.0, 2.0].iter().map(|v| vec![1.0, *v]).collect();
        let cell = Cell {
            dy: &dy,
            treated: &treated,
            x: &x,
        };
        let err = estimate(Method::Dr, &cell).err().unwrap();
        assert!(err.contains("overlap") || err.contains("separate"), "{err}");
    }
}
