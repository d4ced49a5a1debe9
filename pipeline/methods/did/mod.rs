//! The effect of adopting a model (contract §6, docs/did.md): staggered
//! difference-in-differences after Callaway & Sant'Anna (2021) as R's `did`
//! (2.5) computes it — `att_gt()` and `aggte()` — on a long panel.
//!
//! - **Cells** ATT(g, t) for each cohort g (first treated in g) and year t,
//!   against the never-treated or the not-yet-treated (`Control`), with
//!   anticipation δ, a varying or universal base period, and covariates by
//!   outcome regression, inverse probability weighting or both (doubly
//!   robust, [`drdid`]); covariates are taken in the earlier of the cell's
//!   two years, as R's panel code takes them.
//! - **Aggregations** ([`aggte`]): simple, group, dynamic (event study) and
//!   calendar, with the influence of estimated cohort weights.
//! - **Inference** ([`inference`]): analytic standard errors from the
//!   influence functions, the multiplier bootstrap (Rademacher, IQR scale)
//!   seeded per draw so that results do not depend on the number of
//!   threads, uniform sup-t bands, and the Wald pre-test — by unit, or
//!   clustered when the observations name a cluster (R's `clustervars`:
//!   one multiplier a cluster, the influence functions summed within it).
//!
//! As R: a panel is balanced by default (units missing a year are dropped,
//! with a note); a cohort first treated after the last year + δ counts as
//! never treated; a cohort treated in the first year + δ or earlier has no
//! pre-period and is dropped; with not-yet-treated controls and no
//! never-treated units, years from the last cohort − δ on and the last
//! cohort itself have no controls. A cell that cannot be estimated (no
//! controls, no overlap, a singular regression) is reported with its reason
//! and left out of the aggregations — never a NaN. Checked against R on
//! `mpdta` (`tests/did_reference.rs`), seven configurations.

use std::collections::{BTreeMap, BTreeSet};

pub mod aggte;
mod drdid;
pub mod honest;
pub mod inference;
mod linalg;
pub mod options;

pub use aggte::Kind;
pub use inference::{PreTest, PreTrend};

use self::options::{BasePeriod, Control, DidOptions, Method, SeKind};
use inference::{Inf, ZERO_SE};

/// One unit's outcome in one year. `cohort` is the adoption year, `None` for
/// a never-treated unit; `x` the covariates' values that year; `cluster`
/// the cluster the unit's standard errors are clustered in (R's
/// `clustervars`: the same in every year of a unit), `None` for every
/// observation to cluster by unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Obs {
    pub unit: String,
    pub year: i32,
    pub cohort: Option<i32>,
    pub y: f64,
    pub x: Vec<f64>,
    pub cluster: Option<u32>,
}

/// An estimate with its standard error and confidence interval (att ± crit ·
/// se); `se` is `None` for a cell normalised to 0 (the universal base).
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub att: f64,
    pub se: Option<f64>,
    /// The analytic standard error, whichever `se` reports.
    pub se_analytic: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// ATT(g, t) with the units it used; `estimate` is `None` when the cell is
/// not estimable, `note` says why (or what was dropped from it).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub cohort: i32,
    pub year: i32,
    pub base: i32,
    pub estimate: Option<Estimate>,
    pub n_treated: usize,
    pub n_control: usize,
    pub note: Option<String>,
}

/// One aggregation value: `key` a cohort (group), event time (dynamic) or
/// year (calendar); `None` the overall value.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub kind: Kind,
    pub key: Option<i32>,
    pub estimate: Estimate,
    /// The critical value of its interval: the uniform band's over the keys
    /// of its kind, or the normal one.
    pub crit: f64,
}

