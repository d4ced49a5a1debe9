//! The run's adoption effects: for each `[compare] adoption_metrics` entry,
//! the yearly panel of units with their adoption cohorts, covariates and
//! clusters (`[compare] cluster`), estimated by [`super::did`] with the
//! `[compare]` options — pooled over the four models, and for each model
//! its adopters against the same comparison units — laid out as the run's
//! `adoption_effects`, `event_study`, `adoption_tests` and
//! `adoption_by_model` tables.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;
use rayon::prelude::*;

use super::tables::{sub_seed, Grouped};
use crate::config::{check_metric, Config};
use crate::methods::did::options::DidOptions;
use crate::methods::did::{self, Kind};
use crate::metrics::{Clusters, Unit};

pub(super) struct Adoption {
    pub(super) effects: DataFrame,
    pub(super) events: DataFrame,
    pub(super) tests: DataFrame,
    pub(super) by_model: DataFrame,
    /// The pooled event study with a universal base period (the run's, or
    /// re-estimated with analytic SEs when its base is varying), for
    /// HonestDiD.
    pub(super) honest: DataFrame,
    /// That event study's covariance matrix per metric (long: a row per
    /// entry).
    pub(super) vcov: DataFrame,
    /// The unit-years the estimates read: cohort (0 never adopted, R did's
    /// `gname` convention), cluster, and each metric's outcome and each
    /// covariate as the estimator saw them — what replication scripts read.
    pub(super) panel: DataFrame,
    pub(super) notes: Vec<String>,
}

/// The models whose adopters get an effect of their own, in the reports'
/// order.
const MODELS: [&str; 4] = ["sinking", "collaborative", "embedded", "integrated"];

/// The (metric, breakdown) pairs the adoption effects read: the outcomes
/// and the metric covariates.
pub(super) fn wanted(config: &Config) -> std::collections::BTreeSet<(String, String)> {
    config
        .compare
        .adoption_metrics
        .iter()
        .map(String::as_str)
        .chain(
            config
                .compare
                .covariates
                .iter()
                .map(|c| c.strip_prefix("first:").unwrap_or(c)),
        )
        .filter_map(|m| check_metric(m).ok())
        .map(|(m, b)| (m, b.unwrap_or_default()))
        .collect()
}

/// The estimator's options from `[compare]` (`name` seeds the bootstrap:
/// the metric, or the metric and a model).
pub(super) fn options(config: &Config, name: &str) -> DidOptions {
    DidOptions {
        seed: sub_seed(config.seed, &["did", name]),
        ..config.compare.did.clone()
    }
}

/// The panel's units in code order; a unit's rank in it orders the
/// panel's keys as its code does, so the panel is keyed by integers (a
/// panel is a million unit-years at 100k communities, and text keys were
/// most of its cost). Each unit's cluster beside it (`None`: by unit).
struct Panel<'u> {
    units: Vec<&'u Unit>,
    cluster: Vec<Option<u32>>,
    rank: HashMap<&'u str, u32>,
}

impl<'u> Panel<'u> {
    /// The units by code (a code given twice: its last unit, as a map).
    fn new(units: &'u [Unit], clusters: &Clusters) -> Self {
        let by_code: BTreeMap<&str, (&Unit, Option<u32>)> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.as_str(), (u, clusters.of_unit.get(i).copied())))
            .collect();
        let rank = by_code
            .keys()
            .enumerate()
            .map(|(r, c)| (*c, r as u32))
            .collect();
        let (units, cluster) = by_code.into_values().unzip();
        Panel {
            units,
            cluster,
            rank,
        }
    }
}

/// A metric's values by (unit rank, year), for the panel's units.
fn values(g: &Grouped, metric: &str, panel: &Panel) -> BTreeMap<(u32, i32), f64> {
    let (m, b) = check_metric(metric).expect("config checked");
    let b = b.unwrap_or_default();
    let mut out = BTreeMap::new();
    for ((metric, breakdown, period), models) in g {
        if *metric != m || *breakdown != b {
            continue;
        }
        let Ok(year) = period.parse::<i32>() else {
            continue;
        };
        for (code, v) in models.values().flatten() {
            if let Some(&r) = panel.rank.get(code.as_str()) {
                out.insert((r, year), *v);
            }
        }
    }
    out
}

