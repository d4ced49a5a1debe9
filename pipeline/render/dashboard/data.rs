//! What a dashboard carries, read from the run's tables: each period's
//! values of the dashboard's metrics for the units it keeps and for every
//! district, with the weights that make any set of them one figure
//! ([`crate::render::counts`]); the between-model tests; the alerts; the
//! province tiles and the boundaries. Serialised once, as JSON, into the
//! page ([`super::page`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::super::counts::{self, Weight};
use super::super::format::{self, Kind};
use super::super::labels::{self, Lang};
use super::super::maps::{self, geo, tiles, values::UnitData};
use super::super::{floats, query, strs, table, RenderError};

/// The dashboard's metrics (breakdown ""), and which way is better: the
/// index and the rates a clerk follows. The age structure is not among
/// them: a page whose filters recombine units would let a withheld age
/// cell be worked out ([`crate::render::disclosure`]); it stays in the
/// reports, under their disclosure rule.
pub const METRICS: [(&str, bool); 7] = [
    ("score", true),
    ("resolution_rate", true),
    ("escalation_rate", false),
    ("disputes_per_10k", false),
    ("visits_per_1k", true),
    ("center_coverage", true),
    ("satisfaction", true),
];

/// The models in every chart's order.
const MODELS: [&str; 5] = ["sinking", "collaborative", "embedded", "integrated", "none"];

/// Significant digits a value is carried with (a figure is shown to at
/// most 4).
const DIGITS: i32 = 7;

#[derive(Serialize)]
pub struct Metric {
    pub id: &'static str,
    pub name: String,
    /// share, per, score: how the page shows it (as [`format::text`]).
    pub kind: &'static str,
    /// 1: higher is better; -1: lower.
    pub better: i8,
    /// What a unit's value is weighted by in a figure (its denominator).
    pub base: &'static str,
}

#[derive(Serialize)]
pub struct Model {
    pub id: &'static str,
    pub name: String,
    pub colour: String,
}

/// One row of a layer: a unit or a district.
#[derive(Serialize, Clone)]
pub struct Row {
    pub code: String,
    pub name: String,
    pub model: String,
    /// The row's district (itself for a district).
    pub district: String,
    /// The row's street code ("" for a district, or a unit without one).
    pub street: String,
}

/// Rows and, per period, per metric, each row's value and weight (null:
/// the row has none, or it does not enter a figure).
#[derive(Serialize, Default)]
pub struct Layer {
    pub rows: Vec<Row>,
    pub values: BTreeMap<String, BTreeMap<&'static str, Vec<Option<f64>>>>,
    pub weights: BTreeMap<String, BTreeMap<&'static str, Vec<Option<f64>>>>,
}

impl Layer {
    /// Sets row `i`'s value and weight of `metric` in `period`.
    fn push(&mut self, period: &str, metric: &'static str, i: usize, v: f64, w: Option<f64>) {
        let n = self.rows.len();
        for (map, x) in [(&mut self.values, Some(round(v))), (&mut self.weights, w)] {
            map.entry(period.to_string())
                .or_default()
                .entry(metric)
                .or_insert_with(|| vec![None; n])[i] = x;
        }
    }
}

/// A between-model test of one metric in one period at one level.
#[derive(Serialize)]
pub struct Test {
    pub level: String,
    /// The sentence the page prints under the boxes.
    pub text: String,
    pub significant: bool,
    /// The test at the level models were assigned at, which a claim rests
    /// on; the units' test is descriptive (units of one county are not
    /// independent draws), as the research report says.
    pub governs: bool,
}

/// A province tile.
#[derive(Serialize)]
pub struct Tile {
    pub code: &'static str,
    pub name: &'static str,
    pub col: u8,
    pub row: u8,
}

/// The boundaries the choropleth is drawn from: a GeoJSON
/// FeatureCollection, projected as the static maps are and scaled to
/// 0..1000 (ECharts draws it with `aspectScale: 1`), each feature's
/// `code` the prefix units are matched by.
#[derive(Serialize)]
pub struct Map {
    pub level: &'static str,
    pub digits: usize,
    pub title: String,
    pub source: String,
    pub geo: serde_json::Value,
    pub names: BTreeMap<String, String>,
    /// The provinces' names over their panels (none for one panel).
    pub labels: Vec<(String, [f64; 2])>,
    /// The layout's width and height (the panels and their names).
    pub extent: [f64; 2],
}

