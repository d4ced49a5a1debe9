//! Reading CSV, XLSX and Parquet files into one shape: a header and a stream
//! of records, each with the row number a spreadsheet would show.
//!
//! Row numbers follow contract §2: the header is row 1 and the first data row
//! is row 2, for CSV and XLSX alike. Title rows above the header (common in
//! official spreadsheets: `2023年某区人民调解情况统计表`) are recognised and
//! skipped, and the numbering then counts them, as Excel does.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use calamine::{Data, Reader};
use encoding_rs_io::DecodeReaderBytesBuilder;

pub use super::read_error::{column_letters, ReadError};
use crate::config::Encoding;

/// A data row: its spreadsheet row number and its cells (blank = `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    pub row: u64,
    pub cells: Vec<Option<String>>,
    /// The physical line the record starts on (CSV; 0 for workbooks and
    /// Parquet): a quoted cell can run over several lines (`sheet::open_quote`).
    pub line: u64,
}

/// A cell as the row rules read it: trimmed text, `None` when blank. The
/// record path holds owned cells, the columnar path ([`super::columnar`])
/// borrows them from the CSV reader's buffer; the sheet checks read both.
pub trait AsCell {
    fn text(&self) -> Option<&str>;
}

impl AsCell for Option<String> {
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }
}

impl AsCell for Option<&str> {
    fn text(&self) -> Option<&str> {
        *self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Parquet,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_lowercase();
        match ext.as_str() {
            "csv" | "txt" | "tsv" => Some(Format::Csv),
            "xlsx" | "xlsm" | "xls" | "ods" | "et" => Some(Format::Xlsx),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Parquet => "parquet",
        }
    }
}

/// An open file: rows before the header are consumed by [`open`].
pub struct Opened {
    pub records: Box<dyn Iterator<Item = Result<RawRecord, ReadError>> + Send>,
    /// Name of the sheet read, for XLSX.
    pub sheet: Option<String>,
    /// How far reading has got, in `progress_unit`s out of `progress_len`:
    /// bytes of the file for CSV, rows for XLSX and Parquet.
    pub progress: Arc<AtomicU64>,
    pub progress_len: u64,
    pub progress_unit: crate::progress::Unit,
    /// The sheet's merged ranges (XLSX/XLS), their value already spread over
    /// every cell they cover.
    pub merges: Vec<Merge>,
}

/// A merged range: spreadsheet rows `rows.0..=rows.1` (1-based, as Excel
/// shows them), cell positions `cols.0..=cols.1` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub rows: (u64, u64),
    pub cols: (usize, usize),
}

impl Merge {
    /// `B3:C4`, as a clerk finds it in Excel.
    pub fn a1(&self) -> String {
        let col = |c: usize| column_letters(c as u64);
        format!(
            "{}{}:{}{}",
            col(self.cols.0),
            self.rows.0,
            col(self.cols.1),
            self.rows.1
        )
    }
}

/// Copies each merged range's value (its top-left cell) into every cell it
/// covers: an office return's `年龄结构` over three band columns, or
/// `区划代码` merged down over a two-row header, reads as Excel shows it.
pub fn spread_merges(rows: &mut [RawRecord], merges: &[Merge]) {
    let at = |rows: &[RawRecord], r: u64| rows.iter().position(|x| x.row == r);
    for m in merges {
        let Some(top) = at(rows, m.rows.0) else {
            continue;
        };
        let Some(value) = rows[top].cells.get(m.cols.0).cloned().flatten() else {
            continue;
        };
        for r in m.rows.0..=m.rows.1 {
            let Some(i) = at(rows, r) else { continue };
            let cells = &mut rows[i].cells;
            if cells.len() <= m.cols.1 {
                cells.resize(m.cols.1 + 1, None);
            }
            for cell in &mut cells[m.cols.0..=m.cols.1] {
                if cell.is_none() {
                    *cell = Some(value.clone());
                }
            }
        }
    }
}

