//! The Parquet warehouse: staged, then published whole.
//!
//! A new warehouse is written into a hidden staging folder beside the old one
//! and swapped in with one `renameat2(RENAME_EXCHANGE)`, so a reader (or a
//! crash, or `kill -9`) sees either the complete old warehouse or the complete
//! new one, never a mix. Where the filesystem cannot exchange, the old folder
//! is first renamed aside; [`recover`] puts it back if the process died
//! between the two renames. `_manifest.json` is written last inside the
//! staging folder, so a folder that has one is complete.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::contract::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("warehouse {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("warehouse file {path}: {source}")]
    Polars { path: PathBuf, source: PolarsError },
    #[error("writing {path}: {source}")]
    Csv { path: PathBuf, source: PolarsError },
    #[error("warehouse {path} has no _manifest.json: run `govlens ingest` first")]
    Missing { path: PathBuf },
    #[error("warehouse {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("warehouse {path} was written by schema version {found}; this govlens {version} reads and replaces up to version {ours}: upgrade govlens (the warehouse is left as it is)")]
    Newer {
        path: PathBuf,
        found: u32,
        ours: u32,
        version: &'static str,
    },
    #[error("{path} exists and is not a govlens output (no _manifest.json or manifest.json); govlens replaces its output folder whole, so choose another folder or remove this one")]
    Foreign { path: PathBuf },
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WarehouseError + '_ {
    move |source| WarehouseError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Per input file: where it came from, what it hashed to, where its rows went.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub path: String,
    pub table: String,
    pub format: String,
    pub encoding: Option<String>,
    pub sheet: Option<String>,
    pub hash: String,
    pub hash_algorithm: String,
    pub bytes: u64,
    /// Title rows above the header: not data, not counted in rows_read.
    pub preamble_rows: u64,
    /// The spreadsheet rows read as the header (one to four: a header block
    /// of merged cells spans several).
    #[serde(default)]
    pub header_rows: Vec<u64>,
    /// rows_read = rows_stored + rows_quarantined + rows_total.
    pub rows_read: u64,
    pub rows_stored: u64,
    pub rows_quarantined: u64,
    /// Published total rows (合计, 小计 …): checked (W_TOTAL), never stored.
    #[serde(default)]
    pub rows_total: u64,
    /// Note lines below the table (注：…, 填表人 …): not rows, skipped.
    #[serde(default)]
    pub rows_note: u64,
    /// `[run] harmonise_codes`: stored rows whose code was re-coded (a
    /// re-code, a merge into another code, a split), and rows whose code
    /// stands under the vintage's other name. Omitted when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rows_recoded: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rows_renamed: u64,
    /// CSV: line breaks inside quoted cells — physical lines a record took
    /// beyond its first (a multi-line address, or the lines an open quote
    /// swallowed: contract B.1). Omitted when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lines_in_cells: u64,
    /// The period the title named (2023年…统计表), used for a sheet
    /// without a period column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_from_title: Option<String>,
    pub unknown_columns: Vec<String>,
    /// Headers the source's `ignore` names, read and mapped to nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_columns: Vec<String>,
    /// `[collection]`: the unit that filed the file, and how that is known
    /// (contract B.21). Omitted without a collection, or when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_by: Option<FiledBy>,
    /// The text after 填报单位 in the file's titles, read for `filed_by`.
    #[serde(skip)]
    pub filer_line: Option<String>,
    /// The values of a column that names who filed (填报单位, 街道 …) in
    /// the file's first rows, read for `filed_by`.
    #[serde(skip)]
    pub filer_column: Vec<String>,
    /// `[collection]`: when the file came (`2024-04-09 17:30`), and from
    /// where that is known: `receipts` (the receipt log) or `mtime` (the
    /// file's modification time, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_from: Option<String>,
    /// `[collection]`: a unit's return that a later one of the same unit and
    /// table replaced (重复): not read, no row of it stored; the file used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// The file's modification time in nanoseconds, when `received_at` is
    /// from it: two returns saved in one minute are still told apart.
    #[serde(skip)]
    pub modified_nanos: Option<u128>,
    /// Each canonical column as the file's header names it (`受理数(件)`),
    /// for the correction lists.
    #[serde(skip)]
    pub headers: std::collections::BTreeMap<String, String>,
}

