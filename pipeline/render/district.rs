//! `govlens report --district CODE --period P`: one district's report as
//! a district office would write it — key figures with the change on the
//! previous period and the district's rank among districts, every unit by
//! its name, a league table by the index, charts against the peers, alerts
//! grouped by kind (worst first), the member-age cells with small cells
//! suppressed (contract §7), data quality and provenance — built once as a
//! [`Document`] and written as HTML, DOCX, XLSX and a notebook under
//! `<run>/district-CODE-P/`, from the run's tables only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use polars::prelude::*;

use super::document::{Block, Card, Cell, Column, Document, Figure, Highlight, Table};
use super::format::{self, change_kind, metric_kind, Kind};
use super::labels::{self, label, model, period_label, period_title, Lang};
use super::{content, district_charts, find_run, floats, query, strs, table, RenderError};
use crate::config::Config;
use crate::warehouse::{self, Staging};

/// One alert on one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The unit's code.
    pub unit: String,
    pub name: String,
    pub kind: &'static str,
    pub message: String,
    /// The unit's value and the threshold or peer value it is held to.
    pub value: f64,
    pub against: f64,
    pub value_kind: Kind,
    /// How bad it is, for ordering (larger = worse).
    pub severity: f64,
}

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

/// One period's key metrics of every unit (unit_metrics for that period
/// only: the whole table is ~130M rows at national scale) and the index.
fn values(dir: &Path, period: &str) -> Result<Values, RenderError> {
    let metrics = Series::new(
        "m".into(),
        KEY_METRICS.iter().map(|(m, _, _)| *m).collect::<Vec<_>>(),
    );
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
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = xs.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The run's units, as columns.
struct Units {
    code: Vec<String>,
    name: Vec<String>,
    model: Vec<String>,
    district: Vec<String>,
    district_name: Vec<String>,
}

impl Units {
    fn of<'a>(&'a self, district: &'a str) -> impl Iterator<Item = usize> + 'a {
        (0..self.code.len()).filter(move |&i| self.district[i] == district)
    }

    /// Each district's mean of a metric over its units.
    fn district_means(&self, v: &Values, metric: &str, b: &str) -> BTreeMap<String, f64> {
        let mut acc: BTreeMap<String, (f64, usize)> = BTreeMap::new();
        for i in 0..self.code.len() {
            if let Some(x) = get(v, &self.code[i], metric, b) {
                let e = acc.entry(self.district[i].clone()).or_default();
                e.0 += x;
                e.1 += 1;
            }
        }
        acc.into_iter()
            .map(|(d, (s, n))| (d, s / n as f64))
            .collect()
    }

    /// Every district's model: the one most of its units follow (one pass:
    /// a national run has ~2,800 districts over ~620,000 units).
    fn district_models(&self) -> BTreeMap<String, String> {
        let mut n: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for i in 0..self.code.len() {
            *n.entry(self.district[i].as_str())
                .or_default()
                .entry(self.model[i].as_str())
                .or_default() += 1;
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

fn alert_label(lang: Lang, kind: &str) -> &'static str {
    label(lang, &format!("alert_{kind}"))
}

/// The alerts of the district's units for the period.
fn alerts(
    config: &Config,
    units: &Units,
    district: &str,
    now: &Values,
    before: &Values,
    lang: Lang,
) -> Vec<Alert> {
    let cfg = &config.report;
    let zh = lang == Lang::Zh;
    let sh = |v: f64| format::text(Some(v), Kind::Share, lang);
    let pp = |v: f64| format::text(Some(v), Kind::ShareChange, lang);
    let peer_rise = mean(
        (0..units.code.len())
            .filter(|&i| units.district[i] != district)
            .filter_map(|i| {
                Some(
                    get(now, &units.code[i], "share_old", "cadre")?
                        - get(before, &units.code[i], "share_old", "cadre")?,
                )
            }),
    );
    let mut out = Vec::new();
    for i in units.of(district) {
        let (u, name) = (&units.code[i], &units.name[i]);
        let mut push = |kind, message, value, against, value_kind, severity| {
            out.push(Alert {
                unit: u.clone(),
                name: name.clone(),
                kind,
                message,
                value,
                against,
                value_kind,
                severity,
            })
        };
        if let Some(v) = get(now, u, "resolution_rate", "") {
            let t = cfg.resolution_rate_below;
            if v < t {
                let m = if zh {
                    format!("调解成功率 {}，低于 {}", sh(v), sh(t))
                } else {
                    format!("resolution rate {}, below {}", sh(v), sh(t))
                };
                push("resolution_low", m, v, t, Kind::Share, t - v);
            }
        }
        if let Some(v) = get(now, u, "share_old", "cadre") {
            let t = cfg.cadre_share_old_above;
            if v > t {
                let m = if zh {
                    format!("干部年长占比 {}，高于 {}", sh(v), sh(t))
                } else {
                    format!("cadre share old {}, above {}", sh(v), sh(t))
                };
                push("cadres_old", m, v, t, Kind::Share, v - t);
            }
        }
        let missing: Vec<String> = crate::contract::CENTER_TYPES
            .iter()
            .take(7)
            .filter(|(id, _)| get(now, u, "visits_per_1k", id).is_none_or(|v| v <= 0.0))
            .map(|(id, _)| labels::centre(lang, id))
            .collect();
        if !missing.is_empty() {
            let m = if zh {
                format!("无服务人次：{}", missing.join("、"))
            } else {
                format!("no visits at: {}", missing.join(", "))
            };
            let n = missing.len() as f64;
            push("centres_missing", m, n, 0.0, Kind::Count, n);
        }
        if let (Some(rise), Some(peer)) = (
            get(now, u, "share_old", "cadre")
                .zip(get(before, u, "share_old", "cadre"))
                .map(|(a, b)| a - b),
            peer_rise,
        ) {
            if rise > peer + cfg.ageing_margin {
                let m = if zh {
                    format!("干部年长占比上升 {}，其他区县平均 {}", pp(rise), pp(peer))
                } else {
                    format!(
                        "cadre share old rose {}, other districts {}",
                        pp(rise),
                        pp(peer)
                    )
                };
                push(
                    "ageing_faster",
                    m,
                    rise,
                    peer,
                    Kind::ShareChange,
                    rise - peer,
                );
            }
        }
    }
    out
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
    let ut = table(&dir, "units")?;
    let units = Units {
        code: strs(&ut, "region_code"),
        name: strs(&ut, "region_name"),
        model: strs(&ut, "governance_model"),
        district: strs(&ut, "district"),
        district_name: strs(&ut, "district_name"),
    };
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
    let periods = super::distinct(&dir, "period")?;
    if !periods.contains(period) {
        return Err(RenderError::NoPeriod {
            period: period.to_string(),
            available: periods.iter().cloned().collect::<Vec<_>>().join(", "),
        });
    }
    let previous = periods.range(..period.to_string()).next_back().cloned();
    let now = values(&dir, period)?;
    let before = match previous.as_deref() {
        Some(p) => values(&dir, p)?,
        None => Values::default(),
    };
    let mine: Vec<usize> = units.of(district).collect();
    let models_of = units.district_models();
    let my_model = models_of.get(district).cloned().unwrap_or_default();
    let dname = units
        .district_name
        .get(mine[0])
        .cloned()
        .unwrap_or_default();
    let dname = if dname.is_empty() {
        district.to_string()
    } else {
        dname
    };
    let zh = lang == Lang::Zh;
    let plabel = period_label(lang, period);
    let cfg = &config.report;
    let same_model: BTreeSet<String> = districts
        .iter()
        .filter(|d| models_of.get(*d) == Some(&my_model))
        .cloned()
        .collect();

    // 概况: the key figures as cards.
    let mut cards = Vec::new();
    for (m, b, higher) in KEY_METRICS {
        let means = units.district_means(&now, m, b);
        let Some(v) = means.get(district).copied() else {
            continue;
        };
        let k = metric_kind(m);
        let mut lines = Vec::new();
        match units.district_means(&before, m, b).get(district) {
            Some(p) => lines.push(format!(
                "{} {}",
                if zh { "较上期" } else { "vs previous" },
                format::text(Some(v - p), change_kind(m), lang)
            )),
            None => lines.push(label(lang, "no_previous").into()),
        }
        if let (Some((r1, n1)), Some((r2, n2))) = (
            rank_among(&means, district, &same_model, higher),
            rank_among(&means, district, &districts, higher),
        ) {
            lines.push(match (zh, n1 > 1) {
                (true, true) => format!("同模式 {n1} 个区县中第 {r1}，全部 {n2} 个中第 {r2}"),
                (true, false) => format!("全部 {n2} 个区县中第 {r2}"),
                (false, true) => format!("#{r1} of {n1} with its model, #{r2} of {n2} in all"),
                (false, false) => format!("#{r2} of {n2} districts"),
            });
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
        });
    }

    let alerts = {
        let mut a = alerts(config, &units, district, &now, &before, lang);
        let count = |k: &str, a: &[Alert]| a.iter().filter(|x| x.kind == k).count();
        let all = a.clone();
        a.sort_by(|x, y| {
            count(y.kind, &all)
                .cmp(&count(x.kind, &all))
                .then(x.kind.cmp(y.kind))
                .then(y.severity.total_cmp(&x.severity))
                .then(x.unit.cmp(&y.unit))
        });
        a
    };
    let kinds: Vec<&str> = {
        let mut k: Vec<&str> = alerts.iter().map(|a| a.kind).collect();
        k.dedup();
        k
    };

    let n_units = format::text(Some(mine.len() as f64), Kind::Count, lang);
    let n_alerts = format::text(Some(alerts.len() as f64), Kind::Count, lang);
    let mut summary = if zh {
        format!(
            "{dname}（{}）共有 {n_units} 个统计单位，{plabel}共有 {n_alerts} 条预警",
            model(lang, &my_model)
        )
    } else {
        format!(
            "{dname} ({}) has {n_units} units and {n_alerts} alert(s) in {plabel}",
            model(lang, &my_model)
        )
    };
    if let Some(k) = kinds.first() {
        let n = alerts.iter().filter(|a| a.kind == *k).count();
        summary.push_str(&if zh {
            format!("，其中“{}”最多（{n} 条）。", alert_label(lang, k))
        } else {
            format!(", most of them \"{}\" ({n}).", alert_label(lang, k))
        });
    } else {
        summary.push_str(if zh { "。" } else { "." });
    }

    // The league table, by the index's overall rank.
    let ranked = query(&dir, "index_scores", |lf| {
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
    let mut league_rows = mine.clone();
    league_rows.sort_by(|a, b| {
        let r = |i: &usize| get(&now, &units.code[*i], "rank", "").unwrap_or(f64::INFINITY);
        r(a).total_cmp(&r(b))
            .then(units.code[*a].cmp(&units.code[*b]))
    });
    let mut league = Table::new(
        label(lang, "league_title"),
        &period_title(lang, "league_title", period, false),
        vec![
            Column::number(label(lang, "rank"), Kind::Rank),
            Column::number(label(lang, "rank_change"), Kind::RankChange),
            Column::text(label(lang, "unit")),
            Column::number(labels::metric(lang, "score", ""), Kind::Score),
            Column::text(label(lang, "rank_interval")),
            Column::number(labels::metric(lang, "resolution_rate", ""), Kind::Share)
                .highlight(Highlight::Below(cfg.resolution_rate_below)),
            Column::number(label(lang, "change"), Kind::ShareChange),
            Column::number(labels::metric(lang, "share_old", "cadre"), Kind::Share)
                .highlight(Highlight::Above(cfg.cadre_share_old_above)),
            Column::number(label(lang, "change"), Kind::ShareChange),
            Column::number(labels::metric(lang, "visits_per_1k", ""), Kind::PerThousand),
            Column::number(labels::metric(lang, "center_coverage", ""), Kind::Share),
        ],
    );
    for &i in &league_rows {
        let u = &units.code[i];
        let d = |m: &str, b: &str| Some(get(&now, u, m, b)? - get(&before, u, m, b)?);
        let iv = interval.get(u).copied().unwrap_or((None, None));
        let iv = match iv {
            (Some(a), Some(b)) => format!("{a:.0}–{b:.0}"),
            _ => String::new(),
        };
        league.rows.push(vec![
            Cell::Num(get(&now, u, "rank", "")),
            Cell::Num(
                get(&before, u, "rank", "")
                    .zip(get(&now, u, "rank", ""))
                    .map(|(b, a)| b - a),
            ),
            Cell::Named {
                name: units.name[i].clone(),
                code: u.clone(),
            },
            Cell::Num(get(&now, u, "score", "")),
            Cell::Text(iv),
            Cell::Num(get(&now, u, "resolution_rate", "")),
            Cell::Num(d("resolution_rate", "")),
            Cell::Num(get(&now, u, "share_old", "cadre")),
            Cell::Num(d("share_old", "cadre")),
            Cell::Num(get(&now, u, "visits_per_1k", "")),
            Cell::Num(get(&now, u, "center_coverage", "")),
        ]);
    }

    // Peers: the district, the same model elsewhere, all others.
    let mut peers = Table::new(
        label(lang, "peers_title"),
        &period_title(lang, "peers_title", period, false),
        std::iter::once(Column::text(label(lang, "group")))
            .chain(
                KEY_METRICS
                    .iter()
                    .map(|(m, b, _)| Column::number(labels::metric(lang, m, b), metric_kind(m))),
            )
            .collect(),
    );
    type Member<'a> = Box<dyn Fn(usize) -> bool + 'a>;
    let groups: [(&str, Member); 3] = [
        ("this_district", Box::new(|i| units.district[i] == district)),
        (
            "same_model",
            Box::new(|i| units.district[i] != district && same_model.contains(&units.district[i])),
        ),
        ("all_others", Box::new(|i| units.district[i] != district)),
    ];
    // Without another district of its model the "same model" group is empty.
    let lonely = same_model.len() <= 1;
    let groups: Vec<(&str, Member)> = groups
        .into_iter()
        .filter(|(k, _)| !(lonely && *k == "same_model"))
        .collect();
    for (key, member) in &groups {
        let mut row = vec![Cell::text(label(lang, key))];
        for (m, b, _) in KEY_METRICS {
            row.push(Cell::Num(mean(
                (0..units.code.len())
                    .filter(|&i| member(i))
                    .filter_map(|i| get(&now, &units.code[i], m, b)),
            )));
        }
        peers.rows.push(row);
    }

    // Alerts: a count per kind with the worst case, then every alert.
    let mut by_kind = Table::new(
        label(lang, "alerts_by_kind"),
        &period_title(lang, "alerts_by_kind", period, false),
        vec![
            Column::text(label(lang, "kind")),
            Column::number(label(lang, "count"), Kind::Count),
            Column::text(label(lang, "worst")),
            Column::number(label(lang, "value"), Kind::Decimal),
        ],
    );
    for k in &kinds {
        let of: Vec<&Alert> = alerts.iter().filter(|a| a.kind == *k).collect();
        let worst = of[0];
        by_kind.rows.push(vec![
            Cell::text(alert_label(lang, k)),
            Cell::Num(Some(of.len() as f64)),
            Cell::Named {
                name: worst.name.clone(),
                code: worst.unit.clone(),
            },
            Cell::Value(Some(worst.value), worst.value_kind),
        ]);
    }
    let mut detail = Table::new(
        label(lang, "alerts_list"),
        &period_title(lang, "alerts_list", period, false),
        vec![
            Column::text(label(lang, "kind")),
            Column::text(label(lang, "unit")),
            Column::number(label(lang, "value"), Kind::Decimal),
            Column::number(label(lang, "threshold"), Kind::Decimal),
            Column::text(label(lang, "definitions")),
        ],
    );
    detail.columns[4].header = if zh { "说明".into() } else { "detail".into() };
    detail.shown = 40;
    for a in &alerts {
        detail.rows.push(vec![
            Cell::text(alert_label(lang, a.kind)),
            Cell::Named {
                name: a.name.clone(),
                code: a.unit.clone(),
            },
            Cell::Value(Some(a.value), a.value_kind),
            Cell::Value(Some(a.against), a.value_kind),
            Cell::text(&a.message),
        ]);
    }

    // Member-age cells, as published (small cells already suppressed).
    let bands = table(&dir, "member_bands")?;
    let my_codes: Vec<String> = mine.iter().map(|&i| units.code[i].clone()).collect();
    let my_bands = bands
        .lazy()
        .filter(col("period").eq(lit(period)).and(
            col("region_code").is_in(lit(Series::new("c".into(), my_codes)).implode(false), false),
        ))
        .collect()
        .map_err(|source| RenderError::Table {
            path: "member_bands".into(),
            source,
        })?;
    let (bc, br, bb) = (
        strs(&my_bands, "region_code"),
        strs(&my_bands, "role"),
        strs(&my_bands, "age_band"),
    );
    let bn = floats(&my_bands, "count");
    let bs: Vec<bool> = my_bands
        .column("suppressed")
        .ok()
        .and_then(|c| {
            c.bool()
                .ok()
                .map(|b| b.iter().map(|v| v.unwrap_or(false)).collect())
        })
        .unwrap_or_default();
    let name_of: BTreeMap<&str, &str> = units
        .code
        .iter()
        .zip(&units.name)
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    let min = format::text(Some(config.privacy.min_count), Kind::Count, lang);
    // One row per unit and role, one column per band (lowest band first).
    let mut band_names: Vec<String> = bb
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let lower = |b: &str| -> f64 {
        b.trim_start_matches('<')
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .map(|n: f64| if b.starts_with('<') { n - 100.0 } else { n })
            .unwrap_or(f64::INFINITY)
    };
    band_names.sort_by(|a, b| lower(a).total_cmp(&lower(b)).then(a.cmp(b)));
    let mut cells_t = Table::new(
        label(lang, "member_cells_title"),
        &period_title(lang, "member_cells_title", period, false),
        [
            Column::text(label(lang, "unit")),
            Column::text(label(lang, "role")),
        ]
        .into_iter()
        .chain(
            band_names
                .iter()
                .map(|b| Column::number(b.as_str(), Kind::Count)),
        )
        .collect(),
    );
    cells_t.shown = 80;
    let mut by_row: BTreeMap<(String, String), BTreeMap<String, Cell>> = BTreeMap::new();
    let mut suppressed = 0;
    for i in 0..my_bands.height() {
        let hidden = bs.get(i).copied().unwrap_or(false);
        suppressed += hidden as usize;
        let cell = if hidden {
            Cell::Text(format!("<{min}"))
        } else {
            Cell::Num(bn[i])
        };
        by_row
            .entry((bc[i].clone(), br[i].clone()))
            .or_default()
            .insert(bb[i].clone(), cell);
    }
    // Units in the league table's order, cadres before members.
    let order: BTreeMap<&str, usize> = league_rows
        .iter()
        .enumerate()
        .map(|(k, &i)| (units.code[i].as_str(), k))
        .collect();
    let mut keys: Vec<(String, String)> = by_row.keys().cloned().collect();
    keys.sort_by_key(|(c, r)| {
        (
            order.get(c.as_str()).copied().unwrap_or(usize::MAX),
            c.clone(),
            r.clone(),
        )
    });
    for key in keys {
        let cells = &by_row[&key];
        let mut row = vec![
            Cell::Named {
                name: name_of
                    .get(key.0.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                code: key.0.clone(),
            },
            Cell::text(label(lang, &key.1)),
        ];
        row.extend(
            band_names
                .iter()
                .map(|b| cells.get(b).cloned().unwrap_or(Cell::Num(None))),
        );
        cells_t.rows.push(row);
    }
    let suppressed_note = if zh {
        format!(
            "{} 本表 {suppressed} 个单元格少于 {min} 人，已隐去。",
            label(lang, "suppressed_note")
        )
    } else {
        format!(
            "{} {suppressed} cell(s) below {min} are suppressed here.",
            label(lang, "suppressed_note")
        )
    };

    // Charts into the report's own folder.
    let target = dir.join(format!("district-{district}-{period}"));
    let staging = Staging::new(&target)?;
    let charts = staging.dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| warehouse::WarehouseError::Io {
        path: charts.clone(),
        source,
    })?;
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
                    get(&now, &units.code[i], metric, "")?,
                    units.district[i] == district,
                ))
            })
            .collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0));
        v
    };
    let res_bars = bars("resolution_rate");
    let t_res = period_title(lang, "district_bars_title", period, simulated);
    both!(
        charts,
        "resolution_ranked",
        size,
        files,
        district_charts::ranked_bars,
        &res_bars,
        &t_res,
        &labels::metric(lang, "resolution_rate", ""),
        true,
        legend
    );
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
    // The trend over every period up to this one.
    let shown_periods: Vec<String> = periods.range(..=period.to_string()).cloned().collect();
    let trend = query(&dir, "unit_metrics", |lf| {
        lf.filter(
            col("metric")
                .eq(lit("resolution_rate"))
                .and(col("breakdown").is_null()),
        )
        .select([col("region_code"), col("period"), col("value")])
    })?;
    let (tc, tp) = (strs(&trend, "region_code"), strs(&trend, "period"));
    let tv = floats(&trend, "value");
    let district_of: BTreeMap<&str, &str> = units
        .code
        .iter()
        .zip(&units.district)
        .map(|(c, d)| (c.as_str(), d.as_str()))
        .collect();
    // One pass over the rows: (group, period) → (sum, n).
    let period_ix: BTreeMap<&str, usize> = shown_periods
        .iter()
        .enumerate()
        .map(|(k, p)| (p.as_str(), k))
        .collect();
    let mut acc = vec![vec![(0.0, 0usize); shown_periods.len()]; groups.len()];
    for i in 0..trend.height() {
        let (Some(&k), Some(&d), Some(v)) = (
            period_ix.get(tp[i].as_str()),
            district_of.get(tc[i].as_str()),
            tv[i],
        ) else {
            continue;
        };
        for (g, (key, _)) in groups.iter().enumerate() {
            let inside = match *key {
                "this_district" => d == district,
                "same_model" => d != district && same_model.contains(d),
                _ => d != district,
            };
            if inside {
                acc[g][k].0 += v;
                acc[g][k].1 += 1;
            }
        }
    }
    let series: Vec<(String, Vec<Option<f64>>)> = groups
        .iter()
        .zip(acc)
        .map(|((key, _), sums)| {
            let pts = sums
                .into_iter()
                .map(|(s, n)| (n > 0).then(|| s / n as f64))
                .collect();
            (label(lang, key).to_string(), pts)
        })
        .collect();
    let shown_labels: Vec<String> = shown_periods.iter().map(|p| p.to_string()).collect();
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
    let maps = super::maps::district(&dir, &charts, config, district, period, lang, simulated)?;
    files.extend(maps.iter().map(|m| m.chart.clone()));

    let fig = |chart: &str, caption: &str| {
        Block::Figure(Figure {
            chart: chart.into(),
            caption: caption.into(),
        })
    };
    let mut blocks = vec![
        Block::Heading(label(lang, "overview").into()),
        Block::Paragraph(summary),
        Block::Cards(cards),
        Block::Heading(label(lang, "league_title").into()),
        fig("index_ranked", &t_idx),
        Block::Table(league),
        Block::Heading(label(lang, "peers_title").into()),
        fig("resolution_ranked", &t_res),
        fig("resolution_trend", &t_trend),
        Block::Table(peers),
        Block::Note(format!(
            "{}{}",
            if zh {
                "区县数值为其所辖单位的简单平均；排名以 1 为最好（干部年长占比越低越好）。"
            } else {
                "A district's figure is the plain mean over its units; rank 1 is best (a lower cadre share old is better). "
            },
            match (lonely, zh) {
                (true, true) => "本次运行中没有与本区县同模式的其他区县。",
                (true, false) => "No other district of this run follows the district's model.",
                _ => "",
            }
        )),
        Block::Heading(label(lang, "alerts_title").into()),
        Block::Table(by_kind),
        Block::Table(detail),
        Block::Heading(label(lang, "member_cells_title").into()),
        Block::Table(cells_t),
        Block::Note(suppressed_note),
        Block::Heading(label(lang, "data_title").into()),
        Block::Paragraph(if zh {
            format!(
                "本报告由运行 {} 的表格生成{}；输入文件及其哈希见文末。",
                manifest["run_id"].as_str().unwrap_or(""),
                if simulated { "（模拟数据）" } else { "" }
            )
        } else {
            format!(
                "Made from the tables of run {}{}; the inputs and their hashes are listed at the end.",
                manifest["run_id"].as_str().unwrap_or(""),
                if simulated { " (simulated data)" } else { "" }
            )
        }),
    ];
    if !maps.is_empty() {
        // After the peers' section: the heading of alerts follows it.
        let at = blocks
            .iter()
            .position(|b| matches!(b, Block::Heading(h) if h == label(lang, "alerts_title")))
            .unwrap_or(blocks.len());
        let mut section = vec![Block::Heading(label(lang, "maps_title").into())];
        section.extend(maps.iter().map(|m| fig(&m.chart, &m.caption)));
        blocks.splice(at..at, section);
    }
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
    let doc = Document {
        lang,
        title: if simulated { labels::titled_text(lang, &title) } else { title },
        subtitle: format!(
            "{dname} {district} · {} {} · {} {} · {} {}",
            label(lang, "model"),
            model(lang, &my_model),
            label(lang, "period"),
            plabel,
            label(lang, "previous"),
            previous.as_deref().map(|p| period_label(lang, p)).unwrap_or_else(|| "–".into())
        ),
        banner: simulated.then(|| label(lang, "simulated_banner").to_string()),
        blocks,
        definitions: content::definitions(lang),
        provenance: content::provenance(&manifest),
        config: None,
        notebook_code: vec![format!(
            "import polars as pl\nimport pandas as pd\num = pl.read_parquet('../tables/unit_metrics.parquet')\nunits = pd.read_parquet('../tables/units.parquet')\nmine = units[units.district == '{district}']\nmine.head()"
        )],
    };
    for (name, bytes) in super::documents(&doc, &charts, "charts")? {
        warehouse::write_bytes(&staging.dir.join(name), &bytes)?;
    }
    let m = serde_json::json!({"district": district, "district_name": dname, "period": period, "lang": if zh { "zh" } else { "en" }, "alerts": alerts.len(), "suppressed": suppressed, "charts": files});
    warehouse::write_text(&staging.dir.join("manifest.json"), &(m.to_string() + "\n"))?;
    staging.publish()?;
    Ok((target, alerts))
}

/// A chart size, as `both!` reads it.
struct Size {
    width: u32,
    height: u32,
}
