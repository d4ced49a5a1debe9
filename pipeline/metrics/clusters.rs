//! The clusters of the adoption effects' standard errors (`[compare]
//! cluster`, docs/did.md): each unit's ancestor at the level where adoption
//! is assigned. Units under one street or county that adopted together are
//! not independent draws; clustering by unit would understate the standard
//! errors.
//!
//! `auto` takes the coarsest level at which the tree declares a unit's
//! model or adoption year (the warehouse's `model_declared`) and that still
//! splits the units into two or more clusters: in the sample, the county
//! declares the model and its streets the years, so the county. A level at
//! or below the analysis level, a level the tree does not have above the
//! units, or one cluster only: the units are their own clusters, and the
//! note says why (the report repeats it).

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use super::Unit;
use crate::config::ClusterLevel;
use crate::contract::Level;

/// The units' clusters, aligned with the units they were made for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Clusters {
    /// The level clustered at; `None`: by unit.
    pub level: Option<Level>,
    /// Each unit's cluster (an index into `labels`); empty by unit.
    pub of_unit: Vec<u32>,
    /// The clusters' codes, in code order.
    pub labels: Vec<String>,
    /// Why the units are their own clusters though another level was asked
    /// for or found, or how many units had no ancestor at the level.
    pub note: Option<String>,
    /// Why the units are their own clusters, for the reports to say in
    /// their language (`None`: they are not, or `unit` was asked).
    pub fallback: Option<Fallback>,
}

/// Why a run clusters by unit though `[compare] cluster` asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// `auto`: no level above the units declares a model or year.
    NoneDeclared,
    /// The level is the analysis level or finer.
    NotAbove,
    /// No unit has an ancestor at the level.
    NoLevel,
    /// Every unit is in one cluster.
    OneCluster,
}

impl Fallback {
    pub fn name(self) -> &'static str {
        match self {
            Fallback::NoneDeclared => "none_declared",
            Fallback::NotAbove => "not_above",
            Fallback::NoLevel => "no_level",
            Fallback::OneCluster => "one_cluster",
        }
    }
}

impl Clusters {
    /// By unit, with the reason.
    fn by_unit(fallback: Fallback, note: String) -> Clusters {
        Clusters {
            note: Some(note),
            fallback: Some(fallback),
            ..Clusters::default()
        }
    }

    /// How many clusters (`None`: by unit).
    pub fn count(&self) -> Option<usize> {
        self.level.map(|_| self.labels.len())
    }
}

/// The regions' tree as the walk needs it: parent index, level, declared.
struct Walk<'a> {
    codes: Vec<Option<&'a str>>,
    levels: Vec<Option<Level>>,
    parent: Vec<Option<usize>>,
    declared: Vec<bool>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Walk<'a> {
    fn new(
        codes: &'a StringChunked,
        levels: &'a StringChunked,
        parents: &'a StringChunked,
        declared: Vec<bool>,
    ) -> Walk<'a> {
        let codes: Vec<Option<&str>> = codes.iter().collect();
        let index: HashMap<&str, usize> = codes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|c| (c, i)))
            .collect();
        let parent = parents
            .iter()
            .map(|p| p.and_then(|p| index.get(p).copied()))
            .collect();
        Walk {
            levels: levels
                .iter()
                .map(|l| l.and_then(Level::from_name))
                .collect(),
            codes,
            parent,
            declared,
            index,
        }
    }

    /// The region and its ancestors, nearest first (at most 64 steps).
    fn up(&self, code: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.index.get(code).copied();
        while let Some(c) = cur {
            if out.len() > 64 {
                break;
            }
            out.push(c);
            cur = self.parent[c];
        }
        out
    }
}

/// Each unit's cluster at the level `want` asks for (`analysis`: the
/// units' own level).
pub fn clusters(
    regions: &DataFrame,
    units: &[Unit],
    want: ClusterLevel,
    analysis: Level,
) -> PolarsResult<Clusters> {
    let s = |c: &str| -> PolarsResult<StringChunked> { Ok(regions.column(c)?.str()?.clone()) };
    let (codes, levels, parents) = (s("region_code")?, s("level")?, s("parent_code")?);
    let declared: Vec<bool> = match regions.column("model_declared") {
        Ok(c) => c.bool()?.iter().map(|b| b == Some(true)).collect(),
        Err(_) => vec![false; regions.height()],
    };
    let walk = Walk::new(&codes, &levels, &parents, declared);
    let lineage: Vec<Vec<usize>> = units.iter().map(|u| walk.up(&u.code)).collect();
    let level = match want {
        ClusterLevel::Unit => return Ok(Clusters::default()),
        ClusterLevel::Level(l) => l,
        ClusterLevel::Auto => match auto_level(&walk, &lineage, analysis) {
            Some(l) => l,
            None => {
                return Ok(Clusters::by_unit(
                    Fallback::NoneDeclared,
                    "no level above the units declares a model or adoption year: standard errors clustered by unit".into(),
                ))
            }
        },
    };
    if level >= analysis {
        return Ok(Clusters::by_unit(
            Fallback::NotAbove,
            format!(
                "cluster level {} is not above the analysis level {}: standard errors clustered by unit",
                level.name(),
                analysis.name()
            ),
        ));
    }
    let made = at_level(&walk, units, &lineage, level);
    if made.labels.len() < 2 {
        return Ok(match made.labels.len() {
            0 => Clusters::by_unit(
                Fallback::NoLevel,
                format!(
                    "the tree has no {} above the units: standard errors clustered by unit",
                    level.name()
                ),
            ),
            _ => Clusters::by_unit(
                Fallback::OneCluster,
                format!(
                    "every unit is in one {} ({}): standard errors clustered by unit",
                    level.name(),
                    made.labels[0]
                ),
            ),
        });
    }
    Ok(made)
}

