//! The research report's adoption effects, as a referee reads them, from
//! the run's `event_study`, `adoption_effects`, `adoption_tests` and
//! `adoption_by_model` tables: the event study of the resolution rate, the
//! pre-trend test of every outcome (an outcome whose pre-test rejects is
//! reported as "pre-trends differ", not as an effect), the pooled effects
//! in both aggregations with their units, each model's own effect, and how
//! the standard errors were clustered — with the caveats their own numbers
//! raise (few clusters, units dropped to balance, small cohorts).

use std::path::Path;

use super::claims::{self, Effect, Verdict};
use super::document::{Block, Cell, Column, Figure, Table};
use super::format::{self, change_kind, spread_kind, Kind};
use super::labels::{self, label, Lang};
use super::{floats, strs, table, RenderError};

/// What the section found that the findings and the limitations repeat.
#[derive(Debug, Default)]
pub(super) struct DidFacts {
    /// The pooled estimates' clusters and adopting clusters (the resolution
    /// rate's, else the first outcome's; `None`: by unit) and their level.
    pub(super) clusters: Option<usize>,
    pub(super) treated_clusters: Option<usize>,
    pub(super) level: String,
    /// What `[compare] cluster` asked for and, when the run clustered by
    /// unit instead, why (`cluster_fallback`).
    pub(super) asked: String,
    pub(super) fallback: Option<String>,
    /// The fewest clusters of a model's own estimate.
    pub(super) model_clusters: Option<usize>,
    /// The most units any outcome dropped to balance its panel, and which.
    pub(super) dropped: usize,
    pub(super) dropped_in: Vec<String>,
    /// Cohorts R's did would warn about, as the resolution rate's row says.
    pub(super) small_cohorts: Option<String>,
    /// Outcomes whose pre-test rejects, and those without a pre-test.
    pub(super) pre_differ: Vec<String>,
    pub(super) untested: Vec<String>,
    /// Outcomes whose ATT(g,t) band's critical value is 7 or more, which R's
    /// did warns about (the cells' estimates are too noisy for a band),
    /// each with its value.
    pub(super) wide_bands: Vec<String>,
    /// Outcomes whose effect the findings report (pre-test not rejected).
    pub(super) reported: usize,
    /// The run's `alpha`: its intervals' level is 1 − alpha.
    pub(super) alpha: f64,
}

/// The section, its findings (one an outcome) and what the limitations
/// repeat.
pub(super) struct DidSection {
    pub(super) blocks: Vec<Block>,
    pub(super) findings: Vec<String>,
    pub(super) facts: DidFacts,
}

/// The adoption effects' `alpha` (`[compare] alpha`, R's `alp`): the level
/// of their intervals and band, from `adoption_tests` (0.05 for a run made
/// before the column was written).
pub(super) fn alpha(dir: &Path) -> Result<f64, RenderError> {
    let t = table(dir, "adoption_tests")?;
    Ok(if t.column("alpha").is_ok() {
        floats(&t, "alpha").into_iter().flatten().next()
    } else {
        None
    }
    .unwrap_or(crate::methods::did::options::DidOptions::default().alpha))
}

/// The pre-test's note. It is read at 5% whatever `alpha` is (R's `alp`
/// sets no test's level), so at another alpha its band is not the chart's:
/// the comparison with the chart's band is left out and the two levels said.
fn pretrend_note(lang: Lang, alpha: f64) -> String {
    let note = label(lang, "pretrend_note");
    if alpha == crate::methods::did::options::DidOptions::default().alpha {
        return note.to_string();
    }
    let level = crate::methods::did::options::level(alpha);
    match lang {
        Lang::Zh => format!(
            "{}本次运行的效应区间与图中的带为 {level}（alpha = {alpha}），预检验仍按 5% 水平判断。",
            note.replace("（它比图中覆盖全部相对年份的带窄）", "")
        ),
        Lang::En => format!(
            "{} This run's intervals and the chart's band are {level} (alpha = {alpha}); the pre-test is still read at 5%.",
            note.replace(" (narrower than the chart's band over every event time)", "")
        ),
    }
}

