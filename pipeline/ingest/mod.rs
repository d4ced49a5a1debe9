//! Ingest: sources → a validated warehouse, with every input row either
//! stored or quarantined with its reason (contract §2).
//!
//! The stage runs in three steps. **Plan** resolves every source's paths and
//! globs, hashes each file and detects its encoding, so a missing, empty or
//! undecodable file stops the run before anything is written. **Load** reads
//! regions first (facts are checked against the tree), then streams each fact
//! table through its row rules into a Parquet writer in a staging folder.
//! **Publish** writes quarantine, findings and the manifest, then swaps the
//! staging folder in (see [`crate::warehouse`]). `validate` runs the same
//! steps without table writers and writes only the report.

pub mod bounds;
pub mod checks;
pub mod collection;
pub mod columnar;
pub mod corrections;
mod dated;
pub mod encoding;
pub mod findings;
pub mod frames;
pub mod guard;
mod head;
pub mod headers;
pub mod indicators;
pub mod load;
pub mod names;
mod outline;
pub use crate::contract::grammar as parse;
pub mod quarantine;
pub mod read;
mod read_error;
mod recode;
pub mod sheet;
pub mod sink;
pub mod validate;
mod ytd;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{Config, Encoding, Sheets, Source};
use crate::contract::{Rule, Table, SCHEMA_VERSION};
use crate::regions::history::{Crosswalk, History, Recoder};
use crate::warehouse::{self, CodesApplied, FileEntry, Manifest, Staging, WarehouseError};

use self::encoding::Probe;
use self::headers::HeaderError;
use self::quarantine::{Finding, QuarantineRecord};
use self::read::{Format, ReadError};

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Another process holds the lock of the folder to publish (exit 4).
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    #[error("config {config}: key {key}: '{pattern}' matches no file")]
    NoMatch {
        config: String,
        key: String,
        pattern: String,
    },
    #[error("config {config}: key {key}: '{pattern}' is not a valid glob: {message}")]
    BadGlob {
        config: String,
        key: String,
        pattern: String,
        message: String,
    },
    #[error("{path}: {why} (from config key {key})")]
    Missing {
        path: String,
        key: String,
        why: String,
    },
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{path}: the file is empty")]
    Empty { path: String },
    #[error("{path}: has a header but no data rows")]
    HeaderOnly { path: String },
    #[error("{path}: the merged range {range} covers data rows; unmerge it (fill the value into each row) so every row says what it holds")]
    MergedData { path: String, range: String },
    #[error("{path}: encoding is neither UTF-8 nor GBK/GB18030; save it as UTF-8 or declare `encoding` in the source")]
    Encoding { path: String },
    #[error("{path}: not valid {declared} (declared by config key {key})")]
    Declared {
        path: String,
        declared: &'static str,
        key: String,
    },
    #[error("{path}: unknown file type; use .csv, .xlsx or .parquet")]
    Format { path: String },
    #[error("{path}: {source}")]
    Read { path: String, source: ReadError },
    #[error("{path}: {source}")]
    Header { path: String, source: HeaderError },
    #[error("config {config}: a [sources.regions] block is required: facts are checked against the region tree")]
    NoRegions { config: String },
    #[error("{path}: cannot read the reference code list (run.reference_codes): {message}")]
    Reference { path: String, message: String },
    #[error("run.code_history or run.crosswalk: {0}")]
    History(#[from] crate::regions::history::HistoryError),
    #[error("{path}: {message}")]
    Crosswalk { path: String, message: String },
    /// `[collection]` naming no unit, or a unit that is not one.
    #[error("config: {0}")]
    Collection(String),
    /// `[collection] receipts`: a receipt log that does not read.
    #[error("receipt log {path}: {message}")]
    Receipts { path: String, message: String },
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error("building table {table}: {message}")]
    Frame { table: String, message: String },
}

/// One input file, planned.
#[derive(Debug, Clone)]
pub struct Planned {
    pub table: Table,
    pub path: PathBuf,
    /// The path as outputs show it (relative to the config's folder).
    pub shown: String,
    pub format: Format,
    pub probe: Probe,
    pub encoding: Encoding,
    /// The sheet read (XLSX), when the source names one or reads several;
    /// `shown` is then `file.xlsx!sheet`.
    pub sheet: Option<String>,
    /// `[limits] max_cells`: cells a sheet may span (module `bounds`).
    pub max_cells: u64,
}

