//! `govlens report --district CODE --period P`: one district's report as
//! a district office forwards it — key figures with the change on the
//! previous period and the district's rank among districts, every unit by
//! its name with the counts behind its rates, a league table by the index,
//! charts against the peers, every alert kind with its count and its worst
//! units, the age structure of members and cadres by street under
//! disclosure control ([`super::disclosure`]), data quality and an appendix
//! — built once as a [`Document`] and written as HTML, DOCX, XLSX and a
//! notebook under `<run>/district-CODE-P/`, from the run's tables only.
//!
//! A district's (or a peer group's) figure of a metric is the one
//! [`super::counts`] defines for every document: the ratio of summed
//! numerators and denominators for a rate.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::counts::{self, UnitCounts};
use super::disclosure::{self, Published, UnitAges, GROUPS, OLD};
pub use super::district_alerts::Alert;
use super::district_alerts::{self as rules, Rules, UnitValues};
use super::document::{Block, Card, Cell, Column, Document, Figure, Highlight, Table};
use super::format::{self, change_kind, metric_kind, Kind};
use super::labels::{self, label, model, period_label, period_title, Lang};
use super::{district_charts, find_run, floats, query, strs, table, RenderError};
use crate::config::Config;
use crate::warehouse::{self, Staging};

/// Per role: each unit's ages and what of them may be printed.
type Protected<'a> = BTreeMap<&'a str, (Vec<(usize, UnitAges)>, Published)>;

/// (unit, metric, breakdown) → value, for one period.
type Values = BTreeMap<(String, String, String), f64>;

/// The figures the report leads with, and which way is better.
const KEY_METRICS: [(&str, &str, bool); 6] = [
    ("score", "", true),
    ("resolution_rate", "", true),
    ("share_old", "cadre", false),
    ("share_young", "cadre", true),
    ("visits_per_1k", "", true),
    ("center_coverage", "", true),
];

/// The metrics read per unit: the key figures and the shares the age
/// table and the alerts need (the counts behind the rates come from
/// [`counts::read`]).
const READ: [&str; 6] = [
    "resolution_rate",
    "share_old",
    "share_young",
    "visits_per_1k",
    "center_coverage",
    "members",
];

/// Chinese or English, inline.
fn tx(lang: Lang, zh: &str, en: &str) -> String {
    if lang == Lang::Zh { zh } else { en }.to_string()
}

/// One period's metrics of every unit (unit_metrics for that period only:
/// the whole table is ~130M rows at national scale) and the index.
fn values(dir: &Path, period: &str) -> Result<Values, RenderError> {
    let metrics = Series::new("m".into(), READ.to_vec());
    let um = query(dir, "unit_metrics", |lf| {
        lf.filter(
            col("period")
                .eq(lit(period))
                .and(col("metric").is_in(lit(metrics).implode(false), false)),
        )
        .select([
            col("region_code"),
            col("metric"),
            col("breakdown"),
            col("value"),
        ])
    })?;
    let (c, m, b) = (
        strs(&um, "region_code"),
        strs(&um, "metric"),
        strs(&um, "breakdown"),
    );
    let v = floats(&um, "value");
    let mut out: Values = (0..um.height())
        .filter_map(|i| Some(((c[i].clone(), m[i].clone(), b[i].clone()), v[i]?)))
        .collect();
    let idx = query(dir, "index_scores", |lf| {
        lf.filter(col("period").eq(lit(period))).select([
            col("region_code"),
            col("score"),
            col("rank"),
        ])
    })?;
    let (ic, is, ir) = (
        strs(&idx, "region_code"),
        floats(&idx, "score"),
        floats(&idx, "rank"),
    );
    for i in 0..idx.height() {
        if let Some(s) = is[i] {
            out.insert((ic[i].clone(), "score".into(), String::new()), s);
        }
        if let Some(r) = ir[i] {
            out.insert((ic[i].clone(), "rank".into(), String::new()), r);
        }
    }
    Ok(out)
}

fn get(v: &Values, unit: &str, metric: &str, breakdown: &str) -> Option<f64> {
    v.get(&(unit.to_string(), metric.to_string(), breakdown.to_string()))
        .copied()
        .filter(|x| x.is_finite())
}

/// The run's units, as columns.
struct Units {
    code: Vec<String>,
    name: Vec<String>,
    model: Vec<String>,
    district: Vec<String>,
    district_name: Vec<String>,
    street: Vec<String>,
    street_name: Vec<String>,
}

impl Units {
    /// The district's units, by street, then by code.
    fn in_street_order(&self, district: &str) -> Vec<usize> {
        let mut mine: Vec<usize> = self.of(district).collect();
        mine.sort_by(|a, b| {
            street_key(self, *a)
                .cmp(&street_key(self, *b))
                .then(self.code[*a].cmp(&self.code[*b]))
        });
        mine
    }

    fn read(dir: &Path) -> Result<Units, RenderError> {
        let ut = table(dir, "units")?;
        // Runs made before the street columns: every unit its own street.
        let or_blank = |c: &str| crate::runs::strs_or_blank(&ut, c);
        Ok(Units {
            code: strs(&ut, "region_code"),
            name: strs(&ut, "region_name"),
            model: strs(&ut, "governance_model"),
            district: strs(&ut, "district"),
            district_name: strs(&ut, "district_name"),
            street: or_blank("street"),
            street_name: or_blank("street_name"),
        })
    }

    fn of<'a>(&'a self, district: &'a str) -> impl Iterator<Item = usize> + 'a {
        (0..self.code.len()).filter(move |&i| self.district[i] == district)
    }

    /// Every district's model: the one most of its units follow (one pass:
    /// a national run has ~2,800 districts over ~620,000 units).
    fn district_models(&self) -> BTreeMap<String, String> {
        majority_models(
            self.district
                .iter()
                .map(String::as_str)
                .zip(self.model.iter().map(String::as_str)),
        )
    }
}

/// Each district's model from (district, model) of every unit: the one
/// most of its units follow, the first in name order on a tie (the
/// district report and the dashboards say a district's model so).
pub(crate) fn majority_models<'a>(
    units: impl Iterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<String, String> {
    let mut n: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for (d, m) in units {
        *n.entry(d).or_default().entry(m).or_default() += 1;
    }
    n.into_iter()
        .map(|(d, models)| {
            let m = models
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(m, _)| m.to_string())
                .unwrap_or_default();
            (d.to_string(), m)
        })
        .collect()
}

/// One period's values and counts, and the figure of a set of units.
struct Period<'a> {
    values: Values,
    counts: &'a HashMap<(String, String), UnitCounts>,
    period: String,
}

impl Period<'_> {
    fn counts(&self, code: &str) -> Option<&UnitCounts> {
        self.counts.get(&(code.to_string(), self.period.clone()))
    }

    /// The figure of `metric` over the units `members` (contract B.13).
    fn figure(
        &self,
        units: &Units,
        members: impl Iterator<Item = usize>,
        m: &str,
        b: &str,
    ) -> Option<f64> {
        let w = counts::weight_of(m, b);
        counts::figure(
            members.filter_map(|i| {
                let c = &units.code[i];
                Some((get(&self.values, c, m, b)?, self.counts(c)?))
            }),
            w,
        )
    }

    /// Each unit's value of a metric with its counts, by index: what
    /// [`Period::figure`] reads, so that a figure of many sets of units is
    /// one pass each over it, the same sums in the same order.
    fn column(&self, units: &Units, m: &str, b: &str) -> Vec<Option<(f64, &UnitCounts)>> {
        (0..units.code.len())
            .map(|i| {
                let c = &units.code[i];
                Some((get(&self.values, c, m, b)?, self.counts(c)?))
            })
            .collect()
    }

    /// Every district's figure of a metric.
    fn district_figures(&self, units: &Units, m: &str, b: &str) -> BTreeMap<String, f64> {
        let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for i in 0..units.code.len() {
            by.entry(units.district[i].as_str()).or_default().push(i);
        }
        by.into_iter()
            .filter_map(|(d, ix)| Some((d.to_string(), self.figure(units, ix.into_iter(), m, b)?)))
            .collect()
    }
}

/// Rank (1 = best) of `district` among `among` by `means`.
fn rank_among(
    means: &BTreeMap<String, f64>,
    district: &str,
    among: &BTreeSet<String>,
    higher_better: bool,
) -> Option<(usize, usize)> {
    let mine = *means.get(district)?;
    let peers: Vec<f64> = among.iter().filter_map(|d| means.get(d).copied()).collect();
    let better = peers
        .iter()
        .filter(|v| {
            if higher_better {
                **v > mine
            } else {
                **v < mine
            }
        })
        .count();
    Some((better + 1, peers.len()))
}

/// The district's model as its subtitle and summary say it.
fn model_phrase(lang: Lang, m: &str) -> String {
    match (m, lang) {
        ("none" | "", Lang::Zh) => "未采用四种模式".into(),
        ("none" | "", Lang::En) => "none of the four models".into(),
        _ => model(lang, m),
    }
}

fn alert_label(lang: Lang, kind: &str) -> &'static str {
    label(lang, &format!("alert_{kind}"))
}

/// One role's age counts of the district's units (young, middle, old), from
/// its headcount and shares: the numbers the disclosure audit protects.
fn role_ages(
    units: &Units,
    mine: &[usize],
    streets: &BTreeMap<String, usize>,
    now: &Values,
    role: &str,
) -> Vec<(usize, UnitAges)> {
    mine.iter()
        .filter_map(|&i| {
            let c = &units.code[i];
            let n = get(now, c, "members", role)?.round();
            let y = (get(now, c, "share_young", role)? * n).round();
            let o = (get(now, c, "share_old", role)? * n).round();
            let street = *streets.get(&street_key(units, i))?;
            Some((
                i,
                UnitAges {
                    street,
                    counts: [y, (n - y - o).max(0.0), o],
                },
            ))
        })
        .collect()
}

