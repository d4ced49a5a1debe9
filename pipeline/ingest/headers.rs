//! Header mapping: which cell of a record feeds which canonical column.
//!
//! A header cell matches, in this order: the source's `columns` map, the
//! canonical name (any case), a built-in Chinese alias. A unit in brackets at
//! the end (`人数（人）`, `满意度(%)`) is ignored for matching. Unknown
//! columns are kept out of the warehouse and listed in the manifest; they
//! never make a row fail.

use crate::config::{Layout, Source};
use crate::contract::grammar::{parse_band, Band, Unit};
use crate::contract::{Column, Table, MEMBER_AGES, MEMBER_PERSONS};
use crate::ingest::read::{AsCell, RawRecord};

/// How many leading rows may be titles before the header must appear.
pub const MAX_PREAMBLE: usize = 20;

/// The mapping of one file's header.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    /// The columns this layout reads.
    pub columns: &'static [Column],
    /// For each of `columns`, the index of the cell that feeds it.
    pub index: Vec<Option<usize>>,
    /// Wide layout: (cell index, band, header text) per band column.
    pub bands: Vec<(usize, Band, String)>,
    /// Header cells that matched nothing.
    pub unknown: Vec<String>,
    /// The header's row number.
    pub row: u64,
    /// Cells in the header row, named or not (cells beyond it are an E_PARSE).
    pub header_width: usize,
    /// For each of `columns`, the source's constant when the sheet has no
    /// such column (`[sources.<t>.constants]`, or the title's period).
    pub constants: Vec<Option<String>>,
    /// A fact table's region-name column (社区名称 …): codes are found by
    /// name where a row has none ([`super::names`]).
    pub name_index: Option<usize>,
    /// A 街道/乡镇 column, the scope a name is looked up in.
    pub street_index: Option<usize>,
    /// The sheet has no code column: the code found by name is appended to
    /// each record, at position `header_width - 1`.
    pub code_appended: bool,
    /// Headers the source's `ignore` names: read, mapped to nothing.
    pub ignored: Vec<String>,
    /// For each of `columns`, the multiplier its header's unit says
    /// (`受理数(万件)`: 10,000), and the band columns' (wide layout).
    pub scales: Vec<Option<f64>>,
    pub band_scale: Option<f64>,
    /// The run's period kind, and whether the table holds stocks
    /// (member_ages): a stock may be published as at a day, a flow not.
    pub period_kind: crate::contract::grammar::PeriodKind,
    pub stock: bool,
    /// Columns whose headers name a period (`Civil Disputes (cases) 1999`,
    /// `调解民间纠纷(件) 2010`): per period, in the order first met, each
    /// (column, cell, unit) it fills. A data row is read once per period
    /// ([`HeaderMap::per_period`]).
    pub by_period: Vec<(String, Vec<PeriodCell>)>,
    /// The rows are a printed outline (ingest/outline.rs): an `outline`
    /// column, or the source's `outline = true`.
    pub outline: bool,
    /// The file is year-to-date because its first data row says 累计 (not
    /// its source): then every row must say so.
    pub cumulative_by_row: bool,
    /// The file's periods are year-to-date (累计) figures: the source says
    /// `cumulative = true`, or its first data row's period says 累计 (set
    /// when the file is opened, [`super::head`]).
    pub cumulative: bool,
    /// Indicators, wide layout: (cell index, indicator, the unit its
    /// header's brackets say) per indicator column.
    pub indicator_cells: Vec<(usize, String, Option<Unit>)>,
    /// Indicators, long layout: the unit the value column's header names
    /// (`数值(万件)`).
    pub value_unit: Option<Unit>,
}

/// A column named with a period: (column, cell, the unit its header says).
pub type PeriodCell = (usize, usize, Option<f64>);

/// Headers of a fact table's region-name column. A bare `名称` is not one:
/// a service-usage sheet's 名称 is as likely the centre's.
const NAME_HEADERS: [&str; 9] = [
    "社区名称",
    "村（社区）名称",
    "村(社区)名称",
    "社区（村）名称",
    "村居名称",
    "村（居）名称",
    "单位名称",
    "社区",
    "region_name",
];

