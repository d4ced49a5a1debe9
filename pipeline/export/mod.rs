//! `govlens export`: a run's tables for the researcher's own software
//! (docs/export.md) — Stata `.dta` (format 118) and SPSS `.sav` with Chinese
//! variable and value labels, Parquet and CSV, a codebook (Markdown and
//! Excel), a Frictionless Data Package describing the CSV files, and the
//! event study ready for HonestDiD — into `<run>/export/`, staged and
//! published whole. Export reads the run through [`crate::runs`] and the
//! warehouse's fact tables only when the warehouse is still the one the run
//! was made from.
//!
//! The tables: `units`, `unit_metrics` (wide: a row per unit and period, a
//! column per metric), `adoption_panel`, `index_scores`, `qca_cases`, and
//! the warehouse's `member_ages`, `disputes`, `service_usage` and
//! `indicators`.

pub mod columns;
pub mod dataset;
mod files;
pub mod honest;
pub mod journal;
pub mod names;
pub mod replicate;
pub mod spss;
pub mod stata;
mod tables;

use std::path::PathBuf;

use crate::config::{Config, Lang};
use crate::runs::{self, RunsError};
use crate::warehouse::{self, WarehouseError};

pub use dataset::LimitError;

/// The tables an export may hold, in the order it writes them.
pub const TABLES: [&str; 9] = [
    "units",
    "unit_metrics",
    "adoption_panel",
    "index_scores",
    "qca_cases",
    "member_ages",
    "disputes",
    "service_usage",
    "indicators",
];

/// The warehouse's tables among [`TABLES`].
const FACTS: [&str; 4] = ["member_ages", "disputes", "service_usage", "indicators"];

/// A file format of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Dta,
    Sav,
    Parquet,
    Csv,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Dta, Format::Sav, Format::Parquet, Format::Csv];

    pub fn name(self) -> &'static str {
        match self {
            Format::Dta => "dta",
            Format::Sav => "sav",
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }

    pub fn from_name(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    /// Formats from a comma list (`dta,sav`), or the word that is none.
    pub fn parse_list(s: &str) -> Result<Vec<Format>, String> {
        let mut out: Vec<Format> = Vec::new();
        for w in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let f = Format::from_name(w)
                .ok_or_else(|| format!("'{w}' is not a format: dta, sav, parquet or csv"))?;
            if !out.contains(&f) {
                out.push(f);
            }
        }
        if out.is_empty() {
            return Err("no format given: dta, sav, parquet or csv".into());
        }
        out.sort();
        Ok(out)
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct Options {
    /// The run (default: the one `latest` names).
    pub run: Option<String>,
    /// The data files' formats; the CSV copies are always written (the
    /// data package describes them).
    pub formats: Vec<Format>,
    /// Some of [`TABLES`] (default: all of them the run has).
    pub tables: Option<Vec<String>>,
    /// The labels' language.
    pub lang: Lang,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            run: None,
            formats: Format::ALL.to_vec(),
            tables: None,
            lang: Lang::Zh,
        }
    }
}