/// What ingest or validate did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub manifest: Manifest,
    pub quarantine: Vec<QuarantineRecord>,
    pub findings: Vec<Finding>,
    /// The warehouse (ingest) or the report folder (validate).
    pub written_to: PathBuf,
    /// `[collection]`: the filing status (also `_filing.parquet`), and its
    /// line for the terminal.
    pub filing: Option<String>,
}

/// Where the outcome goes.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Build and publish the warehouse.
    Ingest,
    /// Run every check; write only quarantine, findings and manifest to `report`.
    Validate { report: PathBuf },
    /// One shard of a sharded run: the rows this shard owns (see
    /// [`crate::cluster::spec`]), written into `dir`, which the caller
    /// publishes; the regions are kept whole (every shard needs the tree),
    /// stored rows carry their `_origin` so that `combine` can restore the
    /// input order, and the group findings are left to `combine`, which
    /// makes them over the whole tables.
    Shard {
        dir: PathBuf,
        shard: crate::shard::Shard,
        level: crate::contract::Level,
    },
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Resolves, hashes and probes every input file of the config.
pub fn plan(config: &Config) -> Result<Vec<Planned>, IngestError> {
    if config.source(Table::Regions).is_none() {
        return Err(IngestError::NoRegions {
            config: config.path.display().to_string(),
        });
    }
    let mut found_files: Vec<(&Source, PathBuf)> = Vec::new();
    for src in &config.sources {
        let key = format!("sources.{}.path", src.table);
        let mut files: Vec<PathBuf> = Vec::new();
        for pat in &src.patterns {
            let text = pat.to_string_lossy().to_string();
            if is_glob(&text) {
                let matches = glob::glob(&text).map_err(|e| IngestError::BadGlob {
                    config: config.path.display().to_string(),
                    key: key.clone(),
                    pattern: text.clone(),
                    message: e.to_string(),
                })?;
                let mut found: Vec<PathBuf> = matches.flatten().filter(|p| p.is_file()).collect();
                if found.is_empty() {
                    return Err(IngestError::NoMatch {
                        config: config.path.display().to_string(),
                        key: key.clone(),
                        pattern: config.display_path(pat),
                    });
                }
                found.sort();
                files.extend(found);
            } else if pat.is_file() {
                files.push(pat.clone());
            } else {
                return Err(IngestError::Missing {
                    path: config.display_path(pat),
                    key: key.clone(),
                    why: not_a_file(pat),
                });
            }
        }
        // A file named twice (a path and a glob that matches it) is read once.
        let mut seen = std::collections::HashSet::new();
        files.retain(|p| seen.insert(p.clone()));
        found_files.extend(files.into_iter().map(|p| (src, p)));
    }
    // Every file is read once to hash and probe it: on every core (the
    // sources of a national run are ~5 GB), then taken in config order, so
    // the first failing file is the one reported.
    use rayon::prelude::*;
    let probed: Vec<Result<Planned, IngestError>> = found_files
        .par_iter()
        .map(|(src, path)| probe_file(config, src, path.clone()))
        .collect();
    let mut out = Vec::new();
    for ((src, _), planned) in found_files.iter().zip(probed) {
        out.extend(sheets_of(planned?, src)?);
    }
    Ok(out)
}

fn probe_file(config: &Config, src: &Source, path: PathBuf) -> Result<Planned, IngestError> {
    let shown = config.display_path(&path);
    let format = Format::of(&path).ok_or_else(|| IngestError::Format {
        path: shown.clone(),
    })?;
    let detect = format == Format::Csv;
    let probe = encoding::probe(&path, detect).map_err(|e| IngestError::File {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if probe.bytes == 0 {
        return Err(IngestError::Empty { path: shown });
    }
    let encoding = match (format, src.encoding, probe.encoding) {
        (Format::Csv, Encoding::Auto, Some(e)) => e,
        (Format::Csv, Encoding::Auto, None) => return Err(IngestError::Encoding { path: shown }),
        // Declared UTF-8 must really be UTF-8; declared GBK decodes anything
        // GB18030 accepts (UTF-8 bytes that are also valid GB18030 included).
        (Format::Csv, Encoding::Utf8, Some(Encoding::Utf8)) => Encoding::Utf8,
        (Format::Csv, Encoding::Utf8, _) => {
            return Err(IngestError::Declared {
                path: shown,
                declared: "UTF-8",
                key: format!("sources.{}.encoding", src.table),
            })
        }
        (Format::Csv, Encoding::Gb18030, None) => {
            return Err(IngestError::Declared {
                path: shown,
                declared: "GBK/GB18030",
                key: format!("sources.{}.encoding", src.table),
            })
        }
        (Format::Csv, Encoding::Gb18030, Some(_)) => Encoding::Gb18030,
        _ => Encoding::Utf8,
    };
    Ok(Planned {
        table: src.table,
        path,
        shown,
        format,
        probe,
        encoding,
        sheet: None,
        max_cells: config.max_cells,
    })
}

/// Why `path`, named where a file is expected, is not one: a folder, a
/// symbolic link that loops or points nowhere, or nothing there.
fn not_a_file(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            "is a folder, not a file: name a file in it, or a glob such as folder/*.csv".into()
        }
        Ok(_) => "is not a regular file".into(),
        // ELOOP: too many levels of symbolic links.
        Err(e) if e.raw_os_error() == Some(40) => {
            "is a symbolic link that loops back on itself".into()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                "is a symbolic link to a file that does not exist".into()
            } else {
                "file not found".into()
            }
        }
        Err(e) => format!("cannot be read: {e}"),
    }
}