/// A unit's street (its own code when the tree has no street level).
fn street_key(units: &Units, i: usize) -> String {
    if units.street[i].is_empty() {
        units.code[i].clone()
    } else {
        units.street[i].clone()
    }
}

fn street_label(units: &Units, i: usize) -> String {
    if units.street_name[i].is_empty() {
        units.name[i].clone()
    } else {
        units.street_name[i].clone()
    }
}

/// "2026-12-02" → 2026年12月2日.
fn date_label(lang: Lang, d: &str) -> String {
    let parts: Vec<&str> = d.split('-').collect();
    match (lang, parts.as_slice()) {
        (Lang::Zh, [y, m, dd]) => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            dd.trim_start_matches('0')
        ),
        _ => d.to_string(),
    }
}

/// Writes the district report; returns its folder and its alerts.
pub fn run(
    config: &Config,
    run: Option<&str>,
    district: &str,
    period: &str,
    lang: Lang,
) -> Result<(PathBuf, Vec<Alert>), RenderError> {
    super::font::register(None)?;
    let dir = find_run(&config.output, run)?;
    let manifest: serde_json::Value = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let simulated = manifest["simulated"].as_bool().unwrap_or(false);
    let units = Units::read(&dir)?;
    let (districts, periods) = check_request(&dir, &units, district, period)?;
    let previous = periods.range(..period.to_string()).next_back().cloned();
    let shown_periods: Vec<String> = periods.range(..=period.to_string()).cloned().collect();
    let unit_counts = counts::read(&dir, &shown_periods)?;
    let now = Period {
        values: values(&dir, period)?,
        counts: &unit_counts,
        period: period.to_string(),
    };
    let before = Period {
        values: match previous.as_deref() {
            Some(p) => values(&dir, p)?,
            None => Values::default(),
        },
        counts: &unit_counts,
        period: previous.clone().unwrap_or_default(),
    };
    let mine = units.in_street_order(district);
    let models_of = units.district_models();
    let my_model = models_of.get(district).cloned().unwrap_or_default();
    let dname = units
        .district_name
        .get(mine[0])
        .cloned()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| district.to_string());
    let zh = lang == Lang::Zh;
    let plabel = period_label(lang, period);
    let cfg = &config.report;
    let min = config.privacy.min_count;
    let same_model: BTreeSet<String> = districts
        .iter()
        .filter(|d| models_of.get(*d) == Some(&my_model))
        .cloned()
        .collect();

    // Disclosure control of the age counts, per role (module disclosure).
    let ages = protect_ages(&units, &mine, &now.values, min);

    let scope = Scope {
        units: &units,
        mine: &mine,
        district,
        districts: &districts,
        same_model: &same_model,
        my_model: &my_model,
        now: &now,
        before: &before,
        cfg,
        lang,
    };
    let (mut parts, alerts) = body(&scope, &ages, &dir, &dname, period, config)?;
    let groups = scope.peer_groups();
    let in_group = |g: &str, i: usize| scope.in_group(g, i);

    // Charts into the report's own folder.
    let target = dir.join(format!("district-{district}-{period}"));
    let staging = Staging::new(&target)?;
    let charts = staging.dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| warehouse::WarehouseError::Io {
        path: charts.clone(),
        source,
    })?;
    let drawn = draw_charts(
        &Drawing {
            dir: &dir,
            charts: &charts,
            units: &units,
            now: &now,
            district,
            period,
            lang,
            simulated,
        },
        &groups,
        &in_group,
        &shown_periods,
        &unit_counts,
        config,
    )?;
    let (files, maps) = (drawn.files, drawn.maps);
    let (t_idx, t_trend) = (drawn.index_title, drawn.trend_title);

    parts.index_title = t_idx;
    parts.trend_title = t_trend;
    let mut blocks = sections(parts, &maps, lang);
    // A collection round of this district: its filing status after the
    // overview (who is missing, late, partial; the most problems).
    let filing = filing_section(config, district, period, &manifest, &dname, lang)?;
    let at = blocks
        .iter()
        .position(|b| matches!(b, Block::Note(_)))
        .map_or(0, |i| i + 1);
    blocks.splice(at..at, filing);
    let (doc, date, issuer) = district_document(
        &Heading {
            district,
            dname: &dname,
            plabel: &plabel,
            my_model: &my_model,
            previous: previous.as_deref(),
        },
        config,
        &manifest,
        blocks,
        simulated,
        lang,
    );
    for (name, bytes) in super::documents(&doc, &charts, "charts")? {
        warehouse::write_bytes(&staging.dir.join(name), &bytes)?;
    }
    let page = super::dashboard::build(
        &dir,
        config,
        super::dashboard::Scope::District {
            code: district,
            period,
        },
        lang,
    )?;
    warehouse::write_text(&staging.dir.join("dashboard.html"), &page)?;
    let suppressed: usize = ages
        .published
        .values()
        .map(|(_, p)| p.primary + p.secondary + p.district_hidden.iter().filter(|h| **h).count())
        .sum();
    let m = serde_json::json!({"district": district, "district_name": dname, "period": period, "lang": if zh { "zh" } else { "en" }, "alerts": alerts.len(), "suppressed": suppressed, "charts": files, "date": date, "issuer": issuer});
    warehouse::write_text(&staging.dir.join("manifest.json"), &(m.to_string() + "\n"))?;
    staging.publish()?;
    Ok((target, alerts))
}

/// Each district of `districts` in each of `periods` (in order): its
/// alerts as that district's report of that period lists them, under its
/// own disclosure of the cadre shares — for the dashboards
/// ([`super::dashboard`]). Returns (period, district, alerts).
pub(crate) fn alerts_of(
    dir: &Path,
    config: &Config,
    districts: &BTreeSet<String>,
    periods: &[String],
    lang: Lang,
) -> Result<Vec<(String, String, Vec<Alert>)>, RenderError> {
    let units = Units::read(dir)?;
    let all: BTreeSet<String> = units.district.iter().cloned().collect();
    let models_of = units.district_models();
    let unit_counts = counts::read(dir, periods)?;
    let withheld = tx(lang, "*", "*");
    let mut out = Vec::new();
    let mut before = Period {
        values: Values::default(),
        counts: &unit_counts,
        period: String::new(),
    };
    for p in periods {
        let now = Period {
            values: values(dir, p)?,
            counts: &unit_counts,
            period: p.clone(),
        };
        let old_now = now.column(&units, "share_old", "cadre");
        let old_before = before.column(&units, "share_old", "cadre");
        for d in districts {
            let mine = units.in_street_order(d);
            if mine.is_empty() {
                continue;
            }
            let my_model = models_of.get(d).cloned().unwrap_or_default();
            let scope = Scope {
                units: &units,
                mine: &mine,
                district: d,
                districts: &all,
                same_model: &all,
                my_model: &my_model,
                now: &now,
                before: &before,
                cfg: &config.report,
                lang,
            };
            // The other districts' rise, as unit_alerts sums it.
            let w = counts::weight_of("share_old", "cadre");
            let others = |col: &[Option<(f64, &UnitCounts)>]| {
                let of = (0..units.code.len()).filter(|&i| units.district[i] != *d);
                counts::figure(of.filter_map(|i| col[i]), w)
            };
            let peer_rise = others(&old_now)
                .zip(others(&old_before))
                .map(|(a, b)| a - b);
            // The disclosure audit (the costly part) only where an alert
            // would print a cadre share.
            let (mut alerts, _) = unit_alerts_with(&scope, peer_rise, &|_| false, &withheld);
            if alerts
                .iter()
                .any(|a| !a.printable && matches!(a.kind, "cadres_old" | "ageing_faster"))
            {
                let ages = protect_ages(&units, &mine, &now.values, config.privacy.min_count);
                alerts = unit_alerts_with(&scope, peer_rise, &|i| ages.share_ok(i), &withheld).0;
            }
            out.push((p.clone(), d.clone(), alerts));
        }
        before = now;
    }
    Ok(out)
}

/// The district report's 报送情况 section: the collection round of this
/// district in the run's own warehouse, when it lies inside the report's
/// period (none otherwise): whether it is still open, the status blocks of
/// 报送情况, and where the lists are.
fn filing_section(
    config: &Config,
    district: &str,
    period: &str,
    manifest: &serde_json::Value,
    dname: &str,
    lang: Lang,
) -> Result<Vec<Block>, RenderError> {
    let Some(c) = config
        .collection
        .as_ref()
        .filter(|c| c.district == district)
    else {
        return Ok(Vec::new());
    };
    if !config.warehouse.join("_filing.parquet").is_file() {
        return Ok(Vec::new());
    }
    let round = super::returns::Round::read(&config.warehouse, config)?;
    let same_run = manifest["warehouse_run_id"].as_str() == Some(round.manifest.run_id.as_str());
    let inside = match (
        c.period,
        crate::contract::grammar::parse_period(period).ok(),
    ) {
        (Some(r), Some(p)) => r.start() >= p.start() && r.end() <= p.end(),
        _ => true,
    };
    if !(same_run && inside) {
        return Ok(Vec::new());
    }
    let mut filing = vec![Block::Heading(tx(
        lang,
        &format!("报送情况（{}）", round.period_shown),
        &format!("Filing ({})", round.period),
    ))];
    // An open round first: this report's figures leave out what has not
    // come or was not taken.
    if let Some((missing, lists)) = super::returns::still_open(&round) {
        filing.push(Block::Paragraph(tx(
            lang,
            &format!(
                "本期报送尚未完成：{missing} 个单位缺报，{lists} 个单位的报表已退回修改、尚未改正。本报告的数字只含已采用的数据，缺报和未采用的行不在其中；待各单位报齐、改正后重新生成再上报。"
            ),
            &format!(
                "This round is still open: {missing} unit(s) have not filed and {lists} have returns sent back for correction. The figures in this report hold only the rows taken; rerun it once every unit has filed and corrected."
            ),
        )));
    }
    filing.extend(super::returns::status_blocks(&round, lang));
    filing.push(Block::Note(tx(
        lang,
        &format!(
            "应报单位：{dname}下的各{}。各单位的退回修改清单和报送情况表与本报告一同生成（returns/{}/）。",
            if c.level == crate::contract::Level::Street { "乡镇街道" } else { "单位" },
            round.period
        ),
        &format!(
            "Units expected: every {} of {dname}. Each unit's correction list and the status workbook are made with this report (returns/{}/).",
            c.level.name(),
            round.period
        ),
    )));
    Ok(filing)
}