/// A cohort that could not be estimated, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub cohort: i32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Did {
    pub cells: Vec<Cell>,
    /// The critical value of the cells' intervals (sup-t with `cband`).
    pub crit: f64,
    pub aggregates: Vec<Aggregate>,
    pub pretrend: Option<PreTrend>,
    pub n_units: usize,
    /// Units with an adoption cohort among those estimated.
    pub n_treated: usize,
    /// The clusters of the standard errors among the units estimated;
    /// `None` when clustered by unit.
    pub n_clusters: Option<usize>,
    /// The clusters holding the adopting units (`None`: by unit).
    pub n_treated_clusters: Option<usize>,
    /// Cohorts with fewer units than covariates + 5, which R's did warns
    /// about ("some small groups"): their cells' variance is estimated
    /// from a handful of units.
    pub small_cohorts: Vec<(i32, usize)>,
    /// Units dropped because they were not observed in every year (the
    /// balanced panel, R's default).
    pub dropped_unbalanced: usize,
    pub skipped: Vec<Skipped>,
    /// What was dropped or recoded, for the report.
    pub notes: Vec<String>,
    /// The covariance matrix V̂ of the event study's estimates, in the order
    /// of [`Did::keyed`]`(Kind::Dynamic)`: V̂ = Ψᵀ Ψ / n², Ψ the estimates'
    /// influence functions over the units (clustered: over the clusters'
    /// sums), n the units — the matrix HonestDiD's `honest_did` builds from R
    /// did's `inf.function$dynamic.inf.func.e`. Its diagonal is the squared
    /// analytic standard errors, whichever `se` the run reports.
    pub event_vcov: Vec<Vec<f64>>,
}

impl Did {
    /// The aggregate of `kind` at `key`.
    pub fn get(&self, kind: Kind, key: Option<i32>) -> Option<&Estimate> {
        self.aggregates
            .iter()
            .find(|a| a.kind == kind && a.key == key)
            .map(|a| &a.estimate)
    }

