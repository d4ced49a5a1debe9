//! Schematic boundaries for the generated sample: squares, not a map.
//!
//! govlens ships no real boundaries (docs/maps.md), yet its maps must be
//! exercised; so the generator writes `boundaries-counties.geojson` and
//! `boundaries-streets.geojson`, keyed by the sample's own GB/T 2260 codes:
//! each county a square of 0.4° near a made-up point of its province
//! (counties of one province side by side), its streets a grid of cells in
//! it. The first street of each county has a square hole (a "lake", a hole
//! in its county too) and the last, when there are three or more, an island
//! outside the square (a MultiPolygon, its county's too), so holes and
//! multipolygons are drawn in every test. Every feature and the collection
//! say `"schematic": "schematic, not a map"`, and every map drawn from them
//! says so.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Node;

/// What every feature and map says.
pub const SCHEMATIC: &str = "schematic, not a map";

/// Made-up points per province (rough lon/lat of each province's middle).
fn province_point(code: &str) -> (f64, f64) {
    let table: [(&str, f64, f64); 34] = [
        ("11", 116.4, 40.2),
        ("12", 117.3, 39.3),
        ("13", 115.0, 38.5),
        ("14", 112.3, 37.6),
        ("15", 111.7, 42.0),
        ("21", 123.0, 41.3),
        ("22", 126.0, 43.7),
        ("23", 127.8, 47.0),
        ("31", 121.4, 31.2),
        ("32", 119.5, 32.9),
        ("33", 120.1, 29.2),
        ("34", 117.2, 31.8),
        ("35", 118.2, 26.1),
        ("36", 115.8, 27.6),
        ("37", 118.0, 36.3),
        ("41", 113.6, 33.9),
        ("42", 112.3, 31.0),
        ("43", 111.7, 27.6),
        ("44", 113.3, 23.4),
        ("45", 108.8, 23.8),
        ("46", 109.8, 19.2),
        ("50", 107.7, 29.9),
        ("51", 102.7, 30.6),
        ("52", 106.7, 26.8),
        ("53", 101.5, 24.9),
        ("54", 88.4, 31.5),
        ("61", 108.9, 35.2),
        ("62", 103.8, 36.1),
        ("63", 96.0, 35.7),
        ("64", 106.2, 37.3),
        ("65", 85.6, 41.9),
        ("71", 121.0, 23.7),
        ("81", 114.2, 22.3),
        ("82", 113.5, 22.2),
    ];
    table
        .iter()
        .find(|t| code.starts_with(t.0))
        .map_or((105.0, 35.0), |t| (t.1, t.2))
}

type Ring = Vec<(f64, f64)>;

fn square(x0: f64, y0: f64, side: f64) -> Ring {
    vec![
        (x0, y0),
        (x0 + side, y0),
        (x0 + side, y0 + side),
        (x0, y0 + side),
        (x0, y0),
    ]
}

/// A ring reversed (holes wind the other way, RFC 7946 §3.1.6).
fn reversed(mut r: Ring) -> Ring {
    r.reverse();
    r
}

fn ring_json(r: &Ring) -> String {
    let pts: Vec<String> = r.iter().map(|(x, y)| format!("[{x:.4},{y:.4}]")).collect();
    format!("[{}]", pts.join(","))
}

fn polygons_json(polys: &[Vec<Ring>]) -> String {
    let p: Vec<String> = polys
        .iter()
        .map(|rings| {
            format!(
                "[{}]",
                rings.iter().map(ring_json).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    if polys.len() == 1 {
        format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", p[0])
    } else {
        format!(
            "{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}",
            p.join(",")
        )
    }
}

fn feature(code: &str, name: &str, polys: &[Vec<Ring>]) -> String {
    format!(
        "{{\"type\":\"Feature\",\"properties\":{{\"adcode\":{},\"name\":{},\"schematic\":\"{SCHEMATIC}\"}},\"geometry\":{}}}",
        serde_json::Value::String(code.into()),
        serde_json::Value::String(name.into()),
        polygons_json(polys)
    )
}

fn collection(features: &[String]) -> String {
    let mut s =
        format!("{{\"type\":\"FeatureCollection\",\"schematic\":\"{SCHEMATIC}\",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        let _ = writeln!(s, "{f}{}", if i + 1 < features.len() { "," } else { "" });
    }
    s.push_str("]}\n");
    s
}

/// The two files' text: (counties, streets).
pub fn schematic(nodes: &[Node]) -> (String, String) {
    let mut streets_of: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for n in nodes.iter().filter(|n| n.level == "street") {
        if let Some(p) = &n.parent {
            streets_of.entry(p.as_str()).or_default().push(n);
        }
    }
    let mut seen_in_province: BTreeMap<String, usize> = BTreeMap::new();
    let (mut counties, mut streets) = (Vec::new(), Vec::new());
    let side = 0.4;
    for c in nodes.iter().filter(|n| n.level == "county") {
        let k = seen_in_province.entry(c.code[..2].to_string()).or_default();
        let (px, py) = province_point(&c.code);
        // Counties of a province side by side, a little apart.
        let (x0, y0) = (px + *k as f64 * (side + 0.1), py);
        *k += 1;
        let st = streets_of.get(c.code.as_str()).cloned().unwrap_or_default();
        let cols = (st.len() as f64).sqrt().ceil().max(1.0) as usize;
        let cell = side / cols as f64;
        let lake =
            |cx: f64, cy: f64| reversed(square(cx + cell * 0.35, cy + cell * 0.35, cell * 0.3));
        let island = square(x0 + side * 0.4, y0 - side * 0.25, side * 0.12);
        let mut county = vec![square(x0, y0, side)];
        for (i, s) in st.iter().enumerate() {
            let (col, row) = (i % cols, i / cols);
            let (cx, cy) = (x0 + col as f64 * cell, y0 + side - (row + 1) as f64 * cell);
            let mut rings = vec![square(cx, cy, cell)];
            if i == 0 {
                rings.push(lake(cx, cy));
                county.push(lake(cx, cy));
            }
            let mut polys = vec![rings];
            if i + 1 == st.len() && st.len() >= 3 {
                polys.push(vec![island.clone()]);
            }
            streets.push(feature(&s.code, &s.name, &polys));
        }
        let mut polys = vec![county];
        if st.len() >= 3 {
            polys.push(vec![island]);
        }
        counties.push(feature(&c.code, &c.name, &polys));
    }
    (collection(&counties), collection(&streets))
}
