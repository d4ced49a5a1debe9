//! `govlens render`: every chart as SVG and PNG with Chinese labels from the
//! bundled font; bad input refused with `latest` untouched.

mod common;

use common::{repo, Workdir};
use govlens::render::{font, labels};

const CHARTS: [&str; 15] = [
    "age_structure",
    "resolution_rate",
    "resolution_trend",
    "centre_visits",
    "centre_coverage",
    "index_ranks",
    "index_models",
    "event_study",
    "data_quality",
    "configuration_table",
    "qca_xy",
    "sensitivity",
    "sensitivity_ranks",
    "index_correlations",
    "index_distributions",
];

fn sample_run(wd: &Workdir) -> std::path::PathBuf {
    let cfg = common::sample_config(
        wd,
        "\n[compare]\ndraws = 99\nadoption_metrics = [\"resolution_rate\"]\n\n[index]\ndraws = 50\n",
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    wd.ok(&["compare", "--config", cfg.to_str().unwrap()]);
    cfg
}

#[test]
fn every_chart_is_drawn_as_svg_and_png_with_chinese_labels() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let out = wd.ok(&["render", "--config", cfg.to_str().unwrap()]);
    assert!(
        // 15 charts and 10 maps (the counties' and streets'; the sample
        // covers no province enough for its tile map).
        out.contains("25 charts") && out.contains("report.html"),
        "{out}"
    );
    let latest = wd.latest();
    let dir = wd.path(&format!("out/{}/charts", latest.trim()));
    for c in CHARTS {
        let png = std::fs::read(dir.join(format!("{c}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{c}.png");
        assert!(png.len() > 10_000, "{c}.png looks empty");
        let svg = std::fs::read_to_string(dir.join(format!("{c}.svg"))).unwrap();
        assert!(
            svg.contains("WenQuanYi Micro Hei, Noto Sans CJK SC"),
            "{c}.svg names no CJK font stack"
        );
        assert!(svg.contains("模拟数据"), "{c}.svg is not marked simulated");
    }
    let age = std::fs::read_to_string(dir.join("age_structure.svg")).unwrap();
    assert!(age.contains("党员") && age.contains("嵌入型"));
    // English labels on request, in the same place.
    wd.ok(&["render", "--config", cfg.to_str().unwrap(), "--lang", "en"]);
    let age = std::fs::read_to_string(dir.join("age_structure.svg")).unwrap();
    assert!(age.contains("Embedded") && age.contains("simulated data"));
}

#[test]
fn the_bundled_font_has_every_glyph_the_sample_labels_use() {
    let mut text = labels::all_text();
    // Region names, for labels that show them.
    for f in [
        "datasets/reference/sample-areas.csv",
        "datasets/sample/regions.csv",
    ] {
        text.push_str(&std::fs::read_to_string(repo().join(f)).unwrap());
    }
    let missing = font::missing_glyphs(font::BUNDLED, &text);
    assert!(missing.is_empty(), "the bundled font lacks {missing:?}");
    // And the check itself can fail.
    assert_eq!(
        font::missing_glyphs(font::BUNDLED, "\u{1F600}"),
        vec!['\u{1F600}']
    );
}

#[test]
fn an_unknown_run_and_a_missing_font_are_refused_with_latest_untouched() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let before = wd.latest();
    let err = wd.fails(&["render", "--config", cfg.to_str().unwrap(), "--run", "nope"]);
    assert!(
        err.contains("run 'nope' not found") && err.contains(before.trim()),
        "{err}"
    );
    let err = wd.fails(&[
        "render",
        "--config",
        cfg.to_str().unwrap(),
        "--font",
        "no/such.ttf",
    ]);
    assert!(err.contains("no/such.ttf"), "{err}");
    let err = wd.fails(&["render", "--config", cfg.to_str().unwrap(), "--lang", "fr"]);
    assert!(err.contains("--lang"), "{err}");
    assert_eq!(before, wd.latest());
    assert!(
        !wd.path(&format!("out/{}/charts", before.trim())).exists(),
        "nothing half-written"
    );
}

#[test]
fn report_html_is_self_contained_and_the_notebook_is_valid_nbformat() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    wd.ok(&["render", "--config", cfg.to_str().unwrap()]);
    let latest = wd.latest();
    let run = wd.path(&format!("out/{}", latest.trim()));
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    for needle in ["http:", "https:", "src=", "href=", "@import"] {
        assert!(!html.contains(needle), "report.html has {needle:?}");
    }
    // Every url() is the embedded font's data URL (once) or a reference
    // inside the page (a map's hatch pattern or colour ramp): nothing outside.
    let urls: Vec<&str> = html.split("url(").skip(1).collect();
    assert!(urls
        .iter()
        .all(|u| u.starts_with("data:font/woff2;base64,") || u.starts_with('#')));
    assert_eq!(urls.iter().filter(|u| u.starts_with("data:")).count(), 1);
    let ids = html.matches(" id=\"").count();
    let unique: std::collections::BTreeSet<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(ids, unique.len(), "every id of the page is unique");
    assert!(html.contains("<svg") && html.contains("主要发现") && html.contains("模拟数据"));
    assert!(html.contains("@media print") && html.contains("A4"));
    assert!(html.contains(latest.trim()), "provenance names the run");
    assert!(!html.contains("-0 条"), "no negative zero");
    let nb: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.ipynb")).unwrap()).unwrap();
    assert_eq!(nb["nbformat"], 4);
    let cells = nb["cells"].as_array().unwrap();
    assert!(cells.iter().any(|c| c["source"]
        .as_str()
        .unwrap_or("")
        .contains("pl.read_parquet")));
    assert!(cells.iter().any(|c| c["outputs"]
        .as_array()
        .is_some_and(|o| o.iter().any(|x| x["data"]["image/png"].is_string()))));
    if !common::python_has("nbformat") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install nbformat (.ci/run)"
        );
        eprintln!("SKIPPED: nbformat validation (pip install nbformat)");
        return;
    }
    common::assert_valid_notebook(&run.join("report.ipynb"));
}

