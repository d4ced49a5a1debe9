//! The load step: every planned file through header mapping and row rules,
//! stored rows streamed to the staging folder in batches, the rest
//! quarantined. Regions are loaded whole (the tree needs every row); facts
//! stream, keeping only their duplicate keys and group totals in memory.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use polars::prelude::DataFrame;

use crate::config::{Config, Encoding, Layout, Source};
use crate::contract::{Rule, Table};
use crate::ingest::findings::{reference_findings, AgeReconciler, Coverage};
use crate::ingest::frames;
use crate::ingest::headers::{self, HeaderMap, MAX_PREAMBLE};
use crate::ingest::parse::{parse_band, Band, Period};
use crate::ingest::quarantine::{Finding, QuarantineRecord, Reject};
use crate::ingest::read::{self, RawRecord};
use crate::ingest::validate::{self, AgeRow, Cells, RegionRow};
use crate::ingest::{IngestError, Planned};
use crate::regions::{self, Region};
use crate::warehouse::{FileEntry, TableWriter};

/// Rows buffered before a batch goes to the Parquet writer.
const BATCH_ROWS: usize = 65_536;

pub struct Loaded {
    pub files: Vec<FileEntry>,
    pub tables: BTreeMap<String, u64>,
    pub quarantine: Vec<QuarantineRecord>,
    pub findings: Vec<Finding>,
}

/// A table's output: a batch buffer in front of an optional writer.
struct Sink<T> {
    table: Table,
    buf: Vec<T>,
    writer: Option<TableWriter>,
    to_frame: fn(&[T]) -> polars::prelude::PolarsResult<DataFrame>,
    rows: u64,
}

impl<T> Sink<T> {
    fn new(
        table: Table,
        to_frame: fn(&[T]) -> polars::prelude::PolarsResult<DataFrame>,
        dir: &Path,
        write: bool,
        metadata: &[(String, String)],
    ) -> Result<Sink<T>, IngestError> {
        let writer = if write {
            let schema = frames::schema_of(&to_frame(&[]).map_err(|e| frame_error(table, e))?);
            Some(TableWriter::create(dir, table.name(), &schema, metadata)?)
        } else {
            None
        };
        Ok(Sink {
            table,
            buf: Vec::new(),
            writer,
            to_frame,
            rows: 0,
        })
    }

