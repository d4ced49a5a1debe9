//! What an office return (统计表) holds besides its data rows, read as a
//! clerk reads it: a header of one to four rows whose upper cells are merged
//! over the columns below them (`年龄结构` over `30岁以下 | 30岁及以上、45岁以下 |
//! 45岁及以上`), published total rows (合计, 小计, 全区 …) and note lines
//! under the table (注：…, 填表人 …).
//!
//! A header block is joined per column into a path (`年龄结构/30岁以下`); the
//! column's canonical name or band is taken from the most specific part that
//! parses ([`super::headers`]). Merged cells of XLSX are spread before this
//! ([`super::read::spread_merges`]); a CSV export of such a sheet leaves the
//! merged cells blank, so a blank upper cell carries the last non-blank cell
//! to its left, and a blank lower cell the one above it.

use super::headers::HeaderMap;
use super::quarantine::Finding;
use super::read::{AsCell, RawRecord};
use crate::contract::{Rule, Table};

/// Header rows at most in one block (`[sources.<t>] header_rows`).
pub use crate::config::MAX_HEADER_ROWS;

/// A cell that is a number as a clerk types one: `1,234`, `12.5%`, `１２３`
/// (the contract's number grammar, [`super::parse`]).
pub fn is_number(s: &str) -> bool {
    super::parse::parse_number(s).is_ok() || super::parse::parse_percent(s).is_ok()
}

/// A cell's text without spaces (`合  计` is 合计), for the labels below.
fn squeezed(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
}

/// The labels of a published total row.
const TOTALS: [&str; 8] = [
    "合计",
    "总计",
    "小计",
    "全区",
    "全县",
    "全市",
    "全街道",
    "全镇",
];

/// What kind of total a row is: `Some(true)` for a subtotal (小计, which
/// covers the rows since the previous subtotal), `Some(false)` for a total
/// of everything above, `None` for a data row. The label is looked for in
/// the row's first three non-blank cells (code, name, street).
pub fn total_row(rec: &RawRecord) -> Option<bool> {
    total_row_of(&rec.cells)
}

/// [`total_row`] of a row's cells, owned or borrowed. A row that opens with
/// a region code is a region's row whatever its name says: 小计河村委会 is a
/// village in Shandong (370481112230), and reading it as a subtotal dropped
/// it from the tree and quarantined its facts (the national bench found it).
pub fn total_row_of<C: AsCell>(cells: &[C]) -> Option<bool> {
    let mut cells = cells.iter().filter_map(AsCell::text).peekable();
    if cells.peek().is_some_and(|c| is_code(c)) {
        return None;
    }
    cells.take(3).find_map(total_label)
}

/// 6, 9 or 12 ASCII digits: the shape of a region code.
fn is_code(c: &str) -> bool {
    matches!(c.len(), 6 | 9 | 12) && c.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a cell could open a label of [`TOTALS`] or [`NOTES`] (or
/// Total/Subtotal): one look at its first character, so that the data rows
/// of a national file pay no more than that.
fn may_label(c: &str) -> bool {
    matches!(
        c.trim_start().chars().next(),
        Some(
            '合' | '总'
                | '小'
                | '全'
                | '注'
                | '说'
                | '备'
                | '填'
                | '审'
                | '联'
                | '制'
                | 'T'
                | 't'
                | 'S'
                | 's'
                | 'G'
                | 'g'
        )
    )
}

/// Whether a cell is a total's label: `Some(true)` for 小计, `Some(false)`
/// for 合计 and the like.
fn total_label(c: &str) -> Option<bool> {
    if !may_label(c) {
        return None;
    }
    let t = squeezed(c);
    let lower = t.to_lowercase();
    // 小计 alone or before a bracket or colon (小计（城区）, 小计：), not a
    // name that begins with the word (小计河村委会).
    let subtotal = t
        .strip_prefix("小计")
        .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()));
    if lower == "subtotal" || subtotal {
        Some(true)
    } else if lower == "total"
        || lower == "grandtotal"
        || TOTALS
            .iter()
            .any(|k| t == *k || (t.starts_with(k) && t.len() <= k.len() + 9))
    {
        Some(false)
    } else {
        None
    }
}

/// The openings of a note line under the table.
const NOTES: [&str; 8] = [
    "注",
    "说明",
    "备注",
    "填表人",
    "审核人",
    "填报日期",
    "联系电话",
    "制表",
];