    /// The keyed values of `kind`, in order.
    pub fn keyed(&self, kind: Kind) -> Vec<(i32, &Aggregate)> {
        self.aggregates
            .iter()
            .filter(|a| a.kind == kind)
            .filter_map(|a| a.key.map(|k| (k, a)))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DidError {
    #[error("no never-treated units: there is no comparison group (use not-yet-treated controls: control = \"notyet\")")]
    NoControls,
    #[error("no never-treated and no not-yet-treated units: there is no comparison group")]
    NoComparison,
    #[error("no adopting cohort can be estimated ({0})")]
    NoCells(String),
    #[error("unit {unit} is observed twice in {year}")]
    Duplicate { unit: String, year: i32 },
    #[error("unit {unit} has cohort {first:?} in one year and {second:?} in another")]
    Cohort {
        unit: String,
        first: Option<i32>,
        second: Option<i32>,
    },
    #[error("unit {unit}, year {year}: covariate {covariate} is missing")]
    Covariate {
        unit: String,
        year: i32,
        covariate: String,
    },
    #[error("unit {unit} is in cluster {first:?} in one year and {second:?} in another: a cluster must not vary within a unit (R: \"Time-varying cluster variables are not supported\")")]
    ClusterVaries {
        unit: String,
        first: Option<u32>,
        second: Option<u32>,
    },
    #[error("the {0} unit(s) estimated are all in one cluster: clustered standard errors need two or more clusters")]
    OneCluster(usize),
}

/// Clustered, an event time enters the pre-test only when its cohorts'
/// units lie in this many clusters or more: with one treated cluster the
/// cluster-robust variance leaves out the treated side altogether (its ψ
/// sum to zero within the cluster) and the test would reject on noise.
pub const MIN_TREATED_CLUSTERS: usize = 2;

/// A unit as the estimator holds it: cohort, cluster and, per year, (y, x).
struct Unit<'a> {
    cohort: Option<i32>,
    cluster: Option<u32>,
    by_year: BTreeMap<i32, (f64, &'a [f64])>,
}

/// Estimates every ATT(g, t), the aggregations and the pre-test.
/// `covariates` names the columns of each observation's `x`.
pub fn estimate(obs: &[Obs], covariates: &[String], opts: &DidOptions) -> Result<Did, DidError> {
    estimate_with(obs, covariates, opts, &crate::methods::Silent)
}

/// [`estimate`], reporting the bootstrap's progress to `progress`.
pub fn estimate_with(
    obs: &[Obs],
    covariates: &[String],
    opts: &DidOptions,
    progress: &dyn crate::methods::Progress,
) -> Result<Did, DidError> {
    let mut notes = Vec::new();
    let (mut units, years) = panel(obs, covariates)?;
    let mut years: Vec<i32> = years.into_iter().collect();
    if years.len() < 2 {
        return Err(DidError::NoCells("fewer than two years".into()));
    }
    let mut dropped_unbalanced = 0;
    if !opts.unbalanced {
        let before = units.len();
        units.retain(|(_, u)| u.by_year.len() == years.len());
        dropped_unbalanced = before - units.len();
        if dropped_unbalanced > 0 {
            notes.push(format!(
                "{dropped_unbalanced} unit(s) not observed in every year dropped (a balanced panel, as R's default; unbalanced = true keeps them)"
            ));
        }
    }
    let (first, last) = (years[0], years[years.len() - 1]);
    let delta = opts.anticipation;
    // Cohorts after the panel (beyond anticipation) are never treated in it;
    // cohorts without a pre-period are dropped.
    let mut late = 0;
    let mut early: BTreeMap<i32, usize> = BTreeMap::new();
    units.retain_mut(|(_, u)| {
        if let Some(g) = u.cohort {
            if g - delta > last {
                u.cohort = None;
                late += 1;
            } else if g <= first + delta {
                *early.entry(g).or_default() += 1;
                return false;
            }
        }
        true
    });
    if late > 0 {
        notes.push(format!(
            "{late} unit(s) first treated after {last} counted as never treated"
        ));
    }
    let mut skipped: Vec<Skipped> = early
        .iter()
        .map(|(g, k)| Skipped {
            cohort: *g,
            reason: format!(
                "adopted in {g} ({k} unit(s)), not after the first observed year {first}{}: no pre-adoption period",
                if delta > 0 { format!(" + anticipation {delta}") } else { String::new() }
            ),
        })
        .collect();
    let has_never = units.iter().any(|(_, u)| u.cohort.is_none());
    let mut cohorts: BTreeSet<i32> = units.iter().filter_map(|(_, u)| u.cohort).collect();
    match opts.control {
        Control::Never if !has_never => return Err(DidError::NoControls),
        Control::NotYet if !has_never => {
            // As R: the last cohort and the years from it − δ on have no controls.
            let Some(&gmax) = cohorts.iter().next_back() else {
                return Err(DidError::NoComparison);
            };
            years.retain(|t| *t < gmax - delta);
            cohorts.remove(&gmax);
            skipped.push(Skipped {
                cohort: gmax,
                reason: format!("the last cohort: with no never-treated units it has no not-yet-treated controls (years from {} on dropped)", gmax - delta),
            });
            if years.len() < 2 {
                return Err(DidError::NoComparison);
            }
        }
        _ => {}
    }
    let n = units.len();
    let unit_list: Vec<&Unit> = units.iter().map(|(_, u)| u).collect();
    let unit_g: Vec<Option<i32>> = unit_list.iter().map(|u| u.cohort).collect();
    let clusters = clusters_of(&unit_list, &units)?;
    let small_cohorts = small_cohorts(&unit_g, &cohorts, covariates.len(), &mut notes);

    // The cells.
    let cells = gt_cells(&unit_list, &cohorts, &years, covariates, opts, &mut skipped);
    let estimable: Vec<usize> = (0..cells.len()).filter(|&k| cells[k].1.is_some()).collect();
    if estimable.is_empty() {
        let why: Vec<String> = skipped
            .iter()
            .map(|s| s.reason.clone())
            .chain(cells.iter().filter_map(|c| c.0.note.clone()))
            .collect();
        return Err(DidError::NoCells(if why.is_empty() {
            "no adopting cohort".into()
        } else {
            why.join("; ")
        }));
    }
    let not_estimable = cells.len() - estimable.len();
    if not_estimable > 0 {
        notes.push(format!(
            "{not_estimable} ATT(g,t) cell(s) not estimable, left out of the aggregations"
        ));
    }

    // Aggregations over the estimable cells.
    let gt: Vec<aggte::GtCell> = estimable
        .iter()
        .map(|&k| aggte::GtCell {
            cohort: cells[k].0.cohort,
            year: cells[k].0.year,
            inf: cells[k].1.as_ref().expect("estimable"),
        })
        .collect();
    let aggs = aggte::aggregate(&gt, &unit_g, &years, opts);

    let Inferred {
        cells: out_cells,
        crit: cell_crit,
        aggregates,
        pretrend,
        event_vcov,
    } = infer(
        &gt,
        &aggs,
        &cells,
        clusters.as_ref(),
        &unit_g,
        opts,
        progress,
    );
    Ok(Did {
        cells: out_cells,
        crit: cell_crit,
        aggregates,
        pretrend,
        n_units: n,
        n_treated: unit_g.iter().filter(|g| g.is_some()).count(),
        n_clusters: clusters.as_ref().map(|c| c.1),
        n_treated_clusters: clusters.as_ref().map(|(of_unit, _)| {
            unit_g
                .iter()
                .zip(of_unit)
                .filter(|(g, _)| g.is_some())
                .map(|(_, c)| *c)
                .collect::<BTreeSet<_>>()
                .len()
        }),
        small_cohorts,
        dropped_unbalanced,
        skipped,
        notes,
        event_vcov,
    })
}

/// The panel's units in code order, each with its cohort, cluster and
/// observations by year, and the years observed. Observations sorted by
/// unit (as the run passes its panel) are grouped as they come; others
/// through a map from code to place, then sorted: the same units in the
/// same order without a text lookup per observation when they are sorted.
type Panel<'o> = (Vec<(&'o str, Unit<'o>)>, BTreeSet<i32>);

fn panel<'o>(obs: &'o [Obs], covariates: &[String]) -> Result<Panel<'o>, DidError> {
    let sorted = obs.windows(2).all(|w| w[0].unit <= w[1].unit);
    let mut units: Vec<(&str, Unit)> = Vec::new();
    let mut place: BTreeMap<&str, usize> = BTreeMap::new();
    let mut years: BTreeSet<i32> = BTreeSet::new();
    for o in obs {
        if let Some(j) = o.x.iter().position(|v| !v.is_finite()) {
            return Err(DidError::Covariate {
                unit: o.unit.clone(),
                year: o.year,
                covariate: covariates.get(j).cloned().unwrap_or_default(),
            });
        }
        let code = o.unit.as_str();
        let at = match units.last() {
            Some((last, _)) if sorted && *last == code => units.len() - 1,
            _ if sorted => units.len(),
            _ => *place.entry(code).or_insert(units.len()),
        };
        if at == units.len() {
            units.push((
                code,
                Unit {
                    cohort: o.cohort,
                    cluster: o.cluster,
                    by_year: BTreeMap::new(),
                },
            ));
        }
        let u = &mut units[at].1;
        if u.cohort != o.cohort {
            return Err(DidError::Cohort {
                unit: o.unit.clone(),
                first: u.cohort,
                second: o.cohort,
            });
        }
        if u.cluster != o.cluster {
            return Err(DidError::ClusterVaries {
                unit: o.unit.clone(),
                first: u.cluster,
                second: o.cluster,
            });
        }
        if u.by_year.insert(o.year, (o.y, &o.x)).is_some() {
            return Err(DidError::Duplicate {
                unit: o.unit.clone(),
                year: o.year,
            });
        }
        years.insert(o.year);
    }
    if !sorted {
        units.sort_unstable_by(|a, b| a.0.cmp(b.0));
    }
    Ok((units, years))
}