impl FileEntry {
    /// The file this entry was read from: `file.xlsx!sheet` is a sheet of
    /// `file.xlsx`.
    pub fn file(&self) -> &str {
        match &self.sheet {
            Some(sheet) => self
                .path
                .strip_suffix(sheet.as_str())
                .and_then(|p| p.strip_suffix('!'))
                .unwrap_or(&self.path),
            None => &self.path,
        }
    }
}

/// Who filed a return (`[collection]`), and how govlens knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiledBy {
    pub code: String,
    pub name: String,
    /// `filed_by` (the config's mapping), `填报单位` (the titles' line),
    /// `file name` or `sheet name`.
    pub how: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub schema_version: u32,
    pub govlens_version: String,
    pub run_id: String,
    pub config_hash: String,
    pub simulated: bool,
    pub files: Vec<FileEntry>,
    /// Rows per warehouse table (after person records are binned).
    pub tables: std::collections::BTreeMap<String, u64>,
    pub quarantined: u64,
    pub findings: u64,
    /// Codes checked against their years and re-coded (`[run] code_history`,
    /// `harmonise_codes`, `crosswalk`); absent when neither is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<CodesApplied>,
}

/// What the code history did in an ingest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CodesApplied {
    /// The history file (`shipped` for datasets/reference/gbt2260-history.csv as built in).
    pub history: String,
    /// The vintage facts were re-coded to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harmonised_to: Option<i32>,
    /// The user's crosswalk laid over the derived one, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crosswalk: Option<String>,
    /// Sums of the files' rows_recoded and rows_renamed.
    pub rows_recoded: u64,
    pub rows_renamed: u64,
    /// Re-coded rows added into another row of the same key (the parts of a merge).
    pub rows_merged: u64,
}

impl Manifest {
    pub fn read(warehouse: &Path) -> Result<Manifest, WarehouseError> {
        let p = warehouse.join("_manifest.json");
        if !p.exists() {
            return Err(WarehouseError::Missing {
                path: warehouse.to_path_buf(),
            });
        }
        let text = fs::read_to_string(&p).map_err(io(&p))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| WarehouseError::Invalid {
            path: p.clone(),
            message: e.to_string(),
        })?;
        if m.schema_version > SCHEMA_VERSION {
            return Err(WarehouseError::Newer {
                path: warehouse.to_path_buf(),
                found: m.schema_version,
                ours: SCHEMA_VERSION,
                version: env!("CARGO_PKG_VERSION"),
            });
        }
        Ok(m)
    }
}

/// Key-value metadata written into every Parquet file of a run.
pub fn file_metadata(run_id: &str, input_hashes: &str) -> Vec<(String, String)> {
    vec![
        ("govlens.schema_version".into(), SCHEMA_VERSION.to_string()),
        ("govlens.run_id".into(), run_id.to_string()),
        (
            "govlens.version".into(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        ("govlens.input_hashes".into(), input_hashes.to_string()),
    ]
}

/// A file that keeps the first I/O error written through it. Polars wraps a
/// failed write in its own error, and a write that fails in the footer comes
/// back as "Invalid thrift: transport error": the operator needs the cause
/// ("No space left on device"), so [`polars_error`] reports this one instead.
pub struct Recorded<W = File> {
    file: W,
    error: Recorder,
}

impl<W: Write> Write for Recorded<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.file.write(buf);
        self.keep(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.file.flush();
        self.keep(r)
    }
}

impl<W> Recorded<W> {
    fn keep<T>(&self, r: std::io::Result<T>) -> std::io::Result<T> {
        r.inspect_err(|e| {
            let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
            if slot.is_none() {
                *slot = Some(std::io::Error::new(e.kind(), e.to_string()));
            }
        })
    }
}

type Recorder = Arc<Mutex<Option<std::io::Error>>>;

fn writer_for<W: Write>(
    file: W,
    metadata: &[(String, String)],
) -> (ParquetWriter<Recorded<W>>, Recorder) {
    let error = Recorder::default();
    let file = Recorded {
        file,
        error: error.clone(),
    };
    let writer = ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(metadata.to_vec())));
    (writer, error)
}

