//! A run's units as a study's case table.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::compare::tables::{grouped, Grouped};
use crate::config::Qca;
use crate::methods::qca::{ferr, AnalysisError, Cases};

/// The case table of a run's units in one period: a case per unit with a
/// value of every metric the study names (`model:<word>`: 1 for the units
/// of that model, else 0); units missing a metric are left out, counted in
/// the notes. `g` is one period's unit metrics grouped as `compare` groups
/// them.
pub(crate) fn unit_cases(g: &Grouped, spec: &Qca) -> (Cases, Vec<String>) {
    let mut model_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut values: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    for ((metric, breakdown, _), by_model) in g {
        let name = if breakdown.is_empty() {
            metric.clone()
        } else {
            format!("{metric}:{breakdown}")
        };
        let Some(set) = spec
            .conditions
            .iter()
            .chain(std::iter::once(&spec.outcome))
            .find(|c| **c == name)
        else {
            for (model, v) in by_model {
                for (code, _) in v {
                    model_of.insert(code, model);
                }
            }
            continue;
        };
        for (model, v) in by_model {
            for (code, x) in v {
                model_of.insert(code, model);
                values.entry(set.as_str()).or_default().insert(code, *x);
            }
        }
    }
    let mut cases = Cases::default();
    let mut notes = Vec::new();
    let sets: Vec<&String> = spec
        .conditions
        .iter()
        .chain(std::iter::once(&spec.outcome))
        .collect();
    let mut missing: BTreeMap<&str, usize> = BTreeMap::new();
    for (code, model) in &model_of {
        let mut row = Vec::with_capacity(sets.len());
        for set in &sets {
            let v = match set.strip_prefix("model:") {
                Some(word) => Some(f64::from(u8::from(*model == word))),
                None => values.get(set.as_str()).and_then(|m| m.get(code)).copied(),
            };
            match v {
                Some(v) => row.push(v),
                None => {
                    *missing.entry(set.as_str()).or_default() += 1;
                    break;
                }
            }
        }
        if row.len() < sets.len() {
            continue;
        }
        cases.ids.push(code.to_string());
        for (set, v) in sets.iter().zip(row) {
            cases.columns.entry(set.to_string()).or_default().push(v);
        }
    }
    for set in &sets {
        cases.columns.entry(set.to_string()).or_default();
        if set.starts_with("model:") {
            cases.crisp.insert(set.to_string());
        }
    }
    let models: Vec<String> = spec
        .conditions
        .iter()
        .filter(|c| c.starts_with("model:"))
        .cloned()
        .collect();
    if models.len() > 1 {
        cases.exclusive.push(models);
    }
    for (set, n) in missing {
        notes.push(format!("qca: {n} unit(s) without {set} left out"));
    }
    (cases, notes)
}

/// The case table of the units of `period` in a run's `unit_metrics`
/// (columns region_code, period, governance_model, metric, breakdown, value).
pub fn unit_cases_of(
    um: &DataFrame,
    period: &str,
    spec: &Qca,
) -> Result<(Cases, Vec<String>), AnalysisError> {
    let g = grouped(um).map_err(ferr("unit_metrics"))?;
    let g: Grouped = g.into_iter().filter(|(k, _)| k.2 == period).collect();
    Ok(unit_cases(&g, spec))
}
