//! `govlens index` on a table a researcher brings: COINr's ASEM example
//! gives COINr's scores and the diagnostics numpy gives; COINr's treatment
//! example is winsorised once; the sensitivity names the choice that moves
//! the ranks most; bad input is refused with one message, nothing written.

mod common;

use common::{f64s, parquet, strs, Workdir};

const ASEM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/coinr_asem_indicators.csv"
);
const ASEM_INDEX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/coinr_asem_index_arith.csv"
);

const CONFIG: &str = r#"[index]
data = "asem.csv"
unit = "uCode"
winmax = 0
seed = 5
indicators = [
  { column = "Goods", pillar = "ConEcFin" }, { column = "Services", pillar = "ConEcFin" },
  { column = "FDI", pillar = "ConEcFin" }, { column = "PRemit", pillar = "ConEcFin" },
  { column = "ForPort", pillar = "ConEcFin" },
  { column = "CostImpEx", pillar = "Instit", direction = -1 },
  { column = "Tariff", pillar = "Instit", direction = -1 },
  { column = "TBTs", pillar = "Instit", direction = -1 }, { column = "TIRcon", pillar = "Instit" },
  { column = "RTAs", pillar = "Instit" }, { column = "Visa", pillar = "Instit" },
]
[index.sensitivity]
factors = ["normalisation", "aggregation", "weights", "drop_indicator"]
n = 128
boot = 50
"#;

#[test]
fn asem_gives_coinr_s_scores_numpy_s_diagnostics_and_a_sensitivity() {
    let wd = Workdir::new();
    std::fs::copy(ASEM, wd.path("asem.csv")).unwrap();
    let cfg = wd.write("index.toml", CONFIG);
    let out = wd.ok(&["index", "--config", cfg.to_str().unwrap()]);
    assert!(out.contains("44 units"), "{out}");
    assert!(
        out.contains("the choice that moves the ranks most: "),
        "{out}"
    );
    let scores = parquet(&wd.path("index-out/index_scores.parquet"));
    let (units, got) = (strs(&scores, "unit"), f64s(&scores, "score"));
    let mut rdr = csv::Reader::from_path(ASEM_INDEX).unwrap();
    let mut n = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let i = units.iter().position(|u| u == &r[0]).unwrap();
        let want: f64 = r[3].parse().unwrap();
        assert!(
            (got[i].unwrap() - want).abs() < 1e-4,
            "{}: {:?} vs {want}",
            &r[0],
            got[i]
        );
        n += 1;
    }
    assert_eq!(n, 44);
    // ConEcFin's indicators all point up: alpha on them, min-max normalised
    // to 0..100, is numpy's (k/(k−1)·(1 − Σ var(ddof=1) / var(row sums)),
    // run 2026-12-01 on the fixture; 0.248 on the raw values).
    let d = parquet(&wd.path("index-out/index_diagnostics.parquet"));
    assert!((f64s(&d, "pillar_alpha")[0].unwrap() - 0.9208247252335542).abs() < 1e-9);
    let s = parquet(&wd.path("index-out/index_sensitivity.parquet"));
    assert_eq!(
        strs(&s, "factor"),
        ["normalisation", "aggregation", "weights", "drop_indicator"]
    );
    assert!(f64s(&s, "st")
        .iter()
        .all(|v| (-0.05..1.2).contains(&v.unwrap())));
    assert!(wd.path("index-out/sensitivity.png").is_file());
    let ro = parquet(&wd.path("index-out/index_remove_one.parquet"));
    assert_eq!(
        ro.height(),
        11 + 2,
        "each indicator and each pillar left out"
    );
    // Above max_units, the sensitivity runs on an even spread of units.
    let few = wd.write(
        "few.toml",
        CONFIG.replace("boot = 50", "boot = 50\nmax_units = 20"),
    );
    let out = wd.ok(&[
        "index",
        "--config",
        few.to_str().unwrap(),
        "--out",
        wd.path("few").to_str().unwrap(),
    ]);
    assert!(
        out.contains("an even spread of 20 of the 44 units"),
        "{out}"
    );
    let ri = parquet(&wd.path("few/index_rank_intervals.parquet"));
    assert_eq!(
        f64s(&ri, "rank_median")
            .iter()
            .filter(|v| v.is_some())
            .count(),
        20
    );
    // The same seed gives the same bytes.
    let first = std::fs::read(wd.path("index-out/index_sensitivity.parquet")).unwrap();
    wd.ok(&["index", "--config", cfg.to_str().unwrap()]);
    assert_eq!(
        first,
        std::fs::read(wd.path("index-out/index_sensitivity.parquet")).unwrap()
    );
}

