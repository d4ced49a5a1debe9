//! A sharded run through a real Slurm cluster on this machine
//! (`.ci/slurm-up`, after ../shared/slurm-local.md): `govlens slurm submit`
//! → an array of shards and a combine that waits for them → the same
//! warehouse and run folder as one machine, byte for byte. Then a shard job
//! is killed: the combine job never starts, `govlens combine` refuses the
//! incomplete set, and re-submitting that shard alone completes the run.
//!
//! Skipped, saying so, where no cluster can be started (not root, no Slurm);
//! CI (`.ci/run`) installs and starts one, and there the test must run.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::twin::{assert_same_outputs, folders, generate, generated_config, Twin};
use common::{repo, Workdir};

fn sinfo_answers() -> bool {
    Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
}

/// A running cluster, started by `.ci/slurm-up` if Slurm is installed (the
/// test installs nothing; `.ci/run` does).
fn cluster() -> bool {
    if sinfo_answers() {
        return true;
    }
    if !std::path::Path::new("/usr/sbin/slurmctld").exists() {
        return false;
    }
    let up = Command::new(repo().join(".ci/slurm-up")).status();
    up.is_ok_and(|s| s.success()) && sinfo_answers()
}

fn squeue(ids: &str, format: &str) -> String {
    let out = Command::new("squeue")
        .args(["-h", "-j", ids, "-o", format])
        .output()
        .expect("squeue");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Job ids from `govlens slurm submit`'s output.
fn jobs(out: &str) -> (String, String) {
    let id = |prefix: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no '{prefix}' in {out}"))
            .to_string()
    };
    (id("shards job "), id("combine job "))
}

/// Waits until none of `ids` is queued or running (at most 10 minutes).
fn wait_gone(ids: &str) {
    let start = Instant::now();
    while !squeue(ids, "%i").is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "jobs {ids} still queued after 10 min: {}",
            squeue(ids, "%i %t %r")
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Waits for a submission's jobs (from `slurm submit`'s output `out`) and
/// checks that its combine finished the run. Returns the job ids.
fn wait_for_run(t: &Twin, out: &str) -> (String, String) {
    let (array, combine) = jobs(out);
    wait_gone(&format!("{array},{combine}"));
    assert!(
        t.dir().join("out/latest").exists(),
        "the combine job finished the run:\n{}",
        logs(t)
    );
    (array, combine)
}

fn logs(t: &Twin) -> String {
    let dir = t.dir().join("warehouse.shards/slurm/logs");
    let mut s = String::new();
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        s += &format!(
            "== {}\n{}\n",
            e.path().display(),
            std::fs::read_to_string(e.path()).unwrap_or_default()
        );
    }
    s
}

#[test]
fn slurm_sharded_run_equals_one_machine_and_a_killed_shard_is_recovered() {
    if !cluster() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Slurm test: .ci/run installs Slurm and .ci/slurm-up starts it"
        );
        eprintln!("skipped: no Slurm cluster here (`.ci/slurm-up` starts one, as root)");
        return;
    }
    let wd = Workdir::new();
    let gen = generate(&wd, "300");
    let twins = folders(
        &wd,
        &["one", "slurm", "killed"],
        &[("data", &gen)],
        &generated_config(""),
    );
    let (one, slurm, killed) = (&twins[0], &twins[1], &twins[2]);
    one.ok(&["run", "--config", "config.toml"]);

    // Submitted, waited for, equal to one machine.
    let out = slurm.ok_line("slurm submit --config config.toml --shards 4");
    wait_for_run(slurm, &out);
    assert_same_outputs(one, slurm);

    // A shard job killed while it runs.
    let out = killed.ok_line("slurm submit --config config.toml --shards 4");
    let (array, combine) = jobs(&out);
    let task = format!("{array}_1");
    let start = Instant::now();
    while squeue(&task, "%t") != "R" {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "shard 1 never ran"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = Command::new("scancel").arg(&task).status().unwrap();
    assert!(status.success());
    wait_gone(&array);
    let shard1 = killed.dir().join("warehouse.shards/shard-0001-of-0004");
    assert!(!shard1.exists(), "shard 1 was killed before it finished");
    // The combine job waits on a dependency that can never be met.
    let reason = squeue(&combine, "%r");
    assert!(reason.contains("Dependency"), "combine job: {reason}");
    let err = killed.fails(&["combine", "--config", "config.toml"]);
    assert!(err.contains("shard(s) 1 of 4 missing"), "{err}");
    assert!(!killed.dir().join("warehouse").exists(), "nothing combined");

    // Re-submitting shard 1 alone completes the run.
    let out = killed.ok_line("slurm submit --config config.toml --shards 4 --only 1");
    assert!(
        out.contains(&format!("cancelled combine job {combine}")),
        "{out}"
    );
    wait_for_run(killed, &out);
    assert_same_outputs(one, killed);
}
