//! A choropleth over a boundary file: each region one path coloured by a
//! measure, projected by the extent (Albers or lon/lat), a panel a
//! district for the streets of a few districts, regions named when few,
//! and under the map the source, "schematic" when so, how values were
//! aggregated, what has no data and what has no boundary.

use std::collections::BTreeMap;

use super::super::labels::{self, label, Lang};
use super::draw::{self, Fill, Label, Picture, Shape};
use super::geo::{self, Boundaries, Level};
use super::values::{Measure, UnitData};
use super::{colour_and_legend, ink, paint, project, shown, title, Shown, LEGEND, TOP, WIDTH};
use crate::config::BoundaryCrs;

/// Streets of at most this many districts are drawn a panel a district.
const MAX_PANELS: usize = 12;
/// Maps of at most this many regions name each region.
const NAMED: usize = 30;

/// The (x0, y0, x1, y1) box around `points`.
fn bounds(points: impl Iterator<Item = (f64, f64)>) -> (f64, f64, f64, f64) {
    points.fold(
        (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ),
        |b, (x, y)| (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y)),
    )
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
    let drawn: std::collections::BTreeSet<&str> =
        regions.iter().map(|r| r.prefix.as_str()).collect();
    let drawn_only = match &s {
        Shown::Numbers(v) => Shown::Numbers(
            v.iter()
                .filter(|(k, _)| drawn.contains(k.as_str()))
                .map(|(k, x)| (k.clone(), *x))
                .collect(),
        ),
        Shown::Models(v) => Shown::Models(
            v.iter()
                .filter(|(k, _)| drawn.contains(k.as_str()))
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
        let points = || {
            rs.iter()
                .flat_map(|r| r.polygons.iter().flatten().flatten())
        };
        let bbox = bounds(points().map(|&(x, y)| wgs(x, y)));
        let projection = project::Projection::for_extent(bbox);
        let plane = |x: f64, y: f64| {
            let (x, y) = wgs(x, y);
            projection.project(x, y)
        };
        let extent = bounds(points().map(|&(x, y)| plane(x, y)));
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
                    let (x0, y0, x1, y1) = bounds(outer.iter().map(|&(x, y)| to_page(x, y)));
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
        no_data: label(lang, "no_data").into(),
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