/// One outcome's row of `adoption_tests`.
struct Tested {
    metric: String,
    test: String,
    stat: Option<f64>,
    cells: Option<f64>,
    p: Option<f64>,
    clusters: Option<usize>,
    treated_clusters: Option<usize>,
    level: String,
    dropped: usize,
    small: String,
    units: Option<f64>,
    treated: Option<f64>,
    asked: String,
    fallback: String,
    crit: Option<f64>,
}

fn tested(dir: &Path) -> Result<Vec<Tested>, RenderError> {
    let t = table(dir, "adoption_tests")?;
    let s = |c: &str| strs(&t, c);
    let f = |c: &str| floats(&t, c);
    let (m, test, level, small) = (
        s("metric"),
        s("pretrend_test"),
        s("cluster"),
        s("small_cohorts"),
    );
    let (asked, fallback) = (s("cluster_asked"), s("cluster_fallback"));
    let (stat, df, p, g, tg, dropped) = (
        f("pretrend_stat"),
        f("pretrend_df"),
        f("pretrend_p"),
        f("clusters"),
        f("treated_clusters"),
        f("units_dropped"),
    );
    let (units, treated, crit) = (f("units"), f("units_treated"), f("crit"));
    let at = |v: &Vec<Option<f64>>, i: usize| v.get(i).copied().flatten();
    let text = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    Ok((0..t.height())
        .map(|i| Tested {
            metric: m[i].clone(),
            test: text(&test, i),
            stat: at(&stat, i),
            cells: at(&df, i),
            p: at(&p, i),
            clusters: at(&g, i).map(|g| g as usize),
            treated_clusters: at(&tg, i).map(|g| g as usize),
            level: text(&level, i),
            dropped: at(&dropped, i).unwrap_or(0.0) as usize,
            small: text(&small, i),
            units: at(&units, i),
            treated: at(&treated, i),
            asked: text(&asked, i),
            fallback: text(&fallback, i),
            crit: at(&crit, i),
        })
        .collect())
}

/// A metric key of the DiD tables (`share_young:cadre`) as (metric,
/// breakdown).
fn split(key: &str) -> (&str, &str) {
    key.split_once(':').unwrap_or((key, ""))
}

/// A cluster level's name in a sentence (county → 县（区）).
pub(super) fn level_name(lang: Lang, level: &str) -> String {
    match (lang, level) {
        (Lang::Zh, "province") => "省".into(),
        (Lang::Zh, "city") => "地市".into(),
        (Lang::Zh, "county") => "县".into(),
        (Lang::Zh, "street") => "街道（乡镇）".into(),
        (Lang::Zh, "community") => "社区（村）".into(),
        (Lang::Zh, "country") => "国家".into(),
        (Lang::Zh, _) => "单位".into(),
        (Lang::En, other) => other.into(),
    }
}

/// The pre-test's verdict as a table cell.
fn pre_verdict(lang: Lang, p: Option<f64>) -> String {
    let zh = lang == Lang::Zh;
    match p {
        None if zh => "无法检验".into(),
        None => "not testable".into(),
        Some(p) if p < claims::ALPHA && zh => "拒绝：采用前趋势不同".into(),
        Some(p) if p < claims::ALPHA => "rejected: pre-trends differ".into(),
        Some(_) if zh => "未拒绝".into(),
        Some(_) => "not rejected".into(),
    }
}

/// A row's verdict in a table: its own interval, described; what it
/// means is the findings' (which weigh both aggregations).
fn verdict_cell(lang: Lang, v: Verdict) -> String {
    let zh = lang == Lang::Zh;
    match v {
        Verdict::PreTrendsDiffer if zh => "预趋势不同，不作效应解读".into(),
        Verdict::PreTrendsDiffer => "pre-trends differ: not an effect".into(),
        Verdict::Significant | Verdict::Fragile if zh => "区间不含 0".into(),
        Verdict::Significant | Verdict::Fragile => "interval excludes 0".into(),
        Verdict::NotSignificant if zh => "区间含 0".into(),
        Verdict::NotSignificant => "interval includes 0".into(),
    }
}

