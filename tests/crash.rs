//! Crash safety: `kill -9` at any moment of ingest leaves the previous
//! warehouse complete and readable, and the next run completes.

mod common;

use std::time::{Duration, Instant};

use common::{parquet, sample, Workdir};
use rand::{Rng, SeedableRng};

/// Six kill moments over a run that takes `full`: the first early for sure,
/// the others anywhere (the machine's speed varies, so a run may finish first).
fn kill_moments(full: Duration, seed: u64) -> Vec<Duration> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    std::iter::once(full / 20)
        .chain((1..6).map(|_| Duration::from_micros(rng.random_range(0..full.as_micros() as u64))))
        .collect()
}

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

    let mut before = before;
    let mut killed = 0;
    for at in kill_moments(full, 20261122) {
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

/// A config with relative paths only, so that the same text in two workdirs
/// gives byte-identical warehouses and runs.
fn relative_config(wd: &Workdir, name: &str, inputs: &str) -> std::path::PathBuf {
    let mut text = format!(
        "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\nseed = 7\nreference_codes = {:?}\n",
        common::repo()
            .join("datasets/reference/gbt2260-2023.csv")
            .to_string_lossy()
    );
    for t in ["regions", "member_ages", "disputes", "service_usage"] {
        text.push_str(&format!("\n[sources.{t}]\npath = \"{inputs}/{t}.csv\"\n"));
    }
    text.push_str(
        "\n[compare]\ndraws = 49\nadoption_metrics = [\"resolution_rate\"]\n\n[index]\ndraws = 20\n",
    );
    wd.write(name, text)
}

fn generate(wd: &Workdir, out: &str, seed: &str) {
    wd.ok(&[
        "generate",
        "--out",
        out,
        "--communities",
        "150",
        "--seed",
        seed,
    ]);
}

/// The run folder `latest` names, if any.
fn latest(wd: &Workdir) -> Option<String> {
    common::latest_in(&wd.path("out"))
}

#[test]
fn killed_run_leaves_warehouse_and_latest_whole_and_the_next_run_completes() {
    // What an uninterrupted run of the new inputs publishes, in a twin workdir.
    let twin = Workdir::new();
    generate(&twin, "new", "2");
    let cfg = relative_config(&twin, "new.toml", "new");
    let t = Instant::now();
    let code = twin.run(&["run", "--config", cfg.to_str().unwrap()]).status;
    assert!(matches!(code.code(), Some(0 | 1)), "{code:?}");
    let full = t.elapsed();
    let new_id = latest(&twin).expect("the twin's run sets latest");
    let new_wh = twin.snapshot("warehouse");
    let new_run = twin.snapshot(&format!("out/{new_id}"));

    // The state before: a complete run of other inputs.
    let wd = Workdir::new();
    generate(&wd, "old", "1");
    generate(&wd, "new", "2");
    let old_cfg = relative_config(&wd, "old.toml", "old");
    let new_cfg = relative_config(&wd, "new.toml", "new");
    wd.run(&["run", "--config", old_cfg.to_str().unwrap()]);
    let old_id = latest(&wd).expect("the first run sets latest");
    let old_wh = wd.snapshot("warehouse");
    let old_run = wd.snapshot(&format!("out/{old_id}"));

    let mut killed = 0;
    // Kills spread over the whole run: ingest, compare and render.
    for at in kill_moments(full, 20261124) {
        let mut child = wd
            .command(&["run", "--config", new_cfg.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let finished = child.wait().unwrap().code().is_some();
        killed += usize::from(!finished);
        // Each published thing is as it was or as a finished stage left it,
        // never part-written; `latest` names a complete run.
        let wh = wd.snapshot("warehouse");
        eprintln!(
            "kill at {at:?}: finished {finished}, new warehouse {}, latest {:?}",
            wh == new_wh,
            latest(&wd)
        );
        assert!(
            wh == old_wh || wh == new_wh,
            "a kill at {at:?} left a warehouse that is neither the old nor the new one"
        );
        match latest(&wd) {
            Some(id) if id == old_id => {}
            Some(id) if id == new_id => {
                assert_eq!(wd.snapshot(&format!("out/{id}")), new_run, "kill at {at:?}")
            }
            other => panic!("a kill at {at:?} left latest = {other:?}"),
        }
        assert_eq!(wd.snapshot(&format!("out/{old_id}")), old_run);
        if finished {
            // It won the race: start again from the old state.
            wd.run(&["run", "--config", old_cfg.to_str().unwrap()]);
        }
    }
    assert!(killed > 0, "no run was killed");
    // The next run takes over the dead run's lock and completes, with the
    // same results as the uninterrupted twin.
    let out = wd.run(&["run", "--config", new_cfg.to_str().unwrap()]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(latest(&wd).as_deref(), Some(new_id.as_str()));
    assert_eq!(wd.snapshot("warehouse"), new_wh);
    assert_eq!(wd.snapshot(&format!("out/{new_id}")), new_run);
    assert!(wd.leftovers().is_empty(), "{:?}", wd.leftovers());
}
