//! The dashboard as an office opens it on an intranet without internet:
//! headless Chromium through the DevTools protocol (tests/js/dashboard.mjs,
//! playwright-core driving the system's Chromium) with every request
//! failed. No request is attempted, nothing is written to the console,
//! every chart draws or says why in its place, and a period chosen or a
//! region clicked changes the ranking's first entry to the unit the run's
//! own tables say is first. Names from the inputs stay text.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Workdir;
use serde_json::{json, Value};

/// Node.js with playwright-core (tests/js) and Chromium; CI has them
/// (.ci/run runs `npm ci` in tests/js).
fn browser() -> bool {
    let js = common::repo().join("tests/js/node_modules/playwright-core");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let chromium = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let ok = js.is_dir() && node && chromium;
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Node.js, Chromium and tests/js's playwright-core (.ci/run)"
        );
        eprintln!(
            "SKIPPED: node, chromium or tests/js/node_modules (npm ci --prefix tests/js) missing"
        );
    }
    ok
}

/// Opens `page`, runs `steps` (see tests/js/dashboard.mjs), returns what
/// the browser saw.
fn drive(wd: &Workdir, page: &Path, steps: Value) -> Value {
    let steps_file = wd.write(
        &format!(
            "steps-{}.json",
            blake3::hash(page.to_string_lossy().as_bytes()).to_hex()
        ),
        steps.to_string(),
    );
    let out = steps_file.with_extension("out.json");
    let o = Command::new("node")
        .arg(common::repo().join("tests/js/dashboard.mjs"))
        .arg(page)
        .arg(&steps_file)
        .arg(&out)
        .output()
        .expect("node runs");
    assert!(
        o.status.success(),
        "the browser driver failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    eprint!("{}", String::from_utf8_lossy(&o.stdout));
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

/// The unit the run's tables rank first by the index in `period` among the
/// units whose code starts with `prefix` (highest score; ties by code).
fn best(run: &Path, period: &str, prefix: &str) -> String {
    let text = std::fs::read_to_string(run.join("tables/index_scores.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (c, p, s) = (at("region_code"), at("period"), at("score"));
    let mut top: Option<(f64, String)> = None;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let Ok(v) = f[s].parse::<f64>() else { continue };
        if f[p] != period || !f[c].starts_with(prefix) {
            continue;
        }
        let better = match &top {
            None => true,
            Some((b, code)) => v > *b || (v == *b && f[c] < code.as_str()),
        };
        if better {
            top = Some((v, f[c].to_string()));
        }
    }
    top.expect("a unit with a score").1
}

/// No request, nothing in the console (errors or warnings).
/// The district the reports' rule ranks first by the index in `period`:
/// its units' scores weighted by their population (render/counts.rs).
fn best_district(run: &Path, period: &str) -> String {
    let read = |name: &str| -> (Vec<String>, Vec<Vec<String>>) {
        let text = std::fs::read_to_string(run.join(format!("tables/{name}.csv"))).unwrap();
        let mut lines = text.lines();
        let head = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        (
            head,
            lines
                .map(|l| l.split(',').map(str::to_string).collect())
                .collect(),
        )
    };
    let (uh, units) = read("units");
    let at = |h: &[String], n: &str| h.iter().position(|x| x == n).unwrap();
    let (uc, ud, up) = (
        at(&uh, "region_code"),
        at(&uh, "district"),
        at(&uh, "population"),
    );
    let of: std::collections::HashMap<String, (String, f64)> = units
        .iter()
        .filter_map(|u| Some((u[uc].clone(), (u[ud].clone(), u[up].parse::<f64>().ok()?))))
        .collect();
    let (sh, scores) = read("index_scores");
    let (sc, sp, ss) = (at(&sh, "region_code"), at(&sh, "period"), at(&sh, "score"));
    let mut sums: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    for r in scores.iter().filter(|r| r[sp] == period) {
        let (Ok(v), Some((d, pop))) = (r[ss].parse::<f64>(), of.get(&r[sc])) else {
            continue;
        };
        if *pop > 0.0 {
            let e = sums.entry(d.clone()).or_default();
            e.0 += pop * v;
            e.1 += pop;
        }
    }
    sums.into_iter()
        .map(|(d, (s, n))| (s / n, d))
        .fold(None, |best: Option<(f64, String)>, (v, d)| match best {
            Some((b, bd)) if b > v || (b == v && bd < d) => Some((b, bd)),
            _ => Some((v, d)),
        })
        .unwrap()
        .1
}

fn offline_and_quiet(seen: &Value) {
    assert_eq!(seen["requests"], json!([]), "the page asked for something");
    assert_eq!(seen["errors"], json!([]), "the console");
}

/// Every chart drew, but those in `said`, which say the given words in
/// place of the chart.
fn drawn(obs: &Value, said: &[(&str, &str)]) {
    for (id, c) in obs["charts"].as_object().unwrap() {
        match said.iter().find(|(s, _)| s == id) {
            Some((_, words)) => {
                let m = c["message"].as_str().unwrap_or_default();
                assert!(
                    m.contains(words),
                    "{id} says {m:?}, not {words:?} ({})",
                    obs["step"]
                );
                assert_eq!(c["drawn"], json!(false), "{id}");
            }
            None => assert_eq!(
                c["drawn"],
                json!(true),
                "{id} is blank ({}): {c}",
                obs["step"]
            ),
        }
    }
}

fn run_dir(wd: &Workdir) -> PathBuf {
    wd.path("out").join(wd.latest())
}

/// The district report (and dashboard) of 平谷区 (110117) for 2024.
fn report_of_pinggu(wd: &Workdir, cfg: &Path, lang: &str) {
    let cfg = cfg.to_str().unwrap();
    let args = [
        "report",
        "--config",
        cfg,
        "--district",
        "110117",
        "--period",
        "2024",
        "--lang",
        lang,
    ];
    wd.ok(&args);
}

/// The sample run with the district report of 平谷区 (110117), made once.
fn sample() -> &'static (Workdir, PathBuf) {
    static ONE: std::sync::OnceLock<(Workdir, PathBuf)> = std::sync::OnceLock::new();
    ONE.get_or_init(|| {
        let wd = Workdir::new();
        let cfg = common::sample_config(&wd, "\n[compare]\ndraws = 99\n\n[index]\ndraws = 50\n");
        wd.ok(&["run", "--config", cfg.to_str().unwrap()]);
        report_of_pinggu(&wd, &cfg, "zh");
        (wd, cfg)
    })
}

/// The sentence the sample's page says in place of the province tiles.
const NO_TILES: &str = "省级方块图不能代表全省";

#[test]
fn the_dashboard_opens_offline_draws_every_chart_and_follows_period_and_region() {
    if !browser() {
        return;
    }
    let (wd, _) = sample();
    let run = run_dir(wd);
    let page = run.join("dashboard.html");
    let bytes = std::fs::metadata(&page).unwrap().len();
    assert!(bytes < 3_000_000, "dashboard.html is {bytes} bytes");
    let shots = std::env::var_os("GOVLENS_SCREENSHOTS").map(PathBuf::from);
    let mut steps = vec![
        json!({"do": "select", "id": "f-period", "value": "2020"}),
        json!({"do": "click", "kind": "map", "code": "110117"}),
    ];
    if let Some(d) = &shots {
        steps.push(json!({"do": "screenshot", "path": d.join("dashboard-filtered.png")}));
    }
    // A model none of 平谷区's units follow: every chart says so.
    steps.push(json!({"do": "select", "id": "f-model", "value": "integrated"}));
    steps.push(json!({"do": "clear"}));
    if let Some(d) = &shots {
        steps.push(json!({"do": "screenshot", "path": d.join("dashboard.png")}));
    }
    let seen = drive(wd, &page, json!(steps));
    offline_and_quiet(&seen);
    let s = seen["seen"].as_array().unwrap();
    let first = |i: usize| s[i]["first"].as_str().unwrap_or_default().to_string();

    // Opened at the latest period, every unit: the index's best unit.
    drawn(&s[0], &[("c-tiles", NO_TILES)]);
    assert_eq!(first(0), best(&run, "2024", ""));
    // Another period: its best unit, which the data says is another one.
    assert_eq!(s[1]["period"], "2020");
    assert_eq!(first(1), best(&run, "2020", ""));
    assert_ne!(
        first(1),
        first(0),
        "the sample's best unit should differ between 2020 and 2024"
    );
    drawn(&s[1], &[("c-tiles", NO_TILES)]);
    // 平谷区 clicked on the map: the best of its units in 2020.
    assert_eq!(s[2]["region"], "110117", "{}", s[2]["step"]);
    assert_eq!(first(2), best(&run, "2020", "110117"));
    assert_ne!(first(2), first(1));
    drawn(&s[2], &[("c-tiles", NO_TILES)]);
    // No unit of 平谷区 follows the integrated model: said in place.
    let none = "没有符合筛选条件的单位";
    drawn(
        &s[3],
        &[
            ("c-tiles", NO_TILES),
            ("c-ranking", none),
            ("c-trend", none),
            ("c-boxes", none),
            ("c-alerts", "没有预警"),
        ],
    );
    assert_eq!(s[3]["first"], Value::Null);
    // Cleared: as opened but for the period.
    assert_eq!(s[4]["region"], "");
    assert_eq!(first(4), best(&run, "2020", ""));
    // The licences are on the page.
    let text = s[0]["text"].as_str().unwrap();
    for words in [
        "开源许可",
        "Apache ECharts 6.1.0",
        "ZRender",
        "Apache License",
    ] {
        assert!(
            text.contains(words) || std::fs::read_to_string(&page).unwrap().contains(words),
            "{words}"
        );
    }
}

/// A district's page beside its report: opens on the district, its key
/// figures the report's own, in English too.
#[test]
fn the_district_dashboard_opens_on_its_district_with_its_reports_figures() {
    if !browser() {
        return;
    }
    let (wd, cfg) = sample();
    let run = run_dir(wd);
    let dir = run.join("district-110117-2024");
    let page = dir.join("dashboard.html");
    let shots = std::env::var_os("GOVLENS_SCREENSHOTS").map(PathBuf::from);
    let steps = match &shots {
        Some(d) => json!([{"do": "screenshot", "path": d.join("dashboard-district.png")}]),
        None => json!([]),
    };
    let mut steps = steps.as_array().unwrap().clone();
    // Ranked among all districts: the district is not ranked alone.
    steps.push(json!({"do": "select", "id": "f-level", "value": "districts"}));
    let seen = drive(wd, &page, json!(steps));
    offline_and_quiet(&seen);
    let all = seen["seen"].as_array().unwrap();
    let last = &all[all.len() - 1];
    assert_eq!(last["first"].as_str().unwrap(), best_district(&run, "2024"));
    assert_ne!(
        last["first"], "110117",
        "平谷区 is not the sample's best district"
    );
    let s = &seen["seen"][0];
    assert_eq!(s["region"], "110117");
    assert_eq!(s["first"].as_str().unwrap(), best(&run, "2024", "110117"));
    drawn(s, &[("c-tiles", NO_TILES)]);
    // The alerts of the period: the report's own, as many.
    let html_page = std::fs::read_to_string(&page).unwrap();
    let data: Value = serde_json::from_str(
        html_page
            .split("id=\"govlens-data\">")
            .nth(1)
            .and_then(|t| t.split("</script>").next())
            .unwrap(),
    )
    .unwrap();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let mine = data["alerts"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["period"] == "2024" && a["code"].as_str().unwrap().starts_with("110117"))
        .count();
    assert_eq!(
        json!(mine),
        manifest["alerts"],
        "the dashboard's alerts and the report's"
    );
    // The report's cards: index, resolution rate, visits, coverage (its
    // order: district.rs KEY_METRICS), value for value.
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let values: Vec<&str> = html
        .split("<div class=\"value\">")
        .skip(1)
        .map(|p| p.split('<').next().unwrap())
        .collect();
    for (k, metric) in [
        (0, "score"),
        (1, "resolution_rate"),
        (4, "visits_per_1k"),
        (5, "center_coverage"),
    ] {
        assert_eq!(
            s["cards"][metric].as_str().unwrap(),
            values[k],
            "{metric}: the dashboard's card and the report's"
        );
    }

    // English: the same first unit, English words.
    report_of_pinggu(wd, cfg, "en");
    let steps = match &shots {
        Some(d) => json!([{"do": "screenshot", "path": d.join("dashboard-en.png")}]),
        None => json!([]),
    };
    let seen = drive(wd, &page, steps);
    offline_and_quiet(&seen);
    let s = &seen["seen"][0];
    let text = s["text"].as_str().unwrap();
    assert!(
        text.contains("Key figures") && text.contains("Ranking"),
        "{text}"
    );
    assert_eq!(s["first"].as_str().unwrap(), best(&run, "2024", "110117"));
}

/// Region names that are markup and script, quotes and a line break, a
/// period without service data and boundaries of other codes.
#[test]
fn hostile_names_stay_text_and_bad_input_is_said_in_place_of_the_chart() {
    if !browser() {
        return;
    }
    let wd = Workdir::new();
    let cfg = common::hostile_sample(&wd);
    let regions = std::fs::read_to_string(wd.path("regions.csv"))
        .unwrap()
        .replace(
            "110117001,滨河街道,",
            "110117001,\"</script><script>window.__pwned=1</script>\",",
        )
        .replace(
            "110109,门头沟区,",
            "110109,\"<img src=x onerror=\"\"window.__pwned=1\"\">\",",
        )
        .lines()
        .map(|l| match l.strip_prefix("110117001002,") {
            // A unit's name with quotes, a line break and U+2028.
            Some(rest) => format!(
                "110117001002,\"引号\"\"'\n换行\u{2028}社区\",{}",
                rest.split_once(',').unwrap().1
            ),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    wd.write("regions.csv", regions);
    // 2015 without any service data: its visits have no values.
    let usage = std::fs::read_to_string(wd.path("service_usage.csv")).unwrap();
    let kept: Vec<&str> = usage
        .lines()
        .filter(|l| l.split(',').nth(1) != Some("2015"))
        .collect();
    wd.write("service_usage.csv", kept.join("\n") + "\n");
    // Boundaries of codes no unit has.
    wd.write(
        "elsewhere.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":"990101","name":"别处区"},"geometry":{"type":"Polygon","coordinates":[[[100,30],[100.2,30],[100.2,30.2],[100,30.2],[100,30]]]}}]}"#,
    );
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "[render]\n",
        "[render]\nboundaries = \"elsewhere.geojson\"\nboundary_source = \"test\"\n",
    );
    std::fs::write(&cfg, text).unwrap();
    wd.ok(&["run", "--config", cfg.to_str().unwrap()]);
    let page = run_dir(&wd).join("dashboard.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // The data element holds no markup of the inputs.
    let data = html
        .split("id=\"govlens-data\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    assert!(
        !data.contains('<') && !data.contains('>'),
        "markup in the page's data"
    );
    let seen = drive(
        &wd,
        &page,
        json!([
            {"do": "select", "id": "f-district", "value": "110117"},
            {"do": "select", "id": "f-period", "value": "2015"},
            {"do": "select", "id": "f-metric", "value": "visits_per_1k"},
        ]),
    );
    offline_and_quiet(&seen);
    let s = seen["seen"].as_array().unwrap();
    for o in s {
        assert_eq!(
            o["pwned"],
            json!(false),
            "a name ran as script ({})",
            o["step"]
        );
        assert_eq!(
            o["injected"],
            json!(0),
            "a name became an element ({})",
            o["step"]
        );
    }
    // The names as text: the district and street filters list them.
    let text = s[1]["text"].as_str().unwrap();
    for name in [
        "@平谷区<i>",
        "<img src=x onerror=\"window.__pwned=1\">",
        "</script><script>window.__pwned=1</script>",
    ] {
        assert!(text.contains(name), "{name:?} not shown as text");
    }
    // Boundaries of other codes: said in place of the map.
    drawn(&s[0], &[("c-tiles", NO_TILES), ("c-map", "对不上")]);
    // 2015 has no visits: said in place of the ranking and the boxes.
    let none = "本期没有该指标的数据";
    drawn(
        &s[3],
        &[
            ("c-tiles", NO_TILES),
            ("c-map", "对不上"),
            ("c-ranking", none),
            ("c-boxes", none),
        ],
    );
}