/// The coarsest level above `analysis` at which some unit's ancestor
/// declares a model or adoption year and which splits the units into two
/// or more clusters.
fn auto_level(walk: &Walk, lineage: &[Vec<usize>], analysis: Level) -> Option<Level> {
    let mut declaring: Vec<Level> = lineage
        .iter()
        .flatten()
        .filter(|&&r| walk.declared[r])
        .filter_map(|&r| walk.levels[r])
        .filter(|l| *l < analysis)
        .collect();
    declaring.sort();
    declaring.dedup();
    declaring.into_iter().find(|&l| {
        let mut seen: Vec<usize> = lineage
            .iter()
            .filter_map(|up| up.iter().copied().find(|&r| walk.levels[r] == Some(l)))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len() >= 2
    })
}

/// Each unit's ancestor at `level` (a unit without one is a cluster of
/// its own, counted in the note).
fn at_level(walk: &Walk, units: &[Unit], lineage: &[Vec<usize>], level: Level) -> Clusters {
    let mut own = 0usize;
    let codes: Vec<String> = units
        .iter()
        .zip(lineage)
        .map(
            |(u, up)| match up.iter().find(|&&r| walk.levels[r] == Some(level)) {
                Some(&r) => walk.codes[r].unwrap_or_default().to_string(),
                None => {
                    own += 1;
                    u.code.clone()
                }
            },
        )
        .collect();
    if own == units.len() {
        return Clusters::default();
    }
    let ids: BTreeMap<&str, u32> = {
        let mut m: BTreeMap<&str, u32> = codes.iter().map(|c| (c.as_str(), 0)).collect();
        for (k, v) in m.values_mut().enumerate() {
            *v = k as u32;
        }
        m
    };
    Clusters {
        level: Some(level),
        of_unit: codes.iter().map(|c| ids[c.as_str()]).collect(),
        labels: ids.keys().map(|c| c.to_string()).collect(),
        fallback: None,
        note: (own > 0).then(|| {
            format!(
                "{own} unit(s) without a {} above them are clusters of their own",
                level.name()
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-county tree: county A declares sinking, its two streets declare
    /// years; county B declares none; communities under the streets.
    fn tree() -> (DataFrame, Vec<Unit>) {
        let rows = [
            ("1", "country", None, false),
            ("11", "province", Some("1"), false),
            ("A", "county", Some("11"), true),
            ("B", "county", Some("11"), true),
            ("A1", "street", Some("A"), true),
            ("A2", "street", Some("A"), true),
            ("B1", "street", Some("B"), false),
            ("a11", "community", Some("A1"), false),
            ("a12", "community", Some("A1"), false),
            ("a21", "community", Some("A2"), false),
            ("b11", "community", Some("B1"), false),
        ];
        let df = df!(
            "region_code" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "level" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "parent_code" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "model_declared" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )
        .unwrap();
        let units = ["a11", "a12", "a21", "b11"]
            .iter()
            .map(|c| Unit {
                code: c.to_string(),
                name: c.to_string(),
                model: None,
                adopted: None,
                population: None,
                level: "community".into(),
                district: None,
                district_name: None,
                street: None,
                street_name: None,
            })
            .collect();
        (df, units)
    }

    #[test]
    fn auto_clusters_at_the_coarsest_declaring_level() {
        let (df, units) = tree();
        let c = clusters(&df, &units, ClusterLevel::Auto, Level::Community).unwrap();
        assert_eq!(c.level, Some(Level::County));
        assert_eq!(c.labels, ["A", "B"]);
        assert_eq!(c.of_unit, [0, 0, 0, 1]);
        assert_eq!(c.note, None);
    }

    #[test]
    fn a_named_level_clusters_on_its_ancestors() {
        let (df, units) = tree();
        let c = clusters(
            &df,
            &units,
            ClusterLevel::Level(Level::Street),
            Level::Community,
        )
        .unwrap();
        assert_eq!(c.labels, ["A1", "A2", "B1"]);
        assert_eq!(c.of_unit, [0, 0, 1, 2]);
    }

    #[test]
    fn one_cluster_or_a_level_not_above_the_units_clusters_by_unit() {
        let (df, units) = tree();
        let one = clusters(
            &df,
            &units,
            ClusterLevel::Level(Level::Province),
            Level::Community,
        )
        .unwrap();
        assert_eq!(one.count(), None);
        assert!(one.note.unwrap().contains("every unit is in one province"));
        assert_eq!(one.fallback, Some(Fallback::OneCluster));
        let below = clusters(
            &df,
            &units,
            ClusterLevel::Level(Level::Street),
            Level::Street,
        )
        .unwrap();
        assert_eq!(below.count(), None);
        assert!(below.note.unwrap().contains("not above the analysis level"));
        assert_eq!(below.fallback, Some(Fallback::NotAbove));
        let unit = clusters(&df, &units, ClusterLevel::Unit, Level::Community).unwrap();
        assert_eq!(unit, Clusters::default());
    }

    #[test]
    fn a_level_the_tree_lacks_clusters_by_unit_and_says_so() {
        let (df, units) = tree();
        let c = clusters(
            &df,
            &units,
            ClusterLevel::Level(Level::City),
            Level::Community,
        )
        .unwrap();
        assert_eq!(c.count(), None);
        assert!(c
            .note
            .unwrap()
            .contains("the tree has no city above the units"));
    }
}
