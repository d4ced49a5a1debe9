//! The district report as the clerk who forwards it reads it: every alert
//! kind with its count, the counts behind every rate, small cells that stay
//! hidden whatever one computes from the rest, one figure for the district
//! in every document, no developer words in the Chinese body, and file
//! properties that name the issuer and the date.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{f64s, python_readers, read_reports, strs, Workdir};
use govlens::render::disclosure::{determined, Form};
use serde_json::Value;

/// The sample through compare and render, with an issuer and a date.
fn sample_run(wd: &Workdir) -> String {
    let cfg = common::sample_config(
        wd,
        "\n[compare]\ndraws = 99\n\n[index]\ndraws = 50\n\n[report]\nissuer = \"平谷区委组织部<b>&\"\ndate = \"2025-01-15\"\n",
    );
    let cfg = cfg.to_str().unwrap().to_string();
    wd.ok(&["ingest", "--config", &cfg]);
    wd.ok(&["compare", "--config", &cfg]);
    wd.ok(&["render", "--config", &cfg]);
    cfg
}

fn report(wd: &Workdir, cfg: &str, district: &str) -> PathBuf {
    wd.ok(&[
        "report",
        "--config",
        cfg,
        "--district",
        district,
        "--period",
        "2024",
    ]);
    wd.path(&format!("out/{}/district-{district}-2024", wd.latest()))
}

/// The rows of the XLSX sheet whose name starts with `name`, under its
/// header row (the header is the row whose first cell is `first`).
fn sheet_rows<'a>(r: &'a Value, name: &str) -> &'a Vec<Value> {
    let sheets = r["xlsx"]["sheets"].as_object().unwrap();
    let (_, s) = sheets
        .iter()
        .find(|(k, _)| k.starts_with(name))
        .unwrap_or_else(|| panic!("no sheet {name}: {:?}", sheets.keys().collect::<Vec<_>>()));
    s["rows"].as_array().unwrap()
}

