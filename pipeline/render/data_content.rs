//! The research report's data section and its limitations, written from
//! the run: the sample's design (units, streets, counties and cities per
//! model, years), the units observed by county and year, descriptive
//! statistics per metric and model; and a limitations paragraph of what
//! this run's own numbers show — models confined to few counties or one
//! province, few clusters, units dropped, small cohorts and small
//! denominators, failed pre-tests, a fsQCA solution below its cut,
//! simulated data — not boilerplate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;

use super::claims::{self, model_rank};
use super::did_content::{level_name, DidFacts};
use super::document::{Block, Cell, Column, Table};
use super::format::{metric_kind, Kind};
use super::labels::{self, label, period_label, Lang};
use super::models_content::Models;
use super::{floats, strs, table, RenderError};

/// A model observed in fewer counties than this is confounded with them:
/// its comparison is as much a comparison of those counties.
pub const MIN_COUNTIES: usize = 5;

/// A resolution rate resting on fewer disputes than this, or a cadre share
/// on fewer cadres, swings by many points from one case or person.
pub const SMALL_DISPUTES: f64 = 20.0;
pub const SMALL_CADRES: f64 = 10.0;

/// What the data section found that the limitations repeat.
#[derive(Debug, Default)]
pub(super) struct DataFacts {
    pub(super) units: usize,
    /// Per model in display order: (model, counties, cities, provinces'
    /// short names).
    pub(super) models: Vec<(String, usize, usize, Vec<String>)>,
    /// Units of the latest period whose resolution rate rests on fewer
    /// than [`SMALL_DISPUTES`] disputes, and with fewer than
    /// [`SMALL_CADRES`] cadres; of how many.
    pub(super) few_disputes: usize,
    pub(super) few_cadres: usize,
    pub(super) units_latest: usize,
    /// The report's period.
    pub(super) latest: String,
    /// What the periods before adoption say of the differences between
    /// models.
    pub(super) baseline: Option<Baseline>,
}

/// A province's short name from its code's first two digits.
fn province(code: &str, lang: Lang) -> String {
    super::maps::tiles::TILES
        .iter()
        .find(|t| code.starts_with(t.0))
        .map(|t| match lang {
            Lang::Zh => t.1.to_string(),
            Lang::En => t.2.to_string(),
        })
        .unwrap_or_else(|| code.get(..2).unwrap_or(code).to_string())
}