/// Loads `page` in headless Chromium and returns the console lines it logged.
fn chromium_console(page: &std::path::Path, profile: &std::path::Path) -> Option<Vec<String>> {
    let out = common::chromium(
        profile,
        &[
            "--enable-logging=stderr".into(),
            "--v=0".into(),
            "--dump-dom".into(),
            format!("file://{}", page.display()),
        ],
    )
    .output()
    .ok()?;
    if !out.status.success() {
        return None;
    }
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<html"), "chromium rendered nothing");
    Some(
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn report_html_opens_in_headless_chromium_without_console_errors() {
    let has = std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (.ci/run)"
        );
        eprintln!("SKIPPED: chromium not found (apt-get install chromium)");
        return;
    }
    let wd = Workdir::new();
    // The check itself can fail: a page that logs an error is caught.
    let bad = wd.write(
        "bad.html",
        "<html><body><script>console.error('boom')</script></body></html>",
    );
    let caught = chromium_console(&bad, &wd.path("profile-a")).expect("chromium runs");
    assert!(caught.iter().any(|l| l.contains("boom")), "{caught:?}");
    let cfg = sample_run(&wd);
    wd.ok(&["render", "--config", cfg.to_str().unwrap()]);
    let latest = wd.latest();
    let page = wd.path(&format!("out/{}/report.html", latest.trim()));
    let console = chromium_console(&page, &wd.path("profile-b")).expect("chromium runs");
    assert!(console.is_empty(), "console messages: {console:?}");
}

#[test]
fn a_district_report_shows_alerts_and_suppressed_small_cells() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let out = wd.ok(&[
        "report",
        "--config",
        cfg.to_str().unwrap(),
        "--district",
        "110117",
        "--period",
        "2024",
    ]);
    let n: usize = out.split_whitespace().next().unwrap().parse().unwrap();
    assert!(n >= 1, "no alert: {out}");
    let latest = wd.latest();
    let dir = wd.path(&format!("out/{}/district-110117-2024", latest.trim()));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains(">*<"), "no withheld cell shown");
    assert!(html.contains("预警明细") && html.contains("低调解率"));
    assert!(html.contains("各社区治理效能排名") && html.contains("其他所有区县"));
    assert!(html.contains("金谷东园社区居委会"), "units by name");
    // English on request, every heading and alert in it.
    let cfg_s = cfg.to_str().unwrap();
    wd.ok(&[
        "report",
        "--config",
        cfg_s,
        "--district",
        "110117",
        "--period",
        "2024",
        "--lang",
        "en",
    ]);
    let en = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(en.contains("Alerts by kind") && en.contains("low resolution rate"));
    assert!(
        !en.contains("预警") && !en.contains("调解成功率"),
        "Chinese left in the English report"
    );
    // The published band table itself holds no small cell of a community.
    let bands = common::parquet(&wd.path(&format!(
        "out/{}/tables/member_bands.parquet",
        latest.trim()
    )));
    let counts = bands.column("count").unwrap().f64().unwrap();
    assert!(
        counts.iter().flatten().all(|c| c >= 5.0),
        "a small cell was published"
    );
    assert!(counts.null_count() > 0);
    for (args, needle) in [
        (
            ["--district", "999999", "--period", "2024"],
            "district 999999 has no units in this run",
        ),
        (
            ["--district", "110117", "--period", "2031"],
            "period 2031 has no data",
        ),
    ] {
        let mut a = vec!["report", "--config", cfg.to_str().unwrap()];
        a.extend(args);
        let err = wd.fails(&a);
        assert!(err.contains(needle), "{err}");
    }
    assert_eq!(latest, wd.latest());
}

