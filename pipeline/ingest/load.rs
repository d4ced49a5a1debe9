//! The load step: every planned file through header mapping and row rules,
//! stored rows streamed to the staging folder in batches, the rest
//! quarantined. Regions are loaded whole (the tree needs every row); facts
//! stream, keeping only 128-bit duplicate keys in memory. Group findings are
//! polars queries over the staged tables afterwards ([`super::findings`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use polars::prelude::{DataFrame, PolarsError, PolarsResult};
use rayon::prelude::*;

use crate::config::{Config, Layout, Source};
use crate::contract::grammar::{parse_band, Band, Period};
use crate::contract::{Level, Rule, Table};
use crate::ingest::checks::{
    band_clash, duplicate, key_hash, unknown_code, BandIndex, KeyMap, Origin,
};
use crate::ingest::collection;
use crate::ingest::columnar;
use crate::ingest::dated::{self, Checked, Dated};
use crate::ingest::findings::{self, reference_findings};
use crate::ingest::frames;
use crate::ingest::head::{open_head, Head};
use crate::ingest::headers::HeaderMap;
use crate::ingest::indicators::{self, IndicatorRow};
use crate::ingest::names::{self, Found, NameIndex};
use crate::ingest::outline::{Outline, Place};
use crate::ingest::quarantine::{Finding, QuarantineRecord, Reject};
use crate::ingest::read::RawRecord;
use crate::ingest::recode::{self, Counts, Merged, Recodable};
use crate::ingest::sheet;
use crate::ingest::sink::{frame_error, Sink};
use crate::ingest::validate::{self, AgeRow, Cells, DisputeRow, RegionRow, UsageRow};
use crate::ingest::ytd::{Differenced, Flow, Ytd};
use crate::ingest::{IngestError, Planned};
use crate::regions::history::{History, Recoded, Recoder};
use crate::regions::{self, Region};
use crate::shard::{Owners, Shard};
use crate::warehouse::FileEntry;

/// The origin of rows made after every file was read.
const MADE_LAST: u64 = u64::MAX;

pub struct Loaded {
    pub files: Vec<FileEntry>,
    pub tables: BTreeMap<String, u64>,
    pub quarantine: Vec<QuarantineRecord>,
    pub findings: Vec<Finding>,
    /// Re-coded rows added into another (`[run] harmonise_codes`).
    pub merged: u64,
    /// `[collection]`: the filing status of every unit and table.
    pub filing: Vec<collection::Filing>,
    /// `[collection]`: each office's corrections (退回修改).
    pub corrections: Vec<crate::ingest::corrections::Correction>,
    /// `[collection]`: the district's name in the tree.
    pub district_name: Option<String>,
}

/// A row handler's failure: the row is quarantined, or the run stops
/// (a write error is never a property of the row).
enum RowError {
    Reject(Reject),
    Fatal(IngestError),
}

impl From<Reject> for RowError {
    fn from(r: Reject) -> Self {
        RowError::Reject(r)
    }
}

impl From<IngestError> for RowError {
    fn from(e: IngestError) -> Self {
        RowError::Fatal(e)
    }
}

/// Reads one file's data rows: hands each to `on_row`, which stores it
/// (`Ok`) or rejects it. Fills the file's accounting.
fn each_row(
    pf: &Planned,
    head: Head,
    quarantine: &mut Vec<QuarantineRecord>,
    findings: &mut Vec<Finding>,
    names: Option<&LazyNames>,
    keep: impl Fn(&RawRecord, &HeaderMap) -> bool,
    mut on_row: impl FnMut(&RawRecord, &HeaderMap, &Place) -> Result<(), RowError>,
) -> Result<FileEntry, IngestError> {
    let Head {
        mut entry,
        header,
        src,
        pending,
        records,
        bar,
        position,
        ..
    } = head;
    let src: &Source = &src;
    let read_err = |source| IngestError::Read {
        path: pf.shown.clone(),
        source,
    };
    // Data rows in the file, this shard's or not: a file whose rows all
    // belong to other shards is not header-only.
    let mut data_rows = 0u64;
    // A row is read once per period its headers name (`受理数 2010`,
    // `受理数 2011`), else once; each reading is a row of the accounting.
    let maps = header.per_period();
    let mut totals: Vec<sheet::Totals> = maps.iter().map(|m| sheet::Totals::new(m)).collect();
    // A printed outline: each row's place, its parts checked against it.
    let mut outlines: Vec<Outline> = maps
        .iter()
        .map(|_| Outline::new(&src.total_labels))
        .collect();
    let at = (pf.table, pf.shown.as_str(), src.total_tolerance);
    // Row findings are made once: by the one machine, or shard 0.
    let first_shard = names.is_none_or(|n| n.first_shard);
    let mut read = 0u64;
    for rec in pending.into_iter().map(Ok).chain(records) {
        let rec = rec.map_err(read_err)?;
        if rec.cells.iter().all(Option::is_none) {
            continue; // a blank line is not a row
        }
        // A quote never closed took in the lines below (B.1): the record is
        // an error, never a note, a total or a row found by name.
        let quote = validate::open_quote(&rec.cells, rec.line, &header);
        let note = quote.is_none() && sheet::note_row(&rec);
        // An outline's totals are rows of its own (outline.rs).
        let total = if note || quote.is_some() || header.outline {
            None
        } else {
            sheet::total_row(&rec)
        };
        if !note && total.is_none() && quote.is_none() {
            // Every data row, any shard's: a total row adds up over all.
            for (t, m) in totals.iter_mut().zip(&maps) {
                t.add(&rec, m);
            }
        }
        data_rows += 1;
        // A row without a code is found by its name (names.rs); a code
        // and a name that disagree are a finding, made once (shard 0's).
        let mut name_reject = None;
        let resolved;
        let rec = match (header.name_index, names) {
            (Some(ni), Some(lazy)) if !note && total.is_none() && quote.is_none() => {
                match name_code(&rec, &header, ni, lazy, src, pf, findings) {
                    Ok(Some(r)) => {
                        resolved = r;
                        &resolved
                    }
                    Ok(None) => &rec,
                    Err(r) => {
                        name_reject = Some(r);
                        &rec
                    }
                }
            }
            _ => &rec,
        };
        // An outline is read whole in every shard (a row's place depends on
        // the rows above it, any shard's).
        let places: Option<Vec<Place>> = (header.outline && !note && quote.is_none()).then(|| {
            maps.iter()
                .zip(&mut outlines)
                .map(|(m, outline)| {
                    let (place, found) = outline.row(rec, m, at);
                    if first_shard {
                        findings.extend(found);
                    }
                    place
                })
                .collect()
        });
        if !keep(rec, &header) {
            continue; // another shard's row
        }
        entry.lines_in_cells += validate::breaks(rec.cells.iter().map(|c| c.as_deref()));
        if note {
            entry.rows_note += 1;
            continue;
        }
        entry.rows_read += maps.len() as u64;
        if let Some(sub) = total {
            entry.rows_total += maps.len() as u64;
            for (t, m) in totals.iter_mut().zip(&maps) {
                let tolerance = src.total_tolerance;
                findings.extend(t.check(rec, sub, m, pf.table, &pf.shown, tolerance));
            }
            continue;
        }
        read += 1;
        if read % 16_384 == 0 {
            bar.set_position(position.load(std::sync::atomic::Ordering::Relaxed));
        }
        for (i, m) in maps.iter().enumerate() {
            let place = places.as_ref().map_or(Place::Row, |p| p[i].clone());
            let refused = match &place {
                Place::Bad(r) => Some(r.clone()),
                _ => quote.clone().or_else(|| name_reject.clone()),
            };
            let outcome = match refused {
                Some(r) => Err(RowError::Reject(r)),
                None => on_row(rec, m, &place),
            };
            // One reading of several: its refusal says which period.
            let outcome = match outcome {
                Err(RowError::Reject(mut r)) if maps.len() > 1 => {
                    let p = m.constant("period").unwrap_or_default();
                    r.message = format!("{p}: {}", r.message);
                    Err(RowError::Reject(r))
                }
                o => o,
            };
            match outcome {
                Ok(()) => entry.rows_stored += 1,
                Err(RowError::Fatal(e)) => return Err(e),
                Err(RowError::Reject(r)) => {
                    entry.rows_quarantined += 1;
                    quarantine.push(QuarantineRecord::of(pf.table, &pf.shown, rec.row, r));
                }
            }
        }
    }
    for outline in &mut outlines {
        let found = outline.finish(at);
        if first_shard {
            findings.extend(found);
        }
    }
    bar.finish_and_clear();
    if data_rows == 0 {
        return Err(IngestError::HeaderOnly {
            path: pf.shown.clone(),
        });
    }
    Ok(entry)
}