/// Adoption effects per configured metric.
pub(super) fn adoption(
    g: &Grouped,
    config: &Config,
    units: &[Unit],
    clusters: &Clusters,
) -> PolarsResult<Adoption> {
    let mut notes = Vec::new();
    let panel = Panel::new(units, clusters);
    if let Some(n) = &clusters.note {
        notes.push(format!("adoption effects: {n}"));
    }
    let no_year = units
        .iter()
        .filter(|u| u.model.as_deref().is_some_and(|m| m != "none") && u.adopted.is_none())
        .count();
    if no_year > 0 {
        notes.push(format!("{no_year} unit(s) with a model but no adoption year are left out of the adoption effects"));
    }
    let mut t = Tables::default();
    let mut rows = PanelRows::default();
    if config.period != "year" {
        notes.push(
            "adoption effects are estimated on yearly panels only (run.period = \"year\")".into(),
        );
        return t.finish(
            notes,
            rows.frame(&panel, clusters, &[], covariates_of(config))?,
        );
    }
    let covariates = &config.compare.covariates;
    let cov_values: BTreeMap<&str, BTreeMap<(u32, i32), f64>> = covariates
        .iter()
        .filter(|c| !matches!(c.as_str(), "population" | "log_population"))
        .map(|c| {
            (
                c.as_str(),
                values(g, c.strip_prefix("first:").unwrap_or(c), &panel),
            )
        })
        .collect();
    // The metrics' estimates on every core (each has its own seed and
    // reads only the panel), laid out in the config's order.
    let estimated: Vec<Estimated> = config
        .compare
        .adoption_metrics
        .par_iter()
        .map(|name| effect(name, g, config, &panel, &cov_values))
        .collect();
    let level = clusters.level.map_or("unit", |l| l.name());
    let fallback = clusters.fallback.map(|f| f.name());
    for (name, e) in config.compare.adoption_metrics.iter().zip(estimated) {
        rows.add(name, &e.obs, &panel);
        notes.extend(e.notes);
        if let Some(d) = e.pooled {
            t.add(name, &d, config, level);
            t.t_fallback.push(fallback);
            t.honest(name, e.universal.as_ref().unwrap_or(&d));
        }
        for (model, d) in e.by_model {
            t.model(name, model, d);
        }
    }
    let panel_frame = rows.frame(
        &panel,
        clusters,
        &config.compare.adoption_metrics,
        covariates_of(config),
    )?;
    t.finish(notes, panel_frame)
}

fn covariates_of(config: &Config) -> &[String] {
    &config.compare.covariates
}

/// The adoption panel's rows: per (unit rank, year), each metric's outcome
/// and the covariates (the same for every metric that reads the year).
#[derive(Default)]
struct PanelRows {
    rows: BTreeMap<(u32, i32), PanelRow>,
}

/// A unit-year of the panel: cohort, the metrics' outcomes, the covariates.
type PanelRow = (Option<i32>, BTreeMap<String, f64>, Vec<f64>);

impl PanelRows {
    fn add(&mut self, name: &str, obs: &[did::Obs], panel: &Panel) {
        for o in obs {
            let r = panel.rank[o.unit.as_str()];
            let row = self
                .rows
                .entry((r, o.year))
                .or_insert_with(|| (o.cohort, BTreeMap::new(), o.x.clone()));
            row.1.insert(name.to_string(), o.y);
        }
    }

    /// region_code, year, cohort (0: never), cluster (its code; null by
    /// unit), governance_model, a column per metric, one per covariate.
    fn frame(
        self,
        panel: &Panel,
        clusters: &Clusters,
        metrics: &[String],
        covariates: &[String],
    ) -> PolarsResult<DataFrame> {
        let keys: Vec<&(u32, i32)> = self.rows.keys().collect();
        let unit = |r: u32| panel.units[r as usize];
        let mut columns = vec![
            Column::new(
                "region_code".into(),
                keys.iter()
                    .map(|k| unit(k.0).code.clone())
                    .collect::<Vec<_>>(),
            ),
            Column::new("year".into(), keys.iter().map(|k| k.1).collect::<Vec<_>>()),
            Column::new(
                "cohort".into(),
                self.rows
                    .values()
                    .map(|v| v.0.unwrap_or(0))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "cluster".into(),
                keys.iter()
                    .map(|k| {
                        panel.cluster[k.0 as usize]
                            .and_then(|c| clusters.labels.get(c as usize).cloned())
                    })
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "governance_model".into(),
                keys.iter()
                    .map(|k| unit(k.0).model.clone())
                    .collect::<Vec<_>>(),
            ),
        ];
        for m in metrics {
            columns.push(Column::new(
                m.as_str().into(),
                self.rows
                    .values()
                    .map(|v| v.1.get(m).copied())
                    .collect::<Vec<_>>(),
            ));
        }
        for (j, c) in covariates.iter().enumerate() {
            if metrics.contains(c) {
                continue;
            }
            columns.push(Column::new(
                c.as_str().into(),
                self.rows
                    .values()
                    .map(|v| v.2.get(j).copied())
                    .collect::<Vec<_>>(),
            ));
        }
        DataFrame::new(keys.len(), columns)
    }
}

