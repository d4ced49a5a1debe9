//! Maps: the province tile grid and the choropleths the sample's schematic
//! boundaries give — one `<path>` a region with its code as id, colours
//! that follow the values, the source under every map — in the research
//! and the district report; a file finer than the units left out with a
//! note; and every bad boundary file refused with one message before
//! anything is drawn.

mod common;

use common::Workdir;

const MEASURES: [&str; 5] = [
    "index",
    "model",
    "resolution_rate",
    "share_old_cadre",
    "resolution_change",
];

/// The sample's warehouse and run, and its config.
fn sample_run(wd: &Workdir) -> std::path::PathBuf {
    let cfg = common::sample_config(wd, "\n[compare]\ndraws = 19\n\n[index]\ndraws = 10\n");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    wd.ok(&["compare", "--config", cfg.to_str().unwrap()]);
    cfg
}

/// (id, fill, data-value) of every region path of an SVG.
fn paths(svg: &str) -> Vec<(String, String, Option<f64>)> {
    svg.split("<path id=\"")
        .skip(1)
        .map(|p| {
            let id = p[..p.find('"').unwrap()].to_string();
            let attr = |name: &str| {
                let key = format!(" {name}=\"");
                p.find(&key).map(|i| {
                    let rest = &p[i + key.len()..];
                    rest[..rest.find('"').unwrap()].to_string()
                })
            };
            (
                id,
                attr("fill").unwrap(),
                attr("data-value").map(|v| v.parse().unwrap()),
            )
        })
        .collect()
}

fn luminance(hex: &str) -> f64 {
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64;
    0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
}

/// The sample's schematic county boundaries, as text.
fn sample_counties() -> String {
    std::fs::read_to_string(common::repo().join("datasets/sample/boundaries-counties.geojson"))
        .unwrap()
}

/// `config` with `[render] boundaries` naming the one file `file`.
fn with_boundaries(config: &str, file: &std::path::Path) -> String {
    let line = config
        .lines()
        .find(|l| l.starts_with("boundaries = "))
        .unwrap();
    config.replace(line, &format!("boundaries = {:?}", file.to_string_lossy()))
}

