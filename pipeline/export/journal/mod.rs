//! The run's main results as journal tables (三线表): a heavy rule above
//! and below, a thin one under the header (and under a spanning header's
//! groups), no vertical lines; numbers by the reports' one formatter
//! (render::format); notes under each table saying what the stars, brackets
//! and levels mean — built once ([`Tables`]) and written as Word
//! ([`docx`], `tables.docx`) and LaTeX booktabs ([`tex`], `tables.tex`).
//!
//! 1. descriptive statistics of every metric by model (N, mean, sd, min,
//!    p25, p50, p75, max; the analysis period's units);
//! 2. the models' means with the Kruskal–Wallis test on county means (the
//!    level the reports' claims rest on) and on communities;
//! 3. the Dunn pairs that differ (Holm);
//! 4. the adoption effects: each aggregation with its SE in brackets, the
//!    pre-test beside them;
//! 5. the fsQCA configuration table (Ragin & Fiss: ● present, ⊗ absent,
//!    large core, small peripheral) with consistency and coverage;
//! 6. the index's variance-based sensitivity (Sobol S1 and ST with their
//!    intervals).
//!
//! A table says only what its test supports: stars describe the row's own
//! test; a fsQCA solution below its consistency cut is labelled so in its
//! note and an effect beside a rejected pre-test is noted.

pub mod docx;
pub mod tex;

use std::path::Path;

use statrs::distribution::{ContinuousCDF, Normal};

use crate::config::Lang;
use crate::render::format::{self, Kind};
use crate::render::labels;
use crate::runs::{self, floats, strs};

use super::ExportError;

/// One row of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// Cells, the first the row's label.
    Data(Vec<String>),
    /// A row under a data row, its cells in brackets (standard errors).
    Under(Vec<String>),
    /// A label spanning the table (a group of rows).
    Group(String),
    /// A thin rule across the table (between a table's parts).
    Rule,
}

/// A journal table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    /// Column groups spanning the header (label, first column, columns),
    /// drawn above it with a thin rule under each.
    pub spanners: Vec<(String, usize, usize)>,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
    /// Columns after the first are centred numbers; the first is text.
    pub columns: usize,
}

/// The document: its title and tables.
#[derive(Debug, Clone)]
pub struct Tables {
    pub title: String,
    pub lang: Lang,
    pub simulated: bool,
    pub tables: Vec<Table>,
}

impl Tables {
    /// Every text of the document (the Word file's font subset).
    pub fn all_text(&self) -> String {
        let mut s = self.title.clone();
        for t in &self.tables {
            s.push_str(&t.title);
            for (l, _, _) in &t.spanners {
                s.push_str(l);
            }
            for h in &t.header {
                s.push_str(h);
            }
            for r in &t.rows {
                match r {
                    Row::Data(c) | Row::Under(c) => c.iter().for_each(|x| s.push_str(x)),
                    Row::Group(g) => s.push_str(g),
                    Row::Rule => {}
                }
            }
            for n in &t.notes {
                s.push_str(n);
            }
        }
        s.push_str("表（）()[]●⊗•·—");
        s
    }
}

/// The metrics of the tables: as the reports define them.
const METRIC_ROWS: [(&str, &str); 11] = labels::REPORT_METRICS;

const MODELS: [&str; 5] = ["sinking", "collaborative", "embedded", "integrated", "none"];

fn zh(lang: Lang) -> bool {
    lang == Lang::Zh
}

fn t(lang: Lang, zh_text: &str, en: &str) -> String {
    if zh(lang) {
        zh_text.to_string()
    } else {
        en.to_string()
    }
}

/// Stars of a p-value: *** < 0.01, ** < 0.05, * < 0.1.
pub fn stars(p: Option<f64>) -> &'static str {
    match p {
        Some(p) if p < 0.01 => "***",
        Some(p) if p < 0.05 => "**",
        Some(p) if p < 0.1 => "*",
        _ => "",
    }
}

fn stars_note(lang: Lang) -> String {
    t(
        lang,
        "*** p < 0.01，** p < 0.05，* p < 0.1（双侧）。",
        "*** p < 0.01, ** p < 0.05, * p < 0.1 (two-sided).",
    )
}

/// A metric's label with its unit: 调解成功率（%）.
fn metric_label(lang: Lang, m: &str, b: &str) -> String {
    labels::metric(lang, m, b)
}

/// A number's minus as a minus sign (U+2212), as journals set it: a `-`
/// before a digit.
fn minus(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if c == '-' && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
                '−'
            } else {
                c
            }
        })
        .collect()
}

/// Quantile of sorted values, R's type 7.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// All the tables of a run.
pub fn build(dir: &Path, lang: Lang, run_id: &str, simulated: bool) -> Result<Tables, ExportError> {
    let period = runs::latest_period(dir)?;
    let mut tables = vec![
        descriptive(dir, lang, &period)?,
        models(dir, lang, &period)?,
    ];
    if let Some(d) = dunn(dir, lang, &period)? {
        tables.push(d);
    }
    if dir.join("tables/adoption_effects.parquet").is_file() {
        if let Some(d) = did(dir, lang)? {
            tables.push(d);
        }
        if let Some(d) = did_by_model(dir, lang)? {
            tables.push(d);
        }
    }
    if dir.join("tables/qca_configurations.parquet").is_file() {
        if let Some(q) = qca(dir, lang)? {
            tables.push(q);
        }
    }
    if dir.join("tables/index_sensitivity.parquet").is_file() {
        if let Some(s) = sensitivity(dir, lang, &period)? {
            tables.push(s);
        }
    }
    for t in &mut tables {
        for r in &mut t.rows {
            if let Row::Data(c) | Row::Under(c) = r {
                for x in c.iter_mut().skip(1) {
                    *x = minus(x);
                }
            }
        }
    }
    let title = if zh(lang) {
        format!("党建引领社区治理效能比较：主要结果表（govlens 运行 {run_id}）")
    } else {
        format!("Party-building-led community governance: tables of results (govlens run {run_id})")
    };
    Ok(Tables {
        title,
        lang,
        simulated,
        tables,
    })
}

