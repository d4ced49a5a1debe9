//! `govlens qca` on a case table a researcher brings: Lipset's raw data with
//! its anchors gives R's solutions and a robustness table; bad input is
//! refused with one message and nothing written.

mod common;

use common::{parquet, strs, Workdir};

const LIPSET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/qca/lipset_raw.csv"
);
const FUZZY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/qca/lipset_fuzzy.csv"
);

const CONFIG: &str = r#"[qca]
data = "lipset.csv"
case = "case"
outcome = "SURV"
conditions = ["DEV", "URB", "LIT", "IND", "STB"]
incl_cut = 0.8
n_cut = 1
expect = { DEV = 1, URB = 1, LIT = 1, IND = 1, STB = 1 }
[qca.calibration]
DEV = [400, 550, 900]
URB = [25, 50, 65]
LIT = [50, 75, 90]
IND = [20, 30, 40]
STB = [15, 9.5, 5]
SURV = [-9, 0, 10]
"#;

fn terms(expr: &str) -> std::collections::BTreeSet<String> {
    expr.split(" + ").map(str::to_string).collect()
}

#[test]
fn lipset_gives_r_s_solutions_and_the_robustness_table() {
    let wd = Workdir::new();
    // R's published numbers come from the published 2-decimal memberships,
    // used as they are (no [qca.calibration]).
    std::fs::copy(FUZZY, wd.path("lipset.csv")).unwrap();
    let fuzzy = CONFIG[..CONFIG.find("[qca.calibration]").unwrap()].to_string();
    let cfg = wd.write("qca.toml", fuzzy);
    let out = wd.ok(&["qca", "--config", cfg.to_str().unwrap()]);
    assert!(out.contains("18 cases"), "{out}");
    let sol = parquet(&wd.path("qca-out/qca_solutions.parquet"));
    let (kind, term, expr) = (
        strs(&sol, "solution"),
        strs(&sol, "term"),
        strs(&sol, "expression"),
    );
    let whole = |k: &str| -> std::collections::BTreeSet<String> {
        let i = (0..sol.height())
            .find(|&i| kind[i] == k && term[i] == "*")
            .unwrap();
        terms(&expr[i])
    };
    // The solution's row holds the cases of all its terms.
    let cases = strs(&sol, "cases");
    let i = (0..sol.height())
        .find(|&i| kind[i] == "parsimonious" && term[i] == "*")
        .unwrap();
    assert_eq!(cases[i], "BE,CZ,FI,IE,NL,UK");
    assert_eq!(whole("parsimonious"), terms("URB*STB + DEV*~IND"));
    assert_eq!(
        whole("complex"),
        terms("DEV*URB*LIT*IND*STB + DEV*~URB*LIT*~IND*STB")
    );
    assert_eq!(
        whole("intermediate"),
        terms("DEV*URB*LIT*STB + DEV*LIT*~IND*STB")
    );
    let incl = common::f64s(&sol, "incl");
    let i = (0..sol.height())
        .find(|&i| kind[i] == "parsimonious" && term[i] == "*")
        .unwrap();
    assert!((incl[i].unwrap() - 0.850350).abs() < 1e-6);
    let rob = parquet(&wd.path("qca-out/qca_robustness.parquet"));
    let (pars, cut) = (strs(&rob, "parsimonious"), common::f64s(&rob, "incl_cut"));
    let at_09 = (0..rob.height()).find(|&i| cut[i] == Some(0.9)).unwrap();
    assert_eq!(pars[at_09], "URB*STB");
    // The grid: the base first, then the cuts, then each anchor moved alone
    // (here the published memberships have no anchors to move).
    let varied = strs(&rob, "varied");
    assert_eq!(varied[0], "base");
    let same = rob
        .column("same_parsimonious")
        .unwrap()
        .bool()
        .unwrap()
        .clone();
    assert_eq!(same.get(0), Some(true));
    assert_eq!(same.get(at_09), Some(false));
    let fit = common::f64s(&rob, "fit_incl");
    assert!(
        (fit[0].unwrap() - 1.0).abs() < 1e-12,
        "the base is its own subset"
    );
    for t in ["qca_calibrated", "qca_necessity", "qca_truth_table"] {
        assert!(wd.path(&format!("qca-out/{t}.csv")).is_file(), "{t}.csv");
    }
    // The configuration table: the intermediate solution's two columns,
    // core and peripheral marks (large and small circles).
    let png = std::fs::read(wd.path("qca-out/configuration_table.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(wd.path("qca-out/configuration_table.svg")).unwrap();
    assert!(svg.contains("组态表（中间解）") && svg.contains("C2") && !svg.contains("C3"));
    assert!(
        svg.contains("r=\"13\"") && svg.contains("r=\"7\""),
        "core and peripheral marks"
    );
    let xy = std::fs::read_to_string(wd.path("qca-out/qca_xy.svg")).unwrap();
    assert!(
        xy.contains("中间解") && xy.contains("一致性") && xy.contains("BE"),
        "XY plot"
    );
    // The same inputs give the same bytes.
    let first = std::fs::read(wd.path("qca-out/qca_solutions.parquet")).unwrap();
    wd.ok(&["qca", "--config", cfg.to_str().unwrap()]);
    assert_eq!(
        first,
        std::fs::read(wd.path("qca-out/qca_solutions.parquet")).unwrap()
    );
}

#[test]
fn bad_qca_input_is_refused_with_one_message_and_nothing_written() {
    let wd = Workdir::new();
    std::fs::copy(LIPSET, wd.path("lipset.csv")).unwrap();
    let raw = std::fs::read_to_string(LIPSET).unwrap();
    let twice = raw.clone() + raw.lines().nth(1).unwrap() + "\n";
    wd.write("twice.csv", twice);
    let mut lines: Vec<String> = raw.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(',', ",n/a,", 1);
    let cells = lines[3].split(',').collect::<Vec<_>>();
    lines[3] = [&cells[..2], &cells[3..]].concat().join(",");
    wd.write("text.csv", lines.join("\n") + "\n");
    let flat = raw
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut c: Vec<&str> = l.split(',').collect();
            if i > 0 {
                c[3] = "70";
            }
            c.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n");
    wd.write("flat.csv", flat + "\n");
    wd.write(
        "few.csv",
        raw.lines().take(5).collect::<Vec<_>>().join("\n") + "\n",
    );
    for (name, config, needle) in [
        (
            "order",
            CONFIG.replace("DEV = [400, 550, 900]", "DEV = [400, 900, 550]"),
            "not strictly ordered",
        ),
        (
            "outcome",
            CONFIG.replace("SURV", "SURVIVAL"),
            "no column 'SURVIVAL'",
        ),
        (
            "twice",
            CONFIG.replace("lipset.csv", "twice.csv"),
            "appears twice",
        ),
        (
            "uncalibrated",
            CONFIG.replace("DEV = [400, 550, 900]\n", ""),
            "is not a membership",
        ),
        (
            "expect",
            CONFIG.replace("STB = 1 }", "STB = 1, GDP = 1 }"),
            "qca.expect.GDP",
        ),
        (
            "cut",
            CONFIG.replace("incl_cut = 0.8", "incl_cut = 0.99"),
            "nothing to minimise",
        ),
        (
            "remainders",
            CONFIG.replace("n_cut = 1", "n_cut = 19"),
            "every truth-table row is a remainder",
        ),
        (
            "many",
            CONFIG.replace("n_cut = 1", "n_cut = 1\nmax_conditions = 4"),
            "2^5 rows; at most 4",
        ),
        (
            "text",
            CONFIG.replace("lipset.csv", "text.csv"),
            "'n/a' is not a number",
        ),
        (
            "flat",
            CONFIG.replace("lipset.csv", "flat.csv"),
            "LIT has no variation",
        ),
        (
            "few",
            CONFIG.replace("lipset.csv", "few.csv"),
            "fsQCA needs at least conditions + 1 cases",
        ),
    ] {
        let err = wd.study_refused("qca", name, &config);
        assert!(err.contains(needle), "{name}: {err}");
    }
}

#[test]
fn raw_values_are_calibrated_with_the_anchors_given() {
    let wd = Workdir::new();
    std::fs::copy(LIPSET, wd.path("lipset.csv")).unwrap();
    let cfg = wd.write("qca.toml", CONFIG);
    wd.ok(&["qca", "--config", cfg.to_str().unwrap()]);
    let got = parquet(&wd.path("qca-out/qca_calibrated.parquet"));
    let mut rdr = csv::Reader::from_path(FUZZY).unwrap();
    let mut n = 0;
    for (k, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap();
        for (j, c) in ["DEV", "URB", "LIT", "IND", "STB", "SURV"]
            .iter()
            .enumerate()
        {
            let m = common::f64s(&got, c)[k].unwrap();
            let want: f64 = rec[j + 1].parse().unwrap();
            assert!(
                ((m * 100.0).round() / 100.0 - want).abs() < 1e-9,
                "{c} row {k}: {m} vs {want}"
            );
            n += 1;
        }
    }
    assert_eq!(n, 108, "the published memberships, from the raw values");
    // Each anchor moved by 10% of |i − e|, alone: 6 settings per calibrated
    // column (all six keep Lipset's anchors ordered).
    let rob = parquet(&wd.path("qca-out/qca_robustness.parquet"));
    let (varied, setting) = (strs(&rob, "varied"), strs(&rob, "setting"));
    let moved: Vec<&String> = (0..rob.height())
        .filter(|&i| varied[i] == "anchors")
        .map(|i| &setting[i])
        .collect();
    assert_eq!(moved.len(), 36, "{moved:?}");
    assert!(moved.iter().any(|s| *s == "DEV: c 550 → 600"), "{moved:?}");
    assert!(moved.iter().any(|s| *s == "STB: i 5 → 6"), "{moved:?}");

    // A value at the crossover belongs to no row: a warning naming both.
    let raw = std::fs::read_to_string(LIPSET)
        .unwrap()
        .replacen("AU,720", "AU,550", 1);
    wd.write("lipset.csv", raw);
    let out = wd.ok(&["qca", "--config", cfg.to_str().unwrap()]);
    assert!(
        out.contains("warning: case AU has DEV at exactly 0.5"),
        "{out}"
    );
}

/// The sample config's study, in a workdir, with few draws for speed.
fn sample_study(wd: &Workdir, extra: &str) -> std::path::PathBuf {
    common::sample_config(
        wd,
        &format!("\n[compare]\ndraws = 49\n\n[index]\ndraws = 20\n{extra}"),
    )
}

#[test]
fn a_run_config_s_study_is_in_the_run_its_charts_and_its_report() {
    let wd = Workdir::new();
    let cfg = sample_study(&wd, "");
    let cfg = cfg.to_str().unwrap();
    wd.ok(&["run", "--config", cfg]);
    let run = wd.path("out/latest");
    let sol = parquet(&run.join("tables/qca_solutions.parquet"));
    let (kind, model, term) = (
        strs(&sol, "solution"),
        strs(&sol, "model"),
        strs(&sol, "term"),
    );
    let whole = (0..sol.height())
        .find(|&i| kind[i] == "intermediate" && model[i] == "M1" && term[i] == "*")
        .expect("the intermediate solution (the sample states expectations)");
    // Model conditions are crisp and exclusive: a term names its model once,
    // never also the absence of the other.
    let cal = parquet(&run.join("tables/qca_calibrated.parquet"));
    let embedded = common::f64s(&cal, "model:embedded");
    assert!(embedded
        .iter()
        .all(|v| matches!(v, Some(x) if *x == 0.0 || *x == 1.0)));
    for c in ["configuration_table", "qca_xy"] {
        let png = std::fs::read(run.join(format!("charts/{c}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{c}");
    }
    // The report's sentence quotes the table's solution row.
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    let at = html
        .find("组态分析（fsQCA）</h")
        .expect("the fsQCA section");
    let incl = common::f64s(&sol, "incl")[whole].unwrap();
    let cov = common::f64s(&sol, "cov")[whole].unwrap();
    let sentence: String = html[at..].chars().take(600).collect();
    assert!(
        sentence.contains(&format!("总体一致性 {incl:.3}，总体覆盖度 {cov:.3}")),
        "{sentence}"
    );
    let manifest = std::fs::read_to_string(run.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"qca_robustness\""), "{manifest}");
    assert!(
        manifest.contains("without escalation_rate left out"),
        "{manifest}"
    );

    // govlens qca on the same run config restudies the run's units, with
    // the same solutions, into <output>/qca.
    let out = wd.ok(&["qca", "--config", cfg]);
    assert!(out.contains("intermediate M1: "), "{out}");
    let again = parquet(&wd.path("out/qca/qca_solutions.parquet"));
    assert_eq!(strs(&again, "expression"), strs(&sol, "expression"));
    assert!(wd.path("out/qca/qca_xy.svg").is_file());
}

#[test]
fn a_run_config_s_bad_study_is_refused_before_anything_runs() {
    let wd = Workdir::new();
    let sample = std::fs::read_to_string(sample_study(&wd, "")).unwrap();
    for (name, from, to, needle) in [
        (
            "anchors",
            "center_coverage = [0.55, 0.8, 0.99]\n",
            "",
            "qca.calibration.center_coverage: the run's metrics are raw values",
        ),
        (
            "model",
            "\"model:embedded\"]",
            "\"model:grid\"]",
            "'grid' is not a model",
        ),
        (
            "metric",
            "\"model:embedded\"]",
            "\"model:embedded\", \"visits_per_10k\"]",
            "'visits_per_10k' is not a metric",
        ),
        (
            "data",
            "outcome = \"satisfaction\"",
            "outcome = \"satisfaction\"\ndata = \"units.csv\"",
            "leave out data and case",
        ),
    ] {
        assert!(sample.contains(from), "{name}");
        let cfg = wd.write(&format!("{name}.toml"), sample.replace(from, to));
        let err = wd.fails(&["run", "--config", cfg.to_str().unwrap()]);
        assert!(err.contains(needle), "{name}: {err}");
        assert!(!wd.path("out").exists(), "{name}: a run was written");
    }
}

#[test]
fn quantile_anchors_calibrate_the_run_s_metrics() {
    let wd = Workdir::new();
    let text = std::fs::read_to_string(sample_study(&wd, "")).unwrap();
    // Every set but escalation (mostly zeros: its quantiles tie) by quantiles.
    let text = text
        .replace(
            "n_cut = 2\n",
            "n_cut = 2\nanchors = \"quantiles\"\nquantiles = [0.1, 0.5, 0.9]\n",
        )
        .lines()
        .filter(|l| {
            ![
                "satisfaction = [",
                "\"share_young:cadre\" = [",
                "center_coverage = [",
            ]
            .iter()
            .any(|p| l.starts_with(p))
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let cfg = wd.write("quantiles.toml", text.clone());
    let cfg = cfg.to_str().unwrap();
    wd.ok(&["ingest", "--config", cfg]);
    wd.ok(&["compare", "--config", cfg]);
    let cal = parquet(&wd.path("out/latest/tables/qca_calibrated.parquet"));
    // The crossover is the median of the units' satisfaction: about half
    // of the cases are above it.
    let above = common::f64s(&cal, "satisfaction")
        .iter()
        .filter(|v| v.unwrap() > 0.5)
        .count() as f64;
    let share = above / cal.height() as f64;
    assert!((share - 0.5).abs() < 0.02, "{share}");
    // Escalation by quantiles is refused, naming the set and the way out.
    let tied = wd.write(
        "tied.toml",
        text.replace("escalation_rate = [0.0, 0.06, 0.2]\n", ""),
    );
    let err = wd.fails(&["compare", "--config", tied.to_str().unwrap()]);
    assert!(
        err.contains("escalation_rate's quantiles") && err.contains("give its anchors"),
        "{err}"
    );
}