/// The section from the run's tables.
pub(super) fn section(
    dir: &Path,
    alpha: f64,
    simulated: bool,
    lang: Lang,
) -> Result<DidSection, RenderError> {
    let zh = lang == Lang::Zh;
    let tests = tested(dir)?;
    let pre_of = |m: &str| tests.iter().find(|t| t.metric == m);
    let mut facts = DidFacts {
        alpha,
        ..DidFacts::default()
    };
    if let Some(t) = pre_of("resolution_rate").or(tests.first()) {
        facts.clusters = t.clusters;
        facts.treated_clusters = t.treated_clusters;
        facts.level = t.level.clone();
        facts.asked = t.asked.clone();
        facts.fallback = (!t.fallback.is_empty()).then(|| t.fallback.clone());
        facts.small_cohorts = (!t.small.is_empty()).then(|| t.small.clone());
    }
    for t in &tests {
        let (m, b) = split(&t.metric);
        let name = labels::metric(lang, m, b);
        if t.dropped > 0 {
            facts.dropped = facts.dropped.max(t.dropped);
            facts.dropped_in.push(name.clone());
        }
        if let Some(c) = t.crit.filter(|c| *c >= 7.0) {
            facts.wide_bands.push(match lang {
                Lang::Zh => format!("{name}（临界值 {c:.1}）"),
                Lang::En => format!("{name} (critical value {c:.1})"),
            });
        }
        match t.p {
            Some(p) if p < claims::ALPHA => facts.pre_differ.push(name),
            None => facts.untested.push(name),
            _ => {}
        }
    }

    // The pre-trend tests, one row an outcome.
    let mut pre_t = Table::new(
        label(lang, "pretrend_sheet"),
        &labels::titled(lang, "pretrend_title", simulated),
        vec![
            Column::text(label(lang, "metric")),
            Column::text(label(lang, "pretrend_test")),
            Column::number(label(lang, "statistic"), Kind::Statistic),
            Column::number(label(lang, "pretrend_cells"), Kind::Count),
            Column::number(label(lang, "p"), Kind::PValue),
            Column::text(label(lang, "verdict")),
        ],
    );
    for t in &tests {
        let (m, b) = split(&t.metric);
        pre_t.rows.push(vec![
            Cell::text(labels::metric(lang, m, b)),
            Cell::text(match t.test.as_str() {
                "sup_t" => label(lang, "pretrend_sup_t"),
                "wald" => label(lang, "pretrend_wald"),
                _ => "—",
            }),
            Cell::Num(t.stat),
            Cell::Num(t.cells),
            Cell::Num(t.p),
            Cell::text(pre_verdict(lang, t.p)),
        ]);
    }

    // The pooled effects: the simple and the dynamic aggregation.
    let eff = table(dir, "adoption_effects")?;
    let (em, ek) = (strs(&eff, "metric"), strs(&eff, "kind"));
    let (ea, es, elo, ehi) = (
        floats(&eff, "att"),
        floats(&eff, "se"),
        floats(&eff, "ci_low"),
        floats(&eff, "ci_high"),
    );
    let events = table(dir, "event_study")?;
    let (vm, vr) = (strs(&events, "metric"), floats(&events, "rel_year"));
    let (va, vs, vlo, vhi) = (
        floats(&events, "att"),
        floats(&events, "se"),
        floats(&events, "ci_low"),
        floats(&events, "ci_high"),
    );
    let mut effects_t = Table::new(
        label(lang, "effects_sheet"),
        &labels::titled(lang, "effects_title", simulated),
        vec![
            Column::text(label(lang, "metric")),
            Column::text(label(lang, "aggregation")),
            Column::number(label(lang, "att"), Kind::Change),
            Column::number(label(lang, "se"), Kind::Amount),
            Column::number(labels::at_level(label(lang, "ci_low"), alpha), Kind::Change),
            Column::number(
                labels::at_level(label(lang, "ci_high"), alpha),
                Kind::Change,
            ),
            Column::number(label(lang, "pretrend_p"), Kind::PValue),
            Column::text(label(lang, "verdict")),
        ],
    );
    // The models whose own pre-test rejects, per outcome.
    let bm = table(dir, "adoption_by_model")?;
    let (bmm, bmo, bmp) = (
        strs(&bm, "metric"),
        strs(&bm, "governance_model"),
        floats(&bm, "pretrend_p"),
    );
    let rejecting = |key: &str| -> Vec<String> {
        let mut v: Vec<String> = (0..bm.height())
            .filter(|&i| bmm[i] == key && bmp[i].is_some_and(|p| p < claims::ALPHA))
            .map(|i| bmo[i].clone())
            .collect();
        v.sort_by_key(|m| claims::model_rank(m));
        v
    };
    let mut findings = Vec::new();
    let mut zero = Vec::new();
    for i in (0..eff.height()).filter(|&i| ek[i] == "simple") {
        let key = em[i].as_str();
        let (m, b) = split(key);
        let name = labels::metric(lang, m, b);
        let Some(a) = ea[i] else { continue };
        let se = es[i];
        let (lo, hi) = (elo[i], ehi[i]);
        let dyn_row = (0..events.height()).find(|&j| vm[j] == key && vr[j].is_none());
        let mut shown = vec![Some(a), lo, hi];
        if let Some(j) = dyn_row {
            shown.extend([va[j], vlo[j], vhi[j]]);
        }
        let (k, sk) = format::effect_kinds(m, &shown, lang);
        let zero_text = format::text(Some(0.0), k, lang);
        if [Some(a), lo, hi]
            .iter()
            .all(|v| v.is_none_or(|v| format::text(Some(v), k, lang) == zero_text))
        {
            zero.push(name);
            continue;
        }
        let t = pre_of(key);
        let pre_p = t.and_then(|t| t.p);
        let reject = rejecting(key);
        // A share's change carries its unit (个百分点); any other metric's
        // unit goes with its name.
        let unit = if format::metric_kind(m) == Kind::Share {
            ""
        } else {
            labels::change_unit(lang, m)
        };
        let e = Effect {
            name: &name,
            unit,
            att: &format::text(Some(a), k, lang),
            low: &format::text(lo, k, lang),
            high: &format::text(hi, k, lang),
            excludes_zero: lo.is_some_and(|l| l > 0.0) || hi.is_some_and(|h| h < 0.0),
            other_excludes: dyn_row
                .map(|j| vlo[j].is_some_and(|l| l > 0.0) || vhi[j].is_some_and(|h| h < 0.0)),
            pre_p,
            pre_quoted: &pre_p.map(format::p_clause).unwrap_or_default(),
            clusters: t.and_then(|t| t.clusters),
            level: &level_name(lang, t.map_or("", |t| t.level.as_str())),
            models_reject: &reject,
        };
        if claims::verdict(&e) != Verdict::PreTrendsDiffer {
            facts.reported += 1;
        }
        findings.push(labels::at_level(&claims::effect_sentence(lang, &e), alpha));
        let named = labels::metric_with_unit(lang, m, b);
        // Each row's verdict from its own interval.
        let row = |agg: &str, a: Option<f64>, se: Option<f64>, lo: Option<f64>, hi: Option<f64>| {
            let v = claims::verdict(&Effect {
                excludes_zero: lo.is_some_and(|l| l > 0.0) || hi.is_some_and(|h| h < 0.0),
                other_excludes: None,
                ..e.clone()
            });
            vec![
                Cell::text(&named),
                Cell::text(label(lang, agg)),
                Cell::Bare(a, k),
                Cell::Bare(se, sk),
                Cell::Bare(lo, k),
                Cell::Bare(hi, k),
                Cell::Num(pre_p),
                Cell::text(verdict_cell(lang, v)),
            ]
        };
        effects_t.rows.push(row("agg_simple", Some(a), se, lo, hi));
        if let Some(j) = dyn_row {
            effects_t.rows.push(row(
                "agg_dynamic",
                Some(va[j].unwrap_or(f64::NAN)),
                vs[j],
                vlo[j],
                vhi[j],
            ));
        }
    }
    let mut notes: Vec<String> = Vec::new();
    if !zero.is_empty() {
        notes.push(format!(
            "{}{}",
            label(lang, "zero_effect_note"),
            zero.join(if zh { "、" } else { ", " })
        ));
    }

    let by_model = model_table(dir, &tests, alpha, simulated, lang, &mut facts)?;
    let (event_t, band_crit) = event_table(&events, lang, alpha);
    let mut blocks = vec![
        Block::Heading(labels::at_level(label(lang, "event_title"), alpha)),
        Block::Paragraph(design_sentence(&tests, &facts, lang)),
        Block::Figure(Figure {
            chart: "event_study".into(),
            caption: labels::at_level(&labels::titled(lang, "event_chart_title", simulated), alpha),
        }),
        Block::Table(event_t),
        Block::Subheading(label(lang, "pretrend_title").into()),
        Block::Paragraph(pretrend_sentence(&tests, &facts, lang)),
        Block::Table(pre_t),
        Block::Note(pretrend_note(lang, alpha)),
        Block::Subheading(label(lang, "effects_title").into()),
        Block::Table(effects_t),
        Block::Note(label(lang, "aggregations_note").into()),
    ];
    blocks.extend(notes.into_iter().map(Block::Note));
    blocks.extend([
        Block::Subheading(label(lang, "by_model_title").into()),
        Block::Paragraph(model_sentence(&facts, lang)),
        Block::Table(by_model),
        Block::Note(did_method(
            &table(dir, "adoption_tests")?,
            band_crit,
            alpha,
            lang,
        )),
    ]);
    Ok(DidSection {
        blocks,
        findings,
        facts,
    })
}

