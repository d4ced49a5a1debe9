//! A file opened and its header mapped (titles, the header block, the
//! mapping): what both paths read a file's data rows with — the record
//! path ([`super::load`]) and the columnar one ([`super::columnar`]).

use crate::config::{Encoding, Source};
use crate::ingest::headers::{self, HeaderMap, MAX_PREAMBLE};
use crate::ingest::read::{self, RawRecord};
use crate::ingest::sheet;
use crate::ingest::{IngestError, Planned};
use crate::warehouse::FileEntry;
/// A file opened and its header mapped: what its data rows are read with.
pub(super) struct Head<'s> {
    pub(super) entry: FileEntry,
    pub(super) header: HeaderMap,
    /// The source, with the title's period standing in for a missing column.
    pub(super) src: std::borrow::Cow<'s, Source>,
    /// The first record under the header, read while looking for its end.
    pub(super) pending: Option<RawRecord>,
    pub(super) records: Box<dyn Iterator<Item = Result<RawRecord, read::ReadError>> + Send>,
    pub(super) bar: indicatif::ProgressBar,
    /// Bytes (CSV) or rows read so far, for the bar.
    pub(super) position: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The header is the file's first record: no titles, one header row.
    pub(super) first_row_header: bool,
}

/// Opens one file and maps its header: titles, then the header block, then
/// the mapping (a missing, empty or unmappable header stops the run).
pub(super) fn open_head<'s>(pf: &Planned, src: &'s Source) -> Result<Head<'s>, IngestError> {
    let opened = read::open(
        &pf.path,
        pf.format,
        pf.encoding,
        pf.sheet.as_deref(),
        pf.max_cells,
    )
    .map_err(|source| IngestError::Read {
        path: pf.shown.clone(),
        source,
    })?;
    let mut entry = entry_of(pf);
    entry.sheet = opened.sheet.clone();
    let read_err = |source| IngestError::Read {
        path: pf.shown.clone(),
        source,
    };
    let bar = crate::progress::bar(
        opened.progress_len,
        opened.progress_unit,
        format!("{} {}", pf.table.name(), pf.shown),
    );
    let position = opened.progress;
    let merges = opened.merges;
    let mut records = opened.records;
    // Titles, then the first row that names a column: the header block
    // opens there.
    let (titles, first, seen_any) = titles(&mut records, pf, src).map_err(read_err)?;
    entry.preamble_rows = titles.len() as u64;
    entry.filer_line = sheet::filer_line(&titles);
    let Some(first) = first else {
        if !seen_any {
            return Err(IngestError::Empty {
                path: pf.shown.clone(),
            });
        }
        return Err(IngestError::Header {
            path: pf.shown.clone(),
            source: headers::HeaderError::NotFound {
                expected: headers::expected_headers(pf.table, &src.layout),
                looked: headers::looked_at(&titles),
            },
        });
    };
    // The block: `header_rows` rows, or the rows under the first that hold
    // no number (30岁以下 | 30-44岁 … under a merged 年龄结构).
    let mut block = vec![first];
    let mut pending: Option<RawRecord> = None;
    let want = src.header_rows.unwrap_or(sheet::MAX_HEADER_ROWS);
    while block.len() < want {
        let Some(rec) = records.next() else { break };
        let rec = rec.map_err(read_err)?;
        if src.header_rows.is_some() || sheet::continues_header(&rec) {
            block.push(rec);
        } else {
            pending = Some(rec);
            break;
        }
    }
    let header_end = block.last().map(|r| r.row).unwrap_or(0);
    // A merged range that reaches into the data rows down a column would
    // have to be guessed through: refused, named as Excel names it.
    if let Some(m) = merges
        .iter()
        .find(|m| m.rows.1 > header_end && m.rows.0 != m.rows.1)
    {
        return Err(IngestError::MergedData {
            path: pf.shown.clone(),
            range: m.a1(),
        });
    }
    // A period the title names (2023年…统计表) stands in for a missing column.
    let title_period = sheet::title_period(&titles);
    let src_declares_period = src.constants.contains_key("period");
    let src: std::borrow::Cow<Source> = match (&title_period, src_declares_period) {
        (Some(p), false) => {
            let mut s = src.clone();
            s.constants.insert("period".into(), p.clone());
            std::borrow::Cow::Owned(s)
        }
        _ => std::borrow::Cow::Borrowed(src),
    };
    let (joined, parts) = sheet::join(&block);
    let joined = headers::block_record(&parts, joined.row, pf.table, &src);
    let header = match headers::map_header(&joined, pf.table, &src) {
        Ok(Some(h)) => h,
        Ok(None) => {
            return Err(IngestError::Header {
                path: pf.shown.clone(),
                source: headers::HeaderError::NotFound {
                    expected: headers::expected_headers(pf.table, &src.layout),
                    looked: headers::looked_at(&block),
                },
            })
        }
        Err(source) => {
            return Err(IngestError::Header {
                path: pf.shown.clone(),
                source,
            })
        }
    };
    // A flow file is a year-to-date (累计) series when its first data row
    // says so (or its source does): read that row now if the block did not.
    if pending.is_none() && block.len() == want {
        pending = records.next().transpose().map_err(read_err)?;
    }
    // Blank lines under the header are no rows: the first row is below them.
    while pending
        .as_ref()
        .is_some_and(|r| r.cells.iter().all(Option::is_none))
    {
        pending = records.next().transpose().map_err(read_err)?;
    }
    let mut header = header;
    if !header.stock {
        let first_says = pending
            .as_ref()
            .and_then(|r| header.cell(r, "period"))
            .is_some_and(crate::contract::grammar::says_cumulative);
        header.cumulative_by_row = first_says && !header.cumulative;
        header.cumulative |= first_says;
    }
    entry.header_rows = block.iter().map(|r| r.row).collect();
    if header.constant("period").is_some() && !src_declares_period {
        entry.period_from_title = title_period;
    }
    entry.unknown_columns = header.unknown.clone();
    // Each column as the file's header names it (the correction lists
    // speak the office's words): the canonical column, then the name
    // column a code was found by.
    let text = |i: usize| joined.cells.get(i).cloned().flatten();
    for (col, at) in header.columns.iter().zip(&header.index) {
        if let Some(t) = at.and_then(text) {
            entry.headers.insert(col.name.to_string(), t);
        }
    }
    if let Some(t) = header.name_index.and_then(text) {
        entry.headers.insert("region_name".into(), t.clone());
        entry.headers.entry("region_code".into()).or_insert(t);
    }
    entry.ignored_columns = header.ignored.clone();
    let first_row_header = titles.is_empty() && block.len() == 1 && block[0].row == 1;
    Ok(Head {
        entry,
        header,
        src,
        pending,
        records,
        bar,
        position,
        first_row_header,
    })
}