/// Whether a row is a note line: its first cell opens with 注, 说明, 备注,
/// 填表人, 审核人, 填报日期, 联系电话 or 制表, and no other cell is a number.
pub fn note_row(rec: &RawRecord) -> bool {
    note_row_of(&rec.cells)
}

/// [`note_row`] of a row's cells, owned or borrowed.
pub fn note_row_of<C: AsCell>(cells: &[C]) -> bool {
    let mut cells = cells.iter().filter_map(AsCell::text);
    let Some(first) = cells.next() else {
        return false;
    };
    if !may_label(first) {
        return false;
    }
    let t = squeezed(first);
    NOTES.iter().any(|n| t.starts_with(n)) && !cells.any(is_number)
}

/// Whether `rec`, right under header row(s), continues the header: none of
/// its cells is a number, and it is neither a total nor a note — or it is a
/// yearbook's row of years under a merged header (`| 2010 | 2011`: the first
/// cell blank, every other a year).
pub fn continues_header(rec: &RawRecord) -> bool {
    let years = rec.cells.first().is_some_and(Option::is_none)
        && rec.cells.iter().flatten().next().is_some()
        && rec.cells.iter().flatten().all(|c| {
            let t = c.trim().trim_end_matches('年');
            t.len() == 4
                && t.parse::<i32>().is_ok_and(|y| {
                    (crate::contract::grammar::YEAR_MIN..=crate::contract::grammar::YEAR_MAX)
                        .contains(&y)
                })
        });
    years
        || (rec.cells.iter().flatten().next().is_some()
            && !rec.cells.iter().flatten().any(|c| is_number(c))
            && total_row(rec).is_none()
            && !note_row(rec))
}

/// A header block joined into one record of paths (`年龄结构/30岁以下`),
/// numbered as its last row (the data follow it). Blank upper cells carry
/// the last non-blank cell to their left (a CSV's merged range); a blank
/// lower cell takes the one above; a part repeated down a column (a merge
/// spread over both rows) is kept once.
pub fn join(block: &[RawRecord]) -> (RawRecord, Vec<Vec<String>>) {
    let width = block.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let last = block.len().saturating_sub(1);
    let mut grid: Vec<Vec<Option<String>>> = block
        .iter()
        .map(|r| {
            let mut c = r.cells.clone();
            c.resize(width, None);
            c
        })
        .collect();
    // Upper rows: carry right across the columns a merge spanned.
    for row in grid.iter_mut().take(last) {
        let mut carry: Option<String> = None;
        for cell in row.iter_mut() {
            match cell {
                Some(v) => carry = Some(v.clone()),
                None => *cell = carry.clone(),
            }
        }
    }
    let mut parts: Vec<Vec<String>> = vec![Vec::new(); width];
    for (c, p) in parts.iter_mut().enumerate() {
        for row in &grid {
            if let Some(v) = &row[c] {
                if p.last() != Some(v) {
                    p.push(v.clone());
                }
            }
        }
    }
    // A column blank in the last row under a carried upper cell that also
    // names a column of its own (a CSV's `社区名称` carried into the next
    // blank column) keeps only its own lower parts: a carry never invents a
    // column where the bottom row is blank and the top row was blank too.
    for (c, p) in parts.iter_mut().enumerate() {
        let own_top = block
            .first()
            .and_then(|r| r.cells.get(c))
            .cloned()
            .flatten();
        let bottom = block.last().and_then(|r| r.cells.get(c)).cloned().flatten();
        if own_top.is_none() && bottom.is_none() && block.len() > 1 {
            p.clear();
        }
    }
    let cells = parts
        .iter()
        .map(|p| (!p.is_empty()).then(|| p.join("/")))
        .collect();
    let row = block.last().map(|r| r.row).unwrap_or(1);
    (
        RawRecord {
            row,
            cells,
            line: 0,
        },
        parts,
    )
}

/// A cell as a number (a count: no percentage sign).
fn number(s: &str) -> Option<f64> {
    super::parse::parse_number(s).ok()
}

/// The columns that tell rows of one region apart: a total row covers the
/// rows that agree with it on those it fills in (a blank is any value).
const KEYS: [&str; 5] = ["period", "role", "age_band", "dispute_type", "center_type"];

