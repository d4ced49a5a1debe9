//! Outlier treatment of an indicator before normalisation, as COINr's
//! default `Treat()` does it (winsorise, then log; the JRC/OECD Handbook's
//! rule):
//!
//! - **Check**: an indicator passes when |skew| < 2 **or** kurtosis < 3.5,
//!   with the sample skewness and excess kurtosis of Excel and e1071
//!   type 2: G1 = n / ((n−1)(n−2)) Σ z³ and
//!   G2 = n(n+1) / ((n−1)(n−2)(n−3)) Σ z⁴ − 3(n−1)² / ((n−2)(n−3)),
//!   z = (x − mean) / sd.
//! - **Winsorise**: while it fails, the most extreme value on the skewed
//!   side (the maximum when the skew is ≥ 0, else the minimum; tied values
//!   together) takes the next value in; at most `winmax` such steps.
//! - **Log**: if it still fails, the original values are log-transformed —
//!   log(x − min + 0.01 (max − min)) for a positive skew and, mirrored so
//!   that higher stays higher, −log(max − x + 0.01 (max − min)) for a
//!   negative one — and checked again (a failure then is reported, not
//!   hidden).
//!
//! Missing values are left out of every statistic and stay missing.

/// Skewness and excess kurtosis (type 2) and whether they pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    pub skew: f64,
    pub kurt: f64,
    pub passes: bool,
}

/// COINr's thresholds.
pub const SKEW: f64 = 2.0;
pub const KURT: f64 = 3.5;

fn moments(x: &[f64]) -> Option<(f64, f64, usize)> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    (sd > 0.0).then_some((mean, sd, n))
}

/// Sample skewness G1 (Excel's SKEW, e1071 type 2); NaN below 3 values or
/// without variation.
pub fn skewness(x: &[f64]) -> f64 {
    match moments(x) {
        Some((m, s, n)) if n >= 3 => {
            let nf = n as f64;
            nf / ((nf - 1.0) * (nf - 2.0)) * x.iter().map(|v| ((v - m) / s).powi(3)).sum::<f64>()
        }
        _ => f64::NAN,
    }
}

/// Sample excess kurtosis G2 (Excel's KURT, e1071 type 2); NaN below 4
/// values or without variation.
pub fn kurtosis(x: &[f64]) -> f64 {
    match moments(x) {
        Some((m, s, n)) if n >= 4 => {
            let nf = n as f64;
            nf * (nf + 1.0) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0))
                * x.iter().map(|v| ((v - m) / s).powi(4)).sum::<f64>()
                - 3.0 * (nf - 1.0).powi(2) / ((nf - 2.0) * (nf - 3.0))
        }
        _ => f64::NAN,
    }
}

/// The check of `x` (values present only). Too few values to say: passes.
pub fn check(x: &[f64]) -> Check {
    let (skew, kurt) = (skewness(x), kurtosis(x));
    let fails = skew.abs() >= SKEW && kurt >= KURT;
    Check {
        skew,
        kurt,
        passes: !fails,
    }
}

/// What was done to an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// It passed as it was (or `winmax = 0` and no log was asked for).
    None,
    /// `steps` winsorising steps on the high (or low) side.
    Winsorised { high: bool, steps: usize },
    /// Log-transformed (mirrored for a negative skew).
    Log { mirrored: bool },
}

impl How {
    pub fn name(self) -> &'static str {
        match self {
            How::None => "none",
            How::Winsorised { high: true, .. } => "winsorised high",
            How::Winsorised { high: false, .. } => "winsorised low",
            How::Log { mirrored: false } => "log",
            How::Log { mirrored: true } => "log (mirrored)",
        }
    }
}

/// An indicator after treatment.
#[derive(Debug, Clone, PartialEq)]
pub struct Treated {
    pub values: Vec<Option<f64>>,
    pub how: How,
    pub before: Check,
    pub after: Check,
    /// (position, before, after) of every value that changed.
    pub changed: Vec<(usize, f64, f64)>,
}

fn present(v: &[Option<f64>]) -> Vec<f64> {
    v.iter().flatten().copied().collect()
}

