//! `govlens run`: ingest → compare → render (→ district report) in one
//! command for schedulers. A stage whose key — its inputs' hashes, the config
//! sections it reads and the program version — is unchanged is skipped and
//! says so; `force` rebuilds. A lock beside the warehouse keeps two runs from
//! working at once: a second run waits up to `run.lock_timeout` seconds, and
//! a lock left by a dead process is taken over with a message.
//!
//! Exit codes (docs/operations.md): 0 success, 1 success with quarantined rows
//! or findings, 2 error, 3 quarantined share above `run.max_rejected_share`,
//! 4 locked.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Config;
use crate::ingest::{self, Mode};
use crate::lock::LockError;
use crate::render;
use crate::warehouse::Manifest;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;
pub const EXIT_REJECTED: u8 = 3;
pub const EXIT_LOCKED: u8 = 4;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(
        "warehouse {warehouse} is locked by process {pid} (lock file {lock}); waited {waited} s: another govlens is using it, so try again when it has finished, or raise [run] lock_timeout (if process {pid} is not govlens, delete the lock file)"
    )]
    Locked {
        warehouse: String,
        pid: String,
        lock: String,
        waited: u64,
    },
    #[error("lock file {path}: {source}")]
    Lock {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::WarehouseError),
    #[error(transparent)]
    Compare(#[from] crate::compare::stage::CompareError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error(transparent)]
    Runs(#[from] crate::runs::RunsError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
}

/// Takes `<warehouse>.lock` ([`crate::lock`]), waiting up to `timeout`;
/// takes over a lock whose process is gone. `notes` gets a line when it
/// waits or takes over.
pub fn lock(
    warehouse: &Path,
    timeout: Duration,
    notes: &mut Vec<String>,
) -> Result<crate::lock::Lock, RunError> {
    crate::lock::take(warehouse, timeout, notes).map_err(|e| match e {
        LockError::Locked {
            target,
            pid,
            lock,
            waited,
        } => RunError::Locked {
            warehouse: target,
            pid,
            lock,
            waited,
        },
        LockError::Io { path, source } => RunError::Lock { path, source },
    })
}

/// What `run` did, for the final summary and the exit code.
#[derive(Debug, Default)]
pub struct Summary {
    /// (stage, "ran" | "skipped", detail)
    pub stages: Vec<(String, String, String)>,
    pub rows_read: u64,
    pub rows_stored: u64,
    pub rows_quarantined: u64,
    pub findings: u64,
    pub report: Option<PathBuf>,
    pub notes: Vec<String>,
    /// `[collection]`: who filed and who did not (contract B.21).
    pub filing: Option<String>,
    pub exit: u8,
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub period: Option<String>,
    pub district: Option<String>,
    pub force: bool,
}

pub fn run(config: &Config, opts: &Options) -> Result<Summary, RunError> {
    let mut s = Summary::default();
    let _lock = lock(
        &config.warehouse,
        Duration::from_secs(config.lock_timeout),
        &mut s.notes,
    )?;

    // Ingest, unless the warehouse was built from the same inputs and sections.
    tracing::info!(warehouse = %config.warehouse.display(), "lock taken");
    let planned = ingest::plan(config)?;
    let id = ingest::run_id(config, &planned);
    ingest::refuse_newer(&config.warehouse)?;
    let current = Manifest::read(&config.warehouse).ok();
    let wm = match current {
        Some(m) if m.run_id == id && !opts.force => {
            s.stages.push((
                "ingest".into(),
                "skipped".into(),
                format!("inputs, config and version unchanged (warehouse {id})"),
            ));
            m
        }
        _ => {
            let out = ingest::run_planned(config, &Mode::Ingest, planned)?;
            s.stages.push((
                "ingest".into(),
                "ran".into(),
                format!("warehouse {}", out.manifest.run_id),
            ));
            out.manifest
        }
    };
    finish(
        config,
        opts,
        &wm,
        &crate::compare::stage::UnitSource::Warehouse,
        s,
    )
}

/// What follows the warehouse, for `run` and for `combine`: compare (its
/// unit metrics from `source`), render, `latest`, the district report, and
/// the exit code from the warehouse's accounting.
pub fn finish(
    config: &Config,
    opts: &Options,
    wm: &Manifest,
    source: &crate::compare::stage::UnitSource,
    mut s: Summary,
) -> Result<Summary, RunError> {
    for f in &wm.files {
        s.rows_read += f.rows_read;
        s.rows_stored += f.rows_stored;
        s.rows_quarantined += f.rows_quarantined;
    }
    s.findings = wm.findings;
    if let Some(c) = &config.collection {
        let rows = crate::ingest::collection::read_status(&config.warehouse).map_err(|e| {
            RunError::Ingest(crate::ingest::IngestError::Frame {
                table: "_filing".into(),
                message: e.to_string(),
            })
        })?;
        s.filing = Some(crate::ingest::collection::summary(&rows, c));
    }

    // Compare, unless that run folder exists.
    let run_id = crate::compare::stage::run_id(config, wm, opts.period.as_deref());
    let run_dir = config.output.join(&run_id);
    if run_dir.join("manifest.json").is_file() && !opts.force {
        s.stages.push((
            "compare".into(),
            "skipped".into(),
            format!("run {run_id} exists"),
        ));
    } else {
        let out = crate::compare::stage::compute_from(config, opts.period.as_deref(), source)?;
        s.stages.push((
            "compare".into(),
            "ran".into(),
            format!("run {}", out.manifest.run_id),
        ));
    }

    // Render, unless this run has charts and reports for the same key.
    let lang = config.render.lang;
    let ropts = render::Options {
        run: Some(run_id.clone()),
        lang,
        width: config.render.width,
        height: config.render.height,
        top_n: config.render.top_n,
        font: config.render.font.clone(),
    };
    let key = render::render_key(config, &ropts);
    if render::is_rendered(&run_dir, &key) && !opts.force {
        s.stages.push((
            "render".into(),
            "skipped".into(),
            "charts and reports up to date".into(),
        ));
    } else {
        render::run(config, &ropts)?;
        s.stages.push((
            "render".into(),
            "ran".into(),
            "charts, report.html, .docx, .xlsx, .ipynb, dashboard.html".into(),
        ));
    }
    s.report = Some(run_dir.join("report.html"));
    // A collection round: the office's lists and status in the run folder.
    if config.collection.is_some() {
        let written = render::returns::write(&config.warehouse, &run_dir, config)?;
        s.notes.push(render::returns::said(&written));
    }
    // `[output] export`: the run for Stata, SPSS and R, unless exported
    // already with the same formats and language.
    let formats = config.copies.export_formats();
    if !formats.is_empty() {
        let eopts = crate::export::Options {
            run: Some(run_id.clone()),
            formats: formats
                .iter()
                .filter_map(|f| crate::export::Format::from_name(f))
                .collect(),
            tables: None,
            lang,
        };
        if crate::export::is_exported(&run_dir, &crate::export::key(&run_id, &eopts)) && !opts.force
        {
            s.stages.push((
                "export".into(),
                "skipped".into(),
                "export up to date".into(),
            ));
        } else {
            let e = crate::export::run(config, &eopts)?;
            s.stages.push((
                "export".into(),
                "ran".into(),
                format!(
                    "{} tables ({}) in export/",
                    e.tables.len(),
                    formats.join(", ")
                ),
            ));
            s.notes
                .extend(e.notes.iter().map(|n| format!("export: {n}")));
        }
    }
    // Only now is the run complete: `latest` moves to it.
    crate::warehouse::write_latest(&config.output, &run_id)?;

    if let Some(d) = &opts.district {
        let period = match &opts.period {
            Some(p) => p.clone(),
            None => latest_period(&run_dir)?,
        };
        let (dir, alerts) = render::district::run(config, Some(&run_id), d, &period, lang)?;
        s.stages.push((
            "district".into(),
            "ran".into(),
            format!("{} alert(s)", alerts.len()),
        ));
        s.report = Some(dir.join("report.html"));
    }

    for (stage, what, detail) in &s.stages {
        tracing::info!(
            stage = stage.as_str(),
            outcome = what.as_str(),
            detail = detail.as_str(),
            "stage"
        );
    }
    let share = if s.rows_read > 0 {
        s.rows_quarantined as f64 / s.rows_read as f64
    } else {
        0.0
    };
    s.exit = if share > config.max_rejected_share {
        s.notes.push(format!(
            "{:.1}% of rows were quarantined, above run.max_rejected_share = {:.1}%",
            share * 100.0,
            config.max_rejected_share * 100.0
        ));
        EXIT_REJECTED
    } else if s.rows_quarantined > 0 || s.findings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    Ok(s)
}

/// The newest period of a run's unit metrics.
fn latest_period(run_dir: &Path) -> Result<String, RunError> {
    Ok(crate::runs::latest_period(run_dir)?)
}
