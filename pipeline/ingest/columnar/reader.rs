//! Reading one CSV file by the columnar path: batches of records, their
//! fast rules on every core, then the row-order step; the table's state
//! across its files.

use polars::prelude::*;
use rayon::prelude::*;

use super::tables::{Ages, Disputes, Usage};
use super::{Codes, Columns, Memos, Positions, Row, Rules};
use crate::contract::Table;
use crate::ingest::checks::Origin;
use crate::ingest::head::Head;
use crate::ingest::headers::HeaderMap;
use crate::ingest::quarantine::{Finding, QuarantineRecord, Reject};
use crate::ingest::read::{self, RawRecord};
use crate::ingest::sink::BATCH_ROWS;
use crate::ingest::{sheet, validate};
use crate::ingest::{IngestError, Planned};
use crate::warehouse::FileEntry;

/// Records read at a time: one batch is prepared on every core while the
/// next is read.
const BATCH_RECORDS: usize = 16_384;

/// A record of a batch as the first step leaves it.
enum Step<F> {
    Blank,
    Note,
    /// A published total (`true`: a subtotal).
    Total(bool),
    /// A quote never closed took in the lines below (B.1).
    Quote(Reject),
    /// A data row: its cells, and its values when the fast rules pass.
    Data(Option<F>),
}

/// One fact table's columnar state across its files: the cross-row rules'
/// state and the column builders, flushed in batches of [`BATCH_ROWS`] rows
/// so that the Parquet row groups are the record path's.
pub(in crate::ingest) struct State<'a, C: Columns> {
    pub(in crate::ingest) rules: Rules,
    codes: &'a Codes<'a>,
    columns: C,
}

impl State<'_, Ages> {
    /// The stocks held as at a day inside their period (`crate::ingest::dated`).
    pub(in crate::ingest) fn take_dated(&mut self) -> Vec<crate::ingest::dated::Dated> {
        std::mem::take(&mut self.columns.dated)
    }
}

/// The columnar state of each fact table.
pub(in crate::ingest) fn ages<'a>(codes: &'a Codes<'a>, scale: f64) -> State<'a, Ages> {
    State::new(codes, Ages::new(scale))
}

pub(in crate::ingest) fn disputes<'a>(codes: &'a Codes<'a>) -> State<'a, impl Columns> {
    State::new(codes, Disputes::default())
}

pub(in crate::ingest) fn usage<'a>(codes: &'a Codes<'a>) -> State<'a, impl Columns> {
    State::new(codes, Usage::default())
}