/// The data section's blocks and facts.
pub(super) fn section(
    dir: &Path,
    summary: &DataFrame,
    latest: &str,
    simulated: bool,
    lang: Lang,
) -> Result<(Vec<Block>, DataFacts), RenderError> {
    let zh = lang == Lang::Zh;
    let units = table(dir, "units")?;
    let (codes, models, districts, dnames) = (
        strs(&units, "region_code"),
        strs(&units, "governance_model"),
        strs(&units, "district"),
        strs(&units, "district_name"),
    );
    let pop = floats(&units, "population");
    let mut facts = DataFacts {
        latest: latest.to_string(),
        units: units.height(),
        ..DataFacts::default()
    };
    // Counties, cities and provinces of each model.
    let mut by_model: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (m, d) in models.iter().zip(&districts) {
        if !d.is_empty() {
            by_model.entry(m.as_str()).or_default().insert(d.as_str());
        }
    }
    let mut order: Vec<&str> = by_model.keys().copied().collect();
    order.sort_by_key(|m| model_rank(m));
    for m in &order {
        let ds = &by_model[m];
        let cities: BTreeSet<&str> = ds.iter().filter_map(|d| d.get(..4)).collect();
        let provinces: BTreeSet<String> = ds.iter().map(|d| province(d, lang)).collect();
        facts.models.push((
            m.to_string(),
            ds.len(),
            cities.len(),
            provinces.into_iter().collect(),
        ));
    }
    let streets: BTreeSet<&str> = codes
        .iter()
        .filter(|c| c.len() == 12)
        .filter_map(|c| c.get(..9))
        .collect();
    let counties: BTreeSet<&str> = districts
        .iter()
        .map(String::as_str)
        .filter(|d| !d.is_empty())
        .collect();

    // Units observed by county and year (any metric).
    let unit_district = units
        .clone()
        .lazy()
        .select([col("region_code"), col("district")]);
    let observed = super::query(dir, "unit_metrics", |lf| {
        lf.select([col("region_code"), col("period")])
            .unique(None, UniqueKeepStrategy::Any)
            .join(
                unit_district,
                [col("region_code")],
                [col("region_code")],
                JoinArgs::new(JoinType::Inner),
            )
            .group_by([col("district"), col("period")])
            .agg([len().alias("n")])
    })?;
    let (od, op, on) = (
        strs(&observed, "district"),
        strs(&observed, "period"),
        floats(&observed, "n"),
    );
    let years: BTreeSet<&str> = op.iter().map(String::as_str).collect();
    let years: Vec<&str> = years.into_iter().collect();
    let first_last = (
        years.first().copied().unwrap_or(""),
        years.last().copied().unwrap_or(""),
    );
    let mut n_of: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for i in 0..observed.height() {
        n_of.insert((od[i].as_str(), op[i].as_str()), on[i].unwrap_or(0.0));
    }
    let mut cy = Table::new(
        label(lang, "sample_sheet"),
        &labels::titled(lang, "sample_table_title", simulated),
        std::iter::once(Column::text(label(lang, "county")))
            .chain(std::iter::once(Column::text(label(lang, "model"))))
            .chain(years.iter().map(|y| Column::number(*y, Kind::Count)))
            .collect(),
    );
    cy.shown = 40;
    let mut county_rows: Vec<(&str, &str, &str)> = Vec::new();
    for (i, d) in districts.iter().enumerate() {
        if !d.is_empty() && !county_rows.iter().any(|r| r.0 == d) {
            county_rows.push((d.as_str(), dnames[i].as_str(), models[i].as_str()));
        }
    }
    county_rows.sort_by(|a, b| model_rank(a.2).cmp(&model_rank(b.2)).then(a.0.cmp(b.0)));
    for (d, name, m) in &county_rows {
        let mut row = vec![
            Cell::Named {
                name: name.to_string(),
                code: d.to_string(),
            },
            Cell::text(labels::model(lang, m)),
        ];
        row.extend(
            years
                .iter()
                .map(|y| Cell::Num(n_of.get(&(*d, *y)).copied())),
        );
        cy.rows.push(row);
    }

    // Small denominators in the latest period.
    let latest_rows = |metric: &str, breakdown: Option<&str>| -> BTreeMap<String, f64> {
        super::query(dir, "unit_metrics", |lf| {
            let b = match breakdown {
                Some(b) => col("breakdown").eq(lit(b)),
                None => col("breakdown").is_null(),
            };
            lf.filter(
                col("period")
                    .eq(lit(latest))
                    .and(col("metric").eq(lit(metric)))
                    .and(b),
            )
            .select([col("region_code"), col("value")])
        })
        .map(|df| {
            strs(&df, "region_code")
                .into_iter()
                .zip(floats(&df, "value"))
                .filter_map(|(c, v)| Some((c, v?)))
                .collect()
        })
        .unwrap_or_default()
    };
    let per_10k = latest_rows("disputes_per_10k", None);
    let pop_of: BTreeMap<&str, f64> = codes
        .iter()
        .zip(&pop)
        .filter_map(|(c, p)| Some((c.as_str(), (*p)?)))
        .collect();
    facts.few_disputes = per_10k
        .iter()
        .filter(|(c, v)| {
            pop_of
                .get(c.as_str())
                .is_some_and(|p| *v * p / 10_000.0 < SMALL_DISPUTES)
        })
        .count();
    let cadres = latest_rows("members", Some("cadre"));
    facts.few_cadres = cadres.values().filter(|v| **v < SMALL_CADRES).count();
    facts.units_latest = per_10k.len().max(cadres.len());

    // Descriptive statistics per metric and model, the latest period.
    let desc = describe(summary, latest, simulated, lang)?;

    // Adoption cohorts: units by year adopted and model.
    let adopted = floats(&units, "model_adopted");
    let mut cohorts: BTreeMap<i32, BTreeMap<&str, usize>> = BTreeMap::new();
    for (m, y) in models.iter().zip(&adopted) {
        if let Some(y) = y {
            *cohorts
                .entry(*y as i32)
                .or_default()
                .entry(m.as_str())
                .or_default() += 1;
        }
    }
    let adopting: Vec<&str> = order.iter().copied().filter(|m| *m != "none").collect();
    let mut ct = Table::new(
        label(lang, "cohorts_sheet"),
        &labels::titled(lang, "cohorts_title", simulated),
        std::iter::once(Column::text(label(lang, "adoption")))
            .chain(
                adopting
                    .iter()
                    .map(|m| Column::number(labels::model(lang, m), Kind::Count)),
            )
            .chain(std::iter::once(Column::number(
                label(lang, "total"),
                Kind::Count,
            )))
            .collect(),
    );
    for (y, by) in &cohorts {
        let mut row = vec![Cell::text(y.to_string())];
        row.extend(
            adopting
                .iter()
                .map(|m| Cell::Num(Some(*by.get(m).unwrap_or(&0) as f64))),
        );
        row.push(Cell::Num(Some(by.values().sum::<usize>() as f64)));
        ct.rows.push(row);
    }

    // Differences between models already in the first period.
    let first_adoption = cohorts.keys().next().copied();
    facts.baseline = baseline(dir, &years, first_adoption, lang)?;

    let model_list: Vec<String> = facts
        .models
        .iter()
        .map(|(m, c, ci, p)| {
            if zh {
                format!(
                    "{} {c} 个县（区），分属 {ci} 个地市、{} 个省（{}）",
                    labels::model(lang, m),
                    p.len(),
                    p.join("、")
                )
            } else {
                let plural = |n: usize, one: &str, many: &str| {
                    format!("{n} {}", if n == 1 { one } else { many })
                };
                format!(
                    "{} {} in {} of {} ({})",
                    labels::model(lang, m),
                    plural(*c, "county", "counties"),
                    plural(*ci, "city", "cities"),
                    plural(p.len(), "province", "provinces"),
                    p.join(", ")
                )
            }
        })
        .collect();
    let design = if zh {
        format!(
            "样本为 {} 个{}，分布于 {} 个街道（乡镇）、{} 个县（区），观测期 {}–{}。治理模式由县（区）选定、街道分年推行：{}。下表为各县（区）每年有数据的单位数；其后为{}各指标按模式的描述统计。",
            facts.units,
            label(lang, "units_word"),
            streets.len(),
            counties.len(),
            first_last.0,
            first_last.1,
            model_list.join("；"),
            period_label(lang, latest)
        )
    } else {
        format!(
            "The sample is {} units in {} streets and {} counties, observed {}–{}. Models are chosen by the county and rolled out by street: {}. The first table counts the units with data by county and year; the second describes each metric by model in {}.",
            facts.units,
            streets.len(),
            counties.len(),
            first_last.0,
            first_last.1,
            model_list.join("; "),
            latest
        )
    };
    Ok((
        vec![
            Block::Heading(label(lang, "data_section_title").into()),
            Block::Paragraph(design),
            Block::Table(cy),
            Block::Table(ct),
            Block::Table(desc),
        ],
        facts,
    ))
}

