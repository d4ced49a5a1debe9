//! The research report as one [`Document`], built from the run's tables
//! only: the key findings as sentences whose every number is a cell of a
//! table in the same document (formatted by the one formatter), then one
//! section per chart with its table and definition, data quality and
//! provenance.

use std::path::Path;

use polars::prelude::*;

use super::document::{Block, Cell, Column, Document, Figure, Table};
use super::format::{self, change_kind, metric_kind, Kind};
use super::labels::{self, label, period_label, period_title, Lang};
use super::{floats, strs, table, RenderError};

/// Rows of model_summary (read once per report) for `metric` (and
/// `breakdown`; `None` = null) in `period`.
pub(super) fn summary_rows(
    summary: &DataFrame,
    metric: &str,
    breakdown: Option<&str>,
    period: &str,
) -> Result<DataFrame, RenderError> {
    let df = summary.clone();
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
        .collect()
        .map_err(|source| RenderError::Table {
            path: "model_summary".into(),
            source,
        })
}

/// The per-model table of one metric in one period.
fn summary_table(
    summary: &DataFrame,
    lang: Lang,
    metric: &str,
    breakdown: Option<&str>,
    period: &str,
) -> Result<Table, RenderError> {
    let df = summary_rows(summary, metric, breakdown, period)?;
    let name = labels::metric(lang, metric, breakdown.unwrap_or(""));
    let k = metric_kind(metric);
    let caption = match lang {
        Lang::Zh => format!("{}{name}（按治理模式）", period_label(lang, period)),
        Lang::En => format!("{name} by model, {period}"),
    };
    let mut t = Table::new(
        &name,
        &caption,
        vec![
            Column::text(label(lang, "model")),
            Column::number(label(lang, "n"), Kind::Count),
            Column::number(label(lang, "mean"), k),
            Column::number(label(lang, "sd"), k),
            Column::number(label(lang, "median"), k),
            Column::number(label(lang, "ci_low"), k),
            Column::number(label(lang, "ci_high"), k),
        ],
    );
    let models = strs(&df, "governance_model");
    let cols: Vec<Vec<Option<f64>>> = ["n", "mean", "sd", "median", "ci_low", "ci_high"]
        .iter()
        .map(|c| floats(&df, c))
        .collect();
    for (i, m) in models.iter().enumerate() {
        let mut row = vec![Cell::text(labels::model(lang, m))];
        row.extend(cols.iter().map(|c| Cell::Num(c[i])));
        t.rows.push(row);
    }
    Ok(t)
}