/// Sums per key (the rows' values of [`KEYS`]), by the key's XXH3 hash:
/// a data row builds no strings to find its sums. Values are millionths
/// ([`super::parse::parse_micros`]): the sums are exact, so the order rows
/// and keys are added in (a hash map's, either path's) changes nothing.
type Sums = std::collections::HashMap<u64, Vec<i128>>;

/// A cell as millionths (a count: no percentage sign).
fn micros(s: &str) -> Option<i128> {
    super::parse::parse_micros(s).ok()
}

/// The running sums a published total row is checked against: per count
/// column and per key, over every data row since the header (合计, 全区 …)
/// and since the previous subtotal (小计). Keyed, so that a long table's
/// `合计, 2023, 党员, 30岁以下, 120` adds up that band's rows only.
pub struct Totals {
    /// The positions to add up: the header's count and band columns.
    columns: Vec<(usize, String)>,
    /// The key columns the sheet has (constants are the same for every row).
    keys: Vec<&'static str>,
    all: Sums,
    sub: Sums,
    /// Each key hash's values, kept once.
    key_of: std::collections::HashMap<u64, Vec<String>>,
    /// Bands as written → canonical (`30至44岁` → `30-44`), parsed once each.
    bands: std::collections::HashMap<String, String>,
    /// The first data row since the header and since the last subtotal.
    from: (Option<u64>, Option<u64>),
}

impl Totals {
    pub fn new(h: &HeaderMap) -> Totals {
        // Columns that hold counts: the bands, and the numeric columns of
        // the contract (not codes, periods, years or labels).
        let mut columns: Vec<(usize, String)> = h
            .columns
            .iter()
            .zip(&h.index)
            .filter(|(c, _)| {
                matches!(
                    c.name,
                    "count"
                        | "received"
                        | "resolved"
                        | "escalated"
                        | "visits"
                        | "services"
                        | "staff"
                        | "population"
                        | "households"
                )
            })
            .filter_map(|(c, i)| Some((i.as_ref().copied()?, c.name.to_string())))
            .collect();
        columns.extend(h.bands.iter().map(|(i, _, text)| (*i, text.clone())));
        columns.sort();
        let keys = KEYS
            .into_iter()
            .filter(|k| {
                h.columns
                    .iter()
                    .position(|c| c.name == *k)
                    .is_some_and(|i| h.index[i].is_some())
            })
            .collect();
        Totals {
            columns,
            keys,
            all: Sums::new(),
            sub: Sums::new(),
            key_of: Default::default(),
            bands: Default::default(),
            from: (None, None),
        }
    }

    /// A key part as compared: trimmed, a band as its canonical form.
    fn part<'a>(&'a mut self, k: &str, v: &'a str) -> &'a str {
        let v = v.trim();
        if k != "age_band" {
            return v;
        }
        if !self.bands.contains_key(v) {
            let canonical = super::parse::parse_band(&squeezed(v))
                .map(|b| b.canonical())
                .unwrap_or_else(|_| squeezed(v));
            self.bands.insert(v.to_string(), canonical);
        }
        &self.bands[v]
    }

    fn hash<C: AsCell>(&mut self, cells: &[C], h: &HeaderMap) -> u64 {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let keys = self.keys.clone();
        for k in keys {
            let v = h.cell_of(cells, k).unwrap_or("");
            let p = self.part(k, v);
            hasher.update(p.as_bytes());
            hasher.update(&[0x1f]);
        }
        hasher.digest()
    }

    fn key<C: AsCell>(&mut self, cells: &[C], h: &HeaderMap) -> Vec<String> {
        let keys = self.keys.clone();
        keys.iter()
            .map(|k| {
                let v = h.cell_of(cells, k).unwrap_or("");
                self.part(k, v).to_string()
            })
            .collect()
    }

    /// Adds a data row.
    pub fn add(&mut self, rec: &RawRecord, h: &HeaderMap) {
        self.add_cells(rec.row, &rec.cells, h)
    }