/// Headers of a street column, the scope of a name.
pub(super) const STREET_HEADERS: [&str; 7] = [
    "街道",
    "乡镇",
    "街道（乡镇）",
    "乡镇（街道）",
    "街乡",
    "所属街道",
    "街道名称",
];

impl HeaderMap {
    /// The maps a data row is read through: this one, or one per period its
    /// headers name, each with that period's cells in its columns and the
    /// period as a constant.
    pub fn per_period(&self) -> Vec<std::borrow::Cow<'_, HeaderMap>> {
        if self.by_period.is_empty() {
            return vec![std::borrow::Cow::Borrowed(self)];
        }
        let at = |name: &str| self.columns.iter().position(|c| c.name == name);
        self.by_period
            .iter()
            .map(|(period, cells)| {
                let mut m = self.clone();
                m.by_period = Vec::new();
                for &(c, cell, unit) in cells {
                    m.index[c] = Some(cell);
                    m.scales[c] = unit;
                }
                if let Some(p) = at("period") {
                    m.constants[p] = Some(period.clone());
                }
                std::borrow::Cow::Owned(m)
            })
            .collect()
    }

    /// The multiplier of the member-age counts: the unit their header says
    /// (`人数(万名)`), else the source's `scale`.
    pub fn count_scale(&self, source_scale: f64) -> f64 {
        let count = self.columns.iter().position(|c| c.name == "count");
        count
            .and_then(|c| self.scales[c])
            .or(self.band_scale)
            .unwrap_or(source_scale)
    }

    /// The unit column `name`'s header says, 1 included (`党员总数(人)`).
    pub fn unit_of(&self, name: &str) -> Option<f64> {
        let c = self.columns.iter().position(|c| c.name == name)?;
        self.scales[c]
    }

    /// The multiplier column `name`'s header says (`受理数(万件)`), if any.
    pub fn scale_of(&self, name: &str) -> Option<f64> {
        let c = self.columns.iter().position(|c| c.name == name)?;
        self.scales[c].filter(|s| *s != 1.0)
    }

    pub fn cell<'a>(&'a self, rec: &'a RawRecord, column: &str) -> Option<&'a str> {
        self.cell_of(&rec.cells, column)
    }

    /// [`HeaderMap::cell`] of a row's cells, owned or borrowed.
    pub fn cell_of<'a, C: AsCell>(&'a self, cells: &'a [C], column: &str) -> Option<&'a str> {
        let i = self.columns.iter().position(|c| c.name == column)?;
        match self.index[i] {
            Some(idx) => cells.get(idx).and_then(|c| c.text()),
            None => self.constants[i].as_deref(),
        }
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns
            .iter()
            .position(|c| c.name == column)
            .is_some_and(|i| self.index[i].is_some() || self.constants[i].is_some())
    }

    /// The constant standing in for `column`, when the sheet has none.
    pub fn constant(&self, column: &str) -> Option<&str> {
        let i = self.columns.iter().position(|c| c.name == column)?;
        self.constants[i].as_deref()
    }

    /// Number of cells the header spans (cells beyond it are an E_PARSE).
    pub fn width(&self) -> usize {
        self.header_width
    }
}

/// Why a header could not be mapped; the caller adds the file's path.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderError {
    NotFound {
        expected: String,
        /// The rows looked at, each by its first cells.
        looked: String,
    },
    Missing {
        column: String,
        row: u64,
        headers: String,
    },
    Twice {
        column: String,
        first: String,
        second: String,
        row: u64,
    },
    /// A header's unit and the source's `scale` disagree.
    UnitClash {
        header: String,
        unit: f64,
        scale: f64,
        row: u64,
    },
    NoBands {
        row: u64,
    },
    /// A period column beside headers that name their periods.
    PeriodTwice {
        column: String,
        named: String,
        row: u64,
    },
}

