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
    // ConEcFin's indicators all point up: alpha on them is numpy's.
    let d = parquet(&wd.path("index-out/index_diagnostics.parquet"));
    assert!((f64s(&d, "pillar_alpha")[0].unwrap() - 0.24791150569998796).abs() < 1e-9);
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
        let cfg = wd.write(&format!("{name}.toml"), config);
        let out = wd.path(&format!("out-{name}"));
        let err = wd.fails(&[
            "index",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(err.contains(needle), "{name}: {err}");
        assert!(!out.exists(), "{name}: something was written");
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
    // The same seed gives the same table.
    let first = std::fs::read(run.join("tables/index_sensitivity.parquet")).unwrap();
    wd.ok(&["compare", "--config", cfg]);
    assert_eq!(
        first,
        std::fs::read(wd.path("out/latest/tables/index_sensitivity.parquet")).unwrap()
    );
}
