//! The run config (contract §8): one TOML file, every path relative to the
//! file's folder, unknown keys an error that names them.
//!
//! Parsing (`RawConfig`, serde) is kept apart from the checked `Config` the
//! stages receive: the checks that serde cannot express (a `columns` entry that
//! names no canonical column, a tolerance below zero) happen once, here, with
//! the offending key in the message.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::contract::{Level, Table, MEMBER_PERSONS};

/// The embedded default config: `configs/sample.toml` as it was built.
pub const EMBEDDED_SAMPLE: &str = include_str!("../configs/sample.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config {path}: key {key}: {message}")]
    Key {
        path: PathBuf,
        key: String,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    run: RawRun,
    #[serde(default)]
    sources: BTreeMap<String, RawSource>,
    #[serde(default)]
    metrics: Metrics,
    #[serde(default)]
    compare: Compare,
    #[serde(default)]
    index: RawIndex,
    #[serde(default)]
    privacy: Privacy,
    #[serde(default)]
    report: Report,
    #[serde(default)]
    render: RawRender,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRender {
    top_n: Option<usize>,
    lang: Option<String>,
    size: Option<String>,
    font: Option<String>,
}

/// `[render]`: chart defaults (command-line flags override them).
#[derive(Debug, Clone, PartialEq)]
pub struct Render {
    /// Units shown at each end of the index ranking.
    pub top_n: usize,
    pub lang: String,
    pub width: u32,
    pub height: u32,
    /// A font file instead of the bundled one (resolved against the config's folder).
    pub font: Option<PathBuf>,
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
}

fn default_min_count() -> f64 {
    5.0
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy { min_count: 5.0 }
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

impl Default for Report {
    fn default() -> Self {
        Report {
            cadre_share_old_above: default_old_above(),
            resolution_rate_below: default_resolution_below(),
            ageing_margin: default_ageing_margin(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRun {
    warehouse: String,
    output: String,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default = "default_level")]
    analysis_level: String,
    #[serde(default = "default_period")]
    period: String,
    /// The GB/T 2260 list that county-and-above codes are checked against.
    reference_codes: Option<String>,
}

fn default_seed() -> u64 {
    20261122
}
fn default_level() -> String {
    "community".into()
}
fn default_period() -> String {
    "year".into()
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    path: OneOrMany,
    #[serde(default)]
    encoding: Option<String>,
    sheet: Option<String>,
    scale: Option<f64>,
    share_tolerance: Option<f64>,
    total_tolerance: Option<f64>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    layout: Option<String>,
    band_columns: Option<Vec<String>>,
    person_bands: Option<Vec<String>>,
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

/// `[compare]`: model statistics and adoption effects.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    /// Bootstrap draws for model means and DiD standard errors.
    #[serde(default = "default_draws")]
    pub draws: usize,
    /// Groups below this many units are reported with a warning.
    #[serde(default = "default_min_group")]
    pub min_group: usize,
    /// Metrics whose adoption effect is estimated (`metric` or `metric:breakdown`).
    #[serde(default = "default_adoption")]
    pub adoption_metrics: Vec<String>,
    /// Models to compare (default: every model the units have).
    #[serde(default)]
    pub models: Vec<String>,
}

fn default_draws() -> usize {
    999
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
            draws: default_draws(),
            min_group: default_min_group(),
            adoption_metrics: default_adoption(),
            models: Vec::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    normalisation: Option<String>,
    aggregation: Option<String>,
    draws: Option<usize>,
    indicators: Option<Vec<RawIndicator>>,
    #[serde(default)]
    pillars: BTreeMap<String, f64>,
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
    pub normalisation: crate::compare::index::Normalisation,
    pub aggregation: crate::compare::index::Aggregation,
    pub draws: usize,
    pub indicators: Vec<IndexIndicator>,
    pub pillars: Vec<(String, f64)>,
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

fn check_index(
    raw: RawIndex,
    key_err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Index, ConfigError> {
    use crate::compare::index::{Aggregation, Normalisation};
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
    Ok(Index {
        normalisation,
        aggregation,
        draws: raw.draws.unwrap_or(1000),
        indicators,
        pillars: raw.pillars.into_iter().collect(),
    })
}

/// Declared encoding of a CSV source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Strict UTF-8 first, then GB18030 (a superset of GBK).
    Auto,
    Utf8,
    Gb18030,
}

/// How a member_ages source lays out its bands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One row per band (the canonical form).
    Long,
    /// One row per person with `birth_year` or `age`, binned into `person_bands`.
    Persons,
    /// One column per band; `band_columns` names them (default: every header
    /// that parses as a band).
    Wide,
}

/// One checked source block.
#[derive(Debug, Clone)]
pub struct Source {
    pub table: Table,
    /// Paths and globs, already resolved against the config's folder.
    pub patterns: Vec<PathBuf>,
    pub encoding: Encoding,
    pub sheet: Option<String>,
    pub scale: f64,
    pub share_tolerance: f64,
    pub total_tolerance: f64,
    /// Source header → canonical column name.
    pub columns: BTreeMap<String, String>,
    pub layout: Layout,
    pub band_columns: Option<Vec<String>>,
    pub person_bands: Vec<String>,
}

/// A checked run config.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file, or `<embedded sample>`.
    pub path: PathBuf,
    /// The folder every relative path is resolved against.
    pub base: PathBuf,
    /// The config text, hashed into the run id.
    pub text: String,
    pub warehouse: PathBuf,
    pub output: PathBuf,
    pub seed: u64,
    pub analysis_level: Level,
    pub period: String,
    pub reference_codes: Option<PathBuf>,
    pub sources: Vec<Source>,
    pub metrics: Metrics,
    pub compare: Compare,
    pub index: Index,
    pub privacy: Privacy,
    pub report: Report,
    pub render: Render,
}

/// Default bands for person records: the contract's young/old bounds.
pub const DEFAULT_PERSON_BANDS: [&str; 4] = ["<30", "30-44", "45-59", "60+"];

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Config::from_str(&text, path, &base)
    }

    /// The embedded sample config, its paths resolved against `base` (the
    /// project's `configs/` folder when the binary runs from a checkout).
    pub fn embedded(base: &Path) -> Result<Config, ConfigError> {
        Config::from_str(
            EMBEDDED_SAMPLE,
            Path::new("<embedded configs/sample.toml>"),
            base,
        )
    }

    pub fn from_str(text: &str, path: &Path, base: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        let key_err = |key: &str, message: String| ConfigError::Key {
            path: path.to_path_buf(),
            key: key.to_string(),
            message,
        };
        let analysis_level = Level::from_name(&raw.run.analysis_level).ok_or_else(|| {
            key_err(
                "run.analysis_level",
                format!(
                    "'{}' is not a level (country, province, city, county, street, community)",
                    raw.run.analysis_level
                ),
            )
        })?;
        if !matches!(raw.run.period.as_str(), "year" | "quarter" | "month") {
            return Err(key_err(
                "run.period",
                format!("'{}' is not year, quarter or month", raw.run.period),
            ));
        }
        if raw.metrics.young_below > raw.metrics.old_from {
            return Err(key_err(
                "metrics.young_below",
                format!(
                    "{} is above metrics.old_from = {}",
                    raw.metrics.young_below, raw.metrics.old_from
                ),
            ));
        }
        for (k, m) in raw.compare.adoption_metrics.iter().enumerate() {
            check_metric(m).map_err(|e| key_err(&format!("compare.adoption_metrics[{k}]"), e))?;
        }
        let index = check_index(raw.index, &key_err)?;
        let lang = raw.render.lang.unwrap_or_else(|| "zh".into());
        if !matches!(lang.as_str(), "zh" | "en") {
            return Err(key_err("render.lang", format!("'{lang}' is not zh or en")));
        }
        let size = raw.render.size.unwrap_or_else(|| "1000x640".into());
        let (width, height) = parse_size(&size).ok_or_else(|| {
            key_err(
                "render.size",
                format!("'{size}' is not WIDTHxHEIGHT in 200..8000 pixels"),
            )
        })?;
        let render = Render {
            top_n: raw.render.top_n.unwrap_or(15),
            lang,
            width,
            height,
            font: raw.render.font.map(|f| normalize(&base.join(f))),
        };
        let mut compare = raw.compare;
        for (k, m) in compare.models.iter_mut().enumerate() {
            let model = crate::ingest::parse::parse_model(m)
                .map_err(|e| key_err(&format!("compare.models[{k}]"), e))?;
            *m = model.name().to_string();
        }
        let mut sources = Vec::new();
        for (name, src) in raw.sources {
            let table = Table::from_name(&name).ok_or_else(|| {
                key_err(
                    &format!("sources.{name}"),
                    "is not a table (regions, member_ages, disputes, service_usage)".into(),
                )
            })?;
            sources.push(check_source(table, src, base, &key_err)?);
        }
        sources.sort_by_key(|s| s.table);
        Ok(Config {
            path: path.to_path_buf(),
            base: base.to_path_buf(),
            text: text.to_string(),
            warehouse: normalize(&base.join(&raw.run.warehouse)),
            output: normalize(&base.join(&raw.run.output)),
            seed: raw.run.seed,
            analysis_level,
            period: raw.run.period,
            reference_codes: raw.run.reference_codes.map(|p| normalize(&base.join(p))),
            sources,
            metrics: raw.metrics,
            compare,
            index,
            privacy: raw.privacy,
            report: raw.report,
            render,
        })
    }

    pub fn source(&self, table: Table) -> Option<&Source> {
        self.sources.iter().find(|s| s.table == table)
    }

    /// A path as it is shown in outputs: relative to the config's folder when
    /// it lies below it, so that runs from different clones write equal bytes.
    pub fn display_path(&self, path: &Path) -> String {
        relative_to(path, &self.base)
    }
}

/// Resolves `.` and `..` lexically, so `configs/../datasets` reads `datasets`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => match out.components().next_back() {
                Some(std::path::Component::Normal(_)) => {
                    out.pop();
                }
                Some(std::path::Component::RootDir) => {}
                _ => out.push(".."),
            },
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `path` relative to `base` where it lies below it (lexically, after
/// resolving `..`), else as given; always with forward slashes.
pub fn relative_to(path: &Path, base: &Path) -> String {
    let norm = |p: &Path| -> PathBuf {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                std::path::Component::ParentDir => {
                    if !out.pop() {
                        out.push("..");
                    }
                }
                std::path::Component::CurDir => {}
                c => out.push(c),
            }
        }
        out
    };
    let (p, b) = (norm(path), norm(base));
    let shown = match p.strip_prefix(&b) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => {
            // Walk up from base to a common ancestor, so sibling folders
            // still come out relative (`../datasets/x.csv`).
            let mut up = PathBuf::new();
            let mut anc = b.clone();
            loop {
                if let Ok(rel) = p.strip_prefix(&anc) {
                    if anc.as_os_str().is_empty() && p.is_absolute() {
                        break p.clone();
                    }
                    break up.join(rel);
                }
                if !anc.pop() {
                    break p.clone();
                }
                up.push("..");
            }
        }
    };
    shown.to_string_lossy().replace('\\', "/")
}