impl std::error::Error for HeaderError {}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::NotFound { expected, looked } => write!(
                f,
                "no header row found in the first {MAX_PREAMBLE} rows (expected columns such as {expected}); rows looked at: {looked}"
            ),
            HeaderError::Missing { column, row, headers } => write!(
                f,
                "header (row {row}) has no column for '{column}' (headers: {headers}); add it, or map a header to it in the source's columns"
            ),
            HeaderError::UnitClash { header, unit, scale, row } => write!(
                f,
                "header (row {row}): '{header}' says its numbers are in units of {unit}, but the source's scale = {scale}: remove scale from the config (the header's unit is used) or correct the header"
            ),
            HeaderError::Twice { column, first, second, row } => write!(
                f,
                "header (row {row}): both '{first}' and '{second}' map to '{column}' (keep one: ignore = [\"{first}\"] in the source keeps '{second}', ignore = [\"{second}\"] keeps '{first}')"
            ),
            HeaderError::PeriodTwice { column, named, row } => write!(
                f,
                "header (row {row}): '{column}' is a period column, but '{named}' names its own period: keep one (ignore = [\"{column}\"] reads each year from the headers; or drop the year from the headers)"
            ),
            HeaderError::NoBands { row } => write!(
                f,
                "header (row {row}): a wide member_ages source needs band columns (e.g. 30岁以下, 30-44岁, 45岁及以上), none found"
            ),
        }
    }
}

/// The columns a source reads, given its table and layout.
pub fn columns_for(table: Table, layout: &Layout) -> &'static [Column] {
    match (table, layout) {
        (Table::MemberAges, Layout::Persons) => MEMBER_PERSONS,
        (Table::MemberAges, Layout::Wide) => &MEMBER_AGES[..3],
        (Table::Indicators, Layout::Wide) => &crate::contract::INDICATORS[..2],
        _ => table.columns(),
    }
}

/// The multiplier a header's unit in brackets says of its numbers:
/// `人数(万名)`, `受理数（万件）`, `(万人次)` 10,000; `(千人)` 1,000; `(人)`,
/// `(件)`, `(个)`, `(人次)` 1, read from the last of its brackets that names
/// one (`人数(万名)(原文)`: 10,000). `None` when the header names no unit of
/// count (`占比(%)`, `区划代码(研究者补充)`).
pub fn header_unit(h: &str) -> Option<f64> {
    trailing_brackets(h).into_iter().find_map(|inner| {
        let (multiplier, unit) = match inner.strip_prefix('万') {
            Some(u) => (10_000.0, u),
            None => match inner.strip_prefix('千') {
                Some(u) => (1_000.0, u),
                None => (1.0, inner),
            },
        };
        let counted = matches!(
            unit,
            "人" | "名" | "件" | "起" | "宗" | "个" | "所" | "处" | "人次" | "次" | "户" | "家"
        );
        (counted || (multiplier != 1.0 && unit.is_empty())).then_some(multiplier)
    })
}

/// A header and the brackets at its end, the last first: `人数(万名)(原文)`
/// is (`人数`, [`原文`, `万名`]); a header that is all brackets keeps them.
fn split_brackets(h: &str) -> (&str, Vec<&str>) {
    let mut h = h.trim().trim_start_matches('\u{feff}').trim();
    let mut inner = Vec::new();
    'strip: loop {
        for (open, close) in [('（', '）'), ('(', ')')] {
            if let Some(body) = h.strip_suffix(close) {
                if let Some(i) = body.rfind(open).filter(|&i| i > 0) {
                    inner.push(body[i + open.len_utf8()..].trim());
                    h = body[..i].trim();
                    continue 'strip;
                }
            }
        }
        return (h, inner);
    }
}

/// What the brackets at a header's end hold, the last first.
fn trailing_brackets(h: &str) -> Vec<&str> {
    split_brackets(h).1
}

/// A header without the brackets after it: `占比(%)(原文)` is `占比`.
fn strip_unit(h: &str) -> &str {
    split_brackets(h).0
}

/// The unit a header's brackets name, when they name one govlens knows
/// (`受理数(件)`, `人数(万名)(原文)`, `占比(%)`, a bare `(万)`: no unit,
/// times 10,000); not `(研究者补充)`.
pub fn header_unit_text(h: &str) -> Option<Unit> {
    trailing_brackets(h)
        .into_iter()
        .find_map(crate::contract::grammar::known_unit)
}