/// What an export wrote.
#[derive(Debug)]
pub struct Summary {
    pub dir: PathBuf,
    /// (table, rows, variables) per table written.
    pub tables: Vec<(String, usize, usize)>,
    pub files: Vec<String>,
    /// Tables left out, and why.
    pub notes: Vec<String>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (t, rows, vars) in &self.tables {
            writeln!(f, "{t:<16} {rows:>8} rows  {vars:>4} variables")?;
        }
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        writeln!(f, "{} files in {}", self.files.len(), self.dir.display())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Runs(#[from] RunsError),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error("--tables: '{table}' is not a table of an export (tables: {available})")]
    UnknownTable { table: String, available: String },
    #[error("--tables: the run has no table {table} ({why})")]
    Missing { table: String, why: String },
    #[error("the run's manifest {path}: {message}")]
    Manifest { path: String, message: String },
    #[error("table {table}: {message}")]
    Table { table: String, message: String },
    #[error("writing {path}: {message}")]
    Write { path: String, message: String },
}

/// Exports a run: see the module's documentation.
pub fn run(config: &Config, opts: &Options) -> Result<Summary, ExportError> {
    let dir = runs::find_run(&config.output, opts.run.as_deref())?;
    let manifest_path = dir.join("manifest.json");
    let manifest: serde_json::Value = std::fs::read_to_string(&manifest_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        .map_err(|message| ExportError::Manifest {
            path: manifest_path.display().to_string(),
            message,
        })?;
    let run_id = manifest["run_id"].as_str().unwrap_or_default().to_string();
    let run_config = manifest["config"]
        .as_str()
        .and_then(|t| Config::from_str(t, &config.path, &config.base).ok());
    let (datasets, notes) = datasets(config, &dir, &manifest, run_config.as_ref(), opts)?;
    let calibration = calibration(&dir, &datasets)?;
    let period = runs::latest_period(&dir)?;
    let plan = replicate::Plan::new(
        &run_id,
        run_config.as_ref(),
        &datasets,
        &calibration,
        &period,
        &not_estimable(&dir)?,
    );
    let journal = journal::build(
        &dir,
        opts.lang,
        &run_id,
        manifest["simulated"].as_bool() == Some(true),
    )?;
    let date = crate::render::document::report_date(config.report.date.as_deref());
    files::write(
        &dir,
        &manifest,
        &datasets,
        &plan,
        (&journal, &date),
        opts,
        notes,
    )
}

/// The adoption metrics the run could not estimate (no SE for the simple
/// aggregation: an outcome that never varied).
fn not_estimable(dir: &std::path::Path) -> Result<Vec<String>, ExportError> {
    if !dir.join("tables/adoption_effects.parquet").is_file() {
        return Ok(Vec::new());
    }
    let t = runs::table(dir, "adoption_effects")?;
    let (m, kind, se) = (
        runs::strs(&t, "metric"),
        runs::strs(&t, "kind"),
        runs::floats(&t, "se"),
    );
    Ok((0..t.height())
        .filter(|&i| kind[i] == "simple" && se[i].is_none())
        .map(|i| m[i].clone())
        .collect())
}

/// The QCA study's sets as the run calibrated them (`qca_calibration`),
/// with their columns in the exported `qca_cases`; none when either is
/// missing.
fn calibration(
    dir: &std::path::Path,
    datasets: &[dataset::Dataset],
) -> Result<Vec<replicate::Set>, ExportError> {
    let Some(cases) = datasets.iter().find(|d| d.table == "qca_cases") else {
        return Ok(Vec::new());
    };
    if !dir.join("tables/qca_calibration.parquet").is_file() {
        return Ok(Vec::new());
    }
    let t = runs::table(dir, "qca_calibration")?;
    let sets = runs::strs(&t, "set");
    let (roles, methods) = (runs::strs(&t, "role"), runs::strs(&t, "method"));
    let (e, c, i) = (
        runs::floats(&t, "exclusion"),
        runs::floats(&t, "crossover"),
        runs::floats(&t, "inclusion"),
    );
    Ok((0..t.height())
        .filter_map(|k| {
            let v = cases.variables.iter().find(|v| v.column == sets[k])?;
            Some(replicate::Set {
                set: sets[k].clone(),
                column: v.name.clone(),
                method: methods[k].clone(),
                anchors: [e[k], c[k], i[k]],
                outcome: roles[k] == "outcome",
            })
        })
        .collect())
}

/// The tables to export, as datasets, and a note for each left out (an
/// explicit `--tables` naming one that cannot be exported is an error).
fn datasets(
    config: &Config,
    dir: &std::path::Path,
    manifest: &serde_json::Value,
    run_config: Option<&Config>,
    opts: &Options,
) -> Result<(Vec<dataset::Dataset>, Vec<String>), ExportError> {
    let run_id = manifest["run_id"].as_str().unwrap_or_default();
    let asked = match &opts.tables {
        Some(t) => {
            for name in t {
                if !TABLES.contains(&name.as_str()) {
                    return Err(ExportError::UnknownTable {
                        table: name.clone(),
                        available: TABLES.join(", "),
                    });
                }
            }
            Some(t.clone())
        }
        None => None,
    };
    let wanted: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| asked.as_ref().is_none_or(|a| a.iter().any(|x| x == t)))
        .collect();
    let mut notes = Vec::new();
    // The warehouse's rows only when the run's privacy allows them — and
    // not when its config cannot be read to say so.
    let facts_ok = match run_config.map(|c| c.privacy.tables) {
        Some(crate::config::TablesPrivacy::Full) => facts_available(config, manifest),
        Some(crate::config::TablesPrivacy::Suppressed) => Err("the run's [privacy] tables = \"suppressed\": the warehouse's rows, small cells and all, are not exported".to_string()),
        None => Err("the run's config (in its manifest) cannot be read here, so its [privacy] cannot be checked".to_string()),
    };
    let mut datasets = Vec::new();
    for name in wanted {
        let why_not = if FACTS.contains(&name) {
            facts_ok.as_ref().err().cloned()
        } else if !dir.join("tables").join(format!("{name}.parquet")).is_file() {
            Some(match name {
                "qca_cases" => "the run has no [qca] study".to_string(),
                "adoption_panel" => {
                    "the run was made before adoption_panel was written; run compare again"
                        .to_string()
                }
                _ => "not in the run's tables/".to_string(),
            })
        } else {
            None
        };
        if let Some(why) = why_not {
            if asked.is_some() {
                return Err(ExportError::Missing {
                    table: name.into(),
                    why,
                });
            }
            notes.push(format!("{name} not exported: {why}"));
            continue;
        }
        let d = tables::dataset(name, dir, &config.warehouse, run_id, opts.lang)?;
        if d.rows == 0 && asked.is_none() {
            notes.push(format!("{name} not exported: it has no rows"));
            continue;
        }
        datasets.push(d);
    }
    Ok((datasets, notes))
}

/// What an export is made from: the program, the run, the formats, the
/// tables and the language (`govlens run` skips an export whose key is
/// unchanged).
pub fn key(run_id: &str, opts: &Options) -> String {
    format!(
        "govlens {} export {run_id} formats={} tables={} lang={}",
        env!("CARGO_PKG_VERSION"),
        opts.formats
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(","),
        opts.tables
            .as_ref()
            .map(|t| t.join(","))
            .unwrap_or_else(|| "all".into()),
        match opts.lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    )
}

/// Whether `<run_dir>/export/` was made with `key`.
pub fn is_exported(run_dir: &std::path::Path, key: &str) -> bool {
    std::fs::read_to_string(run_dir.join("export/manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|m| m["key"] == key)
}

/// Whether the warehouse is still the one the run was made from (its fact
/// tables are then the run's), or why not.
fn facts_available(config: &Config, manifest: &serde_json::Value) -> Result<(), String> {
    let wm = warehouse::Manifest::read(&config.warehouse).map_err(|e| e.to_string())?;
    let made_from = manifest["warehouse_run_id"].as_str().unwrap_or_default();
    if wm.run_id != made_from {
        return Err(format!(
            "the warehouse {} is now {} but the run was made from {made_from} (ingest ran since); its fact tables are not the run's",
            config.display_path(&config.warehouse),
            wm.run_id
        ));
    }
    Ok(())
}