impl<'a, C: Columns> State<'a, C> {
    fn new(codes: &'a Codes<'a>, columns: C) -> State<'a, C> {
        State {
            rules: Rules::default(),
            codes,
            columns,
        }
    }

    /// Writes the rows held so far (before a file of the record path, and
    /// at the end of the table).
    pub(in crate::ingest) fn flush(
        &mut self,
        write: &mut dyn FnMut(DataFrame) -> Result<(), IngestError>,
        table: Table,
    ) -> Result<(), IngestError> {
        if self.columns.len() == 0 {
            return Ok(());
        }
        let df = self
            .columns
            .frame(self.codes)
            .map_err(|e| IngestError::Frame {
                table: table.name().into(),
                message: e.to_string(),
            })?;
        write(df)
    }

    /// Reads file `k` of the table (its header mapped in `head`): every data
    /// row stored or quarantined as the record path would, into the builders.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::ingest) fn read_file(
        &mut self,
        pf: &Planned,
        k: usize,
        head: Head,
        shown: &[String],
        quarantine: &mut Vec<QuarantineRecord>,
        findings: &mut Vec<Finding>,
        write: &mut dyn FnMut(DataFrame) -> Result<(), IngestError>,
    ) -> Result<FileEntry, IngestError> {
        let read_err = |source| IngestError::Read {
            path: pf.shown.clone(),
            source,
        };
        let Head {
            mut entry,
            header,
            src,
            bar,
            ..
        } = head;
        tracing::debug!(file = %pf.shown, "read by the columnar path");
        let (mut reader, position, _) =
            read::csv_reader(&pf.path, pf.encoding).map_err(read_err)?;
        let p = Positions::new(&header);
        // The sums a published total row is checked against, made when the
        // first such row turns up (most files have none): the rows above it
        // are read again then.
        let mut totals: Option<sheet::Totals> = None;
        // Record 1 is the header, mapped by the record path's reader.
        let mut n = 0u64;
        let (mut current, mut next) = (Batch::default(), Batch::default());
        current.fill(&mut reader, &mut n).map_err(read_err)?;
        current.skip_header();
        let mut data_rows = 0u64;
        while current.len > 0 {
            // Read the next batch while this one is prepared on every core.
            let (this, codes, columns) = (&current, self.codes, &self.columns);
            let (read, steps) = rayon::join(
                || next.fill(&mut reader, &mut n),
                || this.prepare(columns, &p, &header, codes),
            );
            for (i, step) in steps.into_iter().enumerate() {
                let row = this.first + i as u64;
                let cells = || this.cells(i);
                if !matches!(step, Step::Blank) {
                    entry.lines_in_cells += this.breaks(i);
                }
                let data = match step {
                    Step::Blank => continue,
                    Step::Note => {
                        data_rows += 1;
                        entry.rows_note += 1;
                        continue;
                    }
                    Step::Total(sub) => {
                        data_rows += 1;
                        entry.rows_read += 1;
                        entry.rows_total += 1;
                        let rec = owned(row, &cells());
                        let tolerance = src.total_tolerance;
                        if totals.is_none() {
                            totals = Some(sums_above(pf, &header, row).map_err(read_err)?);
                        }
                        let totals = totals.as_mut().expect("made above");
                        findings.extend(
                            totals.check(&rec, sub, &header, pf.table, &pf.shown, tolerance),
                        );
                        continue;
                    }
                    Step::Quote(r) => {
                        data_rows += 1;
                        entry.rows_read += 1;
                        entry.rows_quarantined += 1;
                        quarantine.push(QuarantineRecord::of(pf.table, &pf.shown, row, r));
                        continue;
                    }
                    Step::Data(fast) => fast,
                };
                if let Some(t) = totals.as_mut() {
                    t.add_cells(row, &cells(), &header);
                }
                data_rows += 1;
                entry.rows_read += 1;
                if entry.rows_read % 16_384 == 0 {
                    bar.set_position(position.load(std::sync::atomic::Ordering::Relaxed));
                }
                let origin = Origin::new(k, row);
                let outcome = match data {
                    Some(fast) => self.columns.store(fast, &mut self.rules, origin, shown),
                    None => {
                        let rec = owned(row, &cells());
                        let (codes, rules) = (self.codes, &mut self.rules);
                        self.columns
                            .record(&rec, &header, codes, rules, origin, shown)
                    }
                };
                match outcome {
                    Ok(()) => entry.rows_stored += 1,
                    Err(r) => {
                        entry.rows_quarantined += 1;
                        quarantine.push(QuarantineRecord::of(pf.table, &pf.shown, row, r));
                    }
                }
                if self.columns.len() >= BATCH_ROWS {
                    self.flush(write, pf.table)?;
                }
            }
            read.map_err(read_err)?;
            std::mem::swap(&mut current, &mut next);
        }
        bar.finish_and_clear();
        if data_rows == 0 {
            return Err(IngestError::HeaderOnly {
                path: pf.shown.clone(),
            });
        }
        Ok(entry)
    }
}

