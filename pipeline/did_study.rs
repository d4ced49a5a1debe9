//! `govlens did --data FILE --outcome Y --time T --id I --cohort G …`: the
//! staggered DiD of [`crate::methods::did`] on any long panel a researcher
//! brings (CSV, XLSX or Parquet; a row per unit and year; cohort 0 or blank
//! for never treated), written as `att_gt`, `aggregations` and `pre_test`
//! (Parquet and a spreadsheet-safe CSV), the event-study chart with its
//! uniform band (SVG, PNG) and a manifest with every option — published at
//! once, nothing written on bad input.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::methods::did::options::{Control, DidOptions, SeKind};
use crate::methods::did::{self, Did, Obs};
use crate::render::labels::Lang;
use crate::warehouse::{self, Staging, WarehouseError};

#[derive(Debug, thiserror::Error)]
pub enum DidStudyError {
    #[error("{path}: {message}")]
    Data { path: String, message: String },
    #[error("{0}")]
    Option(String),
    #[error("{path}: {source}")]
    Estimate { path: String, source: did::DidError },
    #[error("writing {table}: {source}")]
    Frame { table: String, source: PolarsError },
    #[error("drawing the event study: {0}")]
    Chart(String),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// What the command was asked, as plain values (the CLI parses into this).
#[derive(Debug, Clone)]
pub struct Request {
    pub data: PathBuf,
    pub outcome: String,
    pub time: String,
    pub id: String,
    pub cohort: String,
    pub covariates: Vec<String>,
    pub control: String,
    pub method: String,
    /// The column to cluster standard errors on (`None`, or the id column:
    /// by unit).
    pub cluster: Option<String>,
    pub anticipation: i32,
    pub base_period: String,
    pub se: String,
    pub draws: usize,
    pub seed: u64,
    pub unbalanced: bool,
    pub cband: bool,
    pub min_e: Option<i32>,
    pub max_e: Option<i32>,
    pub balance_e: Option<i32>,
    pub lang: String,
    pub out: Option<PathBuf>,
}

/// What a run found, for the terminal.
#[derive(Debug)]
pub struct Summary {
    pub out: PathBuf,
    pub did: Did,
}

fn options(r: &Request) -> Result<DidOptions, DidStudyError> {
    let bad = |flag: &str, v: &str, allowed: &str| {
        DidStudyError::Option(format!("--{flag} '{v}': one of {allowed}"))
    };
    if r.anticipation < 0 {
        return Err(DidStudyError::Option(format!(
            "--anticipation {}: 0 or more periods",
            r.anticipation
        )));
    }
    Ok(DidOptions {
        control: r
            .control
            .parse()
            .map_err(|a| bad("control", &r.control, a))?,
        method: r.method.parse().map_err(|a| bad("method", &r.method, a))?,
        anticipation: r.anticipation,
        base_period: (r.base_period.parse()).map_err(|a| bad("base-period", &r.base_period, a))?,
        unbalanced: r.unbalanced,
        se: r.se.parse().map_err(|a| bad("se", &r.se, a))?,
        draws: r.draws,
        seed: r.seed,
        cband: r.cband,
        min_e: r.min_e,
        max_e: r.max_e,
        balance_e: r.balance_e,
        ..DidOptions::default()
    })
}

/// The panel's observations: every value used parsed, the row and column
/// named when one is not a number.
fn panel(r: &Request) -> Result<Vec<Obs>, String> {
    let (names, body) = crate::ingest::read::table_cells(&r.data)?;
    let col = |name: &str| -> Result<usize, String> {
        names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| format!("no column '{name}' (columns: {})", names.join(", ")))
    };
    let (yc, tc, ic, gc) = (
        col(&r.outcome)?,
        col(&r.time)?,
        col(&r.id)?,
        col(&r.cohort)?,
    );
    let xc: Vec<usize> = r
        .covariates
        .iter()
        .map(|c| col(c))
        .collect::<Result<_, _>>()?;
    // The cluster column (R drops `idname` from clustervars: by unit).
    let cc = match r.cluster.as_deref() {
        Some(c) if c != r.id => Some(col(c)?),
        _ => None,
    };
    // Cluster labels → ids in label order; each unit's label and the row
    // that gave it, to name both rows when a unit changes cluster.
    let mut cluster_ids: std::collections::BTreeMap<String, u32> = Default::default();
    if let Some(c) = cc {
        for row in &body {
            let label = row.get(c).cloned().flatten().unwrap_or_default();
            cluster_ids.entry(label.trim().to_string()).or_insert(0);
        }
        for (k, v) in cluster_ids.values_mut().enumerate() {
            *v = k as u32;
        }
    }
    let mut unit_cluster: std::collections::HashMap<String, (String, usize)> = Default::default();
    let mut obs = Vec::with_capacity(body.len());
    for (k, row) in body.iter().enumerate() {
        let line = k + 2;
        let cell = |c: usize| row.get(c).cloned().flatten().unwrap_or_default();
        let number = |c: usize, what: &str| -> Result<f64, String> {
            let raw = cell(c);
            crate::contract::grammar::parse_number(&raw)
                .map_err(|_| format!("row {line}, column {what}: '{raw}' is not a number"))
        };
        let unit = cell(ic);
        if unit.is_empty() {
            return Err(format!("row {line}: no unit id in '{}'", r.id));
        }
        let year = number(tc, &r.time)?;
        if year.fract() != 0.0 {
            return Err(format!(
                "row {line}, column {}: {year} is not a whole period",
                r.time
            ));
        }
        let cohort = match cell(gc).trim() {
            "" => None,
            _ => match number(gc, &r.cohort)? {
                0.0 => None,
                g if g.fract() == 0.0 => Some(g as i32),
                g => {
                    return Err(format!(
                        "row {line}, column {}: {g} is not a period",
                        r.cohort
                    ))
                }
            },
        };
        let mut x = Vec::with_capacity(xc.len());
        for (c, name) in xc.iter().zip(&r.covariates) {
            if cell(*c).trim().is_empty() {
                return Err(format!(
                    "row {line} (unit {unit}, {year}): covariate {name} is missing"
                ));
            }
            x.push(number(*c, name)?);
        }
        let cluster = match cc {
            None => None,
            Some(c) => {
                let label = cell(c).trim().to_string();
                let name = r.cluster.as_deref().unwrap_or_default();
                if label.is_empty() {
                    return Err(format!(
                        "row {line} (unit {unit}, {year}): no cluster in column {name}"
                    ));
                }
                match unit_cluster.get(&unit) {
                    Some((first, at)) if *first != label => {
                        return Err(format!(
                            "column {name}: unit {unit} is in cluster '{first}' in row {at} and '{label}' in row {line}; a cluster must not vary within a unit (R: \"Time-varying cluster variables are not supported\")"
                        ))
                    }
                    Some(_) => {}
                    None => {
                        unit_cluster.insert(unit.clone(), (label.clone(), line));
                    }
                }
                Some(cluster_ids[&label])
            }
        };
        obs.push(Obs {
            unit,
            year: year as i32,
            cohort,
            y: number(yc, &r.outcome)?,
            x,
            cluster,
        });
    }
    if obs.is_empty() {
        return Err("no rows".into());
    }
    if let (Some(name), 1) = (
        r.cluster.as_deref().filter(|_| cc.is_some()),
        cluster_ids.len(),
    ) {
        return Err(format!(
            "column {name}: every row is in one cluster ('{}'); clustered standard errors need two or more clusters (leave out --cluster to cluster by unit)",
            cluster_ids.keys().next().map(String::as_str).unwrap_or_default()
        ));
    }
    Ok(obs)
}

