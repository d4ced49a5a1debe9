//! The content model every report is built as, once, before any file is
//! written: headings, sentences, key-figure cards, tables of typed cells,
//! figures and notes. The writers ([`super::html`], [`super::docx`],
//! [`super::xlsx`], [`super::notebook`]) only lay this out, so the four
//! documents of a report cannot disagree: a number is formatted by
//! [`super::format`] from the same value in each, and figure and table
//! numbers come from [`Document::numbered`].

use super::format::{self, Kind};
use super::labels::Lang;

/// A report before it is written.
#[derive(Debug, Clone)]
pub struct Document {
    pub lang: Lang,
    pub title: String,
    /// Under the title: the period, the district, the run.
    pub subtitle: String,
    /// A warning band under the title (simulated data).
    pub banner: Option<String>,
    pub blocks: Vec<Block>,
    /// Terms and their definitions (the XLSX 说明 sheet, the HTML notes).
    pub definitions: Vec<(String, String)>,
    /// Run id, inputs and their hashes, seed, govlens version.
    pub provenance: Vec<(String, String)>,
    /// The run's config text, shown verbatim at the end.
    pub config: Option<String>,
    /// Code cells the notebook adds after its summary (loading the tables).
    pub notebook_code: Vec<String>,
    /// Who issues it and when: the DOCX and XLSX document properties.
    pub meta: Meta,
}

/// A document's author and date (YYYY-MM-DD), for its file properties.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub author: String,
    pub date: String,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// A section heading (Word "Heading 1" under the title).
    Heading(String),
    /// A heading inside a section (Word "Heading 2").
    Subheading(String),
    Paragraph(String),
    /// Findings or any list of sentences.
    Bullets(Vec<String>),
    /// Key figures, each a card.
    Cards(Vec<Card>),
    Figure(Figure),
    Table(Table),
    /// A definition or a remark under a table or figure, in smaller type.
    Note(String),
}

/// One key figure: what it is, its value, and lines under it (the change on
/// the previous period, the rank among peers).
#[derive(Debug, Clone)]
pub struct Card {
    pub label: String,
    pub value: String,
    pub lines: Vec<String>,
    /// Whether the figure is below its alert threshold (drawn in red).
    pub alert: bool,
    /// The value as a number, for the XLSX cell (None: withheld).
    pub number: Option<(f64, Kind)>,
}

/// A chart, drawn beforehand as `<stem>.svg` and `<stem>.png` in the
/// report's chart folder.
#[derive(Debug, Clone)]
pub struct Figure {
    pub chart: String,
    pub caption: String,
}

/// How a column's values are highlighted, in every writer alike (XLSX as a
/// conditional format, HTML and DOCX as a red cell).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Highlight {
    None,
    Above(f64),
    Below(f64),
}

#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    /// `None`: text; else how the numbers are shown.
    pub kind: Option<Kind>,
    pub highlight: Highlight,
}

impl Column {
    pub fn text(header: impl Into<String>) -> Column {
        Column {
            header: header.into(),
            kind: None,
            highlight: Highlight::None,
        }
    }

    pub fn number(header: impl Into<String>, kind: Kind) -> Column {
        Column {
            header: header.into(),
            kind: Some(kind),
            highlight: Highlight::None,
        }
    }

    pub fn highlight(mut self, h: Highlight) -> Column {
        self.highlight = h;
        self
    }

