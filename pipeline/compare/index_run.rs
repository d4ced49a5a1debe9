//! The run's index, period by period: each period's units and indicators
//! from the grouped unit metrics, prepared as `govlens index` prepares a
//! table ([`super::index_prepare`]: imputation, treatment, PCA weights when
//! asked), scored, ranked and — for the periods that get them — given Monte
//! Carlo rank intervals. The group imputations fill within each unit's
//! model or district; `latest` reads each unit's latest earlier value from
//! a [`History`] the stage keeps across periods (and batches).

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use super::tables::{sub_seed, Grouped};
use crate::config::{Config, IndexGroup};
use crate::methods::index::imputation;
use crate::methods::index::imputation::Imputation;
use crate::methods::index::prepare::{pca_weights, prepare, Context, Prepared};
use crate::methods::index::score as index;
use crate::methods::index::score::{Aggregation, Normalisation};
use crate::methods::index::spec::IndexStudy;
use crate::metrics::Unit;

/// Per unit, its latest value of each indicator so far (raw, as read).
#[derive(Debug, Default)]
pub(super) struct History(BTreeMap<String, Vec<Option<f64>>>);

impl History {
    /// Whether the config's imputation reads the history at all.
    pub(super) fn needed(config: &Config) -> bool {
        config.index.imputation == "latest"
    }

    /// Adds `input`'s values (a later period than any before).
    pub(super) fn remember(&mut self, input: &index::Input) {
        for (u, row) in input.units.iter().zip(&input.values) {
            let e = self
                .0
                .entry(u.clone())
                .or_insert_with(|| vec![None; row.len()]);
            for (slot, v) in e.iter_mut().zip(row) {
                if v.is_some() {
                    *slot = *v;
                }
            }
        }
    }
}

/// A period's index input and the context its imputation needs.
pub(super) struct IndexPeriod {
    pub input: index::Input,
    pub ctx: Context,
}

/// The index's input for one period: the units with at least one
/// indicator, in code order, with their groups (by `[index] group`) and,
/// when the imputation is `latest`, their history.
pub(super) fn index_input(
    g: &Grouped,
    config: &Config,
    period: &str,
    units: &HashMap<&str, &Unit>,
    history: &History,
) -> Option<IndexPeriod> {
    let spec = &config.index;
    let indicators: Vec<index::Indicator> = spec
        .indicators
        .iter()
        .map(|i| index::Indicator {
            name: match &i.breakdown {
                Some(b) => format!("{}:{b}", i.metric),
                None => i.metric.clone(),
            },
            pillar: i.pillar.clone(),
            direction: i.direction,
            weight: i.weight,
        })
        .collect();
    let k = spec.indicators.len();
    let mut values: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    for (j, ind) in spec.indicators.iter().enumerate() {
        let key = (
            ind.metric.clone(),
            ind.breakdown.clone().unwrap_or_default(),
            period.to_string(),
        );
        for v in g.get(&key).into_iter().flat_map(|m| m.values()).flatten() {
            values.entry(v.0.clone()).or_insert_with(|| vec![None; k])[j] = Some(v.1);
        }
    }
    if values.is_empty() {
        return None;
    }
    let codes: Vec<String> = values.keys().cloned().collect();
    // A unit without a model (or district) is its own group of one: the
    // group methods then have nothing to fill it with and say so.
    let group_of = |c: &String| -> String {
        let u = units.get(c.as_str());
        match spec.group {
            IndexGroup::Model => u.and_then(|u| u.model.clone()),
            IndexGroup::District => u.and_then(|u| u.district.clone()),
        }
        .unwrap_or_else(|| format!("({c})"))
    };
    let ctx = Context {
        groups: Some(codes.iter().map(group_of).collect()),
        earlier: History::needed(config).then(|| {
            codes
                .iter()
                .map(|c| history.0.get(c).cloned().unwrap_or_else(|| vec![None; k]))
                .collect()
        }),
    };
    Some(IndexPeriod {
        input: index::Input {
            units: codes,
            indicators,
            pillar_weights: spec.pillars.clone(),
            values: values.into_values().collect(),
        },
        ctx,
    })
}

/// The period's input prepared by the config (imputation, treatment, PCA
/// weights). What the period's data does not allow — a group with no value
/// to fill from, PCA weights that would reverse an indicator — falls back
/// (no imputation; the given weights) with a note, so that a scheduled run
/// still publishes.
pub(super) fn prepared(p: &IndexPeriod, config: &Config, period: &str) -> (Prepared, Vec<String>) {
    let spec = &config.index;
    let mut notes = Vec::new();
    let how = imputation(&spec.imputation).expect("checked by config");
    let mut out = match prepare(&p.input, spec.winmax, how, &p.ctx) {
        Ok(out) => out,
        Err(e) => {
            notes.push(format!(
                "index {period}: imputation \"{}\" not made ({e}); the period's index renormalises the weights over the indicators each unit has",
                spec.imputation
            ));
            prepare(&p.input, spec.winmax, Imputation::None, &p.ctx)
                .expect("no imputation cannot fail")
        }
    };
    if spec.weights == "pca" {
        match pca_weights(&out.input) {
            Ok(w) => {
                for (i, w) in out.input.indicators.iter_mut().zip(w) {
                    i.weight = w;
                }
            }
            Err(e) => notes.push(format!(
                "index {period}: PCA weights not used ({e}); the given weights are"
            )),
        }
    }
    (out, notes)
}

