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

mod analysis;
mod collection;
pub use crate::methods::did::options as did;
pub use collection::{day as collection_day, name_matches, Collection};
mod output;
pub mod section;

pub use crate::methods::qca::spec::{AnchorMode, Calibration, Qca, Robustness};
pub use analysis::{
    check_covariate, check_metric, parse_size, valid_breakdown, Boundaries, BoundaryCrs,
    ClusterLevel, Compare, Index, IndexGroup, IndexIndicator, Lang, Metrics, PAdjust, Privacy,
    Render, Report, TablesPrivacy, Uncertainty, METRICS,
};
use analysis::{check_index, RawIndex, RawRender};
pub use output::{CsvCopies, Output};

/// The embedded default config: `configs/sample.toml` as it was built.
pub const EMBEDDED_SAMPLE: &str = include_str!("../../configs/sample.toml");

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
    compare: section::Section<Compare, did::DidOptions>,
    #[serde(default)]
    index: RawIndex,
    #[serde(default)]
    privacy: Privacy,
    #[serde(default)]
    report: Report,
    #[serde(default)]
    render: RawRender,
    #[serde(default)]
    shard: RawShard,
    qca: Option<section::Section<QcaStudyKeys, Qca>>,
    #[serde(default)]
    output: output::RawOutput,
    #[serde(default)]
    limits: RawLimits,
    collection: Option<collection::RawCollection>,
}

/// A `[qca]` section's keys of `govlens qca` on a case table (the rest are
/// the method's, [`Qca`]); a run config, which studies its units, takes none.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QcaStudyKeys {
    /// The case table, relative to the study file.
    pub data: Option<String>,
    /// The case id column of `data`.
    pub case: Option<String>,
    /// The charts' language (a run's charts take `[render] lang`).
    pub lang: Option<String>,
}

/// `[limits]`: what one input may ask of the machine (docs/config.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    /// Cells a workbook's sheet may span (its rows × columns holding values).
    max_cells: Option<u64>,
}

/// `[shard]`: how `govlens run --shard I/N` splits the work (docs/cluster.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShard {
    /// The region-tree level whose codes are hashed into the shards.
    level: Option<String>,
    /// The folder every shard writes to and `combine` reads from.
    folder: Option<String>,
}