    fn push(&mut self, row: T) -> Result<(), IngestError> {
        self.buf.push(row);
        if self.buf.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        self.rows += self.buf.len() as u64;
        if let Some(w) = &mut self.writer {
            let df = (self.to_frame)(&self.buf).map_err(|e| frame_error(self.table, e))?;
            w.write(&df)?;
        }
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<u64, IngestError> {
        self.flush()?;
        if let Some(w) = self.writer {
            w.finish()?;
        }
        Ok(self.rows)
    }
}

fn frame_error(table: Table, e: polars::prelude::PolarsError) -> IngestError {
    IngestError::Frame {
        table: table.name().into(),
        message: e.to_string(),
    }
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

/// Reads one file: finds its header, then hands each data row to `on_row`,
/// which stores it (`Ok`) or rejects it. Fills the file's accounting.
fn each_row(
    pf: &Planned,
    src: &Source,
    quarantine: &mut Vec<QuarantineRecord>,
    mut on_row: impl FnMut(&RawRecord, &HeaderMap) -> Result<(), RowError>,
) -> Result<FileEntry, IngestError> {
    let opened =
        read::open(&pf.path, pf.format, pf.encoding, src.sheet.as_deref()).map_err(|source| {
            IngestError::Read {
                path: pf.shown.clone(),
                source,
            }
        })?;
    let mut entry = FileEntry {
        path: pf.shown.clone(),
        table: pf.table.name().into(),
        format: pf.format.name().into(),
        encoding: match pf.format {
            read::Format::Csv => Some(
                match pf.encoding {
                    Encoding::Gb18030 => "gb18030",
                    _ => "utf-8",
                }
                .into(),
            ),
            _ => None,
        },
        sheet: opened.sheet.clone(),
        hash: format!("blake3:{}", pf.probe.blake3),
        hash_algorithm: "blake3".into(),
        bytes: pf.probe.bytes,
        preamble_rows: 0,
        rows_read: 0,
        rows_stored: 0,
        rows_quarantined: 0,
        unknown_columns: vec![],
    };
    let read_err = |source| IngestError::Read {
        path: pf.shown.clone(),
        source,
    };
    let mut records = opened.records;
    let mut header: Option<HeaderMap> = None;
    let mut seen_any = false;
    for rec in records.by_ref() {
        let rec = rec.map_err(read_err)?;
        seen_any = true;
        match headers::map_header(&rec, pf.table, src) {
            Ok(Some(h)) => {
                header = Some(h);
                break;
            }
            Ok(None) if (entry.preamble_rows as usize) < MAX_PREAMBLE => entry.preamble_rows += 1,
            Ok(None) => break,
            Err(source) => {
                return Err(IngestError::Header {
                    path: pf.shown.clone(),
                    source,
                })
            }
        }
    }
    let Some(header) = header else {
        if !seen_any {
            return Err(IngestError::Empty {
                path: pf.shown.clone(),
            });
        }
        return Err(IngestError::Header {
            path: pf.shown.clone(),
            source: headers::HeaderError::NotFound {
                expected: headers::expected_headers(pf.table, &src.layout),
            },
        });
    };
    entry.unknown_columns = header.unknown.clone();
    for rec in records {
        let rec = rec.map_err(read_err)?;
        if rec.cells.iter().all(Option::is_none) {
            continue; // a blank line is not a row
        }
        entry.rows_read += 1;
        match on_row(&rec, &header) {
            Ok(()) => entry.rows_stored += 1,
            Err(RowError::Fatal(e)) => return Err(e),
            Err(RowError::Reject(r)) => {
                entry.rows_quarantined += 1;
                quarantine.push(QuarantineRecord {
                    table: pf.table,
                    source: pf.shown.clone(),
                    row: rec.row,
                    column: r.column,
                    value: r.value,
                    rule: r.rule,
                    message: r.message,
                });
            }
        }
    }
    if entry.rows_read == 0 {
        return Err(IngestError::HeaderOnly {
            path: pf.shown.clone(),
        });
    }
    Ok(entry)
}

fn unknown_code(code: &str) -> Reject {
    Reject::new(
        Rule::Code,
        "region_code",
        Some(code),
        format!("region_code {code} is not in the region tree"),
    )
}

fn duplicate(key: &str, first: u64, shown: &str) -> Reject {
    Reject::new(
        Rule::Duplicate,
        key,
        None,
        format!("a second row with the same key as {shown} row {first} (the first is kept)"),
    )
}

/// Loads every planned file in table order. `dir` is the staging folder.
pub fn load_all(
    config: &Config,
    planned: &[Planned],
    dir: &Path,
    write: bool,
    metadata: &[(String, String)],
    reference: Option<&HashMap<String, String>>,
) -> Result<Loaded, IngestError> {
    let mut files = Vec::new();
    let mut quarantine = Vec::new();
    let mut findings = Vec::new();
    let mut tables = BTreeMap::new();

    // Regions: whole, then the tree.
    let src = config.source(Table::Regions).expect("plan checked regions");
    let mut rows: Vec<RegionRow> = Vec::new();
    let mut origin: Vec<(usize, u64)> = Vec::new(); // (file index, row)
    let mut seen: HashMap<String, (usize, u64)> = HashMap::new();
    for pf in planned.iter().filter(|p| p.table == Table::Regions) {
        let fi = files.len();
        let entry = each_row(pf, src, &mut quarantine, |rec, h| {
            let row = validate::region_row(&Cells::new(rec, h)?)?;
            if let Some(&(f, r)) = seen.get(&row.code) {
                let shown = &planned
                    .iter()
                    .filter(|p| p.table == Table::Regions)
                    .nth(f)
                    .unwrap()
                    .shown;
                return Err(RowError::from(duplicate("region_code", r, shown)));
            }
            seen.insert(row.code.clone(), (fi, rec.row));
            rows.push(row);
            origin.push((fi, rec.row));
            Ok(())
        })?;
        files.push(entry);
    }
    let (resolved, rejects) = regions::resolve(&rows);
    for (i, r) in rejects {
        let (fi, row) = origin[i];
        files[fi].rows_stored -= 1;
        files[fi].rows_quarantined += 1;
        quarantine.push(QuarantineRecord {
            table: Table::Regions,
            source: files[fi].path.clone(),
            row,
            column: r.column,
            value: r.value,
            rule: r.rule,
            message: r.message,
        });
    }
    let regions: Vec<Region> = resolved.into_iter().flatten().collect();
    if let Some(reference) = reference {
        findings.extend(reference_findings(&regions, reference));
    }
    let known: HashSet<&str> = regions.iter().map(|r| r.row.code.as_str()).collect();
    let mut sink = Sink::new(Table::Regions, frames::regions_frame, dir, write, metadata)?;
    for r in &regions {
        sink.push(r.clone())?;
    }
    tables.insert(Table::Regions.name().to_string(), sink.finish()?);

    for table in [Table::MemberAges, Table::Disputes, Table::ServiceUsage] {
        let table_files: Vec<&Planned> = planned.iter().filter(|p| p.table == table).collect();
        let Some(src) = config.source(table) else {
            // No source: still write the empty table so readers find a schema.
            let n = match table {
                Table::MemberAges => {
                    Sink::new(table, frames::ages_frame, dir, write, metadata)?.finish()?
                }
                Table::Disputes => {
                    Sink::new(table, frames::disputes_frame, dir, write, metadata)?.finish()?
                }
                _ => Sink::new(table, frames::usage_frame, dir, write, metadata)?.finish()?,
            };
            tables.insert(table.name().to_string(), n);
            continue;
        };
        let mut coverage = Coverage::default();
        let mut keys: HashMap<String, (usize, u64)> = HashMap::new();
        let n = match table {
            Table::MemberAges => {
                let mut sink = Sink::new(table, frames::ages_frame, dir, write, metadata)?;
                let mut recon = AgeReconciler::default();
                let mut groups: HashMap<(String, Period, &'static str), Vec<(Band, u64)>> =
                    HashMap::new();
                let mut persons: BTreeMap<(String, Period, &'static str, Band), f64> =
                    BTreeMap::new();
                let person_bands: Vec<Band> = src
                    .person_bands
                    .iter()
                    .map(|b| parse_band(b).expect("config checked bands"))
                    .collect();
                for (k, pf) in table_files.iter().enumerate() {
                    let entry = each_row(pf, src, &mut quarantine, |rec, h| {
                        let cells = Cells::new(rec, h)?;
                        let batch: Vec<(AgeRow, String)> = match src.layout {
                            Layout::Long => {
                                let r = validate::age_row(&cells, src.scale)?;
                                vec![(r, "age_band".into())]
                            }
                            Layout::Wide => wide_rows(&cells, h, src.scale)?,
                            Layout::Persons => {
                                let (code, period, role, age) = validate::person_row(&cells)?;
                                if !known.contains(code.as_str()) {
                                    return Err(unknown_code(&code).into());
                                }
                                let band = person_bands
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
                                *persons.entry((code, period, role, *band)).or_default() += 1.0;
                                return Ok(());
                            }
                        };
                        // Check every expanded row before storing any of them,
                        // so a wide row is stored whole or not at all.
                        let mut new_keys = Vec::new();
                        for (i, (r, col)) in batch.iter().enumerate() {
                            if !known.contains(r.code.as_str()) {
                                return Err(unknown_code(&r.code).into());
                            }
                            let key = format!(
                                "{}|{}|{}|{}",
                                r.code,
                                r.period.canonical(),
                                r.role,
                                r.band.canonical()
                            );
                            if let Some(&(f, first)) = keys.get(&key) {
                                return Err(RowError::from(duplicate(
                                    col,
                                    first,
                                    &table_files[f].shown,
                                )));
                            }
                            if new_keys.contains(&key) {
                                return Err(RowError::from(duplicate(col, rec.row, &pf.shown)));
                            }
                            let earlier = batch[..i].iter().map(|(o, _)| (o.band, rec.row));
                            let clash = groups
                                .get(&(r.code.clone(), r.period, r.role))
                                .into_iter()
                                .flatten()
                                .copied()
                                .chain(earlier)
                                .find(|(b, _)| b.overlaps(&r.band));
                            if let Some((b, first)) = clash {
                                return Err(RowError::Reject(Reject::new(
                                    Rule::Band,
                                    col,
                                    Some(&r.band.canonical()),
                                    format!(
                                        "band {} overlaps band {} (row {first}) of the same region, period and role",
                                        r.band.canonical(),
                                        b.canonical()
                                    ),
                                )));
                            }
                            new_keys.push(key);
                        }
                        for ((r, _), key) in batch.into_iter().zip(new_keys) {
                            keys.insert(key, (k, rec.row));
                            groups
                                .entry((r.code.clone(), r.period, r.role))
                                .or_default()
                                .push((r.band, rec.row));
                            recon.add(&r);
                            coverage.add(&r.code, r.period);
                            sink.push(r)?;
                        }
                        Ok(())
                    })?;
                    files.push(entry);
                }
                for ((code, period, role, band), count) in persons {
                    coverage.add(&code, period);
                    sink.push(AgeRow {
                        code,
                        period,
                        role,
                        band,
                        count,
                        share: None,
                    })?;
                }
                findings.extend(recon.findings(src.total_tolerance, src.share_tolerance));
                sink.finish()?
            }
            Table::Disputes => {
                let mut sink = Sink::new(table, frames::disputes_frame, dir, write, metadata)?;
                for (k, pf) in table_files.iter().enumerate() {
                    let entry = each_row(pf, src, &mut quarantine, |rec, h| {
                        let r = validate::dispute_row(&Cells::new(rec, h)?)?;
                        if !known.contains(r.code.as_str()) {
                            return Err(unknown_code(&r.code).into());
                        }
                        let key = format!(
                            "{}|{}|{}",
                            r.code,
                            r.period.canonical(),
                            r.category.as_deref().unwrap_or("")
                        );
                        if let Some(&(f, first)) = keys.get(&key) {
                            return Err(RowError::from(duplicate(
                                "category",
                                first,
                                &table_files[f].shown,
                            )));
                        }
                        keys.insert(key, (k, rec.row));
                        coverage.add(&r.code, r.period);
                        Ok(sink.push(r)?)
                    })?;
                    files.push(entry);
                }
                sink.finish()?
            }
            _ => {
                let mut sink = Sink::new(table, frames::usage_frame, dir, write, metadata)?;
                for (k, pf) in table_files.iter().enumerate() {
                    let entry = each_row(pf, src, &mut quarantine, |rec, h| {
                        let r = validate::usage_row(&Cells::new(rec, h)?)?;
                        if !known.contains(r.code.as_str()) {
                            return Err(unknown_code(&r.code).into());
                        }
                        let key = format!(
                            "{}|{}|{}|{}",
                            r.code,
                            r.period.canonical(),
                            r.center_type,
                            r.center_name
                        );
                        if let Some(&(f, first)) = keys.get(&key) {
                            return Err(RowError::from(duplicate(
                                "center_type",
                                first,
                                &table_files[f].shown,
                            )));
                        }
                        keys.insert(key, (k, rec.row));
                        coverage.add(&r.code, r.period);
                        Ok(sink.push(r)?)
                    })?;
                    files.push(entry);
                }
                sink.finish()?
            }
        };
        findings.extend(coverage.findings(table, &regions));
        tables.insert(table.name().to_string(), n);
    }
    Ok(Loaded {
        files,
        tables,
        quarantine,
        findings,
    })
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
        let x = crate::ingest::parse::parse_number(v)
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