/// The region tree by name, built the first time a return needs it (a
/// national tree is 620,000 names).
pub struct LazyNames<'a> {
    regions: &'a [Region],
    index: std::sync::OnceLock<NameIndex>,
    /// Whether this process makes the run's row findings: the one machine,
    /// or shard 0 (every shard reads every row).
    first_shard: bool,
    /// Codes of every year: a name a code had in the row's year is its name.
    history: Option<&'a History>,
}

impl LazyNames<'_> {
    fn get(&self) -> &NameIndex {
        self.index.get_or_init(|| NameIndex::new(self.regions))
    }
}

/// A row's code from its name, where it has none: `Ok(Some(record with the
/// code))`, `Ok(None)` when the row keeps its own code (a W_NAME finding
/// when its name disagrees), or the E_CODE rejection naming the candidates.
fn name_code(
    rec: &RawRecord,
    h: &HeaderMap,
    name_at: usize,
    lazy: &LazyNames,
    src: &Source,
    pf: &Planned,
    findings: &mut Vec<Finding>,
) -> Result<Option<RawRecord>, Reject> {
    let Some(name) = rec.cells.get(name_at).cloned().flatten() else {
        return Ok(None);
    };
    let code_at = h
        .columns
        .iter()
        .position(|c| c.name == "region_code")
        .and_then(|c| h.index[c]);
    let code = code_at
        .filter(|_| !h.code_appended)
        .and_then(|i| rec.cells.get(i).cloned().flatten());
    let ix = lazy.get();
    if let Some(code) = code {
        if lazy.first_shard {
            if let Some(tree) = ix.name_of(&code) {
                let then = h
                    .cell(rec, "period")
                    .zip(lazy.history)
                    .and_then(|(p, hist)| {
                        let year = crate::contract::grammar::parse_period_at(p, h.period_kind)
                            .ok()?
                            .period
                            .year;
                        Some(hist.names_in(&code, year))
                    })
                    .unwrap_or_default();
                let own = names::normalise(&name);
                if names::normalise(tree) != own && !then.iter().any(|n| names::normalise(n) == own)
                {
                    findings.push(Finding {
                        source: Some(pf.shown.clone()),
                        row: Some(rec.row),
                        covers: None,
                        table: pf.table,
                        rule: Rule::Name,
                        region_code: Some(code.clone()),
                        period: h.cell(rec, "period").map(str::to_string),
                        role: None,
                        band: None,
                        expected: None,
                        actual: None,
                        message: format!(
                            "{} row {}: code {code} is {tree} in the region tree, but the row names {name}",
                            pf.shown, rec.row
                        ),
                    });
                }
            }
        }
        return Ok(None);
    }
    let Some(code_at) = code_at else {
        return Ok(None);
    };
    let street = h
        .street_index
        .and_then(|i| rec.cells.get(i).cloned().flatten());
    match ix.find(&name, src.parent.as_deref(), street.as_deref()) {
        Found::One(code) => {
            let mut r = rec.clone();
            if r.cells.len() <= code_at {
                r.cells.resize(code_at + 1, None);
            }
            r.cells[code_at] = Some(code);
            Ok(Some(r))
        }
        Found::None { scope } => Err(Reject::new(
            Rule::Code,
            "region_name",
            Some(&name),
            format!(
                "no region named '{name}' under {scope}; add its code, or set the source's parent"
            ),
        )),
        Found::Several(c) => Err(Reject::new(
            Rule::Code,
            "region_name",
            Some(&name),
            format!(
                "'{name}' names {} regions: {}; add the code, a 街道 column or the source's parent",
                c.len(),
                c.join("; ")
            ),
        )),
    }
}

/// What one fact table's loader reads from the shared state and what it
/// produces; the three fact tables load in parallel, each with its own.
struct Ctx<'a> {
    dir: &'a Path,
    metadata: &'a [(String, String)],
    known: &'a HashSet<&'a str>,
    /// The tree's codes with their positions, for the columnar path.
    codes: &'a columnar::Codes<'a>,
    /// The tree by name, for returns that name their regions.
    names: &'a LazyNames<'a>,
    /// In a sharded run: which rows are this shard's.
    owners: Option<&'a Owners>,
    /// Codes checked against their years, and re-coded to a vintage.
    recoder: Option<&'a Recoder>,
    /// Rows added into another after re-coding.
    merged: u64,
    files: Vec<FileEntry>,
    quarantine: Vec<QuarantineRecord>,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    /// [`each_row`] with this table's quarantine, findings and the tree by
    /// name: the fact loaders' record path.
    fn each_row(
        &mut self,
        pf: &Planned,
        head: Head,
        keep: impl Fn(&RawRecord, &HeaderMap) -> bool,
        on_row: impl FnMut(&RawRecord, &HeaderMap, &Place) -> Result<(), RowError>,
    ) -> Result<FileEntry, IngestError> {
        each_row(
            pf,
            head,
            &mut self.quarantine,
            &mut self.findings,
            Some(self.names),
            keep,
            on_row,
        )
    }

    /// A row counted as stored when read, refused when its table was read
    /// whole (a year-to-date figure, a held stock): quarantined, and its
    /// file's counts moved. `first_file` is the table's first entry in
    /// `files`.
    fn unstore(&mut self, table: Table, first_file: usize, shown: &[String], o: Origin, r: Reject) {
        let entry = &mut self.files[first_file + o.file()];
        entry.rows_stored -= 1;
        entry.rows_quarantined += 1;
        let rec = QuarantineRecord::of(table, &shown[o.file()], o.row(), r);
        self.quarantine.push(rec);
    }
}

