//! The `[qca]` section: one fuzzy-set QCA study. The same section serves
//! both doors — `govlens qca` on a case table a researcher brings (`data`
//! and `case` name the file and its id column) and a run config, where it
//! analyses the run's units of the analysis period (conditions and outcome
//! are metrics, `model:<word>` a crisp condition per governance model).
//! docs/qca.md documents every key with its formula.

use std::collections::BTreeMap;

use serde::Deserialize;

/// How the anchors of a column without `[qca.calibration]` are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AnchorMode {
    /// Only the anchors given; a column without them must already hold
    /// memberships (0..1). The only mode for a case table's sets.
    #[default]
    Given,
    /// The data's quantiles `quantiles` (R's type 7) as [e, c, i]: a
    /// convenience for a first look, not a theory of the set.
    Quantiles,
}

/// How a column becomes a set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Calibration {
    /// The direct method with anchors [e, c, i] (decreasing when e > i).
    Fuzzy { e: f64, c: f64, i: f64 },
    /// Crisp: 1 when the value is at or above the threshold, else 0.
    Crisp { threshold: f64 },
}

/// The robustness grid: every setting below is one analysis.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Robustness {
    /// Each anchor moved, alone, by ± this fraction of |i − e| (a crisp
    /// threshold by this fraction of the column's range); 0 leaves them.
    #[serde(default = "default_shift")]
    pub anchor_shift: f64,
    /// The consistency cuts tried.
    #[serde(default = "default_incl_cuts")]
    pub incl_cuts: Vec<f64>,
    /// The frequency cuts tried.
    #[serde(default = "default_n_cuts")]
    pub n_cuts: Vec<usize>,
}

fn default_shift() -> f64 {
    0.1
}
fn default_incl_cuts() -> Vec<f64> {
    vec![0.75, 0.8, 0.85, 0.9]
}
fn default_n_cuts() -> Vec<usize> {
    vec![1, 2, 3]
}

impl Default for Robustness {
    fn default() -> Self {
        Robustness {
            anchor_shift: default_shift(),
            incl_cuts: default_incl_cuts(),
            n_cuts: default_n_cuts(),
        }
    }
}

/// The method's keys of a `[qca]` section (a study file's own keys, `data`,
/// `case` and `lang`, are the front end's: config::QcaStudyKeys).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qca {
    pub outcome: String,
    pub conditions: Vec<String>,
    #[serde(default = "default_incl")]
    pub incl_cut: f64,
    #[serde(default = "default_n")]
    pub n_cut: usize,
    #[serde(default)]
    pub pri_cut: f64,
    /// The log-odds at the anchors: 3 as Ragin's fs/QCA (R's idm 0.95 is ln 19).
    #[serde(default = "default_log_odds")]
    pub log_odds: f64,
    /// Directional expectations for the intermediate solution: 1 the
    /// condition's presence is expected to contribute, 0 its absence.
    #[serde(default)]
    pub expect: BTreeMap<String, u8>,
    /// Per column, [e, c, i] anchors or a one-value crisp threshold [t].
    #[serde(default)]
    pub calibration: BTreeMap<String, Vec<f64>>,
    #[serde(default)]
    pub anchors: AnchorMode,
    /// The quantiles taken as [e, c, i] with `anchors = "quantiles"`.
    #[serde(default = "default_quantiles")]
    pub quantiles: [f64; 3],
    /// Refuse more conditions than this (the truth table has 2^k rows).
    #[serde(default = "default_max")]
    pub max_conditions: usize,
    #[serde(default)]
    pub robustness: Robustness,
}

fn default_incl() -> f64 {
    0.8
}
fn default_n() -> usize {
    1
}
fn default_log_odds() -> f64 {
    3.0
}
fn default_quantiles() -> [f64; 3] {
    [0.05, 0.5, 0.95]
}
fn default_max() -> usize {
    12
}

/// Names the tables use for their own columns: no condition or outcome may
/// take them.
pub const RESERVED: [&str; 2] = ["case", "solution"];

