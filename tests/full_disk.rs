//! A disk that fills up mid-write: the warehouse and output sit on a 1 MB
//! tmpfs. Ingest and run fail with one message naming the file and exit 2,
//! and what was published before is untouched, with no half-written staging
//! folder left behind. Mounting needs root: elsewhere the test says so and
//! passes, except under CI, which runs as root and must run it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{sample, Workdir};

/// A mounted tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn a_full_disk_fails_cleanly_and_keeps_the_published_warehouse() {
    let wd = Workdir::new();
    let Some(disk) = Tmpfs::mount(&wd.path("disk"), "1m") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this test as root, where it can mount a tmpfs"
        );
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    let config = |name: &str, inputs: &dyn Fn(&str) -> PathBuf| {
        let mut text = String::from(
            "[run]\nwarehouse = \"disk/warehouse\"\noutput = \"disk/out\"\nseed = 7\n",
        );
        for t in ["regions", "member_ages", "disputes", "service_usage"] {
            text.push_str(&format!(
                "\n[sources.{t}]\npath = {:?}\n",
                inputs(t).to_string_lossy()
            ));
        }
        text.push_str("\n[compare]\ndraws = 49\n\n[index]\ndraws = 20\n");
        wd.write(name, text)
    };
    // The sample's warehouse (under 300 KB) fits.
    let small = config("small.toml", &|t| sample(&format!("{t}.csv")));
    wd.ok(&["ingest", "--config", small.to_str().unwrap()]);
    let before = wd.snapshot("disk/warehouse");

    // A bigger one does not: the disk fills while the staging folder is written.
    wd.ok(&["generate", "--out", "big", "--communities", "1500"]);
    let big = config("big.toml", &|t| wd.path(&format!("big/{t}.csv")));
    let err = wd.fails(&["ingest", "--config", big.to_str().unwrap()]);
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("disk/"), "the message names the file: {err}");
    assert_eq!(wd.snapshot("disk/warehouse"), before);
    assert_eq!(listing(&disk.0), vec!["warehouse".to_string()]);

    // `run` on the sample: ingest is up to date, compare's tables and the
    // charts do not fit. Nothing half-written, and `latest` is not created.
    let err = wd.fails(&["run", "--config", small.to_str().unwrap()]);
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains("disk/out/"),
        "the message names the file: {err}"
    );
    assert_eq!(wd.snapshot("disk/warehouse"), before);
    let out = disk.0.join("out");
    if out.exists() {
        assert!(listing(&out).is_empty(), "{:?}", listing(&out));
    }
    assert!(
        !disk.0.join("warehouse.lock").exists(),
        "the lock is released"
    );
}
