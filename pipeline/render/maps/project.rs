//! From lon/lat to the page: GCJ-02 back to WGS-84 when the boundaries are
//! in it, then a projection chosen by the extent, then a fit into the
//! map's box (north up).
//!
//! - **Albers equal-area conic** for anything larger than a city (extent
//!   above [`CITY_DEGREES`] in either direction): standard parallels 25°N
//!   and 47°N, central meridian 105°E, WGS-84 (the usual "China Albers"),
//!   computed by proj4rs, a pure-Rust port of PROJ — equal areas, so a big
//!   county does not look bigger than it is relative to a small one.
//! - **Plain lon/lat** for a city or district (x = lon · cos φ₀, y = lat,
//!   φ₀ the extent's middle latitude): at that size every projection draws
//!   the same picture, and this one needs nothing.
//! - **GCJ-02** (the offset lon/lat of Chinese web maps, ~300–600 m from
//!   WGS-84) is turned back by iterating its published forward formula to
//!   1e-9°; `boundary_crs = "gcj02"` asks for it. WGS-84 is assumed
//!   otherwise (GeoJSON's own CRS; CGCS2000 differs by centimetres).

use proj4rs::proj::Proj;

use crate::config::BoundaryCrs;

/// Extents up to this many degrees are drawn in plain lon/lat.
pub const CITY_DEGREES: f64 = 3.0;

const CHINA_ALBERS: &str =
    "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs";

fn gcj_transform(x: f64, y: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    let (xy, ax) = (x * y, x.abs().sqrt());
    let d = 20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin();
    let mut lat = d + 20.0 * (y * PI).sin() + 40.0 * (y * PI / 3.0).sin();
    let mut lon = d + 20.0 * (x * PI).sin() + 40.0 * (x * PI / 3.0).sin();
    lat += 160.0 * (y * PI / 12.0).sin() + 320.0 * (y * PI / 30.0).sin();
    lon += 150.0 * (x * PI / 12.0).sin() + 300.0 * (x * PI / 30.0).sin();
    lat *= 2.0 / 3.0;
    lon *= 2.0 / 3.0;
    lat += -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * xy + 0.2 * ax;
    lon += 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * xy + 0.1 * ax;
    (lon, lat)
}

fn in_china(lon: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

/// WGS-84 → GCJ-02 (the published forward formula; identity outside China).
pub fn wgs_to_gcj(lon: f64, lat: f64) -> (f64, f64) {
    if !in_china(lon, lat) {
        return (lon, lat);
    }
    let (a, ee) = (6_378_137.0, 0.006_693_421_622_965_943);
    let (dlon, dlat) = gcj_transform(lon - 105.0, lat - 35.0);
    let rad = lat.to_radians();
    let magic = 1.0 - ee * rad.sin().powi(2);
    let sq = magic.sqrt();
    let dlat = dlat * 180.0 / ((a * (1.0 - ee)) / (magic * sq) * std::f64::consts::PI);
    let dlon = dlon * 180.0 / (a / sq * rad.cos() * std::f64::consts::PI);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 → WGS-84, by fixed-point iteration of [`wgs_to_gcj`] to 1e-9°.
pub fn gcj_to_wgs(lon: f64, lat: f64) -> (f64, f64) {
    let (mut x, mut y) = (lon, lat);
    for _ in 0..30 {
        let (gx, gy) = wgs_to_gcj(x, y);
        let (ex, ey) = (gx - lon, gy - lat);
        if ex.abs() < 1e-9 && ey.abs() < 1e-9 {
            break;
        }
        x -= ex;
        y -= ey;
    }
    (x, y)
}

/// How lon/lat become plane x, y (y up).
pub enum Projection {
    Albers { from: Box<Proj>, to: Box<Proj> },
    LonLat { cos_lat: f64 },
}

impl Projection {
    /// The projection for lon/lat extent `bbox` = (lon0, lat0, lon1, lat1).
    pub fn for_extent(bbox: (f64, f64, f64, f64)) -> Projection {
        let (x0, y0, x1, y1) = bbox;
        if x1 - x0 <= CITY_DEGREES && y1 - y0 <= CITY_DEGREES {
            return Projection::LonLat {
                cos_lat: ((y0 + y1) / 2.0).to_radians().cos(),
            };
        }
        Projection::Albers {
            from: Box::new(
                Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").expect("lon/lat"),
            ),
            to: Box::new(Proj::from_proj_string(CHINA_ALBERS).expect("China Albers")),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Projection::Albers { .. } => "Albers equal-area conic (25°N, 47°N; 105°E)",
            Projection::LonLat { .. } => "lon/lat",
        }
    }

    /// Plane coordinates of one point (metres for Albers, scaled degrees
    /// for lon/lat; only ratios matter after the fit).
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Projection::Albers { from, to } => {
                let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
                match proj4rs::transform::transform(from, to, &mut p) {
                    Ok(()) => (p.0, p.1),
                    Err(_) => (f64::NAN, f64::NAN),
                }
            }
            Projection::LonLat { cos_lat } => (lon * cos_lat, lat),
        }
    }
}

/// The point as WGS-84 lon/lat, from the boundaries' CRS.
pub fn to_wgs(crs: BoundaryCrs, lon: f64, lat: f64) -> (f64, f64) {
    match crs {
        BoundaryCrs::Wgs84 => (lon, lat),
        BoundaryCrs::Gcj02 => gcj_to_wgs(lon, lat),
    }
}