#[test]
fn config_render_keys_are_checked_and_a_blocked_output_is_refused() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let text = std::fs::read_to_string(&cfg).unwrap();
    let bad = wd.write(
        "bad.toml",
        common::with_render_key(&text, "size = \"10x10\""),
    );
    let err = wd.fails(&["render", "--config", bad.to_str().unwrap()]);
    assert!(err.contains("render.size"), "{err}");
    let font = wd.write(
        "font.toml",
        common::with_render_key(&text, "font = \"missing.ttf\""),
    );
    let err = wd.fails(&["render", "--config", font.to_str().unwrap()]);
    assert!(err.contains("missing.ttf"), "{err}");
    // The charts folder cannot be written (a file stands in its place):
    // refused, nothing replaced, latest untouched.
    let latest = wd.latest();
    let blocked = wd.write(&format!("out/{}/charts", latest.trim()), "not a folder");
    let err = wd.fails(&["render", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("charts"), "{err}");
    assert_eq!(std::fs::read_to_string(&blocked).unwrap(), "not a folder");
    assert_eq!(latest, wd.latest());
}

/// `[compare] alpha` (R's `alp`) reaches every place that states the
/// adoption effects' level: the run's `adoption_tests.alpha`, the event
/// study's title and legend, the report's heading, note, definition and
/// sentences — 90% throughout, no 95% band left; a bad value names its key.
#[test]
fn compare_alpha_sets_the_level_the_report_states() {
    let wd = Workdir::new();
    let bad = common::sample_config(&wd, "\n[compare]\nalpha = 2\n");
    let err = wd.fails(&["ingest", "--config", bad.to_str().unwrap()]);
    assert!(err.contains("compare.alpha"), "{err}");
    let cfg = common::sample_config(
        &wd,
        "\n[compare]\nalpha = 0.1\ndraws = 99\nadoption_metrics = [\"resolution_rate\", \"satisfaction\", \"share_young:cadre\"]\n\n[index]\ndraws = 50\n",
    );
    let c = cfg.to_str().unwrap();
    wd.ok(&["ingest", "--config", c]);
    wd.ok(&["compare", "--config", c]);
    wd.ok(&["render", "--config", c]);
    let run = wd.path(&format!("out/{}", wd.latest().trim()));
    let tests = common::parquet(&run.join("tables/adoption_tests.parquet"));
    assert_eq!(common::f64s(&tests, "alpha"), vec![Some(0.1); 3]);
    let svg = std::fs::read_to_string(run.join("charts/event_study.svg")).unwrap();
    assert!(
        svg.contains("90%") && !svg.contains("95%"),
        "event_study.svg"
    );
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(
        html.contains("90% 一致置信带"),
        "the report names no 90% band"
    );
    assert!(html.contains("90% 区间下限"), "the effects' columns");
    // The effects are judged at 10%; the pre-test is still read at 5%.
    assert!(
        html.contains("在 10% 水平判断（90% 区间）"),
        "the limitations"
    );
    assert!(html.contains("预检验仍按 5% 水平判断"), "the pre-test note");
    // What may still say 95%: the model means' bootstrap intervals, the
    // index's rank range, and the pre-test's note (a test at 5%, not alpha).
    for (i, _) in html.match_indices("95%") {
        let around: String = html[..i]
            .chars()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let kept = [
            "均值",
            "中位数",
            "标准差",
            "排名",
            "5–",
            "ST",
            "采用前各期的 ",
            "百分位",
        ];
        assert!(
            kept.iter().any(|k| around.contains(k)),
            "a 95% left in the report: …{around}95%"
        );
    }
}