/// Runs the estimation of `r` into its output folder (default `did-out`
/// beside the data).
pub fn run(r: &Request) -> Result<Summary, DidStudyError> {
    let shown = r.data.display().to_string();
    let opts = options(r)?;
    let lang = Lang::parse(&r.lang)
        .ok_or_else(|| DidStudyError::Option(format!("--lang '{}': zh or en", r.lang)))?;
    let obs = panel(r).map_err(|message| DidStudyError::Data {
        path: shown.clone(),
        message,
    })?;
    let d = did::estimate_with(
        &obs,
        &r.covariates,
        &opts,
        &crate::progress::MethodBar::new(crate::progress::Unit::Steps),
    )
    .map_err(|source| DidStudyError::Estimate {
        path: shown.clone(),
        source,
    })?;
    let out = r.out.clone().unwrap_or_else(|| {
        r.data
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join("did-out")
    });
    let staging = Staging::new(&out)?;
    let mut tables = frames(&d)?;
    for (name, df) in &mut tables {
        warehouse::write_study_table(&staging.dir, name, df)?;
    }
    chart(&staging.dir, &tables[1].1, &r.outcome, lang)?;
    let manifest = serde_json::json!({
        "data": shown, "outcome": r.outcome, "time": r.time, "id": r.id, "cohort": r.cohort,
        "covariates": r.covariates, "control": opts.control.name(), "method": opts.method.name(),
        "anticipation": opts.anticipation, "base_period": opts.base_period.name(),
        "se": opts.se.name(), "draws": opts.draws, "seed": opts.seed, "unbalanced": opts.unbalanced,
        "cband": opts.cband, "min_e": opts.min_e, "max_e": opts.max_e, "balance_e": opts.balance_e,
        "cluster": r.cluster.as_deref().filter(|c| *c != r.id), "clusters": d.n_clusters,
        "units": d.n_units, "crit": d.crit,
        "skipped": d.skipped.iter().map(|s| format!("cohort {}: {}", s.cohort, s.reason)).collect::<Vec<_>>(),
        "notes": d.notes,
        "r_equivalent": r_call(r, &opts),
    });
    warehouse::write_text(
        &staging.dir.join("manifest.json"),
        &(serde_json::to_string_pretty(&manifest).expect("json") + "\n"),
    )?;
    staging.publish()?;
    Ok(Summary { out, did: d })
}

