//! The columnar path: a CSV fact table's data rows validated in place and
//! stored column by column, without a `String` per cell or a struct per row.
//!
//! The record path ([`super::load`]) turns every cell into a `String`, every
//! row into a typed struct and every batch of structs into a frame: at
//! national scale (130M rows) that was most of ingest's time (perf,
//! 2026-12-01: allocation, page clearing, per-cell copies). Here the CSV
//! reader's one reused record is read through borrowed, trimmed cells; the
//! row rules call the same parse functions as [`super::validate`], with the
//! few distinct periods, roles, bands and centre names parsed once each; the
//! values go straight into column builders (codes as positions in the region
//! tree, periods as positions in the file's distinct periods), and a batch's
//! frame is made from those columns.
//!
//! **Exactly the record path's outcome.** The fast rules are the row rules
//! on the common shape of a cell (a code in the tree, a period, role or band
//! that parses, a count that is a number). A row any of them does not pass
//! is handed, as the record the record path would have read, to the record
//! path's own row function ([`validate`]): its reason, column, value and
//! message are then the record path's by construction, and a row it stores
//! after all (`1,234`, `１２`) joins the columns in its place. The rules that
//! need more than the row (E_CODE, E_DUPLICATE, E_BAND) are
//! [`super::checks`], shared by both paths; note rows, published totals and
//! the sums they are checked against go through the same [`super::sheet`]
//! functions. Row numbers are the CSV record numbers the record path counts.
//! tests/columnar.rs holds the two paths to equal warehouses, quarantines
//! and findings, and a 5M-row file with bad rows at known places.
//!
//! **Where it applies.** CSV files of member_ages (long layout), disputes
//! and service_usage whose header is their first row, in a one-machine run:
//! titles, multi-row headers, wide and person layouts, codes found by name,
//! constants, year-to-date (累计) files, XLSX and Parquet take the record path, and so does every file
//! when `GOVLENS_INGEST_PATH=record` is set (how the equality tests compare
//! the two).

mod reader;
mod tables;

pub(in crate::ingest) use reader::{ages, disputes, usage, State};

use polars::prelude::*;

use crate::config::{Layout, Source};
use crate::contract::grammar::{self as parse, Period};
use crate::contract::Table;
use crate::ingest::checks::{duplicate, unknown_code, BandIndex, KeyMap, Origin};
use crate::ingest::headers::HeaderMap;
use crate::ingest::quarantine::Reject;
use crate::ingest::read::{Format, RawRecord};
use crate::ingest::validate::Cells;
use crate::ingest::Planned;

use super::head::Head;

/// Whether a file's data rows take the columnar path (module doc).
pub(in crate::ingest) fn applies(pf: &Planned, head: &Head, src: &Source, sharded: bool) -> bool {
    let h = &head.header;
    pf.format == Format::Csv
        && head.first_row_header
        && !sharded
        && matches!(
            pf.table,
            Table::MemberAges | Table::Disputes | Table::ServiceUsage
        )
        && (pf.table != Table::MemberAges || src.layout == Layout::Long)
        && h.bands.is_empty()
        && h.name_index.is_none()
        && !h.code_appended
        && h.constants.iter().all(Option::is_none)
        && h.scales.iter().flatten().all(|s| *s == 1.0)
        && !h.has("total")
        && !h.cumulative
        && h.by_period.is_empty()
        && !h.outline
        && std::env::var("GOVLENS_INGEST_PATH").as_deref() != Ok("record")
}

/// The region tree's codes, each with its position: a code column is
/// stored as positions and made text once a batch, by one gather.
pub(in crate::ingest) struct Codes<'a> {
    position: PlHashMap<&'a str, u32>,
    text: StringChunked,
}

