//! What a map colours, from the run's tables: per unit its index score, its
//! model, its resolution rate and cadre share_old in the period, and the
//! change in its resolution rate on the previous period; and the same for
//! a coarser region (a province tile, a county of the boundaries) as the
//! region's **figure** of the metric, the one every document uses
//! ([`super::super::counts`]): the resolution rate as Σ resolved / Σ
//! received, the cadre share as Σ old cadres / Σ cadres, the index as a
//! population-weighted mean, a change as the difference of two periods'
//! figures; its model the one covering most of its population.
//! GB/T 2260 codes nest, so a unit belongs to the region whose code is its
//! own code's prefix.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use polars::prelude::*;

use super::super::counts::{self, UnitCounts, Weight};
use super::super::format::Kind;
use super::super::{floats, query, strs, table, RenderError};

/// One thing a map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Index,
    Model,
    Resolution,
    ShareOld,
    ResolutionChange,
}

impl Measure {
    pub const ALL: [Measure; 5] = [
        Measure::Index,
        Measure::Model,
        Measure::Resolution,
        Measure::ShareOld,
        Measure::ResolutionChange,
    ];

    /// Its part of a chart's name.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Index => "index",
            Measure::Model => "model",
            Measure::Resolution => "resolution_rate",
            Measure::ShareOld => "share_old_cadre",
            Measure::ResolutionChange => "resolution_change",
        }
    }

    /// How its numbers are shown (None: categories).
    pub fn kind(self) -> Option<Kind> {
        match self {
            Measure::Index => Some(Kind::Score),
            Measure::Model => None,
            Measure::Resolution | Measure::ShareOld => Some(Kind::Share),
            Measure::ResolutionChange => Some(Kind::ShareChange),
        }
    }
}

/// The run's units and their values in the period (and the previous one).
pub struct UnitData {
    pub codes: Vec<String>,
    pub models: Vec<String>,
    pub population: Vec<Option<f64>>,
    pub period: String,
    pub previous: Option<String>,
    /// District (county-level) code → name, from the units table.
    pub districts: BTreeMap<String, String>,
    values: HashMap<&'static str, HashMap<String, f64>>,
    /// (code, period) → the counts behind the unit's rates.
    counts: HashMap<(String, String), UnitCounts>,
}

fn metric(
    dir: &Path,
    metric: &str,
    breakdown: &str,
    period: &str,
) -> Result<HashMap<String, f64>, RenderError> {
    let df = query(dir, "unit_metrics", |lf| {
        lf.filter(
            col("period")
                .eq(lit(period))
                .and(col("metric").eq(lit(metric)))
                .and(col("breakdown").fill_null(lit("")).eq(lit(breakdown))),
        )
        .select([col("region_code"), col("value")])
    })?;
    Ok(strs(&df, "region_code")
        .into_iter()
        .zip(floats(&df, "value"))
        .filter_map(|(c, v)| Some((c, v.filter(|v| v.is_finite())?)))
        .collect())
}

impl UnitData {
    /// Reads what the maps of `period` need from the run folder `dir`.
    pub fn read(dir: &Path, period: &str) -> Result<UnitData, RenderError> {
        let units = table(dir, "units")?;
        let periods = query(dir, "unit_metrics", |lf| {
            lf.select([col("period")])
                .unique(None, UniqueKeepStrategy::Any)
        })?;
        let mut ps = strs(&periods, "period");
        ps.sort();
        let previous = ps.iter().rfind(|p| p.as_str() < period).cloned();
        let scores = query(dir, "index_scores", |lf| {
            lf.filter(col("period").eq(lit(period)))
                .select([col("region_code"), col("score")])
        })?;
        let index: HashMap<String, f64> = strs(&scores, "region_code")
            .into_iter()
            .zip(floats(&scores, "score"))
            .filter_map(|(c, v)| Some((c, v?)))
            .collect();
        let resolution = metric(dir, "resolution_rate", "", period)?;
        let (change, before) = match &previous {
            Some(p) => {
                let before = metric(dir, "resolution_rate", "", p)?;
                let change = resolution
                    .iter()
                    .filter_map(|(c, v)| Some((c.clone(), v - before.get(c)?)))
                    .collect();
                (change, before)
            }
            None => (HashMap::new(), HashMap::new()),
        };
        let mut periods = vec![period.to_string()];
        periods.extend(previous.clone());
        let counts = counts::read(dir, &periods)?;
        let mut values = HashMap::new();
        values.insert("index", index);
        values.insert(
            "share_old_cadre",
            metric(dir, "share_old", "cadre", period)?,
        );
        values.insert("resolution_rate", resolution);
        values.insert("resolution_change", change);
        values.insert("resolution_before", before);
        let districts = strs(&units, "district")
            .into_iter()
            .zip(strs(&units, "district_name"))
            .filter(|(c, _)| !c.is_empty())
            .collect();
        Ok(UnitData {
            districts,
            codes: strs(&units, "region_code"),
            models: strs(&units, "governance_model"),
            population: floats(&units, "population"),
            period: period.to_string(),
            previous,
            values,
            counts,
        })
    }

