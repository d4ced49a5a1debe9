//! A Workdir-style harness (after xsv/qsv): each test gets a temp folder, writes
//! its inputs and config there, and runs the real `govlens` binary in it.
#![allow(dead_code)]

pub mod twin;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Workdir {
    pub dir: tempfile::TempDir,
}

/// The repository root, for the committed samples and reference data.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The run `out/latest` points at (a symbolic link to the run folder).
    pub fn latest(&self) -> String {
        latest_in(&self.path("out")).expect("out/latest is a link to a run")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_govlens"));
        cmd.current_dir(self.dir.path()).args(args);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run govlens")
    }

    /// Runs and asserts success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "govlens {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and asserts failure, returning stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "govlens {args:?} should have failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(out.status.code(), Some(2), "error exit code");
        String::from_utf8(out.stderr).unwrap()
    }

    /// A study command (`qca`, `index`) on `config` (written as
    /// `<name>.toml`) with `--out out-<name>`: it must fail (exit 2) and
    /// write nothing; returns its message.
    pub fn study_refused(&self, command: &str, name: &str, config: &str) -> String {
        let cfg = self.write(&format!("{name}.toml"), config);
        let out = self.path(&format!("out-{name}"));
        let err = self.fails(&[
            command,
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(!out.exists(), "{name}: something was written");
        err
    }

    /// A config whose sources are the given (table, path, extra TOML) and
    /// whose warehouse is `warehouse` inside the workdir.
    pub fn config(&self, name: &str, sources: &[(&str, &Path, &str)]) -> PathBuf {
        let mut text =
            String::from("[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\nseed = 7\n");
        for (table, path, extra) in sources {
            text.push_str(&format!(
                "\n[sources.{table}]\npath = {:?}\n{extra}\n",
                path.to_string_lossy()
            ));
        }
        self.write(name, text)
    }

    /// Hashes of every file below `rel`, for "unchanged" checks.
    pub fn snapshot(&self, rel: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let root = self.path(rel);
        fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
            let Ok(rd) = std::fs::read_dir(dir) else {
                return;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, root, out);
                } else {
                    let bytes = std::fs::read(&p).unwrap();
                    out.insert(
                        p.strip_prefix(root).unwrap().display().to_string(),
                        blake3::hash(&bytes).to_hex().to_string(),
                    );
                }
            }
        }
        walk(&root, &root, &mut out);
        out
    }

    /// Leftover staging or aside folders next to the warehouse.
    pub fn leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.contains(".staging-") || n.contains(".old-"))
            .collect()
    }
}

/// The manifest (`_manifest.json`) of the warehouse at `rel`.
pub fn manifest(wd: &Workdir, rel: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(wd.path(rel).join("_manifest.json")).unwrap())
        .unwrap()
}

