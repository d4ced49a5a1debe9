//! The research report as one [`Document`], built from the run's tables
//! only: the key findings as sentences whose every number is a cell of a
//! table in the same document (formatted by the one formatter), then one
//! section per chart with its table and definition, data quality and
//! provenance.

use std::path::Path;

use polars::prelude::*;

use super::claims;
use super::document::{Block, Cell, Column, Document, Figure, Table};
use super::format::{self, metric_kind, Kind};
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

/// The per-model table of one metric in one period, models in the
/// reports' order.
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
    let mut order: Vec<usize> = (0..models.len()).collect();
    order.sort_by_key(|&i| claims::model_rank(&models[i]));
    for i in order {
        let mut row = vec![Cell::text(labels::model(lang, &models[i]))];
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

/// The period's Kruskal–Wallis tests: the table (raw and corrected p) and
/// the family's correction, with the count significant after it.
struct Tests {
    table: Table,
    /// (metric, breakdown) → (H as shown, corrected p).
    rows: Vec<(String, String, String, f64)>,
    method: String,
    significant: usize,
}

fn tests_table(dir: &Path, latest: &str, lang: Lang) -> Result<Tests, RenderError> {
    let tests = table(dir, "model_tests")?;
    let (tp, tm, tb) = (
        strs(&tests, "period"),
        strs(&tests, "metric"),
        strs(&tests, "breakdown"),
    );
    let method = strs(&tests, "p_adjust")
        .into_iter()
        .next()
        .unwrap_or_else(|| "holm".into());
    let tcols: Vec<Vec<Option<f64>>> = ["groups", "n", "h", "df", "p", "p_adjusted", "epsilon2"]
        .iter()
        .map(|c| floats(&tests, c))
        .collect();
    let adjusted = label(
        lang,
        if method == "bh" {
            "p_bh"
        } else {
            "p_holm_family"
        },
    );
    let mut t = Table::new(
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
            Column::number(adjusted, Kind::PValue),
            Column::number(label(lang, "epsilon2"), Kind::Coefficient),
        ],
    );
    let mut rows = Vec::new();
    let mut significant = 0;
    for i in (0..tests.height()).filter(|&i| tp[i] == latest) {
        let mut row = vec![Cell::text(labels::metric(lang, &tm[i], &tb[i]))];
        row.extend(tcols.iter().map(|c| Cell::Num(c.get(i).copied().flatten())));
        let padj = tcols[5].get(i).copied().flatten().unwrap_or(f64::NAN);
        if padj < claims::ALPHA {
            significant += 1;
        }
        rows.push((
            tm[i].clone(),
            tb[i].clone(),
            row[3].shown(Some(Kind::Statistic), lang),
            padj,
        ));
        t.rows.push(row);
    }
    Ok(Tests {
        table: t,
        rows,
        method,
        significant,
    })
}

/// The Dunn pairs of `metric` in `latest`, each oriented by the reports'
/// model order (z > 0: the first ranks higher).
fn pairs_of(pairs: &DataFrame, latest: &str, metric: &str, breakdown: &str) -> Vec<claims::Pair> {
    let (pp, pm, pb, a, b) = (
        strs(pairs, "period"),
        strs(pairs, "metric"),
        strs(pairs, "breakdown"),
        strs(pairs, "model_a"),
        strs(pairs, "model_b"),
    );
    let (z, ph) = (floats(pairs, "z"), floats(pairs, "p_holm"));
    (0..pairs.height())
        .filter(|&i| pp[i] == latest && pm[i] == metric && pb[i] == breakdown)
        .filter_map(|i| {
            let (z, p) = (z[i]?, ph[i]?);
            Some(if claims::model_rank(&a[i]) <= claims::model_rank(&b[i]) {
                claims::Pair {
                    a: a[i].clone(),
                    b: b[i].clone(),
                    z,
                    p_holm: p,
                }
            } else {
                claims::Pair {
                    a: b[i].clone(),
                    b: a[i].clone(),
                    z: -z,
                    p_holm: p,
                }
            })
        })
        .collect()
}

