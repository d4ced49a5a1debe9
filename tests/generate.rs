//! `govlens generate`: seeded, reproducible, and the committed samples are
//! exactly what it writes (so they can always be rebuilt and never drift).

mod common;

use common::{repo, Workdir};

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    // Every file below `dir` (the messy sample's round-2024/ too), by its
    // path under `dir`.
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
            if name != "README.md" {
                v.push((name, std::fs::read(&p).unwrap()));
            }
        }
    }
    v.sort();
    v
}

#[test]
fn committed_samples_are_what_generate_writes() {
    let wd = Workdir::new();
    wd.ok(&[
        "generate",
        "--out",
        "s",
        "--communities",
        "340",
        "--messy",
        "m",
    ]);
    let same = |a: &str, b: &str| {
        let (x, y) = (files(&wd.path(a)), files(&repo().join(b)));
        assert_eq!(x.len(), y.len(), "{b}: file sets differ");
        for ((n1, b1), (n2, b2)) in x.iter().zip(&y) {
            assert_eq!(n1, n2);
            assert!(
                b1 == b2,
                "{b}/{n1} differs from what `govlens generate` writes: regenerate it (README)"
            );
        }
    };
    same("s", "datasets/sample");
    same("m", "datasets/sample-messy");
}

#[test]
fn a_seed_fixes_the_output_and_another_seed_changes_it() {
    let wd = Workdir::new();
    for (dir, seed) in [("a", "1"), ("b", "1"), ("c", "2")] {
        wd.ok(&[
            "generate",
            "--out",
            dir,
            "--communities",
            "20",
            "--years",
            "2020-2021",
            "--seed",
            seed,
        ]);
    }
    assert_eq!(files(&wd.path("a")), files(&wd.path("b")));
    let (a, c) = (files(&wd.path("a")), files(&wd.path("c")));
    let disputes = |v: &[(String, Vec<u8>)]| {
        v.iter()
            .find(|(n, _)| n == "disputes.csv")
            .unwrap()
            .1
            .clone()
    };
    assert_ne!(disputes(&a), disputes(&c));
}

#[test]
fn beyond_the_tree_file_synthetic_communities_sit_under_real_counties() {
    let wd = Workdir::new();
    // Enough to wrap round every county of the list (a regression: cities
    // without counties were listed as their own county, a self-parent).
    wd.ok(&[
        "generate",
        "--out",
        "g",
        "--communities",
        "4500",
        "--years",
        "2024-2024",
    ]);
    let text = std::fs::read_to_string(wd.path("g/regions.csv")).unwrap();
    let communities = text.lines().filter(|l| l.contains(",community,")).count();
    assert_eq!(communities, 4500);
    assert!(text.contains("模拟社区"));
    // The output ingests cleanly: every code has its parent.
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &wd.path("g/regions.csv"), ""),
            ("disputes", &wd.path("g/disputes.csv"), ""),
        ],
    );
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        out.contains("quarantined 0") && !out.contains("E_"),
        "{out}"
    );
}

#[test]
fn bad_years_are_refused() {
    let wd = Workdir::new();
    let err = wd.fails(&["generate", "--out", "g", "--years", "2024-2015"]);
    assert!(err.contains("--years"), "{err}");
}