/// The R call that computes the same estimates.
pub fn r_call(r: &Request, o: &DidOptions) -> String {
    let xf = if r.covariates.is_empty() {
        "NULL".to_string()
    } else {
        format!("~{}", r.covariates.join("+"))
    };
    let clustervars = match r.cluster.as_deref().filter(|c| *c != r.id) {
        Some(c) => format!(", clustervars = \"{c}\""),
        None => String::new(),
    };
    format!(
        "did::att_gt(yname = \"{}\", tname = \"{}\", idname = \"{}\", gname = \"{}\", xformla = {xf}, data = data, control_group = \"{}\", anticipation = {}, est_method = \"{}\", base_period = \"{}\", bstrap = {}, cband = {}, biters = {}, allow_unbalanced_panel = {}{clustervars})",
        r.outcome,
        r.time,
        r.id,
        r.cohort,
        if o.control == Control::NotYet { "notyettreated" } else { "nevertreated" },
        o.anticipation,
        o.method.name(),
        o.base_period.name(),
        if o.se == SeKind::Bootstrap { "TRUE" } else { "FALSE" },
        if o.cband { "TRUE" } else { "FALSE" },
        o.draws,
        if o.unbalanced { "TRUE" } else { "FALSE" },
    )
}

fn ferr(table: &str) -> impl FnOnce(PolarsError) -> DidStudyError {
    let table = table.to_string();
    move |source| DidStudyError::Frame { table, source }
}