fn features(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(common::repo().join(path)).unwrap();
    text.split("\"adcode\":\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn the_sample_draws_tile_maps_and_choropleths_from_its_schematic_boundaries() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    wd.ok(&["render", "--config", cfg.to_str().unwrap()]);
    let charts = wd.path(&format!("out/{}/charts", wd.latest().trim()));
    let counties = features("datasets/sample/boundaries-counties.geojson");
    let streets = features("datasets/sample/boundaries-streets.geojson");
    assert_eq!((counties.len(), streets.len()), (34, 314));
    for m in MEASURES {
        // The sample covers a few counties of each province: no province
        // is coloured from them (a note says so); see below for one that is.
        assert!(
            !charts.join(format!("map_provinces_{m}.svg")).exists(),
            "a province tile map from a few counties"
        );
        for (map, codes) in [
            (format!("map_county_{m}"), Some(&counties)),
            (format!("map_street_{m}"), Some(&streets)),
        ] {
            let png = std::fs::read(charts.join(format!("{map}.png"))).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{map}.png");
            let svg = std::fs::read_to_string(charts.join(format!("{map}.svg"))).unwrap();
            let p = paths(&svg);
            match codes {
                // Every region of the boundaries is one path, its code the id.
                Some(codes) => {
                    let ids: Vec<&str> = p.iter().map(|x| x.0.as_str()).collect();
                    let mut want: Vec<&str> = codes.iter().map(String::as_str).collect();
                    want.sort();
                    assert_eq!(ids, want, "{map}");
                    assert!(
                        svg.contains("底图：样例数据自带的示意边界"),
                        "{map}: source"
                    );
                    assert!(
                        svg.contains("示意边界，非地图") && !svg.contains("schematic, not a map"),
                        "{map}"
                    );
                }
                // 34 tiles; Taiwan, Hong Kong and Macao have no data here.
                None => {
                    assert_eq!(p.len(), 34, "{map}");
                    for code in ["710000", "810000", "820000"] {
                        let t = p.iter().find(|x| x.0 == code).unwrap();
                        assert!(t.1.starts_with("url(#nodata"), "{map}: {code}");
                    }
                    assert!(svg.contains("方块图，非地图"), "{map}");
                }
            }
        }
    }
    // A region's colour follows its value: higher, darker (YlGnBu).
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(charts.join("manifest.json")).unwrap())
            .unwrap();
    assert!(
        manifest["notes"]
            .to_string()
            .contains("省级方块图不能代表全省"),
        "{manifest}"
    );
    for map in [
        "map_street_index",
        "map_county_index",
        "map_county_resolution_rate",
    ] {
        let svg = std::fs::read_to_string(charts.join(format!("{map}.svg"))).unwrap();
        let mut v: Vec<(f64, f64)> = paths(&svg)
            .into_iter()
            .filter_map(|(_, fill, v)| Some((v?, luminance(&fill))))
            .collect();
        assert!(v.len() >= 4, "{map}");
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Within one step of a colour channel (fills are #rrggbb: two
        // values a hair apart may round a channel the other way).
        for w in v.windows(2) {
            assert!(w[1].1 <= w[0].1 + 0.75, "{map}: {w:?}");
        }
        assert!(v[v.len() - 1].1 < v[0].1 - 20.0, "{map}: the scale spans");
    }
    // Streets of a few districts: a panel a district, named. (The
    // sample's 34 are too many for panels: one map.) The street file cut
    // to three districts' streets.
    let svg = std::fs::read_to_string(charts.join("map_street_index.svg")).unwrap();
    assert!(!svg.contains(">平谷区</text>"), "34 districts: no panels");
    let text =
        std::fs::read_to_string(common::repo().join("datasets/sample/boundaries-streets.geojson"))
            .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let kept: Vec<&str> = lines[1..lines.len() - 1]
        .iter()
        .filter(|l| {
            ["110117", "330702", "510107"]
                .iter()
                .any(|d| l.contains(&format!("\"adcode\":\"{d}")))
        })
        .map(|l| l.trim_end_matches(','))
        .collect();
    wd.write(
        "three.geojson",
        format!("{}\n{}\n]}}\n", lines[0], kept.join(",\n")),
    );
    let counties_file = common::repo().join("datasets/sample/boundaries-counties.geojson");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("boundaries = "))
        .unwrap();
    // Reference codes in which Beijing has just the sample's six districts:
    // its data then covers it, and its province tile is coloured.
    let reference =
        std::fs::read_to_string(common::repo().join("datasets/reference/gbt2260-2023.csv"))
            .unwrap();
    let kept_codes = ["110109", "110111", "110113", "110116", "110117", "110118"];
    let cut: Vec<&str> = reference
        .lines()
        .filter(|l| {
            !(l.starts_with("11")
                && l.contains(",county,")
                && !kept_codes.iter().any(|k| l.starts_with(k)))
        })
        .collect();
    let cut_file = wd.write("reference-cut.csv", cut.join("\n") + "\n");
    let ref_line = text
        .lines()
        .find(|l| l.starts_with("reference_codes = "))
        .unwrap();
    let three = wd.write(
        "three.toml",
        text.replace(
            line,
            &format!(
                "boundaries = [{:?}, {:?}]",
                counties_file.to_string_lossy(),
                wd.path("three.geojson").to_string_lossy()
            ),
        )
        .replace(
            ref_line,
            &format!("reference_codes = {:?}", cut_file.to_string_lossy()),
        ),
    );
    wd.ok(&["render", "--config", three.to_str().unwrap()]);
    let svg = std::fs::read_to_string(charts.join("map_street_index.svg")).unwrap();
    for name in ["平谷区", "婺城区", "武侯区"] {
        assert!(svg.contains(&format!(">{name}</text>")), "{name}");
    }
    // The research report shows them; its HTML keeps ids unique.
    let html = std::fs::read_to_string(wd.path(&format!("out/{}/report.html", wd.latest().trim())))
        .unwrap();
    assert!(html.contains("id=\"map_street_index-110117001\""));
    assert!(html.contains("2024年治理效能指数（按省）"));
    let tiles = std::fs::read_to_string(charts.join("map_provinces_index.svg")).unwrap();
    let p = paths(&tiles);
    assert_eq!(p.len(), 34);
    let coloured: Vec<&str> = p
        .iter()
        .filter(|x| !x.1.starts_with("url(#nodata"))
        .map(|x| x.0.as_str())
        .collect();
    assert_eq!(
        coloured,
        ["110000"],
        "only the covered province is coloured"
    );
    // The district report maps the district's own streets.
    wd.ok(&[
        "report",
        "--config",
        cfg.to_str().unwrap(),
        "--district",
        "330702",
        "--period",
        "2024",
    ]);
    let dir = wd.path(&format!(
        "out/{}/district-330702-2024/charts",
        wd.latest().trim()
    ));
    let svg = std::fs::read_to_string(dir.join("map_street_index.svg")).unwrap();
    let ids: Vec<String> = paths(&svg).into_iter().map(|x| x.0).collect();
    assert!(
        !ids.is_empty() && ids.iter().all(|c| c.starts_with("330702")),
        "{ids:?}"
    );
    assert_eq!(
        ids.len(),
        streets.iter().filter(|c| c.starts_with("330702")).count()
    );
}