#[derive(Serialize)]
pub struct AlertRow {
    pub kind: &'static str,
    pub code: String,
    pub period: String,
    pub text: String,
}

#[derive(Serialize)]
pub struct Alerts {
    pub kinds: Vec<(&'static str, String)>,
    pub rows: Vec<AlertRow>,
    /// Why alerts are not shown (the page carries no units), if so.
    pub note: Option<String>,
}

/// Everything the page shows, as its script reads it.
#[derive(Serialize)]
pub struct Data {
    pub lang: &'static str,
    pub text: BTreeMap<&'static str, String>,
    pub title: String,
    pub subtitle: String,
    pub simulated: bool,
    pub run: String,
    /// The district of a district's dashboard.
    pub home: Option<Row>,
    pub periods: Vec<String>,
    pub period_names: Vec<String>,
    pub period: String,
    pub metrics: Vec<Metric>,
    pub models: Vec<Model>,
    pub units: Layer,
    pub districts: Layer,
    /// Street code → name, for the street filter.
    pub streets: BTreeMap<String, String>,
    /// How many units the run has, and how many the page keeps.
    pub units_total: usize,
    pub tiles: Vec<Tile>,
    pub tile_note: Option<String>,
    pub map: Option<Map>,
    pub map_note: Option<String>,
    /// metric → period → tests (units, then the assignment level).
    pub tests: BTreeMap<String, BTreeMap<String, Vec<Test>>>,
    pub alerts: Alerts,
    /// When each model's units lie in one province: models and provinces
    /// cannot be told apart (under the tests).
    pub confound: Option<String>,
    pub notes: Vec<String>,
}

/// `v` to [`DIGITS`] significant digits (the page's JSON stays small).
fn round(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(DIGITS - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Share => "share",
        Kind::PerThousand => "per",
        _ => "score",
    }
}

pub fn metrics(lang: Lang) -> Vec<Metric> {
    METRICS
        .iter()
        .map(|&(id, up)| Metric {
            id,
            name: metric_name(lang, id),
            kind: kind_name(format::metric_kind(id)),
            better: if up { 1 } else { -1 },
            base: match (counts::weight_of(id, ""), lang) {
                (Weight::Received, Lang::Zh) => "受理数",
                (Weight::Received, Lang::En) => "disputes received",
                (Weight::Visits, Lang::Zh) => "服务人次",
                (Weight::Visits, Lang::En) => "visits",
                (_, Lang::Zh) => "常住人口",
                (_, Lang::En) => "residents",
            },
        })
        .collect()
}

fn metric_name(lang: Lang, id: &str) -> String {
    match (id, lang) {
        ("score", Lang::Zh) => "治理效能指数".into(),
        ("score", Lang::En) => "Effectiveness index".into(),
        _ => {
            let n = labels::metric(lang, id, "");
            let mut c = n.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => n,
            }
        }
    }
}

pub fn models(lang: Lang) -> Vec<Model> {
    MODELS
        .iter()
        .map(|&id| {
            let c = super::super::charts::model_colour(id);
            Model {
                id,
                name: labels::model(lang, id),
                colour: format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2),
            }
        })
        .collect()
}

/// The run's units, as the page's rows.
pub struct Units {
    pub rows: Vec<Row>,
    pub district_names: BTreeMap<String, String>,
    pub street_names: BTreeMap<String, String>,
}

impl Units {
    pub fn read(dir: &Path) -> Result<Units, RenderError> {
        let ut = table(dir, "units")?;
        let n = ut.height();
        // Runs made before the street columns: every unit its own street.
        let or_blank = |c: &str| crate::runs::strs_or_blank(&ut, c);
        let (code, name, model) = (
            strs(&ut, "region_code"),
            strs(&ut, "region_name"),
            strs(&ut, "governance_model"),
        );
        let (district, dname) = (or_blank("district"), or_blank("district_name"));
        let (street, sname) = (or_blank("street"), or_blank("street_name"));
        let mut district_names = BTreeMap::new();
        let mut street_names = BTreeMap::new();
        let rows = (0..n)
            .map(|i| {
                if !district[i].is_empty() {
                    district_names
                        .entry(district[i].clone())
                        .or_insert_with(|| dname[i].clone());
                }
                if !street[i].is_empty() {
                    street_names
                        .entry(street[i].clone())
                        .or_insert_with(|| sname[i].clone());
                }
                Row {
                    code: code[i].clone(),
                    name: name[i].clone(),
                    model: model[i].clone(),
                    district: district[i].clone(),
                    street: street[i].clone(),
                }
            })
            .collect();
        Ok(Units {
            rows,
            district_names,
            street_names,
        })
    }

