//! The analysis sections of the run config: `[metrics]`, `[compare]`,
//! `[index]`, `[privacy]`, `[report]`, `[render]` — their keys, defaults and
//! checks. Sources and paths are in the parent module.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::did::DidOptions;
use super::ConfigError;
use crate::contract::Level;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRender {
    pub(super) top_n: Option<usize>,
    pub(super) dashboard_units: Option<usize>,
    pub(super) lang: Option<String>,
    pub(super) size: Option<String>,
    pub(super) font: Option<String>,
    pub(super) boundaries: Option<OneOrMany>,
    pub(super) boundary_code: Option<String>,
    pub(super) boundary_name: Option<String>,
    pub(super) boundary_source: Option<String>,
    pub(super) boundary_crs: Option<String>,
    pub(super) boundary_max_mb: Option<f64>,
}

/// A path or a list of paths.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// The coordinates a boundary file holds (docs/maps.md): WGS-84 lon/lat
/// (GeoJSON's own, RFC 7946; CGCS2000, 天地图's, is the same to a few
/// centimetres) or GCJ-02, the offset lon/lat of Chinese web maps, which
/// govlens turns back into WGS-84 before projecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryCrs {
    Wgs84,
    Gcj02,
}

/// `[render] boundaries` and its keys: the files a choropleth is drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundaries {
    /// Each a GeoJSON FeatureCollection of one level (resolved paths).
    pub files: Vec<PathBuf>,
    /// The feature property holding the GB/T 2260 code.
    pub code: String,
    /// The feature property holding the region's name.
    pub name: String,
    /// Printed under every map: the boundaries' source and approval number.
    pub source: String,
    pub crs: BoundaryCrs,
    /// Files above this size are refused.
    pub max_bytes: u64,
}

/// The language of labels, charts and reports: `zh` (also `zh-CN`, `cn`;
/// the default) or `en` — `[render] lang`, a study file's `lang` and every
/// `--lang` flag, read by this one grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "zh" | "zh-CN" | "cn" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            _ => Err(format!("'{s}' is not zh or en")),
        }
    }
}

/// `[render]`: chart defaults (command-line flags override them).
#[derive(Debug, Clone, PartialEq)]
pub struct Render {
    /// Units shown at each end of the index ranking.
    pub top_n: usize,
    /// The most units a dashboard carries one by one (docs/dashboard.md):
    /// a run with more carries its districts' figures, and a district's
    /// dashboard its own units besides.
    pub dashboard_units: usize,
    pub lang: Lang,
    pub width: u32,
    pub height: u32,
    /// A font file instead of the bundled one (resolved against the config's folder).
    pub font: Option<PathBuf>,
    /// Boundaries for choropleths, when the user supplies them.
    pub boundaries: Option<Boundaries>,
}