/// The event study of the resolution rate: each event time and the
/// dynamic aggregation's average, and the band's critical value.
fn event_table(
    events: &polars::prelude::DataFrame,
    lang: Lang,
    alpha: f64,
) -> (Table, Option<f64>) {
    let (evm, evr) = (strs(events, "metric"), floats(events, "rel_year"));
    let ev: Vec<Vec<Option<f64>>> = ["att", "se", "ci_low", "ci_high"]
        .iter()
        .map(|c| floats(events, c))
        .collect();
    let crit = floats(events, "crit");
    // With a uniform band the interval columns are the band's.
    let band_crit = (0..events.height())
        .filter(|&i| evm[i] == "resolution_rate" && evr[i].is_some())
        .find_map(|i| crit[i])
        .filter(|c| *c > crate::methods::did::inference::z(alpha) + 1e-6);
    let (lo_key, hi_key) = if band_crit.is_some() {
        ("band_low", "band_high")
    } else {
        ("ci_low", "ci_high")
    };
    let (k, sk) = (
        change_kind("resolution_rate"),
        spread_kind("resolution_rate"),
    );
    let mut t = Table::new(
        label(lang, "rel_year"),
        &labels::titled(lang, "event_table_title", false),
        vec![
            Column::text(label(lang, "rel_year")),
            Column::number(label(lang, "effect"), k),
            Column::number(label(lang, "se"), sk),
            Column::number(labels::at_level(label(lang, lo_key), alpha), k),
            Column::number(labels::at_level(label(lang, hi_key), alpha), k),
        ],
    );
    for i in (0..events.height()).filter(|&i| evm[i] == "resolution_rate") {
        let first = match evr[i] {
            Some(e) => Cell::text(format!("{e:.0}")),
            None => Cell::text(labels::at_level(label(lang, "event_average"), alpha)),
        };
        let mut row = vec![first];
        row.extend(ev.iter().map(|c| Cell::Num(c[i])));
        t.rows.push(row);
    }
    (t, band_crit)
}

