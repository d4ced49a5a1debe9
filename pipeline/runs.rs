//! A run folder as the stages after compare read it: `<output>/<run_id>/`
//! with `manifest.json` and `tables/*.parquet` (docs/contract.md, the run
//! folder). Render, the district report, `run` and the study commands read
//! runs through this module only.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::warehouse;

#[derive(Debug, thiserror::Error)]
pub enum RunsError {
    #[error("run '{run}' not found in {output} (runs there: {available}); run `govlens compare` first or pass --run")]
    NoRun {
        run: String,
        output: String,
        available: String,
    },
    #[error("{output} has no runs yet: run `govlens compare` first")]
    NoRuns { output: String },
    #[error("reading table {path}: {source}")]
    Table { path: String, source: PolarsError },
}

/// The run folder: `run`, or the one `latest` names.
pub fn find_run(output: &Path, run: Option<&str>) -> Result<PathBuf, RunsError> {
    let runs = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(output)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().join("manifest.json").is_file())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let id = match run {
        Some(r) => r.to_string(),
        None => match warehouse::read_latest(output) {
            Some(id) => id,
            None => {
                return Err(RunsError::NoRuns {
                    output: output.display().to_string(),
                })
            }
        },
    };
    let dir = output.join(&id);
    if dir.join("manifest.json").is_file() && dir.join("tables").is_dir() {
        Ok(dir)
    } else {
        Err(RunsError::NoRun {
            run: id,
            output: output.display().to_string(),
            available: runs().join(", "),
        })
    }
}

/// A query over a run table, collected on polars' streaming engine: the
/// table is read in morsels and filtered as it goes, so a large table costs
/// what the query keeps (the in-memory engine read all of national
/// unit_metrics, ~11 GB, to keep one period).
pub fn query(
    dir: &Path,
    name: &str,
    q: impl FnOnce(LazyFrame) -> LazyFrame,
) -> Result<DataFrame, RunsError> {
    let path = dir.join("tables").join(format!("{name}.parquet"));
    PlRefPath::try_from_path(&path)
        .and_then(|p| LazyFrame::scan_parquet(p, ScanArgsParquet::default()))
        .and_then(|lf| {
            Ok(q(lf)
                .collect_with_engine(Engine::Streaming)?
                .unwrap_single())
        })
        .map_err(|source| RunsError::Table {
            path: path.display().to_string(),
            source,
        })
}

/// The newest period of a run's unit metrics ("" when it has none).
pub fn latest_period(dir: &Path) -> Result<String, RunsError> {
    let df = query(dir, "unit_metrics", |lf| lf.select([col("period").max()]))?;
    Ok(strs(&df, "period").into_iter().next().unwrap_or_default())
}

/// The distinct values of a column of a run's unit metrics ("" for null).
pub fn distinct(dir: &Path, column: &str) -> Result<std::collections::BTreeSet<String>, RunsError> {
    let df = query(dir, "unit_metrics", |lf| {
        lf.select([col(column)])
            .unique(None, UniqueKeepStrategy::Any)
    })?;
    Ok(strs(&df, column).into_iter().collect())
}

pub fn table(dir: &Path, name: &str) -> Result<DataFrame, RunsError> {
    let path = dir.join("tables").join(format!("{name}.parquet"));
    let terr = |source| RunsError::Table {
        path: path.display().to_string(),
        source,
    };
    let f = std::fs::File::open(&path).map_err(|e| {
        terr(PolarsError::IO {
            error: std::sync::Arc::new(e),
            msg: None,
        })
    })?;
    ParquetReader::new(f).finish().map_err(terr)
}

pub fn strs(df: &DataFrame, c: &str) -> Vec<String> {
    df.column(c)
        .ok()
        .and_then(|s| {
            s.str()
                .ok()
                .map(|ca| ca.iter().map(|v| v.unwrap_or("").to_string()).collect())
        })
        .unwrap_or_default()
}

/// A text column's values borrowed from the frame ("" for null): [`strs`]
/// without a `String` per row, for the tables of a unit per row.
pub fn str_refs<'a>(df: &'a DataFrame, c: &str) -> Vec<&'a str> {
    df.column(c)
        .ok()
        .and_then(|s| s.str().ok())
        .map(|ca| ca.iter().map(|v| v.unwrap_or("")).collect())
        .unwrap_or_default()
}

/// A text column, or blanks of the table's height when it has none (runs
/// made before the column was added).
pub fn strs_or_blank(df: &DataFrame, c: &str) -> Vec<String> {
    let v = strs(df, c);
    if v.len() == df.height() {
        v
    } else {
        vec![String::new(); df.height()]
    }
}
pub fn floats(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
    df.column(c)
        .ok()
        .and_then(|s| s.cast(&DataType::Float64).ok())
        .map(|s| s.f64().map(|ca| ca.iter().collect()).unwrap_or_default())
        .unwrap_or_default()
}