/// A workbook read sheet by sheet: one planned input per sheet (`sheet =
/// "*"` or a list), each named `file.xlsx!sheet` in the manifest and the
/// quarantine and numbered in its own sheet. One named sheet keeps the
/// file's plain name.
fn sheets_of(pf: Planned, src: &Source) -> Result<Vec<Planned>, IngestError> {
    use calamine::Reader;
    if pf.format != Format::Xlsx {
        return Ok(vec![pf]);
    }
    let names = |pf: &Planned| -> Result<Vec<String>, IngestError> {
        guard::guarded("XLSX/XLS/ODS", || {
            read::open_workbook(&pf.path, pf.max_cells)
        })
        .map(|wb| wb.sheet_names().to_vec())
        .map_err(|source| IngestError::Read {
            path: pf.shown.clone(),
            source,
        })
    };
    let chosen: Vec<String> = match &src.sheet {
        Sheets::First => return Ok(vec![pf]),
        Sheets::Named(v) if v.len() == 1 => {
            let mut pf = pf;
            pf.sheet = Some(v[0].clone());
            return Ok(vec![pf]);
        }
        Sheets::Named(v) => {
            let have = names(&pf)?;
            if let Some(missing) = v.iter().find(|s| !have.contains(s)) {
                return Err(IngestError::Read {
                    path: pf.shown.clone(),
                    source: read::ReadError::NoSheet {
                        sheet: missing.clone(),
                        available: have.join(", "),
                    },
                });
            }
            v.clone()
        }
        Sheets::All => names(&pf)?,
    };
    Ok(chosen
        .into_iter()
        .map(|sheet| Planned {
            shown: format!("{}!{sheet}", pf.shown),
            sheet: Some(sheet),
            ..pf.clone()
        })
        .collect())
}