    /// The header as shown, with the unit its cells leave out.
    pub fn heading(&self, lang: Lang) -> String {
        let unit = self
            .kind
            .map(|k| format::unit_suffix(k, lang))
            .unwrap_or("");
        format!("{}{unit}", self.header)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Num(Option<f64>),
    /// A number shown as `kind` whatever its column's kind (a table of
    /// effects in different units).
    Value(Option<f64>, Kind),
    /// A number shown as `kind` without its unit, which the row names (a
    /// table of effects whose metric column says the unit).
    Bare(Option<f64>, Kind),
    /// A region by its name, its code beside it (smaller); XLSX gives the
    /// code a column of its own.
    Named {
        name: String,
        code: String,
    },
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell as text, the one way every writer shows it.
    pub fn shown(&self, kind: Option<Kind>, lang: Lang) -> String {
        match (self, kind) {
            (Cell::Num(v), Some(k)) => format::cell(*v, k, lang),
            (Cell::Num(v), None) => format::cell(*v, Kind::Decimal, lang),
            // A number in its own unit among others: the unit goes with it.
            (Cell::Value(v, k), _) => format::text(*v, *k, lang),
            (Cell::Bare(v, k), _) => format::cell(*v, *k, lang),
            (Cell::Text(s), _) => s.clone(),
            (Cell::Named { name, code }, _) => format!("{name} {code}"),
        }
    }

    /// Whether the cell is highlighted under its column's rule.
    pub fn flagged(&self, h: Highlight) -> bool {
        match (self, h) {
            (
                Cell::Num(Some(v)) | Cell::Value(Some(v), _) | Cell::Bare(Some(v), _),
                Highlight::Above(t),
            ) => *v > t,
            (
                Cell::Num(Some(v)) | Cell::Value(Some(v), _) | Cell::Bare(Some(v), _),
                Highlight::Below(t),
            ) => *v < t,
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The XLSX sheet's name (at most 31 characters, made safe by the writer).
    pub sheet: String,
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows shown in HTML, DOCX and the notebook; XLSX has them all. A
    /// shortened table says so in a note.
    pub shown: usize,
}

impl Table {
    pub fn new(sheet: &str, caption: &str, columns: Vec<Column>) -> Table {
        Table {
            sheet: sheet.into(),
            caption: caption.into(),
            columns,
            rows: Vec::new(),
            shown: usize::MAX,
        }
    }
}

/// A report's date: `[report] date`, else SOURCE_DATE_EPOCH (reproducible
/// builds' convention), else today (UTC).
pub fn report_date(explicit: Option<&str>) -> String {
    if let Some(d) = explicit {
        return d.to_string();
    }
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    civil_date(secs.div_euclid(86_400))
}

/// Days since 1970-01-01 → YYYY-MM-DD.
pub fn civil_date(days: i64) -> String {
    crate::contract::grammar::date_of_days(days).text()
}

impl Document {
    /// Every block with its figure or table number (1-based, counted
    /// separately), as each writer captions it.
    pub fn numbered(&self) -> Vec<(Option<usize>, &Block)> {
        let (mut fig, mut tab) = (0, 0);
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Figure(_) => {
                    fig += 1;
                    (Some(fig), b)
                }
                Block::Table(_) => {
                    tab += 1;
                    (Some(tab), b)
                }
                _ => (None, b),
            })
            .collect()
    }

    /// "图 3 …" / "Figure 3. …".
    pub fn figure_caption(&self, n: usize, caption: &str) -> String {
        match self.lang {
            Lang::Zh => format!("图 {n} {caption}"),
            Lang::En => format!("Figure {n}. {caption}"),
        }
    }

    /// "表 2 …" / "Table 2. …".
    pub fn table_caption(&self, n: usize, caption: &str) -> String {
        match self.lang {
            Lang::Zh => format!("表 {n} {caption}"),
            Lang::En => format!("Table {n}. {caption}"),
        }
    }

    /// The note under a shortened table.
    pub fn shortened(&self, t: &Table) -> Option<String> {
        (t.rows.len() > t.shown).then(|| match self.lang {
            Lang::Zh => format!(
                "仅列出前 {} 行，共 {} 行；完整表格见 report.xlsx 的“{}”工作表。",
                t.shown,
                t.rows.len(),
                t.sheet
            ),
            Lang::En => format!(
                "The first {} of {} rows; report.xlsx has them all (sheet \"{}\").",
                t.shown,
                t.rows.len(),
                t.sheet
            ),
        })
    }

    /// Every text the document shows, for the font subset and the glyph
    /// check.
    pub fn all_text(&self) -> String {
        let mut s = format!("{}{}", self.title, self.subtitle);
        s.extend(self.banner.iter().map(String::as_str));
        for b in &self.blocks {
            match b {
                Block::Heading(t) | Block::Subheading(t) | Block::Paragraph(t) | Block::Note(t) => {
                    s.push_str(t)
                }
                Block::Bullets(v) => v.iter().for_each(|t| s.push_str(t)),
                Block::Cards(cards) => {
                    for c in cards {
                        s.push_str(&c.label);
                        s.push_str(&c.value);
                        c.lines.iter().for_each(|l| s.push_str(l));
                    }
                }
                Block::Figure(f) => s.push_str(&self.figure_caption(0, &f.caption)),
                Block::Table(t) => {
                    s.push_str(&self.table_caption(0, &t.caption));
                    s.extend(self.shortened(t));
                    for c in &t.columns {
                        s.push_str(&c.heading(self.lang));
                    }
                    for row in t.rows.iter().take(t.shown) {
                        for (cell, col) in row.iter().zip(&t.columns) {
                            s.push_str(&cell.shown(col.kind, self.lang));
                        }
                    }
                }
            }
        }
        for (k, v) in self.definitions.iter().chain(&self.provenance) {
            s.push_str(k);
            s.push_str(v);
        }
        s.extend(self.config.iter().map(String::as_str));
        s
    }
}

#[cfg(test)]
mod date_tests {
    use super::civil_date;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_789), "2026-12-02");
        assert_eq!(civil_date(-1), "1969-12-31");
    }
}