#[test]
fn coinr_s_treatment_example_is_listed_in_index_treated() {
    let wd = Workdir::new();
    let rows: String = (1..=12)
        .map(|i| {
            let x = match i {
                11 => 30,
                12 => 100,
                i => i,
            };
            format!("u{i},{x},{}\n", (i * 7) % 12)
        })
        .collect();
    wd.write("t.csv", format!("unit,x,y\n{rows}"));
    let cfg = wd.write(
        "t.toml",
        "[index]\ndata = \"t.csv\"\nunit = \"unit\"\nindicators = [ { column = \"x\", pillar = \"p\" }, { column = \"y\", pillar = \"p\" } ]\n",
    );
    wd.ok(&["index", "--config", cfg.to_str().unwrap()]);
    let t = parquet(&wd.path("index-out/index_treated.parquet"));
    assert_eq!(strs(&t, "unit"), ["u12"]);
    assert_eq!(f64s(&t, "before"), [Some(100.0)]);
    assert_eq!(f64s(&t, "after"), [Some(30.0)]);
    assert_eq!(strs(&t, "how"), ["winsorised high"]);
    let d = parquet(&wd.path("index-out/index_diagnostics.parquet"));
    assert!((f64s(&d, "skew")[0].unwrap() - 3.063241).abs() < 1e-6);
    assert!((f64s(&d, "skew_treated")[0].unwrap() - 1.712038).abs() < 1e-6);
}

#[test]
fn bad_index_input_is_refused_with_one_message_and_nothing_written() {
    let wd = Workdir::new();
    std::fs::copy(ASEM, wd.path("asem.csv")).unwrap();
    let raw = std::fs::read_to_string(ASEM).unwrap();
    let flat: String = raw
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut c: Vec<String> = l.split(',').map(str::to_string).collect();
            if i > 0 {
                c[2] = "1".into();
            }
            c.join(",") + "\n"
        })
        .collect();
    wd.write("flat.csv", flat);
    for (name, config, needle) in [
        (
            "flat",
            CONFIG.replace("asem.csv", "flat.csv"),
            "indicator Goods: no variation",
        ),
        (
            "weights",
            CONFIG
                .replace(
                    "pillar = \"ConEcFin\" }",
                    "pillar = \"ConEcFin\", weight = 0 }",
                )
                .replace("pillar = \"Instit\" }", "pillar = \"Instit\", weight = 0 }")
                .replace("direction = -1 }", "direction = -1, weight = 0 }"),
            "sum to a positive number",
        ),
        (
            "factor",
            CONFIG.replace("\"drop_indicator\"]", "\"colour\"]"),
            "'colour' is not",
        ),
        (
            "one",
            CONFIG.replace("n = 128", "n = 128\nnormalisations = [\"minmax\"]"),
            "factor normalisation has fewer than two alternatives",
        ),
        (
            "budget",
            CONFIG.replace("n = 128", "n = 128\nbudget = 100"),
            "above the budget of 100",
        ),
        ("small", CONFIG.replace("n = 128", "n = 8"), "at least 16"),
        (
            "column",
            CONFIG.replace("\"Visa\"", "\"Visas\""),
            "no column 'Visas'",
        ),
    ] {
        let err = wd.study_refused("index", name, &config);
        assert!(err.contains(needle), "{name}: {err}");
    }
}