/// One fact table loaded: its rows, its context, its group findings.
type TableLoaded<'a> = (u64, Ctx<'a>, Vec<Finding>);

/// The row filter of `each_row`: every row, or a shard's own (its region
/// code read as the row rules read it; a code that does not read is shard
/// 0's, like a code outside the tree).
fn keeps(owners: Option<&Owners>) -> impl Fn(&RawRecord, &HeaderMap) -> bool + '_ {
    move |rec, h| {
        owners.is_none_or(|o| {
            let code = Cells::new(rec, h).ok().and_then(|c| c.code().ok());
            o.owns(code.as_deref())
        })
    }
}

/// Loads every planned file in table order into the staging folder `dir`;
/// in a sharded run (`shard`), only the rows the shard owns.
pub fn load_all(
    config: &Config,
    planned: &[Planned],
    dir: &Path,
    metadata: &[(String, String)],
    (reference, recoder): (Option<&HashMap<String, String>>, Option<&Recoder>),
    shard: Option<(Shard, Level)>,
) -> Result<Loaded, IngestError> {
    let mut files = Vec::new();
    let mut quarantine = Vec::new();
    let mut findings = Vec::new();
    let mut tables = BTreeMap::new();
    let src = config.source(Table::Regions).expect("plan checked regions");
    let regions = load_regions(
        &planned
            .iter()
            .filter(|p| p.table == Table::Regions)
            .collect::<Vec<_>>(),
        src,
        &mut files,
        &mut quarantine,
        &mut findings,
    )?;
    if let Some(reference) = reference {
        findings.extend(reference_findings(&regions, reference));
    }
    // Regions are kept whole in every shard: the tree is every shard's.
    let mut sink = Sink::new(Table::Regions, frames::regions_frame, dir, metadata, false)?;
    for r in &regions {
        sink.push(r.clone(), 0)?;
    }
    tables.insert(Table::Regions.name().to_string(), sink.finish()?);

    // The fact tables depend only on the tree: load them in parallel, then
    // merge in table order so that outputs do not depend on scheduling.
    let known: HashSet<&str> = regions.iter().map(|r| r.row.code.as_str()).collect();
    let codes = columnar::Codes::new(
        &regions
            .iter()
            .map(|r| r.row.code.as_str())
            .collect::<Vec<_>>(),
    );
    let owners = shard.map(|(s, level)| Owners::new(s, level, &regions));
    if let Some(o) = &owners {
        tracing::info!(shard = %o.shard, regions = ?o.sizes(regions.len()), "regions per shard");
    }
    let tree = findings::tree_frame(&regions).map_err(polars_error(Table::Regions))?;
    // A collection round: who filed each return and when, before any row
    // is read, so a return a later one replaced (重复) is never read.
    let returns = match &config.collection {
        Some(c) => returns(config, c, planned, &regions)?,
        None => Vec::new(),
    };
    // A file read for two tables is two entries: (table, path) names one.
    let superseded: HashSet<(&str, &str)> = returns
        .iter()
        .filter(|e| e.superseded_by.is_some())
        .map(|e| (e.table.as_str(), e.path.as_str()))
        .collect();
    let of = |t: Table| -> Vec<&Planned> {
        planned
            .iter()
            .filter(|p| p.table == t && !superseded.contains(&(t.name(), p.shown.as_str())))
            .collect()
    };
    let lazy_names = LazyNames {
        regions: &regions,
        index: std::sync::OnceLock::new(),
        first_shard: owners.as_ref().is_none_or(|o| o.shard.index == 0),
        history: recoder.map(|r| &r.history),
    };
    let facts = Table::FACTS;
    let loaded: Vec<Result<TableLoaded, IngestError>> = facts
        .par_iter()
        .map(|&table| {
            let mut ctx = Ctx {
                dir,
                metadata,
                known: &known,
                codes: &codes,
                names: &lazy_names,
                owners: owners.as_ref(),
                recoder,
                merged: 0,
                files: Vec::new(),
                quarantine: Vec::new(),
                findings: Vec::new(),
            };
            let t = std::time::Instant::now();
            let (src, planned) = (config.source(table), of(table));
            let n = match table {
                Table::MemberAges => load_ages(&mut ctx, &planned, src)?,
                Table::Disputes => load_keyed(
                    &mut ctx,
                    table,
                    &planned,
                    src,
                    (frames::disputes_frame, validate::dispute_row),
                    columnar::disputes(&codes),
                )?,
                Table::Indicators => load_indicators(&mut ctx, &planned, src)?,
                _ => load_keyed(
                    &mut ctx,
                    table,
                    &planned,
                    src,
                    (frames::usage_frame, validate::usage_row),
                    columnar::usage(&codes),
                )?,
            };
            tracing::info!(
                table = table.name(),
                rows = n,
                seconds = t.elapsed().as_secs_f64(),
                "loaded"
            );
            // Group findings need the whole table: a shard leaves them to
            // `combine`, which runs this same query over the combined table.
            let mut group = Vec::new();
            if let (Some(src), None) = (src, &owners) {
                let path = dir.join(table.name()).join("part-0.parquet");
                let codes: Vec<&str> = known.iter().copied().collect();
                group = findings::group_findings(&path, table, src, n, &codes, &tree)
                    .map_err(polars_error(table))?;
            }
            Ok((n, ctx, group))
        })
        .collect();
    // Findings in the order combine makes them: the reference's, every
    // table's row findings (a published total row, shard 0's), then every
    // table's group findings.
    let mut groups = Vec::new();
    let mut merged = 0;
    for (table, result) in facts.into_iter().zip(loaded) {
        let (n, ctx, group) = result?;
        merged += ctx.merged;
        files.extend(ctx.files);
        quarantine.extend(ctx.quarantine);
        findings.extend(ctx.findings);
        groups.extend(group);
        tables.insert(table.name().to_string(), n);
    }
    findings.extend(groups);
    // Who filed each return, and who did not: the files read take what the
    // collection found; the returns replaced are listed, not read.
    let mut filing = Vec::new();
    let mut corrections = Vec::new();
    if let Some(c) = &config.collection {
        for f in files.iter_mut() {
            if let Some(r) = returns
                .iter()
                .find(|r| r.path == f.path && r.table == f.table)
            {
                f.filed_by = r.filed_by.clone();
                f.received_at = r.received_at.clone();
                f.received_from = r.received_from.clone();
            }
        }
        files.extend(returns.into_iter().filter(|r| r.superseded_by.is_some()));
        // In the order the files were planned, tables in warehouse order.
        let rank = |f: &FileEntry| {
            let t = std::iter::once(Table::Regions)
                .chain(Table::FACTS)
                .position(|t| t.name() == f.table);
            (t, planned.iter().position(|p| p.shown == f.path))
        };
        files.sort_by_key(rank);
        let units = collection::units(&regions, c);
        filing = collection::status(&files, &units, c);
        let mut stored = HashMap::new();
        for &table in &c.tables {
            let path = dir.join(table.name()).join("part-0.parquet");
            let codes = findings::region_codes(&path).map_err(polars_error(table))?;
            stored.insert(table, codes);
        }
        collection::coverage(&mut filing, &regions, config.analysis_level, &stored);
        corrections = crate::ingest::corrections::lines(
            &files,
            &quarantine,
            &findings,
            &regions,
            &units,
            &filing,
        );
    }
    Ok(Loaded {
        files,
        tables,
        quarantine,
        findings,
        merged,
        filing,
        corrections,
        district_name: config.collection.as_ref().and_then(|c| {
            regions
                .iter()
                .find(|r| r.row.code == c.district)
                .map(|r| r.row.name.clone())
        }),
    })
}

