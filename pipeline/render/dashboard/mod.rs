//! `dashboard.html` (docs/dashboard.md): one self-contained page an office
//! opens on an intranet without internet — key figures with the change on
//! the previous period, a searchable ranking, trends by model, the
//! province tiles and the choropleth, the alerts by kind and the model
//! comparison, all following one set of filters (period, metric, model,
//! region). Apache ECharts (vendor/echarts) and the run's data are inlined,
//! with the characters of the page cut from the report font; the page
//! requests nothing.
//!
//! A figure of any set of units is the one every report uses
//! ([`super::counts`]): the mean of their values weighted by each value's
//! own denominator. The page carries each value with its weight, so the
//! script's figure of a filter is that rule applied to those units.
//!
//! Written in every run (research: every unit, or every district's figure
//! when the run has more than `[render] dashboard_units` units) and beside
//! every district report (the district's units, and every district's
//! figure for its rank among them).

pub mod data;
mod page;

use std::path::Path;

use super::labels::{self, period_label, Lang};
use super::RenderError;
use crate::config::Config;

pub use page::{code_key, json_in_script};

/// The vendored ECharts (vendor/echarts/README.md).
pub const ECHARTS_VERSION: &str = "6.1.0";

/// Whose dashboard.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The run's: every district.
    Run,
    /// A district's, opening at the period of its report.
    District { code: &'a str, period: &'a str },
}

/// The page for `scope`, from the run folder `dir`.
pub fn build(dir: &Path, config: &Config, scope: Scope, lang: Lang) -> Result<String, RenderError> {
    let manifest: serde_json::Value = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let simulated = manifest["simulated"].as_bool().unwrap_or(false);
    let run = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let units = data::Units::read(dir)?;
    let periods = data::periods(dir)?;
    let (district, period) = match scope {
        Scope::Run => (None, periods.last().cloned().unwrap_or_default()),
        Scope::District { code, period } => (Some(code), period.to_string()),
    };
    if !periods.contains(&period) {
        return Err(RenderError::NoPeriod {
            period,
            available: periods.join(", "),
        });
    }
    let kept = data::kept(&units, district, config.render.dashboard_units);
    let (unit_layer, district_layer) = data::layers(dir, &units, &kept, &periods)?;
    let (tiles, tile_note) = data::tiles(dir, config, &period, lang)?;
    let (map, map_note) = data::map(config, &units, district, lang)?;
    let tests = data::tests(dir, lang)?;
    let alerts = alerts(dir, config, &units, &kept, &periods, lang)?;
    let home = district.and_then(|d| district_layer.rows.iter().find(|r| r.code == d).cloned());
    let zh = lang == Lang::Zh;
    let (title, subtitle) = titles(&home, &periods, &period, &run, units.rows.len(), lang);
    let notes = notes(
        config,
        units.rows.len(),
        kept.len(),
        district.is_some(),
        lang,
    );
    let d = data::Data {
        lang: if zh { "zh" } else { "en" },
        text: page::ui_text(lang),
        title,
        subtitle,
        simulated,
        run,
        home,
        period_names: periods.iter().map(|p| period_label(lang, p)).collect(),
        periods,
        period,
        metrics: data::metrics(lang),
        models: data::models(lang),
        units: unit_layer,
        districts: district_layer,
        streets: units.street_names.clone(),
        units_total: units.rows.len(),
        tiles,
        tile_note,
        map,
        map_note,
        tests,
        alerts,
        confound: super::one_province_each(dir, lang),
        notes,
    };
    page::write(&d, lang)
}

/// The alerts of the districts whose units the page keeps, in every
/// period, as each district's report lists them.
fn alerts(
    dir: &Path,
    config: &Config,
    units: &data::Units,
    kept: &[usize],
    periods: &[String],
    lang: Lang,
) -> Result<data::Alerts, RenderError> {
    let kinds = super::district_alerts::KINDS
        .iter()
        .map(|k| (*k, labels::label(lang, &format!("alert_{k}")).to_string()))
        .collect();
    let districts = data::alert_districts(units, kept);
    let note = districts.is_empty().then(|| match lang {
        Lang::Zh => "本看板只载各区县的汇总数，不载单位，预警见各区县的看板和报告。".to_string(),
        Lang::En => "This page carries the districts' figures, not their units: the alerts are in each district's dashboard and report.".to_string(),
    });
    let mut rows = Vec::new();
    for (period, _, list) in super::district::alerts_of(dir, config, &districts, periods, lang)? {
        for a in list {
            rows.push(data::AlertRow {
                kind: a.kind,
                code: a.unit,
                period: period.clone(),
                text: a.message,
            });
        }
    }
    Ok(data::Alerts { kinds, rows, note })
}