    /// Each district's model: the one most of its units follow (as the
    /// district report says it).
    pub fn district_models(&self) -> BTreeMap<String, String> {
        super::super::district::majority_models(
            self.rows
                .iter()
                .map(|r| (r.district.as_str(), r.model.as_str())),
        )
    }
}

/// The periods of the run, in order.
pub fn periods(dir: &Path) -> Result<Vec<String>, RenderError> {
    let df = query(dir, "unit_metrics", |lf| {
        lf.select([col("period")])
            .unique(None, UniqueKeepStrategy::Any)
    })?;
    let mut ps = strs(&df, "period");
    ps.sort();
    Ok(ps)
}

/// Fills the unit layer (units `kept`, by their index in `units`) and the
/// district layer (every district) for every period: read one period at
/// a time (a national run's unit metrics do not fit in memory as text).
pub fn layers(
    dir: &Path,
    units: &Units,
    kept: &[usize],
    periods: &[String],
) -> Result<(Layer, Layer), RenderError> {
    let models = units.district_models();
    let mut ul = Layer {
        rows: kept.iter().map(|&i| units.rows[i].clone()).collect(),
        ..Default::default()
    };
    let mut dl = Layer {
        rows: units
            .district_names
            .iter()
            .map(|(d, n)| Row {
                code: d.clone(),
                name: if n.is_empty() { d.clone() } else { n.clone() },
                model: models.get(d).cloned().unwrap_or_default(),
                district: d.clone(),
                street: String::new(),
            })
            .collect(),
        ..Default::default()
    };
    let at = Places {
        units,
        unit_at: units
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.as_str(), i))
            .collect(),
        kept_at: kept.iter().enumerate().map(|(k, &i)| (i, k)).collect(),
        district_at: dl
            .rows
            .iter()
            .enumerate()
            .map(|(k, r)| (r.code.clone(), k))
            .collect(),
    };
    let wanted = Series::new(
        "m".into(),
        METRICS[1..].iter().map(|(m, _)| *m).collect::<Vec<_>>(),
    );
    // Every period in one read when the page keeps every unit (a run small
    // enough); else one period at a time (a national run's metrics do not
    // fit in memory as text).
    let chunks: Vec<&[String]> = if kept.len() == units.rows.len() {
        vec![periods]
    } else {
        periods.chunks(1).collect()
    };
    for chunk in chunks {
        let wanted_p = Series::new("p".into(), chunk.to_vec());
        let um = query(dir, "unit_metrics", |lf| {
            lf.filter(
                col("period")
                    .is_in(lit(wanted_p.clone()).implode(false), false)
                    .and(col("metric").is_in(lit(wanted.clone()).implode(false), false))
                    .and(col("breakdown").fill_null(lit("")).eq(lit(""))),
            )
            .select([
                col("region_code"),
                col("period"),
                col("metric"),
                col("value"),
            ])
        })?;
        let idx = query(dir, "index_scores", |lf| {
            lf.filter(col("period").is_in(lit(wanted_p.clone()).implode(false), false))
                .select([col("region_code"), col("period"), col("score")])
        })?;
        let counts = counts::read(dir, chunk)?;
        let mut by_period: BTreeMap<String, Vec<(String, String, Option<f64>)>> = BTreeMap::new();
        for (((c, p), m), v) in strs(&um, "region_code")
            .into_iter()
            .zip(strs(&um, "period"))
            .zip(strs(&um, "metric"))
            .zip(floats(&um, "value"))
        {
            by_period.entry(p).or_default().push((c, m, v));
        }
        for ((c, p), v) in strs(&idx, "region_code")
            .into_iter()
            .zip(strs(&idx, "period"))
            .zip(floats(&idx, "score"))
        {
            by_period
                .entry(p)
                .or_default()
                .push((c, "score".to_string(), v));
        }
        for p in chunk {
            let rows = by_period.remove(p).unwrap_or_default();
            layer_period(p, &rows, &counts, &at, &mut ul, &mut dl);
        }
    }
    Ok((ul, dl))
}