/// A collection round's returns (contract B.21), before their rows are
/// read: each collected file's entry with who filed it (the 填报单位 line of
/// its titles read here) and when it came, and the returns a later one of
/// the same unit and table replaces.
fn returns(
    config: &Config,
    c: &crate::config::Collection,
    planned: &[Planned],
    regions: &[Region],
) -> Result<Vec<FileEntry>, IngestError> {
    let units = collection::units(regions, c);
    if units.is_empty() {
        return Err(IngestError::Collection(format!(
            "no {} under {} in the region tree: [collection] district and level name no unit that files",
            c.level.name(),
            c.district
        )));
    }
    let collected: Vec<&Planned> = planned
        .iter()
        .filter(|p| c.tables.contains(&p.table))
        .collect();
    let mut returns: Vec<FileEntry> = collected
        .par_iter()
        .map(|pf| {
            let mut e = crate::ingest::head::entry_of(pf);
            let mapped = c
                .filed_by
                .iter()
                .any(|(pattern, _)| crate::config::name_matches(pattern, &pf.path));
            if !mapped {
                // Its 填报单位 line, and the sheet read (a workbook's first
                // sheet, named for its unit, says who filed it too).
                if let Some(filer) = config
                    .source(pf.table)
                    .map(|src| crate::ingest::head::filer_of(pf, src))
                {
                    e.filer_line = filer.line;
                    e.filer_column = filer.column;
                    e.sheet = e.sheet.or(filer.sheet);
                }
            }
            e
        })
        .collect();
    collection::assign(&mut returns, &units, c).map_err(IngestError::Collection)?;
    let log = match &c.receipts {
        Some(p) => collection::read_receipts(p).map_err(|message| IngestError::Receipts {
            path: config.display_path(p),
            message,
        })?,
        None => HashMap::new(),
    };
    let paths: HashMap<String, std::path::PathBuf> = planned
        .iter()
        .map(|p| (p.shown.clone(), p.path.clone()))
        .collect();
    collection::received(&mut returns, &paths, &log, c);
    collection::supersede(&mut returns);
    Ok(returns)
}

fn polars_error(table: Table) -> impl FnOnce(PolarsError) -> IngestError {
    move |e| frame_error(table, e)
}

/// Regions: every row through its rules and the duplicate check, then the
/// tree, which may quarantine more (unknown parents, cycles).
fn load_regions(
    planned: &[&Planned],
    src: &Source,
    files: &mut Vec<FileEntry>,
    quarantine: &mut Vec<QuarantineRecord>,
    findings: &mut Vec<Finding>,
) -> Result<Vec<Region>, IngestError> {
    let mut rows: Vec<RegionRow> = Vec::new();
    let mut origin: Vec<(usize, u64)> = Vec::new(); // (file index, row)
    let mut seen: KeyMap<Origin> = KeyMap::default();
    let first_file = files.len();
    for (k, pf) in planned.iter().enumerate() {
        let entry = each_row(
            pf,
            open_head(pf, src)?,
            quarantine,
            findings,
            None,
            |_, _| true,
            |rec, h, _| {
                let row = validate::region_row(&Cells::new(rec, h)?)?;
                let key = key_hash(&[row.code.as_bytes()]);
                if let Some(&o) = seen.get(&key) {
                    return Err(duplicate("region_code", o.row(), &planned[o.file()].shown).into());
                }
                seen.insert(key, Origin::new(k, rec.row));
                rows.push(row);
                origin.push((k, rec.row));
                Ok(())
            },
        )?;
        files.push(entry);
    }
    let (resolved, rejects) = regions::resolve(&rows);
    for (i, r) in rejects {
        let (k, row) = origin[i];
        let entry = &mut files[first_file + k];
        entry.rows_stored -= 1;
        entry.rows_quarantined += 1;
        quarantine.push(QuarantineRecord::of(Table::Regions, &entry.path, row, r));
    }
    Ok(resolved.into_iter().flatten().collect())
}