/// Plane → page: a uniform scale and offset that fit plane extent
/// (x0, y0, x1, y1) into the box (left, top, width, height), north up,
/// centred.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    scale: f64,
    x0: f64,
    y1: f64,
    dx: f64,
    dy: f64,
}

impl Fit {
    pub fn new(extent: (f64, f64, f64, f64), page: (f64, f64, f64, f64)) -> Fit {
        let (x0, y0, x1, y1) = extent;
        let (left, top, w, h) = page;
        let (ew, eh) = ((x1 - x0).max(1e-12), (y1 - y0).max(1e-12));
        let scale = (w / ew).min(h / eh);
        Fit {
            scale,
            x0,
            y1,
            dx: left + (w - ew * scale) / 2.0,
            dy: top + (h - eh * scale) / 2.0,
        }
    }

    pub fn page(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            self.dx + (x - self.x0) * self.scale,
            self.dy + (self.y1 - y) * self.scale,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values: PROJ 9.5.1 through pyproj 3.7.2, run 2026-12-01,
    /// `Transformer.from_crs("EPSG:4326", CHINA_ALBERS, always_xy=True)`.
    #[test]
    fn albers_matches_proj_on_four_cities() {
        let p = Projection::for_extent((73.0, 18.0, 135.0, 54.0));
        for (lon, lat, x, y) in [
            (116.4074, 39.9042, 957002.9, 4344082.5),
            (104.0665, 30.5728, -88387.5, 3236355.9),
            (119.6495, 29.0895, 1406523.2, 3173543.0),
            (87.6168, 43.8256, -1377145.4, 4851616.2),
        ] {
            let (px, py) = p.project(lon, lat);
            assert!(
                (px - x).abs() < 0.1 && (py - y).abs() < 0.1,
                "{lon},{lat}: {px},{py}"
            );
        }
    }

    /// On the page: Urumqi west of Chengdu west of Beijing west of Jinhua;
    /// Urumqi north of Beijing north of Chengdu north of Jinhua; and the
    /// ratio of Beijing–Jinhua to Chengdu–Beijing within 3% of the ratio of
    /// their great-circle distances (~1,240 and ~1,520 km).
    #[test]
    fn four_cities_keep_their_order_and_distances_on_the_page() {
        let p = Projection::for_extent((73.0, 18.0, 135.0, 54.0));
        let pts: Vec<(f64, f64)> = [
            (87.6168, 43.8256),
            (104.0665, 30.5728),
            (116.4074, 39.9042),
            (119.6495, 29.0895),
        ]
        .iter()
        .map(|&(lon, lat)| p.project(lon, lat))
        .collect();
        let extent = pts.iter().fold(
            (
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ),
            |a, p| (a.0.min(p.0), a.1.min(p.1), a.2.max(p.0), a.3.max(p.1)),
        );
        let fit = Fit::new(extent, (0.0, 0.0, 800.0, 600.0));
        let page: Vec<(f64, f64)> = pts.iter().map(|&q| fit.page(q)).collect();
        let (urumqi, chengdu, beijing, jinhua) = (page[0], page[1], page[2], page[3]);
        assert!(urumqi.0 < chengdu.0 && chengdu.0 < beijing.0 && beijing.0 < jinhua.0);
        // Page y grows downwards: north is smaller.
        assert!(urumqi.1 < beijing.1 && beijing.1 < chengdu.1 && chengdu.1 < jinhua.1);
        let d = |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
        let ratio = d(beijing, jinhua) / d(chengdu, beijing);
        let great = |a: (f64, f64), b: (f64, f64)| {
            let (p1, p2) = (a.1.to_radians(), b.1.to_radians());
            let h = ((p2 - p1) / 2.0).sin().powi(2)
                + p1.cos() * p2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
            2.0 * h.sqrt().asin()
        };
        let want = great((116.4074, 39.9042), (119.6495, 29.0895))
            / great((104.0665, 30.5728), (116.4074, 39.9042));
        assert!((ratio / want - 1.0).abs() < 0.03, "{ratio} vs {want}");
        assert!(page
            .iter()
            .all(|&(x, y)| (-1e-9..=800.0 + 1e-9).contains(&x)
                && (-1e-9..=600.0 + 1e-9).contains(&y)));
    }

    /// Reference values: the Python package eviltransform 0.1.1's wgs2gcj,
    /// run 2026-12-01.
    #[test]
    fn gcj02_matches_the_published_formula_and_inverts() {
        for (lon, lat, glon, glat) in [
            (116.4074, 39.9042, 116.41364235948714, 39.90560336692766),
            (104.0665, 30.5728, 104.06900497087345, 30.570345678115267),
            (87.6168, 43.8256, 87.61964999772701, 43.82680541352192),
        ] {
            let (x, y) = wgs_to_gcj(lon, lat);
            assert!(
                (x - glon).abs() < 1e-9 && (y - glat).abs() < 1e-9,
                "{x} {y}"
            );
            let (bx, by) = gcj_to_wgs(glon, glat);
            assert!(
                (bx - lon).abs() < 1e-8 && (by - lat).abs() < 1e-8,
                "{bx} {by}"
            );
        }
        // Outside China nothing moves.
        assert_eq!(wgs_to_gcj(2.35, 48.85), (2.35, 48.85));
    }
}
