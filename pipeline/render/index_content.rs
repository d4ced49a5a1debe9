//! The research report's index analysis, from the tables the run
//! published (docs/contract.md B.10a): how the data were prepared — one
//! sentence whose counts and alphas are those of the diagnostics table
//! under it, the distributions chart, the correlation heat map — and, when
//! the run made it, the sensitivity analysis: a sentence naming the choice
//! that moves the ranks most (from `index_sensitivity`), its chart, the
//! table and the units' rank intervals over the evaluations.

use std::path::Path;

use super::document::{Block, Cell, Column, Figure, Table};
use super::format::Kind;
use super::labels::{self, label, Lang};
use super::{floats, strs, table, RenderError};

/// The section's blocks (none when the run made no index analysis).
pub(super) fn blocks(dir: &Path, simulated: bool, lang: Lang) -> Result<Vec<Block>, RenderError> {
    let mut out = diagnostics_blocks(dir, simulated, lang)?;
    out.extend(sensitivity_blocks(dir, simulated, lang)?);
    if !out.is_empty() {
        out.insert(
            0,
            Block::Heading(label(lang, "index_analysis_title").into()),
        );
    }
    Ok(out)
}

/// How the indicators were prepared and how they hang together.
fn diagnostics_blocks(dir: &Path, simulated: bool, lang: Lang) -> Result<Vec<Block>, RenderError> {
    if !dir.join("tables/index_diagnostics.parquet").is_file() {
        return Ok(Vec::new());
    }
    let d = table(dir, "index_diagnostics")?;
    let zh = lang == Lang::Zh;
    let (ind, pil, how) = (
        strs(&d, "indicator"),
        strs(&d, "pillar"),
        strs(&d, "treatment"),
    );
    let g = |c: &str| floats(&d, c);
    let (skew, kurt, skew_t, kurt_t, alpha, eff, imputed, treated) = (
        g("skew"),
        g("kurtosis"),
        g("skew_treated"),
        g("kurtosis_treated"),
        g("pillar_alpha"),
        g("effective_weight"),
        g("imputed"),
        g("treated"),
    );
    let collinear = strs(&d, "above_0_9_with");
    let negative: Vec<bool> = d
        .column("negative_with_pillar")
        .ok()
        .and_then(|c| {
            c.bool()
                .ok()
                .map(|b| b.iter().map(|v| v == Some(true)).collect())
        })
        .unwrap_or_default();
    let k = d.height();
    let n_treated = (0..k).filter(|&i| how[i] != "none").count();
    let n_values: f64 = treated.iter().flatten().sum();
    let n_imputed: f64 = imputed.iter().flatten().sum();
    let n_collinear = collinear.iter().filter(|c| !c.is_empty()).count();
    let n_negative = negative.iter().filter(|b| **b).count();
    let alphas: Vec<f64> = alpha.iter().flatten().copied().collect();
    let c = |v: f64, kind: Kind| Cell::Num(Some(v)).shown(Some(kind), lang);
    let alpha_range = match (
        alphas.iter().copied().reduce(f64::min),
        alphas.iter().copied().reduce(f64::max),
    ) {
        (Some(lo), Some(hi)) if zh => format!(
            "，维度内 Cronbach α 为 {} 至 {}",
            c(lo, Kind::Coefficient),
            c(hi, Kind::Coefficient)
        ),
        (Some(lo), Some(hi)) => format!(
            "; Cronbach's α within pillars is {} to {}",
            c(lo, Kind::Coefficient),
            c(hi, Kind::Coefficient)
        ),
        _ => String::new(),
    };
    let sentence = if zh {
        format!(
            "指标处理：{k} 个指标中 {n_treated} 个未通过偏度/峰度检验而被处理（共改动 {} 个值），插补 {} 个缺失值{alpha_range}；{n_collinear} 个指标与同维度指标相关系数超过 0.9，{n_negative} 个指标与其维度负相关。",
            c(n_values, Kind::Count), c(n_imputed, Kind::Count)
        )
    } else {
        format!(
            "Indicator preparation: {n_treated} of {k} indicators failed the skew/kurtosis check and were treated ({} values changed), and {} missing values were imputed{alpha_range}; {n_collinear} indicators correlate above 0.9 with another of their pillar, and {n_negative} correlate negatively with their pillar.",
            c(n_values, Kind::Count), c(n_imputed, Kind::Count)
        )
    };
    let duplicates = near_duplicates(dir, &ind, &pil, &collinear, lang)?;
    let title = labels::titled(lang, "diagnostics_title", simulated);
    let mut t = Table::new(
        label(lang, "diagnostics_sheet"),
        &title,
        vec![
            Column::text(label(lang, "indicator")),
            Column::text(label(lang, "pillar")),
            Column::number(label(lang, "skewness"), Kind::Decimal),
            Column::number(label(lang, "kurtosis"), Kind::Decimal),
            Column::text(label(lang, "treatment")),
            Column::number(label(lang, "skew_treated"), Kind::Decimal),
            Column::number(label(lang, "kurtosis_treated"), Kind::Decimal),
            Column::number(label(lang, "imputed_values"), Kind::Count),
            Column::number(label(lang, "pillar_alpha"), Kind::Coefficient),
            Column::number(label(lang, "effective_weight"), Kind::Coefficient),
        ],
    );
    for i in 0..k {
        t.rows.push(vec![
            Cell::text(labels::set_label(lang, &ind[i])),
            Cell::text(labels::pillar_label(lang, &pil[i])),
            Cell::Num(skew[i]),
            Cell::Num(kurt[i]),
            Cell::text(label(
                lang,
                &format!("how_{}", how[i].replace([' ', '(', ')'], "_")),
            )),
            Cell::Num(skew_t[i]),
            Cell::Num(kurt_t[i]),
            Cell::Num(imputed[i]),
            Cell::Num(alpha[i]),
            Cell::Num(eff[i]),
        ]);
    }
    let mut out = vec![
        Block::Paragraph(sentence),
        Block::Figure(Figure {
            chart: "index_distributions".into(),
            caption: labels::titled(lang, "distributions_title", simulated),
        }),
        Block::Table(t),
        Block::Figure(Figure {
            chart: "index_correlations".into(),
            caption: labels::titled(lang, "correlations_title", simulated),
        }),
        Block::Note(label(lang, "correlations_note").into()),
    ];
    out.extend(duplicates.map(Block::Paragraph));
    Ok(out)
}

