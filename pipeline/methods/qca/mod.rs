//! One fsQCA study on a plain case table: the sets calibrated as `[qca]`
//! says, necessity, the truth table, the three solutions and the
//! robustness grid, as the tables both doors publish — `govlens qca` on a
//! researcher's file and `compare` on the run's units. The method itself is
//! [`super::qca`]; this module only applies it and lays out the tables.
//!
//! Tables (docs/qca.md has every column):
//! - `qca_calibrated`: a row per case, its membership in every set and in
//!   the shown solution (`solution`: the intermediate M1, else the
//!   parsimonious M1) — the XY plot's points.
//! - `qca_necessity`, `qca_truth_table`, `qca_solutions` (a row per term,
//!   one per solution with term `*`), as R QCA prints them.
//! - `qca_configurations`: the shown solution's terms × conditions, present
//!   or absent, core or peripheral — the configuration table.
//! - `qca_robustness`: a row per setting of the grid.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

pub mod sets;
pub mod spec;

use self::sets::{self as qca, Anchors, Cuts, Implicant, Out, TruthRow};

mod robustness;
mod tables;

use self::spec::{AnchorMode, Calibration, Qca};
use robustness::Grid;
use tables::{configurations, necessity_table, truth_frame, SolutionRows};

/// A case table: ids and, per column, a raw value per case.
#[derive(Debug, Clone, Default)]
pub struct Cases {
    pub ids: Vec<String>,
    pub columns: BTreeMap<String, Vec<f64>>,
    /// Columns that are crisp sets already (a run's `model:<word>`): used as
    /// they are and never moved by the robustness grid.
    pub crisp: BTreeSet<String>,
    /// Groups of conditions of which a case can hold at most one (a run's
    /// model conditions: a unit has one model). Remainders with two of a
    /// group present are impossible and never assumed (R's `exclude`).
    pub exclusive: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("key {key}: {message}")]
    Key { key: String, message: String },
    #[error("{0}")]
    Data(String),
    #[error("building {table}: {source}")]
    Frame { table: String, source: PolarsError },
}

