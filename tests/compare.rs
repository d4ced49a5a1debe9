//! `govlens compare` end to end: hand-computed metrics, determinism, a planted
//! adoption effect recovered and a placebo not rejected, and bad input.

mod common;

use common::{parquet, sample, Workdir};
use polars::prelude::*;

fn ingest_and_compare(wd: &Workdir, cfg: &std::path::Path) -> std::path::PathBuf {
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let out = wd.ok(&["compare", "--config", cfg.to_str().unwrap()]);
    let line = out.lines().find(|l| l.starts_with("written to ")).unwrap();
    wd.path(
        line.trim_start_matches("written to ")
            .trim_start_matches(&format!("{}/", wd.dir.path().display())),
    )
}

/// A workdir with a small tree, one disputes file and a config with `extra`
/// lines in [run] and after; ingested. Returns the workdir and config.
fn tiny(
    regions: &str,
    disputes: &str,
    run_extra: &str,
    extra: &str,
) -> (Workdir, std::path::PathBuf) {
    let wd = Workdir::new();
    wd.write("r.csv", regions);
    wd.write("d.csv", disputes);
    let cfg = wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n{run_extra}[sources.regions]\npath = \"r.csv\"\n[sources.disputes]\npath = \"d.csv\"\n{extra}"
        ),
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    (wd, cfg)
}

fn value(um: &DataFrame, code: &str, metric: &str, breakdown: Option<&str>) -> (f64, bool) {
    let s = |c: &str| um.column(c).unwrap().str().unwrap().clone();
    let (codes, metrics, breakdowns) = (s("region_code"), s("metric"), s("breakdown"));
    let values = um.column("value").unwrap().f64().unwrap();
    let interp = um.column("interpolated").unwrap().bool().unwrap();
    for i in 0..um.height() {
        if codes.get(i) == Some(code)
            && metrics.get(i) == Some(metric)
            && breakdowns.get(i) == breakdown
        {
            return (values.get(i).unwrap(), interp.get(i).unwrap());
        }
    }
    panic!("no {metric} {breakdown:?} for {code}");
}

/// One community, one year, numbers small enough to check by hand.
#[test]
fn every_metric_by_hand() {
    let wd = Workdir::new();
    wd.write(
        "regions.csv",
        "region_code,region_name,level,parent_code,governance_model,model_adopted,population\n\
         110000,北京市,province,,,,\n110100,市辖区,city,110000,,,\n110117,平谷区,county,110100,sinking,2017,\n\
         110117001,街道,street,110117,,,\n110117001001,甲社区,community,110117001,,,2000\n",
    );
    // Bands <25 (10), 25-34 (20, straddles 30), 35-44 (30), 45+ (40, open).
    // young (<30): 10 + 20 × 5/10 = 20 of 100 → 0.2, interpolated.
    // old (≥45): 40 → 0.4; aging ratio 2. Mean age: (10×12 + 20×29.5 + 30×39.5 + 40×50)/100 = 38.95.
    // Q1 stock is replaced by the Q4 one (stocks take the last period).
    wd.write(
        "ages.csv",
        "region_code,period,role,age_band,count\n\
         110117001001,2023-Q1,cadre,<25,99\n\
         110117001001,2023-Q4,cadre,<25,10\n110117001001,2023-Q4,cadre,25-34,20\n\
         110117001001,2023-Q4,cadre,35-44,30\n110117001001,2023-Q4,cadre,45+,40\n\
         110117001001,2023-Q4,cadre,total,100\n",
    );
    // Flows sum over the year: received 30 + 10, resolved 24 + 8, escalated 3 + 1.
    wd.write(
        "disputes.csv",
        "region_code,period,category,received,resolved,escalated\n\
         110117001001,2023-06,family,30,24,3\n110117001001,2023-07,family,10,8,1\n",
    );
    // Visits 600 + 300 + 100 (other); satisfaction weighted (600×90 + 300×80)/900.
    wd.write(
        "usage.csv",
        "region_code,period,center_type,visits,satisfaction\n\
         110117001001,2023,convenience,600,90\n110117001001,2023,health,300,80\n\
         110117001001,2023,党群服务中心,100,\n",
    );
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &wd.path("regions.csv"), ""),
            ("member_ages", &wd.path("ages.csv"), ""),
            ("disputes", &wd.path("disputes.csv"), ""),
            ("service_usage", &wd.path("usage.csv"), ""),
        ],
    );
    let dir = ingest_and_compare(&wd, &cfg);
    let um = parquet(&dir.join("tables/unit_metrics.parquet"));
    let c = "110117001001";
    let close = |(v, _): (f64, bool), want: f64| assert!((v - want).abs() < 1e-9, "{v} vs {want}");
    close(value(&um, c, "members", Some("cadre")), 100.0);
    assert_eq!(value(&um, c, "share_young", Some("cadre")), (0.2, true));
    close(value(&um, c, "share_old", Some("cadre")), 0.4);
    close(value(&um, c, "aging_ratio", Some("cadre")), 2.0);
    close(value(&um, c, "mean_age", Some("cadre")), 38.95);
    close(
        value(&um, c, "disputes_per_10k", None),
        40.0 / 2000.0 * 10_000.0,
    );
    close(value(&um, c, "resolution_rate", None), 32.0 / 40.0);
    close(value(&um, c, "escalation_rate", None), 4.0 / 40.0);
    close(
        value(&um, c, "visits_per_1k", None),
        1000.0 / 2000.0 * 1000.0,
    );
    close(value(&um, c, "visits_per_1k", Some("health")), 150.0);
    close(value(&um, c, "center_coverage", None), 2.0 / 7.0);
    close(
        value(&um, c, "satisfaction", None),
        (600.0 * 90.0 + 300.0 * 80.0) / 900.0,
    );
    let models = um
        .column("governance_model")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    assert_eq!(models.get(0), Some("sinking"), "inherited from the county");
}