/// One metric's estimates: pooled, and per model (its adopters against
/// the comparison units; an error says why a model has none), and the
/// notes they make.
struct Estimated {
    notes: Vec<String>,
    /// The unit-years the pooled estimate read.
    obs: Vec<did::Obs>,
    pooled: Option<did::Did>,
    /// The pooled event study with a universal base period and analytic
    /// SEs, for HonestDiD, when the run's base period is varying (`None`:
    /// the pooled one is universal already, or could not be estimated).
    universal: Option<did::Did>,
    by_model: Vec<(&'static str, Result<did::Did, String>)>,
}

/// One adoption metric's estimates, and the notes they make (units left
/// out for a missing covariate, cohorts skipped, or why there is no
/// estimate).
fn effect(
    name: &str,
    g: &Grouped,
    config: &Config,
    panel: &Panel,
    cov_values: &BTreeMap<&str, BTreeMap<(u32, i32), f64>>,
) -> Estimated {
    let covariates = &config.compare.covariates;
    let mut notes = Vec::new();
    let y = values(g, name, panel);
    let first_year = y.keys().map(|k| k.1).min();
    let mut obs = Vec::new();
    let mut missing: BTreeMap<&str, usize> = BTreeMap::new();
    'rows: for (&(rank, year), v) in &y {
        let u = panel.units[rank as usize];
        let cohort = match (u.model.as_deref(), u.adopted) {
            (Some("none"), _) => None,
            (Some(_), Some(y)) => Some(y),
            _ => continue,
        };
        let mut x = Vec::with_capacity(covariates.len());
        for c in covariates {
            let value = match c.as_str() {
                "population" => u.population,
                "log_population" => u.population.filter(|p| *p > 0.0).map(f64::ln),
                _ => {
                    let at = match c.strip_prefix("first:") {
                        Some(_) => first_year.unwrap_or(year),
                        None => year,
                    };
                    cov_values[c.as_str()].get(&(rank, at)).copied()
                }
            };
            match value {
                Some(v) => x.push(v),
                None => {
                    *missing.entry(c.as_str()).or_default() += 1;
                    continue 'rows;
                }
            }
        }
        obs.push(did::Obs {
            unit: u.code.clone(),
            year,
            cohort,
            y: *v,
            x,
            cluster: panel.cluster[rank as usize],
        });
    }
    for (c, k) in missing {
        notes.push(format!(
            "adoption effect of {name}: {k} unit-year(s) without covariate {c} left out"
        ));
    }
    let pooled = match estimate(&obs, covariates, &options(config, name)) {
        Ok(d) => {
            for s in &d.skipped {
                notes.push(format!(
                    "adoption effect of {name}: cohort {} skipped: {}",
                    s.cohort, s.reason
                ));
            }
            for n in &d.notes {
                notes.push(format!("adoption effect of {name}: {n}"));
            }
            Some(d)
        }
        Err(e) => {
            notes.push(format!("adoption effect of {name}: {e}"));
            None
        }
    };
    // HonestDiD bounds an event study measured from one reference period:
    // with a varying base, the same estimates with a universal base (its
    // analytic SEs are all V̂ needs; no bootstrap).
    let universal = (pooled.is_some()
        && config.compare.did.base_period == did::options::BasePeriod::Varying)
        .then(|| {
            let opts = DidOptions {
                base_period: did::options::BasePeriod::Universal,
                se: did::options::SeKind::Analytic,
                draws: 0,
                ..options(config, name)
            };
            estimate(&obs, covariates, &opts).ok()
        })
        .flatten();
    // Each model's adopters against the comparison units (model none).
    let model_of = |o: &did::Obs| {
        panel.units[panel.rank[o.unit.as_str()] as usize]
            .model
            .as_deref()
    };
    let by_model = MODELS
        .iter()
        .filter(|m| {
            obs.iter()
                .any(|o| o.cohort.is_some() && model_of(o) == Some(**m))
        })
        .map(|&m| {
            let sub: Vec<did::Obs> = obs
                .iter()
                .filter(|o| matches!(model_of(o), Some(x) if x == m || x == "none"))
                .cloned()
                .collect();
            let opts = options(config, &format!("{name}\u{0}{m}"));
            (
                m,
                estimate(&sub, covariates, &opts).map_err(|e| e.to_string()),
            )
        })
        .collect();
    Estimated {
        notes,
        obs,
        pooled,
        universal,
        by_model,
    }
}