/// One metric's Dunn pairs as a table with each pair's verdict.
fn pairs_table(pairs: &[claims::Pair], caption: &str, lang: Lang) -> Table {
    let mut t = Table::new(
        label(lang, "pairs_sheet"),
        caption,
        vec![
            Column::text(label(lang, "model_a")),
            Column::text(label(lang, "model_b")),
            Column::number(label(lang, "z"), Kind::Statistic),
            Column::number(label(lang, "p_holm"), Kind::PValue),
            Column::text(label(lang, "verdict")),
        ],
    );
    let mut sorted: Vec<&claims::Pair> = pairs.iter().collect();
    sorted.sort_by_key(|p| (claims::model_rank(&p.a), claims::model_rank(&p.b)));
    for p in sorted {
        let (a, b) = (labels::model(lang, &p.a), labels::model(lang, &p.b));
        let verdict = match (p.p_holm < claims::ALPHA, p.z > 0.0, lang) {
            (false, _, Lang::Zh) => "差异不显著".to_string(),
            (false, _, Lang::En) => "not significant".to_string(),
            (true, true, Lang::Zh) => format!("{a}高于{b}"),
            (true, false, Lang::Zh) => format!("{b}高于{a}"),
            (true, true, Lang::En) => format!("{a} above {b}"),
            (true, false, Lang::En) => format!("{b} above {a}"),
        };
        t.rows.push(vec![
            Cell::text(a),
            Cell::text(b),
            Cell::Num(Some(p.z)),
            Cell::Num(Some(p.p_holm)),
            Cell::text(verdict),
        ]);
    }
    t
}