fn load_ages(
    ctx: &mut Ctx,
    planned: &[&Planned],
    src: Option<&Source>,
) -> Result<u64, IngestError> {
    let table = Table::MemberAges;
    let sharded = ctx.owners.is_some();
    let mut sink = Sink::new(table, frames::ages_frame, ctx.dir, ctx.metadata, sharded)?;
    let Some(src) = src else { return sink.finish() };
    // Per (region, period, role): the bands stored so far and where they came
    // from. An identical band is E_DUPLICATE, an overlapping one E_BAND; the
    // first row is kept.
    let mut state = columnar::ages(ctx.codes, src.scale);
    let shown: Vec<String> = planned.iter().map(|p| p.shown.clone()).collect();
    let mut ages = Ages {
        shown: &shown,
        persons: BTreeMap::new(),
        person_bands: src
            .person_bands
            .iter()
            .map(|b| parse_band(b).expect("config checked bands"))
            .collect(),
        totals: GroupTotals::default(),
        row_findings: Vec::new(),
        merged: Merged::new(),
        dated: Vec::new(),
        late: Vec::new(),
        known: ctx.known,
        recoder: ctx.recoder,
    };
    let keep = keeps(ctx.owners);
    let first_file = ctx.files.len();
    for (k, pf) in planned.iter().enumerate() {
        read_file(
            ctx,
            &mut state,
            &mut sink,
            (k, pf),
            src,
            &shown,
            |head, ctx, state, sink| {
                let groups = &mut state.rules.bands;
                let mut counts = Counts::default();
                let mut entry = ctx.each_row(pf, head, &keep, |rec, h, _| {
                    ages.row(src, (k, rec, h), groups, sink, &mut counts)
                })?;
                entry.rows_recoded = counts.recoded;
                entry.rows_renamed = counts.renamed;
                Ok(entry)
            },
        )?;
    }
    state.flush(&mut |df| sink.write_frame(df), table)?;
    // Stocks as at a day inside their period, held by either path: the
    // latest of each group is stored after the rows read (dated.rs).
    let mut held = std::mem::take(&mut ages.dated);
    held.extend(state.take_dated());
    let (groups, refused) = dated::by_group(held, &state.rules.bands, &shown);
    for (origin, r) in refused {
        ctx.unstore(table, first_file, &shown, origin, r);
    }
    // Of each group, the latest day a row of which can be stored; the rows
    // of the days before it are refused, naming it.
    for days in groups {
        let mut kept: Option<(crate::contract::grammar::Date, Origin)> = None;
        for day in days {
            for d in day {
                if let Some(k) = kept.filter(|k| k.0 != d.day) {
                    let r = dated::earlier(&d, k, &shown);
                    ctx.unstore(table, first_file, &shown, d.row.origin, r);
                    continue;
                }
                let (origin, finding) = (d.row.origin, d.finding(&shown[d.row.origin.file()]));
                let mut counts = Counts::default();
                match ages.store(d.row, &mut state.rules.bands, &mut counts, None) {
                    Ok(()) => {
                        kept.get_or_insert((d.day, origin));
                        ages.row_findings.push(finding);
                        ctx.files[first_file + origin.file()].add(&counts);
                    }
                    Err(RowError::Reject(r)) => ctx.unstore(table, first_file, &shown, origin, r),
                    Err(RowError::Fatal(e)) => return Err(e),
                }
            }
        }
    }
    // The index is done with: free it before the findings query runs.
    drop(state);
    ctx.findings.extend(std::mem::take(&mut ages.row_findings));
    ctx.merged += ages.finish(&mut sink)?;
    sink.finish()
}

/// A member-age table's loading state beside the band index.
struct Ages<'a> {
    shown: &'a [String],
    /// The persons layout: people counted into the source's bands.
    persons: BTreeMap<(String, Period, &'static str, Band), f64>,
    person_bands: Vec<Band>,
    totals: GroupTotals,
    /// Findings made row by row: a total column's W_TOTAL, W_ASAT.
    row_findings: Vec<Finding>,
    /// Re-coded rows, added up by key (used only when re-coding to a vintage).
    merged: Merged<AgeRow>,
    /// Stocks as at a day inside their period, held until the table is read.
    dated: Vec<Dated>,
    /// The held stocks stored, written after the rows read.
    late: Vec<AgeRow>,
    known: &'a HashSet<&'a str>,
    recoder: Option<&'a Recoder>,
}

