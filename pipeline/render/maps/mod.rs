//! Maps for comparing regions (docs/maps.md).
//!
//! govlens ships no boundaries — China's published maps need an approval
//! number (审图号) and may not be simplified or re-projected without review
//! — so it draws two kinds of map:
//!
//! - a **province tile grid** ([`tiles`]) that needs no boundary data, the
//!   run's units aggregated to provinces;
//! - **choropleths** from the GeoJSON a user supplies (`[render]
//!   boundaries`), keyed by GB/T 2260 codes, read and checked by [`geo`],
//!   projected by [`project`], with the source and approval number the user
//!   gives printed under every map.
//!
//! Each shows the index, the governance model, the resolution rate, the
//! cadre share_old and the change in the resolution rate on the previous
//! period ([`values::Measure`]). A picture is built once ([`draw::Picture`])
//! and written as SVG and, rasterised from that SVG, PNG.

pub mod choropleth;
pub mod draw;
pub mod geo;
pub mod project;
pub mod tile_map;
pub mod tiles;
pub mod values;

pub(crate) use choropleth::text_width;
pub use choropleth::{choropleth, Source};
pub use tile_map::tile_picture;

use std::collections::BTreeMap;
use std::path::Path;

use draw::{Fill, Legend, Picture, Rgb};
use geo::{Boundaries, Level};
use values::{Measure, UnitData};

use super::format::{self, Kind};
use super::labels::{self, label, Lang};
use super::RenderError;

/// A map drawn: its chart name and caption.
#[derive(Debug, Clone)]
pub struct MapFigure {
    pub chart: String,
    pub caption: String,
}

/// The page: size, and the box the map itself takes.
pub(crate) const WIDTH: f64 = 1000.0;
pub(crate) const LEGEND: f64 = 180.0;
pub(crate) const TOP: f64 = 52.0;

pub(crate) fn rgb(c: plotters::style::RGBColor) -> Rgb {
    (c.0, c.1, c.2)
}

pub(crate) fn model_colour(m: &str) -> Rgb {
    rgb(super::charts::model_colour(m))
}

pub(crate) fn measure_title(lang: Lang, m: Measure) -> String {
    match m {
        Measure::Index => label(lang, "map_index").to_string(),
        Measure::Model => label(lang, "map_model").to_string(),
        Measure::Resolution => capitalised(labels::metric(lang, "resolution_rate", "")),
        Measure::ShareOld => capitalised(labels::metric(lang, "share_old", "cadre")),
        Measure::ResolutionChange => label(lang, "map_resolution_change").to_string(),
    }
}