/// A study's tables, in the order they are written, and what the terminal
/// and the report say about it.
#[derive(Debug)]
pub struct Analysis {
    pub tables: Vec<(&'static str, DataFrame)>,
    /// ("intermediate M1", "DEV*URB*LIT*STB + …") per solution found.
    pub solutions: Vec<(String, String)>,
    /// The solution the configuration table and the XY plot show.
    pub shown: &'static str,
    pub warnings: Vec<String>,
}

/// How each set is made from its column (`None`: a membership as it is).
fn calibrations(
    cases: &Cases,
    spec: &Qca,
) -> Result<BTreeMap<String, Option<Calibration>>, AnalysisError> {
    let mut out = BTreeMap::new();
    for name in spec.conditions.iter().chain(std::iter::once(&spec.outcome)) {
        let values = &cases.columns[name];
        let c = match spec.calibration(name) {
            Some(c) => Some(c.map_err(|(key, message)| AnalysisError::Key { key, message })?),
            None if cases.crisp.contains(name) => None,
            None if spec.anchors == AnchorMode::Quantiles => {
                let [e, c, i] = spec.quantiles.map(|q| quantile(values, q));
                if !(e < c && c < i) {
                    return Err(AnalysisError::Key {
                        key: "qca.anchors".into(),
                        message: format!(
                            "{name}'s quantiles {:?} give anchors [{e}, {c}, {i}], not strictly increasing (too many equal values): give its anchors in [qca.calibration]",
                            spec.quantiles
                        ),
                    });
                }
                Some(Calibration::Fuzzy { e, c, i })
            }
            None => None,
        };
        out.insert(name.clone(), c);
    }
    Ok(out)
}

/// R's default (type 7) sample quantile.
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// The membership of each case in the set made by `c`.
fn set(values: &[f64], c: Option<Calibration>, log_odds: f64) -> Vec<f64> {
    values
        .iter()
        .map(|&x| match c {
            Some(Calibration::Fuzzy { e, c, i }) => {
                qca::calibrate(x, Anchors { e, c, i }, log_odds)
            }
            Some(Calibration::Crisp { threshold }) => f64::from(u8::from(x >= threshold)),
            None => x,
        })
        .collect()
}

/// The solutions of one truth table.
struct Solved {
    table: Vec<TruthRow>,
    complex: Vec<Vec<Implicant>>,
    parsimonious: Vec<Vec<Implicant>>,
    intermediate: Vec<Vec<Implicant>>,
}

fn solve(
    conds: &[Vec<f64>],
    y: &[f64],
    cuts: Cuts,
    expect: Option<&[Option<bool>]>,
    impossible: &[u32],
) -> Solved {
    let k = conds.len();
    let table = qca::truth_table(conds, y, cuts);
    let on = qca::rows_with(&table, Out::Positive);
    let rem: Vec<u32> = qca::rows_with(&table, Out::Remainder)
        .into_iter()
        .filter(|&m| impossible.iter().all(|g| (m & g).count_ones() < 2))
        .collect();
    // A term with one condition of an exclusive group present implies the
    // others absent: they are left out of its name (its memberships are
    // the same on every possible case, the group's sets being crisp).
    let implied = |covers: Vec<Vec<Implicant>>| -> Vec<Vec<Implicant>> {
        covers
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .map(|mut t| {
                        for g in impossible {
                            if t.mask & t.value & g != 0 {
                                t.mask &= !(g & !t.value);
                                t.value &= t.mask;
                            }
                        }
                        t
                    })
                    .collect()
            })
            .collect()
    };
    let complex = implied(qca::minimise(&on, &[], k));
    let parsimonious = qca::minimise(&on, &rem, k);
    let intermediate = match expect {
        Some(expect) => {
            let assumed = qca::simplifying_assumptions(
                parsimonious.first().map(Vec::as_slice).unwrap_or(&[]),
                &rem,
            );
            let easy = qca::easy_counterfactuals(&on, &assumed, expect, k);
            implied(qca::minimise(&on, &easy, k))
        }
        None => Vec::new(),
    };
    let parsimonious = implied(parsimonious);
    Solved {
        table,
        complex,
        parsimonious,
        intermediate,
    }
}