/// Counts the bytes read from the file (before decoding), for progress bars.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `path` as a record stream. For CSV, `encoding` must be the detected
/// or declared encoding (never `Auto`); a workbook's sheets may span at most
/// `max_cells` cells (`[limits] max_cells`, module `bounds`).
pub fn open(
    path: &Path,
    format: Format,
    encoding: Encoding,
    sheet: Option<&str>,
    max_cells: u64,
) -> Result<Opened, ReadError> {
    match format {
        Format::Csv => open_csv(path, encoding),
        Format::Xlsx => super::guard::guarded("XLSX/XLS/ODS", || open_xlsx(path, sheet, max_cells)),
        Format::Parquet => super::guard::guarded("Parquet", || open_parquet(path)),
    }
}

fn cell(s: &str) -> Option<String> {
    trimmed(s).map(str::to_string)
}

/// A cell's text as the rules read it: trimmed, `None` when blank.
pub fn trimmed(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// A CSV file's reader as both paths read it (records numbered from 1).
pub type CsvReader = csv::Reader<Box<dyn Read + Send>>;

/// Opens a CSV file: the reader, the count of file bytes read so far (for
/// progress) and the file's length.
pub fn csv_reader(
    path: &Path,
    encoding: Encoding,
) -> Result<(CsvReader, Arc<AtomicU64>, u64), ReadError> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let progress = Arc::new(AtomicU64::new(0));
    let file = Counting {
        inner: file,
        read: progress.clone(),
    };
    // The decoder also strips a UTF-8 BOM; GB18030 is transcoded to UTF-8
    // on the fly so memory does not grow with the file.
    let enc = match encoding {
        Encoding::Gb18030 => Some(encoding_rs::GB18030),
        _ => Some(encoding_rs::UTF_8),
    };
    let decoded = DecodeReaderBytesBuilder::new()
        .encoding(enc)
        .bom_override(true)
        .build(BufReader::with_capacity(1 << 20, file));
    let tab = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let decoded: Box<dyn Read + Send> = Box::new(decoded);
    let reader = csv::ReaderBuilder::new()
        .delimiter(if tab { b'\t' } else { b',' })
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded);
    Ok((reader, progress, len))
}

fn open_csv(path: &Path, encoding: Encoding) -> Result<Opened, ReadError> {
    let (reader, progress, len) = csv_reader(path, encoding)?;
    let mut n = 0u64;
    let iter = reader.into_records().map(move |r| {
        n += 1;
        match r {
            Ok(rec) => Ok(RawRecord {
                line: rec.position().map_or(0, |p| p.line()),
                row: n,
                cells: rec.iter().map(cell).collect(),
            }),
            Err(e) => Err(ReadError::Csv {
                row: n,
                message: e.to_string(),
            }),
        }
    });
    Ok(Opened {
        records: Box::new(iter),
        sheet: None,
        progress,
        progress_len: len,
        progress_unit: crate::progress::Unit::Bytes,
        merges: Vec::new(),
    })
}

/// Excel stores dates as days since 1899-12-30 (with the 1900 leap-year bug
/// already folded into that origin for dates after March 1900).
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64 - 25569; // days since 1970-01-01
    crate::contract::grammar::date_of_days(days).text()
}

/// Text of an Excel cell as a clerk would see it typed: `2023`, not `2023.0`.
pub fn excel_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => cell(s),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(float_text(*f)),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(dt) => Some(excel_date(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => cell(s),
        Data::Error(e) => Some(format!("#{e:?}")),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        // Excel keeps 15 significant digits; trim binary noise like 0.30000000000000004.
        let s = format!("{:.12}", f);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A workbook: XLSX, XLS (BIFF8), ODS by their extension, and WPS's `.et`
/// read as the BIFF8 workbook it is stored as (one that is not is refused
/// with calamine's reason). calamine reads every sheet of an XLS or ODS
/// file when it opens it, so what those claim is checked first
/// (`bounds::check_xls`, `bounds::check_ods`); XLSX sheets are read cell by
/// cell in [`open`], each cell checked as it comes.
pub fn open_workbook(
    path: &Path,
    max_cells: u64,
) -> Result<calamine::Sheets<BufReader<File>>, ReadError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xls" | "xla" | "et" => super::bounds::check_xls(path, max_cells)?,
        "ods" => super::bounds::check_ods(path, max_cells)?,
        _ => {}
    }
    if ext == "et" {
        return calamine::open_workbook::<calamine::Xls<_>, _>(path)
            .map(calamine::Sheets::Xls)
            .map_err(|e| ReadError::Excel(format!("a WPS .et file read as XLS (BIFF8): {e}")));
    }
    calamine::open_workbook_auto(path).map_err(|e| ReadError::Excel(e.to_string()))
}