/// A title starts with a capital (the English metric names are lower case).
fn capitalised(s: String) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// Colours for the numbers of `m` over `values`, and its legend.
pub(crate) fn scale(m: Measure, values: &[f64], lang: Lang) -> (Box<dyn Fn(f64) -> Rgb>, Legend) {
    let kind = m.kind().unwrap_or(Kind::Decimal);
    let shown = move |v: f64| format::text(Some(v), kind, lang);
    if m == Measure::ResolutionChange {
        let top = values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let top = if top > 0.0 { top } else { 1.0 };
        let ticks = [-1.0, -0.5, 0.0, 0.5, 1.0]
            .iter()
            .map(|f| ((f + 1.0) / 2.0, shown(f * top)))
            .collect();
        return (
            Box::new(move |v| draw::ramp(&draw::DIVERGING, (v / top + 1.0) / 2.0)),
            Legend::Ramp {
                stops: draw::DIVERGING.to_vec(),
                ticks,
            },
        );
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let span = hi - lo;
    let ticks = (0..5)
        .map(|i| {
            let t = i as f64 / 4.0;
            (t, shown(lo + t * span))
        })
        .collect();
    (
        Box::new(move |v| {
            draw::ramp(
                &draw::SEQUENTIAL,
                if span > 0.0 { (v - lo) / span } else { 0.5 },
            )
        }),
        Legend::Ramp {
            stops: draw::SEQUENTIAL.to_vec(),
            ticks,
        },
    )
}

pub(crate) fn models_legend(present: &[String], lang: Lang) -> Legend {
    Legend::Categories(
        ["sinking", "collaborative", "embedded", "integrated", "none"]
            .iter()
            .filter(|m| present.iter().any(|p| p == *m))
            .map(|m| (labels::model(lang, m), model_colour(m)))
            .collect(),
    )
}

/// What each region shows: its value (or model) by prefix.
pub(crate) enum Shown {
    Numbers(BTreeMap<String, (f64, usize)>),
    Models(BTreeMap<String, String>),
}

pub(crate) fn shown(data: &UnitData, m: Measure, digits: usize) -> Shown {
    match m {
        Measure::Model => Shown::Models(data.model_by_region(digits)),
        _ => Shown::Numbers(data.by_region(m, digits)),
    }
}

/// A region's fill, value and tooltip text for `s`.
pub(crate) fn paint(
    s: &Shown,
    prefix: &str,
    colour: &dyn Fn(f64) -> Rgb,
    m: Measure,
    lang: Lang,
) -> (Fill, Option<f64>, String) {
    match s {
        Shown::Numbers(v) => match v.get(prefix) {
            Some((x, _)) => (
                Fill::Colour(colour(*x)),
                Some(*x),
                format::text(Some(*x), m.kind().unwrap_or(Kind::Decimal), lang),
            ),
            None => (Fill::NoData, None, label(lang, "no_data").into()),
        },
        Shown::Models(v) => match v.get(prefix) {
            Some(model) => (
                Fill::Colour(model_colour(model)),
                None,
                labels::model(lang, model),
            ),
            None => (Fill::NoData, None, label(lang, "no_data").into()),
        },
    }
}

pub(crate) fn colour_and_legend(
    s: &Shown,
    m: Measure,
    lang: Lang,
) -> (Box<dyn Fn(f64) -> Rgb>, Legend) {
    match s {
        Shown::Numbers(v) => {
            let xs: Vec<f64> = v.values().map(|x| x.0).collect();
            scale(m, &xs, lang)
        }
        Shown::Models(v) => {
            let present: Vec<String> = v.values().cloned().collect();
            (Box::new(|_| (0, 0, 0)), models_legend(&present, lang))
        }
    }
}

pub(crate) fn title(lang: Lang, m: Measure, data: &UnitData, by: &str, simulated: bool) -> String {
    let p = labels::period_label(lang, &data.period);
    let t = measure_title(lang, m);
    let change = match (&data.previous, m) {
        (Some(prev), Measure::ResolutionChange) => match lang {
            Lang::Zh => format!("（较{}）", labels::period_label(lang, prev)),
            Lang::En => format!(" (on {prev})"),
        },
        _ => String::new(),
    };
    let t = match lang {
        Lang::Zh => format!("{p}{t}{change}（{by}）"),
        Lang::En => format!("{t}{change} by {by}, {p}"),
    };
    if simulated {
        labels::titled_text(lang, &t)
    } else {
        t
    }
}

/// Text is dark on light fills and white on dark ones.
pub(crate) fn ink((r, g, b): Rgb) -> Rgb {
    let l = 0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64;
    if l < 140.0 {
        (255, 255, 255)
    } else {
        (0x22, 0x22, 0x22)
    }
}

/// Writes `p` as `<dir>/<name>.svg` and `.png`.
pub fn write(dir: &Path, name: &str, p: &Picture) -> Result<(), RenderError> {
    let derr = |message: String| RenderError::Draw {
        chart: name.to_string(),
        message,
    };
    let svg = draw::svg(p);
    let text: String = p
        .shapes
        .iter()
        .map(|s| s.title.as_str())
        .chain(p.labels.iter().map(|l| l.text.as_str()))
        .chain(p.footer.iter().map(String::as_str))
        .chain(std::iter::once(p.title.as_str()))
        .collect();
    super::font::check_glyphs(&text, &format!("map {name}"))?;
    let (font, _) = super::font::current();
    let png = draw::png(&svg, font).map_err(derr)?;
    crate::warehouse::write_text(&dir.join(format!("{name}.svg")), &svg)?;
    crate::warehouse::write_bytes(&dir.join(format!("{name}.png")), &png)?;
    Ok(())
}

/// The provinces whose data covers at least half of their county-level
/// regions (of the reference codes; without them, the provinces whose every
/// unit's district is known are not judged and none is covered). A province
/// tile coloured from one county would stand for a province it does not
/// describe.
pub fn covered_provinces(
    data: &UnitData,
    reference: Option<&Path>,
) -> std::collections::BTreeSet<String> {
    let mut counties: BTreeMap<String, usize> = BTreeMap::new();
    if let Some(text) = reference.and_then(|p| std::fs::read_to_string(p).ok()) {
        for line in text.lines().skip(1) {
            let mut f = line.split(',');
            if let (Some(code), Some(_), Some("county")) = (f.next(), f.next(), f.next()) {
                if let Some(p) = code.get(..2) {
                    *counties.entry(p.to_string()).or_default() += 1;
                }
            }
        }
    }
    let mut with_data: BTreeMap<String, usize> = BTreeMap::new();
    for d in data.districts.keys() {
        if let Some(p) = d.get(..2) {
            *with_data.entry(p.to_string()).or_default() += 1;
        }
    }
    with_data
        .into_iter()
        .filter(|(p, n)| counties.get(p).is_some_and(|all| 2 * n >= *all))
        .map(|(p, _)| p)
        .collect()
}

/// The research report's maps into `out`: the province tiles of every
/// measure (only where the data covers a province: else a note says why
/// there are none), then every measure over each boundary file. Boundaries
/// that cannot be used stop the render with a message naming the file.
pub fn research(
    dir: &Path,
    out: &Path,
    config: &crate::config::Config,
    files: &[Boundaries],
    lang: Lang,
    simulated: bool,
    period: &str,
) -> Result<(Vec<MapFigure>, Option<String>), RenderError> {
    let data = UnitData::read(dir, period)?;
    let covered = covered_provinces(&data, config.reference_codes.as_deref());
    let mut figures = Vec::new();
    let note = covered.is_empty().then(|| match lang {
        Lang::Zh => "数据只覆盖各省的少数区县，省级方块图不能代表全省，未绘制；各区县见按区县地图。".to_string(),
        Lang::En => "The data covers few counties of each province, so no province tile map is drawn: a province's colour would stand for counties it does not describe; see the county maps.".to_string(),
    });
    for m in Measure::ALL {
        if covered.is_empty() {
            break;
        }
        if m == Measure::ResolutionChange && data.previous.is_none() {
            continue;
        }
        let p = tile_picture(&data, m, lang, simulated, &covered);
        let chart = format!("map_provinces_{}", m.key());
        write(out, &chart, &p)?;
        figures.push(MapFigure {
            chart,
            caption: p.title.clone(),
        });
    }
    let b = config.render.boundaries.as_ref();
    for (i, bf) in files.iter().enumerate() {
        let source = Source {
            text: &b.expect("files come from the config").source,
            crs: b.expect("files").crs,
        };
        for m in Measure::ALL {
            if m == Measure::ResolutionChange && data.previous.is_none() {
                continue;
            }
            let p = choropleth(bf, None, &data, m, &source, lang, simulated);
            let same_level = files.iter().filter(|f| f.level == bf.level).count() > 1;
            let chart = if same_level {
                format!("map_{}{}_{}", bf.level.name(), i + 1, m.key())
            } else {
                format!("map_{}_{}", bf.level.name(), m.key())
            };
            write(out, &chart, &p)?;
            figures.push(MapFigure {
                chart,
                caption: p.title.clone(),
            });
        }
    }
    Ok((figures, note))
}

/// Every boundary file of the config, read and checked, with a note for
/// each file finer than the run's units (of `units` level), which is left
/// out: a street has no data of its own when the
/// units are counties, and a config written for community runs should still
/// render a county run. Read before any chart is drawn, so that a bad file
/// stops the render at once.
pub fn read_boundaries(
    config: &crate::config::Config,
    units: Level,
    lang: Lang,
) -> Result<(Vec<Boundaries>, Vec<String>), RenderError> {
    let Some(b) = &config.render.boundaries else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for f in &b.files {
        let bf = geo::read(f, &b.code, &b.name, b.max_bytes)?;
        if bf.level > units {
            notes.push(match lang {
                Lang::Zh => format!(
                    "底图 {} 为{}级，细于本次运行的分析单位（{}），未绘制。",
                    bf.path,
                    level_zh(bf.level),
                    level_zh(units)
                ),
                Lang::En => format!(
                    "The boundaries {} are of {} level, finer than the run's units ({}): not drawn.",
                    bf.path,
                    bf.level.name(),
                    units.name()
                ),
            });
            continue;
        }
        out.push(bf);
    }
    Ok((out, notes))
}

fn level_zh(l: Level) -> &'static str {
    match l {
        Level::Province => "省",
        Level::Prefecture => "地市",
        Level::County => "区县",
        Level::Street => "街道乡镇",
        Level::Community => "社区村",
    }
}

