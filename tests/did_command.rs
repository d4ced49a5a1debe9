//! `govlens did` on a panel a researcher brings: mpdta gives R's numbers in
//! the written tables; bad input is refused with one message naming the
//! row, unit or option, and nothing is written.

mod common;

use common::{parquet, strs, Workdir};

const MPDTA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mpdta.csv");

fn args<'a>(data: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "did",
        "--data",
        data,
        "--outcome",
        "lemp",
        "--time",
        "year",
        "--id",
        "countyreal",
        "--cohort",
        "first.treat",
        "--out",
        out,
    ];
    a.extend_from_slice(extra);
    a
}

/// R's `lpop_nyt_dr` of tests/fixtures/did/mpdta_reference.csv, analytic SEs.
const LPOP_NYT_ANALYTIC: [&str; 6] = [
    "--covariates",
    "lpop",
    "--control",
    "notyet",
    "--se",
    "analytic",
];

/// The row of ATT(g, t) in an `att_gt` table.
fn cell(att: &polars::prelude::DataFrame, g: f64, t: f64) -> usize {
    let (gs, ts) = (common::f64s(att, "cohort"), common::f64s(att, "year"));
    (0..att.height())
        .find(|&i| gs[i] == Some(g) && ts[i] == Some(t))
        .unwrap()
}

#[test]
fn mpdta_with_lpop_and_not_yet_treated_controls_writes_r_s_numbers() {
    let wd = Workdir::new();
    let out = wd.path("did");
    let (data, o) = (MPDTA.to_string(), out.to_str().unwrap().to_string());
    let stdout = wd.ok(&args(&data, &o, &LPOP_NYT_ANALYTIC));
    assert!(stdout.contains("500 units, 12 ATT(g,t) cells"), "{stdout}");
    let att = parquet(&out.join("att_gt.parquet"));
    let i = cell(&att, 2004.0, 2006.0);
    // tests/fixtures/did/mpdta_reference.csv, lpop_nyt_dr, attgt 2004/2006.
    let (a, se) = (
        common::f64s(&att, "att")[i].unwrap(),
        common::f64s(&att, "se")[i].unwrap(),
    );
    assert!((a + 0.138191822608).abs() < 1e-6, "{a}");
    assert!((se - 0.0342280372213).abs() < 1e-6, "{se}");
    let agg = parquet(&out.join("aggregations.parquet"));
    let (kind, key) = (strs(&agg, "kind"), common::f64s(&agg, "key"));
    let dy = (0..agg.height())
        .find(|&i| kind[i] == "dynamic" && key[i].is_none())
        .unwrap();
    assert!((common::f64s(&agg, "att")[dy].unwrap() + 0.0799926209593).abs() < 1e-6);
    let pre = parquet(&out.join("pre_test.parquet"));
    assert!((common::f64s(&pre, "p")[0].unwrap() - 0.23326).abs() < 5e-6);
    for f in [
        "att_gt.csv",
        "aggregations.csv",
        "pre_test.csv",
        "event_study.svg",
        "event_study.png",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("control_group = \\\"notyettreated\\\"")
            && manifest.contains("xformla = ~lpop"),
        "{manifest}"
    );
    // Bootstrap SEs are seeded: the same run gives the same bytes.
    wd.ok(&args(&data, &o, &["--draws", "199"]));
    let first = std::fs::read(out.join("aggregations.parquet")).unwrap();
    wd.ok(&args(&data, &o, &["--draws", "199"]));
    assert_eq!(
        first,
        std::fs::read(out.join("aggregations.parquet")).unwrap()
    );
}

#[test]
fn bad_panels_and_options_are_refused_with_one_message_and_nothing_written() {
    let wd = Workdir::new();
    let raw = std::fs::read_to_string(MPDTA).unwrap();
    let lines: Vec<&str> = raw.lines().collect();
    wd.write("twice.csv", format!("{raw}{}\n", lines[1]));
    // Row 4's lpop (the third column) left blank.
    let mut blank = lines.clone();
    let mut cells: Vec<&str> = blank[3].split(',').collect();
    cells[2] = "";
    let row = cells.join(",");
    blank[3] = &row;
    wd.write("blank.csv", blank.join("\n") + "\n");
    let treated: String = raw
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return l.to_string();
            }
            let mut c: Vec<&str> = l.split(',').collect();
            if c[4] == "0" {
                c[4] = "2007";
            }
            c.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n");
    wd.write("treated.csv", treated + "\n");
    let (twice, blank_p, treated_p) = (
        wd.path("twice.csv").to_str().unwrap().to_string(),
        wd.path("blank.csv").to_str().unwrap().to_string(),
        wd.path("treated.csv").to_str().unwrap().to_string(),
    );
    let out = wd.path("did");
    let o = out.to_str().unwrap().to_string();
    let m = MPDTA.to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (args(&twice, &o, &[]), "is observed twice in"),
        (
            args(&blank_p, &o, &["--covariates", "lpop"]),
            "covariate lpop is missing",
        ),
        (
            args(&m, &o, &["--control", "later"]),
            "--control 'later': one of never, notyet",
        ),
        (args(&m, &o, &["--covariates", "gdp"]), "no column 'gdp'"),
        (
            args(&m, &o, &["--alpha", "1.5"]),
            "--alpha: 1.5 is not between 0 and 1",
        ),
        (args(&treated_p, &o, &[]), "no never-treated units"),
    ];
    for (a, needle) in cases {
        let err = wd.fails(&a);
        assert!(err.contains(needle), "{a:?}: {err}");
        assert!(!out.exists(), "{a:?}: something was written");
    }
    // Without never-treated units, not-yet-treated controls still estimate
    // the cohorts before the last, as R does.
    let stdout = wd.ok(&args(
        &treated_p,
        &o,
        &["--control", "notyet", "--se", "analytic"],
    ));
    assert!(
        stdout.contains("cohort 2007 skipped: the last cohort"),
        "{stdout}"
    );
}

