//! `govlens export`: the run's tables as Stata, SPSS, Parquet and CSV files,
//! read back with the readers their users have (pyreadstat, which is
//! ReadStat as R's haven uses it, and pandas.read_stata), the codebook, the
//! Frictionless data package checked by `frictionless validate`, and the
//! event study for HonestDiD against the run's own analytic SEs.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{f64s, strs, Workdir};

/// The sample ingested and compared in a workdir (few draws, for speed);
/// returns the config.
fn sample_run(wd: &Workdir) -> PathBuf {
    let cfg = common::sample_config(wd, "\n[compare]\ndraws = 99\n\n[index]\ndraws = 50\n");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    wd.ok(&["compare", "--config", cfg.to_str().unwrap()]);
    cfg
}

/// The sample ingested, compared and exported once, for the tests that
/// read an export (a fresh ingest and compare each cost CI minutes); the
/// lock keeps them one at a time, since one of them exports it again. Its
/// folder is under CARGO_TARGET_TMPDIR, the previous test run's removed.
struct Shared {
    wd: Workdir,
    cfg: PathBuf,
    /// What `export` printed.
    out: String,
}

fn shared() -> (std::sync::MutexGuard<'static, ()>, &'static Shared) {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    static SHARED: std::sync::OnceLock<Shared> = std::sync::OnceLock::new();
    let guard = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let s = SHARED.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for e in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            if e.file_name()
                .to_string_lossy()
                .starts_with("export-shared-")
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let wd = Workdir {
            dir: tempfile::Builder::new()
                .prefix("export-shared-")
                .tempdir_in(tmp)
                .unwrap(),
        };
        let cfg = sample_run(&wd);
        let out = wd.ok(&["export", "--config", cfg.to_str().unwrap()]);
        Shared { wd, cfg, out }
    });
    (guard, s)
}

fn run_dir(wd: &Workdir) -> PathBuf {
    wd.path("out")
        .join(common::latest_in(&wd.path("out")).unwrap())
}

/// Whether the Python readers are here; in CI they must be (.ci/run).
fn readers() -> bool {
    let ok = common::python_has("pyreadstat, pandas, pyarrow");
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install pyreadstat, pandas and pyarrow (.ci/run)"
        );
        eprintln!("SKIPPED: pyreadstat, pandas or pyarrow not found");
    }
    ok
}

fn read_export(dir: &Path) -> serde_json::Value {
    common::python_json("read_export.py", &[dir])
}