/// The district has units in this run and the period is one of its
/// periods: the run's districts and periods.
fn check_request(
    dir: &Path,
    units: &Units,
    district: &str,
    period: &str,
) -> Result<(BTreeSet<String>, BTreeSet<String>), RenderError> {
    let districts: BTreeSet<String> = units
        .district
        .iter()
        .filter(|d| !d.is_empty())
        .cloned()
        .collect();
    if !districts.contains(district) {
        return Err(RenderError::NoDistrict {
            district: district.to_string(),
            why: if district.len() != 6 || !district.bytes().all(|b| b.is_ascii_digit()) {
                "is not a county-level code (区/县: six digits of GB/T 2260)".into()
            } else {
                "has no units in this run".into()
            },
            available: districts.iter().cloned().collect::<Vec<_>>().join(", "),
        });
    }
    let periods = super::distinct(dir, "period")?;
    if !periods.contains(period) {
        return Err(RenderError::NoPeriod {
            period: period.to_string(),
            available: periods.iter().cloned().collect::<Vec<_>>().join(", "),
        });
    }
    Ok((districts, periods))
}

/// The age counts of the district's units by street, protected per role
/// (module disclosure): the streets' names in their index order, and each
/// role's counts with what may be published.
fn protect_ages(units: &Units, mine: &[usize], values: &Values, min: f64) -> Ages {
    let streets: BTreeMap<String, usize> = {
        let keys: Vec<String> = mine.iter().map(|&i| street_key(units, i)).collect();
        disclosure::street_index(keys.iter().map(String::as_str))
    };
    let street_names: Vec<String> = {
        let mut v = vec![String::new(); streets.len()];
        for &i in mine {
            v[streets[&street_key(units, i)]] = street_label(units, i);
        }
        v
    };
    let mut published: Protected = BTreeMap::new();
    for role in ["cadre", "member"] {
        let ages = role_ages(units, mine, &streets, values, role);
        let only: Vec<UnitAges> = ages.iter().map(|(_, a)| *a).collect();
        let p = disclosure::protect(&only, streets.len(), min);
        published.insert(role, (ages, p));
    }
    // May unit i's cadre share of the old be printed?
    let cadre_share_ok: BTreeMap<usize, bool> = {
        let (ages, p) = &published["cadre"];
        ages.iter()
            .zip(&p.unit_share)
            .map(|((i, _), ok)| (*i, *ok))
            .collect()
    };
    Ages {
        street_names,
        published,
        cadre_share_ok,
    }
}

/// The district's age counts, protected.
struct Ages {
    /// The streets' names in their index order.
    street_names: Vec<String>,
    /// Each role's counts by unit and what of them may be published.
    published: Protected<'static>,
    cadre_share_ok: BTreeMap<usize, bool>,
}

impl Ages {
    /// May unit i's cadre share of the old be printed?
    fn share_ok(&self, i: usize) -> bool {
        self.cadre_share_ok.get(&i).copied().unwrap_or(false)
    }

    /// A district figure of an age share is withheld with its cell.
    fn district_withheld(&self, m: &str, b: &str) -> bool {
        let Some((_, p)) = self.published.get(b) else {
            return false;
        };
        match m {
            "share_old" => p.district_hidden[OLD],
            "share_young" => p.district_hidden[0],
            _ => false,
        }
    }
}

/// What the district's charts are drawn from and into.
struct Drawing<'a> {
    dir: &'a Path,
    charts: &'a Path,
    units: &'a Units,
    now: &'a Period<'a>,
    district: &'a str,
    period: &'a str,
    lang: Lang,
    simulated: bool,
}

/// The charts drawn, their titles and the maps.
struct Drawn {
    files: Vec<String>,
    index_title: String,
    trend_title: String,
    maps: super::maps::DistrictMaps,
}

/// The district report's charts (the index ranked, the resolution rate's
/// trend by peer group) and its maps, into `d.charts`.
fn draw_charts(
    d: &Drawing,
    groups: &[&str],
    in_group: &dyn Fn(&str, usize) -> bool,
    shown_periods: &[String],
    unit_counts: &HashMap<(String, String), UnitCounts>,
    config: &Config,
) -> Result<Drawn, RenderError> {
    let (dir, charts, units, now, district, period, lang, simulated) = (
        d.dir,
        d.charts,
        d.units,
        d.now,
        d.district,
        d.period,
        d.lang,
        d.simulated,
    );
    let size = Size {
        width: 1000,
        height: 560,
    };
    let mut files = Vec::new();
    let legend = (label(lang, "this_district"), label(lang, "all_others"));
    let bars = |metric: &str| -> Vec<(f64, bool)> {
        let mut v: Vec<(f64, bool)> = (0..units.code.len())
            .filter_map(|i| {
                Some((
                    get(&now.values, &units.code[i], metric, "")?,
                    units.district[i] == district,
                ))
            })
            .collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0));
        v
    };
    let idx_bars = bars("score");
    let t_idx = period_title(lang, "district_index_title", period, simulated);
    both!(
        charts,
        "index_ranked",
        size,
        files,
        district_charts::ranked_bars,
        &idx_bars,
        &t_idx,
        &labels::metric(lang, "score", ""),
        false,
        legend
    );
    // The resolution rate over every period up to this one, as figures.
    let series = trend_series(
        dir,
        units,
        groups,
        &in_group,
        shown_periods,
        unit_counts,
        lang,
    )?;
    let shown_labels: Vec<String> = shown_periods
        .iter()
        .map(|p| period_label(lang, p))
        .collect();
    let t_trend = labels::titled(lang, "district_trend_title", simulated);
    both!(
        charts,
        "resolution_trend",
        size,
        files,
        district_charts::comparison,
        &shown_labels,
        &series,
        &t_trend,
        &labels::metric(lang, "resolution_rate", ""),
        true,
        lang
    );

    // Maps of the district's streets, when the config supplies boundaries.
    let maps = super::maps::district(dir, charts, config, district, period, lang, simulated)?;
    files.extend(maps.figures.iter().map(|m| m.chart.clone()));

    Ok(Drawn {
        files,
        index_title: t_idx,
        trend_title: t_trend,
        maps,
    })
}

/// The parts of a district's report, made.
struct Sections {
    overview: String,
    cards: Vec<Card>,
    /// The league table, its basis and its note.
    league: (Table, Table, String),
    peers: (Table, String),
    /// The alerts by kind, in detail, and their note.
    alerts: (Table, Table, String),
    ages: (Table, String),
    quality: Vec<Block>,
    index_title: String,
    trend_title: String,
}

/// The report's body in its order: overview and cards, the league, the
/// peers, the maps (when drawn), the alerts, the ages, data quality.
fn sections(p: Sections, maps: &super::maps::DistrictMaps, lang: Lang) -> Vec<Block> {
    let fig = |chart: &str, caption: &str| {
        Block::Figure(Figure {
            chart: chart.into(),
            caption: caption.into(),
        })
    };
    let mut blocks = vec![
        Block::Heading(label(lang, "overview").into()),
        Block::Paragraph(p.overview),
        Block::Cards(p.cards),
        Block::Note(figure_rule(lang)),
        Block::Heading(label(lang, "league_title").into()),
        fig("index_ranked", &p.index_title),
        Block::Table(p.league.0),
        Block::Table(p.league.1),
        Block::Note(p.league.2),
        Block::Heading(label(lang, "peers_title").into()),
        fig("resolution_trend", &p.trend_title),
        Block::Table(p.peers.0),
        Block::Note(p.peers.1),
    ];
    if !maps.figures.is_empty() || !maps.sentences.is_empty() {
        blocks.push(Block::Heading(label(lang, "maps_title").into()));
        blocks.extend(maps.figures.iter().map(|m| fig(&m.chart, &m.caption)));
        blocks.extend(maps.sentences.iter().map(|s| Block::Paragraph(s.clone())));
    }
    blocks.extend([
        Block::Heading(label(lang, "alerts_title").into()),
        Block::Table(p.alerts.0),
        Block::Table(p.alerts.1),
        Block::Note(p.alerts.2),
        Block::Heading(tx(
            lang,
            "党员与干部年龄结构（按乡镇街道）",
            "Ages of members and cadres, by street",
        )),
        Block::Table(p.ages.0),
        Block::Note(p.ages.1),
        Block::Heading(tx(lang, "数据质量", "Data quality")),
    ]);
    blocks.extend(p.quality);
    blocks
}

/// What the sections of a district's report share: the run's units, the
/// district's own (in street order), the districts and those of its model,
/// this period's and the previous one's values, the report settings.
struct Scope<'a> {
    units: &'a Units,
    mine: &'a [usize],
    district: &'a str,
    districts: &'a BTreeSet<String>,
    same_model: &'a BTreeSet<String>,
    my_model: &'a str,
    now: &'a Period<'a>,
    before: &'a Period<'a>,
    cfg: &'a crate::config::Report,
    lang: Lang,
}