/// Each model's own effect: its adopters against the comparison units.
fn model_table(
    dir: &Path,
    tests: &[Tested],
    alpha: f64,
    simulated: bool,
    lang: Lang,
    facts: &mut DidFacts,
) -> Result<Table, RenderError> {
    let bm = table(dir, "adoption_by_model")?;
    let (mm, mo) = (strs(&bm, "metric"), strs(&bm, "governance_model"));
    let f = |c: &str| floats(&bm, c);
    let (a, se, lo, hi, tr, g, p) = (
        f("att"),
        f("se"),
        f("ci_low"),
        f("ci_high"),
        f("units_treated"),
        f("clusters"),
        f("pretrend_p"),
    );
    let mut t = Table::new(
        label(lang, "by_model_sheet"),
        &labels::titled(lang, "by_model_title", simulated),
        vec![
            Column::text(label(lang, "metric")),
            Column::text(label(lang, "model")),
            Column::number(label(lang, "att"), Kind::Change),
            Column::number(label(lang, "se"), Kind::Amount),
            Column::number(labels::at_level(label(lang, "ci_low"), alpha), Kind::Change),
            Column::number(
                labels::at_level(label(lang, "ci_high"), alpha),
                Kind::Change,
            ),
            Column::number(label(lang, "units_treated"), Kind::Count),
            Column::number(label(lang, "clusters"), Kind::Count),
            Column::number(label(lang, "pretrend_p"), Kind::PValue),
            Column::text(label(lang, "verdict")),
        ],
    );
    for metric in tests.iter().map(|t| t.metric.as_str()) {
        let (m, b) = split(metric);
        let mut rows: Vec<usize> = (0..bm.height()).filter(|&i| mm[i] == metric).collect();
        let shown: Vec<Option<f64>> = rows.iter().flat_map(|&i| [a[i], lo[i], hi[i]]).collect();
        let (k, sk) = format::effect_kinds(m, &shown, lang);
        rows.sort_by_key(|&i| claims::model_rank(&mo[i]));
        for i in rows {
            let Some(att) = a[i] else { continue };
            if att == 0.0 && se[i].is_none() {
                continue;
            }
            let clusters = g.get(i).copied().flatten().map(|g| g as usize);
            if let Some(c) = clusters {
                facts.model_clusters = Some(facts.model_clusters.map_or(c, |m| m.min(c)));
            }
            let excludes = lo[i].is_some_and(|l| l > 0.0) || hi[i].is_some_and(|h| h < 0.0);
            // Descriptive: an interval that excludes 0, not "significant";
            // an outcome whose pooled pre-test rejects, said first.
            let pooled_differs = tests
                .iter()
                .find(|t| t.metric == metric)
                .and_then(|t| t.p)
                .is_some_and(|p| p < claims::ALPHA);
            let v = match (p[i], excludes, lang) {
                _ if pooled_differs && lang == Lang::Zh => "合并预趋势已不同".to_string(),
                _ if pooled_differs => "pooled pre-trends differ".to_string(),
                (Some(p), _, Lang::Zh) if p < claims::ALPHA => "预趋势不同".to_string(),
                (Some(p), _, Lang::En) if p < claims::ALPHA => "pre-trends differ".to_string(),
                (_, true, Lang::Zh) => "区间不含 0".to_string(),
                (_, true, Lang::En) => "interval excludes 0".to_string(),
                (_, false, Lang::Zh) => "区间含 0".to_string(),
                (_, false, Lang::En) => "interval includes 0".to_string(),
            };
            t.rows.push(vec![
                Cell::text(labels::metric_with_unit(lang, m, b)),
                Cell::text(labels::model(lang, &mo[i])),
                Cell::Bare(Some(att), k),
                Cell::Bare(se[i], sk),
                Cell::Bare(lo[i], k),
                Cell::Bare(hi[i], k),
                Cell::Num(tr.get(i).copied().flatten()),
                Cell::Num(clusters.map(|c| c as f64)),
                Cell::Num(p[i]),
                Cell::text(v),
            ]);
        }
    }
    Ok(t)
}

