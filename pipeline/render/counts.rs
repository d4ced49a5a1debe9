//! The counts behind a unit's rates, and a region's one figure of a metric.
//!
//! `unit_metrics` stores rates; the counts they were computed from follow
//! from them and the unit's population (contract §3), each rounded back to
//! the whole number it was:
//!
//! | count | from |
//! |---|---|
//! | disputes received (受理数) | `disputes_per_10k` × population / 10,000 |
//! | disputes resolved (调解成功数) | `resolution_rate` × received |
//! | visits (服务人次) | `visits_per_1k` × population / 1,000 |
//! | cadres, members (干部数, 党员数) | the `members` metric of the role |
//!
//! **A region's figure** — a district's card, a peer group's row, a map's
//! county or province, in the district and the research report alike — is
//! the mean of its units' values weighted by each value's own denominator,
//! which for a rate is the ratio of its summed numerator and denominator:
//! `resolution_rate` and `escalation_rate` weigh by disputes received,
//! `satisfaction` by visits, the age shares, mean age and ageing ratio of a
//! role by that role's headcount, and every other metric (per-resident
//! figures, centre coverage, the index) by population. A count (`members`)
//! is summed. A change is the difference of two periods' figures. A unit
//! whose weight is missing or zero does not enter (its rate has no
//! denominator either).

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use super::{floats, query, strs, table, RenderError};

/// The counts of one unit in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct UnitCounts {
    pub population: Option<f64>,
    pub received: Option<f64>,
    pub resolved: Option<f64>,
    pub visits: Option<f64>,
    pub cadres: Option<f64>,
    pub members: Option<f64>,
}

/// What a metric's figure is weighted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Received,
    Visits,
    Cadres,
    Members,
    Population,
    /// A count: the region's figure is the sum.
    Sum,
}

/// The weight of `metric` (of `breakdown`), as the module doc says.
pub fn weight_of(metric: &str, breakdown: &str) -> Weight {
    match (metric, breakdown) {
        ("members", _) => Weight::Sum,
        ("resolution_rate" | "escalation_rate", _) => Weight::Received,
        ("satisfaction", _) => Weight::Visits,
        ("share_old" | "share_young" | "mean_age" | "aging_ratio", "cadre") => Weight::Cadres,
        ("share_old" | "share_young" | "mean_age" | "aging_ratio", "member") => Weight::Members,
        _ => Weight::Population,
    }
}

impl UnitCounts {
    /// This unit's weight for a metric of weight `w` (None: it does not enter).
    pub fn weight(&self, w: Weight) -> Option<f64> {
        let x = match w {
            Weight::Received => self.received,
            Weight::Visits => self.visits,
            Weight::Cadres => self.cadres,
            Weight::Members => self.members,
            Weight::Population => self.population,
            Weight::Sum => Some(1.0),
        }?;
        (x.is_finite() && x > 0.0).then_some(x)
    }
}

/// The figure of values `(value, counts)` of one region for a metric of
/// weight `w`: a weighted mean, or the sum of a count.
pub fn figure<'a>(
    values: impl IntoIterator<Item = (f64, &'a UnitCounts)>,
    w: Weight,
) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0.0);
    for (v, c) in values {
        if !v.is_finite() {
            continue;
        }
        let Some(k) = c.weight(w) else { continue };
        s += k * v;
        n += k;
    }
    if w == Weight::Sum {
        return (n > 0.0).then_some(s);
    }
    (n > 0.0).then(|| s / n)
}

