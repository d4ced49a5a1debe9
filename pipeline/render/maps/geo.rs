//! Reading a boundary file a user supplies (docs/maps.md): a GeoJSON
//! FeatureCollection whose polygons are regions keyed by a GB/T 2260 code
//! in one property, checked before anything is drawn.
//!
//! - Every Polygon / MultiPolygon feature is a region: its code (a string or
//!   a number, e.g. DataV's `adcode: 110000`) must be a GB/T 2260 code —
//!   2 digits (province), 6 (province `xx0000`, prefecture `xxxx00` or
//!   county), 9 (street/township) or 12 (community/village) — and every
//!   region of a file must be of one level. Features sharing a code are one
//!   region (some files split islands into features).
//! - LineString / MultiLineString features are kept as lines, drawn without
//!   data: official national maps carry the 九段线 and boundary lines this way.
//! - Coordinates are lon/lat: WGS-84 (GeoJSON's, RFC 7946), CGCS2000 (the
//!   same to centimetres) or GCJ-02 when the config says so. A file that
//!   declares another CRS (the old `crs` member) or whose coordinates are
//!   not lon/lat (metres of a projected CRS) is refused.
//! - A `schematic` property (on the collection or any feature) marks made-up
//!   boundaries; every map drawn from them says "schematic, not a map".

use std::collections::BTreeMap;
use std::path::Path;

use geojson::{GeoJson, GeometryValue};

/// A region level, by the length of its code's meaningful prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Province,
    Prefecture,
    County,
    Street,
    Community,
}

impl Level {
    /// Digits of a code at this level that identify it (its prefix).
    pub fn digits(self) -> usize {
        match self {
            Level::Province => 2,
            Level::Prefecture => 4,
            Level::County => 6,
            Level::Street => 9,
            Level::Community => 12,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
            Level::Street => "street",
            Level::Community => "community",
        }
    }
}

/// A code's level and prefix: `110000` → (province, "11"), `330700` →
/// (prefecture, "3307"), `330702` → county, 9 and 12 digits as they are.
pub fn code_prefix(code: &str) -> Option<(Level, String)> {
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match code.len() {
        2 => Some((Level::Province, code.into())),
        6 if code.ends_with("0000") => Some((Level::Province, code[..2].into())),
        6 if code.ends_with("00") => Some((Level::Prefecture, code[..4].into())),
        6 => Some((Level::County, code.into())),
        9 => Some((Level::Street, code.into())),
        12 => Some((Level::Community, code.into())),
        _ => None,
    }
}

/// A ring of lon/lat points; a polygon is its outer ring and its holes.
pub type Ring = Vec<(f64, f64)>;

/// One region of a boundary file.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// The code as the file has it (`110117`, `110000`).
    pub code: String,
    /// Its prefix at its level, to match units' codes against.
    pub prefix: String,
    pub name: String,
    /// Polygons, each outer ring first then its holes.
    pub polygons: Vec<Vec<Ring>>,
}

/// A checked boundary file.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundaries {
    pub path: String,
    pub level: Level,
    /// In code order.
    pub regions: Vec<Region>,
    /// Lines drawn without data (boundary lines, the 九段线).
    pub lines: Vec<Ring>,
    /// The `schematic` property's text, when the file is made up.
    pub schematic: Option<String>,
}

/// Why a boundary file is refused; each names the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("boundaries {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("boundaries {path}: {size} bytes, above render.boundary_max_mb ({limit} bytes); simplify a copy for analysis or raise the limit")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("boundaries {path}: not GeoJSON: {message}")]
    Parse { path: String, message: String },
    #[error("boundaries {path}: {message}")]
    Content { path: String, message: String },
}

fn property_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => {
            Some(n.as_u64().map_or_else(|| n.to_string(), |u| u.to_string()))
        }
        _ => None,
    }
}

/// CRS names that mean lon/lat on WGS-84 or CGCS2000.
fn lonlat_crs(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "CRS84",
        "EPSG:4326",
        "EPSG::4326",
        "EPSG:4490",
        "EPSG::4490",
    ]
    .iter()
    .any(|ok| n.ends_with(ok))
}