fn open_xlsx(path: &Path, sheet: Option<&str>, max_cells: u64) -> Result<Opened, ReadError> {
    let mut wb = open_workbook(path, max_cells)?;
    let names = wb.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(ReadError::NoSheet {
                    sheet: s.to_string(),
                    available: names.join(", "),
                });
            }
            s.to_string()
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ReadError::Excel("the workbook has no sheet".into()))?,
    };
    let (mut rows, last_col) = match &mut wb {
        calamine::Sheets::Xlsx(x) => xlsx_rows(x, &name, max_cells)?,
        _ => range_rows(&mut wb, &name)?,
    };
    let merges: Vec<Merge> = match &mut wb {
        calamine::Sheets::Xlsx(x) => x
            .worksheet_merge_cells(&name)
            .transpose()
            .map_err(|e| ReadError::Excel(format!("sheet '{name}': merged cells: {e}")))?
            .unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.worksheet_merge_cells(&name).unwrap_or_default(),
        _ => Vec::new(),
    }
    .into_iter()
    // A merged range is spread no further right than the sheet's last
    // value: a claim of `A1:XFD1048576` costs nothing.
    .filter(|d| last_col.is_some_and(|last| d.start.1 as usize <= last))
    .map(|d| Merge {
        rows: (d.start.0 as u64 + 1, d.end.0 as u64 + 1),
        cols: (
            d.start.1 as usize,
            (d.end.1 as usize).min(last_col.unwrap_or(0)),
        ),
    })
    .collect();
    spread_merges(&mut rows, &merges);
    let rows: Vec<RawRecord> = rows
        .into_iter()
        .filter(|r| r.cells.iter().any(|c| c.is_some()))
        .collect();
    let (progress, len) = (Arc::new(AtomicU64::new(0)), rows.len() as u64);
    let done = progress.clone();
    Ok(Opened {
        records: Box::new(rows.into_iter().map(move |r| {
            done.fetch_add(1, Ordering::Relaxed);
            Ok(r)
        })),
        sheet: Some(name),
        progress,
        progress_len: len,
        progress_unit: crate::progress::Unit::Rows,
        merges,
    })
}

/// A sheet's rows as the rules read them: each a row number and its cells
/// (absolute positions, every row as wide as the sheet's last value), and
/// that last value's column. Rows with no value are dropped later.
type SheetRows = (Vec<RawRecord>, Option<usize>);

/// An XLSX sheet read cell by cell: only cells with a value are kept, each
/// one counted against the budget as it comes (`bounds::Extent`), so a far
/// cell is refused before anything is allocated for the grid it implies.
fn xlsx_rows<RS: std::io::Read + std::io::Seek>(
    x: &mut calamine::Xlsx<RS>,
    name: &str,
    max_cells: u64,
) -> Result<SheetRows, ReadError> {
    let mut reader = match x.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok((Vec::new(), None)),
        Err(e) => return Err(ReadError::Excel(format!("sheet '{name}': {e}"))),
    };
    let mut extent = super::bounds::Extent::new(max_cells);
    let mut cells: Vec<(u32, u32, Option<String>)> = Vec::new();
    while let Some(c) = reader
        .next_cell()
        .map_err(|e| ReadError::Excel(format!("sheet '{name}': {e}")))?
    {
        if matches!(c.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        let (r, col) = c.get_position();
        extent.add(name, r as u64, col as u64)?;
        let data: Data = c.get_value().clone().into();
        cells.push((r, col, excel_text(&data)));
    }
    cells.sort_by_key(|&(r, c, _)| (r, c));
    let Some(last) = extent.last_col().map(|c| c as usize) else {
        return Ok((Vec::new(), None));
    };
    let mut rows: Vec<RawRecord> = Vec::new();
    for (r, c, text) in cells {
        if rows.last().is_none_or(|x| x.row != r as u64 + 1) {
            rows.push(RawRecord {
                line: 0,
                row: r as u64 + 1,
                cells: vec![None; last + 1],
            });
        }
        let row = rows.last_mut().expect("pushed above");
        row.cells[c as usize] = text;
    }
    Ok((rows, Some(last)))
}