/// The periods before the first adoption (or the first period when none
/// precedes it), whether they precede every adoption, the metrics whose
/// between-model test (at the level the findings rest on) was significant
/// after correction in any of them, and whether the resolution rate's
/// never was.
fn baseline(
    dir: &Path,
    years: &[&str],
    first_adoption: Option<i32>,
    lang: Lang,
) -> Result<Option<Baseline>, RenderError> {
    let Some(first) = years.first() else {
        return Ok(None);
    };
    let before = |p: &&&str| match (
        p.get(..4).and_then(|y| y.parse::<i32>().ok()),
        first_adoption,
    ) {
        (Some(y), Some(g)) => y < g,
        _ => false,
    };
    let mut periods: Vec<String> = years.iter().filter(before).map(|p| p.to_string()).collect();
    let pre_adoption = !periods.is_empty();
    if periods.is_empty() {
        periods.push(first.to_string());
    }
    let (mut differ, mut resolution_clean) = (Vec::new(), true);
    for p in &periods {
        let m = Models::read(dir, p)?;
        for t in m
            .tests
            .iter()
            .filter(|t| t.metric != "visits_per_1k" || t.breakdown.is_empty())
        {
            if !m.claimed(t).is_some_and(|o| o.p_adjusted < claims::ALPHA) {
                continue;
            }
            let name = labels::metric(lang, &t.metric, &t.breakdown);
            if !differ.contains(&name) {
                differ.push(name);
            }
            if t.metric == "resolution_rate" && t.breakdown.is_empty() {
                resolution_clean = false;
            }
        }
    }
    Ok(Some(Baseline {
        periods,
        pre_adoption,
        differ,
        resolution_clean,
    }))
}

