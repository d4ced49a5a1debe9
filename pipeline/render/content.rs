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

/// What the render drew that the report shows: the maps and their notes,
/// and how many units the rank charts show at each end.
pub(super) struct Drawn<'a> {
    pub(super) maps: &'a [super::maps::MapFigure],
    pub(super) map_notes: &'a [String],
    pub(super) top_n: usize,
    /// The adoption effects' alpha (read once from `adoption_tests`).
    pub(super) alpha: f64,
}

/// The report's content, from the run's tables.
pub(super) fn report_content(
    dir: &Path,
    manifest: &serde_json::Value,
    latest: &str,
    simulated: bool,
    lang: Lang,
    drawn: &Drawn,
) -> Result<Document, RenderError> {
    let (maps, map_notes) = (drawn.maps, drawn.map_notes);
    let zh = lang == Lang::Zh;
    let mut findings = Vec::new();
    let summary = table(dir, "model_summary")?;

    // Between the models: the resolution rate, at the strength the
    // corrected omnibus test and the Dunn pairs at the level models are
    // assigned at support.
    let res = summary_table(&summary, lang, "resolution_rate", None, latest)?;
    let tests = super::models_content::Models::read(dir, latest)?;
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
    findings.push(tests.sentence(lang, &subject, &models, "resolution_rate", ""));
    findings.push(tests.family_sentence(lang, latest));

    // Adoption effects: one finding an outcome, none where pre-trends differ.
    let did = super::did_content::section(dir, drawn.alpha, simulated, lang)?;
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

    // (a) Age structure: both shares by model and role.
    blocks.extend(age_blocks(&summary, latest, simulated, lang)?);

    // (b) Resolution: boxes, the table, the tests and the pairs; the trend;
    // (c) service centres.
    blocks.extend(model_blocks(
        &summary, res, &tests, latest, simulated, lang,
    )?);

    // (d) The index: the top units by name, with rank intervals.
    blocks.extend(index_blocks(dir, latest, simulated, lang, drawn.top_n)?);
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
    blocks.extend(quality_blocks(&quality, simulated, lang));

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
        definitions: definitions(lang, drawn.alpha),
        provenance: provenance(manifest),
        config: Some(get("config")),
        notebook_code: vec![LOAD_CODE.to_string()],
        meta: super::document::Meta {
            author: "govlens".into(),
            date: super::document::report_date(None),
        },
    })
}

/// (f) The data quality section: what ingest quarantined or found, by
/// table, rule and kind, or a sentence that nothing was.
fn quality_blocks(quality: &DataFrame, simulated: bool, lang: Lang) -> Vec<Block> {
    let zh = lang == Lang::Zh;
    let (qt, qr, qk) = (
        strs(quality, "table"),
        strs(quality, "rule"),
        strs(quality, "kind"),
    );
    let qn = floats(quality, "rows");
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
    let mut blocks = vec![
        Block::Heading(label(lang, "quality_title").into()),
        Block::Figure(Figure {
            chart: "data_quality".into(),
            caption: labels::titled(lang, "quality_title", simulated),
        }),
    ];
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

    blocks
}

const LOAD_CODE: &str = "# The run's tables: go on from here.\nimport pathlib\nimport polars as pl\nimport pandas as pd\n\ntables = pathlib.Path('tables')\nunit_metrics = pl.read_parquet(tables / 'unit_metrics.parquet')\nmodel_summary = pd.read_parquet(tables / 'model_summary.parquet')\nindex_scores = pl.read_parquet(tables / 'index_scores.parquet')\nadoption_effects = pd.read_parquet(tables / 'adoption_effects.parquet')\nunit_metrics.head()";

/// The definitions every report ends with.
/// Every metric a report uses, by its name, then the methods.
/// The report's definitions; the adoption effects' at their run's `alpha`.
pub(super) fn definitions(lang: Lang, alpha: f64) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = labels::REPORT_METRICS
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
        .map(|(k, d)| {
            let (k, d) = (label(lang, k), label(lang, d));
            match *d == *label(lang, "def_event") {
                true => (labels::at_level(k, alpha), labels::at_level(d, alpha)),
                false => (k.to_string(), d.to_string()),
            }
        }),
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
/// A chart of the report with its caption (the latest period's title).
fn fig(lang: Lang, latest: &str, simulated: bool, chart: &str, key: &str) -> Block {
    Block::Figure(Figure {
        chart: chart.into(),
        caption: period_title(lang, key, latest, simulated),
    })
}

/// A definition or reading note under a chart or table.
fn note(lang: Lang, key: &str) -> Block {
    Block::Note(label(lang, key).into())
}

/// (a) The age structure: both shares by model and role, the chart and the
/// table.
fn age_blocks(
    summary: &DataFrame,
    latest: &str,
    simulated: bool,
    lang: Lang,
) -> Result<Vec<Block>, RenderError> {
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
        let young = summary_rows(summary, "share_young", Some(role), latest)?;
        let old = summary_rows(summary, "share_old", Some(role), latest)?;
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
    Ok(vec![
        Block::Heading(label(lang, "age_title").into()),
        fig(lang, latest, simulated, "age_structure", "age_title"),
        Block::Table(age),
        note(lang, "def_age"),
    ])
}