/// The running sums of every data row above record `row` (the file's first
/// published total), as the record path's reader would have added them.
fn sums_above(
    pf: &Planned,
    header: &HeaderMap,
    row: u64,
) -> Result<sheet::Totals, read::ReadError> {
    let (mut reader, _, _) = read::csv_reader(&pf.path, pf.encoding)?;
    let mut totals = sheet::Totals::new(header);
    let mut rec = csv::StringRecord::new();
    let mut n = 0u64;
    while n + 1 < row
        && reader
            .read_record(&mut rec)
            .map_err(|e| read::ReadError::Csv {
                row: n + 1,
                message: e.to_string(),
            })?
    {
        n += 1;
        let cells: Vec<Option<&str>> = rec.iter().map(read::trimmed).collect();
        let blank = cells.iter().all(Option::is_none);
        let line = rec.position().map_or(0, |p| p.line());
        let quote = validate::open_quote(&cells, line, header).is_some();
        if n > 1 && !blank && !quote && !sheet::note_row_of(&cells) {
            totals.add_cells(n, &cells, header);
        }
    }
    Ok(totals)
}

/// A record as the record path reads it (trimmed cells, blank = `None`).
fn owned(row: u64, cells: &[Option<&str>]) -> RawRecord {
    RawRecord {
        line: 0,
        row,
        cells: cells.iter().map(|c| c.map(str::to_string)).collect(),
    }
}

/// Up to [`BATCH_RECORDS`] CSV records, their buffers reused batch after
/// batch; `first` is the record number of the first.
#[derive(Default)]
struct Batch {
    records: Vec<csv::StringRecord>,
    len: usize,
    first: u64,
}

impl Batch {
    /// Reads the next records; `n` counts the file's records so far. A
    /// record the CSV reader refuses is an error naming its number.
    fn fill(&mut self, reader: &mut read::CsvReader, n: &mut u64) -> Result<(), read::ReadError> {
        self.len = 0;
        self.first = *n + 1;
        while self.len < BATCH_RECORDS {
            if self.records.len() == self.len {
                self.records.push(csv::StringRecord::new());
            }
            match reader.read_record(&mut self.records[self.len]) {
                Ok(true) => {
                    *n += 1;
                    self.len += 1;
                }
                Ok(false) => break,
                Err(e) => {
                    return Err(read::ReadError::Csv {
                        row: *n + 1,
                        message: e.to_string(),
                    })
                }
            }
        }
        Ok(())
    }

    /// Drops record 1 (the header) from the first batch.
    fn skip_header(&mut self) {
        if self.len > 0 && self.first == 1 {
            self.records.remove(0);
            self.len -= 1;
            self.first = 2;
        }
    }

    /// [`validate::breaks`] of record `i`, without collecting its cells.
    fn breaks(&self, i: usize) -> u64 {
        validate::breaks(self.records[i].iter().map(read::trimmed))
    }

    fn cells(&self, i: usize) -> Vec<Option<&str>> {
        self.records[i].iter().map(read::trimmed).collect()
    }

    /// The first step of every record: blank, note, total, or a data row
    /// with its values when the fast rules pass (the cells past the
    /// header's width are the record path's E_PARSE).
    fn prepare<'b, C: Columns>(
        &'b self,
        columns: &C,
        p: &Positions,
        header: &HeaderMap,
        codes: &Codes,
    ) -> Vec<Step<C::Fast<'b>>> {
        (0..self.len)
            .into_par_iter()
            .with_min_len(1024)
            .map_init(Memos::<C::Memo>::default, |m, i| {
                let cells = self.cells(i);
                if cells.iter().all(Option::is_none) {
                    return Step::Blank;
                }
                let line = self.records[i].position().map_or(0, |p| p.line());
                if let Some(r) = validate::open_quote(&cells, line, header) {
                    return Step::Quote(r);
                }
                if sheet::note_row_of(&cells) {
                    return Step::Note;
                }
                if let Some(sub) = sheet::total_row_of(&cells) {
                    return Step::Total(sub);
                }
                let stray = cells.iter().skip(p.width).any(Option::is_some);
                let row = Row { cells: &cells, p };
                Step::Data((!stray).then(|| columns.prepare(&row, codes, m)).flatten())
            })
            .collect()
    }
}