/// [`did::estimate`], by unit when the observations' units are all in one
/// cluster (a model's subset may be): one cluster has no variance to
/// estimate; the table's `clusters` column is then empty (by unit).
fn estimate(
    obs: &[did::Obs],
    covariates: &[String],
    opts: &DidOptions,
) -> Result<did::Did, did::DidError> {
    let first = obs.first().and_then(|o| o.cluster);
    if first.is_none() || obs.iter().any(|o| o.cluster != first) {
        return did::estimate_with(obs, covariates, opts, &bar());
    }
    let by_unit: Vec<did::Obs> = obs
        .iter()
        .map(|o| did::Obs {
            cluster: None,
            ..o.clone()
        })
        .collect();
    did::estimate_with(&by_unit, covariates, opts, &bar())
}

/// "2022 (4 units), …": the cohorts R's did would warn about.
fn small_cohorts(d: &did::Did) -> Option<String> {
    (!d.small_cohorts.is_empty()).then(|| {
        d.small_cohorts
            .iter()
            .map(|(g, k)| format!("{g} ({k})"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// The four tables' columns.
#[derive(Default)]
struct Tables {
    // adoption_effects
    e_m: Vec<String>,
    e_kind: Vec<String>,
    e_c: Vec<Option<i32>>,
    e_y: Vec<Option<i32>>,
    e_base: Vec<Option<i32>>,
    e_att: Vec<Option<f64>>,
    e_se: Vec<Option<f64>>,
    e_sea: Vec<Option<f64>>,
    e_lo: Vec<Option<f64>>,
    e_hi: Vec<Option<f64>>,
    e_crit: Vec<Option<f64>>,
    e_nt: Vec<Option<u32>>,
    e_nc: Vec<Option<u32>>,
    e_note: Vec<Option<String>>,
    // event_study
    v_m: Vec<String>,
    v_e: Vec<Option<i32>>,
    v_att: Vec<f64>,
    v_se: Vec<Option<f64>>,
    v_sea: Vec<Option<f64>>,
    v_lo: Vec<Option<f64>>,
    v_hi: Vec<Option<f64>>,
    v_crit: Vec<f64>,
    // honest_event_study
    h_m: Vec<String>,
    h_e: Vec<i32>,
    h_att: Vec<f64>,
    h_sea: Vec<Option<f64>>,
    // event_vcov
    c_m: Vec<String>,
    c_row: Vec<i32>,
    c_col: Vec<i32>,
    c_v: Vec<f64>,
    // adoption_tests
    t_m: Vec<String>,
    t_test: Vec<Option<&'static str>>,
    t_w: Vec<Option<f64>>,
    t_df: Vec<Option<u32>>,
    t_p: Vec<Option<f64>>,
    t_units: Vec<u32>,
    t_control: Vec<String>,
    t_method: Vec<String>,
    t_cov: Vec<String>,
    t_base: Vec<String>,
    t_antic: Vec<i32>,
    t_se: Vec<String>,
    t_crit: Vec<f64>,
    t_alpha: Vec<f64>,
    t_treated: Vec<u32>,
    t_dropped: Vec<u32>,
    t_level: Vec<String>,
    t_clusters: Vec<Option<u32>>,
    t_tclusters: Vec<Option<u32>>,
    t_small: Vec<Option<String>>,
    t_asked: Vec<&'static str>,
    t_fallback: Vec<Option<&'static str>>,
    // adoption_by_model
    m_m: Vec<String>,
    m_model: Vec<String>,
    m_att: Vec<Option<f64>>,
    m_se: Vec<Option<f64>>,
    m_lo: Vec<Option<f64>>,
    m_hi: Vec<Option<f64>>,
    m_units: Vec<Option<u32>>,
    m_treated: Vec<Option<u32>>,
    m_clusters: Vec<Option<u32>>,
    m_tclusters: Vec<Option<u32>>,
    m_test: Vec<Option<&'static str>>,
    m_w: Vec<Option<f64>>,
    m_df: Vec<Option<u32>>,
    m_p: Vec<Option<f64>>,
    m_note: Vec<Option<String>>,
}

impl Tables {
    #[allow(clippy::too_many_arguments)]
    fn effect(
        &mut self,
        name: &str,
        kind: &str,
        c: Option<i32>,
        y: Option<i32>,
        base: Option<i32>,
        e: Option<&did::Estimate>,
        crit: Option<f64>,
        n: Option<(usize, usize)>,
        note: Option<String>,
    ) {
        self.e_m.push(name.to_string());
        self.e_kind.push(kind.to_string());
        self.e_c.push(c);
        self.e_y.push(y);
        self.e_base.push(base);
        self.e_att.push(e.map(|e| e.att));
        self.e_se.push(e.and_then(|e| e.se));
        self.e_sea.push(e.and_then(|e| e.se_analytic));
        self.e_lo.push(e.and_then(|e| e.ci_low));
        self.e_hi.push(e.and_then(|e| e.ci_high));
        self.e_crit.push(crit);
        self.e_nt.push(n.map(|n| n.0 as u32));
        self.e_nc.push(n.map(|n| n.1 as u32));
        self.e_note.push(note);
    }

    fn add(&mut self, name: &str, d: &did::Did, config: &Config, level: &str) {
        for c in &d.cells {
            self.effect(
                name,
                "att_gt",
                Some(c.cohort),
                Some(c.year),
                Some(c.base),
                c.estimate.as_ref(),
                Some(d.crit),
                Some((c.n_treated, c.n_control)),
                c.note.clone(),
            );
        }
        for a in &d.aggregates {
            let (kind, cohort, year) = match (a.kind, a.key) {
                (Kind::Simple, _) => ("simple", None, None),
                (Kind::Group, Some(g)) => ("group", Some(g), None),
                (Kind::Group, None) => ("group_overall", None, None),
                (Kind::Calendar, Some(t)) => ("calendar", None, Some(t)),
                (Kind::Calendar, None) => ("calendar_overall", None, None),
                // The event study has a table of its own.
                (Kind::Dynamic, _) => {
                    self.v_m.push(name.to_string());
                    self.v_e.push(a.key);
                    self.v_att.push(a.estimate.att);
                    self.v_se.push(a.estimate.se);
                    self.v_sea.push(a.estimate.se_analytic);
                    self.v_lo.push(a.estimate.ci_low);
                    self.v_hi.push(a.estimate.ci_high);
                    self.v_crit.push(a.crit);
                    continue;
                }
            };
            self.effect(
                name,
                kind,
                cohort,
                year,
                None,
                Some(&a.estimate),
                Some(a.crit),
                None,
                None,
            );
        }
        let c = &config.compare;
        self.t_m.push(name.to_string());
        self.t_test.push(d.pretrend.as_ref().map(|p| p.test.name()));
        self.t_w.push(d.pretrend.as_ref().map(|p| p.stat));
        self.t_df.push(d.pretrend.as_ref().map(|p| p.df as u32));
        self.t_p.push(d.pretrend.as_ref().map(|p| p.p));
        self.t_units.push(d.n_units as u32);
        self.t_control.push(c.did.control.name().into());
        self.t_method.push(c.did.method.name().into());
        self.t_cov.push(c.covariates.join(","));
        self.t_base.push(c.did.base_period.name().into());
        self.t_antic.push(c.did.anticipation);
        self.t_se.push(c.did.se.name().into());
        self.t_crit.push(d.crit);
        self.t_alpha.push(c.did.alpha);
        self.t_treated.push(d.n_treated as u32);
        self.t_dropped.push(d.dropped_unbalanced as u32);
        self.t_level.push(
            if d.n_clusters.is_some() {
                level
            } else {
                "unit"
            }
            .into(),
        );
        self.t_clusters.push(d.n_clusters.map(|g| g as u32));
        self.t_tclusters
            .push(d.n_treated_clusters.map(|g| g as u32));
        self.t_small.push(small_cohorts(d));
        self.t_asked.push(c.cluster.name());
    }

    /// The event study HonestDiD reads (a universal base period): its
    /// estimates with their analytic SEs, and their covariance.
    fn honest(&mut self, name: &str, d: &did::Did) {
        let events = d.keyed(Kind::Dynamic);
        for (i, (ei, a)) in events.iter().enumerate() {
            self.h_m.push(name.to_string());
            self.h_e.push(*ei);
            self.h_att.push(a.estimate.att);
            self.h_sea.push(a.estimate.se_analytic);
            for (j, (ej, _)) in events.iter().enumerate() {
                self.c_m.push(name.to_string());
                self.c_row.push(*ei);
                self.c_col.push(*ej);
                self.c_v.push(d.event_vcov[i][j]);
            }
        }
    }

    /// One model's simple aggregation and pre-test, or why it has none.
    fn model(&mut self, name: &str, model: &str, d: Result<did::Did, String>) {
        self.m_m.push(name.to_string());
        self.m_model.push(model.to_string());
        let (d, note) = match d {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e)),
        };
        let simple = d.as_ref().and_then(|d| d.get(Kind::Simple, None));
        self.m_att.push(simple.map(|e| e.att));
        self.m_se.push(simple.and_then(|e| e.se));
        self.m_lo.push(simple.and_then(|e| e.ci_low));
        self.m_hi.push(simple.and_then(|e| e.ci_high));
        self.m_units.push(d.as_ref().map(|d| d.n_units as u32));
        self.m_treated.push(d.as_ref().map(|d| d.n_treated as u32));
        self.m_clusters
            .push(d.as_ref().and_then(|d| d.n_clusters).map(|g| g as u32));
        self.m_tclusters.push(
            d.as_ref()
                .and_then(|d| d.n_treated_clusters)
                .map(|g| g as u32),
        );
        let pre = d.as_ref().and_then(|d| d.pretrend.as_ref());
        self.m_test.push(pre.map(|p| p.test.name()));
        self.m_w.push(pre.map(|p| p.stat));
        self.m_df.push(pre.map(|p| p.df as u32));
        self.m_p.push(pre.map(|p| p.p));
        self.m_note.push(note);
    }

    fn finish(self, notes: Vec<String>, panel: DataFrame) -> PolarsResult<Adoption> {
        Ok(Adoption {
            honest: df!(
                "metric" => self.h_m, "rel_year" => self.h_e, "att" => self.h_att,
                "se_analytic" => self.h_sea,
            )?,
            vcov: df!(
                "metric" => self.c_m, "rel_year" => self.c_row, "rel_year_col" => self.c_col,
                "cov" => self.c_v,
            )?,
            panel,
            effects: df!(
                "metric" => self.e_m, "kind" => self.e_kind, "cohort" => self.e_c, "year" => self.e_y,
                "base" => self.e_base, "att" => self.e_att, "se" => self.e_se, "se_analytic" => self.e_sea,
                "ci_low" => self.e_lo, "ci_high" => self.e_hi, "crit" => self.e_crit,
                "n_treated" => self.e_nt, "n_control" => self.e_nc, "note" => self.e_note,
            )?,
            events: df!(
                "metric" => self.v_m, "rel_year" => self.v_e, "att" => self.v_att, "se" => self.v_se,
                "se_analytic" => self.v_sea, "ci_low" => self.v_lo, "ci_high" => self.v_hi, "crit" => self.v_crit,
            )?,
            tests: df!(
                "metric" => self.t_m, "pretrend_test" => self.t_test,
                "pretrend_stat" => self.t_w, "pretrend_df" => self.t_df,
                "pretrend_p" => self.t_p, "units" => self.t_units, "control" => self.t_control,
                "method" => self.t_method, "covariates" => self.t_cov, "base_period" => self.t_base,
                "anticipation" => self.t_antic, "se" => self.t_se, "crit" => self.t_crit, "alpha" => self.t_alpha,
                "units_treated" => self.t_treated, "units_dropped" => self.t_dropped,
                "cluster" => self.t_level, "clusters" => self.t_clusters,
                "treated_clusters" => self.t_tclusters, "small_cohorts" => self.t_small,
                "cluster_asked" => self.t_asked, "cluster_fallback" => self.t_fallback,
            )?,
            by_model: df!(
                "metric" => self.m_m, "governance_model" => self.m_model, "att" => self.m_att,
                "se" => self.m_se, "ci_low" => self.m_lo, "ci_high" => self.m_hi,
                "units" => self.m_units, "units_treated" => self.m_treated,
                "clusters" => self.m_clusters, "treated_clusters" => self.m_tclusters,
                "pretrend_test" => self.m_test,
                "pretrend_stat" => self.m_w,
                "pretrend_df" => self.m_df, "pretrend_p" => self.m_p, "note" => self.m_note,
            )?,
            notes,
        })
    }
}

/// The DiD bootstrap's bar.
fn bar() -> crate::progress::MethodBar {
    crate::progress::MethodBar::new(crate::progress::Unit::Steps)
}