#[test]
fn stata_and_spss_readers_see_every_table_with_its_chinese_labels_and_the_run_s_values() {
    let (_one, sh) = shared();
    let (wd, out) = (&sh.wd, &sh.out);
    assert!(out.contains("unit_metrics"), "{out}");
    assert!(
        out.contains("indicators not exported: it has no rows"),
        "{out}"
    );
    let run = run_dir(wd);
    let export = run.join("export");
    for t in [
        "units",
        "unit_metrics",
        "adoption_panel",
        "index_scores",
        "qca_cases",
        "member_ages",
        "disputes",
        "service_usage",
    ] {
        for ext in ["dta", "sav", "parquet", "csv"] {
            assert!(export.join(format!("{t}.{ext}")).is_file(), "{t}.{ext}");
        }
    }
    for f in [
        "codebook.md",
        "codebook.xlsx",
        "datapackage.json",
        "manifest.json",
    ] {
        assert!(export.join(f).is_file(), "{f}");
    }
    if !readers() {
        return;
    }
    let seen = read_export(&export);
    let run_id = common::latest_in(&wd.path("out")).unwrap();
    for (t, v) in seen.as_object().unwrap() {
        assert_eq!(v["rows"], v["sav_rows"], "{t}");
        // The four copies hold the same values, column by column.
        for (col, agree) in v["agree"].as_object().unwrap() {
            assert_eq!(
                agree, true,
                "{t}.{col}: the .dta, .sav, .parquet and .csv differ"
            );
        }
        // Every variable is labelled, the same in Stata and SPSS.
        for (col, label) in v["labels"].as_object().unwrap() {
            let l = label.as_str().unwrap_or("");
            assert!(!l.is_empty() && l != col, "{t}.{col} has no label");
            assert_eq!(label, &v["sav_labels"][col], "{t}.{col}");
        }
        assert!(v["file_label"].as_str().unwrap().contains(&run_id), "{t}");
        assert_eq!(v["file_label"], v["sav_file_label"], "{t}");
    }
    let units = &seen["units"];
    assert_eq!(units["labels"]["governance_model"], "治理模式");
    assert_eq!(units["labels"]["population"], "常住人口");
    let models = &units["value_labels"]["governance_model"];
    for (code, name) in [
        ("0", "无模式"),
        ("1", "下沉型"),
        ("2", "协同型"),
        ("3", "嵌入型"),
        ("4", "融合型"),
    ] {
        assert_eq!(models[code], name, "code {code}");
        assert_eq!(units["sav_value_labels"]["governance_model"][code], name);
    }
    assert_eq!(seen["member_ages"]["value_labels"]["role"]["2"], "社区干部");
    assert_eq!(
        seen["unit_metrics"]["labels"]["share_young_cadre"],
        "干部青年占比"
    );
    assert_eq!(
        seen["qca_cases"]["labels"]["model_embedded"],
        "嵌入型（是=1）"
    );

    // Chinese text as the run has it, and the run's first unit.
    let run_units = common::parquet(&run.join("tables/units.parquet"));
    assert_eq!(units["rows"], run_units.height());
    assert_eq!(
        units["first"]["region_name"],
        strs(&run_units, "region_name")[0]
    );
    assert_eq!(units["missing"]["model_adopted"], {
        f64s(&run_units, "model_adopted")
            .iter()
            .filter(|x| x.is_none())
            .count()
    });

    // The wide metrics are the long table's values; missing ones are missing.
    let um = common::parquet(&run.join("tables/unit_metrics.parquet"));
    let (codes, periods, metrics, breakdowns, values) = (
        strs(&um, "region_code"),
        strs(&um, "period"),
        strs(&um, "metric"),
        strs(&um, "breakdown"),
        f64s(&um, "value"),
    );
    let first = &seen["unit_metrics"]["first"];
    let (code, period) = (
        first["region_code"].as_str().unwrap(),
        first["period"]
            .as_f64()
            .map(|p| (p as i64).to_string())
            .unwrap(),
    );
    let long: BTreeMap<String, Option<f64>> = (0..um.height())
        .filter(|&i| codes[i] == code && periods[i] == period)
        .map(|i| {
            let name = if breakdowns[i].is_empty() {
                metrics[i].clone()
            } else {
                format!("{}_{}", metrics[i], breakdowns[i])
            };
            (name, values[i])
        })
        .collect();
    assert!(long.len() >= 15, "{long:?}");
    for (name, v) in &long {
        match v {
            Some(x) => {
                let got = first[name].as_f64().unwrap_or(f64::NAN);
                assert!(
                    (got - x).abs() <= 1e-12 * x.abs().max(1.0),
                    "{name}: {got} vs {x}"
                );
            }
            None => assert!(first[name].is_null(), "{name}"),
        }
    }
    // The adoption panel's missing outcomes are the run's.
    let panel = common::parquet(&run.join("tables/adoption_panel.parquet"));
    let nulls = f64s(&panel, "resolution_rate")
        .iter()
        .filter(|x| x.is_none())
        .count();
    assert_eq!(seen["adoption_panel"]["missing"]["resolution_rate"], nulls);
}

#[test]
fn the_data_package_validates_and_a_broken_copy_does_not() {
    let (_one, sh) = shared();
    let wd = &sh.wd;
    let export = run_dir(wd).join("export");
    let has = Command::new("frictionless")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install frictionless (.ci/run)"
        );
        eprintln!("SKIPPED: frictionless not found (pip install frictionless)");
        return;
    }
    let validate = |dir: &Path| {
        Command::new("frictionless")
            .args(["validate", "--json", "datapackage.json"])
            .current_dir(dir)
            .output()
            .unwrap()
    };
    let ok = validate(&export);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(
        report["tasks"].as_array().unwrap().len(),
        8,
        "a task a table"
    );
    // The check can fail: a model code that is not one, and a duplicated key.
    let broken = wd.path("broken");
    std::fs::create_dir_all(&broken).unwrap();
    for e in std::fs::read_dir(&export).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.ends_with(".csv") || name == "datapackage.json" {
            std::fs::copy(e.path(), broken.join(&name)).unwrap();
        }
    }
    let units = std::fs::read_to_string(broken.join("units.csv")).unwrap();
    let mut lines: Vec<String> = units.lines().map(str::to_string).collect();
    let model = lines[0]
        .split(',')
        .position(|c| c == "governance_model")
        .unwrap();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    cells[model] = "7".into();
    lines[1] = cells.join(",");
    lines.push(lines[2].clone());
    std::fs::write(broken.join("units.csv"), lines.join("\r\n") + "\r\n").unwrap();
    let bad = validate(&broken);
    assert!(!bad.status.success());
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.contains("constraint-error") && text.contains("primary-key"),
        "{text}"
    );
}