/// The checked `[shard]` section.
#[derive(Debug, Clone)]
pub struct Sharding {
    pub level: Level,
    pub folder: PathBuf,
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
    /// The history of GB/T 2260 codes facts are checked against by period.
    code_history: Option<String>,
    /// The vintage (a year) facts are re-coded to.
    harmonise_codes: Option<toml::Value>,
    /// A user's crosswalk laid over the one derived from the history.
    crosswalk: Option<String>,
    /// `govlens run`: seconds to wait for another run's lock.
    lock_timeout: Option<u64>,
    /// `govlens run`: share of rows quarantined above which it exits 3.
    max_rejected_share: Option<f64>,
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
    /// A sheet, a list of sheets, or "*" for every sheet.
    sheet: Option<OneOrMany>,
    scale: Option<f64>,
    share_tolerance: Option<f64>,
    total_tolerance: Option<f64>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    layout: Option<String>,
    band_columns: Option<Vec<String>>,
    person_bands: Option<Vec<String>>,
    /// Rows of the header block, where detection is ambiguous (1 to 4).
    header_rows: Option<usize>,
    /// A value for every row of a column the sheet does not have.
    #[serde(default)]
    constants: BTreeMap<String, String>,
    /// The region (a code) names are looked up under.
    parent: Option<String>,
    /// Columns read but not mapped (`年龄段(原文)` beside a cleaned `年龄段`).
    #[serde(default)]
    ignore: Vec<String>,
    /// Every period is a year-to-date (累计) figure, differenced into flows.
    #[serde(default)]
    cumulative: bool,
    /// Disputes printed as an outline (a total above its types, `#` for 其中).
    #[serde(default)]
    outline: bool,
    /// Labels that mark an outline's total row besides 合计, 总计, Total.
    #[serde(default)]
    total_labels: Vec<String>,
    /// indicators, wide layout: the columns that are indicators.
    indicator_columns: Option<Vec<String>>,
    /// indicators: the unit of a figure whose row and header give none.
    unit: Option<String>,
    /// indicators: a figure → the figures printed as its 其中.
    #[serde(default)]
    parts: BTreeMap<String, Vec<String>>,
    /// indicators: a rate → [numerator, denominator].
    #[serde(default)]
    rates: BTreeMap<String, Vec<String>>,
    /// indicators: figures not summed over the tree (a per-capita figure).
    #[serde(default)]
    not_additive: Vec<String>,
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
    /// XLSX: which sheets to read (default the first).
    pub sheet: Sheets,
    pub scale: f64,
    pub share_tolerance: f64,
    pub total_tolerance: f64,
    /// Source header → canonical column name.
    pub columns: BTreeMap<String, String>,
    pub layout: Layout,
    pub band_columns: Option<Vec<String>>,
    pub person_bands: Vec<String>,
    /// `header_rows = N`: the header block's rows, else detected.
    pub header_rows: Option<usize>,
    /// Canonical column → the value every row gets (`role = "cadre"`).
    pub constants: BTreeMap<String, String>,
    /// `parent = "330702"`: a return's names are looked up under it.
    pub parent: Option<String>,
    /// The run's `[run] period`: a stock published as at a day is stored
    /// as the period of this kind that holds the day.
    pub period_kind: crate::contract::grammar::PeriodKind,
    /// `ignore = ["年龄段(原文)"]`: headers read but mapped to nothing, listed
    /// in the manifest as ignored.
    pub ignore: Vec<String>,
    /// `cumulative = true` (disputes, service_usage): every row is a
    /// year-to-date (累计) figure, `2023-06` the figure through June;
    /// differenced into the flows of the months, quarters or halves between
    /// a series' figures. A file whose first row says 累计 is one anyway.
    pub cumulative: bool,
    /// `outline = true` (disputes): the rows are a printed outline — a total
    /// above its types, sub-types under a type, `#` for 其中 — read as
    /// ingest/outline.rs says; a header with an outline column (层级,
    /// 缩进层级) is one anyway.
    pub outline: bool,
    /// `total_labels = ["(存档缺失;应为总计行)"]`: labels that mark an
    /// outline's total row besides 合计, 总计, 总数 and Total.
    pub total_labels: Vec<String>,
    /// Indicators (contract B.20), the wide layout: the headers that are
    /// indicators, one figure each (`["城镇社区服务设施数", …]`).
    pub indicator_columns: Vec<String>,
    /// Indicators: the unit of a figure whose row and header say none
    /// (`unit = "个"`, a yearbook's 单位: 个), as stored and its multiplier.
    pub unit: Option<crate::contract::grammar::Unit>,
    /// Indicators: `parts = { "受理纠纷" = ["主动调解", "申请调解"] }`: the
    /// figures printed as the 其中 of a figure, wherever both are given.
    pub parts: BTreeMap<String, Vec<String>>,
    /// Indicators: `rates = { "调解成功率" = ["调解成功", "受理纠纷"] }`: a
    /// printed rate and the two figures it is 100 × the ratio of.
    pub rates: BTreeMap<String, (String, String)>,
    /// Indicators: `not_additive = ["每万人调解员数"]`: figures a region's is
    /// not the sum of its regions' (not checked over the tree; rates never are).
    pub not_additive: Vec<String>,
}

/// The sheets of a workbook a source reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sheets {
    /// The first sheet.
    First,
    /// These sheets, in this order.
    Named(Vec<String>),
    /// Every sheet, in the workbook's order (`sheet = "*"`: one per street).
    All,
}

/// Codes of their own year (`[run]`; contract A.4): the history facts'
/// codes are checked against by period, and the vintage they are re-coded to.
#[derive(Debug, Clone, Default)]
pub struct Codes {
    /// `code_history`: a history file; the shipped one when only
    /// `harmonise_codes` is set.
    pub history: Option<PathBuf>,
    /// `harmonise_codes`: the vintage (a year).
    pub harmonise: Option<i32>,
    /// `crosswalk`: a user's crosswalk laid over the derived one.
    pub crosswalk: Option<PathBuf>,
}

impl Codes {
    /// Whether facts' codes are checked against their periods.
    pub fn checked(&self) -> bool {
        self.history.is_some() || self.harmonise.is_some()
    }