/// `att_gt`, `aggregations`, `pre_test`.
fn frames(d: &Did) -> Result<Vec<(&'static str, DataFrame)>, DidStudyError> {
    let c = &d.cells;
    let e = |f: fn(&did::Estimate) -> Option<f64>| -> Vec<Option<f64>> {
        c.iter().map(|c| c.estimate.as_ref().and_then(f)).collect()
    };
    let att_gt = df!(
        "cohort" => c.iter().map(|c| c.cohort).collect::<Vec<_>>(),
        "year" => c.iter().map(|c| c.year).collect::<Vec<_>>(),
        "base" => c.iter().map(|c| c.base).collect::<Vec<_>>(),
        "att" => e(|e| Some(e.att)),
        "se" => e(|e| e.se),
        "se_analytic" => e(|e| e.se_analytic),
        "ci_low" => e(|e| e.ci_low),
        "ci_high" => e(|e| e.ci_high),
        "crit" => c.iter().map(|c| c.estimate.as_ref().map(|_| d.crit)).collect::<Vec<_>>(),
        "n_treated" => c.iter().map(|c| c.n_treated as u32).collect::<Vec<_>>(),
        "n_control" => c.iter().map(|c| c.n_control as u32).collect::<Vec<_>>(),
        "note" => c.iter().map(|c| c.note.clone()).collect::<Vec<_>>(),
    )
    .map_err(ferr("att_gt"))?;
    let a = &d.aggregates;
    let ae = |f: fn(&did::Estimate) -> Option<f64>| -> Vec<Option<f64>> {
        a.iter().map(|a| f(&a.estimate)).collect()
    };
    let aggregations = df!(
        "kind" => a.iter().map(|a| a.kind.name()).collect::<Vec<_>>(),
        "key" => a.iter().map(|a| a.key).collect::<Vec<_>>(),
        "att" => ae(|e| Some(e.att)),
        "se" => ae(|e| e.se),
        "se_analytic" => ae(|e| e.se_analytic),
        "ci_low" => ae(|e| e.ci_low),
        "ci_high" => ae(|e| e.ci_high),
        "crit" => a.iter().map(|a| a.crit).collect::<Vec<_>>(),
    )
    .map_err(ferr("aggregations"))?;
    let p = d.pretrend.as_ref();
    let pre_test = df!(
        "test" => [p.map(|p| p.test.name())],
        "stat" => [p.map(|p| p.stat)],
        "df" => [p.map(|p| p.df as u32)],
        "p" => [p.map(|p| p.p)],
    )
    .map_err(ferr("pre_test"))?;
    Ok(vec![
        ("att_gt", att_gt),
        ("aggregations", aggregations),
        ("pre_test", pre_test),
    ])
}

/// The event study (the dynamic aggregation) with its uniform band.
fn chart(
    dir: &Path,
    aggregations: &DataFrame,
    outcome: &str,
    lang: Lang,
) -> Result<(), DidStudyError> {
    use crate::render::charts::{event_points, event_study, Scale};
    use plotters::prelude::*;
    crate::render::font::register(None).map_err(|e| DidStudyError::Chart(e.to_string()))?;
    let kind = crate::runs::strs(aggregations, "kind");
    let rows = event_points(aggregations, |i| kind[i] == "dynamic");
    let title = crate::render::labels::label(lang, "event_title");
    let derr = |e: String| DidStudyError::Chart(e);
    let size = (1000, 640);
    let svg = dir.join("event_study.svg");
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        event_study(&root, &rows, title, outcome, Scale::Plain, lang)
            .map_err(|e| derr(e.to_string()))?;
        root.present().map_err(|e| derr(e.to_string()))?;
    }
    let png = dir.join("event_study.png");
    let root = BitMapBackend::new(&png, size).into_drawing_area();
    event_study(&root, &rows, title, outcome, Scale::Plain, lang)
        .map_err(|e| derr(e.to_string()))?;
    root.present().map_err(|e| derr(e.to_string()))?;
    Ok(())
}
