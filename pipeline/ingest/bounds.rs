//! Bounded readers (issue 26): what a workbook *claims* is checked against a
//! cell budget before a reader materialises it, so that a few kilobytes of
//! XML or one changed header byte cannot ask the machine for terabytes.
//!
//! | format | what is checked, before calamine reads the file | budget |
//! |---|---|---|
//! | XLSX | every cell reference, as the cells stream in ([`Extent`], used by `read::open_xlsx`): blank `<c/>` cells cost nothing | extent and count ≤ `max_cells` |
//! | ODS  | `content.xml` scanned for `number-rows-repeated` × `number-columns-repeated` of the cells that hold something ([`check_ods`]); runs of blank cells and blank rows at the end are free, as LibreOffice writes them | extent and cells read ≤ `max_cells`, every sheet (calamine reads them all on open) |
//! | XLS, `.et` | the compound file's header and sector chains (DIFAT, FAT, directory, mini stream, each stream) walked against the file's length, loops refused ([`check_xls`]); then the workbook stream's `DIMENSIONS` and cell records | every claim ≤ the file; extent ≤ `max_cells` |
//!
//! The extent of a sheet is (last row − first row + 1) × (last column −
//! first column + 1) over the cells that hold a value: what a dense grid
//! of it costs. `max_cells` is `[limits] max_cells`, default
//! [`DEFAULT_MAX_CELLS`] = 20 million cells a sheet: more than a full Excel
//! sheet (1,048,576 rows) of 19 columns, some 400× the largest return a
//! district collects. A cell costs up to ~130 bytes at the peak of reading
//! (calamine's grid and formulas, then ingest's records; measured: an ODS
//! row repeated into 7 million cells peaked at 0.9 GB), so the default
//! holds a sheet to ~2.6 GB; raise it for a bigger sheet, lower it on a
//! small machine.

use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::Path;

use super::read_error::ReadError;

/// The default `[limits] max_cells`: cells a sheet may span.
pub use crate::config::DEFAULT_MAX_CELLS;

/// `1,048,576`: counts in messages, as a clerk reads them.
pub fn grouped(n: u128) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `XFD1048576` for 0-based (row, column).
pub fn a1(row: u64, col: u64) -> String {
    format!("{}{}", super::read_error::column_letters(col), row + 1)
}

fn too_large(sheet: &str, claim: String, max_cells: u64) -> ReadError {
    ReadError::TooLarge {
        sheet: sheet.to_string(),
        claim,
        limit: grouped(max_cells as u128),
    }
}

/// The cells of a sheet that hold a value, as they stream in: their count
/// and bounding box, checked against the budget at every cell.
#[derive(Debug, Clone)]
pub struct Extent {
    max_cells: u64,
    cells: u64,
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Extent {
    pub fn new(max_cells: u64) -> Extent {
        Extent {
            max_cells,
            cells: 0,
            rows: None,
            cols: None,
        }
    }

    /// Counts a cell at 0-based (row, col); refuses the sheet when the box
    /// or the count passes the budget, naming the cell that did it.
    pub fn add(&mut self, sheet: &str, row: u64, col: u64) -> Result<(), ReadError> {
        self.cells += 1;
        let widen = |r: Option<(u64, u64)>, x: u64| match r {
            None => (x, x),
            Some((lo, hi)) => (lo.min(x), hi.max(x)),
        };
        self.rows = Some(widen(self.rows, row));
        self.cols = Some(widen(self.cols, col));
        let (h, w) = self.shape();
        let size = h as u128 * w as u128;
        if size > self.max_cells as u128 {
            return Err(too_large(
                sheet,
                format!(
                    "a cell at {} would make the sheet {} cells ({} rows × {} columns)",
                    a1(row, col),
                    grouped(size),
                    grouped(h as u128),
                    grouped(w as u128)
                ),
                self.max_cells,
            ));
        }
        if self.cells > self.max_cells {
            return Err(too_large(
                sheet,
                format!(
                    "the sheet holds more than {} cells",
                    grouped(self.max_cells as u128)
                ),
                self.max_cells,
            ));
        }
        Ok(())
    }

    /// Rows × columns of the bounding box (0 × 0 when empty).
    pub fn shape(&self) -> (u64, u64) {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (r1 - r0 + 1, c1 - c0 + 1),
            _ => (0, 0),
        }
    }

