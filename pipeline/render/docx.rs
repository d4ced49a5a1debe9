//! A [`Document`] as a Word file (docx-rs): A4 with page numbers, the
//! headings as Word's own "heading 1/2" styles (so the navigation pane and
//! a table of contents find them), tables as Word tables whose header row
//! repeats on every page, charts as PNG figures with numbered captions, and
//! the East Asian font named on every run (宋体 body, 黑体 headings): the
//! file names its fonts and does not carry them, as Word documents
//! circulated in offices do.

use std::path::Path;

use docx_rs::{
    AlignmentType, Docx, Footer, PageMargin, PageNum, Paragraph, Pic, Run, RunFonts, Shading,
    Style, StyleType, Table as WTable, TableCell, TableRow, WidthType,
};

use super::document::{Block, Cell, Document, Table};
use super::labels::{label, Lang};

const BODY_EA: &str = "宋体";
const HEAD_EA: &str = "黑体";
const LATIN: &str = "Times New Roman";
const LATIN_HEAD: &str = "Arial";

/// The text width of an A4 page with 2.5 cm margins, in twips and EMU.
const TEXT_TWIPS: usize = 9026;
const TEXT_EMU: u32 = 5_731_510;

fn fonts(head: bool) -> RunFonts {
    let (ea, latin) = if head {
        (HEAD_EA, LATIN_HEAD)
    } else {
        (BODY_EA, LATIN)
    };
    RunFonts::new()
        .east_asia(ea)
        .ascii(latin)
        .hi_ansi(latin)
        .cs(latin)
}

/// Text fit for XML: control characters (which no XML may hold) become
/// spaces. Markup needs nothing: docx-rs writes text as XML text.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect()
}

fn run(text: &str) -> Run {
    Run::new().add_text(clean(text)).fonts(fonts(false))
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .bold()
            .size(size)
            .fonts(fonts(true))
            .outline_lvl(level)
    };
    docx.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .bold()
            .size(36)
            .fonts(fonts(true))
            .align(AlignmentType::Center),
    )
    .add_style(heading("Heading1", "heading 1", 30, 0))
    .add_style(heading("Heading2", "heading 2", 26, 1))
    .add_style(
        Style::new("Caption", StyleType::Paragraph)
            .name("caption")
            .based_on("Normal")
            .size(18)
            .fonts(fonts(true))
            .align(AlignmentType::Center),
    )
    .add_style(
        Style::new("Note", StyleType::Paragraph)
            .name("Note")
            .based_on("Normal")
            .size(18)
            .color("555555")
            .fonts(fonts(false)),
    )
}

/// Header rows carry `cantSplit` and nothing else does, so the written XML
/// can mark exactly them as repeating (docx-rs has no `tblHeader`).
fn table(doc: &Document, n: usize, t: &Table) -> (Paragraph, WTable, Option<Paragraph>) {
    let caption = Paragraph::new().style("Caption").keep_next(true).add_run(
        Run::new()
            .add_text(clean(&doc.table_caption(n, &t.caption)))
            .fonts(fonts(true)),
    );
    let ncol = t.columns.len().max(1);
    let size = match ncol {
        0..=6 => 18,
        7..=9 => 16,
        _ => 15,
    };
    let widths = column_widths(doc, t);
    let header = TableRow::new(
        t.columns
            .iter()
            .zip(&widths)
            .map(|(c, &width)| {
                TableCell::new()
                    .width(width, WidthType::Dxa)
                    .shading(Shading::new().fill("F1F3F5"))
                    .add_paragraph(
                        Paragraph::new().add_run(
                            Run::new()
                                .add_text(clean(&c.heading(doc.lang)))
                                .bold()
                                .size(size)
                                .fonts(fonts(true)),
                        ),
                    )
            })
            .collect(),
    )
    .cant_split();
    let mut rows = vec![header];
    for row in t.rows.iter().take(t.shown) {
        rows.push(TableRow::new(
            row.iter()
                .zip(&t.columns)
                .zip(&widths)
                .map(|((cell, col), &width)| {
                    let mut p = Paragraph::new();
                    if col.kind.is_some() {
                        p = p.align(AlignmentType::Right);
                    }
                    let flagged = cell.flagged(col.highlight);
                    let mut r = match cell {
                        Cell::Named { name, .. } => run(name).size(size),
                        other => run(&other.shown(col.kind, doc.lang)).size(size),
                    };
                    if flagged {
                        r = r.bold().color("A93226");
                    }
                    p = p.add_run(r);
                    if let Cell::Named { code, .. } = cell {
                        p = p.add_run(run(&format!(" {code}")).size(size - 4).color("888888"));
                    }
                    let mut c = TableCell::new()
                        .width(width, WidthType::Dxa)
                        .add_paragraph(p);
                    if flagged {
                        c = c.shading(Shading::new().fill("FDECEA"));
                    }
                    c
                })
                .collect(),
        ));
    }
    let table = WTable::new(rows)
        .set_grid(widths.clone())
        .width(TEXT_TWIPS, WidthType::Dxa);
    let note = doc
        .shortened(t)
        .map(|n| Paragraph::new().style("Note").add_run(run(&n).size(18)));
    (caption, table, note)
}

