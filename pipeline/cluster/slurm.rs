//! `govlens slurm submit`: a sharded run as two Slurm jobs: an array job,
//! task I running `govlens run --shard I/N`, and a combine job that starts
//! only if every task succeeded (`--dependency=afterok`).
//!
//! The scripts are written to `<shard.folder>/slurm/` before anything is
//! submitted, so that where `sbatch` is not at hand (or a site wants its own
//! options) they can be submitted by hand; `submit.sh` there does what this
//! command does. A failed shard is re-submitted alone with `--only I`: the
//! array script is the same, only `--array` changes, and a new combine job
//! waits for it (the old one, which can never start, is cancelled).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::cluster::shard::check_shared;
use crate::cluster::ClusterError;
use crate::config::Config;
use crate::warehouse::{self, WarehouseError};

/// What to submit.
#[derive(Debug, Clone)]
pub struct Submit {
    pub shards: u32,
    pub partition: Option<String>,
    /// Re-submit only these shards (and a new combine).
    pub only: Option<Vec<u32>>,
    /// `--time` of each job (Slurm's format, e.g. 02:00:00).
    pub time: Option<String>,
    /// `--mem` of each job (e.g. 16G).
    pub mem: Option<String>,
    pub cpus: u32,
    /// The govlens binary the jobs run (it must be at this path on every node).
    pub exe: PathBuf,
    /// Write the scripts, submit nothing.
    pub dry_run: bool,
}

/// The job ids of the last submission, kept beside the scripts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Jobs {
    pub shards: u32,
    pub array: Option<String>,
    pub combine: Option<String>,
}

/// What `submit` did.
#[derive(Debug)]
pub struct Submitted {
    pub dir: PathBuf,
    pub array: Option<String>,
    pub combine: Option<String>,
    /// The previous combine job, cancelled because a new one replaces it.
    pub cancelled: Option<String>,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn abs(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A script's head: what it is, its job name and log file, the resources.
fn head(config: &Config, opts: &Submit, what: &str, job: &str, log: PathBuf) -> String {
    let mut s = String::from("#!/bin/bash\n");
    s += &format!(
        "# govlens {what} of {} (written by `govlens slurm submit`).\n",
        abs(&config.path).display()
    );
    s += &format!("#SBATCH --job-name={job}\n");
    s += &format!("#SBATCH --output={}\n", log.display());
    s += &directives(opts);
    s
}

/// `govlens <args> --config <config>` with absolute paths, quoted.
fn command(config: &Config, opts: &Submit, args: &str) -> String {
    format!(
        "{} --no-progress --log-level info {args} --config {}",
        quote(&abs(&opts.exe).display().to_string()),
        quote(&abs(&config.path).display().to_string())
    )
}

/// The array script: task I runs shard I of N.
pub fn shards_script(config: &Config, opts: &Submit, logs: &Path) -> String {
    let mut s = head(
        config,
        opts,
        "shards",
        "govlens-shard",
        logs.join("shard-%a-job-%A.out"),
    );
    s += "# Re-run one shard alone: sbatch --array=I this-file\n";
    s += &format!("#SBATCH --array=0-{}\n", opts.shards - 1);
    s += "set -euo pipefail\n";
    s += &format!(
        "exec {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{}\"\n",
        command(config, opts, "run"),
        opts.shards
    );
    s
}

/// The combine script. Exit 1 of `combine` means done with quarantined rows
/// or findings (docs/operations.md): for Slurm that is a success.
pub fn combine_script(config: &Config, opts: &Submit, logs: &Path) -> String {
    let mut s = head(
        config,
        opts,
        "combine",
        "govlens-combine",
        logs.join("combine-job-%j.out"),
    );
    s += "set -uo pipefail\n";
    s += &format!("{}\n", command(config, opts, "combine"));
    s += "rc=$?\n[ \"$rc\" -eq 1 ] && exit 0\nexit \"$rc\"\n";
    s
}

fn directives(opts: &Submit) -> String {
    let mut s = format!("#SBATCH --cpus-per-task={}\n", opts.cpus);
    if let Ok(cwd) = std::env::current_dir() {
        s += &format!("#SBATCH --chdir={}\n", cwd.display());
    }
    if let Some(p) = &opts.partition {
        s += &format!("#SBATCH --partition={p}\n");
    }
    if let Some(t) = &opts.time {
        s += &format!("#SBATCH --time={t}\n");
    }
    if let Some(m) = &opts.mem {
        s += &format!("#SBATCH --mem={m}\n");
    }
    s
}

/// The by-hand equivalent of `submit`.
fn submit_sh(dir: &Path) -> String {
    format!(
        "#!/bin/sh\n# Submits the shards, then a combine that waits for all of them.\nset -eu\ncd {}\narray=$(sbatch --parsable \"$@\" shards.sbatch | cut -d';' -f1)\ncombine=$(sbatch --parsable --dependency=afterok:\"$array\" combine.sbatch | cut -d';' -f1)\necho \"shards job $array, combine job $combine\"\n",
        quote(&dir.display().to_string())
    )
}

fn sbatch(args: &[String]) -> Result<String, ClusterError> {
    let out = Command::new("sbatch")
        .args(args)
        .output()
        .map_err(|e| ClusterError::Sbatch {
            command: format!("sbatch {}", args.join(" ")),
            status: "not started".into(),
            stderr: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(ClusterError::Sbatch {
            command: format!("sbatch {}", args.join(" ")),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    // --parsable prints "id" or "id;cluster".
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.trim().split(';').next().unwrap_or("").to_string())
}

/// Whether a program is on PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|d| {
            let p = d.join(program);
            p.is_file()
                && std::fs::metadata(&p)
                    .map(|m| {
                        use std::os::unix::fs::PermissionsExt;
                        m.permissions().mode() & 0o111 != 0
                    })
                    .unwrap_or(false)
        })
    })
}

