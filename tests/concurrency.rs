//! `ingest` and `validate` take the lock `govlens run` takes (issue 26,
//! item 5): an ingest never replaces a warehouse under a running job, and
//! ingests started together take turns instead of failing.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Workdir;

/// A small config (six counties' tree, a few dispute rows): an ingest takes
/// a fraction of a second, so rounds of four are quick.
fn small(wd: &Workdir, extra: &str) -> std::path::PathBuf {
    wd.write(
        "disputes.csv",
        "region_code,period,category,received,resolved,escalated,mean_days\n\
         110117001001,2023,family,10,8,1,12.5\n\
         110117001005,2023,family,12,6,0,3\n\
         110117001009,2023,land,4,2,0,2\n",
    );
    let regions = common::repo().join("tests/fixtures/regions-six-counties.csv");
    wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\n{extra}\n[sources.regions]\npath = {:?}\n[sources.disputes]\npath = \"disputes.csv\"\n",
            regions.to_string_lossy()
        ),
    )
}

/// Whatever a publication can leave beside the warehouse: staging folders,
/// a renamed-aside warehouse, the lock.
fn leftovers(wd: &Workdir) -> Vec<String> {
    std::fs::read_dir(wd.path(""))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".warehouse") || n == "warehouse.lock")
        .collect()
}

#[test]
fn four_ingests_at_once_take_turns_fifty_times() {
    let wd = Workdir::new();
    let cfg = small(&wd, "");
    let cfg = cfg.to_str().unwrap();
    let mut waited = 0;
    for round in 0..50 {
        // Even rounds race for the first publication of a warehouse that
        // does not exist yet; odd rounds replace one.
        if round % 2 == 0 {
            let _ = std::fs::remove_dir_all(wd.path("warehouse"));
        }
        let children: Vec<_> = (0..4)
            .map(|_| {
                wd.command(&["ingest", "--config", cfg])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            // Waiting is fine (exit 0 after its turn); exit 4 only after
            // lock_timeout; an error (2) never.
            assert!(
                matches!(out.status.code(), Some(0 | 4)),
                "round {round}: {:?}: {err}",
                out.status
            );
            waited += err.contains("for the lock held by process") as usize;
        }
        assert_eq!(
            common::manifest(&wd, "warehouse")["tables"]["disputes"],
            3,
            "round {round}: one complete warehouse"
        );
        assert!(
            leftovers(&wd).is_empty(),
            "round {round}: {:?}",
            leftovers(&wd)
        );
    }
    assert!(waited > 0, "the ingests did meet at the lock");
}

#[test]
fn ingest_waits_for_a_live_holder_then_exits_4_leaving_the_warehouse() {
    let wd = Workdir::new();
    let cfg = small(&wd, "lock_timeout = 1");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let before = wd.snapshot("warehouse");
    // A live process holds the lock, as a running `govlens run` does.
    let mut holder = Command::new("sleep").arg("30").spawn().unwrap();
    wd.write("warehouse.lock", format!("{}\n", holder.id()));
    let t = Instant::now();
    let out = wd.run(&["ingest", "--config", cfg.to_str().unwrap()]);
    let took = t.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("waiting up to 1 s for the lock held by process"),
        "{err}"
    );
    assert!(
        err.contains(&format!("warehouse is locked by process {}", holder.id())),
        "{err}"
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert_eq!(
        wd.snapshot("warehouse"),
        before,
        "the warehouse is untouched"
    );
    // validate publishes its report folder under that folder's own lock.
    let report = wd.path("report");
    let out = wd.run(&[
        "validate",
        "--config",
        cfg.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    holder.kill().unwrap();
    holder.wait().unwrap();
    // The holder is gone: the next ingest takes the lock over and says so.
    let out = wd.run(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("took over the lock"));
    assert!(leftovers(&wd).is_empty(), "{:?}", leftovers(&wd));
}