/// A planned file's manifest entry before anything is read from it.
pub(super) fn entry_of(pf: &Planned) -> FileEntry {
    FileEntry {
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
        sheet: pf.sheet.clone(),
        hash: format!("blake3:{}", pf.probe.blake3),
        hash_algorithm: "blake3".into(),
        bytes: pf.probe.bytes,
        preamble_rows: 0,
        header_rows: vec![],
        rows_read: 0,
        rows_stored: 0,
        rows_quarantined: 0,
        rows_total: 0,
        rows_note: 0,
        lines_in_cells: 0,
        rows_recoded: 0,
        rows_renamed: 0,
        period_from_title: None,
        unknown_columns: vec![],
        ignored_columns: vec![],
        filed_by: None,
        filer_line: None,
        filer_column: Vec::new(),
        received_at: None,
        received_from: None,
        superseded_by: None,
        modified_nanos: None,
        headers: Default::default(),
    }
}

/// The title rows above a file's header, the header's first row, and
/// whether the file holds any row at all.
type Titles = (Vec<RawRecord>, Option<RawRecord>, bool);

fn titles(
    records: &mut dyn Iterator<Item = Result<RawRecord, read::ReadError>>,
    pf: &Planned,
    src: &Source,
) -> Result<Titles, read::ReadError> {
    let mut titles: Vec<RawRecord> = Vec::new();
    let mut seen_any = false;
    for rec in records {
        let rec = rec?;
        seen_any = true;
        if headers::matches_any(&rec, pf.table, src) {
            return Ok((titles, Some(rec), true));
        }
        if titles.len() >= MAX_PREAMBLE {
            break;
        }
        titles.push(rec);
    }
    Ok((titles, None, seen_any))
}

/// Headers of a column that names who filed a return; a street column
/// (`headers::STREET_HEADERS`) does too when every row names one street.
const FILER_COLUMNS: [&str; 2] = ["填报单位", "报送单位"];

/// Who a return says filed it, read before its rows are (`[collection]`: a
/// superseded return is never read).
#[derive(Debug, Default)]
pub(super) struct Filer {
    /// The 填报单位 line of its titles.
    pub line: Option<String>,
    /// The sheet read.
    pub sheet: Option<String>,
    /// The distinct values, in its first 200 rows, of a column headed
    /// 填报单位, 报送单位 or a street's header (街道, 乡镇 …).
    pub column: Vec<String>,
}

/// A return's [`Filer`]; nothing when the file does not open (reading it
/// reports why).
pub(super) fn filer_of(pf: &Planned, src: &Source) -> Filer {
    let Ok(opened) = read::open(
        &pf.path,
        pf.format,
        pf.encoding,
        pf.sheet.as_deref(),
        pf.max_cells,
    ) else {
        return Filer::default();
    };
    let sheet = opened.sheet.clone();
    let mut records = opened.records;
    let Ok((titles, header, _)) = titles(&mut records, pf, src) else {
        return Filer {
            sheet,
            ..Filer::default()
        };
    };
    let squeeze = |c: &str| -> String { c.chars().filter(|c| !c.is_whitespace()).collect() };
    let at = header.as_ref().and_then(|h| {
        h.cells.iter().position(|c| {
            c.as_deref().is_some_and(|c| {
                let c = squeeze(c);
                FILER_COLUMNS.contains(&c.as_str()) || headers::STREET_HEADERS.contains(&c.as_str())
            })
        })
    });
    let mut column: Vec<String> = Vec::new();
    if let Some(at) = at {
        for rec in records.take(200).flatten() {
            if let Some(v) = rec.cells.get(at).cloned().flatten() {
                let v = squeeze(&v);
                if !v.is_empty() && !column.contains(&v) {
                    column.push(v);
                }
            }
        }
    }
    Filer {
        line: sheet::filer_line(&titles),
        sheet,
        column,
    }
}