impl<'a> Codes<'a> {
    pub(in crate::ingest) fn new(codes: &[&'a str]) -> Codes<'a> {
        Codes {
            position: codes
                .iter()
                .enumerate()
                .map(|(i, c)| (*c, i as u32))
                .collect(),
            text: StringChunked::from_iter_values("region_code".into(), codes.iter().copied()),
        }
    }
}

/// A low-cardinality column's texts, each parsed once. Bounded: a column
/// with more distinct texts than [`Memo::MAX`] is parsed cell by cell past
/// that, so a free-text column cannot grow it without limit.
pub(in crate::ingest) struct Memo<V> {
    map: PlHashMap<String, V>,
}

impl<V: Clone> Default for Memo<V> {
    fn default() -> Self {
        Memo::new()
    }
}

impl<V: Clone> Memo<V> {
    const MAX: usize = 4096;

    fn new() -> Self {
        Memo {
            map: PlHashMap::new(),
        }
    }

    fn get(&mut self, text: &str, parse: impl FnOnce(&str) -> V) -> V {
        if let Some(v) = self.map.get(text) {
            return v.clone();
        }
        let v = parse(text);
        if self.map.len() < Self::MAX {
            self.map.insert(text.to_string(), v.clone());
        }
        v
    }
}

/// A file's header as cell positions, looked up once instead of per cell.
pub(in crate::ingest) struct Positions {
    width: usize,
    at: Vec<(&'static str, Option<usize>)>,
}

impl Positions {
    fn new(h: &HeaderMap) -> Positions {
        Positions {
            width: h.width(),
            at: h
                .columns
                .iter()
                .map(|c| c.name)
                .zip(h.index.iter().copied())
                .collect(),
        }
    }

    fn cell<'c>(&self, cells: &[Option<&'c str>], column: &str) -> Option<&'c str> {
        let (_, i) = self.at.iter().find(|(n, _)| *n == column)?;
        cells.get((*i)?).copied().flatten()
    }
}

/// The cross-row rules' state of one table: the keys and bands stored so
/// far (the record path's files of the same table use the same ones).
#[derive(Default)]
pub(in crate::ingest) struct Rules {
    pub(in crate::ingest) keys: KeyMap<Origin>,
    pub(in crate::ingest) bands: BandIndex,
}

impl Rules {
    /// E_DUPLICATE against the keys so far; registers the key.
    fn new_key(
        &mut self,
        key: u128,
        origin: Origin,
        column: &str,
        shown: &[String],
    ) -> Result<(), Reject> {
        if let Some(o) = self.keys.get(&key) {
            return Err(duplicate(column, o.row(), &shown[o.file()]));
        }
        self.keys.insert(key, origin);
        Ok(())
    }
}

/// What a worker parses once: the periods, and a table's own texts.
#[derive(Default)]
pub(in crate::ingest) struct Memos<M> {
    periods: Memo<Option<Period>>,
    own: M,
}

/// The cells the fast rules read, by name.
pub(in crate::ingest) struct Row<'r, 'c> {
    cells: &'r [Option<&'c str>],
    p: &'r Positions,
}

impl<'c> Row<'_, 'c> {
    fn get(&self, column: &str) -> Option<&'c str> {
        self.p.cell(self.cells, column)
    }

    fn code(&self, codes: &Codes) -> Option<(u32, &'c str)> {
        let v = self.get("region_code")?;
        Some((*codes.position.get(v)?, v))
    }

    fn period<M>(&self, m: &mut Memos<M>) -> Option<Period> {
        m.periods
            .get(self.get("period")?, |v| parse::parse_period(v).ok())
    }
}

/// A count as the row rules read it: a number, not negative (and not above
/// `max`); `None` when the rules would reject it.
fn number(v: &str, max: Option<f64>) -> Option<f64> {
    let x = parse::parse_number(v).ok()?;
    (x >= 0.0 && max.is_none_or(|m| x <= m)).then_some(x)
}

fn integer(v: &str) -> Option<i64> {
    parse::parse_integer(v).ok().filter(|x| *x >= 0)
}

/// An optional cell: `Some(None)` blank, `Some(Some(x))` read, `None` when
/// the rules would reject it.
fn optional<T>(v: Option<&str>, read: impl FnOnce(&str) -> Option<T>) -> Option<Option<T>> {
    match v {
        None => Some(None),
        Some(v) => read(v).map(Some),
    }
}