/// ATT(g, t) of every cohort and year the base period allows, each with its
/// influence function (`None`: not estimable, with the cell's note); a
/// cohort with no year before it is `skipped`.
fn gt_cells(
    unit_list: &[&Unit],
    cohorts: &BTreeSet<i32>,
    years: &[i32],
    covariates: &[String],
    opts: &DidOptions,
    skipped: &mut Vec<Skipped>,
) -> Vec<(Cell, Option<Inf>)> {
    let (n, delta) = (unit_list.len(), opts.anticipation);
    let mut cells: Vec<(Cell, Option<Inf>)> = Vec::new();
    let start = if opts.base_period == BasePeriod::Varying {
        1
    } else {
        0
    };
    for &g in cohorts {
        let Some(pre) = years.iter().rev().find(|t| **t + delta < g).copied() else {
            skipped.push(Skipped {
                cohort: g,
                reason: format!("no year before {g} − anticipation {delta}"),
            });
            continue;
        };
        for ti in start..years.len() {
            let t = years[ti];
            let post = g <= t;
            let base = match (post, opts.base_period) {
                (true, _) | (false, BasePeriod::Universal) => pre,
                (false, BasePeriod::Varying) => years[ti - 1],
            };
            if base == t {
                // The universal base period's own cell: 0 by construction.
                cells.push((
                    Cell {
                        cohort: g,
                        year: t,
                        base,
                        estimate: None,
                        n_treated: 0,
                        n_control: 0,
                        note: None,
                    },
                    Some(Inf {
                        att: 0.0,
                        psi: vec![0.0; n],
                    }),
                ));
                continue;
            }
            cells.push(cell(unit_list, g, t, base, covariates, opts));
        }
    }
    cells
}

