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

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::{chart_font, not_a_number, CaseTable, StudyDir, StudyError, StudyFile};
use crate::config::Lang;
use crate::methods::index::prepare::Context;
use crate::methods::index::spec::IndexStudy;
use crate::methods::index::{self as index_study, IndexAnalysis};

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

/// The table's columns the study reads, found.
struct Columns {
    unit: usize,
    indicators: Vec<usize>,
    group: Option<usize>,
    period: Option<usize>,
}

impl Columns {
    fn find(t: &CaseTable, spec: &IndexStudy) -> Result<Columns, String> {
        Ok(Columns {
            unit: t.column(&spec.unit)?,
            indicators: (spec.indicators.iter().map(|i| t.column(&i.column)))
                .collect::<Result<_, _>>()?,
            group: spec.group.as_deref().map(|g| t.column(g)).transpose()?,
            period: spec.period.as_deref().map(|p| t.column(p)).transpose()?,
        })
    }
}

/// Every row of the table, checked: a unit id, a period and a group where
/// the spec names their columns, one unit a period, every value a number,
/// blank or NA (missing, as COINr reads them).
fn rows(t: &CaseTable, spec: &IndexStudy) -> Result<Vec<Row>, String> {
    let c = Columns::find(t, spec)?;
    let mut rows: Vec<Row> = Vec::with_capacity(t.rows.len());
    let mut seen: HashMap<(String, String), usize> = HashMap::with_capacity(t.rows.len());
    for r in 0..t.rows.len() {
        let cell = |col: usize| t.cell(r, col);
        let unit = cell(c.unit);
        if unit.is_empty() {
            return Err(format!("row {}: no unit id in '{}'", r + 2, spec.unit));
        }
        let period = c.period.map(cell).unwrap_or_default();
        if let (Some(name), true) = (&spec.period, c.period.is_some() && period.trim().is_empty()) {
            return Err(format!("row {} ({unit}): no period in '{name}'", r + 2));
        }
        if let Some(first) = seen.insert((unit.clone(), period.clone()), r) {
            let what = if c.period.is_some() {
                format!("unit '{unit}' in period '{period}'")
            } else {
                format!("unit '{unit}'")
            };
            return Err(format!(
                "{what} appears twice (rows {} and {})",
                first + 2,
                r + 2
            ));
        }
        let group = c.group.map(cell);
        if let (Some(g), Some(name)) = (&group, &spec.group) {
            if g.trim().is_empty() {
                return Err(format!("row {} ({unit}): no group in '{name}'", r + 2));
            }
        }
        let mut values = Vec::with_capacity(c.indicators.len());
        for (&col, ind) in c.indicators.iter().zip(&spec.indicators) {
            let raw = cell(col);
            let v = raw.trim();
            values.push(if v.is_empty() || v.eq_ignore_ascii_case("na") {
                None
            } else {
                Some(
                    crate::contract::grammar::parse_number(v)
                        .map_err(|_| not_a_number(r, Some(&unit), &ind.column, &raw))?,
                )
            });
        }
        rows.push(Row {
            unit,
            period,
            group,
            values,
        });
    }
    Ok(rows)
}

/// Runs the study of `config` into `out` (default `index-out` beside it).
pub fn run(config: &Path, out: Option<&Path>, lang: Lang) -> Result<Summary, StudyError> {
    let file = StudyFile::read(config)?;
    let spec = file.parse::<File>()?.index;
    let table = CaseTable::read(&file.base.join(&spec.data))?;
    let rows = rows(&table, &spec).map_err(|m| table.error(m))?;
    let (units, values, ctx, period) = study_rows(rows, &spec).map_err(|m| file.error(m))?;
    let n = units.len();
    let analysis = index_study::analyse(units, values, &ctx, &spec).map_err(|e| match e {
        index_study::IndexError::Key { .. } => file.error(e.to_string()),
        index_study::IndexError::Data(m) => table.error(m),
    })?;
    let study = StudyDir::open(
        out.map(Path::to_path_buf)
            .unwrap_or_else(|| file.base.join("index-out")),
    )?;
    for (name, df) in &analysis.tables {
        study.table(name, df)?;
    }
    // The charts, drawn from the tables as the run's render draws them.
    const WHAT: &str = "the charts";
    chart_font(WHAT)?;
    let get = |name: &str| {
        analysis
            .tables
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
    };
    let empty = std::collections::BTreeMap::new();
    let charts = crate::render::index_figures(
        study.dir(),
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
    .map_err(|e| StudyError::Chart {
        what: WHAT,
        message: e.to_string(),
    })?;
    let manifest = serde_json::json!({
        "config": file.shown, "data": table.shown, "units": n, "normalisation": spec.normalisation,
        "aggregation": spec.aggregation, "winmax": spec.winmax, "imputation": spec.imputation,
        "group": spec.group, "period": period, "weights": spec.weights,
        "seed": spec.seed, "strongest": analysis.strongest, "notes": analysis.notes,
        "charts": charts,
    });
    let out = study.publish(&manifest)?;
    Ok(Summary {
        out,
        units: n,
        analysis,
    })
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} units", self.units)?;
        if let Some((factor, st)) = &self.analysis.strongest {
            writeln!(
                f,
                "  the choice that moves the ranks most: {factor} (ST = {st:.3})"
            )?;
        }
        for n in &self.analysis.notes {
            writeln!(f, "note: {n}")?;
        }
        writeln!(f, "tables in {}", self.out.display())
    }
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