/// A header that names a column and a period — `Civil Disputes (cases) 1999`,
/// `调解民间纠纷(件) 2010`, `2010年受理数` — as (the column's header, the
/// period's canonical text).
pub fn period_header(h: &str) -> Option<(&str, String)> {
    let h = h.trim();
    let canonical = |t: &str| {
        let t = t.trim();
        (t.len() >= 4 && t.starts_with(|c: char| c.is_ascii_digit()))
            .then(|| crate::contract::grammar::parse_period(t).ok())
            .flatten()
            .map(|p| p.canonical())
    };
    if let Some((base, tail)) = h.rsplit_once(char::is_whitespace) {
        if let Some(p) = canonical(tail) {
            return Some((base.trim(), p));
        }
    }
    // `2010年受理数`: a year, then the header.
    let digits = h.find(|c: char| !c.is_ascii_digit())?;
    let rest = h[digits..].strip_prefix('年')?;
    let p = canonical(&h[..digits])?;
    (!rest.is_empty()).then_some((rest.trim(), p))
}

/// The column a header names, or the column and period it names together
/// ([`period_header`]).
fn match_header(
    columns: &[Column],
    source: &Source,
    header: &str,
) -> Option<(usize, Option<String>)> {
    if let Some(c) = match_column(columns, source, header) {
        return Some((c, None));
    }
    let (base, period) = period_header(header)?;
    let c = match_column(columns, source, base)?;
    // A period of its own, not a column named by a date.
    (columns[c].name != "period").then_some((c, Some(period)))
}

fn match_column(columns: &[Column], source: &Source, header: &str) -> Option<usize> {
    let raw = header.trim().trim_start_matches('\u{feff}');
    if let Some(canon) = source.columns.get(raw) {
        return columns.iter().position(|c| c.name == canon);
    }
    let h = strip_unit(raw);
    let lower = h.to_lowercase();
    columns
        .iter()
        .position(|c| c.name == lower)
        .or_else(|| columns.iter().position(|c| c.aliases.contains(&h)))
}

