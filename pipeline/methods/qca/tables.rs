//! The study's tables as R QCA prints them: necessity, the truth table, the
//! solutions (a row per term, one per solution) and the configuration table.

use polars::prelude::*;

use super::{ferr, AnalysisError};
use crate::methods::qca::sets::{self as qca, Fit, Implicant, TruthRow};

pub(super) fn necessity_table(
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

pub(super) fn truth_frame(
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
pub(super) struct SolutionRows {
    kind: Vec<String>,
    model: Vec<String>,
    term: Vec<String>,
    fit: Vec<Fit>,
    unique: Vec<Option<f64>>,
    cases: Vec<String>,
    expr: Vec<String>,
}

impl SolutionRows {
    pub(super) fn add(
        &mut self,
        kind: &str,
        m: usize,
        sol: &qca::Solution,
        expr: &str,
        ids: &[String],
    ) {
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

    pub(super) fn frame(self) -> Result<DataFrame, AnalysisError> {
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
pub(super) fn configurations(
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
                presence.push(kept.then_some(if t.value & bit != 0 {
                    "present"
                } else {
                    "absent"
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