/// Reads and checks `path`: regions keyed by `code_key`, named by
/// `name_key`, at most `max_bytes`.
pub fn read(
    path: &Path,
    code_key: &str,
    name_key: &str,
    max_bytes: u64,
) -> Result<Boundaries, GeoError> {
    let shown = path.display().to_string();
    let content = |message: String| GeoError::Content {
        path: shown.clone(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|source| GeoError::Read {
            path: shown.clone(),
            source,
        })?
        .len();
    if size > max_bytes {
        return Err(GeoError::TooLarge {
            path: shown,
            size,
            limit: max_bytes,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| GeoError::Read {
        path: shown.clone(),
        source,
    })?;
    let gj: GeoJson = text.parse().map_err(|e: geojson::Error| GeoError::Parse {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let GeoJson::FeatureCollection(fc) = gj else {
        return Err(content("is not a FeatureCollection".into()));
    };
    let foreign = fc.foreign_members.as_ref();
    if let Some(crs) = foreign.and_then(|f| f.get("crs")) {
        let name = crs
            .pointer("/properties/name")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        if !lonlat_crs(name) {
            return Err(content(format!(
                "declares the CRS '{}', but govlens reads lon/lat (WGS-84 or CGCS2000; GCJ-02 with render.boundary_crs = \"gcj02\"): export the file as lon/lat",
                if name.is_empty() { crs.to_string() } else { name.to_string() }
            )));
        }
    }
    let mut schematic = foreign
        .and_then(|f| f.get("schematic"))
        .and_then(property_text);
    if fc.features.is_empty() {
        return Err(content("has no features".into()));
    }
    let mut regions: BTreeMap<String, Region> = BTreeMap::new();
    let mut first_of_level: Option<(Level, usize, String)> = None;
    let mut lines = Vec::new();
    for (i, f) in fc.features.iter().enumerate() {
        let n = i + 1;
        let props = f.properties.as_ref();
        if schematic.is_none() {
            schematic = props
                .and_then(|p| p.get("schematic"))
                .and_then(property_text);
        }
        let Some(g) = &f.geometry else {
            return Err(content(format!("feature {n} has no geometry")));
        };
        let check = |x: f64, y: f64| -> Result<(f64, f64), GeoError> {
            if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                return Err(content(format!(
                    "feature {n} has the point ({x}, {y}), which is not lon/lat: the file looks projected (metres); export it as lon/lat (WGS-84 or CGCS2000)"
                )));
            }
            Ok((x, y))
        };
        let ring = |pts: &[geojson::Position]| -> Result<Ring, GeoError> {
            pts.iter()
                .map(|p| {
                    let s = p.as_slice();
                    if s.len() < 2 {
                        return Err(content(format!(
                            "feature {n} has a position without two numbers"
                        )));
                    }
                    check(s[0], s[1])
                })
                .collect()
        };
        let polygons: Vec<Vec<Ring>> = match &g.value {
            GeometryValue::Polygon { coordinates } => {
                vec![coordinates.iter().map(|r| ring(r)).collect::<Result<_, _>>()?]
            }
            GeometryValue::MultiPolygon { coordinates } => coordinates
                .iter()
                .map(|p| p.iter().map(|r| ring(r)).collect::<Result<_, _>>())
                .collect::<Result<_, _>>()?,
            GeometryValue::LineString { coordinates } => {
                lines.push(ring(coordinates)?);
                continue;
            }
            GeometryValue::MultiLineString { coordinates } => {
                for l in coordinates {
                    lines.push(ring(l)?);
                }
                continue;
            }
            other => {
                return Err(content(format!(
                    "feature {n} is a {}: regions are Polygons or MultiPolygons (lines are drawn as lines)",
                    other.type_name()
                )))
            }
        };
        let keys = || {
            props
                .map(|p| p.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        };
        let code = props
            .and_then(|p| p.get(code_key))
            .and_then(property_text)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                content(format!(
                    "feature {n} has no property '{code_key}' holding its GB/T 2260 code (its properties: {}; set render.boundary_code)",
                    keys()
                ))
            })?;
        let (level, prefix) = code_prefix(&code).ok_or_else(|| {
            content(format!(
                "feature {n}: '{code}' in '{code_key}' is not a GB/T 2260 code (2, 6, 9 or 12 digits)"
            ))
        })?;
        match &first_of_level {
            None => first_of_level = Some((level, n, code.clone())),
            Some((l, m, c)) if *l != level => {
                return Err(content(format!(
                    "holds codes of more than one level: feature {m} is {c} ({}), feature {n} is {code} ({}); one file a level",
                    l.name(),
                    level.name()
                )))
            }
            _ => {}
        }
        let name = props
            .and_then(|p| p.get(name_key))
            .and_then(property_text)
            .unwrap_or_else(|| code.clone());
        let r = regions.entry(prefix.clone()).or_insert_with(|| Region {
            code: code.clone(),
            prefix,
            name,
            polygons: Vec::new(),
        });
        r.polygons
            .extend(polygons.into_iter().filter(|p| !p.is_empty()));
    }
    let Some((level, _, _)) = first_of_level else {
        return Err(content(
            "has no Polygon or MultiPolygon feature: nothing to colour".into(),
        ));
    };
    Ok(Boundaries {
        path: shown,
        level,
        regions: regions.into_values().collect(),
        lines,
        schematic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_give_their_level_and_prefix() {
        assert_eq!(code_prefix("110000"), Some((Level::Province, "11".into())));
        assert_eq!(
            code_prefix("330700"),
            Some((Level::Prefecture, "3307".into()))
        );
        assert_eq!(
            code_prefix("330702"),
            Some((Level::County, "330702".into()))
        );
        assert_eq!(
            code_prefix("110117001"),
            Some((Level::Street, "110117001".into()))
        );
        assert_eq!(code_prefix("100000_JD"), None);
        assert_eq!(code_prefix("1101"), None);
    }
}