/// The report's parts but its charts — cards, overview, league, peers,
/// alerts, ages, data quality — and its alerts.
fn body(
    scope: &Scope,
    ages: &Ages,
    dir: &Path,
    dname: &str,
    period: &str,
    config: &Config,
) -> Result<(Sections, Vec<Alert>), RenderError> {
    let lang = scope.lang;
    let plabel = period_label(lang, period);
    let min_text = format::text(Some(config.privacy.min_count), Kind::Count, lang);
    let withheld = tx(lang, "*", "*");
    let share_ok = |i: usize| ages.share_ok(i);
    let district_withheld = |m: &str, b: &str| ages.district_withheld(m, b);

    // 概况: the key figures as cards.
    let cards = cards(scope, &withheld, &district_withheld);

    // Alerts (module district_alerts).
    let (alerts, thresholds) = unit_alerts(scope, &share_ok, &withheld);
    let n_units = scope.mine.len();
    let summary = overview(scope, &alerts, dname, &plabel, ages.street_names.len());

    // The league table, by the index's overall rank.
    let (league, basis, league_note) =
        league_tables(scope, dir, period, &share_ok, &withheld, &min_text)?;

    // Peers: the district, the same model elsewhere, all others.
    let groups = scope.peer_groups();
    let lonely = !groups.contains(&"same_model");
    let in_group = |g: &str, i: usize| scope.in_group(g, i);
    let (peers, peers_note) = peers_table(
        scope,
        &groups,
        &in_group,
        lonely,
        period,
        &withheld,
        &district_withheld,
    );

    let (by_kind, detail, alerts_note) =
        alert_tables(&alerts, n_units, period, lang, &withheld, &thresholds);
    let ages_table = age_table(
        &ages.published,
        &ages.street_names,
        dname,
        period,
        lang,
        &withheld,
    );
    let ages_note = ages_note(
        &ages.published,
        scope.mine,
        &share_ok,
        &min_text,
        (config.metrics.young_below, config.metrics.old_from),
        lang,
    );

    // Data quality: what ingest quarantined or flagged, and units without data.
    let quality = data_quality(dir, scope.units, scope.mine, scope.now, lang)?;

    Ok((
        Sections {
            overview: summary,
            cards,
            league: (league, basis, league_note),
            peers: (peers, peers_note),
            alerts: (by_kind, detail, alerts_note),
            ages: (ages_table, ages_note),
            quality,
            index_title: String::new(),
            trend_title: String::new(),
        },
        alerts,
    ))
}

impl Scope<'_> {
    /// The peer groups: the district, the same model elsewhere (when
    /// another district has it), all others.
    fn peer_groups(&self) -> Vec<&'static str> {
        let mut groups = vec!["this_district", "same_model", "all_others"];
        if self.same_model.len() <= 1 {
            groups.retain(|g| *g != "same_model");
        }
        groups
    }

    /// Is unit i in peer group g?
    fn in_group(&self, g: &str, i: usize) -> bool {
        let d = &self.units.district[i];
        match g {
            "this_district" => d == self.district,
            "same_model" => d != self.district && self.same_model.contains(d),
            _ => d != self.district,
        }
    }
}

/// 概况: the key figures as cards — each with its change on the previous
/// period, its rank among the districts of its model and in all, and the
/// count it rests on; a figure without data or withheld says so.
fn cards(s: &Scope, withheld: &str, district_withheld: &dyn Fn(&str, &str) -> bool) -> Vec<Card> {
    let Scope {
        units,
        mine,
        district,
        districts,
        same_model,
        my_model,
        now,
        before,
        cfg,
        lang,
    } = *s;
    let zh = lang == Lang::Zh;
    let mut cards = Vec::new();
    for (m, b, higher) in KEY_METRICS {
        let means = now.district_figures(units, m, b);
        let Some(v) = means.get(district).copied() else {
            // No unit has the figure's denominator (no dispute received, no
            // cadre): the card says so rather than vanish.
            cards.push(Card {
                label: labels::metric(lang, m, b),
                value: "—".into(),
                lines: vec![tx(
                    lang,
                    "本期无数据（分母为 0 或未报送）",
                    "no data this period (nothing to divide by, or not filed)",
                )],
                alert: false,
                number: None,
            });
            continue;
        };
        let k = metric_kind(m);
        if district_withheld(m, b) {
            cards.push(Card {
                label: labels::metric(lang, m, b),
                value: withheld.to_string(),
                lines: vec![tx(
                    lang,
                    "为保护个人信息不公布",
                    "withheld to protect individuals",
                )],
                alert: false,
                number: None,
            });
            continue;
        }
        let mut lines = Vec::new();
        match before.district_figures(units, m, b).get(district) {
            Some(p) => lines.push(format!(
                "{} {}",
                tx(lang, "较上期", "vs previous"),
                format::text(Some(v - p), change_kind(m), lang)
            )),
            None => lines.push(label(lang, "no_previous").into()),
        }
        if let (Some((r1, n1)), Some((r2, n2))) = (
            rank_among(&means, district, same_model, higher),
            rank_among(&means, district, districts, higher),
        ) {
            lines.push(match (zh, n1 > 1) {
                (true, true) if my_model == "none" => {
                    format!("未采用模式的 {n1} 个区县中第 {r1}，全部 {n2} 个区县中第 {r2}")
                }
                (true, true) => format!("同模式 {n1} 个区县中第 {r1}，全部 {n2} 个区县中第 {r2}"),
                (true, false) => format!("全部 {n2} 个区县中第 {r2}"),
                (false, true) => {
                    format!("#{r1} of {n1} districts with its model, #{r2} of {n2} in all")
                }
                (false, false) => format!("#{r2} of {n2} districts"),
            });
        }
        // The count the figure rests on, under it.
        let total = |f: fn(&UnitCounts) -> Option<f64>| -> f64 {
            mine.iter()
                .filter_map(|&i| now.counts(&units.code[i]).and_then(f))
                .sum()
        };
        let n = |v: f64| format::text(Some(v), Kind::Count, lang);
        match (m, zh) {
            ("resolution_rate", true) => {
                lines.push(format!("受理 {} 件", n(total(|c| c.received))))
            }
            ("resolution_rate", false) => {
                lines.push(format!("{} disputes received", n(total(|c| c.received))))
            }
            ("share_old" | "share_young", true) => {
                lines.push(format!("干部 {} 人", n(total(|c| c.cadres))))
            }
            ("share_old" | "share_young", false) => {
                lines.push(format!("{} cadres", n(total(|c| c.cadres))))
            }
            ("visits_per_1k", true) => lines.push(format!(
                "服务 {} 人次，常住人口 {} 人",
                n(total(|c| c.visits)),
                n(total(|c| c.population))
            )),
            ("visits_per_1k", false) => lines.push(format!(
                "{} visits, {} residents",
                n(total(|c| c.visits)),
                n(total(|c| c.population))
            )),
            _ => {}
        }
        let alert = match (m, b) {
            ("resolution_rate", "") => v < cfg.resolution_rate_below,
            ("share_old", "cadre") => v > cfg.cadre_share_old_above,
            _ => false,
        };
        cards.push(Card {
            label: labels::metric(lang, m, b),
            value: format::text(Some(v), k, lang),
            lines,
            alert,
            number: Some((v, k)),
        });
    }

    cards
}

/// The alerts of the district's units (module district_alerts), in
/// severity order, each with its message.
fn unit_alerts(s: &Scope, share_ok: &dyn Fn(usize) -> bool, withheld: &str) -> (Vec<Alert>, Rules) {
    let others = || (0..s.units.code.len()).filter(|&i| s.units.district[i] != s.district);
    let peer_rise = s
        .now
        .figure(s.units, others(), "share_old", "cadre")
        .zip(s.before.figure(s.units, others(), "share_old", "cadre"))
        .map(|(a, b)| a - b);
    unit_alerts_with(s, peer_rise, share_ok, withheld)
}

/// [`unit_alerts`] with the other districts' rise of the cadre share old
/// given (the dashboards compute it for every district in one pass).
fn unit_alerts_with(
    s: &Scope,
    peer_rise: Option<f64>,
    share_ok: &dyn Fn(usize) -> bool,
    withheld: &str,
) -> (Vec<Alert>, Rules) {
    let Scope {
        units,
        mine,
        now,
        before,
        cfg,
        lang,
        ..
    } = *s;
    let thresholds = Rules {
        resolution_below: cfg.resolution_rate_below,
        old_above: cfg.cadre_share_old_above,
        ageing_margin: cfg.ageing_margin,
        peer_rise,
    };
    let no_counts = UnitCounts::default();
    let mut alerts: Vec<Alert> = Vec::new();
    for &i in mine {
        let u = units.code[i].as_str();
        let missing: Vec<String> = crate::contract::CENTER_TYPES
            .iter()
            .take(7)
            .filter(|(id, _)| get(&now.values, u, "visits_per_1k", id).is_none_or(|v| v <= 0.0))
            .map(|(id, _)| labels::centre(lang, id))
            .collect();
        let uv = UnitValues {
            code: u,
            name: units.name[i].as_str(),
            resolution: get(&now.values, u, "resolution_rate", ""),
            share_old: get(&now.values, u, "share_old", "cadre"),
            share_old_before: get(&before.values, u, "share_old", "cadre"),
            now: now.counts(u).unwrap_or(&no_counts),
            before: before.counts(u),
            missing,
            printable: share_ok(i),
        };
        alerts.extend(rules::of_unit(&uv, &thresholds));
    }
    rules::sort(&mut alerts);
    for a in &mut alerts {
        a.message = alert_message(a, lang, withheld);
    }

    (alerts, thresholds)
}