/// Checks `[render]`'s boundary keys; `base` resolves the paths.
pub(super) fn check_boundaries(
    raw: &RawRender,
    base: &std::path::Path,
    key_err: &dyn Fn(&str, String) -> super::ConfigError,
) -> Result<Option<Boundaries>, super::ConfigError> {
    let Some(files) = &raw.boundaries else {
        for (k, set) in [
            ("boundary_code", raw.boundary_code.is_some()),
            ("boundary_name", raw.boundary_name.is_some()),
            ("boundary_source", raw.boundary_source.is_some()),
            ("boundary_crs", raw.boundary_crs.is_some()),
            ("boundary_max_mb", raw.boundary_max_mb.is_some()),
        ] {
            if set {
                return Err(key_err(
                    &format!("render.{k}"),
                    "is set but render.boundaries names no file".into(),
                ));
            }
        }
        return Ok(None);
    };
    let files: Vec<String> = match files {
        OneOrMany::One(f) => vec![f.clone()],
        OneOrMany::Many(v) => v.clone(),
    };
    if files.is_empty() {
        return Err(key_err("render.boundaries", "names no file".into()));
    }
    let source = raw.boundary_source.clone().unwrap_or_default();
    if source.trim().is_empty() {
        return Err(key_err(
            "render.boundary_source",
            "name the boundaries' source and approval number (审图号, e.g. \"天地图 GS(2024)0650号\"): it is printed under every map".into(),
        ));
    }
    let crs = match raw.boundary_crs.as_deref() {
        None | Some("wgs84") | Some("cgcs2000") => BoundaryCrs::Wgs84,
        Some("gcj02") => BoundaryCrs::Gcj02,
        Some(other) => {
            return Err(key_err(
                "render.boundary_crs",
                format!("'{other}' is not wgs84, cgcs2000 or gcj02"),
            ))
        }
    };
    let mb = raw.boundary_max_mb.unwrap_or(64.0);
    if !(mb > 0.0 && mb.is_finite()) {
        return Err(key_err(
            "render.boundary_max_mb",
            format!("{mb} must be above 0"),
        ));
    }
    Ok(Some(Boundaries {
        files: files.iter().map(|f| base.join(f)).collect(),
        code: raw.boundary_code.clone().unwrap_or_else(|| "adcode".into()),
        name: raw.boundary_name.clone().unwrap_or_else(|| "name".into()),
        source,
        crs,
        max_bytes: (mb * 1024.0 * 1024.0) as u64,
    }))
}

/// Parses `WIDTHxHEIGHT` within 200..8000 pixels.
pub fn parse_size(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.split_once('x')?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    ((200..=8000).contains(&w) && (200..=8000).contains(&h)).then_some((w, h))
}

/// `[privacy]` (contract §7): member-age cells below `min_count` are
/// suppressed in published outputs for units smaller than a district.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    #[serde(default = "default_min_count")]
    pub min_count: f64,
    /// What the run's `tables/` publish: `full` (the analyst's data: every
    /// unit's headcount and age shares, member_bands with its small cells
    /// hidden) or `suppressed` (the forwarding rule there too: a second cell
    /// of a row hidden with a lone small one, and a unit's age shares, mean
    /// age and ageing ratio of a role left empty where any of its cells is
    /// hidden).
    #[serde(default)]
    pub tables: TablesPrivacy,
}

/// `[privacy] tables`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TablesPrivacy {
    #[default]
    Full,
    Suppressed,
}

fn default_min_count() -> f64 {
    5.0
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            min_count: 5.0,
            tables: TablesPrivacy::Full,
        }
    }
}

/// `[report]`: alert thresholds of the district report.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Alert when a unit's cadre share_old is above this.
    #[serde(default = "default_old_above")]
    pub cadre_share_old_above: f64,
    /// Alert when a unit's resolution_rate is below this.
    #[serde(default = "default_resolution_below")]
    pub resolution_rate_below: f64,
    /// Alert when cadre share_old rose by this much more than peers' mean rise.
    #[serde(default = "default_ageing_margin")]
    pub ageing_margin: f64,
    /// 生成单位: who issues the district report (its subtitle, the DOCX
    /// author); default: the district's name.
    #[serde(default)]
    pub issuer: Option<String>,
    /// 报告日期, YYYY-MM-DD; default: SOURCE_DATE_EPOCH, else today (UTC).
    #[serde(default)]
    pub date: Option<String>,
}

fn default_old_above() -> f64 {
    0.6
}
fn default_resolution_below() -> f64 {
    0.75
}
fn default_ageing_margin() -> f64 {
    0.02
}

impl Report {
    /// The issuer is one line of text; the date a real YYYY-MM-DD.
    pub fn check(&self) -> Result<(), (String, String)> {
        if let Some(i) = &self.issuer {
            if i.trim().is_empty() || i.chars().any(char::is_control) || i.chars().count() > 60 {
                return Err((
                    "report.issuer".into(),
                    "must be one line of at most 60 characters".into(),
                ));
            }
        }
        if let Some(d) = &self.date {
            let ok = d.is_ascii()
                && d.len() == 10
                && d.as_bytes()[4] == b'-'
                && d.as_bytes()[7] == b'-'
                && matches!(
                    (
                        d[..4].parse::<u32>(),
                        d[5..7].parse::<u32>(),
                        d[8..].parse::<u32>()
                    ),
                    (Ok(_), Ok(1..=12), Ok(1..=31))
                );
            if !ok {
                return Err((
                    "report.date".into(),
                    format!("'{d}' is not a date YYYY-MM-DD"),
                ));
            }
        }
        Ok(())
    }
}

