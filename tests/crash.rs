//! Crash safety: `kill -9` at any moment of ingest leaves the previous
//! warehouse complete and readable, and the next run completes.

mod common;

use std::time::{Duration, Instant};

use common::{parquet, sample, Workdir};
use rand::{Rng, SeedableRng};

#[test]
fn killed_ingest_leaves_the_previous_warehouse_intact() {
    let wd = Workdir::new();
    // The previous warehouse: the sample regions only.
    let small = wd.config("small.toml", &[("regions", &sample("regions.csv"), "")]);
    wd.ok(&["ingest", "--config", small.to_str().unwrap()]);
    let before = wd.snapshot("warehouse");

    // A bigger input, so that kills land mid-read, mid-write or mid-publish.
    wd.ok(&[
        "generate",
        "--out",
        "big",
        "--communities",
        "600",
        "--years",
        "2015-2024",
    ]);
    let s: Vec<(&str, std::path::PathBuf)> =
        ["regions", "member_ages", "disputes", "service_usage"]
            .into_iter()
            .map(|t| (t, wd.path(&format!("big/{t}.csv"))))
            .collect();
    let refs: Vec<(&str, &std::path::Path, &str)> =
        s.iter().map(|(t, p)| (*t, p.as_path(), "")).collect();
    let big = wd.config("big.toml", &refs);
    let args = ["ingest", "--config", big.to_str().unwrap()];

    // Time one full run into another folder, to spread the kills over it.
    let text = std::fs::read_to_string(&big)
        .unwrap()
        .replace("\"warehouse\"", "\"full\"");
    let full_cfg = wd.write("full.toml", text);
    let t = Instant::now();
    wd.ok(&["ingest", "--config", full_cfg.to_str().unwrap()]);
    let full = t.elapsed();

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261122);
    let mut before = before;
    let mut killed = 0;
    for attempt in 0..6 {
        // The first kill lands early for sure; the others anywhere in a run
        // (the machine's speed varies, so a run may also finish first).
        let at = if attempt == 0 {
            full / 20
        } else {
            Duration::from_micros(rng.random_range(0..full.as_micros() as u64))
        };
        let mut child = wd.command(&args).spawn().unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        if child.wait().unwrap().success() {
            // It finished before the kill: that warehouse is the new "before".
            before = wd.snapshot("warehouse");
            continue;
        }
        killed += 1;
        assert_eq!(
            before,
            wd.snapshot("warehouse"),
            "a kill at {at:?} changed the warehouse"
        );
        assert!(parquet(&wd.path("warehouse/regions/part-0.parquet")).height() > 0);
    }
    assert!(killed > 0, "no run was killed");
    // The next run completes and cleans what the kills left behind.
    wd.ok(&args);
    assert!(wd.leftovers().is_empty(), "{:?}", wd.leftovers());
    assert_eq!(wd.snapshot("warehouse").len(), wd.snapshot("full").len());
    assert_eq!(
        parquet(&wd.path("warehouse/member_ages/part-0.parquet")).height(),
        parquet(&wd.path("full/member_ages/part-0.parquet")).height()
    );
}
