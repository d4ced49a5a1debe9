//! A table's output in the staging folder: rows (the record path) or frames
//! (the columnar path) in, Parquet row groups of exactly [`BATCH_ROWS`] rows
//! out, in input order.

use std::path::Path;

use polars::prelude::{DataFrame, PolarsResult};

use crate::contract::Table;
use crate::ingest::frames;
use crate::ingest::IngestError;
use crate::warehouse::TableWriter;

/// Rows buffered before a batch goes to the Parquet writer: `combine`
/// writes a combined table in batches of the same size, so that its row
/// groups, and so its bytes, are those of a one-machine ingest.
pub const BATCH_ROWS: usize = 65_536;

/// The column a shard's fact tables carry beside the warehouse schema: the
/// row's input file and spreadsheet row ([`crate::ingest::checks::Origin`]), or `u64::MAX` for rows
/// made at the end of a table (the persons layout's band counts). `combine`
/// sorts on it, then on region_code, and drops it.
pub const ORIGIN: &str = "_origin";

/// A table's output: a batch buffer in front of the staging writer. Rows
/// come one at a time (the record path) or as frames (the columnar path);
/// either way a row group holds exactly [`BATCH_ROWS`] rows, in input order,
/// so the file's bytes do not depend on which path read which file.
pub(super) struct Sink<T> {
    table: Table,
    buf: Vec<T>,
    /// A shard's rows carry where they came from (see [`ORIGIN`]).
    origins: Option<Vec<u64>>,
    /// Rows already made into frames, before `buf`'s.
    frames: Vec<DataFrame>,
    framed: usize,
    writer: TableWriter,
    to_frame: fn(&[T]) -> PolarsResult<DataFrame>,
    rows: u64,
}

impl<T> Sink<T> {
    pub(super) fn new(
        table: Table,
        to_frame: fn(&[T]) -> PolarsResult<DataFrame>,
        dir: &Path,
        metadata: &[(String, String)],
        with_origin: bool,
    ) -> Result<Sink<T>, IngestError> {
        let mut schema = frames::schema_of(&to_frame(&[]).map_err(|e| frame_error(table, e))?);
        if with_origin {
            schema.with_column(ORIGIN.into(), polars::prelude::DataType::UInt64);
        }
        let writer = TableWriter::create(dir, table.name(), &schema, metadata)?;
        Ok(Sink {
            table,
            buf: Vec::new(),
            origins: with_origin.then(Vec::new),
            frames: Vec::new(),
            framed: 0,
            writer,
            to_frame,
            rows: 0,
        })
    }

    /// Buffers a row read from `origin` ([`crate::ingest::checks::Origin`]'s packed value).
    pub(super) fn push(&mut self, row: T, origin: u64) -> Result<(), IngestError> {
        self.buf.push(row);
        if let Some(o) = &mut self.origins {
            o.push(origin);
        }
        if self.framed + self.buf.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// The buffered rows as a frame after the others.
    fn frame_buf(&mut self) -> Result<(), IngestError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut df = (self.to_frame)(&self.buf).map_err(|e| frame_error(self.table, e))?;
        if let Some(o) = &mut self.origins {
            let column = polars::prelude::Column::new(ORIGIN.into(), std::mem::take(o));
            df.with_column(column)
                .map_err(|e| frame_error(self.table, e))?;
        }
        self.framed += df.height();
        self.frames.push(df);
        self.buf.clear();
        Ok(())
    }

    /// Takes a batch the columnar path made, after the rows so far; writes
    /// every full row group.
    pub(super) fn write_frame(&mut self, df: DataFrame) -> Result<(), IngestError> {
        self.frame_buf()?;
        self.framed += df.height();
        self.frames.push(df);
        while self.framed >= BATCH_ROWS {
            let all = self.pending()?;
            let rest = all.slice(BATCH_ROWS as i64, all.height() - BATCH_ROWS);
            self.write(all.slice(0, BATCH_ROWS))?;
            self.framed = rest.height();
            if rest.height() > 0 {
                self.frames.push(rest);
            }
        }
        Ok(())
    }

    /// Every frame held, as one.
    fn pending(&mut self) -> Result<DataFrame, IngestError> {
        let mut frames = std::mem::take(&mut self.frames).into_iter();
        let mut df = frames.next().expect("a frame is held");
        for f in frames {
            df.vstack_mut_owned(f)
                .map_err(|e| frame_error(self.table, e))?;
        }
        Ok(df)
    }

    fn write(&mut self, mut df: DataFrame) -> Result<(), IngestError> {
        df.rechunk_mut();
        self.rows += df.height() as u64;
        self.writer.write(&df)?;
        Ok(())
    }

    /// Writes every row held as one row group.
    fn flush(&mut self) -> Result<(), IngestError> {
        self.frame_buf()?;
        if self.frames.is_empty() {
            return Ok(());
        }
        let df = self.pending()?;
        self.framed = 0;
        self.write(df)
    }

    pub(super) fn finish(mut self) -> Result<u64, IngestError> {
        self.flush()?;
        self.writer.finish()?;
        Ok(self.rows)
    }
}

pub(super) fn frame_error(table: Table, e: polars::prelude::PolarsError) -> IngestError {
    IngestError::Frame {
        table: table.name().into(),
        message: e.to_string(),
    }
}
