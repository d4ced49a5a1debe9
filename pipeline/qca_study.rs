//! `govlens qca --config FILE [--out DIR]`: fsQCA ([`crate::compare::qca`]) on any
//! case table a researcher brings (CSV, XLSX or Parquet, a row per case),
//! described by a `[qca]` section:
//!
//! ```toml
//! [qca]
//! data = "lipset.csv"
//! case = "case"
//! outcome = "SURV"
//! conditions = ["DEV", "URB", "LIT", "IND", "STB"]
//! incl_cut = 0.8            # default 0.8
//! n_cut = 1                 # default 1
//! pri_cut = 0.0             # default 0
//! log_odds = 3.0            # default 3 (Ragin's fs/QCA)
//! expect = { DEV = 1, URB = 1, LIT = 1, IND = 1, STB = 1 }   # the intermediate solution's directional expectations
//! [qca.calibration]         # [e, c, i]; a column not listed must already be 0..1
//! DEV = [400, 550, 900]
//! ```
//!
//! Writes `qca_calibrated`, `qca_necessity`, `qca_truth_table`,
//! `qca_solutions` and `qca_robustness` (Parquet and a spreadsheet-safe
//! CSV) into DIR, published whole.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Deserialize;

use crate::compare::qca::{self, Anchors, Cuts, Out};
use crate::warehouse::{self, Staging, WarehouseError};

#[derive(Debug, thiserror::Error)]
pub enum QcaError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Config { path: String, message: String },
    #[error("{path}: {message}")]
    Data { path: String, message: String },
    #[error("writing {table}: {source}")]
    Frame { table: String, source: PolarsError },
    #[error("drawing the configuration table: {0}")]
    Chart(String),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    qca: Settings,
}

/// The `[qca]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub data: String,
    pub case: String,
    pub outcome: String,
    pub conditions: Vec<String>,
    #[serde(default = "default_incl")]
    pub incl_cut: f64,
    #[serde(default = "default_n")]
    pub n_cut: usize,
    #[serde(default)]
    pub pri_cut: f64,
    #[serde(default = "default_log_odds")]
    pub log_odds: f64,
    #[serde(default)]
    pub expect: BTreeMap<String, u8>,
    #[serde(default)]
    pub calibration: BTreeMap<String, [f64; 3]>,
    #[serde(default = "default_max")]
    pub max_conditions: usize,
    /// The chart's language: zh (default) or en.
    #[serde(default = "default_lang")]
    pub lang: String,
}

fn default_lang() -> String {
    "zh".into()
}

fn default_incl() -> f64 {
    0.8
}
fn default_n() -> usize {
    1
}
fn default_log_odds() -> f64 {
    3.0
}
fn default_max() -> usize {
    12
}