/// Maps one candidate header record; `None` when nothing in it matches.
pub fn map_header(
    rec: &RawRecord,
    table: Table,
    source: &Source,
) -> Result<Option<HeaderMap>, HeaderError> {
    let columns = columns_for(table, &source.layout);
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    let mut bands = Vec::new();
    let mut unknown = Vec::new();
    let mut matched = 0;
    let (mut name_index, mut street_index) = (None, None);
    let mut ignored = Vec::new();
    let mut scales: Vec<Option<f64>> = vec![None; columns.len()];
    let mut band_scale = None;
    let mut by_period: Vec<(String, Vec<PeriodCell>)> = Vec::new();
    let mut indicator_cells: Vec<(usize, String, Option<Unit>)> = Vec::new();
    let mut value_unit = None;
    for (i, h) in rec.cells.iter().enumerate() {
        let Some(h) = h else { continue };
        if source.ignore.iter().any(|x| x.trim() == h.trim()) {
            ignored.push(h.clone());
            continue;
        }
        if source
            .indicator_columns
            .iter()
            .any(|x| x.trim() == h.trim())
        {
            let name = strip_unit(h).to_string();
            if let Some((first, ..)) = indicator_cells.iter().find(|(_, n, _)| *n == name) {
                return Err(HeaderError::Twice {
                    column: format!("indicator {name}"),
                    first: rec.cells[*first].clone().unwrap_or_default(),
                    second: h.clone(),
                    row: rec.row,
                });
            }
            indicator_cells.push((i, name, header_unit_text(h)));
            matched += 1;
            continue;
        }
        // A fact table's column of one period (a region tree has none).
        let named_period = match table {
            Table::Regions => None,
            _ => match_header(columns, source, h).and_then(|(c, p)| p.map(|p| (c, p))),
        };
        if let Some((c, period)) = named_period {
            let unit = header_unit(period_header(h).map_or(h.as_str(), |(b, _)| b));
            match by_period.iter_mut().find(|(p, _)| *p == period) {
                Some((_, cells)) => {
                    if let Some(&(_, prev, _)) = cells.iter().find(|(col, ..)| *col == c) {
                        return Err(HeaderError::Twice {
                            column: format!("{} of {period}", columns[c].name),
                            first: rec.cells[prev].clone().unwrap_or_default(),
                            second: h.clone(),
                            row: rec.row,
                        });
                    }
                    cells.push((c, i, unit));
                }
                None => by_period.push((period, vec![(c, i, unit)])),
            }
            matched += 1;
            continue;
        }
        if let Some(c) = match_column(columns, source, h) {
            if let Some(prev) = index[c] {
                return Err(HeaderError::Twice {
                    column: columns[c].name.to_string(),
                    first: rec.cells[prev].clone().unwrap_or_default(),
                    second: h.clone(),
                    row: rec.row,
                });
            }
            index[c] = Some(i);
            scales[c] = header_unit(h);
            if columns[c].name == "value" {
                value_unit = header_unit_text(h);
            }
            matched += 1;
            continue;
        }
        if table != Table::Regions {
            let t = strip_unit(h);
            if NAME_HEADERS.contains(&t) && name_index.is_none() {
                name_index = Some(i);
                continue;
            }
            if STREET_HEADERS.contains(&t) && street_index.is_none() {
                street_index = Some(i);
                continue;
            }
        }
        if source.layout == Layout::Wide {
            let declared = source
                .band_columns
                .as_ref()
                .map(|b| b.iter().any(|x| x == h));
            if declared != Some(false) {
                if let Ok(band) = parse_band(strip_unit(h)) {
                    bands.push((i, band, h.clone()));
                    band_scale = band_scale.or(header_unit(h));
                    continue;
                }
            }
        }
        unknown.push(h.clone());
    }
    if matched == 0 && name_index.is_none() {
        return Ok(None);
    }
    // A header's unit of the counts against the source's scale (a scale
    // of 1 is no claim: the header's unit is used).
    if table == Table::MemberAges && source.scale != 1.0 {
        let count = columns.iter().position(|c| c.name == "count");
        let said = count
            .and_then(|c| scales[c].map(|u| (u, index[c])))
            .or(band_scale.map(|u| (u, bands.first().map(|b| b.0))));
        if let Some((unit, Some(at))) = said {
            if unit != source.scale {
                return Err(HeaderError::UnitClash {
                    header: rec.cells[at].clone().unwrap_or_default(),
                    unit,
                    scale: source.scale,
                    row: rec.row,
                });
            }
        }
    }
    let missing = |column: &str| HeaderError::Missing {
        column: column.to_string(),
        row: rec.row,
        headers: rec
            .cells
            .iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
    };
    // A column the sheet lacks may be a constant of the source.
    let constants: Vec<Option<String>> = columns
        .iter()
        .zip(&index)
        .map(|(c, i)| {
            i.is_none()
                .then(|| source.constants.get(c.name).cloned())
                .flatten()
        })
        .collect();
    // No code column but a name column: the code is found by name and
    // appended to each record.
    let mut header_width = rec.cells.len();
    let code_appended = name_index.is_some()
        && columns
            .iter()
            .position(|c| c.name == "region_code")
            .is_some_and(|c| index[c].is_none() && constants[c].is_none());
    if code_appended {
        let c = columns
            .iter()
            .position(|c| c.name == "region_code")
            .expect("checked");
        index[c] = Some(header_width);
        header_width += 1;
    }
    // Columns named with a period: no period column beside them, no
    // column both plain and by period, and each period's columns complete.
    if let Some((period, cells)) = by_period.first() {
        let named = |c: usize| format!("{} {period}", columns[c].name);
        let p = columns.iter().position(|c| c.name == "period");
        if let Some(at) = p.and_then(|p| index[p]) {
            return Err(HeaderError::PeriodTwice {
                column: rec.cells[at].clone().unwrap_or_default(),
                named: rec.cells[cells[0].1].clone().unwrap_or_default(),
                row: rec.row,
            });
        }
        for (_, cells) in &by_period {
            if let Some(&(c, cell, _)) = cells.iter().find(|(c, ..)| index[*c].is_some()) {
                return Err(HeaderError::Twice {
                    column: named(c),
                    first: rec.cells[index[c].unwrap_or(cell)]
                        .clone()
                        .unwrap_or_default(),
                    second: rec.cells[cell].clone().unwrap_or_default(),
                    row: rec.row,
                });
            }
        }
    }
    for (c, col) in columns.iter().enumerate() {
        // In the persons layout, one of birth_year / age is needed (checked below).
        let person_alt = matches!(col.name, "birth_year" | "age");
        let by_period_has = !by_period.is_empty()
            && (col.name == "period"
                || by_period
                    .iter()
                    .all(|(_, cells)| cells.iter().any(|(k, ..)| *k == c)));
        if col.required
            && index[c].is_none()
            && constants[c].is_none()
            && !person_alt
            && !by_period_has
        {
            return Err(missing(col.name));
        }
    }
    let map = HeaderMap {
        columns,
        index,
        bands,
        unknown,
        row: rec.row,
        header_width,
        constants,
        name_index,
        street_index,
        code_appended,
        ignored,
        scales,
        band_scale,
        period_kind: source.period_kind,
        // A published indicator may be a stock (机构数, 人数) as at a day.
        stock: matches!(source.table, Table::MemberAges | Table::Indicators),
        by_period,
        outline: false,
        cumulative_by_row: false,
        cumulative: source.cumulative,
        indicator_cells,
        value_unit,
    };
    let map = HeaderMap {
        outline: source.outline || map.has("outline"),
        ..map
    };
    if source.layout == Layout::Persons && !map.has("birth_year") && !map.has("age") {
        return Err(missing("birth_year or age"));
    }
    if source.table == Table::Indicators && source.layout == Layout::Wide {
        let found = |c: &String| rec.cells.iter().flatten().any(|h| h.trim() == c.trim());
        let absent: Vec<&str> = source
            .indicator_columns
            .iter()
            .filter(|c| !found(c))
            .map(String::as_str)
            .collect();
        if !absent.is_empty() {
            return Err(missing(&format!(
                "the indicator column(s) {} (indicator_columns names each header as printed, brackets included)",
                absent.join(", ")
            )));
        }
    } else if source.layout == Layout::Wide && map.bands.is_empty() {
        return Err(HeaderError::NoBands { row: rec.row });
    }
    Ok(Some(map))
}