/// The overview's sentence: the district, its units and streets, its alerts
/// by kind, and the units beyond a threshold whose counts are too few to
/// say so (named as a number, so that the red cells of the tables and the
/// alerts agree).
fn overview(s: &Scope, alerts: &[Alert], dname: &str, plabel: &str, n_streets: usize) -> String {
    let Scope {
        units,
        mine,
        my_model,
        now,
        cfg,
        lang,
        ..
    } = *s;
    let zh = lang == Lang::Zh;
    let n_units = mine.len();
    let count_of = |k: &str| alerts.iter().filter(|a| a.kind == k).count();
    let mut summary = if zh {
        format!(
            "{dname}（{}）共有 {} 个社区（村），分布在 {} 个乡镇街道。{plabel}共有 {} 条预警：",
            model_phrase(lang, my_model),
            n_units,
            n_streets,
            alerts.len()
        )
    } else {
        format!(
            "{dname} ({}) has {} units in {} streets or townships, and {} alert(s) in {plabel}: ",
            model_phrase(lang, my_model),
            n_units,
            n_streets,
            alerts.len()
        )
    };
    summary.push_str(
        &rules::KINDS
            .iter()
            .map(|k| {
                if zh {
                    format!("{} {} 条", alert_label(lang, k), count_of(k))
                } else {
                    format!("{} {}", alert_label(lang, k), count_of(k))
                }
            })
            .collect::<Vec<_>>()
            .join(if zh { "、" } else { ", " }),
    );
    summary.push_str(if zh { "。" } else { "." });
    // Units beyond a threshold whose counts are too few to say so: named
    // as a number, so that the red cells of the tables and the alerts agree.
    let below = |m: &str, b: &str, t: f64, under: bool| {
        mine.iter()
            .filter(|&&i| {
                get(&now.values, &units.code[i], m, b).is_some_and(|v| {
                    if under {
                        v < t
                    } else {
                        v > t
                    }
                })
            })
            .count()
    };
    let quiet_res =
        below("resolution_rate", "", cfg.resolution_rate_below, true) - count_of("resolution_low");
    let quiet_old =
        below("share_old", "cadre", cfg.cadre_share_old_above, false) - count_of("cadres_old");
    if quiet_res + quiet_old > 0 {
        let (res_t, old_t) = (
            format::text(Some(cfg.resolution_rate_below), Kind::Share, lang),
            format::text(Some(cfg.cadre_share_old_above), Kind::Share, lang),
        );
        let mut parts = Vec::new();
        if quiet_res > 0 {
            parts.push(if zh {
                format!("调解成功率低于 {res_t} 的 {quiet_res} 个")
            } else {
                format!("{quiet_res} below a resolution rate of {res_t}")
            });
        }
        if quiet_old > 0 {
            parts.push(if zh {
                format!("干部年长占比高于 {old_t} 的 {quiet_old} 个")
            } else {
                format!("{quiet_old} above a cadre share old of {old_t}")
            });
        }
        summary.push_str(&if zh {
            format!(
                "另有{}单位，因受理数或干部人数少、不能排除偶然，未列为预警（表中以红色标出）。",
                parts.join("、")
            )
        } else {
            format!(
                " A further {} unit(s) rest on too few disputes or cadres to rule out chance and are not alerts (red in the tables).",
                parts.join(" and ")
            )
        });
    }

    summary
}

/// The league table (the district's units by the index's overall rank,
/// with their rank in the district, of all, its change and interval) and
/// the basis table (each unit's rates with the counts behind them), and the
/// note that reads them.
fn league_tables(
    s: &Scope,
    dir: &Path,
    period: &str,
    share_ok: &dyn Fn(usize) -> bool,
    withheld: &str,
    min_text: &str,
) -> Result<(Table, Table, String), RenderError> {
    let Scope {
        units,
        mine,
        now,
        before,
        cfg,
        lang,
        ..
    } = *s;
    let zh = lang == Lang::Zh;
    let n_units = mine.len();
    let ranked = query(dir, "index_scores", |lf| {
        lf.filter(col("period").eq(lit(period))).select([
            col("region_code"),
            col("rank_p05"),
            col("rank_p95"),
        ])
    })?;
    let interval: BTreeMap<String, (Option<f64>, Option<f64>)> = strs(&ranked, "region_code")
        .into_iter()
        .zip(
            floats(&ranked, "rank_p05")
                .into_iter()
                .zip(floats(&ranked, "rank_p95")),
        )
        .collect();
    let ranked_units = ranked.height();
    let mut league_rows = mine.to_vec();
    let overall =
        |i: &usize| get(&now.values, &units.code[*i], "rank", "").unwrap_or(f64::INFINITY);
    league_rows.sort_by(|a, b| {
        overall(a)
            .total_cmp(&overall(b))
            .then(units.code[*a].cmp(&units.code[*b]))
    });
    let multi_street = mine.iter().any(|&i| !units.street_name[i].is_empty());
    let mut columns = vec![
        Column::number(tx(lang, "区内排名", "rank in district"), Kind::Rank),
        Column::number(
            if zh {
                format!("全部 {ranked_units} 个单位中排名")
            } else {
                format!("rank of all {ranked_units} units")
            },
            Kind::Rank,
        ),
        Column::number(tx(lang, "名次较上期", "rank change"), Kind::RankChange),
        Column::text(label(lang, "unit")),
    ];
    if multi_street {
        columns.push(Column::text(tx(lang, "乡镇街道", "street")));
    }
    columns.extend([
        Column::number(labels::metric(lang, "score", ""), Kind::Score),
        Column::text(tx(
            lang,
            "排名区间（权重与方法）",
            "rank interval (weights, methods)",
        )),
    ]);
    let mut league = Table::new(
        &tx(lang, "单位排名", "Units ranked"),
        &period_title(lang, "league_title", period, false),
        columns,
    );
    let mut basis = basis_table(lang, period, cfg);
    for (k, &i) in league_rows.iter().enumerate() {
        let u = &units.code[i];
        let c = now.counts(u).copied().unwrap_or_default();
        let d = |m: &str, b: &str| Some(get(&now.values, u, m, b)? - get(&before.values, u, m, b)?);
        let iv = match interval.get(u).copied().unwrap_or((None, None)) {
            (Some(a), Some(b)) => format!("{a:.0}–{b:.0}"),
            _ => String::new(),
        };
        let has_rank = get(&now.values, u, "rank", "").is_some();
        let mut row = vec![
            Cell::Num(has_rank.then_some((k + 1) as f64)),
            Cell::Num(get(&now.values, u, "rank", "")),
            Cell::Num(
                get(&before.values, u, "rank", "")
                    .zip(get(&now.values, u, "rank", ""))
                    .map(|(b, a)| b - a),
            ),
            Cell::Named {
                name: units.name[i].clone(),
                code: u.clone(),
            },
        ];
        if multi_street {
            row.push(Cell::text(street_label(units, i)));
        }
        row.extend([Cell::Num(get(&now.values, u, "score", "")), Cell::Text(iv)]);
        league.rows.push(row);
        let mut row = vec![Cell::Named {
            name: units.name[i].clone(),
            code: u.clone(),
        }];
        row.extend([
            Cell::Num(get(&now.values, u, "resolution_rate", "")),
            Cell::Num(c.received),
            Cell::Num(d("resolution_rate", "")),
            if share_ok(i) {
                Cell::Num(get(&now.values, u, "share_old", "cadre"))
            } else {
                Cell::Text(withheld.to_string())
            },
            Cell::Num(c.cadres),
            Cell::Num(get(&now.values, u, "visits_per_1k", "")),
            Cell::Num(c.visits),
            Cell::Num(get(&now.values, u, "center_coverage", "")),
        ]);
        basis.rows.push(row);
    }
    let league_note = if zh {
        format!(
            "区内排名按治理效能指数在本区县 {n_units} 个单位中排列，全部排名在参与比较的全部 {ranked_units} 个单位中排列，1 为最好。排名区间为改变指标权重（±25%）、归一化与汇总方法时名次的 5%–95% 范围，未计入受理数、人数较少带来的逐年随机波动：受理数少的单位，调解成功率一年间相差数十个百分点并不罕见。干部年长占比标“*”者，因干部人数少、可推算出少于 {min_text} 人的年龄组而不公布。"
        )
    } else {
        format!(
            "Rank in district: by the index among the district's {n_units} units; rank of all: among all {ranked_units} units of the run; 1 is best. The rank interval is the 5–95% range of ranks when the weights (±25%), normalisation and aggregation change; it does not include the year-to-year noise of small counts: a unit with few disputes can move tens of points in a year. A cadre share old marked * is withheld: with few cadres it would reveal an age group below {min_text}."
        )
    };

    Ok((league, basis, league_note))
}

/// The league's companion: each unit's rates with the counts behind them
/// (no rows yet), the rates that cross an alert threshold highlighted.
fn basis_table(lang: Lang, period: &str, cfg: &crate::config::Report) -> Table {
    let mut basis_columns = vec![Column::text(label(lang, "unit"))];
    basis_columns.extend([
        Column::number(labels::metric(lang, "resolution_rate", ""), Kind::Share)
            .highlight(Highlight::Below(cfg.resolution_rate_below)),
        Column::number(tx(lang, "受理数（件）", "disputes received"), Kind::Count),
        Column::number(
            tx(lang, "调解成功率较上期", "resolution rate, change"),
            Kind::ShareChange,
        ),
        Column::number(labels::metric(lang, "share_old", "cadre"), Kind::Share)
            .highlight(Highlight::Above(cfg.cadre_share_old_above)),
        Column::number(tx(lang, "干部数（人）", "cadres"), Kind::Count),
        Column::number(labels::metric(lang, "visits_per_1k", ""), Kind::PerThousand),
        Column::number(tx(lang, "服务人次", "visits"), Kind::Count),
        Column::number(labels::metric(lang, "center_coverage", ""), Kind::Share),
    ]);
    Table::new(
        &tx(lang, "各单位指标与基数", "Units' rates and counts"),
        &format!(
            "{}{}",
            period_label(lang, period),
            tx(
                lang,
                "各单位主要指标及其基数（按排名）",
                " rates of each unit with the counts behind them (in rank order)"
            )
        ),
        basis_columns,
    )
}