/// Who was compared with whom, how many units and clusters, what was
/// dropped.
fn design_sentence(tests: &[Tested], facts: &DidFacts, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let level = level_name(lang, &facts.level);
    let clustered = match (facts.clusters, facts.treated_clusters, zh) {
        (Some(g), Some(tg), true) => format!("标准误按{level}聚类：{g} 个聚类，其中 {tg} 个含采用单位"),
        (Some(g), _, true) => format!("标准误按{level}聚类：{g} 个聚类"),
        (None, _, true) => "标准误按单位聚类".to_string(),
        (Some(g), Some(tg), false) => format!("Standard errors are clustered by {level}: {g} clusters, {tg} of them with adopting units"),
        (Some(g), _, false) => format!("Standard errors are clustered by {level}: {g} clusters"),
        (None, _, false) => "Standard errors are clustered by unit".to_string(),
    };
    let why = facts.fallback.as_deref().map(|f| {
        let asked = level_name(lang, &facts.asked);
        match (f, zh) {
            ("one_cluster", true) => format!("（配置要求按{asked}聚类，但所有单位同属一个{asked}，无法估计聚类方差，故按单位聚类）"),
            ("not_above", true) => format!("（配置要求按{asked}聚类，但{asked}不高于分析单位的层级，故按单位聚类）"),
            ("no_level", true) => format!("（配置要求按{asked}聚类，但区划树中单位之上没有这一层级，故按单位聚类）"),
            (_, true) => "（区划树中单位之上没有任何层级声明治理模式或采用年份，故按单位聚类）".to_string(),
            ("one_cluster", false) => format!(" ([compare] cluster asked for {asked}, but every unit is in one {asked}: no cluster variance can be estimated, so by unit)"),
            ("not_above", false) => format!(" ([compare] cluster asked for {asked}, which is not above the analysis level: so by unit)"),
            ("no_level", false) => format!(" ([compare] cluster asked for {asked}, which the region tree does not have above the units: so by unit)"),
            (_, false) => " (no level above the units declares a model or adoption year: so by unit)".to_string(),
        }
    });
    let clustered = format!("{clustered}{}", why.unwrap_or_default());
    let few = match (facts.clusters, zh) {
        (Some(g), true) if g < claims::MIN_CLUSTERS => {
            format!("；聚类少于 {}，区间可能偏窄、不可靠", claims::MIN_CLUSTERS)
        }
        (Some(g), false) if g < claims::MIN_CLUSTERS => format!(
            "; with fewer than {} clusters the intervals may be too narrow and are unreliable",
            claims::MIN_CLUSTERS
        ),
        _ => String::new(),
    };
    let dropped = match (facts.dropped, zh) {
        (0, true) => "各结果的面板均为平衡面板，未剔除单位".to_string(),
        (0, false) => "every outcome's panel is balanced as it is: no unit was dropped".to_string(),
        (d, true) => format!(
            "为得到平衡面板，{}剔除了 {d} 个并非每年都有该结果数值的单位（例如某年受理数为 0，调解成功率无定义；[compare] unbalanced = true 可保留它们）",
            facts.dropped_in.join("、")
        ),
        (d, false) => format!(
            "to balance the panel, {d} unit(s) without a value of the outcome in some year were dropped ({}; e.g. no dispute received in a year leaves the resolution rate undefined; [compare] unbalanced = true keeps them)",
            facts.dropped_in.join(", ")
        ),
    };
    let compared = tests
        .iter()
        .find(|t| t.metric == "resolution_rate")
        .or(tests.first())
        .and_then(|t| Some((t.units? as usize, t.treated? as usize)));
    let compared = match (compared, zh) {
        (Some((n, k)), true) => format!("采用效应比较 {k} 个采用单位与 {} 个比较单位（调解成功率的面板）；", n - k),
        (Some((n, k)), false) => format!("The adoption effects compare {k} adopting units with {} comparison units (the resolution rate's panel). ", n - k),
        (None, _) => String::new(),
    };
    if zh {
        format!("{compared}{clustered}{few}；{dropped}。")
    } else {
        format!("{compared}{clustered}{few}; {dropped}.")
    }
}

