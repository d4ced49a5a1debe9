//! `govlens did --data FILE --outcome Y --time T --id I --cohort G …`: the
//! staggered DiD of [`crate::methods::did`] on any long panel a researcher
//! brings (CSV, XLSX or Parquet; a row per unit and year; cohort 0 or blank
//! for never treated), written as `att_gt`, `aggregations` and `pre_test`
//! (Parquet and a spreadsheet-safe CSV), the event-study chart with its
//! uniform band (SVG, PNG) and a manifest with every option — published at
//! once, nothing written on bad input.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{beside, chart_font, CaseTable, StudyDir, StudyError};
use crate::methods::did::options::DidOptions;
use crate::methods::did::{self, Did, Obs};
use crate::render::labels::Lang;

/// What the command was asked (the CLI parses its flags into this; the
/// options with the method's own grammar, unset ones at its defaults).
#[derive(Debug, Clone)]
pub struct Request {
    pub data: PathBuf,
    pub outcome: String,
    pub time: String,
    pub id: String,
    pub cohort: String,
    pub covariates: Vec<String>,
    /// The column to cluster standard errors on (`None`, or the id column:
    /// by unit).
    pub cluster: Option<String>,
    pub options: DidOptions,
    pub lang: Lang,
    pub out: Option<PathBuf>,
}

/// What a run found, for the terminal.
#[derive(Debug)]
pub struct Summary {
    pub out: PathBuf,
    pub did: Did,
}

/// The panel's columns, found.
struct Columns {
    y: usize,
    t: usize,
    id: usize,
    g: usize,
    x: Vec<usize>,
    /// The cluster column (R drops `idname` from clustervars: by unit).
    cluster: Option<usize>,
}

impl Columns {
    fn find(r: &Request, t: &CaseTable) -> Result<Columns, String> {
        Ok(Columns {
            y: t.column(&r.outcome)?,
            t: t.column(&r.time)?,
            id: t.column(&r.id)?,
            g: t.column(&r.cohort)?,
            x: (r.covariates.iter().map(|c| t.column(c))).collect::<Result<_, _>>()?,
            cluster: match r.cluster.as_deref() {
                Some(c) if c != r.id => Some(t.column(c)?),
                _ => None,
            },
        })
    }
}

/// Each cluster label's id, in label order.
fn cluster_ids(t: &CaseTable, c: Option<usize>) -> BTreeMap<String, u32> {
    let mut ids: BTreeMap<String, u32> = BTreeMap::new();
    if let Some(c) = c {
        for row in 0..t.rows.len() {
            ids.entry(t.cell(row, c).trim().to_string()).or_insert(0);
        }
        for (k, v) in ids.values_mut().enumerate() {
            *v = k as u32;
        }
    }
    ids
}