fn check_source(
    table: Table,
    src: RawSource,
    base: &Path,
    key_err: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Source, ConfigError> {
    let prefix = format!("sources.{}", table.name());
    let patterns = match src.path {
        OneOrMany::One(p) => vec![p],
        OneOrMany::Many(ps) => ps,
    };
    if patterns.is_empty() {
        return Err(key_err(&format!("{prefix}.path"), "names no file".into()));
    }
    let encoding = match src
        .encoding
        .as_deref()
        .unwrap_or("auto")
        .to_lowercase()
        .as_str()
    {
        "auto" => Encoding::Auto,
        "utf-8" | "utf8" => Encoding::Utf8,
        "gbk" | "gb2312" | "gb18030" | "cp936" => Encoding::Gb18030,
        other => {
            return Err(key_err(
                &format!("{prefix}.encoding"),
                format!("'{other}' is not auto, utf-8, gbk or gb18030"),
            ))
        }
    };
    let layout = match src.layout.as_deref() {
        None | Some("long") => Layout::Long,
        Some("persons") if table == Table::MemberAges => Layout::Persons,
        Some("wide") if table == Table::MemberAges => Layout::Wide,
        Some(other) => {
            return Err(key_err(
                &format!("{prefix}.layout"),
                format!(
                    "'{other}' is not a layout of {table} (long; member_ages also persons, wide)"
                ),
            ))
        }
    };
    let mut allowed: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    if table == Table::MemberAges {
        allowed.extend(MEMBER_PERSONS.iter().map(|c| c.name));
    }
    for (header, canonical) in &src.columns {
        if !allowed.contains(&canonical.as_str()) {
            return Err(key_err(
                &format!("{prefix}.columns.\"{header}\""),
                format!(
                    "'{canonical}' is not a column of {table} (one of: {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    let non_negative = |key: &str, v: Option<f64>, default: f64| -> Result<f64, ConfigError> {
        match v {
            Some(x) if !(x >= 0.0 && x.is_finite()) => Err(key_err(
                &format!("{prefix}.{key}"),
                format!("{x} must be a number ≥ 0"),
            )),
            Some(x) => Ok(x),
            None => Ok(default),
        }
    };
    let scale = non_negative("scale", src.scale, 1.0)?;
    if scale == 0.0 {
        return Err(key_err(
            &format!("{prefix}.scale"),
            "must be above 0".into(),
        ));
    }
    let person_bands = src
        .person_bands
        .unwrap_or_else(|| DEFAULT_PERSON_BANDS.iter().map(|s| s.to_string()).collect());
    for b in &person_bands {
        crate::ingest::parse::parse_band(b)
            .map_err(|e| key_err(&format!("{prefix}.person_bands"), e))?;
    }
    Ok(Source {
        table,
        patterns: patterns.iter().map(|p| normalize(&base.join(p))).collect(),
        encoding,
        sheet: src.sheet,
        scale,
        share_tolerance: non_negative("share_tolerance", src.share_tolerance, 0.05)?,
        total_tolerance: non_negative("total_tolerance", src.total_tolerance, 0.0)?,
        columns: src.columns,
        layout,
        band_columns: src.band_columns,
        person_bands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_stable_across_clones() {
        assert_eq!(
            relative_to(
                Path::new("/a/b/configs/../datasets/x.csv"),
                Path::new("/a/b/configs")
            ),
            "../datasets/x.csv"
        );
        assert_eq!(
            relative_to(Path::new("/a/b/configs/x.csv"), Path::new("/a/b/configs")),
            "x.csv"
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_str(
            "[run]\nwarehouse='w'\noutput='o'\nsede=1\n",
            Path::new("c.toml"),
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("sede"), "{err}");
        assert!(err.contains("c.toml"), "{err}");
    }

    #[test]
    fn columns_entry_naming_no_canonical_column_is_rejected() {
        let err = Config::from_str(
            "[run]\nwarehouse='w'\noutput='o'\n[sources.disputes]\npath='d.csv'\n[sources.disputes.columns]\n\"受理\"=\"recieved\"\n",
            Path::new("c.toml"),
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("sources.disputes.columns"), "{err}");
        assert!(err.contains("recieved"), "{err}");
    }
}