#[test]
fn bad_boundaries_are_refused_before_anything_is_drawn() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let text = std::fs::read_to_string(&cfg).unwrap();
    let counties = sample_counties();
    let with = |file: &str| with_boundaries(&text, &wd.path(file));
    let square = "[[116.0,40.0],[116.5,40.0],[116.5,40.5],[116.0,40.0]]";
    let one = |props: &str, ring: &str| {
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[{ring}]}}}}]}}"
        )
    };
    let cases: Vec<(&str, String, String)> = vec![
        ("broken.geojson", "{\"type\": \"FeatureCollection\", ".into(), "not GeoJSON".into()),
        (
            "empty.geojson",
            "{\"type\":\"FeatureCollection\",\"features\":[]}".into(),
            "has no features".into(),
        ),
        (
            "nocode.geojson",
            one("{\"name\":\"x\"}", square),
            "feature 1 has no property 'adcode'".into(),
        ),
        (
            "notcode.geojson",
            one("{\"adcode\":\"11a\"}", square),
            "'11a' in 'adcode' is not a GB/T 2260 code".into(),
        ),
        (
            "mixed.geojson",
            counties.replacen("\"adcode\":\"110117\"", "\"adcode\":\"110000\"", 1),
            "holds codes of more than one level".into(),
        ),
        (
            "long.geojson",
            one("{\"adcode\":\"110117001001001\"}", square),
            "is not a GB/T 2260 code".into(),
        ),
        (
            "metres.geojson",
            one("{\"adcode\":\"110117\"}", "[[12950000.0,4850000.0],[12960000.0,4850000.0],[12960000.0,4860000.0],[12950000.0,4850000.0]]"),
            "not lon/lat".into(),
        ),
        (
            "crs.geojson",
            counties.replacen(
                "\"type\":\"FeatureCollection\"",
                "\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::3857\"}}",
                1,
            ),
            "declares the CRS 'urn:ogc:def:crs:EPSG::3857'".into(),
        ),
    ];
    let latest = wd.latest();
    let charts = wd.path(&format!("out/{}/charts", latest.trim()));
    for (file, content, needle) in cases {
        wd.write(file, content);
        let c = wd.write("bad.toml", with(file));
        let err = wd.fails(&["render", "--config", c.to_str().unwrap()]);
        assert!(err.contains(&needle), "{file}: {err}");
        assert!(
            err.contains(file),
            "{file}: the message names the file: {err}"
        );
        assert!(!charts.exists(), "{file}: charts were written");
    }
    // Above the stated limit.
    let c = wd.write(
        "big.toml",
        common::with_render_key(&text, "boundary_max_mb = 0.001"),
    );
    let err = wd.fails(&["render", "--config", c.to_str().unwrap()]);
    assert!(err.contains("above render.boundary_max_mb"), "{err}");
    // Streets on county units: a street has no data of its own.
    let county_cfg = text.replace(
        "analysis_level = \"community\"",
        "analysis_level = \"county\"",
    );
    let county_cfg = county_cfg.replace(
        &text
            .lines()
            .find(|l| l.starts_with("output"))
            .unwrap()
            .to_string(),
        &format!("output = {:?}", wd.path("out-county").to_string_lossy()),
    );
    // The config still renders a county run: the street file is left out,
    // said so under the maps.
    let c = wd.write("county.toml", county_cfg);
    wd.ok(&["compare", "--config", c.to_str().unwrap()]);
    wd.ok(&["render", "--config", c.to_str().unwrap()]);
    let run = wd.path("out-county/latest");
    let manifest = std::fs::read_to_string(run.join("charts/manifest.json")).unwrap();
    assert!(
        manifest.contains(
            "boundaries-streets.geojson 为街道乡镇级，细于本次运行的分析单位（区县），未绘制"
        ),
        "{manifest}"
    );
    assert!(run.join("charts/map_county_index.svg").is_file());
    assert!(!run.join("charts/map_street_index.svg").exists());
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains("细于本次运行的分析单位"));
    // A source is required with boundaries.
    let c = wd.write(
        "nosource.toml",
        text.replace(
            &text
                .lines()
                .find(|l| l.starts_with("boundary_source"))
                .unwrap()
                .to_string(),
            "",
        ),
    );
    let err = wd.fails(&["render", "--config", c.to_str().unwrap()]);
    assert!(err.contains("render.boundary_source"), "{err}");
}

/// A region of the boundaries without data is hatched and counted; a region
/// of the data without a boundary is listed — both under the map.
#[test]
fn regions_without_data_and_data_without_boundaries_are_said_under_the_map() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let text = std::fs::read_to_string(&cfg).unwrap();
    let counties = sample_counties();
    // 婺城区 (330702) becomes 兰溪市 (330781), which has no units: one region
    // without data, one region of the data without a boundary.
    wd.write(
        "counties.geojson",
        counties.replace("\"adcode\":\"330702\"", "\"adcode\":\"330781\""),
    );
    let c = wd.write(
        "moved.toml",
        with_boundaries(&text, &wd.path("counties.geojson")),
    );
    wd.ok(&["render", "--config", c.to_str().unwrap()]);
    let svg = std::fs::read_to_string(wd.path(&format!(
        "out/{}/charts/map_county_index.svg",
        wd.latest().trim()
    )))
    .unwrap();
    let p = paths(&svg);
    let moved = p.iter().find(|x| x.0 == "330781").unwrap();
    assert!(moved.1.starts_with("url(#nodata") && moved.2.is_none());
    assert_eq!(
        p.iter().filter(|x| x.1.starts_with("url(#nodata")).count(),
        1
    );
    assert!(svg.contains("1 个区域无数据（斜线）。"), "{svg}");
    assert!(svg.contains("数据中 1 个区域在底图中没有边界：330702。"));
    assert!(svg.contains(">无数据</text>"), "the legend keys the hatch");
}
