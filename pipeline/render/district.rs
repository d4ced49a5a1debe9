//! `govlens report --district CODE --period P`: one district's units against
//! their peers — the same model elsewhere, and all other units — with the
//! change on the previous period, a league table, alerts from the config's
//! thresholds, and the privacy suppression of contract §7. Written as HTML
//! and a notebook under `<run>/district-CODE-P/`, from the run's tables only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::labels::{model, Lang};
use super::report::{escape, html_table};
use super::{find_run, floats, query, strs, table, RenderError};
use crate::config::Config;
use crate::warehouse::{self, Staging};

/// One alert on one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub unit: String,
    pub kind: &'static str,
    pub message: String,
}

/// Which units belong to a peer group.
type Membership<'a> = Box<dyn Fn(usize) -> bool + 'a>;

/// A unit's index score, rank and 5–95% rank interval.
type Ranked = (Option<f64>, Option<f64>, Option<f64>, Option<f64>);

/// (unit, metric, breakdown) → value, for one period.
type Values = BTreeMap<(String, String, String), f64>;

/// One period's key metrics of every unit, read from the run's
/// unit_metrics for that period only (the whole table is ~130M rows at
/// national scale).
fn values(dir: &Path, period: &str) -> Result<Values, RenderError> {
    let metrics = Series::new(
        "m".into(),
        KEY_METRICS.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
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
    Ok((0..um.height())
        .filter_map(|i| Some(((c[i].clone(), m[i].clone(), b[i].clone()), v[i]?)))
        .collect())
}

fn get(v: &Values, unit: &str, metric: &str, breakdown: &str) -> Option<f64> {
    v.get(&(unit.to_string(), metric.to_string(), breakdown.to_string()))
        .copied()
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = xs.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

const KEY_METRICS: [(&str, &str); 5] = [
    ("resolution_rate", ""),
    ("share_old", "cadre"),
    ("share_young", "cadre"),
    ("visits_per_1k", ""),
    ("center_coverage", ""),
];

/// Writes the district report; returns its folder and its alerts.
pub fn run(
    config: &Config,
    run: Option<&str>,
    district: &str,
    period: &str,
    lang: Lang,
) -> Result<(PathBuf, Vec<Alert>), RenderError> {
    let dir = find_run(&config.output, run)?;
    let units = table(&dir, "units")?;
    let (ucode, uname, umodel, udist) = (
        strs(&units, "region_code"),
        strs(&units, "region_name"),
        strs(&units, "governance_model"),
        strs(&units, "district"),
    );
    let districts: BTreeSet<&str> = udist
        .iter()
        .map(String::as_str)
        .filter(|d| !d.is_empty())
        .collect();
    if !districts.contains(district) {
        return Err(RenderError::NoDistrict {
            district: district.to_string(),
            available: districts.iter().copied().collect::<Vec<_>>().join(", "),
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
    let mine: Vec<usize> = (0..units.height())
        .filter(|&i| udist[i] == district)
        .collect();
    let my_model = umodel[mine[0]].clone();
    let cfg = &config.report;

    // Peers: the same model outside the district, and all other units.
    let mut peers = String::new();
    let groups: [(&str, Membership); 3] = [
        ("district", Box::new(|i| udist[i] == district)),
        (
            "same model elsewhere",
            Box::new(|i| udist[i] != district && umodel[i] == my_model),
        ),
        ("all others", Box::new(|i| udist[i] != district)),
    ];
    peers.push_str("<table><thead><tr><th></th>");
    for (m, b) in KEY_METRICS {
        let _ = write!(
            peers,
            "<th>{}</th>",
            escape(&if b.is_empty() {
                m.to_string()
            } else {
                format!("{m}:{b}")
            })
        );
    }
    peers.push_str("</tr></thead><tbody>");
    for (name, member) in &groups {
        let _ = write!(peers, "<tr><td>{}</td>", escape(name));
        for (m, b) in KEY_METRICS {
            let v = mean(
                (0..units.height())
                    .filter(|&i| member(i))
                    .filter_map(|i| get(&now, &ucode[i], m, b)),
            );
            let _ = write!(
                peers,
                "<td>{}</td>",
                v.map(|v| format!("{v:.4}")).unwrap_or_default()
            );
        }
        peers.push_str("</tr>");
    }
    peers.push_str("</tbody></table>");

    // Alerts.
    let peer_rise = mean(
        (0..units.height())
            .filter(|&i| udist[i] != district)
            .filter_map(|i| {
                Some(
                    get(&now, &ucode[i], "share_old", "cadre")?
                        - get(&before, &ucode[i], "share_old", "cadre")?,
                )
            }),
    );
    let mut alerts = Vec::new();
    for &i in &mine {
        let u = &ucode[i];
        if let Some(v) = get(&now, u, "share_old", "cadre") {
            if v > cfg.cadre_share_old_above {
                alerts.push(Alert {
                    unit: u.clone(),
                    kind: "cadres_old",
                    message: format!("cadre share_old {v:.2} above {}", cfg.cadre_share_old_above),
                });
            }
        }
        if let Some(v) = get(&now, u, "resolution_rate", "") {
            if v < cfg.resolution_rate_below {
                alerts.push(Alert {
                    unit: u.clone(),
                    kind: "resolution_low",
                    message: format!("resolution_rate {v:.2} below {}", cfg.resolution_rate_below),
                });
            }
        }
        let missing: Vec<&str> = crate::contract::CENTER_TYPES
            .iter()
            .take(7)
            .filter(|(id, _)| get(&now, u, "visits_per_1k", id).is_none_or(|v| v <= 0.0))
            .map(|(_, zh)| *zh)
            .collect();
        if !missing.is_empty() {
            alerts.push(Alert {
                unit: u.clone(),
                kind: "centres_missing",
                message: format!("no visits at {}", missing.join("、")),
            });
        }
        if let (Some(rise), Some(peer)) = (
            get(&now, u, "share_old", "cadre")
                .zip(get(&before, u, "share_old", "cadre"))
                .map(|(a, b)| a - b),
            peer_rise,
        ) {
            if rise > peer + cfg.ageing_margin {
                alerts.push(Alert {
                    unit: u.clone(),
                    kind: "ageing_faster",
                    message: format!("cadre share_old rose {rise:+.3}, peers {peer:+.3}"),
                });
            }
        }
    }

    // League table: ranked by the index, with the change on the previous period.
    let idx = table(&dir, "index_scores")?;
    let (ic, ip) = (strs(&idx, "region_code"), strs(&idx, "period"));
    let (isc, irk, i5, i95) = (
        floats(&idx, "score"),
        floats(&idx, "rank"),
        floats(&idx, "rank_p05"),
        floats(&idx, "rank_p95"),
    );
    let rank_of: BTreeMap<&str, Ranked> = (0..idx.height())
        .filter(|&i| ip[i] == period)
        .map(|i| (ic[i].as_str(), (isc[i], irk[i], i5[i], i95[i])))
        .collect();
    let mut league: Vec<usize> = mine.clone();
    league.sort_by(|a, b| {
        let ra = rank_of
            .get(ucode[*a].as_str())
            .and_then(|r| r.1)
            .unwrap_or(f64::INFINITY);
        let rb = rank_of
            .get(ucode[*b].as_str())
            .and_then(|r| r.1)
            .unwrap_or(f64::INFINITY);
        ra.total_cmp(&rb).then(ucode[*a].cmp(&ucode[*b]))
    });
    let fmt = |v: Option<f64>| v.map(|v| format!("{v:.3}")).unwrap_or_default();
    let delta = |u: &str, m: &str, b: &str| -> String {
        match (get(&now, u, m, b), get(&before, u, m, b)) {
            (Some(a), Some(c)) => format!("{:+.3}", a - c),
            _ => String::new(),
        }
    };
    let mut lt = String::from("<table><thead><tr><th>code</th><th>name</th><th>model</th><th>index</th><th>rank (5–95%)</th><th>resolution_rate</th><th>Δ</th><th>cadre share_old</th><th>Δ</th><th>visits_per_1k</th><th>coverage</th></tr></thead><tbody>");
    for &i in &league {
        let u = &ucode[i];
        let r = rank_of
            .get(u.as_str())
            .copied()
            .unwrap_or((None, None, None, None));
        let _ = write!(
            lt,
            "<tr><td>{u}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({}–{})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&uname[i]),
            escape(&model(lang, &umodel[i])),
            fmt(r.0),
            r.1.map(|v| format!("{v:.0}")).unwrap_or_default(),
            r.2.map(|v| format!("{v:.0}")).unwrap_or_default(),
            r.3.map(|v| format!("{v:.0}")).unwrap_or_default(),
            fmt(get(&now, u, "resolution_rate", "")),
            delta(u, "resolution_rate", ""),
            fmt(get(&now, u, "share_old", "cadre")),
            delta(u, "share_old", "cadre"),
            get(&now, u, "visits_per_1k", "").map(|v| format!("{v:.0}")).unwrap_or_default(),
            fmt(get(&now, u, "center_coverage", "")),
        );
    }
    lt.push_str("</tbody></table>");

    // Member-age cells, as published (small cells already suppressed).
    let bands = table(&dir, "member_bands")?;
    let my_codes: Vec<String> = mine.iter().map(|&i| ucode[i].clone()).collect();
    let my_bands = bands
        .lazy()
        .filter(col("period").eq(lit(period)).and(
            col("region_code").is_in(lit(Series::new("c".into(), my_codes)).implode(false), false),
        ))
        .with_column(
            when(col("suppressed"))
                .then(lit(format!("<{}", config.privacy.min_count)))
                .otherwise(col("count").cast(DataType::String))
                .alias("count"),
        )
        .select([
            col("region_code"),
            col("role"),
            col("age_band"),
            col("count"),
        ])
        .collect()
        .map_err(|source| RenderError::Table {
            path: "member_bands".into(),
            source,
        })?;
    let suppressed = strs(&my_bands, "count")
        .iter()
        .filter(|c| c.starts_with('<'))
        .count();

    // HTML.
    let title = format!(
        "{} {district} · {period}",
        if lang == Lang::Zh {
            "区县治理报告"
        } else {
            "District report"
        }
    );
    let mut h = String::new();
    let _ = write!(h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title><style>body{{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:1040px;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse;font-size:.85em}}th,td{{border:1px solid #ccc;padding:.2em .5em}}.alert{{color:#c0392b}}@media print{{@page{{size:A4;margin:15mm}}}}</style></head><body>", escape(&title));
    let _ = write!(
        h,
        "<h1>{}</h1><p>{} · previous period: {}</p>",
        escape(&title),
        escape(&model(lang, &my_model)),
        escape(previous.as_deref().unwrap_or("–"))
    );
    let _ = write!(h, "<h2>Alerts ({})</h2><ul>", alerts.len());
    for a in &alerts {
        let _ = write!(
            h,
            "<li class=\"alert\">{} [{}]: {}</li>",
            escape(&a.unit),
            a.kind,
            escape(&a.message)
        );
    }
    let _ = write!(h, "</ul><h2>League table</h2>{lt}<h2>Peers</h2>{peers}");
    let _ = write!(
        h,
        "<h2>Member age cells</h2><p>{suppressed} cell(s) below {} suppressed (contract §7).</p>{}</body></html>",
        config.privacy.min_count,
        html_table(&my_bands, 400)
    );

    let target = dir.join(format!("district-{district}-{period}"));
    let staging = Staging::new(&target)?;
    warehouse::write_text(&staging.dir.join("report.html"), &(h.clone() + "\n"))?;
    let nb = serde_json::json!({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}, "language_info": {"name": "python"}},
        "cells": [
            {"cell_type": "markdown", "id": "title", "metadata": {}, "source": format!("# {title}\n\n{} alert(s), {suppressed} suppressed cell(s).", alerts.len())},
            {"cell_type": "code", "id": "report", "metadata": {}, "execution_count": null, "source": "from IPython.display import HTML\nHTML(open('report.html', encoding='utf-8').read())",
             "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"text/html": h, "text/plain": ["<district report>"]}}]},
            {"cell_type": "code", "id": "load", "metadata": {}, "execution_count": null, "outputs": [],
             "source": format!("import polars as pl\nimport pandas as pd\num = pl.read_parquet('../tables/unit_metrics.parquet')\nunits = pd.read_parquet('../tables/units.parquet')\nmine = units[units.district == '{district}']\nmine.head()")},
        ],
    });
    warehouse::write_text(
        &staging.dir.join("report.ipynb"),
        &(serde_json::to_string_pretty(&nb).expect("json") + "\n"),
    )?;
    let manifest = serde_json::json!({"district": district, "period": period, "alerts": alerts.len(), "suppressed": suppressed});
    warehouse::write_text(
        &staging.dir.join("manifest.json"),
        &(manifest.to_string() + "\n"),
    )?;
    staging.publish()?;
    Ok((target, alerts))
}