/// The peers table: the district, the districts of its model, all others —
/// each group's figure of every key metric and the counts they rest on.
fn peers_table(
    s: &Scope,
    groups: &[&str],
    in_group: &dyn Fn(&str, usize) -> bool,
    lonely: bool,
    period: &str,
    withheld: &str,
    district_withheld: &dyn Fn(&str, &str) -> bool,
) -> (Table, String) {
    let Scope {
        units, now, lang, ..
    } = *s;
    let zh = lang == Lang::Zh;
    let mut peers = Table::new(
        &tx(lang, "同类比较", "Peers"),
        &period_title(lang, "peers_title", period, false),
        std::iter::once(Column::text(label(lang, "group")))
            .chain(
                KEY_METRICS
                    .iter()
                    .map(|(m, b, _)| Column::number(labels::metric(lang, m, b), metric_kind(m))),
            )
            .chain([
                Column::number(tx(lang, "受理数（件）", "disputes received"), Kind::Count),
                Column::number(tx(lang, "干部数（人）", "cadres"), Kind::Count),
                Column::number(tx(lang, "常住人口（人）", "residents"), Kind::Count),
            ])
            .collect(),
    );
    for g in groups {
        let mut row = vec![Cell::text(label(lang, g))];
        for (m, b, _) in KEY_METRICS {
            if *g == "this_district" && district_withheld(m, b) {
                row.push(Cell::Text(withheld.to_string()));
                continue;
            }
            row.push(Cell::Num(now.figure(
                units,
                (0..units.code.len()).filter(|&i| in_group(g, i)),
                m,
                b,
            )));
        }
        // The counts the group's rates rest on.
        let sum = |f: fn(&UnitCounts) -> Option<f64>| -> Option<f64> {
            let v: Vec<f64> = (0..units.code.len())
                .filter(|&i| in_group(g, i))
                .filter_map(|i| now.counts(&units.code[i]).and_then(f))
                .collect();
            (!v.is_empty()).then(|| v.iter().sum())
        };
        row.extend([
            Cell::Num(sum(|c| c.received)),
            Cell::Num(sum(|c| c.cadres)),
            Cell::Num(sum(|c| c.population)),
        ]);
        peers.rows.push(row);
    }
    let peers_note = format!(
        "{}{}",
        figure_rule(lang),
        match (lonely, zh) {
            (true, true) => "参与比较的区县中没有与本区县同模式的其他区县。",
            (true, false) => " No other district of this run follows the district's model.",
            _ => "",
        }
    );

    (peers, peers_note)
}

/// The note under the age table: what the disclosure rule withheld here,
/// and the bands' bounds (the whole table withheld says so first).
fn ages_note(
    published: &Protected,
    mine: &[usize],
    share_ok: &dyn Fn(usize) -> bool,
    min_text: &str,
    (young_below, old_from): (u32, u32),
    lang: Lang,
) -> String {
    let zh = lang == Lang::Zh;
    let hidden: usize = published
        .values()
        .map(|(_, p)| p.primary + p.secondary + p.district_hidden.iter().filter(|h| **h).count())
        .sum();
    // Only the cadres' shares are printed per unit.
    let withheld_shares = mine.iter().filter(|&&i| !share_ok(i)).count();
    // Every cell of the table withheld: the district is too small for
    // the rule to show anything, and the note says so first.
    let all_hidden = published.values().all(|(_, p)| {
        p.district_hidden.iter().all(|h| *h) && p.street_hidden.iter().all(|r| r.iter().all(|h| *h))
    });
    let lead = match (all_hidden, zh) {
        (true, true) => format!("本区县人数太少，按不少于 {min_text} 人的公布规则，年龄结构全部不公布。"),
        (true, false) => format!("The district is too small for any age group to be shown under the rule of at least {min_text} people. "),
        _ => String::new(),
    };
    lead + &if zh {
        format!(
            "为保护个人信息，少于 {min_text} 人的乡镇街道年龄组，以及可由本报告其他数字推算出这些年龄组的数字，均以“*”表示不公布（本表 {hidden} 个）；各单位的干部年长占比据此不公布 {withheld_shares} 个。青年为 {} 岁以下，年长为 {} 岁及以上。",
            young_below, old_from
        )
    } else {
        format!(
            "To protect individuals, a street's age group below {min_text}, and any number of this report from which one could be worked out, is withheld (*; {hidden} here); {withheld_shares} units' shares are withheld with them. Young: below {}; old: {} and above.",
            young_below, old_from
        )
    }
}

/// Who and what a district report is about, for its title and subtitle.
struct Heading<'a> {
    district: &'a str,
    dname: &'a str,
    plabel: &'a str,
    my_model: &'a str,
    previous: Option<&'a str>,
}

/// The district report as a Document: its title and subtitle (model,
/// period, previous period, issuer, date), the blocks, the definitions and
/// the appendix; and its date and issuer, for the manifest.
fn district_document(
    h: &Heading,
    config: &Config,
    manifest: &serde_json::Value,
    blocks: Vec<Block>,
    simulated: bool,
    lang: Lang,
) -> (Document, String, String) {
    let Heading {
        district,
        dname,
        plabel,
        my_model,
        previous,
    } = *h;
    let zh = lang == Lang::Zh;
    let cfg = &config.report;
    let min = config.privacy.min_count;
    let title = if zh {
        format!(
            "{dname}{}（{plabel}）",
            label(lang, "district_report_title")
        )
    } else {
        format!(
            "{}: {dname}, {plabel}",
            label(lang, "district_report_title")
        )
    };
    let date = super::document::report_date(cfg.date.as_deref());
    let issuer = cfg.issuer.clone().unwrap_or_else(|| dname.to_string());
    let doc = Document {
        lang,
        title: if simulated { labels::titled_text(lang, &title) } else { title },
        subtitle: if zh {
            format!(
                "{dname}（{district}）· 治理模式：{} · 统计期：{plabel} · 上期：{} · 生成单位：{issuer} · 报告日期：{}",
                model_phrase(lang, my_model),
                previous.map(|p| period_label(lang, p)).unwrap_or_else(|| "无".into()),
                date_label(lang, &date)
            )
        } else {
            format!(
                "{dname} ({district}) · model: {} · period: {plabel} · previous: {} · issued by {issuer} · {date}",
                model_phrase(lang, my_model),
                previous.map(|p| period_label(lang, p)).unwrap_or_else(|| "none".into()),
            )
        },
        banner: simulated.then(|| label(lang, "simulated_banner").to_string()),
        blocks,
        definitions: definitions(lang, cfg, min, (config.metrics.young_below, config.metrics.old_from)),
        provenance: appendix(manifest, lang),
        config: None,
        notebook_code: vec![format!(
            "# {}\nimport polars as pl\nimport pandas as pd\num = pl.read_parquet('../tables/unit_metrics.parquet')\nunits = pd.read_parquet('../tables/units.parquet')\nmine = units[units.district == '{district}']\nmine.head()",
            tx(lang, "在运行目录中打开本笔记本时，可读取本报告所用的表格（分析人员使用）", "Opened in the run folder, this reads the tables the report was made from (for analysts)")
        )],
        meta: super::document::Meta {
            author: issuer.clone(),
            date: date.clone(),
        },
    };
    (doc, date, issuer)
}

/// A line of a chart: its label and a value (or none) per period.
type Line = (String, Vec<Option<f64>>);

/// Each peer group's resolution rate, period by period up to this one: the
/// figure (Σ resolved / Σ received over its units), from the units' rates
/// and their counts.
fn trend_series(
    dir: &Path,
    units: &Units,
    groups: &[&str],
    in_group: &dyn Fn(&str, usize) -> bool,
    shown_periods: &[String],
    unit_counts: &HashMap<(String, String), counts::UnitCounts>,
    lang: Lang,
) -> Result<Vec<Line>, RenderError> {
    let trend = query(dir, "unit_metrics", |lf| {
        lf.filter(
            col("metric")
                .eq(lit("resolution_rate"))
                .and(col("breakdown").is_null()),
        )
        .select([col("region_code"), col("period"), col("value")])
    })?;
    let (tc, tp) = (strs(&trend, "region_code"), strs(&trend, "period"));
    let tv = floats(&trend, "value");
    let group_of: HashMap<&str, usize> = units
        .code
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let period_ix: BTreeMap<&str, usize> = shown_periods
        .iter()
        .enumerate()
        .map(|(k, p)| (p.as_str(), k))
        .collect();
    // (group, period) → (Σ resolved, Σ received): the figure, per year.
    let mut acc = vec![vec![(0.0, 0.0); shown_periods.len()]; groups.len()];
    for r in 0..trend.height() {
        let (Some(&k), Some(&i), Some(v)) = (
            period_ix.get(tp[r].as_str()),
            group_of.get(tc[r].as_str()),
            tv[r],
        ) else {
            continue;
        };
        let Some(n) = unit_counts
            .get(&(tc[r].clone(), tp[r].clone()))
            .and_then(|c| c.weight(counts::Weight::Received))
        else {
            continue;
        };
        for (g, key) in groups.iter().enumerate() {
            if in_group(key, i) {
                acc[g][k].0 += v * n;
                acc[g][k].1 += n;
            }
        }
    }
    Ok(groups
        .iter()
        .zip(acc)
        .map(|(key, sums)| {
            let pts = sums
                .into_iter()
                .map(|(s, n)| (n > 0.0).then(|| s / n))
                .collect();
            (label(lang, key).to_string(), pts)
        })
        .collect())
}

/// How a district's figure is made, said under the cards and the peers.
fn figure_rule(lang: Lang) -> String {
    tx(
        lang,
        "区县及比较组的数值为其所辖单位的合计口径：比率为分子之和除以分母之和（调解成功率 = 调解成功数之和 / 受理数之和，干部年长占比 = 年长干部数之和 / 干部数之和，千人服务人次 = 服务人次之和 / 常住人口之和 × 1000），治理效能指数与服务中心覆盖率按常住人口加权平均；本报告各处及上报的比较报告均用此口径。排名 1 为最好（干部年长占比越低越好）。",
        "A district's (or group's) figure pools its units: a rate is the sum of its numerators over the sum of its denominators (resolution rate = Σ resolved / Σ received, cadre share old = Σ old cadres / Σ cadres, visits per 1,000 = Σ visits / Σ population × 1,000); the index and centre coverage are population-weighted means. Every part of this report and the research report's maps use this figure. Rank 1 is best (a lower cadre share old is better).",
    )
}