#[test]
fn honestdid_variances_are_the_run_s_squared_analytic_standard_errors() {
    let (_one, sh) = shared();
    let run = run_dir(&sh.wd);
    let h = run.join("export/honestdid");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(h.join("honestdid.json")).unwrap()).unwrap();
    // The event study with a universal base period (the sample's run is
    // varying: re-estimated for HonestDiD).
    let events = common::parquet(&run.join("tables/honest_event_study.parquet"));
    let (metric, rel, sea) = (
        strs(&events, "metric"),
        f64s(&events, "rel_year"),
        f64s(&events, "se_analytic"),
    );
    let studies = json["event_studies"].as_object().unwrap();
    assert_eq!(studies.len(), 8, "one per adoption metric");
    let mut checked = 0;
    for (m, s) in studies {
        // An outcome that never varied: no files, and the scripts skip it.
        if s["estimable"] == false {
            let stem = m.replace(':', "_");
            assert!(!h.join(format!("{stem}.csv")).exists(), "{m}");
            assert!(s["why"].as_str().unwrap().contains("zero variance"));
            continue;
        }
        let times: Vec<i64> = s["rel_years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap())
            .collect();
        let sigma = s["sigma"].as_array().unwrap();
        assert_eq!(sigma.len(), times.len(), "{m}");
        assert_eq!(
            s["reference_period"], -1,
            "{m}: the universal base's reference"
        );
        assert!(
            !times.contains(&-1),
            "{m}: the reference period is left out"
        );
        let pre = s["numPrePeriods"].as_u64().unwrap() as usize;
        assert_eq!(
            pre + s["numPostPeriods"].as_u64().unwrap() as usize,
            times.len()
        );
        assert!(
            times[..pre].iter().all(|e| *e < 0) && times[pre..].iter().all(|e| *e >= 0),
            "{m}"
        );
        for (i, e) in times.iter().enumerate() {
            let row = (0..metric.len())
                .find(|&j| metric[j] == *m && rel[j] == Some(*e as f64))
                .unwrap_or_else(|| panic!("{m} e={e}: not in honest_event_study"));
            let v = sigma[i][i].as_f64().unwrap();
            // An estimate with no variance (a constant outcome) has no SE.
            let Some(se) = sea[row] else {
                assert!(v.sqrt() <= 1.5e-7, "{m} e={e}: V {v} but no SE");
                assert!(s["warnings"].to_string().contains("zero variance"), "{m}");
                continue;
            };
            assert!(
                (v - se * se).abs() <= 1e-12 * (se * se),
                "{m} e={e}: {v} vs {}",
                se * se
            );
            checked += 1;
        }
        // The CSV files the scripts read hold the same numbers.
        let stem = s["files"]["beta"].as_str().unwrap();
        let beta = std::fs::read_to_string(run.join("export").join(stem)).unwrap();
        assert_eq!(beta.lines().count(), times.len() + 1, "{m}");
        let vcov = std::fs::read_to_string(
            run.join("export")
                .join(s["files"]["sigma"].as_str().unwrap()),
        )
        .unwrap();
        let first: f64 = vcov
            .lines()
            .next()
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // (serde_json reads floats to within an ulp, not exactly)
        let want = sigma[0][0].as_f64().unwrap();
        assert!(
            (first - want).abs() <= 1e-15 * want.abs(),
            "{m}: {first} vs {want}"
        );
    }
    assert!(checked > 50, "{checked}");
    let r = std::fs::read_to_string(h.join("honestdid.R")).unwrap();
    let st = std::fs::read_to_string(h.join("honestdid.do")).unwrap();
    let rr = &studies["resolution_rate"];
    let (pre, post) = (
        rr["numPrePeriods"].as_u64().unwrap(),
        rr["numPostPeriods"].as_u64().unwrap(),
    );
    assert!(
        r.contains(&format!("numPrePeriods = {pre}, numPostPeriods = {post}")),
        "{r}"
    );
    assert!(
        st.contains(&format!("pre(1/{pre}) post({}/{})", pre + 1, pre + post)),
        "{st}"
    );
}

