//! The run's comparison tables as frames: the per-model statistics from the
//! unit metrics grouped by (metric, breakdown, period) and model (the index
//! is `index_run`'s). Pure: frames in, frames out.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;

use crate::config::Config;
use crate::methods::stats;

/// A stable sub-seed for one piece of work, independent of scheduling.
pub(super) fn sub_seed(seed: u64, parts: &[&str]) -> u64 {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0]);
    }
    u64::from_le_bytes(h.finalize().as_bytes()[..8].try_into().expect("8 bytes"))
}

/// Values of one metric, by (metric, breakdown, period) then model.
pub(super) type Grouped = BTreeMap<(String, String, String), BTreeMap<String, Vec<(String, f64)>>>;

pub(super) fn grouped(um: &DataFrame) -> PolarsResult<Grouped> {
    // Keys borrowed from the columns while rows are sorted into groups: a
    // national period has ~14M rows and a handful of keys.
    let s = |c: &str| -> PolarsResult<StringChunked> { Ok(um.column(c)?.str()?.clone()) };
    let (codes, periods, models, metrics, breakdowns) = (
        s("region_code")?,
        s("period")?,
        s("governance_model")?,
        s("metric")?,
        s("breakdown")?,
    );
    let values = um.column("value")?.f64()?.clone();
    type Slot<'a> = (&'a str, &'a str, &'a str, &'a str);
    // polars' hasher: SipHash of four keys a row was a fifth of this loop.
    let mut slots: PlHashMap<Slot, Vec<(String, f64)>> = PlHashMap::new();
    let rows = codes
        .iter()
        .zip(periods.iter())
        .zip(models.iter())
        .zip(metrics.iter())
        .zip(breakdowns.iter())
        .zip(values.iter());
    for (((((code, period), model), metric), breakdown), value) in rows {
        let (Some(v), Some(model)) = (value, model) else {
            continue;
        };
        if !v.is_finite() {
            continue;
        }
        let key = (
            metric.unwrap_or_default(),
            breakdown.unwrap_or_default(),
            period.unwrap_or_default(),
            model,
        );
        slots
            .entry(key)
            .or_default()
            .push((code.unwrap_or_default().to_string(), v));
    }
    let mut out: Grouped = BTreeMap::new();
    for ((metric, breakdown, period, model), v) in slots {
        out.entry((metric.into(), breakdown.into(), period.into()))
            .or_default()
            .insert(model.into(), v);
    }
    Ok(out)
}

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A mean's interval and how it was made (`stats::mean_ci`).
type Ci = (f64, f64, &'static str);

pub(super) struct ModelTables {
    pub(super) summary: DataFrame,
    pub(super) tests: DataFrame,
    pub(super) pairs: DataFrame,
    pub(super) notes: Vec<String>,
}

/// The groups models are assigned to (the adoption effects' clusters,
/// `metrics::Clusters`): each unit's group by code, and the level's name.
/// The between-model tests are also made on the groups' means, since a
/// model chosen for a county is one observation of that county, not one a
/// community.
pub(super) struct Assigned<'a> {
    pub(super) of_code: std::collections::HashMap<&'a str, u32>,
    pub(super) level: &'static str,
}

/// Each model's values as the means of its assignment groups (in the
/// groups' order).
fn group_means(values: &[(String, f64)], assigned: &Assigned) -> Vec<f64> {
    let mut by: BTreeMap<u32, (f64, usize)> = BTreeMap::new();
    for (code, v) in values {
        if let Some(&c) = assigned.of_code.get(code.as_str()) {
            let e = by.entry(c).or_default();
            *e = (e.0 + v, e.1 + 1);
        }
    }
    by.into_values().map(|(s, n)| s / n as f64).collect()
}

/// Kruskal–Wallis over `vals` and, when it is defined, the Dunn pairs
/// named by `names`.
fn omnibus(
    names: &[&String],
    vals: &[Vec<f64>],
) -> (
    Option<stats::KruskalWallis>,
    Vec<(String, String, stats::DunnPair)>,
) {
    let kw = stats::kruskal_wallis(vals);
    let pairs = if kw.is_some() {
        stats::dunn(vals)
            .into_iter()
            .map(|p| (names[p.a].clone(), names[p.b].clone(), p))
            .collect()
    } else {
        Vec::new()
    };
    (kw, pairs)
}