/// Treats one indicator (see the module docs); `winmax` winsorising steps
/// at most, then the log transform.
pub fn treat(values: &[Option<f64>], winmax: usize) -> Treated {
    let before = check(&present(values));
    let done = |v: Vec<Option<f64>>, how: How| {
        let after = check(&present(&v));
        let changed = values
            .iter()
            .zip(&v)
            .enumerate()
            .filter_map(|(i, (a, b))| match (a, b) {
                (Some(a), Some(b)) if a != b => Some((i, *a, *b)),
                _ => None,
            })
            .collect();
        Treated {
            values: v,
            how,
            before,
            after,
            changed,
        }
    };
    if before.passes {
        return done(values.to_vec(), How::None);
    }
    let mut v = values.to_vec();
    let high = before.skew >= 0.0;
    for step in 1..=winmax {
        let x = present(&v);
        let high = skewness(&x) >= 0.0;
        let extreme = if high {
            x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            x.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let rest = x.iter().copied().filter(|y| *y != extreme);
        let next = if high {
            rest.fold(f64::NEG_INFINITY, f64::max)
        } else {
            rest.fold(f64::INFINITY, f64::min)
        };
        if !next.is_finite() {
            break;
        }
        for y in v.iter_mut().flatten() {
            if *y == extreme {
                *y = next;
            }
        }
        if check(&present(&v)).passes {
            return done(v, How::Winsorised { high, steps: step });
        }
    }
    // Still failing: the log of the original values.
    let x = present(values);
    let (lo, hi) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
            (a.min(*y), b.max(*y))
        });
    let pad = 0.01 * (hi - lo);
    let logged: Vec<Option<f64>> = values
        .iter()
        .map(|y| {
            y.map(|y| {
                if high {
                    (y - lo + pad).ln()
                } else {
                    -(hi - y + pad).ln()
                }
            })
        })
        .collect();
    done(logged, How::Log { mirrored: !high })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// COINr's treatment example: 1..10, 30, 100 fails (skew 3.063241,
    /// kurtosis 9.741391); one winsorised point (100 → 30) passes (1.712038,
    /// 1.815781).
    #[test]
    fn coinr_s_example_is_winsorised_once() {
        let x: Vec<Option<f64>> = (1..=10)
            .map(f64::from)
            .chain([30.0, 100.0])
            .map(Some)
            .collect();
        let t = treat(&x, 5);
        assert!((t.before.skew - 3.063241).abs() < 1e-6, "{}", t.before.skew);
        assert!((t.before.kurt - 9.741391).abs() < 1e-6, "{}", t.before.kurt);
        assert!(!t.before.passes);
        assert_eq!(
            t.how,
            How::Winsorised {
                high: true,
                steps: 1
            }
        );
        assert_eq!(t.changed, vec![(11, 100.0, 30.0)]);
        assert!((t.after.skew - 1.712038).abs() < 1e-6, "{}", t.after.skew);
        assert!((t.after.kurt - 1.815781).abs() < 1e-6, "{}", t.after.kurt);
        assert!(t.after.passes);
    }

    /// A long tail that winsorising cannot tame in `winmax` steps is logged,
    /// every value changes, and the order is kept (mirrored for a left tail).
    #[test]
    fn a_tail_beyond_winmax_is_logged_in_order() {
        let right: Vec<Option<f64>> = (0..40).map(|i| Some(1.5f64.powi(i))).collect();
        let t = treat(&right, 2);
        assert_eq!(t.how, How::Log { mirrored: false });
        assert_eq!(t.changed.len(), 40);
        let left: Vec<Option<f64>> = right.iter().map(|v| v.map(|x| -x)).chain([None]).collect();
        let t = treat(&left, 2);
        assert_eq!(t.how, How::Log { mirrored: true });
        assert_eq!(t.values[40], None, "missing stays missing");
        let v: Vec<f64> = t.values.iter().flatten().copied().collect();
        assert!(v.windows(2).all(|w| w[0] > w[1]), "order kept");
    }

    #[test]
    fn a_passing_indicator_is_left_alone() {
        let x: Vec<Option<f64>> = (1..=12).map(|i| Some(f64::from(i))).collect();
        let t = treat(&x, 5);
        assert_eq!(t.how, How::None);
        assert!(t.changed.is_empty());
    }
}