/// index_scores: per period, the configured index, its rank and (with
/// `intervals`) the Monte Carlo rank interval, and which of each unit's
/// indicators were imputed or treated; with the notes of any fallback.
pub(super) fn index_scores(
    g: &Grouped,
    config: &Config,
    intervals: bool,
    units: &HashMap<&str, &Unit>,
    history: &History,
) -> PolarsResult<(DataFrame, Vec<String>)> {
    let spec = &config.index;
    let periods: Vec<String> = g
        .keys()
        .map(|k| k.2.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut t = ScoreRows::default();
    let mut notes = Vec::new();
    for period in &periods {
        let Some(ip) = index_input(g, config, period, units, history) else {
            continue;
        };
        let (prep, n) = prepared(&ip, config, period);
        notes.extend(n);
        let input = &prep.input;
        let scores = index::score(input, spec.normalisation, spec.aggregation, None, None);
        let ranks = index::ranks(&scores.index);
        let mc = if intervals {
            index::rank_uncertainty(
                input,
                spec.draws,
                sub_seed(config.seed, &["index", period]),
                &crate::progress::MethodBar::new(crate::progress::Unit::Draws),
            )
        } else {
            vec![None; input.units.len()]
        };
        let names = |hit: &dyn Fn(usize) -> bool| -> Option<String> {
            let v: Vec<&str> = (0..input.indicators.len())
                .filter(|&j| hit(j))
                .map(|j| input.indicators[j].name.as_str())
                .collect();
            (!v.is_empty()).then(|| v.join(","))
        };
        let mut treated = vec![Vec::new(); input.units.len()];
        let mut imputed = vec![Vec::new(); input.units.len()];
        for j in 0..input.indicators.len() {
            for c in &prep.treated[j].changed {
                treated[c.0].push(j);
            }
            for c in &prep.imputed[j] {
                imputed[c.0].push(j);
            }
        }
        for (u, code) in input.units.iter().enumerate() {
            t.code.push(code.clone());
            t.period.push(period.clone());
            t.score.push(scores.index[u]);
            t.rank.push(ranks[u].map(|r| r as u32));
            t.median.push(mc[u].as_ref().map(|r| r.median));
            t.p05.push(mc[u].as_ref().map(|r| r.p05));
            t.p95.push(mc[u].as_ref().map(|r| r.p95));
            t.missing.push(names(&|j| ip.input.values[u][j].is_none()));
            t.imputed.push(names(&|j| imputed[u].contains(&j)));
            t.treated.push(names(&|j| treated[u].contains(&j)));
        }
    }
    Ok((t.frame()?, notes))
}

#[derive(Default)]
struct ScoreRows {
    code: Vec<String>,
    period: Vec<String>,
    score: Vec<Option<f64>>,
    rank: Vec<Option<u32>>,
    median: Vec<Option<f64>>,
    p05: Vec<Option<f64>>,
    p95: Vec<Option<f64>>,
    missing: Vec<Option<String>>,
    imputed: Vec<Option<String>>,
    treated: Vec<Option<String>>,
}

impl ScoreRows {
    fn frame(self) -> PolarsResult<DataFrame> {
        df!(
            "region_code" => self.code, "period" => self.period, "score" => self.score,
            "rank" => self.rank, "rank_median" => self.median, "rank_p05" => self.p05,
            "rank_p95" => self.p95, "missing_indicators" => self.missing,
            "imputed_indicators" => self.imputed, "treated_indicators" => self.treated,
        )
    }
}

/// A run's `[index]` as a study of its index (the indicators are the
/// run's metrics), so that the run and `govlens index` share one analysis.
pub fn study_of_run(index: &crate::config::Index, seed: u64) -> IndexStudy {
    IndexStudy {
        data: String::new(),
        unit: String::new(),
        normalisation: match index.normalisation {
            Normalisation::MinMax => "minmax",
            Normalisation::ZScore => "zscore",
            Normalisation::Rank => "rank",
        }
        .into(),
        aggregation: match index.aggregation {
            Aggregation::Arithmetic => "arithmetic",
            Aggregation::Geometric => "geometric",
        }
        .into(),
        winmax: index.winmax,
        imputation: index.imputation.clone(),
        group: Some(
            match index.group {
                crate::config::IndexGroup::Model => "model",
                crate::config::IndexGroup::District => "district",
            }
            .into(),
        ),
        period: None,
        analyse: None,
        weights: index.weights.clone(),
        indicators: index
            .indicators
            .iter()
            .map(|i| crate::methods::index::spec::StudyIndicator {
                column: match &i.breakdown {
                    Some(b) => format!("{}:{b}", i.metric),
                    None => i.metric.clone(),
                },
                pillar: i.pillar.clone(),
                direction: i.direction,
                weight: i.weight,
            })
            .collect(),
        pillars: index.pillars.iter().cloned().collect(),
        seed,
        sensitivity: index.sensitivity.clone(),
    }
}
