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

use super::qca::{self, Anchors, Cuts, Fit, Implicant, Out, TruthRow};
use crate::config::{AnchorMode, Calibration, Qca};

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

/// The case table of a run's units in one period: a case per unit with a
/// value of every metric the study names (`model:<word>`: 1 for the units
/// of that model, else 0); units missing a metric are left out, counted in
/// the notes. `g` is one period's unit metrics grouped as `compare` groups
/// them.
pub(super) fn unit_cases(g: &super::tables::Grouped, spec: &Qca) -> (Cases, Vec<String>) {
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
    let g = super::tables::grouped(um).map_err(ferr("unit_metrics"))?;
    let g: super::tables::Grouped = g.into_iter().filter(|(k, _)| k.2 == period).collect();
    Ok(unit_cases(&g, spec))
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

fn ferr(table: &str) -> impl FnOnce(PolarsError) -> AnalysisError {
    let table = table.to_string();
    move |source| AnalysisError::Frame { table, source }
}

fn necessity_table(
    names: &[String],
    conds: &[Vec<f64>],
    y: &[f64],
) -> Result<DataFrame, AnalysisError> {
    let (mut expr, mut inc, mut ron, mut cov) = (vec![], vec![], vec![], vec![]);
    for (c, x) in names.iter().zip(conds) {
        for neg in [false, true] {
            let v: Vec<f64> = x.iter().map(|a| if neg { 1.0 - a } else { *a }).collect();
            let (i, r, cv) = qca::necessity(&v, y);
            expr.push(if neg { format!("~{c}") } else { c.clone() });
            inc.push(i);
            ron.push(r);
            cov.push(cv);
        }
    }
    df!("condition" => expr, "inclN" => inc, "RoN" => ron, "covN" => cov)
        .map_err(ferr("qca_necessity"))
}

fn truth_frame(
    names: &[String],
    ids: &[String],
    table: &[TruthRow],
) -> Result<DataFrame, AnalysisError> {
    let nan_null = |v: f64| (!v.is_nan()).then_some(v);
    let mut cols: Vec<Column> = vec![Column::new(
        "row".into(),
        table.iter().map(|r| r.row as u64).collect::<Vec<_>>(),
    )];
    for (j, c) in names.iter().enumerate() {
        cols.push(Column::new(
            c.as_str().into(),
            table
                .iter()
                .map(|r| u32::from(r.config[j]))
                .collect::<Vec<_>>(),
        ));
    }
    cols.push(Column::new(
        "OUT".into(),
        table.iter().map(|r| r.out.as_str()).collect::<Vec<_>>(),
    ));
    cols.push(Column::new(
        "n".into(),
        table.iter().map(|r| r.n as u64).collect::<Vec<_>>(),
    ));
    cols.push(Column::new(
        "incl".into(),
        table.iter().map(|r| nan_null(r.incl)).collect::<Vec<_>>(),
    ));
    cols.push(Column::new(
        "PRI".into(),
        table.iter().map(|r| nan_null(r.pri)).collect::<Vec<_>>(),
    ));
    cols.push(Column::new(
        "cases".into(),
        table
            .iter()
            .map(|r| {
                r.cases
                    .iter()
                    .map(|&i| ids[i].as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>(),
    ));
    DataFrame::new(table.len(), cols).map_err(ferr("qca_truth_table"))
}

/// `qca_solutions`' rows: a row per term, then the solution's (term `*`,
/// the cases of all its terms); every row names the whole expression.
#[derive(Default)]
struct SolutionRows {
    kind: Vec<String>,
    model: Vec<String>,
    term: Vec<String>,
    fit: Vec<Fit>,
    unique: Vec<Option<f64>>,
    cases: Vec<String>,
    expr: Vec<String>,
}

impl SolutionRows {
    fn add(&mut self, kind: &str, m: usize, sol: &qca::Solution, expr: &str, ids: &[String]) {
        let names = |cs: &[usize]| {
            cs.iter()
                .map(|&i| ids[i].as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut all: Vec<usize> = Vec::new();
        let rows = sol
            .terms
            .iter()
            .map(|t| (t.name.as_str(), t.fit, Some(t.cov_unique), t.cases.clone()))
            .chain(std::iter::once({
                for t in &sol.terms {
                    all.extend(&t.cases);
                }
                all.sort();
                all.dedup();
                ("*", sol.fit, None, all)
            }));
        for (term, fit, unique, cs) in rows {
            self.kind.push(kind.into());
            self.model.push(format!("M{}", m + 1));
            self.term.push(term.into());
            self.fit.push(fit);
            self.unique.push(unique);
            self.cases.push(names(&cs));
            self.expr.push(expr.into());
        }
    }

    fn frame(self) -> Result<DataFrame, AnalysisError> {
        let f = |g: fn(&Fit) -> f64| self.fit.iter().map(g).collect::<Vec<_>>();
        df!(
            "solution" => &self.kind,
            "model" => &self.model,
            "term" => &self.term,
            "incl" => f(|x| x.incl),
            "pri" => f(|x| x.pri),
            "cov" => f(|x| x.cov),
            "cov_unique" => &self.unique,
            "cases" => &self.cases,
            "expression" => &self.expr,
        )
        .map_err(ferr("qca_solutions"))
    }
}

/// The configuration table: per term of each model of the shown solution
/// and per condition, whether the condition is present or absent (null:
/// either) and whether it is core — kept by a parsimonious term that
/// subsumes the configuration (Fiss 2011) — or peripheral.
fn configurations(
    names: &[String],
    kind: &str,
    covers: &[Vec<Implicant>],
    pars: &[Vec<Implicant>],
    exclusive: &[u32],
) -> Result<DataFrame, AnalysisError> {
    let k = names.len();
    // A term with the implied absences of its exclusive groups written out,
    // so that subsumption is judged on what the term says.
    let full = |t: &Implicant| -> Implicant {
        let mut t = *t;
        for g in exclusive {
            if t.mask & t.value & g != 0 {
                t.mask |= g;
            }
        }
        t
    };
    let pars_terms: Vec<Implicant> = pars.first().cloned().unwrap_or_default();
    let (mut sol, mut model, mut config, mut term, mut cond, mut presence, mut core) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (m, cover) in covers.iter().enumerate() {
        for (c, t) in cover.iter().enumerate() {
            for (j, name) in names.iter().enumerate() {
                let bit = 1u32 << (k - 1 - j);
                let kept = t.mask & bit != 0;
                let is_core = kept
                    && pars_terms.iter().any(|p| {
                        let (t, p) = (full(t), full(p));
                        let subsumes =
                            t.mask & p.mask == p.mask && t.value & p.mask == p.value & p.mask;
                        subsumes && p.mask & bit != 0
                    });
                sol.push(kind.to_string());
                model.push(format!("M{}", m + 1));
                config.push(c as u32 + 1);
                term.push(t.name(names));
                cond.push(name.clone());
                presence.push(kept.then(|| {
                    if t.value & bit != 0 {
                        "present"
                    } else {
                        "absent"
                    }
                }));
                core.push(is_core);
            }
        }
    }
    df!(
        "solution" => sol, "model" => model, "configuration" => config, "term" => term,
        "condition" => cond, "presence" => presence, "core" => core,
    )
    .map_err(ferr("qca_configurations"))
}

/// The robustness grid around the base analysis.
struct Grid<'a> {
    cases: &'a Cases,
    spec: &'a Qca,
    calib: &'a BTreeMap<String, Option<Calibration>>,
    expect: Option<&'a [Option<bool>]>,
    impossible: &'a [u32],
    base: &'a Solved,
    base_membership: Vec<f64>,
    conds: &'a [Vec<f64>],
    y: &'a [f64],
}

/// One setting of the grid: what changed, the cuts, and the sets.
struct Setting {
    varied: &'static str,
    setting: String,
    cuts: Cuts,
    moved: Option<(String, Calibration)>,
}

impl Grid<'_> {
    fn settings(&self) -> Vec<Setting> {
        let s = self.spec;
        let base_cuts = Cuts {
            incl: s.incl_cut,
            n: s.n_cut,
            pri: s.pri_cut,
        };
        let mut out = vec![Setting {
            varied: "base",
            setting: format!("incl_cut = {}, n_cut = {}", s.incl_cut, s.n_cut),
            cuts: base_cuts,
            moved: None,
        }];
        for &incl in &s.robustness.incl_cuts {
            for &n in &s.robustness.n_cuts {
                if (incl - s.incl_cut).abs() < 1e-12 && n == s.n_cut {
                    continue;
                }
                out.push(Setting {
                    varied: "cuts",
                    setting: format!("incl_cut = {incl}, n_cut = {n}"),
                    cuts: Cuts {
                        incl,
                        n,
                        pri: s.pri_cut,
                    },
                    moved: None,
                });
            }
        }
        let f = s.robustness.anchor_shift;
        if f == 0.0 {
            return out;
        }
        for (name, c) in self.calib {
            let Some(c) = c else { continue };
            let moves: Vec<(String, Calibration)> = match *c {
                Calibration::Fuzzy { e, c, i } => {
                    let d = f * (i - e).abs();
                    let mut v = Vec::new();
                    for (which, sign) in [
                        ("e", -1.0),
                        ("e", 1.0),
                        ("c", -1.0),
                        ("c", 1.0),
                        ("i", -1.0),
                        ("i", 1.0),
                    ] {
                        let (mut a, mut b, mut z) = (e, c, i);
                        let slot = match which {
                            "e" => &mut a,
                            "c" => &mut b,
                            _ => &mut z,
                        };
                        let from = *slot;
                        *slot += sign * d;
                        let to = *slot;
                        if qca::check_anchors(Anchors { e: a, c: b, i: z }).is_ok() {
                            v.push((
                                format!("{name}: {which} {} → {}", num(from), num(to)),
                                Calibration::Fuzzy { e: a, c: b, i: z },
                            ));
                        }
                    }
                    v
                }
                Calibration::Crisp { threshold } => {
                    let col = &self.cases.columns[name];
                    let range = col.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                        - col.iter().copied().fold(f64::INFINITY, f64::min);
                    [-1.0, 1.0]
                        .iter()
                        .map(|sign| {
                            let to = threshold + sign * f * range;
                            (
                                format!("{name}: threshold {} → {}", num(threshold), num(to)),
                                Calibration::Crisp { threshold: to },
                            )
                        })
                        .collect()
                }
            };
            for (setting, cal) in moves {
                out.push(Setting {
                    varied: "anchors",
                    setting,
                    cuts: base_cuts,
                    moved: Some((name.clone(), cal)),
                });
            }
        }
        out
    }

    fn frame(&self) -> Result<DataFrame, AnalysisError> {
        let names = &self.spec.conditions;
        let n = self.cases.ids.len();
        let first =
            |c: &[Vec<Implicant>]| c.first().map(|c| expression(names, c)).unwrap_or_default();
        let (base_pars, base_inter) = (
            first(&self.base.parsimonious),
            first(&self.base.intermediate),
        );
        let (mut varied, mut setting, mut incl_cut, mut n_cut) = (vec![], vec![], vec![], vec![]);
        let (mut pars, mut same_p, mut inter, mut same_i) = (vec![], vec![], vec![], vec![]);
        let (mut fit_incl, mut fit_cov) = (vec![], vec![]);
        for st in self.settings() {
            let (conds, y) = match &st.moved {
                None => (self.conds.to_vec(), self.y.to_vec()),
                Some((col, cal)) => {
                    let moved = set(&self.cases.columns[col], Some(*cal), self.spec.log_odds);
                    let conds: Vec<Vec<f64>> = names
                        .iter()
                        .zip(self.conds)
                        .map(|(c, v)| if c == col { moved.clone() } else { v.clone() })
                        .collect();
                    let y = if *col == self.spec.outcome {
                        moved
                    } else {
                        self.y.to_vec()
                    };
                    (conds, y)
                }
            };
            let solved = solve(&conds, &y, st.cuts, self.expect, self.impossible);
            let (p, i) = (first(&solved.parsimonious), first(&solved.intermediate));
            let shown = if self.expect.is_some() {
                &solved.intermediate
            } else {
                &solved.parsimonious
            };
            // Oana and Schneider's robustness fit: how far the test solution
            // (on its own sets) is a subset of the base solution, and how
            // much of the base it covers.
            let (fi, fc) = match shown.first() {
                Some(cover) => {
                    let ts = cover_membership(&conds, cover, n);
                    let both: f64 = ts
                        .iter()
                        .zip(&self.base_membership)
                        .map(|(a, b)| a.min(*b))
                        .sum();
                    let st: f64 = ts.iter().sum();
                    let sb: f64 = self.base_membership.iter().sum();
                    (
                        Some(both / st).filter(|v| v.is_finite()),
                        Some(both / sb).filter(|v| v.is_finite()),
                    )
                }
                None => (None, None),
            };
            varied.push(st.varied);
            setting.push(st.setting);
            incl_cut.push(st.cuts.incl);
            n_cut.push(st.cuts.n as u64);
            same_p.push(!p.is_empty() && same_terms(&p, &base_pars));
            pars.push(p);
            if self.expect.is_some() {
                same_i.push(Some(!i.is_empty() && same_terms(&i, &base_inter)));
                inter.push(Some(i));
            } else {
                same_i.push(None);
                inter.push(None);
            }
            fit_incl.push(fi);
            fit_cov.push(fc);
        }
        df!(
            "varied" => varied, "setting" => setting, "incl_cut" => incl_cut, "n_cut" => n_cut,
            "parsimonious" => pars, "same_parsimonious" => same_p,
            "intermediate" => inter, "same_intermediate" => same_i,
            "fit_incl" => fit_incl, "fit_cov" => fit_cov,
        )
        .map_err(ferr("qca_robustness"))
    }
}

/// An anchor as the setting names it: at most 4 decimals, no trailing zeros.
fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
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

    #[test]
    fn anchor_settings_are_named_plainly() {
        assert_eq!(num(585.0), "585");
        assert_eq!(num(0.125), "0.125");
        assert_eq!(num(-0.00001), "0");
    }
}