#[test]
fn the_same_run_exports_the_same_bytes() {
    let (_one, sh) = shared();
    let (wd, c) = (&sh.wd, sh.cfg.to_str().unwrap());
    let run = run_dir(wd);
    let rel = run.strip_prefix(wd.path("")).unwrap().join("export");
    let first = wd.snapshot(rel.to_str().unwrap());
    wd.ok(&["export", "--config", c]);
    assert_eq!(first, wd.snapshot(rel.to_str().unwrap()));
    assert!(first.len() > 40, "{}", first.len());
}

#[test]
fn a_table_or_format_that_is_not_one_or_a_warehouse_ingested_since_is_said() {
    let wd = Workdir::new();
    let cfg = sample_run(&wd);
    let c = cfg.to_str().unwrap();
    let e = wd.fails(&["export", "--config", c, "--tables", "units,people"]);
    assert!(
        e.contains("'people' is not a table") && e.contains("unit_metrics"),
        "{e}"
    );
    let e = wd.fails(&["export", "--config", c, "--format", "dta,xls"]);
    assert!(e.contains("'xls' is not a format"), "{e}");
    let e = wd.fails(&["export", "--config", c, "--run", "nosuchrun"]);
    assert!(e.contains("run 'nosuchrun' not found"), "{e}");
    // The warehouse is ingested again from other inputs: its fact tables
    // are no longer the run's.
    let messy = common::repo_config(&wd, "sample-messy", "warehouse");
    wd.run(&["ingest", "--config", messy.to_str().unwrap()]);
    let out = wd.ok(&["export", "--config", c]);
    assert!(
        out.contains("disputes not exported: the warehouse") && out.contains("ingest ran since"),
        "{out}"
    );
    assert!(out.contains("units"), "{out}");
    let e = wd.fails(&["export", "--config", c, "--tables", "units,disputes"]);
    assert!(
        e.contains("disputes") && e.contains("ingest ran since"),
        "{e}"
    );
}

/// The named arguments of every call to `f` in an R script (top-level
/// `name = value` inside its parentheses, strings skipped).
fn r_calls(script: &str, f: &str) -> Vec<Vec<String>> {
    let b = script.as_bytes();
    let mut out = Vec::new();
    let pat = format!("{f}(");
    let mut from = 0;
    while let Some(at) = script[from..].find(&pat) {
        let start = from + at;
        from = start + pat.len();
        let before = script[..start].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let (mut depth, mut i, mut in_str) = (1, from, false);
        let mut parts = vec![String::new()];
        while depth > 0 {
            let c = b[i] as char;
            if in_str {
                in_str = c != '"';
            } else if c == '"' {
                in_str = true;
            } else if c == '(' {
                depth += 1;
            } else if c == ')' {
                depth -= 1;
            } else if c == ',' && depth == 1 {
                parts.push(String::new());
                i += 1;
                continue;
            }
            if depth > 0 && depth == 1 {
                parts.last_mut().unwrap().push(c);
            }
            i += 1;
        }
        out.push(
            parts
                .iter()
                .filter_map(|p| {
                    let p = p.trim();
                    let (name, rest) = p.split_once('=')?;
                    let name = name.trim();
                    (!rest.starts_with('=')
                        && !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '.'))
                    .then(|| name.to_string())
                })
                .collect(),
        );
    }
    out
}

fn header(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect()
}