/// An XLS or ODS sheet, from the grid calamine built when it opened the
/// file (already checked by `bounds`).
fn range_rows(
    wb: &mut calamine::Sheets<BufReader<File>>,
    name: &str,
) -> Result<SheetRows, ReadError> {
    let range = wb
        .worksheet_range(name)
        .map_err(|e| ReadError::Excel(format!("sheet '{name}': {e}")))?;
    let first_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let last = range.end().map(|(_, c)| c as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            // Columns left of the used range are blank: pad so that cell
            // positions match the header's.
            let mut cells = vec![None; first_col];
            cells.extend(r.iter().map(excel_text));
            RawRecord {
                line: 0,
                row: first_row + i as u64 + 1,
                cells,
            }
        })
        .collect();
    Ok((rows, last))
}

/// Rows per Parquet slice: memory holds one slice, not the file.
const PARQUET_SLICE: usize = 100_000;

fn open_parquet(path: &Path) -> Result<Opened, ReadError> {
    open_parquet_sliced(path, PARQUET_SLICE)
}

fn open_parquet_sliced(path: &Path, slice: usize) -> Result<Opened, ReadError> {
    use polars::prelude::*;
    let perr = |e: PolarsError| ReadError::Parquet(e.to_string());
    let mut reader = ParquetReader::new(File::open(path)?);
    let height = reader.num_rows().map_err(perr)?;
    let schema = reader.schema().map_err(perr)?;
    for (name, field) in schema.iter() {
        if let Some(kind) = unread_parquet_type(field.dtype()) {
            return Err(ReadError::Parquet(format!(
                "column '{name}' holds {kind}, which govlens does not read: a column must hold text, \
                 numbers (integers, floats, decimals of up to 38 digits), true/false, dates or \
                 timestamps; export it as one of those"
            )));
        }
    }
    // polars' streaming reader slices the file at the byte ranges the footer
    // gives, unchecked (polars-stream row_group_data_fetch.rs): a range past
    // the end is an abort in a debug build and an out-of-bounds read in a
    // release one. Each is checked against the file first.
    let file_len = std::fs::metadata(path)?.len();
    let meta = reader.get_metadata().map_err(perr)?;
    for (i, rg) in meta.row_groups.iter().enumerate() {
        let bad = std::iter::once(rg.full_byte_range())
            .chain(rg.byte_ranges_iter())
            .find(|r| r.start > r.end || r.end > file_len);
        if let Some(r) = bad {
            return Err(ReadError::Parquet(format!(
                "the file is damaged or not a valid Parquet file: row group {} claims bytes {}–{}, past its end ({} bytes)",
                i + 1,
                r.start,
                r.end,
                file_len
            )));
        }
    }
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let header = RawRecord {
        line: 0,
        row: 1,
        cells: names.iter().map(|n| Some(n.clone())).collect(),
    };
    let pl_path = PlRefPath::try_from_path(path).map_err(perr)?;
    // Each slice is read lazily (polars reads only the row groups it
    // needs), cast to text, and handed out row by row.
    let slices = (0..height).step_by(slice).map(move |offset| {
        // A damaged page panics inside polars: the slice is then an error.
        super::guard::guarded("Parquet", || {
            read_slice(&pl_path, offset, slice).map_err(perr_text)
        })
    });
    let progress = Arc::new(AtomicU64::new(0));
    let done = progress.clone();
    let rows = slices.flat_map(
        move |slice| -> Box<dyn Iterator<Item = Result<RawRecord, ReadError>> + Send> {
            match slice {
                Err(e) => Box::new(std::iter::once(Err(e))),
                Ok((offset, n, cols)) => {
                    let done = done.clone();
                    Box::new((0..n).map(move |i| {
                        done.store((offset + i + 1) as u64, Ordering::Relaxed);
                        Ok(RawRecord {
                            line: 0,
                            row: (offset + i) as u64 + 2,
                            cells: cols.iter().map(|c| c[i].clone()).collect(),
                        })
                    }))
                }
            }
        },
    );
    Ok(Opened {
        records: Box::new(std::iter::once(Ok(header)).chain(rows)),
        sheet: None,
        progress,
        progress_len: height as u64,
        progress_unit: crate::progress::Unit::Rows,
        merges: Vec::new(),
    })
}