/// The estimates with their standard errors, intervals and pre-test.
struct Inferred {
    cells: Vec<Cell>,
    crit: f64,
    aggregates: Vec<Aggregate>,
    pretrend: Option<PreTrend>,
    event_vcov: Vec<Vec<f64>>,
}

/// Inference: every estimate from the same draws, over the units or,
/// clustered (`clusters`: each unit's cluster and their number), over the
/// clusters' sums; the cells' uniform band, each aggregation's, and the
/// pre-test.
fn infer(
    gt: &[aggte::GtCell],
    aggs: &[aggte::Agg],
    cells: &[(Cell, Option<Inf>)],
    clusters: Option<&(Vec<u32>, usize)>,
    unit_g: &[Option<i32>],
    opts: &DidOptions,
    progress: &dyn crate::methods::Progress,
) -> Inferred {
    let (n, delta) = (unit_g.len(), opts.anticipation);
    let mut all: Vec<&Inf> = gt.iter().map(|c| c.inf).collect();
    all.extend(aggs.iter().map(|a| &a.inf));
    let summed: Vec<Inf> = match &clusters {
        Some((of_unit, g)) => all
            .iter()
            .map(|i| inference::cluster_sums(i, of_unit, *g))
            .collect(),
        None => Vec::new(),
    };
    if clusters.is_some() {
        all = summed.iter().collect();
    }
    let k = all.len();
    let analytic: Vec<f64> = all.iter().map(|i| inference::analytic_se(i, n)).collect();
    let stars = (opts.se == SeKind::Bootstrap && opts.draws > 0)
        .then(|| inference::draws(&all, n, opts.draws, opts.seed, progress));
    let se: Vec<f64> = match &stars {
        Some(s) => (0..k).map(|j| inference::bootstrap_se(s, k, j)).collect(),
        None => analytic.clone(),
    };
    let z = inference::z(opts.alpha);
    let crit_of = |family: &[usize]| -> f64 {
        match (&stars, opts.cband) {
            (Some(s), true) => {
                let fam: Vec<(usize, f64)> = family.iter().map(|&j| (j, se[j])).collect();
                inference::sup_t(s, k, &fam, opts.alpha).unwrap_or(z)
            }
            _ => z,
        }
    };
    let est = |j: usize, crit: f64| -> Estimate {
        let (att, s, a) = (all[j].att, se[j], analytic[j]);
        let zero = a <= ZERO_SE;
        Estimate {
            att,
            se: (!zero).then_some(s),
            se_analytic: (!zero).then_some(a),
            ci_low: (!zero).then_some(att - crit * s),
            ci_high: (!zero).then_some(att + crit * s),
        }
    };
    let cell_crit = crit_of(&(0..gt.len()).collect::<Vec<_>>());
    let mut out_cells = Vec::with_capacity(cells.len());
    let mut j = 0;
    for (c, inf) in cells {
        let mut c = c.clone();
        if inf.is_some() {
            c.estimate = Some(est(j, cell_crit));
            j += 1;
        }
        out_cells.push(c);
    }
    let mut aggregates = Vec::with_capacity(aggs.len());
    for kind in [Kind::Simple, Kind::Group, Kind::Dynamic, Kind::Calendar] {
        let family: Vec<usize> = (0..aggs.len())
            .filter(|&a| aggs[a].kind == kind && aggs[a].key.is_some())
            .map(|a| gt.len() + a)
            .collect();
        let crit = crit_of(&family);
        for (a, agg) in aggs.iter().enumerate().filter(|(_, a)| a.kind == kind) {
            // Overall values take the normal critical value, as R.
            let c = if agg.key.is_some() { crit } else { z };
            aggregates.push(Aggregate {
                kind,
                key: agg.key,
                estimate: est(gt.len() + a, c),
                crit: c,
            });
        }
    }
    // The pre-test: R's Wald test over the pre-period cells (t < g − δ), or,
    // clustered and bootstrapped, the sup-t test over the event study's
    // pre-adoption estimates (e < −δ) whose cohorts span two or more
    // clusters — a uniform band over those event times alone (R reports
    // no test then; see inference::sup_t_pre_test).
    let pretrend = match (&stars, &clusters) {
        (Some(s), Some((of_unit, _))) => {
            let mut of_cohort: BTreeMap<i32, BTreeSet<u32>> = BTreeMap::new();
            for (g, c) in unit_g.iter().zip(of_unit) {
                if let Some(g) = g {
                    of_cohort.entry(*g).or_default().insert(*c);
                }
            }
            let treated_clusters = |cohorts: &[i32]| {
                cohorts
                    .iter()
                    .filter_map(|g| of_cohort.get(g))
                    .flatten()
                    .collect::<BTreeSet<_>>()
                    .len()
            };
            let fam: Vec<(usize, f64)> = (0..aggs.len())
                .filter(|&a| aggs[a].kind == Kind::Dynamic)
                .filter(|&a| aggs[a].key.is_some_and(|e| e < -delta))
                .filter(|&a| treated_clusters(&aggs[a].cohorts) >= MIN_TREATED_CLUSTERS)
                .map(|a| (gt.len() + a, se[gt.len() + a]))
                .collect();
            let att: Vec<f64> = all.iter().map(|i| i.att).collect();
            inference::sup_t_pre_test(s, k, &fam, &att)
        }
        _ => {
            let pre: Vec<&Inf> = (0..gt.len())
                .filter(|&j| gt[j].year < gt[j].cohort - delta)
                .map(|j| all[j])
                .collect();
            inference::pre_test(&pre, n)
        }
    };
    // The event study's covariance, over the rows the SEs sum over.
    let dynamic: Vec<&Inf> = (0..aggs.len())
        .filter(|&a| aggs[a].kind == Kind::Dynamic && aggs[a].key.is_some())
        .map(|a| all[gt.len() + a])
        .collect();
    let event_vcov = inference::vcov(&dynamic, n);
    Inferred {
        cells: out_cells,
        crit: cell_crit,
        aggregates,
        pretrend,
        event_vcov,
    }
}

