//! What the reports say: the key findings as sentences and the sections
//! (chart, table, definition), built from the run's tables only.

use std::path::Path;

use polars::prelude::*;

use super::labels::{self, label, Lang};
use super::{floats, report, strs, table, RenderError};

/// Rows of model_summary for `metric` (and `breakdown`; `None` = null) in `period`.
pub(super) fn summary_rows(
    dir: &Path,
    metric: &str,
    breakdown: Option<&str>,
    period: &str,
) -> Result<DataFrame, RenderError> {
    let df = table(dir, "model_summary")?;
    let b = match breakdown {
        Some(b) => col("breakdown").eq(lit(b)),
        None => col("breakdown").is_null(),
    };
    df.lazy()
        .filter(
            col("metric")
                .eq(lit(metric))
                .and(col("period").eq(lit(period)))
                .and(b),
        )
        .select([
            col("governance_model"),
            col("n"),
            col("mean"),
            col("sd"),
            col("median"),
            col("ci_low"),
            col("ci_high"),
        ])
        .collect()
        .map_err(|source| RenderError::Table {
            path: "model_summary".into(),
            source,
        })
}

/// The report's sentences and sections, from the run's tables.
pub(super) fn report_content(
    dir: &Path,
    manifest: &serde_json::Value,
    latest: &str,
    simulated: bool,
    lang: Lang,
) -> Result<report::Content, RenderError> {
    let zh = lang == Lang::Zh;
    let mut findings = Vec::new();
    let tests = table(dir, "model_tests")?;
    let (tp, tm, tb) = (
        strs(&tests, "period"),
        strs(&tests, "metric"),
        strs(&tests, "breakdown"),
    );
    let (th, tpv, te) = (
        floats(&tests, "h"),
        floats(&tests, "p"),
        floats(&tests, "epsilon2"),
    );
    let res = summary_rows(dir, "resolution_rate", None, latest)?;
    let (rm, rmean) = (strs(&res, "governance_model"), floats(&res, "mean"));
    if let Some(best) = (0..res.height())
        .filter(|&i| rmean[i].is_some())
        .max_by(|&a, &b| {
            rmean[a]
                .partial_cmp(&rmean[b])
                .unwrap_or(std::cmp::Ordering::Equal)
        })
    {
        let m = labels::model(lang, &rm[best]);
        let v = rmean[best].unwrap_or(0.0) * 100.0;
        findings.push(if zh {
            format!("{latest} 年调解成功率均值最高的是{m}（{v:.1}%）。")
        } else {
            format!("In {latest} the mean resolution rate is highest under {m} ({v:.1}%).")
        });
    }
    if let Some(i) = (0..tests.height())
        .find(|&i| tp[i] == latest && tm[i] == "resolution_rate" && tb[i].is_empty())
    {
        let (h, p, e) = (
            th[i].unwrap_or(f64::NAN),
            tpv[i].unwrap_or(f64::NAN),
            te[i].unwrap_or(f64::NAN),
        );
        let sig = p < 0.05;
        let p = if p < 0.001 {
            format!("{p:.2e}")
        } else {
            format!("{p:.3}")
        };
        findings.push(if zh {
            format!("各模式间调解成功率差异{}（Kruskal–Wallis H = {h:.2}，p = {p:.3}，ε² = {e:.3}）。", if sig { "显著" } else { "不显著" })
        } else {
            format!(
                "Resolution rates {} across models (Kruskal–Wallis H = {h:.2}, p = {p:.3}, ε² = {e:.3}).",
                if sig { "differ significantly" } else { "do not differ significantly" }
            )
        });
    }
    let eff = table(dir, "adoption_effects")?;
    let (em, ek) = (strs(&eff, "metric"), strs(&eff, "kind"));
    let (ea, es) = (floats(&eff, "att"), floats(&eff, "se"));
    for i in (0..eff.height()).filter(|&i| ek[i] == "simple") {
        let (a, se) = (ea[i].unwrap_or(f64::NAN), es[i].unwrap_or(f64::NAN));
        let (lo, hi) = (a - 1.96 * se, a + 1.96 * se);
        findings.push(if zh {
            format!("采用治理模式后 {} 平均变化 {a:+.4}（95% 区间 {lo:+.4} 至 {hi:+.4}）。", em[i])
        } else {
            format!("After adopting a model, {} changed by {a:+.4} on average (95% interval {lo:+.4} to {hi:+.4}).", em[i])
        });
    }
    let quality = table(dir, "data_quality")?;
    // fold from +0.0: an empty f64 sum is −0.0, which would print as "-0".
    let qrows = floats(&quality, "rows")
        .into_iter()
        .flatten()
        .fold(0.0, |a, b| a + b);
    findings.push(if zh {
        format!("数据质量：{qrows:.0} 条隔离行或发现（见文末）。")
    } else {
        format!("Data quality: {qrows:.0} quarantined rows or findings (see the end).")
    });
    let terr = |t: &str| {
        let t = t.to_string();
        move |source| RenderError::Table { path: t, source }
    };
    let scores = table(dir, "index_scores")?
        .lazy()
        .filter(col("period").eq(lit(latest)))
        .sort(["rank"], SortMultipleOptions::default())
        .limit(20)
        .collect()
        .map_err(terr("index_scores"))?;
    let events = table(dir, "event_study")?
        .lazy()
        .filter(col("metric").eq(lit("resolution_rate")))
        .collect()
        .map_err(terr("event_study"))?;
    let sec = |key: &str, chart: &str, table: Option<DataFrame>, def: &str| report::Section {
        title: label(lang, key).to_string(),
        chart: chart.to_string(),
        table,
        definition: label(lang, def).to_string(),
    };
    let sections = vec![
        sec(
            "age_title",
            "age_structure",
            Some(summary_rows(dir, "share_young", Some("cadre"), latest)?),
            "def_age",
        ),
        sec(
            "resolution_title",
            "resolution_rate",
            Some(res),
            "def_resolution",
        ),
        sec(
            "resolution_trend_title",
            "resolution_trend",
            None,
            "trend_note",
        ),
        sec(
            "heatmap_title",
            "centre_visits",
            Some(summary_rows(dir, "visits_per_1k", None, latest)?),
            "def_visits",
        ),
        sec(
            "coverage_title",
            "centre_coverage",
            Some(summary_rows(dir, "center_coverage", None, latest)?),
            "def_visits",
        ),
        sec("index_title", "index_ranks", Some(scores), "def_index"),
        sec("index_models_title", "index_models", None, "def_index"),
        sec("event_title", "event_study", Some(events), "def_event"),
    ];
    let get = |k: &str| {
        manifest[k]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| manifest[k].to_string())
    };
    let mut provenance: Vec<(String, String)> = [
        ("run_id", "run_id"),
        ("govlens", "govlens_version"),
        ("warehouse run", "warehouse_run_id"),
        ("seed", "seed"),
        ("bootstrap draws", "bootstrap_draws"),
        ("index draws", "index_draws"),
        ("simulated", "simulated"),
    ]
    .iter()
    .map(|(k, key)| (k.to_string(), get(key)))
    .collect();
    if let Some(inputs) = manifest["input_hashes"].as_array() {
        for pair in inputs {
            provenance.push((
                pair[0].as_str().unwrap_or("").to_string(),
                pair[1].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    Ok(report::Content {
        title: labels::titled(lang, "report_title", simulated),
        simulated,
        run_id: get("run_id"),
        period: latest.to_string(),
        findings,
        sections,
        quality,
        provenance,
        config: get("config"),
    })
}
