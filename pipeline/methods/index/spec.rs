//! The `[index]` section of a `govlens index` study file: a composite index
//! on any table with a row per unit and a column per indicator (COINr's
//! iData / iMeta shape), with its treatment, imputation and sensitivity
//! settings. Values stay strings here; compare parses the method names.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One indicator: its column, pillar, direction (1 / −1) and weight.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyIndicator {
    pub column: String,
    pub pillar: String,
    #[serde(default = "one")]
    pub direction: f64,
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// `[index.sensitivity]`: the uncertain choices and the design's size.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivitySpec {
    /// Any of normalisation, aggregation, weights, winmax, imputation,
    /// drop_indicator.
    pub factors: Vec<String>,
    /// N: the design has N(d + 2) evaluations.
    #[serde(default = "default_n")]
    pub n: usize,
    #[serde(default = "default_boot")]
    pub boot: usize,
    #[serde(default = "default_norms")]
    pub normalisations: Vec<String>,
    #[serde(default = "default_aggs")]
    pub aggregations: Vec<String>,
    #[serde(default = "default_winmax")]
    pub winmax: Vec<usize>,
    /// Weights × U(1 − noise, 1 + noise).
    #[serde(default = "default_noise")]
    pub weight_noise: f64,
    #[serde(default = "default_sets")]
    pub weight_sets: usize,
    /// Most evaluations allowed (N(d + 2)).
    #[serde(default = "default_budget")]
    pub budget: usize,
    /// Above this many units the sensitivity runs on an even spread of this
    /// many (in unit order), noted; the other tables use every unit.
    #[serde(default = "default_max_units")]
    pub max_units: usize,
}

fn default_max_units() -> usize {
    20_000
}

fn default_n() -> usize {
    256
}
fn default_boot() -> usize {
    200
}
fn default_norms() -> Vec<String> {
    vec!["minmax".into(), "zscore".into(), "rank".into()]
}
fn default_aggs() -> Vec<String> {
    vec!["arithmetic".into(), "geometric".into()]
}
fn default_winmax() -> Vec<usize> {
    vec![0, 3, 5]
}
fn default_noise() -> f64 {
    0.25
}
fn default_sets() -> usize {
    100
}
fn default_budget() -> usize {
    20_000
}

/// The study.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexStudy {
    pub data: String,
    /// The unit id column.
    pub unit: String,
    #[serde(default = "default_norm")]
    pub normalisation: String,
    #[serde(default = "default_agg")]
    pub aggregation: String,
    /// Treatment's winsorising steps (COINr's default 5; 0 = no treatment).
    #[serde(default = "default_winmax_one")]
    pub winmax: usize,
    /// One of [`IMPUTATIONS`].
    #[serde(default = "default_imputation")]
    pub imputation: String,
    /// The column of each unit's group, for group_mean and group_median.
    pub group: Option<String>,
    /// A panel's period column: the study is of the latest period (or
    /// `analyse`), the earlier ones feed the `latest` imputation.
    pub period: Option<String>,
    /// The period studied when `period` is given (default: the last, in
    /// text order).
    pub analyse: Option<String>,
    /// One of [`WEIGHTS`]: the indicators' weights as given, or from each
    /// pillar's first principal component.
    #[serde(default = "default_weights")]
    pub weights: String,
    pub indicators: Vec<StudyIndicator>,
    #[serde(default)]
    pub pillars: BTreeMap<String, f64>,
    /// The seed of the noisy weights and the bootstrap.
    #[serde(default)]
    pub seed: u64,
    pub sensitivity: Option<SensitivitySpec>,
}

fn default_norm() -> String {
    "minmax".into()
}
fn default_agg() -> String {
    "arithmetic".into()
}
fn default_winmax_one() -> usize {
    5
}
fn default_imputation() -> String {
    "none".into()
}
fn default_weights() -> String {
    "given".into()
}

/// The imputation methods (docs/index.md): none renormalises the weights
/// over the indicators a unit has; the group methods fill within the
/// unit's group; latest takes the unit's latest earlier value (panels).
pub const IMPUTATIONS: &[&str] = &[
    "none",
    "mean",
    "median",
    "group_mean",
    "group_median",
    "latest",
];

/// The weight sets.
pub const WEIGHTS: &[&str] = &["given", "pca"];

/// "'x' is not a, b or c" for a value outside `allowed`.
pub fn not_one_of(value: &str, allowed: &[&str]) -> String {
    let (last, rest) = allowed.split_last().expect("a list");
    format!("'{value}' is not {} or {last}", rest.join(", "))
}