/// Whether any cell of `rec` names a column of the table: the first such
/// row below the titles opens the header block.
pub fn matches_any(rec: &RawRecord, table: Table, source: &Source) -> bool {
    let columns = columns_for(table, &source.layout);
    rec.cells.iter().flatten().any(|h| {
        match_header(columns, source, h).is_some()
            || (table != Table::Regions && NAME_HEADERS.contains(&strip_unit(h)))
    })
}

/// A joined header block as the one record [`map_header`] reads: each
/// column by the most specific part of its path that names a column or (in
/// the wide layout) a band — `年龄结构/30岁以下` is the band 30岁以下 — or by
/// its whole path when no part does (an unknown column, listed as such).
pub fn block_record(parts: &[Vec<String>], row: u64, table: Table, source: &Source) -> RawRecord {
    let columns = columns_for(table, &source.layout);
    let cells = parts
        .iter()
        .map(|p| {
            // `调解民间纠纷(件)` over `2010`: the column of that period.
            let (last, rest) = p.split_last()?;
            let of_period = crate::contract::grammar::parse_period(last)
                .ok()
                .and_then(|period| {
                    let column = rest
                        .iter()
                        .rev()
                        .find(|part| match_column(columns, source, part).is_some())?;
                    Some(format!("{column} {}", period.canonical()))
                });
            if of_period.is_some() {
                return of_period;
            }
            let named = p.iter().rev().find(|part| {
                match_column(columns, source, part).is_some()
                    || (source.layout == Layout::Wide && parse_band(strip_unit(part)).is_ok())
            });
            Some(named.cloned().unwrap_or_else(|| p.join("/")))
        })
        .collect();
    RawRecord {
        row,
        cells,
        line: 0,
    }
}

/// The rows a header was looked for in, for the "no header found"
/// message: `row 1: 2023年…统计表 | row 2: 填报单位：… | …`, each by its first
/// three cells.
pub fn looked_at(rows: &[RawRecord]) -> String {
    let shown: Vec<String> = rows
        .iter()
        .take(6)
        .map(|r| {
            let cells: Vec<&str> = r
                .cells
                .iter()
                .flatten()
                .map(String::as_str)
                .take(3)
                .collect();
            format!("row {}: {}", r.row, cells.join(", "))
        })
        .collect();
    let more = if rows.len() > 6 {
        format!(" … ({} rows)", rows.len())
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(" | "))
}