/// The Parquet types the contract has no reading for, as a reader names
/// them (`None` for the ones read as text: strings and binary as UTF-8,
/// integers, floats, decimals up to 38 digits, booleans, dates, times and
/// timestamps, dictionaries of those).
fn unread_parquet_type(t: &polars::datatypes::ArrowDataType) -> Option<String> {
    use polars::datatypes::ArrowDataType as A;
    match t {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64
        | A::Float32
        | A::Float64
        | A::Timestamp(..)
        | A::Date32
        | A::Date64
        | A::Time32(_)
        | A::Time64(_)
        | A::Binary
        | A::LargeBinary
        | A::FixedSizeBinary(_)
        | A::BinaryView
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View
        | A::Decimal32(..)
        | A::Decimal64(..) => None,
        A::Decimal(p, _) if *p <= 38 => None,
        A::Dictionary(_, values, _) => unread_parquet_type(values),
        A::Decimal(p, s) | A::Decimal256(p, s) => {
            Some(format!("decimal({p}, {s}), wider than 38 digits"))
        }
        A::Float16 => Some("half-precision floats (float16)".into()),
        A::Int128 | A::UInt128 => Some("128-bit integers".into()),
        A::Duration(_) => Some("durations".into()),
        A::Interval(_) => Some("intervals".into()),
        A::List(_) | A::LargeList(_) | A::FixedSizeList(..) => Some("lists".into()),
        A::Struct(_) => Some("structs (nested fields)".into()),
        A::Map(..) => Some("maps".into()),
        A::Union(_) => Some("unions".into()),
        A::Extension(e) => Some(format!("the extension type '{}'", e.name)),
        A::Unknown => Some("a type the Parquet reader does not know".into()),
    }
}

fn perr_text(e: polars::prelude::PolarsError) -> ReadError {
    ReadError::Parquet(e.to_string())
}

/// One slice of a Parquet file, cast to text, as columns of cells.
type Slice = (usize, usize, Vec<Vec<Option<String>>>);

fn read_slice(
    pl_path: &polars::prelude::PlRefPath,
    offset: usize,
    slice: usize,
) -> polars::prelude::PolarsResult<Slice> {
    use polars::prelude::*;
    let lf = LazyFrame::scan_parquet(pl_path.clone(), ScanArgsParquet::default())?
        .slice(offset as i64, slice as IdxSize);
    let df = match lf
        .clone()
        .select([all().as_expr().cast(DataType::String)])
        .collect()
    {
        Ok(df) => df,
        Err(e) => {
            // Name the column that failed (binary that is not UTF-8 text, …).
            for name in lf.clone().collect_schema()?.iter_names() {
                let one = lf
                    .clone()
                    .select([col(name.clone()).cast(DataType::String)])
                    .collect();
                if let Err(e) = one {
                    return Err(PolarsError::ComputeError(
                        format!("column '{name}': {e}").into(),
                    ));
                }
            }
            return Err(e);
        }
    };
    let cols: Vec<Vec<Option<String>>> = df
        .columns()
        .iter()
        .map(|c| {
            c.str()
                .map(|ca| ca.iter().map(|v| v.and_then(cell)).collect())
        })
        .collect::<PolarsResult<_>>()?;
    Ok((offset, df.height(), cols))
}

