//! `[output]`: which copies of the run's tables are written, and whether
//! `govlens run` exports the run for Stata, SPSS and R (`export`, the
//! formats of `govlens export`; docs/export.md). Every table is
//! Parquet; the CSV copy (spreadsheet-safe, for Excel and WPS) is what
//! people open by hand, and nationally unit_metrics' copy alone was 6.5 GB
//! that nobody opens — so by default (`auto`) a table gets its CSV copy
//! only up to `csv_max_rows` rows, and the run's notes name the tables that
//! did not.

use serde::Deserialize;

/// `[output] csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvCopies {
    /// A CSV copy of every table up to `csv_max_rows` rows.
    Auto,
    /// A CSV copy of every table.
    All,
    /// No CSV copies: Parquet only.
    None,
}

/// The formats `[output] export` may name, in the order they are written.
pub const EXPORT_FORMATS: [&str; 4] = ["dta", "sav", "parquet", "csv"];

/// The checked section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    pub csv: CsvCopies,
    pub csv_max_rows: usize,
    /// `export`: which of [`EXPORT_FORMATS`] `govlens run` exports the run
    /// in (none: no export).
    pub export: [bool; 4],
}

impl Default for Output {
    fn default() -> Self {
        Output {
            csv: CsvCopies::Auto,
            csv_max_rows: 1_000_000,
            export: [false; 4],
        }
    }
}

impl Output {
    /// The formats `govlens run` exports in (empty: no export).
    pub fn export_formats(&self) -> Vec<&'static str> {
        EXPORT_FORMATS
            .iter()
            .zip(self.export)
            .filter(|(_, on)| *on)
            .map(|(f, _)| *f)
            .collect()
    }

    /// Whether a table of `rows` rows gets its CSV copy.
    pub fn csv_for(&self, rows: usize) -> bool {
        match self.csv {
            CsvCopies::All => true,
            CsvCopies::None => false,
            CsvCopies::Auto => rows <= self.csv_max_rows,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    csv: Option<String>,
    csv_max_rows: Option<usize>,
    export: Option<Vec<String>>,
}

impl RawOutput {
    /// The section, or (key, message).
    pub(super) fn check(self) -> Result<Output, (String, String)> {
        let csv = match self.csv.as_deref() {
            None | Some("auto") => CsvCopies::Auto,
            Some("all") => CsvCopies::All,
            Some("none") => CsvCopies::None,
            Some(other) => {
                return Err((
                    "output.csv".into(),
                    format!("'{other}' is not auto, all or none"),
                ))
            }
        };
        let csv_max_rows = self.csv_max_rows.unwrap_or(1_000_000);
        if csv_max_rows == 0 {
            return Err((
                "output.csv_max_rows".into(),
                "must be above 0 (csv = \"none\" writes no CSV copy)".into(),
            ));
        }
        let mut export = [false; 4];
        for f in self.export.unwrap_or_default() {
            match EXPORT_FORMATS.iter().position(|x| *x == f) {
                Some(i) => export[i] = true,
                None => {
                    return Err((
                        "output.export".into(),
                        format!("'{f}' is not a format: dta, sav, parquet or csv"),
                    ))
                }
            }
        }
        Ok(Output {
            csv,
            csv_max_rows,
            export,
        })
    }
}
