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

pub mod draw;
pub mod geo;
pub mod project;
pub mod tiles;
pub mod values;

use std::collections::BTreeMap;
use std::path::Path;

use draw::{Fill, Label, Legend, Picture, Rgb, Shape};
use geo::{Boundaries, Level};
use values::{Measure, UnitData};

use super::format::{self, Kind};
use super::labels::{self, label, Lang};
use super::RenderError;
use crate::config::BoundaryCrs;

/// A map drawn: its chart name and caption.
#[derive(Debug, Clone)]
pub struct MapFigure {
    pub chart: String,
    pub caption: String,
}

/// The page: size, and the box the map itself takes.
const WIDTH: f64 = 1000.0;
const LEGEND: f64 = 180.0;
const TOP: f64 = 52.0;
/// Streets of at most this many districts are drawn a panel a district.
const MAX_PANELS: usize = 12;
/// Maps of at most this many regions name each region.
const NAMED: usize = 30;

fn rgb(c: plotters::style::RGBColor) -> Rgb {
    (c.0, c.1, c.2)
}

fn model_colour(m: &str) -> Rgb {
    rgb(super::charts::model_colour(m))
}

fn measure_title(lang: Lang, m: Measure) -> String {
    match m {
        Measure::Index => label(lang, "map_index").to_string(),
        Measure::Model => label(lang, "map_model").to_string(),
        Measure::Resolution => labels::metric(lang, "resolution_rate", ""),
        Measure::ShareOld => labels::metric(lang, "share_old", "cadre"),
        Measure::ResolutionChange => label(lang, "map_resolution_change").to_string(),
    }
}