/// The significant pairs of every other metric whose corrected
/// Kruskal–Wallis test is significant.
fn other_pairs_table(pairs: &DataFrame, tests: &Tests, latest: &str, lang: Lang) -> Option<Table> {
    let mut t = Table::new(
        label(lang, "pairs_other_sheet"),
        &period_title(lang, "pairs_other_title", latest, false),
        vec![
            Column::text(label(lang, "metric")),
            Column::text(label(lang, "higher")),
            Column::text(label(lang, "lower")),
            Column::number(label(lang, "z"), Kind::Statistic),
            Column::number(label(lang, "p_holm"), Kind::PValue),
        ],
    );
    t.shown = 40;
    for (m, b, _, padj) in &tests.rows {
        if *padj >= claims::ALPHA || (m == "resolution_rate" && b.is_empty()) {
            continue;
        }
        let mut ps = pairs_of(pairs, latest, m, b);
        ps.retain(|p| p.p_holm < claims::ALPHA);
        ps.sort_by_key(|p| (claims::model_rank(&p.a), claims::model_rank(&p.b)));
        for p in ps {
            let (hi, lo) = if p.z > 0.0 {
                (&p.a, &p.b)
            } else {
                (&p.b, &p.a)
            };
            t.rows.push(vec![
                Cell::text(labels::metric(lang, m, b)),
                Cell::text(labels::model(lang, hi)),
                Cell::text(labels::model(lang, lo)),
                Cell::Num(Some(p.z.abs())),
                Cell::Num(Some(p.p_holm)),
            ]);
        }
    }
    (!t.rows.is_empty()).then_some(t)
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
    let summary = table(dir, "model_summary")?;
    let pairs = table(dir, "model_pairs")?;

    // Between the models: the resolution rate, at the strength the
    // corrected omnibus test and the Dunn pairs support.
    let res = summary_table(&summary, lang, "resolution_rate", None, latest)?;
    let tests = tests_table(dir, latest, lang)?;
    let res_pairs = pairs_of(&pairs, latest, "resolution_rate", "");
    let method_name = label(
        lang,
        if tests.method == "bh" {
            "bh_name"
        } else {
            "holm_name"
        },
    );
    let omnibus = tests
        .rows
        .iter()
        .find(|r| r.0 == "resolution_rate" && r.1.is_empty())
        .map(|r| claims::Omnibus {
            quoted: match lang {
                Lang::Zh => format!("H = {}，{method_name} 校正 {}", r.2, format::p_clause(r.3)),
                Lang::En => format!(
                    "H = {}, {method_name}-corrected {}",
                    r.2,
                    format::p_clause(r.3)
                ),
            },
            p_adjusted: r.3,
        });
    let models: Vec<String> = {
        let mut m = strs(
            &summary_rows(&summary, "resolution_rate", None, latest)?,
            "governance_model",
        );
        m.sort_by_key(|x| claims::model_rank(x));
        m
    };
    let subject = match lang {
        Lang::Zh => format!("{}调解成功率", period_label(lang, latest)),
        Lang::En => format!("In {latest} the resolution rate"),
    };
    findings.push(claims::between_models(
        lang,
        &subject,
        &models,
        omnibus.as_ref(),
        &res_pairs,
    ));
    let n_tests = tests.rows.len();
    findings.push(if zh {
        format!(
            "{}各模式间差异检验共 {n_tests} 项（每项指标一项 Kruskal–Wallis 检验），经 {method_name} 校正后 {} 项在 5% 水平显著（表“{}”）；各模式由县（区）选定，这些检验把单位当作独立观测，只作描述（见“局限”）。",
            period_label(lang, latest),
            tests.significant,
            label(lang, "tests_title")
        )
    } else {
        format!(
            "Of the {n_tests} tests between models in {latest} (a Kruskal–Wallis test a metric), {} are significant at 5% after {method_name}'s correction (table \"{}\"); models are chosen by county and these tests treat units as independent, so they are descriptive (see Limitations).",
            tests.significant,
            label(lang, "tests_title")
        )
    });

    // Adoption effects: one finding an outcome, none where pre-trends differ.
    let did = super::did_content::section(dir, simulated, lang)?;
    findings.extend(did.findings.iter().cloned());

    // fsQCA, when the run made a study.
    let qca = super::qca_content::section(dir, latest, simulated, lang)?;
    findings.extend(qca.finding.iter().cloned());

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
    let (data_blocks, data_facts) =
        super::data_content::section(dir, &summary, latest, simulated, lang)?;
    blocks.extend(data_blocks);

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
        let mut order: Vec<usize> = (0..young.height()).collect();
        order.sort_by_key(|&i| claims::model_rank(&ym[i]));
        for i in order {
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

    // (b) Resolution: boxes, the table, the tests and the pairs; the trend.
    blocks.extend([
        Block::Heading(label(lang, "resolution_title").into()),
        fig("resolution_rate", "resolution_title"),
        Block::Table(res),
        Block::Table(tests.table.clone()),
        Block::Note(if zh {
            format!(
                "校正后 p：同一期 {n_tests} 项检验作为一族，用 {method_name} 法校正（[compare] p_adjust）；发现只引用校正后的 p。"
            )
        } else {
            format!(
                "Corrected p: the period's {n_tests} tests are one family, corrected by {method_name}'s method ([compare] p_adjust); the findings quote only corrected p-values."
            )
        }),
        Block::Table(pairs_table(
            &res_pairs,
            &format!(
                "{}{}{}",
                period_label(lang, latest),
                label(lang, "resolution_rate"),
                match lang {
                    Lang::Zh => format!("：{}", label(lang, "pairs_title")),
                    Lang::En => format!(": {}", label(lang, "pairs_title")),
                }
            ),
            lang,
        )),
    ]);
    blocks.extend(other_pairs_table(&pairs, &tests, latest, lang).map(Block::Table));
    blocks.extend([
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

    // (e) Adoption effects; (e′) fsQCA; the limitations.
    blocks.extend(did.blocks);
    blocks.extend(qca.blocks);
    blocks.extend(super::data_content::limitations(
        lang,
        &data_facts,
        &did.facts,
        &qca.facts,
        simulated,
    ));

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

/// The definitions every report ends with.
/// Every metric a report uses, by its name, then the methods.
pub(super) fn definitions(lang: Lang) -> Vec<(String, String)> {
    let metrics = [
        ("share_young", "cadre"),
        ("share_old", "cadre"),
        ("aging_ratio", "cadre"),
        ("mean_age", "cadre"),
        ("members", "cadre"),
        ("disputes_per_10k", ""),
        ("resolution_rate", ""),
        ("escalation_rate", ""),
        ("visits_per_1k", ""),
        ("center_coverage", ""),
        ("satisfaction", ""),
    ];
    let mut out: Vec<(String, String)> = metrics
        .iter()
        .map(|(m, _)| {
            (
                labels::metric(lang, m, ""),
                label(lang, &format!("defm_{m}")).to_string(),
            )
        })
        .collect();
    out.extend(
        [
            ("score", "def_index"),
            ("event_title", "def_event"),
            ("qca_heading", "def_qca"),
        ]
        .iter()
        .map(|(k, d)| (label(lang, k).to_string(), label(lang, d).to_string())),
    );
    out
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