/// The I/O error under a failed Parquet write if there was one, else polars' own.
fn polars_error(path: &Path, recorder: &Recorder, source: PolarsError) -> WarehouseError {
    match recorder.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(source) => WarehouseError::Io {
            path: path.to_path_buf(),
            source,
        },
        None => WarehouseError::Polars {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// Streams one table into `<dir>/<table>/part-0.parquet` in row groups.
pub struct TableWriter {
    path: PathBuf,
    inner: polars::io::parquet::write::BatchedWriter<Recorded>,
    recorder: Recorder,
    rows: u64,
}

impl TableWriter {
    pub fn create(
        dir: &Path,
        table: &str,
        schema: &Schema,
        metadata: &[(String, String)],
    ) -> Result<TableWriter, WarehouseError> {
        let folder = dir.join(table);
        fs::create_dir_all(&folder).map_err(io(&folder))?;
        TableWriter::at(&folder.join("part-0.parquet"), schema, metadata)
    }

    /// A writer of the Parquet file `path` (its folder exists).
    pub fn at(
        path: &Path,
        schema: &Schema,
        metadata: &[(String, String)],
    ) -> Result<TableWriter, WarehouseError> {
        let path = path.to_path_buf();
        let file = File::create(&path).map_err(io(&path))?;
        let (writer, recorder) = writer_for(file, metadata);
        let inner = writer
            .batched(schema)
            .map_err(|source| polars_error(&path, &recorder, source))?;
        Ok(TableWriter {
            path,
            inner,
            recorder,
            rows: 0,
        })
    }

    pub fn write(&mut self, df: &DataFrame) -> Result<(), WarehouseError> {
        if df.height() == 0 {
            return Ok(());
        }
        self.rows += df.height() as u64;
        self.inner
            .write_batch(df)
            .map_err(|source| polars_error(&self.path, &self.recorder, source))
    }

    pub fn finish(self) -> Result<u64, WarehouseError> {
        self.inner
            .finish()
            .map_err(|source| polars_error(&self.path, &self.recorder, source))?;
        File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(io(&self.path))?;
        Ok(self.rows)
    }
}

/// Writes one whole frame to `path` with the run's metadata, and fsyncs it.
pub fn write_frame(
    path: &Path,
    df: &mut DataFrame,
    metadata: &[(String, String)],
) -> Result<(), WarehouseError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let file = File::create(path).map_err(io(path))?;
    let (writer, recorder) = writer_for(file, metadata);
    writer
        .finish(df)
        .map_err(|source| polars_error(path, &recorder, source))?;
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

/// A frame as the bytes of a Parquet file with key-value metadata, as
/// [`write_frame`] writes one (for a caller that writes the file itself).
pub fn frame_bytes(
    df: &mut DataFrame,
    metadata: &[(String, String)],
) -> Result<Vec<u8>, PolarsError> {
    let mut buf = Vec::new();
    let (writer, _) = writer_for(&mut buf, metadata);
    writer.finish(df)?;
    Ok(buf)
}

/// Writes `text` to `path` and fsyncs it.
pub fn write_text(path: &Path, text: &str) -> Result<(), WarehouseError> {
    write_bytes(path, text.as_bytes())
}

/// Writes a file and syncs it to disk.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), WarehouseError> {
    let mut f = File::create(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// A staging folder that is removed unless [`Staging::publish`] is called.
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
    published: bool,
}

/// A folder govlens wrote: a warehouse or report (`_manifest.json`) or a
/// run (`manifest.json`). Both are written last, so their presence also
/// means the folder is complete.
fn is_ours(dir: &Path) -> bool {
    ["_manifest.json", "manifest.json", "shard.json"]
        .iter()
        .any(|m| dir.join(m).is_file())
}

/// The folder holding `target` ("." for a bare name).
fn parent_of(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "warehouse".into());
    target.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

impl Staging {
    /// Creates a fresh staging folder beside `target` (same filesystem, so
    /// the final rename is atomic).
    pub fn new(target: &Path) -> Result<Staging, WarehouseError> {
        let parent = parent_of(target);
        fs::create_dir_all(parent).map_err(io(parent))?;
        recover(target)?;
        // Publishing replaces the target folder whole: never one we did not write.
        let foreign = target.is_file()
            || (target.is_dir()
                && !is_ours(target)
                && fs::read_dir(target).map_err(io(target))?.next().is_some());
        if foreign {
            return Err(WarehouseError::Foreign {
                path: target.to_path_buf(),
            });
        }
        let dir = sibling(target, "staging");
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        fs::create_dir(&dir).map_err(io(&dir))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            published: false,
        })
    }

    /// Swaps the staged folder in for the target, atomically where the
    /// filesystem allows, and removes the old one.
    pub fn publish(mut self) -> Result<(), WarehouseError> {
        sync_dir(&self.dir)?;
        // The first publication: a rename, unless another process published
        // the folder between the check and the rename (ENOTEMPTY, EEXIST);
        // then ours is swapped in for theirs like any later publication.
        let first = !self.target.exists()
            && match fs::rename(&self.dir, &self.target) {
                Ok(()) => true,
                Err(_) if self.target.exists() && self.dir.exists() => false,
                Err(e) => return Err(io(&self.target)(e)),
            };
        if !first {
            if exchange(&self.dir, &self.target).is_ok() {
                // `self.dir` now holds the previous folder.
                fs::remove_dir_all(&self.dir).map_err(io(&self.dir))?;
            } else {
                let old = sibling(&self.target, "old");
                fs::rename(&self.target, &old).map_err(io(&self.target))?;
                fs::rename(&self.dir, &self.target).map_err(io(&self.target))?;
                fs::remove_dir_all(&old).map_err(io(&old))?;
            }
        }
        sync_dir(parent_of(&self.target))?;
        self.published = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn sync_dir(dir: &Path) -> Result<(), WarehouseError> {
    File::open(dir).and_then(|f| f.sync_all()).map_err(io(dir))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them
    // relative to the working directory like rename(2).
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Repairs what a killed run can leave: restores a warehouse renamed aside
/// by a publish that died between its two renames, and removes staging
/// folders whose process is gone.
pub fn recover(target: &Path) -> Result<(), WarehouseError> {
    let parent = parent_of(target);
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().to_string()) else {
        return Ok(());
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let fname = e.file_name().to_string_lossy().to_string();
        for (tag, restore) in [("old", true), ("staging", false)] {
            let prefix = format!(".{name}.{tag}-");
            let Some(pid) = fname.strip_prefix(&prefix) else {
                continue;
            };
            let alive = pid.parse::<u32>().is_ok_and(|p| {
                p != std::process::id() && Path::new(&format!("/proc/{p}")).exists()
            });
            if alive {
                continue;
            }
            let path = e.path();
            if restore && !target.exists() && is_ours(&path) {
                tracing::warn!(
                    "restoring {} left by an interrupted publish",
                    target.display()
                );
                fs::rename(&path, target).map_err(io(target))?;
            } else {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
    Ok(())
}

/// Points `<output>/latest` at a run: a symbolic link to the run's folder
/// (relative, so the output folder can move), so `latest/report.html`
/// opens. Replaced atomically — the new link is made beside it and renamed
/// over it — after the run's folder is published: a failed run never
/// replaces it. `latest/manifest.json` names the run.
pub fn write_latest(output: &Path, run_id: &str) -> Result<(), WarehouseError> {
    let tmp = output.join(format!(".latest.{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(run_id, &tmp).map_err(io(&tmp))?;
    let target = output.join("latest");
    fs::rename(&tmp, &target).map_err(io(&target))?;
    File::open(output)
        .and_then(|d| d.sync_all())
        .map_err(io(output))
}

/// The run `<output>/latest` points at: the link's target, or the one line
/// of a `latest` file written by govlens before 0.1 made it a link.
pub fn read_latest(output: &Path) -> Option<String> {
    let latest = output.join("latest");
    match fs::read_link(&latest) {
        Ok(target) => target.file_name().map(|n| n.to_string_lossy().to_string()),
        Err(_) => fs::read_to_string(&latest)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    }
}

/// Reads one warehouse table (all its part files) into memory.
pub fn read_table(warehouse: &Path, table: &str) -> Result<DataFrame, WarehouseError> {
    Manifest::read(warehouse)?;
    let path = warehouse.join(table).join("part-0.parquet");
    let file = File::open(&path).map_err(io(&path))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|source| WarehouseError::Polars { path, source })
}

/// Reads a Parquet file's key-value metadata.
pub fn read_metadata(path: &Path) -> Result<Vec<(String, String)>, WarehouseError> {
    let file = File::open(path).map_err(io(path))?;
    let mut reader = ParquetReader::new(file);
    let md = reader
        .get_metadata()
        .map_err(|source| WarehouseError::Polars {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(md
        .key_value_metadata()
        .as_ref()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(dir: &Path, tag: &str) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("_manifest.json"), tag).unwrap();
    }

    /// A sink that takes `room` bytes, then fails like a full disk.
    struct Filling {
        room: usize,
    }

    impl Write for Filling {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// CI's full-disk test once failed with polars' "Invalid thrift: transport
    /// error" instead of the cause: the disk filled while the footer was
    /// written. Wherever a Parquet write fails, the device's own error is
    /// what the operator reads.
    #[test]
    fn a_disk_full_in_the_parquet_footer_reports_the_disk_error() {
        let mut df = df!("a" => (0..5_000).collect::<Vec<i64>>()).unwrap();
        let meta = [("k".to_string(), "v".repeat(200))];
        let mut whole = Vec::new();
        writer_for(&mut whole, &meta).0.finish(&mut df).unwrap();
        // Fail at the start, in the data, and in the footer (last 40 bytes).
        for room in [0, whole.len() / 2, whole.len() - 40] {
            let (writer, recorder) = writer_for(Filling { room }, &meta);
            let source = writer.finish(&mut df).unwrap_err();
            let err = polars_error(Path::new("x/part-0.parquet"), &recorder, source);
            let text = err.to_string();
            assert!(
                text.contains("No space left on device"),
                "room {room}: {text}"
            );
            assert!(text.contains("x/part-0.parquet"), "{text}");
        }
    }

    #[test]
    fn publish_replaces_the_old_warehouse_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("wh");
        complete(&target, "old");
        let st = Staging::new(&target).unwrap();
        complete(&st.dir, "new");
        st.publish().unwrap();
        assert_eq!(
            fs::read_to_string(target.join("_manifest.json")).unwrap(),
            "new"
        );
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
    }

    #[test]
    fn a_folder_govlens_did_not_write_is_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("datasets");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("precious.csv"), "x").unwrap();
        assert!(matches!(
            Staging::new(&target),
            Err(WarehouseError::Foreign { .. })
        ));
        assert!(target.join("precious.csv").exists());
        // An empty folder is fine.
        let empty = tmp.path().join("empty");
        fs::create_dir_all(&empty).unwrap();
        assert!(Staging::new(&empty).is_ok());
    }

    #[test]
    fn a_dropped_staging_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("wh");
        {
            let st = Staging::new(&target).unwrap();
            complete(&st.dir, "new");
        }
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn recover_restores_a_warehouse_left_aside_by_a_dead_publish() {
        // The rename-rename fallback died between its two renames: the old
        // warehouse is aside under a dead pid and the target is missing.
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("wh");
        complete(&tmp.path().join(".wh.old-999999999"), "old");
        complete(&tmp.path().join(".wh.staging-999999999"), "half");
        recover(&target).unwrap();
        assert_eq!(
            fs::read_to_string(target.join("_manifest.json")).unwrap(),
            "old"
        );
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}

/// Whether a text cell would be read as a formula by Excel, WPS or
/// LibreOffice when a CSV is opened (OWASP's list: `=`, `+`, `-`, `@`, tab,
/// carriage return).
pub fn is_formula_like(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// A text cell as a CSV copy shows it: a formula-like value gets a leading
/// `'`, which spreadsheets display as text and never evaluate (CSV
/// injection, CWE-1236). Parquet keeps the raw value.
pub fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A table's spreadsheet copy: `df` as CSV with formula-like text
/// neutralised ([`csv_safe`]), synced to disk.
/// A study command's table (`govlens qca`, `did`, `index`): `<dir>/<name>`
/// as Parquet and its spreadsheet-safe CSV copy.
pub fn write_study_table(dir: &Path, name: &str, df: &mut DataFrame) -> Result<(), WarehouseError> {
    write_frame(&dir.join(format!("{name}.parquet")), df, &[])?;
    write_csv_copy(&dir.join(format!("{name}.csv")), df)
}

pub fn write_csv_copy(path: &Path, df: &DataFrame) -> Result<(), WarehouseError> {
    let mut f = File::create(path).map_err(io(path))?;
    CsvWriter::new(&mut f)
        .finish(&mut csv_safe(df))
        .map_err(|source| WarehouseError::Csv {
            path: path.to_path_buf(),
            source,
        })?;
    f.sync_all().map_err(io(path))
}

/// `df` with every text column passed through [`csv_text`], for the CSV
/// copies of run tables. Numbers are not text and stay as they are.
pub fn csv_safe(df: &DataFrame) -> DataFrame {
    let columns: Vec<Column> = df
        .columns()
        .iter()
        .map(|c| match c.str() {
            Ok(ca) if ca.iter().flatten().any(is_formula_like) => {
                let safe: StringChunked = ca
                    .iter()
                    .map(|v| v.map(|s| csv_text(s).into_owned()))
                    .collect();
                safe.with_name(c.name().clone()).into_series().into()
            }
            _ => c.clone(),
        })
        .collect();
    DataFrame::new(df.height(), columns).expect("same shape")
}

#[cfg(test)]
mod csv_injection_tests {
    use super::*;

    #[test]
    fn csv_copies_neutralise_formula_like_text_but_not_numbers() {
        let df = df!(
            "name" => [Some("=HYPERLINK(\"http://x\",\"点我\")"), Some("+1"), Some("-2"), Some("@SUM(A1)"), Some("\tx"), Some("\rx"), Some("金谷东园"), None],
            "value" => [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        )
        .unwrap();
        let safe = csv_safe(&df);
        let names: Vec<Option<&str>> = safe.column("name").unwrap().str().unwrap().iter().collect();
        assert_eq!(
            names,
            [
                Some("'=HYPERLINK(\"http://x\",\"点我\")"),
                Some("'+1"),
                Some("'-2"),
                Some("'@SUM(A1)"),
                Some("'\tx"),
                Some("'\rx"),
                Some("金谷东园"),
                None
            ]
        );
        assert_eq!(safe.column("value").unwrap(), df.column("value").unwrap());
    }
}