impl Ages<'_> {
    /// One input row: checked whole, then stored whole (a wide row's bands
    /// all or none), or held when it is as at a day inside its period.
    fn row(
        &mut self,
        src: &Source,
        (k, rec, h): (usize, &RawRecord, &HeaderMap),
        groups: &mut BandIndex,
        sink: &mut Sink<AgeRow>,
        counts: &mut Counts,
    ) -> Result<(), RowError> {
        let cells = Cells::new(rec, h)?;
        let mut total = None;
        let batch: Vec<(AgeRow, String)> = match src.layout {
            Layout::Long => {
                let scale = h.count_scale(src.scale);
                let row = validate::age_row(&cells, scale)?;
                if let Some(t) = cells.number("total", false, None)? {
                    // In its own header's unit, else the counts'.
                    let unit = h.unit_of("total").unwrap_or(scale);
                    let rounding = validate::rounding(cells.get("total"), unit);
                    total = Some((validate::scaled(t, unit), rounding));
                }
                vec![(row, "age_band".into())]
            }
            Layout::Wide => wide_rows(&cells, h, h.count_scale(src.scale))?,
            Layout::Persons => {
                self.person(&cells, counts)?;
                let shown = &self.shown[k];
                let asat = validate::as_at_finding(rec, h, Table::MemberAges, shown);
                self.row_findings.extend(asat);
                return Ok(());
            }
        };
        // E_CODE before the bands, as B.3 orders the rules.
        let recoded = self.recoded(batch.iter().map(|(r, _)| r))?;
        if self.recoder.is_none() {
            if let Some((r, _)) = batch
                .iter()
                .find(|(r, _)| !self.known.contains(r.code.as_str()))
            {
                return Err(unknown_code(&r.code).into());
            }
        }
        // Bands clash within the codes as filed, but for a place that only
        // changed its code (B.19).
        let group_code = match &recoded {
            Some((_, Recoded::Moved(to))) => to.clone(),
            _ => batch[0].0.code.clone(),
        };
        let row = Checked {
            rows: batch,
            total,
            recoded,
            group_code,
            origin: Origin::new(k, rec.row),
        };
        if let Some(day) = cells.mid_period_day() {
            let raw = cells.get("period").unwrap_or_default().to_string();
            self.dated.push(Dated { row, day, raw });
            return Ok(());
        }
        self.store(row, groups, counts, Some(sink))
    }

    /// Stores a checked row in its group: E_DUPLICATE or E_BAND against the
    /// group's bands so far (and the row's own earlier bands), then its
    /// total noted and its rows out — to `sink` in input order, or, for a
    /// held stock (`None`), to the rows written after the rest.
    fn store(
        &mut self,
        row: Checked,
        groups: &mut BandIndex,
        counts: &mut Counts,
        sink: Option<&mut Sink<AgeRow>>,
    ) -> Result<(), RowError> {
        let Checked {
            rows: batch,
            total,
            recoded,
            origin,
            ..
        } = row;
        let g = key_hash(&[
            row.group_code.as_bytes(),
            &batch[0].0.period.key(),
            batch[0].0.role.as_bytes(),
        ]);
        for (i, (r, column)) in batch.iter().enumerate() {
            let earlier = batch[..i].iter().map(|(o, _)| (o.band, origin));
            band_clash(groups, g, &r.band, column, earlier, |f| {
                self.shown[f].clone()
            })?;
        }
        for (r, _) in &batch {
            groups.push(g, r.band, origin);
        }
        let first = &batch[0].0;
        if let Some(t) = total {
            let at = (self.shown[origin.file()].as_str(), origin.row());
            self.row_findings.extend(self.totals.note(first, t, at));
        }
        if first.band == Band::Total {
            self.totals.published(first);
        }
        let rows = match recoded {
            Some((rows, change)) => {
                counts.note(&change);
                rows
            }
            None => batch.into_iter().map(|(r, _)| r).collect(),
        };
        let harmonising = self.harmonising();
        let mut sink = sink;
        for r in rows {
            match (harmonising, sink.as_deref_mut()) {
                (true, Some(_)) => self.merged.push(r, origin.0),
                (true, None) => self.merged.push(r, MADE_LAST),
                (false, Some(sink)) => sink.push(r, origin.0)?,
                (false, None) => self.late.push(r),
            }
        }
        Ok(())
    }

    /// A row's bands under their codes of the vintage, each code in the
    /// tree (`None` without a recoder).
    fn recoded<'r>(
        &self,
        rows: impl Iterator<Item = &'r AgeRow>,
    ) -> Result<Option<(Vec<AgeRow>, Recoded)>, Reject> {
        let Some(rc) = self.recoder else {
            return Ok(None);
        };
        let mut out = Vec::new();
        let mut change = Recoded::Same;
        for r in rows {
            let (parts, c) = recode::recode(rc, r)?;
            if let Some(p) = parts.iter().find(|p| !self.known.contains(p.code.as_str())) {
                return Err(unknown_code(&p.code));
            }
            if c != Recoded::Same {
                change = c;
            }
            out.extend(parts);
        }
        Ok(Some((out, change)))
    }

    /// The persons layout: one person counted into its band (under its
    /// code of the vintage, a share of a person for a part of a split).
    fn person(&mut self, cells: &Cells, counts: &mut Counts) -> Result<(), RowError> {
        let (code, period, role, age) = validate::person_row(cells)?;
        let (parts, change) = match self.recoder {
            Some(rc) => recode::parts(rc, &code, period.year)?,
            None => (vec![(code, 1.0)], Recoded::Same),
        };
        if let Some((c, _)) = parts.iter().find(|(c, _)| !self.known.contains(c.as_str())) {
            return Err(unknown_code(c).into());
        }
        let band = self
            .person_bands
            .iter()
            .find(|b| b.contains(age))
            .ok_or_else(|| {
                Reject::new(
                    Rule::Band,
                    "age",
                    Some(&age.to_string()),
                    format!("age {age} falls in no band of person_bands"),
                )
            })?;
        counts.note(&change);
        for (c, share) in parts {
            *self.persons.entry((c, period, role, *band)).or_default() += share;
        }
        Ok(())
    }

    /// Whether rows are re-coded to a vintage (and so may meet on one key):
    /// then they are held until the table is read.
    fn harmonising(&self) -> bool {
        self.recoder.is_some_and(|r| r.target.is_some())
    }

    /// The rows made after every file: re-coded rows, groups' totals,
    /// persons' bands. Returns the rows merged into another.
    fn finish(self, sink: &mut Sink<AgeRow>) -> Result<u64, IngestError> {
        let mut merged = self.merged;
        // Rows made here are ordered by region code (as `combine` orders
        // them), held stocks before groups' totals.
        let mut made = self.late;
        for row in self.totals.rows() {
            match self.recoder {
                // The group's rows were re-coded without refusal: so is its total.
                Some(rc) if rc.target.is_some() => {
                    if let Ok((parts, _)) = recode::recode(rc, &row) {
                        parts.into_iter().for_each(|p| merged.push(p, MADE_LAST));
                    }
                }
                _ => made.push(row),
            }
        }
        made.sort_by(|a, b| a.code.cmp(&b.code));
        for row in made {
            sink.push(row, MADE_LAST)?;
        }
        let n = merged.merged;
        for (r, origin) in merged.into_rows() {
            sink.push(r, origin)?;
        }
        for ((code, period, role, band), count) in self.persons {
            let row = AgeRow {
                code,
                period,
                role,
                band,
                count,
                share: None,
                rounding: None,
            };
            sink.push(row, MADE_LAST)?;
        }
        Ok(n)
    }
}

/// A member-age table's total column (`党员总数` on every row of a group):
/// each group's total, kept from its first row and stored once as the
/// group's published `total` band (so W_TOTAL checks the bands against it and
/// W_SHARE divides by it), unless the group publishes a total row of its own;
/// a later row of the group that says another total is a W_TOTAL finding.
#[derive(Default)]
struct GroupTotals {
    /// Per group: the total, its rounding (`AgeRow::rounding`), where it was read.
    first: BTreeMap<Group, (f64, Option<f64>, String, u64)>,
    has_row: HashSet<Group>,
}

