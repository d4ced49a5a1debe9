//! `govlens index --config FILE [--out DIR]`: a composite index on any table
//! a researcher brings (CSV, XLSX or Parquet; a row per unit, a column per
//! indicator — COINr's iData), described by an `[index]` section (its
//! iMeta: indicators with pillars, directions and weights; treatment,
//! imputation and an optional `[index.sensitivity]`):
//!
//! ```toml
//! [index]
//! data = "asem.csv"
//! unit = "uCode"
//! normalisation = "minmax"      # minmax | zscore | rank
//! aggregation = "arithmetic"    # arithmetic | geometric
//! winmax = 5                    # COINr's treatment; 0 = none
//! imputation = "none"           # none | mean | median
//! indicators = [ { column = "Goods", pillar = "ConEcFin" },
//!                { column = "Tariff", pillar = "Instit", direction = -1 } ]
//! [index.sensitivity]
//! factors = ["normalisation", "aggregation", "weights", "drop_indicator"]
//! n = 256
//! ```
//!
//! It writes the tables of [`crate::compare::index_study`] (Parquet and a
//! spreadsheet-safe CSV), `sensitivity.svg/.png` when asked, and a
//! manifest, all published at once.

use std::path::{Path, PathBuf};

use crate::compare::index_study::{self, IndexAnalysis};
use crate::config::index_study::IndexStudy;
use crate::warehouse::{self, Staging, WarehouseError};

#[derive(Debug, thiserror::Error)]
pub enum IndexCmdError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Config { path: String, message: String },
    #[error("{path}: {message}")]
    Data { path: String, message: String },
    #[error("drawing the sensitivity chart: {0}")]
    Chart(String),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    index: IndexStudy,
}

/// What a run found, for the terminal.
#[derive(Debug)]
pub struct Summary {
    pub out: PathBuf,
    pub units: usize,
    pub analysis: IndexAnalysis,
}

/// Runs the study of `config` into `out` (default `index-out` beside it).
pub fn run(config: &Path, out: Option<&Path>) -> Result<Summary, IndexCmdError> {
    let shown = config.display().to_string();
    let text = std::fs::read_to_string(config).map_err(|source| IndexCmdError::Read {
        path: shown.clone(),
        source,
    })?;
    let cerr = |message: String| IndexCmdError::Config {
        path: shown.clone(),
        message,
    };
    let spec = toml::from_str::<File>(&text)
        .map_err(|e| cerr(e.to_string().trim().replace('\n', " ")))?
        .index;
    let base = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let data = base.join(&spec.data);
    let dshown = data.display().to_string();
    let derr = |message: String| IndexCmdError::Data {
        path: dshown.clone(),
        message,
    };
    let (names, body) = crate::ingest::read::table_cells(&data).map_err(derr)?;
    let col = |name: &str| {
        names.iter().position(|n| n == name).ok_or_else(|| {
            derr(format!(
                "no column '{name}' (columns: {})",
                names.join(", ")
            ))
        })
    };
    let uc = col(&spec.unit)?;
    let ic: Vec<usize> = spec
        .indicators
        .iter()
        .map(|i| col(&i.column))
        .collect::<Result<_, _>>()?;
    let mut units: Vec<String> = Vec::with_capacity(body.len());
    let mut values = Vec::with_capacity(body.len());
    for (r, row) in body.iter().enumerate() {
        let cell = |c: usize| row.get(c).cloned().flatten().unwrap_or_default();
        let unit = cell(uc);
        if unit.is_empty() {
            return Err(derr(format!(
                "row {}: no unit id in '{}'",
                r + 2,
                spec.unit
            )));
        }
        if let Some(first) = units.iter().position(|u| *u == unit) {
            return Err(derr(format!(
                "unit '{unit}' appears twice (rows {} and {})",
                first + 2,
                r + 2
            )));
        }
        let mut v = Vec::with_capacity(ic.len());
        for (&c, ind) in ic.iter().zip(&spec.indicators) {
            let raw = cell(c);
            let t = raw.trim();
            // Blank and NA are missing, as COINr reads them.
            if t.is_empty() || t.eq_ignore_ascii_case("na") {
                v.push(None);
                continue;
            }
            v.push(Some(crate::ingest::parse::parse_number(t).map_err(
                |_| {
                    derr(format!(
                        "row {} ({unit}), column {}: '{raw}' is not a number",
                        r + 2,
                        ind.column
                    ))
                },
            )?));
        }
        units.push(unit);
        values.push(v);
    }
    let n = units.len();
    let analysis = index_study::analyse(units, values, &spec).map_err(|m| {
        if m.starts_with("key ") {
            cerr(m)
        } else {
            derr(m)
        }
    })?;
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.join("index-out"));
    let staging = Staging::new(&out)?;
    for (name, df) in &analysis.tables {
        warehouse::write_frame(
            &staging.dir.join(format!("{name}.parquet")),
            &mut df.clone(),
            &[],
        )?;
        warehouse::write_csv_copy(&staging.dir.join(format!("{name}.csv")), df)?;
    }
    if let Some((_, s)) = analysis
        .tables
        .iter()
        .find(|(n, _)| *n == "index_sensitivity")
    {
        crate::render::font::register(None).map_err(|e| IndexCmdError::Chart(e.to_string()))?;
        crate::render::index_charts::draw_sensitivity(
            &staging.dir,
            s,
            crate::render::labels::label(crate::render::labels::Lang::Zh, "sensitivity_title"),
            &|f| {
                crate::render::labels::label(
                    crate::render::labels::Lang::Zh,
                    &format!("factor_{f}"),
                )
                .to_string()
            },
        )
        .map_err(IndexCmdError::Chart)?;
    }
    let manifest = serde_json::json!({
        "config": shown, "data": dshown, "units": n, "normalisation": spec.normalisation,
        "aggregation": spec.aggregation, "winmax": spec.winmax, "imputation": spec.imputation,
        "seed": spec.seed, "strongest": analysis.strongest, "notes": analysis.notes,
    });
    warehouse::write_text(
        &staging.dir.join("manifest.json"),
        &(serde_json::to_string_pretty(&manifest).expect("json") + "\n"),
    )?;
    staging.publish()?;
    Ok(Summary {
        out,
        units: n,
        analysis,
    })
}