/// What the periods before adoption say of the differences between models.
#[derive(Debug)]
pub(super) struct Baseline {
    pub(super) periods: Vec<String>,
    pub(super) pre_adoption: bool,
    pub(super) differ: Vec<String>,
    pub(super) resolution_clean: bool,
}

/// n, mean, sd, median and quartiles of every metric (and role) by model
/// in `latest`, models in display order; each value in its metric's unit.
fn describe(
    summary: &DataFrame,
    latest: &str,
    simulated: bool,
    lang: Lang,
) -> Result<Table, RenderError> {
    let (p, m, b, g) = (
        strs(summary, "period"),
        strs(summary, "metric"),
        strs(summary, "breakdown"),
        strs(summary, "governance_model"),
    );
    let cols: Vec<Vec<Option<f64>>> = ["n", "mean", "sd", "median", "q1", "q3"]
        .iter()
        .map(|c| floats(summary, c))
        .collect();
    let mut t = Table::new(
        label(lang, "describe_sheet"),
        &labels::titled(lang, "describe_title", simulated),
        vec![
            Column::text(label(lang, "metric")),
            Column::text(label(lang, "model")),
            Column::number(label(lang, "n"), Kind::Count),
            Column::number(label(lang, "mean"), Kind::Decimal),
            Column::number(label(lang, "sd"), Kind::Decimal),
            Column::number(label(lang, "median"), Kind::Decimal),
            Column::number(label(lang, "q1"), Kind::Decimal),
            Column::number(label(lang, "q3"), Kind::Decimal),
        ],
    );
    let wanted = |metric: &str, breakdown: &str| {
        (metric != "visits_per_1k" || breakdown.is_empty())
            && crate::config::valid_breakdown(metric, (!breakdown.is_empty()).then_some(breakdown))
    };
    let mut rows: Vec<usize> = (0..summary.height())
        .filter(|&i| p[i] == latest && wanted(&m[i], &b[i]))
        .collect();
    let metric_place = |x: &str| {
        crate::config::METRICS
            .iter()
            .position(|y| *y == x)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|&x, &y| {
        (metric_place(&m[x]), &b[x], model_rank(&g[x])).cmp(&(
            metric_place(&m[y]),
            &b[y],
            model_rank(&g[y]),
        ))
    });
    for i in rows {
        // Counts (members) are averaged: one decimal, not an integer.
        let k = match metric_kind(&m[i]) {
            Kind::Count => Kind::Amount,
            k => k,
        };
        let v = |c: usize| Cell::Value(cols[c][i], k);
        t.rows.push(vec![
            Cell::text(labels::metric(lang, &m[i], &b[i])),
            Cell::text(labels::model(lang, &g[i])),
            Cell::Num(cols[0][i]),
            v(1),
            v(2),
            v(3),
            v(4),
            v(5),
        ]);
    }
    Ok(t)
}