/// "：" in Chinese captions, ": " in English ones.
fn sep(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

/// A metric key of the DiD tables (`share_young:cadre`) as its name.
fn did_metric(lang: Lang, key: &str) -> (String, String) {
    let (m, b) = key.split_once(':').unwrap_or((key, ""));
    (m.to_string(), labels::metric(lang, m, b))
}

/// The report's content, from the run's tables.
pub(super) fn report_content(
    dir: &Path,
    manifest: &serde_json::Value,
    latest: &str,
    simulated: bool,
    lang: Lang,
    maps: &[super::maps::MapFigure],
    map_notes: &[String],
) -> Result<Document, RenderError> {
    let zh = lang == Lang::Zh;
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    let summary = table(dir, "model_summary")?;

    // The resolution rate by model: the best mean, from its table.
    let res = summary_table(&summary, lang, "resolution_rate", None, latest)?;
    if let Some(best) = res
        .rows
        .iter()
        .filter(|r| matches!(r[2], Cell::Num(Some(_))))
        .max_by(|a, b| {
            let v = |r: &Vec<Cell>| match r[2] {
                Cell::Num(Some(v)) => v,
                _ => f64::NAN,
            };
            v(a).total_cmp(&v(b))
        })
    {
        let m = best[0].shown(None, lang);
        let v = best[2].shown(Some(Kind::Share), lang);
        let p = period_label(lang, latest);
        findings.push(if zh {
            format!("{p}调解成功率均值最高的是{m}（{v}）。")
        } else {
            format!("In {p} the mean resolution rate is highest under {m} ({v}).")
        });
    }

    // Differences between models in the latest period, one row a metric.
    let tests = table(dir, "model_tests")?;
    let (tp, tm, tb) = (
        strs(&tests, "period"),
        strs(&tests, "metric"),
        strs(&tests, "breakdown"),
    );
    let tcols: Vec<Vec<Option<f64>>> = ["groups", "n", "h", "df", "p", "epsilon2"]
        .iter()
        .map(|c| floats(&tests, c))
        .collect();
    let mut tests_t = Table::new(
        label(lang, "tests_title"),
        &format!(
            "{}{}Kruskal–Wallis",
            period_title(lang, "tests_title", latest, false),
            sep(lang)
        ),
        vec![
            Column::text(label(lang, "metric")),
            Column::number(label(lang, "groups"), Kind::Count),
            Column::number(label(lang, "n"), Kind::Count),
            Column::number(label(lang, "h"), Kind::Statistic),
            Column::number(label(lang, "df"), Kind::Count),
            Column::number(label(lang, "p"), Kind::PValue),
            Column::number(label(lang, "epsilon2"), Kind::Coefficient),
        ],
    );
    for i in (0..tests.height()).filter(|&i| tp[i] == latest) {
        let mut row = vec![Cell::text(labels::metric(lang, &tm[i], &tb[i]))];
        row.extend(tcols.iter().map(|c| Cell::Num(c[i])));
        if tm[i] == "resolution_rate" && tb[i].is_empty() {
            let (h, p, e) = (
                row[3].shown(Some(Kind::Statistic), lang),
                tcols[4][i].unwrap_or(f64::NAN),
                row[6].shown(Some(Kind::Coefficient), lang),
            );
            let sig = p < 0.05;
            let pc = format::p_clause(p);
            findings.push(if zh {
                format!(
                    "各模式间调解成功率差异{}（Kruskal–Wallis H = {h}，{pc}，ε² = {e}）。",
                    if sig { "显著" } else { "不显著" }
                )
            } else {
                format!(
                    "Resolution rates {} across models (Kruskal–Wallis H = {h}, {pc}, ε² = {e}).",
                    if sig {
                        "differ significantly"
                    } else {
                        "do not differ significantly"
                    }
                )
            });
        }
        tests_t.rows.push(row);
    }

    // Average adoption effects: a finding each, from the effects table.
    let eff = table(dir, "adoption_effects")?;
    let (em, ek) = (strs(&eff, "metric"), strs(&eff, "kind"));
    let (ea, es) = (floats(&eff, "att"), floats(&eff, "se"));
    let (elo, ehi) = (floats(&eff, "ci_low"), floats(&eff, "ci_high"));
    let mut effects_t = Table::new(
        label(lang, "effects_title"),
        &labels::titled(lang, "effects_title", simulated),
        vec![
            Column::text(label(lang, "metric")),
            Column::text(label(lang, "kind")),
            Column::number(label(lang, "att"), Kind::Change),
            Column::number(label(lang, "se"), Kind::Change),
            Column::number(label(lang, "ci_low"), Kind::Change),
            Column::number(label(lang, "ci_high"), Kind::Change),
        ],
    );
    let mut zero = Vec::new();
    for i in (0..eff.height()).filter(|&i| ek[i] == "simple") {
        let (key, name) = did_metric(lang, &em[i]);
        let Some(a) = ea[i] else {
            continue;
        };
        // No SE: an estimate with no variation (every unit's change zero).
        let se = es[i].unwrap_or(0.0);
        let (lo, hi) = (
            elo.get(i).copied().flatten().unwrap_or(a - 1.96 * se),
            ehi.get(i).copied().flatten().unwrap_or(a + 1.96 * se),
        );
        let k = change_kind(&key);
        let cells = [a, se, lo, hi].map(|v| format::text(Some(v), k, lang));
        let zero_text = format::text(Some(0.0), k, lang);
        if [a, lo, hi]
            .iter()
            .all(|v| format::text(Some(*v), k, lang) == zero_text)
        {
            zero.push(name);
            continue;
        }
        // Each row in its metric's own unit: a share's change in points.
        let mut row = vec![Cell::text(&name), Cell::text(label(lang, "att"))];
        row.extend([a, se, lo, hi].map(|v| Cell::Value(Some(v), k)));
        effects_t.rows.push(row);
        let sig = lo > 0.0 || hi < 0.0;
        let s = if sig {
            label(lang, "significant")
        } else {
            label(lang, "not_significant")
        };
        findings.push(if zh {
            format!(
                "采用治理模式后，{name}平均变化 {}（95% 区间 {} 至 {}），{s}。",
                cells[0], cells[2], cells[3]
            )
        } else {
            format!(
                "After adopting a model, {name} changed by {} on average (95% interval {} to {}): {s}.",
                cells[0], cells[2], cells[3]
            )
        });
    }
    if !zero.is_empty() {
        notes.push(format!(
            "{}{}",
            label(lang, "zero_effect_note"),
            zero.join(if zh { "、" } else { ", " })
        ));
    }

    let quality = table(dir, "data_quality")?;
    // fold from +0.0: an empty f64 sum is −0.0, which would print as "-0".
    let qrows = floats(&quality, "rows")
        .into_iter()
        .flatten()
        .fold(0.0, |a, b| a + b);
    let q = format::text(Some(qrows), Kind::Count, lang);
    findings.push(if zh {
        format!("数据质量：{q} 条隔离行或发现（见文末）。")
    } else {
        format!("Data quality: {q} quarantined rows or findings (see the end).")
    });

    let mut blocks = vec![
        Block::Heading(label(lang, "key_findings").into()),
        Block::Bullets(findings),
    ];
    blocks.extend(notes.into_iter().map(Block::Note));

    let fig = |chart: &str, key: &str| {
        Block::Figure(Figure {
            chart: chart.into(),
            caption: period_title(lang, key, latest, simulated),
        })
    };
    let note = |key: &str| Block::Note(label(lang, key).into());

    // (a) Age structure: both shares by model and role.
    let mut age = Table::new(
        label(lang, "age_title"),
        &period_title(lang, "age_title", latest, false),
        vec![
            Column::text(label(lang, "model")),
            Column::text(label(lang, "role")),
            Column::number(label(lang, "n"), Kind::Count),
            Column::number(labels::metric(lang, "share_young", ""), Kind::Share),
            Column::number(labels::metric(lang, "share_old", ""), Kind::Share),
        ],
    );
    for role in ["cadre", "member"] {
        let young = summary_rows(&summary, "share_young", Some(role), latest)?;
        let old = summary_rows(&summary, "share_old", Some(role), latest)?;
        let (ym, yn, yv) = (
            strs(&young, "governance_model"),
            floats(&young, "n"),
            floats(&young, "mean"),
        );
        let (om, ov) = (strs(&old, "governance_model"), floats(&old, "mean"));
        for i in 0..young.height() {
            let o = om.iter().position(|m| *m == ym[i]).and_then(|j| ov[j]);
            age.rows.push(vec![
                Cell::text(labels::model(lang, &ym[i])),
                Cell::text(label(lang, role)),
                Cell::Num(yn[i]),
                Cell::Num(yv[i]),
                Cell::Num(o),
            ]);
        }
    }
    blocks.extend([
        Block::Heading(label(lang, "age_title").into()),
        fig("age_structure", "age_title"),
        Block::Table(age),
        note("def_age"),
    ]);

    // (b) Resolution: boxes, the table, the tests; the trend.
    blocks.extend([
        Block::Heading(label(lang, "resolution_title").into()),
        fig("resolution_rate", "resolution_title"),
        Block::Table(res),
        Block::Table(tests_t),
        note("def_resolution"),
        Block::Figure(Figure {
            chart: "resolution_trend".into(),
            caption: labels::titled(lang, "resolution_trend_title", simulated),
        }),
        note("trend_note"),
    ]);

    // (c) Service centres.
    blocks.extend([
        Block::Heading(label(lang, "heatmap_title").into()),
        fig("centre_visits", "heatmap_title"),
        Block::Table(summary_table(
            &summary,
            lang,
            "visits_per_1k",
            None,
            latest,
        )?),
        fig("centre_coverage", "coverage_title"),
        Block::Table(summary_table(
            &summary,
            lang,
            "center_coverage",
            None,
            latest,
        )?),
        note("def_visits"),
    ]);

    // (d) The index: the top units by name, with rank intervals.
    let units = table(dir, "units")?;
    let (uc, un, um) = (
        strs(&units, "region_code"),
        strs(&units, "region_name"),
        strs(&units, "governance_model"),
    );
    let unit_of: std::collections::BTreeMap<&str, usize> = uc
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let scores = table(dir, "index_scores")?
        .lazy()
        .filter(col("period").eq(lit(latest)))
        .sort(["rank"], SortMultipleOptions::default())
        .collect()
        .map_err(|source| RenderError::Table {
            path: "index_scores".into(),
            source,
        })?;
    let mut idx = Table::new(
        label(lang, "score"),
        &period_title(lang, "index_title", latest, false),
        vec![
            Column::number(label(lang, "rank"), Kind::Rank),
            Column::text(label(lang, "unit")),
            Column::text(label(lang, "model")),
            Column::number(label(lang, "score"), Kind::Score),
            Column::number(format!("{} 5%", label(lang, "rank")), Kind::Rank),
            Column::number(format!("{} 95%", label(lang, "rank")), Kind::Rank),
        ],
    );
    idx.shown = 20;
    let (sc, ss, sr, s5, s95) = (
        strs(&scores, "region_code"),
        floats(&scores, "score"),
        floats(&scores, "rank"),
        floats(&scores, "rank_p05"),
        floats(&scores, "rank_p95"),
    );
    for i in 0..scores.height() {
        let u = unit_of.get(sc[i].as_str()).copied();
        idx.rows.push(vec![
            Cell::Num(sr[i]),
            Cell::Named {
                name: u.map(|u| un[u].clone()).unwrap_or_default(),
                code: sc[i].clone(),
            },
            Cell::text(u.map(|u| labels::model(lang, &um[u])).unwrap_or_default()),
            Cell::Num(ss[i]),
            Cell::Num(s5[i]),
            Cell::Num(s95[i]),
        ]);
    }
    blocks.extend([
        Block::Heading(label(lang, "index_title").into()),
        fig("index_ranks", "index_title"),
        Block::Table(idx),
        fig("index_models", "index_models_title"),
        note("def_index"),
    ]);
    blocks.extend(super::index_content::blocks(dir, simulated, lang)?);
    if !maps.is_empty() {
        blocks.push(Block::Heading(label(lang, "maps_title").into()));
        blocks.extend(maps.iter().map(|m| {
            Block::Figure(Figure {
                chart: m.chart.clone(),
                caption: m.caption.clone(),
            })
        }));
        blocks.extend(map_notes.iter().map(|n| Block::Note(n.clone())));
    }

    // (e) Adoption effects: the event study and the averages.
    let events = table(dir, "event_study")?;
    let (evm, evr) = (strs(&events, "metric"), floats(&events, "rel_year"));
    let ev: Vec<Vec<Option<f64>>> = ["att", "se", "ci_low", "ci_high"]
        .iter()
        .map(|c| floats(&events, c))
        .collect();
    // With a uniform band the interval columns are the band's.
    let banded = floats(&events, "crit")
        .iter()
        .flatten()
        .any(|c| *c > 1.959_964 + 1e-6);
    // The band's critical value, as the event-study table and chart use it.
    let band_crit = (0..events.height())
        .filter(|&i| evm[i] == "resolution_rate" && evr[i].is_some())
        .find_map(|i| floats(&events, "crit")[i])
        .filter(|c| *c > 1.959_964 + 1e-6);
    let (lo_key, hi_key) = if banded {
        ("band_low", "band_high")
    } else {
        ("ci_low", "ci_high")
    };
    let ek = change_kind("resolution_rate");
    let mut es_t = Table::new(
        label(lang, "rel_year"),
        &labels::titled(lang, "event_title", false),
        vec![
            Column::number(label(lang, "rel_year"), Kind::Rank),
            Column::number(label(lang, "effect"), ek),
            Column::number(label(lang, "se"), ek),
            Column::number(label(lang, lo_key), ek),
            Column::number(label(lang, hi_key), ek),
        ],
    );
    for i in (0..events.height()).filter(|&i| evm[i] == "resolution_rate") {
        // The last row: the average over e ≥ 0, with its 95% interval.
        let mut row = vec![match evr[i] {
            Some(_) => Cell::Num(evr[i]),
            None => Cell::text(label(lang, "event_average")),
        }];
        row.extend(ev.iter().map(|c| Cell::Num(c[i])));
        es_t.rows.push(row);
    }
    blocks.extend([
        Block::Heading(label(lang, "event_title").into()),
        Block::Figure(Figure {
            chart: "event_study".into(),
            caption: labels::titled(lang, "event_title", simulated),
        }),
        Block::Table(es_t),
        Block::Table(effects_t),
        Block::Note(did_method(&table(dir, "adoption_tests")?, band_crit, lang)),
    ]);

    // (e′) fsQCA, when the run made a study.
    blocks.extend(super::qca_content::blocks(dir, latest, simulated, lang)?);

    // (f) Data quality.
    let (qt, qr, qk) = (
        strs(&quality, "table"),
        strs(&quality, "rule"),
        strs(&quality, "kind"),
    );
    let qn = floats(&quality, "rows");
    let mut q_t = Table::new(
        label(lang, "quality_title"),
        &labels::titled(lang, "quality_title", false),
        vec![
            Column::text(label(lang, "table_n")),
            Column::text(label(lang, "rule")),
            Column::text(label(lang, "kind")),
            Column::number(label(lang, "rows"), Kind::Count),
        ],
    );
    for i in 0..quality.height() {
        q_t.rows.push(vec![
            Cell::text(&qt[i]),
            Cell::text(&qr[i]),
            Cell::text(&qk[i]),
            Cell::Num(qn[i]),
        ]);
    }
    blocks.extend([
        Block::Heading(label(lang, "quality_title").into()),
        Block::Figure(Figure {
            chart: "data_quality".into(),
            caption: labels::titled(lang, "quality_title", simulated),
        }),
    ]);
    blocks.push(if q_t.rows.is_empty() {
        Block::Paragraph(if zh {
            "输入数据全部通过校验：没有隔离行，也没有发现。".into()
        } else {
            "Every input row passed validation: no row was quarantined and no finding was made."
                .into()
        })
    } else {
        Block::Table(q_t)
    });

    let get = |k: &str| {
        manifest[k]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| manifest[k].to_string())
    };
    let run_id = get("run_id");
    Ok(Document {
        lang,
        title: labels::titled(lang, "report_title", simulated),
        subtitle: format!(
            "{} {} · {} {}",
            label(lang, "period"),
            period_label(lang, latest),
            label(lang, "run"),
            run_id
        ),
        banner: simulated.then(|| label(lang, "simulated_banner").to_string()),
        blocks,
        definitions: definitions(lang),
        provenance: provenance(manifest),
        config: Some(get("config")),
        notebook_code: vec![LOAD_CODE.to_string()],
    })
}