    /// [`Totals::add`] of row `row`'s cells, owned or borrowed.
    pub fn add_cells<C: AsCell>(&mut self, row: u64, cells: &[C], h: &HeaderMap) {
        if self.columns.is_empty() {
            return;
        }
        self.from.0.get_or_insert(row);
        self.from.1.get_or_insert(row);
        let id = self.hash(cells, h);
        if !self.key_of.contains_key(&id) {
            let key = self.key(cells, h);
            self.key_of.insert(id, key);
        }
        let n = self.columns.len();
        let mut values = Vec::with_capacity(n);
        for (i, _) in &self.columns {
            values.push(cells.get(*i).and_then(|c| c.text()).and_then(micros));
        }
        for sums in [&mut self.all, &mut self.sub] {
            let row = sums.entry(id).or_insert_with(|| vec![0; n]);
            for (r, v) in row.iter_mut().zip(&values) {
                if let Some(v) = v {
                    *r = r.saturating_add(*v);
                }
            }
        }
    }

    /// Checks a total row (`sub`: a 小计) against the rows it covers; one
    /// W_TOTAL finding per column that does not add up within `tolerance`.
    /// A subtotal starts the next subtotal's rows afresh.
    pub fn check(
        &mut self,
        rec: &RawRecord,
        sub: bool,
        h: &HeaderMap,
        table: Table,
        source: &str,
        tolerance: f64,
    ) -> Vec<Finding> {
        let label = rec
            .cells
            .iter()
            .flatten()
            .find(|c| !is_number(c))
            .cloned()
            .unwrap_or_default();
        // A key cell that is blank, or holds the label (合计 merged over
        // the code, period and type columns), covers any value.
        let want: Vec<String> = self
            .key(&rec.cells, h)
            .into_iter()
            .map(|w| {
                if total_label(&w).is_some() {
                    String::new()
                } else {
                    w
                }
            })
            .collect();
        let (sums, from) = if sub {
            (&self.sub, self.from.1)
        } else {
            (&self.all, self.from.0)
        };
        // The rows the total covers: those agreeing on every key it names.
        let mut covered = vec![0i128; self.columns.len()];
        for (id, row) in sums {
            let key = &self.key_of[id];
            if key.iter().zip(&want).all(|(k, w)| w.is_empty() || k == w) {
                for (c, v) in covered.iter_mut().zip(row) {
                    *c = c.saturating_add(*v);
                }
            }
        }
        let tolerance_micros = (tolerance * 1e6).round() as i128;
        let mut out = Vec::new();
        for (k, (i, name)) in self.columns.iter().enumerate() {
            let Some(cell) = rec.cells.get(*i).cloned().flatten() else {
                continue;
            };
            let (Some(published), Some(exact)) = (number(&cell), micros(&cell)) else {
                continue;
            };
            let sum = super::parse::micros_f64(covered[k]);
            let sum_text = super::parse::micros_text(covered[k]);
            if exact.abs_diff(covered[k]) > tolerance_micros.unsigned_abs() {
                let rows = match from {
                    Some(f) if f < rec.row => format!("rows {f}–{}", rec.row - 1),
                    _ => "no rows".into(),
                };
                let of: Vec<String> = want.iter().filter(|w| !w.is_empty()).cloned().collect();
                let of = if of.is_empty() {
                    String::new()
                } else {
                    format!(" for {}", of.join(" "))
                };
                out.push(Finding {
                    source: Some(source.to_string()),
                    row: Some(rec.row),
                    covers: from.filter(|f| *f < rec.row).map(|f| (f, rec.row - 1)),
                    table,
                    rule: Rule::Total,
                    region_code: None,
                    period: h.cell(rec, "period").map(str::to_string),
                    role: h.cell(rec, "role").map(str::to_string),
                    band: Some(name.clone()),
                    expected: Some(sum),
                    actual: Some(published),
                    message: format!(
                        "{source} row {} ({label}): {name} {published} differs from the sum of {rows}{of} ({sum_text})",
                        rec.row
                    ),
                });
            }
        }
        if sub {
            self.sub.clear();
            self.from.1 = None;
        }
        out
    }
}