/// Table 1: N, mean, sd, min, p25, p50, p75, max of each metric by model.
fn descriptive(dir: &Path, lang: Lang, period: &str) -> Result<Table, ExportError> {
    let p = period.to_string();
    let um = runs::query(dir, "unit_metrics", |lf| {
        use polars::prelude::*;
        lf.filter(col("period").eq(lit(p)))
    })?;
    let (metric, breakdown, model, value) = (
        strs(&um, "metric"),
        strs(&um, "breakdown"),
        strs(&um, "governance_model"),
        floats(&um, "value"),
    );
    let mut rows = Vec::new();
    for (m, b) in METRIC_ROWS {
        let kind = format::metric_kind(m);
        let spread = format::spread_kind(m);
        rows.push(Row::Group(metric_label(lang, m, b)));
        for group in MODELS.iter().map(|m| Some(*m)).chain([None]) {
            let mut v: Vec<f64> = (0..um.height())
                .filter(|&i| metric[i] == m && breakdown[i] == b)
                .filter(|&i| group.is_none_or(|g| model[i] == g))
                .filter_map(|i| value[i].filter(|x| x.is_finite()))
                .collect();
            if v.is_empty() {
                continue;
            }
            v.sort_by(f64::total_cmp);
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let sd = (n > 1.0)
                .then(|| (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
            let c = |x: Option<f64>, k: Kind| format::cell(x, k, lang);
            // A mean or quantile of counts is not a count: one decimal,
            // and the row's minimum and maximum alike.
            let level = if kind == Kind::Count {
                Kind::Amount
            } else {
                kind
            };
            rows.push(Row::Data(vec![
                match group {
                    Some(g) => labels::model(lang, g),
                    None => t(lang, "全部", "All"),
                },
                format::text(Some(n), Kind::Count, lang),
                c(Some(mean), level),
                c(sd, spread),
                c(Some(v[0]), level),
                c(Some(quantile(&v, 0.25)), level),
                c(Some(quantile(&v, 0.5)), level),
                c(Some(quantile(&v, 0.75)), level),
                c(Some(v[v.len() - 1]), level),
            ]));
        }
    }
    let header: Vec<String> = if zh(lang) {
        [
            "治理模式",
            "N",
            "均值",
            "标准差",
            "最小值",
            "P25",
            "中位数",
            "P75",
            "最大值",
        ]
    } else {
        [
            "Model", "N", "Mean", "SD", "Min", "P25", "Median", "P75", "Max",
        ]
    }
    .iter()
    .map(|s| s.to_string())
    .collect();
    Ok(Table {
        title: if zh(lang) {
            format!("描述性统计（{}，社区为单位）", labels::period_label(lang, period))
        } else {
            format!("Descriptive statistics ({period}, communities)")
        },
        spanners: vec![],
        columns: header.len(),
        header,
        rows,
        notes: vec![t(
            lang,
            "比例类指标以百分数表示，其标准差以百分点表示；分位数按 R 的第 7 类算法。指标定义见 codebook.md。",
            "Shares are percentages and their SDs percentage points; quantiles as R's type 7. Definitions in codebook.md.",
        )],
    })
}

/// Index of the row of `df` for (period, metric, breakdown, extra).
fn rows_of(df: &polars::prelude::DataFrame, period: &str, m: &str, b: &str) -> Vec<usize> {
    let (p, mm, bb) = (
        strs(df, "period"),
        strs(df, "metric"),
        strs(df, "breakdown"),
    );
    (0..df.height())
        .filter(|&i| p[i] == period && mm[i] == m && bb[i] == b)
        .collect()
}

/// Table 2: each model's mean, and the Kruskal–Wallis test on county means
/// and on communities.
fn models(dir: &Path, lang: Lang, period: &str) -> Result<Table, ExportError> {
    let summary = runs::table(dir, "model_summary")?;
    let tests = runs::table(dir, "model_tests")?;
    let (s_model, s_mean) = (strs(&summary, "governance_model"), floats(&summary, "mean"));
    let (t_level, t_h, t_p, t_eps) = (
        strs(&tests, "level"),
        floats(&tests, "h"),
        floats(&tests, "p_adjusted"),
        floats(&tests, "epsilon2"),
    );
    let mut rows = Vec::new();
    for (m, b) in METRIC_ROWS {
        let kind = match format::metric_kind(m) {
            Kind::Count => Kind::Amount,
            k => k,
        };
        let at = rows_of(&summary, period, m, b);
        if at.is_empty() {
            continue;
        }
        let mut cells = vec![metric_label(lang, m, b)];
        for model in MODELS {
            let v = at
                .iter()
                .find(|&&i| s_model[i] == model)
                .and_then(|&i| s_mean[i]);
            cells.push(format::cell(v, kind, lang));
        }
        let test = |level: &str| {
            rows_of(&tests, period, m, b)
                .into_iter()
                .find(|&i| t_level[i] == level)
        };
        match test("county") {
            Some(i) => {
                cells.push(format!(
                    "{}{}",
                    format::text(t_h[i], Kind::Statistic, lang),
                    stars(t_p[i])
                ));
                cells.push(pval(t_p[i]));
                cells.push(format::text(t_eps[i], Kind::Coefficient, lang));
            }
            None => cells.extend([String::new(), String::new(), String::new()]),
        }
        cells.push(test("unit").map(|i| pval(t_p[i])).unwrap_or_default());
        rows.push(Row::Data(cells));
    }
    let shown = rows.len();
    let family = (0..tests.height())
        .filter(|&i| strs(&tests, "period")[i] == period && t_level[i] == "county")
        .count();
    let mut header = vec![t(lang, "指标", "Metric")];
    header.extend(MODELS.iter().map(|m| labels::model(lang, m)));
    header.extend([
        "H".to_string(),
        t(lang, "p（Holm）", "p (Holm)"),
        "ε²".to_string(),
        t(lang, "p（Holm）", "p (Holm)"),
    ]);
    Ok(Table {
        title: if zh(lang) {
            format!(
                "各治理模式的指标均值与 Kruskal–Wallis 检验（{}）",
                labels::period_label(lang, period)
            )
        } else {
            format!("Means by model and the Kruskal–Wallis test ({period})")
        },
        spanners: vec![
            (t(lang, "均值（社区）", "Mean (communities)"), 1, 5),
            (t(lang, "区县均值检验", "Test on county means"), 6, 8),
            (t(lang, "社区检验", "Communities"), 9, 9),
        ],
        columns: header.len(),
        header,
        rows,
        notes: vec![
            if zh(lang) {
                format!("模式由区县选择，社区不是模式的独立观测：结论以区县均值的检验为准（区县层 H 与 p），社区层 p 仅供参考。p 值经 Holm 校正，校正族为该统计期同一层级的全部 {family} 项检验（含党员指标与各类中心的分项，本表列出其中 {} 项）；ε² 为效应量。", shown)
            } else {
                format!("A model is chosen by a county, so its communities are not independent observations of it: conclusions rest on the test of county means (H and p); the communities' p is for reference. p-values are Holm-corrected over the period's {family} tests at each level (members' metrics and each centre type included; {} shown here); ε² is the effect size.", shown)
            },
            stars_note(lang),
        ]
        .into_iter()
        .chain(crate::render::one_province_each(dir, lang))
        .collect(),
    })
}

/// Table 3: the Dunn pairs that differ at 5% (Holm) on county means.
fn dunn(dir: &Path, lang: Lang, period: &str) -> Result<Option<Table>, ExportError> {
    let pairs = runs::table(dir, "model_pairs")?;
    let (a, b_, z, p, level) = (
        strs(&pairs, "model_a"),
        strs(&pairs, "model_b"),
        floats(&pairs, "z"),
        floats(&pairs, "p_holm"),
        strs(&pairs, "level"),
    );
    let mut rows = Vec::new();
    for (m, b) in METRIC_ROWS {
        for i in rows_of(&pairs, period, m, b) {
            if level[i] != "county" || !p[i].is_some_and(|p| p < 0.05) {
                continue;
            }
            let (hi, lo) = if z[i].unwrap_or(0.0) >= 0.0 {
                (&a[i], &b_[i])
            } else {
                (&b_[i], &a[i])
            };
            let unit_p = (0..pairs.height())
                .find(|&j| {
                    level[j] == "unit"
                        && strs(&pairs, "period")[j] == period
                        && strs(&pairs, "metric")[j] == m
                        && strs(&pairs, "breakdown")[j] == b
                        && a[j] == a[i]
                        && b_[j] == b_[i]
                })
                .and_then(|j| p[j]);
            rows.push(Row::Data(vec![
                // The indicator on every row: a pair read alone, or on a
                // new page, says what it compares.
                metric_label(lang, m, b),
                format!("{} > {}", labels::model(lang, hi), labels::model(lang, lo)),
                format::text(z[i].map(f64::abs), Kind::Statistic, lang),
                pval(p[i]),
                pval(unit_p),
            ]));
        }
    }
    if rows.is_empty() {
        return Ok(None);
    }
    let header = vec![
        t(lang, "指标", "Metric"),
        t(lang, "模式对", "Pair"),
        "|z|".to_string(),
        t(lang, "p（区县，Holm）", "p (counties, Holm)"),
        t(lang, "p（社区，Holm）", "p (communities, Holm)"),
    ];
    Ok(Some(Table {
        title: if zh(lang) {
            format!("Dunn 两两比较：区县均值差异显著的模式对（{}）", labels::period_label(lang, period))
        } else {
            format!("Dunn pairwise comparisons: pairs differing on county means ({period})")
        },
        spanners: vec![],
        columns: header.len(),
        header,
        rows,
        notes: vec![
            t(
                lang,
                "仅列出区县层 Holm 校正 p < 0.05 的模式对（校正族为同一指标的 10 个模式对）；其余模式对差异不显著。“A > B”表示 A 的秩均值较高。",
                "Only pairs with a Holm-corrected p < 0.05 on county means are listed (the correction runs over an indicator's 10 pairs); the others do not differ. \"A > B\": A has the higher mean rank.",
            ),

        ],
    }))
}

/// A p-value as a journal prints it: three decimals, `< 0.001` below.
fn pval(p: Option<f64>) -> String {
    match p.filter(|p| p.is_finite()) {
        None => String::new(),
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format::fixed(p, 3),
    }
}

/// The run's DiD settings in a note's words.
fn did_settings(tests: &polars::prelude::DataFrame, lang: Lang) -> String {
    let s = |c: &str| strs(tests, c).into_iter().next().unwrap_or_default();
    let f = |c: &str| floats(tests, c).into_iter().next().flatten();
    let zh = zh(lang);
    let control = match (s("control").as_str(), zh) {
        ("notyet", true) => "尚未采用与从未采用模式的单位",
        (_, true) => "从未采用模式的单位",
        ("notyet", false) => "units not yet or never adopting",
        (_, false) => "units never adopting",
    };
    let method = match (s("method").as_str(), zh) {
        ("ipw", true) => "逆概率加权",
        ("reg", true) => "结果回归",
        (_, true) => "双重稳健",
        ("ipw", false) => "inverse probability weighting",
        ("reg", false) => "outcome regression",
        (_, false) => "doubly robust",
    };
    let base = match (s("base_period").as_str(), zh) {
        ("universal", true) => "统一基期",
        (_, true) => "逐期基期（varying）",
        ("universal", false) => "universal",
        (_, false) => "varying",
    };
    let se = match (s("se").as_str(), zh) {
        ("bootstrap", true) => "乘数自助法",
        (_, true) => "解析标准误",
        ("bootstrap", false) => "multiplier bootstrap",
        (_, false) => "analytic",
    };
    let level = match (s("cluster").as_str(), zh) {
        ("county", true) => "区县",
        ("street", true) => "乡镇街道",
        ("city", true) => "地级市",
        ("province", true) => "省",
        (_, true) => "单位",
        (other, false) => other,
    }
    .to_string();
    let clusters = match (f("clusters"), f("treated_clusters")) {
        (Some(c), Some(t)) if zh => format!("（共 {c} 个，其中 {t} 个有采用单位）"),
        (Some(c), Some(t)) => format!(" ({c} clusters, {t} with adopting units)"),
        _ => String::new(),
    };
    if zh {
        format!(
            "交错双重差分（Callaway–Sant'Anna，与 R did 相同）：对照组为{control}，估计方法{method}，{base}，标准误为{se}，聚类于{level}{clusters}。括号内为标准误。"
        )
    } else {
        format!(
            "Staggered DiD (Callaway–Sant'Anna, as R's did): control {control}, {method}, {base} base period, {se} standard errors clustered by {level}{clusters}. Standard errors in brackets."
        )
    }
}

/// Table 4: the adoption effects. A row whose pre-test rejects at 5%
/// carries no stars (its estimates are not effects of adoption); an
/// outcome that never varied has no estimate.
fn did(dir: &Path, lang: Lang) -> Result<Option<Table>, ExportError> {
    let eff = runs::table(dir, "adoption_effects")?;
    let ev = runs::table(dir, "event_study")?;
    let tests = runs::table(dir, "adoption_tests")?;
    let (e_m, e_kind, e_att, e_se) = (
        strs(&eff, "metric"),
        strs(&eff, "kind"),
        floats(&eff, "att"),
        floats(&eff, "se"),
    );
    let (v_m, v_e, v_att, v_se) = (
        strs(&ev, "metric"),
        floats(&ev, "rel_year"),
        floats(&ev, "att"),
        floats(&ev, "se"),
    );
    let t_m = strs(&tests, "metric");
    let (t_p, t_units, t_cl) = (
        floats(&tests, "pretrend_p"),
        floats(&tests, "units"),
        floats(&tests, "clusters"),
    );
    let normal = Normal::new(0.0, 1.0).expect("normal");
    let p_of = |att: Option<f64>, se: Option<f64>| match (att, se) {
        (Some(a), Some(s)) if s > 0.0 => Some(2.0 * (1.0 - normal.cdf((a / s).abs()))),
        _ => None,
    };
    let mut rows = Vec::new();
    let (mut rejected, mut flat) = (Vec::new(), Vec::new());
    for (k, m) in t_m.iter().enumerate() {
        let find = |kind: &str| {
            (0..eff.height())
                .find(|&i| &e_m[i] == m && e_kind[i] == kind)
                .map(|i| (e_att[i], e_se[i]))
                .unwrap_or((None, None))
        };
        let dynamic = (0..ev.height())
            .find(|&i| &v_m[i] == m && v_e[i].is_none())
            .map(|i| (v_att[i], v_se[i]))
            .unwrap_or((None, None));
        let cells = [
            find("simple"),
            dynamic,
            find("group_overall"),
            find("calendar_overall"),
        ];
        let (metric_name, breakdown) = m.split_once(':').unwrap_or((m.as_str(), ""));
        let name = metric_label(lang, metric_name, breakdown);
        let tail = [
            pval(t_p[k]),
            format::text(t_units[k], Kind::Count, lang),
            format::text(t_cl[k], Kind::Count, lang),
        ];
        if cells.iter().all(|(_, s)| s.is_none()) {
            let mut data = vec![name.clone()];
            data.extend(std::iter::repeat_n("—".to_string(), 4));
            data.extend(tail);
            rows.push(Row::Data(data));
            flat.push(name);
            continue;
        }
        let values: Vec<Option<f64>> = cells.iter().flat_map(|(a, s)| [*a, *s]).collect();
        let (kind, spread) = format::effect_kinds(metric_name, &values, lang);
        let unit = format::unit_suffix(kind, lang);
        let pre_rejects = t_p[k].is_some_and(|p| p < 0.05);
        let mut data = vec![format!(
            "{name}{unit}{}",
            if pre_rejects { "†" } else { "" }
        )];
        let mut under = vec![String::new()];
        for (a, s) in cells {
            let star = if pre_rejects { "" } else { stars(p_of(a, s)) };
            data.push(format!("{}{star}", format::cell(a, kind, lang)));
            under.push(
                s.map(|_| format!("({})", format::cell(s, spread, lang)))
                    .unwrap_or_default(),
            );
        }
        data.extend(tail);
        under.extend([String::new(), String::new(), String::new()]);
        if pre_rejects {
            rejected.push(name);
        }
        rows.push(Row::Data(data));
        if under.iter().any(|c| !c.is_empty()) {
            rows.push(Row::Under(under));
        }
    }
    if rows.is_empty() {
        return Ok(None);
    }
    let header = vec![
        t(lang, "结果变量", "Outcome"),
        t(lang, "简单平均", "Simple"),
        t(lang, "事件研究平均", "Event study"),
        t(lang, "组别平均", "Group"),
        t(lang, "日历平均", "Calendar"),
        t(lang, "事前检验 p", "Pre-test p"),
        t(lang, "单位数", "Units"),
        t(lang, "聚类数", "Clusters"),
    ];
    let test = strs(&tests, "pretrend_test")
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut notes = vec![did_settings(&tests, lang)];
    notes.push(match (test.as_str(), zh(lang)) {
        ("sup_t", true) => "事前检验为 sup-t 检验：以同一组聚类乘数自助抽样，检验事前各事件时间的一致置信带是否覆盖 0（聚类时 R did 不报告事前检验，其 Wald 检验不计聚类）。".to_string(),
        ("sup_t", false) => "The pre-test is a sup-t test: whether the uniform band of the pre-adoption event times, from the same clustered multiplier bootstrap, covers 0 (clustered, R's did reports no pre-test; its Wald test ignores the clusters).".to_string(),
        (_, true) => "事前检验为 Wald 检验：全部事前 ATT(g,t) 为 0（与 R did 的 summary 相同）。".to_string(),
        (_, false) => "The pre-test is the Wald test that every pre-adoption ATT(g,t) is 0 (R did's summary).".to_string(),
    });
    if !rejected.is_empty() {
        notes.push(if zh(lang) {
            format!(
                "† 事前检验在 5% 水平拒绝平行趋势：{}。其估计不作为采用模式的效应解读，故不标星号。",
                rejected.join("、")
            )
        } else {
            format!(
                "† The pre-test rejects parallel trends at 5%: {}. Their estimates are not read as effects of adoption and carry no stars.",
                rejected.join(", ")
            )
        });
    }
    if !flat.is_empty() {
        notes.push(if zh(lang) {
            format!(
                "—：{}在面板期内不随时间变化，无法估计效应。",
                flat.join("、")
            )
        } else {
            format!(
                "—: {} did not vary over the panel's years: no effect can be estimated.",
                flat.join(", ")
            )
        });
    }
    notes.push(t(
        lang,
        "比例类结果的效应与标准误以百分点计。",
        "Effects on shares and their SEs are in percentage points.",
    ));
    notes.push(stars_note(lang));
    Ok(Some(Table {
        title: t(
            lang,
            "采用治理模式的效应（交错双重差分，四种模式合并）",
            "Effects of adopting a model (staggered DiD, the four models pooled)",
        ),
        spanners: vec![(t(lang, "平均处理效应", "Average treatment effect"), 1, 4)],
        columns: header.len(),
        header,
        rows,
        notes,
    }))
}

/// Table 5: each model's own effect (its adopters against the units of no
/// model), without stars: a model's subset has few clusters, and the
/// reports make no finding of it.
fn did_by_model(dir: &Path, lang: Lang) -> Result<Option<Table>, ExportError> {
    if !dir.join("tables/adoption_by_model.parquet").is_file() {
        return Ok(None);
    }
    let tb = runs::table(dir, "adoption_by_model")?;
    if tb.height() == 0 {
        return Ok(None);
    }
    let (m, model, att, se, pre) = (
        strs(&tb, "metric"),
        strs(&tb, "governance_model"),
        floats(&tb, "att"),
        floats(&tb, "se"),
        floats(&tb, "pretrend_p"),
    );
    let models = ["sinking", "collaborative", "embedded", "integrated"];
    let mut metrics: Vec<String> = Vec::new();
    for x in &m {
        if !metrics.contains(x) {
            metrics.push(x.clone());
        }
    }
    let mut rows = Vec::new();
    for metric in &metrics {
        let (name_m, breakdown) = metric.split_once(':').unwrap_or((metric.as_str(), ""));
        let at = |md: &str| (0..tb.height()).find(|&i| &m[i] == metric && model[i] == md);
        let values: Vec<Option<f64>> = models
            .iter()
            .filter_map(|md| at(md))
            .flat_map(|i| [att[i], se[i]])
            .collect();
        let (kind, spread) = format::effect_kinds(name_m, &values, lang);
        let mut data = vec![format!(
            "{}{}",
            metric_label(lang, name_m, breakdown),
            format::unit_suffix(kind, lang)
        )];
        let mut under = vec![String::new()];
        let mut pres = vec![t_label(lang)];
        for md in models {
            match at(md) {
                // An estimate without an SE: an outcome that never varied.
                Some(i) if att[i].is_some() && se[i].is_some() => {
                    data.push(format::cell(att[i], kind, lang));
                    under.push(
                        se[i]
                            .map(|_| format!("({})", format::cell(se[i], spread, lang)))
                            .unwrap_or_default(),
                    );
                    pres.push(pval(pre[i]));
                }
                _ => {
                    data.push("—".into());
                    under.push(String::new());
                    pres.push(String::new());
                }
            }
        }
        rows.push(Row::Data(data));
        if under.iter().any(|c| !c.is_empty()) {
            rows.push(Row::Under(under));
        }
        if pres.iter().skip(1).any(|c| !c.is_empty()) {
            rows.push(Row::Data(pres));
        }
    }
    let mut header = vec![t(lang, "结果变量", "Outcome")];
    header.extend(models.iter().map(|md| labels::model(lang, md)));
    Ok(Some(Table {
        title: t(
            lang,
            "各治理模式的采用效应（简单平均，各模式采用单位对无模式单位）",
            "Each model's effect (simple average, its adopters against the units of no model)",
        ),
        spanners: vec![],
        columns: header.len(),
        header,
        rows,
        notes: vec![
            t(
                lang,
                "每种模式单独估计，对照为无模式单位；方法与表 4 相同。括号内为标准误，其下一行为该模式的事前检验 p 值。",
                "Each model estimated on its own against the units of no model, as Table 4. Standard errors in brackets; below them the model's pre-test p.",
            ),
            t(
                lang,
                "单一模式的子样本聚类很少（采用单位所在的区县数个位数），其区间与事前检验不可靠：本表不标星号，不据以得出结论。",
                "A model's subset has few clusters (a handful of counties with adopters): its intervals and pre-tests are unreliable, so the table carries no stars and supports no finding.",
            ),
        ]
        .into_iter()
        .chain(crate::render::one_province_each(dir, lang))
        .collect(),
    }))
}

/// The label of a table's pre-test row.
fn t_label(lang: Lang) -> String {
    t(lang, "  事前检验 p", "  pre-test p")
}

/// Table 5: the fsQCA configuration table of the shown solution's first model.
fn qca(dir: &Path, lang: Lang) -> Result<Option<Table>, ExportError> {
    let conf = runs::table(dir, "qca_configurations")?;
    let sol = runs::table(dir, "qca_solutions")?;
    let (c_sol, c_model, c_n, c_cond, c_pres, c_core) = (
        strs(&conf, "solution"),
        strs(&conf, "model"),
        floats(&conf, "configuration"),
        strs(&conf, "condition"),
        strs(&conf, "presence"),
        conf.column("core")
            .ok()
            .and_then(|c| {
                c.bool()
                    .ok()
                    .map(|b| b.iter().map(|x| x == Some(true)).collect::<Vec<_>>())
            })
            .unwrap_or_default(),
    );
    let Some(shown) = c_sol.first().cloned() else {
        return Ok(None);
    };
    let rows_m1: Vec<usize> = (0..conf.height())
        .filter(|&i| c_sol[i] == shown && c_model[i] == "M1")
        .collect();
    let n_conf = rows_m1
        .iter()
        .filter_map(|&i| c_n[i])
        .fold(0.0f64, f64::max) as usize;
    let mut conditions: Vec<String> = Vec::new();
    for &i in &rows_m1 {
        if !conditions.contains(&c_cond[i]) {
            conditions.push(c_cond[i].clone());
        }
    }
    let mut rows = Vec::new();
    for cond in &conditions {
        let mut cells = vec![labels::set_label(lang, cond)];
        for k in 1..=n_conf {
            let i = rows_m1
                .iter()
                .copied()
                .find(|&i| c_n[i] == Some(k as f64) && &c_cond[i] == cond);
            cells.push(match i.map(|i| (c_pres[i].as_str(), c_core[i])) {
                Some(("present", true)) => "●".into(),
                Some(("present", false)) => "•".into(),
                Some(("absent", true)) => "⊗".into(),
                Some(("absent", false)) => "⊘".into(),
                _ => String::new(),
            });
        }
        rows.push(Row::Data(cells));
    }
    let (s_sol, s_model, s_term) = (
        strs(&sol, "solution"),
        strs(&sol, "model"),
        strs(&sol, "term"),
    );
    let (incl, pri, cov, covu) = (
        floats(&sol, "incl"),
        floats(&sol, "pri"),
        floats(&sol, "cov"),
        floats(&sol, "cov_unique"),
    );
    let terms: Vec<usize> = (0..sol.height())
        .filter(|&i| s_sol[i] == shown && s_model[i] == "M1" && s_term[i] != "*")
        .collect();
    let whole =
        (0..sol.height()).find(|&i| s_sol[i] == shown && s_model[i] == "M1" && s_term[i] == "*");
    let f3 = |v: Option<f64>| format::text(v, Kind::Coefficient, lang);
    rows.push(Row::Rule);
    // A configuration below the usual floors (consistency 0.75, PRI 0.5)
    // is marked where its number is.
    let pri_floor = crate::render::qca_content::MIN_PRI;
    let weak: Vec<usize> = terms
        .iter()
        .take(n_conf)
        .enumerate()
        .filter(|(_, &i)| {
            incl[i].is_some_and(|c| c < crate::render::qca_content::MIN_CONSISTENCY)
                || pri[i].is_some_and(|p| p < pri_floor)
        })
        .map(|(k, _)| k + 1)
        .collect();
    for (name, col) in [
        (t(lang, "一致性", "Consistency"), &incl),
        ("PRI".to_string(), &pri),
        (t(lang, "原始覆盖度", "Raw coverage"), &cov),
        (t(lang, "唯一覆盖度", "Unique coverage"), &covu),
    ] {
        let mut cells = vec![name];
        cells.extend(terms.iter().take(n_conf).enumerate().map(|(k, &i)| {
            let flag = weak.contains(&(k + 1)) && std::ptr::eq(col, &incl);
            format!("{}{}", f3(col[i]), if flag { "‡" } else { "" })
        }));
        rows.push(Row::Data(cells));
    }
    let (wc, wp, wv) = match whole {
        Some(i) => (incl[i], pri[i], cov[i]),
        None => (None, None, None),
    };
    for (name, v) in [
        (t(lang, "解的一致性", "Solution consistency"), wc),
        (t(lang, "解的 PRI", "Solution PRI"), wp),
        (t(lang, "解的覆盖度", "Solution coverage"), wv),
    ] {
        let mut row = vec![name, f3(v)];
        row.extend(std::iter::repeat_n(String::new(), n_conf.saturating_sub(1)));
        rows.push(Row::Data(row));
    }
    let mut header = vec![t(lang, "条件", "Condition")];
    header.extend((1..=n_conf).map(|k| format!("{}{k}", t(lang, "组态 ", "Configuration "))));
    let more_models = (0..sol.height()).any(|i| s_sol[i] == shown && s_model[i] != "M1");
    let cut = runs::table(dir, "qca_robustness")
        .ok()
        .and_then(|r| floats(&r, "incl_cut").first().copied().flatten());
    let floor = crate::render::qca_content::MIN_CONSISTENCY;
    let mut notes = vec![t(
        lang,
        "● 条件存在，⊗ 条件缺席；大符号为核心条件（亦在简约解中），小符号为边缘条件；空白表示可有可无（Ragin & Fiss 的记法）。",
        "● condition present, ⊗ absent; large: a core condition (also in the parsimonious solution), small: peripheral; blank: either (Ragin & Fiss's notation).",
    )];
    let solution_name = match shown.as_str() {
        "intermediate" => t(lang, "中间解", "the intermediate solution"),
        "parsimonious" => t(lang, "简约解", "the parsimonious solution"),
        _ => t(lang, "复杂解", "the complex solution"),
    };
    notes.push(if zh(lang) {
        format!("所列为{solution_name}的第一个模型（M1）。")
    } else {
        format!("Shown: the first model (M1) of {solution_name}.")
    });
    if more_models {
        notes.push(t(
            lang,
            "该解有多个等价模型（M2 …），见 qca_solutions。",
            "The solution has other equivalent models (M2 …): see qca_solutions.",
        ));
    }
    if !weak.is_empty() {
        let list = weak
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join("、");
        notes.push(if zh(lang) {
            format!("‡ 组态 {list} 的一致性低于 {} 或 PRI 低于 {}：对结果缺席几乎同样一致，不作为充分组态解读。", f3(Some(floor)), f3(Some(pri_floor)))
        } else {
            format!("‡ Configuration(s) {list}: consistency below {} or PRI below {} — nearly as consistent with the outcome's absence; not read as sufficient.", f3(Some(floor)), f3(Some(pri_floor)))
        });
    }
    let cases = runs::table(dir, "qca_calibrated")
        .map(|c| c.height())
        .unwrap_or(0);
    let n_cut = runs::table(dir, "qca_robustness")
        .ok()
        .and_then(|r| floats(&r, "n_cut").first().copied().flatten());
    let cal = runs::table(dir, "qca_calibration").ok();
    if let Some(cal) = cal {
        let (set, method) = (strs(&cal, "set"), strs(&cal, "method"));
        let (e, c, i) = (
            floats(&cal, "exclusion"),
            floats(&cal, "crossover"),
            floats(&cal, "inclusion"),
        );
        let anchors: Vec<String> = (0..cal.height())
            .map(|k| {
                let name = labels::set_label(lang, &set[k]);
                match (method[k].as_str(), e[k], c[k], i[k]) {
                    ("anchors" | "quantiles", Some(e), Some(c), Some(i)) => {
                        format!("{name} ({}, {}, {})", num3(e), num3(c), num3(i))
                    }
                    ("threshold", _, Some(c), _) => format!("{name} (≥ {})", num3(c)),
                    _ => format!("{name} (0/1)"),
                }
            })
            .collect();
        let expect = floats(&cal, "expect");
        let expected: Vec<String> = (0..cal.height())
            .filter_map(|k| {
                expect[k].map(|x| {
                    let name = labels::set_label(lang, &set[k]);
                    match (x >= 0.5, zh(lang)) {
                        (true, true) => format!("{name}存在"),
                        (false, true) => format!("{name}缺席"),
                        (true, false) => format!("{name} present"),
                        (false, false) => format!("{name} absent"),
                    }
                })
            })
            .collect();
        let n_cut = n_cut.map(|n| format!("{n}")).unwrap_or_default();
        let cut = cut.map(|c| f3(Some(c))).unwrap_or_default();
        notes.push(if zh(lang) {
            format!("N = {cases}（分析期的单位，缺任一集合者不计）。校准锚点（完全不隶属、交叉点、完全隶属）：{}；真值表一致性阈值 {cut}，案例数阈值 {n_cut}。", anchors.join("；"))
        } else {
            format!("N = {cases} (the analysis period's units with every set). Anchors (exclusion, crossover, inclusion): {}; the truth table's consistency cut {cut}, frequency cut {n_cut}.", anchors.join("; "))
        });
        if !expected.is_empty() {
            notes.push(if zh(lang) {
                format!("中间解的方向预期：{}。", expected.join("、"))
            } else {
                format!(
                    "The intermediate solution's directional expectations: {}.",
                    expected.join(", ")
                )
            });
        }
    }
    if conditions.iter().any(|c| c.starts_with("model:")) {
        notes.extend(crate::render::one_province_each(dir, lang));
    }
    let bar = cut.unwrap_or(floor).max(floor);
    if wc.is_some_and(|c| c < bar) {
        notes.push(if zh(lang) {
            format!(
                "解的一致性 {} 低于 {}：该解仅作描述，不构成充分条件的结论。",
                f3(wc),
                f3(Some(bar))
            )
        } else {
            format!(
                "The solution's consistency {} is below {}: it is described, not reported as a sufficient configuration.",
                f3(wc),
                f3(Some(bar))
            )
        });
    }
    Ok(Some(Table {
        title: t(
            lang,
            "模糊集定性比较分析（fsQCA）：组态表",
            "fsQCA: configurations",
        ),
        spanners: vec![],
        columns: header.len(),
        header,
        rows,
        notes,
    }))
}

/// A number with at most three decimals, trailing zeros dropped.
fn num3(x: f64) -> String {
    let s = format::fixed(x, 3);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Table 6: the index's Sobol sensitivity.
fn sensitivity(dir: &Path, lang: Lang, period: &str) -> Result<Option<Table>, ExportError> {
    let s = runs::table(dir, "index_sensitivity")?;
    if s.height() == 0 {
        return Ok(None);
    }
    let factor = strs(&s, "factor");
    let col = |c: &str| floats(&s, c);
    let (s1, s1l, s1h, st, stl, sth) = (
        col("s1"),
        col("s1_low"),
        col("s1_high"),
        col("st"),
        col("st_low"),
        col("st_high"),
    );
    let f3 = |v: Option<f64>| format::text(v, Kind::Coefficient, lang);
    let name = |f: &str| match (f, lang) {
        ("normalisation", Lang::Zh) => "归一化方法".to_string(),
        ("aggregation", Lang::Zh) => "汇总方法".into(),
        ("weights", Lang::Zh) => "权重".into(),
        ("drop_indicator", Lang::Zh) => "剔除单个指标".into(),
        ("treatment", Lang::Zh) => "异常值处理".into(),
        ("imputation", Lang::Zh) => "缺失值插补".into(),
        (other, _) => other.replace('_', " "),
    };
    let rows = (0..s.height())
        .map(|i| {
            Row::Data(vec![
                name(&factor[i]),
                f3(s1[i]),
                format!("[{}, {}]", f3(s1l[i]), f3(s1h[i])),
                f3(st[i]),
                format!("[{}, {}]", f3(stl[i]), f3(sth[i])),
            ])
        })
        .collect();
    let header = vec![
        t(lang, "建模选择", "Choice"),
        "S1".into(),
        t(lang, "95% 区间", "95% interval"),
        "ST".into(),
        t(lang, "95% 区间", "95% interval"),
    ];
    Ok(Some(Table {
        title: if zh(lang) {
            format!(
                "治理效能指数排名对建模选择的敏感性（Sobol 指数，{}）",
                labels::period_label(lang, period)
            )
        } else {
            format!("Sensitivity of the index ranks to modelling choices (Sobol indices, {period})")
        },
        spanners: vec![
            (t(lang, "一阶", "First order"), 1, 2),
            (t(lang, "总效应", "Total"), 3, 4),
        ],
        columns: header.len(),
        header,
        rows,
        notes: vec![t(
            lang,
            "S1：该选择单独引起的排名方差占比；ST：含其与其他选择交互的占比（Saltelli 设计，区间为自助法）。S1 的估计值可因抽样误差略小于 0，读作 0。",
            "S1: the share of the ranks' variance due to the choice alone; ST: with its interactions (Saltelli design; bootstrap intervals). An S1 estimate can fall slightly below 0 by sampling error: read it as 0.",
        )],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_r_s_type_7_and_stars_follow_their_thresholds() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.25), 1.75);
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(stars(Some(0.009)), "***");
        assert_eq!(stars(Some(0.01)), "**");
        assert_eq!(stars(Some(0.099)), "*");
        assert_eq!(stars(Some(0.1)), "");
        assert_eq!(stars(None), "");
        assert_eq!(minus("-3.0***"), "−3.0***");
        assert_eq!(minus("[-0.054, 0.043]"), "[−0.054, 0.043]");
        assert_eq!(minus("下沉型 - 无"), "下沉型 - 无");
    }
}