#[test]
fn the_sample_run_s_index_sensitivity_is_in_its_tables_chart_and_report() {
    let wd = Workdir::new();
    let cfg = common::sample_config(&wd, "\n[compare]\ndraws = 49\n\n[index]\ndraws = 20\n");
    let cfg = cfg.to_str().unwrap();
    wd.ok(&["run", "--config", cfg]);
    let run = wd.path("out/latest");
    let s = parquet(&run.join("tables/index_sensitivity.parquet"));
    let (factor, st) = (strs(&s, "factor"), f64s(&s, "st"));
    let top = (0..s.height())
        .max_by(|&a, &b| st[a].unwrap().total_cmp(&st[b].unwrap()))
        .unwrap();
    for t in [
        "index_diagnostics",
        "index_correlations",
        "index_remove_one",
        "index_rank_intervals",
    ] {
        assert!(run.join(format!("tables/{t}.parquet")).is_file(), "{t}");
    }
    assert!(run.join("charts/sensitivity.png").is_file());
    // One sentence names the choice and quotes its ST from the table.
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    let names = [
        ("normalisation", "标准化方法"),
        ("aggregation", "加总方法"),
        ("weights", "权重"),
        ("drop_indicator", "剔除单个指标"),
    ];
    let zh = names.iter().find(|(k, _)| *k == factor[top]).unwrap().1;
    let want = format!(
        "对指数排名影响最大的建模选择是{zh}（总效应指数 ST = {:.3}",
        st[top].unwrap()
    );
    assert!(html.contains(&want), "{want}");
    // The sample imputes within the district: each filled cell is the mean
    // of the district's other units that period, and index_scores flags it.
    let um = parquet(&run.join("tables/unit_metrics.parquet"));
    let (code, period, metric, value) = (
        strs(&um, "region_code"),
        strs(&um, "period"),
        strs(&um, "metric"),
        f64s(&um, "value"),
    );
    let units = parquet(&run.join("tables/units.parquet"));
    let district: std::collections::HashMap<String, String> = strs(&units, "region_code")
        .into_iter()
        .zip(strs(&units, "district"))
        .collect();
    let filled = parquet(&run.join("tables/index_imputed.parquet"));
    let (fu, fi, fv) = (
        strs(&filled, "unit"),
        strs(&filled, "indicator"),
        f64s(&filled, "value"),
    );
    assert!(filled.height() > 0, "the sample has missing indicators");
    for r in 0..filled.height() {
        let peers: Vec<f64> = (0..um.height())
            .filter(|&i| {
                period[i] == "2024"
                    && metric[i] == fi[r]
                    && code[i] != fu[r]
                    && district.get(&code[i]) == district.get(&fu[r])
            })
            .filter_map(|i| value[i])
            .collect();
        let mean = peers.iter().sum::<f64>() / peers.len() as f64;
        assert!((fv[r].unwrap() - mean).abs() < 1e-12, "{} {}", fu[r], fi[r]);
    }
    let scores = parquet(&run.join("tables/index_scores.parquet"));
    let (sc, sp, si) = (
        strs(&scores, "region_code"),
        strs(&scores, "period"),
        strs(&scores, "imputed_indicators"),
    );
    let flagged = (0..scores.height())
        .find(|&i| sp[i] == "2024" && sc[i] == fu[0])
        .unwrap();
    assert!(
        si[flagged].split(',').any(|n| n == fi[0]),
        "{}",
        si[flagged]
    );
    // The preparation sentence quotes the diagnostics table.
    let d = parquet(&run.join("tables/index_diagnostics.parquet"));
    let n: f64 = f64s(&d, "imputed").iter().flatten().sum();
    assert_eq!(n as usize, filled.height());
    assert!(
        html.contains(&format!("插补 {} 个缺失值", filled.height())),
        "sentence"
    );
    assert!(run.join("charts/index_distributions.png").is_file());
    // The same seed gives the same table.
    let first = std::fs::read(run.join("tables/index_sensitivity.parquet")).unwrap();
    wd.ok(&["compare", "--config", cfg]);
    assert_eq!(
        first,
        std::fs::read(wd.path("out/latest/tables/index_sensitivity.parquet")).unwrap()
    );
    // `latest`: a filled cell is the unit's value in the latest earlier year.
    let text = std::fs::read_to_string(cfg)
        .unwrap()
        .replace("imputation = \"group_mean\"", "imputation = \"latest\"");
    let latest_cfg = wd.write("latest.toml", text);
    wd.ok(&["compare", "--config", latest_cfg.to_str().unwrap()]);
    let filled = parquet(&wd.path("out/latest/tables/index_imputed.parquet"));
    let (fu, fi, fv, fh) = (
        strs(&filled, "unit"),
        strs(&filled, "indicator"),
        f64s(&filled, "value"),
        strs(&filled, "how"),
    );
    assert!(filled.height() > 0);
    for r in 0..filled.height() {
        assert_eq!(fh[r], "latest");
        let before = (0..um.height())
            .filter(|&i| code[i] == fu[r] && metric[i] == fi[r] && period[i].as_str() < "2024")
            .filter(|&i| value[i].is_some())
            .max_by(|&a, &b| period[a].cmp(&period[b]))
            .map(|i| value[i].unwrap());
        assert_eq!(fv[r], before, "{} {}", fu[r], fi[r]);
    }
}

