//! The journal tables as a Word file: each a numbered caption above, a
//! three-line table (rules of 1.5 pt above and below, 0.75 pt under the
//! header and under each spanning group, nothing else), the notes below in
//! smaller type. The page, styles and embedded font are the reports'
//! (render::docx), so the file shows its Chinese anywhere; the header rows
//! (and only they: `cantSplit` marks them) repeat on each page.

use docx_rs::{
    AlignmentType, BorderType, Docx, Paragraph, Run, Table as WTable, TableBorder,
    TableBorderPosition, TableBorders, TableCell, TableCellBorder, TableCellBorderPosition,
    TableCellBorders, TableRow, WidthType,
};

use super::{Row, Table, Tables};
use crate::render::document::{Document, Meta};
use crate::render::docx::{clean, fonts, package, page, DocxError};
use crate::render::labels::Lang;
use crate::render::xlsx::display_width;

/// A4 text width in twips.
const TEXT_TWIPS: usize = 9026;
/// Rule widths in eighths of a point.
const HEAVY: usize = 12;
const THIN: usize = 6;

fn run(text: &str, size: usize) -> Run {
    Run::new()
        .add_text(clean(text))
        .fonts(fonts(false))
        .size(size)
}

/// A cell with its bottom rule (`Some(width)`) or none; every other edge
/// without a border.
fn cell(text: &str, size: usize, left: bool, bottom: Option<usize>) -> TableCell {
    let mut borders = TableCellBorders::with_empty();
    if let Some(w) = bottom {
        borders = borders.set(
            TableCellBorder::new(TableCellBorderPosition::Bottom)
                .size(w)
                .border_type(BorderType::Single)
                .color("000000"),
        );
    }
    // The configuration table's symbols: large for a core condition, small
    // for a peripheral one (Ragin & Fiss).
    let r = match text {
        "●" => run("●", size + 6),
        "•" => run("●", size - 4),
        "⊗" => run("⊗", size + 6),
        "⊘" => run("⊗", size - 4),
        _ => run(text, size),
    };
    let p = Paragraph::new()
        .align(if left {
            AlignmentType::Left
        } else {
            AlignmentType::Center
        })
        .add_run(r);
    TableCell::new().set_borders(borders).add_paragraph(p)
}

/// Column widths in proportion to their longest text (a CJK character
/// counts two), at least four characters, filling the text width.
fn widths(t: &Table) -> Vec<usize> {
    let mut w = vec![4usize; t.columns];
    let mut see = |i: usize, s: &str| {
        if i < w.len() {
            w[i] = w[i].max(display_width(s) + 2);
        }
    };
    // A long header may wrap onto a second line: it asks for half its width.
    for (i, h) in t.header.iter().enumerate() {
        if display_width(h) <= 10 {
            see(i, h);
        } else {
            let half: String = h.chars().take(h.chars().count().div_ceil(2)).collect();
            see(i, &half);
        }
    }
    for r in &t.rows {
        if let Row::Data(c) | Row::Under(c) = r {
            for (i, x) in c.iter().enumerate() {
                see(i, x);
            }
        }
    }
    let total: usize = w.iter().sum();
    w.iter().map(|x| TEXT_TWIPS * x / total).collect()
}

fn table(n: usize, t: &Table, lang: Lang) -> (Paragraph, WTable, Vec<Paragraph>) {
    let caption = Paragraph::new().style("Caption").keep_next(true).add_run(
        run(
            &match lang {
                Lang::Zh => format!("表 {n}  {}", t.title),
                Lang::En => format!("Table {n}. {}", t.title),
            },
            20,
        )
        .bold(),
    );
    // 9 pt, 8 pt for the widest tables.
    let size = if t.columns <= 9 { 18 } else { 16 };
    let grid = widths(t);
    let mut rows = Vec::new();
    if !t.spanners.is_empty() {
        let mut cells = Vec::new();
        let mut col = 0;
        for (label, from, to) in &t.spanners {
            while col < *from {
                cells.push(cell("", size, true, None));
                col += 1;
            }
            cells.push(cell(label, size, false, Some(THIN)).grid_span(to - from + 1));
            col = to + 1;
        }
        while col < t.columns {
            cells.push(cell("", size, true, None));
            col += 1;
        }
        rows.push(TableRow::new(cells).cant_split());
    }
    rows.push(
        TableRow::new(
            t.header
                .iter()
                .enumerate()
                .map(|(i, h)| cell(h, size, i == 0, Some(THIN)))
                .collect(),
        )
        .cant_split(),
    );
    let mut ruled = false;
    for r in &t.rows {
        let cells = match r {
            Row::Rule => {
                ruled = true;
                continue;
            }
            Row::Data(c) | Row::Under(c) => c
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let c = cell(x, size, i == 0, None);
                    if ruled {
                        c.set_border(
                            TableCellBorder::new(TableCellBorderPosition::Top)
                                .size(THIN)
                                .border_type(BorderType::Single)
                                .color("000000"),
                        )
                    } else {
                        c
                    }
                })
                .collect(),
            Row::Group(g) => vec![TableCell::new()
                .set_borders(TableCellBorders::with_empty())
                .grid_span(t.columns)
                .add_paragraph(Paragraph::new().add_run(run(g, size).italic()))],
        };
        ruled = false;
        rows.push(TableRow::new(cells));
    }
    let rule = |pos| {
        TableBorder::new(pos)
            .size(HEAVY)
            .border_type(BorderType::Single)
            .color("000000")
    };
    let w = WTable::new(rows)
        .set_grid(grid)
        .width(TEXT_TWIPS, WidthType::Dxa)
        .set_borders(
            TableBorders::with_empty()
                .set(rule(TableBorderPosition::Top))
                .set(rule(TableBorderPosition::Bottom)),
        );
    let notes = t
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let lead = match (i, lang) {
                (0, Lang::Zh) => "注：",
                (0, Lang::En) => "Note: ",
                _ => "",
            };
            Paragraph::new()
                .style("Note")
                .add_run(run(&format!("{lead}{n}"), 17))
        })
        .collect();
    (caption, w, notes)
}

/// The file's bytes.
pub fn write(tables: &Tables, date: &str) -> Result<Vec<u8>, DocxError> {
    let lang = tables.lang;
    let mut d: Docx = page(lang).add_paragraph(
        Paragraph::new()
            .style("Title")
            .add_run(Run::new().add_text(clean(&tables.title)).fonts(fonts(true))),
    );
    if tables.simulated {
        d = d.add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                run(
                    match lang {
                        Lang::Zh => "本表基于模拟数据生成，数字不代表任何真实地区。",
                        Lang::En => "Made from simulated data: the numbers describe no real place.",
                    },
                    20,
                )
                .bold()
                .color("C0392B"),
            ),
        );
    }
    for (i, t) in tables.tables.iter().enumerate() {
        let (caption, w, notes) = table(i + 1, t, lang);
        d = d.add_paragraph(caption).add_table(w);
        for n in notes {
            d = d.add_paragraph(n);
        }
        d = d.add_paragraph(Paragraph::new());
    }
    let doc = Document {
        lang,
        title: tables.title.clone(),
        subtitle: String::new(),
        banner: None,
        blocks: Vec::new(),
        definitions: Vec::new(),
        provenance: Vec::new(),
        config: None,
        notebook_code: Vec::new(),
        meta: Meta {
            author: String::new(),
            date: date.to_string(),
        },
    };
    package(d, &doc, &tables.all_text())
}