#[test]
fn replication_scripts_call_only_documented_arguments_on_the_exported_files() {
    let (_one, sh) = shared();
    let run = run_dir(&sh.wd);
    let export = run.join("export");
    let r = std::fs::read_to_string(export.join("replicate.R")).unwrap();
    // The arguments R's did (2.x) and QCA (3.x) document for each call.
    let documented: &[(&str, &[&str])] = &[
        (
            "att_gt",
            &[
                "yname",
                "tname",
                "idname",
                "gname",
                "xformla",
                "data",
                "panel",
                "allow_unbalanced_panel",
                "control_group",
                "anticipation",
                "weightsname",
                "alp",
                "bstrap",
                "cband",
                "biters",
                "clustervars",
                "est_method",
                "base_period",
                "faster_mode",
                "print_details",
                "pl",
                "cores",
            ],
        ),
        (
            "aggte",
            &[
                "MP",
                "type",
                "balance_e",
                "min_e",
                "max_e",
                "na.rm",
                "bstrap",
                "biters",
                "cband",
                "alp",
                "clustervars",
            ],
        ),
        (
            "calibrate",
            &[
                "x",
                "type",
                "method",
                "thresholds",
                "logistic",
                "idm",
                "ecdf",
                "below",
                "above",
            ],
        ),
        (
            "truthTable",
            &[
                "data",
                "outcome",
                "conditions",
                "incl.cut",
                "n.cut",
                "pri.cut",
                "exclude",
                "complete",
                "use.letters",
                "use.labels",
                "show.cases",
                "dcc",
                "sort.by",
                "inf.test",
            ],
        ),
        (
            "minimize",
            &[
                "input",
                "include",
                "exclude",
                "dir.exp",
                "details",
                "all.sol",
                "row.dom",
                "min.pin",
                "pi.cons",
                "pi.depth",
                "sol.cons",
                "sol.cov",
                "sol.depth",
                "method",
            ],
        ),
        (
            "read.csv",
            &[
                "file",
                "header",
                "sep",
                "colClasses",
                "encoding",
                "fileEncoding",
            ],
        ),
        (
            "new_coin",
            &[
                "iData",
                "iMeta",
                "exclude",
                "split_to",
                "level_names",
                "retain_all_units",
                "quietly",
            ],
        ),
        (
            "Impute",
            &[
                "x",
                "dset",
                "f_i",
                "f_i_para",
                "impute_by",
                "group_level",
                "use_group",
                "normalise_first",
                "out2",
                "write_to",
                "disable",
            ],
        ),
        (
            "qTreat",
            &["x", "dset", "winmax", "skew_thresh", "kurt_thresh", "f2"],
        ),
        (
            "Normalise",
            &[
                "x",
                "dset",
                "global_specs",
                "indiv_specs",
                "directions",
                "global",
                "write_to",
            ],
        ),
        (
            "Aggregate",
            &[
                "x",
                "dset",
                "f_ag",
                "w",
                "f_ag_para",
                "dat_thresh",
                "by_df",
                "write_to",
            ],
        ),
        (
            "get_results",
            &[
                "coin",
                "dset",
                "tab_type",
                "also_get",
                "use",
                "order_by",
                "nround",
                "use_group",
                "dset_ranks",
            ],
        ),
    ];
    let mut calls = 0;
    for (f, args) in documented {
        let found = r_calls(&r, f);
        assert!(!found.is_empty(), "replicate.R calls no {f}");
        for named in found {
            for a in named {
                assert!(
                    args.contains(&a.as_str()),
                    "{f}({a} = …) is not an argument R documents"
                );
            }
            calls += 1;
        }
    }
    assert!(calls > 40, "{calls}");
    let first = &r_calls(&r, "att_gt")[0];
    for a in ["yname", "gname", "xformla", "control_group", "clustervars"] {
        assert!(first.iter().any(|x| x == a), "{a} not seen in {first:?}");
    }
    // The files the scripts read are exported, and the columns they name are theirs.
    let panel = header(&export.join("adoption_panel.csv"));
    let cases = header(&export.join("qca_cases.csv"));
    // COINr's iData takes the exported wide metrics' columns.
    let wide = header(&export.join("unit_metrics.csv"));
    let idata = r.split("d[c(").nth(1).unwrap().split(")])").next().unwrap();
    for c in idata.split(", ") {
        assert!(
            wide.contains(&c.trim_matches('"').to_string()),
            "iData column {c}"
        );
    }
    for f in [
        "adoption_panel.csv",
        "qca_cases.csv",
        "unit_metrics.csv",
        "units.csv",
    ] {
        assert!(r.contains(&format!("read.csv(\"{f}\"")), "{f}");
    }
    for (prefix, cols) in [("panel$", &panel), ("cases$", &cases)] {
        for (i, _) in r.match_indices(prefix) {
            let name: String = r[i + prefix.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert!(
                cols.contains(&name) || ["id", "cluster_id"].contains(&name.as_str()),
                "{prefix}{name} is not a column of the exported file"
            );
        }
    }
    for (i, _) in r.match_indices("yname = \"") {
        let y: String = r[i + 9..].chars().take_while(|c| *c != '"').collect();
        assert!(panel.contains(&y), "yname {y}");
    }
    // The settings are the run's.
    let tests = common::parquet(&run.join("tables/adoption_tests.parquet"));
    let control = match strs(&tests, "control")[0].as_str() {
        "never" => "nevertreated",
        _ => "notyettreated",
    };
    assert!(r.contains(&format!("control_group = \"{control}\"")));
    assert!(r.contains(&format!("est_method = \"{}\"", strs(&tests, "method")[0])));
    assert!(r.contains(&format!(
        "base_period = \"{}\"",
        strs(&tests, "base_period")[0]
    )));
    let cal = common::parquet(&run.join("tables/qca_calibration.parquet"));
    let crossover = f64s(&cal, "crossover")[0].unwrap();
    assert!(
        r.contains(&format!("c={crossover}")),
        "the first set's crossover {crossover}"
    );

    // Stata: csdid on the exported panel's columns, with documented options.
    let st = std::fs::read_to_string(export.join("replicate.do")).unwrap();
    assert!(
        st.contains("use adoption_panel, clear") && export.join("adoption_panel.dta").is_file()
    );
    let lines: Vec<&str> = st.lines().filter(|l| l.starts_with("csdid ")).collect();
    // One a metric the run could estimate (an outcome that never varied
    // has none: the script says so instead).
    let eff = common::parquet(&run.join("tables/adoption_effects.parquet"));
    let estimable = (0..eff.height())
        .filter(|&i| strs(&eff, "kind")[i] == "simple" && f64s(&eff, "se")[i].is_some())
        .count();
    assert_eq!(lines.len(), estimable, "one csdid a metric");
    assert!(estimable >= 6, "{estimable}");
    for l in lines {
        let (vars, opts) = l["csdid ".len()..].split_once(',').unwrap();
        for v in vars.split_whitespace() {
            assert!(panel.contains(&v.to_string()), "csdid {v}");
        }
        for o in opts.split_whitespace() {
            let name = o.split('(').next().unwrap();
            assert!(
                [
                    "ivar", "time", "gvar", "method", "notyet", "long2", "cluster", "wboot",
                    "reps", "rseed", "level", "agg"
                ]
                .contains(&name),
                "csdid option {name}"
            );
        }
        assert!(
            l.contains("method(dripw)") && l.contains("cluster(cluster_id)"),
            "{l}"
        );
    }
}

#[test]
fn a_run_with_output_export_exports_once_and_skips_when_up_to_date() {
    let wd = Workdir::new();
    let cfg = common::sample_config(
        &wd,
        "\n[compare]\ndraws = 99\n\n[index]\ndraws = 50\n\n[output]\nexport = [\"dta\", \"sav\"]\n",
    );
    let c = cfg.to_str().unwrap();
    let first = wd.ok(&["run", "--config", c]);
    assert!(
        first.contains("export   ran") || first.contains("export ran"),
        "{first}"
    );
    let export = run_dir(&wd).join("export");
    assert!(export.join("units.dta").is_file() && export.join("units.sav").is_file());
    assert!(
        export.join("units.csv").is_file(),
        "CSV always: the data package describes it"
    );
    assert!(
        !export.join("units.parquet").exists(),
        "parquet was not asked for"
    );
    assert!(
        export.join("replicate.R").is_file() && export.join("honestdid/honestdid.json").is_file()
    );
    let second = wd.ok(&["run", "--config", c]);
    assert!(second.contains("export up to date"), "{second}");

    let bad = wd.write(
        "bad.toml",
        std::fs::read_to_string(&cfg)
            .unwrap()
            .replace("export = [\"dta\", \"sav\"]", "export = [\"dta\", \"xls\"]"),
    );
    let e = wd.fails(&["run", "--config", bad.to_str().unwrap()]);
    assert!(
        e.contains("output.export") && e.contains("'xls' is not a format"),
        "{e}"
    );
}

#[test]
fn a_run_whose_tables_are_suppressed_exports_no_warehouse_rows() {
    let wd = Workdir::new();
    let cfg = common::sample_config(
        &wd,
        "\n[compare]\ndraws = 99\n\n[index]\ndraws = 50\n\n[privacy]\ntables = \"suppressed\"\n",
    );
    let c = cfg.to_str().unwrap();
    wd.ok(&["ingest", "--config", c]);
    wd.ok(&["compare", "--config", c]);
    let out = wd.ok(&["export", "--config", c, "--format", "csv"]);
    for t in ["member_ages", "disputes", "service_usage"] {
        assert!(
            out.contains(&format!(
                "{t} not exported: the run's [privacy] tables = \"suppressed\""
            )),
            "{out}"
        );
    }
    assert!(run_dir(&wd).join("export/unit_metrics.csv").is_file());
    let e = wd.fails(&["export", "--config", c, "--tables", "member_ages"]);
    assert!(e.contains("suppressed"), "{e}");
}

/// The `w:tbl` elements of a Word file's document.xml.
fn word_tables(docx: &Path) -> Vec<String> {
    let f = std::fs::File::open(docx).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    xml.split("<w:tbl>")
        .skip(1)
        .map(|t| t.split("</w:tbl>").next().unwrap().to_string())
        .collect()
}

#[test]
fn journal_tables_are_three_line_tables_with_the_run_s_numbers() {
    let (_one, sh) = shared();
    let wd = &sh.wd;
    let run = run_dir(wd);
    let export = run.join("export");
    // Word: heavy rules above and below, no inside or vertical lines; the
    // header's cells ruled thin underneath; nothing else ruled.
    let tables = word_tables(&export.join("tables.docx"));
    assert_eq!(
        tables.len(),
        7,
        "descriptive, models, Dunn, DiD pooled and by model, QCA, sensitivity"
    );
    for (i, t) in tables.iter().enumerate() {
        let borders = t
            .split("<w:tblBorders>")
            .nth(1)
            .unwrap()
            .split("</w:tblBorders>")
            .next()
            .unwrap();
        assert!(
            borders.contains(r#"<w:top w:val="single" w:sz="12""#),
            "table {i}: {borders}"
        );
        assert!(
            borders.contains(r#"<w:bottom w:val="single" w:sz="12""#),
            "table {i}: {borders}"
        );
        for edge in ["left", "right", "insideH", "insideV"] {
            assert!(
                !borders.contains(&format!(r#"<w:{edge} w:val="single""#)),
                "table {i}: {edge} ruled"
            );
        }
        let cell_rules = t.matches(r#"<w:bottom w:val="single" w:sz="6""#).count();
        let first_rows: usize = t
            .split("<w:tr>")
            .skip(1)
            .take(2)
            .map(|r| r.matches(r#"w:sz="6""#).count())
            .sum();
        assert_eq!(
            cell_rules, first_rows,
            "table {i}: a thin rule below the header only"
        );
        assert!(
            !t.contains(r#"<w:left w:val="single""#) && !t.contains(r#"<w:right w:val="single""#)
        );
    }
    // The numbers are the run's, by the reports' formatter.
    if !common::python_readers() {
        return;
    }
    let text = {
        let out = Command::new("python3")
            .args(["-c", "import docx,sys\nd=docx.Document(sys.argv[1])\nfor t in d.tables:\n  for r in t.rows:\n    print('|'.join(c.text for c in r.cells))", export.join("tables.docx").to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let eff = common::parquet(&run.join("tables/adoption_effects.parquet"));
    let (m, kind, att) = (strs(&eff, "metric"), strs(&eff, "kind"), f64s(&eff, "att"));
    let i = (0..eff.height())
        .find(|&i| m[i] == "resolution_rate" && kind[i] == "simple")
        .unwrap();
    let pp = format!("{:+.1}", att[i].unwrap() * 100.0).replace('-', "−");
    let row = text
        .lines()
        .find(|l| l.starts_with("调解成功率（百分点）"))
        .unwrap();
    assert!(
        row.split('|').nth(1).unwrap().starts_with(&pp),
        "{row} vs {pp}"
    );
    let tests = common::parquet(&run.join("tables/model_tests.parquet"));
    let (p, mm, b, lvl, h) = (
        strs(&tests, "period"),
        strs(&tests, "metric"),
        strs(&tests, "breakdown"),
        strs(&tests, "level"),
        f64s(&tests, "h"),
    );
    let j = (0..tests.height())
        .find(|&j| {
            p[j] == "2024" && mm[j] == "resolution_rate" && b[j].is_empty() && lvl[j] == "county"
        })
        .unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("调解成功率|") && !l.starts_with("调解成功率|调解成功率"))
        .unwrap();
    assert!(row.contains(&format!("{:.2}", h[j].unwrap())), "{row}");
    // LibreOffice opens it.
    if common::python_has("docx")
        && Command::new("soffice")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    {
        common::soffice_convert(wd, &export.join("tables.docx"), "pdf");
    }
}

/// A LaTeX document's structure: braces balance, every \begin has its
/// \end, and each row of a longtable has as many cells as its columns.
fn check_latex(tex: &str) {
    let mut depth = 0i64;
    let mut prev = ' ';
    for c in tex.chars() {
        if prev != '\\' {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            assert!(depth >= 0, "a closing brace without its opening one");
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    assert_eq!(depth, 0, "unbalanced braces");
    let mut stack = Vec::new();
    for part in tex.split('\\').skip(1) {
        if let Some(env) = part.strip_prefix("begin{") {
            stack.push(env.split('}').next().unwrap().to_string());
        } else if let Some(env) = part.strip_prefix("end{") {
            assert_eq!(stack.pop().as_deref(), Some(env.split('}').next().unwrap()));
        }
    }
    assert!(stack.is_empty(), "{stack:?} not ended");
    let envs = tex
        .split("\\begin{longtable}")
        .skip(1)
        .chain(tex.split("\\begin{tabular}").skip(1));
    for table in envs {
        let spec = table.lines().next().unwrap();
        let cols = 1 + spec
            .split("*{")
            .nth(1)
            .and_then(|x| x.split('}').next())
            .unwrap()
            .parse::<usize>()
            .unwrap();
        let body = table
            .split("\\end{longtable}")
            .next()
            .unwrap()
            .split("\\end{tabular}")
            .next()
            .unwrap();
        for line in body
            .lines()
            .filter(|l| l.trim_end().ends_with("\\\\") && !l.starts_with("\\caption"))
        {
            let cells: usize = line
                .split(" & ")
                .map(|c| match c.trim().strip_prefix("\\multicolumn{") {
                    Some(n) => n.split('}').next().unwrap().parse().unwrap(),
                    None => 1,
                })
                .sum();
            assert_eq!(cells, cols, "{line}");
        }
    }
}

#[test]
fn tables_tex_is_well_formed_latex_and_compiles_where_xelatex_is() {
    let (_one, sh) = shared();
    let wd = &sh.wd;
    let export = run_dir(wd).join("export");
    let tex = std::fs::read_to_string(export.join("tables.tex")).unwrap();
    check_latex(&tex);
    assert_eq!(
        tex.matches("\\begin{longtable}").count() + tex.matches("\\begin{tabular}").count(),
        7
    );
    for rule in ["\\toprule", "\\midrule", "\\bottomrule", "\\cmidrule(lr)"] {
        assert!(tex.contains(rule), "{rule}");
    }
    assert!(
        !tex.contains('|') || !tex.contains("{l|"),
        "no vertical rules"
    );
    // The checker can fail.
    let broken = tex.replacen("治理模式 & N", "治理模式 N", 1);
    assert_ne!(broken, tex);
    assert!(std::panic::catch_unwind(|| check_latex(&broken)).is_err());
    // A real compile, where a TeX engine is installed (ctex and booktabs).
    let has = Command::new("xelatex")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        eprintln!("SKIPPED: xelatex not found; the structure check above ran");
        return;
    }
    let dir = wd.path("tex");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tables.tex"), &tex).unwrap();
    for _ in 0..2 {
        let out = Command::new("xelatex")
            .args(["-interaction=nonstopmode", "-halt-on-error", "tables.tex"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert!(dir.join("tables.pdf").is_file());
}

#[test]
fn hostile_region_names_are_data_in_stata_and_text_in_the_csv_and_codebook() {
    let wd = Workdir::new();
    let cfg = common::hostile_sample(&wd);
    let c = cfg.to_str().unwrap();
    wd.ok(&["ingest", "--config", c]);
    wd.ok(&["compare", "--config", c]);
    wd.ok(&["export", "--config", c, "--tables", "units,unit_metrics"]);
    let export = wd.path(&format!("out/{}/export", wd.latest()));
    let formula = "=HYPERLINK(\"http://x.example\",\"点我\")";
    let csv = std::fs::read_to_string(export.join("units.csv")).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x.example\"\",\"\"点我\"\")\""),
        "{}",
        &csv[..300]
    );
    assert!(csv.contains("'@平谷区<i>"));
    let md = std::fs::read_to_string(export.join("codebook.md")).unwrap();
    assert!(!md.contains("<b>") && !md.contains("<i>"));
    if !readers() {
        return;
    }
    let seen = read_export(&export);
    let names = Command::new("python3")
        .args(["-c", "import pyreadstat,sys,json\nd,_=pyreadstat.read_dta(sys.argv[1])\ns,_=pyreadstat.read_sav(sys.argv[2])\nprint(json.dumps([list(d.region_name),list(s.region_name)],ensure_ascii=False))",
            export.join("units.dta").to_str().unwrap(), export.join("units.sav").to_str().unwrap()])
        .output()
        .unwrap();
    let names: Vec<Vec<String>> = serde_json::from_slice(&names.stdout).unwrap();
    for n in &names {
        assert!(n.iter().any(|x| x == formula), "the name as it was given");
        assert!(n.iter().any(|x| x == "<b>粗体</b> \"引号\" & 'x'"));
    }
    assert_eq!(
        seen["units"]["agree"]["region_name"], false,
        "the CSV's guard differs from the raw value, on purpose"
    );
}