/// Every unit's counts in each of `periods`: (code, period) → counts.
pub fn read(
    dir: &Path,
    periods: &[String],
) -> Result<HashMap<(String, String), UnitCounts>, RenderError> {
    let units = table(dir, "units")?;
    let population: HashMap<String, f64> = strs(&units, "region_code")
        .into_iter()
        .zip(floats(&units, "population"))
        .filter_map(|(c, p)| Some((c, p?)))
        .collect();
    let wanted = Series::new("p".into(), periods.to_vec());
    let metrics = Series::new(
        "m".into(),
        [
            "disputes_per_10k",
            "resolution_rate",
            "visits_per_1k",
            "members",
        ],
    );
    let df = query(dir, "unit_metrics", |lf| {
        lf.filter(
            col("period")
                .is_in(lit(wanted).implode(false), false)
                .and(col("metric").is_in(lit(metrics).implode(false), false)),
        )
        .select([
            col("region_code"),
            col("period"),
            col("metric"),
            col("breakdown"),
            col("value"),
        ])
    })?;
    let (c, p, m, b) = (
        strs(&df, "region_code"),
        strs(&df, "period"),
        strs(&df, "metric"),
        strs(&df, "breakdown"),
    );
    let v = floats(&df, "value");
    let mut out: HashMap<(String, String), UnitCounts> = HashMap::new();
    let mut rates: HashMap<(String, String), f64> = HashMap::new();
    for i in 0..df.height() {
        let Some(x) = v[i].filter(|x| x.is_finite()) else {
            continue;
        };
        let key = (c[i].clone(), p[i].clone());
        let pop = population.get(&c[i]).copied();
        let e = out.entry(key.clone()).or_insert_with(|| UnitCounts {
            population: pop,
            ..Default::default()
        });
        match (m[i].as_str(), b[i].as_str()) {
            ("disputes_per_10k", "") => e.received = pop.map(|p| (x * p / 10_000.0).round()),
            ("visits_per_1k", "") => e.visits = pop.map(|p| (x * p / 1_000.0).round()),
            ("members", "cadre") => e.cadres = Some(x.round()),
            ("members", "member") => e.members = Some(x.round()),
            ("resolution_rate", "") => {
                rates.insert(key, x);
            }
            _ => {}
        }
    }
    for (key, r) in rates {
        if let Some(e) = out.get_mut(&key) {
            e.resolved = e.received.map(|n| (r * n).round());
        }
    }
    // Only units with a row in a period get an entry: a national run has
    // ~620,000 units over ten periods, and a unit without any of these
    // metrics has no value for a figure to weigh either.
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(received: f64, pop: f64) -> UnitCounts {
        UnitCounts {
            population: Some(pop),
            received: Some(received),
            ..Default::default()
        }
    }

    #[test]
    fn a_rates_figure_is_the_ratio_of_summed_counts() {
        // 9 of 10 and 1 of 30: (9 + 1) / (10 + 30) = 0.25, not (0.9 + 0.033) / 2.
        let (a, b) = (c(10.0, 1000.0), c(30.0, 1000.0));
        let f = figure([(0.9, &a), (1.0 / 30.0, &b)], Weight::Received).unwrap();
        assert!((f - 0.25).abs() < 1e-12, "{f}");
    }

    #[test]
    fn a_unit_without_a_denominator_does_not_enter() {
        let (a, b) = (c(10.0, 1000.0), c(0.0, 1000.0));
        let f = figure([(0.5, &a), (f64::NAN, &b)], Weight::Received).unwrap();
        assert_eq!(f, 0.5);
        assert_eq!(figure([(0.5, &b)], Weight::Received), None);
    }

    #[test]
    fn counts_are_summed() {
        let a = c(1.0, 1.0);
        assert_eq!(figure([(7.0, &a), (5.0, &a)], Weight::Sum), Some(12.0));
    }

    #[test]
    fn each_metric_weighs_by_its_own_denominator() {
        assert_eq!(weight_of("resolution_rate", ""), Weight::Received);
        assert_eq!(weight_of("share_old", "cadre"), Weight::Cadres);
        assert_eq!(weight_of("share_young", "member"), Weight::Members);
        assert_eq!(weight_of("visits_per_1k", ""), Weight::Population);
        assert_eq!(weight_of("score", ""), Weight::Population);
        assert_eq!(weight_of("members", "cadre"), Weight::Sum);
    }
}