/// The fsQCA facts the limitations repeat.
#[derive(Debug, Default)]
pub(super) struct QcaFacts {
    /// Why the solution is not a finding (its consistency, PRI or
    /// robustness), as sentences' clauses; empty when it is.
    pub(super) caveats: Vec<String>,
}

/// Names in a sentence: 甲、乙与丙; a, b and c.
fn list(lang: Lang, names: &[String]) -> String {
    match (names.len(), lang) {
        (0, _) => String::new(),
        (1, _) => names[0].clone(),
        (n, Lang::Zh) => format!("{}与{}", names[..n - 1].join("、"), names[n - 1]),
        (n, Lang::En) => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// The limitations paragraph: only what this run shows.
pub(super) fn limitations(
    lang: Lang,
    data: &DataFacts,
    did: &DidFacts,
    qca: &QcaFacts,
    simulated: bool,
) -> Vec<Block> {
    let zh = lang == Lang::Zh;
    let mut items: Vec<String> = Vec::new();
    if simulated {
        items.push(label(lang, "limit_simulated").into());
    }
    for (m, counties, _, provinces) in &data.models {
        if m == "none" {
            continue;
        }
        let name = labels::model(lang, m);
        if *counties < MIN_COUNTIES {
            items.push(if zh {
                format!("{name}只见于 {counties} 个县（区）：它与其他模式的差异同时是这几个县与其他地区的差异，无法分开。")
            } else {
                format!("{name} is observed in only {counties} count(ies): its difference from the other models is also the difference between those counties and the rest, and the two cannot be told apart.")
            });
        } else if provinces.len() == 1 {
            items.push(if zh {
                format!("{name}的 {counties} 个县（区）都在{}：它与其他模式的差异也是{}与其他省份的差异。", provinces[0], provinces[0])
            } else {
                format!("All {counties} counties of {name} are in {}: its difference from the other models is also that of {} from the other provinces.", provinces[0], provinces[0])
            });
        }
    }
    let counties: usize = data.models.iter().map(|m| m.1).sum();
    let fewest = data
        .models
        .iter()
        .filter(|m| m.0 != "none")
        .map(|m| m.1)
        .min()
        .unwrap_or(0);
    items.push(if zh {
        format!("治理模式由县（区）选定：各模式间的比较以 {counties} 个县（区）的均值为观测（每个模式最少 {fewest} 个），检验力有限；按 {} 个单位的检验把同县单位当作独立观测，只作描述。县级检验同样无法把模式与其所在的城市、省区分开。", data.units)
    } else {
        format!("Models are chosen by county: the comparisons between models take the means of {counties} counties as observations (at least {fewest} a model), which gives them little power; the tests on the {} units treat units of one county as independent and are descriptive only. Nor can the county-level tests tell a model from the cities and provinces it is in.", data.units)
    });
    match (did.clusters, zh) {
        (Some(g), true) if g < claims::MIN_CLUSTERS => items.push(format!("采用效应的标准误按{}聚类，只有 {g} 个聚类（少于 {}）：区间可能偏窄，不可靠。", level_name(lang, &did.level), claims::MIN_CLUSTERS)),
        (Some(g), false) if g < claims::MIN_CLUSTERS => items.push(format!("The adoption effects' standard errors are clustered by {} with only {g} clusters (fewer than {}): their intervals may be too narrow and are unreliable.", did.level, claims::MIN_CLUSTERS)),
        (None, true) => items.push("采用效应的标准误按单位聚类：若冲击在县或街道层面相关，区间偏窄。".into()),
        (None, false) => items.push("The adoption effects' standard errors are clustered by unit: if shocks are shared within streets or counties, the intervals are too narrow.".into()),
        _ => {}
    }
    if let Some(g) = did.model_clusters.filter(|g| *g < claims::MIN_CLUSTERS) {
        items.push(if zh {
            format!("各模式各自的效应只有 {g} 个左右的聚类，采用单位集中在少数县：其区间与预检验不可靠，只作描述。")
        } else {
            format!("Each model's own effect has about {g} clusters, its adopters in a few counties: its intervals and pre-tests are unreliable and descriptive only.")
        });
    }
    if did.dropped > 0 {
        items.push(if zh {
            format!(
                "为构成平衡面板，{}剔除了 {} 个并非每年都有该结果数值的单位（如某年受理数为 0）：缺值若与单位大小或结果有关（小单位更常出现受理数为 0），剔除会使样本有偏；可用 [compare] unbalanced = true 复核。",
                list(lang, &did.dropped_in),
                did.dropped
            )
        } else {
            format!(
                "To balance the panel, {} unit(s) without a value of the outcome in some year (e.g. no dispute received) were dropped ({}): if missing values go with size or the outcome (small units receive no dispute more often), dropping them biases the panel; [compare] unbalanced = true checks it.",
                did.dropped,
                list(lang, &did.dropped_in)
            )
        });
    }
    if !did.wide_bands.is_empty() {
        let l = list(lang, &did.wide_bands);
        items.push(if zh {
            format!("{l}的 ATT(g,t) 一致置信带临界值在 7 以上，R did 对此给出警告：单元格估计噪声很大，逐格结果不宜解读。")
        } else {
            format!("The ATT(g,t) bands of {l} have a critical value of 7 or more, which R's did warns about: the cells' estimates are too noisy to read one by one.")
        });
    }
    if did.reported > 1 {
        // At another alpha than R's 0.05 the intervals' level is said too.
        let level = |a: f64| crate::methods::did::options::level(a);
        let (judged, intervals) = match did.alpha == claims::ALPHA {
            true => (level(1.0 - did.alpha), (String::new(), String::new())),
            false => (
                level(1.0 - did.alpha),
                (
                    format!("（{} 区间）", level(did.alpha)),
                    format!(" ({} intervals)", level(did.alpha)),
                ),
            ),
        };
        items.push(if zh {
            format!("{} 个采用效应各自在 {judged} 水平判断{}，未对多个结果作多重比较校正；干部青年占比与干部老化比高度相关（见指数部分），二者的效应近乎同一个发现。", did.reported, intervals.0)
        } else {
            format!("The {} adoption effects are each judged at {judged}{}, with no correction across outcomes; the cadre share young and the cadre ageing ratio correlate highly (see the index), so their effects are nearly one finding.", did.reported, intervals.1)
        });
    }
    if let Some(s) = &did.small_cohorts {
        items.push(if zh {
            format!("部分采用队列规模很小（年份与单位数：{s}），R did 对少于 5 个单位的队列给出警告：这些队列的估计只依赖少数单位。")
        } else {
            format!("Some adoption cohorts are small (year and units: {s}); R's did warns of cohorts below 5 units: their estimates rest on a handful of units.")
        });
    }
    if !did.pre_differ.is_empty() {
        let l = list(lang, &did.pre_differ);
        items.push(if zh {
            format!("{l}的平行趋势预检验被拒绝：这些结果的采用效应无法识别。")
        } else {
            format!("The pre-tests of {l} reject parallel trends: their adoption effects are not identified.")
        });
    }
    if data.few_disputes > 0 || data.few_cadres > 0 {
        items.push(if zh {
            format!(
                "比率的分母很小：最新一期 {} 个单位中，{} 个的调解成功率基于不足 {} 件纠纷，{} 个的干部年龄结构基于不足 {} 名干部；一件纠纷或一名干部即可使其变动若干个百分点，单个单位的数值与排名应谨慎解读。",
                data.units_latest, data.few_disputes, SMALL_DISPUTES, data.few_cadres, SMALL_CADRES
            )
        } else {
            format!(
                "Small denominators: of the latest period's {} units, {} have a resolution rate resting on fewer than {} disputes and {} a cadre age structure on fewer than {} cadres; one dispute or one person moves such a rate by several points, so single units' values and ranks need care.",
                data.units_latest, data.few_disputes, SMALL_DISPUTES, data.few_cadres, SMALL_CADRES
            )
        });
    }
    if let Some(b) = &data.baseline {
        let span = match (b.periods.first(), b.periods.last()) {
            (Some(a), Some(z)) if a != z => format!("{a}–{z}"),
            (Some(a), _) => a.clone(),
            _ => String::new(),
        };
        let when = match (b.pre_adoption, zh) {
            (true, true) => format!("采用之前（{span}）"),
            (false, true) => format!("首个观测期 {span}"),
            (true, false) => format!("before any adoption ({span})"),
            (false, false) => format!("in the first period observed ({span})"),
        };
        if !b.differ.is_empty() {
            items.push(if zh {
                format!("{}在{when}各模式间就已显著不同（校正后，至少一年）：这些指标的模式差异至少部分是采用之前就有的差异，不能归于模式本身。", list(lang, &b.differ))
            } else {
                {
                    let l = list(lang, &b.differ);
                    let mut c = l.chars();
                    let l: String = c.next().into_iter().flat_map(char::to_uppercase).chain(c).collect();
                    format!("{l} already differed between models {when} (after correction, in at least one year): their differences between models are at least partly older than the models and cannot be credited to them.")
                }
            });
        }
        if b.resolution_clean && b.pre_adoption {
            items.push(if zh {
                format!(
                    "调解成功率在采用之前（{span}）各模式间没有显著差异，其{}的差异不是采用前就有的差异。",
                    period_label(lang, &data.latest)
                )
            } else {
                format!("The resolution rate did not differ between models before adoption ({span}): its later difference is not an older one.")
            });
        }
    }
    items.extend(qca.caveats.iter().cloned());
    vec![
        Block::Heading(label(lang, "limitations_title").into()),
        Block::Bullets(items),
    ]
}

/// The four models, in their order.
const FOUR: [&str; 4] = ["sinking", "collaborative", "embedded", "integrated"];

/// When every model's units lie in one province each, the sentence that
/// says so: a comparison of models is then also one of provinces.
pub(crate) fn one_province_each(dir: &Path, lang: Lang) -> Option<String> {
    let units = table(dir, "units").ok()?;
    let (code, model) = (
        strs(&units, "region_code"),
        strs(&units, "governance_model"),
    );
    let mut by_model: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for (c, m) in code.iter().zip(&model) {
        if FOUR.contains(&m.as_str()) && c.len() >= 2 {
            by_model.entry(m.as_str()).or_default().insert(&c[..2]);
        }
    }
    if by_model.len() < 2 || by_model.values().any(|p| p.len() != 1) {
        return None;
    }
    let province = |p: &str| {
        super::maps::tiles::TILES
            .iter()
            .find(|t| t.0 == p)
            .map(|t| if lang == Lang::Zh { t.1 } else { t.2 })
            .unwrap_or(p)
            .to_string()
    };
    let list: Vec<String> = FOUR
        .iter()
        .filter_map(|m| {
            by_model.get(m).and_then(|p| p.iter().next()).map(|p| {
                format!(
                    "{}{}{}",
                    labels::model(lang, m),
                    if lang == Lang::Zh { "：" } else { ": " },
                    province(p)
                )
            })
        })
        .collect();
    Some(if lang == Lang::Zh {
        format!("样本中每种模式的单位都来自同一个省份（{}）：模式之间的比较同时也是省份之间的比较，二者无法分开。", list.join("；"))
    } else {
        format!("Each model's units lie in one province ({}): a comparison of models is also one of provinces, and the two cannot be told apart.", list.join("; "))
    })
}