/// Who a return says filed it: the text after `填报单位` and its colon
/// (`填报单位：平谷镇`, `填 报 单 位(盖章):平谷镇人民政府  填报日期：…`), or
/// the next non-blank cell after a `填报单位：` cell, in its title rows; a
/// 填报单位 without a colon (`注：填报单位须盖章`) is read past. `None` when no
/// title says.
pub fn filer_line(titles: &[RawRecord]) -> Option<String> {
    let squeeze = |c: &str| -> String { c.chars().filter(|c| !c.is_whitespace()).collect() };
    for rec in titles {
        let cells: Vec<String> = rec
            .cells
            .iter()
            .flatten()
            .map(|c| squeeze(c))
            .filter(|c| !c.is_empty())
            .collect();
        for (i, cell) in cells.iter().enumerate() {
            let Some(at) = cell.find("填报单位") else {
                continue;
            };
            let rest = without_seal(&cell[at + "填报单位".len()..]);
            let Some(rest) = rest.strip_prefix([':', '：']).map(without_seal) else {
                continue;
            };
            let end = [
                "填报日期",
                "填表日期",
                "报送日期",
                "填表人",
                "联系电话",
                "单位负责人",
                "负责人",
                "制表",
            ]
            .iter()
            .filter_map(|w| rest.find(w))
            .min()
            .unwrap_or(rest.len());
            let name = rest[..end].trim_end_matches([',', '，', ';', '；']);
            if !name.is_empty() {
                return Some(name.to_string());
            }
            if let Some(next) = cells.get(i + 1).map(|c| without_seal(c)) {
                if !next.is_empty() && !next.starts_with("填") {
                    return Some(next.to_string());
                }
            }
        }
    }
    None
}

/// A text without a leading `(盖章)` / `（盖章）`.
fn without_seal(text: &str) -> &str {
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(inner) = text.strip_prefix(open) {
            if let Some(k) = inner.find(close) {
                return &inner[k + close.len_utf8()..];
            }
        }
    }
    text
}

/// The one period a sheet's title names (`2023年…统计表`, `2023年第二季度…`),
/// for a sheet without a period column; `None` when the titles name none
/// or several.
/// Labels of the day a return was filled in or sent, not its period.
const FILED_ON: [&str; 5] = ["填报日期", "填表日期", "报送日期", "制表日期", "报出日期"];

