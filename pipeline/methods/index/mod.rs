//! One composite-index study on a plain table (a `govlens index` file's
//! `[index]` section): treatment, imputation, the scores and ranks, the
//! diagnostics, remove-one and, if asked, the variance-based sensitivity —
//! laid out as the tables `govlens index` writes (docs/contract.md B.10a):
//! `index_scores`, `index_treated`, `index_imputed`, `index_diagnostics`,
//! `index_correlations`, `index_remove_one`, `index_sensitivity`.

use polars::prelude::*;

pub mod diagnostics;
pub mod imputation;
pub mod prepare;
pub mod score;
pub mod sensitivity;
pub mod sobol;
pub mod spec;
pub mod treatment;

use self::diagnostics as diag;
use self::imputation::Imputation;
use self::prepare::{pca_weights, prepare, Context};
use self::score::{ranks, score, Aggregation, Indicator, Input, Normalisation};
use self::sensitivity::{self as sens, Factor, Nominal};
use self::spec::{not_one_of, IndexStudy, IMPUTATIONS, WEIGHTS};

/// A study's tables in the order they are written, and the factor that
/// moves the ranks most (for the terminal and a report's sentence).
#[derive(Debug)]
pub struct IndexAnalysis {
    pub tables: Vec<(&'static str, DataFrame)>,
    pub strongest: Option<(String, f64)>,
    pub notes: Vec<String>,
}

pub fn normalisation(s: &str) -> Result<Normalisation, String> {
    match s {
        "minmax" | "min-max" => Ok(Normalisation::MinMax),
        "zscore" | "z-score" => Ok(Normalisation::ZScore),
        "rank" => Ok(Normalisation::Rank),
        other => Err(format!("'{other}' is not minmax, zscore or rank")),
    }
}

pub fn aggregation(s: &str) -> Result<Aggregation, String> {
    match s {
        "arithmetic" => Ok(Aggregation::Arithmetic),
        "geometric" => Ok(Aggregation::Geometric),
        other => Err(format!("'{other}' is not arithmetic or geometric")),
    }
}

pub fn imputation(s: &str) -> Result<Imputation, String> {
    match s {
        "none" => Ok(Imputation::None),
        "mean" => Ok(Imputation::Mean),
        "median" => Ok(Imputation::Median),
        "group_mean" => Ok(Imputation::GroupMean),
        "group_median" => Ok(Imputation::GroupMedian),
        "latest" => Ok(Imputation::Latest),
        other => Err(not_one_of(other, IMPUTATIONS)),
    }
}

fn ferr(table: &str) -> impl Fn(PolarsError) -> String + '_ {
    move |e| format!("building {table}: {e}")
}

/// Why a study was not made: a setting (the key named, as the study file or
/// the run config spells it), or what the data does not allow.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndexError {
    #[error("key {key}: {message}")]
    Key { key: String, message: String },
    #[error("{0}")]
    Data(String),
}

impl From<String> for IndexError {
    fn from(message: String) -> Self {
        IndexError::Data(message)
    }
}

/// An [`IndexError::Key`].
fn key(key: &str, message: impl Into<String>) -> IndexError {
    IndexError::Key {
        key: key.to_string(),
        message: message.into(),
    }
}