impl Default for Report {
    fn default() -> Self {
        Report {
            cadre_share_old_above: default_old_above(),
            resolution_rate_below: default_resolution_below(),
            ageing_margin: default_ageing_margin(),
            issuer: None,
            date: None,
        }
    }
}

/// Age-structure thresholds of contract §3.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    #[serde(default = "young_below")]
    pub young_below: u32,
    #[serde(default = "old_from")]
    pub old_from: u32,
}

fn young_below() -> u32 {
    30
}
fn old_from() -> u32 {
    45
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            young_below: 30,
            old_from: 45,
        }
    }
}

/// The metrics of contract §3, with the breakdowns each allows.
pub const METRICS: [&str; 11] = [
    "members",
    "share_young",
    "share_old",
    "aging_ratio",
    "mean_age",
    "disputes_per_10k",
    "resolution_rate",
    "escalation_rate",
    "visits_per_1k",
    "center_coverage",
    "satisfaction",
];

/// Whether `breakdown` is valid for `metric` (member-age metrics need a
/// role; visits_per_1k takes an optional centre type; others none).
pub fn valid_breakdown(metric: &str, breakdown: Option<&str>) -> bool {
    match metric {
        "members" | "share_young" | "share_old" | "aging_ratio" | "mean_age" => {
            matches!(breakdown, Some("member" | "cadre"))
        }
        "visits_per_1k" => {
            breakdown.is_none_or(|b| crate::contract::CENTER_TYPES.iter().any(|(id, _)| *id == b))
        }
        _ => breakdown.is_none(),
    }
}

/// `[compare]`: model statistics and adoption effects. Its keys are these
/// and the adoption effects' estimator's, R did's options
/// ([`DidOptions`], docs/did.md), read into `did` (config/section.rs);
/// `draws` there is also the model means' bootstrap.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    /// Groups below this many units are reported with a warning.
    #[serde(default = "default_min_group")]
    pub min_group: usize,
    /// Metrics whose adoption effect is estimated (`metric` or `metric:breakdown`).
    #[serde(default = "default_adoption")]
    pub adoption_metrics: Vec<String>,
    /// Models to compare (default: every model the units have).
    #[serde(default)]
    pub models: Vec<String>,
    /// How a period's Kruskal–Wallis tests (one a metric) are corrected
    /// for their number: `holm` (the default: the family-wise error rate,
    /// valid under any dependence between the metrics, as the Dunn pairs
    /// are corrected) or `bh` (Benjamini–Hochberg, the false discovery
    /// rate: more findings, a share of them false). R's `p.adjust`.
    #[serde(default)]
    pub p_adjust: PAdjust,
    /// Where the adoption effects' standard errors are clustered.
    #[serde(default)]
    pub cluster: ClusterLevel,
    /// `population`, `log_population`, a metric (its value in the cell's
    /// earlier year) or `first:<metric>` (its value in the panel's first year).
    #[serde(default)]
    pub covariates: Vec<String>,
    /// The adoption effects' estimator: the section's other keys.
    #[serde(skip)]
    pub did: DidOptions,
}

/// `[compare] p_adjust`: the correction across a period's tests (R's
/// `p.adjust` method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PAdjust {
    /// Holm's step-down: the family-wise error rate.
    #[default]
    Holm,
    /// Benjamini–Hochberg: the false discovery rate.
    Bh,
}

impl PAdjust {
    pub fn name(self) -> &'static str {
        match self {
            PAdjust::Holm => "holm",
            PAdjust::Bh => "bh",
        }
    }
}