/// A short list of expected headers for the "no header found" message.
pub fn expected_headers(table: Table, layout: &Layout) -> String {
    columns_for(table, layout)
        .iter()
        .filter(|c| c.required)
        .map(|c| match c.aliases.first() {
            Some(a) => format!("{}/{}", c.name, a),
            None => c.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_says_its_unit() {
        for (h, want) in [
            ("人数(万名)", Some(10_000.0)),
            ("受理数（万件）", Some(10_000.0)),
            ("服务人次(万人次)", Some(10_000.0)),
            ("人数(千人)", Some(1_000.0)),
            ("人数（人）", Some(1.0)),
            ("受理数(件)", Some(1.0)),
            ("受理数(万起)", Some(10_000.0)),
            ("调解成功(宗)", Some(1.0)),
            ("数量(万)", Some(10_000.0)),
            ("占比(%)", None),
            ("区划代码(研究者补充)", None),
            ("人数(万名)(原文)", Some(10_000.0)),
            ("人数(原文)(万名)", Some(10_000.0)),
            ("人数", None),
        ] {
            assert_eq!(header_unit(h), want, "{h}");
        }
    }
    use crate::config::Config;

    #[test]
    fn a_header_block_maps_by_its_most_specific_parts() {
        let src = source_for("member_ages", "layout = \"wide\"\n[sources.member_ages.constants]\nrole = \"cadre\"\nperiod = \"2023\"");
        let parts: Vec<Vec<String>> = [
            vec!["区划代码"],
            vec!["社区名称"],
            vec!["干部总数"],
            vec!["年龄结构", "30岁以下"],
            vec!["年龄结构", "30岁及以上、45岁以下"],
            vec!["年龄结构", "45岁及以上"],
        ]
        .iter()
        .map(|p| p.iter().map(|s| s.to_string()).collect())
        .collect();
        let rec = block_record(&parts, 4, Table::MemberAges, &src);
        assert_eq!(rec.cells[3].as_deref(), Some("30岁以下"));
        assert_eq!(rec.cells[1].as_deref(), Some("社区名称"));
        let h = map_header(&rec, Table::MemberAges, &src).unwrap().unwrap();
        assert_eq!(h.bands.len(), 3);
        assert_eq!(h.row, 4);
    }

    fn source_for(table: &str, extra: &str) -> Source {
        let text =
            format!("[run]\nwarehouse='w'\noutput='o'\n[sources.{table}]\npath='d.csv'\n{extra}\n");
        Config::from_str(&text, Path::new("c.toml"), Path::new("."))
            .unwrap()
            .sources[0]
            .clone()
    }
    use std::path::Path;

    fn source(extra: &str) -> Source {
        let text = format!(
            "[run]\nwarehouse='w'\noutput='o'\n[sources.disputes]\npath='d.csv'\n{extra}\n"
        );
        Config::from_str(&text, Path::new("c.toml"), Path::new("."))
            .unwrap()
            .sources[0]
            .clone()
    }

    fn rec(cells: &[&str]) -> RawRecord {
        RawRecord {
            line: 0,
            row: 1,
            cells: cells
                .iter()
                .map(|c| (!c.is_empty()).then(|| c.to_string()))
                .collect(),
        }
    }

    #[test]
    fn aliases_units_and_the_columns_map_all_match() {
        let src = source("[sources.disputes.columns]\n\"化解成功\" = \"resolved\"");
        let h = map_header(
            &rec(&[
                "\u{feff}区划代码",
                "年份",
                "受理数（件）",
                "化解成功",
                "备注",
            ]),
            Table::Disputes,
            &src,
        )
        .unwrap()
        .unwrap();
        let r = rec(&["110117001001", "2023", "5", "4", "x"]);
        assert_eq!(h.cell(&r, "region_code"), Some("110117001001"));
        assert_eq!(h.cell(&r, "received"), Some("5"));
        assert_eq!(h.cell(&r, "resolved"), Some("4"));
        assert_eq!(h.unknown, vec!["备注".to_string()]);
    }

    #[test]
    fn a_title_row_is_not_a_header_and_two_headers_for_one_column_are_refused() {
        let src = source("");
        assert!(map_header(
            &rec(&["2023年人民调解情况统计表", "", ""]),
            Table::Disputes,
            &src
        )
        .unwrap()
        .is_none());
        let err = map_header(
            &rec(&["区划代码", "代码", "时期", "受理数", "调解成功数"]),
            Table::Disputes,
            &src,
        )
        .unwrap_err();
        assert!(matches!(err, HeaderError::Twice { .. }), "{err}");
    }
}