fn sample_config(wd: &Workdir) -> std::path::PathBuf {
    common::sample_config(wd, "\n[compare]\ndraws = 199\n\n[index]\ndraws = 200\n")
}

#[test]
fn compare_twice_gives_identical_files() {
    let wd = Workdir::new();
    let cfg = sample_config(&wd);
    let dir = ingest_and_compare(&wd, &cfg);
    let rel = dir
        .strip_prefix(wd.dir.path())
        .unwrap()
        .to_string_lossy()
        .to_string();
    let first = wd.snapshot(&rel);
    assert!(first.keys().any(|k| k.ends_with("index_scores.parquet")));
    wd.ok(&["compare", "--config", cfg.to_str().unwrap()]);
    assert_eq!(first, wd.snapshot(&rel));
    // Whatever the number of threads.
    let out = wd
        .command(&["compare", "--config", cfg.to_str().unwrap()])
        .env("RAYON_NUM_THREADS", "1")
        .env("POLARS_MAX_THREADS", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(first, wd.snapshot(&rel), "one thread gives other bytes");
}

/// Generates data, runs the pipeline, and returns the simple ATT of the
/// resolution rate with its SE, and the effect planted on average.
fn resolution_effect(placebo: bool) -> (f64, f64, f64) {
    let wd = Workdir::new();
    let mut args = vec![
        "generate",
        "--out",
        "g",
        "--communities",
        "240",
        "--years",
        "2014-2022",
    ];
    if placebo {
        args.push("--placebo");
    }
    wd.ok(&args);
    let cfg = wd.write(
        "c.toml",
        "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n[sources.regions]\npath = \"g/regions.csv\"\n\
         [sources.disputes]\npath = \"g/disputes.csv\"\n[compare]\ndraws = 299\nadoption_metrics = [\"resolution_rate\"]\n[index]\ndraws = 50\n",
    );
    let dir = ingest_and_compare(&wd, &cfg);
    let eff = parquet(&dir.join("tables/adoption_effects.parquet"));
    let simple = eff
        .filter(&eff.column("kind").unwrap().str().unwrap().equal("simple"))
        .unwrap();
    let att = simple.column("att").unwrap().f64().unwrap().get(0).unwrap();
    let se = simple.column("se").unwrap().f64().unwrap().get(0).unwrap();
    // The planted effect, weighted as `simple` weights post cells: by cohort
    // size, one cell per post year.
    let regions = parquet(&wd.path("wh/regions/part-0.parquet"));
    let level = regions.column("level").unwrap().str().unwrap().clone();
    let model = regions
        .column("governance_model")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    let adopted = regions
        .column("model_adopted")
        .unwrap()
        .i32()
        .unwrap()
        .clone();
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..regions.height() {
        if level.get(i) != Some("community") || model.get(i) == Some("none") {
            continue;
        }
        let g = adopted.get(i).unwrap();
        let post_years = (2022 - g + 1) as f64;
        let e = if placebo {
            0.0
        } else {
            match model.get(i).unwrap() {
                "sinking" => 0.06,
                "collaborative" => 0.04,
                "embedded" => 0.08,
                _ => 0.05,
            }
        };
        num += e * post_years;
        den += post_years;
    }
    eprintln!(
        "resolution_rate simple ATT {att:.4} (SE {se:.4}), planted {:.4}, placebo {placebo}",
        num / den
    );
    (att, se, num / den)
}

#[test]
fn a_planted_adoption_effect_is_recovered_inside_its_interval() {
    let (att, se, planted) = resolution_effect(false);
    assert!(planted > 0.04);
    assert!(
        (att - planted).abs() < 1.96 * se,
        "ATT {att} ± {se}, planted {planted}"
    );
    assert!(att - 1.96 * se > 0.0, "the effect is detected");
}

#[test]
fn a_placebo_does_not_reject() {
    let (att, se, planted) = resolution_effect(true);
    assert_eq!(planted, 0.0);
    assert!(att.abs() < 1.96 * se, "placebo ATT {att} ± {se}");
}

/// A cluster level with one cluster (every unit is in China) clusters by
/// unit instead, and the run's table and the report say why; `auto`
/// clusters the sample by county (the level that declares its models).
#[test]
fn one_cluster_only_clusters_by_unit_and_the_report_says_why() {
    let wd = Workdir::new();
    let cfg = common::sample_config(
        &wd,
        "\n[compare]\ndraws = 49\ncluster = \"country\"\nadoption_metrics = [\"resolution_rate\"]\n\n[index]\ndraws = 20\n",
    );
    let dir = ingest_and_compare(&wd, &cfg);
    let t = parquet(&dir.join("tables/adoption_tests.parquet"));
    let s = |c: &str| {
        t.column(c)
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .map(str::to_string)
    };
    assert_eq!(
        (s("cluster"), s("cluster_asked"), s("cluster_fallback")),
        (
            Some("unit".into()),
            Some("country".into()),
            Some("one_cluster".into())
        )
    );
    assert!(t
        .column("clusters")
        .unwrap()
        .u32()
        .unwrap()
        .get(0)
        .is_none());
    wd.ok(&["render", "--config", cfg.to_str().unwrap()]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("配置要求按国家聚类，但所有单位同属一个国家"),
        "the report does not say why it clusters by unit"
    );
    assert!(html.contains("标准误按单位聚类"));

    let auto = common::sample_config(&wd, "\n[compare]\ndraws = 49\nadoption_metrics = [\"resolution_rate\"]\n\n[index]\ndraws = 20\n");
    let dir = ingest_and_compare(&wd, &auto);
    let t = parquet(&dir.join("tables/adoption_tests.parquet"));
    assert_eq!(
        t.column("cluster").unwrap().str().unwrap().get(0),
        Some("county")
    );
    assert_eq!(
        t.column("clusters").unwrap().u32().unwrap().get(0),
        Some(34)
    );
    assert_eq!(
        t.column("treated_clusters").unwrap().u32().unwrap().get(0),
        Some(24)
    );
}

#[test]
fn compare_before_ingest_is_refused() {
    let wd = Workdir::new();
    let cfg = wd.config("c.toml", &[("regions", &sample("regions.csv"), "")]);
    let err = wd.fails(&["compare", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("run `govlens ingest` first"), "{err}");
    assert!(!wd.path("out").exists());
}

#[test]
fn unknown_metric_and_bad_weight_are_named() {
    let wd = Workdir::new();
    let base = "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n[sources.regions]\npath = \"r.csv\"\n";
    let cases = [
        ("[compare]\nadoption_metrics = [\"resolution_rte\"]\n", "compare.adoption_metrics[0]"),
        ("[[index.indicators]]\nmetric = \"satisfaction\"\npillar = \"s\"\ndirection = 1\nweight = 0\n", "index.indicators[0].weight"),
        ("[[index.indicators]]\nmetric = \"share_young\"\npillar = \"o\"\ndirection = 1\n", "index.indicators[0].metric"),
        ("[index.pillars]\nnowhere = 2\n", "index.pillars.nowhere"),
        ("[compare]\ncluster = \"bogus\"\n", "'bogus' is not auto, unit, province, city, county, street or community"),
    ];
    for (extra, key) in cases {
        let cfg = wd.write("c.toml", format!("{base}{extra}"));
        let err = wd.fails(&["compare", "--config", cfg.to_str().unwrap()]);
        assert!(err.contains(key), "{key}: {err}");
    }
}

#[test]
fn an_analysis_level_absent_from_the_tree_is_refused() {
    let (wd, cfg) = tiny(
        "region_code,region_name,level,parent_code\n110000,北京市,province,\n110117,平谷区,county,110000\n",
        "region_code,period,received,resolved\n110117,2023,3,2\n",
        "analysis_level = \"community\"\n",
        "",
    );
    let err = wd.fails(&["compare", "--config", cfg.to_str().unwrap()]);
    assert!(
        err.contains("run.analysis_level") && err.contains("community"),
        "{err}"
    );
    assert!(!wd.path("out").exists() || std::fs::read_dir(wd.path("out")).unwrap().count() == 0);
}

#[test]
fn a_period_without_data_and_a_model_without_units_are_refused() {
    let wd = Workdir::new();
    let cfg = sample_config(&wd);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let err = wd.fails(&[
        "compare",
        "--config",
        cfg.to_str().unwrap(),
        "--period",
        "2031",
    ]);
    assert!(
        err.contains("period 2031 has no data") && err.contains("2024"),
        "{err}"
    );
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "[compare]\n",
        "[compare]\nmodels = [\"嵌入型\", \"none\"]\n",
    );
    wd.write("sample.toml", text);
    let out = wd.ok(&[
        "compare",
        "--config",
        cfg.to_str().unwrap(),
        "--period",
        "2024",
    ]);
    assert!(out.contains("model_tests"), "{out}");
    // A tree with no integrated units, asked for integrated.
    let (wd2, cfg2) = tiny(
        "region_code,region_name,level,parent_code,governance_model\n110000,北京市,province,,\n110117,平谷区,county,110000,下沉\n110117001,街道,street,110117,\n110117001001,社区,community,110117001,\n",
        "region_code,period,received,resolved\n110117001001,2023,3,2\n",
        "",
        "[compare]\nmodels = [\"融合型\"]\n",
    );
    let err = wd2.fails(&["compare", "--config", cfg2.to_str().unwrap()]);
    assert!(
        err.contains("compare.models") && err.contains("integrated") && err.contains("sinking"),
        "{err}"
    );
}

#[test]
fn a_coarser_analysis_level_rolls_facts_and_population_up_the_tree() {
    let (wd, cfg) = tiny(
        "region_code,region_name,level,parent_code,governance_model,model_adopted,population\n\
         110000,北京市,province,,,,\n110117,平谷区,county,110000,embedded,2018,\n\
         110117001,街道,street,110117,,,\n110117001001,甲,community,110117001,,,1000\n\
         110117001002,乙,community,110117001,,,3000\n",
        "region_code,period,received,resolved\n110117001001,2023,10,9\n110117001002,2023,30,21\n",
        "analysis_level = \"street\"\n",
        "[compare]\ndraws = 19\n[index]\ndraws = 10\n",
    );
    let dir = ingest_and_compare(&wd, &cfg);
    let um = parquet(&dir.join("tables/unit_metrics.parquet"));
    let (v, _) = value(&um, "110117001", "disputes_per_10k", None);
    assert!((v - 40.0 / 4000.0 * 10_000.0).abs() < 1e-9, "{v}");
    let (v, _) = value(&um, "110117001", "resolution_rate", None);
    assert!((v - 30.0 / 40.0).abs() < 1e-12, "{v}");
    let models = um
        .column("governance_model")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    assert_eq!(models.get(0), Some("embedded"));
}