/// (d) The index: the top units by name with rank intervals, the models'
/// means; the charts and their tables.
fn index_blocks(
    dir: &Path,
    latest: &str,
    simulated: bool,
    lang: Lang,
    top_n: usize,
) -> Result<Vec<Block>, RenderError> {
    let zh = lang == Lang::Zh;
    let mut blocks = Vec::new();
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
    // The index by model: what the bar chart shows, as a table.
    let mut by_model: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    for i in 0..scores.height() {
        if let (Some(u), Some(v)) = (unit_of.get(sc[i].as_str()), ss[i]) {
            by_model.entry(um[*u].as_str()).or_default().push(v);
        }
    }
    let mut im = Table::new(
        label(lang, "index_models_sheet"),
        &period_title(lang, "index_models_title", latest, false),
        vec![
            Column::text(label(lang, "model")),
            Column::number(label(lang, "n"), Kind::Count),
            Column::number(label(lang, "mean"), Kind::Score),
            Column::number(label(lang, "median"), Kind::Score),
            Column::number(label(lang, "min"), Kind::Score),
            Column::number(label(lang, "max"), Kind::Score),
        ],
    );
    let mut order: Vec<&str> = by_model.keys().copied().collect();
    order.sort_by_key(|m| claims::model_rank(m));
    for m in order {
        let mut v = by_model[m].clone();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        im.rows.push(vec![
            Cell::text(labels::model(lang, m)),
            Cell::Num(Some(n as f64)),
            Cell::Num(Some(v.iter().sum::<f64>() / n as f64)),
            Cell::Num(Some(crate::methods::stats::quantile_sorted(&v, 0.5))),
            Cell::Num(v.first().copied()),
            Cell::Num(v.last().copied()),
        ]);
    }
    let shown_note = (scores.height() > 2 * top_n).then(|| {
        Block::Note(if zh {
            format!(
                "图中只列出排名前 {} 名与后 {} 名（共 {} 个单位），中间省略；完整排名见下表与 report.xlsx。",
                top_n,
                top_n,
                scores.height()
            )
        } else {
            format!(
                "The chart shows the top {} and the bottom {} of {} units, the middle left out; the table below and report.xlsx rank them all.",
                top_n,
                top_n,
                scores.height()
            )
        })
    });
    blocks.extend([
        Block::Heading(label(lang, "index_title").into()),
        fig(lang, latest, simulated, "index_ranks", "index_title"),
    ]);
    blocks.extend(shown_note);
    blocks.extend([
        Block::Table(idx),
        fig(
            lang,
            latest,
            simulated,
            "index_models",
            "index_models_title",
        ),
        Block::Table(im),
        Block::Note(label(lang, "index_models_note").into()),
        note(lang, "def_index"),
    ]);
    Ok(blocks)
}
/// (b) The resolution rate: the boxes, the table, the tests and the pairs,
/// the trend; (c) the service centres' visits and coverage.
fn model_blocks(
    summary: &DataFrame,
    res: Table,
    tests: &super::models_content::Models,
    latest: &str,
    simulated: bool,
    lang: Lang,
) -> Result<Vec<Block>, RenderError> {
    let zh = lang == Lang::Zh;
    let mut blocks = Vec::new();
    blocks.extend([
        Block::Heading(label(lang, "resolution_title").into()),
        fig(lang, latest, simulated, "resolution_rate", "resolution_title"),
        Block::Table(res),
        Block::Table(tests.tests_table(lang)),
        Block::Note({
            let (n, name) = (tests.tests.len(), tests.method_name(lang));
            if zh {
                format!(
                    "校正后 p：同一期、同一层级的 {n} 项检验作为一族，用 {name} 法校正（[compare] p_adjust）；发现只引用校正后的 p。按县均值的检验以各县（区）的单位均值为观测。各模式均值的自助法区间（上表）按单位重抽样，未考虑同县单位的相关，偏窄。"
                )
            } else {
                format!(
                    "Corrected p: a period's {n} tests at one level are one family, corrected by {name}'s method ([compare] p_adjust); the findings quote only corrected p-values. The county-level tests take each county's mean of its units as one observation. The model means' bootstrap intervals (table above) resample units and ignore that units of one county move together: they are too narrow."
                )
            }
        }),
        Block::Table(tests.pairs_table("resolution_rate", "", lang)),
    ]);
    blocks.extend(tests.other_pairs_table(lang).map(Block::Table));
    blocks.extend([
        note(lang, "def_resolution"),
        Block::Figure(Figure {
            chart: "resolution_trend".into(),
            caption: labels::titled(lang, "resolution_trend_title", simulated),
        }),
        note(lang, "trend_note"),
    ]);

    // (c) Service centres.
    blocks.extend([
        Block::Heading(label(lang, "heatmap_title").into()),
        fig(lang, latest, simulated, "centre_visits", "heatmap_title"),
        Block::Table(summary_table(summary, lang, "visits_per_1k", None, latest)?),
        fig(lang, latest, simulated, "centre_coverage", "coverage_title"),
        Block::Table(summary_table(
            summary,
            lang,
            "center_coverage",
            None,
            latest,
        )?),
        note(lang, "def_visits"),
    ]);

    Ok(blocks)
}