/// Where a unit's value goes: its index, its row in the unit layer (when
/// kept), its district's row.
struct Places<'a> {
    units: &'a Units,
    unit_at: HashMap<&'a str, usize>,
    kept_at: HashMap<usize, usize>,
    district_at: HashMap<String, usize>,
}

/// One period's rows (code, metric, value) into the unit layer (kept
/// units) and the district layer (every district's weighted figure).
fn layer_period(
    p: &str,
    rows: &[(String, String, Option<f64>)],
    counts: &HashMap<(String, String), counts::UnitCounts>,
    at: &Places,
    ul: &mut Layer,
    dl: &mut Layer,
) {
    let Places {
        units,
        unit_at,
        kept_at,
        district_at,
    } = at;
    // The districts' weighted sums, in the units' order.
    let mut sums: BTreeMap<(usize, &'static str), (f64, f64)> = BTreeMap::new();
    let mut seen: Vec<(usize, &'static str, f64, Option<f64>)> = Vec::new();
    for (code, m, v) in rows {
        let Some(v) = v.filter(|v| v.is_finite()) else {
            continue;
        };
        let Some(&i) = unit_at.get(code.as_str()) else {
            continue;
        };
        let Some(&(id, _)) = METRICS.iter().find(|(id, _)| id == m) else {
            continue;
        };
        let w = counts::weight_of(id, "");
        debug_assert!(w != Weight::Sum);
        // A value without a weight is ranked and boxed, but enters no
        // figure (as in the reports).
        let k = counts
            .get(&(code.clone(), p.to_string()))
            .and_then(|c| c.weight(w));
        seen.push((i, id, v, k));
    }
    seen.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    for (i, id, v, k) in seen {
        if let Some(&u) = kept_at.get(&i) {
            ul.push(p, id, u, v, k);
        }
        let (Some(k), Some(&d)) = (k, district_at.get(units.rows[i].district.as_str())) else {
            continue;
        };
        let e = sums.entry((d, id)).or_default();
        e.0 += k * v;
        e.1 += k;
    }
    for ((d, id), (s, n)) in sums {
        if n > 0.0 {
            dl.push(p, id, d, s / n, Some(n));
        }
    }
}

/// The between-model tests of the dashboard's metrics, as sentences.
pub fn tests(
    dir: &Path,
    lang: Lang,
) -> Result<BTreeMap<String, BTreeMap<String, Vec<Test>>>, RenderError> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<Test>>> = BTreeMap::new();
    if !dir.join("tables/model_tests.parquet").is_file() {
        return Ok(out);
    }
    let t = table(dir, "model_tests")?;
    let (p, m, b, lv) = (
        strs(&t, "period"),
        strs(&t, "metric"),
        strs(&t, "breakdown"),
        strs(&t, "level"),
    );
    let (h, n, padj, adj) = (
        floats(&t, "h"),
        floats(&t, "n"),
        floats(&t, "p_adjusted"),
        strs(&t, "p_adjust"),
    );
    let mut order: Vec<usize> = (0..t.height()).collect();
    // The level models were assigned at first, then the units.
    order.sort_by_key(|&i| (p[i].clone(), m[i].clone(), lv[i] == "unit"));
    for i in order {
        if !b[i].is_empty() || !METRICS.iter().any(|(id, _)| *id == m[i]) {
            continue;
        }
        let (Some(h), Some(pa)) = (h[i], padj[i]) else {
            continue;
        };
        let count = n[i].unwrap_or(0.0) as usize;
        let corrected = if adj[i].is_empty() {
            "Holm".to_string()
        } else {
            capital(&adj[i])
        };
        let on = match (lv[i].as_str(), lang) {
            ("unit", Lang::Zh) => {
                format!("按 {count} 个单位（同一区县的单位并非相互独立，仅作描述）")
            }
            ("unit", Lang::En) => format!(
                "On {count} units (units of one county are not independent: descriptive only)"
            ),
            (l, Lang::Zh) => format!("按 {count} 个{}均值", level_zh(l)),
            (l, Lang::En) => format!("On the means of {count} {l} groups"),
        };
        let text = match lang {
            Lang::Zh => format!(
                "{on}：Kruskal–Wallis H = {}，{corrected} 校正 {}",
                format::text(Some(h), Kind::Statistic, lang),
                format::p_clause(pa)
            ),
            Lang::En => format!(
                "{on}: Kruskal–Wallis H = {}, {corrected}-corrected {}",
                format::text(Some(h), Kind::Statistic, lang),
                format::p_clause(pa)
            ),
        };
        out.entry(m[i].clone())
            .or_default()
            .entry(p[i].clone())
            .or_default()
            .push(Test {
                level: lv[i].clone(),
                text,
                significant: pa < 0.05,
                governs: lv[i] != "unit",
            });
    }
    Ok(out)
}

fn capital(s: &str) -> String {
    match s {
        "holm" => "Holm".into(),
        "bonferroni" => "Bonferroni".into(),
        "bh" | "BH" => "BH".into(),
        other => other.to_string(),
    }
}

fn level_zh(l: &str) -> &'static str {
    match l {
        "province" => "省",
        "prefecture" => "地市",
        "county" => "区县",
        "street" => "街道",
        _ => "组",
    }
}