/// The .docx bytes; `charts` holds the figures' PNGs.
pub fn write(doc: &Document, charts: &Path) -> Result<Vec<u8>, DocxError> {
    let zh = doc.lang == Lang::Zh;
    let mut d = styles(Docx::new())
        .page_size(11906, 16838)
        .page_margin(PageMargin {
            top: 1418,
            left: 1418,
            bottom: 1418,
            right: 1418,
            header: 851,
            footer: 992,
            gutter: 0,
        })
        .default_fonts(fonts(false))
        .default_size(if zh { 21 } else { 22 })
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_page_num(PageNum::new()),
            ),
        )
        .add_paragraph(
            Paragraph::new()
                .style("Title")
                .add_run(Run::new().add_text(clean(&doc.title)).fonts(fonts(true))),
        )
        .add_paragraph(para(&doc.subtitle).align(AlignmentType::Center));
    if let Some(b) = &doc.banner {
        d = d.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(run(b).bold().color("C0392B")),
        );
    }
    let mut pictures = 0;
    for (n, block) in doc.numbered() {
        match block {
            Block::Heading(t) => {
                d = d.add_paragraph(
                    Paragraph::new()
                        .style("Heading1")
                        .keep_next(true)
                        .add_run(Run::new().add_text(clean(t)).fonts(fonts(true))),
                )
            }
            Block::Subheading(t) => {
                d = d.add_paragraph(
                    Paragraph::new()
                        .style("Heading2")
                        .keep_next(true)
                        .add_run(Run::new().add_text(clean(t)).fonts(fonts(true))),
                )
            }
            Block::Paragraph(t) => d = d.add_paragraph(para(t)),
            Block::Note(t) => {
                d = d.add_paragraph(Paragraph::new().style("Note").add_run(run(t).size(18)))
            }
            Block::Bullets(items) => {
                for i in items {
                    d = d.add_paragraph(para(&format!("• {i}")).indent(
                        Some(240),
                        None,
                        None,
                        None,
                    ));
                }
            }
            Block::Cards(cards) => {
                // Three cards to a row, as a borderless-looking grid.
                let cols = 3;
                let width = TEXT_TWIPS / cols;
                let mut rows = Vec::new();
                for chunk in cards.chunks(cols) {
                    let mut cells: Vec<TableCell> = chunk
                        .iter()
                        .map(|c| {
                            let mut cell = TableCell::new()
                                .width(width, WidthType::Dxa)
                                .shading(Shading::new().fill("FAFBFC"))
                                .add_paragraph(
                                    Paragraph::new()
                                        .add_run(run(&c.label).size(18).color("555555")),
                                );
                            let mut v = Run::new()
                                .add_text(clean(&c.value))
                                .bold()
                                .size(32)
                                .fonts(fonts(true));
                            if c.alert {
                                v = v.color("C0392B");
                            }
                            cell = cell.add_paragraph(Paragraph::new().add_run(v));
                            for l in &c.lines {
                                cell =
                                    cell.add_paragraph(Paragraph::new().add_run(run(l).size(17)));
                            }
                            cell
                        })
                        .collect();
                    while cells.len() < cols {
                        cells.push(
                            TableCell::new()
                                .width(width, WidthType::Dxa)
                                .add_paragraph(Paragraph::new()),
                        );
                    }
                    rows.push(TableRow::new(cells));
                }
                d = d.add_table(WTable::new(rows).width(TEXT_TWIPS, WidthType::Dxa));
                d = d.add_paragraph(Paragraph::new());
            }
            Block::Figure(f) => {
                let path = charts.join(format!("{}.png", f.chart));
                let png = std::fs::read(&path).map_err(|source| DocxError::Chart {
                    path: path.display().to_string(),
                    source,
                })?;
                let (w, h) = png_size(&png).unwrap_or((1000, 640));
                pictures += 1;
                let height = (TEXT_EMU as u64 * h as u64 / w.max(1) as u64) as u32;
                // An explicit id: docx-rs counts pictures per process, which
                // would make the bytes depend on what else the process wrote.
                let pic = Pic::new_with_dimensions(png, w, h)
                    .size(TEXT_EMU, height)
                    .id(format!("rIdImage{pictures}"));
                d = d
                    .add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .keep_next(true)
                            .add_run(Run::new().fonts(fonts(false)).add_image(pic)),
                    )
                    .add_paragraph(
                        Paragraph::new().style("Caption").add_run(
                            Run::new()
                                .add_text(clean(&doc.figure_caption(n.unwrap_or(0), &f.caption)))
                                .fonts(fonts(true)),
                        ),
                    );
            }
            Block::Table(t) => {
                let (caption, table, note) = table(doc, n.unwrap_or(0), t);
                d = d.add_paragraph(caption).add_table(table);
                if let Some(note) = note {
                    d = d.add_paragraph(note);
                }
                d = d.add_paragraph(Paragraph::new());
            }
        }
    }
    let kv = |title: &str, pairs: &[(String, String)], d: Docx| -> Docx {
        if pairs.is_empty() {
            return d;
        }
        let rows = pairs
            .iter()
            .map(|(k, v)| {
                TableRow::new(vec![
                    TableCell::new()
                        .width(2600, WidthType::Dxa)
                        .add_paragraph(Paragraph::new().add_run(run(k).bold().size(18))),
                    TableCell::new()
                        .width(TEXT_TWIPS - 2600, WidthType::Dxa)
                        .add_paragraph(Paragraph::new().add_run(run(v).size(18))),
                ])
            })
            .collect();
        d.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text(clean(title)).fonts(fonts(true))),
        )
        .add_table(WTable::new(rows).width(TEXT_TWIPS, WidthType::Dxa))
    };
    d = kv(label(doc.lang, "definitions"), &doc.definitions, d);
    d = kv(label(doc.lang, "provenance"), &doc.provenance, d);

    let mut xml = d.build();
    let marked = String::from_utf8_lossy(&xml.document).to_string();
    xml.document = repeat_header_rows(&marked).into_bytes();
    // Normal as the default paragraph style, as Word's own files say: a
    // paragraph without a style is then Normal to every reader.
    let styles = String::from_utf8_lossy(&xml.styles).replace(
        r#"<w:style w:type="paragraph" w:styleId="Normal">"#,
        r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
    );
    xml.styles = styles.into_bytes();
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| DocxError::Zip(e.to_string()))?;
    Ok(out.into_inner())
}