/// The pre-tests in one sentence: how many outcomes, which reject.
fn pretrend_sentence(tests: &[Tested], facts: &DidFacts, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let n = tests.len();
    let list = |v: &[String]| v.join(if zh { "、" } else { ", " });
    let differ = match (facts.pre_differ.len(), zh) {
        (0, true) => format!("{n} 个结果的平行趋势预检验均未在 5% 水平拒绝"),
        (0, false) => format!("no pre-test of the {n} outcomes rejects parallel pre-trends at 5%"),
        (k, true) => format!(
            "{n} 个结果中 {k} 个的预检验在 5% 水平拒绝平行趋势（{}）：其效应不作解读",
            list(&facts.pre_differ)
        ),
        (k, false) => format!(
            "{k} of {n} outcomes' pre-tests reject parallel pre-trends at 5% ({}): their effects are not interpreted",
            list(&facts.pre_differ)
        ),
    };
    let untested = match (facts.untested.is_empty(), zh) {
        (true, _) => String::new(),
        (false, true) => format!("；{}无法检验", list(&facts.untested)),
        (false, false) => format!("; {} could not be tested", list(&facts.untested)),
    };
    if zh {
        format!("{differ}{untested}。")
    } else {
        format!("{}{untested}.", capitalise(&differ))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What each model's own effect can and cannot say.
fn model_sentence(facts: &DidFacts, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match (facts.model_clusters, zh) {
        (Some(g), true) if g < claims::MIN_CLUSTERS => format!(
            "各模式的效应只比较该模式的采用单位与对照单位，聚类最少只有 {g} 个：区间与预检验不可靠，仅作描述，不列为发现。"
        ),
        (Some(g), false) if g < claims::MIN_CLUSTERS => format!(
            "Each model's effect compares only its adopters with the comparison units, with as few as {g} clusters: its intervals and pre-tests are unreliable, descriptive only, and not findings."
        ),
        (_, true) => "各模式的效应只比较该模式的采用单位与对照单位。".into(),
        (_, false) => "Each model's effect compares only its adopters with the comparison units.".into(),
    }
}

/// How the adoption effects were estimated, from `adoption_tests`' settings
/// (the resolution rate's row): control group, covariates, method,
/// standard errors and what the band means (`band_crit`: the event study's
/// critical value).
pub(super) fn did_method(
    tests: &polars::prelude::DataFrame,
    band_crit: Option<f64>,
    alpha: f64,
    lang: Lang,
) -> String {
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
    let level = level_name(lang, &get("cluster"));
    let se = match (get("se").as_str(), zh) {
        ("analytic", true) => format!("标准误由影响函数解析计算，按{level}聚类"),
        (_, true) => format!("标准误为乘数自助法，按{level}聚类（每个聚类一个 Rademacher 权重，同 R did 的 clustervars）"),
        ("analytic", false) => format!("analytic standard errors from the influence functions, clustered by {level}"),
        (_, false) => format!("standard errors from a multiplier bootstrap clustered by {level} (one Rademacher weight a cluster, as R did's clustervars)"),
    };
    let base = match (get("base_period").as_str(), zh) {
        ("universal", true) => "，统一基期（各期都与采用前一年比较）".to_string(),
        (_, true) => "，变动基期（采用前各期为逐年变化，采用后与采用前一年比较）".to_string(),
        ("universal", false) => ", a universal base period (every year against the year before adoption)".to_string(),
        (_, false) => ", a varying base period (pre-adoption estimates are year-on-year changes; post-adoption ones against the year before adoption)".to_string(),
    };
    let delta = floats(tests, "anticipation")
        .get(i)
        .copied()
        .flatten()
        .unwrap_or(0.0) as i32;
    let antic = match (delta, zh) {
        (0, true) => "，不设预期期".to_string(),
        (d, true) => format!("，预期期 {d} 年"),
        (0, false) => ", no anticipation".to_string(),
        (d, false) => format!(", anticipation of {d} year(s)"),
    };
    let base = format!("{base}{antic}");
    let band = match band_crit {
        Some(c) if zh => format!("竖线为逐点 95% 区间，阴影为 95% 一致置信带（临界值 {c:.2}，同时覆盖所有相对年份，而非逐个年份）。"),
        Some(c) => format!(" Whiskers are pointwise 95% intervals; the shading is the 95% uniform band (critical value {c:.2}), which covers every event time at once."),
        None if zh => "竖线为逐点 95% 区间。".to_string(),
        None => " Whiskers are pointwise 95% intervals.".to_string(),
    };
    let band = labels::at_level(&band, alpha);
    if zh {
        format!("采用模式的效应：交错双重差分（Callaway–Sant'Anna，与 R did 的 att_gt 相同），对照组为{control}，{adjust}{base}；{se}。{band}")
    } else {
        format!("Adoption effects: staggered difference-in-differences (Callaway–Sant'Anna, as R did's att_gt) against {control}, {adjust}{base}; {se}.{band}")
    }
}