/// The province tiles the data covers (the research report's rule,
/// [`maps::covered_provinces`]), or the reason there are none.
pub fn tiles(
    dir: &Path,
    config: &crate::config::Config,
    period: &str,
    lang: Lang,
) -> Result<(Vec<Tile>, Option<String>), RenderError> {
    let data = UnitData::read(dir, period)?;
    let covered = maps::covered_provinces(&data, config.reference_codes.as_deref());
    let tiles: Vec<Tile> = tiles::TILES
        .iter()
        .filter(|t| covered.contains(t.0))
        .map(|&(code, zh, en, col, row)| Tile {
            code,
            name: if lang == Lang::Zh { zh } else { en },
            col,
            row,
        })
        .collect();
    let note = tiles.is_empty().then(|| match lang {
        Lang::Zh => "数据只覆盖各省的少数区县，省级方块图不能代表全省，未绘制。".to_string(),
        Lang::En => "The data covers few counties of each province: a province's tile would stand for counties it does not describe, so there is no province map.".to_string(),
    });
    Ok((tiles, note))
}

/// Distance below which a ring's next point is dropped (of the map's
/// 1000 units): the page's map is a screen wide, not a print.
const KEEP: f64 = 0.8;

/// The boundaries the dashboard's choropleth draws: the county file for
/// the run (the finest coarser than the units when there is none), the
/// street file holding the district for a district's page; the reason
/// when there are none or none of their regions has a unit of the run.
pub fn map(
    config: &crate::config::Config,
    units: &Units,
    district: Option<&str>,
    lang: Lang,
) -> Result<(Option<Map>, Option<String>), RenderError> {
    let Some(b) = &config.render.boundaries else {
        return Ok((
            None,
            Some(match lang {
                Lang::Zh => "配置未提供边界数据（[render] boundaries），没有分区地图。".into(),
                Lang::En => {
                    "The config supplies no boundaries ([render] boundaries): no choropleth.".into()
                }
            }),
        ));
    };
    let codes: Vec<String> = units.rows.iter().map(|r| r.code.clone()).collect();
    let unit_level = maps::values::unit_level(&codes);
    let (files, _) = maps::read_boundaries(config, unit_level, lang)?;
    let with_units = |bf: &geo::Boundaries| {
        bf.regions
            .iter()
            .filter(|r| codes.iter().any(|c| c.starts_with(&r.prefix)))
            .count()
    };
    let pick = match district {
        Some(d) => files
            .iter()
            .filter(|f| f.level >= geo::Level::Street)
            .find(|f| f.regions.iter().any(|r| r.prefix.starts_with(d))),
        None => files
            .iter()
            .find(|f| f.level == geo::Level::County)
            .or_else(|| files.iter().max_by_key(|f| with_units(f))),
    };
    let Some(bf) = pick else {
        return Ok((
            None,
            Some(match (lang, district) {
                (Lang::Zh, Some(_)) => "边界数据中没有本区县的街道，没有分区地图。".into(),
                (Lang::En, Some(_)) => {
                    "The boundaries have no streets of this district: no choropleth.".into()
                }
                (Lang::Zh, None) => "边界数据的层级细于本次运行的单位，没有分区地图。".into(),
                (Lang::En, None) => {
                    "The boundaries are finer than the run's units: no choropleth.".into()
                }
            }),
        ));
    };
    let regions: Vec<&geo::Region> = bf
        .regions
        .iter()
        .filter(|r| district.is_none_or(|d| r.prefix.starts_with(d)))
        .collect();
    if !regions
        .iter()
        .any(|r| codes.iter().any(|c| c.starts_with(&r.prefix)))
    {
        return Ok((
            None,
            Some(match lang {
                Lang::Zh => format!("边界文件 {} 的区划代码与本次运行的单位都对不上，没有分区地图。", bf.path),
                Lang::En => format!("No region of the boundaries {} has a unit of this run (their codes do not match): no choropleth.", bf.path),
            }),
        ));
    }
    // Regions of several provinces are drawn a panel a province (as the
    // static maps are): counties far apart would be specks on one map.
    let mut groups: BTreeMap<String, Vec<&geo::Region>> = BTreeMap::new();
    for r in &regions {
        let key = if district.is_some() {
            String::new()
        } else {
            r.prefix[..2.min(r.prefix.len())].to_string()
        };
        groups.entry(key).or_default().push(r);
    }
    let k = groups.len();
    let cols = ((k as f64 * 1.5).sqrt().ceil() as usize).clamp(1, k.max(1));
    let rows = k.div_ceil(cols);
    let (cw, ch) = (1000.0 / cols as f64, 1000.0 * 0.75 / rows as f64);
    let labelled = k > 1;
    let mut names = BTreeMap::new();
    let mut features: Vec<serde_json::Value> = Vec::new();
    let mut labels_at = Vec::new();
    for (g, (province, rs)) in groups.iter().enumerate() {
        let (c, r) = (g % cols, g / cols);
        // The panel's box, y up (ECharts draws a map's y as latitude).
        let top = if labelled { 40.0 } else { 0.0 };
        let bx = (
            c as f64 * cw + 8.0,
            (rows - 1 - r) as f64 * ch + 8.0,
            cw - 16.0,
            ch - 16.0 - top,
        );
        for (prefix, polys) in panel(rs, b.crs, bx) {
            features.push(serde_json::json!({
                "type": "Feature",
                "properties": {"code": prefix},
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            }));
        }
        for r in rs {
            names.insert(r.prefix.clone(), r.name.clone());
        }
        if labelled {
            let name = tiles::TILES
                .iter()
                .find(|t| t.0 == province)
                .map(|t| if lang == Lang::Zh { t.1 } else { t.2 }.to_string())
                .unwrap_or_else(|| province.clone());
            labels_at.push((name, [bx.0 + bx.2 / 2.0, bx.1 + bx.3 + top / 2.0]));
        }
    }
    let title = match (lang, bf.level) {
        (Lang::Zh, geo::Level::County) => "按区县".to_string(),
        (Lang::Zh, geo::Level::Street) => "按街道乡镇".to_string(),
        (Lang::Zh, geo::Level::Community) => "按社区村".to_string(),
        (Lang::Zh, _) => "按地区".to_string(),
        (Lang::En, l) => format!("by {}", l.name()),
    };
    let zh = lang == Lang::Zh;
    let mut source = if zh {
        format!("底图：{}", b.source)
    } else {
        format!("Boundaries: {}", b.source)
    };
    if let Some(sch) = &bf.schematic {
        // As the static maps say it (maps/choropleth.rs).
        source.push_str(&if zh && sch.is_ascii() {
            "；示意边界，非地图。".to_string()
        } else if zh {
            format!("；示意边界，非地图（{sch}）。")
        } else if sch.is_ascii() {
            format!("; {sch}.")
        } else {
            format!("; schematic boundaries, not a map ({sch}).")
        });
    }
    if labelled {
        source.push_str(match lang {
            Lang::Zh => "每个省单独成图，比例尺各不相同。",
            Lang::En => " Each province is drawn on its own, at its own scale.",
        });
    }
    Ok((
        Some(Map {
            level: bf.level.name(),
            digits: bf.level.digits(),
            title,
            source: source.trim().to_string(),
            geo: serde_json::json!({"type": "FeatureCollection", "features": features}),
            names,
            labels: labels_at,
            extent: [1000.0, rows as f64 * ch],
        }),
        None,
    ))
}