pub fn title_period(titles: &[RawRecord]) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for text in titles.iter().flat_map(|r| r.cells.iter().flatten()) {
        // The day a return was filled in is no period of its figures:
        // a cell is read up to its 填报日期 (or the like).
        let text = FILED_ON
            .iter()
            .filter_map(|l| text.find(l))
            .min()
            .map_or(text.as_str(), |at| &text[..at]);
        let chars: Vec<char> = text.chars().collect();
        for i in 0..chars.len().saturating_sub(4) {
            let year: String = chars[i..i + 4].iter().collect();
            let before_digit = i > 0 && chars[i - 1].is_ascii_digit();
            if before_digit || !year.chars().all(|c| c.is_ascii_digit()) || chars[i + 4] != '年' {
                continue;
            }
            // 2022—2023年: a range of years is no one period.
            let ranged = i >= 5
                && "—-－~～至到".contains(chars[i - 1])
                && chars[i - 5..i - 1].iter().all(|c| c.is_ascii_digit());
            if ranged {
                return None;
            }
            // 2023年第二季度, 2023年6月: as far as the period parser reads.
            let rest: String = chars[i + 5..].iter().take(5).collect();
            let period = ["第一季度", "第二季度", "第三季度", "第四季度"]
                .iter()
                .find(|q| rest.starts_with(*q))
                .map(|q| format!("{year}年{q}"))
                .or_else(|| {
                    let m: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                    (!m.is_empty() && rest[m.len()..].starts_with('月'))
                        .then(|| format!("{year}年{m}月"))
                })
                .unwrap_or_else(|| format!("{year}年"));
            if !found.contains(&period) {
                found.push(period);
            }
        }
    }
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(row: u64, cells: &[&str]) -> RawRecord {
        RawRecord {
            line: 0,
            row,
            cells: cells
                .iter()
                .map(|c| (!c.is_empty()).then(|| c.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_two_row_csv_header_joins_into_paths() {
        let block = [
            rec(3, &["区划代码", "社区名称", "干部总数", "年龄结构", "", ""]),
            rec(
                4,
                &["", "", "", "30岁以下", "30岁及以上、45岁以下", "45岁及以上"],
            ),
        ];
        let (joined, _) = join(&block);
        assert_eq!(joined.row, 4);
        let cells: Vec<&str> = joined
            .cells
            .iter()
            .map(|c| c.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(
            cells,
            [
                "区划代码",
                "社区名称",
                "干部总数",
                "年龄结构/30岁以下",
                "年龄结构/30岁及以上、45岁以下",
                "年龄结构/45岁及以上"
            ]
        );
    }

    #[test]
    fn merged_cells_spread_over_both_rows_are_kept_once() {
        let block = [
            rec(3, &["区划代码", "年龄结构", "年龄结构"]),
            rec(4, &["区划代码", "30岁以下", "30-44岁"]),
        ];
        let (joined, _) = join(&block);
        assert_eq!(joined.cells[0].as_deref(), Some("区划代码"));
        assert_eq!(joined.cells[2].as_deref(), Some("年龄结构/30-44岁"));
    }

    #[test]
    fn a_title_s_filer_line_is_read_in_the_shapes_offices_type_it() {
        for (cells, want) in [
            (
                vec!["填报单位：平谷区滨河街道办事处"],
                Some("平谷区滨河街道办事处"),
            ),
            (
                vec!["填报单位(盖章):渔阳地区  填报日期：2025-01-08"],
                Some("渔阳地区"),
            ),
            (vec!["填报单位：", "峪口地区", "填报日期"], Some("峪口地区")),
            (vec!["填报单位：马坊地区填表人：张三"], Some("马坊地区")),
            (vec!["填 报 单 位：　东高村镇"], Some("东高村镇")),
            (vec!["填报单位：（盖章）", "大华山镇"], Some("大华山镇")),
            (vec!["注：填报单位须盖章"], None),
            (vec!["2024年人民调解情况统计表"], None),
        ] {
            assert_eq!(filer_line(&[rec(2, &cells)]).as_deref(), want, "{cells:?}");
        }
    }

    #[test]
    fn a_title_names_the_period_of_a_sheet_without_one() {
        assert_eq!(
            title_period(&[rec(1, &["2023年平谷区社区干部年龄结构统计表"])]).as_deref(),
            Some("2023年")
        );
        assert_eq!(
            title_period(&[rec(1, &["2024年第二季度矛盾纠纷调处情况"])]).as_deref(),
            Some("2024年第二季度")
        );
        assert_eq!(
            title_period(&[rec(1, &["2022—2023年人民调解统计表"])]),
            None,
            "two years"
        );
        assert_eq!(title_period(&[rec(1, &["填报单位：平谷区民政局"])]), None);
        // The day it was filled in is not its period.
        let titles = [
            rec(1, &["2024年人民调解工作情况统计表"]),
            rec(
                2,
                &["填报单位：滨河街道办事处", "", "填报日期：2025年1月8日"],
            ),
            rec(3, &["填报单位：滨河街道  填表日期：2025年1月"]),
        ];
        assert_eq!(title_period(&titles).as_deref(), Some("2024年"));
    }

    #[test]
    fn totals_notes_and_data_rows_are_told_apart() {
        assert_eq!(total_row(&rec(9, &["合  计", "", "12"])), Some(false));
        assert_eq!(total_row(&rec(9, &["", "全区", "12"])), Some(false));
        assert_eq!(total_row(&rec(9, &["小计（城区）", "", "12"])), Some(true));
        assert_eq!(total_row(&rec(9, &["Total", "12"])), Some(false));
        assert_eq!(
            total_row(&rec(9, &["110117001001", "金谷东园社区", "12"])),
            None
        );
        // A region's row, whatever its name; a name that begins with 小计.
        assert_eq!(
            total_row(&rec(9, &["370481112230", "小计河村委会", "12"])),
            None
        );
        assert_eq!(total_row(&rec(9, &["", "小计河村委会", "12"])), None);
        assert_eq!(total_row(&rec(9, &["小计：", "", "12"])), Some(true));
        assert!(note_row(&rec(10, &["注：年龄按统计时点计算。"])));
        assert!(note_row(&rec(11, &["填表人：张三", "", "审核人：李四"])));
        assert!(
            !note_row(&rec(11, &["注册社区", "12"])),
            "a number: a data row"
        );
        assert!(!continues_header(&rec(
            5,
            &["110117001001", "金谷东园社区", "3"]
        )));
        assert!(continues_header(&rec(5, &["", "", "30岁以下", "30-44岁"])));
        assert!(
            is_number("1,234") && is_number("12.5%") && is_number("１２３") && !is_number("2023年")
        );
    }
}