/// A panel: six units over two years, three indicators in one pillar.
/// In 2024 u3 lacks x (it had 7 in 2023) and u6 lacks z (never had it).
fn panel() -> String {
    let rows = [
        ("u1", "2023", "d1", "1", "10", "3"),
        ("u2", "2023", "d1", "2", "8", "5"),
        ("u3", "2023", "d1", "7", "7", "2"),
        ("u4", "2023", "d2", "4", "4", "8"),
        ("u5", "2023", "d2", "5", "3", "6"),
        ("u6", "2023", "d2", "6", "1", ""),
        ("u1", "2024", "d1", "1", "9", "4"),
        ("u2", "2024", "d1", "3", "8", "5"),
        ("u3", "2024", "d1", "NA", "6", "1"),
        ("u4", "2024", "d2", "4", "5", "9"),
        ("u5", "2024", "d2", "6", "2", "7"),
        ("u6", "2024", "d2", "8", "1", ""),
    ];
    let mut s = String::from("unit,year,district,x,y,z\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{}\n",
            r.0, r.1, r.2, r.3, r.4, r.5
        ));
    }
    s
}

const PANEL: &str = r#"[index]
data = "panel.csv"
unit = "unit"
period = "year"
group = "district"
winmax = 0
indicators = [ { column = "x", pillar = "p" }, { column = "y", pillar = "p" },
               { column = "z", pillar = "p" } ]
"#;

fn imputed(wd: &Workdir, out: &str) -> Vec<(String, String, f64, String)> {
    let t = parquet(&wd.path(&format!("{out}/index_imputed.parquet")));
    let (u, i, v, h) = (
        strs(&t, "unit"),
        strs(&t, "indicator"),
        f64s(&t, "value"),
        strs(&t, "how"),
    );
    (0..t.height())
        .map(|r| (u[r].clone(), i[r].clone(), v[r].unwrap(), h[r].clone()))
        .collect()
}

#[test]
fn latest_and_group_imputation_fill_a_panel_s_latest_period() {
    let wd = Workdir::new();
    wd.write("panel.csv", panel());
    let study = |name: &str, extra: &str| {
        let cfg = wd.write(&format!("{name}.toml"), format!("{PANEL}{extra}"));
        wd.ok(&[
            "index",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            wd.path(name).to_str().unwrap(),
        ]);
    };
    // latest: u3's x is its 2023 value; u6 never had z, so it stays missing.
    study("latest", "imputation = \"latest\"\n");
    assert_eq!(
        imputed(&wd, "latest"),
        [("u3".into(), "x".into(), 7.0, "latest".into())]
    );
    let scores = parquet(&wd.path("latest/index_scores.parquet"));
    assert_eq!(strs(&scores, "unit"), ["u1", "u2", "u3", "u4", "u5", "u6"]);
    assert_eq!(strs(&scores, "imputed")[2], "x");
    // group_median: within the district, in 2024.
    study("median", "imputation = \"group_median\"\n");
    assert_eq!(
        imputed(&wd, "median"),
        [
            (
                "u3".into(),
                "x".into(),
                2.0,
                "group_median within district".into()
            ),
            (
                "u6".into(),
                "z".into(),
                8.0,
                "group_median within district".into()
            ),
        ]
    );
    // An earlier period is studied when asked.
    study("early", "imputation = \"mean\"\nanalyse = \"2023\"\n");
    assert_eq!(
        imputed(&wd, "early"),
        [("u6".into(), "z".into(), 4.8, "mean".into())]
    );
}