    /// The last column holding a value (0-based), if any.
    pub fn last_col(&self) -> Option<u64> {
        self.cols.map(|(_, hi)| hi)
    }
}

// ---------------------------------------------------------------- ODS

/// Checks every sheet of an ODS file's `content.xml` against the budget, as
/// calamine would expand it: a row's cells up to its last non-blank one
/// (its blank tail is never stored), a row repeated `number-rows-repeated`
/// times, blank rows after the last non-blank one dropped.
pub fn check_ods(path: &Path, max_cells: u64) -> Result<(), ReadError> {
    let file = std::fs::File::open(path)?;
    let mut zip = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(z) => z,
        // Not a zip: calamine says so in its own words.
        Err(_) => return Ok(()),
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    scan_ods_content(BufReader::new(content), max_cells)
}

/// One `<table:table-row>` as far as the budget is concerned.
#[derive(Default)]
struct OdsRow {
    repeat: u64,
    /// Cells up to and including the last non-blank one (what calamine stores).
    width: u64,
    /// Position of the first non-blank cell.
    first: Option<u64>,
    /// The largest `number-columns-repeated` of a non-blank cell.
    widest_repeat: u64,
}

#[derive(Default)]
struct OdsSheet {
    name: String,
    /// Spreadsheet row (0-based) where the next row element starts.
    at: u64,
    stored: u128,
    first_row: Option<u64>,
    /// One past the last row of the last non-blank row element.
    end_row: u64,
    first_col: Option<u64>,
    last_col: u64,
    /// The row element with the largest repeat among non-blank ones: (row, repeat).
    tallest: (u64, u64),
    /// The non-blank cell with the largest repeat: (row, repeat).
    widest: (u64, u64),
}

impl OdsSheet {
    fn row_done(&mut self, row: &OdsRow, max_cells: u64) -> Result<(), ReadError> {
        let start = self.at;
        self.at = self.at.saturating_add(row.repeat);
        let Some(first) = row.first else {
            return Ok(());
        };
        // calamine stores a row element's cells once, then repeats them.
        self.stored += row.width as u128;
        self.first_row.get_or_insert(start);
        self.end_row = self.at;
        self.first_col = Some(self.first_col.map_or(first, |c| c.min(first)));
        self.last_col = self.last_col.max(row.width - 1);
        if row.repeat > self.tallest.1 {
            self.tallest = (start, row.repeat);
        }
        if row.widest_repeat > self.widest.1 {
            self.widest = (start, row.widest_repeat);
        }
        let h = (self.end_row - self.first_row.unwrap_or(0)) as u128;
        let w = (self.last_col - self.first_col.unwrap_or(0) + 1) as u128;
        if h * w > max_cells as u128 || self.stored > max_cells as u128 {
            let mut why = Vec::new();
            if self.tallest.1 > 1 {
                why.push(format!(
                    "row {} repeated {} times (number-rows-repeated)",
                    grouped(self.tallest.0 as u128 + 1),
                    grouped(self.tallest.1 as u128)
                ));
            }
            if self.widest.1 > 1 {
                why.push(format!(
                    "a cell of row {} repeated {} times (number-columns-repeated)",
                    grouped(self.widest.0 as u128 + 1),
                    grouped(self.widest.1 as u128)
                ));
            }
            let because = if why.is_empty() {
                String::new()
            } else {
                format!(": {}", why.join(", "))
            };
            return Err(too_large(
                &self.name,
                format!(
                    "its repeated rows and cells would make the sheet {} cells ({} rows × {} columns){because}",
                    grouped(h.max(1) * w),
                    grouped(h),
                    grouped(w)
                ),
                max_cells,
            ));
        }
        Ok(())
    }
}