pub(super) fn model_tables(
    g: &Grouped,
    config: &Config,
    assigned: Option<&Assigned>,
) -> PolarsResult<ModelTables> {
    let keys: Vec<&(String, String, String)> = g.keys().collect();
    let draws = config.compare.did.draws;
    let per_key: Vec<_> = keys
        .par_iter()
        .map(|key| {
            let groups = &g[*key];
            let summaries: Vec<(String, stats::Summary, Ci)> = groups
                .iter()
                .map(|(model, v)| {
                    let vals: Vec<f64> = v.iter().map(|x| x.1).collect();
                    let seed = sub_seed(config.seed, &["bootstrap", &key.0, &key.1, &key.2, model]);
                    (
                        model.clone(),
                        stats::summary(&vals),
                        stats::mean_ci(&vals, draws, seed),
                    )
                })
                .collect();
            let names: Vec<&String> = groups.keys().collect();
            let vals: Vec<Vec<f64>> = groups
                .values()
                .map(|v| v.iter().map(|x| x.1).collect())
                .collect();
            let mut levels = vec![("unit", omnibus(&names, &vals))];
            if let Some(a) = assigned {
                let means: Vec<Vec<f64>> = groups.values().map(|v| group_means(v, a)).collect();
                levels.push((a.level, omnibus(&names, &means)));
            }
            (summaries, levels)
        })
        .collect();
    // Flatten into rows, then each table is one column per field.
    type Key<'a> = &'a (String, String, String);
    let mut summaries: Vec<(Key, String, stats::Summary, Ci)> = Vec::new();
    let mut tests: Vec<(Key, &str, stats::KruskalWallis)> = Vec::new();
    let mut pairs: Vec<(Key, &str, String, String, stats::DunnPair)> = Vec::new();
    for (key, (s, levels)) in keys.iter().copied().zip(per_key) {
        summaries.extend(s.into_iter().map(|(m, sm, ci)| (key, m, sm, ci)));
        for (level, (kw, p)) in levels {
            tests.extend(kw.map(|kw| (key, level, kw)));
            pairs.extend(p.into_iter().map(|(a, b, d)| (key, level, a, b, d)));
        }
    }
    // Units first, then the assignment level, each in key order.
    tests.sort_by_key(|t| (t.1 != "unit", t.0));
    pairs.sort_by_key(|p| (p.1 != "unit", p.0));
    let min_group = config.compare.min_group;
    let warning =
        |n: usize| (n < min_group).then(|| format!("only {n} unit(s), fewer than {min_group}"));
    let notes: Vec<String> = summaries
        .iter()
        .filter_map(|(k, m, sm, _)| {
            let parts = [k.0.as_str(), k.1.as_str(), k.2.as_str(), m.as_str()];
            let label = parts
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            warning(sm.n).map(|w| format!("{label}: {w}"))
        })
        .collect();
    /// period, metric, breakdown: the leading columns of every model table.
    fn lead<'a, T>(
        rows: &'a [T],
        key: impl Fn(&'a T) -> Key<'a>,
    ) -> (Vec<&'a str>, Vec<&'a str>, Vec<Option<&'a str>>) {
        (
            rows.iter().map(|r| key(r).2.as_str()).collect(),
            rows.iter().map(|r| key(r).0.as_str()).collect(),
            rows.iter().map(|r| opt(&key(r).1)).collect(),
        )
    }
    let (sp, sm, sb) = lead(&summaries, |r| r.0);
    let f = |g: fn(&stats::Summary) -> f64| summaries.iter().map(|r| g(&r.2)).collect::<Vec<_>>();
    let summary = df!(
        "period" => sp, "metric" => sm, "breakdown" => sb,
        "governance_model" => summaries.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "n" => summaries.iter().map(|r| r.2.n as u32).collect::<Vec<_>>(),
        "mean" => f(|s| s.mean), "sd" => f(|s| s.sd), "median" => f(|s| s.median),
        "q1" => f(|s| s.q1), "q3" => f(|s| s.q3),
        "ci_low" => summaries.iter().map(|r| r.3 .0).collect::<Vec<_>>(),
        "ci_high" => summaries.iter().map(|r| r.3 .1).collect::<Vec<_>>(),
        "ci_method" => summaries.iter().map(|r| r.3 .2).collect::<Vec<_>>(),
        "warning" => summaries.iter().map(|r| warning(r.2.n)).collect::<Vec<_>>(),
    )?;
    // A period's tests at one level are one family: each p corrected for
    // their number.
    let adjust = config.compare.p_adjust;
    let mut p_adjusted = vec![f64::NAN; tests.len()];
    let mut by_period: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, t) in tests.iter().enumerate() {
        by_period.entry((t.0 .2.as_str(), t.1)).or_default().push(i);
    }
    for rows in by_period.values() {
        let p: Vec<f64> = rows.iter().map(|&i| tests[i].2.p).collect();
        let adj = match adjust {
            crate::config::PAdjust::Holm => stats::holm(&p),
            crate::config::PAdjust::Bh => stats::benjamini_hochberg(&p),
        };
        for (&i, a) in rows.iter().zip(adj) {
            p_adjusted[i] = a;
        }
    }
    let p_adjusted_len = p_adjusted.len();
    let (tp, tm, tb) = lead(&tests, |r| r.0);
    let tests = df!(
        "period" => tp, "metric" => tm, "breakdown" => tb,
        "groups" => tests.iter().map(|r| r.2.df as u32 + 1).collect::<Vec<_>>(),
        "n" => tests.iter().map(|r| r.2.n as u32).collect::<Vec<_>>(),
        "h" => tests.iter().map(|r| r.2.h).collect::<Vec<_>>(),
        "df" => tests.iter().map(|r| r.2.df as u32).collect::<Vec<_>>(),
        "p" => tests.iter().map(|r| r.2.p).collect::<Vec<_>>(),
        "p_adjusted" => p_adjusted,
        "p_adjust" => vec![adjust.name(); p_adjusted_len],
        "epsilon2" => tests.iter().map(|r| r.2.epsilon2).collect::<Vec<_>>(),
        "level" => tests.iter().map(|r| r.1).collect::<Vec<_>>(),
    )?;
    let (pp, pm, pb) = lead(&pairs, |r| r.0);
    let pairs = df!(
        "period" => pp, "metric" => pm, "breakdown" => pb,
        "model_a" => pairs.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        "model_b" => pairs.iter().map(|r| r.3.as_str()).collect::<Vec<_>>(),
        "z" => pairs.iter().map(|r| r.4.z).collect::<Vec<_>>(),
        "p" => pairs.iter().map(|r| r.4.p).collect::<Vec<_>>(),
        "p_holm" => pairs.iter().map(|r| r.4.p_holm).collect::<Vec<_>>(),
        "level" => pairs.iter().map(|r| r.1).collect::<Vec<_>>(),
    )?;
    Ok(ModelTables {
        summary,
        tests,
        pairs,
        notes,
    })
}