/// One table's column builders. A row is read in two steps: `prepare`, the
/// fast rules on its own cells (run for a batch of rows at once, on every
/// core), then `store`, the cross-row rules and the columns (in row order).
pub(in crate::ingest) trait Columns: Send + Sync {
    /// A row's values as the fast rules read them.
    type Fast<'c>: Send;
    /// What a worker parses once besides the periods.
    type Memo: Default + Send;
    /// The fast rules: `None` when the row is to take the record path.
    fn prepare<'c>(
        &self,
        row: &Row<'_, 'c>,
        codes: &Codes,
        m: &mut Memos<Self::Memo>,
    ) -> Option<Self::Fast<'c>>;
    /// The cross-row rules, then the row into the columns.
    fn store(
        &mut self,
        fast: Self::Fast<'_>,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject>;
    /// The record path's typed row ([`validate`]'s).
    type Typed;
    /// The record path's row function for the table.
    fn row_rules(&self, cells: &Cells) -> Result<Self::Typed, Reject>;
    /// A row the record path read, as the fast rules' values; E_CODE when
    /// its code is not in the tree (the record path's order: row rules, then
    /// the tree).
    fn of_row<'r>(row: &'r Self::Typed, codes: &Codes) -> Result<Self::Fast<'r>, Reject>;
    /// Whether the record path's row is held until the table is read
    /// instead of stored now (a member-age stock as at a day inside its
    /// period, `crate::ingest::dated`); none is by default.
    fn hold(&mut self, _cells: &Cells, _row: &Self::Typed, _origin: Origin) -> bool {
        false
    }
    /// The record path's row function for one record, then [`Columns::store`]
    /// (or [`Columns::hold`]).
    fn record(
        &mut self,
        rec: &RawRecord,
        h: &HeaderMap,
        codes: &Codes,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        let cells = Cells::new(rec, h)?;
        let row = self.row_rules(&cells)?;
        let fast = Self::of_row(&row, codes)?;
        if self.hold(&cells, &row, origin) {
            return Ok(());
        }
        self.store(fast, r, origin, shown)
    }
    fn len(&self) -> usize;
    /// The rows so far as a frame of the table's warehouse schema; empties
    /// the builders.
    fn frame(&mut self, codes: &Codes) -> PolarsResult<DataFrame>;
}

/// A row's position in the tree, or E_CODE.
fn position(codes: &Codes, code: &str) -> Result<u32, Reject> {
    codes
        .position
        .get(code)
        .copied()
        .ok_or_else(|| unknown_code(code))
}

/// What every fact table's columns begin with: the code's position in the
/// tree and the period's among the batch's distinct periods.
#[derive(Default)]
struct Lead {
    code: Vec<u32>,
    period: Vec<u32>,
    periods: Vec<Period>,
    period_ids: PlHashMap<Period, u32>,
}

impl Lead {
    fn push(&mut self, code: u32, period: Period) {
        self.code.push(code);
        let id = *self.period_ids.entry(period).or_insert_with(|| {
            self.periods.push(period);
            (self.periods.len() - 1) as u32
        });
        self.period.push(id);
    }

    /// The lead columns, then the table's own.
    fn frame(&mut self, codes: &Codes, own: Vec<Column>) -> PolarsResult<DataFrame> {
        let height = self.code.len();
        let idx = IdxCa::from_vec("".into(), std::mem::take(&mut self.code));
        let code = codes.text.take(&idx)?.with_name("region_code".into());
        let ids = IdxCa::from_vec("".into(), std::mem::take(&mut self.period));
        let periods = std::mem::take(&mut self.periods);
        self.period_ids.clear();
        let text = |name: &str, f: fn(&Period) -> String| -> PolarsResult<Column> {
            let values = StringChunked::from_iter_values(name.into(), periods.iter().map(f));
            Ok(values.take(&ids)?.with_name(name.into()).into_column())
        };
        let start = Int32Chunked::from_iter_values(
            "period_start".into(),
            periods.iter().map(|p| p.start_days()),
        )
        .take(&ids)?
        .with_name("period_start".into())
        .into_date()
        .into_column();
        let mut columns = vec![
            code.into_column(),
            text("period", Period::canonical)?,
            text("period_kind", |p| p.kind.name().to_string())?,
            start,
        ];
        columns.extend(own);
        DataFrame::new(height, columns)
    }
}

/// A text column as the ids of its distinct values: a batch's column is
/// then one gather from those values (no text copied a row, no hash of a
/// row's text). Emptied with each batch, so a free-text column (centre
/// names) holds at most a batch's names.
struct Dict {
    ids: PlHashMap<String, u32>,
    values: Vec<String>,
    rows: Vec<Option<u32>>,
}

impl Default for Dict {
    fn default() -> Self {
        Dict {
            ids: PlHashMap::new(),
            values: Vec::new(),
            rows: Vec::new(),
        }
    }
}

impl Dict {
    fn push(&mut self, v: Option<&str>) {
        let id = v.map(|v| match self.ids.get(v) {
            Some(id) => *id,
            None => {
                self.values.push(v.to_string());
                let id = (self.values.len() - 1) as u32;
                self.ids.insert(v.to_string(), id);
                id
            }
        });
        self.rows.push(id);
    }

    fn finish(&mut self, name: &str) -> PolarsResult<Column> {
        let values =
            StringChunked::from_iter_values(name.into(), self.values.iter().map(String::as_str));
        let idx: IdxCa = std::mem::take(&mut self.rows).into_iter().collect();
        let column = values.take(&idx)?.with_name(name.into()).into_column();
        self.ids.clear();
        self.values.clear();
        Ok(column)
    }
}