/// The district report's maps: its figures, and a sentence in place of a
/// map whose regions would all share one colour.
pub struct DistrictMaps {
    pub figures: Vec<MapFigure>,
    pub sentences: Vec<String>,
}

/// The district report's maps into `out`: each measure over the streets
/// (or communities) of `district` in each boundary file of that level that
/// has them; none without such boundaries. The cadre share of the old is
/// not mapped here: by street it is the age table's number, which the
/// report withholds where it is small ([`super::disclosure`]).
pub fn district(
    dir: &Path,
    out: &Path,
    config: &crate::config::Config,
    district: &str,
    period: &str,
    lang: Lang,
    simulated: bool,
) -> Result<DistrictMaps, RenderError> {
    let mut maps = DistrictMaps {
        figures: Vec::new(),
        sentences: Vec::new(),
    };
    let Some(b) = &config.render.boundaries else {
        return Ok(maps);
    };
    let data = UnitData::read(dir, period)?;
    let (files, _) = read_boundaries(config, data.unit_level(), lang)?;
    let source = Source {
        text: &b.source,
        crs: b.crs,
    };
    for bf in files.iter().filter(|f| {
        f.level >= Level::Street && f.regions.iter().any(|r| r.prefix.starts_with(district))
    }) {
        let digits = bf.level.digits();
        for m in Measure::ALL {
            if m == Measure::ShareOld || (m == Measure::ResolutionChange && data.previous.is_none())
            {
                continue;
            }
            // One class for every region: a sentence says it.
            if let Some(one) = single_class(&data, m, digits, district, lang) {
                maps.sentences.push(one);
                continue;
            }
            let p = choropleth(bf, Some(district), &data, m, &source, lang, simulated);
            let chart = format!("map_{}_{}", bf.level.name(), m.key());
            write(out, &chart, &p)?;
            maps.figures.push(MapFigure {
                chart,
                caption: p.title.clone(),
            });
        }
    }
    Ok(maps)
}

/// When every region of `district` shows the same model, the sentence that
/// replaces its map.
fn single_class(
    data: &UnitData,
    m: Measure,
    digits: usize,
    district: &str,
    lang: Lang,
) -> Option<String> {
    if m != Measure::Model {
        return None;
    }
    let models: std::collections::BTreeSet<String> = data
        .model_by_region(digits)
        .into_iter()
        .filter(|(k, _)| k.starts_with(district))
        .map(|(_, v)| v)
        .collect();
    if models.len() != 1 {
        return None;
    }
    let only = models.into_iter().next()?;
    let name = super::labels::model(lang, &only);
    Some(match (lang, only.as_str()) {
        (Lang::Zh, "none") => "本区县各乡镇街道均未采用四种模式之一，不另附模式地图。".to_string(),
        (Lang::En, "none") => {
            "No street of the district follows one of the four models; no model map is drawn."
                .to_string()
        }
        (Lang::Zh, _) => format!("本区县各乡镇街道的治理模式均为{name}，不另附模式地图。"),
        (Lang::En, _) => {
            format!("Every street of the district follows the {name} model; no model map is drawn.")
        }
    })
}