/// Reads a Parquet file with polars.
pub fn parquet(path: &Path) -> polars::prelude::DataFrame {
    use polars::prelude::*;
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

/// A text column, nulls as "".
pub fn strs(df: &polars::prelude::DataFrame, col: &str) -> Vec<String> {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

/// A numeric column as f64.
pub fn f64s(df: &polars::prelude::DataFrame, col: &str) -> Vec<Option<f64>> {
    df.column(col)
        .unwrap()
        .cast(&polars::prelude::DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect()
}

/// The messages of the findings of `rule` in the warehouse `warehouse`.
pub fn findings_of(wd: &Workdir, warehouse: &str, rule: &str) -> Vec<String> {
    let f = parquet(&wd.path(&format!("{warehouse}/_findings.parquet")));
    strs(&f, "message")
        .into_iter()
        .zip(strs(&f, "rule"))
        .filter(|(_, r)| r == rule)
        .map(|(m, _)| m)
        .collect()
}

/// Runs `compare` with `cfg`; then `metric` (no breakdown) of unit `code`
/// by `compare`'s run in `out/`, one value per unit (a one-period run).
pub fn unit_metric(wd: &Workdir, cfg: &Path, code: &str, metric: &str) -> Option<f64> {
    unit_metrics(wd, cfg, metric)
        .into_iter()
        .find(|(c, _)| c == code)
        .and_then(|(_, v)| v)
}

/// Runs `compare` with `cfg`; then every unit's `metric` (no breakdown).
pub fn unit_metrics(wd: &Workdir, cfg: &Path, metric: &str) -> Vec<(String, Option<f64>)> {
    wd.ok(&["compare", "--config", cfg.to_str().unwrap()]);
    let um = parquet(&wd.path(&format!("out/{}/tables/unit_metrics.parquet", wd.latest())));
    let (code, m, b, v) = (
        strs(&um, "region_code"),
        strs(&um, "metric"),
        strs(&um, "breakdown"),
        f64s(&um, "value"),
    );
    (0..um.height())
        .filter(|&i| m[i] == metric && b[i].is_empty())
        .map(|i| (code[i].clone(), v[i]))
        .collect()
}

/// A whole-number column (nulls not allowed).
pub fn ints(df: &polars::prelude::DataFrame, col: &str) -> Vec<i64> {
    f64s(df, col)
        .into_iter()
        .map(|v| v.expect("no nulls") as i64)
        .collect()
}

/// Headless Chromium as the tests run it: no network, a fresh profile,
/// `args` after the usual flags.
pub fn chromium(profile: &Path, args: &[String]) -> Command {
    let mut cmd = Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args);
    cmd
}

/// Converts `file` with headless LibreOffice to `format` (pdf, xls, ods)
/// in the workdir, with a profile of its own; asserts it worked.
pub fn soffice_convert(wd: &Workdir, file: &Path, format: &str) {
    let out = Command::new("soffice")
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(wd.path(""))
        .arg(format!(
            "-env:UserInstallation=file://{}",
            wd.path("lo-profile").display()
        ))
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether python3 can import `modules` (comma-separated).
pub fn python_has(modules: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What a Python script of tests/py prints as JSON, given `args`; the
/// script's failure fails the test with its stderr.
pub fn python_json(script: &str, args: &[&Path]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(repo().join("tests/py").join(script))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// python-docx's and openpyxl's view of a report folder's report.docx and
/// report.xlsx (tests/py/read_reports.py), as JSON.
pub fn read_reports(dir: &Path) -> serde_json::Value {
    python_json(
        "read_reports.py",
        &[&dir.join("report.docx"), &dir.join("report.xlsx")],
    )
}

/// Whether python-docx and openpyxl are here; in CI they must be (.ci/run).
pub fn python_readers() -> bool {
    let ok = python_has("docx, openpyxl");
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install python-docx and openpyxl (.ci/run)"
        );
        eprintln!("SKIPPED: python-docx and openpyxl not found");
    }
    ok
}

/// Asserts that nbformat validates the notebook at `path`.
pub fn assert_valid_notebook(path: &Path) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The committed sample's file.
pub fn sample(name: &str) -> PathBuf {
    repo().join("datasets/sample").join(name)
}

/// A committed config (`configs/<name>.toml`) copied into the workdir with its
/// inputs still read from the repository and its warehouse at `warehouse`.
pub fn repo_config(wd: &Workdir, name: &str, warehouse: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo().join(format!("configs/{name}.toml")))
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("warehouse") {
                format!("warehouse = {:?}", wd.path(warehouse).to_string_lossy())
            } else {
                l.replace("\"../", &format!("\"{}/", repo().display()))
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    wd.write(&format!("{name}.toml"), text)
}

/// A committed config with the warehouse and output inside the workdir and
/// `extra` TOML added (e.g. fewer draws, for speed): a table of `extra` the
/// config already has (`[index]`) gets its keys inserted under the
/// config's header, since TOML allows a table once; the rest is appended.
pub fn config_in_workdir(wd: &Workdir, name: &str, extra: &str) -> PathBuf {
    let cfg = std::fs::read_to_string(repo_config(wd, name, "warehouse")).unwrap();
    let mut lines: Vec<String> = cfg
        .lines()
        .map(|l| {
            if l.starts_with("output") {
                format!("output = {:?}", wd.path("out").to_string_lossy())
            } else {
                l.to_string()
            }
        })
        .collect();
    let mut appended = String::new();
    let mut header: Option<usize> = None;
    for l in extra.lines() {
        if l.trim_start().starts_with('[') {
            header = lines.iter().position(|c| c.trim() == l.trim());
            if header.is_none() {
                appended.push_str(l);
                appended.push('\n');
            }
        } else if let Some(h) = header.as_mut() {
            *h += 1;
            lines.insert(*h, l.to_string());
        } else {
            appended.push_str(l);
            appended.push('\n');
        }
    }
    let cfg = lines.join("\n") + "\n" + &appended;
    wd.write(&format!("{name}.toml"), cfg)
}

/// The sample config, in the workdir (see [`config_in_workdir`]).
pub fn sample_config(wd: &Workdir, extra: &str) -> PathBuf {
    config_in_workdir(wd, "sample", extra)
}

/// The run `<output>/latest` links to, if it exists.
pub fn latest_in(output: &Path) -> Option<String> {
    let target = std::fs::read_link(output.join("latest")).ok()?;
    Some(target.file_name()?.to_string_lossy().to_string())
}

/// `text` with `line` added to its `[render]` table (made when it has none),
/// since TOML allows a table once.
pub fn with_render_key(text: &str, line: &str) -> String {
    if text.lines().any(|l| l.trim() == "[render]") {
        text.replacen("[render]\n", &format!("[render]\n{line}\n"), 1)
    } else {
        format!("{text}\n[render]\n{line}\n")
    }
}

/// A seeded generator (xorshift64*): the same cases on every machine, no
/// dependency (tests/columnar.rs, tests/mutation.rs).
pub struct Gen(pub u64);

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Region names that are markup, quotes, a newline-free formula and text
/// with a leading sign, in the sample's region tree.
pub fn hostile_sample(wd: &Workdir) -> PathBuf {
    let repo = repo().join("datasets/sample");
    for f in ["member_ages.csv", "disputes.csv", "service_usage.csv"] {
        std::fs::copy(repo.join(f), wd.path(f)).unwrap();
    }
    let regions = std::fs::read_to_string(repo.join("regions.csv"))
        .unwrap()
        .replace(
            "110117001001,金谷东园社区居委会,",
            "110117001001,\"=HYPERLINK(\"\"http://x.example\"\",\"\"点我\"\")\",",
        )
        .replace(
            "110117003002,胜利社区居委会,",
            "110117003002,\"<b>粗体</b> \"\"引号\"\" & 'x'\",",
        )
        .replace("110117,平谷区,", "110117,@平谷区<i>,");
    wd.write("regions.csv", regions);
    let cfg = "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\nseed = 7\n\n[compare]\ndraws = 99\n\n[index]\ndraws = 50\n\n[render]\ntop_n = 150\n\n[sources.regions]\npath = \"regions.csv\"\n[sources.member_ages]\npath = \"member_ages.csv\"\n[sources.disputes]\npath = \"disputes.csv\"\n[sources.service_usage]\npath = \"service_usage.csv\"\n";
    wd.write("hostile.toml", cfg)
}