/// An alert in words.
fn alert_message(a: &Alert, lang: Lang, withheld: &str) -> String {
    let zh = lang == Lang::Zh;
    let v = if a.printable {
        format::text(Some(a.value), a.value_kind, lang)
    } else {
        withheld.to_string()
    };
    let t = format::text(Some(a.against), a.value_kind, lang);
    let n = a
        .base
        .map(|n| format::text(Some(n), Kind::Count, lang))
        .unwrap_or_default();
    match (a.kind, zh) {
        ("resolution_low", true) => {
            format!("调解成功率 {v}（受理 {n} 件），95% 区间上限仍低于 {t}")
        }
        ("resolution_low", false) => {
            format!("resolution rate {v} of {n} disputes; even its 95% upper bound is below {t}")
        }
        ("cadres_old", true) => format!("干部年长占比 {v}（干部 {n} 人），95% 区间下限仍高于 {t}"),
        ("cadres_old", false) => {
            format!("cadre share old {v} of {n} cadres; even its 95% lower bound is above {t}")
        }
        ("ageing_faster", true) => {
            format!("干部年长占比上升 {v}（干部 {n} 人），其他区县平均 {t}，超出抽样波动")
        }
        ("ageing_faster", false) => format!(
            "cadre share old rose {v} ({n} cadres), other districts {t}; beyond sampling noise"
        ),
        (_, true) => format!("无服务人次：{}", a.missing.join("、")),
        (_, false) => format!("no visits at: {}", a.missing.join(", ")),
    }
}

/// The alerts by kind (every kind, with its count, rule and worst units)
/// and the detail: per kind the worst ten, the rest named in one row; a
/// kind that fires for most units is one line.
fn alert_tables(
    alerts: &[Alert],
    n_units: usize,
    period: &str,
    lang: Lang,
    withheld: &str,
    r: &Rules,
) -> (Table, Table, String) {
    let zh = lang == Lang::Zh;
    const SHOWN: usize = 10;
    let mut by_kind = Table::new(
        &tx(lang, "预警汇总", "Alerts by kind"),
        &period_title(lang, "alerts_by_kind", period, false),
        vec![
            Column::text(label(lang, "kind")),
            Column::number(tx(lang, "单位数", "units"), Kind::Count),
            Column::text(tx(lang, "规则", "rule")),
            Column::text(tx(lang, "最突出的单位", "worst units")),
        ],
    );
    let rule = |k: &str| alert_rule(k, r, lang);
    let mut detail = Table::new(
        &tx(lang, "预警明细", "Alerts"),
        &period_title(lang, "alerts_list", period, false),
        vec![
            Column::text(label(lang, "kind")),
            Column::text(label(lang, "unit")),
            Column::text(label(lang, "value")),
            Column::text(tx(lang, "阈值或对照", "threshold or peer")),
            Column::text(tx(lang, "依据", "based on")),
            Column::text(tx(lang, "说明", "detail")),
        ],
    );
    let mut folded = Vec::new();
    for k in rules::KINDS {
        let of: Vec<&Alert> = alerts.iter().filter(|a| a.kind == k).collect();
        let worst: Vec<String> = of.iter().take(3).map(|a| a.name.clone()).collect();
        by_kind.rows.push(vec![
            Cell::text(alert_label(lang, k)),
            Cell::Num(Some(of.len() as f64)),
            Cell::text(rule(k)),
            Cell::text(if worst.is_empty() {
                tx(lang, "无", "none")
            } else {
                worst.join(if zh { "、" } else { ", " })
            }),
        ]);
        if of.is_empty() {
            continue;
        }
        // Most units: one line, with how often each centre type is missing.
        if 2 * of.len() > n_units && k == "centres_missing" {
            detail.rows.push(folded_row(&of, n_units, lang));
            folded.push(alert_label(lang, k));
            continue;
        }
        for a in of.iter().take(SHOWN) {
            detail.rows.push(alert_row(a, lang, withheld));
        }
        if of.len() > SHOWN {
            let rest: Vec<String> = of[SHOWN..].iter().map(|a| a.name.clone()).collect();
            detail.rows.push(vec![
                Cell::text(alert_label(lang, k)),
                Cell::text(if zh {
                    format!("另有 {} 个", rest.len())
                } else {
                    format!("{} more", rest.len())
                }),
                Cell::text(""),
                Cell::text(""),
                Cell::text(""),
                Cell::text(rest.join(if zh { "、" } else { ", " })),
            ]);
        }
    }
    let note = if zh {
        format!(
            "每类预警都列出（按严重程度：{}），类内最突出者在前（同等者按区划代码），每类列前 {SHOWN} 个，其余在一行中列名；半数以上单位都有的服务中心缺项合为一行并列出各单位。调解成功率与干部年长占比的预警只在人数足以说明问题时发出：按 95% 置信区间判断，受理数或干部数少、偶然一年偏离阈值的单位不预警，但在表中仍以红色标出。{}",
            rules::KINDS.iter().map(|k| alert_label(lang, k)).collect::<Vec<_>>().join("、"),
            if folded.is_empty() { String::new() } else { format!("合为一行的：{}。", folded.join("、")) }
        )
    } else {
        format!(
            "Every kind is listed, by severity ({}), the worst first, ten per kind and the rest named in one row; a centre alert that most units share is one line. Alerts on the resolution rate and the cadre share old fire only where the counts are large enough to say so (95% Wilson interval): a unit with few disputes or cadres that misses a threshold by chance in one year is not flagged.",
            rules::KINDS.iter().map(|k| alert_label(lang, k)).collect::<Vec<_>>().join(", ")
        )
    };
    (by_kind, detail, note)
}

/// The rule an alert kind fires on, in words, with the report's thresholds.
fn alert_rule(k: &str, r: &Rules, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let sh = |v: f64| format::text(Some(v), Kind::Share, lang);
    match (k, zh) {
        ("resolution_low", true) => format!("调解成功率 95% 区间上限低于 {}", sh(r.resolution_below)),
        ("resolution_low", false) => format!("the resolution rate's 95% upper bound below {}", sh(r.resolution_below)),
        ("cadres_old", true) => format!("干部年长占比 95% 区间下限高于 {}", sh(r.old_above)),
        ("cadres_old", false) => format!("the cadre share old's 95% lower bound above {}", sh(r.old_above)),
        ("ageing_faster", true) => format!(
            "干部年长占比上升超过其他区县平均 {} 个百分点以上，且超出抽样波动",
            format::fixed(r.ageing_margin * 100.0, 1)
        ),
        ("ageing_faster", false) => format!(
            "cadre share old rose more than {} points above the other districts' rise, beyond sampling noise",
            format::fixed(r.ageing_margin * 100.0, 1)
        ),
        (_, true) => "七类服务中心中有无服务人次者".into(),
        (_, false) => "a centre type of the seven without visits".into(),
    }
}