/// A table a researcher brings (CSV in any encoding, XLSX, Parquet) as its
/// header's names and each non-blank row's cells: what `govlens qca` and
/// `govlens did` read.
pub type TableCells = (Vec<String>, Vec<Vec<Option<String>>>);

/// Reads a whole table as [`TableCells`]; the message says what failed.
pub fn table_cells(path: &Path) -> Result<TableCells, String> {
    let format = Format::of(path).ok_or("not a CSV, XLSX or Parquet file")?;
    let encoding = super::encoding::probe(path, format == Format::Csv)
        .map_err(|e| e.to_string())?
        .encoding
        .unwrap_or(Encoding::Utf8);
    let opened = open(
        path,
        format,
        encoding,
        None,
        super::bounds::DEFAULT_MAX_CELLS,
    )
    .map_err(|e| e.to_string())?;
    let mut rows = opened.records;
    let header = rows
        .next()
        .ok_or("the file is empty")?
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = header
        .cells
        .iter()
        .map(|c| c.clone().unwrap_or_default())
        .collect();
    let mut body = Vec::new();
    for r in rows {
        let r = r.map_err(|e| e.to_string())?;
        if r.cells.iter().all(Option::is_none) {
            continue;
        }
        body.push(r.cells);
    }
    Ok((names, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parquet_is_read_slice_by_slice_with_spreadsheet_row_numbers() {
        use polars::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        let mut df = df!("a" => (0..20i64).collect::<Vec<_>>(), "b" => (0..20).map(|i| format!("x{i}")).collect::<Vec<_>>()).unwrap();
        ParquetWriter::new(File::create(&p).unwrap())
            .finish(&mut df)
            .unwrap();
        let recs: Vec<RawRecord> = open_parquet_sliced(&p, 7)
            .unwrap()
            .records
            .map(Result::unwrap)
            .collect();
        assert_eq!(recs.len(), 21);
        assert_eq!(recs[0].cells, vec![Some("a".into()), Some("b".into())]);
        assert_eq!(recs[20].row, 21);
        assert_eq!(recs[20].cells, vec![Some("19".into()), Some("x19".into())]);
        assert_eq!(recs[8].cells[0].as_deref(), Some("7"));
    }

    #[test]
    fn merged_ranges_are_spread_and_named_as_excel_names_them() {
        let mut rows = vec![
            RawRecord {
                line: 0,
                row: 3,
                cells: vec![Some("区划代码".into()), Some("年龄结构".into()), None, None],
            },
            RawRecord {
                line: 0,
                row: 4,
                cells: vec![None, Some("30岁以下".into()), Some("30-44岁".into())],
            },
        ];
        let m = [
            Merge {
                rows: (3, 4),
                cols: (0, 0),
            },
            Merge {
                rows: (3, 3),
                cols: (1, 3),
            },
        ];
        spread_merges(&mut rows, &m);
        assert_eq!(rows[1].cells[0].as_deref(), Some("区划代码"));
        assert_eq!(rows[0].cells[3].as_deref(), Some("年龄结构"));
        assert_eq!(
            rows[1].cells[1].as_deref(),
            Some("30岁以下"),
            "a value is never overwritten"
        );
        assert_eq!(m[1].a1(), "B3:D3");
        assert_eq!(
            Merge {
                rows: (1, 2),
                cols: (26, 27)
            }
            .a1(),
            "AA1:AB2"
        );
    }

    #[test]
    fn excel_numbers_read_as_typed() {
        assert_eq!(excel_text(&Data::Float(2023.0)).as_deref(), Some("2023"));
        assert_eq!(excel_text(&Data::Float(0.1 + 0.2)).as_deref(), Some("0.3"));
        assert_eq!(excel_date(45078.0), "2023-06-01");
    }
}