/// Indicators of one pillar correlating above 0.9 (after directions),
/// named with the correlation and what to do: one of them carries no
/// information the other lacks, and together they double that
/// information's weight in the pillar.
fn near_duplicates(
    dir: &Path,
    ind: &[String],
    pil: &[String],
    collinear: &[String],
    lang: Lang,
) -> Result<Option<String>, RenderError> {
    let corr = if dir.join("tables/index_correlations.parquet").is_file() {
        Some(table(dir, "index_correlations")?)
    } else {
        None
    };
    let r_of = |a: &str, b: &str| -> Option<f64> {
        let t = corr.as_ref()?;
        let (x, y, r) = (strs(t, "a"), strs(t, "b"), floats(t, "pearson"));
        (0..t.height())
            .find(|&i| (x[i] == a && y[i] == b) || (x[i] == b && y[i] == a))
            .and_then(|i| r[i])
    };
    let mut pairs: Vec<String> = Vec::new();
    for (i, with) in collinear.iter().enumerate() {
        for other in with.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            // Each pair once, in the diagnostics' order.
            let Some(j) = ind.iter().position(|x| x == other) else {
                continue;
            };
            if j < i {
                continue;
            }
            let r = r_of(&ind[i], other)
                .map(|r| Cell::Num(Some(r)).shown(Some(Kind::Coefficient), lang))
                .unwrap_or_default();
            let (a, b) = (
                labels::set_label(lang, &ind[i]),
                labels::set_label(lang, other),
            );
            let p = labels::pillar_label(lang, &pil[i]);
            pairs.push(if lang == Lang::Zh {
                format!("{p}维度的{a}与{b}（方向调整后 r = {r}）")
            } else {
                format!("{a} and {b} in pillar {p} (r = {r} after directions)")
            });
        }
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    Ok(Some(if lang == Lang::Zh {
        format!(
            "近乎重复的指标：{}。二者几乎携带同一信息，放在同一维度里等于把这一信息计了两次权。建议在正式分析中只保留其一（或把二者合成一个指标），并在敏感性分析中比较两种做法；本报告保留二者，以便与配置一致。",
            pairs.join("；")
        )
    } else {
        format!(
            "Near-duplicate indicators: {}. Each carries almost the same information as the other, so keeping both in one pillar weighs that information twice. Keep one of them (or combine them into one indicator) in the analysis proper, and compare both choices in the sensitivity analysis; this report keeps both, as configured.",
            pairs.join("; ")
        )
    }))
}