/// Cohorts of fewer than (covariates + 5) units, as R's did warns ("Be
/// aware that there are some small groups in your dataset"), with a note.
fn small_cohorts(
    unit_g: &[Option<i32>],
    cohorts: &BTreeSet<i32>,
    n_covariates: usize,
    notes: &mut Vec<String>,
) -> Vec<(i32, usize)> {
    let mut cohort_sizes: BTreeMap<i32, usize> = BTreeMap::new();
    for g in unit_g.iter().flatten() {
        *cohort_sizes.entry(*g).or_default() += 1;
    }
    let small: Vec<(i32, usize)> = cohort_sizes
        .into_iter()
        .filter(|(g, k)| cohorts.contains(g) && *k < n_covariates + 5)
        .collect();
    if !small.is_empty() {
        notes.push(format!(
            "small cohorts (fewer than {} units, as R's did warns): {}",
            n_covariates + 5,
            small
                .iter()
                .map(|(g, k)| format!("{g} ({k})"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    small
}

/// Each estimated unit's cluster as 0..G in the order of the clusters'
/// ids, and G; `None` when the units are their own clusters. Every unit
/// must name one when any does, and there must be two or more.
fn clusters_of(
    units: &[&Unit],
    named: &[(&str, Unit)],
) -> Result<Option<(Vec<u32>, usize)>, DidError> {
    if units.iter().all(|u| u.cluster.is_none()) {
        return Ok(None);
    }
    if let Some(i) = units.iter().position(|u| u.cluster.is_none()) {
        let other = units.iter().find_map(|u| u.cluster);
        return Err(DidError::ClusterVaries {
            unit: named[i].0.to_string(),
            first: None,
            second: other,
        });
    }
    let ids: BTreeSet<u32> = units.iter().filter_map(|u| u.cluster).collect();
    if ids.len() < 2 {
        return Err(DidError::OneCluster(units.len()));
    }
    let dense: BTreeMap<u32, u32> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| (*id, k as u32))
        .collect();
    let of_unit = units
        .iter()
        .map(|u| dense[&u.cluster.expect("checked")])
        .collect();
    Ok(Some((of_unit, ids.len())))
}

/// One ATT(g, t) against its base year, or why it is not estimable.
fn cell(
    units: &[&Unit],
    g: i32,
    t: i32,
    base: i32,
    covariates: &[String],
    opts: &DidOptions,
) -> (Cell, Option<Inf>) {
    let n = units.len();
    let latest = t.max(base) + opts.anticipation;
    let is_control = |c: Option<i32>| match (c, opts.control) {
        (None, _) => true,
        (Some(h), Control::NotYet) => h != g && h > latest,
        (Some(_), Control::Never) => false,
    };
    // Units observed in both years, in the cohort or its controls; the
    // covariates of the earlier year, as R's panel code takes them.
    let early = t.min(base);
    let mut idx = Vec::new();
    let (mut dy, mut treated, mut xs) = (Vec::new(), Vec::new(), Vec::new());
    for (i, u) in units.iter().enumerate() {
        let d = u.cohort == Some(g);
        if !d && !is_control(u.cohort) {
            continue;
        }
        let (Some((yt, _)), Some((yb, _))) = (u.by_year.get(&t), u.by_year.get(&base)) else {
            continue;
        };
        let x = u.by_year[&early].1;
        idx.push(i);
        dy.push(yt - yb);
        treated.push(d);
        xs.push(x);
    }
    let nt = treated.iter().filter(|d| **d).count();
    let nc = treated.len() - nt;
    let mut c = Cell {
        cohort: g,
        year: t,
        base,
        estimate: None,
        n_treated: nt,
        n_control: nc,
        note: None,
    };
    if nt == 0 || nc == 0 {
        c.note = Some(format!(
            "no {} observed in {t} and {base}",
            if nt == 0 {
                "units of the cohort"
            } else {
                "comparison units"
            }
        ));
        return (c, None);
    }
    // The covariates this cell can identify: each kept if, with those kept
    // before it, the design stays of full rank on the units that fit it.
    let mut keep: Vec<usize> = Vec::new();
    let mut dropped: Vec<&str> = Vec::new();
    let fit_rows: Vec<usize> = match opts.method {
        Method::Ipw => (0..treated.len()).collect(),
        _ => (0..treated.len()).filter(|&r| !treated[r]).collect(),
    };
    for (j, name) in covariates.iter().enumerate() {
        let mut trial = keep.clone();
        trial.push(j);
        let rows: Vec<Vec<f64>> = fit_rows
            .iter()
            .map(|&r| {
                std::iter::once(1.0)
                    .chain(trial.iter().map(|&q| xs[r][q]))
                    .collect()
            })
            .collect();
        if rows.len() > trial.len() && linalg::cholesky(&linalg::gram(&rows, |_| 1.0)).is_some() {
            keep = trial;
        } else {
            dropped.push(name);
        }
    }
    let x: Vec<Vec<f64>> = xs
        .iter()
        .map(|r| {
            std::iter::once(1.0)
                .chain(keep.iter().map(|&q| r[q]))
                .collect()
        })
        .collect();
    if !dropped.is_empty() {
        c.note = Some(format!(
            "covariate(s) {} dropped: constant or collinear among these units",
            dropped.join(", ")
        ));
    }
    match drdid::estimate(
        opts.method,
        &drdid::Cell {
            dy: &dy,
            treated: &treated,
            x: &x,
        },
    ) {
        Ok(e) => {
            let scale = n as f64 / idx.len() as f64;
            let mut psi = vec![0.0; n];
            for (&i, v) in idx.iter().zip(&e.inf) {
                psi[i] = scale * v;
            }
            (c, Some(Inf { att: e.att, psi }))
        }
        Err(why) => {
            c.note = Some(match c.note.take() {
                Some(d) => format!("{why}; {d}"),
                None => why,
            });
            (c, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(u: &str, year: i32, cohort: Option<i32>, y: f64) -> Obs {
        Obs {
            unit: u.into(),
            year,
            cohort,
            y,
            x: vec![],
            cluster: None,
        }
    }

    /// Two units, two years, hand-computed: ATT = (5 − 1) − (2 − 1) = 3.
    #[test]
    fn two_by_two_by_hand() {
        let obs = vec![
            o("a", 2020, Some(2021), 1.0),
            o("a", 2021, Some(2021), 5.0),
            o("b", 2020, None, 1.0),
            o("b", 2021, None, 2.0),
        ];
        let d = estimate(&obs, &[], &DidOptions::default()).unwrap();
        assert_eq!(d.cells.len(), 1);
        assert_eq!(d.cells[0].estimate.as_ref().unwrap().att, 3.0);
        assert_eq!(d.get(Kind::Simple, None).unwrap().att, 3.0);
    }

    #[test]
    fn without_never_treated_units_there_is_no_comparison() {
        let obs = vec![o("a", 2020, Some(2021), 1.0), o("a", 2021, Some(2021), 2.0)];
        assert_eq!(
            estimate(&obs, &[], &DidOptions::default()),
            Err(DidError::NoControls)
        );
    }

    #[test]
    fn a_unit_twice_in_a_year_is_named() {
        let obs = vec![o("a", 2020, None, 1.0), o("a", 2020, None, 2.0)];
        assert_eq!(
            estimate(&obs, &[], &DidOptions::default()),
            Err(DidError::Duplicate {
                unit: "a".into(),
                year: 2020
            })
        );
    }

    /// Guards the sorted-panel path: observations in any order give the
    /// estimate the code-sorted panel gives, bit for bit (units in code
    /// order either way), and an out-of-order cohort clash is still named.
    #[test]
    fn observations_in_any_order_give_the_sorted_panels_estimate() {
        let mut obs = Vec::new();
        for u in 0..40 {
            let cohort = [None, Some(2022), Some(2023), None][u % 4];
            for year in 2020..2024 {
                let y = ((u * 31 + year as usize * 7) % 17) as f64 / 3.0
                    + if cohort.is_some_and(|g| year >= g) {
                        1.5
                    } else {
                        0.0
                    };
                obs.push(o(&format!("u{u:02}"), year, cohort, y));
            }
        }
        let opts = DidOptions {
            draws: 99,
            ..DidOptions::default()
        };
        let sorted = estimate(&obs, &[], &opts).unwrap();
        let mut shuffled = obs.clone();
        shuffled.reverse();
        shuffled.rotate_left(37);
        let other = estimate(&shuffled, &[], &opts).unwrap();
        assert_eq!(format!("{sorted:?}"), format!("{other:?}"));
        assert_eq!(sorted.n_units, 40);

        shuffled.push(o("u05", 2030, Some(2021), 0.0));
        assert!(matches!(
            estimate(&shuffled, &[], &opts),
            Err(DidError::Cohort { unit, .. }) if unit == "u05"
        ));
    }
}
