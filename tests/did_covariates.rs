//! The sample's planted confounder: satisfaction rises faster in larger
//! communities and the adopting counties are the more rural, so the
//! unconditional adoption effect is biased; conditioning on log population
//! (doubly robust) recovers the planted effect inside its 95% interval.

mod common;

use common::{f64s, parquet, strs, Workdir};
use govlens::contract::Model;
use govlens::generate::planted_effect;

/// The simple ATT the generator planted: post-adoption cells weighted by
/// cohort size, each cohort's effect the mean of its units' models'.
fn planted_simple(units: &polars::prelude::DataFrame, years: std::ops::RangeInclusive<i32>) -> f64 {
    let (models, adopted) = (
        strs(units, "governance_model"),
        f64s(units, "model_adopted"),
    );
    let mut cohorts: std::collections::BTreeMap<i32, (f64, f64)> = Default::default();
    for (m, g) in models.iter().zip(&adopted) {
        let Some(g) = g else { continue };
        let model = Model::ALL.into_iter().find(|x| x.name() == m).unwrap();
        let e = cohorts.entry(*g as i32).or_default();
        e.0 += planted_effect(model).satisfaction_pts;
        e.1 += 1.0;
    }
    let (mut num, mut den) = (0.0, 0.0);
    for (g, (sum, n)) in &cohorts {
        for t in years.clone() {
            if t >= *g {
                num += n * sum / n;
                den += n;
            }
        }
    }
    num / den
}

fn simple(wd: &Workdir, covariates: &str) -> (f64, f64, f64) {
    let cfg = common::sample_config(
        wd,
        &format!(
            "\n[compare]\nadoption_metrics = [\"satisfaction\"]\nse = \"analytic\"\ncovariates = {covariates}\n\n[index]\ndraws = 0\n"
        ),
    );
    let cfg = cfg.to_str().unwrap();
    wd.ok(&["ingest", "--config", cfg]);
    wd.ok(&["compare", "--config", cfg]);
    let eff = parquet(&wd.path("out/latest/tables/adoption_effects.parquet"));
    let kind = strs(&eff, "kind");
    let i = kind.iter().position(|k| k == "simple").unwrap();
    let get = |c: &str| f64s(&eff, c)[i].unwrap();
    (get("att"), get("ci_low"), get("ci_high"))
}

#[test]
fn conditioning_on_population_recovers_the_planted_effect_the_unconditional_misses() {
    let wd = Workdir::new();
    let (att, lo, hi) = simple(&wd, "[]");
    let units = parquet(&wd.path("out/latest/tables/units.parquet"));
    let truth = planted_simple(&units, 2015..=2024);
    assert!(
        !(lo..=hi).contains(&truth),
        "unconditional {att} [{lo}, {hi}] should miss the planted {truth}"
    );
    let wd = Workdir::new();
    let (att, lo, hi) = simple(&wd, "[\"log_population\"]");
    assert!(
        (lo..=hi).contains(&truth),
        "doubly robust {att} [{lo}, {hi}] should hold the planted {truth}"
    );
    let tests = parquet(&wd.path("out/latest/tables/adoption_tests.parquet"));
    assert_eq!(strs(&tests, "covariates"), vec!["log_population"]);
    assert_eq!(strs(&tests, "method"), vec!["dr"]);
}