fn attr_u64(e: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Result<Option<u64>, ReadError> {
    for a in e.attributes().flatten() {
        if a.key.as_ref() == key {
            let text = String::from_utf8_lossy(&a.value).to_string();
            return text.trim().parse::<u64>().map(Some).map_err(|_| {
                ReadError::Excel(format!(
                    "content.xml: {}=\"{text}\" is not a count",
                    String::from_utf8_lossy(key)
                ))
            });
        }
    }
    Ok(None)
}

fn has_attr(e: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> bool {
    e.attributes().flatten().any(|a| a.key.as_ref() == key)
}

fn scan_ods_content<R: std::io::BufRead>(input: R, max_cells: u64) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(input);
    xml.config_mut().expand_empty_elements = true;
    let mut buf = Vec::with_capacity(1024);
    let mut sheet: Option<OdsSheet> = None;
    let mut row: Option<OdsRow> = None;
    // The open cell: (its repeat, whether it holds something so far).
    let mut cell: Option<(u64, bool)> = None;
    let mut col: u64 = 0;
    loop {
        let ev = xml
            .read_event_into(&mut buf)
            .map_err(|e| ReadError::Excel(format!("content.xml: {e}")))?;
        match ev {
            Event::Start(ref e) => match e.name().as_ref() {
                b"table:table" => {
                    let name = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == b"table:name")
                        .map(|a| String::from_utf8_lossy(&a.value).to_string())
                        .unwrap_or_default();
                    sheet = Some(OdsSheet {
                        name,
                        ..OdsSheet::default()
                    });
                }
                b"table:table-row" if sheet.is_some() => {
                    row = Some(OdsRow {
                        repeat: attr_u64(e, b"table:number-rows-repeated")?.unwrap_or(1),
                        ..OdsRow::default()
                    });
                    col = 0;
                }
                b"table:table-cell" | b"table:covered-table-cell" if row.is_some() => {
                    let repeat = attr_u64(e, b"table:number-columns-repeated")?.unwrap_or(1);
                    let valued = has_attr(e, b"office:value-type") || has_attr(e, b"table:formula");
                    cell = Some((repeat, valued));
                }
                // Anything inside a cell (text:p, …) may be a value: counted.
                _ => {
                    if let Some((_, valued)) = cell.as_mut() {
                        *valued = true;
                    }
                }
            },
            Event::End(ref e) => match e.name().as_ref() {
                b"table:table-cell" | b"table:covered-table-cell" => {
                    if let (Some((repeat, valued)), Some(r)) = (cell.take(), row.as_mut()) {
                        if valued {
                            r.first.get_or_insert(col);
                            r.width = col.saturating_add(repeat);
                            r.widest_repeat = r.widest_repeat.max(repeat);
                        }
                        col = col.saturating_add(repeat);
                    }
                }
                b"table:table-row" => {
                    if let (Some(r), Some(s)) = (row.take(), sheet.as_mut()) {
                        s.row_done(&r, max_cells)?;
                    }
                }
                b"table:table" => sheet = None,
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

// ---------------------------------------------------------------- XLS

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn damaged(what: String) -> ReadError {
    ReadError::Excel(format!(
        "the file is damaged or not a valid XLS file: {what}; open it in Excel or WPS and save it again, or ask the sender for a new copy"
    ))
}

/// The compound file (CFB) an XLS workbook is stored in, read the way
/// calamine reads it, but with every sector number, chain and length
/// checked against the file before anything is allocated.
struct Cfb<'a> {
    /// The file after its header: sector `i` starts at `i * size`.
    data: &'a [u8],
    size: usize,
    fat: Vec<u32>,
}

impl Cfb<'_> {
    fn sector(&self, id: u32, what: &str) -> Result<&[u8], ReadError> {
        let start = id as usize as u128 * self.size as u128;
        if start > self.data.len() as u128 {
            return Err(damaged(format!(
                "{what} names sector {id}, past the end of the file ({} bytes)",
                grouped(self.data.len() as u128 + self.size as u128)
            )));
        }
        let start = start as usize;
        Ok(&self.data[start..(start + self.size).min(self.data.len())])
    }

    /// A chain of sectors through the FAT, as calamine's `get_chain`:
    /// `claimed` bytes are reserved up front, so they must fit in the file.
    fn chain(&self, first: u32, claimed: u64, what: &str) -> Result<Vec<u8>, ReadError> {
        if claimed > self.data.len() as u64 + self.size as u64 {
            return Err(damaged(format!(
                "{what} claims {} bytes, more than the file's {}",
                grouped(claimed as u128),
                grouped(self.data.len() as u128 + self.size as u128)
            )));
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut id = first;
        while id != ENDOFCHAIN {
            if !seen.insert(id) {
                return Err(damaged(format!(
                    "{what}'s chain of sectors loops at sector {id}"
                )));
            }
            out.extend_from_slice(self.sector(id, what)?);
            id = *self.fat.get(id as usize).ok_or_else(|| {
                damaged(format!(
                    "{what} names sector {id}, which the file's FAT does not hold"
                ))
            })?;
        }
        if claimed > 0 {
            out.truncate(claimed as usize);
        }
        Ok(out)
    }
}

fn words(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
}

/// Checks an XLS (or WPS `.et`) file before calamine opens it: its compound
/// file structure (every claim within the file, no chain that loops), then
/// every sheet's `DIMENSIONS` claim and cell positions against the budget.
/// A file that is not a compound file is left to calamine's own message.
pub fn check_xls(path: &Path, max_cells: u64) -> Result<(), ReadError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    check_xls_bytes(&bytes, max_cells)
}

fn check_xls_bytes(bytes: &[u8], max_cells: u64) -> Result<(), ReadError> {
    if bytes.len() < 512 || u32_at(bytes, 0) != Some(0xE011_CFD0) {
        return Ok(());
    }
    let size = match u16_at(bytes, 30) {
        Some(9) => 512usize,
        Some(12) => 4096,
        _ => return Ok(()), // calamine names the bad sector shift
    };
    if bytes.len() < size {
        return Err(damaged("the file ends inside its header".into()));
    }
    let field = |at| u32_at(bytes, at).expect("header is 512 bytes");
    let dir_len = field(40) as u64;
    let fat_len = field(44) as u64;
    let dir_start = field(48);
    let mini_fat_start = field(60);
    let mini_fat_len = field(64) as u64;
    let difat_start = field(68);
    let file_len = bytes.len() as u64;
    let sectors_in_file = file_len / size as u64 + 1;
    if fat_len > sectors_in_file {
        return Err(damaged(format!(
            "its header claims {} FAT sectors; the file holds {}",
            grouped(fat_len as u128),
            grouped(sectors_in_file as u128)
        )));
    }
    // calamine reserves room for this many DIFAT entries, read from bytes
    // 62..66 of the header (the high half of the mini FAT's start and the
    // low half of its length): in a real file, a few hundred thousand.
    let reserved = field(62) as u64;
    if reserved > 1 << 26 {
        return Err(damaged(format!(
            "its header (bytes 60–67, the mini FAT) would make the reader reserve {} entries",
            grouped(reserved as u128)
        )));
    }
    let mut cfb = Cfb {
        data: &bytes[size..],
        size,
        fat: Vec::new(),
    };
    // DIFAT: 109 entries in the header, then a chain of its own.
    let mut difat: Vec<u32> = words(&bytes[76..512]).collect();
    let mut seen = HashSet::new();
    let mut id = difat_start;
    while id < RESERVED {
        if !seen.insert(id) {
            return Err(damaged(format!(
                "the DIFAT's chain of sectors loops at sector {id}"
            )));
        }
        difat.extend(words(cfb.sector(id, "the DIFAT")?));
        id = difat.pop().unwrap_or(ENDOFCHAIN);
    }
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|id| *id < DIFSECT) {
        fat.extend(words(cfb.sector(id, "the DIFAT")?));
    }
    cfb.fat = fat;
    let dirs = cfb.chain(dir_start, dir_len * size as u64, "the directory")?;
    struct Entry {
        name: String,
        kind: u8,
        start: u32,
        len: u64,
    }
    let entries: Vec<Entry> = dirs
        .chunks(128)
        .filter(|c| c.len() == 128)
        .map(|c| {
            let units: Vec<u16> = c[..64]
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .take_while(|u| *u != 0)
                .collect();
            Entry {
                name: String::from_utf16_lossy(&units),
                kind: c[66],
                start: u32_at(c, 116).expect("128 bytes"),
                len: if size == 512 {
                    u32_at(c, 120).expect("128 bytes") as u64
                } else {
                    u64::from_le_bytes(c[120..128].try_into().expect("8 bytes"))
                },
            }
        })
        .collect();
    let Some(root) = entries.first() else {
        return Ok(()); // calamine: "Empty Root directory"
    };
    let (mini_fat, mini) = if mini_fat_len > 0 {
        let mini = cfb.chain(root.start, root.len, "the mini stream")?;
        let mini_fat: Vec<u32> =
            words(&cfb.chain(mini_fat_start, mini_fat_len * size as u64, "the mini FAT")?)
                .collect();
        (mini_fat, mini)
    } else {
        (Vec::new(), Vec::new())
    };
    // Every stream, and whatever calamine would read by name.
    let mut workbook = None;
    for e in &entries {
        let named = e.name == "Workbook" || e.name == "Book";
        if e.kind != 2 && !named {
            continue;
        }
        let what = format!("the stream '{}'", e.name);
        let data = if e.len < 4096 {
            let mut out = Vec::new();
            let mut seen = HashSet::new();
            let mut id = e.start;
            while id != ENDOFCHAIN {
                if !seen.insert(id) {
                    return Err(damaged(format!(
                        "{what}'s chain of mini sectors loops at {id}"
                    )));
                }
                let start = id as usize * 64;
                if start >= mini.len() {
                    return Err(damaged(format!(
                        "{what} names mini sector {id}, past the end of the mini stream"
                    )));
                }
                out.extend_from_slice(&mini[start..(start + 64).min(mini.len())]);
                id = *mini_fat.get(id as usize).ok_or_else(|| {
                    damaged(format!(
                        "{what} names mini sector {id}, which the mini FAT does not hold"
                    ))
                })?;
            }
            out.truncate(e.len as usize);
            out
        } else {
            cfb.chain(e.start, e.len, &what)?
        };
        if named && workbook.is_none() {
            workbook = Some(data);
        }
    }
    match workbook {
        Some(stream) => check_biff(&stream, max_cells),
        None => Ok(()),
    }
}

/// BIFF records of the workbook stream: (type, data), continuations apart.
fn records(mut s: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let t = u16_at(s, 0)?;
        let len = u16_at(s, 2)? as usize;
        let data = s.get(4..4 + len)?;
        s = &s[4 + len..];
        Some((t, data))
    })
}

