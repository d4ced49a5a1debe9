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
/// Regions a faceted panel may have and still name each of them.
const NAMED_PER_PANEL: usize = 16;
/// Maps of at most this many regions name each region.
const NAMED: usize = 30;

/// The (x0, y0, x1, y1) box around `points`.
pub(crate) fn bounds(points: impl Iterator<Item = (f64, f64)>) -> (f64, f64, f64, f64) {
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
        footer.push(if zh && sch.is_ascii() {
            // The file's own words are English: the Chinese says it.
            "示意边界，非地图".to_string()
        } else if zh {
            format!("示意边界，非地图（{sch}）")
        } else {
            format!("Schematic boundaries, not a map ({sch})")
        });
    }
    let mut how = match (b.level < data.unit_level(), m) {
        (true, Measure::Model) => label(lang, "map_model_rule").to_string(),
        (true, _) => label(lang, "map_weighted").to_string(),
        _ => String::new(),
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
            - 18.0,
    );
    // Streets or communities of a few districts: one panel a district, each
    // fitted on its own, so that a street is not a dot on a national map.
    // Counties of a few provinces likewise: one panel a province, so that
    // six counties are not six dots on a map of China.
    let facet_digits = match b.level {
        Level::County => 2,
        l if l >= Level::Street => 6,
        _ => 0,
    };
    let mut by_district: BTreeMap<&str, Vec<&geo::Region>> = BTreeMap::new();
    for r in &regions {
        by_district
            .entry(r.prefix.get(..facet_digits.max(1)).unwrap_or(&r.prefix))
            .or_default()
            .push(r);
    }
    let faceted = facet_digits > 0 && (2..=MAX_PANELS).contains(&by_district.len());
    let named = regions.len() <= NAMED
        || (faceted && by_district.values().all(|rs| rs.len() <= NAMED_PER_PANEL));
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
    // Names too long for their region, listed under the map by number.
    let mut keyed: Vec<String> = Vec::new();
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
            let province = || {
                super::tiles::TILES.iter().find(|t| t.0 == *d).map(|t| {
                    if zh {
                        t.1.to_string()
                    } else {
                        t.2.to_string()
                    }
                })
            };
            texts.push(Label {
                x: bx.0 + bx.2 / 2.0,
                y: bx.1 - 6.0,
                text: if d.len() == 2 {
                    province().unwrap_or_else(|| d.to_string())
                } else {
                    data.districts
                        .get(*d)
                        .cloned()
                        .unwrap_or_else(|| d.to_string())
                },
                size: 14.0,
                anchor: "middle",
                colour: (0x22, 0x22, 0x22),
            });
        }
        for r in rs {
            // Few regions: each named inside its largest polygon where the
            // name fits clear of its holes, else by a number and a key.
            if named {
                if let Some(poly) = r
                    .polygons
                    .iter()
                    .filter(|p| !p.is_empty())
                    .max_by(|a, b| ring_area(&a[0]).total_cmp(&ring_area(&b[0])))
                {
                    let rings: Vec<Vec<(f64, f64)>> = poly
                        .iter()
                        .map(|ring| ring.iter().map(|&(x, y)| to_page(x, y)).collect())
                        .collect();
                    let fill = paint(&s, &r.prefix, &*colour, m, lang).0;
                    let ink_of = |inside: bool| match (&fill, inside) {
                        (Fill::Colour(c), true) => ink(*c),
                        _ => (0x22, 0x22, 0x22),
                    };
                    let name = labels::short(&r.name, 10);
                    let placed = [13.0, 11.0, 9.5].iter().find_map(|&size| {
                        let wide = text_width(&name, size);
                        label_spot(&rings, wide + 4.0, size + 4.0).map(|(x, y)| (x, y, size))
                    });
                    match placed {
                        Some((x, y, size)) => texts.push(Label {
                            x,
                            y: y + size * 0.38,
                            text: name,
                            size,
                            anchor: "middle",
                            colour: ink_of(true),
                        }),
                        None => {
                            keyed.push(name);
                            let mark = keyed.len().to_string();
                            let (x, y) = label_spot(&rings, text_width(&mark, 10.0) + 2.0, 12.0)
                                .unwrap_or_else(|| {
                                    let (x0, y0, x1, y1) = bounds(rings[0].iter().copied());
                                    ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
                                });
                            texts.push(Label {
                                x,
                                y: y + 4.0,
                                text: mark,
                                size: 10.0,
                                anchor: "middle",
                                colour: ink_of(true),
                            });
                        }
                    }
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
    // The key of numbered names, wrapped to the page; the page grows by
    // its lines so the map keeps its room.
    let mut extra = 0.0;
    if !keyed.is_empty() {
        let mut lines = vec![if zh {
            "图中编号：".to_string()
        } else {
            "Numbered: ".to_string()
        }];
        for (i, n) in keyed.iter().enumerate() {
            let item = format!("{} {n}{}", i + 1, if zh { "　" } else { "; " });
            let last = lines.last_mut().expect("one line");
            if text_width(last, 13.0) + text_width(&item, 13.0) > WIDTH - 48.0 {
                lines.push(item);
            } else {
                last.push_str(&item);
            }
        }
        extra = 18.0 * lines.len() as f64;
        for (k, l) in lines.into_iter().enumerate() {
            footer.insert(k, l.trim_end_matches(['　', ';', ' ']).to_string());
        }
    }
    let shown_projection = projections
        .iter()
        .map(|p| match (zh, *p) {
            (true, "lon/lat") => "经纬度直接投影",
            (true, _) => "阿尔伯斯等积圆锥投影（北纬 25°、47°，东经 105°）",
            (false, p) => p,
        })
        .collect::<Vec<_>>()
        .join(", ");
    // A schematic file has no projection worth naming (it is no map).
    let schematic_only = b.schematic.is_some();
    let projection_line = match (faceted, zh) {
        (true, true) => format!(
            "每个{}单独成图，比例尺各不相同；投影：{shown_projection}；坐标系：{}。",
            if facet_digits == 2 { "省" } else { "区县" },
            crs_name(source.crs)
        ),
        (true, false) => format!(
            "One panel a {}, each fitted on its own scale; projection: {shown_projection}; coordinates read as {}.",
            if facet_digits == 2 { "province" } else { "district" },
            crs_name(source.crs)
        ),
        (false, true) => format!("投影：{shown_projection}；坐标系：{}。", crs_name(source.crs)),
        (false, false) => format!("Projection: {shown_projection}; coordinates read as {}.", crs_name(source.crs)),
    };
    match (schematic_only, faceted, zh) {
        (false, _, _) => footer.push(projection_line),
        (true, true, true) => footer.push(format!(
            "每个{}单独成图，比例尺各不相同。",
            if facet_digits == 2 { "省" } else { "区县" }
        )),
        (true, true, false) => footer.push(format!(
            "One panel a {}, each on its own scale.",
            if facet_digits == 2 {
                "province"
            } else {
                "district"
            }
        )),
        (true, false, _) => {}
    }
    Picture {
        width: WIDTH,
        height: height + extra,
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

/// A label's width in page units: a Han character is as wide as its size,
/// other characters a little over half.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { size * 0.55 } else { size })
        .sum()
}

/// Whether `p` is inside the ring (even-odd rule).
fn inside(ring: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
    let mut c = false;
    let n = ring.len();
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[(i + n - 1) % n];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            c = !c;
        }
    }
    c
}

/// Where a label box `w` × `h` fits inside the polygon (outer ring first,
/// then its holes) with the most room around it: a grid search over the
/// outer ring's box, each candidate's box checked at its corners and
/// edges against the outer ring and every hole (pole of inaccessibility,
/// to the grid's resolution). None when no spot fits.
fn label_spot(rings: &[Vec<(f64, f64)>], w: f64, h: f64) -> Option<(f64, f64)> {
    let outer = rings.first()?;
    let (x0, y0, x1, y1) = bounds(outer.iter().copied());
    let in_area =
        |p: (f64, f64)| inside(outer, p) && rings[1..].iter().all(|hole| !inside(hole, p));
    let clear = |(cx, cy): (f64, f64)| {
        let (hw, hh) = (w / 2.0, h / 2.0);
        let box_ok = (0..=4).all(|i| {
            let fx = cx - hw + w * i as f64 / 4.0;
            [cy - hh, cy, cy + hh].iter().all(|&fy| in_area((fx, fy)))
        });
        // No hole pokes into the box between the sampled points.
        box_ok
            && rings[1..].iter().all(|hole| {
                let (a, b, c, d) = bounds(hole.iter().copied());
                c < cx - hw || a > cx + hw || d < cy - hh || b > cy + hh
            })
    };
    const N: usize = 24;
    let mut best: Option<((f64, f64), f64)> = None;
    for i in 0..=N {
        for j in 0..=N {
            let p = (
                x0 + (x1 - x0) * i as f64 / N as f64,
                y0 + (y1 - y0) * j as f64 / N as f64,
            );
            if !clear(p) {
                continue;
            }
            // Room: the distance to the nearest edge of any ring.
            let room = rings
                .iter()
                .flat_map(|r| r.iter().zip(r.iter().cycle().skip(1)))
                .map(|(&a, &b)| segment_distance(p, a, b))
                .fold(f64::INFINITY, f64::min);
            if best.is_none_or(|(_, r)| room > r) {
                best = Some((p, room));
            }
        }
    }
    best.map(|(p, _)| p)
}

fn segment_distance((px, py): (f64, f64), (ax, ay): (f64, f64), (bx, by): (f64, f64)) -> f64 {
    let (dx, dy) = (bx - ax, by - ay);
    let len = dx * dx + dy * dy;
    let t = if len > 0.0 {
        (((px - ax) * dx + (py - ay) * dy) / len).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (ax + t * dx, ay + t * dy);
    ((px - qx).powi(2) + (py - qy).powi(2)).sqrt()
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

#[cfg(test)]
mod label_tests {
    use super::*;

    fn square(x: f64, y: f64, s: f64) -> Vec<(f64, f64)> {
        vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
    }

    #[test]
    fn a_label_is_never_placed_over_a_hole() {
        // A 100-wide tile with a hole in its middle: the label goes above
        // or below the hole, not on it.
        let rings = vec![square(0.0, 0.0, 100.0), square(40.0, 40.0, 20.0)];
        let (x, y) = label_spot(&rings, 52.0, 17.0).unwrap();
        let (hw, hh) = (26.0, 8.5);
        assert!(
            y + hh < 40.0 || y - hh > 60.0 || x + hw < 40.0 || x - hw > 60.0,
            "{x} {y}"
        );
    }

    #[test]
    fn a_name_too_long_for_its_region_does_not_fit() {
        assert!(label_spot(&[square(0.0, 0.0, 40.0)], 65.0, 17.0).is_none());
        assert!(label_spot(&[square(0.0, 0.0, 80.0)], 65.0, 17.0).is_some());
    }
}