fn write_script(path: &Path, text: &str) -> Result<(), ClusterError> {
    warehouse::write_text(path, text)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|source| {
        WarehouseError::Io {
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok(())
}

/// Writes the scripts and submits them (unless `dry_run`).
pub fn submit(config: &Config, opts: &Submit) -> Result<Submitted, ClusterError> {
    config.check_sharding()?;
    check_shared(config)?;
    let dir = abs(&config.shard.folder.join("slurm"));
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).map_err(|source| ClusterError::Shared {
        path: logs.display().to_string(),
        source,
    })?;
    write_script(
        &dir.join("shards.sbatch"),
        &shards_script(config, opts, &logs),
    )?;
    write_script(
        &dir.join("combine.sbatch"),
        &combine_script(config, opts, &logs),
    )?;
    write_script(&dir.join("submit.sh"), &submit_sh(&dir))?;
    let mut done = Submitted {
        dir: dir.clone(),
        array: None,
        combine: None,
        cancelled: None,
    };
    if opts.dry_run {
        return Ok(done);
    }
    if !on_path("sbatch") {
        return Err(ClusterError::NoSbatch {
            scripts: dir.display().to_string(),
        });
    }
    let jobs_path = dir.join("jobs.json");
    let previous: Option<Jobs> = std::fs::read_to_string(&jobs_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let mut args = vec!["--parsable".to_string()];
    if let Some(only) = &opts.only {
        args.push(format!(
            "--array={}",
            only.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    args.push(dir.join("shards.sbatch").display().to_string());
    let array = sbatch(&args)?;
    let combine = sbatch(&[
        "--parsable".into(),
        format!("--dependency=afterok:{array}"),
        dir.join("combine.sbatch").display().to_string(),
    ])?;
    // A combine job still waiting on shards that failed can never start.
    if opts.only.is_some() {
        if let Some(old) = previous.and_then(|p| p.combine) {
            let cancelled = Command::new("scancel")
                .arg(&old)
                .status()
                .is_ok_and(|s| s.success());
            if cancelled {
                done.cancelled = Some(old);
            }
        }
    }
    let jobs = Jobs {
        shards: opts.shards,
        array: Some(array.clone()),
        combine: Some(combine.clone()),
    };
    let json = serde_json::to_string_pretty(&jobs).expect("jobs serialise") + "\n";
    warehouse::write_text(&jobs_path, &json)?;
    done.array = Some(array);
    done.combine = Some(combine);
    Ok(done)
}
