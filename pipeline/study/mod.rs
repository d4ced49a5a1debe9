//! The three studies a researcher runs on a table of their own —
//! `govlens did` ([`did`]), `govlens qca` ([`qca`]) and `govlens index`
//! ([`index`]) — over one prologue: the case table read and its columns
//! found ([`CaseTable`]), numbers parsed with the row and column named, a
//! study file's TOML read ([`StudyFile`]), and the output folder written in
//! a staging folder and published whole ([`StudyDir`]): bad input writes
//! nothing. Each command's [`std::fmt::Display`] summary is what the terminal
//! shows.

use std::path::{Path, PathBuf};

use polars::prelude::{DataFrame, PolarsError};

use crate::warehouse::{self, Staging, WarehouseError};

pub mod did;
pub mod index;
pub mod qca;

/// Why a study wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The study file or a flag: `path` names the file (or is empty for a flag).
    #[error("{path}: {message}")]
    Config { path: String, message: String },
    /// A flag that is not one of its values.
    #[error("{0}")]
    Option(String),
    /// The case table: `path` names it, the message the row and column.
    #[error("{path}: {message}")]
    Data { path: String, message: String },
    #[error("{path}: {source}")]
    Estimate {
        path: String,
        source: crate::methods::did::DidError,
    },
    #[error("writing {table}: {source}")]
    Frame { table: String, source: PolarsError },
    #[error("drawing {what}: {message}")]
    Chart { what: &'static str, message: String },
    #[error(transparent)]
    Run(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    #[error(transparent)]
    Runs(#[from] crate::runs::RunsError),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// A study file (`govlens qca --config`, `govlens index --config`): its text,
/// the name it is shown by, and the folder its paths are relative to.
pub struct StudyFile {
    pub shown: String,
    pub text: String,
    pub base: PathBuf,
}

impl StudyFile {
    pub fn read(path: &Path) -> Result<StudyFile, StudyError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| StudyError::Read {
            path: shown.clone(),
            source,
        })?;
        Ok(StudyFile {
            shown,
            text,
            base: beside(path).to_path_buf(),
        })
    }

    /// An error in this file.
    pub fn error(&self, message: String) -> StudyError {
        StudyError::Config {
            path: self.shown.clone(),
            message,
        }
    }

    /// The file parsed as `T`; a TOML error on one line.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, StudyError> {
        toml::from_str(&self.text).map_err(|e| self.error(e.to_string().trim().replace('\n', " ")))
    }
}

/// The folder a file is in (`.` for a bare name): where a study's default
/// output folder goes.
pub fn beside(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A researcher's table (CSV, XLSX or Parquet) as text cells: its header's
/// names and each non-blank row's cells. Row numbers in messages are the
/// file's (the header is row 1).
pub struct CaseTable {
    pub shown: String,
    pub names: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl CaseTable {
    pub fn read(path: &Path) -> Result<CaseTable, StudyError> {
        let shown = path.display().to_string();
        let (names, rows) =
            crate::ingest::read::table_cells(path).map_err(|message| StudyError::Data {
                path: shown.clone(),
                message,
            })?;
        Ok(CaseTable { shown, names, rows })
    }

    /// An error in this table.
    pub fn error(&self, message: String) -> StudyError {
        StudyError::Data {
            path: self.shown.clone(),
            message,
        }
    }

    /// The position of column `name`; the message lists the columns there are.
    pub fn column(&self, name: &str) -> Result<usize, String> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| format!("no column '{name}' (columns: {})", self.names.join(", ")))
    }

    /// The text of row `row`'s cell in column `col` (empty when blank).
    pub fn cell(&self, row: usize, col: usize) -> String {
        self.rows[row]
            .get(col)
            .cloned()
            .flatten()
            .unwrap_or_default()
    }

    /// The number in row `row`, column `col` (named `name`); `case` names the
    /// row's case in the message when given.
    pub fn number(
        &self,
        row: usize,
        col: usize,
        name: &str,
        case: Option<&str>,
    ) -> Result<f64, String> {
        let raw = self.cell(row, col);
        crate::contract::grammar::parse_number(&raw)
            .map_err(|_| not_a_number(row, case, name, &raw))
    }
}

/// "row N (case), column C: 'raw' is not a number", N the file's row.
pub fn not_a_number(row: usize, case: Option<&str>, name: &str, raw: &str) -> String {
    let case = case.map(|c| format!(" ({c})")).unwrap_or_default();
    format!(
        "row {}{case}, column {name}: '{raw}' is not a number",
        row + 2
    )
}

/// A study's output folder, written in a staging folder beside it and
/// published whole by [`StudyDir::publish`] (the old folder replaced).
pub struct StudyDir {
    out: PathBuf,
    staging: Staging,
}

impl StudyDir {
    pub fn open(out: PathBuf) -> Result<StudyDir, StudyError> {
        let staging = Staging::new(&out)?;
        Ok(StudyDir { out, staging })
    }

    /// The staging folder charts are drawn into.
    pub fn dir(&self) -> &Path {
        &self.staging.dir
    }

    /// `name.parquet` and a spreadsheet-safe `name.csv`.
    pub fn table(&self, name: &str, df: &DataFrame) -> Result<(), StudyError> {
        warehouse::write_study_table(&self.staging.dir, name, &mut df.clone())?;
        Ok(())
    }

    /// Publishes the folder with its `manifest.json`; returns where it is.
    pub fn publish(self, manifest: &serde_json::Value) -> Result<PathBuf, StudyError> {
        warehouse::write_text(
            &self.staging.dir.join("manifest.json"),
            &(serde_json::to_string_pretty(manifest).expect("json") + "\n"),
        )?;
        self.staging.publish()?;
        Ok(self.out)
    }
}

/// Registers the report font (or the bundled one) for a study's charts.
pub fn chart_font(what: &'static str) -> Result<(), StudyError> {
    crate::render::font::register(None).map_err(|e| StudyError::Chart {
        what,
        message: e.to_string(),
    })
}
