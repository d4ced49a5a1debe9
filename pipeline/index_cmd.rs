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
//! It writes the tables of [`crate::methods::index`] (Parquet and a
//! spreadsheet-safe CSV), the charts the run's render draws from them (the
//! distributions before and after treatment, the correlation heat map and,
//! with a sensitivity analysis, its bars and the rank intervals; SVG and
//! PNG), and a manifest, all published at once.

use std::path::{Path, PathBuf};

use crate::methods::index::prepare::Context;
use crate::methods::index::spec::IndexStudy;
use crate::methods::index::{self as index_study, IndexAnalysis};
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
    #[error("drawing the charts: {0}")]
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
pub fn run(
    config: &Path,
    out: Option<&Path>,
    lang: crate::render::labels::Lang,
) -> Result<Summary, IndexCmdError> {
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
    let gc = spec.group.as_deref().map(col).transpose()?;
    let pc = spec.period.as_deref().map(col).transpose()?;
    // Every row: (unit, period, group, values), checked.
    let mut rows: Vec<Row> = Vec::with_capacity(body.len());
    let mut seen: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::with_capacity(body.len());
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
        let period = pc.map(cell).unwrap_or_default();
        if let (Some(name), true) = (&spec.period, pc.is_some() && period.trim().is_empty()) {
            return Err(derr(format!(
                "row {} ({unit}): no period in '{name}'",
                r + 2
            )));
        }
        if let Some(first) = seen.insert((unit.clone(), period.clone()), r) {
            let what = if pc.is_some() {
                format!("unit '{unit}' in period '{period}'")
            } else {
                format!("unit '{unit}'")
            };
            return Err(derr(format!(
                "{what} appears twice (rows {} and {})",
                first + 2,
                r + 2
            )));
        }
        let group = gc.map(cell);
        if let (Some(g), Some(name)) = (&group, &spec.group) {
            if g.trim().is_empty() {
                return Err(derr(format!(
                    "row {} ({unit}): no group in '{name}'",
                    r + 2
                )));
            }
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
            v.push(Some(crate::contract::grammar::parse_number(t).map_err(
                |_| {
                    derr(format!(
                        "row {} ({unit}), column {}: '{raw}' is not a number",
                        r + 2,
                        ind.column
                    ))
                },
            )?));
        }
        rows.push(Row {
            unit,
            period,
            group,
            values: v,
        });
    }
    let (units, values, ctx, period) = study_rows(rows, &spec).map_err(&cerr)?;
    let n = units.len();
    let analysis = index_study::analyse(units, values, &ctx, &spec).map_err(|e| match e {
        index_study::IndexError::Key { .. } => cerr(e.to_string()),
        index_study::IndexError::Data(m) => derr(m),
    })?;
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.join("index-out"));
    let staging = Staging::new(&out)?;
    for (name, df) in &analysis.tables {
        warehouse::write_study_table(&staging.dir, name, &mut df.clone())?;
    }
    // The charts, drawn from the tables as the run's render draws them.
    crate::render::font::register(None).map_err(|e| IndexCmdError::Chart(e.to_string()))?;
    let get = |name: &str| {
        analysis
            .tables
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
    };
    let empty = std::collections::BTreeMap::new();
    let charts = crate::render::index_figures(
        &staging.dir,
        &get,
        &crate::render::IndexNames {
            name_of: &empty,
            model_of: &empty,
        },
        &crate::render::Options {
            lang,
            ..Default::default()
        },
        false,
    )
    .map_err(|e| IndexCmdError::Chart(e.to_string()))?;
    let manifest = serde_json::json!({
        "config": shown, "data": dshown, "units": n, "normalisation": spec.normalisation,
        "aggregation": spec.aggregation, "winmax": spec.winmax, "imputation": spec.imputation,
        "group": spec.group, "period": period, "weights": spec.weights,
        "seed": spec.seed, "strongest": analysis.strongest, "notes": analysis.notes,
        "charts": charts,
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

/// One row of the table, checked.
struct Row {
    unit: String,
    /// Empty without a period column.
    period: String,
    group: Option<String>,
    values: Vec<Option<f64>>,
}

/// What the study is of: its units and values, their context, its period.
type Studied = (Vec<String>, Vec<Vec<Option<f64>>>, Context, Option<String>);

/// The rows of the period studied (all rows without a period column), in
/// the file's order, and their context: each unit's group, and its latest
/// value of each indicator in the earlier periods (text order).
fn study_rows(rows: Vec<Row>, spec: &IndexStudy) -> Result<Studied, String> {
    let Some(pname) = &spec.period else {
        if spec.analyse.is_some() {
            return Err(
                "key index.analyse: names a period, but index.period names no period column".into(),
            );
        }
        let groups = spec.group.as_ref().map(|_| {
            rows.iter()
                .map(|r| r.group.clone().unwrap_or_default())
                .collect()
        });
        let (units, values) = rows.into_iter().map(|r| (r.unit, r.values)).unzip();
        let ctx = Context {
            groups,
            earlier: None,
        };
        return Ok((units, values, ctx, None));
    };
    let periods: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.period.as_str()).collect();
    let study = match &spec.analyse {
        Some(p) if periods.contains(p.as_str()) => p.clone(),
        Some(p) => {
            return Err(format!(
                "key index.analyse: no row of period '{p}' in column '{pname}' (periods: {})",
                periods.into_iter().collect::<Vec<_>>().join(", ")
            ))
        }
        None => periods.last().expect("a row").to_string(),
    };
    let k = spec.indicators.len();
    let mut latest: std::collections::HashMap<&str, Vec<Option<f64>>> = Default::default();
    let mut earlier_rows: Vec<&Row> = rows.iter().filter(|r| r.period < study).collect();
    earlier_rows.sort_by(|a, b| a.period.cmp(&b.period));
    for r in earlier_rows {
        let e = latest
            .entry(r.unit.as_str())
            .or_insert_with(|| vec![None; k]);
        for (slot, v) in e.iter_mut().zip(&r.values) {
            if v.is_some() {
                *slot = *v;
            }
        }
    }
    let this: Vec<&Row> = rows.iter().filter(|r| r.period == study).collect();
    let ctx = Context {
        groups: spec.group.as_ref().map(|_| {
            this.iter()
                .map(|r| r.group.clone().unwrap_or_default())
                .collect()
        }),
        earlier: Some(
            this.iter()
                .map(|r| {
                    latest
                        .get(r.unit.as_str())
                        .cloned()
                        .unwrap_or_else(|| vec![None; k])
                })
                .collect(),
        ),
    };
    let units = this.iter().map(|r| r.unit.clone()).collect();
    let values = this.iter().map(|r| r.values.clone()).collect();
    Ok((units, values, ctx, Some(study)))
}
