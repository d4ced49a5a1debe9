//! Twin folders for sharded runs: the same inputs and the same config in
//! several folders of one workdir, so that a one-machine run and a sharded
//! one can be compared file by file.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::Workdir;

/// A folder of the workdir with its own copy of the inputs and config.
pub struct Twin<'a> {
    pub wd: &'a Workdir,
    pub name: &'static str,
}

impl Twin<'_> {
    pub fn dir(&self) -> PathBuf {
        self.wd.path(self.name)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.wd.command(args);
        cmd.current_dir(self.dir());
        cmd.output().expect("run govlens")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "govlens {args:?} in {} failed: {}\n{}",
            self.name,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// [`Twin::ok`] of a command line split at spaces.
    pub fn ok_line(&self, line: &str) -> String {
        self.ok(&line.split_whitespace().collect::<Vec<_>>())
    }

    /// [`Twin::fails`] of a command line split at spaces.
    pub fn fails_line(&self, line: &str) -> String {
        self.fails(&line.split_whitespace().collect::<Vec<_>>())
    }

    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "govlens {args:?} should fail with 2: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn shards(&self, n: u32) -> Vec<String> {
        (0..n)
            .map(|i| {
                self.ok(&[
                    "run",
                    "--config",
                    "config.toml",
                    "--shard",
                    &format!("{i}/{n}"),
                ])
            })
            .collect()
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// Twins `one` and `sharded`, each with the folders `inputs` (name → source
/// folder) and `config.toml`.
pub fn twins<'a>(wd: &'a Workdir, inputs: &[(&str, &Path)], config: &str) -> (Twin<'a>, Twin<'a>) {
    let mut v = folders(wd, &["one", "sharded"], inputs, config);
    let sharded = v.pop().unwrap();
    (v.pop().unwrap(), sharded)
}

/// Folders `names` of the workdir, each with the same inputs and config.
pub fn folders<'a>(
    wd: &'a Workdir,
    names: &[&'static str],
    inputs: &[(&str, &Path)],
    config: &str,
) -> Vec<Twin<'a>> {
    names
        .iter()
        .map(|name| {
            for (sub, from) in inputs {
                copy_dir(from, &wd.path(&format!("{name}/{sub}")));
            }
            wd.write(&format!("{name}/config.toml"), config);
            Twin { wd, name }
        })
        .collect()
}

pub fn generated_config(extra: &str) -> String {
    let mut text = String::from("[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\nseed = 7\n");
    for t in ["regions", "member_ages", "disputes", "service_usage"] {
        text.push_str(&format!("\n[sources.{t}]\npath = \"data/{t}.csv\"\n"));
    }
    text.push_str("\n[compare]\ndraws = 49\n\n[index]\ndraws = 20\n");
    text.push_str(extra);
    text
}

/// The warehouse and the run folders of both twins, file by file.
pub fn assert_same_outputs(one: &Twin, sharded: &Twin) {
    for part in ["warehouse", "out"] {
        let (a, b) = (
            one.wd.snapshot(&format!("{}/{part}", one.name)),
            sharded.wd.snapshot(&format!("{}/{part}", sharded.name)),
        );
        assert!(!a.is_empty(), "{}/{part} is empty", one.name);
        let differ: Vec<&String> = a
            .keys()
            .chain(b.keys())
            .filter(|k| a.get(*k) != b.get(*k))
            .collect();
        assert!(differ.is_empty(), "{part}: files differ: {differ:?}");
    }
}

pub fn generate(wd: &Workdir, communities: &str) -> PathBuf {
    wd.ok(&["generate", "--out", "gen", "--communities", communities]);
    wd.path("gen")
}