/// Why a `[compare] covariates` entry is not one: `population`,
/// `log_population`, a metric, or `first:<metric>`.
pub fn check_covariate(name: &str) -> Result<(), String> {
    match name {
        "population" | "log_population" => Ok(()),
        _ => check_metric(name.strip_prefix("first:").unwrap_or(name))
            .map(|_| ())
            .map_err(|e| format!("{e}; or population, log_population, first:<metric>")),
    }
}

fn default_min_group() -> usize {
    5
}
fn default_adoption() -> Vec<String> {
    [
        "resolution_rate",
        "escalation_rate",
        "disputes_per_10k",
        "visits_per_1k",
        "center_coverage",
        "satisfaction",
        "share_young:cadre",
        "aging_ratio:cadre",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

impl Default for Compare {
    fn default() -> Self {
        Compare {
            min_group: default_min_group(),
            adoption_metrics: default_adoption(),
            models: Vec::new(),
            p_adjust: PAdjust::default(),
            cluster: ClusterLevel::default(),
            covariates: Vec::new(),
            did: DidOptions::default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIndex {
    normalisation: Option<String>,
    aggregation: Option<String>,
    draws: Option<usize>,
    uncertainty: Option<String>,
    indicators: Option<Vec<RawIndicator>>,
    #[serde(default)]
    pillars: BTreeMap<String, f64>,
    winmax: Option<usize>,
    imputation: Option<String>,
    group: Option<String>,
    weights: Option<String>,
    sensitivity: Option<crate::methods::index::spec::SensitivitySpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    metric: String,
    breakdown: Option<String>,
    pillar: String,
    direction: f64,
    #[serde(default = "one")]
    weight: f64,
}

fn one() -> f64 {
    1.0
}

/// One checked index indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexIndicator {
    pub metric: String,
    pub breakdown: Option<String>,
    pub pillar: String,
    pub direction: f64,
    pub weight: f64,
}

/// `[index]`: the governance effectiveness index of contract §5.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub normalisation: crate::methods::index::score::Normalisation,
    pub aggregation: crate::methods::index::score::Aggregation,
    pub draws: usize,
    /// Which periods get the Monte Carlo rank intervals.
    pub uncertainty: Uncertainty,
    pub indicators: Vec<IndexIndicator>,
    pub pillars: Vec<(String, f64)>,
    /// The index's data preparation (docs/index.md), every period:
    /// imputation (one of [`crate::methods::index::spec::IMPUTATIONS`]) …
    pub imputation: String,
    /// … within each unit's `model` or `district` for the group methods …
    pub group: IndexGroup,
    /// … then treatment with at most `winmax` winsorising steps (COINr's
    /// default 5; 0 = checked, not treated) …
    pub winmax: usize,
    /// … and the weights: `given` or `pca` (each pillar's first component).
    pub weights: String,
    /// The analysis of the index period's units (`govlens index`'s,
    /// docs/contract.md B.10a), with the sensitivity analysis when
    /// `[index.sensitivity]` is given.
    pub sensitivity: Option<crate::methods::index::spec::SensitivitySpec>,
}

/// `[index] group`: the group the group imputations fill within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexGroup {
    /// The unit's governance model.
    Model,
    /// The unit's county-level ancestor (itself at county level).
    District,
}

/// `[index] uncertainty`: the periods whose ranks get Monte Carlo intervals.
/// Each draw ranks every unit of a period, so the work is units × periods ×
/// draws: at national scale (620k communities × 10 years × 1,000 draws) about
/// an hour on 2 cores. `auto` does every period up to
/// [`Uncertainty::BUDGET`] unit-draws and only the latest period beyond it,
/// and says so in the run's notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uncertainty {
    Auto,
    All,
    Latest,
}

impl Uncertainty {
    pub const BUDGET: usize = 200_000_000;

    /// Whether every period gets intervals, for `units` units over `periods`.
    pub fn every_period(self, units: usize, periods: usize, draws: usize) -> bool {
        match self {
            Uncertainty::All => true,
            Uncertainty::Latest => false,
            Uncertainty::Auto => {
                units.saturating_mul(periods).saturating_mul(draws) <= Self::BUDGET
            }
        }
    }
}

/// The contract's default: three equal pillars, equal weights inside each.
fn default_indicators() -> Vec<IndexIndicator> {
    let i = |m: &str, b: Option<&str>, p: &str, d: f64| IndexIndicator {
        metric: m.into(),
        breakdown: b.map(Into::into),
        pillar: p.into(),
        direction: d,
        weight: 1.0,
    };
    vec![
        i("share_young", Some("cadre"), "organisation", 1.0),
        i("aging_ratio", Some("cadre"), "organisation", -1.0),
        i("resolution_rate", None, "conflict", 1.0),
        i("escalation_rate", None, "conflict", -1.0),
        i("visits_per_1k", None, "services", 1.0),
        i("center_coverage", None, "services", 1.0),
        i("satisfaction", None, "services", 1.0),
    ]
}

/// Checks a `metric` / `metric:breakdown` name against the contract.
pub fn check_metric(name: &str) -> Result<(String, Option<String>), String> {
    let (m, b) = match name.split_once(':') {
        Some((m, b)) => (m, Some(b)),
        None => (name, None),
    };
    if !METRICS.contains(&m) {
        return Err(format!(
            "'{m}' is not a metric (one of: {})",
            METRICS.join(", ")
        ));
    }
    if !valid_breakdown(m, b) {
        return Err(format!(
            "'{name}': {m} takes {}",
            match m {
                "visits_per_1k" => "no breakdown or a centre type (visits_per_1k:health)",
                "members" | "share_young" | "share_old" | "aging_ratio" | "mean_age" =>
                    "a role (e.g. share_young:cadre)",
                _ => "no breakdown",
            }
        ));
    }
    Ok((m.to_string(), b.map(str::to_string)))
}

pub(super) fn check_index(
    raw: RawIndex,
    key_err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Index, ConfigError> {
    use crate::methods::index::score::{Aggregation, Normalisation};
    let normalisation = match raw.normalisation.as_deref().unwrap_or("minmax") {
        "minmax" | "min-max" => Normalisation::MinMax,
        "zscore" | "z-score" => Normalisation::ZScore,
        "rank" => Normalisation::Rank,
        o => {
            return Err(key_err(
                "index.normalisation",
                format!("'{o}' is not minmax, zscore or rank"),
            ))
        }
    };
    let aggregation = match raw.aggregation.as_deref().unwrap_or("arithmetic") {
        "arithmetic" => Aggregation::Arithmetic,
        "geometric" => Aggregation::Geometric,
        o => {
            return Err(key_err(
                "index.aggregation",
                format!("'{o}' is not arithmetic or geometric"),
            ))
        }
    };
    let indicators = match raw.indicators {
        None => default_indicators(),
        Some(list) => {
            let mut out = Vec::new();
            for (k, i) in list.into_iter().enumerate() {
                let key = format!("index.indicators[{k}]");
                let name = match &i.breakdown {
                    Some(b) => format!("{}:{b}", i.metric),
                    None => i.metric.clone(),
                };
                check_metric(&name).map_err(|m| key_err(&format!("{key}.metric"), m))?;
                if !(i.weight > 0.0 && i.weight.is_finite()) {
                    return Err(key_err(
                        &format!("{key}.weight"),
                        format!("{} must be above 0", i.weight),
                    ));
                }
                if i.direction != 1.0 && i.direction != -1.0 {
                    return Err(key_err(
                        &format!("{key}.direction"),
                        format!("{} must be 1 or -1", i.direction),
                    ));
                }
                out.push(IndexIndicator {
                    metric: i.metric,
                    breakdown: i.breakdown,
                    pillar: i.pillar,
                    direction: i.direction,
                    weight: i.weight,
                });
            }
            if out.is_empty() {
                return Err(key_err("index.indicators", "names no indicator".into()));
            }
            out
        }
    };
    for (p, w) in &raw.pillars {
        if !(*w > 0.0 && w.is_finite()) {
            return Err(key_err(
                &format!("index.pillars.{p}"),
                format!("{w} must be above 0"),
            ));
        }
        if !indicators.iter().any(|i| &i.pillar == p) {
            return Err(key_err(
                &format!("index.pillars.{p}"),
                "no indicator is in this pillar".into(),
            ));
        }
    }
    let uncertainty = match raw.uncertainty.as_deref() {
        None | Some("auto") => Uncertainty::Auto,
        Some("all") => Uncertainty::All,
        Some("latest") => Uncertainty::Latest,
        Some(other) => {
            return Err(key_err(
                "index.uncertainty",
                format!("'{other}' is not one of auto, all, latest"),
            ))
        }
    };
    use crate::methods::index::spec::{not_one_of, IMPUTATIONS, WEIGHTS};
    let imputation = raw.imputation.unwrap_or_else(|| "none".into());
    if !IMPUTATIONS.contains(&imputation.as_str()) {
        return Err(key_err(
            "index.imputation",
            not_one_of(&imputation, IMPUTATIONS),
        ));
    }
    let group = match raw.group.as_deref() {
        None | Some("model") => IndexGroup::Model,
        Some("district") => IndexGroup::District,
        Some(other) => {
            return Err(key_err(
                "index.group",
                not_one_of(other, &["model", "district"]),
            ))
        }
    };
    let weights = raw.weights.unwrap_or_else(|| "given".into());
    if !WEIGHTS.contains(&weights.as_str()) {
        return Err(key_err("index.weights", not_one_of(&weights, WEIGHTS)));
    }
    if let Some(s) = &raw.sensitivity {
        for (k, f) in s.factors.iter().enumerate() {
            if !matches!(
                f.as_str(),
                "normalisation"
                    | "aggregation"
                    | "weights"
                    | "winmax"
                    | "imputation"
                    | "drop_indicator"
            ) {
                return Err(key_err(
                    &format!("index.sensitivity.factors[{k}]"),
                    format!("'{f}' is not normalisation, aggregation, weights, winmax, imputation or drop_indicator"),
                ));
            }
        }
    }
    Ok(Index {
        normalisation,
        aggregation,
        draws: raw.draws.unwrap_or(1000),
        uncertainty,
        indicators,
        pillars: raw.pillars.into_iter().collect(),
        winmax: raw.winmax.unwrap_or(5),
        imputation,
        group,
        weights,
        sensitivity: raw.sensitivity,
    })
}
/// `[compare] cluster`: where the adoption effects' standard errors are
/// clustered (R's `clustervars`). Adoption is assigned to whole streets or
/// counties, so units under one are not independent draws: clustering below
/// the level of assignment understates the standard errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum ClusterLevel {
    /// The coarsest level at which the region tree declares a unit's model
    /// or adoption year (the sample: the county, which declares the model;
    /// its streets declare the years).
    #[default]
    Auto,
    /// Each unit its own cluster (R's default, no `clustervars`).
    Unit,
    /// The units' ancestors at this level (R's `clustervars = "county"`).
    Level(Level),
}

impl TryFrom<String> for ClusterLevel {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "auto" => Ok(ClusterLevel::Auto),
            "unit" => Ok(ClusterLevel::Unit),
            other => Level::from_name(other)
                .map(ClusterLevel::Level)
                .ok_or_else(|| {
                    format!(
                        "'{other}' is not auto, unit, province, city, county, street or community"
                    )
                }),
        }
    }
}

impl ClusterLevel {
    pub fn name(self) -> &'static str {
        match self {
            ClusterLevel::Auto => "auto",
            ClusterLevel::Unit => "unit",
            ClusterLevel::Level(l) => l.name(),
        }
    }
}