/// mpdta with each county's state (FIPS ÷ 1000) as a column, and variants
/// whose cluster changes within a unit or is one for every row.
fn with_state(wd: &Workdir) -> (String, String, String) {
    let raw = std::fs::read_to_string(MPDTA).unwrap();
    let rows: Vec<String> = raw
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return format!("{l},\"state\"");
            }
            let county: u32 = l.split(',').nth(1).unwrap().parse().unwrap();
            format!("{l},s{}", county / 1000)
        })
        .collect();
    wd.write("state.csv", rows.join("\n") + "\n");
    let mut moved = rows.clone();
    // Row 3 (county 8001's 2004) in another state than its other years.
    moved[2] = moved[2].replace(",s8", ",s9");
    wd.write("moved.csv", moved.join("\n") + "\n");
    let one: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, l)| match i {
            0 => l.clone(),
            _ => format!("{},all", l.rsplit_once(',').unwrap().0),
        })
        .collect();
    wd.write("one.csv", one.join("\n") + "\n");
    let p = |f: &str| wd.path(f).to_str().unwrap().to_string();
    (p("state.csv"), p("moved.csv"), p("one.csv"))
}

/// `--cluster state` is R's `clustervars = "state"`: the clustered analytic
/// SE of tests/fixtures/did/mpdta_cluster_state.csv, the clusters counted,
/// the R call recorded; a cluster that changes within a unit, or a single
/// cluster, is refused naming the column, unit and rows.
#[test]
fn cluster_flag_clusters_by_a_column_as_r_s_clustervars() {
    let wd = Workdir::new();
    let (state, moved, one) = with_state(&wd);
    let out = wd.path("did");
    let o = out.to_str().unwrap().to_string();
    let stdout = wd.ok(&args(
        &state,
        &o,
        &["--cluster", "state", "--se", "analytic"],
    ));
    assert!(stdout.contains("500 units in 29 clusters"), "{stdout}");
    let agg = parquet(&out.join("aggregations.parquet"));
    let (kind, key) = (strs(&agg, "kind"), common::f64s(&agg, "key"));
    let simple = (0..agg.height())
        .find(|&i| kind[i] == "simple" && key[i].is_none())
        .unwrap();
    // uncond_never_dr, simple, overall: clustered analytic SE.
    let se = common::f64s(&agg, "se")[simple].unwrap();
    assert!((se - 0.0151594585785).abs() < 1e-6, "{se}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("clustervars = \\\"state\\\"") && manifest.contains("\"clusters\": 29"),
        "{manifest}"
    );
    std::fs::remove_dir_all(&out).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            args(&moved, &o, &["--cluster", "state"]),
            "unit 8001 is in cluster 's8' in row 2 and 's9' in row 3",
        ),
        (
            args(&one, &o, &["--cluster", "state"]),
            "every row is in one cluster ('all')",
        ),
        (
            args(&state, &o, &["--cluster", "county"]),
            "no column 'county'",
        ),
    ];
    for (a, needle) in cases {
        let err = wd.fails(&a);
        assert!(err.contains(needle), "{a:?}: {err}");
        assert!(!out.exists(), "{a:?}: something was written");
    }
}

/// `--alpha` (R's `alp`): every interval at 1 − α. With analytic SEs a
/// cell's interval is att ± z₀.₉₅ · se at α = 0.1, z₀.₉₅ = 1.6448536…
/// (the normal quantile, not govlens's), around R's se; the manifest and the
/// R call carry it; the chart's legend says 90%.
#[test]
fn alpha_sets_the_level_of_every_interval() {
    let wd = Workdir::new();
    let out = wd.path("did");
    let (data, o) = (MPDTA.to_string(), out.to_str().unwrap().to_string());
    wd.ok(&args(
        &data,
        &o,
        &[&LPOP_NYT_ANALYTIC[..], &["--alpha", "0.1"]].concat(),
    ));
    let att = parquet(&out.join("att_gt.parquet"));
    let i = cell(&att, 2004.0, 2006.0);
    let (a, hi) = (
        common::f64s(&att, "att")[i].unwrap(),
        common::f64s(&att, "ci_high")[i].unwrap(),
    );
    // tests/fixtures/did/mpdta_reference.csv, lpop_nyt_dr, attgt 2004/2006.
    let half = 1.6448536269514722 * 0.0342280372213;
    assert!((hi - a - half).abs() < 1e-6, "{} vs {half}", hi - a);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"alpha\": 0.1"), "{manifest}");
    assert!(manifest.contains("alp = 0.1"), "{manifest}");
    let svg = std::fs::read_to_string(out.join("event_study.svg")).unwrap();
    assert!(
        svg.contains("90%") && !svg.contains("95%"),
        "the chart names another level"
    );
}