/// Colours for the numbers of `m` over `values`, and its legend.
fn scale(m: Measure, values: &[f64], lang: Lang) -> (Box<dyn Fn(f64) -> Rgb>, Legend) {
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

fn models_legend(present: &[String], lang: Lang) -> Legend {
    Legend::Categories(
        ["sinking", "collaborative", "embedded", "integrated", "none"]
            .iter()
            .filter(|m| present.iter().any(|p| p == *m))
            .map(|m| (labels::model(lang, m), model_colour(m)))
            .collect(),
    )
}

/// What each region shows: its value (or model) by prefix.
enum Shown {
    Numbers(BTreeMap<String, (f64, usize)>),
    Models(BTreeMap<String, String>),
}

fn shown(data: &UnitData, m: Measure, digits: usize) -> Shown {
    match m {
        Measure::Model => Shown::Models(data.model_by_region(digits)),
        _ => Shown::Numbers(data.by_region(m, digits)),
    }
}

/// A region's fill, value and tooltip text for `s`.
fn paint(
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

fn colour_and_legend(s: &Shown, m: Measure, lang: Lang) -> (Box<dyn Fn(f64) -> Rgb>, Legend) {
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

fn title(lang: Lang, m: Measure, data: &UnitData, by: &str, simulated: bool) -> String {
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
fn ink((r, g, b): Rgb) -> Rgb {
    let l = 0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64;
    if l < 140.0 {
        (255, 255, 255)
    } else {
        (0x22, 0x22, 0x22)
    }
}

/// The province tile map of `m`.
pub fn tile_picture(data: &UnitData, m: Measure, lang: Lang, simulated: bool) -> Picture {
    let s = shown(data, m, 2);
    let (colour, legend) = colour_and_legend(&s, m, lang);
    let footer = vec![
        label(lang, "tiles_note").to_string(),
        label(lang, "tiles_weighted").to_string(),
    ];
    let height = 820.0;
    let map_h = height - TOP - draw::footer_height(footer.len());
    let map_w = WIDTH - LEGEND - 32.0;
    let side = (map_w / tiles::GRID.0 as f64).min(map_h / tiles::GRID.1 as f64);
    let left = 16.0 + (map_w - side * tiles::GRID.0 as f64) / 2.0;
    let mut shapes = Vec::new();
    let mut texts = Vec::new();
    for (code, zh, en, c, r) in tiles::TILES {
        let (x, y) = (left + side * c as f64 + 2.0, TOP + side * r as f64 + 2.0);
        let w = side - 4.0;
        let (fill, value, text) = paint(&s, code, &*colour, m, lang);
        let name = if lang == Lang::Zh { zh } else { en };
        let ink = match &fill {
            Fill::Colour(c) => ink(*c),
            Fill::NoData => (0x55, 0x55, 0x55),
        };
        shapes.push(Shape {
            id: format!("{code}0000"),
            title: format!("{name}: {text}"),
            d: format!("M{x:.1} {y:.1}h{w:.1}v{w:.1}h-{w:.1}Z"),
            fill,
            value,
        });
        texts.push(Label {
            x: x + w / 2.0,
            y: y + 18.0,
            text: labels::short(name, 12),
            size: if lang == Lang::Zh { 13.0 } else { 12.0 },
            anchor: "middle",
            colour: ink,
        });
        texts.push(Label {
            x: x + w / 2.0,
            y: y + w / 2.0 + 12.0,
            text: labels::short(&text, 10),
            size: if m == Measure::Model { 13.0 } else { 15.0 },
            anchor: "middle",
            colour: ink,
        });
    }
    Picture {
        width: WIDTH,
        height,
        title: title(lang, m, data, label(lang, "by_province"), simulated),
        shapes,
        lines: Vec::new(),
        labels: texts,
        legend,
        footer,
        name: format!("tiles-{}", m.key()),
    }
}

/// A ring's area (shoelace, in its own units): the largest polygon of a
/// region carries its name.
fn ring_area(r: &geo::Ring) -> f64 {
    r.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum::<f64>()
        .abs()
        / 2.0
}

/// Path data of polygons projected onto the page.
fn path_of(polygons: &[Vec<geo::Ring>], to_page: &dyn Fn(f64, f64) -> (f64, f64)) -> String {
    let mut d = String::new();
    for poly in polygons {
        for ring in poly {
            for (i, &(x, y)) in ring.iter().enumerate() {
                let (px, py) = to_page(x, y);
                d.push_str(&format!(
                    "{}{px:.1} {py:.1}",
                    if i == 0 { "M" } else { "L" }
                ));
            }
            d.push('Z');
        }
    }
    d
}

/// One panel of a map: its district (when faceted), regions and page box.
type Panel<'a> = (Option<&'a str>, Vec<&'a geo::Region>, (f64, f64, f64, f64));

/// What [`choropleth`] needs besides the boundaries and the data.
pub struct Source<'a> {
    pub text: &'a str,
    pub crs: BoundaryCrs,
}

/// The choropleth of `m` over `b`'s regions — those within `scope` (a
/// district's code) when given — noting the regions of the data (within the
/// scope) that have no boundary.
pub fn choropleth(
    b: &Boundaries,
    scope: Option<&str>,
    data: &UnitData,
    m: Measure,
    source: &Source,
    lang: Lang,
    simulated: bool,
) -> Picture {
    let digits = b.level.digits();
    let within = |code: &str| scope.is_none_or(|d| code.starts_with(d));
    let regions: Vec<&geo::Region> = b.regions.iter().filter(|r| within(&r.prefix)).collect();
    let s = shown(data, m, digits);
    // The colours span the regions drawn (a district's streets, not the
    // country's).
    let drawn_only = match &s {
        Shown::Numbers(v) => Shown::Numbers(
            v.iter()
                .filter(|(k, _)| regions.iter().any(|r| &r.prefix == *k))
                .map(|(k, x)| (k.clone(), *x))
                .collect(),
        ),
        Shown::Models(v) => Shown::Models(
            v.iter()
                .filter(|(k, _)| regions.iter().any(|r| &r.prefix == *k))
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect(),
        ),
    };
    let (colour, legend) = colour_and_legend(&drawn_only, m, lang);
    // The notes under the map.
    let missing = regions
        .iter()
        .filter(|r| matches!(paint(&s, &r.prefix, &*colour, m, lang).0, Fill::NoData))
        .count();
    let drawn: std::collections::BTreeSet<&str> =
        regions.iter().map(|r| r.prefix.as_str()).collect();
    let in_data: Vec<String> = match &s {
        Shown::Numbers(v) => v.keys().cloned().collect(),
        Shown::Models(v) => v.keys().cloned().collect(),
    };
    let unmatched: Vec<&String> = in_data
        .iter()
        .filter(|c| within(c) && !drawn.contains(c.as_str()))
        .collect();
    let zh = lang == Lang::Zh;
    let mut footer = vec![if zh {
        format!("底图：{}", source.text)
    } else {
        format!("Boundaries: {}", source.text)
    }];
    if let Some(sch) = &b.schematic {
        footer.push(if zh {
            format!("示意边界，非地图（{sch}）")
        } else {
            format!("Schematic boundaries, not a map ({sch})")
        });
    }
    let mut how = if b.level < data.unit_level() {
        label(lang, "map_weighted").to_string()
    } else {
        String::new()
    };
    if missing > 0 {
        how.push_str(&if zh {
            format!("{missing} 个区域无数据（斜线）。")
        } else {
            format!("{missing} regions have no data (hatched). ")
        });
    }
    if !unmatched.is_empty() {
        let shown: Vec<&str> = unmatched.iter().take(8).map(|c| c.as_str()).collect();
        how.push_str(&if zh {
            format!(
                "数据中 {} 个区域在底图中没有边界：{}{}。",
                unmatched.len(),
                shown.join("、"),
                if unmatched.len() > 8 { "等" } else { "" }
            )
        } else {
            format!(
                "{} regions of the data have no boundary: {}{}.",
                unmatched.len(),
                shown.join(", "),
                if unmatched.len() > 8 { " …" } else { "" }
            )
        });
    }
    if !how.is_empty() {
        footer.push(how.trim().to_string());
    }
    let height = 720.0;
    let page = (
        16.0,
        TOP,
        WIDTH - LEGEND - 32.0,
        height
            - TOP
            - draw::footer_height(footer.len() + 1)
            - 8.0
            // Room for the names under the lowest regions.
            - if regions.len() <= NAMED { 18.0 } else { 0.0 },
    );
    // Streets or communities of a few districts: one panel a district, each
    // fitted on its own, so that a street is not a dot on a national map.
    let mut by_district: BTreeMap<&str, Vec<&geo::Region>> = BTreeMap::new();
    for r in &regions {
        by_district
            .entry(r.prefix.get(..6).unwrap_or(&r.prefix))
            .or_default()
            .push(r);
    }
    let faceted = b.level >= Level::Street && (2..=MAX_PANELS).contains(&by_district.len());
    let panels: Vec<Panel> = if faceted {
        let k = by_district.len();
        let cols = ((k as f64 * 1.5).sqrt().ceil() as usize).clamp(1, k);
        let rows = k.div_ceil(cols);
        let (pw, ph) = (page.2 / cols as f64, page.3 / rows as f64);
        by_district
            .into_iter()
            .enumerate()
            .map(|(i, (d, rs))| {
                let (c, r) = (i % cols, i / cols);
                let bx = (
                    page.0 + c as f64 * pw + 6.0,
                    page.1 + r as f64 * ph + 22.0,
                    pw - 12.0,
                    ph - 30.0,
                );
                (Some(d), rs, bx)
            })
            .collect()
    } else {
        vec![(None, regions.clone(), page)]
    };
    let wgs = |x: f64, y: f64| project::to_wgs(source.crs, x, y);
    let mut shapes = Vec::new();
    let mut texts = Vec::new();
    let mut lines = Vec::new();
    let mut projections = Vec::new();
    for (district, rs, bx) in &panels {
        let mut bbox = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for ring in rs.iter().flat_map(|r| r.polygons.iter().flatten()) {
            for &(x, y) in ring {
                let (x, y) = wgs(x, y);
                bbox = (bbox.0.min(x), bbox.1.min(y), bbox.2.max(x), bbox.3.max(y));
            }
        }
        let projection = project::Projection::for_extent(bbox);
        let plane = |x: f64, y: f64| {
            let (x, y) = wgs(x, y);
            projection.project(x, y)
        };
        let mut extent = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for ring in rs.iter().flat_map(|r| r.polygons.iter().flatten()) {
            for &(x, y) in ring {
                let (px, py) = plane(x, y);
                extent = (
                    extent.0.min(px),
                    extent.1.min(py),
                    extent.2.max(px),
                    extent.3.max(py),
                );
            }
        }
        let fit = project::Fit::new(extent, *bx);
        let to_page = |x: f64, y: f64| fit.page(plane(x, y));
        if let Some(d) = district {
            texts.push(Label {
                x: bx.0 + bx.2 / 2.0,
                y: bx.1 - 6.0,
                text: data
                    .districts
                    .get(*d)
                    .cloned()
                    .unwrap_or_else(|| d.to_string()),
                size: 14.0,
                anchor: "middle",
                colour: (0x22, 0x22, 0x22),
            });
        }
        for r in rs {
            // Few regions: each named under its largest polygon.
            if regions.len() <= NAMED {
                if let Some(outer) = r
                    .polygons
                    .iter()
                    .filter_map(|p| p.first())
                    .max_by(|a, b| ring_area(a).total_cmp(&ring_area(b)))
                {
                    let pts: Vec<(f64, f64)> = outer.iter().map(|&(x, y)| to_page(x, y)).collect();
                    let (x0, x1, y0, y1) = pts.iter().fold(
                        (
                            f64::INFINITY,
                            f64::NEG_INFINITY,
                            f64::INFINITY,
                            f64::NEG_INFINITY,
                        ),
                        |a, p| (a.0.min(p.0), a.1.max(p.0), a.2.min(p.1), a.3.max(p.1)),
                    );
                    let name = labels::short(&r.name, 10);
                    let wide: f64 = name
                        .chars()
                        .map(|c| if c.is_ascii() { 7.0 } else { 13.0 })
                        .sum();
                    // Inside when it fits, else under the region.
                    let inside = x1 - x0 >= wide + 4.0 && y1 - y0 >= 18.0;
                    let fill = paint(&s, &r.prefix, &*colour, m, lang).0;
                    texts.push(Label {
                        x: (x0 + x1) / 2.0,
                        y: if inside {
                            (y0 + y1) / 2.0 + 5.0
                        } else {
                            y1 + 15.0
                        },
                        text: name,
                        size: 13.0,
                        anchor: "middle",
                        colour: match (&fill, inside) {
                            (Fill::Colour(c), true) => ink(*c),
                            _ => (0x22, 0x22, 0x22),
                        },
                    });
                }
            }
            let (fill, value, text) = paint(&s, &r.prefix, &*colour, m, lang);
            shapes.push(Shape {
                id: r.code.clone(),
                title: if zh {
                    format!("{}（{}）：{text}", r.name, r.code)
                } else {
                    format!("{} ({}): {text}", r.name, r.code)
                },
                d: path_of(&r.polygons, &to_page),
                fill,
                value,
            });
        }
        if !faceted {
            lines = b
                .lines
                .iter()
                .map(|l| {
                    path_of(&[vec![l.clone()]], &to_page)
                        .trim_end_matches('Z')
                        .to_string()
                })
                .collect();
        }
        if !projections.contains(&projection.name()) {
            projections.push(projection.name());
        }
    }
    let shown_projection = projections.join(", ");
    footer.push(match (faceted, zh) {
        (true, true) => format!("每个区县单独成图；投影：{shown_projection}；坐标按 {} 读入。", crs_name(source.crs)),
        (true, false) => format!("One panel a district, each fitted on its own; projection: {shown_projection}; coordinates read as {}.", crs_name(source.crs)),
        (false, true) => format!("投影：{shown_projection}；坐标按 {} 读入。", crs_name(source.crs)),
        (false, false) => format!("Projection: {shown_projection}; coordinates read as {}.", crs_name(source.crs)),
    });
    Picture {
        width: WIDTH,
        height,
        title: title(lang, m, data, &level_by(lang, b.level), simulated),
        shapes,
        lines,
        labels: texts,
        legend,
        footer,
        name: format!("{}-{}", b.level.name(), m.key()),
    }
}

fn crs_name(crs: BoundaryCrs) -> &'static str {
    match crs {
        BoundaryCrs::Wgs84 => "WGS-84 / CGCS2000",
        BoundaryCrs::Gcj02 => "GCJ-02 (turned back to WGS-84)",
    }
}

fn level_by(lang: Lang, l: Level) -> String {
    label(lang, &format!("by_{}", l.name())).to_string()
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

/// The research report's maps into `out`: the province tiles of every
/// measure, then every measure over each boundary file. Boundaries that
/// cannot be used stop the render with a message naming the file.
pub fn research(
    dir: &Path,
    out: &Path,
    config: &crate::config::Config,
    files: &[Boundaries],
    lang: Lang,
    simulated: bool,
    period: &str,
) -> Result<Vec<MapFigure>, RenderError> {
    let data = UnitData::read(dir, period)?;
    let mut figures = Vec::new();
    for m in Measure::ALL {
        if m == Measure::ResolutionChange && data.previous.is_none() {
            continue;
        }
        let p = tile_picture(&data, m, lang, simulated);
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
    Ok(figures)
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

/// The district report's maps into `out`: every measure over the streets
/// (or communities) of `district` in each boundary file of that level that
/// has them; none without such boundaries.
pub fn district(
    dir: &Path,
    out: &Path,
    config: &crate::config::Config,
    district: &str,
    period: &str,
    lang: Lang,
    simulated: bool,
) -> Result<Vec<MapFigure>, RenderError> {
    let Some(b) = &config.render.boundaries else {
        return Ok(Vec::new());
    };
    let data = UnitData::read(dir, period)?;
    let (files, _) = read_boundaries(config, data.unit_level(), lang)?;
    let source = Source {
        text: &b.source,
        crs: b.crs,
    };
    let mut figures = Vec::new();
    for bf in files.iter().filter(|f| {
        f.level >= Level::Street && f.regions.iter().any(|r| r.prefix.starts_with(district))
    }) {
        for m in Measure::ALL {
            if m == Measure::ResolutionChange && data.previous.is_none() {
                continue;
            }
            let p = choropleth(bf, Some(district), &data, m, &source, lang, simulated);
            let chart = format!("map_{}_{}", bf.level.name(), m.key());
            write(out, &chart, &p)?;
            figures.push(MapFigure {
                chart,
                caption: p.title.clone(),
            });
        }
    }
    Ok(figures)
}