/// Runs the study; a setting's error names its key ([`IndexError::Key`]).
/// `ctx` holds each unit's group and earlier values when the imputation
/// needs them.
pub fn analyse(
    units: Vec<String>,
    values: Vec<Vec<Option<f64>>>,
    ctx: &Context,
    spec: &IndexStudy,
) -> Result<IndexAnalysis, IndexError> {
    let norm = normalisation(&spec.normalisation).map_err(|e| key("index.normalisation", e))?;
    let agg = aggregation(&spec.aggregation).map_err(|e| key("index.aggregation", e))?;
    let imp = imputation(&spec.imputation).map_err(|e| key("index.imputation", e))?;
    if !WEIGHTS.contains(&spec.weights.as_str()) {
        return Err(key("index.weights", not_one_of(&spec.weights, WEIGHTS)));
    }
    if matches!(imp, Imputation::GroupMean | Imputation::GroupMedian) && ctx.groups.is_none() {
        return Err(key(
            "index.imputation",
            format!(
                "\"{}\" needs each unit's group (index.group)",
                spec.imputation
            ),
        ));
    }
    let k = spec.indicators.len();
    if k == 0 {
        return Err(key("index.indicators", "name at least one indicator"));
    }
    let total: f64 = spec.indicators.iter().map(|i| i.weight).sum();
    if total.is_nan() || total <= 0.0 || spec.indicators.iter().any(|i| i.weight < 0.0) {
        return Err(key(
            "index.indicators",
            "weights must be ≥ 0 and sum to a positive number",
        ));
    }
    for i in &spec.indicators {
        if i.direction != 1.0 && i.direction != -1.0 {
            return Err(IndexError::Data(format!(
                "indicator {}: direction {} is not 1 or -1",
                i.column, i.direction
            )));
        }
    }
    let indicators: Vec<Indicator> = spec
        .indicators
        .iter()
        .map(|i| Indicator {
            name: i.column.clone(),
            pillar: i.pillar.clone(),
            direction: i.direction,
            weight: i.weight,
        })
        .collect();
    let n = units.len();
    let column =
        |j: usize, v: &[Vec<Option<f64>>]| -> Vec<Option<f64>> { v.iter().map(|r| r[j]).collect() };
    for (j, ind) in indicators.iter().enumerate() {
        let present: Vec<f64> = column(j, &values).into_iter().flatten().collect();
        if present.is_empty() {
            return Err(IndexError::Data(format!(
                "indicator {}: missing for every unit",
                ind.name
            )));
        }
        if present.iter().all(|x| *x == present[0]) {
            return Err(IndexError::Data(format!(
                "indicator {}: no variation (every unit {})",
                ind.name, present[0]
            )));
        }
    }
    let mut notes = Vec::new();

    // Imputation, then treatment (COINr's order), indicator by indicator.
    let raw = Input {
        units: units.clone(),
        indicators: indicators.clone(),
        pillar_weights: spec.pillars.iter().map(|(p, w)| (p.clone(), *w)).collect(),
        values: values.clone(),
    };
    let prepared = prepare(&raw, spec.winmax, imp, ctx)?;
    // How index_imputed says a cell was filled: the method, and the group.
    let how = match (imp, &spec.group) {
        (Imputation::GroupMean | Imputation::GroupMedian, Some(g)) => {
            format!("{} within {g}", spec.imputation)
        }
        _ => spec.imputation.clone(),
    };
    let (mut t_unit, mut t_ind, mut t_before, mut t_after, mut t_how) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut i_unit, mut i_ind, mut i_value, mut i_how) = (vec![], vec![], vec![], vec![]);
    for (j, ind) in indicators.iter().enumerate() {
        let t = &prepared.treated[j];
        for &(u, b, a) in &t.changed {
            t_unit.push(units[u].clone());
            t_ind.push(ind.name.clone());
            t_before.push(b);
            t_after.push(a);
            t_how.push(t.how.name());
        }
        if !t.after.passes {
            notes.push(if spec.winmax > 0 {
                format!(
                    "indicator {} still fails the skew/kurtosis check after treatment",
                    ind.name
                )
            } else {
                format!(
                    "indicator {} fails the skew/kurtosis check (winmax = 0: not treated)",
                    ind.name
                )
            });
        }
        for &(u, v) in &prepared.imputed[j] {
            i_unit.push(units[u].clone());
            i_ind.push(ind.name.clone());
            i_value.push(v);
            i_how.push(how.clone());
        }
    }
    let checks = &prepared.treated;
    // PCA weights, when asked, replace the given ones everywhere after.
    let pca_w = pca_weights(&prepared.input);
    let mut input = prepared.input.clone();
    if spec.weights == "pca" {
        let w = pca_w
            .clone()
            .map_err(|e| format!("weights = \"pca\": {e}"))?;
        for (i, w) in input.indicators.iter_mut().zip(w) {
            i.weight = w;
        }
        notes.push(
            "weights from each pillar's first principal component (COINr's PCA weights: the component's sign is arbitrary, so check each loading's sense)".into(),
        );
    }
    let indicators = input.indicators.clone();
    let scores = score(&input, norm, agg, None, None);
    let rk = ranks(&scores.index);
    let pillars = input.pillars();
    let mut cols = vec![
        Column::new("unit".into(), units.clone()),
        Column::new("score".into(), scores.index.clone()),
        Column::new(
            "rank".into(),
            rk.iter().map(|r| r.map(|r| r as u32)).collect::<Vec<_>>(),
        ),
    ];
    for (p, s) in pillars.iter().zip(&scores.pillars) {
        cols.push(Column::new(format!("pillar:{p}").into(), s.clone()));
    }
    let changed: Vec<Vec<usize>> = checks
        .iter()
        .map(|t| t.changed.iter().map(|c| c.0).collect())
        .collect();
    let filled: Vec<Vec<usize>> = prepared
        .imputed
        .iter()
        .map(|f| f.iter().map(|c| c.0).collect())
        .collect();
    cols.push(Column::new(
        "treated".into(),
        flags(n, &changed, &indicators),
    ));
    cols.push(Column::new(
        "imputed".into(),
        flags(n, &filled, &indicators),
    ));
    let index_scores = DataFrame::new(n, cols).map_err(ferr("index_scores"))?;

    // Diagnostics on the treated, imputed values (directions applied).
    let directed: Vec<Vec<Option<f64>>> = (0..k)
        .map(|j| {
            input
                .values
                .iter()
                .map(|r| r[j].map(|x| x * indicators[j].direction))
                .collect()
        })
        .collect();
    let eff = diag::effective_weights(
        &indicators
            .iter()
            .map(|i| (i.pillar.clone(), i.weight))
            .collect::<Vec<_>>(),
        &input.pillar_weights,
    );
    let mut d = DiagRows::default();
    for (p_i, p) in pillars.iter().enumerate() {
        let members: Vec<usize> = (0..k).filter(|&j| &indicators[j].pillar == p).collect();
        let items: Vec<Vec<Option<f64>>> = members.iter().map(|&j| directed[j].clone()).collect();
        // Alpha on the indicators as the index normalises them: on raw
        // values an indicator of large variance (a count beside a share)
        // would decide it alone. Correlations and the PCA are scale-free.
        let normalised: Vec<Vec<Option<f64>>> = items
            .iter()
            .map(|v| self::score::normalise(v, norm, 0.0, 100.0))
            .collect();
        let alpha = diag::cronbach_alpha(&normalised);
        let pca = diag::first_component(&items);
        for (m, &j) in members.iter().enumerate() {
            let col = &directed[j];
            let present: Vec<f64> = column(j, &values).into_iter().flatten().collect();
            let to_pillar = diag::pearson(col, &scores.pillars[p_i]);
            let high_pairs: Vec<&str> = members
                .iter()
                .filter(|&&q| q != j)
                .filter(|&&q| diag::pearson(col, &directed[q]).is_some_and(|r| r > 0.9))
                .map(|&q| indicators[q].name.as_str())
                .collect();
            d.indicator.push(indicators[j].name.clone());
            d.pillar.push(p.clone());
            d.available.push(present.len() as f64 / n as f64);
            d.zeros
                .push(present.iter().filter(|x| **x == 0.0).count() as f64 / present.len() as f64);
            d.skew.push(checks[j].before.skew);
            d.kurt.push(checks[j].before.kurt);
            d.skew_after.push(checks[j].after.skew);
            d.kurt_after.push(checks[j].after.kurt);
            d.treatment.push(checks[j].how.name());
            d.treated.push(checks[j].changed.len() as u32);
            d.imputed.push(prepared.imputed[j].len() as u32);
            d.r_pillar.push(to_pillar);
            d.r_index.push(diag::pearson(col, &scores.index));
            d.negative.push(to_pillar.is_some_and(|r| r < 0.0));
            d.collinear
                .push((!high_pairs.is_empty()).then(|| high_pairs.join(",")));
            d.alpha.push(alpha);
            d.pc1.push(pca.as_ref().map(|(l, _)| l[m]));
            d.pc1_share.push(pca.as_ref().map(|(_, s)| *s));
            d.eff.push(eff[j]);
            d.pca_weight.push(pca_w.as_ref().ok().map(|w| w[j]));
        }
    }
    let index_diagnostics = d.frame()?;
    let (mut ca, mut cb, mut cp, mut cs) = (vec![], vec![], vec![], vec![]);
    for a in 0..k {
        for b in a + 1..k {
            ca.push(indicators[a].name.clone());
            cb.push(indicators[b].name.clone());
            cp.push(diag::pearson(&directed[a], &directed[b]));
            cs.push(diag::spearman(&directed[a], &directed[b]));
        }
    }
    let index_correlations = df!("a" => ca, "b" => cb, "pearson" => cp, "spearman" => cs)
        .map_err(ferr("index_correlations"))?;

    // The sensitivity against the nominal choices gets the input as read
    // (with the weights used): each evaluation imputes and treats itself.
    let untreated = Input {
        values: values.clone(),
        ..input.clone()
    };
    let nominal = Nominal {
        normalisation: norm,
        aggregation: agg,
        winmax: spec.winmax,
        imputation: imp,
    };
    // Remove-one scores the input already prepared above.
    let ro = sens::remove_one(&input, nominal);
    let index_remove_one = df!(
        "left_out" => ro.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "mean_abs_rank_shift" => ro.iter().map(|r| r.1).collect::<Vec<_>>(),
    )
    .map_err(ferr("index_remove_one"))?;
    let mut tables = vec![
        ("index_scores", index_scores),
        (
            "index_treated",
            df!("unit" => t_unit, "indicator" => t_ind, "before" => t_before, "after" => t_after, "how" => t_how)
                .map_err(ferr("index_treated"))?,
        ),
        (
            "index_imputed",
            df!("unit" => i_unit, "indicator" => i_ind, "value" => i_value, "how" => i_how)
                .map_err(ferr("index_imputed"))?,
        ),
        ("index_diagnostics", index_diagnostics),
        ("index_correlations", index_correlations),
        ("index_remove_one", index_remove_one),
    ];
    let mut strongest = None;
    if let Some(s) = &spec.sensitivity {
        let factors = factors(s)?;
        let evaluations = s.n * (factors.len() + 2);
        if evaluations > s.budget {
            return Err(key(
                "index.sensitivity",
                format!(
                    "N = {} × ({} factors + 2) = {evaluations} evaluations, above the budget of {} (lower n or raise budget)",
                    s.n,
                    factors.len(),
                    s.budget
                ),
            ));
        }
        // At national scale, an even spread of units within the budget.
        let picked: Vec<usize> = if n > s.max_units && s.max_units >= 2 {
            notes.push(format!(
                "sensitivity on an even spread of {} of the {n} units (max_units); their rank intervals are ranks among those units",
                s.max_units
            ));
            (0..s.max_units).map(|i| i * n / s.max_units).collect()
        } else {
            (0..n).collect()
        };
        let sample = Input {
            units: picked.iter().map(|&u| untreated.units[u].clone()).collect(),
            values: picked
                .iter()
                .map(|&u| untreated.values[u].clone())
                .collect(),
            ..untreated.clone()
        };
        let r = sens::analyse(
            &sample,
            &ctx.subset(&picked),
            nominal,
            &factors,
            s.n,
            s.boot,
            spec.seed,
        )
        .map_err(|e| key("index.sensitivity", e))?;
        let mut intervals = vec![None; n];
        for (k, &u) in picked.iter().enumerate() {
            intervals[u] = r.rank_intervals[k];
        }
        strongest = r
            .indices
            .iter()
            .max_by(|a, b| a.1.st.total_cmp(&b.1.st))
            .map(|(f, i)| (f.to_string(), i.st));
        let f = |g: fn(&self::sobol::Indices) -> f64| {
            r.indices.iter().map(|(_, i)| g(i)).collect::<Vec<_>>()
        };
        tables.push((
            "index_sensitivity",
            df!(
                "factor" => r.indices.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                "s1" => f(|i| i.s1), "s1_low" => f(|i| i.s1_low), "s1_high" => f(|i| i.s1_high),
                "st" => f(|i| i.st), "st_low" => f(|i| i.st_low), "st_high" => f(|i| i.st_high),
            )
            .map_err(ferr("index_sensitivity"))?,
        ));
        let ri = &intervals;
        tables.push((
            "index_rank_intervals",
            df!(
                "unit" => units.clone(),
                "rank" => rk.iter().map(|r| r.map(|r| r as u32)).collect::<Vec<_>>(),
                "rank_p05" => ri.iter().map(|x| x.map(|x| x.0)).collect::<Vec<_>>(),
                "rank_median" => ri.iter().map(|x| x.map(|x| x.1)).collect::<Vec<_>>(),
                "rank_p95" => ri.iter().map(|x| x.map(|x| x.2)).collect::<Vec<_>>(),
            )
            .map_err(ferr("index_rank_intervals"))?,
        ));
        notes.push(format!(
            "sensitivity: {} evaluations, mean absolute rank shift {:.2}",
            r.evaluations, r.mean_shift
        ));
    }
    Ok(IndexAnalysis {
        tables,
        strongest,
        notes,
    })
}