fn expression(names: &[String], cover: &[Implicant]) -> String {
    cover
        .iter()
        .map(|t| t.name(names))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Two solutions with the same terms, in any order (R's order of terms is
/// not a contract).
pub fn same_terms(a: &str, b: &str) -> bool {
    let set = |s: &str| -> BTreeSet<String> { s.split(" + ").map(str::to_string).collect() };
    set(a) == set(b)
}

/// A cover's membership per case (fuzzy OR of its terms).
fn cover_membership(conds: &[Vec<f64>], cover: &[Implicant], cases: usize) -> Vec<f64> {
    let mut m = vec![0.0f64; cases];
    for t in cover {
        for (a, b) in m.iter_mut().zip(qca::term_membership(conds, t)) {
            *a = a.max(b);
        }
    }
    m
}

/// Runs the study `spec` on `cases`.
pub fn analyse(cases: &Cases, spec: &Qca) -> Result<Analysis, AnalysisError> {
    spec.check()
        .map_err(|(key, message)| AnalysisError::Key { key, message })?;
    let derr = |m: String| Err(AnalysisError::Data(m));
    let k = spec.conditions.len();
    let n = cases.ids.len();
    if n < k + 1 {
        return derr(format!(
            "{n} cases for {k} conditions: fsQCA needs at least conditions + 1 cases"
        ));
    }
    let calib = calibrations(cases, spec)?;
    let mut members: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (name, c) in &calib {
        let raw = &cases.columns[name];
        if c.is_none() {
            if let Some(r) = raw.iter().position(|x| !(0.0..=1.0).contains(x)) {
                return derr(format!(
                    "case {}, column {name}: {} is not a membership (0..1); give anchors in [qca.calibration]",
                    cases.ids[r], raw[r]
                ));
            }
        }
        let v = set(raw, *c, spec.log_odds);
        if v.iter().all(|x| (x - v[0]).abs() < 1e-12) {
            return derr(format!(
                "{name} has no variation: every case's membership is {}",
                v[0]
            ));
        }
        if name != &spec.outcome {
            let half: Vec<&str> = (0..n)
                .filter(|&r| v[r] == 0.5)
                .map(|r| cases.ids[r].as_str())
                .collect();
            // Every case named up to five; beyond, the first five and the count.
            match half.len() {
                0 => {}
                1 => warnings.push(format!(
                    "case {} has {name} at exactly 0.5: it belongs to no truth-table row",
                    half[0]
                )),
                m if m <= 5 => warnings.push(format!(
                    "cases {} have {name} at exactly 0.5: they belong to no truth-table row",
                    half.join(", ")
                )),
                m => warnings.push(format!(
                    "{m} cases have {name} at exactly 0.5 ({}, …): they belong to no truth-table row; move its crossover off a value the data takes",
                    half[..5].join(", ")
                )),
            }
        }
        members.insert(name.clone(), v);
    }
    let names = &spec.conditions;
    let conds: Vec<Vec<f64>> = names.iter().map(|c| members[c].clone()).collect();
    let y = members[&spec.outcome].clone();
    let cuts = Cuts {
        incl: spec.incl_cut,
        n: spec.n_cut,
        pri: spec.pri_cut,
    };
    let expect: Option<Vec<Option<bool>>> = (!spec.expect.is_empty()).then(|| {
        names
            .iter()
            .map(|c| spec.expect.get(c).map(|v| *v == 1))
            .collect()
    });
    // Per exclusive group, the bits of its conditions.
    let impossible: Vec<u32> = cases
        .exclusive
        .iter()
        .map(|g| {
            names
                .iter()
                .enumerate()
                .filter(|(_, n)| g.contains(n))
                .fold(0u32, |acc, (j, _)| acc | 1 << (k - 1 - j))
        })
        .collect();
    let base = solve(&conds, &y, cuts, expect.as_deref(), &impossible);
    if base.table.iter().all(|r| r.out == Out::Remainder) {
        let most = base.table.iter().map(|r| r.n).max().unwrap_or(0);
        return derr(format!(
            "every truth-table row is a remainder: no row has n_cut = {} cases (the fullest has {most}); lower qca.n_cut",
            spec.n_cut
        ));
    }
    if base.complex.is_empty() {
        return derr(format!(
            "no truth-table row reaches incl_cut {} (and pri_cut {}) with n_cut {}: there is nothing to minimise (qca_truth_table's incl shows how near each row comes)",
            spec.incl_cut, spec.pri_cut, spec.n_cut
        ));
    }
    let shown = if expect.is_some() {
        "intermediate"
    } else {
        "parsimonious"
    };
    let shown_cover = match shown {
        "intermediate" => base.intermediate.first(),
        _ => base.parsimonious.first(),
    }
    .cloned()
    .unwrap_or_default();

    let mut solutions = Vec::new();
    let mut tables = Vec::new();
    let mut calibrated_cols = vec![Column::new("case".into(), cases.ids.clone())];
    for c in names.iter().chain(std::iter::once(&spec.outcome)) {
        calibrated_cols.push(Column::new(c.as_str().into(), members[c].clone()));
    }
    calibrated_cols.push(Column::new(
        "solution".into(),
        cover_membership(&conds, &shown_cover, n),
    ));
    tables.push((
        "qca_calibrated",
        DataFrame::new(n, calibrated_cols).map_err(ferr("qca_calibrated"))?,
    ));
    tables.push(("qca_calibration", calibration_table(spec, &calib, cases)?));
    tables.push(("qca_necessity", necessity_table(names, &conds, &y)?));
    tables.push((
        "qca_truth_table",
        truth_frame(names, &cases.ids, &base.table)?,
    ));
    let mut rows = SolutionRows::default();
    for (kind, covers) in [
        ("complex", &base.complex),
        ("parsimonious", &base.parsimonious),
        ("intermediate", &base.intermediate),
    ] {
        for (m, cover) in covers.iter().enumerate() {
            let expr = expression(names, cover);
            solutions.push((format!("{kind} M{}", m + 1), expr.clone()));
            let sol = qca::solution(&conds, &y, names, cover, &base.table);
            rows.add(kind, m, &sol, &expr, &cases.ids);
        }
    }
    tables.push(("qca_solutions", rows.frame()?));
    let covers = match shown {
        "intermediate" => &base.intermediate,
        _ => &base.parsimonious,
    };
    tables.push((
        "qca_configurations",
        configurations(names, shown, covers, &base.parsimonious, &impossible)?,
    ));
    let grid = Grid {
        cases,
        spec,
        calib: &calib,
        expect: expect.as_deref(),
        impossible: &impossible,
        base: &base,
        base_membership: cover_membership(&conds, &shown_cover, n),
        conds: &conds,
        y: &y,
    };
    tables.push(("qca_robustness", grid.frame()?));
    Ok(Analysis {
        tables,
        solutions,
        shown,
        warnings,
    })
}

/// `qca_calibration`: how each set was made — its role, the method
/// (anchors as given, anchors from quantiles, a crisp threshold, or a
/// membership taken as it is), the three anchors (or the threshold as the
/// crossover) and the directional expectation (1 present, 0 absent).
fn calibration_table(
    spec: &Qca,
    calib: &BTreeMap<String, Option<Calibration>>,
    cases: &Cases,
) -> Result<DataFrame, AnalysisError> {
    let sets: Vec<&String> = spec
        .conditions
        .iter()
        .chain(std::iter::once(&spec.outcome))
        .collect();
    let given = |n: &str| spec.calibration.contains_key(n);
    let method = |n: &str| match calib.get(n).copied().flatten() {
        Some(Calibration::Fuzzy { .. }) if given(n) => "anchors",
        Some(Calibration::Fuzzy { .. }) => "quantiles",
        Some(Calibration::Crisp { .. }) => "threshold",
        None if cases.crisp.contains(n) => "crisp",
        None => "membership",
    };
    let anchor = |n: &str, k: usize| match calib.get(n).copied().flatten() {
        Some(Calibration::Fuzzy { e, c, i }) => Some([e, c, i][k]),
        Some(Calibration::Crisp { threshold }) if k == 1 => Some(threshold),
        _ => None,
    };
    df!(
        "set" => sets.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "role" => sets.iter().map(|s| if **s == spec.outcome { "outcome" } else { "condition" }).collect::<Vec<_>>(),
        "method" => sets.iter().map(|s| method(s)).collect::<Vec<_>>(),
        "exclusion" => sets.iter().map(|s| anchor(s, 0)).collect::<Vec<_>>(),
        "crossover" => sets.iter().map(|s| anchor(s, 1)).collect::<Vec<_>>(),
        "inclusion" => sets.iter().map(|s| anchor(s, 2)).collect::<Vec<_>>(),
        "expect" => sets.iter().map(|s| spec.expect.get(s.as_str()).map(|v| *v as u32)).collect::<Vec<_>>(),
    )
    .map_err(ferr("qca_calibration"))
}

pub fn ferr(table: &str) -> impl FnOnce(PolarsError) -> AnalysisError {
    let table = table.to_string();
    move |source| AnalysisError::Frame { table, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_is_r_s_type_7() {
        // R: quantile(c(1, 2, 4, 8, 16), c(0.05, 0.5, 0.95)) = 1.2, 4, 14.4
        let v = [16.0, 1.0, 4.0, 2.0, 8.0];
        assert!((quantile(&v, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile(&v, 0.5), 4.0);
        assert!((quantile(&v, 0.95) - 14.4).abs() < 1e-12);
    }
}