/// The index's sensitivity, when the run made it: one sentence naming the
/// choice that moves the ranks most (its total index and interval, from
/// `index_sensitivity`), the chart, and the table.
fn sensitivity_blocks(dir: &Path, simulated: bool, lang: Lang) -> Result<Vec<Block>, RenderError> {
    if !dir.join("tables/index_sensitivity.parquet").is_file() {
        return Ok(Vec::new());
    }
    let t = table(dir, "index_sensitivity")?;
    let f = strs(&t, "factor");
    let col = |c: &str| floats(&t, c);
    let (s1, st, lo, hi) = (col("s1"), col("st"), col("st_low"), col("st_high"));
    let Some(top) = (0..t.height()).max_by(|&a, &b| {
        st[a]
            .unwrap_or(f64::MIN)
            .total_cmp(&st[b].unwrap_or(f64::MIN))
    }) else {
        return Ok(Vec::new());
    };
    let c3 = |v: Option<f64>| Cell::Num(v).shown(Some(Kind::Coefficient), lang);
    let name = |k: &str| label(lang, &format!("factor_{k}")).to_string();
    let sentence = if lang == Lang::Zh {
        format!(
            "敏感性分析：对指数排名影响最大的建模选择是{}（总效应指数 ST = {}，5–95% 区间 {} 至 {}）。",
            name(&f[top]), c3(st[top]), c3(lo[top]), c3(hi[top])
        )
    } else {
        format!(
            "Sensitivity analysis: the modelling choice that moves the index's ranks most is the {} (total index ST = {}, 5–95% interval {} to {}).",
            name(&f[top]), c3(st[top]), c3(lo[top]), c3(hi[top])
        )
    };
    let mut table_t = Table::new(
        label(lang, "sensitivity_sheet"),
        &labels::titled(lang, "sensitivity_title", simulated),
        vec![
            Column::text(label(lang, "factor")),
            Column::number("S_i", Kind::Coefficient),
            Column::number("ST_i", Kind::Coefficient),
            Column::number(label(lang, "st_low"), Kind::Coefficient),
            Column::number(label(lang, "st_high"), Kind::Coefficient),
        ],
    );
    for i in 0..t.height() {
        table_t.rows.push(vec![
            Cell::text(name(&f[i])),
            Cell::Num(s1[i]),
            Cell::Num(st[i]),
            Cell::Num(lo[i]),
            Cell::Num(hi[i]),
        ]);
    }
    let factors: Vec<String> = f.iter().map(|k| name(k)).collect();
    let draws = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
        .and_then(|m| m["index_draws"].as_u64());
    let draws = draws.map(|d| d.to_string()).unwrap_or_default();
    let intervals = if lang == Lang::Zh {
        format!(
            "两种排名区间：指数排名表（及其图）中的 5–95% 区间来自 {draws} 次蒙特卡洛抽样，每次随机改变权重（±25%）、归一化方法与汇总方法，只反映这三项选择的不确定性；下图的区间来自敏感性分析的各次评估，同时改变{}，包括剔除单个指标，因此通常更宽。两者都不含数据本身的抽样或测量误差——小单位的比率波动见“局限”。",
            factors.join("、")
        )
    } else {
        format!(
            "Two kinds of rank interval: the index table's (and its chart's) 5–95% intervals come from {draws} Monte Carlo draws that vary the weights (±25%), the normalisation and the aggregation, and reflect only those choices; the chart below takes its intervals over the sensitivity analysis's evaluations, which vary the {} — leaving one indicator out included — and are usually wider. Neither includes the data's own sampling or measurement error (small units' rates: see Limitations).",
            factors.join(", ")
        )
    };
    Ok(vec![
        Block::Paragraph(sentence),
        Block::Figure(Figure {
            chart: "sensitivity".into(),
            caption: labels::titled(lang, "sensitivity_title", simulated),
        }),
        Block::Table(table_t),
        Block::Paragraph(intervals),
        Block::Figure(Figure {
            chart: "sensitivity_ranks".into(),
            caption: labels::titled(lang, "sensitivity_ranks_title", simulated),
        }),
    ])
}