/// Each sheet's `DIMENSIONS` claim (calamine reserves rows × columns for
/// it) and the cells it holds, against the budget.
fn check_biff(stream: &[u8], max_cells: u64) -> Result<(), ReadError> {
    let mut sheets = Vec::new();
    for (t, d) in records(stream) {
        if t == 0x0085 && d.len() >= 8 {
            let pos = u32_at(d, 0).expect("8 bytes") as usize;
            let name_len = d[6] as usize;
            let name = if d[7] & 1 == 1 {
                let units: Vec<u16> = d[8..]
                    .chunks_exact(2)
                    .take(name_len)
                    .map(|p| u16::from_le_bytes([p[0], p[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            } else {
                String::from_utf8_lossy(&d[8..(8 + name_len).min(d.len())]).to_string()
            };
            sheets.push((pos, name));
        }
    }
    for (pos, name) in sheets {
        let Some(sheet) = stream.get(pos..) else {
            return Err(damaged(format!(
                "sheet '{name}' starts at byte {pos}, past the end of the workbook stream"
            )));
        };
        let mut extent = Extent::new(max_cells);
        for (t, d) in records(sheet) {
            match t {
                0x0200 => {
                    let (rf, rl, cf, cl) = match d.len() {
                        10 => (
                            u16_at(d, 0).unwrap_or(0) as u64,
                            u16_at(d, 2).unwrap_or(0) as u64,
                            u16_at(d, 4).unwrap_or(0) as u64,
                            u16_at(d, 6).unwrap_or(0) as u64,
                        ),
                        14 => (
                            u32_at(d, 0).unwrap_or(0) as u64,
                            u32_at(d, 4).unwrap_or(0) as u64,
                            u16_at(d, 8).unwrap_or(0) as u64,
                            u16_at(d, 10).unwrap_or(0) as u64,
                        ),
                        _ => continue,
                    };
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    if rl >= 1 && cl >= 1 {
                        if rl - 1 < rf {
                            return Err(damaged(format!(
                                "sheet '{name}': its DIMENSIONS record ends (row {rl}) before it starts (row {})",
                                rf + 1
                            )));
                        }
                        let (h, w) = ((rl - rf) as u128, (cl - cf) as u128);
                        if h * w > max_cells as u128 {
                            return Err(too_large(
                                &name,
                                format!(
                                    "its DIMENSIONS record claims {} rows × {} columns = {} cells",
                                    grouped(h),
                                    grouped(w),
                                    grouped(h * w)
                                ),
                                max_cells,
                            ));
                        }
                    }
                }
                0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 if d.len() >= 4 => {
                    let (r, c) = (u16_at(d, 0).unwrap_or(0), u16_at(d, 2).unwrap_or(0));
                    extent.add(&name, r as u64, c as u64)?;
                }
                0x00BD if d.len() >= 6 => {
                    let r = u16_at(d, 0).unwrap_or(0) as u64;
                    let first = u16_at(d, 2).unwrap_or(0) as u64;
                    let last = u16_at(d, d.len() - 2).unwrap_or(0) as u64;
                    if last >= first {
                        extent.add(&name, r, first)?;
                        extent.add(&name, r, last)?;
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_far_cell_is_refused_naming_it_and_the_size() {
        let mut e = Extent::new(DEFAULT_MAX_CELLS);
        e.add("Sheet1", 0, 0).unwrap();
        let err = e.add("Sheet1", 1_048_575, 16_383).unwrap_err().to_string();
        assert!(err.contains("a cell at XFD1048576"), "{err}");
        assert!(err.contains("17,179,869,184 cells"), "{err}");
        assert!(err.contains("20,000,000"), "{err}");
    }

    #[test]
    fn a_sheet_within_the_budget_passes() {
        let mut e = Extent::new(100);
        for r in 0..10 {
            for c in 0..10 {
                e.add("s", r, c).unwrap();
            }
        }
        assert_eq!(e.shape(), (10, 10));
        assert!(e.add("s", 10, 0).is_err());
    }

    fn ods(rows: &str) -> String {
        format!(
            r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    #[test]
    fn ods_blank_repeats_cost_nothing() {
        // LibreOffice's blank tails: a row's last cells and the sheet's last rows.
        let xml = ods(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#,
        );
        scan_ods_content(xml.as_bytes(), 10).unwrap();
    }

    #[test]
    fn ods_repeat_bomb_is_refused_naming_the_repeats() {
        let xml = ods(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#,
        );
        let err = scan_ods_content(xml.as_bytes(), DEFAULT_MAX_CELLS)
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 2 repeated 1,000,000 times"), "{err}");
        assert!(err.contains("repeated 16,384 times"), "{err}");
        assert!(
            err.contains("16,384,016,384") || err.contains("cells ("),
            "{err}"
        );
    }

    #[test]
    fn xls_claims_past_the_file_are_refused() {
        let mut b = vec![0u8; 1024];
        b[0..8].copy_from_slice(&0xE11A_B1A1_E011_CFD0u64.to_le_bytes());
        b[30] = 9;
        b[32] = 6;
        b[44..48].copy_from_slice(&1u32.to_le_bytes());
        b[48..52].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        b[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        b[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        for i in 0..109 {
            b[76 + 4 * i..80 + 4 * i].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        }
        // The first DIFAT entry names a sector 3 billion sectors away.
        b[76..80].copy_from_slice(&3_000_000_000u32.to_le_bytes());
        let err = check_xls_bytes(&b, DEFAULT_MAX_CELLS)
            .unwrap_err()
            .to_string();
        assert!(err.contains("past the end of the file"), "{err}");
    }

    #[test]
    fn grouped_counts() {
        assert_eq!(grouped(17_179_869_184), "17,179,869,184");
        assert_eq!(grouped(999), "999");
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
    }
}