/// What a run of `govlens qca` found, for the terminal.
#[derive(Debug)]
pub struct Summary {
    pub out: PathBuf,
    pub cases: usize,
    pub solutions: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

/// A case table as read: its header and its rows of cells.
type CaseTable = (Vec<String>, Vec<Vec<Option<String>>>);

/// Reads the case table: the header's names and each row's cells.
fn read_table(path: &Path) -> Result<CaseTable, String> {
    use crate::ingest::read;
    let format = read::Format::of(path).ok_or("not a CSV, XLSX or Parquet file")?;
    let encoding = crate::ingest::encoding::probe(path, format == read::Format::Csv)
        .map_err(|e| e.to_string())?
        .encoding
        .unwrap_or(crate::config::Encoding::Utf8);
    let opened = read::open(path, format, encoding, None).map_err(|e| e.to_string())?;
    let mut rows = opened.records;
    let header = rows
        .next()
        .ok_or("the file is empty")?
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = header
        .cells
        .iter()
        .map(|c| c.clone().unwrap_or_default())
        .collect();
    let mut body = Vec::new();
    for r in rows {
        let r = r.map_err(|e| e.to_string())?;
        if r.cells.iter().all(Option::is_none) {
            continue;
        }
        body.push(r.cells);
    }
    Ok((names, body))
}

/// Runs the analysis of `config` into `out` (default: `qca-out` beside the
/// config).
pub fn run(config: &Path, out: Option<&Path>) -> Result<Summary, QcaError> {
    let shown = config.display().to_string();
    let text = std::fs::read_to_string(config).map_err(|source| QcaError::Read {
        path: shown.clone(),
        source,
    })?;
    let cerr = |message: String| QcaError::Config {
        path: shown.clone(),
        message,
    };
    let s: Settings = toml::from_str::<File>(&text)
        .map_err(|e| cerr(e.to_string().trim().replace('\n', " ")))?
        .qca;
    let base = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let data = base.join(&s.data);
    let dshown = data.display().to_string();
    let derr = |message: String| QcaError::Data {
        path: dshown.clone(),
        message,
    };
    let k = s.conditions.len();
    if k == 0 {
        return Err(cerr(
            "key qca.conditions: name at least one condition".into(),
        ));
    }
    if k > s.max_conditions {
        return Err(cerr(format!(
            "key qca.conditions: {k} conditions make a truth table of 2^{k} rows; at most {} (raise qca.max_conditions to accept)",
            s.max_conditions
        )));
    }
    for (c, a) in &s.calibration {
        qca::check_anchors(Anchors {
            e: a[0],
            c: a[1],
            i: a[2],
        })
        .map_err(|m| cerr(format!("key qca.calibration.{c}: {m}")))?;
    }
    for c in s.expect.keys() {
        if !s.conditions.contains(c) {
            return Err(cerr(format!(
                "key qca.expect.{c}: not one of qca.conditions"
            )));
        }
    }
    let (names, body) = read_table(&data).map_err(derr)?;
    let col = |name: &str| -> Result<usize, QcaError> {
        names.iter().position(|n| n == name).ok_or_else(|| {
            derr(format!(
                "no column '{name}' (columns: {})",
                names.join(", ")
            ))
        })
    };
    let case_at = col(&s.case)?;
    let mut cases: Vec<String> = Vec::new();
    for (r, row) in body.iter().enumerate() {
        let id = row.get(case_at).cloned().flatten().unwrap_or_default();
        if id.is_empty() {
            return Err(derr(format!("row {}: no case id in '{}'", r + 2, s.case)));
        }
        if let Some(first) = cases.iter().position(|c| *c == id) {
            return Err(derr(format!(
                "case '{id}' appears twice (rows {} and {})",
                first + 2,
                r + 2
            )));
        }
        cases.push(id);
    }
    if cases.len() < k + 1 {
        return Err(derr(format!(
            "{} cases for {k} conditions: fsQCA needs at least conditions + 1 cases",
            cases.len()
        )));
    }
    // Memberships of every column used: calibrated, or 0..1 as they are.
    let mut members: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut warnings = Vec::new();
    for name in s.conditions.iter().chain(std::iter::once(&s.outcome)) {
        let at = col(name)?;
        let mut v = Vec::with_capacity(cases.len());
        for (r, row) in body.iter().enumerate() {
            let raw = row.get(at).cloned().flatten().unwrap_or_default();
            let x = crate::ingest::parse::parse_number(&raw).map_err(|_| {
                derr(format!(
                    "row {} ({}), column {name}: '{raw}' is not a number",
                    r + 2,
                    cases[r]
                ))
            })?;
            let m = match s.calibration.get(name) {
                Some(a) => qca::calibrate(x, Anchors { e: a[0], c: a[1], i: a[2] }, s.log_odds),
                None if (0.0..=1.0).contains(&x) => x,
                None => {
                    return Err(derr(format!(
                        "row {} ({}), column {name}: {x} is not a membership (0..1); give anchors in [qca.calibration]",
                        r + 2,
                        cases[r]
                    )))
                }
            };
            if m == 0.5 && name != &s.outcome {
                warnings.push(format!(
                    "case {} has {name} at exactly 0.5: it belongs to no truth-table row",
                    cases[r]
                ));
            }
            v.push(m);
        }
        if v.iter().all(|x| (x - v[0]).abs() < 1e-12) {
            return Err(derr(format!(
                "column {name} has no variation (every case {})",
                v[0]
            )));
        }
        members.insert(name.clone(), v);
    }
    let conds: Vec<Vec<f64>> = s.conditions.iter().map(|c| members[c].clone()).collect();
    let y = members[&s.outcome].clone();
    let cuts = Cuts {
        incl: s.incl_cut,
        n: s.n_cut,
        pri: s.pri_cut,
    };
    let table = qca::truth_table(&conds, &y, cuts);
    let on = qca::rows_with(&table, Out::Positive);
    if on.is_empty() {
        return Err(derr(format!(
            "no truth-table row reaches incl_cut {} with n_cut {}: there is nothing to minimise",
            s.incl_cut, s.n_cut
        )));
    }
    let rem = qca::rows_with(&table, Out::Remainder);

    // The solutions, a row per term and one per solution (term `*`, with the
    // cases of all its terms); every row names its whole expression.
    type SolRow = (
        String,
        String,
        String,
        Option<qca::Fit>,
        Option<f64>,
        String,
        String,
    );
    let mut sol_rows: Vec<SolRow> = Vec::new();
    let mut shown_solutions = Vec::new();
    let mut add = |kind: &str, covers: &[Vec<qca::Implicant>]| {
        for (m, cover) in covers.iter().enumerate() {
            let sol = qca::solution(&conds, &y, &s.conditions, cover, &table);
            let model = format!("M{}", m + 1);
            let expr = sol
                .terms
                .iter()
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
                .join(" + ");
            shown_solutions.push((format!("{kind} {model}"), expr.clone()));
            let mut all: Vec<usize> = Vec::new();
            for t in &sol.terms {
                let cs: Vec<&str> = t.cases.iter().map(|&i| cases[i].as_str()).collect();
                all.extend(&t.cases);
                sol_rows.push((
                    kind.into(),
                    model.clone(),
                    t.name.clone(),
                    Some(t.fit),
                    Some(t.cov_unique),
                    cs.join(","),
                    expr.clone(),
                ));
            }
            all.sort();
            all.dedup();
            let cs: Vec<&str> = all.iter().map(|&i| cases[i].as_str()).collect();
            sol_rows.push((
                kind.into(),
                model,
                "*".into(),
                Some(sol.fit),
                None,
                cs.join(","),
                expr,
            ));
        }
    };
    let complex = qca::minimise(&on, &[], k);
    let pars = qca::minimise(&on, &rem, k);
    add("complex", &complex);
    add("parsimonious", &pars);
    let mut inter = Vec::new();
    if !s.expect.is_empty() {
        let expect: Vec<Option<bool>> = s
            .conditions
            .iter()
            .map(|c| s.expect.get(c).map(|v| *v == 1))
            .collect();
        let assumed =
            qca::simplifying_assumptions(pars.first().map(Vec::as_slice).unwrap_or(&[]), &rem);
        let easy = qca::easy_counterfactuals(&on, &assumed, &expect, k);
        inter = qca::minimise(&on, &easy, k);
        add("intermediate", &inter);
    }

    // Robustness: the parsimonious solution over a grid of cuts.
    let base_expr = shown_solutions
        .iter()
        .find(|(k, _)| k.starts_with("parsimonious"))
        .map(|(_, e)| e.clone())
        .unwrap_or_default();
    let mut rob: Vec<(f64, u64, String, bool)> = Vec::new();
    for incl in [0.75, 0.8, 0.85, 0.9] {
        for n in 1..=3usize {
            let t = qca::truth_table(
                &conds,
                &y,
                Cuts {
                    incl,
                    n,
                    pri: s.pri_cut,
                },
            );
            let on = qca::rows_with(&t, Out::Positive);
            let rem = qca::rows_with(&t, Out::Remainder);
            let expr = qca::minimise(&on, &rem, k)
                .first()
                .map(|c| {
                    qca::solution(&conds, &y, &s.conditions, c, &t)
                        .terms
                        .iter()
                        .map(|x| x.name.clone())
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .unwrap_or_default();
            rob.push((incl, n as u64, expr.clone(), same_terms(&expr, &base_expr)));
        }
    }

    // Frames.
    let ferr = |table: &str| {
        let table = table.to_string();
        move |source| QcaError::Frame { table, source }
    };
    let mut calibrated = DataFrame::new(
        cases.len(),
        std::iter::once(Column::new("case".into(), cases.clone()))
            .chain(
                s.conditions
                    .iter()
                    .chain(std::iter::once(&s.outcome))
                    .map(|c| Column::new(c.as_str().into(), members[c].clone())),
            )
            .collect(),
    )
    .map_err(ferr("qca_calibrated"))?;
    let mut nec_expr = Vec::new();
    let (mut inc, mut ron, mut cov) = (Vec::new(), Vec::new(), Vec::new());
    for (c, x) in s.conditions.iter().zip(&conds) {
        for neg in [false, true] {
            let v: Vec<f64> = x.iter().map(|a| if neg { 1.0 - a } else { *a }).collect();
            let (i, r, cv) = qca::necessity(&v, &y);
            nec_expr.push(if neg { format!("~{c}") } else { c.clone() });
            inc.push(i);
            ron.push(r);
            cov.push(cv);
        }
    }
    let mut necessity = df!("condition" => nec_expr, "inclN" => inc, "RoN" => ron, "covN" => cov)
        .map_err(ferr("qca_necessity"))?;
    let mut tt_cols: Vec<Column> = vec![Column::new(
        "row".into(),
        table.iter().map(|r| r.row as u64).collect::<Vec<_>>(),
    )];
    for (j, c) in s.conditions.iter().enumerate() {
        tt_cols.push(Column::new(
            c.as_str().into(),
            table.iter().map(|r| r.config[j] as u32).collect::<Vec<_>>(),
        ));
    }
    tt_cols.push(Column::new(
        "OUT".into(),
        table.iter().map(|r| r.out.as_str()).collect::<Vec<_>>(),
    ));
    tt_cols.push(Column::new(
        "n".into(),
        table.iter().map(|r| r.n as u64).collect::<Vec<_>>(),
    ));
    tt_cols.push(Column::new(
        "incl".into(),
        table
            .iter()
            .map(|r| (!r.incl.is_nan()).then_some(r.incl))
            .collect::<Vec<_>>(),
    ));
    tt_cols.push(Column::new(
        "PRI".into(),
        table
            .iter()
            .map(|r| (!r.pri.is_nan()).then_some(r.pri))
            .collect::<Vec<_>>(),
    ));
    tt_cols.push(Column::new(
        "cases".into(),
        table
            .iter()
            .map(|r| {
                r.cases
                    .iter()
                    .map(|&i| cases[i].as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>(),
    ));
    let mut truth = DataFrame::new(table.len(), tt_cols).map_err(ferr("qca_truth_table"))?;
    let mut solutions = df!(
        "solution" => sol_rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "model" => sol_rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "term" => sol_rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        "incl" => sol_rows.iter().map(|r| r.3.map(|f| f.incl)).collect::<Vec<_>>(),
        "pri" => sol_rows.iter().map(|r| r.3.map(|f| f.pri)).collect::<Vec<_>>(),
        "cov" => sol_rows.iter().map(|r| r.3.map(|f| f.cov)).collect::<Vec<_>>(),
        "cov_unique" => sol_rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        "cases" => sol_rows.iter().map(|r| r.5.as_str()).collect::<Vec<_>>(),
        "expression" => sol_rows.iter().map(|r| r.6.as_str()).collect::<Vec<_>>(),
    )
    .map_err(ferr("qca_solutions"))?;
    let mut robustness = df!(
        "incl_cut" => rob.iter().map(|r| r.0).collect::<Vec<_>>(),
        "n_cut" => rob.iter().map(|r| r.1).collect::<Vec<_>>(),
        "parsimonious" => rob.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        "same_as_base" => rob.iter().map(|r| r.3).collect::<Vec<_>>(),
    )
    .map_err(ferr("qca_robustness"))?;

    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.join("qca-out"));
    let staging = Staging::new(&out)?;
    let shown_cover = inter.first().or(pars.first()).cloned().unwrap_or_default();
    let lang = crate::render::labels::Lang::parse(&s.lang)
        .ok_or_else(|| cerr(format!("key qca.lang: '{}' is not zh or en", s.lang)))?;
    chart(
        &staging.dir,
        &s.conditions,
        &conds,
        &y,
        &table,
        &shown_cover,
        pars.first().map(Vec::as_slice).unwrap_or(&[]),
        !inter.is_empty(),
        lang,
    )?;
    for (name, df) in [
        ("qca_calibrated", &mut calibrated),
        ("qca_necessity", &mut necessity),
        ("qca_truth_table", &mut truth),
        ("qca_solutions", &mut solutions),
        ("qca_robustness", &mut robustness),
    ] {
        warehouse::write_frame(&staging.dir.join(format!("{name}.parquet")), df, &[])?;
        warehouse::write_csv_copy(&staging.dir.join(format!("{name}.csv")), df)?;
    }
    let manifest = serde_json::json!({
        "config": shown, "data": s.data, "cases": cases.len(), "conditions": s.conditions,
        "outcome": s.outcome, "incl_cut": s.incl_cut, "n_cut": s.n_cut, "pri_cut": s.pri_cut,
        "log_odds": s.log_odds, "warnings": warnings,
    });
    warehouse::write_text(
        &staging.dir.join("manifest.json"),
        &(serde_json::to_string_pretty(&manifest).expect("json") + "\n"),
    )?;
    staging.publish()?;
    Ok(Summary {
        out,
        cases: cases.len(),
        solutions: shown_solutions,
        warnings,
    })
}

/// The configuration table of `cover` (core: a literal a parsimonious
/// term subsuming the configuration keeps too), as SVG and PNG.
#[allow(clippy::too_many_arguments)]
fn chart(
    dir: &Path,
    names: &[String],
    conds: &[Vec<f64>],
    y: &[f64],
    table: &[qca::TruthRow],
    cover: &[qca::Implicant],
    pars: &[qca::Implicant],
    intermediate: bool,
    lang: crate::render::labels::Lang,
) -> Result<(), QcaError> {
    use crate::render::labels::label;
    use crate::render::qca_charts::{configuration_table, Configuration, Legend, Mark};
    use plotters::prelude::*;
    crate::render::font::register(None).map_err(|e| QcaError::Chart(e.to_string()))?;
    let k = names.len();
    let sol = qca::solution(conds, y, names, cover, table);
    let configs: Vec<Configuration> = sol
        .terms
        .iter()
        .map(|t| {
            let marks = (0..k)
                .map(|j| {
                    let bit = 1u32 << (k - 1 - j);
                    if t.term.mask & bit == 0 {
                        return Mark::Either;
                    }
                    let present = t.term.value & bit != 0;
                    let core = pars.iter().any(|p| {
                        let subsumes = t.term.mask & p.mask == p.mask
                            && t.term.value & p.mask == p.value & p.mask;
                        subsumes && p.mask & bit != 0
                    });
                    if present {
                        Mark::Present { core }
                    } else {
                        Mark::Absent { core }
                    }
                })
                .collect();
            Configuration {
                marks,
                consistency: t.fit.incl,
                raw_coverage: t.fit.cov,
                unique_coverage: t.cov_unique,
            }
        })
        .collect();
    let legend = Legend {
        title: label(
            lang,
            if intermediate {
                "qca_title"
            } else {
                "qca_title_pars"
            },
        )
        .into(),
        consistency: label(lang, "qca_consistency").into(),
        raw: label(lang, "qca_raw").into(),
        unique: label(lang, "qca_unique").into(),
        solution: label(lang, "qca_solution").into(),
        note: label(lang, "qca_note").into(),
    };
    let size = (900u32, 120 + 52 * (k as u32 + 3) + 80);
    let derr = |e: String| QcaError::Chart(e);
    {
        let svg = dir.join("configuration_table.svg");
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        configuration_table(&root, names, &configs, (sol.fit.incl, sol.fit.cov), &legend)
            .map_err(|e| derr(e.to_string()))?;
        root.present().map_err(|e| derr(e.to_string()))?;
    }
    let png = dir.join("configuration_table.png");
    let root = BitMapBackend::new(&png, size).into_drawing_area();
    configuration_table(&root, names, &configs, (sol.fit.incl, sol.fit.cov), &legend)
        .map_err(|e| derr(e.to_string()))?;
    root.present().map_err(|e| derr(e.to_string()))?;
    Ok(())
}

/// Two solutions with the same terms, in any order (R's order of terms is
/// not a contract).
fn same_terms(a: &str, b: &str) -> bool {
    let set = |s: &str| -> std::collections::BTreeSet<String> {
        s.split(" + ").map(str::to_string).collect()
    };
    set(a) == set(b)
}