const LOAD_CODE: &str = "# The run's tables: go on from here.\nimport pathlib\nimport polars as pl\nimport pandas as pd\n\ntables = pathlib.Path('tables')\nunit_metrics = pl.read_parquet(tables / 'unit_metrics.parquet')\nmodel_summary = pd.read_parquet(tables / 'model_summary.parquet')\nindex_scores = pl.read_parquet(tables / 'index_scores.parquet')\nadoption_effects = pd.read_parquet(tables / 'adoption_effects.parquet')\nunit_metrics.head()";

/// How the adoption effects were estimated, from `adoption_tests`' settings
/// (the resolution rate's row): control group, covariates, method,
/// standard errors and what the band means (`band_crit`: the event study's
/// critical value).
fn did_method(tests: &polars::prelude::DataFrame, band_crit: Option<f64>, lang: Lang) -> String {
    let m = strs(tests, "metric");
    let Some(i) = m
        .iter()
        .position(|x| x == "resolution_rate")
        .or((!m.is_empty()).then_some(0))
    else {
        return label(lang, "def_event").to_string();
    };
    let get = |c: &str| strs(tests, c).get(i).cloned().unwrap_or_default();
    let zh = lang == Lang::Zh;
    let control = match (get("control").as_str(), zh) {
        ("notyet", true) => "尚未采用模式的单位（含从未采用者）",
        (_, true) => "从未采用模式的单位",
        ("notyet", false) => "not-yet-adopting units (and the never-adopting)",
        (_, false) => "never-adopting units",
    };
    let covs = get("covariates");
    let method = match (get("method").as_str(), zh) {
        ("ipw", true) => "逆概率加权",
        ("reg", true) => "结果回归",
        (_, true) => "双重稳健（倾向得分与结果回归）",
        ("ipw", false) => "inverse probability weighting",
        ("reg", false) => "outcome regression",
        (_, false) => "doubly robust (propensity score and outcome regression)",
    };
    let adjust = match (covs.is_empty(), zh) {
        (true, true) => "不含协变量".to_string(),
        (false, true) => format!("以协变量 {covs} 条件化平行趋势，采用{method}估计"),
        (true, false) => "without covariates".to_string(),
        (false, false) => format!("parallel trends conditional on {covs}, estimated by {method}"),
    };
    let se = match (get("se").as_str(), zh) {
        ("analytic", true) => "标准误由影响函数解析计算",
        (_, true) => "标准误为按单位聚类的乘数自助法",
        ("analytic", false) => "analytic standard errors from the influence functions",
        (_, false) => "standard errors from a multiplier bootstrap clustered by unit",
    };
    let base = if get("base_period") == "universal" {
        if zh {
            "，统一基期"
        } else {
            ", a universal base period"
        }
    } else {
        ""
    };
    let band = match band_crit {
        Some(c) if zh => format!("竖线为逐点 95% 区间，阴影为 95% 一致置信带（临界值 {c:.2}，同时覆盖所有相对年份，而非逐个年份）。"),
        Some(c) => format!(" Whiskers are pointwise 95% intervals; the shading is the 95% uniform band (critical value {c:.2}), which covers every event time at once."),
        None if zh => "竖线为逐点 95% 区间。".to_string(),
        None => " Whiskers are pointwise 95% intervals.".to_string(),
    };
    if zh {
        format!("采用模式的效应：交错双重差分（Callaway–Sant'Anna，与 R did 的 att_gt 相同），对照组为{control}，{adjust}{base}；{se}。{band}")
    } else {
        format!("Adoption effects: staggered difference-in-differences (Callaway–Sant'Anna, as R did's att_gt) against {control}, {adjust}{base}; {se}.{band}")
    }
}

/// The definitions every report ends with.
pub(super) fn definitions(lang: Lang) -> Vec<(String, String)> {
    [
        ("age_title", "def_age"),
        ("resolution_rate", "def_resolution"),
        ("heatmap_title", "def_visits"),
        ("score", "def_index"),
        ("event_title", "def_event"),
    ]
    .iter()
    .map(|(k, d)| (label(lang, k).to_string(), label(lang, d).to_string()))
    .collect()
}

/// Run id, versions, seed and draws, and every input with its hash.
pub(super) fn provenance(manifest: &serde_json::Value) -> Vec<(String, String)> {
    let get = |k: &str| {
        manifest[k]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| manifest[k].to_string())
    };
    let mut p: Vec<(String, String)> = [
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
            p.push((
                pair[0].as_str().unwrap_or("").to_string(),
                pair[1].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    p
}