impl Qca {
    /// The checks that need no data, as (key, message).
    pub fn check(&self) -> Result<(), (String, String)> {
        let err = |k: &str, m: String| Err((format!("qca.{k}"), m));
        let k = self.conditions.len();
        if k == 0 {
            return err("conditions", "name at least one condition".into());
        }
        if k > self.max_conditions {
            return err(
                "conditions",
                format!(
                    "{k} conditions make a truth table of 2^{k} rows; at most {} (raise qca.max_conditions to accept)",
                    self.max_conditions
                ),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in self.conditions.iter().chain(std::iter::once(&self.outcome)) {
            if RESERVED.contains(&c.as_str()) {
                return err(
                    "conditions",
                    format!("'{c}' is a name the tables use for their own columns"),
                );
            }
            if !seen.insert(c) {
                return err(
                    "conditions",
                    format!("'{c}' is named twice (conditions and outcome are distinct sets)"),
                );
            }
        }
        if !(0.0..=1.0).contains(&self.incl_cut) || !(0.0..=1.0).contains(&self.pri_cut) {
            return err(
                "incl_cut",
                "incl_cut and pri_cut are consistencies between 0 and 1".into(),
            );
        }
        if self.n_cut == 0 {
            return err("n_cut", "at least 1 case per row".into());
        }
        if self.log_odds.is_nan() || self.log_odds <= 0.0 {
            return err("log_odds", format!("{} is not above 0", self.log_odds));
        }
        for (c, v) in &self.expect {
            if !self.conditions.contains(c) {
                return err(&format!("expect.{c}"), "not one of qca.conditions".into());
            }
            if *v > 1 {
                return err(
                    &format!("expect.{c}"),
                    format!("{v}: 1 (present) or 0 (absent)"),
                );
            }
        }
        for c in self.calibration.keys() {
            if !seen.contains(c) {
                return err(
                    &format!("calibration.{c}"),
                    "not one of qca.conditions or qca.outcome".into(),
                );
            }
            self.calibration(c).expect("listed")?;
        }
        let q = self.quantiles;
        if !(0.0 <= q[0] && q[0] < q[1] && q[1] < q[2] && q[2] <= 1.0) {
            return err(
                "quantiles",
                format!("{q:?}: three increasing probabilities in 0..1"),
            );
        }
        let r = &self.robustness;
        if !(0.0..0.5).contains(&r.anchor_shift) {
            return err(
                "robustness.anchor_shift",
                format!("{}: a fraction in 0..0.5", r.anchor_shift),
            );
        }
        if r.incl_cuts.iter().any(|c| !(0.0..=1.0).contains(c)) {
            return err(
                "robustness.incl_cuts",
                "consistencies between 0 and 1".into(),
            );
        }
        if r.n_cuts.contains(&0) {
            return err("robustness.n_cuts", "at least 1 case per row".into());
        }
        Ok(())
    }

    /// The calibration given for `column`, if any, checked.
    pub fn calibration(&self, column: &str) -> Option<Result<Calibration, (String, String)>> {
        let v = self.calibration.get(column)?;
        let key = format!("qca.calibration.{column}");
        Some(match v.as_slice() {
            [t] => Ok(Calibration::Crisp { threshold: *t }),
            [e, c, i] => {
                let increasing = e < c && c < i;
                let decreasing = e > c && c > i;
                if increasing || decreasing {
                    Ok(Calibration::Fuzzy {
                        e: *e,
                        c: *c,
                        i: *i,
                    })
                } else {
                    Err((key, format!(
                        "anchors [{e}, {c}, {i}] are not strictly ordered (full non-membership, crossover, full membership; decreasing when the first is the largest)"
                    )))
                }
            }
            _ => Err((
                key,
                format!(
                    "{} values: give [e, c, i] anchors or one crisp threshold [t]",
                    v.len()
                ),
            )),
        })
    }
}