/// Per unit, the indicators (comma-separated) whose value at the unit is
/// among `positions[indicator]`; None when there is none.
fn flags(n: usize, positions: &[Vec<usize>], indicators: &[Indicator]) -> Vec<Option<String>> {
    let mut out: Vec<Vec<&str>> = vec![Vec::new(); n];
    for (p, ind) in positions.iter().zip(indicators) {
        for &u in p {
            out[u].push(ind.name.as_str());
        }
    }
    out.into_iter()
        .map(|v| (!v.is_empty()).then(|| v.join(",")))
        .collect()
}

/// The factors a `[index.sensitivity]` names.
fn factors(s: &crate::methods::index::spec::SensitivitySpec) -> Result<Vec<Factor>, IndexError> {
    let bad = |e: String| key("index.sensitivity", e);
    let mut out = Vec::new();
    for f in &s.factors {
        out.push(match f.as_str() {
            "normalisation" => Factor::Normalisation(
                (s.normalisations.iter().map(|n| normalisation(n)))
                    .collect::<Result<_, _>>()
                    .map_err(bad)?,
            ),
            "aggregation" => Factor::Aggregation(
                (s.aggregations.iter().map(|a| aggregation(a)))
                    .collect::<Result<_, _>>()
                    .map_err(bad)?,
            ),
            "weights" => Factor::Weights {
                noise: s.weight_noise,
                sets: s.weight_sets,
            },
            "winmax" => Factor::Winmax(s.winmax.clone()),
            "imputation" => Factor::Imputation,
            "drop_indicator" => Factor::DropIndicator,
            other => {
                return Err(key(
                    "index.sensitivity.factors",
                    format!("'{other}' is not normalisation, aggregation, weights, winmax, imputation or drop_indicator"),
                ))
            }
        });
    }
    Ok(out)
}