    fn of(run: &RawRun, base: &Path) -> Result<Codes, (&'static str, String)> {
        let harmonise = match &run.harmonise_codes {
            None => None,
            Some(toml::Value::Integer(y)) => Some(crate::regions::history::vintage(&y.to_string())),
            Some(toml::Value::String(y)) => Some(crate::regions::history::vintage(y)),
            Some(v) => Some(Err(format!("{v} is not a year (e.g. \"2023\")"))),
        }
        .transpose()
        .map_err(|m| ("run.harmonise_codes", m))?;
        if run.crosswalk.is_some() && harmonise.is_none() {
            return Err((
                "run.crosswalk",
                "a crosswalk re-codes to a vintage: set run.harmonise_codes too".into(),
            ));
        }
        let path = |p: &String| normalize(&base.join(p));
        Ok(Codes {
            history: run.code_history.as_ref().map(path),
            harmonise,
            crosswalk: run.crosswalk.as_ref().map(path),
        })
    }
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
    /// `[run] code_history`, `harmonise_codes`, `crosswalk`.
    pub codes: Codes,
    pub sources: Vec<Source>,
    pub metrics: Metrics,
    pub compare: Compare,
    pub index: Index,
    pub privacy: Privacy,
    pub report: Report,
    pub render: Render,
    /// Canonical text of each top-level section, for stage keys.
    pub sections: BTreeMap<String, String>,
    pub lock_timeout: u64,
    pub max_rejected_share: f64,
    /// `[limits] max_cells`: cells a sheet of a workbook may span
    /// (`ingest::bounds`); a sheet that claims more is refused.
    pub max_cells: u64,
    pub shard: Sharding,
    /// `[qca]`: fsQCA on the units of the analysis period (none when absent).
    pub qca: Option<Qca>,
    /// `[output]`: which CSV copies of the run's tables are written.
    pub copies: Output,
    /// `[collection]`: a district's collection round (contract B.21).
    pub collection: Option<Collection>,
}

/// Header rows at most in one block of an office return
/// (`[sources.<t>] header_rows`; `ingest::sheet` reads up to this many).
pub const MAX_HEADER_ROWS: usize = 4;