    /// The units' values of `m` (None for the model, which is categorical).
    pub fn values(&self, m: Measure) -> Option<&HashMap<String, f64>> {
        self.values.get(m.key())
    }

    /// Each region's figure of `m` (module doc) per region prefix of
    /// `digits` digits, with how many units have a value.
    pub fn by_region(&self, m: Measure, digits: usize) -> BTreeMap<String, (f64, usize)> {
        match m {
            Measure::Model => BTreeMap::new(),
            Measure::ResolutionChange => {
                let Some(prev) = self.previous.as_deref() else {
                    return BTreeMap::new();
                };
                let now = self.figures("resolution_rate", &self.period, Weight::Received, digits);
                let before = self.figures("resolution_before", prev, Weight::Received, digits);
                now.into_iter()
                    .filter_map(|(k, (v, n))| Some((k.clone(), (v - before.get(&k)?.0, n))))
                    .collect()
            }
            Measure::Index => self.figures("index", &self.period, Weight::Population, digits),
            Measure::Resolution => {
                self.figures("resolution_rate", &self.period, Weight::Received, digits)
            }
            Measure::ShareOld => {
                self.figures("share_old_cadre", &self.period, Weight::Cadres, digits)
            }
        }
    }

    fn figures(
        &self,
        key: &str,
        period: &str,
        w: Weight,
        digits: usize,
    ) -> BTreeMap<String, (f64, usize)> {
        let Some(v) = self.values.get(key) else {
            return BTreeMap::new();
        };
        let none = UnitCounts::default();
        let mut by: BTreeMap<String, Vec<(f64, &UnitCounts)>> = BTreeMap::new();
        for code in &self.codes {
            let (Some(x), Some(p)) = (v.get(code), code.get(..digits)) else {
                continue;
            };
            let c = self
                .counts
                .get(&(code.clone(), period.to_string()))
                .unwrap_or(&none);
            by.entry(p.to_string()).or_default().push((*x, c));
        }
        by.into_iter()
            .filter_map(|(k, xs)| {
                let n = xs.len();
                Some((k, (counts::figure(xs, w)?, n)))
            })
            .collect()
    }

    /// The model covering most of each region's population (ties: the
    /// model first in name order).
    pub fn model_by_region(&self, digits: usize) -> BTreeMap<String, String> {
        let mut acc: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for (u, code) in self.codes.iter().enumerate() {
            let Some(p) = code.get(..digits) else {
                continue;
            };
            let m = if self.models[u].is_empty() {
                "none"
            } else {
                self.models[u].as_str()
            };
            let w = self.population[u].filter(|w| *w > 0.0).unwrap_or(1.0);
            *acc.entry(p.to_string())
                .or_default()
                .entry(m.to_string())
                .or_default() += w;
        }
        acc.into_iter()
            .filter_map(|(k, ms)| {
                let best = ms
                    .into_iter()
                    .fold(None::<(String, f64)>, |b, (m, w)| match b {
                        Some((bm, bw)) if bw >= w => Some((bm, bw)),
                        _ => Some((m, w)),
                    })?;
                Some((k, best.0))
            })
            .collect()
    }

    /// The units' level (all units of a run are of one).
    pub fn unit_level(&self) -> super::geo::Level {
        unit_level(&self.codes)
    }
}

/// The level of the finest of `codes` (a province unit's code is `110000`).
pub fn unit_level(codes: &[String]) -> super::geo::Level {
    codes
        .iter()
        .filter_map(|c| super::geo::code_prefix(c).map(|p| p.0))
        .max()
        .unwrap_or(super::geo::Level::Community)
}
