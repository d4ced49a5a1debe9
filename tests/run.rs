//! `govlens run`: the whole job for schedulers — skips what is up to date,
//! holds a lock, and says what happened with its exit code.

mod common;

use std::time::Instant;

use common::Workdir;

const FAST: &str =
    "\n[compare]\ndraws = 49\nadoption_metrics = [\"resolution_rate\"]\n\n[index]\ndraws = 20\n";

#[test]
fn a_second_run_with_nothing_changed_skips_every_stage() {
    let wd = Workdir::new();
    let cfg = common::sample_config(&wd, FAST);
    let t = Instant::now();
    let first = wd.ok(&["run", "--config", cfg.to_str().unwrap()]);
    let first_time = t.elapsed();
    assert!(
        first.contains("ingest   ran") && first.contains("render   ran"),
        "{first}"
    );
    let t = Instant::now();
    let second = wd.ok(&["run", "--config", cfg.to_str().unwrap()]);
    let second_time = t.elapsed();
    for stage in ["ingest", "compare", "render"] {
        assert!(second.contains(&format!("{stage:<8} skipped")), "{second}");
    }
    assert!(
        second_time * 10 < first_time,
        "second run {second_time:?} vs first {first_time:?}"
    );
    // A changed [render] section re-renders only; --force rebuilds all.
    let text = common::with_render_key(&std::fs::read_to_string(&cfg).unwrap(), "lang = \"en\"");
    let cfg2 = wd.write("sample.toml", text);
    let third = wd.ok(&["run", "--config", cfg2.to_str().unwrap()]);
    assert!(
        third.contains("ingest   skipped")
            && third.contains("compare  skipped")
            && third.contains("render   ran"),
        "{third}"
    );
    let forced = wd.ok(&["run", "--config", cfg2.to_str().unwrap(), "--force"]);
    assert!(
        forced.contains("ingest   ran") && forced.contains("compare  ran"),
        "{forced}"
    );
}

#[test]
fn exit_codes_say_findings_and_too_many_rejected_rows() {
    let wd = Workdir::new();
    let cfg = common::config_in_workdir(&wd, "sample-messy", FAST);
    let text = std::fs::read_to_string(&cfg).unwrap();
    let out = wd.run(&["run", "--config", cfg.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // 23 of 542 rows (4.2%) quarantined: above a 1% threshold.
    let strict = wd.write(
        "strict.toml",
        text.replace("[run]\n", "[run]\nmax_rejected_share = 0.01\n"),
    );
    let out = wd.run(&["run", "--config", strict.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("max_rejected_share"));
}

#[test]
fn a_second_concurrent_run_exits_locked_and_a_dead_lock_is_taken_over() {
    let wd = Workdir::new();
    let cfg = common::sample_config(&wd, FAST);
    // A lock left by a process that is gone is taken over, with a note.
    wd.write("warehouse.lock", "999999999\n");
    let out = wd.ok(&["run", "--config", cfg.to_str().unwrap()]);
    assert!(out.contains("took over the lock"), "{out}");
    assert!(!wd.path("warehouse.lock").exists(), "the lock is released");
    // While one run holds the lock, another with no patience exits 4.
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("[run]\n", "[run]\nlock_timeout = 0\n");
    let impatient = wd.write("impatient.toml", text);
    let mut first = wd
        .command(&["run", "--config", cfg.to_str().unwrap(), "--force"])
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !wd.path("warehouse.lock").exists() && t.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = wd.run(&["run", "--config", impatient.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("is locked by process"));
    assert!(first.wait().unwrap().success(), "the first run completes");
    // Nothing corrupted: the next run finds everything up to date.
    let again = wd.ok(&["run", "--config", cfg.to_str().unwrap()]);
    assert!(
        again.contains("ingest   skipped") && again.contains("render   skipped"),
        "{again}"
    );
}
