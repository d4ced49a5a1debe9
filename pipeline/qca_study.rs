//! `govlens qca --config FILE [--out DIR]`: one fsQCA study
//! ([`crate::methods::qca`]) written out with its charts.
//!
//! FILE is either
//! - a study of a case table a researcher brings (CSV, XLSX or Parquet, a
//!   row per case), a file with only a `[qca]` section naming `data` and
//!   `case`:
//!
//!   ```toml
//!   [qca]
//!   data = "lipset.csv"
//!   case = "case"
//!   outcome = "SURV"
//!   conditions = ["DEV", "URB", "LIT", "IND", "STB"]
//!   expect = { DEV = 1, URB = 1, LIT = 1, IND = 1, STB = 1 }
//!   [qca.calibration]         # [e, c, i], or [t] for a crisp set; a column not listed must be 0..1
//!   DEV = [400, 550, 900]
//!   ```
//!   (tables into `qca-out` beside FILE by default), or
//! - a run config with a `[qca]` section: the study of the units of the
//!   latest run's analysis period (`--run`, `--period` to choose), the
//!   same `govlens run` puts in the run folder, into `<run.output>/qca` by
//!   default — for trying anchors and cuts without re-running compare.
//!
//! It writes the `qca_*` tables (Parquet and a spreadsheet-safe CSV), the
//! configuration table and the XY plot (SVG and PNG) and a manifest, all
//! published at once: bad input writes nothing.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Deserialize;