/// The default `[limits] max_cells`: cells a workbook's sheet may span
/// (`ingest::bounds` explains the budget).
pub const DEFAULT_MAX_CELLS: u64 = 20_000_000;

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

    /// Checks what only a sharded run needs: a unit must lie inside one
    /// shard with everything under it, so the shards' level is the analysis
    /// level or coarser. Asked by `run --shard`, `combine` and `slurm
    /// submit` only: a plain run at country or province level has nothing to
    /// shard, and `[shard] level`'s default (province) must not refuse it.
    pub fn check_sharding(&self) -> Result<(), ConfigError> {
        if self.collection.is_some() {
            return Err(ConfigError::Key {
                path: self.path.clone(),
                key: "collection".into(),
                message: "a collection round is one district's returns: run it on one machine (govlens run), not in shards".into(),
            });
        }
        if self.codes.harmonise.is_some() {
            return Err(ConfigError::Key {
                path: self.path.clone(),
                key: "run.harmonise_codes".into(),
                message: "a sharded run does not re-code: the rows merged into one code may belong to different shards; harmonise on one machine".into(),
            });
        }
        if self.shard.level > self.analysis_level {
            return Err(ConfigError::Key {
                path: self.path.clone(),
                key: "shard.level".into(),
                message: format!(
                    "'{}' is finer than run.analysis_level = '{}': a unit's regions would be split across shards; use '{}' or a coarser level",
                    self.shard.level.name(),
                    self.analysis_level.name(),
                    self.analysis_level.name()
                ),
            });
        }
        Ok(())
    }

    pub fn from_str(text: &str, path: &Path, base: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        // Each section in a canonical form (sorted keys, no comments), so a
        // stage's key changes only when a section it reads changes.
        let table: toml::Table = toml::from_str(text).expect("parsed above");
        let sections: BTreeMap<String, String> = table
            .iter()
            .map(|(k, v)| (k.clone(), toml::to_string(v).unwrap_or_default()))
            .collect();
        let key_err = |key: &str, message: String| ConfigError::Key {
            path: path.to_path_buf(),
            key: key.to_string(),
            message,
        };
        let max_cells = raw.limits.max_cells.unwrap_or(DEFAULT_MAX_CELLS);
        if max_cells == 0 {
            return Err(key_err(
                "limits.max_cells",
                "must be at least 1 (cells a sheet may span; default 20000000)".into(),
            ));
        }
        let analysis_level = Level::from_name(&raw.run.analysis_level).ok_or_else(|| {
            key_err(
                "run.analysis_level",
                format!(
                    "'{}' is not a level (country, province, city, county, street, community)",
                    raw.run.analysis_level
                ),
            )
        })?;
        let period_kind = crate::contract::grammar::PeriodKind::from_name(&raw.run.period)
            .ok_or_else(|| {
                key_err(
                    "run.period",
                    format!("'{}' is not year, quarter or month", raw.run.period),
                )
            })?;
        let codes = Codes::of(&raw.run, base).map_err(|(k, m)| key_err(k, m))?;
        if raw.metrics.young_below > raw.metrics.old_from {
            return Err(key_err(
                "metrics.young_below",
                format!(
                    "{} is above metrics.old_from = {}",
                    raw.metrics.young_below, raw.metrics.old_from
                ),
            ));
        }
        let mut compare = raw.compare.own;
        compare.did = raw.compare.method;
        for (k, m) in compare.adoption_metrics.iter().enumerate() {
            check_metric(m).map_err(|e| key_err(&format!("compare.adoption_metrics[{k}]"), e))?;
        }
        for (k, c) in compare.covariates.iter().enumerate() {
            check_covariate(c).map_err(|e| key_err(&format!("compare.covariates[{k}]"), e))?;
        }
        (compare.did.check()).map_err(|(k, m)| key_err(&format!("compare.{k}"), m))?;
        let index = check_index(raw.index, &key_err)?;
        let lang = match &raw.render.lang {
            Some(l) => l.parse().map_err(|e| key_err("render.lang", e))?,
            None => Lang::Zh,
        };
        let size = raw.render.size.clone().unwrap_or_else(|| "1000x640".into());
        let (width, height) = parse_size(&size).ok_or_else(|| {
            key_err(
                "render.size",
                format!("'{size}' is not WIDTHxHEIGHT in 200..8000 pixels"),
            )
        })?;
        let render = Render {
            top_n: raw.render.top_n.unwrap_or(15),
            dashboard_units: match raw.render.dashboard_units {
                Some(0) => {
                    return Err(key_err(
                        "render.dashboard_units",
                        "must be at least 1".into(),
                    ))
                }
                Some(n) => n,
                None => 20_000,
            },
            lang,
            width,
            height,
            font: raw.render.font.clone().map(|f| normalize(&base.join(f))),
            boundaries: analysis::check_boundaries(&raw.render, base, &key_err)?.map(|mut b| {
                b.files = b.files.iter().map(|f| normalize(f)).collect();
                b
            }),
        };
        for (k, m) in compare.models.iter_mut().enumerate() {
            let model = crate::contract::grammar::parse_model(m)
                .map_err(|e| key_err(&format!("compare.models[{k}]"), e))?;
            *m = model.name().to_string();
        }
        if let Some(q) = &raw.qca {
            check_run_qca(&q.own, &q.method).map_err(|(k, m)| key_err(&k, m))?;
        }
        let mut sources = Vec::new();
        for (name, src) in raw.sources {
            let table = Table::from_name(&name).ok_or_else(|| {
                key_err(
                    &format!("sources.{name}"),
                    "is not a table (regions, member_ages, disputes, service_usage, indicators)"
                        .into(),
                )
            })?;
            sources.push(check_source(table, src, base, period_kind, &key_err)?);
        }
        sources.sort_by_key(|s| s.table);
        let collection = match raw.collection {
            None => None,
            Some(c) => Some(collection::check(c, &sources, base).map_err(|(k, m)| key_err(&k, m))?),
        };
        let shard_level = raw.shard.level.as_deref().unwrap_or("province");
        let shard_level = Level::from_name(shard_level)
            .filter(|l| *l != Level::Country)
            .ok_or_else(|| {
                key_err(
                    "shard.level",
                    format!("'{shard_level}' is not a level below the country (province, city, county, street, community)"),
                )
            })?;
        let copies = raw.output.check().map_err(|(k, m)| key_err(&k, m))?;
        raw.report.check().map_err(|(k, m)| key_err(&k, m))?;
        let warehouse = normalize(&base.join(&raw.run.warehouse));
        let shard = Sharding {
            level: shard_level,
            folder: match raw.shard.folder {
                Some(f) => normalize(&base.join(f)),
                None => PathBuf::from(format!("{}.shards", warehouse.display())),
            },
        };
        Ok(Config {
            path: path.to_path_buf(),
            base: base.to_path_buf(),
            text: text.to_string(),
            warehouse,
            output: normalize(&base.join(&raw.run.output)),
            seed: raw.run.seed,
            analysis_level,
            period: raw.run.period,
            reference_codes: raw.run.reference_codes.map(|p| normalize(&base.join(p))),
            codes,
            sources,
            metrics: raw.metrics,
            compare,
            index,
            privacy: raw.privacy,
            report: raw.report,
            render,
            sections,
            lock_timeout: raw.run.lock_timeout.unwrap_or(60),
            max_rejected_share: raw.run.max_rejected_share.unwrap_or(0.1),
            max_cells,
            shard,
            qca: raw.qca.map(|q| q.method),
            copies,
            collection,
        })
    }

    /// The canonical text of the named sections: what a stage's key hashes.
    pub fn section_key(&self, names: &[&str]) -> String {
        names
            .iter()
            .map(|n| {
                format!(
                    "[{n}]\n{}",
                    self.sections.get(*n).map(String::as_str).unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
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
    period_kind: crate::contract::grammar::PeriodKind,
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
        Some("wide") if matches!(table, Table::MemberAges | Table::Indicators) => Layout::Wide,
        Some(other) => {
            return Err(key_err(
                &format!("{prefix}.layout"),
                format!(
                    "'{other}' is not a layout of {table} (long; member_ages also persons, wide; indicators also wide)"
                ),
            ))
        }
    };
    let only_indicators = |key: &str, set: bool| -> Result<(), ConfigError> {
        match set && table != Table::Indicators {
            true => Err(key_err(
                &format!("{prefix}.{key}"),
                format!("is a key of indicators, not of {table}"),
            )),
            false => Ok(()),
        }
    };
    only_indicators("indicator_columns", src.indicator_columns.is_some())?;
    only_indicators("unit", src.unit.is_some())?;
    only_indicators("parts", !src.parts.is_empty())?;
    only_indicators("rates", !src.rates.is_empty())?;
    only_indicators("not_additive", !src.not_additive.is_empty())?;
    let mut part_of: BTreeMap<&str, &str> = BTreeMap::new();
    for (total, parts) in &src.parts {
        for p in parts {
            if let Some(other) = part_of.insert(p.trim(), total.trim()) {
                return Err(key_err(
                    &format!("{prefix}.parts"),
                    format!("names '{p}' a part of both '{other}' and '{total}': name it once (a row of its own can say part_of)"),
                ));
            }
        }
    }
    let indicator_columns = src.indicator_columns.unwrap_or_default();
    match (table, layout == Layout::Wide, indicator_columns.is_empty()) {
        (Table::Indicators, true, true) => {
            return Err(key_err(
                &format!("{prefix}.indicator_columns"),
                "a wide indicators source names its indicator columns (indicator_columns = [\"城镇社区服务设施数\", …])".into(),
            ))
        }
        (Table::Indicators, false, false) => {
            return Err(key_err(
                &format!("{prefix}.indicator_columns"),
                "names the columns of a wide layout: add layout = \"wide\"".into(),
            ))
        }
        _ => {}
    }
    let unit = match src.unit.as_deref() {
        None => None,
        Some(u) => Some(
            crate::contract::grammar::parse_unit(u)
                .ok_or_else(|| key_err(&format!("{prefix}.unit"), "is blank".into()))?,
        ),
    };
    let mut rates = BTreeMap::new();
    for (rate, pair) in src.rates {
        match pair.as_slice() {
            [num, den] => {
                rates.insert(rate, (num.clone(), den.clone()));
            }
            _ => {
                return Err(key_err(
                    &format!("{prefix}.rates.\"{rate}\""),
                    format!(
                        "names {} figure(s): a rate is [numerator, denominator]",
                        pair.len()
                    ),
                ))
            }
        }
    }
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
        crate::contract::grammar::parse_band(b)
            .map_err(|e| key_err(&format!("{prefix}.person_bands"), e))?;
    }
    if let Some(n) = src.header_rows {
        if !(1..=MAX_HEADER_ROWS).contains(&n) {
            return Err(key_err(
                &format!("{prefix}.header_rows"),
                format!("{n} is not 1 to {}", MAX_HEADER_ROWS),
            ));
        }
    }
    for column in src.constants.keys() {
        if !allowed.contains(&column.as_str()) {
            return Err(key_err(
                &format!("{prefix}.constants.{column}"),
                format!(
                    "'{column}' is not a column of {table} (one of: {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    if (src.outline || !src.total_labels.is_empty()) && table != Table::Disputes {
        let key = if src.outline {
            "outline"
        } else {
            "total_labels"
        };
        return Err(key_err(
            &format!("{prefix}.{key}"),
            format!("{table} is not read as a printed outline: disputes by type are"),
        ));
    }
    if src.cumulative && !matches!(table, Table::Disputes | Table::ServiceUsage) {
        return Err(key_err(
            &format!("{prefix}.cumulative"),
            format!("{table} holds no flows: a year-to-date (累计) figure is one of disputes or service_usage"),
        ));
    }
    Ok(Source {
        table,
        patterns: patterns.iter().map(|p| normalize(&base.join(p))).collect(),
        encoding,
        sheet: match src.sheet {
            None => Sheets::First,
            Some(OneOrMany::One(s)) if s == "*" => Sheets::All,
            Some(OneOrMany::One(s)) => Sheets::Named(vec![s]),
            Some(OneOrMany::Many(v)) if v.iter().any(|s| s == "*") => Sheets::All,
            Some(OneOrMany::Many(v)) => Sheets::Named(v),
        },
        scale,
        share_tolerance: non_negative("share_tolerance", src.share_tolerance, 0.05)?,
        total_tolerance: non_negative("total_tolerance", src.total_tolerance, 0.0)?,
        columns: src.columns,
        layout,
        band_columns: src.band_columns,
        person_bands,
        header_rows: src.header_rows,
        constants: src.constants,
        parent: match src.parent {
            Some(p) if ![6, 9, 12].contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(key_err(
                    &format!("{prefix}.parent"),
                    format!("'{p}' is not a region code (6, 9 or 12 digits)"),
                ))
            }
            p => p,
        },
        period_kind,
        ignore: src.ignore,
        cumulative: src.cumulative,
        outline: src.outline,
        total_labels: src.total_labels,
        indicator_columns,
        unit,
        parts: src.parts,
        rates,
        not_additive: src.not_additive,
    })
}

/// The checks of a run config's `[qca]`: its sets are the run's metrics
/// (raw values, so each needs anchors or `anchors = "quantiles"`) and
/// `model:<word>` conditions (crisp, from the unit's governance model).
fn check_run_qca(own: &QcaStudyKeys, q: &Qca) -> Result<(), (String, String)> {
    q.check()?;
    if own.data.is_some() || own.case.is_some() {
        return Err((
            "qca.data".into(),
            "a run config analyses the run's units: leave out data and case (govlens qca takes a case table in a file of its own)".into(),
        ));
    }
    if own.lang.is_some() {
        return Err((
            "qca.lang".into(),
            "a run's charts take [render] lang".into(),
        ));
    }
    let sets = q.conditions.iter().map(|c| ("conditions", c));
    for (key, name) in sets.chain(std::iter::once(("outcome", &q.outcome))) {
        if let Some(word) = name.strip_prefix("model:") {
            let words: Vec<&str> = crate::contract::Model::ALL
                .iter()
                .map(|m| m.name())
                .collect();
            if key == "outcome" {
                return Err((
                    format!("qca.{key}"),
                    format!("'{name}': the outcome is a metric"),
                ));
            }
            if !words.contains(&word) {
                return Err((
                    format!("qca.{key}"),
                    format!(
                        "'{name}': '{word}' is not a model (one of: {})",
                        words.join(", ")
                    ),
                ));
            }
            if q.calibration.contains_key(name) {
                return Err((
                    format!("qca.calibration.{name}"),
                    "a model condition is crisp already (1 for the model's units, else 0)".into(),
                ));
            }
            continue;
        }
        check_metric(name).map_err(|e| (format!("qca.{key}"), e))?;
        if q.anchors == AnchorMode::Given && !q.calibration.contains_key(name) {
            return Err((
                format!("qca.calibration.{name}"),
                "the run's metrics are raw values: give anchors [e, c, i], a crisp threshold [t], or set qca.anchors = \"quantiles\"".into(),
            ));
        }
    }
    Ok(())
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
    fn harmonise_codes_is_a_year_needs_no_shards_and_comes_before_a_crosswalk() {
        let config = |run: &str| {
            Config::from_str(
                &format!("[run]\nwarehouse='w'\noutput='o'\n{run}\n"),
                Path::new("c.toml"),
                Path::new("."),
            )
        };
        let err = config("harmonise_codes = '23'").unwrap_err().to_string();
        assert!(
            err.contains("run.harmonise_codes") && err.contains("not a year"),
            "{err}"
        );
        let err = config("crosswalk = 'cw.csv'").unwrap_err().to_string();
        assert!(err.contains("set run.harmonise_codes too"), "{err}");
        let c = config("harmonise_codes = 2023").unwrap();
        assert_eq!(c.codes.harmonise, Some(2023));
        let err = c.check_sharding().unwrap_err().to_string();
        assert!(err.contains("a sharded run does not re-code"), "{err}");
        assert!(config("").unwrap().check_sharding().is_ok());
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
