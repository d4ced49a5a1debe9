//! Group-level findings of contract §2: rows are kept, the finding is
//! reported. W_TOTAL and W_SHARE reconcile published totals and shares with
//! the bands; W_COVERAGE lists holes in a table's panel; W_REFERENCE (an
//! extension) flags county-and-above codes absent from GB/T 2260.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::contract::{Level, Rule, Table};
use crate::ingest::parse::{Band, Period};
use crate::ingest::quarantine::Finding;
use crate::ingest::validate::AgeRow;
use crate::regions::Region;

/// Running totals of one (region, period, role) group of member_ages.
#[derive(Debug, Default)]
pub struct AgeGroup {
    pub sum: f64,
    pub total: Option<f64>,
    /// (band, count, reported share) of every band row with a share.
    pub shares: Vec<(String, f64, f64)>,
}

/// Collects member_ages groups as rows are stored.
#[derive(Debug, Default)]
pub struct AgeReconciler {
    groups: BTreeMap<(String, Period, &'static str), AgeGroup>,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl AgeReconciler {
    pub fn add(&mut self, r: &AgeRow) {
        let g = self
            .groups
            .entry((r.code.clone(), r.period, r.role))
            .or_default();
        match r.band {
            Band::Total => g.total = Some(r.count),
            Band::Range { .. } => {
                g.sum += r.count;
                if let Some(s) = r.share {
                    g.shares.push((r.band.canonical(), r.count, s));
                }
            }
        }
    }

    /// W_TOTAL and W_SHARE findings, in (region, period, role) order.
    pub fn findings(&self, total_tolerance: f64, share_tolerance: f64) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((code, period, role), g) in &self.groups {
            let p = period.canonical();
            if let Some(total) = g.total {
                let diff = total - g.sum;
                if diff.abs() > total_tolerance + 1e-9 {
                    out.push(Finding {
                        table: Table::MemberAges,
                        rule: Rule::Total,
                        region_code: Some(code.clone()),
                        period: Some(p.clone()),
                        role: Some(role.to_string()),
                        band: Some("total".into()),
                        expected: Some(round6(g.sum)),
                        actual: Some(total),
                        message: format!(
                            "published total {total} differs from the sum of the bands {} by {} (tolerance {total_tolerance})",
                            round6(g.sum),
                            round6(diff)
                        ),
                    });
                }
            }
            let denom = g.total.unwrap_or(g.sum);
            if denom <= 0.0 {
                continue;
            }
            for (band, count, share) in &g.shares {
                let expected = round6(count / denom * 100.0);
                if (share - expected).abs() > share_tolerance + 1e-9 {
                    out.push(Finding {
                        table: Table::MemberAges,
                        rule: Rule::Share,
                        region_code: Some(code.clone()),
                        period: Some(p.clone()),
                        role: Some(role.to_string()),
                        band: Some(band.clone()),
                        expected: Some(expected),
                        actual: Some(*share),
                        message: format!(
                            "reported share {share}% differs from {count} / {} = {expected}% by more than {share_tolerance} points",
                            round6(denom)
                        ),
                    });
                }
            }
        }
        out
    }
}

/// Which (region, period) pairs a fact table holds, for W_COVERAGE.
#[derive(Debug, Default)]
pub struct Coverage {
    seen: HashMap<String, BTreeSet<Period>>,
    periods: BTreeSet<Period>,
}

impl Coverage {
    pub fn add(&mut self, code: &str, period: Period) {
        self.periods.insert(period);
        if let Some(s) = self.seen.get_mut(code) {
            s.insert(period);
        } else {
            self.seen.insert(code.to_string(), BTreeSet::from([period]));
        }
    }

    /// A finding for every region of the tree, at a level the table is
    /// reported at, that lacks a period some other region has.
    pub fn findings(&self, table: Table, regions: &[Region]) -> Vec<Finding> {
        let level_of: HashMap<&str, Level> = regions
            .iter()
            .map(|r| (r.row.code.as_str(), r.row.level))
            .collect();
        let levels: BTreeSet<Level> = self
            .seen
            .keys()
            .filter_map(|c| level_of.get(c.as_str()).copied())
            .collect();
        let mut holders: BTreeMap<Period, usize> = BTreeMap::new();
        for ps in self.seen.values() {
            for p in ps {
                *holders.entry(*p).or_default() += 1;
            }
        }
        let empty = BTreeSet::new();
        let mut out = Vec::new();
        for r in regions.iter().filter(|r| levels.contains(&r.row.level)) {
            let have = self.seen.get(&r.row.code).unwrap_or(&empty);
            for p in self.periods.difference(have) {
                out.push(Finding {
                    table,
                    rule: Rule::Coverage,
                    region_code: Some(r.row.code.clone()),
                    period: Some(p.canonical()),
                    role: None,
                    band: None,
                    expected: None,
                    actual: None,
                    message: format!(
                        "{} ({}) has no {table} data for {}, which {} other region(s) have",
                        r.row.code,
                        r.row.name,
                        p.canonical(),
                        holders.get(p).copied().unwrap_or(0)
                    ),
                });
            }
        }
        out
    }
}

/// W_REFERENCE: county-and-above codes that the GB/T 2260 list lacks.
pub fn reference_findings(regions: &[Region], reference: &HashMap<String, String>) -> Vec<Finding> {
    regions
        .iter()
        .filter(|r| r.row.level <= Level::County && r.row.level != Level::Country)
        .filter(|r| !reference.contains_key(&r.row.code))
        .map(|r| Finding {
            table: Table::Regions,
            rule: Rule::Reference,
            region_code: Some(r.row.code.clone()),
            period: None,
            role: None,
            band: None,
            expected: None,
            actual: None,
            message: format!(
                "{} ({}) is a {} code not in the GB/T 2260 reference list (NBS 2023)",
                r.row.code,
                r.row.name,
                r.row.level.name()
            ),
        })
        .collect()
}
