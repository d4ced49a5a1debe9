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
//! constants, XLSX and Parquet take the record path, and so does every file
//! when `GOVLENS_INGEST_PATH=record` is set (how the equality tests compare
//! the two).

use polars::prelude::*;

use crate::config::{Layout, Source};
use crate::contract::Table;
use rayon::prelude::*;

use crate::ingest::checks::{
    band_clash, duplicate, key_hash, unknown_code, BandIndex, KeyMap, Origin,
};
use crate::ingest::headers::HeaderMap;
use crate::ingest::parse::{self, Band, Period};
use crate::ingest::quarantine::{Finding, QuarantineRecord, Reject};
use crate::ingest::read::{self, Format, RawRecord};
use crate::ingest::sheet;
use crate::ingest::validate::{self, Cells};
use crate::ingest::{IngestError, Planned};
use crate::warehouse::FileEntry;

use super::load::{Head, BATCH_ROWS};

/// Whether a file's data rows take the columnar path (module doc).
pub(super) fn applies(pf: &Planned, head: &Head, src: &Source, sharded: bool) -> bool {
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
        && std::env::var("GOVLENS_INGEST_PATH").as_deref() != Ok("record")
}

/// The region tree's codes, each with its position: a code column is
/// stored as positions and made text once a batch, by one gather.
pub(super) struct Codes<'a> {
    position: PlHashMap<&'a str, u32>,
    text: StringChunked,
}