/// The province tiles: the sample covers too few counties of any province
/// for them (the page says so, above), so the tiles the page draws and
/// their clicks are checked on the sample's page with the provinces of its
/// districts listed as covered — the page's drawing, not the coverage rule
/// (tests/maps.rs has that).
#[test]
fn the_province_tiles_draw_and_a_click_filters_by_province() {
    if !browser() {
        return;
    }
    let (wd, _) = sample();
    let run = run_dir(wd);
    let html = std::fs::read_to_string(run.join("dashboard.html")).unwrap();
    let (head, rest) = html.split_once("id=\"govlens-data\">").unwrap();
    let (json_text, tail) = rest.split_once("</script>").unwrap();
    let mut data: Value = serde_json::from_str(json_text).unwrap();
    data["tiles"] = json!([
        {"code": "11", "name": "北京", "col": 5, "row": 1},
        {"code": "33", "name": "浙江", "col": 6, "row": 5},
        {"code": "51", "name": "四川", "col": 2, "row": 4},
    ]);
    data["tile_note"] = Value::Null;
    let page = wd.write(
        "tiles.html",
        format!(
            "{head}id=\"govlens-data\">{}</script>{tail}",
            govlens::render::dashboard::json_in_script(&data.to_string())
        ),
    );
    let seen = drive(
        wd,
        &page,
        json!([{"do": "click", "kind": "tiles", "code": "33"}]),
    );
    offline_and_quiet(&seen);
    let s = seen["seen"].as_array().unwrap();
    drawn(&s[0], &[]);
    assert_eq!(s[1]["region"], "33");
    assert_eq!(s[1]["first"].as_str().unwrap(), best(&run, "2024", "33"));
}