use crate::config::{Config, Qca};
use crate::methods::qca::{self as qca_analysis, AnalysisError, Cases};
use crate::render::labels::Lang;
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
    #[error("drawing the QCA charts: {0}")]
    Chart(String),
    #[error(transparent)]
    Run(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    #[error(transparent)]
    Runs(#[from] crate::runs::RunsError),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    qca: Qca,
}

/// What a run of `govlens qca` found, for the terminal.
#[derive(Debug)]
pub struct Summary {
    pub out: PathBuf,
    pub cases: usize,
    pub solutions: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

/// The cases of a researcher's table: ids unique and present, every value
/// used a number.
fn file_cases(path: &Path, spec: &Qca) -> Result<Cases, String> {
    let case = spec.case.as_deref().ok_or("no qca.case")?;
    let (names, body) = crate::ingest::read::table_cells(path)?;
    let col = |name: &str| -> Result<usize, String> {
        names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| format!("no column '{name}' (columns: {})", names.join(", ")))
    };
    let case_at = col(case)?;
    let mut cases = Cases::default();
    for (r, row) in body.iter().enumerate() {
        let id = row.get(case_at).cloned().flatten().unwrap_or_default();
        if id.is_empty() {
            return Err(format!("row {}: no case id in '{case}'", r + 2));
        }
        if let Some(first) = cases.ids.iter().position(|c| *c == id) {
            return Err(format!(
                "case '{id}' appears twice (rows {} and {})",
                first + 2,
                r + 2
            ));
        }
        cases.ids.push(id);
    }
    for name in spec.conditions.iter().chain(std::iter::once(&spec.outcome)) {
        let at = col(name)?;
        let mut v = Vec::with_capacity(body.len());
        for (r, row) in body.iter().enumerate() {
            let raw = row.get(at).cloned().flatten().unwrap_or_default();
            let x = crate::contract::grammar::parse_number(&raw).map_err(|_| {
                format!(
                    "row {} ({}), column {name}: '{raw}' is not a number",
                    r + 2,
                    cases.ids[r]
                )
            })?;
            v.push(x);
        }
        cases.columns.insert(name.clone(), v);
    }
    Ok(cases)
}

/// Runs the study of `config` into `out`; `run` and `period` choose the
/// run and period when `config` is a run config.
pub fn run(
    config: &Path,
    out: Option<&Path>,
    run: Option<&str>,
    period: Option<&str>,
) -> Result<Summary, QcaError> {
    let shown = config.display().to_string();
    let text = std::fs::read_to_string(config).map_err(|source| QcaError::Read {
        path: shown.clone(),
        source,
    })?;
    let cerr = |message: String| QcaError::Config {
        path: shown.clone(),
        message,
    };
    let is_run_config = toml::from_str::<toml::Table>(&text)
        .map_err(|e| cerr(e.to_string().trim().replace('\n', " ")))?
        .contains_key("run");
    let base = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (spec, cases, lang, default_out, source, mut notes, simulated) = if is_run_config {
        let cfg = Config::load(config)?;
        let spec = cfg.qca.clone().ok_or_else(|| {
            cerr("no [qca] section: add one (docs/qca.md) to study the run's units".into())
        })?;
        let dir = crate::runs::find_run(&cfg.output, run)?;
        let period = match period {
            Some(p) => p.to_string(),
            None => crate::runs::latest_period(&dir)?,
        };
        let um = crate::runs::query(&dir, "unit_metrics", |lf| {
            lf.filter(col("period").eq(lit(period.as_str())))
        })?;
        let derr = |message: String| QcaError::Data {
            path: dir
                .join("tables/unit_metrics.parquet")
                .display()
                .to_string(),
            message,
        };
        if um.height() == 0 {
            return Err(derr(format!("no unit metrics for period {period}")));
        }
        let (cases, notes) = crate::compare::qca_cases::unit_cases_of(&um, &period, &spec)
            .map_err(|e| derr(e.to_string()))?;
        let lang = Lang::parse(&cfg.render.lang).unwrap_or(Lang::Zh);
        let source = format!("{} (period {period})", dir.display());
        // A simulated run's charts say so, as the run's own do.
        let simulated = std::fs::read_to_string(dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|m| m["simulated"].as_bool())
            .unwrap_or(false);
        let out = cfg.output.join("qca");
        (spec, cases, lang, out, source, notes, simulated)
    } else {
        let spec = toml::from_str::<File>(&text)
            .map_err(|e| cerr(e.to_string().trim().replace('\n', " ")))?
            .qca;
        let data = spec.data.clone().ok_or_else(|| {
            cerr("key qca.data: name the case table (or give a run config, with [run])".into())
        })?;
        if spec.case.is_none() {
            return Err(cerr("key qca.case: name the case id column".into()));
        }
        spec.check()
            .map_err(|(k, m)| cerr(format!("key {k}: {m}")))?;
        let lang = Lang::parse(spec.lang())
            .ok_or_else(|| cerr(format!("key qca.lang: '{}' is not zh or en", spec.lang())))?;
        let data = base.join(data);
        let cases = file_cases(&data, &spec).map_err(|message| QcaError::Data {
            path: data.display().to_string(),
            message,
        })?;
        let source = data.display().to_string();
        (
            spec,
            cases,
            lang,
            base.join("qca-out"),
            source,
            Vec::new(),
            false,
        )
    };
    let analysis = qca_analysis::analyse(&cases, &spec).map_err(|e| match e {
        AnalysisError::Key { .. } => cerr(e.to_string()),
        e => QcaError::Data {
            path: source.clone(),
            message: e.to_string(),
        },
    })?;
    notes.extend(analysis.warnings.iter().cloned());
    let out = out.map(Path::to_path_buf).unwrap_or(default_out);
    let staging = Staging::new(&out)?;
    let set_name = |c: &str| {
        if is_run_config {
            crate::render::labels::set_label(lang, c)
        } else {
            c.to_string()
        }
    };
    write(&staging.dir, &analysis.tables, &set_name, lang, simulated)?;
    let manifest = serde_json::json!({
        "config": shown, "data": source, "cases": cases.ids.len(),
        "conditions": spec.conditions, "outcome": spec.outcome,
        "incl_cut": spec.incl_cut, "n_cut": spec.n_cut, "pri_cut": spec.pri_cut,
        "log_odds": spec.log_odds, "solutions": analysis.solutions, "notes": notes,
    });
    warehouse::write_text(
        &staging.dir.join("manifest.json"),
        &(serde_json::to_string_pretty(&manifest).expect("json") + "\n"),
    )?;
    staging.publish()?;
    Ok(Summary {
        out,
        cases: cases.ids.len(),
        solutions: analysis.solutions,
        warnings: notes,
    })
}

/// Writes a study's tables (Parquet and CSV) and draws its charts from
/// them into `dir`.
fn write(
    dir: &Path,
    tables: &[(&'static str, DataFrame)],
    shown: &dyn Fn(&str) -> String,
    lang: Lang,
    simulated: bool,
) -> Result<(), QcaError> {
    for (name, df) in tables {
        warehouse::write_study_table(dir, name, &mut df.clone())?;
    }
    let get = |n: &str| tables.iter().find(|(t, _)| *t == n).map(|(_, d)| d);
    crate::render::font::register(None).map_err(|e| QcaError::Chart(e.to_string()))?;
    let mut figures = crate::render::qca_charts::Figures::from_tables(
        get("qca_calibrated").expect("written"),
        get("qca_solutions").expect("written"),
        get("qca_configurations").expect("written"),
        shown,
    )
    .ok_or_else(|| QcaError::Chart("the tables lack the shown solution".into()))?;
    figures.simulated = simulated;
    figures.draw(dir, lang).map_err(QcaError::Chart)?;
    Ok(())
}