fn titles(
    home: &Option<data::Row>,
    periods: &[String],
    period: &str,
    run: &str,
    n_units: usize,
    lang: Lang,
) -> (String, String) {
    let span = match (periods.first(), periods.last()) {
        (Some(a), Some(b)) if a != b => match lang {
            Lang::Zh => format!("{}—{}", period_label(lang, a), period_label(lang, b)),
            Lang::En => format!("{a}–{b}"),
        },
        _ => period_label(lang, period),
    };
    match (home, lang) {
        (Some(h), Lang::Zh) => (
            format!("{}社区治理效能看板", h.name),
            format!("{span} · 区县代码 {} · 运行 {run}", h.code),
        ),
        (Some(h), Lang::En) => (
            format!("{}: community governance dashboard", h.name),
            format!("{span} · district {} · run {run}", h.code),
        ),
        (None, Lang::Zh) => (
            "党建引领社区治理效能看板".to_string(),
            format!("{span} · {n_units} 个单位 · 运行 {run}"),
        ),
        (None, Lang::En) => (
            "Party-building-led community governance: dashboard".to_string(),
            format!("{span} · {n_units} units · run {run}"),
        ),
    }
}

/// What the page carries and how its figures are made.
fn notes(config: &Config, total: usize, kept: usize, district: bool, lang: Lang) -> Vec<String> {
    let max = config.render.dashboard_units;
    let zh = lang == Lang::Zh;
    let carried = match (kept == total, district, zh) {
        (true, _, true) => format!("本看板载有本次运行全部 {total} 个单位的数据，以及各区县的汇总数。"),
        (true, _, false) => format!("This page carries all {total} units of the run, and every district's figure."),
        (false, true, true) => format!("本次运行有 {total} 个单位，多于 [render] dashboard_units = {max}：本看板只载本区县的 {kept} 个单位，以及全部区县的汇总数（用于区县排名）。"),
        (false, true, false) => format!("The run has {total} units, more than [render] dashboard_units = {max}: this page carries this district's {kept} units and every district's figure (to rank the districts)."),
        (false, false, true) => format!("本次运行有 {total} 个单位，多于 [render] dashboard_units = {max}：本看板只载各区县的汇总数，排名、箱线图以区县为单位，每个区县按其多数单位的模式归类；单位数据见各区县的看板。"),
        (false, false, false) => format!("The run has {total} units, more than [render] dashboard_units = {max}: this page carries every district's figure, and ranks and compares districts, each under the model most of its units follow; units are in each district's dashboard."),
    };
    let rest: [&str; 5] = if zh {
        [
            "关键指标和地图的数值按各报告同一规则计算：一组单位（区县、街道、筛选结果）的各单位数值按其分母加权平均——调解成功率、矛盾上行率按受理数，满意度按服务人次，其余按常住人口；变化为两期数值之差。逐年变化图中各模式的线为各单位数值的平均（与研究报告的“模式均值”相同；只载区县汇总数时为加权数值）。",
            "治理效能指数在每个时期内对当期全部单位标准化（0–100），其“较上期”和逐年变化反映的是相对同期其他单位的位置，不是绝对水平的升降。",
            "年龄结构不在本看板中：看板可任意组合单位，会让报告中为保护个人而隐去的小数目被推算出来；年龄结构见报告（按披露规则处理）。",
            "模式间检验（Kruskal–Wallis，Holm 校正）来自本次运行的 model_tests 表，针对本期全部单位，不随筛选变化：结论以模式分配层级（如区县）均值的检验为准；按单位的检验把同一区县的单位当作独立观测，仅作描述。箱线图的须为最小值和最大值，四分位数按线性插值（R 的 type 7）。",
            "排名中数值相同的单位名次相同（并列），按代码先后排列；比率的分母（受理数、服务人次）小的单位数值波动大，见提示框中的分母。",
        ]
    } else {
        [
            "Key figures and maps follow the reports' one rule: a set of units' figure (a district, a street, a filter) is their values weighted by each value's denominator — disputes received for the resolution and escalation rates, visits for satisfaction, residents for the rest; a change is the difference of two periods' figures. The lines by model over the years are the means of the units' values (the research report's model means; weighted figures where the page carries districts only).",
            "The effectiveness index is normalised to 0–100 over all units within each period: its change on the previous period and its trend show a position relative to that period's units, not a rise or fall of an absolute level.",
            "The age structure is not on this page: a page that recombines units at will would let a small number the reports withhold to protect individuals be worked out; it is in the reports, under their disclosure rule.",
            "The between-model tests (Kruskal–Wallis, Holm-corrected) are the run's model_tests, on all of the period's units; filters do not change them. A conclusion rests on the test on the means of the level models were assigned at (such as counties); the test on units treats units of one county as independent and is descriptive only. Whiskers are the minimum and maximum; quartiles interpolate linearly (R's type 7).",
            "Units with equal values share a rank (tied), listed by code; a rate on a small denominator (disputes received, visits) moves a lot from year to year: the tooltip shows it.",
        ]
    };
    std::iter::once(carried)
        .chain(rest.iter().map(|s| s.to_string()))
        .collect()
}