/// An alert kind most units share, as one row: how often each centre type
/// is missing, and the units.
fn folded_row(of: &[&Alert], n_units: usize, lang: Lang) -> Vec<Cell> {
    let zh = lang == Lang::Zh;
    let k = of[0].kind;
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for a in of {
        for t in &a.missing {
            *types.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut types: Vec<(&str, usize)> = types.into_iter().collect();
    types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let list = types
        .iter()
        .map(|(t, n)| {
            if zh {
                format!("{t} {n} 个")
            } else {
                format!("{t} {n}")
            }
        })
        .collect::<Vec<_>>()
        .join(if zh { "、" } else { ", " });
    let who = of
        .iter()
        .map(|a| {
            if zh {
                format!("{}（缺 {} 类）", a.name, a.missing.len())
            } else {
                format!("{} ({} missing)", a.name, a.missing.len())
            }
        })
        .collect::<Vec<_>>()
        .join(if zh { "、" } else { ", " });
    vec![
        Cell::text(alert_label(lang, k)),
        Cell::text(if zh {
            format!("{n_units} 个单位中 {} 个", of.len())
        } else {
            format!("{} of {n_units} units", of.len())
        }),
        Cell::text(""),
        Cell::text(""),
        Cell::text(""),
        Cell::text(if zh {
            format!("缺项类型：{list}。单位：{who}")
        } else {
            format!("types missing: {list}. Units: {who}")
        }),
    ]
}

/// One alert's row: the unit, its value (or `withheld`), the threshold or
/// peer figure, the count it rests on, the message.
fn alert_row(a: &Alert, lang: Lang, withheld: &str) -> Vec<Cell> {
    let zh = lang == Lang::Zh;
    let k = a.kind;
    let value = if a.printable {
        format::text(Some(a.value), a.value_kind, lang)
    } else {
        withheld.to_string()
    };
    let against = match a.kind {
        "centres_missing" => String::new(),
        _ => format::text(Some(a.against), a.value_kind, lang),
    };
    let base = match (a.kind, a.base, zh) {
        ("resolution_low", Some(n), true) => {
            format!("受理 {} 件", format::text(Some(n), Kind::Count, lang))
        }
        ("resolution_low", Some(n), false) => {
            format!("{} disputes", format::text(Some(n), Kind::Count, lang))
        }
        (_, Some(n), true) => {
            format!("干部 {} 人", format::text(Some(n), Kind::Count, lang))
        }
        (_, Some(n), false) => {
            format!("{} cadres", format::text(Some(n), Kind::Count, lang))
        }
        _ => String::new(),
    };
    vec![
        Cell::text(alert_label(lang, k)),
        Cell::Named {
            name: a.name.clone(),
            code: a.unit.clone(),
        },
        Cell::text(value),
        Cell::text(against),
        Cell::text(base),
        Cell::text(&a.message),
    ]
}

/// The age table: per role, a row per street and one for the district,
/// young / middle / old / total, hidden cells as `withheld`.
fn age_table(
    published: &Protected,
    street_names: &[String],
    dname: &str,
    period: &str,
    lang: Lang,
    withheld: &str,
) -> Table {
    let mut t = Table::new(
        &tx(lang, "年龄结构", "Ages"),
        &format!(
            "{}{}",
            period_label(lang, period),
            tx(
                lang,
                "党员与干部年龄结构（按乡镇街道）",
                " ages of members and cadres, by street"
            )
        ),
        vec![
            Column::text(tx(lang, "乡镇街道", "street")),
            Column::text(label(lang, "role")),
            Column::number(tx(lang, "青年（人）", "young"), Kind::Count),
            Column::number(tx(lang, "中年（人）", "middle"), Kind::Count),
            Column::number(tx(lang, "年长（人）", "old"), Kind::Count),
            Column::number(tx(lang, "合计（人）", "total"), Kind::Count),
        ],
    );
    for role in ["cadre", "member"] {
        let Some((ages, p)) = published.get(role) else {
            continue;
        };
        let mut sums = vec![[0.0; GROUPS]; street_names.len()];
        for (_, a) in ages {
            for (x, c) in sums[a.street].iter_mut().zip(a.counts) {
                *x += c;
            }
        }
        for (s, name) in street_names.iter().enumerate() {
            let mut row = vec![Cell::text(name), Cell::text(label(lang, role))];
            for (hidden, x) in p.street_hidden[s].iter().zip(sums[s]) {
                row.push(if *hidden {
                    Cell::text(withheld)
                } else {
                    Cell::Num(Some(x))
                });
            }
            row.push(Cell::Num(Some(sums[s].iter().sum())));
            t.rows.push(row);
        }
        let mut row = vec![
            Cell::text(tx(lang, &format!("{dname}合计"), &format!("{dname}, all"))),
            Cell::text(label(lang, role)),
        ];
        for g in 0..GROUPS {
            let total: f64 = sums.iter().map(|s| s[g]).sum();
            row.push(if p.district_hidden[g] {
                Cell::text(withheld)
            } else {
                Cell::Num(Some(total))
            });
        }
        row.push(Cell::Num(Some(sums.iter().flatten().sum())));
        t.rows.push(row);
    }
    t
}

/// 数据质量: what ingest quarantined or flagged (data_quality), and the
/// district's units without data this period.
fn data_quality(
    dir: &Path,
    units: &Units,
    mine: &[usize],
    now: &Period,
    lang: Lang,
) -> Result<Vec<Block>, RenderError> {
    let zh = lang == Lang::Zh;
    let dq = table(dir, "data_quality")?;
    let (tables, rules_, kinds) = (strs(&dq, "table"), strs(&dq, "rule"), strs(&dq, "kind"));
    let rows = floats(&dq, "rows");
    let total = |k: &str| -> f64 {
        (0..dq.height())
            .filter(|&i| kinds[i] == k)
            .filter_map(|i| rows[i])
            .sum()
    };
    let (q, f) = (total("quarantined"), total("finding"));
    let lacking = |m: &str, b: &str| {
        mine.iter()
            .filter(|&&i| get(&now.values, &units.code[i], m, b).is_none())
            .count()
    };
    let (no_disputes, no_visits, no_cadres) = (
        lacking("resolution_rate", ""),
        lacking("visits_per_1k", ""),
        lacking("members", "cadre"),
    );
    let n = |v: f64| format::text(Some(v), Kind::Count, lang);
    let mut out = vec![Block::Paragraph(if zh {
        format!(
            "入库检查（全部报表）：隔离不合格行 {} 行，发现问题 {} 条{}。本区县 {} 个单位中，本期无矛盾纠纷数据的 {} 个、无服务中心数据的 {} 个、无干部年龄数据的 {} 个。",
            n(q),
            n(f),
            if q + f == 0.0 { "，各表全部通过检查" } else { "，按表与规则列于下表" },
            mine.len(),
            no_disputes,
            no_visits,
            no_cadres
        )
    } else {
        format!(
            "Checks on loading (all returns): {} row(s) quarantined, {} finding(s){}. Of the district's {} units, {} have no dispute data this period, {} no service-centre data and {} no cadre ages.",
            n(q),
            n(f),
            if q + f == 0.0 { "; every table passed" } else { ", by table and rule below" },
            mine.len(),
            no_disputes,
            no_visits,
            no_cadres
        )
    })];
    if dq.height() > 0 {
        let mut t = Table::new(
            &tx(lang, "数据质量", "Data quality"),
            &tx(
                lang,
                "入库检查结果（按表与规则）",
                "Checks on loading, by table and rule",
            ),
            vec![
                Column::text(tx(lang, "报表", "table")),
                Column::text(tx(lang, "规则", "rule")),
                Column::text(label(lang, "kind")),
                Column::number(tx(lang, "行数", "rows"), Kind::Count),
            ],
        );
        for i in 0..dq.height() {
            t.rows.push(vec![
                Cell::text(&tables[i]),
                Cell::text(&rules_[i]),
                Cell::text(match (kinds[i].as_str(), zh) {
                    ("quarantined", true) => "隔离".to_string(),
                    ("finding", true) => "发现".to_string(),
                    (k, _) => k.to_string(),
                }),
                Cell::Num(rows[i]),
            ]);
        }
        out.push(Block::Table(t));
    }
    Ok(out)
}

/// Definitions of what this report contains, and nothing else.
fn definitions(
    lang: Lang,
    cfg: &crate::config::Report,
    min: f64,
    (young, old): (u32, u32),
) -> Vec<(String, String)> {
    let sh = |v: f64| format::text(Some(v), Kind::Share, lang);
    let pairs: Vec<(String, String)> = vec![
        (labels::metric(lang, "score", ""), tx(lang,
            "把调解、服务、干部队伍等各项指标统一方向后换算为 0–100 分，按三个方面平均得到；排名区间为改变指标权重（±25%）与计算方法后名次的变动范围（5%–95%）。",
            "Every indicator (disputes, services, cadres) turned the same way and scaled to 0–100, averaged within and across three pillars; the rank interval is the 5–95% range of ranks when the weights (±25%) and methods change.")),
        (labels::metric(lang, "resolution_rate", ""), tx(lang, "调解成功率 = 调解成功数 / 受理数；受理数为 0 时为空。", "resolution rate = disputes resolved / disputes received; empty when none were received.")),
        (tx(lang, "受理数", "disputes received"), tx(lang, "本期人民调解组织受理的矛盾纠纷件数（由每万人受理数与常住人口还原）。", "disputes received by people's mediation in the period (from the rate per 10,000 and the population).")),
        (labels::metric(lang, "share_old", "cadre"), if lang == Lang::Zh {
            format!("干部年长占比 = {old} 岁及以上干部人数 / 干部人数；干部青年占比 = {young} 岁以下干部人数 / 干部人数（跨越界限的年龄段按年数比例拆分）。")
        } else {
            format!("cadre share old = cadres aged {old} or above / cadres; share young = cadres below {young} / cadres (a band across a bound is split by its years).")
        }),
        (labels::metric(lang, "visits_per_1k", ""), label(lang, "def_visits").to_string()),
        (tx(lang, "区县数值", "a district's figure"), figure_rule(lang)),
        (tx(lang, "预警", "alerts"), tx(lang,
            &format!("调解成功率低于 {}、干部年长占比高于 {} 时，只在 95% Wilson 区间整体越过阈值时预警；干部老化加快须超出其他区县平均上升 {} 个百分点且超出抽样波动（两比例 z 检验，z > 1.96）；服务中心缺项指七类中心中有本期无服务人次者。", sh(cfg.resolution_rate_below), sh(cfg.cadre_share_old_above), format::fixed(cfg.ageing_margin * 100.0, 1)),
            &format!("Resolution rate below {} and cadre share old above {} alert only when the whole 95% Wilson interval is beyond the threshold; ageing faster needs a rise {} points above the other districts' and beyond sampling noise (two-proportion z > 1.96); centres missing: a centre type of the seven without visits this period.", sh(cfg.resolution_rate_below), sh(cfg.cadre_share_old_above), format::fixed(cfg.ageing_margin * 100.0, 1)))),
        (tx(lang, "个人信息保护", "protecting individuals"), tx(lang,
            &format!("少于 {} 人的乡镇街道、社区年龄组不公布，并隐去可据以推算出它们的其他数字（先隐去单位的干部年长占比，再隐去同行或同列最小的数字，直至任何不公布的数字都无法由本报告公布的数字算出）。", format::text(Some(min), Kind::Count, lang)),
            &format!("Age groups of streets and communities below {} people are withheld, with any other number they could be worked out from (first units' cadre shares, then the smallest number in the same row or column, until no withheld number follows from the printed ones).", format::text(Some(min), Kind::Count, lang)))),
    ];
    pairs
}

/// The appendix: where the numbers come from, in the reader's words.
fn appendix(manifest: &serde_json::Value, lang: Lang) -> Vec<(String, String)> {
    let get = |k: &str| {
        manifest[k]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| manifest[k].to_string())
    };
    let simulated = manifest["simulated"].as_bool().unwrap_or(false);
    let mut p = vec![
        (tx(lang, "运行编号", "run"), get("run_id")),
        (
            tx(lang, "数据仓库编号", "warehouse"),
            get("warehouse_run_id"),
        ),
        (
            tx(lang, "软件版本", "software"),
            format!("govlens {}", get("govlens_version")),
        ),
        (tx(lang, "随机种子", "random seed"), get("seed")),
        (
            tx(lang, "数据性质", "data"),
            match (simulated, lang) {
                (true, Lang::Zh) => "模拟数据".into(),
                (false, Lang::Zh) => "报送数据".into(),
                (true, Lang::En) => "simulated".into(),
                (false, Lang::En) => "returns as filed".into(),
            },
        ),
    ];
    if let Some(inputs) = manifest["input_hashes"].as_array() {
        for pair in inputs {
            let path = pair[0].as_str().unwrap_or("");
            let file = Path::new(path)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_else(|| path.to_string());
            let hash = pair[1].as_str().unwrap_or("");
            p.push((
                tx(lang, &format!("输入文件 {file}"), &format!("input {file}")),
                format!("{}{}", tx(lang, "校验值 ", "checksum "), hash),
            ));
        }
    }
    p
}

/// A chart size, as `both!` reads it.
struct Size {
    width: u32,
    height: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_chinese_dates() {
        assert_eq!(date_label(Lang::Zh, "2026-12-02"), "2026年12月2日");
    }
}