impl<'a> Codes<'a> {
    pub(super) fn new(codes: &[&'a str]) -> Codes<'a> {
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
struct Memo<V> {
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
pub(super) struct Positions {
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
pub(super) struct Rules {
    pub(super) keys: KeyMap<Origin>,
    pub(super) bands: BandIndex,
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
pub(super) struct Memos<M> {
    periods: Memo<Option<Period>>,
    own: M,
}

/// The cells the fast rules read, by name.
pub(super) struct Row<'r, 'c> {
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
pub(super) trait Columns: Send + Sync {
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
    /// The record path's row function for one record, then [`Columns::store`].
    fn record(
        &mut self,
        rec: &RawRecord,
        h: &HeaderMap,
        codes: &Codes,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject>;
    fn len(&self) -> usize;
    /// The rows so far as a frame of the table's warehouse schema; empties
    /// the builders.
    fn frame(&mut self, codes: &Codes) -> PolarsResult<DataFrame>;
}

/// A stored row's position in the tree, or E_CODE (the record path's order:
/// row rules, then the tree).
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

/// disputes' columns.
#[derive(Default)]
struct Disputes {
    lead: Lead,
    category: Dict,
    received: Vec<i64>,
    resolved: Vec<i64>,
    escalated: Vec<Option<i64>>,
    mean_days: Vec<Option<f64>>,
}

struct FastDispute<'c> {
    code: u32,
    period: Period,
    category: Option<&'c str>,
    counts: (i64, i64, Option<i64>, Option<f64>),
    key: u128,
}

fn dispute_key(code: &str, period: &Period, category: Option<&str>) -> u128 {
    // A blank category is the key value "all".
    key_hash(&[
        code.as_bytes(),
        &period.key(),
        category.unwrap_or("").as_bytes(),
    ])
}

impl Columns for Disputes {
    type Fast<'c> = FastDispute<'c>;
    type Memo = ();

    fn prepare<'c>(
        &self,
        row: &Row<'_, 'c>,
        codes: &Codes,
        m: &mut Memos<()>,
    ) -> Option<FastDispute<'c>> {
        let (code, text) = row.code(codes)?;
        let period = row.period(m)?;
        let received = integer(row.get("received")?)?;
        let resolved = integer(row.get("resolved")?)?;
        let escalated = optional(row.get("escalated"), integer)?;
        let mean_days = optional(row.get("mean_days"), |v| number(v, None))?;
        if resolved > received || escalated.is_some_and(|e| e > received) {
            return None;
        }
        let category = row.get("category");
        Some(FastDispute {
            code,
            period,
            category,
            counts: (received, resolved, escalated, mean_days),
            key: dispute_key(text, &period, category),
        })
    }

    fn store(
        &mut self,
        f: FastDispute<'_>,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        r.new_key(f.key, origin, "category", shown)?;
        self.lead.push(f.code, f.period);
        self.category.push(f.category);
        self.received.push(f.counts.0);
        self.resolved.push(f.counts.1);
        self.escalated.push(f.counts.2);
        self.mean_days.push(f.counts.3);
        Ok(())
    }

    fn record(
        &mut self,
        rec: &RawRecord,
        h: &HeaderMap,
        codes: &Codes,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        let row = validate::dispute_row(&Cells::new(rec, h)?)?;
        let fast = FastDispute {
            code: position(codes, &row.code)?,
            period: row.period,
            category: row.category.as_deref(),
            counts: (row.received, row.resolved, row.escalated, row.mean_days),
            key: dispute_key(&row.code, &row.period, row.category.as_deref()),
        };
        self.store(fast, r, origin, shown)
    }

    fn len(&self) -> usize {
        self.received.len()
    }

    fn frame(&mut self, codes: &Codes) -> PolarsResult<DataFrame> {
        let own = vec![
            self.category.finish("category")?,
            Column::new("received".into(), std::mem::take(&mut self.received)),
            Column::new("resolved".into(), std::mem::take(&mut self.resolved)),
            Column::new("escalated".into(), std::mem::take(&mut self.escalated)),
            Column::new("mean_days".into(), std::mem::take(&mut self.mean_days)),
        ];
        self.lead.frame(codes, own)
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

/// service_usage's columns.
#[derive(Default)]
struct Usage {
    lead: Lead,
    center_type: Dict,
    center_name: Dict,
    visits: Vec<i64>,
    services: Vec<Option<i64>>,
    satisfaction: Vec<Option<f64>>,
    staff: Vec<Option<i64>>,
}

struct FastUsage<'c> {
    code: u32,
    period: Period,
    center: (&'static str, &'c str),
    counts: (i64, Option<i64>, Option<f64>, Option<i64>),
    key: u128,
}

fn usage_key(code: &str, period: &Period, (kind, name): (&str, &str)) -> u128 {
    // Two centres that both map to `other` stay apart by their names.
    key_hash(&[
        code.as_bytes(),
        &period.key(),
        kind.as_bytes(),
        name.as_bytes(),
    ])
}

impl Columns for Usage {
    type Fast<'c> = FastUsage<'c>;
    type Memo = Memo<&'static str>;

    fn prepare<'c>(
        &self,
        row: &Row<'_, 'c>,
        codes: &Codes,
        m: &mut Memos<Memo<&'static str>>,
    ) -> Option<FastUsage<'c>> {
        let (code, text) = row.code(codes)?;
        let period = row.period(m)?;
        let name = row.get("center_type")?;
        let center = (m.own.get(name, parse::parse_center_type), name);
        Some(FastUsage {
            code,
            period,
            center,
            counts: (
                integer(row.get("visits")?)?,
                optional(row.get("services"), integer)?,
                optional(row.get("satisfaction"), |v| number(v, Some(100.0)))?,
                optional(row.get("staff"), integer)?,
            ),
            key: usage_key(text, &period, center),
        })
    }

    fn store(
        &mut self,
        f: FastUsage<'_>,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        r.new_key(f.key, origin, "center_type", shown)?;
        self.lead.push(f.code, f.period);
        self.center_type.push(Some(f.center.0));
        self.center_name.push(Some(f.center.1));
        self.visits.push(f.counts.0);
        self.services.push(f.counts.1);
        self.satisfaction.push(f.counts.2);
        self.staff.push(f.counts.3);
        Ok(())
    }

    fn record(
        &mut self,
        rec: &RawRecord,
        h: &HeaderMap,
        codes: &Codes,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        let row = validate::usage_row(&Cells::new(rec, h)?)?;
        let center = (row.center_type, row.center_name.as_str());
        let fast = FastUsage {
            code: position(codes, &row.code)?,
            period: row.period,
            center,
            counts: (row.visits, row.services, row.satisfaction, row.staff),
            key: usage_key(&row.code, &row.period, center),
        };
        self.store(fast, r, origin, shown)
    }

    fn len(&self) -> usize {
        self.visits.len()
    }

    fn frame(&mut self, codes: &Codes) -> PolarsResult<DataFrame> {
        let own = vec![
            self.center_type.finish("center_type")?,
            self.center_name.finish("center_name")?,
            Column::new("visits".into(), std::mem::take(&mut self.visits)),
            Column::new("services".into(), std::mem::take(&mut self.services)),
            Column::new(
                "satisfaction".into(),
                std::mem::take(&mut self.satisfaction),
            ),
            Column::new("staff".into(), std::mem::take(&mut self.staff)),
        ];
        self.lead.frame(codes, own)
    }
}

/// member_ages' columns (long layout); E_BAND and E_DUPLICATE against the
/// bands stored for the same region, period and role.
pub(super) struct Ages {
    lead: Lead,
    role: Vec<&'static str>,
    band: Vec<Band>,
    count: Vec<f64>,
    share: Vec<Option<f64>>,
    scale: f64,
}

impl Ages {
    pub(super) fn new(scale: f64) -> Ages {
        Ages {
            lead: Lead::default(),
            role: Vec::new(),
            band: Vec::new(),
            count: Vec::new(),
            share: Vec::new(),
            scale,
        }
    }
}

pub(super) struct FastAge {
    code: u32,
    period: Period,
    role: &'static str,
    band: Band,
    count: f64,
    share: Option<f64>,
    group: u128,
}

fn age_group(code: &str, period: &Period, role: &str) -> u128 {
    key_hash(&[code.as_bytes(), &period.key(), role.as_bytes()])
}

/// Roles and bands as written, each parsed once.
#[derive(Default)]
pub(super) struct AgeMemo {
    roles: Memo<Option<&'static str>>,
    bands: Memo<Option<Band>>,
}

impl Columns for Ages {
    type Fast<'c> = FastAge;
    type Memo = AgeMemo;

    fn prepare(&self, row: &Row, codes: &Codes, m: &mut Memos<AgeMemo>) -> Option<FastAge> {
        let (code, text) = row.code(codes)?;
        let period = row.period(m)?;
        let role = match row.get("role") {
            None => "member",
            Some(v) => m.own.roles.get(v, |v| parse::parse_role(v).ok())?,
        };
        let band = m
            .own
            .bands
            .get(row.get("age_band")?, |v| parse::parse_band(v).ok())?;
        let count = validate::scaled(number(row.get("count")?, None)?, self.scale);
        let share = optional(row.get("reported_share"), |v| {
            parse::parse_percent(v)
                .ok()
                .filter(|x| (0.0..=100.0).contains(x))
        })?;
        Some(FastAge {
            code,
            period,
            role,
            band,
            count,
            share,
            group: age_group(text, &period, role),
        })
    }

    fn store(
        &mut self,
        f: FastAge,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        band_clash(
            &r.bands,
            f.group,
            &f.band,
            "age_band",
            std::iter::empty(),
            |k| shown[k].clone(),
        )?;
        r.bands.push(f.group, f.band, origin);
        self.lead.push(f.code, f.period);
        self.role.push(f.role);
        self.band.push(f.band);
        self.count.push(f.count);
        self.share.push(f.share);
        Ok(())
    }

    fn record(
        &mut self,
        rec: &RawRecord,
        h: &HeaderMap,
        codes: &Codes,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        let row = validate::age_row(&Cells::new(rec, h)?, self.scale)?;
        let fast = FastAge {
            code: position(codes, &row.code)?,
            period: row.period,
            role: row.role,
            band: row.band,
            count: row.count,
            share: row.share,
            group: age_group(&row.code, &row.period, row.role),
        };
        self.store(fast, r, origin, shown)
    }

    fn len(&self) -> usize {
        self.count.len()
    }

    fn frame(&mut self, codes: &Codes) -> PolarsResult<DataFrame> {
        let bands = std::mem::take(&mut self.band);
        let mut text: PlHashMap<Band, String> = PlHashMap::new();
        let mut names = Dict::default();
        for b in &bands {
            let t = text.entry(*b).or_insert_with(|| b.canonical());
            names.push(Some(t));
        }
        let (lo, hi): (Vec<Option<i32>>, Vec<Option<i32>>) = bands
            .iter()
            .map(|b| match b {
                Band::Range { lo, hi } => (Some(*lo as i32), hi.map(|h| h as i32)),
                Band::Total => (None, None),
            })
            .unzip();
        let own = vec![
            Column::new("role".into(), std::mem::take(&mut self.role)),
            names.finish("age_band")?,
            Column::new("age_lo".into(), lo),
            Column::new("age_hi".into(), hi),
            Column::new("count".into(), std::mem::take(&mut self.count)),
            Column::new("reported_share".into(), std::mem::take(&mut self.share)),
        ];
        self.lead.frame(codes, own)
    }
}

/// Records read at a time: one batch is prepared on every core while the
/// next is read.
const BATCH_RECORDS: usize = 16_384;

/// A record of a batch as the first step leaves it.
enum Step<F> {
    Blank,
    Note,
    /// A published total (`true`: a subtotal).
    Total(bool),
    /// A data row: its cells, and its values when the fast rules pass.
    Data(Option<F>),
}

/// One fact table's columnar state across its files: the cross-row rules'
/// state and the column builders, flushed in batches of [`BATCH_ROWS`] rows
/// so that the Parquet row groups are the record path's.
pub(super) struct State<'a, C: Columns> {
    pub(super) rules: Rules,
    codes: &'a Codes<'a>,
    columns: C,
}

/// The columnar state of each fact table.
pub(super) fn ages<'a>(codes: &'a Codes<'a>, scale: f64) -> State<'a, Ages> {
    State::new(codes, Ages::new(scale))
}

pub(super) fn disputes<'a>(codes: &'a Codes<'a>) -> State<'a, impl Columns> {
    State::new(codes, Disputes::default())
}

pub(super) fn usage<'a>(codes: &'a Codes<'a>) -> State<'a, impl Columns> {
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
    pub(super) fn flush(
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
    pub(super) fn read_file(
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
                || this.prepare(columns, &p, codes),
            );
            for (i, step) in steps.into_iter().enumerate() {
                let row = this.first + i as u64;
                let cells = || this.cells(i);
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
                        quarantine.push(QuarantineRecord {
                            table: pf.table,
                            source: pf.shown.clone(),
                            row,
                            column: r.column,
                            value: r.value,
                            rule: r.rule,
                            message: r.message,
                        });
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
        if n > 1 && !blank && !sheet::note_row_of(&cells) {
            totals.add_cells(n, &cells, header);
        }
    }
    Ok(totals)
}

/// A record as the record path reads it (trimmed cells, blank = `None`).
fn owned(row: u64, cells: &[Option<&str>]) -> RawRecord {
    RawRecord {
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