/// A member-age group: region, period, role.
type Group = (String, Period, &'static str);

impl GroupTotals {
    fn note(
        &mut self,
        row: &AgeRow,
        (total, rounding): (f64, Option<f64>),
        (file, line): (&str, u64),
    ) -> Option<Finding> {
        let key = (row.code.clone(), row.period, row.role);
        let Some((first, _, f, l)) = self.first.get(&key) else {
            self.first
                .insert(key, (total, rounding, file.to_string(), line));
            return None;
        };
        ((first - total).abs() > 1e-9).then(|| Finding {
            source: Some(file.to_string()),
            row: Some(line),
            covers: None,
            table: Table::MemberAges,
            rule: Rule::Total,
            region_code: Some(row.code.clone()),
            period: Some(row.period.canonical()),
            role: Some(row.role.to_string()),
            band: Some("total".into()),
            expected: Some(*first),
            actual: Some(total),
            message: format!(
                "{file} row {line}: the total column says {total}, but {f} row {l} said {first} for the same region, period and role; the first is kept"
            ),
        })
    }

    fn published(&mut self, row: &AgeRow) {
        self.has_row
            .insert((row.code.clone(), row.period, row.role));
    }

    /// The groups' totals as `total` band rows, but where a group has one.
    fn rows(self) -> impl Iterator<Item = AgeRow> {
        let has_row = self.has_row;
        self.first
            .into_iter()
            .filter(move |(k, _)| !has_row.contains(k))
            .map(|((code, period, role), (count, rounding, ..))| AgeRow {
                code,
                period,
                role,
                band: Band::Total,
                count,
                share: None,
                rounding,
            })
    }
}

/// A fact row with a duplicate key of contract §2.
trait Keyed {
    /// The column a duplicate is reported under.
    const KEY_COLUMN: &'static str;
    /// The row in its place of a printed outline (disputes only).
    fn placed(&mut self, _place: &Place) {}
    fn code(&self) -> &str;
    fn key(&self) -> u128;
}

impl Keyed for DisputeRow {
    const KEY_COLUMN: &'static str = "category";
    /// The total over all types has no category; a type is named without
    /// its `#`; a part names the row it is a part of.
    fn placed(&mut self, place: &Place) {
        let label = |c: &Option<String>| {
            c.as_deref()
                .map(|c| c.trim_start_matches(['#', '＃']).trim().to_string())
        };
        match place {
            Place::Row | Place::Bad(_) => {}
            Place::Total => self.category = None,
            Place::Type => self.category = label(&self.category),
            Place::Part(of) => {
                self.category = label(&self.category);
                self.part_of = Some(of.clone());
            }
        }
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn key(&self) -> u128 {
        // A blank category is the key value "all".
        crate::ingest::checks::dispute_key(
            &self.code,
            &self.period,
            self.category.as_deref(),
            self.part_of.as_deref(),
        )
    }
}

impl Keyed for UsageRow {
    const KEY_COLUMN: &'static str = "center_type";
    fn code(&self) -> &str {
        &self.code
    }
    fn key(&self) -> u128 {
        // Two centres that both map to `other` stay apart by their names.
        key_hash(&[
            self.code.as_bytes(),
            &self.period.key(),
            self.center_type.as_bytes(),
            self.center_name.as_bytes(),
        ])
    }
}

/// Reads file `k` of a table by the columnar path when it applies, else —
/// after the columnar rows so far are in the sink, to keep input order — by
/// `record` (the table's record path); the file's accounting joins `ctx`.
fn read_file<C: columnar::Columns, T>(
    ctx: &mut Ctx,
    state: &mut columnar::State<C>,
    sink: &mut Sink<T>,
    (k, pf): (usize, &Planned),
    src: &Source,
    shown: &[String],
    record: impl FnOnce(
        Head,
        &mut Ctx,
        &mut columnar::State<C>,
        &mut Sink<T>,
    ) -> Result<FileEntry, IngestError>,
) -> Result<(), IngestError> {
    let head = open_head(pf, src)?;
    // Re-coding reads row by row (a row may become several, or join another).
    let columnar = ctx.recoder.is_none() && columnar::applies(pf, &head, src, ctx.owners.is_some());
    let entry = if columnar {
        let (quarantine, findings) = (&mut ctx.quarantine, &mut ctx.findings);
        state.read_file(pf, k, head, shown, quarantine, findings, &mut |df| {
            sink.write_frame(df)
        })?
    } else {
        state.flush(&mut |df| sink.write_frame(df), pf.table)?;
        record(head, ctx, state, sink)?
    };
    ctx.files.push(entry);
    Ok(())
}

/// Indicators (contract B.20): each row through its rules, the tree and the
/// duplicate check (region, period, indicator), held until every file is
/// read — a part may name a figure in any row — then linked to the figures
/// they are parts of, checked ([`indicators::findings`]) and stored in
/// input order. Re-coding relabels a renamed or moved place; a figure it
/// would add into another place's or split is E_CODE (a rate cannot be
/// added up). A sharded run reads them in shard 0, whose part `combine`
/// takes whole with the other shards' empty ones.
fn load_indicators(
    ctx: &mut Ctx,
    planned: &[&Planned],
    src: Option<&Source>,
) -> Result<u64, IngestError> {
    let table = Table::Indicators;
    let sharded = ctx.owners.is_some();
    let mut sink = Sink::new(
        table,
        frames::indicators_frame,
        ctx.dir,
        ctx.metadata,
        sharded,
    )?;
    let Some(src) = src else { return sink.finish() };
    if !ctx.names.first_shard {
        return sink.finish();
    }
    let shown: Vec<String> = planned.iter().map(|p| p.shown.clone()).collect();
    let (known, recoder) = (ctx.known, ctx.recoder);
    let mut seen: KeyMap<Origin> = KeyMap::default();
    let mut held: Vec<(IndicatorRow, Origin)> = Vec::new();
    // Rows quarantined, in input order: a part is not linked past one.
    let mut refused: Vec<Origin> = Vec::new();
    let mut asat = Vec::new();
    for (k, pf) in planned.iter().enumerate() {
        let mut counts = Counts::default();
        let head = open_head(pf, src)?;
        let mut entry = ctx.each_row(
            pf,
            head,
            |_, _| true,
            |rec, h, _| {
                let origin = Origin::new(k, rec.row);
                let read = indicator_record((rec, h), src, (recoder, known), &seen, &shown);
                if read.is_err() {
                    refused.push(origin);
                }
                let (rows, change) = read?;
                for r in rows {
                    seen.insert(indicator_key(&r), origin);
                    held.push((r, origin));
                }
                if let Some(change) = change {
                    counts.note(&change);
                }
                asat.extend(validate::as_at_finding(rec, h, table, &pf.shown));
                Ok(())
            },
        )?;
        entry.rows_recoded = counts.recoded;
        entry.rows_renamed = counts.renamed;
        ctx.files.push(entry);
    }
    ctx.findings.append(&mut asat);
    let unlinked = indicators::link_parts(&mut held, &refused, src, &shown);
    ctx.findings.extend(unlinked);
    let tree = indicators::Tree::new(ctx.names.regions);
    ctx.findings
        .extend(indicators::findings(&held, &shown, src, &tree));
    for (r, o) in held {
        sink.push(r, o.0)?;
    }
    sink.finish()
}

/// An indicator's duplicate key: (region_code, period, indicator).
fn indicator_key(r: &IndicatorRow) -> u128 {
    let period = r.period.canonical();
    key_hash(&[r.code.as_bytes(), period.as_bytes(), r.indicator.as_bytes()])
}

/// One record's figures under the codes they are stored with, and what
/// re-coding did; E_CODE for a code the tree or the history refuses (or one
/// re-coding would add up or split), E_DUPLICATE for a key met before.
fn indicator_record(
    (rec, h): (&RawRecord, &HeaderMap),
    src: &Source,
    (recoder, known): (Option<&Recoder>, &HashSet<&str>),
    seen: &KeyMap<Origin>,
    shown: &[String],
) -> Result<(Vec<IndicatorRow>, Option<Recoded>), Reject> {
    let mut rows = indicators::rows(&Cells::new(rec, h)?, src)?;
    let mut change = None;
    for r in &mut rows {
        if let Some(rc) = recoder {
            let (to, c) = recode::parts(rc, &r.code, r.period.year)?;
            if let Recoded::To(_) = c {
                let into: Vec<&str> = to.iter().map(|(c, _)| c.as_str()).collect();
                return Err(Reject::new(
                    Rule::Code,
                    "region_code",
                    Some(&r.code),
                    format!(
                        "re-coding {} of {} goes into {}, with other places or in parts: a published figure is not added up or split (a rate cannot be); not stored",
                        r.code,
                        r.period.year,
                        into.join(", ")
                    ),
                ));
            }
            r.code = to[0].0.clone();
            change = Some(c);
        }
        if !known.contains(r.code.as_str()) {
            return Err(unknown_code(&r.code));
        }
    }
    if let Some(o) = rows.iter().find_map(|r| seen.get(&indicator_key(r))) {
        return Err(duplicate("indicator", o.row(), &shown[o.file()]));
    }
    Ok((rows, change))
}

/// A keyed table's record path: its frame builder and row rules.
type RowPath<T> = (
    fn(&[T]) -> PolarsResult<DataFrame>,
    fn(&Cells) -> Result<T, Reject>,
);

/// disputes and service_usage: row rules, then E_CODE and E_DUPLICATE; a
/// year-to-date (累计) file's rows are points of their series, differenced
/// into flows when every file is read ([`ytd`]), and those flows then meet
/// the duplicate check.
fn load_keyed<T: Keyed + Recodable + Flow + Clone, C: columnar::Columns>(
    ctx: &mut Ctx,
    table: Table,
    planned: &[&Planned],
    src: Option<&Source>,
    (to_frame, row_rules): RowPath<T>,
    mut state: columnar::State<C>,
) -> Result<u64, IngestError> {
    let sharded = ctx.owners.is_some();
    let mut sink = Sink::new(table, to_frame, ctx.dir, ctx.metadata, sharded)?;
    let Some(src) = src else { return sink.finish() };
    let shown: Vec<String> = planned.iter().map(|p| p.shown.clone()).collect();
    let known = ctx.known;
    let keep = keeps(ctx.owners);
    let recoder = ctx.recoder;
    let mut merged = Merged::new();
    let mut ytd = Ytd::new();
    // A year-to-date figure's key: one figure per series and month.
    let mut points: KeyMap<Origin> = KeyMap::default();
    let first_file = ctx.files.len();
    for (k, pf) in planned.iter().enumerate() {
        read_file(
            ctx,
            &mut state,
            &mut sink,
            (k, pf),
            src,
            &shown,
            |head, ctx, state, sink| {
                let keys = &mut state.rules.keys;
                let mut counts = Counts::default();
                let mut entry = ctx.each_row(pf, head, &keep, |rec, h, place| {
                    let mut r = row_rules(&Cells::new(rec, h)?)?;
                    r.placed(place);
                    let (key, rows, change) = keyed_rows(recoder, known, &r)?;
                    let origin = Origin::new(k, rec.row);
                    if h.cumulative {
                        if let Some(&o) = points.get(&key) {
                            return Err(duplicate(T::KEY_COLUMN, o.row(), &shown[o.file()]).into());
                        }
                        points.insert(key, origin);
                        // A place that only moved keeps one series across its codes.
                        let series = match &change {
                            Recoded::Moved(to) => to.clone(),
                            _ => Keyed::code(&r).to_string(),
                        };
                        ytd.push(r, origin, &series);
                        return Ok(());
                    }
                    if let Some(&o) = keys.get(&key) {
                        return Err(duplicate(T::KEY_COLUMN, o.row(), &shown[o.file()]).into());
                    }
                    keys.insert(key, origin);
                    counts.note(&change);
                    for r in rows {
                        // Held only when rows may meet on one key.
                        match recoder.and_then(|rc| rc.target) {
                            Some(_) => merged.push(r, origin.0),
                            None => sink.push(r, origin.0)?,
                        }
                    }
                    Ok(())
                })?;
                entry.rows_recoded = counts.recoded;
                entry.rows_renamed = counts.renamed;
                Ok(entry)
            },
        )?;
    }
    state.flush(&mut |df| sink.write_frame(df), table)?;
    // The flows the year-to-date series add, after every file's own rows.
    let Differenced { flows, refused } = ytd.differenced();
    for (origin, r) in refused {
        ctx.unstore(table, first_file, &shown, origin, r);
    }
    let keys = &mut state.rules.keys;
    for (flow, origin) in flows {
        let (key, rows, change) = keyed_rows(recoder, known, &flow).expect("checked as a point");
        if let Some(&o) = keys.get(&key) {
            let r = duplicate(T::KEY_COLUMN, o.row(), &shown[o.file()]);
            ctx.unstore(table, first_file, &shown, origin, r);
            continue;
        }
        keys.insert(key, origin);
        let mut counts = Counts::default();
        counts.note(&change);
        ctx.files[first_file + origin.file()].add(&counts);
        for r in rows {
            match recoder.and_then(|rc| rc.target) {
                Some(_) => merged.push(r, MADE_LAST),
                None => sink.push(r, MADE_LAST)?,
            }
        }
    }
    ctx.merged += merged.merged;
    for (r, origin) in merged.into_rows() {
        sink.push(r, origin)?;
    }
    sink.finish()
}

/// A keyed row's duplicate key and its rows under the codes of the
/// vintage, with what changed; E_CODE for a code the history refuses or
/// one not in the tree.
fn keyed_rows<T: Keyed + Recodable + Clone>(
    recoder: Option<&Recoder>,
    known: &HashSet<&str>,
    r: &T,
) -> Result<(u128, Vec<T>, Recoded), Reject> {
    let (key, rows, change) = match recoder {
        None => (r.key(), vec![r.clone()], Recoded::Same),
        Some(rc) => {
            let (rows, change) = recode::recode(rc, r)?;
            // A duplicate is one of the codes as filed, but for a place
            // that only changed its code (B.19).
            let key = match change {
                Recoded::Moved(_) => rows[0].key(),
                _ => r.key(),
            };
            (key, rows, change)
        }
    };
    if let Some(r) = rows.iter().find(|r| !known.contains(Keyed::code(*r))) {
        return Err(unknown_code(Keyed::code(r)));
    }
    Ok((key, rows, change))
}

/// Expands a wide member_ages row into one long row per non-blank band cell.
fn wide_rows(cells: &Cells, h: &HeaderMap, scale: f64) -> Result<Vec<(AgeRow, String)>, Reject> {
    let code = cells.code()?;
    let period = cells.period()?;
    let role = cells.role()?;
    let mut out = Vec::new();
    for (idx, band, header) in &h.bands {
        let Some(v) = cells.rec.cells.get(*idx).and_then(|c| c.as_deref()) else {
            continue;
        };
        let x = crate::contract::grammar::parse_number(v)
            .map_err(|m| Reject::new(Rule::Parse, header, Some(v), m))?;
        if x < 0.0 {
            return Err(Reject::new(
                Rule::Range,
                header,
                Some(v),
                format!("{header} is negative ({v})"),
            ));
        }
        out.push((
            AgeRow {
                code: code.clone(),
                period,
                role,
                band: *band,
                count: validate::scaled(x, scale),
                share: None,
                rounding: validate::rounding(Some(v), scale),
            },
            header.clone(),
        ));
    }
    if out.is_empty() {
        return Err(Reject::new(
            Rule::Required,
            "age_band",
            None,
            "every band cell of the row is blank",
        ));
    }
    Ok(out)
}