/// A table sheet as header → column, and its data rows.
fn table<'a>(r: &'a Value, name: &str) -> (Vec<String>, Vec<&'a Vec<Value>>) {
    let rows = sheet_rows(r, name);
    // Row 1 is the caption, row 2 the header.
    let header: Vec<String> = rows[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    let data = rows[2..].iter().map(|r| r.as_array().unwrap()).collect();
    (header, data)
}

fn col(header: &[String], starts: &str) -> usize {
    header
        .iter()
        .position(|h| h.starts_with(starts))
        .unwrap_or_else(|| panic!("no column {starts} in {header:?}"))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// The HTML's visible text (tags dropped).
fn visible(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut tag = false;
    let mut skip = false;
    let mut i = 0;
    let b = body.as_bytes();
    while i < b.len() {
        if body[i..].starts_with("<style")
            || body[i..].starts_with("<svg")
            || body[i..].starts_with("<script")
        {
            skip = true;
        }
        if skip
            && (body[i..].starts_with("</style>")
                || body[i..].starts_with("</svg>")
                || body[i..].starts_with("</script>"))
        {
            skip = false;
        }
        let c = body[i..].chars().next().unwrap();
        if c == '<' {
            tag = true;
        } else if c == '>' {
            tag = false;
            out.push(' ');
        } else if !tag && !skip {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out
}

#[test]
fn the_district_report_shows_every_alert_kind_the_counts_behind_its_rates_and_no_developer_words() {
    if !python_readers() {
        return;
    }
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let dir = report(&wd, &cfg, "110117");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let r = read_reports(&dir);

    // Every alert kind, in order of severity, with its count and its rule.
    let (h, rows) = table(&r, "预警汇总");
    let kinds: Vec<String> = rows.iter().map(|row| text(&row[col(&h, "类别")])).collect();
    assert_eq!(
        kinds,
        ["低调解率", "干部年龄偏大", "干部老化加快", "服务中心缺项"]
    );
    for row in &rows {
        assert!(row[col(&h, "单位数")].is_number(), "{row:?}");
        assert!(!text(&row[col(&h, "规则")]).is_empty());
    }
    for k in &kinds {
        assert!(html.contains(k.as_str()), "report.html lacks the kind {k}");
    }
    // The detail lists each kind's units or says in one line that most have it.
    let (dh, detail) = table(&r, "预警明细");
    let total: f64 = rows
        .iter()
        .map(|row| row[col(&h, "单位数")].as_f64().unwrap())
        .sum();
    assert!(total > 0.0);
    for row in &rows {
        let n = row[col(&h, "单位数")].as_f64().unwrap() as usize;
        let k = text(&row[col(&h, "类别")]);
        let listed = detail
            .iter()
            .filter(|d| text(&d[col(&dh, "类别")]) == k)
            .count();
        assert!(n == 0 || listed >= 1, "{k}: {n} alerts, none in the detail");
        assert!(listed <= 11, "{k}: at most ten and a folded row");
    }

    // The counts beside every rate.
    let (bh, basis) = table(&r, "各单位指标与基数");
    for (rate, count) in [
        ("调解成功率", "受理数"),
        ("干部年长占比", "干部数"),
        ("千人服务人次", "服务人次"),
    ] {
        assert_eq!(
            col(&bh, count),
            col(&bh, rate) + 1,
            "{count} beside {rate}: {bh:?}"
        );
    }
    assert_eq!(basis.len(), 10, "every unit of 平谷区");
    for row in &basis {
        assert!(
            row[col(&bh, "受理数")].is_number() && row[col(&bh, "干部数")].is_number(),
            "{row:?}"
        );
    }
    // Ranks within the district and among all, each header saying which.
    let (lh, _) = table(&r, "单位排名");
    col(&lh, "区内排名");
    assert!(
        lh.iter().any(|c| c.starts_with("全部 340 个单位中排名")),
        "{lh:?}"
    );

    // The 概况 cards are numbers.
    let summary = sheet_rows(&r, "概况");
    let card = |label: &str| {
        summary
            .iter()
            .find(|row| text(&row[0]) == label)
            .map(|row| row[1].clone())
            .unwrap_or_else(|| panic!("no card {label}"))
    };
    assert!(card("调解成功率").is_number());
    assert!(card("治理效能指数").is_number());

    // No developer words in the Chinese body: the HTML before its appendix,
    // the Word paragraphs before it, and every sheet but 说明.
    let words = [
        "run_id",
        "seed",
        "bootstrap",
        "simulated",
        "docs/",
        ".md",
        "合同",
        "§",
        "R did",
        "schematic",
        "lon/lat",
        "parquet",
        "unit_metrics",
        "NaN",
        "None",
        "null",
        "elderly_care",
    ];
    let page = visible(&html);
    let body = page.split("附录：数据来源").next().unwrap();
    let docx_text = r["docx"]["text"].as_str().unwrap();
    let docx_body = docx_text.split("附录：数据来源").next().unwrap();
    for w in words {
        assert!(!body.contains(w), "report.html's body says {w:?}");
        assert!(!docx_body.contains(w), "report.docx's body says {w:?}");
        for (name, s) in r["xlsx"]["sheets"].as_object().unwrap() {
            if name == "说明" {
                continue;
            }
            for v in s["strings"].as_array().unwrap() {
                assert!(
                    !v.as_str().unwrap().contains(w),
                    "sheet {name} says {w:?}: {v}"
                );
            }
        }
    }
    for t in [docx_text, page.as_str()] {
        assert!(t.contains("附录：数据来源"), "the appendix is named");
    }
    // Issuer and date, in the page and the files' properties.
    // An issuer with markup characters stays text.
    assert!(html.contains("生成单位：平谷区委组织部&lt;b&gt;&amp;"));
    assert!(page.contains("报告日期：2025年1月15日"));
    assert_eq!(r["docx"]["core"]["author"], "平谷区委组织部<b>&");
    assert_eq!(r["xlsx"]["formulas"], 0);
    assert_eq!(r["docx"]["core"]["created"], "2025-01-15");
    // The Word file carries its font.
    assert!(r["docx"]["embedded_fonts"].as_u64().unwrap() >= 1);
}

/// The unknowns of one role: each unit's (young, middle, old) by code.
struct Ages {
    index: BTreeMap<String, usize>,
    counts: Vec<[f64; 3]>,
}

/// Every unit's ages in 2024 from the analyst's tables (not the report).
fn true_ages(run: &Path, role: &str) -> Ages {
    let um = common::parquet(&run.join("tables/unit_metrics.parquet"));
    let (c, p, m, b) = (
        strs(&um, "region_code"),
        strs(&um, "period"),
        strs(&um, "metric"),
        strs(&um, "breakdown"),
    );
    let v = f64s(&um, "value");
    let mut by: BTreeMap<String, [f64; 3]> = BTreeMap::new();
    for i in 0..um.height() {
        if p[i] != "2024" || b[i] != role {
            continue;
        }
        let e = by.entry(c[i].clone()).or_insert([f64::NAN; 3]);
        match m[i].as_str() {
            "members" => e[0] = v[i].unwrap(),
            "share_young" => e[1] = v[i].unwrap(),
            "share_old" => e[2] = v[i].unwrap(),
            _ => {}
        }
    }
    let mut index = BTreeMap::new();
    let mut counts = Vec::new();
    for (code, [n, y, o]) in by {
        let (y, o) = ((y * n).round(), (o * n).round());
        index.insert(code, counts.len());
        counts.push([y, n - y - o, o]);
    }
    Ages { index, counts }
}

/// Whether any withheld count can be worked out from what the report
/// prints: its age table (streets, the district), each unit's headcount and
/// printed share of the old, and the cards; as linear relations over every
/// unit's (young, middle, old).
fn recovered(r: &Value, run: &Path, district: &str) -> Vec<String> {
    let units = common::parquet(&run.join("tables/units.parquet"));
    let (codes, names, dists, streets, street_names) = (
        strs(&units, "region_code"),
        strs(&units, "region_name"),
        strs(&units, "district"),
        strs(&units, "street"),
        strs(&units, "street_name"),
    );
    let mine: Vec<usize> = (0..codes.len()).filter(|&i| dists[i] == district).collect();
    let (ah, age_rows) = table(r, "年龄结构");
    let (bh, basis) = table(r, "各单位指标与基数");
    let mut problems = Vec::new();
    for (role, role_zh) in [("cadre", "干部"), ("member", "党员")] {
        let ages = true_ages(run, role);
        let var = |code: &str, g: usize| ages.index[code] * 3 + g;
        let n = ages.counts.len() * 3;
        let mut rel: Vec<Form> = Vec::new();
        let mut targets: Vec<(String, Form)> = Vec::new();
        // Every unit's small counts are protected.
        for &i in &mine {
            for g in 0..3 {
                if ages.counts[ages.index[&codes[i]]][g] < 5.0 {
                    targets.push((
                        format!("{} {role} group {g}", names[i]),
                        vec![(var(&codes[i], g), 1.0)],
                    ));
                }
            }
        }
        // The age table: a street's row sums its units; the district's all.
        for row in age_rows
            .iter()
            .filter(|row| text(&row[col(&ah, "身份")]) == role_zh)
        {
            let place = text(&row[col(&ah, "乡镇街道")]);
            let members: Vec<usize> = if place.ends_with("合计") {
                mine.clone()
            } else {
                mine.iter()
                    .copied()
                    .filter(|&i| {
                        street_names[i] == place || (streets[i].is_empty() && names[i] == place)
                    })
                    .collect()
            };
            assert!(!members.is_empty(), "no units for the row {place}");
            for (g, head) in ["青年", "中年", "年长"].iter().enumerate() {
                let form: Form = members.iter().map(|&i| (var(&codes[i], g), 1.0)).collect();
                let cell = text(&row[col(&ah, head)]);
                if cell == "*" {
                    targets.push((format!("{place} {role_zh} {head}"), form));
                } else {
                    rel.push(form);
                }
            }
            let total: Form = members
                .iter()
                .flat_map(|&i| (0..3).map(move |g| (i, g)))
                .map(|(i, g)| (var(&codes[i], g), 1.0))
                .collect();
            rel.push(total);
        }
        // Each unit's cadre headcount, and its share of the old where printed.
        if role == "cadre" {
            for row in &basis {
                let cell = text(&row[0]);
                let Some(&i) = mine.iter().find(|&&i| cell.starts_with(&names[i])) else {
                    continue;
                };
                if row[col(&bh, "干部数")].is_number() {
                    rel.push((0..3).map(|g| (var(&codes[i], g), 1.0)).collect());
                }
                if row[col(&bh, "干部年长占比")].is_number() {
                    rel.push(vec![(var(&codes[i], 2), 1.0)]);
                }
            }
        }
        let forms: Vec<Form> = targets.iter().map(|t| t.1.clone()).collect();
        for (t, d) in targets.iter().zip(determined(n, &rel, &forms)) {
            if d {
                problems.push(t.0.clone());
            }
        }
    }
    problems
}

#[test]
fn no_withheld_count_can_be_worked_out_from_what_the_report_prints() {
    if !python_readers() {
        return;
    }
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let run = wd.path(&format!("out/{}", wd.latest()));
    // 平谷区: a community per street; 兴宁区: six streets for ten communities.
    for district in ["110117", "450102"] {
        let dir = report(&wd, &cfg, district);
        let r = read_reports(&dir);
        let found = recovered(&r, &run, district);
        assert!(
            found.is_empty(),
            "{district}: recoverable from the report: {found:?}"
        );
        // Something is withheld (the sample's cadres are few), and the Word
        // and HTML tables withhold the same cells as the workbook.
        let (ah, age_rows) = table(&r, "年龄结构");
        let stars: usize = age_rows
            .iter()
            .flat_map(|row| row.iter())
            .filter(|v| text(v) == "*")
            .count();
        assert!(stars > 0, "{district}: nothing withheld?");
        let docx_stars: usize = r["docx"]["tables"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| {
                t["header"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h.as_str().is_some_and(|h| h.starts_with("青年")))
            })
            .flat_map(|t| {
                t["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|r| r.as_array().unwrap().iter())
            })
            .filter(|c| c.as_str() == Some("*"))
            .count();
        assert_eq!(
            docx_stars, stars,
            "{district}: the Word table withholds what the workbook does"
        );
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let table_html = html
            .split("年龄结构（按乡镇街道）</caption>")
            .nth(1)
            .unwrap_or(&html);
        let table_html = table_html.split("</table>").next().unwrap();
        assert_eq!(table_html.matches(">*<").count(), stars, "{district}: HTML");
        // And the notebook's table (a cell's HTML output).
        let nb: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("report.ipynb")).unwrap())
                .unwrap();
        let out = nb["cells"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["outputs"].as_array().cloned().unwrap_or_default())
            .filter_map(|o| o["data"]["text/html"].as_str().map(str::to_string))
            .find(|h| h.contains("年龄结构（按乡镇街道）"))
            .expect("the notebook's age table");
        assert_eq!(out.matches(">*<").count(), stars, "{district}: notebook");
        let _ = ah;
    }
}

#[test]
fn a_districts_figure_is_the_same_in_every_document() {
    if !python_readers() {
        return;
    }
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let run = wd.path(&format!("out/{}", wd.latest()));
    let dir = report(&wd, &cfg, "110117");
    // The figure from the analyst's tables: Σ resolved / Σ received.
    let units = common::parquet(&run.join("tables/units.parquet"));
    let pop: BTreeMap<String, f64> = strs(&units, "region_code")
        .into_iter()
        .zip(f64s(&units, "population"))
        .zip(strs(&units, "district"))
        .filter(|(_, d)| d == "110117")
        .map(|((c, p), _)| (c, p.unwrap()))
        .collect();
    let um = common::parquet(&run.join("tables/unit_metrics.parquet"));
    let (c, p, m) = (
        strs(&um, "region_code"),
        strs(&um, "period"),
        strs(&um, "metric"),
    );
    let v = f64s(&um, "value");
    let (mut per10k, mut rate) = (BTreeMap::new(), BTreeMap::new());
    for i in 0..um.height() {
        if p[i] == "2024" && pop.contains_key(&c[i]) {
            match m[i].as_str() {
                "disputes_per_10k" => {
                    per10k.insert(c[i].clone(), v[i].unwrap());
                }
                "resolution_rate" => {
                    rate.insert(c[i].clone(), v[i].unwrap());
                }
                _ => {}
            }
        }
    }
    let (mut resolved, mut received) = (0.0, 0.0);
    for (code, r) in &rate {
        let n = (per10k[code] * pop[code] / 10_000.0).round();
        resolved += (r * n).round();
        received += n;
    }
    let want = resolved / received;
    let shown = format!("{:.1}%", want * 100.0);

    let r = read_reports(&dir);
    let summary = sheet_rows(&r, "概况");
    let card = summary
        .iter()
        .find(|row| text(&row[0]) == "调解成功率")
        .unwrap();
    assert!(
        (card[1].as_f64().unwrap() - want).abs() < 1e-6,
        "card {card:?} vs {want}"
    );
    let (ph, peers) = table(&r, "同类比较");
    let mine = peers.iter().find(|row| text(&row[0]) == "本区县").unwrap();
    assert!((mine[col(&ph, "调解成功率")].as_f64().unwrap() - want).abs() < 1e-6);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains(&format!(">{shown}<")),
        "the card shows {shown}"
    );
    // The research report's county map gives 平谷区 the same number.
    let map = std::fs::read_to_string(run.join("charts/map_county_resolution_rate.svg")).unwrap();
    assert!(
        map.contains(&format!("（110117）：{shown}")),
        "the research map shows 平谷区 as {shown}"
    );
}

#[test]
fn tables_say_they_are_not_for_forwarding_unless_suppressed_like_the_report() {
    let wd = Workdir::new();
    let cfg = common::sample_config(&wd, "\n[compare]\ndraws = 19\n\n[index]\ndraws = 10\n");
    let cfg = cfg.to_str().unwrap();
    wd.ok(&["ingest", "--config", cfg]);
    wd.ok(&["compare", "--config", cfg]);
    let run = wd.path(&format!("out/{}", wd.latest()));
    let readme = std::fs::read_to_string(run.join("tables/README.md")).unwrap();
    assert!(
        readme.contains("不得对外转发") && readme.contains("Not for forwarding"),
        "{readme}"
    );

    let strict = common::sample_config(
        &wd,
        "\n[compare]\ndraws = 19\n\n[index]\ndraws = 10\n\n[privacy]\ntables = \"suppressed\"\n",
    );
    wd.ok(&["compare", "--config", strict.to_str().unwrap()]);
    let run = wd.path(&format!("out/{}", wd.latest()));
    let readme = std::fs::read_to_string(run.join("tables/README.md")).unwrap();
    assert!(readme.contains("已按转发规则处理"), "{readme}");
    // No row of member_bands hides a lone cell: its total would give it back.
    let bands = common::parquet(&run.join("tables/member_bands.parquet"));
    let (u, p, r) = (
        strs(&bands, "region_code"),
        strs(&bands, "period"),
        strs(&bands, "role"),
    );
    let hidden: Vec<bool> = bands
        .column("suppressed")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    let mut per_row: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for i in 0..bands.height() {
        *per_row
            .entry((u[i].clone(), p[i].clone(), r[i].clone()))
            .or_default() += hidden[i] as usize;
    }
    assert!(per_row.values().any(|n| *n >= 2));
    assert!(per_row.values().all(|n| *n != 1), "a lone hidden cell");
    // And no share of such a row is published.
    let um = common::parquet(&run.join("tables/unit_metrics.parquet"));
    let (c, pp, m, b) = (
        strs(&um, "region_code"),
        strs(&um, "period"),
        strs(&um, "metric"),
        strs(&um, "breakdown"),
    );
    let v = f64s(&um, "value");
    let mut checked = 0;
    for i in 0..um.height() {
        let key = (c[i].clone(), pp[i].clone(), b[i].clone());
        if per_row.get(&key).is_some_and(|n| *n > 0) {
            match m[i].as_str() {
                "share_young" | "share_old" | "mean_age" | "aging_ratio" => {
                    assert!(v[i].is_none(), "{key:?} {} published", m[i]);
                    checked += 1;
                }
                "members" => assert!(v[i].is_some(), "the headcount stays"),
                _ => {}
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn a_bad_report_date_or_issuer_is_refused_naming_its_key() {
    let wd = Workdir::new();
    for (extra, key) in [
        ("\n[report]\ndate = \"2025-13-01\"\n", "report.date"),
        ("\n[report]\ndate = \"下周一\"\n", "report.date"),
        ("\n[report]\nissuer = \"a\\nb\"\n", "report.issuer"),
    ] {
        let cfg = common::sample_config(&wd, extra);
        let err = wd.fails(&[
            "report",
            "--config",
            cfg.to_str().unwrap(),
            "--district",
            "110117",
            "--period",
            "2024",
        ]);
        assert!(err.contains(key), "{err}");
    }
    assert!(!wd.path("out").join("latest").exists(), "nothing written");
}
