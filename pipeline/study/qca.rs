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

use std::fmt;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Deserialize;

use super::{chart_font, CaseTable, StudyDir, StudyError, StudyFile};
use crate::config::section::Section;
use crate::config::{Config, Lang, Qca, QcaStudyKeys};
use crate::methods::qca::{self as qca_analysis, AnalysisError, Cases};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    qca: Section<QcaStudyKeys, Qca>,
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
fn file_cases(t: &CaseTable, case: &str, spec: &Qca) -> Result<Cases, String> {
    let case_at = t.column(case)?;
    let mut cases = Cases::default();
    for r in 0..t.rows.len() {
        let id = t.cell(r, case_at);
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
        let at = t.column(name)?;
        let v = (0..t.rows.len())
            .map(|r| t.number(r, at, name, Some(&cases.ids[r])))
            .collect::<Result<_, _>>()?;
        cases.columns.insert(name.clone(), v);
    }
    Ok(cases)
}

/// What is studied: the spec, its cases and where they came from.
struct Study {
    spec: Qca,
    cases: Cases,
    lang: Lang,
    default_out: PathBuf,
    source: String,
    notes: Vec<String>,
    /// A simulated run's charts say so, as the run's own do.
    simulated: bool,
    /// A run's set names are shown by their labels (a file's as written).
    labelled: bool,
}

/// The study of a run's units in `period` (default: the latest).
fn run_study(
    file: &StudyFile,
    path: &Path,
    run: Option<&str>,
    period: Option<&str>,
) -> Result<Study, StudyError> {
    let cfg = Config::load(path)?;
    let spec = cfg.qca.clone().ok_or_else(|| {
        file.error("no [qca] section: add one (docs/qca.md) to study the run's units".into())
    })?;
    let dir = crate::runs::find_run(&cfg.output, run)?;
    let period = match period {
        Some(p) => p.to_string(),
        None => crate::runs::latest_period(&dir)?,
    };
    let um = crate::runs::query(&dir, "unit_metrics", |lf| {
        lf.filter(col("period").eq(lit(period.as_str())))
    })?;
    let derr = |message: String| StudyError::Data {
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
    let simulated = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|m| m["simulated"].as_bool())
        .unwrap_or(false);
    Ok(Study {
        spec,
        cases,
        lang: cfg.render.lang,
        default_out: cfg.output.join("qca"),
        source: format!("{} (period {period})", dir.display()),
        notes,
        simulated,
        labelled: true,
    })
}

/// The study of a case table named by the file's `data`.
fn file_study(file: &StudyFile) -> Result<Study, StudyError> {
    let Section { own, method: spec } = file.parse::<File>()?.qca;
    let data = own.data.ok_or_else(|| {
        file.error("key qca.data: name the case table (or give a run config, with [run])".into())
    })?;
    let Some(case) = own.case else {
        return Err(file.error("key qca.case: name the case id column".into()));
    };
    spec.check()
        .map_err(|(k, m)| file.error(format!("key {k}: {m}")))?;
    let lang = match own.lang.as_deref() {
        Some(l) => l
            .parse()
            .map_err(|e| file.error(format!("key qca.lang: {e}")))?,
        None => Lang::Zh,
    };
    let table = CaseTable::read(&file.base.join(data))?;
    let cases = file_cases(&table, &case, &spec).map_err(|m| table.error(m))?;
    Ok(Study {
        spec,
        cases,
        lang,
        default_out: file.base.join("qca-out"),
        source: table.shown,
        notes: Vec::new(),
        simulated: false,
        labelled: false,
    })
}

/// Runs the study of `config` into `out`; `run` and `period` choose the
/// run and period when `config` is a run config.
pub fn run(
    config: &Path,
    out: Option<&Path>,
    run: Option<&str>,
    period: Option<&str>,
) -> Result<Summary, StudyError> {
    let file = StudyFile::read(config)?;
    let is_run_config = file.parse::<toml::Table>()?.contains_key("run");
    let Study {
        spec,
        cases,
        lang,
        default_out,
        source,
        mut notes,
        simulated,
        labelled,
    } = if is_run_config {
        run_study(&file, config, run, period)?
    } else {
        file_study(&file)?
    };
    let analysis = qca_analysis::analyse(&cases, &spec).map_err(|e| match e {
        AnalysisError::Key { .. } => file.error(e.to_string()),
        e => StudyError::Data {
            path: source.clone(),
            message: e.to_string(),
        },
    })?;
    notes.extend(analysis.warnings.iter().cloned());
    let study = StudyDir::open(out.map(Path::to_path_buf).unwrap_or(default_out))?;
    let set_name = |c: &str| {
        if labelled {
            crate::render::labels::set_label(lang, c)
        } else {
            c.to_string()
        }
    };
    write(&study, &analysis.tables, &set_name, lang, simulated)?;
    let manifest = serde_json::json!({
        "config": file.shown, "data": source, "cases": cases.ids.len(),
        "conditions": spec.conditions, "outcome": spec.outcome,
        "incl_cut": spec.incl_cut, "n_cut": spec.n_cut, "pri_cut": spec.pri_cut,
        "log_odds": spec.log_odds, "solutions": analysis.solutions, "notes": notes,
    });
    let out = study.publish(&manifest)?;
    Ok(Summary {
        out,
        cases: cases.ids.len(),
        solutions: analysis.solutions,
        warnings: notes,
    })
}

/// Writes a study's tables (Parquet and CSV) and draws its charts from
/// them.
fn write(
    study: &StudyDir,
    tables: &[(&'static str, DataFrame)],
    shown: &dyn Fn(&str) -> String,
    lang: Lang,
    simulated: bool,
) -> Result<(), StudyError> {
    const WHAT: &str = "the QCA charts";
    for (name, df) in tables {
        study.table(name, df)?;
    }
    let get = |n: &str| tables.iter().find(|(t, _)| *t == n).map(|(_, d)| d);
    chart_font(WHAT)?;
    let cerr = |message: String| StudyError::Chart {
        what: WHAT,
        message,
    };
    let mut figures = crate::render::qca_charts::Figures::from_tables(
        get("qca_calibrated").expect("written"),
        get("qca_solutions").expect("written"),
        get("qca_configurations").expect("written"),
        shown,
    )
    .ok_or_else(|| cerr("the tables lack the shown solution".into()))?;
    figures.simulated = simulated;
    figures.draw(study.dir(), lang).map_err(cerr)?;
    Ok(())
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} cases", self.cases)?;
        for (which, expr) in &self.solutions {
            writeln!(f, "  {which}: {expr}")?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        writeln!(f, "tables in {}", self.out.display())
    }
}
