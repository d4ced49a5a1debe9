//! The event study as HonestDiD (Rambachan & Roth 2023) reads it: the
//! estimates β̂ of the relative periods, their covariance V̂ and how many of
//! them are before adoption — what R's `HonestDiD::honest_did()` builds from
//! a did `aggte(type = "dynamic")` object, here from [`Did`] or from a run's
//! `event_study` and `event_vcov` tables.
//!
//! As `honest_did` does for did: the reference period, normalised to 0 under
//! a universal base period (e = −1 − δ, zero variance), is left out; the
//! pre-periods are the event times before −δ (before adoption and any
//! anticipation), the post-periods the rest. Under a varying base period
//! every event time is an estimate and is kept; HonestDiD's authors
//! recommend a universal base period for its bounds, which [`EventStudy::
//! warnings`] says.

use super::options::BasePeriod;
use super::{Did, Kind};

/// β̂, V̂ and the numbers of pre and post periods, in event-time order.
#[derive(Debug, Clone, PartialEq)]
pub struct EventStudy {
    /// The event times kept (the reference period left out).
    pub times: Vec<i32>,
    pub beta: Vec<f64>,
    /// Row-major, `times.len()` square.
    pub vcov: Vec<Vec<f64>>,
    pub n_pre: usize,
    pub n_post: usize,
    /// The event time left out as the reference (universal base), if any.
    pub reference: Option<i32>,
    pub base_period: BasePeriod,
    pub anticipation: i32,
}

impl EventStudy {
    /// From the dynamic aggregation of `d` (`times`, `beta` and the full
    /// covariance in the same order).
    pub fn new(
        times: &[i32],
        beta: &[f64],
        vcov: &[Vec<f64>],
        base_period: BasePeriod,
        anticipation: i32,
    ) -> Self {
        let reference = match base_period {
            BasePeriod::Universal => Some(-1 - anticipation).filter(|r| times.contains(r)),
            BasePeriod::Varying => None,
        };
        let keep: Vec<usize> = (0..times.len())
            .filter(|&i| Some(times[i]) != reference)
            .collect();
        let times: Vec<i32> = keep.iter().map(|&i| times[i]).collect();
        let n_pre = times.iter().filter(|&&e| e < -anticipation).count();
        EventStudy {
            n_post: times.len() - n_pre,
            n_pre,
            beta: keep.iter().map(|&i| beta[i]).collect(),
            vcov: keep
                .iter()
                .map(|&i| keep.iter().map(|&j| vcov[i][j]).collect())
                .collect(),
            times,
            reference,
            base_period,
            anticipation,
        }
    }

    /// From an estimate.
    pub fn of(d: &Did, base_period: BasePeriod, anticipation: i32) -> Self {
        let keyed = d.keyed(Kind::Dynamic);
        let times: Vec<i32> = keyed.iter().map(|(e, _)| *e).collect();
        let beta: Vec<f64> = keyed.iter().map(|(_, a)| a.estimate.att).collect();
        Self::new(&times, &beta, &d.event_vcov, base_period, anticipation)
    }

    /// Whether an event time has (near) zero variance — an outcome that
    /// never varied: V̂ is then singular and HonestDiD cannot use it.
    pub fn singular(&self) -> bool {
        (0..self.times.len()).any(|i| self.vcov[i][i].max(0.0).sqrt() <= super::inference::ZERO_SE)
    }

    /// What a reader of the bounds must know: a varying base period, or no
    /// pre-period or no post-period (HonestDiD needs both).
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.base_period == BasePeriod::Varying {
            w.push("base_period = \"varying\": HonestDiD's authors recommend a universal base period for its bounds (rerun with base_period = \"universal\"); the pre-period estimates here compare each year with the one before".into());
        }
        let flat: Vec<String> = (0..self.times.len())
            .filter(|&i| self.vcov[i][i].max(0.0).sqrt() <= super::inference::ZERO_SE)
            .map(|i| self.times[i].to_string())
            .collect();
        if !flat.is_empty() {
            w.push(format!("event time(s) {} have zero variance (the outcome did not vary): the covariance is singular, and HonestDiD needs those periods left out", flat.join(", ")));
        }
        if self.n_pre == 0 {
            w.push(
                "no pre-adoption period: HonestDiD has nothing to bound the violation with".into(),
            );
        }
        if self.n_post == 0 {
            w.push("no post-adoption period: there is no effect to bound".into());
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: usize) -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| (0..n).map(|j| (10 * i + j + 1) as f64).collect())
            .collect()
    }

    #[test]
    fn universal_base_leaves_out_its_reference_period_row_and_column() {
        let times = [-3, -2, -1, 0, 1];
        let beta = [0.3, 0.2, 0.0, 0.5, 0.6];
        let es = EventStudy::new(&times, &beta, &v(5), BasePeriod::Universal, 0);
        assert_eq!(es.times, vec![-3, -2, 0, 1]);
        assert_eq!(es.beta, vec![0.3, 0.2, 0.5, 0.6]);
        assert_eq!(es.vcov[1], vec![11.0, 12.0, 14.0, 15.0]);
        assert_eq!((es.n_pre, es.n_post, es.reference), (2, 2, Some(-1)));
        assert!(es.warnings().is_empty());
    }

    #[test]
    fn an_event_time_without_variance_makes_sigma_singular_and_is_said() {
        let mut m = v(3);
        m[1][1] = 0.0;
        let es = EventStudy::new(&[-2, 0, 1], &[0.1, 0.0, 0.2], &m, BasePeriod::Universal, 0);
        assert!(es.singular());
        assert!(es
            .warnings()
            .iter()
            .any(|w| w.contains("event time(s) 0 have zero variance")));
        assert!(
            !EventStudy::new(&[-2, 0, 1], &[0.1; 3], &v(3), BasePeriod::Universal, 0).singular()
        );
    }

    #[test]
    fn anticipation_moves_the_reference_and_the_first_post_period() {
        let times = [-3, -2, -1, 0];
        let es = EventStudy::new(&times, &[1.0; 4], &v(4), BasePeriod::Universal, 1);
        assert_eq!(es.reference, Some(-2));
        assert_eq!(es.times, vec![-3, -1, 0]);
        assert_eq!((es.n_pre, es.n_post), (1, 2));
    }

    #[test]
    fn varying_base_keeps_every_estimate_and_says_so() {
        let times = [-2, -1, 0];
        let es = EventStudy::new(&times, &[1.0; 3], &v(3), BasePeriod::Varying, 0);
        assert_eq!(es.times, vec![-2, -1, 0]);
        assert_eq!((es.n_pre, es.n_post, es.reference), (2, 1, None));
        assert!(es.warnings()[0].contains("universal"));
    }
}
