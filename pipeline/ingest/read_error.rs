//! What a reader's failure is ([`ReadError`]; the caller adds the file's
//! path) and how a cell is named in one (`XFD1048576`): below the readers
//! ([`super::read`]) and their helpers ([`super::bounds`], [`super::guard`])
//! alike.

/// A reading failure; the caller adds the file's path.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("CSV row {row}: {message}")]
    Csv { row: u64, message: String },
    #[error("{0}")]
    Excel(String),
    #[error("sheet '{sheet}' does not exist (sheets: {available})")]
    NoSheet { sheet: String, available: String },
    #[error("{0}")]
    Parquet(String),
    /// A sheet claims more cells than `[limits] max_cells` (module `bounds`).
    #[error("sheet '{sheet}': {claim}; the limit is {limit} cells a sheet ([limits] max_cells): clear what lies outside the table (Ctrl+End in Excel or WPS finds the last cell used) and save it again, or raise [limits] max_cells")]
    TooLarge {
        sheet: String,
        claim: String,
        limit: String,
    },
    /// A reader panicked on the file (module `guard`): its message is in the log.
    #[error("the file is damaged or not a valid {format} file: {}, or ask the sender for a new copy (the reader's own message: --log-level info)", again(format))]
    Damaged { format: &'static str },
}

/// What to do with a damaged file of `format`: save a workbook again,
/// export a Parquet file again.
fn again(format: &str) -> &'static str {
    if format == "Parquet" {
        "export it again"
    } else {
        "open it in Excel or WPS and save it again"
    }
}

/// A 0-based column as a spreadsheet names it: `A`, `Z`, `AA`, `XFD`.
pub fn column_letters(mut c: u64) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}
