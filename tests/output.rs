//! `[output] csv`: every table is Parquet; its CSV copy is written under
//! `auto` only up to `csv_max_rows` rows (the run's notes name the tables
//! left without one), under `all` always and under `none` never.

mod common;

use common::Workdir;

fn csvs(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    v.sort();
    v
}

#[test]
fn csv_copies_follow_the_output_section() {
    let wd = Workdir::new();
    let base = "\n[compare]\ndraws = 9\n\n[index]\ndraws = 5\n";
    let run = |name: &str, extra: &str| {
        let cfg = common::sample_config(&wd, &format!("{base}{extra}"));
        let cfg = wd.write(
            &format!("{name}.toml"),
            std::fs::read_to_string(cfg).unwrap(),
        );
        if name == "auto" {
            wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
        }
        wd.ok(&["compare", "--config", cfg.to_str().unwrap()]);
        let tables = wd.path("out/latest/tables");
        let manifest = std::fs::read_to_string(wd.path("out/latest/manifest.json")).unwrap();
        (csvs(&tables), tables, manifest)
    };
    // The default writes every copy of the sample (all under 1M rows).
    let (all, tables, manifest) = run("auto", "");
    let parquet = std::fs::read_dir(&tables)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".parquet"))
        .count();
    assert_eq!(all.len(), parquet, "{all:?}");
    assert!(!manifest.contains("no CSV copy"));
    // A low limit leaves the big tables without a copy, and says which.
    let (some, tables, manifest) = run("small", "\n[output]\ncsv_max_rows = 2000\n");
    assert!(!some.contains(&"unit_metrics.csv".to_string()), "{some:?}");
    assert!(some.contains(&"units.csv".to_string()), "{some:?}");
    assert!(tables.join("unit_metrics.parquet").is_file());
    assert!(
        manifest.contains("no CSV copy of unit_metrics")
            && manifest.contains("csv_max_rows = 2000"),
        "{manifest}"
    );
    // none: Parquet only; all: every copy.
    let (none, _, _) = run("none", "\n[output]\ncsv = \"none\"\n");
    assert!(none.is_empty(), "{none:?}");
    let (every, _, _) = run("all", "\n[output]\ncsv = \"all\"\ncsv_max_rows = 10\n");
    assert_eq!(every, all);
    // A bad value is named.
    let cfg = common::sample_config(&wd, "\n[output]\ncsv = \"some\"\n");
    let err = wd.fails(&["compare", "--config", cfg.to_str().unwrap()]);
    assert!(
        err.contains("output.csv") && err.contains("'some' is not auto, all or none"),
        "{err}"
    );
}