/// `index_diagnostics`' columns.
#[derive(Default)]
struct DiagRows {
    indicator: Vec<String>,
    pillar: Vec<String>,
    available: Vec<f64>,
    zeros: Vec<f64>,
    skew: Vec<f64>,
    kurt: Vec<f64>,
    skew_after: Vec<f64>,
    kurt_after: Vec<f64>,
    treatment: Vec<&'static str>,
    treated: Vec<u32>,
    imputed: Vec<u32>,
    r_pillar: Vec<Option<f64>>,
    r_index: Vec<Option<f64>>,
    negative: Vec<bool>,
    collinear: Vec<Option<String>>,
    alpha: Vec<Option<f64>>,
    pc1: Vec<Option<f64>>,
    pc1_share: Vec<Option<f64>>,
    eff: Vec<f64>,
    pca_weight: Vec<Option<f64>>,
}

impl DiagRows {
    fn frame(self) -> Result<DataFrame, String> {
        let nan = |v: Vec<f64>| {
            v.into_iter()
                .map(|x| (!x.is_nan()).then_some(x))
                .collect::<Vec<_>>()
        };
        df!(
            "indicator" => self.indicator, "pillar" => self.pillar, "available" => self.available,
            "zero_share" => self.zeros, "skew" => nan(self.skew), "kurtosis" => nan(self.kurt),
            "skew_treated" => nan(self.skew_after), "kurtosis_treated" => nan(self.kurt_after),
            "treatment" => self.treatment, "treated" => self.treated, "imputed" => self.imputed,
            "r_pillar" => self.r_pillar, "r_index" => self.r_index,
            "negative_with_pillar" => self.negative, "above_0_9_with" => self.collinear,
            "pillar_alpha" => self.alpha, "pc1_loading" => self.pc1, "pc1_share" => self.pc1_share,
            "effective_weight" => self.eff, "pca_weight" => self.pca_weight,
        )
        .map_err(ferr("index_diagnostics"))
    }
}