/// A GeoJSON MultiPolygon's coordinates: polygons of rings of points.
type MultiPolygon = Vec<Vec<Vec<[f64; 2]>>>;

/// `regions` projected for their own extent (Albers, or lon/lat for a
/// city, as the static maps) and fitted into `bx` = (x, y, w, h), y up,
/// rings thinned to points [`KEEP`] apart: (prefix, polygons).
fn panel(
    regions: &[&geo::Region],
    crs: crate::config::BoundaryCrs,
    bx: (f64, f64, f64, f64),
) -> Vec<(String, MultiPolygon)> {
    let wgs = |x: f64, y: f64| maps::project::to_wgs(crs, x, y);
    let points = || {
        regions
            .iter()
            .flat_map(|r| r.polygons.iter().flatten().flatten())
    };
    let projection = maps::project::Projection::for_extent(maps::choropleth::bounds(
        points().map(|&(x, y)| wgs(x, y)),
    ));
    let plane = |x: f64, y: f64| {
        let (x, y) = wgs(x, y);
        projection.project(x, y)
    };
    let (x0, y0, x1, y1) = maps::choropleth::bounds(points().map(|&(x, y)| plane(x, y)));
    let s = (bx.2 / (x1 - x0)).min(bx.3 / (y1 - y0));
    let s = if s.is_finite() && s > 0.0 { s } else { 1.0 };
    // Centred in the box.
    let (ox, oy) = (
        bx.0 + (bx.2 - (x1 - x0) * s) / 2.0,
        bx.1 + (bx.3 - (y1 - y0) * s) / 2.0,
    );
    let to = |x: f64, y: f64| {
        let (x, y) = plane(x, y);
        let r = |v: f64| (v * 100.0).round() / 100.0;
        (r(ox + (x - x0) * s), r(oy + (y - y0) * s))
    };
    let ring = |r: &geo::Ring| -> Vec<[f64; 2]> {
        let mut out: Vec<[f64; 2]> = Vec::new();
        for (i, &(x, y)) in r.iter().enumerate() {
            let (px, py) = to(x, y);
            let last = i + 1 == r.len();
            if let Some(prev) = out.last() {
                if !last && (prev[0] - px).hypot(prev[1] - py) < KEEP {
                    continue;
                }
            }
            out.push([px, py]);
        }
        out
    };
    regions
        .iter()
        .map(|r| {
            let polys = r
                .polygons
                .iter()
                .map(|p| {
                    p.iter()
                        .map(&ring)
                        .filter(|x| x.len() >= 4)
                        .collect::<Vec<_>>()
                })
                .filter(|p: &Vec<Vec<[f64; 2]>>| !p.is_empty())
                .collect();
            (r.prefix.clone(), polys)
        })
        .collect()
}

/// Which units a page keeps one by one: all when the run has at most
/// `max`; else a district's own (none for the run's page).
pub fn kept(units: &Units, district: Option<&str>, max: usize) -> Vec<usize> {
    let all = units.rows.len() <= max;
    (0..units.rows.len())
        .filter(|&i| all || district.is_some_and(|d| units.rows[i].district == d))
        .collect()
}

/// The districts whose alerts the page lists: those of the units it keeps.
pub fn alert_districts(units: &Units, kept: &[usize]) -> BTreeSet<String> {
    kept.iter()
        .map(|&i| units.rows[i].district.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_seven_significant_digits() {
        assert_eq!(round(0.123456789), 0.1234568);
        assert_eq!(round(1234.56789), 1234.568);
        assert_eq!(round(0.0), 0.0);
        assert_eq!(round(-52.3456789), -52.34568);
    }
}