/// A run id that depends only on the program, the config and the inputs:
/// the same inputs give the same id, and so byte-identical outputs.
pub fn run_id(config: &Config, planned: &[Planned]) -> String {
    let mut h = blake3::Hasher::new();
    h.update(
        format!(
            "govlens {}\nschema {SCHEMA_VERSION}\n",
            env!("CARGO_PKG_VERSION")
        )
        .as_bytes(),
    );
    // Only the sections ingest reads: a change to [compare] or [render]
    // leaves the warehouse (and its run id) as it is.
    h.update(config.section_key(&["run", "sources"]).as_bytes());
    // A collection round's section and receipt log (only when there is one,
    // so a warehouse without keeps its id).
    if let Some(c) = &config.collection {
        h.update(config.section_key(&["collection"]).as_bytes());
        if let Some(bytes) = c.receipts.as_ref().and_then(|p| std::fs::read(p).ok()) {
            h.update(b"\nreceipts\t");
            h.update(&bytes);
        }
    }
    for p in planned {
        h.update(format!("\n{}\t{}\t{}", p.table, p.shown, p.probe.blake3).as_bytes());
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Inputs made by `govlens generate` carry a `_generated.json` beside them.
pub fn is_simulated(planned: &[Planned]) -> bool {
    planned.iter().any(|p| {
        p.path
            .parent()
            .is_some_and(|d| d.join("_generated.json").exists())
    })
}

/// Runs ingest or validate for a checked config.
/// A warehouse a newer govlens wrote is never replaced by an older one:
/// its tables may hold what this version cannot write back.
pub fn refuse_newer(target: &std::path::Path) -> Result<(), IngestError> {
    match warehouse::Manifest::read(target) {
        Err(e @ WarehouseError::Newer { .. }) => Err(e.into()),
        _ => Ok(()),
    }
}

/// What every Parquet file of a warehouse carries: its run id, the inputs'
/// hashes, whether the inputs were simulated. `combine` writes the same, so
/// a combined warehouse's files are a one-machine ingest's, byte for byte.
pub fn metadata(run_id: &str, planned: &[Planned]) -> Vec<(String, String)> {
    let input_hashes = planned
        .iter()
        .map(|p| format!("{}=blake3:{}", p.shown, p.probe.blake3))
        .collect::<Vec<_>>()
        .join(";");
    let mut metadata = warehouse::file_metadata(run_id, &input_hashes);
    metadata.push((
        "govlens.simulated".into(),
        is_simulated(planned).to_string(),
    ));
    metadata
}

/// The warehouse manifest's `config_hash`.
pub fn config_hash(config: &Config) -> String {
    format!("blake3:{}", blake3::hash(config.text.as_bytes()).to_hex())
}

/// `govlens ingest` and `govlens validate`: [`run`] while holding the lock of
/// the folder it publishes (`<warehouse>.lock`, or `<report>.lock` for
/// validate), as `govlens run` holds it: a run in progress is never replaced
/// under it, and two ingests take turns. Waits up to `run.lock_timeout`
/// seconds, then [`crate::lock::LockError::Locked`] (exit 4). `notes` gets
/// a line when it waited or took over a dead process's lock.
pub fn run_locked(
    config: &Config,
    mode: &Mode,
    notes: &mut Vec<String>,
) -> Result<Outcome, IngestError> {
    run_locked_then(config, mode, notes, |_| ()).map(|(o, ())| o)
}

/// [`run_locked`], then `then` on the outcome while the lock is still held
/// (the CLI writes a collection round's documents beside what it published,
/// so no other ingest replaces the folder under them).
pub fn run_locked_then<T>(
    config: &Config,
    mode: &Mode,
    notes: &mut Vec<String>,
    then: impl FnOnce(&Outcome) -> T,
) -> Result<(Outcome, T), IngestError> {
    let target = match mode {
        Mode::Validate { report } => report.clone(),
        Mode::Ingest => config.warehouse.clone(),
        // A shard's folder is published by its caller, under its lock.
        Mode::Shard { .. } => {
            let o = run(config, mode)?;
            let t = then(&o);
            return Ok((o, t));
        }
    };
    let timeout = std::time::Duration::from_secs(config.lock_timeout);
    let _lock = crate::lock::take(&target, timeout, notes)?;
    let o = run(config, mode)?;
    let t = then(&o);
    Ok((o, t))
}

pub fn run(config: &Config, mode: &Mode) -> Result<Outcome, IngestError> {
    run_planned(config, mode, plan(config)?)
}

/// [`run`] on files already planned (`govlens run` plans them to see whether
/// the warehouse is up to date: probing every input again cost a full read
/// of the sources).
pub fn run_planned(
    config: &Config,
    mode: &Mode,
    planned: Vec<Planned>,
) -> Result<Outcome, IngestError> {
    let run_id = run_id(config, &planned);
    let simulated = is_simulated(&planned);
    let metadata = metadata(&run_id, &planned);

    let (target, staging, shard) = match mode {
        Mode::Ingest | Mode::Validate { .. } => {
            let target = match mode {
                Mode::Validate { report } => report.clone(),
                _ => config.warehouse.clone(),
            };
            refuse_newer(&target)?;
            let staging = Staging::new(&target)?;
            (target, Some(staging), None)
        }
        Mode::Shard { dir, shard, level } => {
            std::fs::create_dir_all(dir).map_err(|source| WarehouseError::Io {
                path: dir.clone(),
                source,
            })?;
            (dir.clone(), None, Some((*shard, *level)))
        }
    };
    let dir = staging.as_ref().map_or(target.clone(), |s| s.dir.clone());
    let reference = match &config.reference_codes {
        Some(p) => Some(regions_reference(config, p)?),
        None => None,
    };
    let recoder = recoder(config)?;
    let loaded = load::load_all(
        config,
        &planned,
        &dir,
        &metadata,
        (reference.as_ref(), recoder.as_ref()),
        shard,
    )?;
    if let Mode::Validate { .. } = mode {
        // The checks ran over the staged tables; a report keeps none of them.
        for t in Table::ALL {
            let d = dir.join(t.name());
            std::fs::remove_dir_all(&d).map_err(|source| WarehouseError::Io { path: d, source })?;
        }
    }

    let mut q =
        quarantine::quarantine_frame(&loaded.quarantine).map_err(frame_err("_quarantine"))?;
    warehouse::write_frame(&dir.join("_quarantine.parquet"), &mut q, &metadata)?;
    let mut f = quarantine::findings_frame(&loaded.findings).map_err(frame_err("_findings"))?;
    warehouse::write_frame(&dir.join("_findings.parquet"), &mut f, &metadata)?;
    let filing = match &config.collection {
        Some(c) => {
            let mut df = collection::filing_frame(&loaded.filing).map_err(frame_err("_filing"))?;
            warehouse::write_frame(&dir.join("_filing.parquet"), &mut df, &metadata)?;
            let period = c.period.map(|p| p.canonical());
            let lines = second_round(&target, period.as_deref(), &loaded)?;
            let mut df =
                corrections::frame(&lines, period.as_deref()).map_err(frame_err("_corrections"))?;
            warehouse::write_frame(&dir.join("_corrections.parquet"), &mut df, &metadata)?;
            let round = serde_json::json!({
                "district": c.district,
                "district_name": loaded.district_name,
                "level": c.level.name(),
                "period": period,
                "due": c.due.map(|d| d.text()),
            });
            warehouse::write_text(
                &dir.join("_collection.json"),
                &(serde_json::to_string_pretty(&round).expect("json") + "\n"),
            )?;
            Some(collection::summary(&loaded.filing, c))
        }
        None => None,
    };

    let codes = codes_applied(config, &loaded.files, loaded.merged);
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        govlens_version: env!("CARGO_PKG_VERSION").into(),
        run_id,
        config_hash: config_hash(config),
        simulated,
        files: loaded.files,
        tables: loaded.tables,
        quarantined: loaded.quarantine.len() as u64,
        findings: loaded.findings.len() as u64,
        codes,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    warehouse::write_text(&dir.join("_manifest.json"), &json)?;
    if let Some(staging) = staging {
        staging.publish()?;
    }
    Ok(Outcome {
        manifest,
        quarantine: loaded.quarantine,
        findings: loaded.findings,
        written_to: target,
        filing,
    })
}

/// A round's correction lines, marked against the previous run's where
/// the folder being replaced holds one of the same round (its
/// `_collection.json` names the same period): whether each office sent
/// its return again is whether the hashes of the files read for it changed
/// (contract B.21, "A second round").
fn second_round(
    target: &Path,
    period: Option<&str>,
    loaded: &load::Loaded,
) -> Result<Vec<corrections::Correction>, IngestError> {
    let mut lines = loaded.corrections.clone();
    let was: Option<serde_json::Value> = std::fs::read_to_string(target.join("_collection.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    if was.is_none_or(|w| w["period"].as_str() != period) {
        return Ok(lines);
    }
    // A previous round an earlier version wrote (other columns) is no
    // round to mark against.
    let (Ok((previous, _)), Ok(before)) = (
        corrections::read(&target.join("_corrections.parquet")),
        collection::read_status(target),
    ) else {
        return Ok(lines);
    };
    let hash = |rows: &[collection::Filing], office: &str, table: Table| {
        rows.iter()
            .find(|f| f.unit_code.as_deref() == Some(office) && f.table == table)
            .and_then(|f| f.used_hash.clone())
    };
    // None: the office had not filed before, or has no file now.
    let resent = |office: &str, table: Table| {
        let then = hash(&before, office, table)?;
        Some(hash(&loaded.filing, office, table)? != then)
    };
    let fixed = corrections::against(&mut lines, &previous, resent);
    lines.extend(fixed);
    corrections::sort(&mut lines);
    Ok(lines)
}

/// The code history and crosswalk `[run]` asks for (contract A.4).
fn recoder(config: &Config) -> Result<Option<Recoder>, IngestError> {
    let c = &config.codes;
    if !c.checked() {
        return Ok(None);
    }
    let history = match &c.history {
        Some(p) => History::read(p)?,
        None => History::shipped(),
    };
    let shown = |p: &PathBuf| config.display_path(p);
    let mut crosswalk =
        Crosswalk::derive(&history)
            .checked()
            .map_err(|message| IngestError::Crosswalk {
                path: c
                    .history
                    .as_ref()
                    .map_or("the shipped history".into(), shown),
                message,
            })?;
    if let Some(p) = &c.crosswalk {
        crosswalk =
            crosswalk
                .overlay(Crosswalk::read(p)?)
                .map_err(|message| IngestError::Crosswalk {
                    path: config.display_path(p),
                    message,
                })?;
    }
    Ok(Some(Recoder {
        history,
        crosswalk,
        target: c.harmonise,
    }))
}

/// The manifest's account of the code history, when one was used.
pub(crate) fn codes_applied(
    config: &Config,
    files: &[FileEntry],
    merged: u64,
) -> Option<CodesApplied> {
    let c = &config.codes;
    c.checked().then(|| CodesApplied {
        history: c
            .history
            .as_ref()
            .map_or("shipped".into(), |p| config.display_path(p)),
        harmonised_to: c.harmonise,
        crosswalk: c.crosswalk.as_ref().map(|p| config.display_path(p)),
        rows_recoded: files.iter().map(|f| f.rows_recoded).sum(),
        rows_renamed: files.iter().map(|f| f.rows_renamed).sum(),
        rows_merged: merged,
    })
}

fn regions_reference(
    config: &Config,
    path: &Path,
) -> Result<std::collections::HashMap<String, String>, IngestError> {
    crate::regions::load_reference(path).map_err(|message| IngestError::Reference {
        path: config.display_path(path),
        message,
    })
}

fn frame_err(table: &str) -> impl FnOnce(polars::prelude::PolarsError) -> IngestError + '_ {
    move |e| IngestError::Frame {
        table: table.to_string(),
        message: e.to_string(),
    }
}

/// The terminal summary: per file its accounting, counts per rule, and the
/// first examples of each rule, so a clerk sees what to fix without opening
/// Parquet.
pub fn summary(outcome: &Outcome, examples: usize) -> String {
    use std::fmt::Write;
    let m = &outcome.manifest;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "run {}{}: {} file(s), {} row(s) quarantined, {} finding(s)",
        m.run_id,
        if m.simulated { " (simulated data)" } else { "" },
        m.files.len(),
        m.quarantined,
        m.findings
    );
    if let Some(line) = &outcome.filing {
        let _ = writeln!(s, "{line}");
    }
    for f in &m.files {
        let _ = writeln!(
            s,
            "  {:<13} {}: read {}, stored {}, quarantined {}{}{}{}",
            f.table,
            crate::progress::one_line(&f.path),
            f.rows_read,
            f.rows_stored,
            f.rows_quarantined,
            if f.rows_total > 0 {
                format!(", total rows {} (checked, not stored)", f.rows_total)
            } else {
                String::new()
            },
            if f.rows_note > 0 {
                format!(", note lines {} (skipped)", f.rows_note)
            } else {
                String::new()
            },
            f.encoding
                .as_deref()
                .filter(|e| *e != "utf-8")
                .map(|e| format!(" [{e}]"))
                .unwrap_or_default()
        );
        if f.header_rows.len() > 1 || f.period_from_title.is_some() {
            let rows: Vec<String> = f.header_rows.iter().map(u64::to_string).collect();
            let _ = writeln!(
                s,
                "  {:<13}   header rows {}{}",
                "",
                rows.join(", "),
                f.period_from_title
                    .as_deref()
                    .map(|p| format!("; period {p} from the title"))
                    .unwrap_or_default()
            );
        }
    }
    let mut by_rule: BTreeMap<Rule, Vec<String>> = BTreeMap::new();
    for q in &outcome.quarantine {
        by_rule.entry(q.rule).or_default().push(format!(
            "{} row {} [{}]: {}",
            q.source, q.row, q.column, q.message
        ));
    }
    for f in &outcome.findings {
        let group: Vec<&str> = [&f.region_code, &f.period, &f.role, &f.band]
            .into_iter()
            .filter_map(|x| x.as_deref())
            .collect();
        by_rule.entry(f.rule).or_default().push(format!(
            "{} [{}]: {}",
            f.table,
            group.join(" "),
            f.message
        ));
    }
    for (rule, items) in by_rule {
        let _ = writeln!(s, "{rule}: {}", items.len());
        for e in items.iter().take(examples) {
            let _ = writeln!(s, "    {}", crate::progress::one_line(e));
        }
    }
    let _ = writeln!(s, "written to {}", outcome.written_to.display());
    s
}