/// One year of three indicators in one pillar, complete.
const YEAR: &str = "unit,x,y,z\nu1,1,2,4\nu2,3,3,2\nu3,2,1,3\nu4,4,5,6\nu5,6,6,5\nu6,8,9,7\n";

fn one_year(weights: &str, extra: &str) -> String {
    let w: Vec<&str> = weights.split(',').collect();
    format!(
        "[index]\ndata = \"year.csv\"\nunit = \"unit\"\nwinmax = 0\n{extra}indicators = [ {{ column = \"x\", pillar = \"p\", weight = {} }}, {{ column = \"y\", pillar = \"p\", weight = {} }}, {{ column = \"z\", pillar = \"p\", weight = {} }} ]\n",
        w[0], w[1], w[2]
    )
}

/// `weights = "pca"` scores as the given weights set to the diagnostics'
/// `pca_weight` column would.
#[test]
fn pca_weights_are_the_first_component_s_loadings() {
    let wd = Workdir::new();
    wd.write("year.csv", YEAR);
    let study = |name: &str, config: String| {
        let cfg = wd.write(&format!("{name}.toml"), config);
        let out = wd.ok(&[
            "index",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            wd.path(name).to_str().unwrap(),
        ]);
        (
            out,
            parquet(&wd.path(&format!("{name}/index_scores.parquet"))),
        )
    };
    let (out, pca) = study("pca", one_year("1,1,1", "weights = \"pca\"\n"));
    assert!(out.contains("first principal component"), "{out}");
    let w = f64s(
        &parquet(&wd.path("pca/index_diagnostics.parquet")),
        "pca_weight",
    );
    let w: Vec<String> = w.iter().map(|v| format!("{:.17}", v.unwrap())).collect();
    // The loadings are not all equal here, so the test can tell them apart.
    assert_ne!(w[0], w[2]);
    let (_, given) = study("given", one_year(&w.join(","), ""));
    let (a, b) = (f64s(&pca, "score"), f64s(&given, "score"));
    for (a, b) in a.iter().zip(&b) {
        assert!((a.unwrap() - b.unwrap()).abs() < 1e-9, "{a:?} {b:?}");
    }
    let (_, equal) = study("equal", one_year("1,1,1", ""));
    assert_ne!(f64s(&equal, "score"), a, "PCA weights changed nothing");
}

#[test]
fn bad_imputation_and_weights_are_refused_with_one_message() {
    let wd = Workdir::new();
    wd.write("panel.csv", panel());
    // d2 has no z in either year: its units cannot be filled within it.
    let no_z: String = panel()
        .lines()
        .map(|l| {
            if l.contains(",d2,") {
                format!("{},\n", &l[..l.rfind(',').unwrap()])
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    wd.write("noz.csv", no_z);
    wd.write("year.csv", YEAR);
    let panel_with = |extra: &str| format!("{PANEL}{extra}");
    for (name, config, needle) in [
        (
            "group",
            panel_with("imputation = \"group_mean\"\n").replace("panel.csv", "noz.csv"),
            "indicator z: missing for every unit of group d2",
        ),
        (
            "nogroup",
            panel_with("imputation = \"group_mean\"\n").replace("group = \"district\"\n", ""),
            "needs each unit's group",
        ),
        (
            "noperiod",
            one_year("1,1,1", "imputation = \"latest\"\n"),
            "needs earlier periods",
        ),
        (
            "period",
            panel_with("analyse = \"2031\"\n"),
            "no row of period '2031'",
        ),
        (
            "method",
            panel_with("imputation = \"hot_deck\"\n"),
            "'hot_deck' is not none, mean, median, group_mean, group_median or latest",
        ),
        (
            "weights",
            panel_with("weights = \"entropy\"\n"),
            "'entropy' is not given or pca",
        ),
        (
            "twice",
            panel_with("").replace("period = \"year\"\n", ""),
            "unit 'u1' appears twice (rows 2 and 8)",
        ),
    ] {
        let err = wd.study_refused("index", name, &config);
        assert!(err.contains(needle), "{name}: {err}");
    }
}