/// The panel's observations: every value used parsed, the row and column
/// named when one is not a number.
fn panel(r: &Request, t: &CaseTable) -> Result<Vec<Obs>, String> {
    let c = Columns::find(r, t)?;
    let cluster_ids = cluster_ids(t, c.cluster);
    // Each unit's cluster and the row that gave it, to name both rows when
    // a unit changes cluster.
    let mut unit_cluster: HashMap<String, (String, usize)> = HashMap::new();
    let mut obs = Vec::with_capacity(t.rows.len());
    for row in 0..t.rows.len() {
        let line = row + 2;
        let number = |col: usize, what: &str| t.number(row, col, what, None);
        let unit = t.cell(row, c.id);
        if unit.is_empty() {
            return Err(format!("row {line}: no unit id in '{}'", r.id));
        }
        let year = number(c.t, &r.time)?;
        if year.fract() != 0.0 {
            return Err(format!(
                "row {line}, column {}: {year} is not a whole period",
                r.time
            ));
        }
        let cohort = match t.cell(row, c.g).trim() {
            "" => None,
            _ => match number(c.g, &r.cohort)? {
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
        let mut x = Vec::with_capacity(c.x.len());
        for (col, name) in c.x.iter().zip(&r.covariates) {
            if t.cell(row, *col).trim().is_empty() {
                return Err(format!(
                    "row {line} (unit {unit}, {year}): covariate {name} is missing"
                ));
            }
            x.push(number(*col, name)?);
        }
        let cluster = match c.cluster {
            None => None,
            Some(col) => {
                let label = t.cell(row, col).trim().to_string();
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
            y: number(c.y, &r.outcome)?,
            x,
            cluster,
        });
    }
    if obs.is_empty() {
        return Err("no rows".into());
    }
    if let (Some(name), 1) = (
        r.cluster.as_deref().filter(|_| c.cluster.is_some()),
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
pub fn run(r: &Request) -> Result<Summary, StudyError> {
    let opts = &r.options;
    let table = CaseTable::read(&r.data)?;
    let obs = panel(r, &table).map_err(|m| table.error(m))?;
    let d = did::estimate_with(
        &obs,
        &r.covariates,
        opts,
        &crate::progress::MethodBar::new(crate::progress::Unit::Steps),
    )
    .map_err(|source| StudyError::Estimate {
        path: table.shown.clone(),
        source,
    })?;
    let out = (r.out.clone()).unwrap_or_else(|| beside(&r.data).join("did-out"));
    let study = StudyDir::open(out)?;
    let tables = frames(&d)?;
    for (name, df) in &tables {
        study.table(name, df)?;
    }
    chart(study.dir(), &tables[1].1, &r.outcome, r.lang, opts.alpha)?;
    let mut manifest = serde_json::json!({
        "data": table.shown, "outcome": r.outcome, "time": r.time, "id": r.id, "cohort": r.cohort,
        "covariates": r.covariates,
        "cluster": r.cluster.as_deref().filter(|c| *c != r.id), "clusters": d.n_clusters,
        "units": d.n_units, "crit": d.crit,
        "skipped": d.skipped.iter().map(|s| format!("cohort {}: {}", s.cohort, s.reason)).collect::<Vec<_>>(),
        "notes": d.notes,
        "r_equivalent": r_call(r, opts),
    });
    if let (Some(m), serde_json::Value::Object(o)) = (
        manifest.as_object_mut(),
        serde_json::to_value(opts).expect("json"),
    ) {
        m.extend(o);
    }
    let out = study.publish(&manifest)?;
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
        "did::att_gt(yname = \"{}\", tname = \"{}\", idname = \"{}\", gname = \"{}\", xformla = {xf}, data = data, {}{clustervars})",
        r.outcome,
        r.time,
        r.id,
        r.cohort,
        o.r_arguments(),
    )
}

fn ferr(table: &str) -> impl FnOnce(PolarsError) -> StudyError {
    let table = table.to_string();
    move |source| StudyError::Frame { table, source }
}

/// `att_gt`, `aggregations`, `pre_test`, `event_vcov` (the event study's
/// covariance, a row per entry, for HonestDiD).
fn frames(d: &Did) -> Result<Vec<(&'static str, DataFrame)>, StudyError> {
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
    let events: Vec<i32> = d
        .keyed(did::Kind::Dynamic)
        .iter()
        .map(|(e, _)| *e)
        .collect();
    let pairs = || {
        events
            .iter()
            .flat_map(|a| events.iter().map(move |b| (*a, *b)))
    };
    let event_vcov = df!(
        "rel_year" => pairs().map(|p| p.0).collect::<Vec<_>>(),
        "rel_year_col" => pairs().map(|p| p.1).collect::<Vec<_>>(),
        "cov" => d.event_vcov.iter().flatten().copied().collect::<Vec<_>>(),
    )
    .map_err(ferr("event_vcov"))?;
    Ok(vec![
        ("att_gt", att_gt),
        ("aggregations", aggregations),
        ("pre_test", pre_test),
        ("event_vcov", event_vcov),
    ])
}

/// The event study (the dynamic aggregation) with its uniform band.
fn chart(
    dir: &Path,
    aggregations: &DataFrame,
    outcome: &str,
    lang: Lang,
    alpha: f64,
) -> Result<(), StudyError> {
    use crate::render::charts::{event_points, event_study, Scale};
    use crate::render::labels::{at_level, label};
    const WHAT: &str = "the event study";
    chart_font(WHAT)?;
    let kind = crate::runs::strs(aggregations, "kind");
    let rows = event_points(aggregations, |i| kind[i] == "dynamic", alpha);
    let title = at_level(label(lang, "event_title"), alpha);
    crate::render::svg_png!(
        dir,
        "event_study",
        (1000, 640),
        bitmap,
        event_study,
        &rows,
        &title,
        outcome,
        Scale::Plain,
        lang,
        alpha
    )
    .map_err(|message| StudyError::Chart {
        what: WHAT,
        message,
    })
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.did;
        match d.n_clusters {
            Some(g) => writeln!(
                f,
                "{} units in {g} clusters, {} ATT(g,t) cells",
                d.n_units,
                d.cells.len()
            )?,
            None => writeln!(f, "{} units, {} ATT(g,t) cells", d.n_units, d.cells.len())?,
        }
        for a in d.aggregates.iter().filter(|a| a.key.is_none()) {
            let e = &a.estimate;
            writeln!(
                f,
                "  {:<9} ATT {:.4}  se {}",
                a.kind.name(),
                e.att,
                e.se.map(|s| format!("{s:.4}"))
                    .unwrap_or_else(|| "-".into())
            )?;
        }
        if let Some(p) = &d.pretrend {
            let name = match p.test {
                did::PreTest::Wald => "W",
                did::PreTest::SupT => "sup-t",
            };
            writeln!(
                f,
                "  pre-test {name} = {:.3}, {} cells, p = {:.4}",
                p.stat, p.df, p.p
            )?;
        }
        for s in &d.skipped {
            writeln!(f, "note: cohort {} skipped: {}", s.cohort, s.reason)?;
        }
        for n in &d.notes {
            writeln!(f, "note: {n}")?;
        }
        writeln!(f, "tables in {}", self.out.display())
    }
}