/// Marks the rows written with `cantSplit` (the header rows) as table
/// header rows, which Word repeats at the top of every page.
fn repeat_header_rows(xml: &str) -> String {
    xml.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
        .replace("<w:cantSplit/>", "<w:cantSplit/><w:tblHeader/>")
}

/// Column widths in twips that share the text width by what the columns
/// hold: a name column gets room, a column of percentages little. A header
/// may wrap (it counts half), a value should not.
fn column_widths(doc: &Document, t: &Table) -> Vec<usize> {
    let want: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let values = t
                .rows
                .iter()
                .take(t.shown.min(200))
                .filter_map(|r| r.get(i))
                .map(|cell| match cell {
                    Cell::Named { name, code } => {
                        super::xlsx::display_width(name) + code.len() * 3 / 4 + 1
                    }
                    other => super::xlsx::display_width(&other.shown(c.kind, doc.lang)),
                })
                .max()
                .unwrap_or(0);
            // Digits and signs must not wrap: a character's room to spare.
            let spare = usize::from(c.kind.is_some());
            (values + spare)
                .max(super::xlsx::display_width(&c.heading(doc.lang)).div_ceil(2))
                .clamp(4, 40)
        })
        .collect();
    // About 85 twips a Latin character at 8 pt, and the cell's margins.
    let need: Vec<usize> = want.iter().map(|w| w * 85 + 230).collect();
    let total: usize = need.iter().sum::<usize>().max(1);
    need.iter().map(|w| TEXT_TWIPS * w / total).collect()
}

/// A PNG's pixel size from its IHDR chunk.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((w, h))
}

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("reading chart {path}: {source}")]
    Chart {
        path: String,
        source: std::io::Error,
    },
    #[error("writing the Word file: {0}")]
    Zip(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_header_rows_repeat() {
        let x = "<w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr><w:tr><w:trPr></w:trPr></w:tr>";
        assert_eq!(repeat_header_rows(x).matches("tblHeader").count(), 1);
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(clean("a\u{1}b\nc\td"), "a b c\td");
    }
}
